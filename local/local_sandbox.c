/* local_sandbox.c - the system calls local may make besides SANDBOX_BASE
 *
 * The filter is installed after local_init_privileged() and is inherited
 * by every delivery child, so this list covers both: the parent (accept
 * and serve qmgr, getpwnam() through glibc NSS, which reads /etc/passwd
 * and may try nscd's socket, alias and virtual table lookups on open
 * Berkeley DB files, open the queue file, connect to cleanup to forward,
 * fork, wait, kill a child past its deadline) and the child (drop to the
 * recipient with setgroups/setresgid/setresuid and verify, read .forward
 * and :include: files, create Maildir directories and files (a file
 * is made with O_TMPFILE and named with linkat), lock and append to an
 * mbox, fsync, rename, unlink, truncate back). Checked with strace -f on
 * real Maildir, mbox, file and command deliveries.
 *
 * The trade-off: |command destinations need execve. A seccomp filter is
 * inherited across fork and execve and cannot be lifted, so /bin/sh and
 * the command run under this same filter, and the list allows execve and
 * execveat plus the calls a shell and ordinary commands make at start-up
 * (the "commands" group below). The alternative - an unsandboxed spawner
 * process kept from before the filter - would leave a root process
 * without a filter; we prefer one filter for everything local starts. So
 * local can exec, which its filter would otherwise forbid: the defence is
 * that only the command child does, after its switch to the command's
 * owner (never root), with no_new_privs set (setuid programs do not gain
 * privileges). A command that needs a call outside the list dies by
 * SIGSYS, and its delivery is deferred saying so (local.8).
 */
#include "local.h"

const char *const local_syscalls[] = {
	/* the queue file and glibc's passwd lookups (socket(AF_UNIX),
	 * connect, reads and fstat are in the base list) */
	"openat", "getuid", "geteuid", "getgid", "getegid",
	/* one child per delivery */
	"clone", "clone3", "vfork", "set_robust_list", "wait4", "kill",
	"pipe2",
	/* becoming the recipient */
	"setgroups", "setresgid", "setresuid", "setuid", "getresuid",
	"getresgid", "getgroups",
	/* Maildir and mbox */
	"mkdirat", "renameat", "linkat", "unlinkat", "fsync",
	"sync_file_range", "ftruncate",
	/* Berkeley DB tables */
	"flock", "fdatasync", "statfs", "fstatfs", "stat", "lstat",
	/* commands: the message in a memfd, the command process */
	"memfd_create", "execve", "execveat", "setsid", "dup", "dup2", "dup3",
	"chdir", "close_range",
	/* commands: what /bin/sh and ordinary programs do at start-up */
	"arch_prctl", "set_tid_address", "rseq", "prlimit64", "getrlimit",
	"access", "faccessat", "faccessat2", "statx", "readlink",
	"readlinkat", "getcwd", "getppid", "getpgrp", "getpgid", "setpgid",
	"uname", "umask", "getdents64", "ioctl", "pipe", "open", "creat",
	"rename", "unlink", "mkdir", "sigaltstack",
	"fchmod", "fchown", "utimensat", "sched_getaffinity", "sched_yield",
	"getrusage", "times", "alarm", "pause", "rt_sigsuspend",
	"rt_sigtimedwait", "tgkill", "waitid", "fadvise64",
	"copy_file_range", "sendfile", "splice",
};

const size_t local_syscalls_count = SYS_ARRAY_LEN(local_syscalls);
