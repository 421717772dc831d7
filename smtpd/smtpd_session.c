/* smtpd_session.c - one SMTP session: set-up, command loop, state, end
 *
 * smtpd_service is the server_run_single callback: it gets a connected
 * socket, learns the client's address (getpeername; never a DNS lookup:
 * the client name is always "unknown"), logs "connect from", sends the
 * greeting, runs the command loop and logs Postfix's "disconnect from"
 * line with the per-command counters before it closes the socket.
 *
 * Input: command lines from the client (untrusted). Limits: each line
 * at most line_length_limit bytes (the rest of a longer line is read and
 * thrown away, then "500 5.5.0 Error: line too long"); every read waits at
 * most smtpd_timeout (then 421 4.4.2 and the end); a NUL byte makes the
 * line unrecognizable (500 5.5.2); a line ending in a bare LF is taken as
 * a line with normalize, and ends the session with 521 when
 * smtpd_forbid_bare_newline = yes; once the session has made
 * smtpd_hard_error_limit errors it is closed with 421 4.7.0. A line cut
 * off by the end of input is never executed.
 *
 * The session owns the transaction state (smtpd_session_reset forgets
 * it), and the connection to cleanup, which is kept from one message to
 * the next and closed at the end.
 */
#include "smtpd.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "server.h"
#include "str.h"
#include "stream.h"

#include <arpa/inet.h>

#define SMTPD_LINE_SLACK	16	/* buffer room past the line limit */

/* smtpd_session_addr - the client's address in text, Postfix-style:
 * IPv4-mapped IPv6 addresses are shown (and matched) as IPv4; a socket
 * without an IP address (or a client already gone) is "unknown" */
static void
smtpd_session_addr(struct smtpd_session *s, int fd)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin;
	struct sockaddr_in6 *sin6;
	socklen_t len = sizeof(ss);
	const char *fmt = "[%s]";

	memset(&s->sa, 0, sizeof(s->sa));
	s->sa.ss_family = AF_UNSPEC;
	(void)str_copy(s->addr, sizeof(s->addr), "unknown");
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
		log_warn("getpeername: %m");
	} else if (ss.ss_family == AF_INET6) {
		sin6 = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			sin = (struct sockaddr_in *)&s->sa;
			sin->sin_family = AF_INET;
			sin->sin_port = sin6->sin6_port;
			memcpy(&sin->sin_addr, sin6->sin6_addr.s6_addr + 12,
			    4);
		} else {
			memcpy(&s->sa, sin6, sizeof(*sin6));
			fmt = "[IPv6:%s]";
		}
	} else if (ss.ss_family == AF_INET) {
		memcpy(&s->sa, &ss, sizeof(struct sockaddr_in));
	}
	if (s->sa.ss_family == AF_INET)
		(void)inet_ntop(AF_INET,
		    &((struct sockaddr_in *)&s->sa)->sin_addr, s->addr,
		    sizeof(s->addr));
	else if (s->sa.ss_family == AF_INET6)
		(void)inet_ntop(AF_INET6,
		    &((struct sockaddr_in6 *)&s->sa)->sin6_addr, s->addr,
		    sizeof(s->addr));
	(void)snprintf(s->namaddr, sizeof(s->namaddr), "unknown[%s]",
	    s->addr);
	(void)snprintf(s->rcvd_addr, sizeof(s->rcvd_addr), fmt, s->addr);
}

/* smtpd_session_reset - forget the mail transaction (MAIL, RCPTs) */
void
smtpd_session_reset(struct smtpd_session *s)
{
	size_t  i;

	for (i = 0; i < s->nrcpts; i++) {
		free(s->rcpts[i].addr);
		free(s->rcpts[i].orcpt);
	}
	s->nrcpts = 0;
	s->rcpt_tries = 0;
	s->in_mail = false;
	smtpd_mail_args_reset(&s->mail);
	s->queue_id[0] = '\0';
}

/* smtpd_protocol - SMTP, ESMTP or UTF8ESMTP, for logs and Received */
const char *
smtpd_protocol(const struct smtpd_session *s)
{
	if (!s->esmtp)
		return "SMTP";
	return s->in_mail && s->mail.smtputf8 ? "UTF8ESMTP" : "ESMTP";
}

/* smtpd_session_lost - log the end of input or a timeout; a timed-out
 * client still gets its 421 */
static void
smtpd_session_lost(struct smtpd_session *s)
{
	if (stream_timed_out(s->stream)) {
		log_info("timeout after %s from %s", s->where, s->namaddr);
		smtpd_reply(s, "421 4.4.2 %s Error: timeout exceeded",
		    var_myhostname);
	} else {
		log_info("lost connection after %s from %s", s->where,
		    s->namaddr);
	}
	s->quit = true;
}

/* smtpd_session_read - read the next command line into s->line; 0 ok,
 * 1 the line was answered here (too long, NUL, bare LF), -1 end of the
 * session */
