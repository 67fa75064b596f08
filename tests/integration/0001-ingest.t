#!/bin/sh
# Ingests the crafted messages tests/data/mail/NNNN-what.eml, in order,
# into a fresh database through postdesk-ingest, and checks every line of
# each NNNN-what.expected against what was stored.
#
# Keys of .expected files (one "key: value" per line; several lines may
# use the same key):
#   sender: ADDR            envelope sender passed to ingest (not a check)
#   client-ip: IP           client address passed to ingest (not a check);
#                           192.0.2.0/24 is example.com's SPF
#   exit: N                 ingest exit status (default 0)
#   outcome: new-ticket|reply|duplicate|quarantined   (seen in the DB)
#   thread: references|subject-tag|new-ticket          (--explain's rule)
#   ticket: new | same-as NNNN | linked-to NNNN
#   subject: / subject-prefix: / subject-suffix: / ticket-subject:
#   from: / requester: / message-id: ID|synthetic
#   date: EPOCH             the stored Date: (0: none or unreadable)
#   text: (exact) / text-contains: / text-lacks: /
#   stripped-contains: / stripped-lacks:   (\n \r \t \e \\ escapes)
#   html: yes|no            text came from an HTML part
#   attachments: N
#   attachment: NAME TYPE [SIZE]
#   participant: ADDR ROLE
#   event: KIND             the ticket has an event of that kind
#   explain-contains: TEXT  in the --explain report
#   quarantine-reason: TEXT in the quarantine entry's reason
# Every message is also run through --explain first, which must predict
# the outcome and write nothing, and every stored message must come back
# byte-exact from "postdesk raw" (or "quarantine show").
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
DATA=$top_srcdir/tests/data/mail
INGEST=$top_builddir/postdesk-ingest
PD=$top_builddir/postdesk

