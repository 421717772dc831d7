/* stream.c - buffered line I/O on a socket, with deadlines
 *
 * Owns struct stream: a descriptor (made non-blocking), a fixed read buffer
 * and a bounded write buffer. Input is an untrusted peer's (an SMTP
 * client): stream_get_line never stores more than max bytes per call, and
 * each call waits in poll() until one deadline (the stream's timeout from
 * the start of the call), so a peer that trickles bytes cannot hold a
 * process longer than that. A line longer than max comes back in pieces:
 * STREAM_LONG with exactly max bytes, and the next call continues the same
 * line; the call that reaches the LF returns STREAM_LINE with the end
 * found. CR LF is STREAM_END_CRLF, a bare LF STREAM_END_LF; a CR not
 * followed by LF is line data. A final line cut off by end of input comes
 * back as STREAM_LINE with STREAM_END_NONE, then STREAM_EOF.
 *
 * Output is buffered up to STREAM_OUT_FLUSH bytes and then written out;
 * the first write error is remembered and stream_flush reports it. Writes
 * use MSG_NOSIGNAL, so a vanished peer never raises SIGPIPE.
 */
#include "stream.h"
#include "deadline.h"
#include "buf.h"
#include "mem.h"
#include "log.h"

#include <poll.h>
#include <sys/socket.h>

#define STREAM_IN_SIZE		8192
#define STREAM_OUT_FLUSH	(64 * 1024)

struct stream {
	int	fd;
	int	timeout_ms;		/* < 0: no timeout */
	bool	timed_out;		/* the last error was a timeout */
	bool	eof;			/* read returned 0 */
	int	write_errno;		/* first write error, 0 if none */
	size_t	ilen, ipos;
	char	ibuf[STREAM_IN_SIZE];
	struct buf *out;
};

/* stream_wait - deadline_wait on the stream; a timeout sets timed_out */
static int
stream_wait(struct stream *s, short events, long long deadline)
{
	if (deadline_wait(s->fd, events, deadline) == 0)
		return 0;
	if (errno == ETIMEDOUT)
		s->timed_out = true;
	return -1;
}

/* stream_open - wrap fd; the stream owns it from now on */
struct stream *
stream_open(int fd, int timeout_ms)
{
	struct stream *s;

	if (fd < 0)
		log_panic("stream_open: bad descriptor %d", fd);
	if (deadline_nonblock(fd) < 0)
		log_panic("stream_open: fcntl descriptor %d: %m", fd);
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	s->timeout_ms = timeout_ms;
	s->out = buf_new(0);
	return s;
}

/* stream_free - close the descriptor and release the stream; NULL ok */
struct stream *
stream_free(struct stream *s)
{
	if (s == NULL)
		return NULL;
	(void)close(s->fd);	/* nothing useful to do about it */
	buf_free(s->out);
	free(s);
	return NULL;
}

/* stream_fd - the descriptor */
int
stream_fd(const struct stream *s)
{
	return s->fd;
}

/* stream_set_timeout - deadline of later operations (< 0: none) */
void
stream_set_timeout(struct stream *s, int timeout_ms)
{
	s->timeout_ms = timeout_ms;
}

/* stream_fill - read more after the buffered bytes (compacting first);
 * 1 data, 0 EOF, -1 error */
