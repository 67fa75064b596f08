/*
 * token: reply tokens and VERP addresses.
 */
#include "pdconfig.h"

#include <string.h>

#include "mail.h"
#include "token.h"

static const char kind_letters[TOKEN_KIND__MAX] = { 't', 'c' };

static char *
signature(const char *key, enum token_kind kind, int64_t ticket)
{
	GHmac	*h;
	char	*msg, *hex;

	msg = g_strdup_printf("%c%" G_GINT64_FORMAT, kind_letters[kind],
	    ticket);
	h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)key, strlen(key));
	g_hmac_update(h, (const guchar *)msg, -1);
	hex = g_strdup(g_hmac_get_string(h));
	g_hmac_unref(h);
	g_free(msg);
	hex[TOKEN_LEGACY_SIG_LEN] = '\0';
	return hex;
}

char *
token_sign_kind(const char *key, enum token_kind kind, int64_t ticket)
{
	char	*sig, *t;

	if (key == NULL || *key == '\0' || ticket <= 0 ||
	    kind >= TOKEN_KIND__MAX)
		return NULL;
	sig = signature(key, kind, ticket);
	t = g_strdup_printf("%c%" G_GINT64_FORMAT ".%s", kind_letters[kind],
	    ticket, sig);
	g_free(sig);
	return t;
}

char *
token_sign(const char *key, int64_t ticket)
{
	return token_sign_kind(key, TOKEN_REPLY, ticket);
}

/* Compares A (any case) with lower-case B, N characters, without
 * early exit. */
static bool
equal_const_time(const char *a, const char *b, size_t n)
{
	unsigned char	 d = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)g_ascii_tolower(a[i]) ^ (unsigned char)b[i];
	return d == 0;
}

bool
token_verify_kind(const char *key, const char *token, int64_t *ticket,
    enum token_kind *kind)
{
	const char	*p;
	char		*end, *sig;
	guint64		 v;
	int		 k;
	bool		 ok;

	if (key == NULL || *key == '\0' || token == NULL)
		return false;
	for (k = 0; k < TOKEN_KIND__MAX; k++)
		if (g_ascii_tolower(token[0]) == kind_letters[k])
			break;
	if (k == TOKEN_KIND__MAX || !g_ascii_isdigit(token[1]))
		return false;
	v = g_ascii_strtoull(token + 1, &end, 10);
	if (*end != '.' || v == 0 || v > G_MAXINT64)
		return false;
	p = end + 1;
	if (strlen(p) != TOKEN_LEGACY_SIG_LEN)
		return false;
	sig = signature(key, (enum token_kind)k, (int64_t)v);
	ok = equal_const_time(p, sig, TOKEN_LEGACY_SIG_LEN);
	g_free(sig);
	if (ok) {
		*ticket = (int64_t)v;
		*kind = (enum token_kind)k;
	}
	return ok;
}

bool
token_verify(const char *key, const char *token, int64_t *ticket)
{
	enum token_kind	 kind;
	int64_t		 id;

	if (!token_verify_kind(key, token, &id, &kind) || kind != TOKEN_REPLY)
		return false;
	*ticket = id;
	return true;
}

static const char role_letters[TOKEN_ROLE__MAX] = { 'c', 's' };

const char *
token_role_to_text(enum token_role r)
{
	return r == TOKEN_ROLE_STAFF ? "staff" : "customer";
}

/*
 * Format 2: everything the token stands for is inside the MAC, each
 * field on its own line so no two tuples give the same text; the
 * format name keeps it apart from legacy signatures.
 */
static char *
signature2(const char *key, enum token_kind kind, int64_t ticket,
    const char *recipient, enum token_role role)
{
	GHmac	*h;
	char	*rcpt, *msg, *hex;

	rcpt = g_ascii_strdown(recipient, -1);
	g_strstrip(rcpt);
	msg = g_strdup_printf("postdesk-token-2\n%c\n%" G_GINT64_FORMAT
	    "\n%s\n%c", kind_letters[kind], ticket, rcpt, role_letters[role]);
	h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)key, strlen(key));
	g_hmac_update(h, (const guchar *)msg, -1);
	hex = g_strdup(g_hmac_get_string(h));
	g_hmac_unref(h);
	g_free(msg);
	g_free(rcpt);
	hex[TOKEN_SIG_LEN] = '\0';
	return hex;
}

