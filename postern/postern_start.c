/* postern_start.c - start, stop, reload and status of the mail system
 *
 * The running mail system is master, and master is running exactly when
 * some process holds the lock of $queue_directory/pid/master.pid
 * (util/pidfile.h); the pid in that file is only believed while the lock is
 * held. start checks what it can before it starts anything (main.cf,
 * master.cf, mail_owner and setgid_group when root, not already running),
 * then runs "DAEMON_DIR/master -c DIR -d" and waits for it: master -d
 * returns 0 only once the detached master runs. stop sends SIGTERM and
 * waits until the lock is released and the process is gone (reaped by its
 * parent, init); reload sends SIGHUP. Every wait is a poll of
 * POSTERN_STEP_MS steps with a deadline. The wording of the messages is
 * Postfix's where Postfix has the same message.
 */
#include "buf.h"
#include "cf.h"
#include "deadline.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "pidfile.h"
#include "postern.h"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>

#define POSTERN_STEP_MS		50
#define POSTERN_START_TIMEOUT	30	/* s for master -d to report */
#define POSTERN_STOP_TIMEOUT	15	/* s for master to exit */
#define POSTERN_ZOMBIE_MS	10000	/* ms for master to be reaped */

/* postern_no_args - commands of this file take no arguments */
static void
postern_no_args(int argc, char **argv)
{
	if (argc != 1)
		postern_usage_fatal(postern_cmd_find(argv[0]));
}

/* postern_pid_path - $queue_directory/pid/master.pid; caller frees */
static char *
postern_pid_path(void)
{
	struct buf *b = buf_new(PATH_MAX);
	char   *path;

	if (buf_printf(b, "%s/%s", var_queue_directory, PIDFILE_MASTER) < 0)
		log_fatal("queue_directory is too long: %s",
		    var_queue_directory);
	path = xstrdup(buf_str(b));
	buf_free(b);
	return path;
}

/* postern_running - 1 with the master's pid when it runs, 0 when not;
 * fatal when that cannot be told */
static int
postern_running(const char *path, pid_t *pid)
{
	int     r = pidfile_read(path, pid);

	if (r < 0 && errno == EINVAL)
		log_fatal("%s is locked but holds no valid pid", path);
	if (r < 0)
		log_fatal("cannot read %s: %m", path);
	return r;
}

/* postern_nap - one step of a wait with a deadline */
static void
postern_nap(void)
{
	/* EINTR only shortens one step; the caller checks its deadline */
	(void)poll(NULL, 0, POSTERN_STEP_MS);
}

/* postern_master_report - print one master.cf problem, count errors */
static void
postern_master_report(void *ctx, enum cf_severity sev, const char *file,
    int line, const char *text)
{
	struct buf *msg = buf_new(CF_MAX_LINE);
	int    *errors = ctx;

	(void)cf_report_text(msg, file, line, text);
	if (sev == CF_ERROR) {
		log_error("%s", buf_str(msg));
		(*errors)++;
	} else {
		log_warn("%s", buf_str(msg));
	}
	buf_free(msg);
}

/* postern_check_master - read master.cf once; fatal on any error */
static void
postern_check_master(void)
{
	struct cf_master *m;
	struct buf *path = buf_new(PATH_MAX);
	size_t  nservices;
	int     errors = 0;

	if (buf_printf(path, "%s/master.cf", var_config_directory) < 0)
		log_fatal("config_directory is too long: %s",
		    var_config_directory);
	m = cf_read_master(buf_str(path), postern_master_report, &errors);
	if (m == NULL)
		log_fatal("cannot read %s", buf_str(path));
	nservices = m->nservices;
	cf_master_free(m);
	if (errors > 0)
		log_fatal("%s: %d error%s", buf_str(path), errors,
		    errors == 1 ? "" : "s");
	if (nservices == 0)
		log_fatal("%s: no services are configured", buf_str(path));
	buf_free(path);
}

/* postern_check_accounts - as root: mail_owner and setgid_group exist and
 * mail_owner is not the super-user */
