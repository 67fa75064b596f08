/*
 * fill-web: fills a database for tests/bench/web.sh through the store
 * API, many tickets per transaction (the bulk path: no process, parse or
 * thread step per message).
 *
 *   fill-web DB TICKETS MESSAGES_PER_TICKET
 *
 * Text is drawn from a fixed vocabulary with a seeded PRNG, so every
 * run builds the same database.  About one message in 200 mentions
 * "printer"; one in 5000 "zebrafish".
 */
#include "pdconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define BATCH	2000	/* tickets per transaction */

static const char *const words[] = { "the", "a", "we", "our", "is",
    "not", "working", "since", "yesterday", "please", "help", "server",
    "login", "password", "invoice", "error", "page", "account", "order",
    "delivery", "update", "install", "network", "mail", "backup",
    "license", "renewal", "upgrade", "question", "about", "price",
    "shipping", "broken", "screen", "reset", "crash", "report", "export",
    "import", "database", "slow", "timeout", "certificate", "expired",
    "access", "denied", "user", "customer", "thanks", "regards" };
static const char *const queues[] = { "support", "sales", "project",
    "billing", "generic" };
static const char *const statuses[] = { "submitted", "assigned",
    "in-progress", "waiting-for-customer", "pre-closed", "closed",
    "closed", "closed", "closed", "closed" };
static const char *const prios[] = { "minor", "normal", "normal",
    "major" };

static char *
text(GRand *r, int n)
{
	GString	*s = g_string_new(NULL);
	int	 i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			g_string_append_c(s, i % 12 == 0 ? '\n' : ' ');
		g_string_append(s, words[g_rand_int_range(r, 0,
		    G_N_ELEMENTS(words))]);
	}
	if (g_rand_int_range(r, 0, 200) == 0)
		g_string_append(s, " the printer is on fire");
	if (g_rand_int_range(r, 0, 5000) == 0)
		g_string_append(s, " zebrafish");
	return g_string_free(s, FALSE);
}

static bool
one_ticket(struct store *s, GRand *r, int64_t k, int per, int64_t t0,
    GError **err)
{
	struct ticket	 t = { 0 };
	char		*subject, *requester;
	int		 i;
	bool		 ok = true;

	subject = text(r, 6);
	requester = g_strdup_printf("customer%" G_GINT64_FORMAT
	    "@example.com", k % 20000);
	t.subject = subject;
	t.status = (char *)statuses[g_rand_int_range(r, 0, 10)];
	t.queue = (char *)queues[k % 5];
	t.priority = (char *)prios[g_rand_int_range(r, 0, 4)];
	t.hotrush = g_rand_int_range(r, 0, 100) == 0;
	t.requester = requester;
	t.created = t0 + k * 60;
	ok = store_ticket_insert(s, &t, err) &&
	    store_participant_add(s, t.id, requester, NULL, "requester", err);
	for (i = 0; ok && i < per; i++) {
		struct message	 m = { 0 };
		char		*body = text(r, 60);

		m.ticket_id = t.id;
		m.outbound = i % 2 == 1;
		m.message_id = g_strdup_printf("bench.%" G_GINT64_FORMAT ".%d"
		    "@example.com", k, i);
		m.from_addr = m.outbound ? g_strdup("staff@example.com") :
		    g_strdup(requester);
		m.subject = g_strdup(subject);
		m.date = m.received = t.created + i * 3600;
		m.text = body;
		m.stripped = body;
		m.body_hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
		    body, -1);
		ok = store_message_insert(s, &m, err) &&
		    store_ticket_touch(s, t.id, m.received, err);
		g_free(m.message_id);
		g_free(m.from_addr);
		g_free(m.subject);
		g_free(m.body_hash);
		g_free(body);
	}
	g_free(subject);
	g_free(requester);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct store	*s;
	GError		*e = NULL;
	GRand		*r = g_rand_new_with_seed(42);
	int64_t		 n, k, t0;
	int		 per;

	if (argc != 4) {
		fprintf(stderr, "usage: fill-web DB TICKETS PER_TICKET\n");
		return 1;
	}
	n = g_ascii_strtoll(argv[2], NULL, 10);
	per = (int)g_ascii_strtoll(argv[3], NULL, 10);
	/* Spread creation over the last n minutes up to now. */
	t0 = g_get_real_time() / G_USEC_PER_SEC - n * 60;
	if (!store_open(&s, argv[1], STORE_READWRITE, &e))
		goto fail;
	for (k = 0; k < n; k++) {
		if (k % BATCH == 0 && !store_begin(s, &e))
			goto fail;
		if (!one_ticket(s, r, k, per, t0, &e))
			goto fail;
		if ((k % BATCH == BATCH - 1 || k == n - 1) &&
		    !store_commit(s, &e))
			goto fail;
	}
	store_close(s);
	g_rand_free(r);
	return 0;
fail:
	fprintf(stderr, "fill-web: %s\n", e->message);
	return 1;
}
