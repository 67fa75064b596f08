/*
 * smtp: hand a message to the next mail server, with libcurl (SMTP,
 * SMTPS, STARTTLS, AUTH), or to a sendmail-compatible command.
 *
 * One struct smtp holds one libcurl easy handle, so consecutive
 * messages reuse the open SMTP session unless reuse is off.  This is
 * the only file that includes curl.
 *
 * Error contract: smtp_send() cannot fail in the GError sense; it
 * classifies every attempt as sent, temporary failure (connect errors,
 * timeouts, 4xx, sendmail exit 75) or permanent failure (5xx), and
 * always sets *reply to one line (the server's last reply, or the
 * error) to g_free().  With [notify] oauth2 it authenticates with
 * XOAUTH2 as smtp_user; SMTP_NO_TOKEN says no access token could be
 * had (oauth2.h): nothing was sent, nor tried.
 */
#ifndef POSTDESK_SMTP_H
#define POSTDESK_SMTP_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"

enum smtp_result {
	SMTP_SENT,
	SMTP_TEMPFAIL,
	SMTP_PERMFAIL,
	SMTP_NO_TOKEN,		/* no OAuth2 access token: not attempted */
	SMTP_RESULT__MAX
};

struct smtp;

/* Settings from [notify]; C is borrowed for the life of the struct. */
struct smtp	*smtp_new(const struct config *c);
void		 smtp_free(struct smtp *);
/* Overrides [notify] reuse_connection (the benchmark compares both). */
void		 smtp_set_reuse(struct smtp *, bool reuse);

/* FROM is the envelope sender (may be ""), RCPT one recipient. */
enum smtp_result smtp_send(struct smtp *, const char *from, const char *rcpt,
		    GBytes *raw, char **reply);
const char	*smtp_result_to_text(enum smtp_result);

#endif
