#!/bin/sh
# Install the Debian packages postdesk needs to build and test.
# Idempotent: packages already present are skipped; no terminal needed.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config
 libglib2.0-dev libgmime-3.0-dev libsqlite3-dev libpcre2-dev
 libcurl4-gnutls-dev libetpan-dev libgnutls28-dev libspf2-dev
 libjson-glib-dev"
TEST="sqlite3 postfix swaks python3-aiosmtpd dovecot-imapd dovecot-pop3d
 lighttpd chromium curl openssl procps nodejs python3 time"

want=""
for p in $BUILD $TEST; do
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
# Postfix asks debconf questions; preseed "No configuration".
echo "postfix postfix/main_mailer_type select No configuration" |
    $SUDO debconf-set-selections
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want
# Tests start their own server instances; stop any a package started.
for s in postfix dovecot lighttpd; do
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
