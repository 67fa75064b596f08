#!/bin/sh
# End to end through a real MTA: a throw-away Postfix instance (its own
# config, queue and data directories under a temp dir, smtpd on a free
# loopback port) pipes mail into the freshly built postdesk-ingest, the
# way contrib/mta/postfix-*.cf tell an admin to.  Mail goes in over SMTP
# with swaks; the database is checked with the postdesk CLI.
#
#   new message          -> new ticket
#   reply, In-Reply-To   -> same ticket (rule references)
#   reply, [Support #N]  -> same ticket (rule subject-tag)
#   database read-only   -> exit 75, Postfix defers, retries, delivers
#   over max_message_size-> exit 65, Postfix bounces, sender gets a DSN
#   a DSN to bounces+N@  -> reaches postdesk, marks outbox row N failed
#   other@ the domain    -> refused at RCPT time (550)
# The Postfix snippets are the shipped ones, ingest runs as the user
# postdesk, and "postdesk init" runs as root the way an admin types it.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else not_ok "$desc"; fi; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

. "$top_srcdir/tests/integration/lib-postfix.sh"
pf_require

echo "1..31"

T=$(mktemp -d /tmp/postdesk-postfix.XXXXXX)
cleanup() {
	pf_stop
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pf_setup

cat > "$T/postdesk.conf" <<EOF
[store]
path = $T/db/postdesk.db
[mail]
address = support@helpdesk.test
subject_tag = Support
host = helpdesk.test
max_message_size = 20K
[staff]
addresses = staff@helpdesk.test
[auth]
# A local record, so that no DNS is asked; the loopback client gets
# "none" all the same.
spf_local_records = customer.test v=spf1 ip4:127.0.0.1 -all
[rules]
scripts = $T/rules.sieve
[web]
base_url = https://helpdesk.test/postdesk
EOF
echo 'keep;' > "$T/rules.sieve"
chmod 0644 "$T/postdesk.conf"
export POSTDESK_CONFIG="$T/postdesk.conf"
PD="$T/bin/postdesk"

# As root, the way an admin types it: postdesk becomes the owner of the
# state directory (postdesk) before it creates anything there.
"$PD" init >/dev/null
check "postdesk init (run as root) made the test database" \
    test -f "$T/db/postdesk.db"
check "nothing in the state directory is root's: $(stat -c '%U:%G' "$T/db"/*)" \
    test -z "$(find "$T/db" ! -user postdesk)"
check "the database is 0660 (umask 007): $(stat -c '%a' "$T/db/postdesk.db")" \
    test "$(stat -c '%a' "$T/db/postdesk.db")" = 660
# The CLI as root, now with -wal and -shm possibly present: still
# nothing root-owned afterwards.
"$PD" list >/dev/null
check "a CLI command as root leaves nothing root-owned either" \
    test -z "$(find "$T/db" ! -user postdesk)"
pd() { as_pipe_user "$PD" "$@"; }

pf_check
pf_start || exit 1

ticket_count() {
	pd list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
thread_len() {
	pd show "$1" --json 2>/dev/null |
	    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["thread"]))'
}
thread_is() {
	[ "$(thread_len "$1")" = "$2" ]
}

cat > "$T/m1.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: support@helpdesk.test
Subject: Printer on fire
Message-ID: <m1.alice@customer.test>
Date: Mon, 23 Nov 2026 10:00:00 +0000

Hello, the printer in room 4 is on fire again.
EOF

cat > "$T/m2.eml" <<'EOF'
From: Alice Customer <alice@customer.test>
To: support@helpdesk.test
Subject: Re: Printer on fire
Message-ID: <m2.alice@customer.test>
In-Reply-To: <m1.alice@customer.test>
References: <m1.alice@customer.test>
Date: Mon, 23 Nov 2026 10:05:00 +0000

It is spreading to the scanner.

On Mon, 23 Nov 2026, Alice Customer wrote:
> Hello, the printer in room 4 is on fire again.
EOF

send "$T/m1.eml" alice@customer.test
if wait_for 150 log_has_n 'status=sent (delivered via postdesk service)' 1; then
	ok "new message delivered through the postdesk pipe service"
else
	not_ok "new message delivered through the postdesk pipe service"
	diag "$(tail -20 "$T/maillog")"
