/*
 * web_auth: who is asking, and what they may see.
 *
 * Staff are whoever the web server authenticated (REMOTE_USER), mapped to
 * a [staff] address.  Customers carry a signed, expiring link token
 * (?t=) from their notification mail; it is exchanged for a signed
 * session cookie.  Both tokens are stateless HMAC-SHA256 values under
 * [web] link_key, so the viewer needs no writable session table; the
 * "kind" inside the MAC keeps a link, a session and a CSRF token from
 * ever standing in for one another.
 */
#include "pdconfig.h"

#include <string.h>

#include "store_web.h"
#include "web.h"

static char *
b64url(const guchar *data, gsize len)
{
	char	*s = g_base64_encode(data, len), *p;
	size_t	 n;

	for (p = s; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	n = strlen(s);
	while (n > 0 && s[n - 1] == '=')
		s[--n] = '\0';
	return s;
}

/* NULL on bad input; *len gets the size.  The result is NUL-terminated. */
static guchar *
b64url_decode(const char *s, gsize *len)
{
	GString	*t = g_string_new(s);
	guchar	*out;
	gsize	 i;

	for (i = 0; i < t->len; i++) {
		char c = t->str[i];

		if (c == '-')
			t->str[i] = '+';
		else if (c == '_')
			t->str[i] = '/';
		else if (!g_ascii_isalnum(c)) {
			g_string_free(t, TRUE);
			return NULL;
		}
	}
	while (t->len % 4 != 0)
		g_string_append_c(t, '=');
	out = g_base64_decode(t->str, len);
	g_string_free(t, TRUE);
	out = g_realloc(out, *len + 1);
	out[*len] = '\0';
	return out;
}

/* HMAC-SHA256(key, kind "\n" expires "\n" subject), base64url. */
static char *
mac(const char *key, const char *kind, int64_t expires, const char *subject)
{
	GHmac	*h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)key,
	    strlen(key));
	guint8	 digest[32];
	gsize	 len = sizeof digest;
	char	*msg;

	msg = g_strdup_printf("%s\n%" G_GINT64_FORMAT "\n%s", kind, expires,
	    subject);
	g_hmac_update(h, (const guchar *)msg, -1);
	g_hmac_get_digest(h, digest, &len);
	g_hmac_unref(h);
	g_free(msg);
	return b64url(digest, len);
}

bool
web_equal(const char *a, const char *b)
{
	size_t		 na = strlen(a), nb = strlen(b), i;
	unsigned	 diff = na != nb;

	/* Walk the expected length whatever the input, so timing tells
	 * nothing about where the first difference is. */
	for (i = 0; i < nb; i++)
		diff |= (unsigned char)b[i] ^
		    (unsigned char)(i < na ? a[i] : 0);
	return diff == 0;
}

char *
web_token_make(const char *key, const char *kind, const char *addr,
    int64_t expires)
{
	char	*a, *m, *t;

	g_return_val_if_fail(key != NULL && addr != NULL, NULL);
	a = b64url((const guchar *)addr, strlen(addr));
	m = mac(key, kind, expires, addr);
	t = g_strdup_printf("%" G_GINT64_FORMAT ".%s.%s", expires, a, m);
	g_free(a);
	g_free(m);
	return t;
}

/* Splits "EXPIRES.REST" and parses EXPIRES. */
static bool
split_expires(const char *token, int64_t *expires, const char **rest)
{
	const char	*dot = strchr(token, '.');
	guint64		 v;
	char		*end;

	if (dot == NULL || dot == token || dot - token > 18)
		return false;
	v = g_ascii_strtoull(token, &end, 10);
	if (end != dot || !g_ascii_isdigit(*token))
		return false;
	*expires = (int64_t)v;
	*rest = dot + 1;
	return true;
}

bool
web_token_check(const char *key, const char *kind, const char *token,
    int64_t now, char **addr)
{
	const char	*rest;
	char		**parts, *a = NULL, *expect;
	int64_t		 expires;
	gsize		 len;
	bool		 ok = false;

	if (key == NULL || token == NULL ||
	    !split_expires(token, &expires, &rest) || expires < now)
		return false;
	parts = g_strsplit(rest, ".", 3);
	if (g_strv_length(parts) == 2)
		a = (char *)b64url_decode(parts[0], &len);
	if (a != NULL && strlen(a) == len && g_utf8_validate(a, -1, NULL) &&
	    strchr(a, '@') != NULL) {
		expect = web_token_make(key, kind, a, expires);
		ok = web_equal(token, expect);
		g_free(expect);
	}
	g_strfreev(parts);
	if (ok)
		*addr = a;
	else
		g_free(a);
	return ok;
}

char *
web_csrf_make(const char *key, const char *session, int64_t now)
{
	int64_t	 expires = now + WEB_CSRF_LIFETIME;
	char	*m = mac(key, "csrf", expires, session), *t;

	t = g_strdup_printf("%" G_GINT64_FORMAT ".%s", expires, m);
	g_free(m);
	return t;
}

bool
web_csrf_check(const char *key, const char *session, const char *token,
    int64_t now)
{
	const char	*rest;
	int64_t		 expires;
	char		*m;
	bool		 ok;

	if (key == NULL || session == NULL || token == NULL ||
	    !split_expires(token, &expires, &rest) || expires < now)
		return false;
	m = mac(key, "csrf", expires, session);
	ok = web_equal(rest, m);
	g_free(m);
	return ok;
}

char *
web_cookie_get(const char *header, const char *name)
{
	char	**parts = g_strsplit(header, ";", 64), *v = NULL;
	size_t	  i, n = strlen(name);

	for (i = 0; v == NULL && parts[i] != NULL; i++) {
		const char *p = parts[i];

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			v = g_strstrip(g_strdup(p + n + 1));
	}
	g_strfreev(parts);
	return v;
}

