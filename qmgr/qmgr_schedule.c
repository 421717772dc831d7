/* qmgr_schedule.c - which recipients go next, in which delivery
 *
 * Owns the transports ("local", "smtp") and their destinations. A
 * recipient is routed to a transport and a destination key: local for an
 * address without a domain, with "localhost" or with a domain listed in
 * mydestination or virtual_mailbox_domains (local delivers virtual
 * mailboxes too; key: the lower-cased address, so that
 * local_destination_concurrency_limit bounds the parallel deliveries to
 * one mailbox); smtp for the rest (key: relayhost when set, else the
 * lower-cased domain). Each destination keeps its pending recipients in a
 * FIFO; since messages are activated in order and all recipients of a
 * message are added at once, each FIFO is sorted by (activation sequence,
 * recipient index).
 *
 * The FIFO is doubly linked so that qmgr_schedule_remove takes a pending
 * recipient out in O(1) (an administrator's hold, delete or requeue of
 * its message: qmgr_active_admin).
 *
 * The limits count deliveries, not recipients. A delivery (struct
 * qmgr_batch) is one batch of deliver/1 requests on one connection: 1 to
 * the transport's batch limit (local PROTO_BATCH_MAX, smtp 1) recipients
 * of one destination, no two of one message. qmgr_schedule_next starts a
 * delivery with the oldest recipient the limits allow; qmgr_schedule_fill
 * then takes the following recipients of the same destination's FIFO
 * into it, so a mailbox that many messages wait for gets them in a few
 * deliveries (one fork, one fsync of new/ each) while
 * local_destination_concurrency_limit still bounds the parallel
 * deliveries to it. Every in-flight recipient points to its delivery,
 * which counts its recipients without an outcome; the delivery holds one
 * slot of its destination and one of its transport until the last of
 * them is done (qmgr_schedule_done), then it is freed.
 *
 * A destination is ready when it has a pending recipient and fewer than its
 * limit of deliveries in flight. Each transport keeps its ready
 * destinations in a binary min-heap keyed by their head recipient, so
 * qmgr_schedule_next gives the oldest message's recipient that the limits
 * allow (FIFO by message) in O(log destinations), and each recipient that
 * qmgr_schedule_fill adds costs the same; a transport never has more than
 * its total limit (default_destination_concurrency_limit) of deliveries in
 * flight. A destination with nothing pending and nothing in flight is
 * freed.
 *
 * This file does no I/O: qmgr_deliver.c asks for work, qmgr_active.c adds
 * recipients and reports outcomes (qmgr_schedule_done).
 */
#include "qmgr.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#define QMGR_NOT_IN_HEAP	SIZE_MAX

/* one delivery in flight: a batch of recipients of one destination */
struct qmgr_batch {
	struct qmgr_dest *dest;
	size_t	nrcpt;			/* recipients taken into it */
	size_t	open;			/* of them without an outcome yet */
};

struct qmgr_dest {
	struct qmgr_transport *transport;
	char	*key;
	struct qmgr_rcpt *head, *tail;	/* pending FIFO */
	size_t	pending, inflight;	/* recipients */
	size_t	batches;		/* deliveries in flight */
	size_t	heap_index;		/* QMGR_NOT_IN_HEAP when not ready */
	struct qmgr_dest *pprev, *pnext; /* list of dests with pending */
};

struct qmgr_transport {
	const char *name;
	size_t	batch_limit;		/* recipients per delivery */
	size_t	limit;			/* deliveries through the transport */
	size_t	dest_limit;		/* deliveries per destination */
	size_t	inflight, pending;	/* recipients */
	size_t	batches;		/* deliveries in flight */
	struct qmgr_table *dests;
	struct qmgr_dest **heap;	/* ready destinations */
	size_t	nheap, heap_cap;
	struct qmgr_dest *phead;	/* destinations with pending */
	void	*pool;			/* qmgr_deliver.c's connections */
};

static struct qmgr_transport qmgr_transports[] = {
	{.name = QMGR_TRANSPORT_LOCAL, .batch_limit = PROTO_BATCH_MAX},
	{.name = QMGR_TRANSPORT_SMTP, .batch_limit = 1},
};

/* qmgr_schedule_clamp - a limit parameter as a count of at least 1 */
static size_t
qmgr_schedule_clamp(long long v)
{
	return v < 1 ? 1 : (size_t)v;
}

