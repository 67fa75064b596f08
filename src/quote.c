/*
 * quote: separate the new text of a plain-text reply from the quoted
 * history and a trailing signature.  See quote.h for the contract.
 *
 * The text is cut into lines and scanned once from the top:
 *
 *  - A "hard" marker ends the new text: everything from it to the end is
 *    history.  Hard markers are "reply above this line" lines (also when
 *    quoted with '>'), Outlook's "-----Original Message-----", a line of
 *    underscores followed by "From:", a From:/Sent:/To:/Subject: header
 *    block, and an "On ... wrote:" attribution that is NOT followed by
 *    '>' lines (HTML mail converted to text, Outlook-style top posting).
 *  - A forwarding line ("---------- Forwarded message ---------") stops
 *    the scan: a forwarded message is content the sender wants us to see,
 *    so it and everything after it stay in the new text.
 *  - Above the hard marker, runs of '>' lines (with the attribution that
 *    introduces them) form quote blocks.  What to do with them:
 *      * no new text after a block (top posting): the block is history;
 *      * no new text before it and none of the blocks sits between new
 *        text (bottom posting): the leading block is history too;
 *      * a block with new text on both sides means an inline reply; the
 *        answers make no sense without their questions, so the inner
 *        blocks stay in the new text and only the trailing block goes.
 *  - The signature starts at the first "-- " line (exactly dash dash
 *    space) or at a "Sent from my iPhone"-type line that is the last
 *    line of new text, and runs to the next quote block.
 *
 * Every line is looked at a bounded number of times and every lookahead
 * is bounded, so the whole split is linear in the input size.
 */
#include <string.h>

#include "quote.h"

/* Attributions are short; longer lines are prose, not "On ... wrote:". */
#define ATTR_MAX	400
/* Markers are short too; this bounds the substring searches. */
#define MARKER_MAX	200
/* How far to look past a line for the lines that confirm it. */
#define LOOKAHEAD	5

enum kind {
	K_BLANK,
	K_TEXT,
	K_QUOTE,	/* starts with '>' */
	K_ATTR,		/* attribution introducing '>' lines */
};

enum role {
	R_FRESH,
	R_QUOTED,
	R_SIG,
	R_SIGSEP,	/* the "-- " line itself: in no output */
};

struct line {
	const char	*s;
	gsize		 len;
};

struct block {
	gsize	 first;
	gsize	 last;		/* inclusive */
};

struct scan {
	struct line	*lines;
	gsize		 n;
	guint8		*kind;		/* enum kind per line */
	guint8		*role;		/* enum role per line */
	gsize		 end;		/* first line of hard-cut history */
	gsize		 fwd;		/* first line of forwarded content */
};

enum attr_mode {
	AM_END,		/* the verb is the last word before ':' */
	AM_CONTAINS,	/* the verb may be followed by the name */
};

struct attr_lang {
	const char	*start;
	const char	*verb;
	enum attr_mode	 mode;
};

static const struct attr_lang attr_langs[] = {
	{ "On ", "wrote", AM_END },
	{ "Am ", "schrieb", AM_CONTAINS },
	{ "Le ", "a écrit", AM_END },
	{ "El ", "escribi\xc3\xb3", AM_END },
	{ "Op ", "schreef", AM_CONTAINS },
	{ "Il ", "ha scritto", AM_END },
	{ "Em ", "escreveu", AM_END },
};

static const char *const reply_markers[] = {
	"reply above this line",
	"type your reply above",
	"write above this line",
	"oberhalb dieser zeile",
};

/* Compared after the dashes and spaces around them are removed. */
static const char *const original_markers[] = {
	"original message",
	"ursprüngliche nachricht",
	"message d'origine",
	"mensaje original",
	"messaggio originale",
	"oorspronkelijk bericht",
};

static const char *const forward_dashed[] = {
	"forwarded message",
	"weitergeleitete nachricht",
	"message transf\xc3\xa9r\xc3\xa9",
	"mensaje reenviado",
	"messaggio inoltrato",
	"doorgestuurd bericht",
};

static const char *const forward_plain[] = {
	"begin forwarded message",
	"anfang der weitergeleiteten nachricht",
	"début du message réexpédié",
	"inicio del mensaje reenviado",
};

static const char *const hdr_from[] = {
	"From", "Von", "De", "Da", "Van",
};

static const char *const hdr_date[] = {
	"Sent", "Date", "Gesendet", "Datum", "Envoy\xc3\xa9", "Enviado el",
	"Enviado", "Fecha", "Inviato", "Verzonden",
};

