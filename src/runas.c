/*
 * runas: become the owner of the state directory when started as root.
 */
#include "pdconfig.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "runas.h"

static bool
fail(GError **err, const char *what, const char *who)
{
	int	 saved = errno;

	g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(saved),
	    "cannot become %s (the state directory's owner): %s: %s", who,
	    what, g_strerror(saved));
	return false;
}

bool
runas_state_owner(const char *store_path, const char **dropped_to,
    GError **err)
{
	static char	 name[64];
	struct stat	 st;
	struct passwd	*pw;
	char		*dir;
	gid_t		 gid;
	int		 rc;

	if (dropped_to != NULL)
		*dropped_to = NULL;
	if (geteuid() != 0 || store_path == NULL)
		return true;
	dir = g_path_get_dirname(store_path);
	rc = stat(dir, &st);
	g_free(dir);
	if (rc == -1 || st.st_uid == 0)
		return true;
	pw = getpwuid(st.st_uid);
	if (pw != NULL)
		g_strlcpy(name, pw->pw_name, sizeof name);
	else
		g_snprintf(name, sizeof name, "uid %u", (unsigned)st.st_uid);
	/* Groups first: after setuid() they can no longer be changed. */
	gid = pw != NULL ? pw->pw_gid : st.st_gid;
	if (pw != NULL ? initgroups(pw->pw_name, gid) == -1 :
	    setgroups(0, NULL) == -1)
		return fail(err, "setgroups", name);
	if (setgid(gid) == -1)
		return fail(err, "setgid", name);
	if (setuid(st.st_uid) == -1)
		return fail(err, "setuid", name);
	if (dropped_to != NULL)
		*dropped_to = name;
	return true;
}

char *
runas_describe_self(void)
{
	uid_t		 uid = geteuid();
	struct passwd	*pw = getpwuid(uid);

	return g_strdup_printf("%s (uid %u, gid %u)", pw != NULL ?
	    pw->pw_name : "?", (unsigned)uid, (unsigned)getegid());
}
