/*
 * fetch_imap: one pass over an IMAP folder with libetpan.
 *
 * Order of a pass: connect (TLS, certificate check) → login → SELECT →
 * finish what an earlier pass owed the server (items "pending") → find
 * the candidates → for each batch: UID FETCH BODY.PEEK[] one message at a
 * time into one transaction, commit (with the new last UID), and only
 * then \Seen / MOVE / \Deleted+EXPUNGE.  BODY.PEEK leaves \Seen alone, so
 * a crash before the commit leaves the server as it was.
 *
 * Candidates: UIDs above the remembered last UID, seen or not (a person
 * may have read the mailbox), plus earlier failures.  On the first pass,
 * or when UIDVALIDITY changed, the last UID is unknown: then the UNSEEN
 * messages are taken and the last UID starts at UIDNEXT-1.
 */
#include "pdconfig.h"

#include <poll.h>
#include <string.h>

#include "fetch-priv.h"
#include "fetch_tls.h"
#include "log.h"
#include "oauth2.h"

static bool
imap_ok(int r)
{
	return r == MAILIMAP_NO_ERROR ||
	    r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
	    r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
}

/* The server's words for the last command, or libetpan's code. */
static bool
imap_fail(struct fetch_source *src, int code, int r, const char *what,
    GError **err)
{
	const char *resp = src->imap != NULL ? src->imap->imap_response : NULL;

	g_set_error(err, FETCH_ERROR, code, "%s:%u: %s failed: %s",
	    src->url->host, src->url->port, what, resp != NULL && *resp ?
	    resp : r == MAILIMAP_ERROR_STREAM ? "connection lost" :
	    "error from libetpan");
	return false;
}

void
fetch_imap_close(struct fetch_source *src)
{
	if (src->imap == NULL)
		return;
	(void)mailimap_logout(src->imap);
	mailimap_free(src->imap);
	src->imap = NULL;
}

static bool
refresh_caps(struct fetch_source *src, GError **err)
{
	struct mailimap_capability_data *cap = NULL;
	int	 r = mailimap_capability(src->imap, &cap);

	if (cap != NULL)
		mailimap_capability_data_free(cap);
	return imap_ok(r) || imap_fail(src, FETCH_ERROR_PROTOCOL, r,
	    "CAPABILITY", err);
}

static bool
imap_tls(struct fetch_source *src, GError **err)
{
	const struct fetch_url *u = src->url;
	int	 r;

	if (u->proto == FETCH_IMAP) {
		if (!refresh_caps(src, err))
			return false;
		if (!mailimap_has_extension(src->imap, "STARTTLS")) {
			g_set_error(err, FETCH_ERROR, FETCH_ERROR_TLS,
			    "%s:%u: the server offers no STARTTLS; refusing "
			    "to send the password in clear (use imaps:// or "
			    "fix the server)", u->host, u->port);
			return false;
		}
		r = mailimap_socket_starttls(src->imap);
		if (!imap_ok(r))
			return imap_fail(src, FETCH_ERROR_TLS, r, "STARTTLS",
			    err);
	}
	return fetch_tls_verify(src->imap->imap_stream, u->host,
	    src->o->ca_file, err);
}

/* XOAUTH2 (Google's and Microsoft's SASL mechanism) with TOKEN. */
static bool
imap_xoauth2(struct fetch_source *src, const char *token, GError **err)
{
	const struct fetch_url *u = src->url;
	int	 r;

	if (!mailimap_has_xoauth2(src->imap)) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_AUTH, "%s:%u: the "
		    "server offers no AUTH=XOAUTH2", u->host, u->port);
		return false;
	}
	r = mailimap_oauth2_authenticate(src->imap, u->user, token);
	return imap_ok(r) || imap_fail(src, FETCH_ERROR_AUTH, r,
	    "AUTHENTICATE XOAUTH2 as user", err);
}

