#!/bin/sh
# Two "hosts" on one PostgreSQL database (issue 16 §5): two configs with
# their own state directories, one [store] url (a throw-away PostgreSQL
# 15, lib-pg.sh), two ingest loops and two postdesk-notify --watch
# delivering to one real SMTP sink (smtp-sink.py).  Each host gets
# POSTDESK_TWOHOST_N messages (default 500, a multiple of 10): first
# the new tickets, a tenth of them sent to both hosts at once (an MTA
# retry on the other MX), then two replies to each ticket, one per host,
# racing.  A delivery that exits 75 is retried, as the MTA would.
# Checks: 0 lost, 0 duplicated, one ticket per original with unique
# numbers from one sequence, every reply in its original's ticket, every
# outbox row sent exactly once (counted at the sink).  Figures go out as
# TAP comments.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-pg.sh"

env -u PG_CONNINFO "$top_builddir/tests/integration/db-pg-check" \
    >/dev/null 2>&1
[ $? -ne 77 ] || {
	echo "1..1"; echo "ok 1 # SKIP built without PostgreSQL"; exit 0; }
pg_usable || {
	echo "1..1"; echo "ok 1 # SKIP needs root, postgresql-15, runuser"
	exit 0; }
N=${POSTDESK_TWOHOST_N:-500}
[ $((N % 10)) -eq 0 ] && [ "$N" -gt 0 ] || {
	echo "Bail out! POSTDESK_TWOHOST_N=$N: a multiple of 10"; exit 1; }
O=$((N * 3 / 5))		# originals: O, replies: 2 O
U=$((O * 3))			# unique messages: 2 N - N / 5
plan 12
PY=/usr/bin/python3
NOTIFY="$top_builddir/postdesk-notify"

pg_start >"$T/pg-start.out" 2>&1 || {
	echo "Bail out! PostgreSQL did not start"; cat "$T/pg-start.out"
	exit 1; }
psqlq() { runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 \
    -h "$PG_SOCK" -p "$PG_PORT" -d postdesk -c "$1"; }

# --- the sink, the two hosts -------------------------------------------------
SINK_PORT=$(free_port)
mkdir -p "$T/sink"
$PY "$top_srcdir/tests/integration/smtp-sink.py" --port "$SINK_PORT" \
    --dir "$T/sink" --pidfile "$T/sink.pid" &
