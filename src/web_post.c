/*
 * web_post: the only pages that write — a customer's rating of a closed
 * ticket and a staff member's changes to a ticket.  postdesk.cgi opens
 * the store read-write for these two and read-only for everything
 * else.  web_handle() has checked the CSRF token and the viewer's role
 * before either runs; each change and its event commit together.
 */
#include "pdconfig.h"

#include <string.h>

#include "store_web.h"
#include "web.h"

#define F(w, k)		(&(w)->req->fields[(k)])

static struct web_response *
back_to_ticket(struct web *w)
{
	struct web_response	*r;
	char			*path;

	path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT, w->req->id);
	r = web_redirect(w, path);
	g_free(path);
	return r;
}

struct web_response *
web_page_rate(struct web *w, GError **err)
{
	struct rating	 r = { 0 };
	struct ticket	*t;
	bool		 yes;
	char		*detail;

	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 403, "Only the customer rates a "
		    "ticket.");
	if (!F(w, KEY_RATING)->present)
		return web_error_page(w, 400, "Choose a rating from 1 to 5.");
	if (!store_begin(w->store, err))
		return NULL;
	if (!store_ticket_get(w->store, w->req->id, &t, err)) {
		store_rollback(w->store);
		return NULL;
	}
	if (strcmp(t->status, "closed") != 0) {
		ticket_free(t);
		store_rollback(w->store);
		return web_error_page(w, 400, "Only a closed ticket can be "
		    "rated.");
	}
	ticket_free(t);
	r.ticket_id = w->req->id;
	r.rating = (int)F(w, KEY_RATING)->i;
	r.comment = F(w, KEY_COMMENT)->present && *F(w, KEY_COMMENT)->s ?
	    F(w, KEY_COMMENT)->s : NULL;
	r.rated_by = w->viewer.address;
	r.at = w->now;
	detail = g_strdup_printf("%d", r.rating);
	if (!store_web_rating_set(w->store, &r, err) ||
	    !store_event_add(w->store, r.ticket_id, 0, w->now,
	    w->viewer.address, "rating", detail, err) ||
	    !store_commit(w->store, err)) {
		g_free(detail);
		store_rollback(w->store);
		return NULL;
	}
	g_free(detail);
	return back_to_ticket(w);
}

static bool
changed(const char *old, const char *new)
{
	return new != NULL && (old == NULL || strcmp(old, new) != 0);
}

/* Applies the form to ticket T; every change gets an event. */
static bool
apply(struct web *w, const struct ticket *t, GError **err)
{
	static const struct { enum web_key key; const char *field; } sets[] = {
		{ KEY_STATUS, "status" },
		{ KEY_QUEUE, "queue" },
		{ KEY_PRIORITY, "priority" },
	};
	const char	*old[] = { t->status, t->queue, t->priority };
	const char	*actor = w->viewer.address;
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(sets); i++) {
		const char *v = F(w, sets[i].key)->s;
		char *d;
		bool ok;

		if (!changed(old[i], v))
			continue;
		d = g_strdup_printf("%s -> %s", old[i], v);
		ok = store_ticket_set(w->store, t->id, sets[i].field, v,
		    err) &&
		    store_event_add(w->store, t->id, 0, w->now, actor,
		    sets[i].field, d, err);
		g_free(d);
		if (!ok)
			return false;
	}
	if (F(w, KEY_HOTRUSH)->present &&
	    (F(w, KEY_HOTRUSH)->i != 0) != t->hotrush) {
		bool on = F(w, KEY_HOTRUSH)->i != 0;

		if (!store_ticket_set_hotrush(w->store, t->id, on, err) ||
		    !store_event_add(w->store, t->id, 0, w->now, actor,
		    "hotrush", on ? "on" : "off", err))
			return false;
	}
	if (F(w, KEY_OWNER)->present) {
		const char *v = F(w, KEY_OWNER)->s;
		bool none = strcmp(v, "none") == 0;

		if ((none && t->owner != NULL) || (!none && changed(t->owner,
		    v))) {
			if (!store_ticket_set(w->store, t->id, "owner",
			    none ? NULL : v, err) ||
			    !store_event_add(w->store, t->id, 0, w->now,
			    actor, "owner", none ? "none" : v, err))
				return false;
		}
	}
	return store_ticket_touch(w->store, t->id, w->now, err);
}

struct web_response *
web_page_update(struct web *w, GError **err)
{
	struct ticket	*t;
	GError		*e = NULL;
	const char	*status = F(w, KEY_STATUS)->s;
	const char	*owner = F(w, KEY_OWNER)->s;

	/* The same checks a mail command gets (issue 5 moves them into
	 * lifecycle.c): a known status, a staff owner. */
	if (status != NULL && !web_status_allowed(status))
		return web_error_page(w, 400, "Unknown status.");
	if (owner != NULL && strcmp(owner, "none") != 0 &&
	    !config_is_staff(w->config, owner))
		return web_error_page(w, 400, "The owner must be a staff "
		    "address.");
	if (!store_begin(w->store, err))
		return NULL;
	if (!store_ticket_get(w->store, w->req->id, &t, &e)) {
		store_rollback(w->store);
		if (g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_error_free(e);
			return web_error_page(w, 404, "There is no such "
			    "ticket.");
		}
		g_propagate_error(err, e);
		return NULL;
	}
	if (F(w, KEY_HOTRUSH)->present && strcmp(t->status, "closed") == 0 &&
	    (F(w, KEY_HOTRUSH)->i != 0) != t->hotrush) {
		store_rollback(w->store);
		ticket_free(t);
		return web_error_page(w, 400, "HotRush cannot change on a "
		    "closed ticket.");
	}
	if (!apply(w, t, err) || !store_commit(w->store, err)) {
		store_rollback(w->store);
		ticket_free(t);
		return NULL;
	}
	ticket_free(t);
	return back_to_ticket(w);
}
