/*
 * cli_lifecycle: tick, status, priority, hotrush, rate and the queue
 * order listing.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "ticket_merge.h"
#include "ticket_split.h"
#include "ticket_link.h"
#include "lifecycle_apply.h"
#include "text.h"
#include "log.h"

/* Takes "--now EPOCH" / "--now=EPOCH" and "--as ROLE" out of argv. */
struct lc_opts {
	int64_t		 now;
	enum lc_role	 role;
	char		**args;		/* the rest, NULL-terminated */
	int		 nargs;
};

static bool
parse_opts(struct cli *c, struct lc_opts *o, enum lc_role def)
{
	int	 i;
	const char *v;

	o->now = g_get_real_time() / G_USEC_PER_SEC;
	o->role = def;
	o->args = g_new0(char *, c->argc + 1);
	o->nargs = 0;
	for (i = 1; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (strncmp(a, "--now", 5) == 0 || strncmp(a, "--as", 4) == 0) {
			bool	 is_now = a[2] == 'n';
			size_t	 n = is_now ? 5 : 4;
			int64_t	 t;

			if (a[n] == '=')
				v = a + n + 1;
			else if (a[n] == '\0' && i + 1 < c->argc)
				v = c->argv[++i];
			else
				return false;
			if (is_now && !text_to_duration(&t, v))
				return false;
			if (is_now)
				o->now = t;
			else if (!text_to_role(&o->role, v) ||
			    o->role == LC_ROLE_SYSTEM)
				return false;
			continue;
		}
		o->args[o->nargs++] = c->argv[i];
	}
	return true;
}

static char *
cli_actor(void)
{
	return g_strdup_printf("cli:%s", g_get_user_name());
}

/*
 * What intake remembered of mail it did not store (refused, bounces,
 * quarantined) only has to outlive the MTA's retries: Postfix gives up
 * after 5 days, Exim and sendmail after 4 or 5.  Kept 30 days.
 */
#define INTAKE_SEEN_KEEP	(30 * 24 * 3600)

static bool
forget_old_intake(struct store *s, int64_t now, GPtrArray *report,
    GError **err)
{
	int	 n;

	if (!store_intake_seen_prune(s, now - INTAKE_SEEN_KEEP, &n, err))
		return false;
	if (n > 0)
		g_ptr_array_add(report, g_strdup_printf("forgot %d intake "
		    "record%s older than 30 days", n, n == 1 ? "" : "s"));
	return true;
}

int
cli_tick(struct cli *c)
{
	struct lc_opts	 o;
	GPtrArray	*report = g_ptr_array_new_with_free_func(g_free);
	GError		*e = NULL;
	int		 rc, failed = 0;
	guint		 i;
	bool		 explain = false, parsed;

	/* --explain: what this run would do, written nowhere. */
	parsed = parse_opts(c, &o, LC_ROLE_STAFF);
	if (parsed && o.nargs == 1 && strcmp(o.args[0], "--explain") == 0) {
		explain = true;
		o.nargs = 0;
	}
	if (!parsed || o.nargs != 0) {
		g_free(o.args);
		g_ptr_array_free(report, TRUE);
		return cli_usage(c);
	}
	g_free(o.args);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK) {
		g_ptr_array_free(report, TRUE);
		return rc;
	}
	if (!lifecycle_apply_tick(c->store, c->config, o.now, explain, report,
	    &failed, &e)) {
		log_warnx("tick: %s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
	}
	if (rc == EX_OK && !explain &&
	    !forget_old_intake(c->store, o.now, report, &e)) {
		log_warnx("tick: %s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
	}
	for (i = 0; i < report->len; i++)
		printf("%s%s\n", explain ? "would: " : "",
		    (const char *)report->pdata[i]);
	if (rc == EX_OK && failed > 0) {
		log_warnx("tick: %d ticket%s busy, left for "
		    "the next run", failed, failed == 1 ? "" : "s");
		rc = EX_TEMPFAIL;
	}
	g_ptr_array_free(report, TRUE);
	return rc;
}

/* One command in its own transaction. */
static int
run_command(struct cli *c, enum lc_command cmd, enum lc_role def_role,
    int min_args, int max_args)
{
	struct lc_opts	 o;
	int64_t		 id;
	GError		*e = NULL;
	char		*why = NULL, *value, *actor;
	bool		 applied = false, ok;
	int		 rc;

	if (!parse_opts(c, &o, def_role) || o.nargs < min_args ||
	    (max_args > 0 && o.nargs > max_args) ||
	    !text_to_id(&id, o.args[0])) {
		g_free(o.args);
		return cli_usage(c);
	}
	value = g_strjoinv(" ", o.args + 1);
	g_free(o.args);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK) {
		g_free(value);
		return rc;
	}
	actor = cli_actor();
	ok = store_begin(c->store, &e) &&
	    lifecycle_apply_command(c->store, c->config, id, cmd, value,
	    o.role, actor, 0, o.now, &applied, &why, &e) &&
	    (!applied || store_commit(c->store, &e));
	if (!ok || !applied)
		store_rollback(c->store);
	if (!ok) {
		log_warnx("%s", e->message);
		rc = g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND) ?
		    EX_NOINPUT : store_error_is_transient(e) ? EX_TEMPFAIL :
		    EX_SOFTWARE;
		g_error_free(e);
	} else if (!applied) {
		log_warnx("ticket #%" G_GINT64_FORMAT ": %s "
		    "%s refused: %s", id, lifecycle_command_to_text(cmd),
		    value, why);
		rc = EX_DATAERR;
	} else
		printf("ticket #%" G_GINT64_FORMAT ": %s\n", id, why);
	g_free(why);
	g_free(actor);
	g_free(value);
	return rc;
}

