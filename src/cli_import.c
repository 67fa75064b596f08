/*
 * cli_import: postdesk import mbox|maildir — bring years of history in
 * through the same intake as live mail, many messages per transaction.
 *
 * Every message goes through intake_message() with the import flag: its
 * Date: header becomes its time, nothing is announced, and a message
 * already stored (same Message-ID and body) is a duplicate, so running
 * the same import twice adds nothing.  A batch commits every --batch
 * messages; an interrupted import loses at most the open batch, and the
 * re-run skips what was committed.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "identity.h"
#include "intake.h"
#include "mail.h"
#include "maildir.h"
#include "mbox.h"
#include "progress.h"
#include "rules.h"
#include "log.h"

#define IMPORT_BATCH_DEFAULT	500

struct import_run {
	struct cli	*cli;
	struct intake	*in;
	struct progress	*prog;
	uint64_t	 done;
	uint64_t	 total;
	uint64_t	 outcomes[INTAKE_OUTCOME__MAX];
	uint64_t	 failed;
	unsigned	 batch;		/* messages per transaction */
	unsigned	 pending;	/* in the open batch */
	int64_t		 now;
	GError		*fatal;		/* transient: stop, keep what's done */
};

static bool
batch_flush(struct import_run *r)
{
	if (r->pending == 0 && !intake_in_batch(r->in))
		return true;
	r->pending = 0;
	return intake_batch_commit(r->in, &r->fatal);
}

/* False only when the whole import must stop (r->fatal is set). */
static bool
import_one(struct import_run *r, const char *raw, size_t len,
    const char *sender, const char *origin, const char *where)
{
	struct intake_input	 ii = { 0 };
	struct intake_result	 res;
	struct identity		*id;
	GError			*e = NULL;
	bool			 ok;

	if (!intake_in_batch(r->in) && !intake_batch_begin(r->in, &r->fatal))
		return false;
	r->done++;
	if ((uint64_t)len > r->cli->config->max_message_size) {
		log_warnx("%s: skipped: %zu bytes is more "
		    "than [mail] max_message_size", where, len);
		r->failed++;
		return true;
	}
	ii.raw = raw;
	ii.len = len;
	ii.sender = sender;
	ii.now = r->now;
	ii.import = true;
	ii.origin = origin;
	/* No check ran: the verdict says so, and that the admin brought
	 * the history in (policy.h: an imported staff reply joins). */
	id = identity_new();
	id->source = g_strdup(IDENTITY_SOURCE_IMPORT);
	ii.identity = id;
	ok = intake_message(r->in, &ii, &res, &e);
	identity_free(id);
	if (!ok) {
		if (store_error_is_transient(e)) {
			g_propagate_error(&r->fatal, e);
			intake_result_clear(&res);
			return false;
		}
		log_warnx("%s: not imported: %s", where,
		    e->message);
		g_error_free(e);
		r->failed++;
	} else
		r->outcomes[res.outcome]++;
	intake_result_clear(&res);
	if (++r->pending >= r->batch && !batch_flush(r))
		return false;
	progress_update(r->prog, r->done);
	return true;
}

/*
 * Each batch is taken in oldest first by Date:, so an original opens
 * its ticket before its replies (a reply filed before it in a mailbox
 * would open a ticket of its own and the original one more).  A
 * message without a date keeps the place of the one before it.
 */
struct import_item {
	int64_t		 date;
	guint		 seq;		/* file order, for equal dates */
	uint64_t	 offset;	/* mbox: its From_ line */
	const struct maildir_entry *me;
};

