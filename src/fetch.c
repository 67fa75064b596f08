/*
 * fetch: the parts every source shares — taking a message in, the
 * debug stop points, and dispatch by protocol.
 */
#include "pdconfig.h"

#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "fetch-priv.h"
#include "log.h"

G_DEFINE_QUARK(postdesk-fetch-error-quark, fetch_error)

bool
text_to_fetch_after(enum fetch_after *out, const char *s)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "seen") == 0)
		*out = FETCH_AFTER_SEEN;
	else if (strcmp(s, "move") == 0)
		*out = FETCH_AFTER_MOVE;
	else if (strcmp(s, "delete") == 0)
		*out = FETCH_AFTER_DELETE;
	else
		return false;
	return true;
}

int64_t
fetch_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

void
fetch_maybe_stop(const struct fetch_source *src, const char *step)
{
	if (src->o->stop_at != NULL && strcmp(src->o->stop_at, step) == 0) {
		log_warnx("%s: stopping after \"%s\" as asked "
		    "(POSTDESK_FETCH_STOP)", src->url->text, step);
		_exit(99);
	}
}

struct fetch_source *
fetch_source_new(const struct fetch_url *u, const struct fetch_options *o)
{
	struct fetch_source *src = g_new0(struct fetch_source, 1);

	src->url = u;
	src->o = o;
	src->in = intake_new(o->config, o->store);
	intake_set_rules(src->in, o->rules);
	/* Fetched mail has no MTA-given client IP: the trusted receiving
	 * host's Authentication-Results / Received-SPF name it. */
	if (o->auth != NULL)
		intake_set_auth(src->in, auth_identify, o->auth);
	return src;
}

void
fetch_source_free(struct fetch_source *src)
{
	if (src == NULL)
		return;
	fetch_imap_close(src);
	intake_free(src->in);
	g_free(src);
}

static void
count(struct fetch_stats *st, enum intake_outcome o)
{
	switch (o) {
	case INTAKE_NEW_TICKET:
		st->new_tickets++;
		break;
	case INTAKE_REPLY:
		st->replies++;
		break;
	case INTAKE_DUPLICATE:
		st->duplicates++;
		break;
	default:
		st->quarantined++;
		break;
	}
}

static bool
record_failure(struct fetch_source *src, int64_t uidvalidity,
    const char *uid, const char *why, struct fetch_stats *st, GError **err)
{
	log_warnx("%s: message %s not taken in (retried next pass): %s",
	    src->url->text, uid, why);
	st->failed++;
	return store_fetch_item_set(src->o->store, src->url->text, uidvalidity,
	    uid, "failed", why, fetch_now(), err);
}

bool
fetch_take(struct fetch_source *src, int64_t uidvalidity, const char *uid,
    const char *raw, size_t len, const char *state, struct fetch_stats *st,
    GError **err)
{
	struct intake_input	 ii = { 0 };
	struct intake_result	 res;
	GError			*e = NULL;
	bool			 ok;

	st->fetched++;
	if ((uint64_t)len > src->o->config->max_message_size) {
		char *why = g_strdup_printf("%zu bytes is more than [mail] "
		    "max_message_size", len);

		ok = record_failure(src, uidvalidity, uid, why, st, err);
		g_free(why);
		return ok;
	}
	ii.raw = raw;
	ii.len = len;
	ii.now = fetch_now();
	ii.origin = src->url->text;
	if (!intake_message(src->in, &ii, &res, &e)) {
		intake_result_clear(&res);
		if (store_error_is_transient(e)) {
			g_propagate_error(err, e);
			return false;
		}
		ok = record_failure(src, uidvalidity, uid, e->message, st,
		    err);
		g_error_free(e);
		return ok;
	}
	count(st, res.outcome);
	log_info("%s: message %s: %s msgid=<%s> ticket=%" G_GINT64_FORMAT,
	    src->url->text, uid, intake_outcome_to_text(res.outcome),
	    res.message_id != NULL ? res.message_id : "", res.ticket);
	intake_result_clear(&res);
	if (state == NULL)
		return store_fetch_item_delete(src->o->store, src->url->text,
		    uidvalidity, uid, err);
	return store_fetch_item_set(src->o->store, src->url->text, uidvalidity,
	    uid, state, NULL, fetch_now(), err);
}

bool
fetch_source_pass(struct fetch_source *src, bool keep,
    struct fetch_stats *st, GError **err)
{
	switch (src->url->proto) {
	case FETCH_IMAP:
	case FETCH_IMAPS:
		return fetch_imap_pass(src, keep, st, err);
	case FETCH_POP3:
	case FETCH_POP3S:
		return fetch_pop3_pass(src, st, err);
	case FETCH_MAILDIR:
		return fetch_maildir_pass(src, st, err);
	case FETCH_MBOX:
		return fetch_mbox_pass(src, st, err);
	default:
		g_set_error(err, FETCH_ERROR, FETCH_ERROR_UNSUPPORTED,
		    "%s: unsupported source", src->url->text);
		return false;
	}
}

bool
fetch_source_idle(struct fetch_source *src, int seconds, GError **err)
{
	if (src->imap == NULL || !src->has_idle)
		return false;
	return fetch_imap_idle(src, seconds, err);
}
