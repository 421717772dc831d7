/* qmgr_deliver.c - the deliver/1 client: connection pools to the agents
 *
 * Owns one pool of connections per transport (qmgr_schedule.c), to the
 * service of the same name ("local", "smtp"). A connection is made with
 * ipc_connect (an AF_UNIX connect returns at once unless the listener's
 * backlog is full, bounded by QMGR_CONNECT_TIMEOUT_MS) and then lives in
 * the event loop: BANNER until the agent's proto=deliver/1 arrives, IDLE
 * between deliveries, BUSY with one delivery outstanding. A delivery is a
 * batch of 1..PROTO_BATCH_MAX requests (qmgr_schedule_next, then
 * qmgr_schedule_fill: one destination, no two of one message), sent back
 * to back with more=1 on all but the last; the BUSY connection keeps the
 * batch's recipients and the index of the next reply, and the agent
 * answers each request in order. Every state watches the socket for
 * reading, and the socket is read only when it is readable (ipc_get with a
 * short QMGR_READ_TIMEOUT_MS for the rest of a list; replies already
 * buffered are taken at once), so qmgr never waits for an agent. Requests
 * are small and written at once. Idle connections are reused (most
 * recently used first) and closed after QMGR_CONN_IDLE_MS; a once-a-second
 * sweep enforces that, the banner timeout and the reply deadline
 * (ipc_timeout, for each reply of a batch in turn) without a timer
 * operation per delivery.
 *
 * Failures: a connection error or timeout on a delivery defers every
 * recipient of the batch without a reply yet "4.3.0 delivery agent
 * failed" and drops the connection; when the connection had been used
 * before and the agent closed it before any byte of the batch's first
 * reply (it exited between deliveries), the whole batch is sent once more
 * on a fresh connection instead (once: a batch holding a recipient sent
 * again before is deferred). A service whose socket does not exist or
 * refuses connections defers every pending recipient of the transport
 * with "4.3.0 mail transport unavailable"; any other connect error is
 * retried after QMGR_CONNECT_RETRY_MS.
 *
 * Input: the agent's replies (status 0/4/5 required, dsn, reason) are
 * checked by ipc_get against the spec below; anything else, or any byte
 * after the last reply of a batch, fails the connection.
 */
#include "qmgr.h"
#include "buf.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"

#define QMGR_SWEEP_MS		1000
#define QMGR_DSN_MAX		16
#define QMGR_WARN_INTERVAL_MS	(60 * 1000)

enum qmgr_conn_state { QMGR_CONN_BANNER, QMGR_CONN_IDLE, QMGR_CONN_BUSY };

struct qmgr_pool;

struct qmgr_conn {
	struct qmgr_pool *pool;
	struct ipc *ipc;
	int	fd;
	enum qmgr_conn_state state;
	struct qmgr_rcpt *batch[PROTO_BATCH_MAX]; /* BUSY: the requests' */
	size_t	nbatch;			/* BUSY: requests in the batch */
	size_t	nreply;			/* BUSY: replies so far (next index) */
	unsigned long uses;		/* replies received */
	long long deadline;		/* events_now_ms() */
	struct qmgr_conn *prev, *next;	/* all connections of the pool */
	struct qmgr_conn *iprev, *inext;	/* idle stack */
};

/* a batch to be sent again on a fresh connection; its recipients stay
 * in flight (and its delivery's slot taken) meanwhile */
struct qmgr_retry {
	struct qmgr_rcpt *rcpt[PROTO_BATCH_MAX];
	size_t	n;
	struct qmgr_retry *next;
};

struct qmgr_pool {
	struct qmgr_transport *t;
	const char *service;
	size_t	nconn, nbanner, nidle, nbusy;
	struct qmgr_conn *conns;
	struct qmgr_conn *idle;		/* most recently used first */
	struct qmgr_retry *retry_head, *retry_tail; /* in flight, no conn */
	size_t	nretry;			/* batches waiting */
	bool	connect_wait;		/* after a transient connect error */
	long long warned;		/* last "unavailable" warning, ms */
};

