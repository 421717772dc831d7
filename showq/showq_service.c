/* showq_service.c - one showq/1 connection: a request, then the listing
 *
 * The client is untrusted (any member of the postdrop group): its one
 * request is checked against a spec (req and format, at most 16 bytes
 * each, both required) and must be req=list with format text or json;
 * anything else, or nothing within ipc_timeout, closes the connection
 * without a listing. The listing is written as data lists of at most
 * MAILQ_CHUNK bytes as util/mailq.c produces it, one message at a time,
 * then a final status list (util/mailq.h documents the protocol).
 */
#include "showq.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "mailq.h"
#include "params.h"
#include "proto.h"

static const struct ipc_spec showq_request_spec[] = {
	{PROTO_REQ, IPC_STR, true, 16},
	{MAILQ_FORMAT, IPC_STR, true, 16},
};

enum { SHOWQ_REQ, SHOWQ_FMT };

/* showq_init - load the time zone while /etc is still visible */
void
showq_init(void)
{
	tzset();
}

/* showq_send - mailq_write_fn: the bytes as data lists */
static int
showq_send(const char *data, size_t len, void *ctx)
{
	struct ipc *ipc = ctx;
	size_t  n;

	while (len > 0) {
		n = len > MAILQ_CHUNK ? MAILQ_CHUNK : len;
		ipc_put_data(ipc, PROTO_DATA, data, n);
		if (ipc_end(ipc) < 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

/* showq_service - serve one client connection, then close it */
void
showq_service(int fd)
{
	struct ipc *ipc = ipc_open(fd, (int)(var_ipc_timeout * 1000));
	struct ipc_msg msg = {0};
	struct buf *why = buf_new(0), *pr = buf_new(0);
	const char *req, *format;
	int     ret;

	if (ipc_send_proto(ipc, PROTO_SHOWQ) < 0) {
		log_warn("send banner: %m");
		goto fail;
	}
	ret = ipc_get(ipc, showq_request_spec,
	    SYS_ARRAY_LEN(showq_request_spec), &msg, why);
	if (ret != 0) {
		if (ret < 0)
			log_warn("bad request: %s", buf_str(why));
		goto fail;
	}
	req = ipc_str(&msg, SHOWQ_REQ);
	format = ipc_str(&msg, SHOWQ_FMT);
	if (strcmp(req, PROTO_REQ_LIST) != 0
	    || (strcmp(format, MAILQ_FORMAT_TEXT) != 0
	    && strcmp(format, MAILQ_FORMAT_JSON) != 0)) {
		log_warn("bad request: req=%s format=%s", log_printable(pr,
		    req, ipc_len(&msg, SHOWQ_REQ), 16), log_printable(why,
		    format, ipc_len(&msg, SHOWQ_FMT), 16));
		goto fail;
	}
	if (mailq_report(strcmp(format, MAILQ_FORMAT_JSON) == 0, showq_send,
	    ipc) < 0) {
		ipc_put_int(ipc, PROTO_STATUS, PROTO_STATUS_DEFER);
		ipc_put_str(ipc, PROTO_REASON, "cannot read the queue");
	} else {
		ipc_put_int(ipc, PROTO_STATUS, PROTO_STATUS_OK);
		ipc_put_str(ipc, PROTO_REASON, "");
	}
	if (ipc_end(ipc) < 0)
		log_debug("send status: %m");

fail:
	ipc_msg_free(&msg);
	buf_free(why);
	buf_free(pr);
	ipc_free(ipc);
}
