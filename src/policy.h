/*
 * policy: who may do what, given who the sender really is.  The one
 * permission table of postdesk-auth(5); nothing else decides these.
 *
 *   staff-command     staff address, and an aligned DKIM or SPF pass or
 *                     a staff token minted for that address
 *                     (a disabled account has none)
 *   staff-relay       the same, for a staff reply relayed to customers
 *   staff-queue       the staff account works the ticket's queue (an
 *                     agent or lead its own queues, an admin every
 *                     one); a disabled account nothing
 *   customer-command  participant, and an aligned pass or her own token
 *                     (Status: closed, Rating:, HotRush:, Priority:)
 *   join-thread       a token minted for the sender joins its ticket;
 *                     otherwise (subject tag, References, legacy or
 *                     unproven token) a participant whose verdict is
 *                     not "forged".  A staff address skips the
 *                     participant check only with staff proof (or
 *                     in history the admin imports).
 *   create, comment,  an organization member's role must grant the
 *   rate, view        right (roles.h: [roles] in postdesk.conf); a
 *                     sender in no organization is not limited by
 *                     roles (the rows above still apply)
 *   manage-members    a member whose role grants manage-members, with
 *                     an aligned pass or her own token, verdict not
 *                     forged (staff use "postdesk org")
 *   change-address    the sender herself, with an aligned pass or her
 *                     own token, verdict not forged
 *   confirm-address   the new address, with the unexpired token mailed
 *                     to it, verdict not forged
 *
 * The facts come from the verdict (identity.h) and the reply token
 * (token.h); the caller looks them up.  Pure: no I/O, no state, cannot
 * fail.  Each decision names its rule and says why in one line, for
 * the event the caller writes and for --explain.
 */
#ifndef POSTDESK_POLICY_H
#define POSTDESK_POLICY_H

#include <stdbool.h>

enum policy_perm {
	POLICY_STAFF_COMMAND,
	POLICY_STAFF_RELAY,
	POLICY_CUSTOMER_COMMAND,
	POLICY_JOIN_THREAD,
	POLICY_CREATE,		/* open a ticket */
	POLICY_COMMENT,		/* write to an existing ticket */
	POLICY_RATE,
	POLICY_VIEW,		/* see the organization's tickets */
	POLICY_MANAGE_MEMBERS,	/* Member: add / remove */
	POLICY_CHANGE_ADDRESS,	/* Notify-Address: */
	POLICY_CONFIRM_ADDRESS,	/* Confirm-Address: */
	POLICY_STAFF_QUEUE,
	POLICY_PERM__MAX
};

/*
 * The rights a member role grants (roles.h maps role names to them);
 * bit (1u << right) in policy_facts.rights.
 */
enum policy_right {
	POLICY_RIGHT_CREATE,
	POLICY_RIGHT_COMMENT,
	POLICY_RIGHT_RATE,
	POLICY_RIGHT_VIEW,
	POLICY_RIGHT_MANAGE_MEMBERS,
	POLICY_RIGHT__MAX
};
#define POLICY_RIGHTS_ALL	((1u << POLICY_RIGHT__MAX) - 1)

/* The reply token the message came with, as token_check() saw it;
 * weakest first. */
enum policy_token {
	POLICY_TOKEN_NONE,	/* none, or not ours */
	POLICY_TOKEN_OTHER,	/* format 2, not minted for this From: */
	POLICY_TOKEN_LEGACY,	/* format 1: threads, no authority */
	POLICY_TOKEN_CUSTOMER,	/* format 2, minted for From:, customer */
	POLICY_TOKEN_STAFF,	/* format 2, minted for From:, staff */
	POLICY_TOKEN__MAX
};

struct policy_facts {
	bool		 claims_staff;	/* From: is a staff address (an
					   account, disabled or not, or the
					   bootstrap list: staff.h) */
	bool		 participant;	/* From: is a participant of the
					   named ticket (or shares it through
					   an organization) */
	bool		 aligned_pass;	/* identity_aligned_pass() */
	bool		 forged;	/* verdict final == forged */
	enum policy_token token;	/* for the named ticket */
	bool		 imported;	/* history brought in by "postdesk
					   import": the archive's owner
					   vouches for its threads */
	bool		 member;	/* From: is an organization member */
	unsigned	 rights;	/* of her role: bits 1u << enum
					   policy_right (roles_rights()) */
	bool		 change_token;	/* carries the valid, unexpired,
					   unused address-change token
					   mailed to From: (account.h) */
	/* Last, so that positional initializers stay valid. */
	bool		 staff_disabled; /* From: is a disabled account */
	bool		 staff_outside_queue; /* its account does not
					   work the ticket's queue */
};

struct policy_decision {
	enum policy_perm perm;
	bool		 allow;
	const char	*rule;		/* "staff-command", ... (static) */
	const char	*why;		/* one line (static) */
};

/* What to do with a forged message ([auth] on_forged). */
enum policy_on_forged {
	POLICY_FORGED_NEW_TICKET,	/* new linked ticket, "unverified" */
	POLICY_FORGED_QUARANTINE,
	POLICY_FORGED_ACCEPT,		/* as if it were not forged */
	POLICY_FORGED__MAX
};

/* The ticket tag of a ticket opened for a forged message. */
#define POLICY_UNVERIFIED_TAG	"unverified"

void		 policy_decide(enum policy_perm, const struct policy_facts *,
		    struct policy_decision *out);
const char	*policy_perm_to_text(enum policy_perm);
const char	*policy_token_to_text(enum policy_token);
/* "create", ..., "manage-members"; text_to_policy_right() false if
 * S is none of them. */
const char	*policy_right_to_text(enum policy_right);
bool		 text_to_policy_right(enum policy_right *, const char *s);
const char	*policy_on_forged_to_text(enum policy_on_forged);
bool		 text_to_policy_on_forged(enum policy_on_forged *,
		    const char *);
/* "staff-command: allowed — staff address with an aligned pass". */
char		*policy_decision_to_text(const struct policy_decision *);

#endif
