/*
 * ticket_merge: staff merge ticket FROM into ticket INTO, from the CLI
 * (`postdesk merge INTO FROM`) or the viewer, with the same checks.
 *
 * FROM's messages, participants (its requester becomes a CC), tags,
 * fields, events and unsent mail move to INTO (store_ticket_merge());
 * FROM stays as a pointer, so later mail that names it (tag, token,
 * References) lands in INTO, and its page redirects there.  An event on
 * each ticket names who merged.  Runs in the caller's transaction.
 * Error contract: false with *err on a storage error; a merge that
 * cannot be done is true with *refusal (g_free) saying why.
 */
#ifndef POSTDESK_TICKET_MERGE_H
#define POSTDESK_TICKET_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "store.h"

bool	 ticket_merge(struct store *, int64_t from, int64_t into,
	    const char *actor, int64_t now, char **refusal, GError **err);

#endif
