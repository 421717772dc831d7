/* cleanup_service.c - the cleanup/1 server side of one client connection
 *
 * cleanup_service() is the server_run_single callback: it sends the
 * PROTO_CLEANUP banner, then reads requests until the client closes the
 * connection, one message after another (util/proto.h):
 *   env (once, first) -> immediate reply with status and queue_id
 *   rcpt (1..N), data (0..N), done -> reply with the final status
 * Every request is read with one spec table (ipc_get rejects unknown,
 * duplicate and over-long attributes), then checked against the request
 * table: which attributes it allows and requires and in which phase it is
 * valid (a check step, then an action). Values must not contain NUL, CR or
 * LF. A malformed request, a request out of order, or EOF between req=env
 * and req=done aborts the message (the partial file is unlinked), is
 * logged, and ends the connection.
 *
 * The sender of req=env and every recipient go through
 * cleanup_rewrite.c first (unqualified addresses get @$myorigin unless
 * the protocol attribute names SMTP); one recipient may become several,
 * each with the client's address as its ORCPT "rfc822;addr" when it
 * changed and the client gave none. After the connection, a lookup table
 * that changed on disk makes the process exit (server_exit_after_this).
 *
 * A message that fails for a reason the client must hear (too many
 * recipients, too big, header too long, write error) is not cut short:
 * the remaining requests are consumed without writing, and the reply to
 * req=done carries the status. A status 0 reply is sent only after the
 * queue file is committed; qmgr is told after the reply.
 */
#include "cleanup.h"
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "server.h"
#include "str.h"

#define CLEANUP_REQ_MAX	16

/* the attributes of any request, in the order of cleanup_spec */
enum cleanup_attr_index {
	CA_REQ, CA_SENDER, CA_CLIENT_ADDRESS, CA_CLIENT_NAME, CA_HELO_NAME,
	CA_PROTOCOL, CA_SASL_USERNAME, CA_DSN_ENVID, CA_DSN_RET,
	CA_BODY_TYPE, CA_SMTPUTF8, CA_RCPT, CA_ORCPT, CA_NOTIFY, CA_DATA,
	CA_COUNT
};

static const struct ipc_spec cleanup_spec[] = {
	[CA_REQ] = {PROTO_REQ, IPC_STR, true, CLEANUP_REQ_MAX},
	[CA_SENDER] = {PROTO_SENDER, IPC_STR, false, CLEANUP_ADDR_MAX},
	[CA_CLIENT_ADDRESS] = {PROTO_CLIENT_ADDRESS, IPC_STR, false,
	CLEANUP_ATTR_MAX},
	[CA_CLIENT_NAME] = {PROTO_CLIENT_NAME, IPC_STR, false,
	CLEANUP_ATTR_MAX},
	[CA_HELO_NAME] = {PROTO_HELO_NAME, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_PROTOCOL] = {PROTO_PROTOCOL, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_SASL_USERNAME] = {PROTO_SASL_USERNAME, IPC_STR, false,
	CLEANUP_ATTR_MAX},
	[CA_DSN_ENVID] = {PROTO_DSN_ENVID, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_DSN_RET] = {PROTO_DSN_RET, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_BODY_TYPE] = {PROTO_BODY_TYPE, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_SMTPUTF8] = {PROTO_SMTPUTF8, IPC_STR, false, CLEANUP_ATTR_MAX},
	[CA_RCPT] = {PROTO_RCPT, IPC_STR, false, CLEANUP_ADDR_MAX},
	[CA_ORCPT] = {PROTO_ORCPT, IPC_STR, false, CLEANUP_ADDR_MAX},
	[CA_NOTIFY] = {PROTO_NOTIFY, IPC_INT, false, 0},
	[CA_DATA] = {PROTO_DATA, IPC_DATA, false, PROTO_DATA_CHUNK},
};

#define CA_BIT(i)	(1U << (i))
#define CLEANUP_ENV_ATTRS (CA_BIT(CA_SENDER) | CA_BIT(CA_CLIENT_ADDRESS) \
	| CA_BIT(CA_CLIENT_NAME) | CA_BIT(CA_HELO_NAME) \
	| CA_BIT(CA_PROTOCOL) | CA_BIT(CA_SASL_USERNAME) \
	| CA_BIT(CA_DSN_ENVID) | CA_BIT(CA_DSN_RET) | CA_BIT(CA_BODY_TYPE) \
	| CA_BIT(CA_SMTPUTF8))
#define CLEANUP_RCPT_ATTRS (CA_BIT(CA_RCPT) | CA_BIT(CA_ORCPT) \
	| CA_BIT(CA_NOTIFY))
#define CP_BIT(p)	(1U << (p))

typedef int (*cleanup_req_fn)(struct cleanup_state *, struct ipc *,
	    const struct ipc_msg *);

