/*
 * db_pg: the PostgreSQL backend of db.h (libpq), built with
 * ./configure --with-postgresql.  The only file that includes
 * libpq-fe.h.
 *
 * A statement is a named server-side prepared statement; its ?N
 * parameters become $N here (translate_params), the one place the
 * placeholder dialect differs.  The first db_step() after a reset runs
 * it and keeps the whole result; later steps walk its rows.  Values
 * travel as text, blobs as binary bytea.  SQLSTATEs map onto db.h's
 * codes in sqlstate_to_rc(): serialization failures and deadlocks are
 * DB_BUSY and a lost connection DB_IOERR, the codes the store treats
 * as transient.
 */
#include "pdconfig.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>
#include <libpq-fe.h>

#include "db-priv.h"

/* Type OIDs of the columns we decode (pg_type.dat). */
#define OID_BOOL	16
#define OID_BYTEA	17
#define OID_INT8	20
#define OID_TEXT	25
#define OID_INT2	21
#define OID_INT4	23
#define OID_OID		26
#define OID_FLOAT4	700
#define OID_FLOAT8	701
#define OID_NUMERIC	1700

/* The highest ?N the store writes, and then some. */
#define PG_MAX_PARAMS	64

struct pg_db {
	struct db	 base;
	PGconn		*conn;
	char		*errmsg;	/* the last error, or NULL */
	int		 errcode;
	int		 changes;
	unsigned	 next_name;	/* names the prepared statements */
};

struct pg_param {
	const char	*value;		/* NULL: SQL NULL */
	char		*owned;		/* value, if we copied it */
	int		 length;
	int		 format;	/* 0 text, 1 binary */
};

struct pg_stmt {
	struct db_stmt	 base;
	struct pg_db	*db;
	char		 name[32];
	int		 nparams;
	struct pg_param	*params;
	PGresult	*res;		/* NULL until the first step */
	int		 row;		/* the current row of res */
	unsigned char	**blobs;	/* unescaped bytea, per column */
	size_t		*blob_len;
};

static const struct db_ops pg_ops;

#define PGDB(db)	((struct pg_db *)(db))
#define PGST(st)	((struct pg_stmt *)(st))

static void
set_error(struct pg_db *db, int rc, const char *msg)
{
	g_free(db->errmsg);
	db->errmsg = g_strdup(msg != NULL && *msg != '\0' ? msg :
	    db_errstr(rc));
	g_strchomp(db->errmsg);
	db->errcode = rc;
}

static void
clear_error(struct pg_db *db)
{
	g_clear_pointer(&db->errmsg, g_free);
	db->errcode = DB_OK;
}

/* db.h's code for a failed result (NULL: the connection failed). */
static int
sqlstate_to_rc(struct pg_db *db, const PGresult *res)
{
	const char	*st = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (PQstatus(db->conn) == CONNECTION_BAD || st == NULL)
		return DB_IOERR;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return DB_BUSY;		/* serialization, deadlock, lock */
	if (strncmp(st, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0 ||
	    strncmp(st, "58", 2) == 0)
		return DB_IOERR;	/* connection, shutdown, system */
	if (strncmp(st, "53", 2) == 0)
		return DB_FULL;		/* disk full, out of memory */
	if (strcmp(st, "25006") == 0)
		return DB_READONLY;
	if (strcmp(st, "42501") == 0)
		return DB_PERM;
	if (strncmp(st, "28", 2) == 0)
		return DB_AUTH;
	return DB_ERROR;
}

/* Records a failed RES (consumed) and returns its code. */
static int
fail_result(struct pg_db *db, PGresult *res)
{
	int	 rc = sqlstate_to_rc(db, res);

	set_error(db, rc, res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->conn));
	PQclear(res);
	return rc;
}

/* As sqlite3_changes(): only an INSERT, UPDATE or DELETE (its tag,
 * "UPDATE 3") sets the count; a SELECT leaves it. */
static void
note_changes(struct pg_db *db, PGresult *res)
{
	const char	*tag = PQcmdStatus(res), *n = PQcmdTuples(res);

	if (tag == NULL || n == NULL || *n == '\0' ||
	    !(g_str_has_prefix(tag, "INSERT ") ||
	    g_str_has_prefix(tag, "UPDATE ") ||
	    g_str_has_prefix(tag, "DELETE ")))
		return;
	db->changes = (int)g_ascii_strtoll(n, NULL, 10);
}

