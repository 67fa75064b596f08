/*
 * lifecycle_conf: life cycles from postdesk.conf.
 *
 * The built-in defaults are themselves key-file text, read the same way
 * as the site's file: for queue Q the keys are layered
 *
 *   built-in [lifecycle] ← site [lifecycle]
 *     ← built-in [lifecycle.Q] ← site [lifecycle.Q]
 *
 * each layer replacing only the keys it sets.  Transitions the rules
 * need (timers, customer replies, staff replies, assignment) are added
 * for the system role automatically, so a site lists only the manual
 * ones.
 */
#include "pdconfig.h"

#include <stdarg.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config.h"
#include "lifecycle.h"

struct lifecycle_set {
	struct lifecycle *def;
	GPtrArray	*queues;	/* of struct lifecycle * */
	GPtrArray	*calendars;	/* of struct calendar *, [calendar.NAME] */
};

static const char builtin[] =
	"[lifecycle]\n"
	"statuses = submitted;assigned;in-progress;waiting-for-customer;"
	"pre-closed;closed;reopened\n"
	"initial = submitted\n"
	"assigned = assigned\n"
	"working = in-progress\n"
	"waiting = waiting-for-customer\n"
	"pre_closed = pre-closed\n"
	"closed = closed\n"
	"reopened = reopened\n"
	"final = closed\n"
	"staff_reply_to_waiting = submitted;assigned;in-progress;reopened\n"
	"transitions = submitted>assigned; submitted>in-progress;"
	" submitted>waiting-for-customer; assigned>in-progress;"
	" assigned>waiting-for-customer; in-progress>waiting-for-customer;"
	" waiting-for-customer>in-progress; reopened>assigned;"
	" reopened>in-progress; reopened>waiting-for-customer;"
	" *>pre-closed; pre-closed>in-progress;"
	" *>closed:staff,customer; pre-closed>reopened:staff,customer;"
	" closed>reopened:staff,customer\n"
	"preclose_from = assigned;in-progress;waiting-for-customer;reopened\n"
	"preclose_after = 3d\n"
	"preclose_basis = staff-reply\n"
	"close_after = 3d\n"
	"reopen_window = 14d\n"
	"hotrush_free = submitted\n"
	"hotrush = yes\n"
	"hotrush_off_limit = 3\n"
	"priorities = major;normal;minor\n"
	"sla_minor = 24h\n"
	"sla_normal = 8h\n"
	"sla_major = 4h\n"
	"sla_hotrush = 2h\n"
	"escalate = none\n"
	"ack_max_length = 80\n"
	"[lifecycle.sales]\n"
	"preclose_after = 30d\n"
	"preclose_after[presales] = 14d\n"
	"preclose_basis = last-message\n"
	"hotrush = no\n"
	"[lifecycle.project]\n"
	"preclose_after = 30d\n"
	"preclose_basis = last-message\n"
	"hotrush = no\n";

/*
 * Acknowledgements, one pattern per language, all tried (the language
 * of a two-word reply cannot be told reliably).  A message matches when
 * its whole new text is a run of these phrases and punctuation.
 */
#define ACK_SEP "[\\s,.;:!)(-]*"
static const struct { const char *lang, *pattern; } builtin_acks[] = {
	{ "", "(?:(?:(?:many |a lot of )?thanks?(?: you)?(?: (?:so|very) much"
	    "| a lot| again| for (?:your|the) (?:help|support|quick "
	    "(?:reply|response|answer)))?|thx|ty|cheers|much appreciated"
	    "|appreciated|(?:that|this|it) (?:fixed|solved|did) (?:it|the "
	    "(?:problem|issue|trick))|(?:it |all )?works?(?: now| fine)?"
	    "|problem solved|solved|all good|ok(?:ay)?|great|perfect"
	    "|awesome|excellent|got it|best regards|regards|best|[:;]-?\\))"
	    ACK_SEP ")+" },
	{ "de", "(?:(?:(?:vielen |herzlichen |besten )?dank(?:e)?(?: (?:schön"
	    "|sehr|vielmals|für (?:die|ihre|deine) (?:hilfe|schnelle "
	    "antwort)))?|(?:das |es )?(?:hat )?(?:geholfen|funktioniert"
	    "(?: jetzt| wieder)*|geklappt)|super|perfekt|alles klar|passt"
	    "|(?:viele |liebe |beste )?grüße|mfg|gruß)" ACK_SEP ")+" },
	{ "fr", "(?:(?:merci(?: beaucoup| bien| pour (?:votre|ton) aide)?"
	    "|ça (?:marche|fonctionne)(?: maintenant)?|c'est (?:bon|parfait)"
	    "|parfait|super|cordialement|bonne journée)" ACK_SEP ")+" },
	{ "es", "(?:(?:(?:muchas )?gracias(?: (?:por (?:tu|su) ayuda|mil))?"
	    "|funciona(?: ahora)?|perfecto|genial|saludos|un saludo)"
	    ACK_SEP ")+" },
};

