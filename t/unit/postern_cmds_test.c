/* postern_cmds_test.c - unit tests of the postern command table and of
 * status/stop/reload against a pid-file lock held by the test
 *
 * Links every postern/ object but postern.o. The command table is checked
 * row by row; then each command runs in a forked child against a
 * temporary configuration directory whose main.cf names a temporary
 * queue_directory, with log lines captured and sent back through a pipe,
 * so that exit status and message text are both checked. The "master" is
 * this test itself holding the lock (pidfile_lock), or a forked child that
 * holds it and exits on SIGTERM / counts SIGHUP.
 */
#include "log.h"
#include "pidfile.h"
#include "../../postern/postern.h"
#include "tap.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static char dir[] = "/tmp/postern_cmds_test.XXXXXX";
static char conf[256], queue[256], pidpath[512];
static int capture_fd = -1;

/* the fake master of test_child_master, reaped while commands run (stop
 * waits until it is reaped) */
static pid_t fake_pid;
static int fake_status;
static bool fake_reaped;

/* reap_fake - collect the fake master's status once it has exited */
static void
reap_fake(void)
{
	if (fake_pid > 0 && !fake_reaped
	    && waitpid(fake_pid, &fake_status, WNOHANG) == fake_pid)
		fake_reaped = true;
}

/* capture - send a captured log line to the parent */
static void
capture(const char *line)
{
	const char *text = strstr(line, "]: ");
	size_t  len;

	text = text ? text + 3 : line;
	len = strlen(text);
	if (write(capture_fd, text, len) != (ssize_t)len
	    || write(capture_fd, "\n", 1) != 1)
		_exit(99);
}

/* run_cmd - run command name in a child; its exit status, log in out */
static int
run_cmd(const char *name, char *out, size_t size)
{
	struct postern_opts opts = { conf, 0 };
	const struct postern_cmd *cmd = postern_cmd_find(name);
	char   *argv[] = { (char *)name, NULL };
	int     p[2], status;
	size_t  n = 0;
	ssize_t r;
	pid_t   pid;

	if (cmd == NULL || pipe(p) < 0)
		exit(2);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		(void)close(p[0]);
		capture_fd = p[1];
		log_set_capture(capture);
		exit(cmd->fn(&opts, 1, argv));
	}
	(void)close(p[1]);
	while (n + 1 < size) {
		struct pollfd pfd = { p[0], POLLIN, 0 };

		reap_fake();
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		r = read(p[0], out + n, size - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	(void)close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* write_file - create path with text */
static void
write_file(const char *path, const char *text)
{
	FILE   *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) == EOF) {
		perror(path);
		exit(2);
	}
}

/* test_table - every row is complete, names are unique */
static void
test_table(void)
{
	static const char *const must[] = { "start", "stop", "reload",
	"status", "help" };
	size_t  i, j;
	bool    good = true, unique = true;

	for (i = 0; i < SYS_ARRAY_LEN(must); i++)
		ok(postern_cmd_find(must[i]) != NULL, "command %s exists",
		    must[i]);
	ok(postern_cmd_find("nope") == NULL, "unknown command not found");
	ok(postern_cmd_find("") == NULL, "empty command not found");
	for (i = 0; i < postern_cmds_count; i++) {
		const struct postern_cmd *c = &postern_cmds[i];

		if (c->name == NULL || *c->name == '\0' || c->fn == NULL
		    || c->usage == NULL || c->help == NULL || *c->help == '\0')
			good = false;
		for (j = i + 1; j < postern_cmds_count; j++)
			if (strcmp(c->name, postern_cmds[j].name) == 0)
				unique = false;
	}
	ok(good, "every row has name, function, usage and help");
	ok(unique, "command names are unique");
}

/* test_not_running - status, stop, reload with nobody holding the lock */
static void
test_not_running(void)
{
	char    out[4096];

	is_int(run_cmd("status", out, sizeof(out)), 1, "status: exit 1");
	is_str(out, "the mail system is not running\n", "status: says so");
	is_int(run_cmd("stop", out, sizeof(out)), 1, "stop: exit 1");
	is_str(out, "the mail system is not running\n", "stop: says so");
	is_int(run_cmd("reload", out, sizeof(out)), 1, "reload: exit 1");
	write_file(pidpath, "     99999\n");
	is_int(run_cmd("status", out, sizeof(out)), 1,
	    "status with a stale pid file: exit 1");
}

