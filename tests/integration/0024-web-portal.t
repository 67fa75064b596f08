#!/bin/sh
# The customer writes in the viewer (issue 13): her message on a
# ticket's page goes through intake as her mail would (threading,
# events, notices, the life cycle: a closed ticket reopens; HotRush off
# at most hotrush_off_limit times per account), through
# lighttpd and the CGI as deployed; CSRF, view-only members and other
# customers' tickets are refused and change nothing.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..18"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
C="$T/curl"; mkdir -p "$C"
get() {
	name=$1; url=$2; shift 2
	curl -s -o "$C/$name" -D "$C/$name.h" -w '%{http_code}' "$@" "$url"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/$1" | head -1; }
session() {	# session ADDRESS: a viewer session cookie for ADDRESS
	curl -s -D - -o /dev/null "$("$PD" link "$1")" |
	    sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r'
}
P="$BASE/pd.cgi"
"$PD" org add OrgA >/dev/null
printf '[roles]\nprimary = all\nsecondary = view\n' >> "$T/pd.conf"
"$PD" org member add OrgA carol@a.example primary >/dev/null
"$PD" org member add OrgA erin@a.example secondary >/dev/null
count() { sql "SELECT count(*) FROM $1"; }

CK=$(session carol@a.example)
st=$(get c1 "$P/ticket/1" -b "$CK")
tok=$(csrf c1)
check "the customer's ticket page has her message form ($st)" sh -c \
    "[ $st = 200 ] && grep -q 'action=\"/pd.cgi/ticket/1/post\"' '$C/c1'"

msgs=$(count messages)
st=$(curl -s -o "$C/p0" -w '%{http_code}' -b "$CK" --data-urlencode "body=hello" "$P/ticket/1/post")
check "without the CSRF token: 403 ($st), nothing stored" sh -c "[ $st = 403 ] && [ $(count messages) = $msgs ]"

st=$(curl -s -o "$C/p1" -D "$C/p1.h" -w '%{http_code}' -b "$CK" --data-urlencode "csrf=$tok" \
    --data-urlencode "body=The printer now prints, but only in black & white." "$P/ticket/1/post")
check "her message: 303 back to the ticket ($st)" sh -c \
    "[ $st = 303 ] && grep -qi '^Location: .*/ticket/1' '$C/p1.h'"
row=$(sql "SELECT id FROM messages WHERE ticket_id = 1 AND from_addr = 'carol@a.example' AND text LIKE '%black & white%'")
check "... stored in ticket 1 as an inbound message from her ($row)" test -n "$row"
ev=$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND message_row = '$row' AND kind = 'thread'")
check "... threaded as mail is, with its event ($ev)" test "$ev" = 1
staff=$(sql "SELECT count(*) FROM outbox WHERE ticket_id = 1 AND message_row = '$row' AND template = 'staff-notification'")
check "... and staff are notified of it ($staff)" test "$staff" -ge 1

"$PD" status 1 closed >/dev/null 2>&1
st=$(curl -s -o "$C/p2" -w '%{http_code}' -b "$CK" --data-urlencode "csrf=$tok" \
    --data-urlencode "body=Sorry, it is broken again." "$P/ticket/1/post")
stat=$(sql "SELECT status FROM tickets WHERE id = 1")
check "to a ticket closed just now: the life cycle reopens it ($st, $stat)" test "$st:$stat" = 303:reopened

# Her ticket form: only what the life cycle allows her, each change as
# her mail command would be.
get c2 "$P/ticket/1" -b "$CK" >/dev/null
check "her ticket form offers closing but not staff-only statuses" sh -c \
    "grep -q 'action=\"/pd.cgi/ticket/1/change\"' '$C/c2' && grep -q '<option>closed</option>' '$C/c2' && ! grep -q '<option>in-progress</option>' '$C/c2'"
st=$(curl -s -o "$C/ch1" -w '%{http_code}' -b "$CK" -d "csrf=$tok&status=in-progress" "$P/ticket/1/change")
stat=$(sql "SELECT status FROM tickets WHERE id = 1")
check "a status she may not set: 409 with the reason, nothing changed ($st, $stat)" sh -c \
    "[ $st = 409 ] && grep -q 'refused' '$C/ch1' && [ '$stat' = reopened ]"
st=$(curl -s -o "$C/ch2" -w '%{http_code}' -b "$CK" -d "csrf=$tok&hotrush=1" "$P/ticket/1/change")
hot=$(sql "SELECT hotrush FROM tickets WHERE id = 1")
check "she switches HotRush on ($st, $hot)" test "$st:$hot" = 303:1
# Off outside hotrush_free (submitted) counts: three times per account
# (hotrush_off_limit), then her form no longer offers it and a
# hand-made POST is a 409 that says why.
offs=""
for i in 1 2 3; do
	st=$(curl -s -o /dev/null -w '%{http_code}' -b "$CK" -d "csrf=$tok&hotrush=0" "$P/ticket/1/change")
	offs="$offs$st:$(sql "SELECT hotrush FROM tickets WHERE id = 1") "
	curl -s -o /dev/null -b "$CK" -d "csrf=$tok&hotrush=1" "$P/ticket/1/change"
done
check "she switches HotRush off and on again, three times ($offs)" \
    test "$offs" = "303:0 303:0 303:0 "
get c3 "$P/ticket/1" -b "$CK" >/dev/null
st=$(curl -s -o "$C/ch5" -w '%{http_code}' -b "$CK" -d "csrf=$tok&hotrush=0" "$P/ticket/1/change")
check "a fourth time: not offered, and a POST is a 409 with the reason ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'used up its HotRush cancellations' '$C/ch5' && [ $(sql "SELECT hotrush FROM tickets WHERE id = 1") = 1 ] && ! grep -q 'switch HotRush off' '$C/c3'"
st=$(curl -s -o "$C/ch3" -w '%{http_code}' -b "$CK" -d "csrf=$tok&status=closed" "$P/ticket/1/change")
stat=$(sql "SELECT status FROM tickets WHERE id = 1")
ev=$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'status' AND actor = 'carol@a.example' AND detail LIKE '%→ closed%'")
check "she closes it, as by mail: an event in her name ($st, $stat, $ev)" test "$st:$stat:$ev" = 303:closed:1
st=$(curl -s -o "$C/ch4" -w '%{http_code}' -b "$CK" -d "status=reopened" "$P/ticket/1/change")
check "a change without the CSRF token: 403 ($st)" test "$st" = 403

EK=$(session erin@a.example)
get e1 "$P/ticket/1" -b "$EK" >/dev/null
etok=$(csrf e1)
msgs=$(count messages)
st=$(curl -s -o "$C/p3" -w '%{http_code}' -b "$EK" --data-urlencode "csrf=$etok" \
    --data-urlencode "body=me too" "$P/ticket/1/post")
check "a view-only member: 403 ($st), nothing stored" sh -c "[ $st = 403 ] && [ $(count messages) = $msgs ]"
check "... and her page offers no form" sh -c "! grep -q '/ticket/1/post' '$C/e1'"

DK=$(session dave@b.example)
get d1 "$P/ticket/2" -b "$DK" >/dev/null
dtok=$(csrf d1)
st=$(curl -s -o "$C/p4" -w '%{http_code}' -b "$DK" --data-urlencode "csrf=$dtok" \
    --data-urlencode "body=hi" "$P/ticket/1/post")
check "another organization's ticket: 404 ($st), nothing stored" sh -c "[ $st = 404 ] && [ $(count messages) = $msgs ]"
st=$(curl -s -o "$C/p5" -w '%{http_code}' -u alice:alicepw --data-urlencode "csrf=x" \
    --data-urlencode "body=hi" "$BASE/staff/pd.cgi/ticket/1/post")
check "staff use their own reply form, not this one ($st)" test "$st" = 403 -o "$st" = 404
