/*
 * thread: which ticket does a message belong to?
 *
 * Rules in order, first hit wins (DESIGN.md, Threading):
 *   1. the reply token in a recipient address (token.h),
 *   2. In-Reply-To / References naming a stored Message-ID,
 *   3. the subject tag "[<tag> #N]",
 *   4. referenced-by: a stored inbound message names this message's
 *      Message-ID in In-Reply-To/References (its reply came first),
 *   5. otherwise a new ticket.
 * A message that joins a ticket and is also named by stored messages in
 * other tickets (each reply that came first opened its own) merges
 * those tickets into the one it joins, each only if the sender may join
 * it too and it was not split on purpose (linked_to set): v->merge.
 * A ticket named that was merged into another stands for that one.
 * Whether a message may join the ticket it names is the permission
 * table's join-thread rule (policy.h): a token minted for the sender,
 * an authenticated staff address, or a participant whose verdict is
 * not forged.  A non-participant gets a new ticket linked to the named
 * one, unless [intake] foreign_sender says to join; a forged message
 * goes where [auth] on_forged says.
 *
 * thread_decide() only reads the store; the caller applies the verdict.
 */
#ifndef POSTDESK_THREAD_H
#define POSTDESK_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mail.h"
#include "policy.h"
#include "store.h"
#include "token.h"

enum thread_rule {
	THREAD_TOKEN,
	THREAD_REFERENCES,
	THREAD_SUBJECT_TAG,
	THREAD_REFERENCED_BY,
	THREAD_NEW,
	THREAD__MAX
};

struct thread_verdict {
	enum thread_rule rule;		/* which rule named a ticket */
	int64_t		 named;		/* the ticket named, 0 if none */
	int64_t		 ticket;	/* where the message goes; 0 = new */
	bool		 foreign;	/* named, sender not a participant */
	char		*matched;	/* the id/tag that matched (g_free) */
	char		*why;		/* one line for events and --explain */
	/* The facts and the decision of the permission table (policy.h):
	 * token is the reply token for the named ticket, and join is
	 * decided (join.rule != NULL) only when a ticket was named. */
	struct policy_facts facts;
	enum token_kind	 token_kind;	/* when facts.token != NONE */
	struct policy_decision join;
	/* Verdict forged and no token minted for the sender: [auth]
	 * on_forged applies (new-ticket: unverified; quarantine). */
	bool		 forged;
	bool		 unverified;	/* open a new ticket tagged so */
	bool		 quarantine;	/* keep it in the quarantine */
	/* Tickets to merge into ticket (int64_t; NULL: none), and why:
	 * one line each, for the "merged" events. */
	GArray		*merge;
	GPtrArray	*merge_why;
};

/* "[Support #123] Re: x" with TAG "Support" → 123. */
bool	 thread_subject_ticket(const char *subject, const char *tag,
	    int64_t *id);
/* The same for any of TAGS (NULL-terminated): the first tag in the
 * subject that names a ticket; *which (if not NULL) is that tag. */
bool	 thread_subject_ticket_any(const char *subject,
	    char *const *tags, int64_t *id, const char **which);
const char *thread_rule_to_text(enum thread_rule);

struct identity;

/* ID is the sender's authentication verdict (identity.h; NULL: none
 * known); RECIPIENT the envelope recipient (may be NULL). */
bool	 thread_decide(struct store *, const struct config *,
	    const struct mail *, const struct identity *id,
	    const char *recipient, struct thread_verdict *out, GError **err);
void	 thread_verdict_clear(struct thread_verdict *);

#endif
