/* local_forward.c - forward_path expansion, and reading files as a user
 *
 * local_forward_path_expand turns one forward_path element into a path
 * at delivery time: $home, $user, $extension, $recipient_delimiter,
 * $local, $domain (and ${name}, ${name?text}, ${name:text} forms; other
 * names are main.cf parameters; $$ is a dollar). Values come from passwd
 * and the address; a result holding "/../" or a control character is
 * refused, so an address extension cannot walk out of the home directory.
 *
 * local_readfile reads a .forward or :include: file with the privileges
 * of its owner: a child process switches to that user (as root) and
 * sends "R uid\n" and the bytes, "M\n" for a missing file, or "E text\n"
 * on a pipe; the parent reads at most max bytes within
 * LOCAL_READ_SECONDS, so a FIFO or a slow NFS file costs a deferral, not
 * the service. For a .forward only a regular file owned by the user (or
 * root) and not group- or world-writable counts (else it is ignored,
 * with a warning), as Postfix does.
 */
#include "local.h"
#include "buf.h"
#include "deadline.h"
#include "log.h"
#include "params.h"
#include "privs.h"
#include "str.h"

#include <signal.h>
#include <sys/wait.h>

#define LOCAL_READ_SECONDS	30
#define LOCAL_VAR_NAME_MAX	64
#define LOCAL_VAR_DEPTH		5	/* nested ${name?text} */

/* local_forward_var - the value of name, or NULL when unknown */
static const char *
local_forward_var(const char *name, const struct local_forward_vars *v)
{
	if (strcmp(name, "home") == 0)
		return v->home;
	if (strcmp(name, "user") == 0)
		return v->user;
	if (strcmp(name, "extension") == 0)
		return v->extension;
	if (strcmp(name, "recipient_delimiter") == 0)
		return v->delimiter;
	if (strcmp(name, "local") == 0)
		return v->local;
	if (strcmp(name, "domain") == 0)
		return v->domain;
	return params_value(name);
}

/* local_forward_append - expand len bytes of pattern onto out; the text
 * of ${name?text} and ${name:text} is expanded too, depth-limited */
static int
local_forward_append(const char *pattern, size_t plen,
    const struct local_forward_vars *v, struct buf *out, int depth)
{
	char    name[LOCAL_VAR_NAME_MAX + 1];
	const char *p = pattern, *val, *text = NULL, *end;
	const char *stop = pattern + plen;
	size_t  len, tlen = 0;
	char    close, op;

	if (depth > LOCAL_VAR_DEPTH)
		return -1;
	while (p < stop) {
		if (*p != '$') {
			if (buf_append_char(out, (unsigned char)*p++) < 0)
				return -1;
			continue;
		}
		p++;
		if (*p == '$') {
			if (buf_append_char(out, '$') < 0)
				return -1;
			p++;
			continue;
		}
		close = *p == '{' ? '}' : *p == '(' ? ')' : '\0';
		if (close != '\0')
			p++;
		len = 0;
		while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= 'A' &&
		    p[len] <= 'Z') || (p[len] >= '0' && p[len] <= '9') ||
		    p[len] == '_')
			len++;
		if (len == 0 || len > LOCAL_VAR_NAME_MAX)
			return -1;
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		op = '\0';
		if (close != '\0') {
			if (*p == '?' || *p == ':') {
				op = *p++;
				if ((end = memchr(p, close,
				    (size_t)(stop - p))) == NULL)
					return -1;
				text = p;
				tlen = (size_t)(end - p);
				p = end;
			}
			if (p >= stop || *p != close)
				return -1;
			p++;
		}
		val = local_forward_var(name, v);
		if (val == NULL)
			val = "";
		if (op == '?')
			val = val[0] ? NULL : "";
		else if (op == ':')
			val = val[0] ? "" : NULL;
		if (val == NULL) {
			if (local_forward_append(text, tlen, v, out,
			    depth + 1) < 0)
				return -1;
		} else if (buf_append_str(out, val) < 0) {
			return -1;
		}
	}
	return 0;
}

/* local_forward_path_expand - expand one element */
int
local_forward_path_expand(const char *pattern,
    const struct local_forward_vars *v, struct buf *out)
{
	const char *p;

	buf_reset(out);
	if (local_forward_append(pattern, strlen(pattern), v, out, 0) < 0)
		return -1;
	for (p = buf_str(out); *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f)
			return -1;
	if (strstr(buf_str(out), "/../") != NULL ||
	    (buf_len(out) >= 3 && strcmp(buf_str(out) + buf_len(out) - 3,
	    "/..") == 0))
		return -1;
	return 0;
}

