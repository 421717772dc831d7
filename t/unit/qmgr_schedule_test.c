/* qmgr_schedule_test.c - qmgr's scheduler: routing, FIFO, limits, batches
 *
 * Drives qmgr_schedule.c without any I/O: recipients of hand-made
 * messages are added, taken with qmgr_schedule_next (and batched with
 * qmgr_schedule_fill) and finished with qmgr_schedule_done, and the order
 * and the concurrency limits are checked: routing to local or smtp with
 * the destination key, FIFO by message, local_destination_concurrency_limit
 * per recipient address, default_destination_concurrency_limit per
 * transport, demand, and qmgr_schedule_take ignoring the limits. Batches:
 * FIFO, at most the batch limit (PROTO_BATCH_MAX for local, 1 for smtp),
 * never two recipients of one message, one delivery each against both
 * limits, the slot freed only with the batch's last recipient. Linked
 * with qmgr's objects except qmgr.o.
 */
#include "../../qmgr/qmgr.h"
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"

static const struct route_case {
	const char *addr;
	const char *relayhost;
	const char *transport;
	const char *key;
} route_cases[] = {
	{"user", "", QMGR_TRANSPORT_LOCAL, "user"},
	{"User@LocalHost", "", QMGR_TRANSPORT_LOCAL, "user@localhost"},
	{"bob@example.com", "", QMGR_TRANSPORT_LOCAL, "bob@example.com"},
	{"bob@MX.Example.Test", "", QMGR_TRANSPORT_LOCAL,
	"bob@mx.example.test"},
	{"bob@remote.example", "", QMGR_TRANSPORT_SMTP, "remote.example"},
	{"bob@Remote.Example", "[relay.example]:587", QMGR_TRANSPORT_SMTP,
	"[relay.example]:587"},
	{"a@b@example.com", "", QMGR_TRANSPORT_LOCAL, "a@b@example.com"},
	{"bob@", "", QMGR_TRANSPORT_LOCAL, "bob@"},
};

/* new_message - a message with the given recipients, activation seq */
static struct qmgr_message *
new_message(unsigned long long seq, const char *const *rcpts, size_t n)
{
	struct qmgr_message *msg;
	size_t  i;

	msg = xcalloc(1, sizeof(*msg));
	(void)snprintf(msg->id, sizeof(msg->id), "65600000000%06llX", seq);
	msg->seq = seq;
	msg->fd = -1;
	msg->rcpts = xcalloc(n, sizeof(*msg->rcpts));
	msg->nrcpt = n;
	for (i = 0; i < n; i++) {
		msg->rcpts[i].msg = msg;
		msg->rcpts[i].index = i;
		msg->rcpts[i].addr = xstrdup(rcpts[i]);
	}
	return msg;
}

/* add_all - hand every recipient of msg to the scheduler */
static void
add_all(struct qmgr_message *msg)
{
	size_t  i;

	for (i = 0; i < msg->nrcpt; i++)
		qmgr_schedule_add(&msg->rcpts[i]);
}

/* test_route - transport and key per address */
static void
test_route(void)
{
	struct buf *key = buf_new(0);
	const char *t;
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(route_cases); i++) {
		var_relayhost = (char *)route_cases[i].relayhost;
		t = qmgr_schedule_route(route_cases[i].addr, key);
		ok(strcmp(t, route_cases[i].transport) == 0
		    && strcmp(buf_str(key), route_cases[i].key) == 0,
		    "route %s -> %s %s", route_cases[i].addr,
		    route_cases[i].transport, route_cases[i].key);
	}
	var_relayhost = (char *)"";
	buf_free(key);
}

