#!/bin/sh
# Runs the whole test suite from a fresh clone: installs dependencies,
# builds, runs `make check`, then rebuilds with ASan+UBSan and runs it
# again (POSTDESK_SANITIZE=0 skips that pass, =only runs only it).
# Ends with one line "N passed, M failed" over both passes.
set -u
cd "$(dirname "$0")/.."
./contrib/deps.sh --tests || exit 1
# axe-core for the browser test's accessibility checks (0021), at the
# version tests/browser/package-lock.json pins.
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ] &&
    ! npm ci --prefix tests/browser --no-audit --no-fund >/dev/null 2>&1; then
	echo "npm ci --prefix tests/browser failed: 0021 will report it"
fi
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
pass=0
fail=0
: > tests/check.out

# count WHAT LABEL: a number from automake's summary block (0 if none).
count() {
	v=$(sed -n "s/^# $1: *//p" "tests/check-$2.out" | tail -n 1)
	echo "${v:-0}"
}

# run_pass LABEL CONFIGURE-FLAGS...
run_pass() {
	label=$1; shift
	echo "== $label"
	[ -f Makefile ] && make distclean >/dev/null 2>&1
	./configure -q "$@" || { echo "configure failed"; fail=$((fail + 1)); return; }
	if ! make -j"$jobs" >/dev/null 2>"tests/build-$label.err"; then
		cat "tests/build-$label.err"; echo "build failed"
		fail=$((fail + 1)); return
	fi
	make -j"$jobs" check >"tests/check-$label.out" 2>&1
	status=$?
	cat "tests/check-$label.out" >> tests/check.out
	grep -E '^(FAIL|XPASS|ERROR):' "tests/check-$label.out" || true
	# Automake's own summary block is the reliable count.
	p=$(count PASS "$label")
	f=$(( $(count FAIL "$label") + $(count XPASS "$label") + $(count ERROR "$label") ))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -n 30 "tests/check-$label.out"; f=1
	fi
	echo "$label: $p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
}

# The fault suite (tests/fault) on the plain build: kill -9, storage
# faults, races.  TAP; FAULT_SCALE=10 for the long run.
run_fault() {
	echo "== fault"
	p=0; f=0
	for t in tests/fault/*.t; do
		name=$(basename "$t" .t)
		start=$(date +%s)
		top_builddir=$(pwd) sh "$t" >"tests/fault-$name.out" 2>&1
		status=$?
		cat "tests/fault-$name.out" >> tests/check.out
		tp=$(grep -c '^ok ' "tests/fault-$name.out")
		tf=$(grep -c '^not ok ' "tests/fault-$name.out")
		grep -E '^not ok |figures:' "tests/fault-$name.out" |
		    sed "s|^|$name: |"
		# A script that died before its plan's end failed the rest.
		plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "tests/fault-$name.out")
		[ "$((tp + tf))" -lt "${plan:-1}" ] &&
		    tf=$((tf + ${plan:-1} - tp - tf))
		if [ "$status" -ne 0 ] && [ "$tf" -eq 0 ]; then
			tail -n 20 "tests/fault-$name.out"; tf=1
		fi
		echo "$name: $tp passed, $tf failed ($(( $(date +%s) - start )) s)"
		p=$((p + tp)); f=$((f + tf))
	done
	echo "fault: $p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
}

# The integration tests once more with the store on PostgreSQL
# (POSTDESK_TEST_STORE: lib.sh, lib-web.sh, notify-lib.sh and the tests
# below start a throw-away server, lib-pg.sh), on the plain build.  An
# explicit list: the tests that speak to PostgreSQL and pass there.
# Until 2026-12-04 it also named tests that keep their own [store] path
# and so ran SQLite again (0001, 0003, 0047: still so; 0012 and 0058
# are converted now).
# Left out, and why:
# - about SQLite itself: 0013-ingest-frozen (a frozen writer's file
#   lock; PostgreSQL has no store-wide write lock), 0003-cli (the
#   read-only file, a lock holder), 0001-ingest (the file's checksum
#   as proof that nothing changed), 0061-debian-package, 0060-deployed
#   (the package's SQLite layout);
# - own [store] path, not converted yet: 0002-corpus (reads the blobs
#   back with Python's sqlite3; 201 files ingested twice, over the PG
#   pass's time budget), 0004-mta-postfix (half of it is the file's
#   owner and mode, a read-only file, the -wal/-shm modes), 0042-ops
#   (postdesk backup, PRAGMA integrity_check and user_version: the
#   file's), 0047-ingest-once-regress (a sqlite3 lock holder, an SQLite
#   v11 file upgraded);
# - 0064-db-pg, 0073-notify-reconnect, 0074-pg-migrate and
#   0075-pg-two-hosts start their own server in every pass.
PG_TESTS="0005-rules 0006-example-conf 0007-deploy-defaults 0010-import
0011-fetch 0012-reply-first-regress 0020-web-lighttpd 0021-web-browser
0022-web-big 0023-web-desk 0024-web-portal 0025-web-new 0030-notify
0031-notify-outage 0032-notify-loop 0033-watch-sighup 0034-notify-lease
0035-notify-crash 0036-notify-stopped 0037-staff-accounts
0038-staff-notices 0039-notify-sendmail 0040-lifecycle 0041-staff-cli
0043-lifecycle-xcally 0044-verdict 0045-auth-attacks 0046-review-attacks
0048-lifecycle-solved 0049-accounts 0050-e2e-mail 0051-notify-address
0053-language 0054-portal-only 0055-web-language 0056-sla-calendar
0057-command-first 0058-brands 0059-escalation 0062-oauth2
0063-portal-xcally 0065-web-account 0066-notifications-off 0067-split
0068-hotrush-limit 0069-lifecycle-xcart 0070-lifecycle-builtin
0071-web-split 0072-ingest-large-attachment"
run_pg() {
	label=postgresql
	echo "== $label"
	t=""
	for n in $PG_TESTS; do t="$t tests/integration/$n.t"; done
	POSTDESK_TEST_STORE=postgresql make -j"$jobs" check TESTS="$t" \
	    >"tests/check-$label.out" 2>&1
	status=$?
	cat "tests/check-$label.out" >> tests/check.out
	grep -E '^(FAIL|XPASS|ERROR):' "tests/check-$label.out" || true
	p=$(count PASS "$label")
	f=$(( $(count FAIL "$label") + $(count XPASS "$label") + $(count ERROR "$label") ))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -n 30 "tests/check-$label.out"; f=1
	fi
	echo "$label: $p passed, $f failed"
	pass=$((pass + p)); fail=$((fail + f))
}

# The plain pass builds the PostgreSQL backend too (0064-db-pg.t checks
# it against a throw-away server); the ASan pass is the build without.
case ${POSTDESK_SANITIZE:-1} in
only)	run_pass asan --enable-sanitizers ;;
0)	run_pass plain --with-postgresql; run_fault; run_pg ;;
*)	run_pass plain --with-postgresql; run_fault; run_pg
	run_pass asan --enable-sanitizers ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
