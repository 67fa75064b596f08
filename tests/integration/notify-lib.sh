# Shared helpers for the postdesk-notify tests (sourced, POSIX sh).
# Each test sets T (its temp dir) and calls nl_cleanup from its trap.
B=${top_builddir:-.}
S=${top_srcdir:-.}
PY=/usr/bin/python3	# Debian's python, where python3-aiosmtpd lives
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_sink NAME PORT [sink options]: mail lands in $T/NAME/
start_sink() {
	name=$1 port=$2; shift 2
	mkdir -p "$T/$name"
	rm -f "$T/$name.pid"
	$PY "$S/tests/integration/smtp-sink.py" --port "$port" \
	    --dir "$T/$name" --pidfile "$T/$name.pid" "$@" &
	i=0
	while [ ! -s "$T/$name.pid" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

stop_sink() {
	[ -s "$T/$1.pid" ] && kill "$(cat "$T/$1.pid")" 2>/dev/null
	i=0
	while [ -s "$T/$1.pid" ] && kill -0 "$(cat "$T/$1.pid")" 2>/dev/null \
	    && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	rm -f "$T/$1.pid"
}

# POSTDESK_TEST_STORE=postgresql: each store file DB stands for a
# database of one throw-away PostgreSQL (lib-pg.sh), started by the
# first mkconf and stopped at exit; [store] url names it and sqlq DB
# speaks psql to it.
nl_pg() { [ "${POSTDESK_TEST_STORE:-sqlite}" = postgresql ]; }
# A test that pipes into mkconf (a subshell) calls nl_pg_start first.
nl_pg_start() {
	nl_pg && [ -z "${PG_PID:-}" ] || return 0
	. "$S/tests/integration/lib-pg.sh"
	pg_store_start
}
# mkconf FILE DB ADDRESS HOST PORT [extra lines on stdin]
mkconf() {
	if nl_pg && [ -z "${PG_PID:-}" ] &&
	    [ "$(exec sh -c 'echo "$PPID"')" != "$$" ]; then
		echo "Bail out! mkconf in a subshell: call nl_pg_start first"
		exit 1
	fi
	nl_pg && nl_pg_start && _url=$(pg_store_url "$2")
	{
		printf '[store]\npath = %s\n' "$2"
		nl_pg && printf '%s\n' "$_url"
		printf '[mail]\naddress = %s\nhost = %s\n' "$3" "$4"
		printf 'token_key = key-%s\n' "$4"
		printf '[templates]\ndir = %s/templates\n' "$S"
		printf '[notify]\nsmtp_url = smtp://127.0.0.1:%s\n' "$5"
		printf 'retry_base = 1\ntimeout = 10\n'
	} >"$1"
	cat >>"$1"
}

count_mail() { find "$T/$1" -name '*.eml' 2>/dev/null | wc -l; }

# hdr FILE NAME: the first header NAME of a delivered file
hdr() { grep -i -m1 "^$2:" "$1" | sed "s/^[^:]*: *//" | tr -d '\r'; }

# The delivered file whose envelope recipient is ADDR (the newest one).
mail_to() { grep -il -m1 "^X-Envelope-To: $2" "$T/$1"/*.eml | tail -1; }

# A delivered file as the MTA would pipe it on: no envelope lines.
undeliver() { grep -v '^X-Envelope-' "$1" | tr -d '\r'; }

sqlq() {	# sqlq DB QUERY
	if nl_pg; then
		pg_store_sql "$1" "$2"
	else
		sqlite3 -cmd ".timeout 5000" "$1" "$2"
	fi
}

# sqlq_join DB SEP QUERY: the rows joined by SEP, as SQLite's
# group_concat() (which PostgreSQL has not).
sqlq_join() { sqlq "$1" "$3" | paste -sd "$2" -; }
# store_moved CONF DB: CONF's store is DB now ([store] path, and url).
store_moved() {
	sed -i "s#^path = .*#path = $2#" "$1"
	if nl_pg; then
		_url=$(pg_store_url "$2")
		sed -i "s#^url = .*#$_url#" "$1"
	fi
}

# poll_until SECONDS CMD...: until CMD succeeds, polled every 0.1 s,
# for at most SECONDS of wall-clock time (a loaded machine stretches an
# iteration count, not the clock).  False if CMD never succeeded.
poll_until() {
	_end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}

# nl_store PORT: the store of the lease tests in $T, one staff address,
# its notifier aimed at PORT; sets DB and POSTDESK_CONFIG.
nl_store() {
	mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com \
	    "$1" <<EOF
[staff]
addresses = staff@example.com
EOF
	export POSTDESK_CONFIG="$T/pd.conf"
	DB=$T/pd.db
	"$B/postdesk" init >/dev/null
}

# nl_tickets FIRST LAST: one new ticket per customer cFIRST..cLAST, each
# an acknowledgement and a staff notification to send.
nl_tickets() {
	_i=$1
	while [ "$_i" -le "$2" ]; do
		printf 'From: c%d@customer.example\nTo: support@example.com\nSubject: problem %d\nMessage-ID: <m%d@customer.example>\n\nhelp %d\n' \
		    "$_i" "$_i" "$_i" "$_i" | "$B/postdesk-ingest" ||
		    echo "# ingest $_i failed"
		_i=$((_i + 1))
	done
}

# A plain mail on stdout: mail FROM TO SUBJECT BODY (printf's %b:
# BODY may hold \n), with a fresh Message-ID.  A test may define its own.
mail() {	# mail FROM TO SUBJECT BODY
	printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test>\n\n%b\n' \
	    "$1" "$2" "$3" "$(date +%s%N)" "$4"
}
