/*
 * db_sqlite: the SQLite backend of db.h, the embedded default.  Each
 * call is the sqlite3_* call of the same name; the dialect calls are
 * SQLite's PRAGMAs.  The only file besides store_backup.c (SQLite's
 * online backup) and the unit tests that includes sqlite3.h.
 */
#include "pdconfig.h"

#include <glib.h>
#include <sqlite3.h>

#include "db-priv.h"
#include "db_sqlite.h"

/* db.h promises SQLite's numbers: a code passes through unchanged. */
G_STATIC_ASSERT(DB_OK == SQLITE_OK && DB_ERROR == SQLITE_ERROR);
G_STATIC_ASSERT(DB_PERM == SQLITE_PERM && DB_BUSY == SQLITE_BUSY);
G_STATIC_ASSERT(DB_LOCKED == SQLITE_LOCKED && DB_NOMEM == SQLITE_NOMEM);
G_STATIC_ASSERT(DB_READONLY == SQLITE_READONLY);
G_STATIC_ASSERT(DB_IOERR == SQLITE_IOERR && DB_CORRUPT == SQLITE_CORRUPT);
G_STATIC_ASSERT(DB_FULL == SQLITE_FULL && DB_CANTOPEN == SQLITE_CANTOPEN);
G_STATIC_ASSERT(DB_PROTOCOL == SQLITE_PROTOCOL);
G_STATIC_ASSERT(DB_CONSTRAINT == SQLITE_CONSTRAINT);
G_STATIC_ASSERT(DB_MISUSE == SQLITE_MISUSE && DB_AUTH == SQLITE_AUTH);
G_STATIC_ASSERT(DB_NOTADB == SQLITE_NOTADB && DB_RANGE == SQLITE_RANGE);
G_STATIC_ASSERT(DB_ROW == SQLITE_ROW && DB_DONE == SQLITE_DONE);
G_STATIC_ASSERT(DB_INTEGER == SQLITE_INTEGER && DB_FLOAT == SQLITE_FLOAT);
G_STATIC_ASSERT(DB_TEXT == SQLITE_TEXT && DB_BLOB == SQLITE_BLOB);
G_STATIC_ASSERT(DB_NULL == SQLITE_NULL);
G_STATIC_ASSERT(DB_OPEN_READONLY == SQLITE_OPEN_READONLY);
G_STATIC_ASSERT(DB_OPEN_READWRITE == SQLITE_OPEN_READWRITE);
G_STATIC_ASSERT(DB_OPEN_CREATE == SQLITE_OPEN_CREATE);
G_STATIC_ASSERT(DB_OPEN_NOMUTEX == SQLITE_OPEN_NOMUTEX);
G_STATIC_ASSERT(DB_PREPARE_PERSISTENT == SQLITE_PREPARE_PERSISTENT);

struct sq_db {
	struct db	 base;
	sqlite3		*h;
};

struct sq_stmt {
	struct db_stmt	 base;
	sqlite3_stmt	*h;
};

struct sq_blob {
	struct db_blob	 base;
	sqlite3_blob	*h;
};

#define H(db)	(((struct sq_db *)(db))->h)
#define S(st)	(((struct sq_stmt *)(st))->h)

static const struct db_ops sq_ops;

/* db.h's destructors are SQLite's (0 static, -1 transient). */
static sqlite3_destructor_type
sq_destructor(db_destructor d)
{
	if (d == DB_STATIC)
		return SQLITE_STATIC;
	if (d == DB_TRANSIENT)
		return SQLITE_TRANSIENT;
	return d;
}

int
db_open_v2(const char *path, struct db **out, int flags, const char *vfs)
{
	struct sq_db	*db;
	sqlite3		*h = NULL;
	int		 rc;

	rc = sqlite3_open_v2(path, &h, flags, vfs);
	if (h == NULL) {
		*out = NULL;
		return rc;
	}
	db = g_new0(struct sq_db, 1);
	db->base.ops = &sq_ops;
	db->h = h;
	*out = &db->base;
	return rc;
}

sqlite3 *
db_sqlite_handle(struct db *db)
{
	return db != NULL && db->ops == &sq_ops ? H(db) : NULL;
}

const char *
db_errstr(int rc)
{
	return sqlite3_errstr(rc);
}

static int
sq_close(struct db *db)
{
	int	 rc = sqlite3_close_v2(H(db));

	g_free(db);
	return rc;
}

static int
sq_prepare(struct db *db, const char *sql, int nbyte, unsigned flags,
    struct db_stmt **out, const char **tail)
{
	struct sq_stmt	*st;
	sqlite3_stmt	*h = NULL;
	int		 rc;

