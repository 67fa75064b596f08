/*
 * lifecycle_apply: the rules of lifecycle.c applied to stored tickets.
 */
#include "pdconfig.h"

#include <string.h>

#include "account.h"
#include "command.h"
#include "lifecycle_apply.h"
#include "outbox.h"
#include "policy.h"
#include "staff.h"

static const char *const command_names[LC_CMD__MAX] = {
	"Status", "Priority", "Queue", "Owner", "HotRush", "Tag", "Cc",
	"Rating",
	"Member", "Notify-Address", "Confirm-Address", "Language",
	"Notifications"
};

bool
lc_command_is_account(enum lc_command c)
{
	return c == LC_CMD_MEMBER || c == LC_CMD_NOTIFY_ADDRESS ||
	    c == LC_CMD_CONFIRM_ADDRESS || c == LC_CMD_LANGUAGE ||
	    c == LC_CMD_NOTIFICATIONS;
}

bool
text_to_lc_command(enum lc_command *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < LC_CMD__MAX; i++)
		if (g_ascii_strcasecmp(s, command_names[i]) == 0) {
			*out = (enum lc_command)i;
			return true;
		}
	return false;
}

const char *
lifecycle_command_to_text(enum lc_command c)
{
	return c < LC_CMD__MAX ? command_names[c] : "?";
}

const struct lifecycle *
lifecycle_apply_lc(const struct config *c, const struct ticket *t)
{
	return lifecycle_for(c->lifecycle, t->queue);
}

void
lifecycle_apply_facts(const struct ticket *t, const struct ticket_times *tt,
    struct lc_ticket *out)
{
	memset(out, 0, sizeof *out);
	out->status = t->status;
	out->priority = t->priority_rank;
	out->status_since = tt->status_since;
	out->created = t->created;
	out->last_staff_reply = tt->staff_reply_at;
	out->last_customer = tt->customer_at;
	out->last_message = t->updated;
	out->first_response = tt->first_response_at;
	out->hotrush = t->hotrush;
}


bool
lifecycle_apply_status(struct store *s, const struct config *c,
    const struct ticket *t, const char *to, const char *actor,
    const char *why, int64_t message_row, int64_t now, GError **err)
{
	const struct lifecycle *lc = lifecycle_apply_lc(c, t);
	char	*detail = g_strdup_printf("%s → %s: %s", t->status, to, why);
	const char *notice = NULL;
	struct rating *r = NULL;
	bool	 ok;

	/* The rating request, where configured, is the notice of the
	 * status that opens rating (Xentral's Solved). */
	if (lc->rating_request != NULL && lifecycle_rating_request(lc,
	    t->status, to, false) != NULL) {
		if (!store_rating_get(s, t->id, &r, err)) {
			g_free(detail);
			return false;
		}
		notice = lifecycle_rating_request(lc, t->status, to,
		    r != NULL);
		rating_free(r);
	}
	if (notice == NULL && lc->closed != NULL && strcmp(to, lc->closed) == 0)
		notice = "closed";
	else if (notice == NULL && lc->pre_closed != NULL &&
	    strcmp(to, lc->pre_closed) == 0)
		notice = "pre-closed";
	ok = store_ticket_set_status(s, t->id, to, now, err) &&
	    store_event_add(s, t->id, message_row, now, actor, "status",
	    detail, err) &&
	    (notice == NULL || outbox_enqueue(s, t->id, message_row,
	    OUTBOX_NOTICE, notice, t->requester, now, NULL, err));
	g_free(detail);
	return ok;
}

bool
lifecycle_apply_staff_reply(struct store *s, const struct config *c,
    int64_t id, const char *actor, int64_t row, int64_t now, bool by_command,
    GError **err)
{
	struct ticket	*t = NULL;
	struct ticket_times tt;
	struct lc_ticket f;
	struct lc_verdict v;
	bool		 ok;

	if (!store_ticket_mark_reply(s, id, true, now, err))
		return false;
	/* "Status: in-progress" above a reply means in-progress: moving to
	 * waiting first would refuse or bend the staff's own word. */
	if (by_command)
		return true;
	if (!store_ticket_get(s, id, &t, err))
		return false;
	ok = store_ticket_times(s, id, &tt, err);
	if (ok) {
		lifecycle_apply_facts(t, &tt, &f);
		lifecycle_on_staff_reply(lifecycle_apply_lc(c, t), &f, &v);
		if (v.effect == LC_EFFECT_STATUS)
			ok = lifecycle_apply_status(s, c, t, v.to, actor, v.why,
			    row, now, err);
	}
	ticket_free(t);
	return ok;
}

