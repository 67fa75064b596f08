/*
 * html: escaping text for HTML.
 *
 * The output is safe both as element content and inside a quoted
 * attribute value: & < > " ' become entities.  The input is UTF-8;
 * every byte that is not part of a valid UTF-8 sequence becomes U+FFFD,
 * so the output is always valid UTF-8 whatever a mail contained.
 *
 * Nothing here fails.  NULL input is treated as the empty string.
 * Ownership: html_escape() returns a string the caller frees with
 * g_free(); html_escape_append() appends to the caller's GString.
 */
#ifndef POSTDESK_HTML_H
#define POSTDESK_HTML_H

#include <glib.h>

void	 html_escape_append(GString *out, const char *s);
char	*html_escape(const char *s);

#endif
