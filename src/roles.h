/*
 * roles: organization member roles and the rights each grants, as
 * configuration ([roles] in postdesk.conf, postdesk.conf(5)).
 *
 *	[roles]
 *	primary = all
 *	advanced = create;comment;rate;view
 *	secondary = create;comment;rate;view
 *
 * The rights are policy.h's (create, comment, rate, view,
 * manage-members); "all" is every right, "none" or an empty value no
 * right.  The built-in set is X-Cart's vocabulary above, where a
 * secondary member has full access to the Communication Center and
 * only the primary member manages members; a [roles] group that names
 * a role replaces it as a whole.  The last role listed is the one "Member: add ADDR"
 * gives when no role is named.  A role the store knows but the
 * configuration no longer lists grants nothing.
 *
 * The decisions stay in policy.c: this module only says which rights a
 * role has.  Error contract: roles_from_keyfile() returns false with
 * err in CONFIG_ERROR ("FILE:LINE: [roles] KEY: reason"); the rest
 * cannot fail.  Ownership: free with roles_free() (NULL allowed);
 * returned strings are borrowed.
 */
#ifndef POSTDESK_ROLES_H
#define POSTDESK_ROLES_H

#include <stdbool.h>

#include <glib.h>

struct roles;

struct roles	*roles_new_default(void);
/* The [roles] group of KF; PATH and TEXT only for messages. */
bool		 roles_from_keyfile(struct roles **out, GKeyFile *kf,
		    const char *path, const char *text, GError **err);
void		 roles_free(struct roles *);

/* True if ROLE (any case) is configured. */
bool		 roles_known(const struct roles *, const char *role);
/* ROLE's rights, bits 1u << enum policy_right; 0 for unknown roles. */
unsigned	 roles_rights(const struct roles *, const char *role);
/* The configured spelling of ROLE, or NULL if unknown. */
const char	*roles_name(const struct roles *, const char *role);
/* The configured role names, in order, NULL-terminated.  Borrowed
 * pointers in a new array: g_free the array only. */
const char	**roles_names(const struct roles *);
/* The role "Member: add" gives by default (the last listed). */
const char	*roles_default(const struct roles *);
/* "primary, advanced, secondary", for messages.  g_free. */
char		*roles_list_text(const struct roles *);
/* "create, comment, rate, view" (or "none"), for messages.  g_free. */
char		*roles_rights_text(unsigned rights);

#endif
