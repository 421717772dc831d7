/* smtpd_data_test.c - unit tests of smtpd's DATA reader (smuggling rules)
 *
 * Table-driven: each case is the raw byte stream a client sends after
 * 354; smtpd_data_copy reads it from a real socket through util/stream.c
 * and must return at the right end of data (or report the end of input),
 * pass on exactly the expected content (dot-unstuffed, LF line ends, other
 * bytes untouched), say whether a bare LF was seen, and leave the next
 * command unread. The cases cover every known SMTP smuggling variant (bare
 * CR or LF around the dot), dot-stuffing, long lines that arrive in
 * pieces, 8-bit and NUL bytes. Linked with smtpd's objects (not smtpd.o).
 */
#include "../../smtpd/smtpd.h"
#include "buf.h"
#include "stream.h"
#include "tap.h"

#include <sys/socket.h>

struct data_case {
	const char *name;
	const char *in;
	size_t	in_len;		/* 0: strlen(in) */
	int	ret;		/* 0 end of data, -1 input ended */
	const char *out;
	size_t	out_len;	/* 0: strlen(out) */
	bool	bare_lf;
	const char *next;	/* the next line after the end, or NULL */
};

#define SMUG	"MAIL FROM:<e@x>\r\nRCPT TO:<v@y>\r\nDATA\r\n" \
		"Subject: s\r\n"
#define SMUG_LF	"MAIL FROM:<e@x>\nRCPT TO:<v@y>\nDATA\nSubject: s\n"

static const struct data_case cases[] = {
	{"simple", "a\r\nb\r\n.\r\nQUIT\r\n", 0, 0, "a\nb\n", 0, false,
	    "QUIT"},
	{"empty message", ".\r\nQUIT\r\n", 0, 0, "", 0, false, "QUIT"},
	{"dot-stuffing", "..a\r\n.\r\n..\r\n", 0, 0, ".a\n", 0, false,
	    ".."},
	{"stuffed lone dot", "..\r\n.\r\n", 0, 0, ".\n", 0, false, NULL},
	{"dot in the middle", "a.b\r\n .\r\n.\r\n", 0, 0, "a.b\n .\n", 0,
	    false, NULL},
	{"LF.LF smuggling", "body\n.\n" SMUG ".\r\n", 0, 0,
	    "body\n.\n" SMUG_LF, 0, true, NULL},
	{"LF.CRLF smuggling", "body\n.\r\n" SMUG ".\r\n", 0, 0,
	    "body\n.\n" SMUG_LF, 0, true, NULL},
	{"CRLF.LF smuggling", "body\r\n.\n" SMUG ".\r\n", 0, 0,
	    "body\n.\n" SMUG_LF, 0, true, NULL},
	{"CR.CR smuggling", "body\r.\r" SMUG ".\r\n", 0, 0,
	    "body\r.\rMAIL FROM:<e@x>\n" "RCPT TO:<v@y>\nDATA\nSubject: s\n",
	    0, false, NULL},
	{"CRLF.CR smuggling", "body\r\n.\r" SMUG ".\r\n", 0, 0,
	    "body\n\rMAIL FROM:<e@x>\n" "RCPT TO:<v@y>\nDATA\nSubject: s\n",
	    0, false, NULL},
	{"CR.CRLF smuggling", "body\r.\r\n" SMUG ".\r\n", 0, 0,
	    "body\r.\n" SMUG_LF, 0, false, NULL},
	{"LF.CR smuggling", "body\n.\r" SMUG ".\r\n", 0, 0,
	    "body\n\rMAIL FROM:<e@x>\n" "RCPT TO:<v@y>\nDATA\nSubject: s\n",
	    0, true, NULL},
	{"bare LF lines normalized", "a\nb\r\n.\r\n", 0, 0, "a\nb\n", 0, true,
	    NULL},
	{"dot after bare LF line is not the end", "a\n.\r\nb\r\n.\r\n", 0, 0,
	    "a\n.\nb\n", 0, true, NULL},
	{"dot-stuffed after bare LF", "a\n..b\r\n.\r\n", 0, 0, "a\n.b\n", 0,
	    true, NULL},
	{"dot with trailing space", "a\r\n. \r\n.\r\n", 0, 0, "a\n \n", 0,
	    false, NULL},
	{"8-bit and NUL kept", "\xc3\xa9\0\x01\x7f\r\n.\r\n", 10, 0,
	    "\xc3\xa9\0\x01\x7f\n", 6, false, NULL},
	{"CR CR LF", "a\r\r\n.\r\n", 0, 0, "a\r\n", 0, false, NULL},
	{"cut off in the middle", "a\r\nhalf", 0, -1, "a\n", 0, false, NULL},
	{"cut off after LF.LF", "a\n.\n", 0, -1, "a\n.\n", 0, true, NULL},
	{"no input", "", 0, -1, "", 0, false, NULL},
	{"dot without line end", "a\r\n.", 0, -1, "a\n", 0, false, NULL},
};

