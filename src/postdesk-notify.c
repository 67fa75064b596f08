/*
 * postdesk-notify: drain the outbox.  Claims due rows, composes each
 * mail on its first attempt, hands it to the SMTP server (one session
 * for the whole batch) and records every attempt.
 *
 * Exit status (sysexits; see postdesk-notify.8):
 *   0   the outbox was drained (per-row failures are on the rows)
 *   64  bad command line
 *   75  the database could not be opened or written, or no OAuth2
 *       access token could be had for [notify] oauth2 (the rows stay
 *       pending; try again)
 *   78  configuration broken, or a template missing from
 *       [templates] dir/mail (the rows stay pending)
 */
#include "pdconfig.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sys/stat.h>

#include <glib.h>

#include "config.h"
#include "log.h"
#include "runas.h"
#include "notify.h"
#include "reconnect.h"
#include "smtp.h"
#include "store.h"

#define BATCH_DEFAULT	50

/*
 * Set by the SIGHUP handler, read by the --watch loop: the one piece of
 * static mutable state, because a handler can reach nothing else.
 */
static volatile sig_atomic_t reload_requested;

struct options {
	char		*config;
	char		*claimer;
	gboolean	 once;
	gboolean	 watch;
	gboolean	 no_reuse;
	gint		 batch;
	gboolean	 verbose;
	gboolean	 version;
};

static bool
parse_options(int *argc, char ***argv, struct options *o)
{
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
		    "configuration file", "FILE" },
		{ "once", '1', 0, G_OPTION_ARG_NONE, &o->once,
		    "send everything due now, then exit (default)", NULL },
		{ "watch", 'w', 0, G_OPTION_ARG_NONE, &o->watch,
		    "keep running, polling every [notify] poll_interval",
		    NULL },
		{ "batch", 'b', 0, G_OPTION_ARG_INT, &o->batch,
		    "rows claimed at a time (default 50)", "N" },
		{ "no-reuse", 0, 0, G_OPTION_ARG_NONE, &o->no_reuse,
		    "a new SMTP connection for every message", NULL },
		{ "claimer", 0, 0, G_OPTION_ARG_STRING, &o->claimer,
		    "name recorded on claimed rows (default host:pid)",
		    "NAME" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		    "also log to stderr", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
		    "print the version and exit", NULL },
		{ NULL }
	};
	GOptionContext	*ctx;
	GError		*e = NULL;
	bool		 ok;

	ctx = g_option_context_new(NULL);
	g_option_context_set_description(ctx, "Configuration: --config FILE, "
	    "else $POSTDESK_CONFIG, else " POSTDESK_CONFIG_PATH ".");
	g_option_context_set_summary(ctx, "Sends the mail waiting in the "
	    "postdesk outbox.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &e);
	if (!ok) {
		fprintf(stderr, "postdesk-notify: %s\n", e->message);
		g_error_free(e);
	} else if (*argc > 1) {
		fprintf(stderr, "postdesk-notify: unexpected argument %s\n",
		    (*argv)[1]);
		ok = false;
	} else if (o->once && o->watch) {
		fprintf(stderr, "postdesk-notify: --once or --watch, not "
		    "both\n");
		ok = false;
	}
	g_option_context_free(ctx);
	return ok;
}

static int64_t
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* What one row's processing asks of the loop. */
enum step { STEP_OK, STEP_STORE, STEP_CONFIG, STEP_TOKEN };

/*
 * The claim of one batch: every row of it shares the lease, renewed
 * while the batch is sent, so a batch may take as long as it needs and
 * still no other notifier takes a row of it.
 */
struct lease {
	int64_t	 length;	/* seconds, notify_lease() */
	int64_t	 until;		/* when it runs out unless renewed */
};

