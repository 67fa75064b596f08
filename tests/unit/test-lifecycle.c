/*
 * test-lifecycle: every transition, timer edge (at the boundary, one
 * second before and after), HotRush counting, rating and permission
 * rules, acknowledgement detection, queue order, SLA, and the shipped
 * vocabularies in contrib/lifecycle/.
 */
#include "pdconfig.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "lifecycle.h"
#include "lifecycle_apply.h"
#include "store.h"

#define DAY	86400
#define NOW	((int64_t)1700000000)

static struct config *
load_text(const char *text, GError **err)
{
	char	*path = NULL;
	int	 fd = g_file_open_tmp("pd-lc-XXXXXX.conf", &path, NULL);
	struct config *c = NULL;

	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	if (!config_load(&c, path, err))
		c = NULL;
	g_unlink(path);
	g_free(path);
	return c;
}

static const struct lifecycle *
def(struct config **keep)
{
	*keep = config_new_default();
	return lifecycle_for((*keep)->lifecycle, "support");
}

/* ---- transitions and permissions ------------------------------------ */

static const struct {
	const char	*from, *to;
	enum lc_role	 role;
	bool		 ok;
} transition_cases[] = {
	{ "submitted", "assigned", LC_ROLE_STAFF, true },
	{ "submitted", "assigned", LC_ROLE_SYSTEM, true },
	{ "submitted", "assigned", LC_ROLE_CUSTOMER, false },
	{ "submitted", "in-progress", LC_ROLE_STAFF, true },
	{ "submitted", "waiting-for-customer", LC_ROLE_STAFF, true },
	{ "submitted", "waiting-for-customer", LC_ROLE_SYSTEM, true },
	{ "submitted", "reopened", LC_ROLE_STAFF, false },
	{ "assigned", "in-progress", LC_ROLE_STAFF, true },
	{ "assigned", "waiting-for-customer", LC_ROLE_SYSTEM, true },
	{ "assigned", "submitted", LC_ROLE_STAFF, false },
	{ "in-progress", "waiting-for-customer", LC_ROLE_STAFF, true },
	{ "in-progress", "waiting-for-customer", LC_ROLE_CUSTOMER, false },
	{ "waiting-for-customer", "in-progress", LC_ROLE_STAFF, true },
	{ "waiting-for-customer", "in-progress", LC_ROLE_SYSTEM, true },
	{ "waiting-for-customer", "in-progress", LC_ROLE_CUSTOMER, false },
	{ "waiting-for-customer", "pre-closed", LC_ROLE_SYSTEM, true },
	{ "waiting-for-customer", "pre-closed", LC_ROLE_STAFF, true },
	{ "waiting-for-customer", "pre-closed", LC_ROLE_CUSTOMER, false },
	{ "in-progress", "pre-closed", LC_ROLE_STAFF, true },
	{ "submitted", "pre-closed", LC_ROLE_SYSTEM, false },
	{ "pre-closed", "closed", LC_ROLE_SYSTEM, true },
	{ "pre-closed", "closed", LC_ROLE_CUSTOMER, true },
	{ "pre-closed", "closed", LC_ROLE_STAFF, true },
	{ "pre-closed", "in-progress", LC_ROLE_STAFF, true },
	{ "pre-closed", "in-progress", LC_ROLE_CUSTOMER, false },
	{ "pre-closed", "reopened", LC_ROLE_SYSTEM, true },
	{ "pre-closed", "reopened", LC_ROLE_CUSTOMER, true },
	{ "in-progress", "closed", LC_ROLE_CUSTOMER, true },
	{ "submitted", "closed", LC_ROLE_CUSTOMER, true },
	{ "waiting-for-customer", "closed", LC_ROLE_STAFF, true },
	{ "closed", "reopened", LC_ROLE_CUSTOMER, true },
	{ "closed", "reopened", LC_ROLE_STAFF, true },
	{ "closed", "reopened", LC_ROLE_SYSTEM, true },
	/* the wildcard never leaves a final status */
	{ "closed", "pre-closed", LC_ROLE_STAFF, false },
	{ "closed", "in-progress", LC_ROLE_STAFF, false },
	{ "closed", "closed", LC_ROLE_STAFF, false },
	{ "reopened", "in-progress", LC_ROLE_STAFF, true },
	{ "reopened", "assigned", LC_ROLE_STAFF, true },
	{ "reopened", "assigned", LC_ROLE_CUSTOMER, false },
	{ "reopened", "waiting-for-customer", LC_ROLE_SYSTEM, true },
	{ "reopened", "pre-closed", LC_ROLE_SYSTEM, true },
	{ "in-progress", "no-such-status", LC_ROLE_STAFF, false },
	{ "in-progress", "in-progress", LC_ROLE_STAFF, false },
};

static void
test_transitions(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(transition_cases); i++) {
		const char *why = NULL;
		bool	 ok = lifecycle_can(lc, transition_cases[i].from,
		    transition_cases[i].to, transition_cases[i].role, &why);

		if (ok != transition_cases[i].ok)
			g_error("case %zu: %s → %s by %s: got %d (%s)", i,
			    transition_cases[i].from, transition_cases[i].to,
			    lifecycle_role_to_text(transition_cases[i].role),
			    ok, why);
		g_assert_nonnull(why);
	}
	config_free(c);
}

/* ---- customer messages ------------------------------------------------ */

static const struct {
	const char	*status;
	int64_t		 since;		/* seconds before NOW */
	bool		 ack;
	enum lc_effect	 effect;
	const char	*to;
} customer_cases[] = {
	{ "waiting-for-customer", 10, false, LC_EFFECT_STATUS, "in-progress" },
	{ "waiting-for-customer", 10, true, LC_EFFECT_STATUS, "in-progress" },
	{ "in-progress", 10, false, LC_EFFECT_NONE, NULL },
	{ "submitted", 10, false, LC_EFFECT_NONE, NULL },
	{ "reopened", 10, false, LC_EFFECT_NONE, NULL },
	{ "pre-closed", 10, false, LC_EFFECT_STATUS, "reopened" },
	{ "pre-closed", 10, true, LC_EFFECT_ACK, NULL },
	{ "closed", 10, false, LC_EFFECT_STATUS, "reopened" },
	{ "closed", 14 * DAY - 1, false, LC_EFFECT_STATUS, "reopened" },
	{ "closed", 14 * DAY, false, LC_EFFECT_STATUS, "reopened" },
	{ "closed", 14 * DAY + 1, false, LC_EFFECT_FOLLOW_UP, "submitted" },
	{ "closed", 90 * DAY, false, LC_EFFECT_FOLLOW_UP, "submitted" },
	{ "closed", 10, true, LC_EFFECT_ACK, NULL },
	{ "closed", 90 * DAY, true, LC_EFFECT_ACK, NULL },
};

static void
test_customer_message(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(customer_cases); i++) {
		struct lc_ticket t = { 0 };
		struct lc_verdict v;

		t.status = customer_cases[i].status;
		t.status_since = NOW - customer_cases[i].since;
		lifecycle_on_customer_message(lc, &t, NOW,
		    customer_cases[i].ack, &v);
		if (v.effect != customer_cases[i].effect ||
		    g_strcmp0(v.to, customer_cases[i].to) != 0)
			g_error("case %zu: %s since -%" G_GINT64_FORMAT
			    ": effect %d to %s (%s)", i, t.status,
			    customer_cases[i].since, v.effect,
			    v.to ? v.to : "-", v.why);
		/* Every automatic change is an allowed system transition. */
		if (v.effect == LC_EFFECT_STATUS) {
			const char *why;

			g_assert_true(lifecycle_can(lc, t.status, v.to,
			    LC_ROLE_SYSTEM, &why));
		}
	}
	config_free(c);
}

static void
test_staff_reply(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	const char *const moves[] = { "submitted", "assigned", "in-progress",
	    "reopened" };
	const char *const stays[] = { "waiting-for-customer", "pre-closed",
	    "closed" };
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(moves); i++) {
		struct lc_ticket t = { .status = moves[i] };
		struct lc_verdict v;

		lifecycle_on_staff_reply(lc, &t, &v);
		g_assert_cmpint(v.effect, ==, LC_EFFECT_STATUS);
		g_assert_cmpstr(v.to, ==, "waiting-for-customer");
	}
	for (i = 0; i < G_N_ELEMENTS(stays); i++) {
		struct lc_ticket t = { .status = stays[i] };
		struct lc_verdict v;

		lifecycle_on_staff_reply(lc, &t, &v);
		g_assert_cmpint(v.effect, ==, LC_EFFECT_NONE);
	}
	config_free(c);
}

