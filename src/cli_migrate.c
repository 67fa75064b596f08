/*
 * cli_migrate: postdesk migrate --to URL — the configured SQLite store
 * ([store] path) copied into an empty PostgreSQL database
 * (store_migrate_copy()), a progress line with an ETA on a terminal,
 * and the rows per table of both printed and compared at the end.
 *
 * Exit status: 0 copied and every count equal; 73 (EX_CANTCREAT) the
 * target is not empty or cannot be opened; 65 (EX_DATAERR) a row the
 * target refuses, or a count that differs after the copy; 66
 * (EX_NOINPUT) no source store; 75 (EX_TEMPFAIL) a lost connection,
 * a lock or a full disk: run it again on an empty database.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "progress.h"

/* The progress line, made once the total is known. */
struct migrate_view {
	struct progress	*p;
	bool		 tty;
};

static void
on_row(uint64_t done, uint64_t total, void *arg)
{
	struct migrate_view	*v = arg;

	if (!v->tty)
		return;
	if (v->p == NULL) {
		v->p = progress_new(stderr, "migrate", total, true, 0);
		progress_set_unit(v->p, "rows");
	}
	progress_update(v->p, done);
}

/* The URL of "--to URL" or "--to=URL", or NULL. */
static const char *
target_arg(const struct cli *c)
{
	if (c->argc == 3 && strcmp(c->argv[1], "--to") == 0)
		return c->argv[2];
	if (c->argc == 2 && g_str_has_prefix(c->argv[1], "--to="))
		return c->argv[1] + strlen("--to=");
	return NULL;
}

static int
open_one(struct store **out, const char *where, enum store_mode mode,
    const struct cli *c, const char *what)
{
	GError	*e = NULL;
	int	 rc;

	if (store_open_busy(out, where, mode, (int)c->config->busy_timeout,
	    &e))
		return EX_OK;
	log_warnx("migrate: %s: %s", what, e->message);
	rc = store_error_is_transient(e) ? EX_TEMPFAIL :
	    mode == STORE_READONLY ? EX_NOINPUT : EX_CANTCREAT;
	g_error_free(e);
	return rc;
}

/* EX_OK if every table of the target is empty. */
static int
check_empty(struct store *dst)
{
	int64_t	 n[STORE_MIGRATE_TABLES];
	GError	*e = NULL;
	size_t	 i;

	if (!store_migrate_count(dst, n, &e)) {
		log_warnx("migrate: target: %s", e->message);
		g_error_free(e);
		return EX_CANTCREAT;
	}
	for (i = 0; i < STORE_MIGRATE_TABLES; i++)
		if (n[i] != 0) {
			log_warnx("migrate: the target database is not "
			    "empty (table %s has %" G_GINT64_FORMAT " rows): "
			    "migrate into a new, empty database",
			    store_migrate_table(i), n[i]);
			return EX_CANTCREAT;
		}
	return EX_OK;
}

/* Prints both stores' rows per table; EX_DATAERR if any differ. */
static int
report_counts(struct store *dst, const int64_t *src)
{
	int64_t	 n[STORE_MIGRATE_TABLES];
	GError	*e = NULL;
	size_t	 i;
	int	 rc = EX_OK;

	if (!store_migrate_count(dst, n, &e)) {
		log_warnx("migrate: counting the target's rows: %s",
		    e->message);
		g_error_free(e);
		return EX_TEMPFAIL;
	}
	printf("%-16s %12s %12s\n", "table", "sqlite", "postgresql");
	for (i = 0; i < STORE_MIGRATE_TABLES; i++) {
		printf("%-16s %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT
		    "%s\n", store_migrate_table(i), src[i], n[i],
		    src[i] != n[i] ? "  MISMATCH" : "");
		if (src[i] != n[i])
			rc = EX_DATAERR;
	}
	if (rc != EX_OK)
		log_warnx("migrate: the row counts differ (see MISMATCH)");
	return rc;
}

static int
copy(struct store *src, struct store *dst)
{
	struct migrate_view	 v = { NULL, isatty(STDERR_FILENO) == 1 };
	int64_t			 counts[STORE_MIGRATE_TABLES];
	GError			*e = NULL;
	int			 rc;

	if (!store_migrate_copy(src, dst, counts, on_row, &v, &e)) {
		if (v.p != NULL)
			fputc('\n', stderr);
		log_warnx("migrate: %s; the target is partly filled: empty "
		    "it (dropdb, createdb) before trying again", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL : EX_DATAERR;
		g_error_free(e);
		progress_free(v.p);
		return rc;
	}
	progress_finish(v.p);
	progress_free(v.p);
	return report_counts(dst, counts);
}

int
cli_migrate(struct cli *c)
{
	const char	*url = target_arg(c);
	struct store	*dst = NULL;
	int		 rc;

	if (url == NULL || !config_store_is_server(url))
		return cli_usage(c);
	if (c->config->store_path == NULL) {
		log_warnx("migrate: no [store] path to copy from");
		return EX_CONFIG;
	}
	if ((rc = open_one(&c->store, c->config->store_path, STORE_READONLY,
	    c, c->config->store_path)) != EX_OK)
		return rc;
	if (store_schema_version(c->store) != STORE_SCHEMA_VERSION) {
		log_warnx("migrate: %s has schema version %d, not %d: run "
		    "postdesk init first", c->config->store_path,
		    store_schema_version(c->store), STORE_SCHEMA_VERSION);
		return EX_DATAERR;
	}
	/* Opening it read-write creates the schema in an empty one. */
	if ((rc = open_one(&dst, url, STORE_READWRITE, c, "--to")) != EX_OK)
		return rc;
	rc = check_empty(dst);
	if (rc == EX_OK)
		rc = copy(c->store, dst);
	store_close(dst);
	return rc;
}
