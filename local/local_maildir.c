/* local_maildir.c - delivery into a Maildir
 *
 * Runs in the delivery child, already as the recipient. The Maildir is
 * rel below the directory base (the home directory from passwd, or
 * virtual_mailbox_base); missing components of rel and tmp/, new/, cur/
 * are created with mode 0700. Directories are reached with openat() from
 * a descriptor of base, so the path is resolved once. The message file
 * gets a unique name as the Maildir specification describes:
 * "SECONDS.M<usec>P<pid>Q<count>.<host>", the host name with "/" and ":"
 * escaped as \057 and \072. It is created in tmp/ with mode 0600 (see
 * local_maildir_create), written (local_copy.c), fsync'd, renamed into
 * new/, and new/ is fsync'd: only then is the delivery reported as done.
 * A batch of messages for one mailbox (util/proto.h) shares that last
 * fsync: all files are written first (the write-back of each but the
 * last started at once), then each is synced and renamed, then new/ is
 * synced once. On any error the file is unlinked from wherever it is, so
 * a failed delivery leaves nothing behind. The message file is limited to
 * mailbox_size_limit bytes.
 */
#include "local.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#define LOCAL_HOST_SIZE	(HOST_NAME_MAX + 1)

static char local_maildir_host[LOCAL_HOST_SIZE] = "localhost";

/* local_maildir_init - cache the host name (before the sandbox) */
void
local_maildir_init(void)
{
	char    host[LOCAL_HOST_SIZE];

	if (gethostname(host, sizeof(host)) < 0)
		return;
	host[sizeof(host) - 1] = '\0';
	if (host[0] != '\0')
		(void)str_copy(local_maildir_host, sizeof(local_maildir_host),
		    host);
}

/* local_maildir_name - a unique file name, or -1 if over NAME_MAX */
int
local_maildir_name(struct buf *out, long long sec, long usec, long pid,
    unsigned long count, const char *host)
{
	const char *p;

	buf_reset(out);
	if (buf_printf(out, "%lld.M%ldP%ldQ%lu.", sec, usec, pid, count) < 0)
		return -1;
	for (p = host; *p != '\0'; p++) {
		if (*p == '/') {
			if (buf_append_str(out, "\\057") < 0)
				return -1;
		} else if (*p == ':') {
			if (buf_append_str(out, "\\072") < 0)
				return -1;
		} else if (buf_append_char(out, *p) < 0) {
			return -1;
		}
	}
	return buf_len(out) > NAME_MAX ? -1 : 0;
}

/* local_maildir_open_dir - open directory name below at, creating it
 * (0700) if missing; *created tells. A descriptor or -1 (errno). */
static int
local_maildir_open_dir(int at, const char *name, bool *created)
{
	int     fd;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (mkdirat(at, name, 0700) < 0 && errno != EEXIST)
		return -1;
	*created = true;
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* local_maildir_open_path - the Maildir directory: each component of rel
 * below basefd, created when missing */
static int
local_maildir_open_path(int basefd, const char *rel)
{
	char    comp[NAME_MAX + 1];
	const char *p = rel;
	size_t  len;
	int     cur = -1, next, saved;
	bool    created = false;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			next = -1;
		} else {
			memcpy(comp, p, len);
			comp[len] = '\0';
			next = local_maildir_open_dir(cur >= 0 ? cur : basefd,
			    comp, &created);
		}
		saved = errno;
		if (cur >= 0)
			(void)close(cur);	/* read-only directory */
		errno = saved;
		if (next < 0)
			return -1;
		cur = next;
		p += len;
	}
	if (cur < 0)
		cur = openat(basefd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return cur;
}

/* local_maildir_path - "base/rel[/sub]" for error texts */
static const char *
local_maildir_path(struct buf *out, const struct local_rcpt *rcpt,
    const char *sub)
{
	buf_reset(out);
	(void)buf_printf(out, "%s/%s%s%s", buf_str(rcpt->base),
	    buf_str(rcpt->rel), sub[0] ? "/" : "", sub);
	return buf_str(out);
}

