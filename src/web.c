/*
 * web: routing, parameter validation and responses of postdesk.cgi.
 */
#include "pdconfig.h"

#include <string.h>

#include "html.h"
#include "lifecycle.h"
#include "log.h"
#include "template.h"
#include "store_staff.h"
#include "web.h"
#include "web_form.h"

G_DEFINE_QUARK(postdesk-web-error-quark, web_error)

enum valid_type { V_INT, V_BOOL, V_ENUM, V_WORD, V_TEXT, V_LINES,
    V_MSGID, V_TOKEN, V_ADDRESS, V_TZ, V__MAX };

struct key_def {
	const char		*name;
	enum valid_type		 type;
	int64_t			 min, max;	/* value or length */
	const char *const	*choices;	/* V_ENUM, index → i */
};

static const char *const sorts[] = { "queue", "updated", "created", NULL };
static const char *const cc_actions[] = { "add", "remove", NULL };
/* enum account_action (web_account.c). */
static const char *const account_actions[] = { "add", "remove", "notify",
    "notifications-off", "notifications-on", NULL };

/* Every parameter the viewer accepts, once (STYLE.md 11). */
static const struct key_def keys[KEY__MAX] = {
	[KEY_PAGE] = { "page", V_INT, 1, 10000, NULL },
	/* Configured names, as written in the config ("Waiting for
	 * Support"): one line of text; the life cycle checks which. */
	[KEY_STATUS] = { "status", V_TEXT, 1, 64, NULL },
	[KEY_QUEUE] = { "queue", V_TEXT, 1, 64, NULL },
	/* A configured name, any case (lifecycle.h): the command checks
	 * which; V_TOKEN takes upper case. */
	[KEY_PRIORITY] = { "priority", V_TOKEN, 1, LC_PRIORITY_NAME_MAX,
	    NULL },
	[KEY_HOTRUSH] = { "hotrush", V_BOOL, 0, 1, NULL },
	[KEY_HIDE] = { "hide", V_BOOL, 0, 1, NULL },
	[KEY_SORT] = { "sort", V_ENUM, 0, 0, sorts },
	[KEY_Q] = { "q", V_TEXT, 1, 200, NULL },
	[KEY_ID] = { "id", V_MSGID, 3, 998, NULL },
	[KEY_TOKEN] = { "t", V_TOKEN, 1, 512, NULL },
	[KEY_CSRF] = { "csrf", V_TOKEN, 1, 256, NULL },
	[KEY_RATING] = { "rating", V_INT, 1, 5, NULL },
	[KEY_COMMENT] = { "comment", V_LINES, 0, 4000, NULL },
	[KEY_OWNER] = { "owner", V_ADDRESS, 1, 254, NULL },
	[KEY_TZ] = { "tz", V_TZ, 1, 64, NULL },
	[KEY_BODY] = { "body", V_LINES, 1, WEB_BODY_MAX, NULL },
	[KEY_INTERNAL] = { "internal", V_BOOL, 0, 1, NULL },
	[KEY_CANNED] = { "canned", V_WORD, 1, 64, NULL },
	[KEY_ADDRESS] = { "address", V_ADDRESS, 3, 254, NULL },
	[KEY_LANGUAGE] = { "language", V_WORD, 2, 16, NULL },
	[KEY_CC_ACTION] = { "action", V_ENUM, 0, 0, cc_actions },
	[KEY_INTO] = { "into", V_INT, 1, G_MAXINT64, NULL },
	[KEY_SUBJECT] = { "subject", V_TEXT, 1, 200, NULL },
	[KEY_CATEGORY] = { "category", V_INT, 1, 1000, NULL },
	[KEY_OTHER] = { "other", V_INT, 1, G_MAXINT64, NULL },
	[KEY_ROLE] = { "role", V_WORD, 1, 64, NULL },
	[KEY_ACCOUNT_ACTION] = { "do", V_ENUM, 0, 0, account_actions },
};

struct page_def {
	const char	*pattern;	/* '#' matches a ticket/row id */
	enum web_method	 method;	/* GET also allows HEAD */
};

