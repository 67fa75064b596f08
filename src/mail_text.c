/*
 * mail_text: choose the text of a message, decode it to UTF-8, convert
 * HTML-only mail to text, strip quoted history, and keep everything else
 * (attachments, inline images, message/rfc822, winmail.dat) as
 * attachments.
 */
#include "pdconfig.h"

#include <string.h>

#include "htmltext.h"
#include "mail-priv.h"
#include "quote.h"

/*
 * Labels real clients send that iconv does not know or decodes too
 * narrowly.  WHATWG's Encoding Standard makes the same choices.
 */
static const struct { const char *label, *name; } aliases[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "cp936", "GB18030" },
	{ "iso-2022-jp", "ISO-2022-JP-2" },
	{ "iso-2022-jp-1", "ISO-2022-JP-2" },
	{ "iso-2022-jp-2", "ISO-2022-JP-2" },
	{ "iso-2022-jp-3", "ISO-2022-JP-3" },
	{ "csiso2022jp", "ISO-2022-JP-2" },
	{ "shift_jis", "CP932" },
	{ "x-sjis", "CP932" },
	{ "sjis", "CP932" },
	{ "iso-8859-1", "WINDOWS-1252" },
	{ "latin1", "WINDOWS-1252" },
	{ "us-ascii", "WINDOWS-1252" },
	{ "ascii", "WINDOWS-1252" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-8-e", "ISO-8859-8" },
	{ "iso-8859-6-e", "ISO-8859-6" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "windows-874", "CP874" },
	{ "tis-620", "CP874" },
	{ "utf8", "UTF-8" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ "x-unknown", NULL },
	{ "unknown-8bit", NULL },
	{ "x-user-defined", NULL },
	{ "default", NULL },
};

const char *
mail_charset_alias(const char *label)
{
	size_t	 i;

	if (label == NULL)
		return NULL;
	for (i = 0; i < G_N_ELEMENTS(aliases); i++)
		if (g_ascii_strcasecmp(label, aliases[i].label) == 0)
			return aliases[i].name;
	return label;
}

/* Bytes as UTF-8 with invalid sequences replaced; never fails. */
static char *
utf8_repair(const char *s, size_t len)
{
	return g_utf8_make_valid(s, (gssize)len);
}

/*
 * A NUL would end the C string and silently drop the text after it:
 * show it as U+FFFD, as g_utf8_make_valid() does.  Takes S.
 */
static char *
nul_free(char *s, size_t len)
{
	GString	*g;
	size_t	 i;

	if (memchr(s, '\0', len) == NULL)
		return s;
	g = g_string_sized_new(len + 16);
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			g_string_append(g, "\xef\xbf\xbd");
		else
			g_string_append_c(g, s[i]);
	}
	g_free(s);
	return g_string_free(g, FALSE);
}

static char *
convert(const char *bytes, size_t len, const char *charset)
{
	GError	*e = NULL;
	gsize	 r, w;
	char	*out;

	out = g_convert(bytes, (gssize)len, "UTF-8", charset, &r, &w, &e);
	if (out == NULL || r != len) {
		g_clear_error(&e);
		g_free(out);
		return NULL;
	}
	return nul_free(out, w);
}

/*
 * Windows labels its CP50221 output "iso-2022-jp": JIS X 0208 plus NEC
 * row 13 (circled digits, U+3231 and such), the NEC-selected IBM rows
 * 89-92, and half-width katakana after ESC ( I.  iconv's ISO-2022-JP
 * decoders refuse those, but each has a Shift_JIS code, so re-encode the
 * text as CP932 (the JIS-to-SJIS arithmetic) and let iconv decode that.
 * NULL if the text uses anything else (e.g. the JIS X 0212 escapes).
 */
