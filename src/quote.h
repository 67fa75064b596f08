/*
 * quote: separate the new text of a plain-text reply from the quoted
 * history and a trailing signature.
 *
 * Pure logic on strings: no I/O, no logging, no global state.
 * Error contract: these functions cannot fail.  Any input, including
 * invalid UTF-8, gives a best-effort split; output is always valid UTF-8
 * with LF line ends.
 * Ownership: every char * in struct quote_split and the result of
 * quote_strip() belongs to the caller and is freed with g_free()
 * (quote_split_clear() frees all three).
 */
#ifndef POSTDESK_QUOTE_H
#define POSTDESK_QUOTE_H

#include <glib.h>

/* The marker postdesk puts at the top of every notification. */
#define QUOTE_REPLY_MARKER "-- Reply ABOVE THIS LINE to add to ticket --"

struct quote_split {
	char	*fresh;		/* new text; "" if none */
	char	*quoted;	/* quoted history; "" if none */
	char	*signature;	/* signature without its "-- " line; "" */
};

/* Splits text (UTF-8, LF or CRLF) into out.  Each member is freed with
 * g_free(), or all at once with quote_split_clear(). */
void	 quote_split_text(const char *text, struct quote_split *out);

/* As quote_split_text(), knowing the sender's display name (From:,
 * may be NULL): a short line near the end that starts with it, over
 * only signature-like lines, starts the signature ("Jim Smith |
 * Enrollment Manager" without a "-- " line). */
void	 quote_split_sender(const char *text, const char *sender,
	    struct quote_split *out);

/* Frees the members of q and sets them to NULL.  Accepts NULL members. */
void	 quote_split_clear(struct quote_split *q);

/* The fresh text only, trailing whitespace trimmed.
 * Returns a string freed with g_free(). */
char	*quote_strip(const char *text);
/* The same, with the sender's display name as quote_split_sender(). */
char	*quote_strip_sender(const char *text, const char *sender);

/* What ended the new text of text: "attribution", "header block",
 * "separator", "underscore separator", "reply marker", "forward kept",
 * "quoted lines" ('>' lines only) or "none".  A static string (for --explain and the corpus test). */
const char	*quote_cut_rule(const char *text);

/* Does text end in what introduces quoted history: an attribution
 * (also the verb-only kind, "Bob wrote:") or a header block?  For HTML
 * quotes that carry no client marker (a plain <blockquote>). */
gboolean	 quote_ends_intro(const char *text);

#endif
