/* master_spawn.c - forking service processes, and their exits
 *
 * Owns the process table (struct master_proc, hashed by pid), the
 * generation pipe, and the exec of a daemon: the child unblocks the
 * signals master handles through signalfd, restores SIGPIPE, moves the
 * service's listening sockets, its status pipe and the generation pipe to
 * the descriptors util/server.h promises (through high temporary copies,
 * so that no source is overwritten before it is moved), puts /dev/null on
 * 0, 1 and 2, marks every other descriptor close-on-exec, and executes
 * the program with master's clean environment. An exec failure is logged
 * by the child (its log descriptor is still open until the exec) and
 * ends it with status 127.
 *
 * master_spawn_reap collects exits (SIGCHLD): an abnormal exit is logged
 * (unless master itself sent the signal at stop), and one that comes
 * before the process ever reported status throttles the service (a
 * program that cannot start must not be forked in a loop). Processes of
 * an old generation and of retired services are simply forgotten.
 */
#include "master.h"
#include "log.h"
#include "mem.h"

#include <signal.h>
#include <sys/wait.h>

#define MASTER_PROC_HASH	1024
/* temporary descriptors in the child: above every target */
#define MASTER_SPAWN_HIGH_FD	(SERVER_LISTEN_EXTRA_FD + SERVER_LISTEN_MAX)

static struct master_proc *master_procs[MASTER_PROC_HASH];
static int master_nprocs;

/* master_spawn_slot - the hash chain of pid */
static struct master_proc **
master_spawn_slot(pid_t pid)
{
	return &master_procs[(size_t)pid % MASTER_PROC_HASH];
}

/* master_spawn_gen_pipe - a new generation pipe */
static void
master_spawn_gen_pipe(void)
{
	int     fds[2];

	if (pipe2(fds, O_CLOEXEC) < 0)
		log_fatal("create the generation pipe: %m");
	master.gen_rd = fds[0];
	master.gen_wr = fds[1];
}

/* master_spawn_init - /dev/null and the first generation */
void
master_spawn_init(void)
{
	master.devnull = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (master.devnull < 0)
		log_fatal("open /dev/null: %m");
	master_spawn_gen_pipe();
	master.generation = 1;
}

/* master_spawn_close_generation - the current generation's children read
 * EOF on their generation pipe once every copy of the write end is gone */
void
master_spawn_close_generation(void)
{
	if (master.gen_wr >= 0 && close(master.gen_wr) < 0)
		log_warn("close the generation pipe: %m");
	if (master.gen_rd >= 0 && close(master.gen_rd) < 0)
		log_warn("close the generation pipe: %m");
	master.gen_rd = master.gen_wr = -1;
}

/* master_spawn_new_generation - end the current generation (reload):
 * its processes finish and exit, and count as available no more */
void
master_spawn_new_generation(void)
{
	struct master_proc *p;
	size_t  i;

	master_spawn_close_generation();
	master_spawn_gen_pipe();
	master.generation++;
	for (i = 0; i < MASTER_PROC_HASH; i++) {
		for (p = master_procs[i]; p != NULL; p = p->next) {
			if (p->avail) {
				p->avail = false;
				p->serv->avail_proc--;
			}
		}
	}
}

/* master_spawn_move - in the child: dup2 every src[i] to dst[i] */
static void
master_spawn_move(const int *src, const int *dst, size_t n)
{
	int     tmp[SERVER_LISTEN_MAX + 2];
	size_t  i;

	/* first out of the way, since a source may sit on a target */
	for (i = 0; i < n; i++) {
		tmp[i] = fcntl(src[i], F_DUPFD, MASTER_SPAWN_HIGH_FD);
		if (tmp[i] < 0)
			log_fatal("child: duplicate descriptor %d: %m",
			    src[i]);
	}
	for (i = 0; i < n; i++)
		if (dup2(tmp[i], dst[i]) < 0)
			log_fatal("child: move descriptor %d to %d: %m",
			    tmp[i], dst[i]);
}