/* ---- timers ---------------------------------------------------------- */

static const struct {
	const char	*queue, *status;
	int64_t		 since, staff, customer, last;	/* seconds ago; -1 never */
	const char	*to;				/* NULL: nothing due */
} timer_cases[] = {
	/* support: 3 d after the last staff reply */
	{ "support", "waiting-for-customer", 5 * DAY, 3 * DAY, -1, 3 * DAY,
	    "pre-closed" },
	{ "support", "waiting-for-customer", 5 * DAY, 3 * DAY - 1, -1,
	    3 * DAY - 1, NULL },
	{ "support", "waiting-for-customer", 5 * DAY, 3 * DAY + 1, -1,
	    3 * DAY + 1, "pre-closed" },
	{ "support", "in-progress", 5 * DAY, 3 * DAY, 4 * DAY, 3 * DAY,
	    "pre-closed" },
	/* the customer wrote after the staff reply: no pre-close */
	{ "support", "in-progress", 9 * DAY, 8 * DAY, 7 * DAY, 7 * DAY, NULL },
	/* nobody from staff ever replied */
	{ "support", "in-progress", 9 * DAY, -1, 9 * DAY, 9 * DAY, NULL },
	{ "support", "submitted", 9 * DAY, -1, 9 * DAY, 9 * DAY, NULL },
	{ "support", "reopened", 5 * DAY, 3 * DAY, 6 * DAY, 3 * DAY,
	    "pre-closed" },
	/* sales and project: 30 d without any message */
	{ "sales", "in-progress", 40 * DAY, 31 * DAY, 30 * DAY, 30 * DAY,
	    "pre-closed" },
	{ "sales", "in-progress", 40 * DAY, 31 * DAY, 30 * DAY - 1,
	    30 * DAY - 1, NULL },
	{ "sales", "waiting-for-customer", 40 * DAY, 30 * DAY + 1, -1,
	    30 * DAY + 1, "pre-closed" },
	{ "sales", "waiting-for-customer", 40 * DAY, 3 * DAY, -1, 3 * DAY,
	    NULL },
	{ "project", "assigned", 31 * DAY, -1, 30 * DAY, 30 * DAY,
	    "pre-closed" },
	{ "project", "assigned", 31 * DAY, -1, 30 * DAY - 1, 30 * DAY - 1,
	    NULL },
	/* close: 3 d after pre-close with no new message */
	{ "support", "pre-closed", 3 * DAY, 6 * DAY, -1, 6 * DAY, "closed" },
	{ "support", "pre-closed", 3 * DAY - 1, 6 * DAY, -1, 6 * DAY, NULL },
	{ "support", "pre-closed", 3 * DAY + 1, 6 * DAY, -1, 6 * DAY,
	    "closed" },
	/* a staff note after the pre-close restarts the clock */
	{ "support", "pre-closed", 5 * DAY, 2 * DAY, -1, 2 * DAY, NULL },
	{ "sales", "pre-closed", 3 * DAY, 40 * DAY, -1, 40 * DAY, "closed" },
	{ "support", "closed", 90 * DAY, 95 * DAY, -1, 95 * DAY, NULL },
};

static int64_t
ago(int64_t s)
{
	return s < 0 ? 0 : NOW - s;
}

static void
test_timers(void)
{
	struct config	*c = config_new_default();
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(timer_cases); i++) {
		const struct lifecycle *lc = lifecycle_for(c->lifecycle,
		    timer_cases[i].queue);
		struct lc_ticket t = { 0 };
		struct lc_verdict v;
		int64_t	 due;

		t.status = timer_cases[i].status;
		t.created = NOW - 100 * DAY;
		t.status_since = ago(timer_cases[i].since);
		t.last_staff_reply = ago(timer_cases[i].staff);
		t.last_customer = ago(timer_cases[i].customer);
		t.last_message = ago(timer_cases[i].last);
		lifecycle_due(lc, &t, NOW, &v, &due);
		if (g_strcmp0(v.to, timer_cases[i].to) != 0)
			g_error("case %zu (%s %s): got %s, due %" G_GINT64_FORMAT
			    " (now %" G_GINT64_FORMAT ")", i,
			    timer_cases[i].queue, t.status, v.to ? v.to : "-",
			    due, NOW);
		if (v.to != NULL) {
			const char *why;

			g_assert_cmpint(due, <=, NOW);
			g_assert_true(lifecycle_can(lc, t.status, v.to,
			    LC_ROLE_SYSTEM, &why));
		}
	}
	config_free(c);
}

/* ---- priority, HotRush, rating --------------------------------------- */

static void
test_priority(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	const char	*why;

	g_assert_true(lifecycle_can_set_priority(lc, "submitted",
	    LC_ROLE_CUSTOMER, &why));
	g_assert_true(lifecycle_can_set_priority(lc, "pre-closed",
	    LC_ROLE_CUSTOMER, &why));
	g_assert_false(lifecycle_can_set_priority(lc, "closed",
	    LC_ROLE_STAFF, &why));
	config_free(c);
}

static const struct {
	const char	*status;
	bool		 on;
	enum lc_role	 role;
	int64_t		 used;
	bool		 ok, counts;
} hotrush_cases[] = {
	{ "submitted", false, LC_ROLE_CUSTOMER, 0, true, false },
	{ "submitted", false, LC_ROLE_CUSTOMER, 3, true, false },
	{ "submitted", false, LC_ROLE_CUSTOMER, 99, true, false },
	{ "assigned", false, LC_ROLE_CUSTOMER, 0, true, true },
	{ "assigned", false, LC_ROLE_CUSTOMER, 2, true, true },
	{ "assigned", false, LC_ROLE_CUSTOMER, 3, false, false },
	{ "in-progress", false, LC_ROLE_CUSTOMER, 2, true, true },
	{ "in-progress", false, LC_ROLE_CUSTOMER, 3, false, false },
	{ "reopened", false, LC_ROLE_CUSTOMER, 1, true, true },
	{ "reopened", false, LC_ROLE_CUSTOMER, 4, false, false },
	{ "in-progress", false, LC_ROLE_STAFF, 3, true, false },
	{ "in-progress", true, LC_ROLE_CUSTOMER, 3, true, false },
	{ "closed", false, LC_ROLE_CUSTOMER, 0, false, false },
	{ "closed", false, LC_ROLE_STAFF, 0, false, false },
	{ "closed", true, LC_ROLE_CUSTOMER, 0, false, false },
};

static void
test_hotrush(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	size_t		 i;
	int64_t		 used = 0;
	bool		 counts;
	const char	*why;

	for (i = 0; i < G_N_ELEMENTS(hotrush_cases); i++) {
		bool ok = lifecycle_can_set_hotrush(lc,
		    hotrush_cases[i].status, hotrush_cases[i].on,
		    hotrush_cases[i].role, hotrush_cases[i].used, &counts,
		    &why);

		if (ok != hotrush_cases[i].ok ||
		    counts != hotrush_cases[i].counts)
			g_error("case %zu: ok %d counts %d (%s)", i, ok, counts,
			    why);
	}
	/* Counting: an account turns it off 3 times, the 4th is refused. */
	for (i = 0; i < 5; i++) {
		bool ok = lifecycle_can_set_hotrush(lc, "in-progress", false,
		    LC_ROLE_CUSTOMER, used, &counts, &why);

		g_assert_cmpint(ok, ==, i < 3);
		if (ok && counts)
			used++;
	}
	g_assert_cmpint(used, ==, 3);
	/* X-Cart: "for an urgent techsupport request": the built-in sales
	 * and project life cycles have hotrush = no; staff may still. */
	lc = lifecycle_for(c->lifecycle, "sales");
	g_assert_false(lifecycle_can_set_hotrush(lc, "submitted", true,
	    LC_ROLE_CUSTOMER, 0, &counts, &why));
	g_assert_nonnull(strstr(why, "technical support"));
	g_assert_false(lifecycle_can_set_hotrush(lc, "submitted", true,
	    LC_ROLE_SYSTEM, 0, &counts, &why));
	g_assert_true(lifecycle_can_set_hotrush(lc, "submitted", true,
	    LC_ROLE_STAFF, 0, &counts, &why));
	g_assert_false(lifecycle_can_set_hotrush(lifecycle_for(c->lifecycle,
	    "project"), "submitted", true, LC_ROLE_CUSTOMER, 0, &counts, &why));
	g_assert_true(lifecycle_can_set_hotrush(lifecycle_for(c->lifecycle,
	    "support"), "submitted", true, LC_ROLE_CUSTOMER, 0, &counts, &why));
	config_free(c);
}

