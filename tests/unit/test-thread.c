/*
 * Unit tests for src/thread.c: the subject tag parser as a table, and
 * thread_decide() against a real store in a temporary directory, with
 * messages parsed by mail_parse().
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "config.h"
#include "identity.h"
#include "mail.h"
#include "store.h"
#include "thread.h"
#include "token.h"

/* The verdict decide() passes (NULL: none known). */
static const struct identity *verdict;

static void
test_subject_ticket(void)
{
	static const struct {
		const char	*subject;
		const char	*tag;
		gboolean	 hit;
		gint64		 id;
	} cases[] = {
		{ "[Support #123] Printer", "Support", TRUE, 123 },
		{ "Re: [Support #123] Printer", "Support", TRUE, 123 },
		{ "AW: RE: Fwd: [Support #5]", "Support", TRUE, 5 },
		/* Case and spacing. */
		{ "[support #7]", "Support", TRUE, 7 },
		{ "[SUPPORT #7]", "Support", TRUE, 7 },
		{ "[Support#8]", "Support", TRUE, 8 },
		{ "[ Support #9 ]", "Support", TRUE, 9 },
		{ "[Support   #10]", "Support", TRUE, 10 },
		{ "[Support #007]", "Support", TRUE, 7 },
		/* Tags with spaces and punctuation. */
		{ "Re: [IT Help #42] VPN", "IT Help", TRUE, 42 },
		{ "Re: [it help #42] VPN", "IT Help", TRUE, 42 },
		{ "[helpdesk.example.com #3]", "helpdesk.example.com", TRUE,
		    3 },
		{ "[IT Help #42]", "IT", FALSE, 0 },
		/* Several brackets: the first valid tag wins. */
		{ "[EXTERNAL] [Support #11] Re: x", "Support", TRUE, 11 },
		{ "[Support #12] Re: [Support #13]", "Support", TRUE, 12 },
		{ "[Support #x] [Support #14]", "Support", TRUE, 14 },
		{ "[[Support #15]]", "Support", TRUE, 15 },
		{ "[Sales #16] [Support #17]", "Support", TRUE, 17 },
		/* Not our tag. */
		{ "[Sales #16]", "Support", FALSE, 0 },
		{ "[Supporter #16]", "Support", FALSE, 0 },
		{ "[MySupport #16]", "Support", FALSE, 0 },
		{ "[Support-Desk #16]", "Support", FALSE, 0 },
		{ "Support #16", "Support", FALSE, 0 },
		{ "#16 [Support]", "Support", FALSE, 0 },
		/* Numbers: zero, overflow, signs, trailing garbage. */
		{ "[Support #0]", "Support", FALSE, 0 },
		{ "[Support #9223372036854775807]", "Support", TRUE,
		    G_MAXINT64 },
		{ "[Support #9223372036854775808]", "Support", FALSE, 0 },
		{ "[Support #99999999999999999999999]", "Support", FALSE, 0 },
		{ "[Support #-3]", "Support", FALSE, 0 },
		{ "[Support #+3]", "Support", FALSE, 0 },
		{ "[Support #12abc]", "Support", FALSE, 0 },
		{ "[Support #1.5]", "Support", FALSE, 0 },
		{ "[Support #]", "Support", FALSE, 0 },
		{ "[Support # 12]", "Support", FALSE, 0 },
		{ "[Support 12]", "Support", FALSE, 0 },
		{ "[Support #12", "Support", FALSE, 0 },
		{ "[Support #\xef\xbc\x91\xef\xbc\x92]", "Support", FALSE, 0 },
		/* Garbage. */
		{ "", "Support", FALSE, 0 },
		{ "[", "Support", FALSE, 0 },
		{ "[[[[", "Support", FALSE, 0 },
		{ "]]]] #12 [[[", "Support", FALSE, 0 },
		{ "\xff\xfe[Support #3]\xff", "Support", TRUE, 3 },
		{ "[Support #12]", "", FALSE, 0 },
	};
	size_t	 i;
	int64_t	 id;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gboolean hit;
		char	*esc = g_strescape(cases[i].subject, NULL);

		id = -1;
		hit = thread_subject_ticket(cases[i].subject, cases[i].tag,
		    &id);
		g_test_message("case %zu: \"%s\" tag \"%s\" -> %d %"
		    G_GINT64_FORMAT, i, esc, cases[i].tag, hit, id);
		g_free(esc);
		g_assert_cmpint(hit, ==, cases[i].hit);
		if (hit)
			g_assert_cmpint(id, ==, cases[i].id);
		else
			g_assert_cmpint(id, ==, -1);
	}
	g_assert_false(thread_subject_ticket(NULL, "Support", &id));
}

