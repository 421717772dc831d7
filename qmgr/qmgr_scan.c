/* qmgr_scan.c - scans of incoming/, active/ and deferred/, and recovery
 *
 * Owns every directory scan, so that nothing else in qmgr reads a queue
 * directory (the normal path is one req=new trigger per message, with no
 * scan). A scan lists the entries whose name is a valid queue ID, filters
 * them with fstatat, sorts the IDs (they sort by arrival time, so mail is
 * taken FIFO) and passes each to qmgr_active_request:
 *   incoming/  ready files (queue_is_ready); an unready file older than
 *              QUEUE_STALE_SECONDS is an abandoned submission and removed
 *   active/    every file not in memory (start-up recovery, and after the
 *              backlog overflowed)
 *   deferred/  files whose mtime (the retry time) has come, or all on
 *              req=flush; the earliest future mtime sets a timer
 * Start-up recovery follows util/queue.h: active/, then incoming/, then
 * the deferred files that are due. incoming/ and deferred/ are scanned
 * again every queue_run_delay, which also catches lost triggers.
 */
#include "qmgr.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "params.h"

#include <dirent.h>

struct qmgr_scan_list {
	char	(*ids)[QUEUE_ID_SIZE];
	size_t	n, cap;
};

/* a filter: whether queue/id (with st) is to be requested */
typedef bool (*qmgr_scan_pick_fn)(const char *id, const struct stat *st,
	    void *ctx);

static time_t qmgr_scan_due;		/* deferred timer; 0: none */

/* qmgr_scan_cmp - order of queue IDs */
static int
qmgr_scan_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* qmgr_scan_dir - request the picked files of queue, in ID order */
static void
qmgr_scan_dir(const char *queue, qmgr_scan_pick_fn pick, void *ctx)
{
	struct qmgr_scan_list list = {NULL, 0, 0};
	struct dirent *de;
	struct stat st;
	DIR    *dir;
	size_t  i;

	if ((dir = opendir(queue)) == NULL) {
		log_error("scan %s: %m", queue);
		return;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL) {
			if (errno != 0)
				log_error("scan %s: %m", queue);
			break;
		}
		if (!queue_id_valid(de->d_name) || qmgr_active_has(de->d_name))
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				log_warn("scan %s: %s: %m", queue, de->d_name);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !pick(de->d_name, &st, ctx))
			continue;
		if (list.n == list.cap) {
			list.cap = list.cap ? list.cap * 2 : 64;
			list.ids = xreallocarray(list.ids, list.cap,
			    sizeof(*list.ids));
		}
		memcpy(list.ids[list.n++], de->d_name, QUEUE_ID_SIZE);
	}
	if (closedir(dir) < 0)
		log_warn("scan %s: close: %m", queue);
	if (list.n > 1)
		qsort(list.ids, list.n, sizeof(*list.ids), qmgr_scan_cmp);
	for (i = 0; i < list.n; i++)
		qmgr_active_request(queue, list.ids[i]);
	free(list.ids);
}

/* qmgr_scan_pick_incoming - ready files; remove stale unready ones */
static bool
qmgr_scan_pick_incoming(const char *id, const struct stat *st, void *ctx)
{
	time_t  now = *(const time_t *)ctx;

	if (queue_is_ready(st))
		return true;
	if (st->st_mtime + QUEUE_STALE_SECONDS < now) {
		if (queue_remove(QUEUE_INCOMING, id) < 0)
			log_warn("%s: remove stale %s/%s: %m", id,
			    QUEUE_INCOMING, id);
		else
			log_info("%s: removed unfinished submission from %s "
			    "(older than %ds)", id, QUEUE_INCOMING,
			    QUEUE_STALE_SECONDS);
	}
	return false;
}

/* qmgr_scan_incoming - queue ready files of incoming/ */
void
qmgr_scan_incoming(void)
{
	time_t  now = qmgr_now();

	qmgr_scan_dir(QUEUE_INCOMING, qmgr_scan_pick_incoming, &now);
}

/* qmgr_scan_pick_all - every file */
static bool
qmgr_scan_pick_all(const char *id, const struct stat *st, void *ctx)
{
	(void)id;
	(void)st;
	(void)ctx;
	return true;
}

/* qmgr_scan_active - queue every file of active/ not in memory */
void
qmgr_scan_active(void)
{
	qmgr_scan_dir(QUEUE_ACTIVE, qmgr_scan_pick_all, NULL);
}

struct qmgr_scan_deferred_ctx {
	time_t	now;
	bool	flush;
	time_t	next;			/* earliest future mtime, 0: none */
};

/* qmgr_scan_pick_deferred - files due now (all with flush) */
static bool
qmgr_scan_pick_deferred(const char *id, const struct stat *st, void *ctx)
{
	struct qmgr_scan_deferred_ctx *c = ctx;

	(void)id;
	if (c->flush || st->st_mtime <= c->now)
		return true;
	if (c->next == 0 || st->st_mtime < c->next)
		c->next = st->st_mtime;
	return false;
}

/* qmgr_scan_due_timer - the earliest deferred file is due */
static void
qmgr_scan_due_timer(void *ctx)
{
	(void)ctx;
	qmgr_scan_due = 0;
	qmgr_scan_deferred(false);
}

/* qmgr_scan_deferred_at - a deferred file is due at when */
void
qmgr_scan_deferred_at(time_t when)
{
	struct timespec ts;
	long long ms;

	if (qmgr_scan_due != 0 && qmgr_scan_due <= when)
		return;
	qmgr_scan_due = when;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_panic("clock_gettime: %m");
	/* fire just after the second when begins, so that mtime <= now */
	ms = ((long long)when - ts.tv_sec) * 1000 - ts.tv_nsec / 1000000 + 10;
	events_timer(ms < 0 ? 0 : ms, qmgr_scan_due_timer, NULL);
}

/* qmgr_scan_deferred - queue deferred files due now (all with flush) */
void
qmgr_scan_deferred(bool flush)
{
	struct qmgr_scan_deferred_ctx c = {qmgr_now(), flush, 0};

	qmgr_scan_dir(QUEUE_DEFERRED, qmgr_scan_pick_deferred, &c);
	if (c.next != 0)
		qmgr_scan_deferred_at(c.next);
}

/* qmgr_scan_run - the periodic queue run */
static void
qmgr_scan_run(void *ctx)
{
	(void)ctx;
	qmgr_scan_incoming();
	qmgr_scan_deferred(false);
	events_timer(var_queue_run_delay * 1000, qmgr_scan_run, NULL);
}

/* qmgr_scan_init - start-up recovery and the periodic queue run */
void
qmgr_scan_init(void)
{
	qmgr_scan_active();
	qmgr_scan_incoming();
	qmgr_scan_deferred(false);
	events_timer(var_queue_run_delay * 1000, qmgr_scan_run, NULL);
}
