/*
 * quote: separate the new text of a plain-text reply from the quoted
 * history and a trailing signature.  See quote.h for the contract.
 *
 * The rule (also in postdesk-ingest(8)):
 *  - The new text is everything the sender wrote, in order.  Inline
 *    answers between quoted lines are kept; the '>' lines they answer
 *    stay with them, and so does the attribution that says who asked
 *    (views fold them with the quote).
 *    A reply that only wraps the history ("Thanks", an attribution and
 *    its '>' block, then "Regards, Roman") is no inline answer: the
 *    block goes (is_closing_tail()).
 *  - The trailing quoted history goes: '>' lines after the last new
 *    text, and everything from a hard marker down (with the divider
 *    lines, "====", right above it).
 *  - The signature is kept apart (struct quote_split.signature): from
 *    the first "-- " line ("--" right after quoted history or as the
 *    first line), or phone boilerplate ("Sent from my iPhone") when it
 *    is the last line of new text, short and without a comma ("Sent
 *    from my desk, because ..." is a sentence), or a closing line
 *    ("Regards,") over two to four short lines: a name and a title.
 *    "Best,\nMaria" is a sign-off and stays.  Given the sender's
 *    name (quote_split_sender()), a short line that starts with it
 *    near the end, over only short lines that end no sentence, starts
 *    the signature too ("Jim Smith | Enrollment Manager\nXYZ Corp").
 *  - A forward ("---------- Forwarded message ---------", "Begin
 *    forwarded message:") is new text: it and all below it stay.
 *
 * Every phrase comes from the language table in quote_lang.c (21
 * languages; adding one is adding a row).  The text is cut into lines
 * and scanned once from the top:
 *
 *  - A hard marker ends the new text: a "reply above this line" line, a
 *    separator ("-----Original Message-----" in any language of the
 *    table), a line of underscores above a From: line, a header block
 *    (From/Sent/To/Subject lines in any order, field names of any
 *    language, ':' or the fullwidth '：', a long value wrapped onto a
 *    line of its own; or a dated Date: line over To:), a dashed attribution
 *    ("---- John Smith wrote ----"), or a full attribution not followed
 *    by '>' lines (HTML mail converted to text).
 *  - An attribution is one to three lines (Gmail and Outlook wrap them)
 *    ending in ':' that hold a verb of the table ("wrote", "schrieb",
 *    "a écrit", "napisał(a)", "写道", "님이 작성") at the end or before
 *    a name or address, or Gmail's verb-less "2014-03-20 8:48
 *    GMT+01:00 Name <x@y>:" (a time or a numeric date).  Without the
 *    ':' only "On <date> Name <x@y> wrote" (the verb ends it) and,
 *    over '>' lines, Gmail's "2011/4/7 Name <x@y>".  A full one also
 *    needs evidence: an
 *    address, a numeric date or a year; above '>' lines the verb is
 *    enough.  A line that ends a sentence, or that sits right above an
 *    attribution of its own, is the reply, not part of the attribution;
 *    nor is anything above an opening word ("On", "Am", "Le").
 *  - "Thanks! On Wed, Apr 4, 2012 at 3:59 PM, Bob <b@x> wrote:" is
 *    split when lines are cut: the text before the opening word (any
 *    text; before a date only a sentence) is new text, also when Yahoo
 *    glued them with dashes ("reply--- On ... wrote:").
 *  - Above the hard marker, runs of '>' lines (with the attribution that
 *    introduces them) form quote blocks:
 *      * no new text after a block (top posting): the block is history;
 *      * no new text before it and none of the blocks sits between new
 *        text (bottom posting): the leading block is history too;
 *      * a block with new text on both sides means an inline reply: the
 *        answers make no sense without their questions, so the inner
 *        blocks stay in the new text and only the trailing block goes.
 *
 * Every line is looked at a bounded number of times, lines longer than
 * ATTR_MAX or MARKER_MAX are never searched, and every lookahead is
 * bounded, so the whole split is linear in the input size (no regular
 * expressions, so no backtracking).
 */
#include <string.h>

#include "quote.h"
#include "quote_lang.h"

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
	const char	*rule;		/* what made the hard cut, or NULL */
	const char	*sender;	/* From display name, or NULL */
};

/* Each language row of quote_lang.c, list by list. */
#define FOR_LIST(lg, field, w, body) do {				\
	gsize li_, wi_;							\
	for (li_ = 0; li_ < quote_n_langs; li_++) {			\
		(lg) = &quote_langs[li_];				\
		for (wi_ = 0; wi_ < QL_MAX &&				\
		    ((w) = (lg)->field[wi_]) != NULL; wi_++) {		\
			body						\
		}							\
	}								\
} while (0)

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

