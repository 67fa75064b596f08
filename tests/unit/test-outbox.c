/*
 * Unit tests for the outbox: claiming (two connections to one real
 * SQLite file, as two notifier processes would have), leases (stored
 * with the claim, renewed, checked before a result is recorded), retry
 * and cancel, the RFC 3834 refusal rules of outbox.c, and which rows
 * Notifications: off silences (notify.c).
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "mail.h"
#include "notify.h"
#include "outbox.h"
#include "store.h"

struct fx {
	char		*dir, *path;
	struct store	*a, *b;
	int64_t		 ticket;
};

static void
fx_setup(struct fx *f, gconstpointer data)
{
	struct ticket	 t = { 0 };
	GError		*e = NULL;
	int		 i;

	(void)data;
	f->dir = g_dir_make_tmp("pd-outbox-XXXXXX", &e);
	g_assert_no_error(e);
	f->path = g_build_filename(f->dir, "pd.db", NULL);
	g_assert_true(store_open(&f->a, f->path, STORE_READWRITE, &e));
	g_assert_true(store_open(&f->b, f->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
	t.subject = "s";
	t.requester = "r@example.com";
	t.created = 1000;
	g_assert_true(store_ticket_insert(f->a, &t, &e));
	f->ticket = t.id;
	for (i = 0; i < 10; i++) {
		char *rcpt = g_strdup_printf("u%d@example.com", i);

		g_assert_true(outbox_enqueue(f->a, f->ticket, 0, OUTBOX_STAFF,
		    "staff-notification", rcpt, 1000, NULL, &e));
		g_free(rcpt);
	}
	g_assert_no_error(e);
}

static void
fx_teardown(struct fx *f, gconstpointer data)
{
	(void)data;
	store_close(f->a);
	store_close(f->b);
	g_unlink(f->path);
	g_autofree char *wal = g_strconcat(f->path, "-wal", NULL);
	g_autofree char *shm = g_strconcat(f->path, "-shm", NULL);
	g_unlink(wal);
	g_unlink(shm);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

/* Claims up to N rows with a lease of 300 s; *abandoned: the ids of
 * rows given up (NULL: none expected). */
static GPtrArray *
claim_or_abandon(struct store *s, const char *who, int64_t now, int n,
    GArray **abandoned)
{
	GPtrArray	*rows = NULL;
	GArray		*ab = NULL;
	GError		*e = NULL;

	g_assert_true(store_outbox_claim(s, who, now, 300, n, &rows, &ab,
	    &e));
	g_assert_no_error(e);
	if (abandoned != NULL)
		*abandoned = ab;
	else {
		g_assert_cmpuint(ab->len, ==, 0);
		g_array_free(ab, TRUE);
	}
	return rows;
}

static GPtrArray *
claim(struct store *s, const char *who, int64_t now, int n)
{
	return claim_or_abandon(s, who, now, n, NULL);
}

static GPtrArray *
list_all(struct store *s)
{
	struct outbox_filter f = { NULL, 0, 0 };
	GPtrArray	*rows = NULL;
	GError		*e = NULL;

	g_assert_true(store_outbox_list(s, &f, &rows, &e));
	g_assert_no_error(e);
	return rows;
}

static void
test_claim_disjoint(struct fx *f, gconstpointer data)
{
	GPtrArray	*x, *y, *z;
	GHashTable	*seen = g_hash_table_new(g_int64_hash, g_int64_equal);
	guint		 i;

	(void)data;
	x = claim(f->a, "one", 1000, 4);
	y = claim(f->b, "two", 1000, 4);
	z = claim(f->a, "one", 1000, 4);
	g_assert_cmpuint(x->len, ==, 4);
	g_assert_cmpuint(y->len, ==, 4);
	g_assert_cmpuint(z->len, ==, 2);
	for (i = 0; i < x->len + y->len + z->len; i++) {
		struct outbox_row *r = i < x->len ? x->pdata[i] :
		    i < x->len + y->len ? y->pdata[i - x->len] :
		    z->pdata[i - x->len - y->len];

		g_assert_cmpstr(r->status, ==, "sending");
		/* Claiming is no attempt: a claimer may die before one. */
		g_assert_cmpint(r->attempts, ==, 0);
		g_assert_cmpint(r->lease_until, ==, 1300);
		g_assert_nonnull(r->lease_id);
		g_assert_false(g_hash_table_contains(seen, &r->id));
		g_hash_table_add(seen, &r->id);
	}
	g_assert_cmpuint(g_hash_table_size(seen), ==, 10);
	/* One lease per claim, even for the same claimer name. */
	g_assert_cmpstr(((struct outbox_row *)x->pdata[0])->lease_id, ==,
	    ((struct outbox_row *)x->pdata[3])->lease_id);
	g_assert_cmpstr(((struct outbox_row *)x->pdata[0])->lease_id, !=,
	    ((struct outbox_row *)z->pdata[0])->lease_id);
	/* Nothing is left for anybody. */
	g_ptr_array_free(claim(f->b, "two", 1000, 4), TRUE);
	{
		GPtrArray *w = claim(f->b, "two", 1000, 4);

		g_assert_cmpuint(w->len, ==, 0);
		g_ptr_array_free(w, TRUE);
	}
	g_hash_table_destroy(seen);
	g_ptr_array_free(x, TRUE);
	g_ptr_array_free(y, TRUE);
	g_ptr_array_free(z, TRUE);
}

