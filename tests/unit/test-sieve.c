/*
 * test-sieve.c: unit tests for src/sieve/: each construct parsed and
 * evaluated, error locations, RFC examples, adversarial input, and the
 * shipped filters/default.sieve against tests/data/rules/.
 */
#include <string.h>

#include <glib.h>

#include "sieve/sieve.h"

#define SCRIPT "t.sieve"

/* A parsed test message; strings point into raw or into values. */
struct tmsg {
	char *raw;
	GArray *headers;	/* struct sieve_header */
	GPtrArray *strings;	/* owned unfolded names and values */
	struct sieve_message m;
};

static const char *const coyote =
    "From: \"Coyote\" <coyote@desert.example.org>\n"
    "To: <roadrunner@acme.example.com>, Bugs Bunny <bugs@Example.COM>\n"
    "Cc: friends: wile@acme.example.com, (comment) pal@acme.example.com;\n"
    "Subject: I have a present for you\n"
    "X-Caffeine: C8H10N4O2\n"
    "X-Multi: one\n"
    "X-Multi: two\n"
    "X-Folded: first\n"
    "  second\n"
    "\n"
    "Look, I'm sorry about the whole anvil thing, and I really\n"
    "didn't mean to try and drop it on you from the top of the\n"
    "cliff.  I want to try to make it up to you.\n";

static const char *
tmsg_keep(struct tmsg *t, char *s)
{
	g_ptr_array_add(t->strings, s);
	return s;
}

/* X-Postdesk-Test-* headers stand in for what ingest knows. */
static void
tmsg_pseudo(struct tmsg *t, const char *name, const char *value)
{
	if (g_ascii_strcasecmp(name, "X-Postdesk-Test-Ticket") == 0)
		t->m.ticket_state = value;
	else if (g_ascii_strcasecmp(name, "X-Postdesk-Test-Spf") == 0)
		t->m.spf = value;
	else if (g_ascii_strcasecmp(name, "X-Postdesk-Test-Role") == 0)
		t->m.sender_role = value;
	else if (g_ascii_strcasecmp(name,
	    "X-Postdesk-Test-Envelope-From") == 0)
		t->m.envelope_from = value;
	else if (g_ascii_strcasecmp(name, "X-Postdesk-Test-Envelope-To") == 0)
		t->m.envelope_to = value;
}

static void
tmsg_add(struct tmsg *t, GString *line)
{
	struct sieve_header h;
	char *colon;

	colon = strchr(line->str, ':');
	if (colon == NULL)
		return;
	h.name = tmsg_keep(t, g_strndup(line->str,
	    (gsize)(colon - line->str)));
	h.value = tmsg_keep(t, g_strstrip(g_strdup(colon + 1)));
	g_array_append_val(t->headers, h);
	tmsg_pseudo(t, h.name, h.value);
}

/* Tiny RFC 5322 header parser: unfold, no MIME decoding. */
static void
tmsg_parse(struct tmsg *t, const char *raw)
{
	GString *line;
	const char *p, *nl;
	size_t n;

	memset(t, 0, sizeof *t);
	t->raw = g_strdup(raw);
	t->headers = g_array_new(FALSE, FALSE, sizeof(struct sieve_header));
	t->strings = g_ptr_array_new_with_free_func(g_free);
	t->m.ticket_state = "new";
	t->m.spf = "pass";
	t->m.sender_role = "customer";
	line = g_string_new(NULL);
	for (p = t->raw; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = *nl != '\0' ? nl + 1 : nl;
			break;
		}
		if ((*p == ' ' || *p == '\t') && line->len > 0) {
			g_string_append_c(line, ' ');
			g_string_append_len(line, p, (gssize)n);
			g_strstrip(line->str);
			line->len = strlen(line->str);
		} else {
			tmsg_add(t, line);
			g_string_assign(line, "");
			g_string_append_len(line, p, (gssize)n);
		}
		if (*nl == '\0') {
			p = nl;
			break;
		}
	}
	tmsg_add(t, line);
	g_string_free(line, TRUE);
	t->m.headers = (const struct sieve_header *)(void *)t->headers->data;
	t->m.n_headers = t->headers->len;
	t->m.size = strlen(raw);
	t->m.body_text = p;
	t->m.body_raw = p;
}

static void
tmsg_clear(struct tmsg *t)
{
	g_array_free(t->headers, TRUE);
	g_ptr_array_free(t->strings, TRUE);
	g_free(t->raw);
}

static char *
result_text(const struct sieve_result *res)
{
	GString *out;
	char *line;
	guint i;

	out = g_string_new(NULL);
	for (i = 0; i < res->actions->len; i++) {
		line = sieve_action_format(g_ptr_array_index(res->actions, i));
		g_string_append_printf(out, "%s\n", line);
		g_free(line);
	}
	if (res->implicit_keep)
		g_string_append(out, "implicit keep\n");
	return g_string_free(out, FALSE);
}

static struct sieve_script *
compile_ok(const char *text)
{
	struct sieve_script *s = NULL;
	GError *err = NULL;

	if (!sieve_compile_string(&s, SCRIPT, text, &err))
		g_test_message("script:\n%s", text);
	g_assert_no_error(err);
	g_assert_nonnull(s);
	return s;
}

/* Runs text against message raw; returns the action lines. */
static char *
run_on(const char *text, const struct sieve_message *m)
{
	struct sieve_script *s;
	struct sieve_result *res;
	GError *err = NULL;
	char *out;

	s = compile_ok(text);
	res = sieve_result_new();
	g_assert_true(sieve_run(s, m, res, &err));
	g_assert_no_error(err);
	out = result_text(res);
	sieve_result_free(res);
	sieve_script_free(s);
	return out;
}

static char *
run_raw(const char *text, const char *raw)
{
	struct tmsg t;
	char *out;

	tmsg_parse(&t, raw);
	out = run_on(text, &t.m);
	tmsg_clear(&t);
	return out;
}

struct run_case {
	const char *script;
	const char *expected;
};

static void
run_cases(const struct run_case *cases, size_t n, const char *raw)
{
	char *got;
	size_t i;

	for (i = 0; i < n; i++) {
		got = run_raw(cases[i].script, raw);
		if (strcmp(got, cases[i].expected) != 0)
			g_test_message("case %zu: %s", i, cases[i].script);
		g_assert_cmpstr(got, ==, cases[i].expected);
		g_free(got);
	}
}