	rc = sqlite3_prepare_v3(H(db), sql, nbyte, flags, &h, tail);
	if (h == NULL) {
		*out = NULL;
		return rc;
	}
	st = g_new0(struct sq_stmt, 1);
	st->base.ops = &sq_ops;
	st->h = h;
	*out = &st->base;
	return rc;
}

static int
sq_step(struct db_stmt *st)
{
	return sqlite3_step(S(st));
}

static int
sq_reset(struct db_stmt *st)
{
	return sqlite3_reset(S(st));
}

static int
sq_clear_bindings(struct db_stmt *st)
{
	return sqlite3_clear_bindings(S(st));
}

static int
sq_finalize(struct db_stmt *st)
{
	int	 rc = sqlite3_finalize(S(st));

	g_free(st);
	return rc;
}

static int
sq_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	return sqlite3_bind_int64(S(st), idx, v);
}

static int
sq_bind_text(struct db_stmt *st, int idx, const char *s, int n,
    db_destructor d)
{
	return sqlite3_bind_text(S(st), idx, s, n, sq_destructor(d));
}

static int
sq_bind_blob64(struct db_stmt *st, int idx, const void *data, uint64_t n,
    db_destructor d)
{
	return sqlite3_bind_blob64(S(st), idx, data, n, sq_destructor(d));
}

static int
sq_bind_zeroblob64(struct db_stmt *st, int idx, uint64_t n)
{
	return sqlite3_bind_zeroblob64(S(st), idx, n);
}

static int
sq_bind_null(struct db_stmt *st, int idx)
{
	return sqlite3_bind_null(S(st), idx);
}

static int64_t
sq_column_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(S(st), col);
}

static const unsigned char *
sq_column_text(struct db_stmt *st, int col)
{
	return sqlite3_column_text(S(st), col);
}

static const void *
sq_column_blob(struct db_stmt *st, int col)
{
	return sqlite3_column_blob(S(st), col);
}

static int
sq_column_bytes(struct db_stmt *st, int col)
{
	return sqlite3_column_bytes(S(st), col);
}

static int
sq_column_type(struct db_stmt *st, int col)
{
	return sqlite3_column_type(S(st), col);
}

static int
sq_changes(struct db *db)
{
	return sqlite3_changes(H(db));
}

static int64_t
sq_last_insert_id(struct db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}

static int
sq_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(H(db), sql, NULL, NULL, NULL);
}

static const char *
sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(H(db));
}

static int
sq_errcode(struct db *db)
{
	return sqlite3_errcode(H(db));
}

static int
sq_get_autocommit(struct db *db)
{
	return sqlite3_get_autocommit(H(db));
}

static int
sq_busy_timeout(struct db *db, int ms)
{
	return sqlite3_busy_timeout(H(db), ms);
}

static int
sq_extended_result_codes(struct db *db, int onoff)
{
	return sqlite3_extended_result_codes(H(db), onoff);
}

static int
sq_db_readonly(struct db *db, const char *name)
{
	return sqlite3_db_readonly(H(db), name);
}

static const char *
sq_db_filename(struct db *db, const char *name)
{
	return sqlite3_db_filename(H(db), name);
}

static int
sq_blob_open(struct db *db, const char *dbname, const char *table,
    const char *column, int64_t row, int flags, struct db_blob **out)
{
	struct sq_blob	*b;
	sqlite3_blob	*h = NULL;
	int		 rc;

	rc = sqlite3_blob_open(H(db), dbname, table, column, row, flags, &h);
	if (h == NULL) {
		*out = NULL;
		return rc;
	}
	b = g_new0(struct sq_blob, 1);
	b->base.ops = &sq_ops;
	b->h = h;
	*out = &b->base;
	return rc;
}

static int
sq_blob_write(struct db_blob *b, const void *data, int n, int off)
{
	return sqlite3_blob_write(((struct sq_blob *)b)->h, data, n, off);
}

static int
sq_blob_read(struct db_blob *b, void *buf, int n, int off)
{
	return sqlite3_blob_read(((struct sq_blob *)b)->h, buf, n, off);
}

static int
sq_blob_close(struct db_blob *b)
{
	int	 rc = sqlite3_blob_close(((struct sq_blob *)b)->h);

	g_free(b);
	return rc;
}

/* --- dialect ------------------------------------------------------------ */

static const char *
sq_sql_begin(enum db_begin kind)
{
	return kind == DB_BEGIN_EXCLUSIVE ? "BEGIN EXCLUSIVE" :
	    "BEGIN IMMEDIATE";
}

static int
sq_row_locks(void)
{
	return 0;
}