/* collect - smtpd_data_copy's output */
static void
collect(void *ctx, const char *data, size_t len)
{
	if (buf_append(ctx, data, len) < 0)
		abort();
}

/* run - feed in through a socket pair, copy; *next gets the next line */
static int
run(const char *in, size_t len, struct buf *out, bool *bare_lf,
    struct buf *next)
{
	struct stream *st;
	struct buf *line = buf_new(SMTPD_DATA_PIECE + 16);
	enum stream_end end;
	int     sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	if (len > 0 && write(sv[0], in, len) != (ssize_t)len)
		abort();
	(void)close(sv[0]);
	st = stream_open(sv[1], 5000);
	buf_reset(out);
	buf_reset(next);
	ret = smtpd_data_copy(st, line, bare_lf, collect, out);
	if (ret == 0 && stream_get_line(st, next, 1000, &end) != STREAM_LINE)
		buf_reset(next);
	stream_free(st);
	buf_free(line);
	return ret;
}

int
main(void)
{
	struct buf *out = buf_new(0), *next = buf_new(0), *in = buf_new(0);
	struct buf *want = buf_new(0);
	size_t  i, olen;
	bool    bare_lf;
	int     ret;

	plan((int)SYS_ARRAY_LEN(cases) + 4);
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++) {
		const struct data_case *c = cases + i;

		ret = run(c->in, c->in_len ? c->in_len : strlen(c->in), out,
		    &bare_lf, next);
		olen = c->out_len ? c->out_len : strlen(c->out);
		if (!ok(ret == c->ret && buf_len(out) == olen
		    && memcmp(buf_str(out), c->out, olen) == 0
		    && bare_lf == c->bare_lf
		    && strcmp(buf_str(next), c->next ? c->next : "") == 0,
		    "%s", c->name))
			diag("got %d, bare_lf %d, %zu bytes \"%s\", "
			    "next \"%s\"",
			    ret, (int)bare_lf, buf_len(out), buf_str(out),
			    buf_str(next));
	}

	/* a line of 3 pieces and a bit: passed on whole, its dots kept */
	buf_reset(in);
	(void)buf_append_str(in, ".");
	for (i = 0; i < 3 * SMTPD_DATA_PIECE; i++)
		(void)buf_append_char(in,
		    (i + 1) % SMTPD_DATA_PIECE == 0 ? '.' : 'x');
	(void)buf_append_str(in, "\r\n.\r\n");
	ret = run(buf_str(in), buf_len(in), out, &bare_lf, next);
	buf_reset(want);
	(void)buf_append(want, buf_str(in) + 1, buf_len(in) - 1 - 5);
	(void)buf_append_str(want, "\n");
	ok(ret == 0 && buf_len(out) == buf_len(want)
	    && memcmp(buf_str(out), buf_str(want), buf_len(want)) == 0,
	    "long line: one leading dot removed, later pieces untouched");

	/* a piece boundary right before ".\r\n" is not a line start */
	buf_reset(in);
	for (i = 0; i < SMTPD_DATA_PIECE; i++)
		(void)buf_append_char(in, 'y');
	(void)buf_append_str(in, ".\r\n.\r\n");
	ret = run(buf_str(in), buf_len(in), out, &bare_lf, next);
	ok(ret == 0 && buf_len(out) == SMTPD_DATA_PIECE + 2
	    && buf_str(out)[SMTPD_DATA_PIECE] == '.',
	    "dot after a piece boundary is content");

	/* a CR at a piece boundary still makes a CR LF */
	buf_reset(in);
	for (i = 0; i < SMTPD_DATA_PIECE; i++)
		(void)buf_append_char(in, 'z');
	(void)buf_append_str(in, "\r\n.\r\nNOOP\r\n");
	ret = run(buf_str(in), buf_len(in), out, &bare_lf, next);
	ok(ret == 0 && buf_len(out) == SMTPD_DATA_PIECE + 1 && !bare_lf
	    && strcmp(buf_str(next), "NOOP") == 0,
	    "CR LF split at a piece boundary");

	/* many messages in one stream: each ends at its own dot */
	ret = run("m1\r\n.\r\nm2\r\n.\r\n", 14, out, &bare_lf, next);
	is_str(buf_str(out), "m1\n", "pipelined: first message only");

	buf_free(out);
	buf_free(next);
	buf_free(in);
	buf_free(want);
	return done();
}
