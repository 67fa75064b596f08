/*
 * web: the postdesk.cgi viewer.
 *
 * web.c turns the CGI/1.1 environment into a struct web_request: the
 * page comes from PATH_INFO through the pages[] table (unknown path →
 * 404, wrong method → 405) and every query or form parameter through the
 * keys[] table, one validator per key; handlers read only the typed,
 * validated fields (a bad value → 400).  web_auth.c decides who is
 * asking (staff by REMOTE_USER, customers by a sign-in link and then a
 * session cookie, both naming revocable store rows: web_link.c) and
 * what they may see; web_view.c, web_post.c and web_dash.c render the
 * pages from templates/web/NAME.html with HTML escaping; the response is
 * written by web_response_write().
 *
 * Error contract: functions returning bool fill a GError (WEB_ERROR, or
 * the store's or template's domain); value parsers return false and
 * set nothing.  The CGI never writes diagnostics to stdout.
 *
 * Ownership: a struct web_request is freed with web_request_free(), a
 * struct web_response with web_response_free(); returned char * are
 * g_free()d.
 */
#ifndef POSTDESK_WEB_H
#define POSTDESK_WEB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <libintl.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "config.h"
#include "policy.h"
#include "store.h"
#include "template.h"

#define WEB_ERROR (web_error_quark())
enum web_error_code {
	WEB_ERROR_BAD_REQUEST,	/* 400: a parameter failed validation */
	WEB_ERROR_TOO_LARGE,	/* 413 */
	WEB_ERROR_FORBIDDEN,	/* 403: a bad or expired link */
	WEB_ERROR_CONFIG	/* 500: the site is not set up for this */
};

#define WEB_BODY_MAX		(64 * 1024)	/* POST body, bytes */
#define WEB_PAGE_SIZE		50		/* tickets per list page */
#define WEB_LINK_ID_LEN		32		/* hex digits: 128 random bits */
/* A session's last_seen is written at most this often (seconds), so a
 * reader's GET is not a write. */
#define WEB_SEEN_INTERVAL	600
#define WEB_CSRF_LIFETIME	(24 * 3600)
#define WEB_COOKIE_NAME		"pd_session"
#define WEB_TZ_COOKIE		"pd_tz"

enum web_method { WEB_GET, WEB_HEAD, WEB_POST, WEB_METHOD__MAX };

enum web_page {
	PAGE_LIST,		/* /                       GET  */
	PAGE_TICKET,		/* /ticket/N               GET  */
	PAGE_RATE,		/* /ticket/N/rate          POST */
	PAGE_UPDATE,		/* /ticket/N/update        POST (staff) */
	PAGE_SIGNOUT,		/* /ticket/N/signout       POST (staff) */
	PAGE_SEARCH,		/* /search?q=              GET  */
	PAGE_MESSAGE,		/* /message?id=            GET  */
	PAGE_ATTACHMENT,	/* /attachment/N           GET  */
	PAGE_DASHBOARD,		/* /dashboard              GET (staff) */
	PAGE_EXPORT,		/* /export.csv             GET (staff) */
	PAGE_TEXT,		/* /text/N                 GET: a whole message */
	PAGE_REPLY,		/* /ticket/N/reply         POST (staff) */
	PAGE_CC,		/* /ticket/N/cc            POST (staff) */
	PAGE_LANGUAGE,		/* /ticket/N/language      POST (customer) */
	PAGE_MERGE,		/* /ticket/N/merge         POST (staff) */
	PAGE_POST,		/* /ticket/N/post          POST (customer) */
	PAGE_CHANGE,		/* /ticket/N/change        POST (customer) */
	PAGE_STYLE,		/* /style.css              GET  */
	PAGE_NEW,		/* /new                    GET  (customer) */
	PAGE_CREATE,		/* /new                    POST (customer) */
	PAGE_LINK,		/* /ticket/N/link          POST (staff) */
	PAGE_UNLINK,		/* /ticket/N/unlink        POST (staff) */
	PAGE_ACCOUNT,		/* /account                GET  (customer) */
	PAGE_ACCOUNT_CHANGE,	/* /account                POST (customer) */
	PAGE_SPLIT,		/* /ticket/N/split         POST (staff) */
	PAGE__MAX
};

