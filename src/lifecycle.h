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

/*
 * Priorities are configuration ([lifecycle] priorities, highest first).
 * A priority is known by its name and its rank, the name's position in
 * that list: rank 0 is the highest.  The store keeps both (the rank for
 * SQL ordering); LC_RANK_NONE means "not a configured priority".
 */
#define LC_RANK_NONE		(-1)
#define LC_PRIORITIES_MAX	16
#define LC_PRIORITY_NAME_MAX	40

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
	/* HotRush: offered at all (hotrush = no: staff only). */
	bool		 hotrush;
	char		**hotrush_free;	/* turning off does not count */
	int64_t		 hotrush_off_limit; /* per account, elsewhere */
	/* Priorities, highest first (at least one), and the rank of a
	 * new ticket's. */
	char		**priorities;
	int		 n_priorities;
	int		 default_priority;
	/* staff_priorities: set by staff and the rules, never by the
	 * customer's own command or form; by rank. */
	bool		 staff_priority[LC_PRIORITIES_MAX];
	/* SLA first-response targets, seconds, parallel to priorities
	 * (sla_<name>); 0: none; */
	int64_t		 sla[LC_PRIORITIES_MAX];
	int64_t		 sla_hotrush;
	/* Resolution targets (resolve_<name>, resolve_hotrush), the same
	 * way; 0: none. */
	int64_t		 resolve[LC_PRIORITIES_MAX];
	int64_t		 resolve_hotrush;
	/* What postdesk tick does when a target passed (escalate):
	 * bits of enum lc_escalate_action; 0: nothing at all. */
	unsigned	 escalate;
	/* ... of business time when the life cycle names a calendar
	 * ([calendar.NAME]), else around the clock. */
	char		*calendar_name;		/* NULL: none */
	const struct calendar *calendar;	/* owned by the set */
	/* Rating: the statuses in which a ticket may be rated, and the
	 * notice template sent when it reaches one (NULL: none). */
	char		**rating_statuses;
	char		*rating_request;
	char		*rating_refusal; /* "only a closed ticket can be
					    rated" */
	/* Acknowledgement ("thanks") detection. */
	GPtrArray	*ack_sources;	/* char *: full patterns, all languages */
	/* pcre2_code *, parallel to ack_sources; the built-in patterns are
	 * compiled on first use (most processes never need them), those
	 * from the configuration at load, to report errors there. */
	GPtrArray	*ack_patterns;
	int64_t		 ack_max_length;	/* characters */
};

