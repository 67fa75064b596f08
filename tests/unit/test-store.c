/*
 * Unit tests for the store (src/store*.c) on real SQLite files in a
 * temporary directory.  The test opens a second, plain SQLite connection
 * where it must look behind the store's back (journal mode, row counts,
 * a schema version from the future); the store itself is only used
 * through store.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store.h"

struct fixture {
	char		*dir;
	char		*path;
	struct store	*s;
};

static void
fx_setup(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;

	fx->dir = g_dir_make_tmp("pd-store-XXXXXX", &e);
	g_assert_no_error(e);
	fx->path = g_build_filename(fx->dir, "postdesk.db", NULL);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
}

static void
fx_teardown(struct fixture *fx, gconstpointer data)
{
	GDir		*d;
	const char	*n;

	store_close(fx->s);
	/* The read-only test may have left the directory unwritable. */
	(void)g_chmod(fx->dir, 0700);
	d = g_dir_open(fx->dir, 0, NULL);
	while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
		char *p = g_build_filename(fx->dir, n, NULL);

		(void)g_chmod(p, 0600);
		g_unlink(p);
		g_free(p);
	}
	if (d != NULL)
		g_dir_close(d);
	g_rmdir(fx->dir);
	g_free(fx->path);
	g_free(fx->dir);
}

/* One integer from SQL run on a separate plain connection. */
static gint64
raw_int(const struct fixture *fx, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	gint64		 v;

	g_assert_cmpint(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY,
	    NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static char *
raw_text(const struct fixture *fx, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*v;

	g_assert_cmpint(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY,
	    NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==,
	    SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	v = g_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
raw_exec(const struct fixture *fx, const char *sql)
{
	sqlite3	*db;

	g_assert_cmpint(sqlite3_open(fx->path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, sql, NULL, NULL, NULL), ==,
	    SQLITE_OK);
	sqlite3_close(db);
}

static int64_t
new_ticket(struct store *s, const char *subject, const char *requester)
{
	struct ticket	 t = { 0 };
	GError		*e = NULL;

	t.subject = (char *)subject;
	t.requester = (char *)requester;
	t.created = 1700000000;
	g_assert_true(store_ticket_insert(s, &t, &e));
	g_assert_no_error(e);
	g_assert_cmpint(t.id, >, 0);
	return t.id;
}

static int64_t
new_message(struct store *s, int64_t ticket, const char *msgid,
    const char *hash, GError **err)
{
	struct message	 m = { 0 };

	m.ticket_id = ticket;
	m.message_id = (char *)msgid;
	m.body_hash = (char *)hash;
	m.subject = (char *)"subject";
	m.text = (char *)"text";
	m.stripped = (char *)"text";
	m.received = 1700000001;
	if (!store_message_insert(s, &m, err))
		return 0;
	return m.id;
}

/*
 * message-view-head: a message longer than STORE_MESSAGE_HEAD
 * characters keeps its head apart, and store_thread_head() gives the
 * same cut from it as from the whole text; a text of more bytes but
 * not more characters (é is two) has no head row; an update rewrites
 * the head.
 */
static void
test_message_heads(struct fixture *fx, gconstpointer data)
{
	int64_t		 t = new_ticket(fx->s, "long", "ann@example.com");
	struct message	 m = { 0 }, m2 = { 0 };
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	GString		*big = g_string_new(NULL);
	char		*wide;
	gsize		 i;

	(void)data;
	for (i = 0; i < STORE_MESSAGE_HEAD + 100; i++)
		g_string_append_c(big, (char)('a' + i % 26));
	{
		GString *w = g_string_new(NULL);

		for (i = 0; i < STORE_MESSAGE_HEAD / 2 + 10; i++)
			g_string_append(w, "\xc3\xa9");	/* é */
		wide = g_string_free(w, FALSE);
	}
	m.ticket_id = m2.ticket_id = t;
	m.message_id = (char *)"long@x";
	m2.message_id = (char *)"wide@x";
	m.body_hash = m2.body_hash = (char *)"h";
	m.subject = m2.subject = (char *)"s";
	m.text = big->str;
	m.stripped = (char *)"short";
	m2.text = m2.stripped = wide;
	g_assert_true(store_message_insert(fx->s, &m, &e));
	g_assert_true(store_message_insert(fx->s, &m2, &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM message_heads"), ==,
	    1);
	g_assert_cmpint(raw_int(fx, "SELECT length(text_head) FROM "
	    "message_heads"), ==, STORE_MESSAGE_HEAD);
	g_assert_true(store_thread_head(fx->s, t, 1000, &a, &e));
	g_assert_no_error(e);
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpuint(strlen(((struct message *)a->pdata[0])->text), ==,
	    1000);
	g_assert_true(strncmp(((struct message *)a->pdata[0])->text, big->str,
	    1000) == 0);
	g_assert_cmpstr(((struct message *)a->pdata[0])->stripped, ==,
	    "short");
	g_assert_cmpuint(g_utf8_strlen(((struct message *)a->pdata[1])->text,
	    -1), ==, 1000);
	g_ptr_array_free(a, TRUE);
	/* More than the head holds: read from the message itself. */
	g_assert_true(store_thread_head(fx->s, t, STORE_MESSAGE_HEAD + 50,
	    &a, &e));
	g_assert_cmpuint(strlen(((struct message *)a->pdata[0])->text), ==,
	    STORE_MESSAGE_HEAD + 50);
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_message_update_text(fx->s, m.id, "s", "now short",
	    "now short", &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM message_heads"), ==,
	    0);
	g_string_free(big, TRUE);
	g_free(wide);
}

static void
test_open_migrate(struct fixture *fx, gconstpointer data)
{
	struct store	*r = NULL;
	GError		*e = NULL;

	g_assert_cmpint(store_schema_version(fx->s), ==, STORE_SCHEMA_VERSION);
	g_assert_cmpint(raw_int(fx, "PRAGMA user_version"), ==,
	    STORE_SCHEMA_VERSION);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM sqlite_master "
	    "WHERE name IN ('tickets','messages','participants','blobs',"
	    "'attachments','events','outbox','quarantine','messages_fts')"),
	    ==, 9);
	/* Opening again does not migrate twice. */
	store_close(fx->s);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
	g_assert_cmpint(store_schema_version(fx->s), ==, STORE_SCHEMA_VERSION);
	g_assert_true(store_open(&r, fx->path, STORE_READONLY, &e));
	g_assert_no_error(e);
	g_assert_cmpint(store_schema_version(r), ==, STORE_SCHEMA_VERSION);
	store_close(r);
	store_close(NULL);
}

/*
 * 12 → 13: a database with the fixed priorities (the CHECK, and the
 * index on the CASE) gets ranks; the CHECK goes; the foreign keys, the
 * full-text triggers and the other columns stay.
 */
static void
test_migrate_priority_rank(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;
	int64_t	 a = new_ticket(fx->s, "one", "ann@example.com");
	int64_t	 b = new_ticket(fx->s, "two", "bob@example.com");
	char	*sql, *v;

	store_close(fx->s);
	fx->s = NULL;
	/*
	 * Back to schema 15: the tickets.priority that 0 → 1 made, and no
	 * contacts.language yet, so that 15 → 16 and 16 → 17 both run.
	 */
	sql = g_strdup_printf("DROP INDEX tickets_order;"
	    "ALTER TABLE tickets DROP COLUMN priority_rank;"
	    "ALTER TABLE tickets DROP COLUMN priority;"
	    "ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT"
	    " 'normal' CHECK (priority IN ('minor','normal','major'));"
	    "CREATE INDEX tickets_order ON tickets(hotrush DESC,"
	    " CASE priority WHEN 'major' THEN 0 WHEN 'normal' THEN 1 ELSE 2"
	    " END, created);"
	    "UPDATE tickets SET priority = 'major' WHERE id = %" G_GINT64_FORMAT
	    "; UPDATE tickets SET priority = 'minor' WHERE id = %"
	    G_GINT64_FORMAT ";"
	    "INSERT INTO messages (ticket_id, direction, message_id,"
	    " received, text, stripped, body_hash, subject) VALUES (%"
	    G_GINT64_FORMAT ", 'in', 'm1@x', 1, 'zebracrossing', '', 'h',"
	    " 's');"
	    "ALTER TABLE contacts DROP COLUMN language;"
	    "DROP TABLE ticket_links;"	/* 18 → 19 makes it again */
	    "DROP TABLE message_heads;"	/* 19 → 20 too */
	    "ALTER TABLE contacts DROP COLUMN notifications_off;" /* 20 → 21 */
	    "PRAGMA user_version = 15;", a, b, a);
	raw_exec(fx, sql);
	g_free(sql);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "PRAGMA user_version"), ==,
	    STORE_SCHEMA_VERSION);
	/* 20 → 21: every contact's notifications are on. */
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM"
	    " pragma_table_info('contacts') WHERE name = 'notifications_off'"
	    " AND dflt_value = '0'"), ==, 1);
	sql = g_strdup_printf("SELECT priority_rank FROM tickets WHERE id = %"
	    G_GINT64_FORMAT, a);
	g_assert_cmpint(raw_int(fx, sql), ==, 0);
	g_free(sql);
	sql = g_strdup_printf("SELECT priority_rank || priority FROM tickets"
	    " WHERE id = %" G_GINT64_FORMAT, b);
	v = raw_text(fx, sql);
	g_assert_cmpstr(v, ==, "2minor");
	g_free(v);
	g_free(sql);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " name = 'tickets_order' AND sql LIKE '%priority_rank%'"), ==, 1);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " name = 'tickets' AND sql LIKE '%CHECK%'"), ==, 0);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM sqlite_master WHERE"
	    " name IN ('tickets_status', 'tickets_queue', 'tickets_updated',"
	    " 'tickets_requester', 'tickets_created', 'messages_ai',"
	    " 'messages_ad', 'messages_au')"), ==, 8);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM messages_fts WHERE"
	    " messages_fts MATCH 'zebracrossing'"), ==, 1);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM"
	    " pragma_foreign_key_list('messages') WHERE \"table\" ="
	    " 'tickets'"), ==, 1);
	/* Any configured name now, with its rank. */
	g_assert_true(store_ticket_set_priority(fx->s, a, "Highest", 0, &e));
	g_assert_no_error(e);
	sql = g_strdup_printf("SELECT priority FROM tickets WHERE id = %"
	    G_GINT64_FORMAT, a);
	v = raw_text(fx, sql);
	g_assert_cmpstr(v, ==, "Highest");
	g_free(v);
	g_free(sql);
}

