/* master_avail.c - when to fork: on demand, wakeup services, throttling
 *
 * Owns the decision to start a process. A service with a wakeup time
 * (qmgr, pickup) always has one process: one is started when it has none
 * (old-generation processes count, so a reload never runs two qmgr at
 * once). Any service is started on demand: while it has no available
 * process and is below its process limit, master watches its listening
 * sockets, and a readable socket (a client waiting) forks one more
 * process, which counts as available until it reports taken; once a
 * process is available, the sockets are left to the daemons again.
 *
 * Throttling: a program that fails before it ever reports status (bad
 * command startup) stops the service's spawning for a delay that doubles
 * from 1 second up to service_throttle_time; the first status report of a
 * process of the service (master_avail_good) resets the delay. Clients
 * wait in the listen queue meanwhile: nothing is refused.
 */
#include "master.h"
#include "events.h"
#include "log.h"
#include "params.h"

static void master_avail_event(int fd, int what, void *ctx);

/* master_avail_watch - watch or stop watching s's listening sockets */
static void
master_avail_watch(struct master_serv *s, bool on)
{
	size_t  i;

	if (s->watching == on)
		return;
	for (i = 0; i < s->nlisten; i++) {
		if (on)
			events_watch(s->listen_fds[i], EVENTS_READ,
			    master_avail_event, s);
		else
			events_unwatch(s->listen_fds[i]);
	}
	s->watching = on;
}

/* master_avail_update - start what s needs and watch what it needs */
void
master_avail_update(struct master_serv *s)
{
	if (master.terminating || s->retired) {
		master_avail_watch(s, false);
		return;
	}
	if (s->wakeup > 0 && s->total_proc == 0)
		master_avail_spawn(s);
	master_avail_watch(s, !s->throttled && s->avail_proc <= 0
	    && s->total_proc < s->max_proc && s->nlisten > 0);
}

/* master_avail_update_all - every live service */
void
master_avail_update_all(void)
{
	struct master_serv *s;

	for (s = master.services; s != NULL; s = s->next)
		master_avail_update(s);
}

/* master_avail_event - a client waits on a socket of a service without
 * an available process: start one */
static void
master_avail_event(int fd, int what, void *ctx)
{
	struct master_serv *s = ctx;

	(void)fd;
	(void)what;
	if (s->avail_proc <= 0)
		master_avail_spawn(s);
	master_avail_update(s);
}

/* master_avail_spawn - start a process of s, unless it is stopping,
 * throttled or at its process limit */
void
master_avail_spawn(struct master_serv *s)
{
	if (!master.terminating && !s->retired && !s->throttled
	    && s->total_proc < s->max_proc)
		master_spawn(s);
}

/* master_avail_unthrottle - the throttle delay is over */
static void
master_avail_unthrottle(void *ctx)
{
	struct master_serv *s = ctx;

	s->throttled = false;
	master_avail_update(s);
}

/* master_avail_throttle - no spawning for a while (caller logs why) */
void
master_avail_throttle(struct master_serv *s)
{
	long long max = var_service_throttle_time > 0 ?
	    var_service_throttle_time : 1;
	long long delay;

	if (s->throttled)
		return;
	delay = s->throttle_delay <= 0 ? 1 : 2LL * s->throttle_delay;
	s->throttle_delay = delay > max ? (int)max : (int)delay;
	s->throttled = true;
	log_debug("service %s/%s: throttled for %d s", s->name, s->type,
	    s->throttle_delay);
	events_timer(s->throttle_delay * 1000LL, master_avail_unthrottle, s);
	master_avail_watch(s, false);
}

/* master_avail_good - a process of s started fine: reset the delay */
void
master_avail_good(struct master_serv *s)
{
	s->throttle_delay = 0;
}

/* master_avail_stop - no more watching or timers for s */
void
master_avail_stop(struct master_serv *s)
{
	master_avail_watch(s, false);
	if (s->throttled) {
		events_timer_cancel(master_avail_unthrottle, s);
		s->throttled = false;
	}
}
