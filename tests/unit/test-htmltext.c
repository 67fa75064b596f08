/*
 * Unit tests for src/htmltext.c: a table of HTML snippets shaped like
 * what real clients send, with and without quote cutting, plus
 * robustness checks (malformed markup, invalid UTF-8, deep nesting).
 */
#include <string.h>

#include <glib.h>

#include "htmltext.h"

struct hcase {
	const char	*name;
	const char	*html;
	gboolean	 cut;
	const char	*text;
	gboolean	 had_quote;
};

#define GMAIL_REPLY \
	"<div dir=\"ltr\">Thanks, fixed.</div><br>" \
	"<div class=\"gmail_quote\">" \
	"<div dir=\"ltr\" class=\"gmail_attr\">On Mon, Jan 1, 2024 at 10:00 " \
	"AM Support &lt;<a href=\"mailto:s@x.com\">s@x.com</a>&gt; " \
	"wrote:<br>" \
	"</div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px " \
	"0.8ex\">Old text</blockquote></div>"

#define OUTLOOK_REPLY \
	"<html><head>" \
	"<meta http-equiv=\"Content-Type\" content=\"text/html\">" \
	"<style type=\"text/css\" style=\"display:none;\"> P {margin:0;} " \
	"</style></head><body dir=\"ltr\"><div class=\"elementToProof\">" \
	"Reply text</div><div id=\"appendonsend\"></div><hr style=\"display:" \
	"inline-block;width:98%\" tabindex=\"-1\"><div id=\"divRplyFwdMsg\" " \
	"dir=\"ltr\"><font face=\"Calibri\"><b>From:</b> Support<br><b>Sent:" \
	"</b> Monday</font></div><div>Old body</div></body></html>"

#define APPLE_REPLY \
	"<html><body><div>Top answer</div><div><br>" \
	"<blockquote type=\"cite\">" \
	"<div>On 1 Jan 2024, at 10:00, Ann wrote:</div><div>Q1</div>" \
	"</blockquote></div><div>Inline answer</div></body></html>"

