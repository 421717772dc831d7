/* ipc.c - attribute-list records on the local sockets between daemons
 *
 * Owns struct ipc: a connected stream socket (made non-blocking) with a
 * fixed-size read buffer and a bounded write buffer. Every wait is a poll()
 * against a deadline of the connection's timeout, computed when a read
 * (ipc_get) or a flush starts, so a peer that trickles bytes cannot hold a
 * process longer than the timeout; EINTR is retried. Writes use
 * MSG_NOSIGNAL, so a vanished peer is an error return, never SIGPIPE.
 *
 * Input is untrusted (another daemon may be compromised): ipc_get checks
 * every attribute against the receiver's spec table before it reads the
 * value, so no value longer than its declared maximum is ever buffered.
 * Limits: IPC_MAX_NAME bytes of name, IPC_MAX_ATTRS attributes per list,
 * spec max (default IPC_MAX_VALUE_DEFAULT) bytes per value. An IPC_STR value
 * may not contain NUL; an IPC_INT value is optional '-' and 1..19 digits
 * within long long. After any error the connection is marked broken (the
 * byte stream is no longer in sync) and every later ipc_get fails at once;
 * the caller closes it. Nothing here logs: errors go back through why.
 *
 * Put calls never fail: the first write error is remembered and reported
 * by ipc_end/ipc_flush. The write buffer is flushed automatically once it
 * holds IPC_OUT_FLUSH bytes, so memory stays bounded for large data.
 */
#include "ipc.h"
#include "deadline.h"
#include "buf.h"
#include "mem.h"
#include "log.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#define IPC_IN_SIZE	8192		/* read buffer */
#define IPC_OUT_FLUSH	(64 * 1024)	/* write buffer flush threshold */
#define IPC_PROTO_MAX	128		/* longest proto=... banner value */
#define IPC_INT_DIGITS	19		/* digits of LLONG_MAX */

struct ipc {
	int	fd;
	int	timeout_ms;		/* < 0: no timeout */
	bool	broken;			/* input out of sync after an error */
	int	write_errno;		/* first write error, 0 if none */
	size_t	ilen, ipos;
	unsigned char ibuf[IPC_IN_SIZE];
	struct buf *out;
};

/* ipc_printable - a peer's attribute name made safe for messages */
static const char *
ipc_printable(char *out, size_t size, const unsigned char *name,
    size_t len)
{
	size_t  i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		out[i] = (name[i] < 0x20 || name[i] >= 0x7f) ? '?' :
		    (char)name[i];
	out[len] = '\0';
	return out;
}

/* ipc_open - wrap a connected socket; the ipc owns fd from now on */
struct ipc *
ipc_open(int fd, int timeout_ms)
{
	struct ipc *ipc;

	if (fd < 0)
		log_panic("ipc_open: bad descriptor %d", fd);
	/* non-blocking, so that no write can block past the deadline */
	if (deadline_nonblock(fd) < 0)
		log_panic("ipc_open: fcntl descriptor %d: %m", fd);
	ipc = xcalloc(1, sizeof(*ipc));
	ipc->fd = fd;
	ipc->timeout_ms = timeout_ms;
	ipc->out = buf_new(0);
	return ipc;
}

/* ipc_free - close the connection and release it; NULL ok */
struct ipc *
ipc_free(struct ipc *ipc)
{
	if (ipc == NULL)
		return NULL;
	/* nothing to do about a close error on a socket we are done with */
	(void)close(ipc->fd);
	buf_free(ipc->out);
	free(ipc);
	return NULL;
}

/* ipc_fd - the socket */
int
ipc_fd(const struct ipc *ipc)
{
	return ipc->fd;
}

/* ipc_set_timeout - change the deadline of later operations */
void
ipc_set_timeout(struct ipc *ipc, int timeout_ms)
{
	ipc->timeout_ms = timeout_ms;
}

/* ipc_connect_path - connect a new socket to path; fd or -1 with errno */
static int
ipc_connect_path(const char *path, int timeout_ms)
{
	struct sockaddr_un sun;
	struct timeval tv;
	int     fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a blocking AF_UNIX connect waits for backlog room at most
	 * SO_SNDTIMEO; ipc_open makes the socket non-blocking afterwards */
	if (timeout_ms >= 0) {
		tv.tv_sec = timeout_ms / 1000;
		tv.tv_usec = (timeout_ms % 1000) * 1000;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
		    sizeof(tv)) < 0)
			goto fail;
	}
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno != EINTR)
			goto fail;
	}
	return fd;

