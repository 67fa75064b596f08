/*
 * store_migrate: copies one store into another, empty one, table by
 * table (store.h, store_migrate_copy(); postdesk migrate --to URL).
 *
 * The copy is driven by the table list below, in an order in which
 * every REFERENCES names a table already copied; a table's columns are
 * the target's stored ones (db_columns()), which the source must have,
 * no more and no fewer.  Rows keep their ids; afterwards each identity
 * sequence is set past the largest id (db_set_next_id()), so the next
 * ingest gets the next number.  A self-reference (tickets.linked_to,
 * merged_into may name a later ticket) is copied NULL and set by a
 * second pass over the rows that have one.
 *
 * The source is read under one snapshot (a read transaction held for
 * the whole copy), row by row; each table is one transaction on the
 * target.  A blob larger than MIGRATE_PIECE is read from the source in
 * pieces (incremental blob I/O, db_blob_read()), goes in as its first
 * piece and is appended to piece by piece: memory holds one piece, and
 * no statement carries more.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

#define MIGRATE_PIECE	(16 * 1024 * 1024)

struct migrate_table {
	const char	*name;
	const char	*id;		/* identity column, or NULL */
	const char	*late[3];	/* self-references, set afterwards */
	const char	*stream;	/* a blob column read in pieces */
};

static const struct migrate_table tables[] = {
	{ "blobs", "id", { NULL }, "data" },
	{ "tickets", "id", { "linked_to", "merged_into", NULL }, NULL },
	{ "ticket_tags", NULL, { NULL }, NULL },
	{ "ticket_fields", NULL, { NULL }, NULL },
	{ "participants", NULL, { NULL }, NULL },
	{ "messages", "id", { NULL }, NULL },
	{ "attachments", "id", { NULL }, NULL },
	{ "events", "id", { NULL }, NULL },
	{ "quarantine", "id", { NULL }, NULL },
	{ "outbox", "id", { NULL }, NULL },
	{ "ratings", NULL, { NULL }, NULL },
	{ "hotrush_offs", "id", { NULL }, NULL },
	{ "organizations", "id", { NULL }, NULL },
	{ "org_members", NULL, { NULL }, NULL },
	{ "org_attributes", NULL, { NULL }, NULL },
	{ "contacts", NULL, { NULL }, NULL },
	{ "address_changes", NULL, { NULL }, NULL },
	{ "fetch_state", NULL, { NULL }, NULL },
	{ "fetch_items", NULL, { NULL }, NULL },
	{ "web_links", NULL, { NULL }, NULL },
	{ "web_sessions", NULL, { NULL }, NULL },
	{ "message_refs", NULL, { NULL }, NULL },
	{ "intake_seen", NULL, { NULL }, NULL },
	{ "staff", NULL, { NULL }, NULL },
	{ "ticket_links", NULL, { NULL }, NULL },
	{ "message_heads", NULL, { NULL }, NULL },
};

G_STATIC_ASSERT(G_N_ELEMENTS(tables) == STORE_MIGRATE_TABLES);

/* What one copy carries from table to table. */
struct copy {
	struct store		*src, *dst;
	store_migrate_fn	 fn;
	void			*arg;
	uint64_t		 done, total;
};

const char *
store_migrate_table(size_t i)
{
	g_return_val_if_fail(i < G_N_ELEMENTS(tables), NULL);
	return tables[i].name;
}

/* A prepared statement for SQL built from the list's names. */
static struct db_stmt *
prepare(struct store *s, const char *sql, GError **err)
{
	struct db_stmt	*st = NULL;
	int		 rc = db_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == DB_OK)
		return st;
	(void)store_fail(s, rc, err);
	g_prefix_error(err, "%s: ", sql);
	return NULL;
}

bool
store_migrate_count(struct store *s, int64_t counts[STORE_MIGRATE_TABLES],
    GError **err)
{
	struct db_stmt	*st;
	char		*sql;
	size_t		 i;
	int		 rc;

	for (i = 0; i < G_N_ELEMENTS(tables); i++) {
		/* A table name is a constant of the list, not input. */
		sql = g_strdup_printf("SELECT count(*) FROM %s",
		    tables[i].name);
		st = prepare(s, sql, err);
		g_free(sql);
		if (st == NULL)
			return false;
		rc = db_step(st);
		if (rc != DB_ROW) {
			(void)store_fail(s, rc, err);
			db_finalize(st);
			return false;
		}
		counts[i] = db_column_int64(st, 0);
		db_finalize(st);
	}
	return true;
}

