/* smtpd_cmd_test.c - unit tests of smtpd's command-line parser
 *
 * Table-driven: verbs (case, white space, unknown and over-long verbs),
 * MAIL FROM and RCPT TO paths with every ESMTP parameter smtpd supports
 * (SIZE BODY SMTPUTF8 RET ENVID NOTIFY ORCPT), bad syntax with the exact
 * reply, duplicate and misplaced parameters, the SMTPUTF8 rules for 8-bit
 * addresses, and xtext decoding. Linked with smtpd's objects (not
 * smtpd.o) and util/.
 */
#include "../../smtpd/smtpd.h"
#include "buf.h"
#include "params.h"
#include "rec_type.h"
#include "tap.h"

struct verb_case {
	const char *name;
	const char *line;
	enum smtpd_verb verb;
	const char *arg;
};

static const struct verb_case verb_cases[] = {
	{"HELO", "HELO client.example", SMTPD_VERB_HELO, "client.example"},
	{"lower case", "helo client.example", SMTPD_VERB_HELO,
	    "client.example"},
	{"mixed case, spaces", "eHlO   c.example  ", SMTPD_VERB_EHLO,
	    "c.example"},
	{"tab separator", "NOOP\tx y", SMTPD_VERB_NOOP, "x y"},
	{"leading space", "  QUIT", SMTPD_VERB_QUIT, ""},
	{"MAIL keeps FROM:", "MAIL FROM:<a@b>", SMTPD_VERB_MAIL,
	    "FROM:<a@b>"},
	{"RCPT", "rcpt to:<a@b> NOTIFY=NEVER", SMTPD_VERB_RCPT,
	    "to:<a@b> NOTIFY=NEVER"},
	{"DATA", "DATA", SMTPD_VERB_DATA, ""},
	{"RSET", "RSET", SMTPD_VERB_RSET, ""},
	{"VRFY", "VRFY root", SMTPD_VERB_VRFY, "root"},
	{"EXPN", "EXPN staff", SMTPD_VERB_EXPN, "staff"},
	{"ETRN", "ETRN example.com", SMTPD_VERB_ETRN, "example.com"},
	{"BDAT", "BDAT 3 LAST", SMTPD_VERB_BDAT, "3 LAST"},
	{"STARTTLS", "starttls", SMTPD_VERB_STARTTLS, ""},
	{"AUTH", "AUTH PLAIN", SMTPD_VERB_AUTH, "PLAIN"},
	{"TURN", "TURN", SMTPD_VERB_TURN, ""},
	{"HELP", "HELP me", SMTPD_VERB_HELP, "me"},
	{"unknown verb", "FOO bar", SMTPD_VERB_UNKNOWN, "bar"},
	{"verb with suffix", "HELOX a", SMTPD_VERB_UNKNOWN, "a"},
	{"verb prefix", "HEL a", SMTPD_VERB_UNKNOWN, "a"},
	{"empty line", "", SMTPD_VERB_UNKNOWN, ""},
	{"only spaces", "   ", SMTPD_VERB_UNKNOWN, ""},
	{"over-long verb", "MAILMAILMAILMAILMAIL x", SMTPD_VERB_UNKNOWN, "x"},
	{"8-bit verb", "H\xc3\x89LO x", SMTPD_VERB_UNKNOWN, "x"},
};

/* what to expect from a MAIL or RCPT argument */
struct path_case {
	const char *name;
	bool	rcpt;		/* RCPT TO (else MAIL FROM) */
	bool	utf8;		/* RCPT: the MAIL had SMTPUTF8 */
	bool	utf8_off;	/* smtputf8_enable = no */
	const char *arg;
	const char *reply;	/* NULL: accepted */
	const char *addr;
	long long size;
	enum smtpd_body body;
	bool	smtputf8;
	enum smtpd_ret ret;
	const char *envid;	/* NULL: absent */
	int	notify;
	const char *orcpt;	/* "" absent */
};

