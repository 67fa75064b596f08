# lib-pg.sh: a throw-away PostgreSQL 15 for a test (sourced, POSIX sh).
#
# pg_start runs Debian's postgresql-15 binaries, never the system-wide
# service: initdb into $T/pg/data as the unprivileged user postgres
# (the package's), a unix socket in $T/pg/sock and a loopback port the
# test picks (free_port), readiness polled with pg_isready up to a
# deadline.  pg_stop (registered with at_exit) stops it with pg_ctl and,
# failing that, kills the postmaster by the PID it wrote.  After pg_start:
# PG_CONNINFO is a libpq connection string for the database "postdesk",
# PG_PORT the port, PG_SOCK the socket directory.
# pg_usable says whether all this can run here (root, the binaries, the
# user postgres, runuser).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PID=

pg_usable() {
	[ "$(id -u)" -eq 0 ] && [ -x "$PG_BIN/initdb" ] &&
	    [ -x "$PG_BIN/pg_ctl" ] && id postgres >/dev/null 2>&1 &&
	    command -v runuser >/dev/null
}

_pg() { runuser -u postgres -- "$@"; }

# Polls until "$@" succeeds, up to $1 tenths of a second.
_pg_wait() {
	_l=$1; shift
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -ge "$_l" ] && return 1
		sleep 0.1
	done
}

pg_start() {
	PG_DIR=$T/pg
	PG_SOCK=$PG_DIR/sock
	PG_PORT=$(free_port)
	# postgres must reach $T/pg, not read the rest of $T.
	chmod 0711 "$T"
	mkdir -p "$PG_SOCK"
	chown -R postgres:postgres "$PG_DIR"
	_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust \
	    -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
		sed 's/^/# initdb: /' "$PG_DIR/initdb.log"; return 1; }
	at_exit pg_stop
	_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
	    -o "-k $PG_SOCK -p $PG_PORT -c listen_addresses=127.0.0.1" \
	    start >/dev/null 2>&1
	_pg_wait 50 test -s "$PG_DIR/data/postmaster.pid" &&
	    PG_PID=$(sed -n 1p "$PG_DIR/data/postmaster.pid")
	if ! _pg_wait 300 "$PG_BIN/pg_isready" -q -h "$PG_SOCK" \
	    -p "$PG_PORT"; then
		sed 's/^/# server: /' "$PG_DIR/server.log"
		return 1
	fi
	_pg "$PG_BIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" postdesk ||
	    return 1
	PG_CONNINFO="host=$PG_SOCK port=$PG_PORT user=postgres dbname=postdesk"
	export PG_CONNINFO
}

pg_stop() {
	[ -n "$PG_PID" ] || return 0
	_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 20 stop \
	    >/dev/null 2>&1 || kill "$PG_PID" 2>/dev/null
	_pg_wait 100 sh -c "! kill -0 $PG_PID" || kill -9 "$PG_PID" 2>/dev/null
	PG_PID=
}

# POSTDESK_TEST_STORE=postgresql for a test without lib.sh: pg_store
# says whether it is set; pg_store_start starts the server once, its
# pg_stop run at exit before the test's own EXIT trap (which removes
# $T) unless the test has at_exit (lib.sh, lib-web.sh).
pg_store() { [ "${POSTDESK_TEST_STORE:-sqlite}" = postgresql ]; }
pg_store_start() {
	[ -n "$PG_PID" ] && return 0
	command -v free_port >/dev/null 2>&1 || free_port() {
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	}
	if ! command -v at_exit >/dev/null 2>&1; then
		# Read through a file: dash's $(trap) prints nothing.
		trap >"$T/.trap"
		_pg_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" "$T/.trap")
		trap "pg_stop; $_pg_trap" EXIT
		at_exit() { :; }
	fi
	pg_start >"$T/pg-start.out" 2>&1 || {
		echo "Bail out! PostgreSQL did not start"
		cat "$T/pg-start.out"; exit 1; }
}

# A test that keeps a store per SQLite file keeps a database per file
# on the server: pg_store_db FILE names the one standing for FILE,
# pg_store_url FILE (after pg_start) creates it if new and prints its
# [store] url line, pg_store_sql FILE QUERY runs QUERY there (psql,
# rows as sqlite3 prints them: unaligned, '|' between columns).
pg_store_db() { printf 'pd_%s' "$(printf %s "$1" | cksum | cut -d' ' -f1)"; }
pg_store_url() {
	_pg "$PG_BIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" \
	    "$(pg_store_db "$1")" 2>/dev/null
	printf 'url = host=%s port=%s user=postgres dbname=%s\n' \
	    "$PG_SOCK" "$PG_PORT" "$(pg_store_db "$1")"
}
pg_store_sql() {
	_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" \
	    -d "$(pg_store_db "$1")" -c "$2"
}
