/* intake-priv: shared by intake.c and intake_rules.c only. */
#ifndef POSTDESK_INTAKE_PRIV_H
#define POSTDESK_INTAKE_PRIV_H

#include "intake.h"
#include "mail.h"
#include "rules.h"

struct intake {
	const struct config	*config;
	struct store		*store;
	const struct rules	*rules;
	bool			 batch;		/* inside intake_batch_begin */
	intake_auth_fn		 auth;		/* NULL: no sender check */
	void			*auth_ctx;
};

enum rules_verdict { RULES_KEEP, RULES_DISCARD, RULES_REJECT };

/* Evaluates the rules (none configured: an empty result). */
bool	 intake_rules_run(struct intake *, const struct intake_input *,
	    const struct mail *, bool new_ticket, struct sieve_result **out,
	    GError **err);
/* What happens to the message; *why points into the result. */
enum rules_verdict intake_rules_verdict(const struct sieve_result *,
	    const struct sieve_action **why);
/* Applies ticket-changing actions and writes one event per action. */
bool	 intake_rules_apply(struct intake *, const struct intake_input *,
	    const struct mail *, const struct sieve_result *, int64_t ticket,
	    int64_t row, GError **err);
/* Appends "rules:" lines for --explain. */
void	 intake_rules_report(GString *, const struct sieve_result *);

#endif
