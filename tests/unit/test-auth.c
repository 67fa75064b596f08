/*
 * test-auth: SPF through libspf2's zone resolver (no DNS): pass, fail,
 * softfail, neutral, none, temperror and permerror; trusted
 * Authentication-Results / Received-SPF headers.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "auth.h"
#include "auth_dns.h"
#include "identity.h"
#include "mail.h"

static char *records[] = {
	"pass.example v=spf1 ip4:192.0.2.0/24 -all",
	"fail.example v=spf1 ip4:198.51.100.1 -all",
	"soft.example v=spf1 ~all",
	"neutral.example v=spf1 ?all",
	"v6.example v=spf1 ip6:2001:db8::/32 -all",
	"broken.example v=spf1 ip4:not-an-ip -all",
	"down.example TEMPFAIL",
	"loop.example v=spf1 ip4:127.0.0.1 -all",
	"evil.test v=spf1 ip4:203.0.113.66 -all",
	"bounces.helpdesk.test v=spf1 ip4:192.0.2.0/24 -all",
	NULL
};

static const struct {
	const char *ip, *sender, *want;
} spf_cases[] = {
	{ "192.0.2.7", "alice@pass.example", "pass" },
	{ "203.0.113.9", "alice@pass.example", "fail" },
	{ "203.0.113.9", "bob@fail.example", "fail" },
	{ "198.51.100.1", "bob@fail.example", "pass" },
	{ "203.0.113.9", "x@soft.example", "softfail" },
	{ "203.0.113.9", "x@neutral.example", "neutral" },
	{ "203.0.113.9", "x@norecord.example", "none" },
	{ "2001:db8::25", "x@v6.example", "pass" },
	{ "2001:db9::25", "x@v6.example", "fail" },
	{ "203.0.113.9", "x@broken.example", "permerror" },
	{ "203.0.113.9", "x@down.example", "temperror" },
	{ NULL, "alice@pass.example", "none" },
	{ "192.0.2.7", NULL, "none" },
	{ "192.0.2.7", "", "none" },
	{ "not-an-ip", "alice@pass.example", "permerror" },
	/* Loopback proves nothing, whatever the record says. */
	{ "127.0.0.1", "bob@fail.example", "none" },
	{ "127.0.0.2", "x@norecord.example", "none" },
	{ "::1", "x@v6.example", "none" },
	{ "127.0.0.1", "alice@loop.example", "none" },
};

static void
test_spf(void)
{
	struct auth	*a = NULL;
	GError		*e = NULL;
	size_t		 i;

	g_assert_true(auth_new(&a, NULL, records, &e));
	g_assert_no_error(e);
	for (i = 0; i < G_N_ELEMENTS(spf_cases); i++) {
		const char *got = auth_spf(a, spf_cases[i].ip,
		    spf_cases[i].sender, "mx.test");

		if (strcmp(got, spf_cases[i].want) != 0)
			g_error("case %zu: %s from %s: got %s, want %s", i,
			    spf_cases[i].sender ? spf_cases[i].sender : "-",
			    spf_cases[i].ip ? spf_cases[i].ip : "-", got,
			    spf_cases[i].want);
	}
	auth_free(a);
	auth_free(NULL);
}

static void
test_bad_record(void)
{
	char	*bad[] = { "no-space-here", NULL };
	struct auth *a = NULL;
	GError	*e = NULL;

	g_assert_false(auth_new(&a, NULL, bad, &e));
	g_assert_error(e, AUTH_ERROR, AUTH_ERROR_SETUP);
	g_error_free(e);
}

static struct mail *
parse(const char *text)
{
	struct mail	*m = NULL;
	GError		*e = NULL;

	if (!mail_parse(&m, text, strlen(text), &e))
		g_error("%s", e->message);
	return m;
}

