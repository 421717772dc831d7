/* smtpd_verb.c - the SMTP verbs: state checks, actions and replies
 *
 * One handler per verb, chosen from a table that also says which verbs
 * are "junk" (HELO, EHLO, NOOP, VRFY, RSET, HELP): past
 * smtpd_junk_command_limit of those, each one more counts as an error, so
 * that a client cannot keep a process busy forever with harmless
 * commands. The handlers check the session state (RFC 5321 order: HELO or
 * EHLO, MAIL, RCPT..., DATA), leave argument syntax to smtpd_cmd.c and
 * policy to smtpd_check.c, and answer with Postfix's replies and enhanced
 * status codes. A new HELO/EHLO, RSET, and the end of DATA reset the
 * transaction. VRFY never tells whether a user exists. Not offered and
 * answered "502 5.5.1 Error: command not implemented": EXPN, ETRN, BDAT
 * (CHUNKING), STARTTLS, AUTH, TURN.
 */
#include "smtpd.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"

typedef void (*smtpd_verb_fn)(struct smtpd_session *s, const char *arg);

/* smtpd_verb_hello - HELO and EHLO: remember the name, reset */
static void
smtpd_verb_hello(struct smtpd_session *s, const char *arg, bool esmtp)
{
	const char *name = esmtp ? "EHLO" : "HELO";

	if (*arg == '\0') {
		smtpd_reply(s, "501 5.5.4 Syntax: %s hostname", name);
		return;
	}
	smtpd_session_reset(s);
	free(s->helo);
	s->helo = xstrdup(log_printable(s->tmp, arg, strlen(arg),
	    strlen(arg)));
	s->esmtp = esmtp;
	if (!esmtp) {
		smtpd_reply(s, "250 %s", var_myhostname);
		return;
	}
	smtpd_reply_more(s, "250-%s", var_myhostname);
	smtpd_reply_more(s, "250-PIPELINING");
	if (var_message_size_limit > 0)
		smtpd_reply_more(s, "250-SIZE %lld", var_message_size_limit);
	else
		smtpd_reply_more(s, "250-SIZE");
	if (!var_disable_vrfy_command)
		smtpd_reply_more(s, "250-VRFY");
	smtpd_reply_more(s, "250-ENHANCEDSTATUSCODES");
	smtpd_reply_more(s, "250-8BITMIME");
	if (var_smtputf8_enable) {
		smtpd_reply_more(s, "250-DSN");
		smtpd_reply(s, "250 SMTPUTF8");
	} else {
		smtpd_reply(s, "250 DSN");
	}
}

/* smtpd_verb_helo - HELO hostname */
static void
smtpd_verb_helo(struct smtpd_session *s, const char *arg)
{
	smtpd_verb_hello(s, arg, false);
}

/* smtpd_verb_ehlo - EHLO hostname */
static void
smtpd_verb_ehlo(struct smtpd_session *s, const char *arg)
{
	smtpd_verb_hello(s, arg, true);
}

