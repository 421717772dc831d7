/* local_maildir_test.c - unit tests of local's Maildir and mbox delivery
 *
 * Builds queue files with util/rec.c in a temporary directory and delivers
 * them as the current user (no uid switch) into a temporary Maildir and
 * mbox: the unique name format and its escaping, the file content (headers,
 * final newline, no quoting in a Maildir), uniqueness under a fixed
 * delivery count, ">From " quoting in an mbox including a "From " split
 * across records, appends, the errors (a corrupt queue file, the size
 * limit, a missing directory, a symbolic link, a stale and a held lock)
 * with nothing left behind, the forked path with its timeout, and a
 * batch of messages to one Maildir in one child.
 */
#include "../../local/local.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "rec.h"
#include "str.h"
#include "tap.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/time.h>

static char tmpdir[] = "/tmp/local_maildir_test.XXXXXX";
static int warnings;

/* capture - count warnings instead of logging them */
static void
capture(const char *line)
{
	if (strstr(line, "warning: ") != NULL)
		warnings++;
}

/* make_queue - a queue file with the content chunks (and END unless
 * broken); returns an open read-only descriptor, *offset the REC_MESSAGE
 * offset */
static int
make_queue(const char *name, const char *const *chunks, size_t n,
    bool broken, off_t *offset)
{
	struct rec_writer w;
	struct buf *path = buf_new(0);
	char    size[REC_SIZE_LEN + 1];
	size_t  i;
	int     fd, rfd;

	(void)buf_printf(path, "%s/%s", tmpdir, name);
	fd = open(buf_str(path), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		log_fatal("create %s: %m", buf_str(path));
	rec_writer_init(&w, fd);
	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, 0LL, 0LL, 0LL, 1LL);
	rec_put_str(&w, REC_VERSION, REC_VERSION_TEXT);
	rec_put_str(&w, REC_SIZE, size);
	rec_put_str(&w, REC_TIME, "1700000000.000000");
	rec_put_str(&w, REC_SENDER, "s@example.com");
	rec_put_str(&w, REC_RCPT, "u@localhost");
	*offset = rec_put(&w, REC_MESSAGE, "", 0);
	for (i = 0; i < n; i++)
		rec_put_str(&w, REC_DATA, chunks[i]);
	if (!broken)
		rec_put(&w, REC_END, "", 0);
	if (rec_flush(&w) < 0 || close(fd) < 0)
		log_fatal("write %s: %m", buf_str(path));
	rec_writer_done(&w);
	rfd = open(buf_str(path), O_RDONLY);
	buf_free(path);
	return rfd;
}

/* slurp - a whole file into out (reset); -1 if it cannot be read */
static int
slurp(const char *path, struct buf *out)
{
	char    chunk[8192];
	ssize_t n;
	int     fd;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		(void)buf_append(out, chunk, (size_t)n);
	(void)close(fd);
	return n < 0 ? -1 : 0;
}

/* count_dir - entries of a directory other than . and ..; name (if not
 * NULL) gets the last one */
