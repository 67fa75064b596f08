#!/bin/sh
# The authentication verdict of issue 11 through the real programs, with
# real DKIM signatures (opendkim-genkey; the opendkim binary signs) and
# the test resolver ([auth] dns_records): Gmail-style mail (DKIM aligned,
# SPF pass for another envelope domain) and list-forwarded mail (SPF
# fail, DKIM aligned) pass and a staff command in them counts; a spoofed
# staff From: with the attacker's own SPF pass is not aligned, forged
# under p=reject, and moves nothing.  The verdict is stored and shown by
# --explain and postdesk show; fetched mail with the trusted MX's
# Authentication-Results gets the same verdict as ingest; no DNS is
# "temperror" and the message is still stored.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-dkim.sh"
plan 21
K=$T/keys
{
	dkim_keygen "$K" helpdesk.example s1
	dkim_keygen "$K/evil" evil.test ev
	cat <<REC
helpdesk.example v=spf1 ip4:192.0.2.0/24 -all
bounces.mailer.test v=spf1 ip4:198.51.100.0/24 -all
evil.test v=spf1 ip4:203.0.113.66 -all
_dmarc.helpdesk.example v=DMARC1; p=reject
down.test TEMPFAIL
_dmarc.down.test TEMPFAIL
REC
} >"$T/dns.txt"
make_config <<CONF
[auth]
dns_records = $T/dns.txt
trusted_authserv_ids = mx.helpdesk.example
CONF
row() {	# row MESSAGE-ID COLUMN
	sql "SELECT $2 FROM messages WHERE message_id='$1'"
}
msg() {	# msg FROM ID SUBJECT BODY
	printf 'From: %s\r\nTo: support@helpdesk.example\r\nSubject: %s\r\n' \
	    "$1" "$3"
	printf 'Date: Wed, 02 Dec 2026 10:00:00 +0000\r\nMessage-ID: <%s>\r\n' \
	    "$2"
	printf '\r\n%b\r\n' "$4"
}
prio() { sql "SELECT priority FROM tickets WHERE id=1"; }
# auth MESSAGE-ID: the message's authentication account, as postdesk
# show --json gives it (either backend).
auth() {
	"$PD" show "$(row "$1" ticket_id)" --json | python3 -c 'import json, sys
for m in json.load(sys.stdin)["thread"]:
    if m["message_id"] == sys.argv[1]:
        print(m["auth"] or "")' "$1"
}

msg alice@shop.example c1@shop "help" "My order is late." |
    "$PD_INGEST" --sender alice@shop.example --client-ip 192.0.2.200
check_eq "customer mail: a ticket" 1 "$(sql 'SELECT count(*) FROM tickets')"

# Gmail-style: signed by helpdesk.example, sent through a mailer whose
# own envelope domain passes SPF.
msg "Agent <bob@helpdesk.example>" g1@helpdesk "Re: [Support #1] help" \
    "Priority: major\n\nOn it." | dkim_sign "$K" helpdesk.example s1 \
    >"$T/gmail.eml"
"$PD_INGEST" --sender b+1@bounces.mailer.test --client-ip 198.51.100.7 \
    <"$T/gmail.eml"
check_eq "Gmail-style: verdict pass" pass "$(row g1@helpdesk auth_verdict)"
check_eq "Gmail-style: SPF pass kept in messages.spf" pass \
    "$(row g1@helpdesk spf)"
auth g1@helpdesk >"$T/g1.auth"
check "Gmail-style: the account names SPF not aligned, DKIM aligned" sh -c \
    "grep -q 'spf: pass (domain bounces.mailer.test, not aligned)' '$T/g1.auth' &&
    grep -q 'dkim: pass d=helpdesk.example s=s1 (aligned)' '$T/g1.auth'"
check_eq "Gmail-style: the staff command counts" major "$(prio)"

# Forwarded by a list: the list's host is not in helpdesk.example's SPF.
msg "Agent <bob@helpdesk.example>" l1@helpdesk "Re: [Support #1] help" \
    "Priority: normal\n\nForwarded." | dkim_sign "$K" helpdesk.example s1 |
    sed '1i List-Id: <help.lists.test>\r' >"$T/list.eml"
"$PD_INGEST" --sender bob@helpdesk.example --client-ip 198.18.0.9 \
    <"$T/list.eml"
check_eq "list-forwarded: SPF fail" fail "$(row l1@helpdesk spf)"
check_eq "list-forwarded: verdict pass (DKIM aligned)" pass \
    "$(row l1@helpdesk auth_verdict)"
check_eq "list-forwarded: the staff command counts" normal "$(prio)"

# The attack of issue 11: staff From:, evil.test's own SPF passes, and
# evil.test even signs it with its own key.
msg "Agent <bob@helpdesk.example>" e1@evil "Re: [Support #1] help" \
    "Priority: minor\nStatus: closed\n\nRelay this." |
    dkim_sign "$K/evil" evil.test ev >"$T/evil.eml"
"$PD_INGEST" --explain --sender mallory@evil.test --client-ip 203.0.113.66 \
    <"$T/evil.eml" >"$T/explain.out"
check "--explain: SPF pass for evil.test, not aligned" \
    grep -q '^  spf: pass (domain evil.test, not aligned)$' "$T/explain.out"
check "--explain: DKIM d=evil.test, not aligned" \
    grep -q '^  dkim: pass d=evil.test s=ev (not aligned)$' "$T/explain.out"
