#!/bin/sh
# A notifier killed -9 in the middle of its batch: the rows it claimed
# are sent by another notifier once their lease has run out (not
# before, and not 51 minutes later), the crash uses up none of their
# attempts, and with the defaults the lease is under 2 minutes
# (issue 15 item 4).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
P1=
trap '[ -n "$P1" ] && kill -9 $P1 2>/dev/null; stop_sink sink; rm -rf "$T"' EXIT
echo "1..10"
PORT=$(free_port)
nl_store "$PORT"

q() { sqlq "$DB" "$1"; }
sent() { q "SELECT count(*) FROM outbox WHERE status='sent'"; }

nl_tickets 1 10
start_sink sink "$PORT" --delay 0.7
"$B/postdesk-notify" --once --batch 100 --claimer doomed 2>"$T/doomed.log" &
P1=$!
i=0
while [ "$(count_mail sink)" -lt 3 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $P1
wait $P1 2>/dev/null
P1=
killed=$(date +%s)
left=$(q "SELECT count(*) FROM outbox WHERE claimed_by='doomed' AND status='sending'")
until=$(q "SELECT max(lease_until) FROM outbox WHERE claimed_by='doomed' AND status='sending'")
lease=$(q "SELECT max(lease_until - updated) FROM outbox WHERE claimed_by='doomed' AND status='sending'")
echo "# killed after $(count_mail sink) mails; $left rows left claimed, lease ${lease:-?} s"
check "the kill left rows claimed mid-batch" test "$left" -gt 0
check "their claim used up no attempt" \
    test "$(q "SELECT count(*) FROM outbox WHERE claimed_by='doomed' AND status='sending' AND attempts <> 0")" = 0

# Run from cron, as it were, until everything is sent.
"$B/postdesk-notify" --once --claimer rescuer 2>"$T/rescuer.log"
check "while the lease holds another notifier leaves the rows alone" \
    test "$(q "SELECT count(*) FROM outbox WHERE claimed_by='doomed' AND status='sending'")" = "$left"
deadline=$((${until:-$killed} + 40))
while [ "$(sent)" -lt 20 ] && [ "$(date +%s)" -lt $deadline ]; do
	"$B/postdesk-notify" --once --claimer rescuer 2>>"$T/rescuer.log"
	sleep 0.2
done
first=$(q "SELECT min(sent_at) FROM outbox WHERE claimed_by='rescuer'")
last=$(q "SELECT max(sent_at) FROM outbox WHERE claimed_by='rescuer'")
echo "# rows back $((${first:-0} - killed)) s after the kill (lease ran out at +$((${until:-0} - killed)) s), all sent at +$((${last:-0} - killed)) s"
check "all 20 rows sent" test "$(sent)" = 20
check "the killed notifier's rows were sent by another" \
    test "$(q "SELECT count(*) FROM outbox WHERE claimed_by='rescuer'")" -ge "$left"
check "not before the lease ran out, and within 5 s after it" \
    test -n "$first" -a -n "$until" -a "${first:-0}" -ge "${until:-0}" \
    -a "${first:-0}" -le "$((${until:-0} + 5))"
check "attempts unchanged by the crash: every row sent with one attempt" \
    test "$(q "SELECT count(*) FROM outbox WHERE status='sent' AND attempts = 1")" = 20
sqlq "$DB" "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.sent_row" |
    sort >"$T/want"
cat "$T"/sink/*.eml | tr -d '\r' | sed -n 's/^Message-Id: <\(.*\)>$/\1/p' |
    sort >"$T/got"
dups=$(uniq -d "$T/got" | wc -l)
echo "# delivered $(count_mail sink); twice: $dups (the mail in flight at the kill)"
check "nothing lost: every Message-ID reached the server" \
    test -z "$(comm -23 "$T/want" "$T/got")"
check "only the mail in flight at the kill was delivered twice" \
    test "$dups" -le 1

# With the defaults ([notify] timeout 60, [store] busy_timeout 10 s)
# a dead notifier's rows are back within 2 minutes.
grep -v '^timeout' "$T/pd.conf" >"$T/default.conf"
nl_tickets 11 11
"$B/postdesk-notify" --config "$T/default.conf" --once --claimer doomed2 \
    2>"$T/doomed2.log" &
P1=$!
i=0
while [ "$(q "SELECT count(*) FROM outbox WHERE claimed_by='doomed2'")" -lt 1 ] &&
    [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 $P1
wait $P1 2>/dev/null
P1=
lease=$(q "SELECT max(lease_until - updated) FROM outbox WHERE claimed_by='doomed2'")
echo "# lease with the defaults: ${lease:-none} s"
check "with the defaults the lease is at most 2 minutes" \
    test -n "$lease" -a "${lease:-999}" -le 120
