/*
 * cli_mail: raw, quarantine and reparse — the commands that go back to
 * the stored original bytes.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "intake.h"
#include "mail.h"
#include "text.h"
#include "log.h"

static int
fail(GError *e, int rc)
{
	log_warnx("%s", e->message);
	if (g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND))
		rc = EX_NOINPUT;
	g_error_free(e);
	return rc;
}

static bool
write_all(const void *data, size_t len)
{
	const char	*p = data;

	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, p, len);

		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int
cli_raw(struct cli *c)
{
	struct message	*m = NULL;
	GBytes		*b = NULL;
	GError		*e = NULL;
	char		*id;
	gsize		 len;
	const void	*data;
	int		 rc;

	if (c->argc != 2 || (id = mail_clean_id(c->argv[1])) == NULL)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK) {
		g_free(id);
		return rc;
	}
	if (!store_message_get(c->store, id, &m, &e) ||
	    !store_blob_get(c->store, m->raw_sha256, &b, &e)) {
		g_free(id);
		message_free(m);
		return fail(e, EX_SOFTWARE);
	}
	data = g_bytes_get_data(b, &len);
	rc = write_all(data, len) ? EX_OK : EX_IOERR;
	g_bytes_unref(b);
	message_free(m);
	g_free(id);
	return rc;
}

static int
quarantine_list(struct cli *c)
{
	GPtrArray	*a;
	GError		*e = NULL;
	guint		 i;

	if (!store_quarantine_list(c->store, &a, &e))
		return fail(e, EX_SOFTWARE);
	printf("%5s  %-16s %9s  %-10s %s\n", "ID", "RECEIVED", "BYTES",
	    "REPLAYED", "REASON");
	for (i = 0; i < a->len; i++) {
		const struct quarantine_entry *q = a->pdata[i];
		char	*when = text_time(q->received);
		char	 rep[24] = "-";

		if (q->replayed_as > 0)
			g_snprintf(rep, sizeof rep, "msg %" G_GINT64_FORMAT,
			    q->replayed_as);
		printf("%5" G_GINT64_FORMAT "  %-16s %9" G_GINT64_FORMAT
		    "  %-10s ", q->id, when, q->size, rep);
		tty_puts(q->reason, stdout);
		putchar('\n');
		g_free(when);
	}
	printf("%u quarantined\n", a->len);
	g_ptr_array_free(a, TRUE);
	return EX_OK;
}

static int
quarantine_show(struct cli *c, int64_t id)
{
	struct quarantine_entry *q = NULL;
	GBytes		*b = NULL;
	GError		*e = NULL;
	gsize		 len;
	const void	*data;
	int		 rc;

	if (!store_quarantine_get(c->store, id, &q, &e) ||
	    !store_blob_get(c->store, q->raw_sha256, &b, &e)) {
		quarantine_entry_free(q);
		return fail(e, EX_SOFTWARE);
	}
	data = g_bytes_get_data(b, &len);
	rc = write_all(data, len) ? EX_OK : EX_IOERR;
	g_bytes_unref(b);
	quarantine_entry_free(q);
	return rc;
}

/* Runs one quarantined message through intake again. */
static int
quarantine_replay_one(struct cli *c, struct intake *in, int64_t id)
{
	struct quarantine_entry	*q = NULL;
	struct intake_input	 ii = { 0 };
	struct intake_result	 res;
	GBytes			*b = NULL;
	GError			*e = NULL;
	gsize			 len;
	int			 rc = EX_OK;

	if (!store_quarantine_get(c->store, id, &q, &e) ||
	    !store_blob_get(c->store, q->raw_sha256, &b, &e)) {
		quarantine_entry_free(q);
		return fail(e, EX_SOFTWARE);
	}
	ii.raw = g_bytes_get_data(b, &len);
	ii.len = len;
	ii.sender = q->envelope_from;
	ii.recipient = q->envelope_to;
	ii.client_ip = q->client_ip;
	ii.now = g_get_real_time() / G_USEC_PER_SEC;
	ii.replay = true;
	/*
	 * Ask first: input intake would quarantine or refuse again must
	 * not become a second quarantine entry; this one is kept.
	 */
	ii.explain = true;
	if (intake_message(in, &ii, &res, &e) &&
	    res.outcome != INTAKE_QUARANTINED &&
	    res.outcome != INTAKE_REFUSED) {
		intake_result_clear(&res);
		ii.explain = false;
		(void)intake_message(in, &ii, &res, &e);
	}
	if (e != NULL) {
		rc = fail(e, EX_TEMPFAIL);
	} else if (res.outcome == INTAKE_QUARANTINED ||
	    res.outcome == INTAKE_REFUSED) {
		printf("quarantine %" G_GINT64_FORMAT ": still %s: %s (kept)\n",
		    id, res.outcome == INTAKE_REFUSED ? "refused" :
		    "not a message", res.reason);
		rc = EX_DATAERR;
	} else {
		printf("quarantine %" G_GINT64_FORMAT ": %s, ticket #%"
		    G_GINT64_FORMAT "\n", id,
		    intake_outcome_to_text(res.outcome), res.ticket);
		if (!store_quarantine_mark_replayed(c->store, id,
		    res.message_row, &e))
			rc = fail(e, EX_SOFTWARE);
	}
	intake_result_clear(&res);
	g_bytes_unref(b);
	quarantine_entry_free(q);
	return rc;
}

