/*
 * store: every byte postdesk keeps, in one SQLite database.
 *
 * This module (store.c and its store_*.c suffix files) is the only code
 * that speaks SQL; every statement is prepared once per connection with
 * bound parameters.  The schema is versioned by PRAGMA user_version and
 * migrated forward on open.
 *
 * Error contract: functions returning bool fill a GError in STORE_ERROR;
 * store_error_is_transient() tells a caller whether retrying later can
 * help (busy, locked, read-only, disk full, I/O) — postdesk-ingest maps
 * that to EX_TEMPFAIL.  Returned structs are owned by the caller and freed
 * with the matching _free(); returned GPtrArrays free their elements.
 */
#ifndef POSTDESK_STORE_H
#define POSTDESK_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define STORE_ERROR (store_error_quark())
enum store_error_code {
	STORE_ERROR_BUSY,	/* locked by another process: retry */
	STORE_ERROR_IO,		/* disk I/O, disk full, read-only: retry */
	STORE_ERROR_NOTFOUND,
	STORE_ERROR_CORRUPT,
	STORE_ERROR_SCHEMA,	/* database newer than this program */
	STORE_ERROR_CONSTRAINT,
	STORE_ERROR_OTHER
};

enum store_mode { STORE_READONLY, STORE_READWRITE };

#define STORE_SCHEMA_VERSION	21

/* A message whose text or stripped text is longer than this many
 * characters also keeps the first this many of each in message_heads,
 * so that a page showing its start never reads the whole value
 * (store_thread_head()). */
#define STORE_MESSAGE_HEAD	1048576
#define STORE_MESSAGE_HEAD_SQL	"1048576"

struct store;

struct ticket {
	int64_t	 id;
	char	*subject;
	char	*status;
	char	*queue;
	char	*priority;	/* a configured name (lifecycle.h) */
	int	 priority_rank;	/* its rank, 0 = highest; with priority
				   NULL, insert takes "normal", 1 */
	bool	 hotrush;
	char	*requester;
	char	*owner;		/* NULL if unassigned */
	int64_t	 linked_to;	/* 0 if none */
	int64_t	 created;	/* unix seconds */
	int64_t	 updated;
	int64_t	 n_messages;	/* filled by list/get */
};

struct message {
	int64_t	 id;
	int64_t	 ticket_id;
	bool	 outbound;
	bool	 internal;	/* staff comment, never mailed out */
	char	*message_id;	/* without angle brackets */
	char	*in_reply_to;
	char	*references;	/* space separated, without brackets */
	char	*from_addr;
	char	*from_name;
	char	*to_addrs;	/* comma separated */
	char	*cc_addrs;
	char	*envelope_from;
	char	*envelope_to;
	char	*client_ip;
	char	*subject;
	int64_t	 date;		/* Date: header, unix seconds, 0 if none */
	int64_t	 received;
	char	*text;		/* full decoded text */
	char	*stripped;	/* new text without quoted history */
	char	*body_hash;	/* hex SHA-256 of the raw body */
	char	*raw_sha256;	/* blob of the raw message */
	char	*spf;		/* NULL until authentication runs */
	char	*auth_verdict;	/* identity_final_to_text(), or NULL */
	char	*auth;		/* identity_to_text(), or NULL */
};

struct attachment {
	int64_t	 id;
	int64_t	 message_row;
	char	*filename;
	char	*content_type;
	char	*disposition;	/* attachment / inline */
	char	*content_id;
	int64_t	 size;
	char	*sha256;
};

struct event {
	int64_t	 id;
	int64_t	 ticket_id;
	int64_t	 message_row;	/* 0 if none */
	int64_t	 at;
	char	*actor;
	char	*kind;
	char	*detail;
};

struct quarantine_entry {
	int64_t	 id;
	int64_t	 received;
	char	*reason;
	char	*raw_sha256;
	int64_t	 size;
	char	*envelope_from;
	char	*envelope_to;
	char	*client_ip;
	int64_t	 replayed_as;	/* message row, 0 if not replayed */
};

