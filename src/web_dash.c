/*
 * web_dash: the staff dashboard — tickets opened per day per queue, the
 * backlog by status, first-response times against the SLA and each
 * queue's SLA compliance (a chart with its data table), drawn as
 * SVG on the server (no script).  Coordinates are computed here; the
 * template only places the shapes, and every label goes through its
 * HTML escaping like any other text.
 */
#include "pdconfig.h"

#include <string.h>

#include "store_web.h"
#include "lifecycle.h"
#include "web.h"

#define DASH_DAYS	30
#define CHART_W		640
#define CHART_H		220
#define BAR_H		22
#define LABEL_W		170

static void
shape(JsonArray *a, int64_t x, int64_t y, int64_t w, int64_t h,
    const char *cls, const char *label)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "x", x);
	json_object_set_int_member(o, "y", y);
	json_object_set_int_member(o, "w", w);
	json_object_set_int_member(o, "h", h);
	json_object_set_string_member(o, "cls", cls);
	json_object_set_string_member(o, "label", label);
	json_array_add_object_element(a, o);
}

static void
text(JsonArray *a, int64_t x, int64_t y, const char *anchor, const char *s)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "x", x);
	json_object_set_int_member(o, "y", y);
	json_object_set_string_member(o, "anchor", anchor);
	json_object_set_string_member(o, "text", s);
	json_array_add_object_element(a, o);
}

static JsonObject *
chart_new(int64_t w, int64_t h, JsonArray **bars, JsonArray **labels)
{
	JsonObject *o = json_object_new();

	json_object_set_int_member(o, "w", w);
	json_object_set_int_member(o, "h", h);
	*bars = json_array_new();
	*labels = json_array_new();
	json_object_set_array_member(o, "bars", *bars);
	json_object_set_array_member(o, "labels", *labels);
	return o;
}

/* Horizontal bars: one per NAMES[i] with N[i]. */
static JsonObject *
hbars(const char *const *names, const int64_t *n, size_t count,
    const char *cls)
{
	JsonArray	*bars, *labels;
	JsonObject	*o;
	int64_t		 max = 1;
	size_t		 i;

	for (i = 0; i < count; i++)
		max = MAX(max, n[i]);
	o = chart_new(CHART_W, (int64_t)MAX(count, 1) * (BAR_H + 6) + 6,
	    &bars, &labels);
	for (i = 0; i < count; i++) {
		int64_t	 y = 6 + (int64_t)i * (BAR_H + 6);
		int64_t	 w = n[i] * (CHART_W - LABEL_W - 70) / max;
		char	*s = g_strdup_printf("%s: %" G_GINT64_FORMAT,
		    names[i], n[i]);

		shape(bars, LABEL_W, y, MAX(w, 1), BAR_H, cls, s);
		text(labels, LABEL_W - 6, y + BAR_H - 6, "end", names[i]);
		g_free(s);
		s = g_strdup_printf("%" G_GINT64_FORMAT, n[i]);
		text(labels, LABEL_W + MAX(w, 1) + 6, y + BAR_H - 6, "start",
		    s);
		g_free(s);
	}
	return o;
}

static int
queue_index(GPtrArray *queues, const char *q)
{
	guint	 i;

	for (i = 0; i < queues->len; i++)
		if (strcmp(queues->pdata[i], q) == 0)
			return (int)i;
	g_ptr_array_add(queues, g_strdup(q));
	return (int)queues->len - 1;
}

/* Stacked columns: tickets opened per day, one colour per queue. */
static JsonObject *
opened_chart(GPtrArray *days, int64_t first_day, JsonArray *legend)
{
	int64_t		 totals[DASH_DAYS] = { 0 }, max = 1, col;
	int64_t		 stack[DASH_DAYS] = { 0 };
	GPtrArray	*queues = g_ptr_array_new_with_free_func(g_free);
	JsonArray	*bars, *labels;
	JsonObject	*o;
	guint		 i;

	for (i = 0; i < days->len; i++) {
		const struct store_web_day *d = days->pdata[i];
		int64_t k = d->day - first_day;

		if (k >= 0 && k < DASH_DAYS) {
			totals[k] += d->n;
			max = MAX(max, totals[k]);
		}
	}
	o = chart_new(CHART_W, CHART_H, &bars, &labels);
	col = (CHART_W - 40) / DASH_DAYS;
	for (i = 0; i < days->len; i++) {
		const struct store_web_day *d = days->pdata[i];
		int64_t	 k = d->day - first_day, h, y;
		char	*cls, *label, *day;

		if (k < 0 || k >= DASH_DAYS)
			continue;
		h = d->n * (CHART_H - 30) / max;
		stack[k] += h;
		y = CHART_H - 20 - stack[k];
		cls = g_strdup_printf("q%d",
		    queue_index(queues, d->queue) % 6);
		day = web_time(NULL, d->day * 86400);
		day[10] = '\0';
		label = g_strdup_printf("%s %s: %" G_GINT64_FORMAT, day,
		    d->queue, d->n);
		shape(bars, 36 + k * col, y, col - 2, MAX(h, 1), cls, label);
		g_free(cls);
		g_free(label);
		g_free(day);
	}
	for (i = 0; i < queues->len; i++) {
		JsonObject *l = json_object_new();
		char *cls = g_strdup_printf("q%u", i % 6);

		json_object_set_string_member(l, "cls", cls);
		json_object_set_string_member(l, "name", queues->pdata[i]);
		json_array_add_object_element(legend, l);
		g_free(cls);
	}
	{
		char *s = g_strdup_printf("%" G_GINT64_FORMAT, max);

		text(labels, 30, 14, "end", s);
		g_free(s);
		text(labels, 30, CHART_H - 20, "end", "0");
		text(labels, 36, CHART_H - 4, "start", "30 days ago");
		text(labels, CHART_W - 4, CHART_H - 4, "end", "today");
	}
	g_ptr_array_unref(queues);
	return o;
}