int
cli_status(struct cli *c)
{
	return run_command(c, LC_CMD_STATUS, LC_ROLE_STAFF, 2, 0);
}

int
cli_priority(struct cli *c)
{
	return run_command(c, LC_CMD_PRIORITY, LC_ROLE_STAFF, 2, 2);
}

int
cli_hotrush(struct cli *c)
{
	return run_command(c, LC_CMD_HOTRUSH, LC_ROLE_STAFF, 2, 2);
}

int
cli_rate(struct cli *c)
{
	/* The CLI records a rating on the customer's behalf. */
	return run_command(c, LC_CMD_RATING, LC_ROLE_CUSTOMER, 2, 0);
}

struct ranked {
	struct ticket	*t;
	double		 eff;
	int64_t		 due;
	bool		 overdue;
};

static int
ranked_cmp(gconstpointer a, gconstpointer b)
{
	const struct ranked *x = a, *y = b;

	return lifecycle_queue_cmp(x->t->hotrush, x->eff, x->t->created,
	    y->t->hotrush, y->eff, y->t->created);
}

static bool
rank(struct cli *c, GPtrArray *tickets, int64_t now, GArray *out,
    GError **err)
{
	GHashTable	*mix = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, g_free);
	GPtrArray	*counts = NULL;
	guint		 i;
	bool		 ok = store_priority_mix(c->store, &counts, err);

	/* Each account's mix, every ticket weighed in its own queue's
	 * list of priorities. */
	for (i = 0; ok && i < counts->len; i++) {
		const struct priority_count *pc = counts->pdata[i];
		struct lc_mix	*m = g_hash_table_lookup(mix, pc->account);

		if (m == NULL) {
			m = g_new0(struct lc_mix, 1);
			g_hash_table_insert(mix, g_strdup(pc->account), m);
		}
		lifecycle_mix_add(m, lifecycle_for(c->config->lifecycle,
		    pc->queue), pc->rank, pc->n);
	}
	if (counts != NULL)
		g_ptr_array_unref(counts);

	for (i = 0; ok && i < tickets->len; i++) {
		struct ticket	*t = tickets->pdata[i];
		const struct lifecycle *lc = lifecycle_apply_lc(c->config, t);
		struct ticket_times tt;
		struct lc_ticket f;
		struct ranked	 r = { t, 0, 0, false };
		char		*acct = NULL;

		if (lifecycle_is_final(lc, t->status))
			continue;
		ok = store_ticket_times(c->store, t->id, &tt, err) &&
		    store_account_of(c->store, t->requester, &acct, err);
		if (!ok)
			break;
		lifecycle_apply_facts(t, &tt, &f);
		r.eff = lifecycle_effective_priority(lc, f.priority,
		    g_hash_table_lookup(mix, acct));
		r.due = lifecycle_first_response_due(lc, &f);
		r.overdue = lifecycle_overdue(lc, &f, now);
		g_array_append_val(out, r);
		g_free(acct);
	}
	g_hash_table_destroy(mix);
	g_array_sort(out, ranked_cmp);
	return ok;
}

int
cli_list_queue(struct cli *c)
{
	struct ticket_filter f = { 0 };
	struct lc_opts	 o;
	GPtrArray	*a = NULL;
	GArray		*r;
	GError		*e = NULL;
	int		 i, rc;
	guint		 k;

	if (!parse_opts(c, &o, LC_ROLE_STAFF))
		return cli_usage(c);
	for (i = 0; i < o.nargs; i++) {
		if (strcmp(o.args[i], "--queue") == 0 && i + 1 < o.nargs)
			f.queue = o.args[++i];
		else if (strcmp(o.args[i], "--order=queue") != 0) {
			g_free(o.args);
			return cli_usage(c);
		}
	}
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK ||
	    !store_ticket_list(c->store, &f, &a, &e)) {
		g_free(o.args);
		if (rc != EX_OK)
			return rc;
		log_warnx("%s", e->message);
		g_error_free(e);
		return EX_SOFTWARE;
	}
	g_free(o.args);
	r = g_array_new(FALSE, FALSE, sizeof(struct ranked));
	if (!rank(c, a, o.now, r, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		rc = EX_SOFTWARE;
	}
	printf("%6s  %-20s %-8s %-7s %5s %-16s %s\n", "ID", "STATUS", "QUEUE",
	    "PRIO", "RANK", "FIRST REPLY DUE", "SUBJECT");
	for (k = 0; rc == EX_OK && k < r->len; k++) {
		const struct ranked *x = &g_array_index(r, struct ranked, k);
		char	*due = x->due ? text_time(x->due) : g_strdup("-");

		printf("%6" G_GINT64_FORMAT "  %-20s %-8s %-7s %5.2f %-16s ",
		    x->t->id, x->t->status, x->t->queue, x->t->priority,
		    x->eff, due);
		tty_puts(x->t->hotrush ? "[HotRush] " : "", stdout);
		tty_puts(x->overdue ? "[OVERDUE] " : "", stdout);
		tty_puts(x->t->subject, stdout);
		putchar('\n');
		g_free(due);
	}
	g_array_free(r, TRUE);
	g_ptr_array_free(a, TRUE);
	return rc;
}

