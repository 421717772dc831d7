/* local_sandbox.c - the system calls local may make besides SANDBOX_BASE
 *
 * The filter is installed after local_init_privileged() and is inherited
 * by every delivery child, so this list covers both: the parent (accept
 * and serve qmgr, getpwnam() through glibc NSS, which reads /etc/passwd
 * and may try nscd's socket, open the queue file, fork, wait, kill a
 * child past its deadline) and the child (drop to the recipient with
 * setgroups/setresgid/setresuid and verify, create Maildir directories
 * and files, lock and append to an mbox, fsync, rename, unlink, truncate
 * back). Checked with strace -f on real Maildir and mbox deliveries.
 * Nothing here can exec: local never runs a program.
 */
#include "local.h"

const char *const local_syscalls[] = {
	/* the queue file and glibc's passwd lookups (socket(AF_UNIX),
	 * connect, reads and fstat are in the base list) */
	"openat", "getuid", "geteuid", "getgid", "getegid",
	/* one child per delivery */
	"clone", "set_robust_list", "wait4", "kill", "pipe2",
	/* becoming the recipient */
	"setgroups", "setresgid", "setresuid", "setuid", "getresuid",
	"getresgid", "getgroups",
	/* Maildir and mbox */
	"mkdirat", "renameat", "unlinkat", "fsync", "ftruncate",
};

const size_t local_syscalls_count = SYS_ARRAY_LEN(local_syscalls);