/* Read-only mode never creates a database. */
static void
test_open_readonly_missing(struct fixture *fx, gconstpointer data)
{
	struct store	*r = NULL;
	GError		*e = NULL;
	char		*p = g_build_filename(fx->dir, "none.db", NULL);

	g_assert_false(store_open(&r, p, STORE_READONLY, &e));
	g_assert_nonnull(e);
	g_assert_true(e->domain == STORE_ERROR);
	g_assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
	g_clear_error(&e);
	g_free(p);
}

static void
test_pragmas(struct fixture *fx, gconstpointer data)
{
	char	*mode = raw_text(fx, "PRAGMA journal_mode");
	GError	*e = NULL;

	g_assert_cmpstr(mode, ==, "wal");
	g_free(mode);
	/* Foreign keys are enforced on the store's connection. */
	g_assert_cmpint(new_message(fx->s, 4242, "orphan@x", "h", &e), ==, 0);
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_assert_false(store_error_is_transient(e));
	g_clear_error(&e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM messages"), ==, 0);
}

static void
test_blobs(struct fixture *fx, gconstpointer data)
{
	static const char bin[] = "a\0b\0\0\r\n\xff\xfe end";
	char		 h1[65], h2[65], h3[65];
	char		*want;
	GBytes		*b = NULL;
	GError		*e = NULL;
	gsize		 len;
	const char	*p;

	g_assert_true(store_blob_put(fx->s, bin, sizeof bin, h1, &e));
	g_assert_no_error(e);
	want = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)bin, sizeof bin);
	g_assert_cmpstr(h1, ==, want);
	g_free(want);
	/* Same bytes again: same address, still one row. */
	g_assert_true(store_blob_put(fx->s, bin, sizeof bin, h2, &e));
	g_assert_cmpstr(h1, ==, h2);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM blobs"), ==, 1);
	/* Byte-exact round trip, NULs included. */
	g_assert_true(store_blob_get(fx->s, h1, &b, &e));
	g_assert_no_error(e);
	p = g_bytes_get_data(b, &len);
	g_assert_cmpmem(p, len, bin, sizeof bin);
	g_bytes_unref(b);
	/* The empty blob is a blob too. */
	g_assert_true(store_blob_put(fx->s, "", 0, h3, &e));
	g_assert_cmpstr(h3, ==, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	g_assert_true(store_blob_get(fx->s, h3, &b, &e));
	g_assert_cmpuint(g_bytes_get_size(b), ==, 0);
	g_bytes_unref(b);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM blobs"), ==, 2);
	g_assert_false(store_blob_get(fx->s, "00", &b, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
}

static void
test_tickets(struct fixture *fx, gconstpointer data)
{
	struct ticket	 t = { 0 }, *g = NULL;
	struct ticket_filter f = { 0 };
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	bool		 exists = true;
	int64_t		 id2;

	t.subject = (char *)"Printer \xc3\xa9 broken";
	t.requester = (char *)"ann@example.com";
	t.queue = (char *)"sales";
	t.priority = (char *)"major";
	t.created = 1700000000;
	g_assert_true(store_ticket_insert(fx->s, &t, &e));
	g_assert_no_error(e);
	g_assert_true(store_ticket_get(fx->s, t.id, &g, &e));
	g_assert_cmpstr(g->subject, ==, t.subject);
	g_assert_cmpstr(g->requester, ==, "ann@example.com");
	g_assert_cmpstr(g->status, ==, "submitted");
	g_assert_cmpstr(g->queue, ==, "sales");
	g_assert_cmpstr(g->priority, ==, "major");
	g_assert_null(g->owner);
	g_assert_false(g->hotrush);
	g_assert_cmpint(g->linked_to, ==, 0);
	g_assert_cmpint(g->created, ==, 1700000000);
	g_assert_cmpint(g->updated, ==, 1700000000);
	g_assert_cmpint(g->n_messages, ==, 0);
	ticket_free(g);
	ticket_free(NULL);

	/* Changes, tags, fields, touch never goes back in time. */
	g_assert_true(store_ticket_set(fx->s, t.id, "status", "assigned",
	    &e));
	g_assert_true(store_ticket_set(fx->s, t.id, "owner", "bob", &e));
	g_assert_true(store_ticket_set_hotrush(fx->s, t.id, true, &e));
	g_assert_false(store_ticket_set(fx->s, t.id, "requester; DROP", "x",
	    &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_OTHER);
	g_clear_error(&e);
	/* The priority goes with its rank, never alone. */
	g_assert_false(store_ticket_set(fx->s, t.id, "priority", "urgent",
	    &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_OTHER);
	g_clear_error(&e);
	g_assert_true(store_ticket_touch(fx->s, t.id, 1700000500, &e));
	g_assert_true(store_ticket_touch(fx->s, t.id, 1700000100, &e));
	g_assert_true(store_ticket_add_tag(fx->s, t.id, "vip", &e));
	g_assert_true(store_ticket_add_tag(fx->s, t.id, "vip", &e));
	g_assert_true(store_ticket_add_tag(fx->s, t.id, "billing", &e));
	g_assert_true(store_ticket_set_field(fx->s, t.id, "os", "linux", &e));
	g_assert_true(store_ticket_set_field(fx->s, t.id, "os", "bsd", &e));
	g_assert_no_error(e);
	g_assert_true(store_ticket_get(fx->s, t.id, &g, &e));
	g_assert_cmpstr(g->status, ==, "assigned");
	g_assert_cmpstr(g->owner, ==, "bob");
	g_assert_true(g->hotrush);
	g_assert_cmpstr(g->priority, ==, "major");
	g_assert_cmpint(g->updated, ==, 1700000500);
	ticket_free(g);
	g_assert_true(store_ticket_tags(fx->s, t.id, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpstr(a->pdata[0], ==, "billing");
	g_assert_cmpstr(a->pdata[1], ==, "vip");
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_ticket_fields(fx->s, t.id, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpstr(a->pdata[0], ==, "os=bsd");
	g_ptr_array_free(a, TRUE);

	/* A second ticket linked to the first; list and filters. */
	memset(&t, 0, sizeof t);
	t.subject = (char *)"second";
	t.requester = (char *)"cy@example.com";
	t.linked_to = 1;
	t.created = 1700000200;
	g_assert_true(store_ticket_insert(fx->s, &t, &e));
	id2 = t.id;
	g_assert_true(store_ticket_get(fx->s, id2, &g, &e));
	g_assert_cmpint(g->linked_to, ==, 1);
	ticket_free(g);
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	/* Most recently updated first. */
	g_assert_cmpint(((struct ticket *)a->pdata[0])->id, ==, 1);
	g_assert_cmpint(((struct ticket *)a->pdata[1])->id, ==, id2);
	g_ptr_array_free(a, TRUE);
	f.status = "submitted";
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpint(((struct ticket *)a->pdata[0])->id, ==, id2);
	g_ptr_array_free(a, TRUE);
	f.status = NULL;
	f.queue = "sales";
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpint(((struct ticket *)a->pdata[0])->id, ==, 1);
	g_ptr_array_free(a, TRUE);
	f.queue = NULL;
	f.limit = 1;
	f.offset = 1;
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpint(((struct ticket *)a->pdata[0])->id, ==, id2);
	g_ptr_array_free(a, TRUE);
	g_assert_no_error(e);

	g_assert_true(store_ticket_exists(fx->s, id2, &exists, &e));
	g_assert_true(exists);
	g_assert_true(store_ticket_exists(fx->s, 999, &exists, &e));
	g_assert_false(exists);
	g_assert_false(store_ticket_get(fx->s, 999, &g, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	/* A link to a ticket that does not exist is refused. */
	memset(&t, 0, sizeof t);
	t.subject = (char *)"dangling";
	t.requester = (char *)"x@example.com";
	t.linked_to = 999;
	g_assert_false(store_ticket_insert(fx->s, &t, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
}

static void
test_participants(struct fixture *fx, gconstpointer data)
{
	int64_t	 t = new_ticket(fx->s, "p", "ann@example.com");
	int64_t	 u = new_ticket(fx->s, "q", "cy@example.com");
	GError	*e = NULL;
	bool	 yes = false;

	g_assert_true(store_participant_add(fx->s, t, "ann@example.com",
	    "Ann", "requester", &e));
	g_assert_true(store_participant_add(fx->s, t, "bo@example.com", NULL,
	    "cc", &e));
	g_assert_true(store_participant_add(fx->s, t, "staff@example.com",
	    "Staff", "staff", &e));
	/* Seen again: no duplicate, no error. */
	g_assert_true(store_participant_add(fx->s, t, "ANN@example.com",
	    "Ann B", "cc", &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM participants"),
	    ==, 3);
	/* The requester stays requester. */
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM participants WHERE"
	    " address = 'ann@example.com' AND role = 'requester'"), ==, 1);
	g_assert_true(store_participant_is(fx->s, t, "ann@example.com", &yes,
	    &e));
	g_assert_true(yes);
	g_assert_true(store_participant_is(fx->s, t, "Bo@Example.com", &yes,
	    &e));
	g_assert_true(yes);
	g_assert_true(store_participant_is(fx->s, t, "cy@example.com", &yes,
	    &e));
	g_assert_false(yes);
	g_assert_true(store_participant_is(fx->s, u, "ann@example.com", &yes,
	    &e));
	g_assert_false(yes);
	g_assert_no_error(e);
	g_assert_false(store_participant_add(fx->s, t, "z@example.com", NULL,
	    "boss", &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	g_assert_false(store_participant_add(fx->s, 999, "z@example.com",
	    NULL, "cc", &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
}

static void
test_messages(struct fixture *fx, gconstpointer data)
{
	int64_t		 t = new_ticket(fx->s, "m", "ann@example.com");
	int64_t		 t2 = new_ticket(fx->s, "n", "cy@example.com");
	struct message	 m = { 0 }, *g = NULL;
	struct ticket	*tk = NULL;
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	char		 sha[65];
	int64_t		 found_t = 0;
	bool		 found = false;

	g_assert_true(store_blob_put(fx->s, "raw", 3, sha, &e));
	m.ticket_id = t;
	m.message_id = (char *)"abc@example.com";
	m.in_reply_to = (char *)"prev@example.com";
	m.references = (char *)"first@example.com prev@example.com";
	m.from_addr = (char *)"ann@example.com";
	m.from_name = (char *)"Ann \xc3\x85";
	m.to_addrs = (char *)"support@example.com";
	m.cc_addrs = (char *)"bo@example.com, cy@example.com";
	m.envelope_from = (char *)"bounce@example.com";
	m.envelope_to = (char *)"support@example.com";
	m.client_ip = (char *)"192.0.2.1";
	m.subject = (char *)"Hello";
	m.date = 1699999999;
	m.received = 1700000001;
	m.text = (char *)"full text with zebra\n> quoted";
	m.stripped = (char *)"full text with zebra";
	m.body_hash = (char *)"hash1";
	m.raw_sha256 = sha;
	g_assert_true(store_message_insert(fx->s, &m, &e));
	g_assert_no_error(e);
	g_assert_cmpint(m.id, >, 0);
	g_assert_true(store_message_get(fx->s, "abc@example.com", &g, &e));
	g_assert_cmpint(g->id, ==, m.id);
	g_assert_cmpint(g->ticket_id, ==, t);
	g_assert_false(g->outbound);
	g_assert_false(g->internal);
	g_assert_cmpstr(g->in_reply_to, ==, m.in_reply_to);
	g_assert_cmpstr(g->references, ==, m.references);
	g_assert_cmpstr(g->from_addr, ==, m.from_addr);
	g_assert_cmpstr(g->from_name, ==, m.from_name);
	g_assert_cmpstr(g->to_addrs, ==, m.to_addrs);
	g_assert_cmpstr(g->cc_addrs, ==, m.cc_addrs);
	g_assert_cmpstr(g->envelope_from, ==, m.envelope_from);
	g_assert_cmpstr(g->envelope_to, ==, m.envelope_to);
	g_assert_cmpstr(g->client_ip, ==, m.client_ip);
	g_assert_cmpstr(g->subject, ==, "Hello");
	g_assert_cmpint(g->date, ==, 1699999999);
	g_assert_cmpint(g->received, ==, 1700000001);
	g_assert_cmpstr(g->text, ==, m.text);
	g_assert_cmpstr(g->stripped, ==, m.stripped);
	g_assert_cmpstr(g->body_hash, ==, "hash1");
	g_assert_cmpstr(g->raw_sha256, ==, sha);
	g_assert_null(g->spf);
	message_free(g);
	message_free(NULL);

	/* An outbound internal note in the same ticket. */
	memset(&m, 0, sizeof m);
	m.ticket_id = t;
	m.outbound = true;
	m.internal = true;
	m.message_id = (char *)"pd.1.2.x@example.com";
	m.body_hash = (char *)"hash2";
	m.received = 1700000002;
	g_assert_true(store_message_insert(fx->s, &m, &e));
	g_assert_true(store_message_get_row(fx->s, m.id, &g, &e));
	g_assert_true(g->outbound);
	g_assert_true(g->internal);
	g_assert_cmpstr(g->text, ==, "");
	message_free(g);
	g_assert_false(store_message_get_row(fx->s, 9999, &g, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	g_assert_false(store_message_get(fx->s, "nope@x", &g, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);

	/* Threading lookups, inbound and outbound ids alike. */
	g_assert_true(store_message_ticket(fx->s, "abc@example.com",
	    &found_t, &found, &e));
	g_assert_true(found);
	g_assert_cmpint(found_t, ==, t);
	g_assert_true(store_message_ticket(fx->s, "pd.1.2.x@example.com",
	    &found_t, &found, &e));
	g_assert_true(found);
	g_assert_true(store_message_ticket(fx->s, "ABC@example.com",
	    &found_t, &found, &e));
	g_assert_false(found);

	/* Duplicates: same id and same body hash only. */
	g_assert_true(store_message_duplicate(fx->s, "abc@example.com",
	    "hash1", &found_t, &found, &e));
	g_assert_true(found);
	g_assert_cmpint(found_t, ==, t);
	g_assert_true(store_message_duplicate(fx->s, "abc@example.com",
	    "other", &found_t, &found, &e));
	g_assert_false(found);
	g_assert_no_error(e);
	g_assert_cmpint(new_message(fx->s, t2, "abc@example.com", "hash1",
	    &e), ==, 0);
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	/* Same Message-ID, different body: stored (e.g. a re-send). */
	g_assert_cmpint(new_message(fx->s, t2, "abc@example.com", "hash3",
	    &e), >, 0);
	g_assert_no_error(e);

	g_assert_true(store_thread(fx->s, t, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_assert_cmpstr(((struct message *)a->pdata[0])->message_id, ==,
	    "abc@example.com");
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_message_rows(fx->s, t2, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_message_rows(fx->s, 0, &a, &e));
	g_assert_cmpuint(a->len, ==, 3);
	g_ptr_array_free(a, TRUE);

	/* Full-text search follows inserts and text updates. */
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM messages_fts "
	    "WHERE messages_fts MATCH 'zebra'"), ==, 1);
	g_assert_true(store_message_update_text(fx->s, 1, "Hello",
	    "now about giraffes", "giraffes", &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM messages_fts "
	    "WHERE messages_fts MATCH 'zebra'"), ==, 0);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM messages_fts "
	    "WHERE messages_fts MATCH 'giraffes'"), ==, 1);
	g_assert_true(store_ticket_get(fx->s, t, &tk, &e));
	g_assert_cmpint(tk->n_messages, ==, 2);
	ticket_free(tk);
}

static void
test_attachments(struct fixture *fx, gconstpointer data)
{
	int64_t		 t = new_ticket(fx->s, "a", "ann@example.com");
	int64_t		 row = new_message(fx->s, t, "att@x", "h", NULL);
	struct attachment a = { 0 }, *g;
	GPtrArray	*list = NULL;
	GError		*e = NULL;
	char		 sha[65];

	g_assert_cmpint(row, >, 0);
	g_assert_true(store_blob_put(fx->s, "%PDF-1.4", 8, sha, &e));
	a.message_row = row;
	a.filename = (char *)"r\xc3\xa9sum\xc3\xa9.pdf";
	a.content_type = (char *)"application/pdf";
	a.disposition = (char *)"attachment";
	a.size = 8;
	a.sha256 = sha;
	g_assert_true(store_attachment_insert(fx->s, &a, &e));
	/* The same file attached twice: one blob, two attachment rows. */
	a.filename = (char *)"copy.pdf";
	a.disposition = (char *)"inline";
	a.content_id = (char *)"img1@x";
	g_assert_true(store_attachment_insert(fx->s, &a, &e));
	g_assert_no_error(e);
	g_assert_true(store_attachments(fx->s, row, &list, &e));
	g_assert_cmpuint(list->len, ==, 2);
	g = list->pdata[0];
	g_assert_cmpstr(g->filename, ==, "r\xc3\xa9sum\xc3\xa9.pdf");
	g_assert_cmpstr(g->content_type, ==, "application/pdf");
	g_assert_cmpstr(g->disposition, ==, "attachment");
	g_assert_null(g->content_id);
	g_assert_cmpint(g->size, ==, 8);
	g_assert_cmpstr(g->sha256, ==, sha);
	g = list->pdata[1];
	g_assert_cmpstr(g->content_id, ==, "img1@x");
	g_ptr_array_free(list, TRUE);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM blobs"), ==, 1);
	/* An attachment must point at a stored blob. */
	a.sha256 = (char *)"deadbeef";
	g_assert_false(store_attachment_insert(fx->s, &a, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	g_assert_true(store_attachments_delete(fx->s, row, &e));
	g_assert_true(store_attachments(fx->s, row, &list, &e));
	g_assert_cmpuint(list->len, ==, 0);
	g_ptr_array_free(list, TRUE);
	attachment_free(NULL);
}

static void
test_events(struct fixture *fx, gconstpointer data)
{
	int64_t		 t = new_ticket(fx->s, "e", "ann@example.com");
	int64_t		 row = new_message(fx->s, t, "ev@x", "h", NULL);
	GPtrArray	*a = NULL;
	struct event	*ev;
	GError		*e = NULL;

	g_assert_true(store_event_add(fx->s, t, row, 1700000005,
	    "ann@example.com", "created", "subject", &e));
	g_assert_true(store_event_add(fx->s, t, 0, 1700000006, NULL,
	    "status", "submitted \xe2\x86\x92 closed", &e));
	/* An event about no ticket (e.g. a refused message). */
	g_assert_true(store_event_add(fx->s, 0, 0, 1700000007, "x", "refused",
	    NULL, &e));
	g_assert_no_error(e);
	g_assert_true(store_events(fx->s, t, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	ev = a->pdata[0];
	g_assert_cmpint(ev->ticket_id, ==, t);
	g_assert_cmpint(ev->message_row, ==, row);
	g_assert_cmpint(ev->at, ==, 1700000005);
	g_assert_cmpstr(ev->actor, ==, "ann@example.com");
	g_assert_cmpstr(ev->kind, ==, "created");
	g_assert_cmpstr(ev->detail, ==, "subject");
	ev = a->pdata[1];
	g_assert_cmpint(ev->message_row, ==, 0);
	g_assert_null(ev->actor);
	g_assert_cmpstr(ev->detail, ==, "submitted \xe2\x86\x92 closed");
	g_ptr_array_free(a, TRUE);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM events WHERE "
	    "ticket_id IS NULL"), ==, 1);
	g_assert_false(store_event_add(fx->s, 999, 0, 1, NULL, "x", NULL,
	    &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	event_free(NULL);
}

static void
test_quarantine(struct fixture *fx, gconstpointer data)
{
	struct quarantine_entry q = { 0 }, *g = NULL;
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	char		 sha[65];
	int64_t		 t, row, first, found;
	bool		 added = false;

	g_assert_true(store_blob_put(fx->s, "\0garbage", 8, sha, &e));
	q.received = 1700000010;
	q.reason = (char *)"not a mail message";
	q.raw_sha256 = sha;
	q.size = 8;
	q.envelope_from = (char *)"x@example.net";
	q.envelope_to = (char *)"support@example.com";
	q.client_ip = (char *)"198.51.100.7";
	g_assert_true(store_quarantine_add(fx->s, &q, &added, &e));
	g_assert_no_error(e);
	g_assert_true(added);
	g_assert_cmpint(q.id, >, 0);
	first = q.id;
	g_assert_true(store_quarantine_find_raw(fx->s, sha, &found, &e));
	g_assert_cmpint(found, ==, first);
	/* The same bytes again: the entry that holds them, nothing new. */
	q.id = 0;
	g_assert_true(store_quarantine_add(fx->s, &q, &added, &e));
	g_assert_false(added);
	g_assert_cmpint(q.id, ==, first);
	g_assert_true(store_quarantine_get(fx->s, q.id, &g, &e));
	g_assert_cmpint(g->received, ==, 1700000010);
	g_assert_cmpstr(g->reason, ==, q.reason);
	g_assert_cmpstr(g->raw_sha256, ==, sha);
	g_assert_cmpint(g->size, ==, 8);
	g_assert_cmpstr(g->envelope_from, ==, "x@example.net");
	g_assert_cmpstr(g->envelope_to, ==, "support@example.com");
	g_assert_cmpstr(g->client_ip, ==, "198.51.100.7");
	g_assert_cmpint(g->replayed_as, ==, 0);
	quarantine_entry_free(g);
	t = new_ticket(fx->s, "r", "x@example.net");
	row = new_message(fx->s, t, "replayed@x", "h", NULL);
	g_assert_true(store_quarantine_mark_replayed(fx->s, q.id, row, &e));
	g_assert_true(store_quarantine_list(fx->s, &a, &e));
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_cmpint(((struct quarantine_entry *)a->pdata[0])->replayed_as,
	    ==, row);
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_quarantine_find_raw(fx->s, sha, &found, &e));
	g_assert_cmpint(found, ==, 0);
	/* Once replayed, the same bytes may be quarantined anew. */
	g_assert_true(store_quarantine_add(fx->s, &q, &added, &e));
	g_assert_true(added);
	g_assert_cmpint(q.id, >, first);
	g_assert_false(store_quarantine_get(fx->s, 77, &g, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	/* Quarantine rows must point at their raw bytes. */
	q.raw_sha256 = (char *)"0000";
	g_assert_false(store_quarantine_add(fx->s, &q, &added, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	quarantine_entry_free(NULL);
}

/* What intake did with mail it did not store: once per message. */
static void
test_intake_seen(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;
	char	*outcome = NULL;
	int64_t	 ticket = 7;
	bool	 found = true;

	g_assert_true(store_intake_seen_get(fx->s, "a@x", "h", &outcome,
	    &ticket, &found, &e));
	g_assert_false(found);
	g_assert_null(outcome);
	g_assert_cmpint(ticket, ==, 0);
	g_assert_true(store_intake_seen_add(fx->s, "a@x", "h", "refused", 0,
	    0, 1700000000, &e));
	g_assert_no_error(e);
	g_assert_true(store_intake_seen_get(fx->s, "a@x", "h", &outcome,
	    &ticket, &found, &e));
	g_assert_true(found);
	g_assert_cmpstr(outcome, ==, "refused");
	g_assert_cmpint(ticket, ==, 0);
	g_free(outcome);
	/* Another body under the same Message-ID is another message. */
	g_assert_true(store_intake_seen_get(fx->s, "a@x", "h2", &outcome,
	    &ticket, &found, &e));
	g_assert_false(found);
	/* The constraint behind the check. */
	g_assert_false(store_intake_seen_add(fx->s, "a@x", "h", "bounce", 0,
	    0, 1700000001, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
}

/* A transaction that fails half-way leaves nothing behind. */
static void
test_rollback(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;
	GBytes	*b = NULL;
	char	 sha[65];
	bool	 exists = true;
	int64_t	 t;

	g_assert_true(store_begin(fx->s, &e));
	t = new_ticket(fx->s, "doomed", "ann@example.com");
	g_assert_true(store_blob_put(fx->s, "doomed raw", 10, sha, &e));
	g_assert_cmpint(new_message(fx->s, t, "doomed@x", "h", &e), >, 0);
	g_assert_true(store_event_add(fx->s, t, 0, 1, NULL, "created", NULL,
	    &e));
	/* The second insert of the same message fails ... */
	g_assert_cmpint(new_message(fx->s, t, "doomed@x", "h", &e), ==, 0);
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CONSTRAINT);
	g_clear_error(&e);
	/* ... and the caller rolls the whole message back. */
	store_rollback(fx->s);
	store_rollback(fx->s);		/* harmless outside a transaction */
	g_assert_true(store_ticket_exists(fx->s, t, &exists, &e));
	g_assert_false(exists);
	g_assert_false(store_blob_get(fx->s, sha, &b, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_NOTFOUND);
	g_clear_error(&e);
	g_assert_cmpint(raw_int(fx, "SELECT (SELECT count(*) FROM tickets) + "
	    "(SELECT count(*) FROM messages) + (SELECT count(*) FROM events)"
	    " + (SELECT count(*) FROM blobs)"), ==, 0);

	/* A committed transaction is visible to another connection. */
	g_assert_true(store_begin(fx->s, &e));
	t = new_ticket(fx->s, "kept", "ann@example.com");
	g_assert_true(store_commit(fx->s, &e));
	g_assert_no_error(e);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM tickets"), ==, 1);
}

/* Another writer holds the lock: BEGIN fails transiently, in time. */
static void
test_busy(struct fixture *fx, gconstpointer data)
{
	struct store	*s2 = NULL;
	GError		*e = NULL;
	gint64		 t0, ms;

	g_assert_true(store_begin(fx->s, &e));
	(void)new_ticket(fx->s, "holding the lock", "ann@example.com");
	/* Opening works while the lock is held (WAL readers/openers). */
	g_assert_true(store_open(&s2, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
	store_set_busy_timeout(s2, 300);
	t0 = g_get_monotonic_time();
	g_assert_false(store_begin(s2, &e));
	ms = (g_get_monotonic_time() - t0) / 1000;
	g_assert_error(e, STORE_ERROR, STORE_ERROR_BUSY);
	g_assert_true(store_error_is_transient(e));
	g_clear_error(&e);
	g_test_message("BEGIN gave up after %" G_GINT64_FORMAT " ms", ms);
	g_assert_cmpint(ms, >=, 250);
	g_assert_cmpint(ms, <, 3000);
	/* Readers still see the last committed state. */
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM tickets"), ==, 0);
	g_assert_true(store_commit(fx->s, &e));
	/* Once the lock is released the second writer gets in. */
	g_assert_true(store_begin(s2, &e));
	g_assert_no_error(e);
	(void)new_ticket(s2, "second writer", "bo@example.com");
	g_assert_true(store_commit(s2, &e));
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM tickets"), ==, 2);
	store_close(s2);
}

static void
test_readonly(struct fixture *fx, gconstpointer data)
{
	struct store	*r = NULL;
	struct ticket	 t = { 0 };
	GError		*e = NULL;
	char		*bad;

	/* A read-only connection cannot write: transient, nothing kept. */
	g_assert_true(store_open(&r, fx->path, STORE_READONLY, &e));
	g_assert_no_error(e);
	t.subject = (char *)"x";
	t.requester = (char *)"y@example.com";
	if (store_begin(r, &e)) {
		g_assert_false(store_ticket_insert(r, &t, &e));
		store_rollback(r);
	}
	g_assert_nonnull(e);
	g_assert_error(e, STORE_ERROR, STORE_ERROR_IO);
	g_assert_true(store_error_is_transient(e));
	g_clear_error(&e);
	store_close(r);
	g_assert_cmpint(raw_int(fx, "SELECT count(*) FROM tickets"), ==, 0);

	/* A database in a directory that is not there: transient too. */
	bad = g_build_filename(fx->dir, "missing", "dir", "x.db", NULL);
	g_assert_false(store_open(&r, bad, STORE_READWRITE, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_IO);
	g_assert_true(store_error_is_transient(e));
	g_clear_error(&e);
	g_free(bad);

	/* File permissions bind only non-root users. */
	if (geteuid() == 0) {
		g_test_message("running as root: chmod part skipped");
		return;
	}
	store_close(fx->s);
	fx->s = NULL;
	g_assert_cmpint(g_chmod(fx->path, 0444), ==, 0);
	g_assert_cmpint(g_chmod(fx->dir, 0555), ==, 0);
	if (store_open(&r, fx->path, STORE_READWRITE, &e)) {
		if (store_begin(r, &e)) {
			g_assert_false(store_ticket_insert(r, &t, &e));
			store_rollback(r);
		}
		store_close(r);
	}
	g_assert_nonnull(e);
	g_assert_true(store_error_is_transient(e));
	g_clear_error(&e);
}

static void
test_schema_newer(struct fixture *fx, gconstpointer data)
{
	struct store	*r = NULL;
	GError		*e = NULL;

	store_close(fx->s);
	fx->s = NULL;
	raw_exec(fx, "PRAGMA user_version = 999");
	g_assert_false(store_open(&r, fx->path, STORE_READWRITE, &e));
	g_assert_null(r);
	g_assert_error(e, STORE_ERROR, STORE_ERROR_SCHEMA);
	g_assert_false(store_error_is_transient(e));
	g_assert_true(strstr(e->message, "999") != NULL);
	g_clear_error(&e);
	g_assert_false(store_open(&r, fx->path, STORE_READONLY, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_SCHEMA);
	g_clear_error(&e);
	/* Nothing was touched. */
	g_assert_cmpint(raw_int(fx, "PRAGMA user_version"), ==, 999);
}

static void
test_not_a_database(struct fixture *fx, gconstpointer data)
{
	struct store	*r = NULL;
	GError		*e = NULL;
	char		*p = g_build_filename(fx->dir, "junk.db", NULL);
	char		 junk[4096];

	memset(junk, 'J', sizeof junk);
	g_assert_true(g_file_set_contents(p, junk, sizeof junk, NULL));
	g_assert_false(store_open(&r, p, STORE_READWRITE, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_CORRUPT);
	g_assert_false(store_error_is_transient(e));
	g_clear_error(&e);
	g_free(p);
}

/* One integer from SQL on the file PATH, over a plain connection. */
static gint64
sql_int(const char *path, const char *sql)
{
	struct fixture	 f = { .path = (char *)path };

	return raw_int(&f, sql);
}

/*
 * store_backup(): a copy with the same rows that passes integrity_check,
 * made while a second connection holds an open write transaction (the
 * copy is the committed state, not the pending one), mode 0600, no
 * FILE.tmp left; the live database and its -wal/-shm are refused.
 */
static void
test_backup(struct fixture *fx, gconstpointer data)
{
	struct ticket	 t = { 0 };
	struct store	*w = NULL;
	GError		*e = NULL;
	GStatBuf	 st;
	char		*dest = g_build_filename(fx->dir, "copy.db", NULL);
	char		*tmp = g_strconcat(dest, ".tmp", NULL), *wal, *rel;
	int64_t		 pages = 0;
	int		 i;

	(void)data;
	t.subject = (char *)"s";
	t.requester = (char *)"ann@example.com";
	for (i = 0; i < 3; i++)
		g_assert_true(store_ticket_insert(fx->s, &t, &e));
	g_assert_true(store_open(&w, fx->path, STORE_READWRITE, &e));
	g_assert_true(store_begin(w, &e));
	g_assert_true(store_ticket_insert(w, &t, &e));
	g_assert_true(store_backup(fx->s, dest, 1000, &pages, &e));
	g_assert_no_error(e);
	g_assert_true(store_commit(w, &e));
	store_close(w);
	g_assert_cmpint(pages, >, 0);
	g_assert_cmpint(sql_int(dest, "SELECT count(*) FROM tickets"), ==, 3);
	g_assert_cmpint(sql_int(fx->path, "SELECT count(*) FROM tickets"), ==,
	    4);
	g_assert_cmpint(sql_int(dest, "SELECT integrity_check = 'ok' FROM "
	    "pragma_integrity_check"), ==, 1);
	g_assert_cmpint(g_stat(dest, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_false(g_file_test(tmp, G_FILE_TEST_EXISTS));
	/* Again over the old copy: replaced whole. */
	g_assert_true(store_backup(fx->s, dest, 1000, NULL, &e));
	g_assert_cmpint(sql_int(dest, "SELECT count(*) FROM tickets"), ==, 4);

	g_assert_false(store_backup(fx->s, fx->path, 1000, NULL, &e));
	g_assert_error(e, STORE_ERROR, STORE_ERROR_OTHER);
	g_clear_error(&e);
	wal = g_strconcat(fx->path, "-wal", NULL);
	g_assert_false(store_backup(fx->s, wal, 1000, NULL, &e));
	g_clear_error(&e);
	/* The same file by another name. */
	rel = g_build_filename(fx->dir, ".", "postdesk.db", NULL);
	g_assert_false(store_backup(fx->s, rel, 1000, NULL, &e));
	g_clear_error(&e);
	g_assert_cmpint(sql_int(fx->path, "SELECT count(*) FROM tickets"), ==,
	    4);
	g_free(rel);
	g_free(wal);
	g_free(tmp);
	g_free(dest);
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* postdesk migrate's table list names every table of the schema: a new
 * table that is not in it would be left behind by a migration. */
static void
test_migrate_list(struct fixture *fx, gconstpointer data)
{
	const char	*names[STORE_MIGRATE_TABLES + 1] = { NULL };
	char		*want, *have;
	size_t		 i;

	for (i = 0; i < STORE_MIGRATE_TABLES; i++)
		names[i] = store_migrate_table(i);
	qsort(names, STORE_MIGRATE_TABLES, sizeof names[0], cmp_names);
	want = g_strjoinv(",", (char **)names);
	have = raw_text(fx, "SELECT group_concat(name, ',') FROM (SELECT name "
	    "FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
	    "'sqlite_%' AND name NOT LIKE 'messages_fts%' ORDER BY name)");
	g_assert_cmpstr(have, ==, want);
	g_free(want);
	g_free(have);
}

/* The copy itself, SQLite into SQLite (the PostgreSQL case is
 * tests/integration/0067-pg-migrate.t): rows, ids and counts kept. */
static void
test_migrate_copy(struct fixture *fx, gconstpointer data)
{
	struct ticket	 t = { 0 };
	struct store	*d = NULL;
	GError		*e = NULL;
	char		*dest = g_build_filename(fx->dir, "copy.db", NULL);
	char		 hex[65];
	int64_t		 src[STORE_MIGRATE_TABLES], dst[STORE_MIGRATE_TABLES];
	int		 i;

	t.subject = (char *)"s";
	t.requester = (char *)"ann@example.com";
	for (i = 0; i < 3; i++)
		g_assert_true(store_ticket_insert(fx->s, &t, &e));
	g_assert_true(store_blob_put(fx->s, "bytes", 5, hex, &e));
	g_assert_true(store_ticket_set(fx->s, 1, "subject", "first", &e));
	g_assert_true(store_open(&d, dest, STORE_READWRITE, &e));
	g_assert_true(store_migrate_copy(fx->s, d, src, NULL, NULL, &e));
	g_assert_no_error(e);
	g_assert_true(store_migrate_count(d, dst, &e));
	for (i = 0; i < STORE_MIGRATE_TABLES; i++)
		g_assert_cmpint(src[i], ==, dst[i]);
	g_assert_cmpint(src[1], ==, 3);		/* tickets */
	store_close(d);
	g_assert_cmpint(sql_int(dest, "SELECT count(*) FROM tickets WHERE "
	    "id = 1 AND subject = 'first'"), ==, 1);
	g_assert_cmpint(sql_int(dest, "SELECT count(*) FROM blobs WHERE "
	    "data = CAST('bytes' AS BLOB)"), ==, 1);
	g_free(dest);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
#define FX(path, fn) g_test_add(path, struct fixture, NULL, fx_setup, fn, \
	fx_teardown)
	FX("/store/open-migrate", test_open_migrate);
	FX("/store/migrate-list", test_migrate_list);
	FX("/store/migrate-copy", test_migrate_copy);
	FX("/store/message-heads", test_message_heads);
	FX("/store/open-readonly-missing", test_open_readonly_missing);
	FX("/store/pragmas", test_pragmas);
	FX("/store/blobs", test_blobs);
	FX("/store/migrate-priority-rank", test_migrate_priority_rank);
	FX("/store/tickets", test_tickets);
	FX("/store/participants", test_participants);
	FX("/store/messages", test_messages);
	FX("/store/attachments", test_attachments);
	FX("/store/events", test_events);
	FX("/store/quarantine", test_quarantine);
	FX("/store/intake-seen", test_intake_seen);
	FX("/store/rollback", test_rollback);
	FX("/store/busy", test_busy);
	FX("/store/readonly", test_readonly);
	FX("/store/schema-newer", test_schema_newer);
	FX("/store/not-a-database", test_not_a_database);
	FX("/store/backup", test_backup);
#undef FX
	return g_test_run();
}