struct ticket_filter {
	const char	*status;	/* NULL: any */
	const char	*queue;
	int64_t		 limit;		/* 0: no limit */
	int64_t		 offset;
};

GQuark	 store_error_quark(void);
bool	 store_error_is_transient(const GError *);

/* [store] busy_timeout's default, in milliseconds. */
#define STORE_BUSY_TIMEOUT_DEFAULT	10000

/* Opens (and in READWRITE mode creates and migrates) the database,
 * waiting STORE_BUSY_TIMEOUT_DEFAULT for another writer's lock. */
bool	 store_open(struct store **out, const char *path, enum store_mode,
	    GError **err);
/* The same, waiting BUSY_MS (the configured busy_timeout) from the
 * first statement on: opening, migrating and all that follows. */
bool	 store_open_busy(struct store **out, const char *path,
	    enum store_mode, int busy_ms, GError **err);
void	 store_close(struct store *);
/* How long to wait for another writer before STORE_ERROR_BUSY. */
void	 store_set_busy_timeout(struct store *, int ms);
int	 store_schema_version(struct store *);

/* BEGIN IMMEDIATE: takes the write lock now so a busy DB fails early. */
bool	 store_begin(struct store *, GError **err);
bool	 store_commit(struct store *, GError **err);
void	 store_rollback(struct store *);
/* Tunes the connection for large batches (imports, fetch): more cache. */
bool	 store_bulk(struct store *, GError **err);
/* A nested unit inside a transaction (intake's batch mode): released
 * into the transaction, or rolled back alone. */
bool	 store_savepoint(struct store *, GError **err);
bool	 store_release(struct store *, GError **err);
void	 store_rollback_savepoint(struct store *);

/*
 * Online backup (store_backup.c): a consistent copy of the whole
 * database, one snapshot, while other processes write, into DEST via
 * DEST.tmp (mode 0600), fsync'ed and renamed.  Refuses DEST when it is
 * the live database or one of its -wal/-shm/-journal files.  Waits out
 * BUSY/LOCKED until TIMEOUT_MS pass without progress.  *pages (may be
 * NULL) gets the number of pages copied.
 */
bool	 store_backup(struct store *, const char *dest, int timeout_ms,
	    int64_t *pages, GError **err);

/*
 * Migration (store_migrate.c, postdesk migrate): a copy of every table
 * of a store into another, empty one with the same schema version (a
 * SQLite store into PostgreSQL), ids kept, each identity sequence set
 * past the largest id.  The source is read under one snapshot; each
 * table is one transaction on the target, so a failed copy leaves the
 * tables before it filled (start again on an empty database).
 */
#define STORE_MIGRATE_TABLES	26
/* The name of table I (< STORE_MIGRATE_TABLES) of the copy's list. */
const char *store_migrate_table(size_t i);
/* Rows per table of the list, in its order. */
bool	 store_migrate_count(struct store *,
	    int64_t counts[STORE_MIGRATE_TABLES], GError **err);
/* Called after each row copied: DONE of TOTAL rows. */
typedef void (*store_migrate_fn)(uint64_t done, uint64_t total, void *arg);
/* Copies SRC into DST; COUNTS gets the source's rows per table (in its
 * snapshot), for a check of the target's afterwards.  FN may be NULL. */
bool	 store_migrate_copy(struct store *src, struct store *dst,
	    int64_t counts[STORE_MIGRATE_TABLES], store_migrate_fn fn,
	    void *arg, GError **err);
#ifdef HAVE_POSTGRESQL
/* The pg_dump command line that backs up the PostgreSQL store at
 * CONNINFO into FILE, without the password; NULL if CONNINFO does not
 * parse.  g_free. */
char	*store_pg_dump_command(const char *conninfo, const char *file);
#endif

/* Content-addressed blobs: duplicates are stored once. */
bool	 store_blob_put(struct store *, const void *data, size_t len,
	    char sha256_hex[65], GError **err);
bool	 store_blob_get(struct store *, const char *sha256_hex, GBytes **out,
	    GError **err);

