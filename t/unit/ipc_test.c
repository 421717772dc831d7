/* ipc_test.c - unit tests of util/ipc.c: wire format, limits, errors
 *
 * A table of raw byte strings fed through a socketpair to ipc_get checks
 * each rule of the receiver (limits at and past the maximum, duplicate,
 * missing, unknown, bad integer, NUL in a string, truncation, clean EOF);
 * then round trips through the put functions (with a large value written by
 * a child), the protocol banner, the timeout, a vanished peer, descriptor
 * passing and ipc_connect to private/ and public/ sockets in a temporary
 * directory.
 */
#include "buf.h"
#include "ipc.h"
#include "log.h"

#include "tap.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define BYTES(s)	s, sizeof(s) - 1

static const struct ipc_spec spec[] = {
	{"name", IPC_STR, true, 8},
	{"count", IPC_INT, false, 0},
	{"blob", IPC_DATA, false, 16},
};

struct get_case {
	const char *name;
	const char *in;
	size_t	len;
	int	want;		/* ipc_get result */
	const char *why;	/* substring of why, or the name value */
};

static const struct get_case get_cases[] = {
	{"minimal list", BYTES("\x04name\0\0\0\x03" "bob\0"), 0, "bob"},
	{"all attributes", BYTES("\x05" "count\0\0\0\x02-7\x04name\0\0\0\x01x"
	    "\x04" "blob\0\0\0\x03" "a\0b\0"), 0, "x"},
	{"string at max", BYTES("\x04name\0\0\0\x08" "12345678\0"), 0,
	    "12345678"},
	{"string past max", BYTES("\x04name\0\0\0\x09" "123456789\0"), -1,
	    "name: value of 9 bytes exceeds the limit of 8"},
	{"data at max", BYTES("\x04name\0\0\0\0\x04" "blob\0\0\0\x10"
	    "0123456789abcdef\0"), 0, ""},
	{"data past max", BYTES("\x04name\0\0\0\0\x04" "blob\0\0\0\x11"
	    "0123456789abcdefg\0"), -1, "blob: value of 17 bytes"},
	{"default max 4096 passed", BYTES("\x04name\0\0\0\0\x05" "count\0\0"
	    "\x10\x01"), -1, "count: value of 4097 bytes exceeds the limit "
	    "of 4096"},
	{"huge length", BYTES("\x04name\xff\xff\xff\xff"), -1,
	    "exceeds the limit"},
	{"duplicate", BYTES("\x04name\0\0\0\x01" "a\x04name\0\0\0\x01" "b\0"),
	    -1, "duplicate attribute name"},
	{"missing required", BYTES("\x05" "count\0\0\0\x01" "1\0"), -1,
	    "missing attribute name"},
	{"empty list", BYTES("\0"), -1, "missing attribute name"},
	{"unknown", BYTES("\x04name\0\0\0\x01" "a\x03" "foo\0\0\0\0\0"), -1,
	    "unknown attribute foo"},
	{"unknown unprintable", BYTES("\x02\x01\xff\0\0\0\0\0"), -1,
	    "unknown attribute ??"},
	{"name too long", BYTES("\x41"), -1, "attribute name longer than 64"},
	{"string with NUL", BYTES("\x04name\0\0\0\x03" "a\0b\0"), -1,
	    "name: NUL byte in string"},
	{"int negative", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x02-5\0"),
	    0, ""},
	{"int max", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x13"
	    "9223372036854775807\0"), 0, ""},
	{"int min", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x14"
	    "-9223372036854775808\0"), 0, ""},
	{"int overflow", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x13"
	    "9223372036854775808\0"), -1, "count: bad integer"},
	{"int negative overflow", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0"
	    "\x14-9223372036854775809\0"), -1, "count: bad integer"},
	{"int junk", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x03" "12a\0"),
	    -1, "count: bad integer"},
	{"int empty", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\0\0"), -1,
	    "count: bad integer"},
	{"int lone minus", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x01-\0"),
	    -1, "count: bad integer"},
	{"int plus sign", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x02+1\0"),
	    -1, "count: bad integer"},
	{"int space", BYTES("\x04name\0\0\0\0\x05" "count\0\0\0\x02 1\0"),
	    -1, "count: bad integer"},
	{"clean eof", BYTES(""), 1, ""},
	{"truncated in name", BYTES("\x04na"), -1,
	    "unexpected end of input reading attribute name"},
	{"truncated in length", BYTES("\x04name\0\0"), -1,
	    "unexpected end of input reading name"},
	{"truncated in value", BYTES("\x04name\0\0\0\x05" "ab"), -1,
	    "unexpected end of input reading name"},
	{"truncated before end", BYTES("\x04name\0\0\0\x01" "a"), -1,
	    "unexpected end of input reading attribute name length"},
};

