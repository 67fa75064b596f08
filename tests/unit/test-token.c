/*
 * Unit tests for token.c format 2: signed over (kind, ticket,
 * recipient, role); legacy tokens name their ticket without authority.
 */
#include "pdconfig.h"

#include <string.h>

#include <glib.h>

#include "token.h"

#define KEY	"k3y-for-tests"
#define ALICE	"alice@shop.example"
#define BOB	"bob@staff.example.com"

static void
test_format(void)
{
	char	*t = token_mint(KEY, TOKEN_REPLY, 42, ALICE,
	    TOKEN_ROLE_CUSTOMER);
	char	*s = token_mint(KEY, TOKEN_COMMENT, 42, BOB,
	    TOKEN_ROLE_STAFF);
	const char *p;

	g_assert_nonnull(t);
	g_assert_true(g_str_has_prefix(t, "tc42."));
	g_assert_true(g_str_has_prefix(s, "cs42."));
	g_assert_cmpuint(strlen(t), ==, 5 + TOKEN_SIG_LEN);
	g_assert_cmpuint(TOKEN_SIG_LEN, >=, TOKEN_LEGACY_SIG_LEN);
	/* Lower-case only, so an MTA folding case changes nothing. */
	for (p = t; *p != '\0'; p++)
		g_assert_true(g_ascii_islower(*p) || g_ascii_isdigit(*p) ||
		    *p == '.');
	/* Deterministic: each resend carries the same token. */
	{
		char *again = token_mint(KEY, TOKEN_REPLY, 42, "ALICE@Shop."
		    "Example", TOKEN_ROLE_CUSTOMER);

		g_assert_cmpstr(again, ==, t);
		g_free(again);
	}
	g_assert_null(token_mint(NULL, TOKEN_REPLY, 42, ALICE,
	    TOKEN_ROLE_CUSTOMER));
	g_assert_null(token_mint("", TOKEN_REPLY, 42, ALICE,
	    TOKEN_ROLE_CUSTOMER));
	g_assert_null(token_mint(KEY, TOKEN_REPLY, 0, ALICE,
	    TOKEN_ROLE_CUSTOMER));
	g_assert_null(token_mint(KEY, TOKEN_REPLY, 42, NULL,
	    TOKEN_ROLE_CUSTOMER));
	g_free(t);
	g_free(s);
}

static void
test_recipient_binding(void)
{
	char		*t = token_mint(KEY, TOKEN_REPLY, 42, ALICE,
	    TOKEN_ROLE_CUSTOMER);
	struct token_hit h;

	g_assert_true(token_check(KEY, t, ALICE, &h));
	g_assert_true(h.for_sender);
	g_assert_false(h.legacy);
	g_assert_cmpint(h.ticket, ==, 42);
	g_assert_cmpint(h.kind, ==, TOKEN_REPLY);
	g_assert_cmpint(h.role, ==, TOKEN_ROLE_CUSTOMER);
	/* The address compares without case. */
	g_assert_true(token_check(KEY, t, "Alice@SHOP.example", &h));
	g_assert_true(h.for_sender);
	/* Forwarded to someone else, or pasted under another From:: it
	 * names the ticket and proves nothing. */
	g_assert_true(token_check(KEY, t, "mallory@evil.test", &h));
	g_assert_false(h.for_sender);
	g_assert_cmpint(h.ticket, ==, 42);
	g_assert_true(token_check(KEY, t, BOB, &h));
	g_assert_false(h.for_sender);
	g_assert_true(token_check(KEY, t, NULL, &h));
	g_assert_false(h.for_sender);
	/* Another key proves nothing either. */
	g_assert_true(token_check("other", t, ALICE, &h));
	g_assert_false(h.for_sender);
	g_free(t);
}

/* The role is inside the MAC: a customer cannot make hers a staff
 * token by changing one letter, nor a reply token a comment token. */
static void
test_role_binding(void)
{
	char		*t = token_mint(KEY, TOKEN_REPLY, 42, BOB,
	    TOKEN_ROLE_CUSTOMER);
	char		*s = token_mint(KEY, TOKEN_REPLY, 42, BOB,
	    TOKEN_ROLE_STAFF);
	struct token_hit h;

	g_assert_cmpstr(t, !=, s);
	g_assert_true(token_check(KEY, s, BOB, &h));
	g_assert_true(h.for_sender);
	g_assert_cmpint(h.role, ==, TOKEN_ROLE_STAFF);
	t[1] = 's';		/* tc42 -> ts42 */
	g_assert_true(token_check(KEY, t, BOB, &h));
	g_assert_false(h.for_sender);
	t[1] = 'c';
	t[0] = 'c';		/* tc42 -> cc42 */
	g_assert_true(token_check(KEY, t, BOB, &h));
	g_assert_false(h.for_sender);
	g_free(t);
	g_free(s);
}