/* Tickets. */
bool	 store_ticket_insert(struct store *, struct ticket *t, GError **err);
bool	 store_ticket_get(struct store *, int64_t id, struct ticket **out,
	    GError **err);	/* NOTFOUND if absent */
bool	 store_ticket_exists(struct store *, int64_t id, bool *exists,
	    GError **err);
bool	 store_ticket_touch(struct store *, int64_t id, int64_t now,
	    GError **err);
bool	 store_ticket_set(struct store *, int64_t id, const char *field,
	    const char *value, GError **err);	/* status/queue/owner/subject */
/* The priority: its name and its rank (lifecycle_priority_rank()). */
bool	 store_ticket_set_priority(struct store *, int64_t id,
	    const char *name, int rank, GError **err);
bool	 store_ticket_set_hotrush(struct store *, int64_t id, bool on,
	    GError **err);
bool	 store_ticket_add_tag(struct store *, int64_t id, const char *tag,
	    GError **err);
bool	 store_ticket_set_field(struct store *, int64_t id, const char *name,
	    const char *value, GError **err);
bool	 store_ticket_list(struct store *, const struct ticket_filter *,
	    GPtrArray **out, GError **err);	/* of struct ticket */
/* Tags and custom fields as "name=value" strings. */
bool	 store_ticket_tags(struct store *, int64_t id, GPtrArray **out,
	    GError **err);
bool	 store_ticket_fields(struct store *, int64_t id, GPtrArray **out,
	    GError **err);
void	 ticket_free(struct ticket *);

/* Participants: role is "requester", "cc" or "staff". */
bool	 store_participant_add(struct store *, int64_t ticket,
	    const char *addr, const char *name, const char *role,
	    GError **err);
/* Takes ADDR off TICKET's CCs; *removed: it was one. */
bool	 store_participant_remove_cc(struct store *, int64_t ticket,
	    const char *addr, bool *removed, GError **err);
bool	 store_participant_is(struct store *, int64_t ticket,
	    const char *addr, bool *yes, GError **err);
/* Is ADDR a requester or CC of any ticket? */
bool	 store_address_known(struct store *, const char *addr, bool *yes,
	    GError **err);

/* Messages. */
bool	 store_message_insert(struct store *, struct message *m,
	    GError **err);	/* sets m->id */
/* Finds the ticket a stored message (in or out) belongs to. */
bool	 store_message_ticket(struct store *, const char *message_id,
	    int64_t *ticket, bool *found, GError **err);
/* Same Message-ID and same body hash already stored? */
bool	 store_message_duplicate(struct store *, const char *message_id,
	    const char *body_hash, int64_t *ticket, bool *found,
	    GError **err);
bool	 store_message_get(struct store *, const char *message_id,
	    struct message **out, GError **err);
bool	 store_message_get_row(struct store *, int64_t row,
	    struct message **out, GError **err);
bool	 store_thread(struct store *, int64_t ticket, GPtrArray **out,
	    GError **err);	/* of struct message, oldest first */
/* The same with each text and stripped text cut to its first CHARS
 * characters: a page that shows a little of a 20 MB message need not
 * copy all of it. */
bool	 store_thread_head(struct store *, int64_t ticket, int64_t chars,
	    GPtrArray **out, GError **err);
bool	 store_message_rows(struct store *, int64_t ticket, GPtrArray **out,
	    GError **err);	/* int64_t* rows; ticket 0 = all */
bool	 store_message_update_text(struct store *, int64_t row,
	    const char *subject, const char *text, const char *stripped,
	    GError **err);
void	 message_free(struct message *);

/* Attachments. */
bool	 store_attachment_insert(struct store *, struct attachment *a,
	    GError **err);
bool	 store_attachments(struct store *, int64_t message_row,
	    GPtrArray **out, GError **err);
bool	 store_attachments_delete(struct store *, int64_t message_row,
	    GError **err);
void	 attachment_free(struct attachment *);

/* Events: the audit trail of every change. */
bool	 store_event_add(struct store *, int64_t ticket, int64_t message_row,
	    int64_t at, const char *actor, const char *kind,
	    const char *detail, GError **err);
bool	 store_events(struct store *, int64_t ticket, GPtrArray **out,
	    GError **err);
