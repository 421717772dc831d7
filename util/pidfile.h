/* pidfile.h - master's pid file: who holds it, and taking it
 *
 * The pid file ($queue_directory/PIDFILE_MASTER) is both a record and a
 * lock: the running master holds an exclusive flock(2) on it for its whole
 * life, and the file holds its pid as "%10d\n". Whether the mail system
 * runs is decided by the lock, never by the pid alone, so a stale file
 * left by a crash (or a reused pid) is never mistaken for a live master.
 * The file is never removed: unlinking a locked file would let a second
 * master lock a new file of the same name.
 *
 * Probes (postern status/stop/reload) take a shared lock for an instant,
 * so that two probes do not disturb each other; pidfile_lock therefore
 * retries for PIDFILE_LOCK_RETRY_MS before it decides that another master
 * holds the lock.
 */
#ifndef POSTERN_PIDFILE_H
#define POSTERN_PIDFILE_H

#include "sys.h"

/* master's pid file, relative to queue_directory */
#define PIDFILE_MASTER		"pid/master.pid"
/* how long pidfile_lock waits out probes */
#define PIDFILE_LOCK_RETRY_MS	250
/* how long pidfile_read waits for a holder to write its pid */
#define PIDFILE_READ_RETRY_MS	1000

/* pidfile_read - 1 when a process holds the lock of path, with its pid
 * (>= 1) in *pid; 0 when nobody does (or the file does not exist); -1 when
 * that cannot be told (the file cannot be opened or locked: errno), or the
 * lock is held but the file holds no valid pid (errno EINVAL) */
int	pidfile_read(const char *path, pid_t *pid);

/* pidfile_lock - open or create path (mode 0644, O_CLOEXEC, no symlink)
 * and take its exclusive lock; the descriptor, or -1 with errno
 * (EWOULDBLOCK: another process holds it). Keep the descriptor open for
 * as long as the lock must be held; it is not inherited across exec. */
int	pidfile_lock(const char *path);

/* pidfile_write - replace the content of the locked fd with "%10d\n" of
 * pid; 0, or -1 with errno */
int	pidfile_write(int fd, pid_t pid);

#endif
