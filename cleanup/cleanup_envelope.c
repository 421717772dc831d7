/* cleanup_envelope.c - the queue file of one submission and its envelope
 *
 * Owns the life of the per-connection struct cleanup_state and of its
 * queue file: cleanup_envelope_open creates incoming/ID (queue_create,
 * mode 0600) and writes VERSION, SIZE (zeros, its offset remembered), TIME
 * (arrival "seconds.microseconds"), SENDER and one ATTR "name=value" per
 * attribute; cleanup_envelope_rcpt writes [ORCPT] [NOTIFY] RCPT;
 * cleanup_envelope_commit writes END, fills SIZE in place (rec_overwrite,
 * a pwrite) before anything is fsync'd, makes the file ready
 * (queue_ready), tells qmgr, and only then makes it durable (queue_commit:
 * fsync, fsync of incoming/ and active/), so that delivery runs while the
 * fsync does. Until the file is ready every failure path unlinks it
 * (queue_abort); after that it is qmgr's and stays.
 *
 * Failures are sticky (cleanup_fail): after the first one nothing more is
 * written and the reply to req=done carries it. The values written here
 * were validated by cleanup_service.c (lengths, no NUL, CR or LF).
 */
#include "cleanup.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "proto.h"
#include "rec.h"

#define CLEANUP_TIME_SIZE	48

/* cleanup_state_init - a state for a new connection */
void
cleanup_state_init(struct cleanup_state *st)
{
	memset(st, 0, sizeof(*st));
	st->qf.fd = -1;
	st->data = buf_new(CLEANUP_DATA_RECORD);
	st->sender = buf_new(0);
	cleanup_state_reset(st);
}

/* cleanup_state_reset - forget the last message (abort it if open) */
void
cleanup_state_reset(struct cleanup_state *st)
{
	cleanup_envelope_abort(st);
	if (st->msg_started)
		cleanup_msg_free(&st->msg);
	st->msg_started = false;
	st->msg_logged = false;
	st->phase = CLEANUP_IDLE;
	st->status = PROTO_STATUS_OK;
	st->reason = NULL;
	st->size_offset = -1;
	st->message_offset = -1;
	st->rcpt_count = 0;
	st->content_in = 0;
	st->content_len = 0;
	st->qf.id[0] = '\0';
	buf_reset(st->data);
	buf_reset(st->sender);
}

/* cleanup_state_free - release everything at the end of a connection */
void
cleanup_state_free(struct cleanup_state *st)
{
	cleanup_state_reset(st);
	st->data = buf_free(st->data);
	st->sender = buf_free(st->sender);
}

/* cleanup_fail - remember the first failure of this message */
void
cleanup_fail(struct cleanup_state *st, int status, const char *reason)
{
	if (st->status != PROTO_STATUS_OK)
		return;
	st->status = status;
	st->reason = reason;
}

/* cleanup_envelope_write_error - a failed write: status 4 */
static int
cleanup_envelope_write_error(struct cleanup_state *st, const char *what)
{
	log_warn("%s: write queue file: %s: %m", st->qf.id, what);
	cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
	return -1;
}