/* test_fifo_and_limits - local transport: order and the limits */
static void
test_fifo_and_limits(void)
{
	static const char *const r1[] = {"a@example.com", "b@example.com"};
	static const char *const r2[] = {"a@example.com", "c@example.com"};
	static const char *const r3[] = {"a@example.com"};
	struct qmgr_transport *t = qmgr_schedule_transport(0);
	struct qmgr_message *m1, *m2, *m3;
	struct qmgr_rcpt *x, *y, *z, *w, *v;

	is_str(qmgr_schedule_transport_name(t), QMGR_TRANSPORT_LOCAL,
	    "transport 0 is local");
	m1 = new_message(1, r1, 2);
	m2 = new_message(2, r2, 2);
	m3 = new_message(3, r3, 1);
	add_all(m1);
	add_all(m2);
	add_all(m3);
	is_int((long long)qmgr_schedule_pending(t), 5, "5 pending");
	/* demand counts deliveries: a@'s three make one batch */
	is_int((long long)qmgr_schedule_demand(t), 3,
	    "demand: a(one batch)+b+c");
	/* dest a: limit 2; taken one by one (no fill), a@ of m3 must wait
	 * for one of the first two */
	x = qmgr_schedule_next(t);
	y = qmgr_schedule_next(t);
	z = qmgr_schedule_next(t);
	w = qmgr_schedule_next(t);
	ok(x == &m1->rcpts[0] && y == &m1->rcpts[1], "FIFO: m1 first");
	ok(z == &m2->rcpts[0] && w == &m2->rcpts[1], "FIFO: then m2");
	ok(qmgr_schedule_next(t) == NULL,
	    "per-recipient limit holds back the third a@example.com");
	is_int((long long)qmgr_schedule_inflight(), 4, "4 in flight");
	ok(x->state == QMGR_RCPT_INFLIGHT, "taken recipient is in flight");
	qmgr_schedule_done(y);
	ok(qmgr_schedule_next(t) == NULL,
	    "another destination finishing frees no a@ slot");
	qmgr_schedule_done(x);
	v = qmgr_schedule_next(t);
	ok(v == &m3->rcpts[0], "a@ slot freed: m3 goes");
	qmgr_schedule_done(z);
	qmgr_schedule_done(w);
	qmgr_schedule_done(v);
	is_int((long long)qmgr_schedule_inflight(), 0, "nothing in flight");
	is_int((long long)qmgr_schedule_pending(t), 0, "nothing pending");
	m1 = qmgr_message_free(m1);
	m2 = qmgr_message_free(m2);
	m3 = qmgr_message_free(m3);
}

/* in_order - whether batch[0..n) are the first recipients of m[0..n) */
static bool
in_order(struct qmgr_rcpt *const *batch, size_t n,
    struct qmgr_message *const *m)
{
	size_t  i;

	for (i = 0; i < n; i++) {
		if (batch[i] != &m[i]->rcpts[0])
			return false;
	}
	return true;
}

/* done_all - every recipient of batch[0..n) has its outcome */
static void
done_all(struct qmgr_rcpt *const *batch, size_t n)
{
	size_t  i;

	for (i = 0; i < n; i++)
		qmgr_schedule_done(batch[i]);
}

#define NBOX	(2 * PROTO_BATCH_MAX + 8)

/* test_batch_limits - one mailbox, many messages: full batches in FIFO
 * order, two of them in flight (local_destination_concurrency_limit 2),
 * a slot freed with the last recipient of its batch */
static void
test_batch_limits(void)
{
	static const char *const lower[] = {"box@example.com"};
	static const char *const upper[] = {"Box@Example.COM"};
	struct qmgr_transport *t = qmgr_schedule_transport(0);
	struct qmgr_message *m[NBOX];
	struct qmgr_rcpt *b1[PROTO_BATCH_MAX], *b2[PROTO_BATCH_MAX];
	struct qmgr_rcpt *b3[PROTO_BATCH_MAX];
	size_t  i, n1, n2, n3;
	bool    held = true;

	for (i = 0; i < NBOX; i++) {
		m[i] = new_message(100 + i, i % 2 ? upper : lower, 1);
		add_all(m[i]);
	}
	is_int((long long)qmgr_schedule_demand(t), 2,
	    "batch demand: two deliveries to one mailbox");
	b1[0] = qmgr_schedule_next(t);
	n1 = qmgr_schedule_fill(b1, 1, PROTO_BATCH_MAX);
	is_int((long long)n1, PROTO_BATCH_MAX, "batch: the first is full");
	ok(in_order(b1, n1, m), "batch: FIFO, address case ignored");
	b2[0] = qmgr_schedule_next(t);
	n2 = qmgr_schedule_fill(b2, 1, PROTO_BATCH_MAX);
	ok(n2 == PROTO_BATCH_MAX && in_order(b2, n2, m + PROTO_BATCH_MAX),
	    "batch: the second takes the next ones");
	ok(qmgr_schedule_next(t) == NULL,
	    "batch: a third waits for the destination limit of 2");
	is_int((long long)qmgr_schedule_inflight(), 2 * PROTO_BATCH_MAX,
	    "batch: every recipient is in flight");
	is_int((long long)qmgr_schedule_deliveries(), 2,
	    "batch: two deliveries in flight");
	is_int((long long)qmgr_schedule_pending(t), 8, "batch: 8 pending");
	is_int((long long)qmgr_schedule_demand(t), 0,
	    "batch demand: none at the destination limit");
	for (i = 0; i + 1 < n1; i++) {
		qmgr_schedule_done(b1[i]);
		if (qmgr_schedule_ready(t))
			held = false;
	}
	ok(held && qmgr_schedule_next(t) == NULL, "batch: the slot stays "
	    "taken until its last recipient is done");
	qmgr_schedule_done(b1[n1 - 1]);
	is_int((long long)qmgr_schedule_deliveries(), 1,
	    "batch: the last recipient frees the slot");
	ok(qmgr_schedule_ready(t), "batch: ready again");
	b3[0] = qmgr_schedule_next(t);
	n3 = qmgr_schedule_fill(b3, 1, 3);
	is_int((long long)n3, 3, "batch: fill stops at max");
	n3 = qmgr_schedule_fill(b3, n3, PROTO_BATCH_MAX);
	ok(n3 == 8 && in_order(b3, n3, m + 2 * PROTO_BATCH_MAX),
	    "batch: fill again takes the rest of the queue");
	is_int((long long)qmgr_schedule_deliveries(), 2,
	    "batch: growing a batch takes no slot");
	done_all(b2, n2);
	done_all(b3, n3);
	ok(qmgr_schedule_inflight() == 0 && qmgr_schedule_deliveries() == 0
	    && qmgr_schedule_pending(t) == 0, "batch: all done");
	for (i = 0; i < NBOX; i++)
		m[i] = qmgr_message_free(m[i]);
}

