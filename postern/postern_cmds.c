/* postern_cmds.c - the table of postern's commands, usage and set-up
 *
 * Owns postern_cmds, the one table that main() dispatches through: name,
 * function, usage of its arguments and a line of help. A later command
 * (conf, check, map, queue) is one more row here and one more file.
 * Also the set-up every command shares (postern_load_config) and the
 * help command, which prints this table.
 */
#include "log.h"
#include "params.h"
#include "postern.h"

#define POSTERN_USAGE_PREFIX	"postern [-c DIR] [-v]"

const struct postern_cmd postern_cmds[] = {
	{ "start", postern_start, "", "start the mail system" },
	{ "stop", postern_stop, "", "stop the mail system" },
	{ "reload", postern_reload, "",
	    "re-read the configuration of the running mail system" },
	{ "status", postern_status, "",
	    "tell whether the mail system runs (exit 0) or not (exit 1)" },
	{ "queue", postern_queue,
	    "list [--json]|flush|delete ID|ALL|hold ID|ALL|release ID|ALL|"
	    "requeue ID|ALL|cat ID", "list and manage the mail queue" },
	{ "conf", postern_conf,
	    "[-d|-n] [-h] [NAME...] | -e NAME=VALUE... | -X NAME... | "
	    "-M [SERVICE[/TYPE]...]",
	    "print or edit main.cf parameters, print master.cf (postconf)" },
	{ "check", postern_check, "",
	    "check the configuration, the queue and the lookup tables" },
	{ "map", postern_map, "[-q KEY | -d KEY | -i] [TYPE:]FILE",
	    "build, query or change a lookup table (postmap)" },
	{ "help", postern_help, "[COMMAND]", "list the commands" },
};

const size_t postern_cmds_count = SYS_ARRAY_LEN(postern_cmds);

/* postern_cmd_find - the row of a command name, or NULL */
const struct postern_cmd *
postern_cmd_find(const char *name)
{
	size_t  i;

	for (i = 0; i < postern_cmds_count; i++)
		if (strcmp(postern_cmds[i].name, name) == 0)
			return &postern_cmds[i];
	return NULL;
}

/* postern_usage - print the usage line (when header) and every command's
 * usage to fp */
void
postern_usage(FILE *fp, bool header)
{
	const struct postern_cmd *cmd;
	size_t  i;

	if (header)
		(void)fprintf(fp, "usage: %s COMMAND [ARGS]\n",
		    POSTERN_USAGE_PREFIX);
	(void)fprintf(fp, "commands:\n");
	for (i = 0; i < postern_cmds_count; i++) {
		cmd = &postern_cmds[i];
		(void)fprintf(fp, "  %-8s %-12s %s\n", cmd->name, cmd->usage,
		    cmd->help);
	}
}

/* postern_usage_fatal - a usage error: the usage lines, then exit 2 */
void
postern_usage_fatal(const struct postern_cmd *cmd)
{
	if (cmd != NULL) {
		log_error("usage: %s %s%s%s", POSTERN_USAGE_PREFIX, cmd->name,
		    *cmd->usage ? " " : "", cmd->usage);
	} else {
		log_error("usage: %s COMMAND [ARGS]", POSTERN_USAGE_PREFIX);
		postern_usage(stderr, false);
	}
	exit(2);
}

/* postern_load_config - main.cf, then the log destination it names */
void
postern_load_config(const struct postern_opts *opts)
{
	params_load(opts->config_dir);
	log_set_syslog_name(var_syslog_name);
	/* a command need not be able to write the log (status as an ordinary
	 * user); its messages still reach stderr */
	if (log_open_file(var_maillog_file) < 0)
		log_debug("cannot open maillog_file %s: %m", var_maillog_file);
}

/* postern_help - "postern help [COMMAND]": usage on stdout */
int
postern_help(const struct postern_opts *opts, int argc, char **argv)
{
	const struct postern_cmd *cmd;

	(void)opts;
	if (argc > 2)
		postern_usage_fatal(postern_cmd_find("help"));
	if (argc == 2) {
		cmd = postern_cmd_find(argv[1]);
		if (cmd == NULL)
			log_fatal("unknown command: \"%s\"", argv[1]);
		(void)printf("usage: %s %s%s%s\n  %s\n", POSTERN_USAGE_PREFIX,
		    cmd->name, *cmd->usage ? " " : "", cmd->usage, cmd->help);
	} else {
		postern_usage(stdout, true);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		log_fatal("write to standard output: %m");
	return 0;
}
