/*
 * cli: init, list and show.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <json-glib/json-glib.h>

#include "cli.h"
#include "csv.h"
#include "quote.h"
#include "store_web.h"
#include "text.h"
#include "lifecycle.h"
#include "log.h"

int
cli_usage(struct cli *c)
{
	fprintf(stderr, "usage: postdesk %s %s\n", c->command->name,
	    c->command->args);
	return 1;
}

int
cli_open_store(struct cli *c, enum store_mode mode)
{
	GError	*e = NULL;
	int	 rc;

	if (store_open_busy(&c->store, config_store(c->config), mode,
	    (int)c->config->busy_timeout, &e))
		return EX_OK;
	log_warnx("%s", e->message);
	/* Locked, disk full, briefly read-only: trying later helps, so say
	 * so (a cron job or script retries on 75), whatever the mode. */
	rc = store_error_is_transient(e) ? EX_TEMPFAIL :
	    mode == STORE_READONLY ? EX_NOINPUT : EX_CANTCREAT;
	g_error_free(e);
	return rc;
}

int
cli_init(struct cli *c)
{
	int	 rc;

	if (c->argc != 1)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	/* Not the url: it may hold a password. */
	printf("database %s ready (schema version %d)\n",
	    c->config->store_url != NULL ? "[store] url" :
	    c->config->store_path, store_schema_version(c->store));
	return EX_OK;
}

bool
text_to_id(int64_t *out, const char *s)
{
	guint64	 v;
	char	*end;

	if (s != NULL && *s == '#')
		s++;
	if (s == NULL || !g_ascii_isdigit(*s))
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	if (*end != '\0' || v == 0 || v > G_MAXINT64)
		return false;
	*out = (int64_t)v;
	return true;
}

/* T as ISO 8601 in UTC; "" if out of range.  g_free. */
static char *
iso_time(int64_t t)
{
	GDateTime	*d = g_date_time_new_from_unix_utc(t);
	char		*s = d != NULL ? g_date_time_format_iso8601(d) : NULL;

	if (d != NULL)
		g_date_time_unref(d);
	return s != NULL ? s : g_strdup("");
}

static void
json_time(JsonBuilder *b, const char *name, int64_t t)
{
	char	*s = iso_time(t);

	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, s);
	g_free(s);
}

static void
json_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v != NULL)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

static void
json_ticket(JsonBuilder *b, const struct ticket *t)
{
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, t->id);
	json_str(b, "subject", t->subject);
	json_str(b, "status", t->status);
	json_str(b, "queue", t->queue);
	json_str(b, "priority", t->priority);
	json_builder_set_member_name(b, "hotrush");
	json_builder_add_boolean_value(b, t->hotrush);
	json_str(b, "requester", t->requester);
	json_str(b, "owner", t->owner);
	json_builder_set_member_name(b, "linked_to");
	if (t->linked_to > 0)
		json_builder_add_int_value(b, t->linked_to);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "messages");
	json_builder_add_int_value(b, t->n_messages);
	json_time(b, "created", t->created);
	json_time(b, "updated", t->updated);
}

static void
print_json(JsonBuilder *b)
{
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root = json_builder_get_root(b);
	char		*s;

	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, root);
	s = json_generator_to_data(g, NULL);
	puts(s);
	g_free(s);
	json_node_unref(root);
	g_object_unref(g);
}

static int
print_csv(GPtrArray *a)
{
	GString	*out = g_string_new(NULL);
	int	 rc = EX_OK;

	csv_tickets(out, a);
	if (fwrite(out->str, 1, out->len, stdout) != out->len ||
	    fflush(stdout) != 0)
		rc = EX_IOERR;
	g_string_free(out, TRUE);
	return rc;
}

/* list's filters, the web list's: status, queue, priority, HotRush,
 * closed-and-rated hidden, and the order. */
