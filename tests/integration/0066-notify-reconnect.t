#!/bin/sh
# postdesk-notify --watch outlives its PostgreSQL server (issue 16 §3):
# the throw-away server (lib-pg.sh) is stopped under a running notifier
# (pg_ctl stop -m fast, by its data directory) and started again; the
# notifier does not exit, reopens the store with backoff, logs the
# outage once, and sends what was queued after the server came back.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
WPID=
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; stop_sink sink; rm -rf "$T"' EXIT

env -u PG_CONNINFO "$B/tests/integration/db-pg-check" >/dev/null 2>&1
[ $? -ne 77 ] || {
	echo "1..0 # SKIP built without ./configure --with-postgresql"
	exit 0; }
. "$S/tests/integration/lib-pg.sh"
pg_usable || {
	echo "1..0 # SKIP needs root, postgresql-15 and runuser"; exit 0; }
POSTDESK_TEST_STORE=postgresql
export POSTDESK_TEST_STORE
echo "1..8"

PORT=$(free_port)
start_sink sink "$PORT"
mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT" <<CONF
poll_interval = 1
[staff]
addresses = staff@example.com
CONF
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null

count() { sqlq "$DB" "SELECT count(*) FROM outbox WHERE status = '$1'" 2>/dev/null; }
sent() { [ "$(count sent)" = "$1" ]; }
logged() { grep -q -- "$1" "$T/watch.log"; }
pg_up() { "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT"; }
pg_down() { ! pg_up; }

nl_tickets 1 1
"$B/postdesk-notify" --watch 2>"$T/watch.log" &
WPID=$!
check "the notifier sends the first ticket's two mails" poll_until 60 sent 2

runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 \
    stop >/dev/null 2>&1
check "the server is stopped under the running notifier" poll_until 30 pg_down
check "the notifier notices and reopens the store with backoff" \
    poll_until 60 logged "store lost, reopening it"
check "... and does not exit meanwhile" kill -0 "$WPID"

runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" \
    -l "$PG_DIR/server.log" \
    -o "-k $PG_SOCK -p $PG_PORT -c listen_addresses=127.0.0.1" \
    start >/dev/null 2>&1
poll_until 30 pg_up
PG_PID=$(sed -n 1p "$PG_DIR/data/postmaster.pid")	# pg_stop's, at exit
nl_tickets 2 2
check "the server is back and the second ticket's mails are queued" \
    test "$(sqlq "$DB" 'SELECT count(*) FROM outbox')" = 4
check "the notifier sends them once the store is reopened" \
    poll_until 120 sent 4
check "the outage is logged once, and its end" sh -c \
    "[ \$(grep -c 'store lost' '$T/watch.log') = 1 ] &&
    grep -q 'store reopened after' '$T/watch.log'"
check "the notifier still runs" kill -0 "$WPID"
sed 's/^/# /' "$T/watch.log"
