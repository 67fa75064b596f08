# A throw-away Postfix instance for the MTA tests (sourced, POSIX sh):
# its own config, queue and data directories under $T, smtpd on a free
# loopback port, and the shipped contrib/mta/postfix-main.cf and
# postfix-master.cf appended UNCHANGED but for postdesk_domain (the one
# value an admin sets) and the path of postdesk-ingest (a copy of the
# fresh build, with --config $T/postdesk.conf): support@, support+x@
# and bounces+N@helpdesk.test reach postdesk-ingest, run as the user
# postdesk.  Mail for customer.test (the local domain) goes to the pipe
# service "sink", which writes each message to $T/sink/ (DSNs land
# there).
#
# The caller sets T (a fresh temp dir), defines check (and diag), and
# calls pf_stop from its EXIT trap.  Order of use:
#   pf_require; pf_setup; <write $T/postdesk.conf, postdesk init>;
#   pf_check; pf_start || exit 1; send FILE FROM [TO]; ...
# pf_setup sets PF_PORT; pf_start sets pf_master_pid.

pf_master_pid=""

pf_skip_all() { echo "1..0 # SKIP $1"; exit 0; }

# Skips the whole test unless Postfix can run here.
pf_require() {
	[ "$(id -u)" -eq 0 ] || pf_skip_all "Postfix's master(8) must start as root"
	POSTFIX_SBIN=$(postconf -d -h daemon_directory 2>/dev/null) ||
	    pf_skip_all "postfix not installed (contrib/deps.sh --tests)"
	command -v swaks >/dev/null ||
	    pf_skip_all "swaks not installed (contrib/deps.sh --tests)"
	command -v python3 >/dev/null || pf_skip_all "python3 not installed"
	command -v sqlite3 >/dev/null ||
	    pf_skip_all "sqlite3 not installed (contrib/deps.sh --tests)"
	id nobody >/dev/null 2>&1 ||
	    pf_skip_all "no user nobody for the sink service"
	command -v runuser >/dev/null ||
	    pf_skip_all "runuser not installed (util-linux)"
	# PF_OWN_USER=1: the caller creates the user itself (0060 through
	# the package's postinst steps).
	[ -n "${PF_OWN_USER:-}" ] || pd_user_require ||
	    pf_skip_all "no user postdesk and cannot create it"
}

# The production user: a postdesk system user and group, created here
# if absent, the way the package's postinst does.
pd_user_require() {
	id postdesk >/dev/null 2>&1 && return 0
	useradd --system --user-group --home-dir /var/lib/postdesk \
	    --no-create-home --shell /usr/sbin/nologin postdesk \
	    >/dev/null 2>&1
	id postdesk >/dev/null 2>&1
}

# The pipe service runs as postdesk: everything it touches must be
# reachable by postdesk.  The binaries are copied so that the build
# tree's permissions do not matter.  The database lives in $T/db, the
# state directory of the permission model: postdesk:postdesk, 2770.
pf_setup() {
	chmod 0755 "$T"
	mkdir -p "$T/etc" "$T/queue" "$T/data" "$T/bin" "$T/db" "$T/sink"
	cp "$top_builddir/postdesk-ingest" "$top_builddir/postdesk" "$T/bin/"
	chown postdesk:postdesk "$T/db"
	chmod 2770 "$T/db"
	chown nobody "$T/sink"
	chown postfix "$T/data"
	PF_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

	cat > "$T/bin/sink" <<'EOF'
#!/bin/sh
cat > "$1/msg.$$"
EOF
	chmod 0755 "$T/bin/sink"

	cat > "$T/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $T/queue
data_directory = $T/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.helpdesk.test
mydomain = helpdesk.test
myorigin = helpdesk.test
mydestination = customer.test
local_transport = sink
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
local_recipient_maps =
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
maillog_file = $T/maillog
maillog_file_prefixes = $T
# Retry deferred mail quickly, so the test does not wait long.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 0
EOF
	# The shipped snippet, as an admin appends it, and its one value.
	cat "$top_srcdir/contrib/mta/postfix-main.cf" >> "$T/etc/main.cf"
	postconf -c "$T/etc" -e postdesk_domain=helpdesk.test

	# No chroot: a throw-away instance has no copy of /etc in its queue.
	cat > "$T/etc/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n  -       n       -       -       smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
sink      unix  -       n       n       -       -       pipe
  flags=R user=nobody argv=$T/bin/sink $T/sink
EOF
	# The shipped service; only the program's path differs (PF_INGEST:
	# the caller's program and --config, default the copy in $T/bin).
	sed "s#/usr/sbin/postdesk-ingest#${PF_INGEST:-$T/bin/postdesk-ingest --config $T/postdesk.conf}#" \
	    "$top_srcdir/contrib/mta/postfix-master.cf" >> "$T/etc/master.cf"
}

# postfix(8) logs only to maillog_file (stderr is not a terminal here).
pf_check() {
	if postfix -c "$T/etc" check >"$T/check.out" 2>&1 &&
	    ! grep -Eqs 'warning|error|fatal' "$T/check.out" "$T/maillog"
	then
		check "postfix check: no errors or warnings" true
	else
		check "postfix check: no errors or warnings" false
		diag "$(cat "$T/check.out" "$T/maillog" 2>/dev/null)"
	fi
}

# Polls until "$@" succeeds, up to $1 tenths of a second.
wait_for() {
	limit=$1; shift
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

pf_port_open() {
	python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PF_PORT"
}

# master(8) in the foreground (-d), under our own PID.  Fails when
# smtpd does not listen within 10 s.
pf_start() {
	"$POSTFIX_SBIN/master" -c "$T/etc" -d </dev/null >"$T/master.out" 2>&1 &
	pf_master_pid=$!
	if wait_for 100 pf_port_open; then
		check "Postfix smtpd listens on 127.0.0.1:$PF_PORT" true
	else
		check "Postfix smtpd listens on 127.0.0.1:$PF_PORT" false
		diag "$(cat "$T/master.out" "$T/maillog" 2>/dev/null)"
		return 1
	fi
}

# master(8) stops its children on SIGTERM; wait for it.
pf_stop() {
	[ -n "$pf_master_pid" ] || return 0
	kill "$pf_master_pid" 2>/dev/null
	i=0
	while kill -0 "$pf_master_pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$pf_master_pid" 2>/dev/null
	pf_master_pid=""
}

# Runs "$@" as the pipe service's user, postdesk.  (postdesk's own
# programs become postdesk by themselves when run as root; sqlite3
# does not.)
as_pipe_user() {
	runuser -u postdesk -- "$@"
}

# pf_flush: deliver the deferred mail now (postqueue -f), as an admin
# does after a fix, rather than wait for Postfix's next queue run.
pf_flush() {
	postqueue -c "$T/etc" -f >/dev/null 2>&1 ||
	    diag "postqueue -f failed"
}

# send FILE FROM [TO]: one message over SMTP to Postfix.
send() {
	swaks --server "127.0.0.1:$PF_PORT" --helo client.customer.test \
	    --from "$2" --to "${3:-support@helpdesk.test}" \
	    --data "$1" >"$T/swaks.out" 2>&1 ||
	    { diag "swaks failed:" "$(tail -5 "$T/swaks.out")"; return 1; }
}

count_log() {
	grep -c "$1" "$T/maillog" 2>/dev/null || true
}

log_has_n() {
	[ "$(count_log "$1")" -ge "$2" ]
}