fi
check "a new message opened ticket 1" test "$(ticket_count)" = 1
pd show 1 --json >"$T/t1.json" 2>/dev/null
# What the pipe service passed: ${sender}, ${recipient}, ${client_address}.
# The client is loopback, which SPF cannot vouch for (auth.h): none,
# even though the record lists 127.0.0.1.
envelope=$(as_pipe_user sqlite3 "$T/db/postdesk.db" "SELECT envelope_from, envelope_to,
    client_ip, spf FROM messages WHERE message_id = 'm1.alice@customer.test'")
check "pipe passed sender, recipient and client IP (SPF none): $envelope" \
    test "$envelope" = "alice@customer.test|support@helpdesk.test|127.0.0.1|none"
check "ticket 1: requester and subject from the message" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
assert t["requester"] == "alice@customer.test", t["requester"]
assert t["subject"] == "Printer on fire", t["subject"]
assert t["thread"][0]["message_id"] == "m1.alice@customer.test"
' "$T/t1.json"

send "$T/m2.eml" alice@customer.test
wait_for 150 thread_is 1 2
check "reply with In-Reply-To joined ticket 1 (still one ticket)" \
    test "$(thread_len 1)-$(ticket_count)" = "2-1"

cat > "$T/m3.eml" <<'EOF'
From: alice@customer.test
To: support@helpdesk.test
Subject: [Support #1] fire is out
Message-ID: <m3.alice@customer.test>
Date: Mon, 23 Nov 2026 11:00:00 +0000

Never mind, the fire brigade was here.
EOF
send "$T/m3.eml" alice@customer.test
wait_for 150 thread_is 1 3
check "reply tagged [Support #1] joined ticket 1 (still one ticket)" \
    test "$(thread_len 1)-$(ticket_count)" = "3-1"
pd show 1 --json >"$T/t1.json" 2>/dev/null
check "events name the rules: references, then subject-tag" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
why = [e["detail"] for e in t["events"] if e["kind"] == "thread"]
assert len(why) == 3, why
assert why[1].startswith("references"), why
assert why[2].startswith("subject-tag"), why
' "$T/t1.json"

# The raw message is what Postfix piped: the original plus Return-Path
# (flags=R) and Postfix's Received: header.
pd raw m3.alice@customer.test >"$T/raw3" 2>/dev/null
check "stored raw message has Return-Path (flags=R) and the original body" \
    sh -c "grep -q '^Return-Path: <alice@customer.test>' '$T/raw3' &&
	grep -q '^Received: from client.customer.test' '$T/raw3' &&
	grep -q '^Never mind, the fire brigade was here.\$' '$T/raw3'"

# Transient failure: the database file is read-only for the pipe's
# user (its directory stays writable, as an admin's stray chmod leaves
# it).  postdesk-ingest exits 75, Postfix defers and retries; once the
# file is writable again the message arrives, exactly once.  SQLite
# falls back to read-only without a word, and a read would then create
# -shm with the file's mode 0444, which blocked every later delivery:
# ingest must refuse before it reads.  `postdesk init` first folds in
# the WAL ingest leaves, so no -wal or -shm exists beforehand.
pd init >/dev/null 2>&1
check "before the fault the state directory holds no -wal or -shm" \
    sh -c "! ls '$T/db' | grep -q -e '-wal\$' -e '-shm\$'"
chmod 0444 "$T/db/postdesk.db"
cat > "$T/m4.eml" <<'EOF'
From: Bob Other <bob@customer.test>
To: support+sales@helpdesk.test
Subject: Quote for 20 printers
Message-ID: <m4.bob@customer.test>
Date: Mon, 23 Nov 2026 12:00:00 +0000

Please send a quote.
EOF
send "$T/m4.eml" bob@customer.test support+sales@helpdesk.test
if wait_for 600 log_has_n 'status=deferred (temporary failure' 1; then
	ok "read-only database: exit 75, Postfix deferred the message"
else
	not_ok "read-only database: exit 75, Postfix deferred the message"
	diag "$(tail -10 "$T/maillog")"
fi
# Checked as root, who reads any mode: ingest left nothing the pipe's
# user cannot write.  (The read below, as the pipe's user, does create
# -shm 0444, as any SQLite reader does; the next writer gives it the
# database's mode back, which the retry then proves.)
unwritable_wal() { find "$T/db" -name 'postdesk.db-*' ! -perm -0660; }
check "ingest left no -wal or -shm with the read-only mode" \
    test -z "$(unwritable_wal)"
check "nothing was written while deferred" test "$(ticket_count)" = 1
check "the deferral names the file, its owner and mode, and the user" \
    grep -q "postdesk.db is owned by postdesk:postdesk, mode 0444, and this program runs as postdesk" "$T/maillog"
chmod 0660 "$T/db/postdesk.db"
# The admin's nudge after a fix: deliver the deferred mail now.  Postfix
# would retry on its own schedule too (backoff 1-2 s, a queue run each
# second), which under load can take well over 15 s; the waits allow
# 60 s.
pf_flush
ticket_count_is() { [ "$(ticket_count)" = "$1" ]; }
if wait_for 600 ticket_count_is 2; then
	ok "after the fix Postfix retried: the message became ticket 2"
else
	not_ok "after the fix Postfix retried: the message became ticket 2"
	diag "$(date '+%T'): $(ls -la "$T/db" | tr '\n' ' ')"
	diag "$(grep -e m4.bob -e support+sales "$T/maillog" | tail -6)"
	diag "$(tail -6 "$T/maillog")"
fi
pd show 2 --json >"$T/t2.json" 2>/dev/null
check "ticket 2 belongs to bob, its message stored once" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))
assert t["requester"] == "bob@customer.test", t["requester"]
assert len(t["thread"]) == 1, t["thread"]
' "$T/t2.json"

