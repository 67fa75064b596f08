#!/bin/sh
# Staff accounts in the store (issue 17 item 1): "postdesk staff" on the
# command line, then mail commands through postdesk-ingest with real
# SPF proof (the test resolver) and transcripts through postdesk-notify
# to an aiosmtpd sink, and the web viewer behind lighttpd (lib-web.sh):
#   - [staff] addresses are admins until the store has an account;
#   - an agent's commands on a ticket of another queue are refused,
#     with the reason in the transcript; in its own queue they apply;
#   - "Owner:" naming no staff member is refused, saying why;
#   - a disabled account loses its authority by mail and on the web at
#     once, and gets it back when enabled;
#   - REMOTE_USER maps to an account by [web] staff_users or by name.
. "$(dirname "$0")/lib-web.sh"
. "$top_srcdir/tests/integration/notify-lib.sh"
trap 'stop_sink sink; web_cleanup' EXIT INT TERM

echo "1..39"
if ! web_setup; then
	echo "Bail out! setup failed"; cat "$T/error.log" 2>/dev/null; exit 1
fi
SPORT=$(free_port)
start_sink sink "$SPORT"
# Staff mail comes from example.com's own relay (192.0.2.0/24).
printf 'example.com v=spf1 ip4:192.0.2.0/24 -all\n' >"$T/dns.txt"
chmod 0644 "$T/dns.txt"
# Reply tokens, so that staff can answer their notifications.
sed -i 's/^\[mail\]$/[mail]\ntoken_key = key-0037/' "$T/pd.conf"
cat >>"$T/pd.conf" <<CONF
[auth]
dns_records = $T/dns.txt
[notify]
smtp_url = smtp://127.0.0.1:$SPORT
retry_base = 1
CONF
SURL="$BASE/staff/pd.cgi"
code() { curl -s -o "$T/page" -w '%{http_code}' "$@"; }
staffmail() {	# staffmail FROM TICKET BODY: from the staff relay, SPF pass
	printf 'From: %s\nTo: support@example.com\nSubject: Re: [Support #%s] x\nMessage-ID: <%s@example.com>\n\n%b\n' \
	    "$1" "$2" "$(date +%s%N)" "$3" |
	    "$INGEST" --sender "$1" --recipient support@example.com \
	    --client-ip 192.0.2.10
}
t() { sql "SELECT $2 FROM tickets WHERE id=$1"; }
ev() { sql "SELECT count(*) FROM events WHERE ticket_id=$1 AND kind='$2' AND detail LIKE '$3'"; }
# The decoded text of the newest transcript delivered to ADDR, in a file.
transcript() {
	"$B/postdesk-notify" --once >/dev/null 2>&1
	_f=$(grep -l "^X-Envelope-To: $1" "$T"/sink/*.eml 2>/dev/null |
	    xargs -r ls -t | while read -r f; do
		python3 -c 'import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.stdout.write(m.get_payload(decode=True).decode())' "$f" >"$f.txt" &&
		    grep -q 'contained commands' "$f.txt" && echo "$f.txt" &&
		    break
	    done)
	echo "$_f"
}

# --- the bootstrap list ----------------------------------------------
"$PD" staff list >"$T/out"
check "no accounts: the [staff] addresses are listed as admins" \
    sh -c "grep -q '^alice@example.com *admin' '$T/out' && grep -q 'no staff accounts' '$T/out'"
check "... and alice is staff on the web" test "$(code -u alice:alicepw "$SURL/")" = 200

# --- the command line ------------------------------------------------
"$PD" staff add alice@example.com --role agent --queues support \
    --name "Alice A" >/dev/null 2>"$T/err"
check "staff add: an agent of support" test $? = 0
check "... and a note that the bootstrap list grants nothing now" \
    grep -q 'grant no authority' "$T/err"
"$PD" staff add bob@example.com --role admin >/dev/null &&
"$PD" staff add sam@example.com --role agent --queues sales \
    --notify none >/dev/null
check "staff add: an admin, and an agent of sales" test $? = 0
"$PD" staff add sam@example.com --queues sales >/dev/null 2>&1
check "adding an account twice: 65" test $? = 65
"$PD" staff add zed@example.com --role boss >/dev/null 2>&1
check "an unknown role is a usage error" test $? = 1
"$PD" staff add zed@example.com >/dev/null 2>&1
check "an agent without --queues is a usage error" test $? = 1
"$PD" staff set nobody@example.com --notify all >/dev/null 2>&1
check "staff set of no account: 66" test $? = 66
"$PD" staff set sam@example.com --notify mine --name "Sam S" >/dev/null
"$PD" staff list --json >"$T/json"
check "staff list --json: the three accounts from the store" \
    python3 -c "
import json, sys
a = {s['address']: s for s in json.load(open('$T/json'))}
assert sorted(a) == ['alice@example.com', 'bob@example.com', 'sam@example.com'], a
assert a['alice@example.com']['role'] == 'agent' and a['alice@example.com']['queues'] == ['support']
assert a['alice@example.com']['name'] == 'Alice A'
assert a['bob@example.com']['role'] == 'admin' and a['bob@example.com']['queues'] == []
assert a['sam@example.com']['notify'] == 'mine' and a['sam@example.com']['name'] == 'Sam S'
assert all(s['source'] == 'store' and not s['disabled'] for s in a.values())
"
check "zed was never added" test "$(sql "SELECT count(*) FROM staff WHERE address LIKE 'zed%'")" = 0

# Ticket 2 goes to sales (bob, an admin, from the command line).
printf 'Queue: sales\n' | "$PD" comment 2 --from bob@example.com >/dev/null
check "ticket 2 is in sales" test "$(t 2 queue)" = sales

# --- an agent outside its queue, by mail ------------------------------
printf 'From: sam@example.com\nTo: support@example.com\nSubject: Re: [Support #1] x\nMessage-ID: <explain@example.com>\n\nPriority: major\n' |
    "$INGEST" --explain --sender sam@example.com \
    --recipient support@example.com --client-ip 192.0.2.10 >"$T/explain"
check "--explain: staff-command allowed, staff-queue refused, nothing written" \
    sh -c "grep -q 'policy: staff-command: allowed' '$T/explain' && grep -q 'policy: staff-queue: refused' '$T/explain' && [ '$(sql "SELECT count(*) FROM messages WHERE message_id='explain@example.com'")' = 0 ]"
staffmail sam@example.com 1 'Priority: major\nStatus: in-progress\n\nI will take this.'
check "sam (sales) on a support ticket: exit 0, stored" test $? = 0
check "... its commands change nothing" \
    test "$(t 1 priority):$(t 1 status)" = normal:submitted
check "... each refused by staff-queue, saying why" \
    test "$(ev 1 command-refused '%staff-queue%does not work this ticket%')" = 2
check "... and its text is not relayed to the customer" \
    test "$(sql "SELECT count(*) FROM outbox WHERE ticket_id=1 AND kind='reply'")" = 0
TR=$(transcript sam@example.com)
check "... the transcript tells sam why" \
    sh -c "[ -n '$TR' ] && grep -q 'does not work this ticket' '$TR'"
staffmail sam@example.com 2 'Priority: major'
check "sam on a sales ticket: the command applies" test "$(t 2 priority)" = major
staffmail alice@example.com 1 'Priority: major'
check "alice (support) on a support ticket: applies" test "$(t 1 priority)" = major

# --- Owner: naming no staff member (bad input) ------------------------
staffmail alice@example.com 1 'Owner: zed@example.com'
check "Owner: an unknown address is refused" \
    test "$(t 1 "coalesce(owner,'-')"):$(ev 1 command-refused 'Owner: zed@example.com%not a staff member%')" = -:1
TR=$(transcript alice@example.com)
check "... with the reason in the transcript" \
    sh -c "[ -n '$TR' ] && grep -q 'zed@example.com. is not a staff member' '$TR'"
staffmail alice@example.com 1 'Owner: sam'
check "Owner: a staff member's name before the @ applies" \
    test "$(t 1 owner)" = sam@example.com

# --- disabling -------------------------------------------------------
"$PD" staff disable sam@example.com >/dev/null
check "staff disable: the row stays, disabled" \
    test "$(sql "SELECT disabled FROM staff WHERE address='sam@example.com'")" = 1
staffmail sam@example.com 2 'Priority: minor'
check "disabled: sam's mail command no longer applies" test "$(t 2 priority)" = major
check "... refused by staff-command: account disabled" \
    test "$(ev 2 command-refused 'Priority: minor%disabled%')" = 1
staffmail alice@example.com 1 'Owner: sam@example.com'
check "a disabled account cannot be made owner" \
    test "$(ev 1 command-refused 'Owner: sam@example.com%disabled%')" = 1
"$PD" staff list >"$T/out"
check "staff list shows sam disabled" grep -q '^sam@example.com .*disabled' "$T/out"

# --- the web: REMOTE_USER → account ----------------------------------
C=$(code -u alice:alicepw "$SURL/")
check "alice (same name as her account) is staff on the web" \
    sh -c "[ $C = 200 ] && grep -q 'alice@example.com (staff)' '$T/page'"
C=$(code -u jdoe:jdoepw "$SURL/")
check "jdoe is bob by [web] staff_users" \
    sh -c "[ $C = 200 ] && grep -q 'bob@example.com (staff)' '$T/page'"
check "mallory has no account: 403" test "$(code -u mallory:mallorypw "$SURL/")" = 403
post() {	# post USER:PW TICKET FIELDS: the update form, with its token
	code -u "$1" "$SURL/ticket/$2" >/dev/null
	_cs=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/page" |
	    head -1)
	curl -s -o "$T/post" -u "$1" -d "csrf=$_cs&$3" \
	    "$SURL/ticket/$2/update"
}
post alice:alicepw 2 status=closed
check "alice (support) cannot close a sales ticket on the web" \
    sh -c "s='$(sql 'SELECT status FROM tickets WHERE id=2')'; [ -n \"\$s\" ] && [ \"\$s\" != closed ] && grep -q 'does not work this ticket' '$T/post'"
post jdoe:jdoepw 2 status=closed
check "... bob, an admin, can" test "$(t 2 status)" = closed
"$PD" staff disable alice@example.com >/dev/null
C=$(code -u alice:alicepw "$SURL/")
check "disabled: alice is no staff on the web at once (403, not listed)" \
    sh -c "[ $C = 403 ] && grep -q 'not on the staff list' '$T/page'"
"$PD" staff enable alice@example.com >/dev/null
check "enabled again: 200" test "$(code -u alice:alicepw "$SURL/")" = 200

# --- a staff token minted for an account, then the account disabled ---
printf 'From: carol@a.example\nTo: support@example.com\nSubject: Toner\nMessage-ID: <carol-3@a.example>\n\nOut of toner.\n' >"$T/c3.eml"
ingest carol@a.example "$T/c3.eml"
"$B/postdesk-notify" --once >/dev/null 2>&1
N=$(grep -l "^X-Envelope-To: alice@example.com" "$T"/sink/*.eml |
    xargs -r grep -l 'Toner' | head -1)
RT=$(hdr "$N" Reply-To | sed 's/.*<//; s/>.*//')
check "alice, an agent of support, got the new ticket's notice" \
    sh -c "echo '$RT' | grep -q '^support+'"
bytoken() {	# bytoken BODY: alice's reply to her notification, no SPF
	printf 'From: alice@example.com\nTo: %s\nSubject: Re: Toner\nMessage-ID: <%s@example.com>\n\n%b\n' \
	    "$RT" "$(date +%s%N)" "$1" |
	    "$INGEST" --sender alice@example.com --recipient "$RT"
}
"$PD" staff disable alice@example.com >/dev/null
bytoken 'Priority: major'
check "disabled: her own staff token gives no authority" \
    test "$(t 3 priority):$(ev 3 command-refused 'Priority: major%disabled%')" = normal:1
"$PD" staff enable alice@example.com >/dev/null
bytoken 'Priority: major'
check "enabled again: the same token's command applies" \
    test "$(t 3 priority)" = major
check "bob (admin, every queue) got the notice too; sam (sales) not" \
    sh -c "grep -l Toner '$T'/sink/*.eml | xargs grep -il '^X-Envelope-To: bob@example.com' >/dev/null && ! grep -l Toner '$T'/sink/*.eml | xargs grep -il '^X-Envelope-To: sam@example.com' >/dev/null"
