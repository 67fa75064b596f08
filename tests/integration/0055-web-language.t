#!/bin/sh
# The viewer speaks the reader's language (issue 14), through lighttpd
# and the CGI as deployed: the contact's own language first (a Language:
# command, or her first mail's Content-Language), then the browser's
# Accept-Language by q-value, then [mail] default_language; a language
# without a catalog is never chosen.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..13"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
# The build tree's catalogs (installed ones live in the default place).
sed -i "s|^\[web\]$|&\nlocale_dir = $top_builddir/po/locale|" "$T/pd.conf"
session() {
	curl -s -D - -o /dev/null "$("$PD" link "$1")" |
	    sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r'
}
page() {	# page NAME COOKIE ACCEPT-LANGUAGE [URL]
	curl -s -o "$T/$1" -b "$2" -H "Accept-Language: $3" \
	    "${4:-$BASE/pd.cgi/ticket/1}"
}
lang_of() { sed -n 's/.*<html lang="\([^"]*\)".*/\1/p' "$T/$1" | head -1; }

CK=$(session carol@a.example)
page de "$CK" "de-CH, de;q=0.9, en;q=0.5"
check "Accept-Language: de-CH → German ($(lang_of de))" test "$(lang_of de)" = de
check "... the page's words are German" grep -q ">Suche<" "$T/de"
page fr "$CK" "it;q=0.3, fr;q=0.8, *;q=0.1"
check "the highest q wins: fr over it ($(lang_of fr))" test "$(lang_of fr)" = fr
page ja "$CK" "ja, zh;q=0.9"
check "no catalog for any of them: the default, English ($(lang_of ja))" sh -c \
    "[ '$(lang_of ja)' = en ] && grep -q '>Search<' '$T/ja'"
page q0 "$CK" "de;q=0, es;q=0.2"
check "q=0 refuses a language ($(lang_of q0))" test "$(lang_of q0)" = es

# Her own language beats the browser's: Content-Language of her first mail.
cat > "$T/mail/eva1.eml" <<'MSG'
From: Eva <eva@c.example>
To: support@example.com
Subject: Impresora
Message-ID: <eva-1@c.example>
Content-Language: es-ES
Content-Type: text/plain; charset=utf-8

La impresora no imprime.
MSG
ingest eva@c.example "$T/mail/eva1.eml"
id=$(sql "SELECT ticket_id FROM messages WHERE message_id = 'eva-1@c.example'")
EK=$(session eva@c.example)
page eva "$EK" "de, en;q=0.5" "$BASE/pd.cgi/ticket/$id"
check "her mail's Content-Language: es beats the browser's de ($(lang_of eva))" \
    test "$(lang_of eva)" = es
check "... as the store recorded it" test \
    "$(sql "SELECT language FROM contacts WHERE address = 'eva@c.example'")" = es

# Staff have no contact language: the browser decides.
curl -s -o "$T/staff" -u alice:alicepw -H "Accept-Language: it" \
    "$BASE/staff/pd.cgi/ticket/1"
check "a staff page follows the browser: it ($(lang_of staff))" \
    test "$(lang_of staff)" = it

# She chooses her language in the portal, as "Language: it" by mail.
tok=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/de" | head -1)
check "her page offers the languages, in their own names" grep -q '<option value="it">Italiano</option>' "$T/de"
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -d "csrf=$tok&language=it" "$BASE/pd.cgi/ticket/1/language")
check "she chooses Italian: 303, stored as her language ($st)" test \
    "$st:$(sql "SELECT language FROM contacts WHERE address = 'carol@a.example'")" = 303:it
page it "$CK" "de, en;q=0.5"
check "... and her pages are Italian, whatever the browser says ($(lang_of it))" test "$(lang_of it)" = it
check "... with an event, as by mail" test \
    "$(sql "SELECT count(*) FROM events WHERE actor = 'carol@a.example' AND detail LIKE '%language it%'")" -ge 1
st=$(curl -s -o "$T/xx" -w '%{http_code}' -b "$CK" -d "csrf=$tok&language=xx" "$BASE/pd.cgi/ticket/1/language")
now=$(sql "SELECT language FROM contacts WHERE address = 'carol@a.example'")
check "a language we do not write in: 409 with the list, hers unchanged ($st, $now)" sh -c \
    "[ $st = 409 ] && grep -q 'we do not write in' '$T/xx' && [ '$now' = it ]"