static const struct page_def pages[PAGE__MAX] = {
	[PAGE_LIST] = { "/", WEB_GET },
	[PAGE_TICKET] = { "/ticket/#", WEB_GET },
	[PAGE_RATE] = { "/ticket/#/rate", WEB_POST },
	[PAGE_UPDATE] = { "/ticket/#/update", WEB_POST },
	[PAGE_SIGNOUT] = { "/ticket/#/signout", WEB_POST },
	[PAGE_SEARCH] = { "/search", WEB_GET },
	[PAGE_MESSAGE] = { "/message", WEB_GET },
	[PAGE_ATTACHMENT] = { "/attachment/#", WEB_GET },
	[PAGE_DASHBOARD] = { "/dashboard", WEB_GET },
	[PAGE_EXPORT] = { "/export.csv", WEB_GET },
	[PAGE_TEXT] = { "/text/#", WEB_GET },
	[PAGE_REPLY] = { "/ticket/#/reply", WEB_POST },
	[PAGE_MERGE] = { "/ticket/#/merge", WEB_POST },
	[PAGE_CC] = { "/ticket/#/cc", WEB_POST },
	[PAGE_LANGUAGE] = { "/ticket/#/language", WEB_POST },
	[PAGE_POST] = { "/ticket/#/post", WEB_POST },
	[PAGE_CHANGE] = { "/ticket/#/change", WEB_POST },
	[PAGE_STYLE] = { "/style.css", WEB_GET },
	[PAGE_NEW] = { "/new", WEB_GET },
	[PAGE_CREATE] = { "/new", WEB_POST },
	[PAGE_LINK] = { "/ticket/#/link", WEB_POST },
	[PAGE_UNLINK] = { "/ticket/#/unlink", WEB_POST },
	[PAGE_ACCOUNT] = { "/account", WEB_GET },
	[PAGE_ACCOUNT_CHANGE] = { "/account", WEB_POST },
	[PAGE_SPLIT] = { "/ticket/#/split", WEB_POST },
};

static bool
text_to_int(int64_t *out, const char *s, int64_t min, int64_t max)
{
	guint64	 v;
	char	*end;

	if (s == NULL || !g_ascii_isdigit(*s) || strlen(s) > 18)
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	if (*end != '\0' || (int64_t)v < min || (int64_t)v > max)
		return false;
	*out = (int64_t)v;
	return true;
}

/* Matches PATTERN against PATH segment by segment. */
static bool
match(const char *pattern, const char *path, int64_t *id)
{
	char	**pp = g_strsplit(pattern, "/", -1);
	char	**sp = g_strsplit(path, "/", -1);
	size_t	  i;
	bool	  ok = g_strv_length(pp) == g_strv_length(sp);

	for (i = 0; ok && pp[i] != NULL; i++) {
		if (strcmp(pp[i], "#") == 0)
			ok = text_to_int(id, sp[i], 1, G_MAXINT64);
		else
			ok = strcmp(pp[i], sp[i]) == 0;
	}
	g_strfreev(pp);
	g_strfreev(sp);
	return ok;
}

int
web_route(const char *path, enum web_method method, enum web_page *page,
    int64_t *id)
{
	size_t	 i;
	int	 status = 404;

	if (path == NULL || *path == '\0')
		path = "/";
	*id = 0;
	/* A path may have a page per method (/new: the form, and the
	 * POST that creates). */
	for (i = 0; i < PAGE__MAX; i++) {
		if (!match(pages[i].pattern, path, id))
			continue;
		*page = (enum web_page)i;
		if (method == pages[i].method ||
		    (method == WEB_HEAD && pages[i].method == WEB_GET))
			return 200;
		status = 405;
	}
	return status;
}

bool
web_page_is_post(enum web_page p)
{
	return p < PAGE__MAX && pages[p].method == WEB_POST;
}

const char *
web_key_name(enum web_key k)
{
	return k < KEY__MAX ? keys[k].name : NULL;
}

