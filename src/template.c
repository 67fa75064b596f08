/*
 * template: parsing templates into a tree, and loading them from files.
 * Rendering is in template_render.c, finding files in template_find.c;
 * the syntax is described in template.h and postdesk-templates(5).
 */
#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "template.h"
#include "template_priv.h"

G_DEFINE_QUARK(postdesk-template-error-quark, template_error)

/* Longest name quoted back in an error message. */
#define NAME_QUOTE_MAX	64

struct parser {
	const char	*name;		/* for error messages */
	const char	*start;		/* of the text being parsed */
	const char	*end;
	const char	*p;		/* first byte not yet consumed */
	unsigned int	 line;		/* line number of p */
};

struct tag {
	const char	*open;		/* the "{{" */
	const char	*after;		/* just past the closing braces */
	char		 sigil;		/* one of #^/!&{>= or 0 */
	const char	*name;		/* trimmed; not NUL-terminated */
	size_t		 len;
	unsigned int	 line;		/* of the "{{" */
};

static bool	parse_list(struct parser *, GPtrArray *, const struct node *,
		    unsigned int, GError **);

static bool G_GNUC_PRINTF(4, 5)
parse_error(const struct parser *ps, unsigned int line, GError **err,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*reason;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE, "%s:%u: %s",
	    ps->name, line, reason);
	g_free(reason);
	return false;
}

/* A tag's name as it can be shown in a message: short, escaped. */
static char *
quote_name(const char *name, size_t len)
{
	char	*cut, *quoted;

	cut = g_strndup(name, MIN(len, NAME_QUOTE_MAX));
	quoted = g_strescape(cut, NULL);
	g_free(cut);
	return quoted;
}

static unsigned int
count_lines(const char *from, const char *to)
{
	unsigned int	 n = 0;

	for (; from < to; from++)
		if (*from == '\n')
			n++;
	return n;
}

static void
advance(struct parser *ps, const char *to)
{
	ps->line += count_lines(ps->p, to);
	ps->p = to;
}

static void
node_free(gpointer data)
{
	struct node	*n = data;

	if (n == NULL)
		return;
	g_free(n->text);
	g_strfreev(n->path);
	if (n->children != NULL)
		g_ptr_array_unref(n->children);
	g_free(n);
}

static GPtrArray *
nodes_new(void)
{
	return g_ptr_array_new_with_free_func(node_free);
}

static struct node *
node_add(GPtrArray *nodes, enum node_kind kind, unsigned int line,
    const char *text, size_t len)
{
	struct node	*n;

	n = g_new0(struct node, 1);
	n->kind = kind;
	n->line = line;
	n->text = g_strndup(text, len);
	n->len = len;
	if (kind != NODE_TEXT && kind != NODE_I18N &&
	    strcmp(n->text, ".") != 0)
		n->path = g_strsplit(n->text, ".", -1);
	g_ptr_array_add(nodes, n);
	return n;
}

/* "." alone, or [A-Za-z0-9_-]+ segments joined by single dots. */
static bool
valid_name(const char *s, size_t len)
{
	size_t	 i;
	bool	 seg_empty = true;

	if (len == 1 && s[0] == '.')
		return true;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (seg_empty)
				return false;
			seg_empty = true;
		} else if (g_ascii_isalnum(s[i]) || s[i] == '_' ||
		    s[i] == '-')
			seg_empty = false;
		else
			return false;
	}
	return !seg_empty;
}

/* Reads the tag starting at OPEN ("{{") into T. */
static bool
read_tag(struct parser *ps, const char *open, struct tag *t, GError **err)
{
	const char	*s = open + 2, *close, *inner, *inner_end;

	memset(t, 0, sizeof(*t));
	t->open = open;
	t->line = ps->line + count_lines(ps->p, open);
	if (s < ps->end && *s == '{') {
		close = g_strstr_len(s + 1, ps->end - (s + 1), "}}}");
		if (close == NULL)
			return parse_error(ps, t->line, err,
			    "'{{{' without closing '}}}'");
		t->sigil = '{';
		inner = s + 1;
		t->after = close + 3;
	} else {
		close = g_strstr_len(s, ps->end - s, "}}");
		if (close == NULL)
			return parse_error(ps, t->line, err,
			    "'{{' without closing '}}'");
		inner = s;
		t->after = close + 2;
	}
	inner_end = close;
	while (inner < inner_end && g_ascii_isspace(*inner))
		inner++;
	if (t->sigil == 0 && inner < inner_end &&
	    strchr("#^/!&>=", *inner) != NULL)
		t->sigil = *inner++;
	/* "{{_ text}}": '_' alone and a blank, since "_x" is a name. */
	else if (t->sigil == 0 && inner + 1 < inner_end && *inner == '_' &&
	    g_ascii_isspace(inner[1]))
		t->sigil = *inner++;
	while (inner < inner_end && g_ascii_isspace(*inner))
		inner++;
	while (inner_end > inner && g_ascii_isspace(inner_end[-1]))
		inner_end--;
	t->name = inner;
	t->len = inner_end - inner;
	return true;
}