# A broken rules script: with --tempfail-config (as the shipped snippet
# has it) ingest exits 75, so Postfix holds the mail instead of bouncing
# it; once the script is fixed the mail arrives.
printf 'if header :bogus "x" { keep; }\n' > "$T/rules.sieve"
cat > "$T/m4b.eml" <<'EOF'
From: Bob Other <bob@customer.test>
To: support@helpdesk.test
Subject: Another question
Message-ID: <m4b.bob@customer.test>
Date: Mon, 23 Nov 2026 12:05:00 +0000

Is the shop open on Sunday?
EOF
send "$T/m4b.eml" bob@customer.test support@helpdesk.test
# m4b's own deferral (to support@): m4's (to support+sales@) may
# have been deferred twice before its fix, under load.
if wait_for 600 log_has_n 'to=<support@helpdesk.test>.*status=deferred (temporary failure' 1; then
	ok "broken rules: exit 75 with --tempfail-config, Postfix deferred"
else
	not_ok "broken rules: exit 75 with --tempfail-config, Postfix deferred"
	diag "$(tail -10 "$T/maillog")"
fi
check "the log names the script, line and column" \
    grep -q 'rules.sieve:1:[0-9]' "$T/maillog"
echo 'keep;' > "$T/rules.sieve"
pf_flush
wait_for 600 ticket_count_is 3
check "after the fix the held message became ticket 3" \
    test "$(ticket_count)" = 3

# Too large: over max_message_size (20K) but under Postfix's limit.
{
	printf 'From: alice@customer.test\nTo: support@helpdesk.test\n'
	printf 'Subject: huge log file\nMessage-ID: <m5.alice@customer.test>\n\n'
	i=0
	while [ $i -lt 600 ]; do
		echo "log line $i: the quick brown fox jumps over the lazy dog"
		i=$((i + 1))
	done
} > "$T/m5.eml"
send "$T/m5.eml" alice@customer.test
dsn_arrived() { grep -l 'multipart/report' "$T/sink/"* >/dev/null 2>&1; }
if wait_for 150 log_has_n 'status=bounced' 1 &&
    grep 'status=bounced' "$T/maillog" | grep -q 'larger than'; then
	ok "too large: exit 65, Postfix bounced with postdesk's reason"
else
	not_ok "too large: exit 65, Postfix bounced with postdesk's reason"
	diag "$(tail -10 "$T/maillog")"
fi
if wait_for 150 dsn_arrived &&
    grep -q 'm5.alice@customer.test\|huge log file' "$T/sink/"* &&
    grep -q 'larger than' "$T/sink/"*; then
	ok "the sender got a DSN naming the message and the reason"
else
	not_ok "the sender got a DSN naming the message and the reason"
	diag "$(ls -l "$T/sink")"
fi
check "the bounced message made no ticket" test "$(ticket_count)" = 3

# Bounces: postdesk's outgoing mail has the return path bounces+N@; a
# DSN to it must reach postdesk through the shipped snippet (no "User
# unknown") and mark outbox row N.
row=$(as_pipe_user sqlite3 -cmd ".timeout 5000" "$T/db/postdesk.db" \
    "SELECT min(id) FROM outbox WHERE ticket_id = 1")
cat > "$T/dsn.eml" <<EOF
From: MAILER-DAEMON@customer.test
To: bounces+$row@helpdesk.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@customer.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.test

Final-Recipient: rfc822; alice@customer.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown

--B--
EOF
send "$T/dsn.eml" '<>' "bounces+$row@helpdesk.test"
row_failed() {
	[ "$(as_pipe_user sqlite3 -cmd ".timeout 5000" "$T/db/postdesk.db" \
	    "SELECT status FROM outbox WHERE id = $row")" = failed ]
}
if wait_for 150 row_failed; then
	ok "a DSN to bounces+$row@ reached postdesk and failed outbox row $row"
else
	not_ok "a DSN to bounces+$row@ reached postdesk and failed outbox row $row"
	diag "$(grep bounces "$T/maillog" | tail -5)"
fi
check "the DSN went through the postdesk service" \
    grep -q "to=<bounces+$row@helpdesk.test>.*status=sent (delivered via postdesk service)" "$T/maillog"
check "the DSN opened no ticket" test "$(ticket_count)" = 3

# Every other local part of the postdesk domain is refused at RCPT.
swaks --server "127.0.0.1:$PF_PORT" --from alice@customer.test \
    --to other@helpdesk.test --quit-after RCPT >"$T/swaks.out" 2>&1
check "other@helpdesk.test is refused at RCPT (550)" \
    grep -q '<\*\* *550' "$T/swaks.out"

[ $failed -eq 0 ] || diag "maillog:" "$(cat "$T/maillog")"
exit 0
