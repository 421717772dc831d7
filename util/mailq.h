/* mailq.h - the mail queue listing: mailq text and postqueue -j JSON
 *
 * One implementation of "what is in the queue", shared by the showq
 * daemon (for ordinary users, through public/showq) and by `postern queue
 * list` run as root or mail_owner, which reads the queue itself. Paths
 * are relative to the current directory, the queue directory (or the
 * root of showq's chroot).
 *
 * mailq_report scans QUEUE_INCOMING (ready files only), QUEUE_ACTIVE,
 * QUEUE_DEFERRED and QUEUE_HOLD, in that order and by queue ID within a
 * queue, and writes the listing through a callback, one message at a
 * time, so that a long queue never sits in memory whole. Only the
 * envelope of each file is read (never its content), plus defer/ID for
 * the delay reasons (the format is documented in qmgr/qmgr.h). A file
 * that vanishes while it is read (delivered, moved) is skipped; a
 * malformed file or defer log is logged with a warning and skipped, never
 * moved (the reader may be an unprivileged listing). Files in maildrop/
 * are not listed (their format belongs to sendmail and pickup).
 *
 * The text format is Postfix's mailq (postqueue -p) format with its
 * short-ID headings: the ID with "*" when active and "!" when on hold,
 * the message size, the arrival time as "Wed Nov 25 03:10:54", the
 * sender (MAILER-DAEMON for the null sender), then each recipient still
 * to be delivered indented, with a "(delay reason)" line before each
 * group of recipients that share a reason; a blank line between messages;
 * the summary "-- N Kbytes in M Requests." or "Mail queue is empty".
 * Bytes that are not printable ASCII are shown as '?' there.
 * The JSON format is one object per line with the fields of postqueue
 * -j: queue_name, queue_id, arrival_time, message_size, forced_expire,
 * sender, recipients [{address, delay_reason}]; every string is valid
 * JSON whatever bytes the queue file holds: control characters become
 * \u00XX, and a byte that is not part of valid UTF-8 becomes \u00XX too
 * (its Latin-1 reading), so any JSON parser accepts the line.
 *
 * Limits: MAILQ_ENVELOPE_MAX bytes of envelope, MAILQ_RCPT_MAX
 * recipients, MAILQ_DEFER_MAX bytes of defer log per message; a file
 * past them is reported as malformed.
 *
 * PROTO_SHOWQ ("showq/1"), the showq daemon's protocol on public/showq:
 *   server   proto=showq/1
 *   request  req=list format ("text" or "json")
 *   reply    0..N lists data=<bytes of the listing>, then one list
 *            status (0 ok, 4 failed) and reason
 *   The client copies the data to its output in order. The request is
 *   the only input showq takes; anything else closes the connection.
 */
#ifndef POSTERN_MAILQ_H
#define POSTERN_MAILQ_H

#include "sys.h"

struct buf;

#define PROTO_SHOWQ		"showq/1"
#define PROTO_REQ_LIST		"list"
#define MAILQ_FORMAT		"format"
#define MAILQ_FORMAT_TEXT	"text"
#define MAILQ_FORMAT_JSON	"json"

#define MAILQ_ENVELOPE_MAX	(4 * 1024 * 1024)
#define MAILQ_RCPT_MAX		100000
#define MAILQ_DEFER_MAX		(4 * 1024 * 1024)
#define MAILQ_CHUNK		(16 * 1024)	/* data bytes per ipc list */

struct mailq_rcpt {
	char	*addr;
	char	*reason;	/* delay reason, or NULL */
};

struct mailq_msg {
	char	queue_id[32];
	const char *queue_name;	/* a QUEUE_* constant */
	long long arrival;	/* seconds since the epoch */
	long long size;		/* message size in bytes */
	char	*sender;	/* "" for the null sender */
	struct mailq_rcpt *rcpts;	/* undelivered recipients */
	size_t	nrcpt;
};

/* mailq_read_envelope - read the envelope of the queue file open on fd
 * (st its fstat) into msg (zeroed first; the caller sets queue_id and
 * queue_name); 0, or -1 with why when the file is malformed or too big */
int	mailq_read_envelope(int fd, const struct stat *st,
	    struct mailq_msg *msg, struct buf *why);

/* mailq_read_defer - attach the reasons of the defer log open on fd to
 * msg's recipients; 0, or -1 with why (a malformed log; reasons read up
 * to the damage stay) */
int	mailq_read_defer(int fd, struct mailq_msg *msg, struct buf *why);

/* mailq_msg_clear - free what msg holds and zero it */
void	mailq_msg_clear(struct mailq_msg *msg);

/* mailq_format_text - append the mailq entry of msg (no blank line) */
void	mailq_format_text(struct buf *out, const struct mailq_msg *msg);
/* mailq_format_json - append the JSON object of msg and a newline */
void	mailq_format_json(struct buf *out, const struct mailq_msg *msg);
/* mailq_json_string - append s (len bytes) as a quoted JSON string */
void	mailq_json_string(struct buf *out, const char *s, size_t len);

/* mailq_write_fn - take len bytes of listing; 0, or -1 to stop */
typedef int (*mailq_write_fn)(const char *data, size_t len, void *ctx);

/* mailq_report - list the queue under the current directory through
 * write (text, or JSON when json); 0, or -1 when write failed or a
 * queue directory cannot be read (logged) */
int	mailq_report(bool json, mailq_write_fn write, void *ctx);

#endif
