/*
 * intake: one raw message into the store, the same way for every source
 * (MTA pipe, mailbox fetch, import): parse → thread → apply, all in one
 * SQLite transaction.  With explain set nothing is written and
 * result->report tells how the message would be handled.
 *
 * Every outcome is recorded once per (Message-ID, body hash), and the
 * same non-mail bytes are quarantined once: a redelivery, however many
 * at once, is a duplicate that changes nothing (the check runs inside
 * the write transaction, a unique constraint behind it).
 *
 * Error contract: intake_message() returns false with err set when the
 * message could not be taken in; store_error_is_transient(err) says
 * whether a retry can help.  Unparseable input is not an error: it is
 * quarantined and the outcome says so.
 *
 * Batch mode (imports, mailbox fetch): between intake_batch_begin() and
 * intake_batch_commit() every message shares one transaction, each inside
 * its own savepoint, so a message that fails leaves no trace while the
 * others stay; nothing is durable before intake_batch_commit() returns.
 * Outside a batch each message is its own transaction, durable when
 * intake_message() returns true.
 */
#ifndef POSTDESK_INTAKE_H
#define POSTDESK_INTAKE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "store.h"

enum intake_outcome {
	INTAKE_NEW_TICKET,
	INTAKE_REPLY,
	INTAKE_DUPLICATE,
	INTAKE_QUARANTINED,
	INTAKE_DISCARDED,	/* by a rule; event recorded */
	INTAKE_REJECTED,	/* by a rule; reason says why (exit 65) */
	INTAKE_REFUSED,		/* kept in quarantine, sender told */
	INTAKE_BOUNCE,		/* to a VERP return path (bounce.h) */
	INTAKE_OUTCOME__MAX
};

/* The origin of what a customer writes in the portal (the CGI). */
#define INTAKE_ORIGIN_PORTAL	"web"

struct intake_input {
	const void	*raw;
	size_t		 len;
	const char	*sender;	/* envelope MAIL FROM, may be NULL */
	const char	*recipient;	/* envelope RCPT TO, may be NULL */
	const char	*client_ip;
	/* The authentication verdict (identity.h); NULL: the function of
	 * intake_set_auth() finds it, or there is none. */
	const struct identity *identity;
	int64_t		 now;		/* unix seconds */
	bool		 explain;	/* dry run: write nothing */
	/*
	 * Imported history: times come from the message's Date: header
	 * (now only if it has none), an "imported" event is recorded and
	 * no notification may be sent for it.
	 */
	bool		 import;
	const char	*origin;	/* "mbox:/x", "imaps://…",
					   INTAKE_ORIGIN_PORTAL; may be NULL */
	/*
	 * An admin's replay of a quarantined entry: what intake recorded
	 * for this message without storing it (refused, say) does not
	 * make it a duplicate, so that a changed verdict can apply.
	 */
	bool		 replay;
};

struct intake_result {
	enum intake_outcome outcome;
	int64_t		 ticket;
	int64_t		 message_row;
	char		*message_id;
	int64_t		 quarantine_id;	/* the entry written, or 0 */
	char		*reason;	/* quarantine reason, or NULL */
	GString		*report;	/* --explain text; always filled */
};

struct identity;
struct intake;
struct mail;
struct rules;

/* STORE may be NULL only with explain (no database yet). */
struct intake	*intake_new(const struct config *, struct store *);
void		 intake_free(struct intake *);
/*
 * Sender authentication, for programs that link auth.c (libspf2,
 * libopendkim): FN gives the verdict (identity_new(); intake frees it)
 * for a parsed message, its raw bytes and what the MTA said.  Used when
 * intake_input.identity is NULL.
 */
typedef struct identity *(*intake_auth_fn)(void *ctx, const struct mail *m,
    const void *raw, size_t len, const char *client_ip, const char *sender);
void		 intake_set_auth(struct intake *, intake_auth_fn fn, void *ctx);
/* Rules to run on every message (borrowed; NULL for none). */
void		 intake_set_rules(struct intake *, const struct rules *);
bool		 intake_message(struct intake *, const struct intake_input *,
		    struct intake_result *out, GError **err);
void		 intake_result_clear(struct intake_result *);
bool		 intake_batch_begin(struct intake *, GError **err);
/* The same transaction for a few messages (the portal's one): without
 * the bulk pragmas, whose 64 MB page cache would hold every page of a
 * large upload's blobs until the commit. */
bool		 intake_batch_begin_small(struct intake *, GError **err);
bool		 intake_batch_commit(struct intake *, GError **err);
void		 intake_batch_rollback(struct intake *);
bool		 intake_in_batch(const struct intake *);
const char	*intake_outcome_to_text(enum intake_outcome);

#endif
