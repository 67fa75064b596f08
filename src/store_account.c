/*
 * store_account: organization attributes, notification addresses and
 * their pending changes (store.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

static bool
changed_or_notfound(struct store *s, const char *what, GError **err)
{
	if (db_changes(s->db) > 0)
		return true;
	g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND, "%s", what);
	return false;
}

bool
store_org_attr_set(struct store *s, const char *org, const char *name,
    const char *value, GError **err)
{
	struct db_stmt	*st;
	char		*what;
	bool		 ok;

	if (value != NULL)
		st = store_stmt(s, "INSERT INTO org_attributes (org_id, name,"
		    " value) SELECT id, ?2, ?3 FROM organizations WHERE"
		    " name = ?1 ON CONFLICT (org_id, name) DO UPDATE SET"
		    " value = excluded.value", err);
	else
		st = store_stmt(s, "DELETE FROM org_attributes WHERE name = ?2"
		    " AND org_id = (SELECT id FROM organizations WHERE"
		    " name = ?1)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, org);
	store_bind_text(st, 2, name);
	if (value != NULL)
		store_bind_text(st, 3, value);
	if (!store_step_done(s, st, err))
		return false;
	what = value != NULL ? g_strdup_printf("no organization \"%s\"", org) :
	    g_strdup_printf("organization \"%s\" has no attribute %s", org,
	    name);
	ok = changed_or_notfound(s, what, err);
	g_free(what);
	return ok;
}

static gpointer
row_to_pair(struct db_stmt *st)
{
	return g_strdup_printf("%s=%s", db_column_text(st, 0),
	    db_column_text(st, 1));
}

bool
store_org_attrs(struct store *s, const char *org, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT a.name, a.value FROM org_attributes a"
	    " JOIN organizations o ON o.id = a.org_id WHERE o.name = ?1"
	    " ORDER BY a.name", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, org);
	return store_collect(s, st, row_to_pair, g_free, out, err);
}

bool
store_org_attrs_of(struct store *s, const char *addr, char ***out,
    GError **err)
{
	struct db_stmt	*st;
	GPtrArray	*a = NULL;

	*out = NULL;
	st = store_stmt(s, "SELECT a.name, a.value FROM org_attributes a"
	    " JOIN org_members m ON m.org_id = a.org_id WHERE m.address = ?1"
	    " ORDER BY a.name", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	if (!store_collect(s, st, row_to_pair, g_free, &a, err))
		return false;
	g_ptr_array_set_free_func(a, NULL);
	g_ptr_array_add(a, NULL);
	*out = (char **)g_ptr_array_free(a, FALSE);
	return true;
}

bool
store_notify_address(struct store *s, const char *addr, char **out,
    GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*out = NULL;
	st = store_stmt(s, "SELECT notify_address FROM contacts WHERE"
	    " address = ?1 AND notify_address IS NOT NULL", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = store_col_text(st, 0);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_notify_address_set(struct store *s, const char *addr, const char *to,
    int64_t now, GError **err)
{
	struct db_stmt	*st;

	/* Back to her own address: no redirection at all. */
	if (to != NULL && g_ascii_strcasecmp(addr, to) == 0)
		to = NULL;
	st = store_stmt(s, "INSERT INTO contacts (address, created,"
	    " notify_address) VALUES (?1, ?2, ?3) ON CONFLICT (address)"
	    " DO UPDATE SET notify_address = excluded.notify_address", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	db_bind_int64(st, 2, now);
	store_bind_text(st, 3, to);
	return store_step_done(s, st, err);
}

