/*
 * intake: the one path every message takes into the store.
 */
#include "pdconfig.h"

#include <string.h>

#include "intake-priv.h"
#include "intake-lifecycle.h"
#include "bounce.h"
#include "identity.h"
#include "outbox.h"
#include "quote.h"
#include "staff.h"
#include "thread.h"

static bool	unit_begin(struct intake *, GError **);
static bool	unit_end(struct intake *, bool keep, GError **);

const char *
intake_outcome_to_text(enum intake_outcome o)
{
	static const char *const names[INTAKE_OUTCOME__MAX] = {
		"new-ticket", "reply", "duplicate", "quarantined",
		"discarded", "rejected", "refused", "bounce"
	};

	return o < INTAKE_OUTCOME__MAX ? names[o] : "?";
}

struct intake *
intake_new(const struct config *c, struct store *s)
{
	struct intake	*in = g_new0(struct intake, 1);

	in->config = c;
	in->store = s;
	return in;
}

void
intake_free(struct intake *in)
{
	g_free(in);
}

void
intake_set_auth(struct intake *in, intake_auth_fn fn, void *ctx)
{
	in->auth = fn;
	in->auth_ctx = ctx;
}

void
intake_set_rules(struct intake *in, const struct rules *r)
{
	in->rules = r;
}

void
intake_result_clear(struct intake_result *r)
{
	g_free(r->message_id);
	g_free(r->reason);
	if (r->report != NULL)
		g_string_free(r->report, TRUE);
	memset(r, 0, sizeof *r);
}

static char *
join_addresses(GPtrArray *a)
{
	GString	*g = g_string_new(NULL);
	guint	 i;

	for (i = 0; i < a->len; i++) {
		const struct mail_address *x = a->pdata[i];

		g_string_append_printf(g, "%s%s", i ? ", " : "", x->addr);
	}
	return g_string_free(g, FALSE);
}

static void
report_summary(GString *r, const struct mail *m)
{
	char	*to = join_addresses(m->to), *cc = join_addresses(m->cc);
	guint	 i;

	g_string_append_printf(r, "parse:\n  Message-ID: %s%s\n",
	    m->message_id, m->message_id_synthetic ?
	    " (none in message; synthetic)" : "");
	g_string_append_printf(r, "  From: %s%s%s%s\n",
	    m->from.name ? m->from.name : "", m->from.name ? " <" : "",
	    m->from.addr ? m->from.addr : "(unparseable)",
	    m->from.name ? ">" : "");
	g_string_append_printf(r, "  To: %s\n  Cc: %s\n  Subject: %s\n",
	    to, cc, m->subject);
	g_string_append_printf(r, "  In-Reply-To: %s\n  References: %u\n",
	    m->in_reply_to ? m->in_reply_to : "(none)",
	    m->references ? g_strv_length(m->references) : 0);
	/* which quote rule ended the new text (text rules; an HTML
	 * quote marker, when present, has cut before them) */
	g_string_append_printf(r, "  text: %zu bytes%s, stripped: %zu bytes"
	    " (quote rule: %s)\n",
	    strlen(m->text), m->text_from_html ? " (from HTML)" : "",
	    strlen(m->stripped), quote_cut_rule(m->text));
	for (i = 0; i < m->attachments->len; i++) {
		const struct mail_attachment *a = m->attachments->pdata[i];

		g_string_append_printf(r, "  attachment: %s (%s, %zu bytes)\n",
		    a->filename ? a->filename : "(unnamed)", a->content_type,
		    (size_t)a->size);
	}
	for (i = 0; i < m->warnings->len; i++)
		g_string_append_printf(r, "  warning: %s\n",
		    (const char *)m->warnings->pdata[i]);
	g_free(to);
	g_free(cc);
}

