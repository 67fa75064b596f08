#!/bin/sh
# contrib/postdesk.conf.example stays complete and loadable: it shows
# every key of config.c's known_keys table in its group, postdesk.conf(5)
# names every key, the shipped file (all commented) and the file with
# every key uncommented both load, and a typo in it is refused with
# exit 78 naming the line.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

EX="$top_srcdir/contrib/postdesk.conf.example"
INGEST="$top_builddir/postdesk-ingest"

T=$(mktemp -d /tmp/postdesk-example.XXXXXX)
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
. "$top_srcdir/tests/integration/lib-pg.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

echo "1..6"

# "group key" for every row of known_keys.
sed -n 's/^[[:space:]]*{ "\([a-z_.]*\)", "\([a-z_]*\)", KEY_.*/\1 \2/p' \
    "$top_srcdir/src/config.c" > "$T/keys"
nkeys=$(grep -c . "$T/keys")
if [ "$nkeys" -ge 30 ]; then
	ok "read $nkeys keys from config.c's known_keys"
else
	not_ok "read $nkeys keys from config.c's known_keys"
fi

: > "$T/missing"
while read -r g k; do
	# [calendar.NAME], [queue.NAME], [oauth2.NAME] take their keys.
	gg="[$g]"; [ "$g" = calendar ] && gg="[calendar.office]"
	[ "$g" = queue ] && gg="[queue.sales]"
	[ "$g" = oauth2 ] && gg="[oauth2.office365]"
	awk -v g="$gg" -v k="#$k =" '
	    $0 == g { in_g = 1; next } /^\[/ { in_g = 0 }
	    in_g && index($0, k) == 1 { found = 1 } END { exit !found }' \
	    "$EX" || echo "[$g] $k" >> "$T/missing"
done < "$T/keys"
if [ ! -s "$T/missing" ]; then
	ok "the example shows every key in its group"
else
	not_ok "the example shows every key in its group"
	diag "missing:" "$(cat "$T/missing")"
fi

: > "$T/undoc"
while read -r g k; do
	grep -qw -- "$k" "$top_srcdir/src/postdesk.conf.5" ||
	    echo "[$g] $k" >> "$T/undoc"
done < "$T/keys"
if [ ! -s "$T/undoc" ]; then
	ok "postdesk.conf(5) names every key"
else
	not_ok "postdesk.conf(5) names every key"
	diag "not in postdesk.conf.5:" "$(cat "$T/undoc")"
fi

# --explain with an empty message: loads the configuration, writes
# nothing, exits 0 unless the configuration is broken.
if "$INGEST" --config "$EX" --explain </dev/null >/dev/null 2>"$T/err"; then
	ok "the shipped example loads"
else
	not_ok "the shipped example loads"
	diag "$(cat "$T/err")"
fi

# Every key uncommented; paths that must exist point into the tree.
# [store] url stays out: it names a PostgreSQL server this test has
# not, and a build without --with-postgresql refuses it by design.
# With POSTDESK_TEST_STORE=postgresql it names a throw-away server
# (lib-pg.sh), which --explain must then open (after postdesk init).
url="/^url = postgresql:/d"
if pg_store; then
	pg_store_start
	url="s|^url = postgresql:.*|url = $PG_CONNINFO|"
fi
sed -E 's/^#([a-z_]+(\[[a-z]+\])? =)/\1/' "$EX" |
    sed -e "$url" \
	-e "s|^path = .*|path = $T/postdesk.db|" \
	-e "s|^scripts = .*|scripts = $top_srcdir/filters/default.sieve|" \
	-e "s|^dir = .*|dir = $top_srcdir/templates|" \
	-e "s|^ca_file = .*|ca_file = $EX|" \
	-e "s|^dns_records = .*|dns_records = /dev/null|" > "$T/full.conf"
! pg_store || POSTDESK_CONFIG=$T/full.conf "$top_builddir/postdesk" init \
    >"$T/out" 2>"$T/err"
if "$INGEST" --config "$T/full.conf" --explain </dev/null >>"$T/out" \
    2>>"$T/err" && ! { pg_store && grep -q '^store: not used' "$T/out"; }
then
	ok "the example with every key uncommented loads"
else
	not_ok "the example with every key uncommented loads"
	diag "$(cat "$T/out" "$T/err")"
fi

# A typo is refused, naming the file and line.
awk '{ print } /^\[mail\]$/ { print "adress = typo@example.com" }' \
    "$EX" > "$T/typo.conf"
line=$(grep -n '^adress = ' "$T/typo.conf" | cut -d: -f1)
"$INGEST" --config "$T/typo.conf" --explain </dev/null >/dev/null \
    2>"$T/err"
rc=$?
if [ $rc -eq 78 ] && grep -q "typo.conf:$line: \[mail\] adress" "$T/err"
then
	ok "a typo is refused: exit 78, file and line $line named"
else
	not_ok "a typo is refused: exit 78, file and line $line named"
	diag "exit $rc" "$(cat "$T/err")"
fi
exit 0
