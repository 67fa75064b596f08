/*
 * fetch: take mail from mailbox sources (IMAP, POP3, Maildir, mbox) into
 * the store through intake, the same path as postdesk-ingest.
 *
 * The guarantee: a message is flagged \Seen, moved or deleted on the
 * server (or marked seen / removed in a Maildir) only after the
 * transaction that stored it has committed, and the store remembers what
 * is still owed to the server ("pending"), so a crash at any point loses
 * nothing and doubles nothing: the next pass first finishes what was
 * owed, and a message fetched again is a duplicate (same Message-ID and
 * body) that intake ignores.  IMAP state (UIDVALIDITY, last UID) and
 * POP3 UIDLs live in the store (store_fetch.c).
 *
 * Only the fetch*.c files include libetpan.  These modules belong to the
 * postdesk-fetch program and log per-message problems themselves (log.c);
 * whole-source failures come back as GErrors in FETCH_ERROR.
 */
#ifndef POSTDESK_FETCH_H
#define POSTDESK_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "fetch_url.h"
#include "store.h"

#define FETCH_ERROR (fetch_error_quark())
enum fetch_error_code {
	FETCH_ERROR_CONNECT,	/* unreachable, refused, timed out */
	FETCH_ERROR_TLS,	/* no TLS offered, or certificate refused */
	FETCH_ERROR_AUTH,	/* login refused */
	FETCH_ERROR_PROTOCOL,	/* the server said no / spoke nonsense */
	FETCH_ERROR_MAILBOX,	/* no such folder, unreadable Maildir */
	FETCH_ERROR_STORE,	/* our database: transient, try later */
	FETCH_ERROR_UNSUPPORTED	/* e.g. move_to with POP3 */
};

enum fetch_after { FETCH_AFTER_SEEN, FETCH_AFTER_MOVE, FETCH_AFTER_DELETE };

struct rules;
struct auth;
struct oauth2;

struct fetch_options {
	const struct config *config;
	const struct rules *rules;	/* [rules] scripts, may be NULL */
	struct auth	*auth;		/* SPF from trusted headers; NULL */
	struct store	*store;
	const char	*password;	/* remote sources */
	struct oauth2	*oauth2;	/* IMAP with XOAUTH2 instead */
	const char	*ca_file;	/* NULL: the system's CAs */
	enum fetch_after after;
	const char	*move_to;
	unsigned	 batch;		/* messages per transaction */
	int		 timeout;	/* network, seconds */
	/* Test hook: "fetched" or "committed" ends the process (exit 99)
	 * right after that step, to prove crash safety. */
	const char	*stop_at;
};

struct fetch_stats {
	uint64_t	 fetched;
	uint64_t	 new_tickets;
	uint64_t	 replies;
	uint64_t	 duplicates;
	uint64_t	 quarantined;
	uint64_t	 failed;	/* per message, retried next pass */
};

struct fetch_source;

GQuark	 fetch_error_quark(void);
/* "seen", "move", "delete" → enum; false if unknown. */
bool	 text_to_fetch_after(enum fetch_after *out, const char *s);

/* No I/O yet.  URL and OPTIONS must outlive the source. */
struct fetch_source *fetch_source_new(const struct fetch_url *,
	    const struct fetch_options *);
void	 fetch_source_free(struct fetch_source *);	/* logs out */
/*
 * One pass over the source.  False with err when the source could not be
 * read at all (connect, TLS, login, folder, database; or no OAuth2
 * access token: OAUTH2_ERROR, oauth2.h); then nothing was stored for it
 * and nothing changed on the server.  With KEEP the IMAP
 * connection stays open for fetch_source_idle().
 */
bool	 fetch_source_pass(struct fetch_source *, bool keep,
	    struct fetch_stats *, GError **err);
/*
 * Waits up to SECONDS for news with IMAP IDLE.  Returns false at once
 * (err unset) when IDLE is not available; the caller then sleeps.
 */
bool	 fetch_source_idle(struct fetch_source *, int seconds, GError **err);

#endif