fail:
	saved = errno;
	(void)close(fd);		/* the connect error is what matters */
	errno = saved;
	return -1;
}

/* ipc_connect - connect to private/NAME, else public/NAME; the one that
 * worked last time is tried first (a process mostly talks to one service) */
struct ipc *
ipc_connect(const char *service, int timeout_ms, struct buf *why)
{
	static const char *const dirs[] = {"private", "public"};
	static size_t first;
	char    path[108];
	int     fd, err[2];
	size_t  i, d;

	if (*service == '\0' || strchr(service, '/') != NULL
	    || strlen(service) > 64) {
		buf_why(why, "bad service name \"%s\"", service);
		errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < SYS_ARRAY_LEN(dirs); i++) {
		d = (first + i) % SYS_ARRAY_LEN(dirs);
		(void)snprintf(path, sizeof(path), "%s/%s", dirs[d], service);
		fd = ipc_connect_path(path, timeout_ms);
		if (fd >= 0) {
			first = d;
			return ipc_open(fd, timeout_ms);
		}
		err[d] = errno;
	}
	buf_why(why, "connect to service %s: private/%s: %s; public/%s: %s",
	    service, service, strerror(err[0]), service, strerror(err[1]));
	errno = err[1] == ENOENT ? err[0] : err[1];
	return NULL;
}

/* ipc_write_all - write len bytes before deadline; 0 or -1 with errno */
static int
ipc_write_all(struct ipc *ipc, const void *data, size_t len,
    long long deadline)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = send(ipc->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(ipc->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (deadline_wait(ipc->fd, POLLOUT, deadline) < 0)
			return -1;
	}
	return 0;
}

/* ipc_flush_out - write out the buffer; remembers the first error */
static int
ipc_flush_out(struct ipc *ipc)
{
	if (ipc->write_errno != 0) {
		buf_reset(ipc->out);
		errno = ipc->write_errno;
		return -1;
	}
	if (buf_len(ipc->out) > 0 && ipc_write_all(ipc, buf_str(ipc->out),
	    buf_len(ipc->out), deadline_after(ipc->timeout_ms)) < 0) {
		ipc->write_errno = errno;
		buf_reset(ipc->out);
		return -1;
	}
	buf_reset(ipc->out);
	return 0;
}

/* ipc_put_bytes - buffer raw bytes, writing large ones directly */
static void
ipc_put_bytes(struct ipc *ipc, const void *data, size_t len)
{
	if (ipc->write_errno != 0 || len == 0)
		return;
	if (buf_len(ipc->out) + len > IPC_OUT_FLUSH) {
		if (ipc_flush_out(ipc) < 0)
			return;
		if (len >= IPC_OUT_FLUSH) {
			if (ipc_write_all(ipc, data, len,
			    deadline_after(ipc->timeout_ms)) < 0)
				ipc->write_errno = errno;
			return;
		}
	}
	if (buf_append(ipc->out, data, len) < 0)
		log_panic("ipc: write buffer overflow");
}

/* ipc_put_data - buffer one attribute with a binary value */
void
ipc_put_data(struct ipc *ipc, const char *name, const void *data,
    size_t len)
{
	size_t  nlen = strlen(name);
	unsigned char hdr[4];

	if (nlen == 0 || nlen > IPC_MAX_NAME)
		log_panic("ipc_put: bad attribute name length %zu", nlen);
	if (len > UINT32_MAX)
		log_panic("ipc_put: attribute %s: value of %zu bytes", name,
		    len);
	hdr[0] = (unsigned char)nlen;
	ipc_put_bytes(ipc, hdr, 1);
	ipc_put_bytes(ipc, name, nlen);
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	ipc_put_bytes(ipc, hdr, 4);
	ipc_put_bytes(ipc, data, len);
}

/* ipc_put_str - buffer one attribute with a string value */
void
ipc_put_str(struct ipc *ipc, const char *name, const char *value)
{
	ipc_put_data(ipc, name, value, strlen(value));
}

/* ipc_put_int - buffer one attribute with a decimal value */
void
ipc_put_int(struct ipc *ipc, const char *name, long long value)
{
	char    num[32];
	int     n;

	n = snprintf(num, sizeof(num), "%lld", value);
	ipc_put_data(ipc, name, num, (size_t)n);
}