static const char *const lc_keys[] = {
	"statuses", "transitions", "initial", "assigned", "working",
	"waiting", "pre_closed", "closed", "reopened", "final",
	"staff_reply_to_waiting", "preclose_from", "preclose_after",
	"preclose_basis", "close_after", "reopen_window", "hotrush_free",
	"hotrush_off_limit", "sla_hotrush", "ack_pattern", "ack_max_length",
	"priorities", "default_priority", "rating_statuses", "rating_request",
	"calendar", "resolve_hotrush", "escalate", "staff_priorities",
	"hotrush",
};

/* Raw values being layered: key → value, lang → ack pattern; which
 * keys the site's file set, and in which group (key → group). */
struct layers {
	GHashTable	*keys;
	GHashTable	*acks;
	GHashTable	*site;
};

static bool
known(const char *key)
{
	size_t	 i;

	/* sla_<priority>: checked against priorities when built. */
	if (strncmp(key, "sla_", 4) == 0 && key[4] != '\0')
		return true;
	if (strncmp(key, "resolve_", 8) == 0 && key[8] != '\0')
		return true;
	for (i = 0; i < G_N_ELEMENTS(lc_keys); i++)
		if (strcmp(lc_keys[i], key) == 0)
			return true;
	return false;
}

/*
 * "PATH:LINE: " for KEY (NULL: the group) as the site's file has it in
 * GROUP, else in [lifecycle] (whose keys a queue inherits), else the
 * group header; "PATH: " when nothing is found (the built-in text).
 */
static char *
where(const char *path, const char *text, const char *group, const char *key)
{
	unsigned line = 0;

	if (key != NULL)
		line = config_line_of(text, group, key);
	if (line == 0 && key != NULL && strcmp(group, "lifecycle") != 0)
		line = config_line_of(text, "lifecycle", key);
	if (line == 0)
		line = config_line_of(text, group, NULL);
	if (line == 0)
		line = config_line_of(text, "lifecycle", NULL);
	return line > 0 ? g_strdup_printf("%s:%u: ", path, line) :
	    g_strdup_printf("%s: ", path);
}

static bool
layer(struct layers *l, GKeyFile *kf, const char *group, const char *path,
    const char *text, GError **err)
{
	char	**keys;
	size_t	  i;
	bool	  ok = true;

	if (kf == NULL || !g_key_file_has_group(kf, group))
		return true;
	keys = g_key_file_get_keys(kf, group, NULL, NULL);
	for (i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		const char *k = keys[i], *lb = strchr(k, '[');
		char	*base = lb ? g_strndup(k, (gsize)(lb - k)) :
		    g_strdup(k);
		/* Raw value: patterns must not go through GKeyFile escapes. */
		char	*v = g_strstrip(g_key_file_get_value(kf, group, k,
		    NULL));

		if (!known(base) || (lb != NULL &&
		    strcmp(base, "ack_pattern") != 0 &&
		    strcmp(base, "preclose_after") != 0)) {
			char *w = where(path, text, group, k);

			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s[%s] %s: unknown key", w, group, k);
			g_free(w);
			ok = false;
			g_free(v);
		} else if (strcmp(base, "ack_pattern") == 0) {
			char *lang = lb ? g_strndup(lb + 1, strcspn(lb + 1,
			    "]")) : g_strdup("");

			g_hash_table_replace(l->acks, lang, v);
		} else if (lb != NULL)	/* preclose_after[ATTR]: as written */
			g_hash_table_replace(l->keys, g_strdup(k), v);
		else {
			if (text != NULL || strcmp(path, "(built-in)") != 0)
				g_hash_table_replace(l->site, g_strdup(base),
				    g_strdup(group));
			g_hash_table_replace(l->keys, g_strdup(base), v);
		}
		g_free(base);
	}
	g_strfreev(keys);
	return ok;
}

static char **
split_list(const char *v)
{
	char	**parts = g_strsplit(v != NULL ? v : "", ";", -1);
	size_t	  i, n = 0;

	for (i = 0; parts[i] != NULL; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] == '\0')
			g_free(parts[i]);
		else
			parts[n++] = parts[i];
	}
	parts[n] = NULL;
	return parts;
}

static void
transition_free(gpointer p)
{
	struct lc_transition *t = p;

	g_free(t->from);
	g_free(t->to);
	g_free(t);
}

