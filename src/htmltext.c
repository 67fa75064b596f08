/*
 * htmltext: HTML mail to readable plain text.  See htmltext.h.
 *
 * A small hand-written tokenizer, because no HTML parser is in our
 * dependency set and mail HTML needs only a fraction of one.  It walks
 * the input once, left to right.  It keeps counters, never a stack of
 * open elements, so hostile nesting depth costs nothing; every search
 * (end of comment, end of <script>, end of a tag) moves the position
 * forward, so the whole conversion is linear.
 *
 * Quoted history is cut in two ways.  Elements that wrap the history
 * (gmail_quote, blockquote type=cite, ...) are skipped up to their
 * matching end tag, counting only same-named tags, so text after them
 * (inline answers between Apple Mail quotes) is kept.  Outlook's markers
 * (divRplyFwdMsg, appendonsend, hr#stopSpelling) do not wrap anything:
 * the history is whatever follows, so conversion stops there.  A plain
 * <blockquote> with no client's marker is the writer's own quote or
 * indent, except the trailing one right after an attribution or header
 * block with nothing but a signature after it: that is history, and a
 * '>' line stands in for it so quote.c takes the attribution too.  Both
 * kinds of marker, and the forward phrases, are rows of the tables in
 * quote_lang.c.
 */
#include <string.h>

#include "htmltext.h"
#include "quote.h"
#include "quote_lang.h"

/* Nested lists indent by two spaces per level, up to this depth. */
#define LIST_INDENT_MAX	8
#define NAME_MAX_LEN	15

struct slice {
	const char	*s;
	gsize		 len;
};

struct tag {
	char		 name[NAME_MAX_LEN + 1];	/* lower case */
	gboolean	 close;
	struct slice	 klass, id, type, href, alt;
};

/* The text being written, with breaks and spaces kept pending until
 * the next visible character so that they collapse and never trail. */
struct out {
	GString		*s;
	int		 pend;		/* newlines owed, 0..2 */
	gboolean	 space;		/* a collapsed space owed */
	gsize		 pre;		/* <pre> depth */
	gsize		 list;		/* <ul>/<ol> depth */
};

struct conv {
	const char	*h;
	gsize		 len;
	gsize		 pos;
	struct out	 o;
	gboolean	 cut;
	gboolean	 had_quote;
	gboolean	 stop;
	guint		 forward_checks;	/* near_forward() calls */
	guint		 plain_checks;	/* plain_quote_history() calls */
	gsize		 max_out;	/* stop past this much text; 0: no */
	gboolean	 mso_p;		/* in an Outlook <p class=MsoNormal> */
	char		 skip_name[NAME_MAX_LEN + 1];
	gsize		 skip_depth;	/* > 0 while skipping an element */
	char		*href;		/* target of the open <a>, or NULL */
	gsize		 link_mark;	/* o.s->len when <a> opened */
};

/* Latin-1 entity names, U+00A0 to U+00FF in order. */
static const char *const latin1_names[96] = {
	"nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
	"uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
	"deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
	"cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34",
	"iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring",
	"AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave",
	"Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
	"Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute",
	"Ucirc", "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute",
	"acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave",
	"eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
	"eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
	"divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute",
	"thorn", "yuml",
};

static const struct {
	const char	*name;
	gunichar	 cp;
} other_entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "ndash", 0x2013 }, { "mdash", 0x2014 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "sbquo", 0x201a },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e },
	{ "hellip", 0x2026 }, { "bull", 0x2022 }, { "euro", 0x20ac },
	{ "trade", 0x2122 }, { "zwnj", 0x200c }, { "zwj", 0x200d },
	{ "ensp", ' ' }, { "emsp", ' ' }, { "thinsp", ' ' },
	{ "lsaquo", 0x2039 }, { "rsaquo", 0x203a }, { "dagger", 0x2020 },
	{ "OElig", 0x152 }, { "oelig", 0x153 }, { "Scaron", 0x160 },
	{ "scaron", 0x161 }, { "Yuml", 0x178 }, { "rarr", 0x2192 },
	{ "larr", 0x2190 }, { "hearts", 0x2665 },
};

