/*
 * config: load and validate postdesk.conf.
 */
#include "config.h"
#include "config-priv.h"
#include "lang.h"
#include "pdconfig.h"
#include "lifecycle.h"
#include "roles.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>

enum key_type { KEY_STRING, KEY_PATH, KEY_SIZE, KEY_BOOL, KEY_LIST,
    KEY_PATH_LIST, KEY_INT, KEY_TYPE__MAX };

struct key_def {
	const char	*group;
	const char	*key;
	enum key_type	 type;
};

/* Every known key.  Later modules add their rows here. */
static const struct key_def known_keys[] = {
	{ "store", "path", KEY_PATH },
	{ "store", "url", KEY_STRING },
	{ "store", "busy_timeout", KEY_INT },
	{ "mail", "address", KEY_STRING },
	{ "mail", "subject_tag", KEY_STRING },
	{ "mail", "host", KEY_STRING },
	{ "mail", "max_message_size", KEY_SIZE },
	{ "mail", "max_run_time", KEY_INT },
	{ "mail", "token_key", KEY_STRING },
	{ "mail", "own_addresses", KEY_LIST },
	{ "mail", "default_language", KEY_STRING },
	{ "mail", "customer_replies", KEY_STRING },
	{ "staff", "addresses", KEY_LIST },
	{ "intake", "foreign_sender", KEY_STRING },
	{ "rules", "scripts", KEY_PATH_LIST },
	{ "rules", "discard_keeps_raw", KEY_BOOL },
	{ "templates", "dir", KEY_PATH },
	{ "notify", "smtp_url", KEY_STRING },
	{ "notify", "smtp_user", KEY_STRING },
	{ "notify", "smtp_password", KEY_STRING },
	{ "notify", "oauth2", KEY_STRING },
	{ "notify", "sendmail", KEY_STRING },
	{ "notify", "poll_interval", KEY_INT },
	{ "notify", "max_attempts", KEY_INT },
	{ "notify", "auto_reply_limit", KEY_INT },
	{ "notify", "starttls", KEY_BOOL },
	{ "notify", "ca_file", KEY_PATH },
	{ "notify", "retry_base", KEY_INT },
	{ "notify", "timeout", KEY_INT },
	{ "notify", "reuse_connection", KEY_BOOL },
	{ "notify", "from_name", KEY_STRING },
	{ "web", "base_url", KEY_STRING },
	{ "web", "link_key", KEY_STRING },
	{ "web", "link_lifetime", KEY_INT },
	{ "web", "session_lifetime", KEY_INT },
	{ "web", "staff_users", KEY_LIST },
	{ "web", "categories", KEY_LIST },
	{ "web", "max_message_view", KEY_SIZE },
	{ "web", "locale_dir", KEY_STRING },
	{ "fetch", "sources", KEY_LIST },
	{ "fetch", "password", KEY_STRING },
	{ "fetch", "password_command", KEY_STRING },
	{ "fetch", "ca_file", KEY_PATH },
	{ "fetch", "after", KEY_STRING },
	{ "fetch", "move_to", KEY_STRING },
	{ "fetch", "poll_interval", KEY_INT },
	{ "fetch", "oauth2", KEY_STRING },
	{ "auth", "trusted_authserv_id", KEY_STRING },
	{ "auth", "spf", KEY_BOOL },
	{ "intake", "unknown_sender", KEY_STRING },
	{ "auth", "spf_local_records", KEY_LIST },
	{ "auth", "on_forged", KEY_STRING },
	{ "auth", "trusted_authserv_ids", KEY_LIST },
	{ "auth", "dns_records", KEY_PATH },
	/* [lifecycle] and [lifecycle.QUEUE]; lifecycle_conf.c checks them. */
	{ "lifecycle", "statuses", KEY_STRING },
	{ "lifecycle", "transitions", KEY_STRING },
	{ "lifecycle", "initial", KEY_STRING },
	{ "lifecycle", "assigned", KEY_STRING },
	{ "lifecycle", "working", KEY_STRING },
	{ "lifecycle", "waiting", KEY_STRING },
	{ "lifecycle", "pre_closed", KEY_STRING },
	{ "lifecycle", "closed", KEY_STRING },
	{ "lifecycle", "reopened", KEY_STRING },
	{ "lifecycle", "final", KEY_STRING },
	{ "lifecycle", "staff_reply_to_waiting", KEY_STRING },
	{ "lifecycle", "preclose_from", KEY_STRING },
	{ "lifecycle", "preclose_after", KEY_STRING },
	{ "lifecycle", "preclose_basis", KEY_STRING },
	{ "lifecycle", "close_after", KEY_STRING },
	{ "lifecycle", "reopen_window", KEY_STRING },
	{ "lifecycle", "hotrush_free", KEY_STRING },
	{ "lifecycle", "hotrush", KEY_STRING },
	{ "lifecycle", "hotrush_off_limit", KEY_INT },
	{ "lifecycle", "priorities", KEY_STRING },
	{ "lifecycle", "default_priority", KEY_STRING },
	{ "lifecycle", "staff_priorities", KEY_STRING },
	{ "lifecycle", "sla_minor", KEY_STRING },
	{ "lifecycle", "sla_normal", KEY_STRING },
	{ "lifecycle", "sla_major", KEY_STRING },
	{ "lifecycle", "sla_hotrush", KEY_STRING },
	{ "lifecycle", "resolve_minor", KEY_STRING },
	{ "lifecycle", "resolve_normal", KEY_STRING },
	{ "lifecycle", "resolve_major", KEY_STRING },
	{ "lifecycle", "resolve_hotrush", KEY_STRING },
	{ "lifecycle", "escalate", KEY_STRING },
	{ "lifecycle", "rating_statuses", KEY_STRING },
	{ "lifecycle", "rating_request", KEY_STRING },
	{ "lifecycle", "ack_pattern", KEY_STRING },
	{ "lifecycle", "ack_max_length", KEY_INT },
	{ "lifecycle", "calendar", KEY_STRING },
	/* [calendar.NAME]; calendar.c checks them. */
	{ "calendar", "time_zone", KEY_STRING },
	{ "calendar", "hours", KEY_STRING },
	{ "calendar", "holidays", KEY_STRING },
	/* [queue.NAME]: a brand (config.h). */
	{ "queue", "address", KEY_STRING },
	{ "queue", "from_name", KEY_STRING },
	{ "queue", "subject_tag", KEY_STRING },
	{ "queue", "signature", KEY_STRING },
	{ "queue", "templates", KEY_PATH },
	/* [oauth2.NAME]: an OAuth2 account (config_oauth2.c). */
	{ "oauth2", "provider", KEY_STRING },
	{ "oauth2", "client_id", KEY_STRING },
	{ "oauth2", "client_secret", KEY_STRING },
	{ "oauth2", "tenant", KEY_STRING },
	{ "oauth2", "scope", KEY_STRING },
	{ "oauth2", "token_url", KEY_STRING },
	{ "oauth2", "device_url", KEY_STRING },
	{ "oauth2", "token_file", KEY_PATH },
	/* [roles]: every key is a role name; roles.c checks them. */
	{ "roles", "*", KEY_STRING },
	{ "log", "facility", KEY_STRING },
	{ "log", "level", KEY_STRING },
};

