/* rec.c - reading and writing queue-file records
 *
 * A record is a type byte, a 4-byte big-endian payload length and the
 * payload (rec_type.h). The writer buffers records (flushing at
 * REC_OUT_FLUSH bytes, writing large payloads straight through) and keeps
 * the file offset of the next record so callers can remember where a
 * record starts; the first write error sticks, so that a file with a hole
 * can never be flushed as if it were complete. rec_overwrite and rec_mark
 * change records in place with pwrite.
 *
 * The reader treats the file as untrusted: a queue file may be truncated by
 * a crash or damaged on disk. It reads through a REC_IN_SIZE buffer with
 * pread, checks each header before reading the payload (no payload longer
 * than the reader's max is ever stored), and enforces the group order of
 * rec_type.h with a small state machine (group, previous type, once-only
 * flags). Any violation returns -1 with a why naming the offset; the reader
 * then stays failed. Nothing here logs or moves files: the caller sends
 * the file to corrupt/ through queue_corrupt.
 */
#include "rec.h"
#include "buf.h"
#include "mem.h"
#include "log.h"

#define REC_OUT_FLUSH	(64 * 1024)
#define REC_IN_SIZE	(64 * 1024)

/* once-only records of the envelope, and per-recipient DSN records */
#define REC_SEEN_SENDER	1U
#define REC_SEEN_ORCPT	2U
#define REC_SEEN_NOTIFY	4U

/* rec_writer_init - write records to fd from its current offset */
void
rec_writer_init(struct rec_writer *w, int fd)
{
	off_t   pos;

	w->fd = fd;
	pos = lseek(fd, 0, SEEK_CUR);
	w->offset = pos < 0 ? 0 : pos;	/* a pipe has no offset */
	w->out = buf_new(0);
	w->error = 0;
}

/* rec_writer_done - release the buffer (pending bytes are dropped) */
void
rec_writer_done(struct rec_writer *w)
{
	w->out = buf_free(w->out);
}

/* rec_write_all - write len bytes to fd; 0 or -1 with errno */
static int
rec_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* rec_flush - write out the pending bytes; 0 or -1 with errno */
int
rec_flush(struct rec_writer *w)
{
	if (w->error == 0 && buf_len(w->out) > 0
	    && rec_write_all(w->fd, buf_str(w->out), buf_len(w->out)) < 0)
		w->error = errno;
	buf_reset(w->out);
	if (w->error != 0) {
		errno = w->error;
		return -1;
	}
	return 0;
}

/* rec_put - append a record; its file offset, or -1 with errno */
off_t
rec_put(struct rec_writer *w, int type, const void *data, size_t len)
{
	unsigned char hdr[REC_HEADER_LEN];
	off_t   at = w->offset;

	if (w->error != 0) {
		errno = w->error;
		return -1;
	}
	if (type <= 0 || type > 255)
		log_panic("rec_put: bad record type %d", type);
	if (len > UINT32_MAX || len > (size_t)(INT64_MAX - w->offset
	    - REC_HEADER_LEN)) {
		errno = EFBIG;
		return -1;
	}
	hdr[0] = (unsigned char)type;
	hdr[1] = (unsigned char)(len >> 24);
	hdr[2] = (unsigned char)(len >> 16);
	hdr[3] = (unsigned char)(len >> 8);
	hdr[4] = (unsigned char)len;
	if (buf_len(w->out) + REC_HEADER_LEN + len > REC_OUT_FLUSH
	    && rec_flush(w) < 0)
		return -1;
	if (buf_append(w->out, hdr, REC_HEADER_LEN) < 0)
		log_panic("rec_put: buffer overflow");
	if (len >= REC_OUT_FLUSH) {
		if (rec_flush(w) < 0)
			return -1;
		if (rec_write_all(w->fd, data, len) < 0) {
			w->error = errno;
			return -1;
		}
	} else if (len > 0 && buf_append(w->out, data, len) < 0) {
		log_panic("rec_put: buffer overflow");
	}
	w->offset += (off_t)(REC_HEADER_LEN + len);
	return at;
}

/* rec_put_str - append a record with a string payload */
off_t
rec_put_str(struct rec_writer *w, int type, const char *s)
{
	return rec_put(w, type, s, strlen(s));
}

/* rec_pwrite_all - pwrite len bytes at offset; 0 or -1 with errno */
static int
rec_pwrite_all(int fd, const void *data, size_t len, off_t offset)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, p, len, offset);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			offset += n;
			continue;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* rec_overwrite - flush, then replace the payload of the record at
 * offset; the payload length must be unchanged */
int
rec_overwrite(struct rec_writer *w, off_t offset, const void *data,
    size_t len)
{
	if (offset < 0 || offset + REC_HEADER_LEN + (off_t)len > w->offset)
		log_panic("rec_overwrite: offset %lld length %zu past %lld",
		    (long long)offset, len, (long long)w->offset);
	if (rec_flush(w) < 0)
		return -1;
	if (rec_pwrite_all(w->fd, data, len, offset + REC_HEADER_LEN) < 0) {
		w->error = errno;
		return -1;
	}
	return 0;
}

