/*
 * ticket_merge: a staff merge of one ticket into another (ticket_merge.h).
 */
#include "pdconfig.h"

#include "ticket_merge.h"

/* Ticket ID exists: *live is what it lives on as (ID if not merged). */
static bool
exists(struct store *s, int64_t id, bool *found, int64_t *live,
    GError **err)
{
	struct ticket	*t = NULL;
	GError		*e = NULL;

	*found = false;
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
ticket_merge(struct store *s, int64_t from, int64_t into, const char *actor,
    int64_t now, char **refusal, GError **err)
{
	bool	 f_found, i_found;
	int64_t	 f_live, i_live;
	char	*detail;
	bool	 ok;

	*refusal = NULL;
	if (from == into) {
		*refusal = g_strdup("a ticket cannot be merged into itself");
		return true;
	}
	if (!exists(s, from, &f_found, &f_live, err) ||
	    !exists(s, into, &i_found, &i_live, err))
		return false;
	if (!f_found || !i_found) {
		*refusal = g_strdup_printf("there is no ticket #%" G_GINT64_FORMAT,
		    !f_found ? from : into);
		return true;
	}
	if (f_live != from) {
		*refusal = g_strdup_printf("ticket #%" G_GINT64_FORMAT " was "
		    "already merged into #%" G_GINT64_FORMAT, from, f_live);
		return true;
	}
	if (i_live != into) {
		*refusal = g_strdup_printf("ticket #%" G_GINT64_FORMAT " was "
		    "merged into #%" G_GINT64_FORMAT "; merge into that one",
		    into, i_live);
		return true;
	}
	detail = g_strdup_printf("ticket #%" G_GINT64_FORMAT " merged into #%"
	    G_GINT64_FORMAT " by %s", from, into, actor);
	ok = store_ticket_merge(s, from, into, err) &&
	    store_event_add(s, into, 0, now, actor, "merged", detail, err) &&
	    store_event_add(s, from, 0, now, actor, "merged", detail, err);
	g_free(detail);
	return ok;
}
