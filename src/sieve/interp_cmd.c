/*
 * interp_cmd.c: sieve_run() and the commands.  Arguments are expanded
 * here; a name that only becomes invalid after expansion (a queue,
 * template or field name built from message data) skips its action and
 * says so in the trace rather than failing the whole message.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

static void run_block(struct sieve_run *, const struct sieve_block *);

static void
run_if(struct sieve_run *r, const struct sieve_cmd *cmd)
{
	const struct sieve_branch *b;
	size_t i;

	for (i = 0; i < cmd->n_branches && !r->stop; i++) {
		b = &cmd->branches[i];
		if (b->test == NULL) {
			sieve_interp_trace(r, b->line, "else");
		} else {
			sieve_interp_trace(r, b->line, "%s", i == 0 ? "if" :
			    "elsif");
			r->depth++;
			if (!sieve_interp_eval(r, b->test)) {
				r->depth--;
				continue;
			}
			r->depth--;
		}
		r->depth++;
		run_block(r, &b->body);
		r->depth--;
		return;
	}
}

static bool
check_name(struct sieve_run *r, const struct sieve_cmd *cmd, const char *v,
    bool (*valid)(const char *), const char *what)
{
	if (valid(v))
		return true;
	sieve_interp_trace(r, cmd->line, "%s: invalid %s after expansion, "
	    "action skipped", cmd->name, what);
	return false;
}

static bool
any_name(const char *s)
{
	return *s != '\0';
}

static void
run_simple(struct sieve_run *r, const struct sieve_cmd *cmd,
    enum sieve_action_kind kind, bool (*valid)(const char *),
    const char *what)
{
	const char *v;
	char *tofree;

	v = sieve_interp_expand(r, &cmd->arg, &tofree);
	if (valid == NULL || check_name(r, cmd, v, valid, what))
		(void)sieve_interp_add_action(r, kind, cmd, v, NULL);
	g_free(tofree);
}

static void
remove_flags(struct sieve_run *r, const char *flag)
{
	struct sieve_action *a;
	guint i = 0;

	while (i < r->res->actions->len) {
		a = g_ptr_array_index(r->res->actions, i);
		if (a->kind == SIEVE_ACT_ADDFLAG && (flag == NULL ||
		    g_ascii_strcasecmp(a->arg, flag) == 0))
			g_ptr_array_remove_index(r->res->actions, i);
		else
			i++;
	}
}

/* RFC 5232: a string may hold several flags separated by spaces. */
static void
run_flags(struct sieve_run *r, const struct sieve_cmd *cmd)
{
	char **flags, *tofree;
	const char *v;
	size_t i, j;

	if (cmd->kind == CMD_SETFLAG)
		remove_flags(r, NULL);
	for (i = 0; i < cmd->list.n && !r->stop; i++) {
		v = sieve_interp_expand(r, &cmd->list.items[i], &tofree);
		flags = g_strsplit_set(v, " \t", -1);
		for (j = 0; flags[j] != NULL; j++) {
			if (flags[j][0] == '\0')
				continue;
			if (cmd->kind == CMD_REMOVEFLAG) {
				remove_flags(r, flags[j]);
				sieve_interp_trace(r, cmd->line,
				    "removeflag \"%s\"", flags[j]);
			} else
				(void)sieve_interp_add_action(r,
				    SIEVE_ACT_ADDFLAG, cmd, flags[j], NULL);
		}
		g_strfreev(flags);
		g_free(tofree);
	}
}

static void
run_two(struct sieve_run *r, const struct sieve_cmd *cmd,
    enum sieve_action_kind kind)
{
	const char *a, *b;
	char *fa, *fb;

	a = sieve_interp_expand(r, &cmd->arg, &fa);
	b = cmd->arg2.text == NULL ? NULL :
	    sieve_interp_expand(r, &cmd->arg2, &fb);
	if (cmd->arg2.text == NULL)
		fb = NULL;
	if (kind == SIEVE_ACT_VACATION) {
		if (check_name(r, cmd, a, sieve_ext_postdesk_valid_name,
		    "template name"))
			(void)sieve_interp_add_action(r, kind, cmd, a, b);
	} else if (kind == SIEVE_ACT_SET_FIELD) {
		if (check_name(r, cmd, a, sieve_ext_postdesk_valid_name,
		    "field name"))
			(void)sieve_interp_add_action(r, kind, cmd, a, b);
	} else {
		sieve_vars_set(r, a, b, cmd->mods);
		if (r->res->trace != NULL)
			sieve_interp_trace(r, cmd->line, "set \"%s\"", a);
	}
	g_free(fa);
	g_free(fb);
}

