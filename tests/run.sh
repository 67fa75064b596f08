#!/bin/sh
# Runs the whole test suite from a fresh clone: installs dependencies,
# builds (with ASan/UBSan when POSTDESK_SANITIZE=1), runs `make check`,
# and ends with one line "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
./contrib/deps.sh || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed"; exit 1; }
flags=""
[ "${POSTDESK_SANITIZE:-0}" = 1 ] && flags="--enable-sanitizers"
# shellcheck disable=SC2086
./configure -q $flags || { echo "configure failed"; exit 1; }
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null || { echo "build failed"; exit 1; }
make -j"$(nproc 2>/dev/null || echo 2)" check >tests/check.out 2>&1
status=$?
grep -E '^(PASS|FAIL|XPASS|ERROR|SKIP):' tests/check.out | grep -v '^PASS' || true
pass=$(grep -c '^PASS:' tests/check.out)
fail=$(grep -cE '^(FAIL|XPASS|ERROR):' tests/check.out)
if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
	tail -n 30 tests/check.out
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