/* qmgr_schedule_init - the transports, with limits from main.cf */
void
qmgr_schedule_init(void)
{
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(qmgr_transports); i++) {
		struct qmgr_transport *t = &qmgr_transports[i];

		t->limit = qmgr_schedule_clamp(
		    var_default_destination_concurrency_limit);
		t->dest_limit = strcmp(t->name, QMGR_TRANSPORT_LOCAL) == 0 ?
		    qmgr_schedule_clamp(
		    var_local_destination_concurrency_limit) : t->limit;
		if (t->dests == NULL)
			t->dests = qmgr_table_new();
	}
}

/* qmgr_schedule_is_local - whether domain is delivered by local */
static bool
qmgr_schedule_is_local(const char *domain)
{
	return *domain == '\0' || str_casecmp(domain, "localhost") == 0
	    || (var_mydestination != NULL
		&& params_list_has(var_mydestination, domain))
	    || (var_virtual_mailbox_domains != NULL
		&& params_list_has(var_virtual_mailbox_domains, domain));
}

/* qmgr_schedule_route - transport name and destination key for addr */
const char *
qmgr_schedule_route(const char *addr, struct buf *key)
{
	const char *at = strrchr(addr, '@');
	const char *domain = at != NULL ? at + 1 : "";

	buf_reset(key);
	if (qmgr_schedule_is_local(domain)) {
		(void)buf_set(key, addr);	/* bounded by QMGR_ADDR_MAX */
		str_lower(key->data);
		return QMGR_TRANSPORT_LOCAL;
	}
	if (var_relayhost != NULL && *var_relayhost != '\0')
		(void)buf_set(key, var_relayhost);
	else
		(void)buf_set(key, domain);
	str_lower(key->data);
	return QMGR_TRANSPORT_SMTP;
}

/* qmgr_schedule_find_transport - the transport named name */
static struct qmgr_transport *
qmgr_schedule_find_transport(const char *name)
{
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(qmgr_transports); i++) {
		if (strcmp(qmgr_transports[i].name, name) == 0)
			return &qmgr_transports[i];
	}
	log_panic("qmgr_schedule: unknown transport %s", name);
}

/* qmgr_schedule_before - whether a's head recipient is older than b's */
static bool
qmgr_schedule_before(const struct qmgr_dest *a, const struct qmgr_dest *b)
{
	const struct qmgr_rcpt *ra = a->head, *rb = b->head;

	if (ra->msg->seq != rb->msg->seq)
		return ra->msg->seq < rb->msg->seq;
	return ra->index < rb->index;
}

/* qmgr_schedule_heap_set - put d at heap slot i */
static void
qmgr_schedule_heap_set(struct qmgr_transport *t, size_t i,
    struct qmgr_dest *d)
{
	t->heap[i] = d;
	d->heap_index = i;
}

/* qmgr_schedule_sift_up - restore the heap above slot i */
static void
qmgr_schedule_sift_up(struct qmgr_transport *t, size_t i)
{
	struct qmgr_dest *d = t->heap[i];
	size_t  parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!qmgr_schedule_before(d, t->heap[parent]))
			break;
		qmgr_schedule_heap_set(t, i, t->heap[parent]);
		i = parent;
	}
	qmgr_schedule_heap_set(t, i, d);
}

/* qmgr_schedule_sift_down - restore the heap below slot i */
static void
qmgr_schedule_sift_down(struct qmgr_transport *t, size_t i)
{
	struct qmgr_dest *d = t->heap[i];
	size_t  child;

	for (;;) {
		child = 2 * i + 1;
		if (child >= t->nheap)
			break;
		if (child + 1 < t->nheap && qmgr_schedule_before(
		    t->heap[child + 1], t->heap[child]))
			child++;
		if (!qmgr_schedule_before(t->heap[child], d))
			break;
		qmgr_schedule_heap_set(t, i, t->heap[child]);
		i = child;
	}
	qmgr_schedule_heap_set(t, i, d);
}

