/*
 * Unit tests for template.c, template_render.c, template_find.c and
 * html.c.  Run with --tap.  TEMPLATES_DIR names the shipped mail
 * templates (default "templates/mail", relative to the source tree).
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "html.h"
#include "template.h"

/* The context the shipped templates are rendered with. */
static const char shipped_ctx[] =
	"{\"ticket\": {\"id\": 4711, \"subject\": \"Checkout fails with "
	"<b>error</b> & \\\"timeout\\\"\\nsecond line\", \"status\": "
	"\"in-progress\", \"queue\": \"support\", \"priority\": \"major\","
	" \"hotrush\": true, \"link\": "
	"\"https://help.example.com/t/4711?k=abc\"},"
	" \"previous\": {\"id\": 4100, \"subject\": \"Checkout fails\"},"
	" \"message\": {\"text\": \"Hello,\\n\\nthe checkout page shows a "
	"blank screen since this morning.\\n\\nRegards,\\nJörg\", \"from\":"
	" \"J\\u00f6rg M\\u00fcller <joerg@customer.example>\", \"date\": "
	"\"Tue, 04 Mar 2025 09:12:00 +0100\", \"subject\": \"Checkout\"},"
	" \"requester\": {\"name\": \"Jörg Müller\", \"address\": "
	"\"joerg@customer.example\"},"
	" \"staff\": {\"name\": \"Bob Example\"},"
	" \"org\": {\"name\": \"Customer GmbH\"},"
	" \"commands\": [{\"command\": \"Status: closed\", \"applied\": "
	"true}, {\"command\": \"Priority: major\", \"applied\": false, "
	"\"reason\": \"only staff may change the priority\"}],"
	" \"support_address\": \"support@help.example.com\"}";

static const char *const shipped_names[] = {
	"new-ticket", "staff-notification", "reply-to-customer",
	"comment-notification", "pre-closed", "closed", "follow-up-opened",
	"out-of-scope", "view-only-refusal", "command-transcript",
	"new-ticket.de"
};

static JsonObject *
ctx_new(const char *json)
{
	JsonParser	*p;
	JsonObject	*o;
	GError		*err = NULL;

	p = json_parser_new();
	json_parser_load_from_data(p, json, -1, &err);
	g_assert_no_error(err);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
	o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
	g_object_unref(p);
	return o;
}

/* Parses TEXT and renders it with the JSON context CTX (may be NULL). */
static char *
render(const char *text, const char *json, enum template_escape esc)
{
	struct template	*t = NULL;
	JsonObject	*o = json != NULL ? ctx_new(json) : NULL;
	GError		*err = NULL;
	char		*out;

	if (!template_parse(&t, "t", text, &err))
		g_error("%s", err->message);
	out = template_render(t, o, esc, &err);
	g_assert_no_error(err);
	g_assert_nonnull(out);
	g_assert_true(g_utf8_validate(out, -1, NULL));
	template_free(t);
	if (o != NULL)
		json_object_unref(o);
	return out;
}

static void
check(const char *text, const char *json, const char *want)
{
	char	*out = render(text, json, TEMPLATE_ESCAPE_NONE);

	g_assert_cmpstr(out, ==, want);
	g_free(out);
}

static void
check_html(const char *text, const char *json, const char *want)
{
	char	*out = render(text, json, TEMPLATE_ESCAPE_HTML);

	g_assert_cmpstr(out, ==, want);
	g_free(out);
}

/* Parsing TEXT must fail with a message containing WANT. */
static void
check_parse_error(const char *text, const char *want)
{
	struct template	*t = NULL;
	GError		*err = NULL;

	g_assert_false(template_parse(&t, "t", text, &err));
	g_assert_null(t);
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE);
	if (strstr(err->message, want) == NULL)
		g_error("parse error '%s' lacks '%s' for: %s", err->message,
		    want, text);
	g_error_free(err);
}

static void
test_variables(void)
{
	check("Hello {{name}}!", "{\"name\": \"Ann\"}", "Hello Ann!");
	check("{{ name }}|{{name}}", "{\"name\": \"x\"}", "x|x");
	check("no tags at all\n", "{}", "no tags at all\n");
	check("", "{}", "");
	check("{single} braces }} {", "{}", "{single} braces }} {");
	check("{{a}}{{b}}{{a}}", "{\"a\": \"1\", \"b\": \"2\"}", "121");
	check("{{my_var-2}}", "{\"my_var-2\": \"ok\"}", "ok");
}

static void
test_dotted(void)
{
	const char *j = "{\"ticket\": {\"id\": 12, \"subject\": \"Hi\","
	    " \"org\": {\"name\": \"ACME\"}}, \"name\": \"outer\"}";

	check("#{{ticket.id}} {{ticket.subject}}", j, "#12 Hi");
	check("{{ticket.org.name}}", j, "ACME");
	/* Through a non-object, or a missing segment: empty. */
	check("[{{ticket.id.x}}][{{ticket.nope.name}}]", j, "[][]");
	/* Later segments never fall back to outer scopes. */
	check("[{{ticket.name}}]", j, "[]");
}