#define OK	NULL
#define SYN_MAIL "501 5.5.4 Syntax: MAIL FROM:<address>"
#define SYN_RCPT "501 5.5.4 Syntax: RCPT TO:<address>"
#define BAD_FROM "501 5.1.7 Bad sender address syntax"
#define BAD_TO	"501 5.1.3 Bad recipient address syntax"
#define BAD_SIZE "501 5.5.4 Bad message size syntax"
#define BAD_RET	"501 5.5.4 Bad RET parameter syntax"
#define BAD_ENVID "501 5.5.4 Bad ENVID parameter syntax"
#define BAD_NOTIFY "501 5.5.4 Error: Bad NOTIFY parameter syntax"
#define BAD_ORCPT "501 5.5.4 Error: Bad ORCPT parameter syntax"
#define NEED_UTF8 "553 5.6.7 Must declare SMTPUTF8 to send unicode address"
#define UNSUP	"555 5.5.4 Unsupported option: "
#define N	SMTPD_BODY_NONE
#define R	SMTPD_RET_NONE
#define E100	"0123456789012345678901234567890123456789" \
		"0123456789012345678901234567890123456789" \
		"01234567890123456789"

static const struct path_case path_cases[] = {
	/* MAIL paths */
	{"sender", 0, 0, 0, "FROM:<a@b.example>", OK, "a@b.example", -1, N,
	    0, R, NULL, 0, ""},
	{"from: lower case", 0, 0, 0, "from:<a@b.example>", OK,
	    "a@b.example", -1, N, 0, R, NULL, 0, ""},
	{"space after FROM:", 0, 0, 0, "FROM: <a@b.example>", OK,
	    "a@b.example", -1, N, 0, R, NULL, 0, ""},
	{"null sender", 0, 0, 0, "FROM:<>", OK, "", -1, N, 0, R, NULL, 0,
	    ""},
	{"unqualified sender", 0, 0, 0, "FROM:<alice>", OK, "alice", -1, N,
	    0, R, NULL, 0, ""},
	{"no FROM:", 0, 0, 0, "<a@b.example>", SYN_MAIL, "", -1, N, 0, R,
	    NULL, 0, ""},
	{"FROM: without path", 0, 0, 0, "FROM:", SYN_MAIL, "", -1, N, 0, R,
	    NULL, 0, ""},
	{"empty argument", 0, 0, 0, "", SYN_MAIL, "", -1, N, 0, R, NULL, 0,
	    ""},
	{"TO: in MAIL", 0, 0, 0, "TO:<a@b.example>", SYN_MAIL, "", -1, N, 0,
	    R, NULL, 0, ""},
	{"unclosed path", 0, 0, 0, "FROM:<a@b.example", BAD_FROM, "", -1, N,
	    0, R, NULL, 0, ""},
	{"parameter glued to path", 0, 0, 0, "FROM:<a@b.example>SIZE=1",
	    BAD_FROM, "", -1, N, 0, R, NULL, 0, ""},
	/* SIZE */
	{"SIZE", 0, 0, 0, "FROM:<a@b.example> SIZE=1000", OK, "a@b.example",
	    1000, N, 0, R, NULL, 0, ""},
	{"SIZE=0, lower case", 0, 0, 0, "FROM:<a@b.example> size=0", OK,
	    "a@b.example", 0, N, 0, R, NULL, 0, ""},
	{"SIZE huge", 0, 0, 0, "FROM:<a@b.example> SIZE=999999999999", OK,
	    "a@b.example", 999999999999LL, N, 0, R, NULL, 0, ""},
	{"SIZE not a number", 0, 0, 0, "FROM:<a@b.example> SIZE=abc",
	    BAD_SIZE, "", -1, N, 0, R, NULL, 0, ""},
	{"SIZE negative", 0, 0, 0, "FROM:<a@b.example> SIZE=-1", BAD_SIZE,
	    "", -1, N, 0, R, NULL, 0, ""},
	{"SIZE overflow", 0, 0, 0,
	    "FROM:<a@b.example> SIZE=99999999999999999999999", BAD_SIZE, "",
	    -1, N, 0, R, NULL, 0, ""},
	{"SIZE empty", 0, 0, 0, "FROM:<a@b.example> SIZE=", BAD_SIZE, "", -1,
	    N, 0, R, NULL, 0, ""},
	{"SIZE without value", 0, 0, 0, "FROM:<a@b.example> SIZE",
	    UNSUP "SIZE", "", -1, N, 0, R, NULL, 0, ""},
	{"SIZE twice", 0, 0, 0, "FROM:<a@b.example> SIZE=1 SIZE=2", BAD_SIZE,
	    "", -1, N, 0, R, NULL, 0, ""},
	/* BODY */
	{"BODY=8BITMIME", 0, 0, 0, "FROM:<a@b.example> BODY=8BITMIME", OK,
	    "a@b.example", -1, SMTPD_BODY_8BITMIME, 0, R, NULL, 0, ""},
	{"BODY=7bit", 0, 0, 0, "FROM:<a@b.example> body=7bit", OK,
	    "a@b.example", -1, SMTPD_BODY_7BIT, 0, R, NULL, 0, ""},
	{"BODY=BINARYMIME", 0, 0, 0, "FROM:<a@b.example> BODY=BINARYMIME",
	    UNSUP "BODY=BINARYMIME", "", -1, N, 0, R, NULL, 0, ""},
	/* SMTPUTF8 */
	{"SMTPUTF8", 0, 0, 0, "FROM:<a@b.example> SMTPUTF8", OK,
	    "a@b.example", -1, N, 1, R, NULL, 0, ""},
	{"SMTPUTF8 with a value", 0, 0, 0, "FROM:<a@b.example> SMTPUTF8=yes",
	    UNSUP "SMTPUTF8=yes", "", -1, N, 0, R, NULL, 0, ""},
	{"SMTPUTF8 disabled", 0, 0, 1, "FROM:<a@b.example> SMTPUTF8",
	    UNSUP "SMTPUTF8", "", -1, N, 0, R, NULL, 0, ""},
	{"8-bit sender without SMTPUTF8", 0, 0, 0,
	    "FROM:<\xc3\xa9t\xc3\xa9@b.example>", NEED_UTF8, "", -1, N, 0, R,
	    NULL, 0, ""},
	{"8-bit sender with SMTPUTF8", 0, 0, 0,
	    "FROM:<\xc3\xa9t\xc3\xa9@b.example> SMTPUTF8", OK,
	    "\xc3\xa9t\xc3\xa9@b.example", -1, N, 1, R, NULL, 0, ""},
	/* RET and ENVID */
	{"RET=FULL", 0, 0, 0, "FROM:<a@b.example> RET=FULL", OK,
	    "a@b.example", -1, N, 0, SMTPD_RET_FULL, NULL, 0, ""},
	{"RET=hdrs", 0, 0, 0, "FROM:<a@b.example> RET=hdrs", OK,
	    "a@b.example", -1, N, 0, SMTPD_RET_HDRS, NULL, 0, ""},
	{"RET bad", 0, 0, 0, "FROM:<a@b.example> RET=ALL", BAD_RET, "", -1,
	    N, 0, R, NULL, 0, ""},
	{"RET twice", 0, 0, 0, "FROM:<a@b.example> RET=FULL RET=HDRS",
	    BAD_RET, "", -1, N, 0, R, NULL, 0, ""},
	{"ENVID xtext", 0, 0, 0, "FROM:<a@b.example> ENVID=abc+2Bdef", OK,
	    "a@b.example", -1, N, 0, R, "abc+def", 0, ""},
	{"ENVID of 100 octets", 0, 0, 0, "FROM:<a@b.example> ENVID=" E100,
	    OK, "a@b.example", -1, N, 0, R, E100, 0, ""},
	{"ENVID of 101 octets", 0, 0, 0, "FROM:<a@b.example> ENVID=" E100 "x",
	    BAD_ENVID, "", -1, N, 0, R, NULL, 0, ""},
	{"ENVID cut hex", 0, 0, 0, "FROM:<a@b.example> ENVID=ab+2", BAD_ENVID,
	    "", -1, N, 0, R, NULL, 0, ""},
	{"ENVID bad hex", 0, 0, 0, "FROM:<a@b.example> ENVID=a+ZZ",
	    BAD_ENVID, "", -1, N, 0, R, NULL, 0, ""},
	{"ENVID decodes to CR", 0, 0, 0, "FROM:<a@b.example> ENVID=a+0Db",
	    BAD_ENVID, "", -1, N, 0, R, NULL, 0, ""},
	{"ENVID empty", 0, 0, 0, "FROM:<a@b.example> ENVID=", BAD_ENVID, "",
	    -1, N, 0, R, NULL, 0, ""},
	{"all MAIL parameters", 0, 0, 0, "FROM:<a@b.example> SIZE=5 "
	    "BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ   ", OK, "a@b.example",
	    5, SMTPD_BODY_8BITMIME, 1, SMTPD_RET_HDRS, "QQ", 0, ""},
	/* parameters in the wrong place or unknown */
	{"unknown parameter", 0, 0, 0, "FROM:<a@b.example> FOO=1",
	    UNSUP "FOO=1", "", -1, N, 0, R, NULL, 0, ""},
	{"NOTIFY in MAIL", 0, 0, 0, "FROM:<a@b.example> NOTIFY=NEVER",
	    UNSUP "NOTIFY=NEVER", "", -1, N, 0, R, NULL, 0, ""},
	{"empty keyword", 0, 0, 0, "FROM:<a@b.example> =x", UNSUP "=x", "",
	    -1, N, 0, R, NULL, 0, ""},
	{"bad keyword character", 0, 0, 0, "FROM:<a@b.example> SI_ZE=1",
	    UNSUP "SI_ZE=1", "", -1, N, 0, R, NULL, 0, ""},
	{"'=' in value", 0, 0, 0, "FROM:<a@b.example> SIZE=1=2",
	    UNSUP "SIZE=1=2", "", -1, N, 0, R, NULL, 0, ""},
	{"control character echoed safely", 0, 0, 0,
	    "FROM:<a@b.example> X\001Y", UNSUP "X?Y", "", -1, N, 0, R, NULL,
	    0, ""},
	/* RCPT paths */
	{"recipient", 1, 0, 0, "TO:<u@example.com>", OK, "u@example.com", -1,
	    N, 0, R, NULL, 0, ""},
	{"to: lower case, space", 1, 0, 0, "to: <u@example.com>", OK,
	    "u@example.com", -1, N, 0, R, NULL, 0, ""},
	{"bare postmaster", 1, 0, 0, "TO:<Postmaster>", OK, "Postmaster", -1,
	    N, 0, R, NULL, 0, ""},
	{"null recipient", 1, 0, 0, "TO:<>", BAD_TO, "", -1, N, 0, R, NULL,
	    0, ""},
	{"no TO:", 1, 0, 0, "<u@example.com>", SYN_RCPT, "", -1, N, 0, R,
	    NULL, 0, ""},
	{"FROM: in RCPT", 1, 0, 0, "FROM:<u@example.com>", SYN_RCPT, "", -1,
	    N, 0, R, NULL, 0, ""},
	{"unclosed recipient", 1, 0, 0, "TO:<u@example.com", BAD_TO, "", -1,
	    N, 0, R, NULL, 0, ""},
	{"8-bit recipient without SMTPUTF8", 1, 0, 0,
	    "TO:<\xc3\xa9@example.com>", NEED_UTF8, "", -1, N, 0, R, NULL, 0,
	    ""},
	{"8-bit recipient with SMTPUTF8", 1, 1, 0,
	    "TO:<\xc3\xa9@example.com>", OK, "\xc3\xa9@example.com", -1, N, 0,
	    R, NULL, 0, ""},
	/* NOTIFY */
	{"NOTIFY=NEVER", 1, 0, 0, "TO:<u@example.com> NOTIFY=NEVER", OK,
	    "u@example.com", -1, N, 0, R, NULL, REC_NOTIFY_NEVER, ""},
	{"NOTIFY=SUCCESS,FAILURE", 1, 0, 0,
	    "TO:<u@example.com> NOTIFY=SUCCESS,FAILURE", OK, "u@example.com",
	    -1, N, 0, R, NULL, REC_NOTIFY_SUCCESS | REC_NOTIFY_FAILURE, ""},
	{"NOTIFY all three, lower case", 1, 0, 0,
	    "TO:<u@example.com> notify=delay,success,failure", OK,
	    "u@example.com", -1, N, 0, R, NULL,
	    REC_NOTIFY_SUCCESS | REC_NOTIFY_FAILURE | REC_NOTIFY_DELAY, ""},
	{"NOTIFY NEVER with others", 1, 0, 0,
	    "TO:<u@example.com> NOTIFY=NEVER,SUCCESS", BAD_NOTIFY, "", -1, N,
	    0, R, NULL, 0, ""},
	{"NOTIFY empty item", 1, 0, 0,
	    "TO:<u@example.com> NOTIFY=SUCCESS,,DELAY", BAD_NOTIFY, "", -1, N,
	    0, R, NULL, 0, ""},
	{"NOTIFY trailing comma", 1, 0, 0,
	    "TO:<u@example.com> NOTIFY=SUCCESS,", BAD_NOTIFY, "", -1, N, 0, R,
	    NULL, 0, ""},
	{"NOTIFY unknown word", 1, 0, 0, "TO:<u@example.com> NOTIFY=ALWAYS",
	    BAD_NOTIFY, "", -1, N, 0, R, NULL, 0, ""},
	{"NOTIFY empty", 1, 0, 0, "TO:<u@example.com> NOTIFY=", BAD_NOTIFY,
	    "", -1, N, 0, R, NULL, 0, ""},
	{"NOTIFY twice", 1, 0, 0,
	    "TO:<u@example.com> NOTIFY=NEVER NOTIFY=NEVER", BAD_NOTIFY, "",
	    -1, N, 0, R, NULL, 0, ""},
	/* ORCPT */
	{"ORCPT xtext", 1, 0, 0, "TO:<u@example.com> ORCPT=rfc822;u+40x.org",
	    OK, "u@example.com", -1, N, 0, R, NULL, 0, "rfc822;u@x.org"},
	{"ORCPT type case", 1, 0, 0, "TO:<u@example.com> ORCPT=RFC822;a@b",
	    OK, "u@example.com", -1, N, 0, R, NULL, 0, "rfc822;a@b"},
	{"ORCPT other type", 1, 0, 0, "TO:<u@example.com> ORCPT=x-local;foo",
	    OK, "u@example.com", -1, N, 0, R, NULL, 0, "x-local;foo"},
	{"ORCPT with NOTIFY", 1, 0, 0, "TO:<u@example.com> ORCPT=rfc822;a@b "
	    "NOTIFY=FAILURE", OK, "u@example.com", -1, N, 0, R, NULL,
	    REC_NOTIFY_FAILURE, "rfc822;a@b"},
	{"ORCPT without type", 1, 0, 0, "TO:<u@example.com> ORCPT=;a@b",
	    BAD_ORCPT, "", -1, N, 0, R, NULL, 0, ""},
	{"ORCPT without ';'", 1, 0, 0, "TO:<u@example.com> ORCPT=rfc822",
	    BAD_ORCPT, "", -1, N, 0, R, NULL, 0, ""},
	{"ORCPT without address", 1, 0, 0, "TO:<u@example.com> ORCPT=rfc822;",
	    BAD_ORCPT, "", -1, N, 0, R, NULL, 0, ""},
	{"ORCPT bad type", 1, 0, 0, "TO:<u@example.com> ORCPT=rf_c;a@b",
	    BAD_ORCPT, "", -1, N, 0, R, NULL, 0, ""},
	{"ORCPT decodes to CR", 1, 0, 0,
	    "TO:<u@example.com> ORCPT=rfc822;a+0Db", BAD_ORCPT, "", -1, N, 0,
	    R, NULL, 0, ""},
	{"ORCPT twice", 1, 0, 0,
	    "TO:<u@example.com> ORCPT=rfc822;a@b ORCPT=rfc822;a@b", BAD_ORCPT,
	    "", -1, N, 0, R, NULL, 0, ""},
	{"SIZE in RCPT", 1, 0, 0, "TO:<u@example.com> SIZE=1",
	    UNSUP "SIZE=1", "", -1, N, 0, R, NULL, 0, ""},
};