static bool
parse_list_filter(struct cli *c, struct store_web_filter *f, bool *json,
    bool *csv, bool *queue_order)
{
	static const char *const sorts[STORE_WEB_SORT__MAX] = {
		[STORE_WEB_SORT_QUEUE] = "queue",
		[STORE_WEB_SORT_UPDATED] = "updated",
		[STORE_WEB_SORT_CREATED] = "created",
	};
	int	 i, k;

	f->hotrush = -1;
	f->sort = STORE_WEB_SORT_UPDATED;
	for (i = 1; i < c->argc; i++) {
		const char	*a = c->argv[i];
		const char	*v = i + 1 < c->argc ? c->argv[i + 1] : NULL;

		if (strcmp(a, "--json") == 0)
			*json = true;
		else if (strcmp(a, "--csv") == 0)
			*csv = true;
		else if (strcmp(a, "--hide-rated") == 0)
			f->hide_statuses = (const char *const *)
			    lifecycle_set_done_statuses(c->config->lifecycle);
		else if (strcmp(a, "--order=queue") == 0)
			*queue_order = true;
		else if (v == NULL)
			return false;
		else if (strcmp(a, "--status") == 0)
			f->status = c->argv[++i];
		else if (strcmp(a, "--queue") == 0)
			f->queue = c->argv[++i];
		else if (strcmp(a, "--priority") == 0)
			f->priority = c->argv[++i];
		else if (strcmp(a, "--hotrush") == 0 &&
		    (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)) {
			f->hotrush = strcmp(v, "on") == 0;
			i++;
		} else if (strcmp(a, "--sort") == 0) {
			for (k = 0; k < STORE_WEB_SORT__MAX &&
			    strcmp(v, sorts[k]) != 0; k++)
				;
			if (k == STORE_WEB_SORT__MAX)
				return false;
			f->sort = (enum store_web_sort)k;
			i++;
		} else
			return false;
	}
	return !(*json && *csv);
}