static enum db_fts
sq_fts(void)
{
	return DB_FTS5;
}

/* Steps a PRAGMA once: DB_ROW (and *out = its first column as an int),
 * DB_DONE, or the error. */
static int
pragma_step(struct db *db, const char *sql, int *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(H(db), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int
sq_user_version(struct db *db, int *out)
{
	int	 rc = pragma_step(db, "PRAGMA user_version", out);

	return rc == SQLITE_ROW ? SQLITE_OK : rc == SQLITE_DONE ?
	    SQLITE_ERROR : rc;
}

static int
sq_set_user_version(struct db *db, int v)
{
	char	*sql;
	int	 rc;

	/* A PRAGMA takes no parameter; V is an int, not input. */
	sql = g_strdup_printf("PRAGMA user_version = %d", v);
	rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL);
	g_free(sql);
	return rc;
}

static int
sq_foreign_keys(struct db *db, int on)
{
	return sqlite3_exec(H(db), on ? "PRAGMA foreign_keys = ON" :
	    "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
}

static int
sq_foreign_key_check(struct db *db, int *dangling)
{
	int	 ignored, rc;

	/* Each row names a dangling reference: none if DONE at once. */
	rc = pragma_step(db, "PRAGMA foreign_key_check", &ignored);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	*dangling = rc == SQLITE_ROW;
	return SQLITE_OK;
}

static int
sq_durable(struct db *db)
{
	int	 rc;

	/* WAL + FULL: a commit is durable once it returns. */
	rc = sqlite3_exec(H(db), "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK)
		return rc;
	return sqlite3_exec(H(db), "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL);
}

static int
sq_bulk(struct db *db)
{
	int	 rc;

	/*
	 * Each message of a batch runs in a savepoint, whose sub-journal
	 * (the pages' old images, for ROLLBACK TO) is a temp file by
	 * default: 100+ KB written per message.  In memory it costs
	 * nothing on disk; a larger cache keeps a batch's pages too.
	 */
	rc = sqlite3_exec(H(db), "PRAGMA temp_store = MEMORY", NULL, NULL,
	    NULL);
	if (rc != SQLITE_OK)
		return rc;
	return sqlite3_exec(H(db), "PRAGMA cache_size = -65536", NULL, NULL,
	    NULL);
}

static int
sq_columns(struct db *db, const char *table, char ***out)
{
	GPtrArray	*a = g_ptr_array_new();
	sqlite3_stmt	*st;
	int		 rc;

	/* hidden 0: stored; 2 and 3 are generated columns. */
	rc = sqlite3_prepare_v2(H(db), "SELECT name FROM "
	    "pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid", -1, &st,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		g_ptr_array_add(a, g_strdup((const char *)
		    sqlite3_column_text(st, 0)));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	g_ptr_array_add(a, NULL);
	if (rc != SQLITE_DONE) {
		g_strfreev((char **)g_ptr_array_free(a, FALSE));
		return rc;
	}
	*out = (char **)g_ptr_array_free(a, FALSE);
	return SQLITE_OK;
}

/* A rowid's next value is max + 1 by itself. */
static int
sq_set_next_id(struct db *db, const char *table, const char *column)
{
	return SQLITE_OK;
}

static const struct db_ops sq_ops = {
	.name = "sqlite",
	.close = sq_close,
	.prepare = sq_prepare,
	.step = sq_step,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.finalize = sq_finalize,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_blob64 = sq_bind_blob64,
	.bind_zeroblob64 = sq_bind_zeroblob64,
	.bind_null = sq_bind_null,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.column_bytes = sq_column_bytes,
	.column_type = sq_column_type,
	.changes = sq_changes,
	.last_insert_id = sq_last_insert_id,
	.exec = sq_exec,
	.errmsg = sq_errmsg,
	.errcode = sq_errcode,
	.get_autocommit = sq_get_autocommit,
	.busy_timeout = sq_busy_timeout,
	.extended_result_codes = sq_extended_result_codes,
	.db_readonly = sq_db_readonly,
	.db_filename = sq_db_filename,
	.blob_open = sq_blob_open,
	.blob_write = sq_blob_write,
	.blob_read = sq_blob_read,
	.blob_close = sq_blob_close,
	.sql_begin = sq_sql_begin,
	.row_locks = sq_row_locks,
	.fts = sq_fts,
	.user_version = sq_user_version,
	.set_user_version = sq_set_user_version,
	.foreign_keys = sq_foreign_keys,
	.foreign_key_check = sq_foreign_key_check,
	.durable = sq_durable,
	.bulk = sq_bulk,
	.columns = sq_columns,
	.set_next_id = sq_set_next_id,
};
