/*
 * ticket_split: one message moved out of a ticket into a new one
 * (ticket_split.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "lifecycle.h"
#include "outbox.h"
#include "staff.h"
#include "ticket_split.h"

char *
ticket_split_decide(int64_t ticket, const char *message_id,
    const struct split_facts *f)
{
	if (!f->ticket_found)
		return g_strdup_printf("there is no ticket #%" G_GINT64_FORMAT,
		    ticket);
	if (f->merged_into != ticket)
		return g_strdup_printf("ticket #%" G_GINT64_FORMAT " was "
		    "merged into #%" G_GINT64_FORMAT "; split that one", ticket,
		    f->merged_into);
	if (f->rows == 0)
		return g_strdup_printf("ticket #%" G_GINT64_FORMAT " has no "
		    "message <%s>", ticket, message_id);
	if (f->first)
		return g_strdup_printf("<%s> opened ticket #%" G_GINT64_FORMAT
		    "; only a later message can be moved out of it",
		    message_id, ticket);
	if (f->outbound || f->internal || f->from_staff)
		return g_strdup_printf("<%s> is %s; only a customer's message "
		    "is moved to a new ticket", message_id, f->outbound ?
		    "our own mail" : f->internal ? "an internal note" :
		    "from staff");
	if (f->no_sender)
		return g_strdup_printf("<%s> has no sender to open a ticket "
		    "for", message_id);
	return NULL;
}

/* "Re: [Support #12] Printer" → "Printer": the new ticket's subject
 * carries neither the old ticket's tag nor reply prefixes. */
static char *
clean_subject(const char *subject)
{
	GRegex	*re = g_regex_new("^\\s*(((re|aw|sv|fwd?|wg)\\s*:|\\[[^]]*"
	    "#\\s*[0-9]+\\s*\\])\\s*)+", G_REGEX_CASELESS, 0, NULL);
	char	*out = g_regex_replace_literal(re, subject != NULL ? subject :
	    "", -1, 0, "", 0, NULL);

	g_regex_unref(re);
	if (out == NULL || *g_strstrip(out) == '\0') {
		g_free(out);
		out = g_strdup("(no subject)");
	}
	return out;
}

/* The facts of every row of MESSAGE_ID in TICKET: a split moves them
 * all (the same message stored twice with different bodies). */
static bool
read_facts(struct store *s, const struct config *c, int64_t ticket,
    const char *mid, struct split_facts *f, GPtrArray **rows,
    struct message **msg, GError **err)
{
	int64_t		 first;
	guint		 i;

	memset(f, 0, sizeof *f);
	*rows = NULL;
	*msg = NULL;
	if (!store_ticket_exists(s, ticket, &f->ticket_found, err))
		return false;
	if (!f->ticket_found)
		return true;
	if (!store_ticket_merged_into(s, ticket, &f->merged_into, err) ||
	    !store_ticket_message_rows(s, ticket, mid, rows, err) ||
	    !store_ticket_first_row(s, ticket, &first, err))
		return false;
	f->rows = (*rows)->len;
	for (i = 0; i < (*rows)->len; i++) {
		int64_t		 row = *(int64_t *)(*rows)->pdata[i];
		struct message	*m = NULL;
		bool		 staff = false;

		if (!store_message_get_row(s, row, &m, err))
			return false;
		if (m->from_addr != NULL && !staff_active(s, c, m->from_addr,
		    &staff, err)) {
			message_free(m);
			return false;
		}
		f->first |= row == first;
		f->outbound |= m->outbound;
		f->internal |= m->internal;
		f->from_staff |= staff;
		f->no_sender |= m->from_addr == NULL || *m->from_addr == '\0';
		if (*msg == NULL)
			*msg = m;
		else
			message_free(m);
	}
	return true;
}

/* The new ticket, as intake opens one, in OLD's queue. */
static bool
open_ticket(struct store *s, const struct config *c, int64_t old,
    const struct message *m, const char *subject, int64_t now, int64_t *id,
    GError **err)
{
	struct ticket	*ot = NULL, t = { 0 };
	const struct lifecycle *lc;
	bool		 ok;

	if (!store_ticket_get(s, old, &ot, err))
		return false;
	lc = lifecycle_for(c->lifecycle, ot->queue);
	t.subject = (char *)subject;
	t.requester = m->from_addr;
	t.queue = ot->queue;
	t.linked_to = old;
	/* Her request is as old as her message: its targets count from
	 * then. */
	t.created = m->received > 0 ? m->received : now;
	t.priority = (char *)lifecycle_default_priority(lc);
	t.priority_rank = lc->default_priority;
	ok = store_ticket_insert(s, &t, err) &&
	    store_ticket_set_status(s, t.id, lc->initial, now, err) &&
	    store_ticket_touch(s, t.id, now, err) &&
	    store_participant_add(s, t.id, m->from_addr, m->from_name,
	    "requester", err);
	*id = t.id;
	ticket_free(ot);
	return ok;
}

bool
ticket_split(struct store *s, const struct config *c, int64_t ticket,
    const char *message_id, const char *actor, int64_t now,
    int64_t *new_ticket, char **refusal, GError **err)
{
	struct split_facts f;
	struct message	*m = NULL;
	GPtrArray	*rows = NULL;
	char		*mid, *detail = NULL, *subject = NULL;
	int64_t		 id = 0;
	guint		 i;
	bool		 ok;

	*new_ticket = 0;
	mid = g_strstrip(g_strdup(message_id));
	if (*mid == '<' && mid[strlen(mid) - 1] == '>') {
		mid[strlen(mid) - 1] = '\0';
		memmove(mid, mid + 1, strlen(mid));
	}
	ok = read_facts(s, c, ticket, mid, &f, &rows, &m, err);
	if (ok && (*refusal = ticket_split_decide(ticket, mid, &f)) == NULL) {
		subject = clean_subject(m->subject);
		ok = open_ticket(s, c, ticket, m, subject, now, &id, err);
		for (i = 0; ok && i < rows->len; i++)
			ok = store_ticket_split(s, ticket, id,
			    *(int64_t *)rows->pdata[i], err);
		detail = g_strdup_printf("message <%s> moved out of #%"
		    G_GINT64_FORMAT " into the new ticket #%" G_GINT64_FORMAT
		    " by %s", mid, ticket, id, actor);
		ok = ok && store_event_add(s, ticket, 0, now, actor, "split",
		    detail, err) &&
		    store_event_add(s, id, m->id, now, actor, "created",
		    subject, err) &&
		    store_event_add(s, id, m->id, now, actor, "split", detail,
		    err) &&
		    outbox_enqueue(s, id, m->id, OUTBOX_ACK, "new-ticket",
		    m->from_addr, now, NULL, err);
		*new_ticket = ok ? id : 0;
	}
	g_free(detail);
	g_free(subject);
	g_free(mid);
	message_free(m);
	if (rows != NULL)
		g_ptr_array_free(rows, TRUE);
	return ok;
}
