/*
 * store_thread: what threading needs beyond messages and tickets — the
 * Message-IDs each inbound message names (message_refs), so that an
 * original that arrives after its reply finds it, the merging of two
 * tickets that turn out to be one thread, and the moving of one message
 * out of a ticket that it does not belong to (a split).
 */
#include "pdconfig.h"

#include "store-priv.h"

bool
store_message_refs_add(struct store *s, int64_t row, const char *in_reply_to,
    char *const *refs, GError **err)
{
	struct db_stmt	*st;
	size_t		 i;

	st = store_stmt(s, "INSERT INTO message_refs (ref, "
	    "message_row) VALUES (?1, ?2) ON CONFLICT DO NOTHING", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 2, row);
	if (in_reply_to != NULL && *in_reply_to != '\0') {
		store_bind_text(st, 1, in_reply_to);
		if (!store_step_done(s, st, err))
			return false;
	}
	for (i = 0; refs != NULL && refs[i] != NULL; i++) {
		if (*refs[i] == '\0')
			continue;
		store_bind_text(st, 1, refs[i]);
		if (!store_step_done(s, st, err))
			return false;
	}
	return true;
}

static struct store_referrer *
row_to_referrer(struct db_stmt *st)
{
	struct store_referrer *r = g_new0(struct store_referrer, 1);

	r->ticket = db_column_int64(st, 0);
	r->message_id = store_col_text(st, 1);
	return r;
}

void
store_referrer_free(struct store_referrer *r)
{
	if (r == NULL)
		return;
	g_free(r->message_id);
	g_free(r);
}

bool
store_message_referrers(struct store *s, const char *message_id,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	/* One row per ticket, the oldest referring message's (a
	 * subquery, not SQLite's bare column: PostgreSQL has none). */
	st = store_stmt(s, "SELECT m.ticket_id, m.message_id, m.id "
	    "FROM messages m WHERE m.id IN (SELECT min(o.id) "
	    "FROM message_refs r JOIN messages o ON o.id = r.message_row "
	    "WHERE r.ref = ?1 AND o.message_id <> ?1 GROUP BY o.ticket_id) "
	    "ORDER BY m.ticket_id", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, message_id);
	return store_collect(s, st, (store_row_fn)row_to_referrer,
	    (GDestroyNotify)store_referrer_free, out, err);
}

bool
store_ticket_merged_into(struct store *s, int64_t id, int64_t *into,
    GError **err)
{
	struct db_stmt	*st;
	int		 hops;

	st = store_stmt(s, "SELECT merged_into FROM tickets WHERE id = ?1 "
	    "AND merged_into IS NOT NULL", err);
	if (st == NULL)
		return false;
	*into = id;
	/* Merges only ever point at a live ticket; the bound is a guard
	 * against a hand-edited database, not a case we expect. */
	for (hops = 0; hops < 64; hops++) {
		int64_t	 next;
		bool	 found;

		db_bind_int64(st, 1, *into);
		if (!store_step_int64(s, st, &next, &found, err))
			return false;
		if (!found || next == *into)
			return true;
		*into = next;
	}
	return true;
}

