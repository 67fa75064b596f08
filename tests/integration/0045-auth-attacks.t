#!/bin/sh
# The attacks of issue 11 against the permission table (postdesk-auth(5)),
# through postdesk-ingest and postdesk-notify with an aiosmtpd sink, the
# test resolver ([auth] dns_records) and real DKIM signatures
# (opendkim-genkey; the opendkim binary signs, tests/integration/
# lib-dkim.sh).  Each attack is refused with an event naming its rule,
# next to the legitimate cases that keep working:
#   (a) From: staff, envelope mallory@evil.test with SPF pass for
#       evil.test, [Support #N] and Status/Queue/Owner: no change, no relay;
#   (b) a customer's own token under a staff From:: no staff authority;
#       a staff token forwarded to someone else proves nothing;
#   (c) a spoofed customer From: with SPF fail under p=reject: a new
#       ticket tagged unverified, no auto-reply; or the quarantine, per
#       [auth] on_forged;
#   (d) a staff address with SPF fail is participant-checked;
# legitimate: staff reply through the company's relay (aligned SPF);
# staff reply via the staff token; customer reply with her own token;
# Gmail-style (DKIM aligned, SPF pass for another domain);
# list-forwarded (SPF fail, DKIM aligned).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
. "$S/tests/integration/lib-dkim.sh"
T=$(mktemp -d)
trap 'stop_sink sink; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "1..53"
PORT=$(free_port)
start_sink sink "$PORT"
K=$T/keys
{
	dkim_keygen "$K" helpdesk.test s1
	cat <<REC
helpdesk.test v=spf1 ip4:192.0.2.0/24 -all
evil.test v=spf1 ip4:203.0.113.66 -all
shop.example v=spf1 ip4:198.51.100.0/24 -all
_dmarc.shop.example v=DMARC1; p=reject
bounces.mailer.test v=spf1 ip4:198.18.0.0/24 -all
REC
} >"$T/dns.txt" 2>"$T/keygen.err"
DB=$T/pd.db
conf() {	# conf [on_forged]
	nl_pg_start	# before the pipe into mkconf, a subshell
	{
		printf '[staff]\naddresses = agent@helpdesk.test; '
		printf 'bob@helpdesk.test; staff@helpdesk.test\n'
		printf '[auth]\ndns_records = %s\n' "$T/dns.txt"
		[ -n "${1:-}" ] && printf 'on_forged = %s\n' "$1"
	} | mkconf "$T/pd.conf" "$DB" support@helpdesk.test helpdesk.test \
	    "$PORT"
}
conf
export POSTDESK_CONFIG="$T/pd.conf"
"$B/postdesk" init >/dev/null
NOW=$(date +%s)
mail() {	# mail FROM TO SUBJECT BODY [HEADER]
	printf 'From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s@test>\n' \
	    "$1" "$2" "$3" "$(date +%s%N)"
	printf 'Date: Wed, 02 Dec 2026 10:00:00 +0000\n'
	[ -n "${5:-}" ] && printf '%s\n' "$5"
	printf '\n%b\n' "$4"
}
crlf() { sed 's/$/\r/'; }
ingest() { "$B/postdesk-ingest" "$@"; }
notify() { "$B/postdesk-notify" --once >/dev/null; }
t1() { sqlq "$DB" "SELECT $1 FROM tickets WHERE id=1"; }
ev() {	# ev KIND LIKE: events of KIND whose detail is LIKE
	sqlq "$DB" "SELECT count(*) FROM events WHERE kind='$1' AND detail LIKE '$2'"
}
replies() { sqlq "$DB" "SELECT count(*) FROM outbox WHERE kind='reply'"; }
tickets() { sqlq "$DB" "SELECT count(*) FROM tickets"; }
ticket_of() { sqlq "$DB" "SELECT ticket_id FROM messages WHERE text LIKE '%$1%' AND direction='in'"; }
in_sink() {	# in_sink TEXT ADDR: TEXT was mailed to ADDR
	grep -l "$1" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r grep -il "^X-Envelope-To: $2" | grep -q .
}
rt() { hdr "$1" Reply-To | sed 's/.*<//; s/>.*//'; }
newest_to() {	# the newest delivered file to ADDR containing TEXT
	grep -l "$2" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r grep -il "^X-Envelope-To: $1" | tail -1
}