/* test_batch_one_per_message - a message with two recipients that share
 * the destination (same address up to case) ends the batch */
static void
test_batch_one_per_message(void)
{
	static const char *const two[] = {"Dup@example.com",
	"dup@example.com"};
	static const char *const one[] = {"dup@example.com"};
	struct qmgr_transport *t = qmgr_schedule_transport(0);
	struct qmgr_rcpt *b1[PROTO_BATCH_MAX], *b2[PROTO_BATCH_MAX];
	struct qmgr_message *m1, *m2, *m3;
	size_t  n1, n2;

	m1 = new_message(200, two, 2);
	m2 = new_message(201, one, 1);
	m3 = new_message(202, one, 1);
	add_all(m1);
	add_all(m2);
	add_all(m3);
	b1[0] = qmgr_schedule_next(t);
	n1 = qmgr_schedule_fill(b1, 1, PROTO_BATCH_MAX);
	ok(b1[0] == &m1->rcpts[0] && n1 == 1,
	    "batch: stops before a second recipient of its message");
	b2[0] = qmgr_schedule_next(t);
	n2 = qmgr_schedule_fill(b2, 1, PROTO_BATCH_MAX);
	ok(n2 == 3 && b2[0] == &m1->rcpts[1] && b2[1] == &m2->rcpts[0]
	    && b2[2] == &m3->rcpts[0], "batch: the next one starts with it");
	done_all(b2, n2);
	done_all(b1, n1);
	is_int((long long)qmgr_schedule_deliveries(), 0,
	    "batch: no delivery left");
	qmgr_message_free(m1);
	qmgr_message_free(m2);
	qmgr_message_free(m3);
}

/* test_batch_transport_limit - default_destination_concurrency_limit 3
 * counts batches, not recipients */
static void
test_batch_transport_limit(void)
{
	static const char *const abc[] = {"a@example.com", "b@example.com",
	"c@example.com"};
	static const char *const d[] = {"d@example.com"};
	struct qmgr_transport *t = qmgr_schedule_transport(0);
	struct qmgr_rcpt *b[3][PROTO_BATCH_MAX], *x;
	struct qmgr_message *m[5], *md;
	size_t  n[3], i;
	bool    full = true, dests = true;

	for (i = 0; i < 5; i++) {
		m[i] = new_message(300 + i, abc, 3);
		add_all(m[i]);
	}
	for (i = 0; i < 3; i++) {
		b[i][0] = qmgr_schedule_next(t);
		n[i] = b[i][0] != NULL ? qmgr_schedule_fill(b[i], 1,
		    PROTO_BATCH_MAX) : 0;
		if (n[i] != 5)
			full = false;
		else if (b[i][0] != &m[0]->rcpts[i]
		    || b[i][4] != &m[4]->rcpts[i])
			dests = false;
	}
	ok(full && dests, "batch: one per destination, each of 5 messages");
	is_int((long long)qmgr_schedule_inflight(), 15,
	    "batch: 15 recipients in flight");
	md = new_message(305, d, 1);
	add_all(md);
	ok(qmgr_schedule_next(t) == NULL && !qmgr_schedule_ready(t),
	    "batch: 3 deliveries reach the transport limit of 3");
	done_all(b[1], n[1]);
	x = qmgr_schedule_next(t);
	ok(x == &md->rcpts[0], "batch: a finished batch frees a transport "
	    "slot");
	qmgr_schedule_done(x);
	done_all(b[0], n[0]);
	done_all(b[2], n[2]);
	is_int((long long)qmgr_schedule_deliveries(), 0,
	    "batch: transport idle");
	for (i = 0; i < 5; i++)
		qmgr_message_free(m[i]);
	qmgr_message_free(md);
}

