/*
 * libFuzzer harness for the CGI request parser (web.c
 * web_request_from_env(), web_parse_params(); web_auth.c
 * web_cookie_get()).  Build: tests/fuzz/run.sh web
 *
 * Input: one control byte, then PATH_INFO, QUERY_STRING, HTTP_COOKIE,
 * CONTENT_TYPE and CONTENT_LENGTH separated by NUL bytes, then the body
 * (which may hold NULs).  The control byte picks the method (GET, HEAD,
 * POST, PUT or none), HTTPS, and whether CONTENT_LENGTH is the body's
 * length, one more (a short body), the fuzzed text or unset.
 *
 * Besides not crashing, checks the contract: a request is always
 * returned; false comes with an error and a non-200 status, true with
 * none; the status is one of the documented ones; every field present
 * has been validated (its text valid UTF-8 without controls, integers
 * and choices in range); the cookies have no ';' and no outer blanks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "web.h"

/* The next NUL-terminated piece of DATA, or NULL when none is left. */
static char *
take(const uint8_t **data, size_t *size)
{
	const uint8_t	*nul;
	char		*s;

	if (*size == 0)
		return NULL;
	nul = memchr(*data, '\0', *size);
	if (nul == NULL) {
		s = g_strndup((const char *)*data, *size);
		*data += *size;
		*size = 0;
		return s;
	}
	s = g_strndup((const char *)*data, (gsize)(nul - *data));
	*size -= (size_t)(nul - *data) + 1;
	*data = nul + 1;
	return s;
}

/*
 * setenv(3) keeps every value it was ever given (getenv() pointers stay
 * valid), which over millions of runs fills the memory: own the
 * "NAME=value" strings instead, and free each once putenv(3) has
 * replaced it.
 */
static void
set(const char *name, const char *v)
{
	static GHashTable *owned;
	char	*s = v != NULL ? g_strconcat(name, "=", v, NULL) : NULL;

	if (owned == NULL)
		owned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    g_free);
	if (s != NULL)
		putenv(s);
	else
		g_unsetenv(name);
	if (s != NULL)
		g_hash_table_replace(owned, g_strdup(name), s);
	else
		g_hash_table_remove(owned, name);
}

/* No control characters but (if LINES) CR, LF and tab; valid UTF-8. */
static void
check_text(const char *s, bool lines)
{
	const char *p;

	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		abort();
	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (lines && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			abort();
	}
}

static void
check_range(const struct web_field *f, int64_t min, int64_t max)
{
	if (f->present && (f->i < min || f->i > max))
		abort();
}

static void
check_cookie(const char *v)
{
	size_t n;

	if (v == NULL)
		return;
	n = strlen(v);
	if (strchr(v, ';') != NULL || (n > 0 && (g_ascii_isspace(v[0]) ||
	    g_ascii_isspace(v[n - 1]))))
		abort();
}

static char *
decode(const char *s)
{
	char	*plus = g_strdup(s), *p, *out;

	for (p = plus; *p != '\0'; p++)
		if (*p == '+')
			*p = ' ';
	out = g_uri_unescape_string(plus, NULL);
	g_free(plus);
	return out;
}

/* The model: EXPECT[k] = the last non-empty value of key k in FORM. */
static void
model(const char *form, char **expect)
{
	char	**pairs;
	size_t	  i, k;

	if (form == NULL)
		return;
	pairs = g_strsplit(form, "&", -1);
	for (i = 0; pairs[i] != NULL; i++) {
		char	*eq = strchr(pairs[i], '='), *name, *value;

		if (eq != NULL)
			*eq = '\0';
		name = decode(pairs[i]);
		value = decode(eq != NULL ? eq + 1 : "");
		for (k = 0; name != NULL && value != NULL && k < KEY__MAX; k++)
			if (strcmp(web_key_name((enum web_key)k), name) == 0 &&
			    (*value != '\0' ||
			    web_key_takes_lines((enum web_key)k))) {
				g_free(expect[k]);
				expect[k] = g_strdup(value);
			}
		g_free(name);
		g_free(value);
	}
	g_strfreev(pairs);
}