# --- alice opens ticket 1 from her own server, carol in Cc. -------------
mail alice@shop.example support@helpdesk.test "Printer on fire" \
    "OPEN-1 the printer is on fire" "Cc: carol@partner.example" >"$T/o1.eml"
ingest --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@helpdesk.test <"$T/o1.eml"
notify
ACK=$(newest_to alice@shop.example OPEN-1)
[ -n "$ACK" ] || ACK=$(mail_to sink alice@shop.example)
A_RT=$(rt "$ACK")
AG_RT=$(rt "$(newest_to agent@helpdesk.test OPEN-1)")
BOB_RT=$(rt "$(newest_to bob@helpdesk.test OPEN-1)")
check "ack: alice's own customer token" \
    sh -c "echo '$A_RT' | grep -Eq '^support\+tc1\.[0-9a-f]{24}@helpdesk\.test$'"
check "staff notifications: a staff token each, minted per recipient" \
    sh -c "echo '$AG_RT' | grep -Eq '^support\+ts1\.[0-9a-f]{24}@' &&
    echo '$BOB_RT' | grep -Eq '^support\+ts1\.[0-9a-f]{24}@' &&
    [ '$AG_RT' != '$BOB_RT' ]"

# --- legitimate: staff reply from a phone through the company relay. ----
mail agent@helpdesk.test support@helpdesk.test "Re: [Support #1] Printer on fire" \
    "Priority: major\n\nLEGIT-SPF step away from the printer" >"$T/l1.eml"
ingest --sender agent@helpdesk.test --client-ip 192.0.2.10 \
    --recipient support@helpdesk.test <"$T/l1.eml"
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1"; echo "# expected [$2], got [$3]"; fi; }
check_eq "aligned SPF: the staff command applies" major "$(t1 priority)"
check "aligned SPF: staff-command allowed, the event says why" \
    test "$(ev policy 'staff-command: allowed%aligned%')" = 1
check "aligned SPF: staff-relay allowed" \
    test "$(ev policy 'staff-relay: allowed%')" = 1
check_eq "aligned SPF: relayed to alice and carol" 2 "$(replies)"
notify
R_A=$(newest_to alice@shop.example LEGIT-SPF)
R_C=$(newest_to carol@partner.example LEGIT-SPF)
C_RT=$(rt "$R_C")
check "relayed reply reached alice and carol" test -n "$R_A" -a -n "$R_C"
check "one copy per recipient: alice's copy carries her token" \
    test -n "$R_A" -a "$(rt "$R_A")" = "$A_RT"
check "... carol's copy carries carol's own, another token" \
    sh -c "echo '$C_RT' | grep -Eq '^support\+tc1\.[0-9a-f]{24}@' &&
    [ '$C_RT' != '$A_RT' ]"
check "... and both copies are the same message (one Message-ID)" \
    test "$(hdr "$R_A" Message-ID)" = "$(hdr "$R_C" Message-ID)"

# --- (a) From: staff, SPF pass for evil.test, commands and a relay. ----
# agent is a participant of ticket 1 by now, so the mail joins it; only
# the proof is missing.
N=$(replies)
mail "Agent <agent@helpdesk.test>" support@helpdesk.test \
    "Re: [Support #1] Printer on fire" \
    "Status: closed\nQueue: sales\nOwner: bob\n\nRELAY-A send your card number to mallory" \
    >"$T/a1.eml"
ingest --explain --sender mallory@evil.test --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/a1.eml" >"$T/a1.explain"
check "(a) --explain shows the rule before anything is written" \
    grep -q '^policy: staff-command: refused' "$T/a1.explain"