static int
count_dir(const char *path, struct buf *name)
{
	DIR    *dir;
	struct dirent *e;
	int     n = 0;

	if ((dir = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (name != NULL)
			(void)buf_set(name, e->d_name);
	}
	(void)closedir(dir);
	return n;
}

/* rm_one - nftw callback of rm_tree */
static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm_tree - remove the temporary directory */
static void
rm_tree(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* path_of - tmpdir/rel into out (reset) */
static const char *
path_of(struct buf *out, const char *rel)
{
	buf_reset(out);
	(void)buf_printf(out, "%s/%s", tmpdir, rel);
	return buf_str(out);
}

/* setup - a recipient in tmpdir, as the current user */
static void
setup(struct local_rcpt *r, enum local_kind kind, const char *rel)
{
	r->kind = kind;
	r->become = false;
	r->spool = false;
	r->uid = getuid();
	r->gid = getgid();
	(void)str_copy(r->user, sizeof(r->user), "u");
	(void)buf_set(r->delivered_to, "u+ext@localhost");
	(void)buf_set(r->base, tmpdir);
	(void)buf_set(r->rel, rel);
}

struct name_case {
	const char *name;
	long long sec;
	long	usec, pid;
	unsigned long count;
	const char *host;
	const char *want;	/* NULL: refused */
};

static const struct name_case name_cases[] = {
	{"plain name", 1700000000, 123456, 4242, 7, "mx.example.org",
	    "1700000000.M123456P4242Q7.mx.example.org"},
	{"zero usec", 1700000000, 0, 1, 0, "h", "1700000000.M0P1Q0.h"},
	{"slash and colon escaped", 1, 2, 3, 4, "a/b:c",
	    "1.M2P3Q4.a\\057b\\072c"},
	{"over NAME_MAX refused", 1, 2, 3, 4,
	    "::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::"
	    "::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::",
	    NULL},
};

/* test_names - local_maildir_name */
static void
test_names(void)
{
	struct buf *out = buf_new(0);
	const struct name_case *c;
	size_t  i;
	int     ret;

	for (i = 0; i < SYS_ARRAY_LEN(name_cases); i++) {
		c = &name_cases[i];
		ret = local_maildir_name(out, c->sec, c->usec, c->pid,
		    c->count, c->host);
		if (c->want == NULL)
			is_int(ret, -1, c->name);
		else if (ret < 0)
			ok(0, "%s", c->name);
		else
			is_str(buf_str(out), c->want, c->name);
	}
	buf_free(out);
}

/* test_maildir - delivery, content, uniqueness, errors */
static void
test_maildir(struct local_delivery *d, struct local_rcpt *r)
{
	static const char *const chunks[] = {
		"Subject: hi\n\nFrom me\nsplit li", "ne\nno newline at end"};
	struct local_result res;
	struct buf *p = buf_new(0), *name = buf_new(0), *data = buf_new(0);
	struct stat st;
	int     i, n;

	d->qfd = make_queue("q1", chunks, 2, false, &d->offset);
	setup(r, LOCAL_MAILDIR, "home/Maildir");
	if (mkdir(path_of(p, "home"), 0700) < 0)
		log_fatal("mkdir: %m");
	local_maildir_deliver(r, d, &res);
	ok(res.status == 0 && strcmp(res.dsn, "2.0.0") == 0 &&
	    strcmp(res.reason, "delivered to maildir") == 0,
	    "maildir delivery: %d %s %s", res.status, res.dsn, res.reason);
	ok(count_dir(path_of(p, "home/Maildir/new"), name) == 1 &&
	    count_dir(path_of(p, "home/Maildir/tmp"), NULL) == 0 &&
	    count_dir(path_of(p, "home/Maildir/cur"), NULL) == 0,
	    "one file in new/, tmp/ and cur/ empty");
	ok(stat(path_of(p, "home/Maildir/tmp"), &st) == 0 &&
	    (st.st_mode & 07777) == 0700, "tmp/ created with mode 0700");
	(void)path_of(p, "home/Maildir/new/");
	(void)buf_append_str(p, buf_str(name));
	ok(stat(buf_str(p), &st) == 0 && (st.st_mode & 07777) == 0600 &&
	    st.st_uid == getuid(), "message file mode 0600, ours");
	ok(strchr(buf_str(name), '.') != NULL &&
	    strstr(buf_str(name), ".M") != NULL &&
	    strstr(buf_str(name), "Q") != NULL, "name %s", buf_str(name));
	(void)slurp(buf_str(p), data);
	is_str(buf_str(data), "Return-Path: <s@example.com>\n"
	    "Delivered-To: u+ext@localhost\n"
	    "Subject: hi\n\nFrom me\nsplit line\nno newline at end\n",
	    "maildir content: headers, no quoting, final newline");

	/* a fixed delivery count: unique by time, pid and retries */
	for (i = 0; i < 30; i++) {
		local_maildir_deliver(r, d, &res);
		if (res.status != 0)
			break;
	}
	ok(i == 30 && count_dir(path_of(p, "home/Maildir/new"), NULL) == 31,
	    "31 deliveries, 31 distinct files");

	/* the size limit */
	var_mailbox_size_limit = 40;
	local_maildir_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_BOUNCE &&
	    strcmp(res.dsn, "5.2.2") == 0, "mailbox_size_limit: %s %s",
	    res.dsn, res.reason);
	var_mailbox_size_limit = 0;
	n = count_dir(path_of(p, "home/Maildir/tmp"), NULL);
	ok(n == 0 && count_dir(path_of(p, "home/Maildir/new"), NULL) == 31,
	    "nothing left behind after the size limit");
	(void)close(d->qfd);

	/* a corrupt queue file */
	d->qfd = make_queue("q2", chunks, 2, true, &d->offset);
	local_maildir_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER && res.corrupt &&
	    strcmp(res.dsn, "4.3.0") == 0 &&
	    strncmp(res.reason, "queue file read error: ", 23) == 0,
	    "corrupt queue file: %s %s", res.dsn, res.reason);
	ok(count_dir(path_of(p, "home/Maildir/tmp"), NULL) == 0 &&
	    count_dir(path_of(p, "home/Maildir/new"), NULL) == 31,
	    "nothing left behind after a corrupt queue file");
	d->offset += 1;
	local_maildir_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER && res.corrupt,
	    "wrong content offset is corrupt: %s", res.reason);
	(void)close(d->qfd);

	/* a missing base directory */
	d->qfd = make_queue("q1", chunks, 2, false, &d->offset);
	(void)buf_set(r->base, "/nonexistent-local-test");
	local_maildir_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER && strcmp(res.dsn, "4.2.0") == 0,
	    "missing directory: %s %s", res.dsn, res.reason);
	(void)close(d->qfd);
	buf_free(p);
	buf_free(name);
	buf_free(data);
}

