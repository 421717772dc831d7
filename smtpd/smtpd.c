/* smtpd.c - the SMTP server daemon: main()
 *
 * master starts smtpd for an inet (or unix) service from master.cf with
 * the listening socket, status and generation pipes of util/server.h.
 * main() reads like the table of contents of the program: options,
 * main.cf, what needs privileges (mynetworks, the passwd directory, the
 * lookup tables of the recipient checks),
 * privilege drop and chroot, the seccomp allow-list of smtpd_sandbox.c,
 * then one SMTP session per accepted connection (smtpd_session.c). No
 * logic lives here, so that every other file links into the unit tests.
 */
#include "smtpd.h"
#include "log.h"
#include "params.h"
#include "server.h"

/* main - the SMTP server */
int
main(int argc, char **argv)
{
	struct server_args args;

	log_init("smtpd");
	server_parse_args(argc, argv, &args);
	params_load(args.config_dir);
	server_init(&args);
	smtpd_init_privileged();
	server_drop_privileges(&args);
	server_enter_sandbox(&args, smtpd_syscalls, smtpd_syscalls_count);
	server_run_single(smtpd_service);
}
