/*
 * floor: the least a process-per-message ingest can do, as a yardstick
 * for postdesk-ingest (tests/bench/ingest.sh).  It reads one message on
 * stdin, initialises GMime, parses the message, and stores it with one
 * durable SQLite insert, with the same durability settings as the store
 * (WAL, synchronous=FULL, busy_timeout).  Nothing else: no threading,
 * no text extraction, no indexes.
 *
 *   floor DB init       create the table
 *   floor DB < MESSAGE  store one message; exit 0 once committed
 *
 * Not part of postdesk: it is the one C file outside src/store*.c that
 * talks to SQLite, on purpose, because it is the baseline.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <gmime/gmime.h>
#include <sqlite3.h>

static int
fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, sqlite3_errmsg(db));
	sqlite3_close(db);
	return EX_TEMPFAIL;
}

static GByteArray *
read_stdin(void)
{
	GByteArray	*ba = g_byte_array_sized_new(64 * 1024);
	guint8		 buf[64 * 1024];
	ssize_t		 n;

	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_byte_array_unref(ba);
			return NULL;
		}
		g_byte_array_append(ba, buf, (guint)n);
	}
	return ba;
}

int
main(int argc, char *argv[])
{
	GByteArray	*raw;
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;
	sqlite3		*db = NULL;
	sqlite3_stmt	*st;
	const char	*mid, *subject;

	if (argc < 2) {
		fprintf(stderr, "usage: floor DB [init] < message\n");
		return EX_USAGE;
	}
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return fail(db, "open");
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_exec(db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "pragma");
	if (argc > 2 && strcmp(argv[2], "init") == 0) {
		if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS messages ("
		    "id INTEGER PRIMARY KEY, message_id TEXT, subject TEXT, "
		    "raw BLOB)", NULL, NULL, NULL) != SQLITE_OK)
			return fail(db, "create");
		sqlite3_close(db);
		return EX_OK;
	}

	if ((raw = read_stdin()) == NULL) {
		perror("floor: stdin");
		sqlite3_close(db);
		return EX_IOERR;
	}
	g_mime_init();
	stream = g_mime_stream_mem_new_with_buffer((const char *)raw->data,
	    raw->len);
	parser = g_mime_parser_new_with_stream(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	mid = msg != NULL ? g_mime_message_get_message_id(msg) : NULL;
	subject = msg != NULL ? g_mime_message_get_subject(msg) : NULL;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "begin");
	if (sqlite3_prepare_v2(db, "INSERT INTO messages (message_id, "
	    "subject, raw) VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return fail(db, "prepare");
	sqlite3_bind_text(st, 1, mid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 3, raw->data, raw->len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return fail(db, "insert");
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "commit");
	sqlite3_close(db);

	if (msg != NULL)
		g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	g_byte_array_unref(raw);
	g_mime_shutdown();
	return EX_OK;
}
