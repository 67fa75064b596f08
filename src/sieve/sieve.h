/*
 * sieve.h: the postdesk Sieve interpreter (RFC 5228 with regex, body,
 * variables, imap4flags, vacation and vnd.postdesk).
 *
 * A script is compiled once per process and is immutable afterwards; it
 * may be run against any number of messages.  Running a script never
 * touches the message or the database: it only appends actions to a
 * struct sieve_result, which the caller applies.
 *
 * Error contract: functions that can fail return bool and fill a GError
 * in the SIEVE_ERROR domain.  Compile errors read "FILE:LINE:COL: reason";
 * a file that cannot be read reads "FILE: reason".
 *
 * Ownership: every _new/_compile has a _free that accepts NULL.  Strings
 * in struct sieve_message are borrowed for the duration of sieve_run()
 * only; the result owns its actions and their strings.
 */
#ifndef POSTDESK_SIEVE_H
#define POSTDESK_SIEVE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#define SIEVE_ERROR (sieve_error_quark())

enum sieve_error {
	SIEVE_ERROR_IO,		/* the script file cannot be read */
	SIEVE_ERROR_SYNTAX,	/* lexing or parsing */
	SIEVE_ERROR_SEMANTIC,	/* unknown command, missing require... */
	SIEVE_ERROR_LIMIT,	/* a size, depth or count limit */
	SIEVE_ERROR_RUNTIME,	/* sieve_run() could not finish */
	SIEVE_ERROR__MAX
};

GQuark sieve_error_quark(void);

struct sieve_script;		/* compiled, immutable */

bool sieve_compile_file(struct sieve_script **out, const char *path,
    GError **err);
bool sieve_compile_string(struct sieve_script **out, const char *name,
    const char *text, GError **err);
void sieve_script_free(struct sieve_script *);
/*
 * JIT-compiles the script's constant regexes (where PCRE2 has a JIT).
 * Worth it for a process that runs the script on many messages (fetch,
 * import); a one-message process (ingest) is faster without.
 */
void sieve_script_jit(struct sieve_script *);
/* Borrowed; the name given at compile time (the path for files). */
const char *sieve_script_name(const struct sieve_script *);

struct sieve_header {
	const char *name;
	const char *value;	/* RFC 2047-decoded UTF-8, unfolded */
};

struct sieve_message {
	const struct sieve_header *headers;
	size_t n_headers;		/* in message order */
	const char *envelope_from;	/* may be NULL or "" (null sender) */
	const char *envelope_to;	/* may be NULL */
	size_t size;			/* raw message size in bytes */
	const char *body_text;		/* decoded UTF-8 text, body :text */
	const char *body_raw;		/* raw undecoded body, body :raw */
	const char *ticket_state;	/* "new" or "existing" */
	const char *spf;		/* "pass", "fail", "softfail", ... */
	const char *sender_role;	/* "staff", "customer", "unknown" */
	/* "name=value" attributes of the sender's organization,
	 * NULL-terminated; NULL when she is in none (org_attribute). */
	const char *const *org_attrs;
};

enum sieve_action_kind {
	SIEVE_ACT_KEEP,
	SIEVE_ACT_DISCARD,
	SIEVE_ACT_FILEINTO,
	SIEVE_ACT_REDIRECT,
	SIEVE_ACT_REJECT,
	SIEVE_ACT_ADDFLAG,
	SIEVE_ACT_VACATION,
	SIEVE_ACT_SET_PRIORITY,
	SIEVE_ACT_SET_HOTRUSH,
	SIEVE_ACT_SET_FIELD,
	SIEVE_ACT_ASSIGN,
	SIEVE_ACT__MAX
};

struct sieve_action {
	enum sieve_action_kind kind;
	/*
	 * queue / address / reason / flag / priority / field name / owner /
	 * vacation template name (a file under templates/mail/)
	 */
	char *arg;
	char *arg2;		/* set_field value; vacation :subject */
	int days;		/* vacation :days (default 7) */
	char *script;		/* script name (base name of the file) */
	unsigned line;		/* line of the command in the script */
};

struct sieve_result {
	GPtrArray *actions;	/* of struct sieve_action *, in order */
	bool implicit_keep;	/* RFC 5228 implicit keep still in force */
	/*
	 * Human-readable explanation: each test evaluated with file:line and
	 * its outcome, each action.  The caller may free it and set it to
	 * NULL before sieve_run() to skip tracing (faster).
	 */
	GString *trace;
};

struct sieve_result *sieve_result_new(void);
void sieve_result_free(struct sieve_result *);

/*
 * Runs one script, appending to res (several scripts run in order into
 * one result).  Returns false only on a runtime error (too many actions,
 * variable expansion budget exhausted).  A regex that exceeds its match
 * limit is not an error: it counts as no match and is noted in the trace.
 */
bool sieve_run(const struct sieve_script *, const struct sieve_message *,
    struct sieve_result *res, GError **err);

/* Static text, e.g. "fileinto"; "unknown" when out of range. */
const char *sieve_action_kind_to_text(enum sieve_action_kind);

/*
 * One line for "postdesk rules test", without newline:
 *   KIND ["ARG" ["ARG2"]] [:days N]  (SCRIPT:LINE)
 * Arguments are double-quoted with \" \\ and \xNN escapes so control
 * characters never reach a terminal.  Free with g_free().
 */
char *sieve_action_format(const struct sieve_action *);

#endif /* POSTDESK_SIEVE_H */
