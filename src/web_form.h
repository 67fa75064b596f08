/*
 * web_form: a multipart/form-data POST body (a form with file inputs),
 * parsed by GMime rather than by hand.
 *
 * The body is spooled from the CGI's standard input to an unlinked
 * temporary file, never more than the cap; GMime's parser then reads
 * the request's Content-Type header followed by that file as one
 * stream (persistent, so part contents stay ranges of the file, not
 * copies).  web_form_parse() only reads: the CGI parses the body
 * before it knows the viewer (the CSRF token is one of its fields), and
 * nothing is stored for a form that is refused.  A page then takes each
 * file's bytes (web_form_upload_bytes()), or hands its MIME part to the
 * mail it composes (web_mail.h); web_form_store() puts every file in
 * the blob store (content-addressed) inside the caller's transaction:
 * on any failure the caller rolls back and nothing is half-stored.
 *
 * Error contract: false with a GError; WEB_ERROR_TOO_LARGE (413) when
 * the upload passes the cap, WEB_ERROR_BAD_REQUEST (400) for a body
 * that is not multipart/form-data.
 */
#ifndef POSTDESK_WEB_FORM_H
#define POSTDESK_WEB_FORM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "store.h"

/* A browser's file name is kept as text: at most this many bytes. */
#define WEB_FILENAME_MAX	255
/* Room for the boundaries, part headers and text fields on top of the
 * files' cap. */
#define WEB_FORM_OVERHEAD	(256 * 1024)

struct web_upload {
	char	*field;		/* the form field's name */
	char	*filename;	/* web_form_filename()'s text, never NULL */
	char	*content_type;	/* "type/subtype" as sent */
	char	 sha256[65];	/* the blob, once web_form_store() ran */
	uint64_t size;		/* decoded bytes */
	void	*part;		/* its GMimePart (a ref): a range of the
				 * spooled body, decoded on demand */
};

struct web_form {
	GHashTable	*fields;	/* name → text value (the first) */
	GPtrArray	*uploads;	/* struct web_upload *, in order */
	uint64_t	 total;		/* decoded bytes of all files */
};

/* Reads CONTENT_LENGTH bytes (-1: to end of file) of IN as the body
 * typed CONTENT_TYPE; file parts may add up to MAX bytes.  Stores
 * nothing. */
bool	 web_form_parse(const char *content_type, FILE *in,
	    int64_t content_length, uint64_t max, struct web_form **out,
	    GError **err);
/* Every file of F into STORE's blobs (sets their sha256); STORE must be
 * in a write transaction. */
bool	 web_form_store(struct store *, struct web_form *f, GError **err);
/* One file's decoded bytes (g_bytes_unref), or NULL with *err. */
GBytes	*web_form_upload_bytes(const struct web_upload *, GError **err);
/* web_form_parse() then web_form_store(). */
bool	 web_form_read(struct store *, const char *content_type, FILE *in,
	    int64_t content_length, uint64_t max, struct web_form **out,
	    GError **err);
const char *web_form_field(const struct web_form *, const char *name);
void	 web_form_free(struct web_form *);

/* A browser's file name as text only: path parts stripped, NULs and
 * control characters removed, valid UTF-8, at most WEB_FILENAME_MAX
 * bytes; "attachment" if nothing is left.  LEN: bytes of NAME (it may
 * hold NULs).  g_free. */
char	*web_form_filename(const char *name, size_t len);

#endif
