/* sandbox.c - per-program seccomp allow-lists
 *
 * Owns the seccomp filter of every daemon. sandbox_enter builds one
 * libseccomp filter whose default action is SCMP_ACT_KILL_PROCESS (the
 * whole process dies by SIGSYS, never a lone thread or a caller that goes
 * on with an error), allows sandbox_base[] - the calls the C library
 * makes on behalf of any daemon that reads, writes, polls, allocates,
 * handles signals, logs and exits - plus the program's own names, and
 * loads it after setting no_new_privs. Some base calls are allowed only
 * with safe arguments: socket() only for AF_UNIX (the C library's syslog
 * reconnects through it), tgkill() only towards the process itself
 * (abort). Names that do not exist on this architecture are skipped in the
 * base list (the list names x86_64's calls, e.g. "time") but are fatal in
 * a program's list, where a typo must not go unnoticed.
 *
 * Builds with -DPOSTERN_SANITIZE=1 (AddressSanitizer, UBSan) add
 * sandbox_sanitize[], the calls of the sanitizer runtime in a running
 * process and in its error report; those builds are for tests only, so
 * the wider list (it includes open) is acceptable there. LeakSanitizer's
 * exit-time check needs ptrace and /proc, which a sandboxed process has
 * neither of, so __lsan_is_turned_off() turns it off in processes that
 * entered the sandbox (it stays on in every other process).
 *
 * ptrace is never allowed, in any list: sandbox_selftest relies on it to
 * prove that the filter is in force.
 */
#include "sandbox.h"
#include "log.h"

#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>

/* calls every daemon makes (through the C library) once it serves */
static const char *const sandbox_base[] = {
	/* descriptors and I/O */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close",
	"lseek", "fstat", "newfstatat", "fcntl",
	/* waiting */
	"poll", "ppoll", "epoll_wait", "epoll_pwait", "epoll_ctl",
	"epoll_create1",
	/* memory */
	"mmap", "munmap", "mprotect", "brk", "mremap", "madvise",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "restart_syscall",
	/* leaving */
	"exit", "exit_group",
	/* identity and time */
	"getpid", "gettid", "geteuid", "clock_gettime", "clock_nanosleep",
	"nanosleep",
	"gettimeofday", "time", "futex", "getrandom", "sysinfo",
	/* glibc's fork() makes it in the child: a daemon allowed to fork
	 * (clone) would otherwise lose every child */
	"set_robust_list",
	/* sockets already open (inherited, accepted, or syslog's) */
	"sendto", "recvfrom", "sendmsg", "recvmsg", "connect", "accept",
	"accept4", "shutdown", "getsockopt", "setsockopt", "getpeername",
	"getsockname",
};

#ifdef POSTERN_SANITIZE
/* calls the AddressSanitizer/UBSan runtime makes after start-up (seen
 * with strace on a sandboxed daemon: an ASan report, a UBSan report,
 * abort, and normal exits): its alternate signal stack, limits, spin-lock
 * backoff, and the error report, which looks up the program file
 * (readlink, open /proc/self/...), asks whether stderr is a terminal
 * (ioctl TCGETS), and probes memory through a pipe */
static const char *const sandbox_sanitize[] = {
	"sigaltstack", "prctl", "getrlimit", "prlimit64", "sched_yield",
	"sched_getaffinity", "readlink", "readlinkat", "open", "openat",
	"ioctl", "pipe2", "mincore",
};
#endif

#ifdef POSTERN_SANITIZE
static bool sandbox_active;

/* LeakSanitizer's hook: nonzero turns the exit-time leak check off */
int	__lsan_is_turned_off(void);

/* __lsan_is_turned_off - no leak check in a sandboxed process (it needs
 * ptrace and /proc, and would be killed by the filter) */
int
__lsan_is_turned_off(void)
{
	return sandbox_active;
}
#endif

