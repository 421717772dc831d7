/* smtpd_cmd.c - parsing SMTP command lines and ESMTP parameters
 *
 * Input: one command line from the SMTP client (untrusted), terminator
 * removed, already checked by the session loop for length
 * (line_length_limit) and NUL bytes. smtpd_cmd_parse splits it into a verb,
 * looked up case-insensitively in a table, and an argument with the
 * surrounding white space removed. smtpd_cmd_mail and smtpd_cmd_rcpt parse
 * "FROM:<path> PARAMS" and "TO:<path> PARAMS": the path through
 * addr_parse_path (util/addr.c, which owns the address limits), then the
 * ESMTP parameters with a small state machine (keyword, '=', value) and a
 * parameter table (a syntax check step, then an action per keyword).
 * Limits: ENVID at most SMTPD_ENVID_MAX, ORCPT at most SMTPD_ORCPT_MAX
 * octets (RFC 3461); SIZE up to LLONG_MAX. Errors come back as the whole
 * reply line, enhanced code included, so that the tests can compare them;
 * peer text echoed in a reply is made printable and cut at SMTPD_ECHO_MAX.
 *
 * Nothing here looks at the session or at policy (message_size_limit,
 * nested MAIL, relaying): that is smtpd_verb.c's and smtpd_check.c's job.
 */
#include "smtpd.h"
#include "addr.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "rec_type.h"
#include "str.h"

#define SMTPD_CMD_ARG_MAX	(64 * 1024)	/* buffer maximum */

/* the verb table: upper-case name, verb */
static const struct {
	const char *name;
	enum smtpd_verb verb;
} smtpd_cmd_verbs[] = {
	{"HELO", SMTPD_VERB_HELO},
	{"EHLO", SMTPD_VERB_EHLO},
	{"MAIL", SMTPD_VERB_MAIL},
	{"RCPT", SMTPD_VERB_RCPT},
	{"DATA", SMTPD_VERB_DATA},
	{"RSET", SMTPD_VERB_RSET},
	{"NOOP", SMTPD_VERB_NOOP},
	{"QUIT", SMTPD_VERB_QUIT},
	{"HELP", SMTPD_VERB_HELP},
	{"VRFY", SMTPD_VERB_VRFY},
	{"EXPN", SMTPD_VERB_EXPN},
	{"ETRN", SMTPD_VERB_ETRN},
	{"BDAT", SMTPD_VERB_BDAT},
	{"STARTTLS", SMTPD_VERB_STARTTLS},
	{"AUTH", SMTPD_VERB_AUTH},
	{"TURN", SMTPD_VERB_TURN},
};

/* lower-case names for the disconnect line, indexed by verb */
static const char *const smtpd_cmd_names[SMTPD_VERB_COUNT] = {
	[SMTPD_VERB_HELO] = "helo",
	[SMTPD_VERB_EHLO] = "ehlo",
	[SMTPD_VERB_STARTTLS] = "starttls",
	[SMTPD_VERB_AUTH] = "auth",
	[SMTPD_VERB_MAIL] = "mail",
	[SMTPD_VERB_RCPT] = "rcpt",
	[SMTPD_VERB_DATA] = "data",
	[SMTPD_VERB_BDAT] = "bdat",
	[SMTPD_VERB_RSET] = "rset",
	[SMTPD_VERB_NOOP] = "noop",
	[SMTPD_VERB_VRFY] = "vrfy",
	[SMTPD_VERB_EXPN] = "expn",
	[SMTPD_VERB_ETRN] = "etrn",
	[SMTPD_VERB_TURN] = "turn",
	[SMTPD_VERB_HELP] = "help",
	[SMTPD_VERB_QUIT] = "quit",
	[SMTPD_VERB_UNKNOWN] = "unknown",
};

/* smtpd_cmd_name - lower-case name of a verb */
const char *
smtpd_cmd_name(enum smtpd_verb verb)
{
	if ((unsigned)verb >= SMTPD_VERB_COUNT)
		log_panic("smtpd_cmd_name: bad verb %d", (int)verb);
	return smtpd_cmd_names[verb];
}

/* smtpd_cmd_is_space - the white space that separates SMTP words */
static inline bool
smtpd_cmd_is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* smtpd_cmd_parse - split a command line into verb and argument; the
 * line is modified (trailing white space of the argument is cut) */
