/*
 * token: the addresses postdesk mints for its outbound mail.
 *
 * Reply token: support+t123.SIG@host, where SIG is the HMAC-SHA256 of
 * "t123" under [mail] token_key, hex, truncated to TOKEN_SIG_LEN
 * characters.  It goes into the Reply-To of every notification, and a
 * reply to that address names its ticket with proof (threading rule 1).
 * Comment token: support+c123.SIG@host, signed over "c123" the same way,
 * in the Reply-To of comment notifications: a reply to it names the
 * ticket with proof and is an internal note.  The letter is inside the
 * MAC, so neither kind passes for the other.
 * VERP return path: bounces+OUTBOXID@host, the envelope sender of each
 * outbox row, so a bounce names the row it is about.
 *
 * Pure functions on strings; no I/O, no state.  Parsers return false on
 * anything that is not exactly theirs (value-parser contract); minting
 * functions return a string to g_free(), or NULL when no key is set.
 */
#ifndef POSTDESK_TOKEN_H
#define POSTDESK_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define TOKEN_SIG_LEN	12	/* hex characters: 48 bits */
#define TOKEN_VERP_LOCAL "bounces"

enum token_kind {
	TOKEN_REPLY,		/* t: a reply to a notification */
	TOKEN_COMMENT,		/* c: a reply to a comment notification */
	TOKEN_KIND__MAX
};

/* "t123.SIG" for TICKET under KEY; NULL if KEY is NULL or empty. */
char	*token_sign(const char *key, int64_t ticket);
/* "t123.SIG" or "c123.SIG"; NULL if KEY is NULL or empty. */
char	*token_sign_kind(const char *key, enum token_kind, int64_t ticket);
/* True if TOKEN is a reply token "t<id>.<sig>" with a valid signature
 * (compared in constant time); sets *ticket. */
bool	 token_verify(const char *key, const char *token, int64_t *ticket);
/* Either kind; sets *ticket and *kind. */
bool	 token_verify_kind(const char *key, const char *token,
	    int64_t *ticket, enum token_kind *kind);

/* "support+t123.SIG@host" from the support address; NULL without key. */
char	*token_address(const char *support, const char *key, int64_t ticket);
/* "support+t123.SIG@host" or "support+c123.SIG@host". */
char	*token_address_kind(const char *support, const char *key,
	    enum token_kind, int64_t ticket);
/* True if ADDR is SUPPORT's local part + a valid token of either kind,
 * same domain (both name their ticket with proof). */
bool	 token_address_ticket(const char *support, const char *key,
	    const char *addr, int64_t *ticket);
/* The same, telling the kind. */
bool	 token_address_parse(const char *support, const char *key,
	    const char *addr, int64_t *ticket, enum token_kind *kind);

/* "bounces+ID@domain-of-support". */
char	*token_verp_address(const char *support, int64_t outbox_id);
/* True if ADDR is a VERP address for SUPPORT's domain; sets *id. */
bool	 token_verp_id(const char *support, const char *addr, int64_t *id);

/*
 * The addresses a message was delivered to, best first: the envelope
 * RECIPIENT (may be NULL), then Delivered-To and X-Original-To, then
 * To and Cc.  A GPtrArray of strings (g_free'd with the array).
 */
struct mail;
GPtrArray *token_recipients(const struct mail *, const char *recipient);

#endif
