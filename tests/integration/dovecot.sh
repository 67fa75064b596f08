# Sourced by the fetch tests: a throw-away Dovecot on loopback.
#
#   dovecot_start DIR       writes DIR/dovecot.conf, a self-signed
#                           certificate (DIR/cert.pem, for 127.0.0.1) and
#                           the user "support" (password "s3cret"), starts
#                           Dovecot and sets IMAP_PORT IMAPS_PORT POP3_PORT
#                           POP3S_PORT DOVECOT_PID MAILDIR
#   dovecot_stop            kills it by PID
#   free_port               prints a free loopback TCP port
#
# With DOVECOT_OAUTH2_URL set (an RFC 7662 introspection endpoint, e.g.
# oauth2-server.py's), "support" may also log in with XOAUTH2 or
# OAUTHBEARER: Dovecot's oauth2 passdb POSTs the token there and wants
# {"active": true, "username": "support"} back.
#
# Mail lives in DIR/home/support/Maildir.  Plain IMAP/POP3 listeners offer
# STARTTLS/STLS and refuse LOGIN before it (disable_plaintext_auth).

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

dovecot_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	    -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}

dovecot_start() {
	_d=$1
	mkdir -p "$_d/run" "$_d/state" "$_d/home/support/Maildir/cur" \
	    "$_d/home/support/Maildir/new" "$_d/home/support/Maildir/tmp"
	MAILDIR=$_d/home/support/Maildir
	# Dovecot's auth and mail processes run as other users: let them in.
	chmod 755 "$_d" "$(dirname "$_d")"
	[ -f "$_d/cert.pem" ] || dovecot_cert "$_d" || return 1
	IMAP_PORT=$(free_port); IMAPS_PORT=$(free_port)
	POP3_PORT=$(free_port); POP3S_PORT=$(free_port)
	echo "support:{PLAIN}s3cret:::::" > "$_d/passwd"
	_mechs="plain login" _pwmechs="" _oauth2=""
	if [ -n "${DOVECOT_OAUTH2_URL:-}" ]; then
		_mechs="plain login xoauth2 oauthbearer"
		_pwmechs="mechanisms = plain login"
		cat > "$_d/dovecot-oauth2.conf.ext" <<OAUTH
introspection_mode = post
introspection_url = $DOVECOT_OAUTH2_URL
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
OAUTH
		_oauth2="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $_d/dovecot-oauth2.conf.ext
}"
	fi
	# Dovecot will not deliver as root: mail belongs to nobody then.
	_uid=$(id -u); _gid=$(id -g)
	if [ "$_uid" -eq 0 ]; then
		_uid=65534; _gid=65534
		chown -R "$_uid:$_gid" "$_d/home"
	fi
	cat > "$_d/dovecot.conf" <<CONF
base_dir = $_d/run
state_dir = $_d/state
instance_name = pdtest-$$-$IMAP_PORT
log_path = $_d/dovecot.log
# The command a session runs shows in its process title: a test can
# wait for a client's IDLE (dovecot_idle) instead of sleeping.
verbose_proctitle = yes
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <$_d/cert.pem
ssl_key = <$_d/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = yes
auth_mechanisms = $_mechs
first_valid_uid = 0
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $_d/passwd
  $_pwmechs
}
$_oauth2
userdb {
  driver = static
  args = uid=$_uid gid=$_gid home=$_d/home/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Archive {
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
CONF
	# In the foreground (-F) so $! is the master's PID to kill.
	dovecot -F -c "$_d/dovecot.conf" >>"$_d/dovecot.log" 2>&1 &
	DOVECOT_PID=$!
	printf 'IMAP_PORT=%s IMAPS_PORT=%s POP3_PORT=%s POP3S_PORT=%s DOVECOT_PID=%s MAILDIR=%s\n' \
	    "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" \
	    "$DOVECOT_PID" "$MAILDIR" > "$_d/env"
	# Wait until the IMAPS listener answers (30 s: a loaded machine).
	_i=0
	while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $IMAPS_PORT), 1)" 2>/dev/null &&
	    [ $_i -lt 300 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	kill -0 "$DOVECOT_PID" 2>/dev/null
}

# dovecot_idle: one of this instance's IMAP sessions is in IDLE.
dovecot_idle() {
	ps -o args= --ppid "$DOVECOT_PID" 2>/dev/null | grep -q ' IDLE\]'
}

dovecot_stop() {
	if [ -n "${DOVECOT_PID:-}" ]; then
		kill "$DOVECOT_PID" 2>/dev/null
		_i=0
		while kill -0 "$DOVECOT_PID" 2>/dev/null && [ $_i -lt 50 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		DOVECOT_PID=
	fi
}

# maildir_put DIR NAME: stdin becomes DIR/new/NAME (atomically via tmp/).
maildir_put() {
	cat > "$1/tmp/$2" && chmod 644 "$1/tmp/$2" && mv "$1/tmp/$2" "$1/new/$2"
}
