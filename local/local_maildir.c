/* local_maildir.c - delivery into a Maildir
 *
 * Runs in the delivery child, already as the recipient. The Maildir is
 * rel below the directory base (the home directory from passwd, or
 * virtual_mailbox_base); missing components of rel and tmp/, new/, cur/
 * are created with mode 0700. Directories are reached with openat() from
 * a descriptor of base, so the path is resolved once. The message file
 * gets a unique name as the Maildir specification describes:
 * "SECONDS.M<usec>P<pid>Q<count>.<host>", the host name with "/" and ":"
 * escaped as \057 and \072. It is created in tmp/ with O_CREAT|O_EXCL|
 * O_NOFOLLOW and mode 0600, written (local_copy.c), fsync'd, renamed into
 * new/, and new/ is fsync'd: only then is the delivery reported as done.
 * On any error the file is unlinked from wherever it is, so a failed
 * delivery leaves nothing behind. The message file is limited to
 * mailbox_size_limit bytes.
 */
#include "local.h"
#include "buf.h"
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

/* local_maildir_close - close a descriptor we may hold */
static void
local_maildir_close(int fd)
{
	if (fd >= 0)
		(void)close(fd);	/* directories and failed files only */
}

/* local_maildir_deliver - write the message into rcpt's Maildir */
void
local_maildir_deliver(const struct local_rcpt *rcpt,
    const struct local_delivery *d, struct local_result *res)
{
	struct buf *name, *path;
	int     basefd = -1, mdfd = -1, tmpfd = -1, newfd = -1, fd = -1;
	bool    in_tmp = false, in_new = false, created = false;
	long long now;
	unsigned long count = d->count;
	int     tries, ret;

	name = buf_new(NAME_MAX + 64);
	path = buf_new(2 * PATH_MAX + NAME_MAX);
	if ((basefd = open(buf_str(rcpt->base), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0) {
		local_result_errno(res, errno, "open directory",
		    buf_str(rcpt->base));
		goto fail;
	}
	if ((mdfd = local_maildir_open_path(basefd, buf_str(rcpt->rel))) < 0) {
		local_result_errno(res, errno, "create maildir",
		    local_maildir_path(path, rcpt, ""));
		goto fail;
	}
	if ((tmpfd = local_maildir_open_dir(mdfd, "tmp", &created)) < 0) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "tmp"));
		goto fail;
	}
	if ((newfd = local_maildir_open_dir(mdfd, "new", &created)) < 0) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "new"));
		goto fail;
	}
	if (created && mkdirat(mdfd, "cur", 0700) < 0 && errno != EEXIST) {
		local_result_errno(res, errno, "create maildir directory",
		    local_maildir_path(path, rcpt, "cur"));
		goto fail;
	}
	for (tries = 0; tries < LOCAL_MAILDIR_TRIES; tries++, count++) {
		now = local_now_us();
		if (local_maildir_name(name, now / 1000000,
		    (long)(now % 1000000), (long)getpid(), count,
		    local_maildir_host) < 0) {
			local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
			    "maildir file name too long");
			goto fail;
		}
		fd = openat(tmpfd, buf_str(name), O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		local_result_errno(res, errno, "create maildir file",
		    local_maildir_path(path, rcpt, "tmp"));
		goto fail;
	}
	in_tmp = true;
	(void)local_maildir_path(path, rcpt, "tmp");
	(void)buf_printf(path, "/%s", buf_str(name));
	if (local_copy_message(d, rcpt, fd, buf_str(path), 0,
	    (off_t)var_mailbox_size_limit, res) < 0)
		goto fail;
	if (fsync(fd) < 0) {
		local_result_errno(res, errno, "sync", buf_str(path));
		goto fail;
	}
	ret = close(fd);
	fd = -1;
	if (ret < 0) {
		local_result_errno(res, errno, "close", buf_str(path));
		goto fail;
	}
	if (renameat(tmpfd, buf_str(name), newfd, buf_str(name)) < 0) {
		local_result_errno(res, errno, "move into new/",
		    buf_str(path));
		goto fail;
	}
	in_tmp = false;
	in_new = true;
	if (fsync(newfd) < 0) {
		local_result_errno(res, errno, "sync directory",
		    local_maildir_path(path, rcpt, "new"));
		goto fail;
	}
	in_new = false;
	local_result_set(res, PROTO_STATUS_OK, "2.0.0",
	    "delivered to maildir");

fail:
	local_maildir_close(fd);
	/* best effort: a leftover in tmp/ is harmless, one in new/ a
	 * duplicate at worst */
	if (in_tmp)
		(void)unlinkat(tmpfd, buf_str(name), 0);
	if (in_new)
		(void)unlinkat(newfd, buf_str(name), 0);
	local_maildir_close(newfd);
	local_maildir_close(tmpfd);
	local_maildir_close(mdfd);
	local_maildir_close(basefd);
	buf_free(path);
	buf_free(name);
}
