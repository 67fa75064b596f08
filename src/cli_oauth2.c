/*
 * cli_oauth2: postdesk oauth2 login NAME — the device-code sign-in of
 * an [oauth2.NAME] account, once, by an admin at a terminal.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "oauth2.h"

int
cli_oauth2(struct cli *cli)
{
	const struct config_oauth2 *a;
	GError	*e = NULL;

	if (cli->argc != 3 || strcmp(cli->argv[1], "login") != 0)
		return cli_usage(cli);
	if ((a = config_oauth2(cli->config, cli->argv[2])) == NULL) {
		fprintf(stderr, "postdesk: no [oauth2.%s] in the "
		    "configuration\n", cli->argv[2]);
		return EX_CONFIG;
	}
	if (!oauth2_login(a, 30, stdout, &e)) {
		fprintf(stderr, "postdesk: oauth2 login %s: %s\n", a->name,
		    e->message);
		g_error_free(e);
		return EX_TEMPFAIL;
	}
	printf("Signed in; the refresh token is in %s\n", a->token_file);
	return EX_OK;
}
