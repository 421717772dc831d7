/* local_route.c - deliver one request: loop check, virtual, aliases
 *
 * The order for one recipient of a deliver/1 request:
 *   1. a message that already has "Delivered-To: RCPT" is a forwarding
 *      loop: bounced 5.4.6 (local_loop.c);
 *   2. a domain in virtual_mailbox_domains: the virtual mailbox
 *      (local_virtual.c);
 *   3. anything else goes through alias and .forward expansion
 *      (local_expand.c with the real tables of local_alias.c). A plain
 *      user (no alias, no .forward) is the classic mailbox delivery of
 *      local_recipient.c, logged by the caller as before. An expansion
 *      that has a temporary error defers the whole recipient before any
 *      delivery (so nothing is delivered twice on the retry); otherwise
 *      every destination is delivered in turn: mailboxes and /files
 *      and |commands each in their own child as their owner
 *      (local_deliver.c), other domains in one new message per sender
 *      through cleanup (local_resubmit.c). Each destination gets its own
 *      log line "to=<dest>, orig_to=<rcpt>"; the reply to qmgr is the
 *      worst outcome (deferred before bounced before sent).
 * Commands and files run as the owner the expansion recorded; an owner
 * with uid 0 (root's own .forward) is replaced by default_privs, so that
 * nothing local starts runs as root.
 */
#include "local.h"
#include "addr.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "queue.h"
#include "str.h"

/* local_route_rank - deferred worst, then bounced, then sent */
static int
local_route_rank(int status)
{
	return status == PROTO_STATUS_DEFER ? 2 :
	    status == PROTO_STATUS_BOUNCE ? 1 : 0;
}

/* local_route_merge - keep the worst result in total */
static void
local_route_merge(struct local_result *total, bool *first,
    const struct local_result *one)
{
	if (*first || local_route_rank(one->status) >
	    local_route_rank(total->status))
		*total = *one;
	*first = false;
}

/* local_route_owner - the owner's privileges into rcpt; -1 with res */
static int
local_route_owner(struct local_rcpt *rcpt, const struct local_dest *dest,
    const char *orig, struct local_result *res)
{
	struct local_owner o = dest->owner;
	struct buf *local = rcpt->local_part;

	if (o.uid == 0 && getuid() == 0 &&
	    local_owner_name(&o, var_default_privs) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "default_privs = %s: unknown user", var_default_privs);
		return -1;
	}
	if (getuid() != 0)		/* no switch: we are who we are */
		(void)local_owner_uid(&o, getuid());
	if (str_copy(rcpt->user, sizeof(rcpt->user), o.name) < 0 ||
	    buf_set(rcpt->home, o.home) < 0 ||
	    buf_set(rcpt->shell, o.shell) < 0 ||
	    buf_set(rcpt->env_rcpt, orig) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "owner entry too long");
		return -1;
	}
	rcpt->uid = o.uid;
	rcpt->gid = o.gid;
	rcpt->become = getuid() == 0;
	addr_split(orig, local, rcpt->domain);
	buf_reset(rcpt->extension);
	if (var_recipient_delimiter[0] != '\0')
		addr_strip_extension(local, var_recipient_delimiter,
		    rcpt->extension);
	return 0;
}

/* local_route_file - a /file or /maildir/ destination */
static int
local_route_file(struct local_rcpt *rcpt, const char *path,
    struct local_result *res)
{
	const char *p;
	size_t  len = strlen(path), cut;

	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f)
			break;
	rcpt->kind = LOCAL_MBOX;
	while (len > 1 && path[len - 1] == '/') {
		len--;
		rcpt->kind = LOCAL_MAILDIR;
	}
	if (*p != '\0' || len < 2 || len >= PATH_MAX ||
	    strstr(path, "/../") != NULL) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.3.5",
		    "bad file destination \"%.100s\"", path);
		return -1;
	}
	for (cut = len; cut > 0 && path[cut - 1] != '/'; cut--)
		;
	buf_reset(rcpt->base);
	buf_reset(rcpt->rel);
	if (buf_append(rcpt->base, path, cut > 1 ? cut - 1 : 1) < 0 ||
	    buf_append(rcpt->rel, path + cut, len - cut) < 0) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.3.5",
		    "file destination too long");
		return -1;
	}
	rcpt->file = true;
	rcpt->spool = false;
	return 0;
}

