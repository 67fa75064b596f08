/*
 * Unit tests for policy.c: every row of the permission table of
 * postdesk-auth(5), allowed and refused.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "policy.h"

static struct policy_decision
decide(enum policy_perm p, bool staff, bool participant, bool aligned,
    bool forged, enum policy_token token)
{
	struct policy_facts f = { 0 };
	struct policy_decision d;

	f.claims_staff = staff;
	f.participant = participant;
	f.aligned_pass = aligned;
	f.forged = forged;
	f.token = token;
	policy_decide(p, &f, &d);
	g_assert_cmpstr(d.rule, ==, policy_perm_to_text(p));
	g_assert_nonnull(d.why);
	return d;
}

#define ALLOW(p, s, pa, a, f, t) \
	g_assert_true(decide((p), (s), (pa), (a), (f), (t)).allow)
#define REFUSE(p, s, pa, a, f, t) \
	g_assert_false(decide((p), (s), (pa), (a), (f), (t)).allow)

/* Staff commands and relays: staff address + (aligned pass or a staff
 * token minted for that address). */
static void
test_staff(void)
{
	enum policy_perm ps[] = { POLICY_STAFF_COMMAND, POLICY_STAFF_RELAY };
	guint	 i;

	for (i = 0; i < G_N_ELEMENTS(ps); i++) {
		enum policy_perm p = ps[i];

		ALLOW(p, true, false, true, false, POLICY_TOKEN_NONE);
		ALLOW(p, true, false, false, false, POLICY_TOKEN_STAFF);
		ALLOW(p, true, true, false, true, POLICY_TOKEN_STAFF);
		/* Attack 1: SPF pass for evil.test is no aligned pass. */
		REFUSE(p, true, true, false, false, POLICY_TOKEN_NONE);
		/* Attack 2: a customer's own token. */
		REFUSE(p, true, true, false, false, POLICY_TOKEN_CUSTOMER);
		/* A staff token forwarded, or a legacy one. */
		REFUSE(p, true, true, false, false, POLICY_TOKEN_OTHER);
		REFUSE(p, true, true, false, false, POLICY_TOKEN_LEGACY);
		REFUSE(p, true, true, false, true, POLICY_TOKEN_NONE);
		/* Not a staff address: proof of anything else is no help. */
		REFUSE(p, false, true, true, false, POLICY_TOKEN_STAFF);
		REFUSE(p, false, true, true, false, POLICY_TOKEN_NONE);
	}
	g_assert_cmpstr(decide(POLICY_STAFF_RELAY, true, true, true, false,
	    POLICY_TOKEN_NONE).rule, ==, "staff-relay");
	g_assert_cmpstr(decide(POLICY_STAFF_COMMAND, true, true, true, false,
	    POLICY_TOKEN_NONE).rule, ==, "staff-command");
}

/* Customer commands: participant + (aligned pass or her own token). */
static void
test_customer(void)
{
	enum policy_perm p = POLICY_CUSTOMER_COMMAND;

	ALLOW(p, false, true, true, false, POLICY_TOKEN_NONE);
	ALLOW(p, false, true, false, false, POLICY_TOKEN_CUSTOMER);
	ALLOW(p, false, true, false, true, POLICY_TOKEN_CUSTOMER);
	REFUSE(p, false, true, false, false, POLICY_TOKEN_NONE);
	REFUSE(p, false, true, false, false, POLICY_TOKEN_LEGACY);
	REFUSE(p, false, true, false, false, POLICY_TOKEN_OTHER);
	REFUSE(p, false, true, false, true, POLICY_TOKEN_NONE);
	REFUSE(p, false, false, true, false, POLICY_TOKEN_NONE);
	REFUSE(p, false, false, false, false, POLICY_TOKEN_OTHER);
	g_assert_cmpstr(decide(p, false, true, true, false,
	    POLICY_TOKEN_NONE).rule, ==, "customer-command");
}

/* Joining: a token minted for the sender, an authenticated staff
 * address, or a participant whose verdict is not forged. */
