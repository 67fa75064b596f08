/*
 * thread: the threading rules.
 */
#include "pdconfig.h"

#include <string.h>

#include "identity.h"
#include "thread.h"
#include "token.h"

const char *
thread_rule_to_text(enum thread_rule r)
{
	static const char *const names[THREAD__MAX] = {
		"reply-token", "references", "subject-tag", "new-ticket"
	};

	return r < THREAD__MAX ? names[r] : "?";
}

bool
thread_subject_ticket(const char *subject, const char *tag, int64_t *id)
{
	const char	*p;
	size_t		 taglen = strlen(tag);

	if (subject == NULL || taglen == 0)
		return false;
	for (p = strchr(subject, '['); p != NULL; p = strchr(p + 1, '[')) {
		const char	*q = p + 1;
		guint64		 v;
		char		*end;

		while (*q == ' ')
			q++;
		if (g_ascii_strncasecmp(q, tag, taglen) != 0)
			continue;
		q += taglen;
		while (*q == ' ')
			q++;
		if (*q++ != '#' || !g_ascii_isdigit(*q))
			continue;
		v = g_ascii_strtoull(q, &end, 10);
		while (*end == ' ')
			end++;
		if (*end != ']' || v == 0 || v > G_MAXINT64)
			continue;
		*id = (int64_t)v;
		return true;
	}
	return false;
}

void
thread_verdict_clear(struct thread_verdict *v)
{
	g_free(v->matched);
	g_free(v->why);
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

	*hit = false;
	if (!thread_subject_ticket(m->subject, c->subject_tag, &id))
		return true;
	if (!store_ticket_exists(s, id, &exists, err))
		return false;
	if (exists) {
		*hit = true;
		v->named = id;
		v->matched = g_strdup_printf("[%s #%" G_GINT64_FORMAT "]",
		    c->subject_tag, id);
	}
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
	GPtrArray	*rcpts;
	guint		 i;
	bool		 ok = true;

	*hit = false;
	if (c->token_key == NULL || *c->token_key == '\0')
		return true;
	rcpts = token_recipients(m, recipient);
	for (i = 0; ok && i < rcpts->len; i++) {
		struct token_hit h;
		enum policy_token f;
		bool	 exists = false;

		if (!token_address_check(c->address, c->token_key,
		    rcpts->pdata[i], m->from.addr, &h) ||
		    (f = token_fact(&h)) <= v->facts.token)
			continue;
		ok = store_ticket_exists(s, h.ticket, &exists, err);
		if (ok && exists) {
			*hit = true;
			v->named = h.ticket;
			v->facts.token = f;
			v->token_kind = h.kind;
			g_free(v->matched);
			v->matched = g_strdup(rcpts->pdata[i]);
		}
	}
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

/* The join-thread rule for the named ticket (policy.h). */
static bool
check_participant(struct store *s, const struct config *c,
    const struct mail *m, struct thread_verdict *v, GError **err)
{
	const char	*from = m->from.addr;
	char		*named, *rule;
	bool		 yes = false;

	if (from != NULL && !store_participant_is(s, v->named, from, &yes,
	    err))
		return false;
	/* Members of the requester's organization write in each other's
	 * tickets. */
	if (!yes && from != NULL && !store_org_shares_ticket(s, v->named,
	    from, &yes, err))
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

bool
thread_decide(struct store *s, const struct config *c, const struct mail *m,
    const struct identity *id, const char *recipient,
    struct thread_verdict *v, GError **err)
{
	char	*named;
	bool	 hit = false;

	memset(v, 0, sizeof *v);
	v->facts.claims_staff = m->from.addr != NULL &&
	    config_is_staff(c, m->from.addr);
	v->facts.aligned_pass = identity_aligned_pass(id);
	v->facts.forged = id != NULL && id->final == IDENTITY_FORGED;
	v->facts.imported = id != NULL &&
	    g_strcmp0(id->source, IDENTITY_SOURCE_IMPORT) == 0;
	v->rule = THREAD_TOKEN;
	if (!by_token(s, c, m, recipient, v, &hit, err))
		return false;
	if (!hit)
		v->rule = THREAD_REFERENCES;
	if (!hit && !by_references(s, m, v, &hit, err))
		return false;
	if (!hit) {
		v->rule = THREAD_SUBJECT_TAG;
		if (!by_subject(s, c, m, v, &hit, err))
			return false;
	}
	if (hit)
		return check_participant(s, c, m, v, err);
	v->rule = THREAD_NEW;
	named = g_strdup_printf("no known Message-ID in In-Reply-To/"
	    "References and no [%s #N] tag: new ticket", c->subject_tag);
	if (v->facts.forged && c->auth_on_forged != POLICY_FORGED_ACCEPT) {
		on_forged(c, v, named);
		g_free(named);
	} else
		v->why = named;
	return true;
}
