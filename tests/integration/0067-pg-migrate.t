#!/bin/sh
# postdesk migrate --to URL: a quick-start SQLite store (the bundled
# sample mail, a staff reply with a 20 MB attachment (read and written
# in 16 MB pieces), a merge into a later ticket, events, outbox rows)
# copied into a throw-away PostgreSQL 15 (lib-pg.sh).  Pointed at the
# url, list and show --json print what they printed on SQLite, every
# blob has its bytes, and the next ingest gets the next ids.  On a
# terminal (script(1)) it draws a progress line with an ETA.  Then
# postdesk backup on PostgreSQL prints a pg_dump command (without the
# password) that works.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-pg.sh"
# The source is SQLite whichever pass runs this test.
POSTDESK_TEST_STORE=sqlite

env -u PG_CONNINFO "$top_builddir/tests/integration/db-pg-check" \
    >/dev/null 2>&1
[ $? -ne 77 ] || {
	echo "1..0 # SKIP built without ./configure --with-postgresql"
	exit 0; }
pg_usable || {
	echo "1..0 # SKIP needs root, postgresql-15 and runuser"; exit 0; }
plan 24
S=$top_srcdir
DB=$T/postdesk.db
make_config </dev/null
SQLITE_CONF=$POSTDESK_CONFIG
ing() { "$PD_INGEST" --sender "$1" --recipient support@helpdesk.example; }

# --- the quick-start store ------------------------------------------------
for f in 01-store-down 02-alice-followup 03-licence-question \
    04-tagged-reply 05-html-only; do
	ing alice@shop.example <"$S/tests/data/sample/$f.eml" ||
	    echo "# ingest $f: exit $?"
done
ing bob@example.com <"$S/tests/data/mail/0032-attachments-rfc2231.eml"
head -c 20000000 /dev/urandom >"$T/big.bin"
printf 'Here is the log.\n' | "$PD" reply 1 --from staff@helpdesk.example \
    --attach "$T/big.bin" >/dev/null || echo "# reply: exit $?"
printf 'Internal: known issue.\n' | "$PD" comment 1 \
    --from bob@helpdesk.example >/dev/null || echo "# comment: exit $?"
N=$(sqlite3 "$DB" "SELECT max(id) FROM tickets")
# Ticket 2 merged into the last one: a reference to a later row.
"$PD" merge "$N" 2 >/dev/null || echo "# merge: exit $?"
"$PD" status 3 closed >/dev/null || echo "# status: exit $?"
ok "$([ "$N" -ge 4 ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM blobs \
    WHERE size > 19000000")" = 1 ]; echo $?)" \
    "the SQLite store: $N tickets, one 20 MB blob"

"$PD" list >"$T/list.sqlite"
i=1
while [ "$i" -le "$N" ]; do
	"$PD" show "$i" --json >"$T/show.$i.sqlite" 2>&1
	i=$((i + 1))
done
sqlite3 "$DB" "SELECT message_id FROM messages ORDER BY id" >"$T/mids"
i=0
while read -r mid; do
	i=$((i + 1))
	"$PD" raw "$mid" >"$T/raw.$i.sqlite" 2>&1
done <"$T/mids"
COUNTS=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM messages) || ' ' ||
    (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM blobs)
    || ' ' || (SELECT count(*) FROM attachments)")

# --- migrate ------------------------------------------------------------
pg_start >"$T/pg-start.out" 2>&1 || {
	echo "Bail out! PostgreSQL did not start"; cat "$T/pg-start.out"
	exit 1; }
URL="postgresql://postgres:sekrit-pw@/postdesk?host=$PG_SOCK&port=$PG_PORT"
"$PD" migrate --to "$URL" >"$T/migrate.out" 2>"$T/migrate.err"
rc=$?
check_eq "migrate: exit 0" 0 "$rc"
sed 's/^/# /' "$T/migrate.out" "$T/migrate.err"
ok "$(grep -c MISMATCH "$T/migrate.out" | grep -qx 0; echo $?)" \
    "migrate: no table's count differs"
check_eq "migrate: the counts table has a line per table" 27 \
    "$(wc -l <"$T/migrate.out" | tr -d ' ')"
ok "$(grep -Eq '^messages +[0-9]+ +[0-9]+$' "$T/migrate.out"; echo $?)" \
    "migrate: prints the messages' counts"
check_eq "migrate: silent on stderr when it is no terminal" "" \
    "$(cat "$T/migrate.err")"
psqlq() { runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 \
    -h "$PG_SOCK" -p "$PG_PORT" -d postdesk -c "$1"; }
check_eq "messages, events, blobs, attachments: as many on PostgreSQL" \
    "$COUNTS" "$(psqlq "SELECT (SELECT count(*) FROM messages) || ' ' ||
    (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM blobs)
    || ' ' || (SELECT count(*) FROM attachments)")"