G_DEFINE_QUARK(postdesk-config-error-quark, config_error)

static const struct key_def *
find_key(const char *group, const char *key)
{
	size_t	 i;

	/* [lifecycle.QUEUE] takes [lifecycle]'s keys, and ack_pattern
	 * takes a language suffix: ack_pattern[de]. */
	if (strncmp(group, "lifecycle.", 10) == 0 && group[10] != '\0')
		group = "lifecycle";
	if (strncmp(group, "calendar.", 9) == 0 && group[9] != '\0')
		group = "calendar";
	if (strncmp(group, "queue.", 6) == 0 && group[6] != '\0')
		group = "queue";
	if (strncmp(group, "oauth2.", 7) == 0 && group[7] != '\0')
		group = "oauth2";
	if (strcmp(group, "lifecycle") == 0 &&
	    strncmp(key, "ack_pattern[", 12) == 0)
		key = "ack_pattern";
	/* sla_<priority> and resolve_<priority> for any configured priority (the default names
	 * are in the table): lifecycle_conf.c checks the name. */
	if (strcmp(group, "lifecycle") == 0 && strncmp(key, "sla_", 4) == 0 &&
	    key[4] != '\0')
		key = "sla_minor";
	if (strcmp(group, "lifecycle") == 0 &&
	    strncmp(key, "resolve_", 8) == 0 && key[8] != '\0')
		key = "resolve_minor";
	/* preclose_after[ATTR]: by organization attribute */
	if (strcmp(group, "lifecycle") == 0 &&
	    strncmp(key, "preclose_after[", 15) == 0)
		key = "preclose_after";
	for (i = 0; i < G_N_ELEMENTS(known_keys); i++)
		if (strcmp(known_keys[i].group, group) == 0 &&
		    (strcmp(known_keys[i].key, key) == 0 ||
		    strcmp(known_keys[i].key, "*") == 0))
			return &known_keys[i];
	return NULL;
}

static bool
known_group(const char *group)
{
	size_t	 i;

	/* [lifecycle.QUEUE] groups take [lifecycle]'s keys, and
	 * [calendar.NAME] groups [calendar]'s. */
	if ((strncmp(group, "lifecycle.", 10) == 0 && group[10] != '\0') ||
	    (strncmp(group, "calendar.", 9) == 0 && group[9] != '\0') ||
	    (strncmp(group, "queue.", 6) == 0 && group[6] != '\0') ||
	    (strncmp(group, "oauth2.", 7) == 0 && group[7] != '\0'))
		return true;
	/* A bare [queue] names no queue, a bare [oauth2] no account. */
	if (strcmp(group, "queue") == 0 || strcmp(group, "oauth2") == 0)
		return false;
	for (i = 0; i < G_N_ELEMENTS(known_keys); i++)
		if (strcmp(known_keys[i].group, group) == 0)
			return true;
	return false;
}

unsigned
config_line_of(const char *text, const char *group, const char *key)
{
	char	**lines;
	unsigned  i, found = 0;
	bool	  in_group = false;

	if (text == NULL)
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL && found == 0; i++) {
		char	*l = g_strstrip(lines[i]);
		size_t	 klen;

		if (l[0] == '[') {
			char	*end = strchr(l, ']');
			in_group = end != NULL &&
			    (size_t)(end - l - 1) == strlen(group) &&
			    strncmp(l + 1, group, strlen(group)) == 0;
			if (in_group && key == NULL)
				found = i + 1;
			continue;
		}
		if (!in_group || key == NULL)
			continue;
		klen = strlen(key);
		if (strncmp(l, key, klen) == 0 &&
		    (l[klen] == '=' || l[klen] == ' ' || l[klen] == '\t'))
			found = i + 1;
	}
	g_strfreev(lines);
	return found;
}

/*
 * GKeyFile's syntax errors quote the line but not its number: find the
 * first line it cannot parse (a key outside a group, a line without '=',
 * an unclosed group header).  Returns 0 if none is found.
 */
static unsigned
syntax_error_line(const char *text)
{
	char	**lines = g_strsplit(text, "\n", -1);
	unsigned  i, found = 0;
	bool	  in_group = false;

	for (i = 0; lines[i] != NULL && found == 0; i++) {
		char	*l = g_strstrip(lines[i]);

		if (*l == '\0' || *l == '#')
			continue;
		if (*l == '[')
			in_group = g_str_has_suffix(l, "]");
		if (!in_group || (*l != '[' && strchr(l, '=') == NULL))
			found = i + 1;
	}
	g_strfreev(lines);
	return found;
}

bool
text_to_size(uint64_t *out, const char *s)
{
	guint64	 v;
	gchar	*end;
	uint64_t mult = 1;

	if (s == NULL || !g_ascii_isdigit(*s))
		return false;
	/* strtoull saturates on overflow; only errno tells. */
	errno = 0;
	v = g_ascii_strtoull(s, &end, 10);
	if (errno == ERANGE)
		return false;
	switch (g_ascii_toupper(*end)) {
	case 'K': mult = 1024; end++; break;
	case 'M': mult = 1024 * 1024; end++; break;
	case 'G': mult = 1024 * 1024 * 1024; end++; break;
	default: break;
	}
	if (g_ascii_toupper(*end) == 'B')
		end++;
	if (*end != '\0' || v > G_MAXUINT64 / mult)
		return false;
	*out = v * mult;
	return true;
}

static char *
resolve_path(const char *base_dir, const char *p)
{
	if (p == NULL || *p == '\0')
		return NULL;
	if (g_path_is_absolute(p) || base_dir == NULL)
		return g_strdup(p);
	return g_build_filename(base_dir, p, NULL);
}

