/*
 * watchdog: bound how long a program's work may run.
 *
 * The work runs in a child process; the parent does nothing that can
 * hang and kills the child at the bound.  A process cannot time itself
 * out while it is stopped (SIGSTOP, a debugger) or waits in the kernel,
 * and an ingest stuck so while it holds the store's write lock stalls
 * every other delivery; its parent can end it, since SIGKILL also ends
 * a stopped process, and SQLite drops the uncommitted transaction.
 *
 * Error contract: bool + GError (WATCHDOG_ERROR); nothing is logged.
 */
#ifndef POSTDESK_WATCHDOG_H
#define POSTDESK_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define WATCHDOG_ERROR (watchdog_error_quark())
enum watchdog_error_code {
	WATCHDOG_ERROR_TIMEOUT,	/* killed at the bound */
	WATCHDOG_ERROR_SIGNAL,	/* died of another signal */
	WATCHDOG_ERROR_FORK	/* no child could be started */
};

GQuark	 watchdog_error_quark(void);

/*
 * Forks.  In the child, returns true at once with *in_child set: the
 * caller does the work there and exits as usual.  In the parent, waits
 * until the child is gone, at most SECONDS (then SIGKILL), and returns
 * true with *in_child false and *status the child's exit status; false
 * with err set if the child was killed or could not be started.
 * SIGTERM, SIGINT and SIGHUP sent to the parent are passed on to the
 * child; on Linux the child is killed when the parent dies.
 */
bool	 watchdog_fork(int64_t seconds, bool *in_child, int *status,
	    GError **err);

#endif
