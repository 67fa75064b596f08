/*
 * cli_outbox: outbox list|show|retry|cancel (retry --failed|--all),
 * reply and comment.
 */
#include "pdconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "staff_reply.h"
#include "command.h"
#include "compose.h"
#include "lifecycle_apply.h"
#include "outbox.h"
#include "text.h"
#include "log.h"

static int
fail(GError *e, int rc)
{
	log_warnx("%s", e->message);
	if (g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND))
		rc = EX_NOINPUT;
	else if (store_error_is_transient(e))
		rc = EX_TEMPFAIL;
	g_error_free(e);
	return rc;
}

static int64_t
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static int
outbox_list(struct cli *c)
{
	struct outbox_filter f = { 0 };
	GPtrArray	*a;
	GError		*e = NULL;
	guint		 k;
	int		 i, rc;

	for (i = 2; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--status") == 0 && i + 1 < c->argc)
			f.status = c->argv[++i];
		else if (strcmp(c->argv[i], "--ticket") == 0 && i + 1 <
		    c->argc && text_to_id(&f.ticket, c->argv[i + 1]))
			i++;
		else
			return cli_usage(c);
	}
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_outbox_list(c->store, &f, &a, &e))
		return fail(e, EX_SOFTWARE);
	printf("%6s %6s  %-7s %-9s %3s  %-16s %-30s %s\n", "ID", "TICKET",
	    "KIND", "STATUS", "TRY", "NEXT", "RECIPIENT", "LAST REPLY");
	for (k = 0; k < a->len; k++) {
		const struct outbox_row *r = a->pdata[k];
		char	*next = text_time(r->next_attempt);

		printf("%6" G_GINT64_FORMAT " %6" G_GINT64_FORMAT "  %-7s "
		    "%-9s %3" G_GINT64_FORMAT "  %-16s %-30.30s ", r->id,
		    r->ticket_id, r->kind, r->status, r->attempts,
		    strcmp(r->status, "pending") == 0 ? next : "-",
		    r->recipient);
		tty_puts(r->last_error != NULL ? r->last_error : "", stdout);
		putchar('\n');
		g_free(next);
	}
	printf("%u row%s\n", a->len, a->len == 1 ? "" : "s");
	g_ptr_array_free(a, TRUE);
	return EX_OK;
}

static void
show_raw(struct store *s, const struct outbox_row *r)
{
	struct message	*m = NULL;
	GBytes		*raw = NULL;
	const char	*sha = r->raw_sha256;
	char		*text;
	gsize		 len;

	/* Mail about no ticket, and each copy of a staff reply, keeps its
	 * bytes on the row. */
	if (sha == NULL && (r->sent_row <= 0 ||
	    !store_message_get_row(s, r->sent_row, &m, NULL))) {
		printf("\n(not composed yet)\n");
		return;
	}
	/* A row's own copy (its recipient's token) before the message's. */
	if (m != NULL) {
		printf("Message-ID: <%s>\n", m->message_id);
		if (sha == NULL)
			sha = m->raw_sha256;
	}
	if (sha != NULL && store_blob_get(s, sha, &raw, NULL)) {
		const char *d = g_bytes_get_data(raw, &len);

		text = g_strndup(d, len);
		printf("\n");
		tty_puts(text, stdout);
		g_free(text);
		g_bytes_unref(raw);
	} else
		printf("(not composed yet)\n");
	message_free(m);
}

static int
outbox_show(struct cli *c, int64_t id)
{
	struct outbox_row *r = NULL;
	GError		*e = NULL;
	char		*created, *updated;
	int		 rc;

	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_outbox_get(c->store, id, &r, &e))
		return fail(e, EX_SOFTWARE);
	created = text_time(r->created);
	updated = text_time(r->updated);
	printf("Outbox:     #%" G_GINT64_FORMAT "\nTicket:     #%"
	    G_GINT64_FORMAT "\nKind:       %s\nTemplate:   %s\n"
	    "Recipient:  %s\nStatus:     %s\nAttempts:   %" G_GINT64_FORMAT
	    "\nCreated:    %s\nUpdated:    %s\nClaimed by: %s\nLast reply: ",
	    r->id, r->ticket_id, r->kind, r->template ? r->template : "-",
	    r->recipient, r->status, r->attempts, created, updated,
	    r->claimed_by ? r->claimed_by : "-");
	tty_puts(r->last_error != NULL ? r->last_error : "-", stdout);
	putchar('\n');
	show_raw(c->store, r);
	g_free(created);
	g_free(updated);
	outbox_row_free(r);
	return EX_OK;
}

static char *
cli_actor(void)
{
	return g_strdup_printf("cli:%s", g_get_user_name());
}

