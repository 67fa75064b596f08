/*
 * oauth2: token endpoint answers, expiry and the token file (oauth2.h).
 * Pure but for the files; the network is in oauth2_http.c.
 */
#include "pdconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <json-glib/json-glib.h>

#include "oauth2.h"

G_DEFINE_QUARK(postdesk-oauth2-error-quark, oauth2_error)

/* A server's words, made safe for a log line: printable ASCII, short. */
static char *
printable(const char *s)
{
	GString	*g = g_string_new(NULL);

	for (; s != NULL && *s != '\0' && g->len < 200; s++)
		g_string_append_c(g, *s >= 0x20 && *s < 0x7f ? *s : '?');
	return g_string_free(g, FALSE);
}

static JsonObject *
parse_object(JsonParser *p, const char *body, size_t len, GError **err)
{
	JsonNode *root;

	if (len > OAUTH2_MAX_ANSWER || !json_parser_load_from_data(p, body,
	    (gssize)len, NULL) || (root = json_parser_get_root(p)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_BAD_ANSWER,
		    "the answer is not a JSON object");
		return NULL;
	}
	return json_node_get_object(root);
}

/* A string member, or NULL (absent, null, or not a string). */
static const char *
member_string(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

/* A number member, also as a string of digits (older Azure sent
 * "3599"); false if absent or not a number. */
static bool
member_int(JsonObject *o, const char *name, int64_t *out)
{
	JsonNode *n = json_object_get_member(o, name);
	guint64	 v;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return false;
	if (json_node_get_value_type(n) == G_TYPE_INT64) {
		*out = json_node_get_int(n);
		return true;
	}
	if (json_node_get_value_type(n) == G_TYPE_STRING &&
	    g_ascii_string_to_unsigned(json_node_get_string(n), 10, 0,
	    G_MAXINT32, &v, NULL)) {
		*out = (int64_t)v;
		return true;
	}
	return false;
}

static const struct {
	const char		*error;
	enum oauth2_error_code	 code;
} error_codes[] = {
	{ "invalid_grant", OAUTH2_ERROR_GRANT },
	{ "authorization_pending", OAUTH2_ERROR_PENDING },
	{ "slow_down", OAUTH2_ERROR_SLOW_DOWN },
	{ "expired_token", OAUTH2_ERROR_EXPIRED },
	{ "access_denied", OAUTH2_ERROR_DENIED },
};

/* {"error": ...}: false with its code; true if O is no error. */
static bool
answer_error(JsonObject *o, GError **err)
{
	const char	*e = member_string(o, "error");
	const char	*d = member_string(o, "error_description");
	enum oauth2_error_code code = OAUTH2_ERROR_REFUSED;
	char		*pe, *pd;
	size_t		 i;

	if (e == NULL)
		return true;
	for (i = 0; i < G_N_ELEMENTS(error_codes); i++)
		if (strcmp(e, error_codes[i].error) == 0)
			code = error_codes[i].code;
	pe = printable(e);
	pd = printable(d);
	g_set_error(err, OAUTH2_ERROR, code, "%s%s%s", pe, *pd ? ": " : "",
	    pd);
	g_free(pe);
	g_free(pd);
	return false;
}

bool
oauth2_parse_token(const char *body, size_t len, int64_t now,
    struct oauth2_token *out, GError **err)
{
	JsonParser	*p = json_parser_new();
	JsonObject	*o;
	const char	*at, *type, *rt;
	int64_t		 life = OAUTH2_DEFAULT_LIFETIME;
	bool		 ok = false;

	memset(out, 0, sizeof *out);
	if ((o = parse_object(p, body, len, err)) == NULL ||
	    !answer_error(o, err))
		goto out;
	at = member_string(o, "access_token");
	type = member_string(o, "token_type");
	rt = member_string(o, "refresh_token");
	if (at == NULL || *at == '\0' || strpbrk(at, "\001\r\n") != NULL)
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_BAD_ANSWER,
		    "the answer has no usable access_token");
	else if (type != NULL && g_ascii_strcasecmp(type, "bearer") != 0)
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_BAD_ANSWER,
		    "token_type is not Bearer");
	else {
		(void)member_int(o, "expires_in", &life);
		out->access_token = g_strdup(at);
		out->refresh_token = rt != NULL && *rt != '\0' ?
		    g_strdup(rt) : NULL;
		/* Negative or zero: usable for this one connection only. */
		out->expires_at = now + MAX(life, 0);
		ok = true;
	}
