/*
 * cli_staff: staff accounts (staff.h).
 *
 *   postdesk staff add ADDRESS [--name N] [--queues Q,...]
 *                [--role agent|lead|admin] [--notify all|mine|none]
 *   postdesk staff set ADDRESS [the same options]
 *   postdesk staff disable|enable ADDRESS
 *   postdesk staff list [--json]
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <json-glib/json-glib.h>

#include "cli.h"
#include "log.h"
#include "staff.h"
#include "store_staff.h"
#include "text.h"

static int
fail(GError *e)
{
	int	 rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_SOFTWARE;

	log_warnx("%s", e->message);
	g_error_free(e);
	return rc;
}

/* "--opt V" or "--opt=V" at argv[*i]: *v the value, *i moved on. */
static bool
option(struct cli *c, int *i, const char *name, const char **v)
{
	const char	*a = c->argv[*i];
	size_t		 n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return false;
	if (a[n] == '=') {
		*v = a + n + 1;
		return true;
	}
	if (a[n] != '\0' || *i + 1 >= c->argc)
		return false;
	*v = c->argv[++*i];
	return true;
}

/* The options of add and set, from argv[3] on, onto S; false (and a
 * message) for a bad one. */
static bool
apply_options(struct cli *c, struct staff *s)
{
	const char	*v;
	int		 i;

	for (i = 3; i < c->argc; i++) {
		if (option(c, &i, "--name", &v)) {
			g_free(s->name);
			s->name = *v != '\0' ? g_strdup(v) : NULL;
		} else if (option(c, &i, "--queues", &v)) {
			char	**q;

			if (!text_to_staff_queues(&q, v)) {
				log_warnx("--queues: \"%s\" is not a list of "
				    "queue names (a-z, 0-9, -_.)", v);
				return false;
			}
			g_strfreev(s->queues);
			s->queues = q;
		} else if (option(c, &i, "--role", &v)) {
			if (!text_to_staff_role(&s->role, v)) {
				log_warnx("--role is agent, lead or admin");
				return false;
			}
		} else if (option(c, &i, "--notify", &v)) {
			if (!text_to_staff_notify(&s->notify, v)) {
				log_warnx("--notify is all, mine or none");
				return false;
			}
		} else {
			log_warnx("unknown option %s", c->argv[i]);
			return false;
		}
	}
	/* An agent without queues could work nothing at all. */
	if (s->role != STAFF_ADMIN && s->queues[0] == NULL) {
		log_warnx("%s: an %s works the queues given: --queues is "
		    "needed", s->address, staff_role_to_text(s->role));
		return false;
	}
	return true;
}

static bool
address_ok(struct cli *c, const char *a)
{
	const char	*at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strchr(at + 1, '@') ||
	    strpbrk(a, " \t\r\n<>,;\"") != NULL) {
		log_warnx("\"%s\" is not a mail address", a);
		return false;
	}
	if (config_is_own_address(c->config, a)) {
		log_warnx("%s is one of postdesk's own addresses", a);
		return false;
	}
	return true;
}

/* add (ADD) or set: the whole account, written in one statement. */
static int
staff_put(struct cli *c, bool add)
{
	struct staff	*s = NULL;
	GError		*e = NULL;
	char		*q;
	bool		 any = false, added = false;
	int		 rc;

	if (c->argc < 3 || !address_ok(c, c->argv[2]))
		return c->argc < 3 ? cli_usage(c) : EX_DATAERR;
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!store_staff_any(c->store, &any, &e) ||
	    !store_staff_get(c->store, c->argv[2], &s, &e))
		return fail(e);
	if (add && s != NULL) {
		log_warnx("%s is already a staff account: use \"postdesk "
		    "staff set\"", s->address);
		staff_free(s);
		return EX_DATAERR;
	}
	if (!add && s == NULL) {
		log_warnx("%s is no staff account: use \"postdesk staff "
		    "add\"", c->argv[2]);
		return EX_NOINPUT;
	}
	if (s == NULL)
		s = staff_new(c->argv[2]);
	if (!apply_options(c, s)) {
		staff_free(s);
		return 1;	/* a usage error, as everywhere */
	}
	if (!store_staff_put(c->store, s, g_get_real_time() / G_USEC_PER_SEC,
	    &added, &e)) {
		staff_free(s);
		return fail(e);
	}
	q = staff_queues_to_text(s->queues);
	printf("%s %s: %s of %s, notify %s\n", added ? "added" : "updated",
	    s->address, staff_role_to_text(s->role), *q ? q : "every queue",
	    staff_notify_to_text(s->notify));
	g_free(q);
	if (!any && c->config->staff_addresses[0] != NULL)
		log_warnx("note: the store has staff accounts now; [staff] "
		    "addresses grant no authority any more (add the ones who "
		    "still work here)");
	staff_free(s);
	return EX_OK;
}

