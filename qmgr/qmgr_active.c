/* qmgr_active.c - the active set: activation, backlog, outcomes, finishing
 *
 * Owns the messages in memory (a table by queue ID and a list in
 * activation order) and the backlog of queue IDs waiting for room.
 * There is room for one more message while fewer than
 * qmgr_message_active_limit are in memory and their live recipients number
 * fewer than qmgr_message_recipient_limit (a single message is always
 * let in, however many recipients it has). The backlog is a FIFO of at
 * most QMGR_BACKLOG_MAX IDs; past that, the queue the ID came from is
 * marked for a rescan, done once a quarter of the room is free again.
 *
 * Activation (qmgr_active_request) reads the file, renames it into
 * active/ (the commit point of the "active" state), removes a stale
 * defer/ID of an earlier attempt, logs "ID: from=<...>, size=N, nrcpt=M
 * (queue active)" and hands the live recipients to the scheduler.
 *
 * Outcomes come from qmgr_deliver.c (and qmgr_active_deferred from
 * anything that fails a recipient). A delivered recipient is marked
 * REC_DONE in the file unless the file is about to be removed. A
 * temporary failure is appended to defer/ID, or becomes a bounce once the
 * message is older than maximal_queue_lifetime (bounce_queue_lifetime for
 * a bounce). When nothing is pending or in flight, the message finishes:
 * bounced recipients go into one DSN (qmgr_bounce.c; marked done once it
 * is submitted, deferred if it cannot be), then the file is removed
 * ("ID: removed") or moved to deferred/ (qmgr_defer.c).
 *
 * An administrator's request (qmgr_active_admin: req=delete, hold or
 * requeue from postern queue) marks the message: its pending recipients
 * leave the scheduler (QMGR_RCPT_HELD, still live in the file), so no new
 * delivery starts, while the deliveries in flight run to their end and
 * their outcomes are recorded as usual (a delivered recipient is marked
 * REC_DONE, since the file outlives it). Once nothing is in flight the
 * request is carried out instead of the normal end: delete removes the
 * file and defer/ID without a DSN ("ID: removed"); hold and requeue first
 * send the DSN of recipients that bounced meanwhile, then rename the file
 * to hold/ ("ID: placed on hold", defer/ID kept for the listing) or to
 * incoming/ ("ID: requeued", defer/ID removed, incoming/ rescanned after
 * QMGR_REQUEUE_SCAN_MS unless postern's req=scan comes first). A message
 * with no live recipient left is removed as usual. A file in active/ that
 * is not in memory (backlog, or left by a failed move) is handled at
 * once: qmgr is the only process that moves files out of active/.
 */
#include "qmgr.h"
#include "buf.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"

struct qmgr_backlog_entry {
	const char *queue;		/* one of the QUEUE_* constants */
	char	id[QUEUE_ID_SIZE];
};

static struct qmgr_table *qmgr_active_table;
static struct qmgr_message *qmgr_active_head, *qmgr_active_tail;
static size_t qmgr_active_nmsg, qmgr_active_nrcpt, qmgr_active_nbusy;
static unsigned long long qmgr_active_seq;

/* the backlog: a ring buffer */
static struct qmgr_backlog_entry *qmgr_backlog;
static size_t qmgr_backlog_cap, qmgr_backlog_head, qmgr_backlog_len;
static bool qmgr_rescan_incoming, qmgr_rescan_active, qmgr_rescan_deferred;
static bool qmgr_active_feeding;

static void qmgr_active_finish(struct qmgr_message *);
static void qmgr_active_feed(void);

/* qmgr_active_init - empty active set and backlog */
void
qmgr_active_init(void)
{
	if (qmgr_active_table == NULL)
		qmgr_active_table = qmgr_table_new();
}

/* qmgr_active_has - whether id is in memory */
bool
qmgr_active_has(const char *id)
{
	return qmgr_active_table != NULL
	    && qmgr_table_find(qmgr_active_table, id) != NULL;
}

/* qmgr_active_count - messages in memory */
size_t
qmgr_active_count(void)
{
	return qmgr_active_nmsg;
}

/* qmgr_active_busy - messages with a DSN submission in progress */
size_t
qmgr_active_busy(void)
{
	return qmgr_active_nbusy;
}

/* qmgr_active_room - whether one more message may be activated */
bool
qmgr_active_room(void)
{
	if (qmgr_active_nmsg == 0)
		return true;
	return qmgr_active_nmsg < (size_t)var_qmgr_message_active_limit
	    && qmgr_active_nrcpt < (size_t)var_qmgr_message_recipient_limit;
}

