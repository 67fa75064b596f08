/*
 * web_view: the read-only pages: ticket list, thread, search, lookup by
 * Message-ID, attachment download and the stylesheet.  Every ticket a
 * page shows has passed web_can_see_ticket() or come from a query
 * limited by web_participant_filter().
 */
#include "pdconfig.h"

#include <string.h>

#include "lifecycle.h"
#include "csv.h"
#include "store_web.h"
#include "template.h"
#include "web.h"

static const char *const sort_names[] = { "queue", "updated", "created" };
static const char *const queue_names[] = { "support", "sales", "project",
    "billing", "generic" };

#define F(w, k)		(&(w)->req->fields[(k)])

/* [{name, selected}] for a <select>, with CURRENT added if unknown. */
static JsonArray *
options(const char *const *names, size_t n, const char *current)
{
	JsonArray	*a = json_array_new();
	bool		 seen = false;
	size_t		 i;

	for (i = 0; i <= n; i++) {
		JsonObject	*o;
		const char	*name = i < n ? names[i] : current;

		if (i == n && (seen || current == NULL))
			break;
		o = json_object_new();
		json_object_set_string_member(o, "name", name);
		json_object_set_boolean_member(o, "selected",
		    current != NULL &&
		    strcmp(name, current) == 0);
		seen = seen || (current != NULL && strcmp(name, current) == 0);
		json_array_add_object_element(a, o);
	}
	return a;
}

static char *
ticket_url(struct web *w, int64_t id)
{
	return g_strdup_printf("%s/ticket/%" G_GINT64_FORMAT,
	    w->req->script_name, id);
}

static JsonObject *
ticket_json(struct web *w, const struct ticket *t)
{
	JsonObject	*o = json_object_new();
	char		*url = ticket_url(w, t->id);

	json_object_set_int_member(o, "id", t->id);
	json_object_set_string_member(o, "url", url);
	web_json_line(o, "subject", *t->subject != '\0' ? t->subject :
	    "(no subject)");
	web_json_str(o, "status", t->status);
	web_json_str(o, "queue", t->queue);
	web_json_str(o, "priority", t->priority);
	json_object_set_boolean_member(o, "hotrush", t->hotrush);
	web_json_str(o, "requester", t->requester);
	web_json_str(o, "owner", t->owner);
	json_object_set_int_member(o, "messages", t->n_messages);
	web_json_time(w, o, "created", t->created);
	web_json_time(w, o, "updated", t->updated);
	g_free(url);
	return o;
}

/* Appends NAME=VALUE to a query string, escaped. */
static void
query_add(GString *q, const char *name, const char *value)
{
	char	*e;

	if (value == NULL)
		return;
	e = g_uri_escape_string(value, NULL, FALSE);
	g_string_append_printf(q, "%s%s=%s", q->len > 0 ? "&" : "", name, e);
	g_free(e);
}

/* The list's filters as a query string, for the page links. */
static GString *
list_query(struct web *w)
{
	GString		*q = g_string_new(NULL);
	static const enum web_key kept[] = { KEY_STATUS, KEY_QUEUE,
	    KEY_PRIORITY, KEY_HOTRUSH, KEY_HIDE, KEY_SORT, KEY_Q };
	size_t		 i;

	for (i = 0; i < G_N_ELEMENTS(kept); i++)
		if (F(w, kept[i])->present)
			query_add(q, web_key_name(kept[i]), F(w, kept[i])->s);
	return q;
}

/* prev_url/next_url members for page PAGE of a list. */
static void
pager(struct web *w, JsonObject *o, const char *path, int64_t page,
    bool more)
{
	GString	*q;
	char	*n;

	json_object_set_int_member(o, "page", page);
	if (page > 1) {
		q = list_query(w);
		n = g_strdup_printf("%" G_GINT64_FORMAT, page - 1);
		query_add(q, "page", n);
		g_free(n);
		n = g_strconcat(w->req->script_name, path, "?", q->str, NULL);
		json_object_set_string_member(o, "prev_url", n);
		g_free(n);
		g_string_free(q, TRUE);
	}
	if (more) {
		q = list_query(w);
		n = g_strdup_printf("%" G_GINT64_FORMAT, page + 1);
		query_add(q, "page", n);
		g_free(n);
		n = g_strconcat(w->req->script_name, path, "?", q->str, NULL);
		json_object_set_string_member(o, "next_url", n);
		g_free(n);
		g_string_free(q, TRUE);
	}
}

/* The list's filters from the request; the same for its CSV. */
/* False if the priority asked for is not a configured one. */
static bool
list_filter(struct web *w, struct store_web_filter *f)
{
	const struct lifecycle *lc;
	int	 r;

	f->status = F(w, KEY_STATUS)->s;
	f->queue = F(w, KEY_QUEUE)->s;
	/* A configured priority, any case, as the tickets store it. */
	lc = lifecycle_for(w->config->lifecycle, f->queue);
	r = lifecycle_priority_rank(lc, F(w, KEY_PRIORITY)->s);
	if (F(w, KEY_PRIORITY)->s != NULL && r == LC_RANK_NONE)
		return false;
	f->priority = lifecycle_priority_name(lc, r);
	f->hotrush = F(w, KEY_HOTRUSH)->present ?
	    (int)F(w, KEY_HOTRUSH)->i : -1;
	/* The caller frees it (g_strfreev) after the query. */
	f->hide_statuses = F(w, KEY_HIDE)->present && F(w, KEY_HIDE)->i ?
	    (const char *const *)lifecycle_set_done_statuses(
	    w->config->lifecycle) : NULL;
	f->participant = web_participant_filter(w);
	f->sort = F(w, KEY_SORT)->present ? (enum store_web_sort)
	    F(w, KEY_SORT)->i : w->viewer.role == WEB_STAFF ?
	    STORE_WEB_SORT_QUEUE : STORE_WEB_SORT_UPDATED;
	return true;
}

