/*
 * auth: who sent a message — SPF (RFC 7208) of the envelope sender and
 * the client IP, with libspf2.  This is the only module that includes
 * libspf2.
 *
 * The client IP comes from the MTA (--client-ip) or, for fetched mail,
 * from the topmost Authentication-Results (RFC 8601) or Received-SPF
 * header, and only when that header was written by the trusted
 * receiving host ([auth] trusted_authserv_id); anyone else's headers
 * are ignored.
 *
 * Error contract: auth_new() returns false with err for a bad local
 * record; auth_spf() cannot fail: DNS trouble is "temperror", a broken
 * record "permerror".  Results are static strings.
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
 * LOCAL_RECORDS (may be NULL): "domain v=spf1 ..." lines served instead
 * of DNS — for tests and hosts without a resolver; with them no DNS
 * query is made at all.  Free with auth_free().
 */
bool	 auth_new(struct auth **out, char *const *local_records,
	    GError **err);
void	 auth_free(struct auth *);
/* Trust Authentication-Results/Received-SPF written by AUTHSERV_ID
 * (copied; NULL trusts none) for mail without an MTA-given client IP. */
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
 * AUTHSERV_ID: the client IP and envelope sender it names (g_free;
 * NULL when absent or not trusted).
 */
void	 auth_trusted_origin(const struct mail *m, const char *authserv_id,
	    char **client_ip, char **sender);

#endif