/* A NOTICE ("relation already exists, skipping") is no error, and a
 * library writes nothing to stderr: the CGI's is the server's log. */
static void
drop_notice(void *arg, const char *message)
{
}

int
db_open_pg(const char *conninfo, struct db **out)
{
	struct pg_db	*db = g_new0(struct pg_db, 1);

	db->base.ops = &pg_ops;
	*out = &db->base;
	db->conn = PQconnectdb(conninfo);
	if (db->conn == NULL) {
		set_error(db, DB_NOMEM, NULL);
		return DB_NOMEM;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		set_error(db, DB_CANTOPEN, PQerrorMessage(db->conn));
		return DB_CANTOPEN;
	}
	PQsetNoticeProcessor(db->conn, drop_notice, NULL);
	if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
		set_error(db, DB_CANTOPEN, PQerrorMessage(db->conn));
		return DB_CANTOPEN;
	}
	return DB_OK;
}

static int
pg_close(struct db *db)
{
	PQfinish(PGDB(db)->conn);
	g_free(PGDB(db)->errmsg);
	g_free(db);
	return DB_OK;
}

/*
 * true if P starts " IS NULL".  PostgreSQL cannot type a parameter
 * from "$N IS NULL" alone (the store's optional filters, "(?N IS NULL
 * OR col = ?N)"); such a parameter is always text, a filter's value,
 * so it gets citext there: compared with a text column it is text,
 * with a citext one (an address) as case-blind as SQLite's NOCASE.
 */
static bool
is_null_test(const char *p)
{
	while (*p == ' ')
		p++;
	return g_ascii_strncasecmp(p, "IS NULL", 7) == 0;
}

/*
 * SQLite's ?N (and bare ?) as PostgreSQL's $N, outside quotes and
 * comments: the one place the placeholder syntax differs.  USED[N - 1]
 * is set for each N below PG_MAX_PARAMS that the text names.
 */
static char *
translate_params(const char *sql, int nbyte, bool *used)
{
	GString		*o = g_string_sized_new(nbyte > 0 ? nbyte : 64);
	const char	*p = sql, *end = nbyte < 0 ? NULL : sql + nbyte;
	int		 next = 1, n;
	char		 quote = 0;

	for (; *p != '\0' && (end == NULL || p < end); p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
			g_string_append_c(o, *p);
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			g_string_append_c(o, *p);
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p != '\0' && *p != '\n')
				g_string_append_c(o, *p++);
			if (*p == '\0')
				break;
			g_string_append_c(o, *p);
		} else if (*p == '?') {
			if (g_ascii_isdigit(p[1])) {
				n = (int)g_ascii_strtoll(p + 1, NULL, 10);
				while (g_ascii_isdigit(p[1]))
					p++;
			} else
				n = next;
			next = MAX(next, n + 1);
			if (n >= 1 && n <= PG_MAX_PARAMS)
				used[n - 1] = true;
			g_string_append_printf(o, "$%d", n);
			if (is_null_test(p + 1))
				g_string_append(o, "::citext");
		} else
			g_string_append_c(o, *p);
	}
	return g_string_free(o, FALSE);
}

static int
pg_prepare(struct db *dbp, const char *sql, int nbyte, unsigned flags,
    struct db_stmt **out, const char **tail)
{
	struct pg_db	*db = PGDB(dbp);
	struct pg_stmt	*st;
	PGresult	*res;
	char		*text, name[32];
	bool		 used[PG_MAX_PARAMS] = { false };
	Oid		 types[PG_MAX_PARAMS];
	int		 n, i;

