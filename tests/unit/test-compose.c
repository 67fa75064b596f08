/*
 * Unit tests for token.c (reply tokens, VERP) and compose.c (headers
 * and MIME), read back through mail_parse() like a reply would be.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "compose.h"
#include "mail.h"
#include "quote.h"
#include "token.h"

static void
test_token_roundtrip(void)
{
	char	*t = token_sign("k3y", 123);
	int64_t	 id = 0;

	g_assert_nonnull(t);
	g_assert_true(g_str_has_prefix(t, "t123."));
	g_assert_cmpuint(strlen(t), ==, 5 + TOKEN_LEGACY_SIG_LEN);
	g_assert_true(token_verify("k3y", t, &id));
	g_assert_cmpint(id, ==, 123);
	/* Upper case from a mail client that shouts is still ours. */
	{
		char *up = g_ascii_strup(t, -1);

		g_assert_true(token_verify("k3y", up, &id));
		g_free(up);
	}
	g_free(t);
}

static void
test_token_refused(void)
{
	char	*t = token_sign("k3y", 123), *bad;
	int64_t	 id = 0;

	g_assert_false(token_verify("other", t, &id));	/* wrong key */
	bad = g_strdup(t);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	g_assert_false(token_verify("k3y", bad, &id));	/* one bit off */
	g_free(bad);
	/* Another ticket's number with this ticket's signature. */
	bad = g_strdup_printf("t124%s", t + 4);
	g_assert_false(token_verify("k3y", bad, &id));
	g_free(bad);
	g_assert_false(token_verify("k3y", "t123", &id));
	g_assert_false(token_verify("k3y", "t123.", &id));
	g_assert_false(token_verify("k3y", "t0.000000000000", &id));
	g_assert_false(token_verify("k3y", "x123.000000000000", &id));
	g_assert_false(token_verify("", t, &id));
	g_assert_false(token_verify(NULL, t, &id));
	g_assert_null(token_sign(NULL, 1));
	g_assert_null(token_sign("", 1));
	g_free(t);
}

static void
test_token_address(void)
{
	char	*a = token_address("support@Example.COM", "k", 7);
	int64_t	 id = 0;

	g_assert_true(g_str_has_prefix(a, "support+t7."));
	g_assert_true(g_str_has_suffix(a, "@Example.COM"));
	g_assert_true(token_address_ticket("support@example.com", "k", a,
	    &id));
	g_assert_cmpint(id, ==, 7);
	/* Same token at another domain or local part is not ours. */
	{
		char *other = g_strdup_printf("help+%s", a + 8);

		g_assert_false(token_address_ticket("support@example.com",
		    "k", other, &id));
		g_free(other);
	}
	g_assert_false(token_address_ticket("support@example.org", "k", a,
	    &id));
	g_assert_false(token_address_ticket("support@example.com", "k",
	    "support@example.com", &id));
	g_free(a);
}

/* Comment tokens: signed over their own letter, so neither kind passes
 * for the other, and verified the same way. */
static void
test_token_comment(void)
{
	char		*c = token_sign_kind("k3y", TOKEN_COMMENT, 123);
	char		*t = token_sign("k3y", 123), *swap, *a;
	enum token_kind	 kind = TOKEN_REPLY;
	int64_t		 id = 0;

	g_assert_true(g_str_has_prefix(c, "c123."));
	g_assert_true(token_verify_kind("k3y", c, &id, &kind));
	g_assert_cmpint(id, ==, 123);
	g_assert_cmpint(kind, ==, TOKEN_COMMENT);
	g_assert_true(token_verify_kind("k3y", t, &id, &kind));
	g_assert_cmpint(kind, ==, TOKEN_REPLY);
	/* A comment token is no reply token ... */
	g_assert_false(token_verify("k3y", c, &id));
	/* ... and a reply token's signature under the other letter fails
	 * both ways. */
	swap = g_strdup_printf("c%s", t + 1);
	g_assert_false(token_verify_kind("k3y", swap, &id, &kind));
	g_free(swap);
	swap = g_strdup_printf("t%s", c + 1);
	g_assert_false(token_verify_kind("k3y", swap, &id, &kind));
	g_free(swap);
	g_assert_false(token_verify_kind("other", c, &id, &kind));
	g_assert_false(token_verify_kind("k3y", "c123.000000000000", &id,
	    &kind));
	g_assert_null(token_sign_kind("", TOKEN_COMMENT, 1));
	a = token_address_kind("support@example.com", "k3y", TOKEN_COMMENT,
	    123);
	g_assert_cmpstr(a + strlen(a) - 12, ==, "@example.com");
	g_assert_true(token_address_parse("support@example.com", "k3y", a,
	    &id, &kind));
	g_assert_cmpint(kind, ==, TOKEN_COMMENT);
	g_assert_true(token_address_ticket("support@example.com", "k3y", a,
	    &id));
	g_assert_cmpint(id, ==, 123);
	g_free(a);
	g_free(c);
	g_free(t);
}