static bool
imap_open(struct fetch_source *src, GError **err)
{
	const struct fetch_url *u = src->url;
	const char *token = NULL;
	int	 r;

	/* No token, no connection: the server is not bothered. */
	if (src->o->oauth2 != NULL && !oauth2_access_token(src->o->oauth2,
	    &token, err)) {
		g_prefix_error(err, "[oauth2.%s]: ",
		    oauth2_account(src->o->oauth2)->name);
		return false;
	}
	src->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(src->imap, src->o->timeout);
	r = u->proto == FETCH_IMAPS ?
	    mailimap_ssl_connect(src->imap, u->host, u->port) :
	    mailimap_socket_connect(src->imap, u->host, u->port);
	if (!imap_ok(r)) {
		/* libetpan connects non-blocking; errno is not the cause. */
		g_set_error(err, FETCH_ERROR, r == MAILIMAP_ERROR_SSL ?
		    FETCH_ERROR_TLS : FETCH_ERROR_CONNECT, "%s:%u: %s",
		    u->host, u->port, r == MAILIMAP_ERROR_SSL ?
		    "TLS handshake failed" : "cannot connect (refused, "
		    "unreachable or timed out)");
		goto fail;
	}
	if (!imap_tls(src, err))
		goto fail;
	/* Capabilities again: they may change after STARTTLS. */
	if (!refresh_caps(src, err))
		goto fail;
	if (token != NULL) {
		if (!imap_xoauth2(src, token, err))
			goto fail;
	} else if (!imap_ok(r = mailimap_login(src->imap, u->user,
	    src->o->password))) {
		(void)imap_fail(src, FETCH_ERROR_AUTH, r, "LOGIN as user",
		    err);
		goto fail;
	}
	if (!refresh_caps(src, err))
		goto fail;
	src->has_idle = mailimap_has_idle(src->imap);
	src->has_move = mailimap_has_extension(src->imap, "MOVE");
	src->has_uidplus = mailimap_has_extension(src->imap, "UIDPLUS");
	return true;
fail:
	mailimap_free(src->imap);
	src->imap = NULL;
	return false;
}

/*
 * Connects and logs in.  An access token the server refuses (revoked
 * or expired early) is dropped and a new one tried once: the refresh
 * then tells whether the refresh token itself is dead.
 */
static bool
imap_connect(struct fetch_source *src, GError **err)
{
	GError	*e = NULL;

	if (imap_open(src, &e))
		return true;
	if (src->o->oauth2 == NULL ||
	    !g_error_matches(e, FETCH_ERROR, FETCH_ERROR_AUTH)) {
		g_propagate_error(err, e);
		return false;
	}
	log_debug("%s: the server refused the access token (%s); getting "
	    "a new one", src->url->text, e->message);
	g_error_free(e);
	oauth2_forget(src->o->oauth2);
	return imap_open(src, err);
}

static struct mailimap_set *
uid_set(const GArray *uids)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	guint	 i;

	for (i = 0; i < uids->len; i++)
		mailimap_set_add_single(set, g_array_index(uids, uint32_t, i));
	return set;
}

static bool
add_flag(struct fetch_source *src, struct mailimap_set *set,
    struct mailimap_flag *flag, GError **err)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *att;
	int	 r;

	mailimap_flag_list_add(fl, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(src->imap, set, att);
	mailimap_store_att_flags_free(att);
	return imap_ok(r) || imap_fail(src, FETCH_ERROR_PROTOCOL, r,
	    "UID STORE", err);
}

static bool
expunge(struct fetch_source *src, struct mailimap_set *set, GError **err)
{
	/* Without UIDPLUS, EXPUNGE also removes what others flagged. */
	int	 r = src->has_uidplus ? mailimap_uid_expunge(src->imap, set) :
	    mailimap_expunge(src->imap);

	return imap_ok(r) || imap_fail(src, FETCH_ERROR_PROTOCOL, r,
	    "EXPUNGE", err);
}

/* What the server is owed for committed UIDS. */
static bool
imap_after(struct fetch_source *src, const GArray *uids, GError **err)
{
	struct mailimap_set *set;
	bool	 ok;
	int	 r;

	if (uids->len == 0)
		return true;
	set = uid_set(uids);
	switch (src->o->after) {
	case FETCH_AFTER_MOVE:
		if (src->has_move) {
			r = mailimap_uid_move(src->imap, set,
			    src->o->move_to);
			ok = imap_ok(r) || imap_fail(src, FETCH_ERROR_PROTOCOL,
			    r, "UID MOVE", err);
			break;
		}
		r = mailimap_uid_copy(src->imap, set, src->o->move_to);
		ok = (imap_ok(r) || imap_fail(src, FETCH_ERROR_PROTOCOL, r,
		    "UID COPY", err)) && add_flag(src, set,
		    mailimap_flag_new_deleted(), err) &&
		    expunge(src, set, err);
		break;
	case FETCH_AFTER_DELETE:
		ok = add_flag(src, set, mailimap_flag_new_deleted(), err) &&
		    expunge(src, set, err);
		break;
	default:
		ok = add_flag(src, set, mailimap_flag_new_seen(), err);
		break;
	}
	mailimap_set_free(set);
	return ok;
}

