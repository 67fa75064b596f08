/*
 * postdesk-fetch: take mail from IMAP/POP3 mailboxes, Maildirs and mbox
 * files into the store, for sites that cannot pipe from their MTA.
 *
 * Exit status (see postdesk-fetch.8):
 *   0      every source read, every message taken in
 *   1..63  that many failures (messages not taken in, sources that could
 *          not be read); capped at 63 so it never reads as a sysexits code
 *   64     bad command line
 *   75     the database could not be opened, or every failure was a
 *          source's missing OAuth2 access token (try again later)
 *   78     configuration broken: bad source URL, no password, or the
 *          password sits in a world-readable config file
 */
#include "pdconfig.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "auth.h"
#include "fetch.h"
#include "log.h"
#include "oauth2.h"
#include "reconnect.h"
#include "runas.h"
#include "rules.h"
#include "store.h"

#define FETCH_EXIT_MAX	63
/* A dead refresh token is said on syslog once an hour per source. */
#define GRANT_REPORT_EVERY	3600

/*
 * Set by the signal handler, read by the --watch loop: the one piece of
 * static mutable state, because a handler can reach nothing else.
 */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;	/* SIGHUP */

struct options {
	char		*config;
	char		*fetch_config;	/* merged over config (one mailbox) */
	gboolean	 once;
	gboolean	 watch;
	gboolean	 verbose;
	gboolean	 version;
	gint		 batch;
	gint		 timeout;
	char		**sources;
};

struct source {
	struct fetch_url	*url;
	struct fetch_options	 o;
	struct fetch_source	*fs;
	char			*password;
};

/* What the configuration makes; SIGHUP replaces it as a whole. */
struct runtime {
	struct config	*c;
	struct rules	*rules;
	struct auth	*auth;
};

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static bool
parse_options(int *argc, char ***argv, struct options *o)
{
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
		    "configuration file", "FILE" },
		{ "fetch-config", 0, 0, G_OPTION_ARG_FILENAME,
		    &o->fetch_config, "a file merged over the configuration, "
		    "e.g. one mailbox's [fetch] group", "FILE" },
		{ "once", '1', 0, G_OPTION_ARG_NONE, &o->once,
		    "one pass over every source, then exit (the default)",
		    NULL },
		{ "watch", 'w', 0, G_OPTION_ARG_NONE, &o->watch,
		    "keep running: IMAP IDLE where offered, else poll every "
		    "[fetch] poll_interval seconds", NULL },
		{ "batch", 'b', 0, G_OPTION_ARG_INT, &o->batch,
		    "messages per transaction (default 50)", "N" },
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &o->timeout,
		    "network timeout in seconds (default 60)", "S" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		    "also log each message to stderr", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
		    "print the version and exit", NULL },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY,
		    &o->sources, NULL, "[SOURCE-URL...]" },
		{ NULL }
	};
	GOptionContext	*ctx;
	GError		*e = NULL;
	bool		 ok;

	ctx = g_option_context_new(NULL);
	g_option_context_set_description(ctx, "Configuration: --config FILE, "
	    "else $POSTDESK_CONFIG, else " POSTDESK_CONFIG_PATH ".");
	g_option_context_set_summary(ctx, "Takes mail from the sources "
	    "named on the command line, or else from [fetch] sources:\n"
	    "imaps://USER@HOST/FOLDER, imap:// (STARTTLS), pop3s://, "
	    "pop3:// (STLS),\nmaildir:/PATH, mbox:/PATH.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &e);
	if (!ok) {
		fprintf(stderr, "postdesk-fetch: %s\n", e->message);
		g_error_free(e);
	} else if (o->once && o->watch) {
		fprintf(stderr, "postdesk-fetch: --once or --watch, not both\n");
		ok = false;
	} else if (o->batch < 0 || o->batch > 10000 || o->timeout < 0) {
		fprintf(stderr, "postdesk-fetch: bad --batch or --timeout\n");
		ok = false;
	}
	g_option_context_free(ctx);
	return ok;
}

/* Runs [fetch] password_command for one source: its first line. */
static bool
run_password_command(const char *cmd, const struct fetch_url *u,
    char **out, GError **err)
{
	char	**argv = NULL, **envp, *so = NULL, *nl;
	gint	  status;
	bool	  ok;

	if (!g_shell_parse_argv(cmd, NULL, &argv, err))
		return false;
	envp = g_get_environ();
	envp = g_environ_setenv(envp, "POSTDESK_FETCH_URL", u->text, TRUE);
	envp = g_environ_setenv(envp, "POSTDESK_FETCH_USER", u->user, TRUE);
	envp = g_environ_setenv(envp, "POSTDESK_FETCH_HOST", u->host, TRUE);
	ok = g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &so, NULL, &status, err) &&
	    g_spawn_check_wait_status(status, err);
	g_strfreev(argv);
	g_strfreev(envp);
	if (ok && (nl = strpbrk(so, "\r\n")) != NULL)
		*nl = '\0';
	if (ok && *so == '\0') {
		g_set_error(err, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
		    "it printed no password");
		ok = false;
	}
	if (ok)
		*out = so;
	else
		g_free(so);
	return ok;
}

