#!/bin/sh
# Ingest benchmark (not part of make check).
#
# 1. Delivers N (default 1000) generated ~3 KB messages into a fresh
#    database, one postdesk-ingest process per message as an MTA pipe
#    would, and prints messages/second.  Two in three messages open a
#    ticket; every third is a reply (In-Reply-To, quoted history); one in
#    five is multipart/alternative with an HTML part.
# 2. Does the same with tests/bench/floor.c (read stdin, init GMime,
#    parse, one durable SQLite insert per process; WAL and
#    synchronous=FULL like the store) and prints the ratio
#    postdesk-ingest / floor.  Target: at least 0.6.  The two take
#    turns in blocks of 50 messages, so that load from elsewhere on the
#    machine falls on both alike; the best of BENCH_RUNS runs counts.
#    A third turn runs postdesk-ingest with the shipped rules
#    (filters/default.sieve) and prints what they add (target < 10%).
#    The authentication stage runs in every ingest: each message carries
#    one DKIM signature of example.net (opendkim-genkey, signed with the
#    opendkim binary, tests/integration/lib-dkim.sh), verified from the
#    local key in [auth] dns_records together with SPF and the _dmarc
#    record; the last run checks that every message's verdict is pass.
# 3. Measures the peak RSS of postdesk-ingest for one message with a
#    50 MB attachment.  Target: under 3x the message size.
#
# 4. BENCH_STORE=postgresql adds a turn of postdesk-ingest into a
#    throw-away PostgreSQL 15 (tests/integration/lib-pg.sh: initdb in a
#    temp dir, its own socket dir, a loopback port, user postgres; run
#    as root), reached over its unix socket with synchronous_commit on
#    (the server's default), in the same blocks as the SQLite turns; it
#    prints its msg/s, the ratio PostgreSQL / SQLite (issue 16's goal:
#    within 2x) and its peak RSS for the 50 MB attachment.
#
# Usage: tests/bench/ingest.sh [N]    (from the top of a built tree)
# Environment: BENCH_STORE (sqlite, the default, or postgresql),
# BENCH_RUNS (default 3; the best run counts), BENCH_SPF_DNS
# (1: SPF asks the real DNS, see below), BENCH_DIR
# (where the databases go; default a temp dir under $TMPDIR, which
# should be on a real disk: fsync is what durable costs), top_builddir.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_builddir=${top_builddir:-$(cd "$here/../.." && pwd)}
N=${1:-1000}
RUNS=${BENCH_RUNS:-3}
INGEST="$top_builddir/postdesk-ingest"
PD="$top_builddir/postdesk"

for p in "$INGEST" "$PD"; do
	[ -x "$p" ] || { echo "bench: build first: $p missing" >&2; exit 1; }
done
command -v sqlite3 >/dev/null || { echo "bench: needs sqlite3" >&2; exit 1; }

T=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/postdesk-bench.XXXXXX")}
mkdir -p "$T/msgs"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

# --- BENCH_STORE=postgresql: a throw-away server ------------------------
PG=0
case ${BENCH_STORE:-sqlite} in
sqlite) ;;
postgresql) PG=1 ;;
*) echo "bench: BENCH_STORE is sqlite or postgresql" >&2; exit 1 ;;
esac
if [ $PG = 1 ]; then
	free_port() {
		python3 -c 'import socket; s=socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
	}
	at_exit() { :; }
	# shellcheck source=../integration/lib-pg.sh
	. "$here/../integration/lib-pg.sh"
	pg_usable || { echo "bench: BENCH_STORE=postgresql needs root," \
	    "postgresql-15 and runuser" >&2; exit 77; }
	trap 'pg_stop; rm -rf "$T"' EXIT
	pg_start >"$T/pg-start.out" 2>&1 ||
	    { cat "$T/pg-start.out" >&2; exit 1; }
	_pg psql -X -q -A -t -h "$PG_SOCK" -p "$PG_PORT" -d postdesk \
	    -c 'SHOW synchronous_commit' | grep -qx on ||
	    { echo "bench: synchronous_commit is not on" >&2; exit 1; }
fi
# pgq QUERY: one value from the PostgreSQL store.
pgq() {
	_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" \
	    -d pdbench -c "$1"
}

# --- build the floor --------------------------------------------------
# shellcheck disable=SC2046
gcc -O2 -Wall -o "$T/floor" "$here/floor.c" \
    $(pkg-config --cflags --libs gmime-3.0 sqlite3)
FLOOR="$T/floor"

