/*
 * bounce: DSN parsing and what a bounce does to the store.
 */
#include "pdconfig.h"

#include <string.h>

#include "bounce.h"
#include "token.h"

void
bounce_clear(struct bounce *b)
{
	g_free(b->recipient);
	g_free(b->action);
	g_free(b->status);
	g_free(b->diagnostic);
	memset(b, 0, sizeof *b);
}

/* "rfc822; user@example.com" → "user@example.com". */
static char *
typed_address(const char *v)
{
	const char	*semi = strchr(v, ';');
	char		*a;

	a = g_strstrip(g_strdup(semi != NULL ? semi + 1 : v));
	if (*a == '<' && a[strlen(a) - 1] == '>') {
		char *in = g_strndup(a + 1, strlen(a) - 2);

		g_free(a);
		a = in;
	}
	return a;
}

static void
take_field(struct bounce *b, const char *name, const char *value)
{
	if (g_ascii_strcasecmp(name, "Final-Recipient") == 0 &&
	    b->recipient == NULL)
		b->recipient = typed_address(value);
	else if (g_ascii_strcasecmp(name, "Original-Recipient") == 0 &&
	    b->recipient == NULL)
		b->recipient = typed_address(value);
	else if (g_ascii_strcasecmp(name, "Action") == 0 && b->action == NULL)
		b->action = g_strstrip(g_ascii_strdown(value, -1));
	else if (g_ascii_strcasecmp(name, "Status") == 0 && b->status == NULL)
		b->status = g_strstrip(g_strdup(value));
	else if (g_ascii_strcasecmp(name, "Diagnostic-Code") == 0 &&
	    b->diagnostic == NULL)
		b->diagnostic = typed_address(value);
}

/* Reads the per-message and first per-recipient fields.  The fields go
 * into events and pages as text: 8-bit bytes an MTA put there (RFC 3464
 * allows none) are decoded as a mail's undeclared 8-bit text is. */
static void
parse_status(const char *text, size_t len, struct bounce *b)
{
	char	*copy = mail_text_to_utf8(text, len, NULL);
	char	**lines = g_strsplit(copy, "\n", -1);
	GString	*field = g_string_new(NULL);
	size_t	 i;

	for (i = 0; lines[i] != NULL; i++) {
		char	*l = lines[i], *colon;

		g_strdelimit(l, "\r", ' ');
		if ((*l == ' ' || *l == '\t') && field->len > 0) {
			/* Folded: one space for the fold, so that the
			 * diagnostic reads as the MTA's one line did. */
			g_string_truncate(field,
			    strlen(g_strchomp(field->str)));
			g_string_append_c(field, ' ');
			g_string_append(field, g_strchug(l));
			continue;
		}
		if (field->len > 0 && (colon = strchr(field->str, ':'))) {
			*colon = '\0';
			take_field(b, g_strstrip(field->str), colon + 1);
		}
		g_string_assign(field, l);
	}
	if (field->len > 0 && (strchr(field->str, ':') != NULL)) {
		char *colon = strchr(field->str, ':');

		*colon = '\0';
		take_field(b, g_strstrip(field->str), colon + 1);
	}
	g_string_free(field, TRUE);
	g_strfreev(lines);
	g_free(copy);
}

bool
bounce_parse(const struct mail *m, struct bounce *out)
{
	guint	 i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < m->attachments->len; i++) {
		const struct mail_attachment *a = m->attachments->pdata[i];
		gsize	 len;
		const char *data;

		if (g_ascii_strcasecmp(a->content_type,
		    "message/delivery-status") != 0 &&
		    g_ascii_strcasecmp(a->content_type,
		    "message/global-delivery-status") != 0)
			continue;
		data = g_bytes_get_data(a->data, &len);
		/* An empty part has no fields (and its data may be NULL). */
		if (data == NULL || len == 0)
			continue;
		parse_status(data, len, out);
		if (out->action != NULL)
			return true;
		bounce_clear(out);
	}
	return false;
}

static bool
verp_row(const struct config *c, const struct mail *m, const char *rcpt,
    int64_t *id)
{
	GPtrArray	*a = token_recipients(m, rcpt);
	guint		 i;
	bool		 hit = false;

	for (i = 0; !hit && i < a->len; i++)
		hit = token_verp_id(c->address, a->pdata[i], id);
	g_ptr_array_free(a, TRUE);
	return hit;
}

/* A failed DSN: the row fails, the address is marked bounced. */
static bool
apply_failure(struct store *s, const struct outbox_row *r,
    const struct bounce *b, int64_t now, char **detail, GError **err)
{
	const char	*addr = b->recipient != NULL ? b->recipient :
	    r->recipient;

	*detail = g_strdup_printf("bounce: mail to %s (outbox #%"
	    G_GINT64_FORMAT ") failed: %s%s%s", addr, r->id,
	    b->status != NULL ? b->status : "no status",
	    b->diagnostic != NULL ? " " : "",
	    b->diagnostic != NULL ? b->diagnostic : "");
	return store_outbox_fail(s, r->id, now, *detail, err) &&
	    store_participant_bounced(s, addr, err) &&
	    (!g_ascii_strcasecmp(addr, r->recipient) ||
	    store_participant_bounced(s, r->recipient, err)) &&
	    store_event_add(s, r->ticket_id, 0, now, addr, "bounce",
	    *detail, err);
}

bool
bounce_intake(struct store *s, const struct config *c, const struct mail *m,
    const char *recipient, int64_t now, bool *handled, int64_t *ticket,
    char **detail, GError **err)
{
	struct outbox_row *r = NULL;
	struct bounce	 b;
	GError		*e = NULL;
	int64_t		 id;
	bool		 ok = true, dsn;

	*handled = false;
	*ticket = 0;
	*detail = NULL;
	if (!verp_row(c, m, recipient, &id))
		return true;
	*handled = true;
	if (!store_outbox_get(s, id, &r, &e)) {
		if (!g_error_matches(e, STORE_ERROR, STORE_ERROR_NOTFOUND)) {
			g_propagate_error(err, e);
			return false;
		}
		g_error_free(e);
		*detail = g_strdup_printf("mail to the return path of unknown "
		    "outbox row %" G_GINT64_FORMAT ": dropped", id);
		return true;
	}
	*ticket = r->ticket_id;
	dsn = bounce_parse(m, &b);
	if (dsn && strcmp(b.action, "failed") == 0)
		ok = apply_failure(s, r, &b, now, detail, err);
	else {
		*detail = g_strdup_printf("%s to the return path of outbox #%"
		    G_GINT64_FORMAT " (to %s): recorded, nothing changed",
		    dsn ? "delivery notice" : "non-DSN mail", id,
		    r->recipient);
		if (dsn) {
			char *t = *detail;

			*detail = g_strdup_printf("%s [action %s]", t,
			    b.action);
			g_free(t);
		}
		ok = r->ticket_id <= 0 || store_event_add(s, r->ticket_id, 0,
		    now, m->from.addr, "bounce-notice", *detail, err);
	}
	if (dsn)
		bounce_clear(&b);
	outbox_row_free(r);
	return ok;
}
