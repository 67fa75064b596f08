/*
 * dmarc: the _dmarc record, tag by tag.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "dmarc.h"

const char *
dmarc_policy_to_text(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_QUARANTINE: return "quarantine";
	case DMARC_REJECT: return "reject";
	default: return "none";
	}
}

static bool
text_to_policy(const char *s, enum dmarc_policy *out)
{
	if (g_ascii_strcasecmp(s, "none") == 0)
		*out = DMARC_NONE;
	else if (g_ascii_strcasecmp(s, "quarantine") == 0)
		*out = DMARC_QUARANTINE;
	else if (g_ascii_strcasecmp(s, "reject") == 0)
		*out = DMARC_REJECT;
	else
		return false;
	return true;
}

/* "r" or "s"; anything else is invalid and leaves the default. */
static void
alignment(const char *s, bool *strict)
{
	if (g_ascii_strcasecmp(s, "s") == 0)
		*strict = true;
	else if (g_ascii_strcasecmp(s, "r") == 0)
		*strict = false;
}

bool
dmarc_parse(const char *txt, struct dmarc_record *out)
{
	char	**tags;
	bool	 p_ok = false, sp_ok = false, rua = false, ok = false;
	int	 i;

	memset(out, 0, sizeof *out);
	if (txt == NULL)
		return false;
	tags = g_strsplit(txt, ";", 64);
	for (i = 0; tags[i] != NULL; i++) {
		char	*eq = strchr(tags[i], '='), *k, *v;

		if (eq == NULL) {
			/* Only an empty tag (a trailing ";") is allowed. */
			if (*g_strstrip(tags[i]) != '\0' || i == 0)
				goto out;
			continue;
		}
		*eq = '\0';
		k = g_strstrip(tags[i]);
		v = g_strstrip(eq + 1);
		if (i == 0) {
			/* "v=DMARC1" first, exactly (RFC 7489 6.4). */
			if (strcmp(k, "v") != 0 || strcmp(v, "DMARC1") != 0)
				goto out;
		} else if (g_ascii_strcasecmp(k, "p") == 0)
			p_ok = text_to_policy(v, &out->p);
		else if (g_ascii_strcasecmp(k, "sp") == 0)
			sp_ok = text_to_policy(v, &out->sp);
		else if (g_ascii_strcasecmp(k, "adkim") == 0)
			alignment(v, &out->adkim_strict);
		else if (g_ascii_strcasecmp(k, "aspf") == 0)
			alignment(v, &out->aspf_strict);
		else if (g_ascii_strcasecmp(k, "rua") == 0)
			rua = g_str_has_prefix(v, "mailto:");
	}
	if (i == 0)
		goto out;
	if (!p_ok) {
		if (!rua)
			goto out;
		out->p = DMARC_NONE;
	}
	if (!sp_ok)
		out->sp = out->p;
	ok = true;
out:
	g_strfreev(tags);
	if (!ok)
		memset(out, 0, sizeof *out);
	return ok;
}