/* The ticket's audit trail says who sent the row on its way again. */
static bool
retry_event(struct cli *c, const struct outbox_row *r, int64_t now,
    GError **err)
{
	char	*actor, *detail;
	bool	 ok;

	if (r->ticket_id <= 0)
		return true;
	actor = cli_actor();
	detail = g_strdup_printf("outbox #%" G_GINT64_FORMAT " to %s queued "
	    "again (was %s%s%s)", r->id, r->recipient, r->status,
	    r->last_error != NULL ? ": " : "",
	    r->last_error != NULL ? r->last_error : "");
	ok = store_event_add(c->store, r->ticket_id, 0, now, actor,
	    "mail-retry", detail, err);
	g_free(actor);
	g_free(detail);
	return ok;
}

/* Re-queues R (status pending, due now, attempts 0) with its event. */
static bool
retry_row(struct cli *c, const struct outbox_row *r, int64_t now,
    bool *changed, GError **err)
{
	return store_outbox_retry(c->store, r->id, now, changed, err) &&
	    (!*changed || retry_event(c, r, now, err));
}

static int
outbox_change(struct cli *c, int64_t id, bool retry)
{
	GError	*e = NULL;
	bool	 changed = false, ok;
	int	 rc;

	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	ok = retry ? store_outbox_retry(c->store, id, now_s(), &changed, &e) :
	    store_outbox_cancel(c->store, id, now_s(), &changed, &e);
	if (!ok)
		return fail(e, EX_SOFTWARE);
	if (!changed) {
		log_warnx("outbox #%" G_GINT64_FORMAT
		    ": no such row, or its status does not allow %s", id,
		    retry ? "a retry" : "cancelling");
		return EX_DATAERR;
	}
	printf("outbox #%" G_GINT64_FORMAT " %s\n", id,
	    retry ? "pending again" : "cancelled");
	return EX_OK;
}

/* Appends the rows of STATUS to A. */
static bool
rows_with_status(struct store *s, const char *status, GPtrArray *a,
    GError **err)
{
	struct outbox_filter f = { .status = status };
	GPtrArray	*rows;

	if (!store_outbox_list(s, &f, &rows, err))
		return false;
	g_ptr_array_extend_and_steal(a, rows);	/* frees ROWS */
	return true;
}

/*
 * retry --failed: every failed row; --all: the deferred (pending) rows
 * too, so that everything waiting goes out on notify's next pass, as
 * after a relay outage.  Cancelled rows stay cancelled: that was an
 * admin's decision, undone one row at a time with "retry ID".  One
 * transaction: notify never sees half of it.
 */
static int
outbox_retry_many(struct cli *c, bool all)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)outbox_row_free);
	GError		*e = NULL;
	int64_t		 now = now_s();
	guint		 i, n = 0;
	bool		 ok, changed;
	int		 rc;

	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK) {
		g_ptr_array_free(a, TRUE);
		return rc;
	}
	ok = store_begin(c->store, &e) &&
	    rows_with_status(c->store, "failed", a, &e) &&
	    (!all || rows_with_status(c->store, "pending", a, &e));
	for (i = 0; ok && i < a->len; i++) {
		changed = false;
		ok = retry_row(c, a->pdata[i], now, &changed, &e);
		n += changed;
	}
	g_ptr_array_free(a, TRUE);
	if (!ok || !store_commit(c->store, &e)) {
		store_rollback(c->store);
		return fail(e, EX_SOFTWARE);
	}
	printf("%u outbox row%s pending again\n", n, n == 1 ? "" : "s");
	return EX_OK;
}

int
cli_outbox(struct cli *c)
{
	int64_t	 id = 0;

	if (c->argc >= 2 && strcmp(c->argv[1], "list") == 0)
		return outbox_list(c);
	if (c->argc == 3 && strcmp(c->argv[1], "retry") == 0 &&
	    (strcmp(c->argv[2], "--failed") == 0 ||
	    strcmp(c->argv[2], "--all") == 0))
		return outbox_retry_many(c, strcmp(c->argv[2], "--all") == 0);
	if (c->argc != 3 || !text_to_id(&id, c->argv[2]))
		return cli_usage(c);
	if (strcmp(c->argv[1], "show") == 0)
		return outbox_show(c, id);
	if (strcmp(c->argv[1], "retry") == 0)
		return outbox_change(c, id, true);
	if (strcmp(c->argv[1], "cancel") == 0)
		return outbox_change(c, id, false);
	return cli_usage(c);
}

/* stdin, up to LIMIT bytes, as valid UTF-8; NULL on error or too big. */
static char *
read_body(uint64_t limit)
{
	GString	*g = g_string_new(NULL);
	char	 buf[8192];
	ssize_t	 n;
	char	*s;

	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (uint64_t)g->len + (uint64_t)n > limit) {
			g_string_free(g, TRUE);
			return NULL;
		}
		g_string_append_len(g, buf, n);
	}
	s = g_utf8_make_valid(g->str, (gssize)g->len);
	g_string_free(g, TRUE);
	return s;
}

