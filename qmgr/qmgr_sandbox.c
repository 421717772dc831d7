/* qmgr_sandbox.c - the system calls qmgr may make once it serves
 *
 * Added to the base list of util/sandbox.c, which already covers I/O on
 * open descriptors (pread64/pwrite64 for reading envelopes and marking
 * recipients done), epoll, memory, signals, clocks, accept, connect and
 * AF_UNIX socket(). qmgr's own needs: open queue files and directories
 * (openat), list queue directories (getdents64), move files between queue
 * directories (rename and its *at forms, as the C library picks), remove
 * finished files and defer logs (unlink, unlinkat; a finished file is
 * emptied for the recycle pool with ftruncate and fchmod, see
 * util/queue.h), and set the retry time
 * of a deferred file (utimensat, which futimens uses too). It never execs,
 * forks or writes outside the queue directory (it is chrooted there).
 */
#include "qmgr.h"

const char *const qmgr_syscalls[] = {
	"openat", "getdents64", "rename", "renameat", "renameat2", "unlink",
	"unlinkat", "utimensat", "ftruncate", "fchmod",
};

const size_t qmgr_syscalls_count = SYS_ARRAY_LEN(qmgr_syscalls);
