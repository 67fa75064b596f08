/*
 * lexer.c: RFC 5228 section 8.1 lexical tokens.  The text has already
 * been checked to be UTF-8 without NUL bytes and within the size limit.
 * Columns count characters, not bytes, so that editors agree with us.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

struct lexer {
	const char *file;
	const char *p, *end;
	unsigned line, col;
	struct sieve_arena *arena;
	GArray *toks;
	GString *buf;
};

static const char *const kind_names[TOK__MAX] = {
	[TOK_EOF] = "end of script",
	[TOK_IDENT] = "identifier",
	[TOK_TAG] = "tag",
	[TOK_NUMBER] = "number",
	[TOK_STRING] = "string",
	[TOK_LBRACKET] = "'['",
	[TOK_RBRACKET] = "']'",
	[TOK_LPAREN] = "'('",
	[TOK_RPAREN] = "')'",
	[TOK_LBRACE] = "'{'",
	[TOK_RBRACE] = "'}'",
	[TOK_COMMA] = "','",
	[TOK_SEMICOLON] = "';'",
};

const char *
sieve_lexer_kind_to_text(enum sieve_tok_kind k)
{
	if ((unsigned)k >= TOK__MAX)
		return "token";
	return kind_names[k];
}

static void
adv(struct lexer *lx)
{
	char c;

	c = *lx->p++;
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if (lx->p >= lx->end || ((unsigned char)*lx->p & 0xC0) != 0x80)
		lx->col++;
}

static int
peek(const struct lexer *lx, size_t ahead)
{
	if ((size_t)(lx->end - lx->p) <= ahead)
		return -1;
	return (unsigned char)lx->p[ahead];
}

static bool
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static struct sieve_token *
push(struct lexer *lx, enum sieve_tok_kind kind, unsigned line,
    unsigned col)
{
	struct sieve_token t;

	memset(&t, 0, sizeof t);
	t.kind = kind;
	t.line = line;
	t.col = col;
	g_array_append_val(lx->toks, t);
	return &g_array_index(lx->toks, struct sieve_token,
	    lx->toks->len - 1);
}

static bool
fail(struct lexer *lx, unsigned line, unsigned col, const char *msg,
    GError **err)
{
	sieve_error_at(err, SIEVE_ERROR_SYNTAX, lx->file, line, col, "%s",
	    msg);
	return false;
}

static bool
skip_comment(struct lexer *lx, GError **err)
{
	unsigned line = lx->line, col = lx->col;

	if (peek(lx, 0) == '#') {
		while (lx->p < lx->end && *lx->p != '\n')
			adv(lx);
		return true;
	}
	adv(lx);
	adv(lx);
	for (;;) {
		if (lx->p >= lx->end)
			return fail(lx, line, col, "unterminated comment",
			    err);
		if (peek(lx, 0) == '*' && peek(lx, 1) == '/')
			break;
		adv(lx);
	}
	adv(lx);
	adv(lx);
	return true;
}

static bool
lex_quoted(struct lexer *lx, GError **err)
{
	unsigned line = lx->line, col = lx->col;
	struct sieve_token *t;

	g_string_truncate(lx->buf, 0);
	adv(lx);
	for (;;) {
		if (lx->p >= lx->end)
			return fail(lx, line, col, "unterminated string", err);
		if (*lx->p == '"')
			break;
		/* RFC 5228 2.4.2: backslash quotes the next character. */
		if (*lx->p == '\\') {
			adv(lx);
			if (lx->p >= lx->end)
				continue;
		}
		g_string_append_c(lx->buf, *lx->p);
		adv(lx);
	}
	adv(lx);
	t = push(lx, TOK_STRING, line, col);
	t->text = sieve_arena_strndup(lx->arena, lx->buf->str, lx->buf->len);
	return true;
}

/* One line of a text: string, without its line ending. */
static size_t
line_len(const struct lexer *lx)
{
	const char *nl;

	nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	if (nl == NULL)
		return (size_t)(lx->end - lx->p);
	return (size_t)(nl - lx->p);
}

static void
skip_n(struct lexer *lx, size_t n)
{
	while (n-- > 0 && lx->p < lx->end)
		adv(lx);
}

static bool
lex_multiline(struct lexer *lx, unsigned line, unsigned col, GError **err)
{
	struct sieve_token *t;
	size_t n;

	while (peek(lx, 0) == ' ' || peek(lx, 0) == '\t')
		adv(lx);
	if (peek(lx, 0) == '#')
		(void)skip_comment(lx, err);
	else if (peek(lx, 0) == '\r')
		adv(lx);
	if (peek(lx, 0) != '\n')
		return fail(lx, lx->line, lx->col,
		    "expected end of line after \"text:\"", err);
	adv(lx);
	g_string_truncate(lx->buf, 0);
	for (;;) {
		if (lx->p >= lx->end)
			return fail(lx, line, col,
			    "unterminated text: string (no \".\" line)", err);
		n = line_len(lx);
		if (n > 0 && lx->p[n - 1] == '\r')
			n--;
		if (n == 1 && lx->p[0] == '.')
			break;
		/* Dot-stuffing: a leading ".." stands for ".". */
		if (n >= 2 && lx->p[0] == '.' && lx->p[1] == '.') {
			g_string_append_len(lx->buf, lx->p + 1, (gssize)n - 1);
		} else
			g_string_append_len(lx->buf, lx->p, (gssize)n);
		g_string_append_c(lx->buf, '\n');
		skip_n(lx, line_len(lx) + 1);
	}
	skip_n(lx, line_len(lx) + 1);
	t = push(lx, TOK_STRING, line, col);
	t->text = sieve_arena_strndup(lx->arena, lx->buf->str, lx->buf->len);
	return true;
}

