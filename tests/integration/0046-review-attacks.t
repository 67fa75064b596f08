#!/bin/sh
# A second attacker's pass over issue 11 (the review of the merged work),
# each refused next to the legitimate case it imitates:
#   (e) fetched mail: an Authentication-Results with the MX's own
#       authserv-id, written by the sender and so below the MX's
#       Received: hop (the MX added none: OpenDKIM on unsigned mail); a
#       fake hop of the MX below it does not help; the same with
#       Received-SPF.  The MX's real header above its hop is believed.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "1..5"
cat >"$T/dns.txt" <<REC
helpdesk.test v=spf1 ip4:192.0.2.0/24 -all
evil.test v=spf1 ip4:203.0.113.66 -all
shop.example v=spf1 ip4:198.51.100.0/24 -all
REC
DB=$T/pd.db
M=$T/Maildir
mkdir -p "$M/new" "$M/cur" "$M/tmp"
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
    "none none none" \
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
check_eq "all fetched mail stored in ticket 1, none dropped" "1 1 1 1" \
    "$(ticket_of FORGED-AR) $(ticket_of FORGED-HOP) $(ticket_of FORGED-RSPF) $(ticket_of REAL-AR)"
