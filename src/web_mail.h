/*
 * web_mail: the mail a customer writes in the portal, composed with
 * GMime, so that intake takes it in as it takes her mail (web_portal.c).
 * A form's files become MIME parts of it, exactly as attachments of a
 * mail: intake stores and links them the same way.  Each file's part
 * is written straight from its range of the spooled upload to the
 * message, base64-encoded: no decoded copy is held on the way.  The
 * mail goes to an unlinked temporary file, mapped read-only: the bytes
 * returned are that mapping (intake then stores a large attachment
 * from it piece by piece, mail.h's mail_parse_large()).
 *
 * Error contract: NULL with a GError (WEB_ERROR when a file cannot be
 * read, G_FILE_ERROR when the temporary file cannot be written).  The returned bytes are g_bytes_unref()d.
 */
#ifndef POSTDESK_WEB_MAIL_H
#define POSTDESK_WEB_MAIL_H

#include <stdint.h>

#include <glib.h>

#include "web_form.h"

struct web_mail {
	const char	*from;		/* her address */
	const char	*to;		/* the queue's address */
	const char	*subject;
	const char	*text;		/* UTF-8, LF or CRLF */
	const char	*host;		/* Message-ID's right side */
	int64_t		 now;
	const struct web_form *form;	/* its files, or NULL */
};

GBytes	*web_mail_compose(const struct web_mail *, GError **err);

#endif
