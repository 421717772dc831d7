/* pickup_file.c - one maildrop file: check it, submit it, remove it
 *
 * A maildrop file was written by an ordinary user through postdrop, so
 * it is untrusted input: it is read with the util/rec.h reader (at most
 * MAILDROP_MAX_RECORD bytes per record) and every record goes through the
 * util/maildrop.h checker (order, END, address syntax, message_size_limit,
 * MAILDROP_MAX_RCPTS recipients), both in a first pass that submits
 * nothing and again while the message streams to cleanup. The file must
 * be a regular, single-linked file in MAILDROP_MODE_READY whose "uid=N"
 * attribute names its owner. Anything else sends it to corrupt/ with a
 * log line (queue_corrupt). An abandoned submission
 * (MAILDROP_MODE_ABANDONED) is removed at once, and a file still in the
 * writing mode after QUEUE_STALE_SECONDS (its postdrop died) too.
 *
 * The submission is cleanup/1 as smtpd speaks it (util/proto.h): req=env
 * with the sender and protocol=local, req=rcpt per recipient, req=data
 * with first a Received header naming the submitting uid ("Received: by
 * HOST (postern, from userid N) id ID; DATE", as Postfix writes it:
 * cleanup/1 has no uid attribute, so the header carries it), then the
 * content, then req=done. The file is removed only after cleanup answered
 * status 0, so a crash in between may duplicate a message, never lose
 * it; cleanup's temporary failures leave the file for the next scan, and
 * a permanent refusal (too big, a header over header_size_limit) moves it
 * to corrupt/ with cleanup's reason in the log.
 */
#include "pickup.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "maildrop.h"
#include "params.h"
#include "proto.h"
#include "queue.h"
#include "rec.h"
#include "str.h"

#define PICKUP_REASON_MAX	1024
#define PICKUP_DATE_SIZE	64

static const struct ipc_spec pickup_reply_spec[] = {
	{PROTO_STATUS, IPC_INT, true, 0},
	{PROTO_QUEUE_ID, IPC_STR, false, QUEUE_ID_SIZE},
	{PROTO_REASON, IPC_STR, false, PICKUP_REASON_MAX},
};

enum { PICKUP_R_STATUS, PICKUP_R_QUEUE_ID, PICKUP_R_REASON };

/* what the first pass learns */
struct pickup_msg {
	const char *id;		/* the maildrop file's name */
	int	fd;
	uid_t	owner;
	struct buf *sender;
	long long uid;
	char	queue_id[QUEUE_ID_SIZE];	/* cleanup's */
};

/* the result of a walk over the records */
enum pickup_walk { PICKUP_W_OK, PICKUP_W_CORRUPT, PICKUP_W_IPC };

/* pickup_received - the Received header of a local submission */
static void
pickup_received(const struct pickup_msg *m, struct buf *out)
{
	char    date[PICKUP_DATE_SIZE];
	struct tm tm;
	time_t  now = time(NULL);

	if (localtime_r(&now, &tm) == NULL || strftime(date, sizeof(date),
	    "%a, %d %b %Y %H:%M:%S %z", &tm) == 0)
		(void)str_copy(date, sizeof(date), "Thu, 01 Jan 1970 "
		    "00:00:00 +0000");
	buf_reset(out);
	(void)buf_printf(out, "Received: by %s (%s, from userid %lld)\n"
	    "\tid %s; %s\n", var_myhostname, var_mail_name, m->uid,
	    m->queue_id, date);
}

/* pickup_send_end - end a request list; false if the connection failed */
static bool
pickup_send_end(struct ipc *c)
{
	return ipc_end(c) == 0;
}

