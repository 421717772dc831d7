/* cleanup_message_test.c - unit tests of cleanup's content filter
 *
 * Linked with cleanup's objects except cleanup.o. Table-driven cases for
 * header detection, the Date format, and the filter itself (folding, the
 * header size limit at and past the limit, added Message-ID and Date, the
 * missing separator, CRLF, a last line without LF), each fed whole and
 * one byte at a time. Then the golden files: every
 * t/data/cleanup/<case>.in is filtered (whole, in 1-byte and in 7-byte
 * chunks; all three must agree) and compared with <case>.ref, which holds
 * the output content followed by one line "--- result=R message-id=V".
 * The queue id, hostname, time (TZ=UTC0) and header limit are fixed here.
 * The data directory is $POSTERN_TESTDATA/cleanup, default t/data/cleanup
 * (make test runs from the top of the tree).
 */
#include "../../cleanup/cleanup.h"
#include "buf.h"
#include "mem.h"
#include "tap.h"

#include <dirent.h>

#define TEST_ID		"0123456789ABCDEF0"
#define TEST_HOST	"mail.example"
/* Tue, 14 Nov 2023 22:13:20 UTC */
#define TEST_TIME	((time_t)1700000000)
#define TEST_LIMIT	1024
#define TEST_FILE_MAX	(1024 * 1024)
#define TEST_MAX_CASES	200

#define ADDED_MID	"Message-ID: <" TEST_ID "@" TEST_HOST ">\n"
#define ADDED_DATE	"Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
#define ADDED		ADDED_MID ADDED_DATE

struct header_case {
	const char *name;
	const char *line;
	bool	want;
	size_t	want_name_len;
};

static const struct header_case header_cases[] = {
	{"simple header", "Subject: hi\n", true, 7},
	{"empty value", "X-Empty:\n", true, 7},
	{"space before colon", "Subject : hi\n", true, 7},
	{"tab before colon", "Subject\t: hi\n", true, 7},
	{"no colon", "just text\n", false, 0},
	{"leading space", " Subject: hi\n", false, 0},
	{"empty line", "\n", false, 0},
	{"colon first", ": value\n", false, 0},
	{"control char in name", "Sub\001ject: x\n", false, 0},
	{"8-bit name", "Sub\351ject: x\n", false, 0},
	{"From_ line", "From someone Tue Nov 14\n", false, 0},
	{"name only, end of input", "Subject", false, 0},
};

struct date_case {
	const char *name;
	const char *tz;
	time_t	t;
	const char *want;
};

static const struct date_case date_cases[] = {
	{"utc", "UTC0", TEST_TIME, "Tue, 14 Nov 2023 22:13:20 +0000"},
	{"positive half-hour zone", "IST-5:30", TEST_TIME,
	"Wed, 15 Nov 2023 03:43:20 +0530"},
	{"negative zone", "EST5", TEST_TIME,
	"Tue, 14 Nov 2023 17:13:20 -0500"},
	{"single-digit day", "UTC0", (time_t)946771200,
	"Sun, 2 Jan 2000 00:00:00 +0000"},
};

struct filter_case {
	const char *name;
	const char *in;
	const char *want;
	enum cleanup_msg_result result;
	const char *want_mid;
};

#define X10	"xxxxxxxxxx"
#define X100	X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define LONG_VALUE_1000	X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

/* "X: " + 1000 + 20 + "\n" = 1024 bytes: exactly the limit */
#define AT_LIMIT	"X: " LONG_VALUE_1000 "xxxxxxxxxxxxxxxxxxxx\n"
/* one byte more */
#define PAST_LIMIT	"X: " LONG_VALUE_1000 "xxxxxxxxxxxxxxxxxxxxx\n"
/* folded: "X: " + 1000 + "\n" (1004) + " " + 18 + "\n" (20) = 1024 */
#define FOLD_AT_LIMIT	"X: " LONG_VALUE_1000 "\n xxxxxxxxxxxxxxxxxx\n"
#define FOLD_PAST_LIMIT	"X: " LONG_VALUE_1000 "\n xxxxxxxxxxxxxxxxxxx\n"

