#!/bin/sh
# Accounts through real mail (issue 14, "Accounts"): organization
# attributes (postdesk org set, the Sieve test org_attribute, the
# pre-sales timer preclose_after[presales] of X-Cart), member roles as
# configuration (X-Cart's built-in roles: a secondary member writes;
# Xentral's profile: an additional user is view-only), and Member:
# commands by mail with their transcript, refused for non-primary and
# unverified senders.  postdesk-ingest, postdesk tick and
# postdesk-notify against an aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..43"
PORT=$(free_port)
start_sink sink "$PORT"
cat >"$T/accounts.sieve" <<'EOF'
require ["fileinto", "vnd.postdesk"];
# Pre-sales accounts talk to sales.
if org_attribute "presales" ["yes", "true"] {
	fileinto "sales";
} elsif header :contains "subject" "quote" {
	fileinto "sales";
}
EOF
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n[web]\nbase_url = https://pd.example.com/pd.cgi\nlink_key = k-0049\n[auth]\n%s\n[rules]\nscripts = %s\n' \
    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all; other.example v=spf1 ip4:198.51.100.0/24 -all' \
    "$T/accounts.sieve" |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
NOW=$(date +%s)
DAY=86400
"$B/postdesk" init >/dev/null
q() { sqlq "$DB" "$1"; }
st() { q "SELECT status FROM tickets WHERE id=$1"; }
outbox_to() {
	q "SELECT count(*) FROM outbox WHERE recipients='$1' AND template = '$2'"
}
# verified FROM SUBJECT BODY: from her own mail server (aligned SPF pass)
verified() {
	mail "$1" support@example.com "$2" "$3" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip 198.51.100.7 \
	    --recipient support@example.com <"$T/m.eml"
}
# unverified FROM SUBJECT BODY: from a host SPF does not vouch for
unverified() {
	mail "$1" support@example.com "$2" "$3" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip 203.0.113.9 \
	    --recipient support@example.com <"$T/m.eml"
}
last_ticket() { q "SELECT max(id) FROM tickets"; }
# The newest mail in the sink to ADDR that contains TEXT.
sink_has() {
	grep -l -- "$2" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r grep -il "^X-Envelope-To: $1" | grep -q .
}

# --- organization attributes -------------------------------------------
P="$B/postdesk"
"$P" org add Shop >/dev/null
"$P" org add Other >/dev/null
"$P" org member add Shop alice@shop.example primary >/dev/null
"$P" org member add Shop web@shop.example secondary >/dev/null
"$P" org member add Other carl@other.example primary >/dev/null
check "org set stores an attribute" \
    test "$("$P" org set Shop presales yes)" = "Shop: presales = yes"
check "org show lists members, rights and attributes" sh -c \
    "'$P' org show Shop > '$T/show' && grep -q '^  presales = yes' '$T/show' && grep -q '^  primary    alice@shop.example' '$T/show' && grep -q '^  secondary  create, comment, rate, view$' '$T/show'"
check "org set on an unknown organization fails" \
    sh -c "! '$P' org set Nope presales yes 2>/dev/null"
check "org member add: a role not in [roles] is refused" \
    sh -c "! '$P' org member add Shop x@shop.example boss 2>/dev/null"

# The Sieve test: alice's organization is pre-sales → sales.
verified alice@shop.example "Which edition?" "Which edition fits a shop of 500 items?"
A1=$(last_ticket)
check "org_attribute files a pre-sales account's mail into sales" \
    test "$(q "SELECT queue FROM tickets WHERE id=$A1")" = sales
verified carl@other.example "Request for a quote" "Please send a quote."
C1=$(last_ticket)
verified carl@other.example "Broken checkout" "The checkout fails."
C2=$(last_ticket)
check "no attribute: sales only by subject, the rest stays in support" \
    test "$(q "SELECT queue FROM tickets WHERE id=$C1"):$(q "SELECT queue FROM tickets WHERE id=$C2")" = sales:support

# --- the pre-sales timer: sales pre-closes after 14 days, not 30 ---------
"$P" status "$A1" in-progress >/dev/null
"$P" status "$C1" in-progress >/dev/null
"$P" tick --now $((NOW + 14 * DAY - 60)) >/dev/null
check "pre-sales: one minute before 14 days, still open" \
    test "$(st "$A1")" = in-progress
"$P" tick --now $((NOW + 14 * DAY + 60)) >/dev/null
check "pre-sales account: sales ticket pre-closed after 14 days" \
    test "$(st "$A1")" = pre-closed
