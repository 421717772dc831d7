/* qmgr_message.c - reading a queue file's envelope into memory
 *
 * Owns struct qmgr_message's life: qmgr_message_load opens queue/ID,
 * qmgr_message_parse reads the envelope records with util/rec.c up to
 * REC_MESSAGE (the content is never read here), and qmgr_message_free
 * releases it. A queue file is untrusted input (any process running as
 * mail_owner could have written it, and a disk can lie): every check below
 * turns into "malformed", the file goes to corrupt/ with a log line, and
 * qmgr carries on. Limits: REC_MAX_DEFAULT bytes per record,
 * QMGR_ENVELOPE_MAX bytes of envelope, QMGR_ADDR_MAX bytes per address or
 * DSN attribute. A message's envelope is read whole (qmgr_active.c bounds the
 * recipients in memory by refusing to activate more messages).
 *
 * Checks: the first record is REC_VERSION with REC_VERSION_TEXT; the
 * first envelope record is REC_SIZE with four well-formed numbers, whose
 * total length equals the file size, whose content offset is the offset of
 * REC_MESSAGE and whose recipient count is the number of REC_RCPT and
 * REC_DONE records; REC_TIME ("sec.usec") and REC_SENDER appear exactly
 * once; REC_ATTR is "name=value" (dsn_envid and dsn_ret, which qmgr
 * passes on, at most once); REC_ORCPT and REC_NOTIFY
 * (1..15) apply to the next recipient and appear at most once before it;
 * the last REC_HEADER_LEN bytes of the file are an empty REC_END record
 * (pread, so the content is not read). Addresses and the attributes qmgr
 * uses hold no control characters. Group order and record sizes are
 * rec.c's.
 *
 * The file is opened O_RDWR and kept open while the message is active if
 * it has more than one live recipient (rec_mark) and fewer than
 * QMGR_MAX_OPEN_FILES are open; otherwise it is opened again on demand.
 */
#include "qmgr.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "rec.h"
#include "str.h"

static size_t qmgr_message_nfiles;	/* message fds kept open */

/* qmgr_message_new - an empty message named id */
static struct qmgr_message *
qmgr_message_new(const char *id)
{
	struct qmgr_message *msg;

	msg = xcalloc(1, sizeof(*msg));
	if (str_copy(msg->id, sizeof(msg->id), id) < 0)
		log_panic("qmgr_message_new: bad queue id");
	msg->fd = -1;
	return msg;
}

/* qmgr_message_free - release a message and close its files; NULL ok */
struct qmgr_message *
qmgr_message_free(struct qmgr_message *msg)
{
	size_t  i;

	if (msg == NULL)
		return NULL;
	if (msg->fd >= 0) {
		/* read-mostly file; marks were written with pwrite already */
		if (close(msg->fd) < 0)
			log_warn("%s: close queue file: %m", msg->id);
		qmgr_message_nfiles--;
	}
	for (i = 0; i < msg->nrcpt; i++) {
		free(msg->rcpts[i].addr);
		free(msg->rcpts[i].orcpt);
		free(msg->rcpts[i].reason);
	}
	free(msg->rcpts);
	free(msg->sender);
	free(msg->arrival);
	free(msg->dsn_envid);
	free(msg->dsn_ret);
	free(msg);
	return NULL;
}

/* qmgr_message_open_files - queue files kept open */
size_t
qmgr_message_open_files(void)
{
	return qmgr_message_nfiles;
}

/* qmgr_message_field - one right-aligned decimal field of REC_SIZE */
static int
qmgr_message_field(const char *p, size_t width, long long *out)
{
	char    digits[32];
	unsigned long long v;
	size_t  i = 0;

	while (i < width && p[i] == ' ')
		i++;
	if (i == width || width - i >= sizeof(digits))
		return -1;
	memcpy(digits, p + i, width - i);
	digits[width - i] = '\0';
	if (parse_uint(digits, 0, LLONG_MAX, &v) < 0)
		return -1;
	*out = (long long)v;
	return 0;
}

/* qmgr_message_size - parse the REC_SIZE payload into msg */
static int
qmgr_message_size(struct qmgr_message *msg, const struct buf *payload)
{
	static const size_t widths[] = {15, 15, 15, 8};
	long long vals[4];
	const char *p = buf_str(payload);
	size_t  i;

	if (buf_len(payload) != REC_SIZE_LEN)
		return -1;
	for (i = 0; i < SYS_ARRAY_LEN(widths); i++) {
		if (qmgr_message_field(p, widths[i], &vals[i]) < 0)
			return -1;
		p += widths[i];
		if (i + 1 < SYS_ARRAY_LEN(widths) && *p++ != ' ')
			return -1;
	}
	msg->total_len = vals[0];
	msg->content_offset = vals[1];
	msg->content_len = vals[2];
	msg->nrcpt_file = vals[3];
	return 0;
}

