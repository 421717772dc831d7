/* postern_queue_move.c - delete, hold, release and requeue messages
 *
 * The postsuper part of "postern queue". Each operation takes queue IDs
 * or ALL and looks for each message in its source queues, in order:
 *   delete   incoming active deferred hold -> removed (queue_remove), and
 *            its defer log; logs "ID: removed"
 *   hold     incoming active deferred      -> hold/; "ID: placed on hold"
 *   release  hold                          -> incoming/, then req=scan to
 *            qmgr, so it is tried at once; "ID: released from hold"
 *   requeue  active deferred hold          -> incoming/, then req=scan;
 *            "ID: requeued"
 * Postfix's requeue rewrites the file through cleanup (new queue ID,
 * address rewriting done again); postern moves the file unchanged into
 * incoming/, which gives it a fresh delivery attempt with the same ID:
 * rewriting is not repeated. qmgr forgets the old defer log when it
 * activates the message again.
 *
 * Safety. Every move is one rename(2) (util/queue.h), so a message is
 * always in exactly one queue. A file in incoming/ that is not yet ready
 * belongs to cleanup and is never touched. A file in active/ belongs to
 * the running qmgr, which holds it in memory and may be delivering it:
 * while the mail system runs, delete, hold and requeue of such a message
 * are sent to qmgr as req=delete|hold|requeue queue_id (util/proto.h) on
 * one connection; qmgr starts no new delivery for it, lets the deliveries
 * in flight finish (their results are kept: a delivered recipient stays
 * delivered) and then removes or moves the file itself and logs it. We
 * wait for all such messages together, polling every
 * POSTERN_MOVE_POLL_MS for at most POSTERN_MOVE_WAIT_MS, until each has
 * left active/, and report where it went on stderr (qmgr logged it); one
 * still active at the deadline is reported as pending (qmgr carries the
 * request out when its deliveries end) and makes the exit status 1. With
 * the mail system stopped, active/ is only what qmgr recovers at its
 * next start, and is moved directly. qmgr may also move a file between
 * our lookup and our move; a rename that finds the file gone looks again,
 * and a message that turns up in active/ goes to qmgr as above.
 */
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "postern_queue.h"
#include "proto.h"
#include "queue.h"

#include <dirent.h>

#define POSTERN_MOVE_TRIES	3	/* lookups when files move under us */
#define POSTERN_MOVE_IPC_MS	10000	/* connect and send to qmgr */
#define POSTERN_MOVE_WAIT_MS	10000	/* for qmgr to act on active mail */
#define POSTERN_MOVE_POLL_MS	50

struct postern_move_op {
	const char *name;		/* the subcommand */
	const char *const *from;	/* source queues, in order */
	size_t	nfrom;
	const char *to;			/* NULL: remove */
	const char *logged;		/* "ID: <logged>" */
	const char *summary;		/* "<summary>: N messages" */
	bool	scan;			/* tell qmgr to scan incoming/ */
	const char *qmgr_req;		/* request for an active message */
};

static const char *const postern_move_delete[] = {
	QUEUE_INCOMING, QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD,
};
static const char *const postern_move_hold[] = {
	QUEUE_INCOMING, QUEUE_ACTIVE, QUEUE_DEFERRED,
};
static const char *const postern_move_release[] = {
	QUEUE_HOLD,
};
static const char *const postern_move_requeue[] = {
	QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD,
};

static const struct postern_move_op postern_move_ops[] = {
	{"delete", postern_move_delete, SYS_ARRAY_LEN(postern_move_delete),
	    NULL, "removed", "Deleted", false, PROTO_REQ_DELETE},
	{"hold", postern_move_hold, SYS_ARRAY_LEN(postern_move_hold),
	    QUEUE_HOLD, "placed on hold", "Placed on hold", false,
	    PROTO_REQ_HOLD},
	{"release", postern_move_release,
	    SYS_ARRAY_LEN(postern_move_release), QUEUE_INCOMING,
	    "released from hold", "Released from hold", true, NULL},
	{"requeue", postern_move_requeue,
	    SYS_ARRAY_LEN(postern_move_requeue), QUEUE_INCOMING, "requeued",
	    "Requeued", true, PROTO_REQ_REQUEUE},
};

