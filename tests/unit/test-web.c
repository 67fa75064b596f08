/*
 * test-web: routing, parameter validation, sign-in links and sessions
 * (token format, expiry decisions, the store rows), CSRF tokens,
 * cookies and the staff mapping of postdesk.cgi.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib/gstdio.h>

#include "config.h"
#include "store_web.h"
#include "web.h"

#define KEY "unit-test-key"

static void
test_route(void)
{
	static const struct {
		const char	*path;
		enum web_method	 method;
		int		 status;
		enum web_page	 page;
		int64_t		 id;
	} cases[] = {
		{ "/", WEB_GET, 200, PAGE_LIST, 0 },
		{ "", WEB_GET, 200, PAGE_LIST, 0 },
		{ NULL, WEB_HEAD, 200, PAGE_LIST, 0 },
		{ "/ticket/42", WEB_GET, 200, PAGE_TICKET, 42 },
		{ "/ticket/42/rate", WEB_POST, 200, PAGE_RATE, 42 },
		{ "/ticket/42/update", WEB_POST, 200, PAGE_UPDATE, 42 },
		{ "/ticket/42/signout", WEB_POST, 200, PAGE_SIGNOUT, 42 },
		{ "/ticket/42/signout", WEB_GET, 405, PAGE_SIGNOUT, 42 },
		{ "/ticket/42/rate", WEB_GET, 405, PAGE_RATE, 42 },
		{ "/ticket/42", WEB_POST, 405, PAGE_TICKET, 42 },
		{ "/search", WEB_GET, 200, PAGE_SEARCH, 0 },
		{ "/message", WEB_GET, 200, PAGE_MESSAGE, 0 },
		{ "/attachment/7", WEB_GET, 200, PAGE_ATTACHMENT, 7 },
		{ "/dashboard", WEB_GET, 200, PAGE_DASHBOARD, 0 },
		{ "/style.css", WEB_GET, 200, PAGE_STYLE, 0 },
		/* One path, a page per method. */
		{ "/new", WEB_GET, 200, PAGE_NEW, 0 },
		{ "/new", WEB_HEAD, 200, PAGE_NEW, 0 },
		{ "/new", WEB_POST, 200, PAGE_CREATE, 0 },
		{ "/", WEB_METHOD__MAX, 405, PAGE_LIST, 0 },
	};
	static const char *const not_found[] = { "/ticket/", "/ticket/0",
	    "/ticket/-1", "/ticket/12a", "/ticket/1/2", "/ticket//1",
	    "/tickets/1", "/search/", "/../etc/passwd", "/ticket/1/rate/x",
	    "/attachment/99999999999999999999", "//", "/Search" };
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		enum web_page	 page = PAGE__MAX;
		int64_t		 id = -1;
		int		 st;

		st = web_route(cases[i].path, cases[i].method, &page, &id);
		g_assert_cmpint(st, ==, cases[i].status);
		g_assert_cmpint(page, ==, cases[i].page);
		g_assert_cmpint(id, ==, cases[i].id);
	}
	for (i = 0; i < G_N_ELEMENTS(not_found); i++) {
		enum web_page	 page;
		int64_t		 id;

		g_assert_cmpint(web_route(not_found[i], WEB_GET, &page, &id),
		    ==, 404);
	}
	g_assert_true(web_page_is_post(PAGE_RATE));
	g_assert_false(web_page_is_post(PAGE_TICKET));
}

static struct web_request *
parse(const char *q, bool *ok, GError **err)
{
	struct web_request *r = g_new0(struct web_request, 1);

	*ok = web_parse_params(r, q, err);
	return r;
}

