#!/bin/sh
# A second attacker's pass over issue 11 (the review of the merged work),
# each refused next to the legitimate case it imitates:
#   (e) fetched mail: an Authentication-Results with the MX's own
#       authserv-id, written by the sender and so below the MX's
#       Received: hop (the MX added none: OpenDKIM on unsigned mail); a
#       fake hop of the MX below it does not help; the same with
#       Received-SPF.  The MX's real header above its hop is believed
#       (Postfix 3.7 with OpenDKIM 2.11 as a milter, tried by hand: the
#       milter's A-R lands above Postfix's Received:, and a forged one
#       with the same authserv-id stays in the message, below it).
# What held, kept so it keeps holding (ingest with --client-ip):
#   (f) a staff address in the display name, the mailbox mallory's;
#       two From: addresses, the staff one first; no From: but Sender:;
#   (g) a DKIM signature of the staff domain whose h= leaves From: out
#       (next to the same signature over From:, a pass);
#   (h) relaxed alignment by the Public Suffix List: a subdomain of the
#       staff domain aligns, two registrants under co.uk or under a TLD
#       the list does not know do not;
#   (i) a customer's token with its ticket number or role letter
#       changed; an A-R at the top when the MTA gave --client-ip.
# And, found here:
#   (j) a spoofed customer (p=reject) whose envelope domain and DKIM
#       d= are the spoofer's own, with a dead name server: that DNS
#       trouble made the verdict temperror, not forged, and the mail
#       joined her ticket.  Only aligned identifiers' trouble counts.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
. "$S/tests/integration/lib-dkim.sh"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "1..19"
K=$T/keys
{
	dkim_keygen "$K" helpdesk.test s1
	cat <<REC
helpdesk.test v=spf1 ip4:192.0.2.0/24 -all
sub.helpdesk.test v=spf1 ip4:203.0.113.70 -all
evil.test v=spf1 ip4:203.0.113.66 -all
evil.co.uk v=spf1 ip4:203.0.113.66 -all
b.unlisted v=spf1 ip4:203.0.113.66 -all
shop.example v=spf1 ip4:198.51.100.0/24 -all
_dmarc.shop.example v=DMARC1; p=reject
_dmarc.helpdesk.test v=DMARC1; p=reject
slow.evil.test TEMPFAIL
e1._domainkey.evil.test TEMPFAIL
REC
} >"$T/dns.txt" 2>"$T/keygen.err"
DB=$T/pd.db
M=$T/Maildir
mkdir -p "$M/new" "$M/cur" "$M/tmp"
nl_pg_start	# before the pipe into mkconf, a subshell
{
	printf '[staff]\naddresses = agent@helpdesk.test; bob@helpdesk.test\n'
	printf '[auth]\ndns_records = %s\n' "$T/dns.txt"
	printf 'trusted_authserv_ids = mx.helpdesk.test\n'
	printf '[fetch]\nsources = maildir:%s\n' "$M"
} | mkconf "$T/pd.conf" "$DB" support@helpdesk.test helpdesk.test 9
export POSTDESK_CONFIG="$T/pd.conf"
"$B/postdesk" init >/dev/null
mail() {	# mail FROM TO SUBJECT BODY [HEADER]
	printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test>\n' \
	    "$1" "$2" "$3" "$(date +%s%N)"
	printf 'Date: Wed, 02 Dec 2026 10:00:00 +0000\n'
	[ -n "${5:-}" ] && printf '%b\n' "$5"
	printf '\n%b\n' "$4"
}
ingest() { "$B/postdesk-ingest" "$@"; }
t1() { sqlq "$DB" "SELECT $1 FROM tickets WHERE id=1"; }
verdict_of() { sqlq "$DB" "SELECT auth_verdict FROM messages WHERE text LIKE '%$1%' AND direction='in'"; }
ticket_of() { sqlq "$DB" "SELECT ticket_id FROM messages WHERE text LIKE '%$1%' AND direction='in'"; }
fetch() { "$B/postdesk-fetch" --once >/dev/null 2>&1; }
HOP='Received: from out (out.evil.test [203.0.113.66]) by mx.helpdesk.test (Postfix) with ESMTP'
OURS='Received: from relay (relay.helpdesk.test [192.0.2.9]) by mx.helpdesk.test (Postfix) with ESMTP'

# alice opens ticket 1; agent answers it (aligned SPF), so agent is a
# participant and only the proof decides.
mail alice@shop.example support@helpdesk.test "Printer" "OPEN-1" |
    ingest --sender alice@shop.example --client-ip 198.51.100.7
mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
    "Priority: major\n\nON-IT" |
    ingest --sender agent@helpdesk.test --client-ip 192.0.2.10

# --- (e) a forged A-R below the MX's own hop, fetched. -----------------
{
	printf '%s\n' "$HOP"
	mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
	    "Status: closed\nOwner: bob\n\nFORGED-AR" \
	    "Authentication-Results: mx.helpdesk.test; spf=pass smtp.mailfrom=agent@helpdesk.test; dkim=pass header.d=helpdesk.test"
} >"$M/new/1.e1"
{
	printf '%s\n' "$HOP"
	mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
	    "Status: closed\n\nFORGED-HOP" \
	    "Authentication-Results: mx.helpdesk.test; spf=pass smtp.mailfrom=agent@helpdesk.test\n$OURS"
} >"$M/new/2.e2"
{
	printf '%s\n' "$HOP"
	mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
	    "Status: closed\n\nFORGED-RSPF" \
	    "Received-SPF: pass (mx.helpdesk.test: ok) client-ip=192.0.2.9; envelope-from=agent@helpdesk.test; receiver=mx.helpdesk.test;"
} >"$M/new/3.e3"
fetch
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1"; echo "# expected [$2], got [$3]"; fi; }
check_eq "(e) forged A-R below the MX's hop: not believed" \
    "forged forged forged" \
    "$(verdict_of FORGED-AR) $(verdict_of FORGED-HOP) $(verdict_of FORGED-RSPF)"
check_eq "(e) ... no staff command applied" "waiting-for-customer major " \
    "$(t1 status) $(t1 priority) $(t1 owner)"
# The legitimate layout: the MX's milter header above the MX's hop, and
# a content filter's re-injection on loopback above that.
{
	printf 'Received: from localhost (localhost [127.0.0.1]) by mx.helpdesk.test (Postfix) with ESMTP\n'
	printf 'Authentication-Results: mx.helpdesk.test; spf=pass smtp.mailfrom=agent@helpdesk.test\n'
	printf '%s\n' "$OURS"
	mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
	    "Owner: bob\n\nREAL-AR"
} >"$M/new/4.l1"
fetch
check_eq "legitimate: the MX's A-R above its hop is believed" pass \
    "$(verdict_of REAL-AR)"
check_eq "legitimate: ... and the staff command applies" bob@helpdesk.test \
    "$(t1 owner)"
check "all fetched mail stored, the forgeries each in a ticket of its own" \
    test "$(ticket_of REAL-AR)" = 1 -a "$(ticket_of FORGED-AR)" -gt 1 -a \
    "$(ticket_of FORGED-HOP)" -gt 1 -a "$(ticket_of FORGED-RSPF)" -gt 1

# --- what held, as regression tests (ingest, --client-ip). -------------
evil() { ingest --sender mallory@evil.test --client-ip 203.0.113.66; }
S0=$(t1 status)
mail '"agent@helpdesk.test" <mallory@evil.test>' support@helpdesk.test \
    "Re: [Support #1] Printer" "Status: closed\n\nF-DISPLAY" | evil
mail 'agent@helpdesk.test, mallory@evil.test' support@helpdesk.test \
    "Re: [Support #1] Printer" "Status: closed\n\nF-TWO" | evil
printf 'Sender: agent@helpdesk.test\nTo: support@helpdesk.test\nSubject: Re: [Support #1] Printer\nMessage-ID: <f-sender@test>\n\nStatus: closed\n\nF-SENDER\n' |
    evil
check_eq "(f) display name, two From:, Sender: only: none joins ticket 1" \
    "0 0 0" "$(sqlq "$DB" "SELECT count(*) FROM messages WHERE text LIKE '%F-DISPLAY%' AND ticket_id=1") $(sqlq "$DB" "SELECT count(*) FROM messages WHERE text LIKE '%F-TWO%' AND ticket_id=1") $(sqlq "$DB" "SELECT count(*) FROM messages WHERE text LIKE '%F-SENDER%' AND ticket_id=1")"
check_eq "(f) ... the staff address claimed by two of them is forged" \
    "pass forged forged" \
    "$(verdict_of F-DISPLAY) $(verdict_of F-TWO) $(verdict_of F-SENDER)"
check_eq "(f) ... and ticket 1 is unmoved" "$S0" "$(t1 status)"

mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
    "Priority: minor\n\nG-NOFROM" |
    $PY "$S/tests/integration/dkim-sign-raw.py" "$K/s1.private" \
    helpdesk.test s1 to:subject:message-id | evil
