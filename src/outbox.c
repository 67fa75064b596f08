/*
 * outbox: enqueueing mail and the loop rules.
 */
#include "pdconfig.h"

#include <string.h>

#include "compose.h"
#include "outbox.h"
#include "staff.h"
#include "store_staff.h"

bool
outbox_enqueue(struct store *s, int64_t ticket, int64_t message_row,
    const char *kind, const char *template_name, const char *recipient,
    int64_t now, int64_t *id, GError **err)
{
	struct outbox_row r = { 0 };

	r.ticket_id = ticket;
	r.message_row = message_row;
	r.kind = (char *)kind;
	r.template = (char *)template_name;
	r.recipient = (char *)recipient;
	r.next_attempt = now;
	r.created = now;
	if (!store_outbox_insert(s, &r, err))
		return false;
	if (id != NULL)
		*id = r.id;
	return true;
}

static bool
enqueue_exact(struct store *s, int64_t ticket, int64_t message_row,
    const char *kind, const char *template_name, const char *recipient,
    int64_t now, GError **err)
{
	struct outbox_row r = { 0 };

	r.ticket_id = ticket;
	r.message_row = message_row;
	r.kind = (char *)kind;
	r.template = (char *)template_name;
	r.recipient = (char *)recipient;
	r.next_attempt = now;
	r.created = now;
	r.exact = true;
	return store_outbox_insert(s, &r, err);
}

bool
outbox_enqueue_exact(struct store *s, int64_t ticket, int64_t message_row,
    const char *template_name, const char *recipient, int64_t now,
    GError **err)
{
	return enqueue_exact(s, ticket, message_row, OUTBOX_NOTICE,
	    template_name, recipient, now, err);
}

bool
outbox_enqueue_answer(struct store *s, int64_t ticket, int64_t message_row,
    const char *template_name, const char *sender, int64_t now,
    GError **err)
{
	return enqueue_exact(s, ticket, message_row, OUTBOX_ACK,
	    template_name, sender, now, err);
}

bool
outbox_enqueue_quarantined(struct store *s, int64_t ticket,
    int64_t quarantine_id, const char *kind, const char *template_name,
    const char *recipient, int64_t now, GError **err)
{
	struct outbox_row r = { 0 };

	r.ticket_id = ticket;
	r.quarantine_id = quarantine_id;
	r.kind = (char *)kind;
	r.template = (char *)template_name;
	r.recipient = (char *)recipient;
	r.next_attempt = now;
	r.created = now;
	return store_outbox_insert(s, &r, err);
}

bool
outbox_enqueue_all(struct store *s, int64_t ticket, int64_t message_row,
    const char *kind, const char *template_name, GPtrArray *recipients,
    const char *except, int64_t now, GError **err)
{
	GHashTable	*seen;
	guint		 i;
	bool		 ok = true;

	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; ok && i < recipients->len; i++) {
		const char	*a = recipients->pdata[i];
		char		*low = g_ascii_strdown(a, -1);

		if ((except != NULL && g_ascii_strcasecmp(a, except) == 0) ||
		    g_hash_table_contains(seen, low)) {
			g_free(low);
			continue;
		}
		g_hash_table_add(seen, low);
		ok = outbox_enqueue(s, ticket, message_row, kind,
		    template_name, a, now, NULL, err);
	}
	g_hash_table_destroy(seen);
	return ok;
}

/* "no", alone or followed by a comment or parameters. */
static bool
is_no(const char *v)
{
	while (g_ascii_isspace(*v))
		v++;
	return g_ascii_strncasecmp(v, "no", 2) == 0 &&
	    (v[2] == '\0' || g_ascii_isspace(v[2]) || v[2] == ';' ||
	    v[2] == '(');
}

/* Local parts that never read their mail (RFC 3834 section 2 spirit). */
static bool
robot_address(const char *addr)
{
	static const char *const robots[] = {
		"mailer-daemon", "postmaster", "noreply", "no-reply",
		"do-not-reply", "donotreply", "no_reply", "bounce", "bounces",
		"listserv", "majordomo", "mailman"
	};
	const char	*at = strchr(addr, '@');
	size_t		 n = at != NULL ? (size_t)(at - addr) : strlen(addr);
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(robots); i++)
		if (strlen(robots[i]) == n &&
		    g_ascii_strncasecmp(addr, robots[i], n) == 0)
			return true;
	/* owner-list@, list-request@, bounces+x@, noreply+x@ */
	return g_ascii_strncasecmp(addr, "owner-", 6) == 0 ||
	    (n > 8 && g_ascii_strncasecmp(addr + n - 8, "-request", 8) == 0) ||
	    g_ascii_strncasecmp(addr, "bounces+", 8) == 0 ||
	    g_ascii_strncasecmp(addr, "noreply+", 8) == 0;
}