static gint
item_cmp(gconstpointer a, gconstpointer b)
{
	const struct import_item *x = a, *y = b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
item_add(GArray *items, int64_t date, uint64_t offset,
    const struct maildir_entry *me)
{
	struct import_item it = { 0 };

	it.date = date;
	if (date == 0 && items->len > 0)
		it.date = g_array_index(items, struct import_item,
		    items->len - 1).date;
	it.seq = items->len;
	it.offset = offset;
	it.me = me;
	g_array_append_val(items, it);
}

/* Imports the batch ITEMS of MB in Date order; a read error goes to
 * *E unless one is there already. */
static bool
mbox_batch(struct import_run *r, struct mbox *mb, GArray *items,
    const char *path, const char *origin, GError **e)
{
	guint	 i;
	bool	 ok = true;

	g_array_sort(items, item_cmp);
	for (i = 0; ok && i < items->len; i++) {
		const struct import_item *it = &g_array_index(items,
		    struct import_item, i);
		struct mbox_message m;
		GError	*me = NULL;
		char	*where;

		/* Read once already: only the file changing fails here. */
		if (!mbox_seek(mb, it->offset) || !mbox_next(mb, &m, &me)) {
			if (me == NULL)
				me = g_error_new(G_FILE_ERROR, G_FILE_ERROR_IO,
				    "message at byte %" G_GUINT64_FORMAT
				    " is gone", it->offset);
			if (*e == NULL)
				g_propagate_error(e, me);
			else
				g_error_free(me);
			break;
		}
		where = g_strdup_printf("%s at byte %" G_GUINT64_FORMAT, path,
		    m.offset);
		ok = import_one(r, m.raw, m.len, m.sender, origin, where);
		g_free(where);
	}
	g_array_set_size(items, 0);
	return ok;
}

static bool
import_mbox(struct import_run *r, struct mbox *mb, const char *path)
{
	struct mbox_message m;
	GArray		*items = g_array_new(FALSE, FALSE,
			    sizeof(struct import_item));
	GError		*e = NULL;
	char		*origin = g_strdup_printf("import mbox:%s", path);
	bool		 ok = true, more = true;

	while (ok && more) {
		uint64_t next;

		more = mbox_next(mb, &m, &e);
		if (more && items->len < r->batch) {
			item_add(items, mail_raw_date(m.raw, m.len), m.offset,
			    NULL);
			continue;
		}
		/* Batch full (M starts the next one) or the file ended. */
		next = more ? m.offset : 0;
		ok = mbox_batch(r, mb, items, path, origin, &e);
		if (e != NULL || (more && !mbox_seek(mb, next)))
			break;
	}
	if (e != NULL) {
		log_warnx("%s: %s", path, e->message);
		g_error_free(e);
		r->failed++;
	}
	g_array_free(items, TRUE);
	g_free(origin);
	return ok;
}

static bool
maildir_read(struct import_run *r, const struct maildir_entry *me,
    char **raw, gsize *len)
{
	GError	*e = NULL;

	if (g_file_get_contents(me->path, raw, len, &e))
		return true;
	log_warnx("%s", e->message);
	g_error_free(e);
	r->failed++;
	r->done++;
	return false;
}

/* Imports the batch ITEMS in Date order. */
static bool
maildir_batch(struct import_run *r, GArray *items, const char *origin)
{
	guint	 i;
	bool	 ok = true;

	g_array_sort(items, item_cmp);
	for (i = 0; ok && i < items->len; i++) {
		const struct maildir_entry *me = g_array_index(items,
		    struct import_item, i).me;
		char	*raw;
		gsize	 len;

		if (!maildir_read(r, me, &raw, &len))
			continue;
		ok = import_one(r, raw, len, NULL, origin, me->path);
		g_free(raw);
	}
	g_array_set_size(items, 0);
	return ok;
}

static bool
import_maildir(struct import_run *r, GPtrArray *list, const char *dir)
{
	GArray	*items = g_array_new(FALSE, FALSE, sizeof(struct import_item));
	char	*origin = g_strdup_printf("import maildir:%s", dir);
	guint	 i;
	bool	 ok = true;

	for (i = 0; ok && i < list->len; i++) {
		const struct maildir_entry *me = list->pdata[i];
		GError	*e = NULL;
		char	*raw;
		gsize	 len;

		/* Unreadable now: it is counted when its batch runs. */
		if (g_file_get_contents(me->path, &raw, &len, &e)) {
			item_add(items, mail_raw_date(raw, len), 0, me);
			g_free(raw);
		} else {
			g_error_free(e);
			item_add(items, 0, 0, me);
		}
		if (items->len >= r->batch)
			ok = maildir_batch(r, items, origin);
	}
	if (ok)
		ok = maildir_batch(r, items, origin);
	g_array_free(items, TRUE);
	g_free(origin);
	return ok;
}

static void
import_summary(const struct import_run *r)
{
	printf("imported %" G_GUINT64_FORMAT " message%s: %" G_GUINT64_FORMAT
	    " new ticket%s, %" G_GUINT64_FORMAT " repl%s, %" G_GUINT64_FORMAT
	    " duplicate%s, %" G_GUINT64_FORMAT " quarantined, %"
	    G_GUINT64_FORMAT " failed\n", r->done, r->done == 1 ? "" : "s",
	    r->outcomes[INTAKE_NEW_TICKET],
	    r->outcomes[INTAKE_NEW_TICKET] == 1 ? "" : "s",
	    r->outcomes[INTAKE_REPLY],
	    r->outcomes[INTAKE_REPLY] == 1 ? "y" : "ies",
	    r->outcomes[INTAKE_DUPLICATE],
	    r->outcomes[INTAKE_DUPLICATE] == 1 ? "" : "s",
	    r->outcomes[INTAKE_QUARANTINED], r->failed);
}

struct import_opts {
	bool		 maildir;
	enum mbox_format format;
	unsigned	 batch;
	int		 progress;	/* -1 auto, 0 off, 1 on */
	int		 first;		/* argv index of the first path */
};

static bool
parse_import_args(struct cli *c, struct import_opts *o)
{
	int	 i;

	if (c->argc < 3)
		return false;
	if (strcmp(c->argv[1], "maildir") == 0)
		o->maildir = true;
	else if (strcmp(c->argv[1], "mbox") != 0)
		return false;
	o->format = MBOX_RD;
	o->batch = IMPORT_BATCH_DEFAULT;
	o->progress = -1;
	for (i = 2; i < c->argc && c->argv[i][0] == '-'; i++) {
		const char *a = c->argv[i];
		guint64	 n;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "--format") == 0 && i + 1 < c->argc &&
		    !o->maildir) {
			if (!text_to_mbox_format(&o->format, c->argv[++i]))
				return false;
		} else if (strcmp(a, "--batch") == 0 && i + 1 < c->argc) {
			if (!g_ascii_string_to_unsigned(c->argv[++i], 10, 1,
			    100000, &n, NULL))
				return false;
			o->batch = (unsigned)n;
		} else if (strcmp(a, "--progress") == 0)
			o->progress = 1;
		else if (strcmp(a, "--no-progress") == 0)
			o->progress = 0;
		else
			return false;
	}
	o->first = i;
	return i < c->argc;
}

