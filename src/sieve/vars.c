/*
 * vars.c: RFC 5229 variables: "${name}" and "${N}" expansion, the "set"
 * modifiers and the match variables.  Every value is capped at
 * SIEVE_MAX_VAR_LEN and a run may expand at most SIEVE_MAX_EXPANSION
 * bytes in total, so hostile input stays bounded.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

#define MAX_NAME 128

bool
sieve_vars_valid_name(const char *s)
{
	size_t n;

	if (!g_ascii_isalpha(s[0]) && s[0] != '_')
		return false;
	for (n = 1; s[n] != '\0'; n++)
		if (!g_ascii_isalnum(s[n]) && s[n] != '_')
			return false;
	return n <= MAX_NAME;
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
char *
sieve_vars_truncate(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
	return s;
}

static const char *
lookup(struct sieve_run *r, const char *name, size_t len)
{
	char key[MAX_NAME + 1];
	const char *v;
	size_t i, num = 0;

	if (g_ascii_isdigit(name[0])) {
		for (i = 0; i < len && num < SIEVE_MATCH_VARS; i++)
			num = num * 10 + (size_t)(name[i] - '0');
		if (num >= SIEVE_MATCH_VARS || r->match_vars[num] == NULL)
			return "";
		return r->match_vars[num];
	}
	for (i = 0; i < len; i++)
		key[i] = g_ascii_tolower(name[i]);
	key[len] = '\0';
	v = g_hash_table_lookup(r->vars, key);
	return v != NULL ? v : "";
}

/* Length of a reference name at p ("name}" or "123}"), or 0. */
static size_t
ref_len(const char *p)
{
	size_t n = 0;

	if (g_ascii_isdigit(p[0])) {
		while (g_ascii_isdigit(p[n]))
			n++;
	} else if (g_ascii_isalpha(p[0]) || p[0] == '_') {
		while (g_ascii_isalnum(p[n]) || p[n] == '_')
			n++;
	}
	if (n == 0 || n > MAX_NAME || p[n] != '}')
		return 0;
	return n;
}

char *
sieve_vars_expand(struct sieve_run *r, const char *text)
{
	GString *out;
	const char *p = text, *v;
	size_t n;

	out = g_string_sized_new(strlen(text) + 16);
	while (*p != '\0' && out->len <= SIEVE_MAX_VAR_LEN) {
		n = (p[0] == '$' && p[1] == '{') ? ref_len(p + 2) : 0;
		if (n > 0) {
			v = lookup(r, p + 2, n);
			g_string_append_len(out, v,
			    (gssize)MIN(strlen(v), SIEVE_MAX_VAR_LEN + 1));
			p += n + 3;
		} else
			g_string_append_c(out, *p++);
	}
	r->expanded += out->len;
	if (r->expanded > SIEVE_MAX_EXPANSION && r->error == NULL) {
		g_set_error(&r->error, SIEVE_ERROR, SIEVE_ERROR_LIMIT,
		    "%s: variable expansion budget of %d bytes exhausted",
		    r->script->name, SIEVE_MAX_EXPANSION);
		r->stop = true;
	}
	return sieve_vars_truncate(g_string_free(out, FALSE),
	    SIEVE_MAX_VAR_LEN);
}

static char *
change_case(const char *s, bool upper)
{
	if (g_utf8_validate(s, -1, NULL))
		return upper ? g_utf8_strup(s, -1) : g_utf8_strdown(s, -1);
	return upper ? g_ascii_strup(s, -1) : g_ascii_strdown(s, -1);
}

static char *
change_first(char *s, bool upper)
{
	GString *out;
	gunichar c;
	char buf[8];
	int n;

	if (*s == '\0')
		return s;
	if ((unsigned char)*s < 0x80 || !g_utf8_validate(s, -1, NULL)) {
		*s = upper ? g_ascii_toupper(*s) : g_ascii_tolower(*s);
		return s;
	}
	c = g_utf8_get_char(s);
	n = g_unichar_to_utf8(upper ? g_unichar_toupper(c) :
	    g_unichar_tolower(c), buf);
	out = g_string_new_len(buf, n);
	g_string_append(out, g_utf8_next_char(s));
	g_free(s);
	return g_string_free(out, FALSE);
}

static char *
quote_wildcards(char *s)
{
	GString *out;
	const char *p;

	out = g_string_new(NULL);
	for (p = s; *p != '\0'; p++) {
		if (*p == '*' || *p == '?' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_free(s);
	return g_string_free(out, FALSE);
}

/* RFC 5229 4.1: applied from the highest precedence to the lowest. */
static char *
apply_mods(const char *value, unsigned mods)
{
	char *s;
	long n;

	if (mods & (MOD_LOWER | MOD_UPPER))
		s = change_case(value, (mods & MOD_UPPER) != 0);
	else
		s = g_strdup(value);
	if (mods & (MOD_LOWERFIRST | MOD_UPPERFIRST))
		s = change_first(s, (mods & MOD_UPPERFIRST) != 0);
	if (mods & MOD_QUOTEWILDCARD)
		s = quote_wildcards(s);
	if (mods & MOD_LENGTH) {
		n = g_utf8_validate(s, -1, NULL) ? g_utf8_strlen(s, -1) :
		    (long)strlen(s);
		g_free(s);
		s = g_strdup_printf("%ld", n);
	}
	return s;
}

void
sieve_vars_set(struct sieve_run *r, const char *name, const char *value,
    unsigned mods)
{
	char *v;

	v = sieve_vars_truncate(apply_mods(value, mods), SIEVE_MAX_VAR_LEN);
	g_hash_table_replace(r->vars, g_ascii_strdown(name, -1), v);
}

void
sieve_vars_set_match(struct sieve_run *r, const char *s,
    const struct sieve_span *caps, size_t n)
{
	size_t i;

	for (i = 0; i < SIEVE_MATCH_VARS; i++) {
		g_free(r->match_vars[i]);
		r->match_vars[i] = NULL;
		if (i < n)
			r->match_vars[i] = g_strndup(s + caps[i].off,
			    MIN(caps[i].len, SIEVE_MAX_VAR_LEN));
	}
}
