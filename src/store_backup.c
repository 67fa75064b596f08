/*
 * store_backup: an online, consistent copy of the live database through
 * SQLite's backup API (store.h, store_backup()).
 *
 * The copy is one snapshot: a read transaction is held on the source
 * for the whole copy, so writers (postdesk-ingest, notify, tick) go on
 * in WAL mode and the backup never restarts because of them; the pages
 * are copied in steps of BACKUP_PAGES so one step stays short.  The copy
 * is written to FILE.tmp (created 0600, O_EXCL), checked, fsync'ed and
 * renamed over FILE, and the directory is fsync'ed: FILE is either the
 * old file or the whole new copy, never half of one.
 */
#include "pdconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db_sqlite.h"
#include "store-priv.h"

/* The live database's sqlite3 handle (store_backup() checked it). */
#define LIVE(s)	db_sqlite_handle((s)->db)

#define BACKUP_PAGES	1024	/* pages per step: 4 MB at 4 KB a page */
#define BACKUP_NAP_MS	20	/* first wait after BUSY, doubled to ... */
#define BACKUP_NAP_MAX	500	/* ... at most this */

static bool
backup_io(GError **err, const char *what, const char *path)
{
	int	 e = errno;

	g_set_error(err, STORE_ERROR, STORE_ERROR_IO, "%s %s: %s", what, path,
	    g_strerror(e));
	return false;
}

/* Same file as PATH (when PATH exists)? */
static bool
same_file(const struct stat *st, const char *path)
{
	struct stat	 o;

	return stat(path, &o) == 0 && o.st_dev == st->st_dev &&
	    o.st_ino == st->st_ino;
}

/* PATH with its directory resolved (PATH itself need not exist). */
static char *
canonical(const char *path)
{
	char	*dir = g_path_get_dirname(path), *base, *real, *out;

	real = realpath(dir, NULL);
	base = g_path_get_basename(path);
	out = g_build_filename(real != NULL ? real : dir, base, NULL);
	free(real);
	g_free(dir);
	g_free(base);
	return out;
}

/*
 * Refuses a destination that is the live database or one of its -wal,
 * -shm or -journal files: overwriting any of them destroys the store.
 */
static bool
check_dest(struct store *s, const char *dest, const char *tmp,
    GError **err)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	const char	*live = sqlite3_db_filename(LIVE(s), "main");
	char		*cd = canonical(dest), *ct = canonical(tmp);
	struct stat	 st;
	size_t		 i;
	bool		 clash = false;

	for (i = 0; live != NULL && !clash && i < G_N_ELEMENTS(sfx); i++) {
		char	*p = g_strconcat(live, sfx[i], NULL);

		clash = strcmp(p, cd) == 0 || strcmp(p, ct) == 0 ||
		    (stat(p, &st) == 0 && (same_file(&st, dest) ||
		    same_file(&st, tmp)));
		g_free(p);
	}
	g_free(cd);
	g_free(ct);
	if (clash)
		g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER, "%s: is the "
		    "live database (or one of its files); back up to another "
		    "file", dest);
	return !clash;
}

