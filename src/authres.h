/*
 * authres: a parser of the Authentication-Results header field (RFC 8601)
 * — pure, GLib only, so it can be fuzzed alone.
 *
 *   Authentication-Results: mx.example.org 1; spf=pass (comment)
 *       smtp.mailfrom=a@example.com; dkim=pass header.d=example.com
 *       header.s=sel; dmarc=fail header.from=example.com
 *
 * Comments are dropped, quoted strings unquoted.  At most
 * AUTHRES_MAX_RESULTS results and AUTHRES_MAX_PROPS properties per result
 * are kept; the rest of a longer header is skipped in one pass, so the
 * time is linear in its length whatever it holds.  Who may be believed is
 * the caller's business (auth.c: trusted ids, topmost only).
 */
#ifndef POSTDESK_AUTHRES_H
#define POSTDESK_AUTHRES_H

#include <stdbool.h>

#include <glib.h>

#define AUTHRES_MAX_RESULTS	32
#define AUTHRES_MAX_PROPS	8

struct authres_prop {
	char	*name;		/* "smtp.mailfrom", "header.d", lower-case */
	char	*value;
};

struct authres_result {
	char	*method;	/* "spf", "dkim", "dmarc", lower-case */
	char	*result;	/* "pass", "fail", ..., lower-case */
	int	 nprops;
	struct authres_prop props[AUTHRES_MAX_PROPS];
};

struct authres {
	char	*authserv_id;	/* as written */
	GPtrArray *results;	/* struct authres_result */
	bool	 truncated;	/* more results than were kept */
};

/* Parses VALUE (the field body); NULL when it does not even start with
 * an authserv-id.  A result that does not parse ends the list. */
struct authres	*authres_parse(const char *value);
void		 authres_free(struct authres *);
/* The value of property NAME ("header.d") in R, or NULL. */
const char	*authres_prop(const struct authres_result *r,
		    const char *name);

#endif