/* ipc_end - close the list and flush; 0 or -1 (peer gone, timeout) */
int
ipc_end(struct ipc *ipc)
{
	ipc_end_buffered(ipc);
	return ipc_flush_out(ipc);
}

/* ipc_end_buffered - end the list, written with the next flush */
void
ipc_end_buffered(struct ipc *ipc)
{
	unsigned char end = 0;

	ipc_put_bytes(ipc, &end, 1);
}

/* ipc_flush - flush without an end marker */
int
ipc_flush(struct ipc *ipc)
{
	return ipc_flush_out(ipc);
}

/* ipc_fill - read more input; 1 data, 0 EOF, -1 error with errno */
static int
ipc_fill(struct ipc *ipc, long long deadline)
{
	ssize_t n;

	if (ipc->ipos == ipc->ilen)
		ipc->ipos = ipc->ilen = 0;
	for (;;) {
		n = read(ipc->fd, ipc->ibuf + ipc->ilen,
		    sizeof(ipc->ibuf) - ipc->ilen);
		if (n > 0) {
			ipc->ilen += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (deadline_wait(ipc->fd, POLLIN, deadline) < 0)
			return -1;
	}
}

/* ipc_read_err - describe a failed or short read in why */
static void
ipc_read_err(int ret, struct buf *why, const char *what)
{
	if (ret == 0)
		buf_why(why, "unexpected end of input reading %s", what);
	else if (errno == ETIMEDOUT)
		buf_why(why, "timeout reading %s", what);
	else
		buf_why(why, "read %s: %s", what, strerror(errno));
}

/* ipc_read - read exactly len bytes into dst (or into b when dst is NULL);
 * 1 ok, 0 EOF first, -1 error with errno */
static int
ipc_read(struct ipc *ipc, void *dst, struct buf *b, size_t len,
    long long deadline)
{
	size_t  chunk;
	int     ret;

	while (len > 0) {
		if (ipc->ipos == ipc->ilen) {
			ret = ipc_fill(ipc, deadline);
			if (ret <= 0)
				return ret;
		}
		chunk = ipc->ilen - ipc->ipos;
		if (chunk > len)
			chunk = len;
		if (dst != NULL) {
			memcpy(dst, ipc->ibuf + ipc->ipos, chunk);
			dst = (char *)dst + chunk;
		} else if (buf_append(b, ipc->ibuf + ipc->ipos, chunk) < 0) {
			errno = EMSGSIZE;
			return -1;
		}
		ipc->ipos += chunk;
		len -= chunk;
	}
	return 1;
}

/* ipc_parse_int - strict decimal long long, optional leading '-' */
static int
ipc_parse_int(const char *s, size_t len, long long *out)
{
	unsigned long long v = 0, lim;
	bool    neg = false;
	size_t  i = 0;

	if (len > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > IPC_INT_DIGITS)
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long long)(s[i] - '0');
		if (v > lim)
			return -1;
	}
	if (neg)
		*out = v == lim ? LLONG_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

/* ipc_msg_clear - make every value of msg absent, keeping buffers */
static void
ipc_msg_clear(struct ipc_msg *msg, size_t n)
{
	size_t  i;

	msg->n = n;
	for (i = 0; i < IPC_MAX_ATTRS; i++) {
		msg->vals[i].present = false;
		msg->vals[i].num = 0;
		if (msg->vals[i].data != NULL)
			buf_reset(msg->vals[i].data);
	}
}

/* ipc_get_value - read the value of spec[i] (length len) into msg */
static int
ipc_get_value(struct ipc *ipc, const struct ipc_spec *spec,
    struct ipc_val *val, size_t len, long long deadline, struct buf *why)
{
	int     ret;

	if (val->data == NULL)
		val->data = buf_new(0);
	buf_reset(val->data);
	ret = ipc_read(ipc, NULL, val->data, len, deadline);
	if (ret <= 0) {
		ipc_read_err(ret, why, spec->name);
		return -1;
	}
	val->present = true;
	if (spec->type == IPC_STR && memchr(buf_str(val->data), '\0',
	    len) != NULL) {
		buf_why(why, "attribute %s: NUL byte in string", spec->name);
		return -1;
	}
	if (spec->type == IPC_INT && ipc_parse_int(buf_str(val->data), len,
	    &val->num) < 0) {
		buf_why(why, "attribute %s: bad integer", spec->name);
		return -1;
	}
	return 0;
}

