/* queue_test.c - unit tests of util/queue.c: IDs, tree, file life cycle
 *
 * IDs: format, validity table, uniqueness and order, encoded time, paths.
 * queue_setup in a temporary directory: every directory with its mode (and,
 * as root, its owner), modes of existing directories fixed, a symbolic link
 * refused. Then, with the queue as working directory: create (0600),
 * commit (0700, ready, readable), abort, a failing commit, rename, remove,
 * and queue_corrupt with its log line.
 */
#include "buf.h"
#include "log.h"
#include "queue.h"

#include "tap.h"

#include <dirent.h>

static char captured[2048];

/* capture - keep the last log line */
static void
capture(const char *line)
{
	(void)snprintf(captured, sizeof(captured), "%s", line);
}

struct id_case {
	const char *id;
	bool	valid;
};

static const struct id_case id_cases[] = {
	{"0123456789ABCDEF0", true},
	{"FFFFFFFFFFFFFFFFF", true},
	{"0123456789abcdef0", false},
	{"0123456789ABCDEF", false},
	{"0123456789ABCDEF01", false},
	{"0123456789ABCDEFG", false},
	{"", false},
	{"../../etc/passwd0", false},
	{"0123456789ABCDE/0", false},
	{"0123456789ABCDEF ", false},
};

/* test_ids - format, validity, order, time, paths */
static void
test_ids(void)
{
	char    id[QUEUE_ID_SIZE], prev[QUEUE_ID_SIZE], path[QUEUE_PATH_SIZE];
	time_t  t0, t1;
	size_t  i;
	bool    sorted = true, valid = true, unique = true;

	for (i = 0; i < SYS_ARRAY_LEN(id_cases); i++)
		ok(queue_id_valid(id_cases[i].id) == id_cases[i].valid,
		    "id \"%s\" is %s", id_cases[i].id, id_cases[i].valid ?
		    "valid" : "invalid");
	t0 = time(NULL);
	queue_id_new(prev);
	for (i = 0; i < 2000; i++) {
		queue_id_new(id);
		valid = valid && queue_id_valid(id);
		if (strncmp(prev, id, 13) > 0)
			sorted = false;
		if (strcmp(prev, id) == 0)
			unique = false;
		memcpy(prev, id, sizeof(id));
	}
	t1 = time(NULL);
	ok(valid && strlen(id) == QUEUE_ID_LEN, "new ids are valid");
	ok(sorted, "new ids sort by time");
	ok(unique, "consecutive ids differ");
	ok(queue_id_time(id) >= t0 && queue_id_time(id) <= t1,
	    "id encodes the arrival second");
	is_int(queue_id_time("0000000A00000ABCD"), 10, "id time decoded");
	is_int(queue_id_time("bad"), -1, "invalid id has no time");
	ok(queue_path(path, sizeof(path), "incoming", id) == 0
	    && strncmp(path, "incoming/", 9) == 0
	    && strcmp(path + 9, id) == 0, "queue_path");
	ok(queue_path(path, 26, "incoming", id) < 0
	    && queue_path(path, 27, "incoming", id) == 0,
	    "queue_path at and past its size");
	ok(queue_path(path, sizeof(path), "incoming", "../x") < 0,
	    "queue_path refuses a bad id");
}

/* mode_of - permission bits of path, or -1 */
static int
mode_of(const char *path, struct stat *st)
{
	if (lstat(path, st) < 0)
		return -1;
	return (int)(st->st_mode & 07777);
}