/* qmgr_schedule_heap_push - add a ready destination */
static void
qmgr_schedule_heap_push(struct qmgr_transport *t, struct qmgr_dest *d)
{
	if (t->nheap == t->heap_cap) {
		t->heap_cap = t->heap_cap ? t->heap_cap * 2 : 16;
		t->heap = xreallocarray(t->heap, t->heap_cap,
		    sizeof(*t->heap));
	}
	qmgr_schedule_heap_set(t, t->nheap++, d);
	qmgr_schedule_sift_up(t, t->nheap - 1);
}

/* qmgr_schedule_heap_remove - take d out of the heap */
static void
qmgr_schedule_heap_remove(struct qmgr_transport *t, struct qmgr_dest *d)
{
	size_t  i = d->heap_index;
	struct qmgr_dest *last;

	d->heap_index = QMGR_NOT_IN_HEAP;
	last = t->heap[--t->nheap];
	if (i == t->nheap)
		return;
	qmgr_schedule_heap_set(t, i, last);
	qmgr_schedule_sift_down(t, i);
	qmgr_schedule_sift_up(t, last->heap_index);
}

/* qmgr_schedule_update - put d in or out of the heap after a change of
 * its head or counters; key_up: its head key may have grown */
static void
qmgr_schedule_update(struct qmgr_dest *d, bool key_up)
{
	struct qmgr_transport *t = d->transport;
	bool    ready = d->pending > 0 && d->batches < t->dest_limit;

	if (!ready) {
		if (d->heap_index != QMGR_NOT_IN_HEAP)
			qmgr_schedule_heap_remove(t, d);
	} else if (d->heap_index == QMGR_NOT_IN_HEAP) {
		qmgr_schedule_heap_push(t, d);
	} else if (key_up) {
		qmgr_schedule_sift_down(t, d->heap_index);
	} else {
		qmgr_schedule_sift_up(t, d->heap_index);
	}
}

/* qmgr_schedule_plist_add - d now has pending recipients */
static void
qmgr_schedule_plist_add(struct qmgr_dest *d)
{
	struct qmgr_transport *t = d->transport;

	d->pprev = NULL;
	d->pnext = t->phead;
	if (t->phead != NULL)
		t->phead->pprev = d;
	t->phead = d;
}

/* qmgr_schedule_plist_del - d has no pending recipients any more */
static void
qmgr_schedule_plist_del(struct qmgr_dest *d)
{
	struct qmgr_transport *t = d->transport;

	if (d->pprev != NULL)
		d->pprev->pnext = d->pnext;
	else
		t->phead = d->pnext;
	if (d->pnext != NULL)
		d->pnext->pprev = d->pprev;
	d->pprev = d->pnext = NULL;
}

/* qmgr_schedule_add - queue a pending recipient at its destination */
void
qmgr_schedule_add(struct qmgr_rcpt *rcpt)
{
	struct qmgr_transport *t;
	struct qmgr_dest *d;
	struct buf *key;

	key = buf_new(0);
	t = qmgr_schedule_find_transport(qmgr_schedule_route(rcpt->addr,
	    key));
	d = qmgr_table_find(t->dests, buf_str(key));
	if (d == NULL) {
		d = xcalloc(1, sizeof(*d));
		d->transport = t;
		d->key = xstrdup(buf_str(key));
		d->heap_index = QMGR_NOT_IN_HEAP;
		qmgr_table_add(t->dests, d->key, d);
	}
	buf_free(key);
	rcpt->dest = d;
	rcpt->next = NULL;
	rcpt->prev = d->tail;
	rcpt->state = QMGR_RCPT_PENDING;
	if (d->tail != NULL)
		d->tail->next = rcpt;
	else
		d->head = rcpt;
	d->tail = rcpt;
	if (d->pending++ == 0)
		qmgr_schedule_plist_add(d);
	t->pending++;
	qmgr_schedule_update(d, false);
}

/* qmgr_schedule_pop - take d's head recipient into flight in delivery b */
static struct qmgr_rcpt *
qmgr_schedule_pop(struct qmgr_dest *d, struct qmgr_batch *b)
{
	struct qmgr_transport *t = d->transport;
	struct qmgr_rcpt *r = d->head;

	d->head = r->next;
	if (d->head == NULL)
		d->tail = NULL;
	else
		d->head->prev = NULL;
	r->next = NULL;
	if (--d->pending == 0)
		qmgr_schedule_plist_del(d);
	d->inflight++;
	t->pending--;
	t->inflight++;
	r->state = QMGR_RCPT_INFLIGHT;
	r->batch = b;
	b->nrcpt++;
	b->open++;
	qmgr_schedule_update(d, true);
	return r;
}

