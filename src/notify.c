/*
 * notify: render, compose and record one outbox row.
 */
#include "pdconfig.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "account.h"
#include "compose.h"
#include "mail.h"
#include "notify.h"
#include "roles.h"
#include "staff.h"
#include "web.h"
#include "outbox.h"
#include "template.h"
#include "token.h"

G_DEFINE_QUARK(postdesk-notify-error-quark, notify_error)

#define BACKOFF_MAX	(6 * 3600)	/* never wait longer than 6 h */

void
notify_mail_clear(struct notify_mail *m)
{
	if (m->raw != NULL)
		g_bytes_unref(m->raw);
	g_free(m->envelope_from);
	g_free(m->recipient);
	memset(m, 0, sizeof *m);
}

int64_t
notify_backoff(const struct config *c, int64_t attempts)
{
	double	 d = (double)c->retry_base;
	int64_t	 i;

	for (i = 1; i < attempts && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	/* ±25 % jitter so a crowd of deferred rows does not move as one. */
	d *= g_random_double_range(0.75, 1.25);
	return (int64_t)(d + 0.5);
}

int64_t
notify_lease(const struct config *c)
{
	return c->smtp_timeout + (c->busy_timeout + 999) / 1000 +
	    2 * NOTIFY_LEASE_SPARE;
}

static enum compose_auto
auto_kind(const struct outbox_row *r)
{
	const char	*kind = r->kind;

	/* A refusal answers the refused message (RFC 3834 3.1.7). */
	if (strcmp(kind, OUTBOX_ACK) == 0 || r->quarantine_id > 0)
		return COMPOSE_AUTO_REPLIED;
	if (strcmp(kind, OUTBOX_REPLY) == 0)
		return COMPOSE_HUMAN;
	return COMPOSE_AUTO_GENERATED;
}

static char *
rfc_date(int64_t t)
{
	GDateTime	*d = g_date_time_new_from_unix_local(t);
	char		*s = g_date_time_format(d, "%a, %d %b %Y %H:%M:%S %z");

	g_date_time_unref(d);
	return s;
}

static JsonObject *
ticket_object(const struct ticket *t)
{
	JsonObject	*o = json_object_new();

	json_object_set_int_member(o, "id", t->id);
	json_object_set_string_member(o, "subject", t->subject);
	json_object_set_string_member(o, "status", t->status);
	json_object_set_string_member(o, "queue", t->queue);
	json_object_set_string_member(o, "priority", t->priority);
	json_object_set_boolean_member(o, "hotrush", t->hotrush);
	return o;
}

/* A target as every language of the templates writes it: "2 h",
 * "90 min", "1 h 30 min"; NULL for none. */
static char *
hotrush_target(int64_t s)
{
	int64_t	 h = s / 3600, m = (s % 3600 + 59) / 60;

	if (s <= 0)
		return NULL;
	if (m == 60) {
		h++;
		m = 0;
	}
	if (h == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " min", m);
	if (m == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " h", h);
	return g_strdup_printf("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT
	    " min", h, m);
}

static JsonObject *
message_object(const struct message *m)
{
	JsonObject	*o = json_object_new();
	char		*from, *date;

	from = m->from_name != NULL && *m->from_name != '\0' ?
	    g_strdup_printf("%s <%s>", m->from_name, m->from_addr) :
	    g_strdup(m->from_addr != NULL ? m->from_addr : "");
	date = rfc_date(m->date > 0 ? m->date : m->received);
	/* The new text only: the thread holds the history. */
	json_object_set_string_member(o, "text", m->stripped != NULL &&
	    *m->stripped != '\0' ? m->stripped : m->text);
	json_object_set_string_member(o, "from", from);
	json_object_set_string_member(o, "date", date);
	json_object_set_string_member(o, "subject", m->subject);
	g_free(from);
	g_free(date);
	return o;
}

/*
 * {{#commands}} for command-transcript: the command events of message
 * M ("LINE — why", written by intake_lifecycle.c).
 */
static bool
commands_array(struct store *s, const struct message *m, JsonArray **out,
    GError **err)
{
	GPtrArray	*ev = NULL;
	guint		 i;

	*out = json_array_new();
	if (!store_events(s, m->ticket_id, &ev, err))
		return false;
	for (i = 0; i < ev->len; i++) {
		const struct event *e = ev->pdata[i];
		const char	*sep;
		JsonObject	*o;
		char		*line;
		bool		 applied;

		if (e->message_row != m->id || e->detail == NULL)
			continue;
		applied = strcmp(e->kind, "command") == 0;
		if (!applied && strcmp(e->kind, "command-refused") != 0)
			continue;
		o = json_object_new();
		sep = strstr(e->detail, " — ");
		line = sep != NULL ? g_strndup(e->detail,
		    (gsize)(sep - e->detail)) : g_strdup(e->detail);
		json_object_set_string_member(o, "command", line);
		g_free(line);
		if (sep != NULL && sep[strlen(" — ")] != '\0')
			json_object_set_string_member(o, "reason",
			    sep + strlen(" — "));
		json_object_set_boolean_member(o, "applied", applied);
		json_array_add_object_element(*out, o);
	}
	g_ptr_array_free(ev, TRUE);
	return true;
}

/*
 * {{#escalations}} for the escalation notice: the ticket's "escalated"
 * events (lifecycle_escalate.c), "TARGET: due WHEN" → {{target}},
 * {{due}}, oldest first; at most one per target.
 */
static bool
escalations_array(struct store *s, const struct ticket *t, JsonArray **out,
    GError **err)
{
	GPtrArray	*ev = NULL;
	guint		 i;

	*out = json_array_new();
	if (!store_events(s, t->id, &ev, err))
		return false;
	for (i = 0; i < ev->len; i++) {
		const struct event *e = ev->pdata[i];
		const char	*sep;
		JsonObject	*o;
		char		*target;

		if (strcmp(e->kind, "escalated") != 0 || e->detail == NULL ||
		    (sep = strstr(e->detail, ": due ")) == NULL)
			continue;
		o = json_object_new();
		target = g_strndup(e->detail, (gsize)(sep - e->detail));
		json_object_set_string_member(o, "target", target);
		json_object_set_string_member(o, "due", sep + strlen(": due "));
		json_array_add_object_element(*out, o);
		g_free(target);
	}
	g_ptr_array_free(ev, TRUE);
	return true;
}

/*
 * {{ticket.link}} for RECIPIENT (may be NULL): a customer gets a sign-in
 * link, minted now (a web_links row, so it can be revoked); staff sign
 * in at the web server.  Shared bytes (recipient NULL) carry no link.
 */
static bool
link_context(struct store *s, const struct config *c, const struct ticket *t,
    const char *recipient, JsonObject *ctx, GError **err)
{
	char	*link = NULL, *owner = NULL;
	bool	 staff = false;

	if (t == NULL || recipient == NULL)
		return true;
	if (!staff_active(s, c, recipient, &staff, err))
		return false;
	if (!staff) {
		/* Mail redirected to a confirmed notification address signs
		 * in as the participant it is for (account.h). */
		if (!store_notify_address_owner(s, t->id, recipient, &owner,
		    err))
			return false;
		if (!web_link_mint(c, s, owner != NULL ? owner : recipient,
		    t->id, g_get_real_time() / G_USEC_PER_SEC, &link, err)) {
			g_free(owner);
			return false;
		}
		g_free(owner);
		/* Portal-only mode: her way back is the link, not a reply. */
		if (c->portal_only)
			json_object_set_boolean_member(ctx, "portal_only",
			    TRUE);
	} else if (c->web_base_url != NULL)
		link = g_strdup_printf("%s/ticket/%" G_GINT64_FORMAT,
		    c->web_base_url, t->id);
	if (link != NULL)
		json_object_set_string_member(json_object_get_object_member(
		    ctx, "ticket"), "link", link);
	g_free(link);
	return true;
}

/*
 * The variables of postdesk-templates(5).  T is NULL for mail about no
 * ticket (a refusal): there is no {{ticket}}, and the requester is the
 * recipient, whom the mail is about.
 */
static JsonObject *
context(const struct config *c, const struct ticket *t,
    const struct message *m, const char *recipient)
{
	JsonObject	*ctx = json_object_new(), *req = json_object_new();
	const char	*requester = t != NULL ? t->requester : recipient;

	if (t != NULL) {
		JsonObject *to = ticket_object(t);
		char	*target = hotrush_target(lifecycle_for(c->lifecycle,
		    t->queue)->sla_hotrush);

		/* {{ticket.hotrush_target}}: the queue's sla_hotrush, as
		 * "2 h"; missing when there is none. */
		if (target != NULL)
			json_object_set_string_member(to, "hotrush_target",
			    target);
		g_free(target);
		json_object_set_object_member(ctx, "ticket", to);
	}
	json_object_set_string_member(req, "address",
	    requester != NULL ? requester : "");
	if (m != NULL && m->from_addr != NULL && m->from_name != NULL &&
	    requester != NULL &&
	    g_ascii_strcasecmp(m->from_addr, requester) == 0)
		json_object_set_string_member(req, "name", m->from_name);
	json_object_set_object_member(ctx, "requester", req);
	if (m != NULL) {
		json_object_set_object_member(ctx, "message",
		    message_object(m));
		if (m->outbound && m->from_name != NULL) {
			JsonObject *st = json_object_new();

			json_object_set_string_member(st, "name",
			    m->from_name);
			json_object_set_object_member(ctx, "staff", st);
		}
	}
	json_object_set_string_member(ctx, "support_address",
	    config_queue_address(c, t != NULL ? t->queue : NULL));
	return ctx;
}

/* {{org.name}}, {{org.role}}: the requester's organization, if any. */
static bool
org_context(struct store *s, const char *requester, JsonObject *ctx,
    GError **err)
{
	struct org_member *om = NULL;
	JsonObject	*o;

	if (requester == NULL)
		return true;
	if (!store_org_member_get(s, requester, &om, err))
		return false;
	if (om == NULL)
		return true;
	o = json_object_new();
	json_object_set_string_member(o, "name", om->org);
	json_object_set_string_member(o, "role", om->role);
	json_object_set_object_member(ctx, "org", o);
	org_member_free(om);
	return true;
}

/*
 * {{change.*}} for the mails of an address change (account.h): the
 * token goes only into the confirmation, to the new address.
 */
static bool
change_context(struct store *s, const struct config *c, const char *name,
    const struct message *m, const char *recipient, JsonObject *ctx,
    GError **err)
{
	struct address_change *ch = NULL;
	JsonObject	*o;
	char		*to = NULL, *token, *when;

	if (recipient == NULL)
		return true;
	if (m != NULL && strcmp(name, "address-changed") == 0) {
		if (!store_notify_address(s, recipient, &to, err))
			return false;
		o = json_object_new();
		json_object_set_string_member(o, "address", recipient);
		json_object_set_string_member(o, "new_address",
		    to != NULL ? to : recipient);
		json_object_set_object_member(ctx, "change", o);
		g_free(to);
		return true;
	}
	if (strcmp(name, "address-confirm") != 0)
		return true;
	/* No message: asked for on the account page (web_account.c). */
	if (!store_address_change_of_row(s, m != NULL ? m->id : 0, recipient,
	    &ch, err))
		return false;
	if (ch == NULL || (token = account_change_token(c, ch)) == NULL) {
		address_change_free(ch);
		g_set_error(err, NOTIFY_ERROR, NOTIFY_ERROR_TEMPLATE,
		    "address-confirm: no pending change for %s", recipient);
		return false;
	}
	o = json_object_new();
	when = rfc_date(ch->expires);
	json_object_set_string_member(o, "address", ch->address);
	json_object_set_string_member(o, "new_address", ch->new_address);
	json_object_set_string_member(o, "token", token);
	json_object_set_string_member(o, "expires", when);
	json_object_set_object_member(ctx, "change", o);
	g_free(when);
	g_free(token);
	address_change_free(ch);
	return true;
}

/*
 * {{invitation.*}} for a new member's invitation (account.h): her own
 * sign-in link to the ticket list (none without [web]) and her role's
 * rights.
 */
static bool
invitation_context(struct store *s, const struct config *c, const char *name,
    const char *recipient, JsonObject *ctx, GError **err)
{
	struct org_member *om = NULL;
	JsonObject	*o;
	char		*link = NULL, *rights;

	if (recipient == NULL || strcmp(name, "member-invitation") != 0)
		return true;
	if (!store_org_member_get(s, recipient, &om, err))
		return false;
	if (!web_link_mint(c, s, recipient, 0, g_get_real_time() /
	    G_USEC_PER_SEC, &link, err)) {
		org_member_free(om);
		return false;
	}
	o = json_object_new();
	if (link != NULL)
		json_object_set_string_member(o, "link", link);
	rights = roles_rights_text(om != NULL ? roles_rights(c->roles,
	    om->role) : 0);
	json_object_set_string_member(o, "rights", rights);
	json_object_set_object_member(ctx, "invitation", o);
	g_free(rights);
	g_free(link);
	org_member_free(om);
	return true;
}

/*
 * The language RECIPIENT (may be NULL) reads: her contact's, else
 * [mail] default_language.  Mail redirected to a confirmed notification
 * address is in the language of the contact it is for.  Staff are no
 * contacts unless they sent Language: themselves.
 */
static bool
recipient_language(struct store *s, const struct config *c,
    const struct ticket *t, const char *recipient, char **out, GError **err)
{
	char	*owner = NULL;
	bool	 ok = true;

	*out = NULL;
	if (recipient != NULL) {
		if (t != NULL)
			ok = store_notify_address_owner(s, t->id, recipient,
			    &owner, err);
		ok = ok && store_contact_language(s, owner != NULL ? owner :
		    recipient, out, err);
		g_free(owner);
	}
	if (ok && *out == NULL)
		*out = g_strdup(c->default_language);
	return ok;
}

/* Renders TEMPLATE_NAME for the ticket's queue (T may be NULL) in the
 * recipient's language, NAME.txt when it has no translation. */
static bool
render(struct store *s, const struct config *c, const char *name,
    const struct ticket *t, const struct message *m, const char *recipient,
    char **subject, char **body, GError **err)
{
	struct template	*tp = NULL;
	JsonObject	*ctx;
	char		*path = NULL, *dir, *lang = NULL;
	bool		 ok;
	const struct config_queue *q = config_queue(c, t != NULL ? t->queue :
	    NULL);

	if (!recipient_language(s, c, t, recipient, &lang, err))
		return false;
	/* A brand's own folder first (the same layout: mail/), then
	 * [templates] dir, the root: mail/ for us, web/ for the CGI. */
	if (q != NULL && q->templates_dir != NULL) {
		dir = g_build_filename(q->templates_dir, "mail", NULL);
		path = template_find(dir, name, "txt", NULL, lang);
		g_free(dir);
	}
	dir = g_build_filename(c->templates_dir, "mail", NULL);
	if (path == NULL)
		path = template_find(dir, name, "txt", t != NULL ? t->queue :
		    NULL, lang);
	g_free(lang);
	if (path == NULL) {
		g_set_error(err, NOTIFY_ERROR, NOTIFY_ERROR_TEMPLATE,
		    "no template %s.txt in %s", name, dir);
		g_free(dir);
		return false;
	}
	g_free(dir);
	ok = template_load(&tp, path, err);
	g_free(path);
	if (!ok)
		return false;
	ctx = context(c, t, m, recipient);
	ok = org_context(s, t != NULL ? t->requester : recipient, ctx, err) &&
	    link_context(s, c, t, recipient, ctx, err) &&
	    change_context(s, c, name, m, recipient, ctx, err) &&
	    invitation_context(s, c, name, recipient, ctx, err);
	/* A quarantined message (id 0) has no events. */
	if (ok && m != NULL && m->id > 0) {
		JsonArray *cmds = NULL;

		ok = commands_array(s, m, &cmds, err);
		json_object_set_array_member(ctx, "commands", cmds);
	}
	if (ok && t != NULL && strcmp(name, "rating-comment") == 0) {
		struct rating *rt = NULL;

		/* {{rating.*}}: the rating as it stands when sent. */
		ok = store_rating_get(s, t->id, &rt, err);
		if (ok && rt != NULL) {
			JsonObject *ro = json_object_new();

			json_object_set_int_member(ro, "value", rt->rating);
			json_object_set_string_member(ro, "comment",
			    rt->comment != NULL ? rt->comment : "");
			json_object_set_string_member(ro, "by", rt->rated_by);
			json_object_set_object_member(ctx, "rating", ro);
		}
		rating_free(rt);
	}
	if (ok && t != NULL && strcmp(name, "escalation") == 0) {
		JsonArray *esc = NULL;

		ok = escalations_array(s, t, &esc, err);
		json_object_set_array_member(ctx, "escalations", esc);
	}
	ok = ok && template_render_mail(tp, ctx, subject, body, err);
	/* The brand's signature under every mail of the queue, after the
	 * usual "-- " line that mail clients and our quote stage know:
	 * in the template's own signature block if it has one, so that
	 * there is one block, not two. */
	if (ok && q != NULL && q->signature != NULL && *body != NULL) {
		bool	 has_block = g_str_has_prefix(*body, "-- \n") ||
		    strstr(*body, "\n-- \n") != NULL;
		char	*b = g_strdup_printf("%s%s%s%s\n", *body,
		    g_str_has_suffix(*body, "\n") ? "" : "\n",
		    has_block ? "" : "-- \n", q->signature);

		g_free(*body);
		*body = b;
	}
	json_object_unref(ctx);
	template_free(tp);
	return ok;
}

/* "a, b" → NULL-terminated vector of trimmed, non-empty addresses. */
static char **
split_list(const char *s)
{
	char	**v = g_strsplit(s != NULL ? s : "", ",", -1);
	guint	  i, n = 0;

	for (i = 0; v[i] != NULL; i++) {
		g_strstrip(v[i]);
		if (*v[i] == '\0')
			g_free(v[i]);
		else
			v[n++] = v[i];
	}
	v[n] = NULL;
	return v;
}

struct job {
	struct store		*s;
	const struct config	*c;
	const struct outbox_row	*r;
	struct ticket		*t;		/* NULL: about no ticket */
	/* message_row, or the quarantined message (id 0), or NULL */
	struct message		*about;
	char			**tags;		/* all of ours (config.h) */
};

/* "refs about.id" for the mail answering ABOUT. */
static char *
references_after(const struct message *about)
{
	if (about->references != NULL && *about->references != '\0')
		return g_strdup_printf("%s %s", about->references,
		    about->message_id);
	return g_strdup(about->message_id);
}

/* The ticket's queue, whose brand the mail carries (config.h). */
static const char *
queue_of(const struct job *j)
{
	return j->t != NULL ? j->t->queue : NULL;
}

static void
compose_common(struct job *j, struct compose *k, char *reply_to)
{
	const char	*from = config_queue_address(j->c, queue_of(j));

	k->from_addr = from;
	k->from_name = config_queue_from_name(j->c, queue_of(j));
	k->reply_to = reply_to != NULL ? reply_to : from;
	k->tag = config_queue_tag(j->c, queue_of(j));
	k->other_tags = j->tags;
	k->ticket = j->t != NULL ? j->t->id : 0;
	/* "Reply above this line to add to ticket" needs a ticket. */
	k->marker = j->t != NULL;
	k->auto_kind = auto_kind(j->r);
	k->loop_host = j->c->host;
}

/*
 * The Reply-To of this row's copy: a token minted for its own
 * recipient (token.h).  Staff authority goes only into the staff's own
 * notifications; every other copy, even one to a staff address, holds
 * a customer token.  No ticket, no token: a reply opens a new ticket.
 */
static char *
reply_to_of(const struct job *j, enum token_kind kind)
{
	const char	*k = j->r->kind;
	bool		 staff_mail = strcmp(k, OUTBOX_STAFF) == 0 ||
	    strcmp(k, OUTBOX_COMMENT) == 0, staff = false;
	GError		*e = NULL;

	if (j->t == NULL)
		return NULL;
	/* The account now (a disabled one gets no authority); if the
	 * store cannot say, a customer token: no authority either. */
	if (staff_mail && !staff_active(j->s, j->c, j->r->recipient, &staff,
	    &e))
		g_clear_error(&e);
	return token_mint_address(config_queue_address(j->c, queue_of(j)),
	    j->c->token_key, kind,
	    j->t->id, j->r->recipient, staff ? TOKEN_ROLE_STAFF :
	    TOKEN_ROLE_CUSTOMER);
}

/* The bytes of a ticket-less row, kept on the row itself. */
static bool
keep_on_row(struct job *j, GBytes *raw, GError **err)
{
	gsize		 len;
	const void	*d = g_bytes_get_data(raw, &len);
	char		 sha[65];
	bool		 ok;

	ok = store_begin(j->s, err) &&
	    store_blob_put(j->s, d, len, sha, err) &&
	    store_outbox_set_raw(j->s, j->r->id, sha, err) &&
	    store_commit(j->s, err);
	if (!ok)
		store_rollback(j->s);
	return ok;
}

/*
 * First attempt of an automatic notice: render, compose and store it
 * as a new outbound message; the row points at it from now on.  Mail
 * about no ticket has no message row: its bytes stay on the outbox row
 * and *ticketless gets them.
 */
static bool
compose_notice(struct job *j, int64_t now, int64_t *sent_row,
    GBytes **ticketless, GError **err)
{
	struct compose	 k = { 0 };
	struct message	 out = { 0 };
	const char	*to[] = { j->r->recipient, NULL };
	char		*subject = NULL, *body = NULL, *reply_to, *refs = NULL;
	char		 sha[65];
	GBytes		*raw = NULL;
	int64_t		 id = j->t != NULL ? j->t->id : 0;
	bool		 ok;

	if (!render(j->s, j->c, j->r->template != NULL ? j->r->template :
	    "staff-notification", j->t, j->about, j->r->recipient, &subject,
	    &body, err))
		return false;
	reply_to = reply_to_of(j, TOKEN_REPLY);
	compose_common(j, &k, reply_to);
	k.to = to;
	k.subject = subject != NULL ? subject : j->t != NULL ?
	    j->t->subject : j->about != NULL ? j->about->subject : NULL;
	k.body = body;
	k.date = now;
	out.message_id = compose_message_id(id, j->r->id, j->c->host);
	k.message_id = out.message_id;
	if (j->about != NULL) {
		k.in_reply_to = j->about->message_id;
		k.references = refs = references_after(j->about);
	}
	ok = compose_message(&k, &raw, err);
	if (ok && j->t == NULL) {
		ok = keep_on_row(j, raw, err);
		if (ok)
			*ticketless = g_bytes_ref(raw);
		g_bytes_unref(raw);
	} else if (ok) {
		gsize	 len;
		const void *d = g_bytes_get_data(raw, &len);
		GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);

		g_checksum_update(ck, d, (gssize)len);
		out.ticket_id = j->t->id;
		out.outbound = true;
		/* Staff notifications are staff-only copies. */
		out.internal = strcmp(j->r->kind, OUTBOX_ACK) != 0 &&
		    strcmp(j->r->kind, OUTBOX_REPLY) != 0 &&
		    strcmp(j->r->kind, OUTBOX_NOTICE) != 0;
		out.in_reply_to = (char *)k.in_reply_to;
		out.references = refs;
		out.from_addr = (char *)k.from_addr;
		out.from_name = (char *)k.from_name;
		out.to_addrs = j->r->recipient;
		out.subject = (char *)k.subject;
		out.date = now;
		out.received = now;
		out.text = body;
		out.stripped = body;
		out.body_hash = (char *)g_checksum_get_string(ck);
		out.raw_sha256 = sha;
		ok = store_begin(j->s, err) &&
		    store_blob_put(j->s, d, len, sha, err) &&
		    store_message_insert(j->s, &out, err) &&
		    store_outbox_set_sent_row(j->s, j->r->id, out.id, err) &&
		    store_commit(j->s, err);
		if (!ok)
			store_rollback(j->s);
		*sent_row = out.id;
		g_checksum_free(ck);
		g_bytes_unref(raw);
	}
	g_free(out.message_id);
	g_free(subject);
	g_free(body);
	g_free(reply_to);
	g_free(refs);
	return ok;
}

