/*
 * smtp: libcurl SMTP client and the sendmail fallback.
 */
#include "pdconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <curl/curl.h>

#include "oauth2.h"
#include "smtp.h"

struct smtp {
	const struct config	*c;
	CURL			*curl;
	bool			 reuse;
	char			 errbuf[CURL_ERROR_SIZE];
	GString			*last_reply;	/* the server's last line */
	GString			*refusal;	/* its last 4xx/5xx line */
	struct oauth2		*oauth2;	/* [notify] oauth2; NULL */
	const char		*bearer;	/* its token, this attempt */
	bool			 login_denied;	/* the last attempt's */
};

/* The message being uploaded, with CRLF line ends. */
struct upload {
	const char	*data;
	size_t		 len;
	size_t		 pos;
};

const char *
smtp_result_to_text(enum smtp_result r)
{
	static const char *const names[SMTP_RESULT__MAX] = {
		"sent", "temporary failure", "permanent failure",
		"no OAuth2 access token"
	};

	return r < SMTP_RESULT__MAX ? names[r] : "?";
}

struct smtp *
smtp_new(const struct config *c)
{
	struct smtp	*s = g_new0(struct smtp, 1);

	s->c = c;
	s->reuse = c->reuse_connection;
	s->last_reply = g_string_new(NULL);
	s->refusal = g_string_new(NULL);
	if (c->smtp_oauth2 != NULL)
		s->oauth2 = oauth2_new(config_oauth2(c, c->smtp_oauth2),
		    (int)c->smtp_timeout);
	return s;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		curl_easy_cleanup(s->curl);
	g_string_free(s->last_reply, TRUE);
	g_string_free(s->refusal, TRUE);
	oauth2_free(s->oauth2);
	g_free(s);
}

void
smtp_set_reuse(struct smtp *s, bool reuse)
{
	s->reuse = reuse;
}

static size_t
read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 want = size * n, left = u->len - u->pos;

	if (want > left)
		want = left;
	memcpy(buf, u->data + u->pos, want);
	u->pos += want;
	return want;
}

/* Keeps the last line the server sent: its reply to our last command. */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t len, void *arg)
{
	struct smtp	*s = arg;

	(void)h;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	g_string_truncate(s->last_reply, 0);
	g_string_append_len(s->last_reply, data, (gssize)MIN(len, 500));
	/* After a refusal curl says QUIT; the refusal is what matters. */
	if (len >= 3 && (data[0] == '4' || data[0] == '5') &&
	    g_ascii_isdigit(data[1]) && g_ascii_isdigit(data[2]))
		g_string_assign(s->refusal, s->last_reply->str);
	return 0;
}

static GString *
to_crlf(GBytes *raw)
{
	gsize		 len, i;
	const char	*d = g_bytes_get_data(raw, &len);
	GString		*g = g_string_sized_new(len + len / 32 + 2);

	for (i = 0; i < len; i++) {
		if (d[i] == '\n' && (i == 0 || d[i - 1] != '\r'))
			g_string_append_c(g, '\r');
		g_string_append_c(g, d[i]);
	}
	return g;
}

static void
setup_handle(struct smtp *s)
{
	const struct config *c = s->c;

	if (s->curl == NULL)
		s->curl = curl_easy_init();
	curl_easy_setopt(s->curl, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT,
	    (long)MAX(1, MIN(c->smtp_timeout, 30)));
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)c->smtp_timeout);
	curl_easy_setopt(s->curl, CURLOPT_FORBID_REUSE, s->reuse ? 0L : 1L);
	if (c->smtp_starttls)
		curl_easy_setopt(s->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->smtp_ca_file != NULL)
		curl_easy_setopt(s->curl, CURLOPT_CAINFO, c->smtp_ca_file);
	if (s->bearer != NULL) {
		/* XOAUTH2 as smtp_user: what Microsoft and Google take. */
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(s->curl, CURLOPT_XOAUTH2_BEARER, s->bearer);
		curl_easy_setopt(s->curl, CURLOPT_LOGIN_OPTIONS,
		    "AUTH=XOAUTH2");
	} else if (c->smtp_user != NULL) {
		curl_easy_setopt(s->curl, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(s->curl, CURLOPT_PASSWORD,
		    c->smtp_password != NULL ? c->smtp_password : "");
	}
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(s->curl, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(s->curl, CURLOPT_DEBUGDATA, s);
}

static enum smtp_result
classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return SMTP_SENT;
	/* A refused login is a configuration problem: keep the mail. */
	if (rc == CURLE_LOGIN_DENIED)
		return SMTP_TEMPFAIL;
	if (code >= 500 && code < 600)
		return SMTP_PERMFAIL;
	return SMTP_TEMPFAIL;
}

