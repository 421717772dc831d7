/* smtpd_reply.c - SMTP replies, error accounting, pipelining-aware flushing
 *
 * Every reply goes through smtpd_reply (the last or only line) or
 * smtpd_reply_more (a "250-" continuation line). Replies are only
 * buffered in the session's stream: the command loop flushes them when
 * the client has nothing more buffered (smtpd_reply_flush_if_idle), and
 * the DATA code flushes before every wait that depends on the client
 * having seen them (354, the final reply, the wait for cleanup). So a
 * pipelining client gets one write per group of commands (RFC 2920).
 *
 * Error accounting: every 4xx and 5xx reply counts as an error of the
 * session and marks the current command as failed (for the disconnect
 * line). Once the count reaches smtpd_soft_error_limit, each such reply
 * is delayed by smtpd_error_sleep_time: pending replies are flushed, then
 * the process waits in poll() (no signals, no sleep()). The hard limit is
 * enforced by the command loop. Replies are our own text; the peer text
 * they quote has been made printable by the caller.
 */
#include "smtpd.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "stream.h"

#include <poll.h>

/* smtpd_reply_delay - wait smtpd_error_sleep_time, flushing first */
static void
smtpd_reply_delay(struct smtpd_session *s)
{
	long long ms = var_smtpd_error_sleep_time * 1000;

	if (ms <= 0)
		return;
	(void)smtpd_reply_flush(s);	/* a dead peer shows later */
	if (ms > INT_MAX)
		ms = INT_MAX;
	if (poll(NULL, 0, (int)ms) < 0 && errno != EINTR)
		log_warn("error delay: poll: %m");
}

/* smtpd_reply_put - format one line into s->out and buffer it */
static void
smtpd_reply_put(struct smtpd_session *s, bool last, const char *fmt,
    va_list ap)
{
	int     c;

	buf_reset(s->out);
	if (buf_vprintf(s->out, fmt, ap) < 0 || buf_len(s->out) < 4)
		log_panic("smtpd_reply: bad reply \"%s\"", fmt);
	c = buf_str(s->out)[0];
	if (last && (c == '4' || c == '5')) {
		s->errors++;
		s->cmd_failed = true;
		if (s->errors >= var_smtpd_soft_error_limit)
			smtpd_reply_delay(s);
	}
	if (log_verbose)
		log_debug("> %s: %s", s->namaddr, buf_str(s->out));
	stream_write(s->stream, buf_str(s->out), buf_len(s->out));
	stream_write(s->stream, "\r\n", 2);
}

/* smtpd_reply - buffer the last (or only) line of a reply */
void
smtpd_reply(struct smtpd_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtpd_reply_put(s, true, fmt, ap);
	va_end(ap);
}

/* smtpd_reply_more - buffer a continuation line ("250-...") */
void
smtpd_reply_more(struct smtpd_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	smtpd_reply_put(s, false, fmt, ap);
	va_end(ap);
}

/* smtpd_reply_flush - write out the buffered replies; 0 or -1 */
int
smtpd_reply_flush(struct smtpd_session *s)
{
	return stream_flush(s->stream);
}

/* smtpd_reply_flush_if_idle - flush unless more client input is already
 * buffered (a pipelined command follows); 0 or -1 */
int
smtpd_reply_flush_if_idle(struct smtpd_session *s)
{
	if (stream_pending(s->stream) > 0)
		return 0;
	return smtpd_reply_flush(s);
}