enum web_key {
	KEY_PAGE,		/* list/search page number, 1-10000 */
	KEY_STATUS,		/* lifecycle status word */
	KEY_QUEUE,
	KEY_PRIORITY,		/* minor normal major */
	KEY_HOTRUSH,		/* boolean */
	KEY_HIDE,		/* hide closed and rated: boolean */
	KEY_SORT,		/* queue updated created */
	KEY_Q,			/* search text */
	KEY_ID,			/* Message-ID (a lookup; the message to split) */
	KEY_TOKEN,		/* t: signed customer link */
	KEY_CSRF,
	KEY_RATING,		/* 1-5 */
	KEY_COMMENT,
	KEY_OWNER,		/* staff address or "none" */
	KEY_TZ,			/* IANA time zone, e.g. Europe/Berlin */
	KEY_BODY,		/* a staff reply's or note's text */
	KEY_INTERNAL,		/* 1: an internal note, not a reply */
	KEY_CANNED,		/* a canned reply's name, templates/replies */
	KEY_ADDRESS,		/* a CC to add or remove */
	KEY_LANGUAGE,		/* the customer's language: "de", "default" */
	KEY_CC_ACTION,		/* add remove */
	KEY_INTO,		/* the ticket a merge goes into */
	KEY_SUBJECT,		/* a new ticket's subject */
	KEY_CATEGORY,		/* a new ticket's category, 1-based */
	KEY_OTHER,		/* the related ticket to link or unlink */
	KEY_ROLE,		/* a member's role, one of [roles] */
	KEY_ACCOUNT_ACTION,	/* the account form: add remove notify
				 * notifications-off notifications-on */
	KEY__MAX
};

enum web_role { WEB_ANONYMOUS, WEB_CUSTOMER, WEB_STAFF };

struct web_form;

struct web_field {
	bool	 present;
	int64_t	 i;		/* integers, booleans, enums */
	char	*s;		/* the validated text */
};

struct web_request {
	enum web_method	 method;
	enum web_page	 page;
	int64_t		 id;		/* the N in /ticket/N */
	struct web_field fields[KEY__MAX];
	char		*script_name;	/* base of every link */
	char		*remote_user;	/* NULL if none */
	char		*cookie;	/* session cookie value, or NULL */
	char		*tz_cookie;	/* WEB_TZ_COOKIE value, or NULL */
	bool		 https;
	/* A multipart/form-data POST's files (web_form.h), or NULL. */
	struct web_form	*form;
};

struct web_viewer {
	enum web_role	 role;
	char		*address;	/* lower-case mail address */
	char		*user;		/* staff: REMOTE_USER */
	/* What the CSRF token is bound to: the session cookie, or the
	 * staff user name. */
	char		*session;
	char		*set_cookie;	/* a new Set-Cookie value, or NULL */
};

struct web_response {
	int		 status;
	char		*content_type;
	GPtrArray	*headers;	/* "Name: value" strings */
	GBytes		*body;
};

/* Everything a handler needs. */
struct web {
	const struct config	*config;
	struct store		*store;
	struct web_request	*req;
	struct web_viewer	 viewer;
	int64_t			 now;
	char			*templates_dir;	/* .../templates/web */
	GTimeZone		*tz;		/* the viewer's; NULL: local */
	char			*tz_name;	/* its name if chosen, or NULL */
	char			*lang;		/* the pages' language; NULL:
						 * not chosen yet */
};

/* The viewer's strings (po/): gettext, domain "postdesk". */
#define _(s)	dgettext(POSTDESK_TEXTDOMAIN, s)
#define N_(s)	(s)

