#!/bin/sh
# SLA escalation (issue 17 item 4): resolution targets counted in
# business hours, escalated by postdesk tick exactly once per ticket and
# target — an "escalated" event, the escalation notice to the queue's
# leads (to the admins where a queue has no lead), counted at an
# aiosmtpd sink after postdesk-notify, and the priority one rank up —
# across a weekend on mon-fri 08:00-18:00.  Then the dashboard's SLA
# compliance table for the queue, through lighttpd and the CGI.
#
# The weekend is the one before last, so that every tick below lies in
# the past and the dashboard (which measures at the real clock) sees
# the targets as passed.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/integration/lib-web.sh"
. "$top_srcdir/tests/integration/notify-lib.sh"
B=$top_builddir
trap 'stop_sink sink; web_cleanup' EXIT INT TERM
echo "1..16"

SMTP=$(free_port)
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
mkdir -p "$STATE"
if web_users; then
	chmod 0755 "$T"
	chown postdesk:postdesk "$STATE"
	chmod 2770 "$STATE"
fi
start_sink sink "$SMTP"
mkconf "$T/pd.conf" "$DB" support@example.com pd.example.com "$SMTP" <<'EOF2'
[staff]
addresses = alice@example.com
[calendar.office]
time_zone = Europe/Berlin
hours = mon-fri 08:00-18:00
[lifecycle]
calendar = office
resolve_normal = 4h
resolve_major = 2h
escalate = notify-leads; raise-priority
EOF2
export POSTDESK_CONFIG="$T/pd.conf"
PD="$B/postdesk"
"$PD" init >/dev/null
"$PD" staff add lea@example.com --role lead --queues support >/dev/null
"$PD" staff add ann@example.com --queues support --notify all >/dev/null
"$PD" staff add dan@example.com --role lead --queues sales >/dev/null
"$PD" staff add alice@example.com --role admin >/dev/null

berlin() { TZ=Europe/Berlin date -d "$1" +%s; }
# Friday of the week before last, and the Monday after it.
u=$(date +%u)
FRIDAY=$(date -d "$(date +%F) -$(( (u + 2) % 7 + 7 )) days" +%F)
MONDAY=$(date -d "$FRIDAY +3 days" +%F)
FRI=$(berlin "$FRIDAY 17:00")
newticket() {	# newticket SUBJECT QUEUE: opened Friday 17:00, answered 17:30
	printf 'From: c@customer.example\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@customer.example>\n\nhelp\n' \
	    "$1" "$1" | "$B/postdesk-ingest" || echo "# ingest $1 failed"
	sql "UPDATE tickets SET created = $FRI, updated = $FRI, queue = '$2',
	    status_since = $FRI, first_response_at = $FRI + 1800
	    WHERE subject = '$1'"
}
newticket friday support	# 1
newticket billing billing	# 2: a queue without a lead
newticket solved support	# 3: closed within its target
sql "UPDATE tickets SET status = 'closed', status_since = $FRI + 2700
    WHERE id = 3"