static bool
forget_items(struct fetch_source *src, int64_t uidv, const GArray *uids,
    GError **err)
{
	struct store	*s = src->o->store;
	guint		 i;

	if (uids->len == 0)
		return true;
	if (!store_begin(s, err))
		return false;
	for (i = 0; i < uids->len; i++) {
		char	*uid = g_strdup_printf("%u",
		    g_array_index(uids, uint32_t, i));
		bool	 ok = store_fetch_item_delete(s, src->url->text, uidv,
		    uid, err);

		g_free(uid);
		if (!ok) {
			store_rollback(s);
			return false;
		}
	}
	return store_commit(s, err);
}

/* UID SEARCH with KEY (freed here), ascending UIDs into OUT. */
static bool
search(struct fetch_source *src, struct mailimap_search_key *key,
    GArray *out, GError **err)
{
	clist		*res = NULL;
	clistiter	*it;
	int		 r;

	r = mailimap_uid_search(src->imap, NULL, key, &res);
	mailimap_search_key_free(key);
	if (!imap_ok(r))
		return imap_fail(src, FETCH_ERROR_PROTOCOL, r, "UID SEARCH",
		    err);
	for (it = clist_begin(res); it != NULL; it = clist_next(it))
		g_array_append_val(out, *(uint32_t *)clist_content(it));
	mailimap_search_result_free(res);
	return true;
}

static struct mailimap_search_key *
key_unseen(void)
{
	return mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL,
	    NULL);
}

