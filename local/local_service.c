/* local_service.c - the deliver/1 server of the local delivery agent
 *
 * Input: requests from qmgr on one connection (util/proto.h, deliver/1):
 * queue_id, queue, sender, rcpt, [orcpt notify], offset, arrival, [dsn_ret
 * dsn_envid], checked against local_request_spec (limits: LOCAL_ADDR_MAX
 * per address, QUEUE_ID_LEN, small fixed sizes for the rest). A request
 * that breaks the spec ends the connection; one whose values make no sense
 * (a bad queue ID, queue name, offset or arrival time, control characters
 * in an address) gets a status 4 or 5 reply and a warning. For each good
 * request the queue file active/ID is opened read-only here (the child
 * inherits it, as its only descriptor from the parent besides the report
 * pipe and the log), the recipient is routed (local_route.c: loop check,
 * virtual mailbox, aliases and .forward, or the plain mailbox of
 * local_recipient.c), each delivery runs in a child (local_deliver.c),
 * the result is logged in Postfix's format (local_result.c) and sent
 * back: status, dsn, reason. A batch of requests for one recipient
 * (util/proto.h) is read whole; when the recipient is simply a Maildir
 * (local_route_maildir) its messages are written by one child
 * (local_deliver_batch), else each request is routed on its own; the
 * replies go back in request order, in one write. When an alias or
 * virtual table was rebuilt, the process exits after the reply (master
 * starts a fresh one).
 * The buffers of a delivery live in local_state and are reused, since a
 * busy local serves about a thousand deliveries per second.
 */
#include "local.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "privs.h"
#include "proto.h"
#include "queue.h"
#include "server.h"
#include "str.h"

#include <nss.h>
#include <pwd.h>
#include <sys/socket.h>

/* listening sockets, the status pipe and the generation pipe */
#define LOCAL_SERVER_FDS	(SERVER_LISTEN_MAX + 2)
_Static_assert(LOCAL_SERVER_FDS + 1 <= LOCAL_CLOSE_MAX,
    "the child's close list holds master's descriptors and qmgr's");

#define LOCAL_ARRIVAL_MAX	32
#define LOCAL_QUEUE_NAME_MAX	32
#define LOCAL_NSS_PRELOAD_NAME	"postern-nss-preload."	/* no such user */
#define LOCAL_ENVID_MAX		512	/* RFC 3461 ENVID, xtext-encoded */
#define LOCAL_SECONDS_DIGITS	19

/* positions in local_request_spec */
enum {
	L_QUEUE_ID, L_QUEUE, L_SENDER, L_RCPT, L_ORCPT, L_NOTIFY, L_OFFSET,
	L_ARRIVAL, L_DSN_RET, L_DSN_ENVID, L_MORE
};

static const struct ipc_spec local_request_spec[] = {
	{PROTO_QUEUE_ID, IPC_STR, true, QUEUE_ID_LEN},
	{PROTO_QUEUE, IPC_STR, true, LOCAL_QUEUE_NAME_MAX},
	{PROTO_SENDER, IPC_STR, true, LOCAL_ADDR_MAX},
	{PROTO_RCPT, IPC_STR, true, LOCAL_ADDR_MAX},
	{PROTO_ORCPT, IPC_STR, false, LOCAL_ADDR_MAX},
	{PROTO_NOTIFY, IPC_INT, false, 8},
	{PROTO_OFFSET, IPC_INT, true, 20},
	{PROTO_ARRIVAL, IPC_STR, true, LOCAL_ARRIVAL_MAX},
	{PROTO_DSN_RET, IPC_STR, false, 16},
	{PROTO_DSN_ENVID, IPC_STR, false, LOCAL_ENVID_MAX},
	{PROTO_MORE, IPC_INT, false, 1},
};

/* local_request - one request of a batch and what became of it */
struct local_request {
	struct ipc_msg msg;
	struct local_result res;
	struct local_delivery d;
	long long arrival;
	int	qfd;			/* the queue file, or -1 */
	bool	logged;			/* by local_route */
};

