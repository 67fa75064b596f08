/*
 * store_message: messages, attachments, events and the quarantine.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

#define MESSAGE_COLS_BEFORE_TEXT \
	"id, ticket_id, direction, internal, message_id, in_reply_to, " \
	"refs, from_addr, from_name, to_addrs, cc_addrs, envelope_from, " \
	"envelope_to, client_ip, subject, date, received, "
/* The same, each with the table alias m. (the first takes it from the
 * SELECT). */
#define MESSAGE_COLS_BEFORE_TEXT_M \
	"id, m.ticket_id, m.direction, m.internal, m.message_id, " \
	"m.in_reply_to, m.refs, m.from_addr, m.from_name, m.to_addrs, " \
	"m.cc_addrs, m.envelope_from, m.envelope_to, m.client_ip, " \
	"m.subject, m.date, m.received, "
#define MESSAGE_COLS_AFTER_TEXT \
	", body_hash, raw_sha256, spf, auth_verdict, auth"
#define MESSAGE_COLS \
	MESSAGE_COLS_BEFORE_TEXT "text, stripped" MESSAGE_COLS_AFTER_TEXT

static struct message *
row_to_message(struct db_stmt *st)
{
	struct message	*m = g_new0(struct message, 1);
	const char	*dir = (const char *)db_column_text(st, 2);

	m->id = db_column_int64(st, 0);
	m->ticket_id = db_column_int64(st, 1);
	m->outbound = dir != NULL && strcmp(dir, "out") == 0;
	m->internal = db_column_int(st, 3) != 0;
	m->message_id = store_col_text(st, 4);
	m->in_reply_to = store_col_text(st, 5);
	m->references = store_col_text(st, 6);
	m->from_addr = store_col_text(st, 7);
	m->from_name = store_col_text(st, 8);
	m->to_addrs = store_col_text(st, 9);
	m->cc_addrs = store_col_text(st, 10);
	m->envelope_from = store_col_text(st, 11);
	m->envelope_to = store_col_text(st, 12);
	m->client_ip = store_col_text(st, 13);
	m->subject = store_col_text(st, 14);
	m->date = db_column_int64(st, 15);
	m->received = db_column_int64(st, 16);
	m->text = store_col_text(st, 17);
	m->stripped = store_col_text(st, 18);
	m->body_hash = store_col_text(st, 19);
	m->raw_sha256 = store_col_text(st, 20);
	m->spf = store_col_text(st, 21);
	m->auth_verdict = store_col_text(st, 22);
	m->auth = store_col_text(st, 23);
	return m;
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_free(m->references);
	g_free(m->from_addr);
	g_free(m->from_name);
	g_free(m->to_addrs);
	g_free(m->cc_addrs);
	g_free(m->envelope_from);
	g_free(m->envelope_to);
	g_free(m->client_ip);
	g_free(m->subject);
	g_free(m->text);
	g_free(m->stripped);
	g_free(m->body_hash);
	g_free(m->raw_sha256);
	g_free(m->spf);
	g_free(m->auth_verdict);
	g_free(m->auth);
	g_free(m);
}

/* S cut to its first STORE_MESSAGE_HEAD characters (g_free); *longer
 * says whether that cut anything. */
static char *
head_of(const char *s, bool *longer)
{
	const char	*end = s;
	glong		 n;

	/* Bytes bound characters: a short text needs no counting. */
	if (strlen(s) <= STORE_MESSAGE_HEAD)
		return g_strdup(s);
	for (n = 0; *end != '\0' && n < STORE_MESSAGE_HEAD; n++)
		end = g_utf8_next_char(end);
	*longer = *longer || *end != '\0';
	return g_strndup(s, (gsize)(end - s));
}

