# Shared helpers for the integration tests (TAP output).
# Each test: . "$top_srcdir/tests/integration/lib.sh"; plan N; ...
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PD_INGEST="$top_builddir/postdesk-ingest"
PD="$top_builddir/postdesk"
T=$(mktemp -d "${TMPDIR:-/tmp}/postdesk-test.XXXXXX")
_n=0
_failed=0
_cleanup_cmds=""
at_exit() { _cleanup_cmds="$_cleanup_cmds
$*"; }
_finish() {
	eval "$_cleanup_cmds"
	rm -rf "$T"
}
trap _finish EXIT
trap 'exit 1' INT TERM

plan() { echo "1..$1"; }
ok() {	# ok CONDITION-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
check() {	# check DESCRIPTION COMMAND...
	_d=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok 0 "$_d"
	else ok 1 "$_d"; sed 's/^/# /' "$T/.out"; fi
}
check_eq() {	# check_eq DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok 0 "$1"
	else ok 1 "$1"; echo "# expected: [$2]"; echo "#      got: [$3]"; fi
}
# POSTDESK_TEST_STORE=postgresql: the store is a throw-away PostgreSQL
# (lib-pg.sh) started by the first make_config, [store] url names it and
# sql() speaks psql; the state directory stays $T ([store] path).
_pg_store() { [ "${POSTDESK_TEST_STORE:-sqlite}" = postgresql ]; }
_pg_ensure() {
	_pg_store || return 0
	if [ -n "${PG_PID:-}" ]; then	# a fresh database, as a new file
		runuser -u postgres -- "$PG_BIN/dropdb" --force -h "$PG_SOCK" \
		    -p "$PG_PORT" postdesk &&
		    runuser -u postgres -- "$PG_BIN/createdb" -h "$PG_SOCK" \
		    -p "$PG_PORT" postdesk
		return
	fi
	. "$top_srcdir/tests/integration/lib-pg.sh"
	pg_start >"$T/pg-start.out" 2>&1 || {
		echo "Bail out! PostgreSQL did not start"
		cat "$T/pg-start.out"; exit 1; }
}
# A fresh config + database in $T; extra config lines on stdin.
make_config() {
	_pg_ensure
	cat > "$T/postdesk.conf" <<CONF
[store]
path = $T/postdesk.db
$(_pg_store && echo "url = $PG_CONNINFO")
[mail]
address = support@helpdesk.example
subject_tag = Support
host = helpdesk.example
[staff]
addresses = staff@helpdesk.example; bob@helpdesk.example
CONF
	cat >> "$T/postdesk.conf"
	export POSTDESK_CONFIG="$T/postdesk.conf"
	"$PD" init >/dev/null
}
sql() {
	if _pg_store; then
		runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 \
		    -h "$PG_SOCK" -p "$PG_PORT" -d postdesk -c "$*"
	else
		sqlite3 -batch -noheader -cmd ".timeout 5000" \
		    "$T/postdesk.db" "$@"
	fi
}
# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
