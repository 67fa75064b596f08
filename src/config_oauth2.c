/*
 * config_oauth2: the [oauth2.NAME] groups, with the presets of the
 * providers postdesk knows (postdesk.conf(5), OAUTH2).
 */
#include "pdconfig.h"

#include <string.h>

#include "config-priv.h"

/* The URLs are BASE, the tenant (if TENANT), then the path. */
struct preset {
	const char	*name;
	const char	*base;
	bool		 tenant;
	const char	*token_path;
	const char	*device_path;
	const char	*scope;
};

/*
 * Microsoft: one refresh token serves IMAP, POP and SMTP (the same
 * resource, outlook.office.com); offline_access asks for the refresh
 * token.  Google: one scope for all of mail.
 */
static const struct preset presets[] = {
	{ "microsoft", "https://login.microsoftonline.com/", true,
	    "/oauth2/v2.0/token", "/oauth2/v2.0/devicecode",
	    "offline_access https://outlook.office.com/IMAP.AccessAsUser.All "
	    "https://outlook.office.com/POP.AccessAsUser.All "
	    "https://outlook.office.com/SMTP.Send" },
	{ "google", "https://oauth2.googleapis.com", false, "/token",
	    "/device/code",
	    "https://mail.google.com/" },
};

void
config_oauth2_free(struct config_oauth2 *o)
{
	if (o == NULL)
		return;
	g_free(o->name);
	g_free(o->provider);
	g_free(o->client_id);
	if (o->client_secret != NULL)
		memset(o->client_secret, 0, strlen(o->client_secret));
	g_free(o->client_secret);
	g_free(o->tenant);
	g_free(o->scope);
	g_free(o->token_url);
	g_free(o->device_url);
	g_free(o->token_file);
	g_free(o);
}

/* A string key, trimmed; NULL when absent or empty. */
static char *
get(GKeyFile *kf, const char *g, const char *k)
{
	char	*v = g_key_file_get_string(kf, g, k, NULL);

	if (v != NULL && *g_strstrip(v) == '\0')
		g_clear_pointer(&v, g_free);
	return v;
}

void
config_oauth2_apply(struct config *c, GKeyFile *kf, const char *dir)
{
	char		**groups = g_key_file_get_groups(kf, NULL);
	GPtrArray	 *a = g_ptr_array_new();
	size_t		  i;

	for (i = 0; groups[i] != NULL; i++) {
		struct config_oauth2 *o;
		const char *g = groups[i];
		char	*v;

		if (strncmp(g, "oauth2.", 7) != 0 || g[7] == '\0')
			continue;
		o = g_new0(struct config_oauth2, 1);
		o->name = g_strdup(g + 7);
		o->provider = get(kf, g, "provider");
		o->client_id = get(kf, g, "client_id");
		o->client_secret = get(kf, g, "client_secret");
		o->tenant = get(kf, g, "tenant");
		o->scope = get(kf, g, "scope");
		o->token_url = get(kf, g, "token_url");
		o->device_url = get(kf, g, "device_url");
		if ((v = get(kf, g, "token_file")) != NULL) {
			o->token_file = g_path_is_absolute(v) || dir == NULL ?
			    g_strdup(v) : g_build_filename(dir, v, NULL);
			g_free(v);
		}
		g_ptr_array_add(a, o);
	}
	g_ptr_array_add(a, NULL);
	g_strfreev(groups);
	for (i = 0; c->oauth2s != NULL && c->oauth2s[i] != NULL; i++)
		config_oauth2_free(c->oauth2s[i]);
	g_free(c->oauth2s);
	c->oauth2s = (struct config_oauth2 **)g_ptr_array_free(a, FALSE);
}

const struct config_oauth2 *
config_oauth2(const struct config *c, const char *name)
{
	struct config_oauth2 *const *o;

	for (o = c->oauth2s; name != NULL && o != NULL && *o != NULL; o++)
		if (strcmp((*o)->name, name) == 0)
			return *o;
	return NULL;
}

static bool
word_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!g_ascii_isalnum(*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

/*
 * The refresh token and the client secret travel to this URL: https,
 * or plain http to this machine only (a local test endpoint).
 */
static bool
url_ok(const char *url)
{
	GUri	*u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	bool	 ok = false;

	if (u != NULL && g_uri_get_host(u) != NULL) {
		const char *scheme = g_uri_get_scheme(u);
		const char *host = g_uri_get_host(u);

		ok = g_ascii_strcasecmp(scheme, "https") == 0 ||
		    (g_ascii_strcasecmp(scheme, "http") == 0 &&
		    (strcmp(host, "localhost") == 0 ||
		    strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0));
	}
	if (u != NULL)
		g_uri_unref(u);
	return ok;
}

static bool
fail(GError **err, const char *path, const char *text, const char *group,
    const char *key, const char *why)
{
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE, "%s:%u: [%s]%s%s: "
	    "%s", path, config_line_of(text, group, key), group,
	    key != NULL ? " " : "", key != NULL ? key : "", why);
	return false;
}

