/* showq.h - the showq daemon's private interfaces
 *
 * showq answers the mailq question for users who may not read the queue:
 * one request per connection on public/showq (PROTO_SHOWQ in
 * util/mailq.h), answered with the listing that util/mailq.c renders.
 */
#ifndef POSTERN_SHOWQ_SHOWQ_H
#define POSTERN_SHOWQ_SHOWQ_H

#include "sys.h"

/* showq_service.c */
/* showq_init - before privileges are dropped: load the time zone, so
 * that arrival times are local time inside the chroot */
void	showq_init(void);
/* showq_service - serve one client connection, then close it */
void	showq_service(int fd);

/* showq_sandbox.c */
extern const char *const showq_syscalls[];
extern const size_t showq_syscalls_count;

#endif
