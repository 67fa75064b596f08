/*
 * oauth2: access tokens for XOAUTH2 (IMAP in postdesk-fetch, SMTP in
 * postdesk-notify) from an [oauth2.NAME] account.
 *
 * The refresh token lives in the account's token_file (JSON, mode 0600,
 * replaced atomically: temp file, fsync, rename), written first by
 * "postdesk oauth2 login NAME" (the device-code flow, RFC 8628).  An
 * access token is got with the refresh-token grant (RFC 6749 6) and kept
 * until shortly before it expires, in memory and in the token file, so
 * postdesk-fetch run from cron does not ask for a new one every minute.
 * A refresh that brings a new refresh token rewrites the file the same
 * way; refreshes of one file are serialised with a lock file beside it
 * (TOKEN_FILE.lock), since fetch and notify share an account.
 *
 * oauth2.c holds the pure parts (answers parsed, expiry, the files);
 * oauth2_http.c talks to the endpoints with libcurl.
 *
 * Error contract: bool + GError in OAUTH2_ERROR; nothing is logged.
 * OAUTH2_ERROR_GRANT (invalid_grant: the refresh token expired or was
 * revoked) needs an admin's "postdesk oauth2 login" again; every code
 * is temporary for the mail: nothing is sent or fetched without a token
 * and nothing is lost.
 */
#ifndef POSTDESK_OAUTH2_H
#define POSTDESK_OAUTH2_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "config.h"

#define OAUTH2_ERROR (oauth2_error_quark())
enum oauth2_error_code {
	OAUTH2_ERROR_GRANT,	/* invalid_grant: log in again */
	OAUTH2_ERROR_PENDING,	/* device flow: not approved yet */
	OAUTH2_ERROR_SLOW_DOWN,	/* device flow: poll less often */
	OAUTH2_ERROR_EXPIRED,	/* device flow: the code ran out */
	OAUTH2_ERROR_DENIED,	/* device flow: the user said no */
	OAUTH2_ERROR_NO_LOGIN,	/* no token file yet */
	OAUTH2_ERROR_REFUSED,	/* another error answer (client, scope) */
	OAUTH2_ERROR_BAD_ANSWER, /* not the JSON the RFC describes */
	OAUTH2_ERROR_HTTP,	/* the endpoint could not be reached */
	OAUTH2_ERROR_FILE	/* the token file could not be written */
};

/* An access token is used only while this many seconds are left. */
#define OAUTH2_EXPIRY_MARGIN	60
/* expires_in absent from an answer (it is only RECOMMENDED). */
#define OAUTH2_DEFAULT_LIFETIME	300
/* Token endpoint answers are small: more is refused. */
#define OAUTH2_MAX_ANSWER	(64 * 1024)

struct oauth2_token {
	char	*access_token;	/* NULL: none (yet) */
	char	*refresh_token;	/* NULL: the answer kept the old one */
	int64_t	 expires_at;	/* epoch seconds */
};

struct oauth2_device {
	char	*device_code;
	char	*user_code;
	char	*verification_uri;
	char	*verification_uri_complete;	/* NULL if not sent */
	int64_t	 expires_at;
	int	 interval;			/* seconds between polls */
};

GQuark	 oauth2_error_quark(void);

/*
 * A token endpoint's answer (any HTTP status: errors come as 400 with
 * {"error": ...}) at NOW into *OUT (cleared first; free with
 * oauth2_token_clear()).  False with the error's code and its
 * description, made printable.
 */
bool	 oauth2_parse_token(const char *body, size_t len, int64_t now,
	    struct oauth2_token *out, GError **err);
/* A device authorization answer (RFC 8628 3.2) at NOW. */
bool	 oauth2_parse_device(const char *body, size_t len, int64_t now,
	    struct oauth2_device *out, GError **err);
/* True if T's access token can still be used at NOW. */
bool	 oauth2_token_fresh(const struct oauth2_token *t, int64_t now);
void	 oauth2_token_clear(struct oauth2_token *);
void	 oauth2_device_clear(struct oauth2_device *);

/*
 * Reads PATH into *OUT; OAUTH2_ERROR_NO_LOGIN if it does not exist or
 * holds no refresh token.
 */
bool	 oauth2_file_read(const char *path, struct oauth2_token *out,
	    GError **err);
/* Writes T to PATH: PATH.tmp created 0600, fsync, rename, fsync dir. */
bool	 oauth2_file_write(const char *path, const struct oauth2_token *t,
	    GError **err);

/*
 * The once-an-hour rule for a refused refresh token: true (and WHAT is
 * recorded at NOW) if WHAT was not reported during the last EVERY
 * seconds.  The record is PATH (TOKEN_FILE.reported), "EPOCH WHAT"
 * lines.  A record that cannot be read or written makes it true:
 * better one line too many than none.
 */
bool	 oauth2_report_due(const char *path, const char *what, int64_t now,
	    int64_t every);
/* WHAT works again: its next failure is reported at once. */
void	 oauth2_report_clear(const char *path, const char *what);
/* TOKEN_FILE.reported; free with g_free(). */
char	*oauth2_report_path(const struct config_oauth2 *);

/* --- oauth2_http.c: the endpoints ------------------------------------ */

struct oauth2;

/* A token source for account A (borrowed for its life). */
struct oauth2	*oauth2_new(const struct config_oauth2 *a, int timeout);
void		 oauth2_free(struct oauth2 *);
const struct config_oauth2 *oauth2_account(const struct oauth2 *);
/*
 * An access token valid for OAUTH2_EXPIRY_MARGIN seconds more: the one
 * held, the one in the token file, or a new one by the refresh-token
 * grant.  *TOKEN is borrowed until the next call or oauth2_free().
 */
bool	 oauth2_access_token(struct oauth2 *, const char **token,
	    GError **err);
/* The server refused the access token: the next call gets a new one. */
void	 oauth2_forget(struct oauth2 *);
/*
 * "postdesk oauth2 login": the device-code flow for account A.  Says on
 * OUT where to go and which code to enter, polls the token endpoint at
 * the interval asked for, and stores the refresh token in token_file.
 */
bool	 oauth2_login(const struct config_oauth2 *a, int timeout, FILE *out,
	    GError **err);

#endif