struct xtext_case {
	const char *name;
	const char *in;
	const char *want;	/* NULL: bad syntax */
};

static const struct xtext_case xtext_cases[] = {
	{"plain", "abc", "abc"},
	{"empty", "", ""},
	{"plus", "a+2Bb", "a+b"},
	{"lower-case hex", "+2b", "+"},
	{"letter", "+41+42", "AB"},
	{"cut after plus", "ab+", NULL},
	{"cut after one digit", "ab+4", NULL},
	{"bad hex", "+G1", NULL},
	{"equals sign", "a=b", NULL},
	{"space", "a b", NULL},
	{"8-bit", "\xc3\xa9", NULL},
};

/* check_path - run one MAIL or RCPT case; returns whether it passed */
static bool
check_path(const struct path_case *c, struct smtpd_mail_args *m,
    struct smtpd_rcpt_args *r, struct buf *reply)
{
	char    line[1024];
	int     ret;

	(void)snprintf(line, sizeof(line), "%s", c->arg);
	var_smtputf8_enable = !c->utf8_off;
	if (c->rcpt)
		ret = smtpd_cmd_rcpt(line, c->utf8, r, reply);
	else
		ret = smtpd_cmd_mail(line, m, reply);
	if (c->reply != NULL) {
		if (ret != -1 || strcmp(buf_str(reply), c->reply) != 0) {
			diag("got %d \"%s\", want \"%s\"", ret, buf_str(reply),
			    c->reply);
			return false;
		}
		return true;
	}
	if (ret != 0) {
		diag("rejected: %s", buf_str(reply));
		return false;
	}
	if (c->rcpt) {
		if (strcmp(buf_str(r->addr), c->addr) != 0
		    || r->notify != c->notify
		    || strcmp(buf_str(r->orcpt), c->orcpt) != 0) {
			diag("got <%s> notify %d orcpt \"%s\"",
			    buf_str(r->addr), r->notify, buf_str(r->orcpt));
			return false;
		}
		return true;
	}
	if (strcmp(buf_str(m->addr), c->addr) != 0 || m->size != c->size
	    || m->body != c->body || m->smtputf8 != c->smtputf8
	    || m->ret != c->ret || m->has_envid != (c->envid != NULL)
	    || (c->envid && strcmp(buf_str(m->envid), c->envid) != 0)) {
		diag("got <%s> size %lld body %d utf8 %d ret %d envid %s",
		    buf_str(m->addr), m->size, (int)m->body, (int)m->smtputf8,
		    (int)m->ret, m->has_envid ? buf_str(m->envid) : "-");
		return false;
	}
	return true;
}

