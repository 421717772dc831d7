/* local_command.c - delivery to a |command of an alias or .forward
 *
 * Runs in the delivery child, already switched to the command's owner
 * (default_privs for a root-owned alias table, the user for a .forward;
 * never root). The command text comes only from an alias table, a
 * .forward or an :include: file, never from the address or the message.
 * The message (Return-Path, Delivered-To, content) is first written into
 * a memfd, which becomes the command's standard input, so the command
 * may read it at any pace without a deadlock against its output. The
 * command runs as "/bin/sh -c COMMAND" in a process group of its own,
 * with a clean environment (local_command_env: HOME, USER, LOGNAME,
 * SHELL, PATH=/usr/bin:/bin, SENDER, RECIPIENT, EXTENSION, LOCAL,
 * DOMAIN), every other descriptor closed, SIGPIPE and the signal mask
 * reset, in the owner's home directory (or / when it cannot be entered).
 * Its standard output and error go to a pipe; the first
 * LOCAL_COMMAND_OUTPUT bytes become part of the reason. After
 * command_time_limit the whole process group is killed and the delivery
 * deferred. Exit status 0 is delivered, EX_TEMPFAIL (75) and death by a
 * signal are deferred, anything else bounces (5.3.0).
 *
 * The command inherits local's seccomp filter (local_sandbox.c): a
 * command that makes a system call outside it dies by SIGSYS, and its
 * delivery is deferred with that reason.
 */
#include "local.h"
#include "addr.h"
#include "buf.h"
#include "deadline.h"
#include "log.h"
#include "params.h"
#include "proto.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define LOCAL_COMMAND_OUTPUT	200	/* bytes of output in the reason */
#define LOCAL_COMMAND_ENV_MAX	(16 * 1024)
#define LOCAL_COMMAND_ENV_N	12
#define LOCAL_EX_TEMPFAIL	75
#define LOCAL_SHELL		"/bin/sh"

/* local_command_put - append "name=value" and a NUL */
static int
local_command_put(struct buf *out, const char *name, const char *value)
{
	if (buf_printf(out, "%s=%s", name, value) < 0 ||
	    buf_append_char(out, '\0') < 0)
		return -1;
	return 0;
}

/* local_command_env - the clean environment of a command */
int
local_command_env(const struct local_rcpt *rcpt, const char *sender,
    struct buf *out)
{
	struct buf *local = buf_new(LOCAL_ADDR_MAX);
	struct buf *domain = buf_new(LOCAL_ADDR_MAX);
	int     ret;

	buf_reset(out);
	addr_split(buf_str(rcpt->env_rcpt), local, domain);
	ret = local_command_put(out, "HOME", buf_str(rcpt->home)) < 0 ||
	    local_command_put(out, "USER", rcpt->user) < 0 ||
	    local_command_put(out, "LOGNAME", rcpt->user) < 0 ||
	    local_command_put(out, "SHELL", buf_str(rcpt->shell)) < 0 ||
	    local_command_put(out, "PATH", "/usr/bin:/bin") < 0 ||
	    local_command_put(out, "SENDER", sender) < 0 ||
	    local_command_put(out, "RECIPIENT", buf_str(rcpt->env_rcpt)) < 0 ||
	    local_command_put(out, "EXTENSION", buf_str(rcpt->extension)) < 0 ||
	    local_command_put(out, "LOCAL", buf_str(local)) < 0 ||
	    local_command_put(out, "DOMAIN", buf_str(domain)) < 0 ? -1 : 0;
	buf_free(domain);
	buf_free(local);
	return ret;
}