static void
lifecycle_free(struct lifecycle *lc)
{
	if (lc == NULL)
		return;
	g_free(lc->queue);
	g_strfreev(lc->statuses);
	g_ptr_array_free(lc->transitions, TRUE);
	g_free(lc->initial);
	g_free(lc->assigned);
	g_free(lc->working);
	g_free(lc->waiting);
	g_free(lc->pre_closed);
	g_free(lc->closed);
	g_free(lc->reopened);
	g_strfreev(lc->final);
	g_strfreev(lc->staff_reply_to_waiting);
	g_strfreev(lc->preclose_from);
	if (lc->preclose_by_attr != NULL)
		g_ptr_array_free(lc->preclose_by_attr, TRUE);
	g_strfreev(lc->hotrush_free);
	g_strfreev(lc->priorities);
	g_strfreev(lc->rating_statuses);
	g_free(lc->rating_request);
	g_free(lc->rating_refusal);
	g_free(lc->calendar_name);
	g_ptr_array_free(lc->ack_patterns, TRUE);
	g_ptr_array_free(lc->ack_sources, TRUE);
	g_free(lc);
}

struct ctx {
	struct lifecycle *lc;
	struct layers	*l;
	const char	*path;
	const char	*text;		/* the site's file, or NULL */
	const char	*group;
	GError		**err;
};

static bool fail(struct ctx *, const char *, const char *, ...)
	    G_GNUC_PRINTF(3, 4);

static bool
fail(struct ctx *c, const char *key, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *w;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	w = where(c->path, c->text, c->group, key);
	g_set_error(c->err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
	    "%s[%s] %s: %s", w, c->group, key, msg);
	g_free(w);
	g_free(msg);
	return false;
}

/* A status-naming key: empty switches the rule off. */
static bool
status_key(struct ctx *c, const char *key, char **out, bool required)
{
	const char *v = g_hash_table_lookup(c->l->keys, key);

	if (v == NULL || *v == '\0') {
		if (required)
			return fail(c, key, "%s", "must name a status");
		return true;
	}
	if (!lifecycle_has_status(c->lc, v))
		return fail(c, key, "\"%s\" is not in statuses", v);
	*out = g_strdup(v);
	return true;
}

static bool
status_list(struct ctx *c, const char *key, char ***out)
{
	char	**v = split_list(g_hash_table_lookup(c->l->keys, key));
	size_t	  i;

	for (i = 0; v[i] != NULL; i++)
		if (!lifecycle_has_status(c->lc, v[i])) {
			fail(c, key, "\"%s\" is not in statuses", v[i]);
			g_strfreev(v);
			return false;
		}
	*out = v;
	return true;
}

static bool
duration_key(struct ctx *c, const char *key, int64_t *out)
{
	const char *v = g_hash_table_lookup(c->l->keys, key);

	if (v == NULL)
		return true;
	if (!text_to_duration(out, v))
		return fail(c, key, "\"%s\" is not a duration (e.g. 3d, "
		    "12h, 90m, 45s)", v);
	return true;
}

static void
allow(struct lifecycle *lc, const char *from, const char *to, unsigned roles)
{
	guint	 i;
	struct lc_transition *t;

	if (from == NULL || to == NULL || strcmp(from, to) == 0)
		return;
	for (i = 0; i < lc->transitions->len; i++) {
		t = lc->transitions->pdata[i];
		if (strcmp(t->from, from) == 0 && strcmp(t->to, to) == 0) {
			t->roles |= roles;
			return;
		}
	}
	t = g_new0(struct lc_transition, 1);
	t->from = g_strdup(from);
	t->to = g_strdup(to);
	t->roles = roles;
	g_ptr_array_add(lc->transitions, t);
}

static bool
parse_roles(const char *s, unsigned *roles)
{
	char	**parts = g_strsplit(s, ",", -1);
	size_t	  i;
	bool	  ok = true;
	enum lc_role r;

	*roles = 0;
	for (i = 0; ok && parts[i] != NULL; i++) {
		/* r is only set when the name is a role. */
		ok = text_to_role(&r, g_strstrip(parts[i]));
		if (ok)
			*roles |= 1u << r;
	}
	g_strfreev(parts);
	return ok && *roles != 0;
}

static bool
transitions(struct ctx *c)
{
	char	**v = split_list(g_hash_table_lookup(c->l->keys,
	    "transitions"));
	size_t	  i;
	bool	  ok = true;

	for (i = 0; ok && v[i] != NULL; i++) {
		char	*gt = strchr(v[i], '>'), *colon, *from, *to;
		unsigned roles = 1u << LC_ROLE_STAFF;

		if (gt == NULL) {
			ok = fail(c, "transitions", "\"%s\": expected FROM>TO"
			    " or FROM>TO:ROLE,ROLE", v[i]);
			break;
		}
		colon = strchr(gt, ':');
		if (colon != NULL && !parse_roles(colon + 1, &roles)) {
			ok = fail(c, "transitions", "\"%s\": roles are "
			    "customer, staff, system", v[i]);
			break;
		}
		from = g_strstrip(g_strndup(v[i], (gsize)(gt - v[i])));
		to = g_strstrip(colon ? g_strndup(gt + 1,
		    (gsize)(colon - gt - 1)) : g_strdup(gt + 1));
		if (strcmp(from, "*") != 0 && !lifecycle_has_status(c->lc,
		    from))
			ok = fail(c, "transitions", "\"%s\" is not in statuses",
			    from);
		else if (!lifecycle_has_status(c->lc, to))
			ok = fail(c, "transitions", "\"%s\" is not in statuses",
			    to);
		else
			allow(c->lc, from, to, roles);
		g_free(from);
		g_free(to);
	}
	g_strfreev(v);
	return ok;
}

