#!/bin/sh
# X-Cart's HotRush rules by mail (the reference-rules table): HotRush
# "can be disabled without a limit as long as a ticket keeps the
# 'Submitted' status" (hotrush_free = submitted); for Assigned, In
# progress or Re-opened tickets "3 times per one helpdesk account"
# (hotrush_off_limit = 3), counted per organization, whichever member
# and ticket; the fourth is refused with the reason in her transcript,
# while staff may still switch it off and another account keeps its
# own three.  postdesk-ingest (customer commands with an SPF pass),
# postdesk reply (staff) and postdesk-notify against an aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..14"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n[auth]\n%s\n' \
    'spf_local_records = shop.example v=spf1 ip4:198.51.100.0/24 -all; solo.example v=spf1 ip4:203.0.113.0/24 -all' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
PD=$B/postdesk
"$PD" init >/dev/null
"$PD" org add Shop >/dev/null
"$PD" org member add Shop alice@shop.example primary >/dev/null
"$PD" org member add Shop carol@shop.example secondary >/dev/null
q() { sqlq "$DB" "$1"; }
# send FROM SUBJECT BODY: from the sender's own SPF-pass host.
send() {
	case $1 in
	*@shop.example) ip=198.51.100.7 ;;
	*) ip=203.0.113.7 ;;
	esac
	printf 'From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@test>\n\n%b\n' \
	    "$1" "$2" "$(date +%s%N)" "$3" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip "$ip" \
	    --recipient support@example.com <"$T/m.eml"
}
hr() { send "$1" "Re: [Support #$2] x" "HotRush: $3"; }
flag() { q "SELECT hotrush FROM tickets WHERE id = $1"; }
offs() { q "SELECT count(*) FROM hotrush_offs WHERE account = '$1'"; }
staff_reply() { echo "We are on it." | "$PD" reply "$1" --from bob@staff.example.com >/dev/null; }

send alice@shop.example "Checkout slow" "The checkout takes a minute."
send carol@shop.example "Search broken" "Search finds nothing."
send dave@solo.example "Images missing" "Product images are gone."
check "three submitted tickets" \
    test "$(sqlq_join "$DB" , "SELECT status FROM tickets ORDER BY id")" = submitted,submitted,submitted

# Submitted: on and off as often as she likes.
for i in 1 2 3 4; do hr alice@shop.example 1 on; hr alice@shop.example 1 off; done
check "Submitted: four times on and off by mail, every one applied" \
    test "$(q "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'hotrush'")" = 8
check "... and none counted against the account" test "$(offs org:Shop)" = 0

# Past Submitted, each cancellation counts for the organization.
hr alice@shop.example 1 on
hr carol@shop.example 2 on
hr dave@solo.example 3 on
staff_reply 1; staff_reply 2; staff_reply 3
check "staff answered: no ticket is Submitted any more" \
    test "$(q "SELECT count(*) FROM tickets WHERE status = 'submitted'")" = 0
hr alice@shop.example 1 off
check "first cancellation: applied, 1 of 3 for org:Shop" test \
    "$(flag 1):$(offs org:Shop):$(q "SELECT count(*) FROM events WHERE kind = 'hotrush' AND detail = 'off (1 of 3 cancellations of org:Shop used)'")" = 0:1:1
hr alice@shop.example 1 on
check "switching it on again is never counted" test "$(flag 1):$(offs org:Shop)" = 1:1
hr alice@shop.example 1 off
hr carol@shop.example 2 off
check "another member's cancellation on her own ticket counts for the same account" \
    test "$(flag 1):$(flag 2):$(offs org:Shop)" = 0:0:3
hr carol@shop.example 2 on
check "... HotRush back on ticket 2" test "$(flag 2)" = 1
hr carol@shop.example 2 off
check "the fourth cancellation is refused: HotRush stays on" \
    test "$(flag 2):$(offs org:Shop)" = 1:3
check "... with the reason in a command-refused event" test \
    "$(q "SELECT count(*) FROM events WHERE ticket_id = 2 AND kind = 'command-refused' AND detail LIKE 'HotRush: off — %used up its HotRush cancellations%'")" = 1
"$B/postdesk-notify" --once >/dev/null 2>&1
check "... and in the transcript mailed to her" sh -c \
    "grep -l 'used up its HotRush cancellations' '$T'/sink/*.eml 2>/dev/null | xargs -r grep -il '^X-Envelope-To: carol@shop.example' | grep -q ."
hr alice@shop.example 1 on
hr alice@shop.example 1 off
check "the limit is the account's: alice is refused too" test "$(flag 1)" = 1
"$PD" hotrush 2 off >/dev/null
check "staff may still switch it off, uncounted" test "$(flag 2):$(offs org:Shop)" = 0:3
hr dave@solo.example 3 off
check "another account keeps its own three" sh -c \
    "[ '$(flag 3)' = 0 ] && [ '$(offs dave@solo.example)' = 1 ]"