/* qmgr_schedule_start - a new delivery at d, starting with its head
 * recipient; it takes a slot of d and of d's transport */
static struct qmgr_rcpt *
qmgr_schedule_start(struct qmgr_dest *d)
{
	struct qmgr_batch *b;

	b = xcalloc(1, sizeof(*b));
	b->dest = d;
	/* before the pop: the slot decides whether d stays ready */
	d->batches++;
	d->transport->batches++;
	return qmgr_schedule_pop(d, b);
}

/* qmgr_schedule_free_idle - free d when nothing is pending or in flight;
 * true when it was freed */
static bool
qmgr_schedule_free_idle(struct qmgr_dest *d)
{
	struct qmgr_transport *t = d->transport;

	if (d->pending != 0 || d->inflight != 0)
		return false;
	if (d->heap_index != QMGR_NOT_IN_HEAP)
		log_panic("qmgr_schedule: idle destination in the heap");
	if (qmgr_table_remove(t->dests, d->key) != d)
		log_panic("qmgr_schedule: lost destination %s", d->key);
	free(d->key);
	free(d);
	return true;
}

/* qmgr_schedule_remove - take a pending recipient out of its queue */
void
qmgr_schedule_remove(struct qmgr_rcpt *rcpt)
{
	struct qmgr_dest *d = rcpt->dest;
	struct qmgr_transport *t;
	bool    was_head;

	if (d == NULL || rcpt->state != QMGR_RCPT_PENDING)
		log_panic("qmgr_schedule_remove: <%s> is not pending",
		    rcpt->addr);
	t = d->transport;
	was_head = d->head == rcpt;
	if (rcpt->prev != NULL)
		rcpt->prev->next = rcpt->next;
	else
		d->head = rcpt->next;
	if (rcpt->next != NULL)
		rcpt->next->prev = rcpt->prev;
	else
		d->tail = rcpt->prev;
	rcpt->next = rcpt->prev = NULL;
	rcpt->dest = NULL;
	if (--d->pending == 0)
		qmgr_schedule_plist_del(d);
	t->pending--;
	/* the head can only have become younger: its key grew */
	qmgr_schedule_update(d, was_head);
	(void)qmgr_schedule_free_idle(d);
}

/* qmgr_schedule_next - a delivery of the oldest recipient the limits
 * allow */
struct qmgr_rcpt *
qmgr_schedule_next(struct qmgr_transport *t)
{
	if (t->batches >= t->limit || t->nheap == 0)
		return NULL;
	return qmgr_schedule_start(t->heap[0]);
}

/* qmgr_schedule_in_batch - whether a recipient of msg is in batch[0..n) */
static bool
qmgr_schedule_in_batch(struct qmgr_rcpt *const *batch, size_t n,
    const struct qmgr_message *msg)
{
	size_t  i;

	for (i = 0; i < n; i++) {
		if (batch[i]->msg == msg)
			return true;
	}
	return false;
}

/* qmgr_schedule_fill - more recipients of batch[0]'s destination into
 * its delivery: FIFO, up to the batch limit, one per message */
size_t
qmgr_schedule_fill(struct qmgr_rcpt **batch, size_t n, size_t max)
{
	struct qmgr_batch *b;
	struct qmgr_dest *d;

	if (n == 0 || batch[0]->state != QMGR_RCPT_INFLIGHT
	    || (b = batch[0]->batch) == NULL || b->nrcpt != n || b->open != n)
		log_panic("qmgr_schedule_fill: not a delivery being started");
	d = b->dest;
	if (max > d->transport->batch_limit)
		max = d->transport->batch_limit;
	/* the FIFO is in message order, so a repeated message can only be a
	 * second recipient (same address up to case) of the last one taken;
	 * stop there rather than skip it: the next delivery starts with it */
	while (n < max && d->head != NULL
	    && !qmgr_schedule_in_batch(batch, n, d->head->msg))
		batch[n++] = qmgr_schedule_pop(d, b);
	return n;
}

/* qmgr_schedule_take - a delivery of any pending recipient, regardless
 * of limits */