/* local_state - the per-process singleton: reusable buffers and counters */
static struct {
	struct local_rcpt *rcpt;
	struct local_copy *copy;
	struct buf *why;
	struct buf *text;		/* printable peer text for logs */
	unsigned long count;		/* deliveries (Maildir Q number) */
	struct local_request req[PROTO_BATCH_MAX];	/* the batch */
	int	server_fds[LOCAL_SERVER_FDS];	/* master's, if there */
	size_t	nserver_fds;
	bool	changed;		/* a lookup table was rebuilt */
} local_state;

/* local_service_is_listener - whether fd is a listening socket */
static bool
local_service_is_listener(int fd)
{
	struct stat st;
	socklen_t len;
	int     on = 0;

	len = sizeof(on);
	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on != 0;
}

/* local_service_is_pipe - whether fd is a pipe */
static bool
local_service_is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* local_service_find_fds - master's descriptors, found the way server.c
 * finds them, for the delivery child to close (never the log's) */
static void
local_service_find_fds(void)
{
	int     fd;

	local_state.nserver_fds = 0;
	if (local_service_is_listener(SERVER_LISTEN_FD)) {
		local_state.server_fds[local_state.nserver_fds++] =
		    SERVER_LISTEN_FD;
		for (fd = SERVER_LISTEN_EXTRA_FD; fd < SERVER_LISTEN_EXTRA_FD +
		    SERVER_LISTEN_MAX - 1 && local_service_is_listener(fd);
		    fd++)
			local_state.server_fds[local_state.nserver_fds++] = fd;
	}
	if (local_service_is_pipe(SERVER_STATUS_FD))
		local_state.server_fds[local_state.nserver_fds++] =
		    SERVER_STATUS_FD;
	if (local_service_is_pipe(SERVER_GENERATION_FD))
		local_state.server_fds[local_state.nserver_fds++] =
		    SERVER_GENERATION_FD;
}

/* local_service_keeper - mail_owner's uid for the Maildir children that
 * share our memory (local_deliver.c), when we can switch to it */
static void
local_service_keeper(void)
{
	uid_t   uid;
	gid_t   gid;

	if (!privs_is_root())
		return;
	if (privs_lookup(var_mail_owner, &uid, &gid) < 0 || uid == 0) {
		log_warn("mail_owner %s: unknown user or root; Maildir "
		    "deliveries fork a process each", var_mail_owner);
		return;
	}
	local_deliver_init(uid);
}

/* local_init_privileged - set up before the sandbox: the host name, the
 * NSS modules getpwnam() loads, buffers, master's descriptors */
void
local_init_privileged(void)
{
	(void)umask(077);		/* returns the old mask */
	local_maildir_init();
	/* users come from the passwd file (through nscd when it runs), as
	 * smtpd's recipient check sees them; other NSS modules (systemd's
	 * userdb with its event loop, directory walks and timers) make
	 * system calls that the sandbox rightly refuses */
	if (__nss_configure_lookup("passwd", "files") < 0)
		log_fatal("cannot restrict passwd lookups to files: %m");
	/* warm glibc's lookup code up while the sandbox is not yet on */
	errno = 0;
	(void)getpwnam("root");
	(void)getpwnam(LOCAL_NSS_PRELOAD_NAME);
	endpwent();
	if (!local_recipient_check_home_mailbox(var_home_mailbox))
		log_warn("home_mailbox = %s: must be a relative path without "
		    "\"..\"; deliveries will be deferred", var_home_mailbox);
	local_alias_init();
	local_virtual_init();
	local_service_keeper();
	local_state.rcpt = local_rcpt_new();
	local_state.copy = local_copy_new();
	local_state.why = buf_new(LOCAL_REASON_MAX);
	local_state.text = buf_new(0);
	local_service_find_fds();
}

/* local_service_printable - peer text for a log line */
static const char *
local_service_printable(const struct ipc_msg *msg, size_t i)
{
	return log_printable(local_state.text, ipc_str(msg, i),
	    ipc_len(msg, i), 256);
}

/* local_service_clean - no NUL or control characters */
static bool
local_service_clean(const struct ipc_msg *msg, size_t i)
{
	const unsigned char *p = (const unsigned char *)ipc_str(msg, i);
	size_t  n, len = ipc_len(msg, i);

	for (n = 0; n < len; n++)
		if (p[n] < ' ' || p[n] == 0x7f)
			return false;
	return true;
}

/* local_service_arrival - "seconds[.micros]" into microseconds; -1 bad */
static int
local_service_arrival(const char *text, long long *out)
{
	char    part[LOCAL_SECONDS_DIGITS + 1];
	unsigned long long sec, usec = 0;
	size_t  len = strcspn(text, ".");
	size_t  flen;

	if (len == 0 || len > LOCAL_SECONDS_DIGITS)
		return -1;
	memcpy(part, text, len);
	part[len] = '\0';
	if (parse_uint(part, 0, LLONG_MAX / 1000000 - 1, &sec) < 0)
		return -1;
	if (text[len] == '.') {
		flen = strlen(text + len + 1);
		if (flen == 0 || flen > 6)
			return -1;
		memcpy(part, text + len + 1, flen);
		part[flen] = '\0';
		if (parse_uint(part, 0, 999999, &usec) < 0)
			return -1;
		for (; flen < 6; flen++)
			usec *= 10;
	}
	*out = (long long)sec * 1000000 + (long long)usec;
	return 0;
}

/* local_service_check - the values of a request; 0, or -1 with res */
static int
local_service_check(const struct ipc_msg *msg, long long *arrival,
    struct local_result *res)
{
	size_t  bad = SIZE_MAX;

	if (!queue_id_valid(ipc_str(msg, L_QUEUE_ID)))
		bad = L_QUEUE_ID;
	else if (strcmp(ipc_str(msg, L_QUEUE), QUEUE_ACTIVE) != 0)
		bad = L_QUEUE;
	else if (ipc_num(msg, L_OFFSET) <= 0)
		bad = L_OFFSET;
	else if (local_service_arrival(ipc_str(msg, L_ARRIVAL), arrival) < 0)
		bad = L_ARRIVAL;
	if (bad != SIZE_MAX) {
		if (bad == L_OFFSET)
			log_warn("malformed delivery request: bad offset %lld",
			    ipc_num(msg, L_OFFSET));
		else
			log_warn("malformed delivery request: bad %s: \"%s\"",
			    local_request_spec[bad].name,
			    local_service_printable(msg, bad));
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "malformed delivery request");
		return -1;
	}
	if (!local_service_clean(msg, L_SENDER)) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.7",
		    "bad sender address syntax");
		return -1;
	}
	if (ipc_len(msg, L_RCPT) == 0 || !local_service_clean(msg, L_RCPT) ||
	    !local_service_clean(msg, L_ORCPT)) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.3",
		    "bad recipient address syntax");
		return -1;
	}
	return 0;
}

