/* pickup_scan.c - when pickup looks into maildrop/: start, timer, triggers
 *
 * Owns the event side of pickup. A scan lists maildrop/ and hands every
 * name that is a valid queue ID to pickup_file, in one pass, through one
 * cleanup connection (opened on the first file, closed at the end of the
 * pass); when cleanup cannot take a message the pass stops there (the
 * rest waits for the next one). Scans run at start, every
 * PICKUP_WAKEUP_MS (a timer re-armed by every scan), and after a trigger:
 * postdrop connects to pickup's socket before it writes a file and
 * writes a byte and closes once the file is ready (postdrop_privs.c). So
 * a trigger connection carries no protocol, not even a banner: pickup
 * watches it, and when it turns readable (the byte, or the end) closes
 * it and schedules a scan with a zero timer, so that a burst of triggers
 * makes one scan. At most PICKUP_MAX_CONN trigger connections are kept;
 * one past that is closed at once, with a scan. Names in maildrop/ are
 * untrusted: anything that is not a queue ID is ignored.
 */
#include "pickup.h"
#include <dirent.h>
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "queue.h"
#include "server.h"

#define PICKUP_DRAIN_BYTES	64

static size_t pickup_nconn;
static int pickup_conns[PICKUP_MAX_CONN];

static void pickup_scan_timer(void *ctx);

/* pickup_scan - one pass over maildrop/ */
static void
pickup_scan(void)
{
	struct ipc *cleanup = NULL;
	struct dirent *de;
	DIR    *dir;

	events_timer(PICKUP_WAKEUP_MS, pickup_scan_timer, NULL);
	if ((dir = opendir(QUEUE_MAILDROP)) == NULL) {
		log_warn("open directory %s: %m", QUEUE_MAILDROP);
		return;
	}
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (!queue_id_valid(de->d_name))
			continue;
		if (pickup_file(de->d_name, &cleanup) == PICKUP_RETRY)
			break;
		if (server_exiting())
			break;
	}
	if (de == NULL && errno != 0)
		log_warn("read directory %s: %m", QUEUE_MAILDROP);
	if (closedir(dir) < 0)
		log_warn("close directory %s: %m", QUEUE_MAILDROP);
	ipc_free(cleanup);
}

/* pickup_scan_timer - the wakeup, or a scan a trigger asked for */
static void
pickup_scan_timer(void *ctx)
{
	(void)ctx;
	pickup_scan();
}

/* pickup_forget - stop watching a trigger connection and close it */
static void
pickup_forget(int fd)
{
	size_t  i;

	for (i = 0; i < pickup_nconn; i++) {
		if (pickup_conns[i] == fd) {
			pickup_conns[i] = pickup_conns[--pickup_nconn];
			break;
		}
	}
	events_unwatch(fd);
	(void)close(fd);	/* a trigger: nothing was written to it */
}

/* pickup_trigger_event - a trigger connection is readable: scan soon */
static void
pickup_trigger_event(int fd, int what, void *ctx)
{
	char    junk[PICKUP_DRAIN_BYTES];
	ssize_t n;

	(void)what;
	(void)ctx;
	n = read(fd, junk, sizeof(junk));
	(void)n;	/* data, end or error: each means "look now" */
	pickup_forget(fd);
	events_timer(0, pickup_scan_timer, NULL);
}

/* pickup_accept - a new trigger connection */
void
pickup_accept(int fd)
{
	if (pickup_nconn >= PICKUP_MAX_CONN) {
		(void)close(fd);	/* too many: the scan covers it */
		events_timer(0, pickup_scan_timer, NULL);
		return;
	}
	pickup_conns[pickup_nconn++] = fd;
	events_watch(fd, EVENTS_READ, pickup_trigger_event, NULL);
}

/* pickup_init - the first scan */
void
pickup_init(void)
{
	pickup_scan();
}

/* pickup_drain - nothing is ever in flight between rounds */
bool
pickup_drain(void)
{
	while (pickup_nconn > 0)
		pickup_forget(pickup_conns[0]);
	events_timer_cancel(pickup_scan_timer, NULL);
	return true;
}