/* "authentication:" and the verdict line by line (identity_to_text). */
static void
report_identity(GString *r, const struct identity *id)
{
	char	*text, **lines;
	int	 i;

	if (id == NULL) {
		g_string_append(r, "authentication: not checked\n");
		return;
	}
	text = identity_to_text(id);
	lines = g_strsplit(text, "\n", -1);
	g_string_append_printf(r, "authentication: %s (from %s)\n",
	    identity_final_to_text(id->final), id->source != NULL ?
	    id->source : "none");
	for (i = 0; lines[i] != NULL; i++)
		if (*lines[i] != '\0')
			g_string_append_printf(r, "  %s\n", lines[i]);
	g_strfreev(lines);
	g_free(text);
}

/* Nothing to do after all: the input is already in quarantine. */
static void
quarantine_duplicate(struct intake_result *res)
{
	res->outcome = INTAKE_DUPLICATE;
	g_string_append_printf(res->report, "duplicate: already in "
	    "quarantine (entry %" G_GINT64_FORMAT "); nothing to do\n",
	    res->quarantine_id);
}

static void
quarantine_fill(struct quarantine_entry *q, const struct intake_input *ii,
    const char *reason, char *sha)
{
	memset(q, 0, sizeof *q);
	q->received = ii->now;
	q->reason = (char *)reason;
	q->size = (int64_t)ii->len;
	q->envelope_from = (char *)ii->sender;
	q->envelope_to = (char *)ii->recipient;
	q->client_ip = (char *)ii->client_ip;
	q->raw_sha256 = sha;
}

/*
 * Keeps the raw bytes in quarantine, in the unit's transaction.
 * *added is false when an entry not replayed holds them already
 * (quarantine_raw_once): then nothing is written, res says which.
 */
static bool
quarantine_raw(struct intake *in, const struct intake_input *ii,
    const char *reason, struct intake_result *res, bool *added,
    GError **err)
{
	struct quarantine_entry q;
	char	 sha[65];

	quarantine_fill(&q, ii, reason, sha);
	if (!store_blob_put(in->store, ii->raw, ii->len, sha, err) ||
	    !store_quarantine_add(in->store, &q, added, err))
		return false;
	res->quarantine_id = q.id;
	return true;
}

static bool
quarantine(struct intake *in, const struct intake_input *ii,
    const char *reason, struct intake_result *res, GError **err)
{
	char	*sum;
	bool	 added = false, ok;

	res->outcome = INTAKE_QUARANTINED;
	res->reason = g_strdup(reason);
	g_string_append_printf(res->report, "quarantine: yes — %s\n", reason);
	if (ii->explain)
		return true;
	/*
	 * Re-delivered or re-imported garbage is kept once.  Asked inside
	 * the write transaction, so that deliveries at once see each
	 * other's entry; the unique index stands behind the question.
	 */
	if (!unit_begin(in, err))
		return false;
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, ii->raw, ii->len);
	ok = store_quarantine_find_raw(in->store, sum, &res->quarantine_id,
	    err);
	g_free(sum);
	if (ok && res->quarantine_id == 0)
		ok = quarantine_raw(in, ii, reason, res, &added, err);
	if (ok && !added) {
		quarantine_duplicate(res);
		(void)unit_end(in, false, NULL);
		return true;
	}
	if (!ok) {
		(void)unit_end(in, false, NULL);
		return false;
	}
	return unit_end(in, true, err);
}

static bool
add_participants(struct intake *in, int64_t ticket, const struct mail *m,
    bool new_ticket, GError **err)
{
	const char	*role;
	guint		 i;
	bool		 staff = false;

	if (m->from.addr != NULL) {
		if (!staff_active(in->store, in->config, m->from.addr, &staff,
		    err))
			return false;
		role = staff ? "staff" : new_ticket ? "requester" : "cc";
		if (!store_participant_add(in->store, ticket, m->from.addr,
		    m->from.name, role, err))
			return false;
	}
	if (!new_ticket)
		return true;
	/* The customer's CCs on the first message may follow the ticket. */
	for (i = 0; i < m->cc->len; i++) {
		const struct mail_address *a = m->cc->pdata[i];

		if (config_is_own_address(in->config, a->addr))
			continue;
		if (!staff_active(in->store, in->config, a->addr, &staff, err))
			return false;
		role = staff ? "staff" : "cc";
		if (!store_participant_add(in->store, ticket, a->addr, a->name,
		    role, err))
			return false;
	}
	return true;
}