static int
quarantine_replay(struct cli *c, int64_t id)
{
	struct intake	*in = intake_new(c->config, c->store);
	GPtrArray	*a;
	GError		*e = NULL;
	guint		 i;
	int		 rc = EX_OK, r;

	if (id != 0) {
		rc = quarantine_replay_one(c, in, id);
		intake_free(in);
		return rc;
	}
	if (!store_quarantine_list(c->store, &a, &e)) {
		intake_free(in);
		return fail(e, EX_SOFTWARE);
	}
	for (i = 0; i < a->len; i++) {
		const struct quarantine_entry *q = a->pdata[i];

		if (q->replayed_as == 0 &&
		    (r = quarantine_replay_one(c, in, q->id)) != EX_OK)
			rc = r;
	}
	g_ptr_array_free(a, TRUE);
	intake_free(in);
	return rc;
}

int
cli_quarantine(struct cli *c)
{
	int64_t	 id = 0;
	int	 rc;
	bool	 all = c->argc == 3 && strcmp(c->argv[2], "--all") == 0;

	if (c->argc < 2)
		return cli_usage(c);
	if (strcmp(c->argv[1], "list") == 0 && c->argc == 2) {
		if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
			return rc;
		return quarantine_list(c);
	}
	if (c->argc != 3 || (!all && !text_to_id(&id, c->argv[2])))
		return cli_usage(c);
	if (strcmp(c->argv[1], "show") == 0 && !all) {
		if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
			return rc;
		return quarantine_show(c, id);
	}
	if (strcmp(c->argv[1], "replay") != 0)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	return quarantine_replay(c, id);
}

/* Which decoded fields a parse would change; "" when none. */
static void
reparse_changes(const struct message *m, const struct mail *mail,
    GString *what)
{
	g_string_truncate(what, 0);
	if (g_strcmp0(m->subject, mail->subject) != 0)
		g_string_append(what, " subject");
	if (g_strcmp0(m->text, mail->text) != 0)
		g_string_append(what, " text");
	if (g_strcmp0(m->stripped, mail->stripped) != 0)
		g_string_append(what, " stripped");
}

/*
 * Parse one stored message again.  Decide first (what would change),
 * write after, and only what changed, so that --dry-run reports
 * exactly what a real run applies.
 */
static bool
reparse_one(struct cli *c, int64_t row, bool dry_run, unsigned *changed,
    GError **err)
{
	struct message	*m = NULL;
	struct mail	*mail = NULL;
	GBytes		*b = NULL;
	GError		*perr = NULL;
	GString		*what;
	gsize		 len;
	const void	*data;
	bool		 ok;

	if (!store_message_get_row(c->store, row, &m, err))
		return false;
	if (m->raw_sha256 == NULL || m->outbound) {
		message_free(m);
		return true;
	}
	if (!store_blob_get(c->store, m->raw_sha256, &b, err)) {
		message_free(m);
		return false;
	}
	data = g_bytes_get_data(b, &len);
	ok = true;
	what = g_string_new(NULL);
	if (!mail_parse(&mail, data, len, &perr)) {
		/* Keep the old text rather than lose it. */
		log_warnx("message %" G_GINT64_FORMAT
		    ": %s (text kept)", row, perr->message);
		g_error_free(perr);
	} else {
		reparse_changes(m, mail, what);
		if (what->len > 0) {
			(*changed)++;
			printf("message %" G_GINT64_FORMAT " (ticket #%"
			    G_GINT64_FORMAT "):%s %s\n", row, m->ticket_id,
			    what->str, dry_run ? "would change" : "changed");
			if (!dry_run)
				ok = store_message_update_text(c->store, row,
				    mail->subject, mail->text, mail->stripped,
				    err);
		}
	}
	g_string_free(what, TRUE);
	mail_free(mail);
	g_bytes_unref(b);
	message_free(m);
	return ok;
}

int
cli_reparse(struct cli *c)
{
	GPtrArray	*rows;
	GError		*e = NULL;
	int64_t		 ticket = 0;
	unsigned	 changed = 0;
	bool		 dry_run = false;
	const char	*which;
	guint		 i;
	int		 rc;

	if (c->argc == 3 && strcmp(c->argv[1], "--dry-run") == 0)
		dry_run = true;
	else if (c->argc != 2)
		return cli_usage(c);
	which = c->argv[c->argc - 1];
	if (strcmp(which, "--all") != 0 && !text_to_id(&ticket, which))
		return cli_usage(c);
	if ((rc = cli_open_store(c, dry_run ? STORE_READONLY :
	    STORE_READWRITE)) != EX_OK)
		return rc;
	/* A dry run only reads, so it needs no write lock. */
	if ((!dry_run && !store_begin(c->store, &e)) ||
	    !store_message_rows(c->store, ticket, &rows, &e))
		return fail(e, EX_TEMPFAIL);
	for (i = 0; i < rows->len; i++)
		if (!reparse_one(c, *(int64_t *)rows->pdata[i], dry_run,
		    &changed, &e)) {
			store_rollback(c->store);
			g_ptr_array_free(rows, TRUE);
			return fail(e, EX_TEMPFAIL);
		}
	if (!dry_run && !store_commit(c->store, &e)) {
		g_ptr_array_free(rows, TRUE);
		return fail(e, EX_TEMPFAIL);
	}
	printf("reparsed %u message%s, %u %s\n", rows->len,
	    rows->len == 1 ? "" : "s", changed,
	    dry_run ? "would change" : "changed");
	g_ptr_array_free(rows, TRUE);
	return EX_OK;
}
