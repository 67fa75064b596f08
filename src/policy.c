/*
 * policy: the permission table (policy.h, postdesk-auth(5)).
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "policy.h"

static const char *const perm_names[POLICY_PERM__MAX] = {
	"staff-command", "staff-relay", "customer-command", "join-thread",
	"create", "comment", "rate", "view", "manage-members",
	"change-address", "confirm-address", "staff-queue"
};

static const char *const right_names[POLICY_RIGHT__MAX] = {
	"create", "comment", "rate", "view", "manage-members"
};

static const char *const token_names[POLICY_TOKEN__MAX] = {
	"none", "not minted for the sender", "legacy", "customer", "staff"
};

static const char *const forged_names[POLICY_FORGED__MAX] = {
	"new-ticket", "quarantine", "accept"
};

const char *
policy_perm_to_text(enum policy_perm p)
{
	return p < POLICY_PERM__MAX ? perm_names[p] : "?";
}

const char *
policy_token_to_text(enum policy_token t)
{
	return t < POLICY_TOKEN__MAX ? token_names[t] : "?";
}

const char *
policy_right_to_text(enum policy_right r)
{
	return r < POLICY_RIGHT__MAX ? right_names[r] : "?";
}

bool
text_to_policy_right(enum policy_right *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < POLICY_RIGHT__MAX; i++)
		if (g_ascii_strcasecmp(s, right_names[i]) == 0) {
			*out = (enum policy_right)i;
			return true;
		}
	return false;
}

const char *
policy_on_forged_to_text(enum policy_on_forged f)
{
	return f < POLICY_FORGED__MAX ? forged_names[f] : "?";
}

bool
text_to_policy_on_forged(enum policy_on_forged *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < POLICY_FORGED__MAX; i++)
		if (strcmp(s, forged_names[i]) == 0) {
			*out = (enum policy_on_forged)i;
			return true;
		}
	return false;
}

/* A token minted for this very From: address, in either role. */
static bool
own_token(const struct policy_facts *f)
{
	return f->token == POLICY_TOKEN_CUSTOMER ||
	    f->token == POLICY_TOKEN_STAFF;
}

static void
set(struct policy_decision *d, bool allow, const char *why)
{
	d->allow = allow;
	d->why = why;
}

/* Staff commands and relayed staff replies: the same proof. */
static void
staff(const struct policy_facts *f, struct policy_decision *d)
{
	if (!f->claims_staff)
		set(d, false, "not a staff address");
	else if (f->staff_disabled)
		set(d, false, "staff account disabled: no staff authority");
	else if (f->aligned_pass)
		set(d, true, "staff address with an aligned DKIM or SPF pass");
	else if (f->token == POLICY_TOKEN_STAFF)
		set(d, true, "staff address with a staff token minted for it");
	else if (f->token == POLICY_TOKEN_CUSTOMER)
		set(d, false, "staff address, but the token is a customer's: "
		    "no staff authority");
	else
		set(d, false, "staff address without an aligned DKIM or SPF "
		    "pass and without a staff token minted for it");
}

/* What a staff account may work on; the proof is staff-command's. */
static void
queue(const struct policy_facts *f, struct policy_decision *d)
{
	if (!f->claims_staff)
		set(d, false, "not a staff address");
	else if (f->staff_disabled)
		set(d, false, "staff account disabled: no staff authority");
	else if (f->staff_outside_queue)
		set(d, false, "the staff account does not work this "
		    "ticket's queue");
	else
		set(d, true, "the staff account works this ticket's queue");
}

static void
customer(const struct policy_facts *f, struct policy_decision *d)
{
	if (!f->participant && !own_token(f))
		set(d, false, "sender is not a participant");
	else if (f->aligned_pass)
		set(d, true, "participant with an aligned DKIM or SPF pass");
	else if (own_token(f))
		set(d, true, "participant with her own token");
	else
		set(d, false, "participant without an aligned pass and "
		    "without her own token");
}

static void
join(const struct policy_facts *f, struct policy_decision *d)
{
	if (own_token(f))
		set(d, true, "reply token minted for the sender");
	else if (f->claims_staff && !f->staff_disabled && f->aligned_pass)
		set(d, true, "staff address with an aligned DKIM or SPF pass");
	else if (f->claims_staff && f->imported)
		set(d, true, "staff address in imported history");
	else if (f->forged)
		set(d, false, "verdict forged: the From: domain's policy "
		    "disowns this message");
	else if (f->token == POLICY_TOKEN_LEGACY)
		set(d, true, "legacy reply token (threads, no authority)");
	else if (f->participant)
		set(d, true, "participant, verdict not forged");
	else
		set(d, false, "sender is not a participant");
}

