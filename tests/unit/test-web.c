/*
 * test-web: routing, parameter validation, link/session/CSRF tokens,
 * cookies and the staff mapping of postdesk.cgi.
 */
#include "pdconfig.h"

#include <string.h>

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
		{ "/ticket/42/rate", WEB_GET, 405, PAGE_RATE, 42 },
		{ "/ticket/42", WEB_POST, 405, PAGE_TICKET, 42 },
		{ "/search", WEB_GET, 200, PAGE_SEARCH, 0 },
		{ "/message", WEB_GET, 200, PAGE_MESSAGE, 0 },
		{ "/attachment/7", WEB_GET, 200, PAGE_ATTACHMENT, 7 },
		{ "/dashboard", WEB_GET, 200, PAGE_DASHBOARD, 0 },
		{ "/style.css", WEB_GET, 200, PAGE_STYLE, 0 },
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
	g_assert_cmpint(r->fields[KEY_PRIORITY].i, ==, 2);
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

static void
test_params_bad(void)
{
	static const char *const bad[] = {
		"page=0", "page=10001", "page=-1", "page=1e3", "page=abc",
		"page=99999999999999999999999", "status=Closed",
		"status=a%20b", "status=%3Cscript%3E", "priority=urgent",
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
test_tokens(void)
{
	char	*t, *addr = NULL, *tampered;
	int64_t	 now = 1700000000;

	t = web_token_make(KEY, "link", "carol@example.com", now + 60);
	g_assert_true(web_token_check(KEY, "link", t, now, &addr));
	g_assert_cmpstr(addr, ==, "carol@example.com");
	g_free(addr);
	/* Expired, wrong key, wrong kind. */
	g_assert_false(web_token_check(KEY, "link", t, now + 61, &addr));
	g_assert_false(web_token_check("other", "link", t, now, &addr));
	g_assert_false(web_token_check(KEY, "session", t, now, &addr));
	g_assert_false(web_token_check(NULL, "link", t, now, &addr));
	/* A later expiry under the same MAC is refused. */
	tampered = g_strdup(t);
	tampered[0] = tampered[0] == '9' ? '8' : '9';
	g_assert_false(web_token_check(KEY, "link", tampered, now, &addr));
	g_free(tampered);
	/* Another address under the same MAC is refused. */
	{
		char *other = web_token_make(KEY, "link", "dave@example.com",
		    now + 60);
		char **a = g_strsplit(t, ".", 3), **b = g_strsplit(other, ".",
		    3);
		char *mix = g_strjoin(".", a[0], b[1], a[2], NULL);

		g_assert_false(web_token_check(KEY, "link", mix, now, &addr));
		g_free(mix);
		g_strfreev(a);
		g_strfreev(b);
		g_free(other);
	}
	/* Truncated, garbage. */
	t[strlen(t) - 1] = '\0';
	g_assert_false(web_token_check(KEY, "link", t, now, &addr));
	g_assert_false(web_token_check(KEY, "link", "", now, &addr));
	g_assert_false(web_token_check(KEY, "link", "1.2.3", now, &addr));
	g_assert_false(web_token_check(KEY, "link", "9999999999..", now,
	    &addr));
	g_free(t);
	/* No '@': not an address. */
	t = web_token_make(KEY, "link", "nobody", now + 60);
	g_assert_false(web_token_check(KEY, "link", t, now, &addr));
	g_free(t);
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
	a = web_staff_address(c, "alice");
	g_assert_cmpstr(a, ==, "alice@example.com");
	g_free(a);
	a = web_staff_address(c, "Alice@Example.com");
	g_assert_cmpstr(a, ==, "alice@example.com");
	g_free(a);
	a = web_staff_address(c, "jdoe");
	g_assert_cmpstr(a, ==, "bob@example.com");
	g_free(a);
	g_assert_null(web_staff_address(c, "mallory"));
	g_assert_null(web_staff_address(c, "alic"));
	g_assert_null(web_staff_address(c, "alice@evil.com"));
	g_assert_null(web_staff_address(c, ""));
	g_assert_null(web_staff_address(c, NULL));
	config_free(c);
}

static void
test_link(void)
{
	struct config	*c = config_new_default();
	char		*l, *addr = NULL;

	g_assert_null(web_customer_link(c, "carol@example.com", 0, 100));
	c->web_link_key = g_strdup(KEY);
	c->web_base_url = g_strdup("https://help.example.com/pd.cgi");
	c->web_link_lifetime = 3600;
	l = web_customer_link(c, "Carol@Example.COM", 0, 100);
	g_assert_true(g_str_has_prefix(l,
	    "https://help.example.com/pd.cgi/?t="));
	g_assert_true(web_token_check(KEY, "link", strchr(l, '=') + 1,
	    3700, &addr));
	g_assert_cmpstr(addr, ==, "carol@example.com");
	g_assert_false(web_token_check(KEY, "link", strchr(l, '=') + 1,
	    3701, &addr));
	g_free(addr);
	g_free(l);
	l = web_customer_link(c, "carol@example.com", 42, 100);
	g_assert_true(g_str_has_prefix(l,
	    "https://help.example.com/pd.cgi/ticket/42?t="));
	g_free(l);
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

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/web/route", test_route);
	g_test_add_func("/web/params/good", test_params_good);
	g_test_add_func("/web/params/bad", test_params_bad);
	g_test_add_func("/web/token", test_tokens);
	g_test_add_func("/web/csrf", test_csrf);
	g_test_add_func("/web/equal", test_equal);
	g_test_add_func("/web/cookie", test_cookie);
	g_test_add_func("/web/staff", test_staff);
	g_test_add_func("/web/link", test_link);
	g_test_add_func("/web/fts-query", test_fts_query);
	return g_test_run();
}
