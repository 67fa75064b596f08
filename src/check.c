/*
 * check: problem lists and the pure checks of "postdesk check"; the
 * template checks are in check_templates.c.
 */
#include "pdconfig.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "staff.h"
#include "token.h"

static void
problem_free(gpointer p)
{
	struct check_problem *c = p;

	g_free(c->area);
	g_free(c->message);
	g_free(c);
}

GPtrArray *
check_problems_new(void)
{
	return g_ptr_array_new_with_free_func(problem_free);
}

void
check_add(GPtrArray *a, const char *area, const char *fmt, ...)
{
	struct check_problem *c = g_new0(struct check_problem, 1);
	va_list	 ap;

	va_start(ap, fmt);
	c->area = g_strdup(area);
	c->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(a, c);
}

void
check_key(GPtrArray *a, const char *name, const char *key)
{
	bool	 seen[256] = { false };
	size_t	 i, distinct = 0, len;

	if (key == NULL || *key == '\0') {
		check_add(a, "keys", "%s is not set: put %d or more random "
		    "bytes there, e.g. from \"head -c 32 /dev/urandom | "
		    "base64\"", name, CHECK_KEY_MIN);
		return;
	}
	len = strlen(key);
	for (i = 0; i < len; i++)
		if (!seen[(unsigned char)key[i]]) {
			seen[(unsigned char)key[i]] = true;
			distinct++;
		}
	if (len < CHECK_KEY_MIN)
		check_add(a, "keys", "%s is %zu bytes long, shorter than %d: "
		    "anyone may guess it", name, len, CHECK_KEY_MIN);
	else if (distinct < CHECK_KEY_DISTINCT)
		check_add(a, "keys", "%s has only %zu different characters: "
		    "a placeholder, not a random key", name, distinct);
}

void
check_base_url(GPtrArray *a, const char *url)
{
	GUri		*u;
	const char	*scheme, *host;

	if (url == NULL || *url == '\0') {
		check_add(a, "web", "[web] base_url is not set: customer "
		    "links need the viewer's absolute URL");
		return;
	}
	u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	scheme = u != NULL ? g_uri_get_scheme(u) : NULL;
	host = u != NULL ? g_uri_get_host(u) : NULL;
	if (u == NULL || scheme == NULL || (g_ascii_strcasecmp(scheme,
	    "https") != 0 && g_ascii_strcasecmp(scheme, "http") != 0) ||
	    host == NULL || *host == '\0')
		check_add(a, "web", "[web] base_url \"%s\" is not an absolute "
		    "http:// or https:// URL", url);
	else if (g_uri_get_fragment(u) != NULL)
		check_add(a, "web", "[web] base_url \"%s\" has a #fragment: "
		    "links are built by appending to it", url);
	if (u != NULL)
		g_uri_unref(u);
}

/* A plain domain: not empty, no blanks or separators of addresses. */
static bool
plain_domain(const char *d)
{
	return *d != '\0' && *d != '.' && strpbrk(d, " \t\r\n@<>,;\"()[]")
	    == NULL;
}

static void
check_support(GPtrArray *a, const char *addr)
{
	const char	*at = strrchr(addr, '@');
	size_t		 local = at != NULL ? (size_t)(at - addr) : 0;

	if (at == NULL || local == 0 || !plain_domain(at + 1)) {
		check_add(a, "mail", "[mail] address \"%s\" is not "
		    "LOCAL@DOMAIN", addr);
		return;
	}
	if (memchr(addr, '+', local) != NULL)
		check_add(a, "mail", "[mail] address \"%s\" has a '+' in its "
		    "local part: support+TOKEN@ and bounces+N@ are made by "
		    "adding +EXTENSION, so use the base address", addr);
	if (local == strlen(TOKEN_VERP_LOCAL) &&
	    g_ascii_strncasecmp(addr, TOKEN_VERP_LOCAL, local) == 0)
		check_add(a, "mail", "[mail] address \"%s\" is the bounce "
		    "address: " TOKEN_VERP_LOCAL "+N@%s is the return path "
		    "of every mail sent, so a reply could not be told from a "
		    "bounce", addr, at + 1);
}

void
check_addresses(GPtrArray *a, const struct config *c)
{
	char *const	*p;

	check_support(a, c->address);
	if (c->host == NULL || *c->host == '\0' || !plain_domain(c->host))
		check_add(a, "mail", "[mail] host \"%s\" is not a host name: "
		    "it is the right side of every Message-ID",
		    c->host != NULL ? c->host : "");
	for (p = c->own_addresses; p != NULL && *p != NULL; p++)
		if (strchr(*p, '@') == NULL)
			check_add(a, "mail", "[mail] own_addresses: \"%s\" "
			    "is not an address", *p);
	for (size_t i = 0; c->queues[i] != NULL; i++) {
		const struct config_queue *q = c->queues[i];

		if (q->foreign)
			check_add(a, "mail", "[queue.%s] address %s is not "
			    "one of ours (its domain is not that of [mail] "
			    "address, host or own_addresses, or it has a "
			    "'+'): ignored, the queue's mail is sent as %s",
			    q->name, q->address, c->address);
	}
	/* No staff listed is no problem: it is a fresh install, where the
	 * web server's password file says who the staff are
	 * (web_staff_address()), and it must come out of check clean. */
	for (p = c->staff_addresses; p != NULL && *p != NULL; p++)
		if (config_is_own_address(c, *p))
			check_add(a, "mail", "[staff] addresses: %s is also "
			    "one of our own addresses: its mail would be "
			    "ignored as our own", *p);
}

void
check_staff(GPtrArray *a, const struct config *c, const struct staff_dir *d)
{
	char *const	*p;

	if (d->bootstrap)
		return;
	for (p = c->staff_addresses; *p != NULL; p++)
		if (staff_dir_find(d, *p) == NULL)
			check_add(a, "staff", "[staff] addresses: %s grants "
			    "nothing: the store has staff accounts and it is "
			    "none of them (postdesk staff add %s, or drop it)",
			    *p, *p);
}

bool
check_may(const struct stat *st, uid_t uid, const gid_t *groups, size_t n,
    int want)
{
	mode_t	 bits = 0;
	size_t	 i;
	bool	 member = false;

	if (uid == 0)
		return (want & X_OK) == 0 || S_ISDIR(st->st_mode) ||
		    (st->st_mode & 0111) != 0;
	for (i = 0; i < n && !member; i++)
		member = groups[i] == st->st_gid;
	/* The first class that matches decides, as in the kernel. */
	if (st->st_uid == uid)
		bits = (st->st_mode >> 6) & 7;
	else if (member)
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	return ((want & R_OK) == 0 || (bits & 4) != 0) &&
	    ((want & W_OK) == 0 || (bits & 2) != 0) &&
	    ((want & X_OK) == 0 || (bits & 1) != 0);
}

const char *
check_want_to_text(int want)
{
	switch (want) {
	case R_OK:
		return "read";
	case W_OK:
		return "write";
	case R_OK | W_OK:
		return "read and write";
	case W_OK | X_OK:
		return "write (create files in)";
	default:
		return "use";
	}
}
