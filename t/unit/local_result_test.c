/* local_result_test.c - unit tests of local's results and log lines
 *
 * Table-driven: Postfix's delay format (two significant digits, at most
 * two decimals, truncated), the errno classification of write failures,
 * and the delivery log line as a tool reading Postfix logs expects it
 * (captured through log_set_capture).
 */
#include "../../local/local.h"
#include "buf.h"
#include "log.h"
#include "proto.h"
#include "tap.h"

struct delay_case {
	long long us;
	const char *want;
};

static const struct delay_case delay_cases[] = {
	{0, "0"}, {9999, "0"}, {10000, "0.01"}, {50000, "0.05"},
	{59999, "0.05"}, {100000, "0.1"}, {380000, "0.38"}, {999999, "0.99"},
	{1000000, "1"}, {1099999, "1"}, {1100000, "1.1"}, {8450000, "8.4"},
	{9999999, "9.9"}, {10000000, "10"}, {24700000, "24"},
	{338000000, "338"}, {-5, "0"},
};

struct errno_case {
	int	err;
	int	status;
	const char *dsn;
};

static const struct errno_case errno_cases[] = {
	{EDQUOT, PROTO_STATUS_DEFER, "4.2.2"},
	{EFBIG, PROTO_STATUS_BOUNCE, "5.2.2"},
	{ENOSPC, PROTO_STATUS_DEFER, "4.3.1"},
	{EIO, PROTO_STATUS_DEFER, "4.2.0"},
	{EACCES, PROTO_STATUS_DEFER, "4.2.0"},
};

struct log_case {
	const char *name;
	const char *rcpt;
	const char *orcpt;
	long long arrival, start, end;
	int	status;
	const char *dsn;
	const char *reason;
	const char *want;	/* the text after "local[pid]: " */
};

static const struct log_case log_cases[] = {
	{"sent", "u@localhost", "", 0, 40000, 50000, PROTO_STATUS_OK,
	    "2.0.0", "delivered to maildir",
	    "ID: to=<u@localhost>, relay=local, delay=0.05, "
	    "delays=0.04/0/0/0.01, dsn=2.0.0, status=sent (delivered to "
	    "maildir)"},
	{"orig_to differs", "u@localhost", "alias@example.com", 0, 1000000,
	    1500000, PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"u\"",
	    "ID: to=<u@localhost>, orig_to=<alias@example.com>, relay=local, "
	    "delay=1.5, delays=1/0/0/0.5, dsn=5.1.1, status=bounced (unknown "
	    "user: \"u\")"},
	{"orig_to same but case", "u@localhost", "U@LOCALHOST", 0, 0, 0,
	    PROTO_STATUS_DEFER, "4.2.0", "cannot lock",
	    "ID: to=<u@localhost>, relay=local, delay=0, delays=0/0/0/0, "
	    "dsn=4.2.0, status=deferred (cannot lock)"},
	{"control characters", "u\tx@localhost", "", 0, 0, 0,
	    PROTO_STATUS_OK, "2.0.0", "ok",
	    "ID: to=<u?x@localhost>, relay=local, delay=0, delays=0/0/0/0, "
	    "dsn=2.0.0, status=sent (ok)"},
};

static char last_line[4096];

/* capture - keep the last log line */
static void
capture(const char *line)
{
	(void)snprintf(last_line, sizeof(last_line), "%s", line);
}

/* main - run the cases, print TAP */
int
main(void)
{
	struct local_result res;
	struct buf *out = buf_new(0);
	const char *text;
	size_t  i;

	log_init("local");
	log_set_capture(capture);
	plan((int)(SYS_ARRAY_LEN(delay_cases) + SYS_ARRAY_LEN(errno_cases) +
	    SYS_ARRAY_LEN(log_cases) + 1));
	for (i = 0; i < SYS_ARRAY_LEN(delay_cases); i++) {
		buf_reset(out);
		local_format_delay(out, delay_cases[i].us);
		if (!ok(strcmp(buf_str(out), delay_cases[i].want) == 0,
		    "delay %lld us is %s", delay_cases[i].us,
		    delay_cases[i].want))
			diag("got %s", buf_str(out));
	}
	for (i = 0; i < SYS_ARRAY_LEN(errno_cases); i++) {
		local_result_errno(&res, errno_cases[i].err, "write", "/x");
		ok(res.status == errno_cases[i].status &&
		    strcmp(res.dsn, errno_cases[i].dsn) == 0 &&
		    strstr(res.reason, "/x: ") != NULL,
		    "%s is %s (%s)", strerror(errno_cases[i].err),
		    errno_cases[i].dsn, res.reason);
	}
	for (i = 0; i < SYS_ARRAY_LEN(log_cases); i++) {
		const struct log_case *c = &log_cases[i];

		local_result_set(&res, c->status, c->dsn, "%s", c->reason);
		last_line[0] = '\0';
		local_result_log("ID", c->rcpt, c->orcpt, c->arrival, c->start,
		    c->end, &res);
		text = strstr(last_line, "]: ");
		is_str(text ? text + 3 : last_line, c->want, c->name);
	}
	local_result_set(&res, PROTO_STATUS_DEFER, "4.3.0", "%s",
	    "a reason much longer than the buffer .................."
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................"
	    "........................................................");
	ok(strlen(res.reason) == LOCAL_REASON_MAX - 1,
	    "a long reason is cut to fit");
	buf_free(out);
	return done();
}
