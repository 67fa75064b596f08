#!/bin/sh
# kill -9 at random points of postdesk-ingest, redelivered as an MTA
# redelivers (on any non-zero exit or kill, until 0).  Every message is
# stored exactly once, the threading equals a fault-free reference run,
# the database is sound and no blob is orphaned.  Then four delivery
# loops at once, each thread's replies racing its original.
. "$(dirname "$0")/lib-fault.sh"
fault_setup
plan 12

N=$((120 * FAULT_SCALE))
python3 "$FAULT/gen.py" "$N" "$T/msgs" > "$T/order"

fault_store ref
deliver ref "$T/ref.json" < "$T/order"
check "reference run: all $(wc -l < "$T/order") deliveries exit 0" \
    test "$(fig "$T/ref.json" lost)$(fig "$T/ref.json" other)" = 00

fault_store kill
deliver kill "$T/kill.json" --kill 0.5 --max-delay 40 --seed 11 \
    < "$T/order"
check "kill -9 run: nothing lost, no exit but 0, 75 and the kill" \
    test "$(fig "$T/kill.json" lost)$(fig "$T/kill.json" other)" = 00
check "the kills hit running ingests: $(fig "$T/kill.json" kills)" \
    test "$(fig "$T/kill.json" kills)" -gt 0
check "kill -9 run: the same messages, quarantine and threading" \
    same_state ref kill
check "kill -9 run: no duplicate, integrity ok, no orphan blob" sound kill
echo "# kill -9: $(tr -d '{}"' < "$T/kill.json")"
ok 0 "figures: delivered $(fig "$T/kill.json" delivered), lost $(fig "$T/kill.json" lost), duplicated $(state kill | sed -n 's/^check duplicates //p'), kills $(fig "$T/kill.json" kills), 75s $(fig "$T/kill.json" tempfail), longest wait $(fig "$T/kill.json" longest_wait_ms) ms"

# Four MTA queue runners at once, over the same messages in four
# orders, replies first in two of them: each message still once.
fault_store race
python3 "$FAULT/gen.py" "$N" "$T/msgs" --order reply-first > "$T/order-rf"
i=0
for o in order order-rf order order-rf; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 0 ]; then tac "$T/$o"; else cat "$T/$o"; fi \
	    > "$T/race-$i"
	deliver race "$T/race-$i.json" --kill 0.2 --seed $i \
	    < "$T/race-$i" &
done
wait
lost=0
for i in 1 2 3 4; do
	lost=$((lost + $(fig "$T/race-$i.json" lost) + $(fig "$T/race-$i.json" other)))
done
check "four racing loops: nothing lost" test "$lost" = 0
check "four racing loops: no duplicate, integrity ok, no orphan blob" \
    sound race
check "four racing loops: as many messages as the reference" \
    test "$(state race | sed -n 's/^messages //p')" = \
    "$(state ref | sed -n 's/^messages //p')"
# The same non-mail bytes from four loops: one entry (item 2).
check "four racing loops: as many quarantine entries as the reference" \
    test "$(state race | sed -n 's/^quarantine //p')" = \
    "$(state ref | sed -n 's/^quarantine //p')"
# A reply that comes first opens a ticket; its original joins it, and a
# second early reply's ticket is merged in (issue 15 item 6): replies
# first, with kills, thread as the reference does; so do the races.
fault_store rf
deliver rf "$T/rf.json" --kill 0.2 --seed 5 < "$T/order-rf"
state ref | grep -E '^(tickets|thread) ' > "$T/ref.threads"
for r in rf race; do
	state $r | grep -E '^(tickets|thread) ' > "$T/$r.threads"
done
check "replies first: the same threading as the reference ($(sed -n 's/^tickets //p' "$T/rf.threads") tickets)" \
    cmp -s "$T/ref.threads" "$T/rf.threads"
check "four racing loops: the same threading as the reference" \
    cmp -s "$T/ref.threads" "$T/race.threads"