/* ROW's message_heads row, if its text or stripped text is long. */
static bool
head_write(struct store *s, int64_t row, const char *text,
    const char *stripped, GError **err)
{
	struct db_stmt	*st;
	bool		 longer = false, ok = true;
	char		*th, *sh;

	st = store_stmt(s, "DELETE FROM message_heads WHERE message_row = ?1",
	    err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, row);
	if (!store_step_done(s, st, err))
		return false;
	th = head_of(text, &longer);
	sh = head_of(stripped, &longer);
	if (longer) {
		st = store_stmt(s, "INSERT INTO message_heads (message_row, "
		    "text_head, stripped_head) VALUES (?1, ?2, ?3)", err);
		ok = st != NULL;
		if (ok) {
			db_bind_int64(st, 1, row);
			store_bind_text(st, 2, th);
			store_bind_text(st, 3, sh);
			ok = store_step_done(s, st, err);
		}
	}
	g_free(th);
	g_free(sh);
	return ok;
}

bool
store_message_insert(struct store *s, struct message *m, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO messages (ticket_id, direction, "
	    "internal, message_id, in_reply_to, refs, from_addr, from_name, "
	    "to_addrs, cc_addrs, envelope_from, envelope_to, client_ip, "
	    "subject, date, received, text, stripped, body_hash, raw_sha256, "
	    "spf, auth_verdict, auth) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
	    "?22, ?23)", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, m->ticket_id);
	store_bind_text(st, 2, m->outbound ? "out" : "in");
	db_bind_int(st, 3, m->internal);
	store_bind_text(st, 4, m->message_id);
	store_bind_text(st, 5, m->in_reply_to);
	store_bind_text(st, 6, m->references);
	store_bind_text(st, 7, m->from_addr);
	store_bind_text(st, 8, m->from_name);
	store_bind_text(st, 9, m->to_addrs);
	store_bind_text(st, 10, m->cc_addrs);
	store_bind_text(st, 11, m->envelope_from);
	store_bind_text(st, 12, m->envelope_to);
	store_bind_text(st, 13, m->client_ip);
	store_bind_text(st, 14, m->subject);
	db_bind_int64(st, 15, m->date);
	db_bind_int64(st, 16, m->received);
	store_bind_text(st, 17, m->text != NULL ? m->text : "");
	store_bind_text(st, 18, m->stripped != NULL ? m->stripped : "");
	store_bind_text(st, 19, m->body_hash);
	store_bind_text(st, 20, m->raw_sha256);
	store_bind_text(st, 21, m->spf);
	store_bind_text(st, 22, m->auth_verdict);
	store_bind_text(st, 23, m->auth);
	if (!store_step_done(s, st, err))
		return false;
	m->id = db_last_insert_id(s->db);
	return head_write(s, m->id, m->text != NULL ? m->text : "",
	    m->stripped != NULL ? m->stripped : "", err);
}

bool
store_message_ticket(struct store *s, const char *message_id,
    int64_t *ticket, bool *found, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT ticket_id FROM messages WHERE "
	    "message_id = ?1 ORDER BY id LIMIT 1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	return store_step_int64(s, st, ticket, found, err);
}

bool
store_message_duplicate(struct store *s, const char *message_id,
    const char *body_hash, int64_t *ticket, bool *found, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT ticket_id FROM messages WHERE "
	    "message_id = ?1 AND body_hash = ?2", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	store_bind_text(st, 2, body_hash);
	return store_step_int64(s, st, ticket, found, err);
}

static bool
get_one(struct store *s, struct db_stmt *st, struct message **out,
    const char *what, GError **err)
{
	char	*w = g_strconcat("message ", what, NULL);
	bool	 ok;

	ok = store_get_one(s, st, (store_row_fn)row_to_message,
	    (gpointer *)out, w, err);
	g_free(w);
	return ok;
}

bool
store_message_get(struct store *s, const char *message_id,
    struct message **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " MESSAGE_COLS " FROM messages WHERE "
	    "message_id = ?1 ORDER BY id LIMIT 1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	return get_one(s, st, out, message_id, err);
}