static void
check_model(const struct web_request *r, const char *query,
    const char *body)
{
	char	*expect[KEY__MAX] = { 0 };
	size_t	 k;

	model(query, expect);
	model(body, expect);
	for (k = 0; k < KEY__MAX; k++) {
		char	*e = expect[k];
		size_t	 n = e != NULL ? strlen(e) : 0;

		if (k == KEY_ID && n >= 2 && e[0] == '<' && e[n - 1] == '>') {
			memmove(e, e + 1, n - 2);
			e[n - 2] = '\0';
		}
		if (r->fields[k].present != (e != NULL) ||
		    (e != NULL && strcmp(e, r->fields[k].s) != 0))
			abort();
		g_free(e);
	}
}

static void
check(const struct web_request *r, bool ok, int status, const GError *err)
{
	size_t	 k;

	if (r == NULL || (ok != (err == NULL)) || (!ok && status == 200))
		abort();
	if (status != 200 && status != 400 && status != 404 &&
	    status != 405 && status != 413 && status != 415)
		abort();
	if (status == 200 && (r->page >= PAGE__MAX ||
	    web_page_is_post(r->page) != (r->method == WEB_POST) ||
	    r->id < 0))
		abort();
	for (k = 0; k < KEY__MAX; k++)
		if (r->fields[k].present)
			check_text(r->fields[k].s,
			    web_key_takes_lines((enum web_key)k));
	check_range(&r->fields[KEY_PAGE], 1, 10000);
	check_range(&r->fields[KEY_RATING], 1, 5);
	check_range(&r->fields[KEY_HOTRUSH], 0, 1);
	check_range(&r->fields[KEY_HIDE], 0, 1);
	check_range(&r->fields[KEY_PRIORITY], 0, 2);
	check_range(&r->fields[KEY_SORT], 0, 2);
	if (r->fields[KEY_TZ].present && !web_tz_valid(r->fields[KEY_TZ].s))
		abort();
	check_cookie(r->cookie);
	check_cookie(r->tz_cookie);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT",
	    NULL };
	struct web_request *r = NULL;
	GError		*err = NULL;
	char		*path, *query, *cookie, *type, *cl, *len = NULL;
	uint8_t		 ctl;
	FILE		*in;
	int		 status = 0;
	bool		 ok;

	if (size == 0)
		return 0;
	ctl = *data++;
	size--;
	path = take(&data, &size);
	query = take(&data, &size);
	cookie = take(&data, &size);
	type = take(&data, &size);
	cl = take(&data, &size);
	set("REQUEST_METHOD", methods[ctl % 5]);
	set("HTTPS", (ctl & 0x08) ? "on" : NULL);
	set("SCRIPT_NAME", "/cgi-bin/postdesk.cgi");
	set("REMOTE_USER", NULL);
	set("PATH_INFO", path);
	set("QUERY_STRING", query);
	set("HTTP_COOKIE", cookie);
	set("CONTENT_TYPE", type);
	switch ((ctl >> 4) & 3) {
	case 0: len = g_strdup_printf("%zu", size); break;
	case 1: len = g_strdup_printf("%zu", size + 1); break;
	case 2: len = g_strdup(cl); break;
	default: break;
	}
	set("CONTENT_LENGTH", len);
	/* fmemopen() of an empty buffer: an empty stream is still one. */
	in = fmemopen(size > 0 ? (void *)data : (void *)"", size > 0 ? size : 1,
	    "r");
	if (in == NULL)
		abort();
	if (size == 0)
		(void)fgetc(in);
	ok = web_request_from_env(&r, in, 1024 * 1024, &status, &err);
	check(r, ok, status, err);
	if (ok && status == 200) {
		/* What read_body() took: for a POST, CONTENT_LENGTH bytes
		 * (no more than there are, or it failed), or nothing. */
		char *b = r->method == WEB_POST && len != NULL ?
		    g_strndup((const char *)data,
		    (gsize)g_ascii_strtoull(len, NULL, 10)) : NULL;

		check_model(r, query, b);
		g_free(b);
	}
	fclose(in);
	web_request_free(r);
	g_clear_error(&err);
	g_free(path);
	g_free(query);
	g_free(cookie);
	g_free(type);
	g_free(cl);
	g_free(len);
	return 0;
}