bool
web_key_takes_lines(enum web_key k)
{
	return k < KEY__MAX && keys[k].type == V_LINES;
}

/* Text a person typed: valid UTF-8, no controls except (if LINES) CR,
 * LF and tab, and a length in characters within the key's range. */
static bool
valid_text(const char *s, const struct key_def *d, bool lines)
{
	const char	*p;
	glong		 n;

	if (!g_utf8_validate(s, -1, NULL))
		return false;
	n = g_utf8_strlen(s, -1);
	if (n < d->min || n > d->max)
		return false;
	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (lines && (c == '\n' || c == '\r' || c == '\t'))
			continue;
		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			return false;
	}
	return true;
}

static bool
valid_charset(const char *s, const char *extra, const struct key_def *d,
    bool alnum_upper)
{
	size_t	 n = strlen(s), i;

	if ((int64_t)n < d->min || (int64_t)n > d->max)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (g_ascii_islower(c) || g_ascii_isdigit(c) ||
		    (alnum_upper && g_ascii_isupper(c)) ||
		    strchr(extra, c) != NULL)
			continue;
		return false;
	}
	return true;
}

/* Validates and types one value; false on bad input. */
static bool
validate(const struct key_def *d, const char *v, struct web_field *f)
{
	size_t	 i;

	switch (d->type) {
	case V_INT:
		return text_to_int(&f->i, v, d->min, d->max);
	case V_BOOL:
		if (strcmp(v, "1") == 0 || strcmp(v, "on") == 0 ||
		    strcmp(v, "yes") == 0)
			f->i = 1;
		else if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0 ||
		    strcmp(v, "no") == 0)
			f->i = 0;
		else
			return false;
		return true;
	case V_ENUM:
		for (i = 0; d->choices[i] != NULL; i++)
			if (strcmp(d->choices[i], v) == 0) {
				f->i = (int64_t)i;
				return true;
			}
		return false;
	case V_WORD:
		return valid_charset(v, "-_", d, false);
	case V_TEXT:
		return valid_text(v, d, false);
	case V_LINES:
		return valid_text(v, d, true);
	case V_MSGID:
		/* Printable ASCII without blanks; brackets are optional. */
		return valid_charset(v, "!#$%&'*+-/=?^_`{|}~.@<>[]\"(),:;\\",
		    d, true);
	case V_TOKEN:
		return valid_charset(v, "-_.", d, true);
	case V_TZ:
		return web_tz_valid(v);
	case V_ADDRESS:
		return valid_charset(v, "-_.+@", d, true);
	default:
		return false;
	}
}

static void
field_set(struct web_request *r, enum web_key k, const char *value)
{
	struct web_field	*f = &r->fields[k];

	f->present = true;
	g_free(f->s);
	if (keys[k].type == V_MSGID) {
		/* Stored Message-IDs have no angle brackets. */
		size_t n = strlen(value);

		if (n >= 2 && value[0] == '<' && value[n - 1] == '>')
			f->s = g_strndup(value + 1, n - 2);
		else
			f->s = g_strdup(value);
	} else
		f->s = g_strdup(value);
}

/* Percent-decodes a form component, '+' being a space; NULL if the
 * result is not a C string (an encoded NUL) or the escape is broken. */
static char *
form_decode(const char *s)
{
	char	*plus = g_strdup(s), *p, *out;

	for (p = plus; *p != '\0'; p++)
		if (*p == '+')
			*p = ' ';
	out = g_uri_unescape_string(plus, NULL);
	g_free(plus);
	return out;
}

/* One parameter by name: unknown names are ignored, a bad value is
 * WEB_ERROR_BAD_REQUEST. */
static bool
param_set(struct web_request *r, const char *name, const char *value,
    GError **err)
{
	struct web_field f = { 0 };
	size_t	 k;

	for (k = 0; k < KEY__MAX; k++)
		if (strcmp(keys[k].name, name) == 0)
			break;
	if (k == KEY__MAX)
		return true;
	/* An empty select or field means "not given". */
	if (*value == '\0' && keys[k].type != V_LINES)
		return true;
	if (!validate(&keys[k], value, &f)) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "invalid value for parameter \"%s\"", keys[k].name);
		return false;
	}
	field_set(r, (enum web_key)k, value);
	r->fields[k].i = f.i;
	return true;
}