static const struct ipc_spec qmgr_deliver_reply_spec[] = {
	{PROTO_STATUS, IPC_INT, true, 8},
	{PROTO_DSN, IPC_STR, false, QMGR_DSN_MAX},
	{PROTO_REASON, IPC_STR, false, IPC_MAX_VALUE_DEFAULT},
};

enum { QMGR_REPLY_STATUS, QMGR_REPLY_DSN, QMGR_REPLY_REASON };

static bool qmgr_deliver_kicking, qmgr_deliver_again;
static bool qmgr_deliver_stopping;
static bool qmgr_deliver_sweeping;	/* the sweep timer is set */
static struct ipc_msg qmgr_deliver_reply;

static void qmgr_deliver_event(int, int, void *);
static void qmgr_deliver_sweep(void *);

/* qmgr_deliver_connect_retry - the pause after a connect error is over */
static void
qmgr_deliver_connect_retry(void *ctx)
{
	struct qmgr_pool *p = ctx;

	p->connect_wait = false;
	qmgr_deliver_kick();
}

/* qmgr_deliver_pool - the pool of transport t */
static struct qmgr_pool *
qmgr_deliver_pool(struct qmgr_transport *t)
{
	struct qmgr_pool *p = qmgr_schedule_transport_pool(t);

	if (p == NULL) {
		p = xcalloc(1, sizeof(*p));
		p->t = t;
		p->service = qmgr_schedule_transport_name(t);
		qmgr_schedule_set_transport_pool(t, p);
	}
	return p;
}

/* qmgr_deliver_idle_push - put c on top of the idle stack */
static void
qmgr_deliver_idle_push(struct qmgr_conn *c)
{
	struct qmgr_pool *p = c->pool;

	c->state = QMGR_CONN_IDLE;
	c->deadline = events_now_ms() + QMGR_CONN_IDLE_MS;
	c->iprev = NULL;
	c->inext = p->idle;
	if (p->idle != NULL)
		p->idle->iprev = c;
	p->idle = c;
	p->nidle++;
}

/* qmgr_deliver_idle_del - take c off the idle stack */
static void
qmgr_deliver_idle_del(struct qmgr_conn *c)
{
	struct qmgr_pool *p = c->pool;

	if (c->iprev != NULL)
		c->iprev->inext = c->inext;
	else
		p->idle = c->inext;
	if (c->inext != NULL)
		c->inext->iprev = c->iprev;
	c->iprev = c->inext = NULL;
	p->nidle--;
}

/* qmgr_deliver_close - close c and forget it; the recipients of a BUSY
 * connection's batch are the caller's to settle */
