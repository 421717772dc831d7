/* qmgr.h - the queue manager's private types and the interfaces of its jobs
 *
 * qmgr is one event-driven process (util/events.h). It owns the active set:
 * the messages it has read into memory, at most qmgr_message_active_limit
 * of them, in activation order (FIFO by message). Each live recipient of an
 * active message is pending (waiting in its destination's queue), in
 * flight (one request of a delivery: a batch of 1..PROTO_BATCH_MAX
 * requests for one destination, on one connection to a delivery agent),
 * or finished (delivered, deferred or bounced). A message is finished when it
 * has nothing pending and nothing in flight: its bounced recipients go into
 * one DSN to the sender, then the file is removed (all done) or moved to
 * deferred/ with its mtime set to the retry time.
 *
 * The jobs:
 *   qmgr_trigger.c   the qmgr/1 server: req=new|flush|scan from clients,
 *                    req=delete|hold|requeue from the administrator
 *   qmgr_scan.c      scans of incoming/, active/ and deferred/, start-up
 *                    recovery, the periodic queue run
 *   qmgr_active.c    the active set: activation, the backlog of messages
 *                    waiting for room, recipient outcomes, finishing
 *   qmgr_message.c   reading a queue file's envelope into memory
 *   qmgr_schedule.c  which recipients go next: transports, destinations,
 *                    batches, concurrency limits (counted in deliveries)
 *   qmgr_deliver.c   the deliver/1 client: connection pools to the agents,
 *                    one batch of requests per busy connection
 *   qmgr_defer.c     temporary failures: defer/ID, the move to deferred/
 *   qmgr_bounce.c    permanent failures: the DSN through cleanup/1
 *   qmgr_table.c     a string-keyed hash table
 *   qmgr_service.c   start-up (qmgr_init) and drain (qmgr_drain)
 *   qmgr_sandbox.c   the seccomp allow-list
 *
 * The defer log. defer/ID holds one pair of records per deferred
 * recipient, appended with util/rec.c's writer, in the rec_type.h record
 * format but with neither REC_VERSION nor REC_END:
 *   REC_RCPT   the recipient address
 *   REC_ATTR   "reason=<text>", the text starting with the enhanced status
 *              code ("4.3.0 mail transport unavailable")
 * Each record is a type byte, a 4-byte big-endian payload length and the
 * payload; a reader (postern queue list) takes the records in turn until
 * the end of the file, pairing each REC_RCPT with the REC_ATTR after it,
 * and treats a payload over REC_MAX_DEFAULT or a cut-off record as the
 * end (rec_reader cannot be used: it enforces the queue-file order). qmgr
 * removes defer/ID when it activates the message again; a later deferral
 * writes it afresh.
 */
#ifndef POSTERN_QMGR_H
#define POSTERN_QMGR_H

#include "sys.h"
#include "queue.h"

struct buf;
struct ipc;
struct qmgr_table;
struct qmgr_transport;
struct qmgr_dest;
struct qmgr_batch;

#define QMGR_TRANSPORT_LOCAL	"local"
#define QMGR_TRANSPORT_SMTP	"smtp"

/* limits and timings that are not main.cf parameters */
#define QMGR_READ_TIMEOUT_MS	2000	/* rest of a list once readable */
#define QMGR_CONNECT_TIMEOUT_MS	2000	/* connect(2) to a service */
#define QMGR_BANNER_TIMEOUT_MS	(60 * 1000)	/* agent's proto banner */
#define QMGR_CONN_IDLE_MS	(30 * 1000) /* close an unused agent conn */
#define QMGR_CONNECT_RETRY_MS	1000	/* after a transient connect error */
#define QMGR_TRIGGER_MAX_CONN	256	/* qmgr/1 client connections */
#define QMGR_BACKLOG_MAX	100000	/* queue IDs waiting for room */
#define QMGR_MAX_OPEN_FILES	256	/* queue files kept open */
#define QMGR_REASON_MAX		1024	/* reason text kept per recipient */
#define QMGR_ADDR_MAX		1024	/* address length from a queue file */
#define QMGR_ENVELOPE_MAX	(4 * 1024 * 1024)	/* bytes of envelope */
#define QMGR_DSN_HEADERS_MAX	(128 * 1024)	/* original headers in DSN */
#define QMGR_BOUNCE_TIMEOUT_MS	(60 * 1000)	/* one DSN submission step */
#define QMGR_REQUEUE_SCAN_MS	2000	/* rescan incoming/ after a requeue */

