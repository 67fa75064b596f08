/*
 * html: escaping text for HTML; see html.h.
 */
#include <string.h>

#include <glib.h>

#include "html.h"

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define REPLACEMENT	"\xef\xbf\xbd"

void
html_escape_append(GString *out, const char *s)
{
	const char	*p, *end, *run;
	gunichar	 c;

	g_return_if_fail(out != NULL);
	if (s == NULL)
		return;

	end = s + strlen(s);
	p = run = s;
	while (p < end) {
		const char *ent = NULL;

		switch (*p) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			/* &apos; is not HTML 4; &#39; works everywhere. */
			ent = "&#39;";
			break;
		default:
			break;
		}
		if (ent != NULL) {
			g_string_append_len(out, run, p - run);
			g_string_append(out, ent);
			run = ++p;
			continue;
		}
		if ((unsigned char)*p < 0x80) {
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			/* One bad byte, one replacement: resynchronise. */
			g_string_append_len(out, run, p - run);
			g_string_append(out, REPLACEMENT);
			run = ++p;
			continue;
		}
		p = g_utf8_next_char(p);
	}
	g_string_append_len(out, run, p - run);
}

char *
html_escape(const char *s)
{
	GString	*out;

	out = g_string_sized_new(s != NULL ? strlen(s) + 16 : 1);
	html_escape_append(out, s);
	return g_string_free(out, FALSE);
}