static const char *const hdr_to[] = {
	"To", "An", "\xc3\x80", "A", "Para", "Aan", "Subject", "Betreff",
	"Objet", "Asunto", "Oggetto", "Onderwerp", "Cc",
};

static const char *const mobile_lines[] = {
	"sent from my ", "sent from mail for ", "sent from outlook",
	"sent from yahoo", "sent from samsung", "sent from proton",
	"sent with proton", "sent via ", "get outlook for ",
	"von meinem ", "gesendet von ", "envoy\xc3\xa9 de mon ",
	"envoy\xc3\xa9 depuis ", "enviado desde ", "inviato da ",
};

static gboolean
is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of a no-break space (U+00A0, U+202F) at s, else 0. */
static gsize
nbsp_len(const char *s, gsize len)
{
	if (len >= 2 && (guchar)s[0] == 0xc2 && (guchar)s[1] == 0xa0)
		return 2;
	if (len >= 3 && (guchar)s[0] == 0xe2 && (guchar)s[1] == 0x80 &&
	    (guchar)s[2] == 0xaf)
		return 3;
	return 0;
}

/* l without the spaces and tabs around it. */
static struct line
trim(struct line l)
{
	while (l.len > 0 && is_space(l.s[0])) {
		l.s++;
		l.len--;
	}
	while (l.len > 0 && is_space(l.s[l.len - 1]))
		l.len--;
	return l;
}

static gboolean
is_blank(struct line l)
{
	return trim(l).len == 0;
}

static gboolean
is_quoted(struct line l)
{
	l = trim(l);
	return l.len > 0 && l.s[0] == '>';
}

static gboolean
ci_prefix(struct line l, const char *p)
{
	gsize plen = strlen(p);

	return l.len >= plen && g_ascii_strncasecmp(l.s, p, plen) == 0;
}

static gboolean
ci_suffix(struct line l, const char *p)
{
	gsize plen = strlen(p);

	return l.len >= plen &&
	    g_ascii_strncasecmp(l.s + l.len - plen, p, plen) == 0;
}

/* Naive search; callers bound l.len, so this stays cheap. */
static gboolean
ci_contains(struct line l, const char *p)
{
	gsize plen = strlen(p), i;

	for (i = 0; i + plen <= l.len; i++)
		if (g_ascii_strncasecmp(l.s + i, p, plen) == 0)
			return TRUE;
	return FALSE;
}

static gboolean
ci_equal(struct line l, const char *p)
{
	return l.len == strlen(p) && ci_prefix(l, p);
}

static gboolean
any_prefix(struct line l, const char *const *list, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++)
		if (ci_prefix(l, list[i]))
			return TRUE;
	return FALSE;
}

/* Strips '>' quote prefixes and spaces: "> > text" gives "text". */
static struct line
unquote(struct line l)
{
	l = trim(l);
	while (l.len > 0 && (l.s[0] == '>' || is_space(l.s[0]))) {
		l.s++;
		l.len--;
	}
	return l;
}

/* Strips dashes and spaces on both sides; *ndash counts leading ones. */
static struct line
undash(struct line l, gsize *ndash)
{
	*ndash = 0;
	while (l.len > 0 && (l.s[0] == '-' || is_space(l.s[0]))) {
		if (l.s[0] == '-')
			(*ndash)++;
		l.s++;
		l.len--;
	}
	while (l.len > 0 && (l.s[l.len - 1] == '-' ||
	    is_space(l.s[l.len - 1])))
		l.len--;
	return l;
}

static gboolean
is_reply_marker(struct line l)
{
	gsize i;

	l = unquote(l);
	if (l.len > MARKER_MAX)
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(reply_markers); i++)
		if (ci_contains(l, reply_markers[i]))
			return TRUE;
	return FALSE;
}

static gboolean
is_dashed(struct line l, const char *const *list, gsize n)
{
	gsize ndash, i;

	l = undash(trim(l), &ndash);
	if (ndash < 3 || l.len > MARKER_MAX)
		return FALSE;
	for (i = 0; i < n; i++)
		if (ci_equal(l, list[i]))
			return TRUE;
	return FALSE;
}

static gboolean
is_forward(struct line l)
{
	l = trim(l);
	if (is_dashed(l, forward_dashed, G_N_ELEMENTS(forward_dashed)))
		return TRUE;
	return l.len <= MARKER_MAX &&
	    any_prefix(l, forward_plain, G_N_ELEMENTS(forward_plain));
}

