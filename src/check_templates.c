/*
 * check_templates: does every kind of outgoing mail find its template,
 * in every shipped language, and does every template parse?  The same
 * lookup as postdesk-notify (template_find() under DIR/mail) and the
 * CGI (DIR/web/NAME.html).
 */
#include "pdconfig.h"

#include <string.h>

#include "check.h"
#include "template.h"

/* Every template the programs ask for: postdesk-templates(5) FILES. */
const char *const check_mail_kinds[] = {
	"new-ticket", "staff-notification", "reply-to-customer",
	"comment-notification", "pre-closed", "closed", "follow-up-opened",
	"out-of-scope", "view-only-refusal", "command-transcript",
	"address-confirm", "address-changed",
	"rating-request",	/* [lifecycle] rating_request (solved.conf) */
	NULL
};
const char *const check_web_pages[] = {
	"layout", "list", "ticket", "search", "dashboard", "error", NULL
};

static bool
is_kind(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; check_mail_kinds[i] != NULL; i++)
		if (strlen(check_mail_kinds[i]) == len &&
		    strncmp(check_mail_kinds[i], name, len) == 0)
			return true;
	return false;
}

/* The languages of DIR's KIND.LANG.txt files, sorted, unique. */
static GPtrArray *
languages(const char *dir)
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
		    !is_kind(f, (size_t)(dot - f)))
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
	g_ptr_array_sort(a, (GCompareFunc)g_strcmp0);
	return a;
}

static void
check_parses(GPtrArray *a, const char *path)
{
	struct template	*t = NULL;
	GError		*e = NULL;

	if (template_load(&t, path, &e)) {
		template_free(t);
		return;
	}
	check_add(a, "templates", "%s", e->message);
	g_error_free(e);
}

/*
 * Each kind in language LANG (NULL: none) is found.  A kind missing
 * without a language is one problem, not one more per language.
 */
static void
check_kinds(GPtrArray *a, const char *mail, const char *lang)
{
	size_t	 i;

	for (i = 0; check_mail_kinds[i] != NULL; i++) {
		char	*p = template_find(mail, check_mail_kinds[i], "txt",
		    NULL, lang), *base = NULL;

		if (p == NULL && lang != NULL)
			base = template_find(mail, check_mail_kinds[i], "txt",
			    NULL, NULL);
		if (p == NULL && lang != NULL && base == NULL) {
			/* Already reported by the pass without language. */
		} else if (p == NULL)
			check_add(a, "templates", "no template %s.txt%s%s in "
			    "%s", check_mail_kinds[i], lang != NULL ?
			    " for language " : "", lang != NULL ? lang : "",
			    mail);
		g_free(p);
		g_free(base);
	}
}

/* Every .txt in MAIL and its queue directories parses. */
static void
check_all_parse(GPtrArray *a, const char *mail, int depth)
{
	GDir		*d = g_dir_open(mail, 0, NULL);
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	const char	*f;
	guint		 i;

	while (d != NULL && (f = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_build_filename(mail, f, NULL));
	if (d != NULL)
		g_dir_close(d);
	/* Sorted: the same report, line for line, every run. */
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (i = 0; i < names->len; i++) {
		const char *p = g_ptr_array_index(names, i);

		if (g_str_has_suffix(p, ".txt") &&
		    g_file_test(p, G_FILE_TEST_IS_REGULAR))
			check_parses(a, p);
		else if (depth == 0 && g_file_test(p, G_FILE_TEST_IS_DIR))
			check_all_parse(a, p, 1);
	}
	g_ptr_array_free(names, TRUE);
}

static void
check_web(GPtrArray *a, const char *web)
{
	size_t	 i;
	char	*p;

	for (i = 0; check_web_pages[i] != NULL; i++) {
		char	*file = g_strconcat(check_web_pages[i], ".html", NULL);

		p = g_build_filename(web, file, NULL);
		g_free(file);
		if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
			check_add(a, "templates", "no page %s.html in %s",
			    check_web_pages[i], web);
		else
			check_parses(a, p);
		g_free(p);
	}
	p = g_build_filename(web, "style.css", NULL);
	if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
		check_add(a, "templates", "no style.css in %s", web);
	g_free(p);
}

void
check_templates(GPtrArray *a, const char *dir)
{
	char		*mail, *web;
	GPtrArray	*langs;
	guint		 i;

	if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		check_add(a, "templates", "[templates] dir %s is not a "
		    "directory", dir != NULL ? dir : "(unset)");
		return;
	}
	mail = g_build_filename(dir, "mail", NULL);
	web = g_build_filename(dir, "web", NULL);
	if (!g_file_test(mail, G_FILE_TEST_IS_DIR))
		check_add(a, "templates", "%s is not a directory: [templates] "
		    "dir is the directory with mail/ and web/ below it", mail);
	else {
		langs = languages(mail);
		check_kinds(a, mail, NULL);
		for (i = 0; i < langs->len; i++)
			check_kinds(a, mail, langs->pdata[i]);
		g_ptr_array_free(langs, TRUE);
		check_all_parse(a, mail, 0);
	}
	if (!g_file_test(web, G_FILE_TEST_IS_DIR))
		check_add(a, "templates", "%s is not a directory: [templates] "
		    "dir is the directory with mail/ and web/ below it", web);
	else
		check_web(a, web);
	g_free(mail);
	g_free(web);
}
