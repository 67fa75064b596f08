/*
 * web_auth: who is asking, and what they may see.
 *
 * Staff are whoever the web server authenticated (REMOTE_USER), mapped to
 * an enabled staff account of the store (staff.h), read on every
 * request so that disabling one takes effect at once.  While the store
 * has none, to a [staff] address or a [web] staff_users entry.  With
 * neither listed
 * (a fresh install), a user the web server authenticated on the staff
 * path (SCRIPT_NAME is base_url's path + "-staff", as every shipped
 * snippet has it) is staff: the password file is then the staff list.  Customers carry a sign-in link (?t=) from their
 * notification mail; its first use opens a session whose signed id the
 * cookie carries.  Link and session are rows the store knows
 * (web_links, web_sessions; web_link.c decides about them), so either
 * can be revoked at once; the HMAC-SHA256 under [web] link_key over the
 * id makes a guessed or altered id worthless without a query.  The
 * "kind" inside the MAC keeps a link, a session and a CSRF token from
 * ever standing in for one another.
 */
#include "pdconfig.h"

#include <string.h>

#include "log.h"
#include "staff.h"
#include "policy.h"
#include "roles.h"
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

/* An id as web_link_id_new() makes them: WEB_LINK_ID_LEN hex digits. */
static bool
id_valid(const char *s, size_t n)
{
	size_t	 i;

	if (n != WEB_LINK_ID_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return false;
	return true;
}

char *
web_ref_make(const char *key, const char *kind, const char *id)
{
	char	*m, *t;

	g_return_val_if_fail(key != NULL && id != NULL, NULL);
	/* Expiry 0: the store, not the token, knows when it ends. */
	m = mac(key, kind, 0, id);
	t = g_strdup_printf("%s.%s", id, m);
	g_free(m);
	return t;
}

bool
web_ref_check(const char *key, const char *kind, const char *token,
    char **id)
{
	const char	*dot;
	char		*i, *expect;
	bool		 ok;

	if (key == NULL || *key == '\0' || token == NULL ||
	    (dot = strchr(token, '.')) == NULL ||
	    !id_valid(token, (size_t)(dot - token)))
		return false;
	i = g_strndup(token, (gsize)(dot - token));
	expect = web_ref_make(key, kind, i);
	ok = web_equal(token, expect);
	g_free(expect);
	if (ok)
		*id = i;
	else
		g_free(i);
	return ok;
}

bool
web_ref_is_legacy(const char *token)
{
	const char	*rest;
	int64_t		 expires;

	/* "EXPIRES.B64(ADDR).MAC", the stateless links of before. */
	return token != NULL && split_expires(token, &expires, &rest) &&
	    strchr(rest, '.') != NULL;
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

bool
web_staff_listed(const struct config *c)
{
	return (c->staff_addresses != NULL && c->staff_addresses[0] != NULL) ||
	    (c->web_staff_users != NULL && c->web_staff_users[0] != NULL);
}

char *
web_staff_path(const char *base_url)
{
	GUri	*u;
	char	*path = NULL;
	size_t	 n;

	if (base_url == NULL ||
	    (u = g_uri_parse(base_url, G_URI_FLAGS_NONE, NULL)) == NULL)
		return NULL;
	n = strlen(g_uri_get_path(u));
	while (n > 0 && g_uri_get_path(u)[n - 1] == '/')
		n--;
	/* A site at the root ("https://host/") has no customer path to
	 * derive a staff path from. */
	if (n > 0)
		path = g_strdup_printf("%.*s-staff", (int)n, g_uri_get_path(u));
	g_uri_unref(u);
	return path;
}

/* RFC 5322 atext and '.', as an unquoted local part may hold. */
static bool
local_part_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && strchr("!#$%&'*+-/=?^_`{|}~.",
		    s[i]) == NULL)
			return false;
	return true;
}

/* Dot-separated labels of letters, digits and '-'. */
static bool
domain_ok(const char *s)
{
	size_t	 i, label = 0;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (g_ascii_isalnum(s[i]) || s[i] == '-')
			label++;
		else
			return false;
	return label > 0;
}

/* The address a fresh install gives USER (lower case): USER itself if
 * it is an address, else USER@HOST; NULL if it cannot be one. */
static char *
unlisted_address(const char *u, const char *host)
{
	const char	*at = strchr(u, '@');
	char		*a, *lower;

	if (at != NULL)
		return local_part_ok(u, (size_t)(at - u)) && domain_ok(at + 1) ?
		    g_strdup(u) : NULL;
	if (host == NULL || !domain_ok(host) || !local_part_ok(u, strlen(u)))
		return NULL;
	a = g_strconcat(u, "@", host, NULL);
	lower = g_ascii_strdown(a, -1);
	g_free(a);
	return lower;
}

