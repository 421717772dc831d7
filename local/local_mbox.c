/* local_mbox.c - delivery into an mbox file
 *
 * Runs in the delivery child, already as the recipient (as root, with the
 * group of mail_spool_directory added when the mbox lives there, so that
 * the dotlock can be created in Debian's root:mail 2775 /var/mail). The
 * mbox is rel below the directory base. Locking, in this order, both with
 * a deadline of LOCAL_LOCK_SECONDS: a dotlock "rel.lock" created with
 * O_EXCL (one older than LOCAL_LOCK_STALE seconds is removed), then an
 * fcntl write lock on the whole file. F_SETLKW cannot take a deadline
 * without a signal, so F_SETLK is retried with a growing pause instead.
 * The mbox is opened with O_APPEND|O_NOFOLLOW, created mode 0600 when
 * missing, and must be a regular file with one link owned by the
 * recipient. A /file destination of an alias or .forward (rcpt->file)
 * uses the same code, as the destination's owner; when its directory
 * does not let the owner create the dotlock, the fcntl lock alone
 * serves. The message is appended (local_copy.c: From_ line, ">From "
 * quoting, final empty line), then fsync'd; on any error the file is
 * truncated back to its size before the delivery. mailbox_size_limit
 * bounds the size of the whole mbox.
 */
#include "local.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"

#include <poll.h>

#define LOCAL_PAUSE_MIN_MS	5
#define LOCAL_PAUSE_MAX_MS	250

/* local_mbox_now_ms - the monotonic clock */
static long long
local_mbox_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		log_panic("clock_gettime: %m");
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* local_mbox_pause - wait a little before the next lock attempt; -1 with
 * errno EAGAIN once the deadline has passed */
static int
local_mbox_pause(long long deadline, int *pause_ms)
{
	long long left = deadline - local_mbox_now_ms();

	if (left <= 0) {
		errno = EAGAIN;
		return -1;
	}
	if (left > *pause_ms)
		left = *pause_ms;
	if (poll(NULL, 0, (int)left) < 0 && errno != EINTR)
		return -1;
	if (*pause_ms < LOCAL_PAUSE_MAX_MS)
		*pause_ms *= 2;
	return 0;
}

/* local_mbox_dotlock - create the lock file; 0, or -1 with errno (EAGAIN
 * for the deadline) */
static int
local_mbox_dotlock(int dirfd, const char *lock, long long deadline)
{
	struct stat st;
	int     fd, pause_ms = LOCAL_PAUSE_MIN_MS;

	for (;;) {
		fd = openat(dirfd, lock, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0) {
			(void)close(fd);	/* empty: its name counts */
			return 0;
		}
		if (errno != EEXIST)
			return -1;
		if (fstatat(dirfd, lock, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* released meanwhile */
			return -1;
		}
		if (st.st_mtime + LOCAL_LOCK_STALE < time(NULL)) {
			if (unlinkat(dirfd, lock, 0) < 0 && errno != ENOENT)
				return -1;
			log_warn("removed stale lock file %s", lock);
			continue;
		}
		if (local_mbox_pause(deadline, &pause_ms) < 0)
			return -1;
	}
}

/* local_mbox_fcntl_lock - a write lock on the whole file, with deadline */
static int
local_mbox_fcntl_lock(int fd, long long deadline)
{
	struct flock fl;
	int     pause_ms = LOCAL_PAUSE_MIN_MS;

	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return -1;
		if (local_mbox_pause(deadline, &pause_ms) < 0)
			return -1;
	}
}

/* local_mbox_open - open (or create) the mbox for appending and check it;
 * -1 with res set */
static int
local_mbox_open(int dirfd, const struct local_rcpt *rcpt, const char *path,
    struct stat *st, struct local_result *res)
{
	const char *rel = buf_str(rcpt->rel);
	const int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY;
	int     fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(dirfd, rel, flags);
		if (fd >= 0 || errno != ENOENT)
			break;
		fd = openat(dirfd, rel, flags | O_CREAT | O_EXCL, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		if (errno == ELOOP)
			local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
			    "mailbox %s is a symbolic link", path);
		else
			local_result_errno(res, errno, "open mailbox", path);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		local_result_errno(res, errno, "examine mailbox", path);
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
		    "mailbox %s is not a regular file", path);
		goto fail;
	}
	if (st->st_nlink != 1) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
		    "mailbox %s has %lu links", path,
		    (unsigned long)st->st_nlink);
		goto fail;
	}
	if (st->st_uid != rcpt->uid) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
		    "mailbox %s is not owned by user %s", path, rcpt->user);
		goto fail;
	}
	return fd;