/* local_readfile_write - write all of data to fd */
static int
local_readfile_write(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, data, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* local_readfile_child - open, check and send the file; never returns */
static _Noreturn void
local_readfile_child(const char *path, const struct local_owner *o,
    bool forward, size_t max, int out)
{
	char    head[128], data[8192];
	struct stat st;
	size_t  total = 0;
	ssize_t n;
	int     fd;

	if (getuid() == 0 && o->uid != 0 && privs_become(o->uid, o->gid) < 0) {
		(void)snprintf(head, sizeof(head), "E cannot switch to user "
		    "%s: %s\n", o->name, strerror(errno));
		goto fail;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		(void)str_copy(head, sizeof(head), "M\n");
		goto fail;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		(void)snprintf(head, sizeof(head), "E %s\n", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)str_copy(head, sizeof(head), "E not a regular file\n");
		goto fail;
	}
	if (forward && ((st.st_uid != o->uid && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)) {
		(void)str_copy(head, sizeof(head), "I\n");
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		(void)str_copy(head, sizeof(head), "E file too large\n");
		goto fail;
	}
	(void)snprintf(head, sizeof(head), "R %lu\n",
	    (unsigned long)st.st_uid);
	if (local_readfile_write(out, head, strlen(head)) < 0)
		_exit(1);
	while ((n = read(fd, data, sizeof(data))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(1);
		total += (size_t)n;
		if (total > max || local_readfile_write(out, data,
		    (size_t)n) < 0)
			_exit(1);
	}
	_exit(0);

fail:
	(void)local_readfile_write(out, head, strlen(head));
	_exit(0);
}

/* local_readfile - read path as o */
int
local_readfile(const char *path, const struct local_owner *o, bool forward,
    size_t max, struct buf *value, uid_t *file_uid, struct buf *why)
{
	struct buf *raw = buf_new(max + 128);
	const char *nl;
	unsigned long long uid;
	char    num[32];
	int     pipefd[2], wstatus, rd, err, ret = -1;
	pid_t   pid;

	buf_reset(value);
	buf_reset(why);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		(void)buf_printf(why, "cannot create a pipe: %s",
		    strerror(errno));
		buf_free(raw);
		return -1;
	}
	if ((pid = fork()) < 0) {
		(void)buf_printf(why, "cannot fork: %s", strerror(errno));
		(void)close(pipefd[0]);	/* unused */
		(void)close(pipefd[1]);
		buf_free(raw);
		return -1;
	}
	if (pid == 0) {
		(void)close(pipefd[0]);	/* the parent's end */
		local_readfile_child(path, o, forward, max, pipefd[1]);
	}
	(void)close(pipefd[1]);		/* the child's end */
	rd = deadline_read_all(pipefd[0], raw,
	    deadline_after(LOCAL_READ_SECONDS * 1000LL), false);
	err = errno;
	if (rd < 0)
		(void)kill(pid, SIGKILL);	/* it may be gone already */
	(void)close(pipefd[0]);		/* read-only */
	while (waitpid(pid, &wstatus, 0) < 0)
		if (errno != EINTR)
			log_panic("waitpid %ld: %m", (long)pid);
	if (rd < 0) {
		(void)buf_printf(why, "%s", strerror(err));
		goto fail;
	}
	nl = memchr(buf_str(raw), '\n', buf_len(raw));
	if (nl == NULL || buf_len(raw) < 2) {
		(void)buf_set(why, "reader process failed");
		goto fail;
	}
	switch (buf_str(raw)[0]) {
	case 'M':
		ret = 0;
		break;
	case 'I':
		log_warn("ignoring %s: not owned by %s, or writable by group "
		    "or others", path, o->name);
		ret = 0;
		break;
	case 'E':
		(void)buf_append(why, buf_str(raw) + 2,
		    (size_t)(nl - buf_str(raw) - 2));
		break;
	case 'R':
		if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 ||
		    (size_t)(nl - buf_str(raw)) - 2 >= sizeof(num)) {
			(void)buf_set(why, "read error or file too large");
			break;
		}
		memcpy(num, buf_str(raw) + 2, (size_t)(nl - buf_str(raw)) - 2);
		num[nl - buf_str(raw) - 2] = '\0';
		if (parse_uint(num, 0, UINT32_MAX, &uid) < 0) {
			(void)buf_set(why, "reader process failed");
			break;
		}
		*file_uid = (uid_t)uid;
		if (buf_append(value, nl + 1, buf_len(raw) -
		    (size_t)(nl + 1 - buf_str(raw))) < 0) {
			(void)buf_set(why, "file too large");
			break;
		}
		if (memchr(buf_str(value), '\0', buf_len(value)) != NULL) {
			(void)buf_set(why, "file holds a NUL byte");
			break;
		}
		ret = 1;
		break;
	default:
		(void)buf_set(why, "reader process failed");
		break;
	}

fail:
	buf_free(raw);
	return ret;
}