/* The transitions the automatic rules make. */
static void
implied(struct lifecycle *lc)
{
	unsigned sys = 1u << LC_ROLE_SYSTEM;
	size_t	 i;

	for (i = 0; lc->preclose_from[i] != NULL; i++)
		allow(lc, lc->preclose_from[i], lc->pre_closed, sys);
	for (i = 0; lc->staff_reply_to_waiting[i] != NULL; i++)
		allow(lc, lc->staff_reply_to_waiting[i], lc->waiting, sys);
	for (i = 0; lc->final[i] != NULL; i++)
		allow(lc, lc->final[i], lc->reopened, sys);
	allow(lc, lc->pre_closed, lc->closed, sys);
	allow(lc, lc->pre_closed, lc->reopened, sys);
	allow(lc, lc->waiting, lc->working, sys);
	allow(lc, lc->initial, lc->assigned, sys);
}

/* Whole text, any case, Unicode-aware. */
char *
lifecycle_ack_source(const char *pattern)
{
	return g_strdup_printf("\\A[\\s\\p{P}]*(?:%s)\\z", pattern);
}

/* Shipped patterns are known to compile: they can wait until used. */
static bool
builtin_ack(const char *lang, const char *pattern)
{
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(builtin_acks); i++)
		if (strcmp(builtin_acks[i].lang, lang) == 0)
			return strcmp(builtin_acks[i].pattern, pattern) == 0;
	return false;
}

static bool
ack_patterns(struct ctx *c)
{
	GHashTableIter	 it;
	gpointer	 k, v;
	const char	*ml = g_hash_table_lookup(c->l->keys, "ack_max_length");
	int64_t		 n;

	if (ml != NULL) {
		if (!text_to_duration(&n, ml) || strspn(ml, "0123456789") !=
		    strlen(ml))
			return fail(c, "ack_max_length", "\"%s\" is not a "
			    "number of characters", ml);
		c->lc->ack_max_length = n;
	}
	g_hash_table_iter_init(&it, c->l->acks);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		char	*full;
		int	 ec;
		PCRE2_SIZE off;
		pcre2_code *re;

		if (*(const char *)v == '\0')
			continue;	/* an empty pattern removes a language */
		full = lifecycle_ack_source(v);
		if (builtin_ack(k, v)) {
			g_ptr_array_add(c->lc->ack_sources, full);
			g_ptr_array_add(c->lc->ack_patterns, NULL);
			continue;
		}
		re = pcre2_compile((PCRE2_SPTR)full, PCRE2_ZERO_TERMINATED,
		    LIFECYCLE_ACK_FLAGS, &ec, &off, NULL);
		if (re == NULL) {
			g_free(full);
			PCRE2_UCHAR buf[160];
			char	*key = g_strdup_printf("ack_pattern%s%s%s",
			    *(char *)k ? "[" : "", (char *)k,
			    *(char *)k ? "]" : "");

			pcre2_get_error_message(ec, buf, sizeof buf);
			fail(c, key, "bad regular expression: %s",
			    (const char *)buf);
			g_free(key);
			return false;
		}
		g_ptr_array_add(c->lc->ack_sources, full);
		g_ptr_array_add(c->lc->ack_patterns, re);
	}
	return true;
}

static void
attr_timer_free(gpointer p)
{
	struct lc_attr_timer *t = p;

	g_free(t->attr);
	g_free(t);
}

static int
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* preclose_after[ATTR], in key order.  GKeyFile allows only locale
 * characters between the brackets, so no [ATTR=VALUE]. */
static bool
attr_timers(struct ctx *c)
{
	GList	*keys = g_hash_table_get_keys(c->l->keys), *k;
	GPtrArray *names = g_ptr_array_new();
	guint	 i;
	bool	 ok = true;

	for (k = keys; k != NULL; k = k->next)
		if (strncmp(k->data, "preclose_after[", 15) == 0)
			g_ptr_array_add(names, k->data);
	g_list_free(keys);
	g_ptr_array_sort(names, cmp_str);
	for (i = 0; ok && i < names->len; i++) {
		const char *key = names->pdata[i], *in = key + 15;
		size_t	 n = strcspn(in, "]");
		char	*spec = g_strndup(in, n);
		struct lc_attr_timer *t = g_new0(struct lc_attr_timer, 1);

		t->attr = g_strdup(spec);
		g_free(spec);
		ok = *t->attr != '\0' && in[n] == ']' && in[n + 1] == '\0';
		if (!ok)
			fail(c, key, "%s", "expected preclose_after[ATTRIBUTE]");
		else
			ok = duration_key(c, key, &t->after);
		if (ok)
			g_ptr_array_add(c->lc->preclose_by_attr, t);
		else
			attr_timer_free(t);
	}
	g_ptr_array_free(names, TRUE);
	return ok;
}