/* qmgr_message_time - parse "seconds.microseconds" into msg */
static int
qmgr_message_time(struct qmgr_message *msg, const struct buf *payload)
{
	const char *s = buf_str(payload), *dot;
	char    part[32];
	unsigned long long sec, frac;
	size_t  flen, i;

	if (buf_len(payload) != strlen(s) || (dot = strchr(s, '.')) == NULL)
		return -1;
	if ((size_t)(dot - s) >= sizeof(part) || dot == s)
		return -1;
	memcpy(part, s, (size_t)(dot - s));
	part[dot - s] = '\0';
	if (parse_uint(part, 0, LLONG_MAX / 2, &sec) < 0)
		return -1;
	flen = strlen(dot + 1);
	if (flen < 1 || flen > 6 || parse_uint(dot + 1, 0, 999999, &frac) < 0)
		return -1;
	for (i = flen; i < 6; i++)
		frac *= 10;
	msg->arrival_sec = (long long)sec;
	msg->arrival_usec = (long)frac;
	msg->arrival = xstrdup(s);
	return 0;
}

/* qmgr_message_text - whether payload is at most max bytes without
 * control characters (NUL, CR, LF...), so that it is safe in log lines,
 * DSN headers and requests */
static bool
qmgr_message_text(const struct buf *payload, size_t max)
{
	const unsigned char *p = (const unsigned char *)buf_str(payload);
	size_t  i;

	if (buf_len(payload) > max)
		return false;
	for (i = 0; i < buf_len(payload); i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
	}
	return true;
}

/* qmgr_message_attr - keep the REC_ATTR values qmgr passes on */
static int
qmgr_message_attr(struct qmgr_message *msg, const struct buf *payload)
{
	const char *s = buf_str(payload), *eq;
	char  **slot = NULL;

	eq = memchr(s, '=', buf_len(payload));
	if (eq == NULL || eq == s)
		return -1;
	if ((size_t)(eq - s) == strlen(PROTO_DSN_ENVID)
	    && memcmp(s, PROTO_DSN_ENVID, (size_t)(eq - s)) == 0)
		slot = &msg->dsn_envid;
	else if ((size_t)(eq - s) == strlen(PROTO_DSN_RET)
	    && memcmp(s, PROTO_DSN_RET, (size_t)(eq - s)) == 0)
		slot = &msg->dsn_ret;
	if (slot != NULL) {
		if (*slot != NULL
		    || !qmgr_message_text(payload, QMGR_ADDR_MAX))
			return -1;
		*slot = xstrdup(eq + 1);
	}
	return 0;
}

/* qmgr_message_end - whether the file ends in an empty REC_END record */
static int
qmgr_message_end(int fd, const struct stat *st, struct buf *why)
{
	unsigned char tail[REC_HEADER_LEN];
	ssize_t n;

	if (st->st_size < REC_HEADER_LEN) {
		buf_set(why, "file too short");
		return -1;
	}
	n = pread(fd, tail, sizeof(tail), st->st_size - REC_HEADER_LEN);
	if (n != (ssize_t)sizeof(tail)) {
		buf_set(why, n < 0 ? "read of the last record failed" :
		    "short read of the last record");
		return -1;
	}
	if (tail[0] != REC_END || tail[1] || tail[2] || tail[3] || tail[4]) {
		buf_set(why, "last record is not END");
		return -1;
	}
	return 0;
}

/* the parser's state between records */
struct qmgr_parse {
	struct qmgr_message *msg;
	char	*orcpt;			/* ORCPT waiting for its recipient */
	int	notify;			/* NOTIFY waiting, 0: none */
	long long nrecords;		/* RCPT and DONE records */
	size_t	cap;			/* of msg->rcpts */
	int	nhead;			/* VERSION and SIZE records seen */
};

/* qmgr_message_add_rcpt - a live recipient at offset at */
static void
qmgr_message_add_rcpt(struct qmgr_parse *ps, const char *addr, off_t at)
{
	struct qmgr_message *msg = ps->msg;
	struct qmgr_rcpt *r;

	if (msg->nrcpt == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 4;
		msg->rcpts = xreallocarray(msg->rcpts, ps->cap,
		    sizeof(*msg->rcpts));
	}
	r = &msg->rcpts[msg->nrcpt];
	memset(r, 0, sizeof(*r));
	r->msg = msg;
	r->index = msg->nrcpt++;
	r->addr = xstrdup(addr);
	r->orcpt = ps->orcpt;
	r->notify = ps->notify;
	r->offset = at;
	ps->orcpt = NULL;
}

