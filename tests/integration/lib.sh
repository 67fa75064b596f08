# Shared helpers for the integration tests (TAP output).
# Each test: . "$top_srcdir/tests/integration/lib.sh"; plan N; ...
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
PD_INGEST="$top_builddir/postdesk-ingest"
PD="$top_builddir/postdesk"
T=$(mktemp -d "${TMPDIR:-/tmp}/postdesk-test.XXXXXX")
_n=0
_failed=0
_cleanup_cmds=""
at_exit() { _cleanup_cmds="$_cleanup_cmds
$*"; }
_finish() {
	eval "$_cleanup_cmds"
	rm -rf "$T"
}
trap _finish EXIT
trap 'exit 1' INT TERM

plan() { echo "1..$1"; }
ok() {	# ok CONDITION-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
check() {	# check DESCRIPTION COMMAND...
	_d=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok 0 "$_d"
	else ok 1 "$_d"; sed 's/^/# /' "$T/.out"; fi
}
check_eq() {	# check_eq DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok 0 "$1"
	else ok 1 "$1"; echo "# expected: [$2]"; echo "#      got: [$3]"; fi
}
# A fresh config + database in $T; extra config lines on stdin.
make_config() {
	cat > "$T/postdesk.conf" <<CONF
[store]
path = $T/postdesk.db
[mail]
address = support@helpdesk.example
subject_tag = Support
host = helpdesk.example
[staff]
addresses = staff@helpdesk.example; bob@helpdesk.example
CONF
	cat >> "$T/postdesk.conf"
	export POSTDESK_CONFIG="$T/postdesk.conf"
	"$PD" init >/dev/null
}
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$T/postdesk.db" "$@"; }
# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