struct cleanup_req {
	const char *name;
	unsigned allowed;	/* CA_BIT of the attributes besides req */
	unsigned required;
	unsigned phases;	/* CP_BIT of the phases it is valid in */
	cleanup_req_fn action;	/* 0, or -1: close the connection */
};

static int cleanup_service_env(struct cleanup_state *, struct ipc *,
	    const struct ipc_msg *);
static int cleanup_service_rcpt(struct cleanup_state *, struct ipc *,
	    const struct ipc_msg *);
static int cleanup_service_data(struct cleanup_state *, struct ipc *,
	    const struct ipc_msg *);
static int cleanup_service_done(struct cleanup_state *, struct ipc *,
	    const struct ipc_msg *);

static const struct cleanup_req cleanup_reqs[] = {
	{PROTO_REQ_ENV, CLEANUP_ENV_ATTRS, CA_BIT(CA_SENDER),
	CP_BIT(CLEANUP_IDLE), cleanup_service_env},
	{PROTO_REQ_RCPT, CLEANUP_RCPT_ATTRS, CA_BIT(CA_RCPT),
	CP_BIT(CLEANUP_ENVELOPE) | CP_BIT(CLEANUP_RCPTS),
	cleanup_service_rcpt},
	{PROTO_REQ_DATA, CA_BIT(CA_DATA), CA_BIT(CA_DATA),
	CP_BIT(CLEANUP_RCPTS) | CP_BIT(CLEANUP_CONTENT), cleanup_service_data},
	{PROTO_REQ_DONE, 0, 0, CP_BIT(CLEANUP_RCPTS) | CP_BIT(CLEANUP_CONTENT),
	cleanup_service_done},
};

/* the highest DSN NOTIFY mask (all REC_NOTIFY_* bits) */
#define CLEANUP_NOTIFY_MAX (REC_NOTIFY_NEVER | REC_NOTIFY_SUCCESS \
	| REC_NOTIFY_FAILURE | REC_NOTIFY_DELAY)

/* cleanup_service_reply - a reply with status, queue_id and reason */
static int
cleanup_service_reply(struct ipc *ipc, int status, const char *id,
    const char *reason)
{
	ipc_put_int(ipc, PROTO_STATUS, status);
	if (id != NULL && *id != '\0')
		ipc_put_str(ipc, PROTO_QUEUE_ID, id);
	ipc_put_str(ipc, PROTO_REASON, reason);
	if (ipc_end(ipc) < 0) {
		log_warn("%s: send reply to client: %m",
		    id != NULL && *id != '\0' ? id : "NOQUEUE");
		return -1;
	}
	return 0;
}

/* cleanup_service_local - whether a submission is local (not SMTP):
 * its unqualified addresses get @$myorigin */
static bool
cleanup_service_local(const struct ipc_msg *req)
{
	if (!req->vals[CA_PROTOCOL].present)
		return true;
	return strcasestr(ipc_str(req, CA_PROTOCOL), "SMTP") == NULL;
}

/* cleanup_service_rw_fail - a failed rewrite: log it, defer the
 * message; -1 */
static int
cleanup_service_rw_fail(struct cleanup_state *st, enum cleanup_rw rc,
    const char *what, const char *addr, const struct buf *why)
{
	struct buf *text = buf_new(0), *a = buf_new(0);

	log_warn("%s: %s <%s>: %s", st->qf.id[0] ? st->qf.id : "NOQUEUE",
	    what, log_printable(a, addr, strlen(addr), CLEANUP_LOG_TEXT_MAX),
	    log_printable(text, buf_str(why), buf_len(why),
	    CLEANUP_LOG_TEXT_MAX * 2));
	buf_free(text);
	buf_free(a);
	cleanup_fail(st, PROTO_STATUS_DEFER, rc == CLEANUP_RW_LOOKUP
	    ? CLEANUP_REASON_LOOKUP : CLEANUP_REASON_VIRTUAL);
	return -1;
}

/* cleanup_service_sender - the rewritten envelope sender into out; 0,
 * or -1 with the failure recorded in st */
static int
cleanup_service_sender(struct cleanup_state *st, const char *sender,
    struct buf *out)
{
	struct buf *why = buf_new(0);
	enum cleanup_rw rc;
	int     ret = 0;

	rc = cleanup_rewrite_sender(cleanup_rewrite_maps(), sender,
	    st->qualify, out, why);
	if (rc != CLEANUP_RW_OK)
		ret = cleanup_service_rw_fail(st, rc, "rewrite sender",
		    sender, why);
	buf_free(why);
	return ret;
}

