/* local_deliver.c - one delivery in a child process, as the recipient
 *
 * The parent (root, or the user postern runs as) starts one child per
 * delivery and never touches a mailbox itself. The child closes the
 * descriptors it must not keep (the qmgr connection, master's sockets and
 * pipes), switches to the recipient's uid and gid when running as root
 * (privs_become; for an mbox in mail_spool_directory with the spool
 * directory's group added, see local_deliver_become), writes the mailbox,
 * reports "STATUS DSN REASON" per delivery on a pipe (STATUS 0, 4, 5, or
 * LOCAL_EXIT_CORRUPT for a malformed queue file) and exits 0. A batch of
 * messages for one Maildir (util/proto.h) is written by one child. Only
 * a |command destination execs, in a further child of this one, after
 * the switch to its owner (never root; local_command.c). The parent
 * reads the pipe and reaps the child within the delivery timeout
 * (d->timeout_ms: 90% of ipc_timeout); past it the child is killed and
 * the delivery deferred. The child's report is checked like peer input:
 * one report per delivery, each with a known status and a DSN of the
 * matching class; anything else (a crash included) defers the delivery,
 * so a fault in the mailbox code costs one child, never the service.
 *
 * A Maildir delivery, the common case, runs in a vfork child instead of
 * a forked one: it shares the parent's memory while the parent waits, so
 * there is no address space to copy and tear down (fork, exit and the
 * copy-on-write faults that follow were half of local's CPU per message).
 * The parent cannot watch the clock then, so the child arms its own
 * alarm for the delivery timeout. And since a child the recipient could
 * stop (SIGSTOP) would stop the parent with it, it keeps mail_owner as its
 * real and saved uid (privs_assume): its effective uid, the recipient's,
 * does the file work, but the recipient's processes cannot signal or
 * trace it. Where that is impossible (mail_owner unknown, or the
 * recipient itself) the child is forked. The Maildir code runs in either
 * kind of child; in the shared one it must leave the heap as it found it
 * (local_maildir.c frees what it allocates) and exits with _exit only.
 */
#include "local.h"
#include "buf.h"
#include "deadline.h"
#include "log.h"
#include "privs.h"
#include "proto.h"

#include <grp.h>
#include <signal.h>
#include <sys/wait.h>

#define LOCAL_EXIT_CORRUPT	6
#define LOCAL_REPORT_MAX	(LOCAL_DSN_SIZE + LOCAL_REASON_MAX + 4)

/* mail_owner's uid: the real and saved uid of shared children; 0 none */
static uid_t local_deliver_keeper;

/* local_deliver_init - see local.h */
void
local_deliver_init(uid_t keeper)
{
	local_deliver_keeper = keeper;
}

/* local_deliver_shared - whether rcpt's delivery runs in a vfork child:
 * a Maildir, where the child needs no uid switch (root's own mailbox, or
 * postern without root) or can keep mail_owner as its real uid */
static bool
local_deliver_shared(const struct local_rcpt *rcpt)
{
	if (rcpt->kind != LOCAL_MAILDIR)
		return false;
	if (!rcpt->become || rcpt->uid == 0)
		return true;
	return local_deliver_keeper != 0 && rcpt->uid != local_deliver_keeper;
}

/* local_deliver_mailbox - the child's work: the right mailbox format */
void
local_deliver_mailbox(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res)
{
	if (rcpt->kind == LOCAL_MAILDIR)
		local_maildir_deliver(rcpt, d, res);
	else if (rcpt->kind == LOCAL_COMMAND)
		local_command_deliver(rcpt, d, res);
	else
		local_mbox_deliver(rcpt, d, res);
}

/* local_deliver_spool_group - the group the child keeps for an mbox in
 * mail_spool_directory: the directory's group when it is group-writable
 * (Debian: root:mail 2775), not world-writable, and not root's group;
 * (gid_t)-1 when none is needed */
static gid_t
local_deliver_spool_group(const struct local_rcpt *rcpt)
{
	struct stat st;

	if (!rcpt->spool || stat(buf_str(rcpt->base), &st) < 0)
		return (gid_t)-1;
	if (!S_ISDIR(st.st_mode) || (st.st_mode & S_IWGRP) == 0 ||
	    (st.st_mode & S_IWOTH) != 0 || st.st_gid == 0 ||
	    st.st_gid == rcpt->gid)
		return (gid_t)-1;
	return st.st_gid;
}

