/* deadline_test.c - unit test of util/deadline.c
 *
 * The clock moves forward, deadline_after maps a negative timeout to "no
 * deadline", deadline_wait returns at once for a ready descriptor, times
 * out with ETIMEDOUT for an idle one (a 50 ms deadline, checked only for
 * having passed, never for its length), and deadline_nonblock sets the
 * flag.
 */
#include "deadline.h"
#include "log.h"

#include "tap.h"

#include <poll.h>

int
main(void)
{
	long long t0, t1;
	int     p[2];

	log_init("deadline_test");
	plan(8);
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
	return done();
}
