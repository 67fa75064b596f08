/*
 * dmarc: a parser of the DMARC policy record (RFC 7489 6.3), the TXT
 * record at _dmarc.DOMAIN — pure, GLib only, so it can be fuzzed alone.
 *
 *   v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; rua=mailto:...
 *
 * v=DMARC1 must come first; unknown tags are ignored.  A record without
 * a valid p= counts as p=none when it names a rua= (RFC 7489 6.6.3),
 * else as no record at all.  Only what the verdict needs is kept.
 */
#ifndef POSTDESK_DMARC_H
#define POSTDESK_DMARC_H

#include <stdbool.h>

enum dmarc_policy {
	DMARC_NONE,
	DMARC_QUARANTINE,
	DMARC_REJECT
};

struct dmarc_record {
	enum dmarc_policy p;
	enum dmarc_policy sp;	/* p when the record has no sp= */
	bool	 adkim_strict;	/* adkim=s */
	bool	 aspf_strict;	/* aspf=s */
};

/* False when TXT is not a DMARC record (garbage, another v=, no p=). */
bool		 dmarc_parse(const char *txt, struct dmarc_record *out);
/* "none", "quarantine", "reject". */
const char	*dmarc_policy_to_text(enum dmarc_policy);

#endif
