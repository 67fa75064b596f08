/*
 * Unit tests for src/config.c: loading real files from a temporary
 * directory, defaults, $POSTDESK_CONFIG, FILE:LINE errors, path
 * resolution, the address helpers and text_to_size().
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"

struct fixture {
	char	*dir;
};

static void
fx_setup(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;

	fx->dir = g_dir_make_tmp("pd-config-XXXXXX", &e);
	g_assert_no_error(e);
	g_unsetenv("POSTDESK_CONFIG");
}

static void
rm_rf(const char *dir)
{
	GDir		*d = g_dir_open(dir, 0, NULL);
	const char	*n;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(dir, n, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rm_rf(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(dir);
}

static void
fx_teardown(struct fixture *fx, gconstpointer data)
{
	rm_rf(fx->dir);
	g_free(fx->dir);
	g_unsetenv("POSTDESK_CONFIG");
}

/* Writes TEXT to DIR/NAME; returns the path (g_free). */
static char *
write_conf(const struct fixture *fx, const char *name, const char *text)
{
	char	*p = g_build_filename(fx->dir, name, NULL);
	GError	*e = NULL;

	g_file_set_contents(p, text, -1, &e);
	g_assert_no_error(e);
	return p;
}

/* Loads TEXT and expects failure; returns the message (g_free). */
static char *
load_fails(const struct fixture *fx, const char *text, char **path_out)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p = write_conf(fx, "bad.conf", text);
	char		*msg;

	g_assert_false(config_load(&c, p, &e));
	g_assert_null(c);
	g_assert_nonnull(e);
	g_assert_true(e->domain == CONFIG_ERROR);
	msg = g_strdup(e->message);
	g_error_free(e);
	if (path_out != NULL)
		*path_out = p;
	else
		g_free(p);
	return msg;
}

static void
assert_prefix(const char *msg, const char *path, unsigned line)
{
	char	*want = g_strdup_printf("%s:%u: ", path, line);

	if (!g_str_has_prefix(msg, want))
		g_error("message \"%s\" does not start with \"%s\"", msg,
		    want);
	g_free(want);
}

static void
test_defaults(void)
{
	struct config	*c = config_new_default();

	g_assert_nonnull(c->store_path);
	g_assert_true(g_path_is_absolute(c->store_path));
	g_assert_cmpstr(c->address, ==, "support@localhost");
	g_assert_cmpstr(c->subject_tag, ==, "Support");
	g_assert_cmpuint(c->max_message_size, ==, 50 * 1024 * 1024);
	g_assert_cmpint(c->busy_timeout, ==, 10000);
	g_assert_cmpint(c->max_run_time, ==, 60);
	g_assert_true(c->foreign_sender_new_ticket);
	g_assert_nonnull(c->staff_addresses);
	g_assert_null(c->staff_addresses[0]);
	g_assert_nonnull(c->own_addresses);
	g_assert_null(c->own_addresses[0]);
	g_assert_nonnull(c->rules_scripts);
	g_assert_null(c->rules_scripts[0]);
	g_assert_null(c->path);
	config_free(c);
	config_free(NULL);
}