static bool
lex_number(struct lexer *lx, GError **err)
{
	unsigned line = lx->line, col = lx->col;
	struct sieve_token *t;
	uint64_t v = 0, mul = 1;
	int c;

	while (is_digit(peek(lx, 0))) {
		if (v > (UINT64_MAX - 9) / 10)
			return fail(lx, line, col, "number too large", err);
		v = v * 10 + (uint64_t)(*lx->p - '0');
		adv(lx);
	}
	c = peek(lx, 0);
	if (c == 'K' || c == 'k')
		mul = 1024;
	else if (c == 'M' || c == 'm')
		mul = 1024 * 1024;
	else if (c == 'G' || c == 'g')
		mul = 1024 * 1024 * 1024;
	if (mul > 1) {
		adv(lx);
		if (v > UINT64_MAX / mul)
			return fail(lx, line, col, "number too large", err);
		v *= mul;
	}
	if (is_alpha(peek(lx, 0)) || is_digit(peek(lx, 0)))
		return fail(lx, line, col, "bad number suffix", err);
	t = push(lx, TOK_NUMBER, line, col);
	t->num = v;
	return true;
}

static bool
lex_word(struct lexer *lx, GError **err)
{
	unsigned line = lx->line, col = lx->col;
	enum sieve_tok_kind kind = TOK_IDENT;
	struct sieve_token *t;
	const char *start;

	if (*lx->p == ':') {
		kind = TOK_TAG;
		adv(lx);
		if (!is_alpha(peek(lx, 0)))
			return fail(lx, line, col,
			    "expected a tag name after ':'", err);
	}
	start = lx->p;
	while (is_alpha(peek(lx, 0)) || is_digit(peek(lx, 0)))
		adv(lx);
	if (kind == TOK_IDENT && lx->p - start == 4 &&
	    g_ascii_strncasecmp(start, "text", 4) == 0 && peek(lx, 0) == ':') {
		adv(lx);
		return lex_multiline(lx, line, col, err);
	}
	t = push(lx, kind, line, col);
	t->text = sieve_arena_strndup(lx->arena, start,
	    (size_t)(lx->p - start));
	return true;
}

static enum sieve_tok_kind
punct(int c)
{
	switch (c) {
	case '[':
		return TOK_LBRACKET;
	case ']':
		return TOK_RBRACKET;
	case '(':
		return TOK_LPAREN;
	case ')':
		return TOK_RPAREN;
	case '{':
		return TOK_LBRACE;
	case '}':
		return TOK_RBRACE;
	case ',':
		return TOK_COMMA;
	case ';':
		return TOK_SEMICOLON;
	default:
		return TOK_EOF;
	}
}

static bool
lex_one(struct lexer *lx, GError **err)
{
	int c = peek(lx, 0);
	enum sieve_tok_kind k;
	char msg[64];

	if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
		adv(lx);
		return true;
	}
	if (c == '#' || (c == '/' && peek(lx, 1) == '*'))
		return skip_comment(lx, err);
	if (c == '"')
		return lex_quoted(lx, err);
	if (is_digit(c))
		return lex_number(lx, err);
	if (is_alpha(c) || c == ':')
		return lex_word(lx, err);
	k = punct(c);
	if (k != TOK_EOF) {
		push(lx, k, lx->line, lx->col);
		adv(lx);
		return true;
	}
	if (c >= 0x21 && c < 0x7f)
		g_snprintf(msg, sizeof msg, "unexpected character '%c'", c);
	else
		g_snprintf(msg, sizeof msg, "unexpected character 0x%02x", c);
	return fail(lx, lx->line, lx->col, msg, err);
}

bool
sieve_lexer_tokenize(GArray **out, struct sieve_arena *arena,
    const char *file, const char *text, size_t len, GError **err)
{
	struct lexer lx;
	bool ok = true;

	memset(&lx, 0, sizeof lx);
	lx.file = file;
	lx.p = text;
	lx.end = text + len;
	lx.line = 1;
	lx.col = 1;
	lx.arena = arena;
	lx.toks = g_array_new(FALSE, TRUE, sizeof(struct sieve_token));
	lx.buf = g_string_new(NULL);
	while (ok && lx.p < lx.end)
		ok = lex_one(&lx, err);
	g_string_free(lx.buf, TRUE);
	if (!ok) {
		g_array_free(lx.toks, TRUE);
		*out = NULL;
		return false;
	}
	push(&lx, TOK_EOF, lx.line, lx.col);
	*out = lx.toks;
	return true;
}
