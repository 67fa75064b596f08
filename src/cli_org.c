/*
 * cli_org: organizations, their members and attributes.
 *
 *   postdesk org add NAME
 *   postdesk org member add NAME ADDRESS ROLE [DISPLAY NAME]
 *   postdesk org member remove NAME ADDRESS
 *   postdesk org set NAME ATTRIBUTE VALUE
 *   postdesk org unset NAME ATTRIBUTE
 *   postdesk org show NAME
 *   postdesk org list [NAME]
 *
 * ROLE is one of [roles] (roles.h; by default primary, advanced,
 * secondary).
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "text.h"
#include "log.h"
#include "roles.h"

/* Attribute names: what Sieve tests and preclose_after[ATTR] name. */
static bool
valid_attr(const char *a)
{
	size_t	 n = strlen(a);

	return n > 0 && n <= 64 && g_ascii_isalnum(a[0]) &&
	    strspn(a, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
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

	const char *role = roles_name(c->config->roles, c->argv[5]);

	if (role == NULL) {
		char	*list = roles_list_text(c->config->roles);

		log_warnx("unknown role \"%s\" (the roles of [roles]: %s)",
		    c->argv[5], list);
		g_free(list);
		return EX_USAGE;
	}
	if (strchr(c->argv[4], '@') == NULL)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	name = c->argc > 6 ? g_strjoinv(" ", c->argv + 6) : NULL;
	if (!store_org_member_add(c->store, c->argv[3], c->argv[4], name,
	    role, &e)) {
		g_free(name);
		return fail(e);
	}
	printf("%s is now a %s member of %s\n", c->argv[4], role,
	    c->argv[3]);
	g_free(name);
	return EX_OK;
}

static int
member_remove(struct cli *c)
{
	GError	*e = NULL;
	int	 rc;

	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!store_org_member_remove(c->store, c->argv[3], c->argv[4], &e))
		return fail(e);
	printf("%s is no longer a member of %s\n", c->argv[4], c->argv[3]);
	return EX_OK;
}

/* org set NAME ATTR VALUE, org unset NAME ATTR */
static int
attr_set(struct cli *c, bool unset)
{
	GError	*e = NULL;
	int	 rc;

	if (!valid_attr(c->argv[3])) {
		log_warnx("\"%s\": an attribute name is letters, digits, "
		    "-, _ and .", c->argv[3]);
		return EX_USAGE;
	}
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!store_org_attr_set(c->store, c->argv[2], c->argv[3],
	    unset ? NULL : c->argv[4], &e))
		return fail(e);
	if (unset)
		printf("%s: %s removed\n", c->argv[2], c->argv[3]);
	else {
		printf("%s: %s = ", c->argv[2], c->argv[3]);
		tty_puts(c->argv[4], stdout);
		putchar('\n');
	}
	return EX_OK;
}

static void
print_members(const GPtrArray *a)
{
	guint	 i;

	for (i = 0; i < a->len; i++) {
		const struct org_member *m = a->pdata[i];

		if (m->address == NULL)
			continue;
		printf("  %-10s %s", m->role, m->address);
		if (m->name != NULL) {
			fputs("  ", stdout);
			tty_puts(m->name, stdout);
		}
		putchar('\n');
	}
}

/* org show NAME: members with their rights, then the attributes. */
static int
org_show(struct cli *c)
{
	GPtrArray	*a = NULL, *at = NULL;
	GHashTable	*seen;
	GError		*e = NULL;
	guint		 i;
	int		 rc;

	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_org_members(c->store, c->argv[2], &a, &e))
		return fail(e);
	if (a->len == 0) {
		g_ptr_array_free(a, TRUE);
		log_warnx("no organization \"%s\"", c->argv[2]);
		return EX_NOINPUT;
	}
	if (!store_org_attrs(c->store, c->argv[2], &at, &e)) {
		g_ptr_array_free(a, TRUE);
		return fail(e);
	}
	tty_puts(((struct org_member *)a->pdata[0])->org, stdout);
	fputs("\nmembers:\n", stdout);
	print_members(a);
	fputs("rights:\n", stdout);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < a->len; i++) {
		const struct org_member *m = a->pdata[i];
		char	*r;

		if (m->address == NULL || !g_hash_table_add(seen, m->role))
			continue;
		r = roles_rights_text(roles_rights(c->config->roles,
		    m->role));
		printf("  %-10s %s%s\n", m->role, r,
		    roles_known(c->config->roles, m->role) ? "" :
		    " (role not in [roles])");
		g_free(r);
	}
	g_hash_table_destroy(seen);
	fputs("attributes:\n", stdout);
	for (i = 0; i < at->len; i++) {
		const char *p = at->pdata[i], *eq = strchr(p, '=');

		printf("  %.*s = ", (int)(eq - p), p);
		tty_puts(eq + 1, stdout);
		putchar('\n');
	}
	g_ptr_array_free(at, TRUE);
	g_ptr_array_free(a, TRUE);
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
	if (c->argc == 5 && strcmp(c->argv[1], "member") == 0 &&
	    strcmp(c->argv[2], "remove") == 0)
		return member_remove(c);
	if (c->argc == 5 && strcmp(c->argv[1], "set") == 0)
		return attr_set(c, false);
	if (c->argc == 4 && strcmp(c->argv[1], "unset") == 0)
		return attr_set(c, true);
	if (c->argc == 3 && strcmp(c->argv[1], "show") == 0)
		return org_show(c);
	if ((c->argc == 2 || c->argc == 3) && strcmp(c->argv[1], "list") == 0)
		return org_list(c);
	return cli_usage(c);
}