/* qmgr_message_finish - checks at REC_MESSAGE (offset at) */
static int
qmgr_message_finish(struct qmgr_parse *ps, const struct stat *st, off_t at,
    struct buf *why)
{
	const struct qmgr_message *msg = ps->msg;

	if (msg->arrival == NULL || msg->sender == NULL) {
		buf_set(why, msg->arrival == NULL ? "missing TIME record" :
		    "missing SENDER record");
		return -1;
	}
	if (msg->total_len != (long long)st->st_size) {
		buf_printf(why, "SIZE says %lld bytes, file has %lld",
		    msg->total_len, (long long)st->st_size);
		return -1;
	}
	if (msg->content_offset != (long long)at
	    || msg->content_len > msg->total_len - msg->content_offset) {
		buf_set(why, "SIZE content offset or length does not match "
		    "the file");
		return -1;
	}
	if (msg->nrcpt_file != ps->nrecords) {
		buf_printf(why, "SIZE says %lld recipients, file has %lld",
		    msg->nrcpt_file, ps->nrecords);
		return -1;
	}
	return 0;
}

/* qmgr_message_record - one envelope record after SIZE: 0 to go on, 1 at
 * REC_MESSAGE, -1 with why when malformed */
static int
qmgr_message_record(struct qmgr_parse *ps, int type, const struct buf *p,
    off_t at, const struct stat *st, struct buf *why)
{
	struct qmgr_message *msg = ps->msg;
	unsigned long long v;

	switch (type) {
	case REC_TIME:
		if (msg->arrival == NULL && qmgr_message_time(msg, p) == 0)
			return 0;
		buf_set(why, "bad or duplicate TIME record");
		return -1;
	case REC_SENDER:
		if (msg->sender == NULL
		    && qmgr_message_text(p, QMGR_ADDR_MAX)) {
			msg->sender = xstrdup(buf_str(p));
			return 0;
		}
		buf_set(why, "bad or duplicate SENDER record");
		return -1;
	case REC_ATTR:
		if (qmgr_message_attr(msg, p) == 0)
			return 0;
		buf_set(why, "bad ATTR record");
		return -1;
	case REC_ORCPT:
		if (ps->orcpt == NULL && qmgr_message_text(p, QMGR_ADDR_MAX)) {
			ps->orcpt = xstrdup(buf_str(p));
			return 0;
		}
		buf_set(why, "bad or duplicate ORCPT record");
		return -1;
	case REC_NOTIFY:
		if (ps->notify == 0 && qmgr_message_text(p, 8)
		    && parse_uint(buf_str(p), 1, 15, &v) == 0) {
			ps->notify = (int)v;
			return 0;
		}
		buf_set(why, "bad or duplicate NOTIFY record");
		return -1;
	case REC_RCPT:
	case REC_DONE:
		if (buf_len(p) == 0 || !qmgr_message_text(p, QMGR_ADDR_MAX)) {
			buf_set(why, "bad recipient record");
			return -1;
		}
		ps->nrecords++;
		if (type == REC_RCPT)
			qmgr_message_add_rcpt(ps, buf_str(p), at);
		free(ps->orcpt);
		ps->orcpt = NULL;
		ps->notify = 0;
		return 0;
	case REC_MESSAGE:
		if (ps->orcpt != NULL || ps->notify != 0) {
			buf_set(why, "ORCPT or NOTIFY without a recipient");
			return -1;
		}
		return qmgr_message_finish(ps, st, at, why) < 0 ? -1 : 1;
	default:
		buf_printf(why, "unexpected record type %d in the envelope",
		    type);
		return -1;
	}
}

/* qmgr_message_parse - read the envelope of the queue file on fd */
int
qmgr_message_parse(int fd, const struct stat *st, const char *id,
    struct qmgr_message **out, struct buf *why)
{
	struct qmgr_parse ps;
	struct rec_reader rr;
	struct buf *payload, *rwhy;
	int     type, ret = -1;
	off_t   at;