/* feed - an ipc reading len bytes of in; the writer closes unless keep */
static struct ipc *
feed(const char *in, size_t len, int *keep)
{
	int     sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	if (len > 0 && write(sv[1], in, len) != (ssize_t)len)
		log_fatal("write: %m");
	if (keep != NULL)
		*keep = sv[1];
	else
		(void)close(sv[1]);
	return ipc_open(sv[0], 5000);
}

/* test_get_cases - the table */
static void
test_get_cases(struct buf *why)
{
	struct ipc_msg msg = {0};
	const struct get_case *c;
	struct ipc *ipc;
	size_t  i;
	int     ret;

	for (i = 0; i < SYS_ARRAY_LEN(get_cases); i++) {
		c = &get_cases[i];
		buf_reset(why);
		ipc = feed(c->in, c->len, NULL);
		ret = ipc_get(ipc, spec, SYS_ARRAY_LEN(spec), &msg, why);
		if (ret == 0 && c->why[0] != '\0')
			ok(strcmp(ipc_str(&msg, 0), c->why) == 0, "%s",
			    c->name);
		else if (ret < 0)
			ok(c->want < 0 && strstr(buf_str(why), c->why) != NULL,
			    "%s", c->name);
		else
			ok(ret == c->want, "%s", c->name);
		if (ret != c->want || (ret < 0 && !strstr(buf_str(why),
		    c->why)))
			diag("got %d (%s)", ret, buf_str(why));
		ipc_free(ipc);
	}
	ipc_msg_free(&msg);
}

/* test_values - decoded values of a good list */
static void
test_values(struct buf *why)
{
	struct ipc_msg msg = {0};
	struct ipc *ipc;

	ipc = feed(BYTES("\x05" "count\0\0\0\x02-7\x04name\0\0\0\x01x"
	    "\x04" "blob\0\0\0\x03" "a\0b\0\x04name\0\0\0\x01y\0"), NULL);
	is_int(ipc_get(ipc, spec, 3, &msg, why), 0, "values: first list");
	is_int(ipc_num(&msg, 1), -7, "values: int decoded");
	ok(ipc_len(&msg, 2) == 3 && memcmp(ipc_str(&msg, 2), "a\0b", 3) == 0,
	    "values: binary data kept");
	is_int(ipc_get(ipc, spec, 3, &msg, why), 0, "values: second list");
	ok(!msg.vals[1].present && ipc_num(&msg, 1) == 0
	    && strcmp(ipc_str(&msg, 2), "") == 0 && ipc_len(&msg, 2) == 0,
	    "values: absent after reuse read as 0 and \"\"");
	is_str(ipc_str(&msg, 0), "y", "values: reused buffer holds new value");
	is_int(ipc_get(ipc, spec, 3, &msg, why), 1, "values: then clean eof");
	ipc_msg_free(&msg);
	ok(msg.vals[0].data == NULL, "values: ipc_msg_free zeroes");
	ipc_free(ipc);
}

/* test_broken - an error leaves the connection failed */
static void
test_broken(struct buf *why)
{
	struct ipc_msg msg = {0};
	struct ipc *ipc;

	ipc = feed(BYTES("\x03" "foo\0\0\0\0\0\x04name\0\0\0\x01x\0"), NULL);
	is_int(ipc_get(ipc, spec, 3, &msg, why), -1, "broken: first error");
	is_int(ipc_get(ipc, spec, 3, &msg, why), -1,
	    "broken: later lists refused");
	ipc_free(ipc);
	ipc_msg_free(&msg);
}

