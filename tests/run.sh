#!/bin/sh
# Runs the whole test suite from a fresh clone: installs dependencies,
# builds, runs `make check`, then rebuilds with ASan+UBSan and runs it
# again (POSTDESK_SANITIZE=0 skips that pass, =only runs only it).
# Ends with one line "N passed, M failed" over both passes.
set -u
cd "$(dirname "$0")/.."
./contrib/deps.sh --tests || exit 1
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

case ${POSTDESK_SANITIZE:-1} in
only)	run_pass asan --enable-sanitizers ;;
0)	run_pass plain ;;
*)	run_pass plain; run_pass asan --enable-sanitizers ;;
esac
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
