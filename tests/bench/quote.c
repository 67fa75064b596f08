/*
 * quote.c: benchmark of the quote split on a realistic mix: every case
 * of tests/data/quote (plain replies of 21 languages and clients; the
 * HTML cases after their conversion to text, which is not timed), and
 * a 3 KB reply.  Prints MB/s and microseconds per 3 KB message.
 * Usage: quote [DATA_DIR [ROUNDS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "htmltext.h"
#include "quote.h"

static void
load(const char *dir, GPtrArray *texts)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	char *path, *s;
	gsize len;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			load(path, texts);
		else if ((g_str_has_suffix(name, ".txt") ||
		    g_str_has_suffix(name, ".html")) &&
		    g_file_get_contents(path, &s, &len, NULL)) {
			if (g_str_has_suffix(name, ".html")) {
				g_ptr_array_add(texts,
				    htmltext_to_text(s, len, FALSE, NULL));
				g_free(s);
			} else
				g_ptr_array_add(texts, s);
		}
		g_free(path);
	}
	g_dir_close(d);
}

/* A 3 KB top-posted reply: new text, a signature, Gmail history. */
static char *
reply_3k(void)
{
	GString *s = g_string_new("Hello,\n\nthe printer on the second "
	    "floor still jams after the update; the log is attached.\n\n"
	    "Thanks,\nBob\n-- \nBob Smith\nACME Corp\n\n"
	    "On Mon, Jan 1, 2024 at 10:00 AM Support <s@example.com> wrote:\n");

	while (s->len < 3000)
		g_string_append(s, "> Please restart the printer and send us "
		    "the log of the last job, with the time it failed.\n");
	return g_string_free(s, FALSE);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/data/quote";
	int rounds = argc > 2 ? atoi(argv[2]) : 200, r;
	GPtrArray *texts = g_ptr_array_new_with_free_func(g_free);
	struct quote_split q;
	gsize bytes = 0, i;
	gint64 t0, t;
	char *m;

	load(dir, texts);
	if (texts->len == 0) {
		fprintf(stderr, "no cases in %s\n", dir);
		return 1;
	}
	t0 = g_get_monotonic_time();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < texts->len; i++) {
			quote_split_text(texts->pdata[i], &q);
			bytes += strlen(texts->pdata[i]);
			quote_split_clear(&q);
		}
	t = g_get_monotonic_time() - t0;
	printf("mix: %u messages x %d rounds, %.1f MB in %.2f s: %.1f MB/s\n",
	    texts->len, rounds, bytes / 1e6, t / 1e6,
	    (bytes / 1e6) / (t / 1e6));
	m = reply_3k();
	t0 = g_get_monotonic_time();
	for (r = 0; r < 10000; r++) {
		quote_split_text(m, &q);
		quote_split_clear(&q);
	}
	t = g_get_monotonic_time() - t0;
	printf("3 KB reply: %.1f us per message\n", t / 10000.0);
	g_free(m);
	g_ptr_array_free(texts, TRUE);
	return 0;
}
