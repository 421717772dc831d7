/* qmgr.c - the queue manager daemon: main()
 *
 * qmgr moves mail from incoming/ to active/, hands each recipient to a
 * delivery agent within the concurrency limits, retries deferred mail
 * with backoff and returns undeliverable mail to its sender. It is one
 * event-driven process (master.cf maxproc 1), chrooted in the queue
 * directory as mail_owner. The jobs are listed in qmgr.h; main() only
 * calls them in order.
 */
#include "qmgr.h"
#include "log.h"
#include "params.h"
#include "server.h"

/* main - parse, configure, drop privileges, sandbox, recover, serve */
int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("qmgr");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	server_drop_privileges(&args);
	server_enter_sandbox(&args, qmgr_syscalls, qmgr_syscalls_count);
	qmgr_init();
	server_run_events(qmgr_accept, qmgr_drain);
}
