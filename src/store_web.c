/*
 * store_web: queries for the web viewer.
 *
 * The ticket list has one literal statement per (sort, access) pair so
 * that each can walk the index matching its ORDER BY; optional filters
 * are "(?N IS NULL OR col = ?N)" terms checked on the rows the index
 * yields.  No SQL text is ever built from input.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"
#include "store_web.h"

/*
 * The tickets a customer (address parameter N) may see: those she takes
 * part in, and those whose requester is a member of her organization,
 * if her role has the view right (?20, store_web_set_org_view(); NULL:
 * every role).  The one definition, used by the list, the search and
 * store_web_ticket_visible(); both halves walk participants_address.
 */
#define VISIBLE(n) \
	"SELECT p.ticket_id FROM participants p WHERE p.address = " n \
	" UNION SELECT o.ticket_id FROM org_members m" \
	" JOIN org_members r ON r.org_id = m.org_id" \
	" JOIN participants o ON o.address = r.address" \
	" AND o.role = 'requester' WHERE m.address = " n \
	" AND (?20 IS NULL OR m.role IN (SELECT value FROM json_each(?20)))"
#define ORG_VIEW_PARAM	20

void
store_web_set_org_view(struct store *s, const char *const *roles)
{
	GString	*g = g_string_new("[");
	size_t	 i;

	/* Role names are [a-z0-9_-] (roles.c): nothing to escape. */
	for (i = 0; roles[i] != NULL; i++)
		g_string_append_printf(g, "%s\"%s\"", i ? "," : "",
		    roles[i]);
	g_string_append_c(g, ']');
	g_free(s->org_view);
	s->org_view = g_string_free(g, FALSE);
}

/* ?1 status ?2 queue ?3 priority ?4 hotrush ?5 the statuses hidden (a
 * JSON array, NULL: none) ?6 limit ?7 offset
 * ?8 participant.  A ticket merged into another (store_thread.c) is
 * listed as that one only. */
#define FILTERS \
	" AND t.merged_into IS NULL" \
	" AND (?2 IS NULL OR t.queue = ?2)" \
	" AND (?3 IS NULL OR t.priority = ?3)" \
	" AND (?4 < 0 OR t.hotrush = ?4)" \
	" AND (?5 IS NULL OR t.status NOT IN" \
	"  (SELECT value FROM json_each(?5)))"
#define ALL_STATUS \
	"SELECT " STORE_TICKET_COLS " FROM tickets t" \
	" WHERE ?1 IS NULL AND ?8 IS NULL" FILTERS
#define ONE_STATUS \
	"SELECT " STORE_TICKET_COLS " FROM tickets t" \
	" WHERE t.status = ?1 AND ?8 IS NULL" FILTERS
#define CUSTOMER \
	"SELECT " STORE_TICKET_COLS " FROM (" VISIBLE("?8") ") v" \
	" CROSS JOIN tickets t" \
	" WHERE t.id = v.ticket_id AND (?1 IS NULL OR t.status = ?1)" FILTERS
#define BY_QUEUE \
	" ORDER BY t.hotrush DESC, t.priority_rank, t.created, t.id" \
	" LIMIT ?6 OFFSET ?7"
#define BY_UPDATED " ORDER BY t.updated DESC, t.id DESC LIMIT ?6 OFFSET ?7"
#define BY_CREATED " ORDER BY t.created DESC, t.id DESC LIMIT ?6 OFFSET ?7"

static const char *const list_sql[STORE_WEB_SORT__MAX][3] = {
	[STORE_WEB_SORT_QUEUE] = { ALL_STATUS BY_QUEUE, ONE_STATUS BY_QUEUE,
	    CUSTOMER BY_QUEUE },
	[STORE_WEB_SORT_UPDATED] = { ALL_STATUS BY_UPDATED,
	    ONE_STATUS BY_UPDATED, CUSTOMER BY_UPDATED },
	[STORE_WEB_SORT_CREATED] = { ALL_STATUS BY_CREATED,
	    ONE_STATUS BY_CREATED, CUSTOMER BY_CREATED },
};

