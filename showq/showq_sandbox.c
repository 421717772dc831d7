/* showq_sandbox.c - the system calls showq may make once it serves
 *
 * Added to the base list of util/sandbox.c (I/O on open descriptors,
 * fstat and newfstatat, poll, memory, signals, clocks, accept). showq's
 * own needs are reading the queue: open queue files, defer logs and the
 * queue directories read-only (openat) and list the directories
 * (getdents64). It never writes, renames or removes a file, never
 * connects anywhere, and never execs.
 */
#include "showq.h"

const char *const showq_syscalls[] = {
	"openat", "getdents64",
};

const size_t showq_syscalls_count = SYS_ARRAY_LEN(showq_syscalls);