/* Several brands: any configured tag names its ticket, the leftmost
 * bracket wins whichever tag it has, and *which tells the tag. */
static void
test_subject_ticket_any(void)
{
	static char *const tags[] = { "Support", "Sales", "IT Help", NULL };
	static const struct {
		const char	*subject;
		gboolean	 hit;
		gint64		 id;
		const char	*which;
	} cases[] = {
		{ "[Support #1] a", TRUE, 1, "Support" },
		{ "Re: [Sales #4] quote", TRUE, 4, "Sales" },
		{ "[sales#5]", TRUE, 5, "Sales" },
		{ "[IT Help #6] VPN", TRUE, 6, "IT Help" },
		/* Leftmost wins, not the first tag in the list. */
		{ "[Sales #7] Re: [Support #8]", TRUE, 7, "Sales" },
		{ "[Support #8] Re: [Sales #7]", TRUE, 8, "Support" },
		{ "[EXTERNAL] [Sales #9]", TRUE, 9, "Sales" },
		{ "[Sales #x] [Support #10]", TRUE, 10, "Support" },
		/* Prefixes of a tag are not the tag. */
		{ "[Salesforce #11]", FALSE, 0, NULL },
		{ "[Sale #12]", FALSE, 0, NULL },
		{ "[IT #13]", FALSE, 0, NULL },
		{ "[Marketing #14]", FALSE, 0, NULL },
		{ "[Sales #0]", FALSE, 0, NULL },
		{ "", FALSE, 0, NULL },
	};
	char *const	 none[] = { NULL };
	size_t		 i;
	int64_t		 id;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *which = NULL;
		gboolean hit;

		id = -1;
		hit = thread_subject_ticket_any(cases[i].subject, tags, &id,
		    &which);
		g_test_message("case %zu: \"%s\" -> %d %" G_GINT64_FORMAT,
		    i, cases[i].subject, hit, id);
		g_assert_cmpint(hit, ==, cases[i].hit);
		g_assert_cmpint(id, ==, hit ? cases[i].id : -1);
		g_assert_cmpstr(which, ==, cases[i].which);
	}
	g_assert_false(thread_subject_ticket_any("[Sales #1]", none, &id,
	    NULL));
	g_assert_false(thread_subject_ticket_any("[Sales #1]", NULL, &id,
	    NULL));
	g_assert_false(thread_subject_ticket_any(NULL, tags, &id, NULL));
}

static void
test_rule_names(void)
{
	g_assert_cmpstr(thread_rule_to_text(THREAD_TOKEN), ==, "reply-token");
	g_assert_cmpstr(thread_rule_to_text(THREAD_REFERENCES), ==,
	    "references");
	g_assert_cmpstr(thread_rule_to_text(THREAD_SUBJECT_TAG), ==,
	    "subject-tag");
	g_assert_cmpstr(thread_rule_to_text(THREAD_REFERENCED_BY), ==,
	    "referenced-by");
	g_assert_cmpstr(thread_rule_to_text(THREAD_NEW), ==, "new-ticket");
	g_assert_cmpstr(thread_rule_to_text(THREAD__MAX), ==, "?");
}

/*
 * The store for thread_decide(): ticket 1 from ann (message m1@x, an
 * outbound notification pd.1.1@x), ticket 2 from bo (message m2@x).
 */
