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

/* The host after "by" in a Received: value (g_free), or NULL. */
static char *
received_by(const char *v)
{
	const char	*p;

	for (p = v; (p = strstr(p, "by")) != NULL; p += 2)
		if ((p == v || g_ascii_isspace(p[-1]) || p[-1] == ')') &&
		    g_ascii_isspace(p[2])) {
			p += 2;
			while (g_ascii_isspace(*p))
				p++;
			return g_strndup(p, strcspn(p, " \t\r\n;("));
		}
	return NULL;
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

/* Received-SPF: RESULT (comment) client-ip=...; envelope-from=...;
 * receiver=... — used only when no trusted A-R named SPF. */
static void
take_received_spf(struct auth_trusted *out, const char *v, char *const *ids)
{
	char	*recv = param(v, "receiver");

	if (trusted(ids, recv) && out->spf == NULL) {
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

void
auth_trusted_find(const struct mail *m, char *const *ids,
    struct auth_trusted *out)
{
	bool	 block = false, in_block = false;
	guint	 i;

	memset(out, 0, sizeof *out);
	out->dkim = g_ptr_array_new_with_free_func(identity_dkim_free);
	if (ids == NULL || ids[0] == NULL)
		return;
	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];
		bool	 ar = g_ascii_strcasecmp(h->name,
		    "Authentication-Results") == 0;

		if (g_ascii_strcasecmp(h->name, "Received") == 0) {
			char	*by = received_by(h->value);
			bool	 ours = trusted(ids, by);

			g_free(by);
			if (!ours)
				break;
		} else if (ar && (!block || in_block)) {
			struct authres *r = authres_parse(h->value);

			if (r != NULL && trusted(ids, r->authserv_id)) {
				take_authres(out, r);
				block = in_block = true;
				authres_free(r);
				continue;	/* still in the block */
			}
			authres_free(r);
		} else if (g_ascii_strcasecmp(h->name, "Received-SPF") == 0)
			take_received_spf(out, h->value, ids);
		in_block = false;
	}
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