/*
 * Before each step that has to finish under the lease (compose, send
 * and record): renews it unless a whole message and a lock wait still
 * fit with NOTIFY_LEASE_SPARE seconds to spare, so it is written about
 * every NOTIFY_LEASE_SPARE seconds, not once per row.  *HELD false:
 * another claim has R (this process was stopped past the lease).
 */
static bool
hold(struct store *s, struct lease *l, const struct outbox_row *r,
    bool *held, GError **err)
{
	int64_t	 now = now_s();

	*held = true;
	if (l->until - now >= l->length - NOTIFY_LEASE_SPARE)
		return true;
	if (!store_outbox_renew(s, r, now + l->length, held, err))
		return false;
	if (*held)
		l->until = now + l->length;
	else
		log_warnx("outbox #%" G_GINT64_FORMAT ": lease lost to another "
		    "notifier (this one was stopped for %" G_GINT64_FORMAT
		    " s or more); row skipped", r->id, l->length);
	return true;
}

/*
 * A missing template is the site's configuration, not the row's: the
 * row goes back to pending untouched, so it is sent once the admin
 * fixes [templates] dir.  *ERR says why.
 */
static enum step
config_stop(const struct outbox_row *r, GError *e, GError **err)
{
	log_warnx("outbox #%" G_GINT64_FORMAT ": configuration: %s "
	    "(the row stays pending)", r->id, e->message);
	g_propagate_error(err, e);
	return STEP_CONFIG;	/* drain() gives the claim back */
}

/* Records an outcome; a row no longer ours is the new owner's. */
static enum step
record(struct store *s, const struct config *c, const struct outbox_row *r,
    enum notify_outcome o, const char *reply, GError **err)
{
	GError	*e = NULL;

	if (notify_record(s, c, r, o, reply, now_s(), &e))
		return STEP_OK;
	if (!g_error_matches(e, NOTIFY_ERROR, NOTIFY_ERROR_LEASE)) {
		g_propagate_error(err, e);
		return STEP_STORE;
	}
	log_warnx("%s", e->message);
	g_error_free(e);
	return STEP_OK;
}

/* A row notify_prepare() could not turn into a mail. */
static enum step
unprepared(struct store *s, const struct config *c,
    const struct outbox_row *r, GError *e, GError **err)
{
	enum step	 st;

	if (e->domain == STORE_ERROR && store_error_is_transient(e)) {
		g_propagate_error(err, e);
		return STEP_STORE;	/* drain() gives the claim back */
	}
	if (g_error_matches(e, NOTIFY_ERROR, NOTIFY_ERROR_TEMPLATE))
		return config_stop(r, e, err);
	log_warnx("outbox #%" G_GINT64_FORMAT ": %s", r->id, e->message);
	st = record(s, c, r, NOTIFY_PERMFAIL, e->message, err);
	g_error_free(e);
	return st;
}

/* One row: prepare, send, record, each under the lease. */
static enum step
process(struct store *s, const struct config *c, struct smtp *smtp,
    struct lease *l, const struct outbox_row *r, GError **err)
{
	struct notify_mail nm;
	enum notify_outcome o;
	enum smtp_result sr;
	GError		*e = NULL;
	char		*reply = NULL;
	enum step	 st;
	const char	*why;
	bool		 held, muted;

