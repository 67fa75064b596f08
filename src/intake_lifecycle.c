/*
 * intake_lifecycle: the life-cycle effect of an incoming message.
 */
#include "pdconfig.h"

#include <string.h>

#include "intake-lifecycle.h"
#include "lang.h"
#include "identity.h"
#include "lifecycle_apply.h"
#include "outbox.h"
#include "policy.h"
#include "staff.h"
#include "roles.h"
#include "token.h"

void
intake_lc_clear(struct intake_lc *lc)
{
	g_free(lc->refusal);
	g_free(lc->command_refusal);
	g_free(lc->status_before);
	command_block_free(lc->commands);
	account_plan_free(lc->accounts);
	memset(lc, 0, sizeof *lc);
}

static const char *const effect_names[LC_EFFECT__MAX] = {
	"none", "status", "acknowledgement", "follow-up"
};

static void note(struct intake_lc *, const struct policy_decision *,
    GString *);

/* Who may write at all: members whose role grants neither create (a new
 * ticket) nor comment (an existing one) and, by policy, strangers are
 * refused. */
static bool
check_sender(struct store *s, const struct config *c, const char *from,
    const struct thread_verdict *v, struct intake_lc *out, GString *report,
    GError **err)
{
	struct org_member *om = NULL;
	struct policy_facts f = v->facts;
	struct policy_decision d;
	bool	 known = true;

	if (from == NULL)
		return true;
	if (!store_org_member_get(s, from, &om, err))
		return false;
	if (om != NULL) {
		/* The role's rights from [roles]; the table decides. */
		f.member = true;
		f.rights = roles_rights(c->roles, om->role);
		policy_decide(v->ticket == 0 ? POLICY_CREATE : POLICY_COMMENT,
		    &f, &d);
		if (!d.allow)
			note(out, &d, report);
	}
	if (om != NULL && !d.allow) {
		out->refuse = true;
		/* No automatic reply to a forged sender. */
		out->refusal_template = out->forged ? NULL :
		    "view-only-refusal";
		out->refusal = g_strdup_printf("%s is a view-only member of "
		    "%s (role %s)", from, om->org, om->role);
	}
	org_member_free(om);
	if (out->refuse || v->ticket != 0 || !c->unknown_sender_refuse)
		return true;
	if (!store_contact_known(s, from, &known, err))
		return false;
	if (!known) {
		/* No reply: a refusal to a stranger would be backscatter. */
		out->refuse = true;
		out->refusal = g_strdup_printf("unknown sender %s refused "
		    "([intake] unknown_sender = refuse)", from);
	}
	return true;
}

/* support+comment@host, or a Cc/To of it: an internal note. */
static bool
to_comment_address(const struct config *c, const struct mail *m,
    const char *recipient)
{
	const char	*at = strrchr(c->address, '@');
	char		*comment;
	GPtrArray	*rcpts;
	guint		 i;
	bool		 hit = false;

	if (at == NULL)
		return false;
	comment = g_strdup_printf("%.*s+comment%s", (int)(at - c->address),
	    c->address, at);
	rcpts = token_recipients(m, recipient);
	for (i = 0; !hit && i < rcpts->len; i++)
		hit = g_ascii_strcasecmp(rcpts->pdata[i], comment) == 0;
	g_ptr_array_free(rcpts, TRUE);
	g_free(comment);
	return hit;
}

static void
verdict_none(struct intake_lc *out)
{
	out->verdict.effect = LC_EFFECT_NONE;
	out->verdict.to = NULL;
	out->verdict.why = "no life-cycle effect";
}

static void
report_commands(GString *report, const struct intake_lc *out)
{
	guint	 i;

	if (out->commands->commands->len == 0)
		return;
	g_string_append_printf(report, "commands: %u, from %s%s\n",
	    out->commands->commands->len, lifecycle_role_to_text(out->role),
	    out->command_refusal != NULL ? ", all refused" : "");
	for (i = 0; i < out->commands->commands->len; i++) {
		const struct command *cmd = out->commands->commands->pdata[i];

		g_string_append_printf(report, "  command: %s\n", cmd->line);
	}
}

/* Notes decision D of the permission table: the report now, the
 * event in intake_lc_apply(). */
static void
note(struct intake_lc *out, const struct policy_decision *d,
    GString *report)
{
	char	*text = policy_decision_to_text(d);

	g_string_append_printf(report, "policy: %s\n", text);
	g_free(text);
	if (out->n_decisions < G_N_ELEMENTS(out->decisions))
		out->decisions[out->n_decisions++] = *d;
}