check "--explain: the DMARC policy and the final verdict" sh -c \
    "grep -q '^  dmarc: policy reject for helpdesk.example$' '$T/explain.out' &&
    grep -q '^  verdict: forged$' '$T/explain.out' &&
    grep -q '^authentication: forged (from mta)$' '$T/explain.out'"
"$PD_INGEST" --sender mallory@evil.test --client-ip 203.0.113.66 \
    <"$T/evil.eml"
check_eq "spoofed From: verdict forged, stored" forged \
    "$(row e1@evil auth_verdict)"
check_eq "spoofed From: the staff command moves nothing" normal "$(prio)"
check_eq "spoofed From: the ticket stays open" 0 \
    "$(sql "SELECT count(*) FROM tickets WHERE id=1 AND status='closed'")"
# [auth] on_forged = new-ticket (postdesk-auth(5)): the forged mail sits
# in a ticket of its own, linked to #1; show both.
FT=$(row e1@evil ticket_id)
{ "$PD" show 1; "$PD" show "$FT"; } >"$T/show.out"
check "postdesk show: the verdict of each message, line by line" sh -c \
    "grep -q '^auth: verdict: forged$' '$T/show.out' &&
    grep -q '^auth: dkim: pass d=helpdesk.example s=s1 (aligned)$' '$T/show.out' &&
    grep -q '^auth: spf: pass (domain evil.test, not aligned)$' '$T/show.out'"
# show --json: the verdict and the sender's name as members, so API
# users need not parse --explain
"$PD" show --json 1 >"$T/show.json"
check "postdesk show --json: auth_verdict and from_name of each message" \
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
by = {m["message_id"]: m for m in d["thread"]}
sys.exit(0 if by["g1@helpdesk"]["auth_verdict"] == "pass" and
    by["g1@helpdesk"]["from_name"] == "Agent" and
    by["c1@shop"]["from_name"] is None else 1)' "$T/show.json"

# The viewer's thread view, for staff: the same lines, escaped.
printf '[templates]\ndir = %s/templates\n[web]\nbase_url = %s\n%s\n%s\n' \
    "$top_srcdir" "http://helpdesk.example/pd.cgi" "link_key = test-key" \
    "staff_users = jdoe=bob@helpdesk.example" >>"$T/postdesk.conf"
for t in 1 "$FT"; do
	REQUEST_METHOD=GET PATH_INFO=/ticket/$t SCRIPT_NAME=/staff/pd.cgi \
	    REMOTE_USER=jdoe "$top_builddir/postdesk.cgi"
done >"$T/view.html"
check "viewer: each message's sender check, verdict and lines" sh -c \
    "grep -q 'Sender check: <span class=\"verdict v-forged\">forged</span>' '$T/view.html' &&
    grep -q '<li><code>dkim: pass d=evil.test s=ev (not aligned)</code></li>' '$T/view.html' &&
    grep -q '<li><code>verdict: pass</code></li>' '$T/view.html'"

# Fetched mail: the mailbox host's (trusted) A-R block gives the facts.
M=$T/Maildir
mkdir -p "$M/new" "$M/cur" "$M/tmp"
{
	printf 'Authentication-Results: mx.helpdesk.example;\r\n'
	printf '\tspf=pass smtp.mailfrom=b+2@bounces.mailer.test;\r\n'
	printf '\tdkim=pass header.d=helpdesk.example header.s=s1\r\n'
	printf 'Received: from out.mailer.test (out [198.51.100.7]) by mx.helpdesk.example\r\n'
	msg "Agent <bob@helpdesk.example>" f1@helpdesk "Re: [Support #1] help" \
	    "Fetched."
} >"$M/new/1.f1"
{
	# A forged "trusted" header below a hop of someone else's.
	printf 'Authentication-Results: mx.helpdesk.example; spf=pass\r\n'
	printf '\tsmtp.mailfrom=mallory@evil.test\r\n'
	printf 'Received: from evil (evil [203.0.113.66]) by relay.evil.test\r\n'
	printf 'Authentication-Results: mx.helpdesk.example; dkim=pass header.d=helpdesk.example\r\n'
	msg "Agent <bob@helpdesk.example>" f2@evil "Re: [Support #1] help" \
	    "Fetched forgery."
} >"$M/new/2.f2"
printf '[fetch]\nsources = maildir:%s\n' "$M" >>"$T/postdesk.conf"
"$top_builddir/postdesk-fetch" --once >/dev/null 2>&1
check_eq "fetched, trusted A-R: verdict pass, as ingest found for the same facts" \
    "pass authentication-results" \
    "$(row f1@helpdesk auth_verdict) $(sql "SELECT CASE WHEN auth LIKE '%dkim: pass d=helpdesk.example s=s1 (aligned)%' THEN 'authentication-results' END FROM messages WHERE message_id='f1@helpdesk'")"
check_eq "fetched, forged A-R below another hop: not believed, forged" forged \
    "$(row f2@evil auth_verdict)"

# No DNS: temperror, and the message is stored all the same.
msg carol@down.test d1@down "outage" "Is DNS down?" |
    "$PD_INGEST" --sender carol@down.test --client-ip 192.0.2.99
check_eq "DNS down: exit 0, stored with verdict temperror" temperror \
    "$(row d1@down auth_verdict)"
auth d1@down >"$T/d1.auth"
check "DNS down: SPF temperror in the account" \
    grep -q '^spf: temperror (domain down.test' "$T/d1.auth"