/* local_route_one - deliver one destination other than REMOTE */
static void
local_route_one(const struct local_route_req *req, struct local_rcpt *rcpt,
    struct local_delivery *d, const struct local_dest *dest,
    struct local_result *res)
{
	struct local_delivery d2 = *d;

	if (dest->sender != NULL)
		d2.sender = dest->sender;
	switch (dest->type) {
	case LOCAL_DEST_MAILBOX:
		if (local_recipient_resolve(dest->text, getuid(), rcpt,
		    res) < 0)
			return;
		/* Delivered-To names the address qmgr gave us */
		(void)buf_set(rcpt->delivered_to, req->rcpt);
		str_lower(rcpt->delivered_to->data);
		break;
	case LOCAL_DEST_COMMAND:
	case LOCAL_DEST_FILE:
		rcpt->file = false;
		rcpt->spool = false;
		if (local_route_owner(rcpt, dest, req->rcpt, res) < 0)
			return;
		(void)buf_set(rcpt->delivered_to, req->rcpt);
		str_lower(rcpt->delivered_to->data);
		if (dest->type == LOCAL_DEST_COMMAND) {
			rcpt->kind = LOCAL_COMMAND;
			if (buf_set(rcpt->command, dest->text) < 0) {
				local_result_set(res, PROTO_STATUS_BOUNCE,
				    "5.3.5", "command too long");
				return;
			}
		} else if (local_route_file(rcpt, dest->text, res) < 0) {
			return;
		}
		break;
	default:
		local_result_set(res, dest->status, dest->dsn, "%s",
		    dest->text);
		return;
	}
	local_deliver(rcpt, &d2, res);
	d->count = d2.count;
	if (res->corrupt)
		log_warn("%s: corrupt queue file: %s", d->queue_id,
		    res->reason);
}

/* local_route_remote - resubmit the REMOTE destinations, one message
 * per sender; log a line for each */
static void
local_route_remote(const struct local_route_req *req,
    const struct local_expansion *x, struct local_delivery *d,
    struct local_result *total, bool *first)
{
	const char **rcpts = xcalloc(x->n + 1, sizeof(*rcpts));
	char    id[QUEUE_ID_SIZE + 1];
	struct local_result res;
	const char *sender;
	size_t  i, j, n;
	bool   *done = xcalloc(x->n + 1, sizeof(*done));
	struct buf *lower = buf_new(LOCAL_ADDR_MAX);

	(void)buf_set(lower, req->rcpt);
	str_lower(lower->data);

	for (i = 0; i < x->n; i++) {
		if (x->dests[i].type != LOCAL_DEST_REMOTE || done[i])
			continue;
		sender = x->dests[i].sender;
		n = 0;
		for (j = i; j < x->n; j++) {
			if (x->dests[j].type != LOCAL_DEST_REMOTE || done[j] ||
			    (sender == NULL) != (x->dests[j].sender == NULL) ||
			    (sender != NULL && strcmp(sender,
			    x->dests[j].sender) != 0))
				continue;
			rcpts[n++] = x->dests[j].text;
			done[j] = true;
		}
		(void)local_resubmit(d, sender != NULL ? sender : d->sender,
		    rcpts, n, buf_str(lower), id, sizeof(id),
		    &res);
		for (j = 0; j < n; j++)
			local_result_log(d->queue_id, rcpts[j], req->rcpt,
			    req->arrival, req->start, local_now_us(), &res);
		local_route_merge(total, first, &res);
	}
	buf_free(lower);
	free(done);
	free(rcpts);
}