/* V as a JSON array of strings, for json_each(); NULL for NULL. */
static char *
json_strv(const char *const *v)
{
	GString	*g;
	size_t	 i;
	const char *p;

	if (v == NULL)
		return NULL;
	g = g_string_new("[");
	for (i = 0; v[i] != NULL; i++) {
		g_string_append(g, i ? ",\"" : "\"");
		for (p = v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(g, '\\');
			if ((unsigned char)*p < 0x20)
				g_string_append_printf(g, "\\u%04x", *p);
			else
				g_string_append_c(g, *p);
		}
		g_string_append_c(g, '"');
	}
	g_string_append_c(g, ']');
	return g_string_free(g, FALSE);
}

bool
store_web_tickets(struct store *s, const struct store_web_filter *f,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;
	GPtrArray	*a;
	char		*hidden;
	int		 rc, variant;

	g_return_val_if_fail(f->sort < STORE_WEB_SORT__MAX, false);
	variant = f->participant != NULL ? 2 : f->status != NULL ? 1 : 0;
	st = store_stmt(s, list_sql[f->sort][variant], err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, f->status);
	store_bind_text(st, 2, f->queue);
	store_bind_text(st, 3, f->priority);
	db_bind_int(st, 4, f->hotrush);
	hidden = json_strv(f->hide_statuses);
	/* Bound without a copy: freed after the last step. */
	store_bind_text(st, 5, hidden);
	db_bind_int64(st, 6, f->limit > 0 ? f->limit : INT64_MAX);
	db_bind_int64(st, 7, f->offset);
	store_bind_text(st, 8, f->participant);
	if (variant == 2)
		store_bind_text(st, ORG_VIEW_PARAM, s->org_view);
	a = g_ptr_array_new_with_free_func((GDestroyNotify)ticket_free);
	while ((rc = db_step(st)) == DB_ROW)
		g_ptr_array_add(a, store_ticket_from_row(st));
	db_reset(st);
	store_bind_text(st, 5, NULL);
	g_free(hidden);
	if (rc != DB_DONE) {
		g_ptr_array_unref(a);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

char *
store_web_fts_query(const char *text)
{
	GString	 *q = g_string_new(NULL);
	char	**words;
	size_t	  i;

	/* Each word becomes a quoted FTS5 string, so operators, column
	 * filters and stray quotes in the input are only text. */
	words = g_strsplit_set(text != NULL ? text : "", " \t\r\n", -1);
	for (i = 0; words[i] != NULL; i++) {
		const char *p;

		if (*words[i] == '\0')
			continue;
		if (q->len > 0)
			g_string_append_c(q, ' ');
		g_string_append_c(q, '"');
		for (p = words[i]; *p != '\0'; p++) {
			if (*p == '"')
				g_string_append_c(q, '"');
			g_string_append_c(q, *p);
		}
		g_string_append_c(q, '"');
	}
	g_strfreev(words);
	if (q->len == 0) {
		g_string_free(q, TRUE);
		return NULL;
	}
	return g_string_free(q, FALSE);
}

void
store_web_hit_free(struct store_web_hit *h)
{
	if (h == NULL)
		return;
	g_free(h->subject);
	g_free(h->from_addr);
	g_free(h->snippet);
	g_free(h);
}

/* The matches in the text's first STORE_FTS_HEAD characters (the
 * "text" column, store_schema.c), marked; store_web_snippet() cuts it.
 * ?1 the query (store_web_fts_query()) ?2 the customer or NULL (staff)
 * ?3 limit ?4 offset; newest first. */
#define STORE_FTS_HEAD	"65536"
#define SEARCH_COLS \
	"SELECT m.id, m.ticket_id, t.subject, m.from_addr, m.received," \
	" highlight(messages_fts, 1, char(1), char(2))"
#define SEARCH_STAFF SEARCH_COLS \
	" FROM messages_fts" \
	" JOIN messages m ON m.id = messages_fts.rowid" \
	" JOIN tickets t ON t.id = m.ticket_id" \
	" WHERE messages_fts MATCH ?1 AND ?2 IS NULL" \
	" ORDER BY messages_fts.rowid DESC LIMIT ?3 OFFSET ?4"
#define SEARCH_CUSTOMER SEARCH_COLS \
	" FROM (" VISIBLE("?2") ") v CROSS JOIN messages m" \
	" CROSS JOIN messages_fts CROSS JOIN tickets t" \
	" WHERE m.ticket_id = v.ticket_id" \
	" AND m.internal = 0 AND messages_fts.rowid = m.id" \
	" AND messages_fts MATCH ?1 AND t.id = m.ticket_id" \
	" ORDER BY m.id DESC LIMIT ?3 OFFSET ?4"
/*
 * The same on PostgreSQL's stored tsvector (DB_FTS_TSVECTOR): the inner
 * query picks a page of message ids, the outer one marks only those;
 * ts_headline() with HighlightAll returns the text with every match
 * wrapped, as highlight() does, and sees the first STORE_FTS_HEAD
 * characters only, as FTS5's "text" column, so a 20 MB body costs no
 * more than its head.
 */
/* The quotes of ?1 are only punctuation to plainto_tsquery(): every
 * token of every word is required, positions are not compared (they
 * stop at 16383, so a phrase 20 MB into a text would never match). */
#define PG_TSQUERY	"plainto_tsquery('simple', ?1)"
#define PG_SEARCH_COLS \
	"SELECT m.id, m.ticket_id, t.subject, m.from_addr, m.received," \
	" ts_headline('simple', left(m.text, " STORE_FTS_HEAD ")," \
	" " PG_TSQUERY "," \
	" 'HighlightAll=true, StartSel=' || chr(1) || ', StopSel=' || chr(2))"
#define PG_SEARCH_PAGE(ids) PG_SEARCH_COLS \
	" FROM (" ids ") h JOIN messages m ON m.id = h.id" \
	" JOIN tickets t ON t.id = m.ticket_id ORDER BY m.id DESC"
#define PG_SEARCH_STAFF PG_SEARCH_PAGE( \
	"SELECT id FROM messages WHERE fts @@ " PG_TSQUERY \
	" AND ?2 IS NULL ORDER BY id DESC LIMIT ?3 OFFSET ?4")
#define PG_SEARCH_CUSTOMER PG_SEARCH_PAGE( \
	"SELECT x.id FROM (" VISIBLE("?2") ") v" \
	" JOIN messages x ON x.ticket_id = v.ticket_id" \
	" WHERE x.internal = 0 AND x.fts @@ " PG_TSQUERY \
	" ORDER BY x.id DESC LIMIT ?3 OFFSET ?4")

