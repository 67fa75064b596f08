/*
 * compile_cmd.c: the commands of RFC 5228 and of the extensions except
 * vnd.postdesk (ext_postdesk.c); if/elsif/else chains become one
 * CMD_IF with branches.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

#define fail sieve_compile_fail

typedef bool cmd_check_fn(struct sieve_compiler *, const struct sieve_node *,
    struct sieve_cmd *, GError **);

struct cmd_def {
	const char *name;
	enum sieve_cmd_kind kind;
	unsigned ext;
	const char *ext_name;
	cmd_check_fn *check;
};

struct ext_def {
	const char *name;
	unsigned bit;
};

static const struct ext_def exts[] = {
	{ "fileinto", EXT_FILEINTO },
	{ "reject", EXT_REJECT },
	{ "envelope", EXT_ENVELOPE },
	{ "regex", EXT_REGEX },
	{ "body", EXT_BODY },
	{ "variables", EXT_VARIABLES },
	{ "imap4flags", EXT_IMAP4FLAGS },
	{ "vacation", EXT_VACATION },
	{ "vnd.postdesk", EXT_POSTDESK },
	{ "comparator-i;octet", EXT_COMPARATORS },
	{ "comparator-i;ascii-casemap", EXT_COMPARATORS },
};

static bool
eq(const char *a, const char *b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

static bool
check_require(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	const struct sieve_arg *a;
	size_t i, j;

	(void)cmd;
	if (c->seen_command)
		return fail(c, n->line, n->col, err, "'require' must come "
		    "before any other command");
	if (!sieve_compile_strlist_arg(c, n, 0, "extension list",
	    &cmd->list, err) || !sieve_compile_arg_count(c, n, 1, err))
		return false;
	a = &n->args[0];
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < G_N_ELEMENTS(exts); j++)
			if (eq(a->strs[i], exts[j].name))
				break;
		if (j == G_N_ELEMENTS(exts))
			return fail(c, a->lines[i], a->cols[i], err,
			    "unsupported extension \"%s\"", a->strs[i]);
		c->script->exts |= exts[j].bit;
	}
	return true;
}

static bool
check_none(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	(void)cmd;
	return sieve_compile_arg_count(c, n, 0, err);
}

static bool
check_one(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	return sieve_compile_string_arg(c, n, 0, "string", &cmd->arg, err) &&
	    sieve_compile_arg_count(c, n, 1, err);
}

static bool
check_fileinto(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	if (n->n_args > 0 && n->args[0].kind == ARG_TAG)
		return fail(c, n->args[0].line, n->args[0].col, err,
		    "'fileinto :%s' is not supported (a queue is not a "
		    "mailbox)", n->args[0].tag);
	if (!sieve_compile_string_arg(c, n, 0, "queue", &cmd->arg, err) ||
	    !sieve_compile_arg_count(c, n, 1, err))
		return false;
	if (cmd->arg.has_vars || sieve_ext_postdesk_valid_name(cmd->arg.text))
		return true;
	return fail(c, n->args[0].line, n->args[0].col, err,
	    "invalid queue name \"%s\"", cmd->arg.text);
}

static bool
valid_address(const char *s)
{
	const char *at;

	at = strrchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>')
			return false;
	return true;
}

static bool
check_redirect(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	if (n->n_args > 0 && n->args[0].kind == ARG_TAG)
		return fail(c, n->args[0].line, n->args[0].col, err,
		    "'redirect :%s' is not supported", n->args[0].tag);
	if (!check_one(c, n, cmd, err))
		return false;
	if (cmd->arg.has_vars || valid_address(cmd->arg.text))
		return true;
	return fail(c, n->args[0].line, n->args[0].col, err,
	    "invalid redirect address \"%s\"", cmd->arg.text);
}

static bool
check_flags(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	if (n->n_args == 2)
		return fail(c, n->line, n->col, err, "the variable-name form "
		    "of '%s' is not supported", n->name);
	return sieve_compile_strlist_arg(c, n, 0, "flag list", &cmd->list,
	    err) && sieve_compile_arg_count(c, n, 1, err);
}

static bool
vacation_tag(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, size_t *i, GError **err)
{
	const struct sieve_arg *a = &n->args[*i];
	struct sieve_string ignored;
	struct sieve_strlist ignored_list;

	if (eq(a->tag, "mime"))
		return true;
	if (eq(a->tag, "days")) {
		if (++(*i) >= n->n_args || n->args[*i].kind != ARG_NUMBER)
			return fail(c, a->line, a->col, err,
			    "':days' needs a number");
		/* RFC 5230 4.1: silently clamp to the site's range. */
		cmd->days = (int)MIN(MAX(n->args[*i].num, 1), 365);
		return true;
	}
	if (eq(a->tag, "subject"))
		return sieve_compile_string_arg(c, n, ++(*i), "subject",
		    &cmd->arg2, err);
	if (eq(a->tag, "from") || eq(a->tag, "handle"))
		return sieve_compile_string_arg(c, n, ++(*i), a->tag,
		    &ignored, err);
	if (eq(a->tag, "addresses"))
		return sieve_compile_strlist_arg(c, n, ++(*i), "addresses",
		    &ignored_list, err);
	return fail(c, a->line, a->col, err, "unknown tag ':%s' for '%s'",
	    a->tag, n->name);
}

