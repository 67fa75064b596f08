/*
 * The authentication verdict (auth_identify()) with real DKIM
 * signatures: keys from opendkim-genkey, signatures from the opendkim
 * binary (tests/integration/lib-dkim.sh), all DNS from a test-resolver
 * file ([auth] dns_records).  The legitimate cases of issue 11 pass, the
 * forged ones do not, hostile input gives none/fail within 50 ms, and a
 * DNS outage is "temperror".
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "auth.h"
#include "identity.h"
#include "mail.h"

/* The bound of issue 11 for one message, in microseconds; a sanitizer
 * build (tests/run.sh's second pass) runs several times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define BUDGET_US	200000
#else
#define BUDGET_US	50000
#endif

static char	*dir;		/* keys, the records file */
static char	*lib;		/* lib-dkim.sh */

/* Runs SCRIPT (sh, after sourcing lib-dkim.sh) in DIR; its stdout. */
static char *
sh(const char *script, const char *input)
{
	char	*full = g_strdup_printf(". '%s'; %s", lib, script);
	char	*argv[] = { "sh", "-c", full, NULL };
	char	*out = NULL, *err = NULL, *in = NULL;
	int	 status;
	GError	*e = NULL;

	if (input != NULL) {
		in = g_build_filename(dir, "stdin.eml", NULL);
		g_assert_true(g_file_set_contents(in, input, -1, NULL));
		g_free(full);
		full = g_strdup_printf(". '%s'; %s < '%s'", lib, script, in);
		argv[2] = full;
	}
	g_assert_true(g_spawn_sync(dir, argv, NULL, G_SPAWN_SEARCH_PATH, NULL,
	    NULL, &out, &err, &status, &e));
	g_assert_no_error(e);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("%s: %s", script, err);
	g_free(err);
	g_free(full);
	g_free(in);
	return out;
}

static char *
sign(const char *selector, const char *domain, const char *msg)
{
	char	*cmd = g_strdup_printf("dkim_sign '%s/%s' %s %s", dir, selector,
	    domain, selector);
	char	*out = sh(cmd, msg);

	g_free(cmd);
	return out;
}

/* The verdict of RAW with the records file, as ingest would find it;
 * also checks the time bound. */
static struct identity *
verdict(const char *records, const char *raw, const char *ip,
    const char *sender)
{
	struct auth	*a = NULL;
	struct mail	*m = NULL;
	struct identity	*id;
	GError		*e = NULL;
	gint64		 t;

	g_assert_true(auth_new(&a, records, NULL, &e));
	g_assert_no_error(e);
	/* The MX (its milter writes A-R) and the mailbox host (its LMTP
	 * hop adds a Received: above). */
	auth_set_trusted_ids(a, (char *[]){ "mx.helpdesk.test",
	    "imap.helpdesk.test", NULL });
	g_assert_true(mail_parse(&m, raw, strlen(raw), &e));
	t = g_get_monotonic_time();
	id = auth_identify(a, m, raw, strlen(raw), ip, sender);
	t = g_get_monotonic_time() - t;
	g_test_message("verdict %s in %" G_GINT64_FORMAT " us",
	    identity_final_to_text(id->final), t);
	if (t > BUDGET_US)
		g_error("verdict took %" G_GINT64_FORMAT " us", t);
	mail_free(m);
	auth_free(a);
	return id;
}

static char *records;	/* dir/dns.txt */
static char *keys;	/* dir/keys.txt: the DKIM key records */

static const char msg[] =
    "From: Agent <agent@helpdesk.test>\r\n"
    "To: customer@shop.test\r\n"
    "Subject: [Support #1] your order\r\n"
    "Date: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <v1@helpdesk.test>\r\n"
    "\r\n"
    "Status: closed\r\n\r\nDone.\r\n";

static void
write_records(const char *extra)
{
	char	*text = NULL, *all;

	g_assert_true(g_file_get_contents(keys, &text, NULL, NULL));
	all = g_strconcat(text,
	    "helpdesk.test v=spf1 ip4:192.0.2.0/24 -all\n"
	    "bounces.mailer.test v=spf1 ip4:198.51.100.0/24 -all\n"
	    "evil.test v=spf1 ip4:203.0.113.66 -all\n"
	    "lists.test v=spf1 ip4:198.18.0.1 -all\n"
	    "_dmarc.helpdesk.test v=DMARC1; p=reject; rua=mailto:d@helpdesk.test\n",
	    extra, NULL);
	g_assert_true(g_file_set_contents(records, all, -1, NULL));
	g_free(all);
	g_free(text);
}

