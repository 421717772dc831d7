/* qmgr_bounce.c - permanent failures: the DSN to the sender, via cleanup
 *
 * Owns the non-delivery notification of a finished message: one RFC 3464
 * multipart/report per message, listing every bounced recipient that
 * asked for failure notices (NOTIFY unset, or with FAILURE and without
 * NEVER): a human-readable text/plain part, a message/delivery-status part
 * (Reporting-MTA, Arrival-Date, per recipient Final-Recipient,
 * Original-Recipient, Action: failed, Status, Diagnostic-Code) and the
 * original headers as text/rfc822-headers (at most QMGR_DSN_HEADERS_MAX
 * bytes, read from the queue file's content). The DSN has the null sender
 * and goes to the original sender; a message with the null sender is a
 * bounce itself and is never bounced (logged and dropped).
 *
 * The DSN is submitted through cleanup/1 without blocking the event loop:
 * connect, wait for the banner, req=env, wait for the reply, then
 * req=rcpt, req=data chunks (PROTO_DATA_CHUNK, cut at line ends), req=done,
 * wait for the final reply; each wait is bounded by QMGR_BOUNCE_TIMEOUT_MS.
 * The outcome goes to qmgr_active_bounce_done. Text from queue files and
 * agents (addresses, reasons) is stripped of control characters before it
 * reaches a header or the report, and cut to QMGR_DSN_LINE_MAX bytes.
 */
#include "qmgr.h"
#include "buf.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "rec.h"

#define QMGR_DSN_LINE_MAX	900	/* of one address or reason */
#define QMGR_BOUNCE_SERVICE	"cleanup"

enum qmgr_bounce_state {
	QMGR_BOUNCE_BANNER,		/* waiting for proto=cleanup/1 */
	QMGR_BOUNCE_ENV,		/* waiting for the req=env reply */
	QMGR_BOUNCE_DONE		/* waiting for the req=done reply */
};

struct qmgr_bounce_job {
	struct qmgr_message *msg;
	struct ipc *ipc;
	int	fd;
	enum qmgr_bounce_state state;
	struct buf *text;		/* the complete DSN */
};

static const struct ipc_spec qmgr_bounce_reply_spec[] = {
	{PROTO_STATUS, IPC_INT, true, 8},
	{PROTO_QUEUE_ID, IPC_STR, false, QUEUE_ID_LEN},
	{PROTO_REASON, IPC_STR, false, IPC_MAX_VALUE_DEFAULT},
};

enum { QMGR_BREPLY_STATUS, QMGR_BREPLY_QUEUE_ID, QMGR_BREPLY_REASON };

static size_t qmgr_bounce_jobs;

static void qmgr_bounce_timeout(void *);

/* qmgr_bounce_clean - append s with control characters replaced by '?',
 * at most QMGR_DSN_LINE_MAX bytes */
static void
qmgr_bounce_clean(struct buf *out, const char *s)
{
	size_t  i;

	for (i = 0; s[i] != '\0' && i < QMGR_DSN_LINE_MAX; i++)
		(void)buf_append_char(out, (unsigned char)s[i] < 0x20
		    || s[i] == 0x7f ? '?' : s[i]);
}

