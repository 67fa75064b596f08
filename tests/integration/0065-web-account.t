#!/bin/sh
# The customer's account page (/account, issue 14 item 5), through
# lighttpd and the CGI as the web server's user: the primary member sees
# her organization's members with their roles, gives a representative
# access (a member with a configured role), removes one, and moves her
# notifications to another address, and turns her notifications off and
# on again — each the mail command of the same name (Member:,
# Notify-Address:, Notifications:) decided by the same table, with an
# event; CSRF on every POST, every value escaped, 403/409 that say why.
. "$(dirname "$0")/lib-web.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else nok "$desc"; fi; }

echo "1..28"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
# Address changes are signed with [mail] token_key, as deployed.
sed -i "s|^\[mail\]$|&\ntoken_key = integration-token-key-0065|" "$T/pd.conf"
# Notices through a sendmail stand-in that keeps each mail in the state
# directory (postdesk-notify runs as postdesk, as deployed).
cat > "$T/sendmail" <<SH
#!/bin/sh
cat > "$STATE/sent.\$\$.eml"
SH
chmod 0755 "$T/sendmail"
printf '[notify]\nsendmail = %s\n' "$T/sendmail" >> "$T/pd.conf"
notify() {
	if [ -n "$WEB_USER" ]; then
		runuser -u postdesk -- "$top_builddir/postdesk-notify" --once
	else
		"$top_builddir/postdesk-notify" --once
	fi
}
"$PD" org add 'Org<A>' >/dev/null
"$PD" org member add 'Org<A>' carol@a.example primary >/dev/null
"$PD" org member add 'Org<A>' erin@a.example secondary 'Erin <b>Web</b>' >/dev/null

