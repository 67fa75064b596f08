/*
 * oauth2_http: the token and device authorization endpoints, with
 * libcurl (oauth2.h).  POSTs form fields, reads at most
 * OAUTH2_MAX_ANSWER bytes of JSON, follows no redirect.
 */
#include "pdconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

#include <curl/curl.h>

#include "oauth2.h"

#define DEVICE_GRANT	"urn:ietf:params:oauth:grant-type:device_code"

struct oauth2 {
	const struct config_oauth2 *a;
	int			 timeout;
	struct oauth2_token	 held;
	char			*refused;	/* the server said no to it */
};

static int64_t
now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	GString	*g = arg;

	if (g->len + size * n > OAUTH2_MAX_ANSWER)
		return 0;	/* curl stops: CURLE_WRITE_ERROR */
	g_string_append_len(g, data, (gssize)(size * n));
	return size * n;
}

/* "name=value&..." from NULL-terminated name, value pairs. */
static char *
form(CURL *h, const char *const *kv)
{
	GString	*g = g_string_new(NULL);
	size_t	 i;

	for (i = 0; kv[i] != NULL; i += 2) {
		char	*v;

		if (kv[i + 1] == NULL)
			continue;
		v = curl_easy_escape(h, kv[i + 1], 0);
		g_string_append_printf(g, "%s%s=%s", g->len > 0 ? "&" : "",
		    kv[i], v != NULL ? v : "");
		curl_free(v);
	}
	return g_string_free(g, FALSE);
}

/* POSTs KV to URL; *BODY is the answer (any status) to g_string_free. */
static bool
post(const char *url, const char *const *kv, int timeout, GString **body,
    GError **err)
{
	CURL		 *h = curl_easy_init();
	struct curl_slist *hdr = NULL;
	char		  errbuf[CURL_ERROR_SIZE] = "";
	char		 *fields;
	long		  status = 0;
	CURLcode	  rc;

	if (h == NULL) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_HTTP,
		    "curl_easy_init failed");
		return false;
	}
	fields = form(h, kv);
	*body = g_string_new(NULL);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)MIN(timeout, 30));
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "postdesk/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, fields);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, *body);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	memset(fields, 0, strlen(fields));
	g_free(fields);
	curl_easy_cleanup(h);
	/* A 5xx page is an outage, not an answer. */
	if (rc != CURLE_OK || status >= 500) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_HTTP, "%s: %s",
		    url, rc != CURLE_OK ? (*errbuf ? errbuf :
		    curl_easy_strerror(rc)) : "the server answered 5xx");
		g_string_free(*body, TRUE);
		*body = NULL;
		return false;
	}
	return true;
}

/* Refreshes of one token file, one at a time; close() unlocks. */
static int
lock_file(const struct config_oauth2 *a, GError **err)
{
	char	*p = g_strconcat(a->token_file, ".lock", NULL);
	int	 fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	while (fd >= 0 && flock(fd, LOCK_EX) != 0 && errno == EINTR)
		;
	if (fd < 0)
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_FILE, "%s: %s", p,
		    g_strerror(errno));
	g_free(p);
	return fd;
}

/* The token endpoint's answer to KV at NOW. */
static bool
token_request(const struct config_oauth2 *a, int timeout,
    const char *const *kv, struct oauth2_token *out, GError **err)
{
	GString	*body = NULL;
	int64_t	 now = now_s();
	bool	 ok;

	memset(out, 0, sizeof *out);
	if (!post(a->token_url, kv, timeout, &body, err))
		return false;
	ok = oauth2_parse_token(body->str, body->len, now, out, err);
	memset(body->str, 0, body->len);
	g_string_free(body, TRUE);
	return ok;
}

static bool
refresh(struct oauth2 *o, const char *rt, struct oauth2_token *out,
    GError **err)
{
	const struct config_oauth2 *a = o->a;
	const char *const kv[] = {
		"grant_type", "refresh_token",
		"refresh_token", rt,
		"client_id", a->client_id,
		"client_secret", a->client_secret,
		"scope", a->scope,
		NULL, NULL
	};

	return token_request(a, o->timeout, kv, out, err);
}

struct oauth2 *
oauth2_new(const struct config_oauth2 *a, int timeout)
{
	struct oauth2	*o = g_new0(struct oauth2, 1);

	o->a = a;
	o->timeout = timeout > 0 ? timeout : 60;
	return o;
}

void
oauth2_free(struct oauth2 *o)
{
	if (o == NULL)
		return;
	oauth2_token_clear(&o->held);
	g_free(o->refused);
	g_free(o);
}

const struct config_oauth2 *
oauth2_account(const struct oauth2 *o)
{
	return o->a;
}

void
oauth2_forget(struct oauth2 *o)
{
	if (o->held.access_token == NULL)
		return;
	g_free(o->refused);
	o->refused = g_strdup(o->held.access_token);
	oauth2_token_clear(&o->held);
}

