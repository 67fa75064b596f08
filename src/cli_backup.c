/*
 * cli_backup: postdesk backup FILE — an online copy of the database
 * (store_backup()), safe while ingest, notify and tick write.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "log.h"

int
cli_backup(struct cli *c)
{
	GError	*e = NULL;
	int64_t	 pages = 0;
	int	 rc;

	if (c->argc != 2 || c->argv[1][0] == '-' || c->argv[1][0] == '\0')
		return cli_usage(c);
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