/* Was an event KIND with ACTOR and DETAIL recorded at or after SINCE? */
bool	 store_event_since(struct store *, const char *kind,
	    const char *actor, const char *detail, int64_t since, bool *found,
	    GError **err);
void	 event_free(struct event *);

/*
 * Quarantine: input kept raw because it could not be taken in.  At most
 * one entry not replayed holds the same raw bytes: if there is one
 * already, *added is false, q->id is that entry's and nothing changes.
 */
bool	 store_quarantine_add(struct store *, struct quarantine_entry *q,
	    bool *added, GError **err);	/* sets q->id */
bool	 store_quarantine_list(struct store *, GPtrArray **out, GError **err);
bool	 store_quarantine_get(struct store *, int64_t id,
	    struct quarantine_entry **out, GError **err);
/* The entry not replayed that holds these raw bytes, or *id = 0. */
bool	 store_quarantine_find_raw(struct store *, const char *sha256_hex,
	    int64_t *id, GError **err);
bool	 store_quarantine_mark_replayed(struct store *, int64_t id,
	    int64_t message_row, GError **err);
void	 quarantine_entry_free(struct quarantine_entry *);

/*
 * What intake did with a message it did not store (refused, bounce,
 * discarded), once per (Message-ID, body hash), so that a redelivery
 * changes nothing.  A second add for the same pair fails (constraint).
 * TICKET and QUARANTINE_ID are 0 for none; *outcome: g_free.
 */
bool	 store_intake_seen_add(struct store *, const char *message_id,
	    const char *body_hash, const char *outcome, int64_t ticket,
	    int64_t quarantine_id, int64_t at, GError **err);
bool	 store_intake_seen_get(struct store *, const char *message_id,
	    const char *body_hash, char **outcome, int64_t *ticket,
	    bool *found, GError **err);
/* Forgets the outcomes recorded before BEFORE (epoch seconds); *n: how
 * many.  Only redeliveries need them, and no MTA retries for weeks. */
bool	 store_intake_seen_prune(struct store *, int64_t before, int *n,
	    GError **err);

/*
 * Life cycle (store_lifecycle.c).  tickets.updated is the time of the
 * last message; the times below are kept by the life-cycle code.
 */
struct ticket_times {
	int64_t	 status_since;
	int64_t	 staff_reply_at;	/* last staff reply, 0 if none */
	int64_t	 customer_at;		/* last customer message */
	int64_t	 first_response_at;	/* first staff reply */
};

bool	 store_ticket_times(struct store *, int64_t id, struct ticket_times *,
	    GError **err);
/* Sets status and status_since. */
bool	 store_ticket_set_status(struct store *, int64_t id,
	    const char *status, int64_t now, GError **err);
/* Records a reply: staff (also first_response_at once) or customer. */
bool	 store_ticket_mark_reply(struct store *, int64_t id, bool staff,
	    int64_t now, GError **err);
/* Ids of tickets whose status is not in the JSON array FINAL_JSON. */
bool	 store_ticket_ids_not_in(struct store *, const char *final_json,
	    GArray **out, GError **err);	/* of int64_t */
/* A ticket's rating; the last one given counts. */
struct rating {
	int64_t	 ticket_id;
	int	 rating;	/* 1-5 */
	char	*comment;	/* may be NULL */
	char	*rated_by;	/* who gave it */
	int64_t	 at;
};

/* Inserts or replaces the rating of TICKET; lifecycle_apply.c checks
 * first that it may be given. */
bool	 store_rating_set(struct store *, int64_t ticket, int rating,
	    const char *comment, const char *rated_by, int64_t at,
	    GError **err);
/* *out is NULL if the ticket is not rated; rating_free(). */
bool	 store_rating_get(struct store *, int64_t ticket, struct rating **out,
	    GError **err);
void	 rating_free(struct rating *);
/* Counted HotRush cancellations of ACCOUNT. */
bool	 store_hotrush_offs(struct store *, const char *account, int64_t *n,
	    GError **err);