	*out = NULL;
	buf_reset(why);
	if (qmgr_message_end(fd, st, why) < 0)
		return -1;
	memset(&ps, 0, sizeof(ps));
	ps.msg = qmgr_message_new(id);
	payload = buf_new(0);
	rwhy = buf_new(0);
	rec_reader_init(&rr, fd, 0, REC_GROUP_START, REC_MAX_DEFAULT);
	for (;;) {
		type = rec_get(&rr, payload, &at, rwhy);
		if (type < 0) {
			buf_printf(why, "%s", buf_str(rwhy));
			break;
		}
		if (type == 0 || at > QMGR_ENVELOPE_MAX) {
			buf_set(why, type == 0 ? "no MESSAGE record" :
			    "envelope too large");
			break;
		}
		/* rec.c checks these too; qmgr does not depend on it */
		if (ps.nhead == 0) {
			if (type != REC_VERSION || buf_len(payload)
			    != strlen(REC_VERSION_TEXT) || memcmp(
			    buf_str(payload), REC_VERSION_TEXT,
			    buf_len(payload)) != 0) {
				buf_set(why, "bad VERSION record");
				break;
			}
			ps.nhead++;
			continue;
		}
		if (ps.nhead == 1) {
			if (type != REC_SIZE
			    || qmgr_message_size(ps.msg, payload) < 0) {
				buf_set(why, "bad or missing SIZE record");
				break;
			}
			ps.nhead++;
			continue;
		}
		ret = qmgr_message_record(&ps, type, payload, at, st, why);
		if (ret != 0)
			break;
	}
	rec_reader_done(&rr);
	buf_free(payload);
	buf_free(rwhy);
	free(ps.orcpt);
	if (ret != 1) {
		if (buf_len(why) == 0)
			buf_set(why, "malformed queue file");
		qmgr_message_free(ps.msg);
		return -1;
	}
	*out = ps.msg;
	return 0;
}

/* qmgr_message_load - open, check and parse queue/id */
enum qmgr_load
qmgr_message_load(const char *queue, const char *id, bool need_ready,
    struct qmgr_message **out)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;
	struct buf *why;
	int     fd;

	*out = NULL;
	if (queue_path(path, sizeof(path), queue, id) < 0) {
		log_warn("bad queue id \"%s\"", id);
		return QMGR_LOAD_GONE;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return QMGR_LOAD_GONE;
		log_warn("%s: open %s: %m", id, path);
		return QMGR_LOAD_ERROR;
	}
	if (fstat(fd, &st) < 0) {
		log_warn("%s: fstat %s: %m", id, path);
		(void)close(fd);	/* read-only use so far */
		return QMGR_LOAD_ERROR;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);	/* not ours to read */
		queue_corrupt(queue, id, "not a regular file");
		return QMGR_LOAD_CORRUPT;
	}
	if (need_ready && !queue_is_ready(&st)) {
		(void)close(fd);	/* read-only use so far */
		return QMGR_LOAD_UNREADY;
	}
	why = buf_new(0);
	if (qmgr_message_parse(fd, &st, id, out, why) < 0) {
		(void)close(fd);	/* read-only use so far */
		queue_corrupt(queue, id, buf_str(why));
		buf_free(why);
		return QMGR_LOAD_CORRUPT;
	}
	buf_free(why);
	if ((*out)->nrcpt > 1 && qmgr_message_nfiles < QMGR_MAX_OPEN_FILES) {
		(*out)->fd = fd;
		qmgr_message_nfiles++;
	} else if (close(fd) < 0) {
		log_warn("%s: close %s: %m", id, path);
	}
	return QMGR_LOAD_OK;
}

/* qmgr_message_mark_done - mark rcpt's record REC_DONE in active/ID */
int
qmgr_message_mark_done(struct qmgr_rcpt *rcpt)
{
	struct qmgr_message *msg = rcpt->msg;
	char    path[QUEUE_PATH_SIZE];
	int     fd = msg->fd, ret;

	if (fd < 0) {
		if (queue_path(path, sizeof(path), QUEUE_ACTIVE, msg->id) < 0)
			log_panic("qmgr_message_mark_done: bad id %s",
			    msg->id);
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			log_error("%s: open %s to mark <%s> done: %m",
			    msg->id, path, rcpt->addr);
			return -1;
		}
	}
	ret = rec_mark(fd, rcpt->offset, REC_DONE);
	if (ret < 0)
		log_error("%s: mark <%s> done: %m", msg->id, rcpt->addr);
	if (fd != msg->fd && close(fd) < 0) {
		log_error("%s: close %s after marking <%s> done: %m", msg->id,
		    path, rcpt->addr);
		ret = -1;
	}
	return ret;
}

/* qmgr_message_delay - seconds since arrival */
double
qmgr_message_delay(const struct qmgr_message *msg)
{
	struct timespec ts;
	double  d;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_panic("clock_gettime: %m");
	d = (double)(ts.tv_sec - msg->arrival_sec)
	    + (double)(ts.tv_nsec / 1000 - msg->arrival_usec) / 1e6;
	return d < 0 ? 0 : d;
}
