/*
 * calendar: business hours, for SLA targets counted in working time.
 *
 * A calendar is a time zone, weekly opening hours and full-day
 * holidays, as [calendar.NAME] gives them (postdesk.conf(5)):
 *
 *	time_zone = Europe/Berlin
 *	hours = mon-fri 08:00-18:00; sat 09:00-12:00
 *	holidays = 2026-12-24; 2026-12-25
 *
 * Hours are local wall-clock times, so a day's opening follows the zone's
 * daylight-saving changes.  Several ranges may follow a day list
 * ("mon-fri 08:00-12:00 13:00-17:00"); 24:00 ends a day.
 *
 * Pure logic: no I/O.  Errors are G_KEY_FILE_ERROR_INVALID_VALUE with a
 * message naming the key and the bad part; the caller adds FILE:LINE.
 */
#ifndef POSTDESK_CALENDAR_H
#define POSTDESK_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct calendar;

/* TIME_ZONE NULL: UTC.  HOLIDAYS may be NULL. */
bool	 calendar_parse(struct calendar **out, const char *name,
	    const char *time_zone, const char *hours, const char *holidays,
	    GError **err);
void	 calendar_free(struct calendar *);
const char *calendar_name(const struct calendar *);

/* The instant at which SECONDS of business time have passed since
 * START (unix seconds).  SECONDS 0 gives START. */
int64_t	 calendar_add(const struct calendar *, int64_t start, int64_t seconds);
/* Business seconds between FROM and TO (0 if TO <= FROM). */
int64_t	 calendar_elapsed(const struct calendar *, int64_t from, int64_t to);

#endif
