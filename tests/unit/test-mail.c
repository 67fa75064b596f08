/*
 * Unit tests for src/mail.c and src/mail_text.c: mail_parse() over
 * crafted messages.  Bytes in foreign charsets are produced with
 * g_convert() here, so the test does not depend on how this file is
 * encoded.
 */
#include <string.h>

#include <glib.h>

#include "mail.h"

/* LF text to CRLF. */
static char *
crlf(const char *s)
{
	GString	*g = g_string_new(NULL);

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			g_string_append_c(g, '\r');
		g_string_append_c(g, *s);
	}
	return g_string_free(g, FALSE);
}

/* UTF-8 text to bytes in CHARSET; *len set.  g_free. */
static char *
encode(const char *utf8, const char *charset, gsize *len)
{
	GError	*e = NULL;
	char	*out = g_convert(utf8, -1, charset, "UTF-8", NULL, len, &e);

	g_assert_no_error(e);
	return out;
}

static struct mail *
parse_len(const char *raw, size_t len)
{
	struct mail	*m = NULL;
	GError		*e = NULL;

	if (!mail_parse(&m, raw, len, &e))
		g_error("mail_parse failed: %s", e->message);
	g_assert_nonnull(m);
	g_assert_true(g_utf8_validate(m->text, -1, NULL));
	g_assert_true(g_utf8_validate(m->stripped, -1, NULL));
	g_assert_true(g_utf8_validate(m->subject, -1, NULL));
	return m;
}

static struct mail *
parse(const char *raw)
{
	return parse_len(raw, strlen(raw));
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL)
		g_error("\"%s\" not found in \"%s\"", needle,
		    hay ? hay : "(null)");
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (hay != NULL && strstr(hay, needle) != NULL)
		g_error("\"%s\" unexpectedly found in \"%s\"", needle, hay);
}

static const struct mail_attachment *
att(const struct mail *m, guint i)
{
	g_assert_cmpuint(i, <, m->attachments->len);
	return m->attachments->pdata[i];
}

#define HDR "From: Ann <ann@example.com>\nTo: support@example.com\n" \
	"Date: Mon, 05 Feb 2024 10:00:00 +0100\n"

/* --- headers ----------------------------------------------------------- */

static void
test_basic(void)
{
	struct mail *m = parse(HDR "Subject: Printer broken\n"
	    "Message-ID: <abc.123@example.com>\n"
	    "Cc: Bo <BO@Example.COM>, \"Cy, Z\" <cy@example.com>\n"
	    "Reply-To: ann.private@example.net\n"
	    "\nHello,\nmy printer is broken.\n");

	g_assert_cmpstr(m->message_id, ==, "abc.123@example.com");
	g_assert_false(m->message_id_synthetic);
	g_assert_cmpstr(m->from.addr, ==, "ann@example.com");
	g_assert_cmpstr(m->from.name, ==, "Ann");
	g_assert_cmpuint(m->to->len, ==, 1);
	g_assert_cmpuint(m->cc->len, ==, 2);
	/* Domains are lower-cased, local parts kept as written. */
	g_assert_cmpstr(((struct mail_address *)m->cc->pdata[0])->addr, ==,
	    "BO@example.com");
	g_assert_cmpstr(((struct mail_address *)m->cc->pdata[1])->name, ==,
	    "Cy, Z");
	g_assert_cmpuint(m->reply_to->len, ==, 1);
	g_assert_cmpstr(m->subject, ==, "Printer broken");
	g_assert_cmpint(m->date, ==, 1707123600);
	g_assert_cmpstr(m->text, ==, "Hello,\nmy printer is broken.\n");
	g_assert_false(m->text_from_html);
	g_assert_cmpuint(m->attachments->len, ==, 0);
	g_assert_cmpstr(mail_header(m, "subject"), ==, "Printer broken");
	g_assert_cmpstr(mail_header(m, "MESSAGE-ID"), ==,
	    "<abc.123@example.com>");
	g_assert_null(mail_header(m, "X-Nope"));
	g_assert_null(m->in_reply_to);
	g_assert_nonnull(m->references);
	g_assert_null(m->references[0]);
	mail_free(m);
	mail_free(NULL);
}

