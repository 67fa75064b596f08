/*
 * compose: an outgoing message built with GMime from plain strings.
 *
 * The composer owns every header rule of DESIGN.md "Outbound mail": a
 * UTF-8 text part in quoted-printable when it is not plain ASCII,
 * RFC 2047 encoded words in headers, the Message-ID, In-Reply-To and
 * References of the message answered, the subject tag, a Reply-To with
 * the reply token, Auto-Submitted on automatic mail (RFC 3834), our
 * X-Postdesk-Loop header, the "reply above this line" marker at the top
 * and the attachments of staff replies.
 *
 * Error contract: compose_message() returns false and fills err
 * (COMPOSE_ERROR) for a missing From or recipient; it never logs.
 * Ownership: the struct compose and all it points to are borrowed; the
 * returned GBytes (LF line ends) is the caller's: g_bytes_unref().
 * Returned strings are freed with g_free().
 */
#ifndef POSTDESK_COMPOSE_H
#define POSTDESK_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define COMPOSE_ERROR (compose_error_quark())
enum compose_error_code { COMPOSE_ERROR_INVALID };

enum compose_auto {
	COMPOSE_HUMAN,		/* a person wrote it: no Auto-Submitted */
	COMPOSE_AUTO_REPLIED,	/* a reply to the sender: acknowledgement */
	COMPOSE_AUTO_GENERATED,	/* any other automatic notice */
	COMPOSE_AUTO__MAX
};

struct compose_attachment {
	const char	*filename;	/* may be NULL */
	const char	*content_type;	/* "type/subtype" */
	GBytes		*data;
};

struct compose {
	const char	*from_addr;
	const char	*from_name;	/* may be NULL */
	const char *const *to;		/* NULL-terminated addresses */
	const char *const *cc;		/* may be NULL */
	const char	*reply_to;	/* token address, may be NULL */
	const char	*subject;	/* the tag is added if missing */
	const char	*tag;		/* [mail] subject_tag */
	/* Our other tags (NULL-terminated, may be NULL): one naming this
	 * ticket goes (a ticket moved to another brand's queue). */
	char *const	*other_tags;
	int64_t		 ticket;		/* 0: about no ticket */
	const char	*body;		/* UTF-8 text */
	bool		 marker;	/* QUOTE_REPLY_MARKER on top */
	const char	*message_id;	/* without <> */
	const char	*in_reply_to;	/* without <>, may be NULL */
	const char	*references;	/* space separated, may be NULL */
	enum compose_auto auto_kind;
	const char	*loop_host;	/* X-Postdesk-Loop value */
	int64_t		 date;		/* unix seconds */
	GPtrArray	*attachments;	/* of struct compose_attachment */
};

GQuark	 compose_error_quark(void);

bool	 compose_message(const struct compose *, GBytes **out, GError **err);

/* "pd.TICKET.ROWID.RANDOM@HOST" (no brackets). */
char	*compose_message_id(int64_t ticket, int64_t rowid, const char *host);
/* SUBJECT with "[TAG #TICKET] " in front unless it names TICKET already
 * or TICKET is 0 (mail about no ticket); "[OTHER #TICKET]" of each of
 * OTHER_TAGS (may be NULL) is taken out first. */
char	*compose_subject(const char *tag, char *const *other_tags,
	    int64_t ticket, const char *subject);

#endif