static void
qmgr_deliver_close(struct qmgr_conn *c)
{
	struct qmgr_pool *p = c->pool;

	switch (c->state) {
	case QMGR_CONN_BANNER:
		p->nbanner--;
		break;
	case QMGR_CONN_IDLE:
		qmgr_deliver_idle_del(c);
		break;
	case QMGR_CONN_BUSY:
		p->nbusy--;
		break;
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	p->nconn--;
	events_unwatch(c->fd);
	ipc_free(c->ipc);
	free(c);
}

/* qmgr_deliver_retry_push - the batch rcpt[0..n) waits for a fresh
 * connection */
static void
qmgr_deliver_retry_push(struct qmgr_pool *p, struct qmgr_rcpt *const *rcpt,
    size_t n)
{
	struct qmgr_retry *b;

	b = xcalloc(1, sizeof(*b));
	memcpy(b->rcpt, rcpt, n * sizeof(*rcpt));
	b->n = n;
	if (p->retry_tail != NULL)
		p->retry_tail->next = b;
	else
		p->retry_head = b;
	p->retry_tail = b;
	p->nretry++;
}

/* qmgr_deliver_retry_pop - the oldest batch waiting (the caller frees
 * it), or NULL */
static struct qmgr_retry *
qmgr_deliver_retry_pop(struct qmgr_pool *p)
{
	struct qmgr_retry *b = p->retry_head;

	if (b != NULL) {
		p->retry_head = b->next;
		if (p->retry_head == NULL)
			p->retry_tail = NULL;
		b->next = NULL;
		p->nretry--;
	}
	return b;
}

/* qmgr_deliver_pause - wait a little before the next connect to p */
static void
qmgr_deliver_pause(struct qmgr_pool *p)
{
	p->connect_wait = true;
	events_timer(QMGR_CONNECT_RETRY_MS, qmgr_deliver_connect_retry, p);
}

/* qmgr_deliver_fail - a delivery connection failed: settle the recipients
 * of its batch that have no reply; stale: the agent closed the connection
 * before any byte of the next reply */
static void
qmgr_deliver_fail(struct qmgr_conn *c, const char *why, bool stale)
{
	struct qmgr_pool *p = c->pool;
	struct qmgr_rcpt *left[PROTO_BATCH_MAX], *r;
	size_t  n = 0, i;
	bool    again;

	if (c->state == QMGR_CONN_BUSY) {
		n = c->nbatch - c->nreply;
		memcpy(left, c->batch + c->nreply, n * sizeof(*left));
	}
	/* the agent exited between deliveries: none of the batch was
	 * answered, on a connection that had served before */
	again = stale && c->uses > 0 && c->nreply == 0;
	qmgr_deliver_close(c);
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		if (left[i]->retried)
			again = false;
	}
	if (again) {
		for (i = 0; i < n; i++) {
			r = left[i];
			log_debug("%s: %s connection closed, sending <%s> "
			    "again", r->msg->id, p->service, r->addr);
			r->retried = true;
		}
		qmgr_deliver_retry_push(p, left, n);
	} else {
		/* each deferral may finish a message, but none of the others
		 * in left: they are still in flight */
		for (i = 0; i < n; i++) {
			r = left[i];
			log_warn("%s: delivery of <%s> through %s failed: %s",
			    r->msg->id, r->addr, p->service, why);
			qmgr_active_deferred(r, "4.3.0 delivery agent failed",
			    true);
		}
	}
	qmgr_deliver_kick();
}

/* qmgr_deliver_put - buffer the request for r; more: another request of
 * the batch follows it */
static void
qmgr_deliver_put(struct ipc *ipc, const struct qmgr_rcpt *r, bool more)
{
	const struct qmgr_message *msg = r->msg;

	ipc_put_str(ipc, PROTO_QUEUE_ID, msg->id);
	ipc_put_str(ipc, PROTO_QUEUE, QUEUE_ACTIVE);
	ipc_put_str(ipc, PROTO_SENDER, msg->sender);
	ipc_put_str(ipc, PROTO_RCPT, r->addr);
	if (r->orcpt != NULL)
		ipc_put_str(ipc, PROTO_ORCPT, r->orcpt);
	if (r->notify != 0)
		ipc_put_int(ipc, PROTO_NOTIFY, r->notify);
	ipc_put_int(ipc, PROTO_OFFSET, msg->content_offset);
	ipc_put_str(ipc, PROTO_ARRIVAL, msg->arrival);
	if (msg->dsn_ret != NULL)
		ipc_put_str(ipc, PROTO_DSN_RET, msg->dsn_ret);
	if (msg->dsn_envid != NULL)
		ipc_put_str(ipc, PROTO_DSN_ENVID, msg->dsn_envid);
	if (more)
		ipc_put_int(ipc, PROTO_MORE, 1);
}

/* qmgr_deliver_send - send the batch rcpt[0..n) on the idle connection
 * c: one request per recipient, back to back */
static void
qmgr_deliver_send(struct qmgr_conn *c, struct qmgr_rcpt *const *rcpt,
    size_t n)
{
	struct ipc *ipc = c->ipc;
	size_t  i;

	if (n == 0 || n > PROTO_BATCH_MAX)
		log_panic("qmgr_deliver_send: batch of %zu", n);
	qmgr_deliver_idle_del(c);
	c->state = QMGR_CONN_BUSY;
	c->pool->nbusy++;
	memcpy(c->batch, rcpt, n * sizeof(*rcpt));
	c->nbatch = n;
	c->nreply = 0;
	c->deadline = events_now_ms() + var_ipc_timeout * 1000;
	ipc_set_timeout(ipc, QMGR_READ_TIMEOUT_MS);
	for (i = 0; i < n; i++) {
		qmgr_deliver_put(ipc, rcpt[i], i + 1 < n);
		ipc_end_buffered(ipc);
	}
	if (ipc_flush(ipc) < 0) {	/* the whole batch in one write */
		char    why[128];

		(void)snprintf(why, sizeof(why), "send request: %s",
		    strerror(errno));
		qmgr_deliver_fail(c, why, errno == EPIPE
		    || errno == ECONNRESET);
	}
}

