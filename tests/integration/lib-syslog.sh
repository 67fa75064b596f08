# lib-syslog.sh: what postdesk sends to syslog, caught (sourced, POSIX sh).
#
# syslog(3) writes to the fixed path /dev/log.  syslog_start makes a
# datagram socket under $T and starts syslog-sink.py on it; with_syslog
# CMD... runs CMD in a private mount namespace (unshare -m) where /dev
# is a small tmpfs holding the usual devices and that socket as /dev/log.
# Nothing outside the namespace sees it: the machine's /dev is untouched.
# Each line of $T/syslog is one message, "<PRI>TIMESTAMP TAG[PID]: text"
# (PRI = facility * 8 + severity).  syslog_stop ends the sink by PID.
# Needs root and unshare(1); syslog_usable says whether both are there.

SYSLOG_PID=

syslog_usable() {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
	    unshare -m --propagation private true 2>/dev/null
}

syslog_start() {
	mkdir -p "$T/syslog.d"
	chmod 0755 "$T/syslog.d"
	: > "$T/syslog"
	python3 "$top_srcdir/tests/integration/syslog-sink.py" \
	    "$T/syslog.d/log" "$T/syslog" "$T/syslog.pid" &
	i=0
	while [ ! -s "$T/syslog.pid" ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	SYSLOG_PID=$(cat "$T/syslog.pid" 2>/dev/null)
	[ -n "$SYSLOG_PID" ]
}

syslog_stop() {
	[ -n "$SYSLOG_PID" ] || return 0
	kill "$SYSLOG_PID" 2>/dev/null
	i=0
	while kill -0 "$SYSLOG_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	SYSLOG_PID=
}

# with_syslog CMD...: CMD with $T/syslog.d/log as /dev/log.
with_syslog() {
	unshare -m --propagation private sh -c '
		d=$1; shift
		mkdir -p "$d/olddev"
		mount --bind /dev "$d/olddev"
		mount -t tmpfs -o mode=0755 tmpfs /dev
		for n in null zero full random urandom tty; do
			[ -e "$d/olddev/$n" ] || continue
			: > "/dev/$n"
			mount --bind "$d/olddev/$n" "/dev/$n"
		done
		ln -s /proc/self/fd /dev/fd
		: > /dev/log
		mount --bind "$d/log" /dev/log
		exec "$@"' with_syslog "$T/syslog.d" "$@"
}

# syslog_has PATTERN: a line of $T/syslog matches (grep -E), polled for
# up to 30 s (a loaded machine), since the sink writes asynchronously.
syslog_has() {
	i=0
	while ! grep -Eq -- "$1" "$T/syslog" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge 300 ] && return 1
		sleep 0.1
	done
}
