/* smtpd_cleanup.c - smtpd's side of the cleanup/1 protocol (util/proto.h)
 *
 * One message is one exchange: smtpd_cleanup_begin connects to the
 * cleanup service when the session has no connection yet (the connection
 * is kept for the session's next messages), checks the banner, sends
 * req=env with the sender and the session's attributes, reads the reply
 * that names the new queue file's ID, and sends the req=rcpt lists.
 * smtpd_cleanup_write queues content as req=data (the caller keeps each
 * chunk within PROTO_DATA_CHUNK), smtpd_cleanup_finish sends req=done and
 * turns cleanup's final reply into the SMTP reply. The recipients go in
 * one write and the content with req=done (or whenever the ipc buffer
 * fills): cleanup answers neither, so there is nothing to wait for, and a
 * write (and a wakeup of cleanup) per list cost a system call each, 500
 * for a message to 500 recipients. A write error then shows at the next
 * flush, at the latest as the failure of req=done. smtpd_cleanup_close
 * drops the connection: cleanup then discards an unfinished message, which
 * is how a message is abandoned (too big, bare LF refused, client gone).
 *
 * Input: cleanup's replies, checked against a spec (status, queue_id at
 * most QUEUE_ID_SIZE bytes and a valid ID, reason at most
 * SMTPD_REASON_MAX bytes, printable once it reaches the client or the
 * log). Any I/O or protocol error closes the connection and answers the
 * client "451 4.3.0 Error: queue file write error"; the warning with the
 * details goes to the log only.
 */
#include "smtpd.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "queue.h"
#include "str.h"

#define SMTPD_REASON_MAX	1024	/* reason text from cleanup */
#define SMTPD_WRITE_ERROR	"451 4.3.0 Error: queue file write error"

/* the replies of cleanup to req=env and req=done */
static const struct ipc_spec smtpd_cleanup_reply_spec[] = {
	{PROTO_STATUS, IPC_INT, true, 0},
	{PROTO_QUEUE_ID, IPC_STR, false, QUEUE_ID_SIZE},
	{PROTO_REASON, IPC_STR, false, SMTPD_REASON_MAX},
};

#define SMTPD_CLEANUP_STATUS	0
#define SMTPD_CLEANUP_QUEUE_ID	1
#define SMTPD_CLEANUP_REASON	2

/* smtpd_cleanup_close - drop the connection (and any unfinished message) */
void
smtpd_cleanup_close(struct smtpd_session *s)
{
	s->cleanup = ipc_free(s->cleanup);
}

/* smtpd_cleanup_fail - log a connection problem, close, reply 451 */
static int
smtpd_cleanup_fail(struct smtpd_session *s, const char *what,
    const char *why, struct buf *reply)
{
	log_warn("%s%s%s: cleanup service: %s: %s", s->queue_id,
	    s->queue_id[0] ? ": " : "", s->namaddr, what, why);
	smtpd_cleanup_close(s);
	(void)buf_set(reply, SMTPD_WRITE_ERROR);
	return -1;
}

/* smtpd_cleanup_status - an SMTP reply from a non-zero status and the
 * reason text (enhanced code first); 552 for a storage limit, 451 for
 * any temporary problem, 550 otherwise */
static void
smtpd_cleanup_status(long long status, const char *reason, size_t len,
    struct buf *reply)
{
	struct buf *text = buf_new(0);
	const char *t;

	t = log_printable(text, reason, len, SMTPD_REASON_MAX);
	buf_reset(reply);
	if (status == PROTO_STATUS_BOUNCE) {
		if (strncmp(t, "5.3.4 ", 6) == 0)
			(void)buf_printf(reply, "552 %s", t);
		else if (t[0] == '5' && t[1] == '.')
			(void)buf_printf(reply, "550 %s", t);
		else if (*t != '\0')
			(void)buf_printf(reply, "550 5.7.1 %s", t);
		else
			(void)buf_set(reply, "550 5.7.1 Error: message "
			    "content rejected");
	} else {
		if (t[0] == '4' && t[1] == '.')
			(void)buf_printf(reply, "451 %s", t);
		else
			(void)buf_set(reply, SMTPD_WRITE_ERROR);
	}
	buf_free(text);
}

