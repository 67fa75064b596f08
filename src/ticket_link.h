/*
 * ticket_link: staff link two related tickets, or unlink them, from the
 * CLI (`postdesk link A B`, `postdesk unlink A B`) or the viewer, with
 * the same checks.  A link has no direction; a follow-up (tickets.
 * linked_to, set by intake) counts as one too but stays: it is the
 * ticket's history, not a choice staff made.
 *
 * ticket_link_decide() is the pure part: from the facts gathered about
 * the two tickets it says whether the change may be made and why not.
 * ticket_link_apply() gathers them, decides, and writes the link and an
 * event on each ticket, in the caller's transaction.
 * Error contract: false with *err on a storage error; a change that
 * cannot be made is true with a verdict other than TICKET_LINK_OK and
 * *refusal (g_free) saying why.
 */
#ifndef POSTDESK_TICKET_LINK_H
#define POSTDESK_TICKET_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "store.h"

enum ticket_link_op { TICKET_LINK, TICKET_UNLINK };

enum ticket_link_verdict {
	TICKET_LINK_OK,
	TICKET_LINK_NOTFOUND,	/* a ticket does not exist (404) */
	TICKET_LINK_REFUSED	/* itself, merged, already, not (409) */
};

/* What ticket_link_decide() needs to know; ticket_link_apply() reads it
 * from the store. */
struct ticket_link_facts {
	enum ticket_link_op	 op;
	int64_t			 a, b;
	bool			 a_found, b_found;
	int64_t			 a_live, b_live;   /* after merges */
	bool			 linked;	/* a staff link exists */
	bool			 follow_up;	/* one follows up the other */
};

enum ticket_link_verdict ticket_link_decide(const struct ticket_link_facts *,
	    char **refusal);
bool	 ticket_link_apply(struct store *, enum ticket_link_op, int64_t a,
	    int64_t b, const char *actor, int64_t now,
	    enum ticket_link_verdict *, char **refusal, GError **err);

#endif