#define SNIPPET_WORDS		16
#define SNIPPET_WORDS_BEFORE	4

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *
store_web_snippet(const char *hl, int words)
{
	const char	*first = strchr(hl, '\001'), *start, *end, *p;
	const char	*starts[SNIPPET_WORDS_BEFORE] = { NULL };
	GString		*out = g_string_new(NULL);
	bool		 in_match = false;
	int		 n = 0;

	if (first == NULL)
		first = hl;
	/* A few words before the match, for context: the word starts
	 * before it, the last SNIPPET_WORDS_BEFORE of them kept. */
	for (p = hl; p < first; p++)
		if (!is_space(*p) && (p == hl || is_space(p[-1])))
			starts[n++ % SNIPPET_WORDS_BEFORE] = p;
	start = n == 0 ? first : n < SNIPPET_WORDS_BEFORE ? starts[0] :
	    starts[n % SNIPPET_WORDS_BEFORE];
	while (is_space(*start))
		start++;
	/* From the match on, WORDS words, and never half a match. */
	end = start;
	for (n = 0; *end != '\0' && (end < first || n < words || in_match);
	    end++) {
		if (*end == '\001')
			in_match = true;
		else if (*end == '\002')
			in_match = false;
		else if (end > first && is_space(*end) && !is_space(end[-1]))
			n++;
	}
	while (end > start && is_space(end[-1]))
		end--;
	if (start > hl)
		g_string_append(out, "\xe2\x80\xa6");
	g_string_append_len(out, start, end - start);
	if (*end != '\0')
		g_string_append(out, "\xe2\x80\xa6");
	return g_string_free(out, FALSE);
}

static gpointer
row_to_web_hit(struct db_stmt *st)
{
	struct store_web_hit	*h = g_new0(struct store_web_hit, 1);
	const char		*hl = (const char *)db_column_text(st, 5);

	h->message_row = db_column_int64(st, 0);
	h->ticket_id = db_column_int64(st, 1);
	h->subject = store_col_text(st, 2);
	h->from_addr = store_col_text(st, 3);
	h->date = db_column_int64(st, 4);
	h->snippet = store_web_snippet(hl != NULL ? hl : "", SNIPPET_WORDS);
	return h;
}

