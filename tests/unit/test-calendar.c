/* calendar: business-hours arithmetic across nights, weekends,
 * holidays and daylight-saving changes, and the syntax errors. */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "calendar.h"

/* Unix time of a wall-clock time in ZONE. */
static int64_t
at(const char *zone, int y, int mo, int d, int h, int mi)
{
	GTimeZone	*tz = g_time_zone_new_identifier(zone);
	GDateTime	*dt = g_date_time_new(tz, y, mo, d, h, mi, 0);
	int64_t		 t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	g_time_zone_unref(tz);
	return t;
}

static struct calendar *
office(const char *hours, const char *holidays)
{
	struct calendar	*c = NULL;
	GError		*e = NULL;

	g_assert_true(calendar_parse(&c, "office", "Europe/Berlin", hours,
	    holidays, &e));
	g_assert_no_error(e);
	return c;
}

#define B(...)	at("Europe/Berlin", __VA_ARGS__)

static void
test_weekend(void)
{
	struct calendar	*c = office("mon-fri 08:00-18:00", NULL);

	/* Friday 17:00 + 4 h: one hour on Friday, three on Monday. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 4, 17, 0), 4 * 3600), ==,
	    B(2026, 12, 7, 11, 0));
	g_assert_cmpint(calendar_elapsed(c, B(2026, 12, 4, 17, 0),
	    B(2026, 12, 7, 11, 0)), ==, 4 * 3600);
	/* Sunday noon: the clock starts on Monday morning. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 6, 12, 0), 3600), ==,
	    B(2026, 12, 7, 9, 0));
	/* Within one day. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 7, 9, 30), 1800), ==,
	    B(2026, 12, 7, 10, 0));
	/* 2 business days. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 7, 8, 0), 20 * 3600), ==,
	    B(2026, 12, 8, 18, 0));
	calendar_free(c);
}

static void
test_saturday_and_breaks(void)
{
	struct calendar	*c = office(
	    "mon-fri 08:00-12:00 13:00-18:00; sat 09:00-12:00", NULL);

	g_assert_cmpint(calendar_add(c, B(2026, 12, 4, 17, 0), 4 * 3600), ==,
	    B(2026, 12, 5, 12, 0));
	/* The lunch break does not count. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 7, 11, 30), 3600), ==,
	    B(2026, 12, 7, 13, 30));
	g_assert_cmpint(calendar_elapsed(c, B(2026, 12, 7, 11, 0),
	    B(2026, 12, 7, 14, 0)), ==, 2 * 3600);
	calendar_free(c);
}

static void
test_holidays(void)
{
	struct calendar	*c = office("mon-fri 08:00-18:00",
	    "2026-12-24; 2026-12-25");

	/* Wednesday 23rd 17:00 + 4 h: Thursday and Friday are holidays. */
	g_assert_cmpint(calendar_add(c, B(2026, 12, 23, 17, 0), 4 * 3600), ==,
	    B(2026, 12, 28, 11, 0));
	g_assert_cmpint(calendar_elapsed(c, B(2026, 12, 23, 0, 0),
	    B(2026, 12, 29, 0, 0)), ==, 2 * 10 * 3600);	/* 23rd and 28th */
	calendar_free(c);
}

static void
test_dst(void)
{
	struct calendar	*c = office("mon-fri 08:00-18:00", NULL);

	/* Europe/Berlin moves to summer time on Sunday 29 March 2026:
	 * Monday opens at 08:00 local, 06:00 UTC. */
	g_assert_cmpint(calendar_add(c, B(2026, 3, 27, 17, 0), 2 * 3600), ==,
	    B(2026, 3, 30, 9, 0));
	g_assert_cmpint(B(2026, 3, 30, 9, 0) - B(2026, 3, 27, 17, 0), ==,
	    (2 * 24 + 15) * 3600);
	calendar_free(c);
	/* A calendar open around the clock on Sunday: the day of the
	 * change has 23 hours. */
	c = office("sun 00:00-24:00", NULL);
	g_assert_cmpint(calendar_elapsed(c, B(2026, 3, 29, 0, 0),
	    B(2026, 3, 30, 0, 0)), ==, 23 * 3600);
	calendar_free(c);
}

/* add and elapsed agree wherever the target lands. */
static void
test_inverse(void)
{
	struct calendar	*c = office(
	    "mon-thu 07:30-16:15; fri 07:30-13:00", "2026-01-01");
	int64_t		 start = B(2025, 12, 29, 15, 0), s;

	for (s = 600; s <= 5 * 24 * 3600; s += 7919) {
		int64_t	 due = calendar_add(c, start, s);

		g_assert_cmpint(calendar_elapsed(c, start, due), ==, s);
	}
	calendar_free(c);
}

static void
test_errors(void)
{
	static const struct {
		const char	*tz, *hours, *holidays, *says;
	} bad[] = {
		{ "Mars/Olympus", "mon 08:00-18:00", NULL, "time_zone" },
		{ NULL, "mon-fry 08:00-18:00", NULL, "not a day" },
		{ NULL, "mon 8-18", NULL, "HH:MM-HH:MM" },
		{ NULL, "mon 18:00-08:00", NULL, "HH:MM-HH:MM" },
		{ NULL, "mon 24:00-24:00", NULL, "HH:MM-HH:MM" },
		{ NULL, "mon", NULL, "no time range" },
		{ NULL, "", NULL, "no opening hours" },
		{ NULL, "mon 08:00-12:00 11:00-13:00", NULL, "overlapping" },
		{ NULL, "mon 08:00-18:00", "2026-02-30", "YYYY-MM-DD" },
		{ NULL, "mon 08:00-18:00", "24.12.2026", "YYYY-MM-DD" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct calendar	*c = NULL;
		GError		*e = NULL;

		g_assert_false(calendar_parse(&c, "x", bad[i].tz, bad[i].hours,
		    bad[i].holidays, &e));
		g_assert_nonnull(e);
		g_assert_nonnull(strstr(e->message, bad[i].says));
		g_assert_nonnull(strstr(e->message, "[calendar.x]"));
		g_error_free(e);
	}
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/calendar/weekend", test_weekend);
	g_test_add_func("/calendar/saturday-and-breaks",
	    test_saturday_and_breaks);
	g_test_add_func("/calendar/holidays", test_holidays);
	g_test_add_func("/calendar/dst", test_dst);
	g_test_add_func("/calendar/inverse", test_inverse);
	g_test_add_func("/calendar/errors", test_errors);
	return g_test_run();
}
