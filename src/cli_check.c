/*
 * cli_check: postdesk check [--json] — like "postfix check": reads the
 * configuration as every program does and says what is wrong, one line
 * per problem; exit 0 when clean, 1 otherwise, so monitoring can call
 * it.  Writes nothing: the store is opened read-only.
 *
 * Run as root, the permissions are judged for the user the programs
 * run as: the "postdesk" user if it exists, else the owner of the state
 * directory.  Run as anyone else, for that user; with --user NAME, for
 * NAME (the web server's user, say).  Then, like every program, it
 * becomes the state directory's owner and reads the store, templates
 * and rules as that user.
 */
#include "pdconfig.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "check.h"
#include "roles.h"
#include "cli.h"
#include "log.h"
#include "lifecycle_apply.h"
#include "staff.h"
#include "rules.h"
#include "runas.h"
#include "text.h"

#define CHECK_USER		"postdesk"
/* A timer this long past due means postdesk tick is not running (the
 * shipped timer runs every 5 minutes). */
#define CHECK_TICK_GRACE	3600
/* Rows and tickets listed one by one; the rest are counted. */
#define CHECK_LIST_MAX		20
#define CHECK_GROUPS_MAX	256

/* The user whose access is judged. */
struct who {
	uid_t		 uid;
	gid_t		 groups[CHECK_GROUPS_MAX];
	size_t		 n;
	char		*name;
	const char	*why;
	bool		 self;		/* this process: access(2) decides */
};

static void
who_groups(struct who *w, const struct passwd *pw)
{
	int	 n = CHECK_GROUPS_MAX;

	w->uid = pw->pw_uid;
	w->name = g_strdup(pw->pw_name);
	if (getgrouplist(pw->pw_name, pw->pw_gid, w->groups, &n) < 0)
		n = CHECK_GROUPS_MAX;
	w->n = (size_t)n;
}

/* --user NAME: judge for NAME (e.g. the web server's user). */
static bool
who_named(struct who *w, const char *name)
{
	struct passwd	*pw = getpwnam(name);

	memset(w, 0, sizeof *w);
	if (pw == NULL)
		return false;
	w->why = "named with --user";
	who_groups(w, pw);
	return true;
}

static void
who_fill(struct who *w, const char *state_dir)
{
	struct passwd	*pw;
	struct stat	 st;

	memset(w, 0, sizeof *w);
	if (geteuid() != 0 || ((pw = getpwnam(CHECK_USER)) == NULL &&
	    (stat(state_dir, &st) != 0 || st.st_uid == 0 ||
	    (pw = getpwuid(st.st_uid)) == NULL))) {
		w->self = true;
		w->uid = geteuid();
		pw = getpwuid(w->uid);
		w->name = pw != NULL ? g_strdup(pw->pw_name) :
		    g_strdup_printf("uid %u", (unsigned)w->uid);
		w->why = "the user it runs as";
		return;
	}
	w->why = strcmp(pw->pw_name, CHECK_USER) == 0 ? "the postdesk user" :
	    "the owner of the state directory";
	who_groups(w, pw);
}

static bool
who_may(const struct who *w, const char *path, const struct stat *st,
    int want)
{
	return w->self ? access(path, want) == 0 :
	    check_may(st, w->uid, w->groups, w->n, want);
}

/* "owner postdesk:postdesk, mode 2770" */
static char *
owner_text(const struct stat *st)
{
	struct passwd	*pw = getpwuid(st->st_uid);
	struct group	*gr = getgrgid(st->st_gid);
	char		 u[32], g[32];

	g_snprintf(u, sizeof u, "%u", (unsigned)st->st_uid);
	g_snprintf(g, sizeof g, "%u", (unsigned)st->st_gid);
	return g_strdup_printf("owner %s:%s, mode %04o",
	    pw != NULL ? pw->pw_name : u, gr != NULL ? gr->gr_name : g,
	    (unsigned)(st->st_mode & 07777));
}

/* PATH, if it exists, must allow WANT to W.  False if it is missing. */
static bool
check_file(GPtrArray *a, const struct who *w, const char *area,
    const char *path, int want)
{
	struct stat	 st;
	char		*o;

	if (stat(path, &st) != 0)
		return false;
	if (!who_may(w, path, &st, want)) {
		o = owner_text(&st);
		check_add(a, area, "%s: %s (%s) cannot %s it: %s", path,
		    w->name, w->why, check_want_to_text(want), o);
		g_free(o);
	}
	return true;
}

