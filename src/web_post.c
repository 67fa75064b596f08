/*
 * web_post: the pages that write — a customer's rating of a closed
 * ticket, a staff member's changes to a ticket, and staff signing a
 * ticket's requester out of the viewer.  postdesk.cgi opens the store
 * read-write for these (and for a sign-in link) and read-only for
 * everything else.  web_handle() has checked the CSRF token and the
 * viewer's role before any of them runs.
 *
 * The first two go through lifecycle_apply_command(), the path mail
 * commands and the CLI take: the same life-cycle and permission checks,
 * the same events, and the notice mail (outbox) the life cycle names,
 * all in one transaction.  A change the life cycle refuses is a 409 page
 * that says why, and nothing of the form is applied.
 */
#include "pdconfig.h"

#include <string.h>

#include "lifecycle_apply.h"
#include "staff_reply.h"
#include "ticket_merge.h"
#include "ticket_split.h"
#include "ticket_link.h"
#include "store_web.h"
#include "web.h"
#include "compose.h"
#include "web_form.h"

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

/*
 * One command; *refusal (g_free) says why if the life cycle refused,
 * naming the value as SHOWN (NULL: VALUE).
 */
static bool
command_shown(struct web *w, enum lc_command cmd, const char *value,
    const char *shown, enum lc_role role, char **refusal, GError **err)
{
	bool	 applied = false;
	char	*why = NULL;

	if (!lifecycle_apply_command(w->store, w->config, w->req->id, cmd,
	    value, role, w->viewer.address, 0, w->now, &applied, &why, err))
		return false;
	if (!applied)
		*refusal = g_strdup_printf("%s %s was refused: %s.",
		    lifecycle_command_to_text(cmd), shown != NULL ? shown :
		    value, why);
	g_free(why);
	return true;
}

static bool
command(struct web *w, enum lc_command cmd, const char *value,
    enum lc_role role, char **refusal, GError **err)
{
	return command_shown(w, cmd, value, NULL, role, refusal, err);
}

struct web_response *
web_finish_change(struct web *w, bool ok, char *refusal, GError **err)
{
	struct web_response *r;

	if (!ok || refusal != NULL) {
		store_rollback(w->store);
		if (!ok)
			return NULL;
		r = web_error_page(w, 409, refusal);
		g_free(refusal);
		return r;
	}
	if (!store_commit(w->store, err)) {
		store_rollback(w->store);
		return NULL;
	}
	return back_to_ticket(w);
}

struct web_response *
web_page_rate(struct web *w, GError **err)
{
	char	*value, *shown, *refusal = NULL;
	bool	 yes, ok;

	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 403, "Only the customer rates a "
		    "ticket.");
	if (!web_customer_may_act(w, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 403, "View-only members of an "
		    "organization can read its tickets but not rate them.");
	if (!F(w, KEY_RATING)->present)
		return web_error_page(w, 400, "Choose a rating from 1 to 5.");
	/* The mail command's syntax: "Rating: 4 quick and friendly". */
	value = g_strdup_printf("%d%s%s", (int)F(w, KEY_RATING)->i,
	    F(w, KEY_COMMENT)->present ? " " : "",
	    F(w, KEY_COMMENT)->present ? F(w, KEY_COMMENT)->s : "");
	shown = g_strdup_printf("%d", (int)F(w, KEY_RATING)->i);
	if (!store_begin(w->store, err)) {
		g_free(value);
		g_free(shown);
		return NULL;
	}
	ok = command_shown(w, LC_CMD_RATING, value, shown, LC_ROLE_CUSTOMER,
	    &refusal, err);
	g_free(value);
	g_free(shown);
	return web_finish_change(w, ok, refusal, err);
}

static bool
changed(const char *old, const char *new)
{
	return new != NULL && (old == NULL || strcmp(old, new) != 0);
}

/* Is the form's owner another than the ticket's?  A name that names no
 * one counts as a change, so that its refusal says why. */
static bool
owner_changed(struct web *w, const struct ticket *t, const char *value)
{
	char	*owner = NULL;
	const char *why = NULL;
	GError	*e = NULL;
	bool	 differs;

	if (value == NULL)
		return false;
	/* A store error shows up again when the command applies. */
	if (!lifecycle_apply_owner_of(w->store, w->config, value, &owner,
	    &why, &e)) {
		g_clear_error(&e);
		return true;
	}
	if (why != NULL)
		return true;
	differs = g_strcmp0(owner, t->owner) != 0;
	g_free(owner);
	return differs;
}

