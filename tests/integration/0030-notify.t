#!/bin/sh
# postdesk-notify end to end through a real SMTP server (aiosmtpd):
# acknowledgement, staff notification, headers, threading of replies
# built from delivered files (token and References), postdesk reply
# with an attachment, 5xx recorded once, a DSN to the VERP address.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..40"
PORT=$(free_port)
start_sink sink "$PORT" --reject 'nobody@'
mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT" <<EOF
from_name = Example Support
[staff]
addresses = bob@staff.example.com; carol@staff.example.com
[web]
base_url = https://help.example/cgi-bin/postdesk.cgi
link_key = test-link-key-0123456789
EOF
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null

"$B/postdesk-ingest" --sender alice@shop.example \
    --recipient support@example.com <"$S/tests/data/sample/01-store-down.eml"
check "new ticket: ack and two staff rows pending, in the same commit" \
    test "$(sqlq_join "$DB" ' ' "SELECT kind || ':' || status FROM outbox ORDER BY id")" = \
    "ack:pending staff:pending staff:pending"
"$B/postdesk-notify" --once
check "three messages delivered" test "$(count_mail sink)" = 3
check "all rows sent" test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE status='sent'")" = 3

ACK=$(mail_to sink alice@shop.example)
check "ack: Auto-Submitted: auto-replied" test "$(hdr "$ACK" Auto-Submitted)" = auto-replied
check "ack: subject tag" sh -c "grep -m1 '^Subject:' '$ACK' | grep -q '\[Support #1\]'"
MID=$(hdr "$ACK" Message-Id | tr -d '<>')
check "ack: Message-ID pd.1.ROW.RANDOM@host" sh -c "echo '$MID' | grep -Eq '^pd\.1\.[0-9]+\.[0-9a-f]{16}@pd\.example\.com$'"
check "ack: outbound message stored with that Message-ID" \
    test "$(sqlq "$DB" "SELECT direction FROM messages WHERE message_id='$MID'")" = out
RT=$(hdr "$ACK" Reply-To | sed 's/.*<//; s/>.*//')
check "ack: Reply-To carries alice's own customer token" sh -c "echo '$RT' | grep -Eq '^support\+tc1\.[0-9a-f]{24}@example\.com$'"
check "ack: In-Reply-To the customer's message" test "$(hdr "$ACK" In-Reply-To)" = "<a1@shop.example>"
check "ack: X-Postdesk-Loop" test "$(hdr "$ACK" X-Postdesk-Loop)" = pd.example.com
check "ack: VERP envelope sender" sh -c "grep -Eq '^X-Envelope-From: bounces\+[0-9]+@example\.com' '$ACK'"
check "ack: reply marker on top of the body" sh -c "tr -d '\r' <'$ACK' | sed '1,/^$/d' | head -1 | grep -q 'Reply ABOVE THIS LINE'"
check "ack: template rendered (ticket number in text)" grep -q "registered it as ticket #1" "$ACK"

cat > "$T/body.py" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        sys.stdout.write(part.get_payload(decode=True).decode("utf-8"))
        break
PY
check "ack: signed customer link to the ticket" sh -c \
    "/usr/bin/python3 '$T/body.py' '$ACK' | grep -Eq 'https://help\.example/cgi-bin/postdesk\.cgi/ticket/1\?t=[A-Za-z0-9._-]+'"
LID=$(/usr/bin/python3 "$T/body.py" "$ACK" | sed -n 's/.*?t=\([0-9a-f]\{32\}\)\..*/\1/p' | head -1)
check "ack: the link is a revocable web_links row for the customer, minted once" \
    test "$(sqlq "$DB" "SELECT address || ' ' || ticket FROM web_links WHERE id = '$LID'"):$(sqlq "$DB" "SELECT count(*) FROM web_links")" = "alice@shop.example 1:1"
STAFF=$(mail_to sink bob@staff.example.com)
check "staff notification: plain viewer link, no customer token" sh -c \
    "/usr/bin/python3 '$T/body.py' '$STAFF' | grep -q 'https://help.example/cgi-bin/postdesk.cgi/ticket/1' && ! /usr/bin/python3 '$T/body.py' '$STAFF' | grep -q '?t='" 
check "staff: Auto-Submitted: auto-generated" test "$(hdr "$STAFF" Auto-Submitted)" = auto-generated
check "staff: carries the customer's text" grep -q "blank page" "$STAFF"