bool
store_message_get_row(struct store *s, int64_t row, struct message **out,
    GError **err)
{
	struct db_stmt	*st;
	char		 what[32];

	st = store_stmt(s, "SELECT " MESSAGE_COLS " FROM messages WHERE "
	    "id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, row);
	g_snprintf(what, sizeof what, "row %" G_GINT64_FORMAT, row);
	return get_one(s, st, out, what, err);
}

bool
store_thread(struct store *s, int64_t ticket, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " MESSAGE_COLS " FROM messages WHERE "
	    "ticket_id = ?1 ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	return store_collect(s, st, (store_row_fn)row_to_message,
	    (GDestroyNotify)message_free, out, err);
}

bool
store_thread_head(struct store *s, int64_t ticket, int64_t chars,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	/* A long message's head comes from message_heads, which holds
	 * enough of it: its whole text is never read (CASE evaluates
	 * only the branch it takes). */
	if (chars <= STORE_MESSAGE_HEAD)
		st = store_stmt(s, "SELECT m." MESSAGE_COLS_BEFORE_TEXT_M
		    "CASE WHEN h.message_row IS NULL THEN "
		    "substr(m.text, 1, ?2) ELSE substr(h.text_head, 1, ?2) END,"
		    " CASE WHEN h.message_row IS NULL THEN "
		    "substr(m.stripped, 1, ?2) ELSE substr(h.stripped_head, 1, "
		    "?2) END, m.body_hash, m.raw_sha256, m.spf, m.auth_verdict, "
		    "m.auth FROM messages m LEFT JOIN message_heads h ON "
		    "h.message_row = m.id WHERE m.ticket_id = ?1 ORDER BY m.id",
		    err);
	else
		st = store_stmt(s, "SELECT " MESSAGE_COLS_BEFORE_TEXT
		    "substr(text, 1, ?2), substr(stripped, 1, ?2)"
		    MESSAGE_COLS_AFTER_TEXT " FROM messages WHERE ticket_id = ?1"
		    " ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	db_bind_int64(st, 2, chars);
	return store_collect(s, st, (store_row_fn)row_to_message,
	    (GDestroyNotify)message_free, out, err);
}

gpointer
store_row_int64(struct db_stmt *st)
{
	int64_t	*row = g_new(int64_t, 1);

	*row = db_column_int64(st, 0);
	return row;
}

bool
store_message_rows(struct store *s, int64_t ticket, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT id FROM messages WHERE ?1 = 0 OR "
	    "ticket_id = ?1 ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	return store_collect(s, st, store_row_int64, g_free, out, err);
}

bool
store_message_update_text(struct store *s, int64_t row, const char *subject,
    const char *text, const char *stripped, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE messages SET subject = ?2, text = ?3, "
	    "stripped = ?4 WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, row);
	store_bind_text(st, 2, subject);
	store_bind_text(st, 3, text);
	store_bind_text(st, 4, stripped);
	return store_step_done(s, st, err) &&
	    head_write(s, row, text, stripped, err);
}

void
attachment_free(struct attachment *a)
{
	if (a == NULL)
		return;
	g_free(a->filename);
	g_free(a->content_type);
	g_free(a->disposition);
	g_free(a->content_id);
	g_free(a->sha256);
	g_free(a);
}

bool
store_attachment_insert(struct store *s, struct attachment *a, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO attachments (message_row, filename, "
	    "content_type, disposition, content_id, size, sha256) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, a->message_row);
	store_bind_text(st, 2, a->filename);
	store_bind_text(st, 3, a->content_type);
	store_bind_text(st, 4, a->disposition);
	store_bind_text(st, 5, a->content_id);
	db_bind_int64(st, 6, a->size);
	store_bind_text(st, 7, a->sha256);
	if (!store_step_done(s, st, err))
		return false;
	a->id = db_last_insert_id(s->db);
	return true;
}

static gpointer
row_to_attachment(struct db_stmt *st)
{
	struct attachment *x = g_new0(struct attachment, 1);

	x->id = db_column_int64(st, 0);
	x->message_row = db_column_int64(st, 1);
	x->filename = store_col_text(st, 2);
	x->content_type = store_col_text(st, 3);
	x->disposition = store_col_text(st, 4);
	x->content_id = store_col_text(st, 5);
	x->size = db_column_int64(st, 6);
	x->sha256 = store_col_text(st, 7);
	return x;
}

bool
store_attachments(struct store *s, int64_t message_row, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT id, message_row, filename, content_type, "
	    "disposition, content_id, size, sha256 FROM attachments WHERE "
	    "message_row = ?1 ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, message_row);
	return store_collect(s, st, row_to_attachment,
	    (GDestroyNotify)attachment_free, out, err);
}

bool
store_attachments_delete(struct store *s, int64_t message_row, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM attachments WHERE message_row = ?1",
	    err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, message_row);
	return store_step_done(s, st, err);
}

void
event_free(struct event *e)
{
	if (e == NULL)
		return;
	g_free(e->actor);
	g_free(e->kind);
	g_free(e->detail);
	g_free(e);
}

bool
store_event_add(struct store *s, int64_t ticket, int64_t message_row,
    int64_t at, const char *actor, const char *kind, const char *detail,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO events (ticket_id, message_row, at, "
	    "actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", err);
	if (st == NULL)
		return false;
	if (ticket > 0)
		db_bind_int64(st, 1, ticket);
	if (message_row > 0)
		db_bind_int64(st, 2, message_row);
	db_bind_int64(st, 3, at);
	store_bind_text(st, 4, actor);
	store_bind_text(st, 5, kind);
	store_bind_text(st, 6, detail);
	return store_step_done(s, st, err);
}

static gpointer
row_to_event(struct db_stmt *st)
{
	struct event *e = g_new0(struct event, 1);

	e->id = db_column_int64(st, 0);
	e->ticket_id = db_column_int64(st, 1);
	e->message_row = db_column_int64(st, 2);
	e->at = db_column_int64(st, 3);
	e->actor = store_col_text(st, 4);
	e->kind = store_col_text(st, 5);
	e->detail = store_col_text(st, 6);
	return e;
}

bool
store_events(struct store *s, int64_t ticket, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT id, ticket_id, message_row, at, actor, "
	    "kind, detail FROM events WHERE ticket_id = ?1 ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	return store_collect(s, st, row_to_event, (GDestroyNotify)event_free,
	    out, err);
}

