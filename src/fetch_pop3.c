/*
 * fetch_pop3: one POP3 session with libetpan.
 *
 * POP3 has no flags, so the store remembers each message by its UIDL.
 * after = seen: messages stay on the server, their UIDLs are kept as
 * "done" (pruned once the server no longer lists them).  after = delete:
 * a message is recorded "pending" in the transaction that stores it,
 * then DELE'd; the server deletes at QUIT, and only after a clean QUIT
 * are the items forgotten.  A session cut short leaves the messages and
 * their "pending" items, and the next session deletes them without
 * taking them in again.  move_to needs folders: not with POP3.
 */
#include "pdconfig.h"

#include <string.h>

#include "fetch-priv.h"
#include "fetch_tls.h"
#include "log.h"

struct pop3_run {
	struct fetch_source	*src;
	mailpop3		*pop;
	GHashTable		*known;		/* uidl → state */
	GPtrArray		*owed;		/* message numbers to DELE */
	GPtrArray		*owed_uidl;
	struct fetch_stats	*st;
};

static bool
pop3_fail(struct pop3_run *run, int code, const char *what, GError **err)
{
	const char *resp = run->pop != NULL ? run->pop->pop3_response : NULL;

	g_set_error(err, FETCH_ERROR, code, "%s:%u: %s failed%s%s",
	    run->src->url->host, run->src->url->port, what,
	    resp != NULL && *resp ? ": " : "", resp != NULL ? resp : "");
	return false;
}

static bool
pop3_connect(struct pop3_run *run, GError **err)
{
	const struct fetch_url *u = run->src->url;
	int	 r;

	run->pop = mailpop3_new(0, NULL);
	mailpop3_set_timeout(run->pop, run->src->o->timeout);
	r = u->proto == FETCH_POP3S ?
	    mailpop3_ssl_connect(run->pop, u->host, u->port) :
	    mailpop3_socket_connect(run->pop, u->host, u->port);
	if (r != MAILPOP3_NO_ERROR) {
		g_set_error(err, FETCH_ERROR, r == MAILPOP3_ERROR_SSL ?
		    FETCH_ERROR_TLS : FETCH_ERROR_CONNECT, "%s:%u: %s",
		    u->host, u->port, r == MAILPOP3_ERROR_SSL ?
		    "TLS handshake failed" : "cannot connect (refused, "
		    "unreachable or timed out)");
		return false;
	}
	if (u->proto == FETCH_POP3 &&
	    mailpop3_socket_starttls(run->pop) != MAILPOP3_NO_ERROR) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
		    "%s:%u: STLS failed or not offered; refusing to send the "
		    "password in clear (use pop3s:// or fix the server)",
		    u->host, u->port);
		return false;
	}
	if (!fetch_tls_verify(run->pop->pop3_stream, u->host,
	    run->src->o->ca_file, err))
		return false;
	if (mailpop3_login(run->pop, u->user, run->src->o->password) !=
	    MAILPOP3_NO_ERROR)
		return pop3_fail(run, FETCH_ERROR_AUTH, "login as user", err);
	return true;
}

static bool
known_load(struct pop3_run *run, GError **err)
{
	GPtrArray	*items;
	guint		 i;

	if (!store_fetch_items(run->src->o->store, run->src->url->text, 0,
	    NULL, &items, err))
		return false;
	for (i = 0; i < items->len; i++) {
		const struct fetch_item *it = items->pdata[i];

		g_hash_table_insert(run->known, g_strdup(it->uid),
		    g_strdup(it->state));
	}
	g_ptr_array_free(items, TRUE);
	return true;
}

static void
owe(struct pop3_run *run, unsigned idx, const char *uidl)
{
	g_ptr_array_add(run->owed, GUINT_TO_POINTER(idx));
	g_ptr_array_add(run->owed_uidl, g_strdup(uidl));
}

/* Takes in messages [FROM, TO) of MSGS in one transaction. */
static bool
pop3_batch(struct pop3_run *run, carray *msgs, unsigned from, unsigned to,
    GError **err)
{
	struct fetch_source *src = run->src;
	bool		 del = src->o->after == FETCH_AFTER_DELETE;
	GPtrArray	*mine = g_ptr_array_new();
	uint64_t	 failed;
	unsigned	 i;
	bool		 ok;

	ok = intake_batch_begin(src->in, err);
	for (i = from; ok && i < to; i++) {
		struct mailpop3_msg_info *mi = carray_get(msgs, i);
		const char *state;
		char	*raw = NULL;
		size_t	 len = 0;

		if (mi == NULL || mi->msg_uidl == NULL)
			continue;
		state = g_hash_table_lookup(run->known, mi->msg_uidl);
		if (state != NULL && strcmp(state, "failed") != 0)
			continue;
		if (mailpop3_retr(run->pop, mi->msg_index, &raw, &len) !=
		    MAILPOP3_NO_ERROR) {
			ok = pop3_fail(run, FETCH_ERROR_PROTOCOL, "RETR", err);
			break;
		}
		fetch_maybe_stop(src, "fetched");
		failed = run->st->failed;
		ok = fetch_take(src, 0, mi->msg_uidl, raw, len,
		    del ? "pending" : "done", run->st, err);
		mailpop3_retr_free(raw);
		/* Only what was stored: failures stay for the next pass. */
		if (ok && run->st->failed == failed)
			g_ptr_array_add(mine, mi);
	}
	ok = ok && intake_batch_commit(src->in, err);
	if (!ok)
		intake_batch_rollback(src->in);
	else
		fetch_maybe_stop(src, "committed");
	for (i = 0; ok && del && i < mine->len; i++) {
		struct mailpop3_msg_info *mi = mine->pdata[i];

		owe(run, mi->msg_index, mi->msg_uidl);
	}
	g_ptr_array_free(mine, TRUE);
	return ok;
}

