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
#include <opendkim/dkim.h>
#include <openssl/crypto.h>
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "auth.h"
#include "auth_dns.h"
#include "auth_trusted.h"
#include "dmarc.h"
#include "identity.h"

/* Bounds against hostile mail (issue 11, "Bad input"): signatures
 * verified per message, and the size of a header field the library is
 * given (a longer one is no DKIM-Signature we could verify anyway). */
#define AUTH_MAX_SIGS		8
#define AUTH_MAX_FIELD		(64 * 1024)

struct auth {
	SPF_server_t	*server;
	/* SPF_server_new_dns() does not take ownership of the resolver. */
	SPF_dns_server_t *zone;
	struct auth_dns	*dns;		/* _dmarc (and, local, DKIM keys) */
	char		**trusted;	/* authserv-ids, NULL-terminated */
	const psl_ctx_t	*psl;		/* the Public Suffix List */
	psl_ctx_t	*psl_own;	/* psl_latest()'s, to psl_free() */
	DKIM_LIB	*dkim;
};

/* What the DKIM callbacks need of one verification. */
struct dkim_job {
	struct auth	*a;
	const char	*from_domain;
	bool		 tempfail;	/* a key lookup hit TEMPFAIL */
};

G_DEFINE_QUARK(postdesk-auth-error-quark, auth_error)

static void
zone_add(const char *name, const char *value, void *ctx)
{
	SPF_dns_server_t *dns = ctx;

	/* "TEMPFAIL" simulates a DNS outage for that domain. */
	if (strcmp(value, "TEMPFAIL") == 0)
		(void)SPF_dns_zone_add_str(dns, name, ns_t_any, TRY_AGAIN,
		    NULL);
	else if (g_ascii_strncasecmp(value, "v=spf1", 6) == 0)
		(void)SPF_dns_zone_add_str(dns, name, ns_t_txt, NETDB_SUCCESS,
		    value);
}

/* Checks the SPF records one by one, so a bad one is named. */
static bool
check_spf_records(char *const *local, GError **err)
{
	size_t	 i;

	for (i = 0; local != NULL && local[i] != NULL; i++) {
		const char	*sp = strchr(local[i], ' ');
		SPF_dns_server_t *dns;
		SPF_errcode_t	 ec;
		char		*dom;

		if (sp == NULL) {
			g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
			    "SPF record \"%s\": expected DOMAIN RECORD",
			    local[i]);
			return false;
		}
		if (strcmp(sp + 1, "TEMPFAIL") == 0)
			continue;
		dns = SPF_dns_zone_new(NULL, "postdesk-check", 0);
		dom = g_strndup(local[i], (gsize)(sp - local[i]));
		ec = SPF_dns_zone_add_str(dns, dom, ns_t_txt, NETDB_SUCCESS,
		    sp + 1);
		g_free(dom);
		SPF_dns_free(dns);
		if (ec != SPF_E_SUCCESS) {
			g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
			    "SPF record \"%s\": %s", local[i],
			    SPF_strerror(ec));
			return false;
		}
	}
	return true;
}

/* libopendkim's key lookup, from the local records (no DNS at all). */
static DKIM_CBSTAT
dkim_local_key(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkim_job	*job = dkim_get_user_context(dkim);
	const char	*sel = (const char *)dkim_sig_getselector(sig);
	const char	*dom = (const char *)dkim_sig_getdomain(sig);
	GPtrArray	*txt = NULL;
	char		*name;
	enum auth_dns_status st;

	if (job == NULL || sel == NULL || dom == NULL)
		return DKIM_CBSTAT_ERROR;
	name = g_strdup_printf("%s._domainkey.%s", sel, dom);
	st = auth_dns_txt(job->a->dns, name, &txt);
	g_free(name);
	if (st == AUTH_DNS_TEMPFAIL) {
		job->tempfail = true;
		return DKIM_CBSTAT_TRYAGAIN;
	}
	if (st != AUTH_DNS_OK)
		return DKIM_CBSTAT_NOTFOUND;
	g_strlcpy((char *)buf, txt->pdata[0], buflen);
	g_ptr_array_unref(txt);
	return DKIM_CBSTAT_CONTINUE;
}