static void
expect_error(const char *text, const char *message)
{
	struct sieve_script *s = NULL;
	GError *err = NULL;

	g_assert_false(sieve_compile_string(&s, SCRIPT, text, &err));
	g_assert_null(s);
	g_assert_nonnull(err);
	g_assert_true(err->domain == SIEVE_ERROR);
	if (strcmp(err->message, message) != 0)
		g_test_message("script:\n%s", text);
	g_assert_cmpstr(err->message, ==, message);
	g_error_free(err);
}

#define RUN_CASES(c, raw) run_cases((c), G_N_ELEMENTS(c), (raw))

/* ---- lexer ---- */

static void
test_lexer(void)
{
	static const struct run_case cases[] = {
		/* quoted strings: \\ and \" escapes, other \x is x */
		{ "require \"reject\";\nreject \"a\\\\b\\\"c\\d\";",
		    "reject \"a\\\\b\\\"cd\"  (t.sieve:2)\n" },
		/* multi-line text: with dot-stuffing and a comment */
		{ "require \"reject\";\nreject text: # why\nline one\n"
		    "..dot\n.\n;",
		    "reject \"line one\\x0a.dot\\x0a\"  (t.sieve:2)\n" },
		{ "require \"reject\";\r\nreject text:\r\nx\r\n.\r\n;",
		    "reject \"x\\x0a\"  (t.sieve:2)\n" },
		/* comments of both kinds, case-insensitive identifiers */
		{ "# hash\n/* bracket\n * comment */ KEEP; /**/",
		    "keep  (t.sieve:3)\n" },
		/* numbers with K, M and G suffixes */
		{ "if size :under 2K { keep; }", "keep  (t.sieve:1)\n" },
		{ "if size :over 1M { discard; }", "implicit keep\n" },
		{ "if size :under 1G { discard; }", "discard  (t.sieve:1)\n" },
	};

	RUN_CASES(cases, coyote);
}

/* ---- errors, with exact locations ---- */