static bool
refuse(bool *applied, char **why, const char *text)
{
	*applied = false;
	*why = g_strdup(text);
	return true;
}

static bool
event(struct store *s, const struct ticket *t, int64_t row, int64_t now,
    const char *actor, const char *kind, const char *detail, bool *applied,
    char **why, GError **err)
{
	*applied = true;
	*why = g_strdup(detail);
	return store_event_add(s, t->id, row, now, actor, kind, detail, err);
}

static bool
cmd_status(struct store *s, const struct config *c, const struct ticket *t,
    const char *value, enum lc_role role, const char *actor, int64_t row,
    int64_t now, bool *applied, char **why, GError **err)
{
	const struct lifecycle *lc = lifecycle_apply_lc(c, t);
	const char	*w;
	char		*detail;
	bool		 ok;
	guint		 i;

	/* Accept any case: "Status: Closed". */
	for (i = 0; lc->statuses[i] != NULL; i++)
		if (g_ascii_strcasecmp(lc->statuses[i], value) == 0)
			value = lc->statuses[i];
	if (!lifecycle_can(lc, t->status, value, role, &w)) {
		*applied = false;
		*why = g_strdup_printf("%s (%s → %s)", w, t->status, value);
		return true;
	}
	detail = g_strdup_printf("by %s", lifecycle_role_to_text(role));
	ok = lifecycle_apply_status(s, c, t, value, actor, detail, row, now,
	    err);
	g_free(detail);
	*applied = true;
	*why = g_strdup_printf("%s → %s", t->status, value);
	return ok;
}

static bool
cmd_priority(struct store *s, const struct config *c, const struct ticket *t,
    const char *value, enum lc_role role, const char *actor, int64_t row,
    int64_t now, bool *applied, char **why, GError **err)
{
	const struct lifecycle *lc = lifecycle_apply_lc(c, t);
	int		 p = lifecycle_priority_rank(lc, value);
	const char	*w, *name;
	char		*d;
	bool		 ok;

	if (p == LC_RANK_NONE) {
		char *list = lifecycle_priority_list(lc);

		*applied = false;
		*why = g_strdup_printf("\"%s\" is not a priority here: %s",
		    value, list);
		g_free(list);
		return true;
	}
	name = lifecycle_priority_name(lc, p);
	if (!lifecycle_can_set_priority(lc, t->status, role, &w))
		return refuse(applied, why, w);
	if (!lifecycle_can_choose_priority(lc, p, role)) {
		*applied = false;
		*why = g_strdup_printf("only staff set priority %s "
		    "(staff_priorities)", name);
		return true;
	}
	if (strcmp(t->priority, name) == 0 && t->priority_rank == p)
		return refuse(applied, why, "the ticket already has that "
		    "priority");
	d = g_strdup_printf("%s → %s", t->priority, name);
	ok = store_ticket_set_priority(s, t->id, name, p, err) &&
	    event(s, t, row, now, actor, "priority", d, applied, why, err);
	g_free(d);
	return ok;
}

static bool
cmd_hotrush(struct store *s, const struct config *c, const struct ticket *t,
    const char *value, enum lc_role role, const char *actor, int64_t row,
    int64_t now, bool *applied, char **why, GError **err)
{
	bool	 on, counts;
	int64_t	 used = 0;
	char	*account = NULL, *d;
	const char *w;
	bool	 ok;

	if (g_ascii_strcasecmp(value, "on") == 0 ||
	    g_ascii_strcasecmp(value, "yes") == 0)
		on = true;
	else if (g_ascii_strcasecmp(value, "off") == 0 ||
	    g_ascii_strcasecmp(value, "no") == 0)
		on = false;
	else
		return refuse(applied, why, "HotRush is on or off");
	if (on == t->hotrush)
		return refuse(applied, why, on ? "HotRush is already on" :
		    "HotRush is already off");
	if (!store_account_of(s, t->requester, &account, err) ||
	    !store_hotrush_offs(s, account, &used, err)) {
		g_free(account);
		return false;
	}
	if (!lifecycle_can_set_hotrush(lifecycle_apply_lc(c, t), t->status,
	    on, role, used, &counts, &w)) {
		g_free(account);
		return refuse(applied, why, w);
	}
	d = counts ? g_strdup_printf("off (%" G_GINT64_FORMAT " of %"
	    G_GINT64_FORMAT " cancellations of %s used)", used + 1,
	    lifecycle_apply_lc(c, t)->hotrush_off_limit, account) :
	    g_strdup(on ? "on" : "off");
	ok = store_ticket_set_hotrush(s, t->id, on, err) &&
	    (!counts || store_hotrush_off_add(s, account, t->id, actor, now,
	    err)) &&
	    event(s, t, row, now, actor, "hotrush", d, applied, why, err);
	g_free(d);
	g_free(account);
	return ok;
}

