/* events.c - the event loop of the event-driven daemons (master, qmgr)
 *
 * A per-process singleton: one epoll descriptor (created on first use,
 * close-on-exec), a table of watched descriptors indexed by fd, and the
 * one-shot timers in a binary min-heap ordered by (deadline, sequence).
 * Each watch carries a generation number that is also stored in the epoll
 * event; events_run_once looks the descriptor up again before every
 * callback and skips the event when the descriptor was unwatched, or
 * unwatched and watched again (perhaps a new connection reusing the
 * number), earlier in the same round. Readiness is masked with what the
 * watch asks for now, so a callback never sees an event it did not ask for.
 *
 * Timers are keyed by (fn, ctx): setting one that exists moves it. A round
 * runs only the timers that were due when it started and had been set
 * before it started, so a callback that re-arms a zero timer cannot keep
 * the loop from returning. The heap also keeps its position index in each
 * timer so that a move or cancel costs a linear search plus O(log n).
 * Misuse (a descriptor epoll refuses) is a bug: log_panic.
 */
#include "events.h"
#include "deadline.h"
#include "mem.h"
#include "log.h"

#include <sys/epoll.h>

#define EVENTS_BATCH	64

struct events_watch {
	events_fn fn;
	void	*ctx;
	int	what;		/* EVENTS_READ | EVENTS_WRITE; 0: unwatched */
	uint32_t gen;		/* changes on every new watch of this fd */
};

struct events_timer {
	long long when;		/* monotonic ms */
	unsigned long long seq;	/* FIFO order among equal deadlines */
	events_timer_fn fn;
	void	*ctx;
};

static int events_epfd = -1;
static struct events_watch *events_fds;
static size_t events_nfds;
static uint32_t events_gen;
static struct events_timer *events_heap;
static size_t events_ntimers, events_heap_cap;
static unsigned long long events_seq;

/* events_now_ms - monotonic clock in milliseconds */
long long
events_now_ms(void)
{
	return deadline_now_ms();
}

/* events_init - create the epoll descriptor once */
static void
events_init(void)
{
	if (events_epfd >= 0)
		return;
	events_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (events_epfd < 0)
		log_fatal("epoll_create1: %m");
}

/* events_mask - epoll event bits for what */
static uint32_t
events_mask(int what)
{
	return ((what & EVENTS_READ) ? EPOLLIN : 0)
	    | ((what & EVENTS_WRITE) ? EPOLLOUT : 0);
}