/* ipc_get_list - the body of ipc_get; 0, 1 (EOF at start) or -1 */
static int
ipc_get_list(struct ipc *ipc, const struct ipc_spec *spec, size_t n,
    struct ipc_msg *msg, long long deadline, struct buf *why)
{
	unsigned char name[IPC_MAX_NAME + 1], hdr[4];
	char    pname[IPC_MAX_NAME + 1];
	size_t  nlen, vlen, max, i, count = 0;
	int     ret;

	for (;;) {
		ret = ipc_read(ipc, hdr, NULL, 1, deadline);
		if (ret == 0 && count == 0)
			return 1;
		if (ret <= 0) {
			ipc_read_err(ret, why, "attribute name length");
			return -1;
		}
		nlen = hdr[0];
		if (nlen == 0)
			break;
		if (++count > IPC_MAX_ATTRS) {
			buf_why(why, "more than %d attributes", IPC_MAX_ATTRS);
			return -1;
		}
		if (nlen > IPC_MAX_NAME) {
			buf_why(why, "attribute name longer than %d bytes",
			    IPC_MAX_NAME);
			return -1;
		}
		ret = ipc_read(ipc, name, NULL, nlen, deadline);
		if (ret <= 0) {
			ipc_read_err(ret, why, "attribute name");
			return -1;
		}
		name[nlen] = '\0';
		for (i = 0; i < n; i++) {
			if (strlen(spec[i].name) == nlen
			    && memcmp(spec[i].name, name, nlen) == 0)
				break;
		}
		if (i == n) {
			buf_why(why, "unknown attribute %s",
			    ipc_printable(pname, sizeof(pname), name, nlen));
			return -1;
		}
		if (msg->vals[i].present) {
			buf_why(why, "duplicate attribute %s", spec[i].name);
			return -1;
		}
		ret = ipc_read(ipc, hdr, NULL, 4, deadline);
		if (ret <= 0) {
			ipc_read_err(ret, why, spec[i].name);
			return -1;
		}
		vlen = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16
		    | (size_t)hdr[2] << 8 | (size_t)hdr[3];
		max = spec[i].max ? spec[i].max : IPC_MAX_VALUE_DEFAULT;
		if (vlen > max) {
			buf_why(why, "attribute %s: value of %zu bytes "
			    "exceeds the limit of %zu", spec[i].name, vlen,
			    max);
			return -1;
		}
		if (ipc_get_value(ipc, &spec[i], &msg->vals[i], vlen,
		    deadline, why) < 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if (spec[i].required && !msg->vals[i].present) {
			buf_why(why, "missing attribute %s", spec[i].name);
			return -1;
		}
	}
	return 0;
}

/* ipc_get - read one list into msg according to spec (n entries) */
int
ipc_get(struct ipc *ipc, const struct ipc_spec *spec, size_t n,
    struct ipc_msg *msg, struct buf *why)
{
	int     ret;

