/*
 * cli_backup: postdesk backup FILE — an online copy of the database
 * (store_backup()), safe while ingest, notify and tick write.  On
 * PostgreSQL ([store] url) it prints the pg_dump command that makes
 * that copy instead (store_pg_dump_command()): the server's tool does
 * it better than a copy through the store.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "log.h"

#ifdef HAVE_POSTGRESQL
static int
print_pg_dump(struct cli *c)
{
	char	*cmd = store_pg_dump_command(c->config->store_url, c->argv[1]);

	if (cmd == NULL) {
		log_warnx("backup: [store] url does not parse");
		return EX_CONFIG;
	}
	printf("The store is on PostgreSQL; back it up with pg_dump (its "
	    "password, if any,\nfrom ~/.pgpass or PGPASSWORD):\n\n  %s\n\n"
	    "Restore into an empty database with pg_restore --dbname=...\n",
	    cmd);
	g_free(cmd);
	return EX_OK;
}
#endif

int
cli_backup(struct cli *c)
{
	GError	*e = NULL;
	int64_t	 pages = 0;
	int	 rc;

	if (c->argc != 2 || c->argv[1][0] == '-' || c->argv[1][0] == '\0')
		return cli_usage(c);
#ifdef HAVE_POSTGRESQL
	if (c->config->store_url != NULL)
		return print_pg_dump(c);
#endif
	/* Read-only: the backup can never change the live store. */
	if ((rc = cli_open_store(c, STORE_READONLY)) != EX_OK)
		return rc;
	if (!store_backup(c->store, c->argv[1], (int)c->config->busy_timeout,
	    &pages, &e)) {
		log_warnx("backup: %s", e->message);
		rc = store_error_is_transient(e) ? EX_TEMPFAIL :
		    e->code == STORE_ERROR_OTHER ? EX_USAGE : EX_CANTCREAT;
		g_error_free(e);
		return rc;
	}
	printf("backup of %s written to %s (%" G_GINT64_FORMAT " pages)\n",
	    c->config->store_path, c->argv[1], pages);
	return EX_OK;
}
