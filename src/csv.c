/*
 * csv: RFC 4180 fields and records (see csv.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "csv.h"
#include "store.h"

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

/* T as ISO 8601 in UTC; "" if out of range.  g_free. */
static char *
iso_utc(int64_t t)
{
	GDateTime	*d = g_date_time_new_from_unix_utc(t);
	char		*s = d != NULL ? g_date_time_format_iso8601(d) : NULL;

	if (d != NULL)
		g_date_time_unref(d);
	return s != NULL ? s : g_strdup("");
}

static void
csv_ticket(GString *out, const struct ticket *t)
{
	char	 id[24], linked[24], n[24];
	char	*created = iso_utc(t->created), *updated = iso_utc(t->updated);

	g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, t->id);
	g_snprintf(linked, sizeof linked, "%" G_GINT64_FORMAT, t->linked_to);
	g_snprintf(n, sizeof n, "%" G_GINT64_FORMAT, t->n_messages);
	csv_field(out, id, TRUE);
	csv_field(out, t->subject, FALSE);
	csv_field(out, t->status, FALSE);
	csv_field(out, t->queue, FALSE);
	csv_field(out, t->priority, FALSE);
	csv_field(out, t->hotrush ? "yes" : "no", FALSE);
	csv_field(out, t->requester, FALSE);
	csv_field(out, t->owner, FALSE);
	csv_field(out, t->linked_to > 0 ? linked : NULL, FALSE);
	csv_field(out, n, FALSE);
	csv_field(out, created, FALSE);
	csv_field(out, updated, FALSE);
	csv_end(out);
	g_free(created);
	g_free(updated);
}

void
csv_tickets(GString *out, const GPtrArray *tickets)
{
	static const char *const head[] = { "id", "subject", "status",
	    "queue", "priority", "hotrush", "requester", "owner",
	    "linked_to", "messages", "created", "updated" };
	guint	 k;

	for (k = 0; k < G_N_ELEMENTS(head); k++)
		csv_field(out, head[k], k == 0);
	csv_end(out);
	for (k = 0; k < tickets->len; k++)
		csv_ticket(out, tickets->pdata[k]);
}