static GPtrArray *
load_attachments(struct store *s, int64_t row, GError **err)
{
	GPtrArray	*stored = NULL, *out;
	guint		 i;

	if (!store_attachments(s, row, &stored, err))
		return NULL;
	out = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < stored->len; i++) {
		const struct attachment *a = stored->pdata[i];
		struct compose_attachment *ca;
		GBytes	*data = NULL;

		if (!store_blob_get(s, a->sha256, &data, err)) {
			g_ptr_array_free(out, TRUE);
			g_ptr_array_free(stored, TRUE);
			return NULL;
		}
		/* Strings outlive this function through the array below. */
		ca = g_new0(struct compose_attachment, 1);
		ca->filename = g_strdup(a->filename);
		ca->content_type = g_strdup(a->content_type);
		ca->data = data;
		g_ptr_array_add(out, ca);
	}
	g_ptr_array_free(stored, TRUE);
	return out;
}

static void
free_attachments(GPtrArray *a)
{
	guint	 i;

	if (a == NULL)
		return;
	for (i = 0; i < a->len; i++) {
		struct compose_attachment *ca = a->pdata[i];

		g_free((char *)ca->filename);
		g_free((char *)ca->content_type);
		g_bytes_unref(ca->data);
	}
	g_ptr_array_free(a, TRUE);
}

