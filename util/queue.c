/* queue.c - queue IDs, queue directories, and the life of a queue file
 *
 * The only code that creates, commits, moves or removes queue files (the
 * states and commit points are in queue.h). Paths are relative to the
 * working directory, which is the queue directory (or the chroot root).
 * queue_create makes the file with O_EXCL in mode 0600 under a fresh ID,
 * retrying on a clash; queue_commit is the commit point: flush, fchmod
 * 0700, fsync, and the fsync of the directory (through a descriptor
 * cached per queue name for the life of the process) unless
 * queue_sync_name did it earlier. queue_setup builds the tree
 * at installation or start, as root, so it never follows a symbolic link
 * when it changes an owner or a mode (a mail_owner that replaced a queue
 * directory by a link must not get root to chown its target).
 */
#include "queue.h"
#include "queue_recycle.h"

#include "buf.h"
#include "log.h"
#include "str.h"

#define QUEUE_CREATE_TRIES	100
#define QUEUE_DIR_CACHE		16
#define QUEUE_NAME_MAX		32

const struct queue_dir_spec queue_dirs[] = {
	{QUEUE_MAILDROP, 0730, true, false},
	{QUEUE_INCOMING, 0700, false, false},
	{QUEUE_ACTIVE, 0700, false, false},
	{QUEUE_DEFERRED, 0700, false, false},
	{QUEUE_HOLD, 0700, false, false},
	{QUEUE_CORRUPT, 0700, false, false},
	{QUEUE_DEFER_LOG, 0700, false, false},
	{"private", 0700, false, false},
	{"public", 0710, true, false},
	{"pid", 0755, false, true},
	{QUEUE_RECYCLE, 0700, false, false},
};
const size_t queue_dirs_count = SYS_ARRAY_LEN(queue_dirs);

/* the cached directory descriptors of queue_fsync_dir */
static struct {
	char	name[QUEUE_NAME_MAX];
	int	fd;
} queue_dir_fds[QUEUE_DIR_CACHE];
static size_t queue_dir_nfds;

/* queue_id_new - a fresh ID from the clock, the pid and a counter */
void
queue_id_new(char id[QUEUE_ID_SIZE])
{
	static unsigned counter;
	struct timespec ts;
	unsigned mix;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_panic("clock_gettime: %m");
	mix = ((unsigned)getpid() * 31U + counter++) & 0xffffU;
	(void)snprintf(id, QUEUE_ID_SIZE, "%08llX%05lX%04X",
	    (unsigned long long)ts.tv_sec & 0xffffffffULL,
	    (unsigned long)(ts.tv_nsec / 1000), mix);
}

/* queue_id_valid - QUEUE_ID_LEN upper-case hex digits and nothing else */
bool
queue_id_valid(const char *id)
{
	size_t  i;

	for (i = 0; i < QUEUE_ID_LEN; i++) {
		if (!((id[i] >= '0' && id[i] <= '9')
		    || (id[i] >= 'A' && id[i] <= 'F')))
			return false;
	}
	return id[QUEUE_ID_LEN] == '\0';
}

/* queue_id_time - the arrival seconds in the first 8 digits */
time_t
queue_id_time(const char *id)
{
	time_t  t = 0;
	size_t  i;

	if (!queue_id_valid(id))
		return (time_t)-1;
	for (i = 0; i < 8; i++)
		t = t * 16 + (id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	return t;
}

/* queue_path - "queue/id" into out; -1 if id is invalid or no room */
int
queue_path(char *out, size_t size, const char *queue, const char *id)
{
	int     n;

	if (!queue_id_valid(id) || *queue == '\0')
		return -1;
	n = snprintf(out, size, "%s/%s", queue, id);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return 0;
}

/* queue_create_fresh - a new inode for path, made in recycle/ and then
 * moved into place: allocating an inode can take long (see queue.h), and
 * doing it under the lock of incoming/ would stall qmgr's renames out of
 * incoming/ meanwhile. An open descriptor, or -1 with errno (EEXIST: the
 * id is taken) */
static int
queue_create_fresh(const char *path, const char *id)
{
	char	tmp[QUEUE_PATH_SIZE];
	int	fd, err;

	(void)snprintf(tmp, sizeof(tmp), "%s/%s%s", QUEUE_RECYCLE,
	    QUEUE_RECYCLE_NEW, id);
	fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
	    QUEUE_MODE_WRITING);
	if (fd < 0)
		return -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return fd;
	err = errno;
	(void)unlink(tmp);	/* reporting the rename's error */
	(void)close(fd);
	errno = err;
	return -1;
}