/* escalate = notify-leads; raise-priority (either, both, or none). */
static bool
escalate_key(struct ctx *c)
{
	const char *v = g_hash_table_lookup(c->l->keys, "escalate");

	if (v != NULL && !text_to_escalate(&c->lc->escalate, v))
		return fail(c, "escalate", "\"%s\": expected notify-leads, "
		    "raise-priority (or both, separated by ;) or none", v);
	return true;
}

static bool
basis_and_numbers(struct ctx *c)
{
	const char *b = g_hash_table_lookup(c->l->keys, "preclose_basis");
	const char *lim = g_hash_table_lookup(c->l->keys, "hotrush_off_limit");
	const char *hr = g_hash_table_lookup(c->l->keys, "hotrush");
	struct lifecycle *lc = c->lc;

	/* X-Cart: HotRush is "for an urgent techsupport request". */
	lc->hotrush = true;
	if (hr != NULL && (strcmp(hr, "no") == 0 || strcmp(hr, "off") == 0))
		lc->hotrush = false;
	else if (hr != NULL && strcmp(hr, "yes") != 0 && strcmp(hr, "on") != 0)
		return fail(c, "hotrush", "\"%s\": expected yes or no", hr);

	if (b != NULL && strcmp(b, "staff-reply") == 0)
		lc->preclose_basis = LC_BASIS_STAFF_REPLY;
	else if (b != NULL && strcmp(b, "last-message") == 0)
		lc->preclose_basis = LC_BASIS_LAST_MESSAGE;
	else if (b != NULL)
		return fail(c, "preclose_basis", "\"%s\": expected "
		    "staff-reply or last-message", b);
	if (lim != NULL && (strspn(lim, "0123456789") != strlen(lim) ||
	    !text_to_duration(&lc->hotrush_off_limit, lim)))
		return fail(c, "hotrush_off_limit", "\"%s\" is not a number",
		    lim);
	return duration_key(c, "preclose_after", &lc->preclose_after) &&
	    duration_key(c, "close_after", &lc->close_after) &&
	    duration_key(c, "reopen_window", &lc->reopen_window) &&
	    duration_key(c, "sla_hotrush", &lc->sla_hotrush) &&
	    duration_key(c, "resolve_hotrush", &lc->resolve_hotrush) &&
	    escalate_key(c);
}

/* A priority name: a word, as the viewer's forms and commands take it. */
static bool
priority_name_ok(const char *v)
{
	size_t	 n = strlen(v);

	return n > 0 && n <= LC_PRIORITY_NAME_MAX &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_") == n && g_ascii_strcasecmp(v, "hotrush") != 0;
}

/* staff_priorities: those a customer may not choose herself (XCALLY's
 * "Highest only if your services are down": staff and the rules judge
 * that).  Any case, "highest"/"lowest" as everywhere. */
static bool
staff_priorities(struct ctx *c)
{
	struct lifecycle *lc = c->lc;
	char	**names = split_list(g_hash_table_lookup(c->l->keys,
	    "staff_priorities"));
	size_t	  i;
	int	  r;

	memset(lc->staff_priority, 0, sizeof lc->staff_priority);
	for (i = 0; names[i] != NULL; i++) {
		if ((r = lifecycle_priority_rank(lc, names[i])) ==
		    LC_RANK_NONE) {
			bool ok = fail(c, "staff_priorities", "\"%s\" is not "
			    "in priorities", names[i]);

			g_strfreev(names);
			return ok;
		}
		lc->staff_priority[r] = true;
	}
	g_strfreev(names);
	return true;
}

static bool
priorities(struct ctx *c)
{
	struct lifecycle *lc = c->lc;
	const char	*d = g_hash_table_lookup(c->l->keys, "default_priority");
	int		 i, j;

	lc->priorities = split_list(g_hash_table_lookup(c->l->keys,
	    "priorities"));
	lc->n_priorities = (int)g_strv_length(lc->priorities);
	if (lc->n_priorities == 0)
		return fail(c, "priorities", "%s", "must list at least one "
		    "priority, highest first");
	if (lc->n_priorities > LC_PRIORITIES_MAX)
		return fail(c, "priorities", "at most %d priorities",
		    LC_PRIORITIES_MAX);
	for (i = 0; i < lc->n_priorities; i++) {
		if (!priority_name_ok(lc->priorities[i]))
			return fail(c, "priorities", "\"%s\": a priority is "
			    "a word of letters, digits, - and _ (not "
			    "\"hotrush\")", lc->priorities[i]);
		for (j = 0; j < i; j++)
			if (g_ascii_strcasecmp(lc->priorities[i],
			    lc->priorities[j]) == 0)
				return fail(c, "priorities", "\"%s\" is listed "
				    "twice", lc->priorities[i]);
	}
	/* Unset: the middle one (normal of major;normal;minor). */
	lc->default_priority = (lc->n_priorities - 1) / 2;
	if (d != NULL && *d != '\0' &&
	    (lc->default_priority = lifecycle_priority_rank(lc, d)) < 0)
		return fail(c, "default_priority", "\"%s\" is not in "
		    "priorities", d);
	return staff_priorities(c);
}

