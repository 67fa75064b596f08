/*
 * store_outbox: the outbox queue, bounced participants and the raw
 * bytes of composed outbound messages.
 */
#include "pdconfig.h"

#include <string.h>

#include "store-priv.h"

#define OUTBOX_COLS \
	"id, ticket_id, message_row, sent_row, kind, template, recipients, " \
	"status, attempts, next_attempt, claimed_by, last_error, created, " \
	"updated, sent_at, quarantine_id, raw_sha256, lease_id, lease_until"

static struct outbox_row *
row_to_outbox(struct db_stmt *st)
{
	struct outbox_row *r = g_new0(struct outbox_row, 1);

	r->id = db_column_int64(st, 0);
	r->ticket_id = db_column_int64(st, 1);
	r->message_row = db_column_int64(st, 2);
	r->sent_row = db_column_int64(st, 3);
	r->kind = store_col_text(st, 4);
	r->template = store_col_text(st, 5);
	r->recipient = store_col_text(st, 6);
	r->status = store_col_text(st, 7);
	r->attempts = db_column_int64(st, 8);
	r->next_attempt = db_column_int64(st, 9);
	r->claimed_by = store_col_text(st, 10);
	r->last_error = store_col_text(st, 11);
	r->created = db_column_int64(st, 12);
	r->updated = db_column_int64(st, 13);
	r->sent_at = db_column_int64(st, 14);
	r->quarantine_id = db_column_int64(st, 15);
	r->raw_sha256 = store_col_text(st, 16);
	r->lease_id = store_col_text(st, 17);
	r->lease_until = db_column_int64(st, 18);
	return r;
}

void
outbox_row_free(struct outbox_row *r)
{
	if (r == NULL)
		return;
	g_free(r->kind);
	g_free(r->template);
	g_free(r->recipient);
	g_free(r->status);
	g_free(r->claimed_by);
	g_free(r->last_error);
	g_free(r->raw_sha256);
	g_free(r->lease_id);
	g_free(r);
}

static void
bind_row_or_null(struct db_stmt *st, int idx, int64_t v)
{
	if (v > 0)
		db_bind_int64(st, idx, v);
	else
		db_bind_null(st, idx);
}

