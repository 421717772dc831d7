/* showq.c - the showq daemon: the mail queue listing for mailq
 *
 * master starts showq on the "showq" unix service, normally public (the
 * group postdrop may connect, so that "postdrop -s" can ask for an
 * ordinary user). It runs as mail_owner, chrooted into the queue
 * directory, under its own seccomp allow-list, and serves one connection
 * at a time: it reads one request and writes the listing, never a
 * message's content. Only main() lives here; the work is in
 * showq_service.c and util/mailq.c.
 */
#include "showq.h"
#include "log.h"
#include "params.h"
#include "server.h"

int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("showq");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	showq_init();
	server_drop_privileges(&args);
	server_enter_sandbox(&args, showq_syscalls, showq_syscalls_count);
	server_run_single(showq_service);
}
