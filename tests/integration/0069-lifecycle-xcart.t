#!/bin/sh
# X-Cart's life cycle as shipped (contrib/lifecycle/x-cart.conf, the
# built-in statuses with their timers spelled out) walked by mail,
# customer and staff side, through postdesk-ingest, postdesk tick and
# postdesk-notify against an aiosmtpd sink: Submitted, Assigned and In
# progress set by staff, Waiting for customer after a staff reply and
# back to In progress on her answer, Pre-closed 3 days after the last
# staff reply and Closed 3 days later (both by tick, each with its
# notice), the rating rule (only a closed ticket, with a comment for
# the queue's head), Re-opened by her message within 14 days, closed by
# her command, a follow-up after the window; sales tickets pre-closed
# after 30 silent days, 14 for a pre-sales account.
#
# 0070-lifecycle-builtin.t runs this same walk on the built-in life
# cycle (VOCABULARY empty): x-cart.conf spells out its timers, so both
# must behave alike.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
VOCABULARY=${VOCABULARY-$S/contrib/lifecycle/x-cart.conf}
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..27"
PORT=$(free_port)
start_sink sink "$PORT"
cat >"$T/sales.sieve" <<'SIEVE'
require ["fileinto"];
if header :contains "subject" "quote" { fileinto "sales"; }
SIEVE
nl_pg_start	# before the pipe into mkconf, a subshell
{
	printf '[staff]\naddresses = bob@staff.example.com\n[rules]\nscripts = %s\n[auth]\n%s\n' \
	    "$T/sales.sieve" \
	    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all; pre.example v=spf1 ip4:203.0.113.0/24 -all'
	[ -z "$VOCABULARY" ] || grep -v '^#' "$VOCABULARY"
} | mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
DAY=86400
PD=$B/postdesk
"$PD" init >/dev/null
q() { sqlq "$DB" "$1"; }
st() { q "SELECT status FROM tickets WHERE id=$1"; }
outbox_to() {
	q "SELECT count(*) FROM outbox WHERE recipients='$1' AND template = '$2'"
}
events() { q "SELECT count(*) FROM events WHERE ticket_id=$1 AND $2"; }
# msg FROM IP SUBJECT BODY: one message through postdesk-ingest.
msg() {
	mail "$1" support@example.com "$3" "$4" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip "$2" \
	    --recipient support@example.com <"$T/m.eml"
}
# The customer and staff from their own servers (aligned SPF pass).
cust() { msg "${3:-alice@shop.example}" 198.51.100.7 "Re: [Support #$1] cart" "$2"; }
staff() { msg bob@staff.example.com 192.0.2.5 "Re: [Support #$1] cart" "$2"; }
notify() { "$B/postdesk-notify" --once >/dev/null 2>&1; }
delivered() {	# delivered ADDR TEXT: a mail to ADDR with TEXT reached the sink
	grep -l -- "$2" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r grep -il "^X-Envelope-To: $1" | grep -q .
}

msg alice@shop.example 198.51.100.7 "cart loses items" \
    "Items vanish from the cart after login."
check "new ticket: submitted, in support" test "$(st 1):$(q "SELECT queue FROM tickets WHERE id=1")" = submitted:support
notify
check "her acknowledgement is delivered" \
    test "$(q "SELECT status FROM outbox WHERE ticket_id=1 AND template='new-ticket'")" = sent
cust 1 "Rating: 5"
check "rating rule: an open ticket cannot be rated" \
    test "$(q "SELECT count(*) FROM ratings"):$(events 1 "kind='command-refused' AND detail LIKE 'Rating: 5 — %can be rated%'")" = 0:1

staff 1 "Status: assigned\n\nI take this one."
check "staff: assigned" test "$(st 1)" = assigned
staff 1 "Status: in-progress\n\nReproducing it now."
check "staff: in-progress" test "$(st 1)" = in-progress
staff 1 "Please clear the browser cookies and log in again."
check "a staff reply: waiting-for-customer" test "$(st 1)" = waiting-for-customer
cust 1 "Cleared the cookies and logged in again, the cart is still empty afterwards."
check "her answer: back to in-progress" test "$(st 1)" = in-progress
staff 1 "Found it: the session cookie domain. Fixed on your store, please check."
check "staff reply again: waiting-for-customer" test "$(st 1)" = waiting-for-customer