"$B/postdesk-notify" --once >/dev/null 2>&1	# the new-ticket mail
: >"$T/seen"
got() {	# what each of WHO received since the last call: "lea:1 ann:0 "
	"$B/postdesk-notify" --once >/dev/null 2>&1
	for w in "$@"; do
		c=$(grep -il "^X-Envelope-To: $w@example.com" "$T"/sink/*.eml \
		    2>/dev/null | grep -vxFf "$T/seen" | wc -l)
		printf '%s:%s ' "$w" "$c"
	done
	grep -il "^X-Envelope-To: " "$T"/sink/*.eml 2>/dev/null >"$T/seen"
}
tick() { w=$1; shift; TZ=Europe/Berlin "$PD" tick --now "$(berlin "$w")" "$@"; }
escalated() { sql "SELECT count(*) FROM events WHERE kind = 'escalated'
    AND ticket_id = ${1:-1}"; }
prio() { sql "SELECT priority FROM tickets WHERE id = ${1:-1}"; }
got lea ann dan alice >/dev/null

tick "$FRIDAY 23:00" >/dev/null
tick "$(date -d "$FRIDAY +1 day" +%F) 12:00" >"$T/sat"
check "Saturday noon: not escalated (1 of 4 business hours used)" \
    test "$(escalated):$(prio):$(wc -c <"$T/sat")" = 0:normal:0
tick "$MONDAY 08:30" >/dev/null
check "Monday 08:30: still not escalated (1.5 hours used)" \
    test "$(escalated):$(prio)" = 0:normal
tick "$MONDAY 11:30" --explain >"$T/explain"
check "tick --explain at 11:30 says it would escalate #1, due Monday 11:00" \
    grep -q "^would: #1 escalated: resolution: due $MONDAY 11:00 +0[12]00; notice to lea@example.com; priority normal → major" "$T/explain"
check "... and writes nothing: no event, no outbox row, priority normal" \
    test "$(escalated):$(sql "SELECT count(*) FROM outbox WHERE template = 'escalation'"):$(prio)" = 0:0:normal
tick "$MONDAY 11:30" >"$T/tick1"
check "Monday 11:30: #1 escalated once, for its resolution target" \
    test "$(escalated):$(sql "SELECT detail FROM events WHERE kind = 'escalated' AND ticket_id = 1")" = \
    "1:resolution: due $(TZ=Europe/Berlin date -d "@$(berlin "$MONDAY 11:00")" '+%F %H:%M %z')"
check "... the priority one rank up, by the life cycle's Priority change" \
    test "$(prio):$(sql "SELECT count(*) FROM events WHERE ticket_id = 1 AND kind = 'priority' AND actor = 'postdesk-tick' AND detail = 'normal → major'")" = major:1
check "... the closed ticket is not escalated" test "$(escalated 3)" = 0
check "... the queue without a lead escalated too" test "$(escalated 2):$(prio 2)" = 1:major
have=$(got lea ann dan alice)
check "the notices: support's lead, billing's fallback admin; not the agent nor sales' lead" \
    test "$have" = "lea:1 ann:0 dan:0 alice:1 "
[ "$have" = "lea:1 ann:0 dan:0 alice:1 " ] || echo "# got: $have"
LEA=$(grep -il "^X-Envelope-To: lea@example.com" "$T"/sink/*.eml |
    xargs grep -l '^Subject: .*Escalated' | head -1)
check "the lead's notice is the escalation template, naming the target" sh -c \
    "grep -q '^Subject: \[Support #1\] \[Escalated\] friday' '$LEA' && grep -q 'resolution target: was due $MONDAY 11:00' '$LEA'"
rows=$(sql "SELECT count(*) FROM outbox")
tick "$MONDAY 11:35" >"$T/tick2"
tick "$MONDAY 16:00" >>"$T/tick2"
check "a second and third tick change nothing: no event, no row, no output" \
    test "$(escalated):$(escalated 2):$(sql "SELECT count(*) FROM outbox"):$(prio):$(wc -c <"$T/tick2")" = \
    "1:1:$rows:major:0"
check "... and nobody hears again" test "$(got lea alice)" = "lea:0 alice:0 "

# Bad escalate values: FILE:LINE and 78.
sed 's/^escalate = .*/escalate = notify-leads; page-the-ceo/' "$T/pd.conf" >"$T/bad.conf"
line=$(grep -n '^escalate' "$T/bad.conf" | cut -d: -f1)
"$PD" -c "$T/bad.conf" tick >/dev/null 2>"$T/err"
rc=$?
check "a bad escalate action: exit 78 (got $rc), naming bad.conf:$line" sh -c \
    "[ $rc = 78 ] && grep -q 'bad.conf:$line: \[lifecycle\] escalate: \"notify-leads; page-the-ceo\"' '$T/err'"
sed 's/^resolve_major = .*/resolve_urgent = 1h/' "$T/pd.conf" >"$T/bad.conf"
"$PD" -c "$T/bad.conf" list >/dev/null 2>&1
rc=$?
check "resolve_ for a priority that does not exist: exit 78 (got $rc)" test $rc = 78

# The dashboard: support has 2 tickets measured for resolution (#3 met,
# #1 missed) and 2 first responses met.
if ! web_lighttpd; then
	nok "lighttpd started"; nok "dashboard table"; nok "dashboard chart"
	exit 0
fi
C="$T/curl"; mkdir -p "$C"
st=$(curl -s -o "$C/dash" -w '%{http_code}' -u alice:alicepw "$BASE/staff/pd.cgi/dashboard")
# The support queue's block, from its heading to the end of its table.
sed -n '/<h3 id="sla-[0-9]*">support<\/h3>/,/<\/table>/p' "$C/dash" | tr -d '\n' >"$C/support"
check "dashboard ($st): support's table, resolution 2 tickets, 1 met, 1 missed, 50 %" \
    grep -q '<th scope="row">Resolution</th><td>2</td><td>1</td><td>1</td><td>50 %</td>' "$C/support"
check "... first response 2 of 2 met, 100 %, beside an SVG chart of the same" sh -c \
    "grep -q '<th scope=\"row\">First response</th><td>2</td><td>2</td><td>0</td><td>100 %</td>' '$C/support' &&
    grep -q '<svg[^>]*role=\"img\"' '$C/support' && grep -q '<title>Resolution: 1 of 2 met (50 %)</title>' '$C/support'"
