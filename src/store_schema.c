/*
 * store_schema: the schema and its forward migrations.
 *
 * migrations[i] takes a database from schema version i to i+1.  Never
 * edit a shipped step; append a new one at the end of the list.
 *
 * One list for both backends.  Steps 0 → PG_BASELINE are SQLite's
 * history (FTS5 tables, table rebuilds, WITHOUT ROWID) and cannot
 * replay on PostgreSQL: there, an empty database gets pg_baseline
 * instead, the same schema as PG_BASELINE written in PostgreSQL's
 * types, and continues from that version.  Every step after
 * PG_BASELINE runs on both, so it must be portable SQL: INTEGER,
 * TEXT, BIGINT, CREATE TABLE/INDEX, ALTER TABLE ADD COLUMN,
 * INSERT ... ON CONFLICT DO NOTHING; no BLOB (a bytea on PG), no
 * COLLATE NOCASE (citext on PG), no WITHOUT ROWID, no INTEGER
 * PRIMARY KEY for an id the database assigns (see pg_baseline).
 */
#include "pdconfig.h"

#include "store-priv.h"

/* The bytes of a message's text in the index's "text" column (17 → 18);
 * a string, for the migration text. */
#define FTS_HEAD	"65536"

/* The version pg_baseline creates on an empty PostgreSQL database. */
#define PG_BASELINE	18

