#!/bin/sh
# Quick start: install what is missing, build, and run postdesk-ingest on
# the bundled sample mail into a fresh SQLite database in ./demo, then
# show the resulting tickets.  Safe to run again (starts a fresh demo).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

./contrib/deps.sh
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

demo="$top/demo"
rm -rf "$demo"
mkdir -p "$demo"
cat > "$demo/postdesk.conf" <<CONF
# Demo configuration written by contrib/quickstart.sh
[store]
path = postdesk.db
[mail]
address = support@helpdesk.example
subject_tag = Support
host = helpdesk.example
[staff]
addresses = staff@helpdesk.example
[rules]
scripts = $top/filters/default.sieve
[templates]
dir = $top/templates
CONF
# Rules ship with the rules issue; drop the key while they are absent.
[ -f filters/default.sieve ] || sed -i '/^\[rules\]/,+1d' "$demo/postdesk.conf"
export POSTDESK_CONFIG="$demo/postdesk.conf"

./postdesk init
for f in tests/data/sample/*.eml; do
	printf '%-40s ' "$(basename "$f")"
	if ./postdesk-ingest --sender "sample@localhost" \
	    --recipient support@helpdesk.example < "$f"; then
		echo "stored (exit 0)"
	else
		echo "exit $?"
	fi
done
echo
./postdesk list
echo
./postdesk quarantine list
echo
./postdesk show 1
cat <<MSG

Database: $demo/postdesk.db  (config: $demo/postdesk.conf)
Try:  POSTDESK_CONFIG=$demo/postdesk.conf ./postdesk show 2
      ./postdesk-ingest --config $demo/postdesk.conf --explain < tests/data/sample/02-alice-followup.eml
MSG
if [ -x ./postdesk.cgi ]; then
	cat <<MSG
Viewer: POSTDESK_CONFIG=$demo/postdesk.conf contrib/web/serve-demo.sh [PORT]
        (starts lighttpd on http://127.0.0.1:8080/ with this database)
MSG
fi
