/*
 * auth_trusted: what the site's own receiving host recorded about a
 * message — Authentication-Results (RFC 8601) and Received-SPF — for
 * mail without an MTA-given client IP (postdesk-fetch; ingest when the
 * MTA's milter wrote the verdict).  Pure: GLib and authres.c.
 *
 * Whom to believe: only headers whose authserv-id (Received-SPF: its
 * receiver=) is one of [auth] trusted_authserv_ids, and only the topmost
 * ones.  Walking down from the top, the first Received: header whose
 * "by" host is not a trusted id ends the search (everything below it
 * came from elsewhere); of the A-R headers above it only the first block
 * counts: the first trusted one and those directly after it.  A forged
 * "trusted" A-R further down, after any other header, is ignored.
 */
#ifndef POSTDESK_AUTH_TRUSTED_H
#define POSTDESK_AUTH_TRUSTED_H

#include <stdbool.h>

#include <glib.h>

#include "mail.h"

struct auth_trusted {
	const char *source;	/* "authentication-results", "received-spf"
				   or NULL: nothing trusted */
	char	*spf;		/* the result it recorded, or NULL */
	char	*sender;	/* smtp.mailfrom / envelope-from, or NULL */
	char	*helo;		/* smtp.helo, or NULL */
	char	*client_ip;	/* smtp.remote-ip etc., valid IP or NULL */
	bool	 have_dkim;	/* it recorded dkim= results */
	GPtrArray *dkim;	/* struct identity_dkim, aligned unset */
};

/* IDS: the trusted authserv-ids (NULL-terminated; NULL trusts none). */
void	 auth_trusted_find(const struct mail *, char *const *ids,
	    struct auth_trusted *out);
void	 auth_trusted_clear(struct auth_trusted *);

#endif