/* the messages handed to qmgr, and the connection they went through */
struct postern_move_qmgr {
	struct ipc *ipc;
	bool	broken;			/* connection failed: said so */
	char  **ids;
	size_t	n, cap;
};

enum postern_move_result {
	POSTERN_MOVE_DONE,	/* moved or removed */
	POSTERN_MOVE_ABSENT,	/* not in any source queue */
	POSTERN_MOVE_REFUSED,	/* being received, or moving: said so */
	POSTERN_MOVE_FAILED,	/* a system error: said so */
	POSTERN_MOVE_SENT	/* active: the request went to qmgr */
};

/* postern_move_find - the queue among op's sources that holds id, or
 * NULL; *busy when it is cleanup's (incoming, not ready) */
static const char *
postern_move_find(const struct postern_move_op *op, const char *id,
    bool *busy)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;
	size_t  i;

	*busy = false;
	for (i = 0; i < op->nfrom; i++) {
		if (queue_path(path, sizeof(path), op->from[i], id) < 0)
			return NULL;
		if (lstat(path, &st) < 0) {
			if (errno != ENOENT)
				log_warn("%s: lstat %s: %m", id, path);
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (strcmp(op->from[i], QUEUE_INCOMING) == 0
		    && !queue_is_ready(&st))
			*busy = true;
		return op->from[i];
	}
	return NULL;
}

/* postern_move_exists - whether queue/id exists */
static bool
postern_move_exists(const char *queue, const char *id)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;

	return queue_path(path, sizeof(path), queue, id) == 0
	    && lstat(path, &st) == 0;
}

/* postern_move_send - hand op on active message id to qmgr; 0, or -1
 * (warned) */
static int
postern_move_send(const struct postern_move_op *op, const char *id,
    struct postern_move_qmgr *q)
{
	struct buf *why;

	if (q->broken)
		return -1;
	if (q->ipc == NULL) {
		why = buf_new(0);
		q->ipc = ipc_connect("qmgr", POSTERN_MOVE_IPC_MS, why);
		if (q->ipc == NULL)
			log_warn("cannot reach qmgr (%s)", buf_len(why) ?
			    buf_str(why) : strerror(errno));
		else if (ipc_expect_proto(q->ipc, PROTO_QMGR, why) < 0) {
			log_warn("qmgr: %s", buf_str(why));
			q->ipc = ipc_free(q->ipc);
		}
		buf_free(why);
		if (q->ipc == NULL) {
			q->broken = true;
			return -1;
		}
	}
	ipc_put_str(q->ipc, PROTO_REQ, op->qmgr_req);
	ipc_put_str(q->ipc, PROTO_QUEUE_ID, id);
	if (ipc_end(q->ipc) < 0) {
		log_warn("%s: send %s request to qmgr: %m", id, op->qmgr_req);
		q->ipc = ipc_free(q->ipc);
		q->broken = true;
		return -1;
	}
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->ids = xreallocarray(q->ids, q->cap, sizeof(*q->ids));
	}
	q->ids[q->n++] = xstrdup(id);
	return 0;
}