/* The rating-comment notice to T's queue's leads (no lead: its
 * admins; none: every admin), as an escalation goes. */
static bool
rating_to_leads(struct store *s, const struct config *c,
    const struct ticket *t, int64_t now, GError **err)
{
	struct staff_dir *dir = NULL;
	GPtrArray	*to;
	bool		 ok;

	if (!staff_dir_load(s, c, &dir, err))
		return false;
	to = staff_escalation_recipients(dir, t->queue);
	ok = to->len == 0 || outbox_enqueue_all(s, t->id, 0, OUTBOX_STAFF,
	    "rating-comment", to, NULL, now, err);
	g_ptr_array_free(to, TRUE);
	staff_dir_free(dir);
	return ok;
}

static bool
cmd_rating(struct store *s, const struct config *c, const struct ticket *t,
    const char *value, enum lc_role role, const char *actor, int64_t row,
    int64_t now, bool *applied, char **why, GError **err)
{
	const char	*w, *comment;
	int		 r;
	char		*d;
	bool		 ok;

	if (!g_ascii_isdigit(value[0]) || (value[1] != '\0' &&
	    !g_ascii_isspace(value[1])))
		return refuse(applied, why, "a rating is a number from 1 to "
		    "5, then an optional comment");
	r = value[0] - '0';
	if (!lifecycle_can_rate(lifecycle_apply_lc(c, t), t->status, r, role,
	    &w))
		return refuse(applied, why, w);
	comment = value + 1;
	while (g_ascii_isspace(*comment))
		comment++;
	d = g_strdup_printf("%d%s%s", r, *comment ? ": " : "", comment);
	ok = store_rating_set(s, t->id, r, *comment ? comment : NULL, actor,
	    now, err) && event(s, t, row, now, actor, "rated", d, applied, why,
	    err);
	g_free(d);
	/* X-Cart: rating comments "are addressed by heads of
	 * corresponding departments": the queue's leads read them. */
	if (ok && *applied && *comment != '\0')
		ok = rating_to_leads(s, c, t, now, err);
	return ok;
}

static bool
valid_name(const char *v)
{
	return *v != '\0' && strlen(v) <= 64 &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_.@+") ==
	    strlen(v);
}

/*
 * The owner an Owner: value names (lifecycle_apply.h): "none", a staff
 * address, or the local part of exactly one ("bob"); the staff are the
 * store's accounts, or the bootstrap list (staff.h).
 */
bool
lifecycle_apply_owner_of(struct store *s, const struct config *c,
    const char *v, char **out, const char **why, GError **err)
{
	struct staff_dir *dir = NULL;

	*out = NULL;
	*why = NULL;
	if (!staff_dir_load(s, c, &dir, err))
		return false;
	(void)staff_resolve_owner(dir, v, out, why);
	staff_dir_free(dir);
	return true;
}