/* "2 hours", "90 minutes", "1 day": a target as a person says it. */
static char *
duration_words(int64_t s)
{
	if (s > 0 && s % 86400 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " day%s", s / 86400,
		    s == 86400 ? "" : "s");
	if (s > 0 && s % 3600 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " hour%s", s / 3600,
		    s == 3600 ? "" : "s");
	if (s % 60 == 0)
		return g_strdup_printf("%" G_GINT64_FORMAT " minute%s", s / 60,
		    s == 60 ? "" : "s");
	return g_strdup_printf("%" G_GINT64_FORMAT " seconds", s);
}

/* Each HotRush ticket is measured against its own queue's sla_hotrush. */
static JsonObject *
response_chart(const struct web *w, GArray *resp, JsonObject *page)
{
	static const char *const names[] = { "under 1 h", "1 to 2 h",
	    "2 to 8 h", "8 to 24 h", "over 24 h", "no reply yet" };
	int64_t	 n[G_N_ELEMENTS(names)] = { 0 }, hot = 0, hot_ok = 0;
	char	*target_text;
	guint	 i;

	for (i = 0; i < resp->len; i++) {
		const struct store_web_response *r =
		    &g_array_index(resp, struct store_web_response, i);
		int64_t d = r->first - r->created;
		size_t b = r->first == 0 ? 5 : d < 3600 ? 0 :
		    d < 2 * 3600 ? 1 : d < 8 * 3600 ? 2 :
		    d < 24 * 3600 ? 3 : 4;

		n[b]++;
		if (r->hotrush) {
			const struct lifecycle *lc = lifecycle_for(
			    w->config->lifecycle, r->queue);
			/* In business time when the queue has a calendar. */
			int64_t used = lc->calendar == NULL ? d :
			    calendar_elapsed(lc->calendar, r->created, r->first);

			hot++;
			hot_ok += r->first != 0 && used <= lc->sla_hotrush;
		}
	}
	target_text = duration_words(lifecycle_for(w->config->lifecycle,
	    NULL)->sla_hotrush);
	json_object_set_string_member(page, "hotrush_target", target_text);
	g_free(target_text);
	json_object_set_int_member(page, "hotrush_total", hot);
	json_object_set_int_member(page, "hotrush_in_sla", hot_ok);
	json_object_set_boolean_member(page, "has_responses", resp->len > 0);
	return hbars(names, n, G_N_ELEMENTS(names), "resp");
}

/* Met and missed per target of one queue. */
struct compliance {
	char	*queue;
	int64_t	 met[2], missed[2], pending[2];
};

static void
compliance_free(gpointer p)
{
	struct compliance *q = p;

	g_free(q->queue);
	g_free(q);
}

/* One row of a queue's table, and its bar (the share met). */
static void
compliance_row(JsonArray *rows, JsonArray *bars, JsonArray *labels,
    const char *name, int64_t met, int64_t missed, int64_t pending,
    int64_t y)
{
	JsonObject	*o = json_object_new();
	int64_t		 n = met + missed;
	int64_t		 span = CHART_W - LABEL_W - 70;
	int64_t		 wmet = n > 0 ? met * span / n : 0;
	char		*pct = n > 0 ? g_strdup_printf("%" G_GINT64_FORMAT " %%",
	    (met * 100 + n / 2) / n) : g_strdup("–");
	char		*label;

	json_object_set_string_member(o, "target", name);
	json_object_set_int_member(o, "tickets", n);
	json_object_set_int_member(o, "met", met);
	json_object_set_int_member(o, "missed", missed);
	json_object_set_int_member(o, "pending", pending);
	json_object_set_string_member(o, "percent", pct);
	json_array_add_object_element(rows, o);
	label = g_strdup_printf("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
	    " met (%s)", name, met, n, pct);
	/* The track is the whole measured set; met drawn over it. */
	shape(bars, LABEL_W, y, span, BAR_H, "sla-missed", label);
	if (wmet > 0)
		shape(bars, LABEL_W, y, wmet, BAR_H, "sla-met", label);
	text(labels, LABEL_W - 6, y + BAR_H - 6, "end", name);
	text(labels, LABEL_W + span + 6, y + BAR_H - 6, "start", pct);
	g_free(label);
	g_free(pct);
}

