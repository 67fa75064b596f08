#!/bin/sh
# Who of the staff gets which notice (issue 17 item 2), counted in an
# aiosmtpd sink after real postdesk-ingest and postdesk-notify runs:
# a ticket's notices go to its owner, or to its queue's staff while it
# has none, by each account's --notify preference; never to everyone,
# never to the one who wrote the message.  First with the bootstrap
# list only ([staff] addresses), then with accounts:
#   ann agent support all     bob agent support mine
#   cat agent support none    dan lead  sales   mine
#   eve admin (every queue) mine
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'stop_sink sink; rm -rf "$T"' EXIT
echo "1..11"
PORT=$(free_port)
start_sink sink "$PORT"
printf 'example.com v=spf1 ip4:192.0.2.0/24 -all\n' >"$T/dns.txt"
mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com \
    "$PORT" <<EOF
[staff]
addresses = boss@example.com; kim@example.com
[auth]
dns_records = $T/dns.txt
EOF
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
PD="$B/postdesk"
"$PD" init >/dev/null
customer() {	# customer N: a customer message (N 0: a new ticket)
	if [ "$1" = 0 ]; then s="Help $(date +%s%N)"; else s="Re: [Support #$1] more"; fi
	printf 'From: cust@shop.example\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@shop.example>\n\ntext\n' \
	    "$s" "$(date +%s%N)" |
	    "$B/postdesk-ingest" --sender cust@shop.example \
	    --recipient support@example.com
}
staffmail() {	# staffmail FROM TICKET TEXT: by mail, SPF pass
	printf 'From: %s\nTo: support@example.com\nSubject: Re: [Support #%s] x\nMessage-ID: <%s@example.com>\n\n%s\n' \
	    "$1" "$2" "$(date +%s%N)" "$3" |
	    "$B/postdesk-ingest" --sender "$1" \
	    --recipient support@example.com --client-ip 192.0.2.10
}
cmd() { printf '%s\n' "$3" | "$PD" comment "$2" --from "$1" >/dev/null; }
note() { printf 'a note\n' | "$PD" comment "$2" --from "$1" >/dev/null; }
# What each of WHO received since the last call, as "ann:1 bob:0 ...".
: >"$T/seen"
got() {
	"$B/postdesk-notify" --once >/dev/null 2>&1
	for w in "$@"; do
		c=$(grep -il "^X-Envelope-To: $w@example.com" "$T"/sink/*.eml \
		    2>/dev/null | grep -vxFf "$T/seen" | wc -l)
		printf '%s:%s ' "$w" "$c"
	done
	grep -il "^X-Envelope-To: " "$T"/sink/*.eml 2>/dev/null >"$T/seen"
}
is() {	# is DESCRIPTION EXPECTED WHO...
	d=$1 want=$2; shift 2
	have=$(got "$@")
	check "$d" test "$have" = "$want"
	[ "$have" = "$want" ] || echo "# got: $have"
}

# --- the bootstrap list: admins of every queue, preference "mine" -------
customer 0
is "bootstrap: a new ticket reaches everyone on the list" \
    "boss:1 kim:1 " boss kim
cmd boss@example.com 1 "Owner: kim"
customer 1
is "bootstrap: once kim owns it, only kim" "boss:0 kim:1 " boss kim

# --- accounts ---------------------------------------------------------
"$PD" staff add ann@example.com --queues support --notify all >/dev/null 2>&1
"$PD" staff add bob@example.com --queues support >/dev/null
"$PD" staff add cat@example.com --queues support --notify none >/dev/null
"$PD" staff add dan@example.com --role lead --queues sales >/dev/null
"$PD" staff add eve@example.com --role admin >/dev/null
S="ann bob cat dan eve boss kim"
customer 0	# ticket 2, support, no owner
is "unowned support ticket: its queue's staff, not cat (none) nor dan (sales)" \
    "ann:1 bob:1 cat:0 dan:0 eve:1 boss:0 kim:0 " $S
customer 0	# ticket 3, moved to sales
got $S >/dev/null
cmd eve@example.com 3 "Queue: sales"
customer 3
is "unowned sales ticket: dan and the admin only" \
    "ann:0 bob:0 cat:0 dan:1 eve:1 boss:0 kim:0 " $S
cmd eve@example.com 2 "Owner: bob"
customer 2
is "owned by bob: bob, and ann who wants all of support" \
    "ann:1 bob:1 cat:0 dan:0 eve:0 boss:0 kim:0 " $S
staffmail bob@example.com 2 "Thanks, looking into it."
is "bob's reply by mail: to the customer, no staff notice (not to him)" \
    "ann:0 bob:0 cat:0 dan:0 eve:0 boss:0 kim:0 " $S
check "... and it was relayed to the customer" \
    test "$(sqlq "$DB" "SELECT count(*) FROM outbox WHERE ticket_id=2 AND kind='reply' AND recipients='cust@shop.example'")" = 1
note bob@example.com 2
is "bob's note: ann (all), not bob who wrote it" \
    "ann:1 bob:0 cat:0 dan:0 eve:0 boss:0 kim:0 " $S
note eve@example.com 2
is "eve's note: the owner and ann, not eve" \
    "ann:1 bob:1 cat:0 dan:0 eve:0 boss:0 kim:0 " $S
customer 2
is "eve wrote in the ticket (mine): now she hears of it too" \
    "ann:1 bob:1 cat:0 dan:0 eve:1 boss:0 kim:0 " $S
"$PD" staff disable bob@example.com >/dev/null
customer 2
is "the owner disabled: as unowned, to the queue's staff" \
    "ann:1 bob:0 cat:0 dan:0 eve:1 boss:0 kim:0 " $S
