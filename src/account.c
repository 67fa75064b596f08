/*
 * account: Member:, Notify-Address:, Confirm-Address:, Language: and
 * Notifications: (account.h).
 */
#include "pdconfig.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "account.h"
#include "lang.h"
#include "lifecycle_apply.h"
#include "outbox.h"
#include "roles.h"
#include "staff.h"

enum step_op {
	OP_REFUSED,
	OP_MEMBER_ADD,
	OP_MEMBER_REMOVE,
	OP_ADDRESS_REQUEST,
	OP_ADDRESS_RESET,
	OP_ADDRESS_CONFIRM,
	OP_LANGUAGE,		/* addr: the language, NULL: the default */
	OP_NOTIFICATIONS	/* off: switch them off, else on */
};

struct step {
	const char	*line;		/* borrowed from the block */
	enum step_op	 op;
	char		*why;		/* the transcript's reason */
	char		*org;
	char		*addr;		/* member, or new address */
	char		*role;
	bool		 invite;	/* a new member: the invitation */
	bool		 off;		/* OP_NOTIFICATIONS */
	struct address_change *change;	/* to confirm */
};

struct account_plan {
	GPtrArray	*steps;		/* of struct step */
	char		*from;
};

static void
step_free(gpointer p)
{
	struct step	*st = p;

	g_free(st->why);
	g_free(st->org);
	g_free(st->addr);
	g_free(st->role);
	address_change_free(st->change);
	g_free(st);
}

void
account_plan_free(struct account_plan *p)
{
	if (p == NULL)
		return;
	g_ptr_array_free(p->steps, TRUE);
	g_free(p->from);
	g_free(p);
}

bool
account_is_bare_address(const char *a)
{
	const char	*at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strlen(a) <= 254 &&
	    strpbrk(a, " \t\r\n\"<>(),;:") == NULL;
}

static bool
refused(struct step *st, char *why)
{
	st->op = OP_REFUSED;
	st->why = why;
	return true;
}

static char *
decision_text(const struct policy_decision *d)
{
	return policy_decision_to_text(d);
}

/* "add ADDR [ROLE]" or "remove ADDR" by member OM. */
static bool
decide_member(struct store *s, const struct config *c, const char *value,
    const struct org_member *om, struct step *st, GError **err)
{
	char		**w = g_strsplit_set(value, " \t", -1);
	char		 *words[4] = { NULL };
	struct org_member *target = NULL;
	const char	 *role;
	guint		  i, n = 0;
	bool		  add;

	for (i = 0; w[i] != NULL && n < G_N_ELEMENTS(words); i++)
		if (*w[i] != '\0')
			words[n++] = w[i];
	add = n >= 2 && g_ascii_strcasecmp(words[0], "add") == 0;
	if (!(add && n <= 3) && !(n == 2 &&
	    g_ascii_strcasecmp(words[0], "remove") == 0)) {
		g_strfreev(w);
		return refused(st, g_strdup("expected \"Member: add ADDRESS "
		    "[ROLE]\" or \"Member: remove ADDRESS\""));
	}
	if (!account_is_bare_address(words[1])) {
		refused(st, g_strdup_printf("\"%s\" is not a mail address",
		    words[1]));
		g_strfreev(w);
		return true;
	}
	st->org = g_strdup(om->org);
	st->addr = g_ascii_strdown(words[1], -1);
	role = add ? roles_name(c->roles, n == 3 ? words[2] :
	    roles_default(c->roles)) : NULL;
	if (add && role == NULL) {
		char	*list = roles_list_text(c->roles);

		refused(st, g_strdup_printf("no role \"%s\" (roles: %s)",
		    words[2], list));
		g_free(list);
		g_strfreev(w);
		return true;
	}
	g_strfreev(w);
	if (!store_org_member_get(s, st->addr, &target, err))
		return false;
	if (g_ascii_strcasecmp(st->addr, om->address) == 0)
		refused(st, g_strdup("a member cannot change or remove "
		    "herself; ask staff"));
	else if (target != NULL && g_ascii_strcasecmp(target->org,
	    om->org) != 0)
		refused(st, g_strdup_printf("%s belongs to another "
		    "organization", st->addr));
	else if (!add && target == NULL)
		refused(st, g_strdup_printf("%s is not a member of %s",
		    st->addr, om->org));
	else if (add && target != NULL && strcmp(target->role, role) == 0)
		refused(st, g_strdup_printf("%s already is a %s member of %s",
		    st->addr, role, om->org));
	else if (add) {
		st->op = OP_MEMBER_ADD;
		st->role = g_strdup(role);
		st->invite = target == NULL;
		st->why = target != NULL ? g_strdup_printf("%s is now a %s "
		    "member of %s (was %s)", st->addr, role, om->org,
		    target->role) : g_strdup_printf("%s added to %s as %s",
		    st->addr, om->org, role);
	} else {
		st->op = OP_MEMBER_REMOVE;
		st->why = g_strdup_printf("%s removed from %s", st->addr,
		    om->org);
	}
	org_member_free(target);
	return true;
}