/* escalate = notify-leads; raise-priority */
enum lc_escalate_action {
	LC_ESCALATE_NOTIFY_LEADS	= 1 << 0,
	LC_ESCALATE_RAISE_PRIORITY	= 1 << 1,
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

/*
 * The statuses in which a ticket is done with, in any life cycle of the
 * set: pre_closed, the final ones and the rating statuses ("hide closed
 * and rated": the list shows only tickets still being worked on).
 * g_strfreev.
 */
char	**lifecycle_set_done_statuses(const struct lifecycle_set *);

/* "3d", "12h", "90m", "45s" or plain seconds.  False on bad syntax. */
bool	 text_to_duration(int64_t *out, const char *s);

/*
 * Priorities: NAME (any case) → its rank in LC, or LC_RANK_NONE
 * ("highest" and "lowest" name the ends of any list that has no
 * priority of that name); the
 * name of RANK (NULL if out of range, borrowed); the names joined for a
 * refusal, "Highest, High, Medium, Low or Lowest" (g_free).
 */
int	 lifecycle_priority_rank(const struct lifecycle *, const char *name);
const char *lifecycle_priority_name(const struct lifecycle *, int rank);
char	*lifecycle_priority_list(const struct lifecycle *);
/* The priority of a new ticket. */
const char *lifecycle_default_priority(const struct lifecycle *);
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
	int		 priority;	/* rank in the ticket's life cycle */
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
/* May ROLE choose the priority of RANK (staff_priorities)? */
bool	 lifecycle_can_choose_priority(const struct lifecycle *, int rank,
	    enum lc_role);
/*
 * HotRush.  Turning it on is allowed while open, and by staff only in
 * a life cycle with hotrush = no (X-Cart: HotRush is for technical
 * support, not sales or projects).  Turning it off:
 * always free while in a hotrush_free status; in any other open status
 * a customer may do it while OFFS_USED (the account's counted offs) is
 * below hotrush_off_limit, and *counts says the off must be counted;
 * never once final.  Staff are not limited.
 */
bool	 lifecycle_can_set_hotrush(const struct lifecycle *,
	    const char *status, bool on, enum lc_role, int64_t offs_used,
	    bool *counts, const char **why);
/* Rating 1-5, only in a rating status (rating_statuses; default: the
 * final ones), only by the customer. */
bool	 lifecycle_can_rate(const struct lifecycle *, const char *status,
	    int rating, enum lc_role, const char **why);
bool	 lifecycle_is_rating_status(const struct lifecycle *,
	    const char *status);
/*
 * The rating request template due when a ticket moves FROM → TO: the
 * configured rating_request when TO is a rating status, FROM is not,
 * and the ticket is not rated yet (RATED); else NULL.  Borrowed.
 */
const char *lifecycle_rating_request(const struct lifecycle *,
	    const char *from, const char *to, bool rated);

/*
 * The order of evaluation for one customer message (postdesk-
 * lifecycle(5)): her explicit Status command first, then the message's
 * implicit effect, then the timers (postdesk tick).  VALUE is the
 * command's status (any case; NULL: no Status command).  *DECIDES is
 * true when the command is allowed on T's status: it then decides, and
 * OUT is no effect; otherwise OUT is lifecycle_on_customer_message()'s
 * verdict, applied after the command was refused.
 */
void	 lifecycle_on_customer_command(const struct lifecycle *,
	    const struct lc_ticket *t, int64_t now, bool is_ack,
	    const char *value, bool *decides, struct lc_verdict *out);

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
 * Resolution: a ticket is resolved while its status is final, a rating
 * status, or pre_closed (the staff's answer stood).  Its resolution is
 * due at created + the resolve_ target of its priority (or HotRush),
 * in business time with a calendar; 0 when there is no target.
 */
bool	 lifecycle_is_resolved(const struct lifecycle *, const char *status);
int64_t	 lifecycle_resolution_due(const struct lifecycle *,
	    const struct lc_ticket *t);

/*
 * Escalation (postdesk tick).  A target passed when NOW > due and the
 * ticket still lacks what it measures: a first response (and it is not
 * resolved), or a resolution.  Each target escalates once per ticket:
 * DONE holds the bits of the targets already escalated (its events).
 * OUT gets the targets that escalate now, their due times, whether the
 * leads hear of it, and the priority rank to raise to (LC_RANK_NONE:
 * none; at most one rank per run, never above the highest).
 */
enum lc_target {
	LC_TARGET_FIRST_RESPONSE	= 1 << 0,
	LC_TARGET_RESOLUTION		= 1 << 1,
};
struct lc_escalation {
	unsigned	 targets;	/* bits of enum lc_target */
	int64_t		 first_response_due;
	int64_t		 resolution_due;
	bool		 notify_leads;
	int		 raise_to;	/* rank, or LC_RANK_NONE */
};
void	 lifecycle_escalation(const struct lifecycle *,
	    const struct lc_ticket *t, int64_t now, unsigned done,
	    struct lc_escalation *out);
/*
 * Compliance (the dashboard): how ticket T stands against TARGET at NOW.
 * First response: met when answered by the due time, missed when
 * answered later or still unanswered after it (not measured when it
 * was resolved without a reply).  Resolution:
 * met when resolved (its status since then) by the due time, missed
 * when resolved later or still unresolved after it.  Both against the
 * ticket's current priority.
 */
enum lc_outcome {
	LC_OUTCOME_NONE,	/* no target for this ticket */
	LC_OUTCOME_PENDING,	/* not due yet */
	LC_OUTCOME_MET,
	LC_OUTCOME_MISSED,
	LC_OUTCOME__MAX
};
enum lc_outcome lifecycle_outcome(const struct lifecycle *,
	    const struct lc_ticket *t, enum lc_target target, int64_t now);
/* "first-response", "resolution": the event detail's first word. */
const char *lifecycle_target_to_text(enum lc_target);
/* "notify-leads; raise-priority" → bits; false on an unknown action.
 * "none" and "" give 0. */
bool	 text_to_escalate(unsigned *out, const char *s);

/*
 * Queue order.  Each rank has a weight w, spread evenly from 3 (the
 * highest priority) to 1 (the lowest) whatever the number of priorities,
 * so vocabularies of different lengths compare: with the default three,
 * minor 1, normal 2, major 3; with five, 3, 2.5, 2, 1.5, 1; a single
 * priority weighs 2.  An account's mix m is the mean weight of all its
 * tickets (the ticket being ranked included), or 2 while the account
 * has fewer than LC_MIX_MIN_TICKETS tickets, so a first ticket is taken
 * at its word:
 *
 *	m = (Σ w) / n
 *
 * and a ticket's effective priority is
 *
 *	e = w(rank) + (2 − m)
 *
 * so an account that marks everything highest (m = 3) has those tickets
 * rank exactly like middle ones (e = 2), and an account whose tickets
 * are mostly low gets a bonus.  HotRush tickets come first; then e,
 * highest first; then the oldest ticket first.
 */
#define LC_MIX_MIN_TICKETS	3
struct lc_mix {
	double		 weights;	/* Σ w */
	int64_t		 n;		/* tickets */
};
double	 lifecycle_priority_weight(const struct lifecycle *, int rank);
/* Adds N tickets of RANK in LC (their queue's life cycle) to MIX. */
void	 lifecycle_mix_add(struct lc_mix *, const struct lifecycle *,
	    int rank, int64_t n);
double	 lifecycle_account_mix(const struct lc_mix *);
double	 lifecycle_effective_priority(const struct lifecycle *, int rank,
	    const struct lc_mix *account);
/* qsort-style comparison for queue order; negative if A goes first. */
int	 lifecycle_queue_cmp(bool a_hotrush, double a_eff, int64_t a_created,
	    bool b_hotrush, double b_eff, int64_t b_created);

#endif
