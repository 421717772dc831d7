/* qmgr_trigger.c - the qmgr/1 server: triggers from cleanup and postern
 *
 * Owns the client connections that server_run_events hands over. Each
 * gets the proto=qmgr/1 banner and stays open for many requests; the
 * socket is read only when the event loop says it is readable, and every
 * list already buffered is handled before returning to the loop (a client
 * may write several triggers at once). Requests (util/proto.h):
 *   req=new queue_id   activate incoming/ID (qmgr_active_request)
 *   req=flush          retry the deferred queue now
 *   req=scan           rescan incoming/
 *   req=delete queue_id, req=hold queue_id, req=requeue queue_id
 *                      an administrator's request for a message in
 *                      active/ (qmgr_active_admin)
 * There are no replies. Input is untrusted: ipc_get checks it against the
 * spec (req at most 16 bytes, queue_id at most QUEUE_ID_LEN) and the ID
 * must be valid (queue_id_valid) before it names a file; any bad request
 * closes the connection. At most QMGR_TRIGGER_MAX_CONN clients at once;
 * a partial request must complete within QMGR_READ_TIMEOUT_MS.
 */
#include "qmgr.h"
#include "buf.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "mem.h"
#include "proto.h"

struct qmgr_client {
	struct ipc *ipc;
	int	fd;
	struct qmgr_client *prev, *next;
};

static const struct ipc_spec qmgr_trigger_spec[] = {
	{PROTO_REQ, IPC_STR, true, 16},
	{PROTO_QUEUE_ID, IPC_STR, false, QUEUE_ID_LEN},
};

enum { QMGR_TRIGGER_REQ, QMGR_TRIGGER_QUEUE_ID };

static struct qmgr_client *qmgr_clients;
static size_t qmgr_nclients;
static struct ipc_msg qmgr_trigger_msg;

/* qmgr_trigger_close - forget a client */
static void
qmgr_trigger_close(struct qmgr_client *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		qmgr_clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	qmgr_nclients--;
	events_unwatch(c->fd);
	ipc_free(c->ipc);
	free(c);
}

static const struct {
	const char *req;
	enum qmgr_admin op;
} qmgr_trigger_admin[] = {
	{PROTO_REQ_DELETE, QMGR_ADMIN_DELETE},
	{PROTO_REQ_HOLD, QMGR_ADMIN_HOLD},
	{PROTO_REQ_REQUEUE, QMGR_ADMIN_REQUEUE},
};

/* qmgr_trigger_id - the request's queue ID, or NULL (logged) if bad */
static const char *
qmgr_trigger_id(const struct ipc_msg *m)
{
	const char *id = ipc_str(m, QMGR_TRIGGER_QUEUE_ID);
	struct buf *pr;

	if (queue_id_valid(id))
		return id;
	pr = buf_new(0);
	log_warn("trigger: bad queue id \"%s\"", log_printable(pr, id,
	    ipc_len(m, QMGR_TRIGGER_QUEUE_ID), QUEUE_ID_LEN));
	buf_free(pr);
	return NULL;
}

/* qmgr_trigger_dispatch - act on one request; -1 if it is bad */
static int
qmgr_trigger_dispatch(const struct ipc_msg *m)
{
	const char *req = ipc_str(m, QMGR_TRIGGER_REQ);
	const char *id;
	struct buf *pr;
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(qmgr_trigger_admin); i++) {
		if (strcmp(req, qmgr_trigger_admin[i].req) != 0)
			continue;
		if ((id = qmgr_trigger_id(m)) == NULL)
			return -1;
		qmgr_active_admin(id, qmgr_trigger_admin[i].op);
		return 0;
	}
	if (strcmp(req, PROTO_REQ_NEW) == 0) {
		if ((id = qmgr_trigger_id(m)) == NULL)
			return -1;
		qmgr_active_request(QUEUE_INCOMING, id);
	} else if (strcmp(req, PROTO_REQ_FLUSH) == 0) {
		qmgr_scan_deferred(true);
	} else if (strcmp(req, PROTO_REQ_SCAN) == 0) {
		qmgr_scan_incoming();
	} else {
		pr = buf_new(0);
		log_warn("trigger: unknown request \"%s\"", log_printable(pr,
		    req, ipc_len(m, QMGR_TRIGGER_REQ), 16));
		buf_free(pr);
		return -1;
	}
	return 0;
}

/* qmgr_trigger_event - a client connection is readable */
static void
qmgr_trigger_event(int fd, int what, void *ctx)
{
	struct qmgr_client *c = ctx;
	struct buf *why;
	int     ret;

	(void)fd;
	(void)what;
	do {
		why = buf_new(0);
		ret = ipc_get(c->ipc, qmgr_trigger_spec,
		    SYS_ARRAY_LEN(qmgr_trigger_spec), &qmgr_trigger_msg, why);
		if (ret < 0)
			log_warn("trigger: %s", buf_str(why));
		buf_free(why);
		if (ret != 0 || qmgr_trigger_dispatch(&qmgr_trigger_msg) < 0) {
			qmgr_trigger_close(c);
			return;
		}
	} while (ipc_input_pending(c->ipc) > 0);
}

/* qmgr_accept - a new qmgr/1 client connection */
void
qmgr_accept(int fd)
{
	struct qmgr_client *c;
	struct ipc *ipc;

	ipc = ipc_open(fd, QMGR_READ_TIMEOUT_MS);
	if (qmgr_nclients >= QMGR_TRIGGER_MAX_CONN) {
		log_warn("trigger: too many client connections (%d), "
		    "closing a new one", QMGR_TRIGGER_MAX_CONN);
		ipc_free(ipc);
		return;
	}
	if (ipc_send_proto(ipc, PROTO_QMGR) < 0) {
		log_warn("trigger: send banner: %m");
		ipc_free(ipc);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ipc = ipc;
	c->fd = fd;
	c->next = qmgr_clients;
	if (qmgr_clients != NULL)
		qmgr_clients->prev = c;
	qmgr_clients = c;
	qmgr_nclients++;
	events_watch(fd, EVENTS_READ, qmgr_trigger_event, c);
}

/* qmgr_trigger_drain - close every client connection */
void
qmgr_trigger_drain(void)
{
	while (qmgr_clients != NULL)
		qmgr_trigger_close(qmgr_clients);
}