/* qmgr_active_log_to - the "ID: to=<rcpt>, relay=none, ..." line */
void
qmgr_active_log_to(const struct qmgr_rcpt *rcpt, const char *status,
    const char *reason)
{
	const char *text = reason, *sp;
	char    dsn[16] = "4.0.0", orig[QMGR_ADDR_MAX + 16] = "";
	double  delay = qmgr_message_delay(rcpt->msg);

	sp = strchr(reason, ' ');
	if (sp != NULL && (size_t)(sp - reason) < sizeof(dsn)
	    && (reason[0] == '2' || reason[0] == '4' || reason[0] == '5')
	    && reason[1] == '.') {
		memcpy(dsn, reason, (size_t)(sp - reason));
		dsn[sp - reason] = '\0';
		text = sp + 1;
	}
	if (rcpt->orcpt != NULL) {
		const char *o = strchr(rcpt->orcpt, ';');

		o = o != NULL ? o + 1 : rcpt->orcpt;
		if (strcmp(o, rcpt->addr) != 0)
			(void)snprintf(orig, sizeof(orig), " orig_to=<%s>,",
			    o);
	}
	log_info("%s: to=<%s>,%s relay=none, delay=%.2f, delays=%.2f/0/0/0, "
	    "dsn=%s, status=%s (%s)", rcpt->msg->id, rcpt->addr, orig, delay,
	    delay, dsn, status, text);
}

/* qmgr_active_activate - read queue/id, move it to active/, schedule */
static void
qmgr_active_activate(const char *queue, const char *id)
{
	struct qmgr_message *msg;
	size_t  i;

	if (qmgr_active_has(id))
		return;
	switch (qmgr_message_load(queue, id, strcmp(queue, QUEUE_INCOMING)
	    == 0, &msg)) {
	case QMGR_LOAD_OK:
		break;
	case QMGR_LOAD_UNREADY:
		log_warn("%s: file in %s is not ready, skipped", id, queue);
		return;
	case QMGR_LOAD_GONE:
	case QMGR_LOAD_CORRUPT:
	case QMGR_LOAD_ERROR:
		return;
	}
	if (strcmp(queue, QUEUE_ACTIVE) != 0
	    && queue_rename(id, queue, QUEUE_ACTIVE) < 0) {
		if (errno != ENOENT)
			log_error("%s: rename %s to %s: %m", id, queue,
			    QUEUE_ACTIVE);
		qmgr_message_free(msg);
		return;
	}
	if (strcmp(queue, QUEUE_INCOMING) != 0)
		qmgr_defer_remove(id);
	msg->seq = ++qmgr_active_seq;
	qmgr_table_add(qmgr_active_table, msg->id, msg);
	msg->prev = qmgr_active_tail;
	if (qmgr_active_tail != NULL)
		qmgr_active_tail->next = msg;
	else
		qmgr_active_head = msg;
	qmgr_active_tail = msg;
	qmgr_active_nmsg++;
	qmgr_active_nrcpt += msg->nrcpt;
	log_info("%s: from=<%s>, size=%lld, nrcpt=%lld (queue active)",
	    msg->id, msg->sender, msg->content_len, msg->nrcpt_file);
	msg->n_open = msg->nrcpt;
	if (msg->nrcpt == 0) {
		qmgr_active_finish(msg);
		return;
	}
	for (i = 0; i < msg->nrcpt; i++)
		qmgr_schedule_add(&msg->rcpts[i]);
	qmgr_deliver_kick();
}

/* qmgr_backlog_push - remember queue/id for later; false when full */
static bool
qmgr_backlog_push(const char *queue, const char *id)
{
	struct qmgr_backlog_entry *e;
	size_t  i, cap;

	if (qmgr_backlog_len == qmgr_backlog_cap) {
		if (qmgr_backlog_cap >= QMGR_BACKLOG_MAX)
			return false;
		cap = qmgr_backlog_cap ? qmgr_backlog_cap * 2 : 256;
		if (cap > QMGR_BACKLOG_MAX)
			cap = QMGR_BACKLOG_MAX;
		e = xcalloc(cap, sizeof(*e));
		for (i = 0; i < qmgr_backlog_len; i++)
			e[i] = qmgr_backlog[(qmgr_backlog_head + i)
			    % qmgr_backlog_cap];
		free(qmgr_backlog);
		qmgr_backlog = e;
		qmgr_backlog_cap = cap;
		qmgr_backlog_head = 0;
	}
	e = &qmgr_backlog[(qmgr_backlog_head + qmgr_backlog_len++)
	    % qmgr_backlog_cap];
	e->queue = queue;
	if (str_copy(e->id, sizeof(e->id), id) < 0)
		log_panic("qmgr_backlog_push: bad queue id");
	return true;
}

