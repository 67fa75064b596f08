/*
 * store: connection, transactions and error mapping.
 * Tickets live in store_ticket.c, messages in store_message.c, blobs
 * in store_blob.c, the schema in store_schema.c.
 */
#include "pdconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "runas.h"
#include "store-priv.h"

bool	 store_schema_migrate(struct store *, int from, GError **err);

G_DEFINE_QUARK(postdesk-store-error-quark, store_error)

bool
store_error_is_transient(const GError *e)
{
	return e != NULL && e->domain == STORE_ERROR &&
	    (e->code == STORE_ERROR_BUSY || e->code == STORE_ERROR_IO);
}

static enum store_error_code
rc_to_code(int rc)
{
	switch (rc & 0xff) {
	case DB_BUSY:
	case DB_LOCKED:
		return STORE_ERROR_BUSY;
	case DB_IOERR:
	case DB_FULL:
	case DB_READONLY:
	case DB_CANTOPEN:
	case DB_NOMEM:
	case DB_PROTOCOL:
		return STORE_ERROR_IO;
	case DB_CORRUPT:
	case DB_NOTADB:
		return STORE_ERROR_CORRUPT;
	case DB_CONSTRAINT:
		return STORE_ERROR_CONSTRAINT;
	default:
		return STORE_ERROR_OTHER;
	}
}

/* "FILE is owned by USER:GROUP, mode 0644" */
static char *
describe_file(const char *file, const struct stat *st)
{
	struct passwd	*pw = getpwuid(st->st_uid);
	struct group	*gr = getgrgid(st->st_gid);
	char		 u[32], g[32];

	g_snprintf(u, sizeof u, "%u", (unsigned)st->st_uid);
	g_snprintf(g, sizeof g, "%u", (unsigned)st->st_gid);
	return g_strdup_printf("%s is owned by %s:%s, mode %04o", file,
	    pw != NULL ? pw->pw_name : u, gr != NULL ? gr->gr_name : g,
	    (unsigned)(st->st_mode & 07777));
}

/*
 * SQLite says only "attempt to write a readonly database" or "unable to
 * open": name the file we cannot write (the database, its -wal or -shm,
 * or the directory they must be created in), its owner and mode, and
 * who we are, so the admin sees the fix.  NULL if all looks writable.
 */
static char *
unwritable_hint(const char *path)
{
	const char	*sfx[] = { "", "-wal", "-shm" };
	struct stat	 st;
	char		*dir, *f, *what = NULL, *me, *hint;
	bool		 missing = false;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(sfx) && what == NULL; i++) {
		f = g_strconcat(path, sfx[i], NULL);
		if (stat(f, &st) == -1)
			missing = true;
		else if (faccessat(AT_FDCWD, f, R_OK | W_OK, AT_EACCESS) == -1)
			what = describe_file(f, &st);
		g_free(f);
	}
	dir = g_path_get_dirname(path);
	if (what == NULL && missing && stat(dir, &st) == 0 &&
	    faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == -1)
		what = describe_file(dir, &st);
	g_free(dir);
	if (what == NULL)
		return NULL;
	me = runas_describe_self();
	hint = g_strdup_printf("%s, and this program runs as %s; the "
	    "state directory and its files must be writable by the postdesk "
	    "user and group (postdesk.8, PERMISSIONS)", what, me);
	g_free(me);
	g_free(what);
	return hint;
}

/* Appends the hint to an I/O error of opening PATH; the code stays
 * STORE_ERROR_IO, so ingest still exits 75. */
static void
add_hint(GError *e, const char *path)
{
	char	*hint, *m;

	if (e == NULL || e->domain != STORE_ERROR ||
	    e->code != STORE_ERROR_IO || (hint = unwritable_hint(path)) == NULL)
		return;
	m = g_strdup_printf("%s (%s)", e->message, hint);
	g_free(e->message);
	e->message = m;
	g_free(hint);
}

/* Errors that mean "this user may not write that file". */
static bool
is_permission_rc(int rc)
{
	rc &= 0xff;
	return rc == DB_READONLY || rc == DB_CANTOPEN ||
	    rc == DB_PERM || rc == DB_AUTH;
}

