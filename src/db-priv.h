/*
 * db-priv: what db.c shares with its backends (db_sqlite.c, db_pg.c).
 * Each backend is a table of functions (OpenSMTPD's table_backend);
 * its connection, statement and blob structs begin with the base
 * structs below, whose ops say which table serves them.
 */
#ifndef POSTDESK_DB_PRIV_H
#define POSTDESK_DB_PRIV_H

#include "db.h"

struct db_ops {
	const char	*name;
	int		(*close)(struct db *);
	int		(*prepare)(struct db *, const char *, int, unsigned,
			    struct db_stmt **, const char **);
	int		(*step)(struct db_stmt *);
	int		(*reset)(struct db_stmt *);
	int		(*clear_bindings)(struct db_stmt *);
	int		(*finalize)(struct db_stmt *);
	int		(*bind_int64)(struct db_stmt *, int, int64_t);
	int		(*bind_text)(struct db_stmt *, int, const char *, int,
			    db_destructor);
	int		(*bind_blob64)(struct db_stmt *, int, const void *,
			    uint64_t, db_destructor);
	int		(*bind_zeroblob64)(struct db_stmt *, int, uint64_t);
	int		(*bind_null)(struct db_stmt *, int);
	int64_t		(*column_int64)(struct db_stmt *, int);
	const unsigned char *(*column_text)(struct db_stmt *, int);
	const void	*(*column_blob)(struct db_stmt *, int);
	int		(*column_bytes)(struct db_stmt *, int);
	int		(*column_type)(struct db_stmt *, int);
	int		(*changes)(struct db *);
	int64_t		(*last_insert_id)(struct db *);
	int		(*exec)(struct db *, const char *);
	const char	*(*errmsg)(struct db *);
	int		(*errcode)(struct db *);
	int		(*get_autocommit)(struct db *);
	int		(*busy_timeout)(struct db *, int);
	int		(*extended_result_codes)(struct db *, int);
	int		(*db_readonly)(struct db *, const char *);
	const char	*(*db_filename)(struct db *, const char *);
	int		(*blob_open)(struct db *, const char *, const char *,
			    const char *, int64_t, int, struct db_blob **);
	int		(*blob_write)(struct db_blob *, const void *, int, int);
	int		(*blob_read)(struct db_blob *, void *, int, int);
	int		(*blob_close)(struct db_blob *);
	/* dialect */
	const char	*(*sql_begin)(enum db_begin);
	int		(*row_locks)(void);
	enum db_fts	(*fts)(void);
	int		(*user_version)(struct db *, int *);
	int		(*set_user_version)(struct db *, int);
	int		(*foreign_keys)(struct db *, int);
	int		(*foreign_key_check)(struct db *, int *);
	int		(*durable)(struct db *);
	int		(*bulk)(struct db *);
	int		(*columns)(struct db *, const char *, char ***);
	int		(*set_next_id)(struct db *, const char *, const char *);
};

struct db {
	const struct db_ops	*ops;
};

struct db_stmt {
	const struct db_ops	*ops;
};

struct db_blob {
	const struct db_ops	*ops;
};

#endif