int
main(void)
{
	struct smtpd_mail_args m;
	struct smtpd_rcpt_args r;
	struct smtpd_cmd cmd;
	struct buf *reply = buf_new(0), *out = buf_new(0);
	char    line[256];
	size_t  i;
	int     ret;

	plan((int)(SYS_ARRAY_LEN(verb_cases) + SYS_ARRAY_LEN(path_cases)
	    + SYS_ARRAY_LEN(xtext_cases) + 2));
	for (i = 0; i < SYS_ARRAY_LEN(verb_cases); i++) {
		const struct verb_case *c = verb_cases + i;

		(void)snprintf(line, sizeof(line), "%s", c->line);
		smtpd_cmd_parse(line, &cmd);
		if (!ok(cmd.verb == c->verb && strcmp(cmd.arg, c->arg) == 0,
		    "verb: %s", c->name))
			diag("got %s \"%s\", want %s \"%s\"",
			    smtpd_cmd_name(cmd.verb), cmd.arg,
			    smtpd_cmd_name(c->verb), c->arg);
	}
	smtpd_mail_args_init(&m);
	smtpd_rcpt_args_init(&r);
	for (i = 0; i < SYS_ARRAY_LEN(path_cases); i++)
		ok(check_path(path_cases + i, &m, &r, reply), "%s: %s",
		    path_cases[i].rcpt ? "RCPT" : "MAIL", path_cases[i].name);
	for (i = 0; i < SYS_ARRAY_LEN(xtext_cases); i++) {
		const struct xtext_case *c = xtext_cases + i;

		ret = smtpd_cmd_xtext(c->in, strlen(c->in), out);
		if (!ok(c->want ? ret == 0
		    && strcmp(buf_str(out), c->want) == 0 : ret == -1,
		    "xtext: %s", c->name))
			diag("got %d \"%s\"", ret, buf_str(out));
	}
	/* a failed MAIL leaves no half-parsed state behind */
	var_smtputf8_enable = true;
	(void)snprintf(line, sizeof(line), "FROM:<a@b.example> SIZE=9 RET=X");
	ret = smtpd_cmd_mail(line, &m, reply);
	ok(ret == -1 && m.size == -1 && buf_len(m.addr) == 0,
	    "failed MAIL resets the arguments");
	is_str(smtpd_cmd_name(SMTPD_VERB_UNKNOWN), "unknown",
	    "name of the unknown verb");
	smtpd_mail_args_free(&m);
	smtpd_rcpt_args_free(&r);
	buf_free(reply);
	buf_free(out);
	return done();
}
