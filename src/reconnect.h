/*
 * reconnect: a daemon's store, opened again after it went away (a
 * PostgreSQL server restarted, a connection cut; issue 16 §3), rather
 * than the daemon exiting.  Attempts are spaced by exponential backoff,
 * RECONNECT_FIRST seconds doubling to RECONNECT_MAX, and an outage is
 * logged twice: when it starts and when it ends.
 */
#ifndef POSTDESK_RECONNECT_H
#define POSTDESK_RECONNECT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "store.h"

#define RECONNECT_FIRST	1
#define RECONNECT_MAX	60

/* The wait after one of WAITED seconds (0: the first): 1, 2, 4, ... 60. */
int64_t	 reconnect_delay(int64_t waited);
/* True if E says the store went away, so that only reopening it helps
 * (STORE_ERROR_IO: a lost connection is DB_IOERR). */
bool	 reconnect_needed(const GError *e);

/*
 * Closes *S (if any) and opens STORE (config_store()) again until that
 * works, logging WHY once, or until STOP() is true (then false, *S NULL).
 * STOP, polled every 100 ms of a wait, is a signal's flag.
 */
bool	 reconnect_store(struct store **s, const char *store, int busy_ms,
	    const char *why, bool (*stop)(void));

#endif