/* test_mbox - From_ quoting, appends, errors, locks */
static void
test_mbox(struct local_delivery *d, struct local_rcpt *r)
{
	static const char *const chunks[] = {
		"From x\nbody\nFr", "om y\n>From z\nFrom"};
	struct local_result res;
	struct buf *p = buf_new(0), *data = buf_new(0), *big = buf_new(0);
	const char *s;
	const char *bigs[6];
	struct timeval tv[2];
	struct stat st;
	off_t   size;
	int     fd, i;

	d->qfd = make_queue("q3", chunks, 2, false, &d->offset);
	setup(r, LOCAL_MBOX, "mbox");
	local_mbox_deliver(r, d, &res);
	ok(res.status == 0 && strcmp(res.reason, "delivered to mailbox") == 0,
	    "mbox delivery: %s %s", res.dsn, res.reason);
	(void)slurp(path_of(p, "mbox"), data);
	s = buf_str(data);
	ok(strncmp(s, "From s@example.com ", 19) == 0, "From_ line");
	s = strchr(s, '\n');
	is_str(s ? s + 1 : "", "Return-Path: <s@example.com>\n"
	    "Delivered-To: u+ext@localhost\n"
	    ">From x\nbody\n>From y\n>From z\nFrom\n\n",
	    "quoting across records, final newline, empty line");
	ok(stat(path_of(p, "mbox"), &st) == 0 && (st.st_mode & 07777) == 0600,
	    "mbox created with mode 0600");
	ok(access(path_of(p, "mbox.lock"), F_OK) < 0, "dotlock removed");
	size = st.st_size;
	d->sender = "";
	local_mbox_deliver(r, d, &res);
	(void)slurp(path_of(p, "mbox"), data);
	ok(res.status == 0 && (off_t)buf_len(data) == 2 * size - 13 &&
	    strncmp(buf_str(data) + size, "From MAILER-DAEMON ", 19) == 0,
	    "second delivery appended, null sender");
	d->sender = "s@example.com";
	(void)close(d->qfd);

	/* failures after partial writes are truncated away */
	for (i = 0; i < 5; i++) {
		buf_reset(big);
		while (buf_len(big) < 60000)
			(void)buf_append_str(big, "0123456789 From abc\n");
		bigs[i] = xstrdup(buf_str(big));
	}
	d->qfd = make_queue("q4", bigs, 5, true, &d->offset);
	(void)stat(path_of(p, "mbox"), &st);
	size = st.st_size;
	local_mbox_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER && res.corrupt,
	    "mbox: corrupt queue file: %s", res.reason);
	ok(stat(path_of(p, "mbox"), &st) == 0 && st.st_size == size,
	    "mbox truncated back after a corrupt queue file");
	(void)close(d->qfd);
	d->qfd = make_queue("q5", bigs, 5, false, &d->offset);
	var_mailbox_size_limit = (long long)size + 200000;
	local_mbox_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_BOUNCE && strcmp(res.dsn, "5.2.2") == 0,
	    "mbox size limit: %s %s", res.dsn, res.reason);
	ok(stat(path_of(p, "mbox"), &st) == 0 && st.st_size == size,
	    "mbox truncated back after the size limit");
	var_mailbox_size_limit = (long long)size;
	local_mbox_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_BOUNCE, "mbox already at the limit");
	var_mailbox_size_limit = 0;
	local_mbox_deliver(r, d, &res);
	ok(res.status == 0 && stat(path_of(p, "mbox"), &st) == 0 &&
	    st.st_size > size + 300000, "large message appended");
	for (i = 0; i < 5; i++)
		free((void *)bigs[i]);
	(void)close(d->qfd);

	/* a symbolic link is refused */
	d->qfd = make_queue("q3", chunks, 2, false, &d->offset);
	if (symlink("mbox", path_of(p, "link")) < 0)
		log_fatal("symlink: %m");
	setup(r, LOCAL_MBOX, "link");
	local_mbox_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER &&
	    strstr(res.reason, "symbolic link") != NULL,
	    "symlink refused: %s", res.reason);

	/* a stale lock is removed */
	setup(r, LOCAL_MBOX, "mbox");
	fd = open(path_of(p, "mbox.lock"), O_WRONLY | O_CREAT, 0600);
	(void)close(fd);
	memset(tv, 0, sizeof(tv));
	tv[0].tv_sec = tv[1].tv_sec = time(NULL) - LOCAL_LOCK_STALE - 10;
	(void)utimes(buf_str(p), tv);
	warnings = 0;
	local_mbox_deliver(r, d, &res);
	ok(res.status == 0 && warnings == 1 &&
	    access(path_of(p, "mbox.lock"), F_OK) < 0,
	    "stale lock removed (%d warnings)", warnings);

	/* the forked path, and its timeout on a held lock */
	local_deliver(r, d, &res);
	ok(res.status == 0 && strcmp(res.reason, "delivered to mailbox") == 0,
	    "forked delivery: %s %s", res.dsn, res.reason);
	fd = open(path_of(p, "mbox.lock"), O_WRONLY | O_CREAT, 0600);
	(void)close(fd);
	d->timeout_ms = 300;
	local_deliver(r, d, &res);
	ok(res.status == PROTO_STATUS_DEFER && strcmp(res.dsn, "4.3.0") == 0
	    && strcmp(res.reason, "local delivery timed out") == 0,
	    "held lock: killed at the deadline: %s %s", res.dsn, res.reason);
	d->timeout_ms = 60000;
	(void)unlink(path_of(p, "mbox.lock"));
	setup(r, LOCAL_MAILDIR, "forked/Maildir");
	local_deliver(r, d, &res);
	ok(res.status == 0 && count_dir(path_of(p, "forked/Maildir/new"),
	    NULL) == 1, "forked Maildir delivery: %s", res.reason);
	(void)close(d->qfd);
	buf_free(p);
	buf_free(data);
	buf_free(big);
}