/*
 * /export.csv (staff): every ticket the list shows for the same filters,
 * not one page, as `postdesk list --csv` writes it.  Bounded, so that a
 * request cannot ask for a database's worth of memory.
 */
#define WEB_EXPORT_MAX	100000

struct web_response *
web_page_export(struct web *w, GError **err)
{
	struct store_web_filter	 f = { 0 };
	struct web_response	*r;
	GPtrArray		*tickets;
	GString			*csv;
	gsize			 len;
	bool			 ok;

	if (!list_filter(w, &f))
		return web_error_page(w, 400, "There is no such priority.");
	f.limit = WEB_EXPORT_MAX;
	ok = store_web_tickets(w->store, &f, &tickets, err);
	g_strfreev((char **)f.hide_statuses);
	if (!ok)
		return NULL;
	csv = g_string_new(NULL);
	csv_tickets(csv, tickets);
	g_ptr_array_unref(tickets);
	r = web_response_new(200, "text/csv; charset=utf-8; header=present");
	web_response_header(r, "Content-Disposition",
	    "attachment; filename=\"tickets.csv\"");
	len = csv->len;
	web_response_set_body(r, g_bytes_new_take(g_string_free(csv, FALSE),
	    len));
	return r;
}

struct web_response *
web_page_list(struct web *w, GError **err)
{
	struct store_web_filter	 f = { 0 };
	JsonObject		*o = json_object_new();
	JsonArray		*a = json_array_new();
	GPtrArray		*tickets;
	int64_t			 page = F(w, KEY_PAGE)->present ?
	    F(w, KEY_PAGE)->i : 1;
	const struct lifecycle	*lc;
	guint			 i;
	bool			 linked;

	if (!list_filter(w, &f)) {
		json_object_unref(o);
		json_array_unref(a);
		return web_error_page(w, 400, "There is no such priority.");
	}
	lc = lifecycle_for(w->config->lifecycle, f.queue);
	/* One row more than shown tells whether there is a next page. */
	f.limit = WEB_PAGE_SIZE + 1;
	f.offset = (page - 1) * WEB_PAGE_SIZE;
	if (!store_web_tickets(w->store, &f, &tickets, err)) {
		g_strfreev((char **)f.hide_statuses);
		json_object_unref(o);
		json_array_unref(a);
		return NULL;
	}
	for (i = 0; i < tickets->len && i < WEB_PAGE_SIZE; i++)
		json_array_add_object_element(a, ticket_json(w,
		    tickets->pdata[i]));
	json_object_set_array_member(o, "tickets", a);
	json_object_set_boolean_member(o, "empty", tickets->len == 0);
	pager(w, o, "/", page, tickets->len > WEB_PAGE_SIZE);
	g_ptr_array_unref(tickets);
	json_object_set_array_member(o, "statuses", options(
	    (const char *const *)lc->statuses, g_strv_length(lc->statuses),
	    f.status));
	json_object_set_array_member(o, "queues", options(queue_names,
	    G_N_ELEMENTS(queue_names), f.queue));
	json_object_set_array_member(o, "priorities", options(
	    (const char *const *)lc->priorities, (size_t)lc->n_priorities,
	    f.priority));
	json_object_set_array_member(o, "sorts", options(sort_names,
	    G_N_ELEMENTS(sort_names), sort_names[f.sort]));
	json_object_set_boolean_member(o, "hotrush_on", f.hotrush == 1);
	json_object_set_boolean_member(o, "hotrush_off", f.hotrush == 0);
	json_object_set_boolean_member(o, "hide", f.hide_statuses != NULL);
	g_strfreev((char **)f.hide_statuses);
	/* The account page, for the member who manages the members. */
	if (!web_account_linked(w, &linked, err)) {
		json_object_unref(o);
		return NULL;
	}
	json_object_set_boolean_member(o, "account", linked);
	if (w->viewer.role == WEB_STAFF) {
		GString	*q = list_query(w);
		char	*u = g_strconcat(w->req->script_name, "/export.csv",
		    q->len > 0 ? "?" : "", q->str, NULL);

		json_object_set_string_member(o, "export_url", u);
		g_free(u);
		g_string_free(q, TRUE);
	}
	return web_render(w, 200, "list", w->viewer.role == WEB_STAFF ?
	    _("Tickets") : _("Your tickets"), o, err);
}

static char *
size_text(int64_t n)
{
	return g_format_size_full((guint64)n, G_FORMAT_SIZE_DEFAULT);
}

/* Equal but for blanks at the ends. */
static bool
same_text(const char *a, const char *b)
{
	char	*x = g_strstrip(g_strdup(a)), *y = g_strstrip(g_strdup(b));
	bool	 same = strcmp(x, y) == 0;

	g_free(x);
	g_free(y);
	return same;
}

/* The sender check (identity.h), for staff: the verdict and its lines,
 * which the template escapes like any other text. */
