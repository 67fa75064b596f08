/*
 * web_portal: what a customer writes in the viewer.
 *
 * A message posted on a ticket's page goes through intake, the path
 * every mail takes: the CGI writes it as the mail the customer would
 * have sent — From her address, to her own reply token of that ticket —
 * so threading, rules, the life cycle (a closed ticket reopens within
 * its window, or a follow-up opens), events and notices are the same as
 * for her mail.  The signed link that opened her session proved the
 * address, as her own token does in a mail, so the token carries the
 * same authority here (postdesk-auth(5)).
 */
#include "pdconfig.h"

#include <string.h>

#include "account.h"
#include "command.h"
#include "policy.h"
#include "intake.h"
#include "lifecycle_apply.h"
#include "rules.h"
#include "token.h"
#include "web.h"
#include "web_mail.h"

#define F(w, k)		(&(w)->req->fields[(k)])

static struct web_response *
to_ticket(struct web *w, int64_t id)
{
	struct web_response *r;
	char	*path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT, id);

	r = web_redirect(w, path);
	g_free(path);
	return r;
}

/* The right side of the Message-IDs the portal makes. */
static const char *
mail_host(const struct web *w)
{
	const char *at = strrchr(w->config->address, '@');

	return at != NULL ? at + 1 : "localhost";
}

/* A refusal of intake's, said as a page (409). */
static struct web_response *
not_added(struct web *w, const struct intake_result *res)
{
	struct web_response *r;
	char	*why = g_strdup_printf("Your message was not added: %s.",
	    res->reason != NULL ? res->reason :
	    intake_outcome_to_text(res->outcome));

	r = web_error_page(w, 409, why);
	g_free(why);
	return r;
}

/*
 * Takes the customer's mail WM in through intake, sent to RCPT, in a
 * transaction left open (intake's batch: the message is its savepoint)
 * so the caller may add her commands before intake_batch_commit(); *ik
 * is freed by the caller with intake_free() after commit or rollback.
 */
static bool
submit(struct web *w, const struct web_mail *wm, const char *rcpt,
    struct intake **ikp, struct rules **rulesp, struct intake_result *res,
    GError **err)
{
	struct intake_input	 in = { 0 };
	GBytes			*raw;
	gsize			 len;
	bool			 ok;

	*ikp = NULL;
	*rulesp = NULL;
	if ((raw = web_mail_compose(wm, err)) == NULL)
		return false;
	if (!rules_load(rulesp, w->config->rules_scripts, err)) {
		g_bytes_unref(raw);
		return false;
	}
	in.raw = g_bytes_get_data(raw, &len);
	in.len = len;
	in.sender = w->viewer.address;
	in.recipient = rcpt;
	in.client_ip = g_getenv("REMOTE_ADDR");
	in.now = w->now;
	in.origin = INTAKE_ORIGIN_PORTAL;
	*ikp = intake_new(w->config, w->store);
	intake_set_rules(*ikp, *rulesp);
	ok = intake_batch_begin_small(*ikp, err) &&
	    intake_message(*ikp, &in, res, err);
	g_bytes_unref(raw);
	if (!ok)
		intake_batch_rollback(*ikp);
	return ok;
}

static void
submit_end(struct intake *ik, struct rules *rules)
{
	intake_batch_rollback(ik);
	intake_free(ik);
	rules_free(rules);
}

struct web_response *
web_page_post(struct web *w, GError **err)
{
	struct intake_result	 res = { 0 };
	struct web_mail		 wm = { 0 };
	struct intake		*ik;
	struct rules		*rules;
	struct ticket		*t = NULL;
	struct web_response	*r;
	char			*rcpt, *subject;
	int64_t			 live;
	bool			 yes, ok;

	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 404, "There is no such page.");
	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	if (!web_customer_may(w, POLICY_COMMENT, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 403, "View-only members of an "
		    "organization can read its tickets but not write to "
		    "them.");
	if (!F(w, KEY_BODY)->present || *g_strstrip(F(w, KEY_BODY)->s) ==
	    '\0')
		return web_error_page(w, 400, "Write your message.");
	/* A ticket merged away takes the message into the one it became. */
	if (!store_ticket_merged_into(w->store, w->req->id, &live, err) ||
	    !store_ticket_get(w->store, live, &t, err))
		return NULL;
	rcpt = token_mint_address(w->config->address, w->config->token_key,
	    TOKEN_REPLY, t->id, w->viewer.address, TOKEN_ROLE_CUSTOMER);
	/* The subject tag names the ticket as a reply by mail would. */
	subject = g_strdup_printf("Re: [%s #%" G_GINT64_FORMAT "]",
	    w->config->subject_tag != NULL ? w->config->subject_tag :
	    "Support", t->id);
	ticket_free(t);
	wm.from = w->viewer.address;
	wm.to = w->config->address;
	wm.subject = subject;
	wm.text = F(w, KEY_BODY)->s;
	wm.host = mail_host(w);
	wm.now = w->now;
	wm.form = w->req->form;
	ok = submit(w, &wm, rcpt != NULL ? rcpt : w->config->address, &ik,
	    &rules, &res, err) && intake_batch_commit(ik, err);
	submit_end(ik, rules);
	g_free(subject);
	g_free(rcpt);
	if (!ok) {
		intake_result_clear(&res);
		return NULL;
	}
	if (res.outcome == INTAKE_REPLY || res.outcome == INTAKE_NEW_TICKET)
		r = to_ticket(w, res.ticket);
	else
		r = not_added(w, &res);
	intake_result_clear(&res);
	return r;
}

