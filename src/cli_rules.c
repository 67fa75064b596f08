/*
 * cli_rules: postdesk rules check|test — lint scripts and show what a
 * message would get, touching no database.
 */
#include "pdconfig.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "rules.h"
#include "text.h"
#include "log.h"

static int
rules_check(struct cli *c)
{
	char	**paths = c->argc > 2 ? c->argv + 2 : c->config->rules_scripts;
	int	  i, bad = 0, n = 0;

	for (i = 0; paths != NULL && paths[i] != NULL; i++, n++) {
		struct sieve_script *s = NULL;
		GError	*e = NULL;

		if (!sieve_compile_file(&s, paths[i], &e)) {
			fprintf(stderr, "%s\n", e->message);
			g_error_free(e);
			bad++;
			continue;
		}
		printf("%s: ok\n", paths[i]);
		sieve_script_free(s);
	}
	if (n == 0)
		printf("no scripts given and none configured ([rules] "
		    "scripts)\n");
	return bad > 0 ? 1 : EX_OK;
}

static bool
read_all(int fd, GByteArray *ba, uint64_t limit)
{
	guint8	 buf[65536];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (uint64_t)ba->len + (uint64_t)n > limit)
			return false;
		g_byte_array_append(ba, buf, (guint)n);
	}
	return true;
}

struct test_opts {
	const char	*sender;
	const char	*recipient;
	const char	*spf;
	bool		 existing;
	GPtrArray	*files;
	GPtrArray	*org_attrs;	/* --org-attr NAME=VALUE, no DB */
};

static bool
parse_test_opts(struct cli *c, struct test_opts *o)
{
	int	 i;

	for (i = 2; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (strcmp(a, "--existing") == 0)
			o->existing = true;
		else if (strcmp(a, "--sender") == 0 && i + 1 < c->argc)
			o->sender = c->argv[++i];
		else if (strcmp(a, "--recipient") == 0 && i + 1 < c->argc)
			o->recipient = c->argv[++i];
		else if (strcmp(a, "--spf") == 0 && i + 1 < c->argc)
			o->spf = c->argv[++i];
		else if (strcmp(a, "--org-attr") == 0 && i + 1 < c->argc &&
		    strchr(c->argv[i + 1], '=') != NULL)
			g_ptr_array_add(o->org_attrs, c->argv[++i]);
		else if (a[0] == '-')
			return false;
		else
			g_ptr_array_add(o->files, (gpointer)a);
	}
	g_ptr_array_add(o->files, NULL);
	return true;
}

static int
print_result(const struct sieve_result *r)
{
	guint	 i;

	if (r->trace != NULL && r->trace->len > 0) {
		printf("trace:\n");
		tty_puts(r->trace->str, stdout);
		if (r->trace->str[r->trace->len - 1] != '\n')
			putchar('\n');
		printf("actions:\n");
	}
	for (i = 0; i < r->actions->len; i++) {
		char	*line = sieve_action_format(r->actions->pdata[i]);

		tty_puts(line, stdout);
		putchar('\n');
		g_free(line);
	}
	if (r->implicit_keep)
		printf("implicit keep\n");
	return EX_OK;
}

static int
rules_test(struct cli *c)
{
	struct test_opts	 o = { 0 };
	struct rules		*rules = NULL;
	struct rules_context	 ctx = { 0 };
	struct sieve_result	*res = NULL;
	struct mail		*m = NULL;
	GByteArray		*raw = g_byte_array_new();
	GError			*e = NULL;
	int			 rc = EX_OK;

	o.files = g_ptr_array_new();
	o.org_attrs = g_ptr_array_new();
	if (!parse_test_opts(c, &o)) {
		g_ptr_array_free(o.files, TRUE);
		g_ptr_array_free(o.org_attrs, TRUE);
		g_byte_array_unref(raw);
		return cli_usage(c);
	}
	if (!rules_load(&rules, o.files->len > 1 ? (char **)o.files->pdata :
	    c->config->rules_scripts, &e)) {
		fprintf(stderr, "%s\n", e->message);
		rc = EX_CONFIG;
	} else if (!read_all(STDIN_FILENO, raw, c->config->max_message_size)) {
		log_warnx("cannot read the message on stdin "
		    "(or it is larger than max_message_size)");
		rc = EX_DATAERR;
	} else if (!mail_parse(&m, raw->data, raw->len, &e)) {
		log_warnx("%s (ingest would quarantine it)",
		    e->message);
		rc = EX_DATAERR;
	} else {
		ctx.envelope_from = o.sender;
		ctx.envelope_to = o.recipient;
		ctx.raw = raw->data;
		ctx.raw_len = raw->len;
		ctx.new_ticket = !o.existing;
		ctx.spf = o.spf;
		ctx.sender_role = m->from.addr != NULL &&
		    config_is_staff(c->config, m->from.addr) ? "staff" :
		    "unknown";
		ctx.trace = true;
		g_ptr_array_add(o.org_attrs, NULL);
		ctx.org_attrs = (const char *const *)o.org_attrs->pdata;
		if (!rules_evaluate(rules, m, &ctx, &res, &e)) {
			log_warnx("%s", e->message);
			rc = EX_SOFTWARE;
		} else
			rc = print_result(res);
	}
	g_clear_error(&e);
	sieve_result_free(res);
	mail_free(m);
	rules_free(rules);
	g_byte_array_unref(raw);
	g_ptr_array_free(o.files, TRUE);
	g_ptr_array_free(o.org_attrs, TRUE);
	return rc;
}

int
cli_rules(struct cli *c)
{
	if (c->argc >= 2 && strcmp(c->argv[1], "check") == 0)
		return rules_check(c);
	if (c->argc >= 2 && strcmp(c->argv[1], "test") == 0)
		return rules_test(c);
	return cli_usage(c);
}
