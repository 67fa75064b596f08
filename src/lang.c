/*
 * lang: language tags of mail headers and browsers (lang.h).
 */
#include "pdconfig.h"

#include <stdlib.h>
#include <string.h>

#include "lang.h"

bool
text_to_lang(char **out, const char *s)
{
	size_t	 n, i;

	*out = NULL;
	if (s == NULL)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, "-_.@ \t;,");
	if (n < 2 || n > 3)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalpha(s[i]))
			return false;
	*out = g_ascii_strdown(s, (gssize)n);
	return true;
}

bool
lang_from_content_language(char **out, const char *header)
{
	char	*first;
	bool	 ok;

	*out = NULL;
	if (header == NULL)
		return false;
	first = g_strndup(header, strcspn(header, ","));
	ok = text_to_lang(out, g_strstrip(first));
	g_free(first);
	return ok;
}

/* ";q=0.8" among an item's parameters → 0..1000; -1 if malformed. */
static int
quality(const char *params)
{
	const char	*p = params;
	int		 q = 1000, scale = 100;

	while (p != NULL && (p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if ((*p != 'q' && *p != 'Q') || p[1] != '=')
			continue;
		p += 2;
		if (*p != '0' && *p != '1')
			return -1;
		q = (*p - '0') * 1000;
		if (*++p == '.')
			for (p++; g_ascii_isdigit(*p) && scale > 0; p++) {
				q += (*p - '0') * scale;
				scale /= 10;
			}
		if (q > 1000)
			return -1;
	}
	return q;
}

struct accept_item {
	char	*lang;
	int	 q;
	guint	 order;
};

static int
by_preference(gconstpointer a, gconstpointer b)
{
	const struct accept_item *x = *(struct accept_item *const *)a;
	const struct accept_item *y = *(struct accept_item *const *)b;

	if (x->q != y->q)
		return y->q - x->q;
	return (int)x->order - (int)y->order;
}

static void
accept_item_free(gpointer p)
{
	struct accept_item *it = p;

	g_free(it->lang);
	g_free(it);
}

char *
lang_accept(const char *header, const char *const *supported)
{
	GPtrArray	*items;
	char		**v, *found = NULL;
	guint		 i, j;

	if (header == NULL || supported == NULL)
		return NULL;
	items = g_ptr_array_new_with_free_func(accept_item_free);
	/* A browser sends a dozen at most; more is not a browser. */
	v = g_strsplit(header, ",", 64);
	for (i = 0; v[i] != NULL; i++) {
		struct accept_item *it;
		char	*lang;
		int	 q = quality(strchr(v[i], ';'));

		if (q <= 0 || !text_to_lang(&lang, v[i]))
			continue;
		it = g_new0(struct accept_item, 1);
		it->lang = lang;
		it->q = q;
		it->order = i;
		g_ptr_array_add(items, it);
	}
	g_strfreev(v);
	g_ptr_array_sort(items, by_preference);
	for (i = 0; i < items->len && found == NULL; i++) {
		const struct accept_item *it = items->pdata[i];

		for (j = 0; supported[j] != NULL && found == NULL; j++)
			if (strcmp(supported[j], it->lang) == 0)
				found = g_strdup(it->lang);
	}
	g_ptr_array_unref(items);
	return found;
}

static int
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_kind(const char *const *kinds, const char *name, size_t len)
{
	size_t	 i;

	if (kinds == NULL)
		return true;
	for (i = 0; kinds[i] != NULL; i++)
		if (strlen(kinds[i]) == len &&
		    strncmp(kinds[i], name, len) == 0)
			return true;
	return false;
}

GPtrArray *
lang_shipped(const char *dir, const char *const *kinds)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	GDir		*d = g_dir_open(dir, 0, NULL);
	const char	*f, *dot, *ext;
	guint		 i;

	while (d != NULL && (f = g_dir_read_name(d)) != NULL) {
		char	*lang;
		bool	 dup = false;

		if (!g_str_has_suffix(f, ".txt") || (dot = strchr(f, '.')) ==
		    NULL || (ext = strrchr(f, '.')) == dot ||
		    !is_kind(kinds, f, (size_t)(dot - f)))
			continue;
		lang = g_strndup(dot + 1, (size_t)(ext - dot - 1));
		for (i = 0; i < a->len && !dup; i++)
			dup = strcmp(a->pdata[i], lang) == 0;
		if (dup)
			g_free(lang);
		else
			g_ptr_array_add(a, lang);
	}
	if (d != NULL)
		g_dir_close(d);
	g_ptr_array_sort(a, by_name);
	return a;
}