/*
 * Who the sender is allowed to be, by the permission table: staff
 * (staff-command, and staff-relay for a reply to relay; with an
 * account, staff-queue for the ticket's queue), else a customer whose
 * commands need customer-command.
 */
static void
decide_role(const struct thread_verdict *v, const struct policy_facts *base,
    bool account, struct intake_lc *out, GString *report)
{
	struct policy_facts f = *base;
	struct policy_decision d, q;
	bool	 commands = out->commands->commands->len > 0;
	bool	 relay = out->claims_staff && v->ticket != 0 &&
	    *out->commands->rest != '\0';

	/* A token counts for the ticket it named and joined, and the
	 * sender of a new ticket is its requester. */
	if (v->ticket == 0 || v->ticket != v->named)
		f.token = POLICY_TOKEN_NONE;
	if (v->ticket == 0)
		f.participant = true;
	policy_decide(POLICY_STAFF_COMMAND, &f, &d);
	out->authenticated = d.allow;
	/* Proven staff: may the account work this ticket?  (A new
	 * ticket's queue is the rules' to set; its commands are checked
	 * when they apply.) */
	q.allow = true;
	if (d.allow && account && v->ticket != 0)
		policy_decide(POLICY_STAFF_QUEUE, &f, &q);
	out->outside_queue = !q.allow;
	out->role = d.allow && q.allow ? LC_ROLE_STAFF : LC_ROLE_CUSTOMER;
	if (out->claims_staff && commands)
		note(out, &d, report);
	if (out->claims_staff && !d.allow && commands)
		out->command_refusal = policy_decision_to_text(&d);
	if (relay) {
		struct policy_decision r;

		policy_decide(POLICY_STAFF_RELAY, &f, &r);
		note(out, &r, report);
	}
	if (d.allow && account && v->ticket != 0 && (commands || relay))
		note(out, &q, report);
	if (!q.allow && commands)
		out->command_refusal = policy_decision_to_text(&q);
	if (out->claims_staff || !commands)
		return;
	policy_decide(POLICY_CUSTOMER_COMMAND, &f, &d);
	note(out, &d, report);
	if (!d.allow)
		out->command_refusal = policy_decision_to_text(&d);
}

/* The value of the first Status: command of B, or NULL. */
static const char *
status_command(const struct command_block *b)
{
	guint	 i;

	for (i = 0; i < b->commands->len; i++) {
		const struct command *c = b->commands->pdata[i];

		if (c->cmd == LC_CMD_STATUS)
			return c->value;
	}
	return NULL;
}

/*
 * The facts of the verdict, and whether the sender has a staff account
 * of the store (not the bootstrap list) that does not work the named
 * ticket's queue.
 */
static bool
staff_facts(struct store *s, const struct config *c, const struct mail *m,
    const struct thread_verdict *v, struct policy_facts *f, bool *account,
    GError **err)
{
	struct staff	*st = NULL;
	struct ticket	*t = NULL;
	bool		 ok = true;

	*f = v->facts;
	*account = false;
	if (!f->claims_staff)
		return true;
	if (!staff_lookup(s, c, m->from.addr, &st, err))
		return false;
	*account = st != NULL && !st->bootstrap;
	if (*account && v->ticket != 0) {
		ok = store_ticket_get(s, v->ticket, &t, err);
		if (ok)
			f->staff_outside_queue = !staff_may_act(st,
			    t->queue);
	}
	ticket_free(t);
	staff_free(st);
	return ok;
}

/* The account commands, on the sender's own facts: a token counts
 * only for the ticket it named and joined. */
static bool
decide_accounts(struct store *s, const struct config *c,
    const struct mail *m, const struct thread_verdict *v, int64_t now,
    struct intake_lc *out, GString *report, GError **err)
{
	struct policy_facts f = v->facts;

	if (v->ticket == 0 || v->ticket != v->named)
		f.token = POLICY_TOKEN_NONE;
	return account_decide(s, c, out->commands, &f, m->from.addr, now,
	    &out->accounts, report, err);
}