static bool
cmd_owner(struct store *s, const struct config *c, const struct ticket *t,
    const char *value, const char *actor, int64_t row, int64_t now,
    bool *applied, char **why, GError **err)
{
	const struct lifecycle *lc = lifecycle_apply_lc(c, t);
	const char *w = NULL;
	char	*owner = NULL, *d;
	bool	 ok;

	if (!lifecycle_apply_owner_of(s, c, value, &owner, &w, err))
		return false;
	if (w != NULL) {
		*applied = false;
		*why = g_strdup_printf("\"%s\" %s", value, w);
		return true;
	}
	if (g_strcmp0(owner, t->owner) == 0) {
		g_free(owner);
		return refuse(applied, why, owner != NULL ? "the ticket "
		    "already has that owner" : "the ticket has no owner");
	}
	d = g_strdup_printf("owner %s", owner != NULL ? owner : "none");
	ok = store_ticket_set(s, t->id, "owner", owner, err) &&
	    event(s, t, row, now, actor, "owner", d, applied, why, err);
	/* Taking a new ticket assigns it. */
	if (ok && owner != NULL && lc->assigned != NULL &&
	    strcmp(t->status, lc->initial) == 0)
		ok = lifecycle_apply_status(s, c, t, lc->assigned, actor,
		    "an owner was set", row, now, err);
	g_free(owner);
	g_free(d);
	return ok;
}

static bool
cmd_staff_only(struct store *s, const struct config *c,
    const struct ticket *t, enum lc_command cmd, const char *value,
    const char *actor, int64_t row, int64_t now, bool *applied, char **why,
    GError **err)
{
	const struct lifecycle *nlc;
	char	*d = NULL;
	bool	 ok = true;

	if (!valid_name(value))
		return refuse(applied, why, "expected a lower-case name");
	switch (cmd) {
	case LC_CMD_QUEUE:
		nlc = lifecycle_for(c->lifecycle, value);
		if (strcmp(t->queue, value) == 0)
			return refuse(applied, why, "the ticket is already in "
			    "that queue");
		if (!lifecycle_has_status(nlc, t->status))
			return refuse(applied, why, "the ticket's status does "
			    "not exist in that queue's life cycle");
		if (lifecycle_priority_rank(nlc, t->priority) == LC_RANK_NONE)
			return refuse(applied, why, "the ticket's priority "
			    "does not exist in that queue's life cycle");
		d = g_strdup_printf("%s → %s", t->queue, value);
		ok = store_ticket_set(s, t->id, "queue", value, err) &&
		    store_ticket_set_priority(s, t->id, t->priority,
		    lifecycle_priority_rank(nlc, t->priority), err) &&
		    event(s, t, row, now, actor, "queue", d, applied, why, err);
		break;
	case LC_CMD_TAG:
		d = g_strdup_printf("tag %s", value);
		ok = store_ticket_add_tag(s, t->id, value, err) &&
		    event(s, t, row, now, actor, "tag", d, applied, why, err);
		break;
	default:
		g_assert_not_reached();
	}
	g_free(d);
	return ok;
}

/*
 * Cc: add ADDR / Cc: remove ADDR: who else gets the ticket's mail.
 * The requester is the ticket's own and stays.
 */
static bool
cmd_cc(struct store *s, const struct ticket *t, const char *value,
    const char *actor, int64_t row, int64_t now, bool *applied, char **why,
    GError **err)
{
	char	**w = g_strsplit_set(value, " \t", -1), *addr, *d;
	bool	 add, ok, removed = false;
	guint	 n = 0, i;

	/* The words, empty ones (repeated blanks) skipped. */
	for (i = 0; w[i] != NULL; i++)
		if (*w[i] != '\0')
			w[n++] = w[i];
	w[n] = NULL;
	add = n == 2 && g_ascii_strcasecmp(w[0], "add") == 0;
	if (n != 2 || (!add && g_ascii_strcasecmp(w[0], "remove") != 0) ||
	    !account_is_bare_address(w[1])) {
		g_strfreev(w);
		return refuse(applied, why, "expected \"add ADDRESS\" or "
		    "\"remove ADDRESS\"");
	}
	addr = g_ascii_strdown(w[1], -1);
	g_strfreev(w);
	if (g_ascii_strcasecmp(addr, t->requester) == 0) {
		g_free(addr);
		return refuse(applied, why, "the requester is the ticket's "
		    "own: not a CC");
	}
	ok = add ? store_participant_add(s, t->id, addr, NULL, "cc", err) :
	    store_participant_remove_cc(s, t->id, addr, &removed, err);
	if (ok && !add && !removed) {
		g_free(addr);
		return refuse(applied, why, "not a CC of this ticket");
	}
	d = g_strdup_printf("%s %s", add ? "added" : "removed", addr);
	ok = ok && event(s, t, row, now, actor, "cc", d, applied, why, err);
	g_free(d);
	g_free(addr);
	return ok;
}

