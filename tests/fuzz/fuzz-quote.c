/*
 * libFuzzer harness for quote.c and htmltext.c.
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	$(pkg-config --cflags glib-2.0) tests/fuzz/fuzz-quote.c \
 *	src/quote.c src/quote_lang.c src/htmltext.c $(pkg-config --libs glib-2.0)
 * Besides not crashing, checks the documented output contract: valid
 * UTF-8, never NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "htmltext.h"
#include "quote.h"

static void
check(const char *s)
{
	if (s == NULL || !g_utf8_validate(s, -1, NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quote_split q;
	gboolean had = FALSE;
	char *text, *html, *name;

	/* quote works on C strings: stop at the first NUL like callers. */
	text = g_strndup((const char *)data, size);
	quote_split_text(text, &q);
	check(q.fresh);
	check(q.quoted);
	check(q.signature);
	quote_split_clear(&q);
	/* the first line as the sender's name (the signature by name) */
	name = g_strndup(text, strcspn(text, "\n"));
	quote_split_sender(text, name, &q);
	check(q.fresh);
	check(q.signature);
	quote_split_clear(&q);
	g_free(name);

	html = htmltext_to_text((const char *)data, size, size % 2 == 0,
	    &had);
	check(html);
	quote_split_text(html, &q);
	check(q.fresh);
	quote_split_clear(&q);

	g_free(html);
	g_free(text);
	return 0;
}
