#!/bin/sh
# Notices in the customer's language (issue 14, "Languages"): her first
# message's Content-Language picks the acknowledgement's language; a
# "Language: fr" command switches her later mail (and says so in the
# transcript); an unknown language is refused with the reason; a
# contact without a language gets [mail] default_language; a template
# without a translation falls back to NAME.txt; postdesk check names a
# missing translation.  postdesk-ingest and postdesk-notify against an
# aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT; echo "# $T"
echo "1..16"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[auth]\n%s\n' \
    'spf_local_records = shop.example v=spf1 ip4:198.51.100.0/24 -all; maison.example v=spf1 ip4:198.51.100.0/24 -all' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null
q() { sqlq "$DB" "$1"; }
# send FROM SUBJECT BODY [EXTRA-HEADER]
send() {
	{
		printf 'From: %s\nTo: support@example.com\nSubject: %s\n' "$1" "$2"
		printf 'Message-ID: <%s@test>\n' "$(date +%s%N)"
		[ -n "${4:-}" ] && printf '%s\n' "$4"
		printf '\n%b\n' "$3"
	} >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip 198.51.100.7 \
	    --recipient support@example.com <"$T/m.eml"
}
notify() { "$B/postdesk-notify" --once >/dev/null; }
# The text of the newest delivered mail to ADDR, decoded to UTF-8.
newest() {
	f=$(grep -il "^X-Envelope-To: $1" $(ls -t "$T"/sink/*.eml) | head -1)
	$PY - "$f" <<'PY'
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
print(m['Subject'])
b = m.get_body(('plain',))
print(b.get_content() if b else '')
PY
}
has() { newest "$1" | grep -q -- "$2"; }

send anna@shop.example "Drucker" "Der Drucker druckt nicht." \
    "Content-Language: de-AT, en"
notify
check "Content-Language de-AT of her first message is stored as de" \
    test "$(q "SELECT language FROM contacts WHERE address='anna@shop.example'")" = de
check "her acknowledgement is the German one" \
    has anna@shop.example "vielen Dank für Ihre Nachricht"
check "and not the English one" \
    eval '! has anna@shop.example "thank you for contacting us"'

# A later message's Content-Language does not change it: only the first.
send anna@shop.example "Re: [Support #1] Drucker" "Noch etwas." \
    "Content-Language: it"
check "a later Content-Language leaves her language alone" \
    test "$(q "SELECT language FROM contacts WHERE address='anna@shop.example'")" = de

send anna@shop.example "Re: [Support #1] Drucker" "Language: fr\n\nMerci."
notify
check "Language: fr is stored" \
    test "$(q "SELECT language FROM contacts WHERE address='anna@shop.example'")" = fr
check "the transcript of Language: fr is already French" \
    has anna@shop.example "contenait des"
check "the transcript names the change" \
    has anna@shop.example "mail from us is now in language fr"
send anna@shop.example "Pas de papier" "Il n'y a plus de papier."
notify
check "her next acknowledgement is French" \
    has anna@shop.example "Nous avons bien reçu"

send anna@shop.example "Re: [Support #2] Pas de papier" "Language: tlh\n\nQapla'"
notify
check "an unknown language is refused with the reason" \
    has anna@shop.example 'we do not write in "tlh" (languages: de, en, es, fr, it)'
check "and changes nothing" \
    test "$(q "SELECT language FROM contacts WHERE address='anna@shop.example'")" = fr

# No Content-Language: [mail] default_language, here es.
printf 'default_language = es\n' >"$T/lang.conf"
sed -i "/^host = /r $T/lang.conf" "$T/pd.conf"
send bea@shop.example "Factura" "No encuentro la factura."
notify
check "a contact without a language is NULL in the store" \
    test -z "$(q "SELECT language FROM contacts WHERE address='bea@shop.example'")"
check "and gets [mail] default_language (es)" \
    has bea@shop.example "Hemos recibido su"

# A translation missing: NAME.txt is sent; postdesk check says so.
cp -R "$S/templates" "$T/tpl"
rm "$T/tpl/mail/new-ticket.it.txt"
sed -i "s|^dir = .*/templates\$|dir = $T/tpl|" "$T/pd.conf"
send carla@shop.example "Stampante" "La stampante non stampa." \
    "Content-Language: it-IT"
notify
check "without new-ticket.it.txt the English new-ticket.txt is sent" \
    has carla@shop.example "thank you for contacting us"
"$B/postdesk" check >"$T/check.out" 2>&1
check "postdesk check names the missing translation" \
    grep -q "no template new-ticket.it.txt for language it" "$T/check.out"
check "and only that one" \
    test "$(grep -c 'for language' "$T/check.out")" = 1
rm "$T/tpl/mail/closed.fr.txt"
"$B/postdesk" check >"$T/check.out" 2>&1
check "postdesk check names every missing translation" \
    test "$(grep -c 'for language' "$T/check.out")" = 2