static char *
iso2022jp_windows(const char *s, size_t len)
{
	enum { ROMAN, KANJI, KANA } mode = ROMAN;
	GString		*g = g_string_sized_new(len);
	size_t		 i = 0;
	char		*out;

	while (i < len) {
		unsigned char	 c1 = (unsigned char)s[i], c2;

		if (c1 == 0x1b && i + 2 < len) {
			const char *e = s + i + 1;

			if (e[0] == '$' && (e[1] == 'B' || e[1] == '@'))
				mode = KANJI;
			else if (e[0] == '(' && (e[1] == 'B' || e[1] == 'J'))
				mode = ROMAN;
			else if (e[0] == '(' && e[1] == 'I')
				mode = KANA;
			else
				goto fail;
			i += 3;
			continue;
		}
		if (c1 >= 0x80 || c1 == 0x1b)
			goto fail;
		if (mode == ROMAN || c1 < 0x21 || c1 == 0x7f) {
			g_string_append_c(g, (char)c1);
			i++;
		} else if (mode == KANA) {
			g_string_append_c(g, (char)(c1 | 0x80));
			i++;
		} else {
			if (i + 1 >= len || (c2 = (unsigned char)s[i + 1]) <
			    0x21 || c2 > 0x7e)
				goto fail;
			g_string_append_c(g, (char)(((c1 + 1) >> 1) +
			    (c1 <= 0x5e ? 0x70 : 0xb0)));
			g_string_append_c(g, (char)(c2 + ((c1 & 1) ?
			    (c2 >= 0x60 ? 0x20 : 0x1f) : 0x7e)));
			i += 2;
		}
	}
	out = convert(g->str, g->len, "CP932");
	g_string_free(g, TRUE);
	return out;
fail:
	g_string_free(g, TRUE);
	return NULL;
}

char *
mail_text_to_utf8(const char *bytes, size_t len, const char *charset)
{
	const char	*name = mail_charset_alias(charset);
	char		*out;

	/* Declared UTF-8 (or nothing) and valid: the common case, no copy
	 * through iconv. */
	if ((name == NULL || g_ascii_strcasecmp(name, "UTF-8") == 0 ||
	    g_ascii_strcasecmp(name, "WINDOWS-1252") == 0) &&
	    g_utf8_validate(bytes, (gssize)len, NULL))
		return g_strndup(bytes, len);
	if (name != NULL && (out = convert(bytes, len, name)) != NULL)
		return out;
	if (name != NULL &&
	    g_ascii_strncasecmp(name, "ISO-2022-JP", 11) == 0 &&
	    (out = iso2022jp_windows(bytes, len)) != NULL)
		return out;
	/* Wrong or unknown label: UTF-8 if it is valid, else cp1252. */
	if (g_utf8_validate(bytes, (gssize)len, NULL))
		return g_strndup(bytes, len);
	if ((out = convert(bytes, len, "WINDOWS-1252")) != NULL)
		return out;
	return utf8_repair(bytes, len);
}

/*
 * Transfer-decoded content of a leaf part.  The CRLF before a boundary
 * belongs to the boundary (RFC 2046 5.1.1), but GMime's parser takes
 * only its LF: a CR left at the end of the encoded content is dropped
 * before decoding (a 7bit or QP part of a CRLF message was a byte too
 * long, and its text ended in a stray CR).
 */
static GBytes *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part), *dec;
	GMimeStream	*src, *enc, *mem;
	GByteArray	*ba;

	if (dw == NULL || (src = g_mime_data_wrapper_get_stream(dw)) == NULL)
		return g_bytes_new(NULL, 0);
	enc = g_mime_stream_mem_new();
	(void)g_mime_stream_reset(src);
	(void)g_mime_stream_write_to_stream(src, enc);
	(void)g_mime_stream_reset(src);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(enc));
	if (ba->len > 0 && ba->data[ba->len - 1] == '\r')
		g_byte_array_set_size(ba, ba->len - 1);
	(void)g_mime_stream_reset(enc);
	dec = g_mime_data_wrapper_new_with_stream(enc,
	    g_mime_data_wrapper_get_encoding(dw));
	g_object_unref(enc);
	mem = g_mime_stream_mem_new();
	(void)g_mime_data_wrapper_write_to_stream(dec, mem);
	g_object_unref(dec);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	return g_byte_array_free_to_bytes(ba);
}