static bool
get_password(const struct config *c, const char *extra,
    const struct fetch_url *u, char **out)
{
	GStatBuf st;
	GError	*e = NULL;

	if (c->fetch_password_command != NULL) {
		if (run_password_command(c->fetch_password_command, u, out,
		    &e))
			return true;
		log_warnx("%s: [fetch] password_command: %s", u->text,
		    e->message);
		g_error_free(e);
		return false;
	}
	if (c->fetch_password == NULL) {
		log_warnx("%s: no password: set [fetch] password or "
		    "password_command", u->text);
		return false;
	}
	/* A password others can read is no secret: refuse to use it. */
	if (c->path == NULL || g_stat(c->path, &st) != 0 ||
	    (st.st_mode & S_IROTH) != 0) {
		log_warnx("%s holds [fetch] password but is world-readable; "
		    "refusing to run (chmod o-r %s)", c->path ? c->path :
		    "the configuration", c->path ? c->path : "");
		return false;
	}
	if (extra != NULL && (g_stat(extra, &st) != 0 ||
	    (st.st_mode & S_IROTH) != 0)) {
		log_warnx("%s: [fetch] password with a world-readable "
		    "--fetch-config; refusing to run (chmod o-r %s)", extra,
		    extra);
		return false;
	}
	*out = g_strdup(c->fetch_password);
	return true;
}

static void
sources_free(GPtrArray *a)
{
	guint	 i;

	for (i = 0; i < a->len; i++) {
		struct source *s = a->pdata[i];

		fetch_source_free(s->fs);
		fetch_url_free(s->url);
		if (s->password != NULL)
			memset(s->password, 0, strlen(s->password));
		g_free(s->password);
		g_free(s);
	}
	g_ptr_array_free(a, TRUE);
}

/* Parses every source and finds its password; false: EX_CONFIG. */
static bool
make_sources(const struct options *o, const struct config *c,
    const struct fetch_options *base, GPtrArray *out)
{
	char	*const *urls = o->sources != NULL && o->sources[0] != NULL ?
	    o->sources : c->fetch_sources;
	size_t	 i;

	if (urls == NULL || urls[0] == NULL) {
		log_warnx("no sources: name them on the command line or in "
		    "[fetch] sources");
		return false;
	}
	for (i = 0; urls[i] != NULL; i++) {
		struct source	*s = g_new0(struct source, 1);
		GError		*e = NULL;

		g_ptr_array_add(out, s);
		if (!text_to_fetch_url(&s->url, urls[i], &e)) {
			log_warnx("%s", e->message);
			g_error_free(e);
			return false;
		}
		s->o = *base;
		if (fetch_url_is_remote(s->url) && c->fetch_oauth2 != NULL) {
			/* libetpan has XOAUTH2 for IMAP only. */
			if (s->url->proto != FETCH_IMAP &&
			    s->url->proto != FETCH_IMAPS) {
				log_warnx("%s: [fetch] oauth2 works with IMAP "
				    "sources only", s->url->text);
				return false;
			}
		} else if (fetch_url_is_remote(s->url)) {
			if (!get_password(c, o->fetch_config, s->url,
			    &s->password))
				return false;
			s->o.password = s->password;
		}
	}
	return true;
}

/*
 * An expired or revoked refresh token fails every pass until an admin
 * logs in again: said on syslog once an hour per source (the record is
 * beside the token file), on stderr every time.
 */
static void
report_grant(const struct source *s, const GError *e)
{
	const struct config_oauth2 *a = oauth2_account(s->o.oauth2);
	char	*path = oauth2_report_path(a);

	if (oauth2_report_due(path, s->url->text,
	    g_get_real_time() / G_USEC_PER_SEC, GRANT_REPORT_EVERY))
		log_warnx("%s: %s: the refresh token is expired or revoked; "
		    "run \"postdesk oauth2 login %s\" (the mailbox is left "
		    "as it is; said once an hour)", s->url->text, e->message,
		    a->name);
	else
		fprintf(stderr, "postdesk-fetch: %s: %s (on syslog within "
		    "the last hour)\n", s->url->text, e->message);
	g_free(path);
}

static void
report_ok(const struct source *s)
{
	char	*path;

	if (s->o.oauth2 == NULL)
		return;
	path = oauth2_report_path(oauth2_account(s->o.oauth2));
	oauth2_report_clear(path, s->url->text);
	g_free(path);
}

