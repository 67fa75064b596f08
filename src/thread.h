/*
 * thread: which ticket does a message belong to?
 *
 * Rules in order, first hit wins (DESIGN.md, Threading):
 *   1. the reply token in a recipient address (token.h),
 *   2. In-Reply-To / References naming a stored Message-ID,
 *   3. the subject tag "[<tag> #N]",
 *   4. otherwise a new ticket.
 * A message that names a ticket but whose sender is not a participant
 * (requester, CC, staff) gets a new ticket linked to the named one,
 * unless the config says to join.
 *
 * thread_decide() only reads the store; the caller applies the verdict.
 */
#ifndef POSTDESK_THREAD_H
#define POSTDESK_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "mail.h"
#include "store.h"

enum thread_rule {
	THREAD_TOKEN,
	THREAD_REFERENCES,
	THREAD_SUBJECT_TAG,
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
};

/* "[Support #123] Re: x" with TAG "Support" → 123. */
bool	 thread_subject_ticket(const char *subject, const char *tag,
	    int64_t *id);
const char *thread_rule_to_text(enum thread_rule);

struct identity;

/* ID is the sender's authentication verdict (identity.h; NULL: none
 * known); RECIPIENT the envelope recipient (may be NULL). */
bool	 thread_decide(struct store *, const struct config *,
	    const struct mail *, const struct identity *id,
	    const char *recipient, struct thread_verdict *out, GError **err);
void	 thread_verdict_clear(struct thread_verdict *);

#endif