/* qmgr_deliver_has_code - whether s starts with an enhanced status code
 * of class cls ("4.7.1 ...") */
static bool
qmgr_deliver_has_code(const char *s, char cls)
{
	size_t  i = 2, n;

	if (s[0] != cls || s[1] != '.')
		return false;
	for (n = 0; s[i] >= '0' && s[i] <= '9' && n < 3; n++)
		i++;
	if (n == 0 || s[i++] != '.')
		return false;
	for (n = 0; s[i] >= '0' && s[i] <= '9' && n < 3; n++)
		i++;
	return n > 0 && (s[i] == ' ' || s[i] == '\0');
}

/* qmgr_deliver_reason - "d.d.d text" from the agent's dsn and reason */
static void
qmgr_deliver_reason(struct buf *out, int status, const char *dsn,
    const char *reason)
{
	char    cls = status == PROTO_STATUS_BOUNCE ? '5' : '4';

	buf_reset(out);
	if (qmgr_deliver_has_code(reason, cls))
		(void)buf_append_str(out, reason);
	else
		(void)buf_printf(out, "%s %s",
		    qmgr_deliver_has_code(dsn, cls) ? dsn :
		    cls == '5' ? "5.0.0" : "4.0.0",
		    *reason ? reason : "delivery failed");
	if (buf_len(out) > QMGR_REASON_MAX)
		buf_truncate(out, QMGR_REASON_MAX);
}

/* qmgr_deliver_outcome - the agent's reply m with status for r */
static void
qmgr_deliver_outcome(struct qmgr_rcpt *r, long long status,
    const struct ipc_msg *m, struct buf *why)
{
	if (status == PROTO_STATUS_OK) {
		qmgr_active_delivered(r);
		return;
	}
	qmgr_deliver_reason(why, (int)status, ipc_str(m, QMGR_REPLY_DSN),
	    ipc_str(m, QMGR_REPLY_REASON));
	if (status == PROTO_STATUS_DEFER)
		qmgr_active_deferred(r, buf_str(why), false);
	else
		qmgr_active_bounced(r, buf_str(why), false);
}

/* qmgr_deliver_read_reply - read and act on the next reply on busy
 * connection c, and on the replies after it already buffered */
static void
qmgr_deliver_read_reply(struct qmgr_conn *c)
{
	struct ipc_msg *m = &qmgr_deliver_reply;
	struct qmgr_rcpt *r;
	struct buf *why;
	long long status;
	bool    last = false;
	int     ret;

	why = buf_new(0);
	do {
		ipc_set_timeout(c->ipc, QMGR_READ_TIMEOUT_MS);
		ret = ipc_get(c->ipc, qmgr_deliver_reply_spec,
		    SYS_ARRAY_LEN(qmgr_deliver_reply_spec), m, why);
		if (ret != 0) {
			qmgr_deliver_fail(c, ret == 1 ? "connection closed" :
			    buf_str(why), ret == 1);
			break;
		}
		status = ipc_num(m, QMGR_REPLY_STATUS);
		if (status != PROTO_STATUS_OK && status != PROTO_STATUS_DEFER
		    && status != PROTO_STATUS_BOUNCE) {
			qmgr_deliver_fail(c, "bad status in reply", false);
			break;
		}
		r = c->batch[c->nreply++];
		c->uses++;
		last = c->nreply == c->nbatch;
		if (!last) {
			/* the next reply has a deadline of its own; c stays
			 * BUSY through r's outcome, so nothing closes it */
			c->deadline = events_now_ms() + var_ipc_timeout * 1000;
		} else {
			c->nbatch = c->nreply = 0;
			c->pool->nbusy--;
			qmgr_deliver_idle_push(c);
			if (ipc_input_pending(c->ipc) > 0) {
				log_warn("service %s: unexpected data after a "
				    "reply; closing the connection",
				    c->pool->service);
				qmgr_deliver_close(c);
			} else if (qmgr_deliver_stopping) {
				qmgr_deliver_close(c);
			}
			/* from here on c may be gone or carry a new batch */
		}
		qmgr_deliver_outcome(r, status, m, why);
	} while (!last && ipc_input_pending(c->ipc) > 0);
	buf_free(why);
	qmgr_deliver_kick();
}