/* local_service_open - the queue file, read-only; -1 with res */
static int
local_service_open(const char *queue, const char *id,
    struct local_result *res)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;
	int     fd;

	if (queue_path(path, sizeof(path), queue, id) < 0)
		log_panic("local_service_open: checked queue id %s", id);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY)) < 0) {
		log_warn("%s: cannot open queue file %s: %m", id, path);
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "cannot open queue file");
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warn("%s: queue file %s is not a regular file", id, path);
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "queue file is not a regular file");
		(void)close(fd);	/* read-only */
		return -1;
	}
	return fd;
}

/* local_service_orcpt - the address in an ORCPT value "rfc822;addr" */
static const char *
local_service_orcpt(const char *orcpt)
{
	if (str_has_prefix_case(orcpt, "rfc822;"))
		return orcpt + strlen("rfc822;");
	return orcpt;
}

/* local_service_tables - before a request: a table rebuilt since this
 * process opened it is opened again (and the process exits after the
 * request); 0, or -1 with res when that fails */
static int
local_service_tables(struct local_result *res)
{
	if (!local_alias_changed() && !local_virtual_changed())
		return 0;
	local_state.changed = true;
	buf_reset(local_state.why);
	if (local_alias_reopen(local_state.why) < 0 ||
	    local_virtual_reopen(local_state.why) < 0) {
		log_warn("cannot reopen a lookup table: %s",
		    buf_str(local_state.why));
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "lookup table unavailable");
		return -1;
	}
	return 0;
}