bool
outbox_is_own_loop(const struct config *c, const struct mail *m)
{
	guint	 i;

	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];
		char	*v;
		bool	 ours;

		if (g_ascii_strcasecmp(h->name, OUTBOX_LOOP_HEADER) != 0)
			continue;
		v = g_strstrip(g_strdup(h->value));
		ours = g_ascii_strcasecmp(v, c->host) == 0;
		g_free(v);
		if (ours)
			return true;
	}
	return false;
}

static bool
bulk_precedence(const char *v)
{
	char	*low;
	bool	 bulk;

	if (v == NULL)
		return false;
	low = g_ascii_strdown(v, -1);
	bulk = strstr(low, "bulk") != NULL || strstr(low, "junk") != NULL ||
	    strstr(low, "list") != NULL;
	g_free(low);
	return bulk;
}

const char *
outbox_auto_refusal(const struct config *c, const struct mail *m,
    const char *sender)
{
	const char	*v;

	if (outbox_is_own_loop(c, m))
		return "X-Postdesk-Loop: our own mail came back";
	v = mail_header(m, "Auto-Submitted");
	if (v != NULL && !is_no(v))
		return "Auto-Submitted is not \"no\" (RFC 3834)";
	if (bulk_precedence(mail_header(m, "Precedence")))
		return "Precedence: bulk, junk or list";
	if (mail_header(m, "List-Id") != NULL)
		return "List-Id: mailing-list traffic";
	if (sender != NULL && (*sender == '\0' || strcmp(sender, "<>") == 0))
		return "null envelope sender (a bounce)";
	if (sender != NULL && robot_address(sender))
		return "envelope sender is a robot address";
	if (m->from.addr == NULL)
		return "no usable From address";
	if (robot_address(m->from.addr))
		return "From is a mailer-daemon/noreply address";
	if (config_is_own_address(c, m->from.addr) ||
	    (sender != NULL && config_is_own_address(c, sender)))
		return "the sender is one of our own addresses";
	return NULL;
}

bool
outbox_auto_reply_limited(struct store *s, const struct config *c,
    const char *addr, int64_t now, const char **why, GError **err)
{
	int64_t	 n = 0;

	if (c->auto_reply_limit < 0)
		return true;
	if (!store_outbox_count_since(s, OUTBOX_ACK, addr, now - 3600, &n,
	    err))
		return false;
	if (n >= c->auto_reply_limit)
		*why = "auto_reply_limit reached for this sender this hour";
	return true;
}

/* The acknowledgement, if allowed; otherwise an event says why not. */
static bool
acknowledge(struct store *s, const struct config *c, const struct mail *m,
    const char *sender, const char *no_reply, int64_t ticket, int64_t row,
    int64_t now, GError **err)
{
	const char	*why = no_reply != NULL ? no_reply :
	    outbox_auto_refusal(c, m, sender);
	char		*detail;
	bool		 ok;

	if (why == NULL && !outbox_auto_reply_limited(s, c, m->from.addr, now,
	    &why, err))
		return false;
	if (why == NULL)
		return outbox_enqueue(s, ticket, row, OUTBOX_ACK,
		    "new-ticket", m->from.addr, now, NULL, err);
	detail = g_strdup_printf("no acknowledgement to %s: %s",
	    m->from.addr != NULL ? m->from.addr : "(none)", why);
	ok = store_event_add(s, ticket, row, now, "postdesk",
	    "auto-reply-suppressed", detail, err);
	g_free(detail);
	return ok;
}