	if (!hold(s, l, r, &held, err))
		return STEP_STORE;
	if (!held)
		return STEP_OK;
	/* Her notifications are off: decided before anything is
	 * composed, so no message is stored for it. */
	if (!notify_muted(s, r, &muted, &why, &e))
		return unprepared(s, c, r, e, err);
	if (muted) {
		log_info("outbox #%" G_GINT64_FORMAT " %s to=<%s>: %s",
		    r->id, r->kind, r->recipient, why);
		return record(s, c, r, NOTIFY_SKIPPED, why, err);
	}
	if (!notify_prepare(s, c, r, &nm, &e))
		return unprepared(s, c, r, e, err);
	/* Composing may have waited for the lock: look again. */
	st = hold(s, l, r, &held, err) ? STEP_OK : STEP_STORE;
	if (st != STEP_OK || !held) {
		notify_mail_clear(&nm);
		return st;
	}
	sr = smtp_send(smtp, nm.envelope_from, nm.recipient, nm.raw, &reply);
	if (sr == SMTP_NO_TOKEN) {
		/* The account's problem, not the row's: nothing is counted;
		 * drain() gives the claim back, the rows stay pending. */
		log_warnx("outbox #%" G_GINT64_FORMAT ": not sent, the rows "
		    "stay pending: %s", r->id, reply);
		g_free(reply);
		notify_mail_clear(&nm);
		return STEP_TOKEN;
	}
	o = sr == SMTP_SENT ? NOTIFY_SENT : sr == SMTP_TEMPFAIL ?
	    NOTIFY_TEMPFAIL : NOTIFY_PERMFAIL;
	log_info("outbox #%" G_GINT64_FORMAT " %s to=<%s> attempt=%"
	    G_GINT64_FORMAT ": %s: %s", r->id, r->kind, nm.recipient,
	    r->attempts + 1, smtp_result_to_text(sr), reply);
	st = record(s, c, r, o, reply, err);
	g_free(reply);
	notify_mail_clear(&nm);
	return st;
}

/* Claims and sends batches until nothing is due. */
static enum step
drain(struct store *s, const struct config *c, struct smtp *smtp,
    const struct options *o, GError **err)
{
	struct lease	 l = { notify_lease(c), 0 };
	GPtrArray	*rows = NULL;
	GArray		*abandoned = NULL;
	guint		 i, n;
	enum step	 st = STEP_OK;
	int64_t		 now;

	do {
		now = now_s();
		if (!store_outbox_claim(s, o->claimer, now, l.length,
		    o->batch, &rows, &abandoned, err))
			return STEP_STORE;
		for (i = 0; i < abandoned->len; i++)
			log_warnx("outbox #%" G_GINT64_FORMAT ": given up: its "
			    "notifier stopped %d times while sending it; "
			    "'postdesk outbox retry' sends it again",
			    g_array_index(abandoned, int64_t, i),
			    OUTBOX_MAX_ORPHANED);
		g_array_free(abandoned, TRUE);
		l.until = now + l.length;
		for (i = 0; st == STEP_OK && i < rows->len; i++)
			st = process(s, c, smtp, &l, rows->pdata[i], err);
		/*
		 * Rows claimed but not recorded go back as they were, in
		 * one statement; if even that fails, the lease brings them
		 * back once it runs out.
		 */
		if (st != STEP_OK)
			(void)store_outbox_unclaim(s, rows->pdata[0], NULL);
		n = rows->len;
		g_ptr_array_free(rows, TRUE);
	} while (st == STEP_OK && n > 0);
	return st;
}

static void
on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* Sleeps SECONDS, or less if SIGHUP asks for a reload meanwhile. */
static void
nap(int64_t seconds)
{
	int64_t	 steps = MAX(1, seconds) * 10;

	while (steps-- > 0 && !reload_requested)
		g_usleep(G_USEC_PER_SEC / 10);
}

/*
 * SIGHUP: reads the configuration again.  A broken new file keeps the
 * old one (and says so), so a typo never stops a running notifier.
 * True if *CP was replaced (the caller reopens store and SMTP).
 */
static bool
reload(const struct options *o, struct config **cp)
{
	struct config	*nc = NULL;
	GError		*e = NULL;

	reload_requested = 0;
	if (!config_load(&nc, o->config, &e)) {
		log_warnx("SIGHUP: configuration not reloaded, keeping the "
		    "old one: %s", e->message);
		g_error_free(e);
		return false;
	}
	log_configure(nc->log_facility, nc->log_level);
	log_info("SIGHUP: configuration reloaded from %s",
	    nc->path != NULL ? nc->path : "built-in defaults");
	config_free(*cp);
	*cp = nc;
	return true;
}

