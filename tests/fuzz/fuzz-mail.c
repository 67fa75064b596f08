/*
 * fuzz-mail: libFuzzer harness for mail_parse() (GMime parsing, charset
 * fallback, text choice, HTML conversion and quote stripping).
 * Build and run: tests/fuzz/run.sh mail [SECONDS]
 */
#include <stddef.h>
#include <stdint.h>

#include "mail.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail	*m = NULL;

	if (mail_parse(&m, data, size, NULL))
		mail_free(m);
	return 0;
}