out:
	g_object_unref(p);
	return ok;
}

bool
oauth2_parse_device(const char *body, size_t len, int64_t now,
    struct oauth2_device *out, GError **err)
{
	JsonParser	*p = json_parser_new();
	JsonObject	*o;
	const char	*dc, *uc, *uri, *uric;
	int64_t		 life = 0, interval = 5;
	bool		 ok = false;

	memset(out, 0, sizeof *out);
	if ((o = parse_object(p, body, len, err)) == NULL ||
	    !answer_error(o, err))
		goto out;
	dc = member_string(o, "device_code");
	uc = member_string(o, "user_code");
	/* Google says verification_url. */
	uri = member_string(o, "verification_uri");
	if (uri == NULL)
		uri = member_string(o, "verification_url");
	uric = member_string(o, "verification_uri_complete");
	if (dc == NULL || uc == NULL || uri == NULL ||
	    !member_int(o, "expires_in", &life) || life <= 0) {
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_BAD_ANSWER,
		    "the answer lacks device_code, user_code, "
		    "verification_uri or expires_in");
		goto out;
	}
	(void)member_int(o, "interval", &interval);
	out->device_code = g_strdup(dc);
	out->user_code = printable(uc);
	out->verification_uri = printable(uri);
	out->verification_uri_complete = uric != NULL ? printable(uric) :
	    NULL;
	out->expires_at = now + life;
	out->interval = (int)CLAMP(interval, 1, 60);
	ok = true;
out:
	g_object_unref(p);
	return ok;
}

bool
oauth2_token_fresh(const struct oauth2_token *t, int64_t now)
{
	return t->access_token != NULL &&
	    t->expires_at - OAUTH2_EXPIRY_MARGIN > now;
}

void
oauth2_token_clear(struct oauth2_token *t)
{
	if (t->access_token != NULL)
		memset(t->access_token, 0, strlen(t->access_token));
	if (t->refresh_token != NULL)
		memset(t->refresh_token, 0, strlen(t->refresh_token));
	g_free(t->access_token);
	g_free(t->refresh_token);
	memset(t, 0, sizeof *t);
}

void
oauth2_device_clear(struct oauth2_device *d)
{
	g_free(d->device_code);
	g_free(d->user_code);
	g_free(d->verification_uri);
	g_free(d->verification_uri_complete);
	memset(d, 0, sizeof *d);
}

bool
oauth2_file_read(const char *path, struct oauth2_token *out, GError **err)
{
	JsonParser	*p;
	JsonObject	*o;
	char		*text = NULL;
	gsize		 len;
	GError		*e = NULL;
	const char	*rt, *at;
	int64_t		 exp = 0;
	bool		 ok = false;

	memset(out, 0, sizeof *out);
	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, OAUTH2_ERROR, g_error_matches(e, G_FILE_ERROR,
		    G_FILE_ERROR_NOENT) ? OAUTH2_ERROR_NO_LOGIN :
		    OAUTH2_ERROR_FILE, "%s (run \"postdesk oauth2 login\")",
		    e->message);
		g_error_free(e);
		return false;
	}
	p = json_parser_new();
	if ((o = parse_object(p, text, len, NULL)) == NULL ||
	    (rt = member_string(o, "refresh_token")) == NULL || *rt == '\0')
		g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_NO_LOGIN,
		    "%s: no refresh token (run \"postdesk oauth2 login\")",
		    path);
	else {
		out->refresh_token = g_strdup(rt);
		if ((at = member_string(o, "access_token")) != NULL &&
		    *at != '\0' && member_int(o, "expires_at", &exp)) {
			out->access_token = g_strdup(at);
			out->expires_at = exp;
		}
		ok = true;
	}
	g_object_unref(p);
	memset(text, 0, len);
	g_free(text);
	return ok;
}

