#!/bin/sh
# postdesk as deployed: the build installed into a throw-away root the
# way the Debian package installs it, then the whole round trip of
# issue 10 part 5 through a real Postfix and a real lighttpd.
#
# Install.  "make install DESTDIR=$R" from the tree already built,
# with the package's layout given on the make command line (prefix=/usr
# sysconfdir=/etc localstatedir=/var libexecdir=/usr/lib), then the
# files debian/rules adds (the conffile, install-steps, the systemd
# units), then the postinst itself: contrib/install-steps.sh configure
# with DESTDIR set (user and group postdesk, the state directory 2770,
# the conffile 0640 root:postdesk, generated keys, "postdesk init" as
# postdesk).  Why not a second configure+build with those directories:
# on 2 shared cores that build costs a minute or more, twice in
# tests/run.sh (plain and ASan), while the compiled-in defaults it would
# give are never used here: inside a DESTDIR root every program must be
# pointed at $R/etc/postdesk/postdesk.conf anyway, by --config (the
# Postfix service) or POSTDESK_CONFIG (the unit's environment, the
# lighttpd snippet's setenv), and install-steps' 00-destdir.conf points
# the state, templates and rules paths into the root.
#
# Configuration.  The shipped postdesk.conf with what the admin must
# edit: [mail] address and host, [web] base_url, and nothing else: no
# [staff] addresses and no [web] staff_users, so who the staff are is
# the password file of the snippet's staff URL (postdesk.cgi(8)): user
# "staff" is staff@helpdesk.test on the web, and no mail is staff mail
# (no staff copy of a notification is made).
# Test plumbing (in postdesk.conf.d/90-test.conf and install-steps'
# 00-destdir.conf):
#   [notify] smtp_url       the test Postfix's loopback port (default
#                           smtp://localhost:25, the system MTA)
#   [store] path, [templates] dir, [rules] scripts
#                           the same defaults, below the root $R
# Nothing else: every other key keeps its default.
#
# Servers, all on loopback ports picked here, stopped by PID:
#   Postfix (lib-postfix.sh) with contrib/mta/postfix-main.cf and
#     postfix-master.cf appended unchanged but for postdesk_domain (the
#     one value the snippet asks for) and the path of postdesk-ingest in
#     the root with --config; ingest runs as user postdesk (pipe user=).
#     relayhost is the SMTP sink, so Postfix relays everything not ours.
#   smtp-sink.py: the customers' MX; it refuses ghost@ at RCPT (550), so
#     Postfix bounces mail to ghost@ with a DSN of its own.
#   lighttpd as www-data (in group postdesk) with
#     contrib/web/lighttpd.conf unchanged but for the root's paths.
#   postdesk-notify --watch as the shipped unit runs it: ExecStart, User,
#     Group and UMask read from the unit file.
#
# The round trip: customer mail in through Postfix; the acknowledgement
# relayed by Postfix to the sink, with the return path bounces+N@; the
# customer opens the link in it through lighttpd; staff close the
# ticket on the web (basic auth, a real POST with the page's CSRF
# token), the closed notice reaches the customer; mail from ghost@ gets
# an acknowledgement that Postfix cannot deliver, Postfix's DSN goes to
# bounces+N@ and back into ingest, which fails outbox row N and records
# the bounce on the ticket.  "postdesk check" (when this build has it,
# else a TAP skip) is clean once installed and configured, and after
# the round trip reports the bounced row, and nothing else.
#
# Waits: every one polls a condition to a deadline.  notify --watch
# drains the outbox when it starts and then every [notify]
# poll_interval (default 30 s, kept): it starts after the first mail is
# in, so only the closed notice waits for one poll.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

. "$top_srcdir/tests/integration/notify-lib.sh"
. "$top_srcdir/tests/integration/lib-postfix.sh"
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
PF_OWN_USER=1	# the user postdesk comes from the postinst steps
check_eq() {	# check_eq DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"
	else nok "$1"; diag "expected: [$2]" "     got: [$3]"; fi
}
pf_require
$PY -c 'import aiosmtpd' 2>/dev/null ||
    pf_skip_all "python3-aiosmtpd not installed (contrib/deps.sh --tests)"