bool	 store_hotrush_off_add(struct store *, const char *account,
	    int64_t ticket, const char *actor, int64_t at, GError **err);
/* Tickets per (account, queue, priority rank): the rows of the account
 * mix (lifecycle_mix_add()).  *out is of struct priority_count, freed
 * with g_ptr_array_unref(). */
struct priority_count {
	char	*account;	/* as store_account_of() */
	char	*queue;
	int	 rank;
	int64_t	 n;
};
bool	 store_priority_mix(struct store *, GPtrArray **out, GError **err);

/*
 * Organizations and contacts (store_org.c).  Member roles are names
 * from [roles] (roles.h); the store does not judge them.
 */
struct org_member {
	char	*org;
	char	*address;
	char	*name;
	char	*role;
};

bool	 store_org_add(struct store *, const char *name, int64_t now,
	    int64_t *id, GError **err);	/* CONSTRAINT if it exists */
/* NOTFOUND if there is no such organization. */
bool	 store_org_member_add(struct store *, const char *org,
	    const char *addr, const char *name, const char *role,
	    GError **err);
bool	 store_org_members(struct store *, const char *org, GPtrArray **out,
	    GError **err);	/* of struct org_member; org NULL: all */
/* *out NULL if ADDR is in no organization. */
bool	 store_org_member_get(struct store *, const char *addr,
	    struct org_member **out, GError **err);
/* Is ADDR a member of the organization of TICKET's requester? */
bool	 store_org_shares_ticket(struct store *, int64_t ticket,
	    const char *addr, bool *yes, GError **err);
/* The account HotRush limits and priority mixes count against:
 * "org:NAME" for organization members, else the address. g_free. */
bool	 store_account_of(struct store *, const char *addr, char **out,
	    GError **err);
void	 org_member_free(struct org_member *);
/* LANG (may be NULL) is kept only when the contact is new: the
 * language of her first message (lang.h). */
bool	 store_contact_add(struct store *, const char *addr,
	    const char *name, const char *lang, int64_t now, GError **err);
/* The language ADDR chose or wrote in first; *out NULL if none. */
bool	 store_contact_language(struct store *, const char *addr,
	    char **out, GError **err);
/* What she chose (Language:): replaces any language she had. */
bool	 store_contact_language_set(struct store *, const char *addr,
	    const char *lang, int64_t now, GError **err);
/* Known: a contact, an organization member or a past participant. */
bool	 store_contact_known(struct store *, const char *addr, bool *yes,
	    GError **err);
/* NOTFOUND if ADDR is not a member of ORG. */
bool	 store_org_member_remove(struct store *, const char *org,
	    const char *addr, GError **err);

/*
 * Accounts (store_account.c): organization attributes, notification
 * addresses and their pending changes.
 */
/* VALUE NULL removes NAME.  NOTFOUND if there is no such organization
 * (or, removing, no such attribute). */
bool	 store_org_attr_set(struct store *, const char *org,
	    const char *name, const char *value, GError **err);
/* ORG's attributes as "name=value" (char *), by name. */
bool	 store_org_attrs(struct store *, const char *org, GPtrArray **out,
	    GError **err);
/* The attributes of ADDR's organization, "name=value", NULL-terminated
 * (empty if she is in none).  g_strfreev. */
bool	 store_org_attrs_of(struct store *, const char *addr, char ***out,
	    GError **err);
/* Where ADDR's notifications go: *out the confirmed notification
 * address (g_free), or NULL for ADDR itself. */
bool	 store_notify_address(struct store *, const char *addr, char **out,
	    GError **err);
bool	 store_notify_address_set(struct store *, const char *addr,
	    const char *to, int64_t now, GError **err);
/* The participant of TICKET whose confirmed notification address is TO
 * (*out g_free), or NULL: whom mail to TO is really for. */
bool	 store_notify_address_owner(struct store *, int64_t ticket,
	    const char *to, char **out, GError **err);
/* Notifications: off (OFF) or on for ADDR: the time she switched them
 * off is kept, 0 when they are on. */
bool	 store_contact_notifications_set(struct store *, const char *addr,
	    bool off, int64_t now, GError **err);
