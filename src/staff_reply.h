/*
 * staff_reply: a staff reply or internal note with its command block,
 * as `postdesk reply`/`comment`, a staff mail and the viewer's reply
 * form all write it — one path, so they cannot drift.
 *
 * Runs in the caller's transaction; the caller commits or rolls back.
 * The message is stored (unless the text was only commands) with one
 * outbox row per recipient; a reply (not a note) is the life cycle's
 * staff reply (first response, pre-close timer); then each command of
 * the block goes through lifecycle_apply_commands() as staff.
 * Error contract: false with *err set (STORE_ERROR) on a storage error.
 */
#ifndef POSTDESK_STAFF_REPLY_H
#define POSTDESK_STAFF_REPLY_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "command.h"
#include "config.h"
#include "outbox.h"
#include "store.h"

/* SM->text is replaced by the block's rest when the text began with
 * commands.  *row: the stored message (0: only commands).  REPORT and
 * REFUSED as lifecycle_apply_commands(). */
bool	 staff_reply_apply(struct store *, const struct config *,
	    int64_t ticket, struct outbox_staff_message *sm,
	    const struct command_block *b, int64_t now, int64_t *row,
	    GPtrArray *report, int *refused, GError **err);

#endif
