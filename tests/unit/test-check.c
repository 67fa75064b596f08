/*
 * Unit tests for check.c and check_templates.c: the checks of
 * "postdesk check" that need no database.  Each case asserts the exact
 * number of problems and a word of the line, so a check that stops
 * finding its problem, or starts finding one in a good value, fails.
 */
#include "pdconfig.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "check.h"
#include "staff.h"
#include "config.h"

/* The one problem in A mentions WORD. */
static void
assert_one(GPtrArray *a, const char *area, const char *word)
{
	const struct check_problem *p;

	g_assert_cmpuint(a->len, ==, 1);
	p = a->pdata[0];
	g_assert_cmpstr(p->area, ==, area);
	if (strstr(p->message, word) == NULL)
		g_error("\"%s\" not in \"%s\"", word, p->message);
	g_ptr_array_set_size(a, 0);
}

static void
test_key(void)
{
	GPtrArray	*a = check_problems_new();

	check_key(a, "[mail] token_key", NULL);
	assert_one(a, "keys", "not set");
	check_key(a, "[mail] token_key", "");
	assert_one(a, "keys", "not set");
	check_key(a, "[web] link_key", "key-helpdesk.test");
	assert_one(a, "keys", "17 bytes");
	/* 31 bytes: one short of the floor. */
	check_key(a, "[web] link_key", "abcdefghijklmnopqrstuvwxyz01234");
	assert_one(a, "keys", "31 bytes");
	check_key(a, "[web] link_key", "changemechangemechangemechangeme");
	assert_one(a, "keys", "placeholder");
	/* 32 random bytes, base64: clean. */
	check_key(a, "[mail] token_key",
	    "q3N0Zk9x1c5yQ2V3b0hR8mJ4tX9pL7aK2eW6sD1fG0U=");
	check_key(a, "[mail] token_key", "abcdefghijklmnopqrstuvwxyz012345");
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_free(a, TRUE);
}

static void
test_base_url(void)
{
	static const char *const bad[] = {
		"/cgi-bin/postdesk.cgi", "helpdesk.example.com/postdesk.cgi",
		"ftp://helpdesk.example.com/postdesk.cgi", "https:///x",
		"mailto:support@example.com",
	};
	GPtrArray	*a = check_problems_new();
	size_t		 i;

	check_base_url(a, NULL);
	assert_one(a, "web", "not set");
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		check_base_url(a, bad[i]);
		assert_one(a, "web", "not an absolute");
	}
	check_base_url(a, "https://h.example/p.cgi#top");
	assert_one(a, "web", "fragment");
	check_base_url(a, "https://helpdesk.example.com/cgi-bin/postdesk.cgi");
	check_base_url(a, "http://127.0.0.1:8080/postdesk.cgi");
	check_base_url(a, "HTTPS://helpdesk.example.com/");
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_free(a, TRUE);
}

static struct config *
conf(const char *address, const char *host)
{
	struct config	*c = config_new_default();

	g_free(c->address);
	g_free(c->host);
	c->address = g_strdup(address);
	c->host = g_strdup(host);
	return c;
}

static void
test_addresses(void)
{
	GPtrArray	*a = check_problems_new();
	struct config	*c;

	c = conf("support@example.com", "helpdesk.example.com");
	check_addresses(a, c);
	g_assert_cmpuint(a->len, ==, 0);
	/* Staff at another address of the same domain: fine. */
	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("bob@example.com", ",", -1);
	check_addresses(a, c);
	g_assert_cmpuint(a->len, ==, 0);
	/* A staff address under support+: ignored as our own mail. */
	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("support+bob@example.com", ",", -1);
	check_addresses(a, c);
	assert_one(a, "mail", "own addresses");
	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_new0(char *, 1);
	g_strfreev(c->own_addresses);
	c->own_addresses = g_strsplit("help", ",", -1);
	check_addresses(a, c);
	assert_one(a, "mail", "own_addresses");
	config_free(c);

	c = conf("support+desk@example.com", "helpdesk.example.com");
	check_addresses(a, c);
	assert_one(a, "mail", "'+'");
	config_free(c);
	c = conf("Bounces@example.com", "helpdesk.example.com");
	check_addresses(a, c);
	assert_one(a, "mail", "bounce address");
	config_free(c);
	c = conf("@example.com", "helpdesk.example.com");
	check_addresses(a, c);
	assert_one(a, "mail", "LOCAL@DOMAIN");
	config_free(c);
	c = conf("support@", "helpdesk.example.com");
	check_addresses(a, c);
	assert_one(a, "mail", "LOCAL@DOMAIN");
	config_free(c);
	c = conf("support@example.com", "");
	check_addresses(a, c);
	assert_one(a, "mail", "[mail] host");
	config_free(c);
	g_ptr_array_free(a, TRUE);
}

