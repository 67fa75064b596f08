/*
 * Unit tests for policy.c: every row of the permission table of
 * postdesk-auth(5), allowed and refused.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "policy.h"
#include "roles.h"

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
		struct policy_facts f = { .claims_staff = true,
		    .token = POLICY_TOKEN_NONE, .imported = true };
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
	struct policy_facts f = { .claims_staff = true,
	    .aligned_pass = true, .token = POLICY_TOKEN_STAFF };
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

/* A member's facts: role rights R, proof as given. */
static struct policy_decision
member_decide(enum policy_perm p, bool member, unsigned rights,
    bool aligned, bool forged, enum policy_token token)
{
	struct policy_facts f = { 0 };
	struct policy_decision d;

	f.member = member;
	f.rights = rights;
	f.aligned_pass = aligned;
	f.forged = forged;
	f.token = token;
	f.participant = true;
	policy_decide(p, &f, &d);
	g_assert_cmpstr(d.rule, ==, policy_perm_to_text(p));
	g_assert_nonnull(d.why);
	return d;
}

#define R(r)	(1u << (r))

/* create, comment, rate, view: the role's rights; no organization, no
 * limit. */
static void
test_rights(void)
{
	static const struct {
		enum policy_perm perm;
		enum policy_right right;
	} rows[] = {
		{ POLICY_CREATE, POLICY_RIGHT_CREATE },
		{ POLICY_COMMENT, POLICY_RIGHT_COMMENT },
		{ POLICY_RATE, POLICY_RIGHT_RATE },
		{ POLICY_VIEW, POLICY_RIGHT_VIEW },
	};
	guint	 i;

	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		enum policy_perm p = rows[i].perm;

		g_assert_true(member_decide(p, true, R(rows[i].right), false,
		    false, POLICY_TOKEN_NONE).allow);
		g_assert_true(member_decide(p, true, POLICY_RIGHTS_ALL, true,
		    false, POLICY_TOKEN_NONE).allow);
		/* Every other right, but not this one. */
		g_assert_false(member_decide(p, true, POLICY_RIGHTS_ALL &
		    ~R(rows[i].right), true, false, POLICY_TOKEN_NONE).allow);
		g_assert_false(member_decide(p, true, 0, true, false,
		    POLICY_TOKEN_CUSTOMER).allow);
		/* Not in an organization: roles do not limit her. */
		g_assert_true(member_decide(p, false, 0, false, false,
		    POLICY_TOKEN_NONE).allow);
	}
}

/* manage-members: the right, and proof of who she is. */
static void
test_manage_members(void)
{
	enum policy_perm p = POLICY_MANAGE_MEMBERS;
	unsigned mm = R(POLICY_RIGHT_MANAGE_MEMBERS);

	g_assert_true(member_decide(p, true, mm, true, false,
	    POLICY_TOKEN_NONE).allow);
	g_assert_true(member_decide(p, true, mm, false, false,
	    POLICY_TOKEN_CUSTOMER).allow);
	/* Unverified: From: alone, a legacy or someone else's token. */
	g_assert_false(member_decide(p, true, mm, false, false,
	    POLICY_TOKEN_NONE).allow);
	g_assert_false(member_decide(p, true, mm, false, false,
	    POLICY_TOKEN_LEGACY).allow);
	g_assert_false(member_decide(p, true, mm, false, false,
	    POLICY_TOKEN_OTHER).allow);
	/* Forged, even with a token. */
	g_assert_false(member_decide(p, true, mm, false, true,
	    POLICY_TOKEN_CUSTOMER).allow);
	/* Verified, but the role lacks the right, or no organization. */
	g_assert_false(member_decide(p, true, POLICY_RIGHTS_ALL & ~mm, true,
	    false, POLICY_TOKEN_NONE).allow);
	g_assert_false(member_decide(p, false, POLICY_RIGHTS_ALL, true, false,
	    POLICY_TOKEN_NONE).allow);
	g_assert_nonnull(strstr(member_decide(p, true, mm, false, false,
	    POLICY_TOKEN_NONE).why, "not verified"));
}

