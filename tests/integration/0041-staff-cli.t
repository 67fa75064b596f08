#!/bin/sh
# Staff work from the command line goes the way of staff mail:
# "postdesk reply" and "postdesk comment" take a command block at the top
# of the text and apply it through the life cycle, and the text without
# the block is what the customer gets (postdesk-notify to an aiosmtpd
# sink).
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..28"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com; carl@staff.example.com\n' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
PD="$B/postdesk"
"$PD" init >/dev/null
st() { sqlq "$DB" "SELECT status FROM tickets WHERE id=$1"; }
ev() { sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id=$1 AND kind='$2' AND detail LIKE '$3'"; }

"$B/postdesk-ingest" --sender alice@shop.example \
    --recipient support@example.com <"$S/tests/data/sample/01-store-down.eml"
"$B/postdesk-notify" --once >/dev/null

# A reply with a command block: one command applies, one is refused.
printf 'Priority: major\nStatus: reopened\n\nPlease clear the cache.\n' |
    "$PD" reply 1 --from bob@staff.example.com >"$T/out" 2>"$T/err"
rc=$?
check "a refused command makes reply exit 65" test "$rc" = 65
check "the applied command is reported" \
    grep -q 'applied: Priority: major' "$T/out"
check "the refused command says why" \
    grep -q 'refused: Status: reopened — the life cycle has no such transition' "$T/err"
check "priority changed through the life cycle, with its events" \
    test "$(sqlq "$DB" "SELECT priority FROM tickets WHERE id=1"):$(ev 1 command 'Priority: major%'):$(ev 1 command-refused 'Status: reopened%'):$(ev 1 priority '%major')" = major:1:1:1
"$B/postdesk-notify" --once >/dev/null
R=$(grep -l "clear the cache" "$T"/sink/*.eml |
    xargs -r grep -il "^X-Envelope-To: alice@shop.example" | head -1)
check "the reply reaches the requester" test -n "$R"
check "the command block is not in the mail" \
    sh -c "! grep -q 'Priority: major' '$R'"

# Only commands: nothing to send, the ticket changes.
N=$(sqlq "$DB" "SELECT count(*) FROM messages")
printf 'Status: closed\n' |
    "$PD" comment 1 --from carl@staff.example.com >"$T/out" 2>&1
check "commands alone exit 0" test $? = 0
check "commands alone store no message" \
    test "$(sqlq "$DB" "SELECT count(*) FROM messages")" = "$N"
check "the ticket is closed, its closed notice queued" \
    test "$(st 1):$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=1 AND template='closed'")" = closed:1

# The life cycle refuses what mail would be refused.
printf 'Priority: minor\n\nToo late.\n' |
    "$PD" reply 1 --from bob@staff.example.com >/dev/null 2>"$T/err"
check "no priority change on a closed ticket" \
    test "$(sqlq "$DB" "SELECT priority FROM tickets WHERE id=1")" = major
check "... and reply says so" \
    grep -q 'priority of a closed ticket cannot change' "$T/err"

# A comment notification carries a comment token; a reply to it stays
# internal.
printf 'From: Alice Customer <alice@shop.example>\nTo: support@example.com\nSubject: Invoice question\nMessage-ID: <a2@shop.example>\n\nWhere is my invoice?\n' |
    "$B/postdesk-ingest" --sender alice@shop.example --recipient support@example.com
echo "INTERNAL-ONE she paid twice, check the ledger" |
    "$PD" comment 2 --from carl@staff.example.com >/dev/null
"$B/postdesk-notify" --once >/dev/null
CN=$(grep -l INTERNAL-ONE "$T"/sink/*.eml |
    xargs -r grep -il "^X-Envelope-To: bob@staff.example.com" | head -1)
RT=$(hdr "$CN" Reply-To | sed 's/.*<//; s/>.*//')
check "the comment notification's Reply-To is a comment token" \
    sh -c "echo '$RT' | grep -Eq '^support\+cs2\.[0-9a-f]{24}@example\.com\$'"
printf 'From: bob@staff.example.com\nTo: %s\nSubject: Re: [Support #2] Invoice question\nMessage-ID: <b9@staff.example.com>\n\nINTERNAL-TWO refund the second payment\n' "$RT" >"$T/b9.eml"
# No SPF pass (no client IP): the token is the proof.
"$B/postdesk-ingest" --sender bob@staff.example.com --recipient "$RT" <"$T/b9.eml"
check "the reply to it is stored as an internal note on the ticket" \
    test "$(sqlq "$DB" "SELECT ticket_id || ':' || internal FROM messages WHERE text LIKE '%INTERNAL-TWO%' AND direction='in'")" = 2:1
check "an internal note does not move the ticket" test "$(st 2)" = submitted
"$B/postdesk-notify" --once >/dev/null
check "the reply to a comment never reaches the customer" \
    sh -c "! grep -l INTERNAL-TWO '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: alice@' | grep -q ."
check "... and no outbox row is addressed to her" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox o JOIN messages m ON m.id = o.message_row WHERE m.text LIKE '%INTERNAL-TWO%' AND o.recipients = 'alice@shop.example'")" = 0
check "the other staff get it as a note" \
    sh -c "grep -l INTERNAL-TWO '$T'/sink/*.eml | xargs -r grep -il '^X-Envelope-To: carl@staff.example.com' | grep -q ."
# A forged comment token is no proof: the mail is not a note.
BAD=$(echo "$RT" | sed 's/\.[0-9a-f]*@/.000000000000000000000000@/')
printf 'From: mallory@evil.example\nTo: %s\nSubject: hi\nMessage-ID: <m1@evil.example>\n\nINTERNAL-FORGED\n' "$BAD" |
    "$B/postdesk-ingest" --sender mallory@evil.example --recipient "$BAD"
check "a forged comment token makes no internal note on ticket 2" \
    test "$(sqlq "$DB" "SELECT count(*) FROM messages WHERE text LIKE '%INTERNAL-FORGED%' AND (ticket_id = 2 OR internal = 1)")" = 0

# "postdesk reply" is the staff reply for the timers and the SLA.
printf 'From: Alice Customer <alice@shop.example>\nTo: support@example.com\nSubject: Shipping module\nMessage-ID: <a3@shop.example>\n\nShipping rates are wrong.\n' |
    "$B/postdesk-ingest" --sender alice@shop.example --recipient support@example.com
replied() { sqlq "$DB" "SELECT CASE WHEN staff_reply_at > 0 THEN '1' ELSE '0' END || CASE WHEN first_response_at > 0 THEN '1' ELSE '0' END FROM tickets WHERE id=$1"; }
echo "looking into it internally" |
    "$PD" comment 3 --from carl@staff.example.com >/dev/null
check "an internal note is no staff reply" test "$(st 3):$(replied 3)" = submitted:00
NOW=$(date +%s)
echo "Please send us your shipping settings." |
    "$PD" reply 3 --from bob@staff.example.com >/dev/null
check "a CLI reply waits for the customer, as a reply by mail does" \
    test "$(st 3)" = waiting-for-customer
check "a CLI reply records the staff reply and the first response" \
    test "$(replied 3)" = 11
check "... with its status event" \
    test "$(ev 3 status '%waiting-for-customer%staff replied%')" = 1
"$PD" tick --now $((NOW + 3 * 86400 - 60)) >/dev/null
check "one minute before the pre-close timer: unchanged" \
    test "$(st 3)" = waiting-for-customer
"$PD" tick --now $((NOW + 3 * 86400 + 120)) >/dev/null
check "3 days after the CLI reply: pre-closed" test "$(st 3)" = pre-closed

# A Status: line above a reply decides the status: no automatic move to
# waiting first, which would refuse "Status: waiting-for-customer" as
# already set, or pass "Status: in-progress" through waiting.
printf 'From: Alice Customer <alice@shop.example>\nTo: support@example.com\nSubject: Logo upload\nMessage-ID: <a4@shop.example>\n\nThe logo upload fails.\n' |
    "$B/postdesk-ingest" --sender alice@shop.example --recipient support@example.com
printf 'Status: waiting-for-customer\n\nWhich file type is the logo?\n' |
    "$PD" reply 4 --from bob@staff.example.com >/dev/null 2>"$T/err"
check "Status: waiting-for-customer above a reply applies (exit 0)" \
    test "$?:$(st 4):$(ev 4 command 'Status: waiting-for-customer%')" = \
    0:waiting-for-customer:1
check "... with one status event, the command's" \
    test "$(ev 4 status '%')-$(ev 4 status '%staff replied%')" = 1-0
printf 'Status: in-progress\n\nWe are on it.\n' |
    "$PD" reply 4 --from bob@staff.example.com >/dev/null 2>"$T/err"
check "Status: in-progress above a reply: straight there" \
    test "$(st 4):$(ev 4 status '%')" = in-progress:2
check "... and the reply still counts as the staff reply" \
    test "$(replied 4)" = 11
