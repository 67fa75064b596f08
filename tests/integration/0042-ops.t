#!/bin/sh
# The operations commands: postdesk check on a good set-up (clean, exit
# 0) and with each problem put in (its line, exit 1, --json parses);
# postdesk outbox retry --failed brings a failed row back and notify
# then sends it to the SMTP sink; postdesk backup while a loop of
# ingests writes: the copy passes integrity_check and holds between the
# rows seen before and after it.  Every wait polls a condition.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
LOOP_PID=
trap 'stop_sink sink; [ -n "$LOOP_PID" ] && kill "$LOOP_PID" 2>/dev/null; rm -rf "$T"' EXIT
echo "1..46"
PORT=$(free_port)
STATE=$T/state
DB=$STATE/postdesk.db
mkdir -p "$STATE"
key() { head -c 32 /dev/urandom | base64; }

# What an admin sets (address, host, base_url), the two secrets the
# package generates, and the paths and port of this throw-away set-up.
cat >"$T/good.conf" <<EOF
[store]
path = $DB
[mail]
address = support@example.com
host = pd.example.com
token_key = $(key)
[rules]
scripts = $S/filters/default.sieve
[templates]
dir = $S/templates
[notify]
smtp_url = smtp://127.0.0.1:$PORT
[web]
base_url = https://help.example/cgi-bin/postdesk.cgi
link_key = $(key)
EOF
export POSTDESK_CONFIG="$T/good.conf"
"$B/postdesk" init >/dev/null

# As root, check judges for the user the programs run as: the postdesk
# user if there is one, else the state directory's owner.  Give the
# state to that user, as the package does.
WHO=nobody WHY="the owner of the state directory"
if getent passwd postdesk >/dev/null; then
	WHO=postdesk WHY="the postdesk user"
fi
BK=$T/backups
mkdir -p "$BK"
if [ "$(id -u)" = 0 ]; then
	# Run as root, every program becomes the state directory's owner,
	# which must reach the config and write the backup directory.
	chown -R "$WHO" "$STATE" "$BK"
	chmod 2770 "$STATE"
	chmod 0711 "$T"
	# As the package installs it: 0640 root:postdesk.
	chgrp "$(id -g "$WHO")" "$T/good.conf"
else
	WHO=$(id -un) WHY="the user it runs as"
fi
chmod 0640 "$T/good.conf"
# The test's own sqlite3 reads and writes as that user too: as root it
# would race the programs for a root-owned -wal or -shm file.
AS=
[ "$(id -u)" = 0 ] && AS="setpriv --reuid=$WHO --regid=$(id -g "$WHO") --init-groups"
sqlq() { $AS sqlite3 -cmd ".timeout 5000" "$1" "$2"; }

# pdcheck NAME [ARGS]: runs check, output in $T/NAME.out, status in RC.
pdcheck() {
	name=$1; shift
	"$B/postdesk" "$@" check >"$T/$name.out" 2>"$T/$name.err"
	RC=$?
}
has() { grep -qF -- "$2" "$T/$1.out"; }
lines() { wc -l <"$T/$1.out" | tr -d ' '; }

pdcheck clean
check "check: clean set-up, exit 0" test "$RC" = 0
check "check: clean set-up prints nothing" test "$(lines clean)" = 0
"$B/postdesk" check --json >"$T/clean.json"
check "check --json: parses, ok true, user $WHO ($WHY)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["ok"] is True and d["problems"] == [] and
    d["user"] == sys.argv[2] and d["user_is"] == sys.argv[3]))' \
    "$T/clean.json" "$WHO" "$WHY"

# --- one problem at a time, each in its own copy of the file -----------
variant() {	# variant NAME SED-EXPR
	sed "$2" "$T/good.conf" >"$T/$1.conf"
	chmod 0640 "$T/$1.conf"
	chgrp "$(stat -c %g "$T/good.conf")" "$T/$1.conf"
}
expect() {	# expect NAME "LINE" DESCRIPTION: exactly that one line, exit 1
	pdcheck "$1" -c "$T/$1.conf"
	if [ "$RC" = 1 ] && [ "$(lines "$1")" = 1 ] && has "$1" "$2"; then
		ok "check: $3"
	else
		nok "check: $3 (exit $RC)"; sed 's/^/# /' "$T/$1.out"
	fi
}

