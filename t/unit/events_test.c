/* events_test.c - unit tests of util/events.c: watches and timers
 *
 * Descriptors: read and write readiness, re-watch replacing the callback,
 * a callback that unwatches another ready descriptor (it must not be
 * called), one that closes it and reuses its number (the stale event must
 * not reach the new watch), and unwatching itself. Timers: deadline order,
 * moving, cancelling, the wait computed from the nearest timer, and a
 * timer re-armed at zero that must not spin inside one round. An alarm
 * kills the test if the loop ever blocks for good.
 */
#include "events.h"
#include "log.h"

#include "tap.h"

static int calls[8];
static int pipes[2][2];
static char order[16];
static size_t norder;

/* on_read - count a call for the descriptor index in ctx */
static void
on_read(int fd, int what, void *ctx)
{
	(void)fd;
	calls[(intptr_t)ctx] += what;
}

/* on_read_unwatch_other - unwatch (and close) the other pipe */
static void
on_read_unwatch_other(int fd, int what, void *ctx)
{
	int     other = (int)(intptr_t)ctx;

	(void)fd;
	(void)what;
	calls[0]++;
	events_unwatch(pipes[other][0]);
}

/* on_read_reuse - close the other pipe's read end and watch a new
 * readable descriptor under the same number */
static void
on_read_reuse(int fd, int what, void *ctx)
{
	int     other = (int)(intptr_t)ctx, p[2];

	(void)what;
	calls[0]++;
	events_unwatch(fd);
	events_unwatch(pipes[other][0]);
	(void)close(pipes[other][1]);
	if (pipe(p) < 0 || write(p[1], "y", 1) != 1
	    || dup2(p[0], pipes[other][0]) < 0)
		log_fatal("pipe: %m");
	(void)close(p[0]);
	pipes[other][1] = p[1];
	events_watch(pipes[other][0], EVENTS_READ, on_read, (void *)5);
}

/* on_self_unwatch - unwatch the descriptor being served */
static void
on_self_unwatch(int fd, int what, void *ctx)
{
	(void)what;
	(void)ctx;
	calls[6]++;
	events_unwatch(fd);
}

/* new_pipe - a pipe with one byte ready */
static void
new_pipe(int p[2])
{
	if (pipe(p) < 0 || write(p[1], "x", 1) != 1)
		log_fatal("pipe: %m");
}

/* close_pipes - close both pipes */
static void
close_pipes(void)
{
	int     i;

	for (i = 0; i < 2; i++) {
		events_unwatch(pipes[i][0]);
		(void)close(pipes[i][0]);
		(void)close(pipes[i][1]);
	}
}

/* test_descriptors - readiness and callbacks changing the watch table */
static void
test_descriptors(void)
{
	new_pipe(pipes[0]);
	new_pipe(pipes[1]);
	events_watch(pipes[0][0], EVENTS_READ, on_read, (void *)1);
	events_watch(pipes[0][1], EVENTS_WRITE, on_read, (void *)2);
	events_run_once(1000);
	ok(calls[1] == EVENTS_READ && calls[2] == EVENTS_WRITE,
	    "read and write readiness reported");
	events_unwatch(pipes[0][1]);
	events_watch(pipes[0][0], EVENTS_READ, on_read, (void *)3);
	events_run_once(1000);
	ok(calls[1] == EVENTS_READ && calls[3] == EVENTS_READ,
	    "a new watch replaces the callback");
	events_watch(pipes[0][0], EVENTS_READ, on_read_unwatch_other,
	    (void *)1);
	events_watch(pipes[1][0], EVENTS_READ, on_read_unwatch_other,
	    (void *)0);
	calls[0] = 0;
	events_run_once(1000);
	ok(calls[0] == 1, "unwatched in the same round: not called");
	close_pipes();

	new_pipe(pipes[0]);
	new_pipe(pipes[1]);
	events_watch(pipes[0][0], EVENTS_READ, on_read_reuse, (void *)1);
	events_watch(pipes[1][0], EVENTS_READ, on_read_reuse, (void *)0);
	calls[0] = calls[5] = 0;
	events_run_once(1000);
	ok(calls[0] == 1 && calls[5] == 0,
	    "reused descriptor number: stale event not dispatched");
	events_run_once(1000);
	ok(calls[5] == EVENTS_READ, "reused descriptor: its own event later");
	close_pipes();

	new_pipe(pipes[0]);
	events_watch(pipes[0][0], EVENTS_READ, on_self_unwatch, NULL);
	events_run_once(1000);
	events_run_once(0);
	is_int(calls[6], 1, "a callback may unwatch its own descriptor");
	(void)close(pipes[0][0]);
	(void)close(pipes[0][1]);
}

/* on_timer - record the timer's letter */
static void
on_timer(void *ctx)
{
	if (norder < sizeof(order) - 1)
		order[norder++] = *(const char *)ctx;
	order[norder] = '\0';
}

/* on_rearm - set itself again at zero delay */
static void
on_rearm(void *ctx)
{
	(*(int *)ctx)++;
	events_timer(0, on_rearm, ctx);
}

/* run_until - run rounds until n timers fired or a deadline passed */
static void
run_until(size_t n)
{
	long long deadline = events_now_ms() + 5000;

	while (norder < n && events_now_ms() < deadline)
		events_run_once(-1);
}

/* test_timers - order, move, cancel, nearest-timer wait, re-arm */
static void
test_timers(void)
{
	static const char a[] = "a", b[] = "b", c[] = "c", d[] = "d";
	int     count = 0;

	events_timer(30, on_timer, (void *)c);
	events_timer(10, on_timer, (void *)a);
	events_timer(20, on_timer, (void *)b);
	run_until(3);
	is_str(order, "abc", "timers fire in deadline order");
	norder = 0;
	events_timer(0, on_timer, (void *)a);
	events_timer(0, on_timer, (void *)b);
	events_timer(0, on_timer, (void *)c);
	run_until(3);
	is_str(order, "abc", "equal deadlines fire in the order set");
	norder = 0;
	events_timer(5000, on_timer, (void *)a);
	events_timer(10, on_timer, (void *)b);
	events_timer(0, on_timer, (void *)a);
	run_until(2);
	is_str(order, "ab", "setting a timer again moves it");
	norder = 0;
	events_timer(0, on_timer, (void *)d);
	events_timer_cancel(on_timer, (void *)d);
	events_timer(20, on_timer, (void *)c);
	run_until(1);
	is_str(order, "c", "a cancelled timer does not fire");
	events_timer_cancel(on_timer, (void *)d);
	ok(1, "cancelling an unknown timer is harmless");
	events_timer(0, on_rearm, &count);
	events_run_once(0);
	is_int(count, 1, "a timer re-armed at zero runs once per round");
	events_run_once(0);
	is_int(count, 2, "and again in the next round");
	events_timer_cancel(on_rearm, &count);
	ok(events_now_ms() > 0, "monotonic clock");
}

int
main(void)
{
	log_init("events_test");
	alarm(20);
	plan(14);
	test_descriptors();
	test_timers();
	return done();
}