/*
 * Mustache's standalone rule: a control tag with only blanks before it
 * on its line and only blanks and the line end after it is removed
 * together with those blanks and that line end.  On success *LS is the
 * line's start and *LE the start of the next line.
 */
static bool
standalone(const struct parser *ps, const struct tag *t, const char **ls,
    const char **le)
{
	const char	*a = t->open, *b = t->after;

	if (t->sigil == 0 || strchr("#^/!", t->sigil) == NULL)
		return false;
	while (a > ps->p && (a[-1] == ' ' || a[-1] == '\t'))
		a--;
	/* Reaching ps->p short of a newline means a tag precedes us. */
	if (a != ps->start && a[-1] != '\n')
		return false;
	while (b < ps->end && (*b == ' ' || *b == '\t'))
		b++;
	if (b + 1 < ps->end && b[0] == '\r' && b[1] == '\n')
		b += 2;
	else if (b < ps->end && *b == '\n')
		b++;
	else if (b != ps->end)
		return false;
	*ls = a;
	*le = b;
	return true;
}

static bool
close_section(struct parser *ps, const struct tag *t,
    const struct node *sec, GError **err)
{
	char	*q;
	bool	 ok;

	if (sec != NULL && t->len == sec->len &&
	    memcmp(t->name, sec->text, t->len) == 0)
		return true;
	q = quote_name(t->name, t->len);
	if (sec == NULL)
		ok = parse_error(ps, t->line, err,
		    "closing tag '%s' without an open section", q);
	else
		ok = parse_error(ps, t->line, err, "closing tag '%s' does "
		    "not match section '%s' opened on line %u", q,
		    sec->text, sec->line);
	g_free(q);
	return ok;
}

/* Handles one tag other than a comment or a closing tag. */
static bool
parse_tag(struct parser *ps, GPtrArray *nodes, const struct tag *t,
    unsigned int depth, GError **err)
{
	struct node	*n;
	enum node_kind	 kind;
	char		*q;

	switch (t->sigil) {
	case '>':
		return parse_error(ps, t->line, err,
		    "partials ({{>name}}) are not supported");
	case '=':
		return parse_error(ps, t->line, err,
		    "changing delimiters ({{=...=}}) is not supported");
	case '_':
		if (t->len == 0)
			return parse_error(ps, t->line, err,
			    "'{{_' without a text to translate");
		node_add(nodes, NODE_I18N, t->line, t->name, t->len);
		return true;
	case '#':
		kind = NODE_SECTION;
		break;
	case '^':
		kind = NODE_INVERTED;
		break;
	case '&':
	case '{':
		kind = NODE_RAW;
		break;
	default:
		kind = NODE_VAR;
		break;
	}
	if (!valid_name(t->name, t->len)) {
		q = quote_name(t->name, t->len);
		parse_error(ps, t->line, err, "invalid name '%s'", q);
		g_free(q);
		return false;
	}
	n = node_add(nodes, kind, t->line, t->name, t->len);
	if (kind != NODE_SECTION && kind != NODE_INVERTED)
		return true;
	if (depth >= TEMPLATE_DEPTH_MAX)
		return parse_error(ps, t->line, err,
		    "sections nested deeper than %d", TEMPLATE_DEPTH_MAX);
	n->children = nodes_new();
	return parse_list(ps, n->children, n, depth + 1, err);
}

/*
 * Parses into NODES up to the end of the text or, inside section SEC,
 * up to and including its closing tag.
 */
static bool
parse_list(struct parser *ps, GPtrArray *nodes, const struct node *sec,
    unsigned int depth, GError **err)
{
	const char	*open, *text_end, *next;
	struct tag	 t;

	for (;;) {
		open = g_strstr_len(ps->p, ps->end - ps->p, "{{");
		if (open == NULL) {
			if (ps->end > ps->p)
				node_add(nodes, NODE_TEXT, ps->line, ps->p,
				    ps->end - ps->p);
			advance(ps, ps->end);
			if (sec != NULL)
				return parse_error(ps, sec->line, err,
				    "section '%s' is never closed",
				    sec->text);
			return true;
		}
		if (!read_tag(ps, open, &t, err))
			return false;
		if (!standalone(ps, &t, &text_end, &next)) {
			text_end = open;
			next = t.after;
		}
		if (text_end > ps->p)
			node_add(nodes, NODE_TEXT, ps->line, ps->p,
			    text_end - ps->p);
		advance(ps, next);
		if (t.sigil == '!')
			continue;
		if (t.sigil == '/')
			return close_section(ps, &t, sec, err);
		if (!parse_tag(ps, nodes, &t, depth, err))
			return false;
	}
}