static const struct filter_case filter_cases[] = {
	{"headers and body", "Subject: a\n\nbody\n",
	"Subject: a\n" ADDED "\nbody\n", CLEANUP_MSG_OK,
	"<" TEST_ID "@" TEST_HOST ">"},
	{"message-id and date present",
	"Message-ID: <x@y>\nDate: whenever\n\nb\n",
	"Message-ID: <x@y>\nDate: whenever\n\nb\n", CLEANUP_MSG_OK, "<x@y>"},
	{"header names case-insensitive",
	"message-id:   <x@y>  \nDATE: now\n\nb\n",
	"message-id:   <x@y>  \nDATE: now\n\nb\n", CLEANUP_MSG_OK, "<x@y>"},
	{"folded message-id", "Message-Id:\n <folded@y>\n\nb\n",
	"Message-Id:\n <folded@y>\n" ADDED_DATE "\nb\n", CLEANUP_MSG_OK,
	"<folded@y>"},
	{"folded header kept byte-exact", "Subject: a\n\tb\n  c\nTo: t\n\nx\n",
	"Subject: a\n\tb\n  c\nTo: t\n" ADDED "\nx\n", CLEANUP_MSG_OK, NULL},
	{"date only missing", "Message-ID: <m@h>\n\nb\n",
	"Message-ID: <m@h>\n" ADDED_DATE "\nb\n", CLEANUP_MSG_OK, "<m@h>"},
	{"no separator, no body", "Subject: a\n",
	"Subject: a\n" ADDED, CLEANUP_MSG_OK, NULL},
	{"empty content", "", ADDED, CLEANUP_MSG_OK, NULL},
	{"only a separator", "\n", ADDED "\n", CLEANUP_MSG_OK, NULL},
	{"last header without LF", "Subject: a",
	"Subject: a\n" ADDED, CLEANUP_MSG_OK, NULL},
	{"body without final LF", "S: a\n\nbody", "S: a\n" ADDED "\nbody\n",
	CLEANUP_MSG_OK, NULL},
	{"non-header line ends the headers", "Subject: a\nhello world\nmore\n",
	"Subject: a\n" ADDED "\nhello world\nmore\n", CLEANUP_MSG_OK, NULL},
	{"no headers at all", "hello\n", ADDED "\nhello\n", CLEANUP_MSG_OK,
	NULL},
	{"leading white space, no header before", " x\n",
	ADDED "\n x\n", CLEANUP_MSG_OK, NULL},
	{"crlf separator", "Subject: a\r\n\r\nb\r\n",
	"Subject: a\r\n" ADDED "\r\nb\r\n", CLEANUP_MSG_OK, NULL},
	{"body headers untouched", "S: a\n\nMessage-ID: <no@body>\n",
	"S: a\n" ADDED "\nMessage-ID: <no@body>\n", CLEANUP_MSG_OK, NULL},
	{"second message-id kept, first logged",
	"Message-ID: <1@h>\nMessage-ID: <2@h>\n\n",
	"Message-ID: <1@h>\nMessage-ID: <2@h>\n" ADDED_DATE "\n",
	CLEANUP_MSG_OK, "<1@h>"},
	{"header at the size limit", AT_LIMIT "\nb\n",
	AT_LIMIT ADDED "\nb\n", CLEANUP_MSG_OK, NULL},
	{"header past the size limit", PAST_LIMIT "\nb\n", "",
	CLEANUP_MSG_HEADER_LIMIT, NULL},
	{"folded header at the size limit", FOLD_AT_LIMIT "\n",
	FOLD_AT_LIMIT ADDED "\n", CLEANUP_MSG_OK, NULL},
	{"folded header past the size limit", "A: 1\n" FOLD_PAST_LIMIT "\n",
	"A: 1\n", CLEANUP_MSG_HEADER_LIMIT, NULL},
	{"long body line is no header", "S: a\n\n" PAST_LIMIT PAST_LIMIT,
	"S: a\n" ADDED "\n" PAST_LIMIT PAST_LIMIT, CLEANUP_MSG_OK, NULL},
	{"long first body line without separator",
	"S: a\nno header: " LONG_VALUE_1000 "\nb\n",
	"S: a\n" ADDED "\nno header: " LONG_VALUE_1000 "\nb\n", CLEANUP_MSG_OK,
	NULL},
	{"long name-like line past the limit", "S: a\n" LONG_VALUE_1000
	LONG_VALUE_1000 "\n", "", CLEANUP_MSG_HEADER_LIMIT, NULL},
	{"long continuation past the limit", "S: a\n " LONG_VALUE_1000
	LONG_VALUE_1000 "\n", "", CLEANUP_MSG_HEADER_LIMIT, NULL},
};

