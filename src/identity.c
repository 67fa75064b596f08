/*
 * identity: the authentication verdict as data (identity.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "identity.h"

static const char *const final_names[IDENTITY_FINAL__MAX] = {
	"none", "pass", "fail", "forged", "temperror"
};

void
identity_dkim_free(gpointer p)
{
	struct identity_dkim *d = p;

	g_free(d->domain);
	g_free(d->selector);
	g_free(d->result);
	g_free(d);
}

struct identity *
identity_new(void)
{
	struct identity	*id = g_new0(struct identity, 1);

	id->dkim = g_ptr_array_new_with_free_func(identity_dkim_free);
	id->final = IDENTITY_NONE;
	return id;
}

void
identity_free(struct identity *id)
{
	if (id == NULL)
		return;
	g_free(id->from_domain);
	g_free(id->spf);
	g_free(id->spf_domain);
	g_ptr_array_free(id->dkim, TRUE);
	g_free(id->dmarc_policy);
	g_free(id->dmarc_domain);
	g_free(id->source);
	g_free(id);
}

bool
identity_aligned_pass(const struct identity *id)
{
	return id != NULL && (id->spf_aligned || id->dkim_aligned);
}

const char *
identity_final_to_text(enum identity_final f)
{
	return f < IDENTITY_FINAL__MAX ? final_names[f] : "none";
}

bool
text_to_identity_final(const char *s, enum identity_final *out)
{
	int	 i;

	for (i = 0; s != NULL && i < IDENTITY_FINAL__MAX; i++)
		if (strcmp(s, final_names[i]) == 0) {
			*out = (enum identity_final)i;
			return true;
		}
	return false;
}

/*
 * Appends LINE (taken) and a newline.  Its values come from mail
 * headers: a control character (an ESC for the terminal of `postdesk
 * show`, or a line break that would fake a "verdict:" line) becomes '?'.
 */
static void
put_line(GString *s, char *line)
{
	char	*p;

	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	g_string_append(s, line);
	g_string_append_c(s, '\n');
	g_free(line);
}

static const char *
or(const char *v, const char *dflt)
{
	return v != NULL ? v : dflt;
}

static char *
spf_line(const struct identity *id)
{
	if (id->spf_domain == NULL)
		return g_strdup_printf("spf: %s", or(id->spf, "none"));
	return g_strdup_printf("spf: %s (domain %s, %s)", or(id->spf, "none"),
	    id->spf_domain, id->spf_aligned ? "aligned" : "not aligned");
}

static char *
dmarc_line(const struct identity *id)
{
	/* A subdomain without a record of its own: the organizational
	 * domain's (sp=) applies. */
	bool	 other = id->dmarc_domain != NULL &&
	    g_strcmp0(id->dmarc_domain, id->from_domain) != 0;

	if (id->dmarc_policy != NULL)
		return g_strdup_printf("dmarc: policy %s for %s%s%s%s",
		    id->dmarc_policy, or(id->from_domain, "?"),
		    other ? " (record of " : "", other ? id->dmarc_domain : "",
		    other ? ")" : "");
	if (id->dmarc_temperror)
		return g_strdup_printf("dmarc: temperror for %s (DNS)",
		    or(id->from_domain, "?"));
	return g_strdup_printf("dmarc: no record for %s",
	    or(id->from_domain, "(no From:)"));
}

char *
identity_to_text(const struct identity *id)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	put_line(s, spf_line(id));
	if (id->dkim->len == 0)
		put_line(s, g_strdup("dkim: none"));
	for (i = 0; i < id->dkim->len; i++) {
		const struct identity_dkim *d = id->dkim->pdata[i];

		put_line(s, g_strdup_printf("dkim: %s d=%s%s%s (%s)",
		    or(d->result, "none"), or(d->domain, "?"),
		    d->selector != NULL ? " s=" : "", or(d->selector, ""),
		    d->aligned ? "aligned" : "not aligned"));
	}
	put_line(s, dmarc_line(id));
	put_line(s, g_strdup_printf("verdict: %s",
	    identity_final_to_text(id->final)));
	return g_string_free(s, FALSE);
}