/* change-address: her own proof; confirm-address: the token. */
static void
test_address(void)
{
	struct policy_facts f = { 0 };
	struct policy_decision d;

	g_assert_true(member_decide(POLICY_CHANGE_ADDRESS, false, 0, true,
	    false, POLICY_TOKEN_NONE).allow);
	g_assert_true(member_decide(POLICY_CHANGE_ADDRESS, true, 0, false,
	    false, POLICY_TOKEN_CUSTOMER).allow);
	g_assert_false(member_decide(POLICY_CHANGE_ADDRESS, false, 0, false,
	    false, POLICY_TOKEN_NONE).allow);
	g_assert_false(member_decide(POLICY_CHANGE_ADDRESS, false, 0, true,
	    true, POLICY_TOKEN_NONE).allow);
	f.change_token = true;
	policy_decide(POLICY_CONFIRM_ADDRESS, &f, &d);
	g_assert_true(d.allow);
	f.forged = true;
	policy_decide(POLICY_CONFIRM_ADDRESS, &f, &d);
	g_assert_false(d.allow);
	f.forged = false;
	f.change_token = false;
	f.aligned_pass = true;
	policy_decide(POLICY_CONFIRM_ADDRESS, &f, &d);
	g_assert_false(d.allow);
	g_assert_cmpstr(d.rule, ==, "confirm-address");
}

/* The roles that feed the table: X-Cart built in, [roles] replaces. */
static void
test_roles(void)
{
	struct roles *rs = roles_new_default();
	GKeyFile *kf = g_key_file_new();
	GError	*e = NULL;
	unsigned member = R(POLICY_RIGHT_CREATE) | R(POLICY_RIGHT_COMMENT) |
	    R(POLICY_RIGHT_RATE) | R(POLICY_RIGHT_VIEW);
	char	*t;

	g_assert_cmpuint(roles_rights(rs, "primary"), ==, POLICY_RIGHTS_ALL);
	g_assert_cmpuint(roles_rights(rs, "advanced"), ==, member);
	/* X-Cart: secondary has full access to the Communication Center. */
	g_assert_cmpuint(roles_rights(rs, "Secondary"), ==, member);
	g_assert_cmpuint(roles_rights(rs, "viewer"), ==, 0);
	g_assert_cmpstr(roles_default(rs), ==, "secondary");
	roles_free(rs);
	g_assert_true(g_key_file_load_from_data(kf, "[roles]\nprimary = all\n"
	    "additional = view\n", -1, G_KEY_FILE_NONE, NULL));
	g_assert_true(roles_from_keyfile(&rs, kf, "x.conf", NULL, &e));
	g_assert_cmpuint(roles_rights(rs, "additional"), ==,
	    R(POLICY_RIGHT_VIEW));
	g_assert_false(roles_known(rs, "secondary"));
	g_assert_cmpstr(roles_default(rs), ==, "additional");
	t = roles_list_text(rs);
	g_assert_cmpstr(t, ==, "primary, additional");
	g_free(t);
	roles_free(rs);
	g_key_file_free(kf);
	kf = g_key_file_new();
	g_assert_true(g_key_file_load_from_data(kf, "[roles]\nboss = "
	    "create;fly\n", -1, G_KEY_FILE_NONE, NULL));
	g_assert_false(roles_from_keyfile(&rs, kf, "x.conf", NULL, &e));
	g_assert_nonnull(strstr(e->message, "unknown right \"fly\""));
	g_clear_error(&e);
	g_key_file_free(kf);
	t = roles_rights_text(0);
	g_assert_cmpstr(t, ==, "none");
	g_free(t);
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
	g_test_add_func("/policy/rights", test_rights);
	g_test_add_func("/policy/manage-members", test_manage_members);
	g_test_add_func("/policy/address", test_address);
	g_test_add_func("/policy/roles", test_roles);
	return g_test_run();
}