# The customer answers the acknowledgement: reply to the token address.
{
	printf 'From: Alice Customer <alice@shop.example>\nTo: %s\n' "$RT"
	printf 'Subject: Re: no tag here\nMessage-ID: <r1@shop.example>\n'
	printf 'In-Reply-To: <%s>\n\nIt is still down, here is the log.\n\n' "$MID"
	printf 'On Mon, Example Support wrote:\n'
	undeliver "$ACK" | sed '1,/^$/d; s/^/> /'
} >"$T/r1.eml"
"$B/postdesk-ingest" --sender alice@shop.example --recipient "$RT" <"$T/r1.eml"
check "reply to the token address lands in ticket 1" \
    test "$(sqlq "$DB" "SELECT ticket_id FROM messages WHERE message_id='r1@shop.example'")" = 1
check "threaded by rule 1 (reply token)" \
    sh -c "printf '%s\n' \"\$1\" | grep -q reply-token" - "$(sqlq "$DB" "SELECT detail FROM events WHERE kind='thread' ORDER BY id DESC LIMIT 1")"
check "quoted notification stripped from the stored text" \
    test "$(sqlq "$DB" "SELECT stripped FROM messages WHERE message_id='r1@shop.example'")" = "It is still down, here is the log."

# A reply that only has References (client dropped Reply-To).
printf 'From: alice@shop.example\nTo: support@example.com\nSubject: Re: x\nMessage-ID: <r2@shop.example>\nReferences: <%s>\n\nAnd again.\n' "$MID" |
    "$B/postdesk-ingest" --recipient support@example.com
check "reply by References lands in ticket 1" \
    test "$(sqlq "$DB" "SELECT ticket_id FROM messages WHERE message_id='r2@shop.example'")" = 1
printf 'From: eve@evil.example\nTo: support+t1.000000000000@example.com\nSubject: hi\nMessage-ID: <e1@evil.example>\n\nx\n' |
    "$B/postdesk-ingest" --recipient support+t1.000000000000@example.com
check "forged token is refused (new ticket)" \
    test "$(sqlq "$DB" "SELECT ticket_id FROM messages WHERE message_id='e1@evil.example'")" != 1

