/* master_stop.c - SIGTERM and SIGINT: stop every process, then exit
 *
 * Owns the shutdown sequence: stop listening and spawning, close the
 * generation pipe (idle daemons exit at once), send SIGTERM to every
 * child, and wait in the events loop for their exits (master_stop_check
 * runs after every reap) for at most MASTER_STOP_WAIT_MS; whatever is
 * left then gets SIGKILL and is waited for. Finally the pid file is
 * emptied (the lock goes with the process) and master exits 0.
 */
#include "master.h"
#include "events.h"
#include "log.h"

#include <signal.h>

/* master_stop_finish - the last step */
static _Noreturn void
master_stop_finish(void)
{
	master_pid_release();
	log_info("terminating on signal %d", master.stop_signal);
	exit(0);
}

/* master_stop_timeout - children that ignored SIGTERM */
static void
master_stop_timeout(void *ctx)
{
	(void)ctx;
	log_warn("%d process(es) still running after %d ms: killing them",
	    master_spawn_count(), MASTER_STOP_WAIT_MS);
	master_spawn_signal_all(SIGKILL);
	master_spawn_wait_all();
	master_stop_finish();
}

/* master_stop_quiet - a service listens and spawns no more */
static void
master_stop_quiet(struct master_serv *s)
{
	master_avail_stop(s);
	master_listen_close(s);
}

/* master_stop_begin - SIGTERM or SIGINT arrived */
void
master_stop_begin(int sig)
{
	struct master_serv *s;

	if (master.terminating)
		return;
	master.terminating = true;
	master.stop_signal = sig;
	for (s = master.services; s != NULL; s = s->next)
		master_stop_quiet(s);
	for (s = master.retired; s != NULL; s = s->next)
		master_stop_quiet(s);
	master_spawn_close_generation();
	master_spawn_signal_all(SIGTERM);
	master_stop_check();
	events_timer(MASTER_STOP_WAIT_MS, master_stop_timeout, NULL);
}

/* master_stop_check - exit once the last child is gone */
void
master_stop_check(void)
{
	if (master.terminating && master_spawn_count() == 0)
		master_stop_finish();
}