static void
auth_json(JsonObject *o, const struct message *m)
{
	JsonArray	*lines;
	char		**v;
	int		  i;

	if (m->outbound || m->auth_verdict == NULL)
		return;
	web_json_str(o, "auth_verdict", m->auth_verdict);
	lines = json_array_new();
	v = g_strsplit(m->auth != NULL ? m->auth : "", "\n", -1);
	for (i = 0; v[i] != NULL; i++)
		if (*v[i] != '\0') {
			JsonObject *l = json_object_new();

			web_json_str(l, "line", v[i]);
			json_array_add_object_element(lines, l);
		}
	g_strfreev(v);
	json_object_set_array_member(o, "auth_lines", lines);
}

/*
 * The bytes of message text one page shows in all: escaped, a text can
 * grow six-fold (&quot;), and the page must stay under
 * TEMPLATE_OUTPUT_MAX whatever the mail held.  Beyond it, and beyond
 * [web] max_message_view for one message, the text is cut and links to
 * /text/N, the whole of it.
 */
#define WEB_PAGE_TEXT_MAX	(TEMPLATE_OUTPUT_MAX / 8)

static bool
message_json(struct web *w, const struct message *m, JsonArray *out,
    gsize *budget, GError **err)
{
	JsonObject	*o;
	JsonArray	*atts = json_array_new();
	GPtrArray	*a;
	const char	*shown;
	char		*text;
	bool		 cut;
	guint		 i;

	if (!store_attachments(w->store, m->id, &a, err)) {
		json_array_unref(atts);
		return false;
	}
	o = json_object_new();
	for (i = 0; i < a->len; i++) {
		const struct attachment *at = a->pdata[i];
		JsonObject	*ao = json_object_new();
		char		*s;

		s = g_strdup_printf("%s/attachment/%" G_GINT64_FORMAT,
		    w->req->script_name, at->id);
		json_object_set_string_member(ao, "url", s);
		g_free(s);
		web_json_line(ao, "filename", at->filename != NULL &&
		    *at->filename != '\0' ? at->filename : "attachment");
		web_json_str(ao, "type", at->content_type);
		json_object_set_string_member(ao, "size",
		    (s = size_text(at->size)));
		g_free(s);
		json_array_add_object_element(atts, ao);
	}
	g_ptr_array_unref(a);
	json_object_set_int_member(o, "row", m->id);
	web_json_line(o, "from", m->from_addr);
	web_json_line(o, "from_name", m->from_name);
	web_json_line(o, "subject", m->subject);
	web_json_str(o, "message_id", m->message_id);
	web_json_time(w, o, "date", m->date > 0 ? m->date : m->received);
	json_object_set_boolean_member(o, "outbound", m->outbound);
	json_object_set_boolean_member(o, "internal", m->internal);
	shown = *m->stripped != '\0' ? m->stripped : m->text;
	text = web_cut(shown, MIN(w->config->web_max_message_view, *budget),
	    &cut);
	*budget -= MIN(*budget, strlen(text));
	json_object_set_string_member(o, "stripped", text);
	g_free(text);
	/* The full text only when it says more than the stripped part,
	 * and only while the page's budget lasts. */
	if (!cut && *m->stripped != '\0' && !same_text(m->text, m->stripped)) {
		if (strlen(m->text) <= MIN(w->config->web_max_message_view,
		    *budget)) {
			json_object_set_string_member(o, "full", m->text);
			*budget -= strlen(m->text);
		} else
			cut = true;
	}
	json_object_set_boolean_member(o, "truncated", cut);
	if (cut) {
		char *u = g_strdup_printf("%s/text/%" G_GINT64_FORMAT,
		    w->req->script_name, m->id);

		json_object_set_string_member(o, "text_url", u);
		g_free(u);
	}
	json_object_set_array_member(o, "attachments", atts);
	json_object_set_boolean_member(o, "has_attachments",
	    json_array_get_length(atts) > 0);
	if (w->viewer.role == WEB_STAFF)
		auth_json(o, m);
	json_array_add_object_element(out, o);
	return true;
}

static JsonArray *
events_json(const struct web *w, GPtrArray *events)
{
	JsonArray	*a = json_array_new();
	guint		 i;

	for (i = 0; i < events->len; i++) {
		const struct event *e = events->pdata[i];
		JsonObject *o = json_object_new();

		web_json_time(w, o, "at", e->at);
		web_json_str(o, "actor", e->actor);
		web_json_str(o, "kind", e->kind);
		web_json_str(o, "detail", e->detail);
		json_array_add_object_element(a, o);
	}
	return a;
}

/* The rows of customers' mail replies kept as notes in portal-only mode
 * (the "received-by-mail" events of intake); EVENTS may be NULL. */
static GHashTable *
mailed_notes(GPtrArray *events)
{
	GHashTable	*rows = g_hash_table_new(g_int64_hash, g_int64_equal);
	guint		 i;

	for (i = 0; events != NULL && i < events->len; i++) {
		struct event *e = events->pdata[i];

		if (e->message_row > 0 &&
		    strcmp(e->kind, "received-by-mail") == 0)
			g_hash_table_add(rows, &e->message_row);
	}
	return rows;
}

