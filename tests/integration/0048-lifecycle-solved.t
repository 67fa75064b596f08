#!/bin/sh
# Xentral's life cycle (contrib/lifecycle/solved.conf) walked by mail,
# customer and staff side, through postdesk-ingest, postdesk tick and
# postdesk-notify against an aiosmtpd sink: Open ⇄ Waiting for your
# reply, the customer marking her ticket solved by mail (her command
# first: her text does not set it back to Open before), the rating
# request sent at Solved with the rating link and the mail syntax,
# rating right after Solved (rating_statuses = Solved;Closed), reopening
# a solved ticket by a reply, closing for good after 14 days, and a
# follow-up for a reply to a closed ticket.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..26"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
{
	printf '[staff]\naddresses = bob@staff.example.com\n[auth]\n%s\n' \
	    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all'
	printf '[web]\nbase_url = https://pd.example.com/desk\nlink_key = link-key-0048\n'
	grep -v '^#' "$S/contrib/lifecycle/solved.conf"
} | mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
NOW=$(date +%s)
DAY=86400
"$B/postdesk" init >/dev/null
st() { sqlq "$DB" "SELECT status FROM tickets WHERE id=$1"; }
outbox() {	# outbox TICKET TEMPLATE
	sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=$1 AND recipients='alice@shop.example' AND template = '$2'"
}
events() { sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=$1 AND $2"; }
rating() { sqlq "$DB" "SELECT rating FROM ratings WHERE ticket_id=$1"; }
cust() {	# cust TICKET BODY
	mail alice@shop.example support@example.com "Re: [Support #$1] stock" \
	    "$2" >"$T/c.eml"
	"$B/postdesk-ingest" --sender alice@shop.example \
	    --client-ip 198.51.100.7 --recipient support@example.com <"$T/c.eml"
}
staff() {	# staff TICKET BODY
	mail bob@staff.example.com support@example.com \
	    "Re: [Support #$1] stock" "$2" >"$T/s.eml"
	"$B/postdesk-ingest" --sender bob@staff.example.com \
	    --client-ip 192.0.2.5 --recipient support@example.com <"$T/s.eml"
}
new() {		# new SUBJECT BODY
	mail alice@shop.example support@example.com "$1" "$2" >"$T/n.eml"
	"$B/postdesk-ingest" --sender alice@shop.example \
	    --client-ip 198.51.100.7 --recipient support@example.com <"$T/n.eml"
}

new "stock levels wrong" "The stock module shows negative stock."
check "new ticket: Open" test "$(st 1)" = Open
check "the default priorities are unchanged: normal" \
    test "$(sqlq "$DB" "SELECT priority FROM tickets WHERE id=1")" = normal
staff 1 "Which warehouse is it?"
check "staff reply: Waiting for your reply" test "$(st 1)" = "Waiting for your reply"
cust 1 "The main warehouse in Augsburg, all articles of group 4."
check "her answer: back to Open" test "$(st 1)" = Open
cust 1 "Rating: 5"
check "rating rule: not before Solved" test -z "$(rating 1)"
staff 1 "Please rebuild the stock index under Settings, then check again."
check "staff reply: Waiting for your reply again" test "$(st 1)" = "Waiting for your reply"

# She marks it solved by mail, with a real message: her command first,
# so the text does not set the ticket back to Open before.
cust 1 "Status: solved\n\nRebuilding the index fixed it, the stock of group 4 is correct again in every report."
check "customer marks her ticket Solved by mail" test "$(st 1)" = Solved
check "... without going back to Open first" \
    test "$(events 1 "kind='status' AND detail LIKE 'Waiting for your reply → Open%'"):$(events 1 "kind='status' AND detail LIKE 'Waiting for your reply → Solved%'")" = 1:1
check "the rating request is queued at Solved" test "$(outbox 1 rating-request)" = 1
check "... instead of the pre-closed notice" test "$(outbox 1 pre-closed)" = 0
cust 1 "Rating: 5 fast and precise"
check "rating rule: rated right after Solved, by mail" test "$(rating 1)" = 5
check "rated: the ticket stays Solved" test "$(st 1)" = Solved

# A reply to a solved ticket reopens it; solved again, a new request.
new "invoice export" "The DATEV export is empty."
staff 2 "Status: Solved\n\nThe export needed the new account plan; done."
check "staff: Solved, rating request queued" \
    test "$(st 2):$(outbox 2 rating-request)" = "Solved:1"
cust 2 "Status: Closed\n\nThe export has the new accounts now but the amounts of March are still missing completely."
check "closing is not hers (Solved>Closed is staff's): refused first" \
    test "$(events 2 "kind='command-refused' AND detail LIKE 'Status: Closed%Solved → Closed%'")" = 1
check "... then her message reopens it: Open" test "$(st 2)" = Open
staff 2 "Status: Solved\n\nMarch is exported too now."
check "solved again: a new rating request (not yet rated)" \
    test "$(outbox 2 rating-request)" = 2
"$B/postdesk" tick --now $((NOW + 14 * DAY - 60)) >/dev/null
check "14 days less a minute: still Solved" test "$(st 2)" = Solved
"$B/postdesk" tick --now $((NOW + 14 * DAY + 60)) >/dev/null
check "after 14 days: Closed for good" test "$(st 2)" = Closed
check "closed notice, and no third rating request" \
    test "$(outbox 2 closed):$(outbox 2 rating-request)" = "1:2"
cust 2 "Rating: 3 took a while"
check "rating rule: a Closed ticket is rated too" test "$(rating 2)" = 3
cust 2 "The April export is empty now as well."
check "a reply to a closed ticket opens a follow-up (reopen_window = 0)" \
    test "$(sqlq "$DB" "SELECT linked_to FROM tickets WHERE id=3")" = 2
ids() { "$B/postdesk" list "$@" --csv | awk -F, 'NR > 1 { printf "%s ", $1 }'; }
check "list: Solved #1, Closed #2 and the follow-up #3" \
    test "$(ids)" = "3 2 1 "
check "hide closed and rated: only the follow-up still worked on" \
    test "$(ids --hide-rated)" = "3 "

"$B/postdesk-notify" --once >/dev/null
RR=$(grep -l 'is now solved' "$T"/sink/*.eml | xargs -r grep -il '^X-Envelope-To: alice@' | head -1)
check "rating request delivered" test -n "$RR"
check "... with the mail syntax and the rating link" sh -c \
    "grep -q '^    Rating: 5' '$RR' && grep -q 'rate the ticket online: https://pd.example.com/desk/' '$RR'"
check "nothing due left in the outbox (tick --now queues in the future)" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status <> 'sent' AND next_attempt <= $(date +%s)")" = 0
