/*
 * libFuzzer harness for command.c (the command block at the top of a
 * mail body).  Build: tests/fuzz/run.sh command
 *
 * Besides not crashing, checks the documented contract: never NULL; at
 * most COMMAND_MAX commands, each a known name whose value and line are
 * trimmed and one line long; with no command, rest is the whole text,
 * else a suffix of it that starts with no blank; valid UTF-8 in gives
 * valid UTF-8 out; and the block's own lines parse to the same commands.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "command.h"

static void
trimmed(const char *s)
{
	size_t n;

	if (s == NULL || strchr(s, '\n') != NULL)
		abort();
	n = strlen(s);
	if (n > 0 && (g_ascii_isspace(s[0]) || g_ascii_isspace(s[n - 1])))
		abort();
}

static void
check_command(const struct command *c, bool utf8)
{
	const char	*colon;
	char		*name, *value;
	enum lc_command	 cmd;

	if (c->cmd >= LC_CMD__MAX)
		abort();
	trimmed(c->value);
	trimmed(c->line);
	colon = strchr(c->line, ':');
	if (colon == NULL)
		abort();
	name = g_strstrip(g_strndup(c->line, (gsize)(colon - c->line)));
	value = g_strstrip(g_strdup(colon + 1));
	if (!text_to_lc_command(&cmd, name) || cmd != c->cmd ||
	    strcmp(value, c->value) != 0)
		abort();
	if (utf8 && (!g_utf8_validate(c->line, -1, NULL) ||
	    !g_utf8_validate(c->value, -1, NULL)))
		abort();
	g_free(name);
	g_free(value);
}

/* The block's lines alone give the same commands. */
static void
check_stable(const struct command_block *b)
{
	GString		*s = g_string_new(NULL);
	struct command_block *again;
	guint		 i;

	for (i = 0; i < b->commands->len; i++)
		g_string_append_printf(s, "%s\n", ((const struct command *)
		    b->commands->pdata[i])->line);
	again = command_parse(s->str);
	if (again->commands->len != b->commands->len || *again->rest != '\0')
		abort();
	for (i = 0; i < b->commands->len; i++) {
		const struct command *x = b->commands->pdata[i];
		const struct command *y = again->commands->pdata[i];

		if (x->cmd != y->cmd || strcmp(x->value, y->value) != 0 ||
		    strcmp(x->line, y->line) != 0)
			abort();
	}
	command_block_free(again);
	g_string_free(s, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text = g_strndup((const char *)data, size);
	bool		 utf8 = g_utf8_validate(text, -1, NULL);
	struct command_block *b = command_parse(text);
	size_t		 tlen = strlen(text), rlen;
	guint		 i;

	if (b == NULL || b->commands == NULL || b->rest == NULL ||
	    b->commands->len > COMMAND_MAX)
		abort();
	rlen = strlen(b->rest);
	if (b->commands->len == 0 && strcmp(b->rest, text) != 0)
		abort();
	if (b->commands->len > 0 && (rlen > tlen ||
	    strcmp(text + tlen - rlen, b->rest) != 0 ||
	    (rlen > 0 && strchr("\r\n\t ", b->rest[0]) != NULL)))
		abort();
	for (i = 0; i < b->commands->len; i++)
		check_command(b->commands->pdata[i], utf8);
	if (utf8 && !g_utf8_validate(b->rest, -1, NULL))
		abort();
	check_stable(b);
	command_block_free(b);
	g_free(text);
	return 0;
}
