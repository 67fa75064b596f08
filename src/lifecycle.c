/*
 * lifecycle: the pure rules.  Reading the configuration is in
 * lifecycle_conf.c.
 */
#include "pdconfig.h"

#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "lifecycle.h"

static bool
in_strv(char *const *v, const char *s)
{
	for (; v != NULL && s != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

bool
lifecycle_has_status(const struct lifecycle *lc, const char *status)
{
	return in_strv(lc->statuses, status);
}

bool
lifecycle_is_final(const struct lifecycle *lc, const char *status)
{
	return in_strv(lc->final, status);
}

int
lifecycle_priority_rank(const struct lifecycle *lc, const char *name)
{
	int	 i;

	for (i = 0; name != NULL && i < lc->n_priorities; i++)
		if (g_ascii_strcasecmp(lc->priorities[i], name) == 0)
			return i;
	/* The ends by their place, whatever the vocabulary calls them, so
	 * that a shared rule ("a store that is down") fits every one. */
	if (name != NULL && lc->n_priorities > 0 &&
	    g_ascii_strcasecmp(name, "highest") == 0)
		return 0;
	if (name != NULL && lc->n_priorities > 0 &&
	    g_ascii_strcasecmp(name, "lowest") == 0)
		return lc->n_priorities - 1;
	return LC_RANK_NONE;
}

const char *
lifecycle_priority_name(const struct lifecycle *lc, int rank)
{
	return rank >= 0 && rank < lc->n_priorities ? lc->priorities[rank] :
	    NULL;
}

const char *
lifecycle_default_priority(const struct lifecycle *lc)
{
	return lc->priorities[lc->default_priority];
}

char *
lifecycle_priority_list(const struct lifecycle *lc)
{
	GString	*g = g_string_new(NULL);
	int	 i;

	for (i = 0; i < lc->n_priorities; i++) {
		if (i > 0)
			g_string_append(g, i + 1 == lc->n_priorities ?
			    " or " : ", ");
		g_string_append(g, lc->priorities[i]);
	}
	return g_string_free(g, FALSE);
}

const char *
lifecycle_role_to_text(enum lc_role r)
{
	static const char *const names[LC_ROLE__MAX] = {
		"customer", "staff", "system"
	};

	return r < LC_ROLE__MAX ? names[r] : "?";
}

bool
text_to_role(enum lc_role *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < LC_ROLE__MAX; i++)
		if (g_ascii_strcasecmp(s, lifecycle_role_to_text(i)) == 0) {
			*out = (enum lc_role)i;
			return true;
		}
	return false;
}

bool
text_to_duration(int64_t *out, const char *s)
{
	guint64	 v;
	char	*end;
	int64_t	 mult = 1;

	if (s == NULL || !g_ascii_isdigit(*s))
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	switch (*end) {
	case 'd': mult = 86400; end++; break;
	case 'h': mult = 3600; end++; break;
	case 'm': mult = 60; end++; break;
	case 's': end++; break;
	default: break;
	}
	if (*end != '\0' || v > (guint64)(G_MAXINT64 / mult))
		return false;
	*out = (int64_t)v * mult;
	return true;
}

/* The roles allowed FROM → TO (exact and wildcard rows), 0 if none. */
static unsigned
transition_roles(const struct lifecycle *lc, const char *from, const char *to)
{
	unsigned roles = 0;
	guint	 i;
	bool	 any = false;

	for (i = 0; i < lc->transitions->len; i++) {
		const struct lc_transition *t = lc->transitions->pdata[i];

		if (strcmp(t->to, to) != 0)
			continue;
		/* A wildcard never starts from a final status. */
		if (strcmp(t->from, from) == 0 || (strcmp(t->from, "*") == 0 &&
		    !lifecycle_is_final(lc, from))) {
			roles |= t->roles;
			any = true;
		}
	}
	return any ? roles : 0;
}

bool
lifecycle_can(const struct lifecycle *lc, const char *from, const char *to,
    enum lc_role role, const char **why)
{
	unsigned roles;

	if (!lifecycle_has_status(lc, to)) {
		*why = "no such status in this queue's life cycle";
		return false;
	}
	if (from != NULL && strcmp(from, to) == 0) {
		*why = "the ticket already has that status";
		return false;
	}
	if (from == NULL || (roles = transition_roles(lc, from, to)) == 0) {
		*why = "the life cycle has no such transition";
		return false;
	}
	if ((roles & (1u << role)) == 0) {
		*why = role == LC_ROLE_CUSTOMER ?
		    "customers may not make this change" :
		    role == LC_ROLE_STAFF ? "staff may not make this change" :
		    "not an automatic transition";
		return false;
	}
	*why = "allowed";
	return true;
}

static void
verdict(struct lc_verdict *v, enum lc_effect e, const char *to,
    const char *why)
{
	v->effect = e;
	v->to = to;
	v->why = why;
}

void
lifecycle_on_customer_message(const struct lifecycle *lc,
    const struct lc_ticket *t, int64_t now, bool is_ack,
    struct lc_verdict *out)
{
	const char	*s = t->status;

	if (s == NULL) {
		verdict(out, LC_EFFECT_NONE, NULL, "no status");
		return;
	}
	if (lc->waiting != NULL && strcmp(s, lc->waiting) == 0 &&
	    lc->working != NULL) {
		verdict(out, LC_EFFECT_STATUS, lc->working,
		    "the customer answered");
		return;
	}
	if (lc->pre_closed != NULL && strcmp(s, lc->pre_closed) == 0) {
		if (is_ack)
			verdict(out, LC_EFFECT_ACK, NULL, "an acknowledgement "
			    "to a pre-closed ticket does not reopen it");
		else if (lc->reopened != NULL)
			verdict(out, LC_EFFECT_STATUS, lc->reopened,
			    "a customer message reopens a pre-closed ticket");
		else
			verdict(out, LC_EFFECT_NONE, NULL, "no reopen status");
		return;
	}
	if (!lifecycle_is_final(lc, s)) {
		verdict(out, LC_EFFECT_NONE, NULL, "the ticket is open");
		return;
	}
	if (is_ack)
		verdict(out, LC_EFFECT_ACK, NULL, "an acknowledgement to a "
		    "closed ticket does not reopen it");
	else if (lc->reopened != NULL && lc->reopen_window > 0 &&
	    now - t->status_since <= lc->reopen_window)
		verdict(out, LC_EFFECT_STATUS, lc->reopened, "a customer "
		    "message within the reopen window reopens the ticket");
	else
		verdict(out, LC_EFFECT_FOLLOW_UP, lc->initial, "closed longer "
		    "than the reopen window: a follow-up ticket is opened");
}

void
lifecycle_on_staff_reply(const struct lifecycle *lc,
    const struct lc_ticket *t, struct lc_verdict *out)
{
	if (lc->waiting != NULL && in_strv(lc->staff_reply_to_waiting,
	    t->status))
		verdict(out, LC_EFFECT_STATUS, lc->waiting,
		    "staff replied; waiting for the customer");
	else
		verdict(out, LC_EFFECT_NONE, NULL, "status unchanged");
}

/* Collapses runs of horizontal white space; trims. */
static char *
normalize(const char *text)
{
	GString	*g = g_string_new(NULL);
	char	*t = g_strstrip(g_strdup(text));
	const char *p;
	bool	 space = false;

	for (p = t; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			space = true;
			continue;
		}
		if (space && *p != '\n' && g->len > 0 &&
		    g->str[g->len - 1] != '\n')
			g_string_append_c(g, ' ');
		space = false;
		g_string_append_c(g, *p);
	}
	g_free(t);
	return g_string_free(g, FALSE);
}

