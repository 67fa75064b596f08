/*
 * fetch_local: maildir: and mbox: sources.
 *
 * Maildir: the messages without the S flag are taken in, a batch per
 * transaction; after the commit each is marked seen (moved to cur/ with
 * S), moved into the Maildir named by move_to, or deleted.  Items are
 * "pending" between the commit and that step, as with IMAP.
 *
 * mbox: the file is read from where the last pass stopped (byte offset in
 * fetch_state, with the file's inode as "UIDVALIDITY": a new file starts
 * from the top; duplicates are skipped).  Nothing is changed in the file;
 * after = move or delete is refused.  Failed messages are retried by
 * their offset.
 */
#include "pdconfig.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fetch-priv.h"
#include "log.h"
#include "maildir.h"
#include "mbox.h"

static bool
local_fail(GError **err, const struct fetch_source *src, GError *e)
{
	g_set_error(err, FETCH_ERROR, FETCH_ERROR_MAILBOX, "%s: %s",
	    src->url->text, e->message);
	g_error_free(e);
	return false;
}

static bool
maildir_move(const char *to_dir, const struct maildir_entry *me,
    GError **err)
{
	const char	*base = strrchr(me->path, G_DIR_SEPARATOR);
	char		*to;
	int		 saved;

	base = base != NULL ? base + 1 : me->path;
	to = g_build_filename(to_dir, "cur", base, NULL);
	if (g_rename(me->path, to) == 0) {
		g_free(to);
		return true;
	}
	saved = errno;
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
	    "rename %s to %s: %s", me->path, to, g_strerror(saved));
	g_free(to);
	return false;
}

/* The after-step for one committed message, then forget its item. */
static bool
maildir_settle(struct fetch_source *src, const struct maildir_entry *me,
    GError **err)
{
	GError	*e = NULL;
	bool	 ok;

	switch (src->o->after) {
	case FETCH_AFTER_DELETE:
		ok = maildir_remove(me, &e);
		break;
	case FETCH_AFTER_MOVE:
		ok = maildir_move(src->o->move_to, me, &e);
		break;
	default:
		ok = maildir_mark_seen(src->url->path, me, &e);
		break;
	}
	if (!ok)
		return local_fail(err, src, e);
	return store_fetch_item_delete(src->o->store, src->url->text, 0,
	    me->key, err);
}

static bool
maildir_batch(struct fetch_source *src, GPtrArray *list, guint from,
    guint to, struct fetch_stats *st, GError **err)
{
	GPtrArray	*taken = g_ptr_array_new();
	guint		 i;
	bool		 ok;

	ok = intake_batch_begin(src->in, err);
	for (i = from; ok && i < to; i++) {
		const struct maildir_entry *me = list->pdata[i];
		char	*raw;
		gsize	 len;
		GError	*e = NULL;
		uint64_t failed = st->failed;

		if (!g_file_get_contents(me->path, &raw, &len, &e)) {
			/* Gone meanwhile (another reader): not ours. */
			g_error_free(e);
			continue;
		}
		fetch_maybe_stop(src, "fetched");
		ok = fetch_take(src, 0, me->key, raw, len, "pending", st, err);
		g_free(raw);
		if (ok && st->failed == failed)
			g_ptr_array_add(taken, (gpointer)me);
	}
	ok = ok && intake_batch_commit(src->in, err);
	if (!ok)
		intake_batch_rollback(src->in);
	else
		fetch_maybe_stop(src, "committed");
	for (i = 0; ok && i < taken->len; i++)
		ok = maildir_settle(src, taken->pdata[i], err);
	g_ptr_array_free(taken, TRUE);
	return ok;
}

/* Finishes the after-step for messages committed by an earlier pass. */
static bool
maildir_settle_pending(struct fetch_source *src, GError **err)
{
	GPtrArray	*items, *all = NULL;
	GHashTable	*owed;
	GError		*e = NULL;
	guint		 i;
	bool		 ok = true;

	if (!store_fetch_items(src->o->store, src->url->text, 0, "pending",
	    &items, err))
		return false;
	if (items->len == 0) {
		g_ptr_array_free(items, TRUE);
		return true;
	}
	owed = g_hash_table_new(g_str_hash, g_str_equal);
	for (i = 0; i < items->len; i++)
		g_hash_table_add(owed,
		    ((struct fetch_item *)items->pdata[i])->uid);
	if (!maildir_list(src->url->path, false, &all, &e))
		ok = local_fail(err, src, e);
	for (i = 0; ok && i < all->len; i++) {
		const struct maildir_entry *me = all->pdata[i];

		if (g_hash_table_contains(owed, me->key))
			ok = maildir_settle(src, me, err);
	}
	/* Whatever is left was removed by someone else: forget it. */
	for (i = 0; ok && i < items->len; i++)
		ok = store_fetch_item_delete(src->o->store, src->url->text, 0,
		    ((struct fetch_item *)items->pdata[i])->uid, err);
	if (all != NULL)
		g_ptr_array_free(all, TRUE);
	g_hash_table_destroy(owed);
	g_ptr_array_free(items, TRUE);
	return ok;
}

