#!/bin/sh
# Builds and runs the Sieve unit tests standalone, until the lead wires
# src/sieve/ into Makefile.am.  Run from anywhere; extra args go to the
# test binary (e.g. --tap, -p /sieve/regex).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
CFLAGS=${CFLAGS:--Wall -Wextra -Werror -Wshadow -Wformat=2 -g -O1 \
-fsanitize=address,undefined -fno-omit-frame-pointer}
# shellcheck disable=SC2086
gcc $CFLAGS -Isrc $(pkg-config --cflags glib-2.0 libpcre2-8) \
    src/sieve/*.c tests/unit/test-sieve.c \
    $(pkg-config --libs glib-2.0 libpcre2-8) -o tests/unit/test-sieve
G_TEST_SRCDIR="$top" exec tests/unit/test-sieve "$@"