/* events_watch - watch fd for what; replaces an earlier watch of fd */
void
events_watch(int fd, int what, events_fn fn, void *ctx)
{
	struct epoll_event ev;
	struct events_watch *w;
	size_t  n;
	int     op;

	if (fd < 0 || fn == NULL || (what & ~(EVENTS_READ | EVENTS_WRITE))
	    || what == 0)
		log_panic("events_watch: bad arguments fd=%d what=%d", fd,
		    what);
	events_init();
	if ((size_t)fd >= events_nfds) {
		n = events_nfds ? events_nfds : 64;
		while (n <= (size_t)fd)
			n *= 2;
		events_fds = xreallocarray(events_fds, n, sizeof(*events_fds));
		memset(events_fds + events_nfds, 0,
		    (n - events_nfds) * sizeof(*events_fds));
		events_nfds = n;
	}
	w = &events_fds[fd];
	op = w->what ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	w->fn = fn;
	w->ctx = ctx;
	w->what = what;
	w->gen = ++events_gen;
	memset(&ev, 0, sizeof(ev));
	ev.events = events_mask(what);
	ev.data.u64 = (uint64_t)w->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(events_epfd, op, fd, &ev) < 0) {
		/* the caller closed fd without unwatching: start afresh */
		if (op == EPOLL_CTL_MOD && errno == ENOENT
		    && epoll_ctl(events_epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
			return;
		log_panic("events_watch: epoll_ctl fd %d: %m", fd);
	}
}

/* events_unwatch - stop watching fd (before or after closing it) */
void
events_unwatch(int fd)
{
	if (fd < 0 || (size_t)fd >= events_nfds || events_fds[fd].what == 0)
		return;
	events_fds[fd].what = 0;
	events_fds[fd].fn = NULL;
	events_fds[fd].ctx = NULL;
	events_fds[fd].gen = ++events_gen;
	/* EBADF/ENOENT: fd was closed already, which removed it */
	(void)epoll_ctl(events_epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* events_before - heap order: earlier deadline, then earlier set */
static bool
events_before(const struct events_timer *a, const struct events_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* events_swap - exchange two heap slots */
static void
events_swap(size_t i, size_t j)
{
	struct events_timer t = events_heap[i];

	events_heap[i] = events_heap[j];
	events_heap[j] = t;
}

/* events_sift - restore the heap property around slot i */
static void
events_sift(size_t i)
{
	size_t  l, r, m;

	while (i > 0 && events_before(&events_heap[i],
	    &events_heap[(i - 1) / 2])) {
		events_swap(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < events_ntimers && events_before(&events_heap[l],
		    &events_heap[m]))
			m = l;
		if (r < events_ntimers && events_before(&events_heap[r],
		    &events_heap[m]))
			m = r;
		if (m == i)
			return;
		events_swap(i, m);
		i = m;
	}
}

/* events_find - heap slot of timer (fn, ctx), or SIZE_MAX */
static size_t
events_find(events_timer_fn fn, void *ctx)
{
	size_t  i;

	for (i = 0; i < events_ntimers; i++) {
		if (events_heap[i].fn == fn && events_heap[i].ctx == ctx)
			return i;
	}
	return SIZE_MAX;
}

/* events_remove - take slot i out of the heap */
static void
events_remove(size_t i)
{
	events_ntimers--;
	if (i == events_ntimers)
		return;
	events_heap[i] = events_heap[events_ntimers];
	events_sift(i);
}

/* events_timer - call fn(ctx) once, ms from now; moves an existing one */
void
events_timer(long long ms, events_timer_fn fn, void *ctx)
{
	long long now = events_now_ms();
	size_t  i;

	if (fn == NULL)
		log_panic("events_timer: null callback");
	if (ms < 0)
		ms = 0;
	if (ms > LLONG_MAX - now)
		ms = LLONG_MAX - now;
	i = events_find(fn, ctx);
	if (i == SIZE_MAX) {
		if (events_ntimers == events_heap_cap) {
			events_heap_cap = events_heap_cap ?
			    2 * events_heap_cap : 16;
			events_heap = xreallocarray(events_heap,
			    events_heap_cap, sizeof(*events_heap));
		}
		i = events_ntimers++;
		events_heap[i].fn = fn;
		events_heap[i].ctx = ctx;
	}
	events_heap[i].when = now + ms;
	events_heap[i].seq = events_seq++;
	events_sift(i);
}

/* events_timer_cancel - forget timer (fn, ctx) if set */
void
events_timer_cancel(events_timer_fn fn, void *ctx)
{
	size_t  i = events_find(fn, ctx);

	if (i != SIZE_MAX)
		events_remove(i);
}

/* events_wait_ms - how long epoll may wait: max_ms, capped by the
 * nearest timer */
static int
events_wait_ms(long long max_ms)
{
	long long wait = max_ms < 0 ? -1 : max_ms, until;

	if (events_ntimers > 0) {
		until = events_heap[0].when - events_now_ms();
		if (until < 0)
			until = 0;
		if (wait < 0 || until < wait)
			wait = until;
	}
	return wait > INT_MAX ? INT_MAX : (int)wait;
}

/* events_dispatch - call the callback of one epoll event if its watch
 * is still the one the event was reported for */
static void
events_dispatch(const struct epoll_event *ev)
{
	int     fd = (int)(uint32_t)ev->data.u64, what = 0;
	uint32_t gen = (uint32_t)(ev->data.u64 >> 32);
	struct events_watch *w;

	if ((size_t)fd >= events_nfds)
		return;
	w = &events_fds[fd];
	if (w->what == 0 || w->gen != gen)
		return;
	if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
		what |= EVENTS_READ;
	if (ev->events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
		what |= EVENTS_WRITE;
	what &= w->what;
	if (what != 0)
		w->fn(fd, what, w->ctx);
}

/* events_run_once - wait at most max_ms and dispatch what is ready */
void
events_run_once(long long max_ms)
{
	struct epoll_event evs[EVENTS_BATCH];
	struct events_timer t;
	unsigned long long start_seq;
	long long now;
	int     n, i;

	events_init();
	n = epoll_wait(events_epfd, evs, EVENTS_BATCH,
	    events_wait_ms(max_ms));
	if (n < 0) {
		if (errno != EINTR)
			log_fatal("epoll_wait: %m");
		n = 0;
	}
	start_seq = events_seq;
	for (i = 0; i < n; i++)
		events_dispatch(&evs[i]);
	now = events_now_ms();
	while (events_ntimers > 0 && events_heap[0].when <= now
	    && events_heap[0].seq < start_seq) {
		t = events_heap[0];
		events_remove(0);
		t.fn(t.ctx);
	}
}
