/*
 * token: the addresses postdesk mints for its outbound mail.
 *
 * Reply token (format 2, minted today): support+KRTICKET.SIG@host,
 *   K   the kind: 't' a reply to a notification, 'c' a reply to a
 *       comment notification (an internal note);
 *   R   the role it was minted for: 'c' customer, 's' staff;
 *   SIG the HMAC-SHA256 under [mail] token_key of (format, kind,
 *       ticket, recipient address lower-cased, role), lower-case hex,
 *       TOKEN_SIG_LEN characters (96 bits).
 * Each recipient's copy of a mail carries its own token, and a staff
 * token is minted only into staff notifications (notify.c).  A token
 * proves something only for the address it was minted for: its
 * signature is checked against the From: of the reply, so a token
 * forwarded to someone else, or pasted under another From:, names its
 * ticket but proves nothing (policy.h decides what it permits).  All
 * lower-case, so an MTA that folds the local part's case does no harm;
 * the whole local part stays within RFC 5321's 64 octets, or no token
 * is minted (the mail then carries the plain support address).
 *
 * Legacy token (format 1, mail sent before): support+t123.SIG@host or
 * support+c123.SIG@host, SIG the HMAC of "t123" (12 hex).  Still
 * verified, so old mail keeps threading into its ticket, but it carries
 * no authority: it names no recipient and no role.  The second
 * character tells the formats apart: a digit in format 1, a letter in
 * format 2.
 *
 * VERP return path: bounces+OUTBOXID@host, the envelope sender of each
 * outbox row, so a bounce names the row it is about.
 *
 * Pure functions on strings; no I/O, no state.  Signatures are compared
 * in constant time.  Parsers return false on anything that is not
 * exactly theirs (value-parser contract); minting functions return a
 * string to g_free(), or NULL when no key is set.
 */
#ifndef POSTDESK_TOKEN_H
#define POSTDESK_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define TOKEN_SIG_LEN	24	/* hex characters: 96 bits (format 2) */
#define TOKEN_LEGACY_SIG_LEN 12	/* format 1: 48 bits */
#define TOKEN_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define TOKEN_VERP_LOCAL "bounces"

enum token_kind {
	TOKEN_REPLY,		/* t: a reply to a notification */
	TOKEN_COMMENT,		/* c: a reply to a comment notification */
	TOKEN_KIND__MAX
};

/* Who a token was minted for. */
enum token_role {
	TOKEN_ROLE_CUSTOMER,	/* c: requester, Cc, any non-staff copy */
	TOKEN_ROLE_STAFF,	/* s: only in staff notifications */
	TOKEN_ROLE__MAX
};

const char *token_role_to_text(enum token_role);

/* Format 2: "KR123.SIG" for RECIPIENT in ROLE; NULL if KEY is NULL or
 * empty, or RECIPIENT is NULL. */
char	*token_mint(const char *key, enum token_kind, int64_t ticket,
	    const char *recipient, enum token_role);
/* "support+KR123.SIG@host"; NULL without key, or when the local part
 * would pass TOKEN_LOCAL_MAX. */
char	*token_mint_address(const char *support, const char *key,
	    enum token_kind, int64_t ticket, const char *recipient,
	    enum token_role);

/* What a token in a recipient address says, and what it proves. */
struct token_hit {
	enum token_kind	 kind;
	int64_t		 ticket;	/* the ticket it names */
	bool		 legacy;	/* format 1: valid, no authority */
	bool		 for_sender;	/* format 2, minted for FROM */
	enum token_role	 role;		/* its role (format 2) */
};

/*
 * True if TOKEN is a format 2 token with a valid signature for FROM
 * (case-insensitive address), or a valid legacy token; fills *hit.  A
 * format 2 token whose signature does not fit FROM (forwarded, forged,
 * tampered) is also returned, with for_sender false: it names a ticket
 * without proving anything, like a subject tag.
 */
bool	 token_check(const char *key, const char *token, const char *from,
	    struct token_hit *hit);
/* The same for a whole address SUPPORT's local part + token. */
bool	 token_address_check(const char *support, const char *key,
	    const char *addr, const char *from, struct token_hit *hit);

/* Legacy format 1, kept to verify mail already sent (and for tests):
 * "t123.SIG" for TICKET under KEY; NULL if KEY is NULL or empty. */
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
