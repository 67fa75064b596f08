/*
 * Unit tests for src/mbox.c, src/maildir.c and src/progress.c: the
 * readers behind postdesk import and postdesk-fetch's local sources.
 */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "maildir.h"
#include "mbox.h"
#include "progress.h"

struct uq_case {
	const char	*in;
	const char	*rd;	/* after mboxrd unquoting */
	const char	*o;	/* after mboxo unquoting */
};

static const struct uq_case uq_cases[] = {
	{ ">From me\n", "From me\n", "From me\n" },
	{ ">>From me\n", ">From me\n", ">>From me\n" },
	{ ">>>From \n", ">>From \n", ">>>From \n" },
	{ "From: header-like\n", "From: header-like\n", "From: header-like\n" },
	{ ">Fromage\n", ">Fromage\n", ">Fromage\n" },
	{ "> From me\n", "> From me\n", "> From me\n" },
	{ ">From", ">From", ">From" },	/* no space: not a From_ line */
	{ ">From x\r\n", "From x\r\n", "From x\r\n" },
	{ "", "", "" },
};

static void
test_unquote(void)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(uq_cases); i++) {
		GByteArray *b = g_byte_array_new();
		const struct uq_case *c = &uq_cases[i];

		mbox_unquote_line(b, c->in, strlen(c->in), MBOX_RD);
		g_assert_cmpmem(b->data, b->len, c->rd, strlen(c->rd));
		g_byte_array_set_size(b, 0);
		mbox_unquote_line(b, c->in, strlen(c->in), MBOX_O);
		g_assert_cmpmem(b->data, b->len, c->o, strlen(c->o));
		g_byte_array_unref(b);
	}
}

static char *
write_temp(const char *text, size_t len)
{
	GError	*e = NULL;
	char	*path = NULL;
	int	 fd = g_file_open_tmp("pd-mbox-XXXXXX", &path, &e);

	g_assert_no_error(e);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_file_set_contents(path, text, (gssize)len, &e);
	g_assert_no_error(e);
	return path;
}

#define MSG1 "From: a@example.org\nSubject: one\n\n" \
	"first\n>From quoted\n>>From twice\nFrom not-a-separator\n"
#define MSG2 "From: b@example.org\nSubject: two\n\nsecond\n"
#define MSG3 "From: c@example.org\nSubject: three\n\nthird, no newline"

static const char mbox_text[] =
	"\n\nFrom a@example.org Mon Jan  1 10:00:00 2024\n" MSG1 "\n"
	"From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n" MSG2 "\n"
	"From c@example.org Mon Jan  1 10:00:00 2024\n" MSG3;

static void
test_split(void)
{
	struct mbox	*mb;
	struct mbox_message m;
	GError		*e = NULL;
	char		*path = write_temp(mbox_text, strlen(mbox_text));
	uint64_t	 second;

	g_assert_true(mbox_open(&mb, path, MBOX_RD, &e));
	g_assert_no_error(e);
	g_assert_cmpuint(mbox_count(mb), ==, 3);

	g_assert_true(mbox_next(mb, &m, &e));
	g_assert_cmpstr(m.sender, ==, "a@example.org");
	g_assert_cmpuint(m.offset, ==, 2);
	{
		const char want[] = "From: a@example.org\nSubject: one\n\n"
		    "first\nFrom quoted\n>From twice\n"
		    "From not-a-separator\n";

		g_assert_cmpmem(m.raw, m.len, want, strlen(want));
	}
	g_assert_true(mbox_next(mb, &m, &e));
	g_assert_null(m.sender);	/* MAILER-DAEMON: null sender */
	g_assert_cmpmem(m.raw, m.len, MSG2, strlen(MSG2));
	second = m.offset;
	g_assert_true(mbox_next(mb, &m, &e));
	g_assert_cmpstr(m.sender, ==, "c@example.org");
	g_assert_cmpmem(m.raw, m.len, MSG3, strlen(MSG3));
	g_assert_cmpuint(m.end, ==, strlen(mbox_text));
	g_assert_false(mbox_next(mb, &m, &e));
	g_assert_no_error(e);

	/* Resuming where an earlier run stopped. */
	g_assert_true(mbox_seek(mb, second));
	g_assert_cmpuint(mbox_count(mb), ==, 2);
	g_assert_true(mbox_next(mb, &m, &e));
	g_assert_cmpmem(m.raw, m.len, MSG2, strlen(MSG2));
	g_assert_false(mbox_seek(mb, second + 1));	/* not a From_ line */
	mbox_free(mb);
	g_unlink(path);
	g_free(path);
}

static void
test_crlf(void)
{
	static const char text[] =
	    "From x@example.org Mon Jan  1 10:00:00 2024\r\n"
	    "Subject: a\r\n\r\n>From body\r\n\r\n"
	    "From y@example.org Mon Jan  1 10:00:00 2024\r\n"
	    "Subject: b\r\n\r\nbody\r\n\r\n";
	struct mbox	*mb;
	struct mbox_message m;
	GError		*e = NULL;
	char		*path = write_temp(text, strlen(text));

	g_assert_true(mbox_open(&mb, path, MBOX_RD, &e));
	g_assert_cmpuint(mbox_count(mb), ==, 2);
	g_assert_true(mbox_next(mb, &m, &e));
	g_assert_cmpmem(m.raw, m.len, "Subject: a\r\n\r\nFrom body\r\n", 25);
	g_assert_true(mbox_next(mb, &m, &e));
	/* The last message's trailing blank line is the format's too. */
	g_assert_cmpmem(m.raw, m.len, "Subject: b\r\n\r\nbody\r\n", 20);
	g_assert_false(mbox_next(mb, &m, &e));
	mbox_free(mb);
	g_unlink(path);
	g_free(path);
}

