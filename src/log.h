/*
 * log: the one place postdesk programs write diagnostics.
 *
 * Programs call log_init() once; library modules never log, they report
 * errors through GError and let the program decide.  Every program logs
 * to syslog (facility mail unless [log] facility says otherwise); the
 * CLI and the CGI also write warnings to stderr, the daemons (ingest,
 * fetch, notify) warnings always and informational lines with -v.  Once
 * the configuration is read, log_configure() applies [log] facility
 * and level.  GLib and GMime warnings are routed here.
 */
#ifndef POSTDESK_LOG_H
#define POSTDESK_LOG_H

#include <stdbool.h>

#include <glib.h>

enum log_target {
	LOG_TO_STDERR = 1,
	LOG_TO_SYSLOG = 2
};

void	log_init(const char *progname, int targets, bool verbose);
/* [log] facility and level (syslog(3) codes, see the parsers below):
 * reopens syslog with FACILITY; lines less severe than LEVEL are not
 * sent to syslog. */
void	log_configure(int facility, int level);
/* True if syslog is enabled and its socket (/dev/log) takes our lines:
 * what the CGI needs to know before it says "the error was logged". */
bool	log_reaches_syslog(void);
/* "mail", "daemon", "user", "local0".."local7" → LOG_MAIL...; false on
 * anything else. */
bool	text_to_log_facility(int *out, const char *s);
/* "debug", "info", "notice", "warning", "err" (or "error"), "crit" →
 * LOG_DEBUG...; false on anything else. */
bool	text_to_log_level(int *out, const char *s);
void	log_warn(const char *, ...) G_GNUC_PRINTF(1, 2);	/* adds errno */
void	log_warnx(const char *, ...) G_GNUC_PRINTF(1, 2);
void	log_info(const char *, ...) G_GNUC_PRINTF(1, 2);
void	log_debug(const char *, ...) G_GNUC_PRINTF(1, 2);
G_GNUC_NORETURN void	fatalx(const char *, ...) G_GNUC_PRINTF(1, 2);

#endif
