/* deadline.h - the monotonic clock, deadlines, and waiting on a descriptor
 *
 * Every blocking wait in postern is a poll() against a deadline in
 * milliseconds of the monotonic clock; -1 means no deadline. One
 * implementation for ipc, stream and the event loop.
 */
#ifndef POSTERN_DEADLINE_H
#define POSTERN_DEADLINE_H

#include "sys.h"

/* deadline_now_ms - the monotonic clock in milliseconds */
long long deadline_now_ms(void);
/* deadline_after - the deadline timeout_ms from now (-1 for timeout < 0) */
long long deadline_after(long long timeout_ms);
/* deadline_wait - poll fd for events (POLLIN, POLLOUT) until deadline;
 * 0 ready, -1 with errno (ETIMEDOUT when the deadline passed); EINTR is
 * retried */
int	deadline_wait(int fd, short events, long long deadline);
/* deadline_read_all - read fd until EOF or deadline, appending to out
 * (struct buf, up to its max): past the max the rest is dropped when
 * truncate, else it is an error (EFBIG). 0 at EOF, -1 with errno
 * (ETIMEDOUT when the deadline passed) */
struct buf;
int	deadline_read_all(int fd, struct buf *out, long long deadline,
	    bool truncate);
/* deadline_nonblock - set O_NONBLOCK on fd; -1 with errno */
int	deadline_nonblock(int fd);

#endif