/* The ticket as the commands so far left it (same transaction). */
static bool
reread(struct web *w, struct ticket **t, GError **err)
{
	struct ticket	*n = NULL;

	if (!store_ticket_get(w->store, (*t)->id, &n, err))
		return false;
	ticket_free(*t);
	*t = n;
	return true;
}

/*
 * Applies the form to ticket *T, one command for each field that differs
 * from the ticket as the commands before it left it: setting an owner
 * may already have moved the status to the one the form asks for, and
 * that is no conflict.  The status goes last, so a ticket can get a
 * priority and be closed in one go — except from a closed ticket, which
 * must be reopened first.
 */
static bool
apply(struct web *w, struct ticket **tp, char **refusal, GError **err)
{
	const struct lifecycle *lc = lifecycle_for(w->config->lifecycle,
	    (*tp)->queue);
	const char	*status = F(w, KEY_STATUS)->s;
	const char	*owner = F(w, KEY_OWNER)->s;
	bool		 status_first = lifecycle_is_final(lc, (*tp)->status);
	bool		 ok = true;

	if (status_first && changed((*tp)->status, status))
		ok = command(w, LC_CMD_STATUS, status, LC_ROLE_STAFF, refusal,
		    err) && reread(w, tp, err);
	if (ok && !*refusal && changed((*tp)->queue, F(w, KEY_QUEUE)->s))
		ok = command(w, LC_CMD_QUEUE, F(w, KEY_QUEUE)->s,
		    LC_ROLE_STAFF, refusal, err) && reread(w, tp, err);
	if (ok && !*refusal && owner_changed(w, *tp, owner))
		ok = command(w, LC_CMD_OWNER, owner, LC_ROLE_STAFF, refusal,
		    err) && reread(w, tp, err);
	if (ok && !*refusal && changed((*tp)->priority,
	    F(w, KEY_PRIORITY)->s))
		ok = command(w, LC_CMD_PRIORITY, F(w, KEY_PRIORITY)->s,
		    LC_ROLE_STAFF, refusal, err) && reread(w, tp, err);
	if (ok && !*refusal && F(w, KEY_HOTRUSH)->present &&
	    (F(w, KEY_HOTRUSH)->i != 0) != (*tp)->hotrush)
		ok = command(w, LC_CMD_HOTRUSH, F(w, KEY_HOTRUSH)->i ? "on" :
		    "off", LC_ROLE_STAFF, refusal, err) && reread(w, tp, err);
	if (ok && !*refusal && !status_first && changed((*tp)->status,
	    status))
		ok = command(w, LC_CMD_STATUS, status, LC_ROLE_STAFF, refusal,
		    err);
	return ok;
}

/*
 * Begins the transaction and reads the page's ticket into *t; false
 * with *r a 404 page if there is none, or with *r NULL and *err set on
 * a store error (rolled back either way).
 */
static bool
begin_ticket(struct web *w, struct ticket **t, struct web_response **r,
    GError **err)
{
	GError	*e = NULL;

	*r = NULL;
	if (!store_begin(w->store, err))
		return false;
	if (store_ticket_get(w->store, w->req->id, t, &e))
		return true;
	store_rollback(w->store);
	if (g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
		g_error_free(e);
		*r = web_error_page(w, 404, "There is no such ticket.");
	} else
		g_propagate_error(err, e);
	return false;
}

struct web_response *
web_page_update(struct web *w, GError **err)
{
	struct ticket	*t;
	struct web_response *r;
	char		*refusal = NULL;
	bool		 ok;

	if (!begin_ticket(w, &t, &r, err))
		return r;
	ok = apply(w, &t, &refusal, err);
	ticket_free(t);
	return web_finish_change(w, ok, refusal, err);
}

/*
 * Staff sign the ticket's requester out of the viewer: every live link
 * of hers and every session they opened end now (as "postdesk link
 * --revoke ADDRESS"), with an event on the ticket saying who did it.
 */