static bool
ack_match(const struct lifecycle *lc, const char *s)
{
	pcre2_match_data *md;
	guint	 i;
	bool	 hit = false;

	for (i = 0; !hit && i < lc->ack_patterns->len; i++) {
		pcre2_code	*re = lc->ack_patterns->pdata[i];
		int		 ec;
		PCRE2_SIZE	 off;

		if (re == NULL) {
			re = pcre2_compile((PCRE2_SPTR)
			    lc->ack_sources->pdata[i], PCRE2_ZERO_TERMINATED,
			    LIFECYCLE_ACK_FLAGS, &ec, &off, NULL);
			if (re == NULL)
				continue;	/* shipped patterns compile */
			lc->ack_patterns->pdata[i] = re;
		}

		md = pcre2_match_data_create_from_pattern(re, NULL);
		hit = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md,
		    NULL) >= 0;
		pcre2_match_data_free(md);
	}
	return hit;
}

/* A last line of at most three words is taken as a name ("Bob"). */
static char *
without_name_line(const char *s)
{
	const char	*nl = strrchr(s, '\n');
	char		**words;
	guint		 n;

	if (nl == NULL)
		return NULL;
	words = g_strsplit(nl + 1, " ", -1);
	n = g_strv_length(words);
	g_strfreev(words);
	return n <= 3 ? g_strndup(s, (gsize)(nl - s)) : NULL;
}