static bool is_type(GMimeObject *, const char *, const char *);

/*
 * An attachment's bytes.  7bit, 8bit and quoted-printable content is
 * lines, whose ends MIME writes as CRLF whatever the file had (RFC 2045
 * 2.7-2.8).  Text (any text type, and BinHex, a text form of a file:
 * RFC 1741) is stored with the local LF, as the file was (a BinHex or
 * text attachment of a CRLF message came one byte per line too long);
 * any other type keeps MIME's canonical CRLF (RFC 2046 4.5: the line
 * breaks of a non-text type sent as lines are CRLF), as other parsers
 * give it.  Base64 and binary content is kept byte for byte.
 */
static GBytes *
attachment_bytes(GMimePart *part)
{
	GBytes		*b = part_bytes(part);
	GMimeContentEncoding enc = g_mime_part_get_content_encoding(part);
	GMimeObject	*o = GMIME_OBJECT(part);
	gsize		 len, i, o_ = 0;
	const guchar	*d;
	guchar		*out;

	if (enc != GMIME_CONTENT_ENCODING_DEFAULT &&
	    enc != GMIME_CONTENT_ENCODING_7BIT &&
	    enc != GMIME_CONTENT_ENCODING_8BIT &&
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE)
		return b;
	if (!is_type(o, "text", "*") &&
	    !is_type(o, "application", "mac-binhex40"))
		return b;
	d = g_bytes_get_data(b, &len);
	if (d == NULL || memchr(d, '\r', len) == NULL)
		return b;
	out = g_malloc(len);
	for (i = 0; i < len; i++)
		if (d[i] != '\r' || i + 1 >= len || d[i + 1] != '\n')
			out[o_++] = d[i];
	g_bytes_unref(b);
	return g_bytes_new_take(out, o_);
}

/* CRLF to LF in place; done on UTF-8, after charset decoding. */
static void
lf_only(char *s)
{
	char	*w = s;

	for (; *s != '\0'; s++)
		if (s[0] != '\r' || s[1] != '\n')
			*w++ = *s;
	*w = '\0';
}

/* RFC 3676 format=flowed: a line that ends in a space goes on in the
 * next line of the same quote depth ("-- " stays a line of its own);
 * space-stuffing is undone; with delsp=yes the soft space goes too.
 * Quoted lines keep their '>' marks, one space after them.  Frees s;
 * returns a string freed with g_free(). */
static char *
unflow(char *s, bool delsp)
{
	GString	*o = g_string_sized_new(strlen(s) + 16);
	const char *r = s, *nl, *c;
	gsize	 depth, len, prev_depth = 0;
	bool	 joining = false, soft;

	while (*r != '\0') {
		nl = strchr(r, '\n');
		len = nl != NULL ? (gsize)(nl - r) : strlen(r);
		for (depth = 0; depth < len && r[depth] == '>'; depth++)
			;
		c = r + depth;
		len -= depth;
		if (len > 0 && *c == ' ') {	/* stuffed */
			c++;
			len--;
		}
		if (joining && depth != prev_depth) {
			g_string_append_c(o, '\n');	/* the depth changed */
			joining = false;
		}
		if (!joining && depth > 0) {
			for (gsize k = 0; k < depth; k++)
				g_string_append_c(o, '>');
			g_string_append_c(o, ' ');
		}
		soft = len > 0 && c[len - 1] == ' ' &&
		    !(len == 3 && memcmp(c, "-- ", 3) == 0);
		g_string_append_len(o, c, soft && delsp ? len - 1 : len);
		joining = soft;
		prev_depth = depth;
		if (!soft && nl != NULL)
			g_string_append_c(o, '\n');
		r = nl != NULL ? nl + 1 : r + strlen(r);
	}
	g_free(s);
	return g_string_free(o, FALSE);
}

