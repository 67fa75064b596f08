#!/bin/sh
# Builds a libFuzzer harness with clang (ASan+UBSan) and runs it for a
# while, seeded with the test corpus.  Usage: tests/fuzz/run.sh NAME [SECS]
#   NAME: mail, quote, sieve, template, authres, dmarc,
#	web      the CGI request parser (web_request_from_env: path,
#	         query, cookies, form body),
#	webform  multipart/form-data bodies (web_form_read)
#	command  the mail command block (command_parse),
#	config   the config file (config_load of a temporary file),
#	bounce   the DSN parser (mail_parse, then bounce_parse)
#   (harness tests/fuzz/fuzz-NAME.c; crashes found are kept as
#   regression cases in tests/data/fuzz-NAME/)
set -eu
cd "$(dirname "$0")/../.."
name=${1:-mail}
secs=${2:-60}
out=tests/fuzz/build
mkdir -p "$out" "$out/corpus-$name"
# The sources of a library in Makefile.am, for the harnesses whose code
# reaches most of it (nothing is stubbed).
lib_srcs() {
	# The harnesses run on SQLite: db_pg.c (libpq) stays out.
	sed -n "/^$1_a_SOURCES/,/^\$/p" Makefile.am | tr ' \\\t' '\n\n\n' |
	    grep '\.c$' | grep -v '^src/db_pg\.c$'
}
all="gmime-3.0 glib-2.0 json-glib-1.0 libpcre2-8 sqlite3"
case $name in
mail) srcs="src/mail.c src/mail_text.c src/htmltext.c src/quote.c src/quote_lang.c"
      pkgs="gmime-3.0 glib-2.0"
      seeds="tests/data/mail tests/data/sample tests/data/corpus" ;;
sieve) srcs="src/sieve/*.c"; pkgs="glib-2.0 libpcre2-8"
      seeds="" ;;
template) srcs="src/template.c src/template_render.c src/template_find.c src/html.c"
      pkgs="glib-2.0 json-glib-1.0"; seeds="" ;;
authres) srcs="src/authres.c"; pkgs="glib-2.0"; seeds="" ;;
dmarc) srcs="src/dmarc.c"; pkgs="glib-2.0"; seeds="" ;;
web|webform) srcs="$(lib_srcs libpdcore) $(lib_srcs libpdweb)"; pkgs=$all; seeds="" ;;
command|config) srcs="$(lib_srcs libpdcore)"; pkgs=$all; seeds="" ;;
bounce) srcs="$(lib_srcs libpdcore)"; pkgs=$all
      seeds="tests/data/corpus/flanker/bounce tests/data/mail" ;;
*)    srcs="src/quote.c src/quote_lang.c src/htmltext.c"; pkgs="glib-2.0"
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
c="$out/corpus-$name"
if [ "$name" = command ]; then
	printf 'Status: closed\nPriority: major\n\nThanks, closing this.\n' \
	    >"$c/seed-1.txt"
	printf '\r\n  HotRush: yes\r\nTag: vip\r\nOwner: a@b.c\r\nQueue: it\r\n' \
	    >"$c/seed-2.txt"
	printf 'Rating: 5\nhello\nStatus: open\n' >"$c/seed-3.txt"
fi
# web: a control byte (method, HTTPS, CONTENT_LENGTH), then PATH_INFO,
# QUERY_STRING, HTTP_COOKIE, CONTENT_TYPE, CONTENT_LENGTH, NUL-separated,
# then the body (fuzz-web.c).
if [ "$name" = web ]; then
	printf '\000/\000page=2&status=open&queue=it&sort=updated&hide=1&q=printer+jam\000pd_session=abc.def; pd_tz=Europe/Berlin\000\000\000' \
	    >"$c/seed-list.txt"
	printf '\000/message\000id=%%3Cx%%40y.z%%3E&tz=Etc%%2FGMT%%2B1\000\000\000\000' \
	    >"$c/seed-msg.txt"
	printf '\002/ticket/12/rate\000t=AbC.dEf-_\000pd_session=x\000application/x-www-form-urlencoded\000\000rating=4&comment=ok%%0D%%0Athanks&csrf=a.b' \
	    >"$c/seed-rate.txt"
	printf '\014/ticket/3/update\000\000\000application/x-www-form-urlencoded; charset=utf-8\000\000priority=major&hotrush=on&owner=a%%40b.c&status=closed' \
	    >"$c/seed-update.txt"
	printf '\052/ticket/3/signout\00012\000\000application/x-www-form-urlencoded\0007\000csrf=a&' \
	    >"$c/seed-cl.txt"