# Pre-closed 3 days after the staff reply, Closed 3 days later (timed
# from the stored times: the machine may be slow).
R1=$(q "SELECT staff_reply_at FROM tickets WHERE id=1")
"$PD" tick --now $((R1 + 3 * DAY - 60)) >/dev/null
check "one minute before 3 days: still waiting" test "$(st 1)" = waiting-for-customer
"$PD" tick --now $((R1 + 3 * DAY + 60)) >/dev/null
check "after 3 days: pre-closed, with its notice" \
    test "$(st 1):$(outbox_to alice@shop.example pre-closed)" = pre-closed:1
P1=$(q "SELECT status_since FROM tickets WHERE id=1")
"$PD" tick --now $((P1 + 3 * DAY - 60)) >/dev/null
check "three days later less a minute: still pre-closed" test "$(st 1)" = pre-closed
"$PD" tick --now $((P1 + 3 * DAY + 60)) >/dev/null
check "three days after the pre-close: closed, with its notice" \
    test "$(st 1):$(outbox_to alice@shop.example closed)" = closed:1
"$PD" tick --now $((P1 + 3 * DAY + 120)) >/dev/null
check "tick again changes nothing: one closed notice" \
    test "$(st 1):$(outbox_to alice@shop.example closed)" = closed:1

cust 1 "Rating: 4 fixed quickly"
check "rating rule: the closed ticket is rated by mail, with her comment" \
    test "$(q "SELECT rating || ':' || comment FROM ratings WHERE ticket_id=1")" = "4:fixed quickly"
check "... the comment queued to the queue's head" \
    test "$(outbox_to bob@staff.example.com rating-comment)" = 1
notify
check "... and delivered there" delivered bob@staff.example.com "fixed quickly"

# Within 14 days her message reopens it; she closes it herself.
cust 1 "The cart lost its items again this morning after I logged in from my phone."
check "her message within the reopen window: reopened" test "$(st 1)" = reopened
staff 1 "Status: in-progress\n\nLooking at the mobile login."
check "staff take it up again: in-progress" test "$(st 1)" = in-progress
cust 1 "Status: closed\n\nThat was my old phone app; with the new one the cart keeps its items."
check "customer closes her ticket by mail" test "$(st 1)" = closed
notify
check "... and gets the closed notice" \
    test "$(q "SELECT status FROM outbox WHERE ticket_id=1 AND template='closed' ORDER BY id DESC LIMIT 1")" = sent
q "UPDATE tickets SET status_since = status_since - 15 * $DAY WHERE id=1"
cust 1 "Now the wishlist is empty after login, is that the same cookie problem?"
check "after the 14-day window: a follow-up ticket linked to #1" \
    test "$(q "SELECT linked_to FROM tickets WHERE id=2"):$(st 1)" = 1:closed

# Sales: pre-closed after 30 silent days; 14 for a pre-sales account.
"$PD" org add Pre >/dev/null
"$PD" org member add Pre dora@pre.example primary >/dev/null
"$PD" org set Pre presales yes >/dev/null
msg carol@shop.example 198.51.100.7 "quote for 20 licences" "Please send a quote."
msg dora@pre.example 203.0.113.4 "quote for a trial" "We are evaluating."
check "both land in sales" \
    test "$(sqlq_join "$DB" , "SELECT queue FROM tickets WHERE id IN (3, 4) ORDER BY id")" = sales,sales
staff 3 "Here is our quote: 20 licences at the volume price."
staff 4 "Here is a trial key for 30 days."
S3=$(q "SELECT updated FROM tickets WHERE id=3")
S4=$(q "SELECT updated FROM tickets WHERE id=4")
"$PD" tick --now $((S4 + 14 * DAY + 60)) >/dev/null
check "after 14 days: the pre-sales account's ticket is pre-closed, the other not" \
    test "$(st 3):$(st 4)" = waiting-for-customer:pre-closed
"$PD" tick --now $((S3 + 30 * DAY - 60)) >/dev/null
check "a minute before 30 days: the other still open" test "$(st 3)" = waiting-for-customer
"$PD" tick --now $((S3 + 30 * DAY + 60)) >/dev/null
check "after 30 days: pre-closed" test "$(st 3)" = pre-closed
cust 3 "Status: closed\n\nWe bought elsewhere." carol@shop.example
check "... and she may close it herself" test "$(st 3)" = closed
msg dora@pre.example 203.0.113.4 "quote again" "HotRush: on\n\nUrgent quote please."
check "sales has no HotRush for customers (hotrush = no)" \
    test "$(q "SELECT hotrush FROM tickets WHERE id=5")" = 0