/* smtpd_cleanup_get - read one reply; 0, or -1 (connection closed, reply
 * set) */
static int
smtpd_cleanup_get(struct smtpd_session *s, struct ipc_msg *msg,
    const char *what, struct buf *reply)
{
	struct buf *why = buf_new(0);
	int     ret;

	ret = ipc_get(s->cleanup, smtpd_cleanup_reply_spec,
	    SYS_ARRAY_LEN(smtpd_cleanup_reply_spec), msg, why);
	if (ret == 1)
		(void)buf_set(why, "connection closed");
	if (ret == 0) {
		buf_free(why);
		return 0;
	}
	smtpd_cleanup_fail(s, what, buf_str(why), reply);
	buf_free(why);
	return -1;
}

/* smtpd_cleanup_env - send req=env */
static int
smtpd_cleanup_env(struct smtpd_session *s)
{
	struct ipc *c = s->cleanup;
	const struct smtpd_mail_args *m = &s->mail;

	ipc_put_str(c, PROTO_REQ, PROTO_REQ_ENV);
	ipc_put_data(c, PROTO_SENDER, buf_str(m->addr), buf_len(m->addr));
	ipc_put_str(c, PROTO_CLIENT_ADDRESS, s->addr);
	ipc_put_str(c, PROTO_CLIENT_NAME, "unknown");
	if (s->helo != NULL)
		ipc_put_str(c, PROTO_HELO_NAME, s->helo);
	ipc_put_str(c, PROTO_PROTOCOL, smtpd_protocol(s));
	if (m->has_envid)
		ipc_put_data(c, PROTO_DSN_ENVID, buf_str(m->envid),
		    buf_len(m->envid));
	if (m->ret != SMTPD_RET_NONE)
		ipc_put_str(c, PROTO_DSN_RET, m->ret == SMTPD_RET_FULL
		    ? "FULL" : "HDRS");
	if (m->body != SMTPD_BODY_NONE)
		ipc_put_str(c, PROTO_BODY_TYPE, m->body == SMTPD_BODY_7BIT
		    ? "7BIT" : "8BITMIME");
	if (m->smtputf8)
		ipc_put_int(c, PROTO_SMTPUTF8, 1);
	return ipc_end(c);
}

/* smtpd_cleanup_rcpts - send one req=rcpt per accepted recipient, all
 * in one write */
static int
smtpd_cleanup_rcpts(struct smtpd_session *s)
{
	const struct smtpd_rcpt *r;
	size_t  i;

	for (i = 0; i < s->nrcpts; i++) {
		r = s->rcpts + i;
		ipc_put_str(s->cleanup, PROTO_REQ, PROTO_REQ_RCPT);
		ipc_put_str(s->cleanup, PROTO_RCPT, r->addr);
		if (r->orcpt != NULL)
			ipc_put_str(s->cleanup, PROTO_ORCPT, r->orcpt);
		if (r->notify != 0)
			ipc_put_int(s->cleanup, PROTO_NOTIFY, r->notify);
		ipc_end_buffered(s->cleanup);
	}
	return ipc_flush(s->cleanup);
}

/* smtpd_cleanup_begin - connect if needed, create the queue file (env),
 * send the recipients; 0 with s->queue_id set, or -1 with the reply */
