/* log_test.c - unit tests of util/log.c
 *
 * Checks, through the capture hook, the severity prefixes, %m (and %%m)
 * expansion, the syslog_name/prog[pid] prefix, line truncation and
 * log_debug's verbosity gate; log_printable() on control and non-ASCII
 * bytes; the maillog_file line format ("Mon DD HH:MM:SS host
 * name/prog[pid]: text"); the stderr copy of commands; and that log_fatal
 * exits 1 and log_panic aborts, each in a forked child.
 */
#include "log.h"
#include "buf.h"
#include "str.h"
#include "tap.h"

#include <regex.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char captured[8192];
static int ncaptured;

/* capture - the test hook: remember the last line */
static void
capture(const char *line)
{
	(void)str_copy(captured, sizeof(captured), line);
	ncaptured++;
}

enum level { L_INFO, L_WARN, L_ERROR, L_DEBUG };

struct cap_case {
	const char *name;
	enum level level;
	int	verbose;
	int	err;
	const char *fmt;
	const char *arg;
	const char *want;	/* text after "postern/logtest[pid]: " */
};

static const struct cap_case cap_cases[] = {
	{"info is plain", L_INFO, 0, 0, "hello %s", "world", "hello world"},
	{"warning prefix", L_WARN, 0, 0, "disk %s", "full",
	    "warning: disk full"},
	{"error prefix", L_ERROR, 0, 0, "bad %s", "thing", "error: bad thing"},
	{"%m expands errno", L_WARN, 0, ENOENT, "open %s: %m", "/x",
	    "warning: open /x: No such file or directory"},
	{"%%m stays literal", L_INFO, 0, ENOENT, "100%%m %s", "x",
	    "100%m x"},
	{"%%%m is percent and errno", L_INFO, 0, EACCES, "%s %%%m", "a",
	    "a %Permission denied"},
	{"%m twice", L_INFO, 0, EPERM, "%m/%m%s", "",
	    "Operation not permitted/Operation not permitted"},
	{"debug when verbose", L_DEBUG, 1, 0, "trace %s", "on", "trace on"},
};

struct printable_case {
	const char *name;
	const char *in;
	size_t	len;
	size_t	max;
	const char *want;
};

static const struct printable_case printable_cases[] = {
	{"plain text", "hello", 5, 100, "hello"},
	{"control bytes", "a\r\nb\tc\x1b", 7, 100, "a??b?c?"},
	{"non-ASCII", "\xc3\xa4x\x7f", 4, 100, "??x?"},
	{"NUL inside", "a\0b", 3, 100, "a?b"},
	{"truncated at max", "abcdef", 6, 3, "abc"},
	{"empty", "", 0, 10, ""},
};

/* emit - log one case's line */
static void
emit(const struct cap_case *c)
{
	log_set_verbose(c->verbose);
	errno = c->err;
	switch (c->level) {
	case L_INFO:
		log_info(c->fmt, c->arg);
		break;
	case L_WARN:
		log_warn(c->fmt, c->arg);
		break;
	case L_ERROR:
		log_error(c->fmt, c->arg);
		break;
	case L_DEBUG:
		log_debug(c->fmt, c->arg);
		break;
	}
	log_set_verbose(0);
}

/* child_capture - in a child: send captured lines to stdout */
static void
child_capture(const char *line)
{
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		_exit(99);
}

/* run_child - run log_fatal (or log_panic) in a child; status and line */
static int
run_child(bool panic, char *line, size_t size)
{
	int     fds[2], status;
	pid_t   pid;
	ssize_t n;
	size_t  got = 0;
	struct rlimit no_core = {0, 0};

	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		(void)setrlimit(RLIMIT_CORE, &no_core);
		(void)dup2(fds[1], STDOUT_FILENO);
		log_set_capture(child_capture);
		if (panic)
			log_panic("broken invariant %d", 7);
		log_fatal("cannot go on: %s", "config");
	}
	close(fds[1]);
	while (got + 1 < size
	    && (n = read(fds[0], line + got, size - got - 1)) > 0)
		got += (size_t)n;
	line[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* read_file - the contents of path into out */
static void
read_file(const char *path, char *out, size_t size)
{
	int     fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, size - 1);

	out[n < 0 ? 0 : n] = '\0';
	if (fd >= 0)
		close(fd);
}

