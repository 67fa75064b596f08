/*
 * mail: GMime parsing of the envelope-independent parts of a message:
 * headers, addresses, identifiers, dates and the body hash.  Choosing the
 * text and collecting attachments is mail_text.c's job.
 */
#include "pdconfig.h"

#include <string.h>

#include "mail-priv.h"

G_DEFINE_QUARK(postdesk-mail-error-quark, mail_error)

/* GMime keeps global state; initialise it once per process. */
static void
gmime_init_once(void)
{
	static gsize	 done = 0;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

static GMimeParserOptions *
parser_options(void)
{
	/* Undeclared 8-bit headers: try UTF-8 first, then Windows-1252. */
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	GMimeParserOptions *o = g_mime_parser_options_new();

	g_mime_parser_options_set_fallback_charsets(o, fallback);
	g_mime_parser_options_set_rfc2047_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(o,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	return o;
}

char *
mail_clean_id(const char *s)
{
	GString	*g;

	if (s == NULL)
		return NULL;
	g = g_string_new(NULL);
	for (; *s != '\0'; s++)
		if (*s != '<' && *s != '>' && !g_ascii_isspace(*s) &&
		    (unsigned char)*s >= 0x20)
			g_string_append_c(g, *s);
	if (g->len == 0 || g->len > 998) {
		g_string_free(g, TRUE);
		return NULL;
	}
	return g_string_free(g, FALSE);
}

static void
address_free(gpointer p)
{
	struct mail_address *a = p;

	g_free(a->name);
	g_free(a->addr);
	g_free(a);
}

static void
header_free(gpointer p)
{
	struct mail_header *h = p;

	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

static void
attachment_free_(gpointer p)
{
	struct mail_attachment *a = p;

	g_free(a->filename);
	g_free(a->content_type);
	g_free(a->disposition);
	g_free(a->content_id);
	if (a->data != NULL)
		g_bytes_unref(a->data);
	if (a->part != NULL)
		g_object_unref(a->part);
	g_free(a);
}

void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	g_free(m->message_id);
	g_free(m->in_reply_to);
	g_strfreev(m->references);
	g_free(m->from.name);
	g_free(m->from.addr);
	g_ptr_array_unref(m->to);
	g_ptr_array_unref(m->cc);
	g_ptr_array_unref(m->reply_to);
	g_free(m->subject);
	g_ptr_array_unref(m->headers);
	g_free(m->text);
	g_free(m->stripped);
	/* Lazy parts read the raw buffer: they go first, then its wrapper
	 * is emptied (the buffer is the caller's) and freed. */
	g_ptr_array_unref(m->attachments);
	if (m->raw_wrap != NULL) {
		(void)g_byte_array_steal(m->raw_wrap, NULL);
		g_byte_array_unref(m->raw_wrap);
	}
	g_free(m->body_hash);
	g_ptr_array_unref(m->warnings);
	g_free(m);
}

/* user@Example.COM → user@example.com; NULL if not an address. */
static char *
normalize_addr(const char *a)
{
	const char	*at;
	char		*dom, *out;

	if (a == NULL || (at = strrchr(a, '@')) == NULL || at == a ||
	    at[1] == '\0' || strlen(a) > 320)
		return NULL;
	dom = g_ascii_strdown(at + 1, -1);
	out = g_strdup_printf("%.*s@%s", (int)(at - a), a, dom);
	g_free(dom);
	return out;
}

/*
 * "From: Ann <ann>" (a local part, no domain, as some internal systems
 * send): no address to reply to or to check, but the sender is not
 * nobody.  Her name (or the local part) is kept as the sender's name;
 * the address stays empty, so the envelope sender stands in for it, and
 * a warning says why.
 */
static void
from_without_domain(struct mail *m, InternetAddressList *list)
{
	int	 i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n; i++) {
		InternetAddress	*ia = internet_address_list_get_address(list, i);
		const char	*addr, *name;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		name = internet_address_get_name(ia);
		if (addr == NULL || *addr == '\0' || strchr(addr, '@') != NULL ||
		    strlen(addr) > 320)
			continue;
		m->from.name = g_strdup(name != NULL && *name != '\0' ? name :
		    addr);
		g_ptr_array_add(m->warnings, g_strdup_printf("From: <%s> has "
		    "no domain; the envelope sender stands for the sender",
		    addr));
		return;
	}
}

/*
 * "From: =?gb2312?B?...?= user@example.com": a display name, then an
 * address without the angle brackets (not RFC 5322, but sent by real
 * clients).  GMime's address parser gives up on it; the last word is
 * taken as the address if it is one, and the words before it, decoded,
 * as the name.  False if the value is not of that form.
 */
static bool
from_bare_address(struct mail *m, const char *raw)
{
	char		*v, *sp, *addr, *name;

	if (raw == NULL || strlen(raw) > 2000)
		return false;
	v = g_strstrip(g_strdelimit(g_strdup(raw), "\r\n\t", ' '));
	if ((sp = strrchr(v, ' ')) == NULL || strpbrk(sp + 1, "<>\",;:()[]\\")
	    != NULL || strchr(sp + 1, '@') != strrchr(sp + 1, '@') ||
	    (addr = normalize_addr(sp + 1)) == NULL) {
		g_free(v);
		return false;
	}
	*sp = '\0';
	name = g_mime_utils_header_decode_phrase(NULL, g_strstrip(v));
	m->from.addr = addr;
	m->from.name = name != NULL && *name != '\0' ?
	    mail_text_to_utf8(name, strlen(name), "UTF-8") : NULL;
	g_free(name);
	g_free(v);
	return true;
}

static void collect_addresses(InternetAddressList *, GPtrArray *, int);

/*
 * "To: =?utf-8?B?IlJ5ZGVsIiA8cnlkZWxAZXhhbXBsZS5jb20+?=": a whole
 * mailbox inside an encoded word.  RFC 2047 forbids it and GMime reads
 * it as a local part without a domain, but the sender meant an
 * address: the decoded word is parsed once more, as an address list.
 */
static void
mailbox_in_word(const char *addr, GPtrArray *out, int depth)
{
	InternetAddressList *l;
	char		*dec;

	if (addr == NULL || depth > 0 || strstr(addr, "=?") == NULL ||
	    strlen(addr) > 998)
		return;
	dec = g_mime_utils_header_decode_text(NULL, addr);
	if (strchr(dec, '@') != NULL &&
	    (l = internet_address_list_parse(NULL, dec)) != NULL) {
		collect_addresses(l, out, depth + 1);
		g_object_unref(l);
	}
	g_free(dec);
}

/* Flattens an address list (groups included) into struct mail_address. */
static void
collect_addresses(InternetAddressList *list, GPtrArray *out, int depth)
{
	int	 i, n;

	if (list == NULL)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n && out->len < 1000; i++) {
		InternetAddress	*ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			collect_addresses(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(ia)), out, depth);
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));
			const char *name = internet_address_get_name(ia);
			struct mail_address *a;
			char	*norm = normalize_addr(addr);

			if (norm == NULL) {
				mailbox_in_word(addr, out, depth);
				continue;
			}
			a = g_new0(struct mail_address, 1);
			a->addr = norm;
			a->name = name != NULL && *name != '\0' ?
			    g_strdup(name) : NULL;
			g_ptr_array_add(out, a);
		}
	}
}

