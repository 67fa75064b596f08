/*
 * cli: the postdesk admin commands.  Each takes the parsed struct cli
 * (argv[0] is the command name) and returns a sysexits code, 1 for a
 * usage error.  Handlers print to stdout and diagnostics to stderr; mail
 * text reaches the terminal only through tty_puts().
 */
#ifndef POSTDESK_CLI_H
#define POSTDESK_CLI_H

#include "config.h"
#include "store.h"

struct cli;

struct cli_command {
	const char	*name;
	const char	*args;
	const char	*help;
	int		(*run)(struct cli *);
};

struct cli {
	struct config		*config;
	struct store		*store;		/* opened by cli_open_store */
	int			 argc;
	char			**argv;
	const struct cli_command *command;
	const char		*config_path;	/* --config, or NULL */
	/* Only for "check", which reports it: why config is NULL. */
	GError			*config_error;
};

/* Opens the configured store; prints the error and returns an exit code
 * (0 on success). */
int	 cli_open_store(struct cli *, enum store_mode);
int	 cli_usage(struct cli *);
/* "123" or "#123" → 123; false otherwise. */
bool	 text_to_id(int64_t *out, const char *s);

int	 cli_init(struct cli *);
int	 cli_list(struct cli *);
int	 cli_show(struct cli *);
int	 cli_raw(struct cli *);
int	 cli_quarantine(struct cli *);
int	 cli_reparse(struct cli *);
/* cli_lifecycle.c */
int	 cli_tick(struct cli *);
int	 cli_status(struct cli *);
int	 cli_priority(struct cli *);
int	 cli_hotrush(struct cli *);
int	 cli_rate(struct cli *);
int	 cli_list_queue(struct cli *);
int	 cli_org(struct cli *);		/* cli_org.c */
int	 cli_staff(struct cli *);	/* cli_staff.c */
int	 cli_rules(struct cli *);
int	 cli_import(struct cli *);
int	 cli_outbox(struct cli *);	/* cli_outbox.c */
int	 cli_reply(struct cli *);
int	 cli_merge(struct cli *);
int	 cli_split(struct cli *);
/* link A B / unlink A B: related tickets (ticket_link.h); `link` with
 * an address mints a sign-in link instead (cli_web.c). */
bool	 cli_is_ticket_pair(const struct cli *);
int	 cli_ticket_link(struct cli *);
int	 cli_unlink(struct cli *);
int	 cli_comment(struct cli *);
int	 cli_link(struct cli *);
int	 cli_backup(struct cli *);	/* cli_backup.c */
int	 cli_migrate(struct cli *);	/* cli_migrate.c */
int	 cli_check(struct cli *);	/* cli_check.c */
int	 cli_oauth2(struct cli *);	/* cli_oauth2.c */

#endif