static void
postern_check_accounts(void)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return;
	pw = getpwnam(var_mail_owner);
	if (pw == NULL)
		log_fatal("mail_owner \"%s\" does not exist; create it with: "
		    "useradd -r -M -d /nonexistent -s /usr/sbin/nologin %s",
		    var_mail_owner, var_mail_owner);
	if (pw->pw_uid == 0)
		log_fatal("mail_owner \"%s\" must not be the super-user",
		    var_mail_owner);
	if (getgrnam(var_setgid_group) == NULL)
		log_fatal("setgid_group \"%s\" does not exist; create it "
		    "with: groupadd -r %s", var_setgid_group,
		    var_setgid_group);
}

/* postern_daemon_dir - daemon_directory, or the directory of this very
 * program when it is empty; caller frees */
static char *
postern_daemon_dir(void)
{
	struct buf *why = buf_new(0);
	char	*dir = params_daemon_directory(why);

	if (dir == NULL)
		log_fatal("cannot find the daemon programs: %s (set "
		    "daemon_directory in main.cf)", buf_str(why));
	buf_free(why);
	return dir;
}

/* postern_config_dir - the configuration directory to hand to master, as
 * an absolute path; caller frees */
static char *
postern_config_dir(const struct postern_opts *opts)
{
	char   *dir;

	if (opts->config_dir == NULL)
		return xstrdup(var_config_directory);
	dir = realpath(opts->config_dir, NULL);
	if (dir == NULL)
		log_fatal("%s: %m", opts->config_dir);
	return dir;
}

/* postern_spawn - fork and exec argv with stdin from /dev/null; the pid */
static pid_t
postern_spawn(char *const argv[])
{
	pid_t   pid;
	int     fd;

	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid > 0)
		return pid;
	fd = open("/dev/null", O_RDONLY | O_NOCTTY);
	if (fd < 0 || (fd != STDIN_FILENO && dup2(fd, STDIN_FILENO) < 0)) {
		log_error("open /dev/null as standard input: %m");
		_exit(127);
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);	/* a copy of stdin; nothing to lose */
	execv(argv[0], argv);
	log_error("execute %s: %m", argv[0]);
	_exit(127);
}

/* postern_wait_child - waitpid with a deadline; 0 with the status, or -1
 * when the child is still running at the deadline */
static int
postern_wait_child(pid_t pid, int timeout_s, int *status)
{
	long long deadline = deadline_now_ms() + timeout_s * 1000LL;
	pid_t   r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			log_fatal("wait for master (pid %d): %m", (int)pid);
		if (deadline_now_ms() >= deadline)
			return -1;
		postern_nap();
	}
}