struct fixture {
	char		*dir;
	char		*path;
	struct store	*s;
	struct config	*c;
};

static int64_t
add_ticket(struct store *s, const char *requester)
{
	struct ticket	 t = { 0 };
	GError		*e = NULL;

	t.subject = (char *)"subject";
	t.requester = (char *)requester;
	t.created = 1700000000;
	g_assert_true(store_ticket_insert(s, &t, &e));
	g_assert_true(store_participant_add(s, t.id, requester, NULL,
	    "requester", &e));
	g_assert_no_error(e);
	return t.id;
}

static void
add_message(struct store *s, int64_t ticket, const char *msgid,
    bool outbound)
{
	struct message	 m = { 0 };
	GError		*e = NULL;

	m.ticket_id = ticket;
	m.outbound = outbound;
	m.message_id = (char *)msgid;
	m.body_hash = (char *)"h";
	m.received = 1700000000;
	g_assert_true(store_message_insert(s, &m, &e));
	g_assert_no_error(e);
}

static void
fx_setup(struct fixture *fx, gconstpointer data)
{
	GError	*e = NULL;

	fx->dir = g_dir_make_tmp("pd-thread-XXXXXX", &e);
	g_assert_no_error(e);
	fx->path = g_build_filename(fx->dir, "t.db", NULL);
	g_assert_true(store_open(&fx->s, fx->path, STORE_READWRITE, &e));
	g_assert_no_error(e);
	fx->c = config_new_default();
	g_free(fx->c->address);
	fx->c->address = g_strdup("support@example.com");
	g_strfreev(fx->c->staff_addresses);
	fx->c->staff_addresses = g_strsplit("agent@example.com", ",", -1);
	g_assert_cmpint(add_ticket(fx->s, "ann@example.com"), ==, 1);
	g_assert_cmpint(add_ticket(fx->s, "bo@example.com"), ==, 2);
	g_assert_true(store_participant_add(fx->s, 1, "cc@example.com", NULL,
	    "cc", &e));
	add_message(fx->s, 1, "m1@x", false);
	add_message(fx->s, 1, "pd.1.1@x", true);
	add_message(fx->s, 2, "m2@x", false);
}

static void
fx_teardown(struct fixture *fx, gconstpointer data)
{
	char	*p;

	store_close(fx->s);
	config_free(fx->c);
	g_unlink(fx->path);
	p = g_strconcat(fx->path, "-wal", NULL);
	g_unlink(p);
	g_free(p);
	p = g_strconcat(fx->path, "-shm", NULL);
	g_unlink(p);
	g_free(p);
	g_rmdir(fx->dir);
	g_free(fx->path);
	g_free(fx->dir);
}

/* Parses a message with FROM, SUBJECT and extra header lines HDRS. */
static struct mail *
mk(const char *from, const char *subject, const char *hdrs)
{
	char		*raw = g_strdup_printf("%s%s%s"
	    "To: support@example.com\nSubject: %s\n"
	    "Message-ID: <new.%u@example.net>\n%s\nbody\n",
	    from ? "From: " : "", from ? from : "", from ? "\n" : "",
	    subject, g_random_int(), hdrs ? hdrs : "");
	struct mail	*m = NULL;
	GError		*e = NULL;

	g_assert_true(mail_parse(&m, raw, strlen(raw), &e));
	g_assert_no_error(e);
	g_free(raw);
	return m;
}

/* An aligned SPF pass: the From: domain vouches. */
static struct identity *
aligned(void)
{
	struct identity	*id = identity_new();

	id->spf = g_strdup("pass");
	id->spf_domain = g_strdup("example.com");
	id->spf_aligned = true;
	id->final = IDENTITY_PASS;
	return id;
}