static void
test_verp(void)
{
	char	*a = token_verp_address("support@example.com", 42);
	int64_t	 id = 0;

	g_assert_cmpstr(a, ==, "bounces+42@example.com");
	g_assert_true(token_verp_id("support@example.com", a, &id));
	g_assert_cmpint(id, ==, 42);
	g_assert_false(token_verp_id("support@example.com",
	    "bounces+42x@example.com", &id));
	g_assert_false(token_verp_id("support@example.com",
	    "bounces+42@example.org", &id));
	g_assert_false(token_verp_id("support@example.com",
	    "support+42@example.com", &id));
	g_free(a);
}

static void
test_subject(void)
{
	char	*s = compose_subject("Support", NULL, 5, "Re: help");

	g_assert_cmpstr(s, ==, "Re: [Support #5] help");
	g_free(s);
	s = compose_subject("Support", NULL, 5, "help");
	g_assert_cmpstr(s, ==, "[Support #5] help");
	g_free(s);
	s = compose_subject("Support", NULL, 5, "Re: [Support #5] help");
	g_assert_cmpstr(s, ==, "Re: [Support #5] help");
	g_free(s);
	/* Another ticket's tag does not count. */
	s = compose_subject("Support", NULL, 5, "[Support #4] help");
	g_assert_cmpstr(s, ==, "[Support #5] [Support #4] help");
	g_free(s);
	/* A ticket moved from support to sales: only the new brand's tag. */
	{
		char *const tags[] = { (char *)"Support", (char *)"Sales",
		    NULL };

		s = compose_subject("Sales", tags, 5,
		    "Re: [support #5] printer");
		g_assert_cmpstr(s, ==, "Re: [Sales #5] printer");
		g_free(s);
		/* Another ticket's tag of that brand stays. */
		s = compose_subject("Sales", tags, 5, "[Support #4] help");
		g_assert_cmpstr(s, ==, "[Sales #5] [Support #4] help");
		g_free(s);
		s = compose_subject("Sales", tags, 5, "[Sales #5] [Support #5] x");
		g_assert_cmpstr(s, ==, "[Sales #5] x");
		g_free(s);
	}
}

static struct mail *
compose_and_parse(const struct compose *c)
{
	GBytes	*raw = NULL;
	GError	*e = NULL;
	struct mail *m = NULL;
	gsize	 len;
	const char *d;

	g_assert_true(compose_message(c, &raw, &e));
	g_assert_no_error(e);
	d = g_bytes_get_data(raw, &len);
	g_assert_null(memchr(d, '\r', len));
	g_assert_true(mail_parse(&m, d, len, &e));
	g_assert_no_error(e);
	g_bytes_unref(raw);
	return m;
}

static void
test_compose_headers(void)
{
	const char *to[] = { "alice@shop.example", NULL };
	const char *cc[] = { "carl@shop.example", NULL };
	struct compose c = { 0 };
	struct mail *m;

	c.from_addr = "support@example.com";
	c.from_name = "Süpport Team";
	c.to = to;
	c.cc = cc;
	c.reply_to = "support+t5.abcdefabcdef@example.com";
	c.subject = "Re: Grüße aus Köln";
	c.tag = "Support";
	c.ticket = 5;
	c.body = "Hallo,\nÄnderung erledigt.\n";
	c.marker = true;
	c.message_id = "pd.5.9.0011223344556677@pd.example.com";
	c.in_reply_to = "a2@shop.example";
	c.references = "a1@shop.example a2@shop.example";
	c.auto_kind = COMPOSE_AUTO_REPLIED;
	c.loop_host = "pd.example.com";
	c.date = 1700000000;
	m = compose_and_parse(&c);
	g_assert_cmpstr(m->subject, ==, "Re: [Support #5] Grüße aus Köln");
	g_assert_cmpstr(m->from.name, ==, "Süpport Team");
	g_assert_cmpstr(m->from.addr, ==, "support@example.com");
	g_assert_cmpstr(m->message_id, ==, c.message_id);
	g_assert_cmpstr(m->in_reply_to, ==, "a2@shop.example");
	g_assert_cmpstr(m->references[0], ==, "a1@shop.example");
	g_assert_cmpstr(m->references[1], ==, "a2@shop.example");
	g_assert_cmpuint(m->cc->len, ==, 1);
	g_assert_cmpstr(((struct mail_address *)m->reply_to->pdata[0])->addr,
	    ==, c.reply_to);
	g_assert_cmpstr(mail_header(m, "Auto-Submitted"), ==, "auto-replied");
	g_assert_cmpstr(mail_header(m, "X-Postdesk-Loop"), ==,
	    "pd.example.com");
	g_assert_cmpint(m->date, ==, 1700000000);
	g_assert_true(g_str_has_prefix(m->text, QUOTE_REPLY_MARKER "\n"));
	g_assert_nonnull(strstr(m->text, "Änderung erledigt."));
	mail_free(m);
}

