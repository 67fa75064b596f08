/*
 * rules.c: benchmark of the Sieve interpreter: 1,000 generated rules of
 * mixed kinds (header :contains, header :regex, body :contains) against
 * a corpus of ~3 KB messages.  Prints microseconds per message, with
 * and without the trace.  Usage: rules [N_RULES [N_MESSAGES [ROUNDS]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "sieve/sieve.h"

#define N_HEADERS 14

struct bench_msg {
	struct sieve_header headers[N_HEADERS];
	char *values[N_HEADERS];
	char *body;
	struct sieve_message m;
};

static const char *const words[] = {
	"store", "checkout", "payment", "module", "error", "page", "order",
	"customer", "shipping", "product", "image", "cache", "upgrade",
	"server", "template", "admin", "email", "invoice", "tax", "price",
	"the", "a", "is", "not", "since", "after", "we", "our", "please",
	"help", "working", "blank", "slow", "database", "php", "version",
};

static char *
make_script(unsigned n_rules)
{
	GString *s;
	unsigned i;

	s = g_string_new("require [\"fileinto\", \"regex\", \"body\", "
	    "\"imap4flags\", \"vnd.postdesk\"];\n");
	for (i = 0; i < n_rules; i++) {
		switch (i % 3) {
		case 0:
			g_string_append_printf(s, "if header :contains "
			    "[\"Subject\", \"X-Mailer\"] \"topic%u\" "
			    "{ addflag \"t%u\"; }\n", i, i);
			break;
		case 1:
			g_string_append_printf(s, "if header :regex "
			    "\"Subject\" \"^(re|fwd?):\\\\s*case-%u\\\\b\" "
			    "{ fileinto \"q%u\"; }\n", i, i);
			break;
		default:
			g_string_append_printf(s, "if body :contains "
			    "\"phrase number %u\" { set_field \"f%u\" "
			    "\"x\"; }\n", i, i);
			break;
		}
	}
	return g_string_free(s, FALSE);
}

static char *
make_body(GRand *r, unsigned n_rules)
{
	GString *b;

	b = g_string_new(NULL);
	while (b->len < 2600) {
		g_string_append(b, words[g_rand_int_range(r, 0,
		    G_N_ELEMENTS(words))]);
		g_string_append_c(b, b->len % 70 > 60 ? '\n' : ' ');
	}
	/* Some messages fire a rule or two. */
	if (g_rand_boolean(r))
		g_string_append_printf(b, "\nphrase number %u\n",
		    3 * (unsigned)g_rand_int_range(r, 0, (gint32)n_rules / 3)
		    + 2);
	return g_string_free(b, FALSE);
}

static void
make_msg(struct bench_msg *bm, GRand *r, unsigned i, unsigned n_rules)
{
	static const char *const names[N_HEADERS] = {
		"Return-Path", "Received", "Received", "DKIM-Signature",
		"From", "To", "Cc", "Subject", "Date", "Message-ID",
		"MIME-Version", "Content-Type", "X-Mailer", "X-Originating-IP"
	};
	size_t j;

	memset(bm, 0, sizeof *bm);
	for (j = 0; j < N_HEADERS; j++) {
		if (strcmp(names[j], "Subject") == 0)
			bm->values[j] = g_strdup_printf("Re: case-%u %s %s",
			    (unsigned)g_rand_int_range(r, 0,
			    (gint32)n_rules * 2), words[i % 12],
			    words[(i + 5) % 30]);
		else
			bm->values[j] = g_strdup_printf("value %u of %s; "
			    "from mx%u.example.org by mail.helpdesk.example "
			    "with ESMTPS id %08x", i, names[j], i % 7,
			    g_rand_int(r));
		bm->headers[j].name = names[j];
		bm->headers[j].value = bm->values[j];
	}
	bm->body = make_body(r, n_rules);
	bm->m.headers = bm->headers;
	bm->m.n_headers = N_HEADERS;
	bm->m.body_text = bm->body;
	bm->m.body_raw = bm->body;
	bm->m.size = strlen(bm->body) + 900;
	bm->m.ticket_state = "new";
	bm->m.spf = "pass";
	bm->m.sender_role = "customer";
}

static double
run_all(const struct sieve_script *s, struct bench_msg *msgs, unsigned n,
    unsigned rounds, bool trace, unsigned *n_actions)
{
	struct sieve_result *res;
	GError *err = NULL;
	gint64 t0;
	unsigned i, k;

	*n_actions = 0;
	t0 = g_get_monotonic_time();
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < n; i++) {
			res = sieve_result_new();
			if (!trace) {
				g_string_free(res->trace, TRUE);
				res->trace = NULL;
			}
			if (!sieve_run(s, &msgs[i].m, res, &err)) {
				fprintf(stderr, "rules: %s\n", err->message);
				exit(1);
			}
			*n_actions += res->actions->len;
			sieve_result_free(res);
		}
	}
	return (double)(g_get_monotonic_time() - t0) / (n * rounds);
}

int
main(int argc, char **argv)
{
	struct sieve_script *s;
	struct bench_msg *msgs;
	GError *err = NULL;
	GRand *r;
	char *text;
	unsigned n_rules = 1000, n_msgs = 200, rounds = 5, i, acts;
	size_t j;
	double us, us_trace;
	gint64 t0;

	if (argc > 1)
		n_rules = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		n_msgs = (unsigned)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		rounds = (unsigned)strtoul(argv[3], NULL, 10);
	if (n_rules < 3 || n_msgs < 1 || rounds < 1) {
		fprintf(stderr, "usage: rules [N_RULES [N_MESSAGES "
		    "[ROUNDS]]]\n");
		return 2;
	}
	r = g_rand_new_with_seed(42);
	text = make_script(n_rules);
	t0 = g_get_monotonic_time();
	if (!sieve_compile_string(&s, "bench.sieve", text, &err)) {
		fprintf(stderr, "rules: %s\n", err->message);
		return 1;
	}
	printf("compile: %u rules, %zu bytes in %.1f ms\n", n_rules,
	    strlen(text), (g_get_monotonic_time() - t0) / 1000.0);
	t0 = g_get_monotonic_time();
	sieve_script_jit(s);
	printf("jit: %.1f ms\n", (g_get_monotonic_time() - t0) / 1000.0);
	msgs = g_new(struct bench_msg, n_msgs);
	for (i = 0; i < n_msgs; i++)
		make_msg(&msgs[i], r, i, n_rules);
	(void)run_all(s, msgs, n_msgs, 1, false, &acts);	/* warm up */
	us = run_all(s, msgs, n_msgs, rounds, false, &acts);
	us_trace = run_all(s, msgs, n_msgs, rounds, true, &acts);
	printf("run: %u messages x %u rounds, %u actions\n", n_msgs, rounds,
	    acts);
	printf("us/message: %.1f (with trace: %.1f)\n", us, us_trace);
	for (i = 0; i < n_msgs; i++) {
		for (j = 0; j < N_HEADERS; j++)
			g_free(msgs[i].values[j]);
		g_free(msgs[i].body);
	}
	g_free(msgs);
	g_free(text);
	sieve_script_free(s);
	g_rand_free(r);
	return 0;
}