static const struct hcase cases[] = {
	{ "empty", "", FALSE, "", FALSE },
	{ "paragraphs", "<p>Hello <b>world</b></p><p>Second</p>", FALSE,
	  "Hello world\n\nSecond", FALSE },
	{ "whitespace", "<div>  a \n\t b  </div>  <div> c</div>", FALSE,
	  "a b\nc", FALSE },
	{ "br", "a<br>b<br/><br>c", FALSE, "a\nb\n\nc", FALSE },
	{ "gmail-divs", "<div>Hi,</div><div><br></div><div>Text</div>",
	  FALSE, "Hi,\n\nText", FALSE },
	{ "head-style-script-comment",
	  "<html><head><title>T</title><style>p{color:red}</style></head>"
	  "<body><!-- hi <p>no</p> --><script>var x='<p>';</script>"
	  "<p>Text</p></body></html>", FALSE, "Text", FALSE },
	{ "entities",
	  "&lt;a&gt; &amp; &quot;q&quot; &apos;s&apos; caf&eacute; "
	  "&#233;&#xE9;&#XE9; &euro;&nbsp;5 &#146; &Auml;&szlig;&copy;",
	  FALSE, "<a> & \"q\" 's' caf\xc3\xa9 \xc3\xa9\xc3\xa9\xc3\xa9 "
	  "\xe2\x82\xac 5 \xe2\x80\x99 \xc3\x84\xc3\x9f\xc2\xa9", FALSE },
	{ "entities-bogus", "AT&T &bogus; & &#; &#xZZ; &#0; &#99999999999;",
	  FALSE, "AT&T &bogus; & &#; &#xZZ; \xef\xbf\xbd \xef\xbf\xbd",
	  FALSE },
	{ "nbsp-kept", "a&nbsp;&nbsp;b", FALSE, "a  b", FALSE },
	{ "lists",
	  "<p>Steps:</p><ul><li>one</li><li>two<ul><li>inner<ol><li>deep"
	  "</li></ol></li></ul></li><li>three</li></ul><p>End</p>", FALSE,
	  "Steps:\n\n- one\n- two\n  - inner\n    - deep\n- three\n\nEnd",
	  FALSE },
	{ "links",
	  "<a href=\"https://x.org/a?b=1&amp;c=2\">click</a> "
	  "<a href=\"https://x.org\">https://x.org</a> "
	  "<a href=\"mailto:a@x.org\">a@x.org</a> <a href=\"#top\">top</a> "
	  "<a href=\"https://x.org/i\"><img src=\"i.png\"></a>", FALSE,
	  "click <https://x.org/a?b=1&c=2> https://x.org a@x.org top "
	  "<https://x.org/i>", FALSE },
	{ "img-alt", "<img src=\"x.png\" alt=\"Logo &amp; Co\"> text", FALSE,
	  "Logo & Co text", FALSE },
	{ "table",
	  "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	  FALSE, "a b\nc", FALSE },
	{ "pre", "<p>x</p><pre>line1\n  line2</pre>", FALSE,
	  "x\n\nline1\n  line2", FALSE },
	{ "blank-lines",
	  "<p>a</p><p></p><p>&nbsp;</p><br><br><br><p>b</p>", FALSE,
	  "a\n\nb", FALSE },
	{ "outlook-msonormal",
	  "<p class=MsoNormal>Line1<o:p></o:p></p><p class=MsoNormal>Line2"
	  "</p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>"
	  "Line3</p>", FALSE, "Line1\nLine2\n\nLine3", FALSE },
	{ "literal-lt", "a < b and c > d", FALSE, "a < b and c > d", FALSE },
	{ "gmail-cut", GMAIL_REPLY, TRUE, "Thanks, fixed.", TRUE },
	{ "gmail-keep", GMAIL_REPLY, FALSE,
	  "Thanks, fixed.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Support "
	  "<s@x.com> wrote:\n\nOld text", FALSE },
	{ "gmail-new-container",
	  "<div>Ok</div><div class=\"gmail_quote gmail_quote_container\">"
	  "<div class=\"gmail_attr\">On ... wrote:</div><div>old</div>"
	  "</div>", TRUE, "Ok", TRUE },
	{ "outlook-cut", OUTLOOK_REPLY, TRUE, "Reply text", TRUE },
	{ "outlook-keep", OUTLOOK_REPLY, FALSE,
	  "Reply text\nFrom: Support\nSent: Monday\nOld body", FALSE },
	{ "outlook-stopspelling",
	  "<p>New</p><hr id=\"stopSpelling\">Old", TRUE, "New", TRUE },
	{ "apple-cut", APPLE_REPLY, TRUE, "Top answer\n\nInline answer",
	  TRUE },
	{ "apple-keep", APPLE_REPLY, FALSE,
	  "Top answer\n\nOn 1 Jan 2024, at 10:00, Ann wrote:\nQ1\n\n"
	  "Inline answer", FALSE },
	{ "apple-nested-cite",
	  "Yes<blockquote type=\"cite\">a<blockquote type=\"cite\">b"
	  "</blockquote>c</blockquote>after", TRUE, "Yes\nafter", TRUE },
	{ "thunderbird",
	  "<p>New</p><div class=\"moz-cite-prefix\">On 1/1/24 Ann wrote:"
	  "<br></div><blockquote type=\"cite\" cite=\"mid:x@y\">old"
	  "</blockquote>", TRUE, "New", TRUE },
	{ "yahoo",
	  "<div class=\"ydp1\"><div>Yes</div></div><div id=\"yahoo_quoted_1\""
	  " class=\"yahoo_quoted\"><div>On Monday, Ann wrote:</div><div>old"
	  "</div></div>", TRUE, "Yes", TRUE },
	{ "proton",
	  "<div>Ok</div><div class=\"protonmail_quote\">-------- Original "
	  "Message --------<blockquote class=\"protonmail_quote\">old"
	  "</blockquote></div>", TRUE, "Ok", TRUE },
	{ "proton-keep",
	  "<div>Ok</div><div class=\"protonmail_quote\">old</div>", FALSE,
	  "Ok\nold", FALSE },
	{ "gmail-forward",
	  "<div>FYI</div><div class=\"gmail_quote\"><div class=\"gmail_attr"
	  "\">---------- Forwarded message ---------<br>From: Ann</div><div>"
	  "Body</div></div>", TRUE,
	  "FYI\n---------- Forwarded message ---------\nFrom: Ann\nBody",
	  FALSE },
	{ "apple-forward",
	  "<div>See below</div><div><br><div>Begin forwarded message:</div>"
	  "<br><blockquote type=\"cite\"><div><b>From: </b>Ann</div>"
	  "</blockquote></div>", TRUE,
	  "See below\n\nBegin forwarded message:\n\nFrom: Ann", FALSE },
	{ "no-quote-cut", "<p>Plain</p>", TRUE, "Plain", FALSE },
	{ "unclosed-comment", "a<!-- b <p>c", FALSE, "a", FALSE },
	{ "unclosed-script", "a<script>xx", FALSE, "a", FALSE },
	{ "unclosed-attr", "<p>x</p><b attr=\"x>text", FALSE, "x", FALSE },
	{ "unclosed-quote-div",
	  "new<div class=\"gmail_quote\"><div>never closed", TRUE, "new",
	  TRUE },
	{ "stray-close", "</div></p>a</li></ul></blockquote>b", FALSE,
	  "a\n\nb", FALSE },
	{ "uppercase", "<P>A</P><BR><DIV CLASS=\"GMAIL_QUOTE\">q</DIV>",
	  TRUE, "A", TRUE },
	{ "cdata-doctype", "<!DOCTYPE html><?xml x?><![CDATA[ x ]]>t",
	  FALSE, "t", FALSE },
};

static void
test_case(gconstpointer data)
{
	const struct hcase *c = data;
	gboolean had = !c->had_quote;
	char *t;

	t = htmltext_to_text(c->html, strlen(c->html), c->cut, &had);
	g_assert_cmpstr(t, ==, c->text);
	g_assert_cmpint(had, ==, c->had_quote);
	g_free(t);
}

static void
test_null(void)
{
	char *t = htmltext_to_text(NULL, 0, TRUE, NULL);

	g_assert_cmpstr(t, ==, "");
	g_free(t);
}

/* The length bounds the input, not a NUL. */
static void
test_len(void)
{
	char *t = htmltext_to_text("<p>abc</p>", 5, FALSE, NULL);

	g_assert_cmpstr(t, ==, "ab");
	g_free(t);
	t = htmltext_to_text("a\0b", 3, FALSE, NULL);
	g_assert_cmpstr(t, ==, "ab");
	g_free(t);
}

static void
test_invalid_utf8(void)
{
	static const char in[] = "<p>\xff\xfe caf\xc3</p>&#xD800;\xe2\x82";
	char *t = htmltext_to_text(in, sizeof(in) - 1, TRUE, NULL);

	g_assert_true(g_utf8_validate(t, -1, NULL));
	g_free(t);
}

static char *
repeat(const char *open, const char *mid, const char *close, guint n)
{
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < n; i++)
		g_string_append(s, open);
	g_string_append(s, mid);
	for (i = 0; i < n; i++)
		g_string_append(s, close);
	return g_string_free(s, FALSE);
}