ingest --sender mallory@evil.test --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/a1.eml"
check_eq "(a) SPF pass for evil.test: verdict not pass" fail \
    "$(sqlq "$DB" "SELECT auth_verdict FROM messages WHERE text LIKE '%RELAY-A%'")"
check_eq "(a) status, queue and owner unchanged" "waiting-for-customer support " \
    "$(t1 status) $(t1 queue) $(t1 owner)"
check "(a) each command refused, naming staff-command" \
    test "$(ev command-refused '%staff-command: refused%')" = 3
check "(a) staff-relay refused, with its event" \
    test "$(ev policy 'staff-relay: refused%')" = 1
check_eq "(a) nothing relayed" "$N" "$(replies)"
notify
check "(a) the text never reached alice or carol" \
    sh -c "! grep -l RELAY-A '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: \(alice\|carol\)@' | grep -q ."
check "(a) ... but the other staff were told of it, as of any mail" \
    in_sink RELAY-A bob@helpdesk.test

# --- (b) alice's own token under a staff From:. ------------------------
mail agent@helpdesk.test "$A_RT" "Re: [Support #1] Printer on fire" \
    "Priority: minor\nOwner: bob\nStatus: closed\n\nRELAY-B" >"$T/b1.eml"
ingest --sender agent@helpdesk.test --recipient "$A_RT" <"$T/b1.eml"
check_eq "(b) customer token under a staff From:: nothing changes" \
    "major waiting-for-customer " "$(t1 priority) $(t1 status) $(t1 owner)"
check "(b) refused by staff-command, each with its event" \
    test "$(ev command-refused '%staff-command: refused%')" = 6
check_eq "(b) nothing relayed" "$N" "$(replies)"
# A staff token forwarded to mallory proves nothing for her.
mail mallory@evil.test "$AG_RT" "Re: [Support #1] Printer on fire" \
    "Status: closed\n\nFWD-B" >"$T/b2.eml"
ingest --sender mallory@evil.test --client-ip 203.0.113.66 \
    --recipient "$AG_RT" <"$T/b2.eml"
check "(b) forwarded staff token: a new ticket, linked, not ticket 1" \
    test "$(ticket_of FWD-B)" != 1 -a \
    "$(sqlq "$DB" "SELECT linked_to FROM tickets WHERE id=$(ticket_of FWD-B)")" = 1
check "(b) ... by join-thread, with its event" \
    test "$(ev policy 'join-thread: refused — sender is not a participant')" -ge 1
check_eq "(b) ticket 1 still waits for the customer" waiting-for-customer "$(t1 status)"

# --- legitimate: bob answers through his own staff token (no SPF). -----
mail bob@helpdesk.test "$BOB_RT" "Re: [Support #1] Printer on fire" \
    "Priority: normal\n\nLEGIT-TOKEN I unplugged it" >"$T/l2.eml"
ingest --sender bob@helpdesk.test --recipient "$BOB_RT" <"$T/l2.eml"
check_eq "staff token: the staff command applies" normal "$(t1 priority)"
check "staff token: staff-command allowed by the token, with its event" \
    test "$(ev policy 'staff-command: allowed%staff token%')" = 1
check_eq "staff token: relayed to alice and carol" $((N + 2)) "$(replies)"

# --- (d) a staff address with SPF fail is participant-checked. ---------
mail staff@helpdesk.test support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "Status: closed\n\nSPF-FAIL-D" \
    >"$T/d1.eml"
ingest --sender staff@helpdesk.test --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/d1.eml"
check "(d) SPF fail, not a participant: a new linked ticket" \
    test "$(ticket_of SPF-FAIL-D)" != 1 -a \
    "$(sqlq "$DB" "SELECT linked_to FROM tickets WHERE id=$(ticket_of SPF-FAIL-D)")" = 1
