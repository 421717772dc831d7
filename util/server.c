/* server.c - the common skeleton of every daemon master starts
 *
 * Owns what every daemon does the same way between exec and serving:
 * parsing master's command line (server_parse_args), the start-up steps
 * that need the configuration (server_init: log file, queue directory,
 * master's descriptors), the privilege drop (server_drop_privileges), the
 * sandbox (server_enter_sandbox), and the two service loops
 * (server_run_single, server_run_events) with their status reports to
 * master.
 *
 * Invariants. The descriptors master passes (util/server.h) are checked
 * once, in server_init, before the daemon opens anything else: a
 * descriptor that is not what master passes is never written to, so a
 * daemon started by hand cannot scribble status records into a file that
 * happened to get descriptor 4. Status records are written with one
 * write() of a few bytes (atomic on a pipe); EPIPE and other failures are
 * ignored (SIGPIPE is ignored), because status is advice to master, and
 * master finds dead children by SIGCHLD anyway. Several processes share
 * one listening socket, so a process woken by epoll may find the
 * connection taken by another: the listening socket is non-blocking in
 * the daemon and EAGAIN means "wait again". The generation pipe is read
 * only to see its EOF; a daemon never writes to master.
 *
 * Every system call the loops make is in sandbox.c's base list, so a
 * daemon's own allow-list names only what its service needs.
 */
#include "server.h"
#include "events.h"
#include "log.h"
#include "params.h"
#include "privs.h"
#include "sandbox.h"

#include <getopt.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#define SERVER_BACKOFF_MS	1000	/* after running out of descriptors */
#define SERVER_DRAIN_POLL_MS	1000	/* loop rounds while draining */

/* what server_init found, and the state of the loops */
static struct {
	pid_t	pid;
	bool	status_ok;		/* SERVER_STATUS_FD is master's pipe */
	bool	gen_ok;			/* SERVER_GENERATION_FD likewise */
	int	listen_fds[SERVER_LISTEN_MAX];
	size_t	nlisten;
	bool	exiting;		/* the generation pipe closed */
	bool	exit_after;		/* server_exit_after_this */
	server_stale_fn stale;		/* server_pre_accept */
	server_conn_fn accepted;	/* server_run_events */
} server;

/* server_usage - fatal usage message */
static _Noreturn void
server_usage(const char *prog)
{
	log_fatal("usage: %s [-c config_dir] -n service -t type [-S] [-u] "
	    "[-v] [-Z] [-o name=value]... [args]", prog);
}

/* server_parse_args - parse master's options into args; -o to params */
void
server_parse_args(int argc, char **argv, struct server_args *args)
{
	const char *prog = argc > 0 ? argv[0] : log_progname();
	int     c;

	memset(args, 0, sizeof(*args));
	opterr = 0;
	/* '+': stop at the first argument that is not an option, so that
	 * master.cf arguments such as "argv=/bin/x -d y" stay intact */
	while ((c = getopt(argc, argv, "+c:n:t:o:SuvZ")) != -1) {
		switch (c) {
		case 'c':
			args->config_dir = optarg;
			break;
		case 'n':
			args->service = optarg;
			break;
		case 't':
			args->type = optarg;
			break;
		case 'o':
			if (params_add_override(optarg) < 0)
				log_fatal("-o %s: expected name=value",
				    optarg);
			break;
		case 'S':
			args->chroot = true;
			break;
		case 'u':
			args->unpriv = true;
			break;
		case 'v':
			log_set_verbose(++args->verbose);
			break;
		case 'Z':
			args->sandbox_test = true;
			break;
		default:
			server_usage(prog);
		}
	}
	if (args->service == NULL)
		args->service = log_progname();
	if (args->type == NULL)
		args->type = "unix";
	args->argc = argc - optind;
	args->argv = argv + optind;
}

/* server_is_listener - whether fd is a listening socket */
static bool
server_is_listener(int fd)
{
	struct stat st;
	int     on = 0;
	socklen_t len = sizeof(on);

	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0)
		return false;
	return on != 0;
}

/* server_is_pipe - whether fd is a pipe */
static bool
server_is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* server_cloexec - keep fd from the programs a daemon may run */
static void
server_cloexec(int fd)
{
	int     flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		log_fatal("set close-on-exec on descriptor %d: %m", fd);
}

/* server_find_fds - see which of master's descriptors are there */
static void
server_find_fds(void)
{
	int     fd;

	server.nlisten = 0;
	if (server_is_listener(SERVER_LISTEN_FD)) {
		server.listen_fds[server.nlisten++] = SERVER_LISTEN_FD;
		for (fd = SERVER_LISTEN_EXTRA_FD;
		    server.nlisten < SERVER_LISTEN_MAX
		    && server_is_listener(fd); fd++)
			server.listen_fds[server.nlisten++] = fd;
	}
	/* without master's listening socket, descriptors 4 and 5 are not
	 * master's either, whatever they are */
	server.status_ok = server.nlisten > 0
	    && server_is_pipe(SERVER_STATUS_FD);
	server.gen_ok = server.nlisten > 0
	    && server_is_pipe(SERVER_GENERATION_FD);
	for (size_t i = 0; i < server.nlisten; i++)
		server_cloexec(server.listen_fds[i]);
	if (server.status_ok)
		server_cloexec(SERVER_STATUS_FD);
	if (server.gen_ok)
		server_cloexec(SERVER_GENERATION_FD);
}

