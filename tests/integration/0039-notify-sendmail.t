#!/bin/sh
# The sendmail fallback ([notify] sendmail, no smtp_url): a command that
# takes the mail sends it; a permanent exit fails it; a command that
# hangs is killed after [notify] timeout and the mail is tried again; a
# command that exits without reading its input does not kill notify.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "1..9"
SM=$T/sendmail
# A stand-in for /usr/sbin/sendmail whose behaviour is set by a file.
cat >"$SM" <<'SH'
#!/bin/sh
mode=$(cat "$(dirname "$0")/mode")
case $mode in
take)	cat >"$(dirname "$0")/out.$$.eml"
	printf '%s\n' "$*" >"$(dirname "$0")/args.$$" ;;
nouser)	cat >/dev/null; exit 67 ;;
hang) echo $$ >"$(dirname "$0")/hang.pid"; exec sleep 600 ;;
deaf)	exit 75 ;;
esac
SH
chmod +x "$SM"
nl_pg_start
{
	printf '[store]\npath = %s/pd.db\n' "$T"
	if nl_pg; then pg_store_url "$T/pd.db"; fi
	printf '[mail]\naddress = support@example.com\nhost = pd.example.com\n'
	printf 'token_key = key-sendmail-test\n'
	printf '[templates]\ndir = %s/templates\n' "$S"
	printf '[notify]\nsendmail = %s\nretry_base = 1\ntimeout = 3\n' "$SM"
} >"$T/pd.conf"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null
newticket() {
	printf 'From: %s\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@customer.example>\n\nhelp\n' \
	    "$1" "$2" "$2" | "$B/postdesk-ingest"
}
row_of() { sqlq "$DB" "SELECT status || ' ' || attempts FROM outbox WHERE recipients = '$1'"; }

echo take >"$T/mode"
newticket ann@customer.example one
"$B/postdesk-notify" --once 2>"$T/n1.log"
check "a command that takes the mail: sent" test "$(row_of ann@customer.example)" = "sent 1"
f=$(ls "$T"/out.*.eml 2>/dev/null | head -1)
check "it got the message on stdin" grep -q '^Subject: .*one' "$f"
check "... and -i -f SENDER -- RECIPIENT" \
    grep -q -- '^-i -f .* -- ann@customer.example$' "$T"/args.*

echo nouser >"$T/mode"
newticket bob@customer.example two
"$B/postdesk-notify" --once 2>"$T/n2.log"
check "exit 67 (no such user) fails the mail" \
    test "$(row_of bob@customer.example)" = "failed 1"

echo hang >"$T/mode"
newticket cy@customer.example three
start=$(date +%s)
"$B/postdesk-notify" --once 2>"$T/n3.log"
rc=$?
took=$(($(date +%s) - start))
check "a hanging command: notify ends (exit $rc) within the timeout and a margin (${took} s)" \
    test "$took" -le 30
cy=$(row_of cy@customer.example)
check "... the mail is kept to try again ($cy)" test "${cy%% *}" = pending
check "... the reason says so" test -n "$(sqlq "$DB" \
    "SELECT 1 FROM outbox WHERE recipients = 'cy@customer.example' AND last_error LIKE '%no answer within 3 s%'")"
pid=$(cat "$T/hang.pid" 2>/dev/null)
check "... and the command was stopped" sh -c "[ -n '$pid' ] && ! kill -0 '$pid' 2>/dev/null"

echo take >"$T/mode"
newticket dee@customer.example four
"$B/postdesk-notify" --once 2>"$T/n4a.log"
echo deaf >"$T/mode"
# A reply larger than a pipe's buffer: writing it to a command that has
# exited without reading is sure to meet a closed pipe.
id=$(sqlq "$DB" "SELECT ticket_id FROM messages WHERE message_id = 'four@customer.example'")
i=0
while [ $i -lt 2000 ]; do printf 'line %04d of a long answer, to fill the pipe\n' $i; i=$((i + 1)); done |
    "$B/postdesk" reply "$id" --from staff@example.com >/dev/null
"$B/postdesk-notify" --once 2>"$T/n4.log"
rc=$?
check "a command that exits without reading: notify lives (exit $rc), mail kept" \
    sh -c "[ $rc -lt 128 ] && [ '$(sqlq "$DB" "SELECT status FROM outbox WHERE recipients = 'dee@customer.example' AND status != 'sent'")' = pending ]"