check "the event says the organization's period applied" \
    test "$(q "SELECT count(*) FROM events WHERE ticket_id=$A1 AND kind='status' AND detail LIKE '%attribute%'")" = 1
check "other account: its sales ticket is not pre-closed at 14 days" \
    test "$(st "$C1")" = in-progress
"$P" tick --now $((NOW + 30 * DAY + 60)) >/dev/null
check "other account: pre-closed after 30 days" test "$(st "$C1")" = pre-closed
"$P" org unset Shop presales >/dev/null
verified alice@shop.example "Another question" "And shipping?"
A2=$(last_ticket)
check "org unset: the attribute no longer routes" \
    test "$(q "SELECT queue FROM tickets WHERE id=$A2")" = support

# --- X-Cart's roles (built in): a secondary member has full access ------
verified web@shop.example "Banner broken" "The banner on the front page is broken."
W1=$(last_ticket)
check "X-Cart: a secondary member's mail opens a ticket" \
    test "$(q "SELECT requester FROM tickets WHERE id=$W1")" = web@shop.example
check "... no view-only refusal" test "$(outbox_to web@shop.example view-only-refusal)" = 0

# --- Member: commands --------------------------------------------------
verified alice@shop.example "Our webmaster" "Member: add rep@shop.example advanced\n\nPlease let our webmaster in."
check "primary member adds a member by mail" \
    test "$(q "SELECT o.name || ':' || m.role FROM org_members m JOIN organizations o ON o.id = m.org_id WHERE address='rep@shop.example'")" = Shop:advanced
check "... the event names the manage-members rule" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command' AND detail LIKE 'Member: add rep@shop.example advanced — rep@shop.example added to Shop as advanced'")" = 1
"$B/postdesk-notify" --once >/dev/null
check "... the transcript says what was applied" \
    sink_has alice@shop.example "applied:  Member: add rep@shop.example advanced"
# Xentral: "we will send you an invitation to the ticket system by email".
check "the new member is invited, on no ticket" test \
    "$(q "SELECT status || ':' || coalesce(CAST(ticket_id AS TEXT), 'none') FROM outbox WHERE template='member-invitation' AND recipients='rep@shop.example'")" = sent:none
invited() {
	sink_has rep@shop.example "^account of Shop, with the role advanced\." &&
	    sink_has rep@shop.example "^What you can do there: create, comment, rate, view\."
}
check "... the invitation names her organization, role and rights" invited
check "... with her own sign-in link to the ticket list" \
    sink_has rep@shop.example "https://pd.example.com/pd.cgi/?t="
verified alice@shop.example "Another one" "Member: add helper@shop.example\n\nthanks"
check "Member: add without a role gives the last role of [roles]" \
    test "$(q "SELECT role FROM org_members WHERE address='helper@shop.example'")" = secondary
verified alice@shop.example "Typo" "Member: add typo@shop.example boss"
check "Member: add with an unknown role is refused" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='typo@shop.example'")" = 0
verified alice@shop.example "Steal" "Member: add carl@other.example secondary"
check "Member: add cannot take a member of another organization" \
    test "$(q "SELECT o.name FROM org_members m JOIN organizations o ON o.id = m.org_id WHERE address='carl@other.example'")" = Other

# A secondary member may write, but not manage members.
verified web@shop.example "Remove" "Member: remove rep@shop.example"
check "non-primary member: Member: remove refused" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='rep@shop.example'")" = 1
check "... the event names the rule and the missing right" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE 'Member: remove rep@shop.example — manage-members: refused — the member''s role does not grant manage-members%'")" = 1
"$B/postdesk-notify" --once >/dev/null
check "... and the transcript tells her why" \
    sink_has web@shop.example "refused:  Member: remove rep@shop.example"

# The primary member, but not proven: From: alone proves nothing.
unverified alice@shop.example "Remove" "Member: remove rep@shop.example"
check "unverified primary: Member: remove refused" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='rep@shop.example'")" = 1
check "... because she is not verified" \
    test "$(q "SELECT count(*) FROM events WHERE kind='command-refused' AND detail LIKE 'Member: remove rep@shop.example — manage-members: refused — sender not verified%'")" = 1
verified alice@shop.example "Remove" "Member: remove rep@shop.example"
check "verified primary: Member: remove applied" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='rep@shop.example'")" = 0
verified alice@shop.example "Me" "Member: remove alice@shop.example"
check "a primary member cannot remove herself" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='alice@shop.example'")" = 1
mail alice@shop.example support@example.com x 'Member: remove web@shop.example' >"$T/e.eml"
"$B/postdesk-ingest" --explain --sender alice@shop.example \
    --client-ip 198.51.100.7 <"$T/e.eml" >"$T/explain"