/* What browsers show for &#128; to &#159;: Windows-1252. */
static const guint16 cp1252[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* Elements after which text continues on a new line. */
static const char *const line_elems[] = {
	"div", "li", "tr", "dt", "dd", "section", "article", "header",
	"footer", "address", "figure", "center", "nav", "aside", "main",
	"form", "fieldset", "caption", "hr", "title", "option", "body",
};

/* Elements set off by a blank line. */
static const char *const para_elems[] = {
	"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table",
	"pre", "dl", "ul", "ol",
};

/* How far around a quote marker to look for a forward line. */
#define FORWARD_AHEAD	512
#define FORWARD_BEHIND	200
/* Forward lines are looked for around this many markers at most, so
 * 100,000 sibling quotes cost no more than a few. */
#define FORWARD_CHECKS	8
/* Plain <blockquote>s looked at as history at most, for the same
 * reason: each check reads what follows the quote. */
#define PLAIN_QUOTE_CHECKS	4
/* Text after a trailing quote that can still be a signature: the check
 * converts no more of what follows than this. */
#define PLAIN_QUOTE_REST	1024

static gboolean
in_list(const char *name, const char *const *list, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
slice_ieq(struct slice v, const char *s)
{
	return v.len == strlen(s) && g_ascii_strncasecmp(v.s, s, v.len) == 0;
}

/* Does the space-separated list v (a class attribute) contain tok? */
static gboolean
slice_has_token(struct slice v, const char *tok)
{
	struct slice t;
	gsize i = 0;

	while (i < v.len) {
		while (i < v.len && g_ascii_isspace(v.s[i]))
			i++;
		t.s = v.s + i;
		while (i < v.len && !g_ascii_isspace(v.s[i]))
			i++;
		t.len = (gsize)(v.s + i - t.s);
		if (t.len > 0 && slice_ieq(t, tok))
			return TRUE;
	}
	return FALSE;
}

/* ---- output ---- */

static void
out_flush(struct out *o)
{
	for (; o->pend > 0; o->pend--)
		g_string_append_c(o->s, '\n');
	if (o->space)
		g_string_append_c(o->s, ' ');
	o->space = FALSE;
}

static gboolean
out_at_blank(const struct out *o)
{
	char c;

	if (o->s->len == 0)
		return TRUE;
	c = o->s->str[o->s->len - 1];
	return c == ' ' || c == '\n';
}

/* Visible text: written as is, after any pending break or space. */
static void
out_text(struct out *o, const char *s, gsize n)
{
	out_flush(o);
	g_string_append_len(o->s, s, n);
}

/* Collapsible white space (literal inside <pre>). */
static void
out_space(struct out *o, char c)
{
	if (o->pre > 0) {
		if (c == '\n') {
			if (o->s->len > 0 && o->pend < 2)
				o->pend++;
		} else if (c != '\r')
			out_text(o, " ", 1);
		return;
	}
	if (o->pend == 0 && !out_at_blank(o))
		o->space = TRUE;
}

/* kind 1: new line unless at one; 2: blank line; 3: <br>. */
static void
out_break(struct out *o, int kind)
{
	if (o->s->len == 0)
		return;
	o->space = FALSE;
	if (kind == 1)
		o->pend = MAX(o->pend, 1);
	else if (kind == 2)
		o->pend = 2;
	else
		o->pend = MIN(o->pend + 1, 2);
}

static void
out_unichar(struct out *o, gunichar c)
{
	char buf[6];

	if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')
		out_space(o, (char)c);
	else if (c == 0xa0)
		out_text(o, " ", 1);	/* kept, unlike collapsible space */
	else if (c != 0xad && c != 0x200b)	/* soft hyphen, ZWSP */
		out_text(o, buf, (gsize)g_unichar_to_utf8(c, buf));
}

/* ---- entities ---- */

static gunichar
numeric_char(guint64 v)
{
	if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0xfffd;
	if (v >= 0x80 && v < 0xa0)
		return cp1252[v - 0x80];
	return (gunichar)v;
}

/* Decodes "#123;" or "#x1F;" at s (after '&'); returns bytes used. */
static gsize
entity_numeric(const char *s, gsize len, gunichar *c)
{
	gboolean hex = len > 1 && (s[1] == 'x' || s[1] == 'X');
	gsize i = hex ? 2 : 1, start = i;
	guint64 v = 0;
	int d;

	for (; i < len; i++) {
		d = hex ? g_ascii_xdigit_value(s[i]) :
		    g_ascii_digit_value(s[i]);
		if (d < 0)
			break;
		if (v <= 0x10ffff)
			v = v * (hex ? 16 : 10) + (guint64)d;
	}
	if (i == start)
		return 0;
	*c = numeric_char(v);
	if (i < len && s[i] == ';')
		i++;
	return i;
}

static gboolean
entity_lookup(const char *name, gunichar *c)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(latin1_names); i++)
		if (strcmp(name, latin1_names[i]) == 0) {
			*c = 0xa0 + (gunichar)i;
			return TRUE;
		}
	for (i = 0; i < G_N_ELEMENTS(other_entities); i++)
		if (strcmp(name, other_entities[i].name) == 0) {
			*c = other_entities[i].cp;
			return TRUE;
		}
	return FALSE;
}