bool
fetch_maildir_pass(struct fetch_source *src, struct fetch_stats *st,
    GError **err)
{
	GPtrArray	*list;
	GError		*e = NULL;
	guint		 i, n, batch = MAX(src->o->batch, 1u);
	bool		 ok = true;

	if (!maildir_settle_pending(src, err))
		return false;
	if (!maildir_list(src->url->path, true, &list, &e))
		return local_fail(err, src, e);
	for (i = 0; ok && i < list->len; i += n) {
		n = MIN(list->len - i, batch);
		ok = maildir_batch(src, list, i, i + n, st, err);
	}
	g_ptr_array_free(list, TRUE);
	return ok;
}

/* Takes in the message at OFFSET again (a failure of an earlier pass). */
static bool
mbox_retry(struct fetch_source *src, struct mbox *mb, int64_t ino,
    const char *offset, struct fetch_stats *st, GError **err)
{
	struct mbox_message m;
	guint64		 off;

	if (!g_ascii_string_to_unsigned(offset, 10, 0, G_MAXINT64, &off,
	    NULL) || !mbox_seek(mb, off) || !mbox_next(mb, &m, NULL))
		return store_fetch_item_delete(src->o->store, src->url->text,
		    ino, offset, err);
	return fetch_take(src, ino, offset, m.raw, m.len, NULL, st, err);
}

static bool
mbox_read(struct fetch_source *src, struct mbox *mb, int64_t ino,
    uint64_t start, struct fetch_stats *st, GError **err)
{
	struct mbox_message m;
	GPtrArray	*failed;
	unsigned	 n = 0, batch = MAX(src->o->batch, 1u);
	uint64_t	 pos = start;
	guint		 i;
	bool		 ok;

	if (!store_fetch_items(src->o->store, src->url->text, ino, "failed",
	    &failed, err))
		return false;
	ok = intake_batch_begin(src->in, err);
	for (i = 0; ok && i < failed->len; i++)
		ok = mbox_retry(src, mb, ino,
		    ((struct fetch_item *)failed->pdata[i])->uid, st, err);
	g_ptr_array_free(failed, TRUE);
	ok = ok && mbox_seek(mb, start);
	while (ok && mbox_next(mb, &m, NULL)) {
		char	*uid = g_strdup_printf("%" G_GUINT64_FORMAT, m.offset);

		fetch_maybe_stop(src, "fetched");
		ok = fetch_take(src, ino, uid, m.raw, m.len, NULL, st, err);
		g_free(uid);
		pos = m.end;
		if (ok && ++n % batch == 0)
			ok = store_fetch_state_set(src->o->store,
			    src->url->text, ino, (int64_t)pos, fetch_now(),
			    err) && intake_batch_commit(src->in, err) &&
			    intake_batch_begin(src->in, err);
	}
	ok = ok && store_fetch_state_set(src->o->store, src->url->text, ino,
	    (int64_t)pos, fetch_now(), err) &&
	    intake_batch_commit(src->in, err);
	if (!ok)
		intake_batch_rollback(src->in);
	else
		fetch_maybe_stop(src, "committed");
	return ok;
}

bool
fetch_mbox_pass(struct fetch_source *src, struct fetch_stats *st,
    GError **err)
{
	struct mbox	*mb;
	GStatBuf	 sb;
	GError		*e = NULL;
	int64_t		 uidv = 0, last = 0;
	bool		 found, ok;

	if (src->o->after != FETCH_AFTER_SEEN) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_UNSUPPORTED,
		    "%s: an mbox source is only read; [fetch] after = move or "
		    "delete cannot apply", src->url->text);
		return false;
	}
	if (g_stat(src->url->path, &sb) != 0) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_MAILBOX, "%s: %s",
		    src->url->text, g_strerror(errno));
		return false;
	}
	if (!store_fetch_state_get(src->o->store, src->url->text, &uidv,
	    &last, &found, err))
		return false;
	if (!mbox_open(&mb, src->url->path, MBOX_RD, &e))
		return local_fail(err, src, e);
	/* Another file, or the same one rewritten shorter: start over. */
	if (!found || uidv != (int64_t)sb.st_ino || last < 0 ||
	    (uint64_t)last > mbox_size(mb) || !mbox_seek(mb, (uint64_t)last))
		last = 0;
	ok = mbox_read(src, mb, (int64_t)sb.st_ino, (uint64_t)last, st, err);
	mbox_free(mb);
	return ok;
}