	*out = NULL;
	if (tail != NULL)
		*tail = NULL;
	g_snprintf(name, sizeof name, "pd%u", db->next_name++);
	text = translate_params(sql, nbyte, used);
	/* A number the text skips (the store's ?20 after ?8) has no type
	 * to infer: text, so that binding it stays harmless. */
	for (n = PG_MAX_PARAMS; n > 0 && !used[n - 1]; n--)
		;
	for (i = 0; i < n; i++)
		types[i] = used[i] ? 0 : OID_TEXT;
	res = PQprepare(db->conn, name, text, n, types);
	g_free(text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_result(db, res);
	PQclear(res);
	res = PQdescribePrepared(db->conn, name);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_result(db, res);
	n = PQnparams(res);
	PQclear(res);
	st = g_new0(struct pg_stmt, 1);
	st->base.ops = &pg_ops;
	st->db = db;
	g_strlcpy(st->name, name, sizeof st->name);
	st->nparams = n;
	st->params = g_new0(struct pg_param, MAX(n, 1));
	*out = &st->base;
	clear_error(db);
	return DB_OK;
}

static void
free_blobs(struct pg_stmt *st)
{
	int	 i, n = st->res != NULL ? PQnfields(st->res) : 0;

	for (i = 0; st->blobs != NULL && i < n; i++)
		if (st->blobs[i] != NULL)
			PQfreemem(st->blobs[i]);
	g_clear_pointer(&st->blobs, g_free);
	g_clear_pointer(&st->blob_len, g_free);
}

static int
pg_reset(struct db_stmt *stp)
{
	struct pg_stmt	*st = PGST(stp);

	free_blobs(st);
	g_clear_pointer(&st->res, PQclear);
	st->row = 0;
	return DB_OK;
}

static int
run(struct pg_stmt *st)
{
	const char	**values = g_new0(const char *, MAX(st->nparams, 1));
	int		*lengths = g_new0(int, MAX(st->nparams, 1));
	int		*formats = g_new0(int, MAX(st->nparams, 1));
	PGresult	*res;
	int		 i;

	for (i = 0; i < st->nparams; i++) {
		values[i] = st->params[i].value;
		lengths[i] = st->params[i].length;
		formats[i] = st->params[i].format;
	}
	res = PQexecPrepared(st->db->conn, st->name, st->nparams, values,
	    lengths, formats, 0);
	g_free(values);
	g_free(lengths);
	g_free(formats);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		note_changes(st->db, res);
		st->res = res;
		st->row = -1;
		st->blobs = g_new0(unsigned char *, PQnfields(res) + 1);
		st->blob_len = g_new0(size_t, PQnfields(res) + 1);
		clear_error(st->db);
		return DB_OK;
	default:
		return fail_result(st->db, res);
	}
}

static int
pg_step(struct db_stmt *stp)
{
	struct pg_stmt	*st = PGST(stp);
	int		 rc, i;

	if (st->res == NULL && (rc = run(st)) != DB_OK)
		return rc;
	for (i = 0; i < PQnfields(st->res); i++)
		if (st->blobs[i] != NULL) {
			PQfreemem(st->blobs[i]);
			st->blobs[i] = NULL;
		}
	if (st->row < PQntuples(st->res))
		st->row++;
	return st->row < PQntuples(st->res) ? DB_ROW : DB_DONE;
}

static void
clear_param(struct pg_param *p)
{
	g_free(p->owned);
	memset(p, 0, sizeof *p);
}

static int
pg_clear_bindings(struct db_stmt *stp)
{
	struct pg_stmt	*st = PGST(stp);
	int		 i;

	for (i = 0; i < st->nparams; i++)
		clear_param(&st->params[i]);
	return DB_OK;
}

static int
pg_finalize(struct db_stmt *stp)
{
	struct pg_stmt	*st = PGST(stp);
	char		*sql;

	pg_reset(stp);
	pg_clear_bindings(stp);
	/* The name is ours, "pd" and digits: no input in this SQL. */
	if (PQstatus(st->db->conn) == CONNECTION_OK) {
		sql = g_strdup_printf("DEALLOCATE %s", st->name);
		PQclear(PQexec(st->db->conn, sql));
		g_free(sql);
	}
	g_free(st->params);
	g_free(st);
	return DB_OK;
}

/* The parameter IDX (1-based), or NULL after recording DB_RANGE. */
static struct pg_param *
param(struct db_stmt *stp, int idx)
{
	struct pg_stmt	*st = PGST(stp);

	if (idx < 1 || idx > st->nparams) {
		set_error(st->db, DB_RANGE, "column index out of range");
		return NULL;
	}
	clear_param(&st->params[idx - 1]);
	return &st->params[idx - 1];
}

static int
pg_bind_int64(struct db_stmt *st, int idx, int64_t v)
{
	struct pg_param	*p = param(st, idx);

	if (p == NULL)
		return DB_RANGE;
	p->owned = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)v);
	p->value = p->owned;
	return DB_OK;
}

static int
pg_bind_text(struct db_stmt *st, int idx, const char *s, int n,
    db_destructor d)
{
	struct pg_param	*p = param(st, idx);

	if (p == NULL)
		return DB_RANGE;
	if (s == NULL)
		return DB_OK;
	/* Text parameters end at a NUL: always our own copy. */
	p->owned = n < 0 ? g_strdup(s) : g_strndup(s, (gsize)n);
	p->value = p->owned;
	if (d != DB_STATIC && d != DB_TRANSIENT)
		d((void *)s);
	return DB_OK;
}