static void
test_rfc2047_subjects(void)
{
	static const struct { const char *hdr, *want; } cases[] = {
		{ "=?UTF-8?B?w6lsw6h2ZSDDoCBQYXJpcw==?=",
		    "\xc3\xa9l\xc3\xa8ve \xc3\xa0 Paris" },
		{ "=?ISO-8859-1?Q?Caf=E9_cr=E8me?=",
		    "Caf\xc3\xa9 cr\xc3\xa8me" },
		{ "=?utf-8?q?Gr=C3=BC=C3=9Fe?= und =?iso-8859-15?q?=A4uro?=",
		    "Gr\xc3\xbc\xc3\x9f" "e und \xe2\x82\xac" "uro" },
		/* White space between adjacent encoded words goes. */
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=\n =?UTF-8?Q?c?=", "abc" },
		/* A character split across two encoded words. */
		{ "=?UTF-8?B?w6?= =?UTF-8?B?kK?=", NULL },
		{ "=?windows-1251?B?z+Dw4Ovr5ev8?=",
		    "\xd0\x9f\xd0\xb0\xd1\x80\xd0\xb0\xd0"
		    "\xbb\xd0\xbb\xd0\xb5\xd0\xbb\xd1\x8c" },
		{ "=?ks_c_5601-1987?B?vsiz58fPvLy/5A==?=",
		    "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8\xec\x9a"
		    "\x94" },
		{ "=?gb2312?B?xOO6ww==?=", "\xe4\xbd\xa0\xe5\xa5\xbd" },
		{ "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
		    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81"
		    "\xaf" },
		/* Broken encoded words stay readable text. */
		{ "=?UTF-8?B?unterminated", "=?UTF-8?B?unterminated" },
		{ "Re: =?UTF-8?Q?half", "Re: =?UTF-8?Q?half" },
		{ "=?no-such-charset?Q?plain_text?=", "plain text" },
		{ "=?UTF-8?X?bad-encoding?=", "=?UTF-8?X?bad-encoding?=" },
		/* Invalid UTF-8 inside a word is repaired, not kept. */
		{ "=?UTF-8?B?/w==?= end", NULL },
		/* Loose: an encoded word glued to a word (Outlook). */
		{ "Re:=?UTF-8?Q?=C3=A9t=C3=A9?=", "Re:\xc3\xa9t\xc3\xa9" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*raw = g_strdup_printf(HDR "Subject: %s\n\nx\n",
		    cases[i].hdr);
		struct mail *m = parse(raw);

		g_test_message("case %zu: [%s] -> [%s]", i, cases[i].hdr,
		    m->subject);
		if (cases[i].want != NULL)
			g_assert_cmpstr(m->subject, ==, cases[i].want);
		else
			assert_lacks(m->subject, "=?");
		mail_free(m);
		g_free(raw);
	}
}

static void
test_rfc2047_from(void)
{
	struct mail *m = parse("From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= "
	    "<Joerg@Example.DE>\nTo: =?ISO-8859-1?Q?S=F8ren?= "
	    "<s@example.com>\nSubject: x\n\nx\n");

	g_assert_cmpstr(m->from.name, ==, "J\xc3\xb6rg M\xc3\xbcller");
	g_assert_cmpstr(m->from.addr, ==, "Joerg@example.de");
	g_assert_cmpstr(((struct mail_address *)m->to->pdata[0])->name, ==,
	    "S\xc3\xb8ren");
	mail_free(m);
}

/* Undeclared 8-bit headers: UTF-8 when valid, else Windows-1252. */
static void
test_8bit_headers(void)
{
	gsize	 len;
	char	*latin = encode("Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x93 M\xc3"
	    "\xbcller", "WINDOWS-1252", &len);
	char	*raw = g_strdup_printf("From: %s <m@example.de>\n"
	    "To: support@example.com\nSubject: %s\n\nx\n", latin, latin);
	struct mail *m = parse(raw);

	g_assert_cmpstr(m->subject, ==, "Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x93 "
	    "M\xc3\xbcller");
	g_assert_cmpstr(m->from.name, ==, m->subject);
	mail_free(m);
	g_free(raw);
	m = parse("From: m@example.de\nSubject: \xe6\x97\xa5\xe6\x9c\xac "
	    "\xc3\xa9t\xc3\xa9\n\nx\n");
	g_assert_cmpstr(m->subject, ==, "\xe6\x97\xa5\xe6\x9c\xac "
	    "\xc3\xa9t\xc3\xa9");
	mail_free(m);
	g_free(latin);
}

static void
test_long_header(void)
{
	GString		*s = g_string_new(HDR "Subject: ");
	struct mail	*m;
	int		 i;

	for (i = 0; i < 2000; i++)
		g_string_append(s, "word ");
	g_string_append(s, "END\n\nbody\n");
	m = parse(s->str);
	g_assert_true(g_str_has_prefix(m->subject, "word word"));
	g_assert_true(g_str_has_suffix(m->subject, "END"));
	g_assert_cmpstr(m->text, ==, "body\n");
	mail_free(m);
	/* A folded subject is unfolded. */
	m = parse(HDR "Subject: part one\n\tpart two\n  part three\n\nx\n");
	assert_contains(m->subject, "part one");
	assert_contains(m->subject, "part three");
	assert_lacks(m->subject, "\n");
	mail_free(m);
	g_string_free(s, TRUE);
}

static void
test_ids(void)
{
	struct mail *m = parse(HDR "Subject: Re: x\n"
	    "Message-ID: <  spaced@example.com >\n"
	    "In-Reply-To: Your message of Monday <parent@example.com>\n"
	    "References: <root@example.com> (a comment)\n"
	    "\t<mid@example.com>\n <parent@example.com>\n\nx\n");

	g_assert_cmpstr(m->message_id, ==, "spaced@example.com");
	g_assert_cmpstr(m->in_reply_to, ==, "parent@example.com");
	g_assert_cmpuint(g_strv_length(m->references), ==, 3);
	g_assert_cmpstr(m->references[0], ==, "root@example.com");
	g_assert_cmpstr(m->references[1], ==, "mid@example.com");
	g_assert_cmpstr(m->references[2], ==, "parent@example.com");
	mail_free(m);
	/* Two ids in In-Reply-To: the first counts. */
	m = parse(HDR "In-Reply-To: <a@x> <b@x>\nSubject: x\n\nx\n");
	g_assert_cmpstr(m->in_reply_to, ==, "a@x");
	mail_free(m);
}

static void
test_references_bounded(void)
{
	GString		*s = g_string_new(HDR "Subject: x\nReferences:");
	struct mail	*m;
	int		 i;

	for (i = 0; i < 150; i++)
		g_string_append_printf(s, " <r%d@example.com>\n", i);
	g_string_append(s, "\nx\n");
	m = parse(s->str);
	/* The newest 100 are kept, oldest first. */
	g_assert_cmpuint(g_strv_length(m->references), ==, 100);
	g_assert_cmpstr(m->references[0], ==, "r50@example.com");
	g_assert_cmpstr(m->references[99], ==, "r149@example.com");
	mail_free(m);
	g_string_free(s, TRUE);
}

static void
test_clean_id(void)
{
	char	*big = g_strnfill(1200, 'a');
	char	*s;

	s = mail_clean_id("<a@b>");
	g_assert_cmpstr(s, ==, "a@b");
	g_free(s);
	s = mail_clean_id(" < a @ b > ");
	g_assert_cmpstr(s, ==, "a@b");
	g_free(s);
	g_assert_null(mail_clean_id("<>"));
	g_assert_null(mail_clean_id(""));
	g_assert_null(mail_clean_id(NULL));
	g_assert_null(mail_clean_id(big));
	s = mail_clean_id("a\x01@\x7f" "b");
	g_assert_cmpstr(s, ==, "a@\x7f" "b");
	g_free(s);
	g_free(big);
}

/* No Message-ID: a synthetic one, the same on every delivery. */
static void
test_synthetic_id(void)
{
	const char	*a = HDR "Subject: no id\n\nbody one\n";
	const char	*b = HDR "Subject: no id\n\nbody two\n";
	struct mail	*m1 = parse(a), *m2 = parse(a), *m3 = parse(b);

	g_assert_true(m1->message_id_synthetic);
	g_assert_nonnull(m1->message_id);
	assert_contains(m1->message_id, "@");
	g_assert_cmpstr(m1->message_id, ==, m2->message_id);
	g_assert_cmpstr(m1->message_id, !=, m3->message_id);
	mail_free(m1);
	mail_free(m2);
	mail_free(m3);
	/* An empty or broken Message-ID counts as missing. */
	m1 = parse(HDR "Message-ID: <>\nSubject: x\n\nx\n");
	g_assert_true(m1->message_id_synthetic);
	mail_free(m1);
}

/* The body hash ignores headers added in transit. */
static void
test_body_hash(void)
{
	const char	*body = "\nThe body.\n";
	char		*a = g_strconcat(HDR "Subject: h\nMessage-ID: <h@x>\n",
	    body, NULL);
	char		*b = g_strconcat("Received: from mx1 by mx2; "
	    "Mon, 5 Feb 2024 10:00:01 +0100\nReceived: from a by b\n"
	    "X-Spam: no\n",
	    HDR "Subject: h\nMessage-ID: <h@x>\n", body, NULL);
	char		*c = g_strconcat(HDR "Subject: h\nMessage-ID: <h@x>\n",
	    "\nThe body!\n", NULL);
	char		*want;
	struct mail	*ma = parse(a), *mb = parse(b), *mc = parse(c);

	g_assert_cmpstr(ma->body_hash, ==, mb->body_hash);
	g_assert_cmpstr(ma->body_hash, !=, mc->body_hash);
	g_assert_cmpuint(strlen(ma->body_hash), ==, 64);
	want = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
	    "The body.\n", -1);
	g_assert_cmpstr(ma->body_hash, ==, want);
	g_assert_cmpstr(a + ma->body_offset, ==, "The body.\n");
	g_assert_cmpstr(b + mb->body_offset, ==, "The body.\n");
	g_free(want);
	mail_free(ma);
	mail_free(mb);
	mail_free(mc);
	g_free(a);
	g_free(b);
	g_free(c);
}

/* --- bodies and charsets ------------------------------------------------ */

static void
test_alternative_prefers_plain(void)
{
	struct mail *m = parse(HDR "Subject: alt\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=\"b1\"\n\n"
	    "--b1\nContent-Type: text/html; charset=utf-8\n\n"
	    "<p>HTML <b>version</b></p>\n"
	    "--b1\nContent-Type: text/plain; charset=utf-8\n\n"
	    "Plain version\n"
	    "--b1--\n");

	g_assert_cmpstr(m->text, ==, "Plain version");
	g_assert_false(m->text_from_html);
	/* The HTML rendering is not an attachment. */
	g_assert_cmpuint(m->attachments->len, ==, 0);
	mail_free(m);
}

