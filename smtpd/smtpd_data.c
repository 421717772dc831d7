/* smtpd_data.c - the DATA phase: Received header, content, end of data
 *
 * smtpd_data runs once DATA passed its state checks: it flushes the
 * pending replies, starts the message at cleanup (smtpd_cleanup_begin),
 * logs "ID: client=unknown[addr]", answers 354 and flushes, then sends our
 * Received header and the content to cleanup in chunks of at most
 * PROTO_DATA_CHUNK bytes, and finally turns cleanup's answer into the
 * reply. The transaction is over afterwards, whatever the outcome.
 *
 * Input: the message content from the client (untrusted), read in pieces
 * of at most SMTPD_DATA_PIECE bytes: lines may be of any length (a long
 * line arrives as STREAM_LONG pieces and only its first piece is at the
 * start of a line); the message is limited by message_size_limit, counted
 * as the bytes passed to cleanup (Received header included, LF line
 * ends). Rules:
 *   - the end of data is only a line "." ended by CR LF, whose previous
 *     line also ended in CR LF (or which is the first line); so neither a
 *     bare LF nor a bare CR can end a message (no SMTP smuggling);
 *   - a line ending in a bare LF is a line (normalize) but makes the whole
 *     message rejected at its end (550 5.5.2) with
 *     smtpd_forbid_bare_newline = yes; a CR not before LF is content;
 *   - a leading dot is removed (dot-stuffing) from every line that has
 *     more after it; a lone "." that is not the end of data stays;
 *   - CR LF and bare LF both become LF; all other bytes (8-bit, NUL) pass
 *     unchanged;
 *   - past message_size_limit nothing more is forwarded and the cleanup
 *     connection is dropped (cleanup discards the file); the rest is read
 *     to the end of data and answered 552 5.3.4.
 * If the client goes away or times out before the end of data, the
 * cleanup connection is closed without req=done: nothing is half-accepted.
 */
#include "smtpd.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "stream.h"

/* the state of one message's content */
struct smtpd_data_state {
	struct buf *chunk;	/* content not yet sent to cleanup */
	long long size;		/* bytes of content so far */
	bool	forward;	/* still sending to cleanup */
	bool	too_big;	/* past message_size_limit */
	bool	bare_lf;	/* a line ended in a bare LF */
};

static const char *const smtpd_data_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static const char *const smtpd_data_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec",
};

/* smtpd_data_date - RFC 5322 date with numeric zone, into out (append);
 * no locale, no files (the zone was loaded before chroot) */
static void
smtpd_data_date(struct buf *out)
{
	time_t  now = time(NULL);
	struct tm tm;
	long    off;
	char    sign = '+';

	if (localtime_r(&now, &tm) == NULL)
		log_panic("localtime_r: %m");
	off = tm.tm_gmtoff / 60;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	(void)buf_printf(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld",
	    smtpd_data_days[tm.tm_wday % 7], tm.tm_mday,
	    smtpd_data_months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
}

/* smtpd_data_header_text - peer text fit for a header: no control
 * characters; 8-bit bytes only with SMTPUTF8 */
static void
smtpd_data_header_text(struct buf *out, const char *text, bool utf8)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p; p++)
		(void)buf_append_char(out, *p < 32 || *p == 127
		    || (*p > 127 && !utf8) ? '?' : *p);
}

/* smtpd_data_received - our Received header, Postfix's layout */
static void
smtpd_data_received(struct smtpd_session *s, struct buf *out)
{
	buf_reset(out);
	(void)buf_printf(out, "Received: from %s (unknown %s)\n\tby %s (%s) "
	    "with %s id %s", s->helo ? s->helo : "unknown", s->rcvd_addr,
	    var_myhostname, var_mail_name, smtpd_protocol(s), s->queue_id);
	if (s->nrcpts == 1) {
		(void)buf_append_str(out, "\n\tfor <");
		smtpd_data_header_text(out, s->rcpts[0].addr,
		    s->mail.smtputf8);
		(void)buf_append_str(out, ">");
	}
	(void)buf_append_str(out, "; ");
	smtpd_data_date(out);
	(void)buf_append_str(out, "\n");
}

/* smtpd_data_stop - stop forwarding: drop the cleanup connection */
static void
smtpd_data_stop(struct smtpd_session *s, struct smtpd_data_state *d)
{
	d->forward = false;
	buf_reset(d->chunk);
	smtpd_cleanup_close(s);
}

/* smtpd_data_send - send the pending chunk to cleanup */
static void
smtpd_data_send(struct smtpd_session *s, struct smtpd_data_state *d)
{
	if (!d->forward || buf_len(d->chunk) == 0)
		return;
	smtpd_cleanup_write(s, buf_str(d->chunk), buf_len(d->chunk));
	buf_reset(d->chunk);
}

/* smtpd_data_put - account for content bytes and queue them for cleanup
 * in chunks of at most PROTO_DATA_CHUNK */
static void
smtpd_data_put(struct smtpd_session *s, struct smtpd_data_state *d,
    const char *data, size_t len)
{
	size_t  n;

	if (d->too_big)
		return;
	if (var_message_size_limit > 0
	    && (long long)len > var_message_size_limit - d->size) {
		d->too_big = true;
		smtpd_data_stop(s, d);
		return;
	}
	d->size += (long long)len;
	while (d->forward && len > 0) {
		n = PROTO_DATA_CHUNK - buf_len(d->chunk);
		if (n > len)
			n = len;
		if (buf_append(d->chunk, data, n) < 0)
			log_panic("smtpd_data_put: chunk overflow");
		data += n;
		len -= n;
		if (buf_len(d->chunk) == PROTO_DATA_CHUNK)
			smtpd_data_send(s, d);
	}
}

