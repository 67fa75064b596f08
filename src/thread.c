/*
 * thread: the threading rules.
 */
#include "pdconfig.h"

#include <string.h>

#include "identity.h"
#include "staff.h"
#include "thread.h"
#include "token.h"

const char *
thread_rule_to_text(enum thread_rule r)
{
	static const char *const names[THREAD__MAX] = {
		"reply-token", "references", "subject-tag", "referenced-by",
		"new-ticket"
	};

	return r < THREAD__MAX ? names[r] : "?";
}

/* "[TAG #N]" at P (a '['), any case, spaces allowed inside. */
static bool
tag_at(const char *p, const char *tag, int64_t *id)
{
	const char	*q = p + 1;
	size_t		 taglen = strlen(tag);
	guint64		 v;
	char		*end;

	while (*q == ' ')
		q++;
	if (taglen == 0 || g_ascii_strncasecmp(q, tag, taglen) != 0)
		return false;
	q += taglen;
	while (*q == ' ')
		q++;
	if (*q++ != '#' || !g_ascii_isdigit(*q))
		return false;
	v = g_ascii_strtoull(q, &end, 10);
	while (*end == ' ')
		end++;
	if (*end != ']' || v == 0 || v > G_MAXINT64)
		return false;
	*id = (int64_t)v;
	return true;
}

bool
thread_subject_ticket(const char *subject, const char *tag, int64_t *id)
{
	char	*const tags[] = { (char *)tag, NULL };

	return tag != NULL && thread_subject_ticket_any(subject, tags, id,
	    NULL);
}

bool
thread_subject_ticket_any(const char *subject, char *const *tags,
    int64_t *id, const char **which)
{
	const char	*p;
	char *const	*t;

	if (subject == NULL)
		return false;
	/* The leftmost tag wins, whichever brand's: "[Sales #4] Re:
	 * [Support #9]" names 4, as with one tag. */
	for (p = strchr(subject, '['); p != NULL; p = strchr(p + 1, '['))
		for (t = tags; t != NULL && *t != NULL; t++)
			if (tag_at(p, *t, id)) {
				if (which != NULL)
					*which = *t;
				return true;
			}
	return false;
}

void
thread_verdict_clear(struct thread_verdict *v)
{
	g_free(v->matched);
	g_free(v->why);
	if (v->merge != NULL)
		g_array_free(v->merge, TRUE);
	if (v->merge_why != NULL)
		g_ptr_array_free(v->merge_why, TRUE);
	memset(v, 0, sizeof *v);
}

/* Rule 2: the newest referenced message we know. */
static bool
by_references(struct store *s, const struct mail *m, struct thread_verdict *v,
    bool *hit, GError **err)
{
	GPtrArray	*ids = g_ptr_array_new();
	gint		 i;
	bool		 ok = true;

	if (m->in_reply_to != NULL)
		g_ptr_array_add(ids, m->in_reply_to);
	for (i = 0; m->references != NULL && m->references[i] != NULL; i++)
		;
	/* References lists oldest first; the newest is the best hint. */
	for (i = i - 1; i >= 0; i--)
		g_ptr_array_add(ids, m->references[i]);
	*hit = false;
	for (i = 0; ok && !*hit && i < (gint)ids->len; i++) {
		int64_t	 t;
		bool	 found;

		ok = store_message_ticket(s, ids->pdata[i], &t, &found, err);
		if (ok && found) {
			*hit = true;
			v->named = t;
			v->matched = g_strdup(ids->pdata[i]);
		}
	}
	g_ptr_array_free(ids, TRUE);
	return ok;
}

static bool
by_subject(struct store *s, const struct config *c, const struct mail *m,
    struct thread_verdict *v, bool *hit, GError **err)
{
	int64_t	 id;
	bool	 exists = false;
	const char *tag = c->subject_tag;
	char	**tags = config_subject_tags(c);
	bool	 named;