void
smtpd_cmd_parse(char *line, struct smtpd_cmd *cmd)
{
	char   *p, *verb, *end;
	size_t  vlen, i;

	p = line;
	while (smtpd_cmd_is_space((unsigned char)*p))
		p++;
	verb = p;
	while (*p != '\0' && !smtpd_cmd_is_space((unsigned char)*p))
		p++;
	vlen = (size_t)(p - verb);
	cmd->verb = SMTPD_VERB_UNKNOWN;
	if (vlen > 0 && vlen <= SMTPD_VERB_MAX) {
		for (i = 0; i < SYS_ARRAY_LEN(smtpd_cmd_verbs); i++) {
			if (strlen(smtpd_cmd_verbs[i].name) == vlen
			    && str_ncasecmp(verb, smtpd_cmd_verbs[i].name,
			    vlen) == 0) {
				cmd->verb = smtpd_cmd_verbs[i].verb;
				break;
			}
		}
	}
	while (smtpd_cmd_is_space((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && smtpd_cmd_is_space((unsigned char)end[-1]))
		end--;
	*end = '\0';
	cmd->arg = p;
}

/* smtpd_mail_args_init - empty MAIL arguments with their buffers */
void
smtpd_mail_args_init(struct smtpd_mail_args *m)
{
	m->addr = buf_new(SMTPD_CMD_ARG_MAX);
	m->envid = buf_new(SMTPD_CMD_ARG_MAX);
	smtpd_mail_args_reset(m);
}

/* smtpd_mail_args_reset - forget the previous MAIL's arguments */
void
smtpd_mail_args_reset(struct smtpd_mail_args *m)
{
	buf_reset(m->addr);
	buf_reset(m->envid);
	m->size = -1;
	m->body = SMTPD_BODY_NONE;
	m->smtputf8 = false;
	m->ret = SMTPD_RET_NONE;
	m->has_envid = false;
}

/* smtpd_mail_args_free - release the buffers */
void
smtpd_mail_args_free(struct smtpd_mail_args *m)
{
	m->addr = buf_free(m->addr);
	m->envid = buf_free(m->envid);
}

/* smtpd_rcpt_args_init - empty RCPT arguments with their buffers */
void
smtpd_rcpt_args_init(struct smtpd_rcpt_args *r)
{
	r->addr = buf_new(SMTPD_CMD_ARG_MAX);
	r->orcpt = buf_new(SMTPD_CMD_ARG_MAX);
	r->notify = 0;
}

/* smtpd_rcpt_args_free - release the buffers */
void
smtpd_rcpt_args_free(struct smtpd_rcpt_args *r)
{
	r->addr = buf_free(r->addr);
	r->orcpt = buf_free(r->orcpt);
}

/* smtpd_cmd_hex - value of a hex digit, or -1 */
static int
smtpd_cmd_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* smtpd_cmd_xtext - decode RFC 3461 xtext: printable ASCII but '+' and
 * '=', and "+XX" for any octet; 0, or -1 for bad syntax */
int
smtpd_cmd_xtext(const char *in, size_t len, struct buf *out)
{
	size_t  i;
	int     c, hi, lo;

	buf_reset(out);
	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c < 33 || c > 126 || c == '=')
			return -1;
		if (c == '+') {
			if (len - i < 3)
				return -1;
			hi = smtpd_cmd_hex((unsigned char)in[i + 1]);
			lo = smtpd_cmd_hex((unsigned char)in[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (buf_append_char(out, c) < 0)
			return -1;
	}
	return 0;
}

/* smtpd_cmd_has_8bit - whether text has a byte outside ASCII */
static bool
smtpd_cmd_has_8bit(const char *s, size_t len)
{
	size_t  i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] & 0x80)
			return true;
	return false;
}

/* smtpd_cmd_printable - whether every byte is printable ASCII, or 8-bit
 * when allowed */
bool
smtpd_cmd_printable(const char *s, size_t len, bool allow_8bit)
{
	size_t  i;
	int     c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c & 0x80) {
			if (!allow_8bit)
				return false;
		} else if (c < 32 || c == 127) {
			return false;
		}
	}
	return true;
}

/* what a parameter handler sees */
struct smtpd_cmd_ctx {
	struct smtpd_mail_args *mail;	/* MAIL, or NULL */
	struct smtpd_rcpt_args *rcpt;	/* RCPT, or NULL */
	bool	smtputf8;		/* RCPT: the transaction's */
	struct buf *reply;
	struct buf *tmp;
};

typedef int (*smtpd_cmd_param_fn)(struct smtpd_cmd_ctx *ctx,
	    const char *value, size_t len);

#define SMTPD_PARAM_MAIL	1
#define SMTPD_PARAM_RCPT	2