static char *
part_text(GMimePart *part)
{
	GBytes		*b = part_bytes(part);
	gsize		 len;
	const char	*data = g_bytes_get_data(b, &len);
	const char	*format, *delsp;
	char		*s;

	s = mail_text_to_utf8(data != NULL ? data : "", len,
	    g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset"));
	g_bytes_unref(b);
	/* The text is LF-only whatever the message's line ends were. */
	lf_only(s);
	format = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "format");
	if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0 &&
	    is_type(GMIME_OBJECT(part), "text", "plain")) {
		delsp = g_mime_object_get_content_type_parameter(
		    GMIME_OBJECT(part), "delsp");
		s = unflow(s, delsp != NULL &&
		    g_ascii_strcasecmp(delsp, "yes") == 0);
	}
	return s;
}

static bool
is_attachment(GMimeObject *o)
{
	const char	*d = g_mime_object_get_disposition(o);

	return d != NULL && g_ascii_strcasecmp(d, "attachment") == 0;
}

static bool
is_type(GMimeObject *o, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	return ct != NULL && g_mime_content_type_is_type(ct, type, sub);
}

/* A text leaf that is the message's own text, not a file. */
static bool
inline_text(GMimeObject *o, const char *sub)
{
	return GMIME_IS_PART(o) && is_type(o, "text", sub) &&
	    !is_attachment(o) && g_mime_part_get_filename(GMIME_PART(o)) ==
	    NULL;
}

/* The leaves that carry the message's text, in order, and whether they
 * are HTML (all of them are, or none). */
struct body {
	GPtrArray	*parts;		/* of GMimePart *, borrowed */
	bool		 html;
};

static void
body_clear(struct body *b)
{
	if (b->parts != NULL)
		g_ptr_array_free(b->parts, TRUE);
	b->parts = NULL;
	b->html = false;
}

/*
 * Chooses the body, as a mail reader shows it:
 *  - multipart/alternative: one of its parts, the last that gives plain
 *    text (RFC 2046 5.1.4: the last is the preferred one), else the last
 *    that gives HTML; a part may itself be a multipart (a mixed or
 *    related part carrying the text with its images);
 *  - multipart/related: its root, the first part that gives text;
 *  - any other multipart (mixed: parts in sequence, RFC 2046 5.1.3):
 *    every part that gives text, plain or HTML, in order: a plain note
 *    beside an HTML one is two things the sender wrote, not two
 *    renderings of one (the text is "html" only if all of them are;
 *    an HTML part read beside plain ones is kept as an attachment too);
 *  - a leaf: itself, if it is inline text/plain or text/html.
 */
static void
choose_body(GMimeObject *o, int depth, struct body *out)
{
	GMimeMultipart	*mp;
	int		 i, n;

	out->parts = g_ptr_array_new();
	out->html = false;
	if (depth > MAIL_MAX_DEPTH)
		return;
	if (inline_text(o, "plain") || inline_text(o, "html")) {
		g_ptr_array_add(out->parts, o);
		out->html = is_type(o, "text", "html");
		return;
	}
	if (!GMIME_IS_MULTIPART(o))
		return;
	mp = GMIME_MULTIPART(o);
	n = g_mime_multipart_get_count(mp);
	if (is_type(o, "multipart", "alternative")) {
		struct body	 plain = { NULL, false }, html = { NULL, false };

		for (i = 0; i < n; i++) {
			struct body c;

			choose_body(g_mime_multipart_get_part(mp, i),
			    depth + 1, &c);
			if (c.parts->len > 0 && !c.html) {
				body_clear(&plain);
				plain = c;
			} else if (c.parts->len > 0) {
				body_clear(&html);
				html = c;
			} else
				body_clear(&c);
		}
		if (plain.parts != NULL) {
			body_clear(&html);
			g_ptr_array_free(out->parts, TRUE);
			*out = plain;
		} else if (html.parts != NULL) {
			g_ptr_array_free(out->parts, TRUE);
			*out = html;
		}
		return;
	}
	if (is_type(o, "multipart", "related")) {
		/*
		 * The root is the first part, but senders put an image
		 * first (MHTML from Outlook and Windows Mail), and new text
		 * must never be lost: the first part that gives text.
		 */
		for (i = 0; i < n; i++) {
			struct body	 c;

			choose_body(g_mime_multipart_get_part(mp, i),
			    depth + 1, &c);
			if (c.parts->len > 0) {
				g_ptr_array_free(out->parts, TRUE);
				*out = c;
				return;
			}
			body_clear(&c);
		}
		return;
	}
	out->html = true;
	for (i = 0; i < n; i++) {
		struct body	 c;
		guint		 k;

		choose_body(g_mime_multipart_get_part(mp, i), depth + 1, &c);
		for (k = 0; k < c.parts->len; k++)
			g_ptr_array_add(out->parts, c.parts->pdata[k]);
		if (c.parts->len > 0 && !c.html)
			out->html = false;
		body_clear(&c);
	}
	if (out->parts->len == 0)
		out->html = false;
}

