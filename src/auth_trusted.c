/*
 * auth_trusted: the topmost trusted Authentication-Results block.
 */
#include "pdconfig.h"

#include <string.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "auth.h"
#include "auth_trusted.h"
#include "authres.h"
#include "identity.h"

/* At most this many signatures are taken from a header. */
#define TRUSTED_MAX_DKIM	8

static bool
trusted(char *const *ids, const char *id)
{
	size_t	 i;

	for (i = 0; id != NULL && ids != NULL && ids[i] != NULL; i++)
		if (g_ascii_strcasecmp(ids[i], id) == 0)
			return true;
	return false;
}

/* The value of "KEY=" in S up to ; space or ), g_free, or NULL. */
static char *
param(const char *s, const char *key)
{
	const char	*p = s;
	size_t		 kl = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if ((p == s || strchr(" ;\t(", p[-1]) != NULL) && p[kl] == '=') {
			p += kl + 1;
			return g_strndup(p, strcspn(p, " ;\t)\r\n"));
		}
		p += kl;
	}
	return NULL;
}

static bool
valid_ip(const char *ip)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;

	return ip != NULL && (inet_pton(AF_INET, ip, &a4) == 1 ||
	    inet_pton(AF_INET6, ip, &a6) == 1);
}

/* The host after "by" in a Received: value (g_free), or NULL; *AT is
 * where "by" starts. */
static char *
received_by(const char *v, const char **at)
{
	const char	*p;

	for (p = v; (p = strstr(p, "by")) != NULL; p += 2)
		if ((p == v || g_ascii_isspace(p[-1]) || p[-1] == ')') &&
		    g_ascii_isspace(p[2])) {
			*at = p;
			p += 2;
			while (g_ascii_isspace(*p))
				p++;
			return g_strndup(p, strcspn(p, " \t\r\n;("));
		}
	return NULL;
}

/* True if the "from" part of a Received: value (before BY) names a
 * loopback client, "[127.0.0.1]" or "[IPv6:::1]": a content filter
 * re-injecting on the host itself. */
static bool
received_from_loopback(const char *v, const char *by)
{
	const char	*open = NULL, *p, *close;
	char		*ip;
	struct in6_addr	 a6;
	struct in_addr	 a4;
	bool		 lo = false;

	for (p = v; p < by && (p = strchr(p, '[')) != NULL && p < by; p++)
		open = p;
	if (open == NULL || (close = strchr(open, ']')) == NULL)
		return false;
	ip = g_strndup(open + 1, (gsize)(close - open - 1));
	if (g_ascii_strncasecmp(ip, "IPv6:", 5) == 0)
		memmove(ip, ip + 5, strlen(ip + 5) + 1);
	if (inet_pton(AF_INET, ip, &a4) == 1)
		lo = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, ip, &a6) == 1)
		lo = IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) &&
		    a6.s6_addr[12] == 127);
	g_free(ip);
	return lo;
}

static void
take_dkim(struct auth_trusted *out, const struct authres_result *r)
{
	struct identity_dkim *d;
	const char	*dom = authres_prop(r, "header.d"), *i, *at;

	out->have_dkim = true;
	if (out->dkim->len >= TRUSTED_MAX_DKIM)
		return;
	i = authres_prop(r, "header.i");
	if (dom == NULL && i != NULL && (at = strrchr(i, '@')) != NULL)
		dom = at + 1;
	d = g_new0(struct identity_dkim, 1);
	d->domain = dom != NULL ? g_ascii_strdown(dom, -1) : NULL;
	d->selector = g_strdup(authres_prop(r, "header.s"));
	d->result = g_strdup(r->result);
	g_ptr_array_add(out->dkim, d);
}

static void
take_ip(struct auth_trusted *out, const struct authres_result *r)
{
	static const char *const keys[] = {
		"smtp.remote-ip", "policy.iprev", "client-ip"
	};
	size_t	 k;

	for (k = 0; out->client_ip == NULL && k < G_N_ELEMENTS(keys); k++)
		if (valid_ip(authres_prop(r, keys[k])))
			out->client_ip = g_strdup(authres_prop(r, keys[k]));
}