bool
store_notify_address_owner(struct store *s, int64_t ticket, const char *to,
    char **out, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*out = NULL;
	st = store_stmt(s, "SELECT c.address FROM contacts c JOIN"
	    " participants p ON p.address = c.address AND p.ticket_id = ?1"
	    " WHERE c.notify_address = ?2 ORDER BY c.address LIMIT 1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, to);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = store_col_text(st, 0);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_contact_notifications_set(struct store *s, const char *addr, bool off,
    int64_t now, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO contacts (address, created,"
	    " notifications_off) VALUES (?1, ?2, ?3) ON CONFLICT (address)"
	    " DO UPDATE SET notifications_off = excluded.notifications_off",
	    err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, off ? now : 0);
	return store_step_done(s, st, err);
}

bool
store_contact_notifications_off(struct store *s, int64_t ticket,
    const char *to, bool *off, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*off = false;
	st = store_stmt(s, "SELECT count(*) FROM contacts c"
	    " WHERE c.notifications_off <> 0 AND (c.address = ?1"
	    " OR (c.notify_address = ?1 AND EXISTS (SELECT 1 FROM"
	    " participants p WHERE p.ticket_id = ?2"
	    " AND p.address = c.address)))", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, to);
	db_bind_int64(st, 2, ticket);
	rc = db_step(st);
	if (rc == DB_ROW)
		*off = db_column_int64(st, 0) > 0;
	db_reset(st);
	return rc == DB_ROW || store_fail(s, rc, err);
}

void
address_change_free(struct address_change *c)
{
	if (c == NULL)
		return;
	g_free(c->id);
	g_free(c->address);
	g_free(c->new_address);
	g_free(c);
}

#define CHANGE_COLS "id, address, new_address, coalesce(ticket_id, 0)," \
	" coalesce(message_row, 0), created, expires, confirmed"

static gpointer
row_to_change(struct db_stmt *st)
{
	struct address_change *c = g_new0(struct address_change, 1);

	c->id = store_col_text(st, 0);
	c->address = store_col_text(st, 1);
	c->new_address = store_col_text(st, 2);
	c->ticket_id = db_column_int64(st, 3);
	c->message_row = db_column_int64(st, 4);
	c->created = db_column_int64(st, 5);
	c->expires = db_column_int64(st, 6);
	c->confirmed = db_column_int64(st, 7);
	return c;
}

bool
store_address_change_add(struct store *s, const struct address_change *c,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO address_changes (id, address,"
	    " new_address, ticket_id, message_row, created, expires)"
	    " VALUES (?1, ?2, ?3, nullif(?4, 0), nullif(?5, 0), ?6, ?7)",
	    err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, c->id);
	store_bind_text(st, 2, c->address);
	store_bind_text(st, 3, c->new_address);
	db_bind_int64(st, 4, c->ticket_id);
	db_bind_int64(st, 5, c->message_row);
	db_bind_int64(st, 6, c->created);
	db_bind_int64(st, 7, c->expires);
	return store_step_done(s, st, err);
}

static bool
get_change(struct store *s, struct db_stmt *st, struct address_change **out,
    GError **err)
{
	int	 rc = db_step(st);

	if (rc == DB_ROW)
		*out = row_to_change(st);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_address_change_get(struct store *s, const char *id,
    struct address_change **out, GError **err)
{
	struct db_stmt	*st;

	*out = NULL;
	st = store_stmt(s, "SELECT " CHANGE_COLS " FROM address_changes"
	    " WHERE id = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, id);
	return get_change(s, st, out, err);
}

bool
store_address_change_of_row(struct store *s, int64_t row,
    const char *new_address, struct address_change **out, GError **err)
{
	struct db_stmt	*st;

	*out = NULL;
	st = store_stmt(s, "SELECT " CHANGE_COLS " FROM address_changes"
	    " WHERE (message_row = ?1 OR (?1 = 0 AND message_row IS NULL))"
	    " AND new_address = ?2"
	    " ORDER BY created DESC LIMIT 1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, row);
	store_bind_text(st, 2, new_address);
	return get_change(s, st, out, err);
}

bool
store_address_change_confirm(struct store *s, const char *id, int64_t now,
    bool *done, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE address_changes SET confirmed = ?2"
	    " WHERE id = ?1 AND confirmed = 0", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, id);
	db_bind_int64(st, 2, now);
	if (!store_step_done(s, st, err))
		return false;
	*done = db_changes(s->db) > 0;
	return true;
}