/* local_deliver_has_group - whether gid is in list (the kernel sorts) */
static bool
local_deliver_has_group(const gid_t *list, int n, gid_t gid)
{
	int     i;

	for (i = 0; i < n; i++)
		if (list[i] == gid)
			return true;
	return false;
}

/* local_deliver_become - switch to the recipient for good: groups {gid}
 * or {gid, spool group}, gid, uid, read back and verified. The common case
 * is exactly privs_become(), or privs_assume() in a shared child (which
 * keeps mail_owner as its real uid). Both refuse uid 0, but mail for root
 * goes to root's own mailbox as root (as with Postfix): only the groups
 * change then, and local never runs a program as root (commands of uid
 * 0 are refused in local_deliver_child), so nothing else runs as root. */
static int
local_deliver_become(const struct local_rcpt *rcpt, bool shared)
{
	gid_t   extra = local_deliver_spool_group(rcpt);
	gid_t   groups[2], got[3];
	uid_t   ruid, euid, suid;
	gid_t   rgid, egid, sgid;
	int     n = extra == (gid_t)-1 ? 1 : 2;

	if (n == 1 && rcpt->uid != 0)
		return shared ? privs_assume(rcpt->uid, rcpt->gid,
		    local_deliver_keeper) : privs_become(rcpt->uid, rcpt->gid);
	groups[0] = rcpt->gid;
	groups[1] = extra;
	if (setgroups((size_t)n, groups) < 0 ||
	    setresgid(rcpt->gid, rcpt->gid, rcpt->gid) < 0 ||
	    setresuid(rcpt->uid, rcpt->uid, rcpt->uid) < 0)
		return -1;
	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0)
		return -1;
	if (ruid != rcpt->uid || euid != rcpt->uid || suid != rcpt->uid ||
	    rgid != rcpt->gid || egid != rcpt->gid || sgid != rcpt->gid ||
	    getgroups(3, got) != n || !local_deliver_has_group(got, n,
	    groups[0]) || !local_deliver_has_group(got, n, groups[n - 1]) ||
	    (rcpt->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* local_deliver_alarm - a shared child's own deadline: SIGALRM, with its
 * default action (termination), after timeout_ms rounded up to seconds */
static void
local_deliver_alarm(long long timeout_ms)
{
	struct sigaction sa;
	long long sec = (timeout_ms + 999) / 1000;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGALRM, &sa, NULL);	/* cannot fail */
	(void)alarm(sec < 1 ? 1U : sec > INT_MAX ? (unsigned)INT_MAX :
	    (unsigned)sec);			/* no earlier alarm */
}

/* local_deliver_child - the delivery process (shared: vfork'd); never
 * returns. It writes one report per delivery, "C DSN REASON" and a NUL,
 * C the outcome: 0, 4, 5, or LOCAL_EXIT_CORRUPT for a malformed queue
 * file. */
static _Noreturn void
local_deliver_child(const struct local_rcpt *rcpt,
    const struct local_delivery *d, size_t n, int report_fd, bool shared)
{
	struct local_result res[PROTO_BATCH_MAX];
	char    text[LOCAL_REPORT_MAX];
	bool    failed = true;
	int     len;
	size_t  i;

	if (shared)
		local_deliver_alarm(d[0].timeout_ms);
	for (i = 0; i < d[0].nclose; i++)
		(void)close(d[0].close_fds[i]);	/* not ours to keep */
	if (rcpt->kind == LOCAL_COMMAND && rcpt->become && rcpt->uid == 0)
		local_result_set(&res[0], PROTO_STATUS_DEFER, "4.3.0",
		    "refusing to run a command as root");
	else if (rcpt->become && local_deliver_become(rcpt, shared) < 0)
		local_result_set(&res[0], PROTO_STATUS_DEFER, "4.3.0",
		    "cannot switch to user %s: %s", rcpt->user,
		    strerror(errno));
	else
		failed = false;
	if (failed)
		for (i = 1; i < n; i++)
			res[i] = res[0];
	else if (n > 1)
		local_maildir_deliver_batch(rcpt, d, res, n);
	else
		local_deliver_mailbox(rcpt, d, &res[0]);
	for (i = 0; i < n; i++) {
		len = snprintf(text, sizeof(text), "%d %s %s",
		    res[i].corrupt ? LOCAL_EXIT_CORRUPT : res[i].status,
		    res[i].dsn, res[i].reason);
		if (len < 0 || write(report_fd, text, strlen(text) + 1) < 0)
			_exit(1);	/* the parent defers */
	}
	_exit(0);
}

/* local_deliver_dsn_ok - "C.N.N" with 1-3 digits per number, class c */
static bool
local_deliver_dsn_ok(const char *dsn, size_t len, char c)
{
	size_t  i = 2, digits;
	int     part;

	if (len < 5 || len >= LOCAL_DSN_SIZE || dsn[0] != c || dsn[1] != '.')
		return false;
	for (part = 0; part < 2; part++) {
		for (digits = 0; i < len && dsn[i] >= '0' && dsn[i] <= '9';
		    i++)
			digits++;
		if (digits == 0 || digits > 3)
			return false;
		if (part == 0 && (i >= len || dsn[i++] != '.'))
			return false;
	}
	return i == len;
}

/* local_deliver_parse - one report "C DSN REASON" (text[0..len-1]) into
 * res; -1 if it does not make sense */
static int
local_deliver_parse(const char *text, size_t len, struct local_result *res)
{
	const char *sp;
	size_t  dlen, i;
	char    class;
	int     code;

	if (len < 2 || text[1] != ' ')
		return -1;
	code = text[0] - '0';
	switch (code) {
	case PROTO_STATUS_OK:
		class = '2';
		break;
	case PROTO_STATUS_DEFER:
	case LOCAL_EXIT_CORRUPT:
		class = '4';
		break;
	case PROTO_STATUS_BOUNCE:
		class = '5';
		break;
	default:
		return -1;
	}
	text += 2;
	len -= 2;
	if ((sp = memchr(text, ' ', len)) == NULL)
		return -1;
	dlen = (size_t)(sp - text);
	if (!local_deliver_dsn_ok(text, dlen, class))
		return -1;
	res->status = code == LOCAL_EXIT_CORRUPT ? PROTO_STATUS_DEFER : code;
	res->corrupt = code == LOCAL_EXIT_CORRUPT;
	memcpy(res->dsn, text, dlen);
	res->dsn[dlen] = '\0';
	len -= dlen + 1;
	if (len >= sizeof(res->reason))
		len = sizeof(res->reason) - 1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)sp[1 + i];

		res->reason[i] = (c < ' ' || c == 0x7f) ? '?' : (char)c;
	}
	res->reason[len] = '\0';
	return 0;
}