/* An empty FILE.tmp that only we can read: a backup holds all mail. */
static bool
create_tmp(const char *tmp, GError **err)
{
	int	 fd;

	if (unlink(tmp) != 0 && errno != ENOENT)
		return backup_io(err, "cannot remove the stale", tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return backup_io(err, "cannot create", tmp);
	close(fd);
	return true;
}

static bool
fsync_path(const char *path, int flags, GError **err)
{
	int	 fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		return backup_io(err, "cannot open", path);
	if (fsync(fd) != 0) {
		close(fd);
		return backup_io(err, "cannot fsync", path);
	}
	close(fd);
	return true;
}

static bool
dest_fail(sqlite3 *d, int rc, const char *tmp, GError **err)
{
	g_set_error(err, STORE_ERROR, (rc & 0xff) == SQLITE_FULL ||
	    (rc & 0xff) == SQLITE_IOERR ? STORE_ERROR_IO : STORE_ERROR_OTHER,
	    "%s: %s", tmp, d != NULL ? sqlite3_errmsg(d) : sqlite3_errstr(rc));
	return false;
}

/*
 * The copy itself: steps until done, waiting out BUSY/LOCKED (a
 * checkpoint or WAL recovery) with a growing nap until TIMEOUT_MS pass
 * without progress.
 */
static bool
copy_pages(struct store *s, sqlite3 *d, int timeout_ms, int *pages,
    GError **err)
{
	sqlite3_backup	*b = sqlite3_backup_init(d, "main", LIVE(s), "main");
	int		 rc, nap = BACKUP_NAP_MS, waited = 0;

	if (b == NULL)
		return dest_fail(d, sqlite3_errcode(d), "backup", err);
	do {
		rc = sqlite3_backup_step(b, BACKUP_PAGES);
		if ((rc & 0xff) == SQLITE_BUSY ||
		    (rc & 0xff) == SQLITE_LOCKED) {
			if (waited >= timeout_ms)
				break;
			sqlite3_sleep(nap);
			waited += nap;
			nap = MIN(nap * 2, BACKUP_NAP_MAX);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_OK) {
			waited = 0;
			nap = BACKUP_NAP_MS;
		}
	} while (rc == SQLITE_OK);
	*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		return true;
	g_set_error(err, STORE_ERROR, (rc & 0xff) == SQLITE_BUSY ||
	    (rc & 0xff) == SQLITE_LOCKED ? STORE_ERROR_BUSY : STORE_ERROR_IO,
	    "backup: %s", sqlite3_errstr(rc));
	return false;
}

/* The copy reads back as a sound database. */
static bool
quick_check(sqlite3 *d, const char *tmp, GError **err)
{
	sqlite3_stmt	*st;
	const char	*r;
	bool		 ok;
	int		 rc;

	rc = sqlite3_prepare_v2(d, "PRAGMA quick_check", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return dest_fail(d, rc, tmp, err);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	ok = r != NULL && strcmp(r, "ok") == 0;
	if (!ok)
		g_set_error(err, STORE_ERROR, STORE_ERROR_CORRUPT,
		    "%s: the copy fails PRAGMA quick_check: %s", tmp,
		    r != NULL ? r : sqlite3_errmsg(d));
	sqlite3_finalize(st);
	return ok;
}

/* Opens TMP, copies into it under one source snapshot, checks it. */
static bool
backup_into(struct store *s, const char *tmp, int timeout_ms, int *pages,
    GError **err)
{
	sqlite3		*d = NULL;
	bool		 ok;
	int		 rc;

	rc = sqlite3_open_v2(tmp, &d, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		ok = dest_fail(d, rc, tmp, err);
		sqlite3_close_v2(d);
		return ok;
	}
	sqlite3_busy_timeout(d, timeout_ms);
	/* The snapshot: a read transaction held across all the steps. */
	ok = sqlite3_exec(LIVE(s), "BEGIN DEFERRED; "
	    "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) ==
	    SQLITE_OK || store_fail(s, sqlite3_errcode(LIVE(s)), err);
	ok = ok && copy_pages(s, d, timeout_ms, pages, err);
	if (!sqlite3_get_autocommit(LIVE(s)))
		(void)sqlite3_exec(LIVE(s), "COMMIT", NULL, NULL, NULL);
	ok = ok && quick_check(d, tmp, err);
	rc = sqlite3_close_v2(d);
	return ok && (rc == SQLITE_OK || dest_fail(NULL, rc, tmp, err));
}

bool
store_backup(struct store *s, const char *dest, int timeout_ms,
    int64_t *pages, GError **err)
{
	char	*tmp, *dir;
	int	 n = 0;
	bool	 ok;

	g_return_val_if_fail(s != NULL && dest != NULL, false);
	if (LIVE(s) == NULL) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_OTHER,
		    "backup: the store is on %s, not SQLite: back it up "
		    "with that server's tools", db_backend_name(s->db));
		return false;
	}
	tmp = g_strconcat(dest, ".tmp", NULL);
	dir = g_path_get_dirname(dest);
	ok = check_dest(s, dest, tmp, err) && create_tmp(tmp, err);
	if (ok && !backup_into(s, tmp, timeout_ms, &n, err)) {
		(void)unlink(tmp);
		ok = false;
	}
	ok = ok && fsync_path(tmp, O_RDONLY, err);
	if (ok && rename(tmp, dest) != 0) {
		ok = backup_io(err, "cannot rename to", dest);
		(void)unlink(tmp);
	}
	ok = ok && fsync_path(dir, O_RDONLY | O_DIRECTORY, err);
	if (ok && pages != NULL)
		*pages = n;
	g_free(tmp);
	g_free(dir);
	return ok;
}

#ifdef HAVE_POSTGRESQL
/*
 * PostgreSQL has its own consistent online copy, pg_dump (one
 * snapshot, writers go on): the store names it rather than copying.
 * The connection string goes without its password: pg_dump finds that
 * in ~/.pgpass, PGPASSFILE or PGPASSWORD, as psql does.
 */
char *
store_pg_dump_command(const char *conninfo, const char *file)
{
	char	*pub = db_pg_conninfo_public(conninfo), *qc, *qf, *cmd;

	if (pub == NULL)
		return NULL;
	qc = g_shell_quote(pub);
	qf = g_shell_quote(file);
	cmd = g_strdup_printf("pg_dump --format=custom --file=%s "
	    "--dbname=%s", qf, qc);
	g_free(pub);
	g_free(qc);
	g_free(qf);
	return cmd;
}
#endif
