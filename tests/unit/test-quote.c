/*
 * Unit tests for src/quote.c: a table of small cases, the sample
 * messages in tests/data/quote (NNNN-what.txt against
 * NNNN-what.expected) and robustness checks.
 */
#include <string.h>

#include <glib.h>

#include "htmltext.h"
#include "quote.h"

#ifndef QUOTE_DATA_DIR
#define QUOTE_DATA_DIR "tests/data/quote"
#endif

struct qcase {
	const char	*name;
	const char	*in;
	const char	*fresh;
	const char	*sig;		/* NULL: not checked */
	gboolean	 quoted;	/* expect non-empty quoted part */
};

#define GMAIL_EN "On Mon, Jan 1, 2024 at 10:00 AM Support <s@example.com>"

static const struct qcase cases[] = {
	{ "empty", "", "", "", FALSE },
	{ "no-quote",
	  "Hello,\n\nMy printer is broken.\n\nThanks\nBob\n",
	  "Hello,\n\nMy printer is broken.\n\nThanks\nBob", "", FALSE },
	{ "en-attribution",
	  "Thanks, it works.\n\n" GMAIL_EN " wrote:\n> Please retry.\n>\n"
	  "> Regards\n",
	  "Thanks, it works.", "", TRUE },
	{ "en-attribution-wrapped",
	  "Yes.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Very Long Team Name <\n"
	  "support@example.com> wrote:\n\n> Did it work?\n",
	  "Yes.", "", TRUE },
	{ "en-attribution-no-prefix",
	  "Done.\n\n" GMAIL_EN " wrote:\n\nPrevious text, not prefixed.\n",
	  "Done.", "", TRUE },
	{ "en-thunderbird",
	  "Fixed now.\n\nOn 1/2/24 10:00 AM, Ann Lee wrote:\n> broken\n",
	  "Fixed now.", "", TRUE },
	{ "en-bare-wrote",
	  "Answer.\n\nAnn Lee wrote:\n> question\n", "Answer.", "", TRUE },
	{ "de-attribution",
	  "Danke!\n\nAm 01.02.2024 um 10:00 schrieb Max Muster "
	  "<max@example.de>:\n> Bitte testen.\n",
	  "Danke!", "", TRUE },
	{ "de-attribution-wrapped",
	  "Danke!\n\nAm Mo., 5. Feb. 2024 um 10:00 Uhr schrieb Support Team <"
	  "\nsupport@example.com>:\n> Text\n",
	  "Danke!", "", TRUE },
	{ "fr-attribution",
	  "Merci.\n\nLe lun. 5 f\xc3\xa9vr. 2024 \xc3\xa0 10:00, Jean Dupont "
	  "<jean@exemple.fr> a \xc3\xa9" "crit :\n> Bonjour\n",
	  "Merci.", "", TRUE },
	{ "fr-attribution-nbsp",
	  "Merci.\n\nLe 5 f\xc3\xa9vr. 2024, Jean <j@exemple.fr> a "
	  "\xc3\xa9" "crit\xc2\xa0:\n> Bonjour\n",
	  "Merci.", "", TRUE },
	{ "fr-attribution-wrapped",
	  "Merci.\n\nLe lun. 5 f\xc3\xa9vr. 2024 \xc3\xa0 10:00, Jean Dupont "
	  "<jean@exemple.fr> a\n\xc3\xa9" "crit :\n\n> Bonjour\n",
	  "Merci.", "", TRUE },
	{ "es-attribution",
	  "Gracias.\n\nEl lun, 5 feb 2024 a las 10:00, Juan "
	  "(<juan@ejemplo.es>) escribi\xc3\xb3:\n> Hola\n",
	  "Gracias.", "", TRUE },
	{ "guard-on-prose",
	  "On Monday the server crashed again.\nPlease check the logs.\n",
	  "On Monday the server crashed again.\nPlease check the logs.",
	  "", FALSE },
	{ "guard-on-wrote-far",
	  "On 5 May I\nlooked at it\nand then wrote:\nthe fix\n",
	  "On 5 May I\nlooked at it\nand then wrote:\nthe fix", "", FALSE },
	{ "guard-on-no-date",
	  "On second thought I wrote:\nnothing\n",
	  "On second thought I wrote:\nnothing", "", FALSE },
	{ "outlook-original",
	  "See below.\n\n-----Original Message-----\nFrom: Ann\n"
	  "Sent: Monday\nTo: Bob\nSubject: Hi\n\nOld\n",
	  "See below.", "", TRUE },
	{ "outlook-express-original",
	  "See below.\n\n----- Original Message -----\nFrom: Ann\n",
	  "See below.", "", TRUE },
	{ "de-original",
	  "Siehe unten.\n\n-----Urspr\xc3\xbcngliche Nachricht-----\n"
	  "Von: Anna\n", "Siehe unten.", "", TRUE },
	{ "outlook-headers-en",
	  "Ok.\n\nFrom: Support <s@x.com>\nSent: Monday, January 1, 2024\n"
	  "To: Bob <b@x.com>\nSubject: RE: [Support #12] Printer\n\nOld\n",
	  "Ok.", "", TRUE },
	{ "outlook-headers-bold",
	  "Ok.\n\n*From:* Support <s@x.com>\n*Sent:* Monday\n"
	  "*To:* Bob\n*Subject:* RE: x\n\nOld\n", "Ok.", "", TRUE },
	{ "outlook-headers-fr",
	  "D'accord.\n\nDe : Support <s@x.fr>\nEnvoy\xc3\xa9 : lundi 5 "
	  "f\xc3\xa9vrier 2024 10:00\n\xc3\x80 : Bob\nObjet : RE: test\n\n"
	  "Ancien\n", "D'accord.", "", TRUE },
	{ "outlook-headers-de",
	  "Gut.\n\nVon: Support <s@x.de>\nGesendet: Montag, 5. Februar 2024"
	  "\nAn: Bob\nBetreff: AW: Test\n\nAlt\n", "Gut.", "", TRUE },
	{ "outlook-underscores",
	  "Fine.\n\n________________________________\nFrom: Support "
	  "<s@x.com>\nSent: Monday\n\nOld\n", "Fine.", "", TRUE },
	{ "guard-underscores-alone",
	  "Sign here: ________________________\n\n"
	  "________________________________\nThanks\n",
	  "Sign here: ________________________\n\n"
	  "________________________________\nThanks", "", FALSE },
	{ "marker-zendesk",
	  "My reply\n\n##- Please type your reply above this line -##\n\n"
	  "Your request #5 was updated.\n", "My reply", "", TRUE },
	{ "marker-generic",
	  "Reply\n-- Reply above this line --\nTicket text\n", "Reply", "",
	  TRUE },
	{ "marker-postdesk-quoted",
	  "Answer\n\n" GMAIL_EN " wrote:\n> " QUOTE_REPLY_MARKER "\n"
	  "> Ticket #5 updated\n", "Answer", "", TRUE },
	{ "marker-postdesk-bare",
	  "Answer\n" QUOTE_REPLY_MARKER "\nnot a > line\n", "Answer", "",
	  TRUE },
	{ "trailing-block",
	  "Sure.\n\n> old\n> old\n", "Sure.", "", TRUE },
	{ "nested-quotes",
	  "Ok\n\nOn 1 Jan 2024, Ann wrote:\n> Bob wrote:\n>> deep\n> mid\n",
	  "Ok", "", TRUE },
	{ "bottom-post",
	  "On Jan 1, 2024, at 10:00, Ann <a@x.org> wrote:\n> Question?\n\n"
	  "Answer here.\n", "Answer here.", "", TRUE },
	{ "interleaved",
	  "> Question 1?\nAnswer 1\n\n> Question 2?\nAnswer 2\n\n"
	  "> Thanks\n> Ann\n",
	  "> Question 1?\nAnswer 1\n\n> Question 2?\nAnswer 2", "", TRUE },
	{ "only-quote", "> a\n> b\n", "", "", TRUE },
	{ "signature",
	  "Thanks\n\n-- \nBob Smith\nACME\n", "Thanks", "Bob Smith\nACME",
	  FALSE },
	{ "guard-dashdash-nospace",
	  "a\n--\nb\n", "a\n--\nb", "", FALSE },
	{ "signature-then-quote",
	  "Answer\n-- \nBob\n\nOn 1/1/24, Ann <a@x.org> wrote:\n> q\n",
	  "Answer", "Bob", TRUE },
	{ "bottom-post-signature",
	  "On 1/1/24, Ann <a@x.org> wrote:\n> q\n\nAnswer\n-- \nBob\n",
	  "Answer", "Bob", TRUE },
	{ "mobile-en",
	  "Yes\n\nSent from my iPhone\n\n" GMAIL_EN " wrote:\n\n> Hi\n",
	  "Yes", "Sent from my iPhone", TRUE },
	{ "mobile-de",
	  "Ja\n\nVon meinem iPhone gesendet\n", "Ja",
	  "Von meinem iPhone gesendet", FALSE },
	{ "guard-mobile-not-last",
	  "Sent from my iPhone is how I write.\nNow from a laptop.\n",
	  "Sent from my iPhone is how I write.\nNow from a laptop.", "",
	  FALSE },
	{ "forward-gmail",
	  "FYI, see below.\n\n---------- Forwarded message ---------\n"
	  "From: Ann <a@x.org>\nDate: Mon, Jan 1, 2024 at 10:00 AM\n"
	  "Subject: Broken\nTo: Bob <b@x.org>\n\nIt is broken.\n\n"
	  GMAIL_EN " wrote:\n> older\n",
	  "FYI, see below.\n\n---------- Forwarded message ---------\n"
	  "From: Ann <a@x.org>\nDate: Mon, Jan 1, 2024 at 10:00 AM\n"
	  "Subject: Broken\nTo: Bob <b@x.org>\n\nIt is broken.\n\n"
	  GMAIL_EN " wrote:\n> older", "", FALSE },
	{ "forward-apple",
	  "See this.\n\nBegin forwarded message:\n\nFrom: Ann <a@x.org>\n"
	  "Subject: Broken\nDate: 1 January 2024\nTo: Bob\n\nBody\n",
	  "See this.\n\nBegin forwarded message:\n\nFrom: Ann <a@x.org>\n"
	  "Subject: Broken\nDate: 1 January 2024\nTo: Bob\n\nBody", "",
	  FALSE },
	{ "forward-thunderbird-de",
	  "Zur Info\n\n-------- Weitergeleitete Nachricht --------\n"
	  "Betreff: x\nDatum: 1.1.2024\nVon: A\nAn: B\n\nText\n",
	  "Zur Info\n\n-------- Weitergeleitete Nachricht --------\n"
	  "Betreff: x\nDatum: 1.1.2024\nVon: A\nAn: B\n\nText", "", FALSE },
	{ "crlf",
	  "Thanks\r\n\r\n" GMAIL_EN " wrote:\r\n> hi\r\n> there\r\n",
	  "Thanks", "", TRUE },
	{ "crlf-signature",
	  "Thanks\r\n-- \r\nBob\r\n", "Thanks", "Bob", FALSE },
	{ "cr-only", "Thanks\r\rOn 1/1/24, Ann <a@x.org> wrote:\r> hi\r",
	  "Thanks", "", TRUE },
	{ "commands-kept",
	  "Status: closed\nPriority: major\n\nThanks!\n",
	  "Status: closed\nPriority: major\n\nThanks!", "", FALSE },
};

