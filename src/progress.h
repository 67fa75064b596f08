/*
 * progress: "done/total, rate, ETA" for long runs (imports, fetches).
 *
 * On a terminal one line is redrawn in place at most every 100 ms; on
 * anything else a plain line is written every INTERVAL seconds, so logs
 * and pipes get a readable trace instead of carriage returns.  Writes go
 * to the FILE given (stderr for the CLI).  No errors: output is advisory.
 */
#ifndef POSTDESK_PROGRESS_H
#define POSTDESK_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

struct progress;

struct progress	*progress_new(FILE *, const char *what, uint64_t total,
		    bool tty, double interval);
void		 progress_free(struct progress *);
/* Records DONE messages finished in all; redraws when due.  These two
 * accept NULL (no progress wanted). */
void		 progress_update(struct progress *, uint64_t done);
/* Final line (always written), ending the updating line on a TTY. */
void		 progress_finish(struct progress *);
/* What is counted, for the rate: "msg" (the default) or e.g. "rows". */
void		 progress_set_unit(struct progress *, const char *unit);
/* "12/100 (12%), 2400 msg/s, ETA 0:03" into OUT (g_free). */
char		*progress_text(uint64_t done, uint64_t total, double elapsed);
/* The same with another unit than "msg". */
char		*progress_text_unit(uint64_t done, uint64_t total,
		    double elapsed, const char *unit);

#endif