enum qmgr_rcpt_state {
	QMGR_RCPT_PENDING,	/* in its destination's queue */
	QMGR_RCPT_INFLIGHT,	/* a delivery request is outstanding */
	QMGR_RCPT_DONE,		/* delivered (or its bounce is sent) */
	QMGR_RCPT_DEFERRED,	/* temporary failure, logged to defer/ID */
	QMGR_RCPT_BOUNCED,	/* permanent failure, waiting for the DSN */
	QMGR_RCPT_HELD		/* taken back from the scheduler by an
				 * administrator's request: not tried, stays
				 * live in the file */
};

/* an administrator's request on an active message (req=delete|hold|
 * requeue), carried out once nothing of it is in flight */
enum qmgr_admin {
	QMGR_ADMIN_NONE,
	QMGR_ADMIN_REQUEUE,	/* rename to incoming/, fresh attempt */
	QMGR_ADMIN_HOLD,	/* rename to hold/ */
	QMGR_ADMIN_DELETE	/* remove with its defer log; wins */
};

struct qmgr_message;

struct qmgr_rcpt {
	struct qmgr_message *msg;
	char	*addr;			/* recipient address */
	char	*orcpt;			/* "rfc822;addr" or NULL */
	int	notify;			/* REC_NOTIFY_* mask, 0: default */
	off_t	offset;			/* of its REC_RCPT record */
	size_t	index;			/* position in msg->rcpts */
	enum qmgr_rcpt_state state;
	char	*reason;		/* bounce/defer reason, or NULL */
	bool	retried;		/* re-sent after a stale connection */
	/* scheduling (qmgr_schedule.c) */
	struct qmgr_dest *dest;
	struct qmgr_rcpt *next, *prev;	/* in the destination's queue */
	struct qmgr_batch *batch;	/* in flight: its delivery */
};

struct qmgr_message {
	char	id[QUEUE_ID_SIZE];
	unsigned long long seq;		/* activation order */
	int	fd;			/* O_RDWR queue file, or -1 */
	char	*sender;		/* "" for the null sender */
	char	*arrival;		/* REC_TIME text "sec.usec" */
	long long arrival_sec;
	long	arrival_usec;
	long long total_len;		/* from REC_SIZE */
	long long content_offset;	/* of REC_MESSAGE */
	long long content_len;
	long long nrcpt_file;		/* REC_RCPT + REC_DONE records */
	char	*dsn_envid;		/* REC_ATTR dsn_envid, or NULL */
	char	*dsn_ret;		/* REC_ATTR dsn_ret, or NULL */
	struct qmgr_rcpt *rcpts;	/* the live recipients */
	size_t	nrcpt;
	/* outcome counters (qmgr_active.c) */
	size_t	n_open;		/* pending or in flight */
	size_t	n_deferred, n_bounced, n_done, n_held;
	enum qmgr_admin admin;		/* pending administrator's request */
	bool	finishing;		/* DSN submission in progress */
	bool	expired;		/* logged "status=expired" */
	/* the active list */
	struct qmgr_message *prev, *next;
};

/*
 * qmgr_message.c
 */