session() {
	curl -s -D - -o /dev/null "$("$PD" link "$1")" |
	    sed -n 's/^Set-Cookie: \(pd_session=[^;]*\);.*/\1/p' | tr -d '\r'
}
get() {		# get FILE COOKIE PATH: the status
	curl -s -o "$T/$1" -w '%{http_code}' -b "$2" "$BASE/pd.cgi$3"
}
post() {	# post FILE COOKIE DATA: the status
	curl -s -o "$T/$1" -w '%{http_code}' -b "$2" -d "$3" "$BASE/pd.cgi/account"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/$1" | head -1; }
role() { sql "SELECT role FROM org_members WHERE address = '$1'"; }

CK=$(session carol@a.example)
EK=$(session erin@a.example)
DK=$(session dave@b.example)
get list "$CK" / >/dev/null
check "the primary member's list links her account page" \
    grep -q 'href="/pd.cgi/account"' "$T/list"
get elist "$EK" / >/dev/null
check "a secondary member's list does not" sh -c "! grep -q '/account\"' '$T/elist'"

st=$(get acc "$CK" /account)
check "GET /account: 200 ($st)" test "$st" = 200
check "... her organization's members with their roles" sh -c \
    "grep -q '<td>erin@a.example</td><td>Erin &lt;b&gt;Web&lt;/b&gt;</td><td>secondary</td>' '$T/acc' &&
     grep -q '<td>carol@a.example</td><td></td><td>primary</td>' '$T/acc'"
check "... every value escaped (the organization's name too)" sh -c \
    "grep -q 'Org&lt;A&gt;' '$T/acc' && ! grep -q '<b>Web' '$T/acc' && ! grep -q 'Org<A>' '$T/acc'"
check "... the add form offers the configured roles" \
    grep -q '<option>advanced</option>' "$T/acc"
TOK=$(csrf acc)

st=$(post r "$CK" "do=add&address=dave%40a.example&role=advanced")
check "a POST without the CSRF token: 403, nothing added ($st)" \
    test "$st:$(role dave@a.example)" = "403:"
st=$(post r "$CK" "csrf=$TOK&do=add&address=dave%40a.example&role=advanced")
check "she gives a representative access: 303, an advanced member ($st)" \
    test "$st:$(role dave@a.example)" = "303:advanced"
check "... with the event the mail command writes, in her name" test \
    "$(sql "SELECT count(*) FROM events WHERE actor = 'carol@a.example' AND kind = 'command' AND detail LIKE 'Member: add dave@a.example advanced%'")" = 1
check "... and the new member's invitation queued, on no ticket" test \
    "$(sql "SELECT count(*) FROM outbox WHERE template = 'member-invitation' AND recipients = 'dave@a.example' AND ticket_id IS NULL")" = 1
get acc2 "$CK" /account >/dev/null
check "... and the page lists the new member" \
    grep -q '<td>dave@a.example</td><td></td><td>advanced</td>' "$T/acc2"

st=$(post r "$CK" "csrf=$TOK&do=add&address=fred%40a.example&role=boss")
check "a role that is not configured: 409 naming the roles ($st)" sh -c \
    "[ '$st:$(role fred@a.example)' = 409: ] && grep -q 'no role' '$T/r' && grep -q 'primary, advanced, secondary' '$T/r'"
st=$(post r "$CK" "csrf=$TOK&do=remove&address=carol%40a.example")
check "she cannot remove herself: 409 that says so ($st)" sh -c \
    "[ '$st' = 409 ] && grep -q 'cannot change or remove herself' '$T/r' && [ '$(role carol@a.example)' = primary ]"

get eacc "$EK" /account >/dev/null
ETOK=$(csrf eacc)
check "a secondary member's page lists the members but offers no add or remove" sh -c \
    "grep -q '<td>carol@a.example</td>' '$T/eacc' && ! grep -q 'value=\"add\"' '$T/eacc' && ! grep -q 'value=\"remove\"' '$T/eacc'"
st=$(post r "$EK" "csrf=$ETOK&do=remove&address=dave%40a.example")
check "a secondary member's POST remove: 403 that says why, dave stays ($st)" sh -c \
    "[ '$st' = 403 ] && grep -q 'primary member' '$T/r' && [ '$(role dave@a.example)' = advanced ]"

st=$(post r "$CK" "csrf=$TOK&do=remove&address=erin%40a.example")
check "she removes a member: 303, erin is no member any more ($st)" \
    test "$st:$(role erin@a.example)" = "303:"

st=$(post r "$CK" "csrf=$TOK&do=notify&address=carol.home%40b.example")
check "she moves her notifications: 303 and a pending change ($st)" test \
    "$st:$(sql "SELECT new_address FROM address_changes WHERE address = 'carol@a.example' AND confirmed = 0")" = "303:carol.home@b.example"
check "... a confirmation queued to the new address only" test \
    "$(sql "SELECT recipients FROM outbox WHERE template = 'address-confirm' ORDER BY id" | paste -sd , -)" = carol.home@b.example
check "... and nothing changes before it is confirmed" test \
    "$(sql "SELECT count(*) FROM contacts WHERE notify_address IS NOT NULL")" = 0
notify >/dev/null 2>&1
CM=$(grep -l '^Confirm-Address: [0-9a-f]*\.[0-9a-f]' "$STATE"/sent.*.eml 2>/dev/null | head -1)
check "postdesk-notify sends the confirmation, with its token (a mail on no ticket)" test \
    "${CM:+yes}:$(sql "SELECT status FROM outbox WHERE template = 'address-confirm'")" = yes:sent
check "... to the new address, naming the old one" sh -c \
    "grep -qi '^To: carol.home@b.example' '$CM' && grep -q '^carol@a.example asked' '$CM'"

noff() { sql "SELECT coalesce(max(notifications_off > 0), 0) FROM contacts WHERE address = '$1'"; }
get acc3 "$CK" /account >/dev/null
check "her page offers to turn notifications off" sh -c \
    "grep -q 'value=\"notifications-off\"' '$T/acc3' && ! grep -q 'value=\"notifications-on\"' '$T/acc3'"
st=$(post r "$CK" "do=notifications-off")
check "turning them off without the CSRF token: 403, nothing changes ($st)" \
    test "$st:$(noff carol@a.example)" = "403:0"
st=$(post r "$CK" "csrf=$TOK&do=notifications-off")
check "she turns her notifications off: 303, off, an event in her name ($st)" test \
    "$st:$(noff carol@a.example):$(sql "SELECT count(*) FROM events WHERE actor = 'carol@a.example' AND kind = 'command' AND detail LIKE 'Notifications: off — %'")" = "303:1:1"
get acc4 "$CK" /account >/dev/null
check "... the page says they are off and offers to turn them on" sh -c \
    "grep -q 'Notifications are off' '$T/acc4' && grep -q 'value=\"notifications-on\"' '$T/acc4'"
st=$(post r "$CK" "csrf=$TOK&do=notifications-on")
check "she turns them on again: 303, on ($st)" \
    test "$st:$(noff carol@a.example)" = "303:0"

st=$(get d "$DK" /account)
check "a customer in no organization: her page has no member list, only the address form ($st)" sh -c \
    "[ '$st' = 200 ] && ! grep -q 'Members of' '$T/d' && grep -q 'value=\"notify\"' '$T/d'"
st=$(curl -s -o "$T/s" -w '%{http_code}' -u alice:alicepw "$BASE/staff/pd.cgi/account")
check "staff have no account page: 404 ($st)" test "$st" = 404
