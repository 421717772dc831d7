/* server.h - the common skeleton of every daemon master starts
 *
 * master starts a daemon as
 *   PROG -c CONFIG_DIR -n SERVICE -t TYPE [-S] [-u] [-v] [-o name=value]...
 *        [master.cf arguments]
 * with descriptors
 *   SERVER_LISTEN_FD      the service's listening socket (inet or unix)
 *   SERVER_STATUS_FD      write end of master's status pipe
 *   SERVER_GENERATION_FD  read end of the generation pipe; it reads EOF
 *                         when master reloads, stops or dies: the daemon
 *                         then finishes what it is doing and exits
 * -S means chroot into the queue directory, -u means run as mail_owner
 * (master.cf columns chroot and unpriv); -Z (tests only) enters the sandbox
 * and then makes a forbidden system call, which must kill the process.
 *
 * Status: a daemon tells master it is available (waiting for a
 * connection) or taken, as a struct server_status record on the status
 * pipe; master forks another process of the service when none is
 * available and the process limit allows.
 *
 * server_run_single serves one connection at a time (smtpd, cleanup,
 * local): accept, report taken, call the service, report available; exit
 * after max_use connections, after max_idle seconds without one, or when
 * the generation pipe closes. server_run_events (qmgr) accepts
 * connections into the event loop and calls drain() once the generation
 * pipe closes; it exits when drain() returns true.
 */
#ifndef POSTERN_SERVER_H
#define POSTERN_SERVER_H

#include "sys.h"

#define SERVER_LISTEN_FD	3
#define SERVER_STATUS_FD	4
#define SERVER_GENERATION_FD	5

#define SERVER_STATUS_AVAIL	1
#define SERVER_STATUS_TAKEN	0

struct server_status {
	pid_t	pid;
	int	status;		/* SERVER_STATUS_* */
};

struct server_args {
	const char *config_dir;	/* -c; NULL: default */
	const char *service;	/* -n */
	const char *type;	/* -t */
	bool	chroot;		/* -S */
	bool	unpriv;		/* -u */
	bool	sandbox_test;	/* -Z */
	int	verbose;	/* -v, repeatable */
	int	argc;		/* remaining arguments */
	char	**argv;
};

/* server_parse_args - parse the options above; -o goes to
 * params_add_override; usage errors are fatal */
void	server_parse_args(int argc, char **argv, struct server_args *args);

/* server_init - after params_load: open the log file, chdir to the queue
 * directory, set the close-on-exec flags */
void	server_init(const struct server_args *args);

/* server_drop_privileges - privs_drop to mail_owner (and chroot) when
 * root and -u; as an ordinary user, no change (logged once by master) */
void	server_drop_privileges(const struct server_args *args);

/* server_enter_sandbox - sandbox_enter(allow); with -Z then try a
 * forbidden call and exit 1 if still alive */
void	server_enter_sandbox(const struct server_args *args,
	    const char *const *allow, size_t n);

typedef void (*server_conn_fn)(int fd);	/* serve fd, then close it */
typedef bool (*server_drain_fn)(void);	/* true: nothing left, may exit */

_Noreturn void server_run_single(server_conn_fn serve);
_Noreturn void server_run_events(server_conn_fn accepted,
	    server_drain_fn drain);

/* server_exiting - true once the generation pipe has closed */
bool	server_exiting(void);

#endif
