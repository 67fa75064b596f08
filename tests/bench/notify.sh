#!/bin/sh
# Benchmark (not part of make check): ROWS (default 1,000) outbox rows
# through postdesk-notify to a loopback SMTP server (python3-aiosmtpd),
# once with one SMTP connection reused for the whole run (libcurl keeps
# the session open) and once with a new connection per message.  Each
# run starts from a fresh database, so both include rendering and
# composing.  Every run checks at the sink that each row arrived exactly
# once (one message per row, each row's recipient once).
#
# BENCH_STORE=postgresql instead compares the stores, every run with a
# reused connection: one notifier on SQLite, then one and then two
# notifier processes at once on a throw-away PostgreSQL 15
# (tests/integration/lib-pg.sh: unix socket, synchronous_commit on; the
# notifiers claim with FOR UPDATE SKIP LOCKED).  The three take turns
# BENCH_RUNS times (default 3), so that load from elsewhere falls on
# all alike; the best run of each counts.  Run as root.
#   tests/bench/notify.sh [ROWS]     (from the build directory)
set -eu
ROWS=${1:-1000}
RUNS=${BENCH_RUNS:-3}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
case ${BENCH_STORE:-sqlite} in
sqlite|postgresql) ;;
*) echo "notify.sh: BENCH_STORE is sqlite or postgresql" >&2; exit 1 ;;
esac
if [ "${BENCH_STORE:-sqlite}" = postgresql ]; then
	POSTDESK_TEST_STORE=postgresql
	. "$top_srcdir/tests/integration/lib-pg.sh"
	pg_usable || { echo "notify.sh: BENCH_STORE=postgresql needs root," \
	    "postgresql-15 and runuser" >&2; exit 77; }
	nl_pg_start
fi
PORT=$(free_port)
start_sink sink "$PORT"
k=0

# run STORE NOTIFIERS LABEL [notify options]: prints one line, and the
# rows/s alone in $T/rate.
run() {
	POSTDESK_TEST_STORE=$1 procs=$2 label=$3; shift 3
	k=$((k + 1))
	db=$T/pd-$k.db	# a fresh store (on PostgreSQL: a fresh database)
	mkconf "$T/pd.conf" "$db" support@example.com pd.example.com \
	    "$PORT" </dev/null
	export POSTDESK_CONFIG="$T/pd.conf"
	"$B/postdesk" init >/dev/null
	printf 'From: alice@shop.example\nTo: support@example.com\nSubject: bench\nMessage-ID: <bench@shop.example>\n\nhello\n' |
	    "$B/postdesk-ingest"
	sqlq "$db" "DELETE FROM outbox;
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	    WHERE i < $ROWS) INSERT INTO outbox (ticket_id, message_row,
	    kind, template, recipients, created, updated)
	    SELECT 1, 1, 'staff', 'staff-notification',
	    'staff' || i || '@example.com', 0, 0 FROM n;" >/dev/null
	rm -rf "$T/sink"
	mkdir "$T/sink"
	t0=$(date +%s.%N)
	p=0 pids=
	while [ $p -lt "$procs" ]; do
		p=$((p + 1))
		"$B/postdesk-notify" --once --claimer "bench$p" "$@" &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid" || { echo "notify.sh: a notifier failed" >&2
			exit 1; }
	done
	t1=$(date +%s.%N)
	sent=$(sqlq "$db" "SELECT count(*) FROM outbox WHERE status = 'sent'")
	got=$(count_mail sink)
	once=$(grep -h '^X-Envelope-To: staff' "$T"/sink/*.eml | tr -d '\r' |
	    sort -u | wc -l)
	if [ "$sent" -ne "$ROWS" ] || [ "$got" -ne "$ROWS" ] ||
	    [ "$once" -ne "$ROWS" ]; then
		echo "notify.sh: $label: $sent of $ROWS rows sent, $got" \
		    "messages at the sink for $once recipients" >&2
		exit 1
	fi
	by=
	[ "$procs" -gt 1 ] && by=$(sqlq "$db" "SELECT claimed_by, count(*)
	    FROM outbox GROUP BY claimed_by ORDER BY claimed_by" |
	    tr '\n' ' ')
	awk -v l="$label" -v n="$sent" -v g="$got" -v a="$t0" -v b="$t1" \
	    -v by="$by" -v rate="$T/rate" 'BEGIN {
		printf "%-34s %5d sent, %5d received once each, %6.2f s, " \
		    "%7.1f rows/s%s\n", l, n, g, b - a, n / (b - a),
		    by == "" ? "" : " (rows by claimer: " by ")"
		printf "%.1f\n", n / (b - a) > rate }'
}

if [ "${BENCH_STORE:-sqlite}" = sqlite ]; then
	run sqlite 1 "one connection (reused)"
	run sqlite 1 "new connection per message" --no-reuse
	exit 0
fi
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	echo "run $r of $RUNS:"
	run sqlite 1 "SQLite, 1 notifier"
	cat "$T/rate" >>"$T/s1"
	run postgresql 1 "PostgreSQL, 1 notifier"
	cat "$T/rate" >>"$T/p1"
	run postgresql 2 "PostgreSQL, 2 notifiers"
	cat "$T/rate" >>"$T/p2"
done
best() { sort -n "$1" | tail -1; }
echo "best of $RUNS runs, $ROWS rows each, one reused SMTP connection per notifier:"
printf '  %-28s %8s rows/s\n' "SQLite, 1 notifier" "$(best "$T/s1")" \
    "PostgreSQL, 1 notifier" "$(best "$T/p1")" \
    "PostgreSQL, 2 notifiers" "$(best "$T/p2")"