/*
 * Staff by a store account (mail, web, --from) work their queues only:
 * staff-queue of the permission table.  *why (g_free) says why not;
 * NULL if they may.  No account (the bootstrap list, the command
 * line's own address): the caller vouched for the role.
 */
static bool
may_work(struct store *s, const struct config *c, const struct ticket *t,
    const char *actor, char **why, GError **err)
{
	struct staff	*st = NULL;
	struct policy_facts f = { 0 };
	struct policy_decision d;
	char		*queues;

	*why = NULL;
	if (!staff_lookup(s, c, actor, &st, err))
		return false;
	if (st == NULL || st->bootstrap) {
		staff_free(st);
		return true;
	}
	f.claims_staff = true;
	f.staff_disabled = st->disabled;
	f.staff_outside_queue = !staff_may_act(st, t->queue);
	policy_decide(POLICY_STAFF_QUEUE, &f, &d);
	if (!d.allow) {
		queues = staff_queues_to_text(st->queues);
		*why = g_strdup_printf("%s: %s (%s, %s of %s; ticket #%"
		    G_GINT64_FORMAT " is in %s)", d.rule, d.why, st->address,
		    staff_role_to_text(st->role), *queues ? queues : "no "
		    "queue", t->id, t->queue);
		g_free(queues);
	}
	staff_free(st);
	return true;
}

bool
lifecycle_apply_command(struct store *s, const struct config *c, int64_t id,
    enum lc_command cmd, const char *value, enum lc_role role,
    const char *actor, int64_t row, int64_t now, bool *applied, char **why,
    GError **err)
{
	struct ticket	*t = NULL;
	char		*v = g_strstrip(g_strdup(value != NULL ? value : ""));
	bool		 ok = true;

	*why = NULL;
	*applied = false;
	if (!store_ticket_get(s, id, &t, err)) {
		g_free(v);
		return false;
	}
	if (role == LC_ROLE_STAFF && !may_work(s, c, t, actor, why, err))
		ok = false;
	if (!ok || *why != NULL)
		;	/* failed, or refused by staff-queue */
	else if (*v == '\0')
		ok = refuse(applied, why, "no value given");
	else if (lc_command_is_account(cmd))
		ok = refuse(applied, why, "an account command: by mail, or "
		    "postdesk org for staff");
	else if (role == LC_ROLE_CUSTOMER && (cmd == LC_CMD_QUEUE ||
	    cmd == LC_CMD_OWNER || cmd == LC_CMD_TAG || cmd == LC_CMD_CC))
		ok = refuse(applied, why, "only staff may use this command");
	else if (cmd == LC_CMD_OWNER)
		ok = cmd_owner(s, c, t, v, actor, row, now, applied, why,
		    err);
	else if (cmd == LC_CMD_STATUS)
		ok = cmd_status(s, c, t, v, role, actor, row, now, applied,
		    why, err);
	else if (cmd == LC_CMD_PRIORITY)
		ok = cmd_priority(s, c, t, v, role, actor, row, now, applied,
		    why, err);
	else if (cmd == LC_CMD_HOTRUSH)
		ok = cmd_hotrush(s, c, t, v, role, actor, row, now, applied,
		    why, err);
	else if (cmd == LC_CMD_RATING)
		ok = cmd_rating(s, c, t, v, role, actor, row, now, applied,
		    why, err);
	else if (cmd == LC_CMD_CC)
		ok = cmd_cc(s, t, v, actor, row, now, applied, why, err);
	else
		ok = cmd_staff_only(s, c, t, cmd, v, actor, row, now, applied,
		    why, err);
	ticket_free(t);
	g_free(v);
	return ok;
}