/* the parameter table: keyword, where, has value, may repeat, reply when
 * bad or repeated, handler */
struct smtpd_cmd_param {
	const char *name;
	int	where;
	bool	value;
	bool	repeat;
	const char *bad;
	smtpd_cmd_param_fn fn;
};

/* smtpd_cmd_size - SIZE=digits (RFC 1870) */
static int
smtpd_cmd_size(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	unsigned long long n;

	buf_reset(ctx->tmp);
	if (buf_append(ctx->tmp, value, len) < 0
	    || parse_uint(buf_str(ctx->tmp), 0, LLONG_MAX, &n) < 0)
		return -1;
	ctx->mail->size = (long long)n;
	return 0;
}

/* smtpd_cmd_word - whether value equals word, ignoring case */
static bool
smtpd_cmd_word(const char *value, size_t len, const char *word)
{
	return strlen(word) == len && str_ncasecmp(value, word, len) == 0;
}

/* smtpd_cmd_body - BODY=7BIT or BODY=8BITMIME (RFC 6152); anything else
 * (BINARYMIME needs CHUNKING) is an unsupported option */
static int
smtpd_cmd_body(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	if (smtpd_cmd_word(value, len, "7BIT"))
		ctx->mail->body = SMTPD_BODY_7BIT;
	else if (smtpd_cmd_word(value, len, "8BITMIME"))
		ctx->mail->body = SMTPD_BODY_8BITMIME;
	else
		return -1;
	return 0;
}

/* smtpd_cmd_smtputf8 - SMTPUTF8 (RFC 6531), only when enabled */
static int
smtpd_cmd_smtputf8(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	(void)value;
	(void)len;
	if (!var_smtputf8_enable)
		return -1;
	ctx->mail->smtputf8 = true;
	return 0;
}

/* smtpd_cmd_ret - RET=FULL or RET=HDRS (RFC 3461) */
static int
smtpd_cmd_ret(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	if (smtpd_cmd_word(value, len, "FULL"))
		ctx->mail->ret = SMTPD_RET_FULL;
	else if (smtpd_cmd_word(value, len, "HDRS"))
		ctx->mail->ret = SMTPD_RET_HDRS;
	else
		return -1;
	return 0;
}

/* smtpd_cmd_envid - ENVID=xtext (RFC 3461), printable once decoded */
static int
smtpd_cmd_envid(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	struct smtpd_mail_args *m = ctx->mail;

	if (len == 0 || len > SMTPD_ENVID_MAX
	    || smtpd_cmd_xtext(value, len, m->envid) < 0
	    || !smtpd_cmd_printable(buf_str(m->envid), buf_len(m->envid),
	    false)) {
		buf_reset(m->envid);
		return -1;
	}
	m->has_envid = true;
	return 0;
}

/* smtpd_cmd_notify - NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY */
static int
smtpd_cmd_notify(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	static const struct {
		const char *name;
		int	bit;
	} words[] = {
		{"NEVER", REC_NOTIFY_NEVER},
		{"SUCCESS", REC_NOTIFY_SUCCESS},
		{"FAILURE", REC_NOTIFY_FAILURE},
		{"DELAY", REC_NOTIFY_DELAY},
	};
	size_t  start, end, i;
	int     mask = 0, bit;

	for (start = 0; start <= len; start = end + 1) {
		for (end = start; end < len && value[end] != ','; end++)
			continue;
		bit = 0;
		for (i = 0; i < SYS_ARRAY_LEN(words); i++)
			if (smtpd_cmd_word(value + start, end - start,
			    words[i].name))
				bit = words[i].bit;
		if (bit == 0)
			return -1;
		mask |= bit;
	}
	if ((mask & REC_NOTIFY_NEVER) && mask != REC_NOTIFY_NEVER)
		return -1;
	ctx->rcpt->notify = mask;
	return 0;
}

/* smtpd_cmd_orcpt - ORCPT=addr-type;xtext (RFC 3461); stored decoded as
 * "type;address", the type "rfc822" in lower case */