static int
smtpd_session_read(struct smtpd_session *s)
{
	enum stream_result r;
	enum stream_end end;
	bool    too_long = false;

	for (;;) {
		r = stream_get_line(s->stream, s->line,
		    (size_t)var_line_length_limit, &end);
		if (r == STREAM_EOF || r == STREAM_ERROR
		    || (r == STREAM_LINE && end == STREAM_END_NONE)) {
			smtpd_session_lost(s);
			return -1;
		}
		if (r == STREAM_LINE)
			break;
		too_long = true;	/* STREAM_LONG: skip to the line end */
	}
	if (log_verbose)
		log_debug("< %s: %s", s->namaddr, log_printable(s->tmp,
		    buf_str(s->line), buf_len(s->line), 200));
	if (end == STREAM_END_LF && smtpd_check_forbid_bare_lf()) {
		log_info("bare <LF> received after %s from %s", s->where,
		    s->namaddr);
		smtpd_reply(s, "521 5.5.2 %s Error: bare <LF> received",
		    var_myhostname);
		s->quit = true;
		return -1;
	}
	if (too_long) {
		smtpd_reply(s, "500 5.5.0 Error: line too long");
		return 1;
	}
	if (memchr(buf_str(s->line), '\0', buf_len(s->line)) != NULL) {
		smtpd_reply(s, "500 5.5.2 Error: command not recognized");
		return 1;
	}
	return 0;
}

/* smtpd_session_where - upper-case verb for "lost connection after X" */
static const char *
smtpd_session_where(enum smtpd_verb verb)
{
	static const char *const names[SMTPD_VERB_COUNT] = {
		"HELO", "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
		"BDAT", "RSET", "NOOP", "VRFY", "EXPN", "ETRN", "TURN",
		"HELP", "QUIT", "UNKNOWN",
	};

	return names[verb];
}

/* smtpd_session_loop - read and execute commands until QUIT, the end of
 * input, a timeout or too many errors */
static void
smtpd_session_loop(struct smtpd_session *s)
{
	struct smtpd_cmd cmd;
	int     r;

	while (!s->quit) {
		if (s->errors >= var_smtpd_hard_error_limit) {
			log_info("too many errors after %s from %s", s->where,
			    s->namaddr);
			smtpd_reply(s, "421 4.7.0 %s Error: too many errors",
			    var_myhostname);
			return;
		}
		if (smtpd_reply_flush_if_idle(s) < 0) {
			log_info("lost connection after %s from %s", s->where,
			    s->namaddr);
			return;
		}
		s->cmd_failed = false;
		r = smtpd_session_read(s);
		if (r < 0)
			return;
		if (r > 0) {
			s->where = "UNKNOWN";
			s->total[SMTPD_VERB_UNKNOWN]++;
			continue;
		}
		smtpd_cmd_parse(s->line->data, &cmd);
		s->where = smtpd_session_where(cmd.verb);
		s->total[cmd.verb]++;
		smtpd_verb_run(s, &cmd);
		if (!s->cmd_failed)
			s->okay[cmd.verb]++;
	}
}

/* smtpd_session_disconnect - Postfix's "disconnect from" line: each
 * command used, as ok or ok/total when some failed, then all commands */
static void
smtpd_session_disconnect(struct smtpd_session *s)
{
	unsigned long ok = 0, total = 0;
	int     v;

	buf_reset(s->tmp);
	for (v = 0; v < SMTPD_VERB_COUNT; v++) {
		if (s->total[v] == 0)
			continue;
		ok += s->okay[v];
		total += s->total[v];
		if (s->okay[v] == s->total[v])
			(void)buf_printf(s->tmp, " %s=%lu", smtpd_cmd_name(v),
			    s->total[v]);
		else
			(void)buf_printf(s->tmp, " %s=%lu/%lu",
			    smtpd_cmd_name(v), s->okay[v], s->total[v]);
	}
	if (ok == total)
		(void)buf_printf(s->tmp, " commands=%lu", total);
	else
		(void)buf_printf(s->tmp, " commands=%lu/%lu", ok, total);
	log_info("disconnect from %s%s", s->namaddr, buf_str(s->tmp));
}

/* smtpd_service - serve one SMTP connection, then close it */
void
smtpd_service(int fd)
{
	struct smtpd_session *s;

	s = xcalloc(1, sizeof(*s));
	s->line = buf_new((var_line_length_limit > SMTPD_DATA_PIECE
	    ? (size_t)var_line_length_limit : SMTPD_DATA_PIECE)
	    + SMTPD_LINE_SLACK);
	s->reply = buf_new(0);
	s->out = buf_new(0);
	s->tmp = buf_new(0);
	smtpd_mail_args_init(&s->mail);
	s->where = "CONNECT";
	smtpd_session_addr(s, fd);
	s->stream = stream_open(fd, (int)(var_smtpd_timeout * 1000));
	log_info("connect from %s", s->namaddr);

	smtpd_reply(s, "220 %s", var_smtpd_banner);
	smtpd_session_loop(s);
	(void)smtpd_reply_flush(s);	/* the client may be gone: fine */

	smtpd_cleanup_close(s);
	smtpd_session_disconnect(s);
	smtpd_session_reset(s);
	free(s->rcpts);
	free(s->helo);
	smtpd_mail_args_free(&s->mail);
	buf_free(s->line);
	buf_free(s->reply);
	buf_free(s->out);
	buf_free(s->tmp);
	stream_free(s->stream);	/* closes fd */
	free(s);
	if (smtpd_maps_changed()) {
		log_info("a lookup table changed: exiting after this "
		    "session");
		server_exit_after_this();
	}
}
