/*
 * interp.c: runs a compiled script against one message, appending
 * actions to a result and, when res->trace is set, explaining every test
 * and action with its script line.  The script is never modified, so
 * one compiled script may serve many runs.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

static bool eval(struct sieve_run *, const struct sieve_test *);

static const char *const match_names[MATCH__MAX] = {
	":is", ":contains", ":matches", ":regex"
};

void
sieve_interp_trace(struct sieve_run *r, unsigned line, const char *fmt, ...)
{
	va_list ap;
	GString *t = r->res->trace;

	if (t == NULL)
		return;
	g_string_append_printf(t, "%s:%u: %*s", r->script->base, line,
	    (int)(2 * r->depth), "");
	va_start(ap, fmt);
	g_string_append_vprintf(t, fmt, ap);
	va_end(ap);
	g_string_append_c(t, '\n');
}

/* A short, terminal-safe rendering of s for the trace. */
static void
append_short(GString *out, const char *s)
{
	size_t i;

	g_string_append_c(out, '"');
	for (i = 0; s[i] != '\0' && i < SIEVE_TRACE_VALUE_MAX; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			g_string_append_c(out, '?');
		else if (s[i] == '"' || s[i] == '\\')
			g_string_append_printf(out, "\\%c", s[i]);
		else
			g_string_append_c(out, s[i]);
	}
	g_string_append(out, s[i] != '\0' ? "...\"" : "\"");
}

const char *
sieve_interp_expand(struct sieve_run *r, const struct sieve_string *s,
    char **tofree)
{
	*tofree = NULL;
	if (!s->has_vars)
		return s->text;
	*tofree = sieve_vars_expand(r, s->text);
	return *tofree;
}

static bool
is_duplicate(struct sieve_run *r, enum sieve_action_kind kind,
    const char *arg)
{
	struct sieve_action *a;
	guint i;

	switch (kind) {
	case SIEVE_ACT_KEEP:
	case SIEVE_ACT_DISCARD:
	case SIEVE_ACT_FILEINTO:
	case SIEVE_ACT_REDIRECT:
	case SIEVE_ACT_ADDFLAG:
	case SIEVE_ACT_SET_HOTRUSH:
		break;
	default:
		return false;
	}
	for (i = 0; i < r->res->actions->len; i++) {
		a = g_ptr_array_index(r->res->actions, i);
		if (a->kind == kind && (arg == NULL ||
		    g_ascii_strcasecmp(a->arg, arg) == 0))
			return true;
	}
	return false;
}

bool
sieve_interp_add_action(struct sieve_run *r, enum sieve_action_kind kind,
    const struct sieve_cmd *cmd, const char *arg, const char *arg2)
{
	struct sieve_action *a;
	char *line;

	if (is_duplicate(r, kind, arg)) {
		sieve_interp_trace(r, cmd->line, "%s: duplicate, ignored",
		    sieve_action_kind_to_text(kind));
		return true;
	}
	if (r->res->actions->len >= SIEVE_MAX_ACTIONS) {
		g_set_error(&r->error, SIEVE_ERROR, SIEVE_ERROR_LIMIT,
		    "%s:%u: too many actions (limit %d)", r->script->name,
		    cmd->line, SIEVE_MAX_ACTIONS);
		r->stop = true;
		return false;
	}
	a = g_new0(struct sieve_action, 1);
	a->kind = kind;
	a->arg = g_strdup(arg);
	a->arg2 = g_strdup(arg2);
	a->days = cmd->kind == CMD_VACATION ? cmd->days : 0;
	a->script = g_strdup(r->script->base);
	a->line = cmd->line;
	g_ptr_array_add(r->res->actions, a);
	if (kind <= SIEVE_ACT_REJECT)
		r->res->implicit_keep = false;
	if (r->res->trace != NULL) {
		line = sieve_action_format(a);
		sieve_interp_trace(r, cmd->line, "action %s", line);
		g_free(line);
	}
	return true;
}

static void
trace_test(struct sieve_run *r, const struct sieve_test *t, bool v,
    const char *what, const char *value)
{
	GString *s;
	size_t i;

	if (r->res->trace == NULL)
		return;
	static const char *const parts[ADDR__MAX] = {
		":all", ":localpart", ":domain"
	};

	s = g_string_new(t->name);
	if (t->kind == TEST_ADDRESS || t->kind == TEST_ENVELOPE)
		g_string_append_printf(s, " %s", parts[t->addr]);
	if (t->kind == TEST_BODY)
		g_string_append(s, t->body == BODY_RAW ? " :raw" : " :text");
	if (t->n_keys > 0 || t->kind == TEST_HEADER)
		g_string_append_printf(s, " %s", match_names[t->match]);
	for (i = 0; i < t->sources.n && i < 3; i++) {
		g_string_append_c(s, ' ');
		append_short(s, t->sources.items[i].text);
	}
	for (i = 0; i < t->n_keys && i < 2; i++) {
		g_string_append_c(s, ' ');
		append_short(s, t->keys[i].s.text);
	}
	if (t->n_keys > 2)
		g_string_append_printf(s, " (+%zu keys)", t->n_keys - 2);
	g_string_append(s, v ? " -> true" : " -> false");
	if (v && value != NULL) {
		g_string_append_printf(s, " on %s", what);
		if (r->hit_name != NULL)
			g_string_append_printf(s, "%s: ", r->hit_name);
		append_short(s, value);
	}
	sieve_interp_trace(r, t->line, "%s", s->str);
	g_string_free(s, TRUE);
}