/* smtpd_verb_mail - MAIL FROM:<sender> [parameters] */
static void
smtpd_verb_mail(struct smtpd_session *s, const char *arg)
{
	if (var_smtpd_helo_required && s->helo == NULL) {
		smtpd_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->in_mail) {
		smtpd_reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (smtpd_cmd_mail(arg, &s->mail, s->reply) < 0
	    || smtpd_check_mail(s, s->reply) < 0) {
		smtpd_mail_args_reset(&s->mail);
		smtpd_reply(s, "%s", buf_str(s->reply));
		return;
	}
	s->in_mail = true;
	smtpd_reply(s, "250 2.1.0 Ok");
}

/* smtpd_verb_rcpt_add - remember an accepted recipient */
static void
smtpd_verb_rcpt_add(struct smtpd_session *s, const struct smtpd_rcpt_args *r)
{
	struct smtpd_rcpt *rc;

	if (s->nrcpts == s->rcpts_cap) {
		s->rcpts_cap = s->rcpts_cap ? 2 * s->rcpts_cap : 8;
		s->rcpts = xreallocarray(s->rcpts, s->rcpts_cap,
		    sizeof(*s->rcpts));
	}
	rc = s->rcpts + s->nrcpts++;
	rc->addr = xstrdup(buf_str(r->addr));
	rc->orcpt = buf_len(r->orcpt) ? xstrdup(buf_str(r->orcpt)) : NULL;
	rc->notify = r->notify;
}

/* smtpd_verb_rcpt - RCPT TO:<recipient> [parameters] */
static void
smtpd_verb_rcpt(struct smtpd_session *s, const char *arg)
{
	struct smtpd_rcpt_args r;

	if (!s->in_mail) {
		smtpd_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	s->rcpt_tries++;
	smtpd_rcpt_args_init(&r);
	if (smtpd_cmd_rcpt(arg, s->mail.smtputf8, &r, s->reply) < 0) {
		smtpd_reply(s, "%s", buf_str(s->reply));
	} else if (s->nrcpts >= (size_t)var_smtpd_recipient_limit) {
		smtpd_reply(s, "452 4.5.3 Error: too many recipients");
	} else if (smtpd_check_rcpt(s, buf_str(r.addr), s->reply) < 0) {
		smtpd_check_log_reject(s, "RCPT", buf_str(s->reply),
		    buf_str(r.addr));
		smtpd_reply(s, "%s", buf_str(s->reply));
	} else {
		smtpd_verb_rcpt_add(s, &r);
		smtpd_reply(s, "250 2.1.5 Ok");
	}
	smtpd_rcpt_args_free(&r);
}

/* smtpd_verb_data - DATA: state checks, then the message */
static void
smtpd_verb_data(struct smtpd_session *s, const char *arg)
{
	if (*arg != '\0') {
		smtpd_reply(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	if (!s->in_mail || (s->nrcpts == 0 && s->rcpt_tries == 0)) {
		smtpd_reply(s, "503 5.5.1 Error: need RCPT command");
		return;
	}
	if (s->nrcpts == 0) {
		smtpd_reply(s, "554 5.5.1 Error: no valid recipients");
		return;
	}
	smtpd_data(s);
}

/* smtpd_verb_rset - RSET */
static void
smtpd_verb_rset(struct smtpd_session *s, const char *arg)
{
	if (*arg != '\0') {
		smtpd_reply(s, "501 5.5.4 Syntax: RSET");
		return;
	}
	smtpd_session_reset(s);
	smtpd_reply(s, "250 2.0.0 Ok");
}

/* smtpd_verb_noop - NOOP [string] */
static void
smtpd_verb_noop(struct smtpd_session *s, const char *arg)
{
	(void)arg;
	smtpd_reply(s, "250 2.0.0 Ok");
}

/* smtpd_verb_quit - QUIT */
static void
smtpd_verb_quit(struct smtpd_session *s, const char *arg)
{
	(void)arg;
	smtpd_reply(s, "221 2.0.0 Bye");
	s->quit = true;
}

/* smtpd_verb_help - HELP [topic] */
static void
smtpd_verb_help(struct smtpd_session *s, const char *arg)
{
	(void)arg;
	smtpd_reply(s, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET "
	    "NOOP QUIT HELP VRFY");
}

/* smtpd_verb_vrfy - VRFY: never discloses whether a user exists */
static void
smtpd_verb_vrfy(struct smtpd_session *s, const char *arg)
{
	if (var_disable_vrfy_command) {
		smtpd_reply(s, "502 5.5.1 VRFY command is disabled");
		return;
	}
	if (*arg == '\0') {
		smtpd_reply(s, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	smtpd_reply(s, "252 2.0.0 Send some mail, I'll try my best");
}

/* smtpd_verb_not_implemented - verbs postern knows but does not offer */
static void
smtpd_verb_not_implemented(struct smtpd_session *s, const char *arg)
{
	(void)arg;
	smtpd_reply(s, "502 5.5.1 Error: command not implemented");
}

/* smtpd_verb_unknown - anything else */
static void
smtpd_verb_unknown(struct smtpd_session *s, const char *arg)
{
	(void)arg;
	smtpd_reply(s, "500 5.5.2 Error: command not recognized");
}

/* the dispatch table, indexed by verb: handler, counts as junk */
static const struct {
	smtpd_verb_fn fn;
	bool	junk;
} smtpd_verb_table[SMTPD_VERB_COUNT] = {
	[SMTPD_VERB_HELO] = {smtpd_verb_helo, true},
	[SMTPD_VERB_EHLO] = {smtpd_verb_ehlo, true},
	[SMTPD_VERB_STARTTLS] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_AUTH] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_MAIL] = {smtpd_verb_mail, false},
	[SMTPD_VERB_RCPT] = {smtpd_verb_rcpt, false},
	[SMTPD_VERB_DATA] = {smtpd_verb_data, false},
	[SMTPD_VERB_BDAT] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_RSET] = {smtpd_verb_rset, true},
	[SMTPD_VERB_NOOP] = {smtpd_verb_noop, true},
	[SMTPD_VERB_VRFY] = {smtpd_verb_vrfy, true},
	[SMTPD_VERB_EXPN] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_ETRN] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_TURN] = {smtpd_verb_not_implemented, false},
	[SMTPD_VERB_HELP] = {smtpd_verb_help, true},
	[SMTPD_VERB_QUIT] = {smtpd_verb_quit, false},
	[SMTPD_VERB_UNKNOWN] = {smtpd_verb_unknown, false},
};

/* smtpd_verb_run - execute one parsed command */
void
smtpd_verb_run(struct smtpd_session *s, const struct smtpd_cmd *c)
{
	if ((unsigned)c->verb >= SMTPD_VERB_COUNT)
		log_panic("smtpd_verb_run: bad verb %d", (int)c->verb);
	if (smtpd_verb_table[c->verb].junk
	    && ++s->junk > var_smtpd_junk_command_limit)
		s->errors++;
	smtpd_verb_table[c->verb].fn(s, c->arg);
}