check "(d) ... by join-thread, naming the sender" \
    test "$(ev thread '%join-thread: refused%staff@helpdesk.test%')" = 1
check_eq "(d) ticket 1 untouched" "waiting-for-customer normal" "$(t1 status) $(t1 priority)"

# --- Gmail-style: DKIM aligned, SPF pass for the mailer's domain. ------
mail "Agent <agent@helpdesk.test>" support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "Queue: sales\n\nGMAIL-DKIM" | crlf |
    dkim_sign "$K" helpdesk.test s1 >"$T/g1.eml" 2>"$T/sign.err"
ingest --sender a+1@bounces.mailer.test --client-ip 198.18.0.7 \
    --recipient support@helpdesk.test <"$T/g1.eml"
check_eq "Gmail-style: verdict pass" pass \
    "$(sqlq "$DB" "SELECT auth_verdict FROM messages WHERE text LIKE '%GMAIL-DKIM%' AND direction='in'")"
check_eq "Gmail-style: the staff command applies" sales "$(t1 queue)"
check_eq "Gmail-style: relayed" $((N + 4)) "$(replies)"

# --- list-forwarded: SPF fail, DKIM still aligned. ----------------------
mail "Agent <agent@helpdesk.test>" support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "Owner: bob\n\nLIST-DKIM" | crlf |
    dkim_sign "$K" helpdesk.test s1 |
    sed '1i List-Id: <help.lists.test>\r' >"$T/g2.eml" 2>>"$T/sign.err"
ingest --sender agent@helpdesk.test --client-ip 198.19.0.9 \
    --recipient support@helpdesk.test <"$T/g2.eml"
check_eq "list-forwarded: SPF fail, verdict pass" "fail pass" \
    "$(sqlq "$DB" "SELECT spf || ' ' || auth_verdict FROM messages WHERE text LIKE '%LIST-DKIM%' AND direction='in'")"
check_eq "list-forwarded: the staff command applies" bob@helpdesk.test \
    "$(t1 owner)"

# --- (c) a spoofed customer: SPF fail under shop.example's p=reject. ----
T0=$(tickets)
mail alice@shop.example support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "Status: closed\n\nSPOOF-C" >"$T/c1.eml"
ingest --sender alice@shop.example --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/c1.eml"
C=$(ticket_of SPOOF-C)
check_eq "(c) verdict forged, stored" forged \
    "$(sqlq "$DB" "SELECT auth_verdict FROM messages WHERE text LIKE '%SPOOF-C%'")"
check "(c) on_forged = new-ticket: not ticket 1, a new linked ticket" \
    test "$C" != 1 -a "$(tickets)" = $((T0 + 1)) -a \
    "$(sqlq "$DB" "SELECT linked_to FROM tickets WHERE id=$C")" = 1
check_eq "(c) ... tagged unverified" unverified \
    "$(sqlq "$DB" "SELECT tag FROM ticket_tags WHERE ticket_id=$C")"
check "(c) ... by join-thread, with its event" \
    test "$(ev policy 'join-thread: refused — verdict forged%')" = 1
check_eq "(c) no auto-reply to the forged sender" 0 \
    "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=$C AND recipients='alice@shop.example'")"
check "(c) ... and the suppression is an event" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=$C AND kind='auto-reply-suppressed' AND detail LIKE '%forged%'")" = 1
check_eq "(c) ticket 1 still open" waiting-for-customer "$(t1 status)"
# A forged new message (no ticket named): unverified, no ack either.
mail alice@shop.example support@helpdesk.test "Refund now" "SPOOF-NEW" \
    >"$T/c2.eml"
ingest --sender alice@shop.example --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/c2.eml"
C2=$(ticket_of SPOOF-NEW)
check_eq "(c) forged new message: a ticket tagged unverified, no ack" \
    "unverified 0" "$(sqlq "$DB" "SELECT tag FROM ticket_tags WHERE ticket_id=$C2") $(sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=$C2 AND kind='ack'")"