static bool
blob_piece(const void *data, size_t len, void *ctx, GError **err)
{
	return store_blob_writer_append(ctx, data, len, err);
}

/* A lazy attachment (mail_parse_large()) decoded piece by piece into
 * its blob: never held whole. */
static bool
store_lazy_blob(struct intake *in, const struct mail_attachment *ma,
    GError **err)
{
	struct store_blob_writer *w;

	if (!store_blob_writer_new(in->store, ma->sha256, ma->size, &w, err))
		return false;
	if (w == NULL)
		return true;	/* stored already */
	if (!mail_attachment_read(ma, blob_piece, w, err)) {
		store_blob_writer_free(w);
		return false;
	}
	return store_blob_writer_finish(w, err);
}

static bool
store_attachments_of(struct intake *in, int64_t row, const struct mail *m,
    GError **err)
{
	guint	 i;

	for (i = 0; i < m->attachments->len; i++) {
		const struct mail_attachment *ma = m->attachments->pdata[i];
		struct attachment a = { 0 };
		char	 sha[65];
		gsize	 len = (gsize)ma->size;

		if (ma->part != NULL) {
			if (!store_lazy_blob(in, ma, err))
				return false;
			g_strlcpy(sha, ma->sha256, sizeof sha);
		} else {
			const void *data = g_bytes_get_data(ma->data, &len);

			if (!store_blob_put(in->store, data, len, sha, err))
				return false;
		}
		a.message_row = row;
		a.filename = ma->filename;
		a.content_type = ma->content_type;
		a.disposition = ma->disposition;
		a.content_id = ma->content_id;
		a.size = (int64_t)len;
		a.sha256 = sha;
		if (!store_attachment_insert(in->store, &a, err))
			return false;
	}
	return true;
}

static char *
references_text(const struct mail *m)
{
	return m->references != NULL && m->references[0] != NULL ?
	    g_strjoinv(" ", m->references) : NULL;
}

static bool
insert_message(struct intake *in, const struct intake_input *ii,
    const struct mail *m, int64_t ticket, bool internal, int64_t *row,
    GError **err)
{
	struct message	 msg = { 0 };
	char		 sha[65];
	char		*to = join_addresses(m->to), *cc = join_addresses(m->cc);
	char		*refs = references_text(m);
	char		*auth = NULL;
	bool		 ok;

	ok = store_blob_put(in->store, ii->raw, ii->len, sha, err);
	msg.ticket_id = ticket;
	msg.internal = internal;
	/* No verdict at all (no sender check ran): the columns stay NULL. */
	if (ii->identity != NULL) {
		auth = identity_to_text(ii->identity);
		msg.spf = ii->identity->spf != NULL ? ii->identity->spf :
		    (char *)"none";
		msg.auth_verdict = (char *)identity_final_to_text(
		    ii->identity->final);
		msg.auth = auth;
	}
	msg.message_id = m->message_id;
	msg.in_reply_to = m->in_reply_to;
	msg.references = refs;
	msg.from_addr = m->from.addr;
	msg.from_name = m->from.name;
	msg.to_addrs = to;
	msg.cc_addrs = cc;
	msg.envelope_from = (char *)ii->sender;
	msg.envelope_to = (char *)ii->recipient;
	msg.client_ip = (char *)ii->client_ip;
	msg.subject = m->subject;
	msg.date = m->date;
	msg.received = ii->now;
	msg.text = m->text;
	msg.stripped = m->stripped;
	msg.body_hash = m->body_hash;
	msg.raw_sha256 = sha;
	ok = ok && store_message_insert(in->store, &msg, err) &&
	    store_attachments_of(in, msg.id, m, err) &&
	    store_message_refs_add(in->store, msg.id, m->in_reply_to,
	    m->references, err);
	*row = msg.id;
	g_free(to);
	g_free(cc);
	g_free(refs);
	g_free(auth);
	return ok;
}

/* Tickets whose replies came before this message join its ticket
 * (thread.h); each merge is an event in both. */
