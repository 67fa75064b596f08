/*
 * log: the one place postdesk programs write diagnostics.
 *
 * Programs call log_init() once; library modules never log, they report
 * errors through GError and let the program decide.  Daemon-like programs
 * (ingest, fetch, notify) log to syslog, and also to stderr with -v; the
 * CLI logs to stderr only.  GLib and GMime warnings are routed here.
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
void	log_warn(const char *, ...) G_GNUC_PRINTF(1, 2);	/* adds errno */
void	log_warnx(const char *, ...) G_GNUC_PRINTF(1, 2);
void	log_info(const char *, ...) G_GNUC_PRINTF(1, 2);
void	log_debug(const char *, ...) G_GNUC_PRINTF(1, 2);
G_GNUC_NORETURN void	fatalx(const char *, ...) G_GNUC_PRINTF(1, 2);

#endif
