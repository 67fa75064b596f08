/*
 * web_link: revocable sign-in links and the sessions they open.
 *
 * A link is a row in web_links with an unguessable random id; the URL
 * carries that id signed (web_ref_make), so a guessed id is refused
 * before any query and a known one only works while its row says so.
 * Each use of a live link opens a session (web_sessions) that the
 * cookie names the same way.  Revoking a link (postdesk link --revoke,
 * or staff in the viewer) ends its sessions at once, because every
 * request reads the session's row and its link's.
 *
 * The decisions here are pure; store_web.c reads and writes the rows,
 * web_auth.c runs the steps of a request.
 */
#include "pdconfig.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "store_web.h"
#include "web.h"

#define DEFAULT_LINK_LIFETIME		(14 * 24 * 3600)
#define DEFAULT_SESSION_LIFETIME	(8 * 3600)

const char *
web_link_state_to_text(enum web_link_state s)
{
	switch (s) {
	case WEB_LINK_LIVE:
		return "active";
	case WEB_LINK_REVOKED:
		return "revoked";
	case WEB_LINK_EXPIRED:
		return "expired";
	default:
		return "unknown";
	}
}

enum web_link_state
web_link_decide(const struct store_web_link *l, int64_t now)
{
	if (l == NULL)
		return WEB_LINK_UNKNOWN;
	if (l->revoked > 0)
		return WEB_LINK_REVOKED;
	return now < l->expires ? WEB_LINK_LIVE : WEB_LINK_EXPIRED;
}

enum web_link_state
web_link_session_decide(const struct store_web_session *s, int64_t now)
{
	if (s == NULL)
		return WEB_LINK_UNKNOWN;
	if (s->revoked > 0 || s->link_revoked > 0)
		return WEB_LINK_REVOKED;
	return now < s->expires ? WEB_LINK_LIVE : WEB_LINK_EXPIRED;
}

bool
web_link_touch_due(const struct store_web_session *s, int64_t now)
{
	return s != NULL && now - s->last_seen >= WEB_SEEN_INTERVAL;
}

int64_t
web_link_lifetime(const struct config *c)
{
	return c->web_link_lifetime > 0 ? c->web_link_lifetime :
	    DEFAULT_LINK_LIFETIME;
}

int64_t
web_link_session_lifetime(const struct config *c)
{
	return c->web_session_lifetime > 0 ? c->web_session_lifetime :
	    DEFAULT_SESSION_LIFETIME;
}

bool
web_link_id_new(char *out, GError **err)
{
	guint8	 b[WEB_LINK_ID_LEN / 2];
	ssize_t	 n;
	size_t	 i;

	/* The kernel's CSPRNG; g_random is predictable by design. */
	do
		n = getrandom(b, sizeof b, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof b) {
		g_set_error(err, WEB_ERROR, WEB_ERROR_CONFIG,
		    "getrandom: %s", n < 0 ? g_strerror(errno) : "short read");
		return false;
	}
	for (i = 0; i < sizeof b; i++)
		g_snprintf(out + 2 * i, 3, "%02x", b[i]);
	return true;
}

char *
web_link_plan(const struct config *c, const char *id, const char *addr,
    int64_t ticket, int64_t now, struct store_web_link *row)
{
	char	*ref, *page, *url;

	if (c->web_link_key == NULL || *c->web_link_key == '\0' ||
	    id == NULL || addr == NULL || strchr(addr, '@') == NULL)
		return NULL;
	memset(row, 0, sizeof *row);
	row->id = g_strdup(id);
	row->address = g_ascii_strdown(addr, -1);
	row->ticket = ticket > 0 ? ticket : 0;
	row->created = now;
	row->expires = now + web_link_lifetime(c);
	ref = web_ref_make(c->web_link_key, "link", id);
	page = row->ticket > 0 ? g_strdup_printf("/ticket/%" G_GINT64_FORMAT,
	    row->ticket) : g_strdup("/");
	url = g_strconcat(c->web_base_url != NULL ? c->web_base_url : "",
	    page, "?t=", ref, NULL);
	g_free(page);
	g_free(ref);
	return url;
}

void
web_link_session_plan(const struct config *c, const struct store_web_link *l,
    const char *id, int64_t now, struct store_web_session *out)
{
	memset(out, 0, sizeof *out);
	out->id = g_strdup(id);
	out->link_id = g_strdup(l->id);
	out->address = g_strdup(l->address);
	out->created = now;
	out->last_seen = now;
	/* From the click, not capped by the link's expiry: a link used
	 * on its last day still gives a full session. */
	out->expires = now + web_link_session_lifetime(c);
}

bool
web_link_mint(const struct config *c, struct store *s, const char *addr,
    int64_t ticket, int64_t now, char **url, GError **err)
{
	struct store_web_link	 row;
	char			 id[WEB_LINK_ID_LEN + 1];
	bool			 ok;

	*url = NULL;
	if (c->web_link_key == NULL || *c->web_link_key == '\0')
		return true;
	if (!web_link_id_new(id, err))
		return false;
	*url = web_link_plan(c, id, addr, ticket, now, &row);
	if (*url == NULL)
		return true;
	ok = store_web_link_add(s, &row, err);
	g_free(row.id);
	g_free(row.address);
	if (!ok)
		g_clear_pointer(url, g_free);
	return ok;
}