/* The statements of one merge, each binding ?1 = from, ?2 = into. */
static const char *const merge_sql[] = {
	"UPDATE messages SET ticket_id = ?2 WHERE ticket_id = ?1",
	"UPDATE events SET ticket_id = ?2 WHERE ticket_id = ?1",
	/* Mail not sent yet names the ticket that lives on. */
	"UPDATE outbox SET ticket_id = ?2 WHERE ticket_id = ?1 AND "
	"status = 'pending'",
	/* One requester per ticket: the other one's becomes a CC. */
	"INSERT INTO participants (ticket_id, address, name, role,"
	" bounced) SELECT ?2, address, name, CASE role WHEN 'requester' "
	"THEN 'cc' ELSE role END, bounced FROM participants WHERE "
	"ticket_id = ?1 ON CONFLICT DO NOTHING",
	"INSERT INTO ticket_tags (ticket_id, tag) SELECT ?2, tag "
	"FROM ticket_tags WHERE ticket_id = ?1 ON CONFLICT DO NOTHING",
	"INSERT INTO ticket_fields (ticket_id, name, value) "
	"SELECT ?2, name, value FROM ticket_fields WHERE ticket_id = ?1 "
	"ON CONFLICT DO NOTHING",
	"UPDATE tickets SET created = min(tickets.created, f.created), "
	"updated = max(tickets.updated, f.updated), staff_reply_at = "
	"max(tickets.staff_reply_at, f.staff_reply_at), customer_at = "
	"max(tickets.customer_at, f.customer_at), first_response_at = "
	"CASE WHEN tickets.first_response_at = 0 THEN f.first_response_at "
	"WHEN f.first_response_at = 0 THEN tickets.first_response_at "
	"ELSE min(tickets.first_response_at, f.first_response_at) END "
	"FROM (SELECT * FROM tickets WHERE id = ?1) AS f WHERE tickets.id = ?2",
	/* FROM's related tickets become INTO's (store_link.c): each pair
	 * in the table's order, not INTO with itself. */
	"INSERT INTO ticket_links (ticket_a, ticket_b, created, actor) "
	"SELECT CASE WHEN o < ?2 THEN o ELSE ?2 END, CASE WHEN o < ?2 "
	"THEN ?2 ELSE o END, created, actor FROM (SELECT CASE WHEN "
	"ticket_a = ?1 THEN ticket_b ELSE ticket_a END AS o, created, actor "
	"FROM ticket_links WHERE ticket_a = ?1 OR ticket_b = ?1) AS l "
	"WHERE o <> ?2 ON CONFLICT DO NOTHING",
	"DELETE FROM ticket_links WHERE (ticket_a = ?1 OR ticket_b = ?1) "
	"AND CAST(?2 AS BIGINT) IS NOT NULL",
	"UPDATE tickets SET merged_into = ?2, linked_to = ?2 WHERE id = ?1",
};

bool
store_ticket_merge(struct store *s, int64_t from, int64_t into, GError **err)
{
	size_t	 i;

	g_return_val_if_fail(from != into && from > 0 && into > 0, false);
	for (i = 0; i < G_N_ELEMENTS(merge_sql); i++) {
		/* store_stmt caches by pointer: each array slot is stable. */
		struct db_stmt *st = store_stmt(s, merge_sql[i], err);

		if (st == NULL)
			return false;
		db_bind_int64(st, 1, from);
		db_bind_int64(st, 2, into);
		if (!store_step_done(s, st, err))
			return false;
	}
	return true;
}

bool
store_ticket_message_rows(struct store *s, int64_t ticket,
    const char *message_id, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT id FROM messages WHERE ticket_id = ?1 AND"
	    " message_id = ?2 ORDER BY id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, message_id);
	return store_collect(s, st, store_row_int64, g_free, out, err);
}

bool
store_ticket_first_row(struct store *s, int64_t ticket, int64_t *row,
    GError **err)
{
	struct db_stmt	*st;
	bool		 found;

	*row = 0;
	st = store_stmt(s, "SELECT min(id) FROM messages WHERE ticket_id = ?1"
	    " HAVING count(*) > 0", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	return store_step_int64(s, st, row, &found, err);
}

/* The statements of one split, each binding ?1 = from, ?2 = into,
 * ?3 = the message row. */
static const char *const split_sql[] = {
	"UPDATE messages SET ticket_id = ?2 WHERE id = ?3 AND ticket_id = ?1",
	"UPDATE events SET ticket_id = ?2 WHERE message_row = ?3 AND"
	" ticket_id = ?1",
	/* Mail about it not sent yet names the ticket it is on now. */
	"UPDATE outbox SET ticket_id = ?2 WHERE message_row = ?3 AND"
	" ticket_id = ?1 AND status = 'pending'",
	"UPDATE address_changes SET ticket_id = ?2 WHERE message_row = ?3 AND"
	" ticket_id = ?1",
};

bool
store_ticket_split(struct store *s, int64_t from, int64_t into, int64_t row,
    GError **err)
{
	size_t	 i;

	g_return_val_if_fail(from != into && from > 0 && into > 0 && row > 0,
	    false);
	for (i = 0; i < G_N_ELEMENTS(split_sql); i++) {
		/* store_stmt caches by pointer: each array slot is stable. */
		struct db_stmt *st = store_stmt(s, split_sql[i], err);

		if (st == NULL)
			return false;
		db_bind_int64(st, 1, from);
		db_bind_int64(st, 2, into);
		db_bind_int64(st, 3, row);
		if (!store_step_done(s, st, err))
			return false;
	}
	return true;
}
