#!/bin/sh
# A frozen ingest must not stall all mail (issue 15, item 5).  An ingest
# is stopped (SIGSTOP) while it holds the store's write lock; the other
# deliveries get 75 within [mail] max_run_time instead of waiting
# forever, the frozen one is ended at that bound (75, nothing written),
# and deliveries then succeed without anyone touching it.  Defaults
# only (max_run_time 60 s, busy_timeout 10 s), as the pipe user
# postdesk, as in production.  Every wait polls a condition to a
# deadline.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

. "$top_srcdir/tests/integration/lib-postfix.sh"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { _d=$1; shift; if "$@"; then ok "$_d"; else not_ok "$_d"; fi; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

[ -r /proc/locks ] || { echo "1..0 # SKIP no /proc/locks"; exit 0; }
command -v sqlite3 >/dev/null ||
    { echo "1..0 # SKIP sqlite3 not installed (contrib/deps.sh --tests)"; exit 0; }

T=$(mktemp -d /tmp/postdesk-frozen.XXXXXX)
FROZEN=
cleanup() {
	# A stopped process ignores all but SIGKILL.
	[ -n "$FROZEN" ] && kill -9 "$FROZEN" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The production user, where the test can make it; else ourselves.
AS=
if [ "$(id -u)" -eq 0 ] && pd_user_require; then
	AS="runuser -u postdesk --"
fi
chmod 0755 "$T"
mkdir -p "$T/db" "$T/bin"
cp "$top_builddir/postdesk-ingest" "$top_builddir/postdesk" "$T/bin/"
DB=$T/db/postdesk.db
cat >"$T/postdesk.conf" <<EOF
[store]
path = $DB
[mail]
address = support@helpdesk.test
host = helpdesk.test
EOF
chmod 0644 "$T/postdesk.conf"
if [ -n "$AS" ]; then
	chown postdesk:postdesk "$T/db"
	chmod 2770 "$T/db"
fi
export POSTDESK_CONFIG="$T/postdesk.conf"
ingest() { $AS "$T/bin/postdesk-ingest" --sender "$1@customer.test"; }
sqlq() { $AS sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$1"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
mail() {	# mail ID [BODY-LINES]: a message from ID@customer.test
	printf 'From: %s@customer.test\nTo: support@helpdesk.test\n' "$1"
	printf 'Subject: printer %s\nMessage-ID: <%s@customer.test>\n\n' \
	    "$1" "$1"
	seq "${2:-3}" | sed 's/$/ the printer prints nothing but smudges/'
}
stored() { sqlq "SELECT count(*) FROM messages WHERE message_id = '$1@customer.test'"; }
# until_gone PID SECONDS: PID (our child) has exited, polled.
until_gone() {
	_end=$(($(ms) + $2 * 1000))
	while kill -0 "$1" 2>/dev/null &&
	    ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; do
		[ "$(ms)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}

echo "1..11"
$AS "$T/bin/postdesk" init >/dev/null
check "database created" [ -e "$DB" ]
# The defaults this test relies on.
RUN=60 BUSY=10

# A large message keeps its write transaction open long enough for the
# stop to land inside it; try again with a new one if it was too quick.
FROZEN_ID= tries=0
while [ -z "$FROZEN" ] && [ $tries -lt 10 ]; do
	tries=$((tries + 1))
	mail "frozen$tries" 150000 >"$T/frozen.eml"
	start=$(ms)
	ingest "frozen$tries" <"$T/frozen.eml" >"$T/frozen.out" 2>&1 &
	APID=$!
	FROZEN=$(python3 "$top_srcdir/tests/integration/freeze-lock-holder.py" \
	    "$DB" 30 "$APID")
	if [ -n "$FROZEN" ]; then
		FROZEN_ID=frozen$tries
	else
		until_gone "$APID" 30
		wait "$APID"
		diag "try $tries: not caught holding the lock (exit $?)"
	fi
done
check "an ingest stopped while it holds the write lock (try $tries)" \
    [ -n "$FROZEN" ]

# Three deliveries while it is frozen: each gives up with 75, within
# the bound (busy_timeout, 10 s, is shorter).
for i in 1 2 3; do
	( s=$(ms); mail "other$i" | ingest "other$i" >"$T/other$i.out" 2>&1
	  echo "$? $(($(ms) - s))" >"$T/other$i.rc" ) &
done
wait_rc() { [ -s "$T/other1.rc" ] && [ -s "$T/other2.rc" ] && [ -s "$T/other3.rc" ]; }
end=$(($(ms) + (RUN + 30) * 1000))
while ! wait_rc && [ "$(ms)" -lt "$end" ]; do sleep 0.1; done
codes=$(cat "$T"/other?.rc 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')
longest=$(cat "$T"/other?.rc 2>/dev/null | cut -d' ' -f2 | sort -n | tail -1)
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1"; diag "expected [$2], got [$3]"; fi; }
check_eq "the other deliveries meanwhile: 75 each" "75 75 75 " "$codes"
echo "# longest of the three: ${longest:-?} ms"
check "within the bound (${longest:-?} ms, max_run_time ${RUN} s)" \
    [ "${longest:-999999}" -le $((RUN * 1000)) ]

# Nobody touches the frozen process: a delivery succeeds once the
# watchdog has ended it.  (On a stalled store each try waits 10 s.)
end=$((start + (RUN + 30) * 1000))
rc=1
while [ "$(ms)" -lt "$end" ]; do
	mail other1 | ingest other1 >"$T/retry.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && break
	sleep 0.1
done
after=$(($(ms) - start))
check "a delivery succeeds after the bound, the frozen one untouched (exit $rc, at ${after} ms)" \
    [ $rc -eq 0 ]
if until_gone "$APID" 30; then
	wait "$APID"
	arc=$?
	took=$(($(ms) - start))
else
	arc=none took=none
fi
check "the frozen ingest exits 75 (exit $arc after ${took} ms)" [ "$arc" = 75 ]
check "it says why: max_run_time" grep -q 'max_run_time' "$T/frozen.out"
diag "$(cat "$T/frozen.out")"
# From here on the frozen one is gone, or is ended now (on a store
# without the watchdog), so the rest can be checked.
kill -9 "$FROZEN" 2>/dev/null
FROZEN=
check "the frozen ingest wrote nothing" [ "$(stored "$FROZEN_ID")" = 0 ]
for i in 2 3; do
	mail "other$i" | ingest "other$i" >>"$T/retry.out" 2>&1 ||
	    diag "other$i: exit $?"
done
ingest "$FROZEN_ID" <"$T/frozen.eml" >>"$T/retry.out" 2>&1
check "its redelivery is stored" [ "$(stored "$FROZEN_ID")" = 1 ]
# The uncaught tries were stored too.
check "every message stored exactly once" [ "$(sqlq "SELECT count(*) ||
    ' ' || count(DISTINCT message_id) FROM messages")" = \
    "$((tries + 3)) $((tries + 3))" ]
check "integrity_check" [ "$(sqlq "PRAGMA integrity_check")" = ok ]
[ "$failed" -eq 0 ]
