/*
 * Unit tests for staff.c (who the staff are, who hears of what),
 * store_staff.c (on a real SQLite file) and web_staff_account().
 */
#include "pdconfig.h"

#include <string.h>
#include <glib/gstdio.h>

#include "config.h"
#include "staff.h"
#include "store.h"
#include "store_staff.h"
#include "web.h"

static struct staff *
mk(const char *addr, enum staff_role role, const char *queues,
    enum staff_notify notify)
{
	struct staff	*s = staff_new(addr);

	s->role = role;
	g_strfreev(s->queues);
	g_assert_true(text_to_staff_queues(&s->queues, queues));
	s->notify = notify;
	return s;
}

/*
 * The team of the tests:
 *   ann   agent support          all
 *   bob   agent support          mine
 *   cat   agent support,sales    none
 *   dan   lead  sales            mine
 *   eve   admin (every queue)    mine
 *   fay   agent support          all, disabled
 */
static struct staff_dir *
team(void)
{
	struct staff_dir *d = g_new0(struct staff_dir, 1);
	struct staff	*fay;

	d->all = g_ptr_array_new_with_free_func((GDestroyNotify)staff_free);
	g_ptr_array_add(d->all, mk("ann@x.example", STAFF_AGENT, "support",
	    STAFF_NOTIFY_ALL));
	g_ptr_array_add(d->all, mk("bob@x.example", STAFF_AGENT, "support",
	    STAFF_NOTIFY_MINE));
	g_ptr_array_add(d->all, mk("cat@x.example", STAFF_AGENT,
	    "support,sales", STAFF_NOTIFY_NONE));
	g_ptr_array_add(d->all, mk("dan@x.example", STAFF_LEAD, "sales",
	    STAFF_NOTIFY_MINE));
	g_ptr_array_add(d->all, mk("eve@x.example", STAFF_ADMIN, "",
	    STAFF_NOTIFY_MINE));
	fay = mk("fay@x.example", STAFF_AGENT, "support", STAFF_NOTIFY_ALL);
	fay->disabled = true;
	g_ptr_array_add(d->all, fay);
	return d;
}

/* The recipients, joined by spaces, for comparing. */
static char *
rcpts(const struct staff_dir *d, const char *queue, const char *owner,
    const char *author, const char *writers)
{
	struct staff_notice n = { queue, owner, author, NULL };
	GPtrArray	*a;
	GString		*g = g_string_new(NULL);
	char		**w = writers != NULL ? g_strsplit(writers, " ", -1) :
	    NULL;
	guint		 i;

	if (w != NULL) {
		n.writers = g_ptr_array_new();
		for (i = 0; w[i] != NULL; i++)
			g_ptr_array_add(n.writers, w[i]);
	}
	a = staff_notice_recipients(d, &n);
	for (i = 0; i < a->len; i++) {
		const char *s = a->pdata[i];

		g_string_append_printf(g, "%s%.*s", g->len ? " " : "",
		    (int)(strchr(s, '@') - s), s);
	}
	g_ptr_array_free(a, TRUE);
	if (n.writers != NULL)
		g_ptr_array_free(n.writers, TRUE);
	g_strfreev(w);
	return g_string_free(g, FALSE);
}

#define RCPTS(d, q, o, a, w, want) do {					\
	char	*got_ = rcpts((d), (q), (o), (a), (w));			\
	g_assert_cmpstr(got_, ==, (want));				\
	g_free(got_);							\
} while (0)

static void
test_names(void)
{
	enum staff_role r;
	enum staff_notify n;
	char	**q, *t;

	g_assert_true(text_to_staff_role(&r, "lead"));
	g_assert_cmpint(r, ==, STAFF_LEAD);
	g_assert_false(text_to_staff_role(&r, "Lead"));
	g_assert_false(text_to_staff_role(&r, NULL));
	g_assert_true(text_to_staff_notify(&n, "none"));
	g_assert_cmpint(n, ==, STAFF_NOTIFY_NONE);
	g_assert_false(text_to_staff_notify(&n, "some"));
	g_assert_true(text_to_staff_queues(&q, "support, sales,support"));
	g_assert_cmpuint(g_strv_length(q), ==, 2);
	t = staff_queues_to_text(q);
	g_assert_cmpstr(t, ==, "support,sales");
	g_free(t);
	g_strfreev(q);
	g_assert_true(text_to_staff_queues(&q, ""));
	g_assert_null(q[0]);
	g_strfreev(q);
	g_assert_false(text_to_staff_queues(&q, "support,,sales"));
	g_assert_false(text_to_staff_queues(&q, "Sales"));
	g_assert_false(text_to_staff_queues(&q, "a b"));
}

