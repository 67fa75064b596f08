/*
 * postdesk: the admin CLI.  Commands are declared in one table; each
 * handler returns a sysexits code.  Exit 1 is a usage error.
 */
#include "pdconfig.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli.h"
#include "log.h"
#include "runas.h"

static const struct cli_command commands[] = {
	{ "init", "", "create or upgrade the database", cli_init },
	{ "list", "[--status S] [--queue Q] [--priority P] [--hotrush on|off]\n"
	    "      [--hide-rated] [--sort queue|updated|created] [--json|--csv]\n"
	    "      | --order=queue [--now T]",
	    "list tickets (the web list's filters); --csv: RFC 4180;\n"
	    "      --order=queue: open tickets in work order",
	    cli_list },
	{ "show", "TICKET [--json]", "show a ticket's thread, new text first",
	    cli_show },
	{ "raw", "MESSAGE-ID", "print a stored message's original bytes",
	    cli_raw },
	{ "quarantine", "list | show ID | replay ID|--all",
	    "inspect and replay quarantined input", cli_quarantine },
	{ "reparse", "[--dry-run] TICKET | --all",
	    "rebuild decoded and stripped text from the raw bytes",
	    cli_reparse },
	{ "tick", "[--now EPOCH] [--explain]", "apply due life-cycle timers "
	    "and SLA escalations (cron); --explain: say what, change nothing",
	    cli_tick },
	{ "status", "TICKET STATUS [--as customer]",
	    "change a ticket's status (checked against its life cycle)",
	    cli_status },
	{ "priority", "TICKET PRIORITY [--as customer]",
	    "change a ticket's priority", cli_priority },
	{ "hotrush", "TICKET on|off [--as customer]",
	    "switch HotRush (customers: limited cancellations)", cli_hotrush },
	{ "rate", "TICKET 1-5 [COMMENT]", "record the customer's rating of a "
	    "closed ticket", cli_rate },
	{ "org", "add NAME | member add NAME ADDR ROLE [DISPLAY NAME] | "
	    "member remove NAME ADDR | set NAME ATTR VALUE | unset NAME ATTR "
	    "| show NAME | list [NAME]",
	    "organizations: members, roles ([roles]) and attributes",
	    cli_org },
	{ "staff", "add|set ADDRESS [--name N] [--queues Q,...] "
	    "[--role agent|lead|admin] [--notify all|mine|none] | "
	    "disable|enable ADDRESS | list [--json]",
	    "staff accounts: who works which queues, who hears of what",
	    cli_staff },
	{ "rules", "check [FILE...] | test [FILE...] [--existing] "
	    "[--spf R] [--sender A] [--org-attr NAME=VALUE] < MSG",
	    "lint rules; show what a message would get (no database)",
	    cli_rules },
	{ "import", "mbox|maildir [--format mboxrd|mboxo] [--batch N] "
	    "[--[no-]progress] PATH...",
	    "import old mail as history (no notifications)", cli_import },
	{ "outbox", "list [--status S] [--ticket N] | show|retry|cancel ID "
	    "| retry --failed|--all",
	    "inspect and manage outgoing mail; retry --failed re-queues "
	    "failed rows, --all deferred ones too", cli_outbox },
	{ "reply", "TICKET [--from A] [--name N] [--attach FILE]... < TEXT",
	    "staff reply to the requester and CCs", cli_reply },
	{ "comment", "TICKET [--from A] [--name N] [--attach FILE]... < TEXT",
	    "internal note, mailed to staff only", cli_comment },
	{ "merge", "INTO FROM",
	    "merge ticket FROM into ticket INTO (mail naming FROM lands in "
	    "INTO)", cli_merge },
	{ "split", "TICKET MESSAGE-ID",
	    "move a customer's message out of TICKET into a new ticket,\n"
	    "      linked to it (she gets its acknowledgement)", cli_split },
	{ "link", "ADDRESS [TICKET] | --revoke ADDRESS|ID|URL | "
	    "--list ADDRESS | A B",
	    "mint a customer's web sign-in link; revoke or list them;\n"
	    "      with two ticket numbers, link related tickets A and B",
	    cli_link },
	{ "unlink", "A B", "remove the link between related tickets A and B",
	    cli_unlink },
	{ "backup", "FILE",
	    "online copy of the database into FILE (restore: postdesk(8));\n"
	    "      on PostgreSQL, print the pg_dump command to use",
	    cli_backup },
	{ "migrate", "--to URL",
	    "copy the [store] path database into the empty PostgreSQL "
	    "database URL;\n      check and print the rows per table",
	    cli_migrate },
	{ "oauth2", "login NAME",
	    "sign in to the [oauth2.NAME] mail account (device code) and "
	    "keep its\n      refresh token in token_file", cli_oauth2 },
	{ "check", "[--json] [--user NAME]", "check the configuration, permissions, "
	    "templates, rules, keys; report failed mail and overdue timers",
	    cli_check },
};

static void
usage(FILE *fp)
{
	size_t	 i;

	fprintf(fp, "usage: postdesk [--config FILE] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(fp, "  %s %s\n      %s\n", commands[i].name,
		    commands[i].args, commands[i].help);
	fprintf(fp, "\noptions:\n  -c, --config FILE  configuration file "
	    "(else $POSTDESK_CONFIG, else %s)\n  -h, --help         this "
	    "help\n  -V, --version      print the version\n",
	    POSTDESK_CONFIG_PATH);
}

int
main(int argc, char *argv[])
{
	struct cli	 cli = { 0 };
	const char	*config_path = NULL;
	GError		*e = NULL;
	int		 i = 1, rc;
	size_t		 k;

	umask(007);	/* the state directory is shared by group */
	log_init("postdesk", LOG_TO_STDERR | LOG_TO_SYSLOG, false);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "-V") == 0 ||
		    strcmp(argv[i], "--version") == 0) {
			printf("postdesk %s\n", PACKAGE_VERSION);
			return EX_OK;
		} else if ((strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			config_path = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config_path = argv[i] + 9;
		else {
			fprintf(stderr, "postdesk: unknown option %s\n",
			    argv[i]);
			usage(stderr);
			return 1;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	for (k = 0; k < G_N_ELEMENTS(commands); k++)
		if (strcmp(commands[k].name, argv[i]) == 0)
			break;
	if (k == G_N_ELEMENTS(commands)) {
		fprintf(stderr, "postdesk: unknown command %s\n", argv[i]);
		usage(stderr);
		return 1;
	}
	/* "check" reports a broken file as one of its problems. */
	if (!config_load(&cli.config, config_path, &e) &&
	    commands[k].run != cli_check) {
		log_warnx("%s", e->message);
		g_error_free(e);
		return EX_CONFIG;
	}
	if (cli.config != NULL)
		log_configure(cli.config->log_facility, cli.config->log_level);
	/* Run as root, become the state directory's owner: nothing this
	 * command creates there may end up root-owned.  "check" does it
	 * itself, after judging permissions with root's eyes. */
	if (commands[k].run != cli_check &&
	    !runas_state_owner(cli.config->store_path, NULL, &e)) {
		log_warnx("%s", e->message);
		g_error_free(e);
		config_free(cli.config);
		return EX_CONFIG;
	}
	cli.config_path = config_path;
	cli.config_error = e;
	cli.argc = argc - i;
	cli.argv = argv + i;
	cli.command = &commands[k];
	rc = commands[k].run(&cli);
	store_close(cli.store);
	config_free(cli.config);
	g_clear_error(&cli.config_error);
	return rc;
}
