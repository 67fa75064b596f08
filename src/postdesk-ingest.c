/*
 * postdesk-ingest: take one message from an MTA pipe into the store.
 *
 * Exit status (sysexits, the contract with the MTA; see
 * postdesk-ingest.8):
 *   0   stored, a duplicate of a stored message, or quarantined
 *   64  bad command line
 *   65  message larger than [mail] max_message_size (MTA bounces it)
 *   74  stdin could not be read
 *   75  transient: database busy/locked/read-only/full, I/O (MTA retries)
 *   78  configuration broken (MTA keeps the mail queued)
 */
#include "pdconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <sys/stat.h>

#include <glib.h>

#include "auth.h"
#include "config.h"
#include "intake.h"
#include "mail.h"
#include "log.h"
#include "runas.h"
#include "rules.h"
#include "store.h"
#include "watchdog.h"

struct options {
	char		*config;
	char		*sender;
	char		*recipient;
	char		*client_ip;
	gboolean	 explain;
	gboolean	 verbose;
	gboolean	 version;
	gboolean	 tempfail_config;
	int		 config_error_rc;	/* 78, or 75 with -t */
};

/* Reads stdin up to LIMIT+1 bytes so "too big" is known without more. */
static int
read_stdin(uint64_t limit, GByteArray **out)
{
	GByteArray	*ba = g_byte_array_sized_new(64 * 1024);
	guint8		 buf[64 * 1024];
	ssize_t		 n;

	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_warn("reading stdin");
			g_byte_array_unref(ba);
			return EX_IOERR;
		}
		if (n == 0)
			break;
		g_byte_array_append(ba, buf, (guint)n);
		if ((uint64_t)ba->len > limit) {
			g_byte_array_unref(ba);
			return EX_DATAERR;
		}
	}
	*out = ba;
	return EX_OK;
}

static bool
parse_options(int *argc, char ***argv, struct options *o)
{
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &o->config,
		    "configuration file", "FILE" },
		{ "sender", 'f', 0, G_OPTION_ARG_STRING, &o->sender,
		    "envelope sender (MAIL FROM), from the MTA", "ADDR" },
		{ "recipient", 'r', 0, G_OPTION_ARG_STRING, &o->recipient,
		    "envelope recipient (RCPT TO), from the MTA", "ADDR" },
		{ "client-ip", 'i', 0, G_OPTION_ARG_STRING, &o->client_ip,
		    "IP address of the SMTP client, from the MTA", "IP" },
		{ "explain", 'n', 0, G_OPTION_ARG_NONE, &o->explain,
		    "dry run: print how the message would be handled, "
		    "write nothing", NULL },
		{ "tempfail-config", 't', 0, G_OPTION_ARG_NONE,
		    &o->tempfail_config, "exit 75 (retry) instead of 78 on "
		    "a configuration or rules error, for MTAs that bounce "
		    "on 78 (Postfix, OpenSMTPD, sendmail)", NULL },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
		    "also log to stderr", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &o->version,
		    "print the version and exit", NULL },
		{ NULL }
	};
	GOptionContext	*ctx;
	GError		*e = NULL;
	bool		 ok;

	ctx = g_option_context_new("< MESSAGE");
	g_option_context_set_description(ctx, "Configuration: --config FILE, "
	    "else $POSTDESK_CONFIG, else " POSTDESK_CONFIG_PATH ".");
	g_option_context_set_summary(ctx, "Reads one mail message on stdin "
	    "(as an MTA pipe delivers it) and files it\ninto a postdesk "
	    "ticket.  Exit status follows sysexits(3): 0 stored,\n65 too "
	    "large, 75 try again later, 78 configuration error.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &e);
	if (!ok) {
		fprintf(stderr, "postdesk-ingest: %s\n", e->message);
		g_error_free(e);
	} else if (*argc > 1) {
		fprintf(stderr, "postdesk-ingest: unexpected argument %s\n",
		    (*argv)[1]);
		ok = false;
	}
	g_option_context_free(ctx);
	return ok;
}

static void
log_outcome(const struct options *o, const struct intake_result *r,
    size_t size)
{
	log_info("%s: msgid=<%s> from=<%s> size=%zu ticket=%" G_GINT64_FORMAT
	    "%s%s", intake_outcome_to_text(r->outcome),
	    r->message_id ? r->message_id : "", o->sender ? o->sender : "",
	    size, r->ticket, r->reason ? " reason=" : "",
	    r->reason ? r->reason : "");
}

/*
 * The rest runs in a child that is killed once it has run [mail]
 * max_run_time: an ingest stopped or hung while it holds the store's
 * write lock would otherwise make every other delivery wait and fail,
 * for as long as it stays so.  Killed, it has committed nothing (or,
 * at the last instant, a message its redelivery finds stored).  True
 * in the child; in the parent false, with *rc the status for the MTA.
 */
static bool
watched(const struct options *o, const struct config *c, int *rc)
{
	GError	*e = NULL;
	bool	 in_child;

	/* A dry run writes nothing, so it cannot hold the lock. */
	if (o->explain || c->max_run_time == 0)
		return true;
	if (!watchdog_fork(c->max_run_time, &in_child, rc, &e)) {
		log_warnx("not stored: %s ([mail] max_run_time); the MTA "
		    "retries", e->message);
		g_error_free(e);
		*rc = EX_TEMPFAIL;
		return false;
	}
	return in_child;
}