static bool
usable(const struct oauth2 *o, const struct oauth2_token *t)
{
	return oauth2_token_fresh(t, now_s()) && (o->refused == NULL ||
	    strcmp(o->refused, t->access_token) != 0);
}

/* Under the lock: the file's token, or a new one written back. */
static bool
renew(struct oauth2 *o, GError **err)
{
	struct oauth2_token ft, nt;
	GError		*e = NULL;

	if (!oauth2_file_read(o->a->token_file, &ft, err))
		return false;
	if (usable(o, &ft)) {	/* another process renewed it */
		oauth2_token_clear(&o->held);
		o->held = ft;
		return true;
	}
	if (!refresh(o, ft.refresh_token, &nt, &e)) {
		/* Dead: keep no access token that could look alive. */
		if (g_error_matches(e, OAUTH2_ERROR, OAUTH2_ERROR_GRANT) &&
		    ft.access_token != NULL) {
			g_clear_pointer(&ft.access_token, g_free);
			(void)oauth2_file_write(o->a->token_file, &ft, NULL);
		}
		g_propagate_error(err, e);
		oauth2_token_clear(&ft);
		return false;
	}
	/* No refresh_token in the answer: the old one stays valid. */
	if (nt.refresh_token == NULL) {
		nt.refresh_token = ft.refresh_token;
		ft.refresh_token = NULL;
	}
	oauth2_token_clear(&ft);
	oauth2_token_clear(&o->held);
	o->held = nt;
	g_clear_pointer(&o->refused, g_free);
	return oauth2_file_write(o->a->token_file, &o->held, err);
}

bool
oauth2_access_token(struct oauth2 *o, const char **token, GError **err)
{
	int	 fd;
	bool	 ok;

	if (!usable(o, &o->held)) {
		if ((fd = lock_file(o->a, err)) < 0)
			return false;
		ok = renew(o, err);
		close(fd);
		if (!ok)
			return false;
	}
	*token = o->held.access_token;
	return true;
}

/* Polls until approved, refused or expired; *OUT has the tokens. */
static bool
poll_device(const struct config_oauth2 *a, int timeout,
    const struct oauth2_device *d, struct oauth2_token *out, GError **err)
{
	const char *const kv[] = {
		"grant_type", DEVICE_GRANT,
		"device_code", d->device_code,
		"client_id", a->client_id,
		"client_secret", a->client_secret,
		NULL, NULL
	};
	int	 interval = d->interval;
	GError	*e = NULL;

	while (now_s() + interval < d->expires_at) {
		/* RFC 8628 3.5: wait the interval before each request. */
		g_usleep((gulong)interval * G_USEC_PER_SEC);
		if (token_request(a, timeout, kv, out, &e))
			return true;
		if (g_error_matches(e, OAUTH2_ERROR, OAUTH2_ERROR_SLOW_DOWN))
			interval += 5;
		else if (!g_error_matches(e, OAUTH2_ERROR,
		    OAUTH2_ERROR_PENDING) && !g_error_matches(e, OAUTH2_ERROR,
		    OAUTH2_ERROR_HTTP)) {
			g_propagate_error(err, e);
			return false;
		}
		g_clear_error(&e);
	}
	g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_EXPIRED, "the code "
	    "expired before it was entered; run the login again");
	return false;
}

bool
oauth2_login(const struct config_oauth2 *a, int timeout, FILE *out,
    GError **err)
{
	const char *const kv[] = {
		"client_id", a->client_id,
		"scope", a->scope,
		NULL, NULL
	};
	struct oauth2_device d;
	struct oauth2_token t;
	GString	*body = NULL;
	int	 fd;
	bool	 ok;

	if (a->device_url == NULL || a->client_id == NULL) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_REFUSED,
		    "[oauth2.%s] needs client_id and device_url (or a "
		    "provider)", a->name);
		return false;
	}
	if (!post(a->device_url, kv, timeout, &body, err))
		return false;
	ok = oauth2_parse_device(body->str, body->len, now_s(), &d, err);
	g_string_free(body, TRUE);
	if (!ok)
		return false;
	fprintf(out, "To sign in, open %s\nand enter the code %s\n",
	    d.verification_uri, d.user_code);
	if (d.verification_uri_complete != NULL)
		fprintf(out, "(or open %s)\n", d.verification_uri_complete);
	fprintf(out, "Waiting for the sign-in (%" G_GINT64_FORMAT
	    " minutes at most)...\n", (d.expires_at - now_s() + 59) / 60);
	fflush(out);
	ok = poll_device(a, timeout, &d, &t, err);
	oauth2_device_clear(&d);
	if (!ok)
		return false;
	if (t.refresh_token == NULL) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_REFUSED, "signed "
		    "in, but no refresh token came (does scope ask for "
		    "offline_access?)");
		oauth2_token_clear(&t);
		return false;
	}
	if ((fd = lock_file(a, err)) < 0) {
		oauth2_token_clear(&t);
		return false;
	}
	ok = oauth2_file_write(a->token_file, &t, err);
	close(fd);
	oauth2_token_clear(&t);
	return ok;
}
