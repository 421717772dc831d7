/* cleanup.c - the cleanup daemon: submissions in, queue files out
 *
 * master starts cleanup on the "cleanup" unix service (util/server.h).
 * It serves one client connection at a time (smtpd, pickup) and turns each
 * submitted message into a committed file in incoming/ before it says yes,
 * then tells qmgr. Its lookup tables (canonical and virtual alias maps)
 * are opened before it runs as mail_owner, chrooted into the queue
 * directory, under a seccomp allow-list. Only main() lives here: read it
 * as a table of contents; the work is in cleanup_*.c (see cleanup.h).
 */
#include "cleanup.h"
#include "log.h"
#include "params.h"
#include "server.h"

int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("cleanup");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	cleanup_init_privileged();
	server_drop_privileges(&args);
	server_enter_sandbox(&args, cleanup_syscalls, cleanup_syscalls_count);
	server_run_single(cleanup_service);
}
