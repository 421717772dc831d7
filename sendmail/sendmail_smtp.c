/* sendmail_smtp.c - sendmail -bs: a small SMTP dialogue on stdin/stdout
 *
 * For programs that speak SMTP to a local sendmail (some mail clients,
 * git send-email with --smtp-server=/usr/sbin/sendmail -bs). Commands:
 * HELO, EHLO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT (VRFY is
 * refused, anything else is unrecognized). Each message is submitted
 * exactly like a command-line one: its content goes into an anonymous
 * memory file (memfd) and a forked child runs sendmail_msg_submit on it
 * with the envelope of the dialogue, so that a message refused by the
 * limits (or by postdrop) costs that message a reply, not the session.
 *
 * Input is the caller's: lines of at most line_length_limit bytes
 * (longer: 500), at most smtpd_recipient_limit recipients (452), content
 * of at most message_size_limit bytes (552), and after
 * smtpd_hard_error_limit errors the session ends with 421.
 */
#include "sendmail.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"

struct sendmail_smtp {
	struct buf *line;
	struct buf *sender;	/* qualified; valid when has_mail */
	bool	has_mail;
	struct sendmail_rcpts rcpts;
	int	errors;
	const struct sendmail_opts *o;
	const struct sendmail_user *u;
};

/* sendmail_smtp_reply - one reply line */
static void
sendmail_smtp_reply(const char *text)
{
	(void)fprintf(stdout, "%s\r\n", text);
	if (fflush(stdout) == EOF)
		log_die(EX_IOERR, "write to the SMTP client: %m");
}

/* sendmail_smtp_read - one command line (CRLF or LF removed); 0, 1 at
 * end of input, -1 too long (the rest of the line was skipped) */
static int
sendmail_smtp_read(struct buf *line, size_t max)
{
	int     c;
	bool	too_long = false;

	buf_reset(line);
	while ((c = getchar()) != EOF && c != '\n') {
		if (buf_len(line) >= max || buf_append_char(line, c) < 0)
			too_long = true;
	}
	if (c == EOF && buf_len(line) == 0 && !too_long)
		return 1;
	if (buf_len(line) > 0 && buf_str(line)[buf_len(line) - 1] == '\r')
		buf_truncate(line, buf_len(line) - 1);
	return too_long ? -1 : 0;
}

/* sendmail_smtp_reset - forget the transaction */
static void
sendmail_smtp_reset(struct sendmail_smtp *s)
{
	s->has_mail = false;
	sendmail_rcpts_free(&s->rcpts);
	sendmail_rcpts_init(&s->rcpts);
}

/* sendmail_smtp_path - the address after "FROM:" / "TO:" */
static const char *
sendmail_smtp_path(const char *arg, const char *prefix)
{
	size_t  n = strlen(prefix);

	if (str_ncasecmp(arg, prefix, n) != 0)
		return NULL;
	arg += n;
	while (*arg == ' ')
		arg++;
	return arg;
}

/* sendmail_smtp_addr - the path without ESMTP parameters */
static int
sendmail_smtp_addr(const char *path, bool allow_null, struct buf *out,
    struct buf *why)
{
	char   *copy = xstrdup(path), *sp;
	int     ret;

	/* ESMTP parameters (SIZE=, BODY=) follow a space after the path */
	if (*copy == '<' && (sp = strchr(copy, '>')) != NULL)
		sp[1] = '\0';
	else if ((sp = strchr(copy, ' ')) != NULL)
		*sp = '\0';
	ret = sendmail_addr_qualify(copy, allow_null, out, why);
	free(copy);
	return ret;
}