static void
test_lease_and_due(struct fx *f, gconstpointer data)
{
	GPtrArray	*x, *y;
	struct outbox_row *r;
	GError		*e = NULL;
	bool		 held = true;

	(void)data;
	x = claim(f->a, "dead", 1000, 10);
	g_assert_cmpuint(x->len, ==, 10);
	r = x->pdata[0];
	/* Deferred to 2000: not due before. */
	g_assert_true(store_outbox_defer(f->a, r->id, 1000, 2000, "451 later",
	    &e));
	y = claim(f->b, "alive", 1299, 10);
	g_assert_cmpuint(y->len, ==, 0);	/* lease 300 not over yet */
	g_ptr_array_free(y, TRUE);
	y = claim(f->b, "alive", 1300, 10);	/* the claimer died */
	g_assert_cmpuint(y->len, ==, 9);
	/* Its claim used up no attempt. */
	g_assert_cmpint(((struct outbox_row *)y->pdata[0])->attempts, ==, 0);
	g_assert_cmpstr(((struct outbox_row *)y->pdata[0])->claimed_by, ==,
	    "alive");
	/* The dead claim can neither renew, record nor give back. */
	r = x->pdata[1];
	g_assert_true(store_outbox_renew(f->a, r, 5000, &held, &e));
	g_assert_false(held);
	g_assert_true(store_begin(f->a, &e));
	g_assert_true(store_outbox_attempted(f->a, r, &held, &e));
	g_assert_false(held);
	store_rollback(f->a);
	g_assert_true(store_outbox_unclaim(f->a, r, &e));
	g_assert_no_error(e);
	for (guint i = 0; i < y->len; i++) {
		r = y->pdata[i];
		g_assert_cmpint(r->lease_until, ==, 1600);
		g_assert_true(store_outbox_attempted(f->b, r, &held, &e));
		g_assert_true(held);
		g_assert_true(store_outbox_sent(f->b, r->id, 1302, "250", &e));
	}
	g_ptr_array_free(y, TRUE);
	y = claim(f->b, "alive", 2000, 10);	/* now the deferred one */
	g_assert_cmpuint(y->len, ==, 1);
	r = y->pdata[0];
	g_assert_cmpstr(r->last_error, ==, "451 later");
	g_assert_true(store_outbox_sent(f->b, r->id, 2001, "250 ok", &e));
	g_assert_no_error(e);
	g_ptr_array_free(y, TRUE);
	/* Each sent row counts exactly one attempt. */
	y = list_all(f->a);
	for (guint i = 1; i < y->len; i++)
		g_assert_cmpint(((struct outbox_row *)y->pdata[i])->attempts,
		    ==, 1);
	g_ptr_array_free(y, TRUE);
	g_ptr_array_free(x, TRUE);
}