	if (n > IPC_MAX_ATTRS)
		log_panic("ipc_get: spec of %zu attributes", n);
	ipc_msg_clear(msg, n);
	if (ipc->broken) {
		buf_why(why, "connection already failed");
		return -1;
	}
	ret = ipc_get_list(ipc, spec, n, msg, deadline_after(ipc->timeout_ms),
	    why);
	if (ret != 0) {
		ipc->broken = true;
		ipc_msg_clear(msg, n);
	}
	return ret;
}

/* ipc_input_pending - bytes already buffered */
size_t
ipc_input_pending(const struct ipc *ipc)
{
	return ipc->ilen - ipc->ipos;
}

/* ipc_val_of - value i of msg, or NULL when absent */
static const struct ipc_val *
ipc_val_of(const struct ipc_msg *msg, size_t i)
{
	if (i >= msg->n || i >= IPC_MAX_ATTRS || !msg->vals[i].present)
		return NULL;
	return &msg->vals[i];
}

/* ipc_str - value i as a string; "" when absent */
const char *
ipc_str(const struct ipc_msg *msg, size_t i)
{
	const struct ipc_val *v = ipc_val_of(msg, i);

	return v != NULL && v->data != NULL ? buf_str(v->data) : "";
}

/* ipc_len - length of value i; 0 when absent */
size_t
ipc_len(const struct ipc_msg *msg, size_t i)
{
	const struct ipc_val *v = ipc_val_of(msg, i);

	return v != NULL && v->data != NULL ? buf_len(v->data) : 0;
}

/* ipc_num - value i as a number; 0 when absent */
long long
ipc_num(const struct ipc_msg *msg, size_t i)
{
	const struct ipc_val *v = ipc_val_of(msg, i);

	return v != NULL ? v->num : 0;
}

/* ipc_msg_free - free the value buffers; msg is zeroed, ready for reuse */
void
ipc_msg_free(struct ipc_msg *msg)
{
	size_t  i;

	for (i = 0; i < IPC_MAX_ATTRS; i++)
		buf_free(msg->vals[i].data);
	memset(msg, 0, sizeof(*msg));
}

/* ipc_send_proto - send the server banner proto=NAME */
int
ipc_send_proto(struct ipc *ipc, const char *proto)
{
	ipc_put_str(ipc, "proto", proto);
	return ipc_end(ipc);
}

/* ipc_expect_proto - read the banner and check it is proto */
int
ipc_expect_proto(struct ipc *ipc, const char *proto, struct buf *why)
{
	static const struct ipc_spec spec[] = {
		{"proto", IPC_STR, true, IPC_PROTO_MAX},
	};
	struct ipc_msg msg;
	char    got[IPC_PROTO_MAX + 1];
	int     ret;

	memset(&msg, 0, sizeof(msg));
	ret = ipc_get(ipc, spec, SYS_ARRAY_LEN(spec), &msg, why);
	if (ret == 1)
		buf_why(why, "connection closed before the protocol banner");
	if (ret == 0 && strcmp(ipc_str(&msg, 0), proto) != 0) {
		buf_why(why, "protocol mismatch: want %s, got %s", proto,
		    ipc_printable(got, sizeof(got),
		    (const unsigned char *)ipc_str(&msg, 0),
		    ipc_len(&msg, 0)));
		ipc->broken = true;
		ret = -1;
	}
	ipc_msg_free(&msg);
	return ret == 0 ? 0 : -1;
}

/* ipc_fd_wait - wait for a descriptor-passing socket; 0 or -1 */
static int
ipc_fd_wait(int sock, short events)
{
	return deadline_wait(sock, events,
	    deadline_after(IPC_FD_TIMEOUT_MS));
}

/* ipc_send_fd - send fd over sock with one data byte (SCM_RIGHTS) */
int
ipc_send_fd(int sock, int fd)
{
	union {
		struct cmsghdr hdr;
		char	space[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	char    byte = 'F';
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.space;
	mh.msg_controllen = sizeof(ctl.space);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	for (;;) {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n == 1)
			return 0;
		if (n >= 0) {
			errno = EPIPE;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK)
		    || ipc_fd_wait(sock, POLLOUT) < 0)
			return -1;
	}
}

/* ipc_close_fds - close every descriptor in a received SCM_RIGHTS cmsg */
static void
ipc_close_fds(struct cmsghdr *cm)
{
	size_t  i, count;
	int     fd;

	count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	for (i = 0; i < count; i++) {
		memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		(void)close(fd);	/* unwanted descriptor */
	}
}

/* ipc_recv_fd - receive one descriptor (close-on-exec); fd or -1 */
int
ipc_recv_fd(int sock)
{
	union {
		struct cmsghdr hdr;
		char	space[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct msghdr mh;
	struct cmsghdr *cm;
	struct iovec iov;
	char    byte;
	ssize_t n;
	int     fd = -1, bad = 0;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = &byte;
		iov.iov_len = 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.space;
		mh.msg_controllen = sizeof(ctl.space);
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK)
		    || ipc_fd_wait(sock, POLLIN) < 0)
			return -1;
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET
		    || cm->cmsg_type != SCM_RIGHTS)
			continue;
		if (fd < 0 && cm->cmsg_len == CMSG_LEN(sizeof(int))) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			continue;
		}
		ipc_close_fds(cm);
		bad = 1;
	}
	if (n == 0 && fd < 0) {
		errno = ECONNRESET;
		return -1;
	}
	if (bad || (mh.msg_flags & MSG_CTRUNC) || fd < 0) {
		if (fd >= 0)
			(void)close(fd);	/* the message is refused */
		errno = EPROTO;
		return -1;
	}
	return fd;
}
