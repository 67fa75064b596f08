#!/bin/sh
# The whole mail round trip through a real MTA pipe and real SMTP: mail
# goes in with swaks to a throw-away Postfix that pipes it into
# postdesk-ingest (lib-postfix.sh); postdesk-notify sends to an aiosmtpd
# sink (notify-lib.sh), whose files the customer and the staff member
# "answer" by building replies from them and sending those to Postfix.
#
#   customer mail          -> ticket 1; ack + staff notification
#   postdesk reply 1       -> the customer, threaded
#   customer answers that  -> ticket 1 (reply token), quote stripped,
#                             staff notified
#   staff answers by mail  -> "Status:" command applied (reply token
#                             authenticates), reply relayed without it
#   same command, forged   -> refused (loopback SPF proves nothing)
# Issue 4's "Done when" and issue 5's staff-by-mail round trip.  No
# fixed sleeps: every wait polls with a time limit.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

. "$top_srcdir/tests/integration/notify-lib.sh"
. "$top_srcdir/tests/integration/lib-postfix.sh"
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
pf_require
$PY -c 'import aiosmtpd' 2>/dev/null ||
    pf_skip_all "python3-aiosmtpd not installed (contrib/deps.sh --tests)"

echo "1..48"

T=$(mktemp -d /tmp/postdesk-e2e.XXXXXX)
cleanup() {
	pf_stop
	stop_sink out
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pf_setup
# Everything that opens the database runs as the pipe's user (nobody),
# as in a real installation: binaries and templates copied where nobody
# can read them.
cp "$B/postdesk-notify" "$T/bin/"
cp -R "$S/templates" "$T/templates"
chmod -R a+rX "$T/templates"
SINK_PORT=$(free_port)
start_sink out "$SINK_PORT"
check "aiosmtpd sink for outbound mail is running" \
    sh -c "kill -0 \$(cat '$T/out.pid')"

nl_pg_start	# POSTDESK_TEST_STORE=postgresql: a throw-away server
cat > "$T/postdesk.conf" <<EOF
[store]
path = $T/db/postdesk.db
$(nl_pg && pg_store_url "$T/db/postdesk.db")
[mail]
address = support@helpdesk.test
subject_tag = Support
host = helpdesk.test
token_key = e2e-token-key-0123456789
[staff]
addresses = staff@helpdesk.test
[auth]
# No DNS.  Postfix's client is loopback, which gets SPF none whatever
# the record says (auth.h): staff authenticate by reply token only.
spf_local_records = helpdesk.test v=spf1 ip4:127.0.0.1 -all
[templates]
dir = $T/templates
[notify]
smtp_url = smtp://127.0.0.1:$SINK_PORT
retry_base = 1
timeout = 10
EOF
chmod 0644 "$T/postdesk.conf"
export POSTDESK_CONFIG="$T/postdesk.conf"
DB="$T/db/postdesk.db"
pd() { as_pipe_user "$T/bin/postdesk" "$@"; }
sqlq() {	# as the store's user: no -shm/-wal it cannot write
	if nl_pg; then
		pg_store_sql "$1" "$2"
	else
		as_pipe_user sqlite3 -cmd ".timeout 5000" "$1" "$2"
	fi
}
notify() {
	as_pipe_user "$T/bin/postdesk-notify" --once >>"$T/notify.out" 2>&1
}
pd init >/dev/null
if nl_pg; then
	check "postdesk init (as nobody) made the database" \
	    test "$(sqlq "$DB" "SELECT count(*) FROM outbox")" = 0
else
	check "postdesk init (as nobody) made the database" test -s "$DB"
fi
pf_check
pf_start || exit 1

# tj TICKET EXPR: a Python expression over `postdesk show TICKET --json`
# (t), printed.
tj() {
	pd show "$1" --json 2>/dev/null | $PY -c '
import json, sys
t = json.load(sys.stdin)
msg = {m["message_id"]: m for m in t["thread"]}
print(eval(sys.argv[1]))' "$2"
}
tj_is() { [ "$(tj "$1" "$2")" = "$3" ]; }
ticket_count() {
	pd list --json |
	    $PY -c 'import json, sys; print(len(json.load(sys.stdin)))'
}
mail_count_is() { [ "$(count_mail out)" = "$1" ]; }
# body FILE: the decoded text/plain part of a delivered file
body() {
	$PY - "$1" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        sys.stdout.write(part.get_payload(decode=True).decode("utf-8"))
        break
PY
}
addr() { sed 's/.*<//; s/>.*//'; }
# field FILE NAME: header NAME of a mail file, unfolded (notify-lib's hdr
# reads only the first line of a folded header)
field() {
	$PY - "$1" "$2" <<'PY'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(" ".join((m.get(sys.argv[2]) or "").split()))
PY
}
# matches STRING ERE
matches() { printf '%s\n' "$1" | grep -Eq "$2"; }
# body_has FILE ERE: the decoded text of FILE matches
body_has() { body "$1" | grep -Eq "$2"; }
not_body_has() { test -s "$1" && ! body_has "$@"; }
# answer FILE FROM NEW-TEXT: a reply to a delivered file as a mail client
# writes it: to its Reply-To, In-Reply-To its Message-ID, References
# extended, the new text above the quoted original.
answer() {
	mid=$(field "$1" Message-Id)
	refs=$(field "$1" References)
	printf 'From: %s\nTo: %s\n' "$2" "$(field "$1" Reply-To)"
	printf 'Subject: Re: %s\n' "$(field "$1" Subject | sed 's/^Re: //')"
	printf 'Message-ID: <%s@%s>\n' "$(date +%s%N)" \
	    "$(echo "$2" | addr | sed 's/.*@//')"
	printf 'In-Reply-To: %s\nReferences: %s%s\n' "$mid" \
	    "${refs:+$refs }" "$mid"
	printf 'Date: %s\nMIME-Version: 1.0\n' "$(date -R)"
	printf 'Content-Type: text/plain; charset=utf-8\n\n%b\n\n' "$3"
	printf 'On %s, %s wrote:\n' "$(field "$1" Date)" "$(field "$1" From)"
	body "$1" | sed 's/^/> /'
}

# --- 1. The customer writes in. ------------------------------------------
cat > "$T/m1.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: support@helpdesk.test
Subject: Printer on fire
Message-ID: <m1.alice@customer.test>
Date: Mon, 23 Nov 2026 10:00:00 +0000

Hello, the printer in room 4 is on fire again.
EOF
send "$T/m1.eml" alice@customer.test
ticket_count_is() { [ "$(ticket_count)" = "$1" ]; }
if wait_for 150 ticket_count_is 1; then
	ok "customer mail through Postfix opened ticket 1"
else
	nok "customer mail through Postfix opened ticket 1"
	diag "$(tail -10 "$T/maillog")"
fi
check "ticket 1: requester alice, subject from the mail, submitted" \
    tj_is 1 't["requester"], t["subject"], t["status"]' \
    "('alice@customer.test', 'Printer on fire', 'submitted')"
check "ingest queued ack and staff notification, sent nothing itself" \
    test "$(sqlq_join "$DB" ' ' "SELECT kind || ':' || status
	FROM outbox ORDER BY id")-$(count_mail out)" = \
    "ack:pending staff:pending-0"

notify
wait_for 50 mail_count_is 2
check "postdesk-notify delivered two mails to the sink" mail_count_is 2
ACK=$(mail_to out alice@customer.test)
STAFF=$(mail_to out staff@helpdesk.test)
check "acknowledgement arrived for the customer" test -n "$ACK"
check "staff notification arrived for staff@" test -n "$STAFF"
ACK=${ACK:-/dev/null} STAFF=${STAFF:-/dev/null}
check "ack: subject tag [Support #1]" matches "$(field "$ACK" Subject)" \
    '^(Re: )?\[Support #1\] Printer on fire$'
check "ack: the text names ticket #1" body_has "$ACK" 'ticket #1\b'
RT=$(field "$ACK" Reply-To | addr)
check "ack: Reply-To is a signed token address ($RT)" \
    matches "$RT" '^support\+tc1\.[0-9a-f]{24}@helpdesk\.test$'
check "ack: answers the customer's mail (In-Reply-To)" \
    test "$(field "$ACK" In-Reply-To)" = "<m1.alice@customer.test>"
check "staff notification carries the customer's text" \
    body_has "$STAFF" 'printer in room 4 is on fire'
check "staff notification: a staff token Reply-To for ticket 1" \
    matches "$(field "$STAFF" Reply-To | addr)" \
    '^support\+ts1\.[0-9a-f]{24}@helpdesk\.test$'

# --- 2. A staff reply from the command line reaches the customer. ---------
printf 'Please unplug it and step away.\nSam\n' |
    pd reply 1 --from staff@helpdesk.test --name "Sam Staff" >/dev/null
check "postdesk reply 1: ticket waits for the customer" \
    tj_is 1 't["status"]' waiting-for-customer
notify
wait_for 50 mail_count_is 3
REPLY=$(grep -l 'Please unplug it' "$T"/out/*.eml 2>/dev/null |
    xargs -r grep -il '^X-Envelope-To: alice@customer.test' | head -1)
check "staff reply delivered to the customer" test -n "$REPLY"
REPLY=${REPLY:-/dev/null}
RMID=$(field "$REPLY" Message-Id)
check "staff reply: Message-ID stored on ticket 1 as outbound" \
    tj_is 1 "msg['$(echo "$RMID" | tr -d '<>')']['direction']" out
check "staff reply: In-Reply-To the customer's mail" \
    test "$(field "$REPLY" In-Reply-To)" = "<m1.alice@customer.test>"
check "staff reply: References name the customer's mail" \
    test "$(field "$REPLY" References)" = "<m1.alice@customer.test>"
check "staff reply: subject tag" \
    matches "$(field "$REPLY" Subject)" '\[Support #1\]'

# --- 3. The customer answers the delivered reply, through Postfix. -------
answer "$REPLY" 'Alice Customer <alice@customer.test>' \
    'Unplugged it, the smoke is gone.' >"$T/r1.eml"
R1=$(field "$T/r1.eml" Message-ID | tr -d '<>')
send "$T/r1.eml" alice@customer.test "$(field "$REPLY" Reply-To | addr)"
has_msg() { tj_is 1 "'$1' in msg" True; }
if wait_for 150 has_msg "$R1"; then
	ok "the customer's answer landed in ticket 1"
else
	nok "the customer's answer landed in ticket 1"
	diag "$(tail -10 "$T/maillog")"
fi
check "no second ticket was opened" ticket_count_is 1
check "threaded by the reply token" tj_is 1 \
    '[e["detail"].split()[0] for e in t["events"]
	if e["kind"] == "thread"][-1]' \
    reply-token
check "stored text keeps the quote, stripped text drops it" tj_is 1 \
    "'> Please unplug' in msg['$R1']['text'], msg['$R1']['stripped']" \
    "(True, 'Unplugged it, the smoke is gone.')"
check "the customer's answer set the ticket back to in-progress" \
    tj_is 1 't["status"]' in-progress
before=$(count_mail out)
notify
wait_for 50 mail_count_is $((before + 1))
STAFF2=$(grep -l 'smoke is gone' "$T"/out/*.eml 2>/dev/null |
    xargs -r grep -il '^X-Envelope-To: staff@helpdesk.test' | head -1)
check "staff notified of the customer's answer" test -n "$STAFF2"
STAFF2=${STAFF2:-/dev/null}
check "that notification does not repeat the quoted reply" \
    sh -c "! grep -q 'Please unplug' '$STAFF2'"

# --- 4. The staff member answers the notification by mail. ---------------
answer "$STAFF2" 'Sam Staff <staff@helpdesk.test>' \
    'Status: waiting-for-customer\n\nGood. Tell us when it is cold again.' \
    >"$T/s1.eml"
S1=$(field "$T/s1.eml" Message-ID | tr -d '<>')
send "$T/s1.eml" staff@helpdesk.test "$(field "$STAFF2" Reply-To | addr)"
if wait_for 150 has_msg "$S1"; then
	ok "the staff member's mail landed in ticket 1"
else
	nok "the staff member's mail landed in ticket 1"
	diag "$(tail -10 "$T/maillog")"
fi
check "staff mail: SPF none (loopback), the reply token authenticated" \
    test "$(sqlq "$DB" "SELECT spf FROM messages
	WHERE message_id = '$S1'")" = none
check "Status: command applied: waiting-for-customer" \
    tj_is 1 't["status"]' waiting-for-customer
check "the staff's own mail (command block and all) is kept internal" \
    test "$(sqlq "$DB" "SELECT internal FROM messages
	WHERE message_id = '$S1'")" = 1
check "the relayed copy, what customers see, is not internal" \
    test "$(sqlq "$DB" "SELECT internal FROM messages WHERE ticket_id = 1
	AND direction = 'out' ORDER BY id DESC LIMIT 1")" = 0
check "no command was refused" \
    tj_is 1 '[e for e in t["events"] if e["kind"] == "command-refused"]' '[]'
before=$(count_mail out)
notify
wait_for 50 mail_count_is $((before + 2))
RELAY=$(grep -l 'when it is cold again' "$T"/out/*.eml 2>/dev/null |
    xargs -r grep -il '^X-Envelope-To: alice@customer.test' | head -1)
check "the staff reply was relayed to the customer" test -n "$RELAY"
RELAY=${RELAY:-/dev/null}
check "relayed reply: command block removed" \
    not_body_has "$RELAY" '^Status:'
check "relayed reply: In-Reply-To the customer's answer" \
    test "$(field "$RELAY" In-Reply-To)" = "<$R1>"
check "relayed reply: References: first mail, staff reply, answer" \
    test "$(field "$RELAY" References)" = \
    "<m1.alice@customer.test> $RMID <$R1>"
check "relayed reply: From is the helpdesk, not the staff address" \
    matches "$(field "$RELAY" From)" '<support@helpdesk\.test>$'
TRANS=$(grep -l 'applied: *Status: waiting-for-customer' "$T"/out/*.eml \
    2>/dev/null | xargs -r grep -il '^X-Envelope-To: staff@helpdesk.test')
check "transcript to the staff member says the command was applied" \
    test -n "$TRANS"

# --- 5. The same command forged: staff address, no token. ---------------
# Postfix's client is loopback, so SPF cannot vouch for it either.
cat > "$T/f1.eml" <<'EOF'
From: Sam Staff <staff@helpdesk.test>
To: support@helpdesk.test
Subject: Re: [Support #1] Printer on fire
Message-ID: <f1@forger.test>
Date: Mon, 23 Nov 2026 12:00:00 +0000

Status: closed

FORGED-TEXT we give up, closing.
EOF
send "$T/f1.eml" staff@helpdesk.test
if wait_for 150 has_msg f1@forger.test; then
	ok "the forged mail landed in ticket 1 (subject tag)"
else
	nok "the forged mail landed in ticket 1 (subject tag)"
	diag "$(tail -10 "$T/maillog")"
fi
check "forged Status: closed refused, the ticket still waits" \
    tj_is 1 't["status"]' waiting-for-customer
check "... with an event naming the refusing rule" \
    matches "$(tj 1 '[e["detail"] for e in t["events"]
	if e["kind"] == "command-refused"]')" \
    "^\['Status: closed .*staff-command: refused[^']*'\]$"
notify
check "the forged text never reached the customer" sh -c \
    "! grep -l FORGED-TEXT '$T'/out/*.eml |
	xargs -r grep -il '^X-Envelope-To: alice@' | grep -q ."

check "every outbox row was sent" test "$(sqlq "$DB" \
    "SELECT count(*) FROM outbox WHERE status <> 'sent'")" = 0
check "Postfix delivered all four mails into the pipe" \
    log_has_n 'status=sent (delivered via postdesk service)' 4
check "Postfix bounced and deferred nothing" \
    test "$(count_log 'status=bounced\|status=deferred')" = 0
