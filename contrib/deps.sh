#!/bin/sh
# Install the Debian packages postdesk needs.
#   contrib/deps.sh          build and runtime packages only (what the quick
#                            start needs: compilers, -dev libraries, sqlite3).
#                            Never an MTA or any other server.
#   contrib/deps.sh --tests  the above plus what the test suite runs: Postfix,
#                            Dovecot, lighttpd, Chromium, swaks, aiosmtpd,
#                            opendkim (the signer of the DKIM tests),
#                            opendkim-tools, the packaging tools,
#                            PostgreSQL 15 (lib-pg.sh runs its own).  Only
#                            tests/run.sh asks for this: installing Postfix
#                            makes apt remove a site's exim4, OpenSMTPD or dma.
# Idempotent: packages already present are skipped; no terminal needed.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config
 libglib2.0-dev libgmime-3.0-dev libsqlite3-dev libpcre2-dev
 libcurl4-gnutls-dev libetpan-dev libgnutls28-dev libspf2-dev
 libjson-glib-dev libpsl-dev libopendkim-dev libssl-dev sqlite3 gettext
 libpq-dev"
TEST="postfix swaks python3-aiosmtpd dovecot-imapd dovecot-pop3d
 lighttpd chromium curl openssl procps nodejs python3 time
 opendkim opendkim-tools debhelper lintian fakeroot dpkg-dev
 postgresql-15"

list=$BUILD
case ${1:-} in
--tests) list="$BUILD $TEST" ;;
"") ;;
*) echo "usage: $0 [--tests]" >&2; exit 2 ;;
esac

want=""
for p in $list; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed'; then
		want="$want $p"
	fi
done
[ -n "$want" ] || { echo "deps: all packages present"; exit 0; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing$want"
case " $want " in
*" postfix "*)
	# Postfix asks debconf questions; preseed "No configuration".
	echo "postfix postfix/main_mailer_type select No configuration" |
	    $SUDO debconf-set-selections ;;
esac
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want
# Tests start their own server instances; stop any a package started.
if [ "${1:-}" = --tests ]; then
	for s in postfix dovecot lighttpd opendkim postgresql; do
		$SUDO service "$s" stop >/dev/null 2>&1 || true
	done
fi
exit 0
