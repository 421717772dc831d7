/* cleanup_notify.c - tell qmgr that a queue file is ready in incoming/
 *
 * After a file is committed and the client has its reply, cleanup sends
 * qmgr one PROTO_QMGR request "req=new queue_id=ID" so that delivery starts
 * at once. The connection to the "qmgr" service (private/qmgr, relative to
 * the queue directory) stays open across messages; it is this process's
 * only connection of its own. qmgr never writes after its banner, so a
 * readable connection means qmgr closed it: it is dropped and opened
 * again. A failed send is retried once on a fresh connection. Failure is
 * only a warning: the file is durable, and qmgr finds it when it scans
 * incoming/.
 */
#include "cleanup.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "proto.h"

#include <poll.h>

#define CLEANUP_NOTIFY_ATTEMPTS	2

/* the connection to qmgr, NULL while there is none */
static struct ipc *cleanup_notify_qmgr;

/* cleanup_notify_stale - whether qmgr has closed (or broken) the
 * connection: it sends nothing after the banner, so anything readable is
 * EOF or an error */
static bool
cleanup_notify_stale(struct ipc *ipc)
{
	struct pollfd pfd;

	if (ipc_input_pending(ipc) > 0)
		return true;
	pfd.fd = ipc_fd(ipc);
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) != 0;
}

/* cleanup_notify_connect - a fresh connection to qmgr, banner checked */
static struct ipc *
cleanup_notify_connect(struct buf *why)
{
	struct ipc *ipc;

	ipc = ipc_connect("qmgr", CLEANUP_NOTIFY_TIMEOUT_MS, why);
	if (ipc == NULL)
		return NULL;
	if (ipc_expect_proto(ipc, PROTO_QMGR, why) < 0)
		return ipc_free(ipc);
	return ipc;
}

/* cleanup_notify - req=new for queue_id; a failure is only logged */
void
cleanup_notify(const char *queue_id)
{
	struct buf *why = buf_new(0);
	int	attempt;

	for (attempt = 0; attempt < CLEANUP_NOTIFY_ATTEMPTS; attempt++) {
		buf_reset(why);
		if (cleanup_notify_qmgr != NULL
		    && cleanup_notify_stale(cleanup_notify_qmgr))
			cleanup_notify_qmgr = ipc_free(cleanup_notify_qmgr);
		if (cleanup_notify_qmgr == NULL
		    && (cleanup_notify_qmgr = cleanup_notify_connect(why))
		    == NULL)
			continue;
		ipc_put_str(cleanup_notify_qmgr, PROTO_REQ, PROTO_REQ_NEW);
		ipc_put_str(cleanup_notify_qmgr, PROTO_QUEUE_ID, queue_id);
		if (ipc_end(cleanup_notify_qmgr) == 0) {
			buf_free(why);
			return;
		}
		buf_printf(why, "send request: %s", strerror(errno));
		cleanup_notify_qmgr = ipc_free(cleanup_notify_qmgr);
	}
	log_warn("%s: cannot notify qmgr: %s; it will find the file in %s/",
	    queue_id, buf_len(why) > 0 ? buf_str(why) : "unknown error",
	    QUEUE_INCOMING);
	buf_free(why);
}