/* 12 random bytes as hex: the change's id, unguessable. */
static bool
random_id(char **out, GError **err)
{
	guint8	 b[12];
	ssize_t	 n;
	GString	*g;
	size_t	 i;

	/* The kernel's CSPRNG; g_random is predictable by design. */
	do
		n = getrandom(b, sizeof b, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof b) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_IO, "getrandom: %s",
		    n < 0 ? g_strerror(errno) : "short read");
		return false;
	}
	g = g_string_new(NULL);
	for (i = 0; i < sizeof b; i++)
		g_string_append_printf(g, "%02x", b[i]);
	*out = g_string_free(g, FALSE);
	return true;
}

static char *
signature(const char *key, const char *id, const char *new_address)
{
	char	*msg = g_strdup_printf("address-change:%s:%s", id,
	    new_address);
	char	*lower = g_ascii_strdown(msg, -1);
	char	*hex = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)key, strlen(key), lower, -1);
	char	*sig = g_strndup(hex, 20);

	g_free(msg);
	g_free(lower);
	g_free(hex);
	return sig;
}

char *
account_change_token(const struct config *c, const struct address_change *ch)
{
	char	*sig, *t;

	if (c->token_key == NULL || *c->token_key == '\0')
		return NULL;
	sig = signature(c->token_key, ch->id, ch->new_address);
	t = g_strdup_printf("%s.%s", ch->id, sig);
	g_free(sig);
	return t;
}