static void
add_header(struct mail *m, GMimeHeader *h)
{
	struct mail_header *mh = g_new0(struct mail_header, 1);
	const char	*v = g_mime_header_get_value(h);
	char		*dec;

	mh->name = g_strdup(g_mime_header_get_name(h));
	dec = g_mime_utils_header_decode_text(NULL, v != NULL ? v : "");
	mh->value = mail_text_to_utf8(dec, strlen(dec), "UTF-8");
	g_free(dec);
	g_strstrip(mh->value);
	g_ptr_array_add(m->headers, mh);
}

static void
collect_headers(struct mail *m, GMimeObject *msg)
{
	GMimeHeaderList	*hl = g_mime_object_get_header_list(msg);
	int		 i, n = g_mime_header_list_get_count(hl);

	for (i = 0; i < n && i < 2000; i++)
		add_header(m, g_mime_header_list_get_header_at(hl, i));
}

/* The first header NAME of OBJ, if any, added to M's. */
static void
collect_header(struct mail *m, GMimeObject *obj, const char *name)
{
	GMimeHeader	*h = g_mime_header_list_get_header(
	    g_mime_object_get_header_list(obj), name);

	if (h != NULL)
		add_header(m, h);
}

const char *
mail_header(const struct mail *m, const char *name)
{
	guint	 i;

	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];

		if (g_ascii_strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}

static void
collect_ids(struct mail *m, GMimeMessage *msg)
{
	const char	*v;
	GMimeReferences	*refs;
	GPtrArray	*a = g_ptr_array_new();
	int		 i;

	m->message_id = mail_clean_id(g_mime_message_get_message_id(msg));
	v = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
	if (v != NULL && (refs = g_mime_references_parse(NULL, v)) != NULL) {
		if (g_mime_references_length(refs) > 0)
			m->in_reply_to = mail_clean_id(
			    g_mime_references_get_message_id(refs, 0));
		g_mime_references_free(refs);
	}
	v = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
	if (v != NULL && (refs = g_mime_references_parse(NULL, v)) != NULL) {
		int	 n = g_mime_references_length(refs);

		/* Keep the newest 100: enough to thread, bounded. */
		for (i = n > 100 ? n - 100 : 0; i < n; i++) {
			char *id = mail_clean_id(
			    g_mime_references_get_message_id(refs, i));
			if (id != NULL)
				g_ptr_array_add(a, id);
		}
		g_mime_references_free(refs);
	}
	g_ptr_array_add(a, NULL);
	m->references = (char **)g_ptr_array_free(a, FALSE);
}