static const char *
guess_type(const char *path)
{
	static const char *const map[][2] = {
		{ ".txt", "text/plain" }, { ".log", "text/plain" },
		{ ".csv", "text/csv" }, { ".html", "text/html" },
		{ ".pdf", "application/pdf" }, { ".zip", "application/zip" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" }, { ".gif", "image/gif" },
	};
	const char	*dot = strrchr(path, '.');
	size_t		 i;

	for (i = 0; dot != NULL && i < G_N_ELEMENTS(map); i++)
		if (g_ascii_strcasecmp(dot, map[i][0]) == 0)
			return map[i][1];
	return "application/octet-stream";
}

static void
free_attachment(gpointer p)
{
	struct compose_attachment *a = p;

	g_free((char *)a->filename);
	g_bytes_unref(a->data);
	g_free(a);
}

static bool
add_file(GPtrArray *att, const char *path)
{
	struct compose_attachment *a;
	GError	*e = NULL;
	char	*data;
	gsize	 len;

	if (!g_file_get_contents(path, &data, &len, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		return false;
	}
	a = g_new0(struct compose_attachment, 1);
	a->filename = g_path_get_basename(path);
	a->content_type = guess_type(path);
	a->data = g_bytes_new_take(data, len);
	g_ptr_array_add(att, a);
	return true;
}

/* The message and the command block in one transaction (staff_reply.h). */
static bool
staff_apply(struct cli *c, int64_t ticket, struct outbox_staff_message *sm,
    const struct command_block *b, int64_t *row, GPtrArray *report,
    int *refused, GError **err)
{
	if (!store_begin(c->store, err))
		return false;
	if (!staff_reply_apply(c->store, c->config, ticket, sm, b, now_s(),
	    row, report, refused, err) || !store_commit(c->store, err)) {
		store_rollback(c->store);
		return false;
	}
	return true;
}

/* reply and comment: TICKET [--from ADDR] [--attach FILE]... < body */
static int
staff_message(struct cli *c, bool internal)
{
	struct outbox_staff_message sm = { 0 };
	GPtrArray	*att = g_ptr_array_new_with_free_func(free_attachment);
	GPtrArray	*report = g_ptr_array_new_with_free_func(g_free);
	struct command_block *b = NULL;
	GError		*e = NULL;
	int64_t		 ticket = 0, row = 0;
	char		*text = NULL;
	int		 i, rc = EX_OK, refused = 0;
	guint		 k;

	sm.from_addr = c->config->address;
	sm.from_name = c->config->from_name;
	sm.internal = internal;
	for (i = 1; rc == EX_OK && i < c->argc; i++) {
		if (strcmp(c->argv[i], "--from") == 0 && i + 1 < c->argc)
			sm.from_addr = c->argv[++i];
		else if (strcmp(c->argv[i], "--name") == 0 && i + 1 < c->argc)
			sm.from_name = c->argv[++i];
		else if (strcmp(c->argv[i], "--attach") == 0 && i + 1 <
		    c->argc)
			rc = add_file(att, c->argv[++i]) ? EX_OK : EX_NOINPUT;
		else if (ticket == 0 && text_to_id(&ticket, c->argv[i]))
			continue;
		else
			rc = cli_usage(c);
	}
	if (rc == EX_OK && ticket == 0)
		rc = cli_usage(c);
	if (rc == EX_OK && (text = read_body(c->config->max_message_size)) ==
	    NULL) {
		log_warnx("cannot read the text on stdin, or "
		    "it is larger than [mail] max_message_size");
		rc = EX_DATAERR;
	}
	if (rc == EX_OK)
		rc = cli_open_store(c, STORE_READWRITE);
	if (rc == EX_OK) {
		sm.text = text;
		sm.attachments = att;
		b = command_parse(text);
		if (!staff_apply(c, ticket, &sm, b, &row, report, &refused,
		    &e))
			rc = fail(e, EX_SOFTWARE);
	}
	if (rc == EX_OK && row > 0)
		printf("ticket #%" G_GINT64_FORMAT ": %s stored as message %"
		    G_GINT64_FORMAT "%s\n", ticket, internal ? "internal note" :
		    "reply", row, internal ? " (staff only)" :
		    "; postdesk-notify sends it");
	for (k = 0; rc == EX_OK && k < report->len; k++) {
		const char	*line = report->pdata[k];
		FILE		*f = strncmp(line, "refused", 7) == 0 ? stderr :
		    stdout;

		fprintf(f, "ticket #%" G_GINT64_FORMAT ": ", ticket);
		tty_puts(line, f);
		fputc('\n', f);
	}
	/* As by mail, the rest was applied; the status tells a script. */
	if (rc == EX_OK && refused > 0)
		rc = EX_DATAERR;
	command_block_free(b);
	g_free(text);
	g_ptr_array_free(att, TRUE);
	g_ptr_array_free(report, TRUE);
	return rc;
}

int
cli_reply(struct cli *c)
{
	return staff_message(c, false);
}

int
cli_comment(struct cli *c)
{
	return staff_message(c, true);
}
