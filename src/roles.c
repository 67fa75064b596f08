/*
 * roles: member roles → rights, from [roles] (roles.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "config.h"
#include "policy.h"
#include "roles.h"

struct role {
	char		*name;
	unsigned	 rights;
};

struct roles {
	GPtrArray	*list;		/* of struct role, in file order */
};

#define RIGHTS_MEMBER	((1u << POLICY_RIGHT_CREATE) | \
	(1u << POLICY_RIGHT_COMMENT) | (1u << POLICY_RIGHT_RATE) | \
	(1u << POLICY_RIGHT_VIEW))

static void
role_free(gpointer p)
{
	struct role	*r = p;

	g_free(r->name);
	g_free(r);
}

static struct roles *
roles_empty(void)
{
	struct roles	*rs = g_new0(struct roles, 1);

	rs->list = g_ptr_array_new_with_free_func(role_free);
	return rs;
}

static void
add(struct roles *rs, const char *name, unsigned rights)
{
	struct role	*r = g_new0(struct role, 1);

	r->name = g_strdup(name);
	r->rights = rights;
	g_ptr_array_add(rs->list, r);
}

struct roles *
roles_new_default(void)
{
	struct roles	*rs = roles_empty();

	/* X-Cart: "Secondary ... Communication Center - full access for
	 * submitting tickets and communicating"; only the primary member
	 * has the "New account" tab. */
	add(rs, "primary", POLICY_RIGHTS_ALL);
	add(rs, "advanced", RIGHTS_MEMBER);
	add(rs, "secondary", RIGHTS_MEMBER);
	return rs;
}

void
roles_free(struct roles *rs)
{
	if (rs == NULL)
		return;
	g_ptr_array_free(rs->list, TRUE);
	g_free(rs);
}

/* Role names: what the CLI and the Member: command accept. */
static bool
valid_role_name(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 32 && g_ascii_isalpha(s[0]) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* "create;comment" (or commas) → rights; false and *bad on an unknown
 * word (g_free). */
static bool
text_to_rights(const char *v, unsigned *out, char **bad)
{
	char	**w = g_strsplit_set(v, ";, \t", -1);
	size_t	  i;
	bool	  ok = true;

	*out = 0;
	*bad = NULL;
	for (i = 0; ok && w[i] != NULL; i++) {
		enum policy_right r;

		if (*w[i] == '\0' || g_ascii_strcasecmp(w[i], "none") == 0)
			continue;
		if (g_ascii_strcasecmp(w[i], "all") == 0)
			*out |= POLICY_RIGHTS_ALL;
		else if (text_to_policy_right(&r, w[i]))
			*out |= 1u << r;
		else {
			*bad = g_strdup(w[i]);
			ok = false;
		}
	}
	g_strfreev(w);
	return ok;
}

bool
roles_from_keyfile(struct roles **out, GKeyFile *kf, const char *path,
    const char *text, GError **err)
{
	struct roles	*rs = roles_empty();
	char		**keys = g_key_file_get_keys(kf, "roles", NULL, NULL);
	size_t		  i;
	bool		  ok = true;

	for (i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		char	*v = g_key_file_get_value(kf, "roles", keys[i], NULL);
		char	*bad = NULL;
		unsigned rights = 0;

		if (!valid_role_name(keys[i])) {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [roles] %s: a role name is lower-case "
			    "letters, digits, - and _", path,
			    config_line_of(text, "roles", keys[i]), keys[i]);
			ok = false;
		} else if (!text_to_rights(v != NULL ? v : "", &rights,
		    &bad)) {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [roles] %s: unknown right \"%s\" "
			    "(create, comment, rate, view, manage-members, "
			    "all, none)", path,
			    config_line_of(text, "roles", keys[i]), keys[i],
			    bad);
			ok = false;
		} else
			add(rs, keys[i], rights);
		g_free(bad);
		g_free(v);
	}
	g_strfreev(keys);
	/* An empty group (every line commented out) keeps the built-in
	 * roles, as the shipped example has it. */
	if (ok && rs->list->len == 0) {
		roles_free(rs);
		rs = roles_new_default();
	}
	if (!ok) {
		roles_free(rs);
		return false;
	}
	*out = rs;
	return true;
}

static const struct role *
find(const struct roles *rs, const char *name)
{
	guint	 i;

	for (i = 0; rs != NULL && name != NULL && i < rs->list->len; i++) {
		const struct role *r = rs->list->pdata[i];

		if (g_ascii_strcasecmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

bool
roles_known(const struct roles *rs, const char *role)
{
	return find(rs, role) != NULL;
}

unsigned
roles_rights(const struct roles *rs, const char *role)
{
	const struct role *r = find(rs, role);

	return r != NULL ? r->rights : 0;
}

const char *
roles_name(const struct roles *rs, const char *role)
{
	const struct role *r = find(rs, role);

	return r != NULL ? r->name : NULL;
}

const char **
roles_names(const struct roles *rs)
{
	const char **v = g_new0(const char *, rs->list->len + 1);
	guint	 i;

	for (i = 0; i < rs->list->len; i++)
		v[i] = ((const struct role *)rs->list->pdata[i])->name;
	return v;
}

const char *
roles_default(const struct roles *rs)
{
	const struct role *r = rs->list->pdata[rs->list->len - 1];

	return r->name;
}

char *
roles_list_text(const struct roles *rs)
{
	GString	*g = g_string_new(NULL);
	guint	 i;

	for (i = 0; i < rs->list->len; i++) {
		const struct role *r = rs->list->pdata[i];

		g_string_append_printf(g, "%s%s", i ? ", " : "", r->name);
	}
	return g_string_free(g, FALSE);
}

char *
roles_rights_text(unsigned rights)
{
	GString	*g = g_string_new(NULL);
	int	 i;

	for (i = 0; i < POLICY_RIGHT__MAX; i++)
		if (rights & (1u << i))
			g_string_append_printf(g, "%s%s", g->len ? ", " : "",
			    policy_right_to_text((enum policy_right)i));
	if (g->len == 0)
		g_string_append(g, "none");
	return g_string_free(g, FALSE);
}