/* One copy of stored message M for this row; RECIPIENT (may be NULL)
 * gets her own sign-in link in it. */
static bool
compose_copy(struct job *j, struct message *m, const char *recipient,
    GBytes **raw, GError **err)
{
	struct compose	 k = { 0 };
	char		*subject = NULL, *body = NULL, *reply_to;
	char		**to = split_list(m->to_addrs), **cc;
	GPtrArray	*att;
	bool		 ok;

	cc = split_list(m->cc_addrs);
	att = load_attachments(j->s, m->id, err);
	ok = att != NULL && render(j->s, j->c, j->r->template != NULL ?
	    j->r->template : "reply-to-customer", j->t, m, recipient,
	    &subject, &body, err);
	/* A reply to an internal note must stay internal: the comment
	 * token says so (token.h). */
	reply_to = reply_to_of(j, strcmp(j->r->kind, OUTBOX_COMMENT) == 0 ?
	    TOKEN_COMMENT : TOKEN_REPLY);
	if (ok) {
		compose_common(j, &k, reply_to);
		k.from_name = m->from_name != NULL ? m->from_name :
		    config_queue_from_name(j->c, queue_of(j));
		k.to = (const char *const *)to;
		k.cc = (const char *const *)cc;
		k.subject = subject != NULL ? subject : m->subject;
		k.body = body;
		k.date = m->received;
		k.message_id = m->message_id;
		k.in_reply_to = m->in_reply_to;
		k.references = m->references;
		k.attachments = att;
		ok = compose_message(&k, raw, err);
	}
	free_attachments(att);
	g_strfreev(to);
	g_strfreev(cc);
	g_free(subject);
	g_free(body);
	g_free(reply_to);
	return ok;
}

