#!/bin/sh
# Issue 15 item 6: a reply that arrives before its original.  Delivered
# through postdesk-ingest as the pipe user (postdesk): the original
# joins the ticket its early reply opened (rule referenced-by), and when
# the original itself belongs to an older ticket, the reply's ticket is
# merged into that one, with a "merged" event in both.  A stranger whose
# message carries a Message-ID named by a reply does not get in.  And
# "postdesk import" of an mbox whose file order is reply-first gives one
# ticket whose requester is the original's sender (it sorts by Date:).
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-postfix.sh"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP runs ingest as postdesk: needs root"; exit 0; }
command -v runuser >/dev/null || { echo "1..0 # SKIP runuser not installed"; exit 0; }
command -v sqlite3 >/dev/null || { echo "1..0 # SKIP sqlite3 not installed"; exit 0; }
pd_user_require || { echo "1..0 # SKIP no user postdesk"; exit 0; }
plan 23
diag() { printf '# %s\n' "$@"; }

# The permission model's state directory, binaries reachable by postdesk.
chmod 0755 "$T"
mkdir -p "$T/db" "$T/bin"
chown postdesk:postdesk "$T/db"
chmod 2770 "$T/db"
cp "$PD_INGEST" "$PD" "$T/bin/"
_pg_ensure	# POSTDESK_TEST_STORE=postgresql: lib.sh's throw-away server
cat >"$T/postdesk.conf" <<CONF
[store]
path = $T/db/postdesk.db
$(_pg_store && echo "url = $PG_CONNINFO")
[mail]
address = support@helpdesk.example
host = helpdesk.example
[staff]
addresses = staff@helpdesk.example
CONF
chmod 0644 "$T/postdesk.conf"
export POSTDESK_CONFIG="$T/postdesk.conf"
"$T/bin/postdesk" init >/dev/null
DB=$T/db/postdesk.db
# As the store's user, so no -shm/-wal is left that postdesk cannot write.
sql() {
	if _pg_store; then
		runuser -u postgres -- psql -X -q -A -t -v ON_ERROR_STOP=1 \
		    -h "$PG_SOCK" -p "$PG_PORT" -d postdesk -c "$*"
	else
		as_pipe_user sqlite3 -batch -noheader -cmd ".timeout 5000" \
		    "$DB" "$@"
	fi
}
# A new empty store: a new file, or a new database on the server.
fresh_store() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
	_pg_ensure
	"$T/bin/postdesk" init >/dev/null
}

# msg FILE FROM MESSAGE-ID DATE SUBJECT [IN-REPLY-TO [REFERENCES]]
msg() {
	{
		printf 'From: %s\nTo: support@helpdesk.example\n' "$2"
		printf 'Subject: %s\nDate: %s\nMessage-ID: <%s>\n' "$5" "$4" "$3"
		[ -n "${6:-}" ] && printf 'In-Reply-To: <%s>\n' "$6"
		[ -n "${7:-}" ] && printf 'References: %s\n' "$7"
		printf '\nBody of %s.\n' "$3"
	} >"$1"
}
# ingest FILE [--explain]: as the pipe user, like the MTA.
ingest() {
	as_pipe_user "$T/bin/postdesk-ingest" --config "$T/postdesk.conf" \
	    --sender "$(sed -n 's/^From: //p' "$1")" \
	    --recipient support@helpdesk.example ${2:-} <"$1" >"$T/out" 2>&1
}
ticket_of() { sql "SELECT ticket_id FROM messages WHERE message_id = '$1'"; }
# Tickets that hold messages (a merged ticket is left empty).
live_tickets() { sql "SELECT count(DISTINCT ticket_id) FROM messages"; }

# --- 1. the reply first, then its original: one ticket -----------------
A=alice@customer.example
msg "$T/orig" $A orig1@customer.example "Mon, 30 Nov 2026 09:00:00 +0000" \
    "Printer on fire"
msg "$T/reply" $A reply1@customer.example "Mon, 30 Nov 2026 09:05:00 +0000" \
    "Re: Printer on fire" orig1@customer.example "<orig1@customer.example>"
ingest "$T/reply"
check_eq "the reply, delivered first, is taken in (exit 0)" 0 $?
check_eq "it opened a ticket of its own" 1 "$(live_tickets)"
ingest "$T/orig" --explain
grep -q "thread: rule referenced-by .*reply1@customer.example names ticket #1" "$T/out"
ok $? "--explain of the original: rule referenced-by, ticket #1"
[ "$(sql "SELECT count(*) FROM messages")" = 1 ]
ok $? "--explain wrote nothing"
ingest "$T/orig"
check_eq "the original is taken in (exit 0)" 0 $?
check_eq "one ticket holds both" "1 1 1" \
    "$(live_tickets) $(ticket_of orig1@customer.example) $(ticket_of reply1@customer.example)"
sql "SELECT detail FROM events WHERE kind = 'thread' AND message_row = (SELECT id FROM messages WHERE message_id = 'orig1@customer.example')" |
    grep -q "^referenced-by "
ok $? "the thread event names the rule referenced-by"
ingest "$T/orig"
check_eq "redelivering the original changes nothing" "0 1 2" \
    "$? $(live_tickets) $(sql "SELECT count(*) FROM messages")"