/* master_spawn_child - in the child: descriptors, signals, exec */
static _Noreturn void
master_spawn_child(const struct master_serv *s)
{
	int     src[SERVER_LISTEN_MAX + 2], dst[SERVER_LISTEN_MAX + 2];
	size_t  i, n = 0;
	sigset_t none;
	struct sigaction sa;
	int     fd, first_free;

	if (sigemptyset(&none) < 0
	    || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		log_fatal("child: unblock signals: %m");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	if (sigemptyset(&sa.sa_mask) < 0 || sigaction(SIGPIPE, &sa, NULL) < 0)
		log_fatal("child: restore SIGPIPE: %m");
	src[n] = s->listen_fds[0];
	dst[n++] = SERVER_LISTEN_FD;
	src[n] = s->status_wr;
	dst[n++] = SERVER_STATUS_FD;
	src[n] = master.gen_rd;
	dst[n++] = SERVER_GENERATION_FD;
	for (i = 1; i < s->nlisten; i++) {
		src[n] = s->listen_fds[i];
		dst[n++] = SERVER_LISTEN_EXTRA_FD + (int)i - 1;
	}
	master_spawn_move(src, dst, n);
	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
		if (dup2(master.devnull, fd) < 0)
			log_fatal("child: /dev/null on descriptor %d: %m", fd);
	first_free = SERVER_LISTEN_EXTRA_FD + (s->nlisten > 1 ?
	    (int)s->nlisten - 1 : 0);
	/* close-on-exec rather than closed: the log stays until the exec */
	if (close_range((unsigned)first_free, ~0U, CLOSE_RANGE_CLOEXEC) < 0
	    && close_range((unsigned)first_free, ~0U, 0) < 0)
		log_fatal("child: close descriptors: %m");
	execve(s->path, s->argv, master.env);
	log_error("execute %s: %m", s->path);
	_exit(127);
}

/* master_spawn - fork one more process of s */
void
master_spawn(struct master_serv *s)
{
	struct master_proc *p, **slot;
	pid_t   pid;

	if (master.terminating || s->retired || s->nlisten == 0)
		return;
	pid = fork();
	if (pid < 0) {
		log_warn("%s: fork: %m: throttling", s->path);
		master_avail_throttle(s);
		return;
	}
	if (pid == 0)
		master_spawn_child(s);
	p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->serv = s;
	p->gen = master.generation;
	p->avail = true;		/* until it reports taken */
	slot = master_spawn_slot(pid);
	p->next = *slot;
	*slot = p;
	master_nprocs++;
	s->total_proc++;
	s->avail_proc++;
	log_debug("service %s/%s: started %s pid %d (%d of %d)", s->name,
	    s->type, s->path, (int)pid, s->total_proc, s->max_proc);
}

/* master_spawn_find - the process with this pid, or NULL */
struct master_proc *
master_spawn_find(pid_t pid)
{
	struct master_proc *p;

	for (p = *master_spawn_slot(pid); p != NULL; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* master_spawn_forget - take p out of the table and its service's counts;
 * frees p */
static void
master_spawn_forget(struct master_proc *p)
{
	struct master_proc **pp;

	for (pp = master_spawn_slot(p->pid); *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	master_nprocs--;
	p->serv->total_proc--;
	if (p->avail)
		p->serv->avail_proc--;
	free(p);
}

/* master_spawn_exited - one child is gone */
static void
master_spawn_exited(struct master_proc *p, int status)
{
	struct master_serv *s = p->serv;
	bool    normal, ours, bad_start;

	normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ours = p->signalled && WIFSIGNALED(status)
	    && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGKILL);
	if (!normal && !ours) {
		if (WIFEXITED(status))
			log_warn("process %s pid %d exit status %d", s->path,
			    (int)p->pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warn("process %s pid %d killed by signal %d",
			    s->path, (int)p->pid, WTERMSIG(status));
	}
	bad_start = !normal && !ours && !p->reported && !master.terminating
	    && p->gen == master.generation;
	master_spawn_forget(p);
	if (s->retired) {
		if (s->total_proc == 0)
			master_service_gone(s);
		return;
	}
	if (bad_start) {
		log_warn("%s: bad command startup -- throttling", s->path);
		master_avail_throttle(s);
	}
	master_avail_update(s);
}

/* master_spawn_reap - collect every child that exited */
void
master_spawn_reap(void)
{
	struct master_proc *p;
	pid_t   pid;
	int     status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			break;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("waitpid: %m");
			break;
		}
		p = master_spawn_find(pid);
		if (p == NULL)
			continue;	/* not a service process */
		master_spawn_exited(p, status);
	}
	master_stop_check();
}

/* master_spawn_signal_all - send sig to every child */
void
master_spawn_signal_all(int sig)
{
	struct master_proc *p;
	size_t  i;

	for (i = 0; i < MASTER_PROC_HASH; i++) {
		for (p = master_procs[i]; p != NULL; p = p->next) {
			if (kill(p->pid, sig) < 0 && errno != ESRCH)
				log_warn("signal %d to pid %d: %m", sig,
				    (int)p->pid);
			p->signalled = true;
		}
	}
}

/* master_spawn_wait_all - wait for every child (after SIGKILL) */
void
master_spawn_wait_all(void)
{
	struct master_proc *p;
	size_t  i;
	int     status;

	for (i = 0; i < MASTER_PROC_HASH; i++) {
		while ((p = master_procs[i]) != NULL) {
			while (waitpid(p->pid, &status, 0) < 0
			    && errno == EINTR)
				continue;
			master_spawn_forget(p);
		}
	}
}

/* master_spawn_count - children alive */
int
master_spawn_count(void)
{
	return master_nprocs;
}