/* cleanup_service_env - create the queue file, reply at once */
static int
cleanup_service_env(struct cleanup_state *st, struct ipc *ipc,
    const struct ipc_msg *req)
{
	struct cleanup_attr attrs[CA_COUNT];
	struct buf *why, *sender;
	size_t  i, n = 0;
	int	ret;

	for (i = 0; i < CA_COUNT; i++) {
		if (i == CA_SENDER || !(CLEANUP_ENV_ATTRS & CA_BIT(i))
		    || !req->vals[i].present)
			continue;
		attrs[n].name = cleanup_spec[i].name;
		attrs[n].value = ipc_str(req, i);
		attrs[n].len = ipc_len(req, i);
		n++;
	}
	why = buf_new(0);
	sender = buf_new(0);
	st->qualify = cleanup_service_local(req);
	if (cleanup_service_sender(st, ipc_str(req, CA_SENDER), sender) < 0
	    || cleanup_envelope_open(st, buf_str(sender), attrs, n,
	    why) < 0) {
		if (buf_len(why) > 0)
			log_warn("%s: create queue file: %s",
			    st->qf.id[0] ? st->qf.id : "NOQUEUE",
			    buf_str(why));
		ret = cleanup_service_reply(ipc, st->status, NULL, st->reason);
		buf_free(why);
		buf_free(sender);
		cleanup_state_reset(st);
		return ret;
	}
	buf_free(why);
	buf_free(sender);
	st->phase = CLEANUP_ENVELOPE;
	ret = cleanup_service_reply(ipc, PROTO_STATUS_OK, st->qf.id,
	    CLEANUP_REASON_ENV);
	/* the client sends the message meanwhile: the commit at the end then
	 * waits for one fsync, not two */
	if (ret == 0)
		queue_sync_name(&st->qf);
	return ret;
}

/* cleanup_service_rcpt - one recipient */
static int
cleanup_service_rcpt(struct cleanup_state *st, struct ipc *ipc,
    const struct ipc_msg *req)
{
	struct cleanup_addrs out = {0};
	struct buf *why, *orcpt;
	const char *rcpt = ipc_str(req, CA_RCPT);
	enum cleanup_rw rc;
	size_t  i;

	(void)ipc;
	st->phase = CLEANUP_RCPTS;
	if (st->status != PROTO_STATUS_OK)
		return 0;
	why = buf_new(0);
	orcpt = buf_new(0);
	rc = cleanup_rewrite_rcpt(cleanup_rewrite_maps(), rcpt, st->qualify,
	    &out, why);
	if (rc != CLEANUP_RW_OK) {
		(void)cleanup_service_rw_fail(st, rc, "rewrite recipient",
		    rcpt, why);
	} else {
		/* a rewritten recipient remembers the address the client
		 * gave (its DSN ORCPT when it had one): logs say orig_to */
		if (req->vals[CA_ORCPT].present)
			(void)buf_set(orcpt, ipc_str(req, CA_ORCPT));
		else if ((out.n != 1 || strcmp(out.v[0], rcpt) != 0)
		    && strlen(rcpt) + 7 <= CLEANUP_ADDR_MAX)
			(void)buf_printf(orcpt, "rfc822;%s", rcpt);
		/* a failure is recorded in st and reported at req=done */
		for (i = 0; i < out.n; i++)
			if (cleanup_envelope_rcpt(st, out.v[i],
			    buf_len(orcpt) ? buf_str(orcpt) : NULL,
			    ipc_num(req, CA_NOTIFY)) < 0)
				break;
	}
	cleanup_addrs_free(&out);
	buf_free(orcpt);
	buf_free(why);
	return 0;
}

/* cleanup_service_data - one chunk of content */
static int
cleanup_service_data(struct cleanup_state *st, struct ipc *ipc,
    const struct ipc_msg *req)
{
	(void)ipc;
	if (st->phase != CLEANUP_CONTENT) {
		st->phase = CLEANUP_CONTENT;
		if (cleanup_message_start(st) < 0)
			return 0;
	}
	/* a failure is recorded in st and reported at req=done */
	(void)cleanup_message_data(st, ipc_str(req, CA_DATA),
	    ipc_len(req, CA_DATA));
	return 0;
}

/* cleanup_service_done - finish, commit, reply, tell qmgr */
static int
cleanup_service_done(struct cleanup_state *st, struct ipc *ipc,
    const struct ipc_msg *req)
{
	char	id[QUEUE_ID_SIZE];
	struct buf *why;
	int	ret;

	(void)req;
	memcpy(id, st->qf.id, sizeof(id));
	if (st->phase != CLEANUP_CONTENT)
		(void)cleanup_message_start(st);
	why = buf_new(0);
	if (cleanup_message_end(st) == 0
	    && cleanup_envelope_commit(st, why) == 0) {
		buf_free(why);
		cleanup_state_reset(st);
		return cleanup_service_reply(ipc, PROTO_STATUS_OK, id,
		    CLEANUP_REASON_OK);
	}
	buf_free(why);
	log_warn("%s: %s: %s; from=<%s>", id,
	    st->status == PROTO_STATUS_BOUNCE ? "reject" : "defer",
	    st->reason, buf_str(st->sender));
	cleanup_envelope_abort(st);
	ret = cleanup_service_reply(ipc, st->status, id, st->reason);
	cleanup_state_reset(st);
	return ret;
}

