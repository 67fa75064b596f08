/*
 * calendar: business hours and holidays (see calendar.h).
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"

/* Minutes after local midnight; TO may be 24 * 60. */
struct range {
	int	 from;
	int	 to;
};

struct calendar {
	char		*name;
	GTimeZone	*tz;
	GArray		*week[7];	/* of struct range, Monday first, sorted */
	GHashTable	*holidays;	/* Julian day numbers */
};

/* No target spans more than this: a calendar that is never open (all
 * holidays) ends the walk instead of looping. */
#define CALENDAR_MAX_DAYS	3660

static const char *const day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

static bool
fail(GError **err, const char *name, const char *key, const char *what,
    const char *text)
{
	g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
	    "[calendar.%s] %s: %s \"%s\"", name, key, what, text);
	return false;
}

static int
day_index(const char *s)
{
	int	 i;

	for (i = 0; i < 7; i++)
		if (g_ascii_strncasecmp(s, day_names[i], 3) == 0 &&
		    s[3] == '\0')
			return i;
	return -1;
}

/* "mon-fri,sun" into DAYS[7]. */
static bool
parse_days(const char *s, bool days[7])
{
	char	**items = g_strsplit(s, ",", -1);
	bool	 ok = items[0] != NULL;
	int	 i, a, b;

	for (i = 0; ok && items[i] != NULL; i++) {
		char	*dash = strchr(items[i], '-');

		if (dash != NULL)
			*dash = '\0';
		a = day_index(items[i]);
		b = dash != NULL ? day_index(dash + 1) : a;
		if (a < 0 || b < 0) {
			ok = false;
			break;
		}
		/* "fri-mon" wraps over the weekend. */
		for (;; a = (a + 1) % 7) {
			days[a] = true;
			if (a == b)
				break;
		}
	}
	g_strfreev(items);
	return ok;
}

/* "HH:MM" into minutes; 24:00 only if END. */
static bool
parse_clock(const char *s, bool end, int *out)
{
	unsigned	 h, m;
	char		 tail;

	if (strlen(s) != 5 || sscanf(s, "%2u:%2u%c", &h, &m, &tail) != 2 ||
	    m > 59 || h > 24 || (h == 24 && (m != 0 || !end)))
		return false;
	*out = (int)(h * 60 + m);
	return true;
}

static bool
parse_range(const char *s, struct range *r)
{
	char	**ends = g_strsplit(s, "-", 3);
	bool	 ok = g_strv_length(ends) == 2 &&
	    parse_clock(ends[0], false, &r->from) &&
	    parse_clock(ends[1], true, &r->to) && r->from < r->to;

	g_strfreev(ends);
	return ok;
}

static gint
range_cmp(gconstpointer a, gconstpointer b)
{
	return ((const struct range *)a)->from -
	    ((const struct range *)b)->from;
}

static bool
parse_hours(struct calendar *c, const char *hours, GError **err)
{
	char	**parts = g_strsplit(hours, ";", -1);
	bool	 ok = true, any = false;
	int	 i, j, d;

	for (i = 0; ok && parts[i] != NULL; i++) {
		char	**w = g_strsplit_set(g_strstrip(parts[i]), " \t,", -1);
		bool	 days[7] = { false };
		int	 n = 0;

		if (*parts[i] == '\0') {
			g_strfreev(w);
			continue;
		}
		if (!parse_days(w[0], days))
			ok = fail(err, c->name, "hours", "not a day or days",
			    w[0]);
		for (j = 1; ok && w[j] != NULL; j++) {
			struct range	 r;

			if (*w[j] == '\0')
				continue;
			if (!parse_range(w[j], &r)) {
				ok = fail(err, c->name, "hours",
				    "not a time range HH:MM-HH:MM", w[j]);
				break;
			}
			for (d = 0; d < 7; d++)
				if (days[d])
					g_array_append_val(c->week[d], r);
			n++;
		}
		if (ok && n == 0)
			ok = fail(err, c->name, "hours", "no time range after",
			    w[0]);
		any = any || n > 0;
		g_strfreev(w);
	}
	g_strfreev(parts);
	if (ok && !any)
		ok = fail(err, c->name, "hours", "no opening hours in", hours);
	for (d = 0; ok && d < 7; d++) {
		GArray	*a = c->week[d];
		guint	 k;

		g_array_sort(a, range_cmp);
		for (k = 1; k < a->len; k++)
			if (g_array_index(a, struct range, k).from <
			    g_array_index(a, struct range, k - 1).to) {
				ok = fail(err, c->name, "hours",
				    "overlapping ranges on", day_names[d]);
				break;
			}
	}
	return ok;
}

static bool
parse_holidays(struct calendar *c, const char *text, GError **err)
{
	char	**items = g_strsplit_set(text, ";,", -1);
	bool	 ok = true;
	int	 i;

	for (i = 0; ok && items[i] != NULL; i++) {
		char		*s = g_strstrip(items[i]);
		unsigned	 y, m, d;
		char		 tail;

		if (*s == '\0')
			continue;
		if (strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d,
		    &tail) != 3 || !g_date_valid_dmy((GDateDay)d,
		    (GDateMonth)m, (GDateYear)y)) {
			ok = fail(err, c->name, "holidays",
			    "not a date YYYY-MM-DD", s);
			break;
		}
		GDate *g = g_date_new_dmy((GDateDay)d, (GDateMonth)m,
		    (GDateYear)y);
		g_hash_table_add(c->holidays,
		    GUINT_TO_POINTER(g_date_get_julian(g)));
		g_date_free(g);
	}
	g_strfreev(items);
	return ok;
}

