/*
 * thread: the threading rules.
 */
#include "pdconfig.h"

#include <string.h>

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

/*
 * Rule 1: a reply token in an address the message was delivered to.
 * The signature is the proof, so no participant check follows.  A
 * token for a ticket that no longer exists is ignored.
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
	for (i = 0; ok && !*hit && i < rcpts->len; i++) {
		int64_t	 id;
		bool	 exists = false;

		if (!token_address_ticket(c->address, c->token_key,
		    rcpts->pdata[i], &id))
			continue;
		ok = store_ticket_exists(s, id, &exists, err);
		if (ok && exists) {
			*hit = true;
			v->named = v->ticket = id;
			v->matched = g_strdup(rcpts->pdata[i]);
			v->why = g_strdup_printf("reply-token %s names ticket #%"
			    G_GINT64_FORMAT " (signature valid)", v->matched,
			    id);
		}
	}
	g_ptr_array_free(rcpts, TRUE);
	return ok;
}

static bool
check_participant(struct store *s, const struct config *c,
    const struct mail *m, struct thread_verdict *v, GError **err)
{
	bool	 yes = false;

	if (m->from.addr != NULL && config_is_staff(c, m->from.addr))
		yes = true;
	else if (m->from.addr != NULL && !store_participant_is(s, v->named,
	    m->from.addr, &yes, err))
		return false;
	/* Members of the requester's organization write in each other's
	 * tickets. */
	if (!yes && m->from.addr != NULL && !store_org_shares_ticket(s,
	    v->named, m->from.addr, &yes, err))
		return false;
	if (yes || !c->foreign_sender_new_ticket) {
		v->ticket = v->named;
		v->why = g_strdup_printf("%s %s names ticket #%" G_GINT64_FORMAT
		    "%s", thread_rule_to_text(v->rule), v->matched, v->named,
		    yes ? "; sender is a participant" :
		    "; sender is not a participant, joined by policy");
		return true;
	}
	v->foreign = true;
	v->ticket = 0;
	v->why = g_strdup_printf("%s %s names ticket #%" G_GINT64_FORMAT
	    ", but sender %s is not a participant: new ticket linked to it",
	    thread_rule_to_text(v->rule), v->matched, v->named,
	    m->from.addr != NULL ? m->from.addr : "(none)");
	return true;
}

bool
thread_decide(struct store *s, const struct config *c, const struct mail *m,
    const struct identity *id, const char *recipient,
    struct thread_verdict *v, GError **err)
{
	bool	 hit = false;

	(void)id;	/* the permission table (policy.c) reads it */
	memset(v, 0, sizeof *v);
	v->rule = THREAD_TOKEN;
	if (!by_token(s, c, m, recipient, v, &hit, err))
		return false;
	if (hit)
		return true;	/* a valid token needs no participant check */
	v->rule = THREAD_REFERENCES;
	if (!by_references(s, m, v, &hit, err))
		return false;
	if (!hit) {
		v->rule = THREAD_SUBJECT_TAG;
		if (!by_subject(s, c, m, v, &hit, err))
			return false;
	}
	if (hit)
		return check_participant(s, c, m, v, err);
	v->rule = THREAD_NEW;
	v->why = g_strdup_printf("no known Message-ID in In-Reply-To/"
	    "References and no [%s #N] tag: new ticket", c->subject_tag);
	return true;
}