static void
test_join(void)
{
	enum policy_perm p = POLICY_JOIN_THREAD;

	ALLOW(p, false, false, false, false, POLICY_TOKEN_CUSTOMER);
	ALLOW(p, false, false, false, true, POLICY_TOKEN_CUSTOMER);
	ALLOW(p, true, false, false, false, POLICY_TOKEN_STAFF);
	ALLOW(p, true, false, true, false, POLICY_TOKEN_NONE);
	ALLOW(p, false, true, false, false, POLICY_TOKEN_NONE);
	ALLOW(p, false, true, true, false, POLICY_TOKEN_NONE);
	ALLOW(p, false, false, false, false, POLICY_TOKEN_LEGACY);
	/* Attack 3: a spoofed customer with a forged verdict. */
	REFUSE(p, false, true, false, true, POLICY_TOKEN_NONE);
	REFUSE(p, false, true, false, true, POLICY_TOKEN_LEGACY);
	REFUSE(p, false, true, false, true, POLICY_TOKEN_OTHER);
	/* Attack 4: a staff address without proof is checked as anyone. */
	REFUSE(p, true, false, false, false, POLICY_TOKEN_NONE);
	REFUSE(p, true, false, false, true, POLICY_TOKEN_NONE);
	ALLOW(p, true, true, false, false, POLICY_TOKEN_NONE);
	REFUSE(p, true, true, false, true, POLICY_TOKEN_NONE);
	/* Imported history: the admin vouches for staff replies. */
	{
		struct policy_facts f = { true, false, false, false,
		    POLICY_TOKEN_NONE, true, false, false };
		struct policy_decision d;

		policy_decide(p, &f, &d);
		g_assert_true(d.allow);
		f.claims_staff = false;
		policy_decide(p, &f, &d);
		g_assert_false(d.allow);
		f.claims_staff = true;
		policy_decide(POLICY_STAFF_COMMAND, &f, &d);
		g_assert_false(d.allow);
	}
	/* Strangers, and tokens minted for someone else. */
	REFUSE(p, false, false, false, false, POLICY_TOKEN_NONE);
	REFUSE(p, false, false, true, false, POLICY_TOKEN_NONE);
	REFUSE(p, false, false, false, false, POLICY_TOKEN_OTHER);
	ALLOW(p, false, true, false, false, POLICY_TOKEN_OTHER);
}

/* staff-queue: an account works its queues; a disabled one nothing,
 * and it has no staff proof either. */
static void
test_staff_queue(void)
{
	struct policy_facts f = { true, false, true, false,
	    POLICY_TOKEN_STAFF, false, false, false };
	struct policy_decision d;

	policy_decide(POLICY_STAFF_QUEUE, &f, &d);
	g_assert_true(d.allow);
	g_assert_cmpstr(d.rule, ==, "staff-queue");
	f.staff_outside_queue = true;
	policy_decide(POLICY_STAFF_QUEUE, &f, &d);
	g_assert_false(d.allow);
	g_assert_nonnull(strstr(d.why, "queue"));
	/* Outside its queue, the proof itself still holds. */
	policy_decide(POLICY_STAFF_COMMAND, &f, &d);
	g_assert_true(d.allow);
	f.staff_outside_queue = false;
	f.staff_disabled = true;
	policy_decide(POLICY_STAFF_QUEUE, &f, &d);
	g_assert_false(d.allow);
	g_assert_nonnull(strstr(d.why, "disabled"));
	/* Disabled: neither an aligned pass nor its own staff token
	 * gives authority, and a staff pass no longer joins a thread. */
	policy_decide(POLICY_STAFF_COMMAND, &f, &d);
	g_assert_false(d.allow);
	g_assert_nonnull(strstr(d.why, "disabled"));
	policy_decide(POLICY_STAFF_RELAY, &f, &d);
	g_assert_false(d.allow);
	f.token = POLICY_TOKEN_NONE;
	policy_decide(POLICY_JOIN_THREAD, &f, &d);
	g_assert_false(d.allow);
	f.staff_disabled = false;
	policy_decide(POLICY_JOIN_THREAD, &f, &d);
	g_assert_true(d.allow);
	f.claims_staff = false;
	policy_decide(POLICY_STAFF_QUEUE, &f, &d);
	g_assert_false(d.allow);
}

static void
test_text(void)
{
	struct policy_decision d = decide(POLICY_STAFF_COMMAND, true, true,
	    false, false, POLICY_TOKEN_CUSTOMER);
	enum policy_on_forged f = POLICY_FORGED__MAX;
	char	*t = policy_decision_to_text(&d);

	g_assert_true(g_str_has_prefix(t, "staff-command: refused — "));
	g_assert_nonnull(strstr(t, "customer"));
	g_free(t);
	g_assert_true(text_to_policy_on_forged(&f, "quarantine"));
	g_assert_cmpint(f, ==, POLICY_FORGED_QUARANTINE);
	g_assert_true(text_to_policy_on_forged(&f, "new-ticket"));
	g_assert_cmpint(f, ==, POLICY_FORGED_NEW_TICKET);
	g_assert_true(text_to_policy_on_forged(&f, "accept"));
	g_assert_cmpint(f, ==, POLICY_FORGED_ACCEPT);
	g_assert_false(text_to_policy_on_forged(&f, "drop"));
	g_assert_false(text_to_policy_on_forged(&f, NULL));
	g_assert_cmpstr(policy_on_forged_to_text(POLICY_FORGED_ACCEPT), ==,
	    "accept");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy/staff", test_staff);
	g_test_add_func("/policy/customer", test_customer);
	g_test_add_func("/policy/join", test_join);
	g_test_add_func("/policy/staff-queue", test_staff_queue);
	g_test_add_func("/policy/text", test_text);
	return g_test_run();
}
