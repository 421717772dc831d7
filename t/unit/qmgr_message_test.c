/* qmgr_message_test.c - qmgr's queue-file envelope reader
 *
 * Builds queue files with util/rec.c in a temporary queue directory and
 * loads them with qmgr_message_load: a good file (live and done
 * recipients, ORCPT/NOTIFY, DSN attributes), then one file per kind of
 * corruption, each of which must be refused and moved to corrupt/ without
 * a crash; also an unready file, a missing file, and marking a recipient
 * done in place (qmgr_message_mark_done), after which a reload skips it.
 * Linked with qmgr's objects except qmgr.o.
 */
#include "../../qmgr/qmgr.h"
#include "tap.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "rec.h"

#include <dirent.h>

/* how a test file differs from the good one */
enum mut {
	MUT_NONE, MUT_NO_END, MUT_TRAILING, MUT_VERSION, MUT_SIZE_LATE,
	MUT_SIZE_TOTAL, MUT_SIZE_OFFSET, MUT_SIZE_RCPTS, MUT_SIZE_JUNK,
	MUT_NO_TIME, MUT_NO_SENDER, MUT_BAD_TIME, MUT_ORCPT_ALONE,
	MUT_NOTIFY_RANGE, MUT_EMPTY_RCPT, MUT_DUP_ENVID, MUT_HUGE_RECORD,
	MUT_BAD_TYPE, MUT_EMPTY_FILE, MUT_END_PAYLOAD, MUT_DATA_IN_ENVELOPE,
	MUT_DUP_SENDER, MUT_NUL_SENDER, MUT_CTRL_RCPT,
};

static const struct tcase {
	const char *name;
	enum mut mut;
} corrupt_cases[] = {
	{"missing END record", MUT_NO_END},
	{"bytes after END", MUT_TRAILING},
	{"wrong version text", MUT_VERSION},
	{"SIZE not first in the envelope", MUT_SIZE_LATE},
	{"SIZE total length differs from the file", MUT_SIZE_TOTAL},
	{"SIZE content offset is not MESSAGE's", MUT_SIZE_OFFSET},
	{"SIZE recipient count is wrong", MUT_SIZE_RCPTS},
	{"SIZE field with junk", MUT_SIZE_JUNK},
	{"no TIME record", MUT_NO_TIME},
	{"no SENDER record", MUT_NO_SENDER},
	{"malformed TIME", MUT_BAD_TIME},
	{"ORCPT without a recipient", MUT_ORCPT_ALONE},
	{"NOTIFY out of range", MUT_NOTIFY_RANGE},
	{"empty recipient", MUT_EMPTY_RCPT},
	{"duplicate dsn_envid attribute", MUT_DUP_ENVID},
	{"record longer than the reader's maximum", MUT_HUGE_RECORD},
	{"unknown record type", MUT_BAD_TYPE},
	{"empty file", MUT_EMPTY_FILE},
	{"END record with a payload", MUT_END_PAYLOAD},
	{"DATA record in the envelope", MUT_DATA_IN_ENVELOPE},
	{"duplicate SENDER", MUT_DUP_SENDER},
	{"NUL byte in the sender", MUT_NUL_SENDER},
	{"CR LF in a recipient", MUT_CTRL_RCPT},
};

/* what the good file holds, for the checks */
static off_t good_rcpt_off[2];
static off_t good_msg_off;
static const char good_body[] = "Subject: test\n\nhello\n";

static int captured;

/* capture - swallow log lines (the corrupt ones are expected) */
static void
capture(const char *line)
{
	(void)line;
	captured++;
}

/* put_size - a SIZE payload */
static void
put_size(struct rec_writer *w, long long total, long long off,
    long long len, long long n)
{
	char    size[REC_SIZE_LEN + 1];

	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, total, off, len, n);
	(void)rec_put(w, REC_SIZE, size, REC_SIZE_LEN);
}