static void
test_types(void)
{
	const char *j = "{\"i\": 42, \"n\": -7, \"big\": 9007199254740993,"
	    " \"d\": 1.5, \"tenth\": 0.1, \"t\": true, \"f\": false,"
	    " \"z\": null, \"o\": {\"a\": 1}, \"a\": [1, 2]}";

	check("{{i}} {{n}} {{big}}", j, "42 -7 9007199254740993");
	check("{{d}} {{tenth}}", j, "1.5 0.1");
	check("{{t}} {{f}}", j, "true false");
	check("[{{z}}][{{o}}][{{a}}]", j, "[][][]");
}

static void
test_missing(void)
{
	check("a{{nope}}b{{no.such.path}}c", "{}", "abc");
	check("a{{x}}b", NULL, "ab");
	check("{{#x}}yes{{/x}}{{^x}}no{{/x}}", NULL, "no");
}

static void
test_escape(void)
{
	const char *j = "{\"x\": \"<script>alert('x')</script>\","
	    " \"q\": \"a \\\"b\\\" & c\","
	    " \"attr\": \"\\\" onmouseover=\\\"x\"}";

	check_html("<p>{{x}}</p>", j,
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
	check_html("{{q}}", j, "a &quot;b&quot; &amp; c");
	check_html("<a title=\"{{attr}}\">", j,
	    "<a title=\"&quot; onmouseover=&quot;x\">");
	/* Template text itself is never escaped. */
	check_html("<b>&amp;</b>", j, "<b>&amp;</b>");
	/* Mail: no escaping at all. */
	check("{{x}} {{q}}", j,
	    "<script>alert('x')</script> a \"b\" & c");
	/* Numbers go through the same path. */
	check_html("{{n}}", "{\"n\": 3}", "3");
}

static void
test_raw(void)
{
	const char *j = "{\"h\": \"<em>&amp;</em>\", \"o\": {\"h\": \"<i>\"}}";

	check_html("{{{h}}}|{{& h}}|{{&h}}|{{h}}", j,
	    "<em>&amp;</em>|<em>&amp;</em>|<em>&amp;</em>|"
	    "&lt;em&gt;&amp;amp;&lt;/em&gt;");
	check_html("{{{ o.h }}}", j, "<i>");
	check("{{{h}}}", j, "<em>&amp;</em>");
}

static void
test_section_array(void)
{
	check("{{#l}}<{{n}}>{{/l}}",
	    "{\"l\": [{\"n\": 1}, {\"n\": 2}, {\"n\": 3}]}", "<1><2><3>");
	check("{{#l}}{{.}},{{/l}}", "{\"l\": [\"a\", \"b\", 3, true]}",
	    "a,b,3,true,");
	check("[{{#l}}x{{/l}}]", "{\"l\": []}", "[]");
	/* Falsy elements still iterate: the array decides. */
	check("{{#l}}({{.}}){{/l}}", "{\"l\": [0, false, \"\"]}",
	    "(0)(false)()");
	check_html("{{#l}}{{.}}{{/l}}", "{\"l\": [\"<\", \"&\"]}",
	    "&lt;&amp;");
}

static void
test_section_truthy(void)
{
	const char *tpl = "{{#v}}yes{{/v}}";
	const char *yes[] = {
		"{\"v\": true}", "{\"v\": 1}", "{\"v\": -1}", "{\"v\": 0.5}",
		"{\"v\": \"x\"}", "{\"v\": \"0\"}", "{\"v\": {}}",
		"{\"v\": {\"a\": 1}}", "{\"v\": [1]}"
	};
	const char *no[] = {
		"{\"v\": false}", "{\"v\": 0}", "{\"v\": 0.0}",
		"{\"v\": \"\"}", "{\"v\": null}", "{\"v\": []}", "{}"
	};
	guint	 i;

	for (i = 0; i < G_N_ELEMENTS(yes); i++)
		check(tpl, yes[i], "yes");
	for (i = 0; i < G_N_ELEMENTS(no); i++)
		check(tpl, no[i], "");
	/* An object becomes the innermost scope; a scalar is {{.}}. */
	check("{{#o}}{{a}}-{{b}}{{/o}}", "{\"o\": {\"a\": 1}, \"b\": 2}",
	    "1-2");
	check("{{#s}}[{{.}}]{{/s}}", "{\"s\": \"str\"}", "[str]");
	check("{{#o.x}}{{.}}{{/o.x}}", "{\"o\": {\"x\": 5}}", "5");
}

static void
test_inverted(void)
{
	const char *tpl = "{{^v}}none{{/v}}";

	check(tpl, "{}", "none");
	check(tpl, "{\"v\": []}", "none");
	check(tpl, "{\"v\": false}", "none");
	check(tpl, "{\"v\": \"\"}", "none");
	check(tpl, "{\"v\": 0}", "none");
	check(tpl, "{\"v\": null}", "none");
	check(tpl, "{\"v\": [0]}", "");
	check(tpl, "{\"v\": true}", "");
	check(tpl, "{\"v\": {}}", "");
	/* Inverted sections do not push a scope. */
	check("{{^v}}{{w}}{{/v}}", "{\"w\": \"outer\"}", "outer");
}

static void
test_nesting(void)
{
	check("{{#a}}{{n}}:{{#b}}{{.}}{{/b}};{{/a}}",
	    "{\"a\": [{\"n\": \"x\", \"b\": [1, 2]}, {\"n\": \"y\", "
	    "\"b\": []}]}", "x:12;y:;");
	check("{{#a}}{{#b}}{{#c}}deep{{/c}}{{/b}}{{/a}}",
	    "{\"a\": {\"b\": {\"c\": true}}}", "deep");
	/* A section of the same name nested in itself. */
	check("{{#a}}{{#a}}{{v}}{{/a}}{{/a}}",
	    "{\"a\": {\"a\": {\"v\": \"in\"}, \"v\": \"out\"}}", "in");
}

static void
test_scoping(void)
{
	const char *j = "{\"name\": \"outer\", \"sep\": \"/\", \"items\":"
	    " [{\"name\": \"one\"}, {\"other\": 1}], \"org\": {\"name\":"
	    " \"ACME\"}}";

	/* The element first, then outer scopes. */
	check("{{#items}}{{name}}{{sep}}{{/items}}", j, "one/outer/");
	/* A dotted name resolves its first segment outwards. */
	check("{{#items}}{{org.name}},{{/items}}", j, "ACME,ACME,");
	/* {{.}} is the element, even an object (prints nothing). */
	check("{{#items}}[{{.}}]{{/items}}", j, "[][]");
	/* Scopes are popped: after the section, outer again. */
	check("{{#org}}{{name}}{{/org}} {{name}}", j, "ACME outer");
}

static void
test_standalone(void)
{
	const char *t = "{\"x\": true}", *f = "{\"x\": false}";

	check("a\n{{#x}}\nb\n{{/x}}\nc\n", t, "a\nb\nc\n");
	check("a\n{{#x}}\nb\n{{/x}}\nc\n", f, "a\nc\n");
	check("a\n  {{#x}}  \n  b\n\t{{/x}}\t\nc\n", t, "a\n  b\nc\n");
	check("a\n{{^x}}\nb\n{{/x}}\nc\n", f, "a\nb\nc\n");
	check("a\r\n{{#x}}\r\nb\r\n{{/x}}\r\nc\r\n", t, "a\r\nb\r\nc\r\n");
	/* At the start and at the end of the text, without a newline. */
	check("{{#x}}\nb\n{{/x}}", t, "b\n");
	/* A comment alone on its line goes, too. */
	check("a\n  {{! note }}\nb\n", t, "a\nb\n");
	check("a\n{{! two\nlines }}\nb\n", t, "a\nb\n");
	/* Not standalone: other text or tags on the line. */
	check("a {{#x}}b{{/x}}\nc\n", t, "a b\nc\n");
	check("[{{#x}}{{/x}}]\n", t, "[]\n");
	check("{{#x}}{{/x}}\nc\n", t, "\nc\n");
	check("{{#x}}x{{/x}} \n", t, "x \n");
	/* Variables are never standalone: their line stays. */
	check("a\n{{y}}\nb\n", "{}", "a\n\nb\n");
	check("a\n{{{y}}}\nb\n", "{}", "a\n\nb\n");
	/* Per iteration, as a list should look. */
	check("List:\n{{#l}}\n- {{.}}\n{{/l}}\nEnd\n",
	    "{\"l\": [\"a\", \"b\"]}", "List:\n- a\n- b\nEnd\n");
}

static void
test_comments(void)
{
	check("a{{! a comment }}b", "{}", "ab");
	check("a{{!x}}b{{!}}c", "{}", "abc");
	check("a{{! spans\nseveral {{ lines\n}}b", "{}", "ab");
	/* A comment is not parsed: anything but "}}" may be in it. */
	check("a{{! {{#x} not a {section} }}b", "{}", "ab");
	/* ... and the first "}}" ends it, as in mustache. */
	check("a{{! {{x}} }}b", "{}", "a }}b");
}

static void
test_parse_errors(void)
{
	check_parse_error("a\n\n{{#x}}\nb\n", "t:3: section 'x' is never "
	    "closed");
	check_parse_error("{{#a}}\n{{/b}}\n", "t:2: closing tag 'b' does "
	    "not match section 'a' opened on line 1");
	check_parse_error("{{#a}}{{#b}}\n\n{{/a}}{{/b}}", "t:3: closing "
	    "tag 'a' does not match section 'b' opened on line 1");
	check_parse_error("x\n{{/a}}", "t:2: closing tag 'a' without an "
	    "open section");
	check_parse_error("a\nb {{x", "t:2: '{{' without closing '}}'");
	check_parse_error("\n\n{{{x}}", "t:3: '{{{' without closing");
	check_parse_error("{{a..b}}", "t:1: invalid name 'a..b'");
	check_parse_error("{{.a}}", "t:1: invalid name");
	check_parse_error("{{a.}}", "t:1: invalid name");
	check_parse_error("{{a b}}", "t:1: invalid name 'a b'");
	check_parse_error("\n{{}}", "t:2: invalid name ''");
	check_parse_error("{{#}}{{/}}", "t:1: invalid name ''");
	check_parse_error("{{<x>}}", "t:1: invalid name '<x>'");
	check_parse_error("{{>partial}}", "t:1: partials");
	check_parse_error("{{=<% %>=}}", "t:1: changing delimiters");
	check_parse_error("ok\nok\n\xff\n", "t:3: invalid UTF-8");
	/* The header block of mail templates. */
	check_parse_error("Subject: x\nFrom: y\n\nbody",
	    "t:2: expected an empty line");
	check_parse_error("Subject: {{#a}}\n\n{{/a}}",
	    "t:1: section 'a' is never closed");
	check_parse_error("Subject: x\n\nline\n{{#a}}",
	    "t:4: section 'a' is never closed");
}

static void
test_depth(void)
{
	GString		*s = g_string_new(NULL);
	struct template	*t = NULL;
	GError		*err = NULL;
	int		 i;

	for (i = 0; i < TEMPLATE_DEPTH_MAX; i++)
		g_string_append(s, "{{#a}}");
	g_string_append(s, "{{v}}");
	for (i = 0; i < TEMPLATE_DEPTH_MAX; i++)
		g_string_append(s, "{{/a}}");
	check(s->str, "{\"a\": true, \"v\": \"bottom\"}", "bottom");

	g_string_truncate(s, 0);
	for (i = 0; i <= TEMPLATE_DEPTH_MAX; i++)
		g_string_append(s, "{{#a}}\n");
	g_assert_false(template_parse(&t, "t", s->str, &err));
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE);
	g_assert_nonnull(strstr(err->message, "t:33: sections nested deeper"
	    " than 32"));
	g_clear_error(&err);
	g_string_free(s, TRUE);
}