/* qmgr_active_request - activate queue/id now or when there is room */
void
qmgr_active_request(const char *queue, const char *id)
{
	if (!queue_id_valid(id)) {
		log_warn("bad queue id \"%s\" ignored", id);
		return;
	}
	/* the next qmgr's start-up scan takes it */
	if (qmgr_draining())
		return;
	if (qmgr_backlog_len == 0 && qmgr_active_room()) {
		qmgr_active_activate(queue, id);
		return;
	}
	if (!qmgr_backlog_push(queue, id)) {
		if (strcmp(queue, QUEUE_INCOMING) == 0)
			qmgr_rescan_incoming = true;
		else if (strcmp(queue, QUEUE_ACTIVE) == 0)
			qmgr_rescan_active = true;
		else
			qmgr_rescan_deferred = true;
	}
	qmgr_active_feed();
}

/* qmgr_active_feed - activate from the backlog while there is room, and
 * rescan what overflowed once a quarter of the room is free */
static void
qmgr_active_feed(void)
{
	struct qmgr_backlog_entry e;
	size_t  limit = (size_t)var_qmgr_message_active_limit;

	if (qmgr_active_feeding || qmgr_draining())
		return;
	qmgr_active_feeding = true;
	while (qmgr_backlog_len > 0 && qmgr_active_room()) {
		e = qmgr_backlog[qmgr_backlog_head];
		qmgr_backlog_head = (qmgr_backlog_head + 1) % qmgr_backlog_cap;
		qmgr_backlog_len--;
		qmgr_active_activate(e.queue, e.id);
	}
	if (qmgr_backlog_len == 0 && qmgr_active_nmsg <= limit - limit / 4
	    && (qmgr_rescan_active || qmgr_rescan_incoming
		|| qmgr_rescan_deferred)) {
		qmgr_active_feeding = false;
		if (qmgr_rescan_active) {
			qmgr_rescan_active = false;
			qmgr_scan_active();
		}
		if (qmgr_rescan_incoming) {
			qmgr_rescan_incoming = false;
			qmgr_scan_incoming();
		}
		if (qmgr_rescan_deferred) {
			qmgr_rescan_deferred = false;
			qmgr_scan_deferred(false);
		}
		return;
	}
	qmgr_active_feeding = false;
}

/* qmgr_active_expired - whether msg has outlived its queue lifetime */
static bool
qmgr_active_expired(const struct qmgr_message *msg)
{
	long long life = *msg->sender == '\0' ? var_bounce_queue_lifetime :
	    var_maximal_queue_lifetime;

	return (long long)qmgr_now() >= msg->arrival_sec + life;
}

/* qmgr_active_check - finish msg when nothing is left to do */
static void
qmgr_active_check(struct qmgr_message *msg)
{
	if (msg->n_open == 0 && !msg->finishing)
		qmgr_active_finish(msg);
}

/* qmgr_active_leave - rcpt leaves the scheduler */
static void
qmgr_active_leave(struct qmgr_rcpt *rcpt)
{
	if (rcpt->state != QMGR_RCPT_INFLIGHT)
		log_panic("%s: outcome for <%s> not in flight", rcpt->msg->id,
		    rcpt->addr);
	qmgr_schedule_done(rcpt);
	rcpt->msg->n_open--;
}

/* qmgr_active_delivered - rcpt was delivered */
void
qmgr_active_delivered(struct qmgr_rcpt *rcpt)
{
	struct qmgr_message *msg = rcpt->msg;

	qmgr_active_leave(rcpt);
	rcpt->state = QMGR_RCPT_DONE;
	msg->n_done++;
	/* the file outlives this recipient unless it is removed right away */
	if (msg->n_open > 0 || msg->n_deferred > 0 || msg->n_bounced > 0
	    || msg->n_held > 0)
		(void)qmgr_message_mark_done(rcpt);
	qmgr_active_check(msg);
}

/* qmgr_active_set_reason - keep a copy of reason for the DSN */
static void
qmgr_active_set_reason(struct qmgr_rcpt *rcpt, const char *reason)
{
	free(rcpt->reason);
	rcpt->reason = xstrndup(reason, QMGR_REASON_MAX);
}