	*hit = false;
	/* Every configured tag: a ticket moved to another queue keeps
	 * the tag its mail was sent with. */
	named = thread_subject_ticket_any(m->subject, tags, &id, &tag);
	if (!named) {
		g_free(tags);
		return true;
	}
	if (!store_ticket_exists(s, id, &exists, err)) {
		g_free(tags);
		return false;
	}
	if (exists) {
		*hit = true;
		v->named = id;
		v->matched = g_strdup_printf("[%s #%" G_GINT64_FORMAT "]",
		    tag, id);
	}
	g_free(tags);
	return true;
}

static enum policy_token
token_fact(const struct token_hit *h)
{
	if (h->legacy)
		return POLICY_TOKEN_LEGACY;
	if (!h->for_sender)
		return POLICY_TOKEN_OTHER;
	return h->role == TOKEN_ROLE_STAFF ? POLICY_TOKEN_STAFF :
	    POLICY_TOKEN_CUSTOMER;
}

/*
 * Rule 1: a reply token in an address the message was delivered to,
 * the strongest if there are several (token.h).  Whether it lets the
 * message join is the permission table's to say: a token minted for
 * the sender does; a legacy one or one minted for someone else names
 * the ticket like a subject tag.  A token for a ticket that no longer
 * exists is ignored.
 */
static bool
by_token(struct store *s, const struct config *c, const struct mail *m,
    const char *recipient, struct thread_verdict *v, bool *hit,
    GError **err)
{
	GPtrArray	*rcpts, *ours;
	guint		 i, k;
	bool		 ok = true;

	*hit = false;
	if (c->token_key == NULL || *c->token_key == '\0')
		return true;
	rcpts = token_recipients(m, recipient);
	/* A token minted under any queue's address names its ticket,
	 * wherever the ticket has moved since (the signature does not
	 * cover the address). */
	ours = config_token_addresses(c);
	for (i = 0; ok && i < rcpts->len * ours->len; i++) {
		struct token_hit h;
		enum policy_token f;
		bool	 exists = false;

		k = i % ours->len;
		if (!token_address_check(ours->pdata[k], c->token_key,
		    rcpts->pdata[i / ours->len], m->from.addr, &h) ||
		    (f = token_fact(&h)) <= v->facts.token)
			continue;
		ok = store_ticket_exists(s, h.ticket, &exists, err);
		if (ok && exists) {
			*hit = true;
			v->named = h.ticket;
			v->facts.token = f;
			v->token_kind = h.kind;
			g_free(v->matched);
			v->matched = g_strdup(rcpts->pdata[i / ours->len]);
		}
	}
	g_ptr_array_free(ours, TRUE);
	g_ptr_array_free(rcpts, TRUE);
	return ok;
}

/* [auth] on_forged for a forged message that may not join (or names
 * no ticket): a new ticket tagged unverified, quarantine, or accept. */
static void
on_forged(const struct config *c, struct thread_verdict *v,
    const char *named)
{
	const char	*how = policy_on_forged_to_text(c->auth_on_forged);

	v->forged = true;
	switch (c->auth_on_forged) {
	case POLICY_FORGED_ACCEPT:
		v->ticket = v->named;
		v->why = g_strdup_printf("%s; verdict forged, taken in as "
		    "usual ([auth] on_forged = %s)", named, how);
		return;
	case POLICY_FORGED_QUARANTINE:
		v->quarantine = true;
		break;
	default:
		v->unverified = true;
		v->foreign = v->named != 0;
		break;
	}
	v->ticket = 0;
	v->why = g_strdup_printf("%s; verdict forged: %s ([auth] on_forged = "
	    "%s)", named, v->quarantine ? "quarantined" : v->named != 0 ?
	    "new ticket tagged " POLICY_UNVERIFIED_TAG ", linked to it" :
	    "new ticket tagged " POLICY_UNVERIFIED_TAG, how);
}

/* Is FROM (may be NULL) a participant of TICKET?  Members of the
 * requester's organization write in each other's tickets. */
static bool
is_participant(struct store *s, int64_t ticket, const char *from, bool *yes,
    GError **err)
{
	*yes = false;
	if (from == NULL)
		return true;
	if (!store_participant_is(s, ticket, from, yes, err))
		return false;
	return *yes || store_org_shares_ticket(s, ticket, from, yes, err);
}