static void
test_output_limit(void)
{
	struct template	*t = NULL;
	JsonObject	*o;
	JsonArray	*a;
	GError		*err = NULL;
	char		*big, *out;
	int		 i;

	g_assert_true(template_parse(&t, "lim",
	    "{{#l}}0123456789{{/l}}", &err));
	o = json_object_new();
	a = json_array_new();
	for (i = 0; i < 10; i++)
		json_array_add_int_element(a, i);
	json_object_set_array_member(o, "l", a);
	out = template_render_max(t, o, TEMPLATE_ESCAPE_NONE, 100, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(strlen(out), ==, 100);
	g_free(out);
	out = template_render_max(t, o, TEMPLATE_ESCAPE_NONE, 99, &err);
	g_assert_null(out);
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "lim: output larger than"));
	g_clear_error(&err);
	template_free(t);

	/* The real limit: a 1 MiB value five times, escaped or not. */
	big = g_strnfill(1024 * 1024, '<');
	json_object_set_string_member(o, "big", big);
	g_free(big);
	g_assert_true(template_parse(&t, "lim",
	    "{{big}}{{big}}{{big}}{{big}}{{big}}", &err));
	out = template_render(t, o, TEMPLATE_ESCAPE_NONE, &err);
	g_assert_null(out);
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT);
	g_clear_error(&err);
	out = template_render(t, o, TEMPLATE_ESCAPE_HTML, &err);
	g_assert_null(out);
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT);
	g_clear_error(&err);
	template_free(t);
	json_object_unref(o);
}

