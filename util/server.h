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
 * and stdin, stdout and stderr on /dev/null, every other descriptor closed,
 * and an environment of PATH=/usr/bin:/bin (plus TZ and the sanitizer
 * options when master had them). A service that listens on several
 * addresses (a bare port and several inet_interfaces) gets its first
 * socket on SERVER_LISTEN_FD and the others on SERVER_LISTEN_EXTRA_FD and
 * the descriptors after it, at most SERVER_LISTEN_MAX in all; server_init
 * finds them by checking which of those descriptors are listening sockets.
 * A program run by hand (tests: -Z) has none of these descriptors; only
 * server_run_* then fails.
 * -S means chroot into the queue directory, -u means run as mail_owner
 * (master.cf columns chroot and unpriv); -Z (tests only) enters the sandbox
 * and then makes a forbidden system call, which must kill the process.
 *
 * Status: a daemon tells master it is available (waiting for a
 * connection) or taken, as a struct server_status record on the status
 * pipe; master forks another process of the service when none is
 * available and the process limit allows. server_run_* report available
 * once as they start serving: a process that dies before its first report
 * failed to start, and master throttles its service. The calls the loops
 * make are all in sandbox.c's base list.
 *
 * server_run_single serves one connection at a time (smtpd, cleanup,
 * local): accept, report taken, call the service, report available; exit
 * after max_use connections (the last one is reported as "last", so that
 * master starts the successor while it is served, not when the next
 * client has to wait for it), after max_idle seconds without one, or when
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
#define SERVER_LISTEN_EXTRA_FD	6
#define SERVER_LISTEN_MAX	16

#define SERVER_STATUS_AVAIL	1
#define SERVER_STATUS_TAKEN	0
#define SERVER_STATUS_LAST	2	/* taken, and exiting after it */

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
 * directory, find master's descriptors and set their close-on-exec flags,
 * ignore SIGPIPE, ask for SIGTERM when master dies */
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

/* server_run_single - report available, then loop: wait for a
 * connection (or the generation pipe, or max_idle), accept it, report
 * taken, serve(fd), report available. Exits 0 after max_use connections,
 * max_idle seconds without one, or when the generation pipe closes. */
_Noreturn void server_run_single(server_conn_fn serve);
/* server_run_events - report available, then run the events loop:
 * accepted(fd) is called for every new connection and the service watches
 * fd itself. Once the generation pipe closes, no more connections are
 * accepted, drain() is called after every loop round, and the process
 * exits 0 when it returns true. */
_Noreturn void server_run_events(server_conn_fn accepted,
	    server_drain_fn drain);

/* server_exiting - true once the generation pipe has closed */
bool	server_exiting(void);

/* server_exit_after_this - ask server_run_single to exit once the
 * current connection is served (a lookup table changed on disk: a fresh
 * process opens the new one) */
void	server_exit_after_this(void);

/* server_pre_accept - stale (NULL: none) is called by server_run_single
 * when a client is waiting, before accepting it; true makes the process
 * exit without accepting, and master starts a fresh process for the
 * client (a lookup table changed on disk while the process was idle) */
typedef bool (*server_stale_fn)(void);
void	server_pre_accept(server_stale_fn stale);

#endif
