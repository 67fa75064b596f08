/*
 * match.c: comparators (i;ascii-casemap, i;octet), match types (:is,
 * :contains, :matches, :regex) and address-list splitting.
 *
 * Every match is bounded: :is and :contains are linear, :matches is
 * O(value * pattern) with single-star backtracking, and :regex runs
 * PCRE2 under match, depth and heap limits, a JIT stack limit, and
 * PCRE2_MATCH_INVALID_UTF so that bad UTF-8 in a message is just data.
 */
#define _GNU_SOURCE	/* memmem(3) */
#include <string.h>

#include "sieve/sieve-priv.h"

void
sieve_match_ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = g_ascii_tolower(*s);
}

pcre2_code *
sieve_match_regex_compile(const char *pattern, enum sieve_comparator cmp,
    char *errbuf, size_t errlen)
{
	pcre2_compile_context *cc;
	pcre2_code *re;
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	uint32_t opts;
	int code;

	cc = pcre2_compile_context_create(NULL);
	pcre2_set_parens_nest_limit(cc, SIEVE_MAX_DEPTH);
	pcre2_set_max_pattern_length(cc, SIEVE_MAX_VAR_LEN);
	opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
	if (cmp == CMP_CASEMAP)
		opts |= PCRE2_CASELESS;
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
	    &code, &off, cc);
	pcre2_compile_context_free(cc);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof msg);
		g_snprintf(errbuf, errlen, "%s at offset %zu", (char *)msg,
		    (size_t)off);
		return NULL;
	}
	/* JIT compiling costs more than one message's matching saves;
	 * long-running callers ask for it with sieve_script_jit(). */
	return re;
}

static void
regex_setup(struct sieve_run *r)
{
	if (r->md != NULL)
		return;
	r->md = pcre2_match_data_create(SIEVE_MATCH_VARS, NULL);
	r->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mctx, SIEVE_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, SIEVE_REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mctx, SIEVE_REGEX_HEAP_KIB);
	r->jit_stack = pcre2_jit_stack_create(32 * 1024,
	    SIEVE_REGEX_JIT_STACK, NULL);
	if (r->jit_stack != NULL)
		pcre2_jit_stack_assign(r->mctx, NULL, r->jit_stack);
}

/* 1 match, 0 no match, -1 limit or error (counts as no match). */
static int
regex_match(struct sieve_run *r, const struct sieve_test *t,
    const pcre2_code *re, const char *s, size_t len)
{
	struct sieve_span caps[SIEVE_MATCH_VARS];
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE *ov;
	int rc, i, n;

	regex_setup(r);
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, r->md, r->mctx);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		pcre2_get_error_message(rc, msg, sizeof msg);
		sieve_interp_trace(r, t->line, "regex gave up (%s): "
		    "treated as no match", (char *)msg);
		return -1;
	}
	n = rc == 0 ? SIEVE_MATCH_VARS : rc;
	ov = pcre2_get_ovector_pointer(r->md);
	for (i = 0; i < n; i++) {
		if (ov[2 * i] == PCRE2_UNSET) {
			caps[i].off = 0;
			caps[i].len = 0;
		} else {
			caps[i].off = ov[2 * i];
			caps[i].len = ov[2 * i + 1] - ov[2 * i];
		}
	}
	if (r->script->exts & EXT_VARIABLES)
		sieve_vars_set_match(r, s, caps, (size_t)n);
	return 1;
}