static void
test_steps_limit(void)
{
	struct template	*t = NULL;
	JsonObject	*o;
	JsonArray	*a;
	GError		*err = NULL;
	char		*out;
	int		 i;

	/* 1000^3 iterations that print nothing: stopped, not looping. */
	g_assert_true(template_parse(&t, "steps",
	    "{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}", &err));
	o = json_object_new();
	a = json_array_new();
	for (i = 0; i < 1000; i++)
		json_array_add_null_element(a);
	json_object_set_array_member(o, "l", a);
	out = template_render(t, o, TEMPLATE_ESCAPE_NONE, &err);
	g_assert_null(out);
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_LIMIT);
	g_assert_nonnull(strstr(err->message, "rendering steps"));
	g_clear_error(&err);
	template_free(t);
	json_object_unref(o);
}

static void
test_invalid_utf8(void)
{
	JsonObject	*o = json_object_new();
	struct template	*t = NULL;
	GError		*err = NULL;
	char		*out;

	json_object_set_string_member(o, "v", "a\xff<b\xc3");
	g_assert_true(template_parse(&t, "t", "[{{v}}|{{{v}}}]", &err));
	out = template_render(t, o, TEMPLATE_ESCAPE_HTML, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(out, ==, "[a\xef\xbf\xbd&lt;b\xef\xbf\xbd|"
	    "a\xef\xbf\xbd<b\xef\xbf\xbd]");
	g_free(out);
	out = template_render(t, o, TEMPLATE_ESCAPE_NONE, &err);
	g_assert_no_error(err);
	g_assert_true(g_utf8_validate(out, -1, NULL));
	g_assert_cmpstr(out, ==, "[a\xef\xbf\xbd<b\xef\xbf\xbd|"
	    "a\xef\xbf\xbd<b\xef\xbf\xbd]");
	g_free(out);
	template_free(t);
	json_object_unref(o);
}

static void
test_html_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "&<>\"'", "&amp;&lt;&gt;&quot;&#39;" },
		{ "<img src=x onerror=alert(1)>",
		  "&lt;img src=x onerror=alert(1)&gt;" },
		{ "&amp;", "&amp;amp;" },
		{ "Jörg – 日本 😀", "Jörg – 日本 😀" },
		{ "a\xffz", "a\xef\xbf\xbdz" },
		/* Truncated sequence at the end. */
		{ "ab\xe6\x97", "ab\xef\xbf\xbd\xef\xbf\xbd" },
		/* Overlong "/" and a UTF-16 surrogate are not UTF-8. */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80<",
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd&lt;" },
	};
	GString	*s;
	char	*out;
	guint	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		out = html_escape(cases[i].in);
		g_assert_cmpstr(out, ==, cases[i].want);
		g_assert_true(g_utf8_validate(out, -1, NULL));
		g_free(out);
	}
	out = html_escape(NULL);
	g_assert_cmpstr(out, ==, "");
	g_free(out);
	s = g_string_new("x");
	html_escape_append(s, "<y>");
	html_escape_append(s, NULL);
	g_assert_cmpstr(s->str, ==, "x&lt;y&gt;");
	g_string_free(s, TRUE);
}

