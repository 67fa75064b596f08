/*
 * identity: the authentication verdict of one message, in the sense of
 * DMARC (RFC 7489).  Who the From: domain's owner says may send for it:
 *
 *   SPF counts only when the envelope MAIL FROM domain aligns with the
 *   From: domain; DKIM only when a valid signature's d= aligns; the
 *   From: domain's DMARC policy says what a failure means.  Relaxed
 *   alignment is "same organizational domain" (Public Suffix List,
 *   libpsl).
 *
 * auth.c fills it (libspf2, libopendkim, the _dmarc record, and trusted
 * Authentication-Results); intake stores it with the message
 * (messages.auth_verdict and messages.auth) and the permission table
 * (postdesk-auth(5)) reads it.  This header is plain data: no library
 * but GLib.
 */
#ifndef POSTDESK_IDENTITY_H
#define POSTDESK_IDENTITY_H

#include <stdbool.h>

#include <glib.h>

/* The final word, stored as text in messages.auth_verdict. */
enum identity_final {
	IDENTITY_NONE,		/* nothing to go on: no SPF, no DKIM, no
				   DMARC record */
	IDENTITY_PASS,		/* an aligned SPF or DKIM pass */
	IDENTITY_FAIL,		/* no aligned pass; the domain's policy is
				   none (or it has no record) */
	IDENTITY_FORGED,	/* no aligned pass and DMARC p=reject or
				   p=quarantine: treated as forged */
	IDENTITY_TEMPERROR,	/* DNS trouble kept us from knowing */
	IDENTITY_FINAL__MAX
};

struct identity_dkim {
	char	*domain;	/* d= */
	char	*selector;	/* s=, may be NULL */
	char	*result;	/* "pass", "fail", "neutral", "temperror",
				   "permerror", "policy" */
	bool	 aligned;	/* d= aligns with the From: domain */
};

struct identity {
	char	*from_domain;	/* of From:, lower-case; NULL if none */
	/* SPF (RFC 7208) of the envelope sender. */
	char	*spf;		/* "pass", "fail", "softfail", "neutral",
				   "none", "temperror", "permerror" */
	char	*spf_domain;	/* MAIL FROM domain (HELO if null sender) */
	bool	 spf_aligned;	/* spf is "pass" and spf_domain aligns */
	/* DKIM (RFC 6376): one entry per signature, struct identity_dkim. */
	GPtrArray *dkim;
	bool	 dkim_aligned;	/* some entry is an aligned "pass" */
	/* DMARC record of the From: domain (or its organizational domain). */
	char	*dmarc_policy;	/* "none", "quarantine", "reject";
				   NULL: no record */
	char	*dmarc_domain;	/* where the record was found, or NULL */
	bool	 dmarc_temperror; /* the _dmarc lookup failed (DNS) */
	/* Where the facts came from: "mta" (--client-ip/--sender),
	 * "authentication-results", "received-spf" or "none"; or
	 * IDENTITY_SOURCE_IMPORT: history that "postdesk import" brought
	 * in, never checked. */
	char	*source;
	enum identity_final final;
};

#define IDENTITY_SOURCE_IMPORT	"import"

/* A zeroed verdict (final IDENTITY_NONE, empty dkim array). */
struct identity	*identity_new(void);
void		 identity_free(struct identity *);
/* Frees one struct identity_dkim (the dkim array's free function). */
void		 identity_dkim_free(gpointer);
/* An aligned SPF or DKIM pass: the From: domain's owner vouches. */
bool		 identity_aligned_pass(const struct identity *);
/* "pass", "fail", "none", "forged", "temperror". */
const char	*identity_final_to_text(enum identity_final);
/* The reverse; false on anything else. */
bool		 text_to_identity_final(const char *, enum identity_final *);
/*
 * The line-by-line account (messages.auth; show, viewer, --explain):
 *   spf: pass (domain example.com, aligned)
 *   dkim: pass d=example.com s=sel (aligned)
 *   dmarc: policy reject for example.com
 *   verdict: pass
 * Returns a string to g_free().
 */
char		*identity_to_text(const struct identity *);

#endif