bool
store_fail(struct store *s, int rc, GError **err)
{
	g_set_error(err, STORE_ERROR, rc_to_code(rc), "database: %s",
	    s->db != NULL ? db_errmsg(s->db) : db_errstr(rc));
	/* A hint names a file: none on a server (db_db_filename NULL). */
	if (s->db != NULL && is_permission_rc(rc) && err != NULL &&
	    db_db_filename(s->db, "main") != NULL)
		add_hint(*err, db_db_filename(s->db, "main"));
	return false;
}

struct db_stmt *
store_stmt(struct store *s, const char *sql, GError **err)
{
	struct db_stmt	*st = g_hash_table_lookup(s->stmts, sql);
	int		 rc;

	if (st != NULL) {
		db_reset(st);
		db_clear_bindings(st);
		return st;
	}
	rc = db_prepare(s->db, sql, -1, DB_PREPARE_PERSISTENT,
	    &st, NULL);
	if (rc != DB_OK) {
		(void)store_fail(s, rc, err);
		return NULL;
	}
	g_hash_table_insert(s->stmts, (gpointer)sql, st);
	return st;
}

bool
store_step_done(struct store *s, struct db_stmt *st, GError **err)
{
	int	 rc = db_step(st);

	if (rc == DB_DONE || rc == DB_ROW) {
		db_reset(st);
		return true;
	}
	(void)store_fail(s, rc, err);
	db_reset(st);
	return false;
}

bool
store_step_found(struct store *s, struct db_stmt *st, bool *found,
    GError **err)
{
	int	 rc = db_step(st);

	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc, err);
	*found = rc == DB_ROW;
	return true;
}

bool
store_step_int64(struct store *s, struct db_stmt *st, int64_t *out,
    bool *found, GError **err)
{
	int	 rc = db_step(st);

	if (rc == DB_ROW)
		*out = db_column_int64(st, 0);
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc, err);
	*found = rc == DB_ROW;
	return true;
}

bool
store_get_one(struct store *s, struct db_stmt *st, store_row_fn row,
    gpointer *out, const char *what, GError **err)
{
	int	 rc = db_step(st);

	if (rc == DB_ROW)
		*out = row(st);
	db_reset(st);
	if (rc == DB_ROW)
		return true;
	if (rc != DB_DONE)
		return store_fail(s, rc, err);
	g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND, "no %s", what);
	return false;
}

bool
store_collect(struct store *s, struct db_stmt *st, store_row_fn row,
    GDestroyNotify free_fn, GPtrArray **out, GError **err)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(free_fn);
	int		 rc;

	while ((rc = db_step(st)) == DB_ROW)
		g_ptr_array_add(a, row(st));
	db_reset(st);
	if (rc != DB_DONE) {
		g_ptr_array_free(a, TRUE);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

char *
store_col_text(struct db_stmt *st, int col)
{
	const unsigned char *t = db_column_text(st, col);

	return t != NULL ? g_strdup((const char *)t) : NULL;
}

void
store_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		db_bind_null(st, idx);
	else
		db_bind_text(st, idx, s, -1, DB_STATIC);
}

static void
stmt_finalize(gpointer p)
{
	db_finalize(p);
}

static bool
exec_const(struct store *s, const char *sql, GError **err)
{
	int	 rc = db_exec(s->db, sql, NULL, NULL, NULL);

	return rc == DB_OK || store_fail(s, rc, err);
}

/* After a migration: no row may point at a missing parent. */
static bool
foreign_keys_hold(struct store *s, GError **err)
{
	int	 dangling, rc = db_foreign_key_check(s->db, &dangling);

	if (rc != DB_OK)
		return store_fail(s, rc, err);
	if (!dangling)
		return true;
	g_set_error(err, STORE_ERROR, STORE_ERROR_CORRUPT,
	    "schema migration left foreign keys dangling");
	return false;
}

static bool
user_version(struct store *s, int *out, GError **err)
{
	int	 rc = db_user_version(s->db, out);

	return rc == DB_OK || store_fail(s, rc, err);
}

static bool
foreign_keys(struct store *s, int on, GError **err)
{
	int	 rc = db_foreign_keys(s->db, on);

	return rc == DB_OK || store_fail(s, rc, err);
}

