/*
 * log: syslog and/or stderr output with OpenSMTPD's names.
 *
 * The settings are process-wide by nature (like syslog's own openlog()),
 * so they live in one static struct set once by log_init().
 */
#include "pdconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <glib.h>

#include "log.h"

static struct {
	const char	*progname;
	int		 targets;
	bool		 verbose;
} log_state = { "postdesk", LOG_TO_STDERR, false };

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char	 buf[4096];

	if (prio == LOG_DEBUG && !log_state.verbose)
		return;
	/* Truncation of a log line is acceptable; it is still useful. */
	(void)g_vsnprintf(buf, sizeof buf, fmt, ap);
	if (log_state.targets & LOG_TO_SYSLOG)
		syslog(prio, "%s", buf);
	if ((log_state.targets & LOG_TO_STDERR) &&
	    (prio != LOG_INFO || log_state.verbose ||
	    !(log_state.targets & LOG_TO_SYSLOG)))
		fprintf(stderr, "%s: %s\n", log_state.progname, buf);
}

static void
glib_handler(const gchar *domain, GLogLevelFlags level, const gchar *msg,
    gpointer data)
{
	int	 prio = LOG_WARNING;

	if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO))
		prio = LOG_DEBUG;
	else if (level & G_LOG_LEVEL_MESSAGE)
		prio = LOG_INFO;
	if (prio == LOG_DEBUG && !log_state.verbose)
		return;
	if (log_state.targets & LOG_TO_SYSLOG)
		syslog(prio, "%s: %s", domain ? domain : "glib", msg);
	if (log_state.targets & LOG_TO_STDERR && log_state.verbose)
		fprintf(stderr, "%s: %s: %s\n", log_state.progname,
		    domain ? domain : "glib", msg);
}

void
log_init(const char *progname, int targets, bool verbose)
{
	log_state.progname = progname;
	log_state.targets = targets;
	log_state.verbose = verbose;
	if (targets & LOG_TO_SYSLOG)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_MAIL);
	g_log_set_default_handler(glib_handler, NULL);
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[4096];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	(void)g_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, g_strerror(saved));
}

#define LOG_FN(name, prio)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	 ap;					\
							\
	va_start(ap, fmt);				\
	vlog(prio, fmt, ap);				\
	va_end(ap);					\
}
LOG_FN(log_warnx, LOG_WARNING)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_debug, LOG_DEBUG)

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(70);	/* EX_SOFTWARE: a broken invariant */
}