static void
test_errors(void)
{
	static const struct run_case cases[] = {
		{ "keep", "t.sieve:1:5: expected ';' or '{', found end of "
		    "script" },
		{ "keep;\n  frobnicate;",
		    "t.sieve:2:3: unknown command 'frobnicate'" },
		{ "fileinto \"x\";",
		    "t.sieve:1:1: command 'fileinto' requires 'require "
		    "\"fileinto\";'" },
		{ "require \"nope\";", "t.sieve:1:9: unsupported extension "
		    "\"nope\"" },
		{ "keep;\nrequire \"fileinto\";", "t.sieve:2:1: 'require' "
		    "must come before any other command" },
		{ "if header :is \"a\" \"b\nkeep;", "t.sieve:1:19: "
		    "unterminated string" },
		{ "/* open", "t.sieve:1:1: unterminated comment" },
		{ "keep;\n\tkeep @;",
		    "t.sieve:2:7: unexpected character '@'" },
		{ "if header :regex \"a\" \"b\" { keep; }", "t.sieve:1:11: "
		    "':regex' requires 'require \"regex\";'" },
		{ "require \"regex\";\nif header :regex \"s\" \"(\" {}",
		    "t.sieve:2:22: invalid regex: missing closing "
		    "parenthesis at offset 1" },
		{ "if header :bogus \"a\" \"b\" {}", "t.sieve:1:11: unknown "
		    "tag ':bogus' for 'header'" },
		{ "if header :is :contains \"a\" \"b\" {}", "t.sieve:1:15: "
		    "':contains' conflicts with an earlier tag of the same "
		    "kind" },
		{ "if header \"a\" {}", "t.sieve:1:4: 'header' is missing "
		    "its key list" },
		{ "if header 1 \"b\" {}", "t.sieve:1:11: expected source list "
		    "for 'header', found a number" },
		{ "if frob {}", "t.sieve:1:4: unknown test 'frob'" },
		/* "true keep" parses as a test with a nested test */
		{ "if true keep;", "t.sieve:1:1: 'if' needs a block in "
		    "braces" },
		{ "if true { keep; }\nif true keep {}", "t.sieve:2:9: 'true' "
		    "does not take a nested test" },
		{ "if true;", "t.sieve:1:1: 'if' needs a block in braces" },
		{ "else { keep; }", "t.sieve:1:1: 'else' without a preceding "
		    "'if'" },
		{ "if anyof true { }", "t.sieve:1:4: 'anyof' expects a test "
		    "list in parentheses" },
		{ "if header :comparator \"i;unicode\" \"a\" \"b\" {}",
		    "t.sieve:1:23: unsupported comparator \"i;unicode\"" },
		{ "if size 3 {}", "t.sieve:1:4: 'size' expects :over or "
		    ":under and a number" },
		{ "keep \"x\";",
		    "t.sieve:1:6: too many arguments for 'keep'" },
		{ "require \"fileinto\";\nfileinto [\"a\", \"b\"];",
		    "t.sieve:2:10: expected a single string (queue) for "
		    "'fileinto', found a list" },
		{ "require \"fileinto\";\nfileinto \"../etc\";",
		    "t.sieve:2:10: invalid queue name \"../etc\"" },
		{ "redirect \"nobody\";", "t.sieve:1:10: invalid redirect "
		    "address \"nobody\"" },
		{ "require \"body\";\nif body :content \"text\" \"x\" {}",
		    "t.sieve:2:9: body :content is not supported; use :text "
		    "(decoded text parts)" },
		{ "require \"envelope\";\nif envelope \"auth\" \"x\" {}",
		    "t.sieve:2:13: unknown envelope part \"auth\" (use "
		    "\"from\" or \"to\")" },
		{ "require \"variables\";\nset :lower :upper \"a\" \"b\";",
		    "t.sieve:2:12: modifier ':upper' conflicts with another "
		    "of the same precedence" },
		{ "require \"variables\";\nset \"1x\" \"b\";", "t.sieve:2:5: "
		    "invalid variable name \"1x\"" },
		{ "require \"vacation\";\nvacation \"Dear customer, no.\";",
		    "t.sieve:2:10: vacation reason must name a template under "
		    "templates/mail/ (letters, digits, '.', '-', '_'), not "
		    "\"Dear customer, no.\"" },
		{ "require \"vnd.postdesk\";\nset_priority \"very urgent\";",
		    "t.sieve:2:14: invalid priority (a word: letters, digits, "
		    "'-', '_') \"very urgent\"" },
		{ "set_hotrush;", "t.sieve:1:1: command 'set_hotrush' "
		    "requires 'require \"vnd.postdesk\";'" },
		{ "require \"vnd.postdesk\";\nif ticket :is \"nwe\" {}",
		    "t.sieve:2:15: 'ticket' can never be \"nwe\"" },
		{ "require \"vnd.postdesk\";\nset_field \"a b\" \"x\";",
		    "t.sieve:2:11: invalid field name \"a b\"" },
		{ "require \"reject\";\nreject text:\nno end\n",
		    "t.sieve:2:8: unterminated text: string (no \".\" line)" },
		{ "if size :over 99999999999999999999 {}", "t.sieve:1:15: "
		    "number too large" },
		{ "if exists \"a\" true {}", "t.sieve:1:15: 'exists' does not "
		    "take a nested test" },
		{ "keep { }", "t.sieve:1:1: command 'keep' does not take a "
		    "block" },
		{ "require \"imap4flags\";\naddflag \"v\" \"x\";",
		    "t.sieve:2:1: "
		    "the variable-name form of 'addflag' is not supported" },
		{ "if header :count \"ge\" \"a\" \"1\" {}", "t.sieve:1:11: "
		    "relational match type ':count' is not supported" },
		{ "if not (true, false) {}", "t.sieve:1:4: 'not' expects "
		    "exactly one test" },
		{ "}", "t.sieve:1:1: expected a command, found '}'" },
		{ "if true { keep;", "t.sieve:1:16: expected '}', found end "
		    "of script" },
		{ "if header [\"a\" \"b\"] \"c\" {}", "t.sieve:1:16: expected "
		    "',' or ']' in string list, found string" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		expect_error(cases[i].script, cases[i].expected);
}

static void
test_error_file(void)
{
	struct sieve_script *s = NULL;
	GError *err = NULL;

	g_assert_false(sieve_compile_file(&s, "/nonexistent/x.sieve", &err));
	g_assert_error(err, SIEVE_ERROR, SIEVE_ERROR_IO);
	g_assert_true(g_str_has_prefix(err->message,
	    "/nonexistent/x.sieve: "));
	g_error_free(err);
}

/* ---- RFC 5228 core ---- */

static void
test_core_tests(void)
{
	static const struct run_case cases[] = {
		{ "if header :contains \"subject\" \"PRESENT\" { discard; }",
		    "discard  (t.sieve:1)\n" },
		{ "if header :comparator \"i;octet\" :contains \"subject\" "
		    "\"PRESENT\" { discard; }", "implicit keep\n" },
		{ "if header :is [\"x-none\", \"X-Multi\"] \"two\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if header :matches \"x-folded\" \"first*second\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if header :matches \"subject\" \"I?have*\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if header :matches \"subject\" \"*present\" { keep; }",
		    "implicit keep\n" },
		{ "if address :domain :is \"to\" \"example.com\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if address :localpart :is \"cc\" \"pal\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if address :all :is \"cc\" \"friends\" { keep; }",
		    "implicit keep\n" },
		{ "if address \"from\" \"coyote@desert.example.org\" "
		    "{ keep; }", "keep  (t.sieve:1)\n" },
		{ "if address :is :all \"from\" \"Coyote\" { keep; }",
		    "implicit keep\n" },
		{ "if exists [\"from\", \"x-caffeine\"] { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if exists [\"from\", \"x-none\"] { keep; }",
		    "implicit keep\n" },
		{ "if not exists \"x-none\" { keep; }",
		    "keep  (t.sieve:1)\n" },
		{ "if size :over 100 { keep; }", "keep  (t.sieve:1)\n" },
		{ "if size :under 100 { keep; }", "implicit keep\n" },
		{ "if allof (true, false) { keep; }", "implicit keep\n" },
		{ "if anyof (false, true) { keep; }", "keep  (t.sieve:1)\n" },
		{ "if anyof (false, false) { keep; }", "implicit keep\n" },
		{ "if allof (true, not false) { keep; }",
		    "keep  (t.sieve:1)\n" },
	};

	RUN_CASES(cases, coyote);
}

static void
test_core_control(void)
{
	static const struct run_case cases[] = {
		{ "require [\"fileinto\"];\n"
		    "if false { fileinto \"a\"; }\n"
		    "elsif true { fileinto \"b\"; }\n"
		    "else { fileinto \"c\"; }",
		    "fileinto \"b\"  (t.sieve:3)\n" },
		{ "require \"fileinto\";\n"
		    "if false { fileinto \"a\"; } elsif false { }\n"
		    "else { fileinto \"c\"; }",
		    "fileinto \"c\"  (t.sieve:3)\n" },
		/* stop ends the script; implicit keep is still in force */
		{ "stop;\nkeep;", "implicit keep\n" },
		{ "if true { if true { stop; } }\ndiscard;",
		    "implicit keep\n" },
		/* duplicate actions are kept once (RFC 5228 2.10.3) */
		{ "require \"fileinto\";\nfileinto \"a\";\nfileinto \"a\";",
		    "fileinto \"a\"  (t.sieve:2)\n" },
		{ "keep; keep;", "keep  (t.sieve:1)\n" },
		{ "discard;", "discard  (t.sieve:1)\n" },
		{ "redirect \"boss@example.com\";",
		    "redirect \"boss@example.com\"  (t.sieve:1)\n" },
		{ "require \"reject\";\nreject \"go away\";",
		    "reject \"go away\"  (t.sieve:2)\n" },
		{ "", "implicit keep\n" },
	};

	RUN_CASES(cases, coyote);
}

static void
test_envelope(void)
{
	struct sieve_message m;
	char *got;

	memset(&m, 0, sizeof m);
	m.envelope_from = "";
	m.envelope_to = "<Support@Helpdesk.example>";
	got = run_on("require \"envelope\";\n"
	    "if envelope :is \"from\" \"\" { discard; }\n"
	    "if envelope :domain :is \"to\" \"helpdesk.example\" { keep; }",
	    &m);
	g_assert_cmpstr(got, ==, "discard  (t.sieve:2)\n"
	    "keep  (t.sieve:3)\n");
	g_free(got);
	m.envelope_from = NULL;
	got = run_on("require \"envelope\";\n"
	    "if envelope :matches \"from\" \"*\" { discard; }", &m);
	g_assert_cmpstr(got, ==, "implicit keep\n");
	g_free(got);
}

/* The RFC 5228 section 9 example, minus the parts postdesk rejects. */
static void
test_rfc5228_example(void)
{
	static const char *const script =
	    "require \"fileinto\";\n"
	    "if header :is \"Sender\" \"owner-ietf-mtg@ietf.org\" {\n"
	    "        fileinto \"ietf\";\n"
	    "}\n"
	    "elsif address :DOMAIN :is [\"From\", \"To\"] \"example.com\"\n"
	    "{\n"
	    "        keep;\n"
	    "}\n"
	    "elsif anyof (NOT address :all :contains\n"
	    "               [\"To\", \"Cc\", \"Bcc\"] \"me@example.com\",\n"
	    "             header :matches \"subject\"\n"
	    "               [\"*make*money*fast*\", "
	    "\"*university*dipl*mas*\"])"
	    "\n{\n"
	    "        fileinto \"spam\";\n"
	    "}\n"
	    "else {\n"
	    "        fileinto \"personal\";\n"
	    "}\n";
	char *got;

	got = run_raw(script, coyote);
	g_assert_cmpstr(got, ==, "keep  (t.sieve:7)\n");
	g_free(got);
	got = run_raw(script, "From: a@b.example\nTo: x@y.example\n"
	    "Subject: make lots of money fast\n\nhi\n");
	g_assert_cmpstr(got, ==, "fileinto \"spam\"  (t.sieve:14)\n");
	g_free(got);
	got = run_raw(script, "From: a@b.example\nTo: me@example.com\n"
	    "Subject: lunch\n\nhi\n");
	g_assert_cmpstr(got, ==, "keep  (t.sieve:7)\n");
	g_free(got);
	got = run_raw(script, "From: a@b.example\nTo: me@example.org, "
	    "Me <me@example.com>\nSubject: lunch\n\nhi\n");
	g_assert_cmpstr(got, ==, "keep  (t.sieve:7)\n");
	g_free(got);
	got = run_raw(script, "From: a@b.example\nCc: me@example.com\n"
	    "Subject: lunch\n\nhi\n");
	g_assert_cmpstr(got, ==, "fileinto \"personal\"  (t.sieve:17)\n");
	g_free(got);
}

/* ---- match types ---- */

static void
test_glob(void)
{
	static const struct {
		const char *pat, *s;
		gboolean casemap, want;
	} cases[] = {
		{ "", "", TRUE, TRUE },
		{ "*", "", TRUE, TRUE },
		{ "?", "", TRUE, FALSE },
		{ "a*c", "abbbc", TRUE, TRUE },
		{ "a*c", "abbbd", TRUE, FALSE },
		{ "A?C", "abc", TRUE, TRUE },
		{ "A?C", "abc", FALSE, FALSE },
		{ "\\*x", "*x", TRUE, TRUE },
		{ "\\*x", "ax", TRUE, FALSE },
		{ "a\\?", "a?", TRUE, TRUE },
		{ "a\\\\b", "a\\b", TRUE, TRUE },
		{ "?", "\xc3\xa9", TRUE, TRUE },	/* one UTF-8 char */
		{ "?", "\xc3\xa9", FALSE, FALSE },	/* two octets */
		{ "*a*b*c*", "xxaxxbxxcxx", TRUE, TRUE },
		{ "*a*b*c*d", "xxaxxbxxcxx", TRUE, FALSE },
	};
	size_t i;
	gboolean got;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		/* The glob itself is internal; go through :matches. */
		struct sieve_header h = { "X", cases[i].s };
		struct sieve_message m;
		char *script, *out, *pat;

		memset(&m, 0, sizeof m);
		m.headers = &h;
		m.n_headers = 1;
		pat = g_strescape(cases[i].pat, "\xc3\xa9");
		script = g_strdup_printf("if header :matches%s \"X\" \"%s\" "
		    "{ discard; }", cases[i].casemap ? "" :
		    " :comparator \"i;octet\"", pat);
		out = run_on(script, &m);
		got = g_str_has_prefix(out, "discard");
		if (got != cases[i].want)
			g_test_message("glob %s on %s", cases[i].pat,
			    cases[i].s);
		g_assert_cmpint(got, ==, cases[i].want);
		g_free(out);
		g_free(script);
		g_free(pat);
	}
}

static void
test_regex(void)
{
	static const struct run_case cases[] = {
		{ "require [\"regex\", \"fileinto\"];\n"
		    "if header :regex \"subject\" \"^i have\" "
		    "{ fileinto \"a\"; }", "fileinto \"a\"  (t.sieve:2)\n" },
		{ "require [\"regex\", \"fileinto\"];\n"
		    "if header :regex :comparator \"i;octet\" \"subject\" "
		    "\"^i have\" { fileinto \"a\"; }", "implicit keep\n" },
		{ "require [\"regex\", \"variables\", \"fileinto\"];\n"
		    "if header :regex \"x-caffeine\" \"C([0-9]+)H([0-9]+)\" "
		    "{ fileinto \"c${1}h${2}\"; }",
		    "fileinto \"c8h10\"  (t.sieve:2)\n" },
		/* a pattern built from a variable is compiled at run time */
		{ "require [\"regex\", \"variables\", \"fileinto\"];\n"
		    "set \"p\" \"pre.ent\";\n"
		    "if header :regex \"subject\" \"${p}\"\n"
		    "{ fileinto \"v\"; }",
		    "fileinto \"v\"  (t.sieve:4)\n" },
		/* an invalid run-time pattern never matches */
		{ "require [\"regex\", \"variables\", \"fileinto\"];\n"
		    "set \"p\" \"(\";\n"
		    "if header :regex \"subject\" \"${p}\"\n"
		    "{ fileinto \"v\"; }",
		    "implicit keep\n" },
	};

	RUN_CASES(cases, coyote);
}

/* (a+)+$ against many a's and a stopper: must give up fast. */
static void
test_regex_catastrophic(void)
{
	struct sieve_script *s;
	struct sieve_result *res;
	struct sieve_header h;
	struct sieve_message m;
	GError *err = NULL;
	GString *v;
	gint64 t0, dt;

	v = g_string_new(NULL);
	g_string_append_printf(v, "%0*d!", 100000, 0);
	g_strdelimit(v->str, "0", 'a');
	h.name = "Subject";
	h.value = v->str;
	memset(&m, 0, sizeof m);
	m.headers = &h;
	m.n_headers = 1;
	m.body_text = v->str;
	s = compile_ok("require [\"regex\", \"body\"];\n"
	    "if header :regex \"subject\" \"(a+)+$\" { discard; }\n"
	    "if body :regex \"^(a|aa)+$\" { discard; }\n"
	    "if body :regex \"(a*)*b\" { discard; }\n");
	res = sieve_result_new();
	t0 = g_get_monotonic_time();
	g_assert_true(sieve_run(s, &m, res, &err));
	dt = g_get_monotonic_time() - t0;
	g_assert_no_error(err);
	g_test_message("catastrophic regexes took %" G_GINT64_FORMAT " us",
	    dt);
	g_assert_cmpint(dt, <, 2 * G_USEC_PER_SEC);
	g_assert_cmpuint(res->actions->len, ==, 0);
	g_assert_true(res->implicit_keep);
	g_assert_nonnull(strstr(res->trace->str,
	    "t.sieve:2:   regex gave up (match limit exceeded): treated as "
	    "no match\n"));
	sieve_result_free(res);
	/* without the stopper (a+)+$ matches, and as fast */
	g_string_truncate(v, v->len - 1);
	h.value = v->str;
	res = sieve_result_new();
	t0 = g_get_monotonic_time();
	g_assert_true(sieve_run(s, &m, res, &err));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
	g_assert_cmpuint(res->actions->len, ==, 1);
	sieve_result_free(res);
	sieve_script_free(s);
	g_string_free(v, TRUE);
}

static void
test_body(void)
{
	static const struct run_case cases[] = {
		{ "require \"body\";\nif body :contains \"ANVIL\" "
		    "{ discard; }", "discard  (t.sieve:2)\n" },
		{ "require \"body\";\nif body :text :contains \"anvil thing\" "
		    "{ discard; }", "discard  (t.sieve:2)\n" },
		{ "require \"body\";\nif body :raw :comparator \"i;octet\" "
		    ":contains \"ANVIL\" { discard; }", "implicit keep\n" },
		{ "require \"body\";\nif body :matches \"*cliff.*\" "
		    "{ discard; }", "discard  (t.sieve:2)\n" },
	};
	struct sieve_message m;
	char *got;

	RUN_CASES(cases, coyote);
	/* RFC 5173 2: a message without a body still has body "" */
	memset(&m, 0, sizeof m);
	got = run_on("require \"body\";\nif body :is \"\" { discard; }", &m);
	g_assert_cmpstr(got, ==, "discard  (t.sieve:2)\n");
	g_free(got);
}

/* ---- variables (RFC 5229) ---- */

static void
test_variables(void)
{
	static const struct run_case cases[] = {
		/* RFC 5229 3: the mailing-list example */
		{ "require [\"fileinto\", \"variables\"];\n"
		    "if header :matches \"Subject\" \"I * a *\" {\n"
		    "  fileinto \"q.${1}\";\n}",
		    "fileinto \"q.have\"  (t.sieve:3)\n" },
		{ "require [\"vnd.postdesk\", \"variables\"];\n"
		    "if header :matches \"Subject\" \"I * a *\" {\n"
		    "  set_field \"x\" \"${1}.${2}\";\n}",
		    "set_field \"x\" \"have.present for you\"  (t.sieve:3)\n"
		    "implicit keep\n" },
		/* a queue name that is invalid after expansion is skipped */
		{ "require [\"fileinto\", \"variables\"];\n"
		    "if header :matches \"Subject\" \"I * a *\" {\n"
		    "  fileinto \"q.${2}\";\n}", "implicit keep\n" },
		/* set modifiers and their precedence (RFC 5229 4.1) */
		{ "require [\"variables\", \"vnd.postdesk\"];\n"
		    "set :upper \"a\" \"Hello\";\n"
		    "set :lowerfirst :upper \"b\" \"hello\";\n"
		    "set :upperfirst \"c\" \"\xc3\xa9t\xc3\xa9\";\n"
		    "set :length \"d\" \"\xc3\xa9t\xc3\xa9\";\n"
		    "set :quotewildcard \"e\" \"a*b?c\\\\\";\n"
		    "set :lower :upperfirst \"f\" \"WORLD\";\n"
		    "set_field \"x\" \"${a} ${b} ${c} ${d} ${e} ${f}\";",
		    "set_field \"x\" \"HELLO hELLO \xc3\x89t\xc3\xa9 3 "
		    "a\\\\*b\\\\?c\\\\\\\\ World\"  (t.sieve:8)\n"
		    "implicit keep\n" },
		/* names are case-insensitive; unknown expands to "" */
		{ "require [\"variables\", \"vnd.postdesk\"];\n"
		    "set \"Name\" \"v\";\n"
		    "set_field \"x\" \"[${NAME}][${other}][${9}][$]${x\";",
		    "set_field \"x\" \"[v][][][$]${x\"  (t.sieve:3)\n"
		    "implicit keep\n" },
		/* string test */
		{ "require [\"variables\", \"fileinto\"];\n"
		    "set \"a\" \"support\";\n"
		    "if string :is \"${a}\" \"support\" { fileinto \"ok\"; }\n"
		    "if string :matches \"x${a}\" \"x*\" "
		    "{ fileinto \"m${1}\"; }",
		    "fileinto \"ok\"  (t.sieve:3)\n"
		    "fileinto \"msupport\"  (t.sieve:4)\n" },
		/* without "variables", ${...} is literal text */
		{ "require \"vnd.postdesk\";\nset_field \"x\" \"${1}\";",
		    "set_field \"x\" \"${1}\"  (t.sieve:2)\nimplicit keep\n" },
		/* a failed match leaves match variables alone */
		{ "require [\"variables\", \"vnd.postdesk\"];\n"
		    "if header :matches \"subject\" \"I *\" {}\n"
		    "if header :matches \"subject\" \"nope*\" {}\n"
		    "set_field \"x\" \"${1}\";",
		    "set_field \"x\" \"have a present for you\"  (t.sieve:4)\n"
		    "implicit keep\n" },
	};

	RUN_CASES(cases, coyote);
}

/* ---- imap4flags, vacation, vnd.postdesk ---- */

static void
test_flags(void)
{
	static const struct run_case cases[] = {
		{ "require \"imap4flags\";\naddflag [\"a\", \"b c\"];\n"
		    "addflag \"A\";",
		    "addflag \"a\"  (t.sieve:2)\naddflag \"b\"  (t.sieve:2)\n"
		    "addflag \"c\"  (t.sieve:2)\nimplicit keep\n" },
		{ "require \"imap4flags\";\naddflag \"a b\";\n"
		    "removeflag \"a\";", "addflag \"b\"  (t.sieve:2)\n"
		    "implicit keep\n" },
		{ "require \"imap4flags\";\naddflag \"a b\";\nsetflag \"z\";",
		    "addflag \"z\"  (t.sieve:3)\nimplicit keep\n" },
		{ "require \"imap4flags\";\naddflag \"vip\";\n"
		    "if hasflag :is \"VIP\" { discard; }",
		    "addflag \"vip\"  (t.sieve:2)\ndiscard  (t.sieve:3)\n" },
	};

	RUN_CASES(cases, coyote);
}

static void
test_vacation(void)
{
	static const struct run_case cases[] = {
		{ "require \"vacation\";\nvacation \"out-of-scope\";",
		    "vacation \"out-of-scope\" :days 7  (t.sieve:2)\n"
		    "implicit keep\n" },
		/* RFC 5230 4: all tags parse; postdesk uses :days, :subject */
		{ "require \"vacation\";\n"
		    "vacation :days 23 :addresses [\"a@b.example\"] :mime\n"
		    "  :from \"s@h.example\" :handle \"x\"\n"
		    "  :subject \"About your request\" \"policy.txt\";",
		    "vacation \"policy.txt\" \"About your request\" :days 23"
		    "  (t.sieve:2)\nimplicit keep\n" },
		{ "require \"vacation\";\nvacation :days 0 \"t\";",
		    "vacation \"t\" :days 1  (t.sieve:2)\nimplicit keep\n" },
	};

	RUN_CASES(cases, coyote);
}

static void
test_postdesk(void)
{
	static const struct run_case cases[] = {
		{ "require \"vnd.postdesk\";\n"
		    "set_priority \"major\";\nset_hotrush;\n"
		    "set_field \"version\" \"4.7.12\";\nassign \"bob\";",
		    "set_priority \"major\"  (t.sieve:2)\n"
		    "set_hotrush  (t.sieve:3)\n"
		    "set_field \"version\" \"4.7.12\"  (t.sieve:4)\n"
		    "assign \"bob\"  (t.sieve:5)\nimplicit keep\n" },
		{ "require \"vnd.postdesk\";\n"
		    "if allof (ticket :is \"new\", spf :is \"pass\",\n"
		    "    sender_role :is \"customer\") { set_hotrush; }\n"
		    "if sender_role :is \"staff\" { assign \"x\"; }\n"
		    "if spf :matches \"*fail\" { assign \"y\"; }",
		    "set_hotrush  (t.sieve:3)\nimplicit keep\n" },
		/* a run-time priority that is not a word is skipped; a word
		 * the queue does not have is refused when applied */
		{ "require [\"vnd.postdesk\", \"variables\"];\n"
		    "set \"p\" \"hu ge\";\nset_priority \"${p}\";",
		    "implicit keep\n" },
		{ "require [\"vnd.postdesk\", \"variables\"];\n"
		    "set \"p\" \"Highest\";\nset_priority \"${p}\";",
		    "set_priority \"Highest\"  (t.sieve:3)\nimplicit keep\n" },
	};
	struct sieve_message m;
	char *got;

	RUN_CASES(cases, coyote);
	/* unknown ticket state: the test is false, not an error */
	memset(&m, 0, sizeof m);
	got = run_on("require \"vnd.postdesk\";\n"
	    "if not ticket :matches \"*\" { set_hotrush; }", &m);
	g_assert_cmpstr(got, ==, "set_hotrush  (t.sieve:2)\nimplicit keep\n");
	g_free(got);
}

/* org_attribute NAMES KEYS: the sender's organization attributes. */
static void
test_org_attribute(void)
{
	static const char *const attrs[] = { "presales=yes", "tier=Gold",
	    NULL };
	static const char script[] =
	    "require [\"fileinto\", \"imap4flags\", \"vnd.postdesk\"];\n"
	    "if org_attribute \"presales\" [\"yes\", \"true\"] "
	    "{ fileinto \"sales\"; }\n"
	    "if org_attribute :matches [\"level\", \"TIER\"] \"g*\" "
	    "{ addflag \"gold\"; }\n"
	    "if not org_attribute \"missing\" \"*\" { addflag \"m\"; }";
	struct sieve_message m;
	char	*got;

	memset(&m, 0, sizeof m);
	m.org_attrs = attrs;
	got = run_on(script, &m);
	g_assert_cmpstr(got, ==, "fileinto \"sales\"  (t.sieve:2)\n"
	    "addflag \"gold\"  (t.sieve:3)\n"
	    "addflag \"m\"  (t.sieve:4)\n");
	g_free(got);
	/* In no organization: every org_attribute test is false. */
	m.org_attrs = NULL;
	got = run_on(script, &m);
	g_assert_cmpstr(got, ==, "addflag \"m\"  (t.sieve:4)\n"
	    "implicit keep\n");
	g_free(got);
	expect_error("if org_attribute \"presales\" \"yes\" { stop; }",
	    "t.sieve:1:4: test 'org_attribute' requires "
	    "'require \"vnd.postdesk\";'");
}

static void
test_format(void)
{
	struct sieve_action a;
	char *s;

	memset(&a, 0, sizeof a);
	a.kind = SIEVE_ACT_SET_FIELD;
	a.arg = (char *)"f";
	a.arg2 = (char *)"a\"b\\c\n\x1b";
	a.script = (char *)"x.sieve";
	a.line = 9;
	s = sieve_action_format(&a);
	g_assert_cmpstr(s, ==,
	    "set_field \"f\" \"a\\\"b\\\\c\\x0a\\x1b\"  (x.sieve:9)");
	g_free(s);
	g_assert_cmpstr(sieve_action_kind_to_text(SIEVE_ACT_ASSIGN), ==,
	    "assign");
	g_assert_cmpstr(sieve_action_kind_to_text(SIEVE_ACT__MAX), ==,
	    "unknown");
	sieve_result_free(NULL);
	sieve_script_free(NULL);
}

static void
test_trace(void)
{
	struct sieve_script *s;
	struct sieve_result *res;
	struct tmsg t;
	GError *err = NULL;

	tmsg_parse(&t, coyote);
	s = compile_ok("require \"fileinto\";\n"
	    "if anyof (header :contains \"subject\" \"nothing\",\n"
	    "    header :contains \"subject\" \"present\") {\n"
	    "  fileinto \"gifts\";\n}\n");
	res = sieve_result_new();
	g_assert_true(sieve_run(s, &t.m, res, &err));
	g_assert_nonnull(strstr(res->trace->str, "t.sieve:2:     header "
	    ":contains \"subject\" \"nothing\" -> false\n"));
	g_assert_nonnull(strstr(res->trace->str, "t.sieve:3:     header "
	    ":contains \"subject\" \"present\" -> true on Subject: "
	    "\"I have a present for you\"\n"));
	g_assert_nonnull(strstr(res->trace->str, "t.sieve:4:   action "
	    "fileinto \"gifts\"  (t.sieve:4)\n"));
	/* with trace switched off, the actions are the same */
	g_string_free(res->trace, TRUE);
	res->trace = NULL;
	g_ptr_array_set_size(res->actions, 0);
	g_assert_true(sieve_run(s, &t.m, res, &err));
	g_assert_cmpuint(res->actions->len, ==, 1);
	sieve_result_free(res);
	sieve_script_free(s);
	tmsg_clear(&t);
}

/* Several scripts run in order into one result. */
static void
test_multi_script(void)
{
	struct sieve_script *a, *b;
	struct sieve_result *res;
	struct tmsg t;
	GError *err = NULL;
	char *got;

	tmsg_parse(&t, coyote);
	a = compile_ok("require \"imap4flags\";\naddflag \"one\";");
	b = compile_ok("require \"fileinto\";\nfileinto \"sales\";");
	res = sieve_result_new();
	g_assert_true(sieve_run(a, &t.m, res, &err));
	g_assert_true(res->implicit_keep);
	g_assert_true(sieve_run(b, &t.m, res, &err));
	got = result_text(res);
	g_assert_cmpstr(got, ==, "addflag \"one\"  (t.sieve:2)\n"
	    "fileinto \"sales\"  (t.sieve:2)\n");
	g_free(got);
	sieve_result_free(res);
	sieve_script_free(a);
	sieve_script_free(b);
	tmsg_clear(&t);
}

/* ---- adversarial input: bounded time and memory ---- */

static void
test_deep_nesting(void)
{
	GString *s;
	int i;

	s = g_string_new(NULL);
	for (i = 0; i < 100; i++)
		g_string_append(s, "if true {\n");
	expect_error(s->str, "t.sieve:65:4: nesting too deep (limit 64)");
	g_string_truncate(s, 0);
	g_string_append(s, "if ");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "not ");
	g_string_append(s, "true {}");
	expect_error(s->str, "t.sieve:1:260: nesting too deep (limit 64)");
	g_string_truncate(s, 0);
	g_string_append(s, "if ");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "anyof(");
	expect_error(s->str, "t.sieve:1:387: nesting too deep (limit 64)");
	/* 63 levels are fine */
	g_string_truncate(s, 0);
	for (i = 0; i < 63; i++)
		g_string_append(s, "if true {\n");
	g_string_append(s, "discard;");
	for (i = 0; i < 63; i++)
		g_string_append(s, "}");
	sieve_script_free(compile_ok(s->str));
	g_string_free(s, TRUE);
}