/* write_records - the records of the good file, with mutation m */
static void
write_records(struct rec_writer *w, enum mut m)
{
	char    size[REC_SIZE_LEN + 1];
	off_t   size_off, msg_off;
	long long total, clen = (long long)strlen(good_body), nrcpt = 3;

	(void)rec_put_str(w, REC_VERSION, m == MUT_VERSION ?
	    "postern-queue 9" : REC_VERSION_TEXT);
	if (m == MUT_SIZE_LATE)
		(void)rec_put_str(w, REC_TIME, "1700000000.123456");
	size_off = w->offset;
	put_size(w, 0, 0, 0, 0);
	if (m != MUT_NO_TIME && m != MUT_SIZE_LATE)
		(void)rec_put_str(w, REC_TIME, m == MUT_BAD_TIME ?
		    "1700000000.x" : "1700000000.123456");
	if (m != MUT_NO_SENDER) {
		if (m == MUT_NUL_SENDER)
			(void)rec_put(w, REC_SENDER, "a\0b@example.org", 15);
		else
			(void)rec_put_str(w, REC_SENDER, "alice@example.org");
	}
	if (m == MUT_DUP_SENDER)
		(void)rec_put_str(w, REC_SENDER, "eve@example.org");
	(void)rec_put_str(w, REC_ATTR, "client_address=192.0.2.1");
	(void)rec_put_str(w, REC_ATTR, "dsn_envid=ENV42");
	if (m == MUT_DUP_ENVID)
		(void)rec_put_str(w, REC_ATTR, "dsn_envid=ENV43");
	(void)rec_put_str(w, REC_ATTR, "dsn_ret=HDRS");
	if (m == MUT_BAD_TYPE)
		(void)rec_put_str(w, 'Z', "what");
	if (m == MUT_DATA_IN_ENVELOPE)
		(void)rec_put_str(w, REC_DATA, "early");
	if (m == MUT_HUGE_RECORD) {
		static char big[REC_MAX_DEFAULT + 1];

		memset(big, 'x', sizeof(big));
		(void)rec_put(w, REC_ATTR, big, sizeof(big));
	}
	/* a finished recipient, then two live ones */
	(void)rec_put_str(w, REC_DONE, "done@example.com");
	(void)rec_put_str(w, REC_ORCPT, "rfc822;orig@example.com");
	(void)rec_put_str(w, REC_NOTIFY, m == MUT_NOTIFY_RANGE ? "16" : "6");
	good_rcpt_off[0] = rec_put_str(w, REC_RCPT, "bob@example.com");
	good_rcpt_off[1] = rec_put_str(w, REC_RCPT, m == MUT_EMPTY_RCPT ?
	    "" : m == MUT_CTRL_RCPT ? "carol@example.net\r\nX-Evil: 1" :
	    "carol@example.net");
	if (m == MUT_ORCPT_ALONE)
		(void)rec_put_str(w, REC_ORCPT, "rfc822;lost@example.com");
	msg_off = rec_put(w, REC_MESSAGE, "", 0);
	good_msg_off = msg_off;
	(void)rec_put(w, REC_DATA, good_body, 7);
	(void)rec_put(w, REC_DATA, good_body + 7, strlen(good_body) - 7);
	if (m != MUT_NO_END)
		(void)rec_put(w, REC_END, m == MUT_END_PAYLOAD ? "x" : "",
		    m == MUT_END_PAYLOAD ? 1 : 0);
	if (m == MUT_TRAILING)
		(void)rec_put_str(w, REC_DATA, "after the end");
	total = (long long)w->offset;
	if (m == MUT_SIZE_TOTAL)
		total++;
	if (m == MUT_SIZE_RCPTS)
		nrcpt = 2;
	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, total,
	    (long long)msg_off + (m == MUT_SIZE_OFFSET ? 5 : 0), clen, nrcpt);
	if (m == MUT_SIZE_JUNK)
		size[3] = 'k';
	if (rec_overwrite(w, size_off, size, REC_SIZE_LEN) < 0) {
		perror("rec_overwrite");
		exit(1);
	}
}

