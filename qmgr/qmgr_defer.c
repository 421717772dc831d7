/* qmgr_defer.c - temporary failures: defer/ID and the move to deferred/
 *
 * Owns the defer log (its format is in qmgr.h) and the "deferred" state
 * of util/queue.h. qmgr_defer_log appends one REC_RCPT and one REC_ATTR
 * "reason=..." record per deferred recipient to defer/ID (opened O_APPEND
 * for each append and closed again, so that no descriptor is held per
 * message; the log is informational and not fsync'd). qmgr_defer_message
 * sets active/ID's mtime to the next retry time, now + backoff with
 * backoff = clamp(now - arrival, minimal_backoff_time,
 * maximal_backoff_time), and renames the file to deferred/; the mtime is
 * set first, so a scan never sees a deferred file with a stale retry time.
 * The deferred scan (qmgr_scan.c) moves it back when the time has come.
 */
#include "qmgr.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "rec.h"

/* qmgr_defer_log - append rcpt and reason to defer/ID */
int
qmgr_defer_log(struct qmgr_message *msg, const char *rcpt,
    const char *reason)
{
	char    path[QUEUE_PATH_SIZE];
	struct rec_writer w;
	struct buf *attr;
	int     fd, ret = 0;

	if (queue_path(path, sizeof(path), QUEUE_DEFER_LOG, msg->id) < 0)
		log_panic("qmgr_defer_log: bad queue id %s", msg->id);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0) {
		log_error("%s: open %s: %m", msg->id, path);
		return -1;
	}
	attr = buf_new(0);
	(void)buf_printf(attr, "reason=%s", reason);
	rec_writer_init(&w, fd);
	if (rec_put_str(&w, REC_RCPT, rcpt) < 0
	    || rec_put_str(&w, REC_ATTR, buf_str(attr)) < 0
	    || rec_flush(&w) < 0) {
		log_error("%s: write %s: %m", msg->id, path);
		ret = -1;
	}
	rec_writer_done(&w);
	buf_free(attr);
	if (close(fd) < 0) {
		log_error("%s: close %s: %m", msg->id, path);
		ret = -1;
	}
	return ret;
}

/* qmgr_defer_remove - remove defer/ID (ENOENT is fine) */
void
qmgr_defer_remove(const char *id)
{
	if (queue_remove(QUEUE_DEFER_LOG, id) < 0)
		log_warn("%s: remove %s/%s: %m", id, QUEUE_DEFER_LOG, id);
}

/* qmgr_defer_backoff - retry delay for a message of that age */
long long
qmgr_defer_backoff(long long arrival_sec, long long now)
{
	long long age = now - arrival_sec;

	if (age > var_maximal_backoff_time)
		age = var_maximal_backoff_time;
	if (age < var_minimal_backoff_time)
		age = var_minimal_backoff_time;
	return age;
}

/* qmgr_defer_message - set the retry time and move active/ID to
 * deferred/ */
int
qmgr_defer_message(struct qmgr_message *msg)
{
	char    path[QUEUE_PATH_SIZE];
	struct timespec ts[2];
	time_t  now = qmgr_now();
	long long backoff;
	int     ret;

	if (queue_path(path, sizeof(path), QUEUE_ACTIVE, msg->id) < 0)
		log_panic("qmgr_defer_message: bad queue id %s", msg->id);
	backoff = qmgr_defer_backoff(msg->arrival_sec, (long long)now);
	ts[0].tv_sec = now;
	ts[0].tv_nsec = 0;
	ts[1].tv_sec = now + (time_t)backoff;
	ts[1].tv_nsec = 0;
	if (msg->fd >= 0)
		ret = futimens(msg->fd, ts);
	else
		ret = utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
	if (ret < 0) {
		log_error("%s: set the retry time of %s: %m", msg->id, path);
		return -1;
	}
	if (queue_rename(msg->id, QUEUE_ACTIVE, QUEUE_DEFERRED) < 0) {
		log_error("%s: rename %s to %s: %m", msg->id, path,
		    QUEUE_DEFERRED);
		return -1;
	}
	log_debug("%s: deferred, next attempt in %llds", msg->id, backoff);
	qmgr_scan_deferred_at(ts[1].tv_sec);
	return 0;
}
