/*
 * web_account: the customer's account page (/account, issue 14): her
 * organization's members with their roles, and, for a member whose
 * role may manage members (X-Cart's primary), adding a member with a
 * configured role ("give a representative access") and removing one;
 * for every customer, the address her notifications go to, and
 * whether she gets them at all (X-Cart's "turn on/off email
 * notifications").
 *
 * Each form is the mail command of the same name (account.h: Member:
 * add/remove, Notify-Address:, Notifications:), decided by account_decide() on the
 * same permission table, with the authority her own reply token gives
 * a mail: the signed link that opened her session proved the address
 * (postdesk-auth(5)).  The events go on no ticket (the page is not
 * about one), and a new notification address still waits for the
 * confirmation mailed to it.
 */
#include "pdconfig.h"

#include <string.h>

#include "account.h"
#include "command.h"
#include "policy.h"
#include "roles.h"
#include "web.h"

#define F(w, k)		(&(w)->req->fields[(k)])

/* The actions of the page's forms (KEY_ACCOUNT_ACTION). */
enum account_action { ACCOUNT_ADD, ACCOUNT_REMOVE, ACCOUNT_NOTIFY,
	ACCOUNT_NOTIFICATIONS_OFF, ACCOUNT_NOTIFICATIONS_ON };

/* Her row of the table for PERM; *why the table's reason if refused. */
static bool
may(struct web *w, const struct org_member *m, enum policy_perm perm,
    const char **why)
{
	struct policy_facts	 f = { 0 };
	struct policy_decision	 d;

	f.token = POLICY_TOKEN_CUSTOMER;
	f.member = m != NULL;
	f.rights = m != NULL ? roles_rights(w->config->roles, m->role) : 0;
	policy_decide(perm, &f, &d);
	*why = d.why;
	return d.allow;
}

bool
web_account_linked(struct web *w, bool *yes, GError **err)
{
	struct org_member	*m = NULL;
	const char		*why;

	*yes = false;
	if (w->viewer.role != WEB_CUSTOMER)
		return true;
	if (!store_org_member_get(w->store, w->viewer.address, &m, err))
		return false;
	*yes = m != NULL && may(w, m, POLICY_MANAGE_MEMBERS, &why);
	org_member_free(m);
	return true;
}

static JsonArray *
members_json(struct web *w, const struct org_member *me, GPtrArray *list)
{
	JsonArray	*a = json_array_new();
	guint		 i;

	for (i = 0; i < list->len; i++) {
		const struct org_member *m = list->pdata[i];
		JsonObject *o = json_object_new();

		web_json_str(o, "address", m->address);
		web_json_str(o, "name", m->name);
		web_json_str(o, "role", m->role);
		json_object_set_boolean_member(o, "self",
		    g_ascii_strcasecmp(m->address, me->address) == 0);
		json_array_add_object_element(a, o);
	}
	return a;
}

static JsonArray *
roles_json(struct web *w)
{
	JsonArray	*a = json_array_new();
	const char	**names = roles_names(w->config->roles);
	const char	*def = roles_default(w->config->roles);
	size_t		 i;

	for (i = 0; names[i] != NULL; i++) {
		JsonObject *o = json_object_new();

		web_json_str(o, "name", names[i]);
		json_object_set_boolean_member(o, "selected",
		    strcmp(names[i], def) == 0);
		json_array_add_object_element(a, o);
	}
	g_free(names);
	return a;
}

