/*
 * text: terminal-safe output (after mblaze's safe_u8putstr).
 */
#include "pdconfig.h"

#include <glib.h>

#include "text.h"

void
tty_puts(const char *s, FILE *fp)
{
	const char	*p = s;

	if (s == NULL)
		return;
	while (*p != '\0') {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			fprintf(fp, "\\x%02x", (unsigned char)*p);
			p++;
			continue;
		}
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
		    (c >= 0x80 && c < 0xa0))
			fprintf(fp, "\\u%04x", c);
		else
			fwrite(p, 1, (size_t)(g_utf8_next_char(p) - p), fp);
		p = g_utf8_next_char(p);
	}
}

char *
text_time(int64_t t)
{
	GDateTime	*d = g_date_time_new_from_unix_local(t);
	char		*s;

	if (d == NULL)
		return g_strdup("?");
	s = g_date_time_format(d, "%Y-%m-%d %H:%M");
	g_date_time_unref(d);
	return s;
}