/* test_too_many - more than IPC_MAX_ATTRS attributes */
static void
test_too_many(struct buf *why)
{
	struct ipc_spec big[IPC_MAX_ATTRS];
	static char names[IPC_MAX_ATTRS][8];
	struct ipc_msg msg = {0};
	struct buf *raw = buf_new(0);
	struct ipc *ipc;
	int     i, count;

	for (i = 0; i < IPC_MAX_ATTRS; i++) {
		(void)snprintf(names[i], sizeof(names[i]), "a%02d", i);
		big[i].name = names[i];
		big[i].type = IPC_STR;
		big[i].required = false;
		big[i].max = 0;
	}
	for (count = IPC_MAX_ATTRS; count <= IPC_MAX_ATTRS + 1; count++) {
		buf_reset(raw);
		for (i = 0; i < count; i++)
			buf_printf(raw, "%c%s%c%c%c%c", 3,
			    names[i % IPC_MAX_ATTRS], 0, 0, 0, 0);
		buf_append_char(raw, 0);
		ipc = feed(buf_str(raw), buf_len(raw), NULL);
		if (count == IPC_MAX_ATTRS)
			is_int(ipc_get(ipc, big, IPC_MAX_ATTRS, &msg, why), 0,
			    "32 attributes accepted");
		else
			ok(ipc_get(ipc, big, IPC_MAX_ATTRS, &msg, why) < 0
			    && strstr(buf_str(why), "more than 32") != NULL,
			    "33 attributes refused");
		ipc_free(ipc);
	}
	buf_free(raw);
	ipc_msg_free(&msg);
}

/* test_round_trip - put, end, get; a large value through a child */
static void
test_round_trip(struct buf *why)
{
	static const struct ipc_spec rspec[] = {
		{"s", IPC_STR, true, 0},
		{"n", IPC_INT, true, 0},
		{"d", IPC_DATA, true, 300 * 1024},
	};
	struct ipc_msg msg = {0};
	struct ipc *a, *b;
	char   *big;
	size_t  i, len = 300 * 1024;
	int     sv[2], status;
	pid_t   pid;

	big = malloc(len);
	for (i = 0; i < len; i++)
		big[i] = (char)(i * 7);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	pid = fork();
	if (pid < 0)
		log_fatal("fork: %m");
	if (pid == 0) {
		(void)close(sv[0]);
		a = ipc_open(sv[1], 5000);
		ipc_put_str(a, "s", "hello");
		ipc_put_int(a, "n", LLONG_MIN);
		ipc_put_data(a, "d", big, len);
		_exit(ipc_end(a) == 0 && ipc_send_proto(a, "test/1") == 0
		    ? 0 : 1);
	}
	(void)close(sv[1]);
	b = ipc_open(sv[0], 5000);
	is_int(ipc_get(b, rspec, 3, &msg, why), 0, "round trip: large list");
	is_str(ipc_str(&msg, 0), "hello", "round trip: string");
	ok(ipc_num(&msg, 1) == LLONG_MIN, "round trip: LLONG_MIN");
	ok(ipc_len(&msg, 2) == len && memcmp(ipc_str(&msg, 2), big, len) == 0,
	    "round trip: 300 KiB of data");
	is_int(ipc_expect_proto(b, "test/1", why), 0, "proto: banner ok");
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status)
	    && WEXITSTATUS(status) == 0, "round trip: writer succeeded");
	ipc_free(b);
	ipc_msg_free(&msg);
	free(big);
}

/* test_proto - banner mismatch and missing banner */
static void
test_proto(struct buf *why)
{
	struct ipc *ipc;

	ipc = feed(BYTES("\x05proto\0\0\0\x08qmgr/1\n\x01\0"), NULL);
	ok(ipc_expect_proto(ipc, "cleanup/1", why) < 0
	    && strstr(buf_str(why), "want cleanup/1, got qmgr/1??") != NULL,
	    "proto: mismatch refused");
	ipc_free(ipc);
	ipc = feed(BYTES(""), NULL);
	ok(ipc_expect_proto(ipc, "cleanup/1", why) < 0
	    && strstr(buf_str(why), "before the protocol banner") != NULL,
	    "proto: eof before banner");
	ipc_free(ipc);
}

/* test_timeout - no input within the timeout is an error */
static void
test_timeout(struct buf *why)
{
	struct ipc_msg msg = {0};
	struct ipc *ipc;
	int     keep;

	ipc = feed(BYTES("\x04name\0\0"), &keep);
	ipc_set_timeout(ipc, 50);
	ok(ipc_get(ipc, spec, 3, &msg, why) < 0
	    && strstr(buf_str(why), "timeout reading name") != NULL,
	    "timeout in the middle of a list");
	ipc_free(ipc);
	(void)close(keep);
	ipc_msg_free(&msg);
}