static char **
hdr_lower_slot(struct sieve_run *r, size_t i)
{
	if (r->hdr_lower == NULL)
		r->hdr_lower = g_new0(char *, r->msg->n_headers + 1);
	return &r->hdr_lower[i];
}

/* Calls fn for each expanded source name; stops when fn returns true. */
static bool
each_source(struct sieve_run *r, const struct sieve_test *t,
    bool (*fn)(struct sieve_run *, const struct sieve_test *,
    const char *, const struct sieve_rkey *, const char **),
    const struct sieve_rkey *keys, const char **hit)
{
	const char *name;
	char *tofree;
	size_t i;
	bool v = false;

	for (i = 0; !v && i < t->sources.n && !r->stop; i++) {
		name = sieve_interp_expand(r, &t->sources.items[i], &tofree);
		v = fn(r, t, name, keys, hit);
		g_free(tofree);
	}
	return v;
}

static bool
header_fn(struct sieve_run *r, const struct sieve_test *t, const char *name,
    const struct sieve_rkey *keys, const char **hit)
{
	const struct sieve_header *h;
	size_t i;

	for (i = 0; i < r->msg->n_headers; i++) {
		h = &r->msg->headers[i];
		if (g_ascii_strcasecmp(h->name, name) != 0 || h->value == NULL)
			continue;
		if (sieve_match_value(r, t, h->value, hdr_lower_slot(r, i),
		    keys)) {
			*hit = h->value;
			r->hit_name = h->name;
			return true;
		}
	}
	return false;
}

static bool
match_part(struct sieve_run *r, const struct sieve_test *t,
    const char *addr, const struct sieve_rkey *keys)
{
	char *part, *lower = NULL;
	bool v;

	part = sieve_match_addr_part(addr, t->addr);
	v = sieve_match_value(r, t, part, &lower, keys);
	g_free(part);
	g_free(lower);
	return v;
}

static bool
address_fn(struct sieve_run *r, const struct sieve_test *t,
    const char *name, const struct sieve_rkey *keys, const char **hit)
{
	const struct sieve_header *h;
	GPtrArray *addrs;
	size_t i, j;
	bool v = false;

	addrs = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; !v && i < r->msg->n_headers; i++) {
		h = &r->msg->headers[i];
		if (g_ascii_strcasecmp(h->name, name) != 0 || h->value == NULL)
			continue;
		g_ptr_array_set_size(addrs, 0);
		sieve_match_addresses(h->value, addrs);
		for (j = 0; !v && j < addrs->len; j++)
			v = match_part(r, t, g_ptr_array_index(addrs, j),
			    keys);
		if (v) {
			*hit = h->value;
			r->hit_name = h->name;
		}
	}
	g_ptr_array_free(addrs, TRUE);
	return v;
}

static bool
envelope_fn(struct sieve_run *r, const struct sieve_test *t,
    const char *name, const struct sieve_rkey *keys, const char **hit)
{
	const char *v = NULL;
	char *addr;
	bool ok;

	if (g_ascii_strcasecmp(name, "from") == 0)
		v = r->msg->envelope_from;
	else if (g_ascii_strcasecmp(name, "to") == 0)
		v = r->msg->envelope_to;
	if (v == NULL)
		return false;
	/* Tolerate "<a@b>" from MTAs; "" is the null sender. */
	addr = g_strdup(v);
	if (addr[0] == '<' && addr[strlen(addr) - 1] == '>') {
		memmove(addr, addr + 1, strlen(addr));
		addr[strlen(addr) - 1] = '\0';
	}
	ok = match_part(r, t, addr, keys);
	g_free(addr);
	if (ok)
		*hit = v;
	return ok;
}

static bool
match_plain(struct sieve_run *r, const struct sieve_test *t, const char *s,
    const struct sieve_rkey *keys)
{
	char *lower = NULL;
	bool v;

	v = sieve_match_value(r, t, s, &lower, keys);
	g_free(lower);
	return v;
}

static bool
string_fn(struct sieve_run *r, const struct sieve_test *t, const char *s,
    const struct sieve_rkey *keys, const char **hit)
{
	(void)hit;	/* s is freed by the caller: nothing to show */
	return match_plain(r, t, s, keys);
}

