/*
 * intake_rules: the rules stage of intake — run the Sieve scripts and
 * apply what they decide to the ticket, one event per action.
 */
#include "pdconfig.h"

#include <string.h>

#include "intake-priv.h"
#include "staff.h"
#include "identity.h"
#include "outbox.h"
#include "lifecycle_apply.h"

static const char *
sender_role(struct intake *in, const struct mail *m, GError **err,
    bool *ok)
{
	bool	 known = false, staff = false;

	*ok = true;
	if (m->from.addr == NULL)
		return "unknown";
	/* Without a store (rules test), the bootstrap list. */
	if (in->store == NULL)
		staff = config_is_staff(in->config, m->from.addr);
	else if (!staff_active(in->store, in->config, m->from.addr, &staff,
	    err)) {
		*ok = false;
		return "unknown";
	}
	if (staff)
		return "staff";
	if (in->store != NULL && !store_address_known(in->store,
	    m->from.addr, &known, err))
		*ok = false;
	return known ? "customer" : "unknown";
}

bool
intake_rules_run(struct intake *in, const struct intake_input *ii,
    const struct mail *m, bool new_ticket, struct sieve_result **out,
    GError **err)
{
	struct rules_context	 ctx = { 0 };
	char			**attrs = NULL;
	bool			 ok;

	ctx.envelope_from = ii->sender;
	ctx.envelope_to = ii->recipient;
	ctx.raw = ii->raw;
	ctx.raw_len = ii->len;
	ctx.new_ticket = new_ticket;
	/* auth.c, via postdesk-ingest and postdesk-fetch */
	ctx.spf = ii->identity != NULL ? ii->identity->spf : NULL;
	ctx.sender_role = sender_role(in, m, err, &ok);
	ctx.trace = ii->explain;
	if (!ok)
		return false;
	/* A routing hint, like the From: it is looked up by: rules may
	 * file by it, the permission table never trusts it. */
	if (in->store != NULL && m->from.addr != NULL &&
	    !store_org_attrs_of(in->store, m->from.addr, &attrs, err))
		return false;
	ctx.org_attrs = (const char *const *)attrs;
	ok = rules_evaluate(in->rules, m, &ctx, out, err);
	g_strfreev(attrs);
	return ok;
}

enum rules_verdict
intake_rules_verdict(const struct sieve_result *r,
    const struct sieve_action **why)
{
	const struct sieve_action *discard = NULL;
	bool	 kept = r->implicit_keep;
	guint	 i;

	*why = NULL;
	for (i = 0; i < r->actions->len; i++) {
		const struct sieve_action *a = r->actions->pdata[i];

		switch (a->kind) {
		case SIEVE_ACT_REJECT:
			*why = a;
			return RULES_REJECT;
		case SIEVE_ACT_DISCARD:
			discard = a;
			break;
		case SIEVE_ACT_KEEP:
		case SIEVE_ACT_FILEINTO:
			kept = true;
			break;
		default:
			break;
		}
	}
	if (kept)
		return RULES_KEEP;
	*why = discard;
	return RULES_DISCARD;
}

/*
 * A ticket property the life cycle governs, changed the way a mail
 * command changes it (its checks, its event); a refusal is only noted
 * in the rule's event.
 */
static bool
lifecycle_action(struct intake *in, const struct intake_input *ii,
    enum lc_command cmd, const char *value, int64_t ticket, int64_t row,
    char **detail, GError **err)
{
	bool	 applied = false;
	char	*why = NULL;

	if (!lifecycle_apply_command(in->store, in->config, ticket, cmd,
	    value, LC_ROLE_SYSTEM, "rules", row, ii->now, &applied, &why,
	    err))
		return false;
	if (!applied)
		*detail = g_strdup_printf("ignored: %s", why);
	g_free(why);
	return true;
}

/* A vacation reply goes to a sender at most once per :days. */
static bool
vacation_due(struct intake *in, const struct intake_input *ii,
    const char *to, const struct sieve_action *a, bool *due, GError **err)
{
	bool	 found = false;
	int64_t	 since = ii->now - (int64_t)MAX(a->days, 1) * 86400;

	if (!store_event_since(in->store, "vacation", to, a->arg, since,
	    &found, err))
		return false;
	*due = !found;
	return true;
}