/* The thread, the events (staff) and the rating into O. */
static bool
thread_json(struct web *w, const struct ticket *t, JsonObject *o,
    GError **err)
{
	JsonArray	*msgs;
	GPtrArray	*thread, *events = NULL;
	GHashTable	*by_mail;
	struct rating	*r;
	gsize		 budget = WEB_PAGE_TEXT_MAX;
	guint		 i;
	bool		 ok = true;

	if (w->viewer.role == WEB_STAFF &&
	    !store_events(w->store, t->id, &events, err))
		return false;
	/* One character more than is shown tells a text that is cut. */
	if (!store_thread_head(w->store, t->id,
	    (int64_t)w->config->web_max_message_view + 1, &thread, err)) {
		if (events != NULL)
			g_ptr_array_unref(events);
		return false;
	}
	by_mail = mailed_notes(events);
	msgs = json_array_new();
	for (i = 0; ok && i < thread->len; i++) {
		const struct message *m = thread->pdata[i];

		/* Internal notes are for staff eyes only. */
		if (m->internal && w->viewer.role != WEB_STAFF)
			continue;
		ok = message_json(w, m, msgs, &budget, err);
		/* A later customer message may move to a new ticket
		 * (ticket_split.h decides; this only offers the button). */
		if (ok && w->viewer.role == WEB_STAFF && i > 0 &&
		    !m->outbound && !m->internal)
			json_object_set_boolean_member(
			    json_array_get_object_element(msgs,
			    json_array_get_length(msgs) - 1), "can_split", TRUE);
		if (ok && g_hash_table_contains(by_mail, &m->id))
			json_object_set_boolean_member(
			    json_array_get_object_element(msgs,
			    json_array_get_length(msgs) - 1), "by_mail", TRUE);
	}
	g_hash_table_destroy(by_mail);
	g_ptr_array_unref(thread);
	json_object_set_array_member(o, "messages", msgs);
	if (events != NULL) {
		json_object_set_array_member(o, "events", events_json(w, events));
		g_ptr_array_unref(events);
	}
	if (!ok)
		return false;
	if (!store_rating_get(w->store, t->id, &r, err))
		return false;
	if (r != NULL) {
		JsonObject *ro = json_object_new();

		json_object_set_int_member(ro, "value", r->rating);
		web_json_str(ro, "comment", r->comment);
		web_json_str(ro, "by", r->rated_by);
		web_json_time(w, ro, "at", r->at);
		json_object_set_object_member(o, "rating", ro);
		rating_free(r);
	}
	return true;
}

/* Staff: the ticket's CCs ("ccs": [{address}]), each with a remove
 * button, and the add form. */
static bool
ccs_json(struct web *w, const struct ticket *t, JsonObject *o, GError **err)
{
	GPtrArray	*ccs;
	JsonArray	*a = json_array_new();
	guint		 i;

	if (!store_participants(w->store, t->id, "cc", false, &ccs, err)) {
		json_array_unref(a);
		return false;
	}
	for (i = 0; i < ccs->len; i++) {
		JsonObject *co = json_object_new();

		web_json_str(co, "address", ccs->pdata[i]);
		json_array_add_object_element(a, co);
	}
	json_object_set_boolean_member(o, "has_ccs", ccs->len > 0);
	json_object_set_array_member(o, "ccs", a);
	g_ptr_array_unref(ccs);
	return true;
}

/* The tickets related to this one ("related": ticket objects), staff
 * links and follow-ups either way (store_ticket_related()); a customer
 * sees only those she may see herself. */
static bool
related_json(struct web *w, const struct ticket *t, JsonObject *o,
    GError **err)
{
	GArray		*ids;
	JsonArray	*a;
	guint		 i;
	bool		 ok = true;

	if (!store_ticket_related(w->store, t->id, &ids, err))
		return false;
	a = json_array_new();
	for (i = 0; ok && i < ids->len; i++) {
		int64_t		 id = g_array_index(ids, int64_t, i);
		struct ticket	*r;
		bool		 yes;

		ok = web_can_see_ticket(w, id, &yes, err);
		if (!ok || !yes)
			continue;
		ok = store_ticket_get(w->store, id, &r, err);
		if (!ok)
			continue;
		json_array_add_object_element(a, ticket_json(w, r));
		ticket_free(r);
	}
	g_array_free(ids, TRUE);
	json_object_set_boolean_member(o, "has_related",
	    json_array_get_length(a) > 0);
	json_object_set_array_member(o, "related", a);
	return ok;
}

/* Staff: the ticket's tags and the custom fields rules set
 * (set_field), as "tags" and "fields" ({name, value}). */
static bool
labels_json(struct web *w, const struct ticket *t, JsonObject *o,
    GError **err)
{
	GPtrArray	*tags, *fields;
	JsonArray	*ta, *fa;
	guint		 i;

	if (!store_ticket_tags(w->store, t->id, &tags, err))
		return false;
	if (!store_ticket_fields(w->store, t->id, &fields, err)) {
		g_ptr_array_unref(tags);
		return false;
	}
	ta = json_array_new();
	for (i = 0; i < tags->len; i++) {
		JsonObject *to = json_object_new();

		web_json_line(to, "tag", tags->pdata[i]);
		json_array_add_object_element(ta, to);
	}
	fa = json_array_new();
	for (i = 0; i < fields->len; i++) {
		const char	*nv = fields->pdata[i];
		const char	*eq = strchr(nv, '=');
		JsonObject	*fo = json_object_new();
		char		*name = g_strndup(nv, eq != NULL ?
		    (gsize)(eq - nv) : strlen(nv));

		web_json_line(fo, "name", name);
		web_json_str(fo, "value", eq != NULL ? eq + 1 : "");
		json_array_add_object_element(fa, fo);
		g_free(name);
	}
	json_object_set_boolean_member(o, "has_labels",
	    tags->len + fields->len > 0);
	json_object_set_array_member(o, "tags", ta);
	json_object_set_array_member(o, "fields", fa);
	g_ptr_array_unref(tags);
	g_ptr_array_unref(fields);
	return true;
}