static void
test_rating(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	const char	*why;
	int		 r;

	for (r = -1; r <= 7; r++)
		g_assert_cmpint(lifecycle_can_rate(lc, "closed", r,
		    LC_ROLE_CUSTOMER, &why), ==, r >= 1 && r <= 5);
	g_assert_false(lifecycle_can_rate(lc, "pre-closed", 5,
	    LC_ROLE_CUSTOMER, &why));
	g_assert_false(lifecycle_can_rate(lc, "in-progress", 5,
	    LC_ROLE_CUSTOMER, &why));
	g_assert_false(lifecycle_can_rate(lc, "closed", 5, LC_ROLE_STAFF,
	    &why));
	config_free(c);
}

/* ---- acknowledgements ------------------------------------------------ */

static const struct { const char *text; bool ack; } ack_cases[] = {
	{ "thanks", true },
	{ "Thanks!", true },
	{ "Thank you, that fixed it!", true },
	{ "thank you so much :)", true },
	{ "Many thanks, it works now.", true },
	{ "Thanks,\nBob", true },
	{ "Thanks!\n\nBob Smith", true },
	{ "ok, thx", true },
	{ "Danke schön!", true },
	{ "Vielen Dank, hat geklappt.", true },
	{ "Merci beaucoup !", true },
	{ "¡Muchas gracias!", true },
	{ "Muchas gracias, funciona.", true },
	{ "Thanks, but it still does not work.", false },
	{ "It still fails", false },
	{ "Please reopen, the error is back.", false },
	{ "", false },
	{ "thanks thanks thanks thanks thanks thanks thanks thanks thanks "
	    "thanks thanks thanks", false },	/* over 80 characters */
};

static void
test_ack(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(ack_cases); i++)
		if (lifecycle_is_ack(lc, ack_cases[i].text) !=
		    ack_cases[i].ack)
			g_error("case %zu: \"%s\" should %sbe an ack", i,
			    ack_cases[i].text, ack_cases[i].ack ? "" : "not ");
	config_free(c);
}

static void
test_ack_config(void)
{
	GError	*e = NULL;
	struct config *c = load_text("[lifecycle]\nack_pattern = (?:yay)+\n"
	    "ack_pattern[de] =\nack_max_length = 5\n", &e);
	const struct lifecycle *lc;

	g_assert_no_error(e);
	lc = lifecycle_for(c->lifecycle, NULL);
	g_assert_true(lifecycle_is_ack(lc, "YAY"));
	g_assert_false(lifecycle_is_ack(lc, "yayyay"));	/* > 5 chars */
	g_assert_false(lifecycle_is_ack(lc, "thanks"));	/* replaced */
	g_assert_false(lifecycle_is_ack(lc, "danke"));	/* removed */
	g_assert_true(lifecycle_is_ack(lc, "merci"));	/* kept */
	config_free(c);
	c = load_text("[lifecycle]\nack_pattern = (unclosed\n", &e);
	g_assert_null(c);
	g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_VALUE);
	g_assert_nonnull(strstr(e->message, "ack_pattern"));
	g_clear_error(&e);
}

/* ---- SLA and queue order --------------------------------------------- */

static void
test_sla(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	struct lc_ticket t = { .status = "submitted", .created = NOW,
	    .priority = 2 };	/* minor */

	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==,
	    NOW + 24 * 3600);
	g_assert_false(lifecycle_overdue(lc, &t, NOW + 24 * 3600));
	g_assert_true(lifecycle_overdue(lc, &t, NOW + 24 * 3600 + 1));
	t.hotrush = true;
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==,
	    NOW + 2 * 3600);
	g_assert_false(lifecycle_overdue(lc, &t, NOW + 2 * 3600 - 1));
	g_assert_true(lifecycle_overdue(lc, &t, NOW + 2 * 3600 + 1));
	t.first_response = NOW + 3600;
	g_assert_false(lifecycle_overdue(lc, &t, NOW + 9 * 3600));
	t.first_response = NOW + 3 * 3600;
	g_assert_true(lifecycle_overdue(lc, &t, NOW + 9 * 3600));
	t.hotrush = false;
	t.first_response = 0;
	t.priority = 0;	/* major */
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==,
	    NOW + 4 * 3600);
	t.priority = 1;	/* normal */
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==,
	    NOW + 8 * 3600);
	t.status = "closed";
	g_assert_false(lifecycle_overdue(lc, &t, NOW + 99 * DAY));
	config_free(c);
}

/* ---- SLA escalation (postdesk tick) ------------------------------ */

/* Friday 4 December 2026 17:00 UTC and what follows it. */
#define FRI17	((int64_t)1796403600)
#define SAT12	((int64_t)1796472000)
#define MON0830	((int64_t)1796632200)
#define MON11	((int64_t)1796641200)
#define MON1130	((int64_t)1796643000)

static const char escalation_conf[] =
	"[calendar.office]\n"
	"time_zone = UTC\n"
	"hours = mon-fri 08:00-18:00\n"
	"[lifecycle]\n"
	"calendar = office\n"
	"resolve_normal = 4h\n"
	"resolve_hotrush = 1h\n"
	"escalate = notify-leads; raise-priority\n"
	"[lifecycle.sales]\n"
	"calendar =\n"
	"escalate = raise-priority\n"
	"[lifecycle.project]\n"
	"escalate = none\n";

