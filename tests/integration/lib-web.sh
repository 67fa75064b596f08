# lib-web.sh: shared setup of the web viewer tests (sourced).
#
# web_setup makes $T (temp dir), a config, a database filled through
# postdesk-ingest, and starts lighttpd with mod_cgi on a free loopback
# port: $BASE/pd.cgi for customers, $BASE/staff/pd.cgi behind basic
# auth (alice:alicepw, a staff member).  The trap kills lighttpd by PID.
#
# Run as root (as CI does), it is the shipped permission model: the
# database lives in $T/state, postdesk:postdesk mode 2770; "postdesk
# init" and ingest run as root and become postdesk themselves; lighttpd
# runs as www-data, which is in group postdesk, so the CGI opens the
# 0660 database through the group.  $DB names the database; sql runs
# sqlite3 as postdesk.
# With POSTDESK_TEST_STORE=postgresql the store is a throw-away
# PostgreSQL instead (lib-pg.sh, stopped by web_cleanup): [store] url
# names it, sql speaks psql, and $DB is never created (web_pg says so).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PD="$top_builddir/postdesk"
INGEST="$top_builddir/postdesk-ingest"
CGI="$top_builddir/postdesk.cgi"

T=$(mktemp -d "${TMPDIR:-/tmp}/pdweb.XXXXXX")
STATE=$T/state
DB=$STATE/pd.db
WEB_USER=
LPID=
PG_PID=
_web_exit=
web_pg() { [ "${POSTDESK_TEST_STORE:-sqlite}" = postgresql ]; }
# lib-pg.sh's cleanup hook, unless lib.sh (sourced after) has one.
at_exit() { _web_exit="$_web_exit
$*"; }
web_cleanup() {
	if [ -n "$LPID" ]; then kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null; fi
	eval "$_web_exit"
	rm -rf "$T"
}
trap web_cleanup EXIT INT TERM

# The production users: postdesk (created if absent, as the package's
# postinst does) and the web server's www-data in group postdesk.
web_users() {
	[ "$(id -u)" -eq 0 ] && id www-data >/dev/null 2>&1 || return 1
	id postdesk >/dev/null 2>&1 ||
	    useradd --system --user-group --home-dir /var/lib/postdesk \
		--no-create-home --shell /usr/sbin/nologin postdesk \
		>/dev/null 2>&1
	id postdesk >/dev/null 2>&1 || return 1
	id -nG www-data | grep -qw postdesk ||
	    usermod -a -G postdesk www-data || return 1
	WEB_USER=www-data
}

sql() {	# sql QUERY: as the store's user; waits for a writer's lock
	if web_pg; then
		pg_store_sql "$DB" "$1"
	elif [ -n "$WEB_USER" ]; then
		runuser -u postdesk -- sqlite3 -cmd ".timeout 5000" "$DB" "$1"
	else
		sqlite3 -cmd ".timeout 5000" "$DB" "$1"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ingest() {	# ingest SENDER FILE
	"$INGEST" --sender "$1" --recipient support@example.com \
	    --client-ip 127.0.0.1 < "$2"
}

web_config() {
	cat > "$T/pd.conf" <<CONF
[store]
path = $DB
$(web_pg && pg_store_url "$DB")
[mail]
address = support@example.com
subject_tag = Support
[staff]
addresses = alice@example.com; bob@example.com
[templates]
dir = $top_srcdir/templates
[web]
base_url = $BASE/pd.cgi
link_key = integration-test-key
link_lifetime = 3600
staff_users = jdoe=bob@example.com
CONF
	export POSTDESK_CONFIG="$T/pd.conf"
}

web_messages() {
	mkdir -p "$T/mail"
	cat > "$T/mail/carol1.eml" <<'MSG'
From: Carol Customer <carol@a.example>
To: support@example.com
Subject: Printer <script>alert("subject")</script> on fire
Message-ID: <carol-1@a.example>
Date: Mon, 02 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="zz"

--zz
Content-Type: text/plain; charset=utf-8

Our printer shows <img src=x onerror=alert("body")> and smells of smoke.
Please send a technician.

--zz
Content-Type: text/html; name="report.html"
Content-Disposition: attachment; filename="<img src=x onerror=alert(1)>.html"

<script>alert("attachment")</script>
--zz--
MSG
	cat > "$T/mail/carol2.eml" <<'MSG'
From: Carol Customer <carol@a.example>
To: support@example.com
Subject: Re: [Support #1] Printer on fire
Message-ID: <carol-2@a.example>
In-Reply-To: <carol-1@a.example>
References: <carol-1@a.example>
Date: Mon, 02 Nov 2026 12:00:00 +0000
Content-Type: text/plain; charset=utf-8

It is still burning.

On Mon, Nov 2, 2026 at 10:00 AM Carol wrote:
> Our printer shows smoke.
> Please send a technician.
MSG
	cat > "$T/mail/dave1.eml" <<'MSG'
From: Dave Other <dave@b.example>
To: support@example.com
Subject: Secret zebrafish project
Message-ID: <dave-1@b.example>
Date: Mon, 02 Nov 2026 11:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="yy"

--yy
Content-Type: text/plain

Confidential: the zebrafish budget is 1M.

--yy
Content-Type: application/pdf
Content-Disposition: attachment; filename="budget.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJWR1bW15Cg==
--yy--
MSG
	ingest carol@a.example "$T/mail/carol1.eml" &&
	ingest carol@a.example "$T/mail/carol2.eml" &&
	ingest dave@b.example "$T/mail/dave1.eml"
}

web_lighttpd() {
	mkdir -p "$T/www/staff"
	ln -s "$CGI" "$T/www/pd.cgi"
	ln -s "$CGI" "$T/www/staff/pd.cgi"
	printf 'alice:alicepw\njdoe:jdoepw\nmallory:mallorypw\n' > "$T/users"
	if [ -n "$WEB_USER" ]; then
		# lighttpd runs the CGI as www-data, with its groups.
		printf 'server.username = "%s"\nserver.groupname = "%s"\n' \
		    "$WEB_USER" "$WEB_USER" > "$T/lighttpd-user.conf"
		# lighttpd opens its log after it dropped to www-data.
		: > "$T/error.log"
		chown "$WEB_USER" "$T/error.log"
	else
		: > "$T/lighttpd-user.conf"
	fi
	cat > "$T/lighttpd.conf" <<CONF
include "$T/lighttpd-user.conf"
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$T/error.log"
server.modules = ( "mod_access", "mod_auth", "mod_authn_file",
    "mod_setenv", "mod_cgi" )
cgi.assign = ( ".cgi" => "" )
setenv.add-environment = ( "POSTDESK_CONFIG" => "$T/pd.conf",
    "TZ" => "UTC" )
auth.backend = "plain"
auth.backend.plain.userfile = "$T/users"
auth.require = ( "/staff/" => ( "method" => "basic",
    "realm" => "postdesk staff", "require" => "valid-user" ) )
CONF
	lighttpd -tt -f "$T/lighttpd.conf" >/dev/null || return 1
	lighttpd -D -f "$T/lighttpd.conf" &
	LPID=$!
	# Up to 30 s: a loaded machine.
	for _ in $(seq 300); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
		sleep 0.1
	done
	return 1
}

# The throw-away PostgreSQL, if the store is one.
web_pg_start() {
	web_pg && [ -z "$PG_PID" ] || return 0
	. "$top_srcdir/tests/integration/lib-pg.sh"
	pg_start >"$T/pg-start.out" 2>&1 || { cat "$T/pg-start.out"; return 1; }
}

web_setup() {
	PORT=$(free_port)
	BASE="http://127.0.0.1:$PORT"
	mkdir -p "$STATE"
	web_pg_start || return 1
	if web_users; then
		chmod 0755 "$T"
		chown postdesk:postdesk "$STATE"
		chmod 2770 "$STATE"
	fi
	web_config &&
	"$PD" init >/dev/null &&
	web_messages &&
	web_lighttpd
}
