#!/bin/sh
# X-Cart's "Edit self profile" can "turn on/off email notifications"
# (issue 14, the reference-rules table): Notifications: off by mail,
# decided by the change-address row of the permission table (her own
# setting, so proof of sender is needed), makes postdesk-notify skip
# her automatic notices (acknowledgement, closed notice): each such row
# is cancelled with the reason and a mail-skipped event, and no mail
# leaves.  What she must get still goes: staff answers, the command
# transcript.  Staff notices are not hers to switch off.
# Notifications: on brings them back.  postdesk-ingest and
# postdesk-notify against an aiosmtpd sink.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..19"
PORT=$(free_port)
start_sink sink "$PORT"
nl_pg_start	# before the pipe into mkconf, a subshell
printf '[staff]\naddresses = bob@staff.example.com\n[auth]\n%s\n' \
    'spf_local_records = staff.example.com v=spf1 ip4:192.0.2.0/24 -all; shop.example v=spf1 ip4:198.51.100.0/24 -all' |
    mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com "$PORT"
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null
q() { sqlq "$DB" "$1"; }
send() {	# send FROM CLIENT-IP SUBJECT BODY
	mail "$1" support@example.com "$3" "$4" >"$T/m.eml"
	"$B/postdesk-ingest" --sender "$1" --client-ip "$2" \
	    --recipient support@example.com <"$T/m.eml"
}
notify() { "$B/postdesk-notify" --once >/dev/null 2>&1; }
# Delivered mails to ADDR (as the sink got them).
to_count() {
	grep -il "^X-Envelope-To: $1" "$T"/sink/*.eml 2>/dev/null | wc -l
}
# The outbox status of the last row of TEMPLATE to ADDR.
row() {
	q "SELECT status FROM outbox WHERE template = '$1' AND recipients = '$2' ORDER BY id DESC LIMIT 1"
}
off() { q "SELECT CASE WHEN notifications_off > 0 THEN 1 ELSE 0 END FROM contacts WHERE address = 'alice@shop.example'"; }

send alice@shop.example 198.51.100.7 "Printer" "The printer is on fire."
notify
check "notifications on: her acknowledgement is sent" \
    test "$(row new-ticket alice@shop.example)" = sent

# Without proof of sender, her setting does not change.
send alice@shop.example 203.0.113.9 "Re: [Support #1] Printer" "Notifications: off"
check "an unverified Notifications: off is refused, nothing changes" test \
    "$(q "SELECT count(*) FROM events WHERE kind = 'command-refused' AND detail LIKE 'Notifications: off — %'"):$(q "SELECT count(*) FROM contacts WHERE notifications_off <> 0")" = 1:0
send alice@shop.example 198.51.100.7 "Re: [Support #1] Printer" "Notifications: maybe"
check "a value that is neither off nor on is refused, saying so" test \
    "$(q "SELECT count(*) FROM events WHERE kind = 'command-refused' AND detail LIKE 'Notifications: maybe — expected \"Notifications: off\" or \"Notifications: on\"%'")" = 1

notify
before=$(to_count alice@shop.example)
send alice@shop.example 198.51.100.7 "Re: [Support #1] Printer" \
    "notifications: OFF\n\nPlease stop the automatic mail."
check "verified Notifications: off is applied (any case), with its event" test \
    "$(off):$(q "SELECT count(*) FROM events WHERE kind = 'command' AND detail LIKE 'notifications: OFF — notifications about your tickets are off%'")" = 1:1
notify
check "... and its transcript still reaches her (a mail she must get)" sh -c \
    "[ '$(row command-transcript alice@shop.example)' = sent ] && [ $(to_count alice@shop.example) = $((before + 1)) ]"

before=$(to_count alice@shop.example)
bob_before=$(to_count bob@staff.example.com)
send alice@shop.example 198.51.100.7 "Scanner" "The scanner is on fire too."
check "a new ticket still queues her acknowledgement" \
    test "$(row new-ticket alice@shop.example)" = pending
notify
check "postdesk-notify skips it: cancelled, with the reason" test \
    "$(q "SELECT status || ':' || last_error FROM outbox WHERE template = 'new-ticket' AND ticket_id = 2")" = \
    "cancelled:not sent: the recipient switched her notifications off (Notifications: off)"
check "... a mail-skipped event on the ticket" test \
    "$(q "SELECT count(*) FROM events WHERE ticket_id = 2 AND kind = 'mail-skipped' AND actor = 'postdesk-notify'")" = 1
check "... no mail to her, and no stored outbound message for it" test \
    "$(to_count alice@shop.example):$(q "SELECT count(*) FROM messages WHERE ticket_id = 2 AND direction = 'out' AND to_addrs LIKE '%alice@%'")" = "$before:0"
check "staff are still notified of her new ticket" \
    test "$(to_count bob@staff.example.com)" -gt "$bob_before"

# A staff answer is not a notification: it reaches her.
mail bob@staff.example.com support@example.com "Re: [Support #2] Scanner" \
    "Unplug it." >"$T/s.eml"
"$B/postdesk-ingest" --sender bob@staff.example.com --client-ip 192.0.2.5 \
    --recipient support@example.com <"$T/s.eml"
notify
check "a staff reply is delivered although her notifications are off" \
    test "$(q "SELECT status FROM outbox WHERE kind = 'reply' AND ticket_id = 2")" = sent
before=$(to_count alice@shop.example)
"$B/postdesk" status 2 closed >/dev/null
notify
check "the closed notice is skipped" \
    test "$(row closed alice@shop.example)" = cancelled
check "... no mail to her" test "$(to_count alice@shop.example)" = "$before"
notify
check "notify --once again changes nothing (the row stays cancelled)" test \
    "$(q "SELECT count(*) FROM events WHERE kind = 'mail-skipped'")" = 2

# Redelivery of the same message changes nothing.
"$B/postdesk-ingest" --sender alice@shop.example --client-ip 198.51.100.7 \
    --recipient support@example.com <"$T/m.eml"
check "a redelivered message adds no second acknowledgement row" \
    test "$(q "SELECT count(*) FROM outbox WHERE template = 'new-ticket' AND ticket_id = 2")" = 1

send alice@shop.example 198.51.100.7 "Re: [Support #1] Printer" "Notifications: on"
check "Notifications: on switches them back on" test "$(off)" = 0
notify
before=$(to_count alice@shop.example)
"$B/postdesk" status 1 closed >/dev/null
notify
check "... and the closed notice of ticket 1 is sent again" sh -c \
    "[ '$(row closed alice@shop.example)' = sent ] && [ $(to_count alice@shop.example) = $((before + 1)) ]"
check "postdesk-notify's man page says what Notifications: off skips" \
    grep -q 'Notifications: off' "$S/src/postdesk-notify.8"
check "postdesk-templates(5) lists the mails she gets anyway" \
    grep -q 'Notifications: off' "$S/src/postdesk-templates.5"