/* Which signatures are verified: those whose d= aligns with From:
 * first, AUTH_MAX_SIGS in all; the rest cost nothing. */
static DKIM_CBSTAT
dkim_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkim_job	*job = dkim_get_user_context(dkim);
	int		 i, kept = 0, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nsigs; i++) {
			const char *d = (const char *)dkim_sig_getdomain(
			    sigs[i]);
			bool	 al = job != NULL && auth_aligned(job->a, d,
			    job->from_domain, false);

			if ((pass == 0) != al)
				continue;
			if (kept < AUTH_MAX_SIGS)
				kept++;
			else
				dkim_sig_ignore(sigs[i]);
		}
	return DKIM_CBSTAT_CONTINUE;
}

static bool
dkim_setup(struct auth *a, GError **err)
{
	unsigned int	 flags = DKIM_LIBFLAGS_FIXCRLF;
	uint64_t	 timeout = 5;

	/* OpenSSL serves only libopendkim here (TLS is GnuTLS's), which
	 * verifies with public keys: openssl.cnf (TLS settings, engines)
	 * has nothing for it, and reading and parsing it on the first use
	 * cost ~0.8 M instructions in every ingest process, 3% of one.
	 * Nor does it need OPENSSL_cleanup() at exit, which frees every
	 * table OpenSSL built (another 3%): the process ends, and the
	 * tables stay reachable from OpenSSL's globals till then.
	 * Nor the name tables of every cipher and digest that
	 * dkim_init()'s OpenSSL_add_all_algorithms() fills (7% of an
	 * ingest's time): libopendkim takes EVP_sha1()/EVP_sha256() and
	 * its keys directly, never by name.  Nor OpenSSL's error texts
	 * (4%): no OpenSSL error is ever printed here.
	 * Must come before dkim_init(), whose first OpenSSL call would
	 * load the file; a later call here is a no-op. */
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG |
	    OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
	    OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
	a->dkim = dkim_init(NULL, NULL);
	if (a->dkim == NULL) {
		g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
		    "DKIM: cannot set up libopendkim");
		return false;
	}
	(void)dkim_options(a->dkim, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof flags);
	(void)dkim_options(a->dkim, DKIM_OP_SETOPT, DKIM_OPTS_TIMEOUT,
	    &timeout, sizeof timeout);
	(void)dkim_set_prescreen(a->dkim, dkim_prescreen);
	/* The test resolver serves the keys too; else libopendkim's DNS. */
	if (auth_dns_is_local(a->dns))
		(void)dkim_set_key_lookup(a->dkim, dkim_local_key);
	return true;
}

bool
auth_new(struct auth **out, const char *dns_records, char *const *local,
    GError **err)
{
	struct auth	*a = g_new0(struct auth, 1);
	bool		 is_local = dns_records != NULL ||
	    (local != NULL && local[0] != NULL);

	/* The system's list (Debian: publicsuffix) if newer, else the one
	 * built into libpsl. */
	a->psl = a->psl_own = psl_latest(NULL);
	if (a->psl == NULL)
		a->psl = psl_builtin();
	if (!check_spf_records(local, err) || (is_local &&
	    !auth_dns_new_local(&a->dns, dns_records, local, err))) {
		auth_free(a);
		return false;
	}
	if (!is_local)
		a->dns = auth_dns_new_resolver();
	if (!is_local)
		a->server = SPF_server_new(SPF_DNS_CACHE, 0);
	else {
		/* A zone with no layer below: unknown names are "not
		 * found", and no DNS query is ever made. */
		a->zone = SPF_dns_zone_new(NULL, "postdesk-local", 0);
		auth_dns_foreach(a->dns, zone_add, a->zone);
		a->server = SPF_server_new_dns(a->zone, 0);
	}
	if (a->server == NULL) {
		g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
		    "SPF: cannot set up the resolver");
		auth_free(a);
		return false;
	}
	if (!dkim_setup(a, err)) {
		auth_free(a);
		return false;
	}
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
	if (a->dkim != NULL)
		dkim_close(a->dkim);
	auth_dns_free(a->dns);
	if (a->psl_own != NULL)
		psl_free(a->psl_own);
	g_strfreev(a->trusted);
	g_free(a);
}

