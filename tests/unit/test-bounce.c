/*
 * test-bounce: bounce_parse() on delivery status notifications, the
 * cases tests/fuzz/fuzz-bounce.c found (tests/data/fuzz-bounce).
 */
#include "pdconfig.h"

#include <string.h>

#include "bounce.h"
#include "mail.h"

#define HEAD "From: MAILER-DAEMON@mx.example\n" \
	"To: bounces+7@example.com\n" \
	"Subject: Undelivered\n" \
	"MIME-Version: 1.0\n" \
	"Content-Type: multipart/report; report-type=delivery-status; " \
	"boundary=\"B\"\n\n" \
	"--B\nContent-Type: text/plain\n\nCould not deliver.\n"

static struct mail *
parse(const char *raw)
{
	struct mail	*m = NULL;
	GError		*e = NULL;

	g_assert_true(mail_parse(&m, raw, strlen(raw), &e));
	g_assert_no_error(e);
	return m;
}

static void
test_fields(void)
{
	struct mail	*m = parse(HEAD "--B\n"
	    "Content-Type: message/delivery-status\n\n"
	    "Reporting-MTA: dns; mx.example\n\n"
	    "Final-Recipient: rfc822; <alice@shop.example>\n"
	    "Action: Failed\nStatus: 5.1.1\n"
	    "Diagnostic-Code: smtp; 550 5.1.1 no such\n    user here\n"
	    "--B--\n");
	struct bounce	 b;

	g_assert_true(bounce_parse(m, &b));
	g_assert_cmpstr(b.recipient, ==, "alice@shop.example");
	g_assert_cmpstr(b.action, ==, "failed");
	g_assert_cmpstr(b.status, ==, "5.1.1");
	g_assert_cmpstr(b.diagnostic, ==, "550 5.1.1 no such user here");
	bounce_clear(&b);
	mail_free(m);
}

/* An empty status part: bounce_parse() dereferenced NULL (ingest died
 * with SIGSEGV on such a DSN to a VERP address). */
static void
test_empty_part(void)
{
	static const char *const raws[] = {
		HEAD "--B\nContent-Type: message/delivery-status\n\n--B--\n",
		"From: a@b.example\nMIME-Version: 1.0\n"
		    "Content-Type: message/delivery-status\n\n",
	};
	static const struct bounce zero;
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(raws); i++) {
		struct mail	*m = parse(raws[i]);
		struct bounce	 b;

		g_assert_false(bounce_parse(m, &b));
		g_assert_true(memcmp(&b, &zero, sizeof b) == 0);
		mail_free(m);
	}
}

/* 8-bit bytes in a status part (RFC 3464 allows none, MTAs send them):
 * the fields go into events and pages, so they must be UTF-8. */
static void
test_8bit(void)
{
	struct mail	*m = parse(HEAD "--B\n"
	    "Content-Type: message/delivery-status\n"
	    "Content-Transfer-Encoding: 8bit\n\n"
	    "Reporting-MTA: dns; mx.example\n\n"
	    "Final-Recipient: rfc822; a@b.example\nAction: failed\n"
	    "Diagnostic-Code: smtp; 550 Benutzer \xfc" "nbekannt\n"
	    "--B--\n");
	struct bounce	 b;

	g_assert_true(bounce_parse(m, &b));
	g_assert_true(g_utf8_validate(b.diagnostic, -1, NULL));
	g_assert_cmpstr(b.diagnostic, ==, "550 Benutzer \xc3\xbcnbekannt");
	bounce_clear(&b);
	mail_free(m);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bounce/fields", test_fields);
	g_test_add_func("/bounce/empty-part", test_empty_part);
	g_test_add_func("/bounce/8bit", test_8bit);
	return g_test_run();
}
