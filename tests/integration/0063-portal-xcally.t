#!/bin/sh
# XCALLY's vocabulary (contrib/lifecycle/escalation.conf) in portal-only
# mode, end to end (issue 13): communication happens in the portal and
# mail only notifies.  A customer's first mail opens a ticket and its
# acknowledgement points to the portal; the staff answer from the desk
# and the notice says to answer in the portal, with her link; she
# answers in the portal, confirms Resolved → Closed there and rates
# it; her later mail reply is kept as a note ("received by mail") and
# changes nothing, and the polite pointer to the portal goes at most
# once a day for that ticket; a new ticket opened on /new starts as
# Waiting for Support.  Through lighttpd, the CGI, ingest and notify as
# deployed, and a real SMTP server.
. "$(dirname "$0")/lib-web.sh"
. "$(dirname "$0")/notify-lib.sh"

echo "1..20"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
SPORT=$(free_port)
start_sink sink "$SPORT"
trap 'stop_sink sink; web_cleanup' EXIT INT TERM
sed -i 's/^subject_tag = Support$/&\ncustomer_replies = portal/' "$T/pd.conf"
printf '[notify]\nsmtp_url = smtp://127.0.0.1:%s\nretry_base = 1\n' \
    "$SPORT" >> "$T/pd.conf"
cat "$top_srcdir/contrib/lifecycle/escalation.conf" >> "$T/pd.conf"
cat > "$T/body.py" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        sys.stdout.write(part.get_payload(decode=True).decode("utf-8"))
        break