/* merge INTO FROM: one transaction, the viewer's checks (ticket_merge.h). */
int
cli_merge(struct cli *c)
{
	int64_t	 into, from;
	GError	*e = NULL;
	char	*refusal = NULL, *actor;
	bool	 ok;
	int	 rc;

	if (c->argc != 3 || !text_to_id(&into, c->argv[1]) ||
	    !text_to_id(&from, c->argv[2]))
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	actor = cli_actor();
	ok = store_begin(c->store, &e) && ticket_merge(c->store, from, into,
	    actor, g_get_real_time() / G_USEC_PER_SEC, &refusal, &e) &&
	    (refusal != NULL || store_commit(c->store, &e));
	g_free(actor);
	if (!ok || refusal != NULL)
		store_rollback(c->store);
	if (!ok) {
		log_warnx("merge: %s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
		return rc;
	}
	if (refusal != NULL) {
		log_warnx("merge refused: %s", refusal);
		g_free(refusal);
		return EX_DATAERR;
	}
	printf("ticket #%" G_GINT64_FORMAT " merged into #%" G_GINT64_FORMAT
	    "\n", from, into);
	return EX_OK;
}

/* split TICKET MESSAGE-ID: one transaction, the checks of
 * ticket_split_decide(). */
int
cli_split(struct cli *c)
{
	int64_t	 ticket, created = 0;
	GError	*e = NULL;
	char	*refusal = NULL, *actor;
	bool	 ok;
	int	 rc;

	if (c->argc != 3 || !text_to_id(&ticket, c->argv[1]) ||
	    *c->argv[2] == '\0')
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	actor = cli_actor();
	ok = store_begin(c->store, &e) && ticket_split(c->store, c->config,
	    ticket, c->argv[2], actor, g_get_real_time() / G_USEC_PER_SEC,
	    &created, &refusal, &e) &&
	    (refusal != NULL || store_commit(c->store, &e));
	g_free(actor);
	if (!ok || refusal != NULL)
		store_rollback(c->store);
	if (!ok) {
		log_warnx("split: %s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
		return rc;
	}
	if (refusal != NULL) {
		log_warnx("split refused: %s", refusal);
		g_free(refusal);
		return EX_DATAERR;
	}
	printf("message moved out of ticket #%" G_GINT64_FORMAT " into the "
	    "new ticket #%" G_GINT64_FORMAT "\n", ticket, created);
	return EX_OK;
}

/* Two ticket numbers: `link A B` links tickets (an address never is
 * one, so `link ADDRESS TICKET` still mints a sign-in link). */
bool
cli_is_ticket_pair(const struct cli *c)
{
	int64_t	 id;

	return c->argc == 3 && text_to_id(&id, c->argv[1]) &&
	    text_to_id(&id, c->argv[2]);
}

/* link|unlink A B: one transaction, the viewer's checks. */
static int
link_change(struct cli *c, enum ticket_link_op op)
{
	enum ticket_link_verdict v = TICKET_LINK_OK;
	int64_t	 a, b;
	GError	*e = NULL;
	char	*refusal = NULL, *actor;
	bool	 ok;
	int	 rc;

	if (c->argc != 3 || !text_to_id(&a, c->argv[1]) ||
	    !text_to_id(&b, c->argv[2]))
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	actor = cli_actor();
	ok = store_begin(c->store, &e) && ticket_link_apply(c->store, op, a,
	    b, actor, g_get_real_time() / G_USEC_PER_SEC, &v, &refusal, &e) &&
	    (refusal != NULL || store_commit(c->store, &e));
	g_free(actor);
	if (!ok || refusal != NULL)
		store_rollback(c->store);
	if (!ok) {
		log_warnx("%s: %s", c->argv[0], e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;
		g_error_free(e);
		return rc;
	}
	if (refusal != NULL) {
		log_warnx("%s refused: %s", c->argv[0], refusal);
		g_free(refusal);
		return v == TICKET_LINK_NOTFOUND ? EX_NOINPUT : EX_DATAERR;
	}
	printf("tickets #%" G_GINT64_FORMAT " and #%" G_GINT64_FORMAT " %s\n",
	    a, b, op == TICKET_LINK ? "linked" : "unlinked");
	return EX_OK;
}

int
cli_ticket_link(struct cli *c)
{
	return link_change(c, TICKET_LINK);
}

int
cli_unlink(struct cli *c)
{
	return link_change(c, TICKET_UNLINK);
}
