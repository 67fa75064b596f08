/*
 * rules: struct mail → struct sieve_message, and the script list.
 */
#include "pdconfig.h"

#include <string.h>

#include "rules.h"

struct rules {
	GPtrArray	*scripts;	/* of struct sieve_script * */
};

bool
rules_load(struct rules **out, char *const *paths, GError **err)
{
	struct rules	*r = g_new0(struct rules, 1);
	size_t		 i;

	r->scripts = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)sieve_script_free);
	for (i = 0; paths != NULL && paths[i] != NULL; i++) {
		struct sieve_script *s;

		if (!sieve_compile_file(&s, paths[i], err)) {
			rules_free(r);
			return false;
		}
		g_ptr_array_add(r->scripts, s);
	}
	*out = r;
	return true;
}

void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->scripts, TRUE);
	g_free(r);
}

void
rules_jit(struct rules *r)
{
	guint	 i;

	for (i = 0; r != NULL && i < r->scripts->len; i++)
		sieve_script_jit(r->scripts->pdata[i]);
}

unsigned
rules_count(const struct rules *r)
{
	return r != NULL ? r->scripts->len : 0;
}

bool
rules_evaluate(const struct rules *r, const struct mail *m,
    const struct rules_context *ctx, struct sieve_result **out,
    GError **err)
{
	struct sieve_message	 sm = { 0 };
	struct sieve_header	*hdrs;
	struct sieve_result	*res = sieve_result_new();
	char			*raw_body;
	size_t			 body_len;
	guint			 i;
	bool			 ok = true;

	hdrs = g_new0(struct sieve_header, m->headers->len + 1);
	for (i = 0; i < m->headers->len; i++) {
		const struct mail_header *h = m->headers->pdata[i];

		hdrs[i].name = h->name;
		hdrs[i].value = h->value;
	}
	body_len = ctx->raw_len > m->body_offset ?
	    ctx->raw_len - m->body_offset : 0;
	raw_body = g_strndup((const char *)ctx->raw + m->body_offset,
	    MIN(body_len, RULES_MAX_RAW_BODY));
	sm.headers = hdrs;
	sm.n_headers = m->headers->len;
	sm.envelope_from = ctx->envelope_from;
	sm.envelope_to = ctx->envelope_to;
	sm.size = ctx->raw_len;
	sm.body_text = m->text;
	sm.body_raw = raw_body;
	sm.ticket_state = ctx->new_ticket ? "new" : "existing";
	sm.spf = ctx->spf != NULL ? ctx->spf : "none";
	sm.sender_role = ctx->sender_role != NULL ? ctx->sender_role :
	    "unknown";
	sm.org_attrs = ctx->org_attrs;
	if (!ctx->trace && res->trace != NULL) {
		g_string_free(res->trace, TRUE);
		res->trace = NULL;
	}
	for (i = 0; ok && r != NULL && i < r->scripts->len; i++)
		ok = sieve_run(r->scripts->pdata[i], &sm, res, err);
	g_free(raw_body);
	g_free(hdrs);
	if (!ok) {
		sieve_result_free(res);
		return false;
	}
	*out = res;
	return true;
}