/* DATA to PATH: PATH.tmp (0600, never through a link), fsync, rename,
 * then the directory synced so the rename itself survives a crash. */
static bool
write_atomic(const char *path, const char *data, size_t len, GError **err)
{
	char	*tmp = g_strconcat(path, ".tmp", NULL);
	char	*dir = g_path_get_dirname(path);
	int	 fd, dfd, saved;
	size_t	 done = 0;
	bool	 ok = false;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		goto fail;
	/* O_CREAT keeps an existing file's mode: set it. */
	if (fchmod(fd, 0600) != 0)
		goto fail_close;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail_close;
		done += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail_close;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	ok = true;
	goto out;
fail_close:
	saved = errno;
	close(fd);
	errno = saved;
fail:
	saved = errno;
	(void)unlink(tmp);
	g_set_error(err, OAUTH2_ERROR, OAUTH2_ERROR_FILE, "%s: %s", path,
	    g_strerror(saved));
out:
	g_free(tmp);
	g_free(dir);
	return ok;
}

bool
oauth2_file_write(const char *path, const struct oauth2_token *t,
    GError **err)
{
	JsonBuilder	*b = json_builder_new();
	JsonGenerator	*g = json_generator_new();
	JsonNode	*root;
	char		*text;
	gsize		 len;
	bool		 ok;

	g_return_val_if_fail(t->refresh_token != NULL, false);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "refresh_token");
	json_builder_add_string_value(b, t->refresh_token);
	if (t->access_token != NULL) {
		json_builder_set_member_name(b, "access_token");
		json_builder_add_string_value(b, t->access_token);
		json_builder_set_member_name(b, "expires_at");
		json_builder_add_int_value(b, t->expires_at);
	}
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	json_generator_set_pretty(g, TRUE);
	text = json_generator_to_data(g, &len);
	ok = write_atomic(path, text, len, err);
	memset(text, 0, len);
	g_free(text);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return ok;
}

char *
oauth2_report_path(const struct config_oauth2 *a)
{
	return g_strconcat(a->token_file, ".reported", NULL);
}

/* The "EPOCH WHAT" lines of PATH but WHAT's, as one string. */
static GString *
report_lines(const char *path, const char *what, int64_t *when)
{
	char	*text = NULL, **lines;
	GString	*keep = g_string_new(NULL);
	size_t	 i;

	*when = 0;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return keep;
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		char	*sp = strchr(lines[i], ' ');
		gint64	 t;

		if (sp == NULL)
			continue;
		*sp = '\0';
		if (!g_ascii_string_to_signed(lines[i], 10, 0, G_MAXINT64, &t,
		    NULL))
			continue;
		if (strcmp(sp + 1, what) == 0)
			*when = t;
		else
			g_string_append_printf(keep, "%s %s\n", lines[i],
			    sp + 1);
	}
	g_strfreev(lines);
	g_free(text);
	return keep;
}

bool
oauth2_report_due(const char *path, const char *what, int64_t now,
    int64_t every)
{
	int64_t	 when;
	GString	*keep = report_lines(path, what, &when);

	if (when > 0 && now - when < every && now >= when) {
		g_string_free(keep, TRUE);
		return false;
	}
	g_string_append_printf(keep, "%" G_GINT64_FORMAT " %s\n", now, what);
	(void)write_atomic(path, keep->str, keep->len, NULL);
	g_string_free(keep, TRUE);
	return true;
}

void
oauth2_report_clear(const char *path, const char *what)
{
	int64_t	 when;
	GString	*keep = report_lines(path, what, &when);

	if (when > 0) {
		if (keep->len > 0)
			(void)write_atomic(path, keep->str, keep->len, NULL);
		else
			(void)unlink(path);
	}
	g_string_free(keep, TRUE);
}