/* local_service_prepare - check request r and open its queue file: 0,
 * or -1 with r->res set */
static int
local_service_prepare(struct ipc *ipc, struct local_request *r,
    long long start)
{
	struct local_delivery *d = &r->d;
	size_t  i;

	memset(d, 0, sizeof(*d));
	r->qfd = -1;
	r->logged = false;
	r->arrival = start;
	if (local_service_check(&r->msg, &r->arrival, &r->res) < 0 ||
	    (r->qfd = local_service_open(ipc_str(&r->msg, L_QUEUE),
	    ipc_str(&r->msg, L_QUEUE_ID), &r->res)) < 0)
		return -1;
	d->queue_id = ipc_str(&r->msg, L_QUEUE_ID);
	d->sender = ipc_str(&r->msg, L_SENDER);
	d->qfd = r->qfd;
	d->offset = (off_t)ipc_num(&r->msg, L_OFFSET);
	d->count = local_state.count;
	/* 90%: the reply must reach qmgr before its own deadline */
	d->timeout_ms = var_ipc_timeout * 900;
	d->copy = local_state.copy;
	d->close_fds[d->nclose++] = ipc_fd(ipc);
	for (i = 0; i < local_state.nserver_fds; i++)
		d->close_fds[d->nclose++] = local_state.server_fds[i];
	return 0;
}

/* local_service_route_req - the routing view of request r */
static void
local_service_route_req(const struct local_request *r, long long start,
    struct local_route_req *route)
{
	route->rcpt = ipc_str(&r->msg, L_RCPT);
	route->orcpt = local_service_orcpt(ipc_str(&r->msg, L_ORCPT));
	route->arrival = r->arrival;
	route->start = start;
}

/* local_service_batch - the prepared requests of a batch (ok[i]) to one
 * Maildir in one child, when the recipient is a plain Maildir; false
 * (nothing done) when it is not */
static bool
local_service_batch(struct local_request *req, const bool *ok, size_t n,
    long long start)
{
	struct local_delivery d[PROTO_BATCH_MAX];
	struct local_result res[PROTO_BATCH_MAX];
	struct local_route_req route;
	size_t  i, k = 0, idx[PROTO_BATCH_MAX];

	for (i = 0; i < n && !ok[i]; i++)
		continue;
	if (i == n)
		return false;
	local_service_route_req(&req[i], start, &route);
	if (local_route_maildir(&route, local_state.rcpt) <= 0)
		return false;
	for (; i < n; i++) {
		if (!ok[i])
			continue;
		local_service_route_req(&req[i], start, &route);
		if (local_route_loop(&route, &req[i].d, &req[i].res) != 0)
			continue;	/* a loop, or a bad file: res set */
		d[k] = req[i].d;
		idx[k++] = i;
	}
	if (k == 0)
		return true;
	local_deliver_batch(local_state.rcpt, d, res, k);
	local_state.count = d[k - 1].count;
	for (i = 0; i < k; i++)
		req[idx[i]].res = res[i];
	return true;
}

/* local_service_requests - a batch of n requests: check, resolve,
 * deliver, log; results in req[i].res */