check_eq "(g) DKIM of the staff domain, From: not signed: permerror, forged" \
    "forged major" "$(verdict_of G-NOFROM) $(t1 priority)"
G_AUTH=$(sqlq "$DB" "SELECT auth FROM messages WHERE text LIKE '%G-NOFROM%'")
check "(g) ... the dkim line says permerror" sh -c \
    "echo '$G_AUTH' | grep -q '^dkim: permerror d=helpdesk.test s=s1 (aligned)$'"
mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
    "Priority: minor\n\nG-FROM" |
    $PY "$S/tests/integration/dkim-sign-raw.py" "$K/s1.private" \
    helpdesk.test s1 from:to:subject:message-id | evil
check_eq "legitimate: the same signature over From: passes, the command applies" \
    "pass minor" "$(verdict_of G-FROM) $(t1 priority)"

mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
    "Priority: major\n\nH-SUB" |
    ingest --sender bounce@sub.helpdesk.test --client-ip 203.0.113.70
mail victim@shop.co.uk support@helpdesk.test "co.uk" "H-COUK" |
    ingest --sender mallory@evil.co.uk --client-ip 203.0.113.66
mail victim@a.unlisted support@helpdesk.test "unlisted" "H-TLD" |
    ingest --sender mallory@b.unlisted --client-ip 203.0.113.66
check_eq "(h) SPF of sub.helpdesk.test aligns; evil.co.uk with shop.co.uk, b.unlisted with a.unlisted do not" \
    "pass fail fail" "$(verdict_of H-SUB) $(verdict_of H-COUK) $(verdict_of H-TLD)"
check_eq "(h) ... the subdomain's staff command applies" major "$(t1 priority)"

KEY=$(sed -n 's/^token_key = //p' "$T/pd.conf" | head -1)
A1=$($PY -c 'import hmac, hashlib, sys
m = "postdesk-token-2\nt\n1\nalice@shop.example\nc"
print(hmac.new(sys.argv[1].encode(), m.encode(), hashlib.sha256).hexdigest()[:24])' "$KEY")
mail alice@shop.example support@helpdesk.test "Another" "OPEN-2" |
    ingest --sender alice@shop.example --client-ip 198.51.100.7
for tok in "tc2.$A1" "ts1.$A1"; do
	mail alice@shop.example "support+$tok@helpdesk.test" "Re: x" \
	    "Status: closed\n\nI-$tok" |
	    ingest --sender alice@shop.example --recipient "support+$tok@helpdesk.test"
done
check_eq "(i) alice's token with ticket 2 or role s: proves nothing, forged, not joined" \
    "forged forged" "$(verdict_of "I-tc2") $(verdict_of "I-ts1")"
check "(i) ... neither in ticket 1 nor 2, both still open" test \
    "$(ticket_of "I-tc2")" -gt 2 -a "$(ticket_of "I-ts1")" -gt 2 -a \
    "$(sqlq "$DB" "SELECT count(*) FROM tickets WHERE id IN (1, 2) AND status='closed'")" = 0
mail alice@shop.example "support+tc1.$A1@helpdesk.test" "Re: x" \
    "I-OWN thanks" |
    ingest --sender alice@shop.example --recipient "support+tc1.$A1@helpdesk.test"
check_eq "legitimate: her own token joins ticket 1" 1 "$(ticket_of I-OWN)"
mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer" \
    "Priority: minor\n\nI-TOPAR" \
    "Authentication-Results: mx.helpdesk.test; spf=pass smtp.mailfrom=agent@helpdesk.test; dkim=pass header.d=helpdesk.test" |
    evil
check_eq "(i) a trusted-looking A-R on top, with --client-ip: ignored" \
    "forged major" "$(verdict_of I-TOPAR) $(t1 priority)"

# --- (j) the spoofer's own DNS trouble does not excuse a forgery. ------
mail alice@shop.example support@helpdesk.test "Re: [Support #1] Printer" \
    "J-SPOOF" |
    $PY "$S/tests/integration/dkim-sign-raw.py" "$K/s1.private" \
    evil.test e1 from:to:subject |
    ingest --sender mallory@slow.evil.test --client-ip 203.0.113.66
J=$(ticket_of J-SPOOF)
check_eq "(j) unaligned SPF and DKIM temperror under p=reject: forged" \
    forged "$(verdict_of J-SPOOF)"
check "(j) ... not joined to ticket 1, no auto-reply" test "$J" != 1 -a \
    "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=$J AND recipients LIKE '%alice%'")" = 0