static void
run_cmd(struct sieve_run *r, const struct sieve_cmd *cmd)
{
	switch (cmd->kind) {
	case CMD_REQUIRE:
		break;
	case CMD_IF:
		run_if(r, cmd);
		break;
	case CMD_STOP:
		sieve_interp_trace(r, cmd->line, "stop");
		r->stop = true;
		break;
	case CMD_KEEP:
	case CMD_DISCARD:
	case CMD_SET_HOTRUSH:
		(void)sieve_interp_add_action(r, cmd->kind == CMD_KEEP ?
		    SIEVE_ACT_KEEP : cmd->kind == CMD_DISCARD ?
		    SIEVE_ACT_DISCARD : SIEVE_ACT_SET_HOTRUSH, cmd, NULL,
		    NULL);
		break;
	case CMD_FILEINTO:
		run_simple(r, cmd, SIEVE_ACT_FILEINTO,
		    sieve_ext_postdesk_valid_name, "queue name");
		break;
	case CMD_REDIRECT:
		run_simple(r, cmd, SIEVE_ACT_REDIRECT, any_name, "address");
		break;
	case CMD_REJECT:
		run_simple(r, cmd, SIEVE_ACT_REJECT, NULL, NULL);
		break;
	case CMD_ADDFLAG:
	case CMD_SETFLAG:
	case CMD_REMOVEFLAG:
		run_flags(r, cmd);
		break;
	case CMD_VACATION:
		run_two(r, cmd, SIEVE_ACT_VACATION);
		break;
	case CMD_SET:
		run_two(r, cmd, SIEVE_ACT__MAX);
		break;
	case CMD_SET_PRIORITY:
		run_simple(r, cmd, SIEVE_ACT_SET_PRIORITY,
		    sieve_ext_postdesk_valid_priority, "priority");
		break;
	case CMD_SET_FIELD:
		run_two(r, cmd, SIEVE_ACT_SET_FIELD);
		break;
	case CMD_ASSIGN:
		run_simple(r, cmd, SIEVE_ACT_ASSIGN, any_name, "owner");
		break;
	default:
		g_assert_not_reached();
	}
}

static void
run_block(struct sieve_run *r, const struct sieve_block *b)
{
	size_t i;

	for (i = 0; i < b->n && !r->stop; i++)
		run_cmd(r, b->cmds[i]);
}

static void
run_clear(struct sieve_run *r)
{
	size_t i;

	g_hash_table_destroy(r->vars);
	for (i = 0; i < SIEVE_MATCH_VARS; i++)
		g_free(r->match_vars[i]);
	if (r->hdr_lower != NULL) {
		for (i = 0; i < r->msg->n_headers; i++)
			g_free(r->hdr_lower[i]);
		g_free(r->hdr_lower);
	}
	for (i = 0; i < BODY__MAX; i++)
		g_free(r->body_lower[i]);
	if (r->md != NULL)
		pcre2_match_data_free(r->md);
	if (r->mctx != NULL)
		pcre2_match_context_free(r->mctx);
	if (r->jit_stack != NULL)
		pcre2_jit_stack_free(r->jit_stack);
}

bool
sieve_run(const struct sieve_script *s, const struct sieve_message *m,
    struct sieve_result *res, GError **err)
{
	struct sieve_run r;
	bool ok;

	g_return_val_if_fail(s != NULL && m != NULL && res != NULL, false);
	memset(&r, 0, sizeof r);
	r.script = s;
	r.msg = m;
	r.res = res;
	r.vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	if (res->trace != NULL)
		g_string_append_printf(res->trace, "%s: running\n", s->name);
	run_block(&r, &s->top);
	ok = r.error == NULL;
	if (!ok)
		g_propagate_error(err, r.error);
	run_clear(&r);
	return ok;
}
