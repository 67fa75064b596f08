/* csv: RFC 4180 quoting and formula neutralising. */
#include "pdconfig.h"

#include <glib.h>

#include "csv.h"

static char *
record(const char *const *fields, int n)
{
	GString	*s = g_string_new(NULL);
	int	 i;

	for (i = 0; i < n; i++)
		csv_field(s, fields[i], i == 0);
	csv_end(s);
	return g_string_free(s, FALSE);
}

static void
test_plain(void)
{
	const char *f[] = { "12", "Printer jam", NULL, "ann@example.com" };
	g_autofree char *r = record(f, 4);

	g_assert_cmpstr(r, ==, "12,Printer jam,,ann@example.com\r\n");
}

static void
test_quoting(void)
{
	const char *f[] = { "a,b", "say \"hi\"", "two\nlines", "cr\r" };
	g_autofree char *r = record(f, 4);

	g_assert_cmpstr(r, ==,
	    "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n");
}

static void
test_formula(void)
{
	const char *f[] = { "=HYPERLINK(\"http://x\",\"y\")", "+1", "-2",
	    "@SUM(A1)", "\tx", "a=b", "" };
	g_autofree char *r = record(f, 7);

	g_assert_cmpstr(r, ==, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
	    "\"'+1\",\"'-2\",\"'@SUM(A1)\",\"'\tx\",a=b,\r\n");
}

static void
test_utf8(void)
{
	const char *f[] = { "Müller, Jürgen", "日本語" };
	g_autofree char *r = record(f, 2);

	g_assert_cmpstr(r, ==, "\"Müller, Jürgen\",日本語\r\n");
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/csv/plain", test_plain);
	g_test_add_func("/csv/quoting", test_quoting);
	g_test_add_func("/csv/formula", test_formula);
	g_test_add_func("/csv/utf8", test_utf8);
	return g_test_run();
}