static void
test_compose_human_attachments(void)
{
	const char *to[] = { "alice@shop.example", NULL };
	struct compose_attachment a = { "log ü.txt", "text/plain", NULL };
	struct compose c = { 0 };
	struct mail *m;
	const struct mail_attachment *ma;
	guint8	 bin[256];
	struct compose_attachment b = { "blob.bin",
	    "application/octet-stream", NULL };
	gsize	 len;
	int	 i;

	for (i = 0; i < 256; i++)
		bin[i] = (guint8)i;
	a.data = g_bytes_new_static("line 1\nline 2\n", 14);
	b.data = g_bytes_new_static(bin, sizeof bin);
	c.from_addr = "support@example.com";
	c.to = to;
	c.subject = "[Support #5] Re: x";
	c.tag = "Support";
	c.ticket = 5;
	c.body = "plain ascii";
	c.message_id = "pd.5.1.00@h";
	c.auto_kind = COMPOSE_HUMAN;
	c.attachments = g_ptr_array_new();
	g_ptr_array_add(c.attachments, &a);
	g_ptr_array_add(c.attachments, &b);
	m = compose_and_parse(&c);
	g_assert_cmpstr(m->subject, ==, "[Support #5] Re: x");
	g_assert_null(mail_header(m, "Auto-Submitted"));
	g_assert_cmpuint(m->attachments->len, ==, 2);
	ma = m->attachments->pdata[0];
	g_assert_cmpstr(ma->filename, ==, "log ü.txt");
	g_assert_cmpstr(ma->content_type, ==, "text/plain");
	ma = m->attachments->pdata[1];
	g_assert_cmpmem(g_bytes_get_data(ma->data, &len), len, bin,
	    sizeof bin);
	g_assert_cmpstr(m->stripped, ==, "plain ascii");
	mail_free(m);
	g_ptr_array_free(c.attachments, TRUE);
	g_bytes_unref(a.data);
	g_bytes_unref(b.data);
}

static void
test_compose_refuses(void)
{
	struct compose	 c = { 0 };
	GBytes		*raw = NULL;
	GError		*e = NULL;

	c.from_addr = "support@example.com";
	c.tag = "Support";
	c.message_id = "x@y";
	g_assert_false(compose_message(&c, &raw, &e));
	g_assert_error(e, COMPOSE_ERROR, COMPOSE_ERROR_INVALID);
	g_error_free(e);
	g_assert_null(raw);
}

static void
test_message_id(void)
{
	char	*a = compose_message_id(12, 34, "h.example");
	char	*b = compose_message_id(12, 34, "h.example");

	g_assert_true(g_regex_match_simple(
	    "^pd\\.12\\.34\\.[0-9a-f]{16}@h\\.example$", a, 0, 0));
	g_assert_cmpstr(a, !=, b);
	g_free(a);
	g_free(b);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/token/roundtrip", test_token_roundtrip);
	g_test_add_func("/token/refused", test_token_refused);
	g_test_add_func("/token/address", test_token_address);
	g_test_add_func("/token/comment", test_token_comment);
	g_test_add_func("/token/verp", test_verp);
	g_test_add_func("/compose/subject", test_subject);
	g_test_add_func("/compose/headers", test_compose_headers);
	g_test_add_func("/compose/attachments",
	    test_compose_human_attachments);
	g_test_add_func("/compose/refuses", test_compose_refuses);
	g_test_add_func("/compose/message-id", test_message_id);
	return g_test_run();
}
