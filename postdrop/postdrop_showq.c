/* postdrop_showq.c - "postdrop -s": the queue listing for ordinary users
 *
 * mailq (sendmail -bp) and "postern queue list" run by a user who may not
 * read the queue execute "postdrop -s [-j]". postdrop is setgid to
 * setgid_group, the group that may connect to public/; this mode only
 * connects to public/showq, sends req=list format=text|json (the showq/1
 * protocol of util/mailq.h) and copies the data lists of the answer to
 * stdout until the final status list. The answer is untrusted: each list
 * is checked against a spec (data at most MAILQ_CHUNK bytes, status, a
 * reason of at most 1024 bytes) and everything must arrive within
 * ipc_timeout. No file of the queue is opened here.
 */
#include "postdrop_showq.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "mailq.h"
#include "params.h"
#include "proto.h"

#include <sysexits.h>

static const struct ipc_spec postdrop_showq_spec[] = {
	{PROTO_DATA, IPC_DATA, false, MAILQ_CHUNK},
	{PROTO_STATUS, IPC_INT, false, 0},
	{PROTO_REASON, IPC_STR, false, 1024},
};

enum { POSTDROP_SHOWQ_DATA, POSTDROP_SHOWQ_STATUS, POSTDROP_SHOWQ_REASON };

/* postdrop_showq - copy showq's listing to stdout */
int
postdrop_showq(bool json)
{
	struct buf *why = buf_new(0), *pr = buf_new(0);
	struct ipc_msg msg = {0};
	struct ipc *ipc = NULL;
	int     ret, status = EX_SOFTWARE;

	if (chdir(var_queue_directory) < 0) {
		log_error("chdir %s: %m", var_queue_directory);
		status = EX_UNAVAILABLE;
		goto fail;
	}
	ipc = ipc_connect("showq", (int)(var_ipc_timeout * 1000), why);
	if (ipc == NULL) {
		log_error("Queue report unavailable - mail system is down "
		    "(%s)", buf_len(why) ? buf_str(why) : strerror(errno));
		status = EX_UNAVAILABLE;
		goto fail;
	}
	if (ipc_expect_proto(ipc, PROTO_SHOWQ, why) < 0) {
		log_error("showq: %s", buf_str(why));
		goto fail;
	}
	ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_LIST);
	ipc_put_str(ipc, MAILQ_FORMAT, json ? MAILQ_FORMAT_JSON
	    : MAILQ_FORMAT_TEXT);
	if (ipc_end(ipc) < 0) {
		log_error("showq: send request: %m");
		goto fail;
	}
	for (;;) {
		ret = ipc_get(ipc, postdrop_showq_spec,
		    SYS_ARRAY_LEN(postdrop_showq_spec), &msg, why);
		if (ret != 0) {
			log_error("showq: %s", ret < 0 ? buf_str(why)
			    : "connection closed before the end of the report");
			goto fail;
		}
		if (msg.vals[POSTDROP_SHOWQ_DATA].present
		    && ipc_len(&msg, POSTDROP_SHOWQ_DATA) > 0
		    && fwrite(ipc_str(&msg, POSTDROP_SHOWQ_DATA), 1,
		    ipc_len(&msg, POSTDROP_SHOWQ_DATA), stdout)
		    != ipc_len(&msg, POSTDROP_SHOWQ_DATA)) {
			log_error("write to standard output: %m");
			status = EX_IOERR;
			goto fail;
		}
		if (msg.vals[POSTDROP_SHOWQ_STATUS].present)
			break;
	}
	if (ipc_num(&msg, POSTDROP_SHOWQ_STATUS) != PROTO_STATUS_OK) {
		log_error("showq: %s", log_printable(pr, ipc_str(&msg,
		    POSTDROP_SHOWQ_REASON), ipc_len(&msg,
		    POSTDROP_SHOWQ_REASON), 1024));
		status = EX_TEMPFAIL;
		goto fail;
	}
	status = 0;

fail:
	if (fflush(stdout) == EOF && status == 0) {
		log_error("write to standard output: %m");
		status = EX_IOERR;
	}
	ipc_msg_free(&msg);
	ipc_free(ipc);
	buf_free(why);
	buf_free(pr);
	return status;
}