/* Decodes the entity at s (s[0] == '&').  Returns the bytes used, or 0
 * if it is not an entity (then '&' is a literal). */
static gsize
entity_decode(const char *s, gsize len, gunichar *c)
{
	char name[32];
	gsize i;

	if (len > 1 && s[1] == '#') {
		i = entity_numeric(s + 1, len - 1, c);
		return i > 0 ? i + 1 : 0;
	}
	for (i = 1; i < len && i < sizeof(name) &&
	    g_ascii_isalnum(s[i]); i++)
		name[i - 1] = s[i];
	if (i == 1 || i >= len || s[i] != ';')
		return 0;
	name[i - 1] = '\0';
	return entity_lookup(name, c) ? i + 1 : 0;
}

/* An attribute value with entities decoded; freed with g_free(). */
static char *
decode_attr(struct slice v)
{
	GString *s = g_string_sized_new(v.len);
	char buf[6];
	gunichar c;
	gsize i = 0, n;

	while (i < v.len) {
		n = v.s[i] == '&' ? entity_decode(v.s + i, v.len - i, &c) : 0;
		if (n == 0) {
			g_string_append_c(s, v.s[i++]);
			continue;
		}
		g_string_append_len(s, buf, (gsize)g_unichar_to_utf8(c, buf));
		i += n;
	}
	return g_string_free(s, FALSE);
}

/* ---- tokenizer ---- */

/* Position of needle in h[from, len), compared ignoring ASCII case;
 * len if absent. */
static gsize
find_ci(const char *h, gsize len, gsize from, const char *needle)
{
	gsize nlen = strlen(needle), i;

	for (i = from; i + nlen <= len; i++)
		if (g_ascii_strncasecmp(h + i, needle, nlen) == 0)
			return i;
	return len;
}

/* Index after the next '>' at or after from, or len. */
static gsize
after_gt(const char *h, gsize len, gsize from)
{
	const char *p = memchr(h + from, '>', len - from);

	return p != NULL ? (gsize)(p - h) + 1 : len;
}

static void
tag_set_attr(struct tag *t, struct slice name, struct slice val)
{
	if (slice_ieq(name, "class"))
		t->klass = val;
	else if (slice_ieq(name, "id"))
		t->id = val;
	else if (slice_ieq(name, "type"))
		t->type = val;
	else if (slice_ieq(name, "href"))
		t->href = val;
	else if (slice_ieq(name, "alt"))
		t->alt = val;
}

/* Reads one attribute value at *i (after '='). */
static struct slice
read_value(const char *h, gsize len, gsize *i)
{
	struct slice v;
	char q;

	if (*i < len && (h[*i] == '"' || h[*i] == '\'')) {
		q = h[(*i)++];
		v.s = h + *i;
		while (*i < len && h[*i] != q)
			(*i)++;
		v.len = (gsize)(h + *i - v.s);
		if (*i < len)
			(*i)++;
		return v;
	}
	v.s = h + *i;
	while (*i < len && !g_ascii_isspace(h[*i]) && h[*i] != '>')
		(*i)++;
	v.len = (gsize)(h + *i - v.s);
	return v;
}

/* Parses attributes from i up to the closing '>'; returns the index
 * after it. */