static bool
put_blob(struct job *j, GBytes *raw, char sha[65], GError **err)
{
	gsize		 len;
	const void	*d = g_bytes_get_data(raw, &len);

	return store_blob_put(j->s, d, len, sha, err);
}

/*
 * A staff reply or note stored by "postdesk reply/comment" or relayed
 * from staff mail: one message, one outbox row per recipient.  Each
 * row gets its own copy, framed by the row's template, differing only
 * in the Reply-To token minted for that recipient (token.h); the copy
 * is kept on the row, so every later attempt sends the same bytes.
 * The message row keeps the first copy composed, for "show".
 * In portal-only mode a customer's copy also carries her own sign-in
 * link (her only way to answer); the message row then keeps a copy
 * without any, since the others who may read it must not get hers.
 */
static bool
compose_stored(struct job *j, struct message *m, GBytes **out, GError **err)
{
	bool		 personal = j->c->portal_only &&
	    strcmp(j->r->kind, OUTBOX_REPLY) == 0;
	GBytes		*raw = NULL, *plain = NULL;
	char		 sha[65], plain_sha[65];
	bool		 ok;

	ok = compose_copy(j, m, personal ? j->r->recipient : NULL, &raw, err);
	if (ok && personal && m->raw_sha256 == NULL)
		ok = compose_copy(j, m, NULL, &plain, err);
	if (ok) {
		ok = store_begin(j->s, err) && put_blob(j, raw, sha, err) &&
		    store_outbox_set_raw(j->s, j->r->id, sha, err) &&
		    (personal ? plain == NULL || (put_blob(j, plain,
		    plain_sha, err) && store_message_set_raw(j->s, m->id,
		    plain_sha, err)) :
		    store_message_set_raw(j->s, m->id, sha, err)) &&
		    store_commit(j->s, err);
		if (!ok)
			store_rollback(j->s);
		if (ok)
			*out = g_bytes_ref(raw);
	}
	if (raw != NULL)
		g_bytes_unref(raw);
	if (plain != NULL)
		g_bytes_unref(plain);
	return ok;
}