/* test_setup - the directory tree; as root, its owners */
static void
test_setup(const char *top, struct buf *why)
{
	char    path[PATH_MAX];
	struct stat st;
	size_t  i;
	bool    root = geteuid() == 0;
	uid_t   uid = root ? 1 : (uid_t)-1;
	gid_t   gid = root ? 1 : (gid_t)-1, pd = root ? 2 : (gid_t)-1;
	int     good;

	is_int(queue_setup(top, uid, gid, pd, why), 0, "setup: creates tree");
	for (i = 0; i < queue_dirs_count; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", top,
		    queue_dirs[i].name);
		good = mode_of(path, &st) == (int)queue_dirs[i].mode
		    && S_ISDIR(st.st_mode);
		if (root && queue_dirs[i].root_owned)
			good = good && st.st_uid == 0 && st.st_gid == 0;
		else if (root)
			good = good && st.st_uid == 1 && st.st_gid
			    == (queue_dirs[i].group_postdrop ? 2U : 1U);
		ok(good, "setup: %s mode %04o%s", queue_dirs[i].name,
		    (unsigned)queue_dirs[i].mode, root ? " and owner" : "");
	}
	(void)snprintf(path, sizeof(path), "%s/active", top);
	if (chmod(path, 0777) < 0)
		log_fatal("chmod %s: %m", path);
	ok(queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why) == 0
	    && mode_of(path, &st) == 0700, "setup: existing mode fixed");
	(void)snprintf(path, sizeof(path), "%s/hold", top);
	if (rmdir(path) < 0 || symlink("/tmp", path) < 0)
		log_fatal("symlink %s: %m", path);
	ok(queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why) < 0
	    && strstr(buf_str(why), "hold: is a symbolic link") != NULL,
	    "setup: symbolic link refused");
	if (unlink(path) < 0 || mkdir(path, 0700) < 0)
		log_fatal("mkdir %s: %m", path);
	ok(queue_setup("", (uid_t)-1, (gid_t)-1, (gid_t)-1, why) < 0,
	    "setup: empty name refused");
}

/* write_message - the records of a small queue file */
static void
write_message(struct queue_file *qf)
{
	char    size[REC_SIZE_LEN + 1];

	(void)snprintf(size, sizeof(size), REC_SIZE_FMT, 0LL, 0LL, 0LL, 0LL);
	rec_put_str(&qf->w, REC_VERSION, REC_VERSION_TEXT);
	rec_put(&qf->w, REC_SIZE, size, REC_SIZE_LEN);
	rec_put_str(&qf->w, REC_SENDER, "a@b");
	rec_put_str(&qf->w, REC_RCPT, "c@d");
	rec_put(&qf->w, REC_MESSAGE, "", 0);
	rec_put_str(&qf->w, REC_DATA, "Subject: x\n\nhi\n");
	rec_put(&qf->w, REC_END, "", 0);
}

/* file_ok - whether path reads as a complete queue file */
static bool
file_ok(const char *path, struct buf *why)
{
	struct rec_reader r;
	struct buf *payload = buf_new(0);
	int     fd, type;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	rec_reader_init(&r, fd, 0, REC_GROUP_START, 0);
	while ((type = rec_get(&r, payload, NULL, why)) > 0)
		;
	rec_reader_done(&r);
	buf_free(payload);
	(void)close(fd);
	return type == 0;
}

