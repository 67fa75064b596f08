#!/bin/sh
# install-steps.sh: what the Debian package's postinst does, in one
# place, so that the package and the deployment test run the same steps.
#
#   install-steps.sh configure      postinst configure (first install and
#                                   every upgrade)
#
# DESTDIR (environment, default empty): a throw-away root that holds a
# "make install DESTDIR=..." tree and the shipped postdesk.conf.  The
# steps then work below DESTDIR only, with one exception: the postdesk
# user and group are system accounts of the host (a test runs programs
# as that user).  With DESTDIR set the script also writes
# etc/postdesk/postdesk.conf.d/00-destdir.conf, pointing [store] path,
# [templates] dir and [rules] scripts into DESTDIR, because the programs
# carry /var/lib/postdesk and /usr/share/postdesk as built-in defaults.
# Nothing else differs, so the override stays clean: the package calls
# this script with DESTDIR unset, or set to DPKG_ROOT when dpkg runs
# with --root --force-script-chrootless (as tests/integration/0061 does).
#
# The steps (each idempotent):
#   1. system group and user postdesk (home /var/lib/postdesk, no shell);
#   2. /var/lib/postdesk, mode 2770 postdesk:postdesk (only if missing:
#      an admin's later choice stands);
#   3. /etc/postdesk/postdesk.conf 0640 root:postdesk (through
#      dpkg-statoverride when dpkg runs us, so upgrades keep it);
#   4. on first install, postdesk.conf.d/keys.conf 0640 root:postdesk
#      with token_key and link_key, 32 random bytes each (hex);
#   5. "postdesk init" as user postdesk: creates the database, or
#      migrates its schema on an upgrade (init is idempotent).
# Purging is debian/postrm's job: at purge time this script is gone.
set -eu

D=${DESTDIR:-}
ETC=$D/etc/postdesk
CONF=$ETC/postdesk.conf
STATE=$D/var/lib/postdesk

accounts() {
	getent group postdesk >/dev/null ||
	    addgroup --system --quiet postdesk
	getent passwd postdesk >/dev/null ||
	    adduser --system --quiet --ingroup postdesk \
	    --home /var/lib/postdesk --no-create-home \
	    --shell /usr/sbin/nologin --gecos "postdesk helpdesk" postdesk
}

state_dir() {
	[ -d "$STATE" ] && return 0
	install -d -m 2770 -o postdesk -g postdesk "$STATE"
}

conf_mode() {
	[ -f "$CONF" ] || { echo "install-steps: $CONF missing" >&2; exit 1; }
	if [ -z "$D" ] && [ -n "${DPKG_MAINTSCRIPT_PACKAGE:-}" ]; then
		dpkg-statoverride --list /etc/postdesk/postdesk.conf \
		    >/dev/null ||
		    dpkg-statoverride --update --add root postdesk 0640 \
		    /etc/postdesk/postdesk.conf
	else
		chown root:postdesk "$CONF"
		chmod 0640 "$CONF"
	fi
}

hex32() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

keys() {
	k=$CONF.d/keys.conf
	[ -e "$k" ] && return 0
	install -d -m 0755 "$CONF.d"
	(
		umask 077
		{
			echo "# Generated on first install: 32 random bytes each."
			echo "# A new token_key breaks the reply tokens in mail"
			echo "# already sent; a new link_key ends every customer"
			echo "# link.  Removed when the package is purged."
			echo "[mail]"
			echo "token_key = $(hex32)"
			echo "[web]"
			echo "link_key = $(hex32)"
		} >"$k.new"
	)
	chown root:postdesk "$k.new"
	chmod 0640 "$k.new"
	mv "$k.new" "$k"
}

destdir_paths() {
	[ -n "$D" ] || return 0
	install -d -m 0755 "$CONF.d"
	{
		echo "# install-steps.sh: paths of the throw-away root $D"
		echo "[store]"
		echo "path = $STATE/postdesk.db"
		echo "[templates]"
		echo "dir = $D/usr/share/postdesk/templates"
		echo "[rules]"
		echo "scripts = $D/usr/share/postdesk/filters/default.sieve"
	} >"$CONF.d/00-destdir.conf"
	chmod 0644 "$CONF.d/00-destdir.conf"
}

init_store() {
	pd=$D/usr/sbin/postdesk
	# cd /: the user postdesk may not enter the caller's directory.
	(cd / && runuser -u postdesk -- "$pd" --config "$CONF" init)
}

case ${1:-} in
configure)
	accounts
	state_dir
	conf_mode
	destdir_paths
	keys
	init_store
	;;
*)
	echo "usage: [DESTDIR=ROOT] $0 configure" >&2
	exit 2
	;;
esac