bool
outbox_after_intake(struct store *s, const struct config *c,
    const struct mail *m, const char *sender, int64_t ticket, int64_t row,
    bool new_ticket, const char *no_reply, bool staff_sender, int64_t now,
    GError **err)
{
	GPtrArray	*staff;
	bool		 ok;

	if (outbox_is_own_loop(c, m))
		return store_event_add(s, ticket, row, now, "postdesk",
		    "auto-reply-suppressed", "our own mail came back "
		    "(X-Postdesk-Loop): no mail sent", err);
	if (new_ticket && !acknowledge(s, c, m, sender, no_reply, ticket,
	    row, now, err))
		return false;
	/* Staff mail is handled by the lifecycle (staff correspond); mail
	 * that only claims a staff address is announced like any other,
	 * so the staff see it. */
	if (staff_sender)
		return true;
	if (!outbox_staff_audience(s, c, ticket, m->from.addr, &staff, err))
		return false;
	ok = outbox_enqueue_all(s, ticket, row, OUTBOX_STAFF,
	    "staff-notification", staff, m->from.addr, now, err);
	g_ptr_array_free(staff, TRUE);
	return ok;
}

bool
outbox_staff_audience(struct store *s, const struct config *c,
    int64_t ticket, const char *author, GPtrArray **out, GError **err)
{
	struct staff_dir *dir = NULL;
	struct ticket	*t = NULL;
	struct staff_notice n = { 0 };
	bool		 ok;

	*out = NULL;
	ok = staff_dir_load(s, c, &dir, err) &&
	    store_ticket_get(s, ticket, &t, err) &&
	    store_ticket_writers(s, ticket, &n.writers, err);
	if (ok) {
		n.queue = t->queue;
		n.owner = t->owner;
		n.author = author;
		*out = staff_notice_recipients(dir, &n);
	}
	if (n.writers != NULL)
		g_ptr_array_free(n.writers, TRUE);
	ticket_free(t);
	staff_dir_free(dir);
	return ok;
}

/*
 * The newest customer message: the one a staff message answers.  Not
 * the staff member's own mail (a reply by mail is stored before it is
 * sent on) nor a note: the customer never saw those, and their
 * Message-IDs would leak the staff's hosts.  Failing any, the newest
 * inbound message.
 */
static bool
last_inbound(struct store *s, const struct config *c, int64_t ticket,
    struct message **out, GError **err)
{
	GPtrArray	*thread = NULL;
	struct staff_dir *dir = NULL;
	gint		 i, any = -1, customer = -1;

	*out = NULL;
	if (!staff_dir_load(s, c, &dir, err))
		return false;
	if (!store_thread(s, ticket, &thread, err)) {
		staff_dir_free(dir);
		return false;
	}
	for (i = (gint)thread->len - 1; i >= 0 && customer < 0; i--) {
		const struct message *m = thread->pdata[i];

		if (m->outbound)
			continue;
		if (any < 0)
			any = i;
		if (!m->internal && (m->from_addr == NULL ||
		    staff_dir_find(dir, m->from_addr) == NULL))
			customer = i;
	}
	staff_dir_free(dir);
	if (customer >= 0 || any >= 0)
		*out = g_ptr_array_steal_index(thread,
		    (guint)(customer >= 0 ? customer : any));
	g_ptr_array_free(thread, TRUE);
	return true;
}

static GPtrArray *
staff_recipients(struct store *s, const struct config *c,
    const struct ticket *t, const struct outbox_staff_message *sm,
    GError **err)
{
	GPtrArray	*a, *cc = NULL;
	guint		 i;

	/* A note is a staff notice like any other (staff.h). */
	if (sm->internal)
		return outbox_staff_audience(s, c, t->id, sm->from_addr, &a,
		    err) ? a : NULL;
	a = g_ptr_array_new_with_free_func(g_free);
	if (!store_participants(s, t->id, "cc", true, &cc, err)) {
		g_ptr_array_free(a, TRUE);
		return NULL;
	}
	g_ptr_array_add(a, g_strdup(t->requester));
	for (i = 0; i < cc->len; i++)
		if (!config_is_own_address(c, cc->pdata[i]) &&
		    g_ascii_strcasecmp(cc->pdata[i], t->requester) != 0)
			g_ptr_array_add(a, g_strdup(cc->pdata[i]));
	g_ptr_array_free(cc, TRUE);
	return a;
}

static char *
join_from(GPtrArray *a, guint from)
{
	GString	*g = g_string_new(NULL);
	guint	 i;

	for (i = from; i < a->len; i++)
		g_string_append_printf(g, "%s%s", g->len ? ", " : "",
		    (const char *)a->pdata[i]);
	return g_string_free(g, g->len == 0);
}