static bool
has_right(const struct policy_facts *f, enum policy_right r)
{
	return (f->rights & (1u << r)) != 0;
}

/* create, comment, rate, view: what the member's role grants. */
static void
role_right(const struct policy_facts *f, enum policy_right r,
    struct policy_decision *d)
{
	static const char *const granted[POLICY_RIGHT__MAX] = {
		"the member's role grants create",
		"the member's role grants comment",
		"the member's role grants rate",
		"the member's role grants view",
		"the member's role grants manage-members",
	};
	static const char *const denied[POLICY_RIGHT__MAX] = {
		"the member's role does not grant create (view-only?)",
		"the member's role does not grant comment (view-only?)",
		"the member's role does not grant rate",
		"the member's role does not grant view",
		"the member's role does not grant manage-members",
	};

	if (!f->member)
		set(d, true, "not an organization member: no role limits");
	else if (has_right(f, r))
		set(d, true, granted[r]);
	else
		set(d, false, denied[r]);
}

/* The proof account changes need: her own mail, really hers. */
static bool
verified(const struct policy_facts *f)
{
	return !f->forged && (f->aligned_pass || own_token(f));
}

static void
manage_members(const struct policy_facts *f, struct policy_decision *d)
{
	if (!f->member)
		set(d, false, "sender is not a member of an organization");
	else if (!has_right(f, POLICY_RIGHT_MANAGE_MEMBERS))
		set(d, false, "the member's role does not grant "
		    "manage-members (only the primary member, by default)");
	else if (f->forged)
		set(d, false, "verdict forged: the From: domain's policy "
		    "disowns this message");
	else if (!verified(f))
		set(d, false, "sender not verified: no aligned DKIM or SPF "
		    "pass and no reply token of her own");
	else
		set(d, true, f->aligned_pass ? "the member's role grants "
		    "manage-members, aligned DKIM or SPF pass" : "the "
		    "member's role grants manage-members, her own token");
}

static void
change_address(const struct policy_facts *f, struct policy_decision *d)
{
	if (f->forged)
		set(d, false, "verdict forged: the From: domain's policy "
		    "disowns this message");
	else if (!verified(f))
		set(d, false, "sender not verified: no aligned DKIM or SPF "
		    "pass and no reply token of her own");
	else
		set(d, true, "her own address, verified; the new address "
		    "must confirm");
}

static void
confirm_address(const struct policy_facts *f, struct policy_decision *d)
{
	if (f->forged)
		set(d, false, "verdict forged: the From: domain's policy "
		    "disowns this message");
	else if (!f->change_token)
		set(d, false, "no valid, unexpired address-change token for "
		    "the sender");
	else
		set(d, true, "the new address confirmed with the token mailed "
		    "to it");
}

void
policy_decide(enum policy_perm p, const struct policy_facts *f,
    struct policy_decision *out)
{
	memset(out, 0, sizeof *out);
	out->perm = p;
	out->rule = policy_perm_to_text(p);
	switch (p) {
	case POLICY_STAFF_COMMAND:
	case POLICY_STAFF_RELAY:
		staff(f, out);
		break;
	case POLICY_CUSTOMER_COMMAND:
		customer(f, out);
		break;
	case POLICY_JOIN_THREAD:
		join(f, out);
		break;
	case POLICY_CREATE:
		role_right(f, POLICY_RIGHT_CREATE, out);
		break;
	case POLICY_COMMENT:
		role_right(f, POLICY_RIGHT_COMMENT, out);
		break;
	case POLICY_RATE:
		role_right(f, POLICY_RIGHT_RATE, out);
		break;
	case POLICY_VIEW:
		role_right(f, POLICY_RIGHT_VIEW, out);
		break;
	case POLICY_MANAGE_MEMBERS:
		manage_members(f, out);
		break;
	case POLICY_CHANGE_ADDRESS:
		change_address(f, out);
		break;
	case POLICY_CONFIRM_ADDRESS:
		confirm_address(f, out);
		break;
	case POLICY_STAFF_QUEUE:
		queue(f, out);
		break;
	default:
		set(out, false, "unknown permission");
		break;
	}
}

char *
policy_decision_to_text(const struct policy_decision *d)
{
	return g_strdup_printf("%s: %s — %s", d->rule, d->allow ? "allowed" :
	    "refused", d->why);
}