static void
test_html_only(void)
{
	struct mail *m = parse(HDR "Subject: html\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=\"iso-8859-1\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "<html><head><style>p{color:red}</style></head><body>"
	    "<p>Bonjour, caf=E9 &amp; cr&egrave;me</p>"
	    "<div>Line&nbsp;two<br>three</div></body></html>\n");

	g_assert_true(m->text_from_html);
	assert_contains(m->text, "Bonjour, caf\xc3\xa9 & cr\xc3\xa8me");
	assert_contains(m->text, "three");
	assert_lacks(m->text, "<");
	assert_lacks(m->text, "color");
	assert_contains(m->stripped, "Bonjour");
	mail_free(m);
}

/* HTML quoting markers beat text heuristics for the stripped text. */
static void
test_html_gmail_quote(void)
{
	struct mail *m = parse(HDR "Subject: Re: x\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=utf-8\n\n"
	    "<div dir=\"ltr\">New answer here.</div><br>"
	    "<div class=\"gmail_quote\"><div class=\"gmail_attr\">On Mon, "
	    "Support wrote:</div><blockquote class=\"gmail_quote\">"
	    "Old question text</blockquote></div>\n");

	assert_contains(m->text, "Old question text");
	assert_contains(m->stripped, "New answer here.");
	assert_lacks(m->stripped, "Old question");
	mail_free(m);
}

static void
test_undeclared_8bit(void)
{
	gsize	 len;
	char	*latin = encode("Stra\xc3\x9f" "e caf\xc3\xa9 \xe2\x82\xac",
	    "WINDOWS-1252", &len);
	char	*raw;
	struct mail *m;

	/* No charset, valid UTF-8 bytes. */
	m = parse(HDR "Subject: u\n\nStra\xc3\x9f" "e caf\xc3\xa9\n");
	g_assert_cmpstr(m->text, ==, "Stra\xc3\x9f" "e caf\xc3\xa9\n");
	mail_free(m);
	/* No charset, Latin-1/cp1252 bytes. */
	raw = g_strdup_printf(HDR "Subject: l\n\n%s\n", latin);
	m = parse(raw);
	g_assert_cmpstr(m->text, ==, "Stra\xc3\x9f" "e caf\xc3\xa9 "
	    "\xe2\x82\xac\n");
	mail_free(m);
	g_free(raw);
	/* Declared us-ascii, really cp1252 (Outlook does this). */
	raw = g_strdup_printf(HDR "Subject: l\nContent-Type: text/plain; "
	    "charset=us-ascii\n\n%s\n", latin);
	m = parse(raw);
	g_assert_cmpstr(m->text, ==, "Stra\xc3\x9f" "e caf\xc3\xa9 "
	    "\xe2\x82\xac\n");
	mail_free(m);
	g_free(raw);
	g_free(latin);
}

static void
test_wrong_charset(void)
{
	gsize	 len;
	char	*latin = encode("na\xc3\xafve r\xc3\xa9sum\xc3\xa9",
	    "ISO-8859-1", &len);
	char	*raw;
	struct mail *m;

	/* Declared UTF-8, bytes are Latin-1. */
	raw = g_strdup_printf(HDR "Subject: w\nContent-Type: text/plain; "
	    "charset=utf-8\n\n%s\n", latin);
	m = parse(raw);
	g_assert_cmpstr(m->text, ==, "na\xc3\xafve r\xc3\xa9sum\xc3\xa9\n");
	mail_free(m);
	g_free(raw);
	/* Declared iso-8859-1, bytes are UTF-8: iso-8859-1 decodes any
	 * byte, so the label wins; the result must still be valid. */
	m = parse(HDR "Subject: w\nContent-Type: text/plain; "
	    "charset=iso-8859-1\n\nna\xc3\xafve\n");
	g_assert_true(g_utf8_validate(m->text, -1, NULL));
	mail_free(m);
	/* A label nobody knows: valid UTF-8 is kept. */
	m = parse(HDR "Subject: w\nContent-Type: text/plain; "
	    "charset=x-klingon\n\nna\xc3\xafve\n");
	g_assert_cmpstr(m->text, ==, "na\xc3\xafve\n");
	mail_free(m);
	/* Unknown label, not UTF-8: cp1252. */
	raw = g_strdup_printf(HDR "Subject: w\nContent-Type: text/plain; "
	    "charset=x-klingon\n\n%s\n", latin);
	m = parse(raw);
	g_assert_cmpstr(m->text, ==, "na\xc3\xafve r\xc3\xa9sum\xc3\xa9\n");
	mail_free(m);
	g_free(raw);
	g_free(latin);
}

/* Body in CHARSET (as produced by g_convert to ICONV_NAME) labelled
 * LABEL, sent with transfer encoding CTE. */
static void
check_charset_body(const char *utf8, const char *iconv_name,
    const char *label, const char *cte)
{
	gsize	 len;
	char	*bytes = encode(utf8, iconv_name, &len);
	char	*body, *raw, *want;
	struct mail *m;

	if (strcmp(cte, "base64") == 0)
		body = g_base64_encode((const guchar *)bytes, len);
	else
		body = g_strndup(bytes, len);
	raw = g_strdup_printf(HDR "Subject: cs\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=\"%s\"\n"
	    "Content-Transfer-Encoding: %s\n\n%s\n", label, cte, body);
	m = parse(raw);
	want = g_strdup_printf("%s%s", utf8,
	    strcmp(cte, "base64") == 0 ? "" : "\n");
	g_test_message("%s/%s: %s", label, cte, m->text);
	g_assert_cmpstr(m->text, ==, want);
	mail_free(m);
	g_free(want);
	g_free(raw);
	g_free(body);
	g_free(bytes);
}