bool
store_event_since(struct store *s, const char *kind, const char *actor,
    const char *detail, int64_t since, bool *found, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM events WHERE kind = ?1 AND "
	    "actor = ?2 AND (detail = ?3 OR (detail IS NULL AND ?3 IS NULL)) "
	    "AND at >= ?4 LIMIT 1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, actor);
	store_bind_text(st, 3, detail);
	db_bind_int64(st, 4, since);
	return store_step_found(s, st, found, err);
}

void
quarantine_entry_free(struct quarantine_entry *q)
{
	if (q == NULL)
		return;
	g_free(q->reason);
	g_free(q->raw_sha256);
	g_free(q->envelope_from);
	g_free(q->envelope_to);
	g_free(q->client_ip);
	g_free(q);
}

/* The entry not replayed that holds these bytes (quarantine_raw_once). */
static bool
quarantine_live_id(struct store *s, const char *sha256_hex, int64_t *id,
    GError **err)
{
	struct db_stmt	*st;
	bool		 found;

	st = store_stmt(s, "SELECT id FROM quarantine WHERE raw_sha256 = ?1 "
	    "AND replayed_as IS NULL", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, sha256_hex);
	if (!store_step_int64(s, st, id, &found, err))
		return false;
	if (!found)
		*id = 0;
	return true;
}

bool
store_quarantine_add(struct store *s, struct quarantine_entry *q,
    bool *added, GError **err)
{
	struct db_stmt	*st;

	*added = false;
	st = store_stmt(s, "INSERT INTO quarantine (received, reason, "
	    "raw_sha256, size, envelope_from, envelope_to, client_ip) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (raw_sha256) "
	    "WHERE replayed_as IS NULL DO NOTHING", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, q->received);
	store_bind_text(st, 2, q->reason);
	store_bind_text(st, 3, q->raw_sha256);
	db_bind_int64(st, 4, q->size);
	store_bind_text(st, 5, q->envelope_from);
	store_bind_text(st, 6, q->envelope_to);
	store_bind_text(st, 7, q->client_ip);
	if (!store_step_done(s, st, err))
		return false;
	if (db_changes(s->db) == 0)
		return quarantine_live_id(s, q->raw_sha256, &q->id, err);
	q->id = db_last_insert_id(s->db);
	*added = true;
	return true;
}

