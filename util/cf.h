/* cf.h - reader for main.cf and master.cf (Postfix syntax)
 *
 * Only parses; meaning belongs to params (main.cf) and master (master.cf).
 * main.cf: "name = value" lines, '#' comment lines, blank lines, and
 * continuation lines (a line starting with whitespace continues the
 * previous logical line). master.cf: the same logical lines, each split into
 * the columns service, type, private, unpriv, chroot, wakeup, maxproc and
 * command + arguments. Limits: CF_MAX_LINE bytes per logical line,
 * CF_MAX_ENTRIES entries per file. Problems are reported through
 * cf_report_fn with file and line; the readers never exit.
 *
 * cf_expand implements $name, ${name}, $(name), ${name?text} (text if name is
 * non-empty), ${name:text} (text if name is empty) and $$, recursively, with
 * a depth limit so that a loop is an error, not a crash.
 */
#ifndef POSTERN_CF_H
#define POSTERN_CF_H

#include "sys.h"

struct buf;

#define CF_MAX_LINE	(64 * 1024)
#define CF_MAX_ENTRIES	10000
#define CF_MAX_DEPTH	20

enum cf_severity { CF_WARN, CF_ERROR };

/* cf_report_fn - called for each problem. With line > 0 the message reads
 * "file, line N: text"; line 0 means no particular line (the whole file, a
 * default value, a -o override), and then text is the complete message,
 * naming the file where there is one ("open /x/main.cf: No such file...").
 * cf_report_text() formats either form. */
typedef void (*cf_report_fn)(void *ctx, enum cf_severity sev,
	    const char *file, int line, const char *text);

/* cf_report_text - the message of one report, in out (reset); returns
 * buf_str(out) */
const char *cf_report_text(struct buf *out, const char *file, int line,
	    const char *text);

struct cf_pair {
	char	*name;
	char	*value;		/* trimmed; may be "" */
	int	line;
};

struct cf_main {
	char	*path;
	struct cf_pair *pairs;
	size_t	npairs;
};

/* cf_read_main - parse main.cf; NULL if it cannot be opened (reported);
 * lines without '=' are reported as errors and skipped */
struct cf_main *cf_read_main(const char *path, cf_report_fn report,
	    void *ctx);
struct cf_main *cf_main_free(struct cf_main *m);

#define CF_MASTER_MAX_ARGS 256

struct cf_service {
	char	*service;	/* "smtp", "127.0.0.1:2525", "cleanup" */
	char	*type;		/* inet unix unix-dgram fifo pass */
	char	*private_;	/* "y", "n" or "-" */
	char	*unpriv;
	char	*chroot;
	char	*wakeup;
	char	*maxproc;
	char	**argv;		/* command and arguments, NULL-terminated */
	int	argc;
	int	line;
};

struct cf_master {
	char	*path;
	struct cf_service *services;
	size_t	nservices;
};

/* cf_read_master - parse master.cf; lines with fewer than 8 columns are
 * reported as errors and skipped */
struct cf_master *cf_read_master(const char *path, cf_report_fn report,
	    void *ctx);
struct cf_master *cf_master_free(struct cf_master *m);

/* cf_lookup_fn - value of a parameter for expansion, or NULL if unknown */
typedef const char *(*cf_lookup_fn)(void *ctx, const char *name);

/* cf_expand - expand value into out (reset first); 0 ok, -1 with why */
int	cf_expand(const char *value, cf_lookup_fn lookup, void *ctx,
	    struct buf *out, struct buf *why);

#endif