int
smtpd_cleanup_begin(struct smtpd_session *s, struct buf *reply)
{
	struct buf *why = buf_new(0);
	struct ipc_msg msg;
	const char *id;
	int     ret = -1;

	memset(&msg, 0, sizeof(msg));
	s->queue_id[0] = '\0';
	if (s->cleanup == NULL) {
		s->cleanup = ipc_connect("cleanup",
		    (int)(var_ipc_timeout * 1000), why);
		if (s->cleanup == NULL) {
			smtpd_cleanup_fail(s, "connect", buf_str(why), reply);
			goto fail;
		}
		if (ipc_expect_proto(s->cleanup, PROTO_CLEANUP, why) < 0) {
			smtpd_cleanup_fail(s, "banner", buf_str(why), reply);
			goto fail;
		}
	}
	if (smtpd_cleanup_env(s) < 0) {
		smtpd_cleanup_fail(s, "send envelope", strerror(errno), reply);
		goto fail;
	}
	if (smtpd_cleanup_get(s, &msg, "envelope reply", reply) < 0)
		goto fail;
	if (ipc_num(&msg, SMTPD_CLEANUP_STATUS) != PROTO_STATUS_OK) {
		smtpd_cleanup_status(ipc_num(&msg, SMTPD_CLEANUP_STATUS),
		    ipc_str(&msg, SMTPD_CLEANUP_REASON),
		    ipc_len(&msg, SMTPD_CLEANUP_REASON), reply);
		smtpd_cleanup_close(s);
		goto fail;
	}
	id = ipc_str(&msg, SMTPD_CLEANUP_QUEUE_ID);
	if (!queue_id_valid(id)
	    || str_copy(s->queue_id, sizeof(s->queue_id), id) < 0) {
		smtpd_cleanup_fail(s, "envelope reply", "no valid queue_id",
		    reply);
		goto fail;
	}
	if (smtpd_cleanup_rcpts(s) < 0) {
		smtpd_cleanup_fail(s, "send recipients", strerror(errno),
		    reply);
		goto fail;
	}
	ret = 0;

fail:
	ipc_msg_free(&msg);
	buf_free(why);
	return ret;
}

/* smtpd_cleanup_write - queue one chunk of content (written when the
 * buffer fills, or with req=done) */
void
smtpd_cleanup_write(struct smtpd_session *s, const char *data, size_t len)
{
	if (len > PROTO_DATA_CHUNK)
		log_panic("smtpd_cleanup_write: chunk of %zu bytes", len);
	ipc_put_str(s->cleanup, PROTO_REQ, PROTO_REQ_DATA);
	ipc_put_data(s->cleanup, PROTO_DATA, data, len);
	ipc_end_buffered(s->cleanup);
}

/* smtpd_cleanup_finish - req=done and the final reply, as an SMTP reply;
 * 0 queued, -1 not (reply says why) */
int
smtpd_cleanup_finish(struct smtpd_session *s, struct buf *reply)
{
	struct ipc_msg msg;
	const char *id;
	int     ret = -1;

	memset(&msg, 0, sizeof(msg));
	ipc_put_str(s->cleanup, PROTO_REQ, PROTO_REQ_DONE);
	if (ipc_end(s->cleanup) < 0) {
		smtpd_cleanup_fail(s, "send end of data", strerror(errno),
		    reply);
		goto fail;
	}
	if (smtpd_cleanup_get(s, &msg, "final reply", reply) < 0)
		goto fail;
	if (ipc_num(&msg, SMTPD_CLEANUP_STATUS) != PROTO_STATUS_OK) {
		smtpd_cleanup_status(ipc_num(&msg, SMTPD_CLEANUP_STATUS),
		    ipc_str(&msg, SMTPD_CLEANUP_REASON),
		    ipc_len(&msg, SMTPD_CLEANUP_REASON), reply);
		goto fail;
	}
	/* the file is committed: the ID of the envelope reply will do */
	id = ipc_str(&msg, SMTPD_CLEANUP_QUEUE_ID);
	if (!queue_id_valid(id))
		id = s->queue_id;
	buf_reset(reply);
	(void)buf_printf(reply, "250 2.0.0 Ok: queued as %s", id);
	ret = 0;

fail:
	ipc_msg_free(&msg);
	return ret;
}