/* postern_move_one - apply op to one message */
static enum postern_move_result
postern_move_one(const struct postern_move_op *op, const char *id,
    bool running, struct postern_move_qmgr *q)
{
	const char *from;
	bool    busy;
	int     tries;

	for (tries = 0; tries < POSTERN_MOVE_TRIES; tries++) {
		from = postern_move_find(op, id, &busy);
		if (from == NULL)
			return POSTERN_MOVE_ABSENT;
		if (busy) {
			log_warn("%s: message is still being received: not %s",
			    id, op->logged);
			return POSTERN_MOVE_REFUSED;
		}
		if (running && strcmp(from, QUEUE_ACTIVE) == 0) {
			if (op->qmgr_req == NULL)
				log_panic("postern_move_one: %s from active",
				    op->name);
			if (postern_move_send(op, id, q) < 0) {
				log_warn("%s: message is active and qmgr "
				    "cannot be asked: not %s", id, op->logged);
				return POSTERN_MOVE_FAILED;
			}
			return POSTERN_MOVE_SENT;
		}
		if (op->to == NULL) {
			if (queue_remove(from, id) < 0) {
				log_error("%s: remove %s/%s: %m", id, from, id);
				return POSTERN_MOVE_FAILED;
			}
			/* queue_remove takes a vanished file for success:
			 * make sure qmgr did not take it meanwhile */
			if (strcmp(from, QUEUE_ACTIVE) != 0
			    && postern_move_exists(QUEUE_ACTIVE, id))
				continue;
			if (queue_remove(QUEUE_DEFER_LOG, id) < 0)
				log_warn("%s: remove %s/%s: %m", id,
				    QUEUE_DEFER_LOG, id);
		} else if (queue_rename(id, from, op->to) < 0) {
			if (errno == ENOENT)
				continue;	/* moved meanwhile: again */
			log_error("%s: rename %s/%s to %s: %m", id, from, id,
			    op->to);
			return POSTERN_MOVE_FAILED;
		}
		log_info("%s: %s", id, op->logged);
		return POSTERN_MOVE_DONE;
	}
	log_warn("%s: message keeps moving between queues: not %s", id,
	    op->logged);
	return POSTERN_MOVE_REFUSED;
}

/* postern_move_active_left - whether none of ids is in active/ */
static bool
postern_move_active_left(char **ids, size_t n)
{
	size_t  i;

	for (i = 0; i < n; i++)
		if (postern_move_exists(QUEUE_ACTIVE, ids[i]))
			return false;
	return true;
}

/* postern_move_report - where the message qmgr handled went; true when
 * op was done */
static bool
postern_move_report(const struct postern_move_op *op, const char *id)
{
	static const char *const queues[] = {
		QUEUE_INCOMING, QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD,
	};
	const char *where = NULL;
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(queues); i++)
		if (postern_move_exists(queues[i], id))
			where = queues[i];
	if (op->to == NULL ? where == NULL : where != NULL
	    && strcmp(where, op->to) == 0) {
		(void)fprintf(stderr, "%s: %s: %s\n", log_progname(), id,
		    op->logged);
		return true;
	}
	if (where == NULL)
		(void)fprintf(stderr, "%s: %s: every recipient was done before "
		    "it could be %s: the message is gone\n", log_progname(),
		    id, op->logged);
	else
		(void)fprintf(stderr, "%s: %s: not %s: the message is in %s/\n",
		    log_progname(), id, op->logged, where);
	return false;
}

/* postern_move_wait - wait for qmgr to act on the messages it was sent,
 * report each; the count of those done, *status 1 if any is not */
static size_t
postern_move_wait(const struct postern_move_op *op,
    struct postern_move_qmgr *q, int *status)
{
	struct timespec step = {0, POSTERN_MOVE_POLL_MS * 1000000L};
	int     waited;
	size_t  i, done = 0;

	/* every request is written: qmgr needs no idle client */
	q->ipc = ipc_free(q->ipc);
	for (waited = 0; waited < POSTERN_MOVE_WAIT_MS
	    && !postern_move_active_left(q->ids, q->n);
	    waited += POSTERN_MOVE_POLL_MS)
		if (nanosleep(&step, NULL) < 0 && errno != EINTR)
			log_fatal("nanosleep: %m");
	for (i = 0; i < q->n; i++) {
		if (postern_move_exists(QUEUE_ACTIVE, q->ids[i])) {
			log_warn("%s: still being delivered after %d s: qmgr "
			    "will %s it once its deliveries in flight end",
			    q->ids[i], POSTERN_MOVE_WAIT_MS / 1000, op->name);
			*status = 1;
		} else if (postern_move_report(op, q->ids[i])) {
			done++;
		}
		free(q->ids[i]);
	}
	free(q->ids);
	q->ids = NULL;
	q->n = q->cap = 0;
	return done;
}

