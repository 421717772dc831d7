/* postern.h - the admin command's private types: options and commands
 *
 * postern [-c DIR] [-v] COMMAND [ARGS] looks COMMAND up in the table
 * postern_cmds (postern_cmds.c) and calls its function with the global
 * options and the remaining arguments (argv[0] is the command name). A
 * command returns the process exit status; fatal errors exit through
 * log_fatal with status 1. Messages go to stderr as "postern: text" (and
 * to the log), in Postfix's wording where Postfix has the same message.
 * A new command is one row in postern_cmds and one postern_<cmd>.c file.
 */
#ifndef POSTERN_POSTERN_H
#define POSTERN_POSTERN_H

#include "sys.h"

/* the global options, parsed by main() */
struct postern_opts {
	const char *config_dir;	/* -c; NULL: the default directory */
	int	verbose;	/* -v, repeatable */
};

typedef int (*postern_cmd_fn)(const struct postern_opts *opts, int argc,
	    char **argv);

struct postern_cmd {
	const char *name;
	postern_cmd_fn fn;
	const char *usage;	/* arguments after the name, "" if none */
	const char *help;	/* one line: what it does */
};

/* postern_cmds.c: the command table, lookup, usage and shared set-up */
extern const struct postern_cmd postern_cmds[];
extern const size_t postern_cmds_count;

/* postern_cmd_find - the row of a command name, or NULL */
const struct postern_cmd *postern_cmd_find(const char *name);
/* postern_usage - print the general usage line (when header), then every
 * command's usage line, to fp */
void	postern_usage(FILE *fp, bool header);
/* postern_usage_fatal - "usage: postern [-c DIR] [-v] NAME USAGE" of one
 * command (NULL: every command) on stderr, then exit 2 */
_Noreturn void postern_usage_fatal(const struct postern_cmd *cmd);
/* postern_load_config - params_load(opts->config_dir), then the log name
 * and maillog_file; configuration errors are fatal */
void	postern_load_config(const struct postern_opts *opts);
int	postern_help(const struct postern_opts *opts, int argc,
	    char **argv);

/* postern_start.c: the life of the mail system */
int	postern_start(const struct postern_opts *opts, int argc,
	    char **argv);
int	postern_stop(const struct postern_opts *opts, int argc,
	    char **argv);
int	postern_reload(const struct postern_opts *opts, int argc,
	    char **argv);
int	postern_status(const struct postern_opts *opts, int argc,
	    char **argv);

/* postern_map.c: build, query and change lookup tables (postmap) */
int	postern_map(const struct postern_opts *opts, int argc,
	    char **argv);

/* postern_queue.c: list and manage the queue (postqueue, postsuper,
 * postcat); the subcommands are in postern_queue*.c */
int	postern_queue(const struct postern_opts *opts, int argc,
	    char **argv);

/* postern_conf.c: print and edit main.cf, print master.cf (postconf) */
int	postern_conf(const struct postern_opts *opts, int argc,
	    char **argv);

/* postern_conf_edit.c: the text edits of conf -e and conf -X */
struct buf;
struct postern_conf_edit {
	const char *name;
	const char *value;	/* NULL: remove the parameter */
};
/* postern_conf_edit_ok - whether name (and value, unless NULL) can be
 * written as one main.cf line; false with why */
bool	postern_conf_edit_ok(const char *name, const char *value,
	    struct buf *why);
/* postern_conf_apply - main.cf text (len bytes) with the edits applied,
 * into out (reset first); comments, blank lines, order and other entries
 * are kept byte for byte. 0, or -1 when out would exceed its maximum */
int	postern_conf_apply(const char *text, size_t len,
	    const struct postern_conf_edit *edits, size_t n, struct buf *out);

/* postern_check.c: check configuration, queue and lookup tables */
int	postern_check(const struct postern_opts *opts, int argc,
	    char **argv);

#endif