mkdir -p "$T/tpl"
cp -R "$S/templates/mail" "$S/templates/web" "$T/tpl/"
rm "$T/tpl/mail/closed.txt"
variant tpl "s|^dir = .*|dir = $T/tpl|"
expect tpl "templates: no template closed.txt in $T/tpl/mail" \
    "a missing template kind"
variant tplroot "s|^dir = .*|dir = $S/templates/mail|"
pdcheck tplroot -c "$T/tplroot.conf"
check "check: [templates] dir set to mail/ instead of the root" sh -c \
    "[ $RC = 1 ] && grep -q 'is not a directory: \[templates\] dir is the directory with mail/ and web/' '$T/tplroot.out'"

printf 'require ["fileinto"];\nfileinto;\n' >"$T/bad.sieve"
variant rules "s|^scripts = .*|scripts = $T/bad.sieve|"
expect rules "rules: $T/bad.sieve:2:" "rules that do not compile"

variant tokenkey "s|^token_key = .*|token_key = key-pd.example.com|"
expect tokenkey "keys: [mail] token_key is 18 bytes long, shorter than 32" \
    "a short token_key"
variant linkkey "/^link_key = /d"
expect linkkey "keys: [web] link_key is not set" "no link_key"
variant baseurl "s|^base_url = .*|base_url = /cgi-bin/postdesk.cgi|"
expect baseurl 'web: [web] base_url "/cgi-bin/postdesk.cgi" is not an absolute http:// or https:// URL' \
    "a relative base_url"
variant plus "s|^address = .*|address = support+desk@example.com|"
expect plus 'mail: [mail] address "support+desk@example.com" has a '"'+'" \
    "a '+' in the support address"
variant bounces "s|^address = .*|address = bounces@example.com|"
expect bounces 'mail: [mail] address "bounces@example.com" is the bounce address' \
    "the support address is the VERP local part"
variant syntax "s|^\[web\]|[web|"
expect syntax "config: $T/syntax.conf:" "a config file that does not parse"
variant unknown "s|^\[web\]|[web]\nbase_ulr = x|"
expect unknown "config: $T/unknown.conf:" "an unknown key"
"$B/postdesk" -c "$T/syntax.conf" check --json >"$T/syntaxjson.out"
check "check --json: a broken file is one problem, area config" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["ok"] is False and len(d["problems"]) == 1 and
    d["problems"][0]["area"] == "config"))' "$T/syntaxjson.out"

if [ "$(id -u)" = 0 ]; then
	# Issue 10: "postdesk init" as root left a root-owned database.
	chown root:root "$DB"; chmod 0644 "$DB"
	pdcheck rootdb
	check "check: root-owned database, named with owner, mode and user" \
	    has rootdb "store: $DB: $WHO ($WHY) cannot read and write it: owner root:root, mode 0644"
	check "check: root-owned database, exit 1" test "$RC" = 1
	chown -R "$WHO" "$STATE"; chmod 0660 "$DB"
	"$B/postdesk" check --user root >/dev/null
	check "check --user root: root may write the store" test $? = 0
else
	ok "# SKIP root-owned database (not root)"
	ok "# SKIP root-owned database, exit 1 (not root)"
	ok "# SKIP check --user root (not root)"
fi
variant mode "s|^x||"
chmod 0644 "$T/mode.conf"
expect mode "config: $T/mode.conf: readable by everyone (mode 0644) and holds secrets" \
    "a config file with the keys that everyone may read"
"$B/postdesk" check --user no-such-user-here >/dev/null 2>&1
check "check --user: unknown user is EX_NOUSER" test $? = 67

# --- a failed row: reported, retried, sent ------------------------------
start_sink sink "$PORT" --reject 'alice@'
"$B/postdesk-ingest" --sender alice@shop.example \
    --recipient support@example.com <"$S/tests/data/sample/01-store-down.eml"