/* local_command_exec - the command process; never returns */
static _Noreturn void
local_command_exec(const struct local_rcpt *rcpt, const struct buf *env,
    int in_fd, int out_fd)
{
	char   *envp[LOCAL_COMMAND_ENV_N + 1];
	char   *argv[4];
	const char *p, *end = buf_str(env) + buf_len(env);
	size_t  n = 0;
	sigset_t none;
	int     fd;

	(void)setsid();			/* its own process group */
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(LOCAL_EX_TEMPFAIL);
	for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
		(void)close(fd);	/* descriptors that are not its own */
	(void)signal(SIGPIPE, SIG_DFL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if ((buf_len(rcpt->home) == 0 || chdir(buf_str(rcpt->home)) < 0) &&
	    chdir("/") < 0)
		_exit(LOCAL_EX_TEMPFAIL);
	for (p = buf_str(env); p < end && n < LOCAL_COMMAND_ENV_N;
	    p += strlen(p) + 1)
		envp[n++] = (char *)p;
	envp[n] = NULL;
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)buf_str(rcpt->command);
	argv[3] = NULL;
	(void)execve(LOCAL_SHELL, argv, envp);
	_exit(LOCAL_EX_TEMPFAIL);
}

/* local_command_text - printable one-line output for the reason */
static const char *
local_command_text(struct buf *output)
{
	size_t  i;

	while (buf_len(output) > 0 &&
	    output->data[buf_len(output) - 1] == '\n')
		buf_truncate(output, buf_len(output) - 1);
	for (i = 0; i < buf_len(output); i++)
		if ((unsigned char)output->data[i] < ' ' ||
		    (unsigned char)output->data[i] >= 0x7f)
			output->data[i] = ' ';
	return buf_str(output);
}

/* local_command_deliver - run the command with the message on stdin */
void
local_command_deliver(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res)
{
	struct buf *env = buf_new(LOCAL_COMMAND_ENV_MAX);
	struct buf *output = buf_new(LOCAL_COMMAND_OUTPUT);
	int     mfd = -1, pipefd[2] = {-1, -1}, wstatus, rd;
	long long deadline;
	pid_t   pid;

	if (local_command_env(rcpt, d->sender, env) < 0) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.3.0",
		    "command environment too large");
		goto fail;
	}
	if ((mfd = memfd_create("postern-message", MFD_CLOEXEC)) < 0) {
		local_result_errno(res, errno, "create", "message copy");
		goto fail;
	}
	if (local_copy_message(d, rcpt, mfd, "command input", 0, 0, res) < 0)
		goto fail;
	if (lseek(mfd, 0, SEEK_SET) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		local_result_errno(res, errno, "prepare", "command input");
		goto fail;
	}
	deadline = deadline_after(var_command_time_limit * 1000LL);
	if ((pid = fork()) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot fork the command: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		local_command_exec(rcpt, env, mfd, pipefd[1]);
	(void)close(pipefd[1]);		/* the command's end */
	pipefd[1] = -1;
	/* the first LOCAL_COMMAND_OUTPUT bytes of output are kept */
	rd = deadline_read_all(pipefd[0], output, deadline, true);
	if (rd < 0)
		(void)kill(-pid, SIGKILL);	/* the whole group */
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR) {
			wstatus = LOCAL_EX_TEMPFAIL << 8;
			break;
		}
	if (rd < 0)
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "command time limit exceeded: %s",
		    buf_str(rcpt->command));
	else if (WIFSIGNALED(wstatus))
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "command died with signal %d%s: %s", WTERMSIG(wstatus),
		    WTERMSIG(wstatus) == SIGSYS ? " (a system call outside "
		    "local's sandbox)" : "", local_command_text(output));
	else if (WEXITSTATUS(wstatus) == 0)
		local_result_set(res, PROTO_STATUS_OK, "2.0.0",
		    "delivered to command: %s", buf_str(rcpt->command));
	else if (WEXITSTATUS(wstatus) == LOCAL_EX_TEMPFAIL)
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "temporary failure. Command output: %s",
		    local_command_text(output));
	else
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.3.0",
		    "Command died with status %d: \"%s\". Command output: %s",
		    WEXITSTATUS(wstatus), buf_str(rcpt->command),
		    local_command_text(output));

fail:
	if (pipefd[0] >= 0)
		(void)close(pipefd[0]);	/* read end */
	if (pipefd[1] >= 0)
		(void)close(pipefd[1]);
	if (mfd >= 0)
		(void)close(mfd);	/* memory only */
	buf_free(output);
	buf_free(env);
}
