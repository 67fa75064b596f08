/*
 * store_web: the queries of the web viewer (store_web.c), kept apart from
 * store.h so the viewer's needs do not grow the core interface.
 *
 * Every list query is bounded by a LIMIT and walks an index in the
 * requested order (tickets_updated, tickets_created, tickets_order,
 * tickets_status, participants_address, the FTS5 index), so a page costs
 * the same on a large database as on a small one.
 *
 * Error contract: as store.h — bool + GError in STORE_ERROR.  Returned
 * arrays free their elements; structs are freed with their _free().
 */
#ifndef POSTDESK_STORE_WEB_H
#define POSTDESK_STORE_WEB_H

#include "store.h"

enum store_web_sort {
	STORE_WEB_SORT_QUEUE,	/* HotRush, then priority, oldest first */
	STORE_WEB_SORT_UPDATED,	/* most recently updated first */
	STORE_WEB_SORT_CREATED,	/* newest first */
	STORE_WEB_SORT__MAX
};

struct store_web_filter {
	const char	*status;	/* NULL: any */
	const char	*queue;
	const char	*priority;
	int		 hotrush;	/* -1 any, 0 off, 1 on */
	/* "Hide closed and rated": tickets in these statuses are left
	 * out (lifecycle_set_done_statuses()); NULL: none are. */
	const char *const *hide_statuses;
	/* Only tickets this customer may see (store_web_ticket_visible);
	 * NULL: all (staff). */
	const char	*participant;
	enum store_web_sort sort;
	int64_t		 limit;
	int64_t		 offset;
};

struct store_web_hit {
	int64_t	 message_row;
	int64_t	 ticket_id;
	char	*subject;	/* the ticket's */
	char	*from_addr;
	int64_t	 date;		/* received */
	/* Some words around the first match, which is wrapped in
	 * \001 ... \002 (store_web_snippet()). */
	char	*snippet;
};

/*
 * The snippet of a search hit: about WORDS words of HIGHLIGHTED (text
 * whose matches are wrapped in \001 ... \002) from a little before its
 * first match (some words before it, WORDS from it), with "…" where
 * text was left out; a match is never cut.
 * FTS5's own snippet() costs time quadratic in the matches of a
 * document, which a 20 MB message turns into minutes.
 */
char	*store_web_snippet(const char *highlighted, int words);

/* A day's count of new tickets in one queue. */
struct store_web_day {
	int64_t	 day;		/* unix seconds / 86400 */
	char	*queue;
	int64_t	 n;
};

struct store_web_count {
	char	*name;
	int64_t	 n;
};

/* First response: created, first public outbound message (0: none). */
struct store_web_response {
	int64_t	 created;
	int64_t	 first;
	bool	 hotrush;
	char	*queue;		/* freed by the array's clear function */
};

/* The SLA facts of a ticket, for the compliance chart. */
struct store_web_sla {
	int64_t	 created;
	int64_t	 first_response;	/* first staff reply, 0: none */
	int64_t	 status_since;
	int	 priority_rank;
	bool	 hotrush;
	char	*queue;		/* freed by the array's clear function */
	char	*status;	/* likewise */
};

/* Of struct ticket (n_messages filled). */
bool	 store_web_tickets(struct store *, const struct store_web_filter *,
	    GPtrArray **out, GError **err);

/*
 * Full-text search (FTS5 or PostgreSQL's tsvector: db_fts()).  QUERY
 * must come from store_web_fts_query(); PARTICIPANT as in the filter (a customer also
 * never sees internal messages).  Newest first.
 */
bool	 store_web_search(struct store *, const char *query,
	    const char *participant, int64_t limit, int64_t offset,
	    GPtrArray **out, GError **err);	/* of struct store_web_hit */
/* Free text → a query of quoted terms (implicit AND): FTS5 syntax,
 * and plain words to PostgreSQL's plainto_tsquery(); NULL if the text
 * has no term.  g_free. */