struct config *
config_new_default(void)
{
	struct config	*c = g_new0(struct config, 1);

	c->store_path = g_strdup(POSTDESK_DB_PATH);
	c->busy_timeout = 10000;	/* STORE_BUSY_TIMEOUT_DEFAULT */
	c->address = g_strdup("support@localhost");
	c->subject_tag = g_strdup("Support");
	c->host = g_strdup("localhost");
	c->max_message_size = 50 * 1024 * 1024;
	c->web_max_message_view = 256 * 1024;
	/* Well under every MTA's pipe time limit (Postfix 1000 s, Exim
	 * and sendmail an hour): ingest gives up first, as a 75. */
	c->max_run_time = 60;
	c->token_key = NULL;
	c->own_addresses = g_new0(char *, 1);
	c->staff_addresses = g_new0(char *, 1);
	c->foreign_sender_new_ticket = true;
	c->auth_on_forged = POLICY_FORGED_NEW_TICKET;
	c->rules_scripts = g_new0(char *, 1);
	c->discard_keeps_raw = true;
	c->templates_dir = g_strdup(POSTDESK_TEMPLATES_DIR);
	c->default_language = g_strdup("en");
	c->web_locale_dir = g_strdup(POSTDESK_LOCALE_DIR);
	c->fetch_sources = g_new0(char *, 1);
	c->fetch_after = g_strdup("seen");
	c->fetch_poll_interval = 60;
	c->web_link_lifetime = 14 * 24 * 3600;
	/* A working day: a new click on the mailed link (valid for
	 * link_lifetime) signs in again, so a short session costs the
	 * customer little and bounds a stolen or shared-computer cookie. */
	c->web_session_lifetime = 8 * 3600;
	c->web_staff_users = g_new0(char *, 1);
	c->lifecycle = lifecycle_set_new_default();
	c->roles = roles_new_default();
	c->spf = true;
	c->trusted_authserv_ids = g_new0(char *, 1);
	c->smtp_url = g_strdup("smtp://localhost:25");
	c->poll_interval = 30;
	c->max_attempts = 10;
	c->retry_base = 60;
	c->smtp_timeout = 60;
	c->reuse_connection = true;
	c->auto_reply_limit = 5;
	c->queues = g_new0(struct config_queue *, 1);
	c->queue_tags = g_new0(char *, 1);
	c->oauth2s = g_new0(struct config_oauth2 *, 1);
	c->log_facility = LOG_MAIL;
	c->log_level = LOG_INFO;
	return c;
}

static void
queue_free(struct config_queue *q)
{
	g_free(q->name);
	g_free(q->address);
	g_free(q->from_name);
	g_free(q->subject_tag);
	g_free(q->signature);
	g_free(q->templates_dir);
	g_free(q);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	g_free(c->path);
	g_free(c->store_path);
	g_free(c->store_url);
	g_free(c->address);
	g_free(c->subject_tag);
	g_free(c->host);
	g_free(c->token_key);
	g_strfreev(c->own_addresses);
	g_strfreev(c->staff_addresses);
	g_strfreev(c->rules_scripts);
	g_free(c->templates_dir);
	g_strfreev(c->fetch_sources);
	if (c->fetch_password != NULL)
		memset(c->fetch_password, 0, strlen(c->fetch_password));
	g_free(c->fetch_password);
	g_free(c->fetch_password_command);
	g_free(c->fetch_ca_file);
	g_free(c->fetch_after);
	g_free(c->fetch_move_to);
	g_free(c->fetch_oauth2);
	g_free(c->smtp_oauth2);
	for (struct config_oauth2 **o = c->oauth2s; o != NULL && *o != NULL;
	    o++)
		config_oauth2_free(*o);
	g_free(c->oauth2s);
	g_free(c->web_base_url);
	g_free(c->web_link_key);
	g_strfreev(c->web_staff_users);
	g_strfreev(c->web_categories);
	lifecycle_set_free(c->lifecycle);
	roles_free(c->roles);
	g_free(c->trusted_authserv_id);
	g_strfreev(c->trusted_authserv_ids);
	g_free(c->auth_dns_records);
	g_strfreev(c->spf_local_records);
	g_free(c->smtp_url);
	g_free(c->smtp_user);
	g_free(c->smtp_password);
	g_free(c->smtp_ca_file);
	g_free(c->sendmail);
	g_free(c->from_name);
	for (struct config_queue **q = c->queues; q != NULL && *q != NULL;
	    q++)
		queue_free(*q);
	g_free(c->queues);
	g_strfreev(c->queue_tags);
	g_free(c->default_language);
	g_free(c->web_locale_dir);
	g_free(c);
}

/* trusted_authserv_ids, with the old singular key as one more entry.
 * A file (or drop-in) that names neither key keeps the list as it is. */
static void
apply_trusted(struct config *c, GKeyFile *kf)
{
	bool	  plural = g_key_file_has_key(kf, "auth",
	    "trusted_authserv_ids", NULL);
	char	**v = plural ? g_key_file_get_string_list(kf, "auth",
	    "trusted_authserv_ids", NULL, NULL) : g_strdupv(
	    c->trusted_authserv_ids);
	GPtrArray *a = g_ptr_array_new();
	size_t	  i;

	if (!plural && !g_key_file_has_key(kf, "auth", "trusted_authserv_id",
	    NULL)) {
		g_strfreev(v);
		g_ptr_array_free(a, TRUE);
		return;
	}
	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (*g_strstrip(v[i]) != '\0')
			g_ptr_array_add(a, g_strdup(v[i]));
	if (g_key_file_has_key(kf, "auth", "trusted_authserv_id", NULL) &&
	    c->trusted_authserv_id != NULL && *c->trusted_authserv_id != '\0')
		g_ptr_array_add(a, g_strdup(c->trusted_authserv_id));
	g_ptr_array_add(a, NULL);
	g_strfreev(v);
	g_strfreev(c->trusted_authserv_ids);
	c->trusted_authserv_ids = (char **)g_ptr_array_free(a, FALSE);
}

static char **
lowered_list(GKeyFile *kf, const char *group, const char *key)
{
	char	**v = g_key_file_get_string_list(kf, group, key, NULL, NULL);
	size_t	  i, n = 0;

	if (v == NULL)
		return g_new0(char *, 1);
	for (i = 0; v[i] != NULL; i++) {
		char	*s = g_ascii_strdown(g_strstrip(v[i]), -1);

		g_free(v[i]);
		if (*s == '\0') {
			g_free(s);
			continue;
		}
		v[n++] = s;
	}
	v[n] = NULL;
	return v;
}

