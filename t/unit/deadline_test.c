/* deadline_test.c - unit test of util/deadline.c
 *
 * The clock moves forward, deadline_after maps a negative timeout to "no
 * deadline", deadline_wait returns at once for a ready descriptor, times
 * out with ETIMEDOUT for an idle one (a 50 ms deadline, checked only for
 * having passed, never for its length), and deadline_nonblock sets the
 * flag.
 */
#include "deadline.h"
#include "buf.h"
#include "log.h"

#include "tap.h"

#include <poll.h>

int
main(void)
{
	long long t0, t1;
	int     p[2];

	log_init("deadline_test");
	plan(12);
	if (pipe(p) < 0)
		log_fatal("pipe: %m");
	t0 = deadline_now_ms();
	t1 = deadline_now_ms();
	ok(t0 > 0 && t1 >= t0, "clock is monotonic");
	is_int(deadline_after(-1), -1, "negative timeout: no deadline");
	ok(deadline_after(1000) >= t1 + 1000, "deadline in the future");
	is_int(deadline_wait(p[1], POLLOUT, deadline_after(1000)), 0,
	    "writable pipe is ready");
	errno = 0;
	ok(deadline_wait(p[0], POLLIN, deadline_after(50)) < 0
	    && errno == ETIMEDOUT, "idle pipe times out with ETIMEDOUT");
	ok(deadline_now_ms() >= t1 + 50, "the timeout waited for its deadline");
	if (write(p[1], "x", 1) != 1)
		log_fatal("write: %m");
	is_int(deadline_wait(p[0], POLLIN, -1), 0,
	    "readable pipe, no deadline");
	ok(deadline_nonblock(p[0]) == 0
	    && (fcntl(p[0], F_GETFL) & O_NONBLOCK), "nonblock sets O_NONBLOCK");

	/* read_all: to EOF, truncated, refused past the maximum, timed out */
	{
		struct buf *out = buf_new(4);
		int	q[2];

		if (pipe(q) < 0 || write(q[1], "abcdef", 6) != 6)
			log_fatal("pipe: %m");
		(void)close(q[1]);
		ok(deadline_read_all(q[0], out, deadline_after(1000), true) == 0
		    && strcmp(buf_str(out), "abcd") == 0,
		    "read_all keeps what fits when truncating");
		(void)close(q[0]);
		buf_reset(out);
		if (pipe(q) < 0 || write(q[1], "abcdef", 6) != 6)
			log_fatal("pipe: %m");
		(void)close(q[1]);
		errno = 0;
		ok(deadline_read_all(q[0], out, deadline_after(1000), false) < 0
		    && errno == EFBIG, "read_all refuses past the maximum");
		(void)close(q[0]);
		buf_free(out);
		out = buf_new(0);
		if (pipe(q) < 0 || write(q[1], "xy", 2) != 2)
			log_fatal("pipe: %m");
		errno = 0;
		ok(deadline_read_all(q[0], out, deadline_after(50), false) < 0
		    && errno == ETIMEDOUT && strcmp(buf_str(out), "xy") == 0,
		    "read_all times out on an open pipe, keeping what came");
		(void)close(q[1]);
		buf_reset(out);
		ok(deadline_read_all(q[0], out, deadline_after(1000), false) == 0
		    && buf_len(out) == 0, "read_all sees EOF");
		(void)close(q[0]);
		buf_free(out);
	}
	return done();
}