enum qmgr_load {
	QMGR_LOAD_OK,		/* *out is the message, not yet active */
	QMGR_LOAD_GONE,		/* no such file (already moved) */
	QMGR_LOAD_UNREADY,	/* not in the ready mode (incoming) */
	QMGR_LOAD_CORRUPT,	/* malformed: moved to corrupt/, logged */
	QMGR_LOAD_ERROR		/* system error, logged; try again later */
};

/* qmgr_message_parse - read the envelope of the queue file open on fd,
 * whose fstat is st, into a new message named id; 0, or -1 with why when
 * the file is malformed (the caller moves it to corrupt/). Checks:
 * REC_VERSION text, REC_SIZE first (total length == st_size, content
 * offset == REC_MESSAGE's offset, recipient count), REC_TIME and
 * REC_SENDER present, REC_ORCPT/REC_NOTIFY followed by a recipient, the
 * last record REC_END. REC_DONE recipients are skipped. The message does
 * not own fd. */
int	qmgr_message_parse(int fd, const struct stat *st, const char *id,
	    struct qmgr_message **out, struct buf *why);

/* qmgr_message_load - open queue/id O_RDWR, check the ready mode when
 * need_ready, parse; a malformed file goes to corrupt/ (queue_corrupt).
 * With QMGR_LOAD_OK the message owns the fd (msg->fd). */
enum qmgr_load qmgr_message_load(const char *queue, const char *id,
	    bool need_ready, struct qmgr_message **out);

/* qmgr_message_free - release a message and close its files; NULL ok */
struct qmgr_message *qmgr_message_free(struct qmgr_message *msg);

/* qmgr_message_mark_done - overwrite rcpt's REC_RCPT type byte with
 * REC_DONE in active/ID; 0 or -1 (logged) */
int	qmgr_message_mark_done(struct qmgr_rcpt *rcpt);

/* qmgr_message_delay - seconds since arrival, as a double */
double	qmgr_message_delay(const struct qmgr_message *msg);

/* qmgr_message_open_files - queue files qmgr holds open right now */
size_t	qmgr_message_open_files(void);

/*
 * qmgr_active.c
 */
/* qmgr_active_init - empty active set and backlog */
void	qmgr_active_init(void);
/* qmgr_active_request - activate queue/id now if there is room, else
 * remember it in the backlog; queue is QUEUE_INCOMING, QUEUE_ACTIVE or
 * QUEUE_DEFERRED (a constant) */
void	qmgr_active_request(const char *queue, const char *id);
/* qmgr_active_has - whether id is in memory */
bool	qmgr_active_has(const char *id);
/* qmgr_active_room - whether one more message may be activated */
bool	qmgr_active_room(void);
/* qmgr_active_count - messages in memory */
size_t	qmgr_active_count(void);
/* qmgr_active_busy - messages with a DSN submission in progress */
size_t	qmgr_active_busy(void);

/* recipient outcomes; the recipient is pending or in flight and leaves
 * the scheduler. reason starts with the enhanced status code. log_it:
 * qmgr detected the failure itself and logs the "to=<...>" line. */
void	qmgr_active_delivered(struct qmgr_rcpt *rcpt);
void	qmgr_active_deferred(struct qmgr_rcpt *rcpt, const char *reason,
	    bool log_it);
void	qmgr_active_bounced(struct qmgr_rcpt *rcpt, const char *reason,
	    bool log_it);
/* qmgr_active_bounce_done - the DSN of msg was submitted (ok) or not */
void	qmgr_active_bounce_done(struct qmgr_message *msg, bool ok);
/* qmgr_active_admin - an administrator's request (not QMGR_ADMIN_NONE)
 * for active/id: a message in memory starts no new delivery (its pending
 * recipients become QMGR_RCPT_HELD) and op is carried out once nothing
 * is in flight; a file in active/ that is not in memory is handled now;
 * anything else is ignored */
void	qmgr_active_admin(const char *id, enum qmgr_admin op);

/* qmgr_active_log_to - the "ID: to=<rcpt>, relay=none, ..." line */
void	qmgr_active_log_to(const struct qmgr_rcpt *rcpt, const char *status,
	    const char *reason);

