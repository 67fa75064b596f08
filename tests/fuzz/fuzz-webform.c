/*
 * libFuzzer harness for multipart/form-data bodies (web_form.c
 * web_form_read(), web_form_filename()).  Build: tests/fuzz/run.sh
 * webform
 *
 * Input: CONTENT_TYPE, a NUL, then the body (which may hold NULs).
 * Each run reads the body into a store (a temporary SQLite file opened
 * once) inside a transaction that is rolled back.
 *
 * Besides not crashing, checks the contract: false comes with a
 * WEB_ERROR (400 or 413) or a store error, true with none; the files
 * add up to no more than the cap; every stored file name is valid
 * UTF-8, non-empty, at most WEB_FILENAME_MAX bytes, with no '/', '\\'
 * or control character; every blob named is there with the size said.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "store.h"
#include "web.h"
#include "web_form.h"

#define CAP	4096

static struct store *
the_store(void)
{
	static struct store *s;
	GError	*e = NULL;
	char	*dir, *path;

	if (s != NULL)
		return s;
	dir = g_dir_make_tmp("fuzz-webform-XXXXXX", &e);
	if (dir == NULL)
		abort();
	path = g_build_filename(dir, "pd.db", NULL);
	if (!store_open(&s, path, STORE_READWRITE, &e))
		abort();
	g_free(path);
	g_free(dir);
	return s;
}

static void
check_filename(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > WEB_FILENAME_MAX ||
	    !g_utf8_validate(s, -1, NULL) || strchr(s, '/') != NULL ||
	    strchr(s, '\\') != NULL)
		abort();
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store	*s = the_store();
	struct web_form	*f = NULL;
	GError		*err = NULL;
	const uint8_t	*nul;
	uint64_t	 total = 0;
	char		*type;
	FILE		*in;
	guint		 i;
	bool		 ok;

	nul = memchr(data, '\0', size);
	if (nul == NULL)
		return 0;
	type = g_strndup((const char *)data, (gsize)(nul - data));
	size -= (size_t)(nul - data) + 1;
	data = nul + 1;
	in = fmemopen(size > 0 ? (void *)data : (void *)"", size > 0 ? size : 1,
	    "r");
	if (in == NULL)
		abort();
	if (size == 0)
		(void)fgetc(in);
	if (!store_begin(s, &err))
		abort();
	ok = web_form_read(s, type, in, (int64_t)size, CAP, &f, &err);
	if (ok != (err == NULL) || ok != (f != NULL))
		abort();
	if (!ok && err->domain != WEB_ERROR && err->domain != STORE_ERROR)
		abort();
	for (i = 0; ok && i < f->uploads->len; i++) {
		struct web_upload *u = g_ptr_array_index(f->uploads, i);
		GBytes	*b = NULL;

		check_filename(u->filename);
		total += u->size;
		if (!store_blob_get(s, u->sha256, &b, NULL) ||
		    g_bytes_get_size(b) != u->size)
			abort();
		g_bytes_unref(b);
	}
	if (ok && (total > CAP || f->total > CAP || total > f->total))
		abort();
	store_rollback(s);
	web_form_free(f);
	g_clear_error(&err);
	fclose(in);
	g_free(type);
	return 0;
}