/* postern_move_ids - the valid queue IDs in dir, appended to *ids */
static void
postern_move_ids(const char *dir, char ***ids, size_t *n, size_t *cap)
{
	DIR    *d;
	struct dirent *e;

	if ((d = opendir(dir)) == NULL) {
		log_warn("open queue directory %s: %m", dir);
		return;
	}
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (queue_id_valid(e->d_name)) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				*ids = xreallocarray(*ids, *cap, sizeof(**ids));
			}
			(*ids)[(*n)++] = xstrdup(e->d_name);
		}
		errno = 0;
	}
	if (errno != 0)
		log_warn("read queue directory %s: %m", dir);
	(void)closedir(d);	/* read-only */
}

/* postern_move_absent - say that id is in none of op's queues */
static void
postern_move_absent(const struct postern_move_op *op, const char *id)
{
	struct buf *names = buf_new(0);
	size_t  i;

	for (i = 0; i < op->nfrom; i++)
		(void)buf_printf(names, "%s%s", i == 0 ? "" : i + 1 ==
		    op->nfrom ? " or " : ", ", op->from[i]);
	log_warn("%s: no such message in the %s queue%s", id,
	    buf_str(names), op->nfrom > 1 ? "s" : "");
	buf_free(names);
}

/* postern_queue_move - delete, hold, release or requeue */
int
postern_queue_move(const char *what, int argc, char **argv)
{
	const struct postern_move_op *op = NULL;
	struct postern_move_qmgr q = {NULL, false, NULL, 0, 0};
	char  **ids = NULL;
	size_t  n = 0, cap = 0, i, done = 0;
	bool    running, all = false;
	int     status = 0;

	for (i = 0; i < SYS_ARRAY_LEN(postern_move_ops); i++)
		if (strcmp(postern_move_ops[i].name, what) == 0)
			op = &postern_move_ops[i];
	if (op == NULL)
		log_panic("postern_queue_move: unknown operation %s", what);
	if (argc == 1 && strcmp(argv[0], "ALL") == 0) {
		all = true;
		for (i = 0; i < op->nfrom; i++)
			postern_move_ids(op->from[i], &ids, &n, &cap);
	} else {
		for (i = 0; i < (size_t)argc; i++)
			if (!queue_id_valid(argv[i]))
				log_fatal("invalid queue id: \"%s\"", argv[i]);
		ids = xcalloc((size_t)argc + 1, sizeof(*ids));
		for (i = 0; i < (size_t)argc; i++)
			ids[n++] = xstrdup(argv[i]);
	}
	running = postern_queue_running();
	for (i = 0; i < n; i++) {
		switch (postern_move_one(op, ids[i], running, &q)) {
		case POSTERN_MOVE_DONE:
			done++;
			break;
		case POSTERN_MOVE_SENT:
			break;
		case POSTERN_MOVE_ABSENT:
			/* with ALL, a message that left meanwhile is fine */
			if (!all) {
				postern_move_absent(op, ids[i]);
				status = 1;
			}
			break;
		default:
			status = 1;
			break;
		}
		free(ids[i]);
	}
	free(ids);
	if (q.n > 0)
		done += postern_move_wait(op, &q, &status);
	q.ipc = ipc_free(q.ipc);
	log_info("%s: %zu message%s", op->summary, done, done == 1 ? "" : "s");
	if (op->scan && done > 0 && running
	    && postern_queue_trigger(PROTO_REQ_SCAN) < 0)
		status = 1;
	return status;
}