static void
test_cjk_charsets(void)
{
	/* "안녕하세요 고객센터" */
	const char *ko = "\xec\x95\x88\xeb\x85\x95\xed\x95\x98\xec\x84\xb8"
	    "\xec\x9a\x94 \xea\xb3\xa0\xea\xb0\x9d\xec\x84\xbc\xed\x84\xb0";
	/* "똠방각하": outside EUC-KR, only in cp949 (ks_c_5601-1987 in
	 * practice). */
	const char *ko949 = "\xeb\x98\xa0\xeb\xb0\xa9\xea\xb0\x81\xed\x95"
	    "\x98";
	/* "你好，世界" */
	const char *zh = "\xe4\xbd\xa0\xe5\xa5\xbd\xef\xbc\x8c\xe4\xb8\x96"
	    "\xe7\x95\x8c";
	/* "朱镕基": 镕 is GBK, not GB2312, yet labelled gb2312. */
	const char *zhgbk = "\xe6\x9c\xb1\xe9\x95\x95\xe5\x9f\xba";
	/* "こんにちは、世界" */
	const char *ja = "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1"
	    "\xe3\x81\xaf\xe3\x80\x81\xe4\xb8\x96\xe7\x95\x8c";

	check_charset_body(ko, "CP949", "ks_c_5601-1987", "8bit");
	check_charset_body(ko, "CP949", "ks_c_5601-1987", "base64");
	check_charset_body(ko949, "CP949", "ks_c_5601-1987", "base64");
	check_charset_body(ko, "EUC-KR", "euc-kr", "8bit");
	check_charset_body(ko949, "CP949", "euc-kr", "base64");
	check_charset_body(zh, "GB18030", "gb2312", "8bit");
	check_charset_body(zh, "GB2312", "gb2312", "base64");
	check_charset_body(zhgbk, "GBK", "gb2312", "base64");
	check_charset_body(zh, "GBK", "GBK", "8bit");
	check_charset_body(ja, "ISO-2022-JP", "iso-2022-jp", "7bit");
	check_charset_body(ja, "ISO-2022-JP", "ISO-2022-JP", "base64");
	check_charset_body(ja, "SHIFT_JIS", "shift_jis", "base64");
	check_charset_body(ja, "EUC-JP", "euc-jp", "8bit");
	check_charset_body("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	    "KOI8-R", "koi8-r", "8bit");
}

/*
 * Windows labels its CP50221 output "iso-2022-jp": JIS X 0208 plus the
 * NEC row 13 (circled digits, ㈱) and NEC-selected IBM rows 89-92, which
 * iconv's ISO-2022-JP decoders refuse.  The bytes are written out here
 * because no iconv on Debian produces them.
 */
static void
test_iso2022jp_windows(void)
{
	static const struct { const char *body, *want; } cases[] = {
		/* ESC $ B "-!" "-\"" "-j" ESC ( B: ① ② ㈱ */
		{ "No. \x1b$B-!-\"-j\x1b(B ok",
		    "No. \xe2\x91\xa0\xe2\x91\xa1\xe3\x88\xb1 ok" },
		/* Row 89 (NEC-selected IBM): 0x7921 is 纊 (U+7E8A). */
		{ "\x1b$By!\x1b(B", "\xe7\xba\x8a" },
		/* Mixed with plain JIS X 0208: こんにちは① */
		{ "\x1b$B$3$s$K$A$O-!\x1b(B",
		    "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1"
		    "\xe3\x81\xaf\xe2\x91\xa0" },
		/* Half-width katakana (ESC ( I): ｱｲ */
		{ "\x1b(I12\x1b(B", "\xef\xbd\xb1\xef\xbd\xb2" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*raw = g_strdup_printf(HDR "Subject: jp\n"
		    "Content-Type: text/plain; charset=ISO-2022-JP\n\n%s\n",
		    cases[i].body);
		char	*want = g_strconcat(cases[i].want, "\n", NULL);
		struct mail *m = parse(raw);

		g_assert_cmpstr(m->text, ==, want);
		mail_free(m);
		g_free(want);
		g_free(raw);
	}
}

static void
test_charset_alias(void)
{
	g_assert_cmpstr(mail_charset_alias("ks_c_5601-1987"), ==, "CP949");
	g_assert_cmpstr(mail_charset_alias("KS_C_5601-1987"), ==, "CP949");
	g_assert_cmpstr(mail_charset_alias("gb2312"), ==, "GB18030");
	g_assert_cmpstr(mail_charset_alias("iso-2022-jp"), ==,
	    "ISO-2022-JP-2");
	g_assert_cmpstr(mail_charset_alias("iso-8859-1"), ==, "WINDOWS-1252");
	g_assert_cmpstr(mail_charset_alias("koi8-r"), ==, "koi8-r");
	g_assert_cmpstr(mail_charset_alias("ISO-8859-8-E"), ==, "ISO-8859-8");
	g_assert_null(mail_charset_alias("unknown-8bit"));
	g_assert_null(mail_charset_alias(NULL));
}

static void
test_text_to_utf8(void)
{
	char	*s;

	s = mail_text_to_utf8("caf\xe9", 4, "iso-8859-1");
	g_assert_cmpstr(s, ==, "caf\xc3\xa9");
	g_free(s);
	/* cp1252's 0x80 is the euro sign, which Latin-1 labels carry. */
	s = mail_text_to_utf8("\x80", 1, "iso-8859-1");
	g_assert_cmpstr(s, ==, "\xe2\x82\xac");
	g_free(s);
	s = mail_text_to_utf8("ok", 2, NULL);
	g_assert_cmpstr(s, ==, "ok");
	g_free(s);
	/* Bytes no decoder accepts still give valid UTF-8. */
	s = mail_text_to_utf8("\x81\x8d\x8f\x90\x9d", 5, "utf-8");
	g_assert_true(g_utf8_validate(s, -1, NULL));
	g_free(s);
	/* A NUL does not cut the text short, whatever the charset. */
	s = mail_text_to_utf8("a\0b", 3, "utf-8");
	g_assert_cmpstr(s, ==, "a\xef\xbf\xbd" "b");
	g_free(s);
	s = mail_text_to_utf8("a\0b", 3, NULL);
	g_assert_cmpstr(s, ==, "a\xef\xbf\xbd" "b");
	g_free(s);
	s = mail_text_to_utf8("a\0\xe9", 3, "iso-8859-15");
	g_assert_cmpstr(s, ==, "a\xef\xbf\xbd\xc3\xa9");
	g_free(s);
	/* ... while UTF-16's zero bytes are not NULs. */
	s = mail_text_to_utf8("a\0b\0", 4, "UTF-16LE");
	g_assert_cmpstr(s, ==, "ab");
	g_free(s);
}

static void
test_nul_in_body(void)
{
	static const char raw[] = HDR "Subject: nul\n\nbefore\0after\n";
	struct mail *m = parse_len(raw, sizeof raw - 1);

	assert_contains(m->text, "before");
	assert_contains(m->text, "after");
	mail_free(m);
}

/* --- attachments ------------------------------------------------------- */

static void
test_attachments(void)
{
	static const guchar pdf[] = "%PDF-1.4\n\x00\x01\x02\xff binary\n";
	char	*b64 = g_base64_encode(pdf, sizeof pdf - 1);
	char	*raw = g_strdup_printf(HDR "Subject: files\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
	    "preamble\n"
	    "--mix\nContent-Type: text/plain; charset=utf-8\n\n"
	    "See attached.\n"
	    "--mix\nContent-Type: application/pdf; name=\"report.pdf\"\n"
	    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n"
	    "--mix\nContent-Type: text/plain; name=\"notes.txt\"\n"
	    "Content-Disposition: attachment\n\n"
	    "attached text, not body\n"
	    "--mix\nContent-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n\nAAEC\n"
	    "--mix--\nepilogue\n", b64);
	struct mail *m = parse(raw);
	const struct mail_attachment *a;

	g_assert_cmpstr(m->text, ==, "See attached.");
	g_assert_cmpuint(m->attachments->len, ==, 3);
	a = att(m, 0);
	g_assert_cmpstr(a->filename, ==, "report.pdf");
	g_assert_cmpstr(a->content_type, ==, "application/pdf");
	g_assert_cmpstr(a->disposition, ==, "attachment");
	g_assert_cmpmem(g_bytes_get_data(a->data, NULL),
	    g_bytes_get_size(a->data), pdf, sizeof pdf - 1);
	a = att(m, 1);
	g_assert_cmpstr(a->filename, ==, "notes.txt");
	g_assert_cmpstr(a->content_type, ==, "text/plain");
	a = att(m, 2);
	g_assert_null(a->filename);
	g_assert_cmpstr(a->content_type, ==, "application/octet-stream");
	g_assert_cmpuint(g_bytes_get_size(a->data), ==, 3);
	assert_lacks(m->text, "attached text");
	mail_free(m);
	g_free(raw);
	g_free(b64);
}

static bool
gather_piece(const void *data, size_t len, void *ctx, GError **err)
{
	(void)err;
	g_assert_cmpuint(len, <=, 65536);
	g_byte_array_append(ctx, data, (guint)len);
	return true;
}

/* mail_parse_large(): a large base64 file stays in the raw buffer
 * (size and SHA-256 known, bytes read piece by piece, the same bytes
 * as mail_parse() decodes); small, quoted-printable and message parts
 * are decoded as before.  A CRLF message, as the portal composes. */
static void
test_large_lazy(void)
{
	GByteArray	*bin = g_byte_array_new(), *got = g_byte_array_new();
	struct mail	*m = NULL, *eager;
	const struct mail_attachment *a, *b;
	GError		*e = NULL;
	char		*b64, *raw, *want;
	guint		 i;

	for (i = 0; i < MAIL_LAZY_MIN + 4099; i++) {
		guint8 c = (guint8)(i ^ (i >> 8));

		g_byte_array_append(bin, &c, 1);
	}
	b64 = g_base64_encode(bin->data, bin->len);
	raw = g_strdup_printf(HDR "Subject: big\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=mix\r\n\r\n"
	    "--mix\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
	    "--mix\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"big.bin\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n"
	    "--mix\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n"
	    "--mix--\r\n", b64);
	g_assert_true(mail_parse_large(&m, raw, strlen(raw), &e));
	g_assert_no_error(e);
	eager = parse(raw);
	g_assert_cmpstr(m->text, ==, "See attached.");
	g_assert_cmpuint(m->attachments->len, ==, 2);
	a = att(m, 0);
	g_assert_null(a->data);
	g_assert_nonnull(a->part);
	g_assert_cmpstr(a->filename, ==, "big.bin");
	g_assert_cmpuint(a->size, ==, bin->len);
	want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, bin->data,
	    bin->len);
	g_assert_cmpstr(a->sha256, ==, want);
	g_assert_true(mail_attachment_read(a, gather_piece, got, &e));
	g_assert_cmpmem(got->data, got->len, bin->data, bin->len);
	/* mail_parse() decodes the same bytes. */
	b = att(eager, 0);
	g_assert_cmpmem(g_bytes_get_data(b->data, NULL),
	    g_bytes_get_size(b->data), bin->data, bin->len);
	g_assert_cmpuint(b->size, ==, bin->len);
	/* A small one is decoded, and read in one piece. */
	a = att(m, 1);
	g_assert_nonnull(a->data);
	g_assert_null(a->part);
	g_assert_cmpuint(a->size, ==, 3);
	g_byte_array_set_size(got, 0);
	g_assert_true(mail_attachment_read(a, gather_piece, got, &e));
	g_assert_cmpmem(got->data, got->len, "\0\1\2", 3);
	mail_free(m);
	mail_free(eager);
	g_free(want);
	g_free(raw);
	g_free(b64);
	g_byte_array_unref(bin);
	g_byte_array_unref(got);
}

static void
test_rfc2231_filenames(void)
{
	static const struct { const char *params, *want; } cases[] = {
		{ "filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
		    "r\xc3\xa9sum\xc3\xa9.pdf" },
		{ "filename*=iso-8859-1'fr'caf%E9.txt", "caf\xc3\xa9.txt" },
		{ "filename*0*=UTF-8''%E6%97%A5%E6%9C%AC; "
		    "filename*1*=%E8%AA%9E.txt",
		    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.txt" },
		{ "filename*0=\"a very long \"; filename*1=\"file name.doc\"",
		    "a very long file name.doc" },
		/* Out of order continuations are put back in order. */
		{ "filename*1=\"two.txt\"; filename*0=\"one-\"",
		    "one-two.txt" },
		/* RFC 2047 inside quotes: wrong, but Outlook and Gmail. */
		{ "filename=\"=?UTF-8?B?w5xiZXJzaWNodC54bHN4?=\"",
		    "\xc3\x9c" "bersicht.xlsx" },
		{ "filename=\"=?ISO-8859-1?Q?R=E9sum=E9=2Epdf?=\"",
		    "R\xc3\xa9sum\xc3\xa9.pdf" },
		/* Raw 8-bit UTF-8 in the parameter. */
		{ "filename=\"\xc3\xa9t\xc3\xa9.png\"",
		    "\xc3\xa9t\xc3\xa9.png" },
	};
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char	*raw = g_strdup_printf(HDR "Subject: f\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
		    "--b\nContent-Type: text/plain\n\nbody\n"
		    "--b\nContent-Type: application/octet-stream\n"
		    "Content-Disposition: attachment;\n %s\n\ndata\n"
		    "--b--\n", cases[i].params);
		struct mail *m = parse(raw);

		g_test_message("case %zu: %s -> %s", i, cases[i].params,
		    m->attachments->len ? att(m, 0)->filename : "(none)");
		g_assert_cmpuint(m->attachments->len, ==, 1);
		g_assert_cmpstr(att(m, 0)->filename, ==, cases[i].want);
		mail_free(m);
		g_free(raw);
	}
}

/* Only Content-Type's name= carries the name (old clients). */
static void
test_name_parameter(void)
{
	struct mail *m = parse(HDR "Subject: f\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nbody\n"
	    "--b\nContent-Type: image/jpeg;\n"
	    " name=\"=?UTF-8?Q?f=C3=B6to.jpg?=\"\n"
	    "Content-Transfer-Encoding: base64\n\n/9j/4AAQ\n"
	    "--b--\n");

	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->filename, ==, "f\xc3\xb6to.jpg");
	g_assert_cmpstr(att(m, 0)->content_type, ==, "image/jpeg");
	g_assert_cmpuint(g_bytes_get_size(att(m, 0)->data), ==, 6);
	mail_free(m);
}

