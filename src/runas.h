/*
 * runas: the permission model's process side (postdesk.8, PERMISSIONS).
 *
 * The state directory (by default /var/lib/postdesk, mode 2770, owned
 * postdesk:postdesk) belongs to the postdesk user; everything in it must
 * stay writable by that user and its group.  A program started as root
 * (an admin's "postdesk init", cron, a unit without User=) becomes the
 * directory's owner before it opens the store, so it creates nothing
 * root-owned there.  Dropping is the whole change: the store is opened
 * exactly as the postdesk user would open it, so what works as root
 * works in production and vice versa.
 *
 * Error contract: bool + GError (G_FILE_ERROR); nothing is logged here.
 */
#ifndef POSTDESK_RUNAS_H
#define POSTDESK_RUNAS_H

#include <stdbool.h>

#include <glib.h>

/*
 * If the effective user is root and the directory holding STORE_PATH is
 * owned by another user, switches the process to that user: its groups
 * (initgroups) and primary group, or the directory's group if the owner
 * has no passwd entry, then its uid.  *DROPPED_TO (may be NULL) gets the
 * user name (borrowed from a static buffer) or NULL when nothing
 * changed.  A directory that does not exist, or is owned by root, leaves
 * the process as it is.  False only when the switch itself fails.
 */
bool	 runas_state_owner(const char *store_path, const char **dropped_to,
	    GError **err);

/* "postdesk (uid 998, gid 998)": who the process runs as, for error
 * messages.  Free with g_free(). */
char	*runas_describe_self(void);

#endif
