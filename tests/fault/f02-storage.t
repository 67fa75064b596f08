#!/bin/sh
# Storage faults: a read-only database file, a full disk and a
# read-only remount.  Each gives 75 (the MTA keeps the mail), writes
# nothing, and once the fault is gone the next delivery stores the
# message, once.  The disk is a small tmpfs mounted here (root only).
. "$(dirname "$0")/lib-fault.sh"
fault_setup
plan 13

python3 "$FAULT/gen.py" 12 "$T/msgs" > "$T/order"
sed -n 1,3p "$T/order" > "$T/first"

# one NAME FILE: a single attempt, as the pipe user; prints the exit.
one() {
	runuser -u postdesk -- "$INGEST" --config "$T/$1.conf" \
	    --sender c@customer.test --recipient support@helpdesk.test \
	    < "$2" >/dev/null 2>"$T/one.err"
	echo $?
}
count() { sqlite3 "$(db "$1")" "SELECT count(*) FROM messages"; }

# A read-only file (its directory stays writable).
fault_store rofile
deliver rofile "$T/f.json" < "$T/first"
m=$(sed -n 4p "$T/order")
chmod 0444 "$T/rofile/postdesk.db"
check_eq "read-only file: exit 75" 75 "$(one rofile "$m")"
chmod 0660 "$T/rofile/postdesk.db"
check_eq "writable again: exit 0" 0 "$(one rofile "$m")"
check_eq "the message is stored once" 4 "$(count rofile)"

if mkdir -p "$T/disk" && mount -t tmpfs -o size=3m,mode=0755 tmpfs \
    "$T/disk" 2>/dev/null; then
	at_exit "umount -l '$T/disk' 2>/dev/null"
	fault_store full "$T/disk/db"
	deliver full "$T/f.json" < "$T/first"
	before=$(count full)
	# Fill the disk to the last block.
	dd if=/dev/zero of="$T/disk/filler" bs=64k 2>/dev/null
	check_eq "full disk: exit 75" 75 "$(one full "$m")"
	check_eq "full disk: again 75" 75 "$(one full "$m")"
	rm -f "$T/disk/filler"
	check_eq "full disk: nothing was written" "$before" "$(count full)"
	check_eq "space again: exit 0" 0 "$(one full "$m")"
	check_eq "the message is stored once" $((before + 1)) "$(count full)"
	check "full disk: the database is sound" sound full

	# A read-only remount, the way an I/O error remounts ext4.
	m=$(sed -n 5p "$T/order")
	before=$(count full)
	mount -o remount,ro "$T/disk"
	check_eq "read-only remount: exit 75" 75 "$(one full "$m")"
	mount -o remount,rw "$T/disk"
	check_eq "read-write again: exit 0" 0 "$(one full "$m")"
	check_eq "the message is stored once" $((before + 1)) "$(count full)"
	check "after the remounts the database is sound" sound full
else
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "ok $((i + 3)) # SKIP cannot mount a tmpfs here"
	done
fi
