/*
 * web_form: multipart/form-data through GMime (see web_form.h).
 */
#include "pdconfig.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "web.h"
#include "web_form.h"

/* GMime keeps global state; initialise it once per process. */
static void
gmime_init_once(void)
{
	static gsize	 done = 0;

	if (g_once_init_enter(&done)) {
		g_mime_init();
		g_once_init_leave(&done, 1);
	}
}

static void
upload_free(gpointer p)
{
	struct web_upload *u = p;

	g_free(u->field);
	g_free(u->filename);
	g_free(u->content_type);
	if (u->part != NULL)
		g_object_unref(u->part);
	g_free(u);
}

void
web_form_free(struct web_form *f)
{
	if (f == NULL)
		return;
	g_hash_table_unref(f->fields);
	g_ptr_array_unref(f->uploads);
	g_free(f);
}

const char *
web_form_field(const struct web_form *f, const char *name)
{
	return g_hash_table_lookup(f->fields, name);
}

char *
web_form_filename(const char *name, size_t len)
{
	GString	*s = g_string_new(NULL);
	const char *base = name, *end;
	char	*valid, *out;
	size_t	 i;

	/* The last path part, for '/' and '\\' (Windows browsers). */
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\\')
			base = name + i + 1;
	for (i = base - name; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			continue;
		g_string_append_c(s, (char)c);
	}
	valid = g_utf8_make_valid(s->str, s->len);
	g_string_free(s, TRUE);
	/* Cut on a character boundary. */
	if (strlen(valid) > WEB_FILENAME_MAX) {
		end = g_utf8_find_prev_char(valid, valid + WEB_FILENAME_MAX + 1);
		valid[end - valid] = '\0';
	}
	g_strstrip(valid);
	/* "." and ".." name no file. */
	if (*valid == '\0' || strcmp(valid, ".") == 0 ||
	    strcmp(valid, "..") == 0) {
		g_free(valid);
		return g_strdup("attachment");
	}
	out = valid;
	return out;
}

static bool
too_large(uint64_t max, GError **err)
{
	g_set_error(err, WEB_ERROR, WEB_ERROR_TOO_LARGE,
	    "the upload is larger than the limit of %" G_GUINT64_FORMAT
	    " bytes", max);
	return false;
}

/* Copies the body to an unlinked temporary file: at most LIMIT bytes. */
static int
spool(FILE *in, int64_t content_length, uint64_t limit, uint64_t max,
    GError **err)
{
	char	 buf[65536], *path = NULL;
	uint64_t total = 0;
	size_t	 n, want;
	int	 fd;

	if (content_length >= 0 && (uint64_t)content_length > limit) {
		too_large(max, err);
		return -1;
	}
	fd = g_file_open_tmp("postdesk-upload-XXXXXX", &path, err);
	if (fd < 0)
		return -1;
	(void)g_unlink(path);
	g_free(path);
	for (;;) {
		want = sizeof buf;
		if (content_length >= 0 &&
		    (uint64_t)content_length - total < want)
			want = (size_t)((uint64_t)content_length - total);
		if (want == 0)
			break;
		n = fread(buf, 1, want, in);
		if (n == 0)
			break;
		total += n;
		if (total > limit) {
			(void)close(fd);
			too_large(max, err);
			return -1;
		}
		if (write(fd, buf, n) != (ssize_t)n) {
			g_set_error(err, G_FILE_ERROR,
			    g_file_error_from_errno(errno),
			    "cannot spool the upload: %s", g_strerror(errno));
			(void)close(fd);
			return -1;
		}
	}
	if (ferror(in) || (content_length >= 0 &&
	    total != (uint64_t)content_length)) {
		(void)close(fd);
		g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST,
		    "the request body ended early");
		return -1;
	}
	(void)lseek(fd, 0, SEEK_SET);
	return fd;
}

static bool
bad(GError **err, const char *why)
{
	g_set_error(err, WEB_ERROR, WEB_ERROR_BAD_REQUEST, "%s", why);
	return false;
}

/* A part's decoded bytes into a new GByteArray; NULL if unreadable. */
static GByteArray *
part_bytes(GMimeObject *o)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(o));
	GByteArray	*bytes = g_byte_array_new();
	GMimeStream	*mem;
	bool		 ok = true;

	mem = g_mime_stream_mem_new_with_byte_array(bytes);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	if (content != NULL &&
	    g_mime_data_wrapper_write_to_stream(content, mem) < 0)
		ok = false;
	g_object_unref(mem);
	if (!ok) {
		g_byte_array_unref(bytes);
		return NULL;
	}
	return bytes;
}

/* A part's decoded size, without keeping it: a null stream counts. */
static bool
part_size(GMimeObject *o, uint64_t *size)
{
	GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(o));
	GMimeStream	*null = g_mime_stream_null_new();
	bool		 ok = true;

	if (content != NULL &&
	    g_mime_data_wrapper_write_to_stream(content, null) < 0)
		ok = false;
	*size = GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return ok;
}

/* One part: a text field into f->fields, a file into f->uploads (its
 * bytes stay in the spool until asked for). */
