/*
 * outbox: enqueueing mail and the loop rules.
 */
#include "pdconfig.h"

#include <string.h>

#include "outbox.h"

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

/* The acknowledgement, if allowed; otherwise an event says why not. */
static bool
acknowledge(struct store *s, const struct config *c, const struct mail *m,
    const char *sender, int64_t ticket, int64_t row, int64_t now,
    GError **err)
{
	const char	*why = outbox_auto_refusal(c, m, sender);
	char		*detail;
	int64_t		 n = 0;
	bool		 ok;

	if (why == NULL && c->auto_reply_limit >= 0) {
		if (!store_outbox_count_since(s, OUTBOX_ACK, m->from.addr,
		    now - 3600, &n, err))
			return false;
		if (n >= c->auto_reply_limit)
			why = "auto_reply_limit reached for this sender "
			    "this hour";
	}
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
    bool new_ticket, int64_t now, GError **err)
{
	GPtrArray	*staff;
	guint		 i;
	bool		 ok;

	if (outbox_is_own_loop(c, m))
		return store_event_add(s, ticket, row, now, "postdesk",
		    "auto-reply-suppressed", "our own mail came back "
		    "(X-Postdesk-Loop): no mail sent", err);
	if (new_ticket && !acknowledge(s, c, m, sender, ticket, row, now,
	    err))
		return false;
	/* Staff mail is handled by the lifecycle (staff correspond). */
	if (m->from.addr != NULL && config_is_staff(c, m->from.addr))
		return true;
	staff = g_ptr_array_new();
	for (i = 0; c->staff_addresses[i] != NULL; i++)
		g_ptr_array_add(staff, c->staff_addresses[i]);
	ok = outbox_enqueue_all(s, ticket, row, OUTBOX_STAFF,
	    "staff-notification", staff, m->from.addr, now, err);
	g_ptr_array_free(staff, TRUE);
	return ok;
}