static void
test_params_good(void)
{
	struct web_request	*r;
	GError			*e = NULL;
	bool			 ok;

	r = parse("page=3&status=in-progress&queue=sales&priority=major&"
	    "hotrush=1&hide=on&sort=created&q=printer+on+fire&"
	    "id=%3Cabc%40example.com%3E&unknown=whatever&rating=5&"
	    "comment=line1%0D%0Aline2", &ok, &e);
	g_assert_no_error(e);
	g_assert_true(ok);
	g_assert_cmpint(r->fields[KEY_PAGE].i, ==, 3);
	g_assert_cmpstr(r->fields[KEY_STATUS].s, ==, "in-progress");
	g_assert_cmpstr(r->fields[KEY_QUEUE].s, ==, "sales");
	/* A configured name: the priority command checks which. */
	g_assert_cmpstr(r->fields[KEY_PRIORITY].s, ==, "major");
	g_assert_cmpint(r->fields[KEY_HOTRUSH].i, ==, 1);
	g_assert_cmpint(r->fields[KEY_HIDE].i, ==, 1);
	g_assert_cmpint(r->fields[KEY_SORT].i, ==, STORE_WEB_SORT_CREATED);
	g_assert_cmpstr(r->fields[KEY_Q].s, ==, "printer on fire");
	/* Angle brackets are dropped: stored IDs have none. */
	g_assert_cmpstr(r->fields[KEY_ID].s, ==, "abc@example.com");
	g_assert_cmpint(r->fields[KEY_RATING].i, ==, 5);
	g_assert_cmpstr(r->fields[KEY_COMMENT].s, ==, "line1\r\nline2");
	g_assert_false(r->fields[KEY_TOKEN].present);
	web_request_free(r);

	/* Empty values mean "not given" (an "any" select option). */
	r = parse("status=&queue=&page=", &ok, &e);
	g_assert_no_error(e);
	g_assert_false(r->fields[KEY_STATUS].present);
	g_assert_false(r->fields[KEY_PAGE].present);
	web_request_free(r);

	/* SQL metacharacters are just search text. */
	r = parse("q=%27%3B+DROP+TABLE+tickets%3B--+%22+OR+1%3D1", &ok, &e);
	g_assert_no_error(e);
	g_assert_cmpstr(r->fields[KEY_Q].s, ==,
	    "'; DROP TABLE tickets;-- \" OR 1=1");
	web_request_free(r);
}

/* Found by tests/fuzz/fuzz-web.c's model of the form: past 255 pairs,
 * the rest of the form was one value ("q" got "a&page=2"). */
static void
test_params_many(void)
{
	GString			*q = g_string_new(NULL);
	struct web_request	*r;
	GError			*e = NULL;
	bool			 ok;
	int			 i;

	for (i = 0; i < 300; i++)
		g_string_append_printf(q, "x%d=%d&", i, i);
	g_string_append(q, "q=a&page=2");
	r = parse(q->str, &ok, &e);
	g_assert_no_error(e);
	g_assert_true(ok);
	g_assert_cmpstr(r->fields[KEY_Q].s, ==, "a");
	g_assert_true(r->fields[KEY_PAGE].present);
	g_assert_cmpint(r->fields[KEY_PAGE].i, ==, 2);
	web_request_free(r);
	g_string_free(q, TRUE);
}

/* A message body is lines, blank ones included: the web fuzzer's model
 * once allowed line ends only in the rating comment. */
static void
test_params_body_lines(void)
{
	struct web_request	*r;
	GError			*e = NULL;
	bool			 ok;

	r = parse("body=%0A%0A-into%0A%0Ao%0D%0A%09r", &ok, &e);
	g_assert_no_error(e);
	g_assert_true(ok);
	g_assert_cmpstr(r->fields[KEY_BODY].s, ==, "\n\n-into\n\no\r\n\tr");
	g_assert_true(web_key_takes_lines(KEY_BODY));
	g_assert_true(web_key_takes_lines(KEY_COMMENT));
	g_assert_false(web_key_takes_lines(KEY_SUBJECT));
	web_request_free(r);
}

/* Statuses and queues are configured names, spaces and case kept. */
static void
test_params_names(void)
{
	struct web_request	*r;
	GError			*e = NULL;
	bool			 ok;

	r = parse("status=Waiting%20for%20Support&queue=Sales%20EU", &ok, &e);
	g_assert_no_error(e);
	g_assert_true(ok);
	g_assert_cmpstr(r->fields[KEY_STATUS].s, ==, "Waiting for Support");
	g_assert_cmpstr(r->fields[KEY_QUEUE].s, ==, "Sales EU");
	web_request_free(r);
}