/* One message, many rows: a staff reply or note (outbox.h). */
static bool
shared_message(const struct outbox_row *r)
{
	return strcmp(r->kind, OUTBOX_REPLY) == 0 ||
	    strcmp(r->kind, OUTBOX_COMMENT) == 0;
}

/* The bytes of this row: its own copy, else those of SENT_ROW,
 * composing this recipient's copy if needed. */
static bool
raw_of(struct job *j, int64_t sent_row, GBytes **raw, GError **err)
{
	struct message	*m = NULL;
	bool		 ok;

	if (j->r->raw_sha256 != NULL)
		return store_blob_get(j->s, j->r->raw_sha256, raw, err);
	if (!store_message_get_row(j->s, sent_row, &m, err))
		return false;
	if (shared_message(j->r))
		ok = compose_stored(j, m, raw, err);
	else {
		ok = m->raw_sha256 != NULL &&
		    store_blob_get(j->s, m->raw_sha256, raw, err);
		if (m->raw_sha256 == NULL)
			g_set_error(err, NOTIFY_ERROR, NOTIFY_ERROR_DATA,
			    "message row %" G_GINT64_FORMAT " has no bytes",
			    sent_row);
	}
	message_free(m);
	return ok;
}

/*
 * The message a refusal answers, read back from quarantine as a message
 * with id 0; *out stays NULL if its bytes no longer parse.
 */