/* sandbox_allow - allow one call unconditionally; fatal on failure */
static void
sandbox_allow(scmp_filter_ctx ctx, const char *progname, int nr,
	    const char *name)
{
	int     rc;

	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (rc < 0)
		log_fatal("%s: sandbox: allow %s: %s", progname, name,
		    strerror(-rc));
}

/* sandbox_allow_list - allow every resolvable name of a built-in list */
static void
sandbox_allow_list(scmp_filter_ctx ctx, const char *progname,
	    const char *const *names, size_t n)
{
	size_t  i;
	int     nr;

	for (i = 0; i < n; i++) {
		nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;	/* not a call of this architecture */
		sandbox_allow(ctx, progname, nr, names[i]);
	}
}

/* sandbox_listed - whether name is in the program's list */
static bool
sandbox_listed(const char *const *allow, size_t n, const char *name)
{
	size_t  i;

	for (i = 0; i < n; i++)
		if (strcmp(allow[i], name) == 0)
			return true;
	return false;
}

/* sandbox_allow_if - allow a call only when argument arg equals value
 * (unless the program allows the call outright) */
static void
sandbox_allow_if(scmp_filter_ctx ctx, const char *progname,
	    const char *const *allow, size_t n, const char *name,
	    unsigned arg, scmp_datum_t value)
{
	int     nr, rc;

	if (sandbox_listed(allow, n, name))
		return;
	nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return;
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
	    SCMP_CMP(arg, SCMP_CMP_EQ, value));
	if (rc < 0)
		log_fatal("%s: sandbox: allow %s conditionally: %s", progname,
		    name, strerror(-rc));
}

/* sandbox_enter - install the filter: base list plus allow[0..n-1] */
void
sandbox_enter(const char *progname, const char *const *allow, size_t n)
{
	scmp_filter_ctx ctx;
	size_t  i;
	int     nr, rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_fatal("%s: sandbox: set no_new_privs: %m", progname);
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		log_fatal("%s: sandbox: cannot create a seccomp filter",
		    progname);
	sandbox_allow_list(ctx, progname, sandbox_base,
	    SYS_ARRAY_LEN(sandbox_base));
#ifdef POSTERN_SANITIZE
	sandbox_allow_list(ctx, progname, sandbox_sanitize,
	    SYS_ARRAY_LEN(sandbox_sanitize));
#endif
	for (i = 0; i < n; i++) {
		if (strcmp(allow[i], "ptrace") == 0)
			log_fatal("%s: sandbox: ptrace may never be allowed",
			    progname);
		nr = seccomp_syscall_resolve_name(allow[i]);
		if (nr == __NR_SCMP_ERROR)
			log_fatal("%s: sandbox: unknown system call \"%s\"",
			    progname, allow[i]);
		sandbox_allow(ctx, progname, nr, allow[i]);
	}
	/* syslog() reconnects to /dev/log after a failed send */
	sandbox_allow_if(ctx, progname, allow, n, "socket", 0, AF_UNIX);
	/* abort() signals the process itself */
	sandbox_allow_if(ctx, progname, allow, n, "tgkill", 0,
	    (scmp_datum_t)getpid());
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		log_fatal("%s: sandbox: load the seccomp filter: %s", progname,
		    strerror(-rc));
#ifdef POSTERN_SANITIZE
	sandbox_active = true;
#endif
	log_debug("%s: sandbox: %zu own system calls allowed", progname, n);
}

/* sandbox_selftest - make a forbidden call; returns only if it was not
 * forbidden, which is an error */
void
sandbox_selftest(void)
{
	long    r;

	/* PEEKDATA of pid 0 changes nothing even when it is let through */
	r = syscall(SYS_ptrace, PTRACE_PEEKDATA, 0, NULL, NULL);
	log_error("sandbox self-test: ptrace was not stopped by the filter "
	    "(returned %ld): the sandbox does not work", r);
	exit(1);
}