/* Has the contact mail to TO is for switched her notifications off?
 * That is TO itself, or a participant of TICKET (0: none) whose
 * confirmed notification address is TO. */
bool	 store_contact_notifications_off(struct store *, int64_t ticket,
	    const char *to, bool *off, GError **err);

struct address_change {
	char	*id;
	char	*address;	/* whose notifications */
	char	*new_address;
	int64_t	 ticket_id;
	int64_t	 message_row;
	int64_t	 created;
	int64_t	 expires;
	int64_t	 confirmed;	/* 0: pending */
};
void	 address_change_free(struct address_change *);
bool	 store_address_change_add(struct store *,
	    const struct address_change *, GError **err);
/* *out NULL if there is no change ID. */
bool	 store_address_change_get(struct store *, const char *id,
	    struct address_change **out, GError **err);
/* The change requested by MESSAGE_ROW for NEW_ADDRESS; *out NULL if
 * none. */
/* The newest change asked for in MESSAGE_ROW to NEW_ADDRESS; row 0: the
 * newest one asked for on no message (the portal's account page). */
bool	 store_address_change_of_row(struct store *, int64_t message_row,
	    const char *new_address, struct address_change **out,
	    GError **err);
/* Marks ID confirmed at NOW; *done false if it already was. */
bool	 store_address_change_confirm(struct store *, const char *id,
	    int64_t now, bool *done, GError **err);

/*
 * Outbox (store_outbox.c): one row per mail and recipient, written in
 * the transaction of the change that causes it; postdesk-notify claims
 * and sends them.  status: pending → sending → sent | failed, or
 * cancelled; a failed or cancelled row may be made pending again.
 */
struct outbox_row {
	int64_t	 id;
	int64_t	 ticket_id;
	int64_t	 message_row;	/* the message the mail is about, or 0 */
	int64_t	 sent_row;	/* the composed outbound message, or 0 */
	char	*kind;		/* ack, staff, reply, comment, notice */
	char	*template;	/* template name, or NULL */
	char	*recipient;	/* one address */
	char	*status;
	int64_t	 attempts;
	int64_t	 next_attempt;
	char	*claimed_by;
	char	*last_error;	/* the server's last reply, or NULL */
	int64_t	 created;
	int64_t	 updated;
	int64_t	 sent_at;	/* 0 until sent */
	/* A row about a message that is in no ticket (ticket_id 0): */
	int64_t	 quarantine_id;	/* the quarantined message, or 0 */
	char	*raw_sha256;	/* its composed bytes, NULL until then */
	/* While "sending": the claim (a random id) and when it runs out. */
	char	*lease_id;
	int64_t	 lease_until;
	/* Insert only: deliver to RECIPIENT as given.  Otherwise a
	 * contact's confirmed notification address replaces hers
	 * (store_notify_address()). */
	bool	 exact;
};

struct outbox_filter {
	const char	*status;	/* NULL: any */
	int64_t		 ticket;	/* 0: any */
	int64_t		 limit;		/* 0: no limit */
};

/* Sets r->id; status pending, due at r->next_attempt (0 = now). */
bool	 store_outbox_insert(struct store *, struct outbox_row *r,
	    GError **err);
/*
 * Claims up to LIMIT due rows for CLAIMER in its own BEGIN IMMEDIATE
 * transaction: pending rows due by NOW, and rows left "sending" whose
 * lease has run out (their claimer died or stopped).  Each claimed row
 * gets a new lease: a random lease_id shared by the rows of this claim
 * and lease_until = NOW + LEASE.  Claiming counts no attempt
 * (store_outbox_attempted does).  Two processes never get the same row
 * while its lease holds.  A row whose lease ran out OUTBOX_MAX_ORPHANED
 * times without a result is failed instead; *abandoned (int64_t ids,
 * g_array_free) lists those.
 */
#define OUTBOX_MAX_ORPHANED	10
bool	 store_outbox_claim(struct store *, const char *claimer, int64_t now,
	    int64_t lease, int limit, GPtrArray **out, GArray **abandoned,
	    GError **err);