bool
store_web_search(struct store *s, const char *query, const char *who,
    int64_t limit, int64_t offset, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	/* Staff: rowid order lets FTS5 stop after LIMIT hits (bm25 ranking
	 * would score every match of a common word first).  A customer:
	 * her tickets' messages drive the loop (CROSS JOIN fixes the order) and
	 * FTS5 checks each by rowid, so a common word costs no more than
	 * her tickets' size.  PostgreSQL: the GIN index on messages.fts
	 * finds the matches, id order picks the page. */
	if (db_fts(s->db) == DB_FTS_TSVECTOR)
		st = store_stmt(s, who == NULL ? PG_SEARCH_STAFF :
		    PG_SEARCH_CUSTOMER, err);
	else
		st = store_stmt(s, who == NULL ? SEARCH_STAFF :
		    SEARCH_CUSTOMER, err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, query);
	store_bind_text(st, 2, who);
	db_bind_int64(st, 3, limit);
	db_bind_int64(st, 4, offset);
	if (who != NULL)
		store_bind_text(st, ORG_VIEW_PARAM, s->org_view);
	return store_collect(s, st, row_to_web_hit,
	    (GDestroyNotify)store_web_hit_free, out, err);
}

bool
store_web_ticket_visible(struct store *s, int64_t ticket, const char *addr,
    bool *yes, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM (" VISIBLE("?2") ") v"
	    " WHERE v.ticket_id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, addr);
	store_bind_text(st, ORG_VIEW_PARAM, s->org_view);
	return store_step_found(s, st, yes, err);
}

bool
store_web_attachment(struct store *s, int64_t id, struct attachment **out,
    int64_t *ticket, bool *internal, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	st = store_stmt(s, "SELECT a.id, a.message_row, a.filename,"
	    " a.content_type, a.disposition, a.content_id, a.size, a.sha256,"
	    " m.ticket_id, m.internal FROM attachments a"
	    " JOIN messages m ON m.id = a.message_row WHERE a.id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		struct attachment *a = g_new0(struct attachment, 1);

		a->id = db_column_int64(st, 0);
		a->message_row = db_column_int64(st, 1);
		a->filename = store_col_text(st, 2);
		a->content_type = store_col_text(st, 3);
		a->disposition = store_col_text(st, 4);
		a->content_id = store_col_text(st, 5);
		a->size = db_column_int64(st, 6);
		a->sha256 = store_col_text(st, 7);
		*ticket = db_column_int64(st, 8);
		*internal = db_column_int(st, 9) != 0;
		*out = a;
		db_reset(st);
		return true;
	}
	db_reset(st);
	if (rc != DB_DONE)
		return store_fail(s, rc, err);
	g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
	    "no attachment %" G_GINT64_FORMAT, id);
	return false;
}

void
store_web_day_free(struct store_web_day *d)
{
	if (d == NULL)
		return;
	g_free(d->queue);
	g_free(d);
}

void
store_web_count_free(struct store_web_count *c)
{
	if (c == NULL)
		return;
	g_free(c->name);
	g_free(c);
}

static gpointer
row_to_web_day(struct db_stmt *st)
{
	struct store_web_day	*d = g_new0(struct store_web_day, 1);

	d->day = db_column_int64(st, 0);
	d->queue = store_col_text(st, 1);
	d->n = db_column_int64(st, 2);
	return d;
}

bool
store_web_opened_per_day(struct store *s, int64_t since, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT created / 86400 AS day, queue, count(*)"
	    " FROM tickets WHERE created >= ?1 GROUP BY day, queue"
	    " ORDER BY day, queue", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, since);
	return store_collect(s, st, row_to_web_day,
	    (GDestroyNotify)store_web_day_free, out, err);
}

static gpointer
row_to_web_count(struct db_stmt *st)
{
	struct store_web_count	*c = g_new0(struct store_web_count, 1);

	c->name = store_col_text(st, 0);
	c->n = db_column_int64(st, 1);
	return c;
}

bool
store_web_backlog(struct store *s, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT status, count(*) FROM tickets"
	    " WHERE status <> 'closed' GROUP BY status ORDER BY status", err);
	if (st == NULL)
		return false;
	return store_collect(s, st, row_to_web_count,
	    (GDestroyNotify)store_web_count_free, out, err);
}

static void
clear_response(gpointer p)
{
	g_free(((struct store_web_response *)p)->queue);
}

