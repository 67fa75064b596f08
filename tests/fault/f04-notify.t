#!/bin/sh
# Notifiers under faults, against a real SMTP server (aiosmtpd).
# 1. Notifiers killed -9 at random points and restarted, as systemd
#    restarts one: every row is delivered at least once, the only
#    doubles are mails in flight at a kill (at most one per kill), no
#    crash uses up an attempt.
# 2. Two live notifiers, --batch 100 and --batch 1, against a slow
#    server: no row is sent twice.
. "$(dirname "$0")/lib-fault.sh"
fault_setup
PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "python3-aiosmtpd missing"
plan 9

SINKS=""
at_exit 'for p in $SINKS; do kill $p 2>/dev/null; done'
# sink NAME DELAY: an SMTP server writing to $T/NAME; sets PORT.
sink() {
	PORT=$(free_port)
	mkdir -p "$T/$1"
	$PY "$top_srcdir/tests/integration/smtp-sink.py" --port "$PORT" \
	    --dir "$T/$1" --pidfile "$T/$1.pid" --delay "$2" &
	SINKS="$SINKS $!"
	i=0
	until $PY -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$PORT" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 300 ] || return 1
		sleep 0.1
	done
}
cp -R "$top_srcdir/templates" "$T/templates"
chmod -R a+rX "$T/templates"
# notify_store NAME PORT: a store whose notifier sends to PORT.
notify_store() {
	fault_store "$1"
	cat >> "$T/$1.conf" <<CONF
token_key = fault-test-token-key-0123456789abcdef
[staff]
addresses = staff@helpdesk.test
[templates]
dir = $T/templates
[notify]
smtp_url = smtp://127.0.0.1:$2
timeout = 5
CONF
}
# tickets NAME N: N new tickets, each an acknowledgement and a staff
# notice to send.
tickets() {
	i=0
	while [ $i -lt "$2" ]; do
		i=$((i + 1))
		printf 'From: c%d@customer.test\nTo: support@helpdesk.test\nSubject: problem %d\nMessage-ID: <n%d@customer.test>\n\nhelp %d\n' \
		    $i $i $i $i | runuser -u postdesk -- "$INGEST" \
		    --config "$T/$1.conf" || echo "# ingest $i failed"
	done
}
q() { sqlite3 -cmd ".timeout 5000" "$(db "$1")" "$2"; }
rows() { q "$1" "SELECT count(*) FROM outbox"; }
sent() { q "$1" "SELECT count(*) FROM outbox WHERE status = 'sent'"; }
# notify NAME ARGS: the notifier as postdesk, as its unit runs it, in
# place of the (sub)shell: setpriv execs (runuser would fork), so that
# `(notify ...) & kill $!` kills the notifier itself.
notify() { n=$1; shift; exec setpriv --reuid=postdesk --regid=postdesk \
    --init-groups "$T/bin/postdesk-notify" --config "$T/$n.conf" "$@"; }
# running PID: alive, not a zombie waiting to be reaped.
running() { s=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${s#Z}" = "$s" ]; }
cp "$top_builddir/postdesk-notify" "$T/bin/"
# delivered NAME SINK: Message-IDs the server got, one line each.
delivered() {
	cat "$T/$2"/*.eml 2>/dev/null | tr -d '\r' |
	    sed -n 's/^Message-I[dD]: <\(.*\)>$/\1/p' | sort
}

# 1. Kills at random points.
N=$((15 * FAULT_SCALE))
sink killsink 0.05
notify_store kill "$PORT"
tickets kill "$N"
total=$(rows kill)
kills=0 runs=0 start=$(date +%s)
# The lease (timeout 5 + busy 10 + 20 s) brings a killed run's rows
# back: the loop runs until all are sent, up to three leases, restarting
# the notifier each second as systemd's Restart= would.
deadline=$((start + 3 * 35 + 30))
while [ "$(sent kill)" -lt "$total" ] && [ "$(date +%s)" -lt $deadline ]; do
	runs=$((runs + 1))
	(notify kill --once --batch 10) 2>>"$T/kill.log" &
	p=$!
	# The first runs get a kill at a random point each; later runs
	# finish, and pick up the killed runs' rows as their leases end.
	if [ $runs -le 4 ]; then
		# Fault timing: a kill at a random point of the run.
		sleep "0.$(shuf -i 0-9 -n 1)"
		running $p && kill -9 $p 2>/dev/null && kills=$((kills + 1)) &&
		    echo "# run $runs killed: $(q kill "SELECT count(*) FROM outbox WHERE status = 'sending'") rows left claimed, $(sent kill) sent"
	fi
	wait $p 2>/dev/null
	[ $runs -gt 4 ] && [ "$(sent kill)" -lt "$total" ] && sleep 1
done
wait_s=$(( $(date +%s) - start ))
delivered kill killsink > "$T/got"
q kill "SELECT m.message_id FROM outbox o JOIN messages m ON m.id = o.sent_row" |
    sort > "$T/want"
dups=$(uniq -d "$T/got" | wc -l)
check_eq "killed notifiers: all $total rows sent" "$total" "$(sent kill)"
check "nothing lost: every row's Message-ID reached the server" \
    test -z "$(comm -23 "$T/want" "$T/got")"
check "the kills hit running notifiers: $kills" test "$kills" -gt 0
check "doubles only from mails in flight at a kill: $dups <= $kills" \
    test "$dups" -le "$kills"
check_eq "no crash used up an attempt: every row sent at attempt 1" \
    "$total" "$(q kill "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1")"
ok 0 "figures: rows $total, delivered $(wc -l < "$T/got"), lost $(comm -23 "$T/want" "$T/got" | wc -l), duplicated $dups, kills $kills, runs $runs, all sent after $wait_s s"

# 2. Two live notifiers with different batch sizes, a slow server.
M=$((20 * FAULT_SCALE))
sink livesink 0.3
notify_store live "$PORT"
tickets live "$M"
total=$(rows live)
(notify live --once --batch 100 --claimer big) 2>"$T/big.log" &
p1=$!
(notify live --once --batch 1 --claimer small) 2>"$T/small.log" &
p2=$!
wait $p1 $p2
# Whatever one run left (a row given up on a busy store) goes now.
(notify live --once) 2>>"$T/small.log"
delivered live livesink > "$T/got2"
check_eq "two live notifiers: all $total rows sent" "$total" "$(sent live)"
check_eq "no row sent twice" 0 "$(uniq -d "$T/got2" | wc -l)"
ok 0 "figures: rows $total, delivered $(wc -l < "$T/got2"), by the --batch 100 run $(q live "SELECT count(*) FROM outbox WHERE claimed_by = 'big'"), by the --batch 1 run $(q live "SELECT count(*) FROM outbox WHERE claimed_by = 'small'")"
