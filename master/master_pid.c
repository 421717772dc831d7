/* master_pid.c - master's pid file lock
 *
 * Owns master's side of $queue_directory/pid/master.pid (util/pidfile.h):
 * the exclusive flock(2) that makes a second master refuse to start, the
 * pid written once the process that will run is known (after the -d
 * fork: flock locks belong to the open file, so the lock taken before the
 * fork stays with the child when the parent exits), and the emptied file
 * at exit. The file itself is never removed: a second master could
 * otherwise lock a new file of the same name while this one still holds
 * the old. master -t probes the lock the same way postern status does.
 */
#include "master.h"
#include "log.h"
#include "params.h"
#include "pidfile.h"

/* master_pid_test - -t: exit 0 when no master runs, 1 when one does */
void
master_pid_test(void)
{
	char    path[PATH_MAX];
	pid_t   pid;
	int     r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", var_queue_directory,
	    PIDFILE_MASTER) >= sizeof(path))
		log_fatal("queue_directory is too long: %s",
		    var_queue_directory);
	r = pidfile_read(path, &pid);
	if (r < 0)
		log_fatal("cannot tell whether the mail system runs: %s: %m",
		    path);
	if (r > 0) {
		log_error("the postern mail system is already running "
		    "(pid %d)", (int)pid);
		exit(1);
	}
	exit(0);
}

/* master_pid_lock - take the lock, or explain who holds it */
void
master_pid_lock(void)
{
	pid_t   pid;
	int     err;

	master.pid_fd = pidfile_lock(PIDFILE_MASTER);
	if (master.pid_fd >= 0)
		return;
	err = errno;
	if (err == EWOULDBLOCK) {
		if (pidfile_read(PIDFILE_MASTER, &pid) > 0)
			log_fatal("the postern mail system is already running "
			    "(pid %d)", (int)pid);
		log_fatal("the postern mail system is already running");
	}
	errno = err;
	log_fatal("lock %s/%s: %m", var_queue_directory, PIDFILE_MASTER);
}

/* master_pid_write - record our pid in the locked file */
void
master_pid_write(void)
{
	if (pidfile_write(master.pid_fd, getpid()) < 0)
		log_fatal("write %s/%s: %m", master.queue_directory,
		    PIDFILE_MASTER);
}

/* master_pid_release - empty the file; the lock goes with the process */
void
master_pid_release(void)
{
	if (ftruncate(master.pid_fd, 0) < 0)
		log_warn("empty %s/%s: %m", master.queue_directory,
		    PIDFILE_MASTER);
}