/* Checks that every key is known and has a value of its type. */
static bool
validate(GKeyFile *kf, const char *path, const char *text, GError **err)
{
	char	**groups = g_key_file_get_groups(kf, NULL);
	bool	  ok = true;
	size_t	  g, k;

	for (g = 0; ok && groups[g] != NULL; g++) {
		char	**keys;

		/* An empty misspelt group would otherwise pass unnoticed. */
		if (!known_group(groups[g])) {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [%s]: unknown group", path,
			    config_line_of(text, groups[g], NULL), groups[g]);
			ok = false;
			break;
		}
		keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);

		for (k = 0; ok && keys != NULL && keys[k] != NULL; k++) {
			const struct key_def *d = find_key(groups[g], keys[k]);
			char	*v = g_key_file_get_value(kf, groups[g],
			    keys[k], NULL);
			uint64_t sz;
			GError	*e = NULL;
			const char *why = NULL;

			if (d == NULL)
				why = "unknown key";
			else if (d->type == KEY_SIZE && !text_to_size(&sz, v))
				why = "not a size (e.g. 25M)";
			else if (d->type == KEY_BOOL) {
				(void)g_key_file_get_boolean(kf, groups[g],
				    keys[k], &e);
				if (e != NULL)
					why = "not a boolean (true/false)";
			} else if (d->type == KEY_INT) {
				(void)g_key_file_get_int64(kf, groups[g],
				    keys[k], &e);
				if (e != NULL)
					why = "not an integer";
			}
			g_clear_error(&e);
			if (why != NULL) {
				g_set_error(err, CONFIG_ERROR,
				    CONFIG_ERROR_VALUE, "%s:%u: [%s] %s: %s",
				    path, config_line_of(text, groups[g], keys[k]),
				    groups[g], keys[k], why);
				ok = false;
			}
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return ok;
}

static void
take_string(GKeyFile *kf, const char *g, const char *k, char **field)
{
	char	*v = g_key_file_get_string(kf, g, k, NULL);

	if (v == NULL)
		return;
	g_free(*field);
	*field = g_strstrip(v);
}

static void
apply_fetch(struct config *c, GKeyFile *kf, const char *dir)
{
	char	 *v;
	char	**list;
	size_t	  i, n = 0;

	list = g_key_file_get_string_list(kf, "fetch", "sources", NULL, NULL);
	if (list != NULL) {
		for (i = 0; list[i] != NULL; i++) {
			char *u = g_strdup(g_strstrip(list[i]));

			g_free(list[i]);
			if (*u == '\0')
				g_free(u);
			else
				list[n++] = u;
		}
		list[n] = NULL;
		g_strfreev(c->fetch_sources);
		c->fetch_sources = list;
	}
	/* A password is taken as written: spaces may be part of it. */
	if ((v = g_key_file_get_string(kf, "fetch", "password", NULL)) != NULL)
		c->fetch_password = v;
	take_string(kf, "fetch", "password_command",
	    &c->fetch_password_command);
	take_string(kf, "fetch", "after", &c->fetch_after);
	take_string(kf, "fetch", "move_to", &c->fetch_move_to);
	take_string(kf, "fetch", "oauth2", &c->fetch_oauth2);
	if (c->fetch_oauth2 != NULL && *c->fetch_oauth2 == '\0')
		g_clear_pointer(&c->fetch_oauth2, g_free);
	if ((v = g_key_file_get_string(kf, "fetch", "ca_file", NULL)) != NULL) {
		c->fetch_ca_file = resolve_path(dir, g_strstrip(v));
		g_free(v);
	}
	if (g_key_file_has_key(kf, "fetch", "poll_interval", NULL))
		c->fetch_poll_interval = g_key_file_get_int64(kf, "fetch",
		    "poll_interval", NULL);
}

static void
apply_web(struct config *c, GKeyFile *kf)
{
	char	*v;

	take_string(kf, "web", "base_url", &c->web_base_url);
	take_string(kf, "web", "link_key", &c->web_link_key);
	take_string(kf, "web", "locale_dir", &c->web_locale_dir);
	if (g_key_file_has_key(kf, "web", "link_lifetime", NULL))
		c->web_link_lifetime = g_key_file_get_int64(kf, "web",
		    "link_lifetime", NULL);
	if (g_key_file_has_key(kf, "web", "session_lifetime", NULL))
		c->web_session_lifetime = g_key_file_get_int64(kf, "web",
		    "session_lifetime", NULL);
	if (g_key_file_has_key(kf, "web", "staff_users", NULL)) {
		g_strfreev(c->web_staff_users);
		c->web_staff_users = lowered_list(kf, "web", "staff_users");
	}
	/* "Label=queue" pairs, kept as written (labels are shown). */
	if (g_key_file_has_key(kf, "web", "categories", NULL)) {
		g_strfreev(c->web_categories);
		c->web_categories = g_key_file_get_string_list(kf, "web",
		    "categories", NULL, NULL);
	}
	if ((v = g_key_file_get_string(kf, "web", "max_message_view",
	    NULL)) != NULL) {
		(void)text_to_size(&c->web_max_message_view, g_strstrip(v));
		g_free(v);
	}
}

static void
take_int(GKeyFile *kf, const char *g, const char *k, int64_t *field)
{
	if (g_key_file_has_key(kf, g, k, NULL))
		*field = g_key_file_get_int64(kf, g, k, NULL);
}

static void
take_bool(GKeyFile *kf, const char *g, const char *k, bool *field)
{
	if (g_key_file_has_key(kf, g, k, NULL))
		*field = g_key_file_get_boolean(kf, g, k, NULL);
}

