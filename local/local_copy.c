/* local_copy.c - copy a message from its queue file into a mailbox file
 *
 * Input: the content group of a queue file (util/rec_type.h), read with
 * util/rec.c from the REC_MESSAGE offset qmgr sent: REC_MESSAGE, REC_DATA
 * records (lines may be split anywhere), REC_END, then end of file. Any
 * other record, an oversize record (REC_MAX_DEFAULT) or a truncation makes
 * the file corrupt: the copy stops and the caller discards what it wrote.
 * Output: Return-Path and Delivered-To headers, then the content, ending
 * in a newline; for an mbox first a "From SENDER DATE" line, lines starting
 * with "From " quoted as ">From ", and an empty line at the end. Writes go
 * through one LOCAL_OBUF_SIZE buffer owned by struct local_copy, reused by
 * every delivery of the process, so a message costs few large writes. The
 * byte limit (mailbox_size_limit) is checked before each write.
 */
#include "local.h"
#include "buf.h"
#include "mem.h"
#include "proto.h"
#include "rec.h"

#define LOCAL_FROM	"From "
#define LOCAL_FROM_LEN	5

/* local_copy_out - the output side of one copy */
struct local_copy_out {
	struct local_copy *c;
	int	fd;
	off_t	written;	/* bytes handed to write() or buffered */
	off_t	limit;		/* 0: none */
	int	err;		/* errno of a failed write; EFBIG: limit */
	int	match;		/* -1 mid-line, else "From " bytes matched */
	char	last;		/* last content byte */
};

/* local_copy_new - the reusable buffers */
struct local_copy *
local_copy_new(void)
{
	struct local_copy *c;

	c = xcalloc(1, sizeof(*c));
	c->obuf = xmalloc(LOCAL_OBUF_SIZE);
	c->payload = buf_new(REC_MAX_DEFAULT);
	c->why = buf_new(LOCAL_REASON_MAX);
	return c;
}

/* local_copy_free - release them; NULL ok */
struct local_copy *
local_copy_free(struct local_copy *c)
{
	if (c != NULL) {
		free(c->obuf);
		buf_free(c->payload);
		buf_free(c->why);
		free(c);
	}
	return NULL;
}

