/* pickup_sandbox.c - the system calls pickup may make once it serves
 *
 * Beyond util/sandbox.c's base list (I/O on open descriptors including
 * pread64, epoll, memory, clocks, accept, connect and AF_UNIX socket()
 * for private/cleanup): open maildrop files and the directory (openat),
 * list maildrop/ (getdents64), move a malformed file to corrupt/ (rename
 * and its *at forms), remove a submitted or abandoned file (unlink,
 * unlinkat: a maildrop file, owned by its submitter, never goes to the
 * recycle pool). pickup never execs, forks or writes a file outside the
 * queue directory it is chrooted in.
 */
#include "pickup.h"

const char *const pickup_syscalls[] = {
	"openat", "getdents64", "rename", "renameat", "renameat2", "unlink",
	"unlinkat",
};

const size_t pickup_syscalls_count = SYS_ARRAY_LEN(pickup_syscalls);