static struct stat
mode(uid_t uid, gid_t gid, mode_t m)
{
	struct stat	 st;

	memset(&st, 0, sizeof st);
	st.st_uid = uid;
	st.st_gid = gid;
	st.st_mode = m;
	return st;
}

static void
test_may(void)
{
	gid_t		 g100[] = { 100, 5 }, g7[] = { 7 };
	struct stat	 st;

	/* The state directory, 2770 postdesk(100):postdesk(100). */
	st = mode(100, 100, S_IFDIR | 02770);
	g_assert_true(check_may(&st, 100, g100, 2, W_OK | X_OK));
	g_assert_true(check_may(&st, 33, g100, 2, W_OK | X_OK));
	g_assert_false(check_may(&st, 33, g7, 1, W_OK | X_OK));
	g_assert_true(check_may(&st, 0, NULL, 0, W_OK | X_OK));
	/* A root-owned 0644 database: only root may write. */
	st = mode(0, 0, S_IFREG | 0644);
	g_assert_false(check_may(&st, 100, g100, 2, W_OK));
	g_assert_true(check_may(&st, 100, g100, 2, R_OK));
	g_assert_true(check_may(&st, 0, NULL, 0, R_OK | W_OK));
	/* The owner class decides, even when the group would allow. */
	st = mode(100, 100, S_IFREG | 0460);
	g_assert_false(check_may(&st, 100, g100, 2, W_OK));
	g_assert_true(check_may(&st, 33, g100, 2, R_OK | W_OK));
	/* Root executes only what someone may execute. */
	st = mode(0, 0, S_IFREG | 0644);
	g_assert_false(check_may(&st, 0, NULL, 0, X_OK));
	g_assert_cmpstr(check_want_to_text(R_OK | W_OK), ==, "read and write");
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	*p = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	g_free(p);
}

/* A copy of the shipped templates in a new directory. */
static char *
copy_templates(void)
{
	const char	*src = g_getenv("G_TEST_SRCDIR");
	char		*dir = g_dir_make_tmp("pd-check-XXXXXX", NULL), *cmd;
	int		 status;

	g_assert_nonnull(dir);
	cmd = g_strdup_printf("cp -R '%s/templates/mail' '%s/templates/web' "
	    "'%s/'", src != NULL ? src : ".", src != NULL ? src : ".", dir);
	g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, &status,
	    NULL));
	g_assert_cmpint(status, ==, 0);
	g_free(cmd);
	return dir;
}

static void
rm_rf(char *dir)
{
	char	*argv[] = { "rm", "-rf", dir, NULL };

	g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH,
	    NULL, NULL, NULL, NULL, NULL, NULL));
	g_free(dir);
}

static void
test_templates(void)
{
	GPtrArray	*a = check_problems_new();
	char		*dir = copy_templates(), *mail, *web, *p;

	mail = g_build_filename(dir, "mail", NULL);
	web = g_build_filename(dir, "web", NULL);
	check_templates(a, dir);
	g_assert_cmpuint(a->len, ==, 0);
	/* The mail directory itself is not the root. */
	check_templates(a, mail);
	g_assert_cmpuint(a->len, ==, 2);
	g_ptr_array_set_size(a, 0);
	check_templates(a, "/nonexistent/templates");
	assert_one(a, "templates", "not a directory");

	p = g_build_filename(mail, "closed.txt", NULL);
	g_assert_cmpint(g_unlink(p), ==, 0);
	g_free(p);
	check_templates(a, dir);
	/* Missing once, not once more per language (de is shipped). */
	assert_one(a, "templates", "closed.txt");
	put(mail, "closed.txt", "Subject: closed\n\nClosed.\n");

	put(mail, "new-ticket.de.txt", "Subject: x\n\n{{#ticket}}\n");
	check_templates(a, dir);
	assert_one(a, "templates", "new-ticket.de.txt");
	put(mail, "new-ticket.de.txt", "Subject: x\n\nDanke.\n");

	/* A queue's own template must parse too. */
	p = g_build_filename(mail, "sales", NULL);
	g_assert_cmpint(g_mkdir(p, 0755), ==, 0);
	put(p, "new-ticket.txt", "{{/oops}}\n");
	g_free(p);
	check_templates(a, dir);
	assert_one(a, "templates", "sales");
	p = g_build_filename(mail, "sales", "new-ticket.txt", NULL);
	g_assert_cmpint(g_unlink(p), ==, 0);
	g_free(p);

	p = g_build_filename(web, "ticket.html", NULL);
	g_assert_cmpint(g_unlink(p), ==, 0);
	g_free(p);
	check_templates(a, dir);
	assert_one(a, "templates", "ticket.html");

	g_free(mail);
	g_free(web);
	rm_rf(dir);
	g_ptr_array_free(a, TRUE);
}