static void
test_params_bad(void)
{
	static const char *const bad[] = {
		"page=0", "page=10001", "page=-1", "page=1e3", "page=abc",
		"page=99999999999999999999999", "status=a%0Ab",
		"status=%01", "queue=%ff", "priority=a%20b",
		"priority=%3Cb%3E",
		"hotrush=maybe", "sort=id", "rating=0", "rating=6",
		"rating=3.5", "q=%00", "q=%01bell", "q=%ff%fe",
		"id=a%20b@c", "t=abc%2Fdef", "t=a%3Cb", "csrf=%22x",
		"owner=a%20b", "q=%zz", "comment=%00",
	};
	size_t	 i;
	GString	*longq = g_string_new("q=");

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct web_request	*r;
		GError			*e = NULL;
		bool			 ok;

		r = parse(bad[i], &ok, &e);
		if (ok)
			g_test_message("accepted: %s", bad[i]);
		g_assert_false(ok);
		g_assert_error(e, WEB_ERROR, WEB_ERROR_BAD_REQUEST);
		g_error_free(e);
		web_request_free(r);
	}
	/* Lengths: 200 characters of search text, not 201. */
	for (i = 0; i < 200; i++)
		g_string_append(longq, "%C3%A9");	/* é: 1 char */
	{
		struct web_request *r;
		GError *e = NULL;
		bool ok;

		r = parse(longq->str, &ok, &e);
		g_assert_no_error(e);
		g_assert_true(ok);
		web_request_free(r);
		g_string_append(longq, "x");
		r = parse(longq->str, &ok, &e);
		g_assert_false(ok);
		g_clear_error(&e);
		web_request_free(r);
	}
	g_string_free(longq, TRUE);
}

static void
test_refs(void)
{
	const char	*id = "0123456789abcdef0123456789abcdef";
	char		*t, *got = NULL, *mix, *other;

	t = web_ref_make(KEY, "link", id);
	g_assert_true(g_str_has_prefix(t, id));
	g_assert_true(web_ref_check(KEY, "link", t, &got));
	g_assert_cmpstr(got, ==, id);
	g_free(got);
	/* Wrong key, wrong kind, no key. */
	g_assert_false(web_ref_check("other", "link", t, &got));
	g_assert_false(web_ref_check(KEY, "session", t, &got));
	g_assert_false(web_ref_check(NULL, "link", t, &got));
	g_assert_false(web_ref_check("", "link", t, &got));
	/* A guessed id under a known MAC is refused. */
	other = web_ref_make(KEY, "link", "ffffffffffffffffffffffffffffffff");
	mix = g_strconcat("ffffffffffffffffffffffffffffffff",
	    strchr(t, '.'), NULL);
	g_assert_false(web_ref_check(KEY, "link", mix, &got));
	g_assert_true(web_ref_check(KEY, "link", other, &got));
	g_free(got);
	g_free(mix);
	g_free(other);
	/* Upper case, short, long, truncated MAC, garbage. */
	mix = g_ascii_strup(t, -1);
	g_assert_false(web_ref_check(KEY, "link", mix, &got));
	g_free(mix);
	g_assert_false(web_ref_check(KEY, "link", t + 1, &got));
	mix = g_strconcat("0", t, NULL);
	g_assert_false(web_ref_check(KEY, "link", mix, &got));
	g_free(mix);
	t[strlen(t) - 1] = '\0';
	g_assert_false(web_ref_check(KEY, "link", t, &got));
	g_assert_false(web_ref_check(KEY, "link", "", &got));
	g_assert_false(web_ref_check(KEY, "link", id, &got));
	g_assert_false(web_ref_check(KEY, "link", NULL, &got));
	g_free(t);
	/* The stateless links of before are told apart (for the hint). */
	g_assert_true(web_ref_is_legacy(
	    "1799999999.Y2Fyb2xAZXhhbXBsZS5jb20.abcdef"));
	g_assert_false(web_ref_is_legacy(
	    "0123456789abcdef0123456789abcdef.abcdef"));
	g_assert_false(web_ref_is_legacy(NULL));
}

