/* pickup.c - the daemon that feeds cleanup from maildrop/: main()
 *
 * master starts one pickup (master.cf "pickup unix n - y 60 1 pickup");
 * it scans maildrop/ at start, every PICKUP_WAKEUP_MS, and whenever a
 * trigger connection from postdrop ends, and submits each ready file to
 * cleanup like any other client. The jobs are in pickup.h.
 */
#include "pickup.h"
#include "log.h"
#include "params.h"
#include "server.h"

/* main - parse, configure, drop privileges, sandbox, scan, serve */
int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("pickup");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	server_drop_privileges(&args);
	server_enter_sandbox(&args, pickup_syscalls, pickup_syscalls_count);
	pickup_init();
	server_run_events(pickup_accept, pickup_drain);
}
