/*
 * web_new: a customer's new ticket from the portal (/new).
 *
 * The form's category names a queue ([web] categories "Label=queue",
 * else the [queue.NAME] groups); the ticket is the mail she would have
 * sent to that queue's address, taken in by intake as in web_portal.c,
 * so rules, notices and events are those of her mail.  Priority and
 * HotRush are then her mail commands of those names on the new ticket,
 * in the same transaction: a refusal (409) stores nothing.  Who may
 * open a ticket is the policy decision intake makes (POLICY_CREATE).
 */
#include "pdconfig.h"

#include <string.h>

#include "intake.h"
#include "lifecycle_apply.h"
#include "rules.h"
#include "web.h"
#include "web_mail.h"

#define F(w, k)		(&(w)->req->fields[(k)])

/* The form's categories: [label, queue] pairs (g_strfreev each). */
static GPtrArray *
categories(const struct config *c)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)g_strfreev);
	size_t		 i;

	for (i = 0; c->web_categories != NULL && c->web_categories[i]; i++) {
		char	**kv = g_strsplit(c->web_categories[i], "=", 2);

		if (kv[0] == NULL || kv[1] == NULL) {
			g_strfreev(kv);
			continue;
		}
		g_strstrip(kv[0]);
		g_strstrip(kv[1]);
		g_ptr_array_add(a, kv);
	}
	for (i = 0; c->web_categories == NULL && c->queues[i] != NULL; i++) {
		char	**kv = g_new0(char *, 3);

		kv[0] = g_strdup(c->queues[i]->name);
		kv[1] = g_strdup(c->queues[i]->name);
		g_ptr_array_add(a, kv);
	}
	return a;
}

/* Her organization role refuses a new ticket as intake would. */
static bool
may_create(struct web *w, struct web_response **r, GError **err)
{
	bool	 yes;

	*r = NULL;
	if (w->viewer.role != WEB_CUSTOMER) {
		*r = web_error_page(w, 404, "There is no such page.");
		return true;
	}
	if (!web_customer_may(w, POLICY_CREATE, &yes, err))
		return false;
	if (!yes)
		*r = web_error_page(w, 409, "View-only members of an "
		    "organization can read its tickets but not open one; "
		    "ask its primary member.");
	return true;
}

struct web_response *
web_page_new(struct web *w, GError **err)
{
	const struct lifecycle *lc = lifecycle_for(w->config->lifecycle, NULL);
	struct web_response *r;
	JsonObject	*o;
	JsonArray	*cats = json_array_new(), *prios = json_array_new();
	GPtrArray	*cs;
	const char	*why;
	guint		 i;
	int		 p;
	bool		 counts;

	if (!may_create(w, &r, err) || r != NULL) {
		json_array_unref(cats);
		json_array_unref(prios);
		return r;
	}
	o = json_object_new();
	cs = categories(w->config);
	for (i = 0; i < cs->len; i++) {
		JsonObject *c = json_object_new();

		json_object_set_int_member(c, "n", i + 1);
		web_json_line(c, "label", ((char **)cs->pdata[i])[0]);
		json_array_add_object_element(cats, c);
	}
	json_object_set_boolean_member(o, "has_categories", cs->len > 0);
	g_ptr_array_free(cs, TRUE);
	json_object_set_array_member(o, "categories", cats);
	/* Only what the life cycle lets her set on a new ticket. */
	json_object_set_boolean_member(o, "can_priority",
	    lifecycle_can_set_priority(lc, lc->initial, LC_ROLE_CUSTOMER,
	    &why));
	json_object_set_boolean_member(o, "can_hotrush",
	    lifecycle_can_set_hotrush(lc, lc->initial, true, LC_ROLE_CUSTOMER,
	    0, &counts, &why));
	for (p = 0; p < lc->n_priorities; p++) {
		JsonObject *c;

		/* Not those only staff set (staff_priorities). */
		if (!lifecycle_can_choose_priority(lc, p, LC_ROLE_CUSTOMER) &&
		    p != lc->default_priority)
			continue;
		c = json_object_new();
		web_json_line(c, "name", lc->priorities[p]);
		json_object_set_boolean_member(c, "selected",
		    p == lc->default_priority);
		json_array_add_object_element(prios, c);
	}
	json_object_set_array_member(o, "priorities", prios);
	return web_render(w, 200, "new", _("New ticket"), o, err);
}

/* Her Priority: and HotRush: commands on the new ticket; *refusal
 * (g_free) says why one was refused. */
