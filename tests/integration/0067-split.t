#!/bin/sh
# X-Cart: reopen only if the new information relates to the ticket,
# "otherwise, your new message will be moved to a new ticket".  Staff
# move a customer's unrelated message out of her ticket with
# `postdesk split TICKET MESSAGE-ID`: a new ticket in the same queue,
# linked to the old one, with the message, its events and a "split"
# event on both tickets; she gets the new ticket's acknowledgement, and
# later mail that answers the moved message lands there.  The opening
# message, our own mail, a message not in the ticket are refused (65).
# Staff only: the command is the administrator's (postdesk(8)).
# postdesk-ingest, postdesk and postdesk-notify against an aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..25"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
PD=$B/postdesk
"$PD" init >/dev/null
q() { sqlq "$DB" "$1"; }
# ingest MESSAGE-ID SUBJECT BODY [EXTRA-HEADER]: from alice, kept in
# $T/MESSAGE-ID.eml for a redelivery.
ingest() {
	{
		printf 'From: Alice <alice@shop.example>\nTo: support@example.com\n'
		printf 'Subject: %s\nMessage-ID: <%s>\n' "$2" "$1"
		[ -n "$4" ] && printf '%s\n' "$4"
		printf '\n%b\n' "$3"
	} >"$T/$1.eml"
	"$B/postdesk-ingest" --sender alice@shop.example \
	    --recipient support@example.com <"$T/$1.eml"
}
# split ARGS...: the exit code; stderr in $T/err, stdout in $T/out.
split() {
	set +e
	"$PD" split "$@" >"$T/out" 2>"$T/err"
	echo $?
}
notify() { "$B/postdesk-notify" --once >/dev/null 2>&1; }

ingest p1@test "Printer" "The printer is on fire."
echo "Unplug it." | "$PD" reply 1 --from bob@staff.example.com >/dev/null
ingest inv@test "Re: [Support #1] Printer" \
    "By the way, my last invoice charged me twice." \
    "In-Reply-To: <p1@test>"
notify
check "both of her messages are on ticket 1" \
    test "$(q "SELECT count(*) FROM messages WHERE ticket_id = 1 AND direction = 'in'")" = 2
OUT=$(q "SELECT message_id FROM messages WHERE ticket_id = 1 AND direction = 'out' ORDER BY id LIMIT 1")

check "split without a message: the usage, exit 1" sh -c \
    "[ \"\$('$PD' split 1 2>'$T/e0'; echo \$?)\" = 1 ] && grep -q 'usage: postdesk split TICKET MESSAGE-ID' '$T/e0'"
check "the message that opened the ticket is refused (65), saying why" sh -c \
    "[ \"\$(sh -c '\"$PD\" split 1 p1@test' >/dev/null 2>'$T/e1'; echo \$?)\" = 65 ] && grep -q 'opened ticket #1' '$T/e1'"
check "our own mail is refused (65)" sh -c \
    "[ \"\$('$PD' split 1 '$OUT' >/dev/null 2>'$T/e2'; echo \$?)\" = 65 ] && grep -q 'our own mail' '$T/e2'"
check "a Message-ID that is not in the ticket is refused (65)" sh -c \
    "[ \"\$('$PD' split 1 nosuch@test >/dev/null 2>'$T/e3'; echo \$?)\" = 65 ] && grep -q 'has no message <nosuch@test>' '$T/e3'"
check "a ticket that does not exist is refused (65)" sh -c \
    "[ \"\$('$PD' split 9 inv@test >/dev/null 2>'$T/e4'; echo \$?)\" = 65 ] && grep -q 'no ticket #9' '$T/e4'"
check "... and the refusals changed nothing" \
    test "$(q "SELECT count(*) FROM tickets"):$(q "SELECT count(*) FROM events WHERE kind = 'split'")" = "1:0"

