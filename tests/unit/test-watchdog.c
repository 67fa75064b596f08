/*
 * Unit tests for watchdog.c: the child's own exit status comes through;
 * a child that runs too long, or is stopped (SIGSTOP), is killed at the
 * bound; a child that dies of a signal is reported as such; on Linux a
 * child dies with its parent.
 */
#include "pdconfig.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>

#include <glib.h>

#include "watchdog.h"

enum child_does { EXIT_3, HANG, STOP, DIE };

/* Runs WHAT in a watched child with a 1 s bound; returns the result. */
static bool
watch(enum child_does what, int *status, GError **err, double *took)
{
	gint64	 start = g_get_monotonic_time();
	bool	 in_child = false, ok;

	*status = -1;
	ok = watchdog_fork(1, &in_child, status, err);
	if (in_child) {
		switch (what) {
		case EXIT_3:
			_exit(3);
		case HANG:
			for (;;)
				pause();
		case STOP:
			(void)raise(SIGSTOP);
			_exit(0);
		case DIE:
			(void)raise(SIGUSR1);
			_exit(0);
		}
	}
	*took = (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC;
	return ok;
}

static void
test_exit_status(void)
{
	GError	*e = NULL;
	int	 st;
	double	 took;

	g_assert_true(watch(EXIT_3, &st, &e, &took));
	g_assert_no_error(e);
	g_assert_cmpint(st, ==, 3);
	g_assert_cmpfloat(took, <, 1.0);
}

static void
test_killed_at_bound(gconstpointer data)
{
	GError	*e = NULL;
	int	 st;
	double	 took;

	g_assert_false(watch(GPOINTER_TO_INT(data), &st, &e, &took));
	g_assert_error(e, WATCHDOG_ERROR, WATCHDOG_ERROR_TIMEOUT);
	g_assert_cmpint(st, ==, -1);
	/* At the bound, not before; "later" only as late as the load. */
	g_assert_cmpfloat(took, >=, 0.9);
	g_assert_cmpfloat(took, <, 30.0);
	g_error_free(e);
}

static void
test_signal(void)
{
	GError	*e = NULL;
	int	 st;
	double	 took;

	g_assert_false(watch(DIE, &st, &e, &took));
	g_assert_error(e, WATCHDOG_ERROR, WATCHDOG_ERROR_SIGNAL);
	g_assert_cmpfloat(took, <, 1.0);
	g_error_free(e);
}

#ifdef __linux__
/* True once PID has exited (gone, or a zombie nobody reaped yet). */
static bool
exited(pid_t pid)
{
	char	*path = g_strdup_printf("/proc/%d/stat", (int)pid);
	char	*text = NULL, *p;
	bool	 gone;

	gone = !g_file_get_contents(path, &text, NULL, NULL) ||
	    (p = strrchr(text, ')')) == NULL || p[1] == '\0' ||
	    p[2] == 'Z' || p[2] == 'X';
	g_free(text);
	g_free(path);
	return gone;
}

/* kill -9 of the watched program (the PID the MTA knows) ends the
 * work too: no orphan commits behind the MTA's redelivery. */
static void
test_parent_killed(void)
{
	int	 fd[2];
	pid_t	 runner, worker = 0;
	gint64	 end;
	bool	 in_child = false, gone;
	int	 st;

	g_assert_cmpint(pipe(fd), ==, 0);
	runner = fork();
	g_assert_cmpint(runner, !=, -1);
	if (runner == 0) {
		close(fd[0]);
		if (watchdog_fork(60, &in_child, &st, NULL) && in_child) {
			worker = getpid();
			(void)write(fd[1], &worker, sizeof worker);
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(fd[1]);
	g_assert_cmpint(read(fd[0], &worker, sizeof worker), ==,
	    sizeof worker);
	close(fd[0]);
	g_assert_cmpint(kill(runner, SIGKILL), ==, 0);
	g_assert_cmpint(waitpid(runner, &st, 0), ==, runner);
	end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	while (!exited(worker) && g_get_monotonic_time() < end)
		g_usleep(10000);
	gone = exited(worker);
	if (!gone)
		(void)kill(worker, SIGKILL);	/* leave no orphan behind */
	g_assert_true(gone);
}
#endif

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/watchdog/exit-status", test_exit_status);
	g_test_add_data_func("/watchdog/hung", GINT_TO_POINTER(HANG),
	    test_killed_at_bound);
	g_test_add_data_func("/watchdog/stopped", GINT_TO_POINTER(STOP),
	    test_killed_at_bound);
	g_test_add_func("/watchdog/signal", test_signal);
#ifdef __linux__
	g_test_add_func("/watchdog/parent-killed", test_parent_killed);
#endif
	return g_test_run();
}