static void
test_load_full(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p = write_conf(fx, "postdesk.conf",
	    "# a comment\n"
	    "[store]\n"
	    "path = /var/tmp/pd.db\n"
	    "busy_timeout = 250\n"
	    "\n"
	    "[mail]\n"
	    "address = Help@Example.COM\n"
	    "subject_tag = Helpdesk\n"
	    "host = mx.example.com\n"
	    "max_message_size = 2M\n"
	    "own_addresses = noreply@example.com; Bounces@Example.com\n"
	    "\n"
	    "[staff]\n"
	    "addresses = Alice@Example.com;bob@example.com; ;\n"
	    "\n"
	    "[intake]\n"
	    "foreign_sender = join\n"
	    "[rules]\n"
	    "discard_keeps_raw = false\n");

	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->path, ==, p);
	g_assert_cmpstr(c->store_path, ==, "/var/tmp/pd.db");
	g_assert_cmpint(c->busy_timeout, ==, 250);
	g_assert_cmpstr(c->address, ==, "Help@Example.COM");
	g_assert_cmpstr(c->subject_tag, ==, "Helpdesk");
	g_assert_cmpstr(c->host, ==, "mx.example.com");
	g_assert_cmpuint(c->max_message_size, ==, 2 * 1024 * 1024);
	/* Lists are trimmed, lower-cased, and empty items dropped. */
	g_assert_cmpuint(g_strv_length(c->staff_addresses), ==, 2);
	g_assert_cmpstr(c->staff_addresses[0], ==, "alice@example.com");
	g_assert_cmpstr(c->staff_addresses[1], ==, "bob@example.com");
	g_assert_cmpuint(g_strv_length(c->own_addresses), ==, 2);
	g_assert_cmpstr(c->own_addresses[1], ==, "bounces@example.com");
	g_assert_false(c->foreign_sender_new_ticket);
	g_assert_false(c->discard_keeps_raw);
	config_free(c);
	g_free(p);
}

/* An empty file is valid: every value keeps its default. */
static void
test_load_empty(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL, *d = config_new_default();
	GError		*e = NULL;
	char		*p = write_conf(fx, "empty.conf", "");

	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->store_path, ==, d->store_path);
	g_assert_cmpstr(c->address, ==, d->address);
	g_assert_cmpuint(c->max_message_size, ==, d->max_message_size);
	config_free(c);
	config_free(d);
	g_free(p);
}

static void
test_env(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p = write_conf(fx, "env.conf",
	    "[mail]\naddress = env@example.org\n");
	char		*q = write_conf(fx, "arg.conf",
	    "[mail]\naddress = arg@example.org\n");

	g_setenv("POSTDESK_CONFIG", p, TRUE);
	g_assert_true(config_load(&c, NULL, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->address, ==, "env@example.org");
	g_assert_cmpstr(c->path, ==, p);
	config_free(c);
	/* An explicit path wins over the environment. */
	g_assert_true(config_load(&c, q, &e));
	g_assert_cmpstr(c->address, ==, "arg@example.org");
	config_free(c);
	g_free(p);
	g_free(q);
}

/* A missing explicit file (argument or environment) is an error. */
static void
test_missing(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p = g_build_filename(fx->dir, "nope.conf", NULL);

	g_assert_false(config_load(&c, p, &e));
	g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_PARSE);
	g_assert_true(strstr(e->message, p) != NULL);
	g_clear_error(&e);
	g_setenv("POSTDESK_CONFIG", p, TRUE);
	g_assert_false(config_load(&c, NULL, &e));
	g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_PARSE);
	g_clear_error(&e);
	g_free(p);
}

static void
test_unknown_key(struct fixture *fx, gconstpointer data)
{
	char	*p, *msg;

	msg = load_fails(fx, "[store]\npath = x.db\n\n[mail]\n"
	    "address = s@example.com\nsubjet_tag = Typo\n", &p);
	assert_prefix(msg, p, 6);
	g_assert_true(strstr(msg, "subjet_tag") != NULL);
	g_assert_true(strstr(msg, "unknown") != NULL);
	g_free(msg);
	g_free(p);
	/* A known key in the wrong group is unknown there. */
	msg = load_fails(fx, "[mail]\naddress = s@example.com\n"
	    "[staff]\npath = /x\n", &p);
	assert_prefix(msg, p, 4);
	g_free(msg);
	g_free(p);
	/* A key in an unknown group: the group is what is wrong. */
	msg = load_fails(fx, "[mail]\naddress = s@example.com\n\n"
	    "[nosuch]\nkey = 1\n", &p);
	assert_prefix(msg, p, 4);
	g_assert_true(strstr(msg, "nosuch") != NULL);
	g_free(msg);
	g_free(p);
}

