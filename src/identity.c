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

char *
identity_to_text(const struct identity *id)
{
	GString	*s = g_string_new(NULL);
	guint	 i;

	g_string_append_printf(s, "spf: %s", id->spf != NULL ? id->spf :
	    "none");
	if (id->spf_domain != NULL)
		g_string_append_printf(s, " (domain %s, %s)", id->spf_domain,
		    id->spf_aligned ? "aligned" : "not aligned");
	g_string_append_c(s, '\n');
	if (id->dkim->len == 0)
		g_string_append(s, "dkim: none\n");
	for (i = 0; i < id->dkim->len; i++) {
		const struct identity_dkim *d = id->dkim->pdata[i];

		g_string_append_printf(s, "dkim: %s d=%s%s%s (%s)\n",
		    d->result != NULL ? d->result : "none",
		    d->domain != NULL ? d->domain : "?",
		    d->selector != NULL ? " s=" : "",
		    d->selector != NULL ? d->selector : "",
		    d->aligned ? "aligned" : "not aligned");
	}
	if (id->dmarc_policy != NULL) {
		g_string_append_printf(s, "dmarc: policy %s for %s",
		    id->dmarc_policy, id->from_domain != NULL ?
		    id->from_domain : "?");
		/* A subdomain without a record of its own: the
		 * organizational domain's (sp=) applies. */
		if (id->dmarc_domain != NULL &&
		    g_strcmp0(id->dmarc_domain, id->from_domain) != 0)
			g_string_append_printf(s, " (record of %s)",
			    id->dmarc_domain);
		g_string_append_c(s, '\n');
	} else if (id->dmarc_temperror)
		g_string_append_printf(s, "dmarc: temperror for %s (DNS)\n",
		    id->from_domain != NULL ? id->from_domain : "?");
	else
		g_string_append_printf(s, "dmarc: no record for %s\n",
		    id->from_domain != NULL ? id->from_domain : "(no From:)");
	g_string_append_printf(s, "verdict: %s\n",
	    identity_final_to_text(id->final));
	return g_string_free(s, FALSE);
}