static int
smtpd_cmd_orcpt(struct smtpd_cmd_ctx *ctx, const char *value, size_t len)
{
	struct buf *o = ctx->rcpt->orcpt;
	size_t  tlen, i;
	int     c;

	if (len > SMTPD_ORCPT_MAX)
		return -1;
	for (tlen = 0; tlen < len && value[tlen] != ';'; tlen++) {
		c = (unsigned char)value[tlen];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		    || (c >= '0' && c <= '9') || c == '-'))
			return -1;
	}
	if (tlen == 0 || tlen == len || tlen + 1 == len)
		return -1;
	if (smtpd_cmd_xtext(value + tlen + 1, len - tlen - 1, ctx->tmp) < 0
	    || !smtpd_cmd_printable(buf_str(ctx->tmp), buf_len(ctx->tmp),
	    ctx->smtputf8))
		return -1;
	buf_reset(o);
	if (smtpd_cmd_word(value, tlen, "rfc822"))
		(void)buf_append_str(o, "rfc822");	/* fits */
	else
		for (i = 0; i < tlen; i++)
			(void)buf_append_char(o, value[i]);	/* fits */
	if (buf_append_char(o, ';') < 0
	    || buf_append(o, buf_str(ctx->tmp), buf_len(ctx->tmp)) < 0) {
		buf_reset(o);
		return -1;
	}
	return 0;
}

static const struct smtpd_cmd_param smtpd_cmd_param_table[] = {
	{"SIZE", SMTPD_PARAM_MAIL, true, false,
	    "501 5.5.4 Bad message size syntax", smtpd_cmd_size},
	{"BODY", SMTPD_PARAM_MAIL, true, true, NULL, smtpd_cmd_body},
	{"SMTPUTF8", SMTPD_PARAM_MAIL, false, true, NULL, smtpd_cmd_smtputf8},
	{"RET", SMTPD_PARAM_MAIL, true, false,
	    "501 5.5.4 Bad RET parameter syntax", smtpd_cmd_ret},
	{"ENVID", SMTPD_PARAM_MAIL, true, false,
	    "501 5.5.4 Bad ENVID parameter syntax", smtpd_cmd_envid},
	{"NOTIFY", SMTPD_PARAM_RCPT, true, false,
	    "501 5.5.4 Error: Bad NOTIFY parameter syntax", smtpd_cmd_notify},
	{"ORCPT", SMTPD_PARAM_RCPT, true, false,
	    "501 5.5.4 Error: Bad ORCPT parameter syntax", smtpd_cmd_orcpt},
};

/* smtpd_cmd_unsupported - the reply for an unknown or misused option */
static int
smtpd_cmd_unsupported(struct smtpd_cmd_ctx *ctx, const char *tok,
    size_t len)
{
	struct buf *p = buf_new(0);

	buf_reset(ctx->reply);
	(void)buf_printf(ctx->reply, "555 5.5.4 Unsupported option: %s",
	    log_printable(p, tok, len, SMTPD_ECHO_MAX));
	buf_free(p);
	return -1;
}

/* smtpd_cmd_bad - the reply for a bad or repeated known parameter */
static int
smtpd_cmd_bad(struct smtpd_cmd_ctx *ctx, const struct smtpd_cmd_param *par,
    const char *tok, size_t len)
{
	if (par->bad == NULL)
		return smtpd_cmd_unsupported(ctx, tok, len);
	(void)buf_set(ctx->reply, par->bad);
	return -1;
}

/* smtpd_cmd_params - parse "KEY[=VALUE] ..." with the table for where;
 * 0, or -1 with the reply. States: between parameters, in the keyword,
 * in the value. */
static int
smtpd_cmd_params(struct smtpd_cmd_ctx *ctx, const char *p, int where)
{
	enum { SP, KEY, VALUE } state = SP;
	const struct smtpd_cmd_param *par;
	const char *tok = NULL, *val = NULL;
	unsigned seen = 0;
	size_t  klen = 0, i;
	bool    bad = false;
	int     c;

	for (;; p++) {
		c = (unsigned char)*p;
		switch (state) {
		case SP:
			if (smtpd_cmd_is_space(c))
				continue;
			if (c == '\0')
				return 0;
			tok = p;
			val = NULL;
			bad = false;
			state = KEY;
			/* FALLTHROUGH */
		case KEY:
			if (c == '=') {
				klen = (size_t)(p - tok);
				val = p + 1;
				bad |= klen == 0;
				state = VALUE;
				continue;
			}
			if (c != '\0' && !smtpd_cmd_is_space(c)) {
				/* esmtp-keyword: ALPHA / DIGIT / "-" */
				bad |= !((c >= 'a' && c <= 'z')
				    || (c >= 'A' && c <= 'Z')
				    || (c >= '0' && c <= '9') || c == '-');
				continue;
			}
			klen = (size_t)(p - tok);
			break;
		case VALUE:
			if (c != '\0' && !smtpd_cmd_is_space(c)) {
				/* esmtp-value: %d33-60 / %d62-126 */
				bad |= c < 33 || c > 126 || c == '=';
				continue;
			}
			break;
		}
		/* a parameter ends here: tok .. p, keyword klen, value val */
		par = NULL;
		for (i = 0; !bad && i < SYS_ARRAY_LEN(smtpd_cmd_param_table);
		    i++)
			if ((smtpd_cmd_param_table[i].where & where)
			    && smtpd_cmd_word(tok, klen,
			    smtpd_cmd_param_table[i].name))
				par = smtpd_cmd_param_table + i;
		if (par == NULL || par->value != (val != NULL))
			return smtpd_cmd_unsupported(ctx, tok,
			    (size_t)(p - tok));
		i = (size_t)(par - smtpd_cmd_param_table);
		if ((((seen >> i) & 1) && !par->repeat)
		    || par->fn(ctx, val, val ? (size_t)(p - val) : 0) < 0)
			return smtpd_cmd_bad(ctx, par, tok, (size_t)(p - tok));
		seen |= 1U << i;
		if (c == '\0')
			return 0;
		state = SP;
	}
}

