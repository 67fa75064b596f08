#!/bin/sh
# SLA targets in business time: a life cycle that names a calendar
# counts its first-response target only in opening hours (nights,
# weekends and holidays do not count, in the calendar's zone); one
# without counts around the clock.  Bad calendars stop the programs
# with FILE:LINE and exit 78.
. "${top_srcdir:-.}/tests/integration/notify-lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "1..9"
mkconf "$T/pd.conf" "$T/pd.db" support@example.com pd.example.com 9 <<'EOF2'
[calendar.office]
time_zone = Europe/Berlin
hours = mon-fri 08:00-18:00
holidays = 2026-12-24; 2026-12-25
[lifecycle]
sla_normal = 4h
calendar = office
[lifecycle.sales]
calendar =
sla_normal = 4h
EOF2
export POSTDESK_CONFIG="$T/pd.conf"
DB=$T/pd.db
"$B/postdesk" init >/dev/null
# berlin Y-M-D H:M: unix time of that Berlin wall-clock time
berlin() { TZ=Europe/Berlin date -d "$1" +%s; }
newticket() {	# newticket ID-PART QUEUE CREATED
	printf 'From: c@customer.example\nTo: support@example.com\nSubject: %s\nMessage-ID: <%s@customer.example>\n\nhelp\n' \
	    "$1" "$1" | "$B/postdesk-ingest" || echo "ingest $1 failed"
	sqlq "$DB" "UPDATE tickets SET created = $3, queue = '$2', updated = $3
	    WHERE subject = '$1'"
}
# Friday 4 December 2026, 17:00 in Berlin.
FRI=$(berlin "2026-12-04 17:00")
newticket friday support "$FRI"
newticket sales-friday sales "$FRI"
newticket xmas support "$(berlin "2026-12-23 17:00")"
queue() { TZ=Europe/Berlin "$B/postdesk" list --order=queue --now "$1"; }
line() { grep " $1\$" "$T/q" | head -1; }

queue "$(berlin "2026-12-07 10:00")" >"$T/q"
check "Friday 17:00 + 4 business hours: due Monday 11:00 ($(line friday))" \
    sh -c "grep ' friday\$' '$T/q' | grep -q '2026-12-07 11:00'"
check "... not overdue at Monday 10:00" \
    sh -c "! grep ' friday\$' '$T/q' | grep -q OVERDUE"
check "without a calendar the same target is due Friday 21:00" \
    sh -c "grep ' sales-friday\$' '$T/q' | grep -q '2026-12-04 21:00'"
check "... and is overdue by Monday" \
    sh -c "grep ' sales-friday\$' '$T/q' | grep -q OVERDUE"
queue "$(berlin "2026-12-07 11:01")" >"$T/q"
check "Monday 11:01: the business-hours target has passed" \
    sh -c "grep ' friday\$' '$T/q' | grep -q OVERDUE"
check "the Christmas holidays do not count: due Monday 28th 11:00" \
    sh -c "grep ' xmas\$' '$T/q' | grep -q '2026-12-28 11:00'"

# Syntax errors: FILE:LINE and 78, for every program.
cp "$T/pd.conf" "$T/bad.conf"
sed -i 's/^hours = .*/hours = mon-fri 8-18/' "$T/bad.conf"
line=$(grep -n '^hours' "$T/bad.conf" | cut -d: -f1)
"$B/postdesk" -c "$T/bad.conf" list >/dev/null 2>"$T/err"
rc=$?
check "a bad hours line: postdesk exits 78 (got $rc)" test $rc -eq 78
check "... naming $T/bad.conf:$line and the key" \
    grep -q "bad.conf:$line: \[calendar.office\] hours: not a time range" "$T/err"
printf 'From: a@b.example\nSubject: x\nMessage-ID: <cal@x>\n\nx\n' |
    "$B/postdesk-ingest" -c "$T/bad.conf" >/dev/null 2>&1
rc=$?
check "... and ingest exits 78 too (got $rc)" test $rc -eq 78