static gint
g_strcmp0_ptr(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/*
 * Staff: the canned replies, templates/replies/NAME.txt beside the web
 * templates, as links that pre-fill the reply form (no JavaScript): the
 * one named by ?canned= is rendered with the ticket's values into
 * "reply_text", to be edited before it is sent.
 */
static bool
canned_json(struct web *w, const struct ticket *t, JsonObject *o,
    GError **err)
{
	char		*root = g_path_get_dirname(w->templates_dir);
	char		*dir = g_build_filename(root, "replies", NULL);
	GDir		*d = g_dir_open(dir, 0, NULL);
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	JsonArray	*a = json_array_new();
	const char	*n, *want = F(w, KEY_CANNED)->s;
	guint		 i;
	bool		 ok = true;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".txt") && *n != '.')
			g_ptr_array_add(names, g_strndup(n, strlen(n) - 4));
	if (d != NULL)
		g_dir_close(d);
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0_ptr);
	for (i = 0; i < names->len; i++) {
		JsonObject	*c = json_object_new();
		char		*u = g_strdup_printf("%s/ticket/%" G_GINT64_FORMAT
		    "?canned=%s#body", w->req->script_name, t->id,
		    (const char *)names->pdata[i]);

		web_json_line(c, "name", names->pdata[i]);
		json_object_set_string_member(c, "url", u);
		json_array_add_object_element(a, c);
		g_free(u);
	}
	json_object_set_boolean_member(o, "has_canned", names->len > 0);
	json_object_set_array_member(o, "canned", a);
	for (i = 0; ok && want != NULL && i < names->len; i++) {
		struct template	*tp;
		JsonObject	*ctx, *to, *ro, *so;
		char		*file, *path, *text;

		if (strcmp(names->pdata[i], want) != 0)
			continue;
		file = g_strconcat(want, ".txt", NULL);
		path = g_build_filename(dir, file, NULL);
		g_free(file);
		ok = template_load(&tp, path, err);
		g_free(path);
		if (!ok)
			break;
		ctx = json_object_new();
		to = json_object_new();
		json_object_set_int_member(to, "id", t->id);
		web_json_str(to, "subject", t->subject);
		web_json_str(to, "status", t->status);
		web_json_str(to, "queue", t->queue);
		web_json_str(to, "priority", t->priority);
		json_object_set_object_member(ctx, "ticket", to);
		ro = json_object_new();
		web_json_str(ro, "address", t->requester);
		json_object_set_object_member(ctx, "requester", ro);
		so = json_object_new();
		web_json_str(so, "address", w->viewer.address);
		json_object_set_object_member(ctx, "staff", so);
		web_json_str(ctx, "support_address", w->config->address);
		text = template_render(tp, ctx, TEMPLATE_ESCAPE_NONE, err);
		template_free(tp);
		json_object_unref(ctx);
		if ((ok = text != NULL))
			web_json_str(o, "reply_text", text);
		g_free(text);
	}
	g_ptr_array_free(names, TRUE);
	g_free(dir);
	g_free(root);
	return ok;
}

/* How many HotRush cancellations T's account has used: her form offers
 * "off" only while the life cycle would take it (hotrush_off_limit). */
static bool
hotrush_offs_used(struct web *w, const struct ticket *t, int64_t *used,
    GError **err)
{
	char	*account = NULL;
	bool	 ok;

	*used = 0;
	ok = store_account_of(w->store, t->requester, &account, err) &&
	    store_hotrush_offs(w->store, account, used, err);
	g_free(account);
	return ok;
}

/*
 * The changes the life cycle allows a customer on T, for her form: the
 * statuses she may move it to (close, solve, confirm, reopen), the
 * priorities if she may set one, HotRush on or off.  The form shows
 * only these; web_page_change() checks each again.
 */
static void
customer_choices(const struct lifecycle *lc, const struct ticket *t,
    int64_t offs_used, JsonObject *o)
{
	JsonArray	*st = json_array_new();
	const char	*why;
	bool		 counts, any = false;
	size_t		 i;

	for (i = 0; lc->statuses[i] != NULL; i++) {
		JsonObject *so;

		if (!lifecycle_can(lc, t->status, lc->statuses[i],
		    LC_ROLE_CUSTOMER, &why))
			continue;
		so = json_object_new();
		web_json_line(so, "name", lc->statuses[i]);
		json_array_add_object_element(st, so);
		any = true;
	}
	json_object_set_array_member(o, "customer_statuses", st);
	json_object_set_boolean_member(o, "customer_can_status", any);
	if (lifecycle_can_set_priority(lc, t->status, LC_ROLE_CUSTOMER,
	    &why)) {
		/* Hers to choose (staff_priorities), and the one it has. */
		GPtrArray *mine = g_ptr_array_new();
		int	   p;

		for (p = 0; p < lc->n_priorities; p++)
			if (lifecycle_can_choose_priority(lc, p,
			    LC_ROLE_CUSTOMER) || p == t->priority_rank)
				g_ptr_array_add(mine, lc->priorities[p]);
		json_object_set_array_member(o, "customer_priorities",
		    options((const char *const *)mine->pdata, mine->len,
		    t->priority));
		g_ptr_array_free(mine, TRUE);
		json_object_set_boolean_member(o, "customer_can_priority",
		    true);
		any = true;
	}
	if (lifecycle_can_set_hotrush(lc, t->status, !t->hotrush,
	    LC_ROLE_CUSTOMER, offs_used, &counts, &why)) {
		json_object_set_boolean_member(o, "customer_hotrush", true);
		json_object_set_boolean_member(o, "customer_hotrush_on",
		    !t->hotrush);
		any = true;
	}
	json_object_set_boolean_member(o, "customer_can_change", any);
}

