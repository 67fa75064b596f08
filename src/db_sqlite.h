/*
 * db_sqlite: the one door from a db connection to its sqlite3 handle,
 * for what only SQLite has and db.h does not mirror (the online backup
 * of store_backup.c).  Includes sqlite3.h: store files only.
 */
#ifndef POSTDESK_DB_SQLITE_H
#define POSTDESK_DB_SQLITE_H

#include <sqlite3.h>

#include "db.h"

/* DB's sqlite3 handle (borrowed), or NULL if DB is not SQLite. */
sqlite3	*db_sqlite_handle(struct db *db);

#endif