static bool
quarantined_message(struct store *s, int64_t id, struct message **out,
    GError **err)
{
	struct quarantine_entry *q = NULL;
	struct mail	*ml = NULL;
	struct message	*m;
	GBytes		*raw = NULL;
	gsize		 len;
	const void	*d;

	*out = NULL;
	if (!store_quarantine_get(s, id, &q, err) ||
	    !store_blob_get(s, q->raw_sha256, &raw, err)) {
		quarantine_entry_free(q);
		return false;
	}
	d = g_bytes_get_data(raw, &len);
	if (mail_parse(&ml, d, len, NULL)) {
		m = g_new0(struct message, 1);
		m->message_id = g_strdup(ml->message_id);
		m->in_reply_to = g_strdup(ml->in_reply_to);
		m->references = ml->references != NULL ?
		    g_strjoinv(" ", ml->references) : NULL;
		m->from_addr = g_strdup(ml->from.addr);
		m->from_name = g_strdup(ml->from.name);
		m->subject = g_strdup(ml->subject);
		m->date = ml->date;
		m->received = q->received;
		m->text = g_strdup(ml->text);
		m->stripped = g_strdup(ml->stripped);
		*out = m;
		mail_free(ml);
	}
	g_bytes_unref(raw);
	quarantine_entry_free(q);
	return true;
}