static void
test_case(gconstpointer data)
{
	const struct qcase *c = data;
	struct quote_split q;

	quote_split_text(c->in, &q);
	g_assert_cmpstr(q.fresh, ==, c->fresh);
	if (c->sig != NULL)
		g_assert_cmpstr(q.signature, ==, c->sig);
	g_assert_cmpint(q.quoted[0] != '\0', ==, c->quoted);
	g_assert_true(g_utf8_validate(q.fresh, -1, NULL));
	quote_split_clear(&q);
	g_assert_null(q.fresh);
}

static void
test_quoted_text(void)
{
	struct quote_split q;

	quote_split_text("New\n\nOn 1/1/24, Ann <a@x.org> wrote:\n> old\n",
	    &q);
	g_assert_cmpstr(q.quoted, ==,
	    "On 1/1/24, Ann <a@x.org> wrote:\n> old");
	quote_split_clear(&q);
	quote_split_clear(&q);	/* twice is fine */
}

static void
test_null(void)
{
	char *s = quote_strip(NULL);

	g_assert_cmpstr(s, ==, "");
	g_free(s);
}

static void
test_invalid_utf8(void)
{
	static const char *const inputs[] = {
		"\xff\xfe\xfd\n> \xc3\n",
		"Ok \xc3\n\nOn \xe2\x82 1/1/24 \xff wrote:\n> x\n",
		"Le 1 \xc3\xa0 a \xc3",
		"\xe2\x80",
		"-- \n\xc0\xaf",
	};
	struct quote_split q;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
		quote_split_text(inputs[i], &q);
		g_assert_true(g_utf8_validate(q.fresh, -1, NULL));
		g_assert_true(g_utf8_validate(q.quoted, -1, NULL));
		g_assert_true(g_utf8_validate(q.signature, -1, NULL));
		quote_split_clear(&q);
	}
}