bool
lifecycle_is_ack(const struct lifecycle *lc, const char *text)
{
	char	*n, *short_;
	bool	 hit;

	if (text == NULL || lc->ack_max_length <= 0 ||
	    !g_utf8_validate(text, -1, NULL))
		return false;
	n = normalize(text);
	if (*n == '\0' || g_utf8_strlen(n, -1) > lc->ack_max_length) {
		g_free(n);
		return false;
	}
	hit = ack_match(lc, n);
	if (!hit && (short_ = without_name_line(n)) != NULL) {
		g_strstrip(short_);
		hit = *short_ != '\0' && ack_match(lc, short_);
		g_free(short_);
	}
	g_free(n);
	return hit;
}

bool
lifecycle_attr_is_set(const char *v)
{
	return v != NULL && *v != '\0' && g_ascii_strcasecmp(v, "no") != 0 &&
	    g_ascii_strcasecmp(v, "false") != 0 &&
	    g_ascii_strcasecmp(v, "off") != 0 && strcmp(v, "0") != 0;
}

static bool
attr_matches(const struct lc_attr_timer *a, const char *const *attrs)
{
	size_t	 i, n = strlen(a->attr);

	for (i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		const char *v = attrs[i] + n + 1;

		if (g_ascii_strncasecmp(attrs[i], a->attr, n) != 0 ||
		    attrs[i][n] != '=')
			continue;
		return lifecycle_attr_is_set(v);
	}
	return false;
}

int64_t
lifecycle_preclose_after(const struct lifecycle *lc, const struct lc_ticket *t,
    const struct lc_attr_timer **by)
{
	guint	 i;

	if (by != NULL)
		*by = NULL;
	for (i = 0; lc->preclose_by_attr != NULL &&
	    i < lc->preclose_by_attr->len; i++) {
		const struct lc_attr_timer *a = lc->preclose_by_attr->pdata[i];

		if (attr_matches(a, t->org_attrs)) {
			if (by != NULL)
				*by = a;
			return a->after;
		}
	}
	return lc->preclose_after;
}