/* qmgr_deliver_event - a connection became readable */
static void
qmgr_deliver_event(int fd, int what, void *ctx)
{
	struct qmgr_conn *c = ctx;
	struct buf *why;

	(void)fd;
	(void)what;
	switch (c->state) {
	case QMGR_CONN_BANNER:
		why = buf_new(0);
		ipc_set_timeout(c->ipc, QMGR_READ_TIMEOUT_MS);
		if (ipc_expect_proto(c->ipc, PROTO_DELIVER, why) < 0) {
			log_warn("service %s: %s", c->pool->service,
			    buf_str(why));
			qmgr_deliver_pause(c->pool);
			qmgr_deliver_close(c);
		} else {
			c->pool->nbanner--;
			qmgr_deliver_idle_push(c);
		}
		buf_free(why);
		qmgr_deliver_kick();
		break;
	case QMGR_CONN_IDLE:
		/* the agent closed the connection (or broke the protocol) */
		qmgr_deliver_close(c);
		break;
	case QMGR_CONN_BUSY:
		qmgr_deliver_read_reply(c);
		break;
	}
}

/* qmgr_deliver_unavailable - defer everything waiting for p's service */
static void
qmgr_deliver_unavailable(struct qmgr_pool *p, const char *why)
{
	static const char reason[] = "4.3.0 mail transport unavailable";
	struct qmgr_retry *b;
	struct qmgr_rcpt *r;
	size_t  n = 0, i;

	while ((b = qmgr_deliver_retry_pop(p)) != NULL) {
		for (i = 0; i < b->n; i++) {
			qmgr_active_deferred(b->rcpt[i], reason, true);
			n++;
		}
		free(b);
	}
	while ((r = qmgr_schedule_take(p->t)) != NULL) {
		qmgr_active_deferred(r, reason, true);
		n++;
	}
	/* one line per minute: the to=<...> lines tell the rest */
	if (p->warned == 0 || events_now_ms() - p->warned
	    >= QMGR_WARN_INTERVAL_MS) {
		log_warn("service %s unavailable (%s): %zu recipient%s "
		    "deferred", p->service, why, n, n == 1 ? "" : "s");
		p->warned = events_now_ms();
	}
}

/* qmgr_deliver_open - start one more connection; false when none can be
 * opened now */
static bool
qmgr_deliver_open(struct qmgr_pool *p)
{
	struct qmgr_conn *c;
	struct ipc *ipc;
	struct buf *why;

	why = buf_new(0);
	ipc = ipc_connect(p->service, QMGR_CONNECT_TIMEOUT_MS, why);
	if (ipc == NULL) {
		if (errno == ENOENT || errno == ECONNREFUSED
		    || errno == ENOTDIR || errno == EACCES) {
			qmgr_deliver_unavailable(p, buf_str(why));
		} else {
			log_warn("%s", buf_str(why));
			qmgr_deliver_pause(p);
		}
		buf_free(why);
		return false;
	}
	buf_free(why);
	c = xcalloc(1, sizeof(*c));
	c->pool = p;
	c->ipc = ipc;
	c->fd = ipc_fd(ipc);
	c->state = QMGR_CONN_BANNER;
	c->deadline = events_now_ms() + QMGR_BANNER_TIMEOUT_MS;
	c->next = p->conns;
	if (p->conns != NULL)
		p->conns->prev = c;
	p->conns = c;
	p->nconn++;
	p->nbanner++;
	events_watch(c->fd, EVENTS_READ, qmgr_deliver_event, c);
	if (!qmgr_deliver_sweeping) {
		qmgr_deliver_sweeping = true;
		events_timer(QMGR_SWEEP_MS, qmgr_deliver_sweep, NULL);
	}
	return true;
}