static gsize
read_attrs(const char *h, gsize len, gsize i, struct tag *t)
{
	struct slice name, val;

	for (;;) {
		while (i < len && (g_ascii_isspace(h[i]) || h[i] == '/'))
			i++;
		if (i >= len)
			return len;
		if (h[i] == '>')
			return i + 1;
		name.s = h + i;
		while (i < len && !g_ascii_isspace(h[i]) && h[i] != '=' &&
		    h[i] != '>' && h[i] != '/')
			i++;
		name.len = (gsize)(h + i - name.s);
		while (i < len && g_ascii_isspace(h[i]))
			i++;
		val.s = h + i;
		val.len = 0;
		if (i < len && h[i] == '=') {
			i++;
			while (i < len && g_ascii_isspace(h[i]))
				i++;
			val = read_value(h, len, &i);
		}
		if (name.len > 0)
			tag_set_attr(t, name, val);
		else
			i++;
	}
}

/* Parses the tag at c->pos ('<' then a letter or "/letter"). */
static void
read_tag(struct conv *c, struct tag *t)
{
	gsize i = c->pos + 1, n = 0;

	memset(t, 0, sizeof(*t));
	if (c->h[i] == '/') {
		t->close = TRUE;
		i++;
	}
	for (; i < c->len && (g_ascii_isalnum(c->h[i]) || c->h[i] == ':' ||
	    c->h[i] == '-' || c->h[i] == '_'); i++)
		if (n < NAME_MAX_LEN)
			t->name[n++] = g_ascii_tolower(c->h[i]);
	t->name[n] = '\0';
	c->pos = read_attrs(c->h, c->len, i, t);
}

/* ---- elements ---- */

static void
link_finish(struct conv *c)
{
	GString *s = c->o.s;
	char *text, *url;

	if (c->href == NULL)
		return;
	url = g_strstrip(c->href);
	text = g_strstrip(g_strndup(s->str + c->link_mark,
	    s->len - MIN(c->link_mark, s->len)));
	/* Only targets a reader could not see already. */
	if (*url != '\0' && *url != '#' &&
	    g_ascii_strncasecmp(url, "javascript:", 11) != 0 &&
	    strcmp(url, text) != 0 &&
	    !(g_str_has_prefix(url, "mailto:") &&
	    strcmp(url + 7, text) == 0)) {
		if (*text != '\0')
			c->o.space = TRUE;
		out_text(&c->o, "<", 1);
		out_text(&c->o, url, strlen(url));
		out_text(&c->o, ">", 1);
	}
	g_free(text);
	g_clear_pointer(&c->href, g_free);
}

static void
list_item(struct out *o)
{
	gsize i, depth = MIN(o->list, LIST_INDENT_MAX);

	out_break(o, 1);
	out_flush(o);
	for (i = 1; i < depth; i++)
		g_string_append(o->s, "  ");
	g_string_append(o->s, "- ");
}

/* Does a forward line (quote_lang.c's forward phrases; Gmail wraps a
 * forwarded mail in gmail_quote and Apple in a cite blockquote) sit
 * just before (in the text written so far) or just after (in the
 * markup) the current position? */
static gboolean
near_forward(struct conv *c)
{
	const GString *s = c->o.s;
	gsize i, k, from = s->len > FORWARD_BEHIND ? s->len - FORWARD_BEHIND : 0;
	gsize ahead = MIN(c->len, c->pos + FORWARD_AHEAD);
	const char *w;

	if (c->forward_checks >= FORWARD_CHECKS)
		return FALSE;
	c->forward_checks++;
	for (i = 0; i < quote_n_langs; i++)
		for (k = 0; k < QL_MAX &&
		    (w = quote_langs[i].forward[k]) != NULL; k++)
			if (find_ci(s->str, s->len, from, w) < s->len ||
			    find_ci(c->h, ahead, c->pos, w) < ahead)
				return TRUE;
	return FALSE;
}

/* Does t carry the marker m? */
static gboolean
has_marker(const struct tag *t, const struct quote_html_marker *m)
{
	if (m->elem != NULL && strcmp(t->name, m->elem) != 0)
		return FALSE;
	if (strcmp(m->attr, "class") == 0)
		return slice_has_token(t->klass, m->value);
	if (strcmp(m->attr, "id") == 0)
		return slice_ieq(t->id, m->value);
	return slice_ieq(t->type, m->value);
}

