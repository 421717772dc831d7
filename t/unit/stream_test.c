/* stream_test.c - unit tests of util/stream.c: lines, limits, writes
 *
 * Each line case feeds its input through a socketpair twice: all at once,
 * and one byte at a time from a child that waits (SIOCOUTQ, with a
 * deadline) until the reader has taken each byte, so that every split of a
 * CR LF across reads is exercised. Each case lists the results expected
 * from successive stream_get_line calls. Then: pending bytes, the read
 * timeout, buffered writes (small, printf past the inline buffer, large
 * through a child), and a vanished peer.
 */
#include "buf.h"
#include "log.h"
#include "stream.h"

#include "tap.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/sockios.h>

struct step {
	enum stream_result r;
	const char *text;
	enum stream_end end;
};

#define LINE(t, e)	{STREAM_LINE, t, STREAM_END_##e}
#define LONG(t)		{STREAM_LONG, t, STREAM_END_NONE}
#define END		{STREAM_EOF, "", STREAM_END_NONE}

struct line_case {
	const char *name;
	const char *in;
	size_t	max;
	struct step steps[6];
	size_t	nsteps;
};

static const struct line_case line_cases[] = {
	{"crlf line", "abc\r\n", 10, {LINE("abc", CRLF), END}, 2},
	{"bare lf line", "abc\n", 10, {LINE("abc", LF), END}, 2},
	{"cr inside line", "a\rb\r\n", 10, {LINE("a\rb", CRLF), END}, 2},
	{"cr cr lf", "ab\r\r\n", 10, {LINE("ab\r", CRLF), END}, 2},
	{"empty lines", "\r\n\n", 10, {LINE("", CRLF), LINE("", LF), END}, 3},
	{"unterminated last line", "abc", 10, {LINE("abc", NONE), END}, 2},
	{"lone cr at eof", "ab\r", 10, {LINE("ab\r", NONE), END}, 2},
	{"nothing", "", 10, {END}, 1},
	{"two lines", "a\r\nb\n", 10, {LINE("a", CRLF), LINE("b", LF), END},
	    3},
	{"at max with crlf", "abc\r\n", 3, {LINE("abc", CRLF), END}, 2},
	{"at max with lf", "abc\n", 3, {LINE("abc", LF), END}, 2},
	{"past max by one", "abcd\r\n", 3, {LONG("abc"), LINE("d", CRLF),
	    END}, 3},
	{"cr after max is data", "abc\rd\n", 3, {LONG("abc"), LINE("\rd", LF),
	    END}, 3},
	{"cr at max then crlf", "ab\r\r\n", 3, {LINE("ab\r", CRLF), END}, 2},
	{"long line in pieces", "abcdefgh\n", 3, {LONG("abc"), LONG("def"),
	    LINE("gh", LF), END}, 4},
	{"long line exact pieces", "abcdef\r\n", 3, {LONG("abc"),
	    LINE("def", CRLF), END}, 3},
	{"long line then cr eof", "abc\r", 3, {LONG("abc"), LINE("\r", NONE),
	    END}, 3},
	{"long line then eof", "abcd", 3, {LONG("abc"), LINE("d", NONE), END},
	    3},
	{"max one", "ab\r\n", 1, {LONG("a"), LINE("b", CRLF), END}, 3},
	{"max one cr", "\r\r\n", 1, {LINE("\r", CRLF), END}, 2},
	{"max one two cr", "\r\r\r\n", 1, {LONG("\r"), LINE("\r", CRLF),
	    END}, 3},
};

/* dribble - child: write in one byte at a time, each once the reader
 * has taken the previous one (bounded wait) */
static _Noreturn void
dribble(int fd, const char *in)
{
	struct timespec ts = {0, 100000};
	int     queued, spins;

	for (; *in; in++) {
		if (write(fd, in, 1) != 1)
			_exit(1);
		for (spins = 0; spins < 100000; spins++) {
			if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued == 0)
				break;
			(void)nanosleep(&ts, NULL);	/* a poll interval */
		}
	}
	_exit(0);
}

/* run_case - feed c->in (dribbled or not) and compare each step */
static void
run_case(const struct line_case *c, bool slow, struct buf *line)
{
	const struct step *st;
	enum stream_result r;
	enum stream_end end;
	struct stream *s;
	int     sv[2], status, good = 1;
	pid_t   pid = -1;
	size_t  i;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	if (slow) {
		pid = fork();
		if (pid < 0)
			log_fatal("fork: %m");
		if (pid == 0) {
			(void)close(sv[0]);
			dribble(sv[1], c->in);
		}
	} else if (write(sv[1], c->in, strlen(c->in)) < 0) {
		log_fatal("write: %m");
	}
	(void)close(sv[1]);
	s = stream_open(sv[0], 5000);
	for (i = 0; i < c->nsteps && good; i++) {
		st = &c->steps[i];
		r = stream_get_line(s, line, c->max, &end);
		good = r == st->r && end == st->end
		    && buf_len(line) == strlen(st->text)
		    && memcmp(buf_str(line), st->text, buf_len(line)) == 0;
		if (!good)
			diag("step %zu: got %d end %d \"%s\"", i, (int)r,
			    (int)end, buf_str(line));
	}
	ok(good, "%s%s", c->name, slow ? " (byte by byte)" : "");
	stream_free(s);
	if (pid > 0 && waitpid(pid, &status, 0) < 0)
		log_fatal("waitpid: %m");
}

