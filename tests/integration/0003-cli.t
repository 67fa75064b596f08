#!/bin/sh
# The admin CLI and postdesk-ingest's exit-status contract with the MTA:
# --help/--version, init, list, show, raw, quarantine, reparse, and ingest
# exiting 65 (too large), 78 (broken config), 75 (database locked or
# read-only), 64 (bad options); --explain writes nothing.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DATA=$top_srcdir/tests/data/mail
INGEST=$top_builddir/postdesk-ingest
PD=$top_builddir/postdesk

T=$(mktemp -d "${TMPDIR:-/tmp}/pd-cli.XXXXXX") || exit 1
HOLDER=''
cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	exec 3>&- 2>/dev/null
	chmod -R u+w "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
DB=$T/db/postdesk.db
mkdir "$T/db"
CONF=$T/postdesk.conf
cat >"$CONF" <<EOF
[store]
path = db/postdesk.db
busy_timeout = 300

[mail]
address = support@example.com
subject_tag = Support
max_message_size = 64K

[staff]
addresses = agent@example.com
EOF

n=0
failed=0
ok() { n=$((n + 1)); printf "ok %d - %s\n" "$n" "$*"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	printf "not ok %d - %s\n" "$n" "$*"
}
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# expect_rc DESC RC CMD...: CMD exits RC; its stdout/stderr in $T/out,
# $T/err.
expect_rc() {
	desc=$1
	want=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$desc (exit $want)"
	else
		not_ok "$desc (exit $got, wanted $want)"
		sed 's/^/# /' "$T/err" | head -5
	fi
}
has() { grep -q -- "$1" "${2:-$T/out}"; }
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$1"; }
counts() {
	sql "SELECT (SELECT count(*) FROM tickets) || ' ' ||
	    (SELECT count(*) FROM messages) || ' ' ||
	    (SELECT count(*) FROM quarantine) || ' ' ||
	    (SELECT count(*) FROM events)"
}
dbsum() { cat "$DB" "$DB-wal" 2>/dev/null | cksum; }
pd() { "$PD" -c "$CONF" "$@"; }
ingest() { "$INGEST" -c "$CONF" -r support@example.com "$@"; }
json_ok() { python3 -m json.tool "$T/out" >/dev/null 2>&1; }
# pyjson EXPR: evaluates a Python expression over d = the JSON in $T/out.
pyjson() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T/out" "$1"
}
version=$(sed -n 's/^AC_INIT(\[postdesk\], \[\([^]]*\)\].*/\1/p' \
    "$top_srcdir/configure.ac")

# --- help and version -------------------------------------------------
expect_rc "postdesk --help" 0 "$PD" --help
check "--help lists the commands" sh -c "grep -q '^  init ' '$T/out' &&
    grep -q '^  quarantine ' '$T/out' && grep -q '^  reparse ' '$T/out'"
expect_rc "postdesk --version" 0 "$PD" --version
check "--version prints $version" [ "$(cat "$T/out")" = "postdesk $version" ]
expect_rc "postdesk-ingest --help" 0 "$INGEST" --help
check "ingest --help documents --explain" has --explain
expect_rc "postdesk-ingest --version" 0 "$INGEST" --version
check "ingest --version prints $version" \
    [ "$(cat "$T/out")" = "postdesk-ingest $version" ]
expect_rc "postdesk without a command" 1 "$PD"
expect_rc "postdesk with an unknown command" 1 "$PD" frobnicate
check "an unknown command is named" has frobnicate "$T/err"
expect_rc "postdesk with an unknown option" 1 "$PD" --bogus list

# --- before init ------------------------------------------------------
expect_rc "list before init: no database" 66 pd list
check "list before init creates no database" [ ! -e "$DB" ]
expect_rc "--explain before init" 0 ingest --explain \
    <"$DATA/0001-plain-new.eml"
check "--explain before init creates no database" [ ! -e "$DB" ]

