/* local.h - the local delivery agent's private types and entry points
 *
 * local serves the deliver/1 protocol of util/proto.h for qmgr: each
 * request names one recipient of one queue file. The parent process (root)
 * validates the request, resolves the recipient to a passwd entry and a
 * mailbox (local_recipient.c), opens the queue file read-only, and forks a
 * child per delivery (local_deliver.c). The child drops to the recipient
 * and writes the mailbox: a Maildir (local_maildir.c) or an mbox
 * (local_mbox.c), copying the content from the queue file
 * (local_copy.c). The result travels back as the child's exit code plus a
 * short text on a pipe; the parent logs the Postfix-style "to=<...>" line
 * (local_result.c) and replies.
 *
 * Results: status is PROTO_STATUS_OK/DEFER/BOUNCE, dsn the enhanced status
 * code ("2.0.0"), and reason the human text WITHOUT the code ("delivered to
 * maildir", "unknown user: \"x\""), as Postfix logs "dsn=5.1.1,
 * status=bounced (unknown user: ...)".
 *
 * Without root (getuid() != 0) there is no uid switch: only the user whose
 * uid we run as, and virtual mailboxes under virtual_mailbox_base, get mail.
 */
#ifndef POSTERN_LOCAL_H
#define POSTERN_LOCAL_H

#include "sys.h"

struct buf;

#define LOCAL_ADDR_MAX		2048	/* sender, rcpt, orcpt attributes */
#define LOCAL_USER_MAX		64	/* a user name (local part) */
#define LOCAL_REASON_MAX	512	/* reason text, with its NUL */
#define LOCAL_DSN_SIZE		12	/* "x.yyy.zzz" and NUL */
#define LOCAL_OBUF_SIZE		(128 * 1024)	/* mailbox write buffer */
#define LOCAL_LOCK_SECONDS	20	/* wait for an mbox lock this long */
#define LOCAL_LOCK_STALE	300	/* seconds: then a dotlock is stale */
#define LOCAL_CLOSE_MAX		24	/* descriptors the child closes */
#define LOCAL_MAILDIR_TRIES	10	/* unique-name clashes tolerated */

/* local_result - the outcome of one delivery request */
struct local_result {
	int	status;			/* PROTO_STATUS_* */
	bool	corrupt;		/* the queue file is malformed */
	char	dsn[LOCAL_DSN_SIZE];	/* "2.0.0" */
	char	reason[LOCAL_REASON_MAX]; /* text without the dsn */
};