static void
test_huge_script(void)
{
	struct sieve_script *sc;
	struct sieve_result *res;
	struct tmsg t;
	GError *err = NULL;
	GString *s;
	gint64 t0;

	s = g_string_new("require [\"fileinto\", \"regex\"];\n");
	while (s->len < 1000 * 1000)
		g_string_append_printf(s, "if header :regex \"subject\" "
		    "\"^x%zu(y|z)+$\" { fileinto \"q%zu\"; }\n", s->len,
		    s->len);
	t0 = g_get_monotonic_time();
	sc = compile_ok(s->str);
	tmsg_parse(&t, coyote);
	res = sieve_result_new();
	g_assert_true(sieve_run(sc, &t.m, res, &err));
	g_assert_true(res->implicit_keep);
	g_test_message("1 MB script: compile and run in %" G_GINT64_FORMAT
	    " us", g_get_monotonic_time() - t0);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, 20 * G_USEC_PER_SEC);
	sieve_result_free(res);
	sieve_script_free(sc);
	tmsg_clear(&t);
	while (s->len <= 1024 * 1024)
		g_string_append(s, "keep;\n");
	expect_error(s->str, "t.sieve:1:1: script too large (1048578 bytes, "
	    "limit 1048576)");
	g_string_free(s, TRUE);
}

