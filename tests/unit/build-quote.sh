#!/bin/sh
# Builds and runs the quote and htmltext unit tests standalone, with
# ASan+UBSan, until the autotools build takes them over.
# Usage: [CC=clang] [OUT=dir] tests/unit/build-quote.sh [--build-only]
set -eu
cd "$(dirname "$0")/../.."
CC=${CC:-gcc}
CFLAGS="-Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all -Isrc"
GLIB_CFLAGS=$(pkg-config --cflags glib-2.0)
GLIB_LIBS=$(pkg-config --libs glib-2.0)
OUT=${OUT:-tests/unit}

# shellcheck disable=SC2086
$CC $CFLAGS $GLIB_CFLAGS -o "$OUT/test-quote" src/quote.c src/quote_lang.c src/htmltext.c \
	tests/unit/test-quote.c $GLIB_LIBS
# shellcheck disable=SC2086
$CC $CFLAGS $GLIB_CFLAGS -o "$OUT/test-htmltext" src/htmltext.c src/quote.c src/quote_lang.c \
	tests/unit/test-htmltext.c $GLIB_LIBS

[ "${1:-}" = "--build-only" ] && exit 0
QUOTE_DATA_DIR=tests/data/quote "$OUT/test-quote" --tap
"$OUT/test-htmltext" --tap