/* test_out - the filter's out function: collect in a buf */
static int
test_out(void *ctx, const char *data, size_t len)
{
	return buf_append(ctx, data, len);
}

/* test_filter - run in through a filter in chunks of step (0: whole) */
static enum cleanup_msg_result
test_filter(const char *in, size_t len, size_t step, struct buf *out,
    struct buf *mid)
{
	struct cleanup_msg m;
	enum cleanup_msg_result r = CLEANUP_MSG_OK;
	size_t  off, n;

	buf_reset(out);
	cleanup_msg_init(&m, TEST_ID, TEST_HOST, TEST_TIME, TEST_LIMIT,
	    test_out, out);
	for (off = 0; off < len && r == CLEANUP_MSG_OK; off += n) {
		n = step == 0 || len - off < step ? len - off : step;
		r = cleanup_msg_input(&m, in + off, n);
	}
	if (r == CLEANUP_MSG_OK)
		r = cleanup_msg_finish(&m);
	buf_reset(mid);
	if (m.headers_done)
		(void)buf_append(mid, buf_str(m.message_id),
		    buf_len(m.message_id));
	cleanup_msg_free(&m);
	return r;
}

static const char *const test_result_names[] = {
	[CLEANUP_MSG_OK] = "ok",
	[CLEANUP_MSG_HEADER_LIMIT] = "header-limit",
	[CLEANUP_MSG_WRITE_ERROR] = "write-error",
};

/* test_render - output plus the result line, as in a .ref file */
static void
test_render(struct buf *dst, const struct buf *out,
    enum cleanup_msg_result r, const struct buf *mid)
{
	buf_reset(dst);
	(void)buf_append(dst, buf_str(out), buf_len(out));
	(void)buf_printf(dst, "--- result=%s message-id=%s\n",
	    test_result_names[r], buf_len(mid) ? buf_str(mid) : "-");
}

/* test_read - a whole file into b; 0 or -1 */
static int
test_read(const char *path, struct buf *b)
{
	char	chunk[4096];
	size_t  n;
	FILE   *fp;
	int	ret = 0;

	buf_reset(b);
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) < 0)
			ret = -1;
	if (ferror(fp))
		ret = -1;
	(void)fclose(fp);
	return ret;
}

/* test_cmp_names - qsort order of case names */
static int
test_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* test_golden_cases - the sorted <case> names of dir; count or -1 */
static int
test_golden_cases(const char *dir, char **names, int max)
{
	struct dirent *de;
	DIR    *dp;
	size_t  len;
	int	n = 0;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL && n < max) {
		len = strlen(de->d_name);
		if (len > 3 && strcmp(de->d_name + len - 3, ".in") == 0)
			names[n++] = xstrndup(de->d_name, len - 3);
	}
	(void)closedir(dp);
	qsort(names, (size_t)n, sizeof(names[0]), test_cmp_names);
	return n;
}