static bool
parse_text(GPtrArray **out, const char *name, const char *text,
    size_t len, unsigned int first_line, GError **err)
{
	struct parser	 ps;
	GPtrArray	*nodes;

	ps.name = name;
	ps.start = ps.p = text;
	ps.end = text + len;
	ps.line = first_line;
	nodes = nodes_new();
	if (!parse_list(&ps, nodes, NULL, 0, err)) {
		g_ptr_array_unref(nodes);
		return false;
	}
	*out = nodes;
	return true;
}

/*
 * A mail template's header block: "Subject: ..." on the first line, up
 * to the first empty line.  Only Subject is known, so that a typo in a
 * header name is an error rather than text in the body.
 */
static bool
parse_header(struct template *t, const char *text, size_t len,
    GError **err)
{
	struct parser	 ps = { t->name, text, text + len, text, 1 };
	const char	*p = text, *end = text + len, *eol, *vend, *v;

	if (len < 8 || g_ascii_strncasecmp(text, "Subject:", 8) != 0)
		return true;
	t->header = true;
	while (p < end) {
		eol = memchr(p, '\n', end - p);
		vend = eol != NULL ? eol : end;
		if (vend > p && vend[-1] == '\r')
			vend--;
		if (vend == p) {
			/* The empty line ends the block. */
			p = eol != NULL ? eol + 1 : end;
			ps.line++;
			break;
		}
		if (t->subject != NULL || vend - p < 8 ||
		    g_ascii_strncasecmp(p, "Subject:", 8) != 0)
			return parse_error(&ps, ps.line, err, "expected an "
			    "empty line after the Subject header (no other "
			    "header is supported)");
		for (v = p + 8; v < vend && (*v == ' ' || *v == '\t'); v++)
			;
		if (!parse_text(&t->subject, t->name, v, vend - v, ps.line,
		    err))
			return false;
		p = eol != NULL ? eol + 1 : end;
		ps.line++;
	}
	return parse_text(&t->body, t->name, p, end - p, ps.line, err);
}

bool
template_parse(struct template **out, const char *name, const char *text,
    GError **err)
{
	struct template	*t;
	const char	*bad;
	size_t		 len;

	g_return_val_if_fail(out != NULL, false);
	g_return_val_if_fail(text != NULL, false);
	*out = NULL;
	if (name == NULL)
		name = "template";
	len = strlen(text);
	if (len > TEMPLATE_SIZE_MAX) {
		g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE,
		    "%s: larger than %d bytes", name, TEMPLATE_SIZE_MAX);
		return false;
	}
	if (!g_utf8_validate(text, len, &bad)) {
		g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE,
		    "%s:%u: invalid UTF-8", name,
		    1 + count_lines(text, bad));
		return false;
	}
	/* Editors on some systems start UTF-8 files with a BOM. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	t = g_new0(struct template, 1);
	t->name = g_strdup(name);
	if (!parse_text(&t->root, t->name, text, len, 1, err) ||
	    !parse_header(t, text, len, err)) {
		template_free(t);
		return false;
	}
	*out = t;
	return true;
}

bool
template_load(struct template **out, const char *path, GError **err)
{
	GStatBuf	 st;
	char		*text = NULL;
	gsize		 len;
	bool		 ok;

	g_return_val_if_fail(out != NULL, false);
	g_return_val_if_fail(path != NULL, false);
	*out = NULL;
	/* Check the size first: never slurp a huge file by mistake. */
	if (g_stat(path, &st) == 0 && st.st_size > TEMPLATE_SIZE_MAX) {
		g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE,
		    "%s: larger than %d bytes", path, TEMPLATE_SIZE_MAX);
		return false;
	}
	if (!g_file_get_contents(path, &text, &len, err))
		return false;
	if (memchr(text, '\0', len) != NULL) {
		g_set_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE,
		    "%s:%u: NUL byte in template", path,
		    1 + count_lines(text, text + strlen(text)));
		g_free(text);
		return false;
	}
	ok = template_parse(out, path, text, err);
	g_free(text);
	return ok;
}

void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	if (t->root != NULL)
		g_ptr_array_unref(t->root);
	if (t->subject != NULL)
		g_ptr_array_unref(t->subject);
	if (t->body != NULL)
		g_ptr_array_unref(t->body);
	g_free(t->name);
	g_free(t);
}

const char *
template_name(const struct template *t)
{
	g_return_val_if_fail(t != NULL, NULL);
	return t->name;
}

bool
template_has_header(const struct template *t)
{
	g_return_val_if_fail(t != NULL, false);
	return t->header;
}