/*
 * Failures, of which *TOKEN_FAILURES were sources without a token.
 * *LOST (g_free) says why, if a source found the store gone.
 */
static uint64_t
pass_all(GPtrArray *srcs, bool keep, uint64_t *token_failures, char **lost)
{
	uint64_t failures = 0;
	guint	 i;

	*token_failures = 0;
	*lost = NULL;
	for (i = 0; i < srcs->len && !stop_requested; i++) {
		struct source	*s = srcs->pdata[i];
		struct fetch_stats st = { 0 };
		GError		*e = NULL;

		if (!fetch_source_pass(s->fs, keep, &st, &e)) {
			if (g_error_matches(e, OAUTH2_ERROR,
			    OAUTH2_ERROR_GRANT))
				report_grant(s, e);
			else
				log_warnx("%s: %s", s->url->text, e->message);
			if (e->domain == OAUTH2_ERROR)
				(*token_failures)++;
			if (reconnect_needed(e) && *lost == NULL)
				*lost = g_strdup(e->message);
			g_error_free(e);
			failures++;
		} else
			report_ok(s);
		failures += st.failed;
		if (st.fetched > 0 || st.failed > 0)
			log_info("%s: %" G_GUINT64_FORMAT " fetched: %"
			    G_GUINT64_FORMAT " new tickets, %" G_GUINT64_FORMAT
			    " replies, %" G_GUINT64_FORMAT " duplicates, %"
			    G_GUINT64_FORMAT " quarantined, %" G_GUINT64_FORMAT
			    " failed", s->url->text, st.fetched,
			    st.new_tickets, st.replies, st.duplicates,
			    st.quarantined, st.failed);
	}
	return failures;
}

/* Waits for news on the first IDLE-capable source, else sleeps. */
static void
wait_for_news(GPtrArray *srcs, int seconds)
{
	guint	 i;
	int	 left;

	for (i = 0; i < srcs->len; i++) {
		struct source	*s = srcs->pdata[i];
		GError		*e = NULL;

		if (fetch_source_idle(s->fs, seconds, &e))
			return;
		if (e != NULL) {
			log_warnx("%s: %s", s->url->text, e->message);
			g_error_free(e);
		}
	}
	for (left = seconds * 10; left > 0 && !stop_requested &&
	    !reload_requested; left--)
		g_usleep(G_USEC_PER_SEC / 10);
}

static bool
stop_or_reload(void)
{
	return stop_requested || reload_requested;
}

/*
 * --watch: the store went away (WHY): every source starts over on the
 * store reopened with backoff.  False if a signal came first.
 */
static bool
reopen(GPtrArray *srcs, struct store **store, const struct config *c,
    const char *why)
{
	guint	 i;

	for (i = 0; i < srcs->len; i++) {
		struct source *s = srcs->pdata[i];

		fetch_source_free(s->fs);
		s->fs = NULL;
	}
	if (!reconnect_store(store, config_store(c), (int)c->busy_timeout,
	    why, stop_or_reload))
		return false;
	for (i = 0; i < srcs->len; i++) {
		struct source *s = srcs->pdata[i];

		s->o.store = *store;
		s->fs = fetch_source_new(s->url, &s->o);
	}
	return true;
}