/* local_result_set - fill res; reason is formatted (truncated to fit) */
void	local_result_set(struct local_result *res, int status,
	    const char *dsn, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* local_result_errno - a write or open failure of what (a path or a
 * description) with errno err: EDQUOT "4.2.2 mailbox full", EFBIG "5.2.2",
 * ENOSPC "4.3.1 mail system full", anything else "4.2.0 cannot ..." */
void	local_result_errno(struct local_result *res, int err,
	    const char *doing, const char *what);

/* local_result_log - the delivery log line "ID: to=<rcpt>, [orig_to=<o>,]
 * relay=local, delay=D, delays=a/0/0/d, dsn=X, status=S (reason)";
 * times in microseconds since the epoch */
void	local_result_log(const char *queue_id, const char *rcpt,
	    const char *orcpt, long long arrival_us, long long start_us,
	    long long end_us, const struct local_result *res);

/* local_format_delay - Postfix's delay format (2 significant digits, at
 * most 2 decimals: "0.05", "0.1", "1.2", "24") of us microseconds into out
 * (appended) */
void	local_format_delay(struct buf *out, long long us);

/* local_now_us - the real-time clock in microseconds */
long long local_now_us(void);

enum local_kind { LOCAL_MAILDIR, LOCAL_MBOX };

/* local_rcpt - a resolved recipient: who, and which mailbox. The mailbox
 * is rel below the directory base; base must exist. Maildir: missing
 * components of rel are created. mbox: rel is the file (it may contain
 * directories, which must exist), its dotlock is rel + ".lock". */
struct local_rcpt {
	enum local_kind kind;
	bool	become;		/* switch to uid/gid in the child (root) */
	bool	spool;		/* mbox in mail_spool_directory */
	uid_t	uid;
	gid_t	gid;
	char	user[LOCAL_USER_MAX + 1];	/* passwd or virtual name */
	struct buf *delivered_to;	/* the full address, lower case */
	struct buf *base;
	struct buf *rel;
	struct buf *local_part;		/* scratch of local_recipient.c */
	struct buf *domain;		/* scratch of local_recipient.c */
};

struct local_rcpt *local_rcpt_new(void);
struct local_rcpt *local_rcpt_free(struct local_rcpt *rcpt);

/* local_recipient_resolve - map the address rcpt to a user and mailbox
 * (domain in mydestination or "localhost", recipient_delimiter extension
 * removed, local part lower-cased, getpwnam; see local.8). self is our
 * real uid: 0 means root and a uid switch per delivery. Returns 0 with out
 * filled, or -1 with res set (status 4 or 5). */
int	local_recipient_resolve(const char *rcpt, uid_t self,
	    struct local_rcpt *out, struct local_result *res);

/* local_recipient_check_home_mailbox - whether a home_mailbox value is
 * acceptable (relative, no ".." component, no control characters) */
bool	local_recipient_check_home_mailbox(const char *value);

/* local_copy - reusable buffers for copying content to a mailbox */
struct local_copy {
	char	*obuf;		/* LOCAL_OBUF_SIZE bytes */
	size_t	olen;
	struct buf *payload;	/* one queue file record */
	struct buf *why;	/* reader errors */
};

struct local_copy *local_copy_new(void);
struct local_copy *local_copy_free(struct local_copy *c);

#define LOCAL_COPY_MBOX	1	/* From_ line, >From quoting, blank line */

/* local_delivery - what a delivery needs besides the recipient */
struct local_delivery {
	const char *queue_id;
	const char *sender;	/* "" for the null sender */
	int	qfd;		/* the queue file, read-only */
	off_t	offset;		/* file offset of REC_MESSAGE */
	unsigned long count;	/* deliveries by this process (Maildir Q) */
	long long timeout_ms;	/* limit of one delivery */
	int	close_fds[LOCAL_CLOSE_MAX];	/* the child closes these */
	size_t	nclose;
	struct local_copy *copy;
};

/* local_copy_message - write the headers Return-Path and Delivered-To,
 * then the content of the queue file (REC_DATA records from d->offset,
 * validated up to REC_END) to out_fd; with LOCAL_COPY_MBOX first a From_
 * line, ">From " quoting and an empty line at the end. The content always
 * ends in a newline. limit > 0 bounds the bytes written (5.2.2). what
 * names the file in error texts. Returns 0, or -1 with res set (a
 * malformed queue file sets res->corrupt); nothing is synced here. */
int	local_copy_message(const struct local_delivery *d,
	    const struct local_rcpt *rcpt, int out_fd, const char *what,
	    int flags, off_t limit, struct local_result *res);

/* local_deliver - deliver in a forked child (as the recipient when
 * rcpt->become) and wait for it; always fills res */
void	local_deliver(const struct local_rcpt *rcpt, struct local_delivery *d,
	    struct local_result *res);

/* local_deliver_mailbox - the child's work, without fork or uid change:
 * dispatch to Maildir or mbox; fills res */
void	local_deliver_mailbox(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res);

/* Maildir */
void	local_maildir_init(void);	/* caches the escaped host name */
/* local_maildir_name - "SECONDS.M<usec>P<pid>Q<count>.<host>" into out
 * (reset), host escaped ("/" -> "\057", ":" -> "\072"); -1 if longer than
 * NAME_MAX */
int	local_maildir_name(struct buf *out, long long sec, long usec,
	    long pid, unsigned long count, const char *host);
void	local_maildir_deliver(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res);

/* mbox */
void	local_mbox_deliver(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res);

/* the service */
void	local_init_privileged(void);
void	local_service(int fd);

/* the seccomp allow-list */
extern const char *const local_syscalls[];
extern const size_t local_syscalls_count;

#endif