/* cleanup_service_text - whether a value is free of NUL, CR and LF */
static bool
cleanup_service_text(const struct ipc_msg *req, size_t i)
{
	const char *s = ipc_str(req, i);
	size_t  len = ipc_len(req, i), j;

	for (j = 0; j < len; j++)
		if (s[j] == '\0' || s[j] == '\r' || s[j] == '\n')
			return false;
	return true;
}

/* cleanup_service_check - validate a request; its table entry or NULL */
static const struct cleanup_req *
cleanup_service_check(const struct cleanup_state *st,
    const struct ipc_msg *req, struct buf *why)
{
	const struct cleanup_req *r = NULL;
	const char *name = ipc_str(req, CA_REQ);
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(cleanup_reqs); i++)
		if (strcmp(name, cleanup_reqs[i].name) == 0)
			r = &cleanup_reqs[i];
	if (r == NULL) {
		buf_printf(why, "unknown request");
		return NULL;
	}
	if (!(r->phases & CP_BIT(st->phase))) {
		buf_printf(why, "req=%s out of order", r->name);
		return NULL;
	}
	for (i = CA_REQ + 1; i < CA_COUNT; i++) {
		if (req->vals[i].present && !(r->allowed & CA_BIT(i))) {
			buf_printf(why, "req=%s: unexpected attribute %s",
			    r->name, cleanup_spec[i].name);
			return NULL;
		}
		if (!req->vals[i].present && (r->required & CA_BIT(i))) {
			buf_printf(why, "req=%s: missing attribute %s",
			    r->name, cleanup_spec[i].name);
			return NULL;
		}
		if (req->vals[i].present && cleanup_spec[i].type == IPC_STR
		    && !cleanup_service_text(req, i)) {
			buf_printf(why, "req=%s: attribute %s contains a "
			    "control character", r->name,
			    cleanup_spec[i].name);
			return NULL;
		}
	}
	if ((r->allowed & CA_BIT(CA_RCPT)) && ipc_len(req, CA_RCPT) == 0) {
		buf_printf(why, "req=%s: empty recipient", r->name);
		return NULL;
	}
	if (req->vals[CA_NOTIFY].present && (ipc_num(req, CA_NOTIFY) < 0
	    || ipc_num(req, CA_NOTIFY) > CLEANUP_NOTIFY_MAX)) {
		buf_printf(why, "req=%s: bad notify mask", r->name);
		return NULL;
	}
	return r;
}

/* cleanup_service_abort - a broken exchange: discard the message, log */
static void
cleanup_service_abort(struct cleanup_state *st, const char *why)
{
	struct buf *text = buf_new(0);

	log_warn("%s: submission aborted: %s",
	    st->open ? st->qf.id : "NOQUEUE",
	    log_printable(text, why, strlen(why), CLEANUP_LOG_TEXT_MAX));
	buf_free(text);
	cleanup_state_reset(st);
}

/* cleanup_service - serve one client connection until it closes */
void
cleanup_service(int fd)
{
	struct cleanup_state st;
	const struct cleanup_req *r;
	struct ipc_msg req;
	struct ipc *ipc;
	struct buf *why;
	int	rc;

	ipc = ipc_open(fd, (int)(var_ipc_timeout * 1000));
	if (ipc_send_proto(ipc, PROTO_CLEANUP) < 0) {
		log_warn("send banner to client: %m");
		ipc_free(ipc);
		return;
	}
	cleanup_state_init(&st);
	memset(&req, 0, sizeof(req));
	why = buf_new(0);
	for (;;) {
		buf_reset(why);
		rc = ipc_get(ipc, cleanup_spec, CA_COUNT, &req, why);
		if (rc == 1) {
			if (st.phase != CLEANUP_IDLE)
				cleanup_service_abort(&st, "client closed the "
				    "connection before req=done");
			break;
		}
		if (rc < 0) {
			cleanup_service_abort(&st, buf_str(why));
			break;
		}
		if ((r = cleanup_service_check(&st, &req, why)) == NULL) {
			cleanup_service_abort(&st, buf_str(why));
			break;
		}
		if (r->action(&st, ipc, &req) < 0)
			break;
	}
	ipc_msg_free(&req);
	buf_free(why);
	cleanup_state_free(&st);
	ipc_free(ipc);
	if (cleanup_maps_changed(cleanup_rewrite_maps())) {
		log_info("a lookup table changed: exiting after this "
		    "connection");
		server_exit_after_this();
	}
}