static int
pg_bind_blob64(struct db_stmt *st, int idx, const void *data, uint64_t n,
    db_destructor d)
{
	struct pg_param	*p = param(st, idx);

	if (p == NULL)
		return DB_RANGE;
	if (n > G_MAXINT) {
		set_error(PGST(st)->db, DB_TOOBIG, "string or blob too big");
		return DB_TOOBIG;
	}
	if (data == NULL)
		return DB_OK;
	/* STATIC: the caller's buffer outlives the step; no copy. */
	if (d == DB_STATIC)
		p->value = data;
	else {
		p->owned = g_malloc(n + 1);
		memcpy(p->owned, data, (size_t)n);
		p->value = p->owned;
		if (d != DB_TRANSIENT)
			d((void *)data);
	}
	p->length = (int)n;
	p->format = 1;
	return DB_OK;
}

static int
pg_bind_zeroblob64(struct db_stmt *st, int idx, uint64_t n)
{
	struct pg_param	*p = param(st, idx);

	if (p == NULL)
		return DB_RANGE;
	if (n > G_MAXINT) {
		set_error(PGST(st)->db, DB_TOOBIG, "string or blob too big");
		return DB_TOOBIG;
	}
	p->owned = g_malloc0(n + 1);
	p->value = p->owned;
	p->length = (int)n;
	p->format = 1;
	return DB_OK;
}

static int
pg_bind_null(struct db_stmt *st, int idx)
{
	return param(st, idx) != NULL ? DB_OK : DB_RANGE;
}

