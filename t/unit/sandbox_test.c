/* sandbox_test.c - the seccomp filter kills what it must, allows the rest
 *
 * Each case runs in a forked child, since a filter can never be removed:
 * the child enters the sandbox with a small list and then makes one call;
 * the parent checks how the child ended. A forbidden call must kill the
 * child by SIGSYS (the whole process, SCMP_ACT_KILL_PROCESS); an allowed
 * call (the program's own list, the base list, the AF_UNIX socket that
 * syslog needs, abort's signal to itself) must work. Fatal set-up errors
 * (an unknown name, ptrace in a list) must end the child with status 1
 * and a log line, which the child passes back through a pipe. One child
 * stays alive inside its sandbox so that the parent can read
 * "Seccomp: 2" from its /proc status.
 */
#include "sandbox.h"
#include "log.h"
#include "tap.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* the write end of the pipe for the captured log line of a child */
static int test_log_fd = -1;

static const char *const test_list[] = {"getppid"};

/* test_capture - send a child's log line to the parent */
static void
test_capture(const char *line)
{
	size_t  len = strlen(line);

	if (test_log_fd >= 0 && write(test_log_fd, line, len) < 0)
		_exit(90);
}

/* test_enter - the sandbox with test_list */
static void
test_enter(void)
{
	sandbox_enter("sandbox_test", test_list, SYS_ARRAY_LEN(test_list));
}

/* case bodies: each runs in the child and ends it */

static void
case_allowed(void)
{
	pid_t   parent = getppid();

	test_enter();
	_exit(getppid() == parent ? 0 : 2);
}

static void
case_base(void)
{
	struct timespec ts;
	char   *p;

	test_enter();
	p = malloc(1 << 20);		/* mmap */
	if (p == NULL || clock_gettime(CLOCK_MONOTONIC, &ts) < 0
	    || getpid() <= 0)
		_exit(2);
	p[0] = 1;
	free(p);
	_exit(0);
}

static void
case_forbidden(void)
{
	test_enter();
	(void)syscall(SYS_getuid);
	_exit(0);
}

static void
case_selftest(void)
{
	sandbox_enter("sandbox_test", NULL, 0);
	sandbox_selftest();
}

static void
case_unix_socket(void)
{
	int     fd;

	test_enter();
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	_exit(fd >= 0 ? 0 : 2);
}

static void
case_inet_socket(void)
{
	test_enter();
	(void)socket(AF_INET, SOCK_STREAM, 0);
	_exit(0);
}

static void
case_listed_socket(void)
{
	static const char *const list[] = {"socket", "read"};
	int     fd;

	sandbox_enter("sandbox_test", list, SYS_ARRAY_LEN(list));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	_exit(fd >= 0 ? 0 : 2);
}

static void
case_abort(void)
{
	test_enter();
	abort();
}

static void
case_unknown(void)
{
	static const char *const list[] = {"no_such_call"};

	sandbox_enter("sandbox_test", list, SYS_ARRAY_LEN(list));
	_exit(0);
}

static void
case_ptrace(void)
{
	static const char *const list[] = {"ptrace"};

	sandbox_enter("sandbox_test", list, SYS_ARRAY_LEN(list));
	_exit(0);
}

/* test_run - run body in a child; its wait status, and in log (size) the
 * log line it captured */
static int
test_run(void (*body)(void), char *log, size_t size)
{
	int     fds[2], status;
	pid_t   pid;
	ssize_t n;
	size_t  got = 0;

	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		(void)close(fds[0]);
		test_log_fd = fds[1];
		log_set_capture(test_capture);
		body();
		_exit(91);
	}
	(void)close(fds[1]);
	while (got + 1 < size
	    && (n = read(fds[0], log + got, size - 1 - got)) > 0)
		got += (size_t)n;
	log[got] = '\0';
	(void)close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* test_status_case - one case: the child must end as expected */
static void
test_status_case(const char *name, void (*body)(void), int exit_code,
	    int sig, const char *log_has)
{
	char    log[1024];
	int     st = test_run(body, log, sizeof(log));
	bool    good;

	if (sig != 0)
		good = st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
	else
		good = st != -1 && WIFEXITED(st)
		    && WEXITSTATUS(st) == exit_code;
	if (good && log_has != NULL)
		good = strstr(log, log_has) != NULL;
	if (!ok(good, "%s", name)) {
		diag("wait status 0x%x, log \"%s\"", st, log);
	}
}

/* test_proc_status - a sandboxed child shows "Seccomp: 2" */
static void
test_proc_status(void)
{
	int     ready[2], hold[2], status;
	char    path[64], text[4096], c;
	pid_t   pid;
	FILE   *fp;
	size_t  n;
	bool    found = false;

	if (pipe(ready) < 0 || pipe(hold) < 0) {
		ok(0, "pipes for the /proc case");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		(void)close(ready[0]);
		(void)close(hold[1]);
		test_enter();
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		/* wait until the parent has looked */
		_exit(read(hold[0], &c, 1) == 0 ? 0 : 3);
	}
	(void)close(ready[1]);
	(void)close(hold[0]);
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		(void)snprintf(path, sizeof(path), "/proc/%d/status",
		    (int)pid);
		if ((fp = fopen(path, "r")) != NULL) {
			n = fread(text, 1, sizeof(text) - 1, fp);
			text[n] = '\0';
			found = strstr(text, "\nSeccomp:\t2\n") != NULL;
			(void)fclose(fp);
		}
	}
	(void)close(hold[1]);
	(void)close(ready[0]);
	status = -1;
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	ok(found, "a sandboxed process shows Seccomp: 2 in /proc");
	ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "and then exits normally");
}

int
main(void)
{
	log_init("sandbox_test");
	plan(12);
	test_status_case("a call from the program's list works", case_allowed,
	    0, 0, NULL);
	test_status_case("base calls work (memory, clock, getpid, exit)",
	    case_base, 0, 0, NULL);
	test_status_case("a call outside the lists kills by SIGSYS",
	    case_forbidden, 0, SIGSYS, NULL);
	test_status_case("sandbox_selftest dies by SIGSYS", case_selftest, 0,
	    SIGSYS, NULL);
	test_status_case("socket(AF_UNIX) works (syslog reconnect)",
	    case_unix_socket, 0, 0, NULL);
	test_status_case("socket(AF_INET) kills by SIGSYS", case_inet_socket,
	    0, SIGSYS, NULL);
	test_status_case("a listed socket allows AF_INET", case_listed_socket,
	    0, 0, NULL);
	test_status_case("abort still raises SIGABRT", case_abort, 0, SIGABRT,
	    NULL);
	test_status_case("an unknown name is fatal", case_unknown, 1, 0,
	    "unknown system call \"no_such_call\"");
	test_status_case("ptrace in a list is fatal", case_ptrace, 1, 0,
	    "ptrace may never be allowed");
	test_proc_status();
	return done();
}