/* l without the spaces, tabs and no-break spaces around it. */
static struct line
trim(struct line l)
{
	gsize nb;

	for (;;) {
		if (l.len > 0 && is_space(l.s[0]))
			nb = 1;
		else
			nb = nbsp_len(l.s, l.len);
		if (nb == 0)
			break;
		l.s += nb;
		l.len -= nb;
	}
	for (;;) {
		nb = 0;
		if (l.len > 0 && is_space(l.s[l.len - 1]))
			nb = 1;
		else if (l.len >= 2 && nbsp_len(l.s + l.len - 2, 2) == 2)
			nb = 2;
		else if (l.len >= 3 && nbsp_len(l.s + l.len - 3, 3) == 3)
			nb = 3;
		if (nb == 0)
			break;
		l.len -= nb;
	}
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

/* ASCII lower case, inline: the table searches call this per byte. */
static inline char
lc(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* If l starts with p, compared case-insensitively (Unicode simple case
 * folding, so "ИСХОДНОЕ" matches "исходное"), the bytes of l it covers,
 * else 0.  The text is valid UTF-8 (normalize() made it so). */
static gsize
ci_prefix_len(struct line l, const char *p)
{
	gsize i = 0, j = 0, si, sj;

	while (p[j] != '\0') {
		if (i >= l.len)
			return 0;
		if (((guchar)l.s[i] | (guchar)p[j]) < 0x80) {
			if (lc(l.s[i]) != lc(p[j]))
				return 0;
			i++;
			j++;
			continue;
		}
		si = g_utf8_skip[(guchar)l.s[i]];
		sj = g_utf8_skip[(guchar)p[j]];
		if (i + si > l.len)
			return 0;
		if (g_unichar_tolower(g_utf8_get_char(l.s + i)) !=
		    g_unichar_tolower(g_utf8_get_char(p + j)))
			return 0;
		i += si;
		j += sj;
	}
	return i;
}

/* A cheap filter before ci_prefix_len(): could a string starting with
 * byte a match one starting with byte b?  Only ASCII is decided here
 * (Cyrillic "Т" and "т" have different lead bytes). */
static inline gboolean
same_first(char a, char b)
{
	if (((guchar)a | (guchar)b) >= 0x80)
		return ((guchar)a & (guchar)b) >= 0x80;
	return lc(a) == lc(b);
}

static gboolean
ci_prefix(struct line l, const char *p)
{
	return *p == '\0' || ci_prefix_len(l, p) > 0;
}

static gboolean
ci_equal(struct line l, const char *p)
{
	return ci_prefix_len(l, p) == l.len && l.len > 0;
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

/* Strips dashes, spaces and '=' on both sides; *lead and *tail count
 * the dashes removed at each end. */
static struct line
undash(struct line l, gsize *lead, gsize *tail)
{
	*lead = *tail = 0;
	while (l.len > 0 && (l.s[0] == '-' || is_space(l.s[0]))) {
		if (l.s[0] == '-')
			(*lead)++;
		l.s++;
		l.len--;
	}
	while (l.len > 0 && (l.s[l.len - 1] == '-' ||
	    is_space(l.s[l.len - 1]))) {
		if (l.s[l.len - 1] == '-')
			(*tail)++;
		l.len--;
	}
	return l;
}

/* Does the (bounded) line contain p anywhere? */
static gboolean
ci_contains(struct line l, const char *p)
{
	struct line t;
	gsize i;

	for (i = 0; i < l.len; i++) {
		if (!same_first(l.s[i], p[0]))
			continue;
		t.s = l.s + i;
		t.len = l.len - i;
		if (ci_prefix(t, p))
			return TRUE;
	}
	return FALSE;
}

static gboolean
is_reply_marker(struct line l)
{
	gsize i;

	l = unquote(l);
	if (l.len > MARKER_MAX)
		return FALSE;
	for (i = 0; quote_reply_markers[i] != NULL; i++)
		if (ci_contains(l, quote_reply_markers[i]))
			return TRUE;
	return FALSE;
}

/* "-----Original Message-----", "----- Mensaje original -----". */
static gboolean
is_separator(struct line l)
{
	const struct quote_lang *lg;
	const char *w;
	gsize lead, tail;

	l = trim(l);
	if (l.len == 0 || l.s[0] != '-')
		return FALSE;
	l = undash(l, &lead, &tail);
	if (lead < 3 || l.len > MARKER_MAX)
		return FALSE;
	FOR_LIST(lg, separator, w, {
		if (ci_equal(l, w))
			return TRUE;
	});
	return FALSE;
}

static gboolean
is_forward(struct line l)
{
	const struct quote_lang *lg;
	const char *w;
	gsize lead, tail, n;
	struct line d;

	l = trim(l);
	if (l.len == 0 || l.len > MARKER_MAX)
		return FALSE;
	d = undash(l, &lead, &tail);
	FOR_LIST(lg, forward, w, {
		if (lead >= 3 && ci_equal(d, w))
			return TRUE;
		if (!same_first(l.s[0], w[0]))
			continue;
		n = ci_prefix_len(l, w);
		if (n > 0 && (n == l.len || l.s[l.len - 1] == ':'))
			return TRUE;
	});
	return FALSE;
}

/* Length of ':' or the fullwidth '：' (U+FF1A) at s, else 0. */
static gsize
colon_len(const char *s, gsize len)
{
	if (len >= 1 && s[0] == ':')
		return 1;
	if (len >= 3 && (guchar)s[0] == 0xef && (guchar)s[1] == 0xbc &&
	    (guchar)s[2] == 0x9a)
		return 3;
	return 0;
}

/* "From:", "*From:*", "De :", "Envoyé :" with a no-break space... */
static gboolean
has_key(struct line l, const char *key)
{
	gsize klen, nb;

	l = trim(l);
	while (l.len > 0 && l.s[0] == '*') {
		l.s++;
		l.len--;
	}
	if (l.len == 0 || !same_first(l.s[0], key[0]))
		return FALSE;
	klen = ci_prefix_len(l, key);
	if (klen == 0)
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
	return colon_len(l.s, l.len) > 0;
}

enum hkind { H_NONE, H_FROM, H_DATE, H_TO };

/* Field names are short: a ':' (or '：') within the first bytes. */
static gboolean
has_colon_early(struct line l)
{
	gsize i, n = MIN(l.len, 48);

	for (i = 0; i < n; i++)
		if (colon_len(l.s + i, l.len - i) > 0)
			return TRUE;
	return FALSE;
}

static enum hkind
header_kind(struct line l)
{
	const struct quote_lang *lg;
	const char *w;

	l = trim(l);
	if (l.len > ATTR_MAX || !has_colon_early(l))
		return H_NONE;
	FOR_LIST(lg, hdr_from, w, {
		if (has_key(l, w))
			return H_FROM;
	});
	FOR_LIST(lg, hdr_date, w, {
		if (has_key(l, w))
			return H_DATE;
	});
	FOR_LIST(lg, hdr_to, w, {
		if (has_key(l, w))
			return H_TO;
	});
	return H_NONE;
}

/* A block of header lines (any order) starting at i, with a From line
 * and a date line and a To/Subject line, or From and two of the last,
 * or (a pasted or forwarded header) a first Date line holding a date
 * over a To line.  A long value may wrap onto one line of its own
 * ("From: Human Resources\n<hr@example.com>"). */
#define HDR_WRAPS	2
static gboolean has_evidence(struct line);
static gboolean has_date(struct line);

/* HTML's "<b>From: bob@x</b> <b>Date: Thu, 24 Mar 2016 ...</b>" as one
 * line: a From line that goes on with a dated date field. */
static gboolean
from_and_date_line(struct line l)
{
	const struct quote_lang *lg;
	const char *w;
	struct line t;
	gsize k;

	l = trim(l);
	if (l.len > ATTR_MAX)
		return FALSE;
	for (k = 1; k + 1 < l.len; k++) {
		if (l.s[k - 1] != ' ')
			continue;
		t.s = l.s + k;
		t.len = l.len - k;
		FOR_LIST(lg, hdr_date, w, {
			if (has_key(t, w))
				return has_date(t);
		});
	}
	return FALSE;
}

static gboolean
is_header_block(const struct scan *sc, gsize i)
{
	gsize j, nto = 0, wraps = 0;
	gboolean from = FALSE, date = FALSE, wrapped = FALSE;
	enum hkind k;

	for (j = i; j < sc->n && j <= i + LOOKAHEAD + wraps; j++) {
		k = header_kind(sc->lines[j]);
		if (k == H_NONE) {
			if (j == i)
				return FALSE;
			/* one wrapped line per field, never two in a row */
			if (wrapped || wraps == HDR_WRAPS ||
			    is_blank(sc->lines[j]))
				break;
			wrapped = TRUE;
			wraps++;
			continue;
		}
		wrapped = FALSE;
		if (k == H_FROM)
			from = TRUE;
		else if (k == H_DATE)
			date = TRUE;
		else
			nto++;
	}
	if (!from && date && nto >= 1 &&
	    header_kind(sc->lines[i]) == H_DATE)
		return has_evidence(sc->lines[i]);
	if (from && !date && nto == 0)
		return from_and_date_line(sc->lines[i]);
	return from && ((date && nto >= 1) || nto >= 2);
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
	return j < sc->n && header_kind(sc->lines[j]) == H_FROM;
}

/* Evidence that a line is about a message: an address, a numeric date
 * (1/2/24, 01.01.24, 2024-03-20) or a year (1990-2099).  A time alone
 * is not: "On Monday at 10:00 she wrote:" is prose. */
static gboolean
has_date(struct line l)
{
	gsize i, j, groups;

	for (i = 0; i < l.len; i++) {
		if (!g_ascii_isdigit(l.s[i]) ||
		    (i > 0 && g_ascii_isdigit(l.s[i - 1])))
			continue;
		for (j = i; j < l.len && g_ascii_isdigit(l.s[j]); j++)
			;
		if (j - i == 4 && (l.s[i] == '1' || l.s[i] == '2') &&
		    (l.s[i + 1] == '9' || l.s[i + 1] == '0'))
			return TRUE;
		/* d[./-]d[./-]d */
		for (groups = 1; j + 1 < l.len && strchr("./-", l.s[j]) &&
		    g_ascii_isdigit(l.s[j + 1]); groups++)
			for (j++; j < l.len && g_ascii_isdigit(l.s[j]); j++)
				;
		if (groups >= 3)
			return TRUE;
	}
	return FALSE;
}

static gboolean
has_evidence(struct line l)
{
	return memchr(l.s, '@', l.len) != NULL || has_date(l);
}

static gboolean
has_time(struct line l)
{
	gsize i;

	for (i = 0; i + 2 < l.len; i++)
		if (g_ascii_isdigit(l.s[i]) && l.s[i + 1] == ':' &&
		    g_ascii_isdigit(l.s[i + 2]))
			return TRUE;
	return FALSE;
}

static gboolean
has_address_char(struct line l)
{
	return memchr(l.s, '@', l.len) != NULL ||
	    memchr(l.s, '<', l.len) != NULL;
}

static gboolean
starts_with_opener(struct line l)
{
	const struct quote_lang *lg;
	const char *w;

	if (l.len == 0)
		return FALSE;
	FOR_LIST(lg, attr_open, w, {
		if (same_first(l.s[0], w[0]) && ci_prefix(l, w))
			return TRUE;
	});
	return FALSE;
}

enum amode {
	AM_FULL,	/* a hard cut on its own: needs evidence */
	AM_QUOTED,	/* '>' lines follow: the verb is enough */
	AM_DASHED,	/* "---- John Smith wrote ----" */
};

/* Where a verb may be: what follows it ("Bob <b@x>", "(a)", "am 1.1.24
 * um 10:00") tells an attribution from prose. */
static gboolean
verb_fits(struct line body, gsize end, enum amode mode, gboolean open)
{
	struct line after;

	after.s = body.s + end;
	after.len = body.len - end;
	after = trim(after);
	if (after.len == 0 || (after.s[0] == '(' && after.len <= 6))
		return TRUE;
	if (mode == AM_DASHED)
		return FALSE;
	return has_address_char(after) || has_time(after) ||
	    (open && after.len <= 60);
}

/* Does the attribution text t match?  See the modes above. */
static gboolean
attr_text_matches(struct line t, enum amode mode)
{
	const struct quote_lang *lg;
	const char *w;
	struct line body = trim(t), rest;
	gboolean open;
	gsize c = 0, i, n;
	gboolean bare = FALSE;	/* no ':' at the end */

	if (mode != AM_DASHED) {
		if (body.len >= 1 && body.s[body.len - 1] == ':')
			c = 1;
		else if (body.len >= 3)
			c = colon_len(body.s + body.len - 3, 3);
		/* "On <date> Bob <b@x> wrote" without its ':' (the verb
		 * must end it), and Gmail's old "2011/4/7 Bob <b@x>" over
		 * '>' lines */
		if (c == 0 && body.len > 0 && memchr(body.s, '@', body.len) &&
		    (starts_with_opener(body) || (mode == AM_QUOTED &&
		    g_ascii_isdigit(body.s[0]) &&
		    body.s[body.len - 1] == '>')))
			bare = TRUE;
		else if (c == 0)
			return FALSE;
		body.len -= c;
		body = trim(body);
		if (mode == AM_FULL && !has_evidence(body))
			return FALSE;
	}
	if (body.len == 0)
		return FALSE;
	open = starts_with_opener(body);
	for (i = 0; i < body.len; i++) {
		/* verbs starting with a Latin letter start a word */
		if (i > 0 && g_ascii_isalpha(body.s[i]) &&
		    g_ascii_isalnum(body.s[i - 1]))
			continue;
		/* verbs start with a letter; not inside a UTF-8 sequence */
		if ((body.s[i] & 0xc0) == 0x80 || ((guchar)body.s[i] < 0x80 &&
		    !g_ascii_isalpha(body.s[i])))
			continue;
		rest.s = body.s + i;
		rest.len = body.len - i;
		FOR_LIST(lg, attr_verb, w, {
			if (!same_first(rest.s[0], w[0]))
				continue;
			n = ci_prefix_len(rest, w);
			if (n > 0 && (i + n == body.len ||
			    (!bare && !g_ascii_isalnum(body.s[i + n]))) &&
			    verb_fits(body, i + n, mode, open))
				return TRUE;
		});
	}
	/* Gmail without a verb: "2014-03-20 8:48 GMT+01:00 Name <x@y>:",
	 * "2024年1月1日(月) 10:00 Name <x@y>:" */
	if (mode == AM_DASHED || body.s[body.len - 1] != '>' ||
	    memchr(body.s, '@', body.len) == NULL)
		return FALSE;
	/* without the ':' only over '>' lines, led by its date */
	if (bare)
		return mode == AM_QUOTED && g_ascii_isdigit(body.s[0]);
	return has_time(body) || has_date(body);
}

/* Joins lines [i, i + span) with spaces into buf; FALSE if too long or
 * a line is blank or quoted. */
static gboolean
join_lines(const struct scan *sc, gsize i, gsize span, char *buf,
    struct line *t)
{
	struct line a;
	gsize k, len = 0;

	for (k = 0; k < span; k++) {
		if (i + k >= sc->n)
			return FALSE;
		a = trim(sc->lines[i + k]);
		/* nothing above an opening word ("On", "Am") belongs to
		 * the attribution it opens */
		if (a.len == 0 || (k > 0 && (is_quoted(a) ||
		    starts_with_opener(a))) || len + a.len + 1 > ATTR_MAX)
			return FALSE;
		if (k > 0)
			buf[len++] = ' ';
		memcpy(buf + len, a.s, a.len);
		len += a.len;
	}
	t->s = buf;
	t->len = len;
	return TRUE;
}

/* Length of the sentence end at the end of l: ".", "!", "?" or the
 * fullwidth "。", "！", "？"; *dot says it was a plain ".". */
static gsize
sentence_end(struct line l, gboolean *dot)
{
	static const char *const wide[] = { "\xe3\x80\x82", "\xef\xbc\x81",
	    "\xef\xbc\x9f" };
	gsize k;

	*dot = FALSE;
	if (l.len == 0)
		return 0;
	if (l.s[l.len - 1] == '.')
		*dot = TRUE;
	if (strchr(".!?", l.s[l.len - 1]) != NULL)
		return 1;
	for (k = 0; k < G_N_ELEMENTS(wide) && l.len >= 3; k++)
		if (memcmp(l.s + l.len - 3, wide[k], 3) == 0)
			return 3;
	return 0;
}

/* A sentence of the reply, not the start of a date ("Le lun.",
 * "po 1."): ends like a sentence, no digit, and "!", "?" or three
 * words before a ".". */
static gboolean
is_sentence(struct line l)
{
	gsize i, words = 1;
	gboolean dot;

	l = trim(l);
	if (sentence_end(l, &dot) == 0)
		return FALSE;
	for (i = 0; i < l.len; i++) {
		if (g_ascii_isdigit(l.s[i]))
			return FALSE;
		if (l.s[i] == ' ')
			words++;
	}
	return !dot || words >= 3;
}

static gsize attribution_span(const struct scan *, gsize, enum amode,
    gboolean);

/* Could an attribution begin here ("On ...", "Am ...", a date)? */
static gboolean
starts_attribution(struct line l)
{
	l = trim(l);
	return l.len > 0 && (starts_with_opener(l) || g_ascii_isdigit(l.s[0]));
}

/* Returns how many lines (1 to 3) the attribution at i spans, else 0.
 * Gmail and Outlook wrap long attributions.  A line that ends a
 * sentence, or sits right above an attribution of its own, is the
 * reply, not the start of a wrapped attribution. */
static gsize
attribution_span(const struct scan *sc, gsize i, enum amode mode,
    gboolean look)
{
	char buf[ATTR_MAX + 2];
	struct line t, b, a = trim(sc->lines[i]);
	gsize span;

	if (a.len == 0 || a.len > ATTR_MAX || is_quoted(a))
		return 0;
	if (join_lines(sc, i, 1, buf, &t) && attr_text_matches(t, mode))
		return 1;
	if (a.s[a.len - 1] == ':' ||
	    (is_sentence(a) && !starts_attribution(a)))
		return 0;
	if (look && i + 1 < sc->n) {
		b = trim(sc->lines[i + 1]);
		if (starts_with_opener(b) &&
		    attribution_span(sc, i + 1, mode, FALSE) > 0)
			return 0;
		/* "<ann@x>" goes on; "Thanks" above "1 jan 2024, Ann
		 * wrote:" is the reply unless it holds a date itself */
		if (!starts_attribution(a) && !has_evidence(a) &&
		    b.s[0] != '<' && join_lines(sc, i + 1, 1, buf, &t) &&
		    attr_text_matches(t, mode))
			return 0;
	}
	for (span = 2; span <= 3; span++)
		if (join_lines(sc, i, span, buf, &t) &&
		    attr_text_matches(t, mode))
			return span;
	return 0;
}

/* "---- John Smith wrote ----", "------On 1/1/24, Ann wrote-----". */
static gboolean
is_dashed_attribution(struct line l)
{
	gsize lead, tail;

	l = trim(l);
	if (l.len > ATTR_MAX)
		return FALSE;
	l = undash(l, &lead, &tail);
	return lead >= 2 && tail >= 2 && attr_text_matches(l, AM_DASHED);
}

/* Handles an attribution at *i.  Returns TRUE if it is a hard cut: a
 * full attribution not followed by '>' lines.  One followed by '>' lines
 * is marked K_ATTR and joins the quote block below it. */
static gboolean
scan_attribution(struct scan *sc, gsize *i)
{
	gboolean full;
	gsize span, next, k;

	if (is_dashed_attribution(sc->lines[*i]))
		return TRUE;
	span = attribution_span(sc, *i, AM_FULL, TRUE);
	full = span > 0;
	if (!full)
		span = attribution_span(sc, *i, AM_QUOTED, TRUE);
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

/* "Thanks! On Wed, Apr 4, 2012 at 3:59 PM, Bob <b@x> wrote:": the byte
 * offset where an attribution starts after the reply, else 0; *head is
 * the length of the reply before it (without Yahoo's "---" that glues
 * "reply--- On ... wrote:").  Before the table's opening word any
 * reply will do ("reply On Wed ... wrote:"); before a date it must end
 * a sentence. */
static gsize
shared_attribution(struct line l, gsize *head)
{
	struct line t, before;
	gsize i, d;
	int pass;

	if (l.len > ATTR_MAX || l.len < 4 || is_quoted(l))
		return 0;
	/* an attribution ends in ':' or holds an address: most lines go
	 * here, before the searches at every space below */
	if (l.s[l.len - 1] != ':' && colon_len(l.s + l.len - MIN(l.len, 3),
	    MIN(l.len, 3)) != 3 && memchr(l.s, '@', l.len) == NULL)
		return 0;
	if (starts_attribution(l) && attr_text_matches(l, AM_FULL))
		return 0;
	/* first one that opens with the table's word ("On", "Am"), then
	 * the earliest: "It works. Thanks! On Wed ..." splits before "On",
	 * "Takk. man. 1. jan. 2024 ... skrev" before "man." */
	for (pass = 0; pass < 2; pass++)
		for (i = 2; i + 1 < l.len; i++) {
			if (l.s[i - 1] != ' ')
				continue;
			before.s = l.s;
			before.len = i - 1;
			for (d = 0; before.len > 0 &&
			    before.s[before.len - 1] == '-'; d++)
				before.len--;
			before = trim(before);
			if (before.len == 0 || (d > 0 && d < 2))
				continue;
			t.s = l.s + i;
			t.len = l.len - i;
			if (pass == 0 && !starts_with_opener(t))
				continue;
			/* "man. 1. jan. 2024 kl. 10:00 skrev": a date's dots */
			if (pass == 1 && d == 0 && !is_sentence(before))
				continue;
			if (attr_text_matches(t, AM_FULL)) {
				*head = before.len;
				return i;
			}
		}
	return 0;
}

/* A line drawn with one character ("====", "*****", "~~~~"): a
 * divider some clients put above the header block. */
static gboolean
is_rule_line(struct line l)
{
	gsize k;

	l = trim(l);
	if (l.len < 3 || strchr("=-_*~#", l.s[0]) == NULL)
		return FALSE;
	for (k = 1; k < l.len; k++)
		if (l.s[k] != l.s[0])
			return FALSE;
	return TRUE;
}

/* The hard cut at i, moved up over the divider lines right above it. */
static gsize
rule_lines_above(const struct scan *sc, gsize i)
{
	gsize k, end = i;

	for (k = i; k-- > 0 && i - k <= LOOKAHEAD;) {
		if (is_blank(sc->lines[k]))
			continue;
		if (sc->kind[k] != K_TEXT || !is_rule_line(sc->lines[k]))
			break;
		end = k;
	}
	return end;
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
			sc->rule = "reply marker";
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
		if (is_separator(l))
			sc->rule = "separator";
		else if (is_underscore_sep(sc, i))
			sc->rule = "underscore separator";
		else if (is_header_block(sc, i))
			sc->rule = "header block";
		else if (scan_attribution(sc, &i))
			sc->rule = "attribution";
		if (sc->rule != NULL) {
			sc->end = rule_lines_above(sc, i);
			return;
		}
	}
}

static gboolean
is_sig_sep(struct line l)
{
	return l.len == 3 && memcmp(l.s, "-- ", 3) == 0;
}

/* The signature line at i: "-- ", or "--" whose space a client trimmed
 * when it comes right after quoted history (elsewhere "--" is as likely
 * a divider of the text). */
static gboolean
is_sig_sep_at(const struct scan *sc, gsize i)
{
	struct line l = sc->lines[i];
	gsize k;

	if (is_sig_sep(l))
		return TRUE;
	while (l.len > 2 && is_space(l.s[l.len - 1]))
		l.len--;
	if (l.len != 2 || memcmp(l.s, "--", 2) != 0)
		return FALSE;
	for (k = i; k-- > 0 && sc->kind[k] == K_BLANK;)
		;
	/* nothing above it: the message is a signature only */
	return k >= i || sc->kind[k] == K_QUOTE || sc->kind[k] == K_ATTR;
}

/* Length of the closing word at the start of l ("Regards" of
 * "Regards, Roman"), when a ',', '!', '.', a space or the end follows
 * it; else 0. */
static gsize
valediction_len(struct line l)
{
	gsize i, n;

	for (i = 0; quote_valedictions[i] != NULL; i++) {
		if (l.len == 0 || !same_first(l.s[0], quote_valedictions[i][0]))
			continue;
		n = ci_prefix_len(l, quote_valedictions[i]);
		if (n > 0 && (n == l.len || strchr(",!. ", l.s[n]) != NULL))
			return n;
	}
	return 0;
}

/* "Regards,", "Mit freundlichen Grüßen" alone on a line; "Med venlig
 * hilsen / Kind regards" too. */
static gboolean
is_valediction(struct line l)
{
	const char *slash;
	gsize i;

	l = trim(l);
	slash = g_strstr_len(l.s, (gssize)l.len, " / ");
	if (slash != NULL)
		l.len = (gsize)(slash - l.s);
	while (l.len > 0 && strchr(",!.", l.s[l.len - 1]) != NULL)
		l.len--;
	if (l.len == 0 || l.len > 40)
		return FALSE;
	for (i = 0; quote_valedictions[i] != NULL; i++)
		if (same_first(l.s[0], quote_valedictions[i][0]) &&
		    ci_equal(l, quote_valedictions[i]))
			return TRUE;
	return FALSE;
}

/* A closing line over two to SIG_TAIL short lines (a name and a title
 * or company: a signature card) at the end of the new text: the line
 * where that signature starts, else lim.  "Best,\nMaria" is a sign-off
 * and stays.  last is the last line of new text. */
#define SIG_TAIL	4
static gsize
valediction_start(const struct scan *sc, gsize last, gsize lim)
{
	gsize k, seen = 0, above;

	for (k = last + 1; k-- > 0;) {
		if (sc->kind[k] == K_BLANK)
			continue;
		if (sc->kind[k] != K_TEXT || trim(sc->lines[k]).len > 60)
			return lim;
		if (is_valediction(sc->lines[k])) {
			if (seen < 2)
				return lim;
			/* some new text must stay above it */
			for (above = 0; above < k; above++)
				if (sc->kind[above] == K_TEXT)
					return k;
			return lim;
		}
		if (++seen > SIG_TAIL)
			return lim;
	}
	return lim;
}

/* Phone boilerplate: a short line that starts with one of the table's
 * phrases and is not a sentence going on ("Sent from my desk, because
 * ..." is prose).  Only ever tried on the last line of new text. */
static gboolean
is_mobile(struct line l)
{
	const struct quote_lang *lg;
	const char *w;
	gsize words = 1, i;

	l = trim(l);
	if (l.len > 120 || memchr(l.s, ',', l.len) != NULL ||
	    memchr(l.s, ';', l.len) != NULL)
		return FALSE;
	for (i = 0; i < l.len; i++)
		if (l.s[i] == ' ')
			words++;
	if (words > 9)
		return FALSE;
	FOR_LIST(lg, mobile, w, {
		if (ci_prefix(l, w))
			return TRUE;
	});
	return FALSE;
}

/* Does l hold the piece of a link that a client wrapped out of the
 * '>' line above: "(http://x/y) >" or the "_rest=1)" of an unclosed
 * "(http://x/" on prev? */
static gboolean
is_link_piece(struct line l, struct line prev)
{
	struct line t = trim(l);
	const char *open, *close;

	if (t.len == 0 || t.len > MARKER_MAX)
		return FALSE;
	if (t.s[0] == '(' && t.len > 8 && memcmp(t.s + 1, "http", 4) == 0)
		return TRUE;
	if (memchr(t.s, ' ', t.len) != NULL || memchr(t.s, ')', t.len) == NULL)
		return FALSE;
	prev = trim(prev);
	open = g_strrstr_len(prev.s, (gssize)prev.len, "(http");
	if (open == NULL)
		return FALSE;
	close = memchr(open, ')', prev.len - (gsize)(open - prev.s));
	return close == NULL;
}

/* '>' lines broken by a wrapped link stay one run: the piece between
 * two '>' lines is quoted too, not an inline answer. */
static void
join_link_pieces(struct scan *sc, gsize lim)
{
	gsize i;

	for (i = 1; i + 1 < lim; i++)
		if (sc->kind[i] == K_TEXT && sc->kind[i - 1] == K_QUOTE &&
		    sc->kind[i + 1] == K_QUOTE &&
		    is_link_piece(sc->lines[i], sc->lines[i - 1]))
			sc->kind[i] = K_QUOTE;
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

/* "______________" (at least FOOTER_RULE underscores) */
#define FOOTER_RULE	10
static gboolean
is_footer_rule(struct line l)
{
	gsize k;

	l = trim(l);
	if (l.len < FOOTER_RULE)
		return FALSE;
	for (k = 0; k < l.len; k++)
		if (l.s[k] != '_')
			return FALSE;
	return TRUE;
}

/* A mailing-list footer: a line of underscores over two to SIG_TAIL + 1
 * lines at the end of the new text ("riak-users mailing list", the
 * address, the list URL), with new text above it (an underscore line
 * over a From: line is Outlook's separator, found before this).  Where
 * it starts, else lim. */
static gsize
footer_start(const struct scan *sc, gsize last, gsize lim)
{
	gsize k, seen = 0, above;

	for (k = last + 1; k-- > 0;) {
		if (sc->kind[k] == K_BLANK)
			continue;
		if (sc->kind[k] != K_TEXT)
			return lim;
		if (is_footer_rule(sc->lines[k])) {
			/* a list footer has a name and an address or URL;
			 * "____\nThanks" is a rule in the text */
			if (seen < 2)
				return lim;
			for (above = 0; above < k; above++)
				if (sc->kind[above] != K_BLANK)
					return k;
			return lim;
		}
		if (++seen > SIG_TAIL + 1)
			return lim;
	}
	return lim;
}

/* The sender's display name at the start of a short line near the end,
 * over at most SIG_TAIL short lines that end no sentence (a title, a
 * company, a phone): a signature without "-- " ("Jim Smith | Enrollment
 * Manager\nXYZ Corp").  After the name only the line's end or a
 * separator may follow ("Jim Smith will call" is prose), and the name
 * alone as the last line is a sign-off that stays.  Where it starts,
 * else lim. */
static gsize
name_start(const struct scan *sc, gsize last, gsize lim)
{
	gsize k, seen = 0, above, n, nlen;
	struct line t, rest;
	gboolean dot;

	if (sc->sender == NULL || (nlen = strlen(sc->sender)) < 3)
		return lim;
	for (k = last + 1; k-- > 0;) {
		if (sc->kind[k] == K_BLANK)
			continue;
		if (sc->kind[k] != K_TEXT)
			return lim;
		t = trim(sc->lines[k]);
		if (t.len > 60)
			return lim;
		n = same_first(t.s[0], sc->sender[0]) ?
		    ci_prefix_len(t, sc->sender) : 0;
		if (n > 0) {
			rest.s = t.s + n;
			rest.len = t.len - n;
			rest = trim(rest);
			if (rest.len > 0 && strchr("|,-/(<", rest.s[0]) == NULL &&
			    !ci_prefix(rest, "\xe2\x80\x93"))
				return lim;
			if (seen == 0 && rest.len == 0)
				return lim;
			for (above = 0; above < k; above++)
				if (sc->kind[above] == K_TEXT)
					return k;
			return lim;
		}
		if (sentence_end(t, &dot) > 0 || ++seen > SIG_TAIL)
			return lim;
	}
	return lim;
}

/* Marks the signature in [0, lim) as R_SIG and returns where it starts
 * (lim if none). */
static gsize
mark_signature(struct scan *sc, GArray *blocks, gsize lim)
{
	gsize i, s = lim, t, last = lim;

	for (i = 0; i < lim && s == lim; i++)
		if (sc->kind[i] == K_TEXT && is_sig_sep_at(sc, i))
			s = i;
	if (s == lim) {
		for (i = 0; i < lim; i++)
			if (sc->kind[i] == K_TEXT)
				last = i;
		if (last == lim)
			return lim;
		if (is_mobile(sc->lines[last]))
			s = last;
		else if ((s = valediction_start(sc, last, lim)) == lim &&
		    (s = footer_start(sc, last, lim)) == lim &&
		    (s = name_start(sc, last, lim)) == lim)
			return lim;
	}
	t = block_after(blocks, s, lim);
	for (i = s; i < t; i++)
		sc->role[i] = R_SIG;
	if (is_sig_sep_at(sc, s) || is_footer_rule(sc->lines[s]))
		sc->role[s] = R_SIGSEP;
	return s;
}

/* Is the new text after the only inner block a closing ("Regards,
 * Roman", "-Bob") rather than an answer ("Do you agree?")?  The block
 * is introduced by an attribution, is the last block, and at most
 * CLOSING_MAX lines of new text follow it, the first opening with a
 * closing word, or one short line that ends no sentence: then the
 * reply wraps the history and the block goes. */
#define CLOSING_MAX	3
static gboolean
is_closing_tail(const struct scan *sc, GArray *blocks, gsize last)
{
	const struct block *b;
	struct line t = { NULL, 0 };
	gsize i, n = 0;
	gboolean dot;

	if (blocks->len != 1)
		return FALSE;
	b = &g_array_index(blocks, struct block, 0);
	if (sc->kind[b->first] != K_ATTR)
		return FALSE;
	for (i = b->last + 1; i <= last; i++) {
		if (sc->kind[i] != K_TEXT || sc->role[i] != R_FRESH)
			continue;
		if (n++ == 0)
			t = trim(sc->lines[i]);
		if (n > CLOSING_MAX)
			return FALSE;
	}
	if (n == 0)
		return FALSE;
	if (valediction_len(t) > 0)
		return TRUE;
	return n == 1 && t.len <= 30 && sentence_end(t, &dot) == 0;
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
	if (interleaved && is_closing_tail(sc, blocks, last))
		interleaved = FALSE;
	for (k = 0; k < blocks->len; k++) {
		b = &g_array_index(blocks, struct block, k);
		quoted = first == lim || b->first > last ||
		    (!interleaved && (b->last < first ||
		    b->first > first));
		for (i = b->first; i <= b->last; i++)
			if (quoted)
				sc->role[i] = R_QUOTED;
	}
}

/* The lines with the given role, joined, without blank lines around;
 * where lines of another role went, the blank lines on both sides
 * shrink to the fewer of the two ("Hi,\n\n<quote>\n\nBob" keeps one,
 * "Hi,\n<quote>\n\nBob" none).  Freed with g_free(). */
static char *
collect(const struct scan *sc, enum role role)
{
	GString *out = g_string_new(NULL);
	gboolean any = FALSE, gap = FALSE;
	gsize i, k, lead, blanks = 0, before = 0, from = 0, skip;

	/* blank lines wait in [from, i) until the next line of the role
	 * says how many of them stay; they keep their bytes */
	for (i = 0; i < sc->n; i++) {
		if (sc->role[i] != role) {
			if (!gap) {
				gap = TRUE;
				before = blanks;
			}
			continue;
		}
		if (is_blank(sc->lines[i])) {
			if (blanks++ == 0)
				from = i;
			continue;
		}
		skip = gap ? blanks - MIN(before, blanks - before) : 0;
		for (k = from; blanks > 0 && k < i; k++) {
			if (sc->role[k] != role)
				continue;
			if (skip > 0) {
				skip--;
				continue;
			}
			if (any)
				g_string_append_c(out, '\n');
			any = TRUE;
			g_string_append_len(out, sc->lines[k].s,
			    sc->lines[k].len);
		}
		gap = FALSE;
		blanks = 0;
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
	struct line l, head;
	const char *p = text, *nl;
	gsize off, hlen;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		l.s = p;
		l.len = nl != NULL ? (gsize)(nl - p) : strlen(p);
		off = shared_attribution(trim(l), &hlen);
		if (off > 0) {
			/* the reply, then the attribution on a line of its own */
			head = trim(l);
			l.len = (gsize)(head.s - l.s) + hlen;
			g_array_append_val(lines, l);
			l.s = head.s + off;
			l.len = head.len - off;
		}
		g_array_append_val(lines, l);
		/* past the line; l may now be the attribution split off it */
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	sc->n = lines->len;
	sc->lines = (struct line *)g_array_free(lines, FALSE);
	sc->kind = g_new0(guint8, sc->n + 1);
	sc->role = g_new0(guint8, sc->n + 1);
	sc->end = sc->fwd = sc->n;
	sc->rule = NULL;
	sc->sender = NULL;
}

void
quote_split_text(const char *text, struct quote_split *out)
{
	quote_split_sender(text, NULL, out);
}

void
quote_split_sender(const char *text, const char *sender,
    struct quote_split *out)
{
	struct scan sc;
	GArray *blocks;
	char *norm, *name;
	gsize i, lim;

	g_return_if_fail(out != NULL);
	norm = normalize(text != NULL ? text : "");
	split_lines(&sc, norm);
	/* the name as written, without the blanks around it */
	name = sender != NULL ? g_strstrip(g_strdup(sender)) : NULL;
	sc.sender = name != NULL && *name != '\0' ? name : NULL;
	scan_markers(&sc);
	lim = MIN(sc.end, sc.fwd);
	for (i = sc.end; i < sc.n; i++)
		sc.role[i] = R_QUOTED;
	join_link_pieces(&sc, lim);
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
	g_free(name);
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
	return quote_strip_sender(text, NULL);
}

char *
quote_strip_sender(const char *text, const char *sender)
{
	struct quote_split q;
	char *fresh;

	quote_split_sender(text, sender, &q);
	fresh = q.fresh;
	q.fresh = NULL;
	quote_split_clear(&q);
	return fresh;
}

gboolean
quote_ends_intro(const char *text)
{
	struct scan sc;
	gboolean yes;
	char *norm, *probe;
	gsize i;

	/* what would introduce '>' lines put right under it */
	probe = g_strconcat(text != NULL ? text : "", "\n> \n", NULL);
	norm = normalize(probe);
	split_lines(&sc, norm);
	scan_markers(&sc);
	yes = sc.rule != NULL && strcmp(sc.rule, "header block") == 0;
	for (i = 0; !yes && i < sc.n; i++)
		if (sc.kind[i] == K_ATTR)
			yes = TRUE;
	g_free(sc.lines);
	g_free(sc.kind);
	g_free(sc.role);
	g_free(norm);
	g_free(probe);
	return yes;
}

const char *
quote_cut_rule(const char *text)
{
	struct scan sc;
	const char *rule;
	char *norm;
	gsize i;

	norm = normalize(text != NULL ? text : "");
	split_lines(&sc, norm);
	scan_markers(&sc);
	rule = sc.rule;
	if (rule == NULL && sc.fwd < sc.n)
		rule = "forward kept";
	for (i = 0; rule == NULL && i < sc.n; i++)
		if (sc.kind[i] == K_QUOTE || sc.kind[i] == K_ATTR)
			rule = "quoted lines";
	g_free(sc.lines);
	g_free(sc.kind);
	g_free(sc.role);
	g_free(norm);
	return rule != NULL ? rule : "none";
}