static bool
is_late(const struct migrate_table *t, const char *col)
{
	size_t	 i;

	for (i = 0; t->late[i] != NULL; i++)
		if (strcmp(t->late[i], col) == 0)
			return true;
	return false;
}

/* The target's columns of T, which the source must have as well. */
static bool
columns(struct copy *c, const struct migrate_table *t, char ***out,
    GError **err)
{
	char	**d = NULL, **s = NULL;
	int	 rc;
	bool	 same;

	if ((rc = db_columns(c->dst->db, t->name, &d)) != DB_OK)
		return store_fail(c->dst, rc, err);
	if ((rc = db_columns(c->src->db, t->name, &s)) != DB_OK) {
		g_strfreev(d);
		return store_fail(c->src, rc, err);
	}
	same = d[0] != NULL && g_strv_length(d) == g_strv_length(s);
	for (char **p = d; same && *p != NULL; p++)
		same = g_strv_contains((const char *const *)s, *p);
	g_strfreev(s);
	if (!same) {
		g_strfreev(d);
		g_set_error(err, STORE_ERROR, STORE_ERROR_SCHEMA,
		    "table %s: the two stores' columns differ", t->name);
		return false;
	}
	*out = d;
	return true;
}

/*
 * "SELECT a, b FROM t" and "INSERT INTO t (a, b) VALUES (?1, ?2)".  A
 * streamed column is selected only when it is small (NULL otherwise,
 * read in pieces instead), and its length comes last: length() of a
 * blob does not read it.
 */
static void
copy_sql(const struct migrate_table *t, char **cols, char **sel,
    char **ins)
{
	char	*list = g_strjoinv(", ", cols);
	GString	*v = g_string_new(NULL), *f = g_string_new(NULL);
	guint	 i, n = g_strv_length(cols);

	for (i = 0; i < n; i++) {
		g_string_append_printf(v, "%s?%u", i > 0 ? ", " : "", i + 1);
		if (i > 0)
			g_string_append(f, ", ");
		if (t->stream != NULL && strcmp(cols[i], t->stream) == 0)
			g_string_append_printf(f, "CASE WHEN length(%s) > %d "
			    "THEN NULL ELSE %s END", cols[i], MIGRATE_PIECE,
			    cols[i]);
		else
			g_string_append(f, cols[i]);
	}
	if (t->stream != NULL)
		g_string_append_printf(f, ", length(%s)", t->stream);
	*sel = g_strdup_printf("SELECT %s FROM %s", f->str, t->name);
	*ins = g_strdup_printf("INSERT INTO %s (%s) VALUES (%s)", t->name,
	    list, v->str);
	g_string_free(v, TRUE);
	g_string_free(f, TRUE);
	g_free(list);
}

/* Binds source column I of SEL as parameter I + 1 of INS.  STATIC: the
 * source row outlives the INSERT's step. */
static void
bind_value(const struct migrate_table *t, const char *name,
    struct db_stmt *sel, struct db_stmt *ins, int i)
{
	const void	*p;

	switch (is_late(t, name) ? DB_NULL : db_column_type(sel, i)) {
	case DB_INTEGER:
		db_bind_int64(ins, i + 1, db_column_int64(sel, i));
		break;
	case DB_FLOAT:		/* none in the schema: as SQLite's text */
	case DB_TEXT:
		p = db_column_text(sel, i);
		db_bind_text(ins, i + 1, p, db_column_bytes(sel, i),
		    DB_STATIC);
		break;
	case DB_BLOB:
		p = db_column_blob(sel, i);
		db_bind_blob64(ins, i + 1, p != NULL ? p : "",
		    (uint64_t)db_column_bytes(sel, i), DB_STATIC);
		break;
	default:
		db_bind_null(ins, i + 1);
	}
}