/* qmgr_active_deferred - rcpt failed temporarily */
void
qmgr_active_deferred(struct qmgr_rcpt *rcpt, const char *reason,
    bool log_it)
{
	struct qmgr_message *msg = rcpt->msg;

	qmgr_active_leave(rcpt);
	if (log_it)
		qmgr_active_log_to(rcpt, "deferred", reason);
	qmgr_active_set_reason(rcpt, reason);
	if (qmgr_active_expired(msg)) {
		if (!msg->expired) {
			log_info("%s: from=<%s>, status=expired, returned to "
			    "sender", msg->id, msg->sender);
			msg->expired = true;
		}
		rcpt->state = QMGR_RCPT_BOUNCED;
		msg->n_bounced++;
	} else {
		rcpt->state = QMGR_RCPT_DEFERRED;
		msg->n_deferred++;
		(void)qmgr_defer_log(msg, rcpt->addr, reason);
	}
	qmgr_active_check(msg);
}

/* qmgr_active_bounced - rcpt failed permanently */
void
qmgr_active_bounced(struct qmgr_rcpt *rcpt, const char *reason,
    bool log_it)
{
	struct qmgr_message *msg = rcpt->msg;

	qmgr_active_leave(rcpt);
	if (log_it)
		qmgr_active_log_to(rcpt, "bounced", reason);
	qmgr_active_set_reason(rcpt, reason);
	rcpt->state = QMGR_RCPT_BOUNCED;
	msg->n_bounced++;
	qmgr_active_check(msg);
}

/* qmgr_active_bounce_result - bounced recipients are done (ok) or must
 * be tried again (the DSN could not be submitted) */
static void
qmgr_active_bounce_result(struct qmgr_message *msg, bool ok)
{
	struct qmgr_rcpt *r;
	size_t  i;

	for (i = 0; i < msg->nrcpt; i++) {
		r = &msg->rcpts[i];
		if (r->state != QMGR_RCPT_BOUNCED)
			continue;
		msg->n_bounced--;
		if (ok) {
			r->state = QMGR_RCPT_DONE;
			msg->n_done++;
			/* the file stays (deferred, held, requeued):
			 * record what is done */
			if (msg->n_deferred > 0 || msg->n_held > 0)
				(void)qmgr_message_mark_done(r);
		} else {
			r->state = QMGR_RCPT_DEFERRED;
			msg->n_deferred++;
			(void)qmgr_defer_log(msg, r->addr, r->reason);
		}
	}
}

/* qmgr_active_forget - drop msg from memory and let the next one in */
static void
qmgr_active_forget(struct qmgr_message *msg)
{
	if (qmgr_table_remove(qmgr_active_table, msg->id) != msg)
		log_panic("%s: not in the active table", msg->id);
	if (msg->prev != NULL)
		msg->prev->next = msg->next;
	else
		qmgr_active_head = msg->next;
	if (msg->next != NULL)
		msg->next->prev = msg->prev;
	else
		qmgr_active_tail = msg->prev;
	qmgr_active_nmsg--;
	qmgr_active_nrcpt -= msg->nrcpt;
	qmgr_message_free(msg);
	qmgr_active_feed();
}

/* qmgr_active_requeue_scan - the timer after a requeue */
static void
qmgr_active_requeue_scan(void *ctx)
{
	(void)ctx;
	qmgr_scan_incoming();
}

/* qmgr_active_admin_file - carry out op on active/id, which nothing in
 * memory refers to any more; 0, or -1 (logged: the file stays) */
static int
qmgr_active_admin_file(const char *id, enum qmgr_admin op)
{
	switch (op) {
	case QMGR_ADMIN_DELETE:
		if (queue_remove(QUEUE_ACTIVE, id) < 0) {
			log_error("%s: remove %s/%s: %m", id, QUEUE_ACTIVE, id);
			return -1;
		}
		qmgr_defer_remove(id);
		log_info("%s: removed", id);
		return 0;
	case QMGR_ADMIN_HOLD:
		if (queue_rename(id, QUEUE_ACTIVE, QUEUE_HOLD) < 0) {
			log_error("%s: rename %s to %s: %m", id, QUEUE_ACTIVE,
			    QUEUE_HOLD);
			return -1;
		}
		log_info("%s: placed on hold", id);
		return 0;
	case QMGR_ADMIN_REQUEUE:
		if (queue_rename(id, QUEUE_ACTIVE, QUEUE_INCOMING) < 0) {
			log_error("%s: rename %s to %s: %m", id, QUEUE_ACTIVE,
			    QUEUE_INCOMING);
			return -1;
		}
		qmgr_defer_remove(id);
		log_info("%s: requeued", id);
		events_timer(QMGR_REQUEUE_SCAN_MS, qmgr_active_requeue_scan,
		    NULL);
		return 0;
	case QMGR_ADMIN_NONE:
		break;
	}
	log_panic("%s: qmgr_active_admin_file: no request", id);
}