/* Compares without an early exit: the signature must not leak. */
static bool
same_secret(const char *a, const char *b)
{
	size_t	 i, n = strlen(a);
	unsigned char d = n != strlen(b);

	for (i = 0; i < n && b[i] != '\0'; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static bool
decide_notify(struct store *s, const struct config *c, const char *value,
    const char *from, struct step *st, GError **err)
{
	struct staff	*staff = NULL;

	if (g_ascii_strcasecmp(value, "reset") == 0 ||
	    g_ascii_strcasecmp(value, from) == 0) {
		st->op = OP_ADDRESS_RESET;
		st->why = g_strdup_printf("notifications go to %s again",
		    from);
		return true;
	}
	if (!account_is_bare_address(value))
		return refused(st, g_strdup_printf("\"%s\" is not a mail "
		    "address", value));
	/* A staff account, even a disabled one, or the bootstrap list. */
	if (!staff_lookup(s, c, value, &staff, err))
		return false;
	if (config_is_own_address(c, value) || staff != NULL) {
		staff_free(staff);
		return refused(st, g_strdup_printf("%s is one of our own "
		    "addresses", value));
	}
	if (c->token_key == NULL || *c->token_key == '\0')
		return refused(st, g_strdup("address changes need [mail] "
		    "token_key; ask staff"));
	st->op = OP_ADDRESS_REQUEST;
	st->addr = g_ascii_strdown(value, -1);
	st->change = g_new0(struct address_change, 1);
	if (!random_id(&st->change->id, err))
		return false;
	st->change->address = g_ascii_strdown(from, -1);
	st->change->new_address = g_strdup(st->addr);
	st->why = g_strdup_printf("a confirmation was sent to %s; "
	    "notifications go there once it is confirmed (within %d days)",
	    st->addr, ACCOUNT_CHANGE_LIFETIME / 86400);
	return true;
}

/* Confirm-Address: ID.SIG — the token facts, then the table. */
static bool
decide_confirm(struct store *s, const struct config *c, const char *value,
    const struct policy_facts *base, const char *from, int64_t now,
    struct step *st, GString *report, GError **err)
{
	struct policy_facts f = *base;
	struct policy_decision d;
	const char	*dot = strchr(value, '.');
	char		*id = dot != NULL ? g_strndup(value,
	    (gsize)(dot - value)) : g_strdup(value);
	char		*sig = NULL, *text;
	const char	*fact = NULL;

	if (!store_address_change_get(s, id, &st->change, err)) {
		g_free(id);
		return false;
	}
	g_free(id);
	if (st->change != NULL && c->token_key != NULL)
		sig = signature(c->token_key, st->change->id,
		    st->change->new_address);
	if (st->change == NULL || dot == NULL || sig == NULL ||
	    !same_secret(sig, dot + 1))
		fact = "the token is not one of ours";
	else if (st->change->confirmed != 0)
		fact = "this change was already confirmed";
	else if (now > st->change->expires)
		fact = "the confirmation expired; ask again with "
		    "Notify-Address:";
	else if (g_ascii_strcasecmp(from, st->change->new_address) != 0)
		fact = "the confirmation must come from the new address";
	g_free(sig);
	f.change_token = fact == NULL;
	policy_decide(POLICY_CONFIRM_ADDRESS, &f, &d);
	text = decision_text(&d);
	if (report != NULL)
		g_string_append_printf(report, "policy: %s\n", text);
	if (!d.allow) {
		g_free(text);
		return refused(st, g_strdup(fact != NULL ? fact : d.why));
	}
	g_free(text);
	st->op = OP_ADDRESS_CONFIRM;
	st->why = g_strdup_printf("notifications for %s now go to %s",
	    st->change->address, st->change->new_address);
	return true;
}

static int
by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Language: LANG — one the site can write in: the default, English
 * (NAME.txt ships in English), or any of the templates' NAME.LANG.txt.
 * "Language: default" goes back to [mail] default_language.
 */
static bool
decide_language(const struct config *c, const char *value, struct step *st)
{
	GPtrArray	*shipped;
	GString		*list;
	char		*lang = NULL, *mail;
	bool		 known;
	guint		 i;

	if (g_ascii_strcasecmp(value, "default") == 0) {
		st->op = OP_LANGUAGE;
		st->why = g_strdup_printf("mail from us is in the site's "
		    "language (%s) again", c->default_language);
		return true;
	}
	mail = g_build_filename(c->templates_dir, "mail", NULL);
	shipped = lang_shipped(mail, NULL);
	g_free(mail);
	if (g_ptr_array_find_with_equal_func(shipped, "en", g_str_equal,
	    NULL) == FALSE)
		g_ptr_array_add(shipped, g_strdup("en"));
	if (g_ptr_array_find_with_equal_func(shipped, c->default_language,
	    g_str_equal, NULL) == FALSE)
		g_ptr_array_add(shipped, g_strdup(c->default_language));
	g_ptr_array_sort(shipped, by_name);
	known = text_to_lang(&lang, value) && strlen(value) == strcspn(value,
	    " \t;,") && g_ptr_array_find_with_equal_func(shipped, lang,
	    g_str_equal, NULL);
	if (!known) {
		list = g_string_new(NULL);
		for (i = 0; i < shipped->len; i++)
			g_string_append_printf(list, "%s%s", i > 0 ? ", " : "",
			    (char *)shipped->pdata[i]);
		refused(st, g_strdup_printf("we do not write in \"%s\" "
		    "(languages: %s)", value, list->str));
		g_string_free(list, TRUE);
		g_ptr_array_unref(shipped);
		g_free(lang);
		return true;
	}
	g_ptr_array_unref(shipped);
	st->op = OP_LANGUAGE;
	st->addr = lang;
	st->why = g_strdup_printf("mail from us is now in language %s", lang);
	return true;
}

/*
 * Notifications: off | on — X-Cart's "turn on/off email notifications".
 * Off, postdesk-notify skips her automatic notices about tickets; the
 * mails she must get still go (notify.h: notify_is_optional()).
 */
static bool
decide_notifications(const char *value, struct step *st)
{
	if (g_ascii_strcasecmp(value, "off") == 0)
		st->off = true;
	else if (g_ascii_strcasecmp(value, "on") != 0)
		return refused(st, g_strdup_printf("expected \"Notifications: "
		    "off\" or \"Notifications: on\", not \"%s\"", value));
	st->op = OP_NOTIFICATIONS;
	st->why = g_strdup(st->off ? "notifications about your tickets are "
	    "off; answers from our staff, confirmations, sign-in links and "
	    "refusals still reach you" : "notifications about your tickets "
	    "are on");
	return true;
}

/* One account command: its row of the table, then its own checks. */
static bool
decide_one(struct store *s, const struct config *c, const struct command *cmd,
    const struct policy_facts *f, const struct org_member *om,
    const char *from, int64_t now, struct step *st, GString *report,
    GError **err)
{
	struct policy_decision d;
	char	*text;

	if (cmd->cmd == LC_CMD_CONFIRM_ADDRESS)
		return decide_confirm(s, c, cmd->value, f, from, now, st,
		    report, err);
	policy_decide(cmd->cmd == LC_CMD_MEMBER ? POLICY_MANAGE_MEMBERS :
	    POLICY_CHANGE_ADDRESS, f, &d);
	text = decision_text(&d);
	if (report != NULL)
		g_string_append_printf(report, "policy: %s\n", text);
	if (!d.allow)
		return refused(st, text);
	g_free(text);
	if (*cmd->value == '\0')
		return refused(st, g_strdup("no value given"));
	if (cmd->cmd == LC_CMD_MEMBER)
		return decide_member(s, c, cmd->value, om, st, err);
	if (cmd->cmd == LC_CMD_LANGUAGE)
		return decide_language(c, cmd->value, st);
	if (cmd->cmd == LC_CMD_NOTIFICATIONS)
		return decide_notifications(cmd->value, st);
	return decide_notify(s, c, cmd->value, from, st, err);
}

const char *
account_plan_refusal(const struct account_plan *p)
{
	guint	 i;

	for (i = 0; p != NULL && i < p->steps->len; i++) {
		const struct step *st = p->steps->pdata[i];

		if (st->op == OP_REFUSED)
			return st->why;
	}
	return NULL;
}

bool
account_decide(struct store *s, const struct config *c,
    const struct command_block *b, const struct policy_facts *base,
    const char *from, int64_t now, struct account_plan **out,
    GString *report, GError **err)
{
	struct account_plan *p = NULL;
	struct org_member *om = NULL;
	struct policy_facts f = *base;
	guint	 i;
	bool	 ok = true;

	*out = NULL;
	if (from == NULL)
		return true;
	for (i = 0; ok && i < b->commands->len; i++) {
		const struct command *cmd = b->commands->pdata[i];
		struct step *st;

		if (!lc_command_is_account(cmd->cmd))
			continue;
		if (p == NULL) {
			p = g_new0(struct account_plan, 1);
			p->steps = g_ptr_array_new_with_free_func(step_free);
			p->from = g_ascii_strdown(from, -1);
			/* Her role's rights ([roles]); the table decides. */
			ok = store_org_member_get(s, from, &om, err);
			f.member = om != NULL;
			f.rights = om != NULL ? roles_rights(c->roles,
			    om->role) : 0;
		}
		st = g_new0(struct step, 1);
		st->line = cmd->line;
		g_ptr_array_add(p->steps, st);
		ok = ok && decide_one(s, c, cmd, &f, om, from, now, st,
		    report, err);
		if (ok && report != NULL)
			g_string_append_printf(report,
			    "account: %s: %s — %s\n", st->op == OP_REFUSED ?
			    "refused" : "applies", st->line, st->why);
	}
	org_member_free(om);
	if (!ok) {
		account_plan_free(p);
		return false;
	}
	*out = p;
	return true;
}

static bool
apply_step(struct store *s, const struct account_plan *p,
    const struct step *st, int64_t ticket, int64_t row, int64_t now,
    GError **err)
{
	struct address_change ch;

	switch (st->op) {
	case OP_MEMBER_ADD:
		/* Xentral: "we will send you an invitation to the ticket
		 * system by email" — about no ticket, with her own link. */
		return store_org_member_add(s, st->org, st->addr, NULL,
		    st->role, err) && (!st->invite || outbox_enqueue_exact(s,
		    0, 0, "member-invitation", st->addr, now, err));
	case OP_MEMBER_REMOVE:
		return store_org_member_remove(s, st->org, st->addr, err);
	case OP_ADDRESS_RESET:
		return store_notify_address_set(s, p->from, NULL, now, err);
	case OP_LANGUAGE:
		return store_contact_language_set(s, p->from, st->addr, now,
		    err);
	case OP_NOTIFICATIONS:
		return store_contact_notifications_set(s, p->from, st->off,
		    now, err);
	case OP_ADDRESS_REQUEST:
		ch = *st->change;
		ch.ticket_id = ticket;
		ch.message_row = row;
		ch.created = now;
		ch.expires = now + ACCOUNT_CHANGE_LIFETIME;
		/* The token goes only to the new address: its holder, not
		 * the requester, must say yes. */
		return store_address_change_add(s, &ch, err) &&
		    outbox_enqueue_exact(s, ticket, row, "address-confirm",
		    ch.new_address, now, err);
	case OP_ADDRESS_CONFIRM: {
		bool	 done = false;

		if (!store_address_change_confirm(s, st->change->id, now,
		    &done, err))
			return false;
		/* The old address hears of it, exactly there. */
		return !done || (store_notify_address_set(s,
		    st->change->address, st->change->new_address, now,
		    err) && outbox_enqueue_exact(s, ticket, row,
		    "address-changed", st->change->address, now, err));
	}
	default:
		return true;
	}
}

bool
account_apply(struct store *s, const struct config *c,
    const struct account_plan *p, int64_t ticket, int64_t row,
    const char *actor, int64_t now, GError **err)
{
	guint	 i;
	bool	 ok = true;

	(void)c;
	for (i = 0; ok && p != NULL && i < p->steps->len; i++) {
		const struct step *st = p->steps->pdata[i];
		char	*detail = g_strdup_printf("%s — %s", st->line,
		    st->why);

		ok = apply_step(s, p, st, ticket, row, now, err) &&
		    store_event_add(s, ticket, row, now, actor,
		    st->op == OP_REFUSED ? "command-refused" : "command",
		    detail, err);
		g_free(detail);
	}
	return ok;
}
