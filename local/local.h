/* local.h - the local delivery agent's private types and entry points
 *
 * local serves the deliver/1 protocol of util/proto.h for qmgr: each
 * request names one recipient of one queue file. The parent process (root)
 * validates the request, resolves the recipient to a passwd entry and a
 * mailbox (local_recipient.c), opens the queue file read-only, and forks a
 * child per delivery (local_deliver.c); a batch of messages for one
 * Maildir is one delivery. The child drops to the recipient
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

enum local_kind { LOCAL_MAILDIR, LOCAL_MBOX, LOCAL_COMMAND };

/* local_rcpt - a resolved recipient: who, and which mailbox. The mailbox
 * is rel below the directory base; base must exist. Maildir: missing
 * components of rel are created. mbox: rel is the file (it may contain
 * directories, which must exist), its dotlock is rel + ".lock". */
struct local_rcpt {
	enum local_kind kind;
	bool	become;		/* switch to uid/gid in the child (root) */
	bool	spool;		/* mbox in mail_spool_directory */
	bool	file;		/* a /file destination: dotlock may fail */
	uid_t	uid;
	gid_t	gid;
	char	user[LOCAL_USER_MAX + 1];	/* passwd or virtual name */
	struct buf *delivered_to;	/* the full address, lower case */
	struct buf *base;
	struct buf *rel;
	struct buf *local_part;		/* scratch of local_recipient.c */
	struct buf *domain;		/* scratch of local_recipient.c */
	/* LOCAL_COMMAND: the command and its environment (local_command.c) */
	struct buf *command;		/* text from an alias or .forward */
	struct buf *home;		/* HOME of the owner */
	struct buf *shell;		/* SHELL of the owner */
	struct buf *env_rcpt;		/* RECIPIENT: the original address */
	struct buf *extension;		/* EXTENSION */
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

/* local_deliver_init - mail_owner's uid, the real uid that a Maildir
 * delivery child keeps while it shares local's memory (local_deliver.c);
 * 0 (unknown, or not root): such children are forked instead */
void	local_deliver_init(uid_t keeper);
/* local_deliver - deliver in a child (as the recipient when
 * rcpt->become) and wait for it; always fills res */
void	local_deliver(const struct local_rcpt *rcpt, struct local_delivery *d,
	    struct local_result *res);
/* local_deliver_batch - the same for the messages d[0..n-1] (n at most
 * PROTO_BATCH_MAX, and above 1 only for a Maildir) in one child; fills
 * res[0..n-1]. The child closes d[0].close_fds; d[i].count gets the
 * Maildir Q number of each (d[0].count + i + 1) */
void	local_deliver_batch(const struct local_rcpt *rcpt,
	    struct local_delivery *d, struct local_result *res, size_t n);

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
/* local_maildir_deliver_batch - d[0..n-1] into one Maildir, new/ synced
 * once for all; fills res[0..n-1] */
void	local_maildir_deliver_batch(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res,
	    size_t n);

/* mbox */
void	local_mbox_deliver(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res);

/* |command delivery (local_command.c), in the delivery child after the
 * switch to the owner: the message (Return-Path, Delivered-To, content)
 * in a memfd on stdin, /bin/sh -c COMMAND in its own process group with a
 * clean environment, output captured for the reason, killed after
 * command_time_limit. Exit 0 delivered, 75 deferred, others bounced. */
void	local_command_deliver(const struct local_rcpt *rcpt,
	    const struct local_delivery *d, struct local_result *res);
/* local_command_env - the environment of a command into out (reset):
 * NAME=value strings separated by NULs; -1 if too long */
int	local_command_env(const struct local_rcpt *rcpt, const char *sender,
	    struct buf *out);

/* local_loop_check - whether the content of the queue file has a
 * "Delivered-To: addr" header (case-insensitive); 1 yes, 0 no, -1 a
 * malformed file (why) */
int	local_loop_check(int qfd, off_t offset, const char *addr,
	    struct buf *payload, struct buf *why);

/* Alias and .forward expansion (local_expand.c), see local.8 */
#define LOCAL_EXPAND_DEPTH	20	/* nested aliases and .forwards */
#define LOCAL_EXPAND_DESTS	1000	/* destinations of one recipient */
#define LOCAL_EXPAND_SEEN	4000	/* list items processed in all */
#define LOCAL_PATH_MAX		1024	/* home, shell, include path */

/* local_getpwnam - getpwnam(name), remembered until local_passwd_forget
 * (local_passwd.c); NULL with errno 0 for a remembered unknown user */
struct passwd *local_getpwnam(const char *name);
/* local_passwd_forget - forget it: a new request begins */
void	local_passwd_forget(void);

/* local_owner - whose privileges a command, file or :include: gets */
struct local_owner {
	char	name[LOCAL_USER_MAX + 1];
	uid_t	uid;
	gid_t	gid;
	char	home[LOCAL_PATH_MAX];
	char	shell[LOCAL_PATH_MAX];
};

/* where a destination came from: allow_mail_to_commands/files classes */
enum local_class { LOCAL_CLASS_ALIAS, LOCAL_CLASS_FORWARD,
	LOCAL_CLASS_INCLUDE };

enum local_dest_type { LOCAL_DEST_MAILBOX, LOCAL_DEST_COMMAND,
	LOCAL_DEST_FILE, LOCAL_DEST_REMOTE, LOCAL_DEST_ERROR };

/* local_dest - one destination of an expansion */
struct local_dest {
	enum local_dest_type type;
	char	*text;		/* address, command, path, or error reason */
	char	*sender;	/* owner- alias as sender, or NULL */
	struct local_owner owner;	/* COMMAND and FILE */
	int	status;		/* ERROR: PROTO_STATUS_* */
	char	dsn[LOCAL_DSN_SIZE];	/* ERROR */
};

/* local_expand_ops - the lookups of an expansion (unit tests fake them).
 * Each returns 1 found (value set), 0 not there, -1 temporary error
 * (why). alias: the alias tables; *owner gets the privileges of the
 * table's owner. forward: the first .forward of user (ext the address
 * extension, "" none) that counts; *owner gets the user. include: the
 * file path read as *owner (0 counts as an error: missing file); owner
 * may change to the file's owner. */
struct local_expand_ops {
	int	(*alias)(void *ctx, const char *key, struct buf *value,
		    struct local_owner *owner, struct buf *why);
	int	(*forward)(void *ctx, const char *user, const char *ext,
		    struct buf *value, struct local_owner *owner,
		    struct buf *why);
	int	(*include)(void *ctx, const char *path, struct buf *value,
		    struct local_owner *owner, struct buf *why);
	void	*ctx;
};

/* local_expansion - the result: destinations, deduplicated */
struct local_expansion {
	struct local_dest *dests;
	size_t	n, cap;
	size_t	seen;			/* items processed (limit) */
	char	*chain[LOCAL_EXPAND_DEPTH + 1];	/* keys being expanded */
	size_t	depth;
	bool	expanded;		/* some alias or .forward applied */
	const struct local_expand_ops *ops;
};

/* local_expand - expand the address rcpt (a local domain) into x (reset
 * first; x->dests owned by x). Errors are LOCAL_DEST_ERROR entries. */
void	local_expand(struct local_expansion *x, const char *rcpt,
	    const struct local_expand_ops *ops);
void	local_expansion_reset(struct local_expansion *x);	/* frees */

/* local_expand_split - the next item of an alias or .forward value at
 * *cursor (comma separated; double quotes protect commas, and are
 * removed; blanks around an item dropped; '#' lines are comments in
 * files); item (reset) gets it. false at the end. */
bool	local_expand_split(const char **cursor, struct buf *item);

/* local_is_local_domain - empty, "localhost" or in mydestination */
bool	local_is_local_domain(const char *domain);

/* local_forward_path_expand - one forward_path element with $home,
 * $user, $extension, $recipient_delimiter, $local, $domain (and other
 * main.cf parameters, ${name?text}, ${name:text}) into out (reset);
 * 0 or -1 (too long, bad syntax) */
struct local_forward_vars {
	const char *home, *user, *extension, *delimiter, *local, *domain;
};
int	local_forward_path_expand(const char *pattern,
	    const struct local_forward_vars *v, struct buf *out);

/* the real lookups (local_alias.c, local_forward.c) */
void	local_alias_init(void);		/* open alias_maps, before sandbox */
bool	local_alias_changed(void);	/* a table was rebuilt */
int	local_alias_reopen(struct buf *why);	/* 0, or -1 (why) */
extern const struct local_expand_ops local_alias_ops;
/* local_owner_uid - fill o from the passwd entry of uid; 0, -1 unknown */
int	local_owner_uid(struct local_owner *o, uid_t uid);
int	local_owner_name(struct local_owner *o, const char *name);
/* local_readfile - read path as o (a child process that becomes o when
 * we are root); with forward set, only a regular file owned by o->uid (or
 * root) and not group/world writable counts. 1 read (value, *file_uid),
 * 0 missing (or not counting), -1 error (why). At most max bytes. */
int	local_readfile(const char *path, const struct local_owner *o,
	    bool forward, size_t max, struct buf *value, uid_t *file_uid,
	    struct buf *why);

/* virtual mailboxes (local_virtual.c) */
void	local_virtual_init(void);	/* open the maps, before sandbox */
bool	local_virtual_changed(void);
int	local_virtual_reopen(struct buf *why);	/* 0, or -1 (why) */
/* local_virtual_domain - whether domain is in virtual_mailbox_domains */
bool	local_virtual_domain(const char *domain);
/* local_virtual_resolve - rcpt's mailbox, uid and gid; 0 or -1 res */
int	local_virtual_resolve(const char *rcpt, struct local_rcpt *out,
	    struct local_result *res);

/* resubmission of forwarded mail through cleanup (local_resubmit.c):
 * one new message from sender to rcpts[0..n-1], the content of d's
 * queue file with "Delivered-To: delivered_to" prepended. 0, or -1 with
 * res (defer). *new_id gets the new queue ID. */
int	local_resubmit(const struct local_delivery *d, const char *sender,
	    const char *const *rcpts, size_t n, const char *delivered_to,
	    char *new_id, size_t id_size, struct local_result *res);

/* delivery of a whole expansion (local_route.c): fills res with the
 * worst outcome, logs one line per destination */
struct local_route_req {
	const char *rcpt, *orcpt;
	long long arrival, start;
};
void	local_route(const struct local_route_req *req, struct local_rcpt *rcpt,
	    struct local_delivery *d, struct local_result *res, bool *logged);
/* local_route_loop - whether d's message already has "Delivered-To:
 * rcpt": 0 no; 1 yes, res bounced 5.4.6; -1 a malformed queue file, res
 * deferred and corrupt */
int	local_route_loop(const struct local_route_req *req,
	    const struct local_delivery *d, struct local_result *res);
/* local_route_maildir - whether req's recipient is simply a Maildir (a
 * virtual mailbox, or a user without alias or .forward whose mailbox is
 * a Maildir), rcpt then resolved: the case where several messages can
 * go in one delivery (local_deliver_batch). 0 for anything else, errors
 * included, which the caller leaves to local_route. */
int	local_route_maildir(const struct local_route_req *req,
	    struct local_rcpt *rcpt);

/* the service */
void	local_init_privileged(void);
void	local_service(int fd);

/* the seccomp allow-list */
extern const char *const local_syscalls[];
extern const size_t local_syscalls_count;

#endif
