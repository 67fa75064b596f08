/*
 * store_org: organizations, their members, and known contacts.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

void
org_member_free(struct org_member *m)
{
	if (m == NULL)
		return;
	g_free(m->org);
	g_free(m->address);
	g_free(m->name);
	g_free(m->role);
	g_free(m);
}

bool
store_org_add(struct store *s, const char *name, int64_t now, int64_t *id,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO organizations (name, created)"
	    " VALUES (?1, ?2)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, name);
	db_bind_int64(st, 2, now);
	if (!store_step_done(s, st, err))
		return false;
	*id = db_last_insert_id(s->db);
	return true;
}

bool
store_org_member_add(struct store *s, const char *org, const char *addr,
    const char *name, const char *role, GError **err)
{
	struct db_stmt	*st;

	/* An address belongs to one organization; adding moves it. */
	st = store_stmt(s, "INSERT INTO org_members (address, org_id, role,"
	    " name) SELECT ?2, id, ?3, ?4 FROM organizations WHERE name = ?1"
	    " ON CONFLICT (address) DO UPDATE SET org_id = excluded.org_id,"
	    " role = excluded.role, name = coalesce(excluded.name,"
	    " org_members.name)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, org);
	store_bind_text(st, 2, addr);
	store_bind_text(st, 3, role);
	store_bind_text(st, 4, name);
	if (!store_step_done(s, st, err))
		return false;
	if (db_changes(s->db) == 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "no organization \"%s\"", org);
		return false;
	}
	return true;
}

static struct org_member *
row_to_member(struct db_stmt *st)
{
	struct org_member *m = g_new0(struct org_member, 1);

	m->org = store_col_text(st, 0);
	m->address = store_col_text(st, 1);
	m->name = store_col_text(st, 2);
	m->role = store_col_text(st, 3);
	return m;
}

bool
store_org_members(struct store *s, const char *org, GPtrArray **out,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT o.name, m.address, m.name, m.role"
	    " FROM organizations o LEFT JOIN org_members m ON m.org_id = o.id"
	    " WHERE ?1 IS NULL OR o.name = ?1 ORDER BY o.name,"
	    " CASE m.role WHEN 'primary' THEN 0 WHEN 'advanced' THEN 1"
	    " ELSE 2 END, m.address", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, org);
	return store_collect(s, st, (store_row_fn)row_to_member,
	    (GDestroyNotify)org_member_free, out, err);
}

bool
store_org_member_get(struct store *s, const char *addr,
    struct org_member **out, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*out = NULL;
	st = store_stmt(s, "SELECT o.name, m.address, m.name, m.role"
	    " FROM org_members m JOIN organizations o ON o.id = m.org_id"
	    " WHERE m.address = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	rc = db_step(st);
	if (rc == DB_ROW)
		*out = row_to_member(st);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_org_shares_ticket(struct store *s, int64_t ticket, const char *addr,
    bool *yes, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM tickets t JOIN org_members r"
	    " ON r.address = t.requester JOIN org_members m"
	    " ON m.org_id = r.org_id AND m.address = ?2 WHERE t.id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, addr);
	return store_step_found(s, st, yes, err);
}

bool
store_account_of(struct store *s, const char *addr, char **out,
    GError **err)
{
	struct org_member *m;

	if (!store_org_member_get(s, addr, &m, err))
		return false;
	*out = m != NULL ? g_strconcat("org:", m->org, NULL) :
	    g_ascii_strdown(addr != NULL ? addr : "", -1);
	org_member_free(m);
	return true;
}

bool
store_contact_add(struct store *s, const char *addr, const char *name,
    const char *lang, int64_t now, GError **err)
{
	struct db_stmt	*st;

	/* On conflict the language stays: only her first message counts. */
	st = store_stmt(s, "INSERT INTO contacts (address, name, created,"
	    " language) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (address) DO"
	    " UPDATE SET name = coalesce(contacts.name, excluded.name)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	store_bind_text(st, 2, name);
	db_bind_int64(st, 3, now);
	store_bind_text(st, 4, lang);
	return store_step_done(s, st, err);
}

bool
store_contact_language(struct store *s, const char *addr, char **out,
    GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	*out = NULL;
	st = store_stmt(s, "SELECT language FROM contacts WHERE"
	    " address = ?1 AND language IS NOT NULL", err);
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
store_contact_language_set(struct store *s, const char *addr,
    const char *lang, int64_t now, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO contacts (address, created, language)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (address) DO UPDATE SET"
	    " language = excluded.language", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	db_bind_int64(st, 2, now);
	store_bind_text(st, 3, lang);
	return store_step_done(s, st, err);
}

bool
store_contact_known(struct store *s, const char *addr, bool *yes,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT 1 FROM contacts WHERE address = ?1"
	    " UNION ALL SELECT 1 FROM org_members WHERE address = ?1"
	    " UNION ALL SELECT 1 FROM participants WHERE address = ?1"
	    " LIMIT 1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	return store_step_found(s, st, yes, err);
}

bool
store_org_member_remove(struct store *s, const char *org, const char *addr,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "DELETE FROM org_members WHERE address = ?2 AND"
	    " org_id = (SELECT id FROM organizations WHERE name = ?1)", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, org);
	store_bind_text(st, 2, addr);
	if (!store_step_done(s, st, err))
		return false;
	if (db_changes(s->db) == 0) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "%s is not a member of %s", addr, org);
		return false;
	}
	return true;
}