/* [notify]: an empty smtp_url means "use the sendmail command". */
static void
apply_notify(struct config *c, GKeyFile *kf, const char *dir)
{
	char	*v;

	/* A sendmail command alone replaces the default SMTP URL. */
	if (g_key_file_has_key(kf, "notify", "sendmail", NULL) &&
	    !g_key_file_has_key(kf, "notify", "smtp_url", NULL))
		g_clear_pointer(&c->smtp_url, g_free);
	take_string(kf, "notify", "smtp_url", &c->smtp_url);
	if (c->smtp_url != NULL && *c->smtp_url == '\0')
		g_clear_pointer(&c->smtp_url, g_free);
	take_string(kf, "notify", "smtp_user", &c->smtp_user);
	take_string(kf, "notify", "smtp_password", &c->smtp_password);
	take_string(kf, "notify", "oauth2", &c->smtp_oauth2);
	if (c->smtp_oauth2 != NULL && *c->smtp_oauth2 == '\0')
		g_clear_pointer(&c->smtp_oauth2, g_free);
	take_string(kf, "notify", "sendmail", &c->sendmail);
	take_string(kf, "notify", "from_name", &c->from_name);
	if ((v = g_key_file_get_string(kf, "notify", "ca_file", NULL)) !=
	    NULL) {
		g_free(c->smtp_ca_file);
		c->smtp_ca_file = resolve_path(dir, g_strstrip(v));
		g_free(v);
	}
	take_bool(kf, "notify", "starttls", &c->smtp_starttls);
	take_bool(kf, "notify", "reuse_connection", &c->reuse_connection);
	take_int(kf, "notify", "poll_interval", &c->poll_interval);
	take_int(kf, "notify", "max_attempts", &c->max_attempts);
	take_int(kf, "notify", "retry_base", &c->retry_base);
	take_int(kf, "notify", "timeout", &c->smtp_timeout);
	take_int(kf, "notify", "auto_reply_limit", &c->auto_reply_limit);
}

/* A string key, trimmed; NULL when absent or empty. */
static char *
queue_string(GKeyFile *kf, const char *g, const char *k)
{
	char	*v = g_key_file_get_string(kf, g, k, NULL);

	if (v != NULL && *g_strstrip(v) == '\0')
		g_clear_pointer(&v, g_free);
	return v;
}

/* [queue.NAME] groups, in file order. */
static void
apply_queues(struct config *c, GKeyFile *kf, const char *dir)
{
	char		**groups = g_key_file_get_groups(kf, NULL);
	GPtrArray	 *a = g_ptr_array_new();
	size_t		  i;

	for (i = 0; groups[i] != NULL; i++) {
		struct config_queue *q;
		char	*v;

		if (strncmp(groups[i], "queue.", 6) != 0 ||
		    groups[i][6] == '\0')
			continue;
		q = g_new0(struct config_queue, 1);
		q->name = g_strdup(groups[i] + 6);
		if ((v = queue_string(kf, groups[i], "address")) != NULL) {
			q->address = g_ascii_strdown(v, -1);
			g_free(v);
		}
		q->from_name = queue_string(kf, groups[i], "from_name");
		q->subject_tag = queue_string(kf, groups[i], "subject_tag");
		/* "\n" in the file is a line break (GKeyFile's escape). */
		q->signature = queue_string(kf, groups[i], "signature");
		if ((v = queue_string(kf, groups[i], "templates")) != NULL) {
			q->templates_dir = resolve_path(dir, v);
			g_free(v);
		}
		g_ptr_array_add(a, q);
	}
	g_ptr_array_add(a, NULL);
	g_strfreev(groups);
	g_free(c->queues);
	c->queues = (struct config_queue **)g_ptr_array_free(a, FALSE);
}

static void
apply(struct config *c, GKeyFile *kf, const char *dir)
{
	char	 *v;
	char	**list;
	size_t	  i;

	if ((v = g_key_file_get_string(kf, "store", "path", NULL)) != NULL) {
		g_free(c->store_path);
		c->store_path = resolve_path(dir, g_strstrip(v));
		g_free(v);
	}
	take_string(kf, "store", "url", &c->store_url);
	if (g_key_file_has_key(kf, "store", "busy_timeout", NULL))
		c->busy_timeout = g_key_file_get_int64(kf, "store",
		    "busy_timeout", NULL);
	take_string(kf, "mail", "address", &c->address);
	take_string(kf, "mail", "subject_tag", &c->subject_tag);
	take_string(kf, "mail", "host", &c->host);
	take_string(kf, "mail", "token_key", &c->token_key);
	take_string(kf, "mail", "default_language", &c->default_language);
	take_int(kf, "mail", "max_run_time", &c->max_run_time);
	if ((v = g_key_file_get_string(kf, "mail", "max_message_size",
	    NULL)) != NULL) {
		(void)text_to_size(&c->max_message_size, g_strstrip(v));
		g_free(v);
	}
	if (g_key_file_has_key(kf, "mail", "own_addresses", NULL)) {
		g_strfreev(c->own_addresses);
		c->own_addresses = lowered_list(kf, "mail", "own_addresses");
	}
	if (g_key_file_has_key(kf, "staff", "addresses", NULL)) {
		g_strfreev(c->staff_addresses);
		c->staff_addresses = lowered_list(kf, "staff", "addresses");
	}
	if (g_key_file_has_key(kf, "rules", "discard_keeps_raw", NULL))
		c->discard_keeps_raw = g_key_file_get_boolean(kf, "rules",
		    "discard_keeps_raw", NULL);
	list = g_key_file_get_string_list(kf, "rules", "scripts", NULL,
	    NULL);
	if (list != NULL) {
		GPtrArray *a = g_ptr_array_new();

		for (i = 0; list[i] != NULL; i++) {
			char	*p = g_strstrip(list[i]);
			if (*p != '\0')
				g_ptr_array_add(a, resolve_path(dir, p));
		}
		g_ptr_array_add(a, NULL);
		g_strfreev(c->rules_scripts);
		c->rules_scripts = (char **)g_ptr_array_free(a, FALSE);
		g_strfreev(list);
	}
	take_string(kf, "auth", "trusted_authserv_id",
	    &c->trusted_authserv_id);
	apply_trusted(c, kf);
	if ((v = g_key_file_get_string(kf, "auth", "dns_records", NULL)) !=
	    NULL) {
		g_free(c->auth_dns_records);
		c->auth_dns_records = *g_strstrip(v) != '\0' ?
		    resolve_path(dir, v) : NULL;
		g_free(v);
	}
	if (g_key_file_has_key(kf, "auth", "spf_local_records", NULL)) {
		g_strfreev(c->spf_local_records);
		c->spf_local_records = g_key_file_get_string_list(kf, "auth",
		    "spf_local_records", NULL, NULL);
		for (char **r = c->spf_local_records; r != NULL && *r != NULL;
		    r++)
			g_strstrip(*r);
	}
	if (g_key_file_has_key(kf, "auth", "spf", NULL))
		c->spf = g_key_file_get_boolean(kf, "auth", "spf", NULL);
	if ((v = g_key_file_get_string(kf, "templates", "dir", NULL)) != NULL) {
		g_free(c->templates_dir);
		c->templates_dir = resolve_path(dir, g_strstrip(v));
		g_free(v);
	}
	apply_fetch(c, kf, dir);
	apply_web(c, kf);
	apply_notify(c, kf, dir);
	apply_queues(c, kf, dir);
	config_oauth2_apply(c, kf, dir);
}

