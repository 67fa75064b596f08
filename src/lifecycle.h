/*
 * lifecycle: the ticket life cycle as configuration, and the pure rules
 * that decide what may happen to a ticket.
 *
 * A life cycle is read from the [lifecycle] group of postdesk.conf and,
 * per queue, [lifecycle.QUEUE] groups that override single keys (see
 * postdesk.conf.5).  Built-in defaults reproduce the reference helpdesk:
 *
 *   submitted → assigned → in-progress ⇄ waiting-for-customer
 *             → pre-closed → closed;  pre-closed/closed → reopened
 *
 * Every function below is pure: it looks only at its arguments (time is
 * passed in as NOW), touches no database and logs nothing, so the rules
 * can be tested to the second.  Callers (intake, postdesk tick, the CLI,
 * the web viewer) apply the verdicts and write the events.
 *
 * Error contract: lifecycle_set_from_keyfile() returns false with err in
 * CONFIG_ERROR, "FILE:LINE: [group] key: reason" like the rest of
 * config.c.  The lifecycle_can*() family
 * returns false and sets *why to a static, human-readable reason (never
 * freed).  Returned structs belong to the set; free the set with
 * lifecycle_set_free().
 */
#ifndef POSTDESK_LIFECYCLE_H
#define POSTDESK_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "calendar.h"

enum lc_role {
	LC_ROLE_CUSTOMER,	/* requester, CC or organization member */
	LC_ROLE_STAFF,
	LC_ROLE_SYSTEM,		/* timers and automatic effects of mail */
	LC_ROLE__MAX
};

enum lc_priority {
	LC_PRIO_MINOR,
	LC_PRIO_NORMAL,
	LC_PRIO_MAJOR,
	LC_PRIO__MAX
};

/* What preclose_after counts from. */
enum lc_basis {
	LC_BASIS_STAFF_REPLY,	/* the last staff reply, if nobody wrote since */
	LC_BASIS_LAST_MESSAGE,	/* the last message of anyone */
	LC_BASIS__MAX
};

struct lc_transition {
	char		*from;		/* "*" = any status */
	char		*to;
	unsigned	 roles;		/* bit (1 << enum lc_role) */
};

/* preclose_after[ATTR]: the requester's organization attribute ATTR is
 * set (not empty, no, false, off or 0). */
struct lc_attr_timer {
	char		*attr;
	int64_t		 after;		/* seconds; 0: no pre-close */
};

struct lifecycle {
	char		*queue;		/* NULL for the default */
	char		**statuses;	/* all names, NULL-terminated */
	GPtrArray	*transitions;	/* of struct lc_transition */
	/* The statuses with a meaning to the rules. */
	char		*initial;	/* a new ticket */
	char		*assigned;	/* set when an owner is set */
	char		*working;	/* staff are on it */
	char		*waiting;	/* waiting for the customer */
	char		*pre_closed;
	char		*closed;
	char		*reopened;
	char		**final;	/* no changes but reopening */
	char		**staff_reply_to_waiting; /* statuses a reply moves on */
	/* Timers, seconds; 0 switches a timer off. */
	char		**preclose_from;
	int64_t		 preclose_after;
	enum lc_basis	 preclose_basis;
	GPtrArray	*preclose_by_attr; /* of struct lc_attr_timer, by
					   key name; the first match wins */
	int64_t		 close_after;
	int64_t		 reopen_window;
	/* HotRush. */
	char		**hotrush_free;	/* turning off does not count */
	int64_t		 hotrush_off_limit; /* per account, elsewhere */
	/* SLA first-response targets, seconds: of business time when the
	 * life cycle names a calendar ([calendar.NAME]), else around the
	 * clock. */
	int64_t		 sla[LC_PRIO__MAX];
	int64_t		 sla_hotrush;
	char		*calendar_name;		/* NULL: none */
	const struct calendar *calendar;	/* owned by the set */
	/* Acknowledgement ("thanks") detection. */
	GPtrArray	*ack_sources;	/* char *: full patterns, all languages */
	/* pcre2_code *, parallel to ack_sources; the built-in patterns are
	 * compiled on first use (most processes never need them), those
	 * from the configuration at load, to report errors there. */
	GPtrArray	*ack_patterns;
	int64_t		 ack_max_length;	/* characters */
};

struct lifecycle_set;

/* The built-in default life cycle, for every queue. */
struct lifecycle_set *lifecycle_set_new_default(void);
/*
 * Reads [lifecycle] and every [lifecycle.QUEUE] from KF; groups that are
 * absent keep the defaults.  PATH and TEXT (the file's text, may be
 * NULL) are only used in messages: the line named is the key's, else
 * its group's header.
 */
bool	 lifecycle_set_from_keyfile(struct lifecycle_set **out, GKeyFile *kf,
	    const char *path, const char *text, GError **err);
void	 lifecycle_set_free(struct lifecycle_set *);
/* An acknowledgement pattern as matched: the whole text, any case. */
char	*lifecycle_ack_source(const char *pattern);	/* g_free */
/* pcre2_compile() options of the acknowledgement patterns. */
#define LIFECYCLE_ACK_FLAGS	(PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP)
/* The life cycle of QUEUE (NULL or unknown: the default).  Borrowed. */
const struct lifecycle *lifecycle_for(const struct lifecycle_set *,
	    const char *queue);

/* "3d", "12h", "90m", "45s" or plain seconds.  False on bad syntax. */
bool	 text_to_duration(int64_t *out, const char *s);
bool	 text_to_priority(enum lc_priority *out, const char *s);
const char *lifecycle_priority_to_text(enum lc_priority);
bool	 text_to_role(enum lc_role *out, const char *s);
const char *lifecycle_role_to_text(enum lc_role);