/* smtpd_cmd_path - the common part of MAIL and RCPT: prefix, path,
 * parameters, 8-bit check; 0 or -1 with the reply */
static int
smtpd_cmd_path(struct smtpd_cmd_ctx *ctx, const char *arg,
    const char *prefix, bool is_mail, struct buf *addr)
{
	const char *p, *params;
	struct buf *why;
	int     ret;

	if (!str_has_prefix_case(arg, prefix)) {
		(void)buf_set(ctx->reply, is_mail
		    ? "501 5.5.4 Syntax: MAIL FROM:<address>"
		    : "501 5.5.4 Syntax: RCPT TO:<address>");
		return -1;
	}
	p = arg + strlen(prefix);
	while (smtpd_cmd_is_space((unsigned char)*p))
		p++;
	if (*p == '\0') {
		(void)buf_set(ctx->reply, is_mail
		    ? "501 5.5.4 Syntax: MAIL FROM:<address>"
		    : "501 5.5.4 Syntax: RCPT TO:<address>");
		return -1;
	}
	why = buf_new(0);
	/* 8-bit is checked below, once SMTPUTF8 is known; addr_parse_path
	 * makes sure that a blank or the end follows the path */
	ret = addr_parse_path(p, is_mail, true, addr, &params, why);
	if (ret < 0 || (!is_mail && buf_len(addr) == 0)) {
		if (log_verbose)
			log_debug("%s address: %s", is_mail ? "sender"
			    : "recipient", buf_str(why));
		buf_free(why);
		(void)buf_set(ctx->reply, is_mail
		    ? "501 5.1.7 Bad sender address syntax"
		    : "501 5.1.3 Bad recipient address syntax");
		return -1;
	}
	buf_free(why);
	if (smtpd_cmd_params(ctx, params, is_mail ? SMTPD_PARAM_MAIL
	    : SMTPD_PARAM_RCPT) < 0)
		return -1;
	if (!(is_mail ? ctx->mail->smtputf8 : ctx->smtputf8)
	    && smtpd_cmd_has_8bit(buf_str(addr), buf_len(addr))) {
		(void)buf_set(ctx->reply,
		    "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
		return -1;
	}
	return 0;
}

/* smtpd_cmd_mail - parse the argument of MAIL */
int
smtpd_cmd_mail(const char *arg, struct smtpd_mail_args *m,
    struct buf *reply)
{
	struct smtpd_cmd_ctx ctx = {m, NULL, false, reply, NULL};
	int     ret;

	smtpd_mail_args_reset(m);
	buf_reset(reply);
	ctx.tmp = buf_new(SMTPD_CMD_ARG_MAX);
	ret = smtpd_cmd_path(&ctx, arg, "FROM:", true, m->addr);
	buf_free(ctx.tmp);
	if (ret < 0)
		smtpd_mail_args_reset(m);
	return ret;
}

/* smtpd_cmd_rcpt - parse the argument of RCPT */
int
smtpd_cmd_rcpt(const char *arg, bool smtputf8, struct smtpd_rcpt_args *r,
    struct buf *reply)
{
	struct smtpd_cmd_ctx ctx = {NULL, r, smtputf8, reply, NULL};
	int     ret;

	buf_reset(r->addr);
	buf_reset(r->orcpt);
	r->notify = 0;
	buf_reset(reply);
	ctx.tmp = buf_new(SMTPD_CMD_ARG_MAX);
	ret = smtpd_cmd_path(&ctx, arg, "TO:", false, r->addr);
	buf_free(ctx.tmp);
	return ret;
}