/* sendmail_smtp_deliver - submit the content in fd; the reply */
static void
sendmail_smtp_deliver(struct sendmail_smtp *s, int fd)
{
	struct sendmail_opts o = *s->o;
	struct sendmail_user u = *s->u;
	pid_t   pid, w;
	int     status;

	o.extract = false;
	o.ignore_dots = true;
	o.argc = 0;
	o.argv = NULL;
	u.sender = (char *)buf_str(s->sender);
	(void)fflush(stdout);
	if ((pid = fork()) < 0) {
		log_error("fork: %m");
		sendmail_smtp_reply("451 4.3.0 Error: cannot fork");
		return;
	}
	if (pid == 0) {
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(EX_OSERR);	/* never talk SMTP from here */
		_exit(sendmail_msg_submit(fd, &o, &u, &s->rcpts, true));
	}
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		continue;
	if (w < 0 || !WIFEXITED(status))
		sendmail_smtp_reply("451 4.3.0 Error: queue file write error");
	else if (WEXITSTATUS(status) == EX_OK)
		sendmail_smtp_reply("250 2.0.0 Ok: queued");
	else if (WEXITSTATUS(status) == EX_DATAERR
	    || WEXITSTATUS(status) == EX_USAGE)
		sendmail_smtp_reply("554 5.6.0 Error: message content "
		    "rejected");
	else
		sendmail_smtp_reply("451 4.3.0 Error: queue file write error");
}

/* sendmail_smtp_data - DATA: content until ".", then the submission */
static void
sendmail_smtp_data(struct sendmail_smtp *s)
{
	long long size = 0;
	bool	too_big = false;
	const char *p;
	size_t  n;
	int     fd, r;

	if (!s->has_mail || s->rcpts.n == 0) {
		s->errors++;
		sendmail_smtp_reply("503 5.5.1 Error: need RCPT command");
		return;
	}
	if ((fd = memfd_create("sendmail-bs", MFD_CLOEXEC)) < 0)
		log_die(EX_OSERR, "memfd_create: %m");
	sendmail_smtp_reply("354 End data with <CR><LF>.<CR><LF>");
	for (;;) {
		r = sendmail_smtp_read(s->line, SIZE_MAX);
		if (r == 1)
			log_die(EX_DATAERR, "unexpected end of input in "
			    "DATA");
		if (r < 0)
			too_big = true;	/* a line past the buffer limit */
		p = buf_str(s->line);
		n = buf_len(s->line);
		if (n == 1 && p[0] == '.')
			break;
		if (n > 0 && p[0] == '.') {
			p++;
			n--;
		}
		size += (long long)n + 1;
		if (var_message_size_limit > 0 && size > var_message_size_limit)
			too_big = true;
		if (too_big)
			continue;
		if (write(fd, p, n) != (ssize_t)n || write(fd, "\n", 1) != 1)
			log_die(EX_OSERR, "write message to memory: %m");
	}
	if (too_big) {
		sendmail_smtp_reply("552 5.3.4 Error: message file too big");
	} else if (lseek(fd, 0, SEEK_SET) < 0) {
		log_die(EX_OSERR, "lseek: %m");
	} else {
		sendmail_smtp_deliver(s, fd);
	}
	(void)close(fd);	/* a memory file: nothing to lose */
	sendmail_smtp_reset(s);
}

/* sendmail_smtp_mail - MAIL FROM */
static void
sendmail_smtp_mail(struct sendmail_smtp *s, const char *arg,
    struct buf *why)
{
	const char *path = sendmail_smtp_path(arg, "FROM:");

	if (s->has_mail) {
		s->errors++;
		sendmail_smtp_reply("503 5.5.1 Error: nested MAIL command");
	} else if (path == NULL || sendmail_smtp_addr(path, true, s->sender,
	    why) < 0) {
		s->errors++;
		sendmail_smtp_reply("501 5.1.7 Bad sender address syntax");
	} else {
		s->has_mail = true;
		sendmail_smtp_reply("250 2.1.0 Ok");
	}
}

/* sendmail_smtp_rcpt - RCPT TO */
static void
sendmail_smtp_rcpt(struct sendmail_smtp *s, const char *arg,
    struct buf *why)
{
	const char *path = sendmail_smtp_path(arg, "TO:");
	struct buf *addr = buf_new(0);

