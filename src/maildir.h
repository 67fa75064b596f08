/*
 * maildir: list, read and flag the messages of one Maildir folder.
 *
 * A folder is a directory with cur/ and new/ (tmp/ holds deliveries in
 * progress and is never read).  Messages are listed in name order, which
 * for the usual "time.unique.host" names is delivery order.  Flags follow
 * the ":2,FLAGS" convention; S is "seen".  Maildir++ subfolders (.Name)
 * are separate folders: name them one by one.
 *
 * Error contract: functions return false with err set (G_FILE_ERROR or
 * G_IO_ERROR) when the file system says no.  Lists are GPtrArrays that
 * free their struct maildir_entry elements.
 */
#ifndef POSTDESK_MAILDIR_H
#define POSTDESK_MAILDIR_H

#include <stdbool.h>

#include <glib.h>

struct maildir_entry {
	char	*path;		/* full path of the file */
	char	*key;		/* unique name without the :2, flags */
	bool	 seen;		/* S flag */
	bool	 in_new;	/* still in new/ */
};

/* Lists DIR's messages; with UNSEEN_ONLY those without the S flag. */
bool	 maildir_list(const char *dir, bool unseen_only, GPtrArray **out,
	    GError **err);
/* Moves the message to cur/ with the S flag added (after commit). */
bool	 maildir_mark_seen(const char *dir, const struct maildir_entry *,
	    GError **err);
bool	 maildir_remove(const struct maildir_entry *, GError **err);
void	 maildir_entry_free(struct maildir_entry *);

#endif
