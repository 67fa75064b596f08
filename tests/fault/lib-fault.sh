# Shared helpers of the fault suite (TAP, like tests/integration).
# Sizes: FAULT_SCALE multiplies each test's message count (1 in CI; the
# closing note's figures are at 10).
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/integration/lib.sh"
FAULT_SCALE=${FAULT_SCALE:-1}
FAULT="$top_srcdir/tests/fault"

skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# The production user and a state directory of the permission model
# (postdesk:postdesk 2770), the binaries copied where postdesk can run
# them.
fault_setup() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root to run ingest as postdesk"
	id postdesk >/dev/null 2>&1 ||
	    useradd --system --user-group --home-dir /var/lib/postdesk \
		--no-create-home --shell /usr/sbin/nologin postdesk \
		>/dev/null 2>&1 || skip_all "cannot create user postdesk"
	chmod 0755 "$T"
	mkdir -p "$T/bin"
	cp "$top_builddir/postdesk-ingest" "$top_builddir/postdesk" "$T/bin/"
	INGEST="$T/bin/postdesk-ingest"
	PDB="$T/bin/postdesk"
}

# fault_store NAME [DIR]: a config NAME.conf for a database in DIR
# (default $T/NAME), owned by postdesk, initialised as postdesk.
fault_store() {
	d=${2:-$T/$1}
	mkdir -p "$d"
	chown postdesk:postdesk "$d"
	chmod 2770 "$d"
	cat > "$T/$1.conf" <<CONF
[store]
path = $d/postdesk.db
[mail]
address = support@helpdesk.test
host = helpdesk.test
CONF
	chmod 0644 "$T/$1.conf"
	echo "$d/postdesk.db" > "$T/$1.path"
	runuser -u postdesk -- "$PDB" --config "$T/$1.conf" init >/dev/null
}

# deliver NAME FIGURES [deliver.py options]: the list on stdin into
# store NAME, as an MTA delivers (retry until exit 0).
deliver() {
	n=$1 fig=$2; shift 2
	python3 "$FAULT/deliver.py" --user postdesk --figures "$fig" "$@" -- \
	    "$INGEST" --config "$T/$n.conf" --sender c@customer.test \
	    --recipient support@helpdesk.test
}

# fig FILE KEY: one figure of a deliver.py run.
fig() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# state NAME: what the store holds (state.py).
state() { python3 "$FAULT/state.py" "$(db "$1")"; }

# db NAME: the database file of store NAME.
db() { cat "$T/$1.path"; }

# same_state REF NAME: the non-check lines of both states are equal.
same_state() {
	state "$1" | grep -v '^check ' > "$T/$1.state"
	state "$2" | grep -v '^check ' > "$T/$2.state"
	diff "$T/$1.state" "$T/$2.state" > "$T/diff.out"
	rc=$?
	head -20 "$T/diff.out"
	return $rc
}

# sound NAME: no duplicate, integrity ok, no dangling key, no orphan blob.
sound() {
	state "$1" | grep '^check ' > "$T/$1.checks"
	want="check duplicates 0
check integrity ok
check foreign_keys 0
check orphan_blobs 0"
	[ "$(cat "$T/$1.checks")" = "$want" ] && return 0
	cat "$T/$1.checks"
	return 1
}
