# lib-deployed.sh: postdesk installed the way the Debian package
# installs it, below a throw-away root (sourced by 0060-deployed.t).
# The caller sets T, R (the root, below T), top_srcdir, top_builddir,
# and for the later steps SINK_PORT, WEB_PORT, BASE, PF_PORT.
# Sets CONF (the root's postdesk.conf), LPID (lighttpd), NPID (notify)
# and NCMD/NARGS/NUSER (what the unit file says).

# make install with the package's directories (debian/rules passes them
# to configure), then what debian/rules' override_dh_auto_install adds.
dp_install() {
	env -u MAKEFLAGS -u MFLAGS make -s -C "$top_builddir" install \
	    DESTDIR="$R" prefix=/usr sysconfdir=/etc localstatedir=/var \
	    libexecdir=/usr/lib || return 1
	install -D -m 0644 "$top_srcdir/contrib/postdesk.conf.shipped" \
	    "$R/etc/postdesk/postdesk.conf" &&
	install -D -m 0755 "$top_srcdir/contrib/install-steps.sh" \
	    "$R/usr/lib/postdesk/install-steps" &&
	install -d "$R/lib/systemd/system" &&
	install -m 0644 "$top_srcdir"/contrib/systemd/*.service \
	    "$top_srcdir"/contrib/systemd/*.timer "$R/lib/systemd/system/" &&
	find "$R/usr/share/postdesk" -type f -exec chmod 0644 {} +
}

# set_key FILE SECTION KEY VALUE: replaces KEY's line in SECTION (the
# admin's edit of an EDIT line of the shipped file).
dp_set_key() {
	$PY - "$@" <<'EOF'
import re, sys
f, sect, key, val = sys.argv[1:]
out, cur, done = [], None, False
for line in open(f):
    m = re.match(r'\s*\[(\w+)\]', line)
    if m:
        cur = m.group(1)
    elif cur == sect and re.match(r'\s*%s\s*=' % re.escape(key), line):
        line, done = '%s = %s\n' % (key, val), True
    out.append(line)
if not done:
    sys.exit('%s: no [%s] %s to edit' % (f, sect, key))
open(f, 'w').write(''.join(out))
EOF
}

# What the admin edits after installing: the three EDIT keys, nothing
# else (the staff are the web server's password file, postdesk.cgi(8)).
dp_admin_edits() {
	dp_set_key "$CONF" mail address support@helpdesk.test &&
	dp_set_key "$CONF" mail host helpdesk.test &&
	dp_set_key "$CONF" web base_url "$BASE/postdesk"
}

# Test plumbing, as a drop-in: notify sends through the test Postfix.
dp_notify_conf() {
	{
		echo "# 0060-deployed.t: the test Postfix's loopback port"
		echo "[notify]"
		echo "smtp_url = smtp://127.0.0.1:$PF_PORT"
	} >"$CONF.d/90-test.conf"
	chmod 0644 "$CONF.d/90-test.conf"
}

# lib-postfix.sh's instance delivers customer.test locally; here the
# customers live behind the SMTP sink: nothing is local, everything not
# ours is relayed to the sink (the smtp service added for that).
dp_postfix_relay() {
	postconf -c "$T/etc" -e "mydestination =" \
	    "relayhost = [127.0.0.1]:$SINK_PORT" &&
	printf 'smtp      unix  -       -       n       -       -       smtp\n' \
	    >>"$T/etc/master.cf"
}

# lighttpd as www-data: a minimal server config and the shipped snippet,
# whose /usr/lib/postdesk and /etc/postdesk become the root's.
dp_lighttpd_start() {
	mkdir -p "$T/www"
	: >"$T/lighttpd-error.log"
	chown www-data "$T/lighttpd-error.log"
	sed -e "s#\"/usr/lib/postdesk/#\"$R/usr/lib/postdesk/#g" \
	    -e "s#\"/etc/postdesk/#\"$R/etc/postdesk/#g" \
	    "$top_srcdir/contrib/web/lighttpd.conf" >"$T/lighttpd-postdesk.conf"
	cat >"$T/lighttpd.conf" <<EOF
server.document-root = "$T/www"
server.bind = "127.0.0.1"
server.port = $WEB_PORT
server.username = "www-data"
server.groupname = "www-data"
server.errorlog = "$T/lighttpd-error.log"
server.breakagelog = "$T/lighttpd-error.log"
include "$T/lighttpd-postdesk.conf"
EOF
	lighttpd -tt -f "$T/lighttpd.conf" >"$T/lighttpd.out" 2>&1 || {
		diag "$(cat "$T/lighttpd.out")"; return 1; }
	lighttpd -D -f "$T/lighttpd.conf" >>"$T/lighttpd.out" 2>&1 &
	LPID=$!
	wait_for 100 curl -s -o /dev/null "$BASE/" || {
		diag "$(cat "$T/lighttpd.out" "$T/lighttpd-error.log")"; return 1; }
}

# unit_key KEY: the value of KEY= in the shipped notify unit.
dp_unit_key() {
	sed -n "s/^$1=//p" "$R/lib/systemd/system/postdesk-notify.service" |
	    head -1
}

# postdesk-notify as its unit runs it: ExecStart's command line (its
# program below the root), User, Group, UMask, a clean environment but
# for POSTDESK_CONFIG (what an admin's drop-in Environment= would set).
dp_notify_start() {
	NCMD=$(dp_unit_key ExecStart)
	NUSER=$(dp_unit_key User)
	ngroup=$(dp_unit_key Group)
	numask=$(dp_unit_key UMask)
	NARGS=${NCMD#* }
	[ "$NARGS" = "$NCMD" ] && NARGS=
	prog=${NCMD%% *}
	# shellcheck disable=SC2086
	(umask "${numask:-0022}" && cd / &&
	    exec setpriv --reuid="$NUSER" --regid="${ngroup:-$NUSER}" \
	    --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    POSTDESK_CONFIG="$CONF" "$R$prog" $NARGS) >"$T/notify.out" 2>&1 &
	NPID=$!
	wait_for 50 kill -0 "$NPID"
}

# dp_body FILE: a delivered mail's text, transfer encoding undone.
dp_body() {
	$PY - "$1" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'),
                                   policy=email.policy.default)
b = m.get_body(preferencelist=('plain',))
print(b.get_content() if b is not None else '')
EOF
}