bool
intake_lc_decide(struct store *s, const struct config *c,
    const struct mail *m, const struct thread_verdict *v,
    const struct identity *id, const char *recipient, int64_t now,
    struct intake_lc *out,
    GString *report, GError **err)
{
	struct ticket	*t = NULL;
	struct ticket_times tt;
	struct lc_ticket f;
	const struct lifecycle *lc;
	struct policy_facts pf;
	bool		 joined = v->ticket != 0 && v->ticket == v->named;
	bool		 account;

	memset(out, 0, sizeof *out);
	out->commands = command_parse(m->stripped);
	out->claims_staff = v->facts.claims_staff;
	out->forged = id != NULL && id->final == IDENTITY_FORGED;
	out->unverified = v->unverified;
	if (v->join.rule != NULL)
		note(out, &v->join, report);
	/* SPF or DKIM count only when aligned with From: (DMARC), a token
	 * only for the address and role it was minted for (policy.h). */
	if (!staff_facts(s, c, m, v, &pf, &account, err))
		return false;
	decide_role(v, &pf, account, out, report);
	/* An internal note: staff mail to the comment address, or any
	 * reply to a comment notification — the comment token is only in
	 * staff mail, and a note never reaches a customer. */
	out->internal = (out->role == LC_ROLE_STAFF &&
	    to_comment_address(c, m, recipient)) || (joined &&
	    v->facts.token != POLICY_TOKEN_NONE &&
	    v->token_kind == TOKEN_COMMENT);
	g_string_append_printf(report, "sender proof: verdict %s (aligned "
	    "pass: %s), reply token %s%s\n", id != NULL ?
	    identity_final_to_text(id->final) : "none",
	    identity_aligned_pass(id) ? "yes" : "no",
	    policy_token_to_text(joined ? v->facts.token : POLICY_TOKEN_NONE),
	    !out->claims_staff ? "" : out->outside_queue ? "; staff sender "
	    "authenticated, outside its queues" : out->authenticated ?
	    "; staff sender authenticated" : "; staff address NOT "
	    "authenticated");
	report_commands(report, out);
	if (!decide_accounts(s, c, m, v, now, out, report, err))
		return false;
	if (v->quarantine) {
		/* [auth] on_forged = quarantine: kept, not answered. */
		out->refuse = true;
		out->quarantine = true;
		out->refusal = g_strdup(v->why);
	}
	if (!out->refuse && out->role == LC_ROLE_CUSTOMER &&
	    !out->claims_staff &&
	    !check_sender(s, c, m->from.addr, v, out, report, err))
		return false;
	if (out->refuse) {
		g_string_append_printf(report, "life cycle: refused — %s%s%s\n",
		    out->refusal, out->refusal_template ? "; reply: " : "",
		    out->refusal_template ? out->refusal_template : "");
		return true;
	}
	if (v->ticket == 0) {
		g_string_append_printf(report, "life cycle: new ticket, "
		    "status %s\n", lifecycle_for(c->lifecycle, NULL)->initial);
		return true;
	}
	if (out->internal || (out->claims_staff &&
	    out->role != LC_ROLE_STAFF)) {
		/* A staff address without proof, or without authority on
		 * this ticket, moves nothing. */
		g_string_append(report, out->internal ? "life cycle: internal "
		    "note, status unchanged\n" : out->outside_queue ? "life "
		    "cycle: staff outside the ticket's queue, status "
		    "unchanged\n" : "life cycle: unauthenticated staff "
		    "address, status unchanged\n");
		verdict_none(out);
		return true;
	}
	if (!store_ticket_get(s, v->ticket, &t, err))
		return false;
	if (!store_ticket_times(s, v->ticket, &tt, err)) {
		ticket_free(t);
		return false;
	}
	lc = lifecycle_apply_lc(c, t);
	lifecycle_apply_facts(t, &tt, &f);
	if (out->role == LC_ROLE_STAFF &&
	    command_block_has(out->commands, LC_CMD_STATUS)) {
		verdict_none(out);
		out->verdict.why = "its Status: command decides";
	} else if (out->role == LC_ROLE_STAFF)
		lifecycle_on_staff_reply(lc, &f, &out->verdict);
	else {
		const char *value = out->command_refusal == NULL ?
		    status_command(out->commands) : NULL;
		bool	 decides;

		/* Only commands ("Rating: 5") count as an acknowledgement. */
		out->ack = lifecycle_is_ack(lc, out->commands->rest) ||
		    (out->commands->commands->len > 0 &&
		    *out->commands->rest == '\0');
		lifecycle_on_customer_command(lc, &f, now, out->ack, value,
		    &decides, &out->verdict);
		/* Her command is decided first, on the status as it is;
		 * the message's own effect comes after, if still due. */
		if (value != NULL &&
		    out->verdict.effect != LC_EFFECT_FOLLOW_UP) {
			out->deferred = true;
			out->status_before = g_strdup(t->status);
			g_string_append_printf(report, "life cycle: order: "
			    "Status: %s first (%s), then the message's "
			    "effect\n", value, decides ? "allowed" :
			    "not allowed from this status");
		}
	}
	if (out->verdict.effect == LC_EFFECT_FOLLOW_UP)
		out->follow_up_of = v->ticket;
	g_string_append_printf(report, "life cycle: %s message to a %s "
	    "ticket: %s%s%s — %s\n", lifecycle_role_to_text(out->role),
	    t->status, effect_names[out->verdict.effect],
	    out->verdict.to ? " → " : "",
	    out->verdict.to ? out->verdict.to : "", out->verdict.why);
	ticket_free(t);
	return true;
}

