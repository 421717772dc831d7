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
 * back: status, dsn, reason. When an alias or virtual table was rebuilt,
 * the process exits after the reply (master starts a fresh one).
 * The buffers of a delivery live in local_state and are reused, since a
 * busy local serves about a thousand deliveries per second.
 */
#include "local.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
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
	L_ARRIVAL, L_DSN_RET, L_DSN_ENVID
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
};

/* local_state - the per-process singleton: reusable buffers and counters */
static struct {
	struct local_rcpt *rcpt;
	struct local_copy *copy;
	struct buf *why;
	struct buf *text;		/* printable peer text for logs */
	unsigned long count;		/* deliveries (Maildir Q number) */
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

/* local_service_request - one request: resolve, deliver, log, reply */
static void
local_service_request(struct ipc *ipc, const struct ipc_msg *msg)
{
	struct local_result res;
	struct local_delivery d;
	struct local_route_req route;
	const char *id = ipc_str(msg, L_QUEUE_ID);
	bool    logged = false;
	long long start = local_now_us(), arrival = start;
	size_t  i;
	int     qfd = -1;

	memset(&d, 0, sizeof(d));
	if (local_service_tables(&res) == 0 &&
	    local_service_check(msg, &arrival, &res) == 0 &&
	    (qfd = local_service_open(ipc_str(msg, L_QUEUE), id, &res)) >= 0) {
		d.queue_id = id;
		d.sender = ipc_str(msg, L_SENDER);
		d.qfd = qfd;
		d.offset = (off_t)ipc_num(msg, L_OFFSET);
		d.count = local_state.count;
		/* 90%: the reply must reach qmgr before its own deadline */
		d.timeout_ms = var_ipc_timeout * 900;
		d.copy = local_state.copy;
		d.close_fds[d.nclose++] = ipc_fd(ipc);
		for (i = 0; i < local_state.nserver_fds; i++)
			d.close_fds[d.nclose++] = local_state.server_fds[i];
		route.rcpt = ipc_str(msg, L_RCPT);
		route.orcpt = local_service_orcpt(ipc_str(msg, L_ORCPT));
		route.arrival = arrival;
		route.start = start;
		local_route(&route, local_state.rcpt, &d, &res, &logged);
		local_state.count = d.count;
		(void)close(qfd);	/* read-only */
		if (res.corrupt)
			log_warn("%s: corrupt queue file: %s", id, res.reason);
	}
	if (queue_id_valid(id) && !logged)
		local_result_log(id, ipc_str(msg, L_RCPT),
		    local_service_orcpt(ipc_str(msg, L_ORCPT)), arrival,
		    start, local_now_us(), &res);
	ipc_put_int(ipc, PROTO_STATUS, res.status);
	ipc_put_str(ipc, PROTO_DSN, res.dsn);
	ipc_put_str(ipc, PROTO_REASON, res.reason);
}

/* local_service - serve one qmgr connection until EOF */
void
local_service(int fd)
{
	struct ipc *ipc;
	struct ipc_msg msg;
	int     ret;

	memset(&msg, 0, sizeof(msg));	/* ipc_get reuses its buffers */
	ipc = ipc_open(fd, (int)(var_ipc_timeout * 1000));
	if (ipc_send_proto(ipc, PROTO_DELIVER) < 0) {
		log_warn("cannot send the protocol banner: %m");
		goto fail;
	}
	for (;;) {
		if (ipc_input_pending(ipc) == 0 && server_exiting())
			break;
		buf_reset(local_state.why);
		ret = ipc_get(ipc, local_request_spec,
		    SYS_ARRAY_LEN(local_request_spec), &msg, local_state.why);
		if (ret == 1)
			break;
		if (ret < 0) {
			log_warn("bad deliver request: %s",
			    buf_str(local_state.why));
			break;
		}
		local_service_request(ipc, &msg);
		if (ipc_end(ipc) < 0) {
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
	ipc_msg_free(&msg);
	ipc_free(ipc);
	if (local_state.changed) {
		/* master starts a fresh process, which opens the new table */
		log_info("a lookup table has changed: restarting");
		exit(0);
	}
}
