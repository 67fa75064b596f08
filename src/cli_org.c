/*
 * cli_org: organizations and their members.
 *
 *   postdesk org add NAME
 *   postdesk org member add NAME ADDRESS primary|advanced|secondary
 *                [DISPLAY NAME]
 *   postdesk org list [NAME]
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "text.h"
#include "log.h"

static bool
valid_role(const char *r)
{
	return strcmp(r, "primary") == 0 || strcmp(r, "advanced") == 0 ||
	    strcmp(r, "secondary") == 0;
}

static int
fail(GError *e)
{
	int	 rc = g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND) ?
	    EX_NOINPUT : g_error_matches(e, STORE_ERROR,
	    STORE_ERROR_CONSTRAINT) ? EX_DATAERR :
	    store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;

	log_warnx("%s", e->message);
	g_error_free(e);
	return rc;
}

static int
org_add(struct cli *c)
{
	GError	*e = NULL;
	int64_t	 id;
	int	 rc;

	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!store_org_add(c->store, c->argv[2],
	    g_get_real_time() / G_USEC_PER_SEC, &id, &e))
		return fail(e);
	printf("organization %s added\n", c->argv[2]);
	return EX_OK;
}

static int
member_add(struct cli *c)
{
	GError	*e = NULL;
	char	*name;
	int	 rc;

	if (!valid_role(c->argv[5]) || strchr(c->argv[4], '@') == NULL)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	name = c->argc > 6 ? g_strjoinv(" ", c->argv + 6) : NULL;
	if (!store_org_member_add(c->store, c->argv[3], c->argv[4], name,
	    c->argv[5], &e)) {
		g_free(name);
		return fail(e);
	}
	printf("%s is now a %s member of %s\n", c->argv[4], c->argv[5],
	    c->argv[3]);
	g_free(name);
	return EX_OK;
}

static int
org_list(struct cli *c)
{
	GPtrArray	*a;
	GError		*e = NULL;
	const char	*last = NULL;
	guint		 i;
	int		 rc;

	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_org_members(c->store, c->argc > 2 ? c->argv[2] : NULL, &a,
	    &e))
		return fail(e);
	for (i = 0; i < a->len; i++) {
		const struct org_member *m = a->pdata[i];

		if (last == NULL || strcmp(last, m->org) != 0) {
			tty_puts(m->org, stdout);
			putchar('\n');
			last = m->org;
		}
		if (m->address == NULL)
			continue;
		printf("  %-10s %s", m->role, m->address);
		if (m->name != NULL) {
			fputs("  ", stdout);
			tty_puts(m->name, stdout);
		}
		putchar('\n');
	}
	g_ptr_array_free(a, TRUE);
	return EX_OK;
}

int
cli_org(struct cli *c)
{
	if (c->argc == 3 && strcmp(c->argv[1], "add") == 0)
		return org_add(c);
	if (c->argc >= 6 && strcmp(c->argv[1], "member") == 0 &&
	    strcmp(c->argv[2], "add") == 0)
		return member_add(c);
	if ((c->argc == 2 || c->argc == 3) && strcmp(c->argv[1], "list") == 0)
		return org_list(c);
	return cli_usage(c);
}
