/*
 * progress: one updating status line, or periodic plain lines.
 */
#include "pdconfig.h"

#include "progress.h"

struct progress {
	FILE		*fp;
	char		*what;
	char		*unit;		/* "msg" unless set */
	uint64_t	 total;
	uint64_t	 done;
	bool		 tty;
	double		 interval;	/* seconds between plain lines */
	gint64		 start;		/* monotonic microseconds */
	gint64		 last;
};

struct progress *
progress_new(FILE *fp, const char *what, uint64_t total, bool tty,
    double interval)
{
	struct progress	*p = g_new0(struct progress, 1);

	p->fp = fp;
	p->what = g_strdup(what);
	p->unit = g_strdup("msg");
	p->total = total;
	p->tty = tty;
	p->interval = interval > 0 ? interval : 10;
	p->start = p->last = g_get_monotonic_time();
	return p;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	g_free(p->what);
	g_free(p->unit);
	g_free(p);
}

void
progress_set_unit(struct progress *p, const char *unit)
{
	if (p == NULL)
		return;
	g_free(p->unit);
	p->unit = g_strdup(unit);
}

static char *
clock_text(double s)
{
	uint64_t t = (uint64_t)(s + 0.5);

	if (t >= 3600)
		return g_strdup_printf("%" G_GUINT64_FORMAT ":%02u:%02u",
		    t / 3600, (unsigned)(t / 60 % 60), (unsigned)(t % 60));
	return g_strdup_printf("%u:%02u", (unsigned)(t / 60),
	    (unsigned)(t % 60));
}

char *
progress_text(uint64_t done, uint64_t total, double elapsed)
{
	return progress_text_unit(done, total, elapsed, "msg");
}

char *
progress_text_unit(uint64_t done, uint64_t total, double elapsed,
    const char *unit)
{
	double	 rate = elapsed > 0 ? (double)done / elapsed : 0;
	char	*eta, *s;

	if (rate > 0 && total >= done)
		eta = clock_text((double)(total - done) / rate);
	else
		eta = g_strdup("?");
	s = g_strdup_printf("%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
	    " (%u%%), %.0f %s/s, ETA %s", done, total,
	    total > 0 ? (unsigned)(done * 100 / total) : 100u, rate, unit,
	    eta);
	g_free(eta);
	return s;
}

static void
draw(struct progress *p, gint64 now, bool final)
{
	char	*s = progress_text_unit(p->done, p->total,
	    (double)(now - p->start) / G_USEC_PER_SEC, p->unit);

	if (p->tty)
		/* \r and erase-to-end redraw the line in place. */
		fprintf(p->fp, "\r%s: %s\033[K%s", p->what, s,
		    final ? "\n" : "");
	else
		fprintf(p->fp, "%s: %s\n", p->what, s);
	fflush(p->fp);
	g_free(s);
	p->last = now;
}

void
progress_update(struct progress *p, uint64_t done)
{
	gint64	 now, every;

	if (p == NULL)
		return;
	now = g_get_monotonic_time();
	every = p->tty ? G_USEC_PER_SEC / 10 :
	    (gint64)(p->interval * G_USEC_PER_SEC);
	p->done = done;
	if (now - p->last >= every)
		draw(p, now, false);
}

void
progress_finish(struct progress *p)
{
	if (p == NULL)
		return;
	draw(p, g_get_monotonic_time(), true);
}