/*
 * web_lang.c: chooses the pages' language once, before the first
 * string is translated: the signed-in viewer's contact language, else
 * the browser's Accept-Language, else [mail] default_language, each
 * only if a catalog for it is installed in [web] locale_dir (English
 * needs none).  Sets w->lang (for <html lang>) and gettext's language.
 * Later calls do nothing.
 */
void	 web_lang_choose(struct web *);
/* The languages the viewer speaks: English and those with a catalog in
 * [web] locale_dir (NULL-terminated; g_ptr_array_unref). */
GPtrArray *web_lang_catalogs(const struct web *);

GQuark	 web_error_quark(void);

/* web.c: routing, parameters, responses. */
/* The viewer's time zone from ?tz= or the cookie; sets w->tz, and
 * *set_cookie (g_free) when ?tz= chose a new one. */
void	 web_choose_tz(struct web *, char **set_cookie);
bool	 web_tz_valid(const char *name);
/* PATH_INFO → page and id; returns the HTTP status: 200, 404 or 405. */
int	 web_route(const char *path, enum web_method, enum web_page *page,
	    int64_t *id);
bool	 web_page_is_post(enum web_page);
const char *web_key_name(enum web_key);
/* True if the key's value is text of several lines (CR, LF and tab
 * allowed, an empty value kept). */
bool	 web_key_takes_lines(enum web_key);
/* Fills req->fields from an application/x-www-form-urlencoded string;
 * unknown keys are ignored, a bad value is WEB_ERROR_BAD_REQUEST. */
bool	 web_parse_params(struct web_request *, const char *encoded,
	    GError **err);
/* Reads the CGI environment (and the body from IN for POST: a
 * urlencoded form, or multipart/form-data whose files may add up to
 * UPLOAD_MAX bytes, else 413). */
bool	 web_request_from_env(struct web_request **out, FILE *in,
	    uint64_t upload_max, int *status, GError **err);
void	 web_request_free(struct web_request *);
struct web_response *web_response_new(int status, const char *type);
void	 web_response_header(struct web_response *, const char *name,
	    const char *value);
void	 web_response_set_body(struct web_response *, GBytes *);
/* Status line, the fixed security headers, the body unless HEAD. */
bool	 web_response_write(const struct web_response *, bool head,
	    FILE *out);
void	 web_response_free(struct web_response *);
/* Renders templates/web/NAME.html into layout.html with CTX (taken). */
struct web_response *web_render(struct web *, int status, const char *name,
	    const char *title, JsonObject *ctx, GError **err);
/* A 400/403/404/405/500 page in the site's style. */
struct web_response *web_error_page(struct web *, int status,
	    const char *detail);
struct web_response *web_redirect(struct web *, const char *path);
/* Dispatches the request to its page handler.  Always returns a
 * response; an internal failure (a 500/503 page) also sets *err so the
 * program can log it. */
struct web_response *web_handle(struct web *, GError **err);
/* "YYYY-MM-DD HH:MM" local time; g_free. */
char	*web_time(const struct web *, int64_t t);
/* Sets NAME to V, or "" for NULL. */
/*
 * Strings into page data, bounded so that no stored input can push a
 * page past TEMPLATE_OUTPUT_MAX: web_json_str() keeps WEB_FIELD_MAX
 * bytes, web_json_line() (subjects, names, file names) WEB_LINE_MAX; a
 * cut ends in "…" on a character boundary.  Message text goes through
 * web_cut() with the page's budget (web_view.c).
 */
#define WEB_FIELD_MAX	4096
#define WEB_LINE_MAX	300
void	 web_json_str(JsonObject *, const char *name, const char *v);
void	 web_json_line(JsonObject *, const char *name, const char *v);
/* S cut to at most MAX bytes (plus "…"), *cut says if it was. g_free. */
char	*web_cut(const char *s, gsize max, bool *cut);
/* Sets NAME to the local time and NAME_iso to ISO 8601 (for <time>). */
void	 web_json_time(const struct web *, JsonObject *, const char *name,
	    int64_t t);

