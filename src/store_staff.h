/*
 * store_staff: the staff accounts (staff.h) in the store.
 *
 * Error contract: bool + GError (STORE_ERROR), as store.h.  Accounts
 * are never deleted: "disable" keeps the row, so that events and
 * messages still name a known person.
 */
#ifndef POSTDESK_STORE_STAFF_H
#define POSTDESK_STORE_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "staff.h"

struct store;

/* Adds S, or replaces every field of the account of S->address but its
 * created time.  *added (may be NULL) says which. */
bool	 store_staff_put(struct store *, const struct staff *s, int64_t now,
	    bool *added, GError **err);
/* The account of ADDR (any case), or *out NULL. */
bool	 store_staff_get(struct store *, const char *addr,
	    struct staff **out, GError **err);
/* Every account, disabled ones too, by address (struct staff). */
bool	 store_staff_all(struct store *, GPtrArray **out, GError **err);
/* The store has at least one account, enabled or not. */
bool	 store_staff_any(struct store *, bool *out, GError **err);
/* Addresses (lower-case, char *) that wrote a message in TICKET, in
 * either direction: staff replies are stored under their author. */
bool	 store_ticket_writers(struct store *, int64_t ticket,
	    GPtrArray **out, GError **err);

#endif