bool
store_web_first_responses(struct store *s, int64_t since, GArray **out,
    GError **err)
{
	struct db_stmt	*st;
	GArray		*a;
	int		 rc;

	st = store_stmt(s, "SELECT t.created, t.hotrush,"
	    " (SELECT min(m.received) FROM messages m WHERE m.ticket_id = t.id"
	    "  AND m.direction = 'out' AND m.internal = 0), t.queue"
	    " FROM tickets t WHERE t.created >= ?1 LIMIT 100000", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, since);
	a = g_array_new(FALSE, TRUE, sizeof(struct store_web_response));
	g_array_set_clear_func(a, clear_response);
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_web_response r;

		r.created = db_column_int64(st, 0);
		r.hotrush = db_column_int(st, 1) != 0;
		r.first = db_column_int64(st, 2);
		r.queue = store_col_text(st, 3);
		g_array_append_val(a, r);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_array_unref(a);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

static void
clear_sla(gpointer p)
{
	struct store_web_sla *r = p;

	g_free(r->queue);
	g_free(r->status);
}

bool
store_web_sla_facts(struct store *s, int64_t since, GArray **out,
    GError **err)
{
	struct db_stmt	*st;
	GArray		*a;
	int		 rc;

	st = store_stmt(s, "SELECT created, first_response_at, status_since,"
	    " priority_rank, hotrush, queue, status FROM tickets"
	    " WHERE created >= ?1 ORDER BY queue LIMIT 100000", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, since);
	a = g_array_new(FALSE, TRUE, sizeof(struct store_web_sla));
	g_array_set_clear_func(a, clear_sla);
	while ((rc = db_step(st)) == DB_ROW) {
		struct store_web_sla r;

		r.created = db_column_int64(st, 0);
		r.first_response = db_column_int64(st, 1);
		r.status_since = db_column_int64(st, 2);
		r.priority_rank = db_column_int(st, 3);
		r.hotrush = db_column_int(st, 4) != 0;
		r.queue = store_col_text(st, 5);
		r.status = store_col_text(st, 6);
		g_array_append_val(a, r);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_array_unref(a);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

/* --- sign-in links and sessions ------------------------------------- */

#define LINK_COLS "id, address, ticket, created, expires, revoked, used"
#define SESSION_COLS "s.id, s.link_id, s.address, s.created, s.expires," \
	" s.last_seen, s.revoked, l.revoked"

void
store_web_link_free(struct store_web_link *l)
{
	if (l == NULL)
		return;
	g_free(l->id);
	g_free(l->address);
	g_free(l);
}

void
store_web_session_free(struct store_web_session *s)
{
	if (s == NULL)
		return;
	g_free(s->id);
	g_free(s->link_id);
	g_free(s->address);
	g_free(s);
}

static gpointer
row_to_link(struct db_stmt *st)
{
	struct store_web_link	*l = g_new0(struct store_web_link, 1);

	l->id = store_col_text(st, 0);
	l->address = store_col_text(st, 1);
	l->ticket = db_column_int64(st, 2);
	l->created = db_column_int64(st, 3);
	l->expires = db_column_int64(st, 4);
	l->revoked = db_column_int64(st, 5);
	l->used = db_column_int64(st, 6);
	return l;
}

static gpointer
row_to_session(struct db_stmt *st)
{
	struct store_web_session *s = g_new0(struct store_web_session, 1);

	s->id = store_col_text(st, 0);
	s->link_id = store_col_text(st, 1);
	s->address = store_col_text(st, 2);
	s->created = db_column_int64(st, 3);
	s->expires = db_column_int64(st, 4);
	s->last_seen = db_column_int64(st, 5);
	s->revoked = db_column_int64(st, 6);
	s->link_revoked = db_column_int64(st, 7);
	return s;
}

/* One row or none: *out NULL when none. */
static bool
maybe_one(struct store *s, struct db_stmt *st, store_row_fn fn,
    GDestroyNotify free_fn, gpointer *out, GError **err)
{
	GPtrArray	*a;

	*out = NULL;
	if (!store_collect(s, st, fn, free_fn, &a, err))
		return false;
	if (a->len > 0)
		*out = g_ptr_array_steal_index(a, 0);
	g_ptr_array_unref(a);
	return true;
}

bool
store_web_link_add(struct store *s, const struct store_web_link *l,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO web_links (" LINK_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, l->id);
	store_bind_text(st, 2, l->address);
	db_bind_int64(st, 3, l->ticket);
	db_bind_int64(st, 4, l->created);
	db_bind_int64(st, 5, l->expires);
	return store_step_done(s, st, err);
}

bool
store_web_link_get(struct store *s, const char *id,
    struct store_web_link **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " LINK_COLS " FROM web_links"
	    " WHERE id = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, id);
	return maybe_one(s, st, row_to_link,
	    (GDestroyNotify)store_web_link_free, (gpointer *)out, err);
}

bool
store_web_session_open(struct store *s, const struct store_web_session *n,
    GError **err)
{
	struct db_stmt	*ins, *use;
	bool		 ok;

	if (!store_begin(s, err))
		return false;
	ins = store_stmt(s, "INSERT INTO web_sessions (id, link_id, address,"
	    " created, expires, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
	    err);
	ok = ins != NULL;
	if (ok) {
		store_bind_text(ins, 1, n->id);
		store_bind_text(ins, 2, n->link_id);
		store_bind_text(ins, 3, n->address);
		db_bind_int64(ins, 4, n->created);
		db_bind_int64(ins, 5, n->expires);
		ok = store_step_done(s, ins, err);
	}
	use = ok ? store_stmt(s, "UPDATE web_links SET used = ?2"
	    " WHERE id = ?1", err) : NULL;
	if (use != NULL) {
		store_bind_text(use, 1, n->link_id);
		db_bind_int64(use, 2, n->created);
	}
	ok = use != NULL && store_step_done(s, use, err) &&
	    store_commit(s, err);
	if (!ok)
		store_rollback(s);
	return ok;
}

bool
store_web_session_get(struct store *s, const char *id,
    struct store_web_session **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " SESSION_COLS " FROM web_sessions s"
	    " JOIN web_links l ON l.id = s.link_id WHERE s.id = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, id);
	return maybe_one(s, st, row_to_session,
	    (GDestroyNotify)store_web_session_free, (gpointer *)out, err);
}

bool
store_web_session_seen(struct store *s, const char *id, int64_t now,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE web_sessions SET last_seen = ?2"
	    " WHERE id = ?1 AND last_seen < ?2", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	return store_step_done(s, st, err);
}

/* Runs ST (already bound) and adds the rows it changed to *n. */
static bool
changed_rows(struct store *s, struct db_stmt *st, int64_t *n, GError **err)
{
	if (!store_step_done(s, st, err))
		return false;
	*n += db_changes(s->db);
	return true;
}

bool
store_web_revoke(struct store *s, const char *address, const char *link_id,
    int64_t now, int64_t *links, int64_t *sessions, GError **err)
{
	struct db_stmt	*l, *ss;
	bool		 ok;

	*links = *sessions = 0;
	/* ?1 address or NULL, ?2 link id or NULL: exactly one is set. */
	l = store_stmt(s, "UPDATE web_links SET revoked = ?3"
	    " WHERE (address = ?1 OR id = ?2) AND revoked = 0"
	    " AND expires > ?3", err);
	ok = l != NULL;
	if (ok) {
		store_bind_text(l, 1, address);
		store_bind_text(l, 2, link_id);
		db_bind_int64(l, 3, now);
		ok = changed_rows(s, l, links, err);
	}
	ss = ok ? store_stmt(s, "UPDATE web_sessions SET revoked = ?3"
	    " WHERE (address = ?1 OR link_id = ?2) AND revoked = 0"
	    " AND expires > ?3", err) : NULL;
	if (ss != NULL) {
		store_bind_text(ss, 1, address);
		store_bind_text(ss, 2, link_id);
		db_bind_int64(ss, 3, now);
	}
	return ss != NULL && changed_rows(s, ss, sessions, err);
}

bool
store_web_links_of(struct store *s, const char *address, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " LINK_COLS " FROM web_links"
	    " WHERE address = ?1 ORDER BY created DESC, id LIMIT 100", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, address);
	return store_collect(s, st, row_to_link,
	    (GDestroyNotify)store_web_link_free, out, err);
}

bool
store_web_sessions_of(struct store *s, const char *address, int64_t live_at,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " SESSION_COLS " FROM web_sessions s"
	    " JOIN web_links l ON l.id = s.link_id WHERE s.address = ?1"
	    " AND (?2 <= 0 OR (s.revoked = 0 AND l.revoked = 0"
	    " AND s.expires > ?2))"
	    " ORDER BY s.created DESC, s.id LIMIT 100", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, address);
	db_bind_int64(st, 2, live_at);
	return store_collect(s, st, row_to_session,
	    (GDestroyNotify)store_web_session_free, out, err);
}