void
auth_set_trusted_ids(struct auth *a, char *const *ids)
{
	GPtrArray	*v = g_ptr_array_new();
	size_t		 i;

	for (i = 0; ids != NULL && ids[i] != NULL; i++)
		if (*ids[i] != '\0')
			g_ptr_array_add(v, g_strdup(ids[i]));
	g_ptr_array_add(v, NULL);
	g_strfreev(a->trusted);
	a->trusted = (char **)g_ptr_array_free(v, FALSE);
}

void
auth_set_trusted(struct auth *a, const char *authserv_id)
{
	char	*ids[2] = { (char *)authserv_id, NULL };

	auth_set_trusted_ids(a, ids);
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

/* The final word from the facts (RFC 7489 6.6.2).  DNS trouble counts
 * only for an identifier that aligns with From: (SPF_DOMAIN_ALIGNED for
 * the envelope domain): a spoofer's own domain with a dead name server
 * says nothing about the From: domain, or it would turn forged into
 * temperror at will. */
static void
decide(struct identity *id, bool spf_domain_aligned)
{
	guint	 i;
	bool	 temp = (spf_domain_aligned &&
	    g_strcmp0(id->spf, "temperror") == 0) || id->dmarc_temperror, any;

	id->dkim_aligned = false;
	for (i = 0; i < id->dkim->len; i++) {
		const struct identity_dkim *d = id->dkim->pdata[i];

		if (d->aligned && g_strcmp0(d->result, "pass") == 0)
			id->dkim_aligned = true;
		if (d->aligned && g_strcmp0(d->result, "temperror") == 0)
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

/* The one DMARC record at _dmarc.DOMAIN: 1 found, 0 none, -1 DNS
 * trouble.  Several records are as good as none (RFC 7489 6.6.3). */
static int
dmarc_at(struct auth *a, const char *domain, struct dmarc_record *out)
{
	char		*name = g_strdup_printf("_dmarc.%s", domain);
	GPtrArray	*txt = NULL;
	enum auth_dns_status st = auth_dns_txt(a->dns, name, &txt);
	int		 found = 0;
	guint		 i;

	g_free(name);
	if (st == AUTH_DNS_TEMPFAIL)
		return -1;
	for (i = 0; txt != NULL && i < txt->len; i++) {
		struct dmarc_record r;

		if (dmarc_parse(txt->pdata[i], &r) && found++ == 0)
			*out = r;
	}
	if (txt != NULL)
		g_ptr_array_unref(txt);
	/* None of several counts: not its aspf= or adkim= either. */
	if (found > 1)
		memset(out, 0, sizeof *out);
	return found == 1 ? 1 : 0;
}

/* The From: domain's policy, else its organizational domain's (sp=). */
static void
dmarc_lookup(struct auth *a, struct identity *id, struct dmarc_record *rec)
{
	const char	*org;
	int		 r;

	memset(rec, 0, sizeof *rec);
	if (id->from_domain == NULL)
		return;
	r = dmarc_at(a, id->from_domain, rec);
	if (r == 1) {
		id->dmarc_policy = g_strdup(dmarc_policy_to_text(rec->p));
		id->dmarc_domain = g_strdup(id->from_domain);
		return;
	}
	org = org_domain(a, id->from_domain);
	if (r == 0 && strcmp(org, id->from_domain) != 0)
		r = dmarc_at(a, org, rec);
	if (r == 1) {
		id->dmarc_policy = g_strdup(dmarc_policy_to_text(rec->sp));
		id->dmarc_domain = g_strdup(org);
	} else if (r < 0)
		id->dmarc_temperror = true;
}

/* The result of one verified signature, in RFC 8601's words.  A valid
 * signature whose l= leaves part of the body unsigned is "policy", not
 * a pass: anyone could have appended that part. */
static const char *
dkim_result(DKIM *d, DKIM_SIGINFO *sig, bool tempfail)
{
	unsigned int	 flags = dkim_sig_getflags(sig);
	int		 err = dkim_sig_geterror(sig);
	ssize_t		 body = 0, signlen = -1;

	if ((flags & DKIM_SIGFLAG_PASSED) != 0 &&
	    dkim_sig_getbh(sig) == DKIM_SIGBH_MATCH) {
		if (dkim_sig_getcanonlen(d, sig, &body, NULL, &signlen) ==
		    DKIM_STAT_OK && signlen >= 0 && body > signlen)
			return "policy";
		return "pass";
	}
	switch (err) {
	case DKIM_SIGERROR_KEYFAIL:
		return "temperror";
	case DKIM_SIGERROR_NOKEY:
		return tempfail ? "temperror" : "permerror";
	case DKIM_SIGERROR_OK:
	case DKIM_SIGERROR_BADSIG:
	case DKIM_SIGERROR_TOOLARGE_L:
	case DKIM_SIGERROR_EXPIRED:
	case DKIM_SIGERROR_FUTURE:
		return (flags & DKIM_SIGFLAG_PROCESSED) != 0 ||
		    err != DKIM_SIGERROR_OK ? "fail" : "permerror";
	default:
		return tempfail && err == DKIM_SIGERROR_UNKNOWN ?
		    "temperror" : "permerror";
	}
}

/* One header field to libopendkim, folded with CRLF: its FIXCRLF flag
 * mends the body only, and a bare LF inside a folded DKIM-Signature
 * would survive relaxed canonicalization. */
static void
dkim_field(DKIM *d, const char *field, size_t len)
{
	GString	*g;
	size_t	 i;

	if (len > AUTH_MAX_FIELD)
		return;
	if (memchr(field, '\n', len) == NULL) {
		(void)dkim_header(d, (u_char *)field, len);
		return;
	}
	g = g_string_sized_new(len + 16);
	for (i = 0; i < len; i++) {
		if (field[i] == '\n' && (i == 0 || field[i - 1] != '\r'))
			g_string_append_c(g, '\r');
		g_string_append_c(g, field[i]);
	}
	(void)dkim_header(d, (u_char *)g->str, g->len);
	g_string_free(g, TRUE);
}

/* Hands the header fields one by one to libopendkim; returns the body. */
static const char *
dkim_headers(DKIM *d, const char *raw, size_t len)
{
	const char	*p = raw, *end = raw + len, *field = NULL,
			*fend = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lend = nl != NULL ? nl : end, *next = nl != NULL ?
		    nl + 1 : end;
		size_t	 l = (size_t)(lend - p);

		if (l > 0 && p[l - 1] == '\r')
			l--;
		if (l == 0 || (*p != ' ' && *p != '\t')) {
			if (field != NULL)
				dkim_field(d, field, (size_t)(fend - field));
			field = NULL;
		}
		if (l == 0)
			return next;
		if (field == NULL)
			field = p;
		fend = p + l;
		p = next;
	}
	if (field != NULL)
		dkim_field(d, field, (size_t)(fend - field));
	return end;
}

/* Verifies the DKIM signatures of RAW (at most AUTH_MAX_SIGS). */
static void
dkim_verify_raw(struct auth *a, struct identity *id, const char *raw,
    size_t len, const struct dmarc_record *rec)
{
	struct dkim_job	 job = { a, id->from_domain, false };
	DKIM_SIGINFO	**sigs = NULL;
	DKIM_STAT	 st;
	const char	*body;
	DKIM		*d;
	int		 n = 0, i;

	if (raw == NULL || len == 0 || a->dkim == NULL)
		return;
	d = dkim_verify(a->dkim, (const u_char *)"postdesk", NULL, &st);
	if (d == NULL)
		return;
	(void)dkim_set_user_context(d, &job);
	body = dkim_headers(d, raw, len);
	st = dkim_eoh(d);
	if (st != DKIM_STAT_NOSIG) {
		if (body < raw + len)
			(void)dkim_body(d, (u_char *)body,
			    (size_t)(raw + len - body));
		(void)dkim_eom(d, NULL);
	}
	if (dkim_getsiglist(d, &sigs, &n) != DKIM_STAT_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		struct identity_dkim *e;
		const char	*dom = (const char *)dkim_sig_getdomain(sigs[i]);
		const char	*sel = (const char *)dkim_sig_getselector(
		    sigs[i]);

		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0)
			continue;
		e = g_new0(struct identity_dkim, 1);
		e->domain = dom != NULL ? g_ascii_strdown(dom, -1) : NULL;
		e->selector = g_strdup(sel);
		e->result = g_strdup(dkim_result(d, sigs[i], job.tempfail));
		e->aligned = auth_aligned(a, e->domain, id->from_domain,
		    rec->adkim_strict);
		g_ptr_array_add(id->dkim, e);
	}
	dkim_free(d);
}

/* SPF and DKIM as the trusted receiving host recorded them. */
static void
from_trusted(struct auth *a, struct identity *id,
    const struct auth_trusted *t, const struct dmarc_record *rec)
{
	guint	 i;

	id->source = g_strdup(t->source);
	if (t->spf != NULL)
		id->spf = g_strdup(t->spf);
	else
		/* Only the origin: check it here, as for the MTA. */
		id->spf = g_strdup(auth_spf(a, t->client_ip, t->sender,
		    t->helo));
	id->spf_domain = domain_of(t->sender);
	for (i = 0; i < t->dkim->len; i++) {
		const struct identity_dkim *s = t->dkim->pdata[i];
		struct identity_dkim *e = g_new0(struct identity_dkim, 1);

		e->domain = g_strdup(s->domain);
		e->selector = g_strdup(s->selector);
		e->result = g_strdup(s->result);
		e->aligned = auth_aligned(a, e->domain, id->from_domain,
		    rec->adkim_strict);
		g_ptr_array_add(id->dkim, e);
	}
}

struct identity *
auth_identify(void *ctx, const struct mail *m, const void *raw, size_t len,
    const char *client_ip, const char *sender)
{
	struct auth	*a = ctx;
	struct identity	*id = identity_new();
	struct auth_trusted t = { 0 };
	struct dmarc_record rec;
	bool		 spf_domain_aligned;

	id->from_domain = domain_of(m->from.addr);
	dmarc_lookup(a, id, &rec);
	if (client_ip == NULL)
		auth_trusted_find(m, a->trusted, &t);
	if (client_ip == NULL && t.source != NULL)
		from_trusted(a, id, &t, &rec);
	else {
		id->source = g_strdup(client_ip != NULL ? "mta" : "none");
		id->spf = g_strdup(auth_spf(a, client_ip, sender, NULL));
		id->spf_domain = domain_of(sender);
	}
	/* Signatures the trusted host did not judge: verify them here. */
	if (!t.have_dkim)
		dkim_verify_raw(a, id, raw, len, &rec);
	spf_domain_aligned = auth_aligned(a, id->spf_domain, id->from_domain,
	    rec.aspf_strict);
	id->spf_aligned = strcmp(id->spf, "pass") == 0 && spf_domain_aligned;
	decide(id, spf_domain_aligned);
	auth_trusted_clear(&t);
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