static void
test_works_queue(void)
{
	struct staff_dir *d = team();

	g_assert_true(staff_works_queue(staff_dir_find(d, "ANN@x.example"),
	    "support"));
	g_assert_false(staff_works_queue(staff_dir_find(d, "ann@x.example"),
	    "sales"));
	g_assert_true(staff_works_queue(staff_dir_find(d, "eve@x.example"),
	    "anything"));
	g_assert_true(staff_may_act(staff_dir_find(d, "ann@x.example"),
	    "support"));
	g_assert_false(staff_may_act(staff_dir_find(d, "ann@x.example"),
	    "sales"));
	/* An admin's queues narrow its notices, not its authority. */
	g_strfreev(((struct staff *)staff_dir_find(d,
	    "eve@x.example"))->queues);
	g_assert_true(text_to_staff_queues(&((struct staff *)
	    staff_dir_find(d, "eve@x.example"))->queues, "support"));
	g_assert_false(staff_works_queue(staff_dir_find(d, "eve@x.example"),
	    "sales"));
	g_assert_true(staff_may_act(staff_dir_find(d, "eve@x.example"),
	    "sales"));
	g_assert_null(staff_dir_find(d, "zed@x.example"));
	g_assert_null(staff_dir_find(d, NULL));
	staff_dir_free(d);
}

/* Item 2: the owner, or the queue's staff while it has no owner, by
 * preference; never everyone; never the author. */
static void
test_recipients(void)
{
	struct staff_dir *d = team();

	/* Unowned support ticket: ann (all), bob (mine: unowned counts),
	 * eve (admin of every queue); not cat (none), dan (sales), fay
	 * (disabled). */
	RCPTS(d, "support", NULL, "cust@y.example", NULL, "ann bob eve");
	/* Owned by bob: bob, and ann who wants all of support. */
	RCPTS(d, "support", "bob@x.example", NULL, NULL, "ann bob");
	/* ... the owner in any case. */
	RCPTS(d, "support", "BOB@x.example", NULL, NULL, "ann bob");
	/* The owner wrote it: not to him. */
	RCPTS(d, "support", "bob@x.example", "bob@x.example", NULL, "ann");
	/* eve wrote in the ticket earlier ("mine": wrote in). */
	RCPTS(d, "support", "bob@x.example", "cust@y.example",
	    "cust@y.example eve@x.example", "ann bob eve");
	/* A writer with "none" stays out. */
	RCPTS(d, "support", "bob@x.example", NULL, "cat@x.example",
	    "ann bob");
	/* Sales, unowned: dan and eve; cat works sales but wants none. */
	RCPTS(d, "sales", NULL, NULL, NULL, "dan eve");
	/* Sales owned by eve, an admin: eve only. */
	RCPTS(d, "sales", "eve@x.example", NULL, NULL, "eve");
	/* The owner is disabled: as if unowned. */
	RCPTS(d, "support", "fay@x.example", NULL, NULL, "ann bob eve");
	/* The owner is no account at all (an old owner): as unowned. */
	RCPTS(d, "sales", "gone@x.example", NULL, NULL, "dan eve");
	staff_dir_free(d);
}

/* A queue no account works falls to the admins; without an admin of
 * every queue, it is still not lost. */
