/* pickup.h - the pickup daemon's private interface
 *
 * pickup feeds cleanup from maildrop/, where postdrop leaves the mail of
 * the sendmail command. One event-driven process (master.cf maxproc 1,
 * wakeup 60), chrooted in the queue directory as mail_owner. Jobs:
 *   pickup_scan.c     triggers, the wakeup timer, scanning maildrop/
 *   pickup_file.c     one maildrop file: check, submit to cleanup, remove
 *   pickup_sandbox.c  the system calls it may make
 */
#ifndef POSTERN_PICKUP_H
#define POSTERN_PICKUP_H

#include "sys.h"

#define PICKUP_WAKEUP_MS	(60 * 1000)	/* scan without a trigger */
#define PICKUP_MAX_CONN		256	/* trigger connections at once */

struct ipc;

/* pickup_scan.c */
void	pickup_init(void);			/* first scan, timer */
void	pickup_accept(int fd);			/* a trigger connection */
bool	pickup_drain(void);

/* pickup_file.c */
enum pickup_result { PICKUP_DONE, PICKUP_SKIP, PICKUP_RETRY };
/* pickup_file - handle maildrop/id; *cleanup is the connection to
 * cleanup (opened when NULL, closed and set NULL after an error).
 * PICKUP_DONE: submitted and removed, or removed or moved to corrupt/;
 * PICKUP_SKIP: not ready (left alone); PICKUP_RETRY: cleanup could not
 * take it now (the file stays for the next scan) */
enum pickup_result pickup_file(const char *id, struct ipc **cleanup);

/* pickup_sandbox.c */
extern const char *const pickup_syscalls[];
extern const size_t pickup_syscalls_count;

#endif