static gint
cmp_uid(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
sort_unique(GArray *a)
{
	guint	 i, n = 0;

	g_array_sort(a, cmp_uid);
	for (i = 0; i < a->len; i++)
		if (n == 0 || g_array_index(a, uint32_t, n - 1) !=
		    g_array_index(a, uint32_t, i))
			g_array_index(a, uint32_t, n++) =
			    g_array_index(a, uint32_t, i);
	g_array_set_size(a, n);
}

/* UIDs of SOURCE's items in STATE, as numbers. */
static bool
item_uids(struct fetch_source *src, int64_t uidv, const char *state,
    GArray *out, GError **err)
{
	GPtrArray	*items;
	guint		 i;

	if (!store_fetch_items(src->o->store, src->url->text, uidv, state,
	    &items, err))
		return false;
	for (i = 0; i < items->len; i++) {
		const struct fetch_item *it = items->pdata[i];
		guint64	 v;

		if (g_ascii_string_to_unsigned(it->uid, 10, 1, G_MAXUINT32, &v,
		    NULL)) {
			uint32_t u = (uint32_t)v;

			g_array_append_val(out, u);
		}
	}
	g_ptr_array_free(items, TRUE);
	return true;
}

/* Finishes what earlier passes committed but did not tell the server. */
static bool
settle_pending(struct fetch_source *src, int64_t uidv, GError **err)
{
	GArray	*owed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	GArray	*here = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	bool	 ok;

	ok = item_uids(src, uidv, "pending", owed, err);
	if (ok && owed->len > 0) {
		log_info("%s: finishing %u message(s) committed earlier",
		    src->url->text, owed->len);
		/* Only those still there: others were moved or deleted. */
		ok = search(src, mailimap_search_key_new_uid(uid_set(owed)),
		    here, err) && imap_after(src, here, err) &&
		    forget_items(src, uidv, owed, err);
	}
	g_array_unref(owed);
	g_array_unref(here);
	return ok;
}

/* Fetches one message's bytes; *found false if it is gone. */
static bool
fetch_body(struct fetch_source *src, uint32_t uid, GByteArray *out,
    bool *found, GError **err)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	clist		*res = NULL;
	clistiter	*it, *jt;
	int		 r;

	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(
	    mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(src->imap, set, ft, &res);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (!imap_ok(r))
		return imap_fail(src, FETCH_ERROR_PROTOCOL, r, "UID FETCH",
		    err);
	*found = false;
	g_byte_array_set_size(out, 0);
	for (it = clist_begin(res); it != NULL; it = clist_next(it)) {
		struct mailimap_msg_att *ma = clist_content(it);
		uint32_t got = 0;
		struct mailimap_msg_att_body_section *body = NULL;

		for (jt = clist_begin(ma->att_list); jt != NULL;
		    jt = clist_next(jt)) {
			struct mailimap_msg_att_item *item = clist_content(jt);
			struct mailimap_msg_att_static *st;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = item->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				got = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				body = st->att_data.att_body_section;
		}
		if (got == uid && body != NULL &&
		    body->sec_body_part != NULL) {
			g_byte_array_append(out,
			    (const guint8 *)body->sec_body_part,
			    (guint)body->sec_length);
			*found = true;
		}
	}
	mailimap_fetch_list_free(res);
	return true;
}

struct imap_run {
	struct fetch_source	*src;
	int64_t			 uidv;
	int64_t			 last;
	struct fetch_stats	*st;
};

/* One batch: fetch, take in, commit, then tell the server. */
static bool
imap_batch(struct imap_run *run, const uint32_t *uids, guint n,
    GError **err)
{
	struct fetch_source *src = run->src;
	GByteArray	*raw = g_byte_array_new();
	GArray		*done = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	int64_t		 last = run->last;
	guint		 i;
	bool		 ok;

	ok = intake_batch_begin(src->in, err);
	for (i = 0; ok && i < n; i++) {
		char	*uid = g_strdup_printf("%u", uids[i]);
		bool	 found = false;

		ok = fetch_body(src, uids[i], raw, &found, err);
		if (ok)
			fetch_maybe_stop(src, "fetched");
		if (ok && found)
			ok = fetch_take(src, run->uidv, uid, (char *)raw->data,
			    raw->len, "pending", run->st, err);
		else if (ok)	/* gone: forget an old failure */
			ok = store_fetch_item_delete(src->o->store,
			    src->url->text, run->uidv, uid, err);
		g_free(uid);
		last = MAX(last, (int64_t)uids[i]);
	}
	ok = ok && store_fetch_state_set(src->o->store, src->url->text,
	    run->uidv, last, fetch_now(), err);
	if (ok)
		ok = intake_batch_commit(src->in, err);
	else
		intake_batch_rollback(src->in);
	g_byte_array_unref(raw);
	if (!ok) {
		g_array_unref(done);
		return false;
	}
	run->last = last;
	fetch_maybe_stop(src, "committed");
	/* Failed ones stay untouched on the server, to retry. */
	ok = item_uids(src, run->uidv, "pending", done, err) &&
	    imap_after(src, done, err) &&
	    forget_items(src, run->uidv, done, err);
	g_array_unref(done);
	return ok;
}

/* UIDVALIDITY and where we stand; resets state when it changed. */
static bool
imap_position(struct imap_run *run, bool *fresh, GError **err)
{
	struct fetch_source *src = run->src;
	int64_t		 uidv = 0, last = 0;
	bool		 found;

	if (!store_fetch_state_get(src->o->store, src->url->text, &uidv,
	    &last, &found, err))
		return false;
	*fresh = !found || uidv != run->uidv;
	if (found && uidv != run->uidv) {
		log_warnx("%s: UIDVALIDITY changed from %" G_GINT64_FORMAT
		    " to %" G_GINT64_FORMAT ": the folder was rebuilt; taking "
		    "its unseen messages again (duplicates are skipped)",
		    src->url->text, uidv, run->uidv);
		if (!store_begin(src->o->store, err))
			return false;
		if (!store_fetch_reset(src->o->store, src->url->text,
		    run->uidv, err) || !store_commit(src->o->store, err)) {
			store_rollback(src->o->store);
			return false;
		}
	}
	run->last = *fresh ? 0 : last;
	return true;
}

static bool
imap_candidates(struct imap_run *run, bool fresh, GArray *c, GError **err)
{
	struct fetch_source *src = run->src;
	struct mailimap_selection_info *si = src->imap->imap_selection_info;
	GArray	*all;
	guint	 i, n = 0;

	if (fresh) {
		if (!search(src, key_unseen(), c, err))
			return false;
		if (si != NULL && si->sel_uidnext > 0) {
			run->last = (int64_t)si->sel_uidnext - 1;
			return true;
		}
		/* No UIDNEXT: the highest UID there is. */
		all = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		if (!search(src, mailimap_search_key_new_all(), all, err)) {
			g_array_unref(all);
			return false;
		}
		for (i = 0; i < all->len; i++)
			run->last = MAX(run->last,
			    (int64_t)g_array_index(all, uint32_t, i));
		g_array_unref(all);
		return true;
	}
	if (run->last < G_MAXUINT32 && !search(src,
	    mailimap_search_key_new_uid(mailimap_set_new_interval(
	    (uint32_t)run->last + 1, 0)), c, err))
		return false;
	/* "N:*" always names the highest UID, even below N. */
	for (i = 0; i < c->len; i++)
		if ((int64_t)g_array_index(c, uint32_t, i) > run->last)
			g_array_index(c, uint32_t, n++) =
			    g_array_index(c, uint32_t, i);
	g_array_set_size(c, n);
	return item_uids(src, run->uidv, "failed", c, err);
}

static bool
imap_select(struct fetch_source *src, int64_t *uidv, GError **err)
{
	int	 r = mailimap_select(src->imap, src->url->mailbox);

	if (!imap_ok(r))
		return imap_fail(src, FETCH_ERROR_MAILBOX, r, "SELECT", err);
	if (src->imap->imap_selection_info == NULL ||
	    src->imap->imap_selection_info->sel_uidvalidity == 0) {
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_PROTOCOL,
		    "%s: the server sent no UIDVALIDITY", src->url->text);
		return false;
	}
	*uidv = src->imap->imap_selection_info->sel_uidvalidity;
	return true;
}