/* 1 MB of quoted lines, and one 1 MB line: must be quick (linear). */
static void
test_huge(void)
{
	GString *s = g_string_new("Answer on top.\n\n");
	gint64 t0;
	char *r;

	while (s->len < 1024 * 1024)
		g_string_append(s, "> On 1/1/24, Ann <a@x.org> wrote:\n>\n");
	t0 = g_get_monotonic_time();
	r = quote_strip(s->str);
	g_assert_cmpstr(r, ==, "Answer on top.");
	g_free(r);
	g_string_truncate(s, 0);
	while (s->len < 1024 * 1024)
		g_string_append(s, "On 1 wrote: > -- ");
	r = quote_strip(s->str);
	g_assert_cmpuint(strlen(r), >, 1000000);
	g_free(r);
	g_string_truncate(s, 0);
	while (s->len < 1024 * 1024)
		g_string_append(s, "From: a\n\n\n\n\nOn 1, a@b\n");
	r = quote_strip(s->str);
	g_free(r);
	/* generous: sanitizer builds are slow, quadratic would be minutes */
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);
	g_string_free(s, TRUE);
}

/* n copies of line. */
static char *
lines_of(const char *head, const char *line, gsize n)
{
	GString *s = g_string_new(head);
	gsize i;

	for (i = 0; i < n; i++)
		g_string_append(s, line);
	return g_string_free(s, FALSE);
}