/* test_peer_gone - writing to a closed peer fails without SIGPIPE */
static void
test_peer_gone(void)
{
	struct ipc *ipc;
	int     sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		log_fatal("socketpair: %m");
	(void)close(sv[1]);
	ipc = ipc_open(sv[0], 1000);
	ipc_put_str(ipc, "a", "b");
	ok(ipc_end(ipc) < 0 && errno == EPIPE, "write to a closed peer: -1");
	ok(ipc_flush(ipc) < 0, "write error sticks");
	ipc_free(ipc);
}

/* test_fd_passing - SCM_RIGHTS */
static void
test_fd_passing(void)
{
	int     sv[2], p[2], fd;
	char    c = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(p) < 0)
		log_fatal("socketpair: %m");
	is_int(ipc_send_fd(sv[0], p[1]), 0, "send_fd");
	fd = ipc_recv_fd(sv[1]);
	ok(fd >= 0 && write(fd, "z", 1) == 1 && read(p[0], &c, 1) == 1
	    && c == 'z', "recv_fd: a working descriptor");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	    "recv_fd: close-on-exec");
	(void)close(fd);
	ok(write(sv[0], "x", 1) == 1 && ipc_recv_fd(sv[1]) < 0
	    && errno == EPROTO,
	    "recv_fd: byte without a descriptor refused");
	(void)close(sv[0]);
	ok(ipc_recv_fd(sv[1]) < 0 && errno == ECONNRESET, "recv_fd: eof");
	(void)close(sv[1]);
	(void)close(p[0]);
	(void)close(p[1]);
}

/* listen_at - a listening UNIX socket at path */
static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int     fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0
	    || listen(fd, 5) < 0)
		log_fatal("listen %s: %m", path);
	return fd;
}

/* test_connect - private/ first, then public/, then failure */
static void
test_connect(struct buf *why)
{
	char    dir[] = "/tmp/ipc_test.XXXXXX", old[PATH_MAX];
	struct ipc *ipc;
	int     lp, lq, fd;

	if (mkdtemp(dir) == NULL || getcwd(old, sizeof(old)) == NULL
	    || chdir(dir) < 0 || mkdir("private", 0700) < 0
	    || mkdir("public", 0700) < 0)
		log_fatal("setup %s: %m", dir);
	lp = listen_at("private/svc");
	lq = listen_at("public/pub");
	ipc = ipc_connect("svc", 1000, why);
	fd = accept(lp, NULL, NULL);
	ok(ipc != NULL && fd >= 0, "connect: private/svc");
	if (ipc != NULL)
		ok(fcntl(ipc_fd(ipc), F_GETFD) & FD_CLOEXEC,
		    "connect: close-on-exec");
	else
		ok(0, "connect: close-on-exec");
	ipc_free(ipc);
	(void)close(fd);
	ipc = ipc_connect("pub", 1000, why);
	fd = accept(lq, NULL, NULL);
	ok(ipc != NULL && fd >= 0, "connect: public/pub");
	ipc_free(ipc);
	(void)close(fd);
	ipc = ipc_connect("none", 1000, why);
	ok(ipc == NULL && strstr(buf_str(why), "private/none") != NULL,
	    "connect: missing service");
	ipc = ipc_connect("../x", 1000, why);
	ok(ipc == NULL && strstr(buf_str(why), "bad service") != NULL,
	    "connect: slash in service name refused");
	(void)close(lp);
	(void)close(lq);
	(void)unlink("private/svc");
	(void)unlink("public/pub");
	(void)rmdir("private");
	(void)rmdir("public");
	if (chdir(old) < 0 || rmdir(dir) < 0)
		log_fatal("cleanup %s: %m", dir);
}

int
main(void)
{
	struct buf *why = buf_new(0);

	log_init("ipc_test");
	plan((int)SYS_ARRAY_LEN(get_cases) + 8 + 2 + 2 + 6 + 2 + 1 + 2 + 5
	    + 5);
	test_get_cases(why);
	test_values(why);
	test_broken(why);
	test_too_many(why);
	test_round_trip(why);
	test_proto(why);
	test_timeout(why);
	test_peer_gone();
	test_fd_passing();
	test_connect(why);
	buf_free(why);
	return done();
}