static void
test_inline_image(void)
{
	struct mail *m = parse(HDR "Subject: pic\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/related; boundary=\"rel\"\n\n"
	    "--rel\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
	    "--alt\nContent-Type: text/plain\n\nSee the picture.\n"
	    "--alt\nContent-Type: text/html\n\n"
	    "<p>See <img src=\"cid:img1@x\"></p>\n"
	    "--alt--\n"
	    "--rel\nContent-Type: image/png; name=\"image001.png\"\n"
	    "Content-Disposition: inline; filename=\"image001.png\"\n"
	    "Content-ID: <img1@x>\n"
	    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
	    "--rel--\n");
	const struct mail_attachment *a;

	g_assert_cmpstr(m->text, ==, "See the picture.");
	g_assert_cmpuint(m->attachments->len, ==, 1);
	a = att(m, 0);
	g_assert_cmpstr(a->filename, ==, "image001.png");
	g_assert_cmpstr(a->content_type, ==, "image/png");
	g_assert_cmpstr(a->disposition, ==, "inline");
	g_assert_cmpstr(a->content_id, ==, "img1@x");
	g_assert_cmpuint(g_bytes_get_size(a->data), ==, 8);
	mail_free(m);
}

static void
test_message_rfc822(void)
{
	const char *inner = "From: old@example.org\nTo: ann@example.com\n"
	    "Subject: The original\nMessage-ID: <inner@example.org>\n\n"
	    "Inner body text.\n";
	char	*raw = g_strdup_printf(HDR "Subject: Fwd: The original\n"
	    "Message-ID: <outer@example.com>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nForwarding this.\n"
	    "--b\nContent-Type: message/rfc822\n\n%s\n"
	    "--b\nContent-Type: message/rfc822\n"
	    "Content-Disposition: attachment; filename=\"named.eml\"\n\n%s\n"
	    "--b--\n", inner, inner);
	struct mail *m = parse(raw);
	const struct mail_attachment *a;
	gsize	 len;
	const char *data;

	/* The outer message's ids, not the inner one's. */
	g_assert_cmpstr(m->message_id, ==, "outer@example.com");
	g_assert_cmpstr(m->text, ==, "Forwarding this.");
	g_assert_cmpuint(m->attachments->len, ==, 2);
	a = att(m, 0);
	g_assert_cmpstr(a->content_type, ==, "message/rfc822");
	g_assert_cmpstr(a->filename, ==, "The original.eml");
	data = g_bytes_get_data(a->data, &len);
	g_assert_nonnull(g_strstr_len(data, (gssize)len, "Inner body text."));
	g_assert_nonnull(g_strstr_len(data, (gssize)len,
	    "Message-ID: <inner@example.org>"));
	g_assert_cmpstr(att(m, 1)->filename, ==, "named.eml");
	assert_lacks(m->text, "Inner body");
	mail_free(m);
	g_free(raw);
}

