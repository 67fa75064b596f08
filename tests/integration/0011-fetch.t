#!/bin/sh
# postdesk-fetch against a real Dovecot on loopback (IMAP, IMAPS, POP3,
# POP3S with a self-signed certificate made here): messages become
# tickets and replies; the server changes only after the commit (the
# process is stopped between fetch and commit, and between commit and
# flagging); UIDVALIDITY change; failures retried; wrong password,
# untrusted certificate, unreachable server; IDLE in --watch.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
PD="$top_builddir/postdesk"
F="$top_builddir/postdesk-fetch"
T=$(mktemp -d)
WATCH_PID=
. "$top_srcdir/tests/integration/dovecot.sh"
cleanup() {
	[ -n "${KEEP:-}" ] && { dovecot_stop; echo "kept $T" >&2; return; }
	[ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
	dovecot_stop
	rm -rf "$T"
}
trap cleanup EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }
# POSTDESK_TEST_STORE=postgresql: the store is a throw-away server's.
. "$top_srcdir/tests/integration/lib-pg.sh"
pg_store && pg_store_start
q() {
	if pg_store; then pg_store_sql "$T/db.sqlite" "$1"
	else sqlite3 -cmd ".timeout 5000" "$T/db.sqlite" "$1"; fi
}
nmsg() { q "select count(*) from messages"; }
# unseen: in new/, or in cur/ without the S flag (Dovecot moves new mail
# to cur/ when a client looks at the folder)
unseen() { { ls "$MAILDIR/new"; ls "$MAILDIR/cur" | grep -v ':2,.*S'; } | grep -c . ; }
# seen: files in cur/ with the S flag
seen() { ls "$MAILDIR/cur" | grep -c ':2,.*S' ; }

echo "1..34"
if ! command -v dovecot >/dev/null || ! dovecot_start "$T/dc"; then
	i=0; while [ $i -lt 34 ]; do i=$((i + 1));
		echo "ok $i # SKIP dovecot did not start"; done
	exit 0
fi

mail() {	# mail NAME SUBJECT [EXTRA-HEADER]
	{
		printf 'From: Alice <alice@example.org>\nTo: support@example.com\n'
		printf 'Subject: %s\nMessage-ID: <%s@example.org>\n' "$2" "$1"
		printf 'Date: Mon, 01 Jan 2024 10:00:00 +0000\n'
		[ -n "${3:-}" ] && printf '%s\n' "$3"
		printf '\nBody of %s.\n' "$1"
	} | maildir_put "$MAILDIR" "$(date +%s).$1.test"
}

conf() {	# conf FILE [EXTRA-FETCH-LINES]
	cat > "$1" <<CONF
[store]
path = $T/db.sqlite
$(pg_store && pg_store_url "$T/db.sqlite")
[mail]
address = support@example.com
[fetch]
password = s3cret
ca_file = $T/dc/cert.pem
${2:-}
CONF
	chmod 600 "$1"
}
conf "$T/pd.conf"
C="-c $T/pd.conf"
IMAPS="imaps://support@127.0.0.1:$IMAPS_PORT/INBOX"
IMAP="imap://support@127.0.0.1:$IMAP_PORT/INBOX"
$PD $C init >/dev/null

# 1. IMAPS: three messages, one a reply to the first.
mail m1 "Printer broken"
mail m2 "VPN down"
mail m3 "Re: Printer broken" "In-Reply-To: <m1@example.org>"
$F $C "$IMAPS" 2>"$T/err"
rc=$?
check "imaps: exit 0" '[ $rc -eq 0 ]'
check "imaps: 3 messages stored" '[ "$(nmsg)" = 3 ]'
check "imaps: the reply joined ticket 1" \
    '[ "$(q "select ticket_id from messages where message_id = '"'m3@example.org'"'")" = 1 ]'
check "imaps: all three flagged \\Seen after commit" \
    '[ "$(seen)" = 3 ] && [ "$(unseen)" = 0 ]'
check "imaps: last UID remembered" \
    '[ "$(q "select last_uid from fetch_state")" = 3 ]'
$F $C "$IMAPS" 2>/dev/null
check "imaps: a second run adds nothing" '[ "$(nmsg)" = 3 ]'

# 2. Stopped between fetch and commit: nothing stored, nothing flagged.
mail m4 "Crash before commit"
POSTDESK_FETCH_STOP=fetched $F $C "$IMAPS" 2>/dev/null
rc=$?
check "stop after fetch: exit 99 (the test hook)" '[ $rc -eq 99 ]'
check "stop after fetch: nothing stored" '[ "$(nmsg)" = 3 ]'
check "stop after fetch: message still unseen on the server" \
    '[ "$(unseen)" = 1 ] || [ "$(seen)" = 3 ]'