static void
test_unstaffed_queue(void)
{
	struct staff_dir *d = team();

	/* eve works every queue, so billing has her. */
	RCPTS(d, "billing", NULL, NULL, NULL, "eve");
	/* Narrow eve to support: billing has nobody, the admins get it. */
	g_strfreev(((struct staff *)staff_dir_find(d,
	    "eve@x.example"))->queues);
	g_assert_true(text_to_staff_queues(&((struct staff *)
	    staff_dir_find(d, "eve@x.example"))->queues, "support"));
	RCPTS(d, "billing", NULL, NULL, NULL, "eve");
	RCPTS(d, "sales", NULL, NULL, NULL, "dan");
	/* Owned: the owner, not the admins. */
	RCPTS(d, "billing", "bob@x.example", NULL, NULL, "bob");
	staff_dir_free(d);
}

/* The bootstrap list: admins of every queue with "mine".  Unowned:
 * everyone on the list, as before accounts; owned: the owner. */
static void
test_bootstrap(void)
{
	struct config	*c = config_new_default();
	struct staff_dir *d;

	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("ann@x.example,bob@x.example", ",",
	    -1);
	d = staff_dir_bootstrap(c);
	g_assert_true(d->bootstrap);
	g_assert_cmpuint(d->all->len, ==, 2);
	g_assert_cmpint(((struct staff *)d->all->pdata[0])->role, ==,
	    STAFF_ADMIN);
	RCPTS(d, "support", NULL, "cust@y.example", NULL, "ann bob");
	RCPTS(d, "sales", NULL, "ann@x.example", NULL, "bob");
	RCPTS(d, "support", "bob@x.example", NULL, NULL, "bob");
	RCPTS(d, "support", "bob@x.example", NULL, "ann@x.example",
	    "ann bob");
	staff_dir_free(d);
	config_free(c);
}

static void
test_owner(void)
{
	struct staff_dir *d = team();
	struct staff	*bob2 = mk("bob@y.example", STAFF_AGENT, "sales",
	    STAFF_NOTIFY_MINE);
	const char	*why;
	char		*o;

	g_assert_true(staff_resolve_owner(d, "none", &o, &why));
	g_assert_null(o);
	g_assert_true(staff_resolve_owner(d, "Ann@X.example", &o, &why));
	g_assert_cmpstr(o, ==, "ann@x.example");
	g_free(o);
	g_assert_true(staff_resolve_owner(d, "dan", &o, &why));
	g_assert_cmpstr(o, ==, "dan@x.example");
	g_free(o);
	/* Bad input: an unknown staff address is refused, saying why. */
	g_assert_false(staff_resolve_owner(d, "zed@x.example", &o, &why));
	g_assert_null(o);
	g_assert_nonnull(strstr(why, "not a staff member"));
	g_assert_false(staff_resolve_owner(d, "zed", &o, &why));
	g_assert_false(staff_resolve_owner(d, "fay@x.example", &o, &why));
	g_assert_nonnull(strstr(why, "disabled"));
	g_assert_false(staff_resolve_owner(d, "fay", &o, &why));
	g_ptr_array_add(d->all, bob2);
	g_assert_false(staff_resolve_owner(d, "bob", &o, &why));
	g_assert_nonnull(strstr(why, "more than one"));
	staff_dir_free(d);
}

static void
test_escalation(void)
{
	struct staff_dir *d = team();
	GPtrArray	*a;

	a = staff_escalation_recipients(d, "sales");
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpstr(a->pdata[0], ==, "dan@x.example");
	g_ptr_array_free(a, TRUE);
	/* Nobody leads support: its admins. */
	a = staff_escalation_recipients(d, "support");
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpstr(a->pdata[0], ==, "eve@x.example");
	g_ptr_array_free(a, TRUE);
	staff_dir_free(d);
}

static void
test_web_account(void)
{
	struct config	*c = config_new_default();
	struct staff_dir *d = team();
	char		*a;

	g_strfreev(c->web_staff_users);
	c->web_staff_users = g_strsplit("jdoe=dan@x.example,old=fay@x.example",
	    ",", -1);
	a = web_staff_account(c, d, "jdoe");
	g_assert_cmpstr(a, ==, "dan@x.example");
	g_free(a);
	a = web_staff_account(c, d, "Ann");
	g_assert_cmpstr(a, ==, "ann@x.example");
	g_free(a);
	a = web_staff_account(c, d, "bob@x.example");
	g_assert_cmpstr(a, ==, "bob@x.example");
	g_free(a);
	/* Disabled: not staff on the web, by any name. */
	g_assert_null(web_staff_account(c, d, "fay"));
	g_assert_null(web_staff_account(c, d, "old"));
	g_assert_null(web_staff_account(c, d, "fay@x.example"));
	g_assert_null(web_staff_account(c, d, "mallory"));
	g_assert_null(web_staff_account(c, d, "an"));
	g_assert_null(web_staff_account(c, d, ""));
	g_assert_null(web_staff_account(c, d, NULL));
	staff_dir_free(d);
	config_free(c);
}