bool	 lifecycle_has_status(const struct lifecycle *, const char *status);
bool	 lifecycle_is_final(const struct lifecycle *, const char *status);

/* May ROLE move a ticket FROM → TO? */
bool	 lifecycle_can(const struct lifecycle *, const char *from,
	    const char *to, enum lc_role, const char **why);

/* The ticket facts the time-based rules need (unix seconds; 0 = never). */
struct lc_ticket {
	const char	*status;
	int64_t		 status_since;	/* when the status was last set */
	int64_t		 created;
	int64_t		 last_staff_reply;
	int64_t		 last_customer;	/* last customer message */
	int64_t		 last_message;	/* last message of anyone */
	int64_t		 first_response;	/* first staff reply */
	bool		 hotrush;
	enum lc_priority priority;
	/* "name=value" attributes of the requester's organization,
	 * NULL-terminated; NULL when she is in none. */
	const char *const *org_attrs;
};

enum lc_effect {
	LC_EFFECT_NONE,		/* message recorded, status unchanged */
	LC_EFFECT_STATUS,	/* status changes to ->to */
	LC_EFFECT_ACK,		/* an acknowledgement: recorded, no reopen */
	LC_EFFECT_FOLLOW_UP,	/* closed too long: new ticket, linked */
	LC_EFFECT__MAX
};

struct lc_verdict {
	enum lc_effect	 effect;
	const char	*to;		/* new status, borrowed from the lc */
	const char	*why;		/* static text */
};

/*
 * A customer message arrived at NOW on ticket T.  IS_ACK says whether
 * its new text is an acknowledgement (lifecycle_is_ack()).  The reopen
 * window is inclusive: a message exactly reopen_window seconds after
 * closing still reopens.
 */
void	 lifecycle_on_customer_message(const struct lifecycle *,
	    const struct lc_ticket *t, int64_t now, bool is_ack,
	    struct lc_verdict *out);
/* A staff reply (not an internal note) to ticket T. */
void	 lifecycle_on_staff_reply(const struct lifecycle *,
	    const struct lc_ticket *t, struct lc_verdict *out);
/* True if TEXT (the new text, quotes stripped) is a short "thanks". */
bool	 lifecycle_is_ack(const struct lifecycle *, const char *text);

/*
 * Timers: the transition due for T, if any, and when it is or was due.
 * A timer fires when NOW >= due (exactly at the boundary it fires; one
 * second before it does not).  Returns LC_EFFECT_NONE or _STATUS.
 */
void	 lifecycle_due(const struct lifecycle *, const struct lc_ticket *t,
	    int64_t now, struct lc_verdict *out, int64_t *due);
/* The pre-close period of T: the first preclose_after[ATTR] whose
 * attribute matches T's organization, else preclose_after.  *by (may
 * be NULL) gets the matching timer or NULL. */
int64_t	 lifecycle_preclose_after(const struct lifecycle *,
	    const struct lc_ticket *t, const struct lc_attr_timer **by);
/* True if organization attribute VALUE counts as set. */
bool	 lifecycle_attr_is_set(const char *value);

/* Priority may change while the ticket is open (not final). */
bool	 lifecycle_can_set_priority(const struct lifecycle *,
	    const char *status, enum lc_role, const char **why);
/*
 * HotRush.  Turning it on is allowed while open.  Turning it off:
 * always free while in a hotrush_free status; in any other open status
 * a customer may do it while OFFS_USED (the account's counted offs) is
 * below hotrush_off_limit, and *counts says the off must be counted;
 * never once final.  Staff are not limited.
 */
bool	 lifecycle_can_set_hotrush(const struct lifecycle *,
	    const char *status, bool on, enum lc_role, int64_t offs_used,
	    bool *counts, const char **why);
/* Rating 1-5, only on a final (closed) ticket, only by the customer. */
bool	 lifecycle_can_rate(const struct lifecycle *, const char *status,
	    int rating, enum lc_role, const char **why);

/*
 * SLA: when the first staff response is due (created + target of the
 * priority, or of HotRush), and whether it is overdue at NOW (no first
 * response yet and NOW > due, or a first response later than due).
 */
int64_t	 lifecycle_first_response_due(const struct lifecycle *,
	    const struct lc_ticket *t);
bool	 lifecycle_overdue(const struct lifecycle *,
	    const struct lc_ticket *t, int64_t now);

/*
 * Queue order.  Each priority has a weight w: minor 1, normal 2, major
 * 3.  An account's mix m is the mean weight of all its tickets (the
 * ticket being ranked included), or 2 while the account has fewer than
 * LC_MIX_MIN_TICKETS tickets, so a first ticket is taken at its word:
 *
 *	m = (1·n_minor + 2·n_normal + 3·n_major) / n
 *
 * and a ticket's effective priority is
 *
 *	e = w(priority) + (2 − m)
 *
 * so an account that marks everything major (m = 3) has its major
 * tickets rank exactly like normal ones (e = 2), and an account whose
 * tickets are mostly minor gets a bonus (all minor: a minor ticket ranks
 * like normal, a major one above every neutral major).  HotRush tickets
 * come first; then e, highest first; then the oldest ticket first.
 */
#define LC_MIX_MIN_TICKETS	3
double	 lifecycle_account_mix(const int64_t counts[LC_PRIO__MAX]);
double	 lifecycle_effective_priority(enum lc_priority,
	    const int64_t account_counts[LC_PRIO__MAX]);
/* qsort-style comparison for queue order; negative if A goes first. */
int	 lifecycle_queue_cmp(bool a_hotrush, double a_eff, int64_t a_created,
	    bool b_hotrush, double b_eff, int64_t b_created);

#endif
