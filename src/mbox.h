/*
 * mbox: read the messages of an mbox file, one at a time.
 *
 * Separators are "From " lines at the start of the file or after an empty
 * line (the blank line a writer puts before each From_ line is not part
 * of the message).  Requiring the empty line means a stray unquoted
 * "From " inside a body (mboxo writers that forget to quote) does not cut
 * a message in two.  Content-Length headers (mboxcl/mboxcl2) are ignored.
 *
 * Unquoting: in MBOX_RD (the default) one '>' is removed from every line
 * matching ^>+From , which undoes mboxrd quoting exactly.  In MBOX_O only
 * ^>From  loses its '>', as mboxo readers do; mboxo cannot tell a quoted
 * "From " from a body line that really began with ">From ", so that line
 * is changed too (see VIOLATIONS.md).  Line endings (LF or CRLF) are kept
 * as they are in the file.
 *
 * Error contract: mbox_open() and mbox_next() return false with err set
 * (G_FILE_ERROR) when the file cannot be read; mbox_next() returns false
 * with err unset at the end.  The file is mapped, not read into memory.
 */
#ifndef POSTDESK_MBOX_H
#define POSTDESK_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

enum mbox_format { MBOX_RD, MBOX_O, MBOX_FORMAT__MAX };

struct mbox_message {
	const char	*raw;		/* unquoted; valid until next call */
	size_t		 len;
	const char	*sender;	/* from the From_ line, or NULL */
	uint64_t	 offset;	/* of its From_ line in the file */
	uint64_t	 end;		/* offset just past the message */
};

struct mbox;

bool	 mbox_open(struct mbox **out, const char *path, enum mbox_format,
	    GError **err);
void	 mbox_free(struct mbox *);
/* Starts reading at OFFSET (a From_ line from an earlier mbox_message). */
bool	 mbox_seek(struct mbox *, uint64_t offset);
/* Counts the messages from the current position on (for progress). */
size_t	 mbox_count(const struct mbox *);
uint64_t mbox_size(const struct mbox *);
/* Fills M; false at the end (err unset) or on error (err set). */
bool	 mbox_next(struct mbox *, struct mbox_message *m, GError **err);

/* Unquotes one body line of LEN bytes into OUT per FORMAT. */
void	 mbox_unquote_line(GByteArray *out, const char *line, size_t len,
	    enum mbox_format);
/* "mboxrd" / "mboxo" → format; false if unknown. */
bool	 text_to_mbox_format(enum mbox_format *out, const char *s);

#endif
