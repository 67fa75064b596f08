/*
 * quote_lang: the per-language data quote.c matches replies against:
 * attribution words, header-block field names, separator, forward and
 * mobile lines.  Adding a language is adding a row to quote_langs[] in
 * quote_lang.c; no code changes.
 *
 * Strings are UTF-8.  ASCII letters compare case-insensitively; other
 * letters are written lower-case here and compared after case folding.
 * Every list ends with NULL.
 */
#ifndef POSTDESK_QUOTE_LANG_H
#define POSTDESK_QUOTE_LANG_H

#include <glib.h>

#define QL_MAX	8	/* entries per list, NULL included */

struct quote_lang {
	const char	*code;			/* ISO 639-1 */
	/* First word of "On <date>, <name> wrote:" ("On", "Am", "Le"). */
	const char	*attr_open[QL_MAX];
	/* The verb ("wrote", "schrieb", "a écrit", "のメッセージ"). */
	const char	*attr_verb[QL_MAX];
	/* Header-block field names (Outlook, Hotmail, Yahoo, mail.ru). */
	const char	*hdr_from[QL_MAX];
	const char	*hdr_date[QL_MAX];
	const char	*hdr_to[QL_MAX];	/* To, Cc, Subject */
	/* "-----Original Message-----" without the dashes. */
	const char	*separator[QL_MAX];
	/* "---------- Forwarded message ---------" without the dashes,
	 * or a line that starts with it ("Begin forwarded message:"). */
	const char	*forward[QL_MAX];
	/* Phone boilerplate, as the start of the last line. */
	const char	*mobile[QL_MAX];
};

extern const struct quote_lang quote_langs[];
extern const gsize quote_n_langs;

/* Lines that end the new text in any language ("reply above this
 * line" markers of helpdesks); NULL-terminated. */
extern const char *const quote_reply_markers[];

/* Closing lines that open a signature when nothing else does
 * ("Regards," over a name and a title), any language; compared without
 * the trailing ',', '!' or '.'.  NULL-terminated. */
extern const char *const quote_valedictions[];

/* HTML quote markers of mail clients, read by htmltext.c. */
enum quote_html_kind {
	QH_WRAPS,	/* the element holds the history: skip it, keep after */
	QH_STARTS,	/* the history is everything after the element */
	QH_CITES,	/* wraps history only below an attribution (a line
			 * ending in ':' or a marker just skipped); else it
			 * is the writer's own indented quote */
};

struct quote_html_marker {
	const char		*client;
	const char		*elem;	/* lower case; NULL: any element */
	const char		*attr;	/* "class" (a token), "id" or "type" */
	const char		*value;	/* compared case-insensitively */
	enum quote_html_kind	 kind;
};

extern const struct quote_html_marker quote_html_markers[];
extern const gsize quote_n_html_markers;

#endif
