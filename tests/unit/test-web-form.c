/*
 * test-web-form: multipart/form-data bodies through web_form_read():
 * text fields, files stored byte for byte as blobs (NULs, CRLF, a line
 * that looks like a boundary), browser file names kept as text only,
 * the cap (413, and nothing stored once rolled back), bodies that are
 * not forms.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib/gstdio.h>

#include "store.h"
#include "web.h"
#include "web_form.h"

#define CT "multipart/form-data; boundary=----pdB0und"
#define B "------pdB0und"

struct fx {
	char		*dir, *path;
	struct store	*s;
};

static void
fx_setup(struct fx *fx, gconstpointer data)
{
	GError	*e = NULL;

	(void)data;
	fx->dir = g_dir_make_tmp("test-web-form-XXXXXX", &e);
	g_assert_no_error(e);
	fx->path = g_build_filename(fx->dir, "pd.db", NULL);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
}

static void
fx_teardown(struct fx *fx, gconstpointer data)
{
	char	*p;

	(void)data;
	store_close(fx->s);
	g_unlink(fx->path);
	p = g_strconcat(fx->path, "-wal", NULL);
	g_unlink(p);
	g_free(p);
	p = g_strconcat(fx->path, "-shm", NULL);
	g_unlink(p);
	g_free(p);
	g_rmdir(fx->dir);
	g_free(fx->path);
	g_free(fx->dir);
}

/* BODY as a FILE, the CGI's standard input. */
static FILE *
body_file(const void *body, size_t len)
{
	FILE	*f = tmpfile();

	g_assert_nonnull(f);
	g_assert_cmpuint(fwrite(body, 1, len, f), ==, len);
	rewind(f);
	return f;
}

static bool
read_form(struct fx *fx, const char *ct, GString *body, int64_t clen,
    uint64_t max, struct web_form **out, GError **e)
{
	FILE	*in = body_file(body->str, body->len);
	bool	 ok;

	ok = web_form_read(fx->s, ct, in, clen, max, out, e);
	fclose(in);
	return ok;
}

static void
add_field(GString *b, const char *name, const char *value)
{
	g_string_append_printf(b, B "\r\nContent-Disposition: form-data; "
	    "name=\"%s\"\r\n\r\n%s\r\n", name, value);
}

static void
add_file(GString *b, const char *name, const char *fname, size_t fnlen,
    const void *data, size_t len)
{
	g_string_append_printf(b, B "\r\nContent-Disposition: form-data; "
	    "name=\"%s\"; filename=\"", name);
	g_string_append_len(b, fname, fnlen);
	g_string_append(b, "\"\r\nContent-Type: application/octet-stream"
	    "\r\n\r\n");
	g_string_append_len(b, data, len);
	g_string_append(b, "\r\n");
}

