/*
 * db-pg-check: db.h's PostgreSQL backend against the server that
 * 0064-db-pg.t started (PG_CONNINFO).  Built without
 * ./configure --with-postgresql it only exits 77: skip.
 */
#include "pdconfig.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#ifdef HAVE_POSTGRESQL
#include "db.h"

static const char *conninfo;

static struct db *
connect_db(void)
{
	struct db	*db = NULL;
	int		 rc = db_open_pg(conninfo, &db);

	if (rc != DB_OK)
		g_error("connect: %s", db != NULL ? db_errmsg(db) : "no memory");
	return db;
}

static void
exec_ok(struct db *db, const char *sql)
{
	int	 rc = db_exec(db, sql, NULL, NULL, NULL);

	if (rc != DB_OK)
		g_error("%s: %s", sql, db_errmsg(db));
}

static struct db_stmt *
prepare_ok(struct db *db, const char *sql)
{
	struct db_stmt	*st = NULL;

	if (db_prepare(db, sql, -1, DB_PREPARE_PERSISTENT, &st, NULL) !=
	    DB_OK)
		g_error("%s: %s", sql, db_errmsg(db));
	return st;
}

/* A fresh table t in a fresh connection. */
static struct db *
with_table(void)
{
	struct db	*db = connect_db();

	exec_ok(db, "DROP TABLE IF EXISTS t; CREATE TABLE t ("
	    "id bigserial PRIMARY KEY, name text, n bigint, data bytea,"
	    " flag boolean NOT NULL DEFAULT false)");
	return db;
}

static void
test_open(void)
{
	struct db	*db = connect_db();
	struct db	*bad = NULL;

	g_assert_cmpstr(db_backend_name(db), ==, "postgresql");
	g_assert_true(db_get_autocommit(db));
	g_assert_null(db_db_filename(db, "main"));
	db_close_v2(db);
	/* A server that is not there: CANTOPEN, and a message. */
	g_assert_cmpint(db_open_pg("host=/nonexistent port=1 "
	    "connect_timeout=2", &bad), ==, DB_CANTOPEN);
	g_assert_nonnull(strstr(db_errmsg(bad), "/nonexistent"));
	db_close_v2(bad);
}