/* A large blob, one piece in memory at a time. */
struct big {
	const char	*col;		/* the streamed column ... */
	int		 param;		/* ... and its INSERT parameter */
	int64_t		 id;		/* its row (SQLite's rowid) */
	int64_t		 len;
};

/* Appends the pieces of B past the first to its row in the target. */
static bool
append_pieces(struct copy *c, const struct migrate_table *t,
    struct db_blob *src, const struct big *b, guint8 *buf, GError **err)
{
	struct db_stmt	*up;
	char		*sql;
	int64_t		 off, n;
	int		 rc = DB_OK;

	sql = g_strdup_printf("UPDATE %s SET %s = %s || ?2 WHERE %s = ?1",
	    t->name, b->col, b->col, t->id);
	up = prepare(c->dst, sql, err);
	g_free(sql);
	if (up == NULL)
		return false;
	for (off = MIGRATE_PIECE; off < b->len && rc == DB_OK; off += n) {
		n = MIN(b->len - off, MIGRATE_PIECE);
		if ((rc = db_blob_read(src, buf, (int)n, (int)off)) != DB_OK) {
			(void)store_fail(c->src, rc, err);
			break;
		}
		db_reset(up);
		db_bind_int64(up, 1, b->id);
		db_bind_blob64(up, 2, buf, (uint64_t)n, DB_STATIC);
		if ((rc = db_step(up)) == DB_DONE)
			rc = DB_OK;
		else
			(void)store_fail(c->dst, rc, err);
	}
	db_finalize(up);
	return rc == DB_OK;
}

/* INS with B's first piece, then the rest appended piece by piece. */
static bool
insert_big(struct copy *c, const struct migrate_table *t,
    struct db_stmt *ins, const struct big *b, GError **err)
{
	struct db_blob	*src = NULL;
	guint8		*buf;
	int		 rc;
	bool		 ok;

	rc = db_blob_open(c->src->db, "main", t->name, b->col, b->id, 0,
	    &src);
	if (rc != DB_OK)
		return store_fail(c->src, rc, err);
	buf = g_malloc(MIGRATE_PIECE);
	rc = db_blob_read(src, buf, MIGRATE_PIECE, 0);
	ok = rc == DB_OK || store_fail(c->src, rc, err);
	if (ok) {
		db_bind_blob64(ins, b->param, buf, MIGRATE_PIECE, DB_STATIC);
		rc = db_step(ins);
		ok = rc == DB_DONE || store_fail(c->dst, rc, err);
	}
	ok = ok && append_pieces(c, t, src, b, buf, err);
	db_blob_close(src);
	g_free(buf);
	return ok;
}

static int
column_index(char **cols, const char *name)
{
	int	 i;

	for (i = 0; name != NULL && cols[i] != NULL; i++)
		if (strcmp(cols[i], name) == 0)
			return i;
	return -1;
}

/* One row of SEL into INS; a large streamed blob through insert_big(). */
static bool
copy_row(struct copy *c, const struct migrate_table *t, char **cols,
    struct db_stmt *sel, struct db_stmt *ins, GError **err)
{
	int	 i, n = (int)g_strv_length(cols), rc;
	int	 sc = column_index(cols, t->stream);
	int	 idc = column_index(cols, t->id);

	db_reset(ins);
	for (i = 0; i < n; i++)
		bind_value(t, cols[i], sel, ins, i);
	if (sc >= 0 && idc >= 0 && db_column_int64(sel, n) > MIGRATE_PIECE) {
		struct big	 b = { cols[sc], sc + 1,
		    db_column_int64(sel, idc), db_column_int64(sel, n) };

		return insert_big(c, t, ins, &b, err);
	}
	rc = db_step(ins);
	return rc == DB_DONE || store_fail(c->dst, rc, err);
}

/* Every row of T, source to target. */
static bool
copy_rows(struct copy *c, const struct migrate_table *t, char **cols,
    GError **err)
{
	struct db_stmt	*sel, *ins;
	char		*ssql, *isql;
	int		 rc = DB_DONE;
	bool		 ok = true;

	copy_sql(t, cols, &ssql, &isql);
	sel = prepare(c->src, ssql, err);
	ins = sel != NULL ? prepare(c->dst, isql, err) : NULL;
	g_free(ssql);
	g_free(isql);
	if (ins == NULL) {
		db_finalize(sel);
		return false;
	}
	while (ok && (rc = db_step(sel)) == DB_ROW) {
		ok = copy_row(c, t, cols, sel, ins, err);
		if (ok && c->fn != NULL)
			c->fn(++c->done, c->total, c->arg);
	}
	if (ok && rc != DB_DONE)
		ok = store_fail(c->src, rc, err);
	db_finalize(sel);
	db_finalize(ins);
	return ok;
}