/* thread_decide() on a message; checks the verdict. */
static void
decide(struct fixture *fx, struct mail *m, enum thread_rule rule,
    int64_t named, int64_t ticket, bool foreign, const char *matched)
{
	struct thread_verdict v;
	GError	*e = NULL;

	g_assert_true(thread_decide(fx->s, fx->c, m, verdict, NULL, &v, &e));
	g_assert_no_error(e);
	g_test_message("%s: %s", thread_rule_to_text(v.rule), v.why);
	g_assert_cmpstr(thread_rule_to_text(v.rule), ==,
	    thread_rule_to_text(rule));
	g_assert_cmpint(v.named, ==, named);
	g_assert_cmpint(v.ticket, ==, ticket);
	g_assert_cmpint(v.foreign, ==, foreign);
	g_assert_cmpstr(v.matched, ==, matched);
	g_assert_nonnull(v.why);
	g_assert_cmpuint(strlen(v.why), >, 0);
	thread_verdict_clear(&v);
	g_assert_null(v.why);
	g_assert_null(v.matched);
	mail_free(m);
}

static void
test_in_reply_to(struct fixture *fx, gconstpointer data)
{
	decide(fx, mk("ann@example.com", "Re: x", "In-Reply-To: <m1@x>\n"),
	    THREAD_REFERENCES, 1, 1, false, "m1@x");
	/* A reply to our own notification (outbound Message-ID). */
	decide(fx, mk("Ann <ANN@example.com>", "Re: x",
	    "In-Reply-To: <pd.1.1@x>\nReferences: <pd.1.1@x>\n"),
	    THREAD_REFERENCES, 1, 1, false, "pd.1.1@x");
}

/* References lists oldest first; the newest known one wins. */
static void
test_references_newest(struct fixture *fx, gconstpointer data)
{
	struct identity	*id = aligned();

	verdict = id;
	decide(fx, mk("agent@example.com", "Re: x",
	    "References: <m1@x> <unknown@x> <m2@x> <later-unknown@x>\n"),
	    THREAD_REFERENCES, 2, 2, false, "m2@x");
	/* In-Reply-To is the most direct parent: it comes first. */
	decide(fx, mk("agent@example.com", "Re: x",
	    "In-Reply-To: <m1@x>\nReferences: <m2@x>\n"),
	    THREAD_REFERENCES, 1, 1, false, "m1@x");
	verdict = NULL;
	identity_free(id);
	/* An unknown In-Reply-To falls back to References. */
	decide(fx, mk("bo@example.com", "Re: x",
	    "In-Reply-To: <gone@x>\nReferences: <m2@x> <gone@x>\n"),
	    THREAD_REFERENCES, 2, 2, false, "m2@x");
}