/* DELE what is owed, QUIT (the server deletes now), forget the items. */
static bool
pop3_finish(struct pop3_run *run, carray *msgs, GError **err)
{
	struct fetch_source *src = run->src;
	struct store	*s = src->o->store;
	GHashTable	*listed = g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL);
	GHashTableIter	 hi;
	gpointer	 k, v;
	guint		 i;
	bool		 ok = true;

	/* MSGS belongs to the session and dies with QUIT: copy first. */
	for (i = 0; i < carray_count(msgs); i++) {
		struct mailpop3_msg_info *mi = carray_get(msgs, i);

		if (mi != NULL && mi->msg_uidl != NULL)
			g_hash_table_add(listed, g_strdup(mi->msg_uidl));
	}
	for (i = 0; ok && i < run->owed->len; i++)
		if (mailpop3_dele(run->pop, GPOINTER_TO_UINT(
		    run->owed->pdata[i])) != MAILPOP3_NO_ERROR)
			ok = pop3_fail(run, FETCH_ERROR_PROTOCOL, "DELE", err);
	if (ok && mailpop3_quit(run->pop) != MAILPOP3_NO_ERROR)
		ok = pop3_fail(run, FETCH_ERROR_PROTOCOL, "QUIT", err);
	if (ok && (ok = store_begin(s, err))) {
		for (i = 0; ok && i < run->owed_uidl->len; i++)
			ok = store_fetch_item_delete(s, src->url->text, 0,
			    run->owed_uidl->pdata[i], err);
		/* Kept UIDLs the server no longer lists are history. */
		g_hash_table_iter_init(&hi, run->known);
		while (ok && g_hash_table_iter_next(&hi, &k, &v))
			if (!g_hash_table_contains(listed, k))
				ok = store_fetch_item_delete(s, src->url->text,
				    0, k, err);
		ok = ok ? store_commit(s, err) : (store_rollback(s), false);
	}
	g_hash_table_destroy(listed);
	return ok;
}

static bool
pop3_run(struct pop3_run *run, GError **err)
{
	struct fetch_source *src = run->src;
	carray		*msgs = NULL;
	unsigned	 i, n, batch = MAX(src->o->batch, 1u);

	if (mailpop3_list(run->pop, &msgs) != MAILPOP3_NO_ERROR)
		return pop3_fail(run, FETCH_ERROR_PROTOCOL, "LIST/UIDL", err);
	for (i = 0; i < carray_count(msgs); i++) {
		struct mailpop3_msg_info *mi = carray_get(msgs, i);
		const char *state;

		if (mi == NULL)
			continue;
		if (mi->msg_uidl == NULL) {
			g_set_error(err, FETCH_ERROR, FETCH_ERROR_UNSUPPORTED,
			    "%s: the server has no UIDL; postdesk-fetch "
			    "cannot track POP3 messages without it",
			    src->url->text);
			return false;
		}
		state = g_hash_table_lookup(run->known, mi->msg_uidl);
		/* Committed by an earlier session, not yet deleted. */
		if (state != NULL && strcmp(state, "pending") == 0)
			owe(run, mi->msg_index, mi->msg_uidl);
	}
	for (i = 0; i < carray_count(msgs); i += n) {
		n = MIN(carray_count(msgs) - i, batch);
		if (!pop3_batch(run, msgs, i, i + n, err))
			return false;
	}
	return pop3_finish(run, msgs, err);
}

bool
fetch_pop3_pass(struct fetch_source *src, struct fetch_stats *st,
    GError **err)
{
	struct pop3_run	 run = { 0 };
	bool		 ok;

	if (src->o->after == FETCH_AFTER_MOVE) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_UNSUPPORTED,
		    "%s: POP3 has no folders: [fetch] move_to cannot apply",
		    src->url->text);
		return false;
	}
	run.src = src;
	run.st = st;
	run.known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	run.owed = g_ptr_array_new();
	run.owed_uidl = g_ptr_array_new_with_free_func(g_free);
	ok = known_load(&run, err) && pop3_connect(&run, err) &&
	    pop3_run(&run, err);
	if (run.pop != NULL)
		mailpop3_free(run.pop);
	g_hash_table_destroy(run.known);
	g_ptr_array_free(run.owed, TRUE);
	g_ptr_array_free(run.owed_uidl, TRUE);
	return ok;
}
