/* master_detach.c - standard descriptors, and -d: background once started
 *
 * master_fds_sane makes sure descriptors 0, 1 and 2 are open (on
 * /dev/null if they were closed), so that no socket or lock file ever
 * lands on them and gets written to as "standard error" or replaced by
 * /dev/null at detach; it runs first, even before log_init, whose syslog
 * socket would otherwise take such a descriptor.
 *
 * With -d, master_detach_begin forks once the pid lock is held: the
 * parent waits on a pipe, the child goes on with the start-up in a new
 * session. The child reports success with one byte (master_detach_done)
 * after its sockets listen, its pid is written and its first processes
 * run; only then does the parent exit 0, so that "master -d && ..." sees a
 * running mail system. If the child dies before that, the parent sees EOF
 * and exits with the child's status; the child's error went to standard
 * error, which it shares with the parent until it reports. After the
 * report the child's standard descriptors move to /dev/null, so that a
 * caller reading the parent's output sees EOF.
 */
#include "master.h"
#include "log.h"

#include <sys/wait.h>

/* master_fds_sane - open /dev/null on closed standard descriptors */
void
master_fds_sane(void)
{
	int     fd;

	master.detach_fd = -1;
	master.devnull = -1;
	for (;;) {
		fd = open("/dev/null", O_RDWR | O_NOCTTY);
		if (fd < 0)
			log_fatal("open /dev/null: %m");
		if (fd > STDERR_FILENO)
			break;
	}
	if (close(fd) < 0)
		log_fatal("close /dev/null: %m");
}

/* master_detach_parent - wait for the child's report, then exit */
static _Noreturn void
master_detach_parent(pid_t pid, int fd)
{
	char    c;
	ssize_t n;
	int     status;

	do {
		n = read(fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	/* the child died during start-up: pass its status on */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			_exit(1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		_exit(WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		(void)fprintf(stderr, "master: killed by signal %d during "
		    "start-up\n", WTERMSIG(status));
	_exit(1);
}

/* master_detach_begin - fork; the parent waits, the child goes on */
void
master_detach_begin(void)
{
	int     fds[2];
	pid_t   pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		log_fatal("pipe: %m");
	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid > 0) {
		(void)close(fds[1]);	/* only the child writes */
		master_detach_parent(pid, fds[0]);
	}
	if (close(fds[0]) < 0)
		log_fatal("close: %m");
	master.detach_fd = fds[1];
	if (setsid() < 0)
		log_fatal("setsid: %m");
}

/* master_detach_done - start-up succeeded: release the parent */
void
master_detach_done(void)
{
	ssize_t n;
	int     fd;

	if (master.detach_fd < 0)
		return;
	do {
		n = write(master.detach_fd, "k", 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		log_warn("tell the starting process that we run: %m");
	if (close(master.detach_fd) < 0)
		log_warn("close the start-up pipe: %m");
	master.detach_fd = -1;
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (dup2(master.devnull, fd) < 0)
			log_warn("move descriptor %d to /dev/null: %m", fd);
}