/* A language's own name, for the choice (the code if unknown). */
static const char *
language_name(const char *code)
{
	static const char *const names[][2] = {
		{ "en", "English" }, { "de", "Deutsch" },
		{ "fr", "Fran\xc3\xa7" "ais" }, { "es", "Espa\xc3\xb1ol" },
		{ "it", "Italiano" }, { "nl", "Nederlands" },
		{ "pt", "Portugu\xc3\xaas" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(code, names[i][0]) == 0)
			return names[i][1];
	return code;
}

/* Customer: the languages she may choose for mail and pages, as
 * "languages" ({code, selected}: the page's own language). */
static void
customer_languages(struct web *w, JsonObject *o)
{
	GPtrArray	*have = web_lang_catalogs(w);
	JsonArray	*a = json_array_new();
	guint		 i;

	for (i = 0; have->pdata[i] != NULL; i++) {
		JsonObject *lo = json_object_new();

		web_json_str(lo, "code", have->pdata[i]);
		web_json_str(lo, "name", language_name(have->pdata[i]));
		json_object_set_boolean_member(lo, "selected",
		    g_strcmp0(have->pdata[i], w->lang) == 0);
		json_array_add_object_element(a, lo);
	}
	json_object_set_array_member(o, "languages", a);
	g_ptr_array_unref(have);
}

/* Staff: the requester's live viewer sessions, as "signins". */
static bool
signins_json(struct web *w, const struct ticket *t, JsonObject *o,
    GError **err)
{
	JsonArray	*a;
	GPtrArray	*ss;
	guint		 i;

	if (t->requester == NULL)
		return true;
	if (!store_web_sessions_of(w->store, t->requester, w->now, &ss, err))
		return false;
	a = json_array_new();
	for (i = 0; i < ss->len; i++) {
		const struct store_web_session *s = ss->pdata[i];
		JsonObject *so = json_object_new();

		web_json_time(w, so, "created", s->created);
		web_json_time(w, so, "last_seen", s->last_seen);
		web_json_time(w, so, "expires", s->expires);
		json_array_add_object_element(a, so);
	}
	json_object_set_boolean_member(o, "has_signins", ss->len > 0);
	json_object_set_array_member(o, "signins", a);
	g_ptr_array_unref(ss);
	return true;
}

struct web_response *
web_page_ticket(struct web *w, GError **err)
{
	struct ticket	*t;
	JsonObject	*o;
	const struct lifecycle *lc;
	const char	*why;
	bool		 yes, may_act;
	char		*title;
	struct web_response *resp;

	if (!web_can_see_ticket(w, w->req->id, &yes, err))
		return NULL;
	if (!yes)
		return web_error_page(w, 404, "There is no such ticket.");
	{
		/* A ticket merged away leads to the one it lives on as. */
		int64_t	 into;

		if (!store_ticket_merged_into(w->store, w->req->id, &into,
		    err))
			return NULL;
		if (into != w->req->id) {
			char *path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT,
			    into);

			resp = web_redirect(w, path);
			g_free(path);
			return resp;
		}
	}
	if (!store_ticket_get(w->store, w->req->id, &t, err))
		return NULL;
	o = json_object_new();
	json_object_set_object_member(o, "ticket", ticket_json(w, t));
	if ((w->viewer.role == WEB_STAFF && (!labels_json(w, t, o, err) ||
	    !ccs_json(w, t, o, err))) ||
	    !related_json(w, t, o, err) || !thread_json(w, t, o, err)) {
		json_object_unref(o);
		ticket_free(t);
		return NULL;
	}
	/* The life cycle of the ticket's queue: its statuses, and
	 * whether it may be rated now. */
	lc = lifecycle_for(w->config->lifecycle, t->queue);
	if (!web_customer_may_act(w, &may_act, err)) {
		json_object_unref(o);
		ticket_free(t);
		return NULL;
	}
	json_object_set_boolean_member(o, "can_rate", may_act &&
	    lifecycle_can_rate(lc, t->status, 5, LC_ROLE_CUSTOMER, &why));
	{
		/* The customer's own message form (web_portal.c). */
		bool	 may_post = false;

		if (!web_customer_may(w, POLICY_COMMENT, &may_post, err)) {
			json_object_unref(o);
			ticket_free(t);
			return NULL;
		}
		bool	 only = false;
		int64_t	 offs = 0;

		if (!web_follow_up_only(w, t, &only, err)) {
			json_object_unref(o);
			ticket_free(t);
			return NULL;
		}
		json_object_set_boolean_member(o, "can_post", may_post);
		/* Past the reopen window: only the follow-up request.
		 * Within it her reply reopens the ticket, and her form
		 * offers the reopen the life cycle allows her. */
		json_object_set_boolean_member(o, "closed_ticket", only);
		json_object_set_boolean_member(o, "reopens", !only &&
		    lifecycle_is_final(lc, t->status));
		if (may_post && !hotrush_offs_used(w, t, &offs, err)) {
			json_object_unref(o);
			ticket_free(t);
			return NULL;
		}
		if (may_post) {
			customer_choices(lc, t, offs, o);
			customer_languages(w, o);
		}
	}
	if (w->viewer.role == WEB_STAFF && (!signins_json(w, t, o, err) ||
	    !canned_json(w, t, o, err))) {
		json_object_unref(o);
		ticket_free(t);
		return NULL;
	}
	if (w->viewer.role == WEB_STAFF) {
		json_object_set_array_member(o, "statuses", options(
		    (const char *const *)lc->statuses,
		    g_strv_length(lc->statuses), t->status));
		json_object_set_array_member(o, "queues", options(queue_names,
		    G_N_ELEMENTS(queue_names), t->queue));
		json_object_set_array_member(o, "priorities", options(
		    (const char *const *)lc->priorities,
		    (size_t)lc->n_priorities, t->priority));
	}
	{
		bool	 cut;
		char	*subject = web_cut(t->subject, WEB_LINE_MAX, &cut);

		title = g_strdup_printf("#%" G_GINT64_FORMAT " %s", t->id,
		    subject);
		g_free(subject);
	}
	resp = web_render(w, 200, "ticket", title, o, err);
	g_free(title);
	ticket_free(t);
	return resp;
}