void
lifecycle_due(const struct lifecycle *lc, const struct lc_ticket *t,
    int64_t now, struct lc_verdict *out, int64_t *due)
{
	int64_t	 base, after;
	const struct lc_attr_timer *by;

	*due = 0;
	verdict(out, LC_EFFECT_NONE, NULL, "no timer applies");
	if (t->status == NULL)
		return;
	if (lc->pre_closed != NULL && strcmp(t->status, lc->pre_closed) == 0) {
		if (lc->close_after <= 0 || lc->closed == NULL)
			return;
		/* Any message since the pre-close restarts the clock. */
		base = MAX(t->status_since, t->last_message);
		*due = base + lc->close_after;
		if (now >= *due)
			verdict(out, LC_EFFECT_STATUS, lc->closed, "no new "
			    "message since the ticket was pre-closed");
		return;
	}
	after = lifecycle_preclose_after(lc, t, &by);
	if (after <= 0 || !in_strv(lc->preclose_from, t->status))
		return;
	if (lc->preclose_basis == LC_BASIS_STAFF_REPLY) {
		/* Only when staff had the last word. */
		if (t->last_staff_reply == 0 ||
		    t->last_customer > t->last_staff_reply)
			return;
		base = t->last_staff_reply;
	} else
		base = MAX(t->last_message, t->created);
	*due = base + after;
	if (now >= *due)
		verdict(out, LC_EFFECT_STATUS, lc->pre_closed,
		    lc->preclose_basis == LC_BASIS_STAFF_REPLY ?
		    by != NULL ? "no customer message since the last staff "
		    "reply (period of the organization's attribute)" :
		    "no customer message since the last staff reply" :
		    by != NULL ? "no message on the ticket for the inactivity "
		    "period of the organization's attribute" :
		    "no message on the ticket for the inactivity period");
}

bool
lifecycle_can_set_priority(const struct lifecycle *lc, const char *status,
    enum lc_role role, const char **why)
{
	if (lifecycle_is_final(lc, status)) {
		*why = "the priority of a closed ticket cannot change";
		return false;
	}
	*why = "allowed";
	return true;
}

bool
lifecycle_can_choose_priority(const struct lifecycle *lc, int rank,
    enum lc_role role)
{
	return role != LC_ROLE_CUSTOMER || rank < 0 ||
	    rank >= lc->n_priorities || !lc->staff_priority[rank];
}

bool
lifecycle_can_set_hotrush(const struct lifecycle *lc, const char *status,
    bool on, enum lc_role role, int64_t offs_used, bool *counts,
    const char **why)
{
	*counts = false;
	if (lifecycle_is_final(lc, status)) {
		*why = "HotRush cannot change once the ticket is closed";
		return false;
	}
	if (on && !lc->hotrush && role != LC_ROLE_STAFF) {
		*why = "HotRush is for urgent technical support requests, "
		    "not offered in this queue";
		return false;
	}
	if (on || role != LC_ROLE_CUSTOMER || in_strv(lc->hotrush_free,
	    status)) {
		*why = "allowed";
		return true;
	}
	if (offs_used >= lc->hotrush_off_limit) {
		*why = "this account has used up its HotRush cancellations";
		return false;
	}
	*counts = true;
	*why = "allowed; counts against the account's HotRush "
	    "cancellations";
	return true;
}

bool
lifecycle_can_rate(const struct lifecycle *lc, const char *status,
    int rating, enum lc_role role, const char **why)
{
	if (role != LC_ROLE_CUSTOMER) {
		*why = "only the customer rates a ticket";
		return false;
	}
	if (rating < 1 || rating > 5) {
		*why = "a rating is a number from 1 to 5";
		return false;
	}
	if (!lifecycle_is_rating_status(lc, status)) {
		*why = lc->rating_refusal;
		return false;
	}
	*why = "allowed";
	return true;
}

bool
lifecycle_is_rating_status(const struct lifecycle *lc, const char *status)
{
	return in_strv(lc->rating_statuses, status);
}

const char *
lifecycle_rating_request(const struct lifecycle *lc, const char *from,
    const char *to, bool rated)
{
	if (lc->rating_request == NULL || rated ||
	    !lifecycle_is_rating_status(lc, to) ||
	    lifecycle_is_rating_status(lc, from))
		return NULL;
	return lc->rating_request;
}

