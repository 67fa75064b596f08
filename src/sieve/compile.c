/*
 * compile.c: turns the generic tree of parser.c into typed commands and
 * tests, doing every check that can be done before a message arrives:
 * known commands and tests, required extensions, argument types, tags,
 * constant regexes (compiled once here), variable names.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

bool sieve_compile_program(struct sieve_script *, const char *file,
    struct sieve_node **, size_t, GError **);

struct test_def {
	const char *name;
	enum sieve_test_kind kind;
	unsigned ext;
	const char *ext_name;
	unsigned opts;
	size_t n_lists;
};

static const struct test_def tests[] = {
	{ "header", TEST_HEADER, 0, NULL, MOPT_CMP | MOPT_MATCH, 2 },
	{ "address", TEST_ADDRESS, 0, NULL,
	    MOPT_CMP | MOPT_MATCH | MOPT_ADDR, 2 },
	{ "envelope", TEST_ENVELOPE, EXT_ENVELOPE, "envelope",
	    MOPT_CMP | MOPT_MATCH | MOPT_ADDR, 2 },
	{ "body", TEST_BODY, EXT_BODY, "body",
	    MOPT_CMP | MOPT_MATCH | MOPT_BODY, 1 },
	{ "string", TEST_STRING, EXT_VARIABLES, "variables",
	    MOPT_CMP | MOPT_MATCH, 2 },
	{ "hasflag", TEST_HASFLAG, EXT_IMAP4FLAGS, "imap4flags",
	    MOPT_CMP | MOPT_MATCH, 1 },
};


static bool
eq(const char *a, const char *b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

#define fail sieve_compile_fail

bool
sieve_compile_fail(struct sieve_compiler *c, unsigned line, unsigned col,
    GError **err, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	sieve_error_at(err, SIEVE_ERROR_SEMANTIC, c->file, line, col, "%s",
	    msg);
	g_free(msg);
	return false;
}

bool
sieve_compile_need_ext(struct sieve_compiler *c, unsigned ext,
    const char *ext_name, const char *what, unsigned line, unsigned col,
    GError **err)
{
	if (ext == 0 || (c->script->exts & ext) != 0)
		return true;
	return fail(c, line, col, err, "%s requires 'require \"%s\";'",
	    what, ext_name);
}

void
sieve_compile_string_init(struct sieve_compiler *c, struct sieve_string *s,
    const char *text)
{
	s->text = sieve_arena_strndup(&c->script->arena, text, strlen(text));
	s->has_vars = (c->script->exts & EXT_VARIABLES) != 0 &&
	    strstr(text, "${") != NULL;
}

bool
sieve_compile_arg_count(struct sieve_compiler *c,
    const struct sieve_node *n, size_t want, GError **err)
{
	const struct sieve_arg *a;
	char buf[32];

	if (n->n_args == want)
		return true;
	if (n->n_args > want) {
		a = &n->args[want];
		if (a->kind == ARG_TAG)
			return fail(c, a->line, a->col, err,
			    "unknown tag ':%s' for '%s'", a->tag, n->name);
		return fail(c, a->line, a->col, err,
		    "too many arguments for '%s'", n->name);
	}
	g_snprintf(buf, sizeof buf, "%zu", want);
	return fail(c, n->line, n->col, err,
	    "'%s' expects %s argument(s)", n->name, buf);
}

static bool
strlist_arg(struct sieve_compiler *c, const struct sieve_node *n,
    size_t idx, const char *what, GError **err)
{
	const struct sieve_arg *a;

	if (idx >= n->n_args)
		return fail(c, n->line, n->col, err,
		    "'%s' is missing its %s", n->name, what);
	a = &n->args[idx];
	if (a->kind == ARG_STRLIST)
		return true;
	if (a->kind == ARG_TAG)
		return fail(c, a->line, a->col, err,
		    "tag ':%s' out of place, expected %s", a->tag, what);
	return fail(c, a->line, a->col, err,
	    "expected %s for '%s', found a number", what, n->name);
}

bool
sieve_compile_string_arg(struct sieve_compiler *c,
    const struct sieve_node *n, size_t idx, const char *what,
    struct sieve_string *out, GError **err)
{
	const struct sieve_arg *a;

	if (!strlist_arg(c, n, idx, what, err))
		return false;
	a = &n->args[idx];
	if (a->bracketed || a->n != 1)
		return fail(c, a->line, a->col, err,
		    "expected a single string (%s) for '%s', found a list",
		    what, n->name);
	sieve_compile_string_init(c, out, a->strs[0]);
	return true;
}

static void
compile_strlist(struct sieve_compiler *c, const struct sieve_arg *a,
    struct sieve_strlist *out)
{
	size_t i;

	out->n = a->n;
	out->items = sieve_arena_alloc(&c->script->arena,
	    sizeof(struct sieve_string) * a->n);
	for (i = 0; i < a->n; i++)
		sieve_compile_string_init(c, &out->items[i], a->strs[i]);
}

bool
sieve_compile_strlist_arg(struct sieve_compiler *c,
    const struct sieve_node *n, size_t idx, const char *what,
    struct sieve_strlist *out, GError **err)
{
	if (!strlist_arg(c, n, idx, what, err))
		return false;
	compile_strlist(c, &n->args[idx], out);
	return true;
}

static bool
compile_keys(struct sieve_compiler *c, const struct sieve_arg *a,
    struct sieve_test *t, GError **err)
{
	struct sieve_key *k;
	char ebuf[160];
	size_t i;

	t->n_keys = a->n;
	t->keys = sieve_arena_alloc(&c->script->arena, sizeof *k * a->n);
	for (i = 0; i < a->n; i++) {
		k = &t->keys[i];
		sieve_compile_string_init(c, &k->s, a->strs[i]);
		if (k->s.has_vars)
			continue;
		if (t->match == MATCH_CONTAINS && t->cmp == CMP_CASEMAP) {
			k->lower = sieve_arena_strndup(&c->script->arena,
			    k->s.text, strlen(k->s.text));
			sieve_match_ascii_lower((char *)k->lower);
		}
		if (t->match != MATCH_REGEX)
			continue;
		k->re = sieve_match_regex_compile(k->s.text, t->cmp, ebuf,
		    sizeof ebuf);
		if (k->re == NULL)
			return fail(c, a->lines[i], a->cols[i], err,
			    "invalid regex: %s", ebuf);
		g_ptr_array_add(c->script->regexes, k->re);
	}
	return true;
}

static bool
take_comparator(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, size_t *i, GError **err)
{
	const struct sieve_arg *a;

	(*i)++;
	if (*i >= n->n_args || n->args[*i].kind != ARG_STRLIST ||
	    n->args[*i].n != 1)
		return fail(c, n->args[*i - 1].line, n->args[*i - 1].col, err,
		    "':comparator' needs a string");
	a = &n->args[*i];
	if (eq(a->strs[0], "i;ascii-casemap"))
		t->cmp = CMP_CASEMAP;
	else if (eq(a->strs[0], "i;octet"))
		t->cmp = CMP_OCTET;
	else
		return fail(c, a->line, a->col, err,
		    "unsupported comparator \"%s\"", a->strs[0]);
	return true;
}

enum {
	SEEN_CMP = 1 << 0,
	SEEN_MATCH = 1 << 1,
	SEEN_ADDR = 1 << 2,
	SEEN_BODY = 1 << 3
};

static bool
seen_once(struct sieve_compiler *c, const struct sieve_arg *a,
    unsigned *seen, unsigned bit, GError **err)
{
	if (*seen & bit)
		return fail(c, a->line, a->col, err,
		    "':%s' conflicts with an earlier tag of the same kind",
		    a->tag);
	*seen |= bit;
	return true;
}

static bool
take_match(struct sieve_compiler *c, const struct sieve_arg *a,
    struct sieve_test *t, GError **err)
{
	if (eq(a->tag, "is"))
		t->match = MATCH_IS;
	else if (eq(a->tag, "contains"))
		t->match = MATCH_CONTAINS;
	else if (eq(a->tag, "matches"))
		t->match = MATCH_MATCHES;
	else {
		t->match = MATCH_REGEX;
		return sieve_compile_need_ext(c, EXT_REGEX, "regex",
		    "':regex'", a->line, a->col, err);
	}
	return true;
}

static bool
take_tag(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, unsigned opts, size_t *i, unsigned *seen,
    GError **err)
{
	const struct sieve_arg *a = &n->args[*i];
	const char *g = a->tag;

	if ((opts & MOPT_MATCH) && (eq(g, "is") || eq(g, "contains") ||
	    eq(g, "matches") || eq(g, "regex")))
		return seen_once(c, a, seen, SEEN_MATCH, err) &&
		    take_match(c, a, t, err);
	if ((opts & MOPT_CMP) && eq(g, "comparator"))
		return seen_once(c, a, seen, SEEN_CMP, err) &&
		    take_comparator(c, n, t, i, err);
	if ((opts & MOPT_ADDR) && (eq(g, "all") || eq(g, "localpart") ||
	    eq(g, "domain"))) {
		t->addr = eq(g, "all") ? ADDR_ALL :
		    eq(g, "localpart") ? ADDR_LOCALPART : ADDR_DOMAIN;
		return seen_once(c, a, seen, SEEN_ADDR, err);
	}
	if ((opts & MOPT_BODY) && (eq(g, "text") || eq(g, "raw"))) {
		t->body = eq(g, "text") ? BODY_TEXT : BODY_RAW;
		return seen_once(c, a, seen, SEEN_BODY, err);
	}
	if ((opts & MOPT_BODY) && eq(g, "content"))
		return fail(c, a->line, a->col, err, "body :content is not "
		    "supported; use :text (decoded text parts)");
	if (eq(g, "count") || eq(g, "value"))
		return fail(c, a->line, a->col, err, "relational match "
		    "type ':%s' is not supported", g);
	return fail(c, a->line, a->col, err, "unknown tag ':%s' for '%s'",
	    g, n->name);
}

bool
sieve_compile_match_test(struct sieve_compiler *c,
    const struct sieve_node *n, struct sieve_test *t, size_t n_lists,
    unsigned opts, GError **err)
{
	unsigned seen = 0;
	size_t i;

	t->match = MATCH_IS;
	t->cmp = CMP_CASEMAP;
	for (i = 0; i < n->n_args && n->args[i].kind == ARG_TAG; i++)
		if (!take_tag(c, n, t, opts, &i, &seen, err))
			return false;
	if (!strlist_arg(c, n, i, n_lists == 2 ? "source list" :
	    "key list", err))
		return false;
	if (n_lists == 2) {
		compile_strlist(c, &n->args[i], &t->sources);
		if (!strlist_arg(c, n, ++i, "key list", err))
			return false;
	}
	if (!sieve_compile_arg_count(c, n, i + 1, err))
		return false;
	return compile_keys(c, &n->args[i], t, err);
}

static bool
check_envelope_parts(struct sieve_compiler *c, const struct sieve_node *n,
    const struct sieve_test *t, GError **err)
{
	const struct sieve_arg *a;
	size_t i, j;

	for (i = 0; i < n->n_args; i++)
		if (n->args[i].kind == ARG_STRLIST)
			break;
	a = &n->args[i];
	for (j = 0; j < t->sources.n; j++) {
		if (t->sources.items[j].has_vars ||
		    eq(a->strs[j], "from") || eq(a->strs[j], "to"))
			continue;
		return fail(c, a->lines[j], a->cols[j], err,
		    "unknown envelope part \"%s\" (use \"from\" or \"to\")",
		    a->strs[j]);
	}
	return true;
}

static bool
compile_size(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, GError **err)
{
	const struct sieve_arg *a;

	if (n->n_args != 2 || n->args[0].kind != ARG_TAG ||
	    !(eq(n->args[0].tag, "over") || eq(n->args[0].tag, "under")))
		return fail(c, n->line, n->col, err, "'size' expects "
		    ":over or :under and a number");
	a = &n->args[1];
	if (a->kind != ARG_NUMBER)
		return fail(c, a->line, a->col, err, "'size' expects a "
		    "number after :%s", n->args[0].tag);
	t->over = eq(n->args[0].tag, "over");
	t->limit = a->num;
	return true;
}

static bool
compile_logic(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, GError **err)
{
	size_t i;

	if (n->n_args > 0)
		return fail(c, n->args[0].line, n->args[0].col, err,
		    "'%s' takes no arguments besides tests", n->name);
	if (t->kind == TEST_NOT && (n->n_tests != 1 || n->test_list))
		return fail(c, n->line, n->col, err,
		    "'not' expects exactly one test");
	if (t->kind != TEST_NOT && (!n->test_list || n->n_tests == 0))
		return fail(c, n->line, n->col, err,
		    "'%s' expects a test list in parentheses", n->name);
	t->n_children = n->n_tests;
	t->children = sieve_arena_alloc(&c->script->arena,
	    sizeof(struct sieve_test *) * n->n_tests);
	for (i = 0; i < n->n_tests; i++)
		if (!sieve_compile_test(c, n->tests[i], &t->children[i],
		    err))
			return false;
	return true;
}

static bool
compile_core_test(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, GError **err)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(tests); i++) {
		if (!eq(n->name, tests[i].name))
			continue;
		t->kind = tests[i].kind;
		t->name = tests[i].name;
		if (!sieve_compile_need_ext(c, tests[i].ext,
		    tests[i].ext_name, "this test", n->line, n->col, err))
			return false;
		if (!sieve_compile_match_test(c, n, t, tests[i].n_lists,
		    tests[i].opts, err))
			return false;
		return t->kind != TEST_ENVELOPE ||
		    check_envelope_parts(c, n, t, err);
	}
	return fail(c, n->line, n->col, err, "unknown test '%s'",
	    n->name);
}

static bool
compile_simple_test(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, GError **err)
{
	if (t->kind == TEST_SIZE)
		return compile_size(c, n, t, err);
	if (t->kind == TEST_EXISTS) {
		if (!strlist_arg(c, n, 0, "header list", err) ||
		    !sieve_compile_arg_count(c, n, 1, err))
			return false;
		compile_strlist(c, &n->args[0], &t->sources);
		return true;
	}
	if (t->kind == TEST_TRUE || t->kind == TEST_FALSE)
		return sieve_compile_arg_count(c, n, 0, err);
	return compile_logic(c, n, t, err);
}

static bool
nested_error(struct sieve_compiler *c, const struct sieve_node *n,
    GError **err)
{
	return fail(c, n->tests[0]->line, n->tests[0]->col, err,
	    "'%s' does not take a nested test", n->name);
}

bool
sieve_compile_test(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test **out, GError **err)
{
	static const struct {
		const char *name;
		enum sieve_test_kind kind;
	} simple[] = {
		{ "true", TEST_TRUE }, { "false", TEST_FALSE },
		{ "not", TEST_NOT }, { "allof", TEST_ALLOF },
		{ "anyof", TEST_ANYOF }, { "exists", TEST_EXISTS },
		{ "size", TEST_SIZE },
	};
	struct sieve_test *t;
	bool handled = false;
	size_t i;

	t = sieve_arena_alloc(&c->script->arena, sizeof *t);
	t->line = n->line;
	t->col = n->col;
	*out = t;
	for (i = 0; i < G_N_ELEMENTS(simple); i++) {
		if (!eq(n->name, simple[i].name))
			continue;
		t->kind = simple[i].kind;
		t->name = simple[i].name;
		if (t->kind != TEST_NOT && t->kind != TEST_ALLOF &&
		    t->kind != TEST_ANYOF && n->n_tests > 0)
			return nested_error(c, n, err);
		return compile_simple_test(c, n, t, err);
	}
	if (n->n_tests > 0)
		return nested_error(c, n, err);
	if (!sieve_ext_postdesk_test(c, n, t, &handled, err))
		return false;
	if (handled)
		return true;
	return compile_core_test(c, n, t, err);
}


bool
sieve_compile_program(struct sieve_script *s, const char *file,
    struct sieve_node **nodes, size_t n, GError **err)
{
	struct sieve_compiler c;
	bool ok;

	memset(&c, 0, sizeof c);
	c.script = s;
	c.file = file;
	c.var_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	ok = sieve_compile_cmd_block(&c, nodes, n, &s->top, err);
	g_hash_table_destroy(c.var_names);
	return ok;
}