fail:
	(void)close(fd);	/* nothing was written */
	return -1;
}

/* local_mbox_append - lock, append, sync; truncate back on failure */
static void
local_mbox_append(int fd, const struct local_rcpt *rcpt,
    const struct local_delivery *d, const char *path, long long deadline,
    struct local_result *res)
{
	struct stat st;
	off_t   limit = 0;

	if (local_mbox_fcntl_lock(fd, deadline) < 0) {
		if (errno == EAGAIN)
			local_result_set(res, PROTO_STATUS_DEFER, "4.2.0",
			    "cannot lock mailbox %s: timeout", path);
		else
			local_result_errno(res, errno, "lock mailbox", path);
		return;
	}
	if (fstat(fd, &st) < 0) {
		local_result_errno(res, errno, "examine mailbox", path);
		return;
	}
	if (var_mailbox_size_limit > 0) {
		if (st.st_size >= (off_t)var_mailbox_size_limit) {
			local_result_set(res, PROTO_STATUS_BOUNCE, "5.2.2",
			    "mailbox size exceeds limit");
			return;
		}
		limit = (off_t)var_mailbox_size_limit - st.st_size;
	}
	if (local_copy_message(d, rcpt, fd, path, LOCAL_COPY_MBOX, limit,
	    res) == 0) {
		if (fsync(fd) == 0) {
			local_result_set(res, PROTO_STATUS_OK, "2.0.0",
			    "delivered to mailbox");
			return;
		}
		local_result_errno(res, errno, "sync mailbox", path);
	}
	if (ftruncate(fd, st.st_size) < 0)
		log_warn("%s: cannot truncate mailbox %s to %lld bytes after "
		    "a failed delivery: %m", d->queue_id, path,
		    (long long)st.st_size);
}

/* local_mbox_deliver - append the message to rcpt's mbox */
void
local_mbox_deliver(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res)
{
	struct buf *lock, *path;
	struct stat st;
	long long deadline;
	int     dirfd, fd;

	lock = buf_new(PATH_MAX);
	path = buf_new(2 * PATH_MAX);
	(void)buf_printf(path, "%s/%s", buf_str(rcpt->base),
	    buf_str(rcpt->rel));
	deadline = local_mbox_now_ms() + LOCAL_LOCK_SECONDS * 1000LL;
	if ((dirfd = open(buf_str(rcpt->base), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		local_result_errno(res, errno, "open directory",
		    buf_str(rcpt->base));
		goto fail;
	}
	if (buf_printf(lock, "%s.lock", buf_str(rcpt->rel)) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "mailbox path too long");
		goto fail;
	}
	if (local_mbox_dotlock(dirfd, buf_str(lock), deadline) < 0) {
		if (rcpt->file && (errno == EACCES || errno == EPERM ||
		    errno == EROFS)) {
			/* a /file in a directory we may not write: the fcntl
			 * lock alone, as Postfix's file delivery */
			buf_reset(lock);
		} else {
			if (errno == EAGAIN)
				local_result_set(res, PROTO_STATUS_DEFER,
				    "4.2.0", "cannot lock mailbox %s: timeout",
				    buf_str(path));
			else
				local_result_errno(res, errno,
				    "create lock file for", buf_str(path));
			goto fail;
		}
	}
	fd = local_mbox_open(dirfd, rcpt, buf_str(path), &st, res);
	if (fd >= 0) {
		local_mbox_append(fd, rcpt, d, buf_str(path), deadline, res);
		if (close(fd) < 0 && res->status == PROTO_STATUS_OK)
			local_result_errno(res, errno, "close mailbox",
			    buf_str(path));
	}
	if (buf_len(lock) > 0 && unlinkat(dirfd, buf_str(lock), 0) < 0)
		log_warn("%s: cannot remove lock file %s.lock: %m",
		    d->queue_id, buf_str(path));

fail:
	if (dirfd >= 0)
		(void)close(dirfd);	/* read-only directory */
	buf_free(path);
	buf_free(lock);
}
