/* deadline.c - the monotonic clock, deadlines, and waiting on a descriptor
 *
 * See deadline.h. A clock failure is a broken system, hence log_panic.
 */
#include "deadline.h"
#include "buf.h"
#include "log.h"

#include <poll.h>

/* deadline_now_ms - the monotonic clock in milliseconds */
long long
deadline_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		log_panic("clock_gettime: %m");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* deadline_after - the deadline timeout_ms from now */
long long
deadline_after(long long timeout_ms)
{
	return timeout_ms < 0 ? -1 : deadline_now_ms() + timeout_ms;
}

/* deadline_wait - poll fd for events until deadline */
int
deadline_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int     n;

	for (;;) {
		left = -1;
		if (deadline >= 0) {
			left = deadline - deadline_now_ms();
			if (left < 0)
				left = 0;
			if (left > INT_MAX)
				left = INT_MAX;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return 0;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/* deadline_read_all - read fd until EOF or the deadline into out */
int
deadline_read_all(int fd, struct buf *out, long long deadline, bool truncate)
{
	char	data[8192];
	size_t	room;
	ssize_t	n;

	for (;;) {
		if (deadline_wait(fd, POLLIN, deadline) < 0)
			return -1;
		if ((n = read(fd, data, sizeof(data))) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (buf_append(out, data, (size_t)n) == 0)
			continue;
		if (!truncate) {
			errno = EFBIG;
			return -1;
		}
		room = out->max - buf_len(out);
		(void)buf_append(out, data, room);	/* fits: room */
	}
}

/* deadline_nonblock - set O_NONBLOCK on fd */
int
deadline_nonblock(int fd)
{
	int	flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}
