#!/bin/sh
# A notifier stopped (SIGSTOP: a debugger, a frozen VM) longer than its
# lease, then continued: another notifier has sent its rows meanwhile,
# and the stopped one, once it runs again, neither sends them again nor
# records a result for them (issue 15 item 4: record a result only if
# still the owner).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
P1=
trap '[ -n "$P1" ] && kill -9 $P1 2>/dev/null; stop_sink sink; rm -rf "$T"' EXIT
echo "1..7"
PORT=$(free_port)
nl_store "$PORT"
q() { sqlq "$DB" "$1"; }
sent() { q "SELECT count(*) FROM outbox WHERE status='sent'"; }

nl_tickets 1 10
start_sink sink "$PORT" --delay 0.7
"$B/postdesk-notify" --once --batch 100 --claimer stopped 2>"$T/stopped.log" &
P1=$!
i=0
while [ "$(count_mail sink)" -lt 3 ] && [ $i -lt 300 ]; do
	sleep 0.1; i=$((i + 1))
done
# Stop it outside a write transaction (between SMTP answers, not while
# it records one): stopped holding SQLite's write lock, it would stop
# the other notifier too, which is another test (f05).  The WAL write
# lock is a POSIX lock on byte 120 of the -shm file, listed with its
# owner's PID in /proc/locks.
holds_write_lock() {
	# PostgreSQL has no database-wide write lock (row locks, SKIP
	# LOCKED): stopped anywhere, it stops no other notifier.
	nl_pg && return 1
	python3 - "$DB-shm" "$1" <<'PY'
import os, sys
st = os.stat(sys.argv[1])
for line in open("/proc/locks"):
    w = line.split()
    if len(w) < 8 or w[1] != "POSIX" or w[3] != "WRITE" or w[4] != sys.argv[2]:
        continue
    maj, mi, ino = w[5].split(":")
    if (int(maj, 16), int(mi, 16), int(ino)) != (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino):
        continue
    if int(w[6]) <= 120 <= (2**63 if w[7] == "EOF" else int(w[7])):
        sys.exit(0)
sys.exit(1)
PY
}
kill -STOP $P1
i=0
while holds_write_lock $P1 && [ $i -lt 100 ]; do
	kill -CONT $P1; sleep 0.05; kill -STOP $P1; i=$((i + 1))
done
before=$(sent)
until=$(q "SELECT max(lease_until) FROM outbox WHERE claimed_by='stopped' AND status='sending'")
echo "# stopped after $(count_mail sink) mails, $before recorded"

deadline=$((${until:-$(date +%s)} + 40))
while [ "$(sent)" -lt 20 ] && [ "$(date +%s)" -lt $deadline ]; do
	"$B/postdesk-notify" --once --claimer other 2>>"$T/other.log"
	sleep 0.2
done
check "the stopped notifier's rows were sent by another after its lease" \
    test "$(sent)" = 20 -a "$(q "SELECT count(*) FROM outbox WHERE claimed_by='other'")" -gt 0

kill -CONT $P1
i=0
while kill -0 $P1 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
wait $P1; rc=$?
P1=
check "continued, it finishes and exits 0" test "$rc" = 0
sqlq "$DB" "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.sent_row" |
    sort >"$T/want"
cat "$T"/sink/*.eml | tr -d '\r' | sed -n 's/^Message-Id: <\(.*\)>$/\1/p' |
    sort >"$T/got"
dups=$(uniq -d "$T/got" | wc -l)
echo "# delivered $(count_mail sink) for 20 rows; twice: $dups (the mail in flight when stopped)"
check "nothing lost: every Message-ID reached the server" \
    test -z "$(comm -23 "$T/want" "$T/got")"
check "it sent none of the rows it had lost, beyond the one in flight" \
    test "$dups" -le 1
check "no result recorded twice: one mail-sent event per row" \
    test "$(q "SELECT count(*) FROM events WHERE kind IN ('mail-sent', 'mail-deferred', 'mail-failed')")" = 20
check "every row sent with one attempt" \
    test "$(q "SELECT count(*) FROM outbox WHERE status='sent' AND attempts = 1")" = 20
check "it says it lost the lease" grep -q 'lease' "$T/stopped.log"
