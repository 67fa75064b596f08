/*
 * auth: who sent a message, the way DMARC (RFC 7489) defines it — SPF
 * (RFC 7208, libspf2) of the envelope sender and the client IP, DKIM
 * (RFC 6376, libopendkim) of the signatures, each counting only when its
 * domain aligns with From: (libpsl), and the From: domain's _dmarc
 * policy (dmarc.c) saying what a failure means.  The result is a struct
 * identity (identity.h).  This is the only module that includes libspf2
 * and libopendkim.
 *
 * The client IP comes from the MTA (--client-ip).  Without it (fetched
 * mail, or a milter's verdict) the topmost Authentication-Results
 * (RFC 8601) or Received-SPF written by a trusted receiving host
 * ([auth] trusted_authserv_ids; auth_trusted.h) gives SPF and DKIM;
 * anyone else's headers are ignored.  The same facts give the same
 * verdict either way.
 *
 * Bounds: at most 8 signatures are verified (those aligned with From:
 * first); DNS trouble is "temperror", never a failure to take mail in.
 *
 * Error contract: auth_new() returns false with err for a bad local
 * record; auth_spf() and auth_identify() cannot fail: DNS trouble is
 * "temperror", a broken record "permerror".  SPF results are static
 * strings.
 */
#ifndef POSTDESK_AUTH_H
#define POSTDESK_AUTH_H

#include <stdbool.h>

#include <glib.h>

#include "mail.h"

#define AUTH_ERROR (auth_error_quark())
enum auth_error_code { AUTH_ERROR_SETUP };

struct auth;

GQuark	 auth_error_quark(void);
/*
 * DNS_RECORDS (a file, may be NULL: [auth] dns_records) and
 * LOCAL_RECORDS (may be NULL: [auth] spf_local_records): "NAME VALUE"
 * TXT records served instead of DNS for SPF, DKIM keys
 * (SEL._domainkey.DOMAIN) and DMARC (_dmarc.DOMAIN) — for tests and
 * hosts without a resolver; with either no DNS query is made at all.
 * Free with auth_free().
 */
bool	 auth_new(struct auth **out, const char *dns_records,
	    char *const *local_records, GError **err);
void	 auth_free(struct auth *);
/* Trust Authentication-Results/Received-SPF written by one of IDS
 * (copied; NULL trusts none) for mail without an MTA-given client IP;
 * auth_trusted.h says which of them. */
void	 auth_set_trusted_ids(struct auth *, char *const *ids);
/* The same for one id (NULL trusts none). */
void	 auth_set_trusted(struct auth *, const char *authserv_id);
/*
 * An intake_auth_fn (intake.h), CTX being a struct auth: the verdict
 * (identity.h, to identity_free()) of M, its RAW bytes and what the MTA
 * said; without a client IP, of what the trusted receiving host
 * recorded in M's headers.
 */
struct identity *auth_identify(void *ctx, const struct mail *m,
	    const void *raw, size_t len, const char *client_ip,
	    const char *sender);
/* D1 and D2 align (RFC 7489 3.1): equal, or unless STRICT, the same
 * organizational domain by the Public Suffix List. */
bool	 auth_aligned(const struct auth *, const char *d1, const char *d2,
	    bool strict);
/* "pass", "fail", "softfail", "neutral", "none", "temperror",
 * "permerror"; "none" without sender or client IP, and for a loopback
 * client IP (127.0.0.0/8, ::1), which libspf2 would pass unchecked. */
const char *auth_spf(struct auth *, const char *client_ip,
	    const char *sender, const char *helo);
/*
 * From the topmost Authentication-Results / Received-SPF of M written by
 * AUTHSERV_ID (auth_trusted.h): the client IP and envelope sender it
 * names (g_free; NULL when absent or not trusted).
 */
void	 auth_trusted_origin(const struct mail *m, const char *authserv_id,
	    char **client_ip, char **sender);

#endif
