/* local_resubmit.c - forward a copy of a message through cleanup
 *
 * When an alias or a .forward expands to addresses that local does not
 * deliver itself (other domains), the message is submitted again as a
 * new queue file over cleanup/1 (util/proto.h), with protocol=local, the
 * original sender (or the owner- alias), the new recipients, and the
 * content of the queue file being delivered with "Delivered-To: RCPT"
 * in front: the old Delivered-To headers stay, so a copy that comes back
 * here is recognised as a loop (local_loop.c). Content is streamed in
 * PROTO_DATA_CHUNK pieces straight from the queue file records. The
 * recipient being delivered is done only once cleanup has committed the
 * new file (its reply status 0); any failure defers it.
 */
#include "local.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "queue.h"
#include "rec.h"
#include "str.h"

#define LOCAL_RESUBMIT_REASON_MAX	512

enum { LR_STATUS, LR_QUEUE_ID, LR_REASON };

static const struct ipc_spec local_resubmit_reply[] = {
	{PROTO_STATUS, IPC_INT, true, 8},
	{PROTO_QUEUE_ID, IPC_STR, false, QUEUE_ID_LEN},
	{PROTO_REASON, IPC_STR, false, LOCAL_RESUBMIT_REASON_MAX},
};

/* local_resubmit_get - one reply; 0 with status, or -1 (why) */
static int
local_resubmit_get(struct ipc *ipc, struct ipc_msg *msg, struct buf *why)
{
	int     ret;

	ret = ipc_get(ipc, local_resubmit_reply,
	    SYS_ARRAY_LEN(local_resubmit_reply), msg, why);
	if (ret == 1)
		(void)buf_set(why, "cleanup closed the connection");
	return ret == 0 ? 0 : -1;
}

/* local_resubmit_content - send the content records as data chunks */
static int
local_resubmit_content(struct ipc *ipc, const struct local_delivery *d,
    const char *delivered_to, struct buf *why)
{
	struct rec_reader r;
	struct buf *payload = d->copy->payload;
	struct buf *head = buf_new(LOCAL_ADDR_MAX + 32);
	const char *p;
	size_t  left, n;
	int     type, ret = -1;

	(void)buf_printf(head, "Delivered-To: %s\n", delivered_to);
	ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_DATA);
	ipc_put_data(ipc, PROTO_DATA, buf_str(head), buf_len(head));
	if (ipc_end(ipc) < 0) {
		(void)buf_printf(why, "cannot send to cleanup: %s",
		    strerror(errno));
		buf_free(head);
		return -1;
	}
	rec_reader_init(&r, d->qfd, d->offset, REC_GROUP_CONTENT,
	    REC_MAX_DEFAULT);
	if (rec_get(&r, payload, NULL, why) != REC_MESSAGE)
		goto fail;
	while ((type = rec_get(&r, payload, NULL, why)) == REC_DATA) {
		p = buf_str(payload);
		for (left = buf_len(payload); left > 0; left -= n, p += n) {
			n = left < PROTO_DATA_CHUNK ? left : PROTO_DATA_CHUNK;
			ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_DATA);
			ipc_put_data(ipc, PROTO_DATA, p, n);
			if (ipc_end(ipc) < 0) {
				(void)buf_printf(why, "cannot send to "
				    "cleanup: %s", strerror(errno));
				goto fail;
			}
		}
	}
	if (type != REC_END) {
		if (type >= 0)
			(void)buf_set(why, "malformed queue file content");
		goto fail;
	}
	ret = 0;

fail:
	rec_reader_done(&r);
	buf_free(head);
	return ret;
}

/* local_resubmit - one new message through cleanup */
int
local_resubmit(const struct local_delivery *d, const char *sender,
    const char *const *rcpts, size_t n, const char *delivered_to,
    char *new_id, size_t id_size, struct local_result *res)
{
	struct buf *why = buf_new(LOCAL_REASON_MAX);
	struct ipc_msg msg;
	struct ipc *ipc;
	size_t  i;
	int     ret = -1;

	memset(&msg, 0, sizeof(msg));
	new_id[0] = '\0';
	if ((ipc = ipc_connect("cleanup", (int)(var_ipc_timeout * 1000),
	    why)) == NULL || ipc_expect_proto(ipc, PROTO_CLEANUP, why) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot forward: cleanup service unavailable: %s",
		    buf_str(why));
		goto fail;
	}
	ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_ENV);
	ipc_put_str(ipc, PROTO_SENDER, sender);
	ipc_put_str(ipc, PROTO_PROTOCOL, "local");
	if (ipc_end(ipc) < 0 || local_resubmit_get(ipc, &msg, why) < 0 ||
	    ipc_num(&msg, LR_STATUS) != PROTO_STATUS_OK) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot forward: cleanup: %s", buf_len(why) ? buf_str(why) :
		    ipc_str(&msg, LR_REASON));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_RCPT);
		ipc_put_str(ipc, PROTO_RCPT, rcpts[i]);
		if (ipc_end(ipc) < 0) {
			local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
			    "cannot forward: lost cleanup: %s",
			    strerror(errno));
			goto fail;
		}
	}
	if (local_resubmit_content(ipc, d, delivered_to, why) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot forward: %s", buf_str(why));
		goto fail;
	}
	ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_DONE);
	if (ipc_end(ipc) < 0 || local_resubmit_get(ipc, &msg, why) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot forward: cleanup: %s", buf_str(why));
		goto fail;
	}
	if (ipc_num(&msg, LR_STATUS) != PROTO_STATUS_OK) {
		local_result_set(res, ipc_num(&msg, LR_STATUS) ==
		    PROTO_STATUS_BOUNCE ? PROTO_STATUS_BOUNCE :
		    PROTO_STATUS_DEFER, ipc_num(&msg, LR_STATUS) ==
		    PROTO_STATUS_BOUNCE ? "5.3.0" : "4.3.0",
		    "cannot forward: %s", ipc_str(&msg, LR_REASON));
		goto fail;
	}
	(void)str_copy(new_id, id_size, ipc_str(&msg, LR_QUEUE_ID));
	local_result_set(res, PROTO_STATUS_OK, "2.0.0", "forwarded as %s",
	    ipc_str(&msg, LR_QUEUE_ID));
	ret = 0;

fail:
	ipc_msg_free(&msg);
	ipc_free(ipc);
	buf_free(why);
	return ret;
}