/* An unknown group is an error even when it holds no keys. */
static void
test_unknown_group(struct fixture *fx, gconstpointer data)
{
	char	*p, *msg;

	msg = load_fails(fx, "[mail]\naddress = s@example.com\n"
	    "[Staff]\n", &p);
	assert_prefix(msg, p, 3);
	g_assert_true(strstr(msg, "Staff") != NULL);
	g_free(msg);
	g_free(p);
}

static void
test_bad_values(struct fixture *fx, gconstpointer data)
{
	static const struct {
		const char	*text;
		unsigned	 line;
		const char	*needle;
	} bad[] = {
		{ "[mail]\nmax_message_size = lots\n", 2, "size" },
		{ "[mail]\nmax_message_size = 10X\n", 2, "size" },
		{ "[mail]\nmax_message_size = -5\n", 2, "size" },
		{ "[mail]\n\n\nmax_message_size = 99999999999999999999\n", 4,
		    "size" },
		{ "[rules]\ndiscard_keeps_raw = maybe\n", 2, "boolean" },
		{ "[store]\nbusy_timeout = soon\n", 2, "integer" },
		{ "[store]\nbusy_timeout = -1\n", 2, "busy_timeout" },
		{ "[mail]\nmax_run_time = -1\n", 2, "max_run_time" },
		{ "[mail]\nmax_run_time = 1m\n", 2, "integer" },
		{ "[mail]\naddress = nobody\n", 2, "address" },
		{ "[mail]\nsubject_tag = [Tag]\n", 2, "subject_tag" },
		{ "[intake]\nforeign_sender = maybe\n", 2, "foreign_sender" },
		{ "[mail]\ncustomer_replies = web\n", 2, "customer_replies" },
		/* Portal-only notices need the portal's address. */
		{ "[mail]\n\ncustomer_replies = portal\n", 3, "base_url" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		char	*p, *msg = load_fails(fx, bad[i].text, &p);

		g_test_message("case %zu: %s", i, msg);
		assert_prefix(msg, p, bad[i].line);
		g_assert_true(strstr(msg, bad[i].needle) != NULL);
		g_free(msg);
		g_free(p);
	}
}

/* Syntax errors come from GKeyFile; they still name file and line. */
static void
test_syntax_error(struct fixture *fx, gconstpointer data)
{
	static const struct {
		const char	*text;
		unsigned	 line;
	} bad[] = {
		{ "[mail\naddress = x@y\n", 1 },
		{ "# c\n\naddress = x@y\n[mail]\n", 3 },
		{ "[mail]\naddress = x@y\n\njust words\n", 4 },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		char	*p, *msg = load_fails(fx, bad[i].text, &p);

		g_test_message("case %zu: %s", i, msg);
		assert_prefix(msg, p, bad[i].line);
		g_free(msg);
		g_free(p);
	}
}

static void
test_relative_paths(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*sub = g_build_filename(fx->dir, "etc", NULL);
	char		*p, *want;

	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
	p = g_build_filename(sub, "postdesk.conf", NULL);
	g_file_set_contents(p, "[store]\npath = db/postdesk.db\n"
	    "[templates]\ndir = ../templates\n"
	    "[rules]\nscripts = a.sieve; /abs/b.sieve\n", -1, &e);
	g_assert_no_error(e);
	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	want = g_build_filename(sub, "db/postdesk.db", NULL);
	g_assert_cmpstr(c->store_path, ==, want);
	g_free(want);
	want = g_build_filename(sub, "../templates", NULL);
	g_assert_cmpstr(c->templates_dir, ==, want);
	g_free(want);
	g_assert_cmpuint(g_strv_length(c->rules_scripts), ==, 2);
	want = g_build_filename(sub, "a.sieve", NULL);
	g_assert_cmpstr(c->rules_scripts[0], ==, want);
	g_free(want);
	g_assert_cmpstr(c->rules_scripts[1], ==, "/abs/b.sieve");
	config_free(c);
	g_free(p);
	g_free(sub);
}

/* [auth]: the trusted ids are the list plus the old singular key, and
 * dns_records is a path relative to the file. */
static void
test_auth_keys(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p = g_build_filename(fx->dir, "postdesk.conf", NULL);
	char		*want = g_build_filename(fx->dir, "dns.txt", NULL);

	g_file_set_contents(p, "[auth]\ntrusted_authserv_ids = mx.a.test; "
	    "imap.a.test\ntrusted_authserv_id = old.a.test\n"
	    "dns_records = dns.txt\n", -1, &e);
	g_assert_no_error(e);
	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpuint(g_strv_length(c->trusted_authserv_ids), ==, 3);
	g_assert_cmpstr(c->trusted_authserv_ids[0], ==, "mx.a.test");
	g_assert_cmpstr(c->trusted_authserv_ids[1], ==, "imap.a.test");
	g_assert_cmpstr(c->trusted_authserv_ids[2], ==, "old.a.test");
	g_assert_cmpstr(c->auth_dns_records, ==, want);
	config_free(c);
	c = NULL;
	g_file_set_contents(p, "[auth]\ntrusted_authserv_id = old.a.test\n",
	    -1, &e);
	g_assert_true(config_load(&c, p, &e));
	g_assert_cmpuint(g_strv_length(c->trusted_authserv_ids), ==, 1);
	g_assert_null(c->auth_dns_records);
	config_free(c);
	c = NULL;
	g_file_set_contents(p, "[mail]\naddress = a@b.test\n", -1, &e);
	g_assert_true(config_load(&c, p, &e));
	g_assert_cmpuint(g_strv_length(c->trusted_authserv_ids), ==, 0);
	config_free(c);
	g_free(want);
	g_free(p);
}

static void
test_is_staff(void)
{
	struct config	*c = config_new_default();

	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("alice@example.com,bob@example.com",
	    ",", -1);
	g_assert_true(config_is_staff(c, "alice@example.com"));
	g_assert_true(config_is_staff(c, "ALICE@Example.Com"));
	g_assert_true(config_is_staff(c, "bob@example.com"));
	g_assert_false(config_is_staff(c, "carol@example.com"));
	g_assert_false(config_is_staff(c, "alice@example.com.evil"));
	g_assert_false(config_is_staff(c, "alice"));
	g_assert_false(config_is_staff(c, ""));
	g_assert_false(config_is_staff(c, NULL));
	config_free(c);
}

static void
test_is_own_address(void)
{
	struct config	*c = config_new_default();

	g_free(c->address);
	c->address = g_strdup("support@example.com");
	g_strfreev(c->own_addresses);
	c->own_addresses = g_strsplit("noreply@example.com", ",", -1);
	g_assert_true(config_is_own_address(c, "support@example.com"));
	g_assert_true(config_is_own_address(c, "SUPPORT@EXAMPLE.COM"));
	g_assert_true(config_is_own_address(c, "support+t12.abc@example.com"));
	g_assert_true(config_is_own_address(c, "support+comment@EXAMPLE.com"));
	g_assert_true(config_is_own_address(c, "noreply@example.com"));
	g_assert_false(config_is_own_address(c, "supporter@example.com"));
	g_assert_false(config_is_own_address(c, "suppor@example.com"));
	g_assert_false(config_is_own_address(c, "xsupport@example.com"));
	g_assert_false(config_is_own_address(c, "support@example.org"));
	g_assert_false(config_is_own_address(c,
	    "support+x@example.com.evil"));
	g_assert_false(config_is_own_address(c, "support+x@sub.example.com"));
	g_assert_false(config_is_own_address(c, "support"));
	g_assert_false(config_is_own_address(c, "alice@example.com"));
	g_assert_false(config_is_own_address(c, NULL));
	config_free(c);
}

static void
test_text_to_size(void)
{
	static const struct {
		const char	*in;
		gboolean	 ok;
		guint64		 want;
	} cases[] = {
		{ "0", TRUE, 0 },
		{ "10", TRUE, 10 },
		{ "1k", TRUE, 1024 },
		{ "1K", TRUE, 1024 },
		{ "25M", TRUE, 25 * 1024 * 1024 },
		{ "5MB", TRUE, 5 * 1024 * 1024 },
		{ "2G", TRUE, G_GUINT64_CONSTANT(2) * 1024 * 1024 * 1024 },
		{ "2gb", TRUE, G_GUINT64_CONSTANT(2) * 1024 * 1024 * 1024 },
		{ "100B", TRUE, 100 },
		{ "18446744073709551615", TRUE, G_MAXUINT64 },
		{ "", FALSE, 0 },
		{ "M", FALSE, 0 },
		{ "-1", FALSE, 0 },
		{ " 10", FALSE, 0 },
		{ "10 M", FALSE, 0 },
		{ "10MBB", FALSE, 0 },
		{ "10T", FALSE, 0 },
		{ "1.5M", FALSE, 0 },
		{ "0x10", FALSE, 0 },
		{ "18446744073709551616", FALSE, 0 },
		{ "99999999999999999999", FALSE, 0 },
		{ "17179869184G", FALSE, 0 },
	};
	size_t	 i;
	uint64_t v;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		v = 7;
		g_test_message("text_to_size(\"%s\")", cases[i].in);
		g_assert_cmpint(text_to_size(&v, cases[i].in), ==,
		    cases[i].ok);
		if (cases[i].ok)
			g_assert_cmpuint(v, ==, cases[i].want);
		else
			g_assert_cmpuint(v, ==, 7);
	}
	g_assert_false(text_to_size(&v, NULL));
}

