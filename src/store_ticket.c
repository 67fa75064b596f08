/*
 * store_ticket: tickets, their tags and fields, and participants.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

#define TICKET_COLS \
	"t.id, t.subject, t.status, t.queue, t.priority, t.hotrush, " \
	"t.requester, t.owner, t.linked_to, t.created, t.updated, " \
	"(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id), " \
	"t.priority_rank"

static struct ticket *
row_to_ticket(struct db_stmt *st)
{
	struct ticket	*t = g_new0(struct ticket, 1);

	t->id = db_column_int64(st, 0);
	t->subject = store_col_text(st, 1);
	t->status = store_col_text(st, 2);
	t->queue = store_col_text(st, 3);
	t->priority = store_col_text(st, 4);
	t->hotrush = db_column_int(st, 5) != 0;
	t->requester = store_col_text(st, 6);
	t->owner = store_col_text(st, 7);
	t->linked_to = db_column_int64(st, 8);
	t->created = db_column_int64(st, 9);
	t->updated = db_column_int64(st, 10);
	t->n_messages = db_column_int64(st, 11);
	t->priority_rank = db_column_int(st, 12);
	return t;
}

void
ticket_free(struct ticket *t)
{
	if (t == NULL)
		return;
	g_free(t->subject);
	g_free(t->status);
	g_free(t->queue);
	g_free(t->priority);
	g_free(t->requester);
	g_free(t->owner);
	g_free(t);
}

bool
store_ticket_insert(struct store *s, struct ticket *t, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO tickets (subject, status, queue, "
	    "priority, hotrush, requester, owner, linked_to, created, "
	    "updated, priority_rank) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?9, ?10)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, t->subject != NULL ? t->subject : "");
	store_bind_text(st, 2, t->status != NULL ? t->status : "submitted");
	store_bind_text(st, 3, t->queue != NULL ? t->queue : "support");
	store_bind_text(st, 4, t->priority != NULL ? t->priority : "normal");
	db_bind_int(st, 5, t->hotrush);
	store_bind_text(st, 6, t->requester != NULL ? t->requester : "");
	store_bind_text(st, 7, t->owner);
	if (t->linked_to > 0)
		db_bind_int64(st, 8, t->linked_to);
	db_bind_int64(st, 9, t->created);
	db_bind_int(st, 10, t->priority != NULL ? t->priority_rank : 1);
	if (!store_step_done(s, st, err))
		return false;
	t->id = db_last_insert_id(s->db);
	t->updated = t->created;
	return true;
}

bool
store_ticket_get(struct store *s, int64_t id, struct ticket **out,
    GError **err)
{
	struct db_stmt	*st;
	char		 what[40];

	st = store_stmt(s, "SELECT " TICKET_COLS " FROM tickets t "
	    "WHERE t.id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	g_snprintf(what, sizeof what, "ticket #%" G_GINT64_FORMAT, id);
	return store_get_one(s, st, (store_row_fn)row_to_ticket,
	    (gpointer *)out, what, err);
}

bool
store_ticket_exists(struct store *s, int64_t id, bool *exists, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM tickets WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	return store_step_found(s, st, exists, err);
}

bool
store_ticket_touch(struct store *s, int64_t id, int64_t now, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE tickets SET updated = max(updated, ?2) "
	    "WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	return store_step_done(s, st, err);
}

bool
store_ticket_set_priority(struct store *s, int64_t id, const char *name,
    int rank, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE tickets SET priority = ?2, priority_rank ="
	    " ?3 WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, name);
	db_bind_int(st, 3, rank);
	return store_step_done(s, st, err);
}

bool
store_ticket_set(struct store *s, int64_t id, const char *field,
    const char *value, GError **err)
{
	/* One literal statement per column: no SQL is built from input. */
	static const struct { const char *field, *sql; } setters[] = {
		{ "status", "UPDATE tickets SET status = ?2 WHERE id = ?1" },
		{ "queue", "UPDATE tickets SET queue = ?2 WHERE id = ?1" },
		{ "owner", "UPDATE tickets SET owner = ?2 WHERE id = ?1" },
		{ "subject", "UPDATE tickets SET subject = ?2 WHERE id = ?1" },
	};
	struct db_stmt	*st = NULL;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(setters); i++)
		if (strcmp(setters[i].field, field) == 0)
			st = store_stmt(s, setters[i].sql, err);
	if (st == NULL) {
		if (err != NULL && *err == NULL)
			g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER,
			    "unknown ticket field %s", field);
		return false;
	}
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, value);
	return store_step_done(s, st, err);
}

