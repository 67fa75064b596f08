#!/bin/sh
# The staff desk on the ticket page (issue 13), through lighttpd and the
# CGI as deployed: a reply and an internal note by the path of
# `postdesk reply`/`comment` (stored message, outbox rows: to the
# customer for a reply, to no customer for a note), commands at the top
# as by mail, a refused command refusing the whole form, CSRF, canned
# replies that pre-fill the form without JavaScript.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..33"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
C="$T/curl"; mkdir -p "$C"
get() {
	name=$1; url=$2; shift 2
	curl -s -o "$C/$name" -D "$C/$name.h" -w '%{http_code}' "$@" "$url"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/$1" | head -1; }
S="$BASE/staff/pd.cgi"
P="$BASE/pd.cgi"
A="-u alice:alicepw"
count() { sql "SELECT count(*) FROM $1"; }

st=$(get t1 "$S/ticket/1" $A)
tok=$(csrf t1)
check "the staff ticket page has the reply form ($st)" sh -c \
    "[ $st = 200 ] && grep -q 'action=\"/staff/pd.cgi/ticket/1/reply\"' '$C/t1'"
check "... and lists the canned replies" grep -q '?canned=need-details#body' "$C/t1"
st=$(get t1c "$S/ticket/1?canned=need-details" $A)
check "?canned= pre-fills the text with the ticket's values, escaped ($st)" sh -c \
    "grep -q 'thank you for your message about &quot;Printer &lt;script&gt;' '$C/t1c'"

msgs=$(count messages); rows=$(count outbox)
st=$(curl -s -o "$C/r0" -w '%{http_code}' $A --data-urlencode "body=Hello there" "$S/ticket/1/reply")
check "a reply without the CSRF token: 403 ($st), nothing stored" sh -c \
    "[ $st = 403 ] && [ $(count messages) = $msgs ] && [ $(count outbox) = $rows ]"

st=$(curl -s -o "$C/r1" -w '%{http_code}' $A --data-urlencode "csrf=$tok" \
    --data-urlencode "body=We replaced the fuser; please try again." "$S/ticket/1/reply")
check "a staff reply: 303 back to the ticket ($st)" test "$st" = 303
check "... stored as an outbound message from alice" test "$(sql "SELECT count(*) FROM messages
    WHERE ticket_id = 1 AND direction = 'out' AND internal = 0 AND
    from_addr = 'alice@example.com' AND text LIKE '%replaced the fuser%'")" = 1
check "... queued to the customer" test "$(sql "SELECT count(*) FROM outbox
    WHERE ticket_id = 1 AND recipients = 'carol@a.example' AND
    message_row = (SELECT max(id) FROM messages WHERE ticket_id = 1)")" = 1

rows=$(count outbox)
st=$(curl -s -o "$C/r2" -w '%{http_code}' $A --data-urlencode "csrf=$tok" \
    --data-urlencode "body=Checked the logs: toner sensor." -d internal=1 "$S/ticket/1/reply")
check "an internal note: 303 ($st)" test "$st" = 303
notes=$(sql "SELECT count(*) FROM messages WHERE internal = 1 AND text LIKE '%toner sensor%'")
to_carol=$(sql "SELECT count(*) FROM outbox WHERE id > $rows AND recipients LIKE '%carol%'")
check "... stored as internal ($notes), and no row to the customer ($to_carol)" \
    test "$notes:$to_carol" = "1:0"
st=$(get cnote "$P/ticket/1" -b "$(curl -s -D - -o /dev/null "$("$PD" link carol@a.example)" | sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r')")
check "the customer does not see the note ($st)" sh -c \
    "[ $st = 200 ] && grep -q 'replaced the fuser' '$C/cnote' && ! grep -q 'toner sensor' '$C/cnote'"

st=$(curl -s -o "$C/r3" -w '%{http_code}' $A --data-urlencode "csrf=$tok" \
    --data-urlencode "body=Priority: major" "$S/ticket/1/reply")
prio=$(sql 'SELECT priority FROM tickets WHERE id = 1')
check "commands at the top apply as by mail ($st, $prio)" test "$st:$prio" = 303:major

msgs=$(count messages); rows=$(count outbox)
st=$(curl -s -o "$C/r4" -w '%{http_code}' $A --data-urlencode "csrf=$tok" \
    --data-urlencode "body=$(printf 'Status: no-such-status\n\nDone.')" "$S/ticket/1/reply")
check "a refused command refuses the whole form: 409 ($st)" test "$st" = 409
check "... saying why, and nothing stored or queued" sh -c \
    "grep -q 'no-such-status' '$C/r4' && [ $(count messages) = $msgs ] && [ $(count outbox) = $rows ]"
st=$(curl -s -o "$C/r5" -w '%{http_code}' $A --data-urlencode "csrf=$tok" \
    --data-urlencode "body=hello" "$S/ticket/999/reply")
check "a reply to an unknown ticket: 404 ($st)" test "$st" = 404
sess=$(curl -s -D - -o /dev/null "$("$PD" link carol@a.example)" | sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r')
st=$(curl -s -o "$C/r6" -w '%{http_code}' -b "$sess" --data-urlencode "csrf=x" \
    --data-urlencode "body=hello" "$P/ticket/1/reply")
check "a customer cannot use the staff reply: 404 ($st)" test "$st" = 404

# --- merge -------------------------------------------------------------
st=$(curl -s -o "$C/m0" -w '%{http_code}' $A -d "csrf=$tok&into=2" "$S/ticket/2/merge")
check "merging a ticket into itself: 409 ($st)" sh -c "[ $st = 409 ] && grep -q 'into itself' '$C/m0'"
st=$(curl -s -o "$C/m1" -w '%{http_code}' $A -d "csrf=$tok&into=999" "$S/ticket/2/merge")
check "into an unknown ticket: 409 ($st)" sh -c "[ $st = 409 ] && grep -q 'no ticket #999' '$C/m1'"
st=$(curl -s -o "$C/m2" -D "$C/m2.h" -w '%{http_code}' $A -d "csrf=$tok&into=1" "$S/ticket/2/merge")
check "staff merge #2 into #1: 303 to #1 ($st)" sh -c \
    "[ $st = 303 ] && grep -qi '^Location: .*/ticket/1' '$C/m2.h'"
moved=$(sql "SELECT count(*) FROM messages WHERE ticket_id = 1 AND message_id = 'dave-1@b.example'")
cc=$(sql "SELECT role FROM participants WHERE ticket_id = 1 AND address = 'dave@b.example'")
check "dave's message moved to #1 ($moved), dave a CC there ($cc)" test "$moved:$cc" = "1:cc"
ev=$(sql "SELECT count(*) FROM events WHERE kind = 'merged' AND detail = 'ticket #2 merged into #1 by alice@example.com'")
check "an event on each ticket says who merged ($ev)" test "$ev" = 2
st=$(get m3 "$S/ticket/2" $A)
check "#2's page now answers 303 to #1 ($st)" sh -c \
    "[ $st = 303 ] && grep -qi '^Location: .*/ticket/1' '$C/m3.h'"
cat > "$T/mail/dave2.eml" <<'MSG'
From: Dave Other <dave@b.example>
To: support@example.com
Subject: Re: [Support #2] still slow
Message-ID: <dave-2@b.example>

Any news on this?
MSG
ingest dave@b.example "$T/mail/dave2.eml"
lands=$(sql "SELECT ticket_id FROM messages WHERE message_id = 'dave-2@b.example'")
check "later mail that names #2 lands in #1 ($lands)" test "$lands" = 1
st=$(curl -s -o "$C/m4" -w '%{http_code}' $A -d "csrf=$tok&into=1" "$S/ticket/2/merge")
check "merging #2 again: 409, already merged ($st)" sh -c "[ $st = 409 ] && grep -q 'already merged into #1' '$C/m4'"

# The CLI does the same, with the same checks.
cat > "$T/mail/erin1.eml" <<'MSG'
From: Carol Customer <carol@a.example>
To: support@example.com
Subject: Another printer question
Message-ID: <carol-9@a.example>

The second printer too.
MSG
ingest carol@a.example "$T/mail/erin1.eml"
new=$(sql "SELECT ticket_id FROM messages WHERE message_id = 'carol-9@a.example'")
"$PD" merge 1 "$new" >"$C/cm" 2>&1
rc=$?
check "postdesk merge 1 $new: exit $rc" sh -c "[ $rc = 0 ] && grep -q 'merged into #1' '$C/cm'"
"$PD" merge 1 "$new" >"$C/cm2" 2>&1
rc=$?
check "postdesk merge again: refused, exit 65 ($rc)" sh -c "[ $rc = 65 ] && grep -q 'already merged' '$C/cm2'"

# CCs: staff add and remove them on the ticket page, as the mail command
# "Cc: add ADDR" would (its checks, its event).
cc_of() { sql "SELECT count(*) FROM participants WHERE ticket_id = 1 AND address = '$1' AND role = 'cc'"; }
st=$(curl -s -o "$C/cc1" -w '%{http_code}' $A -d "csrf=$tok&action=add&address=Boss@A.example" "$S/ticket/1/cc")
ev=$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'cc' AND detail = 'added boss@a.example'")
check "staff add a CC: 303, a cc participant, an event ($st, $ev)" sh -c \
    "[ $st = 303 ] && [ $(cc_of boss@a.example) = 1 ] && [ $ev = 1 ]"
curl -s -o "$C/cc2" $A "$S/ticket/1"
check "... the page lists it with a remove button" sh -c \
    "grep -q 'name=\"address\" value=\"boss@a.example\"' '$C/cc2' && grep -q 'value=\"remove\"' '$C/cc2'"
st=$(curl -s -o "$C/cc3" -w '%{http_code}' $A -d "csrf=$tok&action=remove&address=carol@a.example" "$S/ticket/1/cc")
check "the requester is no CC to remove: 409 with the reason ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'requester' '$C/cc3'"
st=$(curl -s -o "$C/cc4" -w '%{http_code}' $A -d "action=remove&address=boss@a.example" "$S/ticket/1/cc")
check "without the CSRF token: 403, still a CC ($st)" sh -c "[ $st = 403 ] && [ $(cc_of boss@a.example) = 1 ]"
st=$(curl -s -o "$C/cc5" -w '%{http_code}' $A -d "csrf=$tok&action=add&address=not-an-address" "$S/ticket/1/cc")
check "not an address: 409 with the syntax ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'add ADDRESS' '$C/cc5'"
st=$(curl -s -o "$C/cc6" -w '%{http_code}' $A -d "csrf=$tok&action=remove&address=boss@a.example" "$S/ticket/1/cc")
check "staff remove the CC: 303, gone ($st)" sh -c "[ $st = 303 ] && [ $(cc_of boss@a.example) = 0 ]"
st=$(curl -s -o "$C/cc7" -w '%{http_code}' $A -d "csrf=$tok&action=remove&address=boss@a.example" "$S/ticket/1/cc")
check "removing it again: 409, not a CC ($st)" sh -c "[ $st = 409 ] && grep -q 'not a CC' '$C/cc7'"
st=$(curl -s -o /dev/null -w '%{http_code}' -d "csrf=x&action=add&address=x@y.example" "$P/ticket/1/cc")
check "not on the customer URL ($st)" test "$st" = 404 -o "$st" = 403