/* A brand's own templates ([queue.NAME] templates) are linted too. */
static void
test_queue_templates(void)
{
	GPtrArray	*a = check_problems_new();
	struct config	*c = config_new_default();
	struct config_queue q = { 0 };
	struct config_queue *qs[] = { &q, NULL }, **saved = c->queues;
	char		*dir = g_dir_make_tmp("pd-brand-XXXXXX", NULL);
	char		*mail = g_build_filename(dir, "mail", NULL);

	q.name = (char *)"sales";
	q.templates_dir = dir;
	c->queues = qs;
	check_queue_templates(a, c);
	assert_one(a, "templates", "not a directory");
	g_assert_cmpint(g_mkdir(mail, 0755), ==, 0);
	put(mail, "new-ticket.txt", "Subject: x\n\nHello {{#ticket}}\n");
	check_queue_templates(a, c);
	assert_one(a, "templates", "new-ticket.txt");
	put(mail, "new-ticket.txt", "Subject: x\n\nHello {{ticket.id}}\n");
	check_queue_templates(a, c);
	g_assert_cmpuint(a->len, ==, 0);
	c->queues = saved;
	config_free(c);
	g_free(mail);
	rm_rf(dir);
	g_ptr_array_free(a, TRUE);
}

static void
test_templates_sorted(void)
{
	GPtrArray	*a = check_problems_new();
	char		*dir = copy_templates(), *mail, *web;
	const struct check_problem *p0, *p1;

	/* Two broken files: reported in name order, every run. */
	mail = g_build_filename(dir, "mail", NULL);
	put(mail, "zz-extra.txt", "{{/z}}\n");
	put(mail, "aa-extra.txt", "{{/a}}\n");
	check_templates(a, dir);
	g_assert_cmpuint(a->len, ==, 2);
	p0 = a->pdata[0];
	p1 = a->pdata[1];
	g_assert_nonnull(strstr(p0->message, "aa-extra.txt"));
	g_assert_nonnull(strstr(p1->message, "zz-extra.txt"));
	web = g_build_filename(dir, "web", NULL);
	g_free(mail);
	g_free(web);
	rm_rf(dir);
	g_ptr_array_free(a, TRUE);
}

/* The bootstrap list next to staff accounts: the ones that are no
 * account grant nothing, and check says so. */
static void
test_staff(void)
{
	GPtrArray	*a = check_problems_new();
	struct config	*c = conf("support@example.com", "example.com");
	struct staff_dir *d;

	g_strfreev(c->staff_addresses);
	c->staff_addresses = g_strsplit("ann@example.com,old@example.com",
	    ",", -1);
	d = staff_dir_bootstrap(c);
	check_staff(a, c, d);
	g_assert_cmpuint(a->len, ==, 0);
	/* The store's accounts: only ann. */
	g_ptr_array_set_size(d->all, 0);
	g_ptr_array_add(d->all, staff_new("Ann@example.com"));
	d->bootstrap = false;
	check_staff(a, c, d);
	assert_one(a, "staff", "old@example.com grants nothing");
	staff_dir_free(d);
	config_free(c);
	g_ptr_array_free(a, TRUE);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/check/key", test_key);
	g_test_add_func("/check/base-url", test_base_url);
	g_test_add_func("/check/addresses", test_addresses);
	g_test_add_func("/check/staff", test_staff);
	g_test_add_func("/check/may", test_may);
	g_test_add_func("/check/templates", test_templates);
	g_test_add_func("/check/templates-sorted", test_templates_sorted);
	g_test_add_func("/check/queue-templates", test_queue_templates);
	return g_test_run();
}