static bool
merge_tickets(struct intake *in, const struct thread_verdict *v,
    int64_t ticket, int64_t row, int64_t now, const char *actor,
    GError **err)
{
	guint	 i;

	for (i = 0; v->merge != NULL && i < v->merge->len; i++) {
		int64_t		 from = g_array_index(v->merge, int64_t, i);
		const char	*why = v->merge_why->pdata[i];

		if (!store_ticket_merge(in->store, from, ticket, err) ||
		    !store_event_add(in->store, ticket, row, now, actor,
		    "merged", why, err) ||
		    !store_event_add(in->store, from, 0, now, actor,
		    "merged", why, err))
			return false;
	}
	return true;
}

/*
 * The queue a new ticket opens in: that of the first address it was
 * delivered to (envelope recipient, Delivered-To, To, Cc: the order
 * tokens are looked for in) that is a [queue.NAME] address; NULL, the
 * default queue, otherwise.
 */
static char *
brand_queue(const struct config *c, const struct mail *m,
    const char *recipient)
{
	GPtrArray	*rcpts;
	const char	*q = NULL;
	guint		 i;

	if (c->queues[0] == NULL)
		return NULL;
	rcpts = token_recipients(m, recipient);
	for (i = 0; q == NULL && i < rcpts->len; i++)
		q = config_queue_of_address(c, rcpts->pdata[i]);
	g_ptr_array_free(rcpts, TRUE);
	return g_strdup(q);
}

/* Applies the verdict: ticket, participants, message, events. */
static bool
apply(struct intake *in, const struct intake_input *ii, const struct mail *m,
    const struct thread_verdict *v, const struct intake_lc *lc,
    struct intake_result *res, GError **err)
{
	const char	*actor = m->from.addr != NULL ? m->from.addr :
	    ii->sender;
	int64_t		 ticket = lc->follow_up_of ? 0 : v->ticket, row;

	if (ticket == 0) {
		struct ticket t = { 0 };
		char	*queue = brand_queue(in->config, m, ii->recipient);
		const struct lifecycle *dlc = lifecycle_for(
		    in->config->lifecycle, queue);

		t.subject = *m->subject ? m->subject : "(no subject)";
		t.requester = m->from.addr != NULL ? m->from.addr :
		    (char *)(ii->sender != NULL ? ii->sender : "");
		t.linked_to = v->foreign ? v->named : lc->follow_up_of;
		t.created = ii->now;
		/* The configured default, as the initial status. */
		t.priority = (char *)lifecycle_default_priority(dlc);
		t.priority_rank = dlc->default_priority;
		t.queue = queue;
		if (!store_ticket_insert(in->store, &t, err)) {
			g_free(queue);
			return false;
		}
		g_free(queue);
		ticket = t.id;
	}
	if (!add_participants(in, ticket, m, v->ticket == 0 ||
	    lc->follow_up_of != 0, err) ||
	    !insert_message(in, ii, m, ticket, lc->internal ||
	    intake_lc_relays(lc), &row, err) ||
	    !store_ticket_touch(in->store, ticket, ii->now, err) ||
	    (!lc->follow_up_of && !merge_tickets(in, v, ticket, row, ii->now,
	    actor, err)))
		return false;
	if (v->ticket == 0 && !store_event_add(in->store, ticket, row,
	    ii->now, actor, "created", m->subject, err))
		return false;
	if (!intake_lc_apply(in->store, in->config, m, lc, ticket,
	    v->ticket == 0 || lc->follow_up_of != 0, row, actor, ii->now, err))
		return false;
	if (!store_event_add(in->store, ticket, row, ii->now, actor, "thread",
	    v->why, err))
		return false;
	if (v->foreign && (!store_event_add(in->store, ticket, row, ii->now,
	    actor, "linked", v->why, err) ||
	    !store_event_add(in->store, v->named, 0, ii->now, actor,
	    "linked", v->why, err)))
		return false;
	/* Imported history is never announced (no outbox rows, see
	 * take_in_ruled); the event makes that visible in the trail. */
	if (ii->import && !store_event_add(in->store, ticket, row, ii->now,
	    actor, "imported", ii->origin != NULL ? ii->origin :
	    "import: no notifications", err))
		return false;
	res->ticket = ticket;
	res->message_row = row;
	res->outcome = v->ticket == 0 || lc->follow_up_of ? INTAKE_NEW_TICKET :
	    INTAKE_REPLY;
	return true;
}

