/* cleanup_sandbox.c - the system calls cleanup may make once it serves
 *
 * Added to the base list of util/sandbox.c, which already covers I/O on
 * open descriptors (pwrite64 included), poll, memory, signals, clocks,
 * accept, connect and AF_UNIX socket(). cleanup's own needs: create queue
 * files and open incoming/ for its fsync (openat), make them durable and
 * ready (fsync, fchmod), remove an aborted file (unlink), and take a file
 * from the recycle pool of util/queue.h (renameat2, and geteuid to check
 * the owner of what it took).
 * It never execs, forks, renames, or opens anything outside the queue
 * directory (it is chrooted there). Checked with strace on the running
 * daemon.
 */
#include "cleanup.h"

const char *const cleanup_syscalls[] = {
	"openat", "fsync", "fchmod", "unlink", "renameat2", "geteuid",
};

const size_t cleanup_syscalls_count = SYS_ARRAY_LEN(cleanup_syscalls);