/*
 * FILE.d/NAME.conf drop-ins: merged in name order over FILE (how the
 * package keeps the generated keys out of the conffile); a bad drop-in
 * is refused naming itself and its line; other names are ignored.
 */
static void
test_dropins(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p, *d, *q;

	p = write_conf(fx, "main.conf", "[mail]\naddress = s@example.com\n"
	    "token_key = from-main\n");
	d = g_build_filename(fx->dir, "main.conf.d", NULL);
	g_assert_cmpint(g_mkdir(d, 0700), ==, 0);
	g_free(write_conf(fx, "main.conf.d/20-b.conf",
	    "[mail]\ntoken_key = from-b\n"));
	g_free(write_conf(fx, "main.conf.d/10-a.conf",
	    "[mail]\ntoken_key = from-a\n[web]\nlink_key = lk\n"));
	g_free(write_conf(fx, "main.conf.d/keys.conf.dpkg-old",
	    "not a key file\n"));
	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->token_key, ==, "from-b");
	g_assert_cmpstr(c->web_link_key, ==, "lk");
	g_assert_cmpstr(c->address, ==, "s@example.com");
	config_free(c);
	q = write_conf(fx, "main.conf.d/30-bad.conf",
	    "[mail]\n\ntoken_kee = typo\n");
	g_assert_false(config_load(&c, p, &e));
	g_assert_error(e, CONFIG_ERROR, CONFIG_ERROR_VALUE);
	assert_prefix(e->message, q, 3);
	g_clear_error(&e);
	g_free(q);
	g_free(d);
	g_free(p);
}