$F $C "$IMAPS" 2>/dev/null
check "next run: stored once and flagged" \
    '[ "$(nmsg)" = 4 ] && [ "$(seen)" = 4 ]'

# 3. Stopped between commit and flagging: stored, owed, not doubled.
mail m5 "Crash after commit"
POSTDESK_FETCH_STOP=committed $F $C "$IMAPS" 2>/dev/null
rc=$?
check "stop after commit: exit 99, message stored" \
    '[ $rc -eq 99 ] && [ "$(nmsg)" = 5 ]'
check "stop after commit: not yet \\Seen, owed in fetch_items" \
    '[ "$(seen)" = 4 ] && [ "$(q "select count(*) from fetch_items where state = '"'pending'"'")" = 1 ]'
$F $C "$IMAPS" 2>/dev/null
check "next run: flagged now, not stored twice" \
    '[ "$(nmsg)" = 5 ] && [ "$(seen)" = 5 ] &&
     [ "$(q "select count(*) from fetch_items")" = 0 ]'

# 4. A message read by a person before postdesk saw it is still taken.
mail m6 "Read in a mail client first"
f=$(ls "$MAILDIR/new")
mv "$MAILDIR/new/$f" "$MAILDIR/cur/$f:2,S"
$F $C "$IMAPS" 2>/dev/null
check "a new but already \\Seen message is taken in (UID above the last)" \
    '[ "$(nmsg)" = 6 ]'

# 5. UIDVALIDITY change: the folder is rebuilt; unseen mail comes in,
# nothing twice.
mail m7 "After the rebuild"
doveadm -c "$T/dc/dovecot.conf" mailbox update -u support \
    --uid-validity 4242 INBOX 2>/dev/null
# Make an old, stored message unseen again as a rebuild would.
old=$(ls "$MAILDIR/cur" | grep m1 | head -n 1)
mv "$MAILDIR/cur/$old" "$MAILDIR/cur/${old%%:2,*}:2,"
$F $C "$IMAPS" 2>"$T/err"
check "uidvalidity change: warned" 'grep -q "UIDVALIDITY changed" "$T/err"'
check "uidvalidity change: new message stored, old one not doubled" \
    '[ "$(nmsg)" = 7 ]'
check "uidvalidity change: state follows the new UIDVALIDITY" \
    '[ "$(q "select uidvalidity from fetch_state where source like '"'imaps:%'"'")" = 4242 ]'

# 6. STARTTLS on imap://, and move_to.
conf "$T/move.conf" "move_to = Archive"
mail m8 "Move me"
$F -c "$T/move.conf" "$IMAP" 2>/dev/null
rc=$?
check "imap+STARTTLS with move_to: exit 0, stored" \
    '[ $rc -eq 0 ] && [ "$(nmsg)" = 8 ]'
check "move_to: the message left INBOX for Archive after commit" \
    '[ "$(unseen)" = 0 ] && [ "$(find "$MAILDIR/.Archive/cur" "$MAILDIR/.Archive/new" -type f | wc -l)" = 1 ]'

# 7. A message intake refuses is recorded and retried; the rest go on.
conf "$T/small.conf"
sed -i 's/^address = .*/&\nmax_message_size = 400/' "$T/small.conf"
mail m9 "Small"
{
	printf 'From: Alice <alice@example.org>\nSubject: Big\nMessage-ID: <m10@example.org>\n\n'
	i=0; while [ $i -lt 40 ]; do echo "a rather long line of text number $i"; i=$((i + 1)); done
} | maildir_put "$MAILDIR" "$(date +%s).m10.test"
$F -c "$T/small.conf" "$IMAPS" 2>"$T/err"
rc=$?
check "too-large message: exit 1 (one failure), the small one stored" \
    '[ $rc -eq 1 ] && [ "$(nmsg)" = 9 ]'
check "too-large message: recorded failed, left unseen" \
    '[ "$(q "select count(*) from fetch_items where state = '"'failed'"'")" = 1 ] && [ "$(unseen)" = 1 ]'
$F $C "$IMAPS" 2>/dev/null
rc=$?
check "retried next run with the limit raised: stored, flagged, exit 0" \
    '[ $rc -eq 0 ] && [ "$(nmsg)" = 10 ] && [ "$(unseen)" = 0 ] &&
     [ "$(q "select count(*) from fetch_items")" = 0 ]'