bool
store_ticket_set_hotrush(struct store *s, int64_t id, bool on, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE tickets SET hotrush = ?2 WHERE id = ?1",
	    err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, on);
	return store_step_done(s, st, err);
}

bool
store_ticket_add_tag(struct store *s, int64_t id, const char *tag,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO ticket_tags (ticket_id, tag)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, tag);
	return store_step_done(s, st, err);
}

bool
store_ticket_set_field(struct store *s, int64_t id, const char *name,
    const char *value, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO ticket_fields (ticket_id, name, value)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (ticket_id, name) DO UPDATE"
	    " SET value = excluded.value", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, name);
	store_bind_text(st, 3, value);
	return store_step_done(s, st, err);
}

static gpointer
first_text(struct db_stmt *st)
{
	return store_col_text(st, 0);
}

static bool
collect_strings(struct store *s, struct db_stmt *st, GPtrArray **out,
    GError **err)
{
	return store_collect(s, st, first_text, g_free, out, err);
}

bool
store_ticket_tags(struct store *s, int64_t id, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT tag FROM ticket_tags WHERE ticket_id = ?1"
	    " ORDER BY tag", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	return collect_strings(s, st, out, err);
}

bool
store_ticket_fields(struct store *s, int64_t id, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT name || '=' || value FROM ticket_fields"
	    " WHERE ticket_id = ?1 ORDER BY name", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	return collect_strings(s, st, out, err);
}

bool
store_ticket_list(struct store *s, const struct ticket_filter *f,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	/* NULL filter values match anything; still one prepared query. */
	st = store_stmt(s, "SELECT " TICKET_COLS " FROM tickets t"
	    " WHERE t.merged_into IS NULL"
	    " AND (?1 IS NULL OR t.status = ?1)"
	    " AND (?2 IS NULL OR t.queue = ?2)"
	    " ORDER BY t.updated DESC, t.id DESC LIMIT ?3 OFFSET ?4", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, f->status);
	store_bind_text(st, 2, f->queue);
	db_bind_int64(st, 3, f->limit > 0 ? f->limit : INT64_MAX);
	db_bind_int64(st, 4, f->offset);
	return store_collect(s, st, (store_row_fn)row_to_ticket,
	    (GDestroyNotify)ticket_free, out, err);
}

bool
store_participant_add(struct store *s, int64_t ticket, const char *addr,
    const char *name, const char *role, GError **err)
{
	struct db_stmt	*st;

	/* A requester stays requester when later seen as CC. */
	st = store_stmt(s, "INSERT INTO participants (ticket_id, address, "
	    "name, role) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ticket_id, "
	    "address) DO UPDATE SET name = coalesce(participants.name, excluded.name)", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, addr);
	store_bind_text(st, 3, name);
	store_bind_text(st, 4, role);
	return store_step_done(s, st, err);
}

bool
store_participant_remove_cc(struct store *s, int64_t ticket, const char *addr,
    bool *removed, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM participants WHERE ticket_id = ?1"
	    " AND address = ?2 COLLATE NOCASE AND role = 'cc'", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, addr);
	if (!store_step_done(s, st, err))
		return false;
	*removed = db_changes(s->db) > 0;
	return true;
}

bool
store_participant_is(struct store *s, int64_t ticket, const char *addr,
    bool *yes, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM participants WHERE ticket_id = ?1"
	    " AND address = ?2", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, addr);
	return store_step_found(s, st, yes, err);
}

bool
store_address_known(struct store *s, const char *addr, bool *yes,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM participants WHERE address = ?1"
	    " AND role IN ('requester', 'cc') LIMIT 1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	return store_step_found(s, st, yes, err);
}

/* For the other store_*.c files: a row selected with TICKET_COLS. */
struct ticket *
store_ticket_from_row(struct db_stmt *st)
{
	return row_to_ticket(st);
}