static void
write_file(const char *dir, const char *rel, const char *text)
{
	char	*path = g_build_filename(dir, rel, NULL);
	char	*parent = g_path_get_dirname(path);
	GError	*err = NULL;

	g_assert_cmpint(g_mkdir_with_parents(parent, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, text, -1, &err));
	g_assert_no_error(err);
	g_free(parent);
	g_free(path);
}

static void
remove_file(const char *dir, const char *rel)
{
	char	*path = g_build_filename(dir, rel, NULL);

	g_assert_cmpint(g_remove(path), ==, 0);
	g_free(path);
}

/* template_find() must return DIR/REL, or NULL if REL is NULL. */
static void
check_find(const char *dir, const char *queue, const char *lang,
    const char *rel)
{
	char	*got, *want;

	got = template_find(dir, "n", "txt", queue, lang);
	if (rel == NULL) {
		g_assert_null(got);
		return;
	}
	want = g_build_filename(dir, rel, NULL);
	g_assert_cmpstr(got, ==, want);
	g_free(want);
	g_free(got);
}

static char *
make_tmpdir(void)
{
	GError	*err = NULL;
	char	*dir;

	dir = g_dir_make_tmp("test-template-XXXXXX", &err);
	g_assert_no_error(err);
	return dir;
}

static void
remove_tree(const char *dir)
{
	GDir		*d;
	const char	*e;
	char		*p;

	d = g_dir_open(dir, 0, NULL);
	g_assert_nonnull(d);
	while ((e = g_dir_read_name(d)) != NULL) {
		p = g_build_filename(dir, e, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			remove_tree(p);
		else
			g_assert_cmpint(g_remove(p), ==, 0);
		g_free(p);
	}
	g_dir_close(d);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static void
test_find_order(void)
{
	static const char *const order[] = {
		"sales/n.de_AT.txt", "sales/n.de.txt", "sales/n.txt",
		"n.de_AT.txt", "n.de.txt", "n.txt"
	};
	char	*dir = make_tmpdir();
	guint	 i;

	for (i = 0; i < G_N_ELEMENTS(order); i++)
		write_file(dir, order[i], "x");
	/* Decoys that must not win while the files above exist. */
	write_file(dir, "support/n.fr.txt", "x");
	write_file(dir, "n.html", "x");
	{
		char *sub = g_build_filename(dir, "support", "n.txt", NULL);

		/* A directory with a matching name is not a template. */
		g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
		g_free(sub);
	}

	/* Remove the winner each time: the next one takes over. */
	for (i = 0; i < G_N_ELEMENTS(order); i++) {
		check_find(dir, "sales", "de_AT.UTF-8@euro", order[i]);
		remove_file(dir, order[i]);
	}
	check_find(dir, "sales", "de_AT", NULL);

	write_file(dir, "n.txt", "x");
	write_file(dir, "n.de.txt", "x");
	write_file(dir, "sales/n.txt", "x");
	check_find(dir, NULL, NULL, "n.txt");
	check_find(dir, "", "", "n.txt");
	check_find(dir, NULL, "de", "n.de.txt");
	check_find(dir, NULL, "de-CH", "n.de.txt");
	check_find(dir, NULL, "fr_FR", "n.txt");
	check_find(dir, NULL, "C", "n.txt");
	check_find(dir, NULL, "POSIX", "n.txt");
	check_find(dir, "sales", NULL, "sales/n.txt");
	/* The queue's own file beats a shared one in the language. */
	check_find(dir, "sales", "de", "sales/n.txt");
	check_find(dir, "billing", "de", "n.de.txt");
	check_find(dir, "support", NULL, "n.txt");
	check_find(dir, "support", "fr", "support/n.fr.txt");
	/* A leading dot in the extension is accepted. */
	{
		char *got = template_find(dir, "n", ".txt", NULL, NULL);
		char *want = g_build_filename(dir, "n.txt", NULL);

		g_assert_cmpstr(got, ==, want);
		g_free(got);
		g_free(want);
	}
	remove_tree(dir);
	g_free(dir);
}

static void
test_find_refuse(void)
{
	char	*dir = make_tmpdir();
	char	*inner = g_build_filename(dir, "tpl", NULL);

	/* Files a traversal would reach. */
	write_file(dir, "secret.txt", "x");
	write_file(dir, "n.txt", "x");
	write_file(dir, "tpl/n.txt", "x");
	write_file(dir, "tpl/q/n.txt", "x");

	g_assert_null(template_find(inner, "../secret", "txt", NULL, NULL));
	g_assert_null(template_find(inner, "q/n", "txt", NULL, NULL));
	g_assert_null(template_find(inner, "..", "txt", NULL, NULL));
	g_assert_null(template_find(inner, ".n", "txt", NULL, NULL));
	g_assert_null(template_find(inner, "", "txt", NULL, NULL));
	g_assert_null(template_find(inner, "n", "txt/../x", NULL, NULL));
	g_assert_null(template_find(inner, "n", "txt", "..", NULL));
	g_assert_null(template_find(inner, "n", "txt", "../tpl", NULL));
	g_assert_null(template_find(inner, "n", "txt", "q/..", NULL));
	g_assert_null(template_find(inner, "n", "txt", "a\\b", NULL));
	g_assert_null(template_find(inner, "n", "txt", "a\nb", NULL));
	g_assert_null(template_find(inner, "n", "txt", NULL, "../x"));
	g_assert_null(template_find(inner, "n", "txt", NULL, "de/.."));
	g_assert_null(template_find(inner, "n", "txt", NULL, "de_../x"));
	g_assert_null(template_find(inner, "n", "txt", NULL, ".de"));
	/* The same calls with clean arguments do find files. */
	check_find(inner, "q", NULL, "q/n.txt");
	check_find(inner, NULL, "de", "n.txt");
	remove_tree(dir);
	g_free(inner);
	g_free(dir);
}

static void
test_mail_split(void)
{
	struct template	*t = NULL;
	JsonObject	*o;
	GError		*err = NULL;
	char		*subj, *body;

	o = ctx_new("{\"ticket\": {\"id\": 7, \"subject\": \"  Help\\r\\n"
	    "\\tme  now \"}, \"x\": true}");
	g_assert_true(template_parse(&t, "m", "Subject: Re: "
	    "{{ticket.subject}} (#{{ticket.id}})\n\nHello\n{{#x}}\n"
	    "Ticket {{ticket.id}}\n{{/x}}\n", &err));
	g_assert_no_error(err);
	g_assert_true(template_has_header(t));
	g_assert_true(template_render_mail(t, o, &subj, &body, &err));
	g_assert_no_error(err);
	/* Line breaks in a value never reach the header. */
	g_assert_cmpstr(subj, ==, "Re: Help me now (#7)");
	g_assert_cmpstr(body, ==, "Hello\nTicket 7\n");
	g_free(subj);
	g_free(body);
	template_free(t);

	/* CRLF, any case, no body. */
	g_assert_true(template_parse(&t, "m", "subject:x{{ticket.id}}\r\n",
	    &err));
	g_assert_true(template_render_mail(t, o, &subj, &body, &err));
	g_assert_cmpstr(subj, ==, "x7");
	g_assert_cmpstr(body, ==, "");
	g_free(subj);
	g_free(body);
	template_free(t);

	/* No header block: the whole text is the body. */
	g_assert_true(template_parse(&t, "m", "Dear customer,\n\n"
	    "Subject: {{ticket.id}}\n", &err));
	g_assert_false(template_has_header(t));
	g_assert_true(template_render_mail(t, o, &subj, &body, &err));
	g_assert_null(subj);
	g_assert_cmpstr(body, ==, "Dear customer,\n\nSubject: 7\n");
	g_free(body);
	template_free(t);

	/* template_render() shows the text as written, header included. */
	g_assert_true(template_parse(&t, "m", "Subject: S{{ticket.id}}\n\n"
	    "B\n", &err));
	body = template_render(t, o, TEMPLATE_ESCAPE_NONE, &err);
	g_assert_cmpstr(body, ==, "Subject: S7\n\nB\n");
	g_free(body);
	template_free(t);
	json_object_unref(o);
}

static void
test_load(void)
{
	char		*dir = make_tmpdir();
	char		*path, *out;
	struct template	*t = NULL;
	GError		*err = NULL;

	write_file(dir, "ok.txt", "\xef\xbb\xbfSubject: hi\n\n{{v}}\n");
	path = g_build_filename(dir, "ok.txt", NULL);
	g_assert_true(template_load(&t, path, &err));
	g_assert_no_error(err);
	g_assert_cmpstr(template_name(t), ==, path);
	/* A byte order mark does not hide the header block. */
	g_assert_true(template_has_header(t));
	out = template_render(t, NULL, TEMPLATE_ESCAPE_NONE, &err);
	g_assert_cmpstr(out, ==, "Subject: hi\n\n\n");
	g_free(out);
	template_free(t);
	g_free(path);

	write_file(dir, "bad.txt", "line\n{{#open}}\n");
	path = g_build_filename(dir, "bad.txt", NULL);
	g_assert_false(template_load(&t, path, &err));
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE);
	g_assert_true(g_str_has_prefix(err->message, path));
	g_assert_nonnull(strstr(err->message, ":2: section 'open'"));
	g_clear_error(&err);
	g_free(path);

	path = g_build_filename(dir, "nul.txt", NULL);
	g_assert_true(g_file_set_contents(path, "a\nb\0c", 5, NULL));
	g_assert_false(template_load(&t, path, &err));
	g_assert_error(err, TEMPLATE_ERROR, TEMPLATE_ERROR_PARSE);
	g_assert_nonnull(strstr(err->message, ":2: NUL byte"));
	g_clear_error(&err);
	g_free(path);

	path = g_build_filename(dir, "missing.txt", NULL);
	g_assert_false(template_load(&t, path, &err));
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_null(t);
	g_clear_error(&err);
	g_free(path);

	remove_tree(dir);
	g_free(dir);
	template_free(NULL);
}

static void
test_reuse(void)
{
	struct template	*t = NULL;
	JsonObject	*a = ctx_new("{\"v\": [1, 2]}");
	JsonObject	*b = ctx_new("{\"v\": \"s\"}");
	char		*out;

	g_assert_true(template_parse(&t, "t", "{{#v}}{{.}}{{/v}}", NULL));
	out = template_render(t, a, TEMPLATE_ESCAPE_NONE, NULL);
	g_assert_cmpstr(out, ==, "12");
	g_free(out);
	out = template_render(t, b, TEMPLATE_ESCAPE_NONE, NULL);
	g_assert_cmpstr(out, ==, "s");
	g_free(out);
	out = template_render(t, a, TEMPLATE_ESCAPE_HTML, NULL);
	g_assert_cmpstr(out, ==, "12");
	g_free(out);
	template_free(t);
	json_object_unref(a);
	json_object_unref(b);
}

static const char *
templates_dir(void)
{
	const char *d = g_getenv("TEMPLATES_DIR");

	return d != NULL && *d != '\0' ? d : "templates/mail";
}

/* Renders one shipped file; returns the body, and the subject in *S. */
static char *
render_shipped(const char *path, JsonObject *o, char **s)
{
	struct template	*t = NULL;
	GError		*err = NULL;
	char		*body;

	if (!template_load(&t, path, &err))
		g_error("%s", err->message);
	g_assert_true(template_has_header(t));
	g_assert_true(template_render_mail(t, o, s, &body, &err));
	g_assert_no_error(err);
	template_free(t);
	g_assert_nonnull(*s);
	g_assert_cmpstr(*s, !=, "");
	g_assert_null(strchr(*s, '\n'));
	g_assert_true(g_utf8_validate(body, -1, NULL));
	/* Every tag was understood, every line fits a mail reader. */
	g_assert_null(strstr(body, "{{"));
	g_assert_null(strstr(*s, "{{"));
	g_assert_false(g_str_has_prefix(body, "\n"));
	return body;
}

static void
test_shipped(void)
{
	const char	*dir = templates_dir();
	JsonObject	*o = ctx_new(shipped_ctx);
	GDir		*d;
	GError		*err = NULL;
	const char	*e;
	char		*path, *s, *body;
	guint		 i, n = 0;

	d = g_dir_open(dir, 0, &err);
	g_assert_no_error(err);
	while ((e = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(e, ".txt"))
			continue;
		path = g_build_filename(dir, e, NULL);
		body = render_shipped(path, o, &s);
		/* Mails about a customer's account, not about a ticket:
		 * her address, her membership. */
		if (strstr(body, "4711") == NULL &&
		    !g_str_has_prefix(e, "address-") &&
		    !g_str_has_prefix(e, "member-"))
			g_error("%s: ticket id missing from:\n%s", e, body);
		g_test_message("%s: Subject: %s", e, s);
		g_free(s);
		g_free(body);
		g_free(path);
		n++;
	}
	g_dir_close(d);
	g_assert_cmpuint(n, >=, G_N_ELEMENTS(shipped_names));
	for (i = 0; i < G_N_ELEMENTS(shipped_names); i++) {
		e = shipped_names[i];
		path = g_strconcat(dir, G_DIR_SEPARATOR_S, e, ".txt", NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_error("shipped template %s is missing", path);
		g_free(path);
	}
	json_object_unref(o);
}

/* What the shipped templates say, beyond the ticket number. */
static void
test_shipped_content(void)
{
	const char	*dir = templates_dir();
	JsonObject	*o = ctx_new(shipped_ctx);
	char		*path, *s, *body;

	path = g_build_filename(dir, "staff-notification.txt", NULL);
	body = render_shipped(path, o, &s);
	g_assert_nonnull(strstr(body, "the checkout page shows a blank"));
	g_assert_nonnull(strstr(body, "joerg@customer.example"));
	g_assert_nonnull(strstr(body, "HotRush"));
	g_assert_nonnull(strstr(body, "major"));
	/* Mail is plain text: nothing escaped, but one line. */
	g_assert_cmpstr(s, ==, "[HotRush] Checkout fails with <b>error</b> "
	    "& \"timeout\" second line");
	g_free(s);
	g_free(body);
	g_free(path);

	path = g_build_filename(dir, "command-transcript.txt", NULL);
	body = render_shipped(path, o, &s);
	g_assert_nonnull(strstr(body, "Status: closed"));
	g_assert_nonnull(strstr(body, "only staff may change the priority"));
	g_free(s);
	g_free(body);
	g_free(path);

	path = g_build_filename(dir, "closed.txt", NULL);
	body = render_shipped(path, o, &s);
	g_assert_nonnull(strstr(body, "Rating: 5"));
	g_assert_nonnull(strstr(body, "https://help.example.com/t/4711"));
	g_free(s);
	g_free(body);
	g_free(path);

	path = g_build_filename(dir, "follow-up-opened.txt", NULL);
	body = render_shipped(path, o, &s);
	g_assert_nonnull(strstr(body, "4100"));
	g_free(s);
	g_free(body);
	g_free(path);

	/* A view-only member's new message: there is no ticket at all. */
	json_object_remove_member(o, "ticket");
	path = g_build_filename(dir, "view-only-refusal.txt", NULL);
	body = render_shipped(path, o, &s);
	g_assert_nonnull(strstr(body, "Customer GmbH"));
	g_assert_null(strstr(body, "#"));
	g_assert_cmpstr(s, ==, "Re: Checkout");
	g_free(s);
	g_free(body);
	g_free(path);
	json_object_unref(o);
}

static void
test_shipped_lang(void)
{
	const char	*dir = templates_dir();
	char		*p;

	p = template_find(dir, "new-ticket", "txt", "support", "de_DE.UTF-8");
	g_assert_nonnull(p);
	g_assert_true(g_str_has_suffix(p, G_DIR_SEPARATOR_S
	    "new-ticket.de.txt"));
	g_free(p);
	p = template_find(dir, "new-ticket", "txt", "support", "ja_JP");
	g_assert_nonnull(p);
	g_assert_true(g_str_has_suffix(p, G_DIR_SEPARATOR_S
	    "new-ticket.txt"));
	g_free(p);
	g_assert_null(template_find(dir, "no-such-template", "txt", NULL,
	    NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/template/variables", test_variables);
	g_test_add_func("/template/dotted", test_dotted);
	g_test_add_func("/template/types", test_types);
	g_test_add_func("/template/missing", test_missing);
	g_test_add_func("/template/escape", test_escape);
	g_test_add_func("/template/raw", test_raw);
	g_test_add_func("/template/section-array", test_section_array);
	g_test_add_func("/template/section-truthy", test_section_truthy);
	g_test_add_func("/template/inverted", test_inverted);
	g_test_add_func("/template/nesting", test_nesting);
	g_test_add_func("/template/scoping", test_scoping);
	g_test_add_func("/template/standalone", test_standalone);
	g_test_add_func("/template/comments", test_comments);
	g_test_add_func("/template/parse-errors", test_parse_errors);
	g_test_add_func("/template/depth", test_depth);
	g_test_add_func("/template/output-limit", test_output_limit);
	g_test_add_func("/template/steps-limit", test_steps_limit);
	g_test_add_func("/template/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/html/escape", test_html_escape);
	g_test_add_func("/template/find-order", test_find_order);
	g_test_add_func("/template/find-refuse", test_find_refuse);
	g_test_add_func("/template/mail-split", test_mail_split);
	g_test_add_func("/template/load", test_load);
	g_test_add_func("/template/reuse", test_reuse);
	g_test_add_func("/template/shipped", test_shipped);
	g_test_add_func("/template/shipped-content", test_shipped_content);
	g_test_add_func("/template/shipped-lang", test_shipped_lang);
	return g_test_run();
}