/* A batch that runs longer than the lease keeps its rows by renewing. */
static void
test_renew(struct fx *f, gconstpointer data)
{
	GPtrArray	*x, *y;
	struct outbox_row *r;
	GError		*e = NULL;
	bool		 held = false;

	(void)data;
	x = claim(f->a, "big", 1000, 10);
	r = x->pdata[9];
	g_assert_true(store_outbox_renew(f->a, r, 1550, &held, &e));
	g_assert_true(held);
	y = claim(f->b, "small", 1500, 1);
	g_assert_cmpuint(y->len, ==, 0);
	g_ptr_array_free(y, TRUE);
	/* A recorded row leaves the lease; the rest is still held. */
	g_assert_true(store_outbox_attempted(f->a, r, &held, &e));
	g_assert_true(store_outbox_sent(f->a, r->id, 1501, "250", &e));
	g_assert_true(store_outbox_renew(f->a, r, 1600, &held, &e));
	g_assert_false(held);
	g_assert_true(store_outbox_renew(f->a, x->pdata[0], 1600, &held,
	    &e));
	g_assert_true(held);
	y = claim(f->b, "small", 1599, 10);
	g_assert_cmpuint(y->len, ==, 0);
	g_ptr_array_free(y, TRUE);
	/* Given back: pending at once, attempts as before. */
	g_assert_true(store_outbox_unclaim(f->a, x->pdata[0], &e));
	g_assert_no_error(e);
	y = claim(f->b, "small", 1599, 10);
	g_assert_cmpuint(y->len, ==, 9);
	g_assert_cmpint(((struct outbox_row *)y->pdata[0])->attempts, ==, 0);
	g_ptr_array_free(y, TRUE);
	g_ptr_array_free(x, TRUE);
}

/* notify_record() writes a result only while the lease holds. */
static void
test_record_owner(struct fx *f, gconstpointer data)
{
	struct config	*c = config_new_default();
	GPtrArray	*x, *y;
	struct outbox_row *r, *now = NULL;
	GError		*e = NULL;

	(void)data;
	/* With the defaults a dead notifier's rows are back within 2 min. */
	g_assert_cmpint(notify_lease(c), <=, 120);
	g_assert_cmpint(notify_lease(c), >, c->smtp_timeout +
	    c->busy_timeout / 1000);
	x = claim(f->a, "stopped", 1000, 2);
	y = claim(f->b, "alive", 1300, 1);
	r = x->pdata[0];
	g_assert_cmpint(((struct outbox_row *)y->pdata[0])->id, ==, r->id);
	g_assert_false(notify_record(f->a, c, r, NOTIFY_SENT, "250", 1301,
	    &e));
	g_assert_error(e, NOTIFY_ERROR, NOTIFY_ERROR_LEASE);
	g_clear_error(&e);
	g_assert_true(store_outbox_get(f->a, r->id, &now, &e));
	g_assert_cmpstr(now->status, ==, "sending");
	g_assert_cmpstr(now->claimed_by, ==, "alive");
	g_assert_cmpint(now->attempts, ==, 0);
	outbox_row_free(now);
	/* The owner's result is recorded, one attempt, with its event. */
	g_assert_true(notify_record(f->b, c, y->pdata[0], NOTIFY_TEMPFAIL,
	    "451", 1302, &e));
	g_assert_no_error(e);
	g_assert_true(store_outbox_get(f->a, r->id, &now, &e));
	g_assert_cmpstr(now->status, ==, "pending");
	g_assert_cmpint(now->attempts, ==, 1);
	g_assert_null(now->lease_id);
	outbox_row_free(now);
	/* The other row of the stopped claim is still its own. */
	g_assert_true(notify_record(f->a, c, x->pdata[1], NOTIFY_SENT, "250",
	    1303, &e));
	g_assert_no_error(e);
	g_ptr_array_free(x, TRUE);
	g_ptr_array_free(y, TRUE);
	config_free(c);
}

