/* mailq_test.c - unit tests of util/mailq.c: JSON strings, the mailq
 * entry layout, and the defer log reader's limits
 *
 * Table-driven: JSON escaping of control bytes, quotes, valid UTF-8 (kept)
 * and invalid UTF-8 (each byte as \u00XX: overlong, surrogate, cut-off and
 * stray continuation bytes); then one formatted entry compared with the
 * exact Postfix layout; then defer logs, well-formed and cut off.
 */
#include "buf.h"
#include "mailq.h"
#include "mem.h"
#include "queue.h"
#include "rec_type.h"
#include "tap.h"

struct json_case {
	const char *name;
	const char *in;
	size_t	len;
	const char *want;
};

static const struct json_case json_cases[] = {
	{"plain", "a@b.example", 11, "\"a@b.example\""},
	{"quote and backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\""},
	{"controls", "\n\r\t\001\177", 5, "\"\\n\\r\\t\\u0001\\u007f\""},
	{"nul byte", "a\0b", 3, "\"a\\u0000b\""},
	{"valid utf-8 kept", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
	{"latin-1 byte", "caf\xe9", 4, "\"caf\\u00e9\""},
	{"overlong", "\xc0\xaf", 2, "\"\\u00c0\\u00af\""},
	{"surrogate", "\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\""},
	{"cut-off sequence", "\xe2\x82", 2, "\"\\u00e2\\u0082\""},
	{"past U+10FFFF", "\xf4\x90\x80\x80", 4,
	    "\"\\u00f4\\u0090\\u0080\\u0080\""},
};

/* defer_rec - append one defer log record */
static void
defer_rec(struct buf *b, int type, const char *s)
{
	size_t  n = strlen(s);
	unsigned char h[5] = {(unsigned char)type, (unsigned char)(n >> 24),
	    (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	    (unsigned char)n};

	(void)buf_append(b, h, 5);
	(void)buf_append(b, s, n);
}

/* defer_fd - a pipe holding b's bytes, read end */
static int
defer_fd(const struct buf *b)
{
	int     p[2];

	if (pipe(p) < 0 || write(p[1], buf_str(b), buf_len(b))
	    != (ssize_t)buf_len(b))
		abort();
	(void)close(p[1]);
	return p[0];
}

int
main(void)
{
	struct buf *out = buf_new(0), *log = buf_new(0), *why = buf_new(0);
	struct mailq_rcpt rcpts[2];
	struct mailq_msg msg;
	size_t  i;
	int     fd;

	plan((int)SYS_ARRAY_LEN(json_cases) + 5);
	for (i = 0; i < SYS_ARRAY_LEN(json_cases); i++) {
		buf_reset(out);
		mailq_json_string(out, json_cases[i].in, json_cases[i].len);
		is_str(buf_str(out), json_cases[i].want, json_cases[i].name);
	}

	/* one entry, in Postfix's layout */
	memset(&msg, 0, sizeof(msg));
	(void)snprintf(msg.queue_id, sizeof(msg.queue_id), "%s",
	    "6B06630C945EBF695");
	msg.queue_name = QUEUE_HOLD;
	msg.arrival = 0;
	msg.size = 1234;
	msg.sender = xstrdup("");
	rcpts[0].addr = xstrdup("a@x.example");
	rcpts[0].reason = xstrdup("4.2.0 try later");
	rcpts[1].addr = xstrdup("b@x.example");
	rcpts[1].reason = NULL;
	msg.rcpts = xmemdup(rcpts, sizeof(rcpts));
	msg.nrcpt = 2;
	buf_reset(out);
	(void)setenv("TZ", "UTC", 1);
	tzset();
	mailq_format_text(out, &msg);
	buf_reset(why);
	(void)buf_printf(why, "%s    1234 %s  MAILER-DAEMON\n"
	    "%*s(%s)\n%41s%s\n%*s(%s)\n%41s%s\n", "6B06630C945EBF695!",
	    "Thu Jan  1 00:00:00", 76 - 15, "", "4.2.0 try later", "",
	    "a@x.example", 76 - 18, "", "reason unavailable", "",
	    "b@x.example");
	is_str(buf_str(out), buf_str(why),
	    "mailq entry: marks, padding, reasons");
	buf_reset(out);
	msg.queue_name = QUEUE_DEFERRED;
	mailq_format_json(out, &msg);
	is_str(buf_str(out), "{\"queue_name\": \"deferred\", \"queue_id\": "
	    "\"6B06630C945EBF695\", \"arrival_time\": 0, \"message_size\": "
	    "1234, \"forced_expire\": false, \"sender\": \"MAILER-DAEMON\", "
	    "\"recipients\": [{\"address\": \"a@x.example\", \"delay_reason\": "
	    "\"4.2.0 try later\"}, {\"address\": \"b@x.example\"}]}\n",
	    "JSON object");

	/* defer logs: the last reason per address wins */
	free(msg.rcpts[0].reason);
	msg.rcpts[0].reason = NULL;
	defer_rec(log, REC_RCPT, "a@x.example");
	defer_rec(log, REC_ATTR, "reason=4.0.0 first");
	defer_rec(log, REC_RCPT, "a@x.example");
	defer_rec(log, REC_ATTR, "reason=4.0.0 second");
	fd = defer_fd(log);
	is_int(mailq_read_defer(fd, &msg, why), 0, "defer log read");
	(void)close(fd);
	is_str(msg.rcpts[0].reason ? msg.rcpts[0].reason : "(none)",
	    "4.0.0 second", "last reason of an address wins");

	/* a cut-off record is reported, never read past */
	buf_truncate(log, buf_len(log) - 3);
	free(msg.rcpts[0].reason);
	msg.rcpts[0].reason = NULL;
	fd = defer_fd(log);
	ok(mailq_read_defer(fd, &msg, why) < 0
	    && strstr(buf_str(why), "cut-off") != NULL,
	    "cut-off defer log: %s", buf_str(why));
	(void)close(fd);

	mailq_msg_clear(&msg);
	buf_free(out);
	buf_free(log);
	buf_free(why);
	return done();
}
