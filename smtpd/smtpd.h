/* smtpd.h - private types of the SMTP server
 *
 * struct smtpd_session is the whole state of one SMTP connection: the
 * client's identity (address only: smtpd never looks names up in the DNS,
 * the client is always "unknown[addr]"), the HELO name, the transaction
 * (sender, ESMTP parameters, accepted recipients), the connection to
 * cleanup that outlives one message, the error count and the per-command
 * counters of the "disconnect from" log line. One process serves one
 * session at a time, so a session is created and freed by smtpd_service().
 *
 * The files: smtpd_session.c (service entry, command loop, state),
 * smtpd_verb.c (one handler per SMTP verb), smtpd_cmd.c (parsing command
 * lines and ESMTP parameters; pure, unit-tested), smtpd_check.c (HELO,
 * sender and recipient policy), smtpd_maps.c (the lookup tables of the
 * recipient policy), smtpd_data.c (the DATA content),
 * smtpd_cleanup.c (the cleanup/1 client), smtpd_reply.c (replies, error
 * delays, pipelining-aware flushing), smtpd_sandbox.c (system calls).
 */
#ifndef POSTERN_SMTPD_H
#define POSTERN_SMTPD_H

#include "sys.h"

#include <netinet/in.h>
#include <sys/socket.h>

struct buf;
struct stream;
struct ipc;

/* limits of things that are not main.cf parameters */
#define SMTPD_VERB_MAX		16	/* longest verb we look up */
#define SMTPD_ENVID_MAX		100	/* RFC 3461: ENVID octets */
#define SMTPD_ORCPT_MAX		500	/* RFC 3461: ORCPT octets */
#define SMTPD_DATA_PIECE	8192	/* longest DATA read at once */
#define SMTPD_ECHO_MAX		100	/* peer text in a reply */
#define SMTPD_ADDR_SIZE		(INET6_ADDRSTRLEN + 8)
#define SMTPD_LOG_REPLY_MAX	512	/* reply text in a log line */

/* the verbs; the order is that of the disconnect line's counters */
enum smtpd_verb {
	SMTPD_VERB_HELO,
	SMTPD_VERB_EHLO,
	SMTPD_VERB_STARTTLS,
	SMTPD_VERB_AUTH,
	SMTPD_VERB_MAIL,
	SMTPD_VERB_RCPT,
	SMTPD_VERB_DATA,
	SMTPD_VERB_BDAT,
	SMTPD_VERB_RSET,
	SMTPD_VERB_NOOP,
	SMTPD_VERB_VRFY,
	SMTPD_VERB_EXPN,
	SMTPD_VERB_ETRN,
	SMTPD_VERB_TURN,
	SMTPD_VERB_HELP,
	SMTPD_VERB_QUIT,
	SMTPD_VERB_UNKNOWN,
	SMTPD_VERB_COUNT
};

/* a parsed command line: the verb and its argument (trimmed) */
struct smtpd_cmd {
	enum smtpd_verb verb;
	const char *arg;	/* into the line; "" when none */
};

enum smtpd_body { SMTPD_BODY_NONE, SMTPD_BODY_7BIT, SMTPD_BODY_8BITMIME };
enum smtpd_ret { SMTPD_RET_NONE, SMTPD_RET_FULL, SMTPD_RET_HDRS };

/* what MAIL FROM carried */
struct smtpd_mail_args {
	struct buf *addr;	/* sender without brackets, "" for <> */
	long long size;		/* SIZE=, -1 when absent */
	enum smtpd_body body;
	bool	smtputf8;
	enum smtpd_ret ret;
	struct buf *envid;	/* ENVID, xtext-decoded */
	bool	has_envid;
};

/* what RCPT TO carried */
struct smtpd_rcpt_args {
	struct buf *addr;	/* recipient without brackets */
	int	notify;		/* REC_NOTIFY_* mask, 0: absent */
	struct buf *orcpt;	/* "type;address", decoded, "" when absent */
};

/* an accepted recipient */
struct smtpd_rcpt {
	char	*addr;
	char	*orcpt;		/* NULL when absent */
	int	notify;
};

struct smtpd_session {
	struct stream *stream;
	struct sockaddr_storage sa;	/* client, IPv4-mapped unwrapped */
	char	addr[SMTPD_ADDR_SIZE];	/* "192.0.2.1", "2001:db8::1" */
	char	namaddr[SMTPD_ADDR_SIZE + 16];	/* "unknown[addr]" */
	char	rcvd_addr[SMTPD_ADDR_SIZE + 16]; /* "[a]", "[IPv6:a]" */
	char	*helo;		/* printable HELO/EHLO name or NULL */
	bool	esmtp;		/* EHLO (not HELO) was last */
	const char *where;	/* state for "lost connection after X" */
	bool	quit;		/* end the session after this */
	bool	cmd_failed;	/* a 4xx/5xx reply was given to it */
	long long errors;	/* 4xx/5xx replies so far */
	long long junk;		/* HELO, EHLO, NOOP, VRFY, RSET, HELP */
	/* the transaction */
	bool	in_mail;
	struct smtpd_mail_args mail;
	struct smtpd_rcpt *rcpts;
	size_t	nrcpts;
	size_t	rcpts_cap;
	size_t	rcpt_tries;	/* RCPT commands, accepted or not */
	char	queue_id[32];	/* of the current message or "" */
	/* the cleanup connection, kept across messages */
	struct ipc *cleanup;
	/* counters for the disconnect line */
	unsigned long total[SMTPD_VERB_COUNT];
	unsigned long okay[SMTPD_VERB_COUNT];
	/* scratch */
	struct buf *line;	/* the command line or DATA piece */
	struct buf *reply;	/* reply text from parsers and checks */
	struct buf *out;	/* the reply line being written */
	struct buf *tmp;
};