static bool
read_part(GMimeObject *o, uint64_t max, struct web_form *f, GError **err)
{
	GMimeContentType *ct;
	GByteArray	*bytes;
	const char	*name, *filename;
	struct web_upload *u;
	uint64_t	 size;

	if (!GMIME_IS_PART(o))
		return bad(err, "a form part is not a simple part");
	name = g_mime_object_get_content_disposition_parameter(o, "name");
	if (name == NULL)
		return bad(err, "a form part has no name");
	filename = g_mime_object_get_content_disposition_parameter(o,
	    "filename");
	if (!part_size(o, &size))
		return bad(err, "a form part cannot be read");
	f->total += size;
	if (f->total > max)
		return too_large(max, err);
	if (filename == NULL) {
		/* A text field: the first of a name wins, as in
		 * web_parse_params().  Text is bounded by the overhead. */
		if (g_hash_table_contains(f->fields, name))
			return true;
		if ((bytes = part_bytes(o)) == NULL)
			return bad(err, "a form part cannot be read");
		g_hash_table_insert(f->fields, g_strdup(name),
		    bytes->len > 0 ? g_utf8_make_valid((const char *)
		    bytes->data, bytes->len) : g_strdup(""));
		g_byte_array_unref(bytes);
		/* Text fields do not count against the files' cap. */
		f->total -= size;
		return true;
	}
	/* A file input left empty is sent as a part without a file. */
	if (*filename == '\0' && size == 0)
		return true;
	u = g_new0(struct web_upload, 1);
	u->field = g_strdup(name);
	u->filename = web_form_filename(filename, strlen(filename));
	ct = g_mime_object_get_content_type(o);
	u->content_type = ct != NULL ? g_mime_content_type_get_mime_type(ct) :
	    g_strdup("application/octet-stream");
	u->size = size;
	u->part = g_object_ref(o);
	g_ptr_array_add(f->uploads, u);
	return true;
}

GBytes *
web_form_upload_bytes(const struct web_upload *u, GError **err)
{
	GByteArray	*bytes = part_bytes(u->part);

	if (bytes == NULL) {
		bad(err, "an uploaded file cannot be read");
		return NULL;
	}
	return g_byte_array_free_to_bytes(bytes);
}

bool
web_form_store(struct store *store, struct web_form *f, GError **err)
{
	guint	 i;

	for (i = 0; i < f->uploads->len; i++) {
		struct web_upload *u = f->uploads->pdata[i];
		GBytes	*b = web_form_upload_bytes(u, err);
		gsize	 len;
		const void *d;
		bool	 ok;

		if (b == NULL)
			return false;
		d = g_bytes_get_data(b, &len);
		ok = store_blob_put(store, d, len, u->sha256, err);
		g_bytes_unref(b);
		if (!ok)
			return false;
	}
	return true;
}

bool
web_form_read(struct store *store, const char *content_type, FILE *in,
    int64_t content_length, uint64_t max, struct web_form **out,
    GError **err)
{
	if (!web_form_parse(content_type, in, content_length, max, out, err))
		return false;
	if (web_form_store(store, *out, err))
		return true;
	web_form_free(*out);
	*out = NULL;
	return false;
}

bool
web_form_parse(const char *content_type, FILE *in, int64_t content_length,
    uint64_t max, struct web_form **out, GError **err)
{
	GMimeStream	*cat, *head, *body;
	GMimeParser	*parser;
	GMimeObject	*top;
	GMimeContentType *ct;
	struct web_form	*f;
	char		*header;
	bool		 ok = true;
	int		 fd, i;

	*out = NULL;
	gmime_init_once();
	if (content_type == NULL || strchr(content_type, '\n') != NULL ||
	    strchr(content_type, '\r') != NULL)
		return bad(err, "the form has no usable Content-Type");
	fd = spool(in, content_length, max + WEB_FORM_OVERHEAD, max, err);
	if (fd < 0)
		return false;
	/* The request's Content-Type makes the body a MIME entity. */
	header = g_strdup_printf("Content-Type: %s\r\n\r\n", content_type);
	head = g_mime_stream_mem_new_with_buffer(header, strlen(header));
	g_free(header);
	body = g_mime_stream_fs_new(fd);
	cat = g_mime_stream_cat_new();
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), head);
	g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), body);
	g_object_unref(head);
	g_object_unref(body);
	parser = g_mime_parser_new_with_stream(cat);
	g_mime_parser_set_persist_stream(parser, TRUE);
	g_object_unref(cat);
	top = g_mime_parser_construct_part(parser, NULL);
	g_object_unref(parser);
	ct = top != NULL ? g_mime_object_get_content_type(top) : NULL;
	if (top == NULL || !GMIME_IS_MULTIPART(top) || ct == NULL ||
	    !g_mime_content_type_is_type(ct, "multipart", "form-data")) {
		if (top != NULL)
			g_object_unref(top);
		return bad(err, "the body is not multipart/form-data");
	}
	f = g_new0(struct web_form, 1);
	f->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	f->uploads = g_ptr_array_new_with_free_func(upload_free);
	for (i = 0; ok && i < g_mime_multipart_get_count(GMIME_MULTIPART(top));
	    i++)
		ok = read_part(g_mime_multipart_get_part(
		    GMIME_MULTIPART(top), i), max, f, err);
	g_object_unref(top);
	if (!ok) {
		web_form_free(f);
		return false;
	}
	*out = f;
	return true;
}