/*
 * qmgr_schedule.c
 */
/* qmgr_schedule_init - the transports, with limits from main.cf */
void	qmgr_schedule_init(void);
/* qmgr_schedule_route - transport name for a recipient, and its
 * destination key (reset) */
const char *qmgr_schedule_route(const char *addr, struct buf *key);
/* qmgr_schedule_add - queue a pending recipient at its destination */
void	qmgr_schedule_add(struct qmgr_rcpt *rcpt);
/* qmgr_schedule_remove - take a pending recipient out of its
 * destination's queue (it is neither pending nor in flight afterwards) */
void	qmgr_schedule_remove(struct qmgr_rcpt *rcpt);
/* qmgr_schedule_next - start the next delivery of transport within the
 * concurrency limits: its first recipient, now in flight; NULL when none
 * may go. The delivery holds one slot of its destination's limit and one
 * of the transport's until all its recipients are done; more recipients
 * join it with qmgr_schedule_fill. */
struct qmgr_rcpt *qmgr_schedule_next(struct qmgr_transport *t);
/* qmgr_schedule_fill - grow the delivery that qmgr_schedule_next (or
 * qmgr_schedule_take) started with batch[0]: batch[0..n) are its
 * recipients so far, none of them done yet. Appends the pending
 * recipients at the head of the destination's queue, in FIFO order, now
 * in flight in the same delivery, while the batch has fewer than max and
 * fewer than the transport's batch limit (local PROTO_BATCH_MAX, smtp 1),
 * stopping before a recipient whose message is already in the batch.
 * Returns the new count (n when nothing was added). */
size_t	qmgr_schedule_fill(struct qmgr_rcpt **batch, size_t n, size_t max);
/* qmgr_schedule_take - any pending recipient of transport regardless of
 * limits (to fail them all), now in flight as a delivery of its own;
 * NULL when none */
struct qmgr_rcpt *qmgr_schedule_take(struct qmgr_transport *t);
/* qmgr_schedule_done - an in-flight recipient has its outcome; the last
 * one of a delivery frees the delivery's slots */
void	qmgr_schedule_done(struct qmgr_rcpt *rcpt);
/* qmgr_schedule_pending - pending recipients of transport */
size_t	qmgr_schedule_pending(const struct qmgr_transport *t);
/* qmgr_schedule_ready - whether transport may start a delivery now */
bool	qmgr_schedule_ready(const struct qmgr_transport *t);
/* qmgr_schedule_demand - deliveries of transport that could start now
 * (an estimate: a full batch limit of recipients per delivery) */
size_t	qmgr_schedule_demand(const struct qmgr_transport *t);
/* qmgr_schedule_inflight - recipients in flight, all transports */
size_t	qmgr_schedule_inflight(void);
/* qmgr_schedule_deliveries - deliveries in flight, all transports */
size_t	qmgr_schedule_deliveries(void);
/* the transports, for the delivery pools */
size_t	qmgr_schedule_transport_count(void);
struct qmgr_transport *qmgr_schedule_transport(size_t i);
const char *qmgr_schedule_transport_name(const struct qmgr_transport *t);
int	qmgr_schedule_transport_limit(const struct qmgr_transport *t);
/* the pool state that qmgr_deliver.c keeps per transport */
void	*qmgr_schedule_transport_pool(struct qmgr_transport *t);
void	qmgr_schedule_set_transport_pool(struct qmgr_transport *t,
	    void *pool);

/*
 * qmgr_deliver.c
 */
/* qmgr_deliver_init - empty pools */
void	qmgr_deliver_init(void);
/* qmgr_deliver_kick - start every delivery the limits allow; safe to call
 * from any callback (re-entry is folded into the running call) */
void	qmgr_deliver_kick(void);
/* qmgr_deliver_drain - stop starting deliveries, close idle connections;
 * true once nothing is in flight */