/* The pathological bodies of issue 12: each must finish (every line is
 * looked at a bounded number of times; no timing is asserted, a
 * quadratic split would make this test run for hours) and give the
 * split the rules say. */
/* A shared line that is the last line, with no line end: the
 * attribution split off it is cut once, at a character boundary (the
 * line loop once went on from the wrong offset, mid-character). */
static void
test_shared_last_line(void)
{
	static const char *const attr =
	    "On Tue, 3 Mar 2020 at 09:15, L\xc3\xa9na Park <lena@example.org> "
	    "wrote:";
	struct quote_split q;
	char *in = g_strconcat("Thanks! ", attr, NULL);

	quote_split_text(in, &q);
	g_assert_cmpstr(q.fresh, ==, "Thanks!");
	g_assert_cmpstr(q.quoted, ==, attr);
	quote_split_clear(&q);
	g_free(in);
}

static void
test_bad_input(void)
{
	char *in, *r;

	/* 10 MB of '>' lines */
	in = lines_of("Answer on top.\n\n",
	    "> > quoted text of an old message, On 1/1/24 Ann <a@b> wrote:\n",
	    10 * 1024 * 1024 / 64);
	r = quote_strip(in);
	g_assert_cmpstr(r, ==, "Answer on top.");
	g_free(r);
	g_free(in);
	/* 100,000 attribution-like lines without the colon nor an address
	 * (with one, "On ... <ann@example.com> wrote" cuts): all prose */
	in = lines_of("", "On Mon, Jan 1, 2024 at 10:00 AM Ann Lee "
	    "<ann at example.com> wrote\n", 100000);
	r = quote_strip(in);
	g_assert_cmpuint(strlen(r), ==, strlen(in) - 1);
	g_free(r);
	g_free(in);
	/* ... and with the address, the first one cuts: nothing is new */
	in = lines_of("", "On Mon, Jan 1, 2024 at 10:00 AM Ann Lee "
	    "<ann@example.com> wrote\n", 100000);
	r = quote_strip(in);
	g_assert_cmpstr(r, ==, "");
	g_free(r);
	g_free(in);
	/* 100,000 lines that almost share a line with an attribution */
	in = lines_of("", "Thanks. It works now! Ok. 1 jan 2024 Am Le On Den "
	    "10:00 wrote schrieb a\n", 100000);
	r = quote_strip(in);
	g_assert_cmpuint(strlen(r), ==, strlen(in) - 1);
	g_free(r);
	g_free(in);
	/* 100,000 header-like and attribution lines: the first one cuts */
	in = lines_of("Top\n", "From: a\nOn 1 Jan 2024, Ann <a@b> wrote:\n",
	    100000);
	r = quote_strip(in);
	g_assert_cmpstr(r, ==, "Top\nFrom: a");
	g_free(r);
	g_free(in);
	/* 100,000 attribution starts that never end */
	in = lines_of("", "On Mon, 1 Jan 2024 Ann <\n", 100000);
	r = quote_strip(in);
	g_assert_cmpuint(strlen(r), ==, strlen(in) - 1);
	g_free(r);
	g_free(in);
}