#define QUARANTINE_COLS "id, received, reason, raw_sha256, size, " \
	"envelope_from, envelope_to, client_ip, replayed_as"

static struct quarantine_entry *
row_to_quarantine(struct db_stmt *st)
{
	struct quarantine_entry *q = g_new0(struct quarantine_entry, 1);

	q->id = db_column_int64(st, 0);
	q->received = db_column_int64(st, 1);
	q->reason = store_col_text(st, 2);
	q->raw_sha256 = store_col_text(st, 3);
	q->size = db_column_int64(st, 4);
	q->envelope_from = store_col_text(st, 5);
	q->envelope_to = store_col_text(st, 6);
	q->client_ip = store_col_text(st, 7);
	q->replayed_as = db_column_int64(st, 8);
	return q;
}

bool
store_quarantine_list(struct store *s, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " QUARANTINE_COLS " FROM quarantine "
	    "ORDER BY id", err);
	if (st == NULL)
		return false;
	return store_collect(s, st, (store_row_fn)row_to_quarantine,
	    (GDestroyNotify)quarantine_entry_free, out, err);
}

bool
store_quarantine_get(struct store *s, int64_t id,
    struct quarantine_entry **out, GError **err)
{
	struct db_stmt	*st;
	char		 what[48];

	st = store_stmt(s, "SELECT " QUARANTINE_COLS " FROM quarantine "
	    "WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	g_snprintf(what, sizeof what, "quarantine entry %" G_GINT64_FORMAT,
	    id);
	return store_get_one(s, st, (store_row_fn)row_to_quarantine,
	    (gpointer *)out, what, err);
}

bool
store_quarantine_mark_replayed(struct store *s, int64_t id,
    int64_t message_row, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE quarantine SET replayed_as = ?2 WHERE "
	    "id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	if (message_row > 0)
		db_bind_int64(st, 2, message_row);
	return store_step_done(s, st, err);
}

bool
store_quarantine_find_raw(struct store *s, const char *sha256_hex,
    int64_t *id, GError **err)
{
	return quarantine_live_id(s, sha256_hex, id, err);
}

bool
store_intake_seen_add(struct store *s, const char *message_id,
    const char *body_hash, const char *outcome, int64_t ticket,
    int64_t quarantine_id, int64_t at, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO intake_seen (message_id, body_hash, "
	    "outcome, ticket_id, quarantine_id, at) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	store_bind_text(st, 2, body_hash);
	store_bind_text(st, 3, outcome);
	if (ticket > 0)
		db_bind_int64(st, 4, ticket);
	if (quarantine_id > 0)
		db_bind_int64(st, 5, quarantine_id);
	db_bind_int64(st, 6, at);
	return store_step_done(s, st, err);
}

bool
store_intake_seen_get(struct store *s, const char *message_id,
    const char *body_hash, char **outcome, int64_t *ticket, bool *found,
    GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*outcome = NULL;
	*ticket = 0;
	*found = false;
	st = store_stmt(s, "SELECT outcome, coalesce(ticket_id, 0) FROM "
	    "intake_seen WHERE message_id = ?1 AND body_hash = ?2", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	store_bind_text(st, 2, body_hash);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*outcome = store_col_text(st, 0);
		*ticket = db_column_int64(st, 1);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc, err);
	*found = rc == DB_ROW;
	return true;
}

bool
store_intake_seen_prune(struct store *s, int64_t before, int *n,
    GError **err)
{
	struct db_stmt	*st;

	*n = 0;
	st = store_stmt(s, "DELETE FROM intake_seen WHERE at < ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, before);
	if (!store_step_done(s, st, err))
		return false;
	*n = db_changes(s->db);
	return true;
}
