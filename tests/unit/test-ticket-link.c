/*
 * Unit tests for src/ticket_link.c: ticket_link_decide() as a table,
 * and ticket_link_apply() against a real store in a temporary
 * directory (the link both ways, its events, the follow-up that stays,
 * and a merge that takes the links along); ticket_split_decide() as a
 * table.
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "store.h"
#include "ticket_link.h"
#include "ticket_split.h"

static void
test_decide(void)
{
	static const struct {
		struct ticket_link_facts	 f;
		enum ticket_link_verdict	 want;
		const char			*why;
	} cases[] = {
		{ { TICKET_LINK, 1, 2, true, true, 1, 2, false, false },
		    TICKET_LINK_OK, NULL },
		{ { TICKET_LINK, 1, 9, true, false, 1, 9, false, false },
		    TICKET_LINK_NOTFOUND, "there is no ticket #9" },
		{ { TICKET_UNLINK, 9, 1, false, true, 9, 1, false, false },
		    TICKET_LINK_NOTFOUND, "there is no ticket #9" },
		{ { TICKET_LINK, 3, 3, true, true, 3, 3, false, false },
		    TICKET_LINK_REFUSED, "a ticket cannot be linked to itself" },
		{ { TICKET_LINK, 1, 2, true, true, 1, 2, true, false },
		    TICKET_LINK_REFUSED, "tickets #1 and #2 are already linked" },
		{ { TICKET_LINK, 1, 2, true, true, 1, 2, false, true },
		    TICKET_LINK_REFUSED,
		    "tickets #1 and #2 are already linked (a follow-up)" },
		{ { TICKET_LINK, 1, 2, true, true, 1, 5, false, false },
		    TICKET_LINK_REFUSED, "ticket #2 was merged into #5" },
		{ { TICKET_UNLINK, 1, 2, true, true, 1, 2, true, true },
		    TICKET_LINK_OK, NULL },
		{ { TICKET_UNLINK, 1, 2, true, true, 1, 2, false, false },
		    TICKET_LINK_REFUSED, "tickets #1 and #2 are not linked" },
		{ { TICKET_UNLINK, 1, 2, true, true, 1, 2, false, true },
		    TICKET_LINK_REFUSED, "ticket #1 and #2 are linked as a "
		    "follow-up, which stays" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*why = NULL;

		g_assert_cmpint(ticket_link_decide(&cases[i].f, &why), ==,
		    cases[i].want);
		g_assert_cmpstr(why, ==, cases[i].why);
		g_free(why);
	}
}

struct fixture {
	char		*dir;
	char		*path;
	struct store	*s;
};

static int64_t
add_ticket(struct store *s, int64_t linked_to)
{
	struct ticket	 t = { 0 };
	GError		*e = NULL;

	t.subject = (char *)"s";
	t.requester = (char *)"ann@example.com";
	t.linked_to = linked_to;
	t.created = 1700000000;
	g_assert_true(store_ticket_insert(s, &t, &e));
	g_assert_no_error(e);
	return t.id;
}

static void
fx_setup(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;

	(void)data;
	fx->dir = g_dir_make_tmp("pd-link-XXXXXX", &e);
	g_assert_no_error(e);
	fx->path = g_build_filename(fx->dir, "t.db", NULL);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
}

static void
fx_teardown(struct fixture *fx, gconstpointer data)
{
	const char	*sfx[] = { "", "-wal", "-shm" };
	size_t		 i;

	(void)data;
	store_close(fx->s);
	for (i = 0; i < G_N_ELEMENTS(sfx); i++) {
		char *p = g_strconcat(fx->path, sfx[i], NULL);

		g_unlink(p);
		g_free(p);
	}
	g_rmdir(fx->dir);
	g_free(fx->path);
	g_free(fx->dir);
}

/* The ids related to ID, as "2,3". */
static char *
related(struct store *s, int64_t id)
{
	GArray	*a = NULL;
	GError	*e = NULL;
	GString	*out = g_string_new(NULL);
	guint	 i;

	g_assert_true(store_ticket_related(s, id, &a, &e));
	g_assert_no_error(e);
	for (i = 0; i < a->len; i++)
		g_string_append_printf(out, "%s%" G_GINT64_FORMAT,
		    i > 0 ? "," : "", g_array_index(a, int64_t, i));
	g_array_free(a, TRUE);
	return g_string_free(out, FALSE);
}

static enum ticket_link_verdict
apply(struct store *s, enum ticket_link_op op, int64_t a, int64_t b)
{
	enum ticket_link_verdict v = TICKET_LINK_OK;
	char	*why = NULL;
	GError	*e = NULL;

	g_assert_true(ticket_link_apply(s, op, a, b, "bo@example.com", 1,
	    &v, &why, &e));
	g_assert_no_error(e);
	g_assert_true((v == TICKET_LINK_OK) == (why == NULL));
	g_free(why);
	return v;
}

