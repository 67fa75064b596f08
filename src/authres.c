/*
 * authres: Authentication-Results (RFC 8601), tokenized in one pass.
 */
#include "pdconfig.h"

#include <string.h>

#include "authres.h"

/* Every field this long is cut: nobody needs a 64 KiB token. */
#define TOKEN_MAX	1024

struct lex {
	const char	*p;
};

/* Skips blanks and (nested) comments. */
static void
skip_cfws(struct lex *l)
{
	int	 depth = 0;

	for (; *l->p != '\0'; l->p++) {
		if (depth > 0 && *l->p == '\\' && l->p[1] != '\0')
			l->p++;
		else if (*l->p == '(')
			depth++;
		else if (*l->p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !g_ascii_isspace(*l->p))
			return;
	}
}

/* A token up to a delimiter in STOP (or blank, comment), or a quoted
 * string; NULL when there is none here.  Lower-case if FOLD. */
static char *
token(struct lex *l, const char *stop, bool fold)
{
	GString	*g;

	skip_cfws(l);
	if (*l->p == '\0' || strchr(stop, *l->p) != NULL)
		return NULL;
	g = g_string_new(NULL);
	if (*l->p == '"') {
		for (l->p++; *l->p != '\0' && *l->p != '"'; l->p++) {
			if (*l->p == '\\' && l->p[1] != '\0')
				l->p++;
			if (g->len < TOKEN_MAX)
				g_string_append_c(g, fold ?
				    g_ascii_tolower(*l->p) : *l->p);
		}
		if (*l->p == '"')
			l->p++;
	} else
		for (; *l->p != '\0' && strchr(stop, *l->p) == NULL &&
		    *l->p != '(' && !g_ascii_isspace(*l->p); l->p++)
			if (g->len < TOKEN_MAX)
				g_string_append_c(g, fold ?
				    g_ascii_tolower(*l->p) : *l->p);
	return g_string_free(g, FALSE);
}

static void
result_free(gpointer p)
{
	struct authres_result *r = p;
	int	 i;

	g_free(r->method);
	g_free(r->result);
	for (i = 0; i < r->nprops; i++) {
		g_free(r->props[i].name);
		g_free(r->props[i].value);
	}
	g_free(r);
}

/* Skips to the next ';' (or the end). */
static void
skip_to_semicolon(struct lex *l)
{
	while (*l->p != '\0' && *l->p != ';') {
		skip_cfws(l);
		if (*l->p == '"') {
			g_free(token(l, ";", false));
			continue;
		}
		if (*l->p != '\0' && *l->p != ';')
			l->p++;
	}
}

/* "ptype.property=value" pairs (and "reason=") up to ';'. */
static void
props(struct lex *l, struct authres_result *r)
{
	for (;;) {
		char	*name = token(l, ";=", true), *value;

		if (name == NULL)
			return;
		skip_cfws(l);
		if (*l->p != '=') {
			g_free(name);
			skip_to_semicolon(l);
			return;
		}
		l->p++;
		value = token(l, ";", false);
		if (value == NULL || r->nprops == AUTHRES_MAX_PROPS ||
		    strcmp(name, "reason") == 0) {
			g_free(name);
			g_free(value);
			continue;
		}
		r->props[r->nprops].name = name;
		r->props[r->nprops++].value = value;
	}
}

/* One "method[/version]=result props"; NULL when it is not one. */
static struct authres_result *
resinfo(struct lex *l)
{
	struct authres_result *r;
	char	*method = token(l, ";=", true), *slash;

	if (method == NULL)
		return NULL;
	if ((slash = strchr(method, '/')) != NULL)
		*slash = '\0';
	skip_cfws(l);
	if (*l->p != '=' || *method == '\0') {
		g_free(method);
		return NULL;
	}
	l->p++;
	r = g_new0(struct authres_result, 1);
	r->method = method;
	r->result = token(l, ";", true);
	if (r->result == NULL) {
		result_free(r);
		return NULL;
	}
	props(l, r);
	return r;
}

struct authres *
authres_parse(const char *value)
{
	struct lex	 l = { value };
	struct authres	*ar;
	char		*id;

	if (value == NULL || (id = token(&l, ";", false)) == NULL)
		return NULL;
	ar = g_new0(struct authres, 1);
	ar->authserv_id = id;
	ar->results = g_ptr_array_new_with_free_func(result_free);
	/* An optional version number, then ";" resinfo ... or "; none". */
	skip_to_semicolon(&l);
	while (*l.p == ';') {
		struct authres_result *r;

		l.p++;
		if (ar->results->len == AUTHRES_MAX_RESULTS) {
			ar->truncated = true;
			break;
		}
		r = resinfo(&l);
		if (r == NULL)
			break;
		if (strcmp(r->method, "none") == 0)
			result_free(r);
		else
			g_ptr_array_add(ar->results, r);
		skip_to_semicolon(&l);
	}
	return ar;
}

void
authres_free(struct authres *ar)
{
	if (ar == NULL)
		return;
	g_free(ar->authserv_id);
	g_ptr_array_free(ar->results, TRUE);
	g_free(ar);
}

const char *
authres_prop(const struct authres_result *r, const char *name)
{
	int	 i;

	for (i = 0; i < r->nprops; i++)
		if (strcmp(r->props[i].name, name) == 0)
			return r->props[i].value;
	return NULL;
}