static bool
setup(struct store *s, GError **err)
{
	int	 version, rc;

	/* Wait for a concurrent writer rather than failing at once, as
	 * long as configured: also for a migration or a WAL recovery. */
	db_busy_timeout(s->db, s->busy_ms);
	if (!foreign_keys(s, 1, err))
		return false;
	if (s->mode == STORE_READONLY) {
		if (!user_version(s, &version, err))
			return false;
		if (version == STORE_SCHEMA_VERSION)
			return true;
		g_set_error(err, STORE_ERROR, STORE_ERROR_SCHEMA,
		    "schema version %d, expected %d: run 'postdesk init'",
		    version, STORE_SCHEMA_VERSION);
		return false;
	}
	/* A commit is durable once it returns (db_durable()). */
	if ((rc = db_durable(s->db)) != DB_OK)
		return store_fail(s, rc, err);
	if (!user_version(s, &version, err))
		return false;
	if (version == STORE_SCHEMA_VERSION)
		return true;
	/*
	 * A migration may rebuild a table others reference, SQLite's
	 * documented way to change a table: foreign keys off meanwhile
	 * (a no-op inside a transaction, so before BEGIN), then checked.
	 */
	if (!foreign_keys(s, 0, err) || !exec_const(s,
	    db_sql_begin(s->db, DB_BEGIN_EXCLUSIVE), err))
		return false;
	if (!user_version(s, &version, err) ||
	    !store_schema_migrate(s, version, err) ||
	    !foreign_keys_hold(s, err) ||
	    !exec_const(s, "COMMIT", err)) {
		(void)db_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return false;
	}
	return foreign_keys(s, 1, err);
}

/*
 * A -wal or -shm that SQLite created while the database was briefly
 * read-only copied its mode (0444): every later write would fail until
 * someone deleted it.  Once the database is writable again, give our
 * own such files the database's mode back.
 */
static void
heal_wal_modes(const char *path)
{
	const char	*sfx[] = { "-wal", "-shm" };
	struct stat	 db, st;
	char		*f;
	size_t		 i;

	if (stat(path, &db) == -1 ||
	    faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) == -1)
		return;
	for (i = 0; i < G_N_ELEMENTS(sfx); i++) {
		f = g_strconcat(path, sfx[i], NULL);
		if (stat(f, &st) == 0 && st.st_uid == geteuid() &&
		    (st.st_mode & 0777) != (db.st_mode & 0777) &&
		    faccessat(AT_FDCWD, f, R_OK | W_OK, AT_EACCESS) == -1)
			(void)chmod(f, db.st_mode & 0777);
		g_free(f);
	}
}

/*
 * SQLite silently falls back to read-only when it cannot open the file
 * for writing; a read then creates -shm with the file's read-only mode.
 * Refuse before any read, as the transient error it is.
 */
static bool
refuse_readonly(struct store *s, const char *path, GError **err)
{
	if (db_db_readonly(s->db, "main") != 1)
		return true;
	g_set_error(err, STORE_ERROR, STORE_ERROR_IO,
	    "%s: database: attempt to write a readonly database", path);
	add_hint(err != NULL ? *err : NULL, path);
	return false;
}

bool
store_open(struct store **out, const char *path, enum store_mode mode,
    GError **err)
{
	return store_open_busy(out, path, mode, STORE_BUSY_TIMEOUT_DEFAULT,
	    err);
}

/* A PostgreSQL URI or libpq KEY=VALUE string, not a file (as
 * config_store_is_server(), which the store does not link). */
static bool
is_server(const char *where)
{
	return g_str_has_prefix(where, "postgresql://") ||
	    g_str_has_prefix(where, "postgres://") ||
	    (where[0] != '/' && strchr(where, '=') != NULL);
}

/* The server's side of store_open_busy(): none of a file's care. */
static bool
open_server(struct store *s, const char *conninfo, GError **err)
{
#ifdef HAVE_POSTGRESQL
	int	 rc = db_open_pg(conninfo, &s->db);

	if (rc != DB_OK) {
		/* Not the conninfo in the message: it may hold a password. */
		g_set_error(err, STORE_ERROR, rc_to_code(rc),
		    "[store] url: %s", s->db != NULL ? db_errmsg(s->db) :
		    db_errstr(rc));
		return false;
	}
	if (!setup(s, err)) {
		g_prefix_error(err, "[store] url: ");
		return false;
	}
	return true;
#else
	(void)s;
	(void)conninfo;
	g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER,
	    "[store] url: built without PostgreSQL "
	    "(./configure --with-postgresql)");
	return false;