/* Not taken in (view-only member, unknown sender): the raw message is
 * kept in quarantine, the event is logged and the sender may be told. */
static bool
refuse(struct intake *in, const struct intake_input *ii, const struct mail *m,
    const struct thread_verdict *v, const struct intake_lc *lc,
    struct intake_result *res, GError **err)
{
	bool	 added;

	res->outcome = lc->quarantine ? INTAKE_QUARANTINED : INTAKE_REFUSED;
	res->reason = g_strdup(lc->refusal);
	res->ticket = v->named;
	if (ii->explain)
		return true;
	if (!quarantine_raw(in, ii, lc->refusal, res, &added, err))
		return false;
	/* The same bytes, refused before outcomes were recorded. */
	if (!added) {
		quarantine_duplicate(res);
		return true;
	}
	return store_event_add(in->store, v->named, 0, ii->now, m->from.addr,
	    "refused", lc->refusal, err) &&
	    (lc->refusal_template == NULL || m->from.addr == NULL ||
	    outbox_auto_refusal(in->config, m, ii->sender) != NULL ||
	    outbox_enqueue_quarantined(in->store, v->named, res->quarantine_id,
	    OUTBOX_NOTICE, lc->refusal_template, m->from.addr, ii->now,
	    err));
}

/* A message a rule discarded: an event, and the raw bytes if asked. */
static bool
discard(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct sieve_action *a,
    struct intake_result *res, GError **err)
{
	char	*why = g_strdup_printf("discarded by rule %s:%u",
	    a != NULL ? a->script : "?", a != NULL ? a->line : 0);
	bool	 added;

	res->outcome = INTAKE_DISCARDED;
	res->reason = why;
	if (ii->explain)
		return true;
	if (in->config->discard_keeps_raw) {
		if (!quarantine_raw(in, ii, why, res, &added, err))
			return false;
		if (!added) {
			quarantine_duplicate(res);
			return true;
		}
	}
	return store_event_add(in->store, 0, 0, ii->now, m->from.addr != NULL ?
	    m->from.addr : ii->sender, "discard", why, err);
}

/* After threading: the rules decide whether and how it is applied. */
static bool
take_in_ruled(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct thread_verdict *v,
    const struct sieve_result *rules, const struct intake_lc *lc,
    struct intake_result *res, GError **err)
{
	const struct sieve_action *why;

	intake_rules_report(res->report, rules);
	switch (intake_rules_verdict(rules, &why)) {
	case RULES_REJECT:
		res->outcome = INTAKE_REJECTED;
		res->reason = g_strdup_printf("%s (rule %s:%u)", why->arg,
		    why->script, why->line);
		return true;
	case RULES_DISCARD:
		return discard(in, ii, m, why, res, err);
	case RULES_KEEP:
		break;
	}
	if (ii->explain) {
		res->outcome = v->ticket && !lc->follow_up_of ? INTAKE_REPLY :
		    INTAKE_NEW_TICKET;
		res->ticket = v->ticket;
		return true;
	}
	return apply(in, ii, m, v, lc, res, err) &&
	    intake_rules_apply(in, ii, m, rules, res->ticket,
	    res->message_row, err) &&
	    /* Imported history causes no mail. */
	    (ii->import || intake_lc_after(in->store, in->config, m,
	    ii->sender, lc, res->ticket, res->message_row, ii->now, err)) &&
	    /* Notifications after the rules, so a rule's queue change
	     * shows in the mail; same transaction (outbox.h). */
	    (ii->import || outbox_after_intake(in->store, in->config, m,
	    ii->sender, res->ticket, res->message_row, v->ticket == 0,
	    lc->forged ? "verdict forged (postdesk-auth(5))" : NULL,
	    lc->role == LC_ROLE_STAFF, ii->now, err));
}

