/*
 * auth: SPF with libspf2; trusted Authentication-Results.
 */
#include "pdconfig.h"

#include <string.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>

#include <libpsl.h>
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "auth.h"
#include "identity.h"

struct auth {
	SPF_server_t	*server;
	/* SPF_server_new_dns() does not take ownership of the resolver. */
	SPF_dns_server_t *zone;
	char		*trusted;	/* authserv-id, or NULL */
	const psl_ctx_t	*psl;		/* the Public Suffix List */
	psl_ctx_t	*psl_own;	/* psl_latest()'s, to psl_free() */
};

G_DEFINE_QUARK(postdesk-auth-error-quark, auth_error)

bool
auth_new(struct auth **out, char *const *local, GError **err)
{
	struct auth	*a = g_new0(struct auth, 1);
	SPF_dns_server_t *dns;
	size_t		 i;

	/* The system's list (Debian: publicsuffix) if newer, else the one
	 * built into libpsl. */
	a->psl = a->psl_own = psl_latest(NULL);
	if (a->psl == NULL)
		a->psl = psl_builtin();
	if (local == NULL || local[0] == NULL) {
		a->server = SPF_server_new(SPF_DNS_CACHE, 0);
		*out = a;
		return a->server != NULL || (g_set_error(err, AUTH_ERROR,
		    AUTH_ERROR_SETUP, "SPF: cannot set up the resolver"),
		    auth_free(a), false);
	}
	/* A zone with no layer below: unknown names are "not found". */
	dns = SPF_dns_zone_new(NULL, "postdesk-local", 0);
	for (i = 0; local[i] != NULL; i++) {
		const char *sp = strchr(local[i], ' ');
		char	*dom;
		SPF_errcode_t ec;

		if (sp == NULL) {
			g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
			    "SPF record \"%s\": expected DOMAIN RECORD",
			    local[i]);
			SPF_dns_free(dns);
			auth_free(a);
			return false;
		}
		dom = g_strndup(local[i], (gsize)(sp - local[i]));
		/* "TEMPFAIL" simulates a DNS outage for that domain. */
		if (strcmp(sp + 1, "TEMPFAIL") == 0)
			ec = SPF_dns_zone_add_str(dns, dom, ns_t_any,
			    TRY_AGAIN, NULL);
		else
			ec = SPF_dns_zone_add_str(dns, dom, ns_t_txt,
			    NETDB_SUCCESS, sp + 1);
		g_free(dom);
		if (ec != SPF_E_SUCCESS) {
			g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
			    "SPF record \"%s\": %s", local[i],
			    SPF_strerror(ec));
			SPF_dns_free(dns);
			auth_free(a);
			return false;
		}
	}
	a->server = SPF_server_new_dns(dns, 0);
	a->zone = dns;
	*out = a;
	return true;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->server != NULL)
		SPF_server_free(a->server);
	if (a->zone != NULL)
		SPF_dns_free(a->zone);
	if (a->psl_own != NULL)
		psl_free(a->psl_own);
	g_free(a->trusted);
	g_free(a);
}

void
auth_set_trusted(struct auth *a, const char *authserv_id)
{
	g_free(a->trusted);
	a->trusted = authserv_id != NULL && *authserv_id != '\0' ?
	    g_strdup(authserv_id) : NULL;
}

/* The lower-case domain of ADDR ("a@B.example" → "b.example"), or NULL. */
static char *
domain_of(const char *addr)
{
	const char	*at = addr != NULL ? strrchr(addr, '@') : NULL;

	if (at == NULL || at[1] == '\0')
		return NULL;
	return g_ascii_strdown(at + 1, -1);
}

/* The organizational domain (RFC 7489 3.2): the registrable domain by
 * the Public Suffix List; a public suffix itself stands for itself. */
static const char *
org_domain(const struct auth *a, const char *d)
{
	const char	*r = psl_registrable_domain(a->psl, d);

	return r != NULL ? r : d;
}

bool
auth_aligned(const struct auth *a, const char *d1, const char *d2,
    bool strict)
{
	if (d1 == NULL || d2 == NULL || *d1 == '\0' || *d2 == '\0')
		return false;
	if (g_ascii_strcasecmp(d1, d2) == 0)
		return true;
	if (strict || a == NULL)
		return false;
	return g_ascii_strcasecmp(org_domain(a, d1), org_domain(a, d2)) == 0;
}

/* The final word from the facts (RFC 7489 6.6.2). */
static void
decide(struct identity *id)
{
	guint	 i;
	bool	 temp = g_strcmp0(id->spf, "temperror") == 0, any;

	id->dkim_aligned = false;
	for (i = 0; i < id->dkim->len; i++) {
		const struct identity_dkim *d = id->dkim->pdata[i];

		if (d->aligned && g_strcmp0(d->result, "pass") == 0)
			id->dkim_aligned = true;
		if (g_strcmp0(d->result, "temperror") == 0)
			temp = true;
	}
	any = id->dkim->len > 0 || (id->spf != NULL &&
	    strcmp(id->spf, "none") != 0) || id->dmarc_policy != NULL;
	if (identity_aligned_pass(id))
		id->final = IDENTITY_PASS;
	else if (temp)
		id->final = IDENTITY_TEMPERROR;
	else if (g_strcmp0(id->dmarc_policy, "reject") == 0 ||
	    g_strcmp0(id->dmarc_policy, "quarantine") == 0)
		id->final = IDENTITY_FORGED;
	else
		id->final = any ? IDENTITY_FAIL : IDENTITY_NONE;
}