char *
token_mint(const char *key, enum token_kind kind, int64_t ticket,
    const char *recipient, enum token_role role)
{
	char	*sig, *t;

	if (key == NULL || *key == '\0' || ticket <= 0 || recipient == NULL ||
	    kind >= TOKEN_KIND__MAX || role >= TOKEN_ROLE__MAX)
		return NULL;
	sig = signature2(key, kind, ticket, recipient, role);
	t = g_strdup_printf("%c%c%" G_GINT64_FORMAT ".%s", kind_letters[kind],
	    role_letters[role], ticket, sig);
	g_free(sig);
	return t;
}

static int
letter_index(const char *letters, int n, char c)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (g_ascii_tolower(c) == letters[i])
			return i;
	return -1;
}

/* "KR123.SIG": the fields, without judging the signature. */
static bool
parse2(const char *token, enum token_kind *kind, enum token_role *role,
    int64_t *ticket, const char **sig)
{
	int	 k, r;
	char	*end;
	guint64	 v;

	k = letter_index(kind_letters, TOKEN_KIND__MAX, token[0]);
	r = k < 0 ? -1 : letter_index(role_letters, TOKEN_ROLE__MAX, token[1]);
	if (r < 0 || !g_ascii_isdigit(token[2]))
		return false;
	v = g_ascii_strtoull(token + 2, &end, 10);
	if (*end != '.' || v == 0 || v > G_MAXINT64 ||
	    strlen(end + 1) != TOKEN_SIG_LEN)
		return false;
	*kind = (enum token_kind)k;
	*role = (enum token_role)r;
	*ticket = (int64_t)v;
	*sig = end + 1;
	return true;
}

bool
token_check(const char *key, const char *token, const char *from,
    struct token_hit *hit)
{
	const char	*sig;
	char		*expect;

	if (key == NULL || *key == '\0' || token == NULL)
		return false;
	memset(hit, 0, sizeof *hit);
	if (token_verify_kind(key, token, &hit->ticket, &hit->kind)) {
		hit->legacy = true;
		return true;
	}
	if (!parse2(token, &hit->kind, &hit->role, &hit->ticket, &sig))
		return false;
	if (from != NULL) {
		expect = signature2(key, hit->kind, hit->ticket, from,
		    hit->role);
		hit->for_sender = equal_const_time(sig, expect, TOKEN_SIG_LEN);
		g_free(expect);
	}
	return true;
}

/* Splits SUPPORT into local part and "@domain"; false if no '@'. */
static bool
split(const char *support, char **local, const char **domain)
{
	const char	*at = support != NULL ? strrchr(support, '@') : NULL;

	if (at == NULL || at == support)
		return false;
	*local = g_strndup(support, (gsize)(at - support));
	*domain = at;
	return true;
}

char *
token_address(const char *support, const char *key, int64_t ticket)
{
	return token_address_kind(support, key, TOKEN_REPLY, ticket);
}

char *
token_address_kind(const char *support, const char *key,
    enum token_kind kind, int64_t ticket)
{
	char		*local, *tok, *a;
	const char	*domain;

	if ((tok = token_sign_kind(key, kind, ticket)) == NULL)
		return NULL;
	if (!split(support, &local, &domain)) {
		g_free(tok);
		return NULL;
	}
	a = g_strdup_printf("%s+%s%s", local, tok, domain);
	g_free(local);
	g_free(tok);
	return a;
}

char *
token_mint_address(const char *support, const char *key,
    enum token_kind kind, int64_t ticket, const char *recipient,
    enum token_role role)
{
	char		*local, *tok, *a = NULL;
	const char	*domain;

	if ((tok = token_mint(key, kind, ticket, recipient, role)) == NULL)
		return NULL;
	if (!split(support, &local, &domain)) {
		g_free(tok);
		return NULL;
	}
	/* Too long a local part would be refused or cut by some MTA. */
	if (strlen(local) + 1 + strlen(tok) <= TOKEN_LOCAL_MAX)
		a = g_strdup_printf("%s+%s%s", local, tok, domain);
	g_free(local);
	g_free(tok);
	return a;
}