static void
test_invalid_utf8(void)
{
	static const struct run_case cases[] = {
		{ "require [\"regex\", \"variables\", \"vnd.postdesk\"];\n"
		    "if header :regex \"subject\" \"A(b.)\" {\n"
		    "  set :length \"n\" \"${1}\";\n"
		    "  set_field \"len\" \"${n}\";\n}",
		    "set_field \"len\" \"2\"  (t.sieve:4)\nimplicit keep\n" },
		{ "require [\"variables\", \"vnd.postdesk\"];\n"
		    "if header :matches \"subject\" \"*\" {\n"
		    "  set :upper \"u\" \"${1}\";\n"
		    "  set :length \"n\" \"${1}\";\n"
		    "  set :upperfirst \"f\" \"${1}\";\n"
		    "  set_field \"u\" \"${u}|${n}|${f}\";\n}",
		    "set_field \"u\" \"\xff\xfe ABC\xc0|7|\xff\xfe abc\xc0\""
		    "  (t.sieve:6)\nimplicit keep\n" },
		{ "if header :matches \"subject\" \"??\xc3\xa9*\" "
		    "{ discard; }", "implicit keep\n" },
		{ "if header :contains \"subject\" \"abc\" { discard; }",
		    "discard  (t.sieve:1)\n" },
	};

	/* in the script: rejected with a location */
	expect_error("keep;\n# \xff\xfe\n", "t.sieve:2:3: invalid UTF-8 or "
	    "NUL byte in script");
	expect_error("if header :is \"a\" \"\xc3\" {}", "t.sieve:1:20: "
	    "invalid UTF-8 or NUL byte in script");
	/* in the message: just data */
	RUN_CASES(cases, "Subject: \xff\xfe abc\xc0\n\nbody \xff\n");
}