void
lifecycle_on_customer_command(const struct lifecycle *lc,
    const struct lc_ticket *t, int64_t now, bool is_ack, const char *value,
    bool *decides, struct lc_verdict *out)
{
	const char	*why;
	guint		 i;

	*decides = false;
	/* Closed longer than the reopen window: the message opens a
	 * follow-up, and her commands go to that new ticket. */
	lifecycle_on_customer_message(lc, t, now, is_ack, out);
	if (out->effect == LC_EFFECT_FOLLOW_UP)
		return;
	for (i = 0; value != NULL && lc->statuses[i] != NULL; i++)
		if (g_ascii_strcasecmp(lc->statuses[i], value) == 0) {
			*decides = t->status != NULL && lifecycle_can(lc,
			    t->status, lc->statuses[i], LC_ROLE_CUSTOMER,
			    &why);
			break;
		}
	if (*decides)
		verdict(out, LC_EFFECT_NONE, NULL, "its Status: command "
		    "decides, before the message's own effect");
}

int64_t
lifecycle_first_response_due(const struct lifecycle *lc,
    const struct lc_ticket *t)
{
	int	 r = t->priority >= 0 && t->priority < lc->n_priorities ?
	    t->priority : lc->default_priority;
	int64_t	 target = t->hotrush ? lc->sla_hotrush : lc->sla[r];

	if (target <= 0)
		return 0;
	return lc->calendar != NULL ? calendar_add(lc->calendar, t->created,
	    target) : t->created + target;
}

bool
lifecycle_overdue(const struct lifecycle *lc, const struct lc_ticket *t,
    int64_t now)
{
	int64_t	 due = lifecycle_first_response_due(lc, t);

	if (due == 0)
		return false;
	if (t->first_response != 0)
		return t->first_response > due;
	return !lifecycle_is_final(lc, t->status) && now > due;
}

bool
lifecycle_is_resolved(const struct lifecycle *lc, const char *status)
{
	if (status == NULL)
		return false;
	return lifecycle_is_final(lc, status) ||
	    lifecycle_is_rating_status(lc, status) ||
	    (lc->pre_closed != NULL && strcmp(status, lc->pre_closed) == 0);
}

/* The priority's target, or HotRush's when set (resolve_hotrush falls
 * back to the priority: a site that sets only resolve_major means it
 * for every major ticket). */
static int64_t
resolve_target(const struct lifecycle *lc, const struct lc_ticket *t)
{
	int	 r = t->priority >= 0 && t->priority < lc->n_priorities ?
	    t->priority : lc->default_priority;

	if (t->hotrush && lc->resolve_hotrush > 0)
		return lc->resolve_hotrush;
	return lc->resolve[r];
}

int64_t
lifecycle_resolution_due(const struct lifecycle *lc,
    const struct lc_ticket *t)
{
	int64_t	 target = resolve_target(lc, t);

	if (target <= 0)
		return 0;
	return lc->calendar != NULL ? calendar_add(lc->calendar, t->created,
	    target) : t->created + target;
}

void
lifecycle_escalation(const struct lifecycle *lc, const struct lc_ticket *t,
    int64_t now, unsigned done, struct lc_escalation *out)
{
	bool	 resolved = lifecycle_is_resolved(lc, t->status);

	memset(out, 0, sizeof *out);
	out->raise_to = LC_RANK_NONE;
	out->first_response_due = lifecycle_first_response_due(lc, t);
	out->resolution_due = lifecycle_resolution_due(lc, t);
	/* escalate = none: targets are measured, nobody is told. */
	if (lc->escalate == 0 || resolved)
		return;
	if (!(done & LC_TARGET_FIRST_RESPONSE) && t->first_response == 0 &&
	    out->first_response_due != 0 && now > out->first_response_due)
		out->targets |= LC_TARGET_FIRST_RESPONSE;
	if (!(done & LC_TARGET_RESOLUTION) && out->resolution_due != 0 &&
	    now > out->resolution_due)
		out->targets |= LC_TARGET_RESOLUTION;
	if (out->targets == 0)
		return;
	out->notify_leads = (lc->escalate & LC_ESCALATE_NOTIFY_LEADS) != 0;
	/* Rank 0 is the highest: one step up, once per run. */
	if ((lc->escalate & LC_ESCALATE_RAISE_PRIORITY) &&
	    t->priority > 0 && t->priority < lc->n_priorities)
		out->raise_to = t->priority - 1;
}