bool
web_parse_params(struct web_request *r, const char *encoded, GError **err)
{
	char	**pairs;
	size_t	  i;
	bool	  ok = true;

	if (encoded == NULL || *encoded == '\0')
		return true;
	/* Every '&' ends a pair: a split capped at N pieces would leave
	 * the rest, '&'s and all, in the last one's value.  The input is
	 * bounded (WEB_BODY_MAX, the server's request line). */
	pairs = g_strsplit(encoded, "&", -1);
	for (i = 0; ok && pairs[i] != NULL; i++) {
		char	*eq = strchr(pairs[i], '='), *name, *value;

		if (*pairs[i] == '\0')
			continue;
		if (eq != NULL)
			*eq = '\0';
		name = form_decode(pairs[i]);
		value = form_decode(eq != NULL ? eq + 1 : "");
		if (name == NULL || value == NULL) {
			g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
			    "badly encoded parameter");
			ok = false;
		} else
			ok = param_set(r, name, value, err);
		g_free(name);
		g_free(value);
	}
	g_strfreev(pairs);
	return ok;
}

/* A multipart/form-data body (a form with file inputs): its text fields
 * through the same keys[] as a urlencoded one, its files kept in
 * r->form for the page (web_form.h).  Nothing is stored here. */
static bool
read_multipart(struct web_request *r, FILE *in, const char *type,
    uint64_t upload_max, int *status, GError **err)
{
	const char	*cl = g_getenv("CONTENT_LENGTH");
	int64_t		 len = -1;
	GHashTableIter	 it;
	gpointer	 name, value;

	if (cl != NULL && *cl != '\0' && !text_to_int(&len, cl, 0,
	    G_MAXINT64)) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "bad CONTENT_LENGTH");
		*status = 400;
		return false;
	}
	if (!web_form_parse(type, in, len, upload_max, &r->form, err)) {
		*status = g_error_matches(*err, WEB_ERROR,
		    WEB_ERROR_TOO_LARGE) ? 413 : 400;
		return false;
	}
	g_hash_table_iter_init(&it, r->form->fields);
	while (g_hash_table_iter_next(&it, &name, &value))
		if (!param_set(r, name, value, err)) {
			*status = 400;
			return false;
		}
	return true;
}

void
web_request_free(struct web_request *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < KEY__MAX; i++)
		g_free(r->fields[i].s);
	g_free(r->script_name);
	g_free(r->remote_user);
	g_free(r->cookie);
	g_free(r->tz_cookie);
	web_form_free(r->form);
	g_free(r);
}

static bool
read_body(FILE *in, char **out, GError **err)
{
	const char	*cl = g_getenv("CONTENT_LENGTH");
	int64_t		 len = 0;
	char		*buf;

	*out = NULL;
	if (cl == NULL || *cl == '\0')
		return true;
	if (!text_to_int(&len, cl, 0, G_MAXINT64)) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "bad CONTENT_LENGTH");
		return false;
	}
	if (len > WEB_BODY_MAX) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_TOO_LARGE,
		    "request body too large");
		return false;
	}
	buf = g_malloc((gsize)len + 1);
	if (fread(buf, 1, (size_t)len, in) != (size_t)len) {
		g_free(buf);
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "short request body");
		return false;
	}
	buf[len] = '\0';
	if (strlen(buf) != (size_t)len) {
		g_free(buf);
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "NUL in request body");
		return false;
	}
	*out = buf;
	return true;
}

static enum web_method
text_to_method(const char *m)
{
	if (m == NULL || strcmp(m, "GET") == 0)
		return WEB_GET;
	if (strcmp(m, "HEAD") == 0)
		return WEB_HEAD;
	if (strcmp(m, "POST") == 0)
		return WEB_POST;
	return WEB_METHOD__MAX;
}