# 8. Errors: clear message, non-zero exit, no state written.
states=$(q "select count(*) from fetch_state")
conf "$T/wrong.conf"
sed -i 's/s3cret/wrong/' "$T/wrong.conf"
mail m11 "Not yet"
$F -c "$T/wrong.conf" "imaps://support@127.0.0.1:$IMAPS_PORT/Other" 2>"$T/err"
rc=$?
check "wrong password: non-zero exit, says authentication failed" \
    '[ $rc -ne 0 ] && grep -qi "authentication failed" "$T/err"'
check "wrong password: nothing stored, no state" \
    '[ "$(nmsg)" = 10 ] && [ "$(q "select count(*) from fetch_state")" = "$states" ]'
conf "$T/noca.conf"
sed -i '/^ca_file/d' "$T/noca.conf"
# Dovecot's log process writes a session's lines some time after the
# client has gone: wait for the failed login's line before marking where
# the refused attempt's lines begin, then for the refused session's own
# "no auth attempts" line before reading them.
log_wait() {	# log_wait FROM-BYTE PATTERN: up to 20 s
	_i=0
	until tail -c +"$(($1 + 1))" "$T/dc/dovecot.log" | grep -q "$2"; do
		[ $_i -ge 200 ] && return 1
		sleep 0.1; _i=$((_i + 1))
	done
}
log_wait 0 "auth failed"
log_off=$(wc -c < "$T/dc/dovecot.log")
$F -c "$T/noca.conf" "$IMAPS" 2>"$T/err"
rc=$?
check "self-signed certificate without ca_file: refused, non-zero exit" \
    '[ $rc -ne 0 ] && grep -q "certificate not trusted" "$T/err"'
check "refused TLS: no password sent (no login in the server log)" \
    'log_wait $log_off "no auth attempts" &&
    ! tail -c +$((log_off + 1)) "$T/dc/dovecot.log" | grep -q "Login: user=<support>"'
check "refused TLS: nothing stored" '[ "$(nmsg)" = 10 ] && [ "$(unseen)" = 1 ]'
port=$(free_port)
$F $C "imaps://support@127.0.0.1:$port/INBOX" 2>"$T/err"
rc=$?
check "unreachable server: non-zero exit, says cannot connect" \
    '[ $rc -ne 0 ] && grep -q "cannot connect" "$T/err"'
chmod 644 "$T/pd.conf"
$F $C "$IMAPS" 2>"$T/err"
rc=$?
chmod 600 "$T/pd.conf"
check "password in a world-readable config: refused with EX_CONFIG" \
    '[ $rc -eq 78 ] && grep -q "world-readable" "$T/err"'

# 9. POP3S with after = delete; stopped after commit, then finished.
conf "$T/del.conf" "after = delete"
$F -c "$T/del.conf" "pop3s://support@127.0.0.1:$POP3S_PORT" 2>/dev/null
check "pop3s: the pending message taken in" '[ "$(nmsg)" = 11 ]'
check "pop3s delete: the mailbox is empty after QUIT" \
    '[ "$(ls "$MAILDIR/cur" "$MAILDIR/new" | grep -c test)" = 0 ]'
mail m12 "POP crash"
POSTDESK_FETCH_STOP=committed $F -c "$T/del.conf" \
    "pop3://support@127.0.0.1:$POP3_PORT" 2>/dev/null
check "pop3+STLS stopped after commit: stored, still on the server" \
    '[ "$(nmsg)" = 12 ] && [ "$(ls "$MAILDIR/cur" "$MAILDIR/new" | grep -c m12)" = 1 ]'
$F -c "$T/del.conf" "pop3://support@127.0.0.1:$POP3_PORT" 2>/dev/null
check "pop3 next session: deleted without being stored twice" \
    '[ "$(nmsg)" = 12 ] && [ "$(ls "$MAILDIR/cur" "$MAILDIR/new" | grep -c m12)" = 0 ]'

# 10. --watch: IMAP IDLE wakes up for new mail.
$F $C --watch "$IMAPS" 2>/dev/null &
WATCH_PID=$!
# Mail put in before the watcher's IDLE began would prove nothing.
_i=0
until dovecot_idle || [ $_i -ge 200 ]; do sleep 0.1; _i=$((_i + 1)); done
idle=no
dovecot_idle && idle=yes
mail m13 "While watching"
i=0
while [ "$(nmsg)" != 13 ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
check "--watch: in IDLE ($idle), new mail arrives within seconds" \
    '[ $idle = yes ] && [ "$(nmsg)" = 13 ]'
kill "$WATCH_PID"
wait "$WATCH_PID" 2>/dev/null
WATCH_PID=
