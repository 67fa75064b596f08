/*
 * compose: GMime message construction.
 */
#include "pdconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "compose.h"
#include "quote.h"
#include "thread.h"

G_DEFINE_QUARK(postdesk-compose-error-quark, compose_error)

/* GMime keeps global state; initialise it once per process. */
static void
init_once(void)
{
	static gsize	 done = 0;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

char *
compose_message_id(int64_t ticket, int64_t rowid, const char *host)
{
	return g_strdup_printf("pd.%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT
	    ".%08x%08x@%s", ticket, rowid, g_random_int(), g_random_int(),
	    host != NULL && *host != '\0' ? host : "localhost");
}

/* SUBJECT without "[OTHER #TICKET]" (any case) and the blanks after. */
static char *
without_tag(const char *subject, const char *other, int64_t ticket)
{
	char	*tag = g_strdup_printf("[%s #%" G_GINT64_FORMAT "]", other,
	    ticket);
	char	*needle = g_ascii_strdown(tag, -1);
	char	*low = g_ascii_strdown(subject, -1);
	char	*hit = strstr(low, needle), *out;
	const char *rest;

	if (hit == NULL)
		out = g_strdup(subject);
	else {
		rest = subject + (hit - low) + strlen(needle);
		while (*rest == ' ')
			rest++;
		out = g_strdup_printf("%.*s%s", (int)(hit - low), subject,
		    rest);
	}
	g_free(tag);
	g_free(needle);
	g_free(low);
	return out;
}

char *
compose_subject(const char *tag, char *const *other_tags, int64_t ticket,
    const char *subject)
{
	char	*own = NULL, *next, *out;
	int64_t	 named;

	if (subject == NULL || *subject == '\0')
		subject = "(no subject)";
	/* Mail about no ticket (a refusal) must not name one. */
	if (ticket <= 0)
		return g_strdup(subject);
	for (; other_tags != NULL && *other_tags != NULL; other_tags++) {
		if (g_ascii_strcasecmp(*other_tags, tag) == 0)
			continue;
		next = without_tag(own != NULL ? own : subject, *other_tags,
		    ticket);
		g_free(own);
		own = next;
	}
	if (own != NULL) {
		out = compose_subject(tag, NULL, ticket, own);
		g_free(own);
		return out;
	}
	if (thread_subject_ticket(subject, tag, &named) && named == ticket)
		return g_strdup(subject);
	/* "Re: [Support #5] help", as mail clients keep it on reply. */
	if (g_ascii_strncasecmp(subject, "Re:", 3) == 0) {
		const char *rest = subject + 3;

		while (*rest == ' ')
			rest++;
		return g_strdup_printf("Re: [%s #%" G_GINT64_FORMAT "] %s",
		    tag, ticket, rest);
	}
	return g_strdup_printf("[%s #%" G_GINT64_FORMAT "] %s", tag, ticket,
	    subject);
}

static void
add_addresses(GMimeMessage *msg, GMimeAddressType type,
    const char *const *addrs)
{
	InternetAddressList *l = g_mime_message_get_addresses(msg, type);

	for (; addrs != NULL && *addrs != NULL; addrs++) {
		InternetAddress *a = internet_address_mailbox_new(NULL, *addrs);

		internet_address_list_add(l, a);
		g_object_unref(a);
	}
}

/*
 * A text/plain part in UTF-8 (g_mime_text_part_set_text() would pick
 * a legacy charset), quoted-printable or base64 only when needed.
 */
static GMimeObject *
text_part(const char *text)
{
	GMimeTextPart	*p = g_mime_text_part_new_with_subtype("plain");
	GMimeStream	*st = g_mime_stream_mem_new_with_buffer(text,
	    strlen(text));
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(st,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(GMIME_PART(p), w);
	g_object_unref(w);
	g_object_unref(st);
	g_mime_text_part_set_charset(p, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(p),
	    g_mime_part_get_best_content_encoding(GMIME_PART(p),
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(p);
}

static GMimeObject *
attachment_part(const struct compose_attachment *a)
{
	GMimeContentType *ct = g_mime_content_type_parse(NULL,
	    a->content_type != NULL ? a->content_type :
	    "application/octet-stream");
	GMimePart	*p = g_mime_part_new_with_type(
	    g_mime_content_type_get_media_type(ct),
	    g_mime_content_type_get_media_subtype(ct));
	gsize		 len;
	const void	*d = g_bytes_get_data(a->data, &len);
	GMimeStream	*st = g_mime_stream_mem_new_with_buffer(d, len);
	GMimeDataWrapper *w = g_mime_data_wrapper_new_with_stream(st,
	    GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(p, w);
	g_object_unref(w);
	g_object_unref(st);
	g_object_unref(ct);
	if (a->filename != NULL)
		g_mime_part_set_filename(p, a->filename);
	else
		g_mime_object_set_disposition(GMIME_OBJECT(p), "attachment");
	g_mime_part_set_content_encoding(p,
	    g_mime_part_get_best_content_encoding(p,
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(p);
}

static GMimeObject *
body_object(const struct compose *c)
{
	GString		*text = g_string_new(NULL);
	GMimeObject	*part;
	GMimeMultipart	*mp;
	guint		 i;

	if (c->marker)
		g_string_append(text, QUOTE_REPLY_MARKER "\n\n");
	g_string_append(text, c->body != NULL ? c->body : "");
	if (text->len == 0 || text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	part = text_part(text->str);
	g_string_free(text, TRUE);
	if (c->attachments == NULL || c->attachments->len == 0)
		return part;
	mp = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mp, part);
	g_object_unref(part);
	for (i = 0; i < c->attachments->len; i++) {
		GMimeObject *a = attachment_part(c->attachments->pdata[i]);

		g_mime_multipart_add(mp, a);
		g_object_unref(a);
	}
	return GMIME_OBJECT(mp);
}

/* "<a> <b>" from a space-separated list of bare ids. */
static char *
bracketed(const char *ids)
{
	char	**v = g_strsplit(ids, " ", -1);
	GString	*g = g_string_new(NULL);
	int	  i;

	for (i = 0; v[i] != NULL; i++)
		if (*v[i] != '\0')
			g_string_append_printf(g, "%s<%s>", g->len ? " " : "",
			    v[i]);
	g_strfreev(v);
	return g_string_free(g, FALSE);
}

static void
set_threading(GMimeObject *o, const struct compose *c)
{
	char	*v;

	if (c->in_reply_to != NULL && *c->in_reply_to != '\0') {
		v = g_strdup_printf("<%s>", c->in_reply_to);
		g_mime_object_set_header(o, "In-Reply-To", v, NULL);
		g_free(v);
	}
	if (c->references != NULL && *c->references != '\0') {
		v = bracketed(c->references);
		g_mime_object_set_header(o, "References", v, NULL);
		g_free(v);
	}
}

static void
set_headers(GMimeMessage *msg, const struct compose *c)
{
	static const char *const auto_values[COMPOSE_AUTO__MAX] = {
		NULL, "auto-replied", "auto-generated"
	};
	GMimeObject	*o = GMIME_OBJECT(msg);
	InternetAddress	*from;
	GDateTime	*d;
	char		*subject;

	from = internet_address_mailbox_new(c->from_name, c->from_addr);
	internet_address_list_add(g_mime_message_get_addresses(msg,
	    GMIME_ADDRESS_TYPE_FROM), from);
	g_object_unref(from);
	add_addresses(msg, GMIME_ADDRESS_TYPE_TO, c->to);
	add_addresses(msg, GMIME_ADDRESS_TYPE_CC, c->cc);
	if (c->reply_to != NULL) {
		const char *rt[] = { c->reply_to, NULL };

		add_addresses(msg, GMIME_ADDRESS_TYPE_REPLY_TO, rt);
	}
	subject = compose_subject(c->tag, c->other_tags, c->ticket,
	    c->subject);
	g_mime_message_set_subject(msg, subject, "utf-8");
	g_free(subject);
	d = g_date_time_new_from_unix_local(c->date);
	g_mime_message_set_date(msg, d);
	g_date_time_unref(d);
	g_mime_message_set_message_id(msg, c->message_id);
	set_threading(o, c);
	if (c->auto_kind != COMPOSE_HUMAN && c->auto_kind < COMPOSE_AUTO__MAX) {
		g_mime_object_set_header(o, "Auto-Submitted",
		    auto_values[c->auto_kind], NULL);
		/* Exchange's own way to say "do not auto-answer this". */
		g_mime_object_set_header(o, "X-Auto-Response-Suppress",
		    "All", NULL);
	}
	if (c->loop_host != NULL)
		g_mime_object_set_header(o, "X-Postdesk-Loop", c->loop_host,
		    NULL);
}

bool
compose_message(const struct compose *c, GBytes **out, GError **err)
{
	GMimeMessage	*msg;
	GMimeObject	*body;
	GMimeFormatOptions *fo;
	char		*text;

	if (c->from_addr == NULL || c->to == NULL || c->to[0] == NULL ||
	    c->message_id == NULL || c->tag == NULL) {
		g_set_error(err, COMPOSE_ERROR, COMPOSE_ERROR_INVALID,
		    "compose: From, To, Message-ID and tag are required");
		return false;
	}
	init_once();
	msg = g_mime_message_new(TRUE);
	set_headers(msg, c);
	body = body_object(c);
	g_mime_message_set_mime_part(msg, body);
	g_object_unref(body);
	fo = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	text = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	*out = g_bytes_new_take(text, strlen(text));
	return true;
}