bool
web_request_from_env(struct web_request **out, FILE *in,
    uint64_t upload_max, int *status, GError **err)
{
	struct web_request *r = g_new0(struct web_request, 1);
	const char	*v;
	char		*body = NULL;
	bool		 ok;

	*out = r;
	r->method = text_to_method(g_getenv("REQUEST_METHOD"));
	v = g_getenv("SCRIPT_NAME");
	r->script_name = g_strdup(v != NULL ? v : "");
	v = g_getenv("REMOTE_USER");
	if (v != NULL && *v != '\0')
		r->remote_user = g_strdup(v);
	v = g_getenv("HTTPS");
	r->https = v != NULL && g_ascii_strcasecmp(v, "on") == 0;
	v = g_getenv("HTTP_COOKIE");
	if (v != NULL) {
		r->cookie = web_cookie_get(v, WEB_COOKIE_NAME);
		r->tz_cookie = web_cookie_get(v, WEB_TZ_COOKIE);
	}
	*status = web_route(g_getenv("PATH_INFO"), r->method, &r->page,
	    &r->id);
	if (*status != 200)
		return true;
	if (!web_parse_params(r, g_getenv("QUERY_STRING"), err)) {
		*status = 400;
		return false;
	}
	if (r->method != WEB_POST)
		return true;
	v = g_getenv("CONTENT_TYPE");
	if (v != NULL && g_ascii_strncasecmp(v, "multipart/form-data", 19) == 0)
		return read_multipart(r, in, v, upload_max, status, err);
	if (v == NULL || g_ascii_strncasecmp(v,
	    "application/x-www-form-urlencoded", 33) != 0) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "expected a form");
		*status = 415;
		return false;
	}
	if (!read_body(in, &body, err)) {
		*status = g_error_matches(*err, WEB_ERROR,
		    WEB_ERROR_TOO_LARGE) ? 413 : 400;
		return false;
	}
	ok = web_parse_params(r, body, err);
	g_free(body);
	if (!ok)
		*status = 400;
	return ok;
}

struct web_response *
web_response_new(int status, const char *type)
{
	struct web_response *r = g_new0(struct web_response, 1);

	r->status = status;
	r->content_type = g_strdup(type);
	r->headers = g_ptr_array_new_with_free_func(g_free);
	return r;
}

void
web_response_header(struct web_response *r, const char *name,
    const char *value)
{
	/* Header values never come from input unchecked, but a line break
	 * would split the response: refuse it here, once. */
	g_return_if_fail(strpbrk(value, "\r\n") == NULL);
	g_ptr_array_add(r->headers, g_strdup_printf("%s: %s", name, value));
}

void
web_response_set_body(struct web_response *r, GBytes *b)
{
	if (r->body != NULL)
		g_bytes_unref(r->body);
	r->body = b;
}

void
web_response_free(struct web_response *r)
{
	if (r == NULL)
		return;
	g_free(r->content_type);
	g_ptr_array_unref(r->headers);
	if (r->body != NULL)
		g_bytes_unref(r->body);
	g_free(r);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return N_("OK");
	case 303: return N_("See Other");
	case 400: return N_("Bad Request");
	case 403: return N_("Forbidden");
	case 404: return N_("Not Found");
	case 405: return N_("Method Not Allowed");
	case 409: return N_("Conflict");
	case 413: return N_("Content Too Large");
	case 415: return N_("Unsupported Media Type");
	case 503: return N_("Service Unavailable");
	default: return N_("Internal Server Error");
	}
}

