/*
 * reconnect: reopening a daemon's store with backoff (reconnect.h).
 */
#include "pdconfig.h"

#include "log.h"
#include "reconnect.h"

int64_t
reconnect_delay(int64_t waited)
{
	if (waited < RECONNECT_FIRST)
		return RECONNECT_FIRST;
	return MIN(waited * 2, RECONNECT_MAX);
}

bool
reconnect_needed(const GError *e)
{
	return e != NULL && e->domain == STORE_ERROR &&
	    e->code == STORE_ERROR_IO;
}

/* Waits SECONDS, or less once STOP() is true; true if stopped. */
static bool
wait_stop(int64_t seconds, bool (*stop)(void))
{
	int64_t	 steps = seconds * 10;

	while (steps-- > 0) {
		if (stop())
			return true;
		g_usleep(G_USEC_PER_SEC / 10);
	}
	return stop();
}

bool
reconnect_store(struct store **s, const char *store, int busy_ms,
    const char *why, bool (*stop)(void))
{
	int64_t	 delay = 0, start = g_get_monotonic_time();
	GError	*e = NULL;
	char	*line = g_strdup(why);

	store_close(*s);
	*s = NULL;
	/* libpq's messages run over lines: one log line. */
	g_strdelimit(line, "\t\r\n", ' ');
	log_warnx("store lost, reopening it every %d s up to every %d s: %s",
	    RECONNECT_FIRST, RECONNECT_MAX, line);
	g_free(line);
	for (;;) {
		delay = reconnect_delay(delay);
		if (wait_stop(delay, stop))
			return false;
		if (store_open_busy(s, store, STORE_READWRITE, busy_ms, &e))
			break;
		/* Already said: the outage goes on. */
		log_debug("store: still unreachable: %s", e->message);
		g_clear_error(&e);
	}
	log_warnx("store reopened after %" G_GINT64_FORMAT " s",
	    (g_get_monotonic_time() - start) / G_USEC_PER_SEC);
	return true;
}
