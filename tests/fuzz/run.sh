#!/bin/sh
# Builds a libFuzzer harness with clang (ASan+UBSan) and runs it for a
# while, seeded with the test corpus.  Usage: tests/fuzz/run.sh NAME [SECS]
#   NAME: mail, quote, sieve, template (harness tests/fuzz/fuzz-NAME.c)
set -eu
cd "$(dirname "$0")/../.."
name=${1:-mail}
secs=${2:-60}
out=tests/fuzz/build
mkdir -p "$out" "$out/corpus-$name"
case $name in
mail) srcs="src/mail.c src/mail_text.c src/htmltext.c src/quote.c"
      pkgs="gmime-3.0 glib-2.0"
      seeds="tests/data/mail tests/data/sample tests/data/corpus" ;;
sieve) srcs="src/sieve/*.c"; pkgs="glib-2.0 libpcre2-8"
      seeds="" ;;
template) srcs="src/template.c src/template_render.c src/template_find.c src/html.c"
      pkgs="glib-2.0 json-glib-1.0"; seeds="" ;;
*)    srcs="src/quote.c src/htmltext.c"; pkgs="glib-2.0"
      seeds="tests/data/quote" ;;
esac
[ -f pdconfig.h ] || { echo "run ./configure first"; exit 1; }
# shellcheck disable=SC2086
clang -g -O1 -fsanitize=fuzzer,address,undefined -I. -Isrc \
    $(pkg-config --cflags $pkgs) "tests/fuzz/fuzz-$name.c" $srcs \
    $(pkg-config --libs $pkgs) -o "$out/fuzz-$name"
if [ "$name" = sieve ]; then
	cp filters/default.sieve filters/examples/*.sieve "$out/corpus-$name/"
fi
for d in $seeds; do
	[ -d "$d" ] && find "$d" -type f \( -name '*.eml' -o -name '*.txt' \) \
	    -exec cp {} "$out/corpus-$name/" \; || true
done
"$out/fuzz-$name" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    "$out/corpus-$name"