/* write_file - queue/id with mutation m; mode as given */
static void
write_file(const char *queue, const char *id, enum mut m, mode_t mode)
{
	char    path[QUEUE_PATH_SIZE];
	struct rec_writer w;
	int     fd;

	(void)queue_path(path, sizeof(path), queue, id);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	rec_writer_init(&w, fd);
	if (m != MUT_EMPTY_FILE)
		write_records(&w, m);
	if (rec_flush(&w) < 0) {
		perror("rec_flush");
		exit(1);
	}
	rec_writer_done(&w);
	if (fchmod(fd, mode) < 0 || close(fd) < 0) {
		perror(path);
		exit(1);
	}
}

/* exists - whether queue/id is there */
static bool
exists(const char *queue, const char *id)
{
	char    path[QUEUE_PATH_SIZE];
	struct stat st;

	(void)queue_path(path, sizeof(path), queue, id);
	return stat(path, &st) == 0;
}

/* make_id - a valid queue ID numbered n */
static void
make_id(char id[QUEUE_ID_SIZE], unsigned n)
{
	(void)snprintf(id, QUEUE_ID_SIZE, "6560000000000%04X", n & 0xffff);
}

/* test_good - the good file, field by field */
static void
test_good(void)
{
	struct qmgr_message *msg = NULL;
	char    id[QUEUE_ID_SIZE];
	enum qmgr_load ret;

	make_id(id, 1);
	write_file(QUEUE_INCOMING, id, MUT_NONE, QUEUE_MODE_READY);
	ret = qmgr_message_load(QUEUE_INCOMING, id, true, &msg);
	if (!is_int(ret, QMGR_LOAD_OK, "good file loads") || msg == NULL) {
		ok(0, "skipped: no message");
		return;
	}
	is_str(msg->sender, "alice@example.org", "good: sender");
	is_str(msg->arrival, "1700000000.123456", "good: arrival text");
	is_int(msg->arrival_sec, 1700000000, "good: arrival seconds");
	is_int(msg->arrival_usec, 123456, "good: arrival microseconds");
	is_int((long long)msg->nrcpt, 2, "good: done recipient skipped");
	is_int(msg->nrcpt_file, 3, "good: recipient records counted");
	is_str(msg->rcpts[0].addr, "bob@example.com", "good: first rcpt");
	is_str(msg->rcpts[1].addr, "carol@example.net", "good: second rcpt");
	is_int(msg->rcpts[0].offset, good_rcpt_off[0], "good: rcpt offset");
	is_int(msg->rcpts[1].offset, good_rcpt_off[1], "good: rcpt offset 2");
	is_str(msg->rcpts[0].orcpt, "rfc822;orig@example.com", "good: orcpt");
	is_int(msg->rcpts[0].notify, 6, "good: notify");
	ok(msg->rcpts[1].orcpt == NULL && msg->rcpts[1].notify == 0,
	    "good: orcpt/notify apply to one recipient only");
	is_int(msg->content_offset, good_msg_off, "good: content offset");
	is_int(msg->content_len, (long long)strlen(good_body),
	    "good: content length");
	is_str(msg->dsn_envid, "ENV42", "good: dsn_envid");
	is_str(msg->dsn_ret, "HDRS", "good: dsn_ret");
	ok(msg->fd >= 0, "good: file kept open (two live recipients)");
	ok(exists(QUEUE_INCOMING, id), "good: file left in place");
	qmgr_message_free(msg);
	is_int((long long)qmgr_message_open_files(), 0, "good: fd released");
}

/* test_mark - mark a recipient done in active/, then reload; the
 * message comes from qmgr_message_parse, which keeps no descriptor, so
 * qmgr_message_mark_done opens the file by path */