static void
test_escalation_weekend(void)
{
	GError		*e = NULL;
	struct config	*c = load_text(escalation_conf, &e);
	const struct lifecycle *lc;
	struct lc_ticket t = { .status = "submitted", .created = FRI17,
	    .first_response = FRI17 + 1800, .priority = 1 };	/* normal */
	struct lc_escalation x;

	g_assert_no_error(e);
	lc = lifecycle_for(c->lifecycle, "support");
	g_assert_cmpuint(lc->escalate, ==, LC_ESCALATE_NOTIFY_LEADS |
	    LC_ESCALATE_RAISE_PRIORITY);
	/* 1 business hour on Friday, 3 on Monday from 08:00. */
	g_assert_cmpint(lifecycle_resolution_due(lc, &t), ==, MON11);
	lifecycle_escalation(lc, &t, SAT12, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	g_assert_cmpint(x.raise_to, ==, LC_RANK_NONE);
	lifecycle_escalation(lc, &t, MON0830, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	/* At the due second it has not passed; one second after it has. */
	lifecycle_escalation(lc, &t, MON11, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	lifecycle_escalation(lc, &t, MON11 + 1, 0, &x);
	g_assert_cmpuint(x.targets, ==, LC_TARGET_RESOLUTION);
	lifecycle_escalation(lc, &t, MON1130, 0, &x);
	g_assert_cmpuint(x.targets, ==, LC_TARGET_RESOLUTION);
	g_assert_cmpint(x.resolution_due, ==, MON11);
	g_assert_true(x.notify_leads);
	g_assert_cmpint(x.raise_to, ==, 0);	/* normal → major */
	/* Once: escalated before, nothing more. */
	lifecycle_escalation(lc, &t, MON1130, LC_TARGET_RESOLUTION, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	g_assert_false(x.notify_leads);
	g_assert_cmpint(x.raise_to, ==, LC_RANK_NONE);
	/* Resolved tickets do not escalate; pre-closed counts. */
	t.status = "pre-closed";
	lifecycle_escalation(lc, &t, MON1130, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	t.status = "closed";
	lifecycle_escalation(lc, &t, MON1130, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	/* Unanswered: the first-response target (sla_normal 8h: Monday
	 * 15:00) escalates with the resolution, one bump for both. */
	t.status = "in-progress";
	t.first_response = 0;
	lifecycle_escalation(lc, &t, MON11 + 4 * 3600 + 1, 0, &x);
	g_assert_cmpuint(x.targets, ==, LC_TARGET_FIRST_RESPONSE |
	    LC_TARGET_RESOLUTION);
	g_assert_cmpint(x.first_response_due, ==, MON11 + 4 * 3600);
	g_assert_cmpint(x.raise_to, ==, 0);
	/* The highest priority is not raised above itself. */
	t.priority = 0;
	lifecycle_escalation(lc, &t, MON11 + 4 * 3600 + 1, 0, &x);
	g_assert_cmpuint(x.targets, ==, LC_TARGET_FIRST_RESPONSE);
	g_assert_cmpint(x.raise_to, ==, LC_RANK_NONE);
	/* resolve_major is not set: no resolution target for major... */
	g_assert_cmpint(lifecycle_resolution_due(lc, &t), ==, 0);
	/* ... but HotRush has its own, resolve_hotrush 1h: Friday 18:00. */
	t.hotrush = true;
	g_assert_cmpint(lifecycle_resolution_due(lc, &t), ==, FRI17 + 3600);
	config_free(c);
}

static void
test_escalation_queues(void)
{
	GError		*e = NULL;
	struct config	*c = load_text(escalation_conf, &e);
	const struct lifecycle *lc;
	struct lc_ticket t = { .status = "submitted", .created = FRI17,
	    .first_response = FRI17 + 60, .priority = 2 };	/* minor */
	struct lc_escalation x;
	struct config	*d;

	g_assert_no_error(e);
	/* Sales: no calendar (around the clock), raise-priority alone. */
	lc = lifecycle_for(c->lifecycle, "sales");
	g_assert_null(lc->calendar);
	g_assert_cmpuint(lc->escalate, ==, LC_ESCALATE_RAISE_PRIORITY);
	t.priority = 1;
	g_assert_cmpint(lifecycle_resolution_due(lc, &t), ==,
	    FRI17 + 4 * 3600);
	lifecycle_escalation(lc, &t, FRI17 + 4 * 3600 + 1, 0, &x);
	g_assert_cmpuint(x.targets, ==, LC_TARGET_RESOLUTION);
	g_assert_false(x.notify_leads);
	g_assert_cmpint(x.raise_to, ==, 0);
	/* Project: escalate = none, nothing at all. */
	lc = lifecycle_for(c->lifecycle, "project");
	g_assert_cmpuint(lc->escalate, ==, 0);
	lifecycle_escalation(lc, &t, MON1130 + 99 * DAY, 0, &x);
	g_assert_cmpuint(x.targets, ==, 0);
	config_free(c);
	/* The default: none (an upgrade mails nobody about the tickets
	 * already late), and no resolution targets. */
	lc = def(&d);
	g_assert_cmpuint(lc->escalate, ==, 0);
	g_assert_cmpint(lifecycle_resolution_due(lc, &t), ==, 0);
	config_free(d);
}

static void
test_escalate_text(void)
{
	unsigned	 b = 99;

	g_assert_true(text_to_escalate(&b, "notify-leads"));
	g_assert_cmpuint(b, ==, LC_ESCALATE_NOTIFY_LEADS);
	g_assert_true(text_to_escalate(&b, " raise-priority ;notify-leads;"));
	g_assert_cmpuint(b, ==, LC_ESCALATE_NOTIFY_LEADS |
	    LC_ESCALATE_RAISE_PRIORITY);
	g_assert_true(text_to_escalate(&b, "none"));
	g_assert_cmpuint(b, ==, 0);
	b = 99;
	g_assert_true(text_to_escalate(&b, ""));
	g_assert_cmpuint(b, ==, 0);
	g_assert_false(text_to_escalate(&b, "notify-lead"));
	g_assert_false(text_to_escalate(&b, "none; notify-leads"));
	g_assert_cmpstr(lifecycle_target_to_text(LC_TARGET_RESOLUTION), ==,
	    "resolution");
}

/* Compliance as the dashboard counts it. */
static void
test_outcome(void)
{
	GError		*e = NULL;
	struct config	*c = load_text(escalation_conf, &e);
	const struct lifecycle *lc;
	struct lc_ticket t = { .status = "submitted", .created = FRI17,
	    .priority = 1 };

	g_assert_no_error(e);
	lc = lifecycle_for(c->lifecycle, "support");
	/* First response due Monday 15:00 (8 business hours). */
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_FIRST_RESPONSE,
	    MON11), ==, LC_OUTCOME_PENDING);
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_FIRST_RESPONSE,
	    MON11 + 5 * 3600), ==, LC_OUTCOME_MISSED);
	t.first_response = MON11 + 4 * 3600;	/* exactly on time */
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_FIRST_RESPONSE,
	    MON11 + 99 * DAY), ==, LC_OUTCOME_MET);
	t.first_response = MON11 + 4 * 3600 + 1;
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_FIRST_RESPONSE,
	    MON11 + 99 * DAY), ==, LC_OUTCOME_MISSED);
	/* Resolution, due Monday 11:00: by the time it reached closed. */
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_RESOLUTION,
	    MON0830), ==, LC_OUTCOME_PENDING);
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_RESOLUTION,
	    MON1130), ==, LC_OUTCOME_MISSED);
	t.status = "closed";
	t.status_since = MON11;
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_RESOLUTION,
	    MON1130), ==, LC_OUTCOME_MET);
	t.status_since = MON1130;
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_RESOLUTION,
	    MON1130), ==, LC_OUTCOME_MISSED);
	/* Closed without a reply: its first response is not measured. */
	t.first_response = 0;
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_FIRST_RESPONSE,
	    MON1130 + 99 * DAY), ==, LC_OUTCOME_NONE);
	/* No target, nothing to measure. */
	t.priority = 0;
	g_assert_cmpint(lifecycle_outcome(lc, &t, LC_TARGET_RESOLUTION,
	    MON1130), ==, LC_OUTCOME_NONE);
	config_free(c);
}

/* A mix of N_MAJOR, N_NORMAL, N_MINOR tickets in LC. */
static struct lc_mix
mix3(const struct lifecycle *lc, int64_t maj, int64_t nor, int64_t min)
{
	struct lc_mix m = { 0, 0 };

	lifecycle_mix_add(&m, lc, 0, maj);
	lifecycle_mix_add(&m, lc, 1, nor);
	lifecycle_mix_add(&m, lc, 2, min);
	return m;
}

