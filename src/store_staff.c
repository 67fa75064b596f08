/*
 * store_staff: staff accounts (store_staff.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"
#include "store_staff.h"

#define STAFF_COLS "address, name, role, queues, notify, disabled, " \
	"created, updated"

static struct staff *
row_to_staff(struct db_stmt *st)
{
	struct staff	*s = staff_new((const char *)db_column_text(st,
	    0));
	const char	*q = (const char *)db_column_text(st, 3);

	s->name = store_col_text(st, 1);
	/* The CHECK constraints hold the names to the known ones. */
	(void)text_to_staff_role(&s->role, (const char *)
	    db_column_text(st, 2));
	if (q != NULL && *q != '\0') {
		g_strfreev(s->queues);
		s->queues = g_strsplit(q, ",", -1);
	}
	(void)text_to_staff_notify(&s->notify, (const char *)
	    db_column_text(st, 4));
	s->disabled = db_column_int(st, 5) != 0;
	s->created = db_column_int64(st, 6);
	s->updated = db_column_int64(st, 7);
	return s;
}

bool
store_staff_put(struct store *s, const struct staff *a, int64_t now,
    bool *added, GError **err)
{
	struct db_stmt	*st;
	char		*queues;
	bool		 found = false, ok;

	st = store_stmt(s, "SELECT 1 FROM staff WHERE address = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, a->address);
	if (!store_step_found(s, st, &found, err))
		return false;
	st = store_stmt(s, "INSERT INTO staff (" STAFF_COLS ") VALUES"
	    " (lower(?1), ?2, ?3, ?4, ?5, ?6, ?7, ?7)"
	    " ON CONFLICT (address) DO UPDATE SET name = excluded.name,"
	    " role = excluded.role, queues = excluded.queues,"
	    " notify = excluded.notify, disabled = excluded.disabled,"
	    " updated = excluded.updated", err);
	if (st == NULL)
		return false;
	queues = staff_queues_to_text(a->queues);
	store_bind_text(st, 1, a->address);
	store_bind_text(st, 2, a->name);
	store_bind_text(st, 3, staff_role_to_text(a->role));
	store_bind_text(st, 4, queues);
	store_bind_text(st, 5, staff_notify_to_text(a->notify));
	db_bind_int(st, 6, a->disabled ? 1 : 0);
	db_bind_int64(st, 7, now);
	ok = store_step_done(s, st, err);
	g_free(queues);
	if (ok && added != NULL)
		*added = !found;
	return ok;
}

bool
store_staff_get(struct store *s, const char *addr, struct staff **out,
    GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*out = NULL;
	st = store_stmt(s, "SELECT " STAFF_COLS " FROM staff"
	    " WHERE address = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_to_staff(st);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_staff_all(struct store *s, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " STAFF_COLS " FROM staff"
	    " ORDER BY address", err);
	if (st == NULL)
		return false;
	return store_collect(s, st, (store_row_fn)row_to_staff,
	    (GDestroyNotify)staff_free, out, err);
}

bool
store_staff_any(struct store *s, bool *out, GError **err)
{
	struct db_stmt	*st;

	*out = false;
	st = store_stmt(s, "SELECT 1 FROM staff LIMIT 1", err);
	return st != NULL && store_step_found(s, st, out, err);
}

static gpointer
row_to_text(struct db_stmt *st)
{
	return store_col_text(st, 0);
}

bool
store_ticket_writers(struct store *s, int64_t ticket, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT DISTINCT lower(from_addr) FROM messages"
	    " WHERE ticket_id = ?1 AND from_addr IS NOT NULL"
	    " ORDER BY 1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	return store_collect(s, st, row_to_text, g_free, out, err);
}
