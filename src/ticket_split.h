/*
 * ticket_split: staff move one message out of a ticket into a new
 * ticket (`postdesk split TICKET MESSAGE-ID`): X-Cart's "otherwise,
 * your new message will be moved to a new ticket", for a customer
 * message that does not belong to the ticket it threaded into.
 *
 * ticket_split_decide() is pure: it says whether the split may be done
 * on the facts the caller read.  ticket_split() reads them, decides,
 * and writes, in the caller's transaction: a new ticket in the old
 * one's queue (its life cycle's initial status and default priority),
 * requested by the message's sender and linked to the old ticket as a
 * follow-up; the message with its events, pending mail and address
 * changes moves there (store_ticket_split()); a "split" event goes on
 * both tickets and a "created" event on the new one; the sender gets
 * the new ticket's acknowledgement (new-ticket), so she learns its
 * number.  Later mail that answers the moved message threads by its
 * Message-ID to the new ticket.  What the message already did to the
 * old ticket (a reopen, its commands) is not undone.
 *
 * Error contract: false with *err on a storage error; a split that
 * cannot be done is true with *refusal (g_free) saying why.
 */
#ifndef POSTDESK_TICKET_SPLIT_H
#define POSTDESK_TICKET_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "store.h"

/* What the decision needs to know about the ticket and the message. */
struct split_facts {
	bool	 ticket_found;
	int64_t	 merged_into;	/* the ticket it lives on as, or itself */
	guint	 rows;		/* its messages with that Message-ID */
	bool	 first;		/* ... the first of them opened it */
	bool	 outbound;	/* ... written by us */
	bool	 internal;	/* ... an internal note */
	bool	 from_staff;	/* ... sent by a staff address */
	bool	 no_sender;	/* ... without a From address */
};

/* NULL if ticket TICKET's message MESSAGE_ID may be moved out, else
 * why not (g_free). */
char	*ticket_split_decide(int64_t ticket, const char *message_id,
	    const struct split_facts *);

/* MESSAGE_ID with or without angle brackets.  *new_ticket gets the new
 * ticket's id (0 when refused). */
bool	 ticket_split(struct store *, const struct config *, int64_t ticket,
	    const char *message_id, const char *actor, int64_t now,
	    int64_t *new_ticket, char **refusal, GError **err);

#endif
