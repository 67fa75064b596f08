/*
 * auth_dns: TXT records for the sender checks (the _dmarc record; the
 * SPF and DKIM libraries have resolvers of their own).  Either DNS
 * through libc's resolver, or a local table — the test resolver of
 * [auth] dns_records and spf_local_records: "NAME VALUE" lines, VALUE
 * "TEMPFAIL" simulating a DNS outage for NAME.  With a local table no
 * DNS query is made at all.
 */
#ifndef POSTDESK_AUTH_DNS_H
#define POSTDESK_AUTH_DNS_H

#include <stdbool.h>

#include <glib.h>

enum auth_dns_status {
	AUTH_DNS_OK,		/* one or more records */
	AUTH_DNS_NONE,		/* no such name, or no TXT there */
	AUTH_DNS_TEMPFAIL	/* the resolver could not answer */
};

struct auth_dns;

/* The system resolver. */
struct auth_dns	*auth_dns_new_resolver(void);
/*
 * A local table from FILE (may be NULL; '#' starts a comment line) and
 * LINES (may be NULL); false with err for an unreadable file or a line
 * without a value.
 */
bool		 auth_dns_new_local(struct auth_dns **out, const char *file,
		    char *const *lines, GError **err);
void		 auth_dns_free(struct auth_dns *);
bool		 auth_dns_is_local(const struct auth_dns *);
/* The TXT records of NAME, each its strings joined (g_ptr_array_unref). */
enum auth_dns_status auth_dns_txt(struct auth_dns *, const char *name,
		    GPtrArray **out);
/* The TXT records of a DNS answer of length N (res_nquery's return) in
 * BUF of SIZE bytes; exposed for the tests. */
enum auth_dns_status auth_dns_parse_txt(const unsigned char *buf, int n,
		    size_t size, GPtrArray **out);
/* Every local record, in file order, for the SPF library's zone. */
void		 auth_dns_foreach(const struct auth_dns *,
		    void (*fn)(const char *name, const char *value, void *),
		    void *ctx);

#endif