static void
test_subject_tag(struct fixture *fx, gconstpointer data)
{
	char	*tag;

	decide(fx, mk("ann@example.com", "Re: [Support #1] Printer", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
	/* A CC of the ticket is a participant too. */
	decide(fx, mk("cc@example.com", "[support #1]", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
	/* References beat the subject tag. */
	decide(fx, mk("bo@example.com", "Re: [Support #1]",
	    "References: <m2@x>\n"), THREAD_REFERENCES, 2, 2, false, "m2@x");
	/* Unknown references, then the tag. */
	decide(fx, mk("bo@example.com", "Re: [Support #2]",
	    "In-Reply-To: <nobody-knows@x>\n"), THREAD_SUBJECT_TAG, 2, 2,
	    false, "[Support #2]");
	/* RFC 2047-encoded subject: the tag is found after decoding. */
	decide(fx, mk("ann@example.com",
	    "=?UTF-8?Q?Re=3A_=5BSupport_=231=5D_=C3=A9t=C3=A9?=", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
	/* The configured tag, not a hard-coded one. */
	g_free(fx->c->subject_tag);
	fx->c->subject_tag = g_strdup("IT Help");
	tag = g_strdup("[IT Help #2]");
	decide(fx, mk("bo@example.com", "Re: [IT Help #2] VPN", NULL),
	    THREAD_SUBJECT_TAG, 2, 2, false, tag);
	decide(fx, mk("bo@example.com", "Re: [Support #2] VPN", NULL),
	    THREAD_NEW, 0, 0, false, NULL);
	g_free(tag);
}

static void
test_new_ticket(struct fixture *fx, gconstpointer data)
{
	decide(fx, mk("ann@example.com", "A new problem", NULL),
	    THREAD_NEW, 0, 0, false, NULL);
	/* A tag naming a ticket that does not exist. */
	decide(fx, mk("ann@example.com", "Re: [Support #99] x", NULL),
	    THREAD_NEW, 0, 0, false, NULL);
	decide(fx, mk("ann@example.com", "Re: x",
	    "In-Reply-To: <unknown@x>\nReferences: <a@x> <b@x>\n"),
	    THREAD_NEW, 0, 0, false, NULL);
	/* Ids match exactly, not by substring or case. */
	decide(fx, mk("ann@example.com", "Re: x", "In-Reply-To: <M1@x>\n"),
	    THREAD_NEW, 0, 0, false, NULL);
	decide(fx, mk("ann@example.com", "Re: x", "In-Reply-To: <m1@x.y>\n"),
	    THREAD_NEW, 0, 0, false, NULL);
}

/* A stranger naming a ticket gets a new ticket linked to it. */
static void
test_foreign(struct fixture *fx, gconstpointer data)
{
	struct thread_verdict v;
	struct mail	*m;
	GError		*e = NULL;

	decide(fx, mk("eve@evil.example", "Re: [Support #1] give me data",
	    NULL), THREAD_SUBJECT_TAG, 1, 0, true, "[Support #1]");
	decide(fx, mk("eve@evil.example", "Re: x", "In-Reply-To: <m2@x>\n"),
	    THREAD_REFERENCES, 2, 0, true, "m2@x");
	/* ann is a participant of #1, not of #2. */
	decide(fx, mk("ann@example.com", "[Support #2]", NULL),
	    THREAD_SUBJECT_TAG, 2, 0, true, "[Support #2]");
	/* No usable From at all. */
	decide(fx, mk(NULL, "[Support #1]", NULL), THREAD_SUBJECT_TAG, 1, 0,
	    true, "[Support #1]");
	/* The explanation names the sender and the reason. */
	m = mk("eve@evil.example", "[Support #1]", NULL);
	g_assert_true(thread_decide(fx->s, fx->c, m, NULL, NULL, &v, &e));
	g_assert_nonnull(strstr(v.why, "eve@evil.example"));
	g_assert_nonnull(strstr(v.why, "not a participant"));
	thread_verdict_clear(&v);
	mail_free(m);
	/* With foreign_sender = join the stranger joins. */
	fx->c->foreign_sender_new_ticket = false;
	decide(fx, mk("eve@evil.example", "Re: [Support #1]", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
}

/* Authenticated staff addresses join any ticket without being
 * participants. */
static void
test_staff_joins(struct fixture *fx, gconstpointer data)
{
	struct identity	*id = aligned();

	verdict = id;
	decide(fx, mk("agent@example.com", "Re: [Support #2]", NULL),
	    THREAD_SUBJECT_TAG, 2, 2, false, "[Support #2]");
	decide(fx, mk("Agent <AGENT@EXAMPLE.COM>", "Re: x",
	    "In-Reply-To: <m1@x>\n"), THREAD_REFERENCES, 1, 1, false,
	    "m1@x");
	/* Staff-like, but not staff. */
	decide(fx, mk("agent@example.com.evil", "Re: [Support #2]", NULL),
	    THREAD_SUBJECT_TAG, 2, 0, true, "[Support #2]");
	verdict = NULL;
	identity_free(id);
}

/* Attack 4 of issue 11: a staff address without an aligned pass is
 * participant-checked like anyone. */
static void
test_staff_unproven(struct fixture *fx, gconstpointer data)
{
	struct identity	*id = identity_new();

	decide(fx, mk("agent@example.com", "Re: [Support #2]", NULL),
	    THREAD_SUBJECT_TAG, 2, 0, true, "[Support #2]");
	/* SPF pass for some other domain is no proof. */
	id->spf = g_strdup("pass");
	id->spf_domain = g_strdup("evil.test");
	id->final = IDENTITY_FAIL;
	verdict = id;
	decide(fx, mk("agent@example.com", "Re: x", "In-Reply-To: <m1@x>\n"),
	    THREAD_REFERENCES, 1, 0, true, "m1@x");
	verdict = NULL;
	identity_free(id);
}

/* Attack 3: a spoofed participant whose verdict is forged does not
 * join; [auth] on_forged says where it goes. */
static void
test_forged(struct fixture *fx, gconstpointer data)
{
	struct identity	*id = identity_new();
	struct thread_verdict v;
	struct mail	*m;
	GError		*e = NULL;

	id->final = IDENTITY_FORGED;
	id->dmarc_policy = g_strdup("reject");
	verdict = id;
	/* new-ticket (default): a new ticket, linked, tagged unverified. */
	m = mk("ann@example.com", "Re: [Support #1]", NULL);
	g_assert_true(thread_decide(fx->s, fx->c, m, id, NULL, &v, &e));
	g_assert_cmpint(v.ticket, ==, 0);
	g_assert_cmpint(v.named, ==, 1);
	g_assert_true(v.forged && v.unverified && v.foreign);
	g_assert_false(v.quarantine);
	g_assert_false(v.join.allow);
	g_assert_cmpstr(v.join.rule, ==, "join-thread");
	g_assert_nonnull(strstr(v.why, "forged"));
	thread_verdict_clear(&v);
	mail_free(m);
	/* A new message with a forged verdict: unverified, not linked. */
	m = mk("ann@example.com", "Hello", NULL);
	g_assert_true(thread_decide(fx->s, fx->c, m, id, NULL, &v, &e));
	g_assert_true(v.forged && v.unverified && !v.foreign);
	thread_verdict_clear(&v);
	mail_free(m);
	fx->c->auth_on_forged = POLICY_FORGED_QUARANTINE;
	m = mk("ann@example.com", "Re: [Support #1]", NULL);
	g_assert_true(thread_decide(fx->s, fx->c, m, id, NULL, &v, &e));
	g_assert_true(v.forged && v.quarantine && !v.unverified);
	g_assert_cmpint(v.ticket, ==, 0);
	thread_verdict_clear(&v);
	mail_free(m);
	fx->c->auth_on_forged = POLICY_FORGED_ACCEPT;
	decide(fx, mk("ann@example.com", "Re: [Support #1]", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
	/* A verdict of fail (no DMARC policy) still joins. */
	fx->c->auth_on_forged = POLICY_FORGED_NEW_TICKET;
	id->final = IDENTITY_FAIL;
	decide(fx, mk("ann@example.com", "Re: [Support #1]", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false, "[Support #1]");
	verdict = NULL;
	identity_free(id);
}

/* Rule 1: a token minted for the sender joins, even a forged one; a
 * token minted for someone else only names its ticket; a legacy token
 * threads. */
static void
test_tokens(struct fixture *fx, gconstpointer data)
{
	struct identity	*id = identity_new();
	char	*ann, *hdr, *old;

	fx->c->token_key = g_strdup("k");
	ann = token_mint_address("support@example.com", "k", TOKEN_REPLY, 2,
	    "ann@example.com", TOKEN_ROLE_CUSTOMER);
	hdr = g_strdup_printf("Cc: %s\n", ann);
	/* ann is no participant of #2, but the token was minted for her. */
	decide(fx, mk("ann@example.com", "x", hdr), THREAD_TOKEN, 2, 2,
	    false, ann);
	id->final = IDENTITY_FORGED;
	verdict = id;
	decide(fx, mk("ann@example.com", "x", hdr), THREAD_TOKEN, 2, 2,
	    false, ann);
	verdict = NULL;
	/* Forwarded to eve: names #2, eve is a stranger there. */
	decide(fx, mk("eve@evil.example", "x", hdr), THREAD_TOKEN, 2, 0,
	    true, ann);
	/* ... and bo, who is a participant of #2, joins as a participant. */
	decide(fx, mk("bo@example.com", "x", hdr), THREAD_TOKEN, 2, 2,
	    false, ann);
	g_free(hdr);
	old = token_address("support@example.com", "k", 1);
	hdr = g_strdup_printf("Cc: %s\n", old);
	decide(fx, mk("eve@evil.example", "x", hdr), THREAD_TOKEN, 1, 1,
	    false, old);
	g_free(hdr);
	g_free(old);
	g_free(ann);
	identity_free(id);
}

/* thread_decide() only reads: the store is unchanged afterwards. */
static void
test_read_only(struct fixture *fx, gconstpointer data)
{
	struct ticket_filter f = { 0 };
	GPtrArray	*a = NULL;
	GError		*e = NULL;

	decide(fx, mk("eve@evil.example", "[Support #1]", NULL),
	    THREAD_SUBJECT_TAG, 1, 0, true, "[Support #1]");
	decide(fx, mk("new@example.com", "new", NULL), THREAD_NEW, 0, 0,
	    false, NULL);
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_events(fx->s, 1, &a, &e));
	g_assert_cmpuint(a->len, ==, 0);
	g_ptr_array_free(a, TRUE);
}

/* A ticket of REQUESTER whose one message MSGID came before the
 * message REF it answers (its In-Reply-To). */
static int64_t
add_early_reply(struct store *s, const char *requester, const char *msgid,
    const char *ref)
{
	struct message	 m = { 0 };
	GError		*e = NULL;

	m.ticket_id = add_ticket(s, requester);
	m.message_id = (char *)msgid;
	m.in_reply_to = (char *)ref;
	m.body_hash = (char *)"h";
	m.received = 1700000000;
	g_assert_true(store_message_insert(s, &m, &e));
	g_assert_true(store_message_refs_add(s, m.id, ref, NULL, &e));
	g_assert_no_error(e);
	return m.ticket_id;
}

/* FROM's message MSGID with extra header lines HDRS. */
static struct mail *
mk_id(const char *from, const char *msgid, const char *hdrs)
{
	char		*raw = g_strdup_printf("From: %s\nTo: "
	    "support@example.com\nSubject: x\nMessage-ID: <%s>\n%s\nbody\n",
	    from, msgid, hdrs ? hdrs : "");
	struct mail	*m = NULL;
	GError		*e = NULL;

	g_assert_true(mail_parse(&m, raw, strlen(raw), &e));
	g_free(raw);
	return m;
}

/* thread_decide() on M; the tickets it would merge, "" if none. */
static char *
merges(struct fixture *fx, struct mail *m, enum thread_rule rule,
    int64_t ticket)
{
	struct thread_verdict v;
	GString	*g = g_string_new(NULL);
	GError	*e = NULL;
	guint	 i;

	g_assert_true(thread_decide(fx->s, fx->c, m, NULL, NULL, &v, &e));
	g_assert_no_error(e);
	g_test_message("%s: %s", thread_rule_to_text(v.rule), v.why);
	g_assert_cmpstr(thread_rule_to_text(v.rule), ==,
	    thread_rule_to_text(rule));
	g_assert_cmpint(v.ticket, ==, ticket);
	for (i = 0; v.merge != NULL && i < v.merge->len; i++)
		g_string_append_printf(g, "%s%" G_GINT64_FORMAT, i ? " " : "",
		    g_array_index(v.merge, int64_t, i));
	thread_verdict_clear(&v);
	mail_free(m);
	return g_string_free(g, FALSE);
}

static void
test_referenced_by(struct fixture *fx, gconstpointer data)
{
	char	*got;

	/* Ann's reply r3 opened #3 before her original o3 came. */
	g_assert_cmpint(add_early_reply(fx->s, "ann@example.com", "r3@x",
	    "o3@x"), ==, 3);
	decide(fx, mk_id("ann@example.com", "o3@x", NULL),
	    THREAD_REFERENCED_BY, 3, 3, false, "r3@x");
	/* Eve's message with that Message-ID does not get in. */
	decide(fx, mk_id("eve@evil.example", "o3@x", NULL),
	    THREAD_REFERENCED_BY, 3, 0, true, "r3@x");
	/* o4 answers m1 (#1); its reply r4 opened #4: #4 merges into #1. */
	g_assert_cmpint(add_early_reply(fx->s, "ann@example.com", "r4@x",
	    "o4@x"), ==, 4);
	got = merges(fx, mk_id("ann@example.com", "o4@x",
	    "In-Reply-To: <m1@x>\n"), THREAD_REFERENCES, 1);
	g_assert_cmpstr(got, ==, "4");
	g_free(got);
	/* Bo (#2) may not pull Ann's #5 into his ticket. */
	g_assert_cmpint(add_early_reply(fx->s, "ann@example.com", "r5@x",
	    "o5@x"), ==, 5);
	got = merges(fx, mk_id("bo@example.com", "o5@x",
	    "In-Reply-To: <m2@x>\n"), THREAD_REFERENCES, 2);
	g_assert_cmpstr(got, ==, "");
	g_free(got);
}

static void
test_merge(struct fixture *fx, gconstpointer data)
{
	struct ticket_filter f = { 0 };
	GPtrArray	*a = NULL;
	GError		*e = NULL;
	int64_t		 into = 0, t;

	t = add_early_reply(fx->s, "dee@example.com", "r3@x", "o3@x");
	g_assert_true(store_ticket_merge(fx->s, t, 1, &e));
	g_assert_no_error(e);
	g_assert_true(store_ticket_merged_into(fx->s, t, &into, &e));
	g_assert_cmpint(into, ==, 1);
	g_assert_true(store_ticket_merged_into(fx->s, 2, &into, &e));
	g_assert_cmpint(into, ==, 2);
	g_assert_true(store_thread(fx->s, 1, &a, &e));
	g_assert_cmpuint(a->len, ==, 3);
	g_ptr_array_free(a, TRUE);
	/* The other requester is now a CC of #1; #3 is not listed. */
	g_assert_true(store_participants(fx->s, 1, "cc", false, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_ptr_array_free(a, TRUE);
	g_assert_true(store_ticket_list(fx->s, &f, &a, &e));
	g_assert_cmpuint(a->len, ==, 2);
	g_ptr_array_free(a, TRUE);
	/* A subject tag naming #3 stands for #1. */
	decide(fx, mk("dee@example.com", "[Support #3]", NULL),
	    THREAD_SUBJECT_TAG, 1, 1, false,
	    "[Support #3] (ticket #3 was merged into #1)");
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/thread/subject-ticket", test_subject_ticket);
	g_test_add_func("/thread/subject-ticket-any",
	    test_subject_ticket_any);
	g_test_add_func("/thread/rule-names", test_rule_names);
#define FX(path, fn) g_test_add(path, struct fixture, NULL, fx_setup, fn, \
	fx_teardown)
	FX("/thread/decide/in-reply-to", test_in_reply_to);
	FX("/thread/decide/references-newest", test_references_newest);
	FX("/thread/decide/subject-tag", test_subject_tag);
	FX("/thread/decide/new-ticket", test_new_ticket);
	FX("/thread/decide/foreign", test_foreign);
	FX("/thread/decide/staff-joins", test_staff_joins);
	FX("/thread/decide/staff-unproven", test_staff_unproven);
	FX("/thread/decide/forged", test_forged);
	FX("/thread/decide/tokens", test_tokens);
	FX("/thread/decide/read-only", test_read_only);
	FX("/thread/decide/referenced-by", test_referenced_by);
	FX("/thread/merge", test_merge);
#undef FX
	return g_test_run();
}
