/*
 * ticket_link: staff link and unlink related tickets (ticket_link.h).
 */
#include "pdconfig.h"

#include "ticket_link.h"

enum ticket_link_verdict
ticket_link_decide(const struct ticket_link_facts *f, char **refusal)
{
	*refusal = NULL;
	if (!f->a_found || !f->b_found) {
		*refusal = g_strdup_printf("there is no ticket #%"
		    G_GINT64_FORMAT, !f->a_found ? f->a : f->b);
		return TICKET_LINK_NOTFOUND;
	}
	if (f->a == f->b)
		*refusal = g_strdup("a ticket cannot be linked to itself");
	else if (f->a_live != f->a || f->b_live != f->b)
		*refusal = g_strdup_printf("ticket #%" G_GINT64_FORMAT " was "
		    "merged into #%" G_GINT64_FORMAT, f->a_live != f->a ?
		    f->a : f->b, f->a_live != f->a ? f->a_live : f->b_live);
	else if (f->op == TICKET_LINK && (f->linked || f->follow_up))
		*refusal = g_strdup_printf("tickets #%" G_GINT64_FORMAT
		    " and #%" G_GINT64_FORMAT " are already linked%s", f->a,
		    f->b, f->follow_up ? " (a follow-up)" : "");
	else if (f->op == TICKET_UNLINK && !f->linked)
		*refusal = g_strdup_printf(f->follow_up ? "ticket #%"
		    G_GINT64_FORMAT " and #%" G_GINT64_FORMAT " are linked as "
		    "a follow-up, which stays" : "tickets #%" G_GINT64_FORMAT
		    " and #%" G_GINT64_FORMAT " are not linked", f->a, f->b);
	return *refusal != NULL ? TICKET_LINK_REFUSED : TICKET_LINK_OK;
}

/* Ticket ID exists: *live is what it lives on as (ID if not merged). */
static bool
exists(struct store *s, int64_t id, bool *found, int64_t *live,
    GError **err)
{
	struct ticket	*t = NULL;
	GError		*e = NULL;

	*found = false;
	*live = id;
	if (!store_ticket_get(s, id, &t, &e)) {
		if (!g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_propagate_error(err, e);
			return false;
		}
		g_error_free(e);
		return true;
	}
	ticket_free(t);
	*found = true;
	return store_ticket_merged_into(s, id, live, err);
}

bool
ticket_link_apply(struct store *s, enum ticket_link_op op, int64_t a,
    int64_t b, const char *actor, int64_t now,
    enum ticket_link_verdict *verdict, char **refusal, GError **err)
{
	struct ticket_link_facts f = { .op = op, .a = a, .b = b };
	const char	*kind = op == TICKET_LINK ? "linked" : "unlinked";
	char		*detail;
	bool		 ok;

	*refusal = NULL;
	if (!exists(s, a, &f.a_found, &f.a_live, err) ||
	    !exists(s, b, &f.b_found, &f.b_live, err))
		return false;
	if (f.a_found && f.b_found && a != b &&
	    !store_ticket_link_get(s, a, b, &f.linked, &f.follow_up, err))
		return false;
	*verdict = ticket_link_decide(&f, refusal);
	if (*verdict != TICKET_LINK_OK)
		return true;
	detail = g_strdup_printf("tickets #%" G_GINT64_FORMAT " and #%"
	    G_GINT64_FORMAT " %s by %s", a, b, kind, actor);
	ok = (op == TICKET_LINK ? store_ticket_link_add(s, a, b, now, actor,
	    err) : store_ticket_link_remove(s, a, b, err)) &&
	    store_event_add(s, a, 0, now, actor, kind, detail, err) &&
	    store_event_add(s, b, 0, now, actor, kind, detail, err);
	g_free(detail);
	return ok;
}