/*
 * PREFIX<priority> (sla_, resolve_) for each configured priority (any
 * case) into TARGETS; PREFIX"hotrush" is read with the numbers.
 */
static bool
targets(struct ctx *c, const char *prefix, int64_t *targets)
{
	GHashTableIter	 it;
	gpointer	 k, v;
	size_t		 n = strlen(prefix);
	int		 r;
	bool		 ok = true;

	g_hash_table_iter_init(&it, c->l->keys);
	while (ok && g_hash_table_iter_next(&it, &k, &v)) {
		const char *key = k, *site;

		if (strncmp(key, prefix, n) != 0 ||
		    strcmp(key + n, "hotrush") == 0)
			continue;
		r = lifecycle_priority_rank(c->lc, key + n);
		if (r >= 0) {
			ok = duration_key(c, key, &targets[r]);
			continue;
		}
		/* A target for a priority another layer renamed away
		 * (the built-in sla_minor) is moot; one the site wrote
		 * here for a priority that does not exist is a typo. */
		site = g_hash_table_lookup(c->l->site, key);
		if (site != NULL && strcmp(site, c->group) == 0)
			ok = fail(c, key, "\"%s\" is not in priorities",
			    key + n);
	}
	return ok;
}

static bool
sla_targets(struct ctx *c)
{
	return targets(c, "sla_", c->lc->sla) &&
	    targets(c, "resolve_", c->lc->resolve);
}

static bool
rating(struct ctx *c)
{
	struct lifecycle *lc = c->lc;
	const char	*rq = g_hash_table_lookup(c->l->keys, "rating_request");
	GString		*g;
	size_t		 i, n;

	if (!status_list(c, "rating_statuses", &lc->rating_statuses))
		return false;
	if (lc->rating_statuses[0] == NULL) {
		g_strfreev(lc->rating_statuses);
		lc->rating_statuses = g_strdupv(lc->final);
	}
	if (rq != NULL && *rq != '\0') {
		if (strspn(rq, "abcdefghijklmnopqrstuvwxyz0123456789-_") !=
		    strlen(rq))
			return fail(c, "rating_request", "\"%s\" is not a "
			    "template name (lower-case letters, digits, - "
			    "and _)", rq);
		lc->rating_request = g_strdup(rq);
	}
	/* "only a closed ticket can be rated", "only a Solved or Closed
	 * ticket can be rated". */
	g = g_string_new("only a ");
	n = g_strv_length(lc->rating_statuses);
	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i == 0 ? "" : i + 1 == n ?
		    " or " : ", ", lc->rating_statuses[i]);
	g_string_append(g, n == 0 ? "rateable ticket can be rated" :
	    " ticket can be rated");
	lc->rating_refusal = g_string_free(g, FALSE);
	return true;
}

static bool
build(struct lifecycle **out, struct layers *l, const char *queue,
    const char *path, const char *text, const char *group, GError **err)
{
	struct lifecycle *lc = g_new0(struct lifecycle, 1);
	struct ctx	 c = { lc, l, path, text, group, err };
	bool		 ok;

	lc->queue = g_strdup(queue);
	lc->transitions = g_ptr_array_new_with_free_func(transition_free);
	lc->ack_patterns = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)pcre2_code_free);
	lc->ack_sources = g_ptr_array_new_with_free_func(g_free);
	lc->preclose_by_attr = g_ptr_array_new_with_free_func(
	    attr_timer_free);
	lc->statuses = split_list(g_hash_table_lookup(l->keys, "statuses"));
	ok = lc->statuses[0] != NULL ||
	    fail(&c, "statuses", "%s", "must list at least one status");
	ok = ok && status_key(&c, "initial", &lc->initial, true) &&
	    status_key(&c, "assigned", &lc->assigned, false) &&
	    status_key(&c, "working", &lc->working, false) &&
	    status_key(&c, "waiting", &lc->waiting, false) &&
	    status_key(&c, "pre_closed", &lc->pre_closed, false) &&
	    status_key(&c, "closed", &lc->closed, false) &&
	    status_key(&c, "reopened", &lc->reopened, false) &&
	    status_list(&c, "final", &lc->final) &&
	    status_list(&c, "staff_reply_to_waiting",
	    &lc->staff_reply_to_waiting) &&
	    status_list(&c, "preclose_from", &lc->preclose_from) &&
	    status_list(&c, "hotrush_free", &lc->hotrush_free) &&
	    transitions(&c) && basis_and_numbers(&c) && attr_timers(&c) &&
	    priorities(&c) && sla_targets(&c) && rating(&c) &&
	    ack_patterns(&c);
	if (ok) {
		const char *cal = g_hash_table_lookup(l->keys, "calendar");

		lc->calendar_name = cal != NULL && *cal != '\0' ?
		    g_strdup(cal) : NULL;
	}
	if (ok && lc->closed != NULL && !lifecycle_is_final(lc, lc->closed))
		ok = fail(&c, "final", "must contain the closed status %s",
		    lc->closed);
	if (!ok) {
		lifecycle_free(lc);
		return false;
	}
	implied(lc);
	*out = lc;
	return true;
}