static void
test_insert_select(void)
{
	struct db	*db = with_table();
	struct db_stmt	*ins, *sel;
	const unsigned char *txt;
	guint8		 bin[] = { 0, 1, 2, 0xff, 0, 'x' };

	ins = prepare_ok(db, "INSERT INTO t (name, n, data, flag) "
	    "VALUES (?1, ?2, ?3, ?4)");
	g_assert_cmpint(db_bind_text(ins, 1, "Jörg", -1, DB_STATIC), ==,
	    DB_OK);
	g_assert_cmpint(db_bind_int64(ins, 2, G_GINT64_CONSTANT(1) << 40),
	    ==, DB_OK);
	g_assert_cmpint(db_bind_blob64(ins, 3, bin, sizeof bin, DB_STATIC),
	    ==, DB_OK);
	g_assert_cmpint(db_bind_int(ins, 4, 1), ==, DB_OK);
	g_assert_cmpint(db_step(ins), ==, DB_DONE);
	g_assert_cmpint(db_changes(db), ==, 1);
	g_assert_cmpint(db_last_insert_id(db), ==, 1);
	/* Reset keeps the bindings; a rebound parameter replaces one. */
	db_reset(ins);
	db_bind_null(ins, 1);
	db_bind_text(ins, 2, "7", 1, DB_TRANSIENT);
	db_bind_int(ins, 4, 0);
	g_assert_cmpint(db_step(ins), ==, DB_DONE);
	g_assert_cmpint(db_last_insert_id(db), ==, 2);
	/* An out-of-range parameter is refused, as SQLite does. */
	g_assert_cmpint(db_bind_int(ins, 5, 0), ==, DB_RANGE);

	sel = prepare_ok(db, "SELECT id, name, n, data, flag, '?' "
	    "FROM t WHERE id >= ? ORDER BY id");
	db_bind_int64(sel, 1, 1);
	g_assert_cmpint(db_step(sel), ==, DB_ROW);
	g_assert_cmpint(db_column_int64(sel, 0), ==, 1);
	g_assert_cmpint(db_column_type(sel, 0), ==, DB_INTEGER);
	txt = db_column_text(sel, 1);
	g_assert_cmpstr((const char *)txt, ==, "Jörg");
	g_assert_cmpint(db_column_type(sel, 1), ==, DB_TEXT);
	g_assert_cmpint(db_column_int64(sel, 2), ==,
	    G_GINT64_CONSTANT(1) << 40);
	g_assert_cmpint(db_column_type(sel, 3), ==, DB_BLOB);
	g_assert_cmpint(db_column_bytes(sel, 3), ==, sizeof bin);
	g_assert_cmpmem(db_column_blob(sel, 3), sizeof bin, bin, sizeof bin);
	g_assert_cmpint(db_column_int(sel, 4), ==, 1);
	/* A ? inside a string literal is text, not a parameter. */
	g_assert_cmpstr((const char *)db_column_text(sel, 5), ==, "?");
	g_assert_cmpint(db_step(sel), ==, DB_ROW);
	g_assert_cmpint(db_column_type(sel, 1), ==, DB_NULL);
	g_assert_null(db_column_text(sel, 1));
	g_assert_cmpint(db_column_int64(sel, 2), ==, 7);
	g_assert_cmpint(db_column_int(sel, 4), ==, 0);
	g_assert_cmpint(db_step(sel), ==, DB_DONE);
	/* After a reset the statement runs again, with its binding. */
	db_reset(sel);
	g_assert_cmpint(db_step(sel), ==, DB_ROW);
	db_clear_bindings(sel);
	db_reset(sel);
	/* Cleared: ?1 is NULL, so no row. */
	g_assert_cmpint(db_step(sel), ==, DB_DONE);
	db_finalize(sel);
	db_finalize(ins);
	db_close_v2(db);
}

static void
test_big_blob(void)
{
	struct db	*db = with_table();
	struct db_stmt	*st;
	gsize		 n = 3 * 1024 * 1024 + 7, i;
	guint8		*big = g_malloc(n);

	for (i = 0; i < n; i++)
		big[i] = (guint8)(i * 31 + (i >> 8));
	st = prepare_ok(db, "INSERT INTO t (data) VALUES (?1)");
	db_bind_blob64(st, 1, big, n, DB_STATIC);
	g_assert_cmpint(db_step(st), ==, DB_DONE);
	db_finalize(st);
	st = prepare_ok(db, "SELECT data, length(data) FROM t");
	g_assert_cmpint(db_step(st), ==, DB_ROW);
	g_assert_cmpint(db_column_int64(st, 1), ==, (gint64)n);
	g_assert_cmpint(db_column_bytes(st, 0), ==, (int)n);
	g_assert_true(memcmp(db_column_blob(st, 0), big, n) == 0);
	db_finalize(st);
	g_free(big);
	db_close_v2(db);
}

static void
test_errors(void)
{
	struct db	*db = with_table();
	struct db_stmt	*st = NULL;

	exec_ok(db, "INSERT INTO t (id) VALUES (1)");
	st = prepare_ok(db, "INSERT INTO t (id) VALUES (?1)");
	db_bind_int64(st, 1, 1);
	g_assert_cmpint(db_step(st), ==, DB_CONSTRAINT);
	g_assert_cmpint(db_errcode(db), ==, DB_CONSTRAINT);
	g_assert_nonnull(strstr(db_errmsg(db), "duplicate key"));
	db_finalize(st);
	/* A syntax error fails at prepare, with the server's words. */
	st = NULL;
	g_assert_cmpint(db_prepare(db, "SELEKT 1", -1, 0, &st, NULL), ==,
	    DB_ERROR);
	g_assert_null(st);
	g_assert_nonnull(strstr(db_errmsg(db), "syntax error"));
	db_close_v2(db);
}

