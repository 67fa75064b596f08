/* reconnect: the backoff between attempts, and which errors ask for it. */
#include "pdconfig.h"

#include <glib.h>

#include "reconnect.h"
#include "store.h"

static void
test_delay(void)
{
	static const int64_t want[] = { 1, 2, 4, 8, 16, 32, 60, 60 };
	int64_t	 d = 0;
	size_t	 i;

	for (i = 0; i < G_N_ELEMENTS(want); i++) {
		d = reconnect_delay(d);
		g_assert_cmpint(d, ==, want[i]);
	}
	g_assert_cmpint(reconnect_delay(-5), ==, RECONNECT_FIRST);
	g_assert_cmpint(reconnect_delay(1000), ==, RECONNECT_MAX);
}

static void
test_needed(void)
{
	GError	*io = g_error_new_literal(STORE_ERROR, STORE_ERROR_IO, "x");
	GError	*busy = g_error_new_literal(STORE_ERROR, STORE_ERROR_BUSY,
	    "x");
	GError	*other = g_error_new_literal(G_FILE_ERROR, STORE_ERROR_IO,
	    "x");

	g_assert_true(reconnect_needed(io));
	/* Busy is another writer: waiting helps, reopening does not. */
	g_assert_false(reconnect_needed(busy));
	g_assert_false(reconnect_needed(other));
	g_assert_false(reconnect_needed(NULL));
	g_error_free(io);
	g_error_free(busy);
	g_error_free(other);
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/reconnect/delay", test_delay);
	g_test_add_func("/reconnect/needed", test_needed);
	return g_test_run();
}