"$B/postdesk-notify" --once
ACK=$(sqlq "$DB" "SELECT id FROM outbox WHERE recipients='alice@shop.example' AND kind='ack'")
check "ack to alice failed at the sink (550)" \
    test "$(sqlq "$DB" "SELECT status FROM outbox WHERE id=$ACK")" = failed
pdcheck failed
check "check: the failed row, one line, exit 1" sh -c \
    "[ $RC = 1 ] && [ $(lines failed) = 1 ] && grep -q '^outbox: #$ACK (ticket #1, ack to alice@shop.example) failed after 1 attempts: 550' '$T/failed.out'"
"$B/postdesk" check --json >"$T/failed.json"
check "check --json: the failed row as area outbox" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not (d["ok"] is False and [p["area"] for p in d["problems"]] ==
    ["outbox"]))' "$T/failed.json"

stop_sink sink
start_sink sink "$PORT"
OUT=$("$B/postdesk" outbox retry --failed)
check_rc=$?
check "outbox retry --failed: exit 0, says how many" \
    test "$check_rc:$OUT" = "0:1 outbox row pending again"
check "retry: the row is pending, attempts 0, due now" test \
    "$(sqlq "$DB" "SELECT status || ' ' || attempts || ' ' || (next_attempt <= strftime('%s','now')) FROM outbox WHERE id=$ACK")" = "pending 0 1"
check "retry: an event on the ticket names the row" test \
    "$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=1 AND kind='mail-retry' AND detail LIKE 'outbox #$ACK to alice@shop.example queued again (was failed: 550%'")" = 1
check "retry --failed again: nothing left" \
    test "$("$B/postdesk" outbox retry --failed)" = "0 outbox rows pending again"
"$B/postdesk-notify" --once
check "notify sends the retried row to the sink" test -n "$(mail_to sink alice@shop.example)"
check "the row is sent" test "$(sqlq "$DB" "SELECT status FROM outbox WHERE id=$ACK")" = sent
pdcheck after
check "check: clean again once the row is sent" test "$RC:$(lines after)" = "0:0"

# retry --all takes deferred (pending) rows too, never cancelled ones.
sqlq "$DB" "UPDATE outbox SET status='pending', next_attempt=strftime('%s','now')+86400, attempts=3 WHERE id=$ACK"
R2=$(sqlq "$DB" "INSERT INTO outbox (ticket_id, kind, template, recipients, status, next_attempt, created, updated) VALUES (1, 'notice', 'closed', 'x@shop.example', 'cancelled', 0, 0, 0) RETURNING id")
check "outbox retry --all: the deferred row, not the cancelled one" \
    test "$("$B/postdesk" outbox retry --all)" = "1 outbox row pending again"
check "retry --all: deferred row due now, attempts 0; cancelled stays" test \
    "$(sqlq "$DB" "SELECT group_concat(status || ' ' || attempts || ' ' || (next_attempt <= strftime('%s','now')), ',') FROM (SELECT * FROM outbox WHERE id IN ($ACK, $R2) ORDER BY id)")" = \
    "pending 0 1,cancelled 0 1"
sqlq "$DB" "UPDATE outbox SET status='sent' WHERE id=$ACK"

# --- an overdue timer: reported until postdesk tick runs ----------------
sqlq "$DB" "UPDATE tickets SET status='pre-closed', status_since=strftime('%s','now')-10*86400, updated=strftime('%s','now')-10*86400 WHERE id=1"
pdcheck timer
check "check: the overdue close of ticket 1, one line, exit 1" sh -c \
    "[ $RC = 1 ] && [ $(lines timer) = 1 ] && grep -q '^timers: ticket #1: pre-closed → closed was due .* is \"postdesk tick\" running' '$T/timer.out'"
"$B/postdesk" tick >/dev/null
pdcheck ticked
check "check: clean once postdesk tick applied it" test "$RC:$(lines ticked)" = "0:0"

