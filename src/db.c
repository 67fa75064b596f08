/*
 * db: the calls of db.h, each handed to the backend that owns the
 * connection or statement (db_sqlite.c, db_pg.c).
 */
#include "pdconfig.h"

#include <stddef.h>

#include "db-priv.h"

int
db_close_v2(struct db *db)
{
	return db != NULL ? db->ops->close(db) : DB_OK;
}

const char *
db_backend_name(struct db *db)
{
	return db->ops->name;
}

int
db_prepare(struct db *db, const char *sql, int nbyte, unsigned flags,
    struct db_stmt **out, const char **tail)
{
	return db->ops->prepare(db, sql, nbyte, flags, out, tail);
}

int
db_prepare_v2(struct db *db, const char *sql, int nbyte,
    struct db_stmt **out, const char **tail)
{
	return db->ops->prepare(db, sql, nbyte, 0, out, tail);
}

int
db_step(struct db_stmt *st)
{
	return st->ops->step(st);
}

int
db_reset(struct db_stmt *st)
{
	return st->ops->reset(st);
}

int
db_clear_bindings(struct db_stmt *st)
{
	return st->ops->clear_bindings(st);
}

int
db_finalize(struct db_stmt *st)
{
	return st != NULL ? st->ops->finalize(st) : DB_OK;
}

int
db_bind_int(struct db_stmt *st, int idx, int v)
{
	return st->ops->bind_int64(st, idx, v);
}

int
db_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	return st->ops->bind_int64(st, idx, v);
}

int
db_bind_text(struct db_stmt *st, int idx, const char *s, int n,
    db_destructor d)
{
	return st->ops->bind_text(st, idx, s, n, d);
}

int
db_bind_blob64(struct db_stmt *st, int idx, const void *data, uint64_t n,
    db_destructor d)
{
	return st->ops->bind_blob64(st, idx, data, n, d);
}

int
db_bind_zeroblob64(struct db_stmt *st, int idx, uint64_t n)
{
	return st->ops->bind_zeroblob64(st, idx, n);
}

int
db_bind_null(struct db_stmt *st, int idx)
{
	return st->ops->bind_null(st, idx);
}

int
db_column_int(struct db_stmt *st, int col)
{
	return (int)st->ops->column_int64(st, col);
}

int64_t
db_column_int64(struct db_stmt *st, int col)
{
	return st->ops->column_int64(st, col);
}

const unsigned char *
db_column_text(struct db_stmt *st, int col)
{
	return st->ops->column_text(st, col);
}

const void *
db_column_blob(struct db_stmt *st, int col)
{
	return st->ops->column_blob(st, col);
}

int
db_column_bytes(struct db_stmt *st, int col)
{
	return st->ops->column_bytes(st, col);
}

int
db_column_type(struct db_stmt *st, int col)
{
	return st->ops->column_type(st, col);
}

int
db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int64_t
db_last_insert_id(struct db *db)
{
	return db->ops->last_insert_id(db);
}

int
db_exec(struct db *db, const char *sql, void *cb, void *arg, char **errmsg)
{
	if (cb != NULL || arg != NULL || errmsg != NULL)
		return DB_MISUSE;
	return db->ops->exec(db, sql);
}

const char *
db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}

int
db_errcode(struct db *db)
{
	return db->ops->errcode(db);
}

int
db_get_autocommit(struct db *db)
{
	return db->ops->get_autocommit(db);
}

int
db_busy_timeout(struct db *db, int ms)
{
	return db->ops->busy_timeout(db, ms);
}

int
db_extended_result_codes(struct db *db, int onoff)
{
	return db->ops->extended_result_codes(db, onoff);
}

int
db_db_readonly(struct db *db, const char *name)
{
	return db->ops->db_readonly(db, name);
}

const char *
db_db_filename(struct db *db, const char *name)
{
	return db->ops->db_filename(db, name);
}

int
db_blob_open(struct db *db, const char *dbname, const char *table,
    const char *column, int64_t row, int flags, struct db_blob **out)
{
	return db->ops->blob_open(db, dbname, table, column, row, flags, out);
}

int
db_blob_write(struct db_blob *b, const void *data, int n, int off)
{
	return b->ops->blob_write(b, data, n, off);
}

int
db_blob_read(struct db_blob *b, void *buf, int n, int off)
{
	return b->ops->blob_read(b, buf, n, off);
}

int
db_blob_close(struct db_blob *b)
{
	return b != NULL ? b->ops->blob_close(b) : DB_OK;
}

const char *
db_sql_begin(struct db *db, enum db_begin kind)
{
	return db->ops->sql_begin(kind);
}

int
db_row_locks(struct db *db)
{
	return db->ops->row_locks();
}

enum db_fts
db_fts(struct db *db)
{
	return db->ops->fts();
}

int
db_user_version(struct db *db, int *out)
{
	return db->ops->user_version(db, out);
}

int
db_set_user_version(struct db *db, int v)
{
	return db->ops->set_user_version(db, v);
}

int
db_foreign_keys(struct db *db, int on)
{
	return db->ops->foreign_keys(db, on);
}

int
db_foreign_key_check(struct db *db, int *dangling)
{
	return db->ops->foreign_key_check(db, dangling);
}

int
db_durable(struct db *db)
{
	return db->ops->durable(db);
}

int
db_bulk(struct db *db)
{
	return db->ops->bulk(db);
}

int
db_columns(struct db *db, const char *table, char ***out)
{
	return db->ops->columns(db, table, out);
}

int
db_set_next_id(struct db *db, const char *table, const char *column)
{
	return db->ops->set_next_id(db, table, column);
}