static bool
check_vacation(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	size_t i;

	cmd->days = 7;
	for (i = 0; i < n->n_args && n->args[i].kind == ARG_TAG; i++)
		if (!vacation_tag(c, n, cmd, &i, err))
			return false;
	if (!sieve_compile_string_arg(c, n, i, "template name", &cmd->arg,
	    err) || !sieve_compile_arg_count(c, n, i + 1, err))
		return false;
	if (cmd->arg.has_vars || sieve_ext_postdesk_valid_name(cmd->arg.text))
		return true;
	return fail(c, n->args[i].line, n->args[i].col, err, "vacation "
	    "reason must name a template under templates/mail/ (letters, "
	    "digits, '.', '-', '_'), not \"%.40s\"", cmd->arg.text);
}

#define MOD_FIRST (MOD_LOWERFIRST | MOD_UPPERFIRST)

static bool
set_modifier(struct sieve_compiler *c, const struct sieve_arg *a,
    struct sieve_cmd *cmd, GError **err)
{
	static const struct {
		const char *name;
		unsigned bit, group;
	} mods[] = {
		{ "lower", MOD_LOWER, MOD_LOWER | MOD_UPPER },
		{ "upper", MOD_UPPER, MOD_LOWER | MOD_UPPER },
		{ "lowerfirst", MOD_LOWERFIRST, MOD_FIRST },
		{ "upperfirst", MOD_UPPERFIRST, MOD_FIRST },
		{ "quotewildcard", MOD_QUOTEWILDCARD, MOD_QUOTEWILDCARD },
		{ "length", MOD_LENGTH, MOD_LENGTH },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(mods); i++) {
		if (!eq(a->tag, mods[i].name))
			continue;
		/* RFC 5229 4: one modifier per precedence level. */
		if (cmd->mods & mods[i].group)
			return fail(c, a->line, a->col, err, "modifier ':%s' "
			    "conflicts with another of the same precedence",
			    a->tag);
		cmd->mods |= mods[i].bit;
		return true;
	}
	return fail(c, a->line, a->col, err, "unknown tag ':%s' for 'set'",
	    a->tag);
}

static bool
check_set(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	const struct sieve_arg *a;
	size_t i;

	for (i = 0; i < n->n_args && n->args[i].kind == ARG_TAG; i++)
		if (!set_modifier(c, &n->args[i], cmd, err))
			return false;
	if (!sieve_compile_string_arg(c, n, i, "variable name", &cmd->arg,
	    err) || !sieve_compile_string_arg(c, n, i + 1, "value",
	    &cmd->arg2, err) || !sieve_compile_arg_count(c, n, i + 2, err))
		return false;
	a = &n->args[i];
	if (!sieve_vars_valid_name(a->strs[0]))
		return fail(c, a->line, a->col, err,
		    "invalid variable name \"%s\"", a->strs[0]);
	g_hash_table_add(c->var_names, g_ascii_strdown(a->strs[0], -1));
	if (g_hash_table_size(c->var_names) <= SIEVE_MAX_VARIABLES)
		return true;
	sieve_error_at(err, SIEVE_ERROR_LIMIT, c->file, a->line, a->col,
	    "too many variables (limit %d)", SIEVE_MAX_VARIABLES);
	return false;
}

static const struct cmd_def cmds[] = {
	{ "require", CMD_REQUIRE, 0, NULL, check_require },
	{ "stop", CMD_STOP, 0, NULL, check_none },
	{ "keep", CMD_KEEP, 0, NULL, check_none },
	{ "discard", CMD_DISCARD, 0, NULL, check_none },
	{ "fileinto", CMD_FILEINTO, EXT_FILEINTO, "fileinto",
	    check_fileinto },
	{ "redirect", CMD_REDIRECT, 0, NULL, check_redirect },
	{ "reject", CMD_REJECT, EXT_REJECT, "reject", check_one },
	{ "addflag", CMD_ADDFLAG, EXT_IMAP4FLAGS, "imap4flags", check_flags },
	{ "setflag", CMD_SETFLAG, EXT_IMAP4FLAGS, "imap4flags", check_flags },
	{ "removeflag", CMD_REMOVEFLAG, EXT_IMAP4FLAGS, "imap4flags",
	    check_flags },
	{ "vacation", CMD_VACATION, EXT_VACATION, "vacation",
	    check_vacation },
	{ "set", CMD_SET, EXT_VARIABLES, "variables", check_set },
};