/* qmgr_deliver_pool_kick - start what pool p can start now */
static void
qmgr_deliver_pool_kick(struct qmgr_pool *p)
{
	struct qmgr_rcpt *batch[PROTO_BATCH_MAX];
	struct qmgr_retry *b;
	size_t  limit, want, n;

	if (qmgr_deliver_stopping)
		return;
	while (p->idle != NULL && (b = qmgr_deliver_retry_pop(p)) != NULL) {
		qmgr_deliver_send(p->idle, b->rcpt, b->n);
		free(b);
	}
	while (p->idle != NULL
	    && (batch[0] = qmgr_schedule_next(p->t)) != NULL) {
		n = qmgr_schedule_fill(batch, 1, PROTO_BATCH_MAX);
		qmgr_deliver_send(p->idle, batch, n);
	}
	if (p->connect_wait)
		return;
	limit = (size_t)qmgr_schedule_transport_limit(p->t);
	want = p->nretry + qmgr_schedule_demand(p->t);
	while (p->nidle + p->nbanner < want && p->nconn < limit) {
		if (!qmgr_deliver_open(p))
			break;
	}
}

/* qmgr_deliver_kick - start every delivery the limits allow */
void
qmgr_deliver_kick(void)
{
	size_t  i;

	if (qmgr_deliver_kicking) {
		qmgr_deliver_again = true;
		return;
	}
	qmgr_deliver_kicking = true;
	do {
		qmgr_deliver_again = false;
		for (i = 0; i < qmgr_schedule_transport_count(); i++)
			qmgr_deliver_pool_kick(qmgr_deliver_pool(
			    qmgr_schedule_transport(i)));
	} while (qmgr_deliver_again);
	qmgr_deliver_kicking = false;
}

/* qmgr_deliver_sweep - enforce deadlines, once a second while there are
 * connections */
static void
qmgr_deliver_sweep(void *ctx)
{
	struct qmgr_conn *c, *next;
	struct qmgr_pool *p;
	long long now = events_now_ms();
	size_t  i, nconn = 0;

	(void)ctx;
	for (i = 0; i < qmgr_schedule_transport_count(); i++) {
		p = qmgr_deliver_pool(qmgr_schedule_transport(i));
		for (c = p->conns; c != NULL; c = next) {
			next = c->next;
			if (now < c->deadline)
				continue;
			if (c->state == QMGR_CONN_BUSY) {
				qmgr_deliver_fail(c, "timeout waiting for "
				    "the reply", false);
				/* the kick may have changed the list */
				next = p->conns;
			} else {
				if (c->state == QMGR_CONN_BANNER)
					log_warn("service %s: timeout waiting "
					    "for the protocol banner",
					    p->service);
				qmgr_deliver_close(c);
			}
		}
		nconn += p->nconn;
	}
	qmgr_deliver_sweeping = nconn > 0;
	if (qmgr_deliver_sweeping)
		events_timer(QMGR_SWEEP_MS, qmgr_deliver_sweep, NULL);
}

/* qmgr_deliver_init - empty pools */
void
qmgr_deliver_init(void)
{
	size_t  i;

	for (i = 0; i < qmgr_schedule_transport_count(); i++)
		(void)qmgr_deliver_pool(qmgr_schedule_transport(i));
}

/* qmgr_deliver_drain - stop starting deliveries; true when none is left */
bool
qmgr_deliver_drain(void)
{
	struct qmgr_conn *c, *next;
	struct qmgr_pool *p;
	size_t  i, busy = 0;

	qmgr_deliver_stopping = true;
	for (i = 0; i < qmgr_schedule_transport_count(); i++) {
		p = qmgr_deliver_pool(qmgr_schedule_transport(i));
		for (c = p->conns; c != NULL; c = next) {
			next = c->next;
			if (c->state != QMGR_CONN_BUSY)
				qmgr_deliver_close(c);
		}
		busy += p->nbusy;
	}
	return busy == 0;
}