static void
test_queue_order(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	struct lc_mix	 all_major = mix3(lc, 10, 0, 0);
	struct lc_mix	 neutral = mix3(lc, 2, 6, 2);
	struct lc_mix	 all_minor = mix3(lc, 0, 0, 10);
	struct lc_mix	 newcomer = mix3(lc, 1, 0, 0);
	double	 e_mm, e_nn, e_nm, e_min_maj, e_min_min, e_new;

	e_mm = lifecycle_effective_priority(lc, 0, &all_major);
	e_nn = lifecycle_effective_priority(lc, 1, &neutral);
	e_nm = lifecycle_effective_priority(lc, 0, &neutral);
	e_min_maj = lifecycle_effective_priority(lc, 0, &all_minor);
	e_min_min = lifecycle_effective_priority(lc, 2, &all_minor);
	e_new = lifecycle_effective_priority(lc, 0, &newcomer);
	/* Everything major ranks like normal. */
	g_assert_cmpfloat_with_epsilon(e_mm, e_nn, 1e-9);
	g_assert_cmpfloat_with_epsilon(e_nn, 2.0, 1e-9);
	g_assert_cmpfloat(e_nm, >, e_mm);
	/* Mostly minor: the account gets higher priority. */
	g_assert_cmpfloat(e_min_maj, >, e_nm);
	g_assert_cmpfloat_with_epsilon(e_min_min, 2.0, 1e-9);
	/* A first major ticket is taken at its word. */
	g_assert_cmpfloat_with_epsilon(e_new, 3.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(lifecycle_effective_priority(lc, 1,
	    NULL), 2.0, 1e-9);
	/* HotRush first, then e, then age. */
	g_assert_cmpint(lifecycle_queue_cmp(true, 1, 500, false, 3, 1), <, 0);
	g_assert_cmpint(lifecycle_queue_cmp(false, 3, 1, true, 1, 500), >, 0);
	g_assert_cmpint(lifecycle_queue_cmp(false, 2.5, 500, false, 2, 1), <,
	    0);
	g_assert_cmpint(lifecycle_queue_cmp(false, e_mm, 2, false, e_nn, 1),
	    >, 0);
	g_assert_cmpint(lifecycle_queue_cmp(false, 2, 7, false, 2, 7), ==, 0);
	config_free(c);
}

/* ---- priorities as configuration ------------------------------------ */

static void
test_priorities_default(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	char		*list = lifecycle_priority_list(lc);

	/* The built-in three, highest first, normal by default. */
	g_assert_cmpint(lc->n_priorities, ==, 3);
	g_assert_cmpstr(list, ==, "major, normal or minor");
	g_assert_cmpstr(lifecycle_default_priority(lc), ==, "normal");
	g_assert_cmpint(lifecycle_priority_rank(lc, "MAJOR"), ==, 0);
	g_assert_cmpint(lifecycle_priority_rank(lc, "minor"), ==, 2);
	g_assert_cmpint(lifecycle_priority_rank(lc, "urgent"), ==,
	    LC_RANK_NONE);
	g_assert_cmpint(lifecycle_priority_rank(lc, NULL), ==, LC_RANK_NONE);
	/* The ends by their place, for rules shared by every list. */
	g_assert_cmpint(lifecycle_priority_rank(lc, "Highest"), ==, 0);
	g_assert_cmpint(lifecycle_priority_rank(lc, "lowest"), ==, 2);
	g_assert_null(lifecycle_priority_name(lc, 3));
	g_assert_null(lifecycle_priority_name(lc, -1));
	/* The old weights: minor 1, normal 2, major 3. */
	g_assert_cmpfloat_with_epsilon(lifecycle_priority_weight(lc, 0), 3.0,
	    1e-9);
	g_assert_cmpfloat_with_epsilon(lifecycle_priority_weight(lc, 2), 1.0,
	    1e-9);
	g_free(list);
	config_free(c);
}

static void
test_priorities_config(void)
{
	GError	*e = NULL;
	struct config *c = load_text("[lifecycle]\npriorities = Highest; "
	    "High; Medium; Low; Lowest\nsla_highest = 1h\nsla_Low = 3d\n"
	    "[lifecycle.sales]\npriorities = hot;cold\ndefault_priority = "
	    "cold\nsla_hot = 30m\n", &e);
	const struct lifecycle *lc, *sales;
	struct lc_ticket t = { .status = "submitted", .created = NOW };
	struct lc_mix	 m = { 0, 0 };
	char		*list;

	g_assert_no_error(e);
	lc = lifecycle_for(c->lifecycle, "support");
	sales = lifecycle_for(c->lifecycle, "sales");
	list = lifecycle_priority_list(lc);
	g_assert_cmpstr(list, ==, "Highest, High, Medium, Low or Lowest");
	g_free(list);
	/* No default_priority: the middle one. */
	g_assert_cmpstr(lifecycle_default_priority(lc), ==, "Medium");
	g_assert_cmpint(lifecycle_priority_rank(lc, "highest"), ==, 0);
	g_assert_cmpint(lifecycle_priority_rank(lc, "minor"), ==,
	    LC_RANK_NONE);
	g_assert_cmpint(lifecycle_priority_rank(sales, "highest"), ==, 0);
	g_assert_cmpint(lifecycle_priority_rank(sales, "LOWEST"), ==, 1);
	/* sla_<name>, any case; the built-in sla_minor... are moot. */
	t.priority = 0;
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==, NOW + 3600);
	t.priority = 3;
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==,
	    NOW + 3 * DAY);
	t.priority = 2;
	g_assert_cmpint(lifecycle_first_response_due(lc, &t), ==, 0);
	g_assert_cmpstr(lifecycle_default_priority(sales), ==, "cold");
	t.priority = 0;
	g_assert_cmpint(lifecycle_first_response_due(sales, &t), ==,
	    NOW + 1800);
	/* Five weights from 3 to 1; two: 3 and 1. */
	g_assert_cmpfloat_with_epsilon(lifecycle_priority_weight(lc, 1), 2.5,
	    1e-9);
	g_assert_cmpfloat_with_epsilon(lifecycle_priority_weight(lc, 4), 1.0,
	    1e-9);
	g_assert_cmpfloat_with_epsilon(lifecycle_priority_weight(sales, 1),
	    1.0, 1e-9);
	/* The mix weighs each ticket in its own queue's list: an account
	 * with one Highest support ticket and two hot sales tickets marks
	 * everything highest, so its Highest ranks like Medium. */
	lifecycle_mix_add(&m, lc, 0, 1);
	lifecycle_mix_add(&m, sales, 0, 2);
	g_assert_cmpfloat_with_epsilon(lifecycle_account_mix(&m), 3.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(lifecycle_effective_priority(lc, 0,
	    &m), lifecycle_effective_priority(lc, 2, NULL), 1e-9);
	config_free(c);
}

/* XCALLY: "Highest only if your services are down" — staff and the
 * rules judge that, the customer's own command does not. */
static void
test_staff_priorities(void)
{
	GError	*e = NULL;
	struct config *c = load_text("[lifecycle]\npriorities = Highest; "
	    "High; Medium; Low; Lowest\nstaff_priorities = highest\n", &e);
	const struct lifecycle *lc;

	g_assert_no_error(e);
	lc = lifecycle_for(c->lifecycle, NULL);
	g_assert_false(lifecycle_can_choose_priority(lc, 0, LC_ROLE_CUSTOMER));
	g_assert_true(lifecycle_can_choose_priority(lc, 0, LC_ROLE_STAFF));
	g_assert_true(lifecycle_can_choose_priority(lc, 0, LC_ROLE_SYSTEM));
	g_assert_true(lifecycle_can_choose_priority(lc, 1, LC_ROLE_CUSTOMER));
	config_free(c);
	/* Unset: every priority is hers to choose. */
	c = load_text("[lifecycle]\npriorities = Highest;Low\n", &e);
	g_assert_no_error(e);
	g_assert_true(lifecycle_can_choose_priority(lifecycle_for(
	    c->lifecycle, NULL), 0, LC_ROLE_CUSTOMER));
	config_free(c);
}

static void
test_priorities_bad(void)
{
	static const struct { const char *text, *at; } cases[] = {
		{ "[lifecycle]\npriorities =\n", "at least one" },
		{ "[lifecycle]\npriorities = a;b;A\n", "twice" },
		{ "[lifecycle]\npriorities = very high;low\n", "a word" },
		{ "[lifecycle]\npriorities = hotrush;low\n", "a word" },
		{ "[lifecycle]\npriorities = a;b\ndefault_priority = c\n",
		    "default_priority" },
		{ "[lifecycle]\npriorities = a;b\nsla_c = 1h\n", "sla_c" },
		{ "[lifecycle]\nsla_urgent = 1h\n", "\"urgent\" is not in" },
		{ "[lifecycle]\nsla_major = soon\n", "sla_major" },
		{ "[lifecycle]\nrating_statuses = gone\n", "rating_statuses" },
		{ "[lifecycle]\nrating_request = ../x\n", "rating_request" },
		{ "[lifecycle]\nstaff_priorities = urgent\n",
		    "staff_priorities" },
		{ "[lifecycle.sales]\nhotrush = maybe\n", "hotrush" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError	*e = NULL;
		struct config *c = load_text(cases[i].text, &e);

		if (c != NULL)
			g_error("case %zu loaded", i);
		g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_VALUE);
		if (strstr(e->message, cases[i].at) == NULL)
			g_error("case %zu: \"%s\" lacks \"%s\"", i,
			    e->message, cases[i].at);
		g_error_free(e);
	}
}

/* ---- rating as configuration ---------------------------------------- */

static void
test_rating_config(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	const char	*why;

	/* Default: the final statuses, no separate request. */
	g_assert_true(lifecycle_is_rating_status(lc, "closed"));
	g_assert_false(lifecycle_is_rating_status(lc, "pre-closed"));
	g_assert_false(lifecycle_can_rate(lc, "pre-closed", 5,
	    LC_ROLE_CUSTOMER, &why));
	g_assert_cmpstr(why, ==, "only a closed ticket can be rated");
	g_assert_null(lifecycle_rating_request(lc, "pre-closed", "closed",
	    false));
	config_free(c);
}

/* ---- command before effect, for every shipped vocabulary ------------ */

/*
 * A customer writes "Status: CMD" and a real (not "thanks") text to a
 * ticket in FROM: when the command is allowed it decides, and the
 * message's own effect (reopen, back to Open) does not come first.
 */