int
main(void)
{
	char    want[4096], line[4096], path[] = "/tmp/log_test.XXXXXX";
	char    host[256], pattern[1024], longtext[5000];
	struct buf *b;
	regex_t re;
	size_t  i;
	int     status, fd, saved;
	bool    matched;

	plan((int)(SYS_ARRAY_LEN(cap_cases) + SYS_ARRAY_LEN(printable_cases))
	    + 11);
	log_init("/usr/libexec/postern/logtest");
	log_set_capture(capture);
	is_str(log_progname(), "logtest", "progname is the base name");

	for (i = 0; i < SYS_ARRAY_LEN(cap_cases); i++) {
		const struct cap_case *c = &cap_cases[i];

		captured[0] = '\0';
		emit(c);
		(void)snprintf(want, sizeof(want), "postern/logtest[%ld]: %s",
		    (long)getpid(), c->want);
		is_str(captured, want, c->name);
	}

	ncaptured = 0;
	log_debug("not shown");
	is_int(ncaptured, 0, "debug is silent when not verbose");

	errno = EBADF;
	log_info("x");
	is_int(errno, EBADF, "logging preserves errno");

	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	log_warn("%s", longtext);
	ok(strlen(captured) < 2048 + 64 && strlen(captured) > 2000,
	    "long line is truncated (%zu bytes)", strlen(captured));

	log_set_syslog_name("mta");
	log_info("renamed");
	(void)snprintf(want, sizeof(want), "mta/logtest[%ld]: renamed",
	    (long)getpid());
	is_str(captured, want, "syslog_name prefix");

	b = buf_new(0);
	for (i = 0; i < SYS_ARRAY_LEN(printable_cases); i++) {
		const struct printable_case *c = &printable_cases[i];

		is_str(log_printable(b, c->in, c->len, c->max), c->want,
		    c->name);
	}
	buf_free(b);

	/* maillog_file format */
	fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
	ok(log_open_file(path) == 0, "open log file");
	ok(log_open_file(path) == 0, "same log file again is kept");
	log_set_capture(NULL);
	log_warn("in %s", "file");
	log_info("second");
	read_file(path, line, sizeof(line));
	if (gethostname(host, sizeof(host)) < 0)
		(void)str_copy(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	(void)snprintf(pattern, sizeof(pattern),
	    "^[A-Z][a-z][a-z] [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] "
	    "%s mta/logtest\\[%ld\\]: warning: in file\n"
	    "[A-Z][a-z][a-z] [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] "
	    "%s mta/logtest\\[%ld\\]: second\n$",
	    host, (long)getpid(), host, (long)getpid());
	matched = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) == 0
	    && regexec(&re, line, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok(matched, "file line format"))
		diag("file holds \"%s\"", line);
	(void)log_open_file("");
	(void)unlink(path);

	/* stderr copy, as the postern command uses it */
	log_set_capture(capture);
	(void)str_copy(path, sizeof(path), "/tmp/log_test.XXXXXX");
	fd = mkstemp(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	log_set_stderr(true);
	log_warn("to the %s", "terminal");
	log_set_stderr(false);
	(void)dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	read_file(path, line, sizeof(line));
	is_str(line, "logtest: warning: to the terminal\n", "stderr copy");
	(void)unlink(path);

	status = run_child(false, line, sizeof(line));
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 1
	    && strstr(line, "fatal: cannot go on: config") != NULL,
	    "log_fatal logs and exits 1");
	status = run_child(true, line, sizeof(line));
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT
	    && strstr(line, "panic: broken invariant 7") != NULL,
	    "log_panic logs and aborts");
	return done();
}