static const char *const migrations[] = {
	/* 0 → 1: the foundation. */
	"CREATE TABLE blobs ("
	"  sha256 TEXT PRIMARY KEY,"
	"  size INTEGER NOT NULL,"
	"  data BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  subject TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'submitted',"
	"  queue TEXT NOT NULL DEFAULT 'support',"
	"  priority TEXT NOT NULL DEFAULT 'normal'"
	"    CHECK (priority IN ('minor','normal','major')),"
	"  hotrush INTEGER NOT NULL DEFAULT 0,"
	"  requester TEXT NOT NULL,"
	"  owner TEXT,"
	"  linked_to INTEGER REFERENCES tickets(id),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE INDEX tickets_status ON tickets(status, updated);"
	"CREATE INDEX tickets_queue ON tickets(queue, updated);"
	"CREATE INDEX tickets_updated ON tickets(updated);"
	"CREATE INDEX tickets_requester ON tickets(requester);"
	"CREATE TABLE ticket_tags ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (ticket_id, tag)"
	") WITHOUT ROWID;"
	"CREATE TABLE ticket_fields ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (ticket_id, name)"
	") WITHOUT ROWID;"
	"CREATE TABLE participants ("
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  address TEXT NOT NULL COLLATE NOCASE,"
	"  name TEXT,"
	"  role TEXT NOT NULL CHECK (role IN ('requester','cc','staff')),"
	"  bounced INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (ticket_id, address)"
	") WITHOUT ROWID;"
	"CREATE INDEX participants_address ON participants(address);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in','out')),"
	"  internal INTEGER NOT NULL DEFAULT 0,"
	"  message_id TEXT NOT NULL,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  from_addr TEXT,"
	"  from_name TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  envelope_from TEXT,"
	"  envelope_to TEXT,"
	"  client_ip TEXT,"
	"  subject TEXT,"
	"  date INTEGER,"
	"  received INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  stripped TEXT NOT NULL,"
	"  body_hash TEXT NOT NULL,"
	"  raw_sha256 TEXT REFERENCES blobs(sha256),"
	"  spf TEXT,"
	"  UNIQUE (message_id, body_hash)"
	");"
	"CREATE INDEX messages_message_id ON messages(message_id);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, id);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  filename TEXT,"
	"  content_type TEXT NOT NULL,"
	"  disposition TEXT,"
	"  content_id TEXT,"
	"  size INTEGER NOT NULL,"
	"  sha256 TEXT NOT NULL REFERENCES blobs(sha256)"
	");"
	"CREATE INDEX attachments_message ON attachments(message_row);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  message_row INTEGER REFERENCES messages(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT"
	");"
	"CREATE INDEX events_ticket ON events(ticket_id, id);"
	"CREATE INDEX events_kind_actor ON events(kind, actor, at);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  message_row INTEGER REFERENCES messages(id),"
	"  kind TEXT NOT NULL,"
	"  template TEXT,"
	"  recipients TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (status IN ('pending','sending','sent','failed',"
	"      'cancelled')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL DEFAULT 0,"
	"  claimed_by TEXT,"
	"  last_error TEXT,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY,"
	"  received INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),"
	"  size INTEGER NOT NULL,"
	"  envelope_from TEXT,"
	"  envelope_to TEXT,"
	"  client_ip TEXT,"
	"  replayed_as INTEGER REFERENCES messages(id)"
	");"
	"CREATE VIRTUAL TABLE messages_fts USING fts5("
	"  subject, text, content='messages', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"
	"  INSERT INTO messages_fts(rowid, subject, text)"
	"    VALUES (new.id, new.subject, new.text);"
	"END;"
	"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, text)"
	"    VALUES ('delete', old.id, old.subject, old.text);"
	"END;"
	"CREATE TRIGGER messages_au AFTER UPDATE OF subject, text ON messages"
	" BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, text)"
	"    VALUES ('delete', old.id, old.subject, old.text);"
	"  INSERT INTO messages_fts(rowid, subject, text)"
	"    VALUES (new.id, new.subject, new.text);"
	"END;",
	/* 1 → 2: the web viewer: ratings, and indexes for its sort orders
	 * (tickets_order must match store_web.c's ORDER BY exactly). */
	"CREATE TABLE ratings ("
	"  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),"
	"  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),"
	"  comment TEXT,"
	"  rated_by TEXT,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX tickets_created ON tickets(created);"
	"CREATE INDEX tickets_order ON tickets(hotrush DESC,"
	"  CASE priority WHEN 'major' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END,"
	"  created);",
	/* 2 → 3: outbound mail (postdesk-notify). */
	"ALTER TABLE outbox ADD COLUMN sent_row INTEGER"
	"  REFERENCES messages(id);"
	"ALTER TABLE outbox ADD COLUMN sent_at INTEGER;"
	"CREATE INDEX outbox_recipient ON outbox(recipients, kind, created);"
	"CREATE INDEX outbox_ticket ON outbox(ticket_id, id);",
	/* 3 → 4: life cycle, HotRush, organizations, contacts (ratings
	 * came with 1 → 2).
	 * tickets.updated stays "last message"; status_since is when the
	 * status last changed. */
	"ALTER TABLE tickets ADD COLUMN status_since INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN staff_reply_at INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN customer_at INTEGER NOT NULL"
	"  DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN first_response_at INTEGER NOT NULL"
	"  DEFAULT 0;"
	"UPDATE tickets SET status_since = updated;"
	"CREATE TABLE hotrush_offs ("
	"  id INTEGER PRIMARY KEY,"
	"  account TEXT NOT NULL COLLATE NOCASE,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  actor TEXT,"
	"  at INTEGER NOT NULL"
	");"
	"CREATE INDEX hotrush_offs_account ON hotrush_offs(account);"
	"CREATE TABLE organizations ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  created INTEGER NOT NULL"
	");"
	"CREATE TABLE org_members ("
	"  address TEXT PRIMARY KEY COLLATE NOCASE,"
	"  org_id INTEGER NOT NULL REFERENCES organizations(id),"
	"  role TEXT NOT NULL"
	"    CHECK (role IN ('primary','advanced','secondary')),"
	"  name TEXT"
	") WITHOUT ROWID;"
	"CREATE INDEX org_members_org ON org_members(org_id);"
	"CREATE TABLE contacts ("
	"  address TEXT PRIMARY KEY COLLATE NOCASE,"
	"  name TEXT,"
	"  created INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT OR IGNORE INTO contacts (address, name, created)"
	"  SELECT address, name, 0 FROM participants WHERE role <> 'staff';",
	/* 4 → 5: mailbox sources (postdesk-fetch). */
	"CREATE TABLE fetch_state ("
	"  source TEXT PRIMARY KEY,"
	"  uidvalidity INTEGER NOT NULL,"
	"  last_uid INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE fetch_items ("
	"  source TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('pending','done','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (source, uidvalidity, uid)"
	") WITHOUT ROWID;",
	/*
	 * 5 → 6: blobs get a rowid.  In a WITHOUT ROWID table each key
	 * comparison on the way to a row loads the whole payload of the
	 * cell compared with, so every lookup by sha256 (upsert, foreign
	 * key check, postdesk raw) read entire neighbouring blobs: 56x
	 * slower lookups with 0.2-2 MB blobs, and 67 MB more resident
	 * memory when a 50 MB attachment was stored next to its message.
	 * Now the sha256 index holds only keys, and store_blob_put() can
	 * write large blobs in pieces (incremental blob I/O needs a rowid).
	 * Runs with foreign keys off, checked before the commit.
	 */
	"CREATE TABLE blobs_v2 ("
	"  id INTEGER PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  size INTEGER NOT NULL,"
	"  data BLOB NOT NULL"
	");"
	"INSERT INTO blobs_v2 (sha256, size, data)"
	"  SELECT sha256, size, data FROM blobs;"
	"DROP TABLE blobs;"
	"ALTER TABLE blobs_v2 RENAME TO blobs;",
	/* 6 → 7: mail about a message that is in no ticket (the refusal
	 * of a view-only member's mail): the row names the quarantined
	 * message it answers and, once composed, keeps its own bytes,
	 * since there is no ticket to hold an outbound message row. */
	"ALTER TABLE outbox ADD COLUMN quarantine_id INTEGER"
	"  REFERENCES quarantine(id);"
	"ALTER TABLE outbox ADD COLUMN raw_sha256 TEXT"
	"  REFERENCES blobs(sha256);",
	/* 7 → 8: the authentication verdict of each inbound message
	 * (identity.h): auth_verdict is the final word ("pass", "fail",
	 * "none", "forged", "temperror"), auth the line-by-line account
	 * that show, the viewer and --explain print. */
	"ALTER TABLE messages ADD COLUMN auth_verdict TEXT;"
	"ALTER TABLE messages ADD COLUMN auth TEXT;",
	/* 8 → 9: revocable sign-in links and the sessions they open
	 * (web_auth.c): a link's id is what the store knows; revoking it
	 * ends its sessions at once. */
	"CREATE TABLE web_links ("
	"  id TEXT PRIMARY KEY,"
	"  address TEXT NOT NULL COLLATE NOCASE,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  revoked INTEGER NOT NULL DEFAULT 0,"	/* when; 0: not */
	"  ticket INTEGER NOT NULL DEFAULT 0,"	/* the page it opens */
	"  used INTEGER NOT NULL DEFAULT 0"	/* last sign-in; 0: never */
	") WITHOUT ROWID;"
	"CREATE INDEX web_links_address ON web_links(address);"
	"CREATE TABLE web_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  link_id TEXT NOT NULL REFERENCES web_links(id),"
	"  address TEXT NOT NULL COLLATE NOCASE,"
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"	/* updated at most every 10 min */
	"  revoked INTEGER NOT NULL DEFAULT 0"	/* when; 0: not */
	") WITHOUT ROWID;"
	"CREATE INDEX web_sessions_address ON web_sessions(address);"
	"CREATE INDEX web_sessions_link ON web_sessions(link_id);",
	/*
	 * 9 → 10: a reply that arrives before its original (thread.c).
	 * message_refs lists every Message-ID an inbound message names in
	 * In-Reply-To or References, so the original finds its replies by
	 * index; tickets.merged_into says where a ticket went when two
	 * tickets turned out to be one thread.  The backfill splits the
	 * space-separated ids of the messages already stored.
	 */
	"ALTER TABLE tickets ADD COLUMN merged_into INTEGER"
	"  REFERENCES tickets(id);"
	"CREATE TABLE message_refs ("
	"  ref TEXT NOT NULL,"
	"  message_row INTEGER NOT NULL REFERENCES messages(id),"
	"  PRIMARY KEY (ref, message_row)"
	") WITHOUT ROWID;"
	"INSERT OR IGNORE INTO message_refs (ref, message_row)"
	"  WITH RECURSIVE split(row, ref, rest) AS ("
	"    SELECT id, '', coalesce(in_reply_to, '') || ' ' ||"
	"      coalesce(refs, '') || ' ' FROM messages WHERE direction = 'in'"
	"    UNION ALL"
	"    SELECT row, substr(rest, 1, instr(rest, ' ') - 1),"
	"      substr(rest, instr(rest, ' ') + 1) FROM split WHERE rest <> ''"
	"  ) SELECT ref, row FROM split WHERE ref <> '';",
	/* 10 → 11: notifier leases (store_outbox_claim): a "sending" row
	 * names its claim (lease_id, random per claim) and when the claim
	 * runs out (lease_until, renewed while the batch is sent).  Rows
	 * claimed before have no lease: they come back 90 s (the default
	 * lease) after their claim. */
	"ALTER TABLE outbox ADD COLUMN lease_id TEXT;"
	"ALTER TABLE outbox ADD COLUMN lease_until INTEGER;"
	"UPDATE outbox SET lease_until = updated + 90"
	"  WHERE status = 'sending';",
	/*
	 * 11 → 12: intake records every outcome once (issue 15).  A
	 * message intake did not store (refused, bounce, discarded) is
	 * remembered by (Message-ID, body hash) in intake_seen, so that
	 * a redelivery finds it; at most one live quarantine row holds
	 * the same raw bytes.  Older duplicates fold into their first
	 * row: refusal mails are repointed to it, then the others go.
	 */
	"CREATE TABLE intake_seen ("
	"  message_id TEXT NOT NULL,"
	"  body_hash TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  quarantine_id INTEGER REFERENCES quarantine(id),"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY (message_id, body_hash)"
	") WITHOUT ROWID;"
	"UPDATE outbox SET quarantine_id = (SELECT min(d.id) FROM"
	"  quarantine q, quarantine d WHERE q.id = outbox.quarantine_id"
	"  AND d.raw_sha256 = q.raw_sha256 AND d.replayed_as IS NULL)"
	"  WHERE quarantine_id IN"
	"  (SELECT id FROM quarantine WHERE replayed_as IS NULL);"
	"DELETE FROM quarantine WHERE replayed_as IS NULL AND id >"
	"  (SELECT min(d.id) FROM quarantine d WHERE"
	"  d.raw_sha256 = quarantine.raw_sha256 AND d.replayed_as IS NULL);"
	"CREATE UNIQUE INDEX quarantine_raw_once ON quarantine(raw_sha256)"
	"  WHERE replayed_as IS NULL;",
	/*
	 * 12 → 13: outbox.orphaned counts the claims of a row that ran out
	 * without a result in a row (store_outbox_claim): a row that kills
	 * every notifier that takes it is failed after a few, not retried
	 * every lease forever.
	 */
	"ALTER TABLE outbox ADD COLUMN orphaned INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 13 → 14 (accounts): member roles are configuration ([roles],
	 * roles.h), so org_members loses its CHECK on three names;
	 * organizations get key/value attributes ("presales" = "yes")
	 * that rules and timers read; a contact may have a notification
	 * address other than her own, set only once the new address
	 * confirmed a pending change (address_changes, by its id).
	 */
	"CREATE TABLE org_members_v2 ("
	"  address TEXT PRIMARY KEY COLLATE NOCASE,"
	"  org_id INTEGER NOT NULL REFERENCES organizations(id),"
	"  role TEXT NOT NULL,"
	"  name TEXT"
	") WITHOUT ROWID;"
	"INSERT INTO org_members_v2 (address, org_id, role, name)"
	"  SELECT address, org_id, role, name FROM org_members;"
	"DROP TABLE org_members;"
	"ALTER TABLE org_members_v2 RENAME TO org_members;"
	"CREATE INDEX org_members_org ON org_members(org_id);"
	"CREATE TABLE org_attributes ("
	"  org_id INTEGER NOT NULL REFERENCES organizations(id),"
	"  name TEXT NOT NULL COLLATE NOCASE,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (org_id, name)"
	") WITHOUT ROWID;"
	"ALTER TABLE contacts ADD COLUMN notify_address TEXT COLLATE NOCASE;"
	"CREATE TABLE address_changes ("
	"  id TEXT PRIMARY KEY,"
	"  address TEXT NOT NULL COLLATE NOCASE,"
	"  new_address TEXT NOT NULL COLLATE NOCASE,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  message_row INTEGER,"	/* the request */
	"  created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL,"
	"  confirmed INTEGER NOT NULL DEFAULT 0"	/* when; 0: not */
	") WITHOUT ROWID;"
	"CREATE INDEX address_changes_row ON address_changes(message_row);",
	/*
	 * 14 → 15 (staff): staff accounts (issue 17).  Once this table
	 * has a row, [staff] addresses no longer grant authority.
	 * queues is a comma-separated list of queue names (names are
	 * [a-z0-9-_.], no commas); a disabled account keeps its row so
	 * that its history still names it.
	 */
	"CREATE TABLE staff ("
	"  address TEXT PRIMARY KEY COLLATE NOCASE,"
	"  name TEXT,"
	"  role TEXT NOT NULL DEFAULT 'agent'"
	"    CHECK (role IN ('agent','lead','admin')),"
	"  queues TEXT NOT NULL DEFAULT '',"
	"  notify TEXT NOT NULL DEFAULT 'mine'"
	"    CHECK (notify IN ('all','mine','none')),"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	") WITHOUT ROWID;",
	/*
	 * 15 → 16 (prio): priorities are configuration ([lifecycle]
	 * priorities, lifecycle.h): the CHECK (minor, normal, major) goes,
	 * and priority_rank keeps the rank (0 = highest) that the queue
	 * order sorts by.  The column is rebuilt, not the table, so that
	 * the other columns, the foreign keys that point at tickets and
	 * the FTS triggers stay as they are: its CHECK belongs to the
	 * column, so DROP COLUMN takes it along once the one index that
	 * names the column (tickets_order, store_web.c's ORDER BY) is
	 * gone; that index comes back on the rank.
	 */
	"DROP INDEX tickets_order;"
	"ALTER TABLE tickets RENAME COLUMN priority TO priority_fixed;"
	"ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL"
	"  DEFAULT 'normal';"
	"ALTER TABLE tickets ADD COLUMN priority_rank INTEGER NOT NULL"
	"  DEFAULT 1;"
	"UPDATE tickets SET priority = priority_fixed, priority_rank ="
	"  CASE priority_fixed WHEN 'major' THEN 0 WHEN 'normal' THEN 1"
	"  ELSE 2 END;"
	"ALTER TABLE tickets DROP COLUMN priority_fixed;"
	"CREATE INDEX tickets_order ON tickets(hotrush DESC, priority_rank,"
	"  created);",
	/*
	 * 16 → 17 (lang): the contact's language (lang.h names: "de"),
	 * from her Language: command or her first message's
	 * Content-Language; NULL: [mail] default_language.
	 */
	"ALTER TABLE contacts ADD COLUMN language TEXT;",
	/*
	 * 17 → 18 (fts-head): the full-text index holds a message's text
	 * in two columns, its first 64 KB ("text", where search results
	 * take their snippet from) and the rest ("more"), so that the cost
	 * of a snippet is bounded however long the message (a 20 MB log
	 * made one search take minutes).  Everything stays searchable.
	 * The content comes through a view that cuts the text so.
	 */
	"DROP TRIGGER messages_ai;"
	"DROP TRIGGER messages_ad;"
	"DROP TRIGGER messages_au;"
	"DROP TABLE messages_fts;"
	"DROP VIEW IF EXISTS messages_fts_src;"
	"CREATE VIEW messages_fts_src AS SELECT id, subject,"
	"  substr(text, 1, " FTS_HEAD ") AS text,"
	"  substr(text, " FTS_HEAD " + 1) AS more FROM messages;"
	"CREATE VIRTUAL TABLE messages_fts USING fts5("
	"  subject, text, more, content='messages_fts_src',"
	"  content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
	"CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN"
	"  INSERT INTO messages_fts(rowid, subject, text, more)"
	"    VALUES (new.id, new.subject, substr(new.text, 1, " FTS_HEAD "),"
	"    substr(new.text, " FTS_HEAD " + 1));"
	"END;"
	"CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, text, more)"
	"    VALUES ('delete', old.id, old.subject,"
	"    substr(old.text, 1, " FTS_HEAD "),"
	"    substr(old.text, " FTS_HEAD " + 1));"
	"END;"
	"CREATE TRIGGER messages_au AFTER UPDATE OF subject, text ON messages"
	" BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, text, more)"
	"    VALUES ('delete', old.id, old.subject,"
	"    substr(old.text, 1, " FTS_HEAD "),"
	"    substr(old.text, " FTS_HEAD " + 1));"
	"  INSERT INTO messages_fts(rowid, subject, text, more)"
	"    VALUES (new.id, new.subject, substr(new.text, 1, " FTS_HEAD "),"
	"    substr(new.text, " FTS_HEAD " + 1));"
	"END;"
	"INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');",
	/* From here on, every step runs on SQLite and on PostgreSQL alike:
	 * portable SQL only (see the top of this file). */
	/*
	 * 18 → 19 (ticket-links): related tickets that staff link
	 * (ticket_link.h), one row per pair with the lower id first, so
	 * that a pair is one primary key whichever way it was named.
	 * Follow-ups keep their tickets.linked_to.  Portable SQL (the
	 * PostgreSQL backend runs it too).
	 */
	"CREATE TABLE ticket_links ("
	"  ticket_a BIGINT NOT NULL REFERENCES tickets(id),"
	"  ticket_b BIGINT NOT NULL REFERENCES tickets(id),"
	"  created BIGINT NOT NULL,"
	"  actor TEXT,"
	"  PRIMARY KEY (ticket_a, ticket_b),"
	"  CHECK (ticket_a < ticket_b)"
	");"
	"CREATE INDEX ticket_links_b ON ticket_links(ticket_b);",
	/*
	 * 19 → 20 (message-view-head): the first STORE_MESSAGE_HEAD
	 * characters of each long message's text and stripped text, kept
	 * apart, so that the ticket page of a 20 MB message reads a
	 * megabyte, not all of it (store_thread_head()); messages no
	 * longer than that have no row.  Portable SQL.
	 */
	"CREATE TABLE message_heads ("
	"  message_row BIGINT PRIMARY KEY REFERENCES messages(id),"
	"  text_head TEXT NOT NULL,"
	"  stripped_head TEXT NOT NULL"
	");"
	"INSERT INTO message_heads (message_row, text_head, stripped_head)"
	"  SELECT id, substr(text, 1, " STORE_MESSAGE_HEAD_SQL "),"
	"  substr(stripped, 1, " STORE_MESSAGE_HEAD_SQL ") FROM messages"
	"  WHERE length(text) > " STORE_MESSAGE_HEAD_SQL
	"  OR length(stripped) > " STORE_MESSAGE_HEAD_SQL ";",
	/*
	 * 20 → 21 (notifications-off): X-Cart's "turn on/off email
	 * notifications" (Notifications: off, account.h): when she
	 * switched them off, 0 while they are on.  postdesk-notify skips
	 * her automatic notices then (notify.h).  Portable SQL.
	 */
	"ALTER TABLE contacts ADD COLUMN notifications_off BIGINT NOT NULL"
	"  DEFAULT 0;",
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == STORE_SCHEMA_VERSION);

