/*
 * web_lang: the viewer's language (web.h).
 *
 * glibc's gettext translates nothing in the "C" locale, whatever
 * LANGUAGE says, and a CGI inherits no locale; a web server host need
 * not have any locale generated either.  C.UTF-8 is built into glibc
 * (2.35+; Debian ships it in libc-bin) and is not "C", so gettext
 * honours LANGUAGE there: the CGI sets LC_ALL to C.UTF-8 and LANGUAGE
 * to the chosen language.  Formats stay those of C (dates are
 * formatted by GLib from fixed patterns anyway).
 */
#include "pdconfig.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "lang.h"
#include "web.h"

/* A catalog for LANG in DIR?  English is the text itself. */
static bool
have_catalog(const char *dir, const char *lang)
{
	char	*p;
	bool	 yes;

	if (lang == NULL)
		return false;
	if (strcmp(lang, "en") == 0)
		return true;
	p = g_build_filename(dir, lang, "LC_MESSAGES",
	    POSTDESK_TEXTDOMAIN ".mo", NULL);
	yes = g_file_test(p, G_FILE_TEST_IS_REGULAR);
	g_free(p);
	return yes;
}

/* The languages with a catalog in DIR, and English. */
static GPtrArray *
catalogs(const char *dir)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	GDir		*d = g_dir_open(dir, 0, NULL);
	const char	*f;
	char		*lang;

	g_ptr_array_add(a, g_strdup("en"));
	while (d != NULL && (f = g_dir_read_name(d)) != NULL)
		if (text_to_lang(&lang, f) && strcmp(lang, f) == 0 &&
		    strcmp(lang, "en") != 0 && have_catalog(dir, lang))
			g_ptr_array_add(a, lang);
		else
			g_free(lang);
	if (d != NULL)
		g_dir_close(d);
	g_ptr_array_add(a, NULL);
	return a;
}

GPtrArray *
web_lang_catalogs(const struct web *w)
{
	return catalogs(w->config->web_locale_dir);
}

void
web_lang_choose(struct web *w)
{
	const char	*dir = w->config->web_locale_dir;
	GPtrArray	*have;
	char		*lang = NULL;

	if (w->lang != NULL)
		return;
	/* A failed read only loses her choice: the browser's is next. */
	if (w->store != NULL && w->viewer.address != NULL &&
	    (!store_contact_language(w->store, w->viewer.address, &lang,
	    NULL) || !have_catalog(dir, lang)))
		g_clear_pointer(&lang, g_free);
	if (lang == NULL) {
		have = catalogs(dir);
		lang = lang_accept(g_getenv("HTTP_ACCEPT_LANGUAGE"),
		    (const char *const *)have->pdata);
		g_ptr_array_unref(have);
	}
	if (lang == NULL && have_catalog(dir, w->config->default_language))
		lang = g_strdup(w->config->default_language);
	if (lang == NULL)
		lang = g_strdup("en");
	w->lang = lang;
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		(void)setlocale(LC_ALL, "");
	g_setenv("LANGUAGE", lang, TRUE);
	bindtextdomain(POSTDESK_TEXTDOMAIN, dir);
	bind_textdomain_codeset(POSTDESK_TEXTDOMAIN, "UTF-8");
}
