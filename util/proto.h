/* proto.h - the protocols spoken on postern's local sockets
 *
 * Every protocol runs over ipc.h attribute lists. The server speaks first
 * with proto=<name>; the client checks it (ipc_expect_proto). Attribute
 * names are the macros below, so client and server cannot disagree on
 * spelling. Services are reached with ipc_connect(name) relative to the
 * queue directory (private/NAME, then public/NAME).
 *
 * PROTO_CLEANUP ("cleanup/1"), client smtpd or pickup, one message per
 * exchange, several exchanges per connection:
 *   request  req=env  sender, [client_address client_name helo_name
 *                     protocol sasl_username dsn_envid dsn_ret body_type
 *                     smtputf8]   (once, first)
 *   reply    status, queue_id, reason: the queue file is created (status 0)
 *            or not (4/5); the client logs "ID: client=..." and puts the
 *            ID into its Received header
 *   request  req=rcpt rcpt, [orcpt notify]          (1..N)
 *   request  req=data data (at most PROTO_DATA_CHUNK bytes of content,
 *                     lines ending in LF; the client's Received header
 *                     comes first)                  (0..N)
 *   request  req=done                               (last)
 *   reply    status (0 ok, 4 try again, 5 rejected), queue_id (when ok),
 *            reason (text for the client: "4.3.0 ..." enhanced code first)
 *   No other reply is sent before req=done: the client streams. Any malformed
 *   request ends the connection and discards the message. The reply with
 *   status 0 is sent only after the queue file is committed (fsync'd).
 *
 * PROTO_QMGR ("qmgr/1"), clients cleanup and postern; no replies:
 *   request  req=new queue_id        a committed file in incoming/
 *   request  req=flush               retry the deferred queue now
 *   request  req=scan                rescan incoming/ (maildrop, admin)
 *   request  req=delete queue_id     administrator (postern queue): the
 *   request  req=hold queue_id       message in active/ starts no new
 *   request  req=requeue queue_id    delivery; once its deliveries in
 *            flight have finished (their results recorded) qmgr removes
 *            it with its defer log ("ID: removed"), renames it to hold/
 *            ("ID: placed on hold") or to incoming/ for a fresh attempt
 *            ("ID: requeued"). A file in active/ that qmgr does not hold
 *            in memory is handled at once. IDs not in active/ are
 *            ignored (postern moves those itself); delete wins over an
 *            earlier hold or requeue of the same message.
 *
 * PROTO_DELIVER ("deliver/1"), client qmgr, servers local (and later
 * smtp), one batch of requests and its replies at a time, many batches
 * per connection:
 *   request  queue_id, queue, sender, rcpt, [orcpt notify], offset (the
 *            file offset of REC_MESSAGE), arrival (seconds.micros text),
 *            [dsn_ret dsn_envid], [more]
 *   reply    status (0 delivered, 4 deferred, 5 bounced), dsn ("2.0.0"),
 *            reason (for logs and the bounce; no secrets)
 *   A batch is 1..PROTO_BATCH_MAX requests sent back to back; each but
 *   the last has more=1. All requests of a batch are for the same
 *   recipient address (compared without case) and different messages:
 *   one destination of the transport, so the batch is one delivery of
 *   the destination's concurrency limit. The agent answers every request
 *   of the batch with one reply, in request order, after it has read the
 *   whole batch; it may deliver the batch together (local writes a
 *   Maildir batch in one child and syncs new/ once). A longer batch, or
 *   a batch of different recipients, is a protocol error: the agent
 *   closes the connection.
 *   The delivery agent logs the "to=<...>, relay=..., status=..." line.
 */
#ifndef POSTERN_PROTO_H
#define POSTERN_PROTO_H

#define PROTO_CLEANUP	"cleanup/1"
#define PROTO_QMGR	"qmgr/1"
#define PROTO_DELIVER	"deliver/1"

#define PROTO_DATA_CHUNK	(64 * 1024)
/* deliver/1 requests in one batch: the messages one delivery to a mailbox
 * may carry; more costs the batch's first message latency, fewer its
 * share of the fork and the directory fsync */
#define PROTO_BATCH_MAX		16

#define PROTO_STATUS_OK		0
#define PROTO_STATUS_DEFER	4
#define PROTO_STATUS_BOUNCE	5

/* attribute names */
#define PROTO_REQ		"req"
#define PROTO_SENDER		"sender"
#define PROTO_RCPT		"rcpt"
#define PROTO_ORCPT		"orcpt"
#define PROTO_NOTIFY		"notify"
#define PROTO_DATA		"data"
#define PROTO_STATUS		"status"
#define PROTO_QUEUE_ID		"queue_id"
#define PROTO_QUEUE		"queue"
#define PROTO_REASON		"reason"
#define PROTO_DSN		"dsn"
#define PROTO_OFFSET		"offset"
#define PROTO_ARRIVAL		"arrival"
#define PROTO_CLIENT_ADDRESS	"client_address"
#define PROTO_CLIENT_NAME	"client_name"
#define PROTO_HELO_NAME		"helo_name"
#define PROTO_PROTOCOL		"protocol"
#define PROTO_SASL_USERNAME	"sasl_username"
#define PROTO_DSN_ENVID		"dsn_envid"
#define PROTO_DSN_RET		"dsn_ret"
#define PROTO_BODY_TYPE		"body_type"
#define PROTO_SMTPUTF8		"smtputf8"
#define PROTO_MORE		"more"

/* values of req */
#define PROTO_REQ_ENV		"env"
#define PROTO_REQ_RCPT		"rcpt"
#define PROTO_REQ_DATA		"data"
#define PROTO_REQ_DONE		"done"
#define PROTO_REQ_NEW		"new"
#define PROTO_REQ_FLUSH		"flush"
#define PROTO_REQ_SCAN		"scan"
#define PROTO_REQ_DELETE	"delete"
#define PROTO_REQ_HOLD		"hold"
#define PROTO_REQ_REQUEUE	"requeue"

#endif
