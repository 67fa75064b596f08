/*
 * libFuzzer harness for bounce.c bounce_parse() (RFC 3464 delivery
 * status notifications), on what mail_parse() makes of the input.
 * Build: tests/fuzz/run.sh bounce
 *
 * Besides not crashing, checks the contract: a failed parse leaves the
 * output zeroed; a DSN has an action, lower-case; every field is
 * trimmed, one line (it goes into an event's one-line detail) and valid
 * UTF-8 like every other string of struct mail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bounce.h"
#include "mail.h"

static void
check_field(const char *s)
{
	size_t n;

	if (s == NULL)
		return;
	n = strlen(s);
	if (strpbrk(s, "\r\n") != NULL || !g_utf8_validate(s, -1, NULL) ||
	    (n > 0 && (g_ascii_isspace(s[0]) || g_ascii_isspace(s[n - 1]))))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bounce zero;
	struct mail	*m = NULL;
	struct bounce	 b;
	const char	*p;

	if (!mail_parse(&m, data, size, NULL))
		return 0;
	if (bounce_parse(m, &b)) {
		if (b.action == NULL)
			abort();
		for (p = b.action; *p != '\0'; p++)
			if (g_ascii_isupper(*p))
				abort();
		check_field(b.recipient);
		check_field(b.action);
		check_field(b.status);
		check_field(b.diagnostic);
		bounce_clear(&b);
		if (memcmp(&b, &zero, sizeof b) != 0)
			abort();
	} else if (memcmp(&b, &zero, sizeof b) != 0)
		abort();
	mail_free(m);
	return 0;
}
