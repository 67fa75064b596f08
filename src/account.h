/*
 * account: the account commands of a mail's command block, about the
 * sender's organization or address rather than the ticket:
 *
 *	Member: add ADDRESS [ROLE]	(ROLE: one of [roles]; default
 *					 the last one listed)
 *	Member: remove ADDRESS
 *	Notify-Address: NEW-ADDRESS	(a confirmation mail goes to NEW;
 *					 "Notify-Address: reset" undoes)
 *	Confirm-Address: TOKEN		(from NEW, with that mail's token)
 *	Language: LANG			(her mail's language, lang.h;
 *					 "Language: default" undoes)
 *	Notifications: off|on		(off: postdesk-notify skips her
 *					 optional notices, notify.h)
 *
 * Each is decided by a row of the permission table (policy.h:
 * manage-members, change-address — also for Language: and
 * Notifications:, which are hers
 * alone the same way —, confirm-address) on the sender's
 * facts, then written; the transcript reads the "command" and
 * "command-refused" events as it does for ticket commands.
 *
 * account_decide() only reads the store (--explain runs it too);
 * account_apply() writes, in the caller's transaction.  Both return
 * false with err (STORE_ERROR) only for storage failures.  Ownership:
 * the plan is freed with account_plan_free() (NULL allowed).
 */
#ifndef POSTDESK_ACCOUNT_H
#define POSTDESK_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "command.h"
#include "config.h"
#include "policy.h"
#include "store.h"

/* How long a pending address change waits for its confirmation. */
#define ACCOUNT_CHANGE_LIFETIME	(3 * 24 * 3600)

struct account_plan;

/*
 * The account commands of B from FROM (her facts F: verdict, token,
 * and the staff claim; membership is looked up here).  REPORT (may be
 * NULL) gets one line per decision.  *out is NULL when B has none.
 */
bool	 account_decide(struct store *, const struct config *,
	    const struct command_block *b, const struct policy_facts *f,
	    const char *from, int64_t now, struct account_plan **out,
	    GString *report, GError **err);
/* Writes the plan on ticket TICKET (events on message ROW), and queues
 * the confirmation mails. */
bool	 account_apply(struct store *, const struct config *,
	    const struct account_plan *, int64_t ticket, int64_t row,
	    const char *actor, int64_t now, GError **err);
void	 account_plan_free(struct account_plan *);
/* Why the first refused command of the plan was refused, or NULL. */
const char *account_plan_refusal(const struct account_plan *);

/* The token a confirmation mail carries for change C: "ID.SIG", SIG an
 * HMAC of ([mail] token_key, ID, the new address).  g_free; NULL
 * without a token_key. */
char	*account_change_token(const struct config *,
	    const struct address_change *c);

/* A bare address as written in a command: one @, no spaces or <>. */
bool	 account_is_bare_address(const char *);

#endif