/* The message the row is about: stored, quarantined, or none. */
static bool
about_of(struct job *j, GError **err)
{
	const struct outbox_row *r = j->r;

	if (r->message_row > 0)
		return store_message_get_row(j->s, r->message_row, &j->about,
		    err);
	if (r->quarantine_id > 0)
		return quarantined_message(j->s, r->quarantine_id, &j->about,
		    err);
	return true;
}

bool
notify_prepare(struct store *s, const struct config *c,
    const struct outbox_row *r, struct notify_mail *out, GError **err)
{
	struct job	 j = { s, c, r, NULL, NULL, config_subject_tags(c) };
	int64_t		 sent_row = r->sent_row;
	GBytes		*ticketless = NULL;
	bool		 ok = true;

	memset(out, 0, sizeof *out);
	if (r->recipient == NULL) {
		g_set_error(err, NOTIFY_ERROR, NOTIFY_ERROR_DATA,
		    "outbox row %" G_GINT64_FORMAT " has no recipient", r->id);
		return false;
	}
	if (r->ticket_id > 0 && !store_ticket_get(s, r->ticket_id, &j.t, err))
		return false;
	if (r->ticket_id <= 0 && r->raw_sha256 != NULL)
		/* Composed on an earlier attempt: the same bytes again. */
		ok = store_blob_get(s, r->raw_sha256, &ticketless, err);
	else if (sent_row <= 0)
		ok = about_of(&j, err) && compose_notice(&j,
		    g_get_real_time() / G_USEC_PER_SEC, &sent_row,
		    &ticketless, err);
	if (ok && ticketless != NULL)
		out->raw = ticketless;
	else if (ok)
		ok = raw_of(&j, sent_row, &out->raw, err);
	if (ok) {
		out->envelope_from = token_verp_address(c->address, r->id);
		out->recipient = g_strdup(r->recipient);
	}
	ticket_free(j.t);
	message_free(j.about);
	g_free(j.tags);		/* the strings are the config's */
	return ok;
}