static void
test_origin(void)
{
	struct mail	*m;
	char		*ip, *from;

	m = parse("Authentication-Results: mx.ours.example; spf=pass "
	    "smtp.mailfrom=alice@pass.example smtp.remote-ip=192.0.2.7\r\n"
	    "Authentication-Results: mx.ours.example; spf=pass "
	    "smtp.remote-ip=10.9.9.9\r\n"
	    "From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n");
	auth_trusted_origin(m, "mx.ours.example", &ip, &from);
	g_assert_cmpstr(ip, ==, "192.0.2.7");	/* the topmost one */
	g_assert_cmpstr(from, ==, "alice@pass.example");
	g_free(ip);
	g_free(from);
	auth_trusted_origin(m, "mx.other.example", &ip, &from);
	g_assert_null(ip);
	g_assert_null(from);
	mail_free(m);

	/* A forged header on top, by someone else: ignored. */
	m = parse("Authentication-Results: evil.example; spf=pass "
	    "smtp.remote-ip=192.0.2.7\r\n"
	    "Received-SPF: pass (mx.ours.example: domain of x) "
	    "client-ip=198.51.100.1; envelope-from=bob@fail.example; "
	    "receiver=mx.ours.example;\r\n"
	    "From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n");
	auth_trusted_origin(m, "mx.ours.example", &ip, &from);
	g_assert_cmpstr(ip, ==, "198.51.100.1");
	g_assert_cmpstr(from, ==, "bob@fail.example");
	g_free(ip);
	g_free(from);
	mail_free(m);

	m = parse("Received-SPF: pass client-ip=garbage; "
	    "receiver=mx.ours.example\r\nFrom: a@b.example\r\n\r\nx\r\n");
	auth_trusted_origin(m, "mx.ours.example", &ip, &from);
	g_assert_null(ip);
	g_free(from);
	mail_free(m);
}

/* The SPF result auth_identify() finds (a string to g_free). */
static char *
spf_for_mail(struct auth *a, const struct mail *m, const char *ip,
    const char *sender)
{
	struct identity	*id = auth_identify(a, m, "", 0, ip, sender);
	char		*r = g_strdup(id->spf);

	identity_free(id);
	return r;
}

#define assert_spf(a, m, ip, s, want) do {				\
	char *r_ = spf_for_mail(a, m, ip, s);				\
	g_assert_cmpstr(r_, ==, want);					\
	g_free(r_);							\
} while (0)

/* The intake hook: MTA data first, else the trusted host's header. */
static void
test_spf_for_mail(void)
{
	static const char trusted[] =
	    "Authentication-Results: mx.trusted.example; spf=pass"
	    " smtp.mailfrom=a@pass.example smtp.remote-ip=192.0.2.7\r\n"
	    "From: a@pass.example\r\nSubject: x\r\n\r\nbody\r\n";
	static const char forged[] =
	    "Authentication-Results: evil.example; spf=pass"
	    " smtp.mailfrom=a@pass.example smtp.remote-ip=192.0.2.7\r\n"
	    "From: a@pass.example\r\nSubject: x\r\n\r\nbody\r\n";
	struct auth	*a = NULL;
	struct mail	*m = NULL, *f = NULL;
	GError		*e = NULL;

	g_assert_true(auth_new(&a, NULL, records, &e));
	auth_set_trusted(a, "mx.trusted.example");
	g_assert_true(mail_parse(&m, trusted, sizeof trusted - 1, &e));
	g_assert_true(mail_parse(&f, forged, sizeof forged - 1, &e));
	g_assert_no_error(e);
	assert_spf(a, m, NULL, NULL, "pass");
	/* The MTA's word wins over any header. */
	assert_spf(a, m, "198.51.100.9", "a@fail.example", "fail");
	/* A header written by anyone else is ignored. */
	assert_spf(a, f, NULL, NULL, "none");
	auth_set_trusted(a, NULL);
	assert_spf(a, m, NULL, NULL, "none");
	mail_free(m);
	mail_free(f);
	auth_free(a);
}

