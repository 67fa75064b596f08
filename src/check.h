/*
 * check: the findings of "postdesk check" (cli_check.c), one problem per
 * line, and the checks that need no database.
 *
 * Each check appends struct check_problem elements to a GPtrArray made
 * by check_problems_new(); nothing is printed or logged here.  The pure
 * checks (keys, URL, addresses, permissions) read only their arguments;
 * check_templates() reads the template directory.  Problem strings are
 * owned by the array.
 */
#ifndef POSTDESK_CHECK_H
#define POSTDESK_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <glib.h>

#include "config.h"

/*
 * Secrets are HMAC-SHA256 keys.  RFC 2104 asks for at least the hash's
 * output length, 32 bytes; the package generates 32 random bytes (44
 * characters of base64).  The key is used as written, so 32 characters
 * is the floor; fewer than CHECK_KEY_DISTINCT different characters is a
 * placeholder, not a random key.
 */
#define CHECK_KEY_MIN		32
#define CHECK_KEY_DISTINCT	8

struct check_problem {
	char	*area;		/* "store", "templates", "rules", ... */
	char	*message;
};

GPtrArray *check_problems_new(void);
void	 check_add(GPtrArray *, const char *area, const char *fmt, ...)
	    G_GNUC_PRINTF(3, 4);

/* KEY (NULL: not set) is the secret NAME ("[mail] token_key"). */
void	 check_key(GPtrArray *, const char *name, const char *key);
/* [web] base_url: set, an absolute http:// or https:// URL with a host. */
void	 check_base_url(GPtrArray *, const char *url);
/*
 * [mail] address is the root of support+TOKEN@ and bounces+N@: its
 * local part may hold no '+' and may not be the VERP local part; the
 * host is set; own_addresses are addresses; no staff address counts
 * as our own (staff mail would be ignored as a loop).
 */
void	 check_addresses(GPtrArray *, const struct config *);
/* "staff": a [staff] address that grants nothing because the store
 * has staff accounts and it is none of them (staff.h). */
struct staff_dir;
void	 check_staff(GPtrArray *, const struct config *,
	    const struct staff_dir *);

/*
 * May a process of UID with the groups GROUPS[N] (its primary group
 * among them) do WANT (R_OK, W_OK, X_OK or'ed) to a file with ST, by
 * the mode bits?  Root may do anything but execute a file no one may.
 */
bool	 check_may(const struct stat *st, uid_t uid, const gid_t *groups,
	    size_t n, int want);
/* "rw-" style text of WANT for messages ("write", "read and write"). */
const char *check_want_to_text(int want);

/*
 * The mail templates every kind of outgoing mail needs, in every
 * language shipped in DIR/mail (NAME.LANG.txt), and the web pages in
 * DIR/web: each found (template_find()) and each parses.  A file under
 * DIR/mail/QUEUE/ must parse as well.
 */
void	 check_templates(GPtrArray *, const char *dir);
/* The brands' own templates ([queue.NAME] templates) parse. */
void	 check_queue_templates(GPtrArray *, const struct config *);
/* The kinds, NULL-terminated (for tests and the man page). */
extern const char *const check_mail_kinds[];
extern const char *const check_web_pages[];

#endif