/* test_files - create, commit, abort, rename, remove, corrupt */
static void
test_files(struct buf *why)
{
	struct queue_file qf, qf2;
	char    path[QUEUE_PATH_SIZE], id[QUEUE_ID_SIZE];
	struct stat st;

	is_int(queue_create(&qf, NULL, why), 0, "create in incoming");
	(void)queue_path(path, sizeof(path), "incoming", qf.id);
	ok(fstat(qf.fd, &st) == 0 && (st.st_mode & 07777) == 0600
	    && !queue_is_ready(&st), "created file has mode 0600");
	ok(fcntl(qf.fd, F_GETFD) & FD_CLOEXEC,
	    "created file is close-on-exec");
	write_message(&qf);
	is_int(queue_commit(&qf, why), 0, "commit");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700
	    && queue_is_ready(&st), "committed file has mode 0700");
	ok(qf.fd == -1 && queue_id_valid(qf.id), "commit keeps the id");
	ok(file_ok(path, why), "committed file reads back complete");
	queue_abort(&qf);
	ok(stat(path, &st) == 0, "abort after commit leaves the file");

	is_int(queue_create(&qf2, "incoming", why), 0, "second create");
	ok(strcmp(qf.id, qf2.id) != 0, "second file has another id");
	write_message(&qf2);
	queue_abort(&qf2);
	(void)queue_path(path, sizeof(path), "incoming", qf2.id);
	ok(lstat(path, &st) < 0 && errno == ENOENT, "abort removes the file");

	is_int(queue_create(&qf2, NULL, why), 0, "create for failed commit");
	write_message(&qf2);
	(void)close(qf2.fd);	/* make the flush fail */
	ok(queue_commit(&qf2, why) < 0 && strstr(buf_str(why),
	    "write queue file incoming/") != NULL, "commit reports failure");
	queue_abort(&qf2);
	(void)queue_path(path, sizeof(path), "incoming", qf2.id);
	ok(lstat(path, &st) < 0, "abort after failed commit removes file");

	ok(queue_create(&qf2, "nosuchqueue", why) < 0
	    && strstr(buf_str(why), "nosuchqueue/") != NULL,
	    "create in a missing queue fails");
	queue_abort(&qf2);

	memcpy(id, qf.id, sizeof(id));
	is_int(queue_rename(id, "incoming", "active"), 0, "rename");
	(void)queue_path(path, sizeof(path), "active", id);
	ok(stat(path, &st) == 0 && queue_is_ready(&st), "renamed file");
	ok(queue_rename(id, "incoming", "active") < 0 && errno == ENOENT,
	    "rename of a missing file fails");
	ok(queue_rename("bad", "incoming", "active") < 0 && errno == EINVAL,
	    "rename refuses a bad id");
	log_set_capture(capture);
	queue_corrupt("active", id, "bad record");
	log_set_capture(NULL);
	ok(strstr(captured, "warning: ") != NULL && strstr(captured, id)
	    && strstr(captured, ": corrupt queue file moved to corrupt/: "
	    "bad record") != NULL, "corrupt: log line");
	(void)queue_path(path, sizeof(path), "corrupt", id);
	ok(stat(path, &st) == 0, "corrupt: file in corrupt/");
	is_int(queue_remove("corrupt", id), 0, "remove");
	ok(lstat(path, &st) < 0, "removed file is gone");
	is_int(queue_remove("corrupt", id), 0, "remove of a missing file");
	is_int(queue_fsync_dir("deferred"), 0, "fsync a directory");
	ok(queue_fsync_dir("nosuchqueue") < 0, "fsync a missing directory");
}

/* count_dir - entries of a directory (not . and ..); name_prefix, when
 * not NULL, counts only names starting with it */
static int
count_dir(const char *dir, const char *name_prefix)
{
	struct dirent *e;
	DIR    *d = opendir(dir);
	int     n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && (name_prefix == NULL
		    || strncmp(e->d_name, name_prefix,
		    strlen(name_prefix)) == 0))
			n++;
	(void)closedir(d);
	return n;
}

/* last_entry - "dir/name" of the last entry of dir into out; 0 or -1 */
static int
last_entry(const char *dir, char *out, size_t size)
{
	struct dirent *e;
	DIR    *d = opendir(dir);
	int     ret = -1;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.') {
			if (snprintf(out, size, "%s/%s", dir, e->d_name)
			    >= (int)size)
				break;
			ret = 0;
		}
	(void)closedir(d);
	return ret;
}

/* fill_slots - write one byte into every slot of the pool (unusable) */
static void
fill_slots(void)
{
	char    path[QUEUE_PATH_SIZE];
	int     fd, n;

	for (n = 0; n < QUEUE_RECYCLE_SLOTS; n++) {
		(void)snprintf(path, sizeof(path), "recycle/%04d", n);
		if ((fd = open(path, O_WRONLY)) >= 0) {
			if (write(fd, "x", 1) != 1)
				log_fatal("write %s: %m", path);
			(void)close(fd);
		}
	}
}