static bool
check_shape(struct sieve_compiler *c, const struct sieve_node *n,
    GError **err)
{
	if (n->n_tests > 0)
		return fail(c, n->tests[0]->line, n->tests[0]->col, err,
		    "command '%s' does not take a test", n->name);
	if (n->has_block)
		return fail(c, n->line, n->col, err,
		    "command '%s' does not take a block", n->name);
	return true;
}

static bool
compile_command(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd **out, GError **err)
{
	struct sieve_cmd *cmd;
	bool handled = false;
	size_t i;
	char what[64];

	cmd = sieve_arena_alloc(&c->script->arena, sizeof *cmd);
	cmd->line = n->line;
	cmd->col = n->col;
	*out = cmd;
	if (!check_shape(c, n, err))
		return false;
	for (i = 0; i < G_N_ELEMENTS(cmds); i++) {
		if (!eq(n->name, cmds[i].name))
			continue;
		cmd->kind = cmds[i].kind;
		cmd->name = cmds[i].name;
		g_snprintf(what, sizeof what, "command '%s'", cmds[i].name);
		if (!sieve_compile_need_ext(c, cmds[i].ext, cmds[i].ext_name,
		    what, n->line, n->col, err))
			return false;
		if (!cmds[i].check(c, n, cmd, err))
			return false;
		if (cmd->kind != CMD_REQUIRE)
			c->seen_command = true;
		return true;
	}
	c->seen_command = true;
	if (!sieve_ext_postdesk_cmd(c, n, cmd, &handled, err))
		return false;
	if (handled)
		return true;
	return fail(c, n->line, n->col, err, "unknown command '%s'",
	    n->name);
}

static bool
compile_branch(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_branch *b, GError **err)
{
	bool is_else = eq(n->name, "else");

	b->line = n->line;
	if (n->n_args > 0)
		return fail(c, n->args[0].line, n->args[0].col, err,
		    "'%s' takes a test, not arguments", n->name);
	if (!n->has_block)
		return fail(c, n->line, n->col, err,
		    "'%s' needs a block in braces", n->name);
	if (is_else && n->n_tests > 0)
		return fail(c, n->tests[0]->line, n->tests[0]->col, err,
		    "'else' does not take a test");
	if (!is_else && (n->n_tests != 1 || n->test_list))
		return fail(c, n->line, n->col, err,
		    "'%s' expects exactly one test", n->name);
	if (!is_else && !sieve_compile_test(c, n->tests[0], &b->test, err))
		return false;
	return sieve_compile_cmd_block(c, n->block, n->n_block, &b->body,
	    err);
}

static bool
compile_if(struct sieve_compiler *c, struct sieve_node **nodes,
    size_t count, struct sieve_cmd **out, GError **err)
{
	struct sieve_cmd *cmd;
	size_t j;

	c->seen_command = true;
	cmd = sieve_arena_alloc(&c->script->arena, sizeof *cmd);
	cmd->kind = CMD_IF;
	cmd->name = "if";
	cmd->line = nodes[0]->line;
	cmd->col = nodes[0]->col;
	cmd->n_branches = count;
	cmd->branches = sieve_arena_alloc(&c->script->arena,
	    sizeof(struct sieve_branch) * count);
	*out = cmd;
	for (j = 0; j < count; j++)
		if (!compile_branch(c, nodes[j], &cmd->branches[j], err))
			return false;
	return true;
}

/* Number of nodes forming the if/elsif/else chain starting at nodes[0]. */
static size_t
chain_length(struct sieve_node **nodes, size_t n)
{
	size_t count = 1;

	while (count < n && eq(nodes[count]->name, "elsif"))
		count++;
	if (count < n && eq(nodes[count]->name, "else"))
		count++;
	return count;
}

bool
sieve_compile_cmd_block(struct sieve_compiler *c, struct sieve_node **nodes,
    size_t n, struct sieve_block *out, GError **err)
{
	GPtrArray *list;
	struct sieve_cmd *cmd;
	size_t i, count;
	bool ok = true;

	list = g_ptr_array_new();
	for (i = 0; ok && i < n; i++) {
		if (eq(nodes[i]->name, "elsif") ||
		    eq(nodes[i]->name, "else")) {
			ok = fail(c, nodes[i]->line, nodes[i]->col, err,
			    "'%s' without a preceding 'if'",
			    nodes[i]->name);
			break;
		}
		if (eq(nodes[i]->name, "if")) {
			count = chain_length(nodes + i, n - i);
			ok = compile_if(c, nodes + i, count, &cmd, err);
			i += count - 1;
		} else
			ok = compile_command(c, nodes[i], &cmd, err);
		g_ptr_array_add(list, cmd);
	}
	out->n = list->len;
	out->cmds = (struct sieve_cmd **)sieve_arena_vec(&c->script->arena,
	    list);
	g_ptr_array_free(list, TRUE);
	return ok;
}