struct web_response *
web_page_signout(struct web *w, GError **err)
{
	struct ticket	*t;
	struct web_response *r;
	char		*detail;
	int64_t		 links, sessions;
	bool		 ok;

	if (!begin_ticket(w, &t, &r, err))
		return r;
	if (t->requester == NULL) {
		store_rollback(w->store);
		ticket_free(t);
		return web_error_page(w, 409, "This ticket has no requester.");
	}
	ok = store_web_revoke(w->store, t->requester, NULL, w->now, &links,
	    &sessions, err);
	detail = g_strdup_printf("signed %s out of the viewer: %"
	    G_GINT64_FORMAT " link%s and %" G_GINT64_FORMAT " session%s "
	    "revoked", t->requester, links, links == 1 ? "" : "s", sessions,
	    sessions == 1 ? "" : "s");
	ok = ok && store_event_add(w->store, t->id, 0, w->now,
	    w->viewer.address, "web-signout", detail, err);
	g_free(detail);
	ticket_free(t);
	return web_finish_change(w, ok, NULL, err);
}

static void
upload_attachment_free(gpointer p)
{
	struct compose_attachment *a = p;

	g_bytes_unref(a->data);
	g_free(a);
}

/* The request's uploaded files as compose attachments (NULL: none);
 * names and types are borrowed from the request. */
static bool
upload_attachments(struct web *w, GPtrArray **out, GError **err)
{
	const struct web_form *f = w->req->form;
	guint	 i;

	*out = NULL;
	if (f == NULL || f->uploads->len == 0)
		return true;
	*out = g_ptr_array_new_with_free_func(upload_attachment_free);
	for (i = 0; i < f->uploads->len; i++) {
		const struct web_upload *u = f->uploads->pdata[i];
		struct compose_attachment *a = g_new0(struct compose_attachment,
		    1);

		a->filename = u->filename;
		a->content_type = u->content_type;
		if ((a->data = web_form_upload_bytes(u, err)) == NULL) {
			g_free(a);
			g_ptr_array_free(*out, TRUE);
			*out = NULL;
			return false;
		}
		g_ptr_array_add(*out, a);
	}
	return true;
}

/*
 * A staff reply or internal note from the ticket page, by the path of
 * `postdesk reply`/`comment` and of staff mail (staff_reply.h): the
 * message, its outbox rows and any commands at its top, in one
 * transaction.  A command the life cycle refuses refuses the whole
 * form, with the reasons (409), so that nothing half-done goes out.
 */
struct web_response *
web_page_reply(struct web *w, GError **err)
{
	struct outbox_staff_message sm = { 0 };
	struct command_block *b;
	struct ticket	*t;
	struct web_response *r;
	GPtrArray	*report;
	GString		*why;
	int64_t		 row = 0;
	int		 refused = 0;
	guint		 i;
	bool		 ok;

	if (!F(w, KEY_BODY)->present || *g_strstrip(F(w, KEY_BODY)->s) ==
	    '\0')
		return web_error_page(w, 400, "Write the text of the reply "
		    "or note.");
	if (!begin_ticket(w, &t, &r, err))
		return r;
	ticket_free(t);
	sm.from_addr = w->viewer.address;
	sm.from_name = w->config->from_name;
	sm.text = F(w, KEY_BODY)->s;
	sm.internal = F(w, KEY_INTERNAL)->present && F(w, KEY_INTERNAL)->i;
	/* The form's files, stored and linked as those of `postdesk
	 * reply --attach` (outbox.h), in this transaction. */
	if (!upload_attachments(w, &sm.attachments, err)) {
		store_rollback(w->store);
		return NULL;
	}
	b = command_parse(sm.text);
	report = g_ptr_array_new_with_free_func(g_free);
	ok = staff_reply_apply(w->store, w->config, w->req->id, &sm, b,
	    w->now, &row, report, &refused, err);
	command_block_free(b);
	if (sm.attachments != NULL)
		g_ptr_array_free(sm.attachments, TRUE);
	if (!ok || refused == 0) {
		g_ptr_array_free(report, TRUE);
		return web_finish_change(w, ok, NULL, err);
	}
	why = g_string_new("Nothing was sent:");
	for (i = 0; i < report->len; i++)
		if (g_str_has_prefix(report->pdata[i], "refused"))
			g_string_append_printf(why, " %s%s", (const char *)
			    report->pdata[i], i + 1 < report->len ? ";" : "");
	g_string_append_c(why, '.');
	g_ptr_array_free(report, TRUE);
	return web_finish_change(w, true, g_string_free(why, FALSE), err);
}

/* Staff merge this ticket into the one named by "into" (ticket_merge.h);
 * then its page leads there. */