/*
 * Schema version PG_BASELINE on PostgreSQL, step 0 → PG_BASELINE of
 * the SQLite list above, translated:
 * - INTEGER PRIMARY KEY (a rowid) is a BIGINT identity column, BY
 *   DEFAULT so that postdesk migrate can keep a copied row's id;
 * - INTEGER is BIGINT (SQLite's are 64-bit), BLOB is bytea;
 * - COLLATE NOCASE is citext (a trusted extension since PostgreSQL
 *   13: the database owner may create it);
 * - the FTS5 table and its triggers are a stored tsvector column with
 *   a GIN index, the 'simple' configuration (no stemming, as
 *   unicode61), built by postdesk_fts() below.  Differences from
 *   FTS5: no diacritics folding ("cafe" does not find "café"); a
 *   tsvector holds at most 1 MB, so the subject is indexed up to its
 *   first 64 KB and the text piece by piece (PG_FTS_TEXT characters
 *   each) for as long as the vector stays under PG_FTS_MAX bytes: all
 *   of a long log that repeats its words, the head of one that does
 *   not (FTS5 indexes all of it).
 * Tables come in an order that lets every REFERENCES name a table
 * that exists already (quarantine before outbox).
 */
#define PG_FTS_TEXT	"262144"
#define PG_FTS_MAX	"900000"