/* test_batch - several messages to one Maildir in one child: each in its
 * own file with its own content, a corrupt one deferred alone */
static void
test_batch(const struct local_delivery *proto, struct local_rcpt *r)
{
	static const char *const one[] = {"Subject: one\n\nfirst\n"};
	static const char *const two[] = {"Subject: two\n\nsecond\n"};
	struct local_delivery d[3];
	struct local_result res[3];
	struct buf *p = buf_new(0), *data = buf_new(0);
	DIR    *dir;
	struct dirent *e;
	int     i, seen = 0;

	for (i = 0; i < 3; i++)
		d[i] = *proto;
	d[0].qfd = make_queue("b1", one, 1, false, &d[0].offset);
	d[1].qfd = make_queue("b2", two, 1, true, &d[1].offset);
	d[2].qfd = make_queue("b3", two, 1, false, &d[2].offset);
	setup(r, LOCAL_MAILDIR, "batch/Maildir");
	local_deliver_batch(r, d, res, 3);
	ok(res[0].status == 0 && res[2].status == 0 &&
	    strcmp(res[0].reason, "delivered to maildir") == 0,
	    "batch: good messages delivered: %s", res[0].reason);
	ok(res[1].status == PROTO_STATUS_DEFER && res[1].corrupt,
	    "batch: the corrupt one deferred alone: %s", res[1].reason);
	ok(d[0].count != d[2].count, "batch: one Q number each");
	ok(count_dir(path_of(p, "batch/Maildir/new"), NULL) == 2 &&
	    count_dir(path_of(p, "batch/Maildir/tmp"), NULL) == 0,
	    "batch: two files in new/, tmp/ empty");
	if ((dir = opendir(path_of(p, "batch/Maildir/new"))) == NULL)
		log_fatal("opendir: %m");
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)path_of(p, "batch/Maildir/new/");
		(void)buf_append_str(p, e->d_name);
		if (slurp(buf_str(p), data) == 0)
			seen |= strstr(buf_str(data), "first") != NULL ? 1 :
			    strstr(buf_str(data), "second") != NULL ? 2 : 0;
	}
	(void)closedir(dir);
	ok(seen == 3, "batch: each file has its own message");
	for (i = 0; i < 3; i++)
		(void)close(d[i].qfd);
	buf_free(p);
	buf_free(data);
}

/* main - run the cases, print TAP */
int
main(void)
{
	struct local_delivery d;
	struct local_rcpt *r;

	log_init("local_maildir_test");
	log_set_capture(capture);
	plan((int)SYS_ARRAY_LEN(name_cases) + 13 + 17 + 5);
	if (mkdtemp(tmpdir) == NULL)
		log_fatal("mkdtemp: %m");
	var_mailbox_size_limit = 0;
	local_maildir_init();
	memset(&d, 0, sizeof(d));
	d.queue_id = "TESTQUEUEID000001";
	d.sender = "s@example.com";
	d.timeout_ms = 60000;
	d.copy = local_copy_new();
	r = local_rcpt_new();
	test_names();
	test_maildir(&d, r);
	test_mbox(&d, r);
	test_batch(&d, r);
	local_copy_free(d.copy);
	local_rcpt_free(r);
	rm_tree(tmpdir);
	return done();
}