/* web_auth.c: who is asking, and what may they see. */
/* "ID.B64(MAC)": a link or session id the store knows, signed as KIND
 * ("link" or "session"); g_free. */
char	*web_ref_make(const char *key, const char *kind, const char *id);
/* True if TOKEN is a well-formed KIND reference under KEY; *id (g_free)
 * gets the id.  Whether it is still valid is the store's to say. */
bool	 web_ref_check(const char *key, const char *kind,
	    const char *token, char **id);
/* A stateless link of before revocable links ("EXPIRES.ADDR.MAC"). */
bool	 web_ref_is_legacy(const char *token);
char	*web_csrf_make(const char *key, const char *session, int64_t now);
bool	 web_csrf_check(const char *key, const char *session,
	    const char *token, int64_t now);
bool	 web_equal(const char *a, const char *b);	/* constant time */
/* The value of cookie NAME in a Cookie: header, or NULL; g_free. */
char	*web_cookie_get(const char *header, const char *name);
/* "NAME=VALUE; Path=...; HttpOnly; SameSite=Strict[; Secure]". */
char	*web_cookie_make(const char *value, const char *path,
	    int64_t max_age, bool secure);
/*
 * The staff address for USER, whom the web server authenticated on a
 * request to SCRIPT_NAME, or NULL (not staff); g_free.  Once staff are
 * listed ([staff] addresses, [web] staff_users) only listed users are
 * staff, wherever they came in.  With none listed, USER is staff only
 * on web_staff_path(): as USER if it is an address, else USER@[mail]
 * host.  Pure.
 */
char	*web_staff_address(const struct config *, const char *user,
	    const char *script_name);
/*
 * Once the store has staff accounts (staff.h), they decide instead:
 * the enabled account a [web] staff_users "user=address" entry names,
 * else the one whose address USER is, else the one whose local part
 * USER is (exactly one).  NULL: not staff (a disabled account is not).
 * Pure; g_free.
 */
struct staff_dir;
char	*web_staff_account(const struct config *, const struct staff_dir *,
	    const char *user);
/* Are any staff listed in [staff] addresses or [web] staff_users? */
bool	 web_staff_listed(const struct config *);
/* The staff path of BASE_URL: its path, trailing '/' aside, + "-staff"
 * ("https://h/postdesk" -> "/postdesk-staff"); NULL if it has none. */
char	*web_staff_path(const char *base_url);
/* Sets w->viewer from REMOTE_USER, ?t= or the session cookie. */
bool	 web_viewer_resolve(struct web *, GError **err);
void	 web_viewer_clear(struct web_viewer *);
/* THE access decision: may this viewer see ticket ID at all? */
bool	 web_can_see_ticket(struct web *, int64_t id, bool *yes,
	    GError **err);
/* May this customer act (rate) on the tickets she sees?  Not if her
 * organization role lacks the rate right ([roles], policy.h). */
bool	 web_customer_may_act(struct web *, bool *yes, GError **err);
/* May the customer viewing do PERM (policy.h: POLICY_COMMENT, ...) by
 * her organization role's rights?  *yes false for staff. */
bool	 web_customer_may(struct web *, enum policy_perm, bool *yes,
	    GError **err);
/* The customer address list queries are limited to; NULL for staff. */
const char *web_participant_filter(const struct web *);

/* web_link.c: sign-in links and sessions, decided (pure) here and
 * stored by store_web.c. */
struct store_web_link;
struct store_web_session;
enum web_link_state {
	WEB_LINK_LIVE,
	WEB_LINK_UNKNOWN,	/* no such row */
	WEB_LINK_REVOKED,	/* it, or for a session its link */
	WEB_LINK_EXPIRED
};
const char *web_link_state_to_text(enum web_link_state);
enum web_link_state web_link_decide(const struct store_web_link *,
	    int64_t now);