void
intake_lc_portal_only(const struct config *c, const struct thread_verdict *v,
    bool from_portal, struct intake_lc *out, GString *report)
{
	if (!c->portal_only || from_portal || out->refuse || v->ticket == 0 ||
	    out->role != LC_ROLE_CUSTOMER || out->claims_staff)
		return;
	out->portal_note = true;
	out->internal = true;
	out->follow_up_of = 0;
	out->deferred = false;
	out->ack = false;
	verdict_none(out);
	out->verdict.why = "customer replies are taken in the portal";
	g_string_append(report, "life cycle: portal-only mode ([mail] "
	    "customer_replies = portal): kept as an internal note received "
	    "by mail; no commands, status unchanged; the sender is pointed "
	    "to the portal\n");
}

static bool
apply_existing(struct store *s, const struct config *c,
    const struct intake_lc *lc, int64_t ticket, int64_t row,
    const char *actor, int64_t now, GError **err)
{
	struct ticket	*t = NULL;
	bool		 ok;

	if (lc->verdict.effect == LC_EFFECT_ACK)
		return store_event_add(s, ticket, row, now, actor,
		    "acknowledged", lc->verdict.why, err);
	if (lc->verdict.effect != LC_EFFECT_STATUS)
		return true;
	if (!store_ticket_get(s, ticket, &t, err))
		return false;
	ok = lifecycle_apply_status(s, c, t, lc->verdict.to, actor,
	    lc->verdict.why, row, now, err);
	ticket_free(t);
	return ok;
}

static bool
apply_follow_up(struct store *s, const struct mail *m,
    const struct intake_lc *lc, int64_t ticket, int64_t row,
    const char *actor, int64_t now, GError **err)
{
	char	*to_old = g_strdup_printf("follow-up ticket #%" G_GINT64_FORMAT
	    " opened: %s", ticket, lc->verdict.why);
	char	*to_new = g_strdup_printf("follow-up of closed ticket #%"
	    G_GINT64_FORMAT, lc->follow_up_of);
	bool	 ok;

	ok = store_event_add(s, lc->follow_up_of, 0, now, actor, "follow-up",
	    to_old, err) &&
	    store_event_add(s, ticket, row, now, actor, "follow-up", to_new,
	    err) &&
	    (m->from.addr == NULL || lc->forged || outbox_enqueue(s, ticket,
	    row, OUTBOX_NOTICE, "follow-up-opened", m->from.addr, now, NULL,
	    err));
	g_free(to_old);
	g_free(to_new);
	return ok;
}

bool
intake_lc_apply(struct store *s, const struct config *c, const struct mail *m,
    const struct intake_lc *lc, int64_t ticket, bool new_ticket, int64_t row,
    const char *actor, int64_t now, GError **err)
{
	bool	 staff = lc->role == LC_ROLE_STAFF;
	guint	 i;

	/* Each decision of the permission table, naming its rule. */
	for (i = 0; i < lc->n_decisions; i++) {
		char	*text = policy_decision_to_text(&lc->decisions[i]);
		bool	 ok = store_event_add(s, ticket, row, now, actor,
		    "policy", text, err);

		g_free(text);
		if (!ok)
			return false;
	}
	if (new_ticket && lc->unverified && !store_ticket_add_tag(s, ticket,
	    POLICY_UNVERIFIED_TAG, err))
		return false;
	if (lc->internal || (lc->claims_staff && !staff))
		return true;
	/* The staff reply path "postdesk reply" takes too. */
	if (staff && !new_ticket)
		return lifecycle_apply_staff_reply(s, c, ticket, actor, row,
		    now, command_block_has(lc->commands, LC_CMD_STATUS), err);
	if (!store_ticket_mark_reply(s, ticket, staff, now, err))
		return false;
	if (!staff && m->from.addr != NULL) {
		char	*lang = NULL;
		bool	 ok;

		/* Her language, if this is her first message (lang.h). */
		(void)lang_from_content_language(&lang, mail_header(m,
		    "Content-Language"));
		ok = store_contact_add(s, m->from.addr, m->from.name, lang,
		    now, err);
		g_free(lang);
		if (!ok)
			return false;
	}
	if (!new_ticket)
		return lc->deferred || apply_existing(s, c, lc, ticket, row,
		    actor, now, err);
	if (!store_ticket_set_status(s, ticket, lifecycle_for(c->lifecycle,
	    NULL)->initial, now, err))
		return false;
	if (lc->follow_up_of != 0)
		return apply_follow_up(s, m, lc, ticket, row, actor, now, err);
	return true;
}

