/* master.h - the master daemon's private types and state
 *
 * master keeps two lists of services: the live ones of the current
 * master.cf, and the retired ones that a reload removed but whose processes
 * have not exited yet (a retired service listens no more and spawns
 * nothing; it is freed with its last process). Each live service owns its
 * listening sockets, its status pipe, and counts of its processes: total
 * (every generation: old processes still count toward the limit until
 * they exit) and available (current generation only, as reported on the
 * status pipe; a new process counts as available until it reports taken).
 * Processes are in a table keyed by pid, each pointing to its service.
 *
 * The generation pipe: master holds both ends and passes the read end to
 * every child. A reload or stop closes master's write end, so that the
 * children of that generation read EOF, finish what they do and exit; a
 * reload then makes a new pipe for the next generation.
 */
#ifndef POSTERN_MASTER_H
#define POSTERN_MASTER_H

#include "sys.h"
#include "server.h"

struct buf;

#define MASTER_MAX_PROC		1000	/* maxproc 0 means this */
#define MASTER_MAX_PROC_LIMIT	10000	/* largest maxproc accepted */
#define MASTER_MAX_WAKEUP	(7 * 86400)	/* largest wakeup accepted */
#define MASTER_STOP_WAIT_MS	5000	/* SIGTERM to SIGKILL at stop */
#define MASTER_LISTEN_BACKLOG	1024

struct master_serv {
	struct master_serv *next;
	/* from master.cf */
	char	*name;			/* service column */
	char	*type;			/* "inet" or "unix" */
	bool	private_, unpriv, chroot;
	long	wakeup;			/* seconds; 0: spawned on demand */
	int	max_proc;
	int	line;			/* in master.cf, for messages */
	char	*path;			/* the program */
	char	**argv;			/* the full command line, NULL ended */
	char	*sock_path;		/* unix: "private/NAME"; inet: NULL */
	/* run time */
	int	listen_fds[SERVER_LISTEN_MAX];
	size_t	nlisten;
	bool	watching;		/* sockets in the events loop */
	int	status_rd, status_wr;	/* the service's status pipe */
	unsigned char status_buf[sizeof(struct server_status)];
	size_t	status_len;		/* partial record in status_buf */
	int	total_proc;		/* processes alive, every generation */
	int	avail_proc;		/* of this generation, available */
	bool	throttled;		/* no spawning until the timer fires */
	int	throttle_delay;		/* seconds of the last throttle */
	bool	retired;		/* removed from master.cf */
};

struct master_proc {
	struct master_proc *next;	/* hash chain */
	pid_t	pid;
	struct master_serv *serv;
	unsigned gen;			/* generation it was started in */
	bool	avail;			/* counted in serv->avail_proc */
	bool	reported;		/* sent any status: started fine */
	bool	signalled;		/* we sent it SIGTERM/SIGKILL */
};

struct master_opts {
	const char *config_dir;		/* -c, NULL: default */
	bool	detach;			/* -d */
	bool	test_only;		/* -t */
	int	verbose;		/* -v */
};

/* the process's state: one instance, defined in master.c */
struct master {
	char	*config_dir;		/* absolute, given to every child */
	char	*daemon_dir;		/* where the programs are */
	bool	root;			/* started as root */
	uid_t	owner_uid;		/* mail_owner, or the caller */
	gid_t	owner_gid;
	char	*inet_interfaces;	/* as the inet sockets were opened */
	char	*inet_protocols;
	char	*queue_directory;	/* as chdir'd into at start */
	struct master_serv *services;	/* live, in master.cf order */
	struct master_serv *retired;
	unsigned generation;
	int	gen_rd, gen_wr;		/* the generation pipe */
	int	devnull;		/* children's stdin, stdout, stderr */
	char	**env;			/* children's environment */
	int	pid_fd;			/* the locked pid file */
	int	detach_fd;		/* -d: tells the waiting parent */
	bool	terminating;
	int	stop_signal;
};

extern struct master master;

/* master_config.c - options, configuration, accounts, queue tree */
void	master_parse_args(int argc, char **argv, struct master_opts *opts);
void	master_config_init(const struct master_opts *opts);
void	master_config_refresh(void);

/* master_pid.c - the pid file lock */
_Noreturn void master_pid_test(void);
void	master_pid_lock(void);
void	master_pid_write(void);
void	master_pid_release(void);

/* master_detach.c - -d: run in the background once started */
void	master_fds_sane(void);
void	master_detach_begin(void);
void	master_detach_done(void);

/* master_service.c - master.cf into services */
/* master_service_read - the services of master.cf; with fatal, errors
 * end the process, else they are logged and NULL is returned with *error
 * set (an empty master.cf gives NULL without error) */
struct master_serv *master_service_read(bool fatal, bool *error);
struct master_serv *master_service_free(struct master_serv *s);
/* master_service_start - open the sockets and status pipes of a list
 * read at start; fatal on failure */
void	master_service_start(struct master_serv *list);
/* master_service_merge - make list the live services (reload): keep the
 * sockets of services that stay, retire the others, open the new ones */
void	master_service_merge(struct master_serv *list);
/* master_service_retire - a service leaves the live list */
void	master_service_retire(struct master_serv *s);
/* master_service_gone - free a retired service without processes */
void	master_service_gone(struct master_serv *s);

/* master_listen.c - listening sockets */
/* master_listen_open - open s's sockets; 0, or -1 with why */
int	master_listen_open(struct master_serv *s, struct buf *why);
void	master_listen_close(struct master_serv *s);

/* master_spawn.c - child processes */
void	master_spawn_init(void);
void	master_spawn(struct master_serv *s);
struct master_proc *master_spawn_find(pid_t pid);
void	master_spawn_reap(void);
void	master_spawn_new_generation(void);
void	master_spawn_close_generation(void);
void	master_spawn_signal_all(int sig);
void	master_spawn_wait_all(void);
int	master_spawn_count(void);

/* master_avail.c - spawning on demand, wakeup services, throttling */
void	master_avail_update(struct master_serv *s);
void	master_avail_update_all(void);
void	master_avail_throttle(struct master_serv *s);
void	master_avail_good(struct master_serv *s);
void	master_avail_spawn(struct master_serv *s);
void	master_avail_stop(struct master_serv *s);

/* master_status.c - the status pipes */
int	master_status_open(struct master_serv *s);
void	master_status_close(struct master_serv *s);

/* master_signal.c - signals through signalfd */
void	master_signal_init(void);

/* master_reload.c - SIGHUP */
void	master_reload(void);

/* master_stop.c - SIGTERM, SIGINT */
void	master_stop_begin(int sig);
void	master_stop_check(void);

#endif