struct web_response *
web_page_merge(struct web *w, GError **err)
{
	struct web_response *r;
	char		*refusal = NULL, *path;
	bool		 ok;

	if (!F(w, KEY_INTO)->present)
		return web_error_page(w, 400, "Give the number of the ticket "
		    "to merge this one into.");
	if (!store_begin(w->store, err))
		return NULL;
	ok = ticket_merge(w->store, w->req->id, F(w, KEY_INTO)->i,
	    w->viewer.address, w->now, &refusal, err);
	if (!ok || refusal != NULL) {
		char *why = refusal != NULL ? g_strdup_printf("The merge was "
		    "refused: %s.", refusal) : NULL;

		g_free(refusal);
		return web_finish_change(w, ok, why, err);
	}
	if (!store_commit(w->store, err)) {
		store_rollback(w->store);
		return NULL;
	}
	path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT, F(w, KEY_INTO)->i);
	r = web_redirect(w, path);
	g_free(path);
	return r;
}

/* Staff move message "id" out of this ticket into a new one, as
 * `postdesk split` does (ticket_split.h); then the new ticket's page. */
struct web_response *
web_page_split(struct web *w, GError **err)
{
	struct web_response *r;
	char		*refusal = NULL, *path;
	int64_t		 created = 0;
	bool		 ok;

	if (!F(w, KEY_ID)->present)
		return web_error_page(w, 400, "Give the Message-ID of the "
		    "message to move to a new ticket.");
	if (!store_begin(w->store, err))
		return NULL;
	ok = ticket_split(w->store, w->config, w->req->id, F(w, KEY_ID)->s,
	    w->viewer.address, w->now, &created, &refusal, err);
	if (!ok || refusal != NULL) {
		char *why = refusal != NULL ? g_strdup_printf("The message "
		    "was not moved: %s.", refusal) : NULL;

		g_free(refusal);
		return web_finish_change(w, ok, why, err);
	}
	if (!store_commit(w->store, err)) {
		store_rollback(w->store);
		return NULL;
	}
	path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT, created);
	r = web_redirect(w, path);
	g_free(path);
	return r;
}

/* Staff add or remove a CC, as the mail command "Cc: add ADDR" would. */
struct web_response *
web_page_cc(struct web *w, GError **err)
{
	char	*value, *refusal = NULL;
	bool	 ok;

	if (!F(w, KEY_ADDRESS)->present || !F(w, KEY_CC_ACTION)->present)
		return web_error_page(w, 400, "Give an address, and whether "
		    "to add or remove it.");
	value = g_strdup_printf("%s %s", F(w, KEY_CC_ACTION)->i == 0 ?
	    "add" : "remove", F(w, KEY_ADDRESS)->s);
	if (!store_begin(w->store, err)) {
		g_free(value);
		return NULL;
	}
	ok = command(w, LC_CMD_CC, value, LC_ROLE_STAFF, &refusal, err);
	g_free(value);
	return web_finish_change(w, ok, refusal, err);
}

/* Staff link this ticket to the one named by "other", or unlink them
 * (ticket_link.h): a ticket that does not exist is a 404, a link that
 * cannot be made or removed a 409 that says why. */
static struct web_response *
link_change(struct web *w, enum ticket_link_op op, GError **err)
{
	enum ticket_link_verdict v = TICKET_LINK_OK;
	struct web_response *r;
	char		*refusal = NULL, *why;
	bool		 ok;

	if (!F(w, KEY_OTHER)->present)
		return web_error_page(w, 400, "Give the number of the "
		    "related ticket.");
	if (!store_begin(w->store, err))
		return NULL;
	ok = ticket_link_apply(w->store, op, w->req->id, F(w, KEY_OTHER)->i,
	    w->viewer.address, w->now, &v, &refusal, err);
	if (!ok || refusal == NULL)
		return web_finish_change(w, ok, NULL, err);
	why = g_strdup_printf("The %s was refused: %s.", op == TICKET_LINK ?
	    "link" : "unlink", refusal);
	g_free(refusal);
	if (v != TICKET_LINK_NOTFOUND)
		return web_finish_change(w, true, why, err);
	store_rollback(w->store);
	r = web_error_page(w, 404, why);
	g_free(why);
	return r;
}

struct web_response *
web_page_link(struct web *w, GError **err)
{
	return link_change(w, TICKET_LINK, err);
}

struct web_response *
web_page_unlink(struct web *w, GError **err)
{
	return link_change(w, TICKET_UNLINK, err);
}
