/*
 * form-upload: reads a multipart/form-data body from standard input as
 * postdesk.cgi would (CONTENT_TYPE, CONTENT_LENGTH) and stores its files
 * in the store at argv[1] — for measuring web_form_read()'s peak memory
 * with /usr/bin/time -v.  Never built by default.
 */
#include "pdconfig.h"

#include <stdlib.h>

#include "store.h"
#include "web.h"
#include "web_form.h"

int
main(int argc, char **argv)
{
	struct store	*s;
	struct web_form	*f;
	GError		*e = NULL;
	const char	*ct = g_getenv("CONTENT_TYPE");
	const char	*cl = g_getenv("CONTENT_LENGTH");
	guint		 i;

	if (argc != 3) {
		g_printerr("usage: form-upload STORE MAX-BYTES < body\n");
		return 2;
	}
	if (!store_open(&s, argv[1], STORE_READWRITE, &e) ||
	    !store_begin(s, &e) ||
	    !web_form_read(s, ct, stdin, cl != NULL ?
	    g_ascii_strtoll(cl, NULL, 10) : -1,
	    g_ascii_strtoull(argv[2], NULL, 10), &f, &e) ||
	    !store_commit(s, &e)) {
		g_printerr("form-upload: %s\n", e->message);
		return 1;
	}
	for (i = 0; i < f->uploads->len; i++) {
		struct web_upload *u = g_ptr_array_index(f->uploads, i);

		g_print("%s %s %" G_GUINT64_FORMAT " %s\n", u->field,
		    u->filename, u->size, u->sha256);
	}
	web_form_free(f);
	store_close(s);
	return 0;
}