# --- init -------------------------------------------------------------
schema=$(sed -n 's/^#define STORE_SCHEMA_VERSION[^0-9]*\([0-9]*\).*/\1/p' \
    "$top_srcdir/src/store.h")
expect_rc "init" 0 pd init
check "init reports the schema version" has "schema version $schema\b"
check "init makes a WAL database at user_version $schema" \
    [ "$(sql "PRAGMA user_version") $(sql "PRAGMA journal_mode")" = \
    "$schema wal" ]
expect_rc "init again is harmless" 0 pd init
expect_rc "init takes no arguments" 1 pd init extra
# POSTDESK_CONFIG names the file when --config does not.
POSTDESK_CONFIG=$CONF "$PD" list >"$T/out" 2>"$T/err"
check "POSTDESK_CONFIG is honoured" [ $? -eq 0 ]

# --- some mail --------------------------------------------------------
for m in 0001-plain-new 0002-reply-in-reply-to-gmail 0009-duplicate-first \
    0029-quote-spanish 0032-attachments-rfc2231; do
	expect_rc "ingest $m" 0 ingest <"$DATA/$m.eml"
done
expect_rc "ingest the same file again (duplicate)" 0 ingest \
    <"$DATA/0009-duplicate-first.eml"
expect_rc "ingest garbage (quarantined)" 0 ingest \
    <"$DATA/0038-garbage-binary.eml"
check "4 tickets, 5 messages, 1 quarantined" \
    [ "$(counts | cut -d' ' -f1-3)" = "4 5 1" ]

# --- list -------------------------------------------------------------
expect_rc "list" 0 pd list
check "list shows the subjects" sh -c "grep -q 'Printer on floor 3' \
    '$T/out' && grep -q 'VPN drops every hour' '$T/out'"
check "list counts the tickets" has "^4 tickets$"
expect_rc "list --json" 0 pd list --json
check "list --json is valid JSON" json_ok
check "list --json: 4 objects with the documented keys" pyjson \
    "len(d) == 4 and all({'id', 'subject', 'status', 'queue', 'priority',
    'requester', 'created', 'updated'} <= set(t) for t in d)"
check "list --json: ticket 1 has 2 messages, from ann" pyjson \
    "[(t['messages'], t['requester']) for t in d if t['id'] == 1] ==
    [(2, 'ann@example.com')]"
sql "UPDATE tickets SET status = 'closed' WHERE id = 2;
    UPDATE tickets SET queue = 'sales' WHERE id = 3"
expect_rc "list --status closed" 0 pd list --status closed --json
check "--status closed lists only ticket 2" pyjson \
    "[t['id'] for t in d] == [2]"
expect_rc "list --status submitted" 0 pd list --status submitted --json
check "--status submitted lists the 3 others" pyjson \
    "sorted(t['id'] for t in d) == [1, 3, 4]"
expect_rc "list --queue sales" 0 pd list --queue sales --json
check "--queue sales lists only ticket 3" pyjson "[t['id'] for t in d] == [3]"
expect_rc "list --queue sales --status closed" 0 pd list --queue sales \
    --status closed --json
check "both filters together match nothing" pyjson "d == []"
sql "UPDATE tickets SET priority = 'major', hotrush = 1,
    subject = '=HYPERLINK(\"http://x\"), \"now\"' WHERE id = 4"
expect_rc "list --priority major --hotrush on" 0 pd list --priority major \
    --hotrush on --json
check "... lists only ticket 4" pyjson "[t['id'] for t in d] == [4]"
expect_rc "list --sort created" 0 pd list --sort created --json
check "... newest first" pyjson \
    "[t['id'] for t in d] == sorted((t['id'] for t in d), reverse=True)"
expect_rc "list --csv" 0 pd list --csv
# pycsv EXPR: a Python expression over rows = the CSV in $T/out, read
# as RFC 4180 says (CRLF records, quoted fields).
pycsv() {
	python3 -c 'import csv, sys
raw = open(sys.argv[1], "rb").read()
rows = list(csv.reader(raw.decode("utf-8").splitlines(True)))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$T/out" "$1"
}
check "--csv: a header and 4 records, CRLF ends" pycsv \
    "len(rows) == 5 and rows[0][:3] == ['id', 'subject', 'status'] and
    raw.count(b'\\r\\n') == 5"