bool
store_outbox_insert(struct store *s, struct outbox_row *r, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "INSERT INTO outbox (ticket_id, message_row, "
	    "sent_row, kind, template, recipients, status, next_attempt, "
	    "created, updated, quarantine_id) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " coalesce((SELECT notify_address FROM contacts WHERE"
	    " address = ?6 AND ?10 = 0), ?6),"
	    " 'pending', ?7, ?8, ?8, ?9)", err);
	if (st == NULL)
		return false;
	bind_row_or_null(st, 1, r->ticket_id);
	bind_row_or_null(st, 2, r->message_row);
	bind_row_or_null(st, 3, r->sent_row);
	store_bind_text(st, 4, r->kind);
	store_bind_text(st, 5, r->template);
	store_bind_text(st, 6, r->recipient);
	db_bind_int64(st, 7, r->next_attempt);
	db_bind_int64(st, 8, r->created);
	bind_row_or_null(st, 9, r->quarantine_id);
	db_bind_int(st, 10, r->exact);
	if (!store_step_done(s, st, err))
		return false;
	r->id = db_last_insert_id(s->db);
	return true;
}

/* Runs ST (a query of OUTBOX_COLS) and collects the rows. */
static bool
collect(struct store *s, struct db_stmt *st, GPtrArray **out, GError **err)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)outbox_row_free);
	int		 rc;

	while ((rc = db_step(st)) == DB_ROW)
		g_ptr_array_add(a, row_to_outbox(st));
	db_reset(st);
	if (rc != DB_DONE) {
		g_ptr_array_free(a, TRUE);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

/* Runs an UPDATE on one row and tells whether it changed anything. */
static bool
update_one(struct store *s, struct db_stmt *st, bool *changed, GError **err)
{
	if (!store_step_done(s, st, err))
		return false;
	*changed = db_changes(s->db) > 0;
	return true;
}

/*
 * A row whose claim ran out OUTBOX_MAX_ORPHANED times in a row may be
 * what kills its notifier (a template or a library that crashes on
 * it): it would come back every lease forever.  It fails instead, with
 * the reason, and `postdesk outbox retry` gives it another chance.
 */
static bool
abandon_orphans(struct store *s, int64_t now, GArray **ids, GError **err)
{
	struct db_stmt	*st;
	int64_t		 id;
	int		 rc;

	*ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	st = store_stmt(s, "UPDATE outbox SET status = 'failed', "
	    "orphaned = orphaned + 1, last_error = 'given up: its notifier "
	    "stopped ' || (orphaned + 1) || ' times while sending it', "
	    "claimed_by = NULL, lease_id = NULL, lease_until = NULL, "
	    "updated = ?1 WHERE status = 'sending' AND "
	    "coalesce(lease_until, 0) <= ?1 AND orphaned + 1 >= ?2 "
	    "RETURNING id", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, now);
	db_bind_int(st, 2, OUTBOX_MAX_ORPHANED);
	while ((rc = db_step(st)) == DB_ROW) {
		id = db_column_int64(st, 0);
		g_array_append_val(*ids, id);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		g_array_free(*ids, TRUE);
		*ids = NULL;
		return store_fail(s, rc, err);
	}
	return true;
}

/*
 * The claim.  On PostgreSQL several notifiers claim at once (BEGIN
 * takes no lock there): each skips the rows another one's claim has
 * locked, so no row is claimed twice and nobody waits.
 */
#define CLAIM_SQL(lock) \
	"UPDATE outbox SET status = 'sending', " \
	"claimed_by = ?1, updated = ?2, lease_id = ?5, " \
	"lease_until = ?2 + ?3, orphaned = orphaned + " \
	"CASE WHEN status = 'sending' THEN 1 ELSE 0 END " \
	"WHERE id IN (SELECT id FROM outbox WHERE " \
	"(status = 'pending' AND next_attempt <= ?2) OR " \
	"(status = 'sending' AND coalesce(lease_until, 0) <= ?2) " \
	"ORDER BY next_attempt, id LIMIT ?4" lock ") RETURNING " OUTBOX_COLS

bool
store_outbox_claim(struct store *s, const char *claimer, int64_t now,
    int64_t lease, int limit, GPtrArray **out, GArray **abandoned,
    GError **err)
{
	struct db_stmt	*st;
	char		*id;
	bool		 ok;

	/*
	 * The write lock taken by BEGIN IMMEDIATE serialises claimers: the
	 * second one sees the rows already marked "sending".  A row left
	 * "sending" comes back only once its own stored lease has run
	 * out, whatever the batch size of whoever looks.  Claiming counts
	 * no attempt: a claimer that dies has made none we know of.
	 */
	if (!store_begin(s, err))
		return false;
	if (!abandon_orphans(s, now, abandoned, err)) {
		store_rollback(s);
		return false;
	}
	st = store_stmt(s, db_row_locks(s->db) ? CLAIM_SQL(
	    " FOR UPDATE SKIP LOCKED") : CLAIM_SQL(""), err);
	if (st == NULL) {
		g_array_free(*abandoned, TRUE);
		*abandoned = NULL;
		store_rollback(s);
		return false;
	}
	/* One id per claim, so a claim is never confused with another
	 * one under the same claimer name (or a reused pid). */
	id = g_uuid_string_random();
	store_bind_text(st, 1, claimer);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, lease);
	db_bind_int(st, 4, limit);
	store_bind_text(st, 5, id);
	ok = collect(s, st, out, err);
	g_free(id);
	if (!ok || !store_commit(s, err)) {
		if (ok) {
			g_ptr_array_free(*out, TRUE);
			*out = NULL;
		} else
			store_rollback(s);
		g_array_free(*abandoned, TRUE);
		*abandoned = NULL;
		return false;
	}
	return true;
}

