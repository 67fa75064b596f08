/*
 * fetch_url: the mailbox sources postdesk-fetch reads, as URLs.
 *
 *   imaps://USER@HOST[:993]/MAILBOX   IMAP over TLS (MAILBOX: INBOX)
 *   imap://USER@HOST[:143]/MAILBOX    IMAP, STARTTLS required
 *   pop3s://USER@HOST[:995]           POP3 over TLS
 *   pop3://USER@HOST[:110]            POP3, STLS required
 *   maildir:/PATH                     a local Maildir folder
 *   mbox:/PATH                        a local mbox file
 *
 * USER and MAILBOX are percent-decoded ("support%40example.com"); an
 * unencoded '@' in USER works too (the last '@' ends it).  A password in
 * the URL is refused: it would show in ps(1) and in logs; use [fetch]
 * password or password_command.  text_to_fetch_url() is a value parser:
 * false with err (G_URI_ERROR_FAILED) saying why, nothing logged.
 */
#ifndef POSTDESK_FETCH_URL_H
#define POSTDESK_FETCH_URL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum fetch_proto {
	FETCH_IMAP,
	FETCH_IMAPS,
	FETCH_POP3,
	FETCH_POP3S,
	FETCH_MAILDIR,
	FETCH_MBOX,
	FETCH_PROTO__MAX
};

struct fetch_url {
	enum fetch_proto proto;
	char		*user;		/* NULL for local sources */
	char		*host;
	uint16_t	 port;
	char		*mailbox;	/* IMAP folder, "INBOX" by default */
	char		*path;		/* maildir:/mbox: */
	char		*text;		/* canonical, no password: state key */
};

bool	 text_to_fetch_url(struct fetch_url **out, const char *s,
	    GError **err);
void	 fetch_url_free(struct fetch_url *);
bool	 fetch_url_is_remote(const struct fetch_url *);

#endif
