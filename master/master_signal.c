/* master_signal.c - master's signals, read from a signalfd
 *
 * Owns master's signal handling: SIGCHLD, SIGHUP, SIGTERM and SIGINT are
 * blocked and read from a signalfd in the events loop, so that all work
 * happens in ordinary code, never in a handler, and no signal is lost
 * between two looks at the children. SIGPIPE is ignored (a write to a
 * closed socket or pipe returns EPIPE). Children get the blocked set and
 * SIGPIPE back to normal before they exec (master_spawn.c). Several
 * SIGCHLD merge into one; the reap loop collects every exit anyway.
 */
#include "master.h"
#include "events.h"
#include "log.h"

#include <signal.h>
#include <sys/signalfd.h>

/* master_signal_set - the signals read from the signalfd */
static void
master_signal_set(sigset_t *set)
{
	if (sigemptyset(set) < 0 || sigaddset(set, SIGCHLD) < 0
	    || sigaddset(set, SIGHUP) < 0 || sigaddset(set, SIGTERM) < 0
	    || sigaddset(set, SIGINT) < 0)
		log_fatal("signal set: %m");
}

/* master_signal_event - the signalfd is readable */
static void
master_signal_event(int fd, int what, void *ctx)
{
	struct signalfd_siginfo si;
	bool    reap = false;
	ssize_t n;

	(void)what;
	(void)ctx;
	for (;;) {
		n = read(fd, &si, sizeof(si));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("read signalfd: %m");
			break;
		}
		if ((size_t)n != sizeof(si))
			break;
		switch (si.ssi_signo) {
		case SIGCHLD:
			reap = true;
			break;
		case SIGHUP:
			master_reload();
			break;
		case SIGTERM:
		case SIGINT:
			master_stop_begin((int)si.ssi_signo);
			break;
		default:
			break;
		}
	}
	if (reap)
		master_spawn_reap();
}

/* master_signal_init - block the signals and read them from a signalfd */
void
master_signal_init(void)
{
	struct sigaction sa;
	sigset_t set;
	int     fd;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0)
		log_fatal("ignore SIGPIPE: %m");
	master_signal_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		log_fatal("block signals: %m");
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		log_fatal("signalfd: %m");
	events_watch(fd, EVENTS_READ, master_signal_event, NULL);
}