static bool
apply_one(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct sieve_action *a, int64_t ticket,
    int64_t row, char **detail, GError **err)
{
	struct store	*s = in->store;
	const char	*to = m->from.addr != NULL ? m->from.addr : ii->sender;
	const char	*refusal;
	bool		 due = false;

	switch (a->kind) {
	case SIEVE_ACT_FILEINTO:
		return store_ticket_set(s, ticket, "queue", a->arg, err);
	case SIEVE_ACT_ADDFLAG:
		return store_ticket_add_tag(s, ticket, a->arg, err);
	case SIEVE_ACT_SET_PRIORITY:
		return lifecycle_action(in, ii, LC_CMD_PRIORITY, a->arg,
		    ticket, row, detail, err);
	case SIEVE_ACT_SET_HOTRUSH:
		return lifecycle_action(in, ii, LC_CMD_HOTRUSH, "on", ticket,
		    row, detail, err);
	case SIEVE_ACT_SET_FIELD:
		return store_ticket_set_field(s, ticket, a->arg,
		    a->arg2 != NULL ? a->arg2 : "", err);
	case SIEVE_ACT_ASSIGN:
		return store_ticket_set(s, ticket, "owner", a->arg, err);
	case SIEVE_ACT_VACATION:
		if (to == NULL || *to == '\0') {
			*detail = g_strdup("not sent: no sender address");
			return true;
		}
		if (!vacation_due(in, ii, to, a, &due, err))
			return false;
		if (!due) {
			*detail = g_strdup_printf("not sent: %s already got "
			    "\"%s\" within %d days", to, a->arg, a->days);
			return true;
		}
		/* The RFC 3834 checks apply whatever the script says. */
		if (ii->import)
			refusal = "imported history";
		else if (ii->identity != NULL &&
		    ii->identity->final == IDENTITY_FORGED)
			refusal = "verdict forged (postdesk-auth(5))";
		else
			refusal = outbox_auto_refusal(in->config, m, ii->sender);
		if (refusal != NULL) {
			*detail = g_strdup_printf("not sent: %s", refusal);
			return true;
		}
		return store_event_add(s, ticket, 0, ii->now, to, "vacation",
		    a->arg, err) &&
		    outbox_enqueue(s, ticket, row, OUTBOX_ACK, a->arg, to,
		    ii->now, NULL, err);
	default:
		return true;	/* keep, redirect, ...: recorded only */
	}
}

static bool
in_list(GPtrArray *a, const char *s)
{
	guint	 i;

	for (i = 0; i < a->len; i++)
		if (strcmp(a->pdata[i], s) == 0)
			return true;
	return false;
}

/*
 * A rule that asks for what the ticket already has (a reply to a
 * HotRush ticket matching the HotRush rule again) changes nothing and
 * leaves no event; --explain still lists it.
 */
static bool
already(const struct ticket *t, GPtrArray *tags, GPtrArray *fields,
    const struct sieve_action *a)
{
	char	*nv;
	bool	 yes;

	switch (a->kind) {
	case SIEVE_ACT_FILEINTO:
		return g_strcmp0(t->queue, a->arg) == 0;
	case SIEVE_ACT_ASSIGN:
		return g_strcmp0(t->owner, a->arg) == 0;
	case SIEVE_ACT_SET_PRIORITY:
		return g_strcmp0(t->priority, a->arg) == 0;
	case SIEVE_ACT_SET_HOTRUSH:
		return t->hotrush;
	case SIEVE_ACT_ADDFLAG:
		return in_list(tags, a->arg);
	case SIEVE_ACT_SET_FIELD:
		nv = g_strconcat(a->arg, "=", a->arg2 != NULL ? a->arg2 : "",
		    NULL);
		yes = in_list(fields, nv);
		g_free(nv);
		return yes;
	default:
		return false;
	}
}

/* One action and its event. */
static bool
apply_action(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct sieve_action *a,
    const struct ticket *t, GPtrArray *tags, GPtrArray *fields,
    int64_t row, GError **err)
{
	int64_t	 ticket = t->id;
	char	*line, *detail = NULL;
	bool	 ok;

	if (a->kind == SIEVE_ACT_KEEP || already(t, tags, fields, a))
		return true;
	line = sieve_action_format(a);
	ok = apply_one(in, ii, m, a, ticket, row, &detail, err);
	if (ok) {
		char *ev = detail != NULL ?
		    g_strdup_printf("%s — %s", line, detail) :
		    g_strdup(line);
		ok = store_event_add(in->store, ticket, row, ii->now, "rules",
		    "rule", ev, err);
		g_free(ev);
	}
	g_free(line);
	g_free(detail);
	return ok;
}

bool
intake_rules_apply(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct sieve_result *r, int64_t ticket,
    int64_t row, GError **err)
{
	struct ticket	*t = NULL;
	GPtrArray	*tags = NULL, *fields = NULL;
	guint		 i;
	bool		 ok = true;

	if (r->actions->len == 0)
		return true;
	if (!store_ticket_get(in->store, ticket, &t, err) ||
	    !store_ticket_tags(in->store, ticket, &tags, err) ||
	    !store_ticket_fields(in->store, ticket, &fields, err))
		ok = false;
	for (i = 0; ok && i < r->actions->len; i++)
		ok = apply_action(in, ii, m, r->actions->pdata[i], t, tags,
		    fields, row, err);
	ticket_free(t);
	if (tags != NULL)
		g_ptr_array_free(tags, TRUE);
	if (fields != NULL)
		g_ptr_array_free(fields, TRUE);
	return ok;
}


void
intake_rules_report(GString *out, const struct sieve_result *r)
{
	guint	 i;

	g_string_append(out, "rules:\n");
	if (r->trace != NULL && r->trace->len > 0) {
		char	**lines = g_strsplit(r->trace->str, "\n", -1);

		for (i = 0; lines[i] != NULL; i++)
			if (*lines[i] != '\0')
				g_string_append_printf(out, "  %s\n",
				    lines[i]);
		g_strfreev(lines);
	}
	for (i = 0; i < r->actions->len; i++) {
		char	*line = sieve_action_format(r->actions->pdata[i]);

		g_string_append_printf(out, "  action: %s\n", line);
		g_free(line);
	}
	if (r->actions->len == 0)
		g_string_append(out, "  no actions\n");
	if (r->implicit_keep)
		g_string_append(out, "  implicit keep\n");
}
