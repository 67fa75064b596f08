#!/bin/sh
# The SMTP server goes away and comes back: nothing is lost, everything
# is sent once it returns; two notifiers at once never send a row twice.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; stop_sink sink; rm -rf "$T"' EXIT
echo "1..9"
PORT=$(free_port)
mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT" <<EOF
poll_interval = 1
max_attempts = 30
[staff]
addresses = staff@example.com
EOF
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null

ingest() {	# ingest FIRST LAST: one new ticket per customer
	i=$1
	while [ "$i" -le "$2" ]; do
		printf 'From: c%d@customer.example\nTo: support@example.com\nSubject: problem %d\nMessage-ID: <m%d@customer.example>\n\nhelp %d\n' \
		    "$i" "$i" "$i" "$i" | "$B/postdesk-ingest" || echo "ingest $i failed"
		i=$((i + 1))
	done
}

# wait_sent N SECONDS: until N rows are sent
wait_sent() {
	i=0
	while [ "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='sent'")" -lt "$1" ] &&
	    [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
}

ingest 1 10
"$B/postdesk-notify" --watch 2>"$T/watch.log" &
WPID=$!
# Until the watcher has tried every row against the closed port.
all_deferred() {
	[ "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='pending' AND attempts>=1 AND last_error LIKE '%onnect%'")" = 20 ] &&
	    [ "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='mail-deferred'")" -ge 20 ]
}
poll_until 60 all_deferred
check "server down: nothing sent, rows kept pending" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='pending' AND attempts>=1")" = 20
check "server down: the connect error is recorded" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE last_error LIKE '%onnect%'")" = 20
check "every attempt is an event" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='mail-deferred'")" -ge 20
start_sink sink "$PORT" --delay 0.05
wait_sent 20 30
check "server back: all 20 sent" test "$(count_mail sink)" = 20

# Kill the server in the middle of a run of 60 messages.
ingest 11 40
# Stop the server once the watcher has begun on the new rows, and start
# it again once the watcher has met the outage (a row tried and kept).
sending() { [ "$(count_mail sink)" -gt 20 ]; }
poll_until 60 sending
stop_sink sink
mid=$(count_mail sink)
outage_met() {
	[ "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='pending' AND attempts>=1")" -gt 0 ]
}
poll_until 60 outage_met
start_sink sink "$PORT"
wait_sent 80 60
kill $WPID; wait $WPID 2>/dev/null; WPID=
echo "# delivered before the kill: $((mid - 20)) of 60"
check "the kill happened mid-run" test "$mid" -gt 20 -a "$mid" -lt 80
check "all 80 rows sent in the end, none failed" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='sent'")" = 80
sqlq "$DB" "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.sent_row" | sort -u >"$T/want"
cat "$T"/sink/*.eml | tr -d '\r' | sed -n 's/^Message-Id: <\(.*\)>$/\1/p' | sort -u >"$T/got"
check "nothing lost: every Message-ID reached the server" \
    test -z "$(comm -23 "$T/want" "$T/got")"

# Two notifiers drain one outbox at the same time.
stop_sink sink
rm -rf "$T/sink"
start_sink sink "$PORT"
ingest 41 140
"$B/postdesk-notify" --once --batch 5 --claimer one &
P1=$!
"$B/postdesk-notify" --once --batch 5 --claimer two &
P2=$!
wait $P1 $P2
echo "# rows sent per claimer: $(sqlq_join "$DB" ' ' "SELECT claimed_by || '=' || count(*) FROM outbox WHERE id > 80 GROUP BY claimed_by ORDER BY claimed_by")"
check "two notifiers: 200 rows, 200 messages delivered" test "$(count_mail sink)" = 200
check "two notifiers: no Message-ID delivered twice" \
    test "$(cat "$T"/sink/*.eml | tr -d '\r' | grep '^Message-Id:' | sort | uniq -d | wc -l)" = 0