/* The store: accounts round-trip, disabling keeps the row, and the
 * first account ends the bootstrap list. */
static void
test_store(void)
{
	GError		*e = NULL;
	char		*dir = g_dir_make_tmp("pd-staff-XXXXXX", &e);
	char		*path = g_build_filename(dir, "pd.db", NULL);
	struct config	*c = config_new_default();
	struct store	*s = NULL;
	struct staff	*a = mk("Ann@X.example", STAFF_LEAD, "support,sales",
	    STAFF_NOTIFY_ALL), *got = NULL;
	struct staff_dir *d = NULL;
	bool		 yes = false, added = false;

	g_assert_no_error(e);
	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("boss@x.example", ",", -1);
	g_assert_true(store_open(&s, path, STORE_READWRITE, &e));
	g_assert_true(staff_active(s, c, "boss@x.example", &yes, &e));
	g_assert_true(yes);
	g_assert_true(staff_dir_load(s, c, &d, &e));
	g_assert_true(d->bootstrap);
	staff_dir_free(d);
	a->name = g_strdup("Ann A");
	g_assert_true(store_staff_put(s, a, 100, &added, &e));
	g_assert_true(added);
	g_assert_true(store_staff_get(s, "ann@x.EXAMPLE", &got, &e));
	g_assert_nonnull(got);
	g_assert_cmpstr(got->address, ==, "ann@x.example");
	g_assert_cmpstr(got->name, ==, "Ann A");
	g_assert_cmpint(got->role, ==, STAFF_LEAD);
	g_assert_cmpint(got->notify, ==, STAFF_NOTIFY_ALL);
	g_assert_cmpuint(g_strv_length(got->queues), ==, 2);
	g_assert_cmpstr(got->queues[1], ==, "sales");
	g_assert_false(got->disabled);
	staff_free(got);
	/* The bootstrap list grants nothing any more. */
	g_assert_true(staff_active(s, c, "boss@x.example", &yes, &e));
	g_assert_false(yes);
	g_assert_true(staff_active(s, c, "ann@x.example", &yes, &e));
	g_assert_true(yes);
	a->disabled = true;
	g_assert_true(store_staff_put(s, a, 200, &added, &e));
	g_assert_false(added);
	g_assert_true(staff_active(s, c, "ann@x.example", &yes, &e));
	g_assert_false(yes);
	g_assert_true(staff_dir_load(s, c, &d, &e));
	g_assert_false(d->bootstrap);
	g_assert_cmpuint(d->all->len, ==, 1);
	g_assert_true(((struct staff *)d->all->pdata[0])->disabled);
	g_assert_cmpint(((struct staff *)d->all->pdata[0])->created, ==, 100);
	g_assert_cmpint(((struct staff *)d->all->pdata[0])->updated, ==, 200);
	staff_dir_free(d);
	g_assert_true(store_staff_get(s, "nobody@x.example", &got, &e));
	g_assert_null(got);
	g_assert_no_error(e);
	staff_free(a);
	store_close(s);
	config_free(c);
	g_unlink(path);
	g_remove(dir);
	g_free(path);
	g_free(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/staff/names", test_names);
	g_test_add_func("/staff/works-queue", test_works_queue);
	g_test_add_func("/staff/recipients", test_recipients);
	g_test_add_func("/staff/unstaffed-queue", test_unstaffed_queue);
	g_test_add_func("/staff/bootstrap", test_bootstrap);
	g_test_add_func("/staff/owner", test_owner);
	g_test_add_func("/staff/escalation", test_escalation);
	g_test_add_func("/staff/web-account", test_web_account);
	g_test_add_func("/staff/store", test_store);
	return g_test_run();
}