/*
 * SLA compliance per queue, tickets created since SINCE: each ticket
 * against its own queue's life cycle (calendar included) at NOW.
 */
static JsonArray *
compliance_chart(const struct web *w, GArray *facts, int64_t now)
{
	static const enum lc_target targets[2] = { LC_TARGET_FIRST_RESPONSE,
	    LC_TARGET_RESOLUTION };
	GPtrArray	*qs = g_ptr_array_new_with_free_func(compliance_free);
	JsonArray	*out = json_array_new();
	guint		 i;
	int		 k;

	for (i = 0; i < facts->len; i++) {
		const struct store_web_sla *r = &g_array_index(facts,
		    struct store_web_sla, i);
		const struct lifecycle *lc = lifecycle_for(
		    w->config->lifecycle, r->queue);
		struct lc_ticket f = { 0 };
		struct compliance *q = qs->len > 0 ?
		    qs->pdata[qs->len - 1] : NULL;

		/* The rows come by queue. */
		if (q == NULL || strcmp(q->queue, r->queue) != 0) {
			q = g_new0(struct compliance, 1);
			q->queue = g_strdup(r->queue);
			g_ptr_array_add(qs, q);
		}
		f.status = r->status;
		f.created = r->created;
		f.status_since = r->status_since;
		f.first_response = r->first_response;
		f.priority = r->priority_rank;
		f.hotrush = r->hotrush;
		for (k = 0; k < 2; k++)
			switch (lifecycle_outcome(lc, &f, targets[k], now)) {
			case LC_OUTCOME_MET:
				q->met[k]++;
				break;
			case LC_OUTCOME_MISSED:
				q->missed[k]++;
				break;
			case LC_OUTCOME_PENDING:
				q->pending[k]++;
				break;
			default:
				break;
			}
	}
	for (i = 0; i < qs->len; i++) {
		const struct compliance *q = qs->pdata[i];
		JsonObject	*o, *chart;
		JsonArray	*bars, *labels, *rows = json_array_new();
		char		*id;

		chart = chart_new(CHART_W, 2 * (BAR_H + 6) + 6, &bars,
		    &labels);
		compliance_row(rows, bars, labels, _("First response"),
		    q->met[0], q->missed[0], q->pending[0], 6);
		compliance_row(rows, bars, labels, _("Resolution"),
		    q->met[1], q->missed[1], q->pending[1], 12 + BAR_H);
		o = json_object_new();
		json_object_set_string_member(o, "queue", q->queue);
		/* An id of our own: a queue name is no safe id. */
		id = g_strdup_printf("sla-%u", i + 1);
		json_object_set_string_member(o, "id", id);
		g_free(id);
		json_object_set_object_member(o, "chart", chart);
		json_object_set_array_member(o, "rows", rows);
		json_array_add_object_element(out, o);
	}
	g_ptr_array_unref(qs);
	return out;
}

struct web_response *
web_page_dashboard(struct web *w, GError **err)
{
	GPtrArray	*days = NULL, *backlog = NULL;
	GArray		*resp = NULL, *sla = NULL;
	JsonObject	*o;
	JsonArray	*legend;
	int64_t		 today = w->now / 86400;
	int64_t		 since = (today - DASH_DAYS + 1) * 86400;
	const char	**names;
	int64_t		*counts;
	guint		 i;

	if (!store_web_opened_per_day(w->store, since, &days, err) ||
	    !store_web_backlog(w->store, &backlog, err) ||
	    !store_web_first_responses(w->store, since, &resp, err) ||
	    !store_web_sla_facts(w->store, since, &sla, err)) {
		if (resp != NULL)
			g_array_unref(resp);
		if (days != NULL)
			g_ptr_array_unref(days);
		if (backlog != NULL)
			g_ptr_array_unref(backlog);
		return NULL;
	}
	o = json_object_new();
	legend = json_array_new();
	json_object_set_object_member(o, "opened", opened_chart(days,
	    today - DASH_DAYS + 1, legend));
	json_object_set_array_member(o, "legend", legend);
	names = g_new0(const char *, backlog->len + 1);
	counts = g_new0(int64_t, backlog->len + 1);
	for (i = 0; i < backlog->len; i++) {
		const struct store_web_count *c = backlog->pdata[i];

		names[i] = c->name;
		counts[i] = c->n;
	}
	json_object_set_object_member(o, "backlog", hbars(names, counts,
	    backlog->len, "backlog"));
	json_object_set_object_member(o, "response", response_chart(w,
	    resp, o));
	json_object_set_array_member(o, "sla", compliance_chart(w, sla,
	    w->now));
	json_object_set_boolean_member(o, "has_sla", sla->len > 0);
	g_array_unref(sla);
	g_free(names);
	g_free(counts);
	g_ptr_array_unref(days);
	g_ptr_array_unref(backlog);
	g_array_unref(resp);
	return web_render(w, 200, "dashboard", _("Dashboard"), o, err);
}
