#!/bin/sh
# Redelivery changes nothing, whatever intake did with the message
# (issue 15, items 2 and 3).  Ingest runs as the pipe user postdesk.
#   - 4 deliveries of the same non-mail bytes at once: one quarantine
#     row (the check runs inside the write transaction);
#   - a view-only member's message delivered twice (once with an extra
#     Received: line, as another MX path adds) and 4 times at once: one
#     quarantine row, one "refused" event, one refusal mail each;
#   - a stranger refused by [intake] unknown_sender = refuse, twice: one
#     quarantine row, one "refused" event;
#   - a DSN to bounces+N@ delivered twice: one "bounce" event; a delay
#     notice twice: one "bounce-notice" event;
#   - every delivery exits 0, and a replay of a refused entry whose
#     verdict stands keeps it;
#   - the upgrade folds the duplicates older versions left into one.
. "${top_srcdir:-.}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-postfix.sh"

[ "$(id -u)" -eq 0 ] ||
    pf_skip_all "runs ingest as the pipe user postdesk: needs root"
command -v runuser >/dev/null || pf_skip_all "runuser not installed"
command -v sqlite3 >/dev/null || pf_skip_all "sqlite3 not installed"
pd_user_require || pf_skip_all "no user postdesk and cannot create it"
plan 33

chmod 0755 "$T"
mkdir -p "$T/bin" "$T/db" "$T/run"
cp "$PD_INGEST" "$PD" "$T/bin/"
chown postdesk:postdesk "$T/db" "$T/run"
chmod 2770 "$T/db"
DB=$T/db/postdesk.db
# conf NAME DB [extra lines on stdin]: what an admin must set, 0640
# root:postdesk as the package installs it.
conf() {
	{
		printf '[store]\npath = %s\n' "$2"
		printf '[mail]\naddress = support@helpdesk.test\n'
		printf 'host = helpdesk.test\n'
		printf '[web]\nbase_url = https://helpdesk.test/postdesk\n'
		cat
	} >"$T/$1"
	chgrp postdesk "$T/$1"
	chmod 0640 "$T/$1"
}
# secondary members view-only ([roles]; the built-in X-Cart roles give
# them full access)
conf pd.conf "$DB" <<'EOF'
[roles]
primary = all
advanced = create;comment;rate;view
secondary = view
EOF
CONF=$T/pd.conf
pd() { as_pipe_user "$T/bin/postdesk" --config "$CONF" "$@"; }
sql() { as_pipe_user sqlite3 -batch -cmd ".timeout 5000" "$DB" "$@"; }
# ingest FILE [options]: one delivery; the exit status is ingest's.
ingest() {
	f=$1; shift
	as_pipe_user "$T/bin/postdesk-ingest" --config "$CONF" "$@" <"$f"
}
pd init >/dev/null

# --- 4 deliveries at once, lined up behind a held write lock ---------
# A process's current system call, from /proc: a `sleep` (not a wait,
# a process to look at) shows the number of the nanosleep call that
# SQLite's busy handler waits in, whatever the architecture.
syscall_of() { cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null; }
sleep 60 &
REF=$!
at_exit "kill $REF 2>/dev/null"
NANOSLEEP=
i=0
until [ -n "$NANOSLEEP" ] || [ $i -ge 100 ]; do
	[ "$(cut -d' ' -f3 "/proc/$REF/stat")" = S ] &&
	    NANOSLEEP=$(syscall_of "$REF")
	i=$((i + 1))
	[ -n "$NANOSLEEP" ] || sleep 0.05
done
kill "$REF"

