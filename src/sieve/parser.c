/*
 * parser.c: RFC 5228 section 8.2 grammar, tokens to a generic tree.
 * Nothing here knows what a command means; compile.c does.  Nesting of
 * blocks and tests is bounded by SIEVE_MAX_DEPTH so that a hostile
 * script cannot exhaust the C stack.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

struct parser {
	const char *file;
	const struct sieve_token *toks;
	size_t pos;
	struct sieve_arena *arena;
};

static bool parse_commands(struct parser *, unsigned depth,
    struct sieve_node ***out, size_t *n, GError **err);
static bool parse_test(struct parser *, unsigned depth,
    struct sieve_node **out, GError **err);

static const struct sieve_token *
cur(const struct parser *p)
{
	return &p->toks[p->pos];
}

static void
next(struct parser *p)
{
	if (p->toks[p->pos].kind != TOK_EOF)
		p->pos++;
}

static bool
expected(struct parser *p, const char *what, GError **err)
{
	const struct sieve_token *t = cur(p);

	if (t->kind == TOK_IDENT)
		sieve_error_at(err, SIEVE_ERROR_SYNTAX, p->file, t->line,
		    t->col, "expected %s, found identifier '%s'", what,
		    t->text);
	else if (t->kind == TOK_TAG)
		sieve_error_at(err, SIEVE_ERROR_SYNTAX, p->file, t->line,
		    t->col, "expected %s, found tag ':%s'", what, t->text);
	else
		sieve_error_at(err, SIEVE_ERROR_SYNTAX, p->file, t->line,
		    t->col, "expected %s, found %s", what,
		    sieve_lexer_kind_to_text(t->kind));
	return false;
}

static bool
too_deep(struct parser *p, GError **err)
{
	const struct sieve_token *t = cur(p);

	sieve_error_at(err, SIEVE_ERROR_LIMIT, p->file, t->line, t->col,
	    "nesting too deep (limit %d)", SIEVE_MAX_DEPTH);
	return false;
}

static bool
parse_strlist(struct parser *p, struct sieve_arg *a, GError **err)
{
	GPtrArray *strs;
	GArray *lines, *cols;
	const struct sieve_token *t;
	bool ok = false;

	strs = g_ptr_array_new();
	lines = g_array_new(FALSE, FALSE, sizeof(unsigned));
	cols = g_array_new(FALSE, FALSE, sizeof(unsigned));
	a->bracketed = cur(p)->kind == TOK_LBRACKET;
	if (a->bracketed)
		next(p);
	for (;;) {
		t = cur(p);
		if (t->kind != TOK_STRING) {
			expected(p, "a string", err);
			goto out;
		}
		g_ptr_array_add(strs, (gpointer)t->text);
		g_array_append_val(lines, t->line);
		g_array_append_val(cols, t->col);
		next(p);
		if (!a->bracketed || cur(p)->kind == TOK_RBRACKET)
			break;
		if (cur(p)->kind != TOK_COMMA) {
			expected(p, "',' or ']' in string list", err);
			goto out;
		}
		next(p);
	}
	if (a->bracketed)
		next(p);
	a->n = strs->len;
	a->strs = (const char **)sieve_arena_vec(p->arena, strs);
	a->lines = sieve_arena_alloc(p->arena, sizeof(unsigned) * a->n);
	a->cols = sieve_arena_alloc(p->arena, sizeof(unsigned) * a->n);
	memcpy(a->lines, lines->data, sizeof(unsigned) * a->n);
	memcpy(a->cols, cols->data, sizeof(unsigned) * a->n);
	ok = true;
out:
	g_ptr_array_free(strs, TRUE);
	g_array_free(lines, TRUE);
	g_array_free(cols, TRUE);
	return ok;
}

static bool
parse_arg(struct parser *p, struct sieve_arg *a, GError **err)
{
	const struct sieve_token *t = cur(p);

	memset(a, 0, sizeof *a);
	a->line = t->line;
	a->col = t->col;
	switch (t->kind) {
	case TOK_NUMBER:
		a->kind = ARG_NUMBER;
		a->num = t->num;
		next(p);
		return true;
	case TOK_TAG:
		a->kind = ARG_TAG;
		a->tag = t->text;
		next(p);
		return true;
	default:
		a->kind = ARG_STRLIST;
		return parse_strlist(p, a, err);
	}
}

static bool
is_arg_start(enum sieve_tok_kind k)
{
	return k == TOK_NUMBER || k == TOK_TAG || k == TOK_STRING ||
	    k == TOK_LBRACKET;
}

static bool
parse_test_list(struct parser *p, unsigned depth, GPtrArray *tests,
    GError **err)
{
	struct sieve_node *t = NULL;

	next(p);
	for (;;) {
		if (!parse_test(p, depth, &t, err))
			return false;
		g_ptr_array_add(tests, t);
		if (cur(p)->kind == TOK_RPAREN)
			break;
		if (cur(p)->kind != TOK_COMMA)
			return expected(p, "',' or ')' in test list", err);
		next(p);
	}
	next(p);
	return true;
}

/* arguments = *argument [ test / test-list ] */
static bool
parse_arguments(struct parser *p, unsigned depth, struct sieve_node *n,
    GError **err)
{
	GArray *args;
	GPtrArray *tests;
	struct sieve_arg a;
	struct sieve_node *one;
	bool ok = false;

	args = g_array_new(FALSE, TRUE, sizeof(struct sieve_arg));
	tests = g_ptr_array_new();
	while (is_arg_start(cur(p)->kind)) {
		if (!parse_arg(p, &a, err))
			goto out;
		g_array_append_val(args, a);
	}
	if (cur(p)->kind == TOK_LPAREN || cur(p)->kind == TOK_IDENT) {
		if (depth + 1 > SIEVE_MAX_DEPTH) {
			too_deep(p, err);
			goto out;
		}
		n->test_list = cur(p)->kind == TOK_LPAREN;
		if (n->test_list) {
			if (!parse_test_list(p, depth + 1, tests, err))
				goto out;
		} else {
			if (!parse_test(p, depth + 1, &one, err))
				goto out;
			g_ptr_array_add(tests, one);
		}
	}
	n->n_args = args->len;
	n->args = sieve_arena_alloc(p->arena,
	    sizeof(struct sieve_arg) * args->len);
	if (args->len > 0)
		memcpy(n->args, args->data,
		    sizeof(struct sieve_arg) * args->len);
	n->n_tests = tests->len;
	n->tests = (struct sieve_node **)sieve_arena_vec(p->arena, tests);
	ok = true;
out:
	g_array_free(args, TRUE);
	g_ptr_array_free(tests, TRUE);
	return ok;
}