static bool
exists_all(struct sieve_run *r, const struct sieve_test *t)
{
	const char *name;
	char *tofree;
	size_t i, j;
	bool found = true;

	for (i = 0; found && i < t->sources.n; i++) {
		name = sieve_interp_expand(r, &t->sources.items[i], &tofree);
		found = false;
		for (j = 0; !found && j < r->msg->n_headers; j++)
			found = g_ascii_strcasecmp(r->msg->headers[j].name,
			    name) == 0;
		g_free(tofree);
	}
	return found;
}

static bool
hasflag(struct sieve_run *r, const struct sieve_test *t,
    const struct sieve_rkey *keys, const char **hit)
{
	struct sieve_action *a;
	guint i;
	bool v = false;

	for (i = 0; !v && i < r->res->actions->len; i++) {
		a = g_ptr_array_index(r->res->actions, i);
		if (a->kind != SIEVE_ACT_ADDFLAG)
			continue;
		v = match_plain(r, t, a->arg, keys);
		if (v)
			*hit = a->arg;
	}
	return v;
}

static bool
org_attr_fn(struct sieve_run *r, const struct sieve_test *t,
    const char *name, const struct sieve_rkey *keys, const char **hit)
{
	const char *v = sieve_ext_postdesk_org_attr(r->msg, name);

	if (v == NULL || !match_plain(r, t, v, keys))
		return false;
	*hit = v;
	return true;
}

static bool
value_test(struct sieve_run *r, const struct sieve_test *t,
    const struct sieve_rkey *keys, const char **hit, const char **what)
{
	const char *v;

	switch (t->kind) {
	case TEST_HEADER:
		*what = "";
		return each_source(r, t, header_fn, keys, hit);
	case TEST_ADDRESS:
		*what = "";
		return each_source(r, t, address_fn, keys, hit);
	case TEST_ENVELOPE:
		*what = "envelope ";
		return each_source(r, t, envelope_fn, keys, hit);
	case TEST_STRING:
		return each_source(r, t, string_fn, keys, hit);
	case TEST_HASFLAG:
		*what = "flag ";
		return hasflag(r, t, keys, hit);
	case TEST_ORG_ATTRIBUTE:
		*what = "organization attribute ";
		return each_source(r, t, org_attr_fn, keys, hit);
	case TEST_BODY:
		v = t->body == BODY_RAW ? r->msg->body_raw :
		    r->msg->body_text;
		return sieve_match_value(r, t, v != NULL ? v : "",
		    &r->body_lower[t->body], keys);
	default:
		v = sieve_ext_postdesk_source(t, r->msg);
		if (v == NULL || !match_plain(r, t, v, keys))
			return false;
		*hit = v;
		return true;
	}
}

static bool
eval_values(struct sieve_run *r, const struct sieve_test *t)
{
	struct sieve_rkey stack_keys[8], *keys;
	const char *hit = NULL, *what = "";
	bool v;

	r->hit_name = NULL;
	keys = t->n_keys <= G_N_ELEMENTS(stack_keys) ? stack_keys :
	    g_new(struct sieve_rkey, t->n_keys);
	sieve_match_prepare(r, t, keys);
	v = !r->stop && value_test(r, t, keys, &hit, &what);
	sieve_match_release(keys, t->n_keys);
	if (keys != stack_keys)
		g_free(keys);
	trace_test(r, t, v, what, hit);
	return v;
}

static bool
eval_logic(struct sieve_run *r, const struct sieve_test *t)
{
	size_t i;
	bool v;

	if (t->kind == TEST_NOT) {
		r->depth++;
		v = !eval(r, t->children[0]);
		r->depth--;
		trace_test(r, t, v, NULL, NULL);
		return v;
	}
	sieve_interp_trace(r, t->line, "%s (", t->name);
	r->depth++;
	v = t->kind == TEST_ALLOF;
	for (i = 0; i < t->n_children && !r->stop; i++) {
		if (eval(r, t->children[i]) != v) {
			v = !v;
			break;
		}
	}
	r->depth--;
	sieve_interp_trace(r, t->line, ") %s -> %s", t->name,
	    v ? "true" : "false");
	return v;
}

static bool
eval(struct sieve_run *r, const struct sieve_test *t)
{
	bool v;

	switch (t->kind) {
	case TEST_TRUE:
	case TEST_FALSE:
		v = t->kind == TEST_TRUE;
		trace_test(r, t, v, NULL, NULL);
		return v;
	case TEST_NOT:
	case TEST_ALLOF:
	case TEST_ANYOF:
		return eval_logic(r, t);
	case TEST_EXISTS:
		v = exists_all(r, t);
		trace_test(r, t, v, NULL, NULL);
		return v;
	case TEST_SIZE:
		v = t->over ? r->msg->size > t->limit :
		    r->msg->size < t->limit;
		sieve_interp_trace(r, t->line, "size %s %" G_GUINT64_FORMAT
		    " -> %s (message is %zu bytes)", t->over ? ":over" :
		    ":under", (guint64)t->limit, v ? "true" : "false",
		    r->msg->size);
		return v;
	default:
		return eval_values(r, t);
	}
}

bool
sieve_interp_eval(struct sieve_run *r, const struct sieve_test *t)
{
	return eval(r, t);
}