bool	qmgr_deliver_drain(void);

/*
 * qmgr_defer.c
 */
/* qmgr_defer_log - append rcpt and reason to defer/ID; 0 or -1 logged */
int	qmgr_defer_log(struct qmgr_message *msg, const char *rcpt,
	    const char *reason);
/* qmgr_defer_remove - remove defer/ID (ENOENT is fine) */
void	qmgr_defer_remove(const char *id);
/* qmgr_defer_backoff - retry delay for a message that arrived at
 * arrival_sec, now being now: clamp(now - arrival, minimal_backoff_time,
 * maximal_backoff_time) */
long long qmgr_defer_backoff(long long arrival_sec, long long now);
/* qmgr_defer_message - set active/ID's mtime to now + backoff and rename
 * it to deferred/; 0 or -1 logged (the file stays in active/ and is
 * retried at the next start) */
int	qmgr_defer_message(struct qmgr_message *msg);

/*
 * qmgr_bounce.c
 */
/* qmgr_bounce_compose - the RFC 3464 DSN for msg's bounced recipients
 * that asked for one, into out (reset); headers (may be NULL) are the
 * original message's header lines. Returns the number of recipients
 * reported; 0 means no DSN is due. */
size_t	qmgr_bounce_compose(const struct qmgr_message *msg,
	    const char *headers, size_t headers_len, time_t now,
	    struct buf *out);
/* qmgr_bounce_start - submit msg's DSN through cleanup/1; returns 1 when
 * a submission is under way (qmgr_active_bounce_done follows), 0 when no
 * DSN is due (null sender, NOTIFY=NEVER: logged), -1 when it could not
 * start (logged; the bounced recipients are to be deferred) */
int	qmgr_bounce_start(struct qmgr_message *msg);
/* qmgr_bounce_inflight - submissions under way */
size_t	qmgr_bounce_inflight(void);

/*
 * qmgr_scan.c
 */
/* qmgr_scan_init - start-up recovery (active/, incoming/, deferred/) and
 * the periodic queue run */
void	qmgr_scan_init(void);
/* qmgr_scan_incoming - queue ready files of incoming/, remove stale
 * unready ones */
void	qmgr_scan_incoming(void);
/* qmgr_scan_deferred - queue deferred files due now (all with flush) */
void	qmgr_scan_deferred(bool flush);
/* qmgr_scan_active - queue every file of active/ not in memory */
void	qmgr_scan_active(void);
/* qmgr_scan_deferred_at - a deferred file is due at when (wall clock) */
void	qmgr_scan_deferred_at(time_t when);

/*
 * qmgr_trigger.c
 */
/* qmgr_accept - a new qmgr/1 client connection (server_run_events) */
void	qmgr_accept(int fd);
/* qmgr_trigger_drain - close every client connection */
void	qmgr_trigger_drain(void);

/*
 * qmgr_table.c: string keys to pointers
 */
struct qmgr_table *qmgr_table_new(void);
struct qmgr_table *qmgr_table_free(struct qmgr_table *t);
void	*qmgr_table_find(const struct qmgr_table *t, const char *key);
/* qmgr_table_add - key must not be present; the table copies key */
void	qmgr_table_add(struct qmgr_table *t, const char *key, void *value);
/* qmgr_table_remove - returns the value removed, or NULL */
void	*qmgr_table_remove(struct qmgr_table *t, const char *key);
size_t	qmgr_table_count(const struct qmgr_table *t);

/*
 * qmgr_service.c / qmgr_sandbox.c
 */
void	qmgr_init(void);
bool	qmgr_drain(void);
/* qmgr_draining - true once master asked qmgr to finish */
bool	qmgr_draining(void);
/* qmgr_now - wall clock, seconds */
time_t	qmgr_now(void);

extern const char *const qmgr_syscalls[];
extern const size_t qmgr_syscalls_count;

#endif
