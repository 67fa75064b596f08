#!/bin/sh
# Two live notifiers, --batch 100 and --batch 1, against an SMTP server
# that takes 0.7 s a message: the big batch runs longer than a lease
# computed from one row, so unless the lease is stored with the claim
# and renewed while sending, the small one takes the big one's rows
# and both send them (issue 15 item 4: 11 of 100 rows were sent twice).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
P1= P2=
trap 'for p in $P1 $P2; do kill $p 2>/dev/null; done; stop_sink sink; rm -rf "$T"' EXIT
echo "1..6"
PORT=$(free_port)
nl_store "$PORT"

# 120 tickets: 240 rows (an acknowledgement and a staff notification
# each), so the small notifier is still claiming when the big batch has
# run 70 s, the lease the old code computed for --batch 1.
nl_tickets 1 120
start_sink sink "$PORT" --delay 0.7

# poll SECONDS SQL VALUE: until the query gives at least VALUE
poll() {
	j=0
	while [ "$(sqlq "$DB" "$2")" -lt "$3" ] && [ $j -lt $(($1 * 10)) ]; do
		sleep 0.1; j=$((j + 1))
	done
	[ "$(sqlq "$DB" "$2")" -ge "$3" ]
}

start=$(date +%s)
"$B/postdesk-notify" --once --batch 100 --claimer big 2>"$T/big.log" &
P1=$!
# The big one claims first, so its batch is the one that runs long.
poll 30 "SELECT count(*) FROM outbox WHERE claimed_by='big'" 100
"$B/postdesk-notify" --once --batch 1 --claimer small 2>"$T/small.log" &
P2=$!
wait $P1; r1=$?
wait $P2; r2=$?
P1= P2=
took=$(($(date +%s) - start))

sqlq "$DB" "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.sent_row" |
    sort >"$T/want"
cat "$T"/sink/*.eml | tr -d '\r' | sed -n 's/^Message-Id: <\(.*\)>$/\1/p' |
    sort >"$T/got"
dups=$(uniq -d "$T/got" | wc -l)
lost=$(comm -23 "$T/want" "$T/got" | wc -l)
echo "# rows sent per claimer: $(sqlq_join "$DB" ' ' "SELECT claimed_by || '=' || count(*) FROM outbox GROUP BY claimed_by")"
echo "# delivered $(count_mail sink), of 240 rows; sent twice $dups; lost $lost; ${took} s"
check "both notifiers exit 0" test "$r1.$r2" = 0.0
check "all 240 rows sent" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='sent'")" = 240
check "nothing lost: every Message-ID reached the server" test "$lost" = 0
check "no row sent by both: no Message-ID delivered twice" test "$dups" = 0
check "240 messages delivered" test "$(count_mail sink)" = 240
check "one mail-sent event per row, none recorded twice" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='mail-sent'").$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE attempts <> 1")" = 240.0