/* Length of the character at s: a UTF-8 sequence, or one byte. */
static size_t
char_len(const char *s, size_t left, bool utf8)
{
	unsigned char c = (unsigned char)s[0];
	size_t n, i;

	if (!utf8 || c < 0x80)
		return 1;
	n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	    (c & 0xF8) == 0xF0 ? 4 : 1;
	if (n > left)
		return 1;
	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

static bool
same(char a, char b, bool casemap)
{
	return casemap ? g_ascii_tolower(a) == g_ascii_tolower(b) : a == b;
}

/*
 * RFC 5228 2.7.1 wildcards; only the last '*' is ever widened, which
 * both bounds the work and gives RFC 5229's leftmost-shortest captures.
 * caps[0] is the whole value, caps[1..] the wildcards.
 */
bool
sieve_match_glob(const char *pat, size_t plen, const char *s, size_t slen,
    bool casemap, struct sieve_span *caps, size_t max_caps)
{
	size_t pi = 0, si = 0, ncap = 1, star_pi = SIZE_MAX, star_si = 0;
	size_t star_cap = 0, n;

	while (pi < plen || si < slen) {
		if (pi < plen && pat[pi] == '*') {
			if (ncap < max_caps) {
				caps[ncap].off = si;
				caps[ncap].len = 0;
			}
			star_cap = ncap++;
			star_pi = ++pi;
			star_si = si;
			continue;
		}
		if (pi < plen && pat[pi] == '?' && si < slen) {
			n = char_len(s + si, slen - si, casemap);
			if (ncap < max_caps) {
				caps[ncap].off = si;
				caps[ncap].len = n;
			}
			ncap++;
			si += n;
			pi++;
			continue;
		}
		if (pi < plen && pat[pi] != '?') {
			n = (pat[pi] == '\\' && pi + 1 < plen) ? 1 : 0;
			if (si < slen && same(pat[pi + n], s[si], casemap)) {
				pi += n + 1;
				si++;
				continue;
			}
		}
		if (star_pi == SIZE_MAX || star_si >= slen)
			return false;
		star_si += char_len(s + star_si, slen - star_si, casemap);
		si = star_si;
		pi = star_pi;
		ncap = star_cap + 1;
		if (star_cap < max_caps)
			caps[star_cap].len = star_si - caps[star_cap].off;
	}
	if (max_caps > 0) {
		caps[0].off = 0;
		caps[0].len = slen;
	}
	for (n = ncap; n < max_caps; n++)
		caps[n].off = caps[n].len = 0;
	return true;
}

void
sieve_match_prepare(struct sieve_run *r, const struct sieve_test *t,
    struct sieve_rkey *keys)
{
	const struct sieve_key *k;
	struct sieve_rkey *rk;
	bool lower = t->match == MATCH_CONTAINS && t->cmp == CMP_CASEMAP;
	char ebuf[160];
	size_t i;

	for (i = 0; i < t->n_keys; i++) {
		k = &t->keys[i];
		rk = &keys[i];
		memset(rk, 0, sizeof *rk);
		if (!k->s.has_vars) {
			rk->text = lower ? k->lower : k->s.text;
			rk->re = k->re;
			rk->len = strlen(rk->text);
			continue;
		}
		rk->text = sieve_interp_expand(r, &k->s, &rk->owned);
		if (lower) {
			if (rk->owned == NULL)
				rk->owned = g_strdup(rk->text);
			sieve_match_ascii_lower(rk->owned);
			rk->text = rk->owned;
		}
		rk->len = strlen(rk->text);
		if (t->match != MATCH_REGEX)
			continue;
		rk->owned_re = sieve_match_regex_compile(rk->text, t->cmp,
		    ebuf, sizeof ebuf);
		rk->re = rk->owned_re;
		rk->broken = rk->re == NULL;
		if (rk->broken)
			sieve_interp_trace(r, t->line, "expanded regex is "
			    "invalid (%s): never matches", ebuf);
	}
}

void
sieve_match_release(struct sieve_rkey *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		g_free(keys[i].owned);
		if (keys[i].owned_re != NULL)
			pcre2_code_free(keys[i].owned_re);
	}
}

static bool
match_glob(struct sieve_run *r, const struct sieve_test *t, const char *v,
    size_t vlen, const struct sieve_rkey *k)
{
	struct sieve_span caps[SIEVE_MATCH_VARS];

	if (!sieve_match_glob(k->text, k->len, v, vlen, t->cmp == CMP_CASEMAP,
	    caps, SIEVE_MATCH_VARS))
		return false;
	if (r->script->exts & EXT_VARIABLES)
		sieve_vars_set_match(r, v, caps, SIEVE_MATCH_VARS);
	return true;
}

