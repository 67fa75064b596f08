/*
 * template_find: choosing the template file for a queue and a language;
 * see template.h for the order.  Queue and language names come from the
 * database and from mail headers, so each one must be a single plain
 * path component before it is joined to the directory.
 */
#include <string.h>

#include <glib.h>

#include "template.h"

/* One path component, no tricks: not empty, no separators, no "..". */
static bool
safe_component(const char *s)
{
	const char	*p;

	if (s == NULL || *s == '\0' || *s == '.' || strstr(s, "..") != NULL)
		return false;
	for (p = s; *p != '\0'; p++)
		if (*p == '/' || *p == '\\' || g_ascii_iscntrl(*p))
			return false;
	return true;
}

/*
 * "de_AT.UTF-8@euro" -> "de_AT" in *full and "de" in *shrt (NULL when
 * there is no region).  False if LANG is unsafe.  Both NULL (and true)
 * for no language: NULL, "", "C" or "POSIX".
 */
static bool
split_lang(const char *lang, char **full, char **shrt)
{
	size_t	 n;

	*full = *shrt = NULL;
	if (lang == NULL || *lang == '\0')
		return true;
	/* Judge the whole string: "../x" must not pass as "" below. */
	if (!safe_component(lang))
		return false;
	*full = g_strndup(lang, strcspn(lang, ".@"));
	if (**full == '\0' || strcmp(*full, "C") == 0 ||
	    strcmp(*full, "POSIX") == 0) {
		g_clear_pointer(full, g_free);
		return true;
	}
	if (!safe_component(*full)) {
		g_clear_pointer(full, g_free);
		return false;
	}
	n = strcspn(*full, "_-");
	if (n > 0 && (*full)[n] != '\0')
		*shrt = g_strndup(*full, n);
	return true;
}

/* Adds DIR[/QUEUE]/NAME[.LANG].EXT to CANDIDATES. */
static void
add_candidate(GPtrArray *candidates, const char *dir, const char *queue,
    const char *name, const char *lang, const char *ext)
{
	char	*file;

	if (lang != NULL)
		file = g_strconcat(name, ".", lang, ".", ext, NULL);
	else
		file = g_strconcat(name, ".", ext, NULL);
	g_ptr_array_add(candidates,
	    g_build_filename(dir, queue != NULL ? queue : file,
	    queue != NULL ? file : NULL, NULL));
	g_free(file);
}

char *
template_find(const char *dir, const char *name, const char *ext,
    const char *queue, const char *lang)
{
	GPtrArray	*candidates;
	char		*full, *shrt, *found = NULL;
	const char	*q;
	guint		 i;
	int		 pass;

	g_return_val_if_fail(dir != NULL && name != NULL && ext != NULL,
	    NULL);
	if (*ext == '.')
		ext++;
	if (queue != NULL && *queue == '\0')
		queue = NULL;
	if (!safe_component(name) || !safe_component(ext) ||
	    (queue != NULL && !safe_component(queue)))
		return NULL;
	if (!split_lang(lang, &full, &shrt))
		return NULL;

	candidates = g_ptr_array_new_with_free_func(g_free);
	/* The queue's own directory first, then the shared one. */
	for (pass = 0; pass < 2; pass++) {
		q = pass == 0 ? queue : NULL;
		if (pass == 0 && queue == NULL)
			continue;
		if (full != NULL)
			add_candidate(candidates, dir, q, name, full, ext);
		if (shrt != NULL)
			add_candidate(candidates, dir, q, name, shrt, ext);
		add_candidate(candidates, dir, q, name, NULL, ext);
	}
	for (i = 0; i < candidates->len && found == NULL; i++) {
		const char *path = g_ptr_array_index(candidates, i);

		if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			found = g_strdup(path);
	}
	g_ptr_array_unref(candidates);
	g_free(full);
	g_free(shrt);
	return found;
}