/* Mail to a VERP return path is a bounce, never a ticket (bounce.h). */
static bool
take_bounce(struct intake *in, const struct intake_input *ii,
    const struct mail *m, struct intake_result *res, bool *handled,
    GError **err)
{
	char	*detail = NULL;

	*handled = false;
	if (ii->explain)
		return true;
	if (!bounce_intake(in->store, in->config, m, ii->recipient, ii->now,
	    handled, &res->ticket, &detail, err))
		return false;
	if (*handled) {
		res->outcome = INTAKE_BOUNCE;
		res->reason = detail;
		g_string_append_printf(res->report, "bounce: %s\n", detail);
	}
	return true;
}

/* Recorded, not stored, before (refused, bounce...): a duplicate. */
static bool
seen_before(struct intake *in, const struct mail *m,
    struct intake_result *res, bool *seen, GError **err)
{
	char	*outcome;
	int64_t	 ticket;

	if (!store_intake_seen_get(in->store, m->message_id, m->body_hash,
	    &outcome, &ticket, seen, err))
		return false;
	if (*seen) {
		res->outcome = INTAKE_DUPLICATE;
		res->ticket = ticket;
		g_string_append_printf(res->report, "duplicate: already taken "
		    "in as %s (same Message-ID and body); nothing to do\n",
		    outcome);
	}
	g_free(outcome);
	return true;
}

/*
 * An outcome that stores no message is recorded by (Message-ID, body
 * hash), in the same transaction, for seen_before(); a stored message
 * is its own record.  A replay is of an entry already recorded.
 */
static bool
remember(struct intake *in, const struct intake_input *ii,
    const struct mail *m, const struct intake_result *res, GError **err)
{
	switch (res->outcome) {
	case INTAKE_REFUSED:
	case INTAKE_QUARANTINED:
	case INTAKE_DISCARDED:
	case INTAKE_BOUNCE:
		break;
	default:
		return true;
	}
	if (ii->explain || ii->replay)
		return true;
	return store_intake_seen_add(in->store, m->message_id, m->body_hash,
	    intake_outcome_to_text(res->outcome), res->ticket,
	    res->quarantine_id, ii->now, err);
}

/* Written in the portal: the CGI hands intake the mail it composed. */
static bool
from_portal(const struct intake_input *ii)
{
	return ii->origin != NULL &&
	    strcmp(ii->origin, INTAKE_ORIGIN_PORTAL) == 0;
}

/* Everything after parsing; inside a transaction unless explaining. */
static bool
take_in(struct intake *in, const struct intake_input *ii, const struct mail *m,
    struct intake_result *res, GError **err)
{
	struct thread_verdict v;
	struct sieve_result *rules = NULL;
	struct intake_lc lc;
	int64_t		 dup_ticket;
	bool		 dup = false, bounced = false, ok;

	if (in->store != NULL && !store_message_duplicate(in->store,
	    m->message_id, m->body_hash, &dup_ticket, &dup, err))
		return false;
	if (dup) {
		res->outcome = INTAKE_DUPLICATE;
		res->ticket = dup_ticket;
		g_string_append_printf(res->report, "duplicate: already stored "
		    "in ticket #%" G_GINT64_FORMAT " (same Message-ID and body)"
		    "; nothing to do\n", dup_ticket);
		return true;
	}
	if (in->store != NULL && !ii->replay &&
	    !seen_before(in, m, res, &dup, err))
		return false;
	if (dup)
		return true;
	if (in->store != NULL && !take_bounce(in, ii, m, res, &bounced, err))
		return false;
	if (bounced)
		return true;
	if (in->store == NULL) {
		g_string_append(res->report, "thread: no database yet; "
		    "would open a new ticket\n");
		res->outcome = INTAKE_NEW_TICKET;
		return true;
	}
	if (!thread_decide(in->store, in->config, m, ii->identity,
	    ii->recipient, &v, err))
		return false;
	g_string_append_printf(res->report, "thread: rule %s — %s\n",
	    thread_rule_to_text(v.rule), v.why);
	if (!intake_lc_decide(in->store, in->config, m, &v, ii->identity,
	    ii->recipient, ii->now, &lc, res->report, err)) {
		thread_verdict_clear(&v);
		return false;
	}
	/* Imported history runs no commands: nothing to decide first. */
	if (ii->import)
		lc.deferred = false;
	else
		intake_lc_portal_only(in->config, &v, from_portal(ii), &lc,
		    res->report);
	if (lc.refuse)
		ok = refuse(in, ii, m, &v, &lc, res, err);
	else {
		ok = intake_rules_run(in, ii, m, v.ticket == 0, &rules, err);
		if (ok)
			ok = take_in_ruled(in, ii, m, &v, rules, &lc, res,
			    err);
		sieve_result_free(rules);
	}
	intake_lc_clear(&lc);
	thread_verdict_clear(&v);
	return ok;
}

