/* buf.c - growable, binary-safe byte buffer with a hard maximum
 *
 * The data is always NUL-terminated one past its length, so cap is the
 * usable size and the allocation is cap + 1 bytes. An append that would take
 * the length past max fails with -1 and leaves the buffer exactly as it
 * was (length and contents); the caller turns that into a reply. Growth
 * doubles, capped at max, so a buffer never allocates much more than max.
 */
#include "buf.h"
#include "mem.h"
#include "log.h"

#define BUF_INITIAL	64

/* buf_new - an empty buffer with the given maximum (0: the default) */
struct buf *
buf_new(size_t max)
{
	struct buf *b;

	b = xmalloc(sizeof(*b));
	b->max = max ? max : BUF_DEFAULT_MAX;
	b->cap = b->max < BUF_INITIAL ? b->max : BUF_INITIAL;
	b->data = xmalloc(b->cap + 1);
	b->data[0] = '\0';
	b->len = 0;
	return b;
}

/* buf_free - release a buffer; accepts NULL, returns NULL */
struct buf *
buf_free(struct buf *b)
{
	if (b != NULL) {
		free(b->data);
		free(b);
	}
	return NULL;
}

/* buf_reset - make the buffer empty, keeping its memory */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}

/* buf_reserve - make room for extra more bytes; -1 past max */
static int
buf_reserve(struct buf *b, size_t extra)
{
	size_t  need, cap;

	if (extra > b->max || b->len > b->max - extra)
		return -1;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : BUF_INITIAL;
	while (cap < need) {
		if (cap > b->max / 2) {
			cap = b->max;
			break;
		}
		cap *= 2;
	}
	if (cap < need)
		cap = need;
	b->data = xrealloc(b->data, cap + 1);
	b->cap = cap;
	return 0;
}

/* buf_append - append len bytes; 0, or -1 (unchanged) past max */
int
buf_append(struct buf *b, const void *data, size_t len)
{
	uintptr_t p = (uintptr_t)data, base = (uintptr_t)b->data;
	size_t  inside = SIZE_MAX;

	/* data may point into the buffer itself, which may move */
	if (p >= base && p <= base + b->cap)
		inside = (size_t)(p - base);
	if (buf_reserve(b, len) < 0)
		return -1;
	if (inside != SIZE_MAX)
		data = b->data + inside;
	if (len > 0)
		memmove(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* buf_append_str - append a NUL-terminated string */
int
buf_append_str(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* buf_append_char - append one byte */
int
buf_append_char(struct buf *b, int c)
{
	char    ch = (char)c;

	return buf_append(b, &ch, 1);
}

/* buf_vprintf - append formatted text; -1 (unchanged) past max */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int     n;
	size_t  avail;

	va_copy(ap2, ap);
	avail = b->cap - b->len + 1;
	n = vsnprintf(b->data + b->len, avail, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return -1;
	}
	if ((size_t)n < avail) {
		b->len += (size_t)n;
		return 0;
	}
	if (buf_reserve(b, (size_t)n) < 0) {
		b->data[b->len] = '\0';
		return -1;
	}
	n = vsnprintf(b->data + b->len, b->cap - b->len + 1, fmt, ap);
	if (n < 0) {
		b->data[b->len] = '\0';
		return -1;
	}
	b->len += (size_t)n;
	return 0;
}

/* buf_printf - append formatted text */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int     ret;

	va_start(ap, fmt);
	ret = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return ret;
}

/* buf_set - replace the contents with a string */
int
buf_set(struct buf *b, const char *s)
{
	size_t  len = strlen(s);

	if (len > b->max)
		return -1;
	buf_reset(b);
	return buf_append(b, s, len);
}

/* buf_truncate - shorten to len bytes */
void
buf_truncate(struct buf *b, size_t len)
{
	if (len > b->len)
		log_panic("buf_truncate: length %zu past %zu", len, b->len);
	b->len = len;
	b->data[len] = '\0';
}

/* buf_consume - drop n bytes from the front */
void
buf_consume(struct buf *b, size_t n)
{
	if (n > b->len)
		log_panic("buf_consume: %zu bytes past length %zu", n, b->len);
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* buf_why - replace why's contents with a formatted reason */
void
buf_why(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return;
	buf_reset(why);
	va_start(ap, fmt);
	(void)buf_vprintf(why, fmt, ap);	/* a cut reason still helps */
	va_end(ap);
}