/* queue_create - a new file in queue with a fresh ID */
int
queue_create(struct queue_file *qf, const char *queue, struct buf *why)
{
	char    path[QUEUE_PATH_SIZE];
	int     tries, fd = -1;

	if (queue == NULL)
		queue = QUEUE_INCOMING;
	qf->queue = queue;
	qf->fd = -1;
	qf->ready = false;
	qf->name_synced = false;
	qf->w.out = NULL;
	for (tries = 0; tries < QUEUE_CREATE_TRIES; tries++) {
		queue_id_new(qf->id);
		if (queue_path(path, sizeof(path), queue, qf->id) < 0) {
			buf_why(why, "create queue file: bad queue name %s",
			    queue);
			return -1;
		}
		if (tries == 0 && (fd = queue_recycle_get(path)) >= 0)
			break;
		fd = queue_create_fresh(path, qf->id);
		if (fd >= 0)
			break;
		if (errno != EEXIST && errno != EINTR) {
			buf_why(why, "create queue file %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (fd < 0) {
		buf_why(why, "create queue file in %s: no unused id after "
		    "%d tries", queue, QUEUE_CREATE_TRIES);
		return -1;
	}
	qf->fd = fd;
	rec_writer_init(&qf->w, fd);
	return 0;
}

/* queue_ready - flush and fchmod ready; qmgr may take the file from now */
int
queue_ready(struct queue_file *qf, struct buf *why)
{
	if (qf->fd < 0)
		log_panic("queue_ready: %s: file not open", qf->id);
	if (rec_flush(&qf->w) < 0) {
		buf_why(why, "write queue file %s/%s: %s", qf->queue, qf->id,
		    strerror(errno));
		return -1;
	}
	if (fchmod(qf->fd, QUEUE_MODE_READY) < 0) {
		buf_why(why, "fchmod queue file %s/%s: %s", qf->queue,
		    qf->id, strerror(errno));
		return -1;
	}
	qf->ready = true;
	return 0;
}

/* queue_sync_name - see queue.h */
void
queue_sync_name(struct queue_file *qf)
{
	if (qf->fd < 0)
		log_panic("queue_sync_name: %s: file not open", qf->id);
	if (!qf->name_synced && !qf->ready)
		qf->name_synced = queue_fsync_dir(qf->queue) == 0;
}

/* queue_commit - make the file durable and ready; 0 or -1 with why */
int
queue_commit(struct queue_file *qf, struct buf *why)
{
	char    path[QUEUE_PATH_SIZE];
	int     fd = qf->fd;
	bool	shared = qf->ready;

	if (fd < 0)
		log_panic("queue_commit: %s: file not open", qf->id);
	if (!qf->ready && queue_ready(qf, why) < 0)
		return -1;
	if (fsync(fd) < 0) {
		buf_why(why, "fsync queue file %s/%s: %s", qf->queue, qf->id,
		    strerror(errno));
		return -1;
	}
	if (!qf->name_synced && queue_fsync_dir(qf->queue) < 0) {
		buf_why(why, "fsync queue directory %s: %s", qf->queue,
		    strerror(errno));
		return -1;
	}
	rec_writer_done(&qf->w);
	qf->fd = -1;
	if (close(fd) < 0) {
		buf_why(why, "close queue file %s/%s: %s", qf->queue, qf->id,
		    strerror(errno));
		/* the caller's queue_abort cannot see the file any more */
		if (!shared && queue_path(path, sizeof(path), qf->queue,
		    qf->id) == 0)
			(void)unlink(path);	/* best effort: it failed */
		return -1;
	}
	return 0;
}

/* queue_abort - unlink and close an uncommitted file (not a ready one) */
void
queue_abort(struct queue_file *qf)
{
	char    path[QUEUE_PATH_SIZE];

	if (qf->fd >= 0) {
		/* a ready file may be qmgr's already: it stays, and the
		 * client, told to try again, may cause a duplicate */
		if (qf->ready)
			log_warn("%s: queue file left to qmgr although its "
			    "commit failed", qf->id);
		else if (queue_path(path, sizeof(path), qf->queue, qf->id) == 0
		    && unlink(path) < 0 && errno != ENOENT)
			log_warn("%s: remove unfinished queue file %s: %m",
			    qf->id, path);
		(void)close(qf->fd);	/* the file is gone anyway */
		qf->fd = -1;
	}
	rec_writer_done(&qf->w);
}

/* queue_rename - move id from one queue to another */
int
queue_rename(const char *id, const char *from, const char *to)
{
	char    old[QUEUE_PATH_SIZE], new[QUEUE_PATH_SIZE];

	if (queue_path(old, sizeof(old), from, id) < 0
	    || queue_path(new, sizeof(new), to, id) < 0) {
		errno = EINVAL;
		return -1;
	}
	return rename(old, new);
}

/* queue_remove - unlink queue/id; ENOENT counts as success */
int
queue_remove(const char *queue, const char *id)
{
	char    path[QUEUE_PATH_SIZE];

	if (queue_path(path, sizeof(path), queue, id) < 0) {
		errno = EINVAL;
		return -1;
	}
	/* a message file goes to the recycle pool: creating and deleting an
	 * inode per message is what costs most in file systems that scan
	 * recently freed inodes (ext4 without a journal). Not a defer log,
	 * and not a maildrop file: that one belongs to the user who
	 * submitted it, and no taker would accept it. */
	if (strcmp(queue, QUEUE_DEFER_LOG) != 0
	    && strcmp(queue, QUEUE_MAILDROP) != 0
	    && queue_recycle_put(path) == 0)
		return 0;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* queue_corrupt - move queue/id to corrupt/ and log why */
void
queue_corrupt(const char *queue, const char *id, const char *why)
{
	if (queue_rename(id, queue, QUEUE_CORRUPT) < 0) {
		log_warn("%s: corrupt queue file: %s; cannot move %s/%s to "
		    "corrupt/: %m", id, why, queue, id);
		return;
	}
	log_warn("%s: corrupt queue file moved to corrupt/: %s", id, why);
}

/* queue_is_ready - a regular file in the ready mode */
bool
queue_is_ready(const struct stat *st)
{
	return S_ISREG(st->st_mode)
	    && (st->st_mode & 07777) == QUEUE_MODE_READY;
}

/* queue_fsync_dir - fsync a queue directory through a cached descriptor */
int
queue_fsync_dir(const char *queue)
{
	size_t  i;
	int     fd;

	for (i = 0; i < queue_dir_nfds; i++) {
		if (strcmp(queue_dir_fds[i].name, queue) == 0)
			break;
	}
	if (i == queue_dir_nfds) {
		fd = open(queue, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (queue_dir_nfds == QUEUE_DIR_CACHE
		    || strlen(queue) >= QUEUE_NAME_MAX) {
			/* not cacheable: sync once and close */
			if (fsync(fd) < 0) {
				(void)close(fd);	/* fsync error wins */
				return -1;
			}
			return close(fd);
		}
		(void)str_copy(queue_dir_fds[i].name, QUEUE_NAME_MAX, queue);
		queue_dir_fds[i].fd = fd;
		queue_dir_nfds++;
	}
	return fsync(queue_dir_fds[i].fd);
}

/* queue_mkdirs - mkdir -p path with mode for each missing component */
static int
queue_mkdirs(const char *path, mode_t mode, struct buf *why)
{
	char    tmp[PATH_MAX];
	size_t  i;

	if (str_copy(tmp, sizeof(tmp), path) < 0) {
		buf_why(why, "queue directory name too long");
		return -1;
	}
	for (i = 1; ; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		if (tmp[i - 1] != '/') {
			tmp[i] = '\0';
			if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
				buf_why(why, "create directory %s: %s", tmp,
				    strerror(errno));
				return -1;
			}
			tmp[i] = path[i];
		}
		if (path[i] == '\0')
			return 0;
	}
}

/* queue_setup_dir - create one directory under dfd and fix its owner
 * and mode without following links; 0 or -1 with why */
static int
queue_setup_dir(int dfd, const char *top, const struct queue_dir_spec *d,
    uid_t uid, gid_t gid, struct buf *why)
{
	struct stat st;
	int     fd, err;

	if (mkdirat(dfd, d->name, d->mode) < 0 && errno != EEXIST) {
		buf_why(why, "create directory %s/%s: %s", top, d->name,
		    strerror(errno));
		return -1;
	}
	fd = openat(dfd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
	    | O_CLOEXEC);
	if (fd < 0) {
		/* O_NOFOLLOW | O_DIRECTORY on a link fails ENOTDIR or ELOOP */
		err = errno;
		buf_why(why, "open directory %s/%s: %s", top, d->name,
		    fstatat(dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && S_ISLNK(st.st_mode) ? "is a symbolic link" :
		    strerror(err));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		buf_why(why, "stat directory %s/%s: %s", top, d->name,
		    strerror(errno));
		goto fail;
	}
	if (((uid != (uid_t)-1 && st.st_uid != uid)
	    || (gid != (gid_t)-1 && st.st_gid != gid))
	    && fchown(fd, uid, gid) < 0) {
		buf_why(why, "set owner of %s/%s: %s", top, d->name,
		    strerror(errno));
		goto fail;
	}
	/* after fchown, which may clear set-id bits */
	if (fchmod(fd, d->mode) < 0) {
		buf_why(why, "set mode of %s/%s: %s", top, d->name,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		buf_why(why, "close directory %s/%s: %s", top, d->name,
		    strerror(errno));
		return -1;
	}
	return 0;

fail:
	(void)close(fd);	/* the first error is the one reported */
	return -1;
}

/* queue_setup - create the queue directory tree with its modes */
int
queue_setup(const char *queue_directory, uid_t owner_uid, gid_t owner_gid,
    gid_t postdrop_gid, struct buf *why)
{
	const struct queue_dir_spec *d;
	bool    root = geteuid() == 0;
	uid_t   uid;
	gid_t   gid;
	size_t  i;
	int     dfd;

	if (*queue_directory == '\0') {
		buf_why(why, "empty queue directory name");
		return -1;
	}
	if (queue_mkdirs(queue_directory, 0755, why) < 0)
		return -1;
	dfd = open(queue_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		buf_why(why, "open queue directory %s: %s", queue_directory,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < queue_dirs_count; i++) {
		d = &queue_dirs[i];
		uid = owner_uid;
		gid = d->group_postdrop ? postdrop_gid : owner_gid;
		if (d->root_owned) {
			uid = root ? 0 : (uid_t)-1;
			gid = root ? 0 : (gid_t)-1;
		}
		if (queue_setup_dir(dfd, queue_directory, d, uid, gid,
		    why) < 0) {
			(void)close(dfd);	/* reporting the first error */
			return -1;
		}
	}
	queue_recycle_setup(dfd, owner_uid, owner_gid);
	if (close(dfd) < 0) {
		buf_why(why, "close queue directory %s: %s", queue_directory,
		    strerror(errno));
		return -1;
	}
	return 0;
}