/* server_init - log file, queue directory, descriptors, signals */
void
server_init(const struct server_args *args)
{
	struct sigaction sa;

	if (*var_maillog_file != '\0' && log_open_file(var_maillog_file) < 0)
		log_fatal("open maillog_file %s: %m", var_maillog_file);
	if (chdir(var_queue_directory) < 0)
		log_fatal("chdir queue_directory %s: %m", var_queue_directory);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0)
		log_fatal("ignore SIGPIPE: %m");
	/* the generation pipe tells of master's death too; this is quicker
	 * for a process that is busy and not reading it */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		log_fatal("set the parent death signal: %m");
	server.pid = getpid();
	server_find_fds();
	log_debug("service %s type %s: %zu listening socket(s), status %s, "
	    "generation %s", args->service, args->type, server.nlisten,
	    server.status_ok ? "yes" : "no", server.gen_ok ? "yes" : "no");
}

/* server_drop_privileges - become mail_owner (chrooted with -S) */
void
server_drop_privileges(const struct server_args *args)
{
	if (!privs_is_root())
		return;			/* master said so once at start */
	if (args->unpriv) {
		privs_drop(var_mail_owner,
		    args->chroot ? var_queue_directory : NULL);
	} else if (args->chroot) {
		if (chroot(var_queue_directory) < 0)
			log_fatal("chroot %s: %m", var_queue_directory);
		if (chdir("/") < 0)
			log_fatal("chdir / in chroot %s: %m",
			    var_queue_directory);
	}
	/* a change of credentials clears the parent death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		log_fatal("set the parent death signal: %m");
}

/* server_enter_sandbox - the program's allow-list; -Z tests it */
void
server_enter_sandbox(const struct server_args *args,
	    const char *const *allow, size_t n)
{
	sandbox_enter(log_progname(), allow, n);
	if (args->sandbox_test)
		sandbox_selftest();
}

/* server_status - tell master we are available or taken */
static void
server_status(int status)
{
	struct server_status st;
	ssize_t n;

	if (!server.status_ok)
		return;
	memset(&st, 0, sizeof(st));
	st.pid = server.pid;
	st.status = status;
	do {
		n = write(SERVER_STATUS_FD, &st, sizeof(st));
	} while (n < 0 && errno == EINTR);
	/* a failed report (master gone: EPIPE) changes nothing here */
}

/* server_check_generation - read the generation pipe; sets exiting at
 * EOF (master reloaded, stopped or died) */
static void
server_check_generation(void)
{
	char    junk[64];
	ssize_t n;

	n = read(SERVER_GENERATION_FD, junk, sizeof(junk));
	if (n == 0) {
		server.exiting = true;
		log_debug("generation pipe closed: finishing");
	} else if (n < 0 && errno != EINTR && errno != EAGAIN) {
		log_warn("read generation pipe: %m");
		server.exiting = true;
	}
	/* data: master never writes; nothing to do */
}

/* server_need_listeners - fatal without master's listening socket */
static void
server_need_listeners(void)
{
	size_t  i;
	int     flags;

	if (server.nlisten == 0)
		log_fatal("no listening socket on descriptor %d: this program "
		    "is started by master", SERVER_LISTEN_FD);
	for (i = 0; i < server.nlisten; i++) {
		flags = fcntl(server.listen_fds[i], F_GETFL);
		if (flags < 0 || fcntl(server.listen_fds[i], F_SETFL,
		    flags | O_NONBLOCK) < 0)
			log_fatal("listening socket: set non-blocking: %m");
	}
	if (server.gen_ok) {
		flags = fcntl(SERVER_GENERATION_FD, F_GETFL);
		if (flags < 0 || fcntl(SERVER_GENERATION_FD, F_SETFL,
		    flags | O_NONBLOCK) < 0)
			log_fatal("make the generation pipe non-blocking: %m");
	}
}

/* server_accept - accept one connection on lfd: the new descriptor, or
 * -1 when there is none to take (another process was quicker, a client
 * gave up, or we ran out of descriptors for a moment) */
static int
server_accept(int lfd)
{
	int     fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case EPERM:			/* firewall rules */
	/* Linux passes pending network errors of the new socket here */
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return -1;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		log_warn("accept connection: %m: waiting %d ms",
		    SERVER_BACKOFF_MS);
		/* a pause, not a timeout: nothing else to do meanwhile */
		(void)poll(NULL, 0, SERVER_BACKOFF_MS);
		return -1;
	default:
		log_fatal("accept connection: %m");
	}
}