at_exit 'kill "$(cat "$T/sink.pid" 2>/dev/null)" 2>/dev/null'
i=0
until [ -s "$T/sink.pid" ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
for h in a b; do
	mkdir -p "$T/$h"
	cat >"$T/$h/postdesk.conf" <<CONF
[store]
path = $T/$h/postdesk.db
url = $PG_CONNINFO
[mail]
address = support@helpdesk.example
subject_tag = Support
host = helpdesk.example
token_key = one-key-for-both-hosts
[templates]
dir = $top_srcdir/templates
[notify]
smtp_url = smtp://127.0.0.1:$SINK_PORT
retry_base = 1
timeout = 10
poll_interval = 1
[staff]
addresses = staff@helpdesk.example
CONF
done
# Both hosts at once: one creates the schema, the other waits for it.
"$PD" -c "$T/a/postdesk.conf" init >"$T/init.a" 2>&1 &
pa=$!
"$PD" -c "$T/b/postdesk.conf" init >"$T/init.b" 2>&1
rb=$?
wait $pa
ok "$([ $? = 0 ] && [ $rb = 0 ]; echo $?)" \
    "postdesk init on both hosts at once"

# --- the mail --------------------------------------------------------------
# Host a: odd originals and the even ones k % 6 == 0 (also sent to b);
# host b: even originals and the odd ones k % 6 == 3 (also sent to a);
# replies k.1 to a, k.2 to b.  Lists in k order, so the copies race.
$PY - "$T" "$O" <<'PY'
import os, sys
t, o = sys.argv[1], int(sys.argv[2])
def orig(k):
    return ("From: c%d@customer.example\nTo: support@helpdesk.example\n"
        "Subject: problem %d\nMessage-ID: <o.%d@customer.example>\n"
        "Date: Fri, 04 Dec 2026 10:00:00 +0000\n\nhelp with %d\n"
        % (k, k, k, k))
def reply(k, j):
    return ("From: c%d@customer.example\nTo: support@helpdesk.example\n"
        "Subject: Re: problem %d\nMessage-ID: <r.%d.%d@customer.example>\n"
        "In-Reply-To: <o.%d@customer.example>\n"
        "References: <o.%d@customer.example>\n"
        "Date: Fri, 04 Dec 2026 11:00:00 +0000\n\nmore about %d (%d)\n"
        % (k, k, k, j, k, k, k, j))
for h in "ab":
    os.makedirs(os.path.join(t, h, "in"), exist_ok=True)
lists = {"a1": [], "b1": [], "a2": [], "b2": []}
def put(h, phase, name, text):
    p = os.path.join(t, h, "in", name)
    with open(p, "w") as f:
        f.write(text)
    lists[h + phase].append(p)
for k in range(1, o + 1):
    if k % 2 == 1 or k % 6 == 0:
        put("a", "1", "o.%d" % k, orig(k))
    if k % 2 == 0 or k % 6 == 3:
        put("b", "1", "o.%d" % k, orig(k))
for k in range(1, o + 1):
    put("a", "2", "r.%d.1" % k, reply(k, 1))
    put("b", "2", "r.%d.2" % k, reply(k, 2))
for name, l in lists.items():
    with open(os.path.join(t, name + ".list"), "w") as f:
        f.write("\n".join(l) + "\n")
PY
check_eq "each host gets $N messages" "$N $N" \
    "$(($(wc -l <"$T/a1.list") + $(wc -l <"$T/a2.list"))) $(($(wc -l \
    <"$T/b1.list") + $(wc -l <"$T/b2.list")))"

# ingest_loop HOST LIST: every file into HOST's ingest; 75 is retried
# up to 50 times (an MTA's queue).  Appends "exit-status" per delivery
# to $T/HOST.rc and one line per retry to $T/HOST.retries.
ingest_loop() {
	while read -r f; do
		tries=0
		while :; do
			"$PD_INGEST" -c "$T/$1/postdesk.conf" \
			    --sender "$(sed -n 's/^From: //p' "$f")" \
			    --recipient support@helpdesk.example <"$f" \
			    >/dev/null 2>>"$T/$1.err"
			rc=$?
			[ $rc = 75 ] && [ $tries -lt 50 ] || break
			tries=$((tries + 1))
			echo "$f" >>"$T/$1.retries"
		done
		echo "$rc" >>"$T/$1.rc"
	done <"$2"
}

: >"$T/a.retries"; : >"$T/b.retries"
"$NOTIFY" -c "$T/a/postdesk.conf" --watch --claimer host-a >"$T/notify.a" 2>&1 &
NA=$!
"$NOTIFY" -c "$T/b/postdesk.conf" --watch --claimer host-b >"$T/notify.b" 2>&1 &
NB=$!
at_exit "kill $NA $NB 2>/dev/null"
start=$(date +%s)
for phase in 1 2; do
	ingest_loop a "$T/a$phase.list" & la=$!
	ingest_loop b "$T/b$phase.list" & lb=$!
	wait $la $lb
done
ingested=$(date +%s)
check_eq "every delivery exits 0 in the end (none lost to the MTA)" \
    "0 $((2 * N))" "$(cat "$T/a.rc" "$T/b.rc" | grep -vcx 0) $(cat \
    "$T/a.rc" "$T/b.rc" | wc -l | tr -d ' ')"

# --- the store ---------------------------------------------------------------
check_eq "inbound messages: $U, none lost, none twice" "$U $U" \
    "$(psqlq "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM
    messages WHERE direction = 'in'")"
check_eq "tickets: one per original ($O), numbers unique" "$O $O" \
    "$(psqlq "SELECT count(*) || ' ' || count(DISTINCT id) FROM tickets")"
check_eq "every ticket holds its original and its two replies" 0 \
    "$(psqlq "SELECT count(*) FROM (SELECT ticket_id FROM messages
    WHERE direction = 'in' GROUP BY ticket_id HAVING count(*) <> 3) x")"
check_eq "every reply is in its original's ticket" "$((2 * O)) 0" \
    "$(psqlq "SELECT count(*) || ' ' || count(*) FILTER (WHERE
    r.ticket_id <> o.ticket_id) FROM messages r JOIN messages o ON
    o.message_id = 'o.' || split_part(r.message_id, '.', 2) ||
    '@customer.example' WHERE r.message_id LIKE 'r.%'")"
check_eq "ticket numbers come from one sequence: none past the identity's" \
    "t" "$(psqlq "SELECT max(id) <= (SELECT last_value FROM tickets_id_seq)
    AND pg_get_serial_sequence('tickets', 'id') = 'public.tickets_id_seq'
    FROM tickets")"

# --- the notifications ----------------------------------------------------
drained() {
	[ "$(psqlq "SELECT count(*) FROM outbox WHERE status IN
	    ('pending', 'sending')")" = 0 ] &&
	    [ "$(find "$T/sink" -name '*.eml' | wc -l)" -ge \
	    "$(psqlq "SELECT count(*) FROM outbox WHERE status = 'sent'")" ]
}
deadline=$(($(date +%s) + 300))
until drained || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.2; done
drained_at=$(date +%s)
kill "$NA" "$NB" 2>/dev/null
wait "$NA" "$NB" 2>/dev/null
ROWS=$(psqlq "SELECT count(*) FROM outbox")
SENT=$(psqlq "SELECT count(*) FROM outbox WHERE status = 'sent'")
AT_SINK=$(find "$T/sink" -name '*.eml' | wc -l | tr -d ' ')
check_eq "the outbox drained: every row sent, none failed" "$ROWS $ROWS" \
    "$ROWS $SENT"
check_eq "the sink got each row once: as many mails as sent rows" \
    "$SENT" "$AT_SINK"
for f in "$T"/sink/*.eml; do hdr=$(grep -i -m1 '^Message-ID:' "$f")
	echo "${hdr#*: }"; done | tr -d '\r' | sort >"$T/sink.ids"
check_eq "no Message-ID twice at the sink" "" "$(uniq -d "$T/sink.ids")"
by=$(psqlq "SELECT count(DISTINCT claimed_by) FROM outbox")
check "both notifiers sent rows (claimed_by: $by notifiers)" test "$by" = 2

# --- figures -----------------------------------------------------------------
secs=$((ingested - start)); [ $secs -gt 0 ] || secs=1
echo "# deliveries: $((2 * N)) ($N per host), unique messages $U," \
    "tickets $O, duplicates $((N / 5))"
echo "# ingest: $secs s for both loops, $(( 2 * N / secs )) deliveries/s;" \
    "retries after 75: a $(wc -l <"$T/a.retries"), b $(wc -l \
    <"$T/b.retries")"
echo "# outbox: $ROWS rows, $AT_SINK mails at the sink, drained" \
    "$((drained_at - ingested)) s after the last ingest"
psqlq "SELECT claimed_by || ': ' || count(*) FROM outbox GROUP BY
    claimed_by ORDER BY 1" | sed 's/^/# sent by /'
echo "# ticket ids $(psqlq "SELECT min(id) || '..' || max(id) || ', ' ||
    (max(id) - min(id) + 1 - count(*)) || ' numbers skipped' FROM tickets")"
# What the server refused (the races behind the retries), by kind.
sed -n 's/.*ERROR: *//p' "$PG_DIR/server.log" |
    sort | uniq -c | sed 's/^ */# server error: /'
