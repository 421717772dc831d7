/* stream.h - buffered line I/O on a socket, with deadlines
 *
 * Used by smtpd (and later the SMTP client) for peer input. Each read or
 * flush waits at most the stream's timeout (poll); a timeout is an error.
 * stream_get_line never returns more than max bytes: a longer line comes
 * back as STREAM_LONG with the first max bytes, and the next call continues
 * the same line. STREAM_END_* tell how the line was terminated, so that a
 * caller can tell CRLF from a bare LF (SMTP smuggling); a CR not followed
 * by LF is line data. A last line cut off by end of input comes back as
 * STREAM_LINE with STREAM_END_NONE, and the next call returns STREAM_EOF.
 * Each call's deadline is the timeout from its start (timeout_ms < 0:
 * none); stream_open makes fd non-blocking. Writes are buffered and
 * flushed automatically once the buffer is large; the first write error
 * is remembered and reported by stream_flush.
 */
#ifndef POSTERN_STREAM_H
#define POSTERN_STREAM_H

#include "sys.h"

struct buf;
struct stream;

enum stream_result { STREAM_LINE, STREAM_LONG, STREAM_EOF, STREAM_ERROR };
enum stream_end { STREAM_END_NONE, STREAM_END_CRLF, STREAM_END_LF };

struct stream *stream_open(int fd, int timeout_ms);
struct stream *stream_free(struct stream *s);	/* closes the fd; NULL ok */
int	stream_fd(const struct stream *s);
void	stream_set_timeout(struct stream *s, int timeout_ms);

/* stream_get_line - next line into line (reset), terminator removed */
enum stream_result stream_get_line(struct stream *s, struct buf *line,
	    size_t max, enum stream_end *end);
/* stream_pending - bytes buffered and not yet returned (pipelining) */
size_t	stream_pending(const struct stream *s);
/* stream_timed_out - whether the last error was a timeout */
bool	stream_timed_out(const struct stream *s);

void	stream_write(struct stream *s, const void *data, size_t len);
void	stream_printf(struct stream *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	stream_flush(struct stream *s);	/* 0 or -1 */

#endif
