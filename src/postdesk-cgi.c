/*
 * postdesk.cgi: the web viewer, one process per request (CGI/1.1).
 *
 * main() only wires things up and maps failures to HTTP statuses; the
 * pages live in web*.c.  Diagnostics go to stderr (the web server's
 * error log), never to stdout, which is the response.  The store is
 * opened read-only except for the POST pages and a sign-in link.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "web.h"

/* Without a config there is no template dir: a bare text answer. */
static int
fail_early(const char *why)
{
	log_warnx("%s", why);
	fputs("Status: 500 Internal Server Error\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "X-Content-Type-Options: nosniff\r\n\r\n"
	    "postdesk.cgi is not configured correctly", stdout);
	/* Say "logged" only when it was: under lighttpd stderr is lost. */
	fputs(log_reaches_syslog() ? "; the error has been logged "
	    "(syslog, facility mail).\n" : ".\n", stdout);
	return 0;
}

/* Opens the store and decides who is asking; an error page, or NULL
 * to go on.  Only the POST pages and a sign-in (?t= opens a session)
 * write; every other page reads. */
static struct web_response *
open_and_resolve(struct web *w)
{
	struct web_response	*r;
	GError			*e = NULL;
	bool			 forbidden;

	if (store_open_busy(&w->store, config_store(w->config),
	    web_page_is_post(w->req->page) ||
	    w->req->fields[KEY_TOKEN].present ? STORE_READWRITE :
	    STORE_READONLY, (int)w->config->busy_timeout, &e) &&
	    web_viewer_resolve(w, &e)) {
		/* Her own language, now that she is known. */
		web_lang_choose(w);
		return NULL;
	}
	forbidden = g_error_matches(e, WEB_ERROR, WEB_ERROR_FORBIDDEN);
	if (!forbidden)
		log_warnx("%s", e->message);
	r = forbidden ? web_error_page(w, 403, e->message) :
	    web_error_page(w, store_error_is_transient(e) ? 503 : 500,
	    "The ticket database is not available right now.");
	g_error_free(e);
	return r;
}

static struct web_response *
run(struct web *w, int status, GError *req_err)
{
	struct web_response	*r;
	GError			*e = NULL;

	if (status != 200)
		return web_error_page(w, status, req_err != NULL ?
		    req_err->message : status == 405 ?
		    "This page does not take that method." :
		    "There is no such page.");
	if (w->req->page != PAGE_STYLE && (r = open_and_resolve(w)) != NULL)
		return r;
	r = web_handle(w, &e);
	if (e != NULL) {
		log_warnx("%s", e->message);
		g_error_free(e);
	}
	return r;
}

int
main(void)
{
	struct config		*config = NULL;
	struct web		 w = { 0 };
	struct web_response	*r;
	GError			*e = NULL;
	char			*tz_cookie = NULL;
	int			 status = 200;

	umask(007);	/* -shm created by a reader stays group-writable */
	log_init("postdesk.cgi", LOG_TO_STDERR | LOG_TO_SYSLOG, false);
	if (!config_load(&config, NULL, &e)) {
		int rc = fail_early(e->message);

		g_error_free(e);
		return rc;
	}
	log_configure(config->log_facility, config->log_level);
	w.config = config;
	w.now = (int64_t)time(NULL);
	w.templates_dir = g_build_filename(config->templates_dir, "web",
	    NULL);
	(void)web_request_from_env(&w.req, stdin, config->max_message_size,
	    &status, &e);
	web_choose_tz(&w, &tz_cookie);
	r = run(&w, status, e);
	g_clear_error(&e);
	if (w.viewer.set_cookie != NULL)
		web_response_header(r, "Set-Cookie", w.viewer.set_cookie);
	if (tz_cookie != NULL)
		web_response_header(r, "Set-Cookie", tz_cookie);
	if (!web_response_write(r, w.req->method == WEB_HEAD, stdout))
		log_warn("writing the response");
	web_response_free(r);
	web_viewer_clear(&w.viewer);
	web_request_free(w.req);
	store_close(w.store);
	g_free(w.templates_dir);
	g_free(tz_cookie);
	g_free(w.tz_name);
	g_free(w.lang);
	if (w.tz != NULL)
		g_time_zone_unref(w.tz);
	config_free(config);
	return 0;
}