/* postern_run_master - run master -c DIR -d; returns when it reported */
static void
postern_run_master(const struct postern_opts *opts)
{
	char   *daemon_dir = postern_daemon_dir();
	char   *config_dir = postern_config_dir(opts);
	struct buf *prog = buf_new(PATH_MAX);
	char   *argv[5];
	pid_t   pid;
	int     status;

	if (buf_printf(prog, "%s/master", daemon_dir) < 0)
		log_fatal("daemon_directory is too long: %s", daemon_dir);
	if (access(buf_str(prog), X_OK) < 0)
		log_fatal("cannot execute %s: %m (check daemon_directory)",
		    buf_str(prog));
	argv[0] = (char *)buf_str(prog);
	argv[1] = "-c";
	argv[2] = config_dir;
	argv[3] = "-d";
	argv[4] = NULL;
	log_debug("running %s -c %s -d", argv[0], config_dir);
	pid = postern_spawn(argv);
	if (postern_wait_child(pid, POSTERN_START_TIMEOUT, &status) < 0)
		log_fatal("master (pid %d) did not report within %d seconds; "
		    "see the log", (int)pid, POSTERN_START_TIMEOUT);
	if (WIFSIGNALED(status))
		log_fatal("master was killed by signal %d", WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_fatal("the mail system did not start: master exited with "
		    "status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	buf_free(prog);
	free(config_dir);
	free(daemon_dir);
}

/* postern_start - "postern start" */
int
postern_start(const struct postern_opts *opts, int argc, char **argv)
{
	char   *path;
	pid_t   pid;

	postern_no_args(argc, argv);
	postern_load_config(opts);
	postern_check_master();
	postern_check_accounts();
	path = postern_pid_path();
	if (postern_running(path, &pid))
		log_fatal("the mail system is already running (pid %d)",
		    (int)pid);
	postern_run_master(opts);
	if (!postern_running(path, &pid))
		log_fatal("master reported success, but nothing holds %s",
		    path);
	log_info("started, pid %d", (int)pid);
	free(path);
	return 0;
}

/* postern_proc_state - the state letter of pid in /proc/PID/stat ('R',
 * 'S', 'Z'...), 0 when there is no such process */
static int
postern_proc_state(pid_t pid)
{
	char    path[64], text[512];
	const char *paren;
	ssize_t n;
	int     fd;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : '?';
	n = read(fd, text, sizeof(text) - 1);
	(void)close(fd);	/* read-only: nothing to lose */
	if (n <= 0)
		return 0;	/* it went away between open and read */
	text[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, even ") " */
	paren = strrchr(text, ')');
	if (paren == NULL || paren[1] != ' ' || paren[2] == '\0')
		return '?';
	return (unsigned char)paren[2];
}

/* postern_wait_reaped - after master released its lock: wait until its
 * process is gone, so that "stopped" means no master process remains. A
 * zombie that its parent does not reap within POSTERN_ZOMBIE_MS is dead
 * all the same. */
static void
postern_wait_reaped(pid_t pid, long long deadline)
{
	long long zombie_deadline = deadline_now_ms() + POSTERN_ZOMBIE_MS;
	long long now;
	int     state;

	while ((state = postern_proc_state(pid)) != 0) {
		now = deadline_now_ms();
		if (state == 'Z'
		    && (now >= zombie_deadline || now >= deadline))
			return;
		if (now >= deadline)
			log_fatal("the mail system (pid %d) released its lock "
			    "but did not exit within %d seconds", (int)pid,
			    POSTERN_STOP_TIMEOUT);
		postern_nap();
	}
}

/* postern_stop - "postern stop": SIGTERM, then wait for the lock */
int
postern_stop(const struct postern_opts *opts, int argc, char **argv)
{
	long long deadline;
	char   *path;
	pid_t   pid, now;
	int     r;

	postern_no_args(argc, argv);
	postern_load_config(opts);
	path = postern_pid_path();
	if (!postern_running(path, &pid)) {
		log_info("the mail system is not running");
		free(path);
		return 1;
	}
	if (kill(pid, SIGTERM) < 0)
		log_fatal("cannot stop the mail system: signal pid %d: %m",
		    (int)pid);
	deadline = deadline_now_ms() + POSTERN_STOP_TIMEOUT * 1000LL;
	for (;;) {
		r = pidfile_read(path, &now);
		if (r == 0)
			break;
		/* EINVAL: the file was emptied while locked; keep waiting */
		if (r < 0 && errno != EINVAL)
			log_fatal("cannot read %s: %m", path);
		if (deadline_now_ms() >= deadline)
			log_fatal("the mail system (pid %d) did not stop "
			    "within %d seconds", (int)pid,
			    POSTERN_STOP_TIMEOUT);
		postern_nap();
	}
	postern_wait_reaped(pid, deadline);
	log_info("stopped");
	free(path);
	return 0;
}

/* postern_reload - "postern reload": check, then SIGHUP */
int
postern_reload(const struct postern_opts *opts, int argc, char **argv)
{
	char   *path;
	pid_t   pid;

	postern_no_args(argc, argv);
	postern_load_config(opts);
	postern_check_master();
	path = postern_pid_path();
	if (!postern_running(path, &pid)) {
		log_info("the mail system is not running");
		free(path);
		return 1;
	}
	if (kill(pid, SIGHUP) < 0)
		log_fatal("cannot reload the mail system: signal pid %d: %m",
		    (int)pid);
	log_info("refreshing the mail system");
	free(path);
	return 0;
}

/* postern_status - "postern status": exit 0 when running, 1 when not */
int
postern_status(const struct postern_opts *opts, int argc, char **argv)
{
	char   *path;
	pid_t   pid;
	int     running;

	postern_no_args(argc, argv);
	postern_load_config(opts);
	path = postern_pid_path();
	running = postern_running(path, &pid);
	if (running)
		log_info("the mail system is running: PID: %d", (int)pid);
	else
		log_info("the mail system is not running");
	free(path);
	return running ? 0 : 1;
}