static char *
data_dir(void)
{
	const char *env = g_getenv("QUOTE_DATA_DIR");

	return g_strdup(env != NULL ? env : QUOTE_DATA_DIR);
}

/* One category of the corpus: a directory's cases and how many pass. */
struct category {
	char	*name;
	guint	 total;
	guint	 passed;
};

static char *
read_or_null(const char *path)
{
	char *s = NULL;

	if (!g_file_get_contents(path, &s, NULL, NULL))
		return NULL;
	g_strchomp(s);
	return s;
}

/* An HTML body as mail_text.c reads it: the client's quote markers cut
 * first when there are any, the text rules on what is left. */
static char *
html_body_text(const char *html, gsize len)
{
	gboolean had = FALSE;
	char *cut = htmltext_to_text(html, len, TRUE, &had);

	if (had)
		return cut;
	g_free(cut);
	return htmltext_to_text(html, len, FALSE, NULL);
}

/* Runs case stem (stem.txt or stem.html against stem.expected, and
 * stem.signature if there is one; stem.from holds the sender's display
 * name when the case needs it); TRUE if it passes.  Prints the rule
 * that cut it. */
static gboolean
run_case(const char *stem, const char *ext, const char *label)
{
	char *path, *in, *exp, *sig, *raw, *from;
	struct quote_split q;
	gboolean ok;
	gsize len;

	path = g_strconcat(stem, ext, NULL);
	g_assert_true(g_file_get_contents(path, &raw, &len, NULL));
	g_free(path);
	if (strcmp(ext, ".html") == 0) {
		in = html_body_text(raw, len);
		g_free(raw);
	} else
		in = raw;
	path = g_strconcat(stem, ".expected", NULL);
	exp = read_or_null(path);
	g_assert_nonnull(exp);
	g_free(path);
	path = g_strconcat(stem, ".signature", NULL);
	sig = read_or_null(path);
	g_free(path);
	path = g_strconcat(stem, ".from", NULL);
	from = read_or_null(path);
	g_free(path);
	quote_split_sender(in, from, &q);
	ok = strcmp(q.fresh, exp) == 0 &&
	    (sig == NULL || strcmp(q.signature, sig) == 0);
	if (!ok)
		g_print("# FAIL %s (rule: %s): got\n%s\n# sig: %s\n# ---\n",
		    label, quote_cut_rule(in), q.fresh, q.signature);
	else if (g_test_verbose())
		g_print("# ok %s (rule: %s)\n", label, quote_cut_rule(in));
	quote_split_clear(&q);
	g_free(in);
	g_free(exp);
	g_free(sig);
	g_free(from);
	return ok;
}

