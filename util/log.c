/* log.c - logging in Postfix's line format
 *
 * Owns the process's log destination: syslog (facility mail, ident
 * "syslog_name/prog", opened at log_init() with LOG_NDELAY so that the
 * socket exists before chroot), or the maillog_file opened once by
 * log_open_file() with O_APPEND and never reopened, so that it survives
 * chroot and privilege drops. A file line is "Mon DD HH:MM:SS host
 * syslog_name/prog[pid]: text\n", written with one write() so that lines
 * of concurrent processes never interleave. Without a file and without
 * /dev/log, lines go to stderr in the file format.
 *
 * Every line is bounded by LOG_LINE_MAX (longer text is truncated), and no
 * logging path allocates memory, so that log_fatal() works when memory is
 * exhausted. %m in a format is replaced by the text of the errno value at
 * the time of the call, by rewriting the format before vsnprintf().
 *
 * Levels: info plain, "warning: ", "error: ", "fatal: " (then exit 1),
 * "panic: " (then abort). log_debug() logs only when log_verbose > 0.
 * A capture hook (tests) receives each line as "syslog_name/prog[pid]:
 * text" and replaces the syslog/file output; the stderr copy of commands
 * (log_set_stderr) reads "prog: text".
 */
#include "log.h"
#include "buf.h"
#include "str.h"

#include <syslog.h>

#define LOG_LINE_MAX	2048		/* severity prefix + text */
#define LOG_NAME_MAX	64
#define LOG_HOST_MAX	256
#define LOG_FMT_MAX	(2 * LOG_LINE_MAX)

int	log_verbose;

static char log_prog[LOG_NAME_MAX] = "postern";
static char log_syslog_name[LOG_NAME_MAX] = "postern";
static char log_ident[2 * LOG_NAME_MAX + 2] = "postern";
static char log_host[LOG_HOST_MAX] = "localhost";
static char log_file_path[PATH_MAX];
static int log_fd = -1;
static bool log_to_stderr;
static bool log_have_syslog;
static log_capture_fn log_capture;