static void
test_fields_and_file(struct fx *fx, gconstpointer data)
{
	/* NUL, CR LF, a line that is almost the boundary, no final EOL. */
	static const char file[] = "a\0b\r\nline\r\n" B "x\r\n\r\nend";
	struct web_form	*f = NULL;
	struct web_upload *u;
	GString	*b = g_string_new(NULL);
	GBytes	*got = NULL;
	GError	*e = NULL;

	(void)data;
	add_field(b, "subject", "Printer on fire");
	add_field(b, "message", "Line one\r\nLine two");
	add_field(b, "subject", "ignored: the first wins");
	add_field(b, "empty", "");	/* once a GLib critical (fuzz) */
	add_file(b, "file", "../../home/me/report.bin", 24, file,
	    sizeof file - 1);
	add_file(b, "file", "", 0, "", 0);	/* an empty file input */
	g_string_append(b, B "--\r\n");
	g_assert_true(store_begin(fx->s, &e));
	g_assert_true(read_form(fx, CT, b, (int64_t)b->len, 1024, &f, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(web_form_field(f, "subject"), ==, "Printer on fire");
	g_assert_cmpstr(web_form_field(f, "message"), ==,
	    "Line one\r\nLine two");
	g_assert_cmpstr(web_form_field(f, "empty"), ==, "");
	g_assert_cmpuint(f->uploads->len, ==, 1);
	u = g_ptr_array_index(f->uploads, 0);
	g_assert_cmpstr(u->field, ==, "file");
	g_assert_cmpstr(u->filename, ==, "report.bin");
	g_assert_cmpstr(u->content_type, ==, "application/octet-stream");
	g_assert_cmpuint(u->size, ==, sizeof file - 1);
	g_assert_true(store_commit(fx->s, &e));
	g_assert_true(store_blob_get(fx->s, u->sha256, &got, &e));
	g_assert_cmpmem(g_bytes_get_data(got, NULL), g_bytes_get_size(got),
	    file, sizeof file - 1);
	g_bytes_unref(got);
	web_form_free(f);
	g_string_free(b, TRUE);
}

static void
test_over_cap(struct fx *fx, gconstpointer data)
{
	struct web_form	*f = NULL;
	GString	*b = g_string_new(NULL);
	GError	*e = NULL;
	char	*small = g_strnfill(600, 's'), *big = g_strnfill(600, 'b');

	(void)data;
	/* Two files of 600 bytes under a cap of 1000: the first one is
	 * stored before the second passes the cap. */
	add_file(b, "file", "one", 3, small, 600);
	add_file(b, "file", "two", 3, big, 600);
	g_string_append(b, B "--\r\n");
	g_assert_true(store_begin(fx->s, &e));
	g_assert_false(read_form(fx, CT, b, (int64_t)b->len, 1000, &f, &e));
	g_assert_error(e, WEB_ERROR, WEB_ERROR_TOO_LARGE);
	g_clear_error(&e);
	g_assert_null(f);
	store_rollback(fx->s);
	/* A body longer than the cap and its overhead is refused before
	 * it is read. */
	g_assert_false(read_form(fx, CT, b, (int64_t)1000 + WEB_FORM_OVERHEAD
	    + 1, 1000, &f, &e));
	g_assert_error(e, WEB_ERROR, WEB_ERROR_TOO_LARGE);
	g_clear_error(&e);
	g_free(small);
	g_free(big);
	g_string_free(b, TRUE);
}

static void
test_stored_nothing_over_cap(struct fx *fx, gconstpointer data)
{
	struct web_form	*f = NULL;
	GString	*b = g_string_new(NULL);
	GBytes	*got = NULL;
	GError	*e = NULL;
	char	*small = g_strnfill(600, 'q');
	char	 hex[65];

	(void)data;
	add_file(b, "file", "one", 3, small, 600);
	add_file(b, "file", "two", 3, small, 600);
	g_string_append(b, B "--\r\n");
	/* Learn the first file's blob name, then forget it. */
	g_assert_true(store_begin(fx->s, &e));
	g_assert_true(store_blob_put(fx->s, small, 600, hex, &e));
	store_rollback(fx->s);
	g_assert_true(store_begin(fx->s, &e));
	g_assert_false(read_form(fx, CT, b, (int64_t)b->len, 1000, &f, &e));
	g_clear_error(&e);
	store_rollback(fx->s);
	g_assert_false(store_blob_get(fx->s, hex, &got, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	g_free(small);
	g_string_free(b, TRUE);
}

static void
test_not_a_form(struct fx *fx, gconstpointer data)
{
	struct web_form	*f = NULL;
	GString	*b = g_string_new("status=closed&csrf=x");
	GError	*e = NULL;

	(void)data;
	g_assert_false(read_form(fx, "application/x-www-form-urlencoded", b,
	    (int64_t)b->len, 1000, &f, &e));
	g_assert_error(e, WEB_ERROR, WEB_ERROR_BAD_REQUEST);
	g_clear_error(&e);
	/* A header injected through the Content-Type. */
	g_assert_false(read_form(fx, CT "\r\nX-Evil: 1", b, (int64_t)b->len,
	    1000, &f, &e));
	g_assert_error(e, WEB_ERROR, WEB_ERROR_BAD_REQUEST);
	g_clear_error(&e);
	/* A body shorter than its Content-Length. */
	g_assert_false(read_form(fx, CT, b, (int64_t)b->len + 10, 1000, &f,
	    &e));
	g_assert_error(e, WEB_ERROR, WEB_ERROR_BAD_REQUEST);
	g_clear_error(&e);
	g_string_free(b, TRUE);
}

static void
test_filename(void)
{
	static const char nul[] = "evil\0.exe";
	char	*long_name = g_strnfill(10000, 'n'), *s;

	s = web_form_filename("../../etc/passwd", 16);
	g_assert_cmpstr(s, ==, "passwd");
	g_free(s);
	s = web_form_filename("a\\b\\c.txt", 9);
	g_assert_cmpstr(s, ==, "c.txt");
	g_free(s);
	s = web_form_filename(nul, sizeof nul - 1);
	g_assert_cmpstr(s, ==, "evil.exe");
	g_free(s);
	s = web_form_filename("tab\there\r\nx\x7f.txt", 16);
	g_assert_cmpstr(s, ==, "tabherex.txt");
	g_free(s);
	s = web_form_filename("dir/..", 6);
	g_assert_cmpstr(s, ==, "attachment");
	g_free(s);
	s = web_form_filename("", 0);
	g_assert_cmpstr(s, ==, "attachment");
	g_free(s);
	s = web_form_filename(long_name, 10000);
	g_assert_cmpuint(strlen(s), ==, WEB_FILENAME_MAX);
	g_free(s);
	/* Cut on a character boundary: "ä" is two bytes. */
	{
		GString *m = g_string_new(NULL);
		int	 i;

		for (i = 0; i < 200; i++)
			g_string_append(m, "\xc3\xa4");
		s = web_form_filename(m->str, m->len);
		g_assert_true(g_utf8_validate(s, -1, NULL));
		g_assert_cmpuint(strlen(s), ==, WEB_FILENAME_MAX - 1);
		g_free(s);
		g_string_free(m, TRUE);
	}
	/* Bytes that are not UTF-8 become text. */
	s = web_form_filename("caf\xe9.txt", 8);
	g_assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	g_free(long_name);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/web-form/fields-and-file", struct fx, NULL, fx_setup,
	    test_fields_and_file, fx_teardown);
	g_test_add("/web-form/over-cap", struct fx, NULL, fx_setup,
	    test_over_cap, fx_teardown);
	g_test_add("/web-form/over-cap-stores-nothing", struct fx, NULL,
	    fx_setup, test_stored_nothing_over_cap, fx_teardown);
	g_test_add("/web-form/not-a-form", struct fx, NULL, fx_setup,
	    test_not_a_form, fx_teardown);
	g_test_add_func("/web-form/filename", test_filename);
	return g_test_run();
}
