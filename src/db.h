/*
 * db: the narrow database layer under the store; only store*.c use it.
 *
 * Its calls mirror the sqlite3_* calls the store makes, one to one in
 * name, argument order and return code (sqlite3_step → db_step), so
 * that converting a store file is a rename: contrib/dev/store-to-db.sh.
 * Two backends sit behind it: SQLite (db_sqlite.c, always built) and
 * PostgreSQL (db_pg.c, with ./configure --with-postgresql).
 *
 * Error contract: every int-returning call returns DB_OK, DB_ROW or
 * DB_DONE on success and otherwise one of the DB_ error codes below,
 * which are SQLite's primary result codes under another name; the
 * PostgreSQL backend maps its SQLSTATEs onto them (db_pg.c), so the
 * store classifies an error once for both.  db_errmsg() then says what
 * went wrong.
 *
 * Ownership: db_column_text() and db_column_blob() return memory that
 * the statement owns until its next db_step(), db_reset() or
 * db_finalize().  A DB_STATIC argument must outlive the statement's
 * next db_step(); DB_TRANSIENT ones are copied.
 *
 * What one backend has and the other has not, or spells differently
 * (PRAGMAs, the schema version, BEGIN's locking modes, incremental
 * blob I/O), is a dialect call at the end of this header, implemented
 * once per backend and nowhere else.
 */
#ifndef POSTDESK_DB_H
#define POSTDESK_DB_H

#include <stdint.h>

struct db;		/* a connection */
struct db_stmt;		/* a prepared statement */
struct db_blob;		/* an open blob (SQLite's incremental I/O) */

/* Result codes: SQLite's numbers (db_sqlite.c asserts it). */
#define DB_OK		0
#define DB_ERROR	1
#define DB_INTERNAL	2
#define DB_PERM		3
#define DB_ABORT	4
#define DB_BUSY		5
#define DB_LOCKED	6
#define DB_NOMEM	7
#define DB_READONLY	8
#define DB_INTERRUPT	9
#define DB_IOERR	10
#define DB_CORRUPT	11
#define DB_NOTFOUND	12
#define DB_FULL		13
#define DB_CANTOPEN	14
#define DB_PROTOCOL	15
#define DB_SCHEMA	17
#define DB_TOOBIG	18
#define DB_CONSTRAINT	19
#define DB_MISMATCH	20
#define DB_MISUSE	21
#define DB_AUTH		23
#define DB_RANGE	25
#define DB_NOTADB	26
#define DB_ROW		100
#define DB_DONE		101

/* Column types (db_column_type). */
#define DB_INTEGER	1
#define DB_FLOAT	2
#define DB_TEXT		3
#define DB_BLOB		4
#define DB_NULL		5

/* db_open_v2() flags: SQLite's. */
#define DB_OPEN_READONLY	0x00000001
#define DB_OPEN_READWRITE	0x00000002
#define DB_OPEN_CREATE		0x00000004
#define DB_OPEN_NOMUTEX		0x00008000

/* db_prepare() flags. */
#define DB_PREPARE_PERSISTENT	0x01

/* What a bound text or blob argument's lifetime is. */
typedef void	(*db_destructor)(void *);
#define DB_STATIC	((db_destructor)0)
#define DB_TRANSIENT	((db_destructor)-1)

/* Connections.  *out is set even on failure (for db_errmsg()), unless
 * memory ran out; db_close_v2() takes NULL. */
int	 db_open_v2(const char *path, struct db **out, int flags,
	    const char *vfs);				/* SQLite */
#ifdef HAVE_POSTGRESQL
int	 db_open_pg(const char *conninfo, struct db **out); /* PostgreSQL */
#endif
int	 db_close_v2(struct db *);
/* "sqlite" or "postgresql". */
const char *db_backend_name(struct db *);

/* Statements.  SQL uses ?N for parameter N on both backends. */
int	 db_prepare(struct db *, const char *sql, int nbyte,
	    unsigned flags, struct db_stmt **out, const char **tail);
/* db_prepare() without flags (sqlite3_prepare_v2). */
int	 db_prepare_v2(struct db *, const char *sql, int nbyte,
	    struct db_stmt **out, const char **tail);
int	 db_step(struct db_stmt *);
int	 db_reset(struct db_stmt *);
int	 db_clear_bindings(struct db_stmt *);
int	 db_finalize(struct db_stmt *);		/* takes NULL */

int	 db_bind_int(struct db_stmt *, int idx, int v);
int	 db_bind_int64(struct db_stmt *, int idx, int64_t v);
int	 db_bind_text(struct db_stmt *, int idx, const char *s, int n,
	    db_destructor);
int	 db_bind_blob64(struct db_stmt *, int idx, const void *data,
	    uint64_t n, db_destructor);
int	 db_bind_zeroblob64(struct db_stmt *, int idx, uint64_t n);
int	 db_bind_null(struct db_stmt *, int idx);