/* smtpd_data_copy - read the content from st up to the end of data and
 * pass it to put, dot-unstuffed and with LF line ends; *bare_lf tells
 * whether a line ended in a bare LF so far (put may look at it). Returns
 * 0 at the end of data, -1 when the input ended or failed first. */
int
smtpd_data_copy(struct stream *st, struct buf *line, bool *bare_lf,
    smtpd_data_put_fn put, void *ctx)
{
	enum stream_result r;
	enum stream_end end;
	bool    bol = true, prev_crlf = true;
	const char *p;
	size_t  len;

	*bare_lf = false;
	for (;;) {
		r = stream_get_line(st, line, SMTPD_DATA_PIECE, &end);
		if (r == STREAM_EOF || r == STREAM_ERROR
		    || (r == STREAM_LINE && end == STREAM_END_NONE))
			return -1;
		p = buf_str(line);
		len = buf_len(line);
		if (bol && r == STREAM_LINE && len == 1 && p[0] == '.') {
			if (end == STREAM_END_CRLF && prev_crlf)
				return 0;
		} else if (bol && len > 0 && p[0] == '.') {
			p++;
			len--;
		}
		if (r == STREAM_LINE && end == STREAM_END_LF)
			*bare_lf = true;
		put(ctx, p, len);
		if (r == STREAM_LONG) {
			bol = false;
			continue;
		}
		put(ctx, "\n", 1);
		bol = true;
		prev_crlf = end == STREAM_END_CRLF;
	}
}

/* what smtpd_data_put gets as its context */
struct smtpd_data_ctx {
	struct smtpd_session *s;
	struct smtpd_data_state *d;
};

/* smtpd_data_put_cb - smtpd_data_copy's output: stop forwarding at the
 * first bare LF when those are forbidden, else pass it on */
static void
smtpd_data_put_cb(void *ctx, const char *data, size_t len)
{
	struct smtpd_data_ctx *c = ctx;

	if (c->d->bare_lf && c->d->forward && smtpd_check_forbid_bare_lf())
		smtpd_data_stop(c->s, c->d);
	smtpd_data_put(c->s, c->d, data, len);
}

/* smtpd_data_lost - the client went away or timed out mid-DATA */
static void
smtpd_data_lost(struct smtpd_session *s, const struct smtpd_data_state *d)
{
	smtpd_cleanup_close(s);
	if (stream_timed_out(s->stream)) {
		log_info("timeout after DATA (%lld bytes) from %s", d->size,
		    s->namaddr);
		smtpd_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    var_myhostname);
	} else {
		log_info("lost connection after DATA (%lld bytes) from %s",
		    d->size, s->namaddr);
	}
	s->cmd_failed = true;
	s->quit = true;
}

/* smtpd_data - the DATA command after its state checks */
void
smtpd_data(struct smtpd_session *s)
{
	struct smtpd_data_state d = {NULL, 0, true, false, false};
	struct smtpd_data_ctx ctx;
	struct buf *reply = buf_new(0);

	if (smtpd_reply_flush(s) < 0) {
		log_info("lost connection after DATA from %s", s->namaddr);
		s->quit = true;
		goto fail;
	}
	if (smtpd_cleanup_begin(s, reply) < 0) {
		smtpd_reply(s, "%s", buf_str(reply));
		smtpd_session_reset(s);
		goto fail;
	}
	log_info("%s: client=%s", s->queue_id, s->namaddr);
	smtpd_reply(s, "354 End data with <CR><LF>.<CR><LF>");
	if (smtpd_reply_flush(s) < 0) {
		log_info("lost connection after DATA from %s", s->namaddr);
		smtpd_cleanup_close(s);
		s->quit = true;
		goto fail;
	}
	d.chunk = buf_new(PROTO_DATA_CHUNK);
	smtpd_data_received(s, reply);
	smtpd_data_put(s, &d, buf_str(reply), buf_len(reply));
	ctx.s = s;
	ctx.d = &d;
	if (smtpd_data_copy(s->stream, s->line, &d.bare_lf, smtpd_data_put_cb,
	    &ctx) < 0) {
		smtpd_data_lost(s, &d);
		goto fail;
	}
	s->where = "END-OF-MESSAGE";
	smtpd_data_send(s, &d);
	if (d.bare_lf && smtpd_check_forbid_bare_lf())
		(void)buf_set(reply, "550 5.5.2 Error: bare <LF> received");
	else if (d.too_big)
		(void)buf_set(reply, "552 5.3.4 Error: message file too big");
	else
		(void)smtpd_cleanup_finish(s, reply);
	if (buf_str(reply)[0] != '2')
		smtpd_check_log_reject(s, "END-OF-MESSAGE", buf_str(reply),
		    s->nrcpts == 1 ? s->rcpts[0].addr : NULL);
	smtpd_reply(s, "%s", buf_str(reply));
	smtpd_session_reset(s);
	(void)smtpd_reply_flush(s);	/* a dead client shows later */

fail:
	buf_free(d.chunk);
	buf_free(reply);
}
