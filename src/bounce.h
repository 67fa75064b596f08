/*
 * bounce: delivery status notifications (RFC 3464) that come back to
 * the VERP return path of an outbox row (token.h).
 *
 * bounce_parse() is a value parser: false if M is not a DSN.
 * bounce_intake() is run by intake before threading, inside its
 * transaction: mail to a VERP address never opens a ticket.  A failed
 * DSN marks the row failed, the address bounced on its tickets, and
 * adds an event; anything else to that address (a delay notice, an
 * out-of-office) only adds an event.  Errors come from the store.
 */
#ifndef POSTDESK_BOUNCE_H
#define POSTDESK_BOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "mail.h"
#include "store.h"

struct bounce {
	char	*recipient;	/* Final-Recipient address, or NULL */
	char	*action;	/* failed, delayed, delivered, relayed... */
	char	*status;	/* 5.1.1 */
	char	*diagnostic;	/* Diagnostic-Code text, or NULL */
};

bool	 bounce_parse(const struct mail *, struct bounce *out);
void	 bounce_clear(struct bounce *);

/*
 * If M was delivered to a VERP address of ours (envelope RECIPIENT or
 * headers), handles it and sets *handled, *ticket (0 if the row is
 * unknown) and *detail (g_free; one line).  Otherwise *handled = false.
 */
bool	 bounce_intake(struct store *, const struct config *,
	    const struct mail *m, const char *recipient, int64_t now,
	    bool *handled, int64_t *ticket, char **detail, GError **err);

#endif
