#!/bin/sh
# Benchmark: quote stripping throughput on the tests/data/quote mix, and
# the time for one 3 KB reply (the quote stage should stay under 5% of
# ingest time, see bench/ingest.sh).  Builds standalone.
#   quote.sh [DATA_DIR [ROUNDS]]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
# shellcheck disable=SC2046
gcc ${CFLAGS:--O2 -g} -Wall -Wextra -Isrc $(pkg-config --cflags glib-2.0) \
    src/quote.c src/quote_lang.c src/htmltext.c tests/bench/quote.c \
    $(pkg-config --libs glib-2.0) -o tests/bench/quote
exec tests/bench/quote "$@"
