/*
 * outbox: which mail a change causes, written as outbox rows in the
 * caller's transaction (the transactional outbox of DESIGN.md), and the
 * RFC 3834 rules that keep automatic mail from looping.
 *
 * Nothing here sends or renders: postdesk-notify does that later.  This
 * module needs neither json-glib nor libcurl, so postdesk-ingest links
 * it freely.
 *
 * Error contract: functions returning bool fill a GError from the store;
 * the caller rolls its transaction back.  outbox_auto_refusal() and
 * outbox_is_own_loop() cannot fail.
 */
#ifndef POSTDESK_OUTBOX_H
#define POSTDESK_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "config.h"
#include "mail.h"
#include "store.h"

/* Outbox kinds: what the row is, and so which headers it gets. */
#define OUTBOX_ACK	"ack"		/* acknowledgement: auto-replied */
#define OUTBOX_STAFF	"staff"		/* staff notification: auto-generated */
#define OUTBOX_REPLY	"reply"		/* a staff reply: written by a human */
#define OUTBOX_COMMENT	"comment"	/* internal note to staff */
#define OUTBOX_NOTICE	"notice"	/* lifecycle notices: auto-generated */

/* The header marking our own mail; its value is [mail] host. */
#define OUTBOX_LOOP_HEADER "X-Postdesk-Loop"

/* One row for RECIPIENT, due now.  *id (may be NULL) gets its id.  A
 * contact's confirmed notification address replaces hers. */
bool	 outbox_enqueue(struct store *, int64_t ticket, int64_t message_row,
	    const char *kind, const char *template_name,
	    const char *recipient, int64_t now, int64_t *id, GError **err);
/* A notice to RECIPIENT exactly, never redirected: the mails of an
 * address change (account.h). */
bool	 outbox_enqueue_exact(struct store *, int64_t ticket,
	    int64_t message_row, const char *template_name,
	    const char *recipient, int64_t now, GError **err);
/* *WHY is set when ADDR had [mail] auto_reply_limit automatic answers
 * in the last hour (left alone otherwise). */
bool	 outbox_auto_reply_limited(struct store *, const struct config *,
	    const char *addr, int64_t now, const char **why, GError **err);
/* An automatic answer (auto-replied) to SENDER exactly, the address
 * that wrote (RFC 3834 section 3.1.3), never redirected. */
bool	 outbox_enqueue_answer(struct store *, int64_t ticket,
	    int64_t message_row, const char *template_name,
	    const char *sender, int64_t now, GError **err);
/*
 * A notice about a message that was not taken in and sits in quarantine
 * row QUARANTINE_ID (the refusal of a view-only member's mail).  TICKET
 * is the ticket the message named, or 0: postdesk-notify renders a
 * ticket-less row from the quarantined message alone.
 */
bool	 outbox_enqueue_quarantined(struct store *, int64_t ticket,
	    int64_t quarantine_id, const char *kind,
	    const char *template_name, const char *recipient, int64_t now,
	    GError **err);
/* One row per address in RECIPIENTS (char *), skipping EXCEPT (may be
 * NULL) and duplicates. */
bool	 outbox_enqueue_all(struct store *, int64_t ticket,
	    int64_t message_row, const char *kind, const char *template_name,
	    GPtrArray *recipients, const char *except, int64_t now,
	    GError **err);

/*
 * Why automatic mail must not go to the sender of M (RFC 3834 and our
 * own loop header), as a short reason, or NULL if it may.  SENDER is the
 * envelope sender ("" or "<>" for a bounce; NULL if unknown).
 */
const char *outbox_auto_refusal(const struct config *, const struct mail *m,
	    const char *sender);
/* True if M carries our X-Postdesk-Loop: our own mail came back. */
bool	 outbox_is_own_loop(const struct config *, const struct mail *m);

/*
 * The mail a stored message causes: for a new ticket an acknowledgement
 * to the requester (unless refused or over [notify] auto_reply_limit
 * this hour) and a staff notification; for a customer reply a staff
 * notification.  Refusals are recorded as events on the ticket.
 * NO_REPLY (may be NULL) says why no acknowledgement may go out at all
 * (a forged sender, postdesk-auth(5)).  STAFF_SENDER: the sender is
 * staff by the permission table, and the life cycle mails the rest.
 */
bool	 outbox_after_intake(struct store *, const struct config *,
	    const struct mail *m, const char *sender, int64_t ticket,
	    int64_t message_row, bool new_ticket, const char *no_reply,
	    bool staff_sender, int64_t now, GError **err);

/*
 * Who of the staff gets a notice about TICKET written by AUTHOR (may
 * be NULL): staff_notice_recipients() of its queue, owner and writers
 * (staff.h).  *out: addresses, g_ptr_array_free.
 */
bool	 outbox_staff_audience(struct store *, const struct config *,
	    int64_t ticket, const char *author, GPtrArray **out,
	    GError **err);

/*
 * A message written by staff (postdesk reply/comment, later staff
 * mail): stored as an outbound message with its attachments, plus one
 * outbox row per recipient, all sending the same composed bytes.  A
 * reply goes to the requester and CCs (bounced addresses left out); an
 * internal note (INTERNAL) only to the staff, never to customers.
 * Runs in the caller's transaction; *row gets the message row.  Fails
 * with STORE_ERROR_NOTFOUND for an unknown ticket.
 */
struct outbox_staff_message {
	const char	*from_addr;
	const char	*from_name;	/* may be NULL */
	const char	*text;
	GPtrArray	*attachments;	/* of struct compose_attachment */
	bool		 internal;
};

bool	 outbox_staff_message(struct store *, const struct config *,
	    int64_t ticket, const struct outbox_staff_message *, int64_t now,
	    int64_t *row, GError **err);

#endif