static void
test_limits(void)
{
	struct sieve_script *sc;
	struct sieve_result *res;
	struct tmsg t;
	GError *err = NULL;
	GString *s;
	int i;

	/* too many variables */
	s = g_string_new("require \"variables\";\n");
	for (i = 0; i < 257; i++)
		g_string_append_printf(s, "set \"v%d\" \"x\";\n", i);
	expect_error(s->str, "t.sieve:258:5: too many variables (limit 256)");
	/* the expansion budget stops a doubling script */
	g_string_assign(s, "require \"variables\";\nset \"a\" \"x\";\n");
	for (i = 0; i < 2000; i++)
		g_string_append(s, "set \"a\" \"${a}${a}\";\n");
	sc = compile_ok(s->str);
	tmsg_parse(&t, coyote);
	res = sieve_result_new();
	g_assert_false(sieve_run(sc, &t.m, res, &err));
	g_assert_error(err, SIEVE_ERROR, SIEVE_ERROR_LIMIT);
	g_clear_error(&err);
	sieve_result_free(res);
	sieve_script_free(sc);
	/* too many actions */
	g_string_assign(s, "require \"imap4flags\";\n");
	for (i = 0; i < 1100; i++)
		g_string_append_printf(s, "addflag \"f%d\";\n", i);
	sc = compile_ok(s->str);
	res = sieve_result_new();
	g_assert_false(sieve_run(sc, &t.m, res, &err));
	g_assert_error(err, SIEVE_ERROR, SIEVE_ERROR_LIMIT);
	g_assert_cmpstr(err->message, ==, "t.sieve:1026: too many actions "
	    "(limit 1024)");
	g_clear_error(&err);
	sieve_result_free(res);
	sieve_script_free(sc);
	tmsg_clear(&t);
	g_string_free(s, TRUE);
}