rc=$(split 1 '<inv@test>')
check "split 1 <inv@test>: exit 0, naming the new ticket ($rc)" sh -c \
    "[ '$rc' = 0 ] && grep -q 'into the new ticket #2' '$T/out'"
check "the message is on ticket 2 now, not on ticket 1" \
    test "$(sqlq_join "$DB" , "SELECT ticket_id FROM messages WHERE message_id = 'inv@test' ORDER BY id")" = 2
check "ticket 1 keeps its opening message and the staff reply" \
    test "$(sqlq_join "$DB" ' ' "SELECT message_id FROM messages WHERE ticket_id = 1 AND message_id IN ('p1@test', '$OUT') ORDER BY id")" = "p1@test $OUT"
check "the new ticket: her request, same queue, initial status, no old tag in the subject" \
    test "$(q "SELECT requester || '|' || queue || '|' || status || '|' || subject FROM tickets WHERE id = 2")" = \
    "alice@shop.example|$(q "SELECT queue FROM tickets WHERE id = 1")|submitted|Printer"
check "... its created event names the new subject" \
    test "$(q "SELECT detail FROM events WHERE ticket_id = 2 AND kind = 'created'")" = Printer
check "... linked to ticket 1 as its follow-up" \
    test "$(q "SELECT linked_to FROM tickets WHERE id = 2")" = 1
check "... with her as its requester" \
    test "$(q "SELECT role FROM participants WHERE ticket_id = 2 AND address = 'alice@shop.example'")" = requester
check "... counting from when her message arrived" \
    test "$(q "SELECT CASE WHEN t.created = m.received THEN 1 ELSE 0 END FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE t.id = 2")" = 1
check "a split event on both tickets, naming who moved it" \
    test "$(sqlq_join "$DB" , "SELECT ticket_id FROM events WHERE kind = 'split' AND detail LIKE 'message <inv@test> moved out of #1 into the new ticket #2 by %' ORDER BY ticket_id")" = "1,2"
check "the message's own events went with it" \
    test "$(q "SELECT count(*) FROM events WHERE message_row = (SELECT id FROM messages WHERE message_id = 'inv@test') AND ticket_id <> 2")" = 0
check "postdesk show 2 shows the moved message" sh -c \
    "'$PD' show 2 | grep -q 'charged me twice'"

notify
ACK=$(grep -l 'Support #2' "$T"/sink/*.eml 2>/dev/null | xargs -r grep -il '^X-Envelope-To: alice@shop.example' | head -1)
check "she gets the new ticket's acknowledgement, with its number" \
    test "$(q "SELECT status FROM outbox WHERE ticket_id = 2 AND template = 'new-ticket'")${ACK:+:mail}" = sent:mail

check "a second split of the same message is refused: it is not in ticket 1" \
    test "$(split 1 inv@test)" = 65
ingest inv@test "Re: [Support #1] Printer" "By the way, my last invoice charged me twice." "In-Reply-To: <p1@test>"
check "a redelivery of the moved message changes nothing" \
    test "$(q "SELECT count(*) FROM messages WHERE message_id = 'inv@test'"):$(q "SELECT count(*) FROM tickets")" = "1:2"
ingest more@test "Invoice again" "It happened again." "In-Reply-To: <inv@test>"
check "an answer to the moved message lands in the new ticket" \
    test "$(q "SELECT ticket_id FROM messages WHERE message_id = 'more@test'")" = 2
ACKSUBJ=$(hdr "$ACK" Subject)
ingest ack-reply@test "Re: $ACKSUBJ" "Thanks."
check "her reply to the acknowledgement lands in the new ticket too" \
    test "$(q "SELECT ticket_id FROM messages WHERE message_id = 'ack-reply@test'")" = 2
check "postdesk --help lists split" sh -c "'$PD' --help 2>&1 | grep -q '^  split TICKET MESSAGE-ID'"
check "postdesk(8) describes split" grep -q '^\.It Cm split Ar ticket message-id' "$S/src/postdesk.8"