/* The current row's value of COL, or NULL (SQL NULL, no row, range). */
static const char *
value(struct pg_stmt *st, int col)
{
	if (st->res == NULL || st->row < 0 || st->row >= PQntuples(st->res)
	    || col < 0 || col >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int64_t
pg_column_int64(struct db_stmt *stp, int col)
{
	struct pg_stmt	*st = PGST(stp);
	const char	*v = value(st, col);

	if (v == NULL)
		return 0;
	if (PQftype(st->res, col) == OID_BOOL)
		return *v == 't';
	return g_ascii_strtoll(v, NULL, 10);
}

static const unsigned char *
pg_column_text(struct db_stmt *st, int col)
{
	return (const unsigned char *)value(PGST(st), col);
}

static const void *
pg_column_blob(struct db_stmt *stp, int col)
{
	struct pg_stmt	*st = PGST(stp);
	const char	*v = value(st, col);

	if (v == NULL)
		return NULL;
	if (PQftype(st->res, col) != OID_BYTEA)
		return v;
	if (st->blobs[col] == NULL)
		st->blobs[col] = PQunescapeBytea((const unsigned char *)v,
		    &st->blob_len[col]);
	return st->blobs[col];
}

static int
pg_column_bytes(struct db_stmt *stp, int col)
{
	struct pg_stmt	*st = PGST(stp);

	if (value(st, col) == NULL)
		return 0;
	if (PQftype(st->res, col) != OID_BYTEA)
		return PQgetlength(st->res, st->row, col);
	(void)pg_column_blob(stp, col);
	return (int)st->blob_len[col];
}

static int
pg_column_type(struct db_stmt *stp, int col)
{
	struct pg_stmt	*st = PGST(stp);

	if (value(st, col) == NULL)
		return DB_NULL;
	switch (PQftype(st->res, col)) {
	case OID_BOOL: case OID_INT2: case OID_INT4: case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_FLOAT4: case OID_FLOAT8: case OID_NUMERIC:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static int
pg_changes(struct db *db)
{
	return PGDB(db)->changes;
}

static int64_t
pg_last_insert_id(struct db *dbp)
{
	struct pg_db	*db = PGDB(dbp);
	PGresult	*res = PQexec(db->conn, "SELECT lastval()");
	int64_t		 id = 0;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

static int
pg_exec(struct db *dbp, const char *sql)
{
	struct pg_db	*db = PGDB(dbp);
	PGresult	*res = PQexec(db->conn, sql);

	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
	case PGRES_EMPTY_QUERY:
		note_changes(db, res);
		PQclear(res);
		clear_error(db);
		return DB_OK;
	default:
		return fail_result(db, res);
	}
}

static const char *
pg_errmsg(struct db *db)
{
	return PGDB(db)->errmsg != NULL ? PGDB(db)->errmsg : "not an error";
}

static int
pg_errcode(struct db *db)
{
	return PGDB(db)->errcode;
}

static int
pg_get_autocommit(struct db *db)
{
	return PQtransactionStatus(PGDB(db)->conn) == PQTRANS_IDLE;
}

/* SQLite waits up to MS for a lock; PostgreSQL's lock_timeout is
 * the same promise. */
static int
pg_busy_timeout(struct db *dbp, int ms)
{
	struct pg_db	*db = PGDB(dbp);
	const char	*values[1];
	char		 v[32];
	PGresult	*res;

	g_snprintf(v, sizeof v, "%d", MAX(ms, 0));
	values[0] = v;
	res = PQexecParams(db->conn,
	    "SELECT set_config('lock_timeout', $1, false)", 1, NULL, values,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail_result(db, res);
	PQclear(res);
	return DB_OK;
}

static int
pg_extended_result_codes(struct db *db, int onoff)
{
	return DB_OK;
}

static int
pg_db_readonly(struct db *db, const char *name)
{
	return 0;
}

static const char *
pg_db_filename(struct db *db, const char *name)
{
	return NULL;
}

/* Incremental blob I/O is the next step of issue 16 (bytea pieces). */
static int
pg_blob_open(struct db *db, const char *dbname, const char *table,
    const char *column, int64_t row, int flags, struct db_blob **out)
{
	*out = NULL;
	set_error(PGDB(db), DB_MISUSE,
	    "incremental blob I/O is not implemented on PostgreSQL");
	return DB_MISUSE;
}

static int
pg_blob_write(struct db_blob *b, const void *data, int n, int off)
{
	return DB_MISUSE;
}

static int
pg_blob_read(struct db_blob *b, void *buf, int n, int off)
{
	return DB_MISUSE;
}

static int
pg_blob_close(struct db_blob *b)
{
	return DB_OK;
}

/* --- dialect ------------------------------------------------------------ */

/* READ COMMITTED for both for now; a migration's exclusion and the
 * retry of serialization failures come with the schema (issue 16). */
static const char *
pg_sql_begin(enum db_begin kind)
{
	/* A migration (postdesk init on two hosts at once) waits for the
	 * other one's: a lock on a constant key, held to the commit. */
	return kind == DB_BEGIN_EXCLUSIVE ?
	    "BEGIN; SELECT pg_advisory_xact_lock(7418566501)" : "BEGIN";
}

static int
pg_row_locks(void)
{
	return 1;
}

static enum db_fts
pg_fts(void)
{
	return DB_FTS_TSVECTOR;
}

/* The schema version lives in a one-row table. */
static int
pg_user_version(struct db *dbp, int *out)
{
	struct pg_db	*db = PGDB(dbp);
	PGresult	*res;

	res = PQexec(db->conn, "SELECT to_regclass('postdesk_schema') "
	    "IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail_result(db, res);
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		*out = 0;
		return DB_OK;
	}
	PQclear(res);
	res = PQexec(db->conn, "SELECT coalesce(max(version), 0) FROM "
	    "postdesk_schema");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail_result(db, res);
	*out = (int)g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return DB_OK;
}

static int
pg_set_user_version(struct db *dbp, int v)
{
	struct pg_db	*db = PGDB(dbp);
	const char	*values[1];
	char		 s[32];
	PGresult	*res;
	int		 rc;

	rc = pg_exec(dbp, "CREATE TABLE IF NOT EXISTS postdesk_schema "
	    "(version integer NOT NULL); DELETE FROM postdesk_schema");
	if (rc != DB_OK)
		return rc;
	g_snprintf(s, sizeof s, "%d", v);
	values[0] = s;
	res = PQexecParams(db->conn, "INSERT INTO postdesk_schema (version) "
	    "VALUES ($1)", 1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return fail_result(db, res);
	PQclear(res);
	return DB_OK;
}

/* PostgreSQL always enforces foreign keys, and checks them itself. */
static int
pg_foreign_keys(struct db *db, int on)
{
	return DB_OK;
}

static int
pg_foreign_key_check(struct db *db, int *dangling)
{
	*dangling = 0;
	return DB_OK;
}

/* Durability is the server's synchronous_commit. */
static int
pg_durable(struct db *db)
{
	return DB_OK;
}

static int
pg_bulk(struct db *db)
{
	return DB_OK;
}

/* TABLE's stored columns (a generated one, messages.fts, is left out). */
static int
pg_columns(struct db *dbp, const char *table, char ***out)
{
	struct pg_db	*db = PGDB(dbp);
	const char	*values[1] = { table };
	PGresult	*res;
	char		**v;
	int		 i, n;

	res = PQexecParams(db->conn, "SELECT column_name FROM "
	    "information_schema.columns WHERE table_schema = "
	    "current_schema() AND table_name = $1 AND is_generated = 'NEVER' "
	    "ORDER BY ordinal_position", 1, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail_result(db, res);
	n = PQntuples(res);
	v = g_new0(char *, n + 1);
	for (i = 0; i < n; i++)
		v[i] = g_strdup(PQgetvalue(res, i, 0));
	PQclear(res);
	*out = v;
	return DB_OK;
}

/* setval() of TABLE.COLUMN's identity sequence to its max + 1, not yet
 * used; a column without one (NULL sequence) is left as it is. */
static int
pg_set_next_id(struct db *dbp, const char *table, const char *column)
{
	struct pg_db	*db = PGDB(dbp);
	const char	*values[2] = { table, column };
	char		*t, *c, *sql;
	PGresult	*res;

	t = PQescapeIdentifier(db->conn, table, strlen(table));
	c = PQescapeIdentifier(db->conn, column, strlen(column));
	if (t == NULL || c == NULL) {
		PQfreemem(t);
		PQfreemem(c);
		set_error(db, DB_NOMEM, PQerrorMessage(db->conn));
		return DB_NOMEM;
	}
	/* Identifiers cannot be parameters: quoted instead. */
	sql = g_strdup_printf("SELECT setval(pg_get_serial_sequence($1, $2), "
	    "coalesce(max(%s), 0) + 1, false) FROM %s", c, t);
	PQfreemem(t);
	PQfreemem(c);
	res = PQexecParams(db->conn, sql, 2, NULL, values, NULL, NULL, 0);
	g_free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return fail_result(db, res);
	PQclear(res);
	return DB_OK;
}

/* V quoted for a key=value connection string, if it needs it. */
static void
append_conninfo_value(GString *out, const char *v)
{
	const char	*p;

	if (*v != '\0' && strpbrk(v, " \t\n'\\") == NULL) {
		g_string_append(out, v);
		return;
	}
	g_string_append_c(out, '\'');
	for (p = v; *p != '\0'; p++) {
		if (*p == '\'' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '\'');
}

char *
db_pg_conninfo_public(const char *conninfo)
{
	PQconninfoOption	*opts, *o;
	char			*errmsg = NULL;
	GString			*out;

	opts = PQconninfoParse(conninfo, &errmsg);
	PQfreemem(errmsg);
	if (opts == NULL)
		return NULL;
	out = g_string_new(NULL);
	for (o = opts; o->keyword != NULL; o++) {
		/* dispchar "*": a secret (password, sslpassword). */
		if (o->val == NULL || *o->val == '\0' ||
		    strchr(o->dispchar, '*') != NULL)
			continue;
		if (out->len > 0)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "%s=", o->keyword);
		append_conninfo_value(out, o->val);
	}
	PQconninfoFree(opts);
	return g_string_free(out, FALSE);
}

static const struct db_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.prepare = pg_prepare,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob64 = pg_bind_blob64,
	.bind_zeroblob64 = pg_bind_zeroblob64,
	.bind_null = pg_bind_null,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.column_type = pg_column_type,
	.changes = pg_changes,
	.last_insert_id = pg_last_insert_id,
	.exec = pg_exec,
	.errmsg = pg_errmsg,
	.errcode = pg_errcode,
	.get_autocommit = pg_get_autocommit,
	.busy_timeout = pg_busy_timeout,
	.extended_result_codes = pg_extended_result_codes,
	.db_readonly = pg_db_readonly,
	.db_filename = pg_db_filename,
	.blob_open = pg_blob_open,
	.blob_write = pg_blob_write,
	.blob_read = pg_blob_read,
	.blob_close = pg_blob_close,
	.sql_begin = pg_sql_begin,
	.row_locks = pg_row_locks,
	.fts = pg_fts,
	.user_version = pg_user_version,
	.set_user_version = pg_set_user_version,
	.foreign_keys = pg_foreign_keys,
	.foreign_key_check = pg_foreign_key_check,
	.durable = pg_durable,
	.bulk = pg_bulk,
	.columns = pg_columns,
	.set_next_id = pg_set_next_id,
};
