#!/bin/sh
# The staff button that moves a customer's message out of a ticket into
# a new one (`postdesk split` on the ticket page, X-Cart: "otherwise,
# your new message will be moved to a new ticket"), through lighttpd and
# the CGI as deployed: offered on later customer messages only, CSRF,
# staff only, a refusal is a 409 that says why, and the move leads to
# the new ticket's page.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..11"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
C="$T/curl"; mkdir -p "$C"
S="$BASE/staff/pd.cgi"
A="-u alice:alicepw"
get() {		# get FILE URL [curl options]: the status
	name=$1; url=$2; shift 2
	curl -s -o "$C/$name" -D "$C/$name.h" -w '%{http_code}' "$@" "$url"
}
post() {	# post FILE DATA [URL]: the status, as staff
	curl -s -o "$C/$1" -D "$C/$1.h" -w '%{http_code}' $A -d "$2" \
	    "${3:-$S/ticket/1/split}"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$C/$1" | head -1; }
where() { sql "SELECT ticket_id FROM messages WHERE message_id = '$1'"; }

st=$(get t1 "$S/ticket/1" $A)
tok=$(csrf t1)
check "the staff page offers the move for her later message only ($st)" sh -c \
    "[ $st = 200 ] && [ \$(grep -c 'action=\"/staff/pd.cgi/ticket/1/split\"' '$C/t1') = 1 ] &&
     grep -q 'name=\"id\" value=\"carol-2@a.example\"' '$C/t1' && ! grep -q 'name=\"id\" value=\"carol-1@a.example\"' '$C/t1'"
get c1 "$("$PD" link carol@a.example 1)" -L -c "$C/jar" -b "$C/jar" >/dev/null
check "the customer's page offers no such button" sh -c \
    "grep -q 'It is still burning' '$C/c1' && ! grep -q '/split\"' '$C/c1'"
st=$(post r0 "id=carol-2%40a.example")
check "a POST without the CSRF token: 403, nothing moved ($st)" \
    test "$st:$(where carol-2@a.example)" = "403:1"
ctok=$(csrf c1)
st=$(curl -s -o "$C/r1" -w '%{http_code}' -b "$C/jar" -d "csrf=$ctok&id=carol-2%40a.example" "$BASE/pd.cgi/ticket/1/split")
check "a customer's POST: 404, nothing moved ($st)" \
    test "$st:$(where carol-2@a.example)" = "404:1"
st=$(post r2 "csrf=$tok&id=carol-1%40a.example")
check "the opening message: 409 that says why ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'opened ticket #1' '$C/r2' && [ '$(where carol-1@a.example)' = 1 ]"
st=$(post r3 "csrf=$tok&id=dave-1%40b.example")
check "another ticket's message: 409, it stays there ($st)" sh -c \
    "[ $st = 409 ] && grep -q 'has no message' '$C/r3' && [ '$(where dave-1@b.example)' = 2 ]"
st=$(post r4 "csrf=$tok")
check "no message named: 400 ($st)" test "$st" = 400
st=$(post r5 "csrf=$tok&id=carol-2%40a.example")
new=$(sql "SELECT max(id) FROM tickets")
check "she moves it: 303 to the new ticket #$new ($st)" sh -c \
    "[ $st = 303 ] && grep -qi \"^Location: .*/ticket/$new\" '$C/r5.h'"
check "... the message is there, linked to #1, requested by carol" test \
    "$(where carol-2@a.example):$(sql "SELECT linked_to || ':' || requester FROM tickets WHERE id = $new")" = "$new:1:carol@a.example"
check "... a split event on both tickets in alice's name" test \
    "$(sql "SELECT count(*) FROM events WHERE kind = 'split' AND actor = 'alice@example.com' AND detail LIKE 'message <carol-2@a.example> moved out of #1 into the new ticket #$new by alice@example.com'")" = 2
st=$(get t3 "$S/ticket/$new" $A)
check "the new ticket's page shows the message, escaped subject and all ($st)" sh -c \
    "[ $st = 200 ] && grep -q 'It is still burning' '$C/t3' && ! grep -q '<script>alert' '$C/t3'"
