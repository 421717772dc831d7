/* sendmail_post.c - one submission: postdrop on a pipe, the record stream
 *
 * sendmail never writes into the queue. sendmail_post_open starts the
 * postdrop helper (setgid postdrop when installed, so that it may create
 * maildrop/ID) with the message's record stream on its stdin, and writes
 * the envelope of util/maildrop.h: VERSION, SIZE (zeros: nobody relies on
 * it), TIME, SENDER, ATTR uid=N and full_name=..., RCPT per recipient,
 * MESSAGE. sendmail_post_write sends content as REC_DATA records of at
 * most MAILDROP_MAX_RECORD bytes; sendmail_post_close adds END, closes the
 * pipe and waits: postdrop's exit status (a sysexits.h code, its
 * complaint already on the shared stderr) becomes the caller's.
 * SIGPIPE is ignored, so a postdrop that gives up early shows as a write
 * error here and then as its own exit status.
 * Helpers are found beside this program (/proc/self/exe), else in
 * daemon_directory.
 */
#include "sendmail.h"
#include <signal.h>
#include <sys/wait.h>
#include "buf.h"
#include "log.h"
#include "maildrop.h"
#include "mem.h"
#include "params.h"
#include "rec.h"

struct sendmail_post {
	pid_t	pid;
	int	fd;		/* the pipe to postdrop */
	struct rec_writer w;
	bool	broken;		/* a write failed: postdrop is gone */
};

/* sendmail_helper - find a helper program */
int
sendmail_helper(const char *name, struct buf *out)
{
	char    self[PATH_MAX];
	ssize_t n;
	char   *slash;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			buf_reset(out);
			if (buf_printf(out, "%s/%s", self, name) == 0
			    && access(buf_str(out), X_OK) == 0)
				return 0;
		}
	}
	if (*var_daemon_directory != '\0') {
		buf_reset(out);
		if (buf_printf(out, "%s/%s", var_daemon_directory, name) == 0
		    && access(buf_str(out), X_OK) == 0)
			return 0;
	}
	return -1;
}

/* sendmail_post_spawn - fork postdrop with a pipe on its stdin */
static void
sendmail_post_spawn(struct sendmail_post *p, const struct sendmail_opts *o)
{
	struct buf *path = buf_new(0);
	int     fds[2];
	char   *argv[6];
	int     argc = 0;

	if (sendmail_helper("postdrop", path) < 0)
		log_die(EX_UNAVAILABLE, "cannot find the postdrop program "
		    "beside sendmail or in daemon_directory \"%s\"",
		    var_daemon_directory);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		log_die(EX_OSERR, "ignore SIGPIPE: %m");
	if (pipe2(fds, O_CLOEXEC) < 0)
		log_die(EX_OSERR, "pipe: %m");
	argv[argc++] = "postdrop";
	if (o->config_dir != NULL) {
		argv[argc++] = "-c";
		argv[argc++] = (char *)o->config_dir;
	}
	if (o->verbose > 0)
		argv[argc++] = "-v";
	argv[argc] = NULL;
	if ((p->pid = fork()) < 0)
		log_die(EX_OSERR, "fork: %m");
	if (p->pid == 0) {
		if (dup2(fds[0], STDIN_FILENO) < 0) {
			log_error("dup2: %m");
			_exit(EX_OSERR);
		}
		(void)signal(SIGPIPE, SIG_DFL);	/* postdrop's own choice */
		execv(buf_str(path), argv);
		log_error("execute %s: %m", buf_str(path));
		_exit(EX_OSERR);
	}
	(void)close(fds[0]);	/* the child's end; a close never fails here */
	p->fd = fds[1];
	buf_free(path);
}

/* sendmail_post_put - one record; a failure marks the pipe broken */
static void
sendmail_post_put(struct sendmail_post *p, int type, const char *data,
    size_t len)
{
	if (!p->broken && rec_put(&p->w, type, data, len) < 0)
		p->broken = true;
}

/* sendmail_post_open - postdrop, then the envelope */
struct sendmail_post *
sendmail_post_open(const struct sendmail_opts *o,
    const struct sendmail_user *u, const struct sendmail_rcpts *r)
{
	struct sendmail_post *p = xcalloc(1, sizeof(*p));
	struct buf *b = buf_new(0);
	struct timespec ts;
	size_t  i;

	sendmail_post_spawn(p, o);
	rec_writer_init(&p->w, p->fd);
	sendmail_post_put(p, REC_VERSION, REC_VERSION_TEXT,
	    strlen(REC_VERSION_TEXT));
	(void)buf_printf(b, REC_SIZE_FMT, 0LL, 0LL, 0LL, 0LL);
	sendmail_post_put(p, REC_SIZE, buf_str(b), buf_len(b));
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		log_die(EX_OSERR, "clock_gettime: %m");
	buf_reset(b);
	(void)buf_printf(b, "%lld.%06ld", (long long)ts.tv_sec,
	    (long)(ts.tv_nsec / 1000));
	sendmail_post_put(p, REC_TIME, buf_str(b), buf_len(b));
	sendmail_post_put(p, REC_SENDER, u->sender, strlen(u->sender));
	buf_reset(b);
	(void)buf_printf(b, "%s=%lu", MAILDROP_ATTR_UID,
	    (unsigned long)u->uid);
	sendmail_post_put(p, REC_ATTR, buf_str(b), buf_len(b));
	if (*u->full_name != '\0') {
		buf_reset(b);
		(void)buf_printf(b, "%s=%s", MAILDROP_ATTR_FULL_NAME,
		    u->full_name);
		sendmail_post_put(p, REC_ATTR, buf_str(b), buf_len(b));
	}
	for (i = 0; i < r->n; i++)
		sendmail_post_put(p, REC_RCPT, r->addr[i], strlen(r->addr[i]));
	sendmail_post_put(p, REC_MESSAGE, "", 0);
	buf_free(b);
	return p;
}

/* sendmail_post_write - content as DATA records */
int
sendmail_post_write(struct sendmail_post *p, const char *data, size_t len)
{
	size_t  n;

	while (len > 0 && !p->broken) {
		n = len > MAILDROP_MAX_RECORD ? MAILDROP_MAX_RECORD : len;
		sendmail_post_put(p, REC_DATA, data, n);
		data += n;
		len -= n;
	}
	return p->broken ? -1 : 0;
}

/* sendmail_post_close - END, then postdrop's verdict */
int
sendmail_post_close(struct sendmail_post *p)
{
	int     status, ret;
	pid_t   w;

	sendmail_post_put(p, REC_END, "", 0);
	if (!p->broken && rec_flush(&p->w) < 0)
		p->broken = true;
	rec_writer_done(&p->w);
	(void)close(p->fd);	/* a pipe: an error here changes nothing */
	while ((w = waitpid(p->pid, &status, 0)) < 0 && errno == EINTR)
		continue;
	if (w < 0)
		log_die(EX_OSERR, "wait for postdrop: %m");
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else
		ret = EX_SOFTWARE;
	if (ret == EX_OK && p->broken)
		ret = EX_IOERR;		/* cannot be: postdrop saw no END */
	if (!WIFEXITED(status))
		log_error("postdrop was killed by signal %d",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	free(p);
	return ret;
}