/*
 * config_load_extra(): one more file merged last (postdesk-fetch
 * --fetch-config), over the drop-ins; its errors name it.
 */
static void
test_extra(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	char		*p, *d, *x, *bad;

	p = write_conf(fx, "main.conf", "[mail]\naddress = s@example.com\n"
	    "[fetch]\nsources = maildir:/a\npoll_interval = 5\n");
	d = g_build_filename(fx->dir, "main.conf.d", NULL);
	g_assert_cmpint(g_mkdir(d, 0700), ==, 0);
	g_free(write_conf(fx, "main.conf.d/keys.conf",
	    "[mail]\ntoken_key = tk\n"));
	x = write_conf(fx, "fetch-box.conf", "[fetch]\nsources = maildir:/b\n");
	g_assert_true(config_load_extra(&c, p, x, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->fetch_sources[0], ==, "maildir:/b");
	g_assert_null(c->fetch_sources[1]);
	g_assert_cmpint(c->fetch_poll_interval, ==, 5);
	g_assert_cmpstr(c->token_key, ==, "tk");
	config_free(c);
	bad = write_conf(fx, "fetch-bad.conf", "[fetch]\nsource = x\n");
	g_assert_false(config_load_extra(&c, p, bad, &e));
	assert_prefix(e->message, bad, 2);
	g_clear_error(&e);
	g_free(bad);
	bad = g_build_filename(fx->dir, "nosuch.conf", NULL);
	g_assert_false(config_load_extra(&c, p, bad, &e));
	assert_prefix(e->message, bad, 0);
	g_clear_error(&e);
	g_free(bad);
	g_free(x);
	g_free(d);
	g_free(p);
}

/* [queue.NAME] brands: their keys, fallbacks, tags, addresses, and a
 * foreign address ignored. */
static void
test_queues(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	GError		*e = NULL;
	GPtrArray	*tok;
	char		*p, *msg;

	(void)data;
	p = write_conf(fx, "q.conf",
	    "[mail]\naddress = support@example.com\nsubject_tag = Support\n"
	    "own_addresses = info@example.org\n"
	    "[notify]\nfrom_name = Example Support\n"
	    "[queue.sales]\naddress = Sales@Example.com\n"
	    "from_name = Example Sales\nsubject_tag = Sales\n"
	    "signature = Your sales team\\nExample Ltd\n"
	    "templates = brands/sales\n"
	    "[queue.billing]\naddress = billing@example.org\n"
	    "[queue.evil]\naddress = evil@elsewhere.test\n"
	    "subject_tag = support\n");
	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(config_queue_address(c, "sales"), ==,
	    "sales@example.com");
	g_assert_cmpstr(config_queue_from_name(c, "sales"), ==,
	    "Example Sales");
	g_assert_cmpstr(config_queue_tag(c, "sales"), ==, "Sales");
	g_assert_cmpstr(config_queue(c, "sales")->signature, ==,
	    "Your sales team\nExample Ltd");
	g_assert_true(g_str_has_suffix(config_queue(c, "sales")->templates_dir,
	    "/brands/sales"));
	/* Unset keys fall back to [mail] and [notify]. */
	g_assert_cmpstr(config_queue_address(c, "billing"), ==,
	    "billing@example.org");
	g_assert_cmpstr(config_queue_tag(c, "billing"), ==, "Support");
	g_assert_cmpstr(config_queue_from_name(c, "billing"), ==,
	    "Example Support");
	g_assert_cmpstr(config_queue_address(c, "support"), ==,
	    "support@example.com");
	g_assert_cmpstr(config_queue_address(c, NULL), ==,
	    "support@example.com");
	/* Not ours: ignored, the queue sends as [mail] address. */
	g_assert_true(config_queue(c, "evil")->foreign);
	g_assert_cmpstr(config_queue_address(c, "evil"), ==,
	    "support@example.com");
	g_assert_null(config_queue_of_address(c, "evil@elsewhere.test"));
	g_assert_false(config_is_own_address(c, "evil@elsewhere.test"));
	/* Inbound: the address and its +token form. */
	g_assert_cmpstr(config_queue_of_address(c, "sales@example.com"), ==,
	    "sales");
	g_assert_cmpstr(config_queue_of_address(c,
	    "SALES+tc4.abc@example.com"), ==, "sales");
	g_assert_null(config_queue_of_address(c, "sales@example.org"));
	g_assert_null(config_queue_of_address(c, "support@example.com"));
	g_assert_true(config_is_own_address(c, "sales+x@example.com"));
	/* Tags: every one once (case-insensitively). */
	{
		char	**tags = config_subject_tags(c);

		g_assert_cmpuint(g_strv_length(tags), ==, 2);
		g_assert_cmpstr(tags[0], ==, "Support");
		g_assert_cmpstr(tags[1], ==, "Sales");
		g_free(tags);
	}
	tok = config_token_addresses(c);
	g_assert_cmpuint(tok->len, ==, 3);
	g_assert_cmpstr(tok->pdata[0], ==, "support@example.com");
	g_ptr_array_free(tok, TRUE);
	config_free(c);
	g_free(p);

	msg = load_fails(fx, "[queue.x]\nsubject_tag = [X]\n", &p);
	assert_prefix(msg, p, 2);
	g_free(msg);
	g_free(p);
	msg = load_fails(fx, "[queue.x]\ncolour = red\n", &p);
	assert_prefix(msg, p, 2);
	g_free(msg);
	g_free(p);
	msg = load_fails(fx, "[queue]\naddress = a@b\n", &p);
	assert_prefix(msg, p, 1);
	g_free(msg);
	g_free(p);
}

/* [oauth2.NAME]: the providers' presets, URLs by hand, the default
 * token file, and what is refused. */
static void
test_oauth2(struct fixture *fx, gconstpointer data)
{
	struct config	*c = NULL;
	const struct config_oauth2 *o;
	GError		*e = NULL;
	char		*p, *msg, *want;

	(void)data;
	p = write_conf(fx, "o.conf",
	    "[store]\npath = state/pd.db\n"
	    "[fetch]\noauth2 = ms\n"
	    "[notify]\nsmtp_user = support@example.com\noauth2 = gmail\n"
	    "[oauth2.ms]\nprovider = microsoft\nclient_id = abc\n"
	    "tenant = example.com\n"
	    "[oauth2.gmail]\nprovider = Google\nclient_id = g\n"
	    "client_secret = s3\nscope = https://mail.google.com/ x\n"
	    "token_file = tok/g.json\n"
	    "[oauth2.own]\nclient_id = o\n"
	    "token_url = https://id.example.com/token\n"
	    "[oauth2.local]\nclient_id = l\n"
	    "token_url = http://127.0.0.1:8080/token\n"
	    "[oauth2.draft]\n");
	g_assert_true(config_load(&c, p, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(c->fetch_oauth2, ==, "ms");
	g_assert_cmpstr(c->smtp_oauth2, ==, "gmail");
	o = config_oauth2(c, "ms");
	g_assert_cmpstr(o->token_url, ==, "https://login.microsoftonline.com/"
	    "example.com/oauth2/v2.0/token");
	g_assert_cmpstr(o->device_url, ==, "https://login.microsoftonline.com"
	    "/example.com/oauth2/v2.0/devicecode");
	g_assert_true(g_str_has_prefix(o->scope, "offline_access "));
	g_assert_nonnull(strstr(o->scope, "IMAP.AccessAsUser.All"));
	g_assert_nonnull(strstr(o->scope, "SMTP.Send"));
	g_assert_null(o->client_secret);
	/* Beside the database by default. */
	want = g_build_filename(fx->dir, "state", "oauth2-ms.json", NULL);
	g_assert_cmpstr(o->token_file, ==, want);
	g_free(want);
	o = config_oauth2(c, "gmail");
	g_assert_cmpstr(o->token_url, ==, "https://oauth2.googleapis.com/token");
	g_assert_cmpstr(o->device_url, ==,
	    "https://oauth2.googleapis.com/device/code");
	g_assert_cmpstr(o->scope, ==, "https://mail.google.com/ x");
	g_assert_cmpstr(o->client_secret, ==, "s3");
	g_assert_null(o->tenant);
	want = g_build_filename(fx->dir, "tok", "g.json", NULL);
	g_assert_cmpstr(o->token_file, ==, want);
	g_free(want);
	o = config_oauth2(c, "own");
	g_assert_null(o->device_url);
	g_assert_null(o->scope);
	g_assert_nonnull(config_oauth2(c, "local"));
	g_assert_null(config_oauth2(c, "nosuch"));
	config_free(c);
	/* Microsoft's tenant defaults to common. */
	g_free(p);
	p = write_conf(fx, "m.conf", "[oauth2.m]\nprovider = microsoft\n"
	    "client_id = x\n");
	g_assert_true(config_load(&c, p, &e));
	g_assert_cmpstr(config_oauth2(c, "m")->token_url, ==,
	    "https://login.microsoftonline.com/common/oauth2/v2.0/token");
	config_free(c);
	g_free(p);

	msg = load_fails(fx, "[oauth2.x]\nprovider = yahoo\n", &p);
	assert_prefix(msg, p, 2);
	g_assert_nonnull(strstr(msg, "provider: expected microsoft or google"));
	g_free(msg);
	g_free(p);
	msg = load_fails(fx, "[oauth2.x]\nclient_id = a\n", NULL);
	g_assert_nonnull(strstr(msg, "token_url: missing"));
	g_free(msg);
	/* The refresh token never travels in clear off this machine. */
	msg = load_fails(fx, "[oauth2.x]\nclient_id = a\n"
	    "token_url = http://login.example/token\n", NULL);
	g_assert_nonnull(strstr(msg, "token_url: must be https://"));
	g_free(msg);
	msg = load_fails(fx, "[oauth2.x]\nprovider = google\nclient_id = a\n"
	    "device_url = ftp://x/\n", NULL);
	g_assert_nonnull(strstr(msg, "device_url: must be https://"));
	g_free(msg);
	msg = load_fails(fx, "[oauth2.x]\nprovider = microsoft\n"
	    "client_id = a\ntenant = a/b\n", NULL);
	g_assert_nonnull(strstr(msg, "tenant"));
	g_free(msg);
	msg = load_fails(fx, "[fetch]\noauth2 = nosuch\n", NULL);
	g_assert_nonnull(strstr(msg, "[fetch] oauth2: no such"));
	g_free(msg);
	/* A draft is fine until something names it. */
	msg = load_fails(fx, "[fetch]\noauth2 = d\n[oauth2.d]\n", NULL);
	g_assert_nonnull(strstr(msg, "[oauth2.d] client_id: missing"));
	g_free(msg);
	msg = load_fails(fx, "[notify]\noauth2 = g\n[oauth2.g]\n"
	    "provider = google\nclient_id = a\n", NULL);
	g_assert_nonnull(strstr(msg, "needs [notify] smtp_user"));
	g_free(msg);
	msg = load_fails(fx, "[oauth2.x]\nclient_idd = a\n", NULL);
	g_assert_nonnull(strstr(msg, "client_idd: unknown key"));
	g_free(msg);
	msg = load_fails(fx, "[oauth2]\nclient_id = a\n", NULL);
	g_assert_nonnull(strstr(msg, "unknown group"));
	g_free(msg);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
#define FX(path, fn) g_test_add(path, struct fixture, NULL, fx_setup, fn, \
	fx_teardown)
	g_test_add_func("/config/defaults", test_defaults);
	FX("/config/load/full", test_load_full);
	FX("/config/load/empty", test_load_empty);
	FX("/config/load/env", test_env);
	FX("/config/load/missing", test_missing);
	FX("/config/error/unknown-key", test_unknown_key);
	FX("/config/error/unknown-group", test_unknown_group);
	FX("/config/error/bad-values", test_bad_values);
	FX("/config/error/syntax", test_syntax_error);
	FX("/config/relative-paths", test_relative_paths);
	FX("/config/dropins", test_dropins);
	FX("/config/extra", test_extra);
	FX("/config/auth-keys", test_auth_keys);
	FX("/config/queues", test_queues);
	FX("/config/oauth2", test_oauth2);
	g_test_add_func("/config/is-staff", test_is_staff);
	g_test_add_func("/config/is-own-address", test_is_own_address);
	g_test_add_func("/config/text-to-size", test_text_to_size);
#undef FX
	return g_test_run();
}