static void
check_store_access(GPtrArray *a, const struct who *w, const char *db)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	char	*dir = g_path_get_dirname(db);
	size_t	 i;

	if (!check_file(a, w, "store", dir, W_OK | X_OK))
		check_add(a, "store", "%s: the state directory does not exist",
		    dir);
	else if (!check_file(a, w, "store", db, R_OK | W_OK))
		check_add(a, "store", "%s: no database: run \"postdesk init\" "
		    "as %s", db, w->name);
	for (i = 0; i < G_N_ELEMENTS(sfx); i++) {
		char	*p = g_strconcat(db, sfx[i], NULL);

		(void)check_file(a, w, "store", p, R_OK | W_OK);
		g_free(p);
	}
	g_free(dir);
}

static void
check_outbox(GPtrArray *a, struct store *s)
{
	struct outbox_filter f = { .status = "failed" };
	GPtrArray	*rows = NULL;
	GError		*e = NULL;
	guint		 i;

	if (!store_outbox_list(s, &f, &rows, &e)) {
		check_add(a, "outbox", "%s", e->message);
		g_error_free(e);
		return;
	}
	for (i = 0; i < rows->len && i < CHECK_LIST_MAX; i++) {
		const struct outbox_row *r = rows->pdata[i];
		char	*t = r->ticket_id > 0 ? g_strdup_printf("ticket #%"
		    G_GINT64_FORMAT ", ", r->ticket_id) : g_strdup("");

		check_add(a, "outbox", "#%" G_GINT64_FORMAT " (%s%s to %s) "
		    "failed after %" G_GINT64_FORMAT " attempts: %s; "
		    "\"postdesk outbox retry --failed\" sends it again", r->id,
		    t, r->kind, r->recipient, r->attempts,
		    r->last_error != NULL ? r->last_error : "?");
		g_free(t);
	}
	if (rows->len > CHECK_LIST_MAX)
		check_add(a, "outbox", "%u more failed rows: postdesk outbox "
		    "list --status failed", rows->len - CHECK_LIST_MAX);
	g_ptr_array_free(rows, TRUE);
}

/* The default life cycle's final statuses as a JSON array. */
static char *
final_json(const struct config *c)
{
	const struct lifecycle *lc = lifecycle_for(c->lifecycle, NULL);
	JsonBuilder	*b = json_builder_new();
	JsonNode	*root;
	char		*s;
	size_t		 i;

	json_builder_begin_array(b);
	for (i = 0; lc->final != NULL && lc->final[i] != NULL; i++)
		json_builder_add_string_value(b, lc->final[i]);
	json_builder_end_array(b);
	root = json_builder_get_root(b);
	s = json_to_string(root, FALSE);
	json_node_unref(root);
	g_object_unref(b);
	return s;
}

/* Ticket ID has a timer that fell due before NOW - grace: *line. */
static bool
overdue_one(struct store *s, const struct config *c, int64_t id,
    int64_t now, char **line, GError **err)
{
	struct ticket	*t = NULL;
	struct ticket_times tt;
	struct lc_ticket f;
	struct lc_verdict v;
	int64_t		 due;
	char		*when, **attrs = NULL;

	*line = NULL;
	if (!store_ticket_get(s, id, &t, err) ||
	    !store_ticket_times(s, id, &tt, err) ||
	    !store_org_attrs_of(s, t->requester, &attrs, err)) {
		ticket_free(t);
		return false;
	}
	lifecycle_apply_facts(t, &tt, &f);
	f.org_attrs = (const char *const *)attrs;
	lifecycle_due(lifecycle_apply_lc(c, t), &f, now - CHECK_TICK_GRACE,
	    &v, &due);
	if (v.effect == LC_EFFECT_STATUS) {
		when = text_time(due);
		*line = g_strdup_printf("ticket #%" G_GINT64_FORMAT ": %s → %s "
		    "was due %s and is not applied: is \"postdesk tick\" "
		    "running (postdesk-tick.timer)?", id, t->status, v.to,
		    when);
		g_free(when);
	}
	g_strfreev(attrs);
	ticket_free(t);
	return true;
}