struct identity *
auth_identify(void *ctx, const struct mail *m, const void *raw, size_t len,
    const char *client_ip, const char *sender)
{
	struct auth	*a = ctx;
	struct identity	*id = identity_new();
	char		*ip = NULL, *from = NULL;

	(void)raw;
	(void)len;
	id->from_domain = domain_of(m->from.addr);
	if (client_ip == NULL)
		auth_trusted_origin(m, a->trusted, &ip, &from);
	id->source = g_strdup(client_ip != NULL ? "mta" : ip != NULL ?
	    "authentication-results" : "none");
	if (sender == NULL)
		sender = from;
	id->spf = g_strdup(auth_spf(a, client_ip != NULL ? client_ip : ip,
	    sender, NULL));
	id->spf_domain = domain_of(sender);
	id->spf_aligned = strcmp(id->spf, "pass") == 0 &&
	    auth_aligned(a, id->spf_domain, id->from_domain, false);
	decide(id);
	g_free(ip);
	g_free(from);
	return id;
}

static const char *
result_text(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS: return "pass";
	case SPF_RESULT_FAIL: return "fail";
	case SPF_RESULT_SOFTFAIL: return "softfail";
	case SPF_RESULT_NEUTRAL: return "neutral";
	case SPF_RESULT_NONE: return "none";
	case SPF_RESULT_TEMPERROR: return "temperror";
	case SPF_RESULT_PERMERROR: return "permerror";
	default: return "temperror";
	}
}

const char *
auth_spf(struct auth *a, const char *ip, const char *sender,
    const char *helo)
{
	SPF_request_t	*req;
	SPF_response_t	*resp = NULL;
	const char	*r = "none";
	SPF_errcode_t	 ec;

	if (a == NULL || ip == NULL || sender == NULL || *sender == '\0' ||
	    strchr(sender, '@') == NULL)
		return "none";
	req = SPF_request_new(a->server);
	ec = strchr(ip, ':') ? SPF_request_set_ipv6_str(req, ip) :
	    SPF_request_set_ipv4_str(req, ip);
	if (ec == SPF_E_SUCCESS && helo != NULL)
		(void)SPF_request_set_helo_dom(req, helo);
	if (ec == SPF_E_SUCCESS &&
	    SPF_request_set_env_from(req, sender) == 0) {
		ec = SPF_request_query_mailfrom(req, &resp);
		/* libspf2 passes every loopback client without looking at
		 * the record.  Mail handed over on this host (a content
		 * filter re-injecting on 127.0.0.1, local submission) says
		 * nothing about the sender: no verdict, or any forged staff
		 * address would pass. */
		if (resp != NULL && SPF_response_reason(resp) ==
		    SPF_REASON_LOCALHOST)
			r = "none";
		else if (resp != NULL && SPF_response_result(resp) !=
		    SPF_RESULT_INVALID)
			r = result_text(SPF_response_result(resp));
		else
			/* No verdict: DNS trouble is temporary, a record
			 * that does not compile is permanent. */
			r = ec == SPF_E_DNS_ERROR ? "temperror" : "permerror";
	} else
		r = "permerror";
	if (resp != NULL)
		SPF_response_free(resp);
	SPF_request_free(req);
	return r;
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

void
auth_trusted_origin(const struct mail *m, const char *authserv_id,
    char **client_ip, char **sender)
{
	const char	*ar = NULL, *rs = NULL;
	guint		 i;

	*client_ip = *sender = NULL;
	if (authserv_id == NULL || *authserv_id == '\0')
		return;
	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];

		if (ar == NULL && g_ascii_strcasecmp(h->name,
		    "Authentication-Results") == 0)
			ar = h->value;
		if (rs == NULL && g_ascii_strcasecmp(h->name,
		    "Received-SPF") == 0)
			rs = h->value;
	}
	/* Authentication-Results: ID; spf=pass smtp.mailfrom=... */
	if (ar != NULL) {
		size_t	 n = strcspn(ar, "; \t");

		while (*ar == ' ')
			ar++, n = strcspn(ar, "; \t");
		if (n == strlen(authserv_id) &&
		    g_ascii_strncasecmp(ar, authserv_id, n) == 0) {
			*client_ip = param(ar, "smtp.remote-ip");
			if (*client_ip == NULL)
				*client_ip = param(ar, "policy.iprev");
			if (*client_ip == NULL)
				*client_ip = param(ar, "client-ip");
			*sender = param(ar, "smtp.mailfrom");
		}
	}
	if (*client_ip == NULL && rs != NULL) {
		char	*recv = param(rs, "receiver");

		if (recv != NULL && g_ascii_strcasecmp(recv, authserv_id) == 0) {
			*client_ip = param(rs, "client-ip");
			g_free(*sender);
			*sender = param(rs, "envelope-from");
		}
		g_free(recv);
	}
	if (!valid_ip(*client_ip)) {
		g_free(*client_ip);
		*client_ip = NULL;
	}
}