static gint
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.txt in dir; the category is the directory's name. */
static void
run_dir(const char *dir, const char *cat_name, GPtrArray *cats)
{
	struct category *cat = g_new0(struct category, 1);
	GError *err = NULL;
	const char *name, *ext;
	char *stem, *label, *sub;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d;
	guint i;

	cat->name = g_strdup(cat_name);
	g_ptr_array_add(cats, cat);
	d = g_dir_open(dir, 0, &err);
	g_assert_no_error(err);
	while ((name = g_dir_read_name(d)) != NULL)
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_names);
	for (i = 0; i < names->len; i++) {
		name = g_ptr_array_index(names, i);
		sub = g_build_filename(dir, name, NULL);
		if (g_file_test(sub, G_FILE_TEST_IS_DIR)) {
			run_dir(sub, name, cats);
		} else if (g_str_has_suffix(name, ".txt") ||
		    g_str_has_suffix(name, ".html")) {
			ext = strrchr(name, '.');
			stem = g_strndup(sub, strlen(sub) - strlen(ext));
			label = g_strdup_printf("%s/%s", cat_name, name);
			cat->total++;
			if (run_case(stem, ext, label))
				cat->passed++;
			g_free(label);
			g_free(stem);
		}
		g_free(sub);
	}
	g_ptr_array_free(names, TRUE);
}

/* The corpus: prints the pass rate per category, fails below 100%. */
static void
test_samples(void)
{
	char *dir = data_dir();
	GPtrArray *cats = g_ptr_array_new();
	struct category *c;
	guint i, total = 0, passed = 0;

	run_dir(dir, "samples", cats);
	for (i = 0; i < cats->len; i++) {
		c = g_ptr_array_index(cats, i);
		if (c->total > 0)
			g_print("# %-20s %3u/%3u  %5.1f%%\n", c->name, c->passed,
			    c->total, 100.0 * c->passed / c->total);
		total += c->total;
		passed += c->passed;
		g_free(c->name);
		g_free(c);
	}
	g_print("# %-20s %3u/%3u  %5.1f%%\n", "all", passed, total,
	    total > 0 ? 100.0 * passed / total : 0.0);
	g_ptr_array_free(cats, TRUE);
	g_free(dir);
	g_assert_cmpuint(total, >=, 300);
	g_assert_cmpuint(passed, ==, total);
}

int
main(int argc, char **argv)
{
	char *path;
	gsize i;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		path = g_strconcat("/quote/split/", cases[i].name, NULL);
		g_test_add_data_func(path, &cases[i], test_case);
		g_free(path);
	}
	g_test_add_func("/quote/quoted-text", test_quoted_text);
	g_test_add_func("/quote/null", test_null);
	g_test_add_func("/quote/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/quote/huge", test_huge);
	g_test_add_func("/quote/bad-input", test_bad_input);
	g_test_add_func("/quote/shared-last-line", test_shared_last_line);
	g_test_add_func("/quote/samples", test_samples);
	return g_test_run();
}