/* test_pending - pipelined input stays buffered */
static void
test_pending(struct buf *line)
{
	enum stream_end end;
	struct stream *s;
	int     sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0
	    || write(sv[1], "a\r\nbc\r\n", 7) != 7)
		log_fatal("socketpair: %m");
	s = stream_open(sv[0], 5000);
	ok(stream_get_line(s, line, 10, &end) == STREAM_LINE
	    && stream_pending(s) == 4, "pending: pipelined bytes counted");
	ok(stream_get_line(s, line, 10, &end) == STREAM_LINE
	    && stream_pending(s) == 0, "pending: none after the last line");
	(void)close(sv[1]);
	ok(stream_get_line(s, line, 10, &end) == STREAM_EOF
	    && stream_get_line(s, line, 10, &end) == STREAM_EOF,
	    "pending: then end of input, repeatedly");
	stream_free(s);
}

/* test_timeout - no complete line within the timeout */
static void
test_timeout(struct buf *line)
{
	enum stream_end end;
	struct stream *s;
	int     sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0
	    || write(sv[1], "abc", 3) != 3)
		log_fatal("socketpair: %m");
	s = stream_open(sv[0], 50);
	ok(stream_get_line(s, line, 10, &end) == STREAM_ERROR
	    && stream_timed_out(s), "read timeout is an error");
	stream_free(s);
	(void)close(sv[1]);
}

/* read_all - read fd to EOF into b */
static void
read_all(int fd, struct buf *b)
{
	char    tmp[4096];
	ssize_t n;

	buf_reset(b);
	while ((n = read(fd, tmp, sizeof(tmp))) > 0)
		buf_append(b, tmp, (size_t)n);
}

/* test_writes - buffered output, printf, a large write, a dead peer */
static void
test_writes(struct buf *got)
{
	struct stream *s;
	struct buf *want = buf_new(0);
	char   *big;
	size_t  i, len = 256 * 1024;
	int     sv[2], status;
	pid_t   pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	s = stream_open(sv[0], 5000);
	stream_write(s, "220 ", 4);
	stream_printf(s, "%s ESMTP %d\r\n", "host", 42);
	ok(stream_flush(s) == 0, "flush small output");
	shutdown(sv[0], SHUT_WR);
	read_all(sv[1], got);
	is_str(buf_str(got), "220 host ESMTP 42\r\n", "output as written");
	stream_free(s);
	(void)close(sv[1]);

	big = malloc(len);
	for (i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	buf_reset(want);
	for (i = 0; i < 3; i++)
		buf_append(want, big, 2000);
	buf_append(want, big, len);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid == 0) {
		(void)close(sv[1]);
		s = stream_open(sv[0], 5000);
		for (i = 0; i < 3; i++)
			stream_printf(s, "%.2000s", big);
		stream_write(s, big, len);
		_exit(stream_flush(s) == 0 ? 0 : 1);
	}
	(void)close(sv[0]);
	read_all(sv[1], got);
	ok(buf_len(got) == buf_len(want) && memcmp(buf_str(got),
	    buf_str(want), buf_len(want)) == 0,
	    "large output and long printf arrive intact");
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
	    && WEXITSTATUS(status) == 0, "large output flushed");
	(void)close(sv[1]);
	free(big);
	buf_free(want);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	(void)close(sv[1]);
	s = stream_open(sv[0], 1000);
	stream_printf(s, "250 ok\r\n");
	ok(stream_flush(s) < 0 && errno == EPIPE,
	    "write to a closed peer fails without SIGPIPE");
	ok(stream_flush(s) < 0, "write error sticks");
	stream_free(s);
}

int
main(void)
{
	struct buf *line = buf_new(0);
	size_t  i;

	log_init("stream_test");
	plan(2 * (int)SYS_ARRAY_LEN(line_cases) + 3 + 1 + 6);
	for (i = 0; i < SYS_ARRAY_LEN(line_cases); i++) {
		run_case(&line_cases[i], false, line);
		run_case(&line_cases[i], true, line);
	}
	test_pending(line);
	test_timeout(line);
	test_writes(line);
	buf_free(line);
	return done();
}
