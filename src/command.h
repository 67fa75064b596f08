/*
 * command: the command block at the top of a mail body.
 *
 *	Status: closed
 *	Priority: major
 *
 *	Thanks, closing this.
 *
 * Lines "Name: value" with a known command name (lifecycle_apply.h:
 * Status, Priority, Queue, Owner, HotRush, Tag, Rating), before any other
 * text, blank lines before and between them allowed.  The block ends at
 * the first other line.  At most COMMAND_MAX commands are read.
 *
 * Pure: command_parse() looks only at its argument.  Ownership: the
 * result is freed with command_block_free().
 */
#ifndef POSTDESK_COMMAND_H
#define POSTDESK_COMMAND_H

#include <glib.h>

#include "lifecycle_apply.h"

#define COMMAND_MAX	16

struct command {
	enum lc_command	 cmd;
	char		*value;		/* trimmed */
	char		*line;		/* as written, for transcripts */
};

struct command_block {
	GPtrArray	*commands;	/* of struct command */
	char		*rest;		/* the text after the block */
};

/* Never NULL; commands may be empty (rest is then the whole text). */
struct command_block *command_parse(const char *text);
/* True if B (may be NULL) has a command CMD. */
bool	 command_block_has(const struct command_block *b,
	    enum lc_command cmd);
void	 command_block_free(struct command_block *);

#endif