static void
check_timers(GPtrArray *a, struct store *s, const struct config *c)
{
	GArray	*ids = NULL;
	GError	*e = NULL;
	char	*json = final_json(c), *line;
	int64_t	 now = g_get_real_time() / G_USEC_PER_SEC;
	guint	 i, n = 0;
	bool	 ok;

	ok = store_ticket_ids_not_in(s, json, &ids, &e);
	g_free(json);
	for (i = 0; ok && i < ids->len; i++) {
		ok = overdue_one(s, c, g_array_index(ids, int64_t, i), now,
		    &line, &e);
		if (line != NULL && n++ < CHECK_LIST_MAX)
			check_add(a, "timers", "%s", line);
		g_free(line);
	}
	if (n > CHECK_LIST_MAX)
		check_add(a, "timers", "%u more tickets with overdue timers",
		    n - CHECK_LIST_MAX);
	if (!ok) {
		check_add(a, "timers", "%s", e->message);
		g_error_free(e);
	}
	if (ids != NULL)
		g_array_free(ids, TRUE);
}

/* Members whose role [roles] does not list have no right at all: a
 * profile changed under them (e.g. Xentral's roles over X-Cart's). */
static void
check_members(GPtrArray *a, struct store *s, const struct config *c)
{
	GPtrArray	*m = NULL;
	GHashTable	*n;
	GHashTableIter	 it;
	gpointer	 k, v;
	GError		*e = NULL;
	guint		 i;

	if (!store_org_members(s, NULL, &m, &e)) {
		check_add(a, "members", "%s", e->message);
		g_error_free(e);
		return;
	}
	n = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; i < m->len; i++) {
		const struct org_member *om = m->pdata[i];

		if (om->address != NULL && !roles_known(c->roles, om->role))
			g_hash_table_insert(n, g_strdup(om->role),
			    GUINT_TO_POINTER(GPOINTER_TO_UINT(
			    g_hash_table_lookup(n, om->role)) + 1));
	}
	g_hash_table_iter_init(&it, n);
	while (g_hash_table_iter_next(&it, &k, &v))
		check_add(a, "members", "%u member(s) have the role \"%s\", "
		    "which [roles] does not list: they have no rights "
		    "(postdesk org member add NAME ADDRESS ROLE)",
		    GPOINTER_TO_UINT(v), (const char *)k);
	g_hash_table_destroy(n);
	g_ptr_array_free(m, TRUE);
}

static void
check_store(GPtrArray *a, const struct who *w, const struct config *c)
{
	struct store	*s = NULL;
	struct staff_dir *d = NULL;
	GError		*e = NULL;
	size_t		 before = a->len;

	/* A server's permissions are its own business. */
	if (c->store_url == NULL)
		check_store_access(a, w, c->store_path);
	/*
	 * The permissions were judged with root's eyes; the rest is read as
	 * the programs read it, as the state directory's owner.  It also
	 * keeps SQLite from creating a root-owned -shm under a running
	 * ingest.
	 */
	if (!runas_state_owner(c->store_path, NULL, &e)) {
		check_add(a, "store", "%s", e->message);
		g_error_free(e);
		return;
	}
	if (a->len > before && c->store_url == NULL &&
	    !g_file_test(c->store_path, G_FILE_TEST_EXISTS))
		return;
	if (!store_open_busy(&s, config_store(c), STORE_READONLY,
	    (int)c->busy_timeout, &e)) {
		check_add(a, "store", "%s", e->message);
		g_error_free(e);
		return;
	}
	check_outbox(a, s);
	check_timers(a, s, c);
	check_members(a, s, c);
	if (staff_dir_load(s, c, &d, &e)) {
		check_staff(a, c, d);
		staff_dir_free(d);
	} else {
		check_add(a, "store", "%s", e->message);
		g_error_free(e);
	}
	store_close(s);
}

static void
check_rules(GPtrArray *a, const struct config *c)
{
	struct rules	*r = NULL;
	GError		*e = NULL;

	if (rules_load(&r, c->rules_scripts, &e)) {
		rules_free(r);
		return;
	}
	check_add(a, "rules", "%s", e->message);
	g_error_free(e);
}

/*
 * The programs read the file as W: it must be readable by W.  It holds
 * the keys that sign reply tokens and links: not for every local user.
 */
static bool
has_client_secret(const struct config *c)
{
	struct config_oauth2 *const *o;

	for (o = c->oauth2s; o != NULL && *o != NULL; o++)
		if ((*o)->client_secret != NULL)
			return true;
	return false;
}

/* An account in use: signed in, its token file the user's alone. */
static void
check_oauth2(GPtrArray *a, const struct who *w, const struct config *c,
    const char *name)
{
	const struct config_oauth2 *o = config_oauth2(c, name);
	struct stat	 st;

	if (o == NULL)
		return;
	if (stat(o->token_file, &st) != 0) {
		check_add(a, "oauth2", "[oauth2.%s]: not signed in (no %s): "
		    "run \"postdesk oauth2 login %s\"", name, o->token_file,
		    name);
		return;
	}
	(void)check_file(a, w, "oauth2", o->token_file, R_OK | W_OK);
	if ((st.st_mode & 077) != 0)
		check_add(a, "oauth2", "%s: holds a refresh token but has "
		    "mode %04o: chmod 0600", o->token_file,
		    (unsigned)(st.st_mode & 07777));
}

