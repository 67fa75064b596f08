#!/bin/sh
# XCALLY's life cycle (contrib/lifecycle/escalation.conf) walked by mail,
# customer and staff side, through postdesk-ingest, postdesk tick and
# postdesk-notify against an aiosmtpd sink: its five priorities (the
# configured names, any case, others refused with the list), the
# escalation levels, Resolved by the timer, the customer confirming
# Resolved → Closed by mail (her command is decided before her message
# would reopen the ticket), the implicit reopen when she does not
# confirm, and its rating rule (Closed only).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..35"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
{
	printf '[staff]\naddresses = bob@staff.example.com\n[auth]\n%s\n' \
	    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all'
	grep -v '^#' "$S/contrib/lifecycle/escalation.conf"
} | mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
NOW=$(date +%s)
DAY=86400
"$B/postdesk" init >/dev/null
st() { sqlq "$DB" "SELECT status FROM tickets WHERE id=$1"; }
prio() { sqlq "$DB" "SELECT priority || ':' || priority_rank FROM tickets WHERE id=$1"; }
outbox_to() {
	sqlq "$DB" "SELECT count(*) FROM outbox WHERE recipients='$1' AND template = '$2'"
}
events() { sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=$1 AND $2"; }
# The customer from her own mail server (aligned SPF pass), staff from
# theirs: both may give commands (postdesk-auth(5)).
cust() {	# cust TICKET BODY
	mail alice@shop.example support@example.com "Re: [Support #$1] calls" \
	    "$2" >"$T/c.eml"
	"$B/postdesk-ingest" --sender alice@shop.example \
	    --client-ip 198.51.100.7 --recipient support@example.com <"$T/c.eml"
}
staff() {	# staff TICKET BODY
	mail bob@staff.example.com support@example.com \
	    "Re: [Support #$1] calls" "$2" >"$T/s.eml"
	"$B/postdesk-ingest" --sender bob@staff.example.com \
	    --client-ip 192.0.2.5 --recipient support@example.com <"$T/s.eml"
}

mail alice@shop.example support@example.com "calls drop after 30 s" \
    "Since the upgrade every call drops after 30 seconds." >"$T/n1.eml"
"$B/postdesk-ingest" --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@example.com <"$T/n1.eml"
check "new ticket: Waiting for Support" test "$(st 1)" = "Waiting for Support"
check "new ticket: the configured default priority, Medium" \
    test "$(prio 1)" = "Medium:2"

# Priorities: the customer's own word, any case; others refused.
cust 1 "Priority: high\n\nCalls drop for everyone."
check "customer sets High (any case, stored as configured)" \
    test "$(prio 1)" = "High:1"
# "Highest only if your services are down": staff_priorities = Highest.
cust 1 "Priority: highest\n\nOur services are down."
check "customer's own Highest is refused (staff_priorities), High stays" \
    test "$(prio 1)" = "High:1"
check "... the refusal says that staff set Highest" \
    test "$(events 1 "kind='command-refused' AND detail LIKE '%only staff set priority Highest%'")" = 1
cust 1 "Priority: major\n\nReally."
check "a name from another vocabulary is refused" test "$(prio 1)" = "High:1"
check "... the refusal lists the configured priorities" \
    test "$(events 1 "kind='command-refused' AND detail LIKE '%Highest, High, Medium, Low or Lowest%'")" = 1
"$B/postdesk" priority 1 LOW >/dev/null
check "postdesk priority takes the configured names" test "$(prio 1)" = "Low:3"
if "$B/postdesk" priority 1 minor >/dev/null 2>"$T/err"; then R=0; else R=$?; fi
check "postdesk priority refuses others (65) with the list" \
    sh -c "[ $R = 65 ] && grep -q 'Highest, High, Medium, Low or Lowest' '$T/err'"
"$B/postdesk" priority 1 High >/dev/null

# Staff walk the escalation levels by mail.
staff 1 "Status: In progress\n\nWe are on it."
check "staff: In progress" test "$(st 1)" = "In progress"
staff 1 "Status: Escalated\n\nPassed to 3rd level support."
check "staff: Escalated" test "$(st 1)" = "Escalated"
staff 1 "Status: Under Investigation\n\nOur specialists look into it."
check "staff: Under Investigation" test "$(st 1)" = "Under Investigation"
staff 1 "Status: Under Development\n\nA fix is being written."
check "staff: Under Development" test "$(st 1)" = "Under Development"
cust 1 "Status: Closed\n\nNever mind, we will wait for the release notes."
check "customer may not close an escalated ticket (no such transition)" \
    test "$(st 1)" = "Under Development"
staff 1 "Status: In progress\n\nThe fix is ready."
staff 1 "Please install 3.2.1 and tell us whether calls still drop."
check "a staff reply: Waiting for customer" test "$(st 1)" = "Waiting for customer"
cust 1 "I installed it but one call dropped again, log attached below in the text."
check "her answer sets it back to In progress" test "$(st 1)" = "In progress"
staff 1 "That call came from the old trunk; please switch it over too."
check "staff reply again: Waiting for customer" test "$(st 1)" = "Waiting for customer"

# Resolved by the timer: 7 days after the last staff reply.
"$B/postdesk" tick --now $((NOW + 7 * DAY - 60)) >/dev/null
check "one minute before 7 days: still waiting" test "$(st 1)" = "Waiting for customer"
"$B/postdesk" tick --now $((NOW + 7 * DAY + 60)) >/dev/null
check "after 7 days: Resolved" test "$(st 1)" = "Resolved"
check "Resolved notice queued" test "$(outbox_to alice@shop.example pre-closed)" = 1
cust 1 "Rating: 5"
check "rating rule: a Resolved ticket cannot be rated yet" \
    test "$(sqlq "$DB" "SELECT count(*) FROM ratings WHERE ticket_id=1")" = 0
check "... the refusal says Closed" \
    test "$(events 1 "kind='command-refused' AND detail LIKE '%only a Closed ticket can be rated%'")" = 1

# The XCALLY case: she confirms Resolved → Closed with a real message
# (no mere "thanks"): her command is decided first, so the text does not
# reopen the ticket to Waiting for Support and get her command refused.
cust 1 "Status: Closed\n\nSwitching the trunk fixed the last dropped calls, all forty agents have been calling since yesterday without a single problem."
check "customer confirms Resolved → Closed by mail" test "$(st 1)" = Closed
check "... without a reopen in between" \
    test "$(events 1 "kind='status' AND detail LIKE 'Resolved → Waiting for Support%'")" = 0
check "... her command applied, none refused" \
    test "$(events 1 "kind='command' AND detail LIKE 'Status: Closed%'"):$(events 1 "kind='command-refused' AND detail LIKE 'Status: Closed —%Resolved%'")" = 1:0
check "closed notice queued" test "$(outbox_to alice@shop.example closed)" = 1
cust 1 "Rating: 4 quick and thorough"
check "rating rule: a Closed ticket is rated by mail" \
    test "$(sqlq "$DB" "SELECT rating || ':' || comment FROM ratings WHERE ticket_id=1")" = "4:quick and thorough"
cust 1 "Priority: Highest"
check "no priority change once Closed" test "$(prio 1)" = "High:1"

# Not confirming: a real answer to Resolved reopens it; a status she may
# not set is refused first and the message still reopens the ticket.
mail alice@shop.example support@example.com "second problem" \
    "The wallboard shows no queues." >"$T/n2.eml"
"$B/postdesk-ingest" --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@example.com <"$T/n2.eml"
staff 2 "Status: Resolved\n\nThe wallboard needed a restart; done."
check "staff: Resolved" test "$(st 2)" = "Resolved"
cust 2 "Status: Escalated\n\nThe wallboard is empty again after the restart this morning, nothing has changed."
check "a status she may not set is refused ..." \
    test "$(events 2 "kind='command-refused' AND detail LIKE 'Status: Escalated%Resolved → Escalated%'")" = 1
check "... and her message reopens: Waiting for Support" \
    test "$(st 2)" = "Waiting for Support"
staff 2 "Status: In progress\n\nLooking."
staff 2 "Status: Resolved\n\nFixed in the configuration."
"$B/postdesk" tick --now $((NOW + 14 * DAY + 60)) >/dev/null
check "Resolved closes itself after 7 silent days" test "$(st 2)" = Closed

# notify sends what is due now (tick --now queued its notices in the
# future): the confirmed close's notice, and transcripts listing the
# priorities.
"$B/postdesk-notify" --once >/dev/null
check "the confirmed close's notice delivered" \
    test "$(grep -l 'ticket #1 is now closed' "$T"/sink/*.eml | xargs -r grep -il '^X-Envelope-To: alice@' | wc -l)" = 1
check "a transcript names the configured priorities" sh -c \
    "grep -l 'Highest, High, Medium, Low or Lowest' '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: alice@' | grep -q ."
check "nothing due left in the outbox" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status <> 'sent' AND next_attempt <= $(date +%s)")" = 0