static void
command_first(const struct lifecycle *lc, const char *from,
    const char *cmd, bool decides, const char *effect_to)
{
	struct lc_ticket t = { .status = from, .status_since = NOW - 60 };
	struct lc_verdict v;
	bool		 d;

	lifecycle_on_customer_command(lc, &t, NOW, false, cmd, &d, &v);
	if (d != decides)
		g_error("%s + Status: %s: decides %d", from, cmd, d);
	if (decides)
		g_assert_cmpint(v.effect, ==, LC_EFFECT_NONE);
	else
		g_assert_cmpstr(v.to, ==, effect_to);
}

static void
test_command_first(void)
{
	struct config	*c;
	const struct lifecycle *lc = def(&c);
	struct lc_ticket t = { .status = "closed",
	    .status_since = NOW - 30 * DAY };
	struct lc_verdict v;
	bool		 d;

	/* Built-in vocabulary. */
	command_first(lc, "pre-closed", "closed", true, NULL);
	command_first(lc, "pre-closed", "CLOSED", true, NULL);
	command_first(lc, "waiting-for-customer", "closed", true, NULL);
	command_first(lc, "closed", "reopened", true, NULL);
	/* Not hers to make: refused first, then the message's effect. */
	command_first(lc, "pre-closed", "in-progress", false, "reopened");
	command_first(lc, "waiting-for-customer", "assigned", false,
	    "in-progress");
	/* No command: just the effect. */
	command_first(lc, "pre-closed", NULL, false, "reopened");
	/* Closed beyond the window: a follow-up, whatever she asks. */
	lifecycle_on_customer_command(lc, &t, NOW, false, "reopened", &d, &v);
	g_assert_false(d);
	g_assert_cmpint(v.effect, ==, LC_EFFECT_FOLLOW_UP);
	config_free(c);
}

/* ---- configuration --------------------------------------------------- */

static void
test_durations(void)
{
	int64_t	 d;

	g_assert_true(text_to_duration(&d, "3d") && d == 3 * DAY);
	g_assert_true(text_to_duration(&d, "12h") && d == 12 * 3600);
	g_assert_true(text_to_duration(&d, "90m") && d == 90 * 60);
	g_assert_true(text_to_duration(&d, "45s") && d == 45);
	g_assert_true(text_to_duration(&d, "7") && d == 7);
	g_assert_false(text_to_duration(&d, "3 days"));
	g_assert_false(text_to_duration(&d, "-1d"));
	g_assert_false(text_to_duration(&d, ""));
	g_assert_false(text_to_duration(&d, "99999999999999999999d"));
}

static void
test_queue_override(void)
{
	GError	*e = NULL;
	struct config *c = load_text("[lifecycle]\nreopen_window = 7d\n"
	    "[lifecycle.sales]\npreclose_after = 14d\n"
	    "[lifecycle.billing]\nclose_after = 1h\n", &e);
	const struct lifecycle *sup, *sal, *bil, *prj;

	g_assert_no_error(e);
	sup = lifecycle_for(c->lifecycle, "support");
	sal = lifecycle_for(c->lifecycle, "sales");
	bil = lifecycle_for(c->lifecycle, "billing");
	prj = lifecycle_for(c->lifecycle, "project");
	g_assert_cmpint(sup->preclose_after, ==, 3 * DAY);
	g_assert_cmpint(sup->reopen_window, ==, 7 * DAY);
	g_assert_cmpint(sal->preclose_after, ==, 14 * DAY);
	g_assert_cmpint(sal->preclose_basis, ==, LC_BASIS_LAST_MESSAGE);
	g_assert_cmpint(sal->reopen_window, ==, 7 * DAY);
	g_assert_cmpint(bil->close_after, ==, 3600);
	g_assert_cmpint(bil->preclose_after, ==, 3 * DAY);
	g_assert_cmpint(prj->preclose_after, ==, 30 * DAY);
	config_free(c);
}

/* Each bad config, a word its message must contain, and the line it
 * must name as FILE:LINE (the key's, or its group's header). */
static const struct {
	const char	*text, *needle;
	unsigned	 line;
} bad_configs[] = {
	{ "[lifecycle]\ntransitions = submitted>nowhere\n", "nowhere", 2 },
	{ "[lifecycle]\ntransitions = submitted-closed\n", "FROM>TO", 2 },
	{ "[lifecycle]\ntransitions = a>b:boss\n", "roles", 2 },
	{ "[lifecycle]\nclose_after = soon\n", "close_after", 2 },
	{ "[lifecycle]\npreclose_basis = moon\n", "preclose_basis", 2 },
	{ "[lifecycle]\ninitial = open\n", "initial", 2 },
	{ "[lifecycle]\nstatuses = a;b\n", "initial", 1 },
	{ "[lifecycle.sales]\nfinal = submitted\n", "final", 2 },
	{ "[lifecycle]\nno_such_key = 1\n", "unknown key", 2 },
	{ "[lifecycle.sales]\nno_such_key = 1\n", "unknown key", 2 },
	{ "[intake]\nunknown_sender = maybe\n", "unknown_sender", 2 },
	{ "[mail]\naddress = a@b.example\n\n[lifecycle]\n"
	    "preclose_after = 3d\n# timers\nclose_after = 3d\n"
	    "reopen_window = whenever\n", "reopen_window", 8 },
	{ "[lifecycle]\nsla_major = 4h\n[lifecycle.sales]\n\n"
	    "sla_minor = 1 week\n", "[lifecycle.sales] sla_minor", 5 },
	{ "[lifecycle]\nescalate = notify-leads; page-the-ceo\n",
	    "[lifecycle] escalate: \"notify-leads; page-the-ceo\"", 2 },
	{ "[lifecycle]\nescalate = none; raise-priority\n", "escalate", 2 },
	{ "[lifecycle]\n\n[lifecycle.sales]\nresolve_urgent = 1h\n",
	    "[lifecycle.sales] resolve_urgent: \"urgent\" is not in", 4 },
	{ "[lifecycle]\nresolve_major = soon\n", "resolve_major", 2 },
	{ "[lifecycle]\nresolve_hotrush = 1 hour\n", "resolve_hotrush", 2 },
	{ "[lifecycle]\nhotrush_off_limit = 3\n\n[lifecycle.project]\n"
	    "ack_pattern[de] = (unclosed\n", "ack_pattern[de]", 5 },
	/* A queue inherits [lifecycle]'s transitions, whose line is named. */
	{ "[lifecycle]\nstatuses = submitted;assigned;in-progress;"
	    "waiting-for-customer;pre-closed;closed;reopened;special\n"
	    "transitions = submitted>special\n[lifecycle.sales]\n"
	    "statuses = submitted;assigned;in-progress;waiting-for-customer;"
	    "pre-closed;closed;reopened\n", "[lifecycle.sales] transitions: "
	    "\"special\"", 3 },
};

static void
test_bad_configs(void)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(bad_configs); i++) {
		GError	*e = NULL;
		struct config *c = load_text(bad_configs[i].text, &e);
		char	*at;

		if (c != NULL)
			g_error("case %zu loaded: %s", i, bad_configs[i].text);
		g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_VALUE);
		if (strstr(e->message, bad_configs[i].needle) == NULL)
			g_error("case %zu: \"%s\" lacks \"%s\"", i, e->message,
			    bad_configs[i].needle);
		/* FILE:LINE: as every config error (load_text's file). */
		at = g_strdup_printf(".conf:%u: ", bad_configs[i].line);
		if (strstr(e->message, at) == NULL)
			g_error("case %zu: \"%s\" lacks \"%s\"", i, e->message,
			    at);
		g_free(at);
		g_error_free(e);
	}
}

static struct config *
load_contrib(const char *name)
{
	const char *top = g_getenv("top_srcdir");
	char	*path = g_build_filename(top ? top : ".", "contrib",
	    "lifecycle", name, NULL);
	struct config *c = NULL;
	GError	*e = NULL;

	if (!config_load(&c, path, &e))
		g_error("%s: %s", path, e->message);
	g_free(path);
	return c;
}

