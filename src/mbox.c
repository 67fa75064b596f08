/*
 * mbox: split an mbox file into messages and undo From_ quoting.
 */
#define _GNU_SOURCE	/* memmem */
#include "pdconfig.h"

#include <string.h>

#include "mbox.h"

struct mbox {
	GMappedFile	*map;
	const char	*data;
	size_t		 len;
	size_t		 pos;		/* next From_ line, or len */
	enum mbox_format format;
	GByteArray	*buf;		/* unquoted copy when one is needed */
	char		*sender;
};

bool
text_to_mbox_format(enum mbox_format *out, const char *s)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "mboxrd") == 0)
		*out = MBOX_RD;
	else if (strcmp(s, "mboxo") == 0)
		*out = MBOX_O;
	else
		return false;
	return true;
}

/* Is P the start of a From_ line that separates messages? */
static bool
is_separator(const struct mbox *mb, size_t p)
{
	const char	*d = mb->data;

	if (p + 5 > mb->len || memcmp(d + p, "From ", 5) != 0)
		return false;
	if (p == 0)
		return true;
	/* The previous line must be empty: "\n\n" or "\n\r\n". */
	if (d[p - 1] != '\n')
		return false;
	if (p >= 2 && d[p - 2] == '\n')
		return true;
	return p >= 3 && d[p - 2] == '\r' && d[p - 3] == '\n';
}

/* The next separator at or after FROM, or len. */
static size_t
next_separator(const struct mbox *mb, size_t from)
{
	const char	*hit;
	size_t		 p = from;

	if (p < mb->len && is_separator(mb, p))
		return p;
	while (p < mb->len) {
		hit = memmem(mb->data + p, mb->len - p, "\nFrom ", 6);
		if (hit == NULL)
			break;
		p = (size_t)(hit - mb->data) + 1;
		if (is_separator(mb, p))
			return p;
	}
	return mb->len;
}

bool
mbox_open(struct mbox **out, const char *path, enum mbox_format format,
    GError **err)
{
	struct mbox	*mb;
	GMappedFile	*map;
	size_t		 p = 0;

	g_return_val_if_fail(format < MBOX_FORMAT__MAX, false);
	if ((map = g_mapped_file_new(path, FALSE, err)) == NULL)
		return false;
	mb = g_new0(struct mbox, 1);
	mb->map = map;
	mb->data = g_mapped_file_get_contents(map);
	mb->len = g_mapped_file_get_length(map);
	mb->format = format;
	mb->buf = g_byte_array_new();
	/* Blank lines before the first From_ line are not a message. */
	while (p < mb->len && (mb->data[p] == '\n' || mb->data[p] == '\r'))
		p++;
	if (p < mb->len && !is_separator(mb, p)) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		    "%s: not an mbox file (no \"From \" line at the start)",
		    path);
		mbox_free(mb);
		return false;
	}
	mb->pos = p;
	*out = mb;
	return true;
}

void
mbox_free(struct mbox *mb)
{
	if (mb == NULL)
		return;
	if (mb->map != NULL)
		g_mapped_file_unref(mb->map);
	g_byte_array_unref(mb->buf);
	g_free(mb->sender);
	g_free(mb);
}

bool
mbox_seek(struct mbox *mb, uint64_t offset)
{
	if (offset > mb->len || (offset < mb->len &&
	    !is_separator(mb, (size_t)offset)))
		return false;
	mb->pos = (size_t)offset;
	return true;
}

uint64_t
mbox_size(const struct mbox *mb)
{
	return mb->len;
}

size_t
mbox_count(const struct mbox *mb)
{
	size_t	 n = 0, p = mb->pos;

	while (p < mb->len) {
		n++;
		p = next_separator(mb, p + 5);
	}
	return n;
}

void
mbox_unquote_line(GByteArray *out, const char *line, size_t len,
    enum mbox_format format)
{
	size_t	 q = 0;

	while (q < len && line[q] == '>')
		q++;
	if (q > 0 && len - q >= 5 && memcmp(line + q, "From ", 5) == 0 &&
	    (format == MBOX_RD || q == 1)) {
		line++;
		len--;
	}
	g_byte_array_append(out, (const guint8 *)line, (guint)len);
}

/* Copies BODY into mb->buf with every line unquoted. */
static void
unquote(struct mbox *mb, const char *body, size_t len)
{
	size_t	 p = 0;

	g_byte_array_set_size(mb->buf, 0);
	while (p < len) {
		const char *nl = memchr(body + p, '\n', len - p);
		size_t	 l = nl != NULL ? (size_t)(nl - body - p) + 1 :
		    len - p;

		mbox_unquote_line(mb->buf, body + p, l, mb->format);
		p += l;
	}
}

static char *
from_line_sender(const char *line, size_t len)
{
	const char	*s = line + 5, *end = line + len, *e;

	while (s < end && *s == ' ')
		s++;
	for (e = s; e < end && *e != ' ' && *e != '\t' && *e != '\r' &&
	    *e != '\n'; e++)
		;
	if (e == s || (e - s == 13 && memcmp(s, "MAILER-DAEMON", 13) == 0))
		return NULL;
	return g_strndup(s, (gsize)(e - s));
}

bool
mbox_next(struct mbox *mb, struct mbox_message *m, GError **err)
{
	const char	*nl, *body;
	size_t		 start = mb->pos, end, blen;

	if (start >= mb->len)
		return false;
	nl = memchr(mb->data + start, '\n', mb->len - start);
	body = nl != NULL ? nl + 1 : mb->data + mb->len;
	g_free(mb->sender);
	mb->sender = from_line_sender(mb->data + start,
	    (size_t)(body - mb->data) - start);
	end = next_separator(mb, (size_t)(body - mb->data));
	blen = end - (size_t)(body - mb->data);
	/* The empty line before the next From_ belongs to the format. */
	if (end < mb->len || (blen >= 2 && body[blen - 1] == '\n' &&
	    (body[blen - 2] == '\n' || (blen >= 3 && body[blen - 2] == '\r' &&
	    body[blen - 3] == '\n')))) {
		if (blen >= 2 && body[blen - 2] == '\r')
			blen -= 2;
		else if (blen >= 1)
			blen -= 1;
	}
	/* Every quoted line holds "From ": without one, no copy needed. */
	if (memmem(body, blen, "From ", 5) == NULL) {
		m->raw = body;
		m->len = blen;
	} else {
		unquote(mb, body, blen);
		m->raw = (const char *)mb->buf->data;
		m->len = mb->buf->len;
	}
	m->sender = mb->sender;
	m->offset = start;
	m->end = end;
	mb->pos = end;
	(void)err;
	return true;
}
