/*
 * ext_postdesk.c: the vnd.postdesk extension.  Actions set ticket
 * properties (set_priority, set_hotrush, set_field, assign); tests look
 * at what ingest knows about the message (ticket, spf, sender_role) and
 * its sender's organization (org_attribute NAMES KEYS, like header).
 * Literal arguments are checked at compile time so that a typo is a
 * located error, not a silently ignored rule.
 */
#include <string.h>

#include "sieve/sieve-priv.h"

#define fail sieve_compile_fail

static const char *const ticket_values[] = { "new", "existing" };
static const char *const spf_values[] = {
	"pass", "fail", "softfail", "neutral", "none", "temperror",
	"permerror"
};
static const char *const role_values[] = { "staff", "customer", "unknown" };

static bool
eq(const char *a, const char *b)
{
	return g_ascii_strcasecmp(a, b) == 0;
}

static bool
one_of(const char *s, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (eq(s, set[i]))
			return true;
	return false;
}

/*
 * A priority name as a life cycle may configure one ("Highest", "P1"):
 * a word of letters, digits, '-' and '_'.  Which names a ticket's queue
 * has is known only when the action is applied: intake refuses another
 * one there, naming the list (postdesk-lifecycle(5)).
 */
bool
sieve_ext_postdesk_valid_priority(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* Queue, template, field names: safe as file names and in SQL values. */
bool
sieve_ext_postdesk_valid_name(const char *s)
{
	size_t n;

	if (!g_ascii_isalnum(s[0]))
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (!g_ascii_isalnum(s[n]) && s[n] != '-' && s[n] != '_' &&
		    s[n] != '.')
			return false;
	return n <= 64 && strstr(s, "..") == NULL;
}

static bool
check_literal(struct sieve_compiler *c, const struct sieve_node *n,
    size_t idx, const struct sieve_string *s, bool (*valid)(const char *),
    const char *what, GError **err)
{
	if (s->has_vars || valid(s->text))
		return true;
	return fail(c, n->args[idx].line, n->args[idx].col, err,
	    "invalid %s \"%s\"", what, s->text);
}

static bool
valid_owner(const char *s)
{
	return s[0] != '\0' && strlen(s) <= 254 &&
	    strpbrk(s, " \t\r\n\"<>") == NULL;
}

static bool
check_cmd(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, GError **err)
{
	switch (cmd->kind) {
	case CMD_SET_HOTRUSH:
		return sieve_compile_arg_count(c, n, 0, err);
	case CMD_SET_PRIORITY:
		return sieve_compile_string_arg(c, n, 0, "priority",
		    &cmd->arg, err) && sieve_compile_arg_count(c, n, 1, err) &&
		    check_literal(c, n, 0, &cmd->arg,
		    sieve_ext_postdesk_valid_priority,
		    "priority (a word: letters, digits, '-', '_')", err);
	case CMD_ASSIGN:
		return sieve_compile_string_arg(c, n, 0, "owner", &cmd->arg,
		    err) && sieve_compile_arg_count(c, n, 1, err) &&
		    check_literal(c, n, 0, &cmd->arg, valid_owner, "owner",
		    err);
	default:
		return sieve_compile_string_arg(c, n, 0, "field name",
		    &cmd->arg, err) && sieve_compile_string_arg(c, n, 1,
		    "field value", &cmd->arg2, err) &&
		    sieve_compile_arg_count(c, n, 2, err) &&
		    check_literal(c, n, 0, &cmd->arg,
		    sieve_ext_postdesk_valid_name, "field name", err);
	}
}

bool
sieve_ext_postdesk_cmd(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_cmd *cmd, bool *handled, GError **err)
{
	static const struct {
		const char *name;
		enum sieve_cmd_kind kind;
	} defs[] = {
		{ "set_priority", CMD_SET_PRIORITY },
		{ "set_hotrush", CMD_SET_HOTRUSH },
		{ "set_field", CMD_SET_FIELD },
		{ "assign", CMD_ASSIGN },
	};
	char what[64];
	size_t i;

	*handled = false;
	for (i = 0; i < G_N_ELEMENTS(defs); i++)
		if (eq(n->name, defs[i].name))
			break;
	if (i == G_N_ELEMENTS(defs))
		return true;
	*handled = true;
	cmd->kind = defs[i].kind;
	cmd->name = defs[i].name;
	g_snprintf(what, sizeof what, "command '%s'", defs[i].name);
	if (!sieve_compile_need_ext(c, EXT_POSTDESK, "vnd.postdesk", what,
	    n->line, n->col, err))
		return false;
	return check_cmd(c, n, cmd, err);
}

static bool
check_keys(struct sieve_compiler *c, const struct sieve_node *n,
    const struct sieve_test *t, const char *const *set, size_t n_set,
    GError **err)
{
	const struct sieve_arg *a = &n->args[n->n_args - 1];
	size_t i;

	/* Only ":is" keys can be known to be wrong; catch typos. */
	if (t->match != MATCH_IS)
		return true;
	for (i = 0; i < t->n_keys; i++) {
		if (t->keys[i].s.has_vars ||
		    one_of(t->keys[i].s.text, set, n_set))
			continue;
		return fail(c, a->lines[i], a->cols[i], err,
		    "'%s' can never be \"%s\"", t->name, t->keys[i].s.text);
	}
	return true;
}

bool
sieve_ext_postdesk_test(struct sieve_compiler *c, const struct sieve_node *n,
    struct sieve_test *t, bool *handled, GError **err)
{
	const char *const *set;
	size_t n_set;
	char what[64];

	*handled = true;
	if (eq(n->name, "ticket")) {
		t->kind = TEST_TICKET;
		t->name = "ticket";
		set = ticket_values;
		n_set = G_N_ELEMENTS(ticket_values);
	} else if (eq(n->name, "spf")) {
		t->kind = TEST_SPF;
		t->name = "spf";
		set = spf_values;
		n_set = G_N_ELEMENTS(spf_values);
	} else if (eq(n->name, "sender_role")) {
		t->kind = TEST_SENDER_ROLE;
		t->name = "sender_role";
		set = role_values;
		n_set = G_N_ELEMENTS(role_values);
	} else if (eq(n->name, "org_attribute")) {
		t->kind = TEST_ORG_ATTRIBUTE;
		t->name = "org_attribute";
		g_snprintf(what, sizeof what, "test '%s'", t->name);
		return sieve_compile_need_ext(c, EXT_POSTDESK, "vnd.postdesk",
		    what, n->line, n->col, err) &&
		    sieve_compile_match_test(c, n, t, 2, MOPT_CMP | MOPT_MATCH,
		    err);
	} else {
		*handled = false;
		return true;
	}
	g_snprintf(what, sizeof what, "test '%s'", t->name);
	return sieve_compile_need_ext(c, EXT_POSTDESK, "vnd.postdesk", what,
	    n->line, n->col, err) &&
	    sieve_compile_match_test(c, n, t, 1, MOPT_CMP | MOPT_MATCH, err) &&
	    check_keys(c, n, t, set, n_set, err);
}

/* The value a postdesk test looks at; NULL when ingest did not say. */
const char *
sieve_ext_postdesk_source(const struct sieve_test *t,
    const struct sieve_message *m)
{
	switch (t->kind) {
	case TEST_TICKET:
		return m->ticket_state;
	case TEST_SPF:
		return m->spf;
	case TEST_SENDER_ROLE:
		return m->sender_role;
	default:
		return NULL;
	}
}

/* The value of attribute NAME of the sender's organization, or NULL. */
const char *
sieve_ext_postdesk_org_attr(const struct sieve_message *m, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; m->org_attrs != NULL && m->org_attrs[i] != NULL; i++)
		if (g_ascii_strncasecmp(m->org_attrs[i], name, n) == 0 &&
		    m->org_attrs[i][n] == '=')
			return m->org_attrs[i] + n + 1;
	return NULL;
}