/* Forwarded mail nested several levels deep stays one attachment. */
static void
test_nested_rfc822(void)
{
	GString		*s = g_string_new("From: a@x\nSubject: level 0\n\n"
	    "innermost\n");
	struct mail	*m;
	int		 i;

	for (i = 1; i <= 5; i++) {
		char *prev = g_string_free(s, FALSE);

		s = g_string_new(NULL);
		g_string_append_printf(s, "From: a@x\nSubject: level %d\n"
		    "MIME-Version: 1.0\n"
		    "Content-Type: multipart/mixed; boundary=\"l%d\"\n\n"
		    "--l%d\nContent-Type: text/plain\n\ntext %d\n"
		    "--l%d\nContent-Type: message/rfc822\n\n%s\n--l%d--\n",
		    i, i, i, i, i, prev, i);
		g_free(prev);
	}
	m = parse(s->str);
	g_assert_cmpstr(m->subject, ==, "level 5");
	g_assert_cmpstr(m->text, ==, "text 5");
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->filename, ==, "level 4.eml");
	mail_free(m);
	g_string_free(s, TRUE);
}

static void
test_winmail_dat(void)
{
	struct mail *m = parse(HDR "Subject: tnef\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nOutlook body.\n"
	    "--b\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
	    "Content-Disposition: attachment; filename=\"winmail.dat\"\n"
	    "Content-Transfer-Encoding: base64\n\neJ8+IgEAAQAAAAAA\n"
	    "--b--\n");

	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->filename, ==, "winmail.dat");
	g_assert_cmpstr(att(m, 0)->content_type, ==, "application/ms-tnef");
	g_assert_cmpuint(g_bytes_get_size(att(m, 0)->data), ==, 12);
	g_assert_cmpstr(m->text, ==, "Outlook body.");
	mail_free(m);
}

/* Several inline text parts (mailing list footers) are all text. */
static void
test_multiple_text_parts(void)
{
	struct mail *m = parse(HDR "Subject: parts\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nfirst part\n"
	    "--b\nContent-Type: text/plain\n\nsecond part\n"
	    "--b--\n");

	assert_contains(m->text, "first part");
	assert_contains(m->text, "second part");
	g_assert_cmpuint(m->attachments->len, ==, 0);
	mail_free(m);
}

static void
test_empty_body(void)
{
	struct mail *m = parse(HDR "Subject: empty\n\n");

	g_assert_cmpstr(m->text, ==, "");
	g_assert_cmpstr(m->stripped, ==, "");
	mail_free(m);
	/* No blank line at all: headers only. */
	m = parse(HDR "Subject: headers only\n");
	g_assert_cmpstr(m->subject, ==, "headers only");
	g_assert_cmpstr(m->text, ==, "");
	mail_free(m);
	/* A multipart with no parts. */
	m = parse(HDR "Subject: e\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b--\n");
	g_assert_cmpstr(m->text, ==, "");
	g_assert_cmpuint(m->attachments->len, ==, 0);
	mail_free(m);
}

static void
test_missing_headers(void)
{
	struct mail *m = parse("Subject: only a subject\n\nbody\n");

	g_assert_null(m->from.addr);
	g_assert_cmpuint(m->to->len, ==, 0);
	g_assert_cmpint(m->date, ==, 0);
	g_assert_true(m->message_id_synthetic);
	g_assert_cmpstr(m->text, ==, "body\n");
	mail_free(m);
	/* No subject: "". Unparseable From: no address. */
	m = parse("From: not an address\nTo: support@example.com\n\nbody\n");
	g_assert_cmpstr(m->subject, ==, "");
	g_assert_null(m->from.addr);
	mail_free(m);
	/* Sender stands in for a missing From. */
	m = parse("Sender: list@example.com\nSubject: s\n\nbody\n");
	g_assert_cmpstr(m->from.addr, ==, "list@example.com");
	mail_free(m);
	/* A bad Date is 0, not garbage. */
	m = parse(HDR "Subject: s\nDate: yesterday-ish\n\nbody\n");
	mail_free(m);
}

/* --- structure --------------------------------------------------------- */

static void
test_crlf_vs_lf(void)
{
	const char	*lf = HDR "Subject: Line\n ending\n"
	    "Message-ID: <le@x>\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "One line,\nanother =C3=A9 line.\n\n> quoted\n"
	    "--b\nContent-Type: text/plain; name=a.txt\n"
	    "Content-Disposition: attachment; filename=a.txt\n\n"
	    "attached\nfile\n"
	    "--b--\n";
	char		*cr = crlf(lf);
	struct mail	*a = parse(lf), *b = parse(cr);

	g_assert_cmpstr(a->subject, ==, b->subject);
	assert_lacks(b->subject, "\r");
	g_assert_cmpstr(a->message_id, ==, b->message_id);
	g_assert_cmpstr(a->text, ==, "One line,\nanother \xc3\xa9 line.\n\n"
	    "> quoted");
	/* Text is LF-only whatever the line ends on the wire. */
	g_assert_cmpstr(b->text, ==, a->text);
	g_assert_cmpstr(b->stripped, ==, a->stripped);
	g_assert_cmpuint(a->attachments->len, ==, 1);
	g_assert_cmpuint(b->attachments->len, ==, 1);
	g_assert_cmpstr(att(b, 0)->filename, ==, "a.txt");
	mail_free(a);
	mail_free(b);
	g_free(cr);
}

/* White-space-only lines before the headers are skipped (VIOLATIONS). */
static void
test_leading_blank_lines(void)
{
	static const char raw[] = "     \r\n\t\nFrom: Ann <ann@x.example>\r\n"
	    "Subject: hello\r\n\r\nthe body\r\n";
	struct mail	*m = NULL;
	GError		*e = NULL;

	g_assert_true(mail_parse(&m, raw, sizeof raw - 1, &e));
	g_assert_no_error(e);
	g_assert_cmpstr(m->from.addr, ==, "ann@x.example");
	g_assert_cmpstr(m->subject, ==, "hello");
	g_assert_cmpstr(raw + m->body_offset, ==, "the body\r\n");
	mail_free(m);
}