# --- 2. the original belongs to an older ticket: the two merge ---------
# b0 opens ticket #2.  b1 answers it; b2 answers b1 with only an
# In-Reply-To (as some clients write) and arrives before b1.
msg "$T/b0" $A b0@customer.example "Tue, 01 Dec 2026 08:00:00 +0000" "Scanner"
msg "$T/b1" $A b1@customer.example "Tue, 01 Dec 2026 09:00:00 +0000" \
    "Re: Scanner" b0@customer.example "<b0@customer.example>"
msg "$T/b2" $A b2@customer.example "Tue, 01 Dec 2026 09:10:00 +0000" \
    "Re: Scanner" b1@customer.example
ingest "$T/b0" && ingest "$T/b2"
check_eq "b0 and the early b2 open tickets #2 and #3" "2 3" \
    "$(ticket_of b0@customer.example) $(ticket_of b2@customer.example)"
ingest "$T/b1" --explain
grep -q "^thread: rule references .*referenced-by <b2@customer.example> in ticket #3 names this message: merged into #2" "$T/out"
ok $? "--explain of b1: joins #2 by references and would merge #3"
ingest "$T/b1"
check_eq "b1 is taken in (exit 0)" 0 $?
check_eq "b0, b1 and b2 are all in ticket #2" "2 2 2" \
    "$(ticket_of b0@customer.example) $(ticket_of b1@customer.example) $(ticket_of b2@customer.example)"
check_eq "ticket #3 was merged into #2 and is linked to it" "2|2" \
    "$(sql "SELECT merged_into, linked_to FROM tickets WHERE id = 3" | tr -d '\n')"
check_eq "a merged event naming the rule in both tickets" "2 3" \
    "$(sql "SELECT ticket_id FROM events WHERE kind = 'merged' AND detail LIKE 'referenced-by <b2@customer.example> in ticket #3 names this message: merged into #2%' ORDER BY ticket_id" | tr '\n' ' ' | sed 's/ $//')"
check_eq "postdesk list shows two tickets, not the merged one" 2 \
    "$("$T/bin/postdesk" list | grep -c '^ *[0-9][0-9]*  ')"
# Mail that names the merged ticket goes where it went.
printf 'From: %s\nTo: support@helpdesk.example\nSubject: Re: [Support #3] Scanner\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <b3@customer.example>\n\nStill broken.\n' $A >"$T/b3"
ingest "$T/b3"
check_eq "a reply tagged [Support #3] joins #2" "0 2" \
    "$? $(ticket_of b3@customer.example)"

# --- 3. a stranger cannot walk in by a Message-ID a reply names --------
msg "$T/c1" $A c1@customer.example "Wed, 02 Dec 2026 09:05:00 +0000" \
    "Re: Invoice" c0@customer.example "<c0@customer.example>"
msg "$T/c0" mallory@evil.example c0@customer.example \
    "Wed, 02 Dec 2026 09:00:00 +0000" "Invoice"
ingest "$T/c1" && ingest "$T/c0"
t1=$(ticket_of c1@customer.example)
t0=$(ticket_of c0@customer.example)
check_eq "the stranger's message gets a new ticket linked to the reply's" \
    "$t1" "$([ "$t0" != "$t1" ] && sql "SELECT linked_to FROM tickets WHERE id = $t0")"

# --- 4. postdesk import: an mbox filed reply-first ----------------------
fresh_store
msg "$T/d1" staff@helpdesk.example d1@helpdesk.example \
    "Thu, 03 Dec 2026 10:00:00 +0000" "Re: Login fails" \
    d0@customer.example "<d0@customer.example>"
msg "$T/d0" bob@customer.example d0@customer.example \
    "Thu, 03 Dec 2026 09:00:00 +0000" "Login fails"
{
	echo "From staff@helpdesk.example Thu Dec  3 10:00:00 2026"
	cat "$T/d1"
	echo
	echo "From bob@customer.example Thu Dec  3 09:00:00 2026"
	cat "$T/d0"
	echo
} >"$T/import.mbox"
chmod 0644 "$T/import.mbox"
"$T/bin/postdesk" import mbox --no-progress "$T/import.mbox" >"$T/out" 2>&1
check_eq "import of the reply-first mbox succeeds" 0 $?
check_eq "one ticket holds both messages" "1 1 1" \
    "$(live_tickets) $(ticket_of d0@customer.example) $(ticket_of d1@helpdesk.example)"
check_eq "the original's sender is the requester" bob@customer.example \
    "$(sql "SELECT requester FROM tickets WHERE id = 1")"
check_eq "the original is the ticket's first message" d0@customer.example \
    "$(sql "SELECT message_id FROM messages WHERE ticket_id = 1 ORDER BY id LIMIT 1")"
check_eq "the staff reply joined by its References" references \
    "$(sql "SELECT detail FROM events WHERE kind = 'thread' AND message_row = (SELECT id FROM messages WHERE message_id = 'd1@helpdesk.example')" | cut -d' ' -f1)"
# The same for a Maildir whose file names put the reply first.
fresh_store
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
cp "$T/d1" "$T/md/cur/1000.a.host:2,S"
cp "$T/d0" "$T/md/cur/2000.b.host:2,S"
chmod -R a+rX "$T/md"
"$T/bin/postdesk" import maildir --no-progress "$T/md" >"$T/out" 2>&1
check_eq "import of a reply-first Maildir: one ticket, bob the requester" \
    "0 1 bob@customer.example" \
    "$? $(live_tickets) $(sql "SELECT requester FROM tickets WHERE id = 1")"
[ "$_failed" -eq 0 ]
