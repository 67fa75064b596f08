#!/bin/sh
# db.h's PostgreSQL backend against a real, throw-away PostgreSQL 15
# (lib-pg.sh): prepare, bind, step and column, error codes, the schema
# version, transactions.  The checks are tests/integration/db-pg-check.c
# (GTest); built without ./configure --with-postgresql, it exits 77.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-pg.sh"

prog=$top_builddir/tests/integration/db-pg-check
env -u PG_CONNINFO "$prog" >/dev/null 2>&1
[ $? -ne 77 ] || {
	echo "1..0 # SKIP built without ./configure --with-postgresql"
	exit 0; }
pg_usable || {
	echo "1..0 # SKIP needs root, postgresql-15 and runuser"; exit 0; }
pg_start >"$T/pg-start.out" 2>&1 || {
	echo "Bail out! PostgreSQL did not start"
	cat "$T/pg-start.out"; exit 1; }
# The server answers on its loopback port too, not only the socket.
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" || {
	echo "Bail out! PostgreSQL does not listen on 127.0.0.1:$PG_PORT"
	exit 1; }
"$prog" --tap