static void
setup_keys(void)
{
	char	*cmd = g_strdup_printf("{ dkim_keygen '%s/s1' helpdesk.test s1 "
	    "&& dkim_keygen '%s/big' helpdesk.test big 4096 "
	    "&& dkim_keygen '%s/ev' evil.test ev; } > keys.txt", dir, dir, dir);

	g_free(sh(cmd, NULL));
	g_free(cmd);
	keys = g_build_filename(dir, "keys.txt", NULL);
	records = g_build_filename(dir, "dns.txt", NULL);
	write_records("");
}

/* Gmail-style: DKIM d= aligned, SPF passes for another envelope domain. */
static void
test_gmail_style(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	struct identity	*id = verdict(records, s, "198.51.100.7",
	    "bounce+x@bounces.mailer.test");

	g_assert_cmpstr(id->spf, ==, "pass");
	g_assert_false(id->spf_aligned);
	g_assert_cmpuint(id->dkim->len, ==, 1);
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "pass");
	g_assert_true(id->dkim_aligned);
	g_assert_cmpstr(id->dmarc_policy, ==, "reject");
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_free(s);
}

/* An MTA pipe hands over LF line ends (Postfix): the signature, folded
 * over several lines, still verifies. */
static void
test_lf_only(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	GString		*g = g_string_new(NULL);
	struct identity	*id;
	const char	*p;

	for (p = s; *p != '\0'; p++)
		if (*p != '\r')
			g_string_append_c(g, *p);
	g_assert_nonnull(strstr(g->str, "\n\t"));	/* folded */
	id = verdict(records, g->str, NULL, NULL);
	g_assert_true(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_string_free(g, TRUE);
	g_free(s);
}

/* Forwarded by a list: SPF fails, the signature still holds. */
static void
test_list_forwarded(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	char		*fw = g_strconcat("List-Id: <x.lists.test>\r\n", s, NULL);
	struct identity	*id = verdict(records, fw, "198.51.100.99",
	    "agent@helpdesk.test");

	g_assert_cmpstr(id->spf, ==, "fail");
	g_assert_true(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_free(fw);
	g_free(s);
}

/* Issue 11, attack 1: staff From:, evil.test's SPF passes — not aligned;
 * with p=reject the message is forged.  Signing it with evil.test's
 * own key changes nothing. */
static void
test_spoofed_from(void)
{
	char		*s = sign("ev", "evil.test", msg);
	struct identity	*id = verdict(records, s, "203.0.113.66",
	    "mallory@evil.test");
	char		*text = identity_to_text(id);

	g_assert_cmpstr(id->spf, ==, "pass");
	g_assert_false(id->spf_aligned);
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "pass");
	g_assert_false(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	g_assert_nonnull(strstr(text, "spf: pass (domain evil.test, not "
	    "aligned)\n"));
	g_assert_nonnull(strstr(text, "dkim: pass d=evil.test s=ev (not "
	    "aligned)\n"));
	g_assert_nonnull(strstr(text, "dmarc: policy reject for "
	    "helpdesk.test\n"));
	g_assert_nonnull(strstr(text, "verdict: forged\n"));
	g_free(text);
	identity_free(id);
	g_free(s);
}

/* A changed body breaks the signature: forged under p=reject. */
static void
test_tampered(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	char		*t = g_strdup(s), *p = strstr(t, "Done.");
	struct identity	*id;

	p[0] = 'G';
	id = verdict(records, t, NULL, NULL);
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "fail");
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	g_free(t);
	g_free(s);
}

/* A subdomain without its own record gets the organization's sp=. */
static void
test_subdomain_policy(void)
{
	static const char sub[] = "From: x@mail.helpdesk.test\r\n"
	    "Subject: s\r\n\r\nbody\r\n";
	struct identity	*id;

	write_records("_dmarc.org.test v=DMARC1; p=reject; sp=none\n");
	id = verdict(records, sub, "203.0.113.9", "x@mail.helpdesk.test");
	g_assert_cmpstr(id->dmarc_policy, ==, "reject");
	g_assert_cmpstr(id->dmarc_domain, ==, "helpdesk.test");
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	id = verdict(records, "From: x@a.org.test\r\n\r\nb\r\n",
	    "203.0.113.9", NULL);
	g_assert_cmpstr(id->dmarc_policy, ==, "none");
	g_assert_cmpint(id->final, ==, IDENTITY_FAIL);
	identity_free(id);
	write_records("");
}

/* adkim=s: a signature of the parent domain no longer aligns. */
static void
test_strict_alignment(void)
{
	static const char m2[] = "From: a@eu.helpdesk.test\r\n"
	    "Subject: s\r\nMessage-ID: <s@x>\r\n\r\nbody\r\n";
	char		*s = sign("s1", "helpdesk.test", m2);
	struct identity	*id;

	id = verdict(records, s, NULL, NULL);
	g_assert_true(id->dkim_aligned);	/* relaxed: same org */
	identity_free(id);
	write_records("_dmarc.eu.helpdesk.test v=DMARC1; p=quarantine; "
	    "adkim=s\n");
	id = verdict(records, s, NULL, NULL);
	g_assert_false(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	write_records("");
	g_free(s);
}

/* Two DMARC records are as good as none (RFC 7489 6.6.3): neither's
 * aspf=/adkim= applies, relaxed alignment does. */
static void
test_two_records(void)
{
	struct identity	*id;

	write_records("sub.helpdesk.test v=spf1 ip4:203.0.113.70 -all\n"
	    "_dmarc.helpdesk.test v=DMARC1; p=none; aspf=s\n");
	id = verdict(records, msg, "203.0.113.70", "b@sub.helpdesk.test");
	g_assert_null(id->dmarc_policy);
	g_assert_true(id->spf_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	write_records("");
}

/* A 4096-bit key verifies, within the budget. */
static void
test_big_key(void)
{
	char		*s = sign("big", "helpdesk.test", msg);
	struct identity	*id = verdict(records, s, NULL, NULL);

	g_assert_true(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_free(s);
}

/* Broken signature headers: permerror or fail, never a pass. */
static void
test_malformed(void)
{
	static const char *const bad[] = {
		"DKIM-Signature: garbage\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=helpdesk.test; s=s1; "
		    "h=From; bh=; b=\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=helpdesk.test; s=s1; "
		    "c=relaxed/relaxed; l=99999999999999999999999; h=From; "
		    "bh=zS7KNTV0HyeorkDDGwxB1AV6enuRKzO5rthkhdHIRnY=; b=AAAA\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=helpdesk.test; s=s1; "
		    "l=-5; h=From; bh=AAAA; b=AAAA\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=; s=; h=; bh=; b=\r\n",
		"DKIM-Signature: \r\n",
		"DKIM-Signature: v=1; d=nokey.test; s=none; a=rsa-sha256; "
		    "h=From; bh=AAAA; b=AAAA\r\n",
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		char	*raw = g_strconcat(bad[i], msg, NULL);
		struct identity *id = verdict(records, raw, NULL, NULL);

		g_assert_false(id->dkim_aligned);
		g_assert_cmpint(id->final, !=, IDENTITY_PASS);
		identity_free(id);
		g_free(raw);
	}
}

/* An absurd l= on a real signature: the body is shorter, no pass. */
static void
test_absurd_length(void)
{
	char	*s = sign("s1", "helpdesk.test", msg), *p;
	GString	*g = g_string_new(s);
	struct identity *id;

	/* Add l= to the signed header: the signature breaks (h= covers
	 * the DKIM-Signature itself), and the length is absurd. */
	p = strstr(g->str, "s=s1;");
	g_string_insert(g, p - g->str, "l=18446744073709551616; ");
	id = verdict(records, g->str, NULL, NULL);
	g_assert_cmpint(id->final, !=, IDENTITY_PASS);
	identity_free(id);
	g_string_free(g, TRUE);
	g_free(s);
}

/* A real signature with l=: a pass as signed; with text appended after
 * the signed length, "policy" and no pass (the appended part is anyone's). */
static void
test_body_length(void)
{
	char		*s, *more;
	struct identity	*id;

	g_setenv("DKIM_BODY_LENGTH", "1", TRUE);
	s = sign("s1", "helpdesk.test", msg);
	g_unsetenv("DKIM_BODY_LENGTH");
	g_assert_nonnull(strstr(s, " l="));
	id = verdict(records, s, NULL, NULL);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	more = g_strconcat(s, "\r\nPlease pay to IBAN XX00 EVIL.\r\n", NULL);
	id = verdict(records, more, NULL, NULL);
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "policy");
	g_assert_false(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	g_free(more);
	g_free(s);
}

/* 50 signatures: at most 8 are verified, aligned ones first, so the
 * one good signature after 49 bogus ones still counts. */
static void
test_many_signatures(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	GString		*g = g_string_new(NULL);
	struct identity	*id;
	int		 i;

	for (i = 0; i < 49; i++)
		g_string_append_printf(g, "DKIM-Signature: v=1; a=rsa-sha256; "
		    "d=spam%d.test; s=x; h=From; bh=AAAA; b=AAAA\r\n", i);
	g_string_append(g, s);
	id = verdict(records, g->str, NULL, NULL);
	g_assert_cmpuint(id->dkim->len, <=, 8);
	g_assert_true(id->dkim_aligned);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_string_free(g, TRUE);
	g_free(s);
}

/* 10,000 results in one trusted A-R header: parsed in bounded time; its
 * first results still count, nothing crashes. */
static void
test_huge_authres(void)
{
	GString		*g = g_string_new("Authentication-Results: "
	    "mx.helpdesk.test; spf=fail smtp.mailfrom=x@evil.test");
	struct identity	*id;
	int		 i;

	for (i = 0; i < 10000; i++)
		g_string_append_printf(g, ";\r\n dkim=pass header.d=d%d.test", i);
	g_string_append(g, "\r\n");
	g_string_append(g, msg);
	id = verdict(records, g->str, NULL, NULL);
	g_assert_cmpstr(id->source, ==, "authentication-results");
	g_assert_cmpstr(id->spf, ==, "fail");
	g_assert_cmpuint(id->dkim->len, <=, 8);
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	g_string_free(g, TRUE);
}

/* No DNS: temperror, with the SPF, DKIM key and DMARC lookups failing. */
static void
test_dns_down(void)
{
	char		*s = sign("s1", "helpdesk.test", msg);
	struct identity	*id;
	char		*down = g_build_filename(dir, "down.txt", NULL);
	char		*text;

	g_assert_true(g_file_set_contents(down,
	    "helpdesk.test TEMPFAIL\n_dmarc.helpdesk.test TEMPFAIL\n"
	    "s1._domainkey.helpdesk.test TEMPFAIL\n", -1, NULL));
	id = verdict(down, s, "192.0.2.5", "agent@helpdesk.test");
	g_assert_cmpstr(id->spf, ==, "temperror");
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "temperror");
	g_assert_true(id->dmarc_temperror);
	g_assert_cmpint(id->final, ==, IDENTITY_TEMPERROR);
	text = identity_to_text(id);
	g_assert_nonnull(strstr(text, "dmarc: temperror for helpdesk.test"));
	g_free(text);
	identity_free(id);
	/* Only the DMARC lookup fails, but DKIM passes: pass. */
	{
		char	*k = NULL, *all;

		g_assert_true(g_file_get_contents(keys, &k, NULL, NULL));
		all = g_strconcat(k, "_dmarc.helpdesk.test TEMPFAIL\n", NULL);
		g_assert_true(g_file_set_contents(down, all, -1, NULL));
		g_free(all);
		g_free(k);
	}
	id = verdict(down, s, NULL, NULL);
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_free(down);
	g_free(s);
}

/* DNS trouble of an identifier that does not align with From: says
 * nothing about it (RFC 7489 6.6.2): a spoofer's own signature or
 * envelope domain with a dead name server leaves the verdict forged. */
static void
test_unaligned_temperror(void)
{
	char		*s = sign("ev", "evil.test", msg);
	char		*down = g_build_filename(dir, "down2.txt", NULL);
	char		*k = NULL, *all;
	struct identity	*id;

	g_assert_true(g_file_get_contents(keys, &k, NULL, NULL));
	all = g_strconcat("ev._domainkey.evil.test TEMPFAIL\n"
	    "slow.evil.test TEMPFAIL\n"
	    "_dmarc.helpdesk.test v=DMARC1; p=reject\n", k, NULL);
	g_assert_true(g_file_set_contents(down, all, -1, NULL));
	id = verdict(down, s, "203.0.113.66", "mallory@slow.evil.test");
	g_assert_cmpstr(id->spf, ==, "temperror");
	g_assert_cmpstr(((struct identity_dkim *)id->dkim->pdata[0])->result,
	    ==, "temperror");
	g_assert_cmpint(id->final, ==, IDENTITY_FORGED);
	identity_free(id);
	g_free(all);
	g_free(k);
	g_free(down);
	g_free(s);
}

/* The same facts from the MTA and from the trusted A-R: same verdict. */
static void
test_same_verdict(void)
{
	static const char *const cases[][3] = {
		{ "198.51.100.7", "b@bounces.mailer.test", "spf=pass "
		    "smtp.mailfrom=b@bounces.mailer.test" },
		{ "203.0.113.66", "mallory@evil.test", "spf=pass "
		    "smtp.mailfrom=mallory@evil.test" },
		{ "192.0.2.5", "agent@helpdesk.test", "spf=pass "
		    "smtp.mailfrom=agent@helpdesk.test" },
		{ "198.51.100.99", "agent@helpdesk.test", "spf=fail "
		    "smtp.mailfrom=agent@helpdesk.test" },
	};
	char	*signed_ = sign("s1", "helpdesk.test", msg);
	char	*forged = sign("ev", "evil.test", msg);
	size_t	 i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < G_N_ELEMENTS(cases); i++) {
			const char *raw = k == 0 ? signed_ : forged;
			char	*fetched = g_strdup_printf(
			    "Received: from mx.helpdesk.test by "
			    "imap.helpdesk.test with LMTP\r\n"
			    "Authentication-Results: mx.helpdesk.test; %s\r\n"
			    "Received: from x (x [%s]) by mx.helpdesk.test\r\n"
			    "%s", cases[i][2], cases[i][0], raw);
			struct identity *mta = verdict(records, raw,
			    cases[i][0], cases[i][1]);
			struct identity *ar = verdict(records, fetched, NULL,
			    NULL);

			g_assert_cmpstr(mta->source, ==, "mta");
			g_assert_cmpstr(ar->source, ==,
			    "authentication-results");
			g_assert_cmpstr(mta->spf, ==, ar->spf);
			g_assert_cmpint(mta->spf_aligned, ==, ar->spf_aligned);
			g_assert_cmpint(mta->dkim_aligned, ==,
			    ar->dkim_aligned);
			g_assert_cmpint(mta->final, ==, ar->final);
			identity_free(mta);
			identity_free(ar);
			g_free(fetched);
		}
	g_free(signed_);
	g_free(forged);
}

/* Only the topmost trusted block counts. */
static void
test_topmost_only(void)
{
	static const char *const ignored[] = {
		/* below a hop of someone else's */
		"Received: from a by relay.other.test\r\n"
		"Authentication-Results: mx.helpdesk.test; dkim=pass "
		"header.d=helpdesk.test\r\n",
		/* an untrusted authserv-id */
		"Authentication-Results: mx.evil.test; dkim=pass "
		"header.d=helpdesk.test\r\n",
		/* a second block, after the real one */
		"Authentication-Results: mx.helpdesk.test; spf=none\r\n"
		"X-Spam: no\r\n"
		"Authentication-Results: mx.helpdesk.test; dkim=pass "
		"header.d=helpdesk.test\r\n",
		/* below the MX's own hop from the outside: the MX added
		 * no A-R (OpenDKIM on unsigned mail), the sender did */
		"Received: from evil (evil [203.0.113.66]) by "
		"mx.helpdesk.test\r\n"
		"Authentication-Results: mx.helpdesk.test; spf=pass "
		"smtp.mailfrom=agent@helpdesk.test; dkim=pass "
		"header.d=helpdesk.test\r\n",
		/* ... with a fake hop of the MX's below it */
		"Received: from evil (evil [203.0.113.66]) by "
		"mx.helpdesk.test\r\n"
		"Authentication-Results: mx.helpdesk.test; dkim=pass "
		"header.d=helpdesk.test\r\n"
		"Received: from x (x [192.0.2.9]) by mx.helpdesk.test\r\n",
		/* the same with Received-SPF */
		"Received: from evil (evil [203.0.113.66]) by "
		"mx.helpdesk.test\r\n"
		"Received-SPF: pass (mx.helpdesk.test: ok) "
		"client-ip=192.0.2.9; envelope-from=agent@helpdesk.test; "
		"receiver=mx.helpdesk.test;\r\n",
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(ignored); i++) {
		char	*raw = g_strconcat(ignored[i], msg, NULL);
		struct identity *id = verdict(records, raw, NULL, NULL);

		if (id->dkim_aligned || id->final == IDENTITY_PASS)
			g_error("case %zu: believed a header it must not", i);
		identity_free(id);
		g_free(raw);
	}
}

/* A content filter re-injecting on loopback adds a hop of the MX above
 * the MX's A-R: still believed (and the LMTP hop of the mailbox host). */
static void
test_reinjected(void)
{
	static const char top[] =
	    "Received: from mx.helpdesk.test by imap.helpdesk.test with "
	    "LMTP\r\n"
	    "Received: from localhost (localhost [127.0.0.1]) by "
	    "mx.helpdesk.test (Postfix) with ESMTP\r\n"
	    "Authentication-Results: mx.helpdesk.test; spf=pass "
	    "smtp.mailfrom=agent@helpdesk.test\r\n"
	    "Received: from relay (relay [192.0.2.9]) by mx.helpdesk.test\r\n";
	char	*raw = g_strconcat(top, msg, NULL);
	struct identity *id = verdict(records, raw, NULL, NULL);

	g_assert_cmpstr(id->source, ==, "authentication-results");
	g_assert_cmpint(id->final, ==, IDENTITY_PASS);
	identity_free(id);
	g_free(raw);
}

/* Values from headers cannot fake a line or reach a terminal raw. */
static void
test_text_controls(void)
{
	struct identity	*id = identity_new();
	struct identity_dkim *d = g_new0(struct identity_dkim, 1);
	char		*text, **lines;
	guint		 i, verdicts = 0;

	d->domain = g_strdup("evil.test\nverdict: pass");
	d->selector = g_strdup("\x1b[2J\rs1");
	d->result = g_strdup("fail");
	g_ptr_array_add(id->dkim, d);
	id->from_domain = g_strdup("helpdesk.test\x7f");
	id->final = IDENTITY_FORGED;
	text = identity_to_text(id);
	g_assert_null(strchr(text, '\x1b'));
	g_assert_null(strchr(text, '\r'));
	g_assert_null(strchr(text, '\x7f'));
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		verdicts += g_str_has_prefix(lines[i], "verdict:");
	g_assert_cmpuint(verdicts, ==, 1);
	g_assert_nonnull(strstr(text, "d=evil.test?verdict: pass"));
	g_assert_nonnull(strstr(text, "verdict: forged\n"));
	g_strfreev(lines);
	g_free(text);
	identity_free(id);
}

int
main(int argc, char *argv[])
{
	int	 rc;

	g_test_init(&argc, &argv, NULL);
	dir = g_dir_make_tmp("test-verdict-XXXXXX", NULL);
	lib = g_test_build_filename(G_TEST_DIST, "tests", "integration",
	    "lib-dkim.sh", NULL);
	setup_keys();
	g_test_add_func("/verdict/text-controls", test_text_controls);
	g_test_add_func("/verdict/gmail-style", test_gmail_style);
	g_test_add_func("/verdict/list-forwarded", test_list_forwarded);
	g_test_add_func("/verdict/lf-only", test_lf_only);
	g_test_add_func("/verdict/spoofed-from", test_spoofed_from);
	g_test_add_func("/verdict/tampered", test_tampered);
	g_test_add_func("/verdict/subdomain-policy", test_subdomain_policy);
	g_test_add_func("/verdict/strict-alignment", test_strict_alignment);
	g_test_add_func("/verdict/two-dmarc-records", test_two_records);
	g_test_add_func("/verdict/bad/4096-bit-key", test_big_key);
	g_test_add_func("/verdict/bad/malformed-signature", test_malformed);
	g_test_add_func("/verdict/bad/absurd-length", test_absurd_length);
	g_test_add_func("/verdict/bad/50-signatures", test_many_signatures);
	g_test_add_func("/verdict/bad/body-length", test_body_length);
	g_test_add_func("/verdict/bad/10000-results", test_huge_authres);
	g_test_add_func("/verdict/reinjected", test_reinjected);
	g_test_add_func("/verdict/unaligned-temperror",
	    test_unaligned_temperror);
	g_test_add_func("/verdict/dns-down", test_dns_down);
	g_test_add_func("/verdict/same-verdict", test_same_verdict);
	g_test_add_func("/verdict/topmost-only", test_topmost_only);
	rc = g_test_run();
	g_free(sh("rm -rf \"$PWD\"", NULL));
	g_free(keys);
	g_free(records);
	g_free(lib);
	g_free(dir);
	return rc;
}
