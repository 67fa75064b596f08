/*
 * The pure parsers of the verdict: Authentication-Results (authres.c)
 * and the DMARC record (dmarc.c).
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "authres.h"
#include "dmarc.h"

static void
test_authres(void)
{
	struct authres	*ar = authres_parse(" mx.example.org 1; "
	    "spf=pass (sender SPF authorized) smtp.mailfrom=a@Example.COM;\r\n"
	    "\tdkim=pass (1024-bit key; \"quoted ; comment\") "
	    "header.d=example.com header.s=sel header.b=\"abc\"; "
	    "DMARC=Fail reason=\"x; y\" header.from=example.com;"
	    " iprev=pass policy.iprev=192.0.2.7 (mail.example.com)");
	const struct authres_result *r;

	g_assert_nonnull(ar);
	g_assert_cmpstr(ar->authserv_id, ==, "mx.example.org");
	g_assert_cmpuint(ar->results->len, ==, 4);
	r = ar->results->pdata[0];
	g_assert_cmpstr(r->method, ==, "spf");
	g_assert_cmpstr(r->result, ==, "pass");
	g_assert_cmpstr(authres_prop(r, "smtp.mailfrom"), ==, "a@Example.COM");
	r = ar->results->pdata[1];
	g_assert_cmpstr(r->method, ==, "dkim");
	g_assert_cmpstr(authres_prop(r, "header.d"), ==, "example.com");
	g_assert_cmpstr(authres_prop(r, "header.s"), ==, "sel");
	g_assert_cmpstr(authres_prop(r, "header.b"), ==, "abc");
	r = ar->results->pdata[2];
	g_assert_cmpstr(r->method, ==, "dmarc");
	g_assert_cmpstr(r->result, ==, "fail");
	g_assert_cmpstr(authres_prop(r, "header.from"), ==, "example.com");
	g_assert_null(authres_prop(r, "reason"));
	r = ar->results->pdata[3];
	g_assert_cmpstr(authres_prop(r, "policy.iprev"), ==, "192.0.2.7");
	authres_free(ar);

	ar = authres_parse("example.org; none");
	g_assert_nonnull(ar);
	g_assert_cmpuint(ar->results->len, ==, 0);
	authres_free(ar);
	g_assert_null(authres_parse(""));
	g_assert_null(authres_parse("   (only a comment)  "));
	/* A result that does not parse ends the list. */
	ar = authres_parse("x; spf=pass; =broken; dkim=pass");
	g_assert_cmpuint(ar->results->len, ==, 1);
	authres_free(ar);
	/* A quoted result is folded too (found by fuzz-authres). */
	ar = authres_parse("x; domainkeys=\"PaSS\" (ok)");
	g_assert_cmpstr(((struct authres_result *)ar->results->pdata[0])->
	    result, ==, "pass");
	authres_free(ar);
	ar = authres_parse("x; spf");
	g_assert_cmpuint(ar->results->len, ==, 0);
	authres_free(ar);
	/* Unbalanced comments and quotes end at the end. */
	ar = authres_parse("x; spf=pass (never closed; dkim=pass");
	g_assert_cmpuint(ar->results->len, ==, 1);
	authres_free(ar);
	ar = authres_parse("x; spf=pass smtp.mailfrom=\"open");
	g_assert_cmpuint(ar->results->len, ==, 1);
	authres_free(ar);
}

/* 10,000 results: AUTHRES_MAX_RESULTS kept, the rest skipped. */
static void
test_authres_bounds(void)
{
	GString		*g = g_string_new("mx.example.org");
	struct authres	*ar;
	gint64		 t;
	int		 i;

	for (i = 0; i < 10000; i++)
		g_string_append_printf(g, "; dkim=pass header.d=d%d.example "
		    "a.b=1 c.d=2 e.f=3 g.h=4 i.j=5 k.l=6 m.n=7 o.p=8 q.r=9", i);
	t = g_get_monotonic_time();
	ar = authres_parse(g->str);
	t = g_get_monotonic_time() - t;
	g_assert_cmpuint(ar->results->len, ==, AUTHRES_MAX_RESULTS);
	g_assert_true(ar->truncated);
	g_assert_cmpint(((struct authres_result *)ar->results->pdata[0])->
	    nprops, ==, AUTHRES_MAX_PROPS);
	g_assert_cmpint(t, <, 50000);
	authres_free(ar);
	g_string_free(g, TRUE);
}

static void
test_dmarc(void)
{
	static const struct {
		const char *txt;
		bool	 ok;
		enum dmarc_policy p, sp;
		bool	 adkim_s, aspf_s;
	} cases[] = {
		{ "v=DMARC1; p=reject", true, DMARC_REJECT, DMARC_REJECT, false,
		    false },
		{ "v=DMARC1;p=quarantine;sp=none;adkim=s;aspf=s", true,
		    DMARC_QUARANTINE, DMARC_NONE, true, true },
		{ "v=DMARC1; p=none; rua=mailto:d@example.com;", true,
		    DMARC_NONE, DMARC_NONE, false, false },
		{ "v=DMARC1; rua=mailto:d@example.com; p=Reject", true,
		    DMARC_REJECT, DMARC_REJECT, false, false },
		/* no valid p=, but a rua=: as p=none (RFC 7489 6.6.3) */
		{ "v=DMARC1; p=bogus; rua=mailto:d@example.com", true,
		    DMARC_NONE, DMARC_NONE, false, false },
		{ "v=DMARC1; adkim=x; aspf=s; p=none", true, DMARC_NONE,
		    DMARC_NONE, false, true },
		{ "v=DMARC1; p=bogus", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "v=DMARC1", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "p=reject; v=DMARC1", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "v=DMARC2; p=reject", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "v=spf1 -all", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "", false, DMARC_NONE, DMARC_NONE, false, false },
		{ ";;;", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "v=DMARC1; p=reject; garbage", false, DMARC_NONE, DMARC_NONE, false, false },
		{ "v = DMARC1 ; p = reject", true, DMARC_REJECT, DMARC_REJECT,
		    false, false },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct dmarc_record r;
		bool	 ok = dmarc_parse(cases[i].txt, &r);

		if (ok != cases[i].ok)
			g_error("case %zu \"%s\": got %d", i, cases[i].txt, ok);
		if (!ok)
			continue;
		g_assert_cmpint(r.p, ==, cases[i].p);
		g_assert_cmpint(r.sp, ==, cases[i].sp);
		g_assert_cmpint(r.adkim_strict, ==, cases[i].adkim_s);
		g_assert_cmpint(r.aspf_strict, ==, cases[i].aspf_s);
	}
	g_assert_false(dmarc_parse(NULL, &(struct dmarc_record){ 0 }));
	g_assert_cmpstr(dmarc_policy_to_text(DMARC_QUARANTINE), ==,
	    "quarantine");
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/authres/parse", test_authres);
	g_test_add_func("/authres/bounds", test_authres_bounds);
	g_test_add_func("/dmarc/parse", test_dmarc);
	return g_test_run();
}