/* rec_mark - overwrite the type byte of the record at offset */
int
rec_mark(int fd, off_t offset, int type)
{
	unsigned char c = (unsigned char)type;

	if (type <= 0 || type > 255)
		log_panic("rec_mark: bad record type %d", type);
	return rec_pwrite_all(fd, &c, 1, offset);
}

/* rec_reader_init - read fd from offset, starting in group */
void
rec_reader_init(struct rec_reader *r, int fd, off_t offset,
    enum rec_group group, size_t max)
{
	if (group != REC_GROUP_START && group != REC_GROUP_CONTENT)
		log_panic("rec_reader_init: bad start group %d", (int)group);
	r->fd = fd;
	r->offset = offset;
	r->max = max ? max : REC_MAX_DEFAULT;
	r->group = group;
	r->ibuf = xmalloc(REC_IN_SIZE);
	r->ilen = r->ipos = 0;
	r->last = 0;
	r->seen = 0;
	r->failed = false;
}

/* rec_reader_done - release the buffer */
void
rec_reader_done(struct rec_reader *r)
{
	free(r->ibuf);
	r->ibuf = NULL;
}

/* rec_fill - read more bytes after the buffered ones; 1 data, 0 EOF,
 * -1 error with errno */
static int
rec_fill(struct rec_reader *r)
{
	size_t  avail = r->ilen - r->ipos;
	ssize_t n;

	if (r->ipos > 0) {
		memmove(r->ibuf, r->ibuf + r->ipos, avail);
		r->ilen = avail;
		r->ipos = 0;
	}
	for (;;) {
		n = pread(r->fd, r->ibuf + r->ilen, REC_IN_SIZE - r->ilen,
		    r->offset + (off_t)r->ilen);
		if (n > 0) {
			r->ilen += (size_t)n;
			return 1;
		}
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* rec_read - consume len bytes into dst (or payload when dst is NULL);
 * 1 ok, 0 end of file first, -1 error with errno */
static int
rec_read(struct rec_reader *r, void *dst, struct buf *payload, size_t len)
{
	size_t  chunk;
	int     ret;

	while (len > 0) {
		if (r->ipos == r->ilen) {
			ret = rec_fill(r);
			if (ret <= 0)
				return ret;
		}
		chunk = r->ilen - r->ipos;
		if (chunk > len)
			chunk = len;
		if (dst != NULL) {
			memcpy(dst, r->ibuf + r->ipos, chunk);
			dst = (char *)dst + chunk;
		} else if (buf_append(payload, r->ibuf + r->ipos, chunk) < 0) {
			errno = EMSGSIZE;
			return -1;
		}
		r->ipos += chunk;
		r->offset += (off_t)chunk;
		len -= chunk;
	}
	return 1;
}

/* rec_name - printable name of a record type for messages */
static const char *
rec_name(int type)
{
	switch (type) {
	case REC_VERSION:
		return "version";
	case REC_SIZE:
		return "size";
	case REC_TIME:
		return "time";
	case REC_SENDER:
		return "sender";
	case REC_ATTR:
		return "attribute";
	case REC_ORCPT:
		return "orcpt";
	case REC_NOTIFY:
		return "notify";
	case REC_RCPT:
		return "recipient";
	case REC_DONE:
		return "done recipient";
	case REC_MESSAGE:
		return "message";
	case REC_DATA:
		return "data";
	case REC_END:
		return "end";
	default:
		return NULL;
	}
}

/* rec_check_envelope - order checks for a record in the envelope group;
 * 0 or -1 with why */
static int
rec_check_envelope(struct rec_reader *r, int type, struct buf *why)
{
	unsigned dsn = r->seen & (REC_SEEN_ORCPT | REC_SEEN_NOTIFY);

	if (r->last == REC_VERSION && type != REC_SIZE) {
		buf_why(why, "%s record where the size record must be first",
		    rec_name(type));
		return -1;
	}
	if (dsn != 0 && type != REC_ORCPT && type != REC_NOTIFY
	    && type != REC_RCPT && type != REC_DONE) {
		buf_why(why, "%s record after orcpt/notify without a "
		    "recipient", rec_name(type));
		return -1;
	}
	switch (type) {
	case REC_SIZE:
		if (r->last != REC_VERSION) {
			buf_why(why, "size record not first in envelope");
			return -1;
		}
		return 0;
	case REC_SENDER:
		if (r->seen & REC_SEEN_SENDER) {
			buf_why(why, "duplicate sender record");
			return -1;
		}
		r->seen |= REC_SEEN_SENDER;
		return 0;
	case REC_ORCPT:
	case REC_NOTIFY:
		if (r->seen & (type == REC_ORCPT ? REC_SEEN_ORCPT :
		    REC_SEEN_NOTIFY)) {
			buf_why(why, "duplicate %s record for one recipient",
			    rec_name(type));
			return -1;
		}
		r->seen |= type == REC_ORCPT ? REC_SEEN_ORCPT :
		    REC_SEEN_NOTIFY;
		return 0;
	case REC_RCPT:
	case REC_DONE:
		r->seen &= ~(REC_SEEN_ORCPT | REC_SEEN_NOTIFY);
		return 0;
	case REC_TIME:
	case REC_ATTR:
		return 0;
	case REC_MESSAGE:
		r->group = REC_GROUP_CONTENT;
		return 0;
	default:
		buf_why(why, "%s record in envelope", rec_name(type));
		return -1;
	}
}

/* rec_check_order - advance the group state machine for type; 0 or -1 */
static int
rec_check_order(struct rec_reader *r, int type, struct buf *why)
{
	switch (r->group) {
	case REC_GROUP_START:
		if (type != REC_VERSION) {
			buf_why(why, "%s record where the version record must "
			    "be first", rec_name(type));
			return -1;
		}
		r->group = REC_GROUP_ENVELOPE;
		return 0;
	case REC_GROUP_ENVELOPE:
		return rec_check_envelope(r, type, why);
	case REC_GROUP_CONTENT:
		if (r->last == 0 && type != REC_MESSAGE) {
			buf_why(why, "%s record where content must start",
			    rec_name(type));
			return -1;
		}
		if (r->last == 0 || type == REC_DATA)
			return 0;
		if (type == REC_END) {
			r->group = REC_GROUP_END;
			return 0;
		}
		buf_why(why, "%s record in message content", rec_name(type));
		return -1;
	case REC_GROUP_END:
	default:
		log_panic("rec_check_order: bad group %d", (int)r->group);
	}
}

/* rec_check_payload - fixed payloads of version, size, message, end */
static int
rec_check_payload(int type, const struct buf *payload, struct buf *why)
{
	switch (type) {
	case REC_VERSION:
		if (buf_len(payload) != strlen(REC_VERSION_TEXT)
		    || memcmp(buf_str(payload), REC_VERSION_TEXT,
		    buf_len(payload)) != 0) {
			buf_why(why, "unsupported queue file version");
			return -1;
		}
		return 0;
	case REC_SIZE:
		if (buf_len(payload) != REC_SIZE_LEN) {
			buf_why(why, "size record of %zu bytes, want %d",
			    buf_len(payload), REC_SIZE_LEN);
			return -1;
		}
		return 0;
	case REC_MESSAGE:
	case REC_END:
		if (buf_len(payload) != 0) {
			buf_why(why, "%s record with a payload",
			    rec_name(type));
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* rec_get_one - the body of rec_get */
static int
rec_get_one(struct rec_reader *r, struct buf *payload, off_t *at,
    struct buf *why)
{
	unsigned char hdr[REC_HEADER_LEN];
	off_t   start = r->offset;
	size_t  len;
	int     ret, type;

	ret = rec_read(r, hdr, NULL, 1);
	if (ret == 0 && r->group == REC_GROUP_END)
		return 0;
	if (ret == 0) {
		buf_why(why, "truncated file: no end record");
		return -1;
	}
	if (ret < 0)
		goto fail;
	if (r->group == REC_GROUP_END) {
		buf_why(why, "trailing bytes after the end record at offset "
		    "%lld", (long long)start);
		return -1;
	}
	type = hdr[0];
	if (rec_name(type) == NULL) {
		buf_why(why, "unknown record type 0x%02x at offset %lld", type,
		    (long long)start);
		return -1;
	}
	ret = rec_read(r, hdr + 1, NULL, REC_HEADER_LEN - 1);
	if (ret == 0) {
		buf_why(why, "truncated record header at offset %lld",
		    (long long)start);
		return -1;
	}
	if (ret < 0)
		goto fail;
	len = (size_t)hdr[1] << 24 | (size_t)hdr[2] << 16
	    | (size_t)hdr[3] << 8 | (size_t)hdr[4];
	if (len > r->max) {
		buf_why(why, "%s record of %zu bytes at offset %lld exceeds "
		    "the limit of %zu", rec_name(type), len, (long long)start,
		    r->max);
		return -1;
	}
	if (rec_check_order(r, type, why) < 0)
		return -1;
	ret = rec_read(r, NULL, payload, len);
	if (ret == 0) {
		buf_why(why, "truncated %s record at offset %lld",
		    rec_name(type), (long long)start);
		return -1;
	}
	if (ret < 0)
		goto fail;
	if (rec_check_payload(type, payload, why) < 0)
		return -1;
	r->last = type;
	if (at != NULL)
		*at = start;
	return type;

fail:
	buf_why(why, "read queue file at offset %lld: %s",
	    (long long)r->offset, strerror(errno));
	return -1;
}

/* rec_get - next record; type, 0 at the end, -1 with why */
int
rec_get(struct rec_reader *r, struct buf *payload, off_t *at,
    struct buf *why)
{
	int     ret;

	buf_reset(payload);
	if (r->failed) {
		buf_why(why, "queue file already found corrupt");
		return -1;
	}
	ret = rec_get_one(r, payload, at, why);
	if (ret < 0) {
		r->failed = true;
		buf_reset(payload);
	}
	return ret;
}