static void
check_config_file(GPtrArray *a, const struct who *w, const struct config *c)
{
	struct stat	 st;

	if (c->path == NULL)
		return;
	if (!w->self)
		(void)check_file(a, w, "config", c->path, R_OK);
	if (stat(c->path, &st) == 0 && (st.st_mode & S_IROTH) != 0 &&
	    (c->token_key != NULL || c->web_link_key != NULL ||
	    c->smtp_password != NULL || c->fetch_password != NULL ||
	    has_client_secret(c)))
		check_add(a, "config", "%s: readable by everyone (mode %04o) "
		    "and holds secrets: chmod 0640, group postdesk", c->path,
		    (unsigned)(st.st_mode & 07777));
}

static void
print_json(const struct who *w, const char *config, GPtrArray *a)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*s;
	guint		 i;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, a->len == 0);
	json_builder_set_member_name(b, "config");
	if (config != NULL)
		json_builder_add_string_value(b, config);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "user");
	json_builder_add_string_value(b, w->name != NULL ? w->name : "");
	json_builder_set_member_name(b, "user_is");
	json_builder_add_string_value(b, w->why != NULL ? w->why : "");
	json_builder_set_member_name(b, "problems");
	json_builder_begin_array(b);
	for (i = 0; i < a->len; i++) {
		const struct check_problem *p = a->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "area");
		json_builder_add_string_value(b, p->area);
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, p->message);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_pretty(g, TRUE);
	json_generator_set_root(g, root);
	s = json_generator_to_data(g, NULL);
	puts(s);
	g_free(s);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

static void
run_checks(GPtrArray *a, const struct who *w, const struct config *c)
{
	check_config_file(a, w, c);
	check_store(a, w, c);
	check_oauth2(a, w, c, c->fetch_oauth2);
	if (c->smtp_oauth2 != NULL && (c->fetch_oauth2 == NULL ||
	    strcmp(c->smtp_oauth2, c->fetch_oauth2) != 0))
		check_oauth2(a, w, c, c->smtp_oauth2);
	check_templates(a, c->templates_dir);
	check_queue_templates(a, c);
	check_rules(a, c);
	check_key(a, "[mail] token_key", c->token_key);
	check_key(a, "[web] link_key", c->web_link_key);
	check_base_url(a, c->web_base_url);
	check_addresses(a, c);
}

int
cli_check(struct cli *c)
{
	GPtrArray	*a = check_problems_new();
	struct who	 w;
	char		*dir;
	const char	*user = NULL;
	bool		 json = false;
	int		 i, rc;

	for (i = 1; i < c->argc; i++) {
		if (strcmp(c->argv[i], "--json") == 0)
			json = true;
		else if (strcmp(c->argv[i], "--user") == 0 && i + 1 < c->argc)
			user = c->argv[++i];
		else {
			g_ptr_array_free(a, TRUE);
			return cli_usage(c);
		}
	}
	if (user != NULL && !who_named(&w, user)) {
		log_warnx("check: no user %s", user);
		g_ptr_array_free(a, TRUE);
		return EX_NOUSER;
	}
	dir = c->config != NULL ? g_path_get_dirname(c->config->store_path) :
	    g_strdup("/");
	if (user == NULL)
		who_fill(&w, dir);
	g_free(dir);
	/* A file the programs refuse: that one line says it all. */
	if (c->config == NULL)
		check_add(a, "config", "%s", c->config_error != NULL ?
		    c->config_error->message : "cannot be read");
	else
		run_checks(a, &w, c->config);
	if (json)
		print_json(&w, c->config != NULL ? c->config->path :
		    c->config_path != NULL ? c->config_path :
		    g_getenv("POSTDESK_CONFIG") != NULL ?
		    g_getenv("POSTDESK_CONFIG") : POSTDESK_CONFIG_PATH, a);
	for (i = 0; !json && i < (int)a->len; i++) {
		const struct check_problem *p = a->pdata[i];

		printf("%s: ", p->area);
		tty_puts(p->message, stdout);
		putchar('\n');
	}
	rc = a->len == 0 ? EX_OK : 1;
	g_ptr_array_free(a, TRUE);
	g_free(w.name);
	return rc;
}