int			 db_column_int(struct db_stmt *, int col);
int64_t			 db_column_int64(struct db_stmt *, int col);
const unsigned char	*db_column_text(struct db_stmt *, int col);
const void		*db_column_blob(struct db_stmt *, int col);
int			 db_column_bytes(struct db_stmt *, int col);
int			 db_column_type(struct db_stmt *, int col);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int	 db_changes(struct db *);
/* The id of the last inserted row (SQLite's rowid, PostgreSQL's
 * lastval()). */
int64_t	 db_last_insert_id(struct db *);
/* Runs constant SQL, maybe several statements.  CB, ARG and ERRMSG
 * must be NULL: they are there so sqlite3_exec() converts by rename. */
int	 db_exec(struct db *, const char *sql, void *cb, void *arg,
	    char **errmsg);
const char *db_errmsg(struct db *);
int	 db_errcode(struct db *);
const char *db_errstr(int rc);		/* static text for a code */
/* 1 outside a transaction. */
int	 db_get_autocommit(struct db *);

/* Connection settings (PostgreSQL: lock_timeout; the rest no-ops). */
int	 db_busy_timeout(struct db *, int ms);
int	 db_extended_result_codes(struct db *, int onoff);
/* 1 if the database is open read-only, 0 if not, -1 if unknown. */
int	 db_db_readonly(struct db *, const char *name);
/* The database file, or NULL (PostgreSQL, memory). */
const char *db_db_filename(struct db *, const char *name);

/* Incremental blob I/O into a row written with db_bind_zeroblob64()
 * (SQLite only for now: PostgreSQL answers DB_MISUSE). */
int	 db_blob_open(struct db *, const char *dbname, const char *table,
	    const char *column, int64_t row, int flags, struct db_blob **out);
int	 db_blob_write(struct db_blob *, const void *data, int n, int off);
/* Reads N bytes at OFF of a blob opened with flags 0 (SQLite only). */
int	 db_blob_read(struct db_blob *, void *buf, int n, int off);
int	 db_blob_close(struct db_blob *);		/* takes NULL */

/* --- dialect: one function per difference ----------------------------- */

enum db_begin {
	DB_BEGIN_IMMEDIATE,	/* a writer: take the write lock now */
	DB_BEGIN_EXCLUSIVE,	/* a migration: nobody else meanwhile */
};
/* The SQL that starts such a transaction (a static string, so the
 * store may cache its statement by pointer). */
const char *db_sql_begin(struct db *, enum db_begin);
/* 1 if SELECT ... FOR UPDATE SKIP LOCKED locks rows (PostgreSQL), so
 * that several writers may claim rows at once; 0 if a writer holds
 * the whole database (SQLite's BEGIN IMMEDIATE) and must not say it. */
int	 db_row_locks(struct db *);
/* How messages are searched (store_schema.c, store_web.c):
 * DB_FTS5, SQLite's FTS5 table messages_fts (MATCH, highlight()), or
 * DB_FTS_TSVECTOR, PostgreSQL's stored tsvector column messages.fts
 * with a GIN index ('simple'; @@ plainto_tsquery(), ts_headline()).
 * The store's query, a quoted term per word (store_web_fts_query()),
 * reads as plain words there. */
enum db_fts {
	DB_FTS5,
	DB_FTS_TSVECTOR,
};
enum db_fts db_fts(struct db *);
/* The schema version: SQLite's PRAGMA user_version, a table on
 * PostgreSQL (0 while there is none). */
int	 db_user_version(struct db *, int *out);
int	 db_set_user_version(struct db *, int v);
/* Foreign-key enforcement on or off (SQLite's PRAGMA foreign_keys;
 * PostgreSQL always enforces them). */
int	 db_foreign_keys(struct db *, int on);
/* *dangling = 1 if some row points at a missing parent. */
int	 db_foreign_key_check(struct db *, int *dangling);
/* A commit is durable once it returns (SQLite: WAL, synchronous
 * FULL; PostgreSQL: the server's synchronous_commit). */
int	 db_durable(struct db *);
/* Settings for a long batch of savepoints (SQLite: in-memory temp
 * store, a larger cache). */
int	 db_bulk(struct db *);
/* TABLE's stored columns in their order, generated ones left out (a
 * copy names them; postdesk migrate); *out NULL-terminated, g_strfreev.
 * An unknown table has none. */
int	 db_columns(struct db *, const char *table, char ***out);
/* After rows were inserted with explicit ids: the next id the database
 * assigns to TABLE.COLUMN is past the largest one (PostgreSQL: setval
 * of the identity's sequence; SQLite's rowid does it by itself). */
int	 db_set_next_id(struct db *, const char *table, const char *column);

#ifdef HAVE_POSTGRESQL
/* CONNINFO (a URL or key=value string, libpq's syntax) as a key=value
 * string without its secrets (password, sslpassword), for a command
 * line to show; NULL if it does not parse.  g_free. */
char	*db_pg_conninfo_public(const char *conninfo);
#endif

#endif