static void
test_contrib_solved(void)
{
	struct config *c = load_contrib("solved.conf");
	const struct lifecycle *lc = lifecycle_for(c->lifecycle, "support");
	struct lc_ticket t = { 0 };
	struct lc_verdict v;
	const char	*why;
	int64_t		 due;

	g_assert_cmpstr(lc->initial, ==, "Open");
	g_assert_true(lifecycle_can(lc, "Open", "Solved", LC_ROLE_CUSTOMER,
	    &why));
	g_assert_false(lifecycle_can(lc, "Solved", "Closed",
	    LC_ROLE_CUSTOMER, &why));
	t.status = "Waiting for your reply";
	lifecycle_on_customer_message(lc, &t, NOW, false, &v);
	g_assert_cmpstr(v.to, ==, "Open");
	t.status = "Open";
	lifecycle_on_staff_reply(lc, &t, &v);
	g_assert_cmpstr(v.to, ==, "Waiting for your reply");
	/* no automatic solving */
	t.status = "Waiting for your reply";
	t.last_staff_reply = t.last_message = NOW - 99 * DAY;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_cmpint(v.effect, ==, LC_EFFECT_NONE);
	/* Solved closes after 14 days, exactly at the boundary */
	t.status = "Solved";
	t.status_since = NOW - 14 * DAY;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_cmpstr(v.to, ==, "Closed");
	lifecycle_due(lc, &t, NOW - 1, &v, &due);
	g_assert_null(v.to);
	/* a reply to Solved reopens; to Closed it opens a follow-up */
	lifecycle_on_customer_message(lc, &t, NOW, false, &v);
	g_assert_cmpstr(v.to, ==, "Open");
	t.status = "Closed";
	t.status_since = NOW - 1;
	lifecycle_on_customer_message(lc, &t, NOW, false, &v);
	g_assert_cmpint(v.effect, ==, LC_EFFECT_FOLLOW_UP);
	/* Xentral rates right after Solved; the request comes then. */
	g_assert_true(lifecycle_can_rate(lc, "Solved", 5, LC_ROLE_CUSTOMER,
	    &why));
	g_assert_true(lifecycle_can_rate(lc, "Closed", 5, LC_ROLE_CUSTOMER,
	    &why));
	g_assert_false(lifecycle_can_rate(lc, "Open", 5, LC_ROLE_CUSTOMER,
	    &why));
	g_assert_cmpstr(why, ==, "only a Solved or Closed ticket can be rated");
	g_assert_cmpstr(lifecycle_rating_request(lc, "Open", "Solved", false),
	    ==, "rating-request");
	g_assert_cmpstr(lifecycle_rating_request(lc, "Waiting for your reply",
	    "Solved", false), ==, "rating-request");
	g_assert_null(lifecycle_rating_request(lc, "Open", "Solved", true));
	g_assert_null(lifecycle_rating_request(lc, "Solved", "Closed", false));
	/* Command before effect. */
	command_first(lc, "Waiting for your reply", "solved", true, NULL);
	command_first(lc, "Open", "Solved", true, NULL);
	command_first(lc, "Solved", "Open", true, NULL);
	command_first(lc, "Solved", "Closed", false, "Open");
	command_first(lc, "Waiting for your reply", "Closed", false, "Open");
	/* The default priorities, unchanged. */
	g_assert_cmpstr(lifecycle_default_priority(lc), ==, "normal");
	config_free(c);
}

/* preclose_after[ATTR]: the requester's organization picks the period;
 * built in and in contrib/lifecycle/x-cart.conf alike (X-Cart: sales of
 * pre-sales accounts after 14 days, others after 30). */
static void
check_presales(const struct lifecycle *lc)
{
	const char *const presales[] = { "presales=yes", "tier=gold", NULL };
	const char *const not_set[] = { "presales=no", NULL };
	const char *const other[] = { "tier=gold", NULL };
	struct lc_ticket t = { 0 };
	struct lc_verdict v;
	int64_t	 due;

	t.status = "in-progress";
	t.created = t.last_message = NOW - 14 * DAY;
	t.org_attrs = presales;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_cmpstr(v.to, ==, "pre-closed");
	g_assert_cmpint(due, ==, NOW);
	lifecycle_due(lc, &t, NOW - 1, &v, &due);
	g_assert_null(v.to);
	t.org_attrs = not_set;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_null(v.to);
	g_assert_cmpint(due, ==, NOW + 16 * DAY);
	t.org_attrs = other;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_null(v.to);
	t.org_attrs = NULL;
	lifecycle_due(lc, &t, NOW + 16 * DAY, &v, &due);
	g_assert_cmpstr(v.to, ==, "pre-closed");
}

static void
test_attr_timers(void)
{
	struct config *c = load_contrib("x-cart.conf");
	const char *const gold[] = { "GOLD=yes", "presales=yes", NULL };
	const char *const silver[] = { "gold=no", "presales=yes", NULL };
	struct lc_ticket t = { 0 };
	const struct lc_attr_timer *by;
	GError	*e = NULL;

	check_presales(lifecycle_for(c->lifecycle, "sales"));
	config_free(c);
	c = config_new_default();
	check_presales(lifecycle_for(c->lifecycle, "sales"));
	/* Support is not touched by the sales rule. */
	t.org_attrs = silver;
	g_assert_cmpint(lifecycle_preclose_after(lifecycle_for(c->lifecycle,
	    "support"), &t, &by), ==, 3 * DAY);
	g_assert_null(by);
	config_free(c);
	/* The first key by name wins; attribute names in any case. */
	c = load_text("[lifecycle.sales]\npreclose_after[gold] = 7d\n"
	    "preclose_after[presales] = 14d\n", &e);
	g_assert_no_error(e);
	t.org_attrs = gold;
	g_assert_cmpint(lifecycle_preclose_after(lifecycle_for(c->lifecycle,
	    "sales"), &t, &by), ==, 7 * DAY);
	g_assert_cmpstr(by->attr, ==, "gold");
	t.org_attrs = silver;
	g_assert_cmpint(lifecycle_preclose_after(lifecycle_for(c->lifecycle,
	    "sales"), &t, &by), ==, 14 * DAY);
	config_free(c);
	c = load_text("[lifecycle.sales]\npreclose_after[presales] = soon\n",
	    &e);
	g_assert_null(c);
	g_assert_nonnull(strstr(e->message, "preclose_after[presales]"));
	g_clear_error(&e);
	c = load_text("[lifecycle.sales]\npreclose_after[] = 3d\n", &e);
	g_assert_null(c);
	g_clear_error(&e);
	g_assert_true(lifecycle_attr_is_set("yes"));
	g_assert_true(lifecycle_attr_is_set("1"));
	g_assert_false(lifecycle_attr_is_set("No"));
	g_assert_false(lifecycle_attr_is_set("off"));
	g_assert_false(lifecycle_attr_is_set(""));
}

static void
test_contrib_escalation(void)
{
	struct config *c = load_contrib("escalation.conf");
	const struct lifecycle *lc = lifecycle_for(c->lifecycle, "support");
	struct lc_ticket t = { 0 };
	struct lc_verdict v;
	const char	*why;
	int64_t		 due;

	g_assert_cmpint(g_strv_length(lc->statuses), ==, 8);
	g_assert_true(lifecycle_can(lc, "In progress", "Escalated",
	    LC_ROLE_STAFF, &why));
	g_assert_true(lifecycle_can(lc, "Escalated", "Under Development",
	    LC_ROLE_STAFF, &why));
	g_assert_false(lifecycle_can(lc, "Escalated", "Under Development",
	    LC_ROLE_CUSTOMER, &why));
	g_assert_true(lifecycle_can(lc, "Resolved", "Closed",
	    LC_ROLE_CUSTOMER, &why));
	t.status = "Waiting for customer";
	t.last_staff_reply = t.last_message = NOW - 7 * DAY;
	lifecycle_due(lc, &t, NOW, &v, &due);
	g_assert_cmpstr(v.to, ==, "Resolved");
	lifecycle_due(lc, &t, NOW - 1, &v, &due);
	g_assert_null(v.to);
	t.status = "Closed";
	t.status_since = NOW - 14 * DAY;
	lifecycle_on_customer_message(lc, &t, NOW, false, &v);
	g_assert_cmpstr(v.to, ==, "Waiting for Support");
	lifecycle_on_customer_message(lc, &t, NOW + 1, false, &v);
	g_assert_cmpint(v.effect, ==, LC_EFFECT_FOLLOW_UP);
	g_assert_cmpint(lifecycle_for(c->lifecycle, "sales")->preclose_after,
	    ==, 30 * DAY);
	/* XCALLY's five priorities, Medium by default, in every queue. */
	g_assert_cmpint(lc->n_priorities, ==, 5);
	g_assert_cmpstr(lifecycle_priority_name(lc, 0), ==, "Highest");
	g_assert_cmpstr(lifecycle_priority_name(lc, 4), ==, "Lowest");
	g_assert_cmpstr(lifecycle_default_priority(lc), ==, "Medium");
	g_assert_cmpstr(lifecycle_default_priority(lifecycle_for(c->lifecycle,
	    "sales")), ==, "Medium");
	/* Rated once Closed, not when Resolved; no separate request. */
	g_assert_true(lifecycle_can_rate(lc, "Closed", 4, LC_ROLE_CUSTOMER,
	    &why));
	g_assert_false(lifecycle_can_rate(lc, "Resolved", 4,
	    LC_ROLE_CUSTOMER, &why));
	g_assert_null(lifecycle_rating_request(lc, "Resolved", "Closed",
	    false));
	/* The customer confirms Resolved → Closed: her command first. */
	command_first(lc, "Resolved", "Closed", true, NULL);
	command_first(lc, "Resolved", "closed", true, NULL);
	command_first(lc, "Resolved", "Escalated", false,
	    "Waiting for Support");
	command_first(lc, "Waiting for customer", "Closed", false,
	    "In progress");
	config_free(c);
}