/* The text so far from the start of its last `lines` lines (at most
 * 600 bytes, from a character boundary); freed with g_free(). */
static char *
text_tail(const GString *s, gsize lines)
{
	gsize n = s->len, from, seen = 0;

	while (n > 0 && g_ascii_isspace(s->str[n - 1]))
		n--;
	for (from = n; from > 0 && n - from < 600; from--)
		if (s->str[from - 1] == '\n' && ++seen == lines)
			break;
	while (from < n && ((guchar)s->str[from] & 0xc0) == 0x80)
		from++;
	return g_strndup(s->str + from, n - from);
}

/* Does the text so far end in an attribution ("On ... wrote:", wrapped
 * over up to three lines)?  quote.c decides, on the last lines. */
static gboolean
ends_attribution(const GString *s)
{
	char *tail = text_tail(s, 3);
	gboolean yes = strcmp(quote_cut_rule(tail), "attribution") == 0;

	g_free(tail);
	return yes;
}

static char *convert(const char *, gsize, gboolean, gboolean *, gsize);

/* Where the element opened before c->pos (a <blockquote>) ends: just
 * past its matching end tag, counting same-named tags; c->len if it
 * never does. */
static gsize
blockquote_end(const struct conv *c)
{
	gsize p = c->pos, depth = 1, k;
	const char *h = c->h;
	gboolean close;

	while ((p = find_ci(h, c->len, p, "<")) < c->len) {
		k = p + 1;
		close = k < c->len && h[k] == '/';
		if (close)
			k++;
		if (c->len - k > 10 &&
		    g_ascii_strncasecmp(h + k, "blockquote", 10) == 0 &&
		    !g_ascii_isalnum(h[k + 10])) {
			if (!close)
				depth++;
			else if (--depth == 0)
				return after_gt(h, c->len, k);
		}
		p = k;
	}
	return c->len;
}

/* A <blockquote> that carries no client's marker is the writer's own
 * quote or indent, unless it is the trailing history: it comes right
 * after an attribution or a header block (quote.c decides on the last
 * lines) and nothing but blanks or a signature follows it. */
static gboolean
plain_quote_history(struct conv *c, const struct tag *t)
{
	struct quote_split q = { NULL, NULL, NULL };
	char *tail, *rest;
	gsize end;
	gboolean yes;

	if (strcmp(t->name, "blockquote") != 0 ||
	    c->plain_checks >= PLAIN_QUOTE_CHECKS)
		return FALSE;
	c->plain_checks++;
	tail = text_tail(c->o.s, 6);
	yes = quote_ends_intro(tail);
	g_free(tail);
	if (!yes)
		return FALSE;
	end = blockquote_end(c);
	rest = convert(c->h + end, c->len - end, FALSE, NULL,
	    PLAIN_QUOTE_REST);
	quote_split_text(rest, &q);
	yes = *q.fresh == '\0';
	quote_split_clear(&q);
	g_free(rest);
	return yes;
}

/* Is t the start of quoted history?  Sets c->stop for markers after
 * which everything is history; returns TRUE for elements to skip. */
static gboolean
quote_start(struct conv *c, const struct tag *t)
{
	gboolean plain;
	gsize i;

	for (i = 0; i < quote_n_html_markers; i++)
		if (has_marker(t, &quote_html_markers[i]))
			break;
	plain = i == quote_n_html_markers;
	if (plain) {
		if (!plain_quote_history(c, t))
			return FALSE;
	} else if (quote_html_markers[i].kind == QH_STARTS) {
		c->had_quote = c->stop = TRUE;
		return FALSE;
	} else if (quote_html_markers[i].kind == QH_CITES && !c->had_quote &&
	    !ends_attribution(c->o.s))
		return FALSE;
	/* A forwarded message is content, not history (as in quote.c),
	 * and so is everything after it: stop cutting for good, which
	 * also keeps this check to once per document. */
	if (near_forward(c)) {
		c->cut = FALSE;
		return FALSE;
	}
	if (plain) {
		/* a '>' line where the quote was: quote.c then takes the
		 * attribution above with it ("Bob wrote:" alone is no cut) */
		out_break(&c->o, 1);
		out_text(&c->o, ">", 1);
	}
	c->had_quote = TRUE;
	return TRUE;
}