/* The join-thread rule for the named ticket (policy.h). */
static bool
check_participant(struct store *s, const struct config *c,
    const struct mail *m, struct thread_verdict *v, GError **err)
{
	const char	*from = m->from.addr;
	char		*named, *rule;
	bool		 yes = false;

	if (!is_participant(s, v->named, from, &yes, err))
		return false;
	v->facts.participant = yes;
	policy_decide(POLICY_JOIN_THREAD, &v->facts, &v->join);
	rule = policy_decision_to_text(&v->join);
	named = g_strdup_printf("%s %s names ticket #%" G_GINT64_FORMAT
	    "; %s", thread_rule_to_text(v->rule), v->matched, v->named, rule);
	g_free(rule);
	if (v->join.allow) {
		v->ticket = v->named;
		v->why = named;
		return true;
	}
	if (v->facts.forged)
		on_forged(c, v, named);
	else if (!c->foreign_sender_new_ticket) {
		v->ticket = v->named;
		v->why = g_strdup_printf("%s; joined by policy ([intake] "
		    "foreign_sender = join)", named);
	} else {
		v->foreign = true;
		v->ticket = 0;
		v->why = g_strdup_printf("%s; sender %s: new ticket linked to "
		    "it", named, from != NULL ? from : "(none)");
	}
	g_free(named);
	return true;
}

/* A ticket named that was merged into another stands for that one. */
static bool
resolve_named(struct store *s, struct thread_verdict *v, GError **err)
{
	int64_t	 into;
	char	*m;

	if (!store_ticket_merged_into(s, v->named, &into, err))
		return false;
	if (into == v->named)
		return true;
	m = g_strdup_printf("%s (ticket #%" G_GINT64_FORMAT " was merged "
	    "into #%" G_GINT64_FORMAT ")", v->matched, v->named, into);
	g_free(v->matched);
	v->matched = m;
	v->named = into;
	return true;
}

/* Rule 4: the oldest ticket whose stored messages name this one, i.e.
 * a reply that came before its original. */
static void
by_referrer(const GPtrArray *refs, struct thread_verdict *v)
{
	const struct store_referrer *r = refs->pdata[0];

	v->named = r->ticket;
	v->matched = g_strdup(r->message_id);
}

/* May the sender join TICKET, had the message named it (policy.h)?  A
 * token names one ticket only, so it proves nothing here. */
static bool
may_join(struct store *s, const struct mail *m,
    const struct thread_verdict *v, int64_t ticket,
    struct policy_decision *d, GError **err)
{
	struct policy_facts f = v->facts;

	if (!is_participant(s, ticket, m->from.addr, &f.participant, err))
		return false;
	f.token = POLICY_TOKEN_NONE;
	policy_decide(POLICY_JOIN_THREAD, &f, d);
	return true;
}

/* One referring ticket: merged into the one joined, or why not. */
static bool
plan_merge(struct store *s, const struct mail *m,
    const struct store_referrer *r, struct thread_verdict *v, GString *why,
    GError **err)
{
	struct policy_decision d;
	struct ticket	*t;
	int64_t		 linked;
	char		*rule, *line;

	if (!store_ticket_get(s, r->ticket, &t, err))
		return false;
	linked = t->linked_to;
	ticket_free(t);
	/* A linked ticket was split on purpose (a foreign or forged
	 * sender, a follow-up of a closed ticket): it stays apart. */
	if (linked != 0) {
		g_string_append_printf(why, "; ticket #%" G_GINT64_FORMAT
		    " (<%s> names this message) is linked to #%"
		    G_GINT64_FORMAT ": not merged", r->ticket, r->message_id,
		    linked);
		return true;
	}
	if (!may_join(s, m, v, r->ticket, &d, err))
		return false;
	rule = policy_decision_to_text(&d);
	line = g_strdup_printf("%s <%s> in ticket #%" G_GINT64_FORMAT
	    " names this message: %s into #%" G_GINT64_FORMAT "; %s",
	    thread_rule_to_text(THREAD_REFERENCED_BY), r->message_id,
	    r->ticket, d.allow ? "merged" : "not merged", v->ticket, rule);
	g_string_append_printf(why, "; %s", line);
	g_free(rule);
	if (!d.allow) {
		g_free(line);
		return true;
	}
	g_array_append_val(v->merge, r->ticket);
	g_ptr_array_add(v->merge_why, line);
	return true;
}