/* [log] facility and level: names syslog(3) knows. */
static bool
check_log(struct config *c, GKeyFile *kf, const char *path,
    const char *text, GError **err)
{
	char	*fac = g_key_file_get_string(kf, "log", "facility", NULL);
	char	*lvl = g_key_file_get_string(kf, "log", "level", NULL);
	bool	 ok = false;

	if (fac != NULL &&
	    !text_to_log_facility(&c->log_facility, g_strstrip(fac)))
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [log] facility: expected mail, daemon, user or "
		    "local0..local7, got \"%s\"", path,
		    config_line_of(text, "log", "facility"), fac);
	else if (lvl != NULL &&
	    !text_to_log_level(&c->log_level, g_strstrip(lvl)))
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [log] level: expected debug, info, notice, "
		    "warning, err or crit, got \"%s\"", path,
		    config_line_of(text, "log", "level"), lvl);
	else
		ok = true;
	g_free(fac);
	g_free(lvl);
	return ok;
}

static bool
has_lifecycle_group(GKeyFile *kf)
{
	char	**g = g_key_file_get_groups(kf, NULL);
	bool	  found = false;
	size_t	  i;

	for (i = 0; !found && g[i] != NULL; i++)
		found = strcmp(g[i], "lifecycle") == 0 ||
		    strncmp(g[i], "lifecycle.", 10) == 0;
	g_strfreev(g);
	return found;
}

static bool
tag_ok(const char *tag)
{
	return *tag != '\0' && strpbrk(tag, "[]#") == NULL;
}

/* The domain of ADDR is that of [mail] address, [mail] host or one of
 * [mail] own_addresses. */
static bool
own_domain(const struct config *c, const char *addr)
{
	const char	*at = strrchr(addr, '@'), *d;
	char *const	*p;

	if (at == NULL || at == addr || at[1] == '\0')
		return false;
	if ((d = strrchr(c->address, '@')) != NULL &&
	    g_ascii_strcasecmp(d + 1, at + 1) == 0)
		return true;
	if (c->host != NULL && g_ascii_strcasecmp(c->host, at + 1) == 0)
		return true;
	for (p = c->own_addresses; p != NULL && *p != NULL; p++)
		if ((d = strrchr(*p, '@')) != NULL &&
		    g_ascii_strcasecmp(d + 1, at + 1) == 0)
			return true;
	return false;
}

/*
 * [queue.NAME]: a bad tag is an error (it would break threading); an
 * address that is not ours is ignored, as the issue says, and postdesk
 * check warns about it.  Builds the list of the queues' own tags.
 */
static bool
check_queues(struct config *c, const char *path, const char *text,
    GError **err)
{
	GPtrArray	*tags = g_ptr_array_new();
	size_t		 i;
	guint		 j;
	bool		 ok = true;

	for (i = 0; ok && c->queues[i] != NULL; i++) {
		struct config_queue *q = c->queues[i];
		char	*g = g_strconcat("queue.", q->name, NULL);
		bool	 seen = false;

		if (q->subject_tag != NULL && !tag_ok(q->subject_tag)) {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [%s] subject_tag: must be a non-empty "
			    "word without [ ] #", path,
			    config_line_of(text, g, "subject_tag"), g);
			ok = false;
		}
		if (q->address != NULL && (strchr(q->address, '+') != NULL ||
		    !own_domain(c, q->address)))
			q->foreign = true;
		seen = q->subject_tag != NULL &&
		    g_ascii_strcasecmp(q->subject_tag, c->subject_tag) == 0;
		for (j = 0; ok && q->subject_tag != NULL && j < tags->len; j++)
			seen = seen || g_ascii_strcasecmp(tags->pdata[j],
			    q->subject_tag) == 0;
		if (ok && q->subject_tag != NULL && !seen)
			g_ptr_array_add(tags, g_strdup(q->subject_tag));
		g_free(g);
	}
	g_ptr_array_add(tags, NULL);
	g_strfreev(c->queue_tags);
	c->queue_tags = (char **)g_ptr_array_free(tags, FALSE);
	return ok;
}

/*
 * [store] url: a PostgreSQL URI or libpq connection string.  Only a
 * build with --with-postgresql can use it: say so, rather than
 * falling back to the SQLite file behind the admin's back.
 */
static bool
check_store_url(struct config *c, const char *path, const char *text,
    GError **err)
{
	unsigned	 line = config_line_of(text, "store", "url");

	if (!config_store_is_server(c->store_url)) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [store] url: postgresql://USER@HOST/DB, or a "
		    "libpq connection string such as \"service=postdesk\"",
		    path, line);
		return false;
	}
#ifndef HAVE_POSTGRESQL
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
	    "%s:%u: [store] url: this postdesk is built without PostgreSQL "
	    "(./configure --with-postgresql); use [store] path", path, line);
	return false;
#else
	return true;
#endif
}

bool
config_store_is_server(const char *where)
{
	/* A path is absolute (resolve_path); a URI has a scheme, and a
	 * libpq connection string is KEY=VALUE pairs. */
	return where != NULL && (g_str_has_prefix(where, "postgresql://") ||
	    g_str_has_prefix(where, "postgres://") ||
	    (where[0] != '/' && strchr(where, '=') != NULL));
}

const char *
config_store(const struct config *c)
{
	return c->store_url != NULL ? c->store_url : c->store_path;
}

