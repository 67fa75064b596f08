/*
 * store-priv: what store.c shares with its suffix files (store_*.c).
 * Nothing outside the store module includes this header.
 */
#ifndef POSTDESK_STORE_PRIV_H
#define POSTDESK_STORE_PRIV_H

#include "db.h"

#include "store.h"

/* The columns store_ticket_from_row() reads, for a table aliased t. */
#define STORE_TICKET_COLS \
	"t.id, t.subject, t.status, t.queue, t.priority, t.hotrush, " \
	"t.requester, t.owner, t.linked_to, t.created, t.updated, " \
	"(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id), " \
	"t.priority_rank"

struct store {
	struct db	*db;
	GHashTable	*stmts;		/* SQL text pointer → struct db_stmt */
	enum store_mode	 mode;
	int		 busy_ms;	/* busy timeout, from the first statement */
	char		*org_view;	/* JSON array of the roles that see
					   their organization's tickets
					   (store_web_set_org_view()); NULL:
					   every role */
};

/* The cached, reset statement for SQL (a string literal), or NULL+err. */
struct db_stmt	*store_stmt(struct store *, const char *sql, GError **err);
/* Fills err from the connection's last error; returns false. */
bool		 store_fail(struct store *, int rc, GError **err);
/* Runs a statement to completion (no rows expected). */
bool		 store_step_done(struct store *, struct db_stmt *, GError **err);
char		*store_col_text(struct db_stmt *, int col);	/* g_free */
/* Steps ST once and resets it: *found says whether a row came. */
bool		 store_step_found(struct store *, struct db_stmt *, bool *found,
		    GError **err);
/* Steps ST once and resets it: *found says whether a row came, and if
 * so *out holds its first column. */
bool		 store_step_int64(struct store *, struct db_stmt *, int64_t *out,
		    bool *found, GError **err);
/* Turns the current row into a new element. */
typedef gpointer (*store_row_fn)(struct db_stmt *);
/* A row's first column as a new int64_t (g_free): a list of ids. */
gpointer	 store_row_int64(struct db_stmt *);
/* Steps ST to the end, one element per row, into a new *out that frees
 * its elements with FREE_FN.  Resets ST; on failure *out is untouched. */
bool		 store_collect(struct store *, struct db_stmt *, store_row_fn,
		    GDestroyNotify free_fn, GPtrArray **out, GError **err);
/* Steps ST once: *out = ROW(st), or STORE_ERROR_NOTFOUND naming WHAT. */
bool		 store_get_one(struct store *, struct db_stmt *, store_row_fn,
		    gpointer *out, const char *what, GError **err);
void		 store_bind_text(struct db_stmt *, int idx, const char *s);
/* A struct ticket from a row whose first 12 columns are TICKET_COLS. */
struct ticket	*store_ticket_from_row(struct db_stmt *);

#endif