/* The other tickets whose messages name this one (each reply that came
 * before it opened its own) merge into the ticket it joins. */
static bool
plan_merges(struct store *s, const struct mail *m, const GPtrArray *refs,
    struct thread_verdict *v, GError **err)
{
	GString	*why;
	guint	 i;
	bool	 ok = true;

	if (v->ticket == 0 || v->ticket != v->named)
		return true;
	v->merge = g_array_new(FALSE, FALSE, sizeof(int64_t));
	v->merge_why = g_ptr_array_new_with_free_func(g_free);
	why = g_string_new(v->why);
	for (i = 0; ok && i < refs->len; i++) {
		const struct store_referrer *r = refs->pdata[i];

		if (r->ticket != v->ticket)
			ok = plan_merge(s, m, r, v, why, err);
	}
	g_free(v->why);
	v->why = g_string_free(why, FALSE);
	return ok;
}

/* Rules 1-3: what the message itself names. */
static bool
named_by(struct store *s, const struct config *c, const struct mail *m,
    const char *recipient, struct thread_verdict *v, bool *hit,
    GError **err)
{
	v->rule = THREAD_TOKEN;
	if (!by_token(s, c, m, recipient, v, hit, err))
		return false;
	if (*hit)
		return true;
	v->rule = THREAD_REFERENCES;
	if (!by_references(s, m, v, hit, err))
		return false;
	if (*hit)
		return true;
	v->rule = THREAD_SUBJECT_TAG;
	return by_subject(s, c, m, v, hit, err);
}

static void
new_ticket(const struct config *c, struct thread_verdict *v)
{
	char	*named;

	v->rule = THREAD_NEW;
	named = g_strdup_printf("no known Message-ID in In-Reply-To/"
	    "References, no [%s #N] tag and no stored reply: new ticket",
	    c->subject_tag);
	if (v->facts.forged && c->auth_on_forged != POLICY_FORGED_ACCEPT) {
		on_forged(c, v, named);
		g_free(named);
	} else
		v->why = named;
}

bool
thread_decide(struct store *s, const struct config *c, const struct mail *m,
    const struct identity *id, const char *recipient,
    struct thread_verdict *v, GError **err)
{
	GPtrArray	*refs = NULL;
	struct staff	*st = NULL;
	bool		 hit = false, ok;

	memset(v, 0, sizeof *v);
	if (!staff_lookup(s, c, m->from.addr, &st, err))
		return false;
	/* A disabled account still claims staff: the table refuses it,
	 * saying why (policy.h). */
	v->facts.claims_staff = st != NULL;
	v->facts.staff_disabled = st != NULL && st->disabled;
	staff_free(st);
	v->facts.aligned_pass = identity_aligned_pass(id);
	v->facts.forged = id != NULL && id->final == IDENTITY_FORGED;
	v->facts.imported = id != NULL &&
	    g_strcmp0(id->source, IDENTITY_SOURCE_IMPORT) == 0;
	if (!named_by(s, c, m, recipient, v, &hit, err))
		return false;
	/* A made-up Message-ID is named by no one. */
	if (m->message_id_synthetic)
		refs = g_ptr_array_new();
	else if (!store_message_referrers(s, m->message_id, &refs, err))
		return false;
	if (!hit && refs->len > 0) {
		v->rule = THREAD_REFERENCED_BY;
		by_referrer(refs, v);
		hit = true;
	}
	if (hit)
		ok = resolve_named(s, v, err) &&
		    check_participant(s, c, m, v, err) &&
		    plan_merges(s, m, refs, v, err);
	else {
		new_ticket(c, v);
		ok = true;
	}
	g_ptr_array_free(refs, TRUE);
	return ok;
}