/* test_transport_limit - default_destination_concurrency_limit */
static void
test_transport_limit(void)
{
	static const char *const rcpts[] = {"u1@example.com",
		"u2@example.com", "u3@example.com", "u4@example.com",
	"u5@example.com"};
	struct qmgr_transport *t = qmgr_schedule_transport(0);
	struct qmgr_rcpt *got[5];
	struct qmgr_message *m;
	size_t  i, n = 0;

	m = new_message(10, rcpts, 5);
	add_all(m);
	is_int((long long)qmgr_schedule_demand(t), 3, "demand capped by the "
	    "transport limit");
	while (n < 5 && (got[n] = qmgr_schedule_next(t)) != NULL)
		n++;
	is_int((long long)n, 3, "transport limit 3 in flight");
	ok(qmgr_schedule_ready(t) == false, "not ready at the limit");
	qmgr_schedule_done(got[1]);
	ok(qmgr_schedule_ready(t), "ready after one finished");
	got[1] = qmgr_schedule_next(t);
	ok(got[1] == &m->rcpts[3], "next in order");
	/* take ignores the limits, to fail everything */
	got[3] = qmgr_schedule_take(t);
	ok(got[3] == &m->rcpts[4], "take ignores the transport limit");
	ok(qmgr_schedule_take(t) == NULL, "take: nothing left");
	for (i = 0; i < 4; i++)
		qmgr_schedule_done(got[i]);
	is_int((long long)qmgr_schedule_inflight(), 0, "all done");
	qmgr_message_free(m);
}

/* test_smtp - remote recipients share their domain's destination */
static void
test_smtp(void)
{
	static const char *const rcpts[] = {"a@remote.example",
	"b@remote.example", "c@other.example"};
	struct qmgr_transport *t = qmgr_schedule_transport(1);
	struct qmgr_rcpt *x, *y, *z;
	struct qmgr_message *m;

	is_str(qmgr_schedule_transport_name(t), QMGR_TRANSPORT_SMTP,
	    "transport 1 is smtp");
	m = new_message(20, rcpts, 3);
	add_all(m);
	x = qmgr_schedule_next(t);
	y = qmgr_schedule_next(t);
	z = qmgr_schedule_next(t);
	ok(x == &m->rcpts[0] && y == &m->rcpts[1] && z == &m->rcpts[2],
	    "smtp: FIFO within the transport limit");
	ok(x->dest == y->dest && x->dest != z->dest,
	    "smtp: one destination per domain");
	qmgr_schedule_done(x);
	qmgr_schedule_done(y);
	qmgr_schedule_done(z);
	qmgr_message_free(m);
}

/* test_smtp_no_batch - smtp's batch limit is 1 */
static void
test_smtp_no_batch(void)
{
	static const char *const rcpt[] = {"x@remote.example"};
	struct qmgr_transport *t = qmgr_schedule_transport(1);
	struct qmgr_rcpt *b1[PROTO_BATCH_MAX], *b2[PROTO_BATCH_MAX];
	struct qmgr_message *m[3];
	size_t  i, n1, n2;

	for (i = 0; i < 3; i++) {
		m[i] = new_message(400 + i, rcpt, 1);
		add_all(m[i]);
	}
	b1[0] = qmgr_schedule_next(t);
	n1 = qmgr_schedule_fill(b1, 1, PROTO_BATCH_MAX);
	b2[0] = qmgr_schedule_next(t);
	n2 = qmgr_schedule_fill(b2, 1, PROTO_BATCH_MAX);
	ok(n1 == 1 && n2 == 1 && b1[0] == &m[0]->rcpts[0]
	    && b2[0] == &m[1]->rcpts[0], "smtp: never batches");
	is_int((long long)qmgr_schedule_deliveries(), 2,
	    "smtp: one delivery per recipient");
	done_all(b1, n1);
	done_all(b2, n2);
	b1[0] = qmgr_schedule_next(t);
	qmgr_schedule_done(b1[0]);
	is_int((long long)qmgr_schedule_inflight(), 0, "smtp: all done");
	for (i = 0; i < 3; i++)
		qmgr_message_free(m[i]);
}

int
main(void)
{
	log_init("qmgr_schedule_test");
	var_mydestination = (char *)"mx.example.test, example.com";
	var_relayhost = (char *)"";
	var_local_destination_concurrency_limit = 2;
	var_default_destination_concurrency_limit = 10;
	qmgr_schedule_init();
	plan((int)SYS_ARRAY_LEN(route_cases) + 12 + 16 + 3 + 8 + 5 + 3
	    + 3);
	test_route();
	test_fifo_and_limits();
	test_batch_limits();
	test_batch_one_per_message();
	var_default_destination_concurrency_limit = 3;
	qmgr_schedule_init();
	test_transport_limit();
	test_batch_transport_limit();
	test_smtp();
	test_smtp_no_batch();
	return done();
}
