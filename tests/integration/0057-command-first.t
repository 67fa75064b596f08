#!/bin/sh
# Command before effect (postdesk-lifecycle(5)): a customer's explicit
# Status: command is decided before her message's implicit effect, for
# the built-in life cycle and every shipped vocabulary in
# contrib/lifecycle.  "Status: Closed" to a Resolved ticket closes it
# (it was reopened, then refused); a refused command leaves the message
# its usual effect; a plain reply still reopens.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "1..12"
mail() {	# mail ID SUBJECT-OR-REPLY-TO BODY
	if [ -n "$3" ]; then
		printf 'From: cust@shop.example\nTo: support@example.com\nSubject: Re: [Support #%s] x\nMessage-ID: <%s@shop.example>\n\n%b\n' \
		    "$2" "$1" "$3"
	else
		printf 'From: cust@shop.example\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@shop.example>\n\nhelp\n' \
		    "$2" "$1"
	fi
}
# vocabulary NAME [FILE]: a store whose life cycle is FILE's
vocabulary() {
	nl_pg_start	# before the pipe into mkconf, a subshell
	{
		printf '[mail]\nsubject_tag = Support\n[auth]\n%s\n' \
		    'spf_local_records = shop.example v=spf1 ip4:198.51.100.0/24 -all'
		[ -n "${2:-}" ] && cat "$top_srcdir/contrib/lifecycle/$2"
	} | mkconf "$T/$1.conf" "$T/$1.db" support@example.com pd.example.com 9
	export POSTDESK_CONFIG="$T/$1.conf"
	DB=$T/$1.db
	"$B/postdesk" init >/dev/null
}
# The customer's mail comes from her domain's SPF-listed host: an
# aligned pass, which her commands need (postdesk-auth(5)).
ingest() {
	"$B/postdesk-ingest" --sender cust@shop.example \
	    --recipient support@example.com --client-ip 198.51.100.7 "$@"
}
st() { sqlq "$DB" "SELECT status FROM tickets WHERE id = $1"; }
refused() { sqlq "$DB" "SELECT count(*) FROM events WHERE ticket_id = $1 AND kind = 'command-refused'"; }
# walk NAME PRE CLOSE-CMD WANT PLAIN-WANT: ticket 1 at PRE gets the
# customer's CLOSE-CMD, ticket 2 at PRE a plain reply.
walk() {
	mail "$1-a" "first" "" | ingest
	mail "$1-b" "second" "" | ingest
	"$B/postdesk" status 1 "$2" >/dev/null 2>&1 ||
	    sqlq "$DB" "UPDATE tickets SET status = '$2' WHERE id = 1"
	"$B/postdesk" status 2 "$2" >/dev/null 2>&1 ||
	    sqlq "$DB" "UPDATE tickets SET status = '$2' WHERE id = 2"
	mail "$1-c" 1 "Status: $3\n\nI checked again this morning: the new router works as your mail described, so this can be settled." | ingest
	check "$1: the customer's 'Status: $3' to a $2 ticket: $4 ($(st 1))" \
	    test "$(st 1)" = "$4"
	check "$1: ... and nothing was refused" test "$(refused 1)" = 0
	mail "$1-d" 2 "Still broken, sorry." | ingest
	check "$1: a plain reply to a $2 ticket: $5 ($(st 2))" \
	    test "$(st 2)" = "$5"
}

vocabulary builtin
walk builtin pre-closed closed closed reopened
vocabulary escalation escalation.conf
walk escalation Resolved Closed Closed "Waiting for Support"
vocabulary solved solved.conf
walk solved Solved Open Open Open

# A command the life cycle refuses: the message keeps its effect.
vocabulary refused escalation.conf
mail r-a "first" "" | ingest
"$B/postdesk" status 1 Resolved >/dev/null 2>&1
mail r-b 1 "Status: Under Development\n\nPlease escalate." | ingest
check "a refused 'Status: Under Development' to a Resolved ticket: the reply reopens it ($(st 1))" \
    test "$(st 1)" = "Waiting for Support"
check "... and the command is refused with the reason" test "$(refused 1)" -ge 1
"$B/postdesk" status 1 Resolved >/dev/null 2>&1
ingest --explain <<EOF2 >"$T/explain" 2>&1
From: cust@shop.example
To: support@example.com
Subject: Re: [Support #1] x
Message-ID: <r-c@shop.example>

Status: Closed

ok
EOF2
check "--explain names the command as what decides" grep -q "its Status: command decides" "$T/explain"