bool
lifecycle_apply_commands(struct store *s, const struct config *c, int64_t id,
    const struct command_block *b, enum lc_role role, const char *actor,
    const char *refuse_all, int64_t row, int64_t now, GPtrArray *report,
    int *refused, GError **err)
{
	guint	 i;
	bool	 ok = true;

	if (refused != NULL)
		*refused = 0;
	for (i = 0; ok && i < b->commands->len; i++) {
		const struct command *cmd = b->commands->pdata[i];
		bool	 applied = false;
		char	*why = NULL, *detail;

		/* account_apply() has its own rows of the table. */
		if (lc_command_is_account(cmd->cmd))
			continue;
		if (refuse_all != NULL)
			why = g_strdup(refuse_all);
		else
			ok = lifecycle_apply_command(s, c, id, cmd->cmd,
			    cmd->value, role, actor, row, now, &applied, &why,
			    err);
		detail = g_strdup_printf("%s — %s", cmd->line,
		    why != NULL ? why : "");
		ok = ok && store_event_add(s, id, row, now, actor,
		    applied ? "command" : "command-refused", detail, err);
		if (ok && report != NULL)
			g_ptr_array_add(report, g_strdup_printf("%s: %s",
			    applied ? "applied" : "refused", detail));
		if (ok && !applied && refused != NULL)
			(*refused)++;
		g_free(detail);
		g_free(why);
	}
	return ok;
}

/*
 * One ticket, in its own transaction; *line set when something changed.
 * A status timer goes first; the escalation is decided on the ticket
 * as it stands when no timer moved it (a timer that resolves it settles
 * the question; otherwise the next run sees the new status).
 */
static bool
tick_one(struct store *s, const struct config *c, int64_t id, int64_t now,
    bool explain, char **line, GError **err)
{
	struct ticket	*t = NULL;
	struct ticket_times tt;
	struct lc_ticket f;
	struct lc_verdict v;
	int64_t		 due;
	char		**attrs = NULL;
	bool		 ok;

	*line = NULL;
	if (!store_begin(s, err))
		return false;
	/* Timers may depend on the organization: preclose_after[ATTR]. */
	ok = store_ticket_get(s, id, &t, err) &&
	    store_ticket_times(s, id, &tt, err) &&
	    store_org_attrs_of(s, t->requester, &attrs, err);
	if (ok) {
		lifecycle_apply_facts(t, &tt, &f);
		f.org_attrs = (const char *const *)attrs;
		lifecycle_due(lifecycle_apply_lc(c, t), &f, now, &v, &due);
		if (v.effect == LC_EFFECT_STATUS) {
			ok = lifecycle_apply_status(s, c, t, v.to,
			    "postdesk-tick", v.why, 0, now, err);
			*line = g_strdup_printf("#%" G_GINT64_FORMAT " %s → %s"
			    " (due %" G_GINT64_FORMAT ")", id, t->status, v.to,
			    due);
		} else
			ok = lifecycle_apply_escalate(s, c, t, &f, now, line,
			    err);
	}
	ticket_free(t);
	g_strfreev(attrs);
	if (ok && *line != NULL && !explain)
		ok = store_commit(s, err);
	else
		store_rollback(s);
	if (!ok) {
		g_free(*line);
		*line = NULL;
	}
	return ok;
}

static char *
final_statuses_json(const struct config *c)
{
	/* Every status final in the default life cycle; others are
	 * checked per ticket by lifecycle_due() anyway. */
	const struct lifecycle *lc = lifecycle_for(c->lifecycle, NULL);
	GString	*g = g_string_new("[");
	size_t	 i;

	for (i = 0; lc->final[i] != NULL; i++) {
		const char *p;

		g_string_append(g, i ? ",\"" : "\"");
		for (p = lc->final[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(g, '\\');
			g_string_append_c(g, *p);
		}
		g_string_append_c(g, '"');
	}
	g_string_append_c(g, ']');
	return g_string_free(g, FALSE);
}

bool
lifecycle_apply_tick(struct store *s, const struct config *c, int64_t now,
    bool explain, GPtrArray *report, int *failed, GError **err)
{
	GArray	*ids = NULL;
	char	*json = final_statuses_json(c);
	guint	 i;
	bool	 ok;

	*failed = 0;
	ok = store_ticket_ids_not_in(s, json, &ids, err);
	g_free(json);
	for (i = 0; ok && i < ids->len; i++) {
		GError	*e = NULL;
		char	*line;

		if (tick_one(s, c, g_array_index(ids, int64_t, i), now,
		    explain, &line, &e)) {
			if (line != NULL)
				g_ptr_array_add(report, line);
			continue;
		}
		/* Busy: leave this ticket for the next run. */
		if (!store_error_is_transient(e)) {
			g_propagate_error(err, e);
			ok = false;
		} else {
			g_error_free(e);
			(*failed)++;
		}
	}
	if (ids != NULL)
		g_array_free(ids, TRUE);
	return ok;
}