enum lc_outcome
lifecycle_outcome(const struct lifecycle *lc, const struct lc_ticket *t,
    enum lc_target target, int64_t now)
{
	int64_t	 due, done;

	if (target == LC_TARGET_FIRST_RESPONSE) {
		due = lifecycle_first_response_due(lc, t);
		done = t->first_response;
		/* Settled without a reply (closed by the customer, or as
		 * spam): nobody waits for one, so it is not measured. */
		if (done == 0 && lifecycle_is_resolved(lc, t->status))
			return LC_OUTCOME_NONE;
	} else {
		due = lifecycle_resolution_due(lc, t);
		done = lifecycle_is_resolved(lc, t->status) ?
		    MAX(t->status_since, t->created) : 0;
	}
	if (due == 0)
		return LC_OUTCOME_NONE;
	if (done != 0)
		return done <= due ? LC_OUTCOME_MET : LC_OUTCOME_MISSED;
	return now > due ? LC_OUTCOME_MISSED : LC_OUTCOME_PENDING;
}

const char *
lifecycle_target_to_text(enum lc_target t)
{
	return t == LC_TARGET_FIRST_RESPONSE ? "first-response" :
	    t == LC_TARGET_RESOLUTION ? "resolution" : "?";
}

bool
text_to_escalate(unsigned *out, const char *s)
{
	char	**parts = g_strsplit(s != NULL ? s : "", ";", -1);
	unsigned bits = 0;
	bool	 ok = true, none = false;
	size_t	 i;

	for (i = 0; ok && parts[i] != NULL; i++) {
		const char *p = g_strstrip(parts[i]);

		if (*p == '\0')
			continue;
		if (strcmp(p, "notify-leads") == 0)
			bits |= LC_ESCALATE_NOTIFY_LEADS;
		else if (strcmp(p, "raise-priority") == 0)
			bits |= LC_ESCALATE_RAISE_PRIORITY;
		else if (strcmp(p, "none") == 0)
			none = true;
		else
			ok = false;
	}
	g_strfreev(parts);
	/* "none; raise-priority" says two things: refuse it. */
	if (none && bits != 0)
		ok = false;
	if (ok)
		*out = bits;
	return ok;
}

double
lifecycle_priority_weight(const struct lifecycle *lc, int rank)
{
	int	 n = lc->n_priorities;

	if (n <= 1)
		return 2.0;
	rank = CLAMP(rank, 0, n - 1);
	return 1.0 + 2.0 * (double)(n - 1 - rank) / (double)(n - 1);
}

void
lifecycle_mix_add(struct lc_mix *m, const struct lifecycle *lc, int rank,
    int64_t n)
{
	m->weights += (double)n * lifecycle_priority_weight(lc, rank);
	m->n += n;
}

double
lifecycle_account_mix(const struct lc_mix *m)
{
	return m == NULL || m->n < LC_MIX_MIN_TICKETS ? 2.0 :
	    m->weights / (double)m->n;
}

double
lifecycle_effective_priority(const struct lifecycle *lc, int rank,
    const struct lc_mix *m)
{
	return lifecycle_priority_weight(lc, rank) +
	    (2.0 - lifecycle_account_mix(m));
}

int
lifecycle_queue_cmp(bool ah, double ae, int64_t ac, bool bh, double be,
    int64_t bc)
{
	if (ah != bh)
		return ah ? -1 : 1;
	/* Compare with a tolerance: mixes are ratios of small integers. */
	if (ae > be + 1e-9)
		return -1;
	if (be > ae + 1e-9)
		return 1;
	return ac < bc ? -1 : ac > bc ? 1 : 0;
}