/* local_maildir_tmp_path - "base/rel/tmp/name" for error texts */
static const char *
local_maildir_tmp_path(struct buf *out, const struct local_rcpt *rcpt,
    const struct buf *name)
{
	(void)local_maildir_path(out, rcpt, "tmp");
	(void)buf_printf(out, "/%s", buf_str(name));
	return buf_str(out);
}

/* local_maildir_close - close a descriptor we may hold */
static void
local_maildir_close(int fd)
{
	if (fd >= 0)
		(void)close(fd);	/* directories and failed files only */
}

/* the open directories of one Maildir */
struct local_maildir_dirs {
	int	base, md, tmp, new;
};

/* local_maildir_open - the directories of rcpt's Maildir, created when
 * missing; 0, or -1 with res */
static int
local_maildir_open(const struct local_rcpt *rcpt,
    struct local_maildir_dirs *dirs, struct buf *path,
    struct local_result *res)
{
	bool    created = false;

	if ((dirs->base = open(buf_str(rcpt->base), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		local_result_errno(res, errno, "open directory",
		    buf_str(rcpt->base));
		return -1;
	}
	if ((dirs->md = local_maildir_open_path(dirs->base,
	    buf_str(rcpt->rel))) < 0) {
		local_result_errno(res, errno, "create maildir",
		    local_maildir_path(path, rcpt, ""));
		return -1;
	}
	if ((dirs->tmp = local_maildir_open_dir(dirs->md, "tmp",
	    &created)) < 0) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "tmp"));
		return -1;
	}
	if ((dirs->new = local_maildir_open_dir(dirs->md, "new",
	    &created)) < 0) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "new"));
		return -1;
	}
	if (created && mkdirat(dirs->md, "cur", 0700) < 0 && errno != EEXIST) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "cur"));
		return -1;
	}
	return 0;
}

/* local_maildir_create - the new file tmp/name, open for writing; -1
 * with errno (EEXIST: the name is taken).
 *
 * The inode is made unnamed (O_TMPFILE) and linked to its name at once:
 * a named create allocates the inode while it holds the lock of tmp/,
 * and allocating an inode can take long (ext4 without a journal scans
 * past every recently deleted inode), so parallel deliveries into one
 * Maildir queued on that lock, spinning; the unnamed create takes no
 * directory lock and the link holds it only to add the name. From the
 * link on, the file is what a named create makes, and everything after
 * it is the same. Where O_TMPFILE or /proc is missing (old kernels,
 * other file systems, no /proc mounted), the named create is used. */
static int
local_maildir_create(int tmp, const char *name)
{
	char    proc[sizeof("/proc/self/fd/") + 3 * sizeof(int)];
	int     fd, err;

	fd = openat(tmp, ".", O_WRONLY | O_TMPFILE | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd >= 0) {
		(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, tmp, name, AT_SYMLINK_FOLLOW) == 0)
			return fd;
		err = errno;
		(void)close(fd);	/* unnamed and empty: freed */
		if (err == EEXIST) {
			errno = err;
			return -1;
		}
	}
	return openat(tmp, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY, 0600);
}

/* local_maildir_write - one message: a unique file in tmp/ (its name in
 * name), written, its write-back started when more files follow; the
 * open descriptor, or -1 with res and nothing left behind */
static int
local_maildir_write(const struct local_rcpt *rcpt,
    const struct local_maildir_dirs *dirs, const struct local_delivery *d,
    bool more, struct buf *name, struct buf *path,
    struct local_result *res)
{
	unsigned long count = d->count;
	long long now;
	int     tries, fd = -1;

	for (tries = 0; tries < LOCAL_MAILDIR_TRIES; tries++, count++) {
		now = local_now_us();
		if (local_maildir_name(name, now / 1000000,
		    (long)(now % 1000000), (long)getpid(), count,
		    local_maildir_host) < 0) {
			local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
			    "maildir file name too long");
			return -1;
		}
		fd = local_maildir_create(dirs->tmp, buf_str(name));
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		local_result_errno(res, errno, "create maildir file",
		    local_maildir_path(path, rcpt, "tmp"));
		return -1;
	}
	if (local_copy_message(d, rcpt, fd,
	    local_maildir_tmp_path(path, rcpt, name), 0,
	    (off_t)var_mailbox_size_limit, res) < 0) {
		(void)close(fd);	/* given up */
		(void)unlinkat(dirs->tmp, buf_str(name), 0);
		return -1;
	}
	/* the data goes to disk now, while the next file is written: the
	 * fsync of local_maildir_commit then mostly waits for the inode
	 * (for the last file that fsync comes next anyway) */
	if (more)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return fd;
}

