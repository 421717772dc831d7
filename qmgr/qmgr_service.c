/* qmgr_service.c - the queue manager's start-up and drain
 *
 * Owns the process-wide state that main() sets up: qmgr_init brings up
 * the jobs in order (the active set, the transports, the delivery pools,
 * then the start-up recovery scan, which may already start deliveries) and
 * qmgr_drain is server_run_events's drain callback. Draining (master
 * reloads or stops) means: close the trigger connections (clients
 * reconnect to the next qmgr), activate nothing more, start no more
 * deliveries, and report done once no delivery and no DSN submission is
 * in flight. Mail left in active/ or incoming/ is recovered by the next
 * qmgr's start-up scan.
 */
#include "qmgr.h"
#include "log.h"

static bool qmgr_is_draining;

/* qmgr_now - wall clock, seconds */
time_t
qmgr_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_panic("clock_gettime: %m");
	return ts.tv_sec;
}

/* qmgr_init - the jobs, then start-up recovery and the queue run */
void
qmgr_init(void)
{
	qmgr_active_init();
	qmgr_schedule_init();
	qmgr_deliver_init();
	qmgr_scan_init();
}

/* qmgr_draining - true once master asked qmgr to finish */
bool
qmgr_draining(void)
{
	return qmgr_is_draining;
}

/* qmgr_drain - stop taking work; true when nothing is in flight */
bool
qmgr_drain(void)
{
	bool    idle;

	if (!qmgr_is_draining) {
		qmgr_is_draining = true;
		qmgr_trigger_drain();
		log_debug("draining: %zu messages active, %zu deliveries in "
		    "flight", qmgr_active_count(), qmgr_schedule_deliveries());
	}
	idle = qmgr_deliver_drain();
	return idle && qmgr_bounce_inflight() == 0;
}
