/*
 * intake-lifecycle: what a message does to the life cycle of its ticket
 * (private to intake.c and intake_lifecycle.c).
 *
 * intake_lc_decide() only reads the store and fills the report; it runs
 * for --explain too.  intake_lc_apply() writes, in intake's transaction.
 * Both return false with err (STORE_ERROR) only for storage failures.
 */
#ifndef POSTDESK_INTAKE_LIFECYCLE_H
#define POSTDESK_INTAKE_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "account.h"
#include "command.h"
#include "config.h"
#include "lifecycle.h"
#include "mail.h"
#include "policy.h"
#include "store.h"
#include "thread.h"

struct intake_lc {
	enum lc_role	 role;		/* of the sender */
	bool		 refuse;	/* do not take the message in */
	const char	*refusal_template;	/* reply with it, or NULL */
	char		*refusal;	/* why (g_free) */
	bool		 ack;		/* an acknowledgement */
	struct lc_verdict verdict;	/* effect on the named ticket */
	int64_t		 follow_up_of;	/* open a follow-up of this ticket */
	bool		 claims_staff;	/* From: is a staff address */
	bool		 authenticated;	/* an aligned SPF or DKIM pass
					   (identity.h), or a valid reply
					   token */
	bool		 outside_queue;	/* proven staff whose account does
					   not work the ticket's queue */
	bool		 internal;	/* to the comment address: a note */
	struct command_block *commands;	/* the command block, parsed */
	/* The permission table (policy.h): its decisions for this message,
	 * each written as a "policy" event naming its rule. */
	struct policy_decision decisions[POLICY_PERM__MAX];
	guint		 n_decisions;
	char		*command_refusal; /* why all commands are refused, or
					   NULL (g_free) */
	bool		 forged;	/* verdict forged: no automatic
					   reply of any kind */
	bool		 unverified;	/* tag the new ticket so */
	bool		 quarantine;	/* refused into the quarantine by
					   [auth] on_forged */
	/* Command before effect (postdesk-lifecycle(5)): a customer's
	 * Status: command is applied first, and the verdict only after,
	 * if the ticket is still in status_before (g_free). */
	bool		 deferred;
	char		*status_before;
	struct account_plan *accounts;	/* Member:, Notify-Address:, ...
					   (account.h), or NULL */
	/* Portal-only mode ([mail] customer_replies = portal): a
	 * customer's mail reply is kept as an internal note, changes
	 * nothing, and its sender is pointed to the portal. */
	bool		 portal_note;
};

struct identity;

/* ID is the sender's authentication verdict (identity.h; NULL: none);
 * RECIPIENT the envelope recipient (may be NULL). */
bool	 intake_lc_decide(struct store *, const struct config *,
	    const struct mail *, const struct thread_verdict *,
	    const struct identity *id, const char *recipient, int64_t now,
	    struct intake_lc *out, GString *report, GError **err);
bool	 intake_lc_apply(struct store *, const struct config *,
	    const struct mail *, const struct intake_lc *, int64_t ticket,
	    bool new_ticket, int64_t row, const char *actor, int64_t now,
	    GError **err);
/* Commands, staff reply relay, internal note relay and transcript:
 * after the message is stored and the rules ran. */
bool	 intake_lc_after(struct store *, const struct config *,
	    const struct mail *, const char *sender,
	    const struct intake_lc *, int64_t ticket, int64_t row,
	    int64_t now, GError **err);
/*
 * Portal-only mode: turns the decision for a customer's mail reply
 * (not one written in the portal, FROM_PORTAL) into a portal note.
 * Pure; it runs for --explain too.
 */
void	 intake_lc_portal_only(const struct config *,
	    const struct thread_verdict *, bool from_portal,
	    struct intake_lc *, GString *report);
void	 intake_lc_clear(struct intake_lc *);
/*
 * A staff reply by mail that postdesk relays to the customer (without
 * its command block and quoted history): the staff's own mail is then
 * kept as an internal message, and customers see the relayed copy.
 */
bool	 intake_lc_relays(const struct intake_lc *);

#endif