static void
test_link_decide(void)
{
	struct store_web_link	 l = { .expires = 1000 };
	struct store_web_session s = { .expires = 2000, .last_seen = 500 };
	struct config		*c = config_new_default();

	g_assert_cmpint(web_link_decide(NULL, 0), ==, WEB_LINK_UNKNOWN);
	g_assert_cmpint(web_link_decide(&l, 999), ==, WEB_LINK_LIVE);
	g_assert_cmpint(web_link_decide(&l, 1000), ==, WEB_LINK_EXPIRED);
	l.revoked = 10;
	g_assert_cmpint(web_link_decide(&l, 0), ==, WEB_LINK_REVOKED);
	g_assert_cmpint(web_link_session_decide(NULL, 0), ==,
	    WEB_LINK_UNKNOWN);
	g_assert_cmpint(web_link_session_decide(&s, 1999), ==, WEB_LINK_LIVE);
	g_assert_cmpint(web_link_session_decide(&s, 2000), ==,
	    WEB_LINK_EXPIRED);
	/* Revoking the link ends the session, whatever its own row says. */
	s.link_revoked = 600;
	g_assert_cmpint(web_link_session_decide(&s, 700), ==,
	    WEB_LINK_REVOKED);
	s.link_revoked = 0;
	s.revoked = 600;
	g_assert_cmpint(web_link_session_decide(&s, 700), ==,
	    WEB_LINK_REVOKED);
	/* last_seen is written at most every WEB_SEEN_INTERVAL. */
	g_assert_false(web_link_touch_due(&s, 500));
	g_assert_false(web_link_touch_due(&s, 500 + WEB_SEEN_INTERVAL - 1));
	g_assert_true(web_link_touch_due(&s, 500 + WEB_SEEN_INTERVAL));
	g_assert_false(web_link_touch_due(NULL, 99999));
	g_assert_cmpstr(web_link_state_to_text(WEB_LINK_LIVE), ==, "active");
	/* Defaults, and a value <= 0 means the default. */
	g_assert_cmpint(web_link_lifetime(c), ==, 14 * 24 * 3600);
	g_assert_cmpint(web_link_session_lifetime(c), ==, 8 * 3600);
	c->web_link_lifetime = 0;
	c->web_session_lifetime = -5;
	g_assert_cmpint(web_link_lifetime(c), ==, 14 * 24 * 3600);
	g_assert_cmpint(web_link_session_lifetime(c), ==, 8 * 3600);
	config_free(c);
}

static void
test_link_id(void)
{
	char	 a[WEB_LINK_ID_LEN + 1], b[WEB_LINK_ID_LEN + 1];
	GError	*e = NULL;
	size_t	 i;

	g_assert_true(web_link_id_new(a, &e));
	g_assert_no_error(e);
	g_assert_true(web_link_id_new(b, &e));
	g_assert_cmpuint(strlen(a), ==, WEB_LINK_ID_LEN);
	for (i = 0; i < WEB_LINK_ID_LEN; i++)
		g_assert_true(g_ascii_isxdigit(a[i]) &&
		    !g_ascii_isupper(a[i]));
	g_assert_cmpstr(a, !=, b);
}

