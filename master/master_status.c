/* master_status.c - the status pipes between a service and master
 *
 * Owns each service's status pipe: the write end goes to every process of
 * the service (SERVER_STATUS_FD), the read end stays in master,
 * non-blocking, in the events loop. Records are struct server_status
 * (util/server.h), written with one write() each, so they arrive whole;
 * a partial record is kept until the rest comes anyway. A pipe per
 * service means a process can only ever speak for its own service: a
 * record whose pid is not a process of that service is ignored, and so
 * is an unknown status value (logged), because children are not
 * trusted. Records from old-generation processes only mark them as having
 * started fine; they are available to nobody any more. A process that
 * reports its last connection (max_use) gets a successor at once when no
 * other process of its service is available.
 */
#include "master.h"
#include "events.h"
#include "log.h"

/* master_status_record - one record from s's pipe */
static void
master_status_record(struct master_serv *s, const struct server_status *st)
{
	struct master_proc *p = master_spawn_find(st->pid);

	if (p == NULL || p->serv != s) {
		log_debug("service %s/%s: status from unknown pid %d ignored",
		    s->name, s->type, (int)st->pid);
		return;
	}
	if (st->status != SERVER_STATUS_AVAIL
	    && st->status != SERVER_STATUS_TAKEN
	    && st->status != SERVER_STATUS_LAST) {
		log_warn("service %s/%s: pid %d sent bad status %d", s->name,
		    s->type, (int)st->pid, st->status);
		return;
	}
	if (!p->reported) {
		p->reported = true;
		master_avail_good(s);
	}
	if (p->gen != master.generation)
		return;
	if (st->status == SERVER_STATUS_AVAIL && !p->avail) {
		p->avail = true;
		s->avail_proc++;
	} else if (st->status != SERVER_STATUS_AVAIL && p->avail) {
		p->avail = false;
		s->avail_proc--;
	}
	/* its successor starts while it serves its last client */
	if (st->status == SERVER_STATUS_LAST && s->avail_proc <= 0)
		master_avail_spawn(s);
}

/* master_status_event - s's status pipe is readable */
static void
master_status_event(int fd, int what, void *ctx)
{
	struct master_serv *s = ctx;
	struct server_status st;
	unsigned char data[64 * sizeof(struct server_status)];
	size_t  off, take;
	ssize_t n;

	(void)what;
	for (;;) {
		n = read(fd, data, sizeof(data));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("service %s/%s: read status pipe: %m",
				    s->name, s->type);
			break;
		}
		if (n == 0)
			break;		/* master holds a write end: never */
		for (off = 0; off < (size_t)n; off += take) {
			take = sizeof(st) - s->status_len;
			if (take > (size_t)n - off)
				take = (size_t)n - off;
			memcpy(s->status_buf + s->status_len, data + off,
			    take);
			s->status_len += take;
			if (s->status_len < sizeof(st))
				break;
			memcpy(&st, s->status_buf, sizeof(st));
			s->status_len = 0;
			master_status_record(s, &st);
		}
	}
	if (!s->retired)
		master_avail_update(s);
}

/* master_status_open - s's status pipe, watched; 0 or -1 */
int
master_status_open(struct master_serv *s)
{
	int     fds[2], flags;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		log_error("service %s/%s: create status pipe: %m", s->name,
		    s->type);
		return -1;
	}
	flags = fcntl(fds[0], F_GETFL);
	if (flags < 0 || fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) < 0) {
		log_error("service %s/%s: status pipe: %m", s->name, s->type);
		(void)close(fds[0]);	/* failing anyway */
		(void)close(fds[1]);
		return -1;
	}
	s->status_rd = fds[0];
	s->status_wr = fds[1];
	s->status_len = 0;
	events_watch(s->status_rd, EVENTS_READ, master_status_event, s);
	return 0;
}

/* master_status_close - close s's status pipe */
void
master_status_close(struct master_serv *s)
{
	if (s->status_rd >= 0) {
		events_unwatch(s->status_rd);
		if (close(s->status_rd) < 0)
			log_warn("close status pipe: %m");
	}
	if (s->status_wr >= 0 && close(s->status_wr) < 0)
		log_warn("close status pipe: %m");
	s->status_rd = s->status_wr = -1;
}
