/*
 * template: a small logic-less template language (a subset of mustache)
 * for outgoing mail and the web viewer's pages.
 *
 * Syntax (postdesk-templates(5) is the reference):
 *
 *   {{ticket.id}}        the value at a dotted path into the context
 *                        object; strings as they are, numbers and
 *                        booleans printed, anything missing or null is
 *                        the empty string.  Escaped when rendering with
 *                        TEMPLATE_ESCAPE_HTML.
 *   {{{raw}}} {{& raw}}  the same, never escaped.
 *   {{#name}}...{{/name}}
 *                        section: repeated once per element of an array
 *                        (inside, names resolve against the element
 *                        first, then the outer scopes; {{.}} is the
 *                        element itself); rendered once, with the value
 *                        as innermost scope, for any other "true"
 *                        value: a non-empty string, a non-zero number,
 *                        true, an object (even empty).  Skipped for
 *                        missing, null, false, 0, "" and [].
 *   {{^name}}...{{/name}}
 *                        inverted section: rendered exactly when the
 *                        section would not be.
 *   {{! comment }}       ignored; may span lines.
 *   {{_ Some text}}      the text translated by gettext (domain
 *                        POSTDESK_TEXTDOMAIN, "postdesk"), escaped like
 *                        {{x}}; the text itself when no catalog is
 *                        bound (mail: translations are whole files).
 *
 * A section, inverted-section, closing or comment tag alone on its line
 * (only blanks around it) takes the whole line with it, so control tags
 * never leave blank lines (mustache's "standalone" rule).  Names are
 * [A-Za-z0-9_-] segments joined by dots.  Partials and delimiter changes
 * are not supported.
 *
 * Mail templates begin with a header block: if the first line starts
 * with "Subject:", the lines up to the first empty line are headers
 * (only Subject is known) and the rest is the body.  The Subject value
 * is itself a template.
 *
 * Error contract: functions returning bool or a pointer report failure
 * in TEMPLATE_ERROR (or G_FILE_ERROR for template_load's I/O); parse
 * errors read "NAME:LINE: reason".  Rendering never crashes on hostile
 * data: output beyond TEMPLATE_OUTPUT_MAX or more than TEMPLATE_STEPS_MAX
 * rendering steps is an error.  Output is always valid UTF-8 (invalid
 * bytes in values become U+FFFD).
 *
 * Ownership: a struct template is immutable after parsing and may be
 * rendered any number of times; free it with template_free().  Returned
 * strings are freed with g_free().  The context is borrowed.
 */
#ifndef POSTDESK_TEMPLATE_H
#define POSTDESK_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#define POSTDESK_TEXTDOMAIN	"postdesk"

#define TEMPLATE_ERROR (template_error_quark())
enum template_error_code {
	TEMPLATE_ERROR_PARSE,	/* syntax error, bad UTF-8, too large */
	TEMPLATE_ERROR_LIMIT	/* rendering exceeded a limit */
};

enum template_escape {
	TEMPLATE_ESCAPE_NONE,	/* plain text: mail */
	TEMPLATE_ESCAPE_HTML,	/* html_escape_append() every {{x}} */
	TEMPLATE_ESCAPE__MAX
};

#define TEMPLATE_DEPTH_MAX	32		/* nested sections */
#define TEMPLATE_SIZE_MAX	(1024 * 1024)	/* template text, bytes */
#define TEMPLATE_OUTPUT_MAX	(4 * 1024 * 1024) /* rendered, bytes */
#define TEMPLATE_STEPS_MAX	(16 * 1024 * 1024) /* nodes rendered */

struct template;

GQuark	 template_error_quark(void);

/* NAME is only used in error messages (a file name, usually). */
bool	 template_parse(struct template **out, const char *name,
	    const char *text, GError **err);
/* Reads and parses PATH; errors name PATH. */
bool	 template_load(struct template **out, const char *path,
	    GError **err);
void	 template_free(struct template *);

/* The name given to template_parse(), or the path; borrowed. */
const char *template_name(const struct template *);
/* True if the template began with a header block (Subject:). */
bool	 template_has_header(const struct template *);

/*
 * Renders the whole text (a header block included) with values from
 * CTX, which may be NULL.  Returns a string to g_free(), or NULL and
 * *err set.  template_render_max() takes the output limit in bytes.
 */
char	*template_render(const struct template *, JsonObject *ctx,
	    enum template_escape esc, GError **err);
char	*template_render_max(const struct template *, JsonObject *ctx,
	    enum template_escape esc, size_t max, GError **err);

/*
 * Renders a mail template as plain text (no escaping): *subject gets
 * the rendered Subject header with line breaks and tabs folded into
 * single spaces and the ends trimmed, or NULL if the template has no
 * header block; *body gets the text after the header block.  Both are
 * freed with g_free().  On failure both are NULL.
 */
bool	 template_render_mail(const struct template *, JsonObject *ctx,
	    char **subject, char **body, GError **err);

/*
 * Finds the file for template NAME (e.g. "new-ticket") with extension
 * EXT ("txt", a leading dot is ignored) under DIR, trying in order:
 *
 *   DIR/QUEUE/NAME.LANG.EXT   DIR/QUEUE/NAME.LL.EXT   DIR/QUEUE/NAME.EXT
 *   DIR/NAME.LANG.EXT         DIR/NAME.LL.EXT         DIR/NAME.EXT
 *
 * where LANG is the language with the codeset and modifier removed
 * ("de_AT" from "de_AT.UTF-8@euro", "de-AT" also accepted) and LL is
 * LANG without its region ("de").  QUEUE and LANG may be NULL or empty;
 * "C" and "POSIX" mean no language.  NAME, EXT, QUEUE and LANG must
 * not contain '/', '\\', "..", control characters or begin with '.'.
 * Returns the path of the first regular file found, to g_free(), or
 * NULL if none exists or an argument was refused.
 */
char	*template_find(const char *dir, const char *name, const char *ext,
	    const char *queue, const char *lang);

#endif
