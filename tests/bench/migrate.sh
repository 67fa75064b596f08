#!/bin/sh
# Benchmark of postdesk migrate --to URL (not part of make check):
#   tests/bench/migrate.sh [TICKETS [MESSAGES_PER_TICKET [BLOB_MB]]]
# Fills a SQLite store with tests/bench/fill-web (default 20,000 tickets
# of 5 messages: 100,000 messages), adds one message with a BLOB_MB
# (default 20) attachment, starts a throw-away PostgreSQL 15
# (tests/integration/lib-pg.sh: run as root), migrates into it under
# /usr/bin/time -v and prints rows copied, seconds, rows/s and the peak
# RSS of the migrate process.  BENCH_DB reuses a filled database.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
tickets=${1:-20000}
per=${2:-5}
blob_mb=${3:-20}
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-pg.sh"
pg_usable || { echo "migrate.sh: needs root, postgresql-15, runuser" >&2
	exit 77; }
db=${BENCH_DB:-$T/bench.db}

make -C "$top_builddir" -s postdesk postdesk-ingest tests/bench/fill-web
cat >"$T/pd.conf" <<CONF
[store]
path = $db
[mail]
address = support@example.com
max_message_size = 128M
CONF
export POSTDESK_CONFIG="$T/pd.conf"
if [ ! -s "$db" ]; then
	start=$(date +%s)
	"$top_builddir/tests/bench/fill-web" "$db" "$tickets" "$per"
	python3 - "$blob_mb" >"$T/big.eml" <<'PY'
import base64, os, sys
n = int(sys.argv[1]) * 1024 * 1024
sys.stdout.write("From: big@example.com\nTo: support@example.com\n"
    "Subject: bench: a large attachment\n"
    "Message-ID: <bench-migrate-big@example.com>\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
    "Content-Type: text/plain\n\nthe log is attached\n--b\n"
    "Content-Type: application/octet-stream; name=log.bin\n"
    "Content-Transfer-Encoding: base64\n\n")
sys.stdout.write(base64.encodebytes(os.urandom(n)).decode())
sys.stdout.write("--b--\n")
PY
	"$top_builddir/postdesk-ingest" <"$T/big.eml"
	echo "filled $db: $tickets tickets x $per messages + one" \
	    "$blob_mb MB attachment in $(( $(date +%s) - start )) s" \
	    "($(du -h "$db" | cut -f1))"
fi
pg_start >"$T/pg-start.out" 2>&1 || { cat "$T/pg-start.out"; exit 1; }

start=$(date +%s.%N)
/usr/bin/time -v "$top_builddir/postdesk" migrate --to "$PG_CONNINFO" \
    >"$T/out" 2>"$T/time"
end=$(date +%s.%N)
cat "$T/out"
rows=$(awk 'NR > 1 { n += $2 } END { print n }' "$T/out")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
echo "$end $start $rows $rss" | awk -v mb="$blob_mb" '{
	s = $1 - $2
	printf "migrate: %d rows in %.1f s, %.0f rows/s, peak RSS %.1f MiB" \
	    " (largest blob %d MB)\n", $3, s, $3 / s, $4 / 1024, mb }'