/* The raw body starts after the first empty line. */
static size_t
body_offset(const char *raw, size_t len)
{
	size_t	 i;

	for (i = 0; i + 1 < len; i++) {
		if (raw[i] != '\n')
			continue;
		if (raw[i + 1] == '\n')
			return i + 2;
		if (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/*
 * Lines of only white space before the header block (seen in real
 * mail; VIOLATIONS.md) would make GMime see no headers at all.
 */
static size_t
leading_blank(const char *raw, size_t len)
{
	size_t	 i, line = 0;

	for (i = 0; i < len && i < 65536; i++) {
		if (raw[i] == '\n')
			line = i + 1;
		else if (raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r')
			break;
	}
	return line;
}

/* A message has at least one of the headers every mail carries. */
static bool
looks_like_mail(GMimeMessage *msg)
{
	static const char *const any[] = { "From", "Sender", "To", "Subject",
	    "Date", "Message-ID", "Content-Type", "MIME-Version",
	    "Received", "Return-Path" };
	size_t	 i;

	GMimeObject	*part = g_mime_message_get_mime_part(msg);

	for (i = 0; i < G_N_ELEMENTS(any); i++)
		if (g_mime_object_get_header(GMIME_OBJECT(msg), any[i]) !=
		    NULL)
			return true;
	/* GMime files the Content-* headers with the body part: a header
	 * block of just "Content-Type: text/plain" is mail too. */
	return part != NULL && (g_mime_object_get_header(part,
	    "Content-Type") != NULL || g_mime_object_get_header(part,
	    "Content-Transfer-Encoding") != NULL);
}

static void
parser_warning(gint64 offset, GMimeParserWarning errcode, const gchar *item,
    gpointer data)
{
	struct mail	*m = data;

	if (m->warnings->len < 50)
		g_ptr_array_add(m->warnings, g_strdup_printf(
		    "offset %" G_GINT64_FORMAT ": GMime warning %d%s%s",
		    offset, (int)errcode, item ? ": " : "", item ? item : ""));
}

static struct mail *
mail_new(void)
{
	struct mail	*m = g_new0(struct mail, 1);

	m->to = g_ptr_array_new_with_free_func(address_free);
	m->cc = g_ptr_array_new_with_free_func(address_free);
	m->reply_to = g_ptr_array_new_with_free_func(address_free);
	m->headers = g_ptr_array_new_with_free_func(header_free);
	m->attachments = g_ptr_array_new_with_free_func(attachment_free_);
	m->warnings = g_ptr_array_new_with_free_func(g_free);
	return m;
}

/*
 * "January 6, 2009 4:44:14 PM CST" (not RFC 5322, but sent): GMime
 * reads the time and the zone, not the PM.  A separate AM or PM word
 * moves a 12-hour clock time by 12 hours.
 */
static int64_t
meridiem_shift(const char *raw, GDateTime *d)
{
	char	**w;
	int	 i, h = g_date_time_get_hour(d);
	int64_t	 shift = 0;

	if (raw == NULL || strlen(raw) > 200)
		return 0;
	w = g_strsplit_set(raw, " \t\r\n", -1);
	for (i = 0; w[i] != NULL; i++) {
		if (g_ascii_strcasecmp(w[i], "PM") == 0 && h < 12)
			shift = 12 * 3600;
		else if (g_ascii_strcasecmp(w[i], "AM") == 0 && h == 12)
			shift = -12 * 3600;
	}
	g_strfreev(w);
	return shift;
}

static void
fill_envelope_fields(struct mail *m, GMimeMessage *msg)
{
	GPtrArray	*from = g_ptr_array_new_with_free_func(address_free);
	const char	*subj;
	GDateTime	*d;

	collect_addresses(g_mime_message_get_from(msg), from, 0);
	/* The author's own address, however written, before Sender:. */
	if (from->len == 0 && !from_bare_address(m, g_mime_object_get_header(
	    GMIME_OBJECT(msg), "From")))
		collect_addresses(g_mime_message_get_sender(msg), from, 0);
	if (from->len > 0) {
		struct mail_address *a = from->pdata[0];

		m->from.addr = g_strdup(a->addr);
		m->from.name = g_strdup(a->name);
	} else if (m->from.addr == NULL)
		from_without_domain(m, g_mime_message_get_from(msg));
	g_ptr_array_unref(from);
	collect_addresses(g_mime_message_get_to(msg), m->to, 0);
	collect_addresses(g_mime_message_get_cc(msg), m->cc, 0);
	collect_addresses(g_mime_message_get_reply_to(msg), m->reply_to, 0);
	subj = g_mime_message_get_subject(msg);
	m->subject = subj != NULL ?
	    mail_text_to_utf8(subj, strlen(subj), "UTF-8") : g_strdup("");
	g_strstrip(m->subject);
	d = g_mime_message_get_date(msg);
	m->date = d != NULL ? g_date_time_to_unix(d) + meridiem_shift(
	    g_mime_object_get_header(GMIME_OBJECT(msg), "Date"), d) : 0;
}

static bool
parse(struct mail **out, const void *raw, size_t len, bool lazy,
    GError **err)
{
	GMimeStream		*stream;
	GMimeParser		*parser;
	GMimeParserOptions	*opts;
	GMimeMessage		*msg;
	GByteArray		*ba;
	struct mail		*m;
	size_t			 skip;
	bool			 ok;

	gmime_init_once();
	m = mail_new();
	/*
	 * No copy: GMime reads the caller's buffer through a byte array we
	 * own and empty again before freeing it.  GMime only reads it.
	 */
	skip = leading_blank(raw, len);
	ba = g_byte_array_new_take((guint8 *)raw + skip, len - skip);
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_respect_content_length(parser, FALSE);
	opts = parser_options();
	g_mime_parser_options_set_warning_callback(opts, parser_warning, m);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg == NULL || !looks_like_mail(msg)) {
		g_set_error(err, MAIL_ERROR, MAIL_ERROR_NOT_A_MESSAGE,
		    "not a mail message (no header block)");
		ok = false;
		goto out;
	}
	collect_headers(m, GMIME_OBJECT(msg));
	/* GMime files the message's Content-* lines under its top part;
	 * Content-Language is about the message (lang.h), so it is kept
	 * with the message's headers. */
	if (mail_header(m, "Content-Language") == NULL &&
	    g_mime_message_get_mime_part(msg) != NULL)
		collect_header(m, g_mime_message_get_mime_part(msg),
		    "Content-Language");
	collect_ids(m, msg);
	fill_envelope_fields(m, msg);
	m->body_offset = skip + body_offset((const char *)raw + skip,
	    len - skip);
	m->body_hash = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)raw + m->body_offset, len - m->body_offset);
	if (m->message_id == NULL) {
		/* Stable across re-delivery, so duplicates are still found. */
		char *h = g_compute_checksum_for_data(G_CHECKSUM_SHA256, raw,
		    len);
		m->message_id = g_strdup_printf("%.32s@missing-id.postdesk", h);
		m->message_id_synthetic = true;
		g_free(h);
	}
	ok = mail_text_collect(m, g_mime_message_get_mime_part(msg), lazy,
	    err);
out:
	if (msg != NULL)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	/* The stream does not own BA; lazy parts still read it. */
	m->raw_wrap = ba;
	if (!lazy || m->attachments->len == 0 || !ok) {
		(void)g_byte_array_steal(ba, NULL);
		g_byte_array_unref(ba);
		m->raw_wrap = NULL;
	}
	if (!ok) {
		mail_free(m);
		return false;
	}
	*out = m;
	return true;
}

bool
mail_parse(struct mail **out, const void *raw, size_t len, GError **err)
{
	return parse(out, raw, len, false, err);
}

bool
mail_parse_large(struct mail **out, const void *raw, size_t len,
    GError **err)
{
	return parse(out, raw, len, true, err);
}

/* The value of the header line at P (after "Date:"), unfolded. */
static char *
unfold_value(const char *p, const char *end)
{
	GString	*g = g_string_new(NULL);

	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;

		g_string_append_len(g, p, e - p);
		if (nl == NULL || nl + 1 >= end || (nl[1] != ' ' &&
		    nl[1] != '\t'))
			break;
		p = nl + 1;
	}
	return g_strdelimit(g_string_free(g, FALSE), "\r", ' ');
}

int64_t
mail_raw_date(const void *raw, size_t len)
{
	const char	*p = raw, *end = p + len;
	int64_t		 t = 0;

	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end &&
	    p[1] == '\n')) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(end - p) > 5 && g_ascii_strncasecmp(p, "Date:",
		    5) == 0) {
			char		*v = unfold_value(p + 5, end);
			GDateTime	*d = g_mime_utils_header_decode_date(v);

			if (d != NULL) {
				t = g_date_time_to_unix(d);
				g_date_time_unref(d);
			}
			g_free(v);
			return t;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return 0;
}
