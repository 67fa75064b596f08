/*
 * staff: accounts, queues and notice recipients (staff.h).
 */
#include "pdconfig.h"

#include <string.h>

#include "staff.h"
#include "store.h"
#include "store_staff.h"

static const char *const role_names[STAFF_ROLE__MAX] = {
	"agent", "lead", "admin"
};

static const char *const notify_names[STAFF_NOTIFY__MAX] = {
	"all", "mine", "none"
};

struct staff *
staff_new(const char *address)
{
	struct staff	*s = g_new0(struct staff, 1);

	s->address = g_ascii_strdown(address, -1);
	s->queues = g_new0(char *, 1);
	s->role = STAFF_AGENT;
	s->notify = STAFF_NOTIFY_MINE;
	return s;
}

void
staff_free(struct staff *s)
{
	if (s == NULL)
		return;
	g_free(s->address);
	g_free(s->name);
	g_strfreev(s->queues);
	g_free(s);
}

const char *
staff_role_to_text(enum staff_role r)
{
	return r < STAFF_ROLE__MAX ? role_names[r] : "?";
}

bool
text_to_staff_role(enum staff_role *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < STAFF_ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum staff_role)i;
			return true;
		}
	return false;
}

const char *
staff_notify_to_text(enum staff_notify n)
{
	return n < STAFF_NOTIFY__MAX ? notify_names[n] : "?";
}

bool
text_to_staff_notify(enum staff_notify *out, const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < STAFF_NOTIFY__MAX; i++)
		if (strcmp(s, notify_names[i]) == 0) {
			*out = (enum staff_notify)i;
			return true;
		}
	return false;
}

/* A queue name as Queue: and fileinto take it. */
static bool
queue_name_ok(const char *v)
{
	return *v != '\0' && strlen(v) <= 64 &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
	    strlen(v);
}

bool
text_to_staff_queues(char ***out, const char *s)
{
	char	**parts;
	GPtrArray *a;
	guint	 i;

	if (s == NULL)
		return false;
	a = g_ptr_array_new_with_free_func(g_free);
	parts = *s != '\0' ? g_strsplit(s, ",", -1) : g_new0(char *, 1);
	for (i = 0; parts[i] != NULL; i++) {
		char	*q = g_strstrip(parts[i]);
		guint	 k;
		bool	 dup = false;

		if (!queue_name_ok(q)) {
			g_ptr_array_free(a, TRUE);
			g_strfreev(parts);
			return false;
		}
		for (k = 0; k < a->len; k++)
			dup = dup || strcmp(a->pdata[k], q) == 0;
		if (!dup)
			g_ptr_array_add(a, g_strdup(q));
	}
	g_strfreev(parts);
	g_ptr_array_add(a, NULL);
	*out = (char **)g_ptr_array_free(a, FALSE);
	return true;
}

char *
staff_queues_to_text(char *const *queues)
{
	return g_strjoinv(",", (char **)queues);
}

struct staff_dir *
staff_dir_bootstrap(const struct config *c)
{
	struct staff_dir *d = g_new0(struct staff_dir, 1);
	size_t	 i;

	d->all = g_ptr_array_new_with_free_func((GDestroyNotify)staff_free);
	d->bootstrap = true;
	for (i = 0; c->staff_addresses[i] != NULL; i++) {
		struct staff *s = staff_new(c->staff_addresses[i]);

		s->role = STAFF_ADMIN;
		s->bootstrap = true;
		g_ptr_array_add(d->all, s);
	}
	return d;
}

bool
staff_dir_load(struct store *s, const struct config *c,
    struct staff_dir **out, GError **err)
{
	GPtrArray	*a = NULL;

	*out = NULL;
	if (!store_staff_all(s, &a, err))
		return false;
	if (a->len == 0) {
		g_ptr_array_free(a, TRUE);
		*out = staff_dir_bootstrap(c);
		return true;
	}
	*out = g_new0(struct staff_dir, 1);
	(*out)->all = a;
	return true;
}

void
staff_dir_free(struct staff_dir *d)
{
	if (d == NULL)
		return;
	g_ptr_array_free(d->all, TRUE);
	g_free(d);
}

const struct staff *
staff_dir_find(const struct staff_dir *d, const char *addr)
{
	guint	 i;

	for (i = 0; addr != NULL && i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];

		if (g_ascii_strcasecmp(s->address, addr) == 0)
			return s;
	}
	return NULL;
}

bool
staff_lookup(struct store *s, const struct config *c, const char *addr,
    struct staff **out, GError **err)
{
	bool	 any = false;

	*out = NULL;
	if (addr == NULL)
		return true;
	if (!store_staff_get(s, addr, out, err))
		return false;
	if (*out != NULL)
		return true;
	if (!store_staff_any(s, &any, err))
		return false;
	if (!any && config_is_staff(c, addr)) {
		*out = staff_new(addr);
		(*out)->role = STAFF_ADMIN;
		(*out)->bootstrap = true;
	}
	return true;
}