/* Semantic checks that need the whole file. */
static bool
check_values(struct config *c, GKeyFile *kf, const char *path,
    const char *text, GError **err)
{
	char	*v;
	bool	 ok = true;

	if (c->busy_timeout < 0 || c->busy_timeout > G_MAXINT) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [store] busy_timeout: milliseconds, 0 or more",
		    path, config_line_of(text, "store", "busy_timeout"));
		return false;
	}
	if (c->store_url != NULL && !check_store_url(c, path, text, err))
		return false;
	if (c->max_run_time < 0 || c->max_run_time > 86400) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [mail] max_run_time: seconds, 0 (no limit) to "
		    "86400", path, config_line_of(text, "mail",
		    "max_run_time"));
		return false;
	}
	if (strchr(c->address, '@') == NULL) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [mail] address: not a mail address: %s", path,
		    config_line_of(text, "mail", "address"), c->address);
		return false;
	}
	if (!text_to_lang(&v, c->default_language)) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [mail] default_language: a language such as "
		    "en or de: %s", path, config_line_of(text, "mail",
		    "default_language"), c->default_language);
		return false;
	}
	/* "de-AT" is kept as "de": the name templates carry. */
	g_free(c->default_language);
	c->default_language = v;
	if (*c->subject_tag == '\0' || strpbrk(c->subject_tag, "[]#") != NULL) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [mail] subject_tag: must be a non-empty word "
		    "without [ ] #", path,
		    config_line_of(text, "mail", "subject_tag"));
		return false;
	}
	if (!check_queues(c, path, text, err) ||
	    !config_oauth2_check(c, path, text, err))
		return false;
	if (c->fetch_move_to != NULL && strcmp(c->fetch_after, "seen") == 0) {
		/* Naming a folder is asking for the move. */
		g_free(c->fetch_after);
		c->fetch_after = g_strdup("move");
	}
	if (strcmp(c->fetch_after, "seen") != 0 &&
	    strcmp(c->fetch_after, "move") != 0 &&
	    strcmp(c->fetch_after, "delete") != 0) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [fetch] after: expected seen, move or delete, "
		    "got \"%s\"", path, config_line_of(text, "fetch", "after"),
		    c->fetch_after);
		return false;
	}
	if (strcmp(c->fetch_after, "move") == 0 && (c->fetch_move_to == NULL ||
	    *c->fetch_move_to == '\0')) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [fetch] after = move needs [fetch] move_to",
		    path, config_line_of(text, "fetch", "after"));
		return false;
	}
	if (c->fetch_poll_interval < 1) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [fetch] poll_interval: must be at least 1 second",
		    path, config_line_of(text, "fetch", "poll_interval"));
		return false;
	}
	v = g_key_file_get_string(kf, "intake", "foreign_sender", NULL);
	if (v != NULL) {
		g_strstrip(v);
		if (strcmp(v, "new-ticket") == 0)
			c->foreign_sender_new_ticket = true;
		else if (strcmp(v, "join") == 0)
			c->foreign_sender_new_ticket = false;
		else {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [intake] foreign_sender: expected "
			    "new-ticket or join, got \"%s\"", path,
			    config_line_of(text, "intake", "foreign_sender"), v);
			ok = false;
		}
		g_free(v);
	}
	v = g_key_file_get_string(kf, "intake", "unknown_sender", NULL);
	if (ok && v != NULL) {
		g_strstrip(v);
		if (strcmp(v, "open") == 0 || strcmp(v, "refuse") == 0)
			c->unknown_sender_refuse = strcmp(v, "refuse") == 0;
		else {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [intake] unknown_sender: expected open or "
			    "refuse, got \"%s\"", path,
			    config_line_of(text, "intake", "unknown_sender"), v);
			ok = false;
		}
	}
	g_free(v);
	v = g_key_file_get_string(kf, "mail", "customer_replies", NULL);
	if (ok && v != NULL) {
		g_strstrip(v);
		if (strcmp(v, "mail") == 0 || strcmp(v, "portal") == 0)
			c->portal_only = strcmp(v, "portal") == 0;
		else {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [mail] customer_replies: expected mail or "
			    "portal, got \"%s\"", path,
			    config_line_of(text, "mail", "customer_replies"), v);
			ok = false;
		}
	}
	g_free(v);
	/* The notices' only way back is the portal's sign-in link. */
	if (ok && c->portal_only && c->web_base_url == NULL) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [mail] customer_replies = portal needs [web] "
		    "base_url: the notices link to the portal", path,
		    config_line_of(text, "mail", "customer_replies"));
		ok = false;
	}
	v = g_key_file_get_string(kf, "auth", "on_forged", NULL);
	if (ok && v != NULL && !text_to_policy_on_forged(&c->auth_on_forged,
	    g_strstrip(v))) {
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
		    "%s:%u: [auth] on_forged: expected new-ticket, quarantine "
		    "or accept, got \"%s\"", path,
		    config_line_of(text, "auth", "on_forged"), v);
		ok = false;
	}
	g_free(v);
	ok = ok && check_log(c, kf, path, text, err);
	/* Without [lifecycle] or [lifecycle.QUEUE] the file's set is the
	 * built-in one, already there: building it again costs 2% of an
	 * ingest process. */
	if (ok && has_lifecycle_group(kf)) {
		lifecycle_set_free(c->lifecycle);
		c->lifecycle = NULL;
		ok = lifecycle_set_from_keyfile(&c->lifecycle, kf, path, text,
		    err);
	}
	/* A [roles] group replaces the built-in roles as a whole. */
	if (ok && g_key_file_has_group(kf, "roles")) {
		struct roles *rs = NULL;

		ok = roles_from_keyfile(&rs, kf, path, text, err);
		if (ok) {
			roles_free(c->roles);
			c->roles = rs;
		}
	}
	return ok;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads and checks the drop-in FILE, then copies its keys into KF. */
static bool
merge_file(GKeyFile *kf, const char *file, GError **err)
{
	GKeyFile	*add = g_key_file_new();
	char		*text = NULL, **groups, **keys, *v;
	gsize		 len, g, k;
	GError		*e = NULL;
	bool		 ok = false;

	g_key_file_set_list_separator(add, ';');
	if (!g_file_get_contents(file, &text, &len, &e))
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_PARSE, "%s:0: %s",
		    file, e->message);
	else if (!g_key_file_load_from_data(add, text, len,
	    G_KEY_FILE_KEEP_TRANSLATIONS, &e))
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_PARSE, "%s:%u: %s",
		    file, syntax_error_line(text), e->message);
	else
		ok = validate(add, file, text, err);
	g_clear_error(&e);
	groups = ok ? g_key_file_get_groups(add, NULL) : NULL;
	for (g = 0; groups != NULL && groups[g] != NULL; g++) {
		keys = g_key_file_get_keys(add, groups[g], NULL, NULL);
		for (k = 0; keys != NULL && keys[k] != NULL; k++) {
			v = g_key_file_get_value(add, groups[g], keys[k], NULL);
			g_key_file_set_value(kf, groups[g], keys[k], v);
			g_free(v);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
	g_key_file_free(add);
	g_free(text);
	return ok;
}

/*
 * Merges the drop-ins FILE.d/NAME.conf (in name order, later wins) into KF,
 * each checked on its own so an error names the drop-in and its line.
 * Why: a package ships FILE as a conffile and keeps what it generates
 * per host (token_key, link_key) out of it, in FILE.d/keys.conf.
 */
static bool
load_dropins(GKeyFile *kf, const char *path, GError **err)
{
	char		*dname = g_strconcat(path, ".d", NULL);
	GDir		*d = g_dir_open(dname, 0, NULL);
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	const char	*n;
	bool		 ok = true;
	guint		 i;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".conf") && *n != '.')
			g_ptr_array_add(names, g_strdup(n));
	if (d != NULL)
		g_dir_close(d);
	g_ptr_array_sort(names, compare_names);
	for (i = 0; ok && i < names->len; i++) {
		char *f = g_build_filename(dname, names->pdata[i], NULL);

		ok = merge_file(kf, f, err);
		g_free(f);
	}
	g_ptr_array_free(names, TRUE);
	g_free(dname);
	return ok;
}

