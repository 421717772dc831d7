/* local.c - the local delivery agent: main()
 *
 * local delivers mail for local users into their Maildir or mbox, for
 * qmgr, over the deliver/1 protocol (util/proto.h). It keeps root (master.cf
 * unpriv n, chroot n) only to become each recipient in a child process for
 * the length of one delivery; see local.h for the files that do the work
 * and man/man8/local.8 for what it does. Without root it delivers only to
 * the user it runs as and to virtual_mailbox_base.
 */
#include "local.h"
#include "log.h"
#include "params.h"
#include "server.h"

/* main - the table of contents */
int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("local");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	local_init_privileged();
	server_enter_sandbox(&args, local_syscalls, local_syscalls_count);
	server_run_single(local_service);
}
