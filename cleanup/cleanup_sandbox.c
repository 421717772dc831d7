/* cleanup_sandbox.c - the system calls cleanup may make once it serves
 *
 * Added to the base list of util/sandbox.c, which already covers I/O on
 * open descriptors (pwrite64 included), poll, memory, signals, clocks,
 * accept, connect and AF_UNIX socket(). cleanup's own needs: create queue
 * files and open incoming/ for its fsync (openat), make them durable and
 * ready (fsync, fchmod), and remove an aborted file (unlink).
 * It never execs, forks, renames, or opens anything outside the queue
 * directory (it is chrooted there). Checked with strace on the running
 * daemon.
 */
#include "cleanup.h"

const char *const cleanup_syscalls[] = {
	"openat", "fsync", "fchmod", "unlink",
};

const size_t cleanup_syscalls_count = SYS_ARRAY_LEN(cleanup_syscalls);
