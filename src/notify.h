/*
 * notify: what postdesk-notify does with one claimed outbox row.
 *
 * notify_prepare() turns the row into bytes to send: on the first
 * attempt it renders the row's template (template.h) with the ticket
 * and message, composes the mail (compose.h) and stores it as an
 * outbound message (direction "out") with its raw bytes, so every later
 * attempt sends exactly the same bytes and a reply threads by its
 * Message-ID.  notify_record() writes the outcome of one attempt: the
 * row's new status and an event on the ticket, in one transaction.
 *
 * Error contract: bool + GError.  A failure of notify_prepare() with
 * NOTIFY_ERROR_DATA is permanent for that row (nobody to send to);
 * NOTIFY_ERROR_TEMPLATE (no template file in [templates] dir/mail) is
 * the site's configuration, not the row's: the caller leaves the row
 * pending and exits 78.  A STORE_ERROR may be transient.
 * notify_record() fails with NOTIFY_ERROR_LEASE, having written
 * nothing, if the row's lease ran out and another claim has it.
 */
#ifndef POSTDESK_NOTIFY_H
#define POSTDESK_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "store.h"

#define NOTIFY_ERROR (notify_error_quark())
enum notify_error_code {
	NOTIFY_ERROR_TEMPLATE,
	NOTIFY_ERROR_DATA,
	NOTIFY_ERROR_LEASE	/* the row is no longer ours: not recorded */
};

enum notify_outcome {
	NOTIFY_SENT,
	NOTIFY_TEMPFAIL,	/* retried with backoff up to max_attempts */
	NOTIFY_PERMFAIL,
	NOTIFY_SKIPPED,		/* not sent: her notifications are off */
	NOTIFY_OUTCOME__MAX
};

struct notify_mail {
	GBytes	*raw;		/* LF line ends */
	char	*envelope_from;	/* VERP address */
	char	*recipient;
};

GQuark	 notify_error_quark(void);

bool	 notify_prepare(struct store *, const struct config *,
	    const struct outbox_row *, struct notify_mail *out, GError **err);
void	 notify_mail_clear(struct notify_mail *);

/*
 * Notifications: off (account.h) silences the optional mail: the
 * automatic notices about her tickets (kinds "ack" and "notice": the
 * acknowledgement, pre-closed, closed, follow-up and rating-request
 * notices, a site's own notice templates).  She still gets what she
 * must: a staff member's answer (kind "reply"), the mails of an
 * address change (address-confirm, address-changed), her invitation
 * with its sign-in link (member-invitation), and every refusal or
 * answer to what she asked (command-transcript, view-only-refusal,
 * portal-only, out-of-scope, any row about a quarantined message).
 * Staff notices follow the staff's own [staff] notify setting.
 */
bool	 notify_is_optional(const struct outbox_row *);
/* Does R go unsent because the contact it is for switched her
 * notifications off?  *why (static) then says so for the row. */
bool	 notify_muted(struct store *, const struct outbox_row *r,
	    bool *muted, const char **why, GError **err);

/* Seconds until the next attempt after ATTEMPTS failed ones. */
int64_t	 notify_backoff(const struct config *, int64_t attempts);

/*
 * Seconds a claim holds without renewal: one message's [notify] timeout,
 * one wait for the database lock ([store] busy_timeout), and 20 s to
 * spare.  90 s with the defaults.  The sender renews it once less than
 * NOTIFY_LEASE_SPARE seconds beyond a message and a lock wait are left.
 */
#define NOTIFY_LEASE_SPARE	10
int64_t	 notify_lease(const struct config *);

/* Records the outcome of the attempt at R (counted in r->attempts
 * + 1) and its event, if R's lease still holds. */
bool	 notify_record(struct store *, const struct config *,
	    const struct outbox_row *, enum notify_outcome, const char *reply,
	    int64_t now, GError **err);

#endif