/* Extends the lease of R's claim (every row still "sending" under
 * r->lease_id) to UNTIL; *held says whether R itself is still ours. */
bool	 store_outbox_renew(struct store *, const struct outbox_row *r,
	    int64_t until, bool *held, GError **err);
/*
 * In the transaction that records an attempt at R: counts it and ends
 * the lease, if R is still "sending" under r->lease_id.  *held false
 * (nothing changed) if the lease ran out and another claim has R, or
 * R left "sending" meanwhile: the caller must not record a result.
 */
bool	 store_outbox_attempted(struct store *, const struct outbox_row *r,
	    bool *held, GError **err);
/* Outcomes of one attempt; callers add the event in the same
 * transaction. */
/* Not sent on purpose (her notifications are off): cancelled, WHY
 * kept as its last error. */
bool	 store_outbox_skip(struct store *, int64_t id, int64_t now,
	    const char *why, GError **err);
bool	 store_outbox_sent(struct store *, int64_t id, int64_t now,
	    const char *reply, GError **err);
bool	 store_outbox_defer(struct store *, int64_t id, int64_t now,
	    int64_t next, const char *reply, GError **err);
bool	 store_outbox_fail(struct store *, int64_t id, int64_t now,
	    const char *reply, GError **err);
/* Gives back the rest of R's claim (a configuration error, a batch cut
 * short): its rows not yet recorded are pending again, attempts as
 * they were.  Rows another claim took since are left alone. */
bool	 store_outbox_unclaim(struct store *, const struct outbox_row *r,
	    GError **err);
/* The composed bytes of a row that has no message row to hold them
 * (no ticket); the first bytes stored stay. */
bool	 store_outbox_set_raw(struct store *, int64_t id,
	    const char *sha256_hex, GError **err);
/* Also sets message_row if it was unset. */
bool	 store_outbox_set_sent_row(struct store *, int64_t id,
	    int64_t sent_row, GError **err);
/* Admin: failed/cancelled/pending → pending now with attempts reset;
 * pending/failed → cancelled.  *changed false if the status did not
 * allow it. */
bool	 store_outbox_retry(struct store *, int64_t id, int64_t now,
	    bool *changed, GError **err);
bool	 store_outbox_cancel(struct store *, int64_t id, int64_t now,
	    bool *changed, GError **err);
bool	 store_outbox_get(struct store *, int64_t id, struct outbox_row **out,
	    GError **err);	/* NOTFOUND if absent */
bool	 store_outbox_list(struct store *, const struct outbox_filter *,
	    GPtrArray **out, GError **err);	/* of struct outbox_row */
/* Rows of KIND to RECIPIENT created at or after SINCE (rate limit). */
bool	 store_outbox_count_since(struct store *, const char *kind,
	    const char *recipient, int64_t since, int64_t *n, GError **err);
/* Rows of TEMPLATE about TICKET for RECIPIENT created at or after SINCE. */
bool	 store_outbox_count_template_since(struct store *, int64_t ticket,
	    const char *template_name, const char *recipient, int64_t since,
	    int64_t *n, GError **err);
void	 outbox_row_free(struct outbox_row *);

/* Marks ADDR bounced on every ticket it takes part in. */
bool	 store_participant_bounced(struct store *, const char *addr,
	    GError **err);
/* Participants of TICKET with ROLE as "address" strings; bounced
 * addresses are left out when SKIP_BOUNCED. */
bool	 store_participants(struct store *, int64_t ticket, const char *role,
	    bool skip_bounced, GPtrArray **out, GError **err);
/* Sets the raw blob of an outbound message if it has none yet. */
bool	 store_message_set_raw(struct store *, int64_t row,
	    const char *sha256_hex, GError **err);

/*
 * Mailbox sources (store_fetch.c).  SOURCE is the URL without password.
 * fetch_state holds UIDVALIDITY (IMAP; the inode for mbox) and the last
 * UID (byte offset for mbox) taken in.  fetch_items holds single
 * messages: "pending" = committed here, server not yet told (flag, move
 * or delete still due); "done" = POP3 UIDL kept on the server; "failed"
 * = to retry on the next run.  UID is text so POP3 UIDLs fit.
 */