/* local_maildir_commit - fsync and close the file written by
 * local_maildir_write, then rename it into new/; 0, or -1 with res and
 * nothing left behind */
static int
local_maildir_commit(const struct local_rcpt *rcpt,
    const struct local_maildir_dirs *dirs, int fd, const struct buf *name,
    struct buf *path, struct local_result *res)
{
	const char *doing = NULL;
	int     err = 0;

	if (fsync(fd) < 0) {
		err = errno;
		doing = "sync";
	}
	if (close(fd) < 0 && doing == NULL) {
		err = errno;
		doing = "close";
	}
	if (doing == NULL && renameat(dirs->tmp, buf_str(name), dirs->new,
	    buf_str(name)) < 0) {
		err = errno;
		doing = "move into new/";
	}
	if (doing == NULL)
		return 0;
	local_result_errno(res, err, doing,
	    local_maildir_tmp_path(path, rcpt, name));
	/* best effort: a leftover in tmp/ is harmless */
	(void)unlinkat(dirs->tmp, buf_str(name), 0);
	return -1;
}

/* local_maildir_deliver_batch - write the messages d[0..n-1] into rcpt's
 * Maildir, each into its own file: all are written first, then each is
 * fsync'd and renamed into new/, then new/ is fsync'd once for all of
 * them: only then is each reported as delivered. If that fsync fails,
 * the files are taken out of new/ again (a duplicate at worst) and all
 * deferred. */
void
local_maildir_deliver_batch(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res, size_t n)
{
	struct local_maildir_dirs dirs = {-1, -1, -1, -1};
	struct buf *name[PROTO_BATCH_MAX], *path;
	int     fd[PROTO_BATCH_MAX];
	bool    in_new[PROTO_BATCH_MAX];
	struct local_result failed;
	size_t  i, delivered = 0;

	if (n > PROTO_BATCH_MAX)
		log_panic("local_maildir_deliver_batch: %zu messages", n);
	path = buf_new(2 * PATH_MAX + NAME_MAX);
	for (i = 0; i < n; i++) {
		name[i] = buf_new(NAME_MAX + 64);
		in_new[i] = false;
	}
	if (local_maildir_open(rcpt, &dirs, path, &failed) < 0) {
		for (i = 0; i < n; i++)
			res[i] = failed;
		goto done;
	}
	for (i = 0; i < n; i++)
		fd[i] = local_maildir_write(rcpt, &dirs, &d[i], i + 1 < n,
		    name[i], path, &res[i]);
	for (i = 0; i < n; i++) {
		in_new[i] = fd[i] >= 0 && local_maildir_commit(rcpt, &dirs,
		    fd[i], name[i], path, &res[i]) == 0;
		delivered += in_new[i];
	}
	if (delivered > 0 && fsync(dirs.new) < 0) {
		local_result_errno(&failed, errno, "sync directory",
		    local_maildir_path(path, rcpt, "new"));
		for (i = 0; i < n; i++) {
			if (!in_new[i])
				continue;
			(void)unlinkat(dirs.new, buf_str(name[i]), 0);
			res[i] = failed;
			in_new[i] = false;
		}
	}
	for (i = 0; i < n; i++)
		if (in_new[i])
			local_result_set(&res[i], PROTO_STATUS_OK, "2.0.0",
			    "delivered to maildir");

done:
	local_maildir_close(dirs.new);
	local_maildir_close(dirs.tmp);
	local_maildir_close(dirs.md);
	local_maildir_close(dirs.base);
	for (i = 0; i < n; i++)
		buf_free(name[i]);
	buf_free(path);
}

/* local_maildir_deliver - write one message into rcpt's Maildir */
void
local_maildir_deliver(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res)
{
	local_maildir_deliver_batch(rcpt, d, res, 1);
}