/* A listed user: [web] staff_users, then [staff] addresses. */
static char *
listed_address(const struct config *c, const char *u)
{
	char	*found = NULL;
	size_t	 i;

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
	return found;
}

/* SCRIPT_NAME, trailing '/' aside, is the staff path. */
static bool
on_staff_path(const struct config *c, const char *script_name)
{
	char	*staff = web_staff_path(c->web_base_url);
	size_t	 n = script_name != NULL ? strlen(script_name) : 0;
	bool	 yes;

	while (n > 0 && script_name[n - 1] == '/')
		n--;
	yes = staff != NULL && strlen(staff) == n &&
	    strncmp(staff, script_name, n) == 0;
	g_free(staff);
	return yes;
}

char *
web_staff_address(const struct config *c, const char *user,
    const char *script_name)
{
	char	*u, *found;

	if (user == NULL || *user == '\0')
		return NULL;
	u = g_ascii_strdown(user, -1);
	if (web_staff_listed(c))
		found = listed_address(c, u);
	else if (on_staff_path(c, script_name))
		found = unlisted_address(u, c->host);
	else
		found = NULL;	/* authenticated, but not where staff are */
	g_free(u);
	return found;
}

char *
web_staff_account(const struct config *c, const struct staff_dir *dir,
    const char *user)
{
	const struct staff *found = NULL;
	char	*u;
	size_t	 i, n;
	guint	 k, hits = 0;

	if (user == NULL || *user == '\0')
		return NULL;
	u = g_ascii_strdown(user, -1);
	n = strlen(u);
	/* 1. An explicit [web] staff_users "user=address" entry. */
	for (i = 0; found == NULL && c->web_staff_users[i] != NULL; i++) {
		const char *e = c->web_staff_users[i], *eq = strchr(e, '=');

		if (eq != NULL && (size_t)(eq - e) == n &&
		    strncmp(e, u, n) == 0)
			found = staff_dir_find(dir, eq + 1);
	}
	/* 2. The user name is an account's address, or 3. the local part
	 * of exactly one. */
	if (found == NULL)
		found = staff_dir_find(dir, u);
	for (k = 0; found == NULL && strchr(u, '@') == NULL &&
	    k < dir->all->len; k++) {
		const struct staff *s = dir->all->pdata[k];

		if (strncmp(s->address, u, n) == 0 && s->address[n] == '@' &&
		    !s->disabled && hits++ == 0)
			found = s;
	}
	if (hits > 1)
		found = NULL;
	g_free(u);
	/* A disabled account is nobody's: not staff, at once. */
	return found != NULL && !found->disabled ? g_strdup(found->address) :
	    NULL;
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

#define BAD_LINK "This link is invalid or has expired.  Use the link in " \
	"your most recent notification mail, or ask support for a new one."

/* Signs the customer ADDRESS in; REF (taken) is what her CSRF tokens
 * are bound to: her session cookie. */
static void
customer(struct web_viewer *v, const char *address, char *ref)
{
	v->role = WEB_CUSTOMER;
	v->address = g_ascii_strdown(address, -1);
	v->session = ref;
}

/* Secure when this request came over HTTPS or the site is served over
 * it ([web] base_url), e.g. behind a proxy that ends TLS. */
static bool
secure(const struct web *w)
{
	const char	*u = w->config->web_base_url;

	return w->req->https || (u != NULL &&
	    g_ascii_strncasecmp(u, "https://", 8) == 0);
}

/*
 * Writes last_seen on its own short-lived read-write connection: GETs
 * read through a read-only one, and a missed update must not fail the
 * page (nor wait long for a writer), so a failure is only logged.
 */
static void
touch(struct web *w, const char *id)
{
	struct store	*rw = NULL;
	GError		*e = NULL;

	/* A busy writer costs this page at most a moment. */
	(void)store_open_busy(&rw, config_store(w->config), STORE_READWRITE,
	    200, &e);
	if (e != NULL || !store_web_session_seen(rw, id, w->now, &e)) {
		log_warnx("session last_seen: %s", e->message);
		g_error_free(e);
	}
	store_close(rw);
}

/* The session of cookie COOKIE, if it is live; *out NULL otherwise. */
static bool
session_of(struct web *w, const char *cookie,
    struct store_web_session **out, GError **err)
{
	char	*id = NULL;
	bool	 ok;

	*out = NULL;
	if (cookie == NULL || !web_ref_check(w->config->web_link_key,
	    "session", cookie, &id))
		return true;
	ok = store_web_session_get(w->store, id, out, err);
	g_free(id);
	if (ok && web_link_session_decide(*out, w->now) != WEB_LINK_LIVE)
		g_clear_pointer(out, store_web_session_free);
	return ok;
}

/* ?t=: a live link opens a session (or keeps the one it opened). */
static bool
sign_in(struct web *w, struct store_web_session *cur, GError **err)
{
	const struct web_request *r = w->req;
	const char		*token = r->fields[KEY_TOKEN].s;
	struct store_web_link	*l = NULL;
	struct store_web_session n;
	char			*lid = NULL, sid[WEB_LINK_ID_LEN + 1];
	bool			 ok;

	if (!web_ref_check(w->config->web_link_key, "link", token, &lid)) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_FORBIDDEN, "%s%s",
		    BAD_LINK, web_ref_is_legacy(token) ? "  Links mailed "
		    "before sign-in links became revocable no longer "
		    "work." : "");
		return false;
	}
	ok = store_web_link_get(w->store, lid, &l, err);
	g_free(lid);
	if (ok && web_link_decide(l, w->now) != WEB_LINK_LIVE) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_FORBIDDEN, BAD_LINK);
		ok = false;
	} else if (ok && cur != NULL && strcmp(cur->link_id, l->id) == 0)
		/* A reload of the mailed URL: no second session. */
		customer(&w->viewer, cur->address, g_strdup(r->cookie));
	else if (ok && (ok = web_link_id_new(sid, err))) {
		web_link_session_plan(w->config, l, sid, w->now, &n);
		ok = store_web_session_open(w->store, &n, err);
		if (ok) {
			customer(&w->viewer, n.address, web_ref_make(
			    w->config->web_link_key, "session", sid));
			w->viewer.set_cookie = web_cookie_make(
			    w->viewer.session, r->script_name,
			    n.expires - w->now, secure(w));
		}
		g_free(n.id);
		g_free(n.link_id);
		g_free(n.address);
	}
	store_web_link_free(l);
	return ok;
}