/* One customer change by the mail command of the same name; *refusal
 * (g_free) says why the life cycle refused it. */
static bool
customer_command(struct web *w, int64_t id, enum lc_command cmd,
    const char *value, char **refusal, GError **err)
{
	bool	 applied = false;
	char	*why = NULL;

	if (!lifecycle_apply_command(w->store, w->config, id, cmd, value,
	    LC_ROLE_CUSTOMER, w->viewer.address, 0, w->now, &applied, &why,
	    err))
		return false;
	if (!applied)
		*refusal = g_strdup_printf("%s %s was refused: %s.",
		    lifecycle_command_to_text(cmd), value, why);
	g_free(why);
	return true;
}

/*
 * The customer's ticket form: status (close, solve, confirm, reopen),
 * priority, HotRush, each the mail command of the same name with her
 * role, in one transaction; a refusal (409, with the reason) applies
 * nothing.  The status goes last, so she can raise the priority of a
 * ticket and mark it solved in one go.
 */
/*
 * Her language, as her mail command "Language: xx" would set it (the
 * account table and its checks, account.h); the signed link proved the
 * address as her own token does.  *refusal (g_free) says why not.
 */
static bool
customer_language(struct web *w, int64_t ticket, const char *lang,
    char **refusal, GError **err)
{
	struct policy_facts	 f = { 0 };
	struct account_plan	*plan = NULL;
	struct command_block	*b;
	char			*line = g_strdup_printf("Language: %s\n", lang);
	bool			 ok;

	b = command_parse(line);
	g_free(line);
	f.token = POLICY_TOKEN_CUSTOMER;
	ok = account_decide(w->store, w->config, b, &f, w->viewer.address,
	    w->now, &plan, NULL, err);
	if (ok && account_plan_refusal(plan) != NULL)
		*refusal = g_strdup_printf("The language was not changed: "
		    "%s.", account_plan_refusal(plan));
	else if (ok)
		ok = account_apply(w->store, w->config, plan, ticket, 0,
		    w->viewer.address, w->now, err);
	account_plan_free(plan);
	command_block_free(b);
	return ok;
}

bool
web_follow_up_only(struct web *w, const struct ticket *t, bool *only,
    GError **err)
{
	const struct lifecycle	*lc = lifecycle_for(w->config->lifecycle,
	    t->queue);
	struct ticket_times	 tt;
	struct lc_ticket	 f;
	struct lc_verdict	 v;

	*only = false;
	if (!lifecycle_is_final(lc, t->status))
		return true;
	if (!store_ticket_times(w->store, t->id, &tt, err))
		return false;
	lifecycle_apply_facts(t, &tt, &f);
	lifecycle_on_customer_message(lc, &f, w->now, false, &v);
	*only = v.effect == LC_EFFECT_FOLLOW_UP;
	return true;
}

struct web_response *
web_page_change(struct web *w, GError **err)
{
	struct ticket	*t = NULL;
	const char	*status = F(w, KEY_STATUS)->s;
	const char	*prio = F(w, KEY_PRIORITY)->s;
	char		*refusal = NULL;
	bool		 yes, ok;

	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 404, "There is no such page.");
	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	if (!web_customer_may(w, POLICY_COMMENT, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 403, "View-only members of an "
		    "organization can read its tickets but not change them.");
	if (!store_begin(w->store, err))
		return NULL;
	/* Past the reopen window her mail would open a follow-up and her
	 * commands go there: the form is not offered, nor taken. */
	ok = store_ticket_get(w->store, w->req->id, &t, err) &&
	    web_follow_up_only(w, t, &yes, err);
	if (ok && yes)
		refusal = g_strdup("This ticket was closed longer ago than "
		    "the reopen window: request a follow-up instead.");
	if (ok && refusal == NULL && prio != NULL &&
	    strcmp(prio, t->priority) != 0)
		ok = customer_command(w, t->id, LC_CMD_PRIORITY, prio,
		    &refusal, err);
	if (ok && refusal == NULL && F(w, KEY_HOTRUSH)->present &&
	    (F(w, KEY_HOTRUSH)->i != 0) != t->hotrush)
		ok = customer_command(w, t->id, LC_CMD_HOTRUSH,
		    F(w, KEY_HOTRUSH)->i ? "on" : "off", &refusal, err);
	if (ok && refusal == NULL && status != NULL && *status != '\0' &&
	    strcmp(status, t->status) != 0)
		ok = customer_command(w, t->id, LC_CMD_STATUS, status,
		    &refusal, err);
	ticket_free(t);
	return web_finish_change(w, ok, refusal, err);
}

/* Her language: not a change of the ticket, so also on a closed one;
 * its events go on the ticket she chose it from. */
struct web_response *
web_page_language(struct web *w, GError **err)
{
	char	*refusal = NULL;
	bool	 yes, ok;

	if (w->viewer.role != WEB_CUSTOMER)
		return web_error_page(w, 404, "There is no such page.");
	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	if (!F(w, KEY_LANGUAGE)->present)
		return web_error_page(w, 400, "Choose a language.");
	if (!store_begin(w->store, err))
		return NULL;
	ok = customer_language(w, w->req->id, F(w, KEY_LANGUAGE)->s,
	    &refusal, err);
	return web_finish_change(w, ok, refusal, err);
}