/* local_deliver_reports - the n NUL-terminated reports in text[0..len-1]
 * into res; -1 unless there are exactly n and each makes sense */
static int
local_deliver_reports(const char *text, size_t len,
    struct local_result *res, size_t n)
{
	const char *end;
	size_t  i;

	for (i = 0; i < n; i++) {
		if ((end = memchr(text, '\0', len)) == NULL ||
		    local_deliver_parse(text, (size_t)(end - text),
		    &res[i]) < 0)
			return -1;
		len -= (size_t)(end - text) + 1;
		text = end + 1;
	}
	return len == 0 ? 0 : -1;
}

/* local_deliver_fail - the same failure for all n deliveries */
static void
local_deliver_fail(struct local_result *res, size_t n, const char *reason)
{
	size_t  i;

	for (i = 0; i < n; i++)
		local_result_set(&res[i], PROTO_STATUS_DEFER, "4.3.0", "%s",
		    reason);
}

/* local_deliver_start - the child, forked or (shared) vfork'd; its pid,
 * or -1. A shared child has exited (or died) by the time this returns. */
static pid_t
local_deliver_start(const struct local_rcpt *rcpt,
    const struct local_delivery *d, size_t n, const int pipefd[2],
    bool shared)
{
	pid_t   pid;

	if ((pid = shared ? vfork() : fork()) == 0) {
		(void)close(pipefd[0]);	/* the parent's end */
		local_deliver_child(rcpt, d, n, pipefd[1], shared);
	}
	return pid;
}