/* local_route_loop - see local.h */
int
local_route_loop(const struct local_route_req *req,
    const struct local_delivery *d, struct local_result *res)
{
	struct buf *lower = buf_new(LOCAL_ADDR_MAX);
	struct buf *why = buf_new(LOCAL_REASON_MAX);
	int     ret;

	(void)buf_set(lower, req->rcpt);
	str_lower(lower->data);
	ret = local_loop_check(d->qfd, d->offset, buf_str(lower),
	    d->copy->payload, why);
	if (ret > 0)
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.4.6",
		    "mail forwarding loop for %s", req->rcpt);
	else if (ret < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "queue file read error: %s", buf_str(why));
		res->corrupt = true;
	}
	buf_free(why);
	buf_free(lower);
	return ret;
}

/* the expansion of the request being routed (one at a time) */
static struct local_expansion local_route_x;

/* local_route_resolve - where req's recipient goes: 1, its own mailbox
 * (rcpt resolved: a virtual mailbox, or a local user without alias or
 * .forward); 0, the destinations of the expansion in *x; -1, nowhere
 * (res set). The caller resets *x. */
static int
local_route_resolve(const struct local_route_req *req,
    struct local_rcpt *rcpt, struct local_expansion *x,
    struct local_result *res)
{
	addr_split(req->rcpt, rcpt->local_part, rcpt->domain);
	if (local_virtual_domain(buf_str(rcpt->domain)))
		return local_virtual_resolve(req->rcpt, rcpt, res) == 0 ?
		    1 : -1;
	if (!local_is_local_domain(buf_str(rcpt->domain))) {
		(void)local_recipient_resolve(req->rcpt, getuid(), rcpt, res);
		return -1;
	}
	local_expand(x, req->rcpt, &local_alias_ops);
	if (x->expanded || x->n != 1 || x->dests[0].type != LOCAL_DEST_MAILBOX)
		return 0;
	return local_recipient_resolve(req->rcpt, getuid(), rcpt, res) == 0 ?
	    1 : -1;
}

/* local_route_maildir - see local.h */
int
local_route_maildir(const struct local_route_req *req,
    struct local_rcpt *rcpt)
{
	struct local_result res;
	int     ret;

	local_passwd_forget();
	ret = local_route_resolve(req, rcpt, &local_route_x, &res);
	local_expansion_reset(&local_route_x);
	return ret > 0 && rcpt->kind == LOCAL_MAILDIR;
}

/* local_route - deliver one request */
void
local_route(const struct local_route_req *req, struct local_rcpt *rcpt,
    struct local_delivery *d, struct local_result *res, bool *logged)
{
	struct local_expansion *x = &local_route_x;
	struct local_result one;
	const char *to;
	bool    first = true;
	size_t  i;
	int     ret;

	*logged = false;
	local_passwd_forget();
	if (local_route_loop(req, d, res) != 0)
		return;
	ret = local_route_resolve(req, rcpt, x, res);
	if (ret > 0)
		local_deliver(rcpt, d, res);
	if (ret != 0)
		goto done;
	for (i = 0; i < x->n; i++) {
		if (x->dests[i].type == LOCAL_DEST_ERROR &&
		    x->dests[i].status == PROTO_STATUS_DEFER) {
			/* nothing is delivered: the retry repeats nothing */
			local_result_set(res, PROTO_STATUS_DEFER,
			    x->dests[i].dsn, "%s", x->dests[i].text);
			goto done;
		}
	}
	*logged = true;
	for (i = 0; i < x->n; i++) {
		if (x->dests[i].type == LOCAL_DEST_REMOTE)
			continue;
		local_route_one(req, rcpt, d, &x->dests[i], &one);
		to = x->dests[i].type == LOCAL_DEST_MAILBOX ?
		    x->dests[i].text : req->rcpt;
		local_result_log(d->queue_id, to, req->rcpt, req->arrival,
		    req->start, local_now_us(), &one);
		local_route_merge(res, &first, &one);
	}
	local_route_remote(req, x, d, res, &first);
	if (first) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.1",
		    "alias expands to nothing");
		*logged = false;
	}

done:
	local_expansion_reset(x);
}