static void
test_mark(void)
{
	struct qmgr_message *msg = NULL, *again = NULL;
	char    id[QUEUE_ID_SIZE], path[QUEUE_PATH_SIZE];
	struct buf *why = buf_new(0);
	struct stat st;
	int     fd;

	make_id(id, 2);
	write_file(QUEUE_ACTIVE, id, MUT_NONE, QUEUE_MODE_READY);
	(void)queue_path(path, sizeof(path), QUEUE_ACTIVE, id);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0
	    || qmgr_message_parse(fd, &st, id, &msg, why) < 0) {
		ok(0, "mark: parse: %s", buf_str(why));
		ok(0, "mark: reload");
		ok(0, "mark: remaining recipient");
		buf_free(why);
		return;
	}
	(void)close(fd);
	is_int(qmgr_message_mark_done(&msg->rcpts[0]), 0, "mark: done");
	ok(qmgr_message_load(QUEUE_ACTIVE, id, false, &again)
	    == QMGR_LOAD_OK, "mark: reload");
	ok(again != NULL && again->nrcpt == 1
	    && strcmp(again->rcpts[0].addr, "carol@example.net") == 0,
	    "mark: only the other recipient is live");
	qmgr_message_free(msg);
	qmgr_message_free(again);
	buf_free(why);
}

/* test_corrupt - each kind of damage goes to corrupt/ */
static void
test_corrupt(void)
{
	struct qmgr_message *msg;
	char    id[QUEUE_ID_SIZE];
	enum qmgr_load ret;
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(corrupt_cases); i++) {
		make_id(id, 100 + (unsigned)i);
		write_file(QUEUE_INCOMING, id, corrupt_cases[i].mut,
		    QUEUE_MODE_READY);
		msg = NULL;
		captured = 0;
		ret = qmgr_message_load(QUEUE_INCOMING, id, true, &msg);
		ok(ret == QMGR_LOAD_CORRUPT && msg == NULL
		    && exists(QUEUE_CORRUPT, id)
		    && !exists(QUEUE_INCOMING, id) && captured > 0,
		    "corrupt: %s", corrupt_cases[i].name);
		qmgr_message_free(msg);
	}
}

/* test_other - unready and missing files */
static void
test_other(void)
{
	struct qmgr_message *msg = NULL;
	char    id[QUEUE_ID_SIZE];

	make_id(id, 3);
	write_file(QUEUE_INCOMING, id, MUT_NONE, QUEUE_MODE_WRITING);
	is_int(qmgr_message_load(QUEUE_INCOMING, id, true, &msg),
	    QMGR_LOAD_UNREADY, "unready file is left alone");
	ok(exists(QUEUE_INCOMING, id), "unready file stays in incoming");
	make_id(id, 4);
	is_int(qmgr_message_load(QUEUE_INCOMING, id, true, &msg),
	    QMGR_LOAD_GONE, "missing file");
	is_int(qmgr_message_load(QUEUE_INCOMING, "../etc/passwd", true, &msg),
	    QMGR_LOAD_GONE, "bad queue id refused");
}

/* remove_tree - remove the files of the test's queue directories, the
 * directories and the top directory (cwd) */
static void
remove_tree(const char *const *dirs, size_t n, const char *top)
{
	struct dirent *de;
	char    path[PATH_MAX];
	DIR    *d;
	size_t  i;

	for (i = 0; i < n; i++) {
		if ((d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", dirs[i],
			    de->d_name);
			(void)unlink(path);	/* best effort */
		}
		(void)closedir(d);
		(void)rmdir(dirs[i]);		/* best effort */
	}
	if (chdir("/") == 0)
		(void)rmdir(top);		/* best effort */
}

int
main(void)
{
	char    dir[] = "/tmp/qmgr_message_test.XXXXXX";
	static const char *const dirs[] = {QUEUE_INCOMING, QUEUE_ACTIVE,
	QUEUE_CORRUPT, QUEUE_DEFER_LOG};
	size_t  i;

	log_init("qmgr_message_test");
	log_set_capture(capture);
	if (mkdtemp(dir) == NULL || chdir(dir) < 0) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < SYS_ARRAY_LEN(dirs); i++) {
		if (mkdir(dirs[i], 0700) < 0) {
			perror(dirs[i]);
			return 1;
		}
	}
	plan(21 + 3 + (int)SYS_ARRAY_LEN(corrupt_cases) + 4);
	test_good();
	test_mark();
	test_corrupt();
	test_other();
	remove_tree(dirs, SYS_ARRAY_LEN(dirs), dir);
	return done();
}
