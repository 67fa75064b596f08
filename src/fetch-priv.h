/*
 * fetch-priv: what fetch.c shares with fetch_imap.c, fetch_pop3.c and
 * fetch_local.c.  Nothing outside the fetch module includes this.
 */
#ifndef POSTDESK_FETCH_PRIV_H
#define POSTDESK_FETCH_PRIV_H

#include <libetpan/libetpan.h>

#include "fetch.h"
#include "intake.h"

struct fetch_source {
	const struct fetch_url	 *url;
	const struct fetch_options *o;
	struct intake		 *in;
	mailimap		 *imap;		/* while connected */
	bool			  has_idle;
	bool			  has_move;
	bool			  has_uidplus;
};

/*
 * Takes one message into the open batch and records its item as STATE
 * ("pending" or "done"; NULL: no item, an old failure is forgotten); a
 * message intake refuses is recorded "failed" for the next pass.  False
 * only for a store error that ends the pass.
 */
bool	 fetch_take(struct fetch_source *, int64_t uidvalidity,
	    const char *uid, const char *raw, size_t len, const char *state,
	    struct fetch_stats *, GError **err);
/* The debug stop point: ends the process if STEP is the one asked for. */
void	 fetch_maybe_stop(const struct fetch_source *, const char *step);
int64_t	 fetch_now(void);

bool	 fetch_imap_pass(struct fetch_source *, bool keep,
	    struct fetch_stats *, GError **err);
bool	 fetch_imap_idle(struct fetch_source *, int seconds, GError **err);
void	 fetch_imap_close(struct fetch_source *);
bool	 fetch_pop3_pass(struct fetch_source *, struct fetch_stats *,
	    GError **err);
bool	 fetch_maildir_pass(struct fetch_source *, struct fetch_stats *,
	    GError **err);
bool	 fetch_mbox_pass(struct fetch_source *, struct fetch_stats *,
	    GError **err);

#endif
