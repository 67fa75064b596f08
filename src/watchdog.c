/*
 * watchdog: run the work in a child, kill it at the bound.
 */
#include "pdconfig.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib-unix.h>

#include "watchdog.h"

G_DEFINE_QUARK(postdesk-watchdog-error-quark, watchdog_error)

struct wait {
	GMainLoop	*loop;
	GPid		 pid;
	int		 status;	/* wait(2) status */
	bool		 timed_out;
};

static void
child_gone(GPid pid, gint status, gpointer data)
{
	struct wait	*w = data;

	w->status = status;
	g_spawn_close_pid(pid);
	g_main_loop_quit(w->loop);
}

/* The child's wait status arrives through child_gone, so a child that
 * exited just before the kill keeps its own status. */
static gboolean
time_up(gpointer data)
{
	struct wait	*w = data;

	w->timed_out = true;
	(void)kill(w->pid, SIGKILL);
	return G_SOURCE_REMOVE;
}

static gboolean
pass_term(gpointer data)
{
	(void)kill(((struct wait *)data)->pid, SIGTERM);
	return G_SOURCE_CONTINUE;
}

static void
attach(GSource *src, GSourceFunc fn, gpointer data, GMainContext *ctx)
{
	g_source_set_callback(src, fn, data, NULL);
	g_source_attach(src, ctx);
	g_source_unref(src);
}

/* Runs a private main loop until the child is gone. */
static void
supervise(struct wait *w, int64_t seconds)
{
	GMainContext	*ctx = g_main_context_new();
	const int	 sigs[] = { SIGTERM, SIGINT, SIGHUP };
	size_t		 i;

	w->loop = g_main_loop_new(ctx, FALSE);
	attach(g_child_watch_source_new(w->pid), G_SOURCE_FUNC(child_gone), w,
	    ctx);
	/* Not g_timeout_source_new_seconds(): GLib moves those to a
	 * shared second boundary, so they may fire up to a second early. */
	attach(g_timeout_source_new((guint)seconds * 1000), time_up, w, ctx);
	for (i = 0; i < G_N_ELEMENTS(sigs); i++)
		attach(g_unix_signal_source_new(sigs[i]), pass_term, w, ctx);
	g_main_loop_run(w->loop);
	g_main_loop_unref(w->loop);
	g_main_context_unref(ctx);
}

/*
 * A parent killed (kill -9 of the PID the MTA knows, as the MTA's own
 * time limit does) takes the work with it, as before the watchdog:
 * no orphan goes on to commit behind a redelivery.  Linux only; an
 * orphan elsewhere finishes, and the redelivery finds it stored.
 */
static void
die_with_parent(pid_t parent)
{
#if defined(__linux__) && defined(PR_SET_PDEATHSIG)
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		(void)raise(SIGKILL);
#else
	(void)parent;
#endif
}

bool
watchdog_fork(int64_t seconds, bool *in_child, int *status, GError **err)
{
	struct wait	 w = { 0 };
	pid_t		 parent = getpid();

	g_return_val_if_fail(seconds > 0 && seconds <= G_MAXUINT, false);
	*in_child = false;
	w.pid = fork();
	if (w.pid == -1) {
		g_set_error(err, WATCHDOG_ERROR, WATCHDOG_ERROR_FORK,
		    "fork: %s", g_strerror(errno));
		return false;
	}
	if (w.pid == 0) {
		die_with_parent(parent);
		*in_child = true;
		return true;
	}
	supervise(&w, seconds);
	if (WIFEXITED(w.status)) {
		*status = WEXITSTATUS(w.status);
		return true;
	}
	if (w.timed_out)
		g_set_error(err, WATCHDOG_ERROR, WATCHDOG_ERROR_TIMEOUT,
		    "ran longer than %" G_GINT64_FORMAT " s and was killed",
		    seconds);
	else
		g_set_error(err, WATCHDOG_ERROR, WATCHDOG_ERROR_SIGNAL,
		    "killed by signal %d (%s)", WTERMSIG(w.status),
		    g_strsignal(WTERMSIG(w.status)));
	return false;
}