static int
staff_able(struct cli *c, bool disable)
{
	struct staff	*s = NULL;
	GError		*e = NULL;
	int		 rc;

	if (c->argc != 3)
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READWRITE)) != EX_OK)
		return rc;
	if (!store_staff_get(c->store, c->argv[2], &s, &e))
		return fail(e);
	if (s == NULL) {
		log_warnx("%s is no staff account", c->argv[2]);
		return EX_NOINPUT;
	}
	s->disabled = disable;
	if (!store_staff_put(c->store, s, g_get_real_time() / G_USEC_PER_SEC,
	    NULL, &e)) {
		staff_free(s);
		return fail(e);
	}
	printf("%s %s\n", disable ? "disabled" : "enabled", s->address);
	staff_free(s);
	return EX_OK;
}

static void
json_one(JsonBuilder *b, const struct staff *s)
{
	size_t	 i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "address");
	json_builder_add_string_value(b, s->address);
	json_builder_set_member_name(b, "name");
	if (s->name != NULL)
		json_builder_add_string_value(b, s->name);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "role");
	json_builder_add_string_value(b, staff_role_to_text(s->role));
	json_builder_set_member_name(b, "queues");
	json_builder_begin_array(b);
	for (i = 0; s->queues[i] != NULL; i++)
		json_builder_add_string_value(b, s->queues[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "notify");
	json_builder_add_string_value(b, staff_notify_to_text(s->notify));
	json_builder_set_member_name(b, "disabled");
	json_builder_add_boolean_value(b, s->disabled);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, s->bootstrap ? "config" : "store");
	json_builder_end_object(b);
}

static void
print_json(const struct staff_dir *d)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*out;
	guint		 i;

	json_builder_begin_array(b);
	for (i = 0; i < d->all->len; i++)
		json_one(b, d->all->pdata[i]);
	json_builder_end_array(b);
	root = json_builder_get_root(b);
	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	puts(out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

static void
print_text(const struct staff_dir *d)
{
	guint	 i;

	if (d->bootstrap)
		printf("# no staff accounts: [staff] addresses are the "
		    "staff, admins of every queue\n");
	for (i = 0; i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];
		char	*q = staff_queues_to_text(s->queues);

		printf("%-32s %-5s %-20s notify=%-4s %s", s->address,
		    staff_role_to_text(s->role), *q ? q : "*",
		    staff_notify_to_text(s->notify), s->disabled ?
		    "disabled" : "enabled");
		if (s->name != NULL) {
			fputs("  ", stdout);
			tty_puts(s->name, stdout);
		}
		putchar('\n');
		g_free(q);
	}
}

static int
staff_list(struct cli *c)
{
	struct staff_dir *d = NULL;
	GError		*e = NULL;
	bool		 json = c->argc == 3 && strcmp(c->argv[2], "--json") == 0;
	int		 rc;

	if (c->argc > 3 || (c->argc == 3 && !json))
		return cli_usage(c);
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!staff_dir_load(c->store, c->config, &d, &e))
		return fail(e);
	if (json)
		print_json(d);
	else
		print_text(d);
	staff_dir_free(d);
	return EX_OK;
}

int
cli_staff(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";

	if (strcmp(sub, "add") == 0 || strcmp(sub, "set") == 0)
		return staff_put(c, strcmp(sub, "add") == 0);
	if (strcmp(sub, "disable") == 0 || strcmp(sub, "enable") == 0)
		return staff_able(c, strcmp(sub, "disable") == 0);
	if (strcmp(sub, "list") == 0)
		return staff_list(c);
	return cli_usage(c);
}