/* test_recycle - the recycle pool and early readiness of queue.h */
static void
test_recycle(const char *top, struct buf *why)
{
	struct queue_file qf;
	char    path[QUEUE_PATH_SIZE], id[QUEUE_ID_SIZE];
	struct stat st;
	int     fd, before;

	/* start from a pool made by us, so that the owner check passes */
	if (system("rm -f recycle/*") != 0)
		log_fatal("cannot empty recycle/");
	if ((fd = open("recycle/new.0000000000000000X", O_CREAT | O_WRONLY,
	    0600)) < 0)
		log_fatal("create leftover: %m");
	(void)close(fd);
	is_int(queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why), 0,
	    "recycle: setup again");
	is_int(count_dir("recycle", NULL), QUEUE_RECYCLE_SLOTS,
	    "recycle: setup fills every slot");
	is_int(count_dir("recycle", "new."), 0,
	    "recycle: setup removes half-made files");

	before = count_dir("recycle", NULL);
	is_int(queue_create(&qf, NULL, why), 0, "recycle: create");
	ok(count_dir("recycle", NULL) == before - 1,
	    "recycle: create takes a file from the pool");
	ok(fstat(qf.fd, &st) == 0 && st.st_size == 0
	    && (st.st_mode & 07777) == 0600,
	    "recycle: taken file is empty 0600");
	write_message(&qf);
	is_int(queue_ready(&qf, why), 0, "recycle: ready");
	(void)queue_path(path, sizeof(path), "incoming", qf.id);
	ok(stat(path, &st) == 0 && queue_is_ready(&st),
	    "ready: mode 0700 before the commit");
	memcpy(id, qf.id, sizeof(id));
	is_int(queue_rename(id, "incoming", "active"), 0,
	    "ready: another process may move it");
	is_int(queue_commit(&qf, why), 0,
	    "ready: commit after the move (both directories fsync'd)");
	(void)queue_path(path, sizeof(path), "active", id);
	ok(file_ok(path, why), "ready: moved file complete");
	/* a full pool: the removed file is unlinked */
	(void)queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why);
	is_int(queue_remove("active", id), 0, "recycle: remove, pool full");
	ok(lstat(path, &st) < 0 && count_dir("recycle", NULL)
	    == QUEUE_RECYCLE_SLOTS, "recycle: pool full, file unlinked");
	/* an empty pool: a fresh file, recycled on removal */
	if (system("rm -f recycle/*") != 0)
		log_fatal("cannot empty recycle/");
	is_int(queue_create(&qf, NULL, why), 0, "recycle: create, pool empty");
	write_message(&qf);
	is_int(queue_commit(&qf, why), 0, "recycle: commit, pool empty");
	is_int(queue_remove("incoming", qf.id), 0, "recycle: remove");
	ok(count_dir("recycle", NULL) == 1, "recycle: removed file pooled");
	ok(last_entry("recycle", path, sizeof(path)) == 0
	    && stat(path, &st) == 0 && st.st_size == 0
	    && (st.st_mode & 07777) == 0600,
	    "recycle: pooled file emptied, mode 0600");

	is_int(queue_create(&qf, NULL, why), 0, "ready: create for abort");
	write_message(&qf);
	is_int(queue_ready(&qf, why), 0, "ready: ready for abort");
	log_set_capture(capture);
	queue_abort(&qf);
	log_set_capture(NULL);
	(void)queue_path(path, sizeof(path), "incoming", qf.id);
	ok(stat(path, &st) == 0 && strstr(captured, "left to qmgr") != NULL,
	    "ready: abort leaves a ready file, with a warning");
	is_int(queue_remove("incoming", qf.id), 0, "ready: cleaned up");

	(void)queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why);
	fill_slots();
	before = count_dir("recycle", NULL);
	is_int(queue_create(&qf, NULL, why), 0,
	    "recycle: create with unusable slots");
	ok(fstat(qf.fd, &st) == 0 && st.st_size == 0
	    && count_dir("recycle", NULL) == before - 1
	    && count_dir("recycle", "new.") == 0,
	    "recycle: unusable file dropped, a fresh one made");
	queue_abort(&qf);
	if (system("rm -f recycle/*") != 0)
		log_fatal("cannot empty recycle/");
	is_int(queue_create(&qf, NULL, why), 0, "recycle: create a defer log");
	write_message(&qf);
	is_int(queue_commit(&qf, why), 0, "recycle: commit it");
	is_int(queue_rename(qf.id, "incoming", QUEUE_DEFER_LOG), 0,
	    "recycle: move it to defer/");
	is_int(queue_remove(QUEUE_DEFER_LOG, qf.id), 0,
	    "recycle: defer log removed");
	is_int(count_dir("recycle", NULL), 0, "recycle: defer logs not kept");
}

