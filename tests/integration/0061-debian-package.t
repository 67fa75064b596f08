#!/bin/sh
# The Debian package, built from the tree as an admin would build it:
# dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=nocheck) in a copy, so
# the source tree stays clean; lintian reports no error; dpkg-deb -c
# shows the policy layout (admin programs in /usr/sbin, the CGI in
# /usr/lib/postdesk, data under /usr/share/postdesk, examples under
# /usr/share/doc/postdesk/examples, the systemd units); the conffile
# carries no key; and dpkg itself installs it into a throw-away root
# (dpkg --root --force-script-chrootless), running the real postinst
# (contrib/install-steps.sh below DPKG_ROOT): user and group postdesk,
# /var/lib/postdesk 2770, the conffile 0640 root:postdesk, generated
# keys, a database made by user postdesk, "postdesk check" clean; an
# upgrade keeps the keys;
# remove keeps the data, purge removes it and the user stays.  The
# shipped units have a systemd-analyze security exposure of at most 4.0.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d /tmp/postdesk-deb.XXXXXX)
chmod 755 "$T"	# the throw-away root must be reachable for user postdesk
trap '[ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
diag() { sed 's/^/# /' "$@"; }
NT=27
echo "1..$NT"
skip_all() {
	i=0; while [ $i -lt $NT ]; do i=$((i + 1)); echo "ok $i # SKIP $1"; done
	exit 0
}
for c in dpkg-buildpackage dh lintian fakeroot; do
	command -v $c >/dev/null || skip_all "$c not installed (contrib/deps.sh --tests)"
done
[ "$(id -u)" -eq 0 ] || skip_all "the postinst steps need root"

# A copy of the source: tracked and new files of a git checkout (never
# build products), or the whole directory of an unpacked dist tarball.
mkdir "$T/src"
# (A dist tarball unpacked inside a checkout, as by make distcheck, is
# not that checkout: compare the top levels.)
top=$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)
if [ -n "$top" ] && [ "$top" = "$(cd "$top_srcdir" && pwd -P)" ]; then
	(cd "$top_srcdir" && git ls-files -co --exclude-standard -z |
	    xargs -0 tar cf - --no-recursion) | tar xf - -C "$T/src"
else
	cp -R "$top_srcdir/." "$T/src/"
	chmod -R u+w "$T/src"	# distcheck hands us a read-only tree
fi
(cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1)
rc=$?
DEB=$(ls "$T"/postdesk_*_*.deb 2>/dev/null | head -1)
if [ $rc -eq 0 ] && [ -f "$DEB" ]; then
	ok "dpkg-buildpackage -us -uc -b builds $(basename "$DEB")"
else
	nok "dpkg-buildpackage -us -uc -b builds ../postdesk_VERSION_ARCH.deb"
	tail -30 "$T/build.log" | diag
	i=$n; while [ $i -lt $NT ]; do i=$((i + 1)); echo "not ok $i - no package"; done
	exit 0
fi

lintian --tag-display-limit 0 "$T"/postdesk_*.changes >"$T/lintian.log" 2>&1
grep -v '^running with root' "$T/lintian.log" | diag
check "lintian: no errors" sh -c "! grep -q '^E: ' '$T/lintian.log'"

dpkg-deb -c "$DEB" | awk '{ print $1, $2, $NF }' >"$T/files"
has() { grep -q " \./$1\$" "$T/files"; }
check "admin programs in /usr/sbin" has usr/sbin/postdesk && has usr/sbin/postdesk-ingest &&
    has usr/sbin/postdesk-notify && has usr/sbin/postdesk-fetch
check "nothing in /usr/bin" sh -c "! grep -q ' ./usr/bin/' '$T/files'"
check "the CGI in /usr/lib/postdesk/postdesk.cgi, executable" \
    grep -q '^-rwxr-xr-x root/root ./usr/lib/postdesk/postdesk.cgi$' "$T/files"
check "templates and filters under /usr/share/postdesk, not executable" sh -c "
    grep -q ' ./usr/share/postdesk/templates/mail/new-ticket.txt\$' '$T/files' &&
    grep -q ' ./usr/share/postdesk/templates/web/layout.html\$' '$T/files' &&
    grep -q ' ./usr/share/postdesk/filters/default.sieve\$' '$T/files' &&
    ! grep '^-..x.* ./usr/share/postdesk/' '$T/files' | grep -q ."
check "man pages in sections 5 and 8" has usr/share/man/man5/postdesk.conf.5.gz &&
    has usr/share/man/man8/postdesk.8.gz && has usr/share/man/man8/postdesk.cgi.8.gz
check "examples: config, MTA and web snippets" \
    has usr/share/doc/postdesk/examples/postdesk.conf.example &&
    has usr/share/doc/postdesk/examples/mta/postfix-master.cf &&
    has usr/share/doc/postdesk/examples/web/lighttpd.conf
check "systemd units" has lib/systemd/system/postdesk-notify.service &&
    has lib/systemd/system/postdesk-fetch@.service &&
    has lib/systemd/system/postdesk-tick.service &&
    has lib/systemd/system/postdesk-tick.timer
dpkg-deb -e "$DEB" "$T/ctl"
check "/etc/postdesk/postdesk.conf is a conffile" \
    grep -qx /etc/postdesk/postdesk.conf "$T/ctl/conffiles"