static void
test_tampering(void)
{
	char		*t = token_mint(KEY, TOKEN_REPLY, 42, ALICE,
	    TOKEN_ROLE_CUSTOMER), *bad;
	struct token_hit h;
	size_t		 i, n = strlen(t);

	/* Every single character changed: never valid for ALICE. */
	for (i = 0; i < n; i++) {
		bad = g_strdup(t);
		bad[i] = bad[i] == '0' ? '1' : bad[i] == '.' ? '-' : '0';
		if (token_check(KEY, bad, ALICE, &h))
			g_assert_false(h.for_sender || h.legacy);
		g_free(bad);
	}
	/* Another ticket under the same signature. */
	bad = g_strdup_printf("tc43%s", t + 4);
	g_assert_true(token_check(KEY, bad, ALICE, &h));
	g_assert_false(h.for_sender);
	g_free(bad);
	/* Truncated or extended signatures are not tokens at all. */
	bad = g_strndup(t, n - 1);
	g_assert_false(token_check(KEY, bad, ALICE, &h));
	g_free(bad);
	bad = g_strdup_printf("%s0", t);
	g_assert_false(token_check(KEY, bad, ALICE, &h));
	g_free(bad);
	g_assert_false(token_check(KEY, "tc42", ALICE, &h));
	g_assert_false(token_check(KEY, "xc42.000000000000000000000000",
	    ALICE, &h));
	g_assert_false(token_check(KEY, "tx42.000000000000000000000000",
	    ALICE, &h));
	g_assert_false(token_check(KEY, "tc0.000000000000000000000000",
	    ALICE, &h));
	g_assert_false(token_check(NULL, t, ALICE, &h));
	g_free(t);
}

/* Format 1 still threads, and says it is legacy: no recipient, no
 * role, so no authority (policy.h). */
static void
test_legacy(void)
{
	char		*old = token_sign(KEY, 42);
	char		*oldc = token_sign_kind(KEY, TOKEN_COMMENT, 42);
	char		*bad;
	struct token_hit h;

	g_assert_true(token_check(KEY, old, ALICE, &h));
	g_assert_true(h.legacy);
	g_assert_false(h.for_sender);
	g_assert_cmpint(h.ticket, ==, 42);
	g_assert_true(token_check(KEY, oldc, NULL, &h));
	g_assert_true(h.legacy);
	g_assert_cmpint(h.kind, ==, TOKEN_COMMENT);
	bad = g_strdup(old);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	g_assert_false(token_check(KEY, bad, ALICE, &h));
	g_free(bad);
	/* The two formats cannot be mistaken for each other. */
	g_assert_true(g_ascii_isdigit(old[1]));
	g_free(old);
	g_free(oldc);
}

static void
test_address(void)
{
	char		*a = token_mint_address("support@Example.COM", KEY,
	    TOKEN_REPLY, 7, ALICE, TOKEN_ROLE_CUSTOMER), *up, *local;
	struct token_hit h;

	g_assert_nonnull(a);
	g_assert_true(g_str_has_prefix(a, "support+tc7."));
	g_assert_true(g_str_has_suffix(a, "@Example.COM"));
	g_assert_true(token_address_check("support@example.com", KEY, a,
	    ALICE, &h));
	g_assert_true(h.for_sender);
	g_assert_cmpint(h.ticket, ==, 7);
	/* An MTA that upper-cases the local part. */
	up = g_ascii_strup(a, -1);
	g_assert_true(token_address_check("support@example.com", KEY, up,
	    ALICE, &h));
	g_assert_true(h.for_sender);
	g_free(up);
	g_assert_false(token_address_check("support@example.org", KEY, a,
	    ALICE, &h));
	g_assert_false(token_address_check("help@example.com", KEY, a,
	    ALICE, &h));
	/* The whole local part stays within 64 octets, or no token. */
	local = g_strnfill(40, 'x');
	up = g_strdup_printf("%s@example.com", local);
	g_assert_null(token_mint_address(up, KEY, TOKEN_REPLY, 7, ALICE,
	    TOKEN_ROLE_CUSTOMER));
	g_free(up);
	g_free(local);
	local = strchr(a, '@');
	g_assert_cmpuint((size_t)(local - a), <=, TOKEN_LOCAL_MAX);
	g_free(a);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/token2/format", test_format);
	g_test_add_func("/token2/recipient-binding", test_recipient_binding);
	g_test_add_func("/token2/role-binding", test_role_binding);
	g_test_add_func("/token2/tampering", test_tampering);
	g_test_add_func("/token2/legacy", test_legacy);
	g_test_add_func("/token2/address", test_address);
	return g_test_run();
}
