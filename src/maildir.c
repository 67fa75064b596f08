/*
 * maildir: one Maildir folder on disk.
 */
#include "pdconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "maildir.h"

void
maildir_entry_free(struct maildir_entry *e)
{
	if (e == NULL)
		return;
	g_free(e->path);
	g_free(e->key);
	g_free(e);
}

static struct maildir_entry *
entry_new(const char *sub, const char *name, bool in_new)
{
	struct maildir_entry *e = g_new0(struct maildir_entry, 1);
	const char	*info = strstr(name, ":2,");

	e->path = g_build_filename(sub, name, NULL);
	e->key = info != NULL ? g_strndup(name, (gsize)(info - name)) :
	    g_strdup(name);
	e->seen = info != NULL && strchr(info + 3, 'S') != NULL;
	e->in_new = in_new;
	return e;
}

static bool
list_sub(const char *dir, const char *subname, bool unseen_only,
    GPtrArray *a, GError **err)
{
	char		*sub = g_build_filename(dir, subname, NULL);
	GDir		*d = g_dir_open(sub, 0, err);
	const char	*name;

	if (d == NULL) {
		g_free(sub);
		return false;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		struct maildir_entry *e;

		/* Dot files are not messages (e.g. Dovecot's indexes). */
		if (name[0] == '.')
			continue;
		e = entry_new(sub, name, strcmp(subname, "new") == 0);
		if (unseen_only && e->seen)
			maildir_entry_free(e);
		else
			g_ptr_array_add(a, e);
	}
	g_dir_close(d);
	g_free(sub);
	return true;
}

static gint
by_key(gconstpointer a, gconstpointer b)
{
	const struct maildir_entry *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

bool
maildir_list(const char *dir, bool unseen_only, GPtrArray **out,
    GError **err)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)maildir_entry_free);

	if (!list_sub(dir, "cur", unseen_only, a, err) ||
	    !list_sub(dir, "new", unseen_only, a, err)) {
		g_prefix_error(err, "%s: not a Maildir: ", dir);
		g_ptr_array_free(a, TRUE);
		return false;
	}
	g_ptr_array_sort(a, by_key);
	*out = a;
	return true;
}

/* FLAGS with S added, kept in ASCII order as the convention asks. */
static char *
flags_with_seen(const char *flags)
{
	GString	*g = g_string_new(NULL);
	bool	 done = false;

	for (; *flags != '\0'; flags++) {
		if (!done && *flags >= 'S') {
			g_string_append_c(g, 'S');
			done = true;
		}
		if (*flags != 'S')
			g_string_append_c(g, *flags);
	}
	if (!done)
		g_string_append_c(g, 'S');
	return g_string_free(g, FALSE);
}

bool
maildir_mark_seen(const char *dir, const struct maildir_entry *e,
    GError **err)
{
	const char	*base = strrchr(e->path, G_DIR_SEPARATOR);
	const char	*info;
	char		*flags, *name, *to;
	bool		 ok = true;

	base = base != NULL ? base + 1 : e->path;
	info = strstr(base, ":2,");
	flags = flags_with_seen(info != NULL ? info + 3 : "");
	name = g_strdup_printf("%s:2,%s", e->key, flags);
	to = g_build_filename(dir, "cur", name, NULL);
	if (g_rename(e->path, to) != 0) {
		int	 saved = errno;

		g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
		    "rename %s: %s", e->path, g_strerror(saved));
		ok = false;
	}
	g_free(flags);
	g_free(name);
	g_free(to);
	return ok;
}

bool
maildir_remove(const struct maildir_entry *e, GError **err)
{
	int	 saved;

	if (g_unlink(e->path) == 0 || errno == ENOENT)
		return true;
	saved = errno;
	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
	    "unlink %s: %s", e->path, g_strerror(saved));
	return false;
}