/* A snippet with \001...\002 marks → [{text, hit}], escaped later by
 * the template like any other text. */
static JsonArray *
snippet_parts(const char *s)
{
	JsonArray	*a = json_array_new();
	bool		 hit = false;
	const char	*p = s != NULL ? s : "";

	while (*p != '\0') {
		size_t		 n = strcspn(p, "\001\002");
		JsonObject	*o;
		char		*text;

		if (n > 0) {
			o = json_object_new();
			text = g_strndup(p, n);
			json_object_set_string_member(o, "text", text);
			json_object_set_boolean_member(o, "hit", hit);
			json_array_add_object_element(a, o);
			g_free(text);
		}
		p += n;
		if (*p == '\001')
			hit = true;
		else if (*p == '\002')
			hit = false;
		if (*p != '\0')
			p++;
	}
	return a;
}

struct web_response *
web_page_search(struct web *w, GError **err)
{
	JsonObject	*o = json_object_new();
	JsonArray	*a = json_array_new();
	GPtrArray	*hits = NULL;
	int64_t		 page = F(w, KEY_PAGE)->present ?
	    F(w, KEY_PAGE)->i : 1;
	char		*q = store_web_fts_query(F(w, KEY_Q)->s);
	guint		 i;

	web_json_str(o, "q", F(w, KEY_Q)->s);
	if (q != NULL && !store_web_search(w->store, q,
	    web_participant_filter(w), WEB_PAGE_SIZE + 1,
	    (page - 1) * WEB_PAGE_SIZE, &hits, err)) {
		g_free(q);
		json_object_unref(o);
		json_array_unref(a);
		return NULL;
	}
	g_free(q);
	for (i = 0; hits != NULL && i < hits->len && i < WEB_PAGE_SIZE; i++) {
		const struct store_web_hit *h = hits->pdata[i];
		JsonObject	*ho = json_object_new();
		char		*url;

		url = g_strdup_printf("%s/ticket/%" G_GINT64_FORMAT "#m%"
		    G_GINT64_FORMAT, w->req->script_name, h->ticket_id,
		    h->message_row);
		json_object_set_string_member(ho, "url", url);
		g_free(url);
		json_object_set_int_member(ho, "ticket", h->ticket_id);
		web_json_str(ho, "subject", h->subject);
		web_json_str(ho, "from", h->from_addr);
		web_json_time(w, ho, "date", h->date);
		json_object_set_array_member(ho, "parts",
		    snippet_parts(h->snippet));
		json_array_add_object_element(a, ho);
	}
	json_object_set_boolean_member(o, "searched", F(w, KEY_Q)->present);
	json_object_set_boolean_member(o, "none", F(w, KEY_Q)->present &&
	    json_array_get_length(a) == 0);
	json_object_set_boolean_member(o, "found",
	    json_array_get_length(a) > 0);
	json_object_set_array_member(o, "hits", a);
	pager(w, o, "/search", page, hits != NULL &&
	    hits->len > WEB_PAGE_SIZE);
	if (hits != NULL)
		g_ptr_array_unref(hits);
	return web_render(w, 200, "search", _("Search"), o, err);
}

struct web_response *
web_page_message(struct web *w, GError **err)
{
	struct message	*m = NULL;
	GError		*e = NULL;
	bool		 yes = false;
	char		*path;

	if (!F(w, KEY_ID)->present)
		return web_error_page(w, 400, "Give a Message-ID to look "
		    "for.");
	if (!store_message_get(w->store, F(w, KEY_ID)->s, &m, &e)) {
		if (!g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_propagate_error(err, e);
			return NULL;
		}
		g_clear_error(&e);
	}
	if (m != NULL && (!m->internal || w->viewer.role == WEB_STAFF) &&
	    !web_can_see_ticket(w, m->ticket_id, &yes, err)) {
		message_free(m);
		return NULL;
	}
	if (m == NULL || !yes || (m->internal &&
	    w->viewer.role != WEB_STAFF)) {
		message_free(m);
		return web_error_page(w, 404, "No message with that "
		    "Message-ID in your tickets.");
	}
	path = g_strdup_printf("/ticket/%" G_GINT64_FORMAT "#m%"
	    G_GINT64_FORMAT, m->ticket_id, m->id);
	message_free(m);
	{
		struct web_response *r = web_redirect(w, path);

		g_free(path);
		return r;
	}
}

