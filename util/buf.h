/* buf.h - growable, binary-safe byte buffer with a hard maximum
 *
 * struct buf holds data, length, capacity and max. The data is always
 * NUL-terminated after its length as a safety net, but the buffer is
 * binary-safe: use buf_len(), never strlen(). An append that would take the
 * length past max fails with -1 and leaves the buffer unchanged, so that
 * limits driven by peer input turn into replies, never crashes.
 * max == 0 means BUF_DEFAULT_MAX.
 */
#ifndef POSTERN_BUF_H
#define POSTERN_BUF_H

#include "sys.h"

#define BUF_DEFAULT_MAX	(64UL * 1024 * 1024)

struct buf {
	char	*data;
	size_t	len;
	size_t	cap;
	size_t	max;
};

struct buf *buf_new(size_t max);		/* caller owns; never NULL */
struct buf *buf_free(struct buf *b);		/* accepts NULL, returns NULL */
void	buf_reset(struct buf *b);		/* length 0, keeps memory */
int	buf_append(struct buf *b, const void *data, size_t len); /* 0 or -1 */
int	buf_append_str(struct buf *b, const char *s);
int	buf_append_char(struct buf *b, int c);
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));	/* appends */
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap);
int	buf_set(struct buf *b, const char *s);	/* reset + append_str */
/* buf_why - replace why's contents with a formatted reason; why may be
 * NULL (then nothing happens); a reason cut at max still helps */
void	buf_why(struct buf *why, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_truncate(struct buf *b, size_t len);	/* len <= buf_len */
void	buf_consume(struct buf *b, size_t n);	/* drop n bytes from front */

static inline const char *
buf_str(const struct buf *b)
{
	return b->data;
}

static inline size_t
buf_len(const struct buf *b)
{
	return b->len;
}

#endif