static bool
in_body(const struct body *b, GMimeObject *o)
{
	guint	 i;

	for (i = 0; i < b->parts->len; i++)
		if (b->parts->pdata[i] == (gpointer)o)
			return true;
	return false;
}

/*
 * "Content-Type: unknown; name=x": GMime refuses a type without a
 * subtype and drops its parameters with it.  The name is still the
 * sender's file name: it is read from the parameters after the first
 * ';' of the raw header.  Freed with g_free(); NULL if none.
 */
static char *
name_of_bad_type(GMimeObject *o)
{
	const char	*raw = g_mime_object_get_header(o, "Content-Type");
	const char	*semi, *slash, *name;
	GMimeParamList	*pl;
	char		*out = NULL;

	if (raw == NULL || (semi = strchr(raw, ';')) == NULL)
		return NULL;
	slash = memchr(raw, '/', (size_t)(semi - raw));
	if (slash != NULL && slash > raw && slash + 1 < semi)
		return NULL;		/* a real type: GMime had it */
	if ((pl = g_mime_param_list_parse(NULL, semi + 1)) == NULL)
		return NULL;
	name = g_mime_param_list_get_parameter(pl, "name") != NULL ?
	    g_mime_param_get_value(g_mime_param_list_get_parameter(pl,
	    "name")) : NULL;
	if (name != NULL && *name != '\0')
		out = g_strdup(name);
	g_object_unref(pl);
	return out;
}

static struct mail_attachment *
add_attachment(struct mail *m, GMimeObject *o, GBytes *data,
    const char *filename)
{
	struct mail_attachment *a = g_new0(struct mail_attachment, 1);
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	const char	*disp = g_mime_object_get_disposition(o);
	const char	*cid = g_mime_object_get_content_id(o);
	char		*bad = filename == NULL ? name_of_bad_type(o) : NULL;

	if (bad != NULL)
		filename = bad;
	a->filename = filename != NULL ? mail_text_to_utf8(filename,
	    strlen(filename), "UTF-8") : NULL;
	g_free(bad);
	if (ct != NULL) {
		char *t = g_mime_content_type_get_mime_type(ct);
		a->content_type = g_ascii_strdown(t, -1);
		g_free(t);
	} else
		a->content_type = g_strdup("application/octet-stream");
	a->disposition = g_strdup(disp != NULL &&
	    g_ascii_strcasecmp(disp, "inline") == 0 ? "inline" : "attachment");
	a->content_id = cid != NULL ? g_strdup(cid) : NULL;
	a->data = data;
	a->size = data != NULL ? g_bytes_get_size(data) : 0;
	g_ptr_array_add(m->attachments, a);
	return a;
}

/* A part's transfer-decoded bytes to FN, 64 KB at a time, read from
 * its range of the raw message; the same bytes as part_bytes(). */