static gboolean
is_void(const char *name)
{
	static const char *const voids[] = {
		"br", "hr", "img", "meta", "link", "input", "wbr", "col",
		"area", "base", "source", "embed", "param", "track",
	};

	return in_list(name, voids, G_N_ELEMENTS(voids));
}

/* Skips a raw-text element (<script>, <style>, <title>) whole. */
static gboolean
raw_text_skip(struct conv *c, const struct tag *t)
{
	char end[NAME_MAX_LEN + 3];

	if (t->close || (strcmp(t->name, "script") != 0 &&
	    strcmp(t->name, "style") != 0 && strcmp(t->name, "title") != 0 &&
	    strcmp(t->name, "textarea") != 0))
		return FALSE;
	g_snprintf(end, sizeof(end), "</%s", t->name);
	c->pos = find_ci(c->h, c->len, c->pos, end);
	c->pos = after_gt(c->h, c->len, c->pos);
	return TRUE;
}

/* While skipping: counts same-named tags to find the matching end. */
static void
skip_tag(struct conv *c, const struct tag *t)
{
	if (strcmp(c->skip_name, "head") == 0) {
		if (strcmp(t->name, "head") == 0 && t->close)
			c->skip_depth = 0;
		else if (strcmp(t->name, "body") == 0 && !t->close)
			c->skip_depth = 0;
		return;
	}
	if (strcmp(t->name, c->skip_name) != 0)
		return;
	if (t->close)
		c->skip_depth--;
	else
		c->skip_depth++;
	if (c->skip_depth == 0)
		out_break(&c->o, 1);	/* what was skipped was a block */
}

static void
skip_start(struct conv *c, const char *name)
{
	g_strlcpy(c->skip_name, name, sizeof(c->skip_name));
	c->skip_depth = 1;
}

static void
open_elem(struct conv *c, const struct tag *t)
{
	struct out *o = &c->o;
	char *alt;

	if (strcmp(t->name, "br") == 0)
		out_break(o, 3);
	else if (strcmp(t->name, "li") == 0)
		list_item(o);
	else if (strcmp(t->name, "td") == 0 || strcmp(t->name, "th") == 0)
		out_space(o, ' ');
	else if (strcmp(t->name, "a") == 0) {
		link_finish(c);
		c->href = decode_attr(t->href);
		c->link_mark = o->s->len;
	} else if (strcmp(t->name, "img") == 0 && t->alt.len > 0) {
		alt = decode_attr(t->alt);
		out_text(o, alt, strlen(alt));
		g_free(alt);
	} else if (strcmp(t->name, "p") == 0)
		c->mso_p = slice_has_token(t->klass, "MsoNormal");
	if (strcmp(t->name, "pre") == 0)
		o->pre++;
	if (strcmp(t->name, "ul") == 0 || strcmp(t->name, "ol") == 0)
		o->list++;
}

static void
close_elem(struct conv *c, const struct tag *t)
{
	struct out *o = &c->o;

	if (strcmp(t->name, "a") == 0)
		link_finish(c);
	else if (strcmp(t->name, "pre") == 0 && o->pre > 0)
		o->pre--;
	else if ((strcmp(t->name, "ul") == 0 || strcmp(t->name, "ol") == 0)
	    && o->list > 0)
		o->list--;
}

/* Line breaks both tags of a block element cause. */
static void
block_breaks(struct conv *c, const struct tag *t)
{
	gboolean nested_list = (strcmp(t->name, "ul") == 0 ||
	    strcmp(t->name, "ol") == 0) && c->o.list > (t->close ? 0 : 1);

	/* Outlook writes one <p class=MsoNormal> per line, margin 0. */
	gboolean mso = strcmp(t->name, "p") == 0 && c->mso_p;

	if (strcmp(t->name, "li") == 0 && !t->close)
		return;		/* list_item() did it */
	if (in_list(t->name, line_elems, G_N_ELEMENTS(line_elems)) ||
	    nested_list || mso)
		out_break(&c->o, 1);
	else if (in_list(t->name, para_elems, G_N_ELEMENTS(para_elems)))
		out_break(&c->o, 2);
}