static void
test_not_mbox(void)
{
	struct mbox	*mb = NULL;
	GError		*e = NULL;
	char		*path = write_temp("Subject: x\n\nhi\n", 15);
	char		*empty = write_temp("", 0);
	struct mbox_message m;

	g_assert_false(mbox_open(&mb, path, MBOX_RD, &e));
	g_assert_error(e, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	g_clear_error(&e);
	g_assert_false(mbox_open(&mb, "/nonexistent/mbox", MBOX_RD, &e));
	g_assert_nonnull(e);
	g_clear_error(&e);
	g_assert_true(mbox_open(&mb, empty, MBOX_RD, &e));
	g_assert_cmpuint(mbox_count(mb), ==, 0);
	g_assert_false(mbox_next(mb, &m, &e));
	g_assert_no_error(e);
	mbox_free(mb);
	mbox_free(NULL);
	g_unlink(path);
	g_unlink(empty);
	g_free(path);
	g_free(empty);
}

static void
put(const char *dir, const char *sub, const char *name, const char *text)
{
	char	*p = g_build_filename(dir, sub, name, NULL);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
	g_free(p);
}

static void
test_maildir(void)
{
	GError		*e = NULL;
	char		*dir = g_dir_make_tmp("pd-maildir-XXXXXX", &e);
	char		*p;
	GPtrArray	*a;
	const struct maildir_entry *x;
	const char	*subs[] = { "cur", "new", "tmp" };
	size_t		 i;

	g_assert_no_error(e);
	for (i = 0; i < G_N_ELEMENTS(subs); i++) {
		p = g_build_filename(dir, subs[i], NULL);
		g_assert_cmpint(g_mkdir(p, 0700), ==, 0);
		g_free(p);
	}
	put(dir, "new", "1700000003.M1.host", "c");
	put(dir, "cur", "1700000001.M1.host:2,S", "a");
	put(dir, "cur", "1700000002.M1.host:2,FR", "b");
	put(dir, "tmp", "1700000004.M1.host", "in progress");
	put(dir, "cur", ".hidden", "not mail");

	g_assert_true(maildir_list(dir, false, &a, &e));
	g_assert_cmpuint(a->len, ==, 3);
	x = a->pdata[0];
	g_assert_cmpstr(x->key, ==, "1700000001.M1.host");
	g_assert_true(x->seen);
	x = a->pdata[2];
	g_assert_true(x->in_new);
	g_assert_false(x->seen);
	g_ptr_array_free(a, TRUE);

	g_assert_true(maildir_list(dir, true, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	/* Flags stay sorted; new/ moves to cur/. */
	g_assert_true(maildir_mark_seen(dir, a->pdata[0], &e));
	g_assert_true(maildir_mark_seen(dir, a->pdata[1], &e));
	g_assert_no_error(e);
	p = g_build_filename(dir, "cur", "1700000002.M1.host:2,FRS", NULL);
	g_assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	p = g_build_filename(dir, "cur", "1700000003.M1.host:2,S", NULL);
	g_assert_true(g_file_test(p, G_FILE_TEST_EXISTS));
	g_free(p);
	g_ptr_array_free(a, TRUE);
	g_assert_true(maildir_list(dir, true, &a, &e));
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_free(a, TRUE);

	g_assert_true(maildir_list(dir, false, &a, &e));
	for (i = 0; i < a->len; i++)
		g_assert_true(maildir_remove(a->pdata[i], &e));
	g_ptr_array_free(a, TRUE);
	g_assert_true(maildir_list(dir, false, &a, &e));
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_free(a, TRUE);

	g_assert_false(maildir_list("/nonexistent", false, &a, &e));
	g_assert_nonnull(e);
	g_clear_error(&e);
	maildir_entry_free(NULL);
	p = g_strdup_printf("rm -rf '%s'", dir);
	g_assert_true(g_spawn_command_line_sync(p, NULL, NULL, NULL, NULL));
	g_free(p);
	g_free(dir);
}

static void
test_progress(void)
{
	char	*s;

	s = progress_text(50, 100, 5.0);
	g_assert_cmpstr(s, ==, "50/100 (50%), 10 msg/s, ETA 0:05");
	g_free(s);
	s = progress_text(0, 100, 0);
	g_assert_cmpstr(s, ==, "0/100 (0%), 0 msg/s, ETA ?");
	g_free(s);
	s = progress_text(1, 7201, 1.0);
	g_assert_cmpstr(s, ==, "1/7201 (0%), 1 msg/s, ETA 2:00:00");
	g_free(s);
	s = progress_text(0, 0, 1.0);
	g_assert_cmpstr(s, ==, "0/0 (100%), 0 msg/s, ETA ?");
	g_free(s);
	s = progress_text_unit(300, 900, 1.5, "rows");
	g_assert_cmpstr(s, ==, "300/900 (33%), 200 rows/s, ETA 0:03");
	g_free(s);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mbox/unquote", test_unquote);
	g_test_add_func("/mbox/split", test_split);
	g_test_add_func("/mbox/crlf", test_crlf);
	g_test_add_func("/mbox/not-mbox", test_not_mbox);
	g_test_add_func("/maildir/list-flag-remove", test_maildir);
	g_test_add_func("/progress/text", test_progress);
	return g_test_run();
}