	if (!s->has_mail) {
		s->errors++;
		sendmail_smtp_reply("503 5.5.1 Error: need MAIL command");
	} else if (s->rcpts.n >= (size_t)var_smtpd_recipient_limit) {
		sendmail_smtp_reply("452 4.5.3 Error: too many recipients");
	} else if (path == NULL || sendmail_smtp_addr(path, false, addr,
	    why) < 0 || sendmail_addr_list(buf_str(addr), buf_len(addr),
	    &s->rcpts, why) < 0) {
		s->errors++;
		sendmail_smtp_reply("501 5.1.3 Bad recipient address syntax");
	} else {
		sendmail_smtp_reply("250 2.1.5 Ok");
	}
	buf_free(addr);
}

/* sendmail_smtp - the dialogue; returns the exit status */
int
sendmail_smtp(const struct sendmail_opts *o, const struct sendmail_user *u)
{
	struct sendmail_smtp s;
	struct buf *why = buf_new(0), *reply = buf_new(0);
	const char *cmd, *arg;
	int     r;

	memset(&s, 0, sizeof(s));
	s.o = o;
	s.u = u;
	s.line = buf_new(0);
	s.sender = buf_new(0);
	sendmail_rcpts_init(&s.rcpts);
	(void)buf_printf(reply, "220 %s ESMTP %s", var_myhostname,
	    var_mail_name);
	sendmail_smtp_reply(buf_str(reply));
	for (;;) {
		if (s.errors >= var_smtpd_hard_error_limit) {
			sendmail_smtp_reply("421 4.7.0 Error: too many errors");
			break;
		}
		r = sendmail_smtp_read(s.line, (size_t)var_line_length_limit);
		if (r == 1)
			break;
		if (r < 0) {
			s.errors++;
			sendmail_smtp_reply("500 5.5.0 Error: line too long");
			continue;
		}
		cmd = buf_str(s.line);
		arg = strchr(cmd, ' ');
		arg = arg != NULL ? arg + 1 : "";
		if (str_has_prefix_case(cmd, "HELO ")
		    || str_has_prefix_case(cmd, "EHLO ")) {
			buf_reset(reply);
			if (str_has_prefix_case(cmd, "EHLO"))
				(void)buf_printf(reply, "250-%s\r\n"
				    "250-PIPELINING\r\n250 8BITMIME",
				    var_myhostname);
			else
				(void)buf_printf(reply, "250 %s",
				    var_myhostname);
			sendmail_smtp_reply(buf_str(reply));
		} else if (str_has_prefix_case(cmd, "MAIL ")) {
			sendmail_smtp_mail(&s, arg, why);
		} else if (str_has_prefix_case(cmd, "RCPT ")) {
			sendmail_smtp_rcpt(&s, arg, why);
		} else if (str_casecmp(cmd, "DATA") == 0) {
			sendmail_smtp_data(&s);
		} else if (str_casecmp(cmd, "RSET") == 0) {
			sendmail_smtp_reset(&s);
			sendmail_smtp_reply("250 2.0.0 Ok");
		} else if (str_has_prefix_case(cmd, "NOOP")) {
			sendmail_smtp_reply("250 2.0.0 Ok");
		} else if (str_casecmp(cmd, "QUIT") == 0) {
			sendmail_smtp_reply("221 2.0.0 Bye");
			break;
		} else if (str_has_prefix_case(cmd, "VRFY")) {
			sendmail_smtp_reply("502 5.5.1 VRFY command is "
			    "disabled");
		} else {
			s.errors++;
			sendmail_smtp_reply("502 5.5.2 Error: command not "
			    "recognized");
		}
	}
	sendmail_smtp_reset(&s);
	buf_free(s.line);
	buf_free(s.sender);
	buf_free(why);
	buf_free(reply);
	return EX_OK;
}
