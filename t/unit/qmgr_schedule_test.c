/* qmgr_schedule_test.c - qmgr's scheduler: routing, FIFO, limits
 *
 * Drives qmgr_schedule.c without any I/O: recipients of hand-made
 * messages are added, taken with qmgr_schedule_next and finished with
 * qmgr_schedule_done, and the order and the concurrency limits are
 * checked: routing to local or smtp with the destination key, FIFO by
 * message, local_destination_concurrency_limit per recipient address,
 * default_destination_concurrency_limit per transport, demand, and
 * qmgr_schedule_take ignoring the limits. Linked with qmgr's objects
 * except qmgr.o.
 */
#include "../../qmgr/qmgr.h"
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"

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
	/* dest a: limit 2, so a@ of m3 must wait for one of the first two */
	is_int((long long)qmgr_schedule_demand(t), 4, "demand: a(2)+b+c");
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

int
main(void)
{
	log_init("qmgr_schedule_test");
	var_mydestination = (char *)"mx.example.test, example.com";
	var_relayhost = (char *)"";
	var_local_destination_concurrency_limit = 2;
	var_default_destination_concurrency_limit = 10;
	qmgr_schedule_init();
	plan((int)SYS_ARRAY_LEN(route_cases) + 12 + 8 + 3);
	test_route();
	test_fifo_and_limits();
	var_default_destination_concurrency_limit = 3;
	qmgr_schedule_init();
	test_transport_limit();
	test_smtp();
	return done();
}
