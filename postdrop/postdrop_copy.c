/* postdrop_copy.c - read the record stream on stdin, check it, copy it
 *
 * stdin is a pipe from sendmail, or anything an ordinary user connects
 * to it: untrusted input. Records are read with read(2) through a
 * buffer: the 5-byte header first, then (only when its length is within
 * MAILDROP_MAX_RECORD) the payload. Each record goes through the
 * util/maildrop.h checker before it is written; message_size_limit is
 * the checker's content limit, and the "uid=N" attribute must name the
 * real uid of the caller (sendmail writes it; anyone else lies). The
 * stream must end with END and nothing after it. Any violation is
 * EX_DATAERR with a reason; a read or write error EX_IOERR/EX_TEMPFAIL.
 */
#include "postdrop.h"
#include "buf.h"
#include "log.h"
#include "maildrop.h"
#include "params.h"

#define POSTDROP_IN_SIZE	(64 * 1024)

struct postdrop_in {
	int	fd;
	char	buf[POSTDROP_IN_SIZE];
	size_t	pos, len;
};

/* postdrop_read - exactly len bytes; 1 ok, 0 at EOF before any byte,
 * -1 truncated or read error (errno; 0 for truncation) */
static int
postdrop_read(struct postdrop_in *in, void *dst, size_t len)
{
	char   *out = dst;
	size_t  got = 0, take;
	ssize_t n;

	while (got < len) {
		if (in->pos == in->len) {
			do {
				n = read(in->fd, in->buf, sizeof(in->buf));
			} while (n < 0 && errno == EINTR);
			if (n < 0)
				return -1;
			if (n == 0) {
				errno = 0;
				return got == 0 ? 0 : -1;
			}
			in->pos = 0;
			in->len = (size_t)n;
		}
		take = in->len - in->pos;
		if (take > len - got)
			take = len - got;
		memcpy(out + got, in->buf + in->pos, take);
		in->pos += take;
		got += take;
	}
	return 1;
}

/* postdrop_get - one record: type, or 0 at EOF, -1 (why) */
static int
postdrop_get(struct postdrop_in *in, struct buf *payload, struct buf *why)
{
	unsigned char hdr[REC_HEADER_LEN];
	size_t  len;
	int     r;

	buf_reset(payload);
	if ((r = postdrop_read(in, hdr, sizeof(hdr))) <= 0) {
		if (r < 0)
			(void)buf_printf(why, "read input: %s", errno ?
			    strerror(errno) : "truncated record");
		return r;
	}
	len = (size_t)hdr[1] << 24 | (size_t)hdr[2] << 16
	    | (size_t)hdr[3] << 8 | (size_t)hdr[4];
	if (len > MAILDROP_MAX_RECORD) {
		(void)buf_printf(why, "record of %zu bytes is too long", len);
		return -1;
	}
	while (buf_len(payload) < len) {
		char    chunk[16384];
		size_t  n = len - buf_len(payload);

		if (n > sizeof(chunk))
			n = sizeof(chunk);
		if (postdrop_read(in, chunk, n) <= 0) {
			(void)buf_printf(why, "read input: %s", errno ?
			    strerror(errno) : "truncated record");
			return -1;
		}
		(void)buf_append(payload, chunk, n);	/* max > len */
	}
	if (hdr[0] == 0) {
		(void)buf_set(why, "record type 0");
		return -1;
	}
	return hdr[0];
}

/* postdrop_copy - the whole stream into f */
int
postdrop_copy(int fd, struct postdrop_file *f)
{
	static struct postdrop_in in;
	struct maildrop_check c;
	struct buf *payload = buf_new(MAILDROP_MAX_RECORD + 1);
	struct buf *why = buf_new(0);
	int     type, ret = EX_OK;

	in.fd = fd;
	maildrop_check_init(&c, var_message_size_limit);
	while ((type = postdrop_get(&in, payload, why)) > 0) {
		if (maildrop_check_record(&c, type, buf_str(payload),
		    buf_len(payload), why) < 0) {
			ret = EX_DATAERR;
			break;
		}
		if (type == REC_MESSAGE && c.uid != (long long)getuid()) {
			(void)buf_printf(why, "uid attribute %lld is not the "
			    "caller's uid %lu", c.uid, (unsigned long)getuid());
			ret = EX_DATAERR;
			break;
		}
		if (rec_put(&f->w, type, buf_str(payload),
		    buf_len(payload)) < 0) {
			(void)buf_printf(why, "write maildrop/%s: %s", f->id,
			    strerror(errno));
			ret = EX_TEMPFAIL;
			break;
		}
	}
	if (type < 0)
		ret = EX_DATAERR;
	if (ret == EX_OK && maildrop_check_complete(&c, why) < 0)
		ret = EX_DATAERR;
	if (ret != EX_OK)
		log_error("%s%s", ret == EX_DATAERR ?
		    "malformed input: " : "", buf_str(why));
	maildrop_check_done(&c);
	buf_free(payload);
	buf_free(why);
	return ret;
}