int
cli_list(struct cli *c)
{
	struct store_web_filter f = { 0 };
	GPtrArray	*a;
	GError		*e = NULL;
	bool		 json = false, csv = false, queue_order = false, ok;
	int		 i, rc;

	/* --order=queue is a list of its own, with its own options. */
	for (i = 1; i < c->argc; i++)
		if (strcmp(c->argv[i], "--order=queue") == 0)
			return cli_list_queue(c);
	if (!parse_list_filter(c, &f, &json, &csv, &queue_order))
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	ok = store_web_tickets(c->store, &f, &a, &e);
	g_strfreev((char **)f.hide_statuses);
	if (!ok) {
		log_warnx("%s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
		return rc;
	}
	if (csv)
		rc = print_csv(a);
	else if (json) {
		JsonBuilder *b = json_builder_new();
		guint k;

		json_builder_begin_array(b);
		for (k = 0; k < a->len; k++) {
			json_builder_begin_object(b);
			json_ticket(b, a->pdata[k]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		print_json(b);
		g_object_unref(b);
	} else {
		guint k;

		printf("%6s  %-13s %-8s %-7s %-16s %-28s %s\n", "ID", "STATUS",
		    "QUEUE", "PRIO", "UPDATED", "REQUESTER", "SUBJECT");
		for (k = 0; k < a->len; k++) {
			const struct ticket *t = a->pdata[k];
			char	*when = text_time(t->updated);

			printf("%6" G_GINT64_FORMAT "  %-13s %-8s %-7s %-16s "
			    "%-28.28s ", t->id, t->status, t->queue,
			    t->priority, when, t->requester);
			tty_puts(t->hotrush ? "[HotRush] " : "", stdout);
			tty_puts(t->subject, stdout);
			putchar('\n');
			g_free(when);
		}
		printf("%u ticket%s\n", a->len, a->len == 1 ? "" : "s");
	}
	g_ptr_array_free(a, TRUE);
	return rc;
}

/* The sender check of an inbound message, line by line (identity.h). */
static void
show_auth(const struct message *m)
{
	char	**lines;
	int	  i;

	if (m->outbound || m->auth == NULL)
		return;
	lines = g_strsplit(m->auth, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		if (*lines[i] != '\0') {
			fputs("auth: ", stdout);
			tty_puts(lines[i], stdout);
			putchar('\n');
		}
	g_strfreev(lines);
}

static void
show_attachments(struct store *s, const struct message *m)
{
	GPtrArray	*a = NULL;
	guint		 i;

	if (!store_attachments(s, m->id, &a, NULL))
		return;
	for (i = 0; i < a->len; i++) {
		const struct attachment *x = a->pdata[i];

		printf("[attachment: ");
		tty_puts(x->filename != NULL ? x->filename : "(unnamed)",
		    stdout);
		printf(", %s, %" G_GINT64_FORMAT " bytes]\n", x->content_type,
		    x->size);
	}
	g_ptr_array_free(a, TRUE);
}

static void
show_text(struct store *s, const struct ticket *t, GPtrArray *thread,
    GPtrArray *events, GPtrArray *tags, GPtrArray *fields)
{
	guint	 i;

	printf("Ticket #%" G_GINT64_FORMAT ": ", t->id);
	tty_puts(t->subject, stdout);
	printf("\nStatus: %s  Queue: %s  Priority: %s%s  Requester: %s\n",
	    t->status, t->queue, t->priority, t->hotrush ? "  HotRush" : "",
	    t->requester);
	if (t->linked_to > 0)
		printf("Linked to: #%" G_GINT64_FORMAT "\n", t->linked_to);
	if (tags != NULL && tags->len > 0) {
		printf("Tags:");
		for (i = 0; i < tags->len; i++) {
			putchar(' ');
			tty_puts(tags->pdata[i], stdout);
		}
		putchar('\n');
	}
	for (i = 0; fields != NULL && i < fields->len; i++) {
		printf("Field: ");
		tty_puts(fields->pdata[i], stdout);
		putchar('\n');
	}
	for (i = 0; i < thread->len; i++) {
		const struct message *m = thread->pdata[i];
		char	*when = text_time(m->received);

		printf("\n--- message %u of %u (%s%s) %s from ", i + 1,
		    thread->len, m->outbound ? "out" : "in",
		    m->internal ? ", internal" : "", when);
		tty_puts(m->from_addr ? m->from_addr : "?", stdout);
		printf(" <%s>\n", m->message_id);
		show_auth(m);
		tty_puts(m->stripped, stdout);
		if (strlen(m->text) > strlen(m->stripped) + 16)
			printf("\n[quoted history: %zu more bytes; "
			    "postdesk show --full]\n",
			    strlen(m->text) - MIN(strlen(m->text),
			    strlen(m->stripped)));
		putchar('\n');
		show_attachments(s, m);
		g_free(when);
	}
	printf("\n--- events\n");
	for (i = 0; i < events->len; i++) {
		const struct event *ev = events->pdata[i];
		char	*when = text_time(ev->at);

		printf("%s %-8s ", when, ev->kind);
		tty_puts(ev->detail, stdout);
		putchar('\n');
		g_free(when);
	}
}

/* A comma-separated address list as a JSON array ([] for none). */
static void
json_addresses(JsonBuilder *b, const char *name, const char *list)
{
	char	**a = g_strsplit(list != NULL ? list : "", ",", -1);
	size_t	  i;

	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (i = 0; a[i] != NULL; i++)
		if (*g_strstrip(a[i]) != '\0')
			json_builder_add_string_value(b, a[i]);
	json_builder_end_array(b);
	g_strfreev(a);
}

/* "tags": [..], "fields": {name: value} */
static void
json_labels(JsonBuilder *b, GPtrArray *tags, GPtrArray *fields)
{
	guint	 i;

	json_builder_set_member_name(b, "tags");
	json_builder_begin_array(b);
	for (i = 0; tags != NULL && i < tags->len; i++)
		json_builder_add_string_value(b, tags->pdata[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "fields");
	json_builder_begin_object(b);
	for (i = 0; fields != NULL && i < fields->len; i++) {
		const char	*nv = fields->pdata[i];
		const char	*eq = strchr(nv, '=');
		char		*name = g_strndup(nv, eq != NULL ?
		    (gsize)(eq - nv) : strlen(nv));

		json_builder_set_member_name(b, name);
		json_builder_add_string_value(b, eq != NULL ? eq + 1 : "");
		g_free(name);
	}
	json_builder_end_object(b);
}

static void
show_json(const struct ticket *t, GPtrArray *thread, GPtrArray *events,
    GPtrArray *tags, GPtrArray *fields)
{
	JsonBuilder	*b = json_builder_new();
	guint		 i;

	json_builder_begin_object(b);
	json_ticket(b, t);
	json_labels(b, tags, fields);
	json_builder_set_member_name(b, "thread");
	json_builder_begin_array(b);
	for (i = 0; i < thread->len; i++) {
		const struct message *m = thread->pdata[i];

		json_builder_begin_object(b);
		json_str(b, "message_id", m->message_id);
		json_str(b, "direction", m->outbound ? "out" : "in");
		json_str(b, "from", m->from_addr);
		json_str(b, "from_name", m->from_name);
		json_addresses(b, "to", m->to_addrs);
		json_addresses(b, "cc", m->cc_addrs);
		json_str(b, "subject", m->subject);
		json_time(b, "received", m->received);
		json_str(b, "stripped", m->stripped);
		json_str(b, "text", m->text);
		{
			/* The signature, as the quote stage separates it. */
			struct quote_split q = { NULL, NULL, NULL };

			quote_split_sender(m->text, m->from_name, &q);
			json_str(b, "signature", q.signature);
			quote_split_clear(&q);
		}
		json_str(b, "auth_verdict", m->auth_verdict);
		json_str(b, "auth", m->auth);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "events");
	json_builder_begin_array(b);
	for (i = 0; i < events->len; i++) {
		const struct event *ev = events->pdata[i];

		json_builder_begin_object(b);
		json_str(b, "kind", ev->kind);
		json_str(b, "actor", ev->actor);
		json_str(b, "detail", ev->detail);
		json_time(b, "at", ev->at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	print_json(b);
	g_object_unref(b);
}

int
cli_show(struct cli *c)
{
	struct ticket	*t = NULL;
	GPtrArray	*thread = NULL, *events = NULL, *tags = NULL;
	GPtrArray	*fields = NULL;
	GError		*e = NULL;
	int64_t		 id = 0;
	bool		 json = false, full = false;
	int		 i, rc;

	for (i = 1; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--json") == 0)
			json = true;
		else if (strcmp(c->argv[i], "--full") == 0)
			full = true;
		else if (id != 0 || !text_to_id(&id, c->argv[i]))
			return cli_usage(c);
	}
	if (id == 0)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_ticket_get(c->store, id, &t, &e) ||
	    !store_thread(c->store, id, &thread, &e) ||
	    !store_events(c->store, id, &events, &e) ||
	    !store_ticket_tags(c->store, id, &tags, &e) ||
	    !store_ticket_fields(c->store, id, &fields, &e)) {
		log_warnx("%s", e->message);
		rc = g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND) ?
		    EX_NOINPUT : EX_SOFTWARE;
		g_error_free(e);
		ticket_free(t);
		if (thread != NULL)
			g_ptr_array_free(thread, TRUE);
		if (events != NULL)
			g_ptr_array_free(events, TRUE);
		if (tags != NULL)
			g_ptr_array_free(tags, TRUE);
		return rc;
	}
	if (full) {
		guint k;
		for (k = 0; k < thread->len; k++) {
			struct message *m = thread->pdata[k];
			g_free(m->stripped);
			m->stripped = g_strdup(m->text);
		}
	}
	if (json)
		show_json(t, thread, events, tags, fields);
	else
		show_text(c->store, t, thread, events, tags, fields);
	g_ptr_array_free(tags, TRUE);
	g_ptr_array_free(fields, TRUE);
	ticket_free(t);
	g_ptr_array_free(thread, TRUE);
	g_ptr_array_free(events, TRUE);
	return EX_OK;
}