# --- backup while ingest writes ------------------------------------------
N=40
: >"$T/loop.status"
(
	i=1
	while [ $i -le $N ]; do
		printf 'From: c%s@shop.example\nTo: support@example.com\nSubject: loop %s\nMessage-ID: <loop%s@shop.example>\n\nmessage %s\n' \
		    $i $i $i $i | "$B/postdesk-ingest" --sender "c$i@shop.example" \
		    --recipient support@example.com
		echo "$i $?" >>"$T/loop.status"
		i=$((i + 1))
	done
) &
LOOP_PID=$!
# wait_for SECONDS CONDITION...: polls CONDITION every 0.1 s.
wait_for() {
	t=$(($1 * 10)); shift
	while ! "$@" && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
	"$@"
}
loop_count() { sqlq "$DB" "SELECT count(*) FROM messages WHERE message_id LIKE 'loop%'"; }
loop_at_least() { [ "$(loop_count)" -ge "$1" ]; }
loop_done() { ! kill -0 "$LOOP_PID" 2>/dev/null; }
wait_for 60 loop_at_least 5
BEFORE=$(loop_count)
"$B/postdesk" backup "$BK/copy.db" >"$T/backup.out" 2>&1
BRC=$?
AFTER_BACKUP=$(loop_count)
check "backup while ingest writes: exit 0" test "$BRC" = 0
wait_for 120 loop_done
LOOP_PID=
check "every ingest of the loop exited 0 (the backup blocked none)" \
    test "$(grep -c ' 0$' "$T/loop.status")" = "$N"
check "the copy passes PRAGMA integrity_check" \
    test "$(sqlq "$BK/copy.db" 'PRAGMA integrity_check')" = ok
check "the copy has no dangling foreign keys" \
    test -z "$(sqlq "$BK/copy.db" 'PRAGMA foreign_key_check')"
COPY=$(sqlq "$BK/copy.db" "SELECT count(*) FROM messages WHERE message_id LIKE 'loop%'")
check "rows seen before <= copy <= rows after the backup ($BEFORE <= $COPY <= $AFTER_BACKUP)" \
    test "$BEFORE" -le "$COPY" -a "$COPY" -le "$AFTER_BACKUP"
check "a ticket for every message in the copy" test \
    "$(sqlq "$BK/copy.db" "SELECT count(*) FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id WHERE t.id IS NULL")" = 0
check "the live database has all $N" test "$(loop_count)" = "$N"
check "the copy is 0600, no .tmp left" sh -c \
    "[ \"\$(stat -c %a '$BK/copy.db')\" = 600 ] && [ ! -e '$BK/copy.db.tmp' ]"
sed "s|^path = .*|path = $BK/copy.db|" "$T/good.conf" >"$T/copy.conf"
check "the copy opens as a postdesk store, with the rows it holds" test \
    "$("$B/postdesk" --config "$T/copy.conf" list | tail -1)" = "$((COPY + 1)) tickets"
"$B/postdesk" backup "$DB" >/dev/null 2>"$T/live.err"
check "backup refuses the live database" sh -c \
    "[ $? != 0 ] && grep -q 'is the live database' '$T/live.err'"
"$B/postdesk" backup "$DB-wal" >/dev/null 2>&1
check "backup refuses the live -wal file" test $? != 0
check "the live database is intact" \
    test "$(sqlq "$DB" 'PRAGMA integrity_check'):$(loop_count)" = "ok:$N"

# A store whose schema is older than the programs (restored from an old
# backup, say): named, with what to run.
OLD=$T/old
mkdir -p "$OLD"
cp "$BK/copy.db" "$OLD/postdesk.db"
CUR=$(sqlite3 "$OLD/postdesk.db" "PRAGMA user_version")
sqlite3 "$OLD/postdesk.db" "PRAGMA user_version = 8"
[ "$(id -u)" = 0 ] && chown -R "$WHO" "$OLD"
variant old "s|^path = .*|path = $OLD/postdesk.db|"
expect old "store: $OLD/postdesk.db: schema version 8, expected $CUR: run 'postdesk init'" \
    "a store with an old schema"