struct qmgr_rcpt *
qmgr_schedule_take(struct qmgr_transport *t)
{
	return t->phead != NULL ? qmgr_schedule_start(t->phead) : NULL;
}

/* qmgr_schedule_done - an in-flight recipient has its outcome */
void
qmgr_schedule_done(struct qmgr_rcpt *rcpt)
{
	struct qmgr_dest *d = rcpt->dest;
	struct qmgr_batch *b = rcpt->batch;
	struct qmgr_transport *t;

	if (d == NULL || b == NULL || b->dest != d || b->open == 0
	    || rcpt->state != QMGR_RCPT_INFLIGHT)
		log_panic("qmgr_schedule_done: <%s> is not in flight",
		    rcpt->addr);
	t = d->transport;
	rcpt->dest = NULL;
	rcpt->batch = NULL;
	d->inflight--;
	t->inflight--;
	if (--b->open == 0) {
		/* the delivery is over: its slots are free */
		d->batches--;
		t->batches--;
		free(b);
	}
	if (qmgr_schedule_free_idle(d))
		return;
	qmgr_schedule_update(d, false);
}

/* qmgr_schedule_pending - pending recipients of transport */
size_t
qmgr_schedule_pending(const struct qmgr_transport *t)
{
	return t->pending;
}

/* qmgr_schedule_ready - whether transport may start a delivery now */
bool
qmgr_schedule_ready(const struct qmgr_transport *t)
{
	return t->batches < t->limit && t->nheap > 0;
}

/* qmgr_schedule_demand - how many deliveries of transport could start
 * now: the sum over ready destinations of their free slots, each at most
 * the full batches its pending recipients make, capped by the
 * transport's free slots; O(limit) since each ready destination adds one
 * or more. A batch may come out shorter (two recipients of one message),
 * so this can fall short; the next call sees the rest. */
size_t
qmgr_schedule_demand(const struct qmgr_transport *t)
{
	size_t  room, n = 0, i, slots, want;
	const struct qmgr_dest *d;

	if (t->batches >= t->limit)
		return 0;
	room = t->limit - t->batches;
	for (i = 0; i < t->nheap && n < room; i++) {
		d = t->heap[i];
		slots = t->dest_limit - d->batches;
		want = (d->pending + t->batch_limit - 1) / t->batch_limit;
		n += want < slots ? want : slots;
	}
	return n < room ? n : room;
}

/* qmgr_schedule_inflight - recipients in flight, all transports */
size_t
qmgr_schedule_inflight(void)
{
	size_t  i, n = 0;

	for (i = 0; i < SYS_ARRAY_LEN(qmgr_transports); i++)
		n += qmgr_transports[i].inflight;
	return n;
}

/* qmgr_schedule_deliveries - deliveries in flight, all transports */
size_t
qmgr_schedule_deliveries(void)
{
	size_t  i, n = 0;

	for (i = 0; i < SYS_ARRAY_LEN(qmgr_transports); i++)
		n += qmgr_transports[i].batches;
	return n;
}

/* qmgr_schedule_transport_count - number of transports */
size_t
qmgr_schedule_transport_count(void)
{
	return SYS_ARRAY_LEN(qmgr_transports);
}

/* qmgr_schedule_transport - transport i */
struct qmgr_transport *
qmgr_schedule_transport(size_t i)
{
	if (i >= SYS_ARRAY_LEN(qmgr_transports))
		log_panic("qmgr_schedule_transport: index %zu", i);
	return &qmgr_transports[i];
}

/* qmgr_schedule_transport_name - the service name of transport */
const char *
qmgr_schedule_transport_name(const struct qmgr_transport *t)
{
	return t->name;
}

/* qmgr_schedule_transport_limit - deliveries in flight at most */
int
qmgr_schedule_transport_limit(const struct qmgr_transport *t)
{
	return t->limit > INT_MAX ? INT_MAX : (int)t->limit;
}

/* qmgr_schedule_transport_pool - qmgr_deliver.c's state for t */
void   *
qmgr_schedule_transport_pool(struct qmgr_transport *t)
{
	return t->pool;
}

/* qmgr_schedule_set_transport_pool - set qmgr_deliver.c's state for t */
void
qmgr_schedule_set_transport_pool(struct qmgr_transport *t, void *pool)
{
	t->pool = pool;
}
