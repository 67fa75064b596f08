/*
 * command: parse the command block at the top of a mail body.
 */
#include "pdconfig.h"

#include <string.h>

#include "command.h"

static void
command_free(gpointer p)
{
	struct command	*c = p;

	g_free(c->value);
	g_free(c->line);
	g_free(c);
}

void
command_block_free(struct command_block *b)
{
	if (b == NULL)
		return;
	g_ptr_array_free(b->commands, TRUE);
	g_free(b->rest);
	g_free(b);
}

bool
command_block_has(const struct command_block *b, enum lc_command cmd)
{
	guint	 i;

	for (i = 0; b != NULL && i < b->commands->len; i++)
		if (((const struct command *)b->commands->pdata[i])->cmd == cmd)
			return true;
	return false;
}

/* "Status: closed" → a command; NULL if the line is anything else. */
static struct command *
parse_line(const char *line)
{
	const char	*colon = strchr(line, ':');
	char		*name, *value;
	enum lc_command	 cmd;
	struct command	*c;

	if (colon == NULL || colon == line || colon - line > 16)
		return NULL;
	name = g_strstrip(g_strndup(line, (gsize)(colon - line)));
	if (!text_to_lc_command(&cmd, name)) {
		g_free(name);
		return NULL;
	}
	g_free(name);
	value = g_strstrip(g_strdup(colon + 1));
	c = g_new0(struct command, 1);
	c->cmd = cmd;
	c->value = value;
	c->line = g_strstrip(g_strdup(line));
	return c;
}

struct command_block *
command_parse(const char *text)
{
	struct command_block *b = g_new0(struct command_block, 1);
	const char	*p = text != NULL ? text : "", *nl, *rest = p;

	b->commands = g_ptr_array_new_with_free_func(command_free);
	while (*p != '\0' && b->commands->len < COMMAND_MAX) {
		char	*line;
		struct command *c;

		nl = strchr(p, '\n');
		line = nl ? g_strndup(p, (gsize)(nl - p)) : g_strdup(p);
		g_strstrip(line);
		if (*line == '\0') {
			g_free(line);
			p = nl ? nl + 1 : p + strlen(p);
			continue;
		}
		c = parse_line(line);
		g_free(line);
		if (c == NULL)
			break;
		g_ptr_array_add(b->commands, c);
		p = nl ? nl + 1 : p + strlen(p);
		rest = p;
	}
	while (*rest == '\n' || *rest == '\r' || *rest == ' ' ||
	    *rest == '\t')
		rest++;
	b->rest = g_strdup(b->commands->len > 0 ? rest : text ? text : "");
	return b;
}
