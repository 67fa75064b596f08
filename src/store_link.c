/*
 * store_link: links between related tickets that staff make
 * (ticket_links, one row per pair, the lower id first) and the
 * follow-up links intake makes (tickets.linked_to), read together.
 */
#include "pdconfig.h"

#include "store-priv.h"

/* The pair in the table's order (ticket_a < ticket_b). */
static void
bind_pair(struct db_stmt *st, int64_t a, int64_t b)
{
	db_bind_int64(st, 1, MIN(a, b));
	db_bind_int64(st, 2, MAX(a, b));
}

bool
store_ticket_link_get(struct store *s, int64_t a, int64_t b, bool *linked,
    bool *follow_up, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM ticket_links WHERE ticket_a = ?1 "
	    "AND ticket_b = ?2", err);
	if (st == NULL)
		return false;
	bind_pair(st, a, b);
	if (!store_step_found(s, st, linked, err))
		return false;
	st = store_stmt(s, "SELECT 1 FROM tickets WHERE (id = ?1 AND "
	    "linked_to = ?2 OR id = ?2 AND linked_to = ?1) AND "
	    "merged_into IS NULL", err);
	if (st == NULL)
		return false;
	bind_pair(st, a, b);
	return store_step_found(s, st, follow_up, err);
}

bool
store_ticket_link_add(struct store *s, int64_t a, int64_t b, int64_t now,
    const char *actor, GError **err)
{
	struct db_stmt	*st;

	g_return_val_if_fail(a != b && a > 0 && b > 0, false);
	st = store_stmt(s, "INSERT INTO ticket_links (ticket_a, ticket_b, "
	    "created, actor) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT DO NOTHING", err);
	if (st == NULL)
		return false;
	bind_pair(st, a, b);
	db_bind_int64(st, 3, now);
	store_bind_text(st, 4, actor);
	return store_step_done(s, st, err);
}

bool
store_ticket_link_remove(struct store *s, int64_t a, int64_t b, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM ticket_links WHERE ticket_a = ?1 "
	    "AND ticket_b = ?2", err);
	if (st == NULL)
		return false;
	bind_pair(st, a, b);
	return store_step_done(s, st, err);
}

bool
store_ticket_related(struct store *s, int64_t id, GArray **out,
    GError **err)
{
	struct db_stmt	*st;
	GArray		*ids;
	int		 rc;

	/* Staff links either way, the ticket it follows up and the ones
	 * that follow it up; tickets merged away are left out (their
	 * links moved with them, store_ticket_merge()). */
	st = store_stmt(s, "SELECT r.id FROM ("
	    "SELECT ticket_b AS id FROM ticket_links WHERE ticket_a = ?1 "
	    "UNION SELECT ticket_a FROM ticket_links WHERE ticket_b = ?1 "
	    "UNION SELECT linked_to FROM tickets WHERE id = ?1 AND "
	    "linked_to IS NOT NULL AND merged_into IS NULL "
	    "UNION SELECT id FROM tickets WHERE linked_to = ?1 AND "
	    "merged_into IS NULL) AS r JOIN tickets t ON t.id = r.id "
	    "WHERE t.merged_into IS NULL AND r.id <> ?1 ORDER BY r.id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t v = db_column_int64(st, 0);

		g_array_append_val(ids, v);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_array_free(ids, TRUE);
		return store_fail(s, rc, err);
	}
	*out = ids;
	return true;
}