# Staff reply from the command line, with an attachment.
printf 'Please clear the cache.\nGr\303\274\303\237e, Bob\n' >"$T/body"
printf 'PK fake zip' >"$T/debug.zip"
"$B/postdesk" reply 1 --name "Bob Staff" --attach "$T/debug.zip" <"$T/body" >/dev/null
"$B/postdesk-notify" --once
REPLY=$(grep -l 'Please clear the cache' "$T"/sink/*.eml | head -1)
check "staff reply delivered to the requester" grep -q '^X-Envelope-To: alice@shop.example' "$REPLY"
check "staff reply: no Auto-Submitted (written by a human)" sh -c "! grep -qi '^Auto-Submitted:' '$REPLY'"
check "staff reply: attachment kept" grep -q 'filename=debug.zip' "$REPLY"
check "staff reply: UTF-8 quoted-printable body" sh -c "grep -q 'charset=utf-8' '$REPLY' && grep -q 'Gr=C3=BC=C3=9Fe' '$REPLY'"

# The customer's answer to the staff reply threads back.
RMID=$(hdr "$REPLY" Message-Id | tr -d '<>')
printf 'From: alice@shop.example\nTo: support@example.com\nSubject: Re: thanks\nMessage-ID: <r3@shop.example>\nIn-Reply-To: <%s>\n\nWorks now.\n' "$RMID" |
    "$B/postdesk-ingest" --recipient support@example.com
check "answer to the staff reply lands in ticket 1" \
    test "$(sqlq "$DB" "SELECT ticket_id FROM messages WHERE message_id='r3@shop.example'")" = 1

# A recipient the server refuses with 550: failed once, never retried.
printf 'From: nobody@shop.example\nTo: support@example.com\nSubject: refused\nMessage-ID: <n1@shop.example>\n\nx\n' |
    "$B/postdesk-ingest" --recipient support@example.com
"$B/postdesk-notify" --once
# The second run comes once a retry would be due, had the row been
# deferred (retry_base = 1: next_attempt = updated + 1).
retry_due() {
	[ "$(date +%s)" -gt "$(sqlq "$DB" "SELECT updated + 1 FROM outbox WHERE recipients='nobody@shop.example'")" ]
}
poll_until 30 retry_due
"$B/postdesk-notify" --once
check "5xx: row failed with the server's reply, one attempt" \
    test "$(sqlq "$DB" "SELECT status || ' ' || attempts || ' ' || CASE WHEN last_error LIKE '550%Recipient address rejected%' THEN 1 ELSE 0 END FROM outbox WHERE recipients='nobody@shop.example'")" = "failed 1 1"
check "5xx: a mail-failed event on the ticket" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='mail-failed'")" -ge 1

# A DSN for alice's ack arrives at its VERP address.
ACKROW=$(sqlq "$DB" "SELECT id FROM outbox WHERE kind='ack' AND recipients='alice@shop.example'")
tickets=$(sqlq "$DB" "SELECT count(*) FROM tickets")
cat >"$T/dsn.eml" <<EOF
From: MAILER-DAEMON@mx.shop.example
To: bounces+$ACKROW@example.com
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@mx.shop.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.example

Final-Recipient: rfc822; alice@shop.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown

--B
Content-Type: text/rfc822-headers

Message-Id: <$MID>
--B--
EOF
"$B/postdesk-ingest" --sender '' --recipient "bounces+$ACKROW@example.com" <"$T/dsn.eml"
check "the DSN is taken in with exit 0 (the MTA delivers it once)" test $? = 0
check "DSN marks the outbox row failed" \
    test "$(sqlq "$DB" "SELECT status FROM outbox WHERE id=$ACKROW")" = failed
check "DSN marks the participant bounced" \
    test "$(sqlq "$DB" "SELECT bounced FROM participants WHERE ticket_id=1 AND address='alice@shop.example'")" = 1
check "DSN appears on the ticket as an event" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=1 AND kind='bounce' AND detail LIKE '%5.1.1%'")" = 1
check "DSN opens no ticket" test "$(sqlq "$DB" "SELECT count(*) FROM tickets")" = "$tickets"

# An internal note reaches the other staff only.
echo "Customer seems to run an old PHP." | "$B/postdesk" comment 1 --from bob@staff.example.com >/dev/null
"$B/postdesk-notify" --once
check "comment mailed to carol only, never to the customer" \
    test "$(grep -l 'old PHP' "$T"/sink/*.eml | xargs grep -h '^X-Envelope-To:' | tr -d '\r' | sort -u)" = "X-Envelope-To: carol@staff.example.com"

# [templates] dir is the root (mail/ and web/ below it).  A template
# missing there is the site's configuration: exit 78, a syslog line,
# the row stays pending with its attempt count, and it goes out once
# the template is back.
mkdir -p "$T/tpl"
cp -R "$S/templates/." "$T/tpl/"
rm -f "$T/tpl/mail/new-ticket.txt" "$T/tpl/mail/new-ticket".*.txt
sed "s#^dir = .*#dir = $T/tpl#" "$T/pd.conf" > "$T/missing.conf"
store_moved "$T/missing.conf" "$T/missing.db"
POSTDESK_CONFIG=$T/missing.conf "$B/postdesk" init >/dev/null
POSTDESK_CONFIG=$T/missing.conf "$B/postdesk-ingest" --sender zed@shop.example \
    --recipient support@example.com <"$S/tests/data/sample/01-store-down.eml"
before=$(count_mail sink)
POSTDESK_CONFIG=$T/missing.conf "$B/postdesk-notify" --once 2>"$T/missing.err"
rc=$?
check "missing template: exit 78 (EX_CONFIG)" test "$rc" = 78
check "missing template: the error names the file and the dir" \
    grep -q "no template new-ticket.txt in $T/tpl/mail" "$T/missing.err"
check "missing template: no row failed, all pending, no attempt counted" \
    test "$(sqlq "$T/missing.db" "SELECT count(*) FROM outbox WHERE status != 'pending' OR attempts != 0")" = 0
cp "$S/templates/mail/new-ticket.txt" "$T/tpl/mail/"
POSTDESK_CONFIG=$T/missing.conf "$B/postdesk-notify" --once
check "template back: the pending rows are sent" \
    test "$(sqlq_join "$T/missing.db" , "SELECT status FROM outbox ORDER BY id") $(count_mail sink)" = "sent,sent,sent $((before + 3))"