bool
config_load(struct config **out, const char *path, GError **err)
{
	return config_load_extra(out, path, NULL, err);
}

bool
config_load_extra(struct config **out, const char *path, const char *extra,
    GError **err)
{
	struct config	*c = config_new_default();
	GKeyFile	*kf;
	char		*text = NULL, *dir;
	gsize		 len;
	GError		*e = NULL;
	bool		 explicit = true;

	if (path == NULL)
		path = g_getenv("POSTDESK_CONFIG");
	if (path == NULL || *path == '\0') {
		path = POSTDESK_CONFIG_PATH;
		explicit = false;
	}
	if (!g_file_get_contents(path, &text, &len, &e)) {
		bool absent = !explicit && g_error_matches(e, G_FILE_ERROR,
		    G_FILE_ERROR_NOENT);

		if (!absent || extra == NULL) {
			if (absent)
				*out = c;
			else {
				g_set_error(err, CONFIG_ERROR,
				    CONFIG_ERROR_PARSE, "%s:0: %s", path,
				    e->message);
				config_free(c);
			}
			g_error_free(e);
			return absent;
		}
		g_clear_error(&e);	/* built-in defaults, then EXTRA */
		text = g_strdup("");
		len = 0;
	}
	kf = g_key_file_new();
	g_key_file_set_list_separator(kf, ';');
	/* Keep ack_pattern[de] and friends: all languages are used. */
	if (!g_key_file_load_from_data(kf, text, len,
	    G_KEY_FILE_KEEP_TRANSLATIONS, &e)) {
		/* GLib's message names the offending line's text. */
		g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_PARSE, "%s:%u: %s",
		    path, syntax_error_line(text), e->message);
		g_error_free(e);
		goto fail;
	}
	if (!validate(kf, path, text, err) || !load_dropins(kf, path, err) ||
	    (extra != NULL && !merge_file(kf, extra, err)))
		goto fail;
	dir = g_path_get_dirname(path);
	apply(c, kf, dir);
	g_free(dir);
	if (!check_values(c, kf, path, text, err))
		goto fail;
	c->path = g_strdup(path);
	g_key_file_free(kf);
	g_free(text);
	*out = c;
	return true;
fail:
	g_key_file_free(kf);
	g_free(text);
	config_free(c);
	return false;
}

static bool
in_list(char *const *list, const char *addr)
{
	for (; list != NULL && *list != NULL; list++)
		if (g_ascii_strcasecmp(*list, addr) == 0)
			return true;
	return false;
}

bool
config_is_staff(const struct config *c, const char *addr)
{
	return addr != NULL && in_list(c->staff_addresses, addr);
}

static bool is_address_or_extension(const char *, const char *);

bool
config_is_own_address(const struct config *c, const char *addr)
{
	if (addr == NULL)
		return false;
	if (in_list(c->own_addresses, addr) ||
	    config_queue_of_address(c, addr) != NULL)
		return true;
	/* support+anything@host is ours too. */
	return is_address_or_extension(c->address, addr);
}

const struct config_queue *
config_queue(const struct config *c, const char *queue)
{
	struct config_queue *const *q;

	for (q = c->queues; queue != NULL && q != NULL && *q != NULL; q++)
		if (strcmp((*q)->name, queue) == 0)
			return *q;
	return NULL;
}

const char *
config_queue_address(const struct config *c, const char *queue)
{
	const struct config_queue *q = config_queue(c, queue);

	return q != NULL && q->address != NULL && !q->foreign ? q->address :
	    c->address;
}

const char *
config_queue_from_name(const struct config *c, const char *queue)
{
	const struct config_queue *q = config_queue(c, queue);

	return q != NULL && q->from_name != NULL ? q->from_name :
	    c->from_name;
}

const char *
config_queue_tag(const struct config *c, const char *queue)
{
	const struct config_queue *q = config_queue(c, queue);

	return q != NULL && q->subject_tag != NULL ? q->subject_tag :
	    c->subject_tag;
}

/* ADDR is BASE or BASE's local part + "+anything", same domain. */
static bool
is_address_or_extension(const char *base, const char *addr)
{
	const char	*at = strrchr(addr, '@'), *bat = strrchr(base, '@');
	size_t		 local;

	if (g_ascii_strcasecmp(addr, base) == 0)
		return true;
	if (at == NULL || bat == NULL)
		return false;
	local = (size_t)(bat - base);
	return g_ascii_strcasecmp(at, bat) == 0 &&
	    (size_t)(at - addr) > local && addr[local] == '+' &&
	    g_ascii_strncasecmp(addr, base, local) == 0;
}

const char *
config_queue_of_address(const struct config *c, const char *addr)
{
	struct config_queue *const *q;

	for (q = c->queues; addr != NULL && q != NULL && *q != NULL; q++)
		if ((*q)->address != NULL && !(*q)->foreign &&
		    is_address_or_extension((*q)->address, addr))
			return (*q)->name;
	return NULL;
}

GPtrArray *
config_token_addresses(const struct config *c)
{
	GPtrArray	*a = g_ptr_array_new();
	struct config_queue *const *q;

	g_ptr_array_add(a, c->address);
	for (q = c->queues; q != NULL && *q != NULL; q++)
		if ((*q)->address != NULL && !(*q)->foreign &&
		    g_ascii_strcasecmp((*q)->address, c->address) != 0)
			g_ptr_array_add(a, (*q)->address);
	return a;
}

char **
config_subject_tags(const struct config *c)
{
	guint	 n = c->queue_tags != NULL ? g_strv_length(c->queue_tags) : 0;
	char	**v = g_new0(char *, n + 2);

	v[0] = c->subject_tag;
	if (n > 0)
		memcpy(v + 1, c->queue_tags, n * sizeof *v);
	return v;
}