char	*store_web_fts_query(const char *text);
void	 store_web_hit_free(struct store_web_hit *);

/*
 * May customer ADDR see TICKET?  She may if she takes part in it or its
 * requester is in her organization and her role may view it
 * (store_web_set_org_view()).
 */
bool	 store_web_ticket_visible(struct store *, int64_t ticket,
	    const char *addr, bool *yes, GError **err);

/* The roles (NULL-terminated) whose members see their organization's
 * tickets in the queries above, as the permission table's view row
 * decided (web_viewer_resolve()).  Not called: every role. */
void	 store_web_set_org_view(struct store *, const char *const *roles);

/* An attachment with its message's ticket and internal flag. */
bool	 store_web_attachment(struct store *, int64_t id,
	    struct attachment **out, int64_t *ticket, bool *internal,
	    GError **err);	/* NOTFOUND if absent */


/* Dashboard figures. */
bool	 store_web_opened_per_day(struct store *, int64_t since,
	    GPtrArray **out, GError **err);	/* of struct store_web_day */
bool	 store_web_backlog(struct store *, GPtrArray **out,
	    GError **err);	/* of struct store_web_count, not closed */
bool	 store_web_first_responses(struct store *, int64_t since,
	    GArray **out, GError **err);
/* Of struct store_web_sla: the tickets created at or after SINCE, by
 * queue (at most 100000). */
bool	 store_web_sla_facts(struct store *, int64_t since, GArray **out,
	    GError **err);	/* of store_web_response */
void	 store_web_day_free(struct store_web_day *);
void	 store_web_count_free(struct store_web_count *);

/*
 * Sign-in links and the sessions they open (web_link.c decides, these
 * only read and write).  Times are unix seconds; revoked is when, 0 if
 * not.  A session's link_revoked is its link's, read in the same query,
 * so revoking a link ends its sessions even before their rows change.
 */
struct store_web_link {
	char	*id;
	char	*address;
	int64_t	 ticket;	/* the page it opens; 0: the list */
	int64_t	 created;
	int64_t	 expires;
	int64_t	 revoked;
	int64_t	 used;		/* last sign-in; 0: never */
};

struct store_web_session {
	char	*id;
	char	*link_id;
	char	*address;
	int64_t	 created;
	int64_t	 expires;
	int64_t	 last_seen;
	int64_t	 revoked;
	int64_t	 link_revoked;
};

bool	 store_web_link_add(struct store *, const struct store_web_link *,
	    GError **err);
/* *out is NULL if there is no such link. */
bool	 store_web_link_get(struct store *, const char *id,
	    struct store_web_link **out, GError **err);
/* Inserts the session and marks its link used, in one transaction. */
bool	 store_web_session_open(struct store *,
	    const struct store_web_session *, GError **err);
/* *out is NULL if there is no such session. */
bool	 store_web_session_get(struct store *, const char *id,
	    struct store_web_session **out, GError **err);
bool	 store_web_session_seen(struct store *, const char *id, int64_t now,
	    GError **err);
/*
 * Ends, at NOW, the links of ADDRESS (or the one link LINK_ID; the
 * other is NULL) that are still live, and their sessions; *links and
 * *sessions count what was ended.  Two statements: call it inside a
 * transaction.
 */
bool	 store_web_revoke(struct store *, const char *address,
	    const char *link_id, int64_t now, int64_t *links,
	    int64_t *sessions, GError **err);
/* The newest 100 links of ADDRESS, newest first. */
bool	 store_web_links_of(struct store *, const char *address,
	    GPtrArray **out, GError **err);	/* of struct store_web_link */
/* The newest 100 sessions of ADDRESS; LIVE_AT > 0: only those neither
 * revoked (nor their link) nor expired at that time. */
bool	 store_web_sessions_of(struct store *, const char *address,
	    int64_t live_at, GPtrArray **out, GError **err);
void	 store_web_link_free(struct store_web_link *);
void	 store_web_session_free(struct store_web_session *);

#endif