static const char pg_baseline[] =
	"CREATE EXTENSION IF NOT EXISTS citext;"
	/* The store's "x = ?1 COLLATE NOCASE" on a TEXT column: ICU's
	 * case-blind comparison (level 2: accents still count). */
	"CREATE COLLATION nocase (provider = icu,"
	"  locale = 'und-u-ks-level2', deterministic = false);"
	/* SQLite's functions the store's SQL uses, under their names:
	 * scalar max() and min() of two values, and json_each()'s value
	 * column of a JSON array given as text. */
	"CREATE FUNCTION max(bigint, bigint) RETURNS bigint"
	"  LANGUAGE sql IMMUTABLE AS 'SELECT greatest($1, $2)';"
	"CREATE FUNCTION min(bigint, bigint) RETURNS bigint"
	"  LANGUAGE sql IMMUTABLE AS 'SELECT least($1, $2)';"
	"CREATE FUNCTION json_each(text) RETURNS TABLE (value text)"
	"  LANGUAGE sql IMMUTABLE AS"
	"  'SELECT json_array_elements_text($1::json)';"
	/* messages.fts: to_tsvector() of a piece never fails (too long
	 * for a tsvector), and the pieces stop before the whole would. */
	"CREATE FUNCTION postdesk_fts(subject text, body text)"
	"  RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$"
	"DECLARE"
	"  v tsvector := setweight(to_tsvector('simple',"
	"    left(coalesce(subject, ''), 65536)), 'A');"
	"  c tsvector;"
	"  n integer := length(body);"
	"  i integer := 1;"
	"BEGIN"
	"  WHILE i <= n LOOP"
	"    c := to_tsvector('simple', substr(body, i, " PG_FTS_TEXT "));"
	"    EXIT WHEN pg_column_size(v) + pg_column_size(c) > "
	"      " PG_FTS_MAX ";"
	"    v := v || c;"
	"    i := i + " PG_FTS_TEXT ";"
	"  END LOOP;"
	"  RETURN v;"
	"END $$;"
	"CREATE TABLE blobs ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  size BIGINT NOT NULL,"
	"  data BYTEA NOT NULL"
	");"
	"CREATE TABLE tickets ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  subject TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'submitted',"
	"  queue TEXT NOT NULL DEFAULT 'support',"
	"  hotrush BIGINT NOT NULL DEFAULT 0,"
	"  requester TEXT NOT NULL,"
	"  owner TEXT,"
	"  linked_to BIGINT REFERENCES tickets(id),"
	"  created BIGINT NOT NULL,"
	"  updated BIGINT NOT NULL,"
	"  status_since BIGINT NOT NULL DEFAULT 0,"
	"  staff_reply_at BIGINT NOT NULL DEFAULT 0,"
	"  customer_at BIGINT NOT NULL DEFAULT 0,"
	"  first_response_at BIGINT NOT NULL DEFAULT 0,"
	"  merged_into BIGINT REFERENCES tickets(id),"
	"  priority TEXT NOT NULL DEFAULT 'normal',"
	"  priority_rank BIGINT NOT NULL DEFAULT 1"
	");"
	"CREATE INDEX tickets_status ON tickets(status, updated);"
	"CREATE INDEX tickets_queue ON tickets(queue, updated);"
	"CREATE INDEX tickets_updated ON tickets(updated);"
	"CREATE INDEX tickets_requester ON tickets(requester);"
	"CREATE INDEX tickets_created ON tickets(created);"
	"CREATE INDEX tickets_order ON tickets(hotrush DESC, priority_rank,"
	"  created);"
	"CREATE TABLE ticket_tags ("
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  tag TEXT NOT NULL,"
	"  PRIMARY KEY (ticket_id, tag)"
	");"
	"CREATE TABLE ticket_fields ("
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  name TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (ticket_id, name)"
	");"
	"CREATE TABLE participants ("
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  address CITEXT NOT NULL,"
	"  name TEXT,"
	"  role TEXT NOT NULL CHECK (role IN ('requester','cc','staff')),"
	"  bounced BIGINT NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (ticket_id, address)"
	");"
	"CREATE INDEX participants_address ON participants(address);"
	"CREATE TABLE messages ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('in','out')),"
	"  internal BIGINT NOT NULL DEFAULT 0,"
	"  message_id TEXT NOT NULL,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  from_addr TEXT,"
	"  from_name TEXT,"
	"  to_addrs TEXT,"
	"  cc_addrs TEXT,"
	"  envelope_from TEXT,"
	"  envelope_to TEXT,"
	"  client_ip TEXT,"
	"  subject TEXT,"
	"  date BIGINT,"
	"  received BIGINT NOT NULL,"
	"  text TEXT NOT NULL,"
	"  stripped TEXT NOT NULL,"
	"  body_hash TEXT NOT NULL,"
	"  raw_sha256 TEXT REFERENCES blobs(sha256),"
	"  spf TEXT,"
	"  auth_verdict TEXT,"
	"  auth TEXT,"
	"  fts TSVECTOR GENERATED ALWAYS AS ("
	"    postdesk_fts(subject, text)) STORED,"
	"  UNIQUE (message_id, body_hash)"
	");"
	"CREATE INDEX messages_message_id ON messages(message_id);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, id);"
	"CREATE INDEX messages_fts ON messages USING gin (fts);"
	"CREATE TABLE attachments ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  message_row BIGINT NOT NULL REFERENCES messages(id),"
	"  filename TEXT,"
	"  content_type TEXT NOT NULL,"
	"  disposition TEXT,"
	"  content_id TEXT,"
	"  size BIGINT NOT NULL,"
	"  sha256 TEXT NOT NULL REFERENCES blobs(sha256)"
	");"
	"CREATE INDEX attachments_message ON attachments(message_row);"
	"CREATE TABLE events ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  ticket_id BIGINT REFERENCES tickets(id),"
	"  message_row BIGINT REFERENCES messages(id),"
	"  at BIGINT NOT NULL,"
	"  actor TEXT,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT"
	");"
	"CREATE INDEX events_ticket ON events(ticket_id, id);"
	"CREATE INDEX events_kind_actor ON events(kind, actor, at);"
	"CREATE TABLE quarantine ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  received BIGINT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  raw_sha256 TEXT NOT NULL REFERENCES blobs(sha256),"
	"  size BIGINT NOT NULL,"
	"  envelope_from TEXT,"
	"  envelope_to TEXT,"
	"  client_ip TEXT,"
	"  replayed_as BIGINT REFERENCES messages(id)"
	");"
	"CREATE UNIQUE INDEX quarantine_raw_once ON quarantine(raw_sha256)"
	"  WHERE replayed_as IS NULL;"
	"CREATE TABLE outbox ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  ticket_id BIGINT REFERENCES tickets(id),"
	"  message_row BIGINT REFERENCES messages(id),"
	"  kind TEXT NOT NULL,"
	"  template TEXT,"
	"  recipients TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (status IN ('pending','sending','sent','failed',"
	"      'cancelled')),"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  next_attempt BIGINT NOT NULL DEFAULT 0,"
	"  claimed_by TEXT,"
	"  last_error TEXT,"
	"  created BIGINT NOT NULL,"
	"  updated BIGINT NOT NULL,"
	"  sent_row BIGINT REFERENCES messages(id),"
	"  sent_at BIGINT,"
	"  quarantine_id BIGINT REFERENCES quarantine(id),"
	"  raw_sha256 TEXT REFERENCES blobs(sha256),"
	"  lease_id TEXT,"
	"  lease_until BIGINT,"
	"  orphaned BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	"CREATE INDEX outbox_recipient ON outbox(recipients, kind, created);"
	"CREATE INDEX outbox_ticket ON outbox(ticket_id, id);"
	"CREATE TABLE ratings ("
	"  ticket_id BIGINT PRIMARY KEY REFERENCES tickets(id),"
	"  rating BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),"
	"  comment TEXT,"
	"  rated_by TEXT,"
	"  at BIGINT NOT NULL"
	");"
	"CREATE TABLE hotrush_offs ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  account CITEXT NOT NULL,"
	"  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
	"  actor TEXT,"
	"  at BIGINT NOT NULL"
	");"
	"CREATE INDEX hotrush_offs_account ON hotrush_offs(account);"
	"CREATE TABLE organizations ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  name CITEXT NOT NULL UNIQUE,"
	"  created BIGINT NOT NULL"
	");"
	"CREATE TABLE org_members ("
	"  address CITEXT PRIMARY KEY,"
	"  org_id BIGINT NOT NULL REFERENCES organizations(id),"
	"  role TEXT NOT NULL,"
	"  name TEXT"
	");"
	"CREATE INDEX org_members_org ON org_members(org_id);"
	"CREATE TABLE org_attributes ("
	"  org_id BIGINT NOT NULL REFERENCES organizations(id),"
	"  name CITEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (org_id, name)"
	");"
	"CREATE TABLE contacts ("
	"  address CITEXT PRIMARY KEY,"
	"  name TEXT,"
	"  created BIGINT NOT NULL,"
	"  notify_address CITEXT,"
	"  language TEXT"
	");"
	"CREATE TABLE address_changes ("
	"  id TEXT PRIMARY KEY,"
	"  address CITEXT NOT NULL,"
	"  new_address CITEXT NOT NULL,"
	"  ticket_id BIGINT REFERENCES tickets(id),"
	"  message_row BIGINT,"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  confirmed BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX address_changes_row ON address_changes(message_row);"
	"CREATE TABLE fetch_state ("
	"  source TEXT PRIMARY KEY,"
	"  uidvalidity BIGINT NOT NULL,"
	"  last_uid BIGINT NOT NULL,"
	"  updated BIGINT NOT NULL"
	");"
	"CREATE TABLE fetch_items ("
	"  source TEXT NOT NULL,"
	"  uidvalidity BIGINT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('pending','done','failed')),"
	"  attempts BIGINT NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  updated BIGINT NOT NULL,"
	"  PRIMARY KEY (source, uidvalidity, uid)"
	");"
	"CREATE TABLE web_links ("
	"  id TEXT PRIMARY KEY,"
	"  address CITEXT NOT NULL,"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  revoked BIGINT NOT NULL DEFAULT 0,"
	"  ticket BIGINT NOT NULL DEFAULT 0,"
	"  used BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX web_links_address ON web_links(address);"
	"CREATE TABLE web_sessions ("
	"  id TEXT PRIMARY KEY,"
	"  link_id TEXT NOT NULL REFERENCES web_links(id),"
	"  address CITEXT NOT NULL,"
	"  created BIGINT NOT NULL,"
	"  expires BIGINT NOT NULL,"
	"  last_seen BIGINT NOT NULL,"
	"  revoked BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX web_sessions_address ON web_sessions(address);"
	"CREATE INDEX web_sessions_link ON web_sessions(link_id);"
	"CREATE TABLE message_refs ("
	"  ref TEXT NOT NULL,"
	"  message_row BIGINT NOT NULL REFERENCES messages(id),"
	"  PRIMARY KEY (ref, message_row)"
	");"
	"CREATE TABLE intake_seen ("
	"  message_id TEXT NOT NULL,"
	"  body_hash TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  ticket_id BIGINT REFERENCES tickets(id),"
	"  quarantine_id BIGINT REFERENCES quarantine(id),"
	"  at BIGINT NOT NULL,"
	"  PRIMARY KEY (message_id, body_hash)"
	");"
	"CREATE TABLE staff ("
	"  address CITEXT PRIMARY KEY,"
	"  name TEXT,"
	"  role TEXT NOT NULL DEFAULT 'agent'"
	"    CHECK (role IN ('agent','lead','admin')),"
	"  queues TEXT NOT NULL DEFAULT '',"
	"  notify TEXT NOT NULL DEFAULT 'mine'"
	"    CHECK (notify IN ('all','mine','none')),"
	"  disabled BIGINT NOT NULL DEFAULT 0,"
	"  created BIGINT NOT NULL,"
	"  updated BIGINT NOT NULL"
	");";

