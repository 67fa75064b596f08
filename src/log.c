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
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <glib.h>

#include "log.h"

static struct {
	const char	*progname;
	int		 targets;
	bool		 verbose;
	int		 facility;
	int		 level;		/* lowest priority sent to syslog */
} log_state = { "postdesk", LOG_TO_STDERR, false, LOG_MAIL, LOG_INFO };

static bool
to_syslog(int prio)
{
	return (log_state.targets & LOG_TO_SYSLOG) &&
	    (prio <= log_state.level || log_state.verbose);
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char	 buf[4096];

	if (prio == LOG_DEBUG && !log_state.verbose)
		return;
	/* Truncation of a log line is acceptable; it is still useful. */
	(void)g_vsnprintf(buf, sizeof buf, fmt, ap);
	if (to_syslog(prio))
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
	if (to_syslog(prio))
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
		openlog(progname, LOG_PID | LOG_NDELAY, log_state.facility);
	g_log_set_default_handler(glib_handler, NULL);
}

void
log_configure(int facility, int level)
{
	log_state.level = level;
	if (facility == log_state.facility)
		return;
	log_state.facility = facility;
	if (log_state.targets & LOG_TO_SYSLOG) {
		closelog();
		openlog(log_state.progname, LOG_PID | LOG_NDELAY, facility);
	}
}

bool
log_reaches_syslog(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int	 fd;
	bool	 ok;

	if (!(log_state.targets & LOG_TO_SYSLOG))
		return false;
	/* syslog(3) reports nothing; ask the socket it writes to. */
	g_strlcpy(sun.sun_path, _PATH_LOG, sizeof sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return ok;
}

struct log_name { const char *name; int code; };

static const struct log_name facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ NULL, 0 }
}, levels[] = {
	{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
	{ "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
	{ "err", LOG_ERR }, { "error", LOG_ERR }, { "crit", LOG_CRIT },
	{ NULL, 0 }
};

static bool
name_to_code(const struct log_name *t, int *out, const char *s)
{
	for (; s != NULL && t->name != NULL; t++)
		if (g_ascii_strcasecmp(s, t->name) == 0) {
			*out = t->code;
			return true;
		}
	return false;
}

bool
text_to_log_facility(int *out, const char *s)
{
	return name_to_code(facilities, out, s);
}

bool
text_to_log_level(int *out, const char *s)
{
	return name_to_code(levels, out, s);
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