static int
run(const struct options *o, const struct config *c, const struct rules *r,
    struct auth *a)
{
	struct store		*s = NULL;
	struct intake		*in;
	struct intake_input	 ii = { 0 };
	struct intake_result	 res;
	GByteArray		*raw = NULL;
	GError			*e = NULL;
	int			 rc;

	rc = read_stdin(c->max_message_size, &raw);
	if (rc == EX_DATAERR) {
		/* log_warnx also writes stderr, which the MTA quotes in
		 * the bounce: say it once, plainly. */
		log_warnx("message rejected: larger than the limit of %"
		    G_GUINT64_FORMAT " bytes ([mail] max_message_size)",
		    c->max_message_size);
		return EX_DATAERR;
	}
	if (rc != EX_OK)
		return rc;
	if (!store_open_busy(&s, config_store(c), o->explain ? STORE_READONLY :
	    STORE_READWRITE, (int)c->busy_timeout, &e)) {
		if (!o->explain) {
			log_warnx("%s", e->message);
			g_error_free(e);
			g_byte_array_unref(raw);
			return EX_TEMPFAIL;
		}
		/* A dry run goes on without the store, but says why. */
		printf("store: not used: %s\n", e->message);
		g_clear_error(&e);
		s = NULL;
	}
	in = intake_new(c, s);
	intake_set_rules(in, r);
	if (a != NULL)
		intake_set_auth(in, auth_identify, a);
	ii.raw = raw->data;
	ii.len = raw->len;
	ii.sender = o->sender;
	ii.recipient = o->recipient;
	ii.client_ip = o->client_ip;
	ii.now = g_get_real_time() / G_USEC_PER_SEC;
	ii.explain = o->explain;
	if (!intake_message(in, &ii, &res, &e)) {
		log_warnx("not stored: %s", e->message);
		/* Nothing was committed: keep the mail queued at the MTA.
		 * A rule that cannot finish is a configuration problem. */
		rc = e->domain == SIEVE_ERROR ? o->config_error_rc :
		    EX_TEMPFAIL;
		g_error_free(e);
	} else if (res.outcome == INTAKE_REJECTED && !o->explain) {
		fprintf(stderr, "postdesk-ingest: message rejected: %s\n",
		    res.reason);
		log_outcome(o, &res, raw->len);
		rc = EX_DATAERR;
	} else if (o->explain) {
		fputs(res.report->str, stdout);
		printf("outcome: %s%s\n", intake_outcome_to_text(res.outcome),
		    " (dry run: nothing written)");
	} else
		log_outcome(o, &res, raw->len);
	intake_result_clear(&res);
	intake_free(in);
	store_close(s);
	g_byte_array_unref(raw);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct options	 o = { 0 };
	struct config	*c = NULL;
	struct rules	*rules = NULL;
	struct auth	*auth = NULL;
	GError		*e = NULL;
	int		 rc;

	/* Group-writable files: the WAL and SHM are shared with the CGI
	 * and the CLI through the postdesk group. */
	umask(007);
	/* Every path frees what it took, so ASan's leak check stays quiet
	 * and cannot replace the sysexits code the MTA relies on. */
	if (!parse_options(&argc, &argv, &o)) {
		rc = EX_USAGE;
		goto out;
	}
	o.config_error_rc = o.tempfail_config ? EX_TEMPFAIL : EX_CONFIG;
	if (o.version) {
		printf("postdesk-ingest %s\n", PACKAGE_VERSION);
		rc = EX_OK;
		goto out;
	}
	log_init("postdesk-ingest", o.explain ? LOG_TO_STDERR :
	    LOG_TO_SYSLOG | LOG_TO_STDERR, o.verbose);
	if (!config_load(&c, o.config, &e)) {
		log_warnx("configuration: %s", e->message);
		g_error_free(e);
		rc = o.config_error_rc;
		goto out;
	}
	log_configure(c->log_facility, c->log_level);
	if (!runas_state_owner(c->store_path, NULL, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		rc = o.config_error_rc;
		goto out;
	}
	if (!watched(&o, c, &rc))
		goto out;
	if (!rules_load(&rules, c->rules_scripts, &e)) {
		log_warnx("rules: %s", e->message);
		g_error_free(e);
		rc = o.config_error_rc;
		goto out;
	}
	if (c->spf && !auth_new(&auth, c->auth_dns_records,
	    c->spf_local_records, &e)) {
		log_warnx("configuration: %s", e->message);
		g_error_free(e);
		rc = o.config_error_rc;
		goto out;
	}
	if (auth != NULL)
		auth_set_trusted_ids(auth, c->trusted_authserv_ids);
	rc = run(&o, c, rules, auth);
out:
	auth_free(auth);
	rules_free(rules);
	config_free(c);
	g_free(o.config);
	g_free(o.sender);
	g_free(o.recipient);
	g_free(o.client_ip);
	return rc;
}