PY
body() { /usr/bin/python3 "$T/body.py" "$1"; }
notify() { "$top_builddir/postdesk-notify" --once >/dev/null 2>&1; }
# newest MATCH: the newest mail to eva whose body has MATCH
newest() {
	for f in $(ls -t "$T/sink"/*.eml 2>/dev/null); do
		grep -qi '^X-Envelope-To: eva@c.example' "$f" &&
		    body "$f" | grep -q "$1" && { echo "$f"; return; }
	done
}
st() { sql "SELECT status FROM tickets WHERE id = $id"; }

cat > "$T/eva1.eml" <<'MSG'
From: Eva <eva@c.example>
To: support@example.com
Subject: Our call queues are down
Message-ID: <eva-1@c.example>

No calls reach our agents since 9:00.
MSG
ingest eva@c.example "$T/eva1.eml"
id=$(sql "SELECT ticket_id FROM messages WHERE message_id = 'eva-1@c.example'")
check "her first mail opens a ticket, Waiting for Support ($id, $(st))" \
    test "$(st)" = "Waiting for Support"
notify
ack=$(newest "registered it as ticket #$id")
[ -n "$ack" ] && body "$ack" > "$T/ack.txt"
check "the acknowledgement points to the portal with her link" sh -c \
    "grep -q 'support portal' '$T/ack.txt' && grep -Eq '/pd.cgi/ticket/$id\\?t=' '$T/ack.txt'"
check "... and does not ask her to reply by mail" sh -c \
    "[ -s '$T/ack.txt' ] && ! grep -q 'reply to this message' '$T/ack.txt'"

# The staff answer from the desk.
curl -s -o "$T/s1" -u alice:alicepw "$BASE/staff/pd.cgi/ticket/$id"
stok=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/s1" | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' -u alice:alicepw --data-urlencode "csrf=$stok" \
    --data-urlencode "body=We restarted the dialer; please check." "$BASE/staff/pd.cgi/ticket/$id/reply")
check "staff answer from the desk ($code, $(st))" test "$code" = 303
notify
rep=$(newest "restarted the dialer")
[ -n "$rep" ] && body "$rep" > "$T/rep.txt"
check "the answer reaches her, saying to answer in the portal, with her link" sh -c \
    "grep -q 'support portal' '$T/rep.txt' && grep -Eq '/pd.cgi/ticket/$id\\?t=' '$T/rep.txt'"

mid=$(sql "SELECT message_id FROM messages WHERE direction = 'out' AND text LIKE '%restarted the dialer%'")
"$PD" raw "$mid" > "$T/shown.eml" 2>/dev/null
body "$T/shown.eml" > "$T/shown.txt" 2>/dev/null
check "the message's stored copy (for show) carries no one's sign-in link" sh -c \
    "grep -q 'restarted the dialer' '$T/shown.txt' && ! grep -q '?t=' '$T/shown.txt'"

# She answers in the portal: correspondence.
link=$(grep -Eo "http://[^ ]*/pd.cgi/ticket/$id\\?t=[A-Za-z0-9._-]+" "$T/rep.txt" | head -1)
CK=$(curl -s -D - -o /dev/null "$link" | sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r')
check "her link from the notice signs her in" test -n "$CK"
curl -s -o "$T/c1" -b "$CK" "$BASE/pd.cgi/ticket/$id"
ctok=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/c1" | head -1)
check "her priority form offers High but not Highest (staff_priorities)" sh -c \
    "grep -q '<option>High</option>' '$T/c1' && ! grep -q '<option>Highest</option>' '$T/c1'"
code=$(curl -s -o "$T/h1" -w '%{http_code}' -b "$CK" -d "csrf=$ctok&priority=Highest" \
    "$BASE/pd.cgi/ticket/$id/change")
check "a hand-made POST for Highest: 409 with the reason, priority unchanged ($code)" sh -c \
    "[ '$code:$(sql "SELECT priority FROM tickets WHERE id = $id")' = 409:Medium ] && grep -q 'only staff set priority Highest' '$T/h1'"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" --data-urlencode "csrf=$ctok" \
    --data-urlencode "body=Calls come in again, thank you." "$BASE/pd.cgi/ticket/$id/post")
check "she answers in the portal: stored as correspondence ($code)" test \
    "$code:$(sql "SELECT internal FROM messages WHERE text LIKE '%Calls come in again%'")" = 303:0

# Staff resolve it; she confirms Resolved → Closed in the portal.
code=$(curl -s -o "$T/u1" -w '%{http_code}' -u alice:alicepw -d "csrf=$stok&status=Resolved" \
    "$BASE/staff/pd.cgi/ticket/$id/update")
check "staff set Resolved ($code, $(st))" test "$(st)" = Resolved
curl -s -o "$T/c2" -b "$CK" "$BASE/pd.cgi/ticket/$id"
check "her form offers Closed" grep -q '<option>Closed</option>' "$T/c2"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -d "csrf=$ctok&status=Closed" \
    "$BASE/pd.cgi/ticket/$id/change")
check "she closes it in the portal ($code, $(st))" test "$code:$(st)" = 303:Closed
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -d "csrf=$ctok&rating=5&comment=Back+within+the+hour" \
    "$BASE/pd.cgi/ticket/$id/rate")
check "she rates it in the portal ($code)" test \
    "$code:$(sql "SELECT rating || ' ' || comment FROM ratings WHERE ticket_id = $id")" = "303:5 Back within the hour"

# Her mail reply afterwards: a note; the ticket stays Closed.
cat > "$T/eva2.eml" <<MSG
From: Eva <eva@c.example>
To: support@example.com
Subject: Re: [Support #$id] Our call queues are down
Message-ID: <eva-2@c.example>

Status: Waiting for Support

Thanks again!
MSG
ingest eva@c.example "$T/eva2.eml"
check "her later mail reply is a note and the ticket stays Closed ($(st))" test \
    "$(sql "SELECT internal FROM messages WHERE message_id = 'eva-2@c.example'"):$(st)" = 1:Closed
notify
check "... and she is pointed to the portal" test -n "$(newest 'write it in the portal')"
# pointers: how many pointers to the portal eva got.
pointers() {
	c=0
	for f in "$T/sink"/*.eml; do
		grep -qi '^X-Envelope-To: eva@c.example' "$f" &&
		    body "$f" | grep -q 'write it in the portal' && c=$((c + 1))
	done
	echo "$c"
}
cat > "$T/eva3.eml" <<MSG
From: Eva <eva@c.example>
To: support@example.com
Subject: Re: [Support #$id] Our call queues are down
Message-ID: <eva-3@c.example>

One more thing: the wallboard is fine too.
MSG
ingest eva@c.example "$T/eva3.eml"
notify
check "a second mail reply the same day: a note too, and no second pointer ($(pointers))" test \
    "$(sql "SELECT internal FROM messages WHERE message_id = 'eva-3@c.example'"):$(st):$(pointers)" = 1:Closed:1
curl -s -o "$T/s2" -u alice:alicepw "$BASE/staff/pd.cgi/ticket/$id"
check "staff see her mail replies as notes marked received by mail" sh -c \
    "[ \$(grep -c 'received by mail' '$T/s2') -ge 2 ] && grep -q 'wallboard is fine' '$T/s2'"

# A new ticket from the portal's own form.
curl -s -o "$T/n1" -b "$CK" "$BASE/pd.cgi/new"
ntok=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/n1" | head -1)
code=$(curl -s -o /dev/null -D "$T/n2.h" -w '%{http_code}' -b "$CK" --data-urlencode "csrf=$ntok" \
    --data-urlencode "subject=Recordings missing" --data-urlencode "body=Yesterday's recordings are gone." \
    "$BASE/pd.cgi/new")
nid=$(sql "SELECT ticket_id FROM messages WHERE text LIKE '%recordings are gone%'")
check "she opens a ticket on /new: Waiting for Support, hers ($code, #$nid)" test \
    "$code:$(sql "SELECT status || ':' || requester FROM tickets WHERE id = ${nid:-0}")" = "303:Waiting for Support:eva@c.example"
notify
ack2=$(newest "registered it as ticket #$nid")
check "... and her acknowledgement points to the portal, staff told too" sh -c \
    "[ -n '$ack2' ] && /usr/bin/python3 '$T/body.py' '$ack2' | grep -q 'support portal' && grep -l 'Recordings missing' '$T'/sink/*.eml | xargs grep -qi '^X-Envelope-To: alice@example.com'"
