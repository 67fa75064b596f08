/*
 * web_mail: a customer's portal message as a MIME mail (web_mail.h).
 */
#include "pdconfig.h"

#include <string.h>

#include <glib/gstdio.h>

#include <gmime/gmime.h>

#include "web.h"
#include "web_mail.h"

static GMimeObject *
text_part(const char *text)
{
	GMimeTextPart	*p = g_mime_text_part_new_with_subtype("plain");

	g_mime_text_part_set_text(GMIME_TEXT_PART(p), text);
	g_mime_text_part_set_charset(GMIME_TEXT_PART(p), "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(p),
	    g_mime_part_get_best_content_encoding(GMIME_PART(p),
	    GMIME_ENCODING_CONSTRAINT_7BIT));
	return GMIME_OBJECT(p);
}

/* A form's file as an attachment: its content is the upload's part's
 * (a range of the spool), re-encoded as base64 when written. */
static GMimeObject *
file_part(const struct web_upload *u)
{
	GMimeContentType *ct = g_mime_content_type_parse(NULL,
	    u->content_type);
	GMimePart	*p = g_mime_part_new_with_type(
	    g_mime_content_type_get_media_type(ct),
	    g_mime_content_type_get_media_subtype(ct));

	g_object_unref(ct);
	g_mime_part_set_content(p, g_mime_part_get_content(
	    GMIME_PART(u->part)));
	g_mime_part_set_filename(p, u->filename);
	g_mime_object_set_disposition(GMIME_OBJECT(p),
	    GMIME_DISPOSITION_ATTACHMENT);
	g_mime_part_set_content_encoding(p, GMIME_CONTENT_ENCODING_BASE64);
	return GMIME_OBJECT(p);
}

/* Writes M to an unlinked temporary file and maps it: the composed
 * mail is never a growing buffer on the heap. */
static GBytes *
write_mapped(GMimeMessage *m, GError **err)
{
	GMimeStream	*fs;
	GMappedFile	*map;
	GBytes		*out = NULL;
	char		*path = NULL;
	ssize_t		 n;
	int		 fd;

	fd = g_file_open_tmp("postdesk-mail-XXXXXX", &path, err);
	if (fd < 0)
		return NULL;
	(void)g_unlink(path);
	g_free(path);
	fs = g_mime_stream_fs_new(fd);		/* owns FD */
	n = g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL, fs);
	if (n < 0 || g_mime_stream_flush(fs) < 0) {
		g_object_unref(fs);
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "an uploaded file cannot be read");
		return NULL;
	}
	map = g_mapped_file_new_from_fd(fd, FALSE, err);
	g_object_unref(fs);		/* the mapping stays */
	if (map != NULL) {
		out = g_mapped_file_get_bytes(map);
		g_mapped_file_unref(map);
	}
	return out;
}

GBytes *
web_mail_compose(const struct web_mail *wm, GError **err)
{
	GMimeMessage	*m;
	GMimeObject	*body;
	GDateTime	*date = g_date_time_new_from_unix_utc(wm->now);
	GBytes		*out;
	char		*uuid = g_uuid_string_random(), *id;
	guint		 i;

	g_mime_init();	/* counted: a no-op after the first */
	m = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_FROM, NULL,
	    wm->from);
	g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_TO, NULL, wm->to);
	g_mime_message_set_subject(m, wm->subject, "utf-8");
	g_mime_message_set_date(m, date);
	id = g_strdup_printf("web.%s@%s", uuid, wm->host);
	g_mime_message_set_message_id(m, id);
	g_mime_object_set_header(GMIME_OBJECT(m), "X-Postdesk-Origin", "web",
	    NULL);
	body = text_part(wm->text);
	if (wm->form != NULL && wm->form->uploads->len > 0) {
		GMimeMultipart *mp = g_mime_multipart_new_with_subtype("mixed");

		g_mime_multipart_add(mp, body);
		g_object_unref(body);
		for (i = 0; i < wm->form->uploads->len; i++) {
			GMimeObject *f = file_part(
			    wm->form->uploads->pdata[i]);

			g_mime_multipart_add(mp, f);
			g_object_unref(f);
		}
		body = GMIME_OBJECT(mp);
	}
	g_mime_message_set_mime_part(m, body);
	g_object_unref(body);
	out = write_mapped(m, err);
	g_object_unref(m);
	g_date_time_unref(date);
	g_free(uuid);
	g_free(id);
	return out;
}