static bool
store_staff_attachments(struct store *s, int64_t row, GPtrArray *att,
    GError **err)
{
	guint	 i;

	for (i = 0; att != NULL && i < att->len; i++) {
		const struct compose_attachment *ca = att->pdata[i];
		struct attachment a = { 0 };
		char	 sha[65];
		gsize	 len;
		const void *d = g_bytes_get_data(ca->data, &len);

		a.message_row = row;
		a.filename = (char *)ca->filename;
		a.content_type = (char *)(ca->content_type != NULL ?
		    ca->content_type : "application/octet-stream");
		a.disposition = "attachment";
		a.size = (int64_t)len;
		a.sha256 = sha;
		if (!store_blob_put(s, d, len, sha, err) ||
		    !store_attachment_insert(s, &a, err))
			return false;
	}
	return true;
}

/* The message row itself; M carries the first row's Message-ID. */
static bool
insert_staff_message(struct store *s, const struct ticket *t,
    const struct outbox_staff_message *sm, const struct message *about,
    GPtrArray *rcpts, struct message *m, int64_t now, GError **err)
{
	char	*hash, *refs = NULL, *cc, *subject;
	bool	 ok;

	hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, sm->text, -1);
	if (about != NULL)
		refs = about->references != NULL && *about->references ?
		    g_strdup_printf("%s %s", about->references,
		    about->message_id) : g_strdup(about->message_id);
	cc = sm->internal ? NULL : join_from(rcpts, 1);
	subject = g_strdup_printf("Re: %s", t->subject);
	m->ticket_id = t->id;
	m->outbound = true;
	m->internal = sm->internal;
	m->in_reply_to = about != NULL ? about->message_id : NULL;
	m->references = refs;
	m->from_addr = (char *)sm->from_addr;
	m->from_name = (char *)sm->from_name;
	m->to_addrs = sm->internal ? join_from(rcpts, 0) :
	    g_strdup(rcpts->pdata[0]);
	m->cc_addrs = cc;
	m->subject = subject;
	m->date = m->received = now;
	m->text = m->stripped = (char *)sm->text;
	m->body_hash = hash;
	ok = store_message_insert(s, m, err) &&
	    store_staff_attachments(s, m->id, sm->attachments, err);
	g_free(m->to_addrs);
	g_free(hash);
	g_free(refs);
	g_free(cc);
	g_free(subject);
	return ok;
}

bool
outbox_staff_message(struct store *s, const struct config *c, int64_t ticket,
    const struct outbox_staff_message *sm, int64_t now, int64_t *row,
    GError **err)
{
	const char	*kind = sm->internal ? OUTBOX_COMMENT : OUTBOX_REPLY;
	const char	*tmpl = sm->internal ? "comment-notification" :
	    "reply-to-customer";
	struct ticket	*t = NULL;
	struct message	*about = NULL, m = { 0 };
	struct outbox_row r = { 0 };
	GPtrArray	*rcpts = NULL;
	int64_t		 first = 0;
	guint		 i;
	bool		 ok;

	if (!store_ticket_get(s, ticket, &t, err))
		return false;
	ok = last_inbound(s, c, ticket, &about, err) &&
	    (rcpts = staff_recipients(s, c, t, sm, err)) != NULL;
	/* Nobody to mail (a note with no other staff): stored only. */
	if (ok && rcpts->len > 0)
		ok = outbox_enqueue(s, ticket, 0, kind, tmpl, rcpts->pdata[0],
		    now, &first, err);
	m.message_id = compose_message_id(ticket, first, c->host);
	ok = ok && insert_staff_message(s, t, sm, about, rcpts, &m, now, err);
	if (ok && first > 0)
		ok = store_outbox_set_sent_row(s, first, m.id, err);
	r.ticket_id = ticket;
	r.message_row = r.sent_row = m.id;
	r.kind = (char *)kind;
	r.template = (char *)tmpl;
	r.next_attempt = r.created = now;
	for (i = 1; ok && i < rcpts->len; i++) {
		r.recipient = rcpts->pdata[i];
		ok = store_outbox_insert(s, &r, err);
	}
	ok = ok && store_ticket_touch(s, ticket, now, err) &&
	    store_event_add(s, ticket, m.id, now, sm->from_addr,
	    sm->internal ? "comment" : "reply", t->subject, err);
	*row = m.id;
	g_free(m.message_id);
	if (rcpts != NULL)
		g_ptr_array_free(rcpts, TRUE);
	message_free(about);
	ticket_free(t);
	return ok;
}