/* cleanup_envelope_open - create the file and write the envelope head */
int
cleanup_envelope_open(struct cleanup_state *st, const char *sender,
    const struct cleanup_attr *attrs, size_t n, struct buf *why)
{
	struct timespec now;
	char	size[REC_SIZE_LEN + 1], arrival[CLEANUP_TIME_SIZE];
	struct buf *attr;
	size_t  i;
	int	len;

	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		log_fatal("clock_gettime: %m");
	if (queue_create(&st->qf, QUEUE_INCOMING, why) < 0) {
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	st->open = true;
	len = snprintf(size, sizeof(size), REC_SIZE_FMT, 0LL, 0LL, 0LL, 0LL);
	if (len != REC_SIZE_LEN)
		log_panic("cleanup_envelope_open: REC_SIZE_FMT is not "
		    "REC_SIZE_LEN wide");
	len = snprintf(arrival, sizeof(arrival), "%lld.%06ld",
	    (long long)now.tv_sec, now.tv_nsec / 1000);
	if (len < 0 || (size_t)len >= sizeof(arrival))
		log_panic("cleanup_envelope_open: arrival time overflow");
	if (rec_put_str(&st->qf.w, REC_VERSION, REC_VERSION_TEXT) < 0
	    || (st->size_offset = rec_put(&st->qf.w, REC_SIZE, size,
	    REC_SIZE_LEN)) < 0
	    || rec_put_str(&st->qf.w, REC_TIME, arrival) < 0
	    || rec_put_str(&st->qf.w, REC_SENDER, sender) < 0)
		return cleanup_envelope_write_error(st, "envelope");
	attr = buf_new(0);
	for (i = 0; i < n; i++) {
		buf_reset(attr);
		if (buf_append_str(attr, attrs[i].name) < 0
		    || buf_append_char(attr, '=') < 0
		    || buf_append(attr, attrs[i].value, attrs[i].len) < 0)
			log_panic("cleanup_envelope_open: attribute too long");
		if (rec_put(&st->qf.w, REC_ATTR, buf_str(attr),
		    buf_len(attr)) < 0) {
			buf_free(attr);
			return cleanup_envelope_write_error(st, "attribute");
		}
	}
	buf_free(attr);
	(void)log_printable(st->sender, sender, strlen(sender),
	    CLEANUP_LOG_TEXT_MAX);
	return 0;
}

/* cleanup_envelope_rcpt - one recipient with its DSN attributes */
int
cleanup_envelope_rcpt(struct cleanup_state *st, const char *rcpt,
    const char *orcpt, long long notify)
{
	char	mask[16];

	if (st->status != PROTO_STATUS_OK)
		return -1;
	if (st->rcpt_count >= CLEANUP_RCPT_LIMIT) {
		cleanup_fail(st, PROTO_STATUS_BOUNCE, CLEANUP_REASON_RCPTS);
		return -1;
	}
	if (orcpt != NULL && rec_put_str(&st->qf.w, REC_ORCPT, orcpt) < 0)
		return cleanup_envelope_write_error(st, "recipient");
	if (notify != 0) {
		(void)snprintf(mask, sizeof(mask), "%lld", notify);
		if (rec_put_str(&st->qf.w, REC_NOTIFY, mask) < 0)
			return cleanup_envelope_write_error(st, "recipient");
	}
	if (rec_put_str(&st->qf.w, REC_RCPT, rcpt) < 0)
		return cleanup_envelope_write_error(st, "recipient");
	st->rcpt_count++;
	return 0;
}

/* cleanup_envelope_commit - END, SIZE in place, then make it durable */
int
cleanup_envelope_commit(struct cleanup_state *st, struct buf *why)
{
	char	size[REC_SIZE_LEN + 1];
	int	len;

	if (st->status != PROTO_STATUS_OK)
		return -1;
	if (!st->open || st->message_offset < 0 || st->size_offset < 0)
		log_panic("cleanup_envelope_commit: no content written");
	if (rec_put(&st->qf.w, REC_END, "", 0) < 0)
		return cleanup_envelope_write_error(st, "end");
	len = snprintf(size, sizeof(size), REC_SIZE_FMT,
	    (long long)st->qf.w.offset, (long long)st->message_offset,
	    st->content_len, st->rcpt_count);
	if (len != REC_SIZE_LEN)
		log_panic("cleanup_envelope_commit: size record overflow");
	if (rec_overwrite(&st->qf.w, st->size_offset, size, REC_SIZE_LEN) < 0)
		return cleanup_envelope_write_error(st, "size");
	/* ready first, qmgr told, then durable: delivery overlaps the fsync
	 * (util/queue.h); the reply still waits for queue_commit */
	if (queue_ready(&st->qf, why) < 0) {
		log_warn("%s: write queue file: %s", st->qf.id, buf_str(why));
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	cleanup_notify(st->qf.id);
	if (queue_commit(&st->qf, why) < 0) {
		log_warn("%s: commit queue file: %s", st->qf.id, buf_str(why));
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	st->open = false;
	return 0;
}

/* cleanup_envelope_abort - unlink the uncommitted file */
void
cleanup_envelope_abort(struct cleanup_state *st)
{
	if (!st->open)
		return;
	queue_abort(&st->qf);
	st->open = false;
}