/* "From:", "*From:*", "De :", "Envoyé :" with a no-break space... */
static gboolean
has_key(struct line l, const char *key)
{
	gsize klen = strlen(key), nb;

	l = trim(l);
	while (l.len > 0 && l.s[0] == '*') {
		l.s++;
		l.len--;
	}
	if (!ci_prefix(l, key))
		return FALSE;
	l.s += klen;
	l.len -= klen;
	for (;;) {
		if (l.len > 0 && (is_space(l.s[0]) || l.s[0] == '*'))
			nb = 1;
		else
			nb = nbsp_len(l.s, l.len);
		if (nb == 0)
			break;
		l.s += nb;
		l.len -= nb;
	}
	return l.len > 0 && l.s[0] == ':';
}

static gboolean
has_any_key(struct line l, const char *const *keys, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++)
		if (has_key(l, keys[i]))
			return TRUE;
	return FALSE;
}

/* A From: line with a date line and a To:/Subject: line right below. */
static gboolean
is_header_block(const struct scan *sc, gsize i)
{
	gboolean date = FALSE, to = FALSE;
	gsize j;

	if (!has_any_key(sc->lines[i], hdr_from, G_N_ELEMENTS(hdr_from)))
		return FALSE;
	for (j = i + 1; j < sc->n && j <= i + LOOKAHEAD; j++) {
		if (has_any_key(sc->lines[j], hdr_date,
		    G_N_ELEMENTS(hdr_date)))
			date = TRUE;
		else if (has_any_key(sc->lines[j], hdr_to,
		    G_N_ELEMENTS(hdr_to)))
			to = TRUE;
	}
	return date && to;
}

/* Index of the next non-blank line after i, at most LOOKAHEAD away. */
static gsize
next_nonblank(const struct scan *sc, gsize i)
{
	gsize j;

	for (j = i + 1; j < sc->n && j <= i + LOOKAHEAD; j++)
		if (!is_blank(sc->lines[j]))
			return j;
	return sc->n;
}

/* Outlook's "________________________________" line above "From:". */
static gboolean
is_underscore_sep(const struct scan *sc, gsize i)
{
	struct line l = trim(sc->lines[i]);
	gsize k, j;

	if (l.len < 20)
		return FALSE;
	for (k = 0; k < l.len; k++)
		if (l.s[k] != '_')
			return FALSE;
	j = next_nonblank(sc, i);
	return j < sc->n &&
	    has_any_key(sc->lines[j], hdr_from, G_N_ELEMENTS(hdr_from));
}

static gboolean
has_digit_or_at(struct line l)
{
	gsize i;

	for (i = 0; i < l.len; i++)
		if (g_ascii_isdigit(l.s[i]) || l.s[i] == '@')
			return TRUE;
	return FALSE;
}

/* Does the joined attribution text match?  bare: only "... verb:",
 * without the opening word and the date check (used only when '>'
 * lines follow, which is evidence enough). */
static gboolean
attr_text_matches(struct line t, gboolean bare)
{
	struct line body = t;
	const struct attr_lang *lg;
	gsize i, nb;

	if (t.len == 0 || t.s[t.len - 1] != ':')
		return FALSE;
	body.len--;
	for (;;) {
		body = trim(body);
		nb = 0;
		if (body.len >= 2)
			nb = nbsp_len(body.s + body.len - 2, 2);
		if (nb == 0 && body.len >= 3)
			nb = nbsp_len(body.s + body.len - 3, 3);
		if (nb == 0)
			break;
		body.len -= nb;
	}
	for (i = 0; i < G_N_ELEMENTS(attr_langs); i++) {
		lg = &attr_langs[i];
		if (bare) {
			if (ci_suffix(body, lg->verb))
				return TRUE;
			continue;
		}
		if (!ci_prefix(t, lg->start) || !has_digit_or_at(t))
			continue;
		if (ci_suffix(body, lg->verb))
			return TRUE;
		if (lg->mode == AM_CONTAINS && ci_contains(body, lg->verb))
			return TRUE;
	}
	return FALSE;
}

/* Returns how many lines (1 or 2) the attribution at i spans, else 0.
 * Gmail wraps long attributions, so the verb may be on the next line. */