for c in lighttpd curl openssl setpriv; do
	command -v $c >/dev/null ||
	    pf_skip_all "$c not installed (contrib/deps.sh --tests)"
done
id www-data >/dev/null 2>&1 || pf_skip_all "no user www-data"

echo "1..46"

T=$(mktemp -d /tmp/postdesk-deployed.XXXXXX)
R=$T/root
NPID=
LPID=
stop_pid() {	# stop_pid PID: TERM, wait up to 5 s, then KILL
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
}
cleanup() {
	stop_pid "$NPID"
	stop_pid "$LPID"
	pf_stop
	stop_sink out
	[ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
chmod 0755 "$T"	# postdesk and www-data must reach the root

# --- install, as the package does ------------------------------------
. "$top_srcdir/tests/integration/lib-deployed.sh"
if dp_install >"$T/install.out" 2>&1; then
	ok "make install DESTDIR with the package's layout, and debian/rules' extra files"
else
	nok "make install DESTDIR with the package's layout, and debian/rules' extra files"
	diag "$(tail -20 "$T/install.out")"
	exit 1
fi
CONF=$R/etc/postdesk/postdesk.conf
PDB=$R/var/lib/postdesk/postdesk.db
check "the package layout: programs in sbin, the CGI in /usr/lib/postdesk" \
    test -x "$R/usr/sbin/postdesk-ingest" -a -x "$R/usr/sbin/postdesk-notify" \
    -a -x "$R/usr/sbin/postdesk" -a -x "$R/usr/lib/postdesk/postdesk.cgi" \
    -a -f "$R/usr/share/postdesk/templates/mail/new-ticket.txt"

DESTDIR=$R "$R/usr/lib/postdesk/install-steps" configure >"$T/steps.out" 2>&1
rc=$?
check "the postinst steps (install-steps configure) succeed in the root" \
    test $rc -eq 0
[ $rc -eq 0 ] || diag "$(cat "$T/steps.out")"
check "system user and group postdesk (the steps make them when absent)" \
    sh -c 'getent passwd postdesk >/dev/null && getent group postdesk >/dev/null'
check "state directory 2770 postdesk:postdesk, database made by postdesk" \
    test "$(stat -c '%a %U:%G' "$R/var/lib/postdesk") $(stat -c %U "$PDB" 2>/dev/null)" = \
    "2770 postdesk:postdesk postdesk"
# As contrib/web/lighttpd.conf tells the admin.
id -nG www-data | grep -qw postdesk || adduser --quiet www-data postdesk
check "the web server's user www-data is in group postdesk (postdesk.8)" \
    sh -c 'id -nG www-data | grep -qw postdesk'

SINK_PORT=$(free_port)
WEB_PORT=$(free_port)
BASE=http://127.0.0.1:$WEB_PORT
dp_admin_edits
check "the admin's edits: address, host, base_url, and no staff listed" \
    sh -c "! grep -q '^\[staff\]\|^staff_users' '$CONF' &&
	grep -qx 'address = support@helpdesk.test' '$CONF' &&
	grep -qx 'host = helpdesk.test' '$CONF' &&
	grep -qx 'base_url = $BASE/postdesk' '$CONF'"
# sq QUERY: sqlite3 as the store's owner (as root it could leave a
# root-owned -shm behind).
sq() { (cd / && setpriv --reuid=postdesk --regid=postdesk --init-groups \
    sqlite3 -batch -noheader -cmd '.timeout 5000' "$PDB" "$1"); }
check "the installed configuration loads as user postdesk" \
    sh -c "$(command -v setpriv) --reuid=postdesk --regid=postdesk --init-groups \
	'$R/usr/sbin/postdesk' --config '$CONF' list >/dev/null"

# --- the servers -----------------------------------------------------
start_sink out "$SINK_PORT" --reject '^ghost@'
check "SMTP sink (the customers' MX) runs on 127.0.0.1:$SINK_PORT" \
    sh -c "kill -0 \$(cat '$T/out.pid')"
PF_INGEST="$R/usr/sbin/postdesk-ingest --config $CONF"
pf_setup
dp_postfix_relay
check "master.cf has the shipped postdesk service, user=postdesk" \
    grep -q "user=postdesk null_sender=" "$T/etc/master.cf"
pf_check
pf_start || exit 1
dp_notify_conf

# --- postdesk check, as an admin runs it (as root) once installed ---
pd_check() { (cd / && "$R/usr/sbin/postdesk" --config "$CONF" check); }
HAVE_CHECK=
"$R/usr/sbin/postdesk" --help 2>&1 | grep -q '^  check' && HAVE_CHECK=1
if [ -n "$HAVE_CHECK" ]; then
	pd_check >"$T/check1.txt" 2>&1
	rc=$?
	check "postdesk check is clean in the deployed root (exit $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || diag "$(cat "$T/check1.txt")"
else
	ok "# SKIP postdesk check is not in this build (branch ops)"
fi
dp_lighttpd_start
check "lighttpd with the shipped snippet runs as www-data on :$WEB_PORT" \
    sh -c "[ -n '$LPID' ] && [ \"\$(ps -o user= -p $LPID 2>/dev/null | tr -d ' ')\" = www-data ]"

# --- 1. customer mail in through Postfix -----------------------------
# Alice's, and ghost's for step 5, whose mailbox is gone by the time
# the acknowledgement leaves.
cat > "$T/m1.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: support@helpdesk.test
Subject: Printer on fire
Message-ID: <m1.alice@customer.test>
Date: Mon, 23 Nov 2026 10:00:00 +0000

Hello, the printer in room 4 is on fire again.
EOF
cat > "$T/m2.eml" <<'EOF'
From: Ghost <ghost@customer.test>
To: support@helpdesk.test
Subject: Where did my mailbox go
Message-ID: <m2.ghost@customer.test>
Date: Mon, 23 Nov 2026 11:00:00 +0000

I am about to disappear.
EOF
send "$T/m1.eml" alice@customer.test
send "$T/m2.eml" ghost@customer.test
if wait_for 200 log_has_n 'to=<support@helpdesk.test>.*status=sent (delivered via postdesk service)' 2; then
	ok "1. customer mail delivered by Postfix to ingest (user postdesk)"
else
	nok "1. customer mail delivered by Postfix to ingest (user postdesk)"
	diag "$(tail -20 "$T/maillog")"
fi
check_eq "tickets 1 and 2 are alice's and ghost's" \
    "alice@customer.test ghost@customer.test" \
    "$(sq 'SELECT requester FROM tickets ORDER BY id' | tr '\n' ' ' | sed 's/ $//')"
check "nothing in the state directory belongs to root" \
    test -z "$(find "$R/var/lib/postdesk" ! -user postdesk)"

# notify --watch drains the outbox at once, then every poll_interval
# (default 30 s); started now, only the closed notice of step 4 waits
# for a poll.
dp_notify_start
check "postdesk-notify runs as the unit says: $NCMD as $NUSER" \
    sh -c "[ \"\$(ps -o user= -p $NPID 2>/dev/null | tr -d ' ')\" = '$NUSER' ] &&
	tr '\\0' ' ' </proc/$NPID/cmdline | grep -q -- '$NARGS'"

# --- 2. the acknowledgement reaches the sink through Postfix ---------
has_mail_to() { grep -qil "^X-Envelope-To: $1" "$T/out"/*.eml 2>/dev/null; }
if wait_for 300 has_mail_to alice@customer.test; then
	ok "2. the acknowledgement reached the customers' MX, relayed by Postfix"
else
	nok "2. the acknowledgement reached the customers' MX, relayed by Postfix"
	diag "$(tail -20 "$T/maillog")" "$(cat "$T/notify.out")"
fi
ACK=$(mail_to out alice@customer.test)
row=$(sq "SELECT id FROM outbox WHERE ticket_id = 1 AND template = 'new-ticket'")
check "its return path is bounces+$row@helpdesk.test (VERP)" \
    test "$(hdr "$ACK" X-Envelope-From)" = "bounces+$row@helpdesk.test"
check "it went through Postfix (Received: by mx.helpdesk.test)" \
    grep -q 'by mx.helpdesk.test' "$ACK"
LINK=$(dp_body "$ACK" | grep -o "$BASE/postdesk/[^ ]*" | head -1)
check "the acknowledgement has a viewer link below base_url: $LINK" \
    test -n "$LINK"
# No staff listed: the customers' acknowledgements are all there is.
check_eq "no staff copy: the outbox holds mail to alice and ghost only" \
    "alice@customer.test ghost@customer.test" "$(sq "SELECT group_concat(r, ' ')
	FROM (SELECT DISTINCT recipients AS r FROM outbox ORDER BY r)")"

# --- 3. the customer opens the link through lighttpd -----------------
C=$T/curl; mkdir -p "$C"
code=$(curl -s -L -c "$C/jar" -b "$C/jar" -o "$C/cust" -w '%{http_code}' "$LINK")
check "3. the customer's link opens her ticket (HTTP $code)" sh -c \
    "[ '$code' = 200 ] && grep -q 'Printer on fire' '$C/cust' &&
	grep -q 'room 4 is on fire' '$C/cust'"
check "her session cookie works without the link" sh -c \
    "curl -s -b '$C/jar' '$BASE/postdesk/' | grep -q 'Printer on fire'"
check "she sees none of ghost's ticket" sh -c \
    "! curl -s -b '$C/jar' '$BASE/postdesk/' | grep -q 'mailbox go'"
check "the CGI (as www-data) left nothing in the state directory outside group postdesk" \
    test -z "$(find "$R/var/lib/postdesk" ! -group postdesk)"

# --- 4. staff change the status on the web ---------------------------
printf 'staff:%s\n' "$(openssl passwd -apr1 staffpw)" >"$R/etc/postdesk/htpasswd"
chown root:postdesk "$R/etc/postdesk/htpasswd"
chmod 0640 "$R/etc/postdesk/htpasswd"
SB=$BASE/postdesk-staff
check "the staff URL wants a password (401)" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "$SB/")" = 401
code=$(curl -s -u staff:staffpw -o "$C/cu1" -w '%{http_code}' "$BASE/postdesk/ticket/1")
check "the staff password on the customer URL makes no one staff (HTTP $code)" \
    sh -c "[ '$code' != 200 ] && ! grep -q 'Printer on fire' '$C/cu1'"
# Nor would a REMOTE_USER that reached the CGI on the customer path
# (a site-wide login, say): the CGI itself, as www-data, as lighttpd
# runs it, with the staff path's user but the customer path's SCRIPT_NAME.
cgi_as() {	# cgi_as SCRIPT_NAME: GET /ticket/1 as REMOTE_USER=staff
	(cd / && env -i PATH=/usr/bin:/bin POSTDESK_CONFIG="$CONF" \
	    REQUEST_METHOD=GET PATH_INFO=/ticket/1 SCRIPT_NAME="$1" \
	    REMOTE_USER=staff setpriv --reuid=www-data --regid=www-data \
	    --init-groups "$R/usr/lib/postdesk/postdesk.cgi" | head -1 | cut -d" " -f1-2)
}
check_eq "REMOTE_USER on the customer path: 403; on the staff path: 200" \
    "Status: 403|Status: 200" \
    "$(cgi_as /postdesk | tr -d '\r')|$(cgi_as /postdesk-staff | tr -d '\r')"
code=$(curl -s -u staff:staffpw -o "$C/st1" -w '%{http_code}' "$SB/ticket/1")
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/st1" | head -1)
check "staff see ticket 1 (HTTP $code), with a CSRF token in the form" \
    sh -c "[ '$code' = 200 ] && [ -n '$csrf' ] && grep -q 'staff@helpdesk.test' '$C/st1'"
code=$(curl -s -u staff:staffpw -o /dev/null -w '%{http_code}' \
    -d "status=closed&priority=normal" "$SB/ticket/1/update")
check_eq "a POST without the CSRF token is refused" 403 "$code"
code=$(curl -s -u staff:staffpw -o /dev/null -w '%{http_code}' \
    -d "csrf=$csrf&status=closed&priority=normal" "$SB/ticket/1/update")
check_eq "4. staff close ticket 1 with a real POST (303, then closed)" \
    "303 closed" "$code $(sq 'SELECT status FROM tickets WHERE id = 1')"
check_eq "the event names the staff member, user@[mail] host" \
    staff@helpdesk.test "$(sq \
    "SELECT actor FROM events WHERE ticket_id = 1 AND kind = 'status'" | tail -1)"

# --- 5. a real DSN from Postfix to bounces+N@ ------------------------
g=$(sq "SELECT id FROM outbox WHERE ticket_id = 2 AND template = 'new-ticket'")
check "ghost's acknowledgement is outbox row $g" test -n "$g"
if wait_for 300 log_has_n 'to=<ghost@customer.test>.*status=bounced' 1; then
	ok "Postfix could not deliver it to ghost@ (550 at the MX: bounced)"
else
	nok "Postfix could not deliver it to ghost@ (550 at the MX: bounced)"
	diag "$(tail -10 "$T/maillog")"
fi
if wait_for 300 log_has_n "to=<bounces+$g@helpdesk.test>.*status=sent (delivered via postdesk service)" 1; then
	ok "5. Postfix's own DSN went to bounces+$g@ and into ingest"
else
	nok "5. Postfix's own DSN went to bounces+$g@ and into ingest"
	diag "$(grep -i 'bounce\|postdesk' "$T/maillog" | tail -10)"
fi
row_failed() { [ "$(sq "SELECT status FROM outbox WHERE id = '$g'")" = failed ]; }
wait_for 100 row_failed
err=$(sq "SELECT status || ': ' || last_error FROM outbox WHERE id = '$g'")
check "the DSN failed outbox row $g with the MX's 5.1.1 line, unfolded: $err" \
    sh -c "echo '$err' | grep -q '^failed: .*5\\.1\\.1 <ghost@customer.test>: Recipient address rejected\$'"
check_eq "the bounce is recorded on ticket 2" 1 "$(sq \
    "SELECT count(*) FROM events WHERE ticket_id = 2 AND kind = 'bounce'")"
check_eq "the DSN opened no ticket and is no incoming message" "2 2" \
    "$(sq "SELECT count(*) FROM tickets") $(sq "SELECT count(*) FROM messages WHERE direction = 'in'")"

# The closed notice of step 4: at notify's next poll.
closed_sent() { [ "$(grep -l "^X-Envelope-To: alice@customer.test" "$T/out"/*.eml 2>/dev/null | wc -l)" -ge 2 ]; }
if wait_for 450 closed_sent; then
	ok "notify sent the closed notice to alice through Postfix"
else
	nok "notify sent the closed notice to alice through Postfix"
	diag "$(tail -10 "$T/maillog")" "$(tail -5 "$T/notify.out")"
fi
check "no root-owned file in the state directory, after all of it" \
    test -z "$(find "$R/var/lib/postdesk" -user root)"
check "lighttpd logged no CGI error" \
    sh -c "! grep -i 'postdesk\|cgi' '$T/lighttpd-error.log'"
grep -qi 'postdesk\|cgi' "$T/lighttpd-error.log" &&
    diag "$(cat "$T/lighttpd-error.log")"

# --- postdesk check, after the round trip ----------------------------
# The bounce of step 5 must be its one problem: one line, the row.
if [ -n "$HAVE_CHECK" ]; then
	pd_check >"$T/check2.txt" 2>&1
	rc=$?
	check "postdesk check then reports the bounced row #$g, and only it (exit $rc)" \
	    sh -c "[ $rc -eq 1 ] && [ \$(grep -c . '$T/check2.txt') -eq 1 ] &&
		grep -q '#$g\b' '$T/check2.txt'"
	[ $rc -eq 1 ] || diag "$(cat "$T/check2.txt")"
else
	ok "# SKIP postdesk check is not in this build (branch ops)"
fi
check "the customers' MX got no staff copy, only alice's mail" \
    test -z "$(grep -hi '^X-Envelope-To:' "$T/out"/*.eml | grep -vi 'alice@customer.test')"
check "notify --watch is still running" kill -0 "$NPID"
exit 0