/* pickup_walk - read every record; with c set, send them to cleanup */
static enum pickup_walk
pickup_walk(struct pickup_msg *m, struct ipc *c, struct buf *why)
{
	struct rec_reader r;
	struct maildrop_check chk;
	struct buf *p = buf_new(MAILDROP_MAX_RECORD + 1);
	struct buf *hdr = buf_new(0);
	enum pickup_walk ret = PICKUP_W_OK;
	int     type;

	rec_reader_init(&r, m->fd, 0, REC_GROUP_START, MAILDROP_MAX_RECORD);
	maildrop_check_init(&chk, var_message_size_limit);
	while ((type = rec_get(&r, p, NULL, why)) > 0) {
		if (maildrop_check_record(&chk, type, buf_str(p), buf_len(p),
		    why) < 0) {
			ret = PICKUP_W_CORRUPT;
			break;
		}
		if (type == REC_SENDER && c == NULL)
			(void)buf_set(m->sender, buf_str(p));	/* < 1 KiB */
		if (c == NULL)
			continue;
		if (type == REC_RCPT) {
			ipc_put_str(c, PROTO_REQ, PROTO_REQ_RCPT);
			ipc_put_str(c, PROTO_RCPT, buf_str(p));
		} else if (type == REC_MESSAGE) {
			pickup_received(m, hdr);
			ipc_put_str(c, PROTO_REQ, PROTO_REQ_DATA);
			ipc_put_data(c, PROTO_DATA, buf_str(hdr),
			    buf_len(hdr));
		} else if (type == REC_DATA) {
			ipc_put_str(c, PROTO_REQ, PROTO_REQ_DATA);
			ipc_put_data(c, PROTO_DATA, buf_str(p), buf_len(p));
		} else {
			continue;
		}
		if (!pickup_send_end(c)) {
			(void)buf_set(why, strerror(errno));
			ret = PICKUP_W_IPC;
			break;
		}
	}
	if (type < 0)
		ret = PICKUP_W_CORRUPT;
	if (ret == PICKUP_W_OK && maildrop_check_complete(&chk, why) < 0)
		ret = PICKUP_W_CORRUPT;
	if (ret == PICKUP_W_OK && c == NULL) {
		m->uid = chk.uid;
		if (chk.uid != (long long)m->owner) {
			(void)buf_printf(why, "uid attribute %lld is not the "
			    "file owner %lu", chk.uid,
			    (unsigned long)m->owner);
			ret = PICKUP_W_CORRUPT;
		}
	}
	maildrop_check_done(&chk);
	rec_reader_done(&r);
	buf_free(p);
	buf_free(hdr);
	return ret;
}

/* pickup_reply - read cleanup's reply: status, or -1 (why) */
static long long
pickup_reply(struct ipc *c, struct ipc_msg *msg, struct buf *why)
{
	int     ret;

	ret = ipc_get(c, pickup_reply_spec, SYS_ARRAY_LEN(pickup_reply_spec),
	    msg, why);
	if (ret == 1)
		(void)buf_set(why, "connection closed");
	if (ret != 0)
		return -1;
	return ipc_num(msg, PICKUP_R_STATUS);
}

/* pickup_connect - the cleanup connection, opened when needed */
static struct ipc *
pickup_connect(struct ipc **cp, struct buf *why)
{
	if (*cp != NULL)
		return *cp;
	*cp = ipc_connect("cleanup", (int)(var_ipc_timeout * 1000), why);
	if (*cp != NULL && ipc_expect_proto(*cp, PROTO_CLEANUP, why) < 0)
		*cp = ipc_free(*cp);
	return *cp;
}

/* pickup_refused - cleanup said no: the text of its reason */
static const char *
pickup_refused(const struct ipc_msg *msg, struct buf *out)
{
	return log_printable(out, ipc_str(msg, PICKUP_R_REASON),
	    ipc_len(msg, PICKUP_R_REASON), PICKUP_REASON_MAX);
}

/* pickup_submit - the message to cleanup; PICKUP_DONE (submitted, or
 * moved to corrupt/), or PICKUP_RETRY */