check_eq "every blob's bytes hash to its sha256, size as stored" 0 \
    "$(psqlq "SELECT count(*) FROM blobs WHERE encode(sha256(data), 'hex')
    <> sha256 OR length(data) <> size")"
check_eq "ids kept: the same ticket ids" \
    "$(sqlite3 "$DB" "SELECT group_concat(id, ',') FROM
    (SELECT id FROM tickets ORDER BY id)")" \
    "$(psqlq "SELECT string_agg(id::text, ',' ORDER BY id) FROM tickets")"
check_eq "the merge into a later ticket is kept" "$N" \
    "$(psqlq "SELECT merged_into FROM tickets WHERE id = 2")"

# --- the same answers from PostgreSQL --------------------------------------
PG_CONF=$T/pg.conf
sed "/^\[store\]/a url = $URL" "$SQLITE_CONF" >"$PG_CONF"
export POSTDESK_CONFIG="$PG_CONF"
"$PD" list >"$T/list.pg"
check "list: the same output on PostgreSQL" cmp "$T/list.sqlite" "$T/list.pg"
bad=
i=1
while [ "$i" -le "$N" ]; do
	"$PD" show "$i" --json >"$T/show.$i.pg" 2>&1
	cmp -s "$T/show.$i.sqlite" "$T/show.$i.pg" || bad="$bad $i"
	i=$((i + 1))
done
check_eq "show --json: the same for each of the $N tickets" "" "$bad"
bad=
i=0
while read -r mid; do
	i=$((i + 1))
	"$PD" raw "$mid" >"$T/raw.$i.pg" 2>&1
	cmp -s "$T/raw.$i.sqlite" "$T/raw.$i.pg" || bad="$bad $i"
done <"$T/mids"
check_eq "raw: each message's original bytes identical ($i)" "" "$bad"

# --- the next ingest gets the next ids ---------------------------------
MAXM=$(sqlite3 "$DB" "SELECT max(id) FROM messages")
MAXE=$(sqlite3 "$DB" "SELECT max(id) FROM events")
printf 'From: new@customer.example\nTo: support@helpdesk.example\nSubject: after the move\nMessage-ID: <after-move@customer.example>\n\nhello\n' |
    ing new@customer.example
check_eq "ingest after the migration: exit 0" 0 "$?"
check_eq "the new ticket is number $((N + 1))" "$((N + 1))" \
    "$(psqlq "SELECT ticket_id FROM messages
    WHERE message_id = 'after-move@customer.example'")"
check_eq "its message row is the next one" "$((MAXM + 1))" \
    "$(psqlq "SELECT id FROM messages
    WHERE message_id = 'after-move@customer.example'")"
check "its events come after the copied ones" test \
    "$(psqlq "SELECT min(id) FROM events WHERE ticket_id = $((N + 1))")" \
    -gt "$MAXE"

# --- a second migrate is refused ----------------------------------------
POSTDESK_CONFIG=$SQLITE_CONF "$PD" migrate --to "$URL" >/dev/null \
    2>"$T/again.err"
check_eq "migrate into a database with rows: EX_CANTCREAT (73)" 73 "$?"
ok "$(grep -q 'not empty' "$T/again.err"; echo $?)" \
    "... and it says the target is not empty"

# --- on a terminal: a progress line with an ETA -----------------------------
runuser -u postgres -- "$PG_BIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" pd2
URL2="host=$PG_SOCK port=$PG_PORT user=postgres dbname=pd2"
POSTDESK_CONFIG=$SQLITE_CONF script -qec "'$PD' migrate --to '$URL2'" \
    "$T/tty.out" >/dev/null 2>&1
check_eq "migrate on a terminal: exit 0" 0 "$?"
ok "$(tr '\r' '\n' <"$T/tty.out" | grep -Eq \
    '^migrate: ([0-9]+)/\1 \(100%\), [0-9]+ rows/s, ETA 0:00'; echo $?)" \
    "... and draws the progress line, rows/s and ETA, in place"

# --- backup on PostgreSQL: the pg_dump command ----------------------------
"$PD" backup "$T/pg/pd.dump" >"$T/backup.out" 2>&1
check_eq "backup on PostgreSQL: exit 0" 0 "$?"
sed 's/^/# /' "$T/backup.out"
ok "$(! grep -q sekrit "$T/backup.out"; echo $?)" \
    "backup: the command leaves the password out"
CMD=$(sed -n 's/^  \(pg_dump .*\)/\1/p' "$T/backup.out")
runuser -u postgres -- env PATH="$PG_BIN:$PATH" sh -c "$CMD" \
    >"$T/dump.err" 2>&1
ok "$([ $? = 0 ] && "$PG_BIN/pg_restore" --list "$T/pg/pd.dump" |
    grep -q 'TABLE DATA public messages'; echo $?)" \
    "the printed pg_dump command dumps the store"
sed 's/^/# /' "$T/dump.err"
