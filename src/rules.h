/*
 * rules: the configured Sieve scripts ([rules] scripts), compiled once
 * per process, evaluated on a parsed message.
 *
 * rules_load() fails with the script's FILE:LINE:COL message when a
 * script does not compile; programs exit 78 (EX_CONFIG) then, so the MTA
 * keeps the mail queued.  rules_evaluate() never touches the store: the
 * caller (intake) applies the actions inside its transaction.
 */
#ifndef POSTDESK_RULES_H
#define POSTDESK_RULES_H

#include <stdbool.h>

#include <glib.h>

#include "mail.h"
#include "sieve/sieve.h"

struct rules;

/* What the rules may ask about the message beyond its content. */
struct rules_context {
	const char	*envelope_from;
	const char	*envelope_to;
	const void	*raw;		/* the whole raw message */
	size_t		 raw_len;
	bool		 new_ticket;
	const char	*spf;		/* NULL: "none" */
	const char	*sender_role;	/* staff / customer / unknown */
	/* "name=value" attributes of the From: address's organization,
	 * NULL-terminated, or NULL (org_attribute) */
	const char *const *org_attrs;
	bool		 trace;		/* fill result->trace */
};

/* Raw bodies larger than this are cut for body :raw tests. */
#define RULES_MAX_RAW_BODY	(1024 * 1024)

bool	 rules_load(struct rules **out, char *const *paths, GError **err);
void	 rules_free(struct rules *);
/* For processes that take in many messages: see sieve_script_jit(). */
void	 rules_jit(struct rules *);
/* Number of scripts loaded. */
unsigned rules_count(const struct rules *);
/* Runs every script in order into one result (free: sieve_result_free). */
bool	 rules_evaluate(const struct rules *, const struct mail *,
	    const struct rules_context *, struct sieve_result **out,
	    GError **err);

#endif