bool
store_outbox_renew(struct store *s, const struct outbox_row *r,
    int64_t until, bool *held, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	g_return_val_if_fail(r->lease_id != NULL, false);
	st = store_stmt(s, "UPDATE outbox SET lease_until = ?2 WHERE "
	    "lease_id = ?1 AND status = 'sending' RETURNING id", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, r->lease_id);
	db_bind_int64(st, 2, until);
	*held = false;
	while ((rc = db_step(st)) == DB_ROW)
		if (db_column_int64(st, 0) == r->id)
			*held = true;
	db_reset(st);
	return rc == DB_DONE || store_fail(s, rc, err);
}

bool
store_outbox_attempted(struct store *s, const struct outbox_row *r,
    bool *held, GError **err)
{
	struct db_stmt	*st;

	g_return_val_if_fail(r->lease_id != NULL, false);
	/* A result came back: whatever stopped notifiers before, this row
	 * did not. */
	st = store_stmt(s, "UPDATE outbox SET attempts = attempts + 1, "
	    "orphaned = 0, lease_id = NULL, lease_until = NULL WHERE id = ?1 AND "
	    "status = 'sending' AND lease_id = ?2", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, r->id);
	store_bind_text(st, 2, r->lease_id);
	return update_one(s, st, held, err);
}

bool
store_outbox_sent(struct store *s, int64_t id, int64_t now,
    const char *reply, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET status = 'sent', updated = ?2,"
	    " sent_at = ?2, last_error = ?3 WHERE id = ?1",
	    err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	store_bind_text(st, 3, reply);
	return store_step_done(s, st, err);
}

bool
store_outbox_skip(struct store *s, int64_t id, int64_t now, const char *why,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET status = 'cancelled', updated ="
	    " ?2, last_error = ?3 WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	store_bind_text(st, 3, why);
	return store_step_done(s, st, err);
}

bool
store_outbox_defer(struct store *s, int64_t id, int64_t now, int64_t next,
    const char *reply, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET status = 'pending', updated = "
	    "?2, next_attempt = ?3, last_error = ?4, claimed_by = NULL, "
	    "lease_id = NULL, lease_until = NULL WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	db_bind_int64(st, 3, next);
	store_bind_text(st, 4, reply);
	return store_step_done(s, st, err);
}

bool
store_outbox_fail(struct store *s, int64_t id, int64_t now,
    const char *reply, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET status = 'failed', updated = "
	    "?2, last_error = ?3, claimed_by = NULL, lease_id = NULL, "
	    "lease_until = NULL WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	store_bind_text(st, 3, reply);
	return store_step_done(s, st, err);
}

bool
store_outbox_unclaim(struct store *s, const struct outbox_row *r,
    GError **err)
{
	struct db_stmt	*st;

	g_return_val_if_fail(r->lease_id != NULL, false);
	st = store_stmt(s, "UPDATE outbox SET status = 'pending', "
	    "claimed_by = NULL, lease_id = NULL, lease_until = NULL "
	    "WHERE lease_id = ?1 AND status = 'sending'", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, r->lease_id);
	return store_step_done(s, st, err);
}

bool
store_outbox_set_raw(struct store *s, int64_t id, const char *sha256_hex,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET raw_sha256 = coalesce(raw_sha256,"
	    " ?2) WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, sha256_hex);
	return store_step_done(s, st, err);
}

bool
store_outbox_set_sent_row(struct store *s, int64_t id, int64_t sent_row,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET sent_row = ?2, message_row = "
	    "coalesce(message_row, ?2) WHERE id = ?1", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, sent_row);
	return store_step_done(s, st, err);
}

bool
store_outbox_retry(struct store *s, int64_t id, int64_t now, bool *changed,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE outbox SET status = 'pending', attempts = 0,"
	    " orphaned = 0, next_attempt = ?2, updated = ?2, claimed_by = NULL"
	    " WHERE id = ?1"
	    " AND status IN ('pending', 'failed', 'cancelled')", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	return update_one(s, st, changed, err);
}

