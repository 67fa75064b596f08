/*
 * store_fetch: where postdesk-fetch stands in each mailbox source.
 */
#include "pdconfig.h"

#include "store-priv.h"

bool
store_fetch_state_get(struct store *s, const char *source,
    int64_t *uidvalidity, int64_t *last_uid, bool *found, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	st = store_stmt(s, "SELECT uidvalidity, last_uid FROM fetch_state "
	    "WHERE source = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (*found) {
		*uidvalidity = db_column_int64(st, 0);
		*last_uid = db_column_int64(st, 1);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return store_fail(s, rc, err);
	return true;
}

bool
store_fetch_state_set(struct store *s, const char *source,
    int64_t uidvalidity, int64_t last_uid, int64_t now, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO fetch_state (source, uidvalidity, "
	    "last_uid, updated) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source) "
	    "DO UPDATE SET uidvalidity = ?2, last_uid = ?3, updated = ?4",
	    err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	db_bind_int64(st, 2, uidvalidity);
	db_bind_int64(st, 3, last_uid);
	db_bind_int64(st, 4, now);
	return store_step_done(s, st, err);
}

bool
store_fetch_reset(struct store *s, const char *source, int64_t uidvalidity,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM fetch_items WHERE source = ?1 AND "
	    "uidvalidity <> ?2", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	db_bind_int64(st, 2, uidvalidity);
	return store_step_done(s, st, err);
}

bool
store_fetch_item_set(struct store *s, const char *source,
    int64_t uidvalidity, const char *uid, const char *state,
    const char *error, int64_t now, GError **err)
{
	struct db_stmt	*st;

	/* A comparison is no number on PostgreSQL: CASE counts. */
	st = store_stmt(s, "INSERT INTO fetch_items (source, uidvalidity, "
	    "uid, state, attempts, last_error, updated) VALUES (?1, ?2, ?3, "
	    "?4, CASE WHEN ?4 = 'failed' THEN 1 ELSE 0 END, ?5, ?6) "
	    "ON CONFLICT (source, uidvalidity, uid) DO UPDATE SET state = ?4, "
	    "attempts = fetch_items.attempts + "
	    "CASE WHEN ?4 = 'failed' THEN 1 ELSE 0 END, last_error = ?5, "
	    "updated = ?6", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	db_bind_int64(st, 2, uidvalidity);
	store_bind_text(st, 3, uid);
	store_bind_text(st, 4, state);
	store_bind_text(st, 5, error);
	db_bind_int64(st, 6, now);
	return store_step_done(s, st, err);
}

bool
store_fetch_item_delete(struct store *s, const char *source,
    int64_t uidvalidity, const char *uid, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM fetch_items WHERE source = ?1 AND "
	    "uidvalidity = ?2 AND uid = ?3", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	db_bind_int64(st, 2, uidvalidity);
	store_bind_text(st, 3, uid);
	return store_step_done(s, st, err);
}

static gpointer
row_to_fetch_item(struct db_stmt *st)
{
	struct fetch_item	*it = g_new0(struct fetch_item, 1);

	it->uid = store_col_text(st, 0);
	it->state = store_col_text(st, 1);
	it->attempts = db_column_int64(st, 2);
	it->last_error = store_col_text(st, 3);
	return it;
}

bool
store_fetch_items(struct store *s, const char *source, int64_t uidvalidity,
    const char *state, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT uid, state, attempts, last_error FROM "
	    "fetch_items WHERE source = ?1 AND uidvalidity = ?2 AND "
	    "(?3 IS NULL OR state = ?3) ORDER BY uid", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, source);
	db_bind_int64(st, 2, uidvalidity);
	store_bind_text(st, 3, state);
	return store_collect(s, st, row_to_fetch_item,
	    (GDestroyNotify)fetch_item_free, out, err);
}

void
fetch_item_free(struct fetch_item *it)
{
	if (it == NULL)
		return;
	g_free(it->uid);
	g_free(it->state);
	g_free(it->last_error);
	g_free(it);
}