static bool
match_one(struct sieve_run *r, const struct sieve_test *t, const char *v,
    size_t vlen, char **lower, const struct sieve_rkey *k)
{
	switch (t->match) {
	case MATCH_IS:
		if (vlen != k->len)
			return false;
		return t->cmp == CMP_OCTET ? memcmp(v, k->text, vlen) == 0 :
		    g_ascii_strncasecmp(v, k->text, vlen) == 0;
	case MATCH_CONTAINS:
		if (t->cmp == CMP_CASEMAP) {
			if (*lower == NULL) {
				*lower = g_strdup(v);
				sieve_match_ascii_lower(*lower);
			}
			v = *lower;
		}
		return memmem(v, vlen, k->text, k->len) != NULL;
	case MATCH_MATCHES:
		return match_glob(r, t, v, vlen, k);
	default:
		return !k->broken && regex_match(r, t, k->re, v, vlen) == 1;
	}
}

bool
sieve_match_value(struct sieve_run *r, const struct sieve_test *t,
    const char *value, char **lower, const struct sieve_rkey *keys)
{
	size_t i, vlen = strlen(value);

	for (i = 0; i < t->n_keys; i++)
		if (match_one(r, t, value, vlen, lower, &keys[i]))
			return true;
	return false;
}

static void
flush_addr(GString *plain, GString *angle, bool *has_angle, GPtrArray *out)
{
	const char *a;
	char *s;

	a = *has_angle ? angle->str : plain->str;
	/* Drop an obsolete source route "@a,@b:". */
	if (*has_angle && strrchr(a, ':') != NULL)
		a = strrchr(a, ':') + 1;
	s = g_strstrip(g_strdup(a));
	if (*s != '\0')
		g_ptr_array_add(out, s);
	else
		g_free(s);
	g_string_truncate(plain, 0);
	g_string_truncate(angle, 0);
	*has_angle = false;
}

static const char *
skip_quoted(const char *p, GString *to)
{
	g_string_append_c(to, *p++);
	while (*p != '\0' && *p != '"') {
		if (*p == '\\' && p[1] != '\0')
			g_string_append_c(to, *p++);
		g_string_append_c(to, *p++);
	}
	if (*p == '"')
		g_string_append_c(to, *p++);
	return p;
}

static const char *
skip_comment(const char *p)
{
	unsigned depth = 0;

	do {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		p++;
	} while (*p != '\0' && depth > 0);
	return p;
}

/* RFC 5322 address-list, leniently: groups, comments, display names. */
void
sieve_match_addresses(const char *v, GPtrArray *out)
{
	GString *plain, *angle;
	bool has_angle = false, in_angle = false;
	const char *p = v;

	plain = g_string_new(NULL);
	angle = g_string_new(NULL);
	while (*p != '\0') {
		if (*p == '"') {
			p = skip_quoted(p, in_angle ? angle : plain);
			continue;
		}
		if (*p == '(') {
			p = skip_comment(p);
			continue;
		}
		if (in_angle) {
			if (*p == '>')
				in_angle = false;
			else
				g_string_append_c(angle, *p);
		} else if (*p == '<') {
			in_angle = has_angle = true;
			g_string_truncate(angle, 0);
		} else if (*p == ',' || *p == ';')
			flush_addr(plain, angle, &has_angle, out);
		else if (*p == ':')
			g_string_truncate(plain, 0);	/* group name */
		else
			g_string_append_c(plain, *p);
		p++;
	}
	flush_addr(plain, angle, &has_angle, out);
	g_string_free(plain, TRUE);
	g_string_free(angle, TRUE);
}

char *
sieve_match_addr_part(const char *addr, enum sieve_addr_part part)
{
	const char *at;

	at = strrchr(addr, '@');
	switch (part) {
	case ADDR_LOCALPART:
		return at == NULL ? g_strdup(addr) :
		    g_strndup(addr, (size_t)(at - addr));
	case ADDR_DOMAIN:
		return g_strdup(at == NULL ? "" : at + 1);
	default:
		return g_strdup(addr);
	}
}