static void
test_not_a_message(void)
{
	static const char *inputs[] = {
		"",
		"\n\n\n",
		"just some words, no headers at all\n",
		"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
	};
	size_t	 i;
	guint8	 noise[2048];
	GRand	*r = g_rand_new_with_seed(42);

	for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
		struct mail	*m = NULL;
		GError		*e = NULL;
		size_t		 len = i == 3 ? 16 : strlen(inputs[i]);

		g_test_message("input %zu", i);
		g_assert_false(mail_parse(&m, inputs[i], len, &e));
		g_assert_error(e, MAIL_ERROR, MAIL_ERROR_NOT_A_MESSAGE);
		g_assert_null(m);
		g_clear_error(&e);
	}
	for (i = 0; i < sizeof noise; i++)
		noise[i] = (guint8)g_rand_int_range(r, 0, 256);
	{
		struct mail	*m = NULL;
		GError		*e = NULL;

		/* Random bytes either fail cleanly or parse to valid text. */
		if (mail_parse(&m, noise, sizeof noise, &e)) {
			g_assert_true(g_utf8_validate(m->text, -1, NULL));
			mail_free(m);
		} else
			g_assert_error(e, MAIL_ERROR,
			    MAIL_ERROR_NOT_A_MESSAGE);
		g_clear_error(&e);
	}
	g_rand_free(r);
}

/* Builds DEPTH nested multipart/mixed levels around one text part. */
static char *
nested(int depth)
{
	GString	*s = g_string_new(HDR "Subject: deep\nMIME-Version: 1.0\n");
	int	 i;

	for (i = 0; i < depth; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; "
		    "boundary=\"d%d\"\n\n--d%d\n", i, i);
	g_string_append(s, "Content-Type: text/plain\n\nthe bottom\n");
	for (i = depth - 1; i >= 0; i--)
		g_string_append_printf(s, "--d%d--\n", i);
	return g_string_free(s, FALSE);
}

static void
test_too_deep(void)
{
	char		*ok = nested(MAIL_MAX_DEPTH - 1);
	char		*deep = nested(MAIL_MAX_DEPTH + 5);
	struct mail	*m = NULL;
	GError		*e = NULL;

	m = parse(ok);
	g_assert_cmpstr(m->text, ==, "the bottom");
	mail_free(m);
	m = NULL;
	g_assert_false(mail_parse(&m, deep, strlen(deep), &e));
	g_assert_error(e, MAIL_ERROR, MAIL_ERROR_TOO_DEEP);
	g_assert_null(m);
	g_clear_error(&e);
	g_free(ok);
	g_free(deep);
}

/* The parser reads the caller's buffer and leaves it as it was. */
static void
test_buffer_untouched(void)
{
	const char	*src = HDR "Subject: =?UTF-8?Q?x?=\n\nbody\r\n";
	char		*copy = g_strdup(src);
	struct mail	*m = parse_len(copy, strlen(copy));

	g_assert_cmpstr(copy, ==, src);
	mail_free(m);
	g_free(copy);
}

/* mail_raw_date(): the header's Date: only, folded or CRLF. */
static void
test_raw_date(void)
{
	static const struct {
		const char	*raw;
		gint64		 want;
	} cases[] = {
		{ "From: a@x\nDate: Thu, 03 Dec 2026 09:00:00 +0000\n\nb\n",
		    1796288400 },
		{ "Subject: x\r\ndate: Thu, 03 Dec 2026\r\n 10:00:00 +0100\r\n"
		    "\r\nb\r\n", 1796288400 },
		{ "From: a@x\n\nDate: Thu, 03 Dec 2026 09:00:00 +0000\n", 0 },
		{ "From: a@x\nDate: not a date\n\nb\n", 0 },
		{ "Date-Received: Thu, 03 Dec 2026 09:00:00 +0000\n", 0 },
		{ "", 0 },
	};
	gsize	 i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpint(mail_raw_date(cases[i].raw,
		    strlen(cases[i].raw)), ==, cases[i].want);
}

/* RFC 3676: flowed lines join (delsp=yes drops the soft space),
 * stuffing goes, "-- " and quote depths stay apart. */
static void
test_flowed(void)
{
	struct mail *m = parse(HDR "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
	    "The scanner on floor two \nstops after ten pages.\n"
	    " From the log:\n\n"
	    "> Did you try the \n> other tray?\n"
	    ">> Older \n> quote\n\n-- \nAnn\n");

	g_assert_cmpstr(m->text, ==, "The scanner on floor two stops after "
	    "ten pages.\nFrom the log:\n\n> Did you try the other tray?\n"
	    ">> Older \n> quote\n\n-- \nAnn\n");
	mail_free(m);
	m = parse(HDR "MIME-Version: 1.0\nContent-Type: text/plain; "
	    "format=flowed; delsp=yes\n\n\xe6\x97\xa5\xe6\x9c\xac \n"
	    "\xe8\xaa\x9e\n");
	g_assert_cmpstr(m->text, ==, "\xe6\x97\xa5\xe6\x9c\xac"
	    "\xe8\xaa\x9e\n");
	mail_free(m);
}

/* The From display name finds a signature without "-- ". */
static void
test_signature_by_sender_name(void)
{
	struct mail *m = parse("From: Jim Smith <jim@example.com>\n"
	    "To: help@example.org\nSubject: Re: x\n"
	    "Date: Mon, 2 Mar 2026 10:00:00 +0000\n\n"
	    "The export still misses the March rows.\n\n"
	    "Jim Smith | Enrollment Manager\nXYZ Corp\n");

	g_assert_cmpstr(m->stripped, ==,
	    "The export still misses the March rows.");
	assert_contains(m->text, "Enrollment Manager");
	mail_free(m);
}

/* The CRLF before a boundary is the boundary's (RFC 2046 5.1.1): no
 * stray CR ends a text, no byte is added to a QP or 8bit attachment;
 * non-text types sent as lines keep CRLF, text keeps LF. */
static void
test_boundary_crlf(void)
{
	char	*raw = crlf(HDR "Subject: ends\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain; charset=utf-8\n\nthe text\n"
	    "--b\nContent-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "Content-Disposition: attachment; filename=a.bin\n\n"
	    "=00=01=02\n"
	    "--b\nContent-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "Content-Disposition: attachment; filename=b.bin\n\n"
	    "ab\ncd\n"
	    "--b\nContent-Type: text/plain\n"
	    "Content-Disposition: attachment; filename=c.txt\n\n"
	    "ab\ncd\n"
	    "--b--\n");
	struct mail *m = parse(raw);

	g_assert_cmpstr(m->text, ==, "the text");
	g_assert_cmpuint(m->attachments->len, ==, 3);
	g_assert_cmpuint(g_bytes_get_size(att(m, 0)->data), ==, 3);
	g_assert_cmpuint(g_bytes_get_size(att(m, 1)->data), ==, 6);
	g_assert_cmpint(memcmp(g_bytes_get_data(att(m, 1)->data, NULL),
	    "ab\r\ncd", 6), ==, 0);
	g_assert_cmpuint(g_bytes_get_size(att(m, 2)->data), ==, 5);
	g_assert_cmpint(memcmp(g_bytes_get_data(att(m, 2)->data, NULL),
	    "ab\ncd", 5), ==, 0);
	mail_free(m);
	g_free(raw);
}

/* A plain note beside an HTML one in multipart/mixed: both, in order. */
static void
test_mixed_plain_and_html(void)
{
	struct mail *m = parse(HDR "Subject: both\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/html; charset=utf-8\n\n"
	    "<p>The <b>HTML</b> part.</p>\n"
	    "--b\nContent-Type: text/plain; charset=utf-8\n\nThe plain part.\n"
	    "--b--\n");
	const char *h = strstr(m->text, "The HTML part.");

	g_assert_nonnull(h);
	g_assert_true(strstr(h, "The plain part.") != NULL);
	assert_lacks(m->text, "<b>");
	g_assert_false(m->text_from_html);
	/* The HTML part stays available as it was. */
	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->content_type, ==, "text/html");
	g_assert_null(att(m, 0)->filename);
	mail_free(m);
}

