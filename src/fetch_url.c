/*
 * fetch_url: parse a mailbox source URL.  Pure: no libetpan here.
 */
#include "pdconfig.h"

#include <string.h>

#include "fetch_url.h"

static const struct {
	const char	*scheme;
	uint16_t	 port;
} protos[FETCH_PROTO__MAX] = {
	[FETCH_IMAP] = { "imap", 143 },
	[FETCH_IMAPS] = { "imaps", 993 },
	[FETCH_POP3] = { "pop3", 110 },
	[FETCH_POP3S] = { "pop3s", 995 },
	[FETCH_MAILDIR] = { "maildir", 0 },
	[FETCH_MBOX] = { "mbox", 0 },
};

void
fetch_url_free(struct fetch_url *u)
{
	if (u == NULL)
		return;
	g_free(u->user);
	g_free(u->host);
	g_free(u->mailbox);
	g_free(u->path);
	g_free(u->text);
	g_free(u);
}

bool
fetch_url_is_remote(const struct fetch_url *u)
{
	return u->proto != FETCH_MAILDIR && u->proto != FETCH_MBOX;
}

static bool
bad(GError **err, const char *s, const char *why)
{
	g_set_error(err, G_URI_ERROR, G_URI_ERROR_FAILED,
	    "source \"%s\": %s", s, why);
	return false;
}

static bool
parse_host(struct fetch_url *u, const char *hp, size_t len, const char *s,
    GError **err)
{
	const char	*colon, *end = hp + len;
	guint64		 port;
	char		*ps;

	if (len > 0 && hp[0] == '[') {
		const char *rb = memchr(hp, ']', len);

		if (rb == NULL)
			return bad(err, s, "unterminated [IPv6] host");
		u->host = g_strndup(hp + 1, (gsize)(rb - hp - 1));
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (colon == NULL && rb + 1 != end)
			return bad(err, s, "junk after [IPv6] host");
	} else {
		colon = memchr(hp, ':', len);
		u->host = g_strndup(hp, (gsize)((colon ? colon : end) - hp));
	}
	if (*u->host == '\0')
		return bad(err, s, "no host");
	if (colon == NULL)
		return true;
	ps = g_strndup(colon + 1, (gsize)(end - colon - 1));
	if (!g_ascii_string_to_unsigned(ps, 10, 1, 65535, &port, NULL)) {
		g_free(ps);
		return bad(err, s, "bad port");
	}
	g_free(ps);
	u->port = (uint16_t)port;
	return true;
}

static bool
parse_remote(struct fetch_url *u, const char *rest, const char *s,
    GError **err)
{
	const char	*slash = strchr(rest, '/');
	const char	*auth_end = slash != NULL ? slash :
	    rest + strlen(rest);
	const char	*at = g_strrstr_len(rest, auth_end - rest, "@");
	char		*raw_user;

	if (at == NULL)
		return bad(err, s, "no user (write USER@HOST)");
	raw_user = g_strndup(rest, (gsize)(at - rest));
	if (strchr(raw_user, ':') != NULL) {
		g_free(raw_user);
		return bad(err, s, "a password in the URL is refused; use "
		    "[fetch] password or password_command");
	}
	u->user = g_uri_unescape_string(raw_user, NULL);
	g_free(raw_user);
	if (u->user == NULL || *u->user == '\0')
		return bad(err, s, "bad or empty user");
	if (!parse_host(u, at + 1, (size_t)(auth_end - at - 1), s, err))
		return false;
	if (u->port == 0)
		u->port = protos[u->proto].port;
	if (u->proto == FETCH_POP3 || u->proto == FETCH_POP3S) {
		if (slash != NULL && slash[1] != '\0')
			return bad(err, s, "POP3 has no folders");
		return true;
	}
	u->mailbox = slash != NULL && slash[1] != '\0' ?
	    g_uri_unescape_string(slash + 1, NULL) : g_strdup("INBOX");
	if (u->mailbox == NULL || *u->mailbox == '\0')
		return bad(err, s, "bad mailbox name");
	return true;
}

static char *
canonical(const struct fetch_url *u)
{
	char	*user, *mb, *t;

	if (!fetch_url_is_remote(u))
		return g_strdup_printf("%s:%s", protos[u->proto].scheme,
		    u->path);
	user = g_uri_escape_string(u->user, NULL, FALSE);
	mb = u->mailbox != NULL ? g_uri_escape_string(u->mailbox, "/",
	    FALSE) : g_strdup("");
	t = g_strdup_printf("%s://%s@%s%s%s:%u/%s", protos[u->proto].scheme,
	    user, strchr(u->host, ':') ? "[" : "", u->host,
	    strchr(u->host, ':') ? "]" : "", u->port, mb);
	g_free(user);
	g_free(mb);
	return t;
}

bool
text_to_fetch_url(struct fetch_url **out, const char *s, GError **err)
{
	struct fetch_url *u;
	const char	*colon = s != NULL ? strchr(s, ':') : NULL;
	const char	*rest;
	size_t		 i;
	bool		 ok;

	if (colon == NULL)
		return bad(err, s != NULL ? s : "", "not a URL");
	u = g_new0(struct fetch_url, 1);
	for (i = 0; i < FETCH_PROTO__MAX; i++)
		if (strlen(protos[i].scheme) == (size_t)(colon - s) &&
		    g_ascii_strncasecmp(s, protos[i].scheme,
		    (gsize)(colon - s)) == 0)
			break;
	if (i == FETCH_PROTO__MAX) {
		fetch_url_free(u);
		return bad(err, s, "unknown scheme (imap, imaps, pop3, pop3s, "
		    "maildir, mbox)");
	}
	u->proto = (enum fetch_proto)i;
	rest = colon + 1;
	if (!fetch_url_is_remote(u)) {
		if (g_str_has_prefix(rest, "//"))
			rest += 2;
		u->path = g_strdup(rest);
		ok = g_path_is_absolute(u->path) ||
		    bad(err, s, "the path must be absolute");
	} else if (!g_str_has_prefix(rest, "//"))
		ok = bad(err, s, "expected SCHEME://USER@HOST");
	else
		ok = parse_remote(u, rest + 2, s, err);
	if (!ok) {
		fetch_url_free(u);
		return false;
	}
	u->text = canonical(u);
	*out = u;
	return true;
}
