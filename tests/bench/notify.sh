#!/bin/sh
# Benchmark (not part of make check): 1,000 outbox rows through
# postdesk-notify to a loopback SMTP server (python3-aiosmtpd), once
# with one SMTP connection reused for the whole run (libcurl keeps the
# session open) and once with a new connection per message.  Each run
# starts from a fresh database, so both include rendering and composing.
#   tests/bench/notify.sh [ROWS]     (from the build directory)
set -eu
ROWS=${1:-1000}
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-.}
. "$top_srcdir/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
PORT=$(free_port)
start_sink sink "$PORT"

run() {	# run LABEL [notify options]
	label=$1; shift
	rm -f "$T/pd.db" "$T/pd.db-wal" "$T/pd.db-shm"
	mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com \
	    "$PORT" </dev/null
	export POSTDESK_CONFIG="$T/pd.conf"
	"$B/postdesk" init >/dev/null
	printf 'From: alice@shop.example\nTo: support@example.com\nSubject: bench\nMessage-ID: <bench@shop.example>\n\nhello\n' |
	    "$B/postdesk-ingest"
	sqlite3 "$T/pd.db" "DELETE FROM outbox;
	    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
	    WHERE i < $ROWS) INSERT INTO outbox (ticket_id, message_row,
	    kind, template, recipients, created, updated)
	    SELECT 1, 1, 'staff', 'staff-notification',
	    'staff' || i || '@example.com', 0, 0 FROM n;"
	before=$(count_mail sink)
	t0=$(date +%s.%N)
	"$B/postdesk-notify" --once "$@"
	t1=$(date +%s.%N)
	sent=$(sqlite3 "$T/pd.db" "SELECT count(*) FROM outbox WHERE status='sent'")
	got=$(( $(count_mail sink) - before ))
	awk -v l="$label" -v n="$sent" -v g="$got" -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%-28s %5d sent, %5d received, %6.2f s, %7.1f messages/s\n", l, n, g, b - a, n / (b - a) }'
}

run "one connection (reused)"
run "new connection per message" --no-reuse