static int
stream_fill(struct stream *s, long long deadline)
{
	ssize_t n;

	if (s->ipos > 0) {
		memmove(s->ibuf, s->ibuf + s->ipos, s->ilen - s->ipos);
		s->ilen -= s->ipos;
		s->ipos = 0;
	}
	if (s->eof)
		return 0;
	for (;;) {
		n = read(s->fd, s->ibuf + s->ilen, sizeof(s->ibuf) - s->ilen);
		if (n > 0) {
			s->ilen += (size_t)n;
			return 1;
		}
		if (n == 0) {
			s->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (stream_wait(s, POLLIN, deadline) < 0)
			return -1;
	}
}

/* stream_take - move n buffered bytes into line; -1 if line is full */
static int
stream_take(struct stream *s, struct buf *line, size_t n)
{
	if (buf_append(line, s->ibuf + s->ipos, n) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	s->ipos += n;
	return 0;
}

/* stream_get_line - next line (at most max bytes) into line */
enum stream_result
stream_get_line(struct stream *s, struct buf *line, size_t max,
    enum stream_end *end)
{
	long long deadline = deadline_after(s->timeout_ms);
	const char *p, *lf;
	size_t  avail, room, scan, len, keep, over;
	int     ret;

	if (max == 0)
		log_panic("stream_get_line: zero maximum");
	buf_reset(line);
	*end = STREAM_END_NONE;
	s->timed_out = false;
	for (;;) {
		p = s->ibuf + s->ipos;
		avail = s->ilen - s->ipos;
		room = max - buf_len(line);
		/* an LF more than room + 1 bytes in cannot end this piece */
		scan = avail;
		if (room < avail && avail - room > 2)
			scan = room + 2;
		lf = memchr(p, '\n', scan);
		if (lf != NULL) {
			len = (size_t)(lf - p);
			*end = STREAM_END_LF;
			if (len > 0 && p[len - 1] == '\r') {
				len--;
				*end = STREAM_END_CRLF;
			}
			if (len <= room) {
				if (stream_take(s, line, len) < 0)
					return STREAM_ERROR;
				s->ipos = (size_t)(lf - s->ibuf) + 1;
				return STREAM_LINE;
			}
			*end = STREAM_END_NONE;
		}
		/* more than room data bytes without an end: a long line
		 * (a CR at offset room may yet be a CR LF terminator) */
		over = avail > room ? avail - room : 0;
		if (lf != NULL || over >= 2
		    || (over == 1 && p[room] != '\r')) {
			if (stream_take(s, line, room) < 0)
				return STREAM_ERROR;
			return STREAM_LONG;
		}
		/* everything buffered is line data, except a final CR */
		keep = avail > 0 && p[avail - 1] == '\r' ? 1 : 0;
		if (stream_take(s, line, avail - keep) < 0)
			return STREAM_ERROR;
		ret = stream_fill(s, deadline);
		if (ret < 0)
			return STREAM_ERROR;
		if (ret == 0) {
			/* end of input: a cut-off last line, then EOF; a
			 * kept CR that does not fit goes in the next piece */
			avail = s->ilen - s->ipos;
			if (avail > max - buf_len(line))
				return STREAM_LONG;
			if (stream_take(s, line, avail) < 0)
				return STREAM_ERROR;
			return buf_len(line) > 0 ? STREAM_LINE : STREAM_EOF;
		}
	}
}

/* stream_pending - bytes buffered and not yet returned */
size_t
stream_pending(const struct stream *s)
{
	return s->ilen - s->ipos;
}

/* stream_timed_out - whether the last error was a timeout */
bool
stream_timed_out(const struct stream *s)
{
	return s->timed_out;
}

/* stream_write_all - write len bytes before deadline; 0 or -1 */
static int
stream_write_all(struct stream *s, const char *p, size_t len,
    long long deadline)
{
	ssize_t n;

	while (len > 0) {
		n = send(s->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(s->fd, p, len);
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
		if (stream_wait(s, POLLOUT, deadline) < 0)
			return -1;
	}
	return 0;
}

/* stream_flush - write out everything buffered; 0 or -1 */
int
stream_flush(struct stream *s)
{
	if (s->write_errno == 0 && buf_len(s->out) > 0) {
		s->timed_out = false;
		if (stream_write_all(s, buf_str(s->out), buf_len(s->out),
		    deadline_after(s->timeout_ms)) < 0)
			s->write_errno = errno;
	}
	buf_reset(s->out);
	if (s->write_errno != 0) {
		errno = s->write_errno;
		return -1;
	}
	return 0;
}

/* stream_write - buffer bytes; flushes once the buffer is large */
void
stream_write(struct stream *s, const void *data, size_t len)
{
	if (s->write_errno != 0)
		return;
	if (buf_len(s->out) + len > STREAM_OUT_FLUSH) {
		if (stream_flush(s) < 0)
			return;
		if (len >= STREAM_OUT_FLUSH) {
			s->timed_out = false;
			if (stream_write_all(s, data, len,
			    deadline_after(s->timeout_ms)) < 0)
				s->write_errno = errno;
			return;
		}
	}
	if (buf_append(s->out, data, len) < 0)
		log_panic("stream_write: output buffer overflow");
}

/* stream_printf - buffer formatted text */
void
stream_printf(struct stream *s, const char *fmt, ...)
{
	va_list ap;
	char    small[1024], *big;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		log_panic("stream_printf: bad format \"%s\"", fmt);
	if ((size_t)n < sizeof(small)) {
		stream_write(s, small, (size_t)n);
		return;
	}
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	n = vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		log_panic("stream_printf: bad format \"%s\"", fmt);
	stream_write(s, big, (size_t)n);
	free(big);
}
