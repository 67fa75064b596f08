/*
 * libFuzzer harness for template_parse() and template_render():
 *   clang -g -fsanitize=fuzzer,address,undefined -Isrc \
 *       $(pkg-config --cflags glib-2.0 json-glib-1.0) \
 *       src/template.c src/template_render.c src/html.c \
 *       tests/fuzz/fuzz-template.c \
 *       $(pkg-config --libs glib-2.0 json-glib-1.0) -o fuzz-template
 * The input is a template; it is rendered against a fixed context with
 * arrays, nesting and invalid UTF-8, in both escaping modes.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "template.h"

static const char fuzz_ctx[] =
	"{\"a\": [1, \"x\", {\"b\": [true, false, null]}], \"o\": {\"s\":"
	" \"<&>\", \"n\": 0, \"d\": 0.5, \"e\": {}}, \"t\": true}";

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template	*t = NULL;
	JsonParser	*p;
	JsonObject	*o;
	char		*text, *out, *s, *b;
	int		 esc;

	text = g_strndup((const char *)data, size);
	if (!template_parse(&t, "fuzz", text, NULL)) {
		g_free(text);
		return 0;
	}
	p = json_parser_new();
	if (!json_parser_load_from_data(p, fuzz_ctx, -1, NULL))
		g_error("bad fuzz context");
	o = json_node_get_object(json_parser_get_root(p));
	json_object_set_string_member(o, "bad", "\xff\xc3(");
	for (esc = 0; esc < TEMPLATE_ESCAPE__MAX; esc++) {
		out = template_render_max(t, o, esc, 1 << 16, NULL);
		if (out != NULL && !g_utf8_validate(out, -1, NULL))
			g_error("invalid UTF-8 out");
		g_free(out);
	}
	if (template_render_mail(t, o, &s, &b, NULL)) {
		if (s != NULL && strpbrk(s, "\r\n") != NULL)
			g_error("line break in subject");
		g_free(s);
		g_free(b);
	}
	g_object_unref(p);
	template_free(t);
	g_free(text);
	return 0;
}