/* PostgreSQL starts from pg_baseline, not from SQLite's history. */
static bool
is_postgresql(struct store *s)
{
	return strcmp(db_backend_name(s->db), "postgresql") == 0;
}

/* Called inside an exclusive transaction by store_open(). */
bool
store_schema_migrate(struct store *s, int from, GError **err)
{
	int	 v, rc;

	if (from > STORE_SCHEMA_VERSION) {
		g_set_error(err, STORE_ERROR, STORE_ERROR_SCHEMA,
		    "database schema version %d is newer than this "
		    "postdesk (%d); upgrade postdesk", from,
		    STORE_SCHEMA_VERSION);
		return false;
	}
	v = from;
	if (is_postgresql(s) && v < PG_BASELINE) {
		if (v != 0) {
			g_set_error(err, STORE_ERROR, STORE_ERROR_SCHEMA,
			    "PostgreSQL schema version %d predates its "
			    "baseline %d", v, PG_BASELINE);
			return false;
		}
		rc = db_exec(s->db, pg_baseline, NULL, NULL, NULL);
		if (rc != DB_OK)
			return store_fail(s, rc, err);
		v = PG_BASELINE;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		/* Migration text is a compile-time constant, not input. */
		rc = db_exec(s->db, migrations[v], NULL, NULL, NULL);
		if (rc != DB_OK)
			return store_fail(s, rc, err);
	}
	if (from == STORE_SCHEMA_VERSION)
		return true;
	rc = db_set_user_version(s->db, STORE_SCHEMA_VERSION);
	return rc == DB_OK || store_fail(s, rc, err);
}
