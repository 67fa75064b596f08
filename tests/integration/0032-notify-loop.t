#!/bin/sh
# Loop safety (RFC 3834): two postdesk instances whose acknowledgements
# would answer each other stop by themselves; robots and bulk mail get
# no acknowledgement; auto_reply_limit caps acknowledgements per hour.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..8"
PORT=$(free_port)
start_sink sink "$PORT"
for x in a b; do
	mkconf "$T/$x.conf" "$T/$x.db" "support@$x.example" "pd.$x.example" "$PORT" <<EOF
auto_reply_limit = 3
[staff]
addresses = staff@$x.example
EOF
	POSTDESK_CONFIG="$T/$x.conf" "$B/postdesk" init >/dev/null
done

# route: deliver mail for support@a/b.example into that instance, like
# an MTA piping to postdesk-ingest; each file once.
route() {
	moved=0
	for f in "$T"/sink/*.eml; do
		[ -e "$f" ] || continue
		grep -q "^$f\$" "$T/routed" 2>/dev/null && continue
		echo "$f" >>"$T/routed"
		rcpt=$(hdr "$f" X-Envelope-To)
		from=$(hdr "$f" X-Envelope-From)
		case $rcpt in
		support*@a.example) x=a ;;
		support*@b.example) x=b ;;
		*) continue ;;
		esac
		undeliver "$f" | POSTDESK_CONFIG="$T/$x.conf" \
		    "$B/postdesk-ingest" --sender "$from" --recipient "$rcpt"
		moved=$((moved + 1))
	done
	echo $moved
}

# Someone at b writes to a from b's support address (a plain mail).
printf 'From: support@b.example\nTo: support@a.example\nSubject: hello from b\nMessage-ID: <start@b.example>\n\nhi\n' |
    POSTDESK_CONFIG="$T/a.conf" "$B/postdesk-ingest" --sender support@b.example
rounds=0
while [ $rounds -lt 10 ]; do
	POSTDESK_CONFIG="$T/a.conf" "$B/postdesk-notify" --once
	POSTDESK_CONFIG="$T/b.conf" "$B/postdesk-notify" --once
	[ "$(route)" = 0 ] && break
	rounds=$((rounds + 1))
done
echo "# rounds until quiet: $rounds"
check "the exchange stops by itself" test $rounds -lt 3
check "a acknowledged once, b never answered the acknowledgement" \
    test "$(sqlq "$T/a.db" "SELECT count(*) FROM outbox WHERE kind='ack'")/$(sqlq "$T/b.db" "SELECT count(*) FROM outbox WHERE kind='ack'")" = 1/0
check "b recorded why it stayed silent" \
    test "$(sqlq "$T/b.db" "SELECT count(*) FROM events WHERE kind='auto-reply-suppressed' AND detail LIKE '%Auto-Submitted%'")" = 1

export POSTDESK_CONFIG="$T/a.conf"
DB=$T/a.db
acks() { sqlq "$DB" "SELECT count(*) FROM outbox WHERE kind='ack'"; }
base=$(acks)
printf 'From: news@list.example\nTo: support@a.example\nSubject: digest\nMessage-ID: <l1@list.example>\nList-Id: <news.list.example>\nPrecedence: list\n\nnews\n' | "$B/postdesk-ingest"
check "no acknowledgement to list mail" test "$(acks)" = "$base"
printf 'From: MAILER-DAEMON@mx.example\nTo: support@a.example\nSubject: failure\nMessage-ID: <md1@mx.example>\n\nbounce\n' | "$B/postdesk-ingest" --sender ''
check "no acknowledgement to a null sender / MAILER-DAEMON" test "$(acks)" = "$base"
printf 'From: support@a.example\nTo: support@a.example\nSubject: self\nMessage-ID: <self1@a.example>\n\nme\n' | "$B/postdesk-ingest"
check "no acknowledgement to our own address" test "$(acks)" = "$base"
i=1
while [ $i -le 6 ]; do
	printf 'From: chatty@c.example\nTo: support@a.example\nSubject: question %d\nMessage-ID: <q%d@c.example>\n\nq\n' $i $i | "$B/postdesk-ingest"
	i=$((i + 1))
done
check "auto_reply_limit: 3 acknowledgements for 6 new tickets in an hour" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE kind='ack' AND recipients='chatty@c.example'")" = 3
check "the others are recorded as suppressed" \
    test "$(sqlq "$DB" "SELECT count(*) FROM events WHERE kind='auto-reply-suppressed' AND detail LIKE 'no acknowledgement to chatty%auto_reply_limit%'")" = 3