static bool
imap_run(struct fetch_source *src, struct fetch_stats *st, GError **err)
{
	struct imap_run	 run = { src, 0, 0, st };
	GArray		*c = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	bool		 fresh, ok;
	guint		 i, n;

	ok = imap_select(src, &run.uidv, err) &&
	    imap_position(&run, &fresh, err) &&
	    settle_pending(src, run.uidv, err) &&
	    imap_candidates(&run, fresh, c, err);
	if (ok) {
		sort_unique(c);
		/* A fresh start records its place even with nothing new. */
		if (c->len == 0 && fresh)
			ok = store_fetch_state_set(src->o->store,
			    src->url->text, run.uidv, run.last, fetch_now(),
			    err);
	}
	for (i = 0; ok && i < c->len; i += n) {
		n = MIN(c->len - i, MAX(src->o->batch, 1u));
		ok = imap_batch(&run, &g_array_index(c, uint32_t, i), n, err);
	}
	g_array_unref(c);
	return ok;
}

bool
fetch_imap_pass(struct fetch_source *src, bool keep, struct fetch_stats *st,
    GError **err)
{
	bool	 ok;

	if (src->imap == NULL && !imap_connect(src, err))
		return false;
	ok = imap_run(src, st, err);
	if (!ok || !keep)
		fetch_imap_close(src);
	return ok;
}

bool
fetch_imap_idle(struct fetch_source *src, int seconds, GError **err)
{
	struct pollfd	 pfd;
	int		 r;

	r = mailimap_idle(src->imap);
	if (!imap_ok(r)) {
		(void)imap_fail(src, FETCH_ERROR_PROTOCOL, r, "IDLE", err);
		fetch_imap_close(src);
		return false;
	}
	pfd.fd = mailimap_idle_get_fd(src->imap);
	pfd.events = POLLIN;
	/* Any untagged data (EXISTS, EXPUNGE) ends the wait; a signal too. */
	(void)poll(&pfd, 1, seconds * 1000);
	r = mailimap_idle_done(src->imap);
	if (!imap_ok(r)) {
		(void)imap_fail(src, FETCH_ERROR_PROTOCOL, r, "DONE", err);
		fetch_imap_close(src);
		return false;
	}
	return true;
}