T=$(mktemp -d "${TMPDIR:-/tmp}/pd-ingest.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
DB=$T/postdesk.db
CONF=$T/postdesk.conf
# A relative store path: resolved against the config file's directory.
cat >"$CONF" <<EOF
[store]
path = postdesk.db
busy_timeout = 2000

[mail]
address = support@example.com
subject_tag = Support

[staff]
addresses = agent@example.com

[auth]
spf_local_records = example.com v=spf1 ip4:192.0.2.0/24 -all
EOF
mkdir "$T/f"
: >"$T/tickets"

n=0
failed=0
ok() { n=$((n + 1)); printf "ok %d - %s\n" "$n" "$*"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	printf "not ok %d - %s\n" "$n" "$*"
}
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { sed 's/^/# /' "$@"; }

# SQL string literal for $1.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$1"; }
state() {
	if [ -f "$DB" ]; then
		sql "SELECT (SELECT count(*) FROM tickets) || ' ' ||
		    (SELECT count(*) FROM messages WHERE direction = 'in') ||
		    ' ' ||
		    (SELECT count(*) FROM quarantine) || ' ' ||
		    (SELECT count(*) FROM events)"
	else
		echo "0 0 0 0"
	fi
}
dbsum() { cat "$DB" "$DB-wal" 2>/dev/null | cksum; }

# strcheck MODE FILE VALUE: eq|contains|lacks|prefix|suffix, with the
# escapes \n \r \t \e \\ in VALUE.
strcheck() {
	python3 - "$@" <<'EOF'
import re, sys
mode, path, want = sys.argv[1], sys.argv[2], sys.argv[3]
esc = {'n': '\n', 'r': '\r', 't': '\t', 'e': '\x1b', '\\': '\\'}
want = re.sub(r'\\([nrte\\])', lambda m: esc[m.group(1)], want)
with open(path, encoding='utf-8', newline='') as f:
    have = f.read()
ok = {'eq': have == want, 'contains': want in have,
      'lacks': want not in have, 'prefix': have.startswith(want),
      'suffix': have.endswith(want)}[mode]
if not ok:
    print('# %s %r: have %r' % (mode, want[:200], have[:300]))
sys.exit(0 if ok else 1)
EOF
}

# Writes the fields of ticket $1 and its message $2 into $T/f/.
extract() {
	"$PD" -c "$CONF" show "$1" --json >"$T/show.json" 2>"$T/show.err" ||
	    return 1
	python3 - "$T/show.json" "$2" "$T/f" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
def w(k, v):
    with open(os.path.join(sys.argv[3], k), 'w', encoding='utf-8',
              newline='') as f:
        f.write('' if v is None else str(v))
w('ticket-subject', d['subject'])
w('requester', d['requester'])
w('linked_to', d['linked_to'] if d['linked_to'] is not None else '')
m = [x for x in d['thread'] if x['message_id'] == sys.argv[2]]
m = m[-1] if m else {}
for k in ('subject', 'from', 'text', 'stripped'):
    w(k, m.get(k))
w('events', ''.join(e['kind'] + '\n' for e in d['events']))
EOF
}

ticket_of() { sed -n "s/^$1 //p" "$T/tickets"; }
unchanged() { [ "$(state)" = "$1" ] && [ "$(dbsum)" = "$2" ]; }
linked() {
	[ "$outcome" = new-ticket ] &&
	    [ "$(cat "$T/f/linked_to" 2>/dev/null)" = "$1" ]
}

# check_key KEY VALUE: one line of a .expected file.
check_key() {
	key=$1
	val=$2
	what="$name: $key: $val"
	case $key in
	''|'#'*|sender|client-ip|exit)
		;;
	outcome)
		check "$what" [ "$outcome" = "$val" ] ;;
	thread)
		check "$what (explain: '$rule')" [ "$rule" = "$val" ] ;;
	ticket)
		case $val in
		new)
			check "$what" [ "$outcome" = new-ticket ] ;;
		same-as\ *)
			other=$(ticket_of "${val#same-as }")
			check "$what (#$ticket, #${other:-?})" \
			    [ "$ticket" = "${other:-none}" ] ;;
		linked-to\ *)
			other=$(ticket_of "${val#linked-to }")
			check "$what (#$ticket)" linked "${other:-none}"
			;;
		*)
			not_ok "$what: unknown ticket form" ;;
		esac ;;
	subject|from|requester|ticket-subject|text)
		check "$what" strcheck eq "$f/$key" "$val" ;;
	subject-prefix)
		check "$what" strcheck prefix "$f/subject" "$val" ;;
	subject-suffix)
		check "$what" strcheck suffix "$f/subject" "$val" ;;
	text-contains|stripped-contains)
		check "$what" strcheck contains "$f/${key%-contains}" \
		    "$val" ;;
	text-lacks|stripped-lacks)
		check "$what" strcheck lacks "$f/${key%-lacks}" "$val" ;;
	message-id)
		if [ "$val" = synthetic ]; then
			check "$what ($msgid)" \
			    grep -q '(none in message; synthetic)' \
			    "$T/explain"
		else
			check "$what" [ "$msgid" = "$val" ]
		fi ;;
	date)
		check "$what" [ "$(sql "SELECT date FROM messages
		    WHERE id = $row")" = "$val" ] ;;
	html)
		if grep -q '^  text: .*(from HTML)' "$T/explain"; then
			h=yes
		else
			h=no
		fi
		check "$what" [ "$h" = "$val" ] ;;
	attachments)
		check "$what" [ "$(sql "SELECT count(*) FROM attachments
		    WHERE message_row = $row")" = "$val" ] ;;
	attachment)
		size=${val##* }
		rest=$val
		cond=''
		case $size in
		*[!0-9]*|'') ;;
		*) rest=${val% *}; cond="AND size = $size" ;;
		esac
		type=${rest##* }
		fname=${rest% *}
		check "$what" [ "$(sql "SELECT count(*) FROM attachments
		    WHERE message_row = $row AND filename = $(q "$fname")
		    AND content_type = $(q "$type") $cond")" -ge 1 ] ;;
	participant)
		check "$what" [ "$(sql "SELECT count(*) FROM participants
		    WHERE ticket_id = $ticket AND
		    address = $(q "${val% *}") AND
		    role = $(q "${val##* }")")" = 1 ] ;;
	event)
		check "$what" grep -qx "$val" "$f/events" ;;
	explain-contains)
		check "$what" strcheck contains "$T/explain" "$val" ;;
	quarantine-reason)
		sql "SELECT reason FROM quarantine WHERE id = $qid" \
		    >"$T/reason"
		check "$what" strcheck contains "$T/reason" "$val" ;;
	*)
		not_ok "$what: unknown key" ;;
	esac
}
for eml in "$DATA"/[0-9][0-9][0-9][0-9]-*.eml; do
	base=${eml%.eml}
	name=${base##*/}
	num=${name%%-*}
	exp=$base.expected
	if [ ! -f "$exp" ]; then
		not_ok "$name: has a .expected file"
		continue
	fi
	sender=$(sed -n 's/^sender: //p' "$exp")
	client_ip=$(sed -n 's/^client-ip: //p' "$exp")
	want_exit=$(sed -n 's/^exit: //p' "$exp")
	want_exit=${want_exit:-0}
	set -- -c "$CONF" --recipient support@example.com
	[ -n "$sender" ] && set -- "$@" --sender "$sender"
	[ -n "$client_ip" ] && set -- "$@" --client-ip "$client_ip"

	# The dry run first: it must write nothing.
	before=$(state)
	sum=$(dbsum)
	"$INGEST" "$@" --explain <"$eml" >"$T/explain" 2>"$T/explain.err"
	rc=$?
	check "$name: --explain exits 0" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || diag "$T/explain.err"
	check "$name: --explain writes nothing" unchanged "$before" "$sum"
	predicted=$(sed -n 's/^outcome: \([a-z-]*\).*/\1/p' "$T/explain")
	rule=$(sed -n 's/^thread: rule \([a-z-]*\).*/\1/p' "$T/explain")
	# Before the first message there is no database to consult yet.
	grep -q '^thread: no database yet' "$T/explain" && rule=new-ticket

	"$INGEST" "$@" <"$eml" 2>"$T/err"
	rc=$?
	check "$name: exit status $want_exit" [ "$rc" -eq "$want_exit" ]
	[ "$rc" -eq "$want_exit" ] || diag "$T/err"
	after=$(state)

	# What happened, read from the database itself.
	# shellcheck disable=SC2086
	set -- $before
	tb=$1 mb=$2 qb=$3
	# shellcheck disable=SC2086
	set -- $after
	if [ "$3" -eq $((qb + 1)) ] && [ "$1" -eq "$tb" ] &&
	    [ "$2" -eq "$mb" ]; then
		outcome=quarantined
	elif [ "$1" -eq $((tb + 1)) ] && [ "$2" -eq $((mb + 1)) ]; then
		outcome=new-ticket
	elif [ "$1" -eq "$tb" ] && [ "$2" -eq $((mb + 1)) ]; then
		outcome=reply
	elif [ "$after" = "$before" ]; then
		outcome=duplicate
	else
		outcome="inconsistent ($before -> $after)"
	fi
	check "$name: --explain predicted '$predicted', got '$outcome'" \
	    [ "$predicted" = "$outcome" ]

	row=0 ticket=0 msgid='' qid=0
	case $outcome in
	new-ticket|reply)
		row=$(sql "SELECT max(id) FROM messages WHERE direction = 'in'")
		ticket=$(sql "SELECT ticket_id FROM messages WHERE id = $row")
		msgid=$(sql "SELECT message_id FROM messages WHERE id = $row")
		"$PD" -c "$CONF" raw "$msgid" >"$T/raw" 2>"$T/raw.err"
		check "$name: postdesk raw gives the exact bytes" \
		    cmp -s "$T/raw" "$eml"
		;;
	duplicate)
		msgid=$(sed -n 's/^  Message-ID: \([^ ]*\).*/\1/p' \
		    "$T/explain")
		ticket=$(sql "SELECT ticket_id FROM messages WHERE
		    message_id = $(q "$msgid") ORDER BY id LIMIT 1")
		;;
	quarantined)
		qid=$(sql "SELECT max(id) FROM quarantine")
		"$PD" -c "$CONF" quarantine show "$qid" >"$T/raw" \
		    2>"$T/raw.err"
		check "$name: quarantine show gives the exact bytes" \
		    cmp -s "$T/raw" "$eml"
		;;
	esac
	echo "$num ${ticket:-0}" >>"$T/tickets"
	rm -f "$T/f"/*
	if [ "${ticket:-0}" -gt 0 ] && ! extract "$ticket" "$msgid"; then
		not_ok "$name: postdesk show $ticket --json"
		diag "$T/show.err"
	fi
	f=$T/f

	while IFS= read -r line; do
		key=${line%%:*}
		val=${line#*:}
		val=${val# }
		check_key "$key" "$val"
	done <"$exp"
done

# The whole set, as the list shows it.
"$PD" -c "$CONF" list --json >"$T/list.json" 2>"$T/list.err"
check "list --json exits 0" [ $? -eq 0 ]
check "list --json is valid JSON" python3 -m json.tool "$T/list.json" \
    /dev/null
want=$(sql "SELECT count(*) FROM tickets")
check "list --json shows all $want tickets" python3 - "$T/list.json" \
    "$want" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1], encoding='utf-8'))
keys = {'id', 'subject', 'status', 'queue', 'priority', 'requester',
        'created', 'updated'}
sys.exit(0 if len(a) == int(sys.argv[2]) and
         all(keys <= set(t) for t in a) else 1)
EOF
# Inbound: a relayed staff reply (outbound) gets its bytes from notify.
check "every message row has its raw bytes" [ "$(sql "SELECT count(*)
    FROM messages m LEFT JOIN blobs b ON b.sha256 = m.raw_sha256
    WHERE m.direction = 'in' AND b.sha256 IS NULL")" = 0 ]
check "database integrity" [ "$(sql "PRAGMA integrity_check")" = ok ]
check "foreign keys hold" [ -z "$(sql "PRAGMA foreign_key_check")" ]

echo "1..$n"
[ "$failed" -eq 0 ]