/* The message's own effect, after her Status: command: only if the
 * command left the status as it was. */
static bool
apply_deferred(struct store *s, const struct config *c,
    const struct intake_lc *lc, int64_t ticket, int64_t row,
    const char *actor, int64_t now, GError **err)
{
	struct ticket	*t = NULL;
	bool		 same;

	if (!store_ticket_get(s, ticket, &t, err))
		return false;
	same = g_strcmp0(t->status, lc->status_before) == 0;
	ticket_free(t);
	return !same || apply_existing(s, c, lc, ticket, row, actor, now,
	    err);
}

/* The portal pointer, at most once a day per sender and ticket. */
#define PORTAL_POINTER_TEMPLATE	"portal-only"
#define PORTAL_POINTER_EVERY	(24 * 3600)

static bool
portal_note_after(struct store *s, const struct config *c,
    const struct mail *m, const char *sender, const struct intake_lc *lc,
    int64_t ticket, int64_t row, int64_t now, GError **err)
{
	const char	*actor = m->from.addr != NULL ? m->from.addr : sender;
	const char	*why = lc->forged ? "verdict forged (postdesk-auth(5))" :
	    outbox_auto_refusal(c, m, sender);
	char		*detail;
	int64_t		 n = 0;
	bool		 ok;

	if (!store_event_add(s, ticket, row, now, actor, "received-by-mail",
	    "a customer's mail reply, kept as an internal note: customer "
	    "replies are taken in the portal ([mail] customer_replies = "
	    "portal)", err))
		return false;
	if (why == NULL) {
		if (!store_outbox_count_template_since(s, ticket,
		    PORTAL_POINTER_TEMPLATE, m->from.addr,
		    now - PORTAL_POINTER_EVERY, &n, err))
			return false;
		if (n > 0)
			why = "already pointed to the portal about this "
			    "ticket in the last 24 hours";
	}
	if (why == NULL && !outbox_auto_reply_limited(s, c, m->from.addr, now,
	    &why, err))
		return false;
	if (why == NULL)
		return outbox_enqueue_answer(s, ticket, row,
		    PORTAL_POINTER_TEMPLATE, m->from.addr, now, err);
	detail = g_strdup_printf("no portal pointer to %s: %s",
	    m->from.addr != NULL ? m->from.addr : "(none)", why);
	ok = store_event_add(s, ticket, row, now, "postdesk",
	    "auto-reply-suppressed", detail, err);
	g_free(detail);
	return ok;
}

bool
intake_lc_after(struct store *s, const struct config *c,
    const struct mail *m, const char *sender, const struct intake_lc *lc,
    int64_t ticket, int64_t row, int64_t now, GError **err)
{
	const char	*actor = m->from.addr != NULL ? m->from.addr : sender;
	struct outbox_staff_message sm = { 0 };
	int64_t		 out_row;

	if (lc->portal_note)
		return portal_note_after(s, c, m, sender, lc, ticket, row, now,
		    err);
	if (lc->commands->commands->len > 0) {
		if (!lifecycle_apply_commands(s, c, ticket, lc->commands,
		    lc->role, actor, lc->command_refusal, row, now, NULL,
		    NULL, err) ||
		    !account_apply(s, c, lc->accounts, ticket, row, actor, now,
		    err))
			return false;
		/* The transcript, as Debian's control@ does; none to a
		 * forged sender. */
		if (m->from.addr != NULL && !lc->forged &&
		    outbox_auto_refusal(c, m, sender) == NULL &&
		    !outbox_enqueue(s, ticket, row, OUTBOX_NOTICE,
		    "command-transcript", m->from.addr, now, NULL, err))
			return false;
	}
	if (lc->deferred && !apply_deferred(s, c, lc, ticket, row, actor,
	    now, err))
		return false;
	if (!intake_lc_relays(lc))
		return true;
	/* A staff reply by mail goes on to the requester and CCs; a note to
	 * the comment address only to the other staff. */
	sm.from_addr = m->from.addr;
	sm.from_name = m->from.name;
	sm.text = lc->commands->rest;
	sm.internal = lc->internal;
	return outbox_staff_message(s, c, ticket, &sm, now, &out_row, err);
}

bool
intake_lc_relays(const struct intake_lc *lc)
{
	return lc->role == LC_ROLE_STAFF && lc->follow_up_of == 0 &&
	    lc->commands != NULL && *lc->commands->rest != '\0';
}
