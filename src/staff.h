/*
 * staff: who the staff are, what they may work on, and who of them
 * hears about a ticket (issue 17).
 *
 * A staff account lives in the store (store_staff.h): an address, a
 * role, the queues it works, and a notification preference.  Until the
 * store holds an account of its own, the [staff] addresses of the
 * config are the staff, each an admin of every queue with the "mine"
 * preference (the bootstrap list).  Once the store has one account, the
 * list grants nothing: a site moves to accounts in one step.
 *
 *   agent   works the queues given: commands, replies relayed
 *   lead    the same, and gets the escalations of those queues
 *   admin   every queue (or the queues given, for notices)
 *
 * Everything here but staff_dir_load() and staff_active() is pure: no
 * I/O, no state.  Ownership: struct staff and struct staff_dir from
 * _new/_load are freed with their _free (NULL is fine); returned
 * const pointers are borrowed from the directory.
 */
#ifndef POSTDESK_STAFF_H
#define POSTDESK_STAFF_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"

struct store;

enum staff_role {
	STAFF_AGENT,
	STAFF_LEAD,
	STAFF_ADMIN,
	STAFF_ROLE__MAX
};

/* Which tickets' notices a staff member wants. */
enum staff_notify {
	STAFF_NOTIFY_ALL,	/* every ticket of my queues */
	STAFF_NOTIFY_MINE,	/* tickets I own or wrote in, and my
				   queues' tickets while they have no
				   owner */
	STAFF_NOTIFY_NONE,	/* nothing */
	STAFF_NOTIFY__MAX
};

struct staff {
	char		*address;	/* lower-case */
	char		*name;		/* may be NULL */
	enum staff_role	 role;
	char		**queues;	/* NULL-terminated, never NULL */
	enum staff_notify notify;
	bool		 disabled;
	bool		 bootstrap;	/* from [staff] addresses */
	int64_t		 created, updated;
};

/* All staff: the store's accounts, or the bootstrap list. */
struct staff_dir {
	GPtrArray	*all;		/* of struct staff, by address */
	bool		 bootstrap;	/* the store has no account */
};

struct staff	*staff_new(const char *address);
void		 staff_free(struct staff *);

const char	*staff_role_to_text(enum staff_role);
bool		 text_to_staff_role(enum staff_role *, const char *);
const char	*staff_notify_to_text(enum staff_notify);
bool		 text_to_staff_notify(enum staff_notify *, const char *);
/* "support,sales" → { "support", "sales", NULL } (g_strfreev); false
 * for an empty or malformed name.  "" gives an empty list. */
bool		 text_to_staff_queues(char ***out, const char *s);
/* The reverse, for the store and for listings ("" for none). */
char		*staff_queues_to_text(char *const *queues);

/* The directory the store and config give (bootstrap if the store has
 * no account).  Fails only with STORE_ERROR. */
bool		 staff_dir_load(struct store *, const struct config *,
		    struct staff_dir **out, GError **err);
/* The bootstrap directory of C alone (what staff_dir_load() gives for
 * a store without accounts). */
struct staff_dir *staff_dir_bootstrap(const struct config *);
void		 staff_dir_free(struct staff_dir *);
/* The account of ADDR (any case), disabled ones too; NULL if none. */
const struct staff *staff_dir_find(const struct staff_dir *,
		    const char *addr);

/*
 * The account of ADDR now (*out, staff_free; disabled ones too), or a
 * bootstrap admin while the store has no account, or NULL.
 */
bool		 staff_lookup(struct store *, const struct config *,
		    const char *addr, struct staff **out, GError **err);
/*
 * *out: ADDR is staff with authority now (an enabled account, or on
 * the bootstrap list while the store has no account).  Two indexed
 * reads, so that disabling takes effect at once everywhere.
 */
bool		 staff_active(struct store *, const struct config *,
		    const char *addr, bool *out, GError **err);

/* S works QUEUE (hears of its tickets): it is one of its queues, or S
 * is an admin without a queue list. */
bool		 staff_works_queue(const struct staff *, const char *queue);
/* S may act on a ticket of QUEUE: an admin anywhere (its queues only
 * narrow what it hears of), others in the queues they work. */
bool		 staff_may_act(const struct staff *, const char *queue);

/*
 * The owner an "Owner:" value names: "none" (*out NULL); an enabled
 * account's address; or the local part of exactly one ("bob").  False
 * and *why (static) for anything else: unknown, disabled, ambiguous.
 */
bool		 staff_resolve_owner(const struct staff_dir *,
		    const char *value, char **out, const char **why);

/* What a staff notice is about. */
struct staff_notice {
	const char	*queue;		/* the ticket's queue */
	const char	*owner;		/* its owner, or NULL */
	const char	*author;	/* who wrote the message, or NULL */
	GPtrArray	*writers;	/* addresses (char *) that wrote in
					   the ticket; may be NULL */
};

/*
 * Who gets a ticket's staff notice (addresses, g_free'd by the array),
 * never everyone: its owner; while it has no owner (or its owner has
 * no authority any more), the staff of its queue; and whoever asked
 * for more by preference — "all": every ticket of their queues,
 * "mine": tickets they wrote in.  "none" gets nothing; the author gets
 * nothing.  A queue no enabled account works falls to the admins, so
 * that no ticket goes unseen.
 */
GPtrArray	*staff_notice_recipients(const struct staff_dir *,
		    const struct staff_notice *);

/*
 * Who gets an escalation of QUEUE: its leads; no lead, the admins who
 * work it; none, every admin.  For SLA escalation by postdesk tick
 * (lifecycle_escalate.c).
 */
GPtrArray	*staff_escalation_recipients(const struct staff_dir *,
		    const char *queue);

#endif