static void
test_csrf(void)
{
	int64_t	 now = 1700000000;
	char	*c = web_csrf_make(KEY, "session-a", now);

	g_assert_true(web_csrf_check(KEY, "session-a", c, now));
	g_assert_true(web_csrf_check(KEY, "session-a", c,
	    now + WEB_CSRF_LIFETIME));
	g_assert_false(web_csrf_check(KEY, "session-a", c,
	    now + WEB_CSRF_LIFETIME + 1));
	g_assert_false(web_csrf_check(KEY, "session-b", c, now));
	g_assert_false(web_csrf_check("other", "session-a", c, now));
	g_assert_false(web_csrf_check(KEY, NULL, c, now));
	g_assert_false(web_csrf_check(KEY, "session-a", NULL, now));
	g_assert_false(web_csrf_check(KEY, "session-a", "", now));
	c[strlen(c) - 2] ^= 1;
	g_assert_false(web_csrf_check(KEY, "session-a", c, now));
	g_free(c);
}

static void
test_equal(void)
{
	g_assert_true(web_equal("abc", "abc"));
	g_assert_true(web_equal("", ""));
	g_assert_false(web_equal("abc", "abd"));
	g_assert_false(web_equal("ab", "abc"));
	g_assert_false(web_equal("abcd", "abc"));
	g_assert_false(web_equal("", "a"));
}

static void
test_cookie(void)
{
	char	*v, *c;

	v = web_cookie_get("a=1; pd_session=xyz.1; b=2", WEB_COOKIE_NAME);
	g_assert_cmpstr(v, ==, "xyz.1");
	g_free(v);
	v = web_cookie_get("pd_sessionx=1; xpd_session=2", WEB_COOKIE_NAME);
	g_assert_null(v);
	v = web_cookie_get("pd_session=first;pd_session=second",
	    WEB_COOKIE_NAME);
	g_assert_cmpstr(v, ==, "first");
	g_free(v);
	c = web_cookie_make("tok", "/cgi-bin/postdesk.cgi", 600, false);
	g_assert_cmpstr(c, ==, "pd_session=tok; Path=/cgi-bin/postdesk.cgi; "
	    "Max-Age=600; HttpOnly; SameSite=Strict");
	g_free(c);
	c = web_cookie_make("tok", "", 600, true);
	g_assert_true(g_str_has_suffix(c, "; Secure"));
	g_assert_nonnull(strstr(c, "Path=/;"));
	g_free(c);
}

static void
test_staff(void)
{
	struct config	*c = config_new_default();
	char		*a;

	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("alice@example.com,bob@example.com",
	    ",", -1);
	g_strfreev(c->web_staff_users);
	c->web_staff_users = g_strsplit("jdoe=bob@example.com", ",", -1);
	a = web_staff_address(c, "alice", "/postdesk-staff");
	g_assert_cmpstr(a, ==, "alice@example.com");
	g_free(a);
	a = web_staff_address(c, "Alice@Example.com", "/postdesk-staff");
	g_assert_cmpstr(a, ==, "alice@example.com");
	g_free(a);
	a = web_staff_address(c, "jdoe", "/postdesk-staff");
	g_assert_cmpstr(a, ==, "bob@example.com");
	g_free(a);
	g_assert_null(web_staff_address(c, "mallory", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "alic", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "alice@evil.com", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, NULL, "/postdesk-staff"));
	/* Listed staff are staff on any path, as before. */
	a = web_staff_address(c, "alice", "/staff/pd.cgi");
	g_assert_cmpstr(a, ==, "alice@example.com");
	g_free(a);
	/* Once listed, an unlisted user is not staff even on the staff
	 * path of base_url; either key alone is a list. */
	c->web_base_url = g_strdup("https://help.example/postdesk");
	g_assert_null(web_staff_address(c, "mallory", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "mallory@example.com",
	    "/postdesk-staff"));
	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_new0(char *, 1);
	g_assert_true(web_staff_listed(c));
	g_assert_null(web_staff_address(c, "alice", "/postdesk-staff"));
	a = web_staff_address(c, "jdoe", "/postdesk-staff");
	g_assert_cmpstr(a, ==, "bob@example.com");
	g_free(a);
	config_free(c);
}

/* A fresh install: no staff listed; the web server's users on the
 * staff path are staff. */