bool
staff_active(struct store *s, const struct config *c, const char *addr,
    bool *out, GError **err)
{
	struct staff	*st = NULL;

	*out = false;
	if (!staff_lookup(s, c, addr, &st, err))
		return false;
	*out = st != NULL && !st->disabled;
	staff_free(st);
	return true;
}

bool
staff_works_queue(const struct staff *s, const char *queue)
{
	size_t	 i;

	if (s->role == STAFF_ADMIN && s->queues[0] == NULL)
		return true;
	for (i = 0; queue != NULL && s->queues[i] != NULL; i++)
		if (strcmp(s->queues[i], queue) == 0)
			return true;
	return false;
}

bool
staff_may_act(const struct staff *s, const char *queue)
{
	return s->role == STAFF_ADMIN || staff_works_queue(s, queue);
}

bool
staff_resolve_owner(const struct staff_dir *d, const char *v, char **out,
    const char **why)
{
	const struct staff *found = NULL;
	size_t		 n = strlen(v);
	guint		 i, hits = 0;

	*out = NULL;
	*why = NULL;
	if (strcmp(v, "none") == 0)
		return true;
	found = staff_dir_find(d, v);
	for (i = 0; found == NULL && strchr(v, '@') == NULL &&
	    i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];

		if (g_ascii_strncasecmp(s->address, v, n) == 0 &&
		    s->address[n] == '@' && !s->disabled)
			hits++;
	}
	for (i = 0; found == NULL && hits == 1 && i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];

		if (g_ascii_strncasecmp(s->address, v, n) == 0 &&
		    s->address[n] == '@' && !s->disabled)
			found = s;
	}
	if (found == NULL)
		*why = hits > 1 ? "names more than one staff member: give the "
		    "address" : "is not a staff member (give a staff address, "
		    "its name before the @, or none)";
	else if (found->disabled)
		*why = "is a disabled staff account";
	if (*why != NULL)
		return false;
	*out = g_strdup(found->address);
	return true;
}

static bool
listed(GPtrArray *a, const char *addr)
{
	guint	 i;

	for (i = 0; a != NULL && addr != NULL && i < a->len; i++)
		if (g_ascii_strcasecmp(a->pdata[i], addr) == 0)
			return true;
	return false;
}

/* Someone of D with authority works QUEUE. */
static bool
queue_staffed(const struct staff_dir *d, const char *queue)
{
	guint	 i;

	for (i = 0; i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];

		if (!s->disabled && staff_works_queue(s, queue))
			return true;
	}
	return false;
}

/* Does S get notice N?  OWNER: N's owner, if it still has authority. */
static bool
wants(const struct staff *s, const struct staff_notice *n,
    const char *owner, bool staffed)
{
	bool	 in_queue = staff_works_queue(s, n->queue);

	if (s->disabled || s->notify == STAFF_NOTIFY_NONE ||
	    (n->author != NULL && g_ascii_strcasecmp(s->address,
	    n->author) == 0))
		return false;
	if (owner != NULL && g_ascii_strcasecmp(s->address, owner) == 0)
		return true;
	if (owner == NULL && in_queue)
		return true;
	if (owner == NULL && !staffed && s->role == STAFF_ADMIN)
		return true;
	if (s->notify == STAFF_NOTIFY_ALL && in_queue)
		return true;
	return listed(n->writers, s->address);
}

GPtrArray *
staff_notice_recipients(const struct staff_dir *d,
    const struct staff_notice *n)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	const struct staff *o = staff_dir_find(d, n->owner);
	const char	*owner = o != NULL && !o->disabled ? o->address : NULL;
	bool		 staffed = queue_staffed(d, n->queue);
	guint		 i;

	for (i = 0; i < d->all->len; i++) {
		const struct staff *s = d->all->pdata[i];

		if (wants(s, n, owner, staffed))
			g_ptr_array_add(a, g_strdup(s->address));
	}
	return a;
}

GPtrArray *
staff_escalation_recipients(const struct staff_dir *d, const char *queue)
{
	GPtrArray	*a = g_ptr_array_new_with_free_func(g_free);
	guint		 i;
	int		 pass;

	/* Leads first; nobody leads the queue, then its admins, then any
	 * admin. */
	for (pass = 0; pass < 3 && a->len == 0; pass++)
		for (i = 0; i < d->all->len; i++) {
			const struct staff *s = d->all->pdata[i];
			bool	 take;

			if (s->disabled)
				continue;
			take = pass == 0 ? s->role == STAFF_LEAD &&
			    staff_works_queue(s, queue) : pass == 1 ?
			    s->role == STAFF_ADMIN &&
			    staff_works_queue(s, queue) :
			    s->role == STAFF_ADMIN;
			if (take)
				g_ptr_array_add(a, g_strdup(s->address));
		}
	return a;
}