/* One trusted A-R header's results into OUT (first spf= wins). */
static void
take_authres(struct auth_trusted *out, const struct authres *ar)
{
	guint	 i;

	out->source = "authentication-results";
	for (i = 0; i < ar->results->len; i++) {
		const struct authres_result *r = ar->results->pdata[i];

		take_ip(out, r);
		if (strcmp(r->method, "spf") == 0 && out->spf == NULL) {
			out->spf = g_strdup(r->result);
			out->sender = g_strdup(authres_prop(r,
			    "smtp.mailfrom"));
			out->helo = g_strdup(authres_prop(r, "smtp.helo"));
		} else if (strcmp(r->method, "dkim") == 0)
			take_dkim(out, r);
	}
}

/* ID is trusted and the header is its own: above the hop where ID took
 * the message from outside.  A milter's header goes above its MTA's
 * Received:; one below it came with the message (RFC 8601 5: the MTA
 * ought to delete those, not every milter does). */
static bool
own(char *const *ids, GHashTable *outside, const char *id)
{
	char	*low;
	bool	 seen;

	if (!trusted(ids, id))
		return false;
	low = g_ascii_strdown(id, -1);
	seen = g_hash_table_contains(outside, low);
	g_free(low);
	return !seen;
}

/* Received-SPF: RESULT (comment) client-ip=...; envelope-from=...;
 * receiver=... — used only when no trusted A-R named SPF. */
static void
take_received_spf(struct auth_trusted *out, const char *v, char *const *ids,
    GHashTable *outside)
{
	char	*recv = param(v, "receiver");

	if (own(ids, outside, recv) && out->spf == NULL) {
		if (out->source == NULL)
			out->source = "received-spf";
		out->spf = g_ascii_strdown(v + strspn(v, " \t"),
		    (gssize)strcspn(v + strspn(v, " \t"), " \t;("));
		g_free(out->sender);
		out->sender = param(v, "envelope-from");
		if (out->client_ip == NULL) {
			out->client_ip = param(v, "client-ip");
			if (!valid_ip(out->client_ip)) {
				g_free(out->client_ip);
				out->client_ip = NULL;
			}
		}
	}
	g_free(recv);
}

/* A Received: of a trusted host: false if it ends the search.  A hop
 * from anything but loopback marks where that host took the mail from
 * outside (a content filter's re-injection on the host does not). */
static bool
trusted_hop(char *const *ids, GHashTable *outside, const char *v)
{
	const char	*at = NULL;
	char		*by = received_by(v, &at);

	if (!trusted(ids, by)) {
		g_free(by);
		return false;
	}
	if (!received_from_loopback(v, at))
		g_hash_table_add(outside, g_ascii_strdown(by, -1));
	g_free(by);
	return true;
}

void
auth_trusted_find(const struct mail *m, char *const *ids,
    struct auth_trusted *out)
{
	bool	 block = false, in_block = false;
	GHashTable *outside;
	guint	 i;

	memset(out, 0, sizeof *out);
	out->dkim = g_ptr_array_new_with_free_func(identity_dkim_free);
	if (ids == NULL || ids[0] == NULL)
		return;
	outside = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];
		bool	 ar = g_ascii_strcasecmp(h->name,
		    "Authentication-Results") == 0;

		if (g_ascii_strcasecmp(h->name, "Received") == 0) {
			if (!trusted_hop(ids, outside, h->value))
				break;
		} else if (ar && (!block || in_block)) {
			struct authres *r = authres_parse(h->value);

			if (r != NULL && own(ids, outside, r->authserv_id)) {
				take_authres(out, r);
				block = in_block = true;
				authres_free(r);
				continue;	/* still in the block */
			}
			authres_free(r);
		} else if (g_ascii_strcasecmp(h->name, "Received-SPF") == 0)
			take_received_spf(out, h->value, ids, outside);
		in_block = false;
	}
	g_hash_table_destroy(outside);
}

void
auth_trusted_clear(struct auth_trusted *t)
{
	g_free(t->spf);
	g_free(t->sender);
	g_free(t->helo);
	g_free(t->client_ip);
	if (t->dkim != NULL)
		g_ptr_array_unref(t->dkim);
	memset(t, 0, sizeof *t);
}

void
auth_trusted_origin(const struct mail *m, const char *authserv_id,
    char **client_ip, char **sender)
{
	char		*ids[2] = { (char *)authserv_id, NULL };
	struct auth_trusted t;

	auth_trusted_find(m, authserv_id != NULL && *authserv_id != '\0' ?
	    ids : NULL, &t);
	*client_ip = t.client_ip;
	*sender = t.sender;
	t.client_ip = t.sender = NULL;
	auth_trusted_clear(&t);
}