static void
take_preset(struct config_oauth2 *o, const struct preset *p)
{
	const char *t;

	if (o->tenant == NULL && p->tenant)
		o->tenant = g_strdup("common");
	t = p->tenant ? o->tenant : "";
	if (o->token_url == NULL)
		o->token_url = g_strconcat(p->base, t, p->token_path, NULL);
	if (o->device_url == NULL)
		o->device_url = g_strconcat(p->base, t, p->device_path, NULL);
	if (o->scope == NULL)
		o->scope = g_strdup(p->scope);
}

static bool
check_one(struct config *c, struct config_oauth2 *o, const char *path,
    const char *text, GError **err)
{
	char	*g = g_strconcat("oauth2.", o->name, NULL);
	const struct preset *p = NULL;
	size_t	 i;
	bool	 ok = false;

	for (i = 0; o->provider != NULL && i < G_N_ELEMENTS(presets); i++)
		if (g_ascii_strcasecmp(o->provider, presets[i].name) == 0)
			p = &presets[i];
	if (!word_ok(o->name))
		fail(err, path, text, g, NULL, "the name may have letters, "
		    "digits, - _ . only");
	else if (o->provider != NULL && p == NULL)
		fail(err, path, text, g, "provider", "expected microsoft or "
		    "google (or leave it out and set token_url)");
	else if (o->tenant != NULL && !word_ok(o->tenant))
		fail(err, path, text, g, "tenant", "a tenant ID or domain");
	else if (o->client_id == NULL && p == NULL && o->token_url == NULL)
		ok = true;	/* a draft; check_used() refuses it if named */
	else if (p == NULL && o->token_url == NULL)
		fail(err, path, text, g, "token_url", "missing: set it or "
		    "provider");
	else {
		if (p != NULL)
			take_preset(o, p);
		if (!url_ok(o->token_url))
			fail(err, path, text, g, "token_url", "must be https:// "
			    "(http:// only to this machine)");
		else if (o->device_url != NULL && !url_ok(o->device_url))
			fail(err, path, text, g, "device_url", "must be "
			    "https:// (http:// only to this machine)");
		else
			ok = true;
	}
	/* Beside the database: the state directory, the postdesk user's. */
	if (ok && o->token_file == NULL) {
		char	*dir = g_path_get_dirname(c->store_path);
		char	*base = g_strdup_printf("oauth2-%s.json", o->name);

		o->token_file = g_build_filename(dir, base, NULL);
		g_free(dir);
		g_free(base);
	}
	g_free(g);
	return ok;
}

/* An account in use needs its client: the ID registered with the
 * provider.  One nobody names yet may be a draft (the example file). */
static bool
check_used(struct config *c, const char *name, const char *path,
    const char *text, GError **err)
{
	const struct config_oauth2 *o = config_oauth2(c, name);
	char	*g;

	if (o == NULL || o->client_id != NULL)
		return true;
	g = g_strconcat("oauth2.", name, NULL);
	fail(err, path, text, g, "client_id", "missing: the application "
	    "(client) ID registered with the provider");
	g_free(g);
	return false;
}

bool
config_oauth2_check(struct config *c, const char *path, const char *text,
    GError **err)
{
	size_t	 i;

	for (i = 0; c->oauth2s[i] != NULL; i++)
		if (!check_one(c, c->oauth2s[i], path, text, err))
			return false;
	if (!check_used(c, c->fetch_oauth2, path, text, err) ||
	    !check_used(c, c->smtp_oauth2, path, text, err))
		return false;
	if (c->fetch_oauth2 != NULL && config_oauth2(c, c->fetch_oauth2) ==
	    NULL)
		return fail(err, path, text, "fetch", "oauth2", "no such "
		    "[oauth2.NAME] group");
	if (c->smtp_oauth2 != NULL && config_oauth2(c, c->smtp_oauth2) ==
	    NULL)
		return fail(err, path, text, "notify", "oauth2", "no such "
		    "[oauth2.NAME] group");
	if (c->smtp_oauth2 != NULL && (c->smtp_user == NULL ||
	    *c->smtp_user == '\0'))
		return fail(err, path, text, "notify", "oauth2", "needs "
		    "[notify] smtp_user, the mailbox the token is for");
	return true;
}
