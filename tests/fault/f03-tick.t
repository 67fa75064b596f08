#!/bin/sh
# `postdesk tick` killed -9 at random points and rerun (as cron reruns
# it) until it finishes: every due timer is applied once, as in a
# fault-free run: the same statuses, events and notices.
. "$(dirname "$0")/lib-fault.sh"
fault_setup
plan 7

M=$((40 * FAULT_SCALE))
DAY=86400
NOW=$(date +%s)
fault_store ref
# Sales tickets pre-close 30 days after their last message, then close
# 3 days later (the built-in life cycle); the shipped rules file the
# licence questions into sales.
cp "$top_srcdir/filters/default.sieve" "$T/rules.sieve"
chmod 0644 "$T/rules.sieve"
printf "[rules]\nscripts = %s\n" "$T/rules.sieve" \
    >> "$T/ref.conf"
i=0
while [ $i -lt "$M" ]; do
	i=$((i + 1))
	printf 'From: c%d@customer.test\nTo: support@helpdesk.test\nSubject: Quote %d\nMessage-ID: <q%d@customer.test>\n\nWe want to buy 20 licences.\n' \
	    $i $i $i > "$T/q.eml"
	runuser -u postdesk -- "$INGEST" --config "$T/ref.conf" \
	    --recipient support@helpdesk.test < "$T/q.eml" ||
	    echo "# ingest $i failed"
	runuser -u postdesk -- "$PDB" --config "$T/ref.conf" status $i \
	    in-progress >/dev/null || echo "# status $i failed"
done
# A copy of the same state for the faulty runs (init folds the WAL in).
runuser -u postdesk -- "$PDB" --config "$T/ref.conf" init >/dev/null
fault_store kill
cp "$T/ref.conf" "$T/kill.conf"
sed -i "s|^path = .*|path = $(db kill)|" "$T/kill.conf"
cp "$(db ref)" "$(db kill)"
chown postdesk:postdesk "$(db kill)"

outcome() {
	sqlite3 "$(db "$1")" "SELECT id, status FROM tickets ORDER BY id;
	    SELECT ticket_id, kind, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2;
	    SELECT ticket_id, kind, count(*) FROM outbox GROUP BY 1, 2 ORDER BY 1, 2"
}
# tick_ref WHEN: the fault-free run; its length (ms) goes to $T/ms.
tick_ref() {
	t0=$(date +%s%N)
	runuser -u postdesk -- "$PDB" --config "$T/ref.conf" tick --now "$1" \
	    >/dev/null
	echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$T/ms"
}
# tick_killed WHEN FIGURES MS: kill -9 at random points within MS,
# half the reference run's length (the first run always), until one run ends with 0, then one more
# run, as the next cron run.
tick_killed() {
	echo /dev/null | python3 "$FAULT/deliver.py" --user postdesk \
	    --figures "$2" --kill 0.9 --first-kill --max-delay "$3" \
	    --seed "$1" -- \
	    "$PDB" --config "$T/kill.conf" tick --now "$1" &&
	runuser -u postdesk -- "$PDB" --config "$T/kill.conf" tick \
	    --now "$1" >/dev/null
}
T1=$((NOW + 31 * DAY))
T2=$((NOW + 35 * DAY))
tick_ref $T1
ms1=$(( $(cat "$T/ms") / 2 ))
tick_ref $T2
ms2=$(( $(cat "$T/ms") / 2 ))
check_eq "reference: all $M tickets closed" "$M" \
    "$(sqlite3 "$(db ref)" "SELECT count(*) FROM tickets WHERE status = 'closed'")"
check "the pre-close run, killed at random points, finished" \
    tick_killed $T1 "$T/t1.json" "$ms1"
check "the close run, killed at random points, finished" \
    tick_killed $T2 "$T/t2.json" "$ms2"
outcome ref > "$T/ref.out"
outcome kill > "$T/kill.out"
check "the same statuses, events and notices as the fault-free run" \
    diff "$T/ref.out" "$T/kill.out"
check "the database is sound" sound kill
check "the kills hit running ticks" \
    test $(( $(fig "$T/t1.json" kills) + $(fig "$T/t2.json" kills) )) -gt 0
ok 0 "figures: kills $(( $(fig "$T/t1.json" kills) + $(fig "$T/t2.json" kills) )), runs $(( $(fig "$T/t1.json" attempts) + $(fig "$T/t2.json" attempts) )), 75s $(( $(fig "$T/t1.json" tempfail) + $(fig "$T/t2.json" tempfail) )), lost 0"
