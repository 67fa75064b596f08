#!/bin/sh
# store-to-db.sh FILE...: rewrites a store file's sqlite3_* calls into the
# db.h calls of the same name and arguments (issue 16), in place.
#
# Re-runnable: a converted file has no sqlite3_ left, so a second run
# changes nothing; run it on a store file merged later in the plain
# sqlite3 style:   contrib/dev/store-to-db.sh src/store_*.c src/store.c
# A call db.h does not mirror comes out as db_NAME( and fails to compile:
# add it to db.h (and both backends) or move it behind a dialect call.
# store_backup.c speaks SQLite's backup API through db_sqlite.h and is
# left alone.
set -eu
[ $# -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
for f in "$@"; do
	case $f in
	*store_backup.c) echo "store-to-db: $f: SQLite-only, skipped" >&2
		continue ;;
	esac
	sed -i \
	    -e 's/#include <sqlite3\.h>/#include "db.h"/' \
	    -e 's/\<sqlite3_stmt\>/struct db_stmt/g' \
	    -e 's/\<sqlite3_blob\>/struct db_blob/g' \
	    -e 's/\<sqlite3_int64\>/int64_t/g' \
	    -e 's/\<sqlite3\>\([[:space:]]*\*\)/struct db\1/g' \
	    -e 's/\<sqlite3_prepare_v3(/db_prepare(/g' \
	    -e 's/\<sqlite3_last_insert_rowid(/db_last_insert_id(/g' \
	    -e 's/\<sqlite3_\([a-z0-9_]*\)(/db_\1(/g' \
	    -e 's/\<SQLITE_/DB_/g' \
	    "$f"
	# What has a dialect call in db.h must not stay as SQL text.
	grep -nE '"(PRAGMA |BEGIN (IMMEDIATE|EXCLUSIVE|DEFERRED))' "$f" |
	    sed "s|^|store-to-db: $f:|; s|\$| (use db.h's dialect call)|" >&2 ||
	    true
done