/* /text/N: the whole text of message row N, as a text/plain download,
 * for a message too long for its ticket page. */
struct web_response *
web_page_text(struct web *w, GError **err)
{
	struct message		*m = NULL;
	struct web_response	*r;
	GError			*e = NULL;
	bool			 yes = false;
	char			*cd;

	if (!store_message_get_row(w->store, w->req->id, &m, &e)) {
		if (!g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_propagate_error(err, e);
			return NULL;
		}
		g_clear_error(&e);
	}
	if (m != NULL && (!m->internal || w->viewer.role == WEB_STAFF) &&
	    !web_can_see_ticket(w, m->ticket_id, &yes, err)) {
		message_free(m);
		return NULL;
	}
	if (m == NULL || !yes || (m->internal &&
	    w->viewer.role != WEB_STAFF)) {
		message_free(m);
		return web_error_page(w, 404, "There is no such message.");
	}
	r = web_response_new(200, "text/plain; charset=utf-8");
	cd = g_strdup_printf("attachment; filename=\"message-%" G_GINT64_FORMAT
	    ".txt\"", m->id);
	web_response_header(r, "Content-Disposition", cd);
	web_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; sandbox");
	web_response_set_body(r, g_bytes_new(m->text, strlen(m->text)));
	g_free(cd);
	message_free(m);
	return r;
}

/* RFC 6266: an ASCII fallback and the UTF-8 name as filename*. */
static char *
content_disposition(const char *name)
{
	GString	*ascii = g_string_new(NULL);
	char	*base, *utf8, *enc, *out;
	const char *p;

	base = g_path_get_basename(name != NULL && *name != '\0' ? name :
	    "attachment");
	/* Backslashes count as separators too (Windows names). */
	p = strrchr(base, '\\');
	utf8 = g_utf8_make_valid(p != NULL ? p + 1 : base, -1);
	g_free(base);
	for (p = utf8; *p != '\0'; p++)
		g_string_append_c(ascii, (*p >= 0x20 && *p < 0x7f &&
		    *p != '"' && *p != '\\' && *p != '%') ? *p : '_');
	enc = g_uri_escape_string(utf8, "!#$&+^`|~", FALSE);
	out = g_strdup_printf("attachment; filename=\"%s\"; "
	    "filename*=UTF-8''%s", ascii->str, enc);
	g_string_free(ascii, TRUE);
	g_free(utf8);
	g_free(enc);
	return out;
}

/* A type/subtype of token characters, else application/octet-stream. */
static const char *
safe_type(const char *t)
{
	const char	*p;
	int		 slashes = 0;

	if (t == NULL || *t == '\0' || strlen(t) > 100)
		return "application/octet-stream";
	for (p = t; *p != '\0'; p++) {
		if (*p == '/')
			slashes++;
		else if (!g_ascii_isalnum(*p) && strchr("!#$&^_.+-", *p) ==
		    NULL)
			return "application/octet-stream";
	}
	return slashes == 1 ? t : "application/octet-stream";
}

struct web_response *
web_page_attachment(struct web *w, GError **err)
{
	struct attachment	*a;
	struct web_response	*r;
	GBytes			*data;
	GError			*e = NULL;
	int64_t			 ticket;
	bool			 internal, yes = false;
	char			*cd;

	if (!store_web_attachment(w->store, w->req->id, &a, &ticket,
	    &internal, &e)) {
		if (!g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_propagate_error(err, e);
			return NULL;
		}
		g_clear_error(&e);
		return web_error_page(w, 404, "There is no such attachment.");
	}
	if ((!internal || w->viewer.role == WEB_STAFF) &&
	    !web_can_see_ticket(w, ticket, &yes, err)) {
		attachment_free(a);
		return NULL;
	}
	if (!yes || (internal && w->viewer.role != WEB_STAFF)) {
		attachment_free(a);
		return web_error_page(w, 404, "There is no such attachment.");
	}
	if (!store_blob_get(w->store, a->sha256, &data, err)) {
		attachment_free(a);
		return NULL;
	}
	r = web_response_new(200, safe_type(a->content_type));
	cd = content_disposition(a->filename);
	web_response_header(r, "Content-Disposition", cd);
	/* Even if a browser ignored the disposition, nothing runs. */
	web_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; sandbox");
	web_response_set_body(r, data);
	g_free(cd);
	attachment_free(a);
	return r;
}

struct web_response *
web_page_style(struct web *w, GError **err)
{
	struct web_response	*r;
	char			*path, *css;
	gsize			 len;

	path = g_build_filename(w->templates_dir, "style.css", NULL);
	if (!g_file_get_contents(path, &css, &len, err)) {
		g_free(path);
		return NULL;
	}
	g_free(path);
	r = web_response_new(200, "text/css; charset=utf-8");
	web_response_set_body(r, g_bytes_new_take(css, len));
	return r;
}