bool
intake_batch_begin(struct intake *in, GError **err)
{
	g_return_val_if_fail(in->store != NULL && !in->batch, false);
	if (!store_bulk(in->store, err) || !store_begin(in->store, err))
		return false;
	in->batch = true;
	return true;
}

bool
intake_batch_begin_small(struct intake *in, GError **err)
{
	g_return_val_if_fail(in->store != NULL && !in->batch, false);
	if (!store_begin(in->store, err))
		return false;
	in->batch = true;
	return true;
}

bool
intake_batch_commit(struct intake *in, GError **err)
{
	g_return_val_if_fail(in->batch, false);
	in->batch = false;
	return store_commit(in->store, err);
}

void
intake_batch_rollback(struct intake *in)
{
	if (in == NULL || !in->batch)
		return;
	in->batch = false;
	store_rollback(in->store);
}

bool
intake_in_batch(const struct intake *in)
{
	return in->batch;
}

/* One message's writes: a transaction alone, a savepoint in a batch. */
static bool
unit_begin(struct intake *in, GError **err)
{
	return in->batch ? store_savepoint(in->store, err) :
	    store_begin(in->store, err);
}

static bool
unit_end(struct intake *in, bool keep, GError **err)
{
	if (keep && in->batch) {
		if (store_release(in->store, err))
			return true;
		store_rollback_savepoint(in->store);
		return false;
	}
	if (keep)
		return store_commit(in->store, err);
	if (in->batch)
		store_rollback_savepoint(in->store);
	else
		store_rollback(in->store);
	return true;
}

bool
intake_message(struct intake *in, const struct intake_input *ii,
    struct intake_result *res, GError **err)
{
	struct intake_input eff = *ii;
	struct identity	*id = NULL;
	struct mail	*m = NULL;
	GError		*perr = NULL;
	bool		 ok;

	memset(res, 0, sizeof *res);
	res->report = g_string_new(NULL);
	g_return_val_if_fail(in->store != NULL || ii->explain, false);
	g_return_val_if_fail(!in->batch || !ii->explain, false);
	/* Large attachments stay in RAW until stored (mail.h). */
	if (!mail_parse_large(&m, ii->raw, ii->len, &perr)) {
		ok = quarantine(in, ii, perr->message, res, err);
		g_error_free(perr);
		return ok;
	}
	/* Imported history keeps its own time line. */
	if (ii->import && m->date > 0)
		eff.now = m->date;
	if (eff.identity == NULL && in->auth != NULL)
		eff.identity = id = in->auth(in->auth_ctx, m, ii->raw, ii->len,
		    ii->client_ip, ii->sender);
	report_summary(res->report, m);
	g_string_append(res->report, "quarantine: no\n");
	report_identity(res->report, eff.identity);
	res->message_id = g_strdup(m->message_id);
	if (!ii->explain && !unit_begin(in, err)) {
		identity_free(id);
		mail_free(m);
		return false;
	}
	ok = take_in(in, &eff, m, res, err) && remember(in, &eff, m, res, err);
	if (ii->explain) {
		if (in->store != NULL && !in->batch)
			store_rollback(in->store);
	} else if (ok && res->outcome != INTAKE_DUPLICATE &&
	    res->outcome != INTAKE_REJECTED)
		ok = unit_end(in, true, err);
	else
		(void)unit_end(in, false, NULL);
	identity_free(id);
	mail_free(m);
	return ok;
}