check "--csv: a formula subject is quoted and neutralised" pycsv \
    "[r[1] for r in rows if r[0] == '4'] ==
    ['\\'=HYPERLINK(\"http://x\"), \"now\"']"
check "--csv: the columns of --json" pycsv \
    "[r for r in rows if r[0] == '1'][0][2:7] ==
    ['submitted', 'support', 'normal', 'no', 'ann@example.com']"
expect_rc "list --csv --status closed" 0 pd list --csv --status closed
check "--csv takes the filters" pycsv "[r[0] for r in rows[1:]] == ['2']"
expect_rc "list --csv --json together" 1 pd list --csv --json
expect_rc "list --sort with an unknown order" 1 pd list --sort bogus
expect_rc "list --status without a value" 1 pd list --status
expect_rc "list with an unknown option" 1 pd list --bogus

# --- show -------------------------------------------------------------
expect_rc "show 1" 0 pd show 1
check "show names the ticket" has "^Ticket #1: Printer on floor 3"
check "show prints the new text of the reply" \
    has "I tried another tray, same result."
check "show leaves the quoted history out" \
    sh -c "! grep -q 'Could you try another paper tray' '$T/out'"
expect_rc "show #1 --full" 0 pd show '#1' --full
check "--full includes the quoted history" \
    has "Could you try another paper tray"
expect_rc "show 1 --json" 0 pd show 1 --json
check "show --json is valid JSON" json_ok
check "show --json: 2 messages in order, events" pyjson \
    "[m['message_id'] for m in d['thread']] ==
    ['0001.printer@mail.example.com', '0002.gmail@mail.example.com'] and
    d['id'] == 1 and len(d['events']) >= 3"
check "show --json: stripped and full text" pyjson \
    "'another paper tray' in d['thread'][1]['text'] and
    'another paper tray' not in d['thread'][1]['stripped']"
check "show --json: from_name, to and cc as arrays" pyjson \
    "d['thread'][0]['from_name'] == 'Ann Example' and
    d['thread'][0]['to'] == ['support@example.com'] and
    d['thread'][0]['cc'] == ['bob@example.com']"
sql "INSERT INTO ticket_fields (ticket_id, name, value) VALUES
    (1, 'version', '5.2'); INSERT INTO ticket_tags (ticket_id, tag)
    VALUES (1, 'printer')"
expect_rc "show 1 --json with fields and tags" 0 pd show 1 --json
check "show --json: the custom fields and tags" pyjson \
    "d['fields'] == {'version': '5.2'} and d['tags'] == ['printer']"
expect_rc "show 1 with fields and tags" 0 pd show 1
check "show prints them" sh -c "grep -q '^Tags: printer' '$T/out' &&
    grep -q '^Field: version=5.2' '$T/out'"
expect_rc "show a ticket that does not exist" 66 pd show 999
expect_rc "show without a ticket" 1 pd show
expect_rc "show with a bad ticket number" 1 pd show 1x

# --- raw --------------------------------------------------------------
for m in 0001-plain-new 0032-attachments-rfc2231; do
	id=$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$DATA/$m.eml")
	expect_rc "raw $id" 0 pd raw "$id"
	check "raw $id gives the exact bytes" cmp -s "$T/out" "$DATA/$m.eml"
done
expect_rc "raw accepts <angle brackets>" 0 pd raw \
    '<0009.vpn@example.net>'
check "raw of a delivered-twice message gives the first delivery" \
    cmp -s "$T/out" "$DATA/0009-duplicate-first.eml"
expect_rc "raw of an unknown Message-ID" 66 pd raw nope@example.com
expect_rc "raw without an id" 1 pd raw

# --- quarantine -------------------------------------------------------
expect_rc "quarantine list" 0 pd quarantine list
check "quarantine list shows the entry and reason" \
    sh -c "grep -q '^ *1 .*not a mail message' '$T/out' &&
    grep -q '^1 quarantined' '$T/out'"
expect_rc "quarantine show 1" 0 pd quarantine show 1
check "quarantine show gives the exact bytes" \
    cmp -s "$T/out" "$DATA/0038-garbage-binary.eml"
expect_rc "quarantine replay of real garbage keeps it" 65 \
    pd quarantine replay 1
check "replay says it is still not a message" has "still not a message"
check "the entry stays, not replayed" \
    [ "$(sql "SELECT count(*) FROM quarantine WHERE replayed_as IS NULL")" \
    = 1 ]
# A message an older parser refused: its raw bytes are a real message.
good=$DATA/0036-pgp-signed.eml
sum=$(sha256sum "$good" | cut -d' ' -f1)
sql "INSERT INTO blobs (sha256, size, data) VALUES ('$sum',
    $(wc -c <"$good"), readfile('$good'));
    INSERT INTO quarantine (received, reason, raw_sha256, size,
    envelope_from) VALUES (1700000000, 'old parser bug', '$sum',
    $(wc -c <"$good"), 'paranoid@example.org')"
expect_rc "quarantine replay 2" 0 pd quarantine replay 2
check "replay 2 opened a ticket" has "new-ticket, ticket #5"
check "the entry is marked replayed" [ "$(sql "SELECT replayed_as FROM
    quarantine WHERE id = 2")" = "$(sql "SELECT max(id) FROM messages")" ]
check "the replayed message keeps its envelope sender" [ "$(sql "SELECT
    envelope_from FROM messages WHERE message_id =
    '0036.pgp@example.org'")" = paranoid@example.org ]
expect_rc "quarantine list after replay" 0 pd quarantine list
check "the list shows what it was replayed as" has " msg 6 "
expect_rc "replay --all skips replayed entries, keeps garbage" 65 \
    pd quarantine replay --all
check "replay --all stored nothing twice" \
    [ "$(sql "SELECT count(*) FROM messages WHERE
    message_id = '0036.pgp@example.org'")" = 1 ]
expect_rc "quarantine show of an unknown entry" 66 pd quarantine show 99
expect_rc "quarantine with a bad subcommand" 1 pd quarantine frob 1
expect_rc "quarantine without a subcommand" 1 pd quarantine

# --- reparse ----------------------------------------------------------
sql "UPDATE messages SET text = 'stale', stripped = 'stale',
    subject = 'stale'"
expect_rc "reparse --dry-run 1" 0 pd reparse --dry-run 1
check "reparse --dry-run counts the changes" \
    has "reparsed 2 messages, 2 would change"
check "reparse --dry-run names the changed fields" \
    has "(ticket #1): subject text stripped would change"
check "reparse --dry-run wrote nothing" \
    [ "$(sql "SELECT count(*) FROM messages WHERE text = 'stale'")" = 6 ]
expect_rc "reparse 1" 0 pd reparse 1
check "reparse 1 reports 2 messages, both changed" \
    has "reparsed 2 messages, 2 changed"
check "reparse 1 rebuilt ticket 1's text from the raw bytes" \
    [ "$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND
    text LIKE '%another paper tray%' AND stripped NOT LIKE '%paper tray%'
    AND subject <> 'stale'")" = 1 ]
check "reparse 1 left other tickets alone" \
    [ "$(sql "SELECT count(*) FROM messages WHERE text = 'stale'")" = 4 ]
expect_rc "reparse --all" 0 pd reparse --all
check "reparse --all counts only the stale ones as changed" \
    has ", 4 changed"
expect_rc "reparse --all again" 0 pd reparse --all
check "a second reparse changes nothing" has ", 0 changed"
check "reparse --all rebuilt every message" \
    [ "$(sql "SELECT count(*) FROM messages WHERE text = 'stale' OR
    subject = 'stale'")" = 0 ]
check "reparse restores decoded subjects" [ "$(sql "SELECT subject FROM
    messages WHERE message_id = '0032.att@example.de'")" = \
    "Rechnung und Screenshot" ]
check "full-text search follows reparse" [ "$(sql "SELECT count(*) FROM
    messages_fts WHERE messages_fts MATCH 'atascada'")" = 1 ]
expect_rc "reparse without an argument" 1 pd reparse
expect_rc "reparse with a bad ticket" 1 pd reparse abc

# --- ingest: --explain writes nothing -----------------------------------
for m in 0004-reply-subject-tag 0006-foreign-sender-tag \
    0039-garbage-no-headers 0001-plain-new; do
	before=$(counts)
	sum=$(dbsum)
	expect_rc "--explain $m" 0 ingest --explain <"$DATA/$m.eml"
	check "--explain $m prints an outcome" has "^outcome: .*dry run"
	check "--explain $m leaves the database file unchanged" \
	    [ "$(dbsum)" = "$sum" ]
	check "--explain $m added no rows" [ "$(counts)" = "$before" ]
done
ingest --explain <"$DATA/0006-foreign-sender-tag.eml" >"$T/out" 2>&1
check "--explain tells the rule and the participant check" sh -c \
    "grep -q '^thread: rule subject-tag' '$T/out' &&
    grep -q 'join-thread: refused — sender is not a participant' '$T/out' &&
    grep -q '^quarantine: no' '$T/out'"
ingest --explain <"$DATA/0039-garbage-no-headers.eml" >"$T/out" 2>&1
check "--explain tells the quarantine verdict" \
    has "^quarantine: yes .*not a mail message"

# --- ingest: exit statuses ---------------------------------------------
big=$T/big.eml
{
	printf 'From: big@example.com\nSubject: big\nMessage-ID: <big@x>\n\n'
	i=0
	while [ $i -lt 1100 ]; do
		printf '%063d\n' $i
		i=$((i + 1))
	done
} >"$big"
before=$(counts)
expect_rc "a message over max_message_size" 65 ingest <"$big"
check "the reason names the limit" has "larger than the limit of 65536" \
    "$T/err"
check "nothing stored for the large message" [ "$(counts)" = "$before" ]
head -c 65536 "$big" >"$T/exact.eml"
expect_rc "a message of exactly max_message_size" 0 ingest <"$T/exact.eml"

bad=$T/bad.conf
printf '[store]\npath = db/postdesk.db\n\n[mail]\nadress = x@y\n' >"$bad"
expect_rc "ingest with a broken config" 78 "$INGEST" -c "$bad" \
    <"$DATA/0001-plain-new.eml"
check "the error names file:line" has "$bad:5:" "$T/err"
check "the error names the key" has "adress" "$T/err"
expect_rc "postdesk with a broken config" 78 "$PD" -c "$bad" list
check "postdesk names file:line too" has "$bad:5:" "$T/err"
expect_rc "ingest with a missing config file" 78 "$INGEST" \
    -c "$T/none.conf" <"$DATA/0001-plain-new.eml"
POSTDESK_CONFIG=$bad "$INGEST" <"$DATA/0001-plain-new.eml" >/dev/null \
    2>"$T/err"
check "a broken POSTDESK_CONFIG gives 78 too" [ $? -eq 78 ]

expect_rc "ingest with an unknown option" 64 ingest --bogus \
    <"$DATA/0001-plain-new.eml"
expect_rc "ingest with a stray argument" 64 ingest stray \
    <"$DATA/0001-plain-new.eml"
expect_rc "ingest with a missing option value" 64 "$INGEST" -c "$CONF" \
    --sender <"$DATA/0001-plain-new.eml"

# Another process holds the write lock: 75 within the busy timeout.
mkfifo "$T/lock"
# Line-buffered, so "held" shows once the INSERT ran inside the open
# write transaction.  (Probing with a second BEGIN IMMEDIATE is not a
# sound condition: it also fails while the holder is still recovering
# the WAL that ingest left, before it has taken the write lock.)
stdbuf -oL sqlite3 "$DB" <"$T/lock" >"$T/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$T/lock"
echo "BEGIN IMMEDIATE; INSERT INTO events (at, kind) VALUES (0, 'held');" \
    "SELECT 'held';" >&3
i=0
until grep -q '^held$' "$T/holder.out" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
before=$(counts)
ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)
expect_rc "ingest while the database is locked" 75 ingest \
    <"$DATA/0012-unknown-tag.eml"