/* test_locked - status and start while this process holds the lock */
static void
test_locked(void)
{
	char    out[4096], want[128];
	int     fd = pidfile_lock(pidpath);

	if (fd < 0 || pidfile_write(fd, getpid()) < 0)
		exit(2);
	is_int(run_cmd("status", out, sizeof(out)), 0, "status: exit 0");
	(void)snprintf(want, sizeof(want),
	    "the mail system is running: PID: %d\n", (int)getpid());
	is_str(out, want, "status: names the pid");
	is_int(run_cmd("start", out, sizeof(out)), 1, "start: refused");
	(void)snprintf(want, sizeof(want),
	    "fatal: the mail system is already running (pid %d)\n",
	    (int)getpid());
	is_str(out, want, "start: says it runs");
	(void)close(fd);
}

static volatile sig_atomic_t hups;

/* on_hup - count SIGHUP in the fake master */
static void
on_hup(int sig)
{
	(void)sig;
	hups++;
}

/* test_child_master - reload and stop against a forked fake master */
static void
test_child_master(void)
{
	char    out[4096];
	int     ready[2], hup_pipe[2], status;
	pid_t   child;
	char    c;

	if (pipe(ready) < 0 || pipe(hup_pipe) < 0)
		exit(2);
	child = fork();
	if (child < 0)
		exit(2);
	fake_pid = child;
	if (child == 0) {
		int     fd = pidfile_lock(pidpath);

		if (fd < 0 || pidfile_write(fd, getpid()) < 0)
			_exit(1);
		if (signal(SIGHUP, on_hup) == SIG_ERR)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			pause();
			if (hups > 0) {
				hups = 0;
				if (write(hup_pipe[1], "h", 1) != 1)
					_exit(1);
			}
		}
	}
	(void)close(ready[1]);
	(void)close(hup_pipe[1]);
	ok(read(ready[0], &c, 1) == 1, "fake master holds the lock");
	is_int(run_cmd("reload", out, sizeof(out)), 0, "reload: exit 0");
	is_str(out, "refreshing the mail system\n", "reload: says so");
	ok(read(hup_pipe[0], &c, 1) == 1, "reload: master got SIGHUP");
	is_int(run_cmd("stop", out, sizeof(out)), 0, "stop: exit 0");
	is_str(out, "stopped\n", "stop: says so");
	ok(fake_reaped, "stop: returned once master was reaped");
	status = fake_status;
	if (!fake_reaped && waitpid(child, &status, 0) != child)
		exit(2);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "stop: master got SIGTERM");
	is_int(run_cmd("status", out, sizeof(out)), 1,
	    "status after stop: exit 1");
}

int
main(void)
{
	char    text[PATH_MAX * 2];

	if (mkdtemp(dir) == NULL)
		return 2;
	(void)snprintf(conf, sizeof(conf), "%s/conf", dir);
	(void)snprintf(queue, sizeof(queue), "%s/queue", dir);
	(void)snprintf(pidpath, sizeof(pidpath), "%s/%s", queue,
	    PIDFILE_MASTER);
	(void)snprintf(text, sizeof(text), "%s/pid", queue);
	if (mkdir(conf, 0755) < 0 || mkdir(queue, 0755) < 0
	    || mkdir(text, 0755) < 0)
		return 2;
	(void)snprintf(text, sizeof(text), "%s/main.cf", conf);
	{
		char    cf[PATH_MAX + 64];

		/* accounts that exist on every Debian system, for start
		 * as root */
		(void)snprintf(cf, sizeof(cf), "queue_directory = %s\n"
		    "mail_owner = nobody\nsetgid_group = nogroup\n", queue);
		write_file(text, cf);
	}
	(void)snprintf(text, sizeof(text), "%s/master.cf", conf);
	write_file(text, "smtp inet n - n - - smtpd\n");
	log_init("postern");
	plan(28);
	test_table();
	test_not_running();
	test_locked();
	test_child_master();
	(void)snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	if (system(text) != 0)
		diag("cannot remove %s", dir);
	return done();
}
