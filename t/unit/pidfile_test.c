/* pidfile_test.c - unit tests of util/pidfile.c
 *
 * Runs in a fresh temporary directory. flock(2) locks belong to open file
 * descriptions, so one process can hold the lock through pidfile_lock and
 * probe it through pidfile_read; the release at process exit is tested
 * with a forked child that holds the lock until told to exit.
 */
#include "pidfile.h"
#include "tap.h"

#include <sys/wait.h>

static char dir[] = "/tmp/pidfile_test.XXXXXX";
static char path[PATH_MAX];

/* put - write text into path, replacing it */
static void
put(const char *file, const char *text)
{
	FILE   *fp = fopen(file, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF) {
		perror(file);
		exit(2);
	}
}

/* slurp - the content of file into out (at most size - 1 bytes) */
static void
slurp(const char *file, char *out, size_t size)
{
	FILE   *fp = fopen(file, "r");
	size_t  n = 0;

	if (fp != NULL) {
		n = fread(out, 1, size - 1, fp);
		(void)fclose(fp);
	}
	out[n] = '\0';
}

/* test_absent - a missing file or directory means not running */
static void
test_absent(void)
{
	char    sub[PATH_MAX];
	pid_t   pid = 0;

	(void)snprintf(sub, sizeof(sub), "%s/none/master.pid", dir);
	is_int(pidfile_read(sub, &pid), 0, "missing directory: not running");
	(void)snprintf(sub, sizeof(sub), "%s/none.pid", dir);
	is_int(pidfile_read(sub, &pid), 0, "missing file: not running");
	put(path, "junk");
	(void)snprintf(sub, sizeof(sub), "%s/master.pid/x", dir);
	is_int(pidfile_read(sub, &pid), 0, "path through a file: not running");
}

/* test_stale - an unlocked file with a pid is stale */
static void
test_stale(void)
{
	pid_t   pid = 0;

	put(path, "     12345\n");
	is_int(pidfile_read(path, &pid), 0, "stale pid file: not running");
}

/* test_locked - lock, write, probe, second lock refused */
static void
test_locked(void)
{
	char    text[64];
	pid_t   pid = 0;
	int     fd, fd2;

	fd = pidfile_lock(path);
	ok(fd >= 0, "pidfile_lock takes a free lock");
	is_int(pidfile_write(fd, 4242), 0, "pidfile_write");
	slurp(path, text, sizeof(text));
	is_str(text, "      4242\n", "content is %10d and a newline");
	is_int(pidfile_read(path, &pid), 1, "locked: running");
	is_int(pid, 4242, "the pid is read back");
	is_int(pidfile_read(path, &pid), 1, "a second probe agrees");
	errno = 0;
	fd2 = pidfile_lock(path);
	ok(fd2 < 0 && errno == EWOULDBLOCK, "second pidfile_lock refused");
	is_int(pidfile_write(fd, 7), 0, "pidfile_write shorter pid");
	slurp(path, text, sizeof(text));
	is_str(text, "         7\n", "old content replaced");
	put(path, "not a pid\n");
	errno = 0;
	ok(pidfile_read(path, &pid) == -1 && errno == EINVAL,
	    "locked with junk: cannot tell (EINVAL)");
	put(path, "0\n");
	errno = 0;
	ok(pidfile_read(path, &pid) == -1 && errno == EINVAL,
	    "locked with pid 0: refused (would signal our group)");
	put(path, "-5\n");
	errno = 0;
	ok(pidfile_read(path, &pid) == -1 && errno == EINVAL,
	    "locked with a negative pid: refused");
	(void)close(fd);
	is_int(pidfile_read(path, &pid), 0, "closed: not running");
}

/* test_child - the lock of a process ends with it */
static void
test_child(void)
{
	int     go[2], ready[2], status;
	pid_t   child, pid = 0;
	char    c;

	if (pipe(go) < 0 || pipe(ready) < 0) {
		perror("pipe");
		exit(2);
	}
	child = fork();
	if (child < 0) {
		perror("fork");
		exit(2);
	}
	if (child == 0) {
		int     fd = pidfile_lock(path);

		if (fd < 0 || pidfile_write(fd, getpid()) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	ok(read(ready[0], &c, 1) == 1, "child holds the lock");
	is_int(pidfile_read(path, &pid), 1, "child's lock: running");
	is_int(pid, child, "child's pid");
	if (write(go[1], "g", 1) != 1 || waitpid(child, &status, 0) != child)
		exit(2);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child exited");
	is_int(pidfile_read(path, &pid), 0, "child gone: not running");
}

/* test_symlink - the lock never follows a symlink */
static void
test_symlink(void)
{
	char    link[PATH_MAX];

	(void)snprintf(link, sizeof(link), "%s/link.pid", dir);
	if (symlink(path, link) < 0) {
		perror("symlink");
		exit(2);
	}
	errno = 0;
	ok(pidfile_lock(link) < 0 && errno == ELOOP,
	    "pidfile_lock refuses a symlink");
	(void)unlink(link);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	(void)snprintf(path, sizeof(path), "%s/master.pid", dir);
	plan(23);
	test_absent();
	test_stale();
	test_locked();
	test_child();
	test_symlink();
	(void)unlink(path);
	(void)rmdir(dir);
	return done();
}
