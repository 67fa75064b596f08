/*
 * csv: RFC 4180 fields and records (see csv.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "csv.h"

/* A cell a spreadsheet would evaluate. */
static gboolean
looks_like_formula(const char *s)
{
	return *s != '\0' && strchr("=+-@\t\r", *s) != NULL;
}

void
csv_field(GString *out, const char *field, gboolean first)
{
	const char	*s = field != NULL ? field : "";
	gboolean	 formula = looks_like_formula(s);

	if (!first)
		g_string_append_c(out, ',');
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		g_string_append(out, s);
		return;
	}
	g_string_append_c(out, '"');
	if (formula)
		g_string_append_c(out, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

void
csv_end(GString *out)
{
	g_string_append(out, "\r\n");
}