bool
store_outbox_cancel(struct store *s, int64_t id, int64_t now, bool *changed,
    GError **err)
{
	struct db_stmt	*st;

	/* A row being sent right now cannot be called back. */
	st = store_stmt(s, "UPDATE outbox SET status = 'cancelled', updated = "
	    "?2 WHERE id = ?1 AND status IN ('pending', 'failed')", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now);
	return update_one(s, st, changed, err);
}

bool
store_outbox_get(struct store *s, int64_t id, struct outbox_row **out,
    GError **err)
{
	struct db_stmt	*st;
	GPtrArray	*a;

	st = store_stmt(s, "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1",
	    err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, id);
	if (!collect(s, st, &a, err))
		return false;
	if (a->len == 0) {
		g_ptr_array_free(a, TRUE);
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "no outbox row %" G_GINT64_FORMAT, id);
		return false;
	}
	*out = g_ptr_array_steal_index(a, 0);
	g_ptr_array_free(a, TRUE);
	return true;
}

bool
store_outbox_list(struct store *s, const struct outbox_filter *f,
    GPtrArray **out, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "SELECT " OUTBOX_COLS " FROM outbox WHERE "
	    "(?1 IS NULL OR status = ?1) AND (?2 = 0 OR ticket_id = ?2) "
	    "ORDER BY id LIMIT ?3", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, f->status);
	db_bind_int64(st, 2, f->ticket);
	db_bind_int64(st, 3, f->limit > 0 ? f->limit : INT64_MAX);
	return collect(s, st, out, err);
}

bool
store_outbox_count_since(struct store *s, const char *kind,
    const char *recipient, int64_t since, int64_t *n, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	st = store_stmt(s, "SELECT count(*) FROM outbox WHERE recipients = ?1"
	    " COLLATE NOCASE AND kind = ?2 AND created >= ?3", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, recipient);
	store_bind_text(st, 2, kind);
	db_bind_int64(st, 3, since);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW || store_fail(s, rc, err);
}

bool
store_outbox_count_template_since(struct store *s, int64_t ticket,
    const char *template_name, const char *recipient, int64_t since,
    int64_t *n, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	st = store_stmt(s, "SELECT count(*) FROM outbox WHERE ticket_id = ?1"
	    " AND template = ?2 AND recipients = ?3 COLLATE NOCASE AND "
	    "created >= ?4", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, template_name);
	store_bind_text(st, 3, recipient);
	db_bind_int64(st, 4, since);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_column_int64(st, 0);
	db_reset(st);
	return rc == DB_ROW || store_fail(s, rc, err);
}

bool
store_participant_bounced(struct store *s, const char *addr, GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE participants SET bounced = 1 WHERE "
	    "address = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, addr);
	return store_step_done(s, st, err);
}

bool
store_participants(struct store *s, int64_t ticket, const char *role,
    bool skip_bounced, GPtrArray **out, GError **err)
{
	struct db_stmt	*st;
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	int		 rc;

	st = store_stmt(s, "SELECT address FROM participants WHERE "
	    "ticket_id = ?1 AND role = ?2 AND (?3 = 0 OR bounced = 0) "
	    "ORDER BY address", err);
	if (st == NULL) {
		g_ptr_array_free(a, TRUE);
		return false;
	}
	db_bind_int64(st, 1, ticket);
	store_bind_text(st, 2, role);
	db_bind_int(st, 3, skip_bounced);
	while ((rc = db_step(st)) == DB_ROW)
		g_ptr_array_add(a, store_col_text(st, 0));
	db_reset(st);
	if (rc != DB_DONE) {
		g_ptr_array_free(a, TRUE);
		return store_fail(s, rc, err);
	}
	*out = a;
	return true;
}

bool
store_message_set_raw(struct store *s, int64_t row, const char *sha,
    GError **err)
{
	struct db_stmt	*st;

	st = store_stmt(s, "UPDATE messages SET raw_sha256 = ?2 WHERE id = ?1"
	    " AND raw_sha256 IS NULL", err);
	if (st == NULL)
		return false;
	db_bind_int64(st, 1, row);
	store_bind_text(st, 2, sha);
	return store_step_done(s, st, err);
}
