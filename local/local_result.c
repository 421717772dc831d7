/* local_result.c - delivery results: setting them and logging them
 *
 * Owns struct local_result (status, enhanced code, reason text) and the
 * one log line per delivery in Postfix's format, so that tools written for
 * Postfix logs (pflogsumm) read ours: "ID: to=<rcpt>, orig_to=<orcpt>,
 * relay=local, delay=0.05, delays=0.04/0/0/0.01, dsn=2.0.0, status=sent
 * (delivered to maildir)". Addresses come from the queue file, so they pass
 * through log_printable() and are bounded. The reason is ours.
 */
#include "local.h"
#include "buf.h"
#include "log.h"
#include "proto.h"
#include "str.h"

#define LOCAL_LOG_ADDR_MAX	512	/* address bytes shown in a log line */

/* local_result_set - fill res, formatting the reason */
void
local_result_set(struct local_result *res, int status, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	res->corrupt = false;
	if (str_copy(res->dsn, sizeof(res->dsn), dsn) < 0)
		log_panic("local_result_set: bad dsn");
	va_start(ap, fmt);
	(void)vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
}

/* local_result_errno - classify a failure by its errno, the way Postfix's
 * mbox_dsn() does, except that a full quota is temporary here */
void
local_result_errno(struct local_result *res, int err, const char *doing,
    const char *what)
{
	switch (err) {
	case EDQUOT:
		local_result_set(res, PROTO_STATUS_DEFER, "4.2.2",
		    "mailbox full: cannot %s %s: %s", doing, what,
		    strerror(err));
		break;
	case EFBIG:
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.2.2",
		    "mailbox size exceeds limit: cannot %s %s: %s", doing,
		    what, strerror(err));
		break;
	case ENOSPC:
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.1",
		    "mail system full: cannot %s %s: %s", doing, what,
		    strerror(err));
		break;
	default:
		local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
		    "cannot %s %s: %s", doing, what, strerror(err));
		break;
	}
}

/* local_now_us - the real-time clock in microseconds */
long long
local_now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_panic("clock_gettime: %m");
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* local_format_delay - two significant digits, at most two decimals,
 * trailing zeros dropped, truncated (Postfix's format_tv with
 * delay_logging_resolution_limit = 2) */
void
local_format_delay(struct buf *out, long long us)
{
	long long sec, frac;

	if (us < 0)
		us = 0;
	sec = us / 1000000;
	if (sec >= 10) {
		(void)buf_printf(out, "%lld", sec);
	} else if (sec >= 1) {
		frac = (us / 100000) % 10;
		if (frac == 0)
			(void)buf_printf(out, "%lld", sec);
		else
			(void)buf_printf(out, "%lld.%lld", sec, frac);
	} else {
		frac = us / 10000;		/* hundredths, 0..99 */
		if (frac == 0)
			(void)buf_append_str(out, "0");
		else if (frac % 10 == 0)
			(void)buf_printf(out, "0.%lld", frac / 10);
		else
			(void)buf_printf(out, "0.%02lld", frac);
	}
}

/* local_result_status_word - Postfix's status= word */
static const char *
local_result_status_word(int status)
{
	switch (status) {
	case PROTO_STATUS_OK:
		return "sent";
	case PROTO_STATUS_BOUNCE:
		return "bounced";
	default:
		return "deferred";
	}
}

/* local_result_log - the one log line of a delivery */
void
local_result_log(const char *queue_id, const char *rcpt, const char *orcpt,
    long long arrival_us, long long start_us, long long end_us,
    const struct local_result *res)
{
	struct buf *line, *tmp;
	long long total, mine;

	line = buf_new(0);
	tmp = buf_new(0);
	total = end_us - arrival_us;
	mine = end_us - start_us;
	if (total < mine)
		total = mine;		/* a clock step; keep a/b/c/d sane */
	(void)buf_printf(line, "%s: to=<%s>", queue_id,
	    log_printable(tmp, rcpt, strlen(rcpt), LOCAL_LOG_ADDR_MAX));
	if (orcpt[0] != '\0' && str_casecmp(orcpt, rcpt) != 0)
		(void)buf_printf(line, ", orig_to=<%s>", log_printable(tmp,
		    orcpt, strlen(orcpt), LOCAL_LOG_ADDR_MAX));
	(void)buf_append_str(line, ", relay=local, delay=");
	local_format_delay(line, total);
	(void)buf_append_str(line, ", delays=");
	local_format_delay(line, total - mine);
	(void)buf_append_str(line, "/0/0/");
	local_format_delay(line, mine);
	(void)buf_printf(line, ", dsn=%s, status=%s (%s)", res->dsn,
	    local_result_status_word(res->status),
	    log_printable(tmp, res->reason, strlen(res->reason),
	    LOCAL_REASON_MAX));
	log_info("%s", buf_str(line));
	buf_free(tmp);
	buf_free(line);
}
