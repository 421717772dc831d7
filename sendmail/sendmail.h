/* sendmail.h - the sendmail command's private types and jobs
 *
 * sendmail (also invoked as mailq and newaliases) is the command-line
 * interface every Unix program expects. It runs as its caller: it never
 * touches the queue itself, but hands each message as a maildrop record
 * stream (util/maildrop.h) to the setgid postdrop helper through a pipe.
 * The jobs, one file each:
 *   sendmail_opts.c    the command line (Postfix's flags, sysexits codes)
 *   sendmail_addr.c    address lists of headers and arguments, qualifying
 *   sendmail_msg.c     reading the message: dots, headers, -t, Bcc, From
 *   sendmail_post.c    running postdrop and writing the record stream
 *   sendmail_smtp.c    -bs: a small SMTP dialogue on stdin/stdout
 *   sendmail_admin.c   -bp (mailq), -bi (newaliases), -q (flush)
 * Errors the caller must see go to stderr as "sendmail: ..." and end the
 * program with a sysexits.h code (log_die).
 */
#ifndef POSTERN_SENDMAIL_H
#define POSTERN_SENDMAIL_H

#include "sys.h"
#include <sysexits.h>

struct buf;

enum sendmail_mode { SENDMAIL_MODE_DELIVER, SENDMAIL_MODE_SMTP,
	SENDMAIL_MODE_MAILQ, SENDMAIL_MODE_NEWALIASES, SENDMAIL_MODE_FLUSH };

struct sendmail_opts {
	enum sendmail_mode mode;
	const char *config_dir;	/* -C or MAIL_CONFIG; NULL: default */
	const char *sender;	/* -f / -r; NULL: the user's address */
	const char *full_name;	/* -F; NULL: from passwd */
	bool	extract;	/* -t */
	bool	ignore_dots;	/* -i, -oi */
	int	verbose;	/* -v */
	int	argc;		/* recipients */
	char	**argv;
};

/* a list of envelope recipients */
struct sendmail_rcpts {
	char	**addr;
	size_t	n, cap;
};

/* the submitting user */
struct sendmail_user {
	uid_t	uid;
	char	*login;		/* passwd name, or the uid in decimal */
	char	*full_name;	/* -F, else the gecos name; may be "" */
	char	*sender;	/* envelope sender, qualified; "" for <> */
};

/* sendmail_opts.c */
void	sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o);
_Noreturn void sendmail_usage(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* sendmail_addr.c */
void	sendmail_rcpts_init(struct sendmail_rcpts *r);
void	sendmail_rcpts_free(struct sendmail_rcpts *r);
/* sendmail_addr_list - append the addresses of an RFC 5322 address list
 * (header value or command-line argument) to r, qualified with
 * @myorigin; 0, or -1 with why (malformed address, too many) */
int	sendmail_addr_list(const char *text, size_t len,
	    struct sendmail_rcpts *r, struct buf *why);
/* sendmail_addr_qualify - check one address (no list) and qualify it
 * into out; allow_null for senders ("" and "<>"); 0 or -1 with why */
int	sendmail_addr_qualify(const char *text, bool allow_null,
	    struct buf *out, struct buf *why);
/* sendmail_user_init - who is submitting (passwd), and the sender */
void	sendmail_user_init(struct sendmail_user *u,
	    const struct sendmail_opts *o);

/* sendmail_msg.c - read the message from fd and submit it; returns the
 * exit status (EX_OK) or dies */
int	sendmail_msg_submit(int fd, const struct sendmail_opts *o,
	    const struct sendmail_user *u, struct sendmail_rcpts *rcpts,
	    bool add_from);

/* sendmail_post.c: one submission through postdrop */
struct sendmail_post;
/* sendmail_post_open - start postdrop and write the envelope */
struct sendmail_post *sendmail_post_open(const struct sendmail_opts *o,
	    const struct sendmail_user *u, const struct sendmail_rcpts *r);
/* sendmail_post_write - content bytes; -1 once postdrop is gone */
int	sendmail_post_write(struct sendmail_post *p, const char *data,
	    size_t len);
/* sendmail_post_close - END, wait for postdrop; its exit status (EX_*),
 * with its complaint already on stderr */
int	sendmail_post_close(struct sendmail_post *p);
/* sendmail_helper - the path of a helper program (postdrop, postern):
 * beside this program, else in daemon_directory; into out, -1 if none */
int	sendmail_helper(const char *name, struct buf *out);

/* sendmail_smtp.c */
int	sendmail_smtp(const struct sendmail_opts *o,
	    const struct sendmail_user *u);

/* sendmail_admin.c */
_Noreturn void sendmail_mailq(const struct sendmail_opts *o);
int	sendmail_newaliases(const struct sendmail_opts *o);
int	sendmail_flush(const struct sendmail_opts *o);

#endif