hold_lock() {
	rm -f "$T/lock"
	mkfifo "$T/lock"
	as_pipe_user stdbuf -oL sqlite3 "$DB" <"$T/lock" \
	    >"$T/holder.out" 2>&1 &
	HOLDER=$!
	exec 3>"$T/lock"
	echo "BEGIN IMMEDIATE; INSERT INTO events (at, kind)" \
	    "VALUES (0, 'held'); SELECT 'held';" >&3
	i=0
	until grep -q '^held$' "$T/holder.out" || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
release_lock() {
	echo "ROLLBACK;" >&3
	exec 3>&-
	wait "$HOLDER"
}
# waiting PIDFILE: the ingest whose PID it holds waits for the lock
# (it, or the child its watchdog runs the work in).
waiting() {
	[ -s "$1" ] || return 1
	p=$(cat "$1")
	for q in "$p" $(cat "/proc/$p/task/"*/children 2>/dev/null); do
		[ "$(syscall_of "$q")" = "$NANOSLEEP" ] && return 0
	done
	return 1
}
# race4 FILE [options]: 4 deliveries of FILE that all wait for the
# write lock before any may take it; each is then delivered again, as
# an MTA would, until it exits 0.  Sets RACE_RCS (first exit codes).
race4() {
	f=$1; shift
	hold_lock
	for k in 1 2 3 4; do
		rm -f "$T/run/ingest.$k.pid"
		# The shell execs ingest: its PID is the ingest's.
		as_pipe_user sh -c 'echo $$ >"$1"; shift; f=$1; shift;
		    exec "$@" <"$f"' sh "$T/run/ingest.$k.pid" "$f" \
		    "$T/bin/postdesk-ingest" --config "$CONF" "$@" &
		eval "race_pid_$k=\$!"
	done
	i=0
	until { waiting "$T/run/ingest.1.pid" && waiting "$T/run/ingest.2.pid" &&
	    waiting "$T/run/ingest.3.pid" && waiting "$T/run/ingest.4.pid"; } ||
	    [ $i -ge 150 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ $i -lt 150 ] || echo "# not all 4 deliveries reached the lock"
	release_lock
	RACE_RCS=
	for k in 1 2 3 4; do
		eval "wait \$race_pid_$k"
		rc=$?
		RACE_RCS="$RACE_RCS $rc"
		n=0
		while [ $rc -ne 0 ] && [ $n -lt 20 ]; do
			ingest "$f" "$@"
			rc=$?
			n=$((n + 1))
		done
	done
}

GARBAGE=$top_srcdir/tests/data/mail/0038-garbage-binary.eml
SUM=$(sha256sum "$GARBAGE" | cut -d' ' -f1)
race4 "$GARBAGE" --sender junk@example.net
check_eq "4 deliveries of non-mail bytes at once all exit 0" \
    " 0 0 0 0" "$RACE_RCS"
check_eq "... and leave one quarantine row" 1 \
    "$(sql "SELECT count(*) FROM quarantine WHERE raw_sha256 = '$SUM'")"
check_eq "the held lock wrote nothing" 0 \
    "$(sql "SELECT count(*) FROM events WHERE kind = 'held'")"

# --- refused: a view-only member --------------------------------------
pd org add Shop >/dev/null
pd org member add Shop viewer@shop.example secondary >/dev/null
mk_mail() {	# mk_mail FROM MESSAGE-ID FILE
	printf 'From: %s\nTo: support@helpdesk.test\nSubject: Help\n' "$1" \
	    >"$3"
	printf 'Message-ID: <%s>\nDate: Wed, 2 Dec 2026 10:00:00 +0000\n' \
	    "$2" >>"$3"
	printf '\nPlease fix the printer.\n' >>"$3"
}
mk_mail viewer@shop.example v1@shop.example "$T/v1.eml"
# The same message by another path: one more Received: line.
{ printf 'Received: from mx2.shop.example by mx.helpdesk.test\n'
  cat "$T/v1.eml"; } >"$T/v1-again.eml"
ingest "$T/v1.eml" --sender viewer@shop.example
r1=$?
ingest "$T/v1-again.eml" --sender viewer@shop.example
r2=$?
check_eq "a refused message delivered twice exits 0 twice" "0 0" "$r1 $r2"
refused_counts() {	# quarantine rows, refused events, refusal mails
	q=$(sql "SELECT count(*) FROM quarantine WHERE reason LIKE '$1%'")
	e=$(sql "SELECT count(*) FROM events WHERE kind = 'refused' AND
	    detail LIKE '$1%'")
	o=$(sql "SELECT count(*) FROM outbox WHERE template =
	    'view-only-refusal' AND recipients = '$1'")
	echo "$q $e $o"
}
check_eq "one quarantine row, one refused event, one refusal mail" \
    "1 1 1" "$(refused_counts viewer@shop.example)"
check_eq "no ticket for the view-only member" 0 \
    "$(sql "SELECT count(*) FROM tickets")"

as_pipe_user "$T/bin/postdesk-ingest" --config "$CONF" --explain \
    --sender viewer@shop.example <"$T/v1.eml" >"$T/explain.out" 2>&1
check "--explain names the duplicate and what it was" grep -q \
    '^duplicate: already taken in as refused' "$T/explain.out"

# 4 at once, another message of the same member.
pd org member add Shop viewer2@shop.example secondary >/dev/null
mk_mail viewer2@shop.example v2@shop.example "$T/v2.eml"
race4 "$T/v2.eml" --sender viewer2@shop.example
check_eq "4 deliveries of a refused message at once all exit 0" \
    " 0 0 0 0" "$RACE_RCS"
check_eq "... one quarantine row, one refused event, one refusal mail" \
    "1 1 1" "$(refused_counts viewer2@shop.example)"

# A replay of an entry whose verdict stands keeps it, writes nothing.
QID=$(sql "SELECT min(id) FROM quarantine WHERE reason LIKE 'viewer@%'")
pd quarantine replay "$QID" >"$T/replay.out" 2>&1
check_eq "replay of a still-refused entry: 65, kept" 65 $?
check_eq "... nothing written" "1 1 1" \
    "$(refused_counts viewer@shop.example)"
check_eq "... the entry is not marked replayed" "" \
    "$(sql "SELECT replayed_as FROM quarantine WHERE id = $QID")"

# --- refused: a stranger, [intake] unknown_sender = refuse ------------
DB2=$T/db/strict.db
conf strict.conf "$DB2" <<EOF
[intake]
unknown_sender = refuse
EOF
as_pipe_user "$T/bin/postdesk" --config "$T/strict.conf" init >/dev/null
mk_mail stranger@far.example s1@far.example "$T/s1.eml"
for k in 1 2; do
	as_pipe_user "$T/bin/postdesk-ingest" --config "$T/strict.conf" \
	    --sender stranger@far.example <"$T/s1.eml"
	eval "rs$k=\$?"
done
check_eq "a stranger's refused message twice: exit 0 twice" "0 0" \
    "$rs1 $rs2"
check_eq "... one quarantine row, one refused event" "1 1" \
    "$(as_pipe_user sqlite3 -cmd ".timeout 5000" "$DB2" "SELECT
    (SELECT count(*) FROM quarantine), (SELECT count(*) FROM events
    WHERE kind = 'refused')" | tr '|' ' ')"

# --- a DSN to the VERP return path ------------------------------------
mk_mail alice@customer.example a1@customer.example "$T/a1.eml"
ingest "$T/a1.eml" --sender alice@customer.example
check_eq "a customer's message opens ticket 1" 1 \
    "$(sql "SELECT ticket_id FROM messages WHERE
    message_id = 'a1@customer.example'")"
ROW=$(sql "SELECT min(id) FROM outbox WHERE ticket_id = 1")
check "it queued a row to bounce" test -n "$ROW"
dsn() {	# dsn ACTION MESSAGE-ID FILE
	cat >"$3" <<EOF
From: MAILER-DAEMON@mx.customer.example
To: bounces+$ROW@helpdesk.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <$2>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.customer.example

Final-Recipient: rfc822; alice@customer.example
Action: $1
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unknown

--B--
EOF
}
dsn delayed dsn0@mx.customer.example "$T/delay.eml"
for k in 1 2; do
	ingest "$T/delay.eml" --sender '' --recipient "bounces+$ROW@helpdesk.test"
	eval "rd$k=\$?"
done
check_eq "a delay notice twice: exit 0 twice" "0 0" "$rd1 $rd2"
check_eq "... one bounce-notice event" 1 \
    "$(sql "SELECT count(*) FROM events WHERE kind = 'bounce-notice'")"
dsn failed dsn1@mx.customer.example "$T/dsn.eml"
for k in 1 2; do
	ingest "$T/dsn.eml" --sender '' --recipient "bounces+$ROW@helpdesk.test"
	eval "rb$k=\$?"
done
check_eq "a DSN delivered twice: exit 0 twice" "0 0" "$rb1 $rb2"
check_eq "... one bounce event" 1 \
    "$(sql "SELECT count(*) FROM events WHERE kind = 'bounce'")"
check_eq "... the outbox row failed" failed \
    "$(sql "SELECT status FROM outbox WHERE id = $ROW")"
check_eq "the DSNs opened no ticket" 1 "$(sql "SELECT count(*) FROM tickets")"

# --- stored mail stays once, and the store is sound -------------------
ingest "$T/a1.eml" --sender alice@customer.example
check_eq "a stored message delivered again: exit 0" 0 $?
check_eq "... still one message" 1 \
    "$(sql "SELECT count(*) FROM messages")"
mk_mail alice@customer.example a2@customer.example "$T/a2.eml"
race4 "$T/a2.eml" --sender alice@customer.example
check_eq "4 deliveries of a new message at once all exit 0" \
    " 0 0 0 0" "$RACE_RCS"
check_eq "... one message, one more ticket" "1 2" "$(sql "SELECT
    (SELECT count(*) FROM messages WHERE message_id = 'a2@customer.example'),
    (SELECT count(*) FROM tickets)" | tr '|' ' ')"
check_eq "integrity_check ok" ok "$(sql "PRAGMA integrity_check")"

# --- tick forgets what only MTA retries need, after 30 days ----------
seen=$(sql "SELECT count(*) FROM intake_seen")
check "intake remembered the mail it did not store" test "$seen" -gt 0
now=$(date +%s)
pd tick --now $((now + 29 * 86400)) >"$T/tick.out" 2>&1
check_eq "tick 29 days on keeps every record" "$seen" \
    "$(sql "SELECT count(*) FROM intake_seen")"
pd tick --now $((now + 31 * 86400)) >"$T/tick.out" 2>&1
check_eq "tick 31 days on forgets them all" 0 \
    "$(sql "SELECT count(*) FROM intake_seen")"
check "... and says how many" grep -q "forgot $seen intake record" \
    "$T/tick.out"

# --- the upgrade folds the duplicates an older version left -----------
DB3=$T/db/old.db
conf old.conf "$DB3" </dev/null
sha=$(printf 'x' | sha256sum | cut -d' ' -f1)
# A store at schema 11 (before step 11 → 12 made intake_seen), with
# three entries of the same bytes and the refusal mail of the second.
# It comes from a dump, so every later step runs on it as on a site's.
as_pipe_user sqlite3 "$DB3" <"$top_srcdir/tests/data/schema/v11.sql"
as_pipe_user sqlite3 "$DB3" "
    INSERT INTO blobs (sha256, size, data) VALUES ('$sha', 1, 'x');
    INSERT INTO quarantine (id, received, reason, raw_sha256, size)
    VALUES (1, 0, 'r', '$sha', 1), (2, 0, 'r', '$sha', 1),
    (3, 0, 'r', '$sha', 1);
    INSERT INTO outbox (kind, recipients, created, updated, quarantine_id)
    VALUES ('notice', 'v@x', 0, 0, 2);"
as_pipe_user "$T/bin/postdesk" --config "$T/old.conf" init >/dev/null
check_eq "upgrade: one entry left, its refusal mail repointed to it" \
    "1 1" "$(as_pipe_user sqlite3 "$DB3" "SELECT
    (SELECT group_concat(id) FROM quarantine),
    (SELECT quarantine_id FROM outbox)" | tr '|' ' ')"
check_eq "upgrade: foreign keys hold" "" \
    "$(as_pipe_user sqlite3 "$DB3" "PRAGMA foreign_key_check")"
