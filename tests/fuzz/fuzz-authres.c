/*
 * libFuzzer harness for authres.c (Authentication-Results, RFC 8601).
 * Build: tests/fuzz/run.sh authres
 * Besides not crashing, checks the documented contract: at most
 * AUTHRES_MAX_RESULTS results and AUTHRES_MAX_PROPS properties each,
 * lower-case method and result, every string non-NULL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "authres.h"

static void
lower(const char *s)
{
	if (s == NULL)
		abort();
	for (; *s != '\0'; s++)
		if (g_ascii_isupper(*s))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*text = g_strndup((const char *)data, size);
	struct authres	*ar = authres_parse(text);
	guint		 i;
	int		 k;

	if (ar != NULL) {
		if (ar->authserv_id == NULL ||
		    ar->results->len > AUTHRES_MAX_RESULTS)
			abort();
		for (i = 0; i < ar->results->len; i++) {
			const struct authres_result *r = ar->results->pdata[i];

			lower(r->method);
			lower(r->result);
			if (r->nprops < 0 || r->nprops > AUTHRES_MAX_PROPS)
				abort();
			for (k = 0; k < r->nprops; k++)
				if (r->props[k].value == NULL ||
				    authres_prop(r, r->props[k].name) == NULL)
					abort();
		}
		authres_free(ar);
	}
	g_free(text);
	return 0;
}