fi
# webform: CONTENT_TYPE, a NUL, the body (fuzz-webform.c).
if [ "$name" = webform ]; then
	printf 'multipart/form-data; boundary=XyZ\000--XyZ\r\nContent-Disposition: form-data; name="subject"\r\n\r\nHello\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="../a\\\\b.txt"\r\nContent-Type: text/plain\r\n\r\nfile\000body\r\n--XyZ--\r\n' \
	    >"$c/seed-form.txt"
fi
if [ "$name" = bounce ]; then
	printf '%s\n' 'From: MAILER-DAEMON@mx.example' 'To: bounces+7@example.com' \
	    'Subject: Undelivered' 'MIME-Version: 1.0' \
	    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"' \
	    '' '--B' 'Content-Type: text/plain' '' 'Could not deliver.' '--B' \
	    'Content-Type: message/delivery-status' '' \
	    'Reporting-MTA: dns; mx.example' '' \
	    'Final-Recipient: rfc822; <alice@shop.example>' 'Action: Failed' \
	    'Status: 5.1.1' 'Diagnostic-Code: smtp; 550 5.1.1 no such' \
	    '    user here' '--B--' >"$c/seed-dsn.eml"
fi
# config: the shipped example, and one with a [lifecycle.QUEUE] group and
# an EXTRA file after three NULs (fuzz-config.c).
if [ "$name" = config ]; then
	cp contrib/postdesk.conf.example "$c/seed-example.txt"
	printf '[mail]\naddress = support@example.com\nmax_message_size = 10M\n[lifecycle.it]\nsla_major = 4h\nack_pattern[de] = ^danke\n\000\000\000[fetch]\nsources = imap://a@b/INBOX; pop3s://c@d\nafter = move\nmove_to = Done\n' \
	    >"$c/seed-extra.txt"
fi
# quote: the pathological bodies of issue 12, cut to -max_len (64 KB):
# '>' lines, attribution-like lines, HTML nested deep.
if [ "$name" = quote ]; then
	awk 'BEGIN { print "Answer."; for (i = 0; i < 1000; i++)
	    print "> > old text, On 1/1/24 Ann <a@b> wrote:" }' \
	    >"$c/seed-quoted.txt"
	awk 'BEGIN { for (i = 0; i < 1000; i++)
	    print "On Mon, Jan 1, 2024 at 10:00 AM Ann <ann@example.com> wrote" }' \
	    >"$c/seed-attr.txt"
	awk 'BEGIN { for (i = 0; i < 1000; i++)
	    print "Thanks! Am 1. Jan. 2024 um 10:00 schrieb Ann <\nFrom: a" }' \
	    >"$c/seed-shared.txt"
	awk 'BEGIN { for (i = 0; i < 1800; i++)
	    printf "<blockquote><div class=gmail_quote>"; print "x" }' \
	    >"$c/seed-nested.txt"
	# plain blockquotes after an attribution (each may be history)
	awk 'BEGIN { printf "<p>Bob wrote:</p>"; for (i = 0; i < 3000; i++)
	    printf "<blockquote>"; print "x" }' >"$c/seed-plain-nested.txt"
	awk 'BEGIN { for (i = 0; i < 1000; i++)
	    printf "<p>Bob wrote:</p><blockquote>q</blockquote>"; print "" }' \
	    >"$c/seed-plain-siblings.txt"
	printf 'Jim Smith\nThe export fails.\n\nJim Smith | Manager\nXYZ Corp\n' \
	    >"$c/seed-sender-name.txt"
fi
# The inputs that once failed, kept as regression cases.
if [ -d "tests/data/fuzz-$name" ]; then
	cp tests/data/fuzz-"$name"/* "$c/"
fi
for d in $seeds; do
	[ -d "$d" ] && find "$d" -type f \( -name '*.eml' -o -name '*.txt' \
	    -o -name '*.html' \) \
	    -exec cp {} "$out/corpus-$name/" \; || true
done
# A GLib critical is a broken precondition: a bug, so a crash here.
G_DEBUG=fatal-criticals "$out/fuzz-$name" -max_total_time="$secs" \
    -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 "$out/corpus-$name"