static int
count_events(struct store *s, int64_t ticket, const char *kind)
{
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	guint		 i;
	int		 n = 0;

	g_assert_true(store_events(s, ticket, &a, &e));
	for (i = 0; i < a->len; i++)
		n += g_strcmp0(((struct event *)a->pdata[i])->kind,
		    kind) == 0;
	g_ptr_array_free(a, TRUE);
	return n;
}

static void
test_apply(struct fixture *fx, gconstpointer data)
{
	int64_t	 t1 = add_ticket(fx->s, 0), t2 = add_ticket(fx->s, 0);
	int64_t	 t3 = add_ticket(fx->s, t1);	/* follows up #1 */
	char	*r;

	(void)data;
	r = related(fx->s, t1);
	g_assert_cmpstr(r, ==, "3");
	g_free(r);
	/* Named either way round, a pair is one link. */
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t2, t1), ==, TICKET_LINK_OK);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t1, t2), ==,
	    TICKET_LINK_REFUSED);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t1, t1), ==,
	    TICKET_LINK_REFUSED);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t1, 99), ==,
	    TICKET_LINK_NOTFOUND);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t3, t1), ==,
	    TICKET_LINK_REFUSED);
	r = related(fx->s, t1);
	g_assert_cmpstr(r, ==, "2,3");
	g_free(r);
	r = related(fx->s, t2);
	g_assert_cmpstr(r, ==, "1");
	g_free(r);
	g_assert_cmpint(count_events(fx->s, t1, "linked"), ==, 1);
	g_assert_cmpint(count_events(fx->s, t2, "linked"), ==, 1);
	/* The follow-up stays; the staff link goes. */
	g_assert_cmpint(apply(fx->s, TICKET_UNLINK, t1, t3), ==,
	    TICKET_LINK_REFUSED);
	g_assert_cmpint(apply(fx->s, TICKET_UNLINK, t1, t2), ==,
	    TICKET_LINK_OK);
	g_assert_cmpint(apply(fx->s, TICKET_UNLINK, t1, t2), ==,
	    TICKET_LINK_REFUSED);
	g_assert_cmpint(count_events(fx->s, t2, "unlinked"), ==, 1);
	r = related(fx->s, t2);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
}

/* A merge takes FROM's links to INTO, not INTO's link to itself. */
static void
test_merge(struct fixture *fx, gconstpointer data)
{
	int64_t	 t1 = add_ticket(fx->s, 0), t2 = add_ticket(fx->s, 0);
	int64_t	 t3 = add_ticket(fx->s, 0), t4 = add_ticket(fx->s, 0);
	GError	*e = NULL;
	char	*r;

	(void)data;
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t2, t3), ==, TICKET_LINK_OK);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t2, t1), ==, TICKET_LINK_OK);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t4, t2), ==, TICKET_LINK_OK);
	g_assert_true(store_ticket_merge(fx->s, t2, t3, &e));
	g_assert_no_error(e);
	r = related(fx->s, t3);
	g_assert_cmpstr(r, ==, "1,4");
	g_free(r);
	r = related(fx->s, t2);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
	g_assert_cmpint(apply(fx->s, TICKET_LINK, t1, t2), ==,
	    TICKET_LINK_REFUSED);
}

/* Which messages may be moved out into a new ticket, and why not. */
static void
test_split_decide(void)
{
	static const struct {
		struct split_facts	 f;
		const char		*why;	/* NULL: allowed */
	} cases[] = {
		{ { true, 4, 1, false, false, false, false, false }, NULL },
		{ { false, 0, 0, false, false, false, false, false },
		    "there is no ticket #4" },
		{ { true, 7, 1, false, false, false, false, false },
		    "merged into #7; split that one" },
		{ { true, 4, 0, false, false, false, false, false },
		    "has no message <m@x>" },
		{ { true, 4, 1, true, false, false, false, false },
		    "<m@x> opened ticket #4" },
		{ { true, 4, 1, false, true, false, false, false },
		    "our own mail" },
		{ { true, 4, 1, false, false, true, false, false },
		    "an internal note" },
		{ { true, 4, 1, false, false, false, true, false },
		    "from staff" },
		{ { true, 4, 2, false, false, false, false, true },
		    "no sender" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*why = ticket_split_decide(4, "m@x", &cases[i].f);

		if (cases[i].why == NULL)
			g_assert_null(why);
		else {
			g_assert_nonnull(why);
			g_assert_nonnull(strstr(why, cases[i].why));
		}
		g_free(why);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ticket-link/decide", test_decide);
	g_test_add_func("/ticket-split/decide", test_split_decide);
	g_test_add("/ticket-link/apply", struct fixture, NULL, fx_setup,
	    test_apply, fx_teardown);
	g_test_add("/ticket-link/merge", struct fixture, NULL, fx_setup,
	    test_merge, fx_teardown);
	return g_test_run();
}