struct fetch_item {
	char	*uid;
	char	*state;
	int64_t	 attempts;
	char	*last_error;
};

bool	 store_fetch_state_get(struct store *, const char *source,
	    int64_t *uidvalidity, int64_t *last_uid, bool *found,
	    GError **err);
bool	 store_fetch_state_set(struct store *, const char *source,
	    int64_t uidvalidity, int64_t last_uid, int64_t now, GError **err);
/* Drops the items of SOURCE whose uidvalidity is not UIDVALIDITY. */
bool	 store_fetch_reset(struct store *, const char *source,
	    int64_t uidvalidity, GError **err);
/* Sets an item's state; "failed" counts an attempt and keeps ERROR. */
bool	 store_fetch_item_set(struct store *, const char *source,
	    int64_t uidvalidity, const char *uid, const char *state,
	    const char *error, int64_t now, GError **err);
bool	 store_fetch_item_delete(struct store *, const char *source,
	    int64_t uidvalidity, const char *uid, GError **err);
/* Items of SOURCE/UIDVALIDITY in STATE (NULL: any), by uid. */
bool	 store_fetch_items(struct store *, const char *source,
	    int64_t uidvalidity, const char *state, GPtrArray **out,
	    GError **err);		/* of struct fetch_item */
void	 fetch_item_free(struct fetch_item *);


/*
 * Threading (store_thread.c).  message_refs holds the Message-IDs an
 * inbound message names in In-Reply-To and References, so an original
 * that arrives after its reply finds the reply's ticket.
 */
bool	 store_message_refs_add(struct store *, int64_t row,
	    const char *in_reply_to, char *const *refs, GError **err);
/* A ticket holding a stored inbound message that names MESSAGE_ID, and
 * the oldest such message there. */
struct store_referrer {
	int64_t	 ticket;
	char	*message_id;
};
/* One per ticket, by ticket id (of struct store_referrer). */
bool	 store_message_referrers(struct store *, const char *message_id,
	    GPtrArray **out, GError **err);
void	 store_referrer_free(struct store_referrer *);
/* The ticket ID lives on as after merges (ID itself if never merged). */
bool	 store_ticket_merged_into(struct store *, int64_t id, int64_t *into,
	    GError **err);
/* Moves FROM's messages, events, pending outbox rows, participants
 * (its requester becomes a CC), tags and fields to INTO, which keeps
 * the earlier created and later reply times; FROM stays, empty, with
 * merged_into and linked_to set to INTO. */
bool	 store_ticket_merge(struct store *, int64_t from, int64_t into,
	    GError **err);

/* The rows of TICKET's messages with MESSAGE_ID (no angle brackets),
 * oldest first (int64_t *); empty if it has none. */
bool	 store_ticket_message_rows(struct store *, int64_t ticket,
	    const char *message_id, GPtrArray **out, GError **err);
/* The first (opening) message row of TICKET; 0 if it has none. */
bool	 store_ticket_first_row(struct store *, int64_t ticket, int64_t *row,
	    GError **err);
/* Moves message ROW of FROM to ticket INTO with what hangs on it: its
 * events, its pending outbox rows and its address changes
 * (ticket_split.h).  Attachments and references follow the row. */
bool	 store_ticket_split(struct store *, int64_t from, int64_t into,
	    int64_t row, GError **err);

/* Related tickets (store_link.c): a staff link between A and B (either
 * order), and whether one is the other's follow-up (linked_to). */
bool	 store_ticket_link_get(struct store *, int64_t a, int64_t b,
	    bool *linked, bool *follow_up, GError **err);
bool	 store_ticket_link_add(struct store *, int64_t a, int64_t b,
	    int64_t now, const char *actor, GError **err);
bool	 store_ticket_link_remove(struct store *, int64_t a, int64_t b,
	    GError **err);
/* The tickets related to ID, by id (an array of int64_t): staff links
 * and follow-ups either way, not those merged away. */
bool	 store_ticket_related(struct store *, int64_t id, GArray **out,
	    GError **err);

#endif