/* test_recycle_steady - messages created and removed one after another,
 * more of them than the pool has slots, all reuse the inodes the setup
 * made: the ring sends every taker to a full slot and every giver to an
 * empty one */
static void
test_recycle_steady(const char *top, struct buf *why)
{
	struct queue_file qf;
	char    path[QUEUE_PATH_SIZE];
	static ino_t pool[QUEUE_RECYCLE_SLOTS];
	struct stat st;
	int     n, i, fresh = 0;

	if (system("rm -f recycle/*") != 0)
		log_fatal("cannot empty recycle/");
	(void)queue_setup(top, (uid_t)-1, (gid_t)-1, (gid_t)-1, why);
	for (n = 0; n < QUEUE_RECYCLE_SLOTS; n++) {
		(void)snprintf(path, sizeof(path), "recycle/%04d", n);
		pool[n] = stat(path, &st) == 0 ? st.st_ino : 0;
	}
	for (n = 0; n < 2 * QUEUE_RECYCLE_SLOTS + 7; n++) {
		if (queue_create(&qf, NULL, why) < 0 || fstat(qf.fd, &st) < 0)
			log_fatal("create: %s", buf_str(why));
		for (i = 0; i < QUEUE_RECYCLE_SLOTS && pool[i] != st.st_ino; i++)
			continue;
		fresh += i == QUEUE_RECYCLE_SLOTS;
		write_message(&qf);
		if (queue_commit(&qf, why) < 0
		    || queue_remove("incoming", qf.id) < 0)
			log_fatal("commit or remove: %s", buf_str(why));
	}
	is_int(fresh, 0, "recycle: steady state takes no new inode");
	/* the directory synced early: the commit needs only the file's */
	if (queue_create(&qf, NULL, why) < 0)
		log_fatal("create: %s", buf_str(why));
	queue_sync_name(&qf);
	ok(qf.name_synced, "sync_name: incoming/ synced before the commit");
	write_message(&qf);
	is_int(queue_commit(&qf, why), 0, "sync_name: commit after it");
	(void)queue_remove("incoming", qf.id);
	is_int(count_dir("recycle", NULL), QUEUE_RECYCLE_SLOTS,
	    "recycle: steady state keeps the pool full");
}

int
main(void)
{
	char    dir[] = "/tmp/queue_test.XXXXXX", top[128];
	char    old[PATH_MAX], cmd[PATH_MAX + 16];
	struct buf *why = buf_new(0);
	int     ret;

	log_init("queue_test");
	plan((int)SYS_ARRAY_LEN(id_cases) + 9 + 1 + (int)queue_dirs_count
	    + 3 + 26 + 29 + 4);
	if (mkdtemp(dir) == NULL || getcwd(old, sizeof(old)) == NULL)
		log_fatal("mkdtemp: %m");
	(void)snprintf(top, sizeof(top), "%s/spool/postern", dir);
	test_ids();
	test_setup(top, why);
	if (chdir(top) < 0)
		log_fatal("chdir %s: %m", top);
	test_files(why);
	test_recycle(top, why);
	test_recycle_steady(top, why);
	if (chdir(old) < 0)
		log_fatal("chdir %s: %m", old);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ret = system(cmd);
	if (ret != 0)
		diag("cleanup of %s failed", dir);
	buf_free(why);
	return done();
}