static enum pickup_result
pickup_submit(struct pickup_msg *m, struct ipc **cp)
{
	struct buf *why = buf_new(0), *pr = buf_new(0);
	struct ipc_msg msg;
	struct ipc *c;
	enum pickup_result res = PICKUP_RETRY;
	enum pickup_walk w;
	long long st;

	memset(&msg, 0, sizeof(msg));
	if ((c = pickup_connect(cp, why)) == NULL) {
		log_warn("%s: cleanup service: connect: %s", m->id,
		    buf_str(why));
		goto fail;
	}
	ipc_put_str(c, PROTO_REQ, PROTO_REQ_ENV);
	ipc_put_str(c, PROTO_SENDER, buf_str(m->sender));
	ipc_put_str(c, PROTO_PROTOCOL, "local");
	if (!pickup_send_end(c) || (st = pickup_reply(c, &msg, why)) < 0) {
		log_warn("%s: cleanup service: envelope: %s", m->id,
		    buf_len(why) ? buf_str(why) : strerror(errno));
		*cp = ipc_free(*cp);
		goto fail;
	}
	if (st != PROTO_STATUS_OK
	    || !queue_id_valid(ipc_str(&msg, PICKUP_R_QUEUE_ID))) {
		log_warn("%s: cleanup service: envelope refused: %s", m->id,
		    pickup_refused(&msg, pr));
		*cp = ipc_free(*cp);
		goto fail;
	}
	(void)str_copy(m->queue_id, sizeof(m->queue_id), ipc_str(&msg,
	    PICKUP_R_QUEUE_ID));	/* valid: fits */
	if ((w = pickup_walk(m, c, why)) != PICKUP_W_OK) {
		*cp = ipc_free(*cp);	/* cleanup discards the message */
		if (w == PICKUP_W_CORRUPT) {
			queue_corrupt(QUEUE_MAILDROP, m->id, buf_str(why));
			res = PICKUP_DONE;
		} else {
			log_warn("%s: cleanup service: send: %s", m->id,
			    buf_str(why));
		}
		goto fail;
	}
	ipc_put_str(c, PROTO_REQ, PROTO_REQ_DONE);
	if (!pickup_send_end(c) || (st = pickup_reply(c, &msg, why)) < 0) {
		log_warn("%s: cleanup service: final reply: %s", m->id,
		    buf_len(why) ? buf_str(why) : strerror(errno));
		*cp = ipc_free(*cp);
		goto fail;
	}
	if (st == PROTO_STATUS_BOUNCE) {
		queue_corrupt(QUEUE_MAILDROP, m->id, pickup_refused(&msg, pr));
		res = PICKUP_DONE;
		goto fail;
	}
	if (st != PROTO_STATUS_OK) {
		log_warn("%s: cleanup service: %s", m->id,
		    pickup_refused(&msg, pr));
		goto fail;
	}
	log_info("%s: uid=%lld from=<%s>", m->queue_id, m->uid,
	    log_printable(pr, buf_str(m->sender), buf_len(m->sender),
	    PICKUP_REASON_MAX));
	if (queue_remove(QUEUE_MAILDROP, m->id) < 0)
		log_warn("%s: remove %s/%s after submission as %s: %m", m->id,
		    QUEUE_MAILDROP, m->id, m->queue_id);
	res = PICKUP_DONE;

fail:
	ipc_msg_free(&msg);
	buf_free(why);
	buf_free(pr);
	return res;
}

/* pickup_unfinished - a file not in the ready mode: remove it when it
 * was abandoned or is stale, else leave it to its postdrop */
static enum pickup_result
pickup_unfinished(const char *id, const struct stat *st)
{
	mode_t  mode = st->st_mode & 07777;
	time_t  now = time(NULL);

	if (mode == MAILDROP_MODE_ABANDONED
	    || (now > st->st_mtime && now - st->st_mtime
		> QUEUE_STALE_SECONDS)) {
		if (queue_remove(QUEUE_MAILDROP, id) < 0)
			log_warn("%s: remove unfinished %s/%s: %m", id,
			    QUEUE_MAILDROP, id);
		else
			log_info("%s: removed %s submission from %s/", id,
			    mode == MAILDROP_MODE_ABANDONED ? "an abandoned" :
			    "a stale", QUEUE_MAILDROP);
		return PICKUP_DONE;
	}
	return PICKUP_SKIP;
}

/* pickup_file - one maildrop file */
enum pickup_result
pickup_file(const char *id, struct ipc **cleanup)
{
	char    path[QUEUE_PATH_SIZE];
	struct pickup_msg m;
	struct stat st;
	struct buf *why;
	enum pickup_result res = PICKUP_SKIP;

	if (queue_path(path, sizeof(path), QUEUE_MAILDROP, id) < 0)
		return PICKUP_SKIP;
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (m.fd < 0) {
		if (errno == ELOOP) {
			queue_corrupt(QUEUE_MAILDROP, id, "symbolic link");
			return PICKUP_DONE;
		}
		if (errno != ENOENT && errno != EACCES)
			log_warn("%s: open %s: %m", id, path);
		return errno == EACCES && lstat(path, &st) == 0
		    ? pickup_unfinished(id, &st) : PICKUP_SKIP;
	}
	why = buf_new(0);
	m.sender = buf_new(0);
	if (fstat(m.fd, &st) < 0) {
		log_warn("%s: fstat %s: %m", id, path);
	} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		queue_corrupt(QUEUE_MAILDROP, id, "not a regular file with "
		    "one link");
		res = PICKUP_DONE;
	} else if (!maildrop_is_ready(&st)) {
		res = pickup_unfinished(id, &st);
	} else if ((m.owner = st.st_uid), pickup_walk(&m, NULL, why)
	    != PICKUP_W_OK) {
		queue_corrupt(QUEUE_MAILDROP, id, buf_str(why));
		res = PICKUP_DONE;
	} else {
		res = pickup_submit(&m, cleanup);
	}
	(void)close(m.fd);	/* read-only */
	buf_free(m.sender);
	buf_free(why);
	return res;
}