/* local_copy_write - write all of data; 0 or -1 with o->err */
static int
local_copy_write(struct local_copy_out *o, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(o->fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return -1;
		}
		if (n == 0) {
			o->err = EIO;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* local_copy_flush - write out the buffer */
static int
local_copy_flush(struct local_copy_out *o)
{
	struct local_copy *c = o->c;

	if (c->olen == 0)
		return 0;
	if (local_copy_write(o, c->obuf, c->olen) < 0)
		return -1;
	c->olen = 0;
	return 0;
}

/* local_copy_put - buffer len bytes, honouring the limit */
static int
local_copy_put(struct local_copy_out *o, const char *data, size_t len)
{
	struct local_copy *c = o->c;

	if (o->err != 0)
		return -1;
	if (o->limit > 0 && (off_t)len > o->limit - o->written) {
		o->err = EFBIG;
		return -1;
	}
	o->written += (off_t)len;
	if (c->olen + len > LOCAL_OBUF_SIZE && local_copy_flush(o) < 0)
		return -1;
	if (len >= LOCAL_OBUF_SIZE)
		return local_copy_write(o, data, len);
	memcpy(c->obuf + c->olen, data, len);
	c->olen += len;
	return 0;
}

/* local_copy_put_str - buffer a string */
static int
local_copy_put_str(struct local_copy_out *o, const char *s)
{
	return local_copy_put(o, s, strlen(s));
}

/* local_copy_quoted - content bytes with ">From " quoting at line starts;
 * a "From " split across records is recognised through o->match */
static int
local_copy_quoted(struct local_copy_out *o, const char *p, size_t len)
{
	const char *end = p + len;
	const char *nl;

	while (p < end) {
		if (o->match >= 0) {
			while (p < end && o->match < LOCAL_FROM_LEN &&
			    *p == LOCAL_FROM[o->match]) {
				p++;
				o->match++;
			}
			if (o->match == LOCAL_FROM_LEN) {
				if (local_copy_put(o, ">" LOCAL_FROM,
				    LOCAL_FROM_LEN + 1) < 0)
					return -1;
				o->match = -1;
				continue;
			}
			if (p == end)
				break;
			if (local_copy_put(o, LOCAL_FROM,
			    (size_t)o->match) < 0)
				return -1;
			o->match = -1;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			if (local_copy_put(o, p, (size_t)(end - p)) < 0)
				return -1;
			p = end;
		} else {
			if (local_copy_put(o, p, (size_t)(nl + 1 - p)) < 0)
				return -1;
			p = nl + 1;
			o->match = 0;
		}
	}
	return 0;
}

/* local_copy_content - one REC_DATA payload */
static int
local_copy_content(struct local_copy_out *o, const char *p, size_t len,
    int flags)
{
	if (len == 0)
		return 0;
	o->last = p[len - 1];
	if (flags & LOCAL_COPY_MBOX)
		return local_copy_quoted(o, p, len);
	return local_copy_put(o, p, len);
}

/* local_copy_headers - From_ line (mbox), Return-Path, Delivered-To */
static int
local_copy_headers(struct local_copy_out *o, const struct local_delivery *d,
    const struct local_rcpt *rcpt, int flags)
{
	char    date[64];
	struct tm tm;
	time_t  now;

	if (flags & LOCAL_COPY_MBOX) {
		now = time(NULL);
		if (localtime_r(&now, &tm) == NULL ||
		    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y",
		    &tm) == 0) {
			o->err = EINVAL;
			return -1;
		}
		if (local_copy_put_str(o, LOCAL_FROM) < 0 ||
		    local_copy_put_str(o, d->sender[0] ? d->sender :
		    "MAILER-DAEMON") < 0 ||
		    local_copy_put_str(o, " ") < 0 ||
		    local_copy_put_str(o, date) < 0 ||
		    local_copy_put_str(o, "\n") < 0)
			return -1;
	}
	if (local_copy_put_str(o, "Return-Path: <") < 0 ||
	    local_copy_put_str(o, d->sender) < 0 ||
	    local_copy_put_str(o, ">\nDelivered-To: ") < 0 ||
	    local_copy_put(o, buf_str(rcpt->delivered_to),
	    buf_len(rcpt->delivered_to)) < 0 ||
	    local_copy_put_str(o, "\n") < 0)
		return -1;
	return 0;
}

/* local_copy_records - read the content group and copy each REC_DATA;
 * 1 when complete, 0 on an output error, -1 for a malformed file (why) */
static int
local_copy_records(struct local_copy_out *o, const struct local_delivery *d,
    int flags)
{
	struct local_copy *c = o->c;
	struct rec_reader r;
	int     type, ret = -1;

	rec_reader_init(&r, d->qfd, d->offset, REC_GROUP_CONTENT,
	    REC_MAX_DEFAULT);
	buf_reset(c->why);
	type = rec_get(&r, c->payload, NULL, c->why);
	if (type != REC_MESSAGE) {
		if (type >= 0)
			(void)buf_printf(c->why, "record type %d at the "
			    "content offset %lld", type, (long long)d->offset);
		goto fail;
	}
	while ((type = rec_get(&r, c->payload, NULL, c->why)) == REC_DATA) {
		if (local_copy_content(o, buf_str(c->payload),
		    buf_len(c->payload), flags) < 0) {
			ret = 0;
			goto fail;
		}
	}
	if (type != REC_END) {
		if (type >= 0)
			(void)buf_printf(c->why, "unexpected record type "
			    "%d in the content", type);
		goto fail;
	}
	if ((type = rec_get(&r, c->payload, NULL, c->why)) != 0) {
		if (type > 0)
			(void)buf_append_str(c->why,
			    "data after the end record");
		goto fail;
	}
	ret = 1;

fail:
	rec_reader_done(&r);
	return ret;
}

/* local_copy_message - headers, content, final newline (and blank line) */
int
local_copy_message(const struct local_delivery *d,
    const struct local_rcpt *rcpt, int out_fd, const char *what, int flags,
    off_t limit, struct local_result *res)
{
	struct local_copy_out o;
	int     ret;

	o.c = d->copy;
	o.c->olen = 0;
	o.fd = out_fd;
	o.written = 0;
	o.limit = limit;
	o.err = 0;
	o.match = 0;
	o.last = '\n';
	if (local_copy_headers(&o, d, rcpt, flags) < 0)
		goto fail;
	ret = local_copy_records(&o, d, flags);
	if (ret < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "queue file read error: %s", buf_str(o.c->why));
		res->corrupt = true;
		return -1;
	}
	if (ret == 0)
		goto fail;
	if (o.match > 0 && local_copy_put(&o, LOCAL_FROM,
	    (size_t)o.match) < 0)
		goto fail;
	if (o.last != '\n' && local_copy_put_str(&o, "\n") < 0)
		goto fail;
	if ((flags & LOCAL_COPY_MBOX) && local_copy_put_str(&o, "\n") < 0)
		goto fail;
	if (local_copy_flush(&o) < 0)
		goto fail;
	return 0;

fail:
	if (o.err == EFBIG && limit > 0)
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.2.2",
		    "mailbox size exceeds limit");
	else
		local_result_errno(res, o.err, "write", what);
	return -1;
}
