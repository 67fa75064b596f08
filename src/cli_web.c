/*
 * cli_web: "postdesk link ADDRESS [TICKET]" prints a signed, expiring
 * customer link into the web viewer, as the outbound templates carry it
 * ({{ticket.link}}).
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "web.h"
#include "log.h"

int
cli_link(struct cli *c)
{
	char	*link;
	int64_t	 ticket = 0;

	if (c->argc < 2 || c->argc > 3 || strchr(c->argv[1], '@') == NULL ||
	    (c->argc == 3 && !text_to_id(&ticket, c->argv[2])))
		return cli_usage(c);
	link = web_customer_link(c->config, c->argv[1], ticket,
	    (int64_t)time(NULL));
	if (link == NULL) {
		log_warnx("set [web] link_key in %s to make "
		    "customer links", c->config->path != NULL ?
		    c->config->path : "postdesk.conf");
		return EX_CONFIG;
	}
	printf("%s\n", link);
	g_free(link);
	return EX_OK;
}