bool
web_response_write(const struct web_response *r, bool head, FILE *out)
{
	gsize	 len = 0;
	const char *data = r->body != NULL ?
	    g_bytes_get_data(r->body, &len) : NULL;
	guint	 i;

	fprintf(out, "Status: %d %s\r\n", r->status, status_text(r->status));
	if (r->content_type != NULL)
		fprintf(out, "Content-Type: %s\r\n", r->content_type);
	fprintf(out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", len);
	fputs("X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Cache-Control: private, no-store\r\n", out);
	for (i = 0; i < r->headers->len; i++)
		fprintf(out, "%s\r\n", (const char *)r->headers->pdata[i]);
	fputs("\r\n", out);
	if (!head && len > 0)
		fwrite(data, 1, len, out);
	return fflush(out) == 0 && !ferror(out);
}

/* The CSP of every HTML page: no script at all, styles from us only. */
#define PAGE_CSP "default-src 'none'; style-src 'self'; img-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

static char *
render_file(struct web *w, const char *name, JsonObject *ctx,
    GError **err)
{
	struct template	*t;
	char		*path, *file, *out;

	file = g_strconcat(name, ".html", NULL);
	path = g_build_filename(w->templates_dir, file, NULL);
	g_free(file);
	if (!template_load(&t, path, err)) {
		g_free(path);
		return NULL;
	}
	g_free(path);
	out = template_render(t, ctx, TEMPLATE_ESCAPE_HTML, err);
	template_free(t);
	return out;
}

/* What every page's layout needs: links, the viewer, the CSRF token. */
static void
layout_context(struct web *w, JsonObject *o, const char *title)
{
	const struct web_viewer *v = &w->viewer;

	web_lang_choose(w);
	json_object_set_string_member(o, "title", title);
	json_object_set_string_member(o, "lang", w->lang);
	json_object_set_string_member(o, "base", w->req->script_name);
	json_object_set_boolean_member(o, "staff", v->role == WEB_STAFF);
	json_object_set_boolean_member(o, "customer",
	    v->role == WEB_CUSTOMER);
	if (v->address != NULL)
		json_object_set_string_member(o, "me", v->address);
	if (w->tz_name != NULL)
		json_object_set_string_member(o, "tz", w->tz_name);
	if (v->session != NULL && w->config->web_link_key != NULL) {
		char *c = web_csrf_make(w->config->web_link_key, v->session,
		    w->now);

		json_object_set_string_member(o, "csrf", c);
		g_free(c);
	}
}

struct web_response *
web_render(struct web *w, int status, const char *name, const char *title,
    JsonObject *ctx, GError **err)
{
	struct web_response	*r;
	char			*content, *page;

	layout_context(w, ctx, title);
	content = render_file(w, name, ctx, err);
	if (content == NULL) {
		json_object_unref(ctx);
		return NULL;
	}
	/* The page is already escaped; the layout inserts it raw. */
	json_object_set_string_member(ctx, "content", content);
	g_free(content);
	page = render_file(w, "layout", ctx, err);
	json_object_unref(ctx);
	if (page == NULL)
		return NULL;
	r = web_response_new(status, "text/html; charset=utf-8");
	web_response_header(r, "Content-Security-Policy", PAGE_CSP);
	web_response_set_body(r, g_bytes_new_take(page, strlen(page)));
	return r;
}

struct web_response *
web_error_page(struct web *w, int status, const char *detail)
{
	struct web_response	*r;
	JsonObject		*o = json_object_new();
	GError			*e = NULL;
	char			*title;

	/* Callers pass English (xgettext: --keyword=web_error_page:3);
	 * a message of a GError passes through untranslated. */
	web_lang_choose(w);
	title = g_strdup_printf("%d %s", status, _(status_text(status)));
	json_object_set_int_member(o, "status", status);
	json_object_set_string_member(o, "detail", _(detail));
	r = w->templates_dir != NULL ?
	    web_render(w, status, "error", title, o, &e) : NULL;
	if (r == NULL) {
		/* No templates: plain text still tells the truth. */
		char *text = g_strdup_printf("%s\n%s\n", title, detail);

		if (w->templates_dir == NULL)
			json_object_unref(o);
		g_clear_error(&e);
		r = web_response_new(status, "text/plain; charset=utf-8");
		web_response_header(r, "Content-Security-Policy", PAGE_CSP);
		web_response_set_body(r, g_bytes_new_take(text,
		    strlen(text)));
	}
	g_free(title);
	return r;
}

struct web_response *
web_redirect(struct web *w, const char *path)
{
	struct web_response	*r = web_response_new(303, NULL);
	char			*loc;

	loc = g_strconcat(w->req->script_name, path, NULL);
	web_response_header(r, "Location", loc);
	g_free(loc);
	return r;
}

/* An IANA zone name GLib knows ("Europe/Berlin", "UTC"). */
bool
web_tz_valid(const char *v)
{
	GTimeZone	*tz;
	size_t		 i, n = strlen(v);

	if (n == 0 || n > 64 || v[0] == '/' || strstr(v, "..") != NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(v[i]) && strchr("/_+-", v[i]) == NULL)
			return false;
	/* GLib falls back to UTC for names it does not know. */
	tz = g_time_zone_new_identifier(v);
	if (tz == NULL)
		return false;
	g_time_zone_unref(tz);
	return true;
}

void
web_choose_tz(struct web *w, char **set_cookie)
{
	const struct web_field *f = &w->req->fields[KEY_TZ];
	const char	*name = NULL;

	*set_cookie = NULL;
	if (f->present)
		name = f->s;
	else if (w->req->tz_cookie != NULL &&
	    web_tz_valid(w->req->tz_cookie))
		name = w->req->tz_cookie;
	if (name == NULL)
		return;
	w->tz = g_time_zone_new_identifier(name);
	w->tz_name = g_strdup(name);
	if (f->present)
		*set_cookie = g_strdup_printf("%s=%s; Path=%s; "
		    "Max-Age=31536000; HttpOnly; SameSite=Strict%s",
		    WEB_TZ_COOKIE, name, *w->req->script_name == '/' ?
		    w->req->script_name : "/", w->req->https ? "; Secure" : "");
}

/* T in the viewer's zone when known, else the server's. */
static GDateTime *
viewer_time(const struct web *w, int64_t t)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(t), *d;

	if (u == NULL || w == NULL || w->tz == NULL)
		return u != NULL ? (g_date_time_unref(u),
		    g_date_time_new_from_unix_local(t)) : NULL;
	d = g_date_time_to_timezone(u, w->tz);
	g_date_time_unref(u);
	return d;
}