/* Which roles see their organization's tickets: the table's view row
 * for each role of [roles]; the store's queries use the answer. */
static void
org_view(struct web *w)
{
	const char	**names = roles_names(w->config->roles);
	GPtrArray	 *yes = g_ptr_array_new();
	size_t		  i;

	for (i = 0; names[i] != NULL; i++) {
		struct policy_facts f = { 0 };
		struct policy_decision d;

		f.member = true;
		f.rights = roles_rights(w->config->roles, names[i]);
		policy_decide(POLICY_VIEW, &f, &d);
		if (d.allow)
			g_ptr_array_add(yes, (gpointer)names[i]);
	}
	g_ptr_array_add(yes, NULL);
	store_web_set_org_view(w->store, (const char *const *)yes->pdata);
	g_ptr_array_free(yes, TRUE);
	g_free(names);
}

bool
web_viewer_resolve(struct web *w, GError **err)
{
	struct web_request	*r = w->req;
	struct web_viewer	*v = &w->viewer;
	struct store_web_session *cur = NULL;
	bool			 ok = true;

	web_viewer_clear(v);
	org_view(w);
	if (r->remote_user != NULL) {
		struct staff_dir *dir = NULL;

		/* The store's accounts, once it has any (staff.h). */
		if (!staff_dir_load(w->store, w->config, &dir, err))
			return false;
		v->address = dir->bootstrap ? web_staff_address(w->config,
		    r->remote_user, r->script_name) :
		    web_staff_account(w->config, dir, r->remote_user);
		staff_dir_free(dir);
		if (v->address == NULL)
			return true;	/* authenticated, but not staff */
		v->role = WEB_STAFF;
		v->user = g_strdup(r->remote_user);
		v->session = g_strconcat("staff:", r->remote_user, NULL);
		return true;
	}
	if (!session_of(w, r->cookie, &cur, err))
		return false;
	if (r->fields[KEY_TOKEN].present)
		ok = sign_in(w, cur, err);
	else if (cur != NULL) {
		customer(v, cur->address, g_strdup(r->cookie));
		if (web_link_touch_due(cur, w->now))
			touch(w, cur->id);
	} else if (r->cookie != NULL)
		/* Revoked, expired or forged: forget it. */
		v->set_cookie = web_cookie_make("", r->script_name, 0,
		    secure(w));
	store_web_session_free(cur);
	return ok;
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
	return web_customer_may(w, POLICY_RATE, yes, err);
}

bool
web_customer_may(struct web *w, enum policy_perm perm, bool *yes,
    GError **err)
{
	struct org_member *m = NULL;
	struct policy_facts f = { 0 };
	struct policy_decision d;

	*yes = false;
	if (w->viewer.role != WEB_CUSTOMER)
		return true;
	if (!store_org_member_get(w->store, w->viewer.address, &m, err))
		return false;
	/* PERM's row of the permission table, by the role's rights
	 * ([roles]); the signed link proved the address. */
	f.member = m != NULL;
	f.rights = m != NULL ? roles_rights(w->config->roles, m->role) : 0;
	policy_decide(perm, &f, &d);
	*yes = d.allow;
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
