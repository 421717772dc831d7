/* smtpd_fuzz.c - fuzz target: smtpd's command-line parser
 *
 * Reads one input (the file named by argv[1], or stdin), at most
 * FUZZ_INPUT_MAX bytes, splits it into lines at LF (the session loop never
 * passes a line with a NUL byte, so each line ends at its first NUL too),
 * and runs each through smtpd_cmd_parse, then MAIL and RCPT arguments
 * through smtpd_cmd_mail and smtpd_cmd_rcpt (RCPT both with and without
 * SMTPUTF8), and every line through smtpd_cmd_xtext. Checked on every
 * result: a refusal is one printable reply line "5xy 5.x.y text"; an
 * accepted MAIL has an ENVID of at most SMTPD_ENVID_MAX printable bytes
 * and a SIZE of -1 or more; an accepted RCPT is not empty and has a valid
 * NOTIFY mask. Anything else aborts. The fuzz build rule links util only,
 * so smtpd_cmd.c is compiled in.
 */
#include "../../smtpd/smtpd.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "rec_type.h"
#include "mem.h"

#define FUZZ_INPUT_MAX	(1024 * 1024)

/* fuzz_check_reply - a refusal must be one sane reply line */
static void
fuzz_check_reply(const struct buf *reply)
{
	const char *r = buf_str(reply);
	size_t  i;

	if (buf_len(reply) < 10 || r[0] != '5' || r[3] != ' ' || r[4] != '5'
	    || r[5] != '.')
		log_panic("fuzz: bad reply \"%s\"", r);
	for (i = 0; i < buf_len(reply); i++)
		if ((unsigned char)r[i] < 32 || (unsigned char)r[i] > 126)
			log_panic("fuzz: unprintable reply byte at %zu", i);
}

/* fuzz_line - everything the parser does with one line */
static void
fuzz_line(char *line, struct smtpd_mail_args *m, struct smtpd_rcpt_args *r,
    struct buf *reply, struct buf *out)
{
	struct smtpd_cmd cmd;
	char   *copy = xstrdup(line);
	int     ret, utf8;

	if (smtpd_cmd_xtext(line, strlen(line), out) == 0
	    && buf_len(out) > strlen(line))
		log_panic("fuzz: xtext grew");
	smtpd_cmd_parse(copy, &cmd);
	(void)smtpd_cmd_name(cmd.verb);
	if (cmd.verb == SMTPD_VERB_MAIL) {
		ret = smtpd_cmd_mail(cmd.arg, m, reply);
		if (ret < 0)
			fuzz_check_reply(reply);
		else if (m->size < -1 || buf_len(m->envid) > SMTPD_ENVID_MAX
		    || !smtpd_cmd_printable(buf_str(m->envid),
		    buf_len(m->envid), false))
			log_panic("fuzz: bad MAIL result");
	}
	if (cmd.verb == SMTPD_VERB_RCPT) {
		for (utf8 = 0; utf8 < 2; utf8++) {
			ret = smtpd_cmd_rcpt(cmd.arg, utf8, r, reply);
			if (ret < 0)
				fuzz_check_reply(reply);
			else if (buf_len(r->addr) == 0 || (r->notify
			    & ~(REC_NOTIFY_NEVER | REC_NOTIFY_SUCCESS
			    | REC_NOTIFY_FAILURE | REC_NOTIFY_DELAY)))
				log_panic("fuzz: bad RCPT result");
		}
	}
	free(copy);
}

int
main(int argc, char **argv)
{
	struct smtpd_mail_args m;
	struct smtpd_rcpt_args r;
	struct buf *in = buf_new(FUZZ_INPUT_MAX), *reply = buf_new(0);
	struct buf *out = buf_new(0);
	char    chunk[8192], *p, *nl;
	size_t  n;
	FILE   *fp = argc > 1 ? fopen(argv[1], "rb") : stdin;

	log_init("smtpd_fuzz");
	if (fp == NULL)
		log_fatal("fuzz: open %s: %m", argv[1]);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(in, chunk, n) < 0)
			break;
	if (fp != stdin)
		(void)fclose(fp);
	var_smtputf8_enable = true;
	smtpd_mail_args_init(&m);
	smtpd_rcpt_args_init(&r);
	for (p = in->data; p < in->data + buf_len(in); p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(in->data + buf_len(in) - p));
		if (nl == NULL)
			nl = in->data + buf_len(in);
		*nl = '\0';
		fuzz_line(p, &m, &r, reply, out);
	}
	smtpd_mail_args_free(&m);
	smtpd_rcpt_args_free(&r);
	buf_free(in);
	buf_free(reply);
	buf_free(out);
	return 0;
}