static bool
reload_pending(void)
{
	return reload_requested != 0;
}

/*
 * --watch: the store went away (E, cleared): reopened with backoff.
 * False if SIGHUP came first (*S is NULL then).
 */
static bool
reopen(struct store **s, const struct config *c, GError **e)
{
	bool	 ok = reconnect_store(s, config_store(c), (int)c->busy_timeout,
	    (*e)->message, reload_pending);

	g_clear_error(e);
	return ok;
}

/* Drains the outbox once, or with --watch until SIGHUP asks to reload. */
static int
run(const struct options *o, const struct config *c)
{
	struct store	*s = NULL;
	struct smtp	*smtp;
	GError		*e = NULL;
	int		 rc = EX_OK;

	if (!store_open_busy(&s, config_store(c), STORE_READWRITE,
	    (int)c->busy_timeout, &e)) {
		if (!o->watch || !reconnect_needed(e)) {
			log_warnx("%s", e->message);
			g_error_free(e);
			return EX_TEMPFAIL;
		}
		if (!reopen(&s, c, &e))
			return EX_OK;	/* watch() reloads */
	}
	smtp = smtp_new(c);
	if (o->no_reuse)
		smtp_set_reuse(smtp, false);
	while (!reload_requested) {
		enum step st = drain(s, c, smtp, o, &e);

		if (st == STEP_CONFIG) {
			/* Sending on would only skip rows; stop loudly. */
			g_clear_error(&e);
			rc = EX_CONFIG;
			break;
		}
		if (st == STEP_TOKEN && !o->watch) {
			rc = EX_TEMPFAIL;
			break;
		}
		if (st == STEP_STORE) {
			log_warnx("outbox: %s", e->message);
			if (o->watch && reconnect_needed(e)) {
				/* Rows it held come back with their lease. */
				if (!reopen(&s, c, &e))
					break;
				continue;
			}
			g_clear_error(&e);
			if (!o->watch) {
				rc = EX_TEMPFAIL;
				break;
			}
		}
		if (!o->watch)
			break;
		nap(c->poll_interval);
	}
	smtp_free(smtp);
	store_close(s);
	return rc;
}

/* --watch: run, and on SIGHUP reload and run again with what holds. */
static int
watch(const struct options *o, struct config **cp)
{
	struct sigaction sa;
	int		 rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_hup;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGHUP, &sa, NULL);
	for (;;) {
		rc = run(o, *cp);
		if (!reload_requested)
			return rc;
		(void)reload(o, cp);
	}
}

int
main(int argc, char *argv[])
{
	struct options	 o = { 0 };
	struct config	*c = NULL;
	GError		*e = NULL;
	int		 rc;

	umask(007);	/* the state directory is shared by group */
	/* A sendmail or server that goes away mid-message is an error to
	 * record, not a reason to die with the batch half done. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (!parse_options(&argc, &argv, &o))
		return EX_USAGE;
	if (o.version) {
		printf("postdesk-notify %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	log_init("postdesk-notify", LOG_TO_SYSLOG | LOG_TO_STDERR, o.verbose);
	if (!config_load(&c, o.config, &e)) {
		fprintf(stderr, "postdesk-notify: %s\n", e->message);
		log_warnx("configuration: %s", e->message);
		g_error_free(e);
		return EX_CONFIG;
	}
	log_configure(c->log_facility, c->log_level);
	if (!runas_state_owner(c->store_path, NULL, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		config_free(c);
		return EX_CONFIG;
	}
	if (o.batch <= 0)
		o.batch = BATCH_DEFAULT;
	if (o.claimer == NULL)
		o.claimer = g_strdup_printf("%s:%d", g_get_host_name(),
		    (int)getpid());
	rc = o.watch ? watch(&o, &c) : run(&o, c);
	config_free(c);
	g_free(o.config);
	g_free(o.claimer);
	return rc;
}