static bool
decode_pieces(GMimePart *part, mail_piece_fn fn, void *ctx, GError **err)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	GMimeStream	*src, *f;
	GMimeFilter	*dec;
	char		 buf[65536];
	ssize_t		 n = 0;
	bool		 ok = true;

	if (dw == NULL)
		return true;
	src = g_mime_data_wrapper_get_stream(dw);
	if (g_mime_stream_reset(src) < 0) {
		g_set_error(err, MAIL_ERROR, MAIL_ERROR_UNREADABLE,
		    "an attachment cannot be read");
		return false;
	}
	f = g_mime_stream_filter_new(src);
	if (g_mime_data_wrapper_get_encoding(dw) ==
	    GMIME_CONTENT_ENCODING_BASE64) {
		dec = g_mime_filter_basic_new(GMIME_CONTENT_ENCODING_BASE64,
		    FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), dec);
		g_object_unref(dec);
	}
	while (ok && (n = g_mime_stream_read(f, buf, sizeof buf)) > 0)
		ok = fn(buf, (size_t)n, ctx, err);
	g_object_unref(f);
	if (ok && n < 0) {
		g_set_error(err, MAIL_ERROR, MAIL_ERROR_UNREADABLE,
		    "an attachment cannot be read");
		ok = false;
	}
	return ok;
}

struct hash_pass {
	GChecksum	*sum;
	uint64_t	 size;
};

static bool
hash_piece(const void *data, size_t len, void *ctx, GError **err)
{
	struct hash_pass *h = ctx;

	(void)err;
	g_checksum_update(h->sum, data, (gssize)len);
	h->size += len;
	return true;
}

/* Left in the raw message: base64 (the decoder skips line ends, so
 * the CR before the boundary that part_bytes() drops cannot reach the
 * bytes; binary content would keep it) and large. */
static bool
lazy_part(GMimeObject *o)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(o));
	GMimeContentEncoding enc = g_mime_part_get_content_encoding(
	    GMIME_PART(o));
	gint64	 len;

	if (dw == NULL || enc != GMIME_CONTENT_ENCODING_BASE64 ||
	    is_type(o, "message", "*"))
		return false;
	len = g_mime_stream_length(g_mime_data_wrapper_get_stream(dw));
	return len >= MAIL_LAZY_MIN;
}

/* A lazy attachment: one decoding pass for its size and SHA-256. */
static void
add_lazy(struct mail *m, GMimeObject *o)
{
	struct hash_pass h = { g_checksum_new(G_CHECKSUM_SHA256), 0 };
	struct mail_attachment *a;

	if (!decode_pieces(GMIME_PART(o), hash_piece, &h, NULL)) {
		/* Unreadable now: decoded as mail_parse() would. */
		(void)add_attachment(m, o, attachment_bytes(GMIME_PART(o)),
		    g_mime_part_get_filename(GMIME_PART(o)));
		g_checksum_free(h.sum);
		return;
	}
	a = add_attachment(m, o, NULL,
	    g_mime_part_get_filename(GMIME_PART(o)));
	a->part = g_object_ref(o);
	a->size = h.size;
	g_strlcpy(a->sha256, g_checksum_get_string(h.sum), sizeof a->sha256);
	g_checksum_free(h.sum);
}

bool
mail_attachment_read(const struct mail_attachment *a, mail_piece_fn fn,
    void *ctx, GError **err)
{
	gsize		 len;
	const void	*d;

	if (a->part != NULL)
		return decode_pieces(a->part, fn, ctx, err);
	d = a->data != NULL ? g_bytes_get_data(a->data, &len) : NULL;
	return d == NULL || fn(d, len, ctx, err);
}

/* message/rfc822 parts are kept whole, as the .eml the sender attached. */
static void
add_message_part(struct mail *m, GMimeMessagePart *mp)
{
	GMimeMessage	*inner = g_mime_message_part_get_message(mp);
	GMimeStream	*mem = g_mime_stream_mem_new();
	GByteArray	*ba;
	const char	*fn = g_mime_object_get_content_disposition_parameter(
	    GMIME_OBJECT(mp), "filename");
	char		*name = NULL;

	if (inner != NULL)
		(void)g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL,
		    mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_object_unref(mem);
	if (fn == NULL && inner != NULL) {
		const char *subj = g_mime_message_get_subject(inner);
		name = g_strdup_printf("%s.eml", subj != NULL && *subj ?
		    subj : "message");
		g_strdelimit(name, "/\\\r\n\t", '_');
	}
	(void)add_attachment(m, GMIME_OBJECT(mp),
	    g_byte_array_free_to_bytes(ba), fn != NULL ? fn : name);
	g_free(name);
}