/* local_deliver_batch - start the child, let it deliver, collect its
 * results */
void
local_deliver_batch(const struct local_rcpt *rcpt, struct local_delivery *d,
    struct local_result *res, size_t n)
{
	static struct buf *text;	/* the reports, reused */
	unsigned long base = d[0].count;
	bool    shared = local_deliver_shared(rcpt);
	size_t  i;
	int     pipefd[2], wstatus, rd, err;
	pid_t   pid;

	if (n == 0 || n > PROTO_BATCH_MAX || (n > 1 &&
	    rcpt->kind != LOCAL_MAILDIR))
		log_panic("local_deliver_batch: %zu deliveries", n);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		log_warn("%s: cannot create a pipe: %m", d[0].queue_id);
		local_deliver_fail(res, n,
		    "local delivery agent: cannot create a pipe");
		return;
	}
	/* a shared child must never block on a full pipe: the parent, its
	 * reader, waits for it to exit. A pipe holds at least PIPE_BUF
	 * bytes, often no more for a user with many pipes. */
	if (shared && n * LOCAL_REPORT_MAX > PIPE_BUF &&
	    fcntl(pipefd[0], F_GETPIPE_SZ) < (int)(n * LOCAL_REPORT_MAX))
		shared = false;
	for (i = 0; i < n; i++)		/* Maildir names: Q numbers */
		d[i].count = base + i + 1;
	if ((pid = local_deliver_start(rcpt, d, n, pipefd, shared)) < 0) {
		log_warn("%s: cannot fork: %m", d[0].queue_id);
		local_deliver_fail(res, n,
		    "local delivery agent: cannot fork");
		(void)close(pipefd[0]);	/* unused */
		(void)close(pipefd[1]);
		return;
	}
	(void)close(pipefd[1]);		/* the child's end */
	if (text == NULL)
		text = buf_new(PROTO_BATCH_MAX * LOCAL_REPORT_MAX);
	buf_reset(text);
	/* a report past the buffer is cut off, and then makes no sense */
	rd = deadline_read_all(pipefd[0], text,
	    deadline_after(d[0].timeout_ms), true);
	err = errno;
	if (rd < 0 && kill(pid, SIGKILL) < 0)
		log_warn("%s: cannot kill delivery process %ld: %m",
		    d[0].queue_id, (long)pid);
	(void)close(pipefd[0]);		/* read-only pipe */
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR)
			log_panic("waitpid %ld: %m", (long)pid);
	}
	if (rd < 0) {
		log_warn("%s: delivery to %s: %s; process %ld killed",
		    d[0].queue_id, rcpt->user, strerror(err), (long)pid);
		local_deliver_fail(res, n, "local delivery timed out");
	} else if (shared && WIFSIGNALED(wstatus) &&
	    WTERMSIG(wstatus) == SIGALRM) {
		log_warn("%s: delivery to %s: %s; process %ld ended by its "
		    "alarm", d[0].queue_id, rcpt->user, strerror(ETIMEDOUT),
		    (long)pid);
		local_deliver_fail(res, n, "local delivery timed out");
	} else if (WIFSIGNALED(wstatus)) {
		log_warn("%s: delivery process %ld killed by signal %d",
		    d[0].queue_id, (long)pid, WTERMSIG(wstatus));
		local_deliver_fail(res, n, "local delivery process crashed");
	} else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 ||
	    local_deliver_reports(buf_str(text), buf_len(text), res,
	    n) < 0) {
		log_warn("%s: delivery process %ld failed (exit status %d)",
		    d[0].queue_id, (long)pid, WIFEXITED(wstatus) ?
		    WEXITSTATUS(wstatus) : -1);
		local_deliver_fail(res, n, "local delivery process failed");
	}
}

/* local_deliver - one delivery in a child */
void
local_deliver(const struct local_rcpt *rcpt, struct local_delivery *d,
    struct local_result *res)
{
	local_deliver_batch(rcpt, d, res, 1);
}