/* lifecycle_apply_command() on a real store: owner names, ratings with
 * who gave them, and which roles may use the staff-only commands. */
static bool
apply(struct store *s, const struct config *c, enum lc_command cmd,
    const char *value, enum lc_role role, char **why)
{
	GError	*e = NULL;
	bool	 applied = false;

	g_free(*why);
	*why = NULL;
	g_assert_true(lifecycle_apply_command(s, c, 1, cmd, value, role,
	    "tester", 0, NOW, &applied, why, &e));
	g_assert_no_error(e);
	return applied;
}

static void
test_apply(void)
{
	struct config	*c;
	struct store	*s;
	struct ticket	 t = { 0 }, *g = NULL;
	struct rating	*r = NULL;
	GError		*e = NULL;
	char		*dir, *path, *why = NULL;

	c = load_text("[staff]\naddresses = bob@staff.example; "
	    "bobby@staff.example; carl@staff.example\n", &e);
	g_assert_no_error(e);
	dir = g_dir_make_tmp("pd-lc-XXXXXX", &e);
	g_assert_no_error(e);
	path = g_build_filename(dir, "pd.db", NULL);
	g_assert_true(store_open(&s, path, STORE_READWRITE, &e));
	t.subject = "x";
	t.requester = "alice@shop.example";
	t.created = NOW;
	g_assert_true(store_ticket_insert(s, &t, &e));
	g_assert_cmpint(t.id, ==, 1);

	/* A local part names the one staff address it belongs to. */
	g_assert_true(apply(s, c, LC_CMD_OWNER, "carl", LC_ROLE_STAFF, &why));
	g_assert_true(store_ticket_get(s, 1, &g, &e));
	g_assert_cmpstr(g->owner, ==, "carl@staff.example");
	g_assert_cmpstr(g->status, ==, "assigned");
	ticket_free(g);
	g_assert_false(apply(s, c, LC_CMD_OWNER, "carl@staff.example",
	    LC_ROLE_STAFF, &why));
	g_assert_nonnull(strstr(why, "already has that owner"));
	g_assert_false(apply(s, c, LC_CMD_OWNER, "mallory", LC_ROLE_STAFF,
	    &why));
	g_assert_nonnull(strstr(why, "not a staff member"));
	g_assert_true(apply(s, c, LC_CMD_OWNER, "bob", LC_ROLE_STAFF, &why));
	g_assert_true(store_ticket_get(s, 1, &g, &e));
	g_assert_cmpstr(g->owner, ==, "bob@staff.example");
	ticket_free(g);
	g_assert_true(apply(s, c, LC_CMD_OWNER, "none", LC_ROLE_STAFF, &why));
	g_assert_true(store_ticket_get(s, 1, &g, &e));
	g_assert_null(g->owner);
	ticket_free(g);
	g_assert_false(apply(s, c, LC_CMD_OWNER, "carl", LC_ROLE_CUSTOMER,
	    &why));

	/* The rules (system) may set what customers may not. */
	g_assert_true(apply(s, c, LC_CMD_QUEUE, "sales", LC_ROLE_SYSTEM,
	    &why));
	g_assert_false(apply(s, c, LC_CMD_QUEUE, "sales", LC_ROLE_SYSTEM,
	    &why));
	g_assert_nonnull(strstr(why, "already in that queue"));

	/* Rating: only closed, and who gave it is kept. */
	g_assert_false(apply(s, c, LC_CMD_RATING, "5 great", LC_ROLE_CUSTOMER,
	    &why));
	g_assert_nonnull(strstr(why, "only a closed ticket"));
	g_assert_true(store_rating_get(s, 1, &r, &e));
	g_assert_null(r);
	g_assert_true(apply(s, c, LC_CMD_STATUS, "closed", LC_ROLE_STAFF,
	    &why));
	g_assert_true(apply(s, c, LC_CMD_RATING, "4 quick\nand kind",
	    LC_ROLE_CUSTOMER, &why));
	g_assert_true(store_rating_get(s, 1, &r, &e));
	g_assert_nonnull(r);
	g_assert_cmpint(r->rating, ==, 4);
	g_assert_cmpstr(r->comment, ==, "quick\nand kind");
	g_assert_cmpstr(r->rated_by, ==, "tester");
	g_assert_cmpint(r->at, ==, NOW);
	rating_free(r);
	g_assert_false(apply(s, c, LC_CMD_PRIORITY, "major", LC_ROLE_SYSTEM,
	    &why));
	g_assert_nonnull(strstr(why, "closed ticket cannot change"));

	g_free(why);
	store_close(s);
	config_free(c);
	g_unlink(path);
	{
		char *wal = g_strconcat(path, "-wal", NULL);
		char *shm = g_strconcat(path, "-shm", NULL);

		g_unlink(wal);
		g_unlink(shm);
		g_free(wal);
		g_free(shm);
	}
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lifecycle/transitions", test_transitions);
	g_test_add_func("/lifecycle/apply", test_apply);
	g_test_add_func("/lifecycle/customer-message", test_customer_message);
	g_test_add_func("/lifecycle/staff-reply", test_staff_reply);
	g_test_add_func("/lifecycle/timers", test_timers);
	g_test_add_func("/lifecycle/attr-timers", test_attr_timers);
	g_test_add_func("/lifecycle/priority", test_priority);
	g_test_add_func("/lifecycle/hotrush", test_hotrush);
	g_test_add_func("/lifecycle/rating", test_rating);
	g_test_add_func("/lifecycle/ack", test_ack);
	g_test_add_func("/lifecycle/ack-config", test_ack_config);
	g_test_add_func("/lifecycle/sla", test_sla);
	g_test_add_func("/lifecycle/escalation-weekend",
	    test_escalation_weekend);
	g_test_add_func("/lifecycle/escalation-queues",
	    test_escalation_queues);
	g_test_add_func("/lifecycle/escalate-text", test_escalate_text);
	g_test_add_func("/lifecycle/outcome", test_outcome);
	g_test_add_func("/lifecycle/queue-order", test_queue_order);
	g_test_add_func("/lifecycle/priorities-default",
	    test_priorities_default);
	g_test_add_func("/lifecycle/priorities-config",
	    test_priorities_config);
	g_test_add_func("/lifecycle/staff-priorities", test_staff_priorities);
	g_test_add_func("/lifecycle/priorities-bad", test_priorities_bad);
	g_test_add_func("/lifecycle/rating-config", test_rating_config);
	g_test_add_func("/lifecycle/command-first", test_command_first);
	g_test_add_func("/lifecycle/durations", test_durations);
	g_test_add_func("/lifecycle/queue-override", test_queue_override);
	g_test_add_func("/lifecycle/bad-configs", test_bad_configs);
	g_test_add_func("/lifecycle/contrib-solved", test_contrib_solved);
	g_test_add_func("/lifecycle/contrib-escalation",
	    test_contrib_escalation);
	return g_test_run();
}