#endif
}

bool
store_open_busy(struct store **out, const char *path, enum store_mode mode,
    int busy_ms, GError **err)
{
	struct store	*s = g_new0(struct store, 1);
	int		 flags, rc, fd;

	s->mode = mode;
	s->busy_ms = busy_ms;
	s->stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    stmt_finalize);
	if (is_server(path)) {
		if (!open_server(s, path, err)) {
			store_close(s);
			return false;
		}
		*out = s;
		return true;
	}
	flags = mode == STORE_READONLY ? DB_OPEN_READONLY :
	    DB_OPEN_READWRITE | DB_OPEN_CREATE;
	/*
	 * SQLite creates a database 0644 (less the umask), and its -wal and
	 * -shm files copy that mode: the group could never write.  Create
	 * the file ourselves, 0666 less the umask (0660 under postdesk's
	 * 007), so the web server's user in group postdesk can.
	 */
	if (mode == STORE_READWRITE && (fd = open(path, O_WRONLY | O_CREAT |
	    O_EXCL | O_CLOEXEC, 0666)) != -1)
		close(fd);
	if (mode == STORE_READWRITE)
		heal_wal_modes(path);
	/* A missing database is not worth a retry (SQLite calls it
	 * CANTOPEN, as it does a transient failure): say what to do. */
	if (mode == STORE_READONLY && g_access(path, F_OK) == -1 &&
	    errno == ENOENT) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "%s: no database (create it with \"postdesk init\")",
		    path);
		store_close(s);
		return false;
	}
	rc = db_open_v2(path, &s->db, flags | DB_OPEN_NOMUTEX, NULL);
	if (rc != DB_OK) {
		g_set_error(err, STORE_ERROR, rc_to_code(rc), "%s: %s", path,
		    s->db != NULL ? db_errmsg(s->db) :
		    db_errstr(rc));
		add_hint(err != NULL ? *err : NULL, path);
		store_close(s);
		return false;
	}
	if (mode == STORE_READWRITE && !refuse_readonly(s, path, err)) {
		store_close(s);
		return false;
	}
	db_extended_result_codes(s->db, 1);
	if (!setup(s, err)) {
		g_prefix_error(err, "%s: ", path);
		store_close(s);
		return false;
	}
	*out = s;
	return true;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	g_hash_table_destroy(s->stmts);
	db_close_v2(s->db);
	g_free(s->org_view);
	g_free(s);
}

void
store_set_busy_timeout(struct store *s, int ms)
{
	db_busy_timeout(s->db, ms);
}

int
store_schema_version(struct store *s)
{
	int	 v = -1;

	(void)user_version(s, &v, NULL);
	return v;
}

bool
store_begin(struct store *s, GError **err)
{
	struct db_stmt	*st = store_stmt(s, db_sql_begin(s->db,
	    DB_BEGIN_IMMEDIATE), err);

	return st != NULL && store_step_done(s, st, err);
}

bool
store_commit(struct store *s, GError **err)
{
	struct db_stmt	*st = store_stmt(s, "COMMIT", err);

	if (st != NULL && store_step_done(s, st, err))
		return true;
	store_rollback(s);
	return false;
}

void
store_rollback(struct store *s)
{
	if (!db_get_autocommit(s->db))
		(void)db_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

bool
store_bulk(struct store *s, GError **err)
{
	/* A batch runs each message in a savepoint: db_bulk() keeps
	 * their sub-journals off the disk. */
	int	 rc = db_bulk(s->db);

	return rc == DB_OK || store_fail(s, rc, err);
}

bool
store_savepoint(struct store *s, GError **err)
{
	struct db_stmt	*st = store_stmt(s, "SAVEPOINT unit", err);

	return st != NULL && store_step_done(s, st, err);
}

bool
store_release(struct store *s, GError **err)
{
	struct db_stmt	*st = store_stmt(s, "RELEASE unit", err);

	return st != NULL && store_step_done(s, st, err);
}

void
store_rollback_savepoint(struct store *s)
{
	/* ROLLBACK TO keeps the savepoint open; RELEASE then drops it. */
	(void)db_exec(s->db, "ROLLBACK TO unit; RELEASE unit", NULL,
	    NULL, NULL);
}
