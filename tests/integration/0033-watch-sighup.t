#!/bin/sh
# SIGHUP makes the --watch daemons read their configuration again:
# postdesk-notify --watch sends through the SMTP server of the new file
# (at once: the HUP ends the poll_interval nap, whose default of 30 s is
# longer than the deadline here), a broken new file is refused, logged
# and the old one kept (the daemon keeps running and sending);
# postdesk-fetch --watch takes mail from the Maildir of the new
# --fetch-config file.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "# T=$T"
NPID='' FPID=''
trap '[ -n "$NPID" ] && kill $NPID 2>/dev/null; [ -n "$FPID" ] && kill $FPID 2>/dev/null; stop_sink a; stop_sink b; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "1..11"
PA=$(free_port)
PB=$(free_port)
start_sink a "$PA"
start_sink b "$PB"
DB=$T/pd.db
# conf PORT: the file as an admin would write it, replaced atomically.
conf() {
	mkconf "$T/new.conf" "$DB" support@example.com pd.example.com "$1" \
	    </dev/null
	mv "$T/new.conf" "$T/pd.conf"
}
conf "$PA"
export POSTDESK_CONFIG="$T/pd.conf"
"$B/postdesk" init >/dev/null

mail() {	# mail N: a new ticket from customer N
	printf 'From: c%d@customer.example\nTo: support@example.com\nSubject: problem %d\nMessage-ID: <m%d@customer.example>\n\nhelp %d\n' \
	    "$1" "$1" "$1" "$1" | "$B/postdesk-ingest" || echo "# ingest $1 failed"
}
# until COUNT-OF-SINK N SECONDS: poll the sink to a deadline
until_mail() {
	i=0
	while [ "$(count_mail "$1")" -lt "$2" ] && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(count_mail "$1")" -eq "$2" ]
}
until_log() {	# until_log FILE PATTERN SECONDS
	i=0
	while ! grep -q "$2" "$1" && [ $i -lt $(($3 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q "$2" "$1"
}

mail 1
"$B/postdesk-notify" --watch --verbose 2>"$T/notify.log" &
NPID=$!
check "notify --watch sends through the configured server" until_mail a 1 10
conf "$PB"
mail 2
kill -HUP $NPID
check "after SIGHUP the new server gets the next mail, without waiting for poll_interval" \
    until_mail b 1 10
check "the old server got nothing more" test "$(count_mail a)" = 1
check "the reload is logged" grep -q "SIGHUP: configuration reloaded" "$T/notify.log"

mail 3
printf '[mail]\naddress = support@example.com\nsubjet_tag = typo\n' >"$T/pd.conf"
kill -HUP $NPID
check "a broken new file is refused and logged, naming the line" \
    until_log "$T/notify.log" "not reloaded, keeping the old one: .*pd.conf:3: .*subjet_tag" 10
check "the old configuration goes on: the next mail reaches the second server" \
    until_mail b 2 10
check "notify is still running" kill -0 $NPID

# postdesk-fetch --watch: the Maildir source comes from the file.
for d in ma mb; do mkdir -p "$T/$d/new" "$T/$d/cur" "$T/$d/tmp"; done
# The shared file, and one mailbox's [fetch] group as the unit
# postdesk-fetch@.service passes it (--fetch-config).
{
	printf '[store]\npath = %s\n' "$DB"
	if nl_pg; then pg_store_url "$DB"; fi
	printf '[mail]\naddress = support@example.com\n[auth]\nspf = false\n'
} >"$T/fmain.conf"
fconf() {	# fconf MAILDIR
	printf '[fetch]\nsources = maildir:%s\n' "$1" >"$T/new.conf"
	mv "$T/new.conf" "$T/fetch.conf"
}
put() {		# put MAILDIR N
	printf 'From: f%d@customer.example\nTo: support@example.com\nSubject: fetched %d\nMessage-ID: <f%d@customer.example>\n\nhello\n' \
	    "$2" "$2" "$2" >"$T/$1/tmp/f$2" && mv "$T/$1/tmp/f$2" "$T/$1/new/f$2"
}
nfetched() { sqlq "$DB" "SELECT count(*) FROM messages WHERE message_id LIKE 'f%@customer.example'"; }
until_fetched() {
	i=0
	while [ "$(nfetched)" -lt "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
	[ "$(nfetched)" -eq "$1" ]
}
fconf "$T/ma"
put ma 1
"$B/postdesk-fetch" --config "$T/fmain.conf" --fetch-config "$T/fetch.conf" \
    --watch --verbose 2>"$T/fetch.log" &
FPID=$!
check "fetch --watch takes mail from the configured Maildir" until_fetched 1 10
fconf "$T/mb"
put mb 2
kill -HUP $FPID
check "after SIGHUP fetch reads the Maildir of the new --fetch-config" until_fetched 2 10
put ma 3
put mb 4
printf '[fetch]\nsources = nosuch:x\n' >"$T/fetch.conf"
kill -HUP $FPID
until_log "$T/fetch.log" "keeping the old one" 10
only_second() {
	until_fetched 3 10 &&
	    test "$(sqlq "$DB" "SELECT count(*) FROM messages WHERE message_id = 'f4@customer.example'")" = 1
}
check "a broken new file is refused and logged; fetch goes on with the old one" \
    grep -q "keeping the old one" "$T/fetch.log"
check "the old file still holds: mail of its Maildir is taken, none of the other" \
    only_second
