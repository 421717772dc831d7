/* postern.c - the administration command: main() only
 *
 * postern [-c DIR] [-v] COMMAND [ARGS]: parse the global options, find the
 * command in the table of postern_cmds.c and run it. Options stop at the
 * command name, so that a command's own arguments ("queue list --json")
 * reach it untouched. Everything else lives in postern_<command>.c.
 */
#include "log.h"
#include "postern.h"

int
main(int argc, char **argv)
{
	struct postern_opts opts = { NULL, 0 };
	const struct postern_cmd *cmd;
	int     ch;

	log_init("postern");
	log_set_stderr(true);
	opterr = 0;
	while ((ch = getopt(argc, argv, "+c:v")) != -1) {
		switch (ch) {
		case 'c':
			opts.config_dir = optarg;
			break;
		case 'v':
			log_set_verbose(++opts.verbose);
			break;
		default:
			log_error("invalid option -%c", optopt);
			postern_usage_fatal(NULL);
		}
	}
	if (optind >= argc)
		postern_usage_fatal(NULL);
	cmd = postern_cmd_find(argv[optind]);
	if (cmd == NULL)
		log_fatal("unknown command: \"%s\" (try: postern help)",
		    argv[optind]);
	return cmd->fn(&opts, argc - optind, argv + optind);
}