/* 100k nested elements: no recursion, linear time. */
static void
test_deep(void)
{
	gint64 t0 = g_get_monotonic_time();
	gboolean had;
	char *h, *t;

	h = repeat("<div>", "deep", "</div>", 100000);
	t = htmltext_to_text(h, strlen(h), TRUE, &had);
	g_assert_cmpstr(t, ==, "deep");
	g_assert_false(had);
	g_free(t);
	g_free(h);
	h = repeat("<div class=gmail_quote><div>", "q", "</div></div>",
	    100000);
	t = htmltext_to_text(h, strlen(h), TRUE, &had);
	g_assert_cmpstr(t, ==, "");
	g_assert_true(had);
	g_free(t);
	g_free(h);
	h = repeat("<ul><li>", "x", "</li></ul>", 100000);
	t = htmltext_to_text(h, strlen(h), FALSE, NULL);
	g_assert_true(g_str_has_suffix(t, "- x"));
	g_free(t);
	g_free(h);
	h = repeat("<blockquote type=cite><a href=x>", "x", "", 100000);
	t = htmltext_to_text(h, strlen(h), FALSE, NULL);
	g_free(t);
	g_free(h);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);
}

/* Plain <blockquote>s after an attribution, each looked at as
 * trailing history: 100k siblings and 100k nested stay linear (each
 * check reads only a bounded part of what follows, and only a few
 * are made). */
static void
test_plain_quotes(void)
{
	gint64 t0 = g_get_monotonic_time();
	GString *s = g_string_new(NULL);
	gboolean had;
	char *h, *t;
	guint i;

	for (i = 0; i < 100000; i++)
		g_string_append(s, "<p>Bob wrote:</p><blockquote>q</blockquote>");
	t = htmltext_to_text(s->str, s->len, TRUE, &had);
	g_assert_false(had);
	g_assert_true(g_str_has_suffix(t, "Bob wrote:\n\nq"));
	g_free(t);
	g_string_free(s, TRUE);
	h = repeat("<blockquote>", "q", "</blockquote>", 100000);
	s = g_string_new("<p>Bob wrote:</p>");
	g_string_append(s, h);
	t = htmltext_to_text(s->str, s->len, TRUE, &had);
	g_assert_true(had);
	g_assert_cmpstr(t, ==, "Bob wrote:\n\n>");
	g_free(t);
	g_string_free(s, TRUE);
	g_free(h);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 10 * G_USEC_PER_SEC);
}

int
main(int argc, char **argv)
{
	char *path;
	gsize i;

	g_test_init(&argc, &argv, NULL);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		path = g_strconcat("/htmltext/convert/", cases[i].name, NULL);
		g_test_add_data_func(path, &cases[i], test_case);
		g_free(path);
	}
	g_test_add_func("/htmltext/null", test_null);
	g_test_add_func("/htmltext/len", test_len);
	g_test_add_func("/htmltext/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/htmltext/deep", test_deep);
	g_test_add_func("/htmltext/plain-quotes", test_plain_quotes);
	return g_test_run();
}
