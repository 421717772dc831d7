/* pidfile.c - master's pid file: who holds it, and taking it
 *
 * Owns the one implementation of the pid-file lock shared by master (which
 * takes it: pidfile_lock, pidfile_write) and postern (which probes it:
 * pidfile_read). The lock is flock(2) on the file itself; the content is
 * "%10d\n" and is only trusted while the lock is held. The content is read
 * with a bound (PIDFILE_MAX_TEXT bytes) and parsed with parse_uint, since
 * the file may be damaged. Every wait is a bounded number of short polls:
 * nothing here can block for longer than PIDFILE_READ_RETRY_MS.
 */
#include "pidfile.h"
#include "str.h"

#include <poll.h>
#include <sys/file.h>

#define PIDFILE_MAX_TEXT	32
#define PIDFILE_STEP_MS		10

/* pidfile_nap - wait ms milliseconds (poll: no signal games) */
static void
pidfile_nap(int ms)
{
	/* EINTR only shortens one step of a bounded retry loop */
	(void)poll(NULL, 0, ms);
}

/* pidfile_parse - the pid in the text of fd; 0 ok, -1 (errno) */
static int
pidfile_parse(int fd, pid_t *pid)
{
	char    text[PIDFILE_MAX_TEXT + 1];
	char   *p;
	ssize_t n;
	unsigned long long val;

	do {
		n = pread(fd, text, PIDFILE_MAX_TEXT, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	text[n] = '\0';
	if (memchr(text, '\0', (size_t)n) != NULL) {
		errno = EINVAL;
		return -1;
	}
	p = str_trim(text);
	if (parse_uint(p, 1, INT_MAX, &val) < 0) {
		errno = EINVAL;
		return -1;
	}
	*pid = (pid_t)val;
	return 0;
}

/* pidfile_read - whether a process holds the lock of path, and its pid */
int
pidfile_read(const char *path, pid_t *pid)
{
	int     fd, waited, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* nobody holds it: the content, if any, is stale */
		ret = 0;
		goto fail;
	}
	if (errno != EWOULDBLOCK)
		goto fail;
	/* held: the holder may not have written its pid yet, or may have
	 * emptied the file on its way out (then the lock goes soon) */
	for (waited = 0;; waited += PIDFILE_STEP_MS) {
		if (pidfile_parse(fd, pid) == 0) {
			ret = 1;
			break;
		}
		if (errno != EINVAL || waited >= PIDFILE_READ_RETRY_MS)
			break;
		pidfile_nap(PIDFILE_STEP_MS);
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			ret = 0;
			break;
		}
		if (errno != EWOULDBLOCK)
			break;
		errno = EINVAL;
	}

fail:
	if (close(fd) < 0 && ret >= 0)
		ret = -1;
	return ret;
}

/* pidfile_lock - open or create path and take its exclusive lock */
int
pidfile_lock(const char *path)
{
	int     fd, waited, err;

	fd = open(path,
	    O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	for (waited = 0;; waited += PIDFILE_STEP_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		/* a probe's shared lock lasts an instant: try again */
		if (errno != EWOULDBLOCK || waited >= PIDFILE_LOCK_RETRY_MS)
			break;
		pidfile_nap(PIDFILE_STEP_MS);
	}
	err = errno;
	(void)close(fd);	/* already failing: keep the first errno */
	errno = err;
	return -1;
}

/* pidfile_write - replace the content of the locked fd with the pid */
int
pidfile_write(int fd, pid_t pid)
{
	char    text[PIDFILE_MAX_TEXT];
	int     len;
	ssize_t n;

	len = snprintf(text, sizeof(text), "%10d\n", (int)pid);
	if (len < 0 || (size_t)len >= sizeof(text)) {
		errno = EINVAL;
		return -1;
	}
	/* write over the old text first, then cut: a reader never sees an
	 * empty file when a pid was there before */
	do {
		n = pwrite(fd, text, (size_t)len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n != len) {
		errno = EIO;
		return -1;
	}
	if (ftruncate(fd, len) < 0)
		return -1;
	return 0;
}