static enum smtp_result
send_curl(struct smtp *s, const char *from, const char *rcpt, GBytes *raw,
    char **reply, bool *connected)
{
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	GString		*body = to_crlf(raw);
	struct upload	 u = { body->str, body->len, 0 };
	char		*mfrom = g_strdup_printf("<%s>", from);
	CURLcode	 rc;
	long		 code = 0;
	enum smtp_result r;

	setup_handle(s);
	s->errbuf[0] = '\0';
	g_string_truncate(s->last_reply, 0);
	g_string_truncate(s->refusal, 0);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mfrom);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)body->len);
	rc = curl_easy_perform(s->curl);
	s->login_denied = rc == CURLE_LOGIN_DENIED;
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	r = classify(rc, code);
	*connected = code > 0;
	if (r != SMTP_SENT && s->refusal->len > 0)
		*reply = g_strdup(s->refusal->str);
	else if (s->last_reply->len > 0)
		*reply = g_strdup(s->last_reply->str);
	else
		*reply = g_strdup(*s->errbuf ? s->errbuf :
		    curl_easy_strerror(rc));
	if (r != SMTP_SENT && s->last_reply->len > 0 && *s->errbuf) {
		char *t = *reply;

		*reply = g_strdup_printf("%s (%s)", t, s->errbuf);
		g_free(t);
	}
	/* The handle keeps pointers to these: clear them before freeing. */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);
	g_string_free(body, TRUE);
	g_free(mfrom);
	return r;
}

/* Milliseconds left until DEADLINE (g_get_monotonic_time), at least 0. */
static int
ms_left(gint64 deadline)
{
	gint64	 left = (deadline - g_get_monotonic_time()) / 1000;

	return left <= 0 ? 0 : left > G_MAXINT ? G_MAXINT : (int)left;
}

/* Writes all of D to the non-blocking FD before DEADLINE; false if the
 * reader went away or stopped reading. */
static bool
write_until(int fd, const char *d, gsize len, gint64 deadline)
{
	struct pollfd	 p = { fd, POLLOUT, 0 };

	while (len > 0) {
		ssize_t n = write(fd, d, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (ms_left(deadline) == 0 ||
			    (poll(&p, 1, ms_left(deadline)) < 0 &&
			    errno != EINTR))
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		d += n;
		len -= (gsize)n;
	}
	return true;
}

/* Reaps PID if it exits before DEADLINE; false if it did not. */
static bool
wait_until(GPid pid, int *status, gint64 deadline)
{
	struct pollfd	 p = { -1, POLLIN, 0 };
	int		 rc;

	/* A pidfd turns "exited" into an event poll() can wait for. */
	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd >= 0) {
		while ((rc = poll(&p, 1, ms_left(deadline))) < 0 &&
		    errno == EINTR)
			;
		close(p.fd);
		if (rc == 0)
			return false;
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return true;
}

/* In the child: the notifier ignores SIGPIPE (a sendmail that exits
 * without reading must not kill it), but an ignored signal survives
 * exec, and sendmail expects the default. */
static void
default_sigpipe(gpointer unused)
{
	(void)unused;
	(void)signal(SIGPIPE, SIG_DFL);
}

/* sendmail -i -f FROM -- RCPT, message on stdin; no shell involved. */
static enum smtp_result
send_sendmail(struct smtp *s, const char *from, const char *rcpt,
    GBytes *raw, char **reply)
{
	GPtrArray	*argv = g_ptr_array_new();
	char		**cmd = NULL;
	GError		*e = NULL;
	GPid		 pid;
	int		 in, status = 0, i;
	gint64		 deadline;
	gsize		 len;
	const char	*d = g_bytes_get_data(raw, &len);
	bool		 wrote;

	if (!g_shell_parse_argv(s->c->sendmail, NULL, &cmd, &e)) {
		*reply = g_strdup_printf("[notify] sendmail: %s", e->message);
		g_error_free(e);
		g_ptr_array_free(argv, TRUE);
		return SMTP_TEMPFAIL;
	}
	for (i = 0; cmd[i] != NULL; i++)
		g_ptr_array_add(argv, cmd[i]);
	g_ptr_array_add(argv, "-i");
	g_ptr_array_add(argv, "-f");
	g_ptr_array_add(argv, (char *)from);
	g_ptr_array_add(argv, "--");
	g_ptr_array_add(argv, (char *)rcpt);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL,
	    G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, default_sigpipe, NULL,
	    &pid, &in, NULL, NULL, &e)) {
		*reply = g_strdup_printf("sendmail: %s", e->message);
		g_error_free(e);
		g_strfreev(cmd);
		g_ptr_array_free(argv, TRUE);
		return SMTP_TEMPFAIL;
	}
	/* A sendmail that hangs (a stuck queue, a full disk, a lock) must
	 * not stop the notifier: it gets [notify] timeout like SMTP does. */
	deadline = g_get_monotonic_time() +
	    (gint64)MAX(1, s->c->smtp_timeout) * G_USEC_PER_SEC;
	(void)fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
	wrote = write_until(in, d, len, deadline);
	close(in);
	if (!wait_until(pid, &status, deadline)) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		g_spawn_close_pid(pid);
		g_strfreev(cmd);
		g_ptr_array_free(argv, TRUE);
		*reply = g_strdup_printf("sendmail: no answer within %d s, "
		    "stopped", (int)MAX(1, s->c->smtp_timeout));
		return SMTP_TEMPFAIL;
	}
	g_spawn_close_pid(pid);
	g_strfreev(cmd);
	g_ptr_array_free(argv, TRUE);
	if (wrote && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		*reply = g_strdup("sendmail: accepted");
		return SMTP_SENT;
	}
	*reply = WIFEXITED(status) ? g_strdup_printf("sendmail: exit %d",
	    WEXITSTATUS(status)) : g_strdup("sendmail: killed by a signal");
	/* sysexits: these say the message can never be delivered. */
	if (WIFEXITED(status) && (WEXITSTATUS(status) == EX_DATAERR ||
	    WEXITSTATUS(status) == EX_NOUSER ||
	    WEXITSTATUS(status) == EX_NOHOST ||
	    WEXITSTATUS(status) == EX_UNAVAILABLE ||
	    WEXITSTATUS(status) == EX_NOPERM))
		return SMTP_PERMFAIL;
	return SMTP_TEMPFAIL;
}

