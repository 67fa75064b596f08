#!/bin/sh
# Portal-only mode (issue 13): with [mail] customer_replies = portal,
# customers answer in the portal.  A customer's mail reply is still
# kept, as an internal note marked "received by mail", changes nothing
# (no commands, no status change), and its sender is pointed to the
# portal at most once a day per ticket, never a robot (RFC 3834).
# What she writes in the portal is correspondence as usual.  Through
# lighttpd and the CGI as deployed, ingest and notify as postdesk,
# notices sent to a real SMTP server.
. "$(dirname "$0")/lib-web.sh"
. "$(dirname "$0")/notify-lib.sh"

echo "1..19"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
SPORT=$(free_port)
start_sink sink "$SPORT"
trap 'stop_sink sink; web_cleanup' EXIT INT TERM
sed -i 's/^subject_tag = Support$/&\ncustomer_replies = portal/' "$T/pd.conf"
printf '[notify]\nsmtp_url = smtp://127.0.0.1:%s\nretry_base = 1\n' \
    "$SPORT" >> "$T/pd.conf"

"$PD" check > "$T/check.out" 2>&1
check "postdesk check knows the key and finds portal-only in every language" \
    sh -c "! grep -Eq 'customer_replies|portal-only' '$T/check.out'"
grep -v '^base_url' "$T/pd.conf" > "$T/nolink.conf"
POSTDESK_CONFIG="$T/nolink.conf" "$INGEST" < "$T/mail/carol2.eml" 2>"$T/nolink.err"
check "without [web] base_url the mode is a config error: exit $? (78)" sh -c \
    "[ $? = 78 ] && grep -q 'needs \\[web\\] base_url' '$T/nolink.err'"
reply() {	# reply ID [HEADER]: Carol answers ticket 1 by mail
	printf 'From: Carol Customer <carol@a.example>\nTo: support@example.com\nSubject: Re: [Support #1] Printer on fire\nMessage-ID: <%s@a.example>\nIn-Reply-To: <carol-1@a.example>\n%s\nStatus: closed\n\nThe smoke is gone, %s.\n' \
	    "$1" "${2:-X-Nothing: 1}" "$1"
}
pointers() { sql "SELECT count(*) FROM outbox WHERE ticket_id = 1 AND template = 'portal-only' AND recipients = 'carol@a.example'"; }
status0=$(sql "SELECT status FROM tickets WHERE id = 1")

reply r1 > "$T/r1.eml"
ingest carol@a.example "$T/r1.eml"
check "her mail reply is taken in (exit $?)" test $? = 0
row=$(sql "SELECT id FROM messages WHERE message_id = 'r1@a.example' AND ticket_id = 1 AND internal = 1")
check "... kept in ticket 1 as an internal note ($row)" test -n "$row"
check "... with a received-by-mail event" test \
    "$(sql "SELECT count(*) FROM events WHERE message_row = '$row' AND kind = 'received-by-mail'")" = 1
check "... her Status: command is not applied, the status is unchanged" test \
    "$(sql "SELECT status FROM tickets WHERE id = 1")" = "$status0"
check "... and no command transcript goes out" test \
    "$(sql "SELECT count(*) FROM outbox WHERE message_row = '$row' AND template = 'command-transcript'")" = 0
check "... she is pointed to the portal once" test "$(pointers)" = 1
check "... the staff are notified of it" test \
    "$(sql "SELECT count(*) FROM outbox WHERE message_row = '$row' AND template = 'staff-notification'")" -ge 1

reply r2 > "$T/r2.eml"
ingest carol@a.example "$T/r2.eml"
check "a second mail reply the same day: no second pointer" test "$(pointers)" = 1
check "... the event says why" test \
    "$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'auto-reply-suppressed' AND detail LIKE '%last 24 hours%'")" = 1
reply r2 > "$T/r2.eml"
ingest carol@a.example "$T/r2.eml"
check "a redelivery changes nothing" test \
    "$(sql "SELECT count(*) FROM messages WHERE message_id = 'r2@a.example'"):$(pointers)" = 1:1

# A day later (the pointer's row is moved back 25 hours): one more.
sql "UPDATE outbox SET created = created - 90000 WHERE template = 'portal-only'"
reply r3 > "$T/r3.eml"
ingest carol@a.example "$T/r3.eml"
check "a day later, another pointer" test "$(pointers)" = 2
reply r4 'Auto-Submitted: auto-replied' > "$T/r4.eml"
sql "UPDATE outbox SET created = created - 90000 WHERE template = 'portal-only'"
ingest carol@a.example "$T/r4.eml"
check "an auto-reply from her side is never answered (RFC 3834)" test "$(pointers)" = 2

# What she writes in the portal is correspondence, not a note.
session() {
	curl -s -D - -o /dev/null "$("$PD" link "$1")" |
	    sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r'
}
CK=$(session carol@a.example)
curl -s -o "$T/page" -b "$CK" "$BASE/pd.cgi/ticket/1"
tok=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/page" | head -1)
st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" --data-urlencode "csrf=$tok" \
    --data-urlencode "body=Written in the portal." "$BASE/pd.cgi/ticket/1/post")
check "her portal message is stored as correspondence ($st)" test "$st:$(sql "SELECT internal FROM messages WHERE text LIKE '%Written in the portal%'")" = 303:0
check "... with no pointer to the portal" test "$(pointers)" = 2
curl -s -o "$T/staff" -u alice:alicepw "$BASE/staff/pd.cgi/ticket/1"
check "staff see her mailed note marked received by mail" sh -c \
    "grep -q 'received by mail' '$T/staff' && grep -q 'The smoke is gone, r1' '$T/staff'"

"$top_builddir/postdesk-notify" --once >/dev/null 2>&1
cat > "$T/body.py" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        sys.stdout.write(part.get_payload(decode=True).decode("utf-8"))
        break
PY
ptr=
for f in $(grep -il "^X-Envelope-To: carol@a.example" "$T/sink"/*.eml 2>/dev/null); do
	grep -qi '^Auto-Submitted: auto-replied' "$f" &&
	    /usr/bin/python3 "$T/body.py" "$f" | grep -q 'write it in the portal' &&
	    ptr=$f
done
check "the pointer is sent to her as an auto-reply" test -n "$ptr"
check "... carrying her sign-in link to the ticket" sh -c \
    "/usr/bin/python3 '$T/body.py' '$ptr' | grep -Eq '$BASE/pd\\.cgi/ticket/1\\?t=[A-Za-z0-9._-]+'"
