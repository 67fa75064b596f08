/*
 * lifecycle_escalate: SLA escalation by postdesk tick, as
 * lifecycle_escalation() decides it.
 *
 * Each target (first response, resolution) escalates once per ticket:
 * its "escalated" event is the record, read back before deciding, in
 * the same transaction that writes the next one.  The notice to the
 * queue's leads (staff_escalation_recipients()) goes through the
 * outbox like every staff notice; the priority bump goes through the
 * Priority command of the life cycle, so it gets the same checks and
 * "priority" event as one by staff.
 */
#include "pdconfig.h"

#include <string.h>

#include "lifecycle_apply.h"
#include "outbox.h"
#include "staff.h"

#define ESCALATION_ACTOR	"postdesk-tick"
#define ESCALATION_KIND		"escalated"
#define ESCALATION_TEMPLATE	"escalation"

/* The targets of ticket ID already escalated: bits of enum lc_target. */
static bool
escalated_before(struct store *s, int64_t id, unsigned *done, GError **err)
{
	GPtrArray	*ev = NULL;
	guint		 i;
	enum lc_target	 t[] = { LC_TARGET_FIRST_RESPONSE,
	    LC_TARGET_RESOLUTION };
	size_t		 k;

	*done = 0;
	if (!store_events(s, id, &ev, err))
		return false;
	for (i = 0; i < ev->len; i++) {
		const struct event *e = ev->pdata[i];

		if (strcmp(e->kind, ESCALATION_KIND) != 0 || e->detail == NULL)
			continue;
		for (k = 0; k < G_N_ELEMENTS(t); k++) {
			const char *w = lifecycle_target_to_text(t[k]);
			size_t	 n = strlen(w);

			if (strncmp(e->detail, w, n) == 0 &&
			    e->detail[n] == ':')
				*done |= t[k];
		}
	}
	g_ptr_array_free(ev, TRUE);
	return true;
}

static char *
when(int64_t t)
{
	GDateTime	*d = g_date_time_new_from_unix_local(t);
	char		*s;

	if (d == NULL)
		return g_strdup("?");
	s = g_date_time_format(d, "%Y-%m-%d %H:%M %z");
	g_date_time_unref(d);
	return s;
}

/* "resolution: due 2026-12-07 11:00 +0100" — the event and the line. */
static char *
target_detail(enum lc_target t, int64_t due)
{
	char	*w = when(due), *d;

	d = g_strdup_printf("%s: due %s", lifecycle_target_to_text(t), w);
	g_free(w);
	return d;
}

/* The notice to the queue's leads; *who gets "a, b" or "nobody". */
static bool
notify_leads(struct store *s, const struct config *c,
    const struct ticket *t, int64_t now, char **who, GError **err)
{
	struct staff_dir *dir = NULL;
	GPtrArray	*to;
	bool		 ok;

	*who = NULL;
	if (!staff_dir_load(s, c, &dir, err))
		return false;
	to = staff_escalation_recipients(dir, t->queue);
	g_ptr_array_add(to, NULL);
	*who = to->len > 1 ? g_strjoinv(", ", (char **)to->pdata) :
	    g_strdup("nobody (no lead, no admin)");
	g_ptr_array_set_size(to, to->len - 1);
	ok = to->len == 0 || outbox_enqueue_all(s, t->id, 0, OUTBOX_STAFF,
	    ESCALATION_TEMPLATE, to, NULL, now, err);
	g_ptr_array_free(to, TRUE);
	staff_dir_free(dir);
	return ok;
}

bool
lifecycle_apply_escalate(struct store *s, const struct config *c,
    const struct ticket *t, const struct lc_ticket *f, int64_t now,
    char **line, GError **err)
{
	const struct lifecycle *lc = lifecycle_apply_lc(c, t);
	struct lc_escalation x;
	enum lc_target	 all[] = { LC_TARGET_FIRST_RESPONSE,
	    LC_TARGET_RESOLUTION };
	GString		*g;
	unsigned	 done;
	char		*who = NULL;
	size_t		 k;
	bool		 ok = true;

	*line = NULL;
	if (lc->escalate == 0)
		return true;
	/* Most tickets have nothing due: read their events only if so. */
	lifecycle_escalation(lc, f, now, 0, &x);
	if (x.targets == 0)
		return true;
	if (!escalated_before(s, t->id, &done, err))
		return false;
	lifecycle_escalation(lc, f, now, done, &x);
	if (x.targets == 0)
		return true;
	g = g_string_new(NULL);
	g_string_printf(g, "#%" G_GINT64_FORMAT " escalated:", t->id);
	for (k = 0; ok && k < G_N_ELEMENTS(all); k++) {
		char	*d;

		if (!(x.targets & all[k]))
			continue;
		d = target_detail(all[k], all[k] == LC_TARGET_RESOLUTION ?
		    x.resolution_due : x.first_response_due);
		ok = store_event_add(s, t->id, 0, now, ESCALATION_ACTOR,
		    ESCALATION_KIND, d, err);
		g_string_append_printf(g, " %s;", d);
		g_free(d);
	}
	if (ok && x.notify_leads) {
		ok = notify_leads(s, c, t, now, &who, err);
		g_string_append_printf(g, " notice to %s;", who);
		g_free(who);
	}
	if (ok && x.raise_to != LC_RANK_NONE) {
		bool	 applied = false;
		char	*why = NULL;

		ok = lifecycle_apply_command(s, c, t->id, LC_CMD_PRIORITY,
		    lifecycle_priority_name(lc, x.raise_to), LC_ROLE_SYSTEM,
		    ESCALATION_ACTOR, 0, now, &applied, &why, err);
		if (ok)
			g_string_append_printf(g, " priority %s%s;",
			    applied ? "" : "not raised: ", why);
		g_free(why);
	}
	g_string_truncate(g, g->len - 1);	/* the last ';' */
	if (ok)
		*line = g_string_free(g, FALSE);
	else
		g_string_free(g, TRUE);
	return ok;
}