/* If ADDR is LOCAL+EXT@DOMAIN, returns EXT (g_free), else NULL. */
static char *
extension(const char *support, const char *local_override,
    const char *addr)
{
	char		*local, *ext = NULL;
	const char	*domain, *at;
	size_t		 n;

	if (addr == NULL || !split(support, &local, &domain))
		return NULL;
	if (local_override != NULL) {
		g_free(local);
		local = g_strdup(local_override);
	}
	n = strlen(local);
	at = strrchr(addr, '@');
	if (at != NULL && g_ascii_strcasecmp(at, domain) == 0 &&
	    g_ascii_strncasecmp(addr, local, n) == 0 && addr[n] == '+' &&
	    at > addr + n + 1)
		ext = g_strndup(addr + n + 1, (gsize)(at - addr - n - 1));
	g_free(local);
	return ext;
}

bool
token_address_parse(const char *support, const char *key, const char *addr,
    int64_t *ticket, enum token_kind *kind)
{
	char	*ext = extension(support, NULL, addr);
	bool	 ok;

	ok = ext != NULL && token_verify_kind(key, ext, ticket, kind);
	g_free(ext);
	return ok;
}

bool
token_address_ticket(const char *support, const char *key, const char *addr,
    int64_t *ticket)
{
	enum token_kind	 kind;

	return token_address_parse(support, key, addr, ticket, &kind);
}

bool
token_address_check(const char *support, const char *key, const char *addr,
    const char *from, struct token_hit *hit)
{
	char	*ext = extension(support, NULL, addr);
	bool	 ok;

	ok = ext != NULL && token_check(key, ext, from, hit);
	g_free(ext);
	return ok;
}

char *
token_verp_address(const char *support, int64_t outbox_id)
{
	char		*local, *a;
	const char	*domain;

	if (!split(support, &local, &domain))
		return NULL;
	a = g_strdup_printf(TOKEN_VERP_LOCAL "+%" G_GINT64_FORMAT "%s",
	    outbox_id, domain);
	g_free(local);
	return a;
}

bool
token_verp_id(const char *support, const char *addr, int64_t *id)
{
	char	*ext = extension(support, TOKEN_VERP_LOCAL, addr), *end;
	guint64	 v;
	bool	 ok = false;

	if (ext != NULL && g_ascii_isdigit(*ext)) {
		v = g_ascii_strtoull(ext, &end, 10);
		if (*end == '\0' && v > 0 && v <= G_MAXINT64) {
			*id = (int64_t)v;
			ok = true;
		}
	}
	g_free(ext);
	return ok;
}

static void
add_addr(GPtrArray *a, const char *s)
{
	char	*v;

	if (s == NULL)
		return;
	v = g_strstrip(g_strdup(s));
	if (*v == '<' && v[strlen(v) - 1] == '>') {
		char *in = g_strndup(v + 1, strlen(v) - 2);

		g_free(v);
		v = in;
	}
	if (*v != '\0' && strchr(v, '@') != NULL)
		g_ptr_array_add(a, v);
	else
		g_free(v);
}

GPtrArray *
token_recipients(const struct mail *m, const char *recipient)
{
	static const char *const hdrs[] = { "Delivered-To", "X-Original-To" };
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	guint		 i, k;

	add_addr(a, recipient);
	for (k = 0; k < G_N_ELEMENTS(hdrs); k++)
		for (i = 0; i < m->headers->len; i++) {
			const struct mail_header *h = m->headers->pdata[i];

			if (g_ascii_strcasecmp(h->name, hdrs[k]) == 0)
				add_addr(a, h->value);
		}
	for (i = 0; i < m->to->len; i++)
		add_addr(a, ((struct mail_address *)m->to->pdata[i])->addr);
	for (i = 0; i < m->cc->len; i++)
		add_addr(a, ((struct mail_address *)m->cc->pdata[i])->addr);
	return a;
}