static void
handle_tag(struct conv *c)
{
	struct tag t;

	read_tag(c, &t);
	if (raw_text_skip(c, &t))
		return;
	if (c->skip_depth > 0) {
		skip_tag(c, &t);
		return;
	}
	if (!t.close && strcmp(t.name, "head") == 0) {
		skip_start(c, "head");
		return;
	}
	if (!t.close && c->cut && quote_start(c, &t)) {
		if (!is_void(t.name))
			skip_start(c, t.name);
		out_break(&c->o, 1);
		return;
	}
	if (c->stop)
		return;
	if (t.close)
		close_elem(c, &t);
	else
		open_elem(c, &t);
	block_breaks(c, &t);
}

/* Markup at c->pos ('<').  Returns FALSE if it is a literal '<'. */
static gboolean
handle_markup(struct conv *c)
{
	const char *h = c->h;
	gsize p = c->pos, n = c->len - p;

	if (n >= 4 && memcmp(h + p, "<!--", 4) == 0) {
		c->pos = find_ci(h, c->len, p + 4, "-->");
		c->pos = MIN(c->pos + 3, c->len);
	} else if (n >= 2 && (h[p + 1] == '!' || h[p + 1] == '?'))
		c->pos = after_gt(h, c->len, p + 1);
	else if (n >= 2 && (g_ascii_isalpha(h[p + 1]) ||
	    (n >= 3 && h[p + 1] == '/' && g_ascii_isalpha(h[p + 2]))))
		handle_tag(c);
	else if (n >= 2 && h[p + 1] == '/')
		c->pos = after_gt(h, c->len, p + 1);	/* "</ >" etc. */
	else
		return FALSE;
	return TRUE;
}

static void
handle_char(struct conv *c)
{
	const char *h = c->h;
	gunichar u;
	gsize n;

	if (h[c->pos] == '&') {
		n = entity_decode(h + c->pos, c->len - c->pos, &u);
		if (n > 0) {
			out_unichar(&c->o, u);
			c->pos += n;
			return;
		}
	}
	if (g_ascii_isspace(h[c->pos]))
		out_space(&c->o, h[c->pos]);
	else if (h[c->pos] != '\0')
		out_text(&c->o, h + c->pos, 1);
	c->pos++;
}

/* Moves past text while skipping an element: to the next '<'. */
static void
skip_text(struct conv *c)
{
	const char *p = memchr(c->h + c->pos + 1, '<', c->len - c->pos - 1);

	c->pos = p != NULL ? (gsize)(p - c->h) : c->len;
}

/* Trims each line's end, keeps at most one blank line in a row and
 * none at either end.  Returns a string freed with g_free(). */
static char *
tidy(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p = text, *nl;
	gsize len, blanks = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (gsize)(nl - p) : strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			blanks++;
		else {
			if (out->len > 0 && blanks > 0)
				g_string_append(out, "\n\n");
			else if (out->len > 0)
				g_string_append_c(out, '\n');
			g_string_append_len(out, p, len);
			blanks = 0;
		}
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	return g_string_free(out, FALSE);
}

/* htmltext_to_text(), stopping once more than max_out bytes of text
 * are written (0: never). */
static char *
convert(const char *html, gsize len, gboolean cut_quotes,
    gboolean *had_quote, gsize max_out)
{
	struct conv c;
	char *raw, *valid, *text;

	memset(&c, 0, sizeof(c));
	c.h = html != NULL ? html : "";
	c.len = html != NULL ? len : 0;
	c.cut = cut_quotes;
	c.max_out = max_out;
	c.o.s = g_string_sized_new(max_out > 0 ? max_out + 16 :
	    c.len / 2 + 16);
	while (c.pos < c.len && !c.stop &&
	    (max_out == 0 || c.o.s->len <= max_out)) {
		if (c.h[c.pos] == '<' && handle_markup(&c))
			continue;
		if (c.skip_depth > 0)
			skip_text(&c);
		else
			handle_char(&c);
	}
	link_finish(&c);
	raw = g_string_free(c.o.s, FALSE);
	valid = g_utf8_make_valid(raw, -1);
	text = tidy(valid);
	g_free(raw);
	g_free(valid);
	if (had_quote != NULL)
		*had_quote = c.had_quote;
	return text;
}

char *
htmltext_to_text(const char *html, gsize len, gboolean cut_quotes,
    gboolean *had_quote)
{
	return convert(html, len, cut_quotes, had_quote, 0);
}
