#!/bin/sh
# Serves the quick-start demo database with lighttpd on 127.0.0.1 so the
# viewer can be tried in a browser.  Staff: http://127.0.0.1:PORT/staff/
# (user "staff", password "staff", mapped to staff@helpdesk.example);
# a customer link is printed.  Ctrl-C stops it.
#   POSTDESK_CONFIG=demo/postdesk.conf contrib/web/serve-demo.sh [PORT]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
port=${1:-8080}
conf=${POSTDESK_CONFIG:-$top/demo/postdesk.conf}
[ -f "$conf" ] || { echo "no $conf: run contrib/quickstart.sh first"; exit 1; }
cgi="$top/postdesk.cgi"
[ -x "$cgi" ] || { echo "no $cgi: build first (make)"; exit 1; }
# The quick start installs no servers (contrib/deps.sh); the demo needs one.
lighttpd=$(command -v lighttpd 2>/dev/null || echo /usr/sbin/lighttpd)
[ -x "$lighttpd" ] || {
	echo "serve-demo needs lighttpd: apt-get install --no-install-recommends lighttpd"
	exit 69
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/postdesk-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/www/staff"
ln -s "$cgi" "$dir/www/pd.cgi"
ln -s "$cgi" "$dir/www/staff/pd.cgi"
printf 'staff:staff\n' > "$dir/users"
grep -q '^\[web\]' "$conf" || cat >> "$conf" <<CONF
[web]
base_url = http://127.0.0.1:$port/pd.cgi
link_key = demo-only-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
staff_users = staff=staff@helpdesk.example
CONF
cat > "$dir/lighttpd.conf" <<CONF
server.document-root = "$dir/www"
server.bind = "127.0.0.1"
server.port = $port
server.modules = ( "mod_access", "mod_auth", "mod_authn_file",
    "mod_setenv", "mod_cgi" )
cgi.assign = ( ".cgi" => "" )
setenv.add-environment = ( "POSTDESK_CONFIG" => "$conf" )
auth.backend = "plain"
auth.backend.plain.userfile = "$dir/users"
auth.require = ( "/staff/" => ( "method" => "basic",
    "realm" => "postdesk staff", "require" => "valid-user" ) )
CONF
echo "staff:    http://127.0.0.1:$port/staff/pd.cgi/   (staff / staff)"
echo "customer: $(POSTDESK_CONFIG=$conf "$top/postdesk" link alice@shop.example)"
exec "$lighttpd" -D -f "$dir/lighttpd.conf"