static struct sieve_node *
new_node(struct parser *p)
{
	struct sieve_node *n;
	const struct sieve_token *t = cur(p);

	n = sieve_arena_alloc(p->arena, sizeof *n);
	n->name = t->text;
	n->line = t->line;
	n->col = t->col;
	next(p);
	return n;
}

static bool
parse_test(struct parser *p, unsigned depth, struct sieve_node **out,
    GError **err)
{
	struct sieve_node *n;

	if (cur(p)->kind != TOK_IDENT)
		return expected(p, "a test", err);
	n = new_node(p);
	if (!parse_arguments(p, depth, n, err))
		return false;
	*out = n;
	return true;
}

static bool
parse_command(struct parser *p, unsigned depth, struct sieve_node **out,
    GError **err)
{
	struct sieve_node *n;

	if (cur(p)->kind != TOK_IDENT)
		return expected(p, "a command", err);
	n = new_node(p);
	if (!parse_arguments(p, depth, n, err))
		return false;
	if (cur(p)->kind == TOK_SEMICOLON) {
		next(p);
	} else if (cur(p)->kind == TOK_LBRACE) {
		if (depth + 1 > SIEVE_MAX_DEPTH)
			return too_deep(p, err);
		next(p);
		n->has_block = true;
		if (!parse_commands(p, depth + 1, &n->block, &n->n_block,
		    err))
			return false;
		if (cur(p)->kind != TOK_RBRACE)
			return expected(p, "'}'", err);
		next(p);
	} else
		return expected(p, "';' or '{'", err);
	*out = n;
	return true;
}

static bool
parse_commands(struct parser *p, unsigned depth, struct sieve_node ***out,
    size_t *n, GError **err)
{
	GPtrArray *cmds;
	struct sieve_node *c = NULL;
	bool ok = true;

	cmds = g_ptr_array_new();
	while (cur(p)->kind != TOK_EOF && cur(p)->kind != TOK_RBRACE) {
		ok = parse_command(p, depth, &c, err);
		if (!ok)
			break;
		g_ptr_array_add(cmds, c);
	}
	*n = cmds->len;
	*out = (struct sieve_node **)sieve_arena_vec(p->arena, cmds);
	g_ptr_array_free(cmds, TRUE);
	return ok;
}

bool
sieve_parser_parse(struct sieve_node ***out, size_t *n_out,
    struct sieve_arena *arena, const char *file, const GArray *tokens,
    GError **err)
{
	struct parser p;

	memset(&p, 0, sizeof p);
	p.file = file;
	p.toks = (const struct sieve_token *)(const void *)tokens->data;
	p.arena = arena;
	if (!parse_commands(&p, 0, out, n_out, err))
		return false;
	if (cur(&p)->kind != TOK_EOF)
		return expected(&p, "a command", err);
	return true;
}
