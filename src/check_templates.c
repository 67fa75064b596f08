/*
 * check_templates: does every kind of outgoing mail find its template,
 * in every shipped language, and does every template parse?  The same
 * lookup as postdesk-notify (template_find() under DIR/mail) and the
 * CGI (DIR/web/NAME.html).
 */
#include "pdconfig.h"

#include <string.h>

#include "check.h"
#include "lang.h"
#include "template.h"

/* Every template the programs ask for: postdesk-templates(5) FILES. */
const char *const check_mail_kinds[] = {
	"new-ticket", "staff-notification", "reply-to-customer",
	"comment-notification", "pre-closed", "closed", "follow-up-opened",
	"out-of-scope", "view-only-refusal", "command-transcript",
	"address-confirm", "address-changed", "escalation",
	"member-invitation", "rating-comment",
	"portal-only",		/* [mail] customer_replies = portal */
	"rating-request",	/* [lifecycle] rating_request (solved.conf) */
	NULL
};
const char *const check_web_pages[] = {
	"layout", "list", "ticket", "search", "dashboard", "error", "new",
	"account", NULL
};

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
 * Each kind is found without a language, and has its own file in every
 * language LANGS ships: template_find() would quietly fall back to
 * NAME.txt, so a translation is looked for as exactly NAME.LANG.txt.
 */
static void
check_kinds(GPtrArray *a, const char *mail, GPtrArray *langs)
{
	size_t	 i;
	guint	 j;

	for (i = 0; check_mail_kinds[i] != NULL; i++) {
		char	*p = template_find(mail, check_mail_kinds[i], "txt",
		    NULL, NULL);

		if (p == NULL) {
			check_add(a, "templates", "no template %s.txt in %s",
			    check_mail_kinds[i], mail);
			continue;
		}
		g_free(p);
		for (j = 0; j < langs->len; j++) {
			char	*f = g_strdup_printf("%s.%s.txt",
			    check_mail_kinds[i], (char *)langs->pdata[j]);

			p = g_build_filename(mail, f, NULL);
			if (!g_file_test(p, G_FILE_TEST_IS_REGULAR))
				check_add(a, "templates", "no template %s "
				    "for language %s in %s (%s.txt is sent "
				    "instead)", f, (char *)langs->pdata[j],
				    mail, check_mail_kinds[i]);
			g_free(p);
			g_free(f);
		}
	}
}

static gint
path_order(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
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
	g_ptr_array_sort(names, path_order);
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
check_queue_templates(GPtrArray *a, const struct config *c)
{
	guint	 i;

	for (i = 0; c->queues[i] != NULL; i++) {
		const struct config_queue *q = c->queues[i];
		char	*mail;

		if (q->templates_dir == NULL)
			continue;
		mail = g_build_filename(q->templates_dir, "mail", NULL);
		if (!g_file_test(mail, G_FILE_TEST_IS_DIR))
			check_add(a, "templates", "[queue.%s] templates: %s is "
			    "not a directory (the brand's mail/ templates)",
			    q->name, mail);
		else
			check_all_parse(a, mail, 0);
		g_free(mail);
	}
}

void
check_templates(GPtrArray *a, const char *dir)
{
	char		*mail, *web;
	GPtrArray	*langs;

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
		langs = lang_shipped(mail, check_mail_kinds);
		check_kinds(a, mail, langs);
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
