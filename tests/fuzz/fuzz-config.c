/*
 * libFuzzer harness for config.c (postdesk.conf and its [lifecycle]
 * groups, lifecycle_conf.c).  Build: tests/fuzz/run.sh config
 *
 * config_load() reads a path, so the input is written to a file in a
 * private directory (no drop-in directory beside it).  An input holding
 * three NUL bytes in a row is split there: the part after them is the
 * EXTRA file of config_load_extra() (postdesk-fetch --fetch-config).
 *
 * Besides not crashing, checks the documented contract: a load that
 * fails sets a CONFIG_ERROR "FILE:LINE: reason" (or "FILE: reason" when
 * the line is not known) naming one of the two files and leaves *out alone (and, by LeakSanitizer, nothing
 * allocated); a load that succeeds passed the semantic checks (an
 * address with '@', a subject tag without [ ] #, a known fetch mode,
 * intervals in range, a life-cycle set), and its lists hold trimmed,
 * non-empty, valid UTF-8 entries, paths resolved to absolute ones.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"

static char	*dir, *main_path, *extra_path;

static void
write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL || (size > 0 && fwrite(data, size, 1, f) != 1) ||
	    fclose(f) != 0)
		abort();
}

static void
check_entry(const char *s, bool lowered)
{
	size_t n = strlen(s);

	if (n == 0 || !g_utf8_validate(s, -1, NULL) ||
	    g_ascii_isspace(s[0]) || g_ascii_isspace(s[n - 1]))
		abort();
	for (; lowered && *s != '\0'; s++)
		if (g_ascii_isupper(*s))
			abort();
}

static void
check_list(char *const *v, bool lowered)
{
	for (; v != NULL && *v != NULL; v++)
		check_entry(*v, lowered);
}

static void
check_path(const char *p)
{
	if (p != NULL && (!g_path_is_absolute(p) ||
	    !g_utf8_validate(p, -1, NULL)))
		abort();
}

static void
check_config(const struct config *c)
{
	char *const *p;

	if (c->path == NULL || strcmp(c->path, main_path) != 0 ||
	    c->address == NULL || strchr(c->address, '@') == NULL ||
	    c->subject_tag == NULL || *c->subject_tag == '\0' ||
	    strpbrk(c->subject_tag, "[]#") != NULL || c->host == NULL ||
	    c->busy_timeout < 0 || c->busy_timeout > G_MAXINT ||
	    c->fetch_poll_interval < 1 || c->lifecycle == NULL)
		abort();
	if (strcmp(c->fetch_after, "seen") != 0 &&
	    strcmp(c->fetch_after, "delete") != 0 &&
	    (strcmp(c->fetch_after, "move") != 0 || c->fetch_move_to == NULL ||
	    *c->fetch_move_to == '\0'))
		abort();
	if (!g_utf8_validate(c->address, -1, NULL) ||
	    !g_utf8_validate(c->subject_tag, -1, NULL) ||
	    !g_utf8_validate(c->host, -1, NULL))
		abort();
	check_list(c->own_addresses, true);
	check_list(c->staff_addresses, true);
	check_list(c->web_staff_users, true);
	check_list(c->fetch_sources, false);
	check_list(c->trusted_authserv_ids, false);
	for (p = c->rules_scripts; p != NULL && *p != NULL; p++)
		check_path(*p);
	check_path(c->store_path);
	check_path(c->templates_dir);
	check_path(c->fetch_ca_file);
	check_path(c->smtp_ca_file);
	check_path(c->auth_dns_records);
	if (c->smtp_url != NULL && *c->smtp_url == '\0')
		abort();
}

/* "FILE:LINE: reason" for one of the files read. */
static void
check_error(const GError *e, bool extra)
{
	const char	*m, *p;
	size_t		 n;

	if (e == NULL || e->domain != CONFIG_ERROR || e->message == NULL)
		abort();
	m = e->message;
	n = strlen(main_path);
	if (strncmp(m, main_path, n) == 0 && m[n] == ':')
		p = m + n + 1;
	else if (extra && strncmp(m, extra_path, strlen(extra_path)) == 0 &&
	    m[strlen(extra_path)] == ':')
		p = m + strlen(extra_path) + 1;
	else
		abort();
	/* lifecycle_conf.c's where() gives "FILE: " when it cannot find
	 * the line (a key from a drop-in or EXTRA): allowed. */
	if (*p == ' ')
		return;
	if (!g_ascii_isdigit(*p))
		abort();
	while (g_ascii_isdigit(*p))
		p++;
	if (*p != ':')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sep[3] = { 0, 0, 0 };
	struct config	*c = (struct config *)&sep, *before;
	const uint8_t	*split = NULL;
	GError		*err = NULL;
	size_t		 i;
	bool		 ok;

	if (dir == NULL) {
		dir = g_dir_make_tmp("fuzz-config-XXXXXX", NULL);
		if (dir == NULL)
			abort();
		main_path = g_build_filename(dir, "postdesk.conf", NULL);
		extra_path = g_build_filename(dir, "fetch.conf", NULL);
	}
	for (i = 0; split == NULL && i + 3 <= size; i++)
		if (memcmp(data + i, sep, 3) == 0)
			split = data + i;
	if (split != NULL) {
		write_file(main_path, data, (size_t)(split - data));
		write_file(extra_path, split + 3, size - (size_t)(split - data) - 3);
	} else
		write_file(main_path, data, size);
	before = c;
	ok = config_load_extra(&c, main_path, split != NULL ? extra_path : NULL,
	    &err);
	if (ok) {
		if (err != NULL || c == before)
			abort();
		check_config(c);
		config_free(c);
	} else {
		if (c != before)
			abort();
		check_error(err, split != NULL);
		g_clear_error(&err);
	}
	return 0;
}