static void
test_transactions(void)
{
	struct db	*db = with_table();
	struct db_stmt	*st;
	int64_t		 n;

	exec_ok(db, db_sql_begin(db, DB_BEGIN_IMMEDIATE));
	g_assert_false(db_get_autocommit(db));
	exec_ok(db, "INSERT INTO t (name) VALUES ('gone')");
	exec_ok(db, "SAVEPOINT unit");
	exec_ok(db, "INSERT INTO t (name) VALUES ('also gone')");
	exec_ok(db, "ROLLBACK TO unit; RELEASE unit");
	exec_ok(db, "ROLLBACK");
	g_assert_true(db_get_autocommit(db));
	st = prepare_ok(db, "SELECT count(*) FROM t");
	g_assert_cmpint(db_step(st), ==, DB_ROW);
	n = db_column_int64(st, 0);
	g_assert_cmpint(n, ==, 0);
	db_finalize(st);
	db_close_v2(db);
}

/* A concurrent update and a held lock are DB_BUSY: transient, as the
 * store's SQLITE_BUSY. */
static void
test_busy(void)
{
	struct db	*a = with_table(), *b = connect_db();
	struct db_stmt	*st;

	exec_ok(a, "INSERT INTO t (id, n) VALUES (1, 0)");
	exec_ok(a, "BEGIN ISOLATION LEVEL REPEATABLE READ; "
	    "SELECT n FROM t WHERE id = 1");
	exec_ok(b, "UPDATE t SET n = n + 1 WHERE id = 1");
	g_assert_cmpint(db_exec(a, "UPDATE t SET n = 5 WHERE id = 1", NULL,
	    NULL, NULL), ==, DB_BUSY);
	g_assert_nonnull(strstr(db_errmsg(a), "serialize"));
	exec_ok(a, "ROLLBACK");

	/* b waits at most its busy timeout for a's row lock. */
	exec_ok(a, "BEGIN; UPDATE t SET n = 9 WHERE id = 1");
	g_assert_cmpint(db_busy_timeout(b, 200), ==, DB_OK);
	st = prepare_ok(b, "UPDATE t SET n = ?1 WHERE id = 1");
	db_bind_int(st, 1, 10);
	g_assert_cmpint(db_step(st), ==, DB_BUSY);
	db_finalize(st);
	exec_ok(a, "COMMIT");
	db_close_v2(b);
	db_close_v2(a);
}

static void
test_user_version(void)
{
	struct db	*db = connect_db();
	int		 v = -1;

	exec_ok(db, "DROP TABLE IF EXISTS postdesk_schema");
	g_assert_cmpint(db_user_version(db, &v), ==, DB_OK);
	g_assert_cmpint(v, ==, 0);
	g_assert_cmpint(db_set_user_version(db, 17), ==, DB_OK);
	g_assert_cmpint(db_set_user_version(db, 18), ==, DB_OK);
	g_assert_cmpint(db_user_version(db, &v), ==, DB_OK);
	g_assert_cmpint(v, ==, 18);
	db_close_v2(db);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	conninfo = g_getenv("PG_CONNINFO");
	if (conninfo == NULL) {
		g_printerr("db-pg-check: PG_CONNINFO is not set "
		    "(run tests/integration/0064-db-pg.t)\n");
		return 2;
	}
	g_test_add_func("/db-pg/open", test_open);
	g_test_add_func("/db-pg/insert-select", test_insert_select);
	g_test_add_func("/db-pg/big-blob", test_big_blob);
	g_test_add_func("/db-pg/errors", test_errors);
	g_test_add_func("/db-pg/transactions", test_transactions);
	g_test_add_func("/db-pg/busy", test_busy);
	g_test_add_func("/db-pg/user-version", test_user_version);
	return g_test_run();
}
#else

int
main(void)
{
	g_printerr("db-pg-check: built without ./configure "
	    "--with-postgresql\n");
	return 77;
}
#endif