char *
web_cookie_make(const char *value, const char *path, int64_t max_age,
    bool secure)
{
	return g_strdup_printf("%s=%s; Path=%s; Max-Age=%" G_GINT64_FORMAT
	    "; HttpOnly; SameSite=Strict%s", WEB_COOKIE_NAME, value,
	    path != NULL && *path == '/' ? path : "/", max_age,
	    secure ? "; Secure" : "");
}

char *
web_staff_address(const struct config *c, const char *user)
{
	char	*u, *found = NULL;
	size_t	 i;

	if (user == NULL || *user == '\0')
		return NULL;
	u = g_ascii_strdown(user, -1);
	/* 1. An explicit [web] staff_users "user=address" entry. */
	for (i = 0; found == NULL && c->web_staff_users[i] != NULL; i++) {
		const char *e = c->web_staff_users[i], *eq = strchr(e, '=');

		if (eq != NULL && (size_t)(eq - e) == strlen(u) &&
		    strncmp(e, u, strlen(u)) == 0 && strchr(eq, '@') != NULL)
			found = g_strdup(eq + 1);
	}
	/* 2. The user name is a staff address, or 3. its local part. */
	for (i = 0; found == NULL && c->staff_addresses[i] != NULL; i++) {
		const char *a = c->staff_addresses[i], *at = strchr(a, '@');

		if (strcmp(a, u) == 0 || (at != NULL &&
		    (size_t)(at - a) == strlen(u) &&
		    strncmp(a, u, strlen(u)) == 0))
			found = g_strdup(a);
	}
	g_free(u);
	return found;
}

void
web_viewer_clear(struct web_viewer *v)
{
	g_free(v->address);
	g_free(v->user);
	g_free(v->session);
	g_free(v->set_cookie);
	memset(v, 0, sizeof *v);
}

bool
web_viewer_resolve(struct web *w, GError **err)
{
	struct web_request	*r = w->req;
	struct web_viewer	*v = &w->viewer;
	const char		*key = w->config->web_link_key;
	char			*addr = NULL;

	web_viewer_clear(v);
	if (r->remote_user != NULL) {
		v->address = web_staff_address(w->config, r->remote_user);
		if (v->address == NULL)
			return true;	/* authenticated, but not staff */
		v->role = WEB_STAFF;
		v->user = g_strdup(r->remote_user);
		v->session = g_strconcat("staff:", r->remote_user, NULL);
		return true;
	}
	if (r->fields[KEY_TOKEN].present) {
		if (!web_token_check(key, "link", r->fields[KEY_TOKEN].s,
		    w->now, &addr)) {
			g_set_error(err, WEB_ERROR, WEB_ERROR_FORBIDDEN,
			    "This link is invalid or has expired.  Use the "
			    "link in your most recent notification mail.");
			return false;
		}
		/* The link signs this request in and starts a session. */
		v->session = web_token_make(key, "session", addr,
		    w->now + WEB_SESSION_LIFETIME);
		v->set_cookie = web_cookie_make(v->session,
		    r->script_name, WEB_SESSION_LIFETIME, r->https);
	} else if (r->cookie != NULL && web_token_check(key, "session",
	    r->cookie, w->now, &addr))
		v->session = g_strdup(r->cookie);
	if (addr == NULL)
		return true;
	v->role = WEB_CUSTOMER;
	v->address = g_ascii_strdown(addr, -1);
	g_free(addr);
	return true;
}

bool
web_can_see_ticket(struct web *w, int64_t id, bool *yes, GError **err)
{
	/* The one place the answer is decided; the list and the search
	 * use the same definition (store_web.c VISIBLE). */
	*yes = false;
	switch (w->viewer.role) {
	case WEB_STAFF:
		return store_ticket_exists(w->store, id, yes, err);
	case WEB_CUSTOMER:
		return store_web_ticket_visible(w->store, id,
		    w->viewer.address, yes, err);
	default:
		return true;
	}
}

bool
web_customer_may_act(struct web *w, bool *yes, GError **err)
{
	struct org_member *m = NULL;

	*yes = false;
	if (w->viewer.role != WEB_CUSTOMER)
		return true;
	if (!store_org_member_get(w->store, w->viewer.address, &m, err))
		return false;
	*yes = m == NULL || strcmp(m->role, "secondary") != 0;
	org_member_free(m);
	return true;
}

const char *
web_participant_filter(const struct web *w)
{
	if (w->viewer.role == WEB_STAFF)
		return NULL;
	/* "" matches no participant: an anonymous viewer sees nothing. */
	return w->viewer.role == WEB_CUSTOMER ? w->viewer.address : "";
}

char *
web_customer_link(const struct config *c, const char *addr,
    int64_t ticket, int64_t now)
{
	char	*lower, *t, *link, *page;
	int64_t	 life = c->web_link_lifetime > 0 ? c->web_link_lifetime :
	    14 * 24 * 3600;

	if (c->web_link_key == NULL || *c->web_link_key == '\0' ||
	    addr == NULL || strchr(addr, '@') == NULL)
		return NULL;
	lower = g_ascii_strdown(addr, -1);
	t = web_token_make(c->web_link_key, "link", lower, now + life);
	page = ticket > 0 ? g_strdup_printf("/ticket/%" G_GINT64_FORMAT,
	    ticket) : g_strdup("/");
	link = g_strconcat(c->web_base_url != NULL ? c->web_base_url : "",
	    page, "?t=", t, NULL);
	g_free(page);
	g_free(lower);
	g_free(t);
	return link;
}
