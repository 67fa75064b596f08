/*
 * fuzz-sieve: libFuzzer harness for the Sieve compiler and interpreter.
 * The input is a script; it is compiled and, if it compiles, run against
 * a fixed small message.  Build and run: tests/fuzz/run.sh sieve [SECS]
 */
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "sieve/sieve.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sieve_header hdrs[] = {
		{ "From", "Alice <alice@shop.example>" },
		{ "To", "support@helpdesk.example" },
		{ "Subject", "Our store is down (X-Cart 4.7.12)" },
		{ "List-Id", "<news.example>" },
	};
	struct sieve_message	 m = { hdrs, G_N_ELEMENTS(hdrs),
	    "alice@shop.example", "support@helpdesk.example", 1234,
	    "hello\nversion 5.4.1\n", "hello\r\nversion 5.4.1\r\n", "new",
	    "pass", "customer" };
	struct sieve_script	*s = NULL;
	struct sieve_result	*r;
	char			*text = g_strndup((const char *)data, size);

	if (sieve_compile_string(&s, "fuzz.sieve", text, NULL)) {
		r = sieve_result_new();
		(void)sieve_run(s, &m, r, NULL);
		sieve_result_free(r);
		sieve_script_free(s);
	}
	g_free(text);
	return 0;
}