/* The bearer for this attempt into S, or SMTP_NO_TOKEN and *REPLY. */
static bool
get_bearer(struct smtp *s, char **reply)
{
	GError	*e = NULL;

	if (oauth2_access_token(s->oauth2, &s->bearer, &e))
		return true;
	*reply = g_strdup_printf("[oauth2.%s]: %s",
	    oauth2_account(s->oauth2)->name, e->message);
	g_error_free(e);
	s->bearer = NULL;
	return false;
}

/*
 * XOAUTH2: an access token the server refuses (revoked, or expired
 * early) is dropped and the message tried once more with a new one, on
 * a new connection; the refresh then tells if the account is dead.
 */
static enum smtp_result
send_oauth2(struct smtp *s, const char *from, const char *rcpt,
    GBytes *raw, char **reply)
{
	enum smtp_result r;
	bool		 connected = false;

	if (!get_bearer(s, reply))
		return SMTP_NO_TOKEN;
	r = send_curl(s, from, rcpt, raw, reply, &connected);
	if (!s->login_denied) {
		s->bearer = NULL;
		return r;
	}
	g_free(*reply);
	oauth2_forget(s->oauth2);
	if (!get_bearer(s, reply))
		return SMTP_NO_TOKEN;
	curl_easy_cleanup(s->curl);	/* a new session for the new token */
	s->curl = NULL;
	r = send_curl(s, from, rcpt, raw, reply, &connected);
	s->bearer = NULL;
	return r;
}

enum smtp_result
smtp_send(struct smtp *s, const char *from, const char *rcpt, GBytes *raw,
    char **reply)
{
	enum smtp_result r;
	bool		 connected = false;
	char		*why;

	if (s->c->smtp_url == NULL && s->c->sendmail != NULL)
		return send_sendmail(s, from, rcpt, raw, reply);
	if (s->c->smtp_url == NULL) {
		*reply = g_strdup("neither [notify] smtp_url nor sendmail set");
		return SMTP_TEMPFAIL;
	}
	if (s->oauth2 != NULL)
		return send_oauth2(s, from, rcpt, raw, reply);
	r = send_curl(s, from, rcpt, raw, reply, &connected);
	/* The server is unreachable: the local MTA may still take it. */
	if (r == SMTP_TEMPFAIL && !connected && s->c->sendmail != NULL) {
		why = *reply;
		r = send_sendmail(s, from, rcpt, raw, reply);
		if (r != SMTP_SENT) {
			char *t = *reply;

			*reply = g_strdup_printf("%s; fallback %s", why, t);
			g_free(t);
		}
		g_free(why);
	}
	return r;
}
