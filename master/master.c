/* master.c - the supervisor: master.cf services, spawned on demand
 *
 * master runs as root (or as the ordinary user who started it), reads
 * main.cf and master.cf, takes the pid file lock, opens every listening
 * socket, and forks the daemons of each service on demand up to its
 * process limit, restarting them as they exit and throttling a service
 * whose program fails at start. SIGHUP reloads the configuration without
 * closing the sockets of services that stay; SIGTERM and SIGINT stop every
 * child and exit. Everything happens in one events loop (util/events.h);
 * signals arrive through a signalfd, so no code runs in a signal handler.
 *
 * master installs no seccomp filter, deliberately: a filter is inherited
 * across fork and execve and could never be lifted, so it would constrain
 * every daemon master starts (local's deliveries as root included) to
 * master's own list. Each daemon installs its own filter instead, after
 * its own privilege drop. master's exposure is small: it reads no network
 * input, only its configuration, its children's status records (checked
 * against its process table) and signals.
 *
 * This file holds only main(); each step is in the master_<job>.c file
 * named after it.
 */
#include "master.h"
#include "events.h"
#include "log.h"
#include "params.h"

struct master master;

/* main - start up, then serve events until a stop signal */
int
main(int argc, char **argv)
{
	struct master_opts opts;
	struct master_serv *services;
	bool    error;

	master_fds_sane();		/* before syslog takes a descriptor */
	log_init("master");
	log_set_stderr(true);		/* start-up errors reach the caller */
	master_parse_args(argc, argv, &opts);
	params_load(opts.config_dir);
	if (opts.test_only)
		master_pid_test();
	master_config_init(&opts);
	master_pid_lock();
	if (opts.detach)
		master_detach_begin();
	master_signal_init();
	services = master_service_read(true, &error);
	master_spawn_init();
	master_service_start(services);
	master_pid_write();
	master_avail_update_all();
	log_info("daemon started -- version %s, configuration %s",
	    POSTERN_VERSION, master.config_dir);
	master_detach_done();
	log_set_stderr(false);
	for (;;)
		events_run_once(-1);
}