check "Depends: any MTA (default-mta | mail-transport-agent), adduser" sh -c "
    grep '^Depends:' '$T/ctl/control' | grep -q 'default-mta | mail-transport-agent' &&
    grep '^Depends:' '$T/ctl/control' | grep -q adduser"

# The package installed into a throw-away root by dpkg itself, so the
# real maintainer scripts run: dpkg --root --force-script-chrootless
# gives them DPKG_ROOT, which postinst hands to install-steps as DESTDIR
# (the root holds no libraries, hence --force-depends).
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
dpkg_root() {
	dpkg --root="$R" --force-script-chrootless --force-depends \
	    --log=/dev/null "$@"
}

HOSTLINK=/etc/systemd/system/multi-user.target.wants/postdesk-notify.service
host_before=$(test -L "$HOSTLINK" && echo linked)
dpkg_root -i "$DEB" >"$T/steps.log" 2>&1
rc=$?
grep -v 'depends on\|is not installed\|dependency problems' "$T/steps.log" | diag
check "dpkg -i: unpacked and configured (postinst ran install-steps)" sh -c \
    "test $rc -eq 0 && grep -q 'Setting up postdesk' '$T/steps.log'"
check "the conffile holds no token_key or link_key" \
    sh -c "! grep -Eq '^[[:space:]]*(token_key|link_key)[[:space:]]*=' '$R/etc/postdesk/postdesk.conf'"
check "system user and group postdesk exist" sh -c \
    "getent passwd postdesk >/dev/null && getent group postdesk >/dev/null"
check "/var/lib/postdesk: 2770 postdesk:postdesk" \
    test "$(stat -c '%a %U:%G' "$R/var/lib/postdesk")" = "2770 postdesk:postdesk"
check "postdesk.conf: 0640 root:postdesk" \
    test "$(stat -c '%a %U:%G' "$R/etc/postdesk/postdesk.conf")" = "640 root:postdesk"
K=$R/etc/postdesk/postdesk.conf.d/keys.conf
check "keys.conf: 0640 root:postdesk, two keys of 32 random bytes" sh -c "
    test \"\$(stat -c '%a %U:%G' '$K')\" = '640 root:postdesk' &&
    grep -Eq '^token_key = [0-9a-f]{64}\$' '$K' && grep -Eq '^link_key = [0-9a-f]{64}\$' '$K' &&
    test \"\$(sed -n 's/^token_key = //p' '$K')\" != \"\$(sed -n 's/^link_key = //p' '$K')\""
check "the database was made by user postdesk, at the current schema" sh -c "
    grep -q 'ready (schema version [0-9]' '$T/steps.log' &&
    test \"\$(stat -c %U '$R/var/lib/postdesk/postdesk.db')\" = postdesk &&
    ! find '$R/var/lib/postdesk' -user root | grep -q ."
cp "$K" "$T/keys.before"
(cd / && "$R/usr/sbin/postdesk" --config "$R/etc/postdesk/postdesk.conf" check) \
    >"$T/check.out" 2>&1
rc=$?
diag "$T/check.out"
check "postdesk check is clean on the fresh install" test $rc -eq 0
check "the shipped file with the generated keys loads as user postdesk" sh -c "
    cd / && runuser -u postdesk -- '$R/usr/sbin/postdesk' --config '$R/etc/postdesk/postdesk.conf' list >/dev/null"
dpkg_root -i "$DEB" >"$T/steps2.log" 2>&1
rc=$?
check "an upgrade (dpkg -i again) migrates, keeps the keys and the mode" sh -c "
    test $rc -eq 0 && grep -q 'ready (schema version' '$T/steps2.log' &&
    cmp -s '$K' '$T/keys.before' &&
    test \"\$(stat -c '%a %U:%G' '$R/etc/postdesk/postdesk.conf')\" = '640 root:postdesk'"
host_after=$(test -L "$HOSTLINK" && echo linked)
check "the units are enabled below the root, not on this host" sh -c "
    test '$host_before' = '$host_after' && test -L '$R/etc/systemd/system/multi-user.target.wants/postdesk-notify.service' &&
    test -L '$R/etc/systemd/system/timers.target.wants/postdesk-tick.timer'"
dpkg_root -r postdesk >"$T/remove.log" 2>&1
check "remove keeps the data and the keys" sh -c "
    test -f '$R/var/lib/postdesk/postdesk.db' && test -f '$K'"
dpkg_root -P postdesk >"$T/purge.log" 2>&1
check "purge removes the data, the keys and the conffile; the user stays" sh -c "
    ! test -e '$R/var/lib/postdesk' && ! test -e '$R/etc/postdesk' &&
    getent passwd postdesk >/dev/null"

# Hardening of the shipped units: systemd-analyze's exposure at most 4.0
# (its --threshold counts tenths).
for u in postdesk-notify.service postdesk-tick.service postdesk-fetch@.service; do
	f=$top_srcdir/contrib/systemd/$u
	if ! systemd-analyze security --offline=true "$f" >"$T/sec.out" 2>&1; then
		n=$((n + 1)); echo "ok $n # SKIP systemd-analyze security --offline unavailable"
		continue
	fi
	grep 'Overall exposure level' "$T/sec.out" | diag
	check "$u: exposure at most 4.0" sh -c \
	    "systemd-analyze security --offline=true --threshold=40 '$f' >/dev/null 2>&1"
done
