#!/bin/sh
# Builds a libFuzzer harness with clang (ASan+UBSan) and runs it for a
# while, seeded with the test corpus.  Usage: tests/fuzz/run.sh NAME [SECS]
#   NAME: mail, quote, sieve, template, authres, dmarc
#   (harness tests/fuzz/fuzz-NAME.c)
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
authres) srcs="src/authres.c"; pkgs="glib-2.0"; seeds="" ;;
dmarc) srcs="src/dmarc.c"; pkgs="glib-2.0"; seeds="" ;;
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
# The headers and records of the test data, one seed each.
if [ "$name" = authres ]; then
	grep -rhi -A3 '^Authentication-Results:' tests/data 2>/dev/null |
	    awk 'BEGIN { n = 0 } /^Authentication-Results:/ { n++ }
		{ sub(/^Authentication-Results:[ \t]*/, ""); print > \
		("'"$out/corpus-$name"'/seed-" n ".txt") }' || true
	printf 'mx.example.org; spf=pass smtp.mailfrom=a@b.c; dkim=pass header.d=b.c' \
	    >"$out/corpus-$name/seed-basic.txt"
fi
if [ "$name" = dmarc ]; then
	printf 'v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; rua=mailto:x@y' \
	    >"$out/corpus-$name/seed-basic.txt"
	printf 'v=DMARC1; p=quarantine; pct=50' >"$out/corpus-$name/seed-2.txt"
fi
for d in $seeds; do
	[ -d "$d" ] && find "$d" -type f \( -name '*.eml' -o -name '*.txt' \) \
	    -exec cp {} "$out/corpus-$name/" \; || true
done
"$out/fuzz-$name" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
    "$out/corpus-$name"