/* qmgr_active_close - the file's fate once every recipient is settled */
static void
qmgr_active_close(struct qmgr_message *msg)
{
	if (msg->admin == QMGR_ADMIN_DELETE || (msg->admin != QMGR_ADMIN_NONE
	    && (msg->n_deferred > 0 || msg->n_held > 0))) {
		/* on failure the file stays in active/ for the next start */
		(void)qmgr_active_admin_file(msg->id, msg->admin);
	} else if (msg->n_deferred > 0) {
		(void)qmgr_defer_message(msg);
	} else if (queue_remove(QUEUE_ACTIVE, msg->id) < 0) {
		log_error("%s: remove %s/%s: %m", msg->id, QUEUE_ACTIVE,
		    msg->id);
	} else {
		log_info("%s: removed", msg->id);
	}
	qmgr_active_forget(msg);
}

/* qmgr_active_finish - nothing pending or in flight: DSN, then close */
static void
qmgr_active_finish(struct qmgr_message *msg)
{
	int     ret;

	/* a deleted message sends no DSN */
	if (msg->n_bounced > 0 && msg->admin != QMGR_ADMIN_DELETE) {
		ret = qmgr_bounce_start(msg);
		if (ret > 0) {
			msg->finishing = true;
			qmgr_active_nbusy++;
			return;
		}
		qmgr_active_bounce_result(msg, ret == 0);
	}
	qmgr_active_close(msg);
}

/* qmgr_active_bounce_done - the DSN of msg was submitted (ok) or not */
void
qmgr_active_bounce_done(struct qmgr_message *msg, bool ok)
{
	if (!msg->finishing)
		log_panic("%s: bounce result without a bounce", msg->id);
	msg->finishing = false;
	qmgr_active_nbusy--;
	qmgr_active_bounce_result(msg, ok);
	qmgr_active_close(msg);
}

/* qmgr_active_admin_name - the request, for the log */
static const char *
qmgr_active_admin_name(enum qmgr_admin op)
{
	switch (op) {
	case QMGR_ADMIN_DELETE:
		return "delete";
	case QMGR_ADMIN_HOLD:
		return "hold";
	case QMGR_ADMIN_REQUEUE:
		return "requeue";
	case QMGR_ADMIN_NONE:
		break;
	}
	return "none";
}

/* qmgr_active_admin - an administrator's delete, hold or requeue */
void
qmgr_active_admin(const char *id, enum qmgr_admin op)
{
	struct qmgr_message *msg;
	struct qmgr_rcpt *r;
	char    path[QUEUE_PATH_SIZE];
	struct stat st;
	size_t  i;

	if (op == QMGR_ADMIN_NONE || !queue_id_valid(id))
		log_panic("qmgr_active_admin: bad request");
	msg = qmgr_active_table != NULL ?
	    qmgr_table_find(qmgr_active_table, id) : NULL;
	if (msg == NULL) {
		if (queue_path(path, sizeof(path), QUEUE_ACTIVE, id) < 0)
			log_panic("qmgr_active_admin: bad queue id");
		if (lstat(path, &st) < 0) {
			if (errno != ENOENT)
				log_warn("%s: lstat %s: %m", id, path);
			return;
		}
		if (S_ISREG(st.st_mode))
			(void)qmgr_active_admin_file(id, op);
		return;
	}
	if (msg->admin != QMGR_ADMIN_DELETE)
		msg->admin = op;
	for (i = 0; i < msg->nrcpt; i++) {
		r = &msg->rcpts[i];
		if (r->state != QMGR_RCPT_PENDING)
			continue;
		qmgr_schedule_remove(r);
		r->state = QMGR_RCPT_HELD;
		msg->n_open--;
		msg->n_held++;
	}
	log_info("%s: %s requested, %zu deliver%s in flight", id,
	    qmgr_active_admin_name(msg->admin), msg->n_open,
	    msg->n_open == 1 ? "y" : "ies");
	qmgr_active_check(msg);
}