static int
run(const struct options *o, const struct config *c,
    const struct rules *rules, struct auth *auth)
{
	struct fetch_options base = { 0 };
	GPtrArray	*srcs = g_ptr_array_new();
	struct store	*store = NULL;
	GError		*e = NULL;
	struct oauth2	*oa = NULL;
	uint64_t	 failures, token_failures;
	char		*lost = NULL;
	guint		 i;

	base.config = c;
	base.rules = rules;
	base.auth = auth;
	base.ca_file = c->fetch_ca_file;
	base.move_to = c->fetch_move_to;
	base.batch = o->batch > 0 ? (unsigned)o->batch : 50;
	base.timeout = o->timeout > 0 ? o->timeout : 60;
	base.stop_at = g_getenv("POSTDESK_FETCH_STOP");
	(void)text_to_fetch_after(&base.after, c->fetch_after);
	if (c->fetch_oauth2 != NULL)
		base.oauth2 = oa = oauth2_new(config_oauth2(c,
		    c->fetch_oauth2), base.timeout);
	if (!make_sources(o, c, &base, srcs)) {
		sources_free(srcs);
		oauth2_free(oa);
		return EX_CONFIG;
	}
	if (!store_open_busy(&store, config_store(c), STORE_READWRITE,
	    (int)c->busy_timeout, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		sources_free(srcs);
		oauth2_free(oa);
		return EX_TEMPFAIL;
	}
	for (i = 0; i < srcs->len; i++) {
		struct source *s = srcs->pdata[i];

		s->o.store = store;
		s->fs = fetch_source_new(s->url, &s->o);
	}
	failures = pass_all(srcs, o->watch, &token_failures, &lost);
	while (o->watch && !stop_requested && !reload_requested) {
		if (lost != NULL) {
			bool reopened = reopen(srcs, &store, c, lost);

			g_clear_pointer(&lost, g_free);
			if (!reopened)
				break;
		} else
			wait_for_news(srcs, (int)c->fetch_poll_interval);
		if (!stop_requested && !reload_requested)
			failures = pass_all(srcs, true, &token_failures,
			    &lost);
	}
	g_free(lost);
	sources_free(srcs);
	oauth2_free(oa);
	store_close(store);
	/* Nothing but tokens missing: the mail waits on the server. */
	if (failures > 0 && failures == token_failures)
		return EX_TEMPFAIL;
	return (int)MIN(failures, (uint64_t)FETCH_EXIT_MAX);
}

static void
runtime_clear(struct runtime *rt)
{
	auth_free(rt->auth);
	rules_free(rt->rules);
	config_free(rt->c);
	memset(rt, 0, sizeof *rt);
}

/* True if every source parses and has its password (else logged). */
static bool
sources_usable(const struct options *o, const struct config *c)
{
	struct fetch_options base = { 0 };
	GPtrArray	*srcs = g_ptr_array_new();
	bool		 ok = make_sources(o, c, &base, srcs);

	sources_free(srcs);
	return ok;
}

/*
 * Loads config, rules and SPF checker; false (logged): EX_CONFIG.  With
 * CHECK_SOURCES (a SIGHUP reload) the sources are tried too, so a new
 * file naming a bad source is refused before the old one is let go.
 */
static bool
runtime_load(struct runtime *rt, const struct options *o, bool check_sources)
{
	const char	*path = o->config;
	GError		*e = NULL;

	memset(rt, 0, sizeof *rt);
	if (!config_load_extra(&rt->c, path, o->fetch_config, &e)) {
		log_warnx("configuration: %s", e->message);
		g_error_free(e);
		return false;
	}
	if (!rules_load(&rt->rules, rt->c->rules_scripts, &e)) {
		log_warnx("rules: %s", e->message);
		g_error_free(e);
		runtime_clear(rt);
		return false;
	}
	rules_jit(rt->rules);	/* many messages: the JIT pays off */
	if (rt->c->spf && !auth_new(&rt->auth, rt->c->auth_dns_records,
	    rt->c->spf_local_records, &e)) {
		log_warnx("configuration: %s", e->message);
		g_error_free(e);
		runtime_clear(rt);
		return false;
	}
	if (rt->auth != NULL)
		auth_set_trusted_ids(rt->auth, rt->c->trusted_authserv_ids);
	if (check_sources && !sources_usable(o, rt->c)) {
		runtime_clear(rt);
		return false;
	}
	return true;
}

/*
 * --watch and SIGHUP: read the configuration again and run with it; a
 * broken new one keeps the old (logged), so a typo never stops fetching.
 */
static int
run_reloading(const struct options *o, struct runtime *rt)
{
	struct runtime	 nrt;
	int		 rc;

	for (;;) {
		rc = run(o, rt->c, rt->rules, rt->auth);
		if (!reload_requested || stop_requested)
			return rc;
		reload_requested = 0;
		if (!runtime_load(&nrt, o, true)) {
			log_warnx("SIGHUP: configuration not reloaded, "
			    "keeping the old one");
			continue;
		}
		log_configure(nrt.c->log_facility, nrt.c->log_level);
		log_info("SIGHUP: configuration reloaded from %s",
		    nrt.c->path != NULL ? nrt.c->path : "built-in defaults");
		runtime_clear(rt);
		*rt = nrt;
	}
}

int
main(int argc, char *argv[])
{
	struct options	 o = { 0 };
	struct runtime	 rt;
	struct sigaction sa;
	GError		*e = NULL;
	int		 rc;

	umask(007);	/* the state directory is shared by group */
	if (!parse_options(&argc, &argv, &o))
		return EX_USAGE;
	if (o.version) {
		printf("postdesk-fetch %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	log_init("postdesk-fetch", LOG_TO_SYSLOG | LOG_TO_STDERR, o.verbose);
	if (!runtime_load(&rt, &o, false))
		return EX_CONFIG;
	log_configure(rt.c->log_facility, rt.c->log_level);
	if (!runas_state_owner(rt.c->store_path, NULL, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		runtime_clear(&rt);
		return EX_CONFIG;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	if (o.watch)
		(void)sigaction(SIGHUP, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	rc = o.watch ? run_reloading(&o, &rt) :
	    run(&o, rt.c, rt.rules, rt.auth);
	runtime_clear(&rt);
	g_free(o.config);
	g_free(o.fetch_config);
	g_strfreev(o.sources);
	return rc;
}