bool
calendar_parse(struct calendar **out, const char *name,
    const char *time_zone, const char *hours, const char *holidays,
    GError **err)
{
	struct calendar	*c = g_new0(struct calendar, 1);
	int		 d;

	c->name = g_strdup(name);
	for (d = 0; d < 7; d++)
		c->week[d] = g_array_new(FALSE, FALSE, sizeof(struct range));
	c->holidays = g_hash_table_new(g_direct_hash, g_direct_equal);
	c->tz = g_time_zone_new_identifier(time_zone != NULL ? time_zone :
	    "UTC");
	if (c->tz == NULL) {
		fail(err, name, "time_zone", "not a time zone", time_zone);
		calendar_free(c);
		return false;
	}
	if (hours == NULL) {
		fail(err, name, "hours", "missing", "");
		calendar_free(c);
		return false;
	}
	if (!parse_hours(c, hours, err) || (holidays != NULL &&
	    !parse_holidays(c, holidays, err))) {
		calendar_free(c);
		return false;
	}
	*out = c;
	return true;
}

void
calendar_free(struct calendar *c)
{
	int	 d;

	if (c == NULL)
		return;
	for (d = 0; d < 7; d++)
		if (c->week[d] != NULL)
			g_array_free(c->week[d], TRUE);
	if (c->holidays != NULL)
		g_hash_table_destroy(c->holidays);
	if (c->tz != NULL)
		g_time_zone_unref(c->tz);
	g_free(c->name);
	g_free(c);
}

const char *
calendar_name(const struct calendar *c)
{
	return c->name;
}

/* Unix time of MINUTES after local midnight of DATE (24:00 is the next
 * midnight).  A wall time that a DST change skips maps past the gap. */
static int64_t
local_instant(const struct calendar *c, const GDate *date, int minutes)
{
	GDateTime	*dt, *next;
	int64_t		 t;

	dt = g_date_time_new(c->tz, g_date_get_year(date),
	    g_date_get_month(date), g_date_get_day(date),
	    minutes == 24 * 60 ? 0 : minutes / 60, minutes % 60, 0);
	if (minutes == 24 * 60) {
		next = g_date_time_add_days(dt, 1);
		g_date_time_unref(dt);
		dt = next;
	}
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* The local date of instant T. */
static void
local_date(const struct calendar *c, int64_t t, GDate *out)
{
	GDateTime	*u = g_date_time_new_from_unix_utc(t);
	GDateTime	*l = g_date_time_to_timezone(u, c->tz);

	g_date_clear(out, 1);
	g_date_set_dmy(out, (GDateDay)g_date_time_get_day_of_month(l),
	    (GDateMonth)g_date_time_get_month(l),
	    (GDateYear)g_date_time_get_year(l));
	g_date_time_unref(l);
	g_date_time_unref(u);
}

/* The open ranges of DATE as unix intervals, in order; NULL if closed. */
static const GArray *
day_ranges(const struct calendar *c, const GDate *date)
{
	if (g_hash_table_contains(c->holidays,
	    GUINT_TO_POINTER(g_date_get_julian(date))))
		return NULL;
	return c->week[g_date_get_weekday(date) - G_DATE_MONDAY];
}

int64_t
calendar_add(const struct calendar *c, int64_t start, int64_t seconds)
{
	GDate	 date;
	int64_t	 now = start, left = seconds;
	int	 n;
	guint	 k;

	if (seconds <= 0)
		return start;
	local_date(c, start, &date);
	for (n = 0; n < CALENDAR_MAX_DAYS; n++, g_date_add_days(&date, 1)) {
		const GArray *a = day_ranges(c, &date);

		for (k = 0; a != NULL && k < a->len; k++) {
			const struct range *r = &g_array_index(a, struct range,
			    k);
			int64_t	 from = local_instant(c, &date, r->from);
			int64_t	 to = local_instant(c, &date, r->to);

			if (to <= now)
				continue;
			if (from < now)
				from = now;
			if (left <= to - from)
				return from + left;
			left -= to - from;
			now = to;
		}
	}
	return start + seconds;		/* never open: around the clock */
}

int64_t
calendar_elapsed(const struct calendar *c, int64_t from, int64_t to)
{
	GDate	 date;
	int64_t	 sum = 0;
	int	 n;
	guint	 k;

	if (to <= from)
		return 0;
	local_date(c, from, &date);
	for (n = 0; n < CALENDAR_MAX_DAYS; n++, g_date_add_days(&date, 1)) {
		const GArray *a = day_ranges(c, &date);

		if (local_instant(c, &date, 0) >= to)
			break;
		for (k = 0; a != NULL && k < a->len; k++) {
			const struct range *r = &g_array_index(a, struct range,
			    k);
			int64_t	 s = MAX(local_instant(c, &date, r->from), from);
			int64_t	 e = MIN(local_instant(c, &date, r->to), to);

			if (e > s)
				sum += e - s;
		}
	}
	return sum;
}
