/*
 * staff_reply: one path for a staff reply or note (see staff_reply.h).
 */
#include "pdconfig.h"

#include "lifecycle_apply.h"
#include "staff_reply.h"

bool
staff_reply_apply(struct store *s, const struct config *c, int64_t ticket,
    struct outbox_staff_message *sm, const struct command_block *b,
    int64_t now, int64_t *row, GPtrArray *report, int *refused,
    GError **err)
{
	bool	 store = b->commands->len == 0 || *b->rest != '\0' ||
	    (sm->attachments != NULL && sm->attachments->len > 0);

	*row = 0;
	sm->text = b->commands->len > 0 ? b->rest : sm->text;
	/* A reply is the staff reply of the life cycle (pre-close timer,
	 * first response), as by mail; a note is not. */
	if (store && !outbox_staff_message(s, c, ticket, sm, now, row, err))
		return false;
	if (store && !sm->internal && !lifecycle_apply_staff_reply(s, c,
	    ticket, sm->from_addr, *row, now, command_block_has(b,
	    LC_CMD_STATUS), err))
		return false;
	return lifecycle_apply_commands(s, c, ticket, b, LC_ROLE_STAFF,
	    sm->from_addr, NULL, *row, now, report, refused, err);
}
