/*
 * mail: one raw message parsed (GMime) into the plain struct the rest of
 * postdesk works with.  Mail reaches other modules only as struct mail.
 *
 * mail_parse() never rejects odd MIME: it decodes what it can and falls
 * back sensibly (charset aliases, undeclared 8-bit text, HTML-only mail).
 * It fails only for input that is not a message at all or is nested too
 * deeply; the caller then quarantines the raw bytes.  All strings in the
 * struct are UTF-8 and owned by it; free it with mail_free().
 */
#ifndef POSTDESK_MAIL_H
#define POSTDESK_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define MAIL_ERROR (mail_error_quark())
enum mail_error_code {
	MAIL_ERROR_NOT_A_MESSAGE,
	MAIL_ERROR_TOO_DEEP,
	MAIL_ERROR_UNREADABLE	/* a lazy attachment's part */
};

#define MAIL_MAX_DEPTH	32

struct mail_address {
	char	*name;		/* display name, may be NULL */
	char	*addr;		/* lower-cased domain, as written local part */
};

struct mail_header {
	char	*name;
	char	*value;		/* unfolded, RFC 2047-decoded */
};

struct mail_attachment {
	char	*filename;	/* RFC 2231/2047-decoded, may be NULL */
	char	*content_type;	/* "type/subtype" */
	char	*disposition;	/* "attachment" or "inline" */
	char	*content_id;
	GBytes	*data;		/* transfer-decoded content; NULL if lazy */
	uint64_t size;		/* decoded bytes, lazy or not */
	/* mail_parse_large() only, for a large base64 or binary part: */
	char	 sha256[65];	/* hex SHA-256 of the decoded bytes */
	void	*part;		/* its GMimePart (a ref): a range of RAW */
};

struct mail {
	char		*message_id;	/* without <>; synthetic if absent */
	bool		 message_id_synthetic;
	char		*in_reply_to;	/* first id of In-Reply-To */
	char		**references;	/* NULL-terminated, oldest first */
	struct mail_address from;	/* addr NULL if unparseable */
	GPtrArray	*to;		/* of struct mail_address */
	GPtrArray	*cc;
	GPtrArray	*reply_to;
	char		*subject;	/* "" if none */
	int64_t		 date;		/* 0 if absent or unparseable */
	GPtrArray	*headers;	/* of struct mail_header, in order */
	char		*text;		/* the chosen text, full */
	bool		 text_from_html;
	char		*stripped;	/* new text without quoted history */
	GPtrArray	*attachments;	/* of struct mail_attachment */
	char		*body_hash;	/* hex SHA-256 of the raw body */
	size_t		 body_offset;	/* where the raw body starts */
	GPtrArray	*warnings;	/* char *: parser complaints, for --explain */
	void		*raw_wrap;	/* mail_parse_large(): RAW's wrapper
					   (mail.c's, until mail_free()) */
};

GQuark	 mail_error_quark(void);

/* Parses RAW (not copied; must outlive the call only). */
bool	 mail_parse(struct mail **out, const void *raw, size_t len,
	    GError **err);
/*
 * Attachments of at least this many encoded bytes in base64 or binary
 * are, with mail_parse_large(), not decoded into memory.
 */
#define MAIL_LAZY_MIN	(256 * 1024)
/*
 * As mail_parse(), but a large attachment (MAIL_LAZY_MIN, not a
 * message/ part) is left in RAW: its data is NULL, its size and sha256
 * are set (one decoding pass), and mail_attachment_read() decodes it
 * again piece by piece.  RAW must then outlive the struct.  Intake's
 * way: a large upload is never held decoded as well as raw.
 */
bool	 mail_parse_large(struct mail **out, const void *raw, size_t len,
	    GError **err);
/* Gets a piece of decoded bytes; false (with *err) stops the read. */
typedef bool (*mail_piece_fn)(const void *data, size_t len, void *ctx,
    GError **err);
/* An attachment's decoded bytes to FN: pieces of at most 64 KB when
 * lazy, else its data in one piece.  False with FN's error, or a
 * MAIL_ERROR_UNREADABLE one. */
bool	 mail_attachment_read(const struct mail_attachment *,
	    mail_piece_fn fn, void *ctx, GError **err);
void	 mail_free(struct mail *);

/* First header NAME (any case), decoded; NULL if absent. Borrowed. */
const char *mail_header(const struct mail *, const char *name);

/* The Date: of RAW's header block as unix seconds, 0 if none or not a
 * date; reads only the header (cheap enough to sort a batch by). */
int64_t	 mail_raw_date(const void *raw, size_t len);

/* Message-ID text to the form postdesk stores: no <>, no spaces. */
char	*mail_clean_id(const char *s);		/* g_free; NULL if empty */

/* Decodes BYTES declared as CHARSET (may be NULL) to valid UTF-8. */
char	*mail_text_to_utf8(const char *bytes, size_t len,
	    const char *charset);		/* g_free */
/* The name iconv knows for a charset label real clients send. */
const char *mail_charset_alias(const char *label);

#endif