static gsize
attribution_span(const struct scan *sc, gsize i, gboolean bare)
{
	char buf[ATTR_MAX + 2];
	struct line a = trim(sc->lines[i]), b, t;

	if (a.len == 0 || a.len > ATTR_MAX)
		return 0;
	if (attr_text_matches(a, bare))
		return 1;
	if (i + 1 >= sc->n || is_quoted(sc->lines[i + 1]))
		return 0;
	b = trim(sc->lines[i + 1]);
	if (b.len == 0 || a.len + 1 + b.len > ATTR_MAX)
		return 0;
	memcpy(buf, a.s, a.len);
	buf[a.len] = ' ';
	memcpy(buf + a.len + 1, b.s, b.len);
	t.s = buf;
	t.len = a.len + 1 + b.len;
	return attr_text_matches(t, bare) ? 2 : 0;
}

static gboolean
is_original(struct line l)
{
	return is_dashed(l, original_markers,
	    G_N_ELEMENTS(original_markers));
}

/* Handles an attribution at *i.  Returns TRUE if it is a hard cut: a
 * full attribution not followed by '>' lines.  One followed by '>' lines
 * is marked K_ATTR and joins the quote block below it. */
static gboolean
scan_attribution(struct scan *sc, gsize *i)
{
	gboolean full;
	gsize span, next, k;

	span = attribution_span(sc, *i, FALSE);
	full = span > 0;
	if (!full)
		span = attribution_span(sc, *i, TRUE);
	if (span == 0)
		return FALSE;
	next = next_nonblank(sc, *i + span - 1);
	if (next >= sc->n || !is_quoted(sc->lines[next]))
		return full;
	for (k = 0; k < span; k++)
		sc->kind[*i + k] = K_ATTR;
	*i += span - 1;
	return FALSE;
}

/* The top-down pass: finds the hard cut, the forward line, attributions
 * and the kind of every line above them. */
static void
scan_markers(struct scan *sc)
{
	struct line l;
	gsize i;

	for (i = 0; i < sc->n; i++) {
		l = sc->lines[i];
		if (sc->kind[i] == K_ATTR)
			continue;
		if (is_blank(l)) {
			sc->kind[i] = K_BLANK;
			continue;
		}
		if (is_reply_marker(l)) {
			sc->end = i;
			return;
		}
		if (is_quoted(l)) {
			sc->kind[i] = K_QUOTE;
			continue;
		}
		sc->kind[i] = K_TEXT;
		if (is_forward(l)) {
			sc->fwd = i;
			return;
		}
		if (is_original(l) || is_underscore_sep(sc, i) ||
		    is_header_block(sc, i) || scan_attribution(sc, &i)) {
			sc->end = i;
			return;
		}
	}
}

static gboolean
is_sig_sep(struct line l)
{
	return l.len == 3 && memcmp(l.s, "-- ", 3) == 0;
}

static gboolean
is_mobile(struct line l)
{
	l = trim(l);
	return l.len <= 80 &&
	    any_prefix(l, mobile_lines, G_N_ELEMENTS(mobile_lines));
}

/* Collects the quote blocks of lines [0, lim). */
static GArray *
find_blocks(const struct scan *sc, gsize lim)
{
	GArray *blocks = g_array_new(FALSE, FALSE, sizeof(struct block));
	struct block b;
	gsize i = 0, j;

	while (i < lim) {
		if (sc->kind[i] != K_QUOTE && sc->kind[i] != K_ATTR) {
			i++;
			continue;
		}
		b.first = b.last = i;
		for (j = i + 1; j < lim && sc->kind[j] != K_TEXT; j++)
			if (sc->kind[j] != K_BLANK)
				b.last = j;
		g_array_append_val(blocks, b);
		i = b.last + 1;
	}
	return blocks;
}

/* Start of the first block after line s, or lim. */
static gsize
block_after(GArray *blocks, gsize s, gsize lim)
{
	guint k;

	for (k = 0; k < blocks->len; k++)
		if (g_array_index(blocks, struct block, k).first > s)
			return g_array_index(blocks, struct block, k).first;
	return lim;
}

/* Marks the signature in [0, lim) as R_SIG and returns where it starts
 * (lim if none). */
static gsize
mark_signature(struct scan *sc, GArray *blocks, gsize lim)
{
	gsize i, s = lim, t, last = lim;

	for (i = 0; i < lim && s == lim; i++)
		if (sc->kind[i] == K_TEXT && is_sig_sep(sc->lines[i]))
			s = i;
	if (s == lim) {
		for (i = 0; i < lim; i++)
			if (sc->kind[i] == K_TEXT)
				last = i;
		if (last == lim || !is_mobile(sc->lines[last]))
			return lim;
		s = last;
	}
	t = block_after(blocks, s, lim);
	for (i = s; i < t; i++)
		sc->role[i] = R_SIG;
	if (is_sig_sep(sc->lines[s]))
		sc->role[s] = R_SIGSEP;
	return s;
}

