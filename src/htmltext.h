/*
 * htmltext: turn HTML mail into readable plain text, optionally without
 * the quoted history that mail clients append to a reply.
 *
 * Pure logic on strings: no I/O, no logging, no global state.
 * Error contract: cannot fail.  Malformed HTML and invalid UTF-8 give
 * best-effort text; the result is always valid UTF-8 with LF line ends.
 * Work is linear in len and independent of nesting depth.
 * Ownership: the returned string is freed with g_free().
 */
#ifndef POSTDESK_HTMLTEXT_H
#define POSTDESK_HTMLTEXT_H

#include <glib.h>

/*
 * Converts len bytes of HTML (UTF-8; a document or a fragment) to text:
 * drops <head>, <style>, <script> and comments; block elements become
 * line breaks (at most one blank line in a row); <li> gets "- "; a link
 * whose target differs from its text becomes "text <url>"; <img> shows
 * its alt text; entities are decoded; white space collapses as in a
 * browser, except inside <pre>.
 * If cut_quotes is TRUE, the quoted history of common clients is left
 * out (Gmail gmail_quote/gmail_attr, Outlook divRplyFwdMsg, appendonsend
 * and hr#stopSpelling, blockquote type=cite, yahoo_quoted,
 * protonmail_quote, moz-cite-prefix), and *had_quote (if not NULL) says
 * whether anything was cut.
 * Returns a string freed with g_free(); never NULL.
 */
char	*htmltext_to_text(const char *html, gsize len, gboolean cut_quotes,
	    gboolean *had_quote);

#endif