# on_forged = quarantine: kept, not in any ticket, not dropped.
conf quarantine
T0=$(tickets)
Q0=$(sqlq "$DB" "SELECT count(*) FROM quarantine")
mail alice@shop.example support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "SPOOF-Q" >"$T/c3.eml"
ingest --sender alice@shop.example --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/c3.eml"
check_eq "(c) on_forged = quarantine: exit 0" 0 "$?"
check_eq "(c) ... kept in the quarantine, no ticket" \
    "$((Q0 + 1)) $T0 0" "$(sqlq "$DB" "SELECT count(*) FROM quarantine") $(tickets) $(sqlq "$DB" "SELECT count(*) FROM messages WHERE text LIKE '%SPOOF-Q%'")"
check "(c) ... with an event naming the rule" \
    test "$(ev refused '%join-thread: refused — verdict forged%quarantine%')" = 1
# on_forged = accept: joins, but still no command and no auto-reply.
conf accept
mail alice@shop.example support@helpdesk.test \
    "Re: [Support #1] Printer on fire" "Status: closed\n\nSPOOF-ACC" \
    >"$T/c4.eml"
ingest --sender alice@shop.example --client-ip 203.0.113.66 \
    --recipient support@helpdesk.test <"$T/c4.eml"
check_eq "(c) on_forged = accept: in ticket 1" 1 "$(ticket_of SPOOF-ACC)"
check "(c) ... its command refused by customer-command" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=1 AND kind='command-refused' AND detail LIKE '%customer-command: refused%'")" = 1 -a \
    "$(t1 status)" != closed
conf

# --- legitimate: alice closes with her own token, from anywhere. -------
mail alice@shop.example "$A_RT" "Re: [Support #1] Printer on fire" \
    "Status: closed\n\nCUST-TOKEN thanks" >"$T/l3.eml"
ingest --sender alice@shop.example --recipient "$A_RT" <"$T/l3.eml"
check_eq "own token: the customer command applies" closed "$(t1 status)"
check "own token: customer-command allowed by her token, with its event" \
    test "$(ev policy 'customer-command: allowed — participant with her own token')" = 1
# carol's token is carol's: under alice's From: (forged: no SPF, no
# DKIM, p=reject) it proves nothing, so on_forged applies.
sqlq "$DB" "UPDATE tickets SET status='in-progress' WHERE id=1"
mail alice@shop.example "$C_RT" "Re: [Support #1] Printer on fire" \
    "Status: closed\n\nWRONG-TOKEN" >"$T/l4.eml"
ingest --sender alice@shop.example --recipient "$C_RT" <"$T/l4.eml"
check "someone else's token: not joined, ticket 1 unmoved" \
    test "$(ticket_of WRONG-TOKEN)" != 1 -a "$(t1 status)" = in-progress

# --- a legacy token threads, and carries no authority. ------------------
# Format 1 (token.h): HMAC-SHA256 of "t1", 12 hex, as mail sent before.
OLD=$($PY -c 'import hmac, hashlib, sys
print(hmac.new(sys.argv[1].encode(), b"t1", hashlib.sha256).hexdigest()[:12])' \
    "$(sed -n 's/^token_key = //p' "$T/pd.conf" | head -1)")
mail agent@helpdesk.test "support+t1.$OLD@helpdesk.test" \
    "Re: your ticket" "Status: closed\n\nLEGACY-TOKEN" >"$T/l5.eml"
ingest --sender agent@helpdesk.test \
    --recipient "support+t1.$OLD@helpdesk.test" <"$T/l5.eml"
check_eq "legacy token: threads into ticket 1, commands refused" \
    "1 in-progress" "$(ticket_of LEGACY-TOKEN) $(t1 status)"
check_eq "all 16 messages stored (15) or quarantined (1), none dropped" \
    "15 1" "$(sqlq "$DB" "SELECT count(*) FROM messages WHERE direction='in'") $(sqlq "$DB" "SELECT count(*) FROM quarantine")"
