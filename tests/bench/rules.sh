#!/bin/sh
# Benchmark: 1,000 Sieve rules of mixed kinds against ~3 KB messages.
# Prints microseconds per message; target < 1000 us.  Builds standalone
# until the lead wires it into the build.  Args go to the binary:
#   rules.sh [N_RULES [N_MESSAGES [ROUNDS]]]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck disable=SC2046
gcc ${CFLAGS:--O2 -g} -Wall -Wextra -Isrc \
    $(pkg-config --cflags glib-2.0 libpcre2-8) \
    src/sieve/*.c tests/bench/rules.c \
    $(pkg-config --libs glib-2.0 libpcre2-8) -o tests/bench/rules
exec tests/bench/rules "$@"
