/*
 * cli_web: "postdesk link ADDRESS [TICKET]" mints a customer's sign-in
 * link into the web viewer, as the outbound templates carry it
 * ({{ticket.link}}); "--revoke ADDRESS|ID|URL" ends links and their
 * sessions at once; "--list ADDRESS" shows them.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "store_web.h"
#include "web.h"
#include "log.h"

static int
fail(GError *e)
{
	int	 rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;

	log_warnx("%s", e->message);
	g_error_free(e);
	return rc;
}

static int
mint(struct cli *c)
{
	GError	*e = NULL;
	char	*link;
	int64_t	 ticket = 0;
	int	 rc;

	if (c->argc > 3 || strchr(c->argv[1], '@') == NULL ||
	    (c->argc == 3 && !text_to_id(&ticket, c->argv[2])))
		return cli_usage(c);
	if (c->config->web_link_key == NULL || *c->config->web_link_key == 0) {
		log_warnx("set [web] link_key in %s to make "
		    "customer links", c->config->path != NULL ?
		    c->config->path : "postdesk.conf");
		return EX_CONFIG;
	}
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!web_link_mint(c->config, c->store, c->argv[1], ticket,
	    (int64_t)time(NULL), &link, &e))
		return fail(e);
	printf("%s\n", link);
	g_free(link);
	return EX_OK;
}

/*
 * The link id in ARG: a bare id, a token "ID.MAC" or a whole URL with
 * ?t=; NULL if it is none of those.  g_free.
 */
static char *
link_id_of(const char *arg)
{
	const char	*t = strstr(arg, "t=");
	size_t		 n, i;

	t = t != NULL ? t + 2 : arg;
	n = strcspn(t, ".&#");
	if (n != WEB_LINK_ID_LEN)
		return NULL;
	for (i = 0; i < n; i++)
		if (!g_ascii_isxdigit(t[i]))
			return NULL;
	return g_ascii_strdown(t, (gssize)n);
}

static int
link_revoke(struct cli *c, const char *arg)
{
	struct store_web_link *l = NULL;
	GError	*e = NULL;
	char	*id = NULL;
	int64_t	 links, sessions;
	int	 rc;

	if (strchr(arg, '@') == NULL && (id = link_id_of(arg)) == NULL)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		goto out;
	if (id != NULL && !store_web_link_get(c->store, id, &l, &e)) {
		rc = fail(e);
		goto out;
	}
	if (id != NULL && l == NULL) {
		log_warnx("no link %s", id);
		rc = EX_NOINPUT;
		goto out;
	}
	if (!store_begin(c->store, &e) || !store_web_revoke(c->store,
	    id == NULL ? arg : NULL, id, (int64_t)time(NULL), &links,
	    &sessions, &e) || !store_commit(c->store, &e)) {
		store_rollback(c->store);
		rc = fail(e);
		goto out;
	}
	printf("%s: revoked %" G_GINT64_FORMAT " link%s and %" G_GINT64_FORMAT
	    " session%s%s%s%s\n", id != NULL ? id : arg, links, links == 1 ?
	    "" : "s", sessions, sessions == 1 ? "" : "s",
	    l != NULL && links == 0 ? " (it was already " : "",
	    l != NULL && links == 0 ? web_link_state_to_text(web_link_decide(l,
	    (int64_t)time(NULL))) : "", l != NULL && links == 0 ? ")" : "");
out:
	store_web_link_free(l);
	g_free(id);
	return rc;
}

static char *
when(int64_t t)
{
	GDateTime	*d = t > 0 ? g_date_time_new_from_unix_local(t) : NULL;
	char		*s = d != NULL ? g_date_time_format(d, "%Y-%m-%d %H:%M") :
	    g_strdup("-");

	if (d != NULL)
		g_date_time_unref(d);
	return s;
}

static void
print_link(const struct store_web_link *l, int64_t now)
{
	char	*c = when(l->created), *x = when(l->expires), *u = when(l->used);

	printf("link    %s  %-16s  %-16s  %-16s  %6" G_GINT64_FORMAT "  %s\n",
	    l->id, c, x, u, l->ticket, web_link_state_to_text(
	    web_link_decide(l, now)));
	g_free(c);
	g_free(x);
	g_free(u);
}

static void
print_session(const struct store_web_session *s, int64_t now)
{
	char	*c = when(s->created), *x = when(s->expires),
		*u = when(s->last_seen);

	/* The link's id, not the session's: that is what --revoke takes. */
	printf("session %s  %-16s  %-16s  %-16s  %6s  %s\n", s->link_id, c,
	    x, u, "", web_link_state_to_text(web_link_session_decide(s,
	    now)));
	g_free(c);
	g_free(x);
	g_free(u);
}

static int
link_list(struct cli *c, const char *addr)
{
	GPtrArray	*links, *sessions;
	GError		*e = NULL;
	int64_t		 now = (int64_t)time(NULL);
	guint		 i;
	int		 rc;

	if (strchr(addr, '@') == NULL)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_web_links_of(c->store, addr, &links, &e))
		return fail(e);
	if (!store_web_sessions_of(c->store, addr, 0, &sessions, &e)) {
		g_ptr_array_unref(links);
		return fail(e);
	}
	printf("%-7s %-32s  %-16s  %-16s  %-16s  %6s  %s\n", "WHAT", "LINK",
	    "CREATED", "EXPIRES", "USED / SEEN", "TICKET", "STATE");
	for (i = 0; i < links->len; i++)
		print_link(links->pdata[i], now);
	for (i = 0; i < sessions->len; i++)
		print_session(sessions->pdata[i], now);
	g_ptr_array_unref(links);
	g_ptr_array_unref(sessions);
	return EX_OK;
}

int
cli_link(struct cli *c)
{
	if (c->argc == 3 && strcmp(c->argv[1], "--revoke") == 0)
		return link_revoke(c, c->argv[2]);
	if (c->argc == 3 && strcmp(c->argv[1], "--list") == 0)
		return link_list(c, c->argv[2]);
	if (cli_is_ticket_pair(c))
		return cli_ticket_link(c);
	if (c->argc < 2 || c->argv[1][0] == '-')
		return cli_usage(c);
	return mint(c);
}
