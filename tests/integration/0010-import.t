#!/bin/sh
# postdesk import mbox|maildir: From_ unquoting, threading, kept dates,
# the "imported" event, re-runs that add nothing, progress output, and a
# Maildir built from the real-mail corpus.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
PD="$top_builddir/postdesk"
CORPUS=${POSTDESK_CORPUS:-$top_srcdir/../shared/corpus/real}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus/real
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
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

echo "1..19"
cat > "$T/pd.conf" <<CONF
[store]
path = db.sqlite
$(pg_store && pg_store_url "$T/db.sqlite")
[mail]
address = support@example.com
[staff]
addresses = bob@example.com
CONF
C="-c $T/pd.conf"
$PD $C init >/dev/null

# mboxrd: ">From " and ">>From " lines are quoting; a "From " line that
# does not follow an empty line is body text.
cat > "$T/a.mbox" <<'MBOX'
From alice@example.org Mon Jan  1 10:00:00 2024
From: Alice <alice@example.org>
To: support@example.com
Subject: Printer broken
Date: Mon, 01 Jan 2024 10:00:00 +0000
Message-ID: <a1@example.org>

Hello,
>From the start it failed.
>>From here too.
From an unquoted line inside the body

From bob@example.com Tue Jan  2 10:00:00 2024
From: Bob <bob@example.com>
To: alice@example.org
Subject: Re: Printer broken
Date: Tue, 02 Jan 2024 10:00:00 +0000
Message-ID: <b1@example.com>
In-Reply-To: <a1@example.org>

Try again.

From alice@example.org Wed Jan  3 10:00:00 2024
From: Alice <alice@example.org>
To: support@example.com
Subject: Re: [Support #1] Printer broken
Date: Wed, 03 Jan 2024 10:00:00 +0000
Message-ID: <a2@example.org>

Works now (threaded by the subject tag only).

From carol@example.net Thu Jan  4 10:00:00 2024
From: Carol <carol@example.net>
To: support@example.com
Subject: Invoice
Date: Thu, 04 Jan 2024 12:00:00 +0000
Message-ID: <c1@example.net>

Where is my invoice?

MBOX
out=$($PD $C import mbox --no-progress "$T/a.mbox" 2>"$T/err")
rc=$?
check "import mbox exits 0" '[ $rc -eq 0 ]'
check "summary counts 2 new tickets and 2 replies" \
    'echo "$out" | grep -q "imported 4 messages: 2 new tickets, 2 replies, 0 duplicates"'
check "threads rebuilt: ticket 1 has 3 messages" \
    '[ "$(q "select count(*) from messages where ticket_id = 1")" = 3 ]'
raw=$($PD $C raw a1@example.org)
check "mboxrd >From is unquoted" \
    'echo "$raw" | grep -qx "From the start it failed."'
check "mboxrd >>From loses one >" \
    'echo "$raw" | grep -qx ">From here too."'
check "a From line without empty line before stays in the body" \
    'echo "$raw" | grep -qx "From an unquoted line inside the body"'
check "received time is the Date: header" \
    '[ "$(q "select received from messages where message_id = '"'c1@example.net'"'")" = 1704369600 ]'
check "ticket created at its first message's date" \
    '[ "$(q "select created from tickets where id = 1")" = 1704103200 ]'
check "every imported message has an imported event" \
    '[ "$(q "select count(*) from events where kind = '"'imported'"'")" = 4 ]'
check "no outbox rows for imported history" \
    '[ "$(q "select count(*) from outbox")" = 0 ]'

before=$(q "select count(*) from messages")
out=$($PD $C import mbox --no-progress "$T/a.mbox" 2>/dev/null)
check "re-running the import adds nothing" \
    '[ "$(q "select count(*) from messages")" = "$before" ] &&
     echo "$out" | grep -q "4 duplicates"'

# mboxo: only ">From " is quoting.
printf 'From x@example.org Mon Jan  1 10:00:00 2024\nFrom: x@example.org\nSubject: o\nMessage-ID: <o1@example.org>\n\n>From one\n>>From two\n' > "$T/o.mbox"
$PD $C import mbox --format mboxo --no-progress "$T/o.mbox" >/dev/null 2>&1
raw=$($PD $C raw o1@example.org)
check "mboxo: >From unquoted, >>From kept" \
    'echo "$raw" | grep -qx "From one" && echo "$raw" | grep -qx ">>From two"'

$PD $C import mbox --no-progress "$T/missing.mbox" >/dev/null 2>&1
rc=$?
check "a missing file fails before anything is written (EX_NOINPUT)" \
    '[ $rc -eq 66 ]'

# Progress: plain lines when not a terminal (--progress forces the
# updating line, with its carriage return).
i=0
: > "$T/big.mbox"
while [ $i -lt 300 ]; do
	printf 'From p@example.org Mon Jan  1 10:00:00 2024\nFrom: p@example.org\nSubject: p%d\nMessage-ID: <p%d@example.org>\n\nbody %d\n\n' $i $i $i >> "$T/big.mbox"
	i=$((i + 1))
done
$PD $C import mbox --batch 50 "$T/big.mbox" >/dev/null 2>"$T/prog"
check "non-TTY progress ends with a plain done/total line" \
    'tail -n 1 "$T/prog" | grep -Eq "^import: 300/300 \(100%\), [0-9]+ msg/s, ETA"'
check "batched import stored all 300" \
    '[ "$(q "select count(*) from messages where message_id LIKE '"'p%@example.org'"'")" = 300 ]'
$PD $C import mbox --progress "$T/big.mbox" >/dev/null 2>"$T/prog"
check "--progress redraws one line with carriage returns" \
    'grep -q "$(printf "\r")import: 300/300" "$T/prog"'

# A Maildir from the real corpus; files with CRLF and LF, garbage too.
M="$T/Maildir"
mkdir -p "$M/cur" "$M/new" "$M/tmp"
find "$CORPUS" -name '*.eml' | sort > "$T/list"
k=0
while IFS= read -r f; do
	k=$((k + 1))
	cp "$f" "$M/cur/$((1700000000 + k)).M$k.corpus:2,S"
done < "$T/list"
out=$($PD $C import maildir --no-progress "$M" 2>"$T/err")
rc=$?
stored=$(echo "$out" | sed -n 's/^imported \([0-9]*\) messages.*/\1/p')
check "maildir import of $k corpus messages exits 0" '[ $rc -eq 0 ]'
check "every corpus file was read" '[ "$stored" = "$k" ]'
m1=$(q "select count(*) from messages"); q1=$(q "select count(*) from quarantine")
$PD $C import maildir --no-progress "$M" >/dev/null 2>&1
check "re-importing the Maildir adds no message and no quarantine row" \
    '[ "$(q "select count(*) from messages")" = "$m1" ] &&
     [ "$(q "select count(*) from quarantine")" = "$q1" ]'
