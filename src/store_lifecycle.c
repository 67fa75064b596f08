/*
 * store_lifecycle: ticket times, ratings, HotRush cancellations,
 * priority mixes and notice mail for the life cycle.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

static bool
one_row(struct store *s, struct db_stmt *st, bool *found, GError **err)
{
	int	 rc = db_step(st);

	if (rc == DB_ROW) {
		*found = true;
		return true;
	}
	db_reset(st);
	*found = false;
	return rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_ticket_times(struct store *s, int64_t id, struct ticket_times *t,
    GError **err)
{
	struct db_stmt	*st;
	bool		 found;

	st = store_stmt(s, "SELECT status_since, staff_reply_at, customer_at,"
	    " first_response_at FROM tickets WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	if (!one_row(s, st, &found, err))
		return false;
	if (!found) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "no ticket #%" G_GINT64_FORMAT, id);
		return false;
	}
	t->status_since = db_column_int64(st, 0);
	t->staff_reply_at = db_column_int64(st, 1);
	t->customer_at = db_column_int64(st, 2);
	t->first_response_at = db_column_int64(st, 3);
	db_reset(st);
	return true;
}

bool
store_ticket_set_status(struct store *s, int64_t id, const char *status,
    int64_t now, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE tickets SET status = ?2, status_since = ?3"
	    " WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, status);
	db_bind_int64(st, 3, now);
	return store_step_done(s, st, err);
}

bool
store_ticket_mark_reply(struct store *s, int64_t id, bool staff, int64_t now,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, staff ?
	    "UPDATE tickets SET staff_reply_at = max(staff_reply_at, ?2),"
	    " first_response_at = CASE first_response_at WHEN 0 THEN ?2"
	    " ELSE first_response_at END WHERE id = ?1" :
	    "UPDATE tickets SET customer_at = max(customer_at, ?2)"
	    " WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	return store_step_done(s, st, err);
}

bool
store_ticket_ids_not_in(struct store *s, const char *final_json,
    GArray **out, GError **err)
{
	struct db_stmt	*st;
	GArray		*a;
	int		 rc;

	st = store_stmt(s, "SELECT id FROM tickets WHERE merged_into IS NULL"
	    " AND status NOT IN"
	    " (SELECT value FROM json_each(?1)) ORDER BY id", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, final_json);
	a = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t	 id = db_column_int64(st, 0);

		g_array_append_val(a, id);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_array_free(a, TRUE);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

bool
store_rating_set(struct store *s, int64_t ticket, int rating,
    const char *comment, const char *rated_by, int64_t at, GError **err)
{
	struct db_stmt	*st;

	/* A customer may change their mind: the last rating counts. */
	st = store_stmt(s, "INSERT INTO ratings (ticket_id, rating, comment,"
	    " rated_by, at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT"
	    " (ticket_id) DO UPDATE SET rating = excluded.rating,"
	    " comment = excluded.comment, rated_by = excluded.rated_by,"
	    " at = excluded.at", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	db_bind_int(st, 2, rating);
	store_bind_text(st, 3, comment);
	store_bind_text(st, 4, rated_by);
	db_bind_int64(st, 5, at);
	return store_step_done(s, st, err);
}

void
rating_free(struct rating *r)
{
	if (r == NULL)
		return;
	g_free(r->comment);
	g_free(r->rated_by);
	g_free(r);
}

bool
store_rating_get(struct store *s, int64_t ticket, struct rating **out,
    GError **err)
{
	struct db_stmt	*st;
	struct rating	*r;
	bool		 found;

	*out = NULL;
	st = store_stmt(s, "SELECT rating, comment, rated_by, at FROM ratings"
	    " WHERE ticket_id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	if (!one_row(s, st, &found, err))
		return false;
	if (found) {
		r = g_new0(struct rating, 1);
		r->ticket_id = ticket;
		r->rating = db_column_int(st, 0);
		r->comment = store_col_text(st, 1);
		r->rated_by = store_col_text(st, 2);
		r->at = db_column_int64(st, 3);
		db_reset(st);
		*out = r;
	}
	return true;
}

bool
store_hotrush_offs(struct store *s, const char *account, int64_t *n,
    GError **err)
{
	struct db_stmt	*st;
	bool		 found;

	st = store_stmt(s, "SELECT count(*) FROM hotrush_offs"
	    " WHERE account = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, account);
	if (!one_row(s, st, &found, err))
		return false;
	*n = found ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return true;
}

bool
store_hotrush_off_add(struct store *s, const char *account, int64_t ticket,
    const char *actor, int64_t at, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO hotrush_offs (account, ticket_id,"
	    " actor, at) VALUES (?1, ?2, ?3, ?4)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, account);
	db_bind_int64(st, 2, ticket);
	store_bind_text(st, 3, actor);
	db_bind_int64(st, 4, at);
	return store_step_done(s, st, err);
}

static void
priority_count_free(gpointer p)
{
	struct priority_count *c = p;

	g_free(c->account);
	g_free(c->queue);
	g_free(c);
}

bool
store_priority_mix(struct store *s, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;
	GPtrArray	*a;
	int		 rc;

	/* The account key matches store_account_of(). */
	st = store_stmt(s, "SELECT coalesce('org:' || o.name,"
	    " lower(t.requester)) AS account, t.queue, t.priority_rank,"
	    " count(*) FROM tickets t LEFT JOIN org_members m ON m.address ="
	    " t.requester LEFT JOIN organizations o ON o.id = m.org_id"
	    " GROUP BY account, t.queue, t.priority_rank", err);
	if (st == NULL)
		return false;
	a = g_ptr_array_new_with_free_func(priority_count_free);
	while ((rc = db_step(st)) == DB_ROW) {
		struct priority_count *c;

		if (db_column_type(st, 0) == DB_NULL)
			continue;
		c = g_new0(struct priority_count, 1);
		c->account = store_col_text(st, 0);
		c->queue = store_col_text(st, 1);
		c->rank = db_column_int(st, 2);
		c->n = db_column_int64(st, 3);
		g_ptr_array_add(a, c);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_ptr_array_unref(a);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}