static void
test_staff_unlisted(void)
{
	struct config	*c = config_new_default();
	char		*a;

	g_free(c->host);
	c->host = g_strdup("helpdesk.example");
	g_free(c->web_base_url);
	c->web_base_url = g_strdup("https://help.example/postdesk");
	g_assert_false(web_staff_listed(c));
	a = web_staff_address(c, "Alice", "/postdesk-staff");
	g_assert_cmpstr(a, ==, "alice@helpdesk.example");
	g_free(a);
	a = web_staff_address(c, "bob@Other.example", "/postdesk-staff/");
	g_assert_cmpstr(a, ==, "bob@other.example");
	g_free(a);
	/* The customer path, or any other, never makes staff: a
	 * REMOTE_USER there is not one the staff path's password set. */
	g_assert_null(web_staff_address(c, "alice", "/postdesk"));
	g_assert_null(web_staff_address(c, "alice", "/postdesk/"));
	g_assert_null(web_staff_address(c, "alice", "/postdesk-staffx"));
	g_assert_null(web_staff_address(c, "alice", "/other-staff"));
	g_assert_null(web_staff_address(c, "alice", ""));
	g_assert_null(web_staff_address(c, "alice", NULL));
	/* No user, or one that makes no address. */
	g_assert_null(web_staff_address(c, "", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, NULL, "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "john doe", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "a@b@c", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "@helpdesk.example",
	    "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "bob@", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, ".bob", "/postdesk-staff"));
	g_assert_null(web_staff_address(c, "bob@a..b", "/postdesk-staff"));
	/* Without base_url (or at the site's root) there is no staff
	 * path, so no staff. */
	g_free(c->web_base_url);
	c->web_base_url = g_strdup("https://help.example/");
	g_assert_null(web_staff_address(c, "alice", "/-staff"));
	g_assert_null(web_staff_address(c, "alice", "/"));
	g_free(c->web_base_url);
	c->web_base_url = NULL;
	g_assert_null(web_staff_address(c, "alice", "/postdesk-staff"));
	config_free(c);
}

static void
test_staff_path(void)
{
	char	*p;

	p = web_staff_path("https://h.example/postdesk");
	g_assert_cmpstr(p, ==, "/postdesk-staff");
	g_free(p);
	p = web_staff_path("http://h.example:8080/cgi-bin/pd.cgi//?x=1");
	g_assert_cmpstr(p, ==, "/cgi-bin/pd.cgi-staff");
	g_free(p);
	g_assert_null(web_staff_path("https://h.example"));
	g_assert_null(web_staff_path("https://h.example/"));
	g_assert_null(web_staff_path("not a url"));
	g_assert_null(web_staff_path(NULL));
}

static void
test_link(void)
{
	struct config		*c = config_new_default();
	struct store_web_link	 row = { 0 };
	struct store_web_session n;
	const char		*id = "00112233445566778899aabbccddeeff";
	char			*l, *got = NULL;

	g_assert_null(web_link_plan(c, id, "carol@example.com", 0, 100,
	    &row));
	c->web_link_key = g_strdup(KEY);
	c->web_base_url = g_strdup("https://help.example.com/pd.cgi");
	c->web_link_lifetime = 3600;
	g_assert_null(web_link_plan(c, id, "nobody", 0, 100, &row));
	g_assert_null(row.id);
	l = web_link_plan(c, id, "Carol@Example.COM", 0, 100, &row);
	g_assert_true(g_str_has_prefix(l,
	    "https://help.example.com/pd.cgi/?t="));
	g_assert_true(web_ref_check(KEY, "link", strchr(l, '=') + 1, &got));
	g_assert_cmpstr(got, ==, id);
	g_assert_cmpstr(row.id, ==, id);
	g_assert_cmpstr(row.address, ==, "carol@example.com");
	g_assert_cmpint(row.created, ==, 100);
	g_assert_cmpint(row.expires, ==, 3700);
	g_assert_cmpint(row.ticket, ==, 0);
	/* The session a use opens: from the click, session_lifetime. */
	c->web_session_lifetime = 600;
	web_link_session_plan(c, &row, "ffeeddccbbaa99887766554433221100",
	    3650, &n);
	g_assert_cmpstr(n.link_id, ==, id);
	g_assert_cmpstr(n.address, ==, "carol@example.com");
	g_assert_cmpint(n.created, ==, 3650);
	g_assert_cmpint(n.last_seen, ==, 3650);
	g_assert_cmpint(n.expires, ==, 4250);
	g_free(n.id);
	g_free(n.link_id);
	g_free(n.address);
	g_free(got);
	g_free(l);
	g_free(row.id);
	g_free(row.address);
	l = web_link_plan(c, id, "carol@example.com", 42, 100, &row);
	g_assert_true(g_str_has_prefix(l,
	    "https://help.example.com/pd.cgi/ticket/42?t="));
	g_assert_cmpint(row.ticket, ==, 42);
	g_free(l);
	g_free(row.id);
	g_free(row.address);
	config_free(c);
}

/* Minting, signing in, revoking, through a real database. */
static void
test_link_store(void)
{
	struct config		*c = config_new_default();
	struct store		*s;
	struct store_web_link	*l = NULL;
	struct store_web_session n, *got = NULL;
	GPtrArray		*a;
	GError			*e = NULL;
	char			*dir, *path, *url, *id = NULL, *url2, *id2 = NULL;
	int64_t			 links, sessions;

	dir = g_dir_make_tmp("pd-web-XXXXXX", &e);
	g_assert_no_error(e);
	path = g_build_filename(dir, "pd.db", NULL);
	g_assert_true(store_open(&s, path, STORE_READWRITE, &e));
	/* No key: no link, and no row. */
	g_assert_true(web_link_mint(c, s, "carol@example.com", 1, 100, &url,
	    &e));
	g_assert_null(url);
	c->web_link_key = g_strdup(KEY);
	g_assert_true(web_link_mint(c, s, "Carol@example.com", 1, 100, &url,
	    &e));
	g_assert_no_error(e);
	g_assert_true(web_ref_check(KEY, "link", strstr(url, "t=") + 2, &id));
	g_assert_true(store_web_link_get(s, id, &l, &e));
	g_assert_nonnull(l);
	g_assert_cmpstr(l->address, ==, "carol@example.com");
	g_assert_cmpint(web_link_decide(l, 200), ==, WEB_LINK_LIVE);
	g_assert_cmpint(l->used, ==, 0);
	/* A use opens a session and marks the link used. */
	web_link_session_plan(c, l, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 200,
	    &n);
	g_assert_true(store_web_session_open(s, &n, &e));
	g_assert_no_error(e);
	store_web_link_free(l);
	g_assert_true(store_web_link_get(s, id, &l, &e));
	g_assert_cmpint(l->used, ==, 200);
	g_assert_true(store_web_session_get(s, n.id, &got, &e));
	g_assert_cmpint(web_link_session_decide(got, 300), ==, WEB_LINK_LIVE);
	g_assert_true(store_web_session_seen(s, n.id, 900, &e));
	store_web_session_free(got);
	g_assert_true(store_web_session_get(s, n.id, &got, &e));
	g_assert_cmpint(got->last_seen, ==, 900);
	store_web_session_free(got);
	g_assert_true(store_web_sessions_of(s, "CAROL@example.com", 1000, &a,
	    &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_ptr_array_unref(a);
	/* A second link; revoking the first by id leaves it alone. */
	g_assert_true(web_link_mint(c, s, "carol@example.com", 0, 150, &url2,
	    &e));
	g_assert_true(web_ref_check(KEY, "link", strstr(url2, "t=") + 2,
	    &id2));
	g_assert_true(store_begin(s, &e));
	g_assert_true(store_web_revoke(s, NULL, id, 1000, &links, &sessions,
	    &e));
	g_assert_true(store_commit(s, &e));
	g_assert_cmpint(links, ==, 1);
	g_assert_cmpint(sessions, ==, 1);
	g_assert_true(store_web_session_get(s, n.id, &got, &e));
	g_assert_cmpint(web_link_session_decide(got, 1001), ==,
	    WEB_LINK_REVOKED);
	store_web_session_free(got);
	g_assert_true(store_web_sessions_of(s, "carol@example.com", 1001, &a,
	    &e));
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_unref(a);
	store_web_link_free(l);
	g_assert_true(store_web_link_get(s, id2, &l, &e));
	g_assert_cmpint(web_link_decide(l, 1001), ==, WEB_LINK_LIVE);
	/* By address: the rest; already-ended rows are not counted. */
	g_assert_true(store_begin(s, &e));
	g_assert_true(store_web_revoke(s, "CAROL@EXAMPLE.COM", NULL, 1002,
	    &links, &sessions, &e));
	g_assert_true(store_commit(s, &e));
	g_assert_cmpint(links, ==, 1);
	g_assert_cmpint(sessions, ==, 0);
	g_assert_true(store_web_links_of(s, "carol@example.com", &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_ptr_array_unref(a);
	store_web_link_free(l);
	g_assert_true(store_web_link_get(s, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    &l, &e));
	g_assert_null(l);
	g_assert_no_error(e);
	g_free(n.id);
	g_free(n.link_id);
	g_free(n.address);
	g_free(id);
	g_free(id2);
	g_free(url);
	g_free(url2);
	store_close(s);
	g_unlink(path);
	g_free(path);
	g_rmdir(dir);
	g_free(dir);
	config_free(c);
}

static void
test_fts_query(void)
{
	char	*q;

	q = store_web_fts_query("printer  \"on\" fire*");
	g_assert_cmpstr(q, ==, "\"printer\" \"\"\"on\"\"\" \"fire*\"");
	g_free(q);
	q = store_web_fts_query("NEAR(a b) OR subject:x");
	g_assert_cmpstr(q, ==, "\"NEAR(a\" \"b)\" \"OR\" \"subject:x\"");
	g_free(q);
	g_assert_null(store_web_fts_query("   "));
	g_assert_null(store_web_fts_query(NULL));
}

/* Search snippets: a window around the first match, never cut inside. */
static void
test_snippet(void)
{
	static const struct {
		const char	*hl;
		int		 words;
		const char	*want;
	} cases[] = {
		{ "short \001hit\002 text", 16, "short \001hit\002 text" },
		/* 4 words before the match, WORDS from it. */
		{ "a b c d e f g \001hit\002 h i", 2,
		    "\xe2\x80\xa6" "d e f g \001hit\002 h\xe2\x80\xa6" },
		{ "no match here at all", 2,
		    "no match\xe2\x80\xa6" },
		{ "\001two words\002 then more", 1,
		    "\001two words\002\xe2\x80\xa6" },
		{ "", 16, "" },
		{ "x\n\n  \001y\002", 16, "x\n\n  \001y\002" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = store_web_snippet(cases[i].hl,
		    cases[i].words);

		g_test_message("case %zu", i);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web/route", test_route);
	g_test_add_func("/web/snippet", test_snippet);
	g_test_add_func("/web/params/good", test_params_good);
	g_test_add_func("/web/params/bad", test_params_bad);
	g_test_add_func("/web/params/names", test_params_names);
	g_test_add_func("/web/params/many", test_params_many);
	g_test_add_func("/web/params/body-lines", test_params_body_lines);
	g_test_add_func("/web/ref", test_refs);
	g_test_add_func("/web/link-decide", test_link_decide);
	g_test_add_func("/web/link-id", test_link_id);
	g_test_add_func("/web/link-store", test_link_store);
	g_test_add_func("/web/csrf", test_csrf);
	g_test_add_func("/web/equal", test_equal);
	g_test_add_func("/web/cookie", test_cookie);
	g_test_add_func("/web/staff", test_staff);
	g_test_add_func("/web/staff-unlisted", test_staff_unlisted);
	g_test_add_func("/web/staff-path", test_staff_path);
	g_test_add_func("/web/link", test_link);
	g_test_add_func("/web/fts-query", test_fts_query);
	return g_test_run();
}