/* Opens every source first, so a typo fails before anything is written. */
static int
open_sources(struct cli *c, const struct import_opts *o, GPtrArray *srcs,
    uint64_t *total)
{
	int	 i;

	for (i = o->first; i < c->argc; i++) {
		GError	*e = NULL;

		if (o->maildir) {
			GPtrArray *list;

			if (!maildir_list(c->argv[i], false, &list, &e))
				goto fail;
			*total += list->len;
			g_ptr_array_add(srcs, list);
		} else {
			struct mbox *mb;

			if (!mbox_open(&mb, c->argv[i], o->format, &e))
				goto fail;
			*total += mbox_count(mb);
			g_ptr_array_add(srcs, mb);
		}
		continue;
fail:
		log_warnx("%s", e->message);
		g_error_free(e);
		return EX_NOINPUT;
	}
	return EX_OK;
}

static void
free_sources(GPtrArray *srcs, bool maildir)
{
	guint	 i;

	for (i = 0; i < srcs->len; i++) {
		if (maildir)
			g_ptr_array_free(srcs->pdata[i], TRUE);
		else
			mbox_free(srcs->pdata[i]);
	}
	g_ptr_array_free(srcs, TRUE);
}

static int
run_import(struct import_run *r, const struct import_opts *o,
    GPtrArray *srcs)
{
	struct cli	*c = r->cli;
	guint		 k;
	bool		 ok = true;

	for (k = 0; ok && k < srcs->len; k++) {
		const char *path = c->argv[o->first + (int)k];

		ok = o->maildir ? import_maildir(r, srcs->pdata[k], path) :
		    import_mbox(r, srcs->pdata[k], path);
	}
	if (ok)
		ok = batch_flush(r);
	else
		intake_batch_rollback(r->in);
	progress_finish(r->prog);
	import_summary(r);
	if (!ok) {
		log_warnx("import stopped: %s (what was "
		    "committed stays; run the import again to go on)",
		    r->fatal->message);
		return EX_TEMPFAIL;
	}
	return r->failed > 0 ? EX_DATAERR : EX_OK;
}

int
cli_import(struct cli *c)
{
	struct import_opts o = { 0 };
	struct import_run r = { 0 };
	struct rules	*rules = NULL;
	GPtrArray	*srcs;
	GError		*e = NULL;
	int		 rc;
	bool		 tty;

	if (!parse_import_args(c, &o))
		return cli_usage(c);
	/* The same rules as live mail: queues, tags, priorities. */
	if (!rules_load(&rules, c->config->rules_scripts, &e)) {
		log_warnx("rules: %s", e->message);
		g_error_free(e);
		return EX_CONFIG;
	}
	rules_jit(rules);	/* many messages: the JIT pays off */
	srcs = g_ptr_array_new();
	if ((rc = open_sources(c, &o, srcs, &r.total)) != EX_OK ||
	    (rc = cli_open_store(c, STORE_READWRITE)) != EX_OK) {
		free_sources(srcs, o.maildir);
		rules_free(rules);
		return rc;
	}
	tty = o.progress == 1 || (o.progress == -1 && isatty(STDERR_FILENO));
	r.cli = c;
	r.batch = o.batch;
	r.now = g_get_real_time() / G_USEC_PER_SEC;
	r.in = intake_new(c->config, c->store);
	intake_set_rules(r.in, rules);
	if (o.progress != 0)
		r.prog = progress_new(stderr, "import", r.total, tty, 10);
	rc = run_import(&r, &o, srcs);
	progress_free(r.prog);
	intake_free(r.in);
	g_clear_error(&r.fatal);
	free_sources(srcs, o.maildir);
	rules_free(rules);
	return rc;
}
