/*
 * lang: the language of a contact, as postdesk names languages: the
 * primary subtag of a BCP 47 tag (RFC 5646), lower case ("de" for
 * "de-AT").  Mail templates (NAME.LANG.txt) and the viewer's message
 * catalogs (po/LANG.po) are named by it.
 *
 * Error contract: the parsers return false (or NULL) on input they do
 * not take and log nothing.  Ownership: returned strings and arrays
 * are the caller's (g_free(), g_ptr_array_unref()).
 */
#ifndef POSTDESK_LANG_H
#define POSTDESK_LANG_H

#include <stdbool.h>

#include <glib.h>

/* "de-AT", "DE", "de_AT.UTF-8" → "de"; false unless the primary subtag
 * is 2 or 3 ASCII letters ("*", "i-klingon", "x-foo" are refused). */
bool	 text_to_lang(char **out, const char *s);

/*
 * A Content-Language value (RFC 3282: a comma-separated list) → the
 * language of its first tag.  False if there is none or it is not a
 * language (text_to_lang()).
 */
bool	 lang_from_content_language(char **out, const char *header);

/*
 * An Accept-Language value (RFC 9110 12.5.4) → the member of SUPPORTED
 * (NULL-terminated, postdesk names) the browser prefers most: higher
 * q first, then the order written; q=0 and "*" never choose.  NULL if
 * none of them is acceptable.  Malformed items are skipped.
 */
char	*lang_accept(const char *header, const char *const *supported);

/*
 * The languages of DIR's NAME.LANG.txt files whose NAME is one of
 * KINDS (NULL-terminated; NULL: any name), sorted, unique.
 */
GPtrArray *lang_shipped(const char *dir, const char *const *kinds);

#endif
