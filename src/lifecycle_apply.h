/*
 * lifecycle_apply: the life-cycle rules applied to stored tickets.
 *
 * lifecycle.c decides; this module reads the ticket, asks it, and writes
 * the outcome: the new status, an event, and the notice mail (outbox),
 * all inside the caller's transaction — except lifecycle_apply_tick(),
 * which runs one BEGIN IMMEDIATE transaction per ticket so that it can
 * run while postdesk-ingest writes, and re-reads each ticket inside its
 * transaction so that running it twice changes nothing the second time.
 *
 * Error contract: bool + GError (STORE_ERROR) for storage failures.  A
 * change the rules refuse is not an error: *applied is false and *why
 * (g_free) says why.
 */
#ifndef POSTDESK_LIFECYCLE_APPLY_H
#define POSTDESK_LIFECYCLE_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "lifecycle.h"
#include "store.h"

enum lc_command {
	LC_CMD_STATUS,
	LC_CMD_PRIORITY,
	LC_CMD_QUEUE,
	LC_CMD_OWNER,
	LC_CMD_HOTRUSH,
	LC_CMD_TAG,
	LC_CMD_CC,		/* "add ADDR" / "remove ADDR": staff only */
	LC_CMD_RATING,
	/* Account commands (account.h): about the sender's organization
	 * or address, not the ticket; lifecycle_apply_commands() leaves
	 * them to account_apply(). */
	LC_CMD_MEMBER,
	LC_CMD_NOTIFY_ADDRESS,
	LC_CMD_CONFIRM_ADDRESS,
	LC_CMD_LANGUAGE,
	LC_CMD_NOTIFICATIONS,	/* "off" / "on": her automatic notices */
	LC_CMD__MAX
};

/* True for Member:, Notify-Address:, Confirm-Address:, Language: and
 * Notifications:. */
bool	 lc_command_is_account(enum lc_command);

/* "Status" (any case) → LC_CMD_STATUS; false if not a command name. */
bool	 text_to_lc_command(enum lc_command *out, const char *s);
const char *lifecycle_command_to_text(enum lc_command);

/* The rule facts of a stored ticket. */
void	 lifecycle_apply_facts(const struct ticket *,
	    const struct ticket_times *, struct lc_ticket *out);
const struct lifecycle *lifecycle_apply_lc(const struct config *,
	    const struct ticket *);

/*
 * Sets the status of T (re-read by the caller in this transaction) to
 * TO: status, event "status" with WHY, and the pre-closed/closed notice
 * to the requester.
 */
bool	 lifecycle_apply_status(struct store *, const struct config *,
	    const struct ticket *t, const char *to, const char *actor,
	    const char *why, int64_t message_row, int64_t now, GError **err);

/*
 * A staff reply (not an internal note) to ticket ID, by mail or by
 * "postdesk reply": records it (last staff reply for the pre-close
 * timer, first response for the SLA) and moves the status as
 * lifecycle_on_staff_reply() says, with its event — unless BY_COMMAND:
 * the reply carries its own Status: command, which decides instead.
 */
bool	 lifecycle_apply_staff_reply(struct store *, const struct config *,
	    int64_t id, const char *actor, int64_t message_row, int64_t now,
	    bool by_command, GError **err);

/* The owner an Owner: value names: a staff member's address (an
 * enabled account, or on the bootstrap list while the store has none:
 * staff.h), the local part of exactly one, or "none" (*out NULL).  If
 * it names no one, *out NULL and *why (static) says why; else *why
 * NULL.  False only for a storage error.  *out: g_free. */
bool	 lifecycle_apply_owner_of(struct store *, const struct config *,
	    const char *value, char **out, const char **why, GError **err);

/*
 * One command on ticket ID by ACTOR in ROLE: checked against the life
 * cycle and the permissions, applied with its event when allowed.
 */
bool	 lifecycle_apply_command(struct store *, const struct config *,
	    int64_t id, enum lc_command, const char *value, enum lc_role,
	    const char *actor, int64_t message_row, int64_t now,
	    bool *applied, char **why, GError **err);

/*
 * The command block of a message (command.h) by ACTOR in ROLE on ticket
 * ID, in order, each through lifecycle_apply_command(): one event per
 * line, "command" or "command-refused", with the detail "LINE — why"
 * that the command transcript reads back.  REFUSE_ALL, if not NULL,
 * refuses every command for that reason (an unauthenticated staff
 * address).  REPORT (may be NULL) gets one line per command,
 * "applied: LINE — why" or "refused: LINE — why"; *refused (may be
 * NULL) counts the refusals.
 */
struct command_block;
bool	 lifecycle_apply_commands(struct store *, const struct config *,
	    int64_t id, const struct command_block *, enum lc_role,
	    const char *actor, const char *refuse_all, int64_t message_row,
	    int64_t now, GPtrArray *report, int *refused, GError **err);

/*
 * SLA escalation of T (re-read by the caller in this transaction) with
 * facts F at NOW, as lifecycle_escalation() decides: one "escalated"
 * event per target that passed and was not escalated before, the
 * escalation notice to the queue's leads (staff.h), and a priority one
 * rank up through the Priority command (lifecycle_escalate.c).  *line
 * (g_free) describes what was done; NULL if nothing was due.
 */
bool	 lifecycle_apply_escalate(struct store *, const struct config *,
	    const struct ticket *t, const struct lc_ticket *f, int64_t now,
	    char **line, GError **err);

/*
 * postdesk tick: applies every due timer and escalation at NOW.
 * REPORT gets one line per change ("#12 waiting-for-customer →
 * pre-closed", "#12 escalated: resolution: due ...").  With EXPLAIN
 * every ticket's transaction is rolled back instead of committed: the
 * lines say what would be done, and nothing is written.  *failed
 * counts tickets that could not be changed (busy); they are retried
 * next time.
 */
bool	 lifecycle_apply_tick(struct store *, const struct config *,
	    int64_t now, bool explain, GPtrArray *report, int *failed,
	    GError **err);

#endif
