/* smtpd_sandbox.c - the system calls smtpd may make once it serves
 *
 * The names beyond util/sandbox.c's base list (which already has read,
 * write, poll, close, fstat, fcntl, the socket calls on open sockets
 * including connect and getpeername, and socket() for AF_UNIX only, which
 * is what ipc_connect to private/cleanup needs). smtpd adds only openat:
 * users_exists re-reads passwd relative to the /etc descriptor that
 * users_init opened before the chroot. Verified with strace -f on real
 * sessions (greeting, EHLO, MAIL, RCPT to a known and an unknown user,
 * DATA, several messages, QUIT); anything else kills the process.
 */
#include "smtpd.h"

const char *const smtpd_syscalls[] = {
	"openat",
};

const size_t smtpd_syscalls_count = SYS_ARRAY_LEN(smtpd_syscalls);