/* Decides which quote blocks in [0, lim) are history (see the top). */
static void
mark_blocks(struct scan *sc, GArray *blocks, gsize lim)
{
	gsize i, first = lim, last = lim;
	gboolean interleaved = FALSE, quoted;
	struct block *b;
	guint k;

	for (i = 0; i < lim; i++) {
		if (sc->kind[i] != K_TEXT || sc->role[i] != R_FRESH)
			continue;
		if (first == lim)
			first = i;
		last = i;
	}
	for (k = 0; k < blocks->len; k++) {
		b = &g_array_index(blocks, struct block, k);
		if (first != lim && b->first > first && b->last < last)
			interleaved = TRUE;
	}
	for (k = 0; k < blocks->len; k++) {
		b = &g_array_index(blocks, struct block, k);
		quoted = first == lim || b->first > last ||
		    (!interleaved && b->last < first);
		for (i = b->first; quoted && i <= b->last; i++)
			sc->role[i] = R_QUOTED;
	}
}

/* The lines with the given role, joined, without blank lines around;
 * freed with g_free(). */
static char *
collect(const struct scan *sc, enum role role)
{
	GString *out = g_string_new(NULL);
	gboolean any = FALSE;
	gsize i, lead;

	for (i = 0; i < sc->n; i++) {
		if (sc->role[i] != role)
			continue;
		if (any)
			g_string_append_c(out, '\n');
		any = TRUE;
		g_string_append_len(out, sc->lines[i].s, sc->lines[i].len);
	}
	while (out->len > 0 && g_ascii_isspace(out->str[out->len - 1]))
		g_string_truncate(out, out->len - 1);
	/* Drop leading blank lines but keep the first line's indent. */
	lead = 0;
	for (i = 0; i < out->len && g_ascii_isspace(out->str[i]); i++)
		if (out->str[i] == '\n')
			lead = i + 1;
	g_string_erase(out, 0, lead);
	return g_string_free(out, FALSE);
}

/* Valid UTF-8 with LF line ends; freed with g_free(). */
static char *
normalize(const char *text)
{
	char *valid = g_utf8_make_valid(text, -1), *r, *w;

	for (r = w = valid; *r != '\0'; r++) {
		if (*r == '\r') {
			*w++ = '\n';
			if (r[1] == '\n')
				r++;
		} else
			*w++ = *r;
	}
	*w = '\0';
	return valid;
}

static void
split_lines(struct scan *sc, const char *text)
{
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct line));
	struct line l;
	const char *p = text, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		l.s = p;
		l.len = nl != NULL ? (gsize)(nl - p) : strlen(p);
		g_array_append_val(lines, l);
		p = nl != NULL ? nl + 1 : p + l.len;
	}
	sc->n = lines->len;
	sc->lines = (struct line *)g_array_free(lines, FALSE);
	sc->kind = g_new0(guint8, sc->n + 1);
	sc->role = g_new0(guint8, sc->n + 1);
	sc->end = sc->fwd = sc->n;
}

void
quote_split_text(const char *text, struct quote_split *out)
{
	struct scan sc;
	GArray *blocks;
	char *norm;
	gsize i, lim;

	g_return_if_fail(out != NULL);
	norm = normalize(text != NULL ? text : "");
	split_lines(&sc, norm);
	scan_markers(&sc);
	lim = MIN(sc.end, sc.fwd);
	for (i = sc.end; i < sc.n; i++)
		sc.role[i] = R_QUOTED;
	blocks = find_blocks(&sc, lim);
	mark_signature(&sc, blocks, lim);
	mark_blocks(&sc, blocks, lim);
	out->fresh = collect(&sc, R_FRESH);
	out->quoted = collect(&sc, R_QUOTED);
	out->signature = collect(&sc, R_SIG);
	g_array_free(blocks, TRUE);
	g_free(sc.lines);
	g_free(sc.kind);
	g_free(sc.role);
	g_free(norm);
}

void
quote_split_clear(struct quote_split *q)
{
	if (q == NULL)
		return;
	g_clear_pointer(&q->fresh, g_free);
	g_clear_pointer(&q->quoted, g_free);
	g_clear_pointer(&q->signature, g_free);
}

char *
quote_strip(const char *text)
{
	struct quote_split q;
	char *fresh;

	quote_split_text(text, &q);
	fresh = q.fresh;
	q.fresh = NULL;
	quote_split_clear(&q);
	return fresh;
}