/* The verdict of one message with an MTA-given client IP and sender. */
static struct identity *
identify(struct auth *a, const char *from, const char *ip,
    const char *sender)
{
	char		*raw = g_strdup_printf("From: %s\r\nSubject: x\r\n"
	    "\r\nbody\r\n", from);
	struct mail	*m = NULL;
	struct identity	*id;
	GError		*e = NULL;

	g_assert_true(mail_parse(&m, raw, strlen(raw), &e));
	id = auth_identify(a, m, raw, strlen(raw), ip, sender);
	mail_free(m);
	g_free(raw);
	return id;
}

/* SPF counts only when the envelope domain aligns with From: (relaxed:
 * the same organizational domain, by the Public Suffix List). */
static void
test_spf_alignment(void)
{
	struct auth	*a = NULL;
	struct identity	*id;
	GError		*e = NULL;

	g_assert_true(auth_new(&a, NULL, records, &e));
	/* The attack of issue 11: evil.test's SPF passes, From: is staff. */
	id = identify(a, "agent@helpdesk.test", "203.0.113.66",
	    "mallory@evil.test");
	g_assert_cmpstr(id->spf, ==, "pass");
	g_assert_cmpstr(id->spf_domain, ==, "evil.test");
	g_assert_cmpstr(id->from_domain, ==, "helpdesk.test");
	g_assert_false(id->spf_aligned);
	g_assert_false(identity_aligned_pass(id));
	g_assert_cmpint(id->final, ==, IDENTITY_FAIL);
	identity_free(id);
	/* A bounce subdomain of the From: domain aligns (relaxed). */
	id = identify(a, "Agent@HelpDesk.test", "192.0.2.5",
	    "b+1@bounces.helpdesk.test");
	g_assert_true(id->spf_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	/* Across a public suffix there is no organization in common. */
	g_assert_true(auth_aligned(a, "a.example.co.uk", "b.a.example.co.uk",
	    false));
	g_assert_false(auth_aligned(a, "shop-a.co.uk", "x.shop-b.co.uk",
	    false));
	g_assert_false(auth_aligned(a, "co.uk", "x.co.uk", false));
	g_assert_false(auth_aligned(a, "mail.example.com", "example.com",
	    true));
	g_assert_true(auth_aligned(a, "mail.example.com", "example.com",
	    false));
	/* DNS trouble: temperror, not fail. */
	id = identify(a, "x@down.example", "203.0.113.9", "x@down.example");
	g_assert_cmpint(id->final, ==, IDENTITY_TEMPERROR);
	identity_free(id);
	auth_free(a);
}

/* res_nquery() may return more than the buffer it filled (a long TCP
 * answer): nothing past the buffer is read.  Here the buffer holds the
 * header and the first of two answers; the second lies beyond it. */
static void
test_dns_cut_answer(void)
{
	static const unsigned char msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		1, 'x', 4, 't', 'e', 's', 't', 0, 0, 16, 0, 1,
		0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 6,
		5, 'f', 'i', 'r', 's', 't',
		/* the buffer ends here */
		0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60, 0, 7,
		6, 'b', 'e', 'y', 'o', 'n', 'd',
	};
	GPtrArray	*txt = NULL;
	enum auth_dns_status st;

	st = auth_dns_parse_txt(msg, (int)sizeof msg, sizeof msg, &txt);
	g_assert_cmpint(st, ==, AUTH_DNS_OK);
	g_assert_cmpuint(txt->len, ==, 2);
	g_ptr_array_unref(txt);
	txt = NULL;
	st = auth_dns_parse_txt(msg, (int)sizeof msg, sizeof msg - 19, &txt);
	g_assert_cmpint(st, ==, AUTH_DNS_TEMPFAIL);
	g_assert_null(txt);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/auth/spf", test_spf);
	g_test_add_func("/auth/bad-record", test_bad_record);
	g_test_add_func("/auth/trusted-origin", test_origin);
	g_test_add_func("/auth/spf-for-mail", test_spf_for_mail);
	g_test_add_func("/auth/spf-alignment", test_spf_alignment);
	g_test_add_func("/auth/dns-cut-answer", test_dns_cut_answer);
	return g_test_run();
}