/* ---- the shipped rules ---- */

static char *
read_or_die(const char *path)
{
	GError *err = NULL;
	char *text;

	g_file_get_contents(path, &text, NULL, &err);
	g_assert_no_error(err);
	return text;
}

static void
check_rule_file(const struct sieve_script *sc, const char *dir,
    const char *name)
{
	struct sieve_result *res;
	struct tmsg t;
	GError *err = NULL;
	char *path, *raw, *expected, *got, *exp_name;

	path = g_build_filename(dir, name, NULL);
	raw = read_or_die(path);
	exp_name = g_strndup(path, strlen(path) - strlen(".eml"));
	g_free(path);
	path = g_strconcat(exp_name, ".expected", NULL);
	expected = read_or_die(path);
	tmsg_parse(&t, raw);
	res = sieve_result_new();
	g_assert_true(sieve_run(sc, &t.m, res, &err));
	g_assert_no_error(err);
	got = result_text(res);
	if (strcmp(got, expected) != 0)
		g_test_message("%s:\n%s\ntrace:\n%s", name, got,
		    res->trace->str);
	g_assert_cmpstr(got, ==, expected);
	g_free(got);
	sieve_result_free(res);
	tmsg_clear(&t);
	g_free(expected);
	g_free(path);
	g_free(exp_name);
	g_free(raw);
}