static void
test_retry_cancel(struct fx *f, gconstpointer data)
{
	GPtrArray	*x;
	struct outbox_row *r = NULL;
	GError		*e = NULL;
	bool		 changed = false;
	int64_t		 id, n = -1;

	(void)data;
	x = claim(f->a, "one", 1000, 1);
	id = ((struct outbox_row *)x->pdata[0])->id;
	g_ptr_array_free(x, TRUE);
	/* A row being sent cannot be cancelled or retried. */
	g_assert_true(store_outbox_cancel(f->a, id, 1001, &changed, &e));
	g_assert_false(changed);
	g_assert_true(store_outbox_retry(f->a, id, 1001, &changed, &e));
	g_assert_false(changed);
	g_assert_true(store_outbox_fail(f->a, id, 1002, "550 no", &e));
	g_assert_true(store_outbox_retry(f->a, id, 1003, &changed, &e));
	g_assert_true(changed);
	g_assert_true(store_outbox_get(f->a, id, &r, &e));
	g_assert_cmpstr(r->status, ==, "pending");
	g_assert_cmpint(r->attempts, ==, 0);
	outbox_row_free(r);
	g_assert_true(store_outbox_cancel(f->a, id, 1004, &changed, &e));
	g_assert_true(changed);
	g_assert_true(store_outbox_get(f->a, id, &r, &e));
	g_assert_cmpstr(r->status, ==, "cancelled");
	outbox_row_free(r);
	g_assert_false(store_outbox_get(f->a, 9999, &r, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	g_assert_true(store_outbox_count_since(f->a, OUTBOX_STAFF,
	    "U3@example.com", 1000, &n, &e));
	g_assert_cmpint(n, ==, 1);
	g_assert_true(store_outbox_count_since(f->a, OUTBOX_STAFF,
	    "u3@example.com", 1001, &n, &e));
	g_assert_cmpint(n, ==, 0);
	g_assert_no_error(e);
}

static const char *
refusal_of(const char *headers, const char *sender)
{
	struct config	*c = config_new_default();
	struct mail	*m = NULL;
	char		*raw = g_strdup_printf("%sMessage-ID: <x@y>\n"
	    "Subject: s\n\nbody\n", headers);
	const char	*why;

	g_free(c->host);
	c->host = g_strdup("pd.example.com");
	g_assert_true(mail_parse(&m, raw, strlen(raw), NULL));
	why = outbox_auto_refusal(c, m, sender);
	mail_free(m);
	config_free(c);
	g_free(raw);
	return why;	/* static strings */
}

/*
 * A row whose claims keep running out (it kills its notifier) is failed
 * at the OUTBOX_MAX_ORPHANED-th, with the reason; a result in between
 * starts the count again, and a retry gives it a fresh one.
 */
static void
test_orphaned(struct fx *f, gconstpointer data)
{
	GPtrArray	*x;
	GArray		*ab;
	struct outbox_row *r = NULL;
	GError		*e = NULL;
	bool		 held = false, changed = false;
	int64_t		 id, t = 1000;
	int		 k;

	(void)data;
	x = claim(f->a, "n", t, 1);
	r = x->pdata[0];
	id = r->id;
	/* One result (a deferral) after the first claim. */
	g_assert_true(store_begin(f->a, &e));
	g_assert_true(store_outbox_attempted(f->a, r, &held, &e));
	g_assert_true(held);
	g_assert_true(store_commit(f->a, &e));
	g_assert_true(store_outbox_defer(f->a, id, t, t, "451 later", &e));
	g_ptr_array_free(x, TRUE);
	for (k = 0; k < OUTBOX_MAX_ORPHANED; k++) {
		t += 300;
		x = claim_or_abandon(f->a, "n", t, 1, &ab);
		g_assert_cmpuint(ab->len, ==, 0);
		g_assert_cmpint(((struct outbox_row *)x->pdata[0])->id, ==, id);
		g_array_free(ab, TRUE);
		g_ptr_array_free(x, TRUE);
	}
	/* Each of the OUTBOX_MAX_ORPHANED claims since the result ran out:
	 * the next claim gives up on the row and takes another one. */
	t += 300;
	x = claim_or_abandon(f->a, "n", t, 1, &ab);
	g_assert_cmpuint(ab->len, ==, 1);
	g_assert_cmpint(g_array_index(ab, int64_t, 0), ==, id);
	g_assert_cmpint(((struct outbox_row *)x->pdata[0])->id, !=, id);
	g_array_free(ab, TRUE);
	g_ptr_array_free(x, TRUE);
	g_assert_true(store_outbox_get(f->a, id, &r, &e));
	g_assert_cmpstr(r->status, ==, "failed");
	g_assert_nonnull(strstr(r->last_error, "notifier stopped"));
	g_assert_cmpint(r->attempts, ==, 1);	/* crashes used up none */
	outbox_row_free(r);
	/* A retry: pending again, with a fresh count. */
	g_assert_true(store_outbox_retry(f->a, id, t, &changed, &e));
	g_assert_true(changed);
	for (k = 0; k < OUTBOX_MAX_ORPHANED - 1; k++) {
		t += 300;
		x = claim_or_abandon(f->a, "n", t, 1000, &ab);
		g_assert_cmpuint(ab->len, ==, 0);
		g_array_free(ab, TRUE);
		g_ptr_array_free(x, TRUE);
	}
	g_assert_no_error(e);
}

/* Notifications: off: which rows are optional, and whose setting. */
static void
test_notifications_off(struct fx *f, gconstpointer data)
{
	struct outbox_row r = { 0 };
	const char	*why;
	GError		*e = NULL;
	bool		 muted;

	(void)data;
	r.ticket_id = f->ticket;
	r.recipient = "r@example.com";
	r.kind = OUTBOX_ACK;
	r.template = "new-ticket";
	g_assert_true(notify_is_optional(&r));
	r.kind = OUTBOX_NOTICE;
	r.template = "closed";
	g_assert_true(notify_is_optional(&r));
	r.template = "rating-request";
	g_assert_true(notify_is_optional(&r));
	/* What she must get. */
	r.template = "address-confirm";
	g_assert_false(notify_is_optional(&r));
	r.template = "member-invitation";
	g_assert_false(notify_is_optional(&r));
	r.template = "command-transcript";
	g_assert_false(notify_is_optional(&r));
	r.kind = OUTBOX_ACK;
	r.template = "out-of-scope";
	g_assert_false(notify_is_optional(&r));
	r.template = "view-only-refusal";
	g_assert_false(notify_is_optional(&r));
	r.template = "new-ticket";
	r.quarantine_id = 7;
	g_assert_false(notify_is_optional(&r));
	r.quarantine_id = 0;
	r.kind = OUTBOX_REPLY;
	r.template = NULL;
	g_assert_false(notify_is_optional(&r));
	r.kind = OUTBOX_STAFF;
	r.template = "staff-notification";
	g_assert_false(notify_is_optional(&r));

	/* Her setting, then mail to her confirmed notification address. */
	r.kind = OUTBOX_NOTICE;
	r.template = "closed";
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_false(muted);
	g_assert_null(why);
	g_assert_true(store_contact_notifications_set(f->a, "r@example.com",
	    true, 2000, &e));
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_true(muted);
	g_assert_nonnull(strstr(why, "Notifications: off"));
	g_assert_true(store_participant_add(f->a, f->ticket, "r@example.com",
	    NULL, "requester", &e));
	g_assert_true(store_notify_address_set(f->a, "r@example.com",
	    "home@example.net", 2000, &e));
	r.recipient = "home@example.net";
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_true(muted);
	/* The same address on a ticket she is not on: nobody's setting. */
	r.ticket_id = 0;
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_false(muted);
	r.ticket_id = f->ticket;
	r.template = "address-changed";
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_false(muted);
	r.template = "closed";
	g_assert_true(store_contact_notifications_set(f->a, "r@example.com",
	    false, 2100, &e));
	g_assert_true(notify_muted(f->a, &r, &muted, &why, &e));
	g_assert_false(muted);
	g_assert_no_error(e);
}

static void
test_refusals(void)
{
	g_assert_null(refusal_of("From: a@b.example\n", "a@b.example"));
	g_assert_null(refusal_of("From: a@b.example\nAuto-Submitted: no\n",
	    NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\n"
	    "Auto-Submitted: auto-replied\n", NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\n"
	    "Auto-Submitted: auto-generated (vacation)\n", NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\nPrecedence: Bulk\n",
	    NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\nPrecedence: junk\n",
	    NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\nList-Id: <l.x>\n",
	    NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\n", ""));
	g_assert_nonnull(refusal_of("From: a@b.example\n", "<>"));
	g_assert_nonnull(refusal_of("From: MAILER-DAEMON@b.example\n", NULL));
	g_assert_nonnull(refusal_of("From: no-reply@b.example\n", NULL));
	g_assert_nonnull(refusal_of("From: list-request@b.example\n", NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\n",
	    "bounces+12@b.example"));
	g_assert_nonnull(refusal_of("From: support+t1.x@localhost\n", NULL));
	g_assert_nonnull(refusal_of("From: a@b.example\n"
	    "X-Postdesk-Loop: pd.example.com\n", NULL));
	/* Another postdesk's loop header is that one's business. */
	g_assert_null(refusal_of("From: a@b.example\n"
	    "X-Postdesk-Loop: other.example\n", NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/outbox/claim-disjoint", struct fx, NULL, fx_setup,
	    test_claim_disjoint, fx_teardown);
	g_test_add("/outbox/lease-and-due", struct fx, NULL, fx_setup,
	    test_lease_and_due, fx_teardown);
	g_test_add("/outbox/renew", struct fx, NULL, fx_setup,
	    test_renew, fx_teardown);
	g_test_add("/outbox/record-owner", struct fx, NULL, fx_setup,
	    test_record_owner, fx_teardown);
	g_test_add("/outbox/retry-cancel", struct fx, NULL, fx_setup,
	    test_retry_cancel, fx_teardown);
	g_test_add("/outbox/orphaned", struct fx, NULL, fx_setup,
	    test_orphaned, fx_teardown);
	g_test_add("/outbox/notifications-off", struct fx, NULL, fx_setup,
	    test_notifications_off, fx_teardown);
	g_test_add_func("/outbox/refusals", test_refusals);
	return g_test_run();
}
