#!/bin/sh
# Benchmark of postdesk.cgi on SQLite and on PostgreSQL side by side
# (not part of make check; run as root):
#   tests/bench/web-pg.sh [TICKETS [MESSAGES_PER_TICKET [RUNS [ROUNDS]]]]
# 1. tests/bench/web.sh on the SQLite database BENCH_DB (filled there by
#    fill-web if empty: default 200,000 tickets of 5 messages; web.sh adds
#    its ticket with a 20 MB message), RUNS (default 50) times a request.
# 2. Starts a throw-away PostgreSQL 15 (tests/integration/lib-pg.sh:
#    initdb in a temp dir, own socket dir, loopback port, user postgres,
#    server defaults: synchronous_commit on), copies BENCH_DB into it
#    with `postdesk migrate --to` under /usr/bin/time -v (rows, seconds,
#    rows/s, peak RSS), checks that every table's count matches
#    (migrate's own table, and messages/tickets/blobs by sqlite3 and
#    psql), then runs ANALYZE (migrate leaves the statistics to
#    autovacuum; timed on its own).
# 3. web.sh against the PostgreSQL store over the unix socket
#    (BENCH_URL), then SQLite and PostgreSQL again, ROUNDS (default 2)
#    turns of each back to back, so that load from elsewhere falls on
#    both alike.  Prints each round and a table of both stores side by
#    side (the best median and the best p95 over the rounds).
# The database files go under $TMPDIR (BENCH_DB's directory is a good
# choice: the PostgreSQL copy takes about as much room again).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
tickets=${1:-200000}
per=${2:-5}
runs=${3:-50}
rounds=${4:-2}
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-pg.sh"
pg_usable || { echo "web-pg.sh: needs root, postgresql-15, runuser" >&2
	exit 77; }
[ -x /usr/bin/time ] || { echo "web-pg.sh: needs /usr/bin/time" >&2
	exit 77; }
db=${BENCH_DB:-$T/bench.db}
web="$top_srcdir/tests/bench/web.sh"
export top_srcdir top_builddir

# web STORE ROUND: one web.sh run; its table in $T/STORE.ROUND.
webrun() {
	echo "--- round $2: $1"
	if [ "$1" = sqlite ]; then
		BENCH_DB=$db sh "$web" "$tickets" "$per" "$runs" >"$T/$1.$2"
	else
		BENCH_URL=$PG_CONNINFO sh "$web" "$tickets" "$per" "$runs" \
		    >"$T/$1.$2"
	fi
	cat "$T/$1.$2"
}

webrun sqlite 1
pg_start >"$T/pg-start.out" 2>&1 || { cat "$T/pg-start.out"; exit 1; }
psq() { _pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" \
	-p "$PG_PORT" -d postdesk -c "$1"; }
echo "PostgreSQL: synchronous_commit $(psq 'SHOW synchronous_commit')," \
    "shared_buffers $(psq 'SHOW shared_buffers'), socket $PG_SOCK"

cat >"$T/pd.conf" <<CONF
[store]
path = $db
CONF
start=$(date +%s.%N)
POSTDESK_CONFIG="$T/pd.conf" /usr/bin/time -v "$top_builddir/postdesk" \
    migrate --to "$PG_CONNINFO" >"$T/migrate.out" 2>"$T/migrate.time" || {
	cat "$T/migrate.out" "$T/migrate.time"; exit 1; }
end=$(date +%s.%N)
cat "$T/migrate.out"
rows=$(awk 'NR > 1 { n += $2 } END { print n }' "$T/migrate.out")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/migrate.time")
echo "$end $start $rows $rss" | awk '{ s = $1 - $2
	printf "migrate: %d rows in %.1f s, %.0f rows/s, peak RSS %.1f MiB\n",
	    $3, s, $3 / s, $4 / 1024 }'
# The counts migrate printed must match, and so must ours.
awk 'NR > 1 && $2 != $3 { print "web-pg.sh: " $1 " differs"; bad = 1 }
    END { exit bad }' "$T/migrate.out"
for t in tickets messages blobs events outbox; do
	a=$(sqlite3 "$db" "SELECT count(*) FROM $t")
	b=$(psq "SELECT count(*) FROM $t")
	[ "$a" = "$b" ] || { echo "web-pg.sh: $t: $a in SQLite, $b in" \
	    "PostgreSQL" >&2; exit 1; }
	printf '%s %s = %s; ' "$t" "$a" "$b"
done
echo "counts match"
start=$(date +%s)
psq ANALYZE
echo "ANALYZE: $(( $(date +%s) - start )) s;" \
    "PostgreSQL database $(psq "SELECT pg_size_pretty(pg_database_size('postdesk'))")," \
    "SQLite file $(du -h "$db" | cut -f1)"

webrun postgresql 1
r=1
while [ $r -lt "$rounds" ]; do
	r=$((r + 1))
	webrun sqlite $r
	webrun postgresql $r
done

echo "=== side by side: $tickets tickets x $per messages, $runs runs a" \
    "request, best of $rounds rounds (ms)"
# Each web.sh table: a header line, then "NAME  MEDIAN  P95".
for s in sqlite postgresql; do
	cat "$T/$s".* | awk -v s="$s" 'NR > 0 && $NF ~ /^[0-9.]+$/ {
		name = $0; sub(/[ ]+[0-9.]+[ ]+[0-9.]+$/, "", name)
		m = $(NF - 1); p = $NF
		if (!(name in bm) || m < bm[name]) bm[name] = m
		if (!(name in bp) || p < bp[name]) bp[name] = p
	} END { for (n in bm) printf "%s\t%s\t%s\t%s\n", s, n, bm[n], bp[n] }'
done >"$T/best"
printf '%-40s %9s %9s %9s %9s\n' request "SQLite" "" "PG" ""
printf '%-40s %9s %9s %9s %9s\n' "" median p95 median p95
sed '0,/^request /d' "$T/sqlite.1" | sed 's/ *[0-9.][0-9.]* *[0-9.][0-9.]*$//' |
while IFS= read -r name; do
	awk -F '\t' -v n="$name" '$2 == n { v[$1] = $3 "\t" $4 }
	    END { split(v["sqlite"], a, "\t"); split(v["postgresql"], b, "\t")
		printf "%-40s %9s %9s %9s %9s\n", n, a[1], a[2], b[1], b[2] }' \
	    "$T/best"
done