char *
web_time(const struct web *w, int64_t t)
{
	GDateTime	*d = viewer_time(w, t);
	char		*s;

	if (d == NULL)
		return g_strdup("");
	s = g_date_time_format(d, "%Y-%m-%d %H:%M");
	g_date_time_unref(d);
	return s;
}

typedef struct web_response *(*handler)(struct web *, GError **);

static const handler handlers[PAGE__MAX] = {
	[PAGE_LIST] = web_page_list,
	[PAGE_TICKET] = web_page_ticket,
	[PAGE_RATE] = web_page_rate,
	[PAGE_UPDATE] = web_page_update,
	[PAGE_SIGNOUT] = web_page_signout,
	[PAGE_SEARCH] = web_page_search,
	[PAGE_MESSAGE] = web_page_message,
	[PAGE_ATTACHMENT] = web_page_attachment,
	[PAGE_DASHBOARD] = web_page_dashboard,
	[PAGE_EXPORT] = web_page_export,
	[PAGE_TEXT] = web_page_text,
	[PAGE_REPLY] = web_page_reply,
	[PAGE_MERGE] = web_page_merge,
	[PAGE_CC] = web_page_cc,
	[PAGE_LANGUAGE] = web_page_language,
	[PAGE_POST] = web_page_post,
	[PAGE_CHANGE] = web_page_change,
	[PAGE_STYLE] = web_page_style,
	[PAGE_NEW] = web_page_new,
	[PAGE_CREATE] = web_page_create,
	[PAGE_LINK] = web_page_link,
	[PAGE_UNLINK] = web_page_unlink,
	[PAGE_ACCOUNT] = web_page_account,
	[PAGE_ACCOUNT_CHANGE] = web_page_account_change,
	[PAGE_SPLIT] = web_page_split,
};

/* Who may reach which page, and the CSRF check of every POST; NULL if
 * the request may go on to its handler. */