/* qmgr_bounce_date - RFC 5322 date of t (UTC) into out */
static void
qmgr_bounce_date(char *out, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL
	    || strftime(out, size, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		(void)snprintf(out, size, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* qmgr_bounce_wanted - whether rcpt gets a failure notice */
static bool
qmgr_bounce_wanted(const struct qmgr_rcpt *r)
{
	if (r->state != QMGR_RCPT_BOUNCED)
		return false;
	if (r->notify == 0)
		return true;
	return (r->notify & REC_NOTIFY_NEVER) == 0
	    && (r->notify & REC_NOTIFY_FAILURE) != 0;
}

/* qmgr_bounce_split - status code and text of a reason */
static void
qmgr_bounce_split(const char *reason, char *code, size_t size,
    const char **text)
{
	const char *sp = strchr(reason, ' ');

	if (sp != NULL && (size_t)(sp - reason) < size
	    && (reason[0] == '4' || reason[0] == '5') && reason[1] == '.') {
		memcpy(code, reason, (size_t)(sp - reason));
		code[sp - reason] = '\0';
		*text = sp + 1;
	} else {
		(void)snprintf(code, size, "5.0.0");
		*text = reason;
	}
}

/* qmgr_bounce_compose - the RFC 3464 DSN for msg into out */
size_t
qmgr_bounce_compose(const struct qmgr_message *msg, const char *headers,
    size_t headers_len, time_t now, struct buf *out)
{
	const char *host = var_myhostname != NULL && *var_myhostname ?
	    var_myhostname : "localhost";
	const struct qmgr_rcpt *r;
	char    date[64], arrival[64], boundary[128], code[16];
	const char *text;
	size_t  i, n = 0;

	buf_reset(out);
	for (i = 0; i < msg->nrcpt; i++)
		n += qmgr_bounce_wanted(&msg->rcpts[i]);
	if (n == 0)
		return 0;
	qmgr_bounce_date(date, sizeof(date), now);
	qmgr_bounce_date(arrival, sizeof(arrival), (time_t)msg->arrival_sec);
	(void)snprintf(boundary, sizeof(boundary), "%s.%lld/%s", msg->id,
	    (long long)now, host);

	(void)buf_printf(out, "From: MAILER-DAEMON@%s (Mail Delivery System)\n"
	    "To: <", host);
	qmgr_bounce_clean(out, msg->sender);
	(void)buf_printf(out, ">\n"
	    "Subject: Undelivered Mail Returned to Sender\n"
	    "Date: %s\n"
	    "Message-Id: <%s.%lld.dsn@%s>\n"
	    "Auto-Submitted: auto-replied\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/report; report-type=delivery-status;\n"
	    "\tboundary=\"%s\"\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n"
	    "This is a MIME-encapsulated message.\n"
	    "\n", date, msg->id, (long long)now, host, boundary);

	/* the human-readable part */
	(void)buf_printf(out, "--%s\n"
	    "Content-Description: Notification\n"
	    "Content-Type: text/plain; charset=us-ascii\n"
	    "\n"
	    "This is the mail system at host %s.\n"
	    "\n"
	    "I'm sorry to have to inform you that your message could not\n"
	    "be delivered to one or more recipients. The headers of your\n"
	    "message are attached below.\n"
	    "\n"
	    "For further assistance, please send mail to postmaster.\n"
	    "\n"
	    "                   The mail system\n"
	    "\n", boundary, host);
	for (i = 0; i < msg->nrcpt; i++) {
		r = &msg->rcpts[i];
		if (!qmgr_bounce_wanted(r))
			continue;
		(void)buf_append_char(out, '<');
		qmgr_bounce_clean(out, r->addr);
		(void)buf_append_str(out, ">: ");
		qmgr_bounce_clean(out, r->reason != NULL ? r->reason :
		    "5.0.0 delivery failed");
		(void)buf_append_str(out, "\n\n");
	}

	/* the machine-readable part */
	(void)buf_printf(out, "--%s\n"
	    "Content-Description: Delivery report\n"
	    "Content-Type: message/delivery-status\n"
	    "\n"
	    "Reporting-MTA: dns; %s\n"
	    "X-Postern-Queue-ID: %s\n"
	    "X-Postern-Sender: rfc822; ", boundary, host, msg->id);
	qmgr_bounce_clean(out, msg->sender);
	(void)buf_append_char(out, '\n');
	if (msg->dsn_envid != NULL) {
		(void)buf_append_str(out, "Original-Envelope-Id: ");
		qmgr_bounce_clean(out, msg->dsn_envid);
		(void)buf_append_char(out, '\n');
	}
	(void)buf_printf(out, "Arrival-Date: %s\n", arrival);
	for (i = 0; i < msg->nrcpt; i++) {
		r = &msg->rcpts[i];
		if (!qmgr_bounce_wanted(r))
			continue;
		qmgr_bounce_split(r->reason != NULL ? r->reason :
		    "5.0.0 delivery failed", code, sizeof(code), &text);
		(void)buf_append_str(out, "\nFinal-Recipient: rfc822; ");
		qmgr_bounce_clean(out, r->addr);
		if (r->orcpt != NULL) {
			(void)buf_append_str(out, "\nOriginal-Recipient: ");
			qmgr_bounce_clean(out, r->orcpt);
		}
		(void)buf_printf(out, "\nAction: failed\nStatus: %s\n"
		    "Diagnostic-Code: X-Postern; ", code);
		qmgr_bounce_clean(out, text);
		(void)buf_append_char(out, '\n');
	}

	/* the original headers */
	(void)buf_printf(out, "\n--%s\n"
	    "Content-Description: Undelivered Message Headers\n"
	    "Content-Type: text/rfc822-headers\n"
	    "\n", boundary);
	if (headers != NULL && headers_len > 0) {
		(void)buf_append(out, headers, headers_len);
		if (headers[headers_len - 1] != '\n')
			(void)buf_append_char(out, '\n');
	}
	(void)buf_printf(out, "\n--%s--\n", boundary);
	return n;
}

/* qmgr_bounce_headers - the original header lines of msg into out */
static int
qmgr_bounce_headers(const struct qmgr_message *msg, struct buf *out)
{
	char    path[QUEUE_PATH_SIZE];
	struct rec_reader rr;
	struct buf *payload, *why;
	const char *end;
	size_t  from;
	int     fd = msg->fd, type, ret = -1;

	buf_reset(out);
	if (fd < 0) {
		if (queue_path(path, sizeof(path), QUEUE_ACTIVE, msg->id) < 0)
			log_panic("qmgr_bounce_headers: bad id %s", msg->id);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			log_warn("%s: open %s: %m", msg->id, path);
			return -1;
		}
	}
	payload = buf_new(0);
	why = buf_new(0);
	rec_reader_init(&rr, fd, (off_t)msg->content_offset,
	    REC_GROUP_CONTENT, REC_MAX_DEFAULT);
	type = rec_get(&rr, payload, NULL, why);
	if (type != REC_MESSAGE) {
		log_warn("%s: reading the content: %s", msg->id, type < 0 ?
		    buf_str(why) : "no MESSAGE record");
		goto fail;
	}
	while (buf_len(out) < QMGR_DSN_HEADERS_MAX) {
		type = rec_get(&rr, payload, NULL, why);
		if (type == REC_END || type == 0)
			break;
		if (type != REC_DATA) {
			log_warn("%s: reading the content: %s", msg->id,
			    type < 0 ? buf_str(why) : "unexpected record");
			goto fail;
		}
		from = buf_len(out) > 0 ? buf_len(out) - 1 : 0;
		(void)buf_append(out, buf_str(payload), buf_len(payload));
		if (buf_len(out) > 0 && buf_str(out)[0] == '\n') {
			buf_truncate(out, 0);
			break;
		}
		end = memmem(buf_str(out) + from, buf_len(out) - from, "\n\n",
		    2);
		if (end != NULL) {
			buf_truncate(out, (size_t)(end - buf_str(out)) + 1);
			break;
		}
	}
	if (buf_len(out) > QMGR_DSN_HEADERS_MAX) {
		buf_truncate(out, QMGR_DSN_HEADERS_MAX);
		end = memrchr(buf_str(out), '\n', buf_len(out));
		buf_truncate(out, end != NULL ?
		    (size_t)(end - buf_str(out)) + 1 : 0);
	}
	ret = 0;

fail:
	rec_reader_done(&rr);
	buf_free(payload);
	buf_free(why);
	if (fd != msg->fd)
		(void)close(fd);	/* read-only */
	return ret;
}

/* qmgr_bounce_finish - end a submission with its outcome */
static void
qmgr_bounce_finish(struct qmgr_bounce_job *job, bool ok, const char *why)
{
	struct qmgr_message *msg = job->msg;

	if (!ok)
		log_warn("%s: sender non-delivery notification failed: %s",
		    msg->id, why);
	events_unwatch(job->fd);
	events_timer_cancel(qmgr_bounce_timeout, job);
	ipc_free(job->ipc);
	buf_free(job->text);
	free(job);
	qmgr_bounce_jobs--;
	qmgr_active_bounce_done(msg, ok);
}

/* qmgr_bounce_timeout - a step took too long */
static void
qmgr_bounce_timeout(void *ctx)
{
	qmgr_bounce_finish(ctx, false, "timeout talking to the cleanup "
	    "service");
}

/* qmgr_bounce_send_content - req=rcpt, the data chunks, req=done */
static int
qmgr_bounce_send_content(struct qmgr_bounce_job *job)
{
	const char *p = buf_str(job->text), *nl;
	size_t  left = buf_len(job->text), chunk;

	ipc_put_str(job->ipc, PROTO_REQ, PROTO_REQ_RCPT);
	ipc_put_str(job->ipc, PROTO_RCPT, job->msg->sender);
	if (ipc_end(job->ipc) < 0)
		return -1;
	while (left > 0) {
		chunk = left < PROTO_DATA_CHUNK ? left : PROTO_DATA_CHUNK;
		if (chunk < left) {
			nl = memrchr(p, '\n', chunk);
			if (nl != NULL)
				chunk = (size_t)(nl - p) + 1;
		}
		ipc_put_str(job->ipc, PROTO_REQ, PROTO_REQ_DATA);
		ipc_put_data(job->ipc, PROTO_DATA, p, chunk);
		if (ipc_end(job->ipc) < 0)
			return -1;
		p += chunk;
		left -= chunk;
	}
	ipc_put_str(job->ipc, PROTO_REQ, PROTO_REQ_DONE);
	return ipc_end(job->ipc);
}

/* qmgr_bounce_event - the cleanup connection is readable */
static void
qmgr_bounce_event(int fd, int what, void *ctx)
{
	struct qmgr_bounce_job *job = ctx;
	struct ipc_msg m;
	struct buf *why;
	char    buf[256];

	(void)fd;
	(void)what;
	memset(&m, 0, sizeof(m));
	why = buf_new(0);
	ipc_set_timeout(job->ipc, QMGR_READ_TIMEOUT_MS);
	if (job->state == QMGR_BOUNCE_BANNER) {
		if (ipc_expect_proto(job->ipc, PROTO_CLEANUP, why) < 0)
			goto fail;
		ipc_put_str(job->ipc, PROTO_REQ, PROTO_REQ_ENV);
		ipc_put_str(job->ipc, PROTO_SENDER, "");
		if (ipc_end(job->ipc) < 0) {
			(void)buf_printf(why, "send: %s", strerror(errno));
			goto fail;
		}
		job->state = QMGR_BOUNCE_ENV;
		events_timer(QMGR_BOUNCE_TIMEOUT_MS, qmgr_bounce_timeout, job);
		buf_free(why);
		return;
	}
	if (ipc_get(job->ipc, qmgr_bounce_reply_spec,
	    SYS_ARRAY_LEN(qmgr_bounce_reply_spec), &m, why) != 0) {
		if (buf_len(why) == 0)
			(void)buf_set(why, "connection closed");
		goto fail;
	}
	if (ipc_num(&m, QMGR_BREPLY_STATUS) != PROTO_STATUS_OK) {
		(void)log_printable(why, ipc_str(&m, QMGR_BREPLY_REASON),
		    ipc_len(&m, QMGR_BREPLY_REASON), sizeof(buf) - 1);
		if (buf_len(why) == 0)
			(void)buf_set(why, "rejected by the cleanup service");
		goto fail;
	}
	if (job->state == QMGR_BOUNCE_ENV) {
		if (qmgr_bounce_send_content(job) < 0) {
			(void)buf_printf(why, "send: %s", strerror(errno));
			goto fail;
		}
		job->state = QMGR_BOUNCE_DONE;
		events_timer(QMGR_BOUNCE_TIMEOUT_MS, qmgr_bounce_timeout, job);
		ipc_msg_free(&m);
		buf_free(why);
		return;
	}
	log_info("%s: sender non-delivery notification: %s", job->msg->id,
	    log_printable(why, ipc_str(&m, QMGR_BREPLY_QUEUE_ID),
	    ipc_len(&m, QMGR_BREPLY_QUEUE_ID), QUEUE_ID_LEN));
	ipc_msg_free(&m);
	buf_free(why);
	qmgr_bounce_finish(job, true, NULL);
	return;

fail:
	(void)snprintf(buf, sizeof(buf), "%s", buf_str(why));
	ipc_msg_free(&m);
	buf_free(why);
	qmgr_bounce_finish(job, false, buf);
}

/* qmgr_bounce_start - submit msg's DSN through cleanup/1 */
int
qmgr_bounce_start(struct qmgr_message *msg)
{
	struct qmgr_bounce_job *job;
	struct buf *headers, *text, *why;
	struct ipc *ipc;

	if (*msg->sender == '\0') {
		log_info("%s: undeliverable bounce discarded (null sender)",
		    msg->id);
		return 0;
	}
	headers = buf_new(0);
	if (qmgr_bounce_headers(msg, headers) < 0)
		buf_reset(headers);
	text = buf_new(0);
	if (qmgr_bounce_compose(msg, buf_str(headers), buf_len(headers),
	    qmgr_now(), text) == 0) {
		log_info("%s: no non-delivery notification requested",
		    msg->id);
		buf_free(headers);
		buf_free(text);
		return 0;
	}
	buf_free(headers);
	why = buf_new(0);
	ipc = ipc_connect(QMGR_BOUNCE_SERVICE, QMGR_CONNECT_TIMEOUT_MS, why);
	if (ipc == NULL) {
		log_warn("%s: sender non-delivery notification failed: %s",
		    msg->id, buf_str(why));
		buf_free(why);
		buf_free(text);
		return -1;
	}
	buf_free(why);
	job = xcalloc(1, sizeof(*job));
	job->msg = msg;
	job->ipc = ipc;
	job->fd = ipc_fd(ipc);
	job->state = QMGR_BOUNCE_BANNER;
	job->text = text;
	qmgr_bounce_jobs++;
	events_watch(job->fd, EVENTS_READ, qmgr_bounce_event, job);
	events_timer(QMGR_BOUNCE_TIMEOUT_MS, qmgr_bounce_timeout, job);
	return 1;
}

/* qmgr_bounce_inflight - submissions under way */
size_t
qmgr_bounce_inflight(void)
{
	return qmgr_bounce_jobs;
}