check "--explain shows the decision ..." \
    grep -q 'policy: manage-members: allowed' "$T/explain"
check "... and writes nothing" \
    test "$(q "SELECT count(*) FROM org_members WHERE address='web@shop.example'")" = 1

# --- Xentral's profile: additional users are view-only ------------------
cp "$T/pd.conf" "$T/xentral.conf"
cat "$S/contrib/accounts/xentral.conf" >>"$T/xentral.conf"
X() { "$B/postdesk" --config "$T/xentral.conf" "$@"; }
check "Xentral profile: secondary is not one of its roles" \
    sh -c "! '$B/postdesk' --config '$T/xentral.conf' org member add Shop v@shop.example secondary 2>/dev/null"
X org member add Shop viewer@shop.example additional >/dev/null
mail viewer@shop.example support@example.com "Question" "Can I ask?" >"$T/v.eml"
before=$(last_ticket)
"$B/postdesk-ingest" --config "$T/xentral.conf" --sender viewer@shop.example \
    --client-ip 198.51.100.7 --recipient support@example.com <"$T/v.eml"
check "Xentral: an additional user opens no ticket" test "$(last_ticket)" = "$before"
check "... and gets the view-only refusal" \
    test "$(outbox_to viewer@shop.example view-only-refusal)" = 1
mail alice@shop.example support@example.com Hi 'Hello' >"$T/k.eml"
"$B/postdesk-ingest" --config "$T/xentral.conf" --sender alice@shop.example \
    --client-ip 198.51.100.7 --recipient support@example.com <"$T/k.eml"
check "Xentral: the key user still writes" test "$(last_ticket)" -gt "$before"
check "Xentral: org show gives the additional user view only" sh -c \
    "'$B/postdesk' --config '$T/xentral.conf' org show Shop | grep -q '^  additional view$'"
check "Xentral: a member whose role is not configured has no rights" sh -c \
    "'$B/postdesk' --config '$T/xentral.conf' org show Shop | grep -q '^  secondary  none (role not in \[roles\])$'"
check "postdesk check names the members whose role [roles] does not list" sh -c \
    "'$B/postdesk' --config '$T/xentral.conf' check | grep -q '^members: 2 member(s) have the role \"secondary\"'"
check "... and, under the built-in roles, only the Xentral one" sh -c \
    "'$B/postdesk' check | grep '^members:' > '$T/mem'; grep -q 'role \"additional\"' '$T/mem' && ! grep -q 'secondary' '$T/mem'"

# --- the view right on the web -----------------------------------------
# page CONF ADDR: the list web@shop.example's signed link opens.
page() {
	l=$(POSTDESK_CONFIG="$1" "$B/postdesk" link "$2")
	POSTDESK_CONFIG="$1" REQUEST_METHOD=GET PATH_INFO=/ SCRIPT_NAME=/pd.cgi \
	    QUERY_STRING="t=${l#*t=}" "$B/postdesk.cgi"
}
page "$T/pd.conf" web@shop.example >"$T/web-list"
check "X-Cart roles: a secondary member sees her organization's tickets" \
    sh -c "grep -q 'Which edition' '$T/web-list' && grep -q 'Banner broken' '$T/web-list'"
cp "$T/pd.conf" "$T/noview.conf"
printf '[roles]\nprimary = all\nsecondary = create;comment;rate\n' >>"$T/noview.conf"
page "$T/noview.conf" web@shop.example >"$T/noview-list"
check "a role without view sees only her own tickets" \
    sh -c "grep -q 'Banner broken' '$T/noview-list' && ! grep -q 'Which edition' '$T/noview-list'"
A1N=$(q "SELECT id FROM tickets WHERE subject='Which edition?'")
l=$(POSTDESK_CONFIG="$T/noview.conf" "$B/postdesk" link web@shop.example "$A1N")
POSTDESK_CONFIG="$T/noview.conf" REQUEST_METHOD=GET PATH_INFO=/ticket/$A1N \
    SCRIPT_NAME=/pd.cgi QUERY_STRING="t=${l#*t=}" "$B/postdesk.cgi" >"$T/noview-t"
check "... and cannot open another member's ticket" \
    sh -c "! grep -q '^Status: 200' '$T/noview-t' && ! grep -q 'shop of 500 items' '$T/noview-t'"