static struct layers *
layers_new(void)
{
	struct layers	*l = g_new0(struct layers, 1);
	size_t		 i;

	l->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	l->acks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	l->site = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	for (i = 0; i < G_N_ELEMENTS(builtin_acks); i++)
		g_hash_table_replace(l->acks, g_strdup(builtin_acks[i].lang),
		    g_strdup(builtin_acks[i].pattern));
	return l;
}

static void
layers_free(struct layers *l)
{
	g_hash_table_destroy(l->keys);
	g_hash_table_destroy(l->acks);
	g_hash_table_destroy(l->site);
	g_free(l);
}

/* Queues that have a [lifecycle.Q] group in either file. */
static void
queue_names(GKeyFile *a, GKeyFile *b, GPtrArray *names)
{
	GKeyFile *files[2] = { a, b };
	size_t	  f, i;
	guint	  j;

	for (f = 0; f < 2; f++) {
		char	**g = files[f] ? g_key_file_get_groups(files[f], NULL) :
		    NULL;

		for (i = 0; g != NULL && g[i] != NULL; i++) {
			bool	 seen = false;

			if (strncmp(g[i], "lifecycle.", 10) != 0 ||
			    g[i][10] == '\0')
				continue;
			for (j = 0; j < names->len; j++)
				seen |= strcmp(names->pdata[j], g[i] + 10) == 0;
			if (!seen)
				g_ptr_array_add(names, g_strdup(g[i] + 10));
		}
		g_strfreev(g);
	}
}

/* Builds one queue's life cycle (QUEUE NULL: the default). */
static bool
one(struct lifecycle **out, GKeyFile *bk, GKeyFile *kf, const char *queue,
    const char *path, const char *text, GError **err)
{
	struct layers	*l = layers_new();
	char		*group = queue ? g_strdup_printf("lifecycle.%s", queue) :
	    g_strdup("lifecycle");
	bool		 ok;

	ok = layer(l, bk, "lifecycle", "(built-in)", NULL, err) &&
	    layer(l, kf, "lifecycle", path, text, err) &&
	    (queue == NULL || (layer(l, bk, group, "(built-in)", NULL,
	    err) && layer(l, kf, group, path, text, err))) &&
	    build(out, l, queue, path, text, group, err);
	g_free(group);
	layers_free(l);
	return ok;
}

/* [calendar.NAME] groups of KF into SET->calendars. */
static bool
calendars(struct lifecycle_set *set, GKeyFile *kf, const char *path,
    const char *text, GError **err)
{
	static const char *const keys[] = { "time_zone", "hours", "holidays" };
	char	**groups = kf != NULL ? g_key_file_get_groups(kf, NULL) : NULL;
	bool	  ok = true;
	size_t	  i, k;

	for (i = 0; ok && groups != NULL && groups[i] != NULL; i++) {
		const char	*g = groups[i];
		char		*v[G_N_ELEMENTS(keys)];
		struct calendar	*cal = NULL;
		GError		*e = NULL;
		unsigned	 line = 0;

		if (strcmp(g, "calendar") == 0) {
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: [calendar]: name the calendar, as in "
			    "[calendar.office]", path,
			    config_line_of(text, g, NULL));
			ok = false;
			break;
		}
		if (strncmp(g, "calendar.", 9) != 0 || g[9] == '\0')
			continue;
		/* An empty group (the shipped example's, all commented) is
		 * no calendar; naming it is the error. */
		char **present = g_key_file_get_keys(kf, g, NULL, NULL);
		bool empty = present == NULL || present[0] == NULL;

		g_strfreev(present);
		if (empty)
			continue;
		for (k = 0; k < G_N_ELEMENTS(keys); k++)
			v[k] = g_key_file_get_string(kf, g, keys[k], NULL);
		ok = calendar_parse(&cal, g + 9, v[0], v[1], v[2], &e);
		if (!ok) {
			/* The line of the key the message names. */
			for (k = 0; line == 0 && k < G_N_ELEMENTS(keys); k++) {
				char *tag = g_strdup_printf("] %s:", keys[k]);

				if (strstr(e->message, tag) != NULL)
					line = config_line_of(text, g, keys[k]);
				g_free(tag);
			}
			if (line == 0)
				line = config_line_of(text, g, NULL);
			g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
			    "%s:%u: %s", path, line, e->message);
			g_error_free(e);
		} else
			g_ptr_array_add(set->calendars, cal);
		for (k = 0; k < G_N_ELEMENTS(keys); k++)
			g_free(v[k]);
	}
	g_strfreev(groups);
	return ok;
}