struct web_response *
web_page_account(struct web *w, GError **err)
{
	struct org_member	*me = NULL;
	GPtrArray		*list = NULL;
	JsonObject		*o;
	char			*notify = NULL;
	const char		*why;
	bool			 manage, off;

	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 404, "There is no such page.");
	if (!store_org_member_get(w->store, w->viewer.address, &me, err) ||
	    !store_notify_address(w->store, w->viewer.address, &notify,
	    err) || !store_contact_notifications_off(w->store, 0,
	    w->viewer.address, &off, err))
		goto fail;
	o = json_object_new();
	json_object_set_boolean_member(o, "notifications_off", off);
	web_json_str(o, "notify_address", notify != NULL ? notify :
	    w->viewer.address);
	json_object_set_boolean_member(o, "notify_moved", notify != NULL);
	json_object_set_boolean_member(o, "member", me != NULL);
	manage = me != NULL && may(w, me, POLICY_MANAGE_MEMBERS, &why);
	json_object_set_boolean_member(o, "manage", manage);
	if (me != NULL) {
		if (!store_org_members(w->store, me->org, &list, err)) {
			json_object_unref(o);
			goto fail;
		}
		web_json_str(o, "org", me->org);
		web_json_str(o, "role", me->role);
		json_object_set_array_member(o, "members",
		    members_json(w, me, list));
		g_ptr_array_unref(list);
		if (manage)
			json_object_set_array_member(o, "roles",
			    roles_json(w));
	}
	org_member_free(me);
	g_free(notify);
	return web_render(w, 200, "account", _("Your account"), o, err);
fail:
	org_member_free(me);
	g_free(notify);
	return NULL;
}

/* The form as its mail command line; NULL (and *bad) if incomplete. */
static char *
command_line(struct web *w, enum account_action act, const char **bad)
{
	const char	*addr = F(w, KEY_ADDRESS)->s;
	const char	*role = F(w, KEY_ROLE)->s;

	*bad = NULL;
	if (act == ACCOUNT_NOTIFICATIONS_OFF || act == ACCOUNT_NOTIFICATIONS_ON)
		return g_strdup_printf("Notifications: %s\n",
		    act == ACCOUNT_NOTIFICATIONS_OFF ? "off" : "on");
	if (addr == NULL) {
		*bad = act == ACCOUNT_NOTIFY ? "Give the address your "
		    "notifications should go to." : "Give the member's "
		    "mail address.";
		return NULL;
	}
	switch (act) {
	case ACCOUNT_ADD:
		return role != NULL ? g_strdup_printf("Member: add %s %s\n",
		    addr, role) : g_strdup_printf("Member: add %s\n", addr);
	case ACCOUNT_REMOVE:
		return g_strdup_printf("Member: remove %s\n", addr);
	default:
		return g_strdup_printf("Notify-Address: %s\n", addr);
	}
}

struct web_response *
web_page_account_change(struct web *w, GError **err)
{
	struct org_member	*me = NULL;
	struct policy_facts	 f = { 0 };
	struct account_plan	*plan = NULL;
	struct command_block	*b;
	struct web_response	*r;
	enum account_action	 act;
	const char		*bad, *why;
	char			*line, *refusal;
	bool			 ok, own;

	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 404, "There is no such page.");
	if (!F(w, KEY_ACCOUNT_ACTION)->present)
		return web_error_page(w, 400, "Choose what to change.");
	act = (enum account_action)F(w, KEY_ACCOUNT_ACTION)->i;
	if (!store_org_member_get(w->store, w->viewer.address, &me, err))
		return NULL;
	/* The same row account_decide() reads, said as a 403 first. */
	own = act != ACCOUNT_ADD && act != ACCOUNT_REMOVE;
	ok = may(w, me, own ? POLICY_CHANGE_ADDRESS : POLICY_MANAGE_MEMBERS,
	    &why);
	org_member_free(me);
	if (!ok)
		return web_error_page(w, 403, own ? why :
		    "Only a member whose role manages members (the "
		    "primary member) can add or remove members.");
	if ((line = command_line(w, act, &bad)) == NULL)
		return web_error_page(w, 400, bad);
	b = command_parse(line);
	g_free(line);
	f.token = POLICY_TOKEN_CUSTOMER;
	if (!store_begin(w->store, err)) {
		command_block_free(b);
		return NULL;
	}
	ok = account_decide(w->store, w->config, b, &f, w->viewer.address,
	    w->now, &plan, NULL, err);
	refusal = ok && account_plan_refusal(plan) != NULL ?
	    g_strdup_printf("Nothing was changed: %s.",
	    account_plan_refusal(plan)) : NULL;
	if (ok && refusal == NULL)
		ok = account_apply(w->store, w->config, plan, 0, 0,
		    w->viewer.address, w->now, err);
	account_plan_free(plan);
	command_block_free(b);
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
	return web_redirect(w, "/account");
}