struct walk {
	struct mail	*m;
	struct body	 body;
	bool		 too_deep;
	bool		 lazy;
};

static void
walk(struct walk *w, GMimeObject *o, int depth, bool in_alternative)
{
	int	 i, n;

	if (depth > MAIL_MAX_DEPTH) {
		w->too_deep = true;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart	*mp = GMIME_MULTIPART(o);
		bool		 alt = is_type(o, "multipart", "alternative");

		n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n; i++)
			walk(w, g_mime_multipart_get_part(mp, i), depth + 1,
			    alt || in_alternative);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o)) {
		add_message_part(w->m, GMIME_MESSAGE_PART(o));
		return;
	}
	if (!GMIME_IS_PART(o))
		return;
	/*
	 * A part of the text is no attachment, except an HTML part read
	 * beside plain ones (multipart/mixed): its text is in the text,
	 * and the part itself stays available, for what the conversion
	 * to text loses (links, tables, emphasis).
	 */
	if (in_body(&w->body, o) && (w->body.html ||
	    !is_type(o, "text", "html")))
		return;
	/* Other renderings of the chosen text are not attachments. */
	if (in_alternative && is_type(o, "text", "*") && !is_attachment(o))
		return;
	if (w->lazy && lazy_part(o)) {
		add_lazy(w->m, o);
		return;
	}
	(void)add_attachment(w->m, o, attachment_bytes(GMIME_PART(o)),
	    g_mime_part_get_filename(GMIME_PART(o)));
}

bool
mail_text_collect(struct mail *m, GMimeObject *body, bool lazy,
    GError **err)
{
	struct walk	 w = { m, { NULL, false }, false, lazy };
	gboolean	 had_quote = FALSE;
	char		*html_stripped = NULL;

	if (body != NULL) {
		choose_body(body, 0, &w.body);
		m->text_from_html = w.body.html;
		walk(&w, body, 0, false);
	}
	if (w.too_deep) {
		body_clear(&w.body);
		g_set_error(err, MAIL_ERROR, MAIL_ERROR_TOO_DEEP,
		    "MIME structure nested deeper than %d levels",
		    MAIL_MAX_DEPTH);
		return false;
	}
	if (w.body.parts == NULL || w.body.parts->len == 0)
		m->text = g_strdup("");
	else if (m->text_from_html && w.body.parts->len == 1) {
		char *html = part_text(w.body.parts->pdata[0]);

		m->text = htmltext_to_text(html, strlen(html), FALSE, NULL);
		html_stripped = htmltext_to_text(html, strlen(html), TRUE,
		    &had_quote);
		g_free(html);
	} else {
		GString	*t = g_string_new(NULL);
		guint	 i;

		/* Several inline text parts (text around an attachment, a
		 * plain note beside an HTML one) read as one text, in
		 * order. */
		for (i = 0; i < w.body.parts->len; i++) {
			GMimeObject *o = w.body.parts->pdata[i];
			char	*p = part_text(GMIME_PART(o));

			if (is_type(o, "text", "html")) {
				char *h = htmltext_to_text(p, strlen(p), FALSE,
				    NULL);
				g_free(p);
				p = h;
			}
			if (i > 0)
				g_string_append_c(t, '\n');
			g_string_append(t, p);
			g_free(p);
		}
		m->text = g_string_free(t, FALSE);
	}
	body_clear(&w.body);
	/* The HTML markers are surer than text heuristics when present. */
	m->stripped = quote_strip_sender(had_quote ? html_stripped : m->text,
	    m->from.name);
	g_free(html_stripped);
	return true;
}
