/* log.h - logging in Postfix's line format
 *
 * Lines read "postern/<prog>[pid]: text". They go to syslog (facility
 * mail) unless log_open_file() names a file (maillog_file), which is opened
 * once, before privileges are dropped, and kept open across chroot; file
 * lines are prefixed "Mon DD HH:MM:SS host ". Messages may use %m for the
 * errno text. log_fatal exits 1; log_panic aborts (core). A test hook
 * (log_set_capture) receives every formatted line.
 * Never log a message body or a secret; pass peer text through
 * log_printable() first.
 */
#ifndef POSTERN_LOG_H
#define POSTERN_LOG_H

#include "sys.h"

struct buf;

void	log_init(const char *progname);	/* before anything else */
/* log_set_syslog_name - the syslog_name prefix (default postern) */
void	log_set_syslog_name(const char *name);
int	log_open_file(const char *path);	/* "" = syslog; -1 on failure */
/* log_set_stderr - also copy every line to stderr (commands) */
void	log_set_stderr(bool on);
void	log_set_verbose(int level);
extern int log_verbose;

void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void log_fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* log_die - an "error: " line, then exit(status): for commands whose exit
 * status means something (sysexits.h) */
_Noreturn void log_die(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
_Noreturn void log_panic(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* log_set_capture - tests: fn receives each line as "syslog_name/prog[pid]:
 * text" (no newline) instead of syslog or the file; NULL turns it off */
typedef void (*log_capture_fn)(const char *line);
void	log_set_capture(log_capture_fn fn);

/* log_printable - copy at most max bytes of peer text into out (reset),
 * replacing control and non-ASCII bytes with '?'; returns buf_str(out) */
const char *log_printable(struct buf *out, const char *text, size_t len,
	    size_t max);

/* log_progname - the name given to log_init */
const char *log_progname(void);

#endif
