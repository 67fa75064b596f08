/*
 * libFuzzer harness for dmarc.c (the _dmarc TXT record, RFC 7489 6.3).
 * Build: tests/fuzz/run.sh dmarc
 * Besides not crashing, checks the contract: a record that parses starts
 * with "v=DMARC1", its policies are in range, and a failed parse leaves
 * the output zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dmarc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text = g_strndup((const char *)data, size);
	struct dmarc_record r;
	static const struct dmarc_record zero;

	if (dmarc_parse(text, &r)) {
		if (strstr(text, "DMARC1") == NULL ||
		    r.p > DMARC_REJECT || r.sp > DMARC_REJECT)
			abort();
		(void)dmarc_policy_to_text(r.p);
	} else if (memcmp(&r, &zero, sizeof r) != 0)
		abort();
	g_free(text);
	return 0;
}