/* log_copy_name - copy a name, truncating (names are ours, not peers') */
static void
log_copy_name(char *dst, size_t size, const char *src)
{
	size_t  len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* log_update_ident - rebuild "syslog_name/prog" in place; glibc syslog()
 * reads the ident pointer given to openlog() at every call, so changing the
 * buffer needs no reopen (which would fail after chroot) */
static void
log_update_ident(void)
{
	(void)snprintf(log_ident, sizeof(log_ident), "%s/%s",
	    log_syslog_name, log_prog);
}

/* log_init - remember the program name, host name, and open syslog */
void
log_init(const char *progname)
{
	const char *slash;
	struct stat st;

	slash = strrchr(progname, '/');
	log_copy_name(log_prog, sizeof(log_prog),
	    slash != NULL ? slash + 1 : progname);
	if (gethostname(log_host, sizeof(log_host)) < 0)
		log_copy_name(log_host, sizeof(log_host), "localhost");
	log_host[sizeof(log_host) - 1] = '\0';
	/* load the time zone now: there is no /etc/localtime after chroot */
	tzset();
	log_update_ident();
	log_have_syslog = stat("/dev/log", &st) == 0;
	if (log_have_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* log_set_syslog_name - set the syslog_name part of every line */
void
log_set_syslog_name(const char *name)
{
	if (name == NULL || *name == '\0')
		name = "postern";
	log_copy_name(log_syslog_name, sizeof(log_syslog_name), name);
	log_update_ident();
}

/* log_open_file - log to path from now on ("" = syslog); -1 on failure */
int
log_open_file(const char *path)
{
	int     fd;

	if (path == NULL || *path == '\0') {
		if (log_fd >= 0)
			(void)close(log_fd);	/* nothing to do on error */
		log_fd = -1;
		log_file_path[0] = '\0';
		return 0;
	}
	/* the same file again (reload): keep the descriptor, never reopen */
	if (log_fd >= 0 && strcmp(path, log_file_path) == 0)
		return 0;
	if (strlen(path) >= sizeof(log_file_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
	    0640);
	if (fd < 0)
		return -1;
	if (log_fd >= 0)
		(void)close(log_fd);	/* the old file is replaced anyway */
	log_fd = fd;
	(void)str_copy(log_file_path, sizeof(log_file_path), path);
	return 0;
}

/* log_set_stderr - also copy lines to stderr as "prog: text" */
void
log_set_stderr(bool on)
{
	log_to_stderr = on;
}

/* log_set_verbose - set the debug level */
void
log_set_verbose(int level)
{
	log_verbose = level;
}

/* log_set_capture - send lines to fn instead of syslog/file (tests) */
void
log_set_capture(log_capture_fn fn)
{
	log_capture = fn;
}

/* log_progname - the name given to log_init */
const char *
log_progname(void)
{
	return log_prog;
}

/* log_expand_m - copy fmt to out with %m replaced by err's text (percent
 * signs in that text doubled); -1 if it does not fit */
static int
log_expand_m(char *out, size_t size, const char *fmt, int err)
{
	const char *msg = NULL, *p;
	size_t  n = 0;

	for (; *fmt; fmt++) {
		if (fmt[0] == '%' && fmt[1] == 'm') {
			if (msg == NULL)
				msg = strerror(err);
			for (p = msg; *p; p++) {
				if (n + 2 >= size)
					return -1;
				if (*p == '%')
					out[n++] = '%';
				out[n++] = *p;
			}
			fmt++;
			continue;
		}
		if (n + 2 >= size)
			return -1;
		out[n++] = *fmt;
		/* "%%" is a literal percent: never read its second '%' as
		 * the start of a conversion such as "%%m" */
		if (fmt[0] == '%' && fmt[1] == '%') {
			out[n++] = '%';
			fmt++;
		}
	}
	out[n] = '\0';
	return 0;
}

/* log_write_all - write a whole line with one write(), retrying EINTR */
static void
log_write_all(int fd, const char *line, size_t len)
{
	ssize_t n;

	do {
		n = write(fd, line, len);
	} while (n < 0 && errno == EINTR);
	/* a failed log write has nowhere to be reported */
}

/* log_emit - format and send one line */
static void
log_emit(int prio, const char *level, const char *fmt, va_list ap)
{
	int     saved_errno = errno;
	char    newfmt[LOG_FMT_MAX];
	char    text[LOG_LINE_MAX];
	char    line[LOG_LINE_MAX + LOG_HOST_MAX + 3 * LOG_NAME_MAX + 64];
	char    stamp[32];
	size_t  plen, len;
	int     n;
	time_t  now;
	struct tm tm;

	plen = strlen(level);
	memcpy(text, level, plen + 1);
	if (log_expand_m(newfmt, sizeof(newfmt), fmt, saved_errno) == 0) {
		n = vsnprintf(text + plen, sizeof(text) - plen, newfmt, ap);
	} else {
		/* too long to rewrite: glibc's printf knows %m itself */
		errno = saved_errno;
		n = vsnprintf(text + plen, sizeof(text) - plen, fmt, ap);
	}
	if (n < 0)
		text[plen] = '\0';

	if (log_to_stderr) {
		n = snprintf(line, sizeof(line), "%s: %s\n", log_prog, text);
		len = n < 0 ? 0 : (size_t)n >= sizeof(line) ?
		    sizeof(line) - 1 : (size_t)n;
		if (len > 0 && line[len - 1] != '\n')
			line[len - 1] = '\n';
		log_write_all(STDERR_FILENO, line, len);
	}
	if (log_capture != NULL) {
		(void)snprintf(line, sizeof(line), "%s[%ld]: %s", log_ident,
		    (long)getpid(), text);
		log_capture(line);
		errno = saved_errno;
		return;
	}
	if (log_fd < 0 && log_have_syslog) {
		syslog(prio, "%s", text);
		errno = saved_errno;
		return;
	}
	if (log_fd < 0 && log_to_stderr) {
		errno = saved_errno;
		return;
	}
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL
	    || strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		(void)str_copy(stamp, sizeof(stamp), "Jan  1 00:00:00");
	n = snprintf(line, sizeof(line), "%s %s %s[%ld]: %s\n", stamp,
	    log_host, log_ident, (long)getpid(), text);
	len = n < 0 ? 0 : (size_t)n >= sizeof(line) ?
	    sizeof(line) - 1 : (size_t)n;
	if (len > 0 && line[len - 1] != '\n')
		line[len - 1] = '\n';
	log_write_all(log_fd >= 0 ? log_fd : STDERR_FILENO, line, len);
	errno = saved_errno;
}

/* log_info - an informational line */
void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

/* log_warn - "warning: " line */
void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning: ", fmt, ap);
	va_end(ap);
}

/* log_error - "error: " line */
void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
}

/* log_debug - informational line, only when verbose */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose <= 0)
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, "", fmt, ap);
	va_end(ap);
}

/* log_fatal - "fatal: " line, then exit 1 */
void
log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

/* log_die - "error: " line, then exit with status */
void
log_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_ERR, "error: ", fmt, ap);
	va_end(ap);
	exit(status);
}

/* log_panic - "panic: " line, then abort for a core */
void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "panic: ", fmt, ap);
	va_end(ap);
	abort();
}

/* log_printable - copy at most max bytes of text, control and non-ASCII
 * bytes replaced by '?' */
const char *
log_printable(struct buf *out, const char *text, size_t len, size_t max)
{
	size_t  i;
	unsigned char c;

	buf_reset(out);
	if (len > max)
		len = max;
	for (i = 0; i < len; i++) {
		c = (unsigned char)text[i];
		if (c < 0x20 || c >= 0x7f)
			c = '?';
		if (buf_append_char(out, c) < 0)
			break;
	}
	return buf_str(out);
}
