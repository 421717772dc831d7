/* cleanup_message.c - message content: header fixes, then DATA records
 *
 * The content filter (cleanup_msg_*) reads the message as the client sends
 * it, in chunks split anywhere, and passes it on byte for byte except for
 * two additions: a Message-ID header "<ID@myhostname>" and a Date header
 * (RFC 5322, numeric zone) when the message has none. The header section
 * is every line up to the first empty line ("\n" or "\r\n"); a line that
 * is neither a header ("name:") nor a continuation (starting with space or
 * tab after a header) also ends it, and then an empty line is inserted
 * after the added headers, so that the first body line is not read as a
 * broken header. The added headers go at the end of the header section.
 * A message that ends inside its header section gets them too, and no
 * empty line is invented. Content that does not end in LF gets one.
 *
 * Untrusted input: the content. Limits: one logical header (with its
 * continuation lines) at most header_size_limit bytes, else the message is
 * rejected (CLEANUP_MSG_HEADER_LIMIT; Postfix truncates, postern refuses).
 * A line of the header section is held only until it is clear that it is
 * not a header (so a long first body line needs no separator before it);
 * one that still reads as the start of a header name at the limit counts
 * as a header. The body is streamed and never held in memory. The output
 * does not depend on how the input is split into chunks.
 *
 * The queue-file side (cleanup_message_*) writes REC_MESSAGE, counts the
 * content against message_size_limit, and coalesces the filter's output
 * into REC_DATA records of up to CLEANUP_DATA_RECORD bytes.
 */
#include "cleanup.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "rec.h"
#include "str.h"

#define CLEANUP_DATE_SIZE	64

