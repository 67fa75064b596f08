/*
 * auth_dns: TXT lookups, from DNS or from the local test records.
 */
#include "pdconfig.h"

#include <string.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <resolv.h>

#include "auth.h"
#include "auth_dns.h"

struct auth_dns {
	bool		 local;
	GHashTable	*names;		/* lower-case name → GPtrArray */
	GPtrArray	*order;		/* "name\0value" pairs, file order */
};

struct auth_dns *
auth_dns_new_resolver(void)
{
	return g_new0(struct auth_dns, 1);
}

static bool
add_line(struct auth_dns *d, const char *line, const char *where,
    GError **err)
{
	const char	*sp;
	char		*name, *value;
	GPtrArray	*vals;

	while (g_ascii_isspace(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return true;
	sp = line + strcspn(line, " \t");
	if (*sp == '\0') {
		g_set_error(err, AUTH_ERROR, AUTH_ERROR_SETUP,
		    "%s: \"%s\": expected NAME VALUE", where, line);
		return false;
	}
	name = g_ascii_strdown(line, sp - line);
	while (g_ascii_isspace(*sp))
		sp++;
	value = g_strchomp(g_strdup(sp));
	/* A trailing dot names the same host. */
	if (*name != '\0' && name[strlen(name) - 1] == '.')
		name[strlen(name) - 1] = '\0';
	vals = g_hash_table_lookup(d->names, name);
	if (vals == NULL) {
		vals = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(d->names, g_strdup(name), vals);
	}
	g_ptr_array_add(vals, g_strdup(value));
	g_ptr_array_add(d->order, name);
	g_ptr_array_add(d->order, value);
	return true;
}

bool
auth_dns_new_local(struct auth_dns **out, const char *file,
    char *const *lines, GError **err)
{
	struct auth_dns	*d = g_new0(struct auth_dns, 1);
	char		*text = NULL, **fl = NULL;
	size_t		 i;
	bool		 ok = true;

	d->local = true;
	d->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_ptr_array_unref);
	d->order = g_ptr_array_new_with_free_func(g_free);
	if (file != NULL && !g_file_get_contents(file, &text, NULL, err))
		ok = false;
	if (text != NULL)
		fl = g_strsplit(text, "\n", -1);
	for (i = 0; ok && fl != NULL && fl[i] != NULL; i++)
		ok = add_line(d, fl[i], file, err);
	for (i = 0; ok && lines != NULL && lines[i] != NULL; i++)
		ok = add_line(d, lines[i], "[auth] spf_local_records", err);
	g_strfreev(fl);
	g_free(text);
	if (!ok) {
		auth_dns_free(d);
		return false;
	}
	*out = d;
	return true;
}

void
auth_dns_free(struct auth_dns *d)
{
	if (d == NULL)
		return;
	if (d->names != NULL)
		g_hash_table_unref(d->names);
	if (d->order != NULL)
		g_ptr_array_unref(d->order);
	g_free(d);
}

bool
auth_dns_is_local(const struct auth_dns *d)
{
	return d != NULL && d->local;
}

void
auth_dns_foreach(const struct auth_dns *d,
    void (*fn)(const char *, const char *, void *), void *ctx)
{
	guint	 i;

	for (i = 0; d->order != NULL && i + 1 < d->order->len; i += 2)
		fn(d->order->pdata[i], d->order->pdata[i + 1], ctx);
}

static enum auth_dns_status
local_txt(struct auth_dns *d, const char *name, GPtrArray **out)
{
	char		*key = g_ascii_strdown(name, -1);
	GPtrArray	*vals = g_hash_table_lookup(d->names, key);
	guint		 i;

	g_free(key);
	if (vals == NULL)
		return AUTH_DNS_NONE;
	for (i = 0; i < vals->len; i++)
		if (strcmp(vals->pdata[i], "TEMPFAIL") == 0)
			return AUTH_DNS_TEMPFAIL;
	*out = g_ptr_array_ref(vals);
	return AUTH_DNS_OK;
}

/* The character-strings of one TXT rdata, joined (RFC 7208 3.3). */
static char *
txt_rdata(const unsigned char *p, size_t len)
{
	GString	*g = g_string_new(NULL);
	size_t	 i = 0;

	while (i < len) {
		size_t	 n = p[i++];

		if (n > len - i)
			n = len - i;
		g_string_append_len(g, (const char *)p + i, (gssize)n);
		i += n;
	}
	return g_string_free(g, FALSE);
}

enum auth_dns_status
auth_dns_parse_txt(const unsigned char *buf, int n, size_t size,
    GPtrArray **out)
{
	ns_msg		 msg;
	int		 i;
	GPtrArray	*a;

	/* glibc's res_nquery() returns the length of the whole answer,
	 * which over TCP may exceed the buffer it filled: parse no more
	 * than the buffer holds (the rest of a cut answer is garbage to
	 * ns_initparse(), so a cut answer is no answer). */
	if (n < 0 || (size_t)n > size)
		n = (int)size;
	if (ns_initparse(buf, n, &msg) < 0)
		return AUTH_DNS_TEMPFAIL;
	a = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		ns_rr	 rr;

		if (ns_parserr(&msg, ns_s_an, i, &rr) == 0 &&
		    ns_rr_type(rr) == ns_t_txt)
			g_ptr_array_add(a, txt_rdata(ns_rr_rdata(rr),
			    ns_rr_rdlen(rr)));
	}
	if (a->len == 0) {
		g_ptr_array_unref(a);
		return AUTH_DNS_NONE;
	}
	*out = a;
	return AUTH_DNS_OK;
}

/* The largest DNS message (TCP's length field). */
#define DNS_MAX_ANSWER	65535

static enum auth_dns_status
dns_txt(const char *name, GPtrArray **out)
{
	struct __res_state res;
	unsigned char	*buf;
	enum auth_dns_status st;
	int		 n;

	memset(&res, 0, sizeof res);
	if (res_ninit(&res) != 0)
		return AUTH_DNS_TEMPFAIL;
	/* Mail waits on this; a few seconds, not the minute of retries. */
	res.retrans = 2;
	res.retry = 2;
	buf = g_malloc(DNS_MAX_ANSWER);
	n = res_nquery(&res, name, ns_c_in, ns_t_txt, buf, DNS_MAX_ANSWER);
	if (n < 0) {
		int	 h = res.res_h_errno;

		res_nclose(&res);
		g_free(buf);
		return h == HOST_NOT_FOUND || h == NO_DATA ? AUTH_DNS_NONE :
		    AUTH_DNS_TEMPFAIL;
	}
	res_nclose(&res);
	st = auth_dns_parse_txt(buf, n, DNS_MAX_ANSWER, out);
	g_free(buf);
	return st;
}

enum auth_dns_status
auth_dns_txt(struct auth_dns *d, const char *name, GPtrArray **out)
{
	*out = NULL;
	if (name == NULL || *name == '\0')
		return AUTH_DNS_NONE;
	return d->local ? local_txt(d, name, out) : dns_txt(name, out);
}