static void
test_shipped_rules(void)
{
	struct sieve_script *sc = NULL;
	GError *err = NULL;
	GPtrArray *names;
	GDir *d;
	const char *n;
	char *path, *dir;
	guint i;

	path = g_test_build_filename(G_TEST_DIST, "filters", "default.sieve",
	    NULL);
	g_assert_true(sieve_compile_file(&sc, path, &err));
	g_assert_no_error(err);
	dir = g_test_build_filename(G_TEST_DIST, "tests", "data", "rules",
	    NULL);
	d = g_dir_open(dir, 0, &err);
	g_assert_no_error(err);
	names = g_ptr_array_new_with_free_func(g_free);
	while ((n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".eml"))
			g_ptr_array_add(names, g_strdup(n));
	g_dir_close(d);
	g_assert_cmpuint(names->len, >=, 14);
	for (i = 0; i < names->len; i++)
		check_rule_file(sc, dir, g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
	sieve_script_free(sc);
	g_free(dir);
	g_free(path);
}

/* An example NAME.sieve with a tests/data/rules/NAME directory: each
 * message there gives its .expected actions. */
static void
check_example_cases(const struct sieve_script *sc, const char *file)
{
	char		*name = g_strndup(file, strlen(file) - strlen(".sieve"));
	char		*dir = g_test_build_filename(G_TEST_DIST, "tests", "data",
	    "rules", name, NULL);
	GDir		*d = g_dir_open(dir, 0, NULL);
	const char	*n;
	unsigned	 cases = 0;

	while (d != NULL && (n = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(n, ".eml")) {
			check_rule_file(sc, dir, n);
			cases++;
		}
	if (d != NULL) {
		g_dir_close(d);
		g_assert_cmpuint(cases, >, 0);
	}
	g_free(dir);
	g_free(name);
}

/* Every example compiles, and passes its cases if it has any. */
static void
test_examples(void)
{
	struct sieve_script *sc;
	GError *err = NULL;
	GDir *d;
	const char *n;
	char *dir, *path;
	unsigned count = 0;

	dir = g_test_build_filename(G_TEST_DIST, "filters", "examples", NULL);
	d = g_dir_open(dir, 0, &err);
	g_assert_no_error(err);
	while ((n = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(n, ".sieve"))
			continue;
		path = g_build_filename(dir, n, NULL);
		sc = NULL;
		if (!sieve_compile_file(&sc, path, &err))
			g_test_message("%s", err->message);
		g_assert_no_error(err);
		check_example_cases(sc, n);
		sieve_script_free(sc);
		g_free(path);
		count++;
	}
	g_dir_close(d);
	g_assert_cmpuint(count, >=, 3);
	g_free(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sieve/lexer", test_lexer);
	g_test_add_func("/sieve/errors/located", test_errors);
	g_test_add_func("/sieve/errors/file", test_error_file);
	g_test_add_func("/sieve/core/tests", test_core_tests);
	g_test_add_func("/sieve/core/control", test_core_control);
	g_test_add_func("/sieve/core/envelope", test_envelope);
	g_test_add_func("/sieve/core/rfc5228-example", test_rfc5228_example);
	g_test_add_func("/sieve/match/glob", test_glob);
	g_test_add_func("/sieve/match/regex", test_regex);
	g_test_add_func("/sieve/match/regex-catastrophic",
	    test_regex_catastrophic);
	g_test_add_func("/sieve/body", test_body);
	g_test_add_func("/sieve/variables", test_variables);
	g_test_add_func("/sieve/imap4flags", test_flags);
	g_test_add_func("/sieve/vacation", test_vacation);
	g_test_add_func("/sieve/postdesk", test_postdesk);
	g_test_add_func("/sieve/org-attribute", test_org_attribute);
	g_test_add_func("/sieve/format", test_format);
	g_test_add_func("/sieve/trace", test_trace);
	g_test_add_func("/sieve/multi-script", test_multi_script);
	g_test_add_func("/sieve/limits/nesting", test_deep_nesting);
	g_test_add_func("/sieve/limits/huge-script", test_huge_script);
	g_test_add_func("/sieve/limits/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/sieve/limits/counts", test_limits);
	g_test_add_func("/sieve/rules/default", test_shipped_rules);
	g_test_add_func("/sieve/rules/examples", test_examples);
	return g_test_run();
}