elapsed=$(($(ms) - start))
# [store] busy_timeout = 300: it waits that long, then gives up.
between() { [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; }
check "gave up after the busy timeout (${elapsed} ms)" \
    between 250 3000 "$elapsed"
check "the reason is logged" has "locked" "$T/err"
expect_rc "reparse while the database is locked" 75 pd reparse --all
expect_rc "list still works while locked (WAL readers)" 0 pd list
echo "ROLLBACK;" >&3
exec 3>&-
wait "$HOLDER"
HOLDER=''
check "nothing half-written while locked" [ "$(counts)" = "$before" ]
expect_rc "the same message once the lock is gone" 0 ingest \
    <"$DATA/0012-unknown-tag.eml"

# A lock that blocks even opening (an exclusive lock, as a migration or
# an admin's sqlite3 in exclusive mode holds it): the configured
# busy_timeout applies from the first statement, not a fixed 10 s.
before=$(counts)
rm -f "$T/lock"
mkfifo "$T/lock"
stdbuf -oL sqlite3 "$DB" <"$T/lock" >"$T/holder.out" 2>&1 &
HOLDER=$!
exec 3>"$T/lock"
echo "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;" \
    "INSERT INTO events (at, kind) VALUES (0, 'held'); SELECT 'held';" >&3
i=0
until grep -q '^held$' "$T/holder.out" || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
start=$(ms)
expect_rc "ingest while another holds an exclusive lock" 75 ingest \
    <"$DATA/0031-signature-only-sig.eml"
elapsed=$(($(ms) - start))
check "gave up after the configured busy timeout (${elapsed} ms)" \
    between 250 3000 "$elapsed"
start=$(ms)
pd list >/dev/null 2>&1
rc=$?
elapsed=$(($(ms) - start))
check "postdesk list gives 75 too (exit $rc), after busy_timeout (${elapsed} ms)" \
    sh -c "[ $rc -eq 75 ] && [ $elapsed -ge 250 ] && [ $elapsed -le 3000 ]"
echo "ROLLBACK;" >&3
exec 3>&-
wait "$HOLDER"
HOLDER=''
check "nothing written under the exclusive lock" [ "$(counts)" = "$before" ]

# A read-only database directory: 75 (the MTA retries).
pd init >/dev/null 2>&1
if [ "$(id -u)" -eq 0 ]; then
	# root ignores permissions: run as nobody, on files root owns.
	RUNAS="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 755 "$T" "$T/db"
	chmod 644 "$DB" "$CONF"
	[ -e "$DB-wal" ] && chmod 644 "$DB-wal" "$DB-shm"
else
	RUNAS=''
	chmod 555 "$T/db"
	chmod 444 "$DB"
fi
before=$(counts)
sum=$(dbsum)
$RUNAS "$INGEST" -c "$CONF" <"$DATA/0031-signature-only-sig.eml" \
    >"$T/out" 2>"$T/err"
rc=$?
check "ingest into a read-only database (exit $rc, wanted 75)" \
    [ "$rc" -eq 75 ]
sed 's/^/# /' "$T/err"
chmod -R u+w "$T"
check "the read-only database is unchanged" [ "$(dbsum)" = "$sum" ]
check "no rows appeared" [ "$(counts)" = "$before" ]

check "database integrity at the end" \
    [ "$(sql "PRAGMA integrity_check")" = ok ]

echo "1..$n"
[ "$failed" -eq 0 ]