/* smtpd_session.c */
void	smtpd_service(int fd);
void	smtpd_session_reset(struct smtpd_session *s);
const char *smtpd_protocol(const struct smtpd_session *s);

/* smtpd_verb.c - one handler per verb; the argument as parsed */
void	smtpd_verb_run(struct smtpd_session *s, const struct smtpd_cmd *c);

/* smtpd_cmd.c */
const char *smtpd_cmd_name(enum smtpd_verb verb);	/* lower case */
void	smtpd_cmd_parse(char *line, struct smtpd_cmd *cmd);
/* smtpd_cmd_printable - every byte printable ASCII (or 8-bit if allowed) */
bool	smtpd_cmd_printable(const char *s, size_t len, bool allow_8bit);
void	smtpd_mail_args_init(struct smtpd_mail_args *m);
void	smtpd_mail_args_reset(struct smtpd_mail_args *m);
void	smtpd_mail_args_free(struct smtpd_mail_args *m);
void	smtpd_rcpt_args_init(struct smtpd_rcpt_args *r);
void	smtpd_rcpt_args_free(struct smtpd_rcpt_args *r);
/* smtpd_cmd_mail - parse the argument of MAIL ("FROM:<a> PARAMS");
 * 0 ok, -1 with the complete reply line ("501 5.5.4 ...") in reply */
int	smtpd_cmd_mail(const char *arg, struct smtpd_mail_args *m,
	    struct buf *reply);
/* smtpd_cmd_rcpt - parse the argument of RCPT ("TO:<a> PARAMS");
 * smtputf8: the transaction allows 8-bit addresses. 0 or -1 + reply */
int	smtpd_cmd_rcpt(const char *arg, bool smtputf8,
	    struct smtpd_rcpt_args *r, struct buf *reply);
/* smtpd_cmd_xtext - decode RFC 3461 xtext into out (reset); 0 or -1 */
int	smtpd_cmd_xtext(const char *in, size_t len, struct buf *out);

/* smtpd_reply.c */
void	smtpd_reply(struct smtpd_session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	smtpd_reply_more(struct smtpd_session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	smtpd_reply_flush(struct smtpd_session *s);
int	smtpd_reply_flush_if_idle(struct smtpd_session *s);

/* smtpd_check.c */
void	smtpd_init_privileged(void);
bool	smtpd_check_forbid_bare_lf(void);
int	smtpd_check_mail(struct smtpd_session *s, struct buf *reply);
int	smtpd_check_rcpt(struct smtpd_session *s, const char *addr,
	    struct buf *reply);
void	smtpd_check_log_reject(struct smtpd_session *s, const char *cmd,
	    const char *reply, const char *rcpt);

/* smtpd_maps.c - the tables of the recipient checks; lookups return 1
 * found, 0 not, -1 with why (a table failed: 451 4.3.0) */
enum smtpd_domains {
	SMTPD_DOMAINS_RELAY,	/* relay_domains */
	SMTPD_DOMAINS_VALIAS,	/* virtual_alias_domains */
	SMTPD_DOMAINS_VMAILBOX,	/* virtual_mailbox_domains */
	SMTPD_DOMAINS_COUNT
};
/* smtpd_maps_init - open every table (before chroot); errors are fatal */
void	smtpd_maps_init(void);
bool	smtpd_maps_changed(void);
int	smtpd_maps_domain(enum smtpd_domains which, const char *domain,
	    struct buf *why);
/* smtpd_maps_rewritten - addr is in recipient_canonical_maps,
 * canonical_maps or virtual_alias_maps (local: the domain is local) */
int	smtpd_maps_rewritten(const char *addr, bool local, struct buf *why);
bool	smtpd_maps_local_configured(void);
/* smtpd_maps_local - user (local part, no extension or quotes, lower
 * case) in passwd, or addr in the tables of local_recipient_maps */
int	smtpd_maps_local(const char *user, const char *addr,
	    struct buf *why);
int	smtpd_maps_virtual_mailbox(const char *addr, struct buf *why);

/* smtpd_data.c */
void	smtpd_data(struct smtpd_session *s);
typedef void (*smtpd_data_put_fn)(void *ctx, const char *data, size_t len);
int	smtpd_data_copy(struct stream *st, struct buf *line, bool *bare_lf,
	    smtpd_data_put_fn put, void *ctx);

/* smtpd_cleanup.c - 0, or -1 with the reply line for the client */
int	smtpd_cleanup_begin(struct smtpd_session *s, struct buf *reply);
void	smtpd_cleanup_write(struct smtpd_session *s, const char *data,
	    size_t len);
int	smtpd_cleanup_finish(struct smtpd_session *s, struct buf *reply);
void	smtpd_cleanup_abort(struct smtpd_session *s);
void	smtpd_cleanup_close(struct smtpd_session *s);

/* smtpd_sandbox.c */
extern const char *const smtpd_syscalls[];
extern const size_t smtpd_syscalls_count;

#endif