# --- generate the messages -------------------------------------------
awk -v dir="$T/msgs" -v n="$N" 'BEGIN {
	srand(42)
	words = "printer invoice server account password license backup " \
	    "network error update the a of to and is not since yesterday " \
	    "please could you check our we have again after restart mail"
	nw = split(words, w, " ")
	for (i = 1; i <= n; i++) {
		f = sprintf("%s/%05d.eml", dir, i)
		reply = (i % 3 == 0)
		# A reply comes from the customer who wrote the original.
		c = (reply ? i - 1 : i) % 50
		alt = (i % 5 == 0)
		printf "Return-Path: <customer%d@example.net>\n", c > f
		printf "Received: from mail.example.net (mail.example.net " \
		    "[192.0.2.%d])\n\tby mx.helpdesk.test (Postfix) with " \
		    "ESMTPS id %08X\n\tfor <support@helpdesk.test>; " \
		    "Mon, 23 Nov 2026 10:%02d:%02d +0000 (UTC)\n", \
		    c + 1, i, i % 60, i % 60 > f
		printf "From: Customer %d <customer%d@example.net>\n", c, c > f
		printf "To: Support <support@helpdesk.test>\n" > f
		printf "Date: Mon, 23 Nov 2026 10:%02d:%02d +0000\n", \
		    i % 60, i % 60 > f
		printf "Message-ID: <bench.%d.%d@example.net>\n", i, c > f
		if (reply) {
			printf "Subject: Re: Problem number %d\n", i - 1 > f
			printf "In-Reply-To: <bench.%d.%d@example.net>\n", \
			    i - 1, c > f
			printf "References: <bench.%d.%d@example.net>\n", \
			    i - 1, c > f
		} else
			printf "Subject: Problem number %d\n", i > f
		printf "MIME-Version: 1.0\n" > f
		if (alt) {
			printf "Content-Type: multipart/alternative; " \
			    "boundary=\"b%d\"\n\n--b%d\n", i, i > f
		}
		printf "Content-Type: text/plain; charset=utf-8\n" > f
		printf "Content-Transfer-Encoding: 8bit\n\n" > f
		text = ""
		while (length(text) < (alt ? 1100 : 2200)) {
			line = ""
			while (length(line) < 66)
				line = line w[int(rand() * nw) + 1] " "
			text = text line "\n"
		}
		printf "%s", text > f
		if (reply) {
			printf "\nOn Mon, 23 Nov 2026, Customer %d wrote:\n", \
			    c > f
			for (k = 0; k < 8; k++)
				printf "> %s earlier text line %d\n", \
				    w[k + 1], k > f
		}
		printf "-- \nCustomer %d, Example Net\n", c > f
		if (alt) {
			printf "\n--b%d\nContent-Type: text/html; " \
			    "charset=utf-8\n\n<html><body><p>", i > f
			gsub(/\n/, "</p>\n<p>", text)
			printf "%s</p></body></html>\n--b%d--\n", text, i > f
		}
		close(f)
	}
}'
# --- sign them: one DKIM signature each ------------------------------
# shellcheck source=../integration/lib-dkim.sh
. "$here/../integration/lib-dkim.sh"
dkim_keygen "$T/dkim" example.net bench >"$T/dns.txt"
for m in "$T"/msgs/*.eml; do
	dkim_sign "$T/dkim" example.net bench <"$m" | tr -d '\r' >"$m.s"
	mv "$m.s" "$m"
done
size=$(cat "$T"/msgs/*.eml | wc -c)
printf 'messages: %d, %d bytes on average\n' "$N" $((size / N))

# The SPF check of each message (--client-ip), the DKIM key and the
# _dmarc record answer from local records, so the figure is postdesk's
# work and not this machine's DNS (BENCH_SPF_DNS=1 asks the real DNS
# instead; the signatures then find no key).
printf '%s\n' "example.net v=spf1 ip4:192.0.2.0/24 -all" \
    "_dmarc.example.net v=DMARC1; p=reject" >>"$T/dns.txt"
spf="dns_records = $T/dns.txt"
[ "${BENCH_SPF_DNS:-0}" = 1 ] && spf=""
cat > "$T/postdesk.conf" <<EOF
[store]
path = $T/postdesk.db
[mail]
address = support@helpdesk.test
subject_tag = Support
host = helpdesk.test
max_message_size = 100M
[auth]
$spf
EOF
# The same with the shipped rules (issue 3: they should add < 10%).
sed "s|^path = .*|path = $T/rules.db|" "$T/postdesk.conf" > "$T/rules.conf"
printf '[rules]\nscripts = %s\n' "$here/../../filters/default.sieve" \
    >> "$T/rules.conf"
# The same on PostgreSQL: [store] url instead of path.
[ $PG = 1 ] && sed "s|^path = .*|url = host=$PG_SOCK port=$PG_PORT user=postgres dbname=pdbench|" \
    "$T/postdesk.conf" > "$T/pg.conf"

now() { date +%s%N; }

# Blocks of 50 messages, floor and postdesk-ingest taking turns, so that
# both see the same machine: other load comes and goes.
( cd "$T/msgs" && ls ) | split -l 50 - "$T/block."

# run_block BLOCK CMD...: delivers the block's messages with CMD, one
# process each; prints the elapsed nanoseconds.
run_block() {
	blk=$1; shift
	t0=$(now)
	while IFS= read -r m; do
		"$@" < "$T/msgs/$m" ||
		    { echo "bench: $* failed on $m" >&2; exit 1; }
	done < "$blk"
	t1=$(now)
	echo $((t1 - t0))
}

fresh_dbs() {
	rm -f "$T"/postdesk.db* "$T"/floor.db* "$T"/rules.db*
	"$PD" --config "$T/postdesk.conf" init >/dev/null
	"$PD" --config "$T/rules.conf" init >/dev/null
	"$FLOOR" "$T/floor.db" init
	if [ $PG = 1 ]; then
		_pg "$PG_BIN/dropdb" -h "$PG_SOCK" -p "$PG_PORT" --if-exists \
		    pdbench 2>/dev/null
		_pg "$PG_BIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" pdbench
		"$PD" --config "$T/pg.conf" init >/dev/null
	fi
}

best_ingest=0
best_floor=0
best_rules=0
best_pg=0
r=0
while [ $r -lt "$RUNS" ]; do
	r=$((r + 1))
	fresh_dbs
	ins=0
	fns=0
	rns=0
	pns=0
	for blk in "$T"/block.*; do
		x=$(run_block "$blk" "$FLOOR" "$T/floor.db")
		fns=$((fns + x))
		x=$(run_block "$blk" "$INGEST" --config "$T/postdesk.conf" \
		    --sender customer@example.net \
		    --recipient support@helpdesk.test --client-ip 192.0.2.1)
		ins=$((ins + x))
		x=$(run_block "$blk" "$INGEST" --config "$T/rules.conf" \
		    --sender customer@example.net \
		    --recipient support@helpdesk.test --client-ip 192.0.2.1)
		rns=$((rns + x))
		[ $PG = 1 ] || continue
		x=$(run_block "$blk" "$INGEST" --config "$T/pg.conf" \
		    --sender customer@example.net \
		    --recipient support@helpdesk.test --client-ip 192.0.2.1)
		pns=$((pns + x))
	done
	[ $best_pg -eq 0 ] || [ "$pns" -lt $best_pg ] && best_pg=$pns
	[ $best_rules -eq 0 ] || [ "$rns" -lt $best_rules ] && best_rules=$rns
	[ $best_floor -eq 0 ] || [ "$fns" -lt $best_floor ] && best_floor=$fns
	[ $best_ingest -eq 0 ] || [ "$ins" -lt $best_ingest ] && best_ingest=$ins
	printf 'run %d of %d: postdesk-ingest %d ms, floor %d ms' $r "$RUNS" \
	    $((ins / 1000000)) $((fns / 1000000))
	[ $PG = 1 ] && printf ', postdesk-ingest on PostgreSQL %d ms' \
	    $((pns / 1000000))
	echo
done

# The last ingest run must have stored everything, threaded as built.
stored=$(sqlite3 "$T/postdesk.db" "SELECT count(*) FROM messages")
tickets=$(sqlite3 "$T/postdesk.db" "SELECT count(*) FROM tickets")
want_tickets=$((N - N / 3))
floor_rows=$(sqlite3 "$T/floor.db" "SELECT count(*) FROM messages")
passed=$(sqlite3 "$T/postdesk.db" "SELECT count(*) FROM messages
    WHERE auth_verdict = 'pass' AND auth LIKE '%dkim: pass d=example.net%'")
if [ "${BENCH_SPF_DNS:-0}" != 1 ] && [ "$passed" -ne "$N" ]; then
	echo "bench: $passed of $N messages have the verdict pass (DKIM)" >&2
	exit 1
fi
if [ "$stored" -ne "$N" ] || [ "$tickets" -ne $want_tickets ] ||
    [ "$floor_rows" -ne "$N" ]; then
	echo "bench: stored $stored messages in $tickets tickets (want $N" \
	    "in $want_tickets), floor stored $floor_rows" >&2
	exit 1
fi
if [ $PG = 1 ]; then
	stored=$(pgq "SELECT count(*) FROM messages")
	tickets=$(pgq "SELECT count(*) FROM tickets")
	passed=$(pgq "SELECT count(*) FROM messages WHERE auth_verdict =
	    'pass' AND auth LIKE '%dkim: pass d=example.net%'")
	if [ "$stored" -ne "$N" ] || [ "$tickets" -ne $want_tickets ] || {
	    [ "${BENCH_SPF_DNS:-0}" != 1 ] && [ "$passed" -ne "$N" ]; }; then
		echo "bench: PostgreSQL stored $stored messages in $tickets" \
		    "tickets, $passed pass (want $N in $want_tickets)" >&2
		exit 1
	fi
fi

awk -v n="$N" -v a="$best_ingest" -v b="$best_floor" -v c="$best_rules" 'BEGIN {
	ri = n / (a / 1e9); rf = n / (b / 1e9)
	printf "postdesk-ingest: %d messages in %.2f s = %.1f msg/s " \
	    "(%.2f ms each)\n", n, a / 1e9, ri, a / 1e6 / n
	printf "floor:           %d messages in %.2f s = %.1f msg/s " \
	    "(%.2f ms each)\n", n, b / 1e9, rf, b / 1e6 / n
	printf "ratio ingest/floor: %.2f (target >= 0.60; best of each; " \
	    "ingest with SPF, one DKIM signature and DMARC)\n", ri / rf
	printf "with the shipped rules: %.2f ms each, %+.1f%% per message " \
	    "(target < 10%%)\n", c / 1e6 / n, (c - a) * 100 / a
}'
[ $PG = 1 ] && awk -v n="$N" -v a="$best_ingest" -v p="$best_pg" 'BEGIN {
	printf "postdesk-ingest on PostgreSQL: %d messages in %.2f s = " \
	    "%.1f msg/s (%.2f ms each)\n", n, p / 1e9, n / (p / 1e9), p / 1e6 / n
	printf "ratio PostgreSQL/SQLite time per message: %.2f (goal <= 2.00;" \
	    " unix socket, synchronous_commit on; same blocks, best of each)\n",
	    p / a
}'

# --- peak RSS with a 50 MB attachment ----------------------------------
big="$T/big.eml"
{
	printf 'From: Customer <customer@example.net>\n'
	printf 'To: support@helpdesk.test\nSubject: the database dump\n'
	printf 'Message-ID: <bench.big@example.net>\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="big"\n\n--big\n'
	printf 'Content-Type: text/plain\n\nHere is the dump you asked for.\n'
	printf '\n--big\nContent-Type: application/octet-stream\n'
	printf 'Content-Disposition: attachment; filename="dump.bin"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	head -c 52428800 /dev/urandom | base64 -w 76
	printf '\n--big--\n'
} > "$big"
bigsize=$(wc -c < "$big")

# peak_rss_kb CMD...: the child's maximum resident set size in kB.
peak_rss_kb() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v "$@" < "$big" 2>"$T/time.out" >/dev/null ||
		    { cat "$T/time.out" >&2; exit 1; }
		sed -n 's/.*Maximum resident set size (kbytes): //p' \
		    "$T/time.out"
	else
		# No time(1): getrusage() of the finished child.
		python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[2:], stdin=open(sys.argv[1], "rb"),
               stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$big" "$@"
	fi
}
fresh_dbs
rss=$(peak_rss_kb "$INGEST" --config "$T/postdesk.conf")
frss=$(peak_rss_kb "$FLOOR" "$T/floor.db")
awk -v s="$bigsize" -v r="$rss" -v f="$frss" 'BEGIN {
	printf "50 MB attachment: message %.1f MB; peak RSS " \
	    "postdesk-ingest %.1f MB = %.2fx the message (target < 3x), " \
	    "floor %.1f MB = %.2fx\n", s / 1048576, r / 1024,
	    r * 1024 / s, f / 1024, f * 1024 / s
}'
if [ $PG = 1 ]; then
	prss=$(peak_rss_kb "$INGEST" --config "$T/pg.conf")
	[ "$(pgq "SELECT count(*) FROM messages
	    WHERE message_id = 'bench.big@example.net'")" -eq 1 ] ||
	    { echo "bench: PostgreSQL did not store the 50 MB message" >&2
	    exit 1; }
	awk -v s="$bigsize" -v r="$prss" 'BEGIN {
	printf "50 MB attachment on PostgreSQL: peak RSS postdesk-ingest " \
	    "%.1f MB = %.2fx the message (target < 3x)\n", r / 1024,
	    r * 1024 / s }'
fi