/* server_single_watch - add fd to the private epoll set of
 * server_run_single. A listening socket is added with EPOLLEXCLUSIVE:
 * of the idle processes that share it, a new connection wakes one (or a
 * few), not all of them, so a busy service does not pay a wake-up and a
 * failed accept in every idle process per connection. */
static void
server_single_watch(int epfd, int fd, uint32_t flags)
{
	struct epoll_event ev = {.events = EPOLLIN | flags, .data.fd = fd};

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		log_fatal("epoll_ctl fd %d: %m", fd);
}

/* server_run_single - one connection at a time, see server.h */
void
server_run_single(server_conn_fn serve)
{
	struct epoll_event ev[SERVER_LISTEN_MAX + 1];
	long long deadline, now, use = 0;
	size_t  i;
	int     epfd, n, j, lfd, fd, timeout;

	server_need_listeners();
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		log_fatal("epoll_create1: %m");
	for (i = 0; i < server.nlisten; i++)
		server_single_watch(epfd, server.listen_fds[i],
		    EPOLLEXCLUSIVE);
	if (server.gen_ok)
		server_single_watch(epfd, SERVER_GENERATION_FD, 0);
	server_status(SERVER_STATUS_AVAIL);
	deadline = events_now_ms() + var_max_idle * 1000;
	for (;;) {
		now = events_now_ms();
		if (now >= deadline) {
			log_debug("idle for %lld s: exiting", var_max_idle);
			exit(0);
		}
		timeout = deadline - now > INT_MAX ? INT_MAX :
		    (int)(deadline - now);
		n = epoll_wait(epfd, ev, SYS_ARRAY_LEN(ev), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_fatal("epoll_wait: %m");
		}
		if (n == 0)
			continue;	/* the deadline check exits */
		/* the generation first: an old process takes nothing new */
		for (lfd = -1, j = 0; j < n; j++) {
			if (ev[j].data.fd != SERVER_GENERATION_FD) {
				lfd = ev[j].data.fd;
				continue;
			}
			server_check_generation();
			if (server.exiting)
				exit(0);
		}
		if (lfd < 0)
			continue;
		if (server.stale != NULL && server.stale()) {
			log_debug("stale before accepting: exiting");
			exit(0);
		}
		if ((fd = server_accept(lfd)) < 0)
			continue;
		server_status(use + 1 >= var_max_use ? SERVER_STATUS_LAST :
		    SERVER_STATUS_TAKEN);
		serve(fd);
		if (server.exit_after) {
			log_debug("asked to exit after this connection: "
			    "exiting");
			exit(0);
		}
		server_status(SERVER_STATUS_AVAIL);
		if (++use >= var_max_use) {
			log_debug("served %lld connections: exiting", use);
			exit(0);
		}
		deadline = events_now_ms() + var_max_idle * 1000;
	}
}

/* server_events_accept - a listening socket is readable: take every
 * pending connection */
static void
server_events_accept(int lfd, int what, void *ctx)
{
	int     fd;

	(void)what;
	(void)ctx;
	while (!server.exiting && (fd = server_accept(lfd)) >= 0)
		server.accepted(fd);
}

/* server_events_generation - the generation pipe is readable */
static void
server_events_generation(int gfd, int what, void *ctx)
{
	size_t  i;

	(void)what;
	(void)ctx;
	server_check_generation();
	if (!server.exiting)
		return;
	events_unwatch(gfd);
	for (i = 0; i < server.nlisten; i++) {
		events_unwatch(server.listen_fds[i]);
		/* our copy only: master keeps the socket open */
		if (close(server.listen_fds[i]) < 0)
			log_warn("close listening socket: %m");
	}
	server.nlisten = 0;
}

/* server_run_events - the events loop with accept and drain */
void
server_run_events(server_conn_fn accepted, server_drain_fn drain)
{
	size_t  i;

	server_need_listeners();
	server.accepted = accepted;
	for (i = 0; i < server.nlisten; i++)
		events_watch(server.listen_fds[i], EVENTS_READ,
		    server_events_accept, NULL);
	if (server.gen_ok)
		events_watch(SERVER_GENERATION_FD, EVENTS_READ,
		    server_events_generation, NULL);
	server_status(SERVER_STATUS_AVAIL);
	for (;;) {
		events_run_once(server.exiting ? SERVER_DRAIN_POLL_MS : -1);
		if (server.exiting && (drain == NULL || drain())) {
			log_debug("drained: exiting");
			exit(0);
		}
	}
}

/* server_exiting - true once the generation pipe has closed */
bool
server_exiting(void)
{
	return server.exiting;
}

/* server_exit_after_this - exit once the current connection is served */
void
server_exit_after_this(void)
{
	server.exit_after = true;
}

/* server_pre_accept - the check before each accept */
void
server_pre_accept(server_stale_fn stale)
{
	server.stale = stale;
}
