/* lang: the language tags of Content-Language and Accept-Language. */
#include "pdconfig.h"

#include <glib.h>

#include "lang.h"

static void
test_text_to_lang(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ "de", "de" }, { "DE", "de" }, { "de-AT", "de" },
		{ "de_AT.UTF-8", "de" }, { "gsw-CH", "gsw" }, { " fr ", "fr" },
		{ "*", NULL }, { "i-klingon", NULL }, { "x-foo", NULL },
		{ "", NULL }, { "e", NULL }, { "deutsch", NULL },
		{ "d3", NULL }, { "-de", NULL },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*got = NULL;
		bool	 ok = text_to_lang(&got, cases[i].in);

		g_test_message("case %zu: \"%s\"", i, cases[i].in);
		if (cases[i].want == NULL)
			g_assert_false(ok);
		else {
			g_assert_true(ok);
			g_assert_cmpstr(got, ==, cases[i].want);
		}
		g_free(got);
	}
}

static void
test_content_language(void)
{
	char	*got = NULL;

	g_assert_true(lang_from_content_language(&got, "de-DE, en"));
	g_assert_cmpstr(got, ==, "de");
	g_clear_pointer(&got, g_free);
	g_assert_true(lang_from_content_language(&got, "  it"));
	g_assert_cmpstr(got, ==, "it");
	g_clear_pointer(&got, g_free);
	g_assert_false(lang_from_content_language(&got, ""));
	g_assert_false(lang_from_content_language(&got, "x-pig-latin"));
	g_assert_false(lang_from_content_language(&got, ", , "));
	g_assert_null(got);
}

static void
test_accept(void)
{
	static const char *const sup[] = { "en", "de", "fr", NULL };
	static const struct {
		const char	*header;
		const char	*want;	/* NULL: none acceptable */
	} cases[] = {
		{ "de-CH, en;q=0.8", "de" },
		{ "fr;q=0.5, de;q=0.9", "de" },		/* q, not order */
		{ "it, fr;q=0.4, de;q=0.4", "fr" },	/* ties: order */
		{ "it, es", NULL },
		{ "*", NULL },				/* "*" never chooses */
		{ "de;q=0, fr;q=0.1", "fr" },		/* q=0: not acceptable */
		{ "de;q=0", NULL },
		{ "de;q=abc, fr", "fr" },		/* malformed skipped */
		{ "DE-at", "de" },
		{ "", NULL },
		{ ";;;, ,q=1", NULL },
		{ "en;q=1.000, de;q=1", "en" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = lang_accept(cases[i].header, sup);

		g_test_message("case %zu: \"%s\"", i, cases[i].header);
		g_assert_cmpstr(got, ==, cases[i].want);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lang/text-to-lang", test_text_to_lang);
	g_test_add_func("/lang/content-language", test_content_language);
	g_test_add_func("/lang/accept-language", test_accept);
	return g_test_run();
}
