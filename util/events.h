/* events.h - the event loop of the event-driven daemons (master, qmgr)
 *
 * Descriptors are watched for reading and/or writing (epoll); one callback
 * per descriptor, replaced by the next events_watch on it. One-shot timers
 * are keyed by (fn, ctx): setting one again moves it. Callbacks may watch,
 * unwatch and set timers freely, including for their own descriptor: an
 * event of a descriptor unwatched (or unwatched and watched again) earlier
 * in the same round is dropped, and a timer set during a round runs in a
 * later round at the earliest. Unwatch a descriptor before closing it.
 * A single-threaded, per-process loop; misuse is log_panic.
 */
#ifndef POSTERN_EVENTS_H
#define POSTERN_EVENTS_H

#include "sys.h"

#define EVENTS_READ	1
#define EVENTS_WRITE	2

typedef void (*events_fn)(int fd, int what, void *ctx);
typedef void (*events_timer_fn)(void *ctx);

void	events_watch(int fd, int what, events_fn fn, void *ctx);
void	events_unwatch(int fd);
void	events_timer(long long ms, events_timer_fn fn, void *ctx);
void	events_timer_cancel(events_timer_fn fn, void *ctx);
/* events_run_once - wait at most max_ms (-1: until an event or timer)
 * and dispatch what is ready */
void	events_run_once(long long max_ms);
/* events_now_ms - monotonic clock in milliseconds */
long long events_now_ms(void);

#endif
