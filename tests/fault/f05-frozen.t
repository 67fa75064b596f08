#!/bin/sh
# A frozen ingest: stopped (SIGSTOP) while it holds the write lock.
# Deliveries meanwhile give 75 within [mail] max_run_time, the frozen
# one is ended at that bound having written nothing, and then mail
# flows again.  max_run_time is 5 s here to keep the suite short
# (0013 runs the same with the default 60 s).
. "$(dirname "$0")/lib-fault.sh"
fault_setup
[ -r /proc/locks ] || skip_all "no /proc/locks"
plan 6

fault_store frz
printf '[mail]\nmax_run_time = 5\n' > "$T/frz.conf.d.conf"
mkdir -p "$T/frz.conf.d"
mv "$T/frz.conf.d.conf" "$T/frz.conf.d/run.conf"
chmod -R a+rX "$T/frz.conf.d"
ms() { echo $(($(date +%s%N) / 1000000)); }
mail() {	# mail ID [LINES]
	printf 'From: %s@customer.test\nTo: support@helpdesk.test\nSubject: printer %s\nMessage-ID: <%s@customer.test>\n\n' "$1" "$1" "$1"
	seq "${2:-3}" | sed 's/$/ the printer prints nothing but smudges/'
}
ingest() {
	runuser -u postdesk -- "$INGEST" --config "$T/frz.conf" \
	    --sender "$1@customer.test" --recipient support@helpdesk.test
}
stored() { sqlite3 "$(db frz)" "SELECT count(*) FROM messages WHERE message_id = '$1@customer.test'"; }

# A large message keeps its transaction open long enough to be caught.
FROZEN= tries=0
at_exit '[ -n "$FROZEN" ] && kill -9 $FROZEN 2>/dev/null'
while [ -z "$FROZEN" ] && [ $tries -lt 10 ]; do
	tries=$((tries + 1))
	mail "frozen$tries" 150000 > "$T/frozen.eml"
	ingest "frozen$tries" < "$T/frozen.eml" > /dev/null 2>&1 &
	apid=$!
	FROZEN=$(python3 "$top_srcdir/tests/integration/freeze-lock-holder.py" \
	    "$(db frz)" 30 "$apid")
	[ -n "$FROZEN" ] || wait "$apid"
done
check "an ingest stopped while it holds the write lock" test -n "$FROZEN"
t0=$(ms)
others=
for i in 1 2 3 4; do
	( s=$(ms); mail "other$i" | ingest "other$i" > /dev/null 2>&1
	  echo "$? $(($(ms) - s))" > "$T/other$i.rc" ) &
	others="$others $!"
done
wait $others
codes=$(cut -d' ' -f1 "$T"/other?.rc | tr '\n' ' ')
longest=$(cut -d' ' -f2 "$T"/other?.rc | sort -n | tail -1)
tempfails=$(grep -c '^75 ' "$T"/other?.rc | grep -c ':1$')
# Each either got through once the frozen one was ended at its bound
# (stored: 0) or gave up at its own bound (75: the MTA retries).
check "four deliveries meanwhile end with 0 or 75: $codes" \
    test -z "$(echo "$codes" | tr ' ' '\n' | grep -v -e '^0$' -e '^75$' -e '^$')"
check "each within its bound (5 s, plus load): longest $longest ms" \
    test "$longest" -lt 15000
# The frozen one is ended at its bound; then mail flows, untouched.
# (Polled to a deadline: without the bound it would wait forever.)
end=$(($(ms) + 30000))
while kill -0 "$apid" 2>/dev/null &&
    ! grep -q '^[^)]*) Z' "/proc/$apid/stat" 2>/dev/null &&
    [ "$(ms)" -lt "$end" ]; do
	sleep 0.1
done
if grep -q '^[^)]*) Z' "/proc/$apid/stat" 2>/dev/null ||
    ! kill -0 "$apid" 2>/dev/null; then
	wait "$apid"
	frozen_rc=$?
else
	frozen_rc=still-running
	kill -9 "$FROZEN" "$apid" 2>/dev/null
fi
FROZEN=
back=0
# As the MTA does: retry what got 75, until it is stored.
for i in 1 2 3 4; do
	case $(cut -d' ' -f1 "$T/other$i.rc") in
	75) mail "other$i" | ingest "other$i" > /dev/null 2>&1 ;;
	esac
done
until mail back | ingest back > /dev/null 2>&1; do
	back=$((back + 1)); [ $back -lt 100 ] || break
	sleep 0.2
done
flow=$(( $(ms) - t0 ))
check_eq "the frozen ingest ended with 75, nothing written" "75 0" \
    "$frozen_rc $(stored "frozen$tries")"
check "then every delivery is stored, once" test "$(stored back)$(stored other1)$(stored other2)$(stored other3)$(stored other4)" = 11111
ok 0 "figures: deliveries while frozen 4, 75s $tempfails, longest wait $longest ms, mail flowing again after $flow ms"