static const char *const cleanup_msg_wday[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char *const cleanup_msg_month[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* cleanup_msg_date - RFC 5322 date of t in local time, numeric zone */
int
cleanup_msg_date(char *out, size_t size, time_t t)
{
	struct tm tm;
	long	off;
	char	sign = '+';
	int	n;

	if (localtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6
	    || tm.tm_mon < 0 || tm.tm_mon > 11)
		return -1;
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	n = snprintf(out, size, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    cleanup_msg_wday[tm.tm_wday], tm.tm_mday,
	    cleanup_msg_month[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

/* cleanup_msg_is_header - "name:" with a printable ASCII name */
bool
cleanup_msg_is_header(const char *line, size_t len, size_t *name_len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t  i = 0, n;

	while (i < len && s[i] >= 33 && s[i] <= 126 && s[i] != ':')
		i++;
	if (i == 0)
		return false;
	n = i;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len || s[i] != ':')
		return false;
	if (name_len != NULL)
		*name_len = n;
	return true;
}

/* cleanup_msg_init - a filter for one message */
void
cleanup_msg_init(struct cleanup_msg *m, const char *id, const char *hostname,
    time_t now, size_t header_limit, cleanup_out_fn out, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->state = CLEANUP_MSG_HEADERS;
	m->error = CLEANUP_MSG_OK;
	m->line = buf_new(header_limit);
	m->hdr = buf_new(header_limit);
	m->message_id = buf_new(header_limit);
	if (str_copy(m->id, sizeof(m->id), id) < 0)
		log_panic("cleanup_msg_init: queue id too long: %s", id);
	m->hostname = hostname;
	m->now = now;
	m->ends_lf = true;
	m->out = out;
	m->ctx = ctx;
}

/* cleanup_msg_free - release the filter's buffers */
void
cleanup_msg_free(struct cleanup_msg *m)
{
	m->line = buf_free(m->line);
	m->hdr = buf_free(m->hdr);
	m->message_id = buf_free(m->message_id);
}

/* cleanup_msg_emit - pass bytes to the out function */
static enum cleanup_msg_result
cleanup_msg_emit(struct cleanup_msg *m, const char *data, size_t len)
{
	if (len == 0)
		return CLEANUP_MSG_OK;
	if (m->out(m->ctx, data, len) < 0)
		return CLEANUP_MSG_WRITE_ERROR;
	m->any_output = true;
	m->ends_lf = data[len - 1] == '\n';
	return CLEANUP_MSG_OK;
}

/* cleanup_msg_value - the unfolded, trimmed value of header hdr */
static void
cleanup_msg_value(struct buf *out, const char *hdr, size_t len)
{
	const char *colon = memchr(hdr, ':', len);
	size_t  i;

	buf_reset(out);
	if (colon == NULL)
		return;
	i = (size_t)(colon - hdr) + 1;
	while (i < len && (hdr[i] == ' ' || hdr[i] == '\t' || hdr[i] == '\r'
	    || hdr[i] == '\n'))
		i++;
	for (; i < len; i++) {
		/* out has the same maximum as hdr: this cannot fail */
		if (hdr[i] != '\r' && hdr[i] != '\n'
		    && buf_append_char(out, hdr[i]) < 0)
			log_panic("cleanup_msg_value: value too long");
	}
	while (buf_len(out) > 0 && (buf_str(out)[buf_len(out) - 1] == ' '
	    || buf_str(out)[buf_len(out) - 1] == '\t'))
		buf_truncate(out, buf_len(out) - 1);
}

/* cleanup_msg_flush_header - note what the collected header is, write it */
static enum cleanup_msg_result
cleanup_msg_flush_header(struct cleanup_msg *m)
{
	const char *h = buf_str(m->hdr);
	size_t  len = buf_len(m->hdr), name_len;
	enum cleanup_msg_result r;

	if (len == 0)
		return CLEANUP_MSG_OK;
	if (cleanup_msg_is_header(h, len, &name_len)) {
		if (name_len == 10 && str_ncasecmp(h, "Message-ID", 10) == 0
		    && !m->have_message_id) {
			m->have_message_id = true;
			cleanup_msg_value(m->message_id, h, len);
		} else if (name_len == 4 && str_ncasecmp(h, "Date", 4) == 0) {
			m->have_date = true;
		}
	}
	r = cleanup_msg_emit(m, h, len);
	buf_reset(m->hdr);
	return r;
}

/* cleanup_msg_end_headers - pending header, then the missing headers */
static enum cleanup_msg_result
cleanup_msg_end_headers(struct cleanup_msg *m)
{
	char	date[CLEANUP_DATE_SIZE];
	enum cleanup_msg_result r;

	if ((r = cleanup_msg_flush_header(m)) != CLEANUP_MSG_OK)
		return r;
	if (!m->have_message_id) {
		buf_reset(m->message_id);
		if (buf_printf(m->message_id, "<%s@%s>", m->id,
		    m->hostname) < 0)
			return CLEANUP_MSG_HEADER_LIMIT;
		buf_reset(m->hdr);
		if (buf_printf(m->hdr, "Message-ID: %s\n",
		    buf_str(m->message_id)) < 0)
			return CLEANUP_MSG_HEADER_LIMIT;
		r = cleanup_msg_emit(m, buf_str(m->hdr), buf_len(m->hdr));
		buf_reset(m->hdr);
		if (r != CLEANUP_MSG_OK)
			return r;
	}
	if (!m->have_date) {
		if (cleanup_msg_date(date, sizeof(date), m->now) < 0)
			log_panic("cleanup_msg_end_headers: bad date");
		buf_reset(m->hdr);
		if (buf_printf(m->hdr, "Date: %s\n", date) < 0)
			return CLEANUP_MSG_HEADER_LIMIT;
		r = cleanup_msg_emit(m, buf_str(m->hdr), buf_len(m->hdr));
		buf_reset(m->hdr);
		if (r != CLEANUP_MSG_OK)
			return r;
	}
	m->headers_done = true;
	return CLEANUP_MSG_OK;
}

/* cleanup_msg_start_body - the header section ends at the line in
 * m->line, which is not a header: added headers, an inserted empty line,
 * then the line itself as the first body line */
static enum cleanup_msg_result
cleanup_msg_start_body(struct cleanup_msg *m)
{
	enum cleanup_msg_result r;

	if ((r = cleanup_msg_end_headers(m)) != CLEANUP_MSG_OK)
		return r;
	m->state = CLEANUP_MSG_BODY;
	if ((r = cleanup_msg_emit(m, "\n", 1)) != CLEANUP_MSG_OK)
		return r;
	return cleanup_msg_emit(m, buf_str(m->line), buf_len(m->line));
}

/* cleanup_msg_line - one complete line of the header section */
static enum cleanup_msg_result
cleanup_msg_line(struct cleanup_msg *m)
{
	const char *s = buf_str(m->line);
	size_t  len = buf_len(m->line);
	enum cleanup_msg_result r;

	/* the empty line that separates headers and body */
	if ((len == 1 && s[0] == '\n') || (len == 2 && s[0] == '\r'
	    && s[1] == '\n')) {
		if ((r = cleanup_msg_end_headers(m)) != CLEANUP_MSG_OK)
			return r;
		m->state = CLEANUP_MSG_BODY;
		return cleanup_msg_emit(m, s, len);
	}
	/* a continuation line of the header being collected */
	if ((s[0] == ' ' || s[0] == '\t') && buf_len(m->hdr) > 0) {
		if (buf_append(m->hdr, s, len) < 0)
			return CLEANUP_MSG_HEADER_LIMIT;
		return CLEANUP_MSG_OK;
	}
	/* the next header; line and hdr have the same maximum */
	if (cleanup_msg_is_header(s, len, NULL)) {
		if ((r = cleanup_msg_flush_header(m)) != CLEANUP_MSG_OK)
			return r;
		if (buf_append(m->hdr, s, len) < 0)
			return CLEANUP_MSG_HEADER_LIMIT;
		return CLEANUP_MSG_OK;
	}
	/* not a header: the body starts here, without an empty line */
	return cleanup_msg_start_body(m);
}

/* cleanup_msg_is_body - whether the (possibly incomplete) line in m->line
 * is already known to start the body: neither a header, nor a
 * continuation, nor the empty line. A prefix that may still become a
 * header ("name", "name ") is not known yet. */
static bool
cleanup_msg_is_body(const struct cleanup_msg *m)
{
	const unsigned char *s = (const unsigned char *)buf_str(m->line);
	size_t  len = buf_len(m->line), i = 0;

	if (len == 0 || (len == 1 && s[0] == '\r'))
		return false;
	if (s[0] == ' ' || s[0] == '\t')
		return buf_len(m->hdr) == 0;
	while (i < len && s[i] >= 33 && s[i] <= 126 && s[i] != ':')
		i++;
	if (i == 0)
		return true;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i < len && s[i] != ':';
}

/* cleanup_msg_input - filter one chunk of content. In the header section
 * a line is collected until it is complete; a line that cannot be a
 * header is passed on as soon as that is clear, so that only headers
 * count against the limit. */
enum cleanup_msg_result
cleanup_msg_input(struct cleanup_msg *m, const char *data, size_t len)
{
	const char *nl;
	size_t  take, room;
	bool	fits;

	if (m->error != CLEANUP_MSG_OK)
		return m->error;
	while (len > 0 && m->state == CLEANUP_MSG_HEADERS) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) + 1 : len;
		room = m->line->max - buf_len(m->line);
		if ((fits = take <= room) == false)
			take = room;
		if (buf_append(m->line, data, take) < 0)
			log_panic("cleanup_msg_input: line buffer overflow");
		data += take;
		len -= take;
		if (fits && nl != NULL) {
			m->error = cleanup_msg_line(m);
		} else if (cleanup_msg_is_body(m)) {
			m->error = cleanup_msg_start_body(m);
		} else if (!fits) {
			m->error = CLEANUP_MSG_HEADER_LIMIT;
		} else {
			break;		/* the rest of the line comes later */
		}
		buf_reset(m->line);
		if (m->error != CLEANUP_MSG_OK)
			return m->error;
	}
	if (len > 0)
		m->error = cleanup_msg_emit(m, data, len);
	return m->error;
}

/* cleanup_msg_finish - end of content */
enum cleanup_msg_result
cleanup_msg_finish(struct cleanup_msg *m)
{
	if (m->error != CLEANUP_MSG_OK)
		return m->error;
	if (m->state == CLEANUP_MSG_HEADERS && buf_len(m->line) > 0) {
		/* a last line without LF */
		if (buf_append_char(m->line, '\n') < 0)
			return m->error = CLEANUP_MSG_HEADER_LIMIT;
		m->error = cleanup_msg_line(m);
		buf_reset(m->line);
		if (m->error != CLEANUP_MSG_OK)
			return m->error;
	}
	if (m->state == CLEANUP_MSG_HEADERS) {
		m->error = cleanup_msg_end_headers(m);
		m->state = CLEANUP_MSG_BODY;
	} else if (!m->ends_lf) {
		m->error = cleanup_msg_emit(m, "\n", 1);
	}
	return m->error;
}

/* cleanup_message_flush - write the pending content as one DATA record */
static int
cleanup_message_flush(struct cleanup_state *st)
{
	size_t  len = buf_len(st->data);

	if (len == 0)
		return 0;
	if (rec_put(&st->qf.w, REC_DATA, buf_str(st->data), len) < 0)
		return -1;
	st->content_len += (long long)len;
	buf_reset(st->data);
	return 0;
}

/* cleanup_message_put - the filter's out function: coalesce into DATA */
static int
cleanup_message_put(void *ctx, const char *data, size_t len)
{
	struct cleanup_state *st = ctx;
	size_t  room, take;

	while (len > 0) {
		room = CLEANUP_DATA_RECORD - buf_len(st->data);
		take = len < room ? len : room;
		if (buf_append(st->data, data, take) < 0)
			log_panic("cleanup_message_put: data buffer overflow");
		data += take;
		len -= take;
		if (buf_len(st->data) == CLEANUP_DATA_RECORD
		    && cleanup_message_flush(st) < 0)
			return -1;
	}
	return 0;
}

/* cleanup_message_result - turn a filter result into the state's status */
static int
cleanup_message_result(struct cleanup_state *st, enum cleanup_msg_result r)
{
	struct buf *tmp;

	switch (r) {
	case CLEANUP_MSG_OK:
		break;
	case CLEANUP_MSG_HEADER_LIMIT:
		cleanup_fail(st, PROTO_STATUS_BOUNCE, CLEANUP_REASON_HEADER);
		return -1;
	case CLEANUP_MSG_WRITE_ERROR:
		log_warn("%s: write queue file: %m", st->qf.id);
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	if (st->msg.headers_done && !st->msg_logged) {
		st->msg_logged = true;
		tmp = buf_new(0);
		log_info("%s: message-id=%s", st->qf.id,
		    log_printable(tmp, buf_str(st->msg.message_id),
		    buf_len(st->msg.message_id), CLEANUP_LOG_TEXT_MAX));
		buf_free(tmp);
	}
	return 0;
}

/* cleanup_message_start - REC_MESSAGE, and a fresh filter */
int
cleanup_message_start(struct cleanup_state *st)
{
	if (st->status != PROTO_STATUS_OK)
		return -1;
	st->message_offset = rec_put(&st->qf.w, REC_MESSAGE, "", 0);
	if (st->message_offset < 0) {
		log_warn("%s: write queue file: %m", st->qf.id);
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	cleanup_msg_init(&st->msg, st->qf.id, var_myhostname, time(NULL),
	    (size_t)var_header_size_limit, cleanup_message_put, st);
	st->msg_started = true;
	return 0;
}

/* cleanup_message_data - one chunk of content from the client */
int
cleanup_message_data(struct cleanup_state *st, const char *data, size_t len)
{
	if (st->status != PROTO_STATUS_OK)
		return -1;
	if (var_message_size_limit > 0
	    && (long long)len > var_message_size_limit - st->content_in) {
		cleanup_fail(st, PROTO_STATUS_BOUNCE, CLEANUP_REASON_SIZE);
		return -1;
	}
	st->content_in += (long long)len;
	return cleanup_message_result(st, cleanup_msg_input(&st->msg, data,
	    len));
}

/* cleanup_message_end - end of content: added headers, last DATA record */
int
cleanup_message_end(struct cleanup_state *st)
{
	if (st->status != PROTO_STATUS_OK)
		return -1;
	if (cleanup_message_result(st, cleanup_msg_finish(&st->msg)) < 0)
		return -1;
	if (cleanup_message_flush(st) < 0) {
		log_warn("%s: write queue file: %m", st->qf.id);
		cleanup_fail(st, PROTO_STATUS_DEFER, CLEANUP_REASON_WRITE);
		return -1;
	}
	return 0;
}
