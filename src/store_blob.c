/*
 * store_blob: content-addressed blobs (store.h): whole, or written in
 * pieces by a blob writer for content never held whole.
 */
#include "pdconfig.h"

#include <limits.h>
#include <string.h>

#include "store-priv.h"

/* Blobs larger than this are written in pieces of this size. */
#define BLOB_PIECE	(1024 * 1024)

/* Fills the zeroblob of row ROW piece by piece: no copy of DATA. */
static bool
blob_write(struct store *s, int64_t row, const guint8 *data,
    size_t len, GError **err)
{
	struct db_blob	*b;
	size_t		 off, n;
	int		 rc;

	rc = db_blob_open(s->db, "main", "blobs", "data", row, 1, &b);
	if (rc != DB_OK)
		return store_fail(s, rc, err);
	for (off = 0; off < len && rc == DB_OK; off += n) {
		n = MIN(len - off, BLOB_PIECE);
		rc = db_blob_write(b, data + off, (int)n, (int)off);
	}
	if (rc != DB_OK) {
		(void)store_fail(s, rc, err);
		db_blob_close(b);
		return false;
	}
	rc = db_blob_close(b);
	return rc == DB_OK || store_fail(s, rc, err);
}

bool
store_blob_put(struct store *s, const void *data, size_t len,
    char hex[65], GError **err)
{
	struct db_stmt	*st;
	char		*sum;
	/* PostgreSQL has no incremental blob I/O (db_blob_open answers
	 * DB_MISUSE there): its blob goes as one binary bind, no copy. */
	bool		 big = len > BLOB_PIECE &&
	    strcmp(db_backend_name(s->db), "sqlite") == 0;

	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	g_strlcpy(hex, sum, 65);
	g_free(sum);
	if (len > INT_MAX) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER,
		    "blob of %zu bytes is too large for the store", len);
		return false;
	}
	st = store_stmt(s, "INSERT INTO blobs (sha256, size, data) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING", err);
	if (st == NULL)
		return false;
	db_bind_text(st, 1, hex, -1, DB_STATIC);
	db_bind_int64(st, 2, (int64_t)len);
	/*
	 * A large blob goes in as zeros and is then written in place:
	 * binding it would make SQLite build the whole row in memory, a
	 * second copy as big as the blob.  STATIC: the caller's buffer
	 * outlives the step; no copy.
	 */
	if (big)
		db_bind_zeroblob64(st, 3, len);
	else
		db_bind_blob64(st, 3, len ? data : "", len,
		    DB_STATIC);
	if (!store_step_done(s, st, err))
		return false;
	if (!big || db_changes(s->db) == 0)
		return true;
	return blob_write(s, db_last_insert_id(s->db), data, len,
	    err);
}

struct store_blob_writer {
	struct store	*s;
	char		 hex[65];
	uint64_t	 size, off;
	struct db_blob	*blob;		/* SQLite: the zeroblob row */
	GByteArray	*gather;	/* PostgreSQL: the pieces */
};

void
store_blob_writer_free(struct store_blob_writer *w)
{
	if (w == NULL)
		return;
	db_blob_close(w->blob);
	if (w->gather != NULL)
		g_byte_array_unref(w->gather);
	g_free(w);
}

static bool
writer_fail(GError **err, const char *why)
{
	g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER, "blob: %s", why);
	return false;
}

bool
store_blob_writer_new(struct store *s, const char *hex, uint64_t size,
    struct store_blob_writer **out, GError **err)
{
	struct store_blob_writer *w;
	struct db_stmt	*st;
	bool		 found = false;
	int		 rc;

	*out = NULL;
	if (size > INT_MAX)
		return writer_fail(err, "too large for the store");
	if (strcmp(db_backend_name(s->db), "sqlite") != 0) {
		st = store_stmt(s, "SELECT 1 FROM blobs WHERE sha256 = ?1",
		    err);
		if (st == NULL)
			return false;
		store_bind_text(st, 1, hex);
		if (!store_step_found(s, st, &found, err))
			return false;
		if (found)
			return true;
		w = g_new0(struct store_blob_writer, 1);
		w->gather = g_byte_array_sized_new((guint)size);
	} else {
		st = store_stmt(s, "INSERT INTO blobs (sha256, size, data) "
		    "VALUES (?1, ?2, ?3) ON CONFLICT (sha256) DO NOTHING",
		    err);
		if (st == NULL)
			return false;
		store_bind_text(st, 1, hex);
		db_bind_int64(st, 2, (int64_t)size);
		db_bind_zeroblob64(st, 3, size);
		if (!store_step_done(s, st, err))
			return false;
		if (db_changes(s->db) == 0)
			return true;
		w = g_new0(struct store_blob_writer, 1);
		rc = db_blob_open(s->db, "main", "blobs", "data",
		    db_last_insert_id(s->db), 1, &w->blob);
		if (rc != DB_OK) {
			g_free(w);
			return store_fail(s, rc, err);
		}
	}
	w->s = s;
	g_strlcpy(w->hex, hex, sizeof w->hex);
	w->size = size;
	*out = w;
	return true;
}

bool
store_blob_writer_append(struct store_blob_writer *w, const void *data,
    size_t len, GError **err)
{
	int	 rc;

	if (len > w->size - w->off)
		return writer_fail(err, "more bytes than announced");
	if (w->gather != NULL)
		g_byte_array_append(w->gather, data, (guint)len);
	else if (len > 0) {
		rc = db_blob_write(w->blob, data, (int)len, (int)w->off);
		if (rc != DB_OK)
			return store_fail(w->s, rc, err);
	}
	w->off += len;
	return true;
}

bool
store_blob_writer_finish(struct store_blob_writer *w, GError **err)
{
	char	 hex[65];
	bool	 ok = true;
	int	 rc;

	if (w->off != w->size)
		ok = writer_fail(err, "fewer bytes than announced");
	else if (w->gather != NULL) {
		ok = store_blob_put(w->s, w->gather->data, w->gather->len,
		    hex, err);
		if (ok && strcmp(hex, w->hex) != 0)
			ok = writer_fail(err, "not the announced SHA-256");
	} else {
		rc = db_blob_close(w->blob);
		w->blob = NULL;
		if (rc != DB_OK)
			ok = store_fail(w->s, rc, err);
	}
	store_blob_writer_free(w);
	return ok;
}

bool
store_blob_get(struct store *s, const char *hex, GBytes **out, GError **err)
{
	struct db_stmt	*st;
	int		 rc;

	st = store_stmt(s, "SELECT data FROM blobs WHERE sha256 = ?1", err);
	if (st == NULL)
		return false;
	store_bind_text(st, 1, hex);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = g_bytes_new(db_column_blob(st, 0),
		    (gsize)db_column_bytes(st, 0));
		db_reset(st);
		return true;
	}
	db_reset(st);
	if (rc == DB_DONE) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_NOTFOUND,
		    "no blob %s", hex);
		return false;
	}
	return store_fail(s, rc, err);
}