static bool
new_commands(struct web *w, int64_t id, char **refusal, GError **err)
{
	const char	*prio = F(w, KEY_PRIORITY)->s;
	struct ticket	*t = NULL;
	bool		 applied, ok;
	char		*why = NULL;

	if (!store_ticket_get(w->store, id, &t, err))
		return false;
	ok = true;
	if (prio != NULL && g_ascii_strcasecmp(prio, t->priority) != 0) {
		ok = lifecycle_apply_command(w->store, w->config, id,
		    LC_CMD_PRIORITY, prio, LC_ROLE_CUSTOMER,
		    w->viewer.address, 0, w->now, &applied, &why, err);
		if (ok && !applied)
			*refusal = g_strdup_printf("Priority %s was refused: "
			    "%s.", prio, why);
		g_clear_pointer(&why, g_free);
	}
	if (ok && *refusal == NULL && F(w, KEY_HOTRUSH)->present &&
	    F(w, KEY_HOTRUSH)->i && !t->hotrush) {
		ok = lifecycle_apply_command(w->store, w->config, id,
		    LC_CMD_HOTRUSH, "on", LC_ROLE_CUSTOMER,
		    w->viewer.address, 0, w->now, &applied, &why, err);
		if (ok && !applied)
			*refusal = g_strdup_printf("HotRush was refused: %s.",
			    why);
		g_free(why);
	}
	ticket_free(t);
	return ok;
}

struct web_response *
web_page_create(struct web *w, GError **err)
{
	struct intake_input	 in = { 0 };
	struct intake_result	 res = { 0 };
	struct web_mail		 wm = { 0 };
	struct web_response	*r;
	struct intake		*ik;
	struct rules		*rules = NULL;
	const char		*to = w->config->address, *at;
	GPtrArray		*cs;
	GBytes			*raw;
	char			*refusal = NULL;
	gsize			 len;
	bool			 ok;

	if (!may_create(w, &r, err) || r != NULL)
		return r;
	if (!F(w, KEY_SUBJECT)->present || !F(w, KEY_BODY)->present ||
	    *g_strstrip(F(w, KEY_BODY)->s) == '\0')
		return web_error_page(w, 400, "Give a subject and write your "
		    "message.");
	cs = categories(w->config);
	if (F(w, KEY_CATEGORY)->present) {
		if ((guint)F(w, KEY_CATEGORY)->i > cs->len) {
			g_ptr_array_free(cs, TRUE);
			return web_error_page(w, 400, "There is no such "
			    "category.");
		}
		to = config_queue_address(w->config,
		    ((char **)cs->pdata[F(w, KEY_CATEGORY)->i - 1])[1]);
	}
	at = strrchr(w->config->address, '@');
	wm.from = w->viewer.address;
	wm.to = to;
	wm.subject = F(w, KEY_SUBJECT)->s;
	wm.text = F(w, KEY_BODY)->s;
	wm.host = at != NULL ? at + 1 : "localhost";
	wm.now = w->now;
	wm.form = w->req->form;
	raw = web_mail_compose(&wm, err);
	if (raw == NULL || !rules_load(&rules, w->config->rules_scripts,
	    err)) {
		g_ptr_array_free(cs, TRUE);
		if (raw != NULL)
			g_bytes_unref(raw);
		return NULL;
	}
	in.raw = g_bytes_get_data(raw, &len);
	in.len = len;
	in.sender = w->viewer.address;
	in.recipient = to;
	in.client_ip = g_getenv("REMOTE_ADDR");
	in.now = w->now;
	in.origin = INTAKE_ORIGIN_PORTAL;
	ik = intake_new(w->config, w->store);
	intake_set_rules(ik, rules);
	/* One transaction: the mail (intake's savepoint), then her
	 * commands on the ticket it opened. */
	ok = intake_batch_begin_small(ik, err) && intake_message(ik, &in, &res,
	    err);
	if (ok && res.outcome == INTAKE_NEW_TICKET)
		ok = new_commands(w, res.ticket, &refusal, err);
	if (ok && refusal == NULL && res.outcome == INTAKE_NEW_TICKET)
		ok = intake_batch_commit(ik, err);
	intake_batch_rollback(ik);
	intake_free(ik);
	rules_free(rules);
	g_bytes_unref(raw);
	g_ptr_array_free(cs, TRUE);
	if (!ok)
		r = NULL;
	else if (refusal != NULL)
		r = web_error_page(w, 409, refusal);
	else if (res.outcome != INTAKE_NEW_TICKET) {
		char *why = g_strdup_printf("No ticket was opened: %s.",
		    res.reason != NULL ? res.reason :
		    intake_outcome_to_text(res.outcome));

		r = web_error_page(w, 409, why);
		g_free(why);
	} else {
		char *path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT,
		    res.ticket);

		r = web_redirect(w, path);
		g_free(path);
	}
	g_free(refusal);
	intake_result_clear(&res);
	return r;
}
