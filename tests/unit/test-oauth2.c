/*
 * Unit tests for oauth2.c: token and device answers as the providers
 * send them, expiry, the 0600 token file, the once-an-hour record.
 */
#include "pdconfig.h"

#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "oauth2.h"

#define NOW	1700000000

static bool
parse(const char *json, struct oauth2_token *t, GError **e)
{
	return oauth2_parse_token(json, strlen(json), NOW, t, e);
}

static void
test_token_ok(void)
{
	struct oauth2_token t;
	GError	*e = NULL;

	/* Microsoft: a new refresh token with every answer. */
	g_assert_true(parse("{\"token_type\":\"Bearer\",\"scope\":\"x\","
	    "\"expires_in\":3599,\"ext_expires_in\":3599,"
	    "\"access_token\":\"AT1\",\"refresh_token\":\"RT2\"}", &t, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(t.access_token, ==, "AT1");
	g_assert_cmpstr(t.refresh_token, ==, "RT2");
	g_assert_cmpint(t.expires_at, ==, NOW + 3599);
	oauth2_token_clear(&t);
	/* Google: no refresh token on refresh, "bearer" in lower case. */
	g_assert_true(parse("{\"access_token\":\"AT\",\"expires_in\":3920,"
	    "\"token_type\":\"bearer\"}", &t, &e));
	g_assert_null(t.refresh_token);
	oauth2_token_clear(&t);
	/* expires_in as a string; and absent: a short default. */
	g_assert_true(parse("{\"access_token\":\"A\",\"expires_in\":\"60\"}",
	    &t, &e));
	g_assert_cmpint(t.expires_at, ==, NOW + 60);
	oauth2_token_clear(&t);
	g_assert_true(parse("{\"access_token\":\"A\"}", &t, &e));
	g_assert_cmpint(t.expires_at, ==, NOW + OAUTH2_DEFAULT_LIFETIME);
	oauth2_token_clear(&t);
}

static void
expect(const char *json, enum oauth2_error_code code, const char *msg)
{
	struct oauth2_token t;
	GError	*e = NULL;

	g_assert_false(parse(json, &t, &e));
	g_assert_error(e, OAUTH2_ERROR, (gint)code);
	if (msg != NULL)
		g_assert_cmpstr(e->message, ==, msg);
	g_assert_null(t.access_token);
	g_error_free(e);
}

static void
test_token_errors(void)
{
	/* Revoked or expired refresh token. */
	expect("{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70008: expired\"}", OAUTH2_ERROR_GRANT,
	    "invalid_grant: AADSTS70008: expired");
	expect("{\"error\":\"invalid_grant\"}", OAUTH2_ERROR_GRANT,
	    "invalid_grant");
	expect("{\"error\":\"authorization_pending\"}", OAUTH2_ERROR_PENDING,
	    NULL);
	expect("{\"error\":\"slow_down\"}", OAUTH2_ERROR_SLOW_DOWN, NULL);
	expect("{\"error\":\"expired_token\"}", OAUTH2_ERROR_EXPIRED, NULL);
	expect("{\"error\":\"access_denied\"}", OAUTH2_ERROR_DENIED, NULL);
	expect("{\"error\":\"invalid_client\"}", OAUTH2_ERROR_REFUSED, NULL);
	/* A server's control characters never reach a log line. */
	expect("{\"error\":\"invalid_scope\",\"error_description\":"
	    "\"bad\\nline\\u001b[31m\"}", OAUTH2_ERROR_REFUSED,
	    "invalid_scope: bad?line?[31m");
	/* Not an answer at all. */
	expect("<html>502</html>", OAUTH2_ERROR_BAD_ANSWER, NULL);
	expect("[1,2]", OAUTH2_ERROR_BAD_ANSWER, NULL);
	expect("{\"token_type\":\"Bearer\"}", OAUTH2_ERROR_BAD_ANSWER, NULL);
	expect("{\"access_token\":\"A\",\"token_type\":\"mac\"}",
	    OAUTH2_ERROR_BAD_ANSWER, NULL);
	expect("{\"access_token\":\"A\\u0001auth=x\"}",
	    OAUTH2_ERROR_BAD_ANSWER, NULL);
	expect("{\"access_token\":42}", OAUTH2_ERROR_BAD_ANSWER, NULL);
}

static void
test_fresh(void)
{
	struct oauth2_token t = { (char *)"A", NULL, NOW + 3600 };

	g_assert_true(oauth2_token_fresh(&t, NOW));
	g_assert_true(oauth2_token_fresh(&t, NOW + 3600 -
	    OAUTH2_EXPIRY_MARGIN - 1));
	/* Not used in its last minute: it could expire on the way. */
	g_assert_false(oauth2_token_fresh(&t, NOW + 3600 -
	    OAUTH2_EXPIRY_MARGIN));
	g_assert_false(oauth2_token_fresh(&t, NOW + 7200));
	t.access_token = NULL;
	g_assert_false(oauth2_token_fresh(&t, NOW));
}

static void
test_device(void)
{
	struct oauth2_device d;
	GError	*e = NULL;
	const char *ms = "{\"user_code\":\"ABCD-EFGH\",\"device_code\":\"DC\","
	    "\"verification_uri\":\"https://microsoft.com/devicelogin\","
	    "\"expires_in\":900,\"interval\":5,\"message\":\"To sign in\"}";
	const char *goog = "{\"device_code\":\"DC\",\"user_code\":\"X-Y\","
	    "\"expires_in\":1800,\"interval\":0,"
	    "\"verification_url\":\"https://www.google.com/device\"}";

	g_assert_true(oauth2_parse_device(ms, strlen(ms), NOW, &d, &e));
	g_assert_cmpstr(d.user_code, ==, "ABCD-EFGH");
	g_assert_cmpstr(d.verification_uri, ==,
	    "https://microsoft.com/devicelogin");
	g_assert_cmpint(d.expires_at, ==, NOW + 900);
	g_assert_cmpint(d.interval, ==, 5);
	oauth2_device_clear(&d);
	/* Google's spelling; an interval below 1 s is taken as 1. */
	g_assert_true(oauth2_parse_device(goog, strlen(goog), NOW, &d, &e));
	g_assert_cmpstr(d.verification_uri, ==,
	    "https://www.google.com/device");
	g_assert_cmpint(d.interval, ==, 1);
	oauth2_device_clear(&d);
	g_assert_false(oauth2_parse_device("{\"device_code\":\"x\"}", 18, NOW,
	    &d, &e));
	g_assert_error(e, OAUTH2_ERROR, OAUTH2_ERROR_BAD_ANSWER);
	g_clear_error(&e);
}

static void
test_file(void)
{
	char	*dir = g_dir_make_tmp("test-oauth2-XXXXXX", NULL);
	char	*path = g_build_filename(dir, "t.json", NULL);
	char	*tmp = g_strconcat(path, ".tmp", NULL);
	struct oauth2_token t = { (char *)"AT", (char *)"RT", NOW + 100 };
	struct oauth2_token r;
	GStatBuf st;
	GError	*e = NULL;

	g_assert_false(oauth2_file_read(path, &r, &e));
	g_assert_error(e, OAUTH2_ERROR, OAUTH2_ERROR_NO_LOGIN);
	g_clear_error(&e);
	/* An existing file of another mode ends up 0600 all the same. */
	g_assert_true(g_file_set_contents(path, "{}", -1, NULL));
	g_assert_cmpint(g_chmod(path, 0644), ==, 0);
	g_assert_true(oauth2_file_write(path, &t, &e));
	g_assert_no_error(e);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
	g_assert_true(oauth2_file_read(path, &r, &e));
	g_assert_cmpstr(r.refresh_token, ==, "RT");
	g_assert_cmpstr(r.access_token, ==, "AT");
	g_assert_cmpint(r.expires_at, ==, NOW + 100);
	oauth2_token_clear(&r);
	/* Without an access token: only the refresh token is kept. */
	t.access_token = NULL;
	g_assert_true(oauth2_file_write(path, &t, &e));
	g_assert_true(oauth2_file_read(path, &r, &e));
	g_assert_null(r.access_token);
	oauth2_token_clear(&r);
	g_assert_true(g_file_set_contents(path, "{\"access_token\":\"A\"}",
	    -1, NULL));
	g_assert_false(oauth2_file_read(path, &r, &e));
	g_assert_error(e, OAUTH2_ERROR, OAUTH2_ERROR_NO_LOGIN);
	g_clear_error(&e);
	g_unlink(path);
	g_rmdir(dir);
	g_free(tmp);
	g_free(path);
	g_free(dir);
}

static void
test_report(void)
{
	char	*dir = g_dir_make_tmp("test-oauth2-XXXXXX", NULL);
	char	*path = g_build_filename(dir, "t.json.reported", NULL);
	const char *a = "imaps://a@h/INBOX", *b = "imaps://b@h/INBOX";

	g_assert_true(oauth2_report_due(path, a, NOW, 3600));
	g_assert_false(oauth2_report_due(path, a, NOW + 10, 3600));
	g_assert_false(oauth2_report_due(path, a, NOW + 3599, 3600));
	/* Per source: B is news. */
	g_assert_true(oauth2_report_due(path, b, NOW + 10, 3600));
	g_assert_true(oauth2_report_due(path, a, NOW + 3600, 3600));
	g_assert_false(oauth2_report_due(path, a, NOW + 3700, 3600));
	/* Working again: the next failure is reported at once. */
	oauth2_report_clear(path, a);
	g_assert_true(oauth2_report_due(path, a, NOW + 3701, 3600));
	g_assert_false(oauth2_report_due(path, b, NOW + 3000, 3600));
	/* A clock set back does not silence it for good. */
	g_assert_true(oauth2_report_due(path, b, NOW - 100000, 3600));
	oauth2_report_clear(path, a);
	oauth2_report_clear(path, b);
	g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/oauth2/token-ok", test_token_ok);
	g_test_add_func("/oauth2/token-errors", test_token_errors);
	g_test_add_func("/oauth2/fresh", test_fresh);
	g_test_add_func("/oauth2/device", test_device);
	g_test_add_func("/oauth2/file", test_file);
	g_test_add_func("/oauth2/report", test_report);
	return g_test_run();
}
