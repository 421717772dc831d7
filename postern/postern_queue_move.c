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
 * the running qmgr, which holds it in memory and is delivering it: while
 * the mail system runs, such a message is refused with a message saying
 * so (it can be held or deleted once it is deferred, or with the mail
 * system stopped, when active/ is only what qmgr recovers at its next
 * start). qmgr may also move a file between our lookup and our move; a
 * rename that finds the file gone looks again, and a message that turns
 * up in active/ is refused as above.
 */
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "postern_queue.h"
#include "proto.h"
#include "queue.h"

#include <dirent.h>

#define POSTERN_MOVE_TRIES	3	/* lookups when files move under us */

struct postern_move_op {
	const char *name;		/* the subcommand */
	const char *const *from;	/* source queues, in order */
	size_t	nfrom;
	const char *to;			/* NULL: remove */
	const char *logged;		/* "ID: <logged>" */
	const char *summary;		/* "<summary>: N messages" */
	bool	scan;			/* tell qmgr to scan incoming/ */
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
	    NULL, "removed", "Deleted", false},
	{"hold", postern_move_hold, SYS_ARRAY_LEN(postern_move_hold),
	    QUEUE_HOLD, "placed on hold", "Placed on hold", false},
	{"release", postern_move_release,
	    SYS_ARRAY_LEN(postern_move_release), QUEUE_INCOMING,
	    "released from hold", "Released from hold", true},
	{"requeue", postern_move_requeue,
	    SYS_ARRAY_LEN(postern_move_requeue), QUEUE_INCOMING, "requeued",
	    "Requeued", true},
};

enum postern_move_result {
	POSTERN_MOVE_DONE,	/* moved or removed */
	POSTERN_MOVE_ABSENT,	/* not in any source queue */
	POSTERN_MOVE_REFUSED,	/* active, or being received: said so */
	POSTERN_MOVE_FAILED	/* a system error: said so */
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

/* postern_move_one - apply op to one message */
static enum postern_move_result
postern_move_one(const struct postern_move_op *op, const char *id,
    bool running)
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
			log_warn("%s: message is active (qmgr is delivering "
			    "it): not %s; try again once it is deferred, or "
			    "with the mail system stopped", id, op->logged);
			return POSTERN_MOVE_REFUSED;
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
				continue;	/* moved meanwhile: look again */
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
		switch (postern_move_one(op, ids[i], running)) {
		case POSTERN_MOVE_DONE:
			done++;
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
	log_info("%s: %zu message%s", op->summary, done, done == 1 ? "" : "s");
	if (op->scan && done > 0 && running
	    && postern_queue_trigger(PROTO_REQ_SCAN) < 0)
		status = 1;
	return status;
}
