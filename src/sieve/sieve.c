/*
 * sieve.c: the public entry points: compile a script from a file or a
 * string, free it, and the result object with its formatting.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

bool sieve_compile_program(struct sieve_script *, const char *file,
    struct sieve_node **, size_t, GError **);

static const char *const action_names[SIEVE_ACT__MAX] = {
	[SIEVE_ACT_KEEP] = "keep",
	[SIEVE_ACT_DISCARD] = "discard",
	[SIEVE_ACT_FILEINTO] = "fileinto",
	[SIEVE_ACT_REDIRECT] = "redirect",
	[SIEVE_ACT_REJECT] = "reject",
	[SIEVE_ACT_ADDFLAG] = "addflag",
	[SIEVE_ACT_VACATION] = "vacation",
	[SIEVE_ACT_SET_PRIORITY] = "set_priority",
	[SIEVE_ACT_SET_HOTRUSH] = "set_hotrush",
	[SIEVE_ACT_SET_FIELD] = "set_field",
	[SIEVE_ACT_ASSIGN] = "assign",
};

GQuark
sieve_error_quark(void)
{
	return g_quark_from_static_string("sieve-error-quark");
}

void
sieve_error_at(GError **err, int code, const char *file, unsigned line,
    unsigned col, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(err, SIEVE_ERROR, code, "%s:%u:%u: %s", file, line, col,
	    msg);
	g_free(msg);
}

/* Line and column (in characters) of byte offset off. */
static void
locate(const char *text, size_t off, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i + 1] & 0xC0) != 0x80)
			(*col)++;
	}
}

static bool
check_text(const char *file, const char *text, size_t len, GError **err)
{
	const char *end;
	unsigned line, col;

	if (len > SIEVE_MAX_SCRIPT_SIZE) {
		sieve_error_at(err, SIEVE_ERROR_LIMIT, file, 1, 1,
		    "script too large (%zu bytes, limit %d)", len,
		    SIEVE_MAX_SCRIPT_SIZE);
		return false;
	}
	/* RFC 5228 scripts are UTF-8; a NUL byte also fails here. */
	if (!g_utf8_validate(text, (gssize)len, &end)) {
		locate(text, (size_t)(end - text), &line, &col);
		sieve_error_at(err, SIEVE_ERROR_SYNTAX, file, line, col,
		    "invalid UTF-8 or NUL byte in script");
		return false;
	}
	return true;
}

static bool
compile_len(struct sieve_script **out, const char *name, const char *text,
    size_t len, GError **err)
{
	struct sieve_script *s;
	struct sieve_arena tmp;
	struct sieve_node **nodes;
	GArray *toks = NULL;
	size_t n;
	bool ok = false;

	*out = NULL;
	if (!check_text(name, text, len, err))
		return false;
	s = g_new0(struct sieve_script, 1);
	s->name = g_strdup(name);
	s->base = g_path_get_basename(name);
	sieve_arena_init(&s->arena);
	s->regexes = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)pcre2_code_free);
	/* Tokens and the generic tree are dropped after compiling. */
	sieve_arena_init(&tmp);
	if (!sieve_lexer_tokenize(&toks, &tmp, name, text, len, err))
		goto out;
	if (!sieve_parser_parse(&nodes, &n, &tmp, name, toks, err))
		goto out;
	if (!sieve_compile_program(s, name, nodes, n, err))
		goto out;
	ok = true;
	*out = s;
out:
	if (toks != NULL)
		g_array_free(toks, TRUE);
	sieve_arena_clear(&tmp);
	if (!ok)
		sieve_script_free(s);
	return ok;
}

bool
sieve_compile_string(struct sieve_script **out, const char *name,
    const char *text, GError **err)
{
	g_return_val_if_fail(out != NULL && name != NULL && text != NULL,
	    false);
	return compile_len(out, name, text, strlen(text), err);
}

bool
sieve_compile_file(struct sieve_script **out, const char *path,
    GError **err)
{
	GError *e = NULL;
	char *text;
	gsize len;
	bool ok;

	g_return_val_if_fail(out != NULL && path != NULL, false);
	*out = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, SIEVE_ERROR, SIEVE_ERROR_IO, "%s: %s", path,
		    e->message);
		g_error_free(e);
		return false;
	}
	ok = compile_len(out, path, text, len, err);
	g_free(text);
	return ok;
}

void
sieve_script_jit(struct sieve_script *s)
{
	guint i;

	/* Without a JIT the interpreter runs, under the same limits. */
	for (i = 0; s != NULL && i < s->regexes->len; i++)
		(void)pcre2_jit_compile(s->regexes->pdata[i],
		    PCRE2_JIT_COMPLETE);
}

void
sieve_script_free(struct sieve_script *s)
{
	if (s == NULL)
		return;
	sieve_arena_clear(&s->arena);
	if (s->regexes != NULL)
		g_ptr_array_free(s->regexes, TRUE);
	g_free(s->name);
	g_free(s->base);
	g_free(s);
}

const char *
sieve_script_name(const struct sieve_script *s)
{
	g_return_val_if_fail(s != NULL, NULL);
	return s->name;
}

static void
action_free(gpointer p)
{
	struct sieve_action *a = p;

	if (a == NULL)
		return;
	g_free(a->arg);
	g_free(a->arg2);
	g_free(a->script);
	g_free(a);
}

struct sieve_result *
sieve_result_new(void)
{
	struct sieve_result *r;

	r = g_new0(struct sieve_result, 1);
	r->actions = g_ptr_array_new_with_free_func(action_free);
	r->implicit_keep = true;
	r->trace = g_string_new(NULL);
	return r;
}

void
sieve_result_free(struct sieve_result *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->actions, TRUE);
	if (r->trace != NULL)
		g_string_free(r->trace, TRUE);
	g_free(r);
}

const char *
sieve_action_kind_to_text(enum sieve_action_kind k)
{
	if ((unsigned)k >= SIEVE_ACT__MAX)
		return "unknown";
	return action_names[k];
}

static void
append_quoted(GString *out, const char *s)
{
	const unsigned char *p;

	g_string_append_c(out, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			g_string_append_printf(out, "\\x%02x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

char *
sieve_action_format(const struct sieve_action *a)
{
	GString *out;

	g_return_val_if_fail(a != NULL, NULL);
	out = g_string_new(sieve_action_kind_to_text(a->kind));
	if (a->arg != NULL) {
		g_string_append_c(out, ' ');
		append_quoted(out, a->arg);
	}
	if (a->arg2 != NULL) {
		g_string_append_c(out, ' ');
		append_quoted(out, a->arg2);
	}
	if (a->kind == SIEVE_ACT_VACATION)
		g_string_append_printf(out, " :days %d", a->days);
	g_string_append_printf(out, "  (%s:%u)",
	    a->script != NULL ? a->script : "?", a->line);
	return g_string_free(out, FALSE);
}