enum web_link_state web_link_session_decide(const struct store_web_session *,
	    int64_t now);
/* Is it time to write the session's last_seen (WEB_SEEN_INTERVAL)? */
bool	 web_link_touch_due(const struct store_web_session *, int64_t now);
/* [web] link_lifetime and session_lifetime, defaults for values <= 0. */
int64_t	 web_link_lifetime(const struct config *);
int64_t	 web_link_session_lifetime(const struct config *);
/* WEB_LINK_ID_LEN hex digits from getrandom(2) into OUT (size
 * WEB_LINK_ID_LEN + 1). */
bool	 web_link_id_new(char *out, GError **err);
/*
 * The row (members g_free) and the URL (returned, g_free) of a new link
 * with id ID that signs ADDR in and opens TICKET (0: the list).  NULL
 * without [web] link_key or with no '@' in ADDR; ROW is then untouched.
 */
char	*web_link_plan(const struct config *, const char *id,
	    const char *addr, int64_t ticket, int64_t now,
	    struct store_web_link *row);
/* The session (members g_free) that link L opens at NOW with id ID. */
void	 web_link_session_plan(const struct config *,
	    const struct store_web_link *l, const char *id, int64_t now,
	    struct store_web_session *out);
/*
 * Mints a link: plans it and stores its row.  *url (g_free) is what
 * notifications carry as {{ticket.link}}; NULL (and true) without
 * [web] link_key.
 */
bool	 web_link_mint(const struct config *, struct store *,
	    const char *addr, int64_t ticket, int64_t now, char **url,
	    GError **err);

/* web_view.c, web_post.c, web_dash.c: page handlers. */
struct web_response *web_page_list(struct web *, GError **err);
struct web_response *web_page_ticket(struct web *, GError **err);
struct web_response *web_page_search(struct web *, GError **err);
struct web_response *web_page_message(struct web *, GError **err);
struct web_response *web_page_attachment(struct web *, GError **err);
/* The end of a form that changes ticket N in a transaction: commits and
 * goes back to the ticket, or rolls back; a 409 page with REFUSAL
 * (taken) if not NULL, NULL with ERR if !OK. */
struct web_response *web_finish_change(struct web *, bool ok, char *refusal,
	    GError **err);
struct web_response *web_page_rate(struct web *, GError **err);
struct web_response *web_page_update(struct web *, GError **err);
struct web_response *web_page_signout(struct web *, GError **err);
struct web_response *web_page_export(struct web *, GError **err);
struct web_response *web_page_text(struct web *, GError **err);
struct web_response *web_page_reply(struct web *, GError **err);
struct web_response *web_page_merge(struct web *, GError **err);
struct web_response *web_page_split(struct web *, GError **err);
struct web_response *web_page_cc(struct web *, GError **err);
struct web_response *web_page_link(struct web *, GError **err);
/* Would her message on T now open a follow-up (closed longer than the
 * reopen window, lifecycle_on_customer_message())?  Then the portal
 * offers only the follow-up request; within the window her reply
 * reopens T, and so may her form. */
bool	 web_follow_up_only(struct web *, const struct ticket *t, bool *only,
	    GError **err);
struct web_response *web_page_unlink(struct web *, GError **err);
struct web_response *web_page_language(struct web *, GError **err);
struct web_response *web_page_post(struct web *, GError **err);
struct web_response *web_page_change(struct web *, GError **err);
struct web_response *web_page_new(struct web *, GError **err);
struct web_response *web_page_create(struct web *, GError **err);
/* web_account.c: her organization's members and her notification
 * address; *yes if the list page links it (she manages members). */
struct web_response *web_page_account(struct web *, GError **err);
struct web_response *web_page_account_change(struct web *, GError **err);
bool	 web_account_linked(struct web *, bool *yes, GError **err);
struct web_response *web_page_dashboard(struct web *, GError **err);
struct web_response *web_page_style(struct web *, GError **err);

#endif