/* The mails she gets whatever her setting (notify.h). */
static const char *const must_get[] = {
	"address-confirm", "address-changed", "member-invitation",
	"command-transcript", "view-only-refusal", "portal-only",
	"out-of-scope", NULL
};

bool
notify_is_optional(const struct outbox_row *r)
{
	if (r->quarantine_id > 0 || r->kind == NULL ||
	    (strcmp(r->kind, OUTBOX_ACK) != 0 &&
	    strcmp(r->kind, OUTBOX_NOTICE) != 0))
		return false;
	return r->template == NULL ||
	    !g_strv_contains(must_get, r->template);
}

bool
notify_muted(struct store *s, const struct outbox_row *r, bool *muted,
    const char **why, GError **err)
{
	*muted = false;
	*why = NULL;
	if (r->recipient == NULL || !notify_is_optional(r))
		return true;
	if (!store_contact_notifications_off(s, r->ticket_id, r->recipient,
	    muted, err))
		return false;
	if (*muted)
		*why = "not sent: the recipient switched her notifications "
		    "off (Notifications: off)";
	return true;
}

/* The transaction of notify_record(), once R is known to be ours. */
static bool
record_outcome(struct store *s, const struct config *c,
    const struct outbox_row *r, enum notify_outcome o, const char *reply,
    int64_t now, GError **err)
{
	int64_t		 attempt = r->attempts + 1;
	const char	*kind;
	char		*detail;
	bool		 ok;

	if (o == NOTIFY_TEMPFAIL && attempt >= c->max_attempts)
		o = NOTIFY_PERMFAIL;
	switch (o) {
	case NOTIFY_SENT:
		kind = "mail-sent";
		ok = store_outbox_sent(s, r->id, now, reply, err);
		break;
	case NOTIFY_TEMPFAIL:
		kind = "mail-deferred";
		ok = store_outbox_defer(s, r->id, now, now +
		    notify_backoff(c, attempt), reply, err);
		break;
	case NOTIFY_SKIPPED:
		kind = "mail-skipped";
		ok = store_outbox_skip(s, r->id, now, reply, err);
		break;
	default:
		kind = "mail-failed";
		ok = store_outbox_fail(s, r->id, now, reply, err);
		break;
	}
	detail = g_strdup_printf("%s to %s, outbox #%" G_GINT64_FORMAT
	    ", attempt %" G_GINT64_FORMAT ": %s", r->kind, r->recipient,
	    r->id, attempt, reply != NULL ? reply : "");
	ok = ok && store_event_add(s, r->ticket_id, r->sent_row, now,
	    "postdesk-notify", kind, detail, err);
	g_free(detail);
	return ok;
}

bool
notify_record(struct store *s, const struct config *c,
    const struct outbox_row *r, enum notify_outcome o, const char *reply,
    int64_t now, GError **err)
{
	bool	 held = false;

	if (!store_begin(s, err))
		return false;
	/* Checked under the write lock: nobody can claim R meanwhile. */
	if (!store_outbox_attempted(s, r, &held, err))
		goto fail;
	if (!held) {
		g_set_error(err, NOTIFY_ERROR, NOTIFY_ERROR_LEASE,
		    "outbox #%" G_GINT64_FORMAT ": the lease ran out and the "
		    "row is no longer ours; result not recorded", r->id);
		goto fail;
	}
	if (record_outcome(s, c, r, o, reply, now, err) &&
	    store_commit(s, err))
		return true;
fail:
	store_rollback(s);
	return false;
}