static void
local_service_requests(struct ipc *ipc, struct local_request *req,
    size_t n)
{
	struct local_route_req route;
	struct local_request *r;
	long long start = local_now_us();
	bool    ok[PROTO_BATCH_MAX], tables;
	size_t  i;
	const char *id;

	tables = local_service_tables(&req[0].res) == 0;
	for (i = 0; i < n; i++) {
		if (!tables)
			req[i].res = req[0].res;
		ok[i] = tables && local_service_prepare(ipc, &req[i],
		    start) == 0;
	}
	if (n == 1 || !local_service_batch(req, ok, n, start)) {
		for (i = 0; i < n; i++) {
			if (!ok[i])
				continue;
			r = &req[i];
			r->d.count = local_state.count;
			local_service_route_req(r, start, &route);
			local_route(&route, local_state.rcpt, &r->d, &r->res,
			    &r->logged);
			local_state.count = r->d.count;
		}
	}
	for (i = 0; i < n; i++) {
		r = &req[i];
		id = ipc_str(&r->msg, L_QUEUE_ID);
		if (r->qfd >= 0)
			(void)close(r->qfd);	/* read-only */
		if (r->res.corrupt)
			log_warn("%s: corrupt queue file: %s", id,
			    r->res.reason);
		if (queue_id_valid(id) && !r->logged)
			local_result_log(id, ipc_str(&r->msg, L_RCPT),
			    local_service_orcpt(ipc_str(&r->msg, L_ORCPT)),
			    r->arrival, start, local_now_us(), &r->res);
	}
}

/* local_service_read_batch - read the next batch into local_state.req:
 * its size, 0 at EOF, or -1 after a protocol error (logged) */
static int
local_service_read_batch(struct ipc *ipc)
{
	struct local_request *req = local_state.req;
	size_t  n;
	int     ret;

	for (n = 0; n < PROTO_BATCH_MAX; n++) {
		buf_reset(local_state.why);
		ret = ipc_get(ipc, local_request_spec,
		    SYS_ARRAY_LEN(local_request_spec), &req[n].msg,
		    local_state.why);
		if (ret == 1 && n == 0)
			return 0;
		if (ret == 1)
			buf_why(local_state.why, "batch cut short");
		if (ret != 0) {
			log_warn("bad deliver request: %s",
			    buf_str(local_state.why));
			return -1;
		}
		if (n > 0 && str_casecmp(ipc_str(&req[n].msg, L_RCPT),
		    ipc_str(&req[0].msg, L_RCPT)) != 0) {
			log_warn("bad deliver request: a batch for more than "
			    "one recipient");
			return -1;
		}
		if (ipc_num(&req[n].msg, L_MORE) != 1)
			return (int)n + 1;
	}
	log_warn("bad deliver request: more than %d in a batch",
	    PROTO_BATCH_MAX);
	return -1;
}

/* local_service - serve one qmgr connection until EOF */
void
local_service(int fd)
{
	struct ipc *ipc;
	struct local_result *res;
	size_t  i;
	int     n;

	ipc = ipc_open(fd, (int)(var_ipc_timeout * 1000));
	if (ipc_send_proto(ipc, PROTO_DELIVER) < 0) {
		log_warn("cannot send the protocol banner: %m");
		goto fail;
	}
	for (;;) {
		if (ipc_input_pending(ipc) == 0 && server_exiting())
			break;
		if ((n = local_service_read_batch(ipc)) <= 0)
			break;
		local_service_requests(ipc, local_state.req, (size_t)n);
		for (i = 0; i < (size_t)n; i++) {
			res = &local_state.req[i].res;
			ipc_put_int(ipc, PROTO_STATUS, res->status);
			ipc_put_str(ipc, PROTO_DSN, res->dsn);
			ipc_put_str(ipc, PROTO_REASON, res->reason);
			ipc_end_buffered(ipc);
		}
		if (ipc_flush(ipc) < 0) {	/* all replies in one write */
			log_warn("cannot send a delivery reply: %m");
			break;
		}
		if (local_state.changed || local_alias_changed() ||
		    local_virtual_changed()) {
			local_state.changed = true;
			break;
		}
	}

fail:
	ipc_free(ipc);
	if (local_state.changed) {
		/* master starts a fresh process, which opens the new table */
		log_info("a lookup table has changed: restarting");
		exit(0);
	}
}