static struct web_response *
gate(struct web *w)
{
	const struct web_request *r = w->req;
	enum web_role	 role = w->viewer.role;
	bool		 accounts = false;

	if (r->page == PAGE_STYLE)
		return NULL;
	/* Staff accounts in the store list the staff too (staff.h); a
	 * failed read only changes the wording. */
	if (role == WEB_ANONYMOUS && r->remote_user != NULL &&
	    !store_staff_any(w->store, &accounts, NULL))
		accounts = false;
	if (role == WEB_ANONYMOUS)
		return web_error_page(w, 403, r->remote_user == NULL ?
		    "Open the link in your most recent notification mail "
		    "to see your tickets." : web_staff_listed(w->config) ||
		    accounts ?
		    "Your user name is not on the staff list." :
		    "Staff sign in on the staff URL, with a user name that "
		    "is or makes a mail address.");
	if (role != WEB_STAFF &&
	    (r->page == PAGE_DASHBOARD || r->page == PAGE_UPDATE ||
	    r->page == PAGE_SIGNOUT || r->page == PAGE_EXPORT ||
	    r->page == PAGE_REPLY || r->page == PAGE_MERGE ||
	    r->page == PAGE_CC || r->page == PAGE_LINK ||
	    r->page == PAGE_UNLINK || r->page == PAGE_SPLIT))
		return web_error_page(w, 404, "There is no such page.");
	if (web_page_is_post(r->page) && !web_csrf_check(
	    w->config->web_link_key, w->viewer.session,
	    r->fields[KEY_CSRF].s, w->now))
		return web_error_page(w, 403, "The form has expired or did "
		    "not come from this site.  Reload the page and try "
		    "again.");
	return NULL;
}

char *
web_cut(const char *s, gsize max, bool *cut)
{
	gsize		 len = strlen(s);
	const char	*end;

	*cut = len > max;
	if (!*cut)
		return g_strdup(s);
	/* Back to the start of the character that would be split. */
	end = s + max;
	while (end > s && ((guchar)*end & 0xC0) == 0x80)
		end--;
	return g_strdup_printf("%.*s…", (int)(end - s), s);
}

static void
json_cut(JsonObject *o, const char *name, const char *v, gsize max)
{
	bool	 cut;
	char	*s = web_cut(v != NULL ? v : "", max, &cut);

	json_object_set_string_member(o, name, s);
	g_free(s);
}

void
web_json_str(JsonObject *o, const char *name, const char *v)
{
	json_cut(o, name, v, WEB_FIELD_MAX);
}

void
web_json_line(JsonObject *o, const char *name, const char *v)
{
	json_cut(o, name, v, WEB_LINE_MAX);
}

void
web_json_time(const struct web *w, JsonObject *o, const char *name, int64_t t)
{
	GDateTime	*d = viewer_time(w, t);
	char		*iso, *key;

	web_json_str(o, name, NULL);
	if (d == NULL || t <= 0) {
		if (d != NULL)
			g_date_time_unref(d);
		return;
	}
	json_object_set_string_member(o, name, (iso = g_date_time_format(d,
	    "%Y-%m-%d %H:%M")));
	g_free(iso);
	key = g_strconcat(name, "_iso", NULL);
	json_object_set_string_member(o, key, (iso =
	    g_date_time_format_iso8601(d)));
	g_free(iso);
	g_free(key);
	g_date_time_unref(d);
}

struct web_response *
web_handle(struct web *w, GError **err)
{
	struct web_response	*r;
	GError			*e = NULL;

	r = gate(w);
	if (r != NULL)
		return r;
	r = handlers[w->req->page](w, &e);
	if (r != NULL)
		return r;
	if (store_error_is_transient(e))
		r = web_error_page(w, 503, "The database is busy; "
		    "try again in a moment.");
	else
		r = web_error_page(w, 500, log_reaches_syslog() ?
		    "Something went wrong; the error has been logged." :
		    "Something went wrong.");
	if (e != NULL)
		g_propagate_error(err, e);
	else
		g_set_error(err, WEB_ERROR, WEB_ERROR_CONFIG, "no page");
	return r;
}