/* The second pass: T's self-references, now that every row exists. */
static bool
copy_late(struct copy *c, const struct migrate_table *t, GError **err)
{
	struct db_stmt	*sel, *up;
	GString		*set = g_string_new(NULL), *cond = g_string_new(NULL);
	char		*ssql, *usql, *list;
	int		 i, n, rc = DB_DONE;
	bool		 ok;

	for (n = 0; t->late[n] != NULL; n++) {
		g_string_append_printf(set, "%s%s = ?%d", n ? ", " : "",
		    t->late[n], n + 2);
		g_string_append_printf(cond, "%s%s IS NOT NULL",
		    n ? " OR " : "", t->late[n]);
	}
	list = g_strjoinv(", ", (char **)t->late);
	ssql = g_strdup_printf("SELECT %s, %s FROM %s WHERE %s", t->id, list,
	    t->name, cond->str);
	usql = g_strdup_printf("UPDATE %s SET %s WHERE %s = ?1", t->name,
	    set->str, t->id);
	sel = prepare(c->src, ssql, err);
	up = sel != NULL ? prepare(c->dst, usql, err) : NULL;
	g_free(list);
	g_free(ssql);
	g_free(usql);
	g_string_free(set, TRUE);
	g_string_free(cond, TRUE);
	ok = up != NULL;
	while (ok && (rc = db_step(sel)) == DB_ROW) {
		db_reset(up);
		for (i = 0; i <= n; i++)
			if (db_column_type(sel, i) == DB_NULL)
				db_bind_null(up, i + 1);
			else
				db_bind_int64(up, i + 1,
				    db_column_int64(sel, i));
		if ((rc = db_step(up)) != DB_DONE)
			ok = store_fail(c->dst, rc, err);
	}
	if (ok && rc != DB_DONE)
		ok = store_fail(c->src, rc, err);
	db_finalize(sel);
	db_finalize(up);
	return ok;
}

/* One table in one target transaction. */
static bool
copy_table(struct copy *c, const struct migrate_table *t, GError **err)
{
	char	**cols = NULL;
	int	 rc;
	bool	 ok;

	if (!columns(c, t, &cols, err))
		return false;
	ok = store_begin(c->dst, err) && copy_rows(c, t, cols, err);
	if (ok && t->late[0] != NULL)
		ok = copy_late(c, t, err);
	if (ok && t->id != NULL &&
	    (rc = db_set_next_id(c->dst->db, t->name, t->id)) != DB_OK)
		ok = store_fail(c->dst, rc, err);
	ok = ok && store_commit(c->dst, err);
	if (!ok)
		store_rollback(c->dst);
	g_strfreev(cols);
	if (!ok)
		g_prefix_error(err, "table %s: ", t->name);
	return ok;
}

bool
store_migrate_copy(struct store *src, struct store *dst,
    int64_t counts[STORE_MIGRATE_TABLES], store_migrate_fn fn, void *arg,
    GError **err)
{
	struct copy	 c = { src, dst, fn, arg, 0, 0 };
	size_t		 i;
	int		 rc;
	bool		 ok;

	g_return_val_if_fail(src != NULL && dst != NULL, false);
	/* One snapshot of the source: its counts and every row. */
	if ((rc = db_exec(src->db, "BEGIN", NULL, NULL, NULL)) != DB_OK)
		return store_fail(src, rc, err);
	ok = store_migrate_count(src, counts, err);
	for (i = 0; ok && i < G_N_ELEMENTS(tables); i++)
		c.total += (uint64_t)counts[i];
	for (i = 0; ok && i < G_N_ELEMENTS(tables); i++)
		ok = copy_table(&c, &tables[i], err);
	store_rollback(src);
	return ok;
}