/* "Content-Type: unknown; name=x": GMime drops the type, not the name. */
static void
test_bad_type_name(void)
{
	struct mail *m = parse(HDR "Subject: u\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain\n\nsee file\n"
	    "--b\nContent-Type: unknown; name=\"report.dat\"\n"
	    "Content-Transfer-Encoding: base64\n\nAAEC\n"
	    "--b--\n");

	g_assert_cmpuint(m->attachments->len, ==, 1);
	g_assert_cmpstr(att(m, 0)->filename, ==, "report.dat");
	g_assert_cmpuint(g_bytes_get_size(att(m, 0)->data), ==, 3);
	mail_free(m);
}

/* "From: =?gb2312?B?...?= user@host": a bare address after the name. */
static void
test_from_bare_address(void)
{
	struct mail *m = parse("From: =?utf-8?B?SsO2cmc=?= joerg@Example.DE\n"
	    "To: support@example.com\nSubject: bare\n\nHallo\n");

	g_assert_cmpstr(m->from.addr, ==, "joerg@example.de");
	g_assert_cmpstr(m->from.name, ==, "J\xc3\xb6rg");
	mail_free(m);
	/* It is the author: it comes before Sender:. */
	m = parse("From: Ann Smith ann@example.com\n"
	    "Sender: list@example.net\nSubject: x\n\nbody\n");
	g_assert_cmpstr(m->from.addr, ==, "ann@example.com");
	g_assert_cmpstr(m->from.name, ==, "Ann Smith");
	mail_free(m);
	/* Two words that are not an address stay unparsed. */
	m = parse("From: Ann Smith\nTo: support@example.com\n"
	    "Subject: x\n\nbody\n");
	g_assert_null(m->from.addr);
	mail_free(m);
}

/* A whole mailbox inside an encoded word (RFC 2047 says no; sent). */
static void
test_mailbox_in_encoded_word(void)
{
	struct mail *m = parse("From: ann@example.com\n"
	    "To: =?utf-8?B?IlJ5ZGVsIiA8UnlkZWxARXhhbXBsZS5PUkc+?=, "
	    "bo@example.net\nSubject: x\n\nbody\n");

	g_assert_cmpuint(m->to->len, ==, 2);
	g_assert_cmpstr(((struct mail_address *)m->to->pdata[0])->addr, ==,
	    "Rydel@example.org");
	g_assert_cmpstr(((struct mail_address *)m->to->pdata[0])->name, ==,
	    "Rydel");
	g_assert_cmpstr(((struct mail_address *)m->to->pdata[1])->addr, ==,
	    "bo@example.net");
	mail_free(m);
}

/* "January 6, 2009 4:44:14 PM CST": the PM counts. */
static void
test_date_meridiem(void)
{
	struct mail *m = parse("From: ann@example.com\n"
	    "Date: January 6, 2009 4:44:14 PM CST\nSubject: x\n\nbody\n");

	g_assert_cmpint(m->date, ==, 1231281854);	/* 22:44:14Z */
	mail_free(m);
	m = parse("From: ann@example.com\n"
	    "Date: January 6, 2009 12:10:00 AM -0600\nSubject: x\n\nb\n");
	g_assert_cmpint(m->date, ==, 1231222200);	/* 06:10:00Z */
	mail_free(m);
	m = parse("From: ann@example.com\n"
	    "Date: Tue, 06 Jan 2009 16:44:14 -0600\nSubject: x\n\nb\n");
	g_assert_cmpint(m->date, ==, 1231281854);
	mail_free(m);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mail/basic", test_basic);
	g_test_add_func("/mail/text/flowed", test_flowed);
	g_test_add_func("/mail/signature-by-sender-name",
	    test_signature_by_sender_name);
	g_test_add_func("/mail/leading-blank-lines",
	    test_leading_blank_lines);
	g_test_add_func("/mail/header/rfc2047-subjects",
	    test_rfc2047_subjects);
	g_test_add_func("/mail/header/rfc2047-from", test_rfc2047_from);
	g_test_add_func("/mail/header/8bit", test_8bit_headers);
	g_test_add_func("/mail/header/long", test_long_header);
	g_test_add_func("/mail/header/ids", test_ids);
	g_test_add_func("/mail/header/references-bounded",
	    test_references_bounded);
	g_test_add_func("/mail/header/clean-id", test_clean_id);
	g_test_add_func("/mail/header/synthetic-id", test_synthetic_id);
	g_test_add_func("/mail/header/missing", test_missing_headers);
	g_test_add_func("/mail/body-hash", test_body_hash);
	g_test_add_func("/mail/text/alternative",
	    test_alternative_prefers_plain);
	g_test_add_func("/mail/text/html-only", test_html_only);
	g_test_add_func("/mail/text/html-gmail-quote", test_html_gmail_quote);
	g_test_add_func("/mail/text/undeclared-8bit", test_undeclared_8bit);
	g_test_add_func("/mail/text/wrong-charset", test_wrong_charset);
	g_test_add_func("/mail/text/cjk", test_cjk_charsets);
	g_test_add_func("/mail/text/iso-2022-jp-windows",
	    test_iso2022jp_windows);
	g_test_add_func("/mail/text/charset-alias", test_charset_alias);
	g_test_add_func("/mail/text/to-utf8", test_text_to_utf8);
	g_test_add_func("/mail/text/multiple-parts", test_multiple_text_parts);
	g_test_add_func("/mail/text/nul", test_nul_in_body);
	g_test_add_func("/mail/text/empty", test_empty_body);
	g_test_add_func("/mail/attachment/basic", test_attachments);
	g_test_add_func("/mail/attachment/large-lazy", test_large_lazy);
	g_test_add_func("/mail/attachment/rfc2231", test_rfc2231_filenames);
	g_test_add_func("/mail/attachment/name-param", test_name_parameter);
	g_test_add_func("/mail/attachment/inline-image", test_inline_image);
	g_test_add_func("/mail/attachment/rfc822", test_message_rfc822);
	g_test_add_func("/mail/attachment/nested-rfc822", test_nested_rfc822);
	g_test_add_func("/mail/attachment/winmail-dat", test_winmail_dat);
	g_test_add_func("/mail/structure/crlf-lf", test_crlf_vs_lf);
	g_test_add_func("/mail/structure/boundary-crlf", test_boundary_crlf);
	g_test_add_func("/mail/structure/mixed-plain-html",
	    test_mixed_plain_and_html);
	g_test_add_func("/mail/attachment/bad-type-name", test_bad_type_name);
	g_test_add_func("/mail/header/from-bare-address",
	    test_from_bare_address);
	g_test_add_func("/mail/header/mailbox-in-encoded-word",
	    test_mailbox_in_encoded_word);
	g_test_add_func("/mail/header/date-meridiem", test_date_meridiem);
	g_test_add_func("/mail/structure/not-a-message", test_not_a_message);
	g_test_add_func("/mail/header/raw-date", test_raw_date);
	g_test_add_func("/mail/structure/too-deep", test_too_deep);
	g_test_add_func("/mail/structure/buffer-untouched",
	    test_buffer_untouched);
	return g_test_run();
}