/* Points LC at the calendar it names. */
static bool
use_calendar(struct lifecycle_set *set, struct lifecycle *lc,
    const char *path, const char *text, GError **err)
{
	char	*group;
	guint	 i;
	unsigned line;

	if (lc->calendar_name == NULL)
		return true;
	for (i = 0; i < set->calendars->len; i++)
		if (strcmp(calendar_name(set->calendars->pdata[i]),
		    lc->calendar_name) == 0) {
			lc->calendar = set->calendars->pdata[i];
			return true;
		}
	group = lc->queue != NULL ? g_strdup_printf("lifecycle.%s",
	    lc->queue) : g_strdup("lifecycle");
	line = config_line_of(text, group, "calendar");
	if (line == 0)
		line = config_line_of(text, "lifecycle", "calendar");
	g_set_error(err, CONFIG_ERROR, CONFIG_ERROR_VALUE,
	    "%s:%u: [%s] calendar: no [calendar.%s] group with hours", path,
	    line, group,
	    lc->calendar_name);
	g_free(group);
	return false;
}

bool
lifecycle_set_from_keyfile(struct lifecycle_set **out, GKeyFile *kf,
    const char *path, const char *text, GError **err)
{
	struct lifecycle_set *set = g_new0(struct lifecycle_set, 1);
	GKeyFile	*bk = g_key_file_new();
	GPtrArray	*names = g_ptr_array_new_with_free_func(g_free);
	guint		 i;
	bool		 ok;

	set->queues = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)lifecycle_free);
	set->calendars = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)calendar_free);
	g_key_file_set_list_separator(bk, ';');
	/* Keep "key[x]" lines: GKeyFile drops other locales otherwise. */
	ok = g_key_file_load_from_data(bk, builtin, sizeof builtin - 1,
	    G_KEY_FILE_KEEP_TRANSLATIONS, NULL);
	g_assert(ok);
	queue_names(bk, kf, names);
	ok = calendars(set, kf, path, text, err) &&
	    one(&set->def, bk, kf, NULL, path, text, err) &&
	    use_calendar(set, set->def, path, text, err);
	for (i = 0; ok && i < names->len; i++) {
		struct lifecycle *lc;

		ok = one(&lc, bk, kf, names->pdata[i], path, text, err);
		if (ok) {
			g_ptr_array_add(set->queues, lc);
			ok = use_calendar(set, lc, path, text, err);
		}
	}
	g_ptr_array_free(names, TRUE);
	g_key_file_free(bk);
	if (!ok) {
		lifecycle_set_free(set);
		return false;
	}
	*out = set;
	return true;
}

struct lifecycle_set *
lifecycle_set_new_default(void)
{
	struct lifecycle_set *set = NULL;
	GError	*e = NULL;

	if (!lifecycle_set_from_keyfile(&set, NULL, "(built-in)", NULL, &e))
		g_error("built-in life cycle: %s", e->message);
	return set;
}

void
lifecycle_set_free(struct lifecycle_set *set)
{
	if (set == NULL)
		return;
	lifecycle_free(set->def);
	g_ptr_array_free(set->queues, TRUE);
	g_ptr_array_free(set->calendars, TRUE);
	g_free(set);
}

const struct lifecycle *
lifecycle_for(const struct lifecycle_set *set, const char *queue)
{
	guint	 i;

	for (i = 0; queue != NULL && i < set->queues->len; i++) {
		const struct lifecycle *lc = set->queues->pdata[i];

		if (strcmp(lc->queue, queue) == 0)
			return lc;
	}
	return set->def;
}

static void
add_done(GPtrArray *a, const char *status)
{
	if (status != NULL && !g_ptr_array_find_with_equal_func(a, status,
	    g_str_equal, NULL))
		g_ptr_array_add(a, g_strdup(status));
}

static void
add_done_of(GPtrArray *a, const struct lifecycle *lc)
{
	size_t	 i;

	add_done(a, lc->pre_closed);
	for (i = 0; lc->final != NULL && lc->final[i] != NULL; i++)
		add_done(a, lc->final[i]);
	for (i = 0; lc->rating_statuses != NULL &&
	    lc->rating_statuses[i] != NULL; i++)
		add_done(a, lc->rating_statuses[i]);
}

char **
lifecycle_set_done_statuses(const struct lifecycle_set *set)
{
	GPtrArray	*a = g_ptr_array_new();
	guint		 i;

	add_done_of(a, set->def);
	for (i = 0; i < set->queues->len; i++)
		add_done_of(a, set->queues->pdata[i]);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}