/* test_golden - one golden case: all chunkings must match the .ref */
static void
test_golden(const char *dir, const char *name)
{
	static const size_t steps[] = {0, 1, 7};
	struct buf *in = buf_new(TEST_FILE_MAX), *ref = buf_new(TEST_FILE_MAX);
	struct buf *out = buf_new(TEST_FILE_MAX), *mid = buf_new(0);
	struct buf *got = buf_new(2 * TEST_FILE_MAX), *path = buf_new(0);
	enum cleanup_msg_result r;
	size_t  i;
	bool	same = true;

	(void)buf_printf(path, "%s/%s.in", dir, name);
	if (test_read(buf_str(path), in) < 0) {
		ok(0, "golden %s: read %s", name, buf_str(path));
		goto fail;
	}
	buf_reset(path);
	(void)buf_printf(path, "%s/%s.ref", dir, name);
	if (test_read(buf_str(path), ref) < 0) {
		ok(0, "golden %s: read %s", name, buf_str(path));
		goto fail;
	}
	for (i = 0; i < SYS_ARRAY_LEN(steps) && same; i++) {
		r = test_filter(buf_str(in), buf_len(in), steps[i], out, mid);
		test_render(got, out, r, mid);
		same = buf_len(got) == buf_len(ref)
		    && memcmp(buf_str(got), buf_str(ref), buf_len(ref)) == 0;
		if (!same)
			diag("chunks of %zu: got:\n%s", steps[i],
			    buf_str(got));
	}
	ok(same, "golden %s", name);
fail:
	buf_free(in);
	buf_free(ref);
	buf_free(out);
	buf_free(mid);
	buf_free(got);
	buf_free(path);
}

int
main(void)
{
	char   *names[TEST_MAX_CASES], dir[PATH_MAX / 2];
	const char *base = getenv("POSTERN_TESTDATA");
	struct buf *out = buf_new(0), *mid = buf_new(0);
	char	date[64];
	size_t  i, len, name_len;
	int	n, j;
	bool	got;

	if (snprintf(dir, sizeof(dir), "%s/cleanup", base != NULL ? base :
	    "t/data") >= (int)sizeof(dir))
		dir[0] = '\0';
	n = test_golden_cases(dir, names, TEST_MAX_CASES);
	plan((int)(SYS_ARRAY_LEN(header_cases) + SYS_ARRAY_LEN(date_cases)
	    + 2 * SYS_ARRAY_LEN(filter_cases)) + (n > 0 ? n : 1));

	for (i = 0; i < SYS_ARRAY_LEN(header_cases); i++) {
		const struct header_case *c = &header_cases[i];

		name_len = 0;
		got = cleanup_msg_is_header(c->line, strlen(c->line),
		    &name_len);
		if (!ok(got == c->want && name_len == c->want_name_len,
		    "is_header: %s", c->name))
			diag("got %d/%zu, want %d/%zu", got, name_len, c->want,
			    c->want_name_len);
	}

	for (i = 0; i < SYS_ARRAY_LEN(date_cases); i++) {
		const struct date_case *c = &date_cases[i];

		setenv("TZ", c->tz, 1);
		tzset();
		if (cleanup_msg_date(date, sizeof(date), c->t) < 0)
			date[0] = '\0';
		is_str(date, c->want, c->name);
	}
	setenv("TZ", "UTC0", 1);
	tzset();

	for (i = 0; i < SYS_ARRAY_LEN(filter_cases); i++) {
		const struct filter_case *c = &filter_cases[i];
		enum cleanup_msg_result r;
		size_t  step;

		len = strlen(c->in);
		for (step = 0; step <= 1; step++) {
			r = test_filter(c->in, len, step, out, mid);
			got = r == c->result && strcmp(buf_str(out),
			    c->want) == 0 && (c->want_mid == NULL
			    || strcmp(buf_str(mid), c->want_mid) == 0);
			if (!ok(got, "filter%s: %s", step ? " bytewise" : "",
			    c->name))
				diag("result %d (want %d), message-id \"%s\", "
				    "output:\n%s", r, c->result, buf_str(mid),
				    buf_str(out));
		}
	}

	if (n <= 0)
		ok(0, "golden files in %s", dir);
	for (j = 0; j < n; j++) {
		test_golden(dir, names[j]);
		free(names[j]);
	}
	buf_free(out);
	buf_free(mid);
	return done();
}
