#!/bin/sh
# A verified change of a customer's notification address (issue 14,
# "Accounts"): Notify-Address: by mail sends a confirmation with a
# signed token to the new address only; nothing changes until the new
# address replies with it (Confirm-Address:); then notifications go
# there and the old address is told.  A wrong, forged or expired token,
# or the token from the old address, changes nothing.  postdesk-ingest
# and postdesk-notify against an aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..24"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n[web]\nbase_url = https://pd.example.com/pd.cgi\nlink_key = k-0051\n[auth]\n%s\n' \
    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null
q() { sqlq "$DB" "$1"; }
# send FROM CLIENT-IP SUBJECT BODY
send() {
	mail "$1" support@example.com "$3" "$4" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip "$2" \
	    --recipient support@example.com <"$T/m.eml"
}
notify() { "$B/postdesk-notify" --once >/dev/null; }
# The delivered mails to ADDR that contain TEXT (raw, as delivered).
sink_count() {
	grep -l -- "$2" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r grep -il "^X-Envelope-To: $1" | wc -l
}
# A staff reply on ticket 1 by mail from the staff's own server: where
# does the customer's copy go?
staff_reply() {
	mail bob@staff.example.com support@example.com "Re: [Support #1] x" \
	    "$1" >"$T/s.eml"
	"$B/postdesk-ingest" --sender bob@staff.example.com \
	    --client-ip 192.0.2.5 --recipient support@example.com <"$T/s.eml"
	q "SELECT recipients FROM outbox WHERE kind='reply' ORDER BY id DESC LIMIT 1"
}

send alice@shop.example 198.51.100.7 "Printer" "The printer is on fire."
notify
send alice@shop.example 198.51.100.7 "Re: [Support #1] Printer" \
    "Notify-Address: alice@home.example\n\nPlease write to my home address."
check "a change request is stored, pending" \
    test "$(q "SELECT address || '>' || new_address || ':' || confirmed FROM address_changes")" = "alice@shop.example>alice@home.example:0"
check "the confirmation is queued for the new address only" \
    test "$(sqlq_join "$DB" , "SELECT recipients FROM outbox WHERE template='address-confirm' ORDER BY id")" = alice@home.example
notify
CONF=$(grep -il "^X-Envelope-To: alice@home.example" "$T"/sink/*.eml | head -1)
check "the confirmation mail reaches the new address" test -n "$CONF"
TOKEN=$(tr -d '\r' <"$CONF" | sed -n 's/^Confirm-Address: //p' | head -1)
ID=${TOKEN%%.*}
check "it carries a signed token (ID.SIGNATURE)" sh -c \
    "test -n '$TOKEN' && test '$ID' = '$(q 'SELECT id FROM address_changes')' && test '$TOKEN' != '$ID'"
check "the token is in no mail to the old address" \
    test "$(sink_count alice@shop.example "$ID")" = 0
check "the token is in no event" \
    test "$(q "SELECT count(*) FROM events WHERE detail LIKE '%$ID%'")" = 0
check "the transcript tells the requester a confirmation was sent" \
    test "$(sink_count alice@shop.example "confirmation was sent to alice@home.example")" = 1
check "before the confirmation, notifications go to the old address" \
    test "$(staff_reply "Try turning it off.")" = alice@shop.example

# The old address cannot confirm for the new one, even verified.
send alice@shop.example 198.51.100.7 "Re: [Support #1] x" "Confirm-Address: $TOKEN"
check "the token from the old address changes nothing" \
    test "$(q "SELECT count(*) FROM contacts WHERE notify_address IS NOT NULL")" = 0
check "... refused: it must come from the new address" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE 'Confirm-Address: % — the confirmation must come from the new address'")" = 1
# A forged signature.
send alice@home.example 203.0.113.9 "Re: confirm" "Confirm-Address: $ID.0000000000deadbeef00"
check "a forged token changes nothing" \
    test "$(q "SELECT confirmed FROM address_changes")" = 0
check "... refused as not ours" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE '%the token is not one of ours'")" = 1

# The new address confirms (its domain has no SPF: the token is the proof).
send alice@home.example 203.0.113.9 "Re: Please confirm" \
    "Confirm-Address: $TOKEN\n\n> Hello,"
check "the confirmation applies the change" \
    test "$(q "SELECT notify_address FROM contacts WHERE address='alice@shop.example'")" = alice@home.example
check "... once: the change is marked confirmed" \
    test "$(q "SELECT CASE WHEN confirmed > 0 THEN 1 ELSE 0 END FROM address_changes WHERE id='$ID'")" = 1
check "the old address is told, there and nowhere else" \
    test "$(sqlq_join "$DB" , "SELECT recipients FROM outbox WHERE template='address-changed' ORDER BY id")" = alice@shop.example
notify
check "... and the notice is delivered" \
    test "$(sink_count alice@shop.example "now go to alice@home.example")" -ge 1
check "after the confirmation, notifications go to the new address" \
    test "$(staff_reply "Did that help?")" = alice@home.example
# A notice with a sign-in link (closed), redirected to the new address:
# the link signs in as the participant it is for.
links() { q "SELECT count(*) FROM web_links WHERE address='$1'"; }
notify
home=$(links alice@home.example) shop=$(links alice@shop.example)
"$B/postdesk" status 1 closed >/dev/null
notify
check "a closed notice goes to the new address" \
    test "$(q "SELECT recipients FROM outbox WHERE template='closed'")" = alice@home.example
check "... its sign-in link is the participant's, not the new address's" \
    test "$(links alice@home.example):$(links alice@shop.example)" = "$home:$((shop + 1))"
send alice@home.example 203.0.113.9 "Re: again" "Confirm-Address: $TOKEN"
check "a used token does not apply again" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE '%already confirmed'")" = 1

# Expiry: a second request, confirmed too late.
send alice@shop.example 198.51.100.7 "Re: [Support #1] x" "Notify-Address: alice@work.example"
notify
F2=$(grep -il "^X-Envelope-To: alice@work.example" "$T"/sink/*.eml | head -1)
T2=$(tr -d '\r' <"$F2" | sed -n 's/^Confirm-Address: //p' | head -1)
q "UPDATE address_changes SET expires = created - 1 WHERE new_address='alice@work.example'"
send alice@work.example 203.0.113.9 "Re: confirm" "Confirm-Address: $T2"
check "an expired token changes nothing" \
    test "$(q "SELECT notify_address FROM contacts WHERE address='alice@shop.example'")" = alice@home.example
check "... refused as expired" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE '%expired%'")" = 1

# An unverified request is refused; a verified reset goes back.
send alice@shop.example 203.0.113.9 "Re: [Support #1] x" "Notify-Address: evil@attacker.example"
check "an unverified Notify-Address: sends no confirmation" \
    test "$(q "SELECT count(*) FROM address_changes WHERE new_address='evil@attacker.example'")" = 0
send alice@shop.example 198.51.100.7 "Re: [Support #1] x" "Notify-Address: reset"
check "a verified reset sends notifications to her own address again" \
    test "$(staff_reply "Back to you.")" = alice@shop.example
