/* postern_queue.c - "postern queue": list, flush, and the dispatch
 *
 * postern queue list [--json] | flush | delete ID...|ALL | hold ID...|ALL
 * | release ID...|ALL | requeue ID...|ALL | cat ID. This file dispatches
 * the subcommands and owns list and flush and the set-up they share.
 *
 * list run by root or mail_owner reads the queue directly through
 * util/showq.c; run by anyone else it executes "postdrop -s" (postdrop is
 * setgid postdrop, the group that may connect to public/), which asks the
 * showq daemon for the same listing: an ordinary user sees the envelope
 * summary and never a queue file. Every other subcommand needs root or
 * mail_owner. flush sends req=flush to qmgr (qmgr/1 of util/proto.h);
 * release and requeue send req=scan after their moves.
 */
#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "params.h"
#include "pidfile.h"
#include "postern.h"
#include "postern_queue.h"
#include "privs.h"
#include "proto.h"
#include "queue.h"
#include "mailq.h"

#define POSTERN_QUEUE_IPC_MS	10000	/* talking to qmgr */
#define POSTERN_POSTDROP	"postdrop"

/* postern_queue_admin - fatal unless the caller is root or mail_owner */
void
postern_queue_admin(const char *what)
{
	uid_t   uid;
	gid_t   gid;

	if (geteuid() == 0)
		return;
	if (privs_lookup(var_mail_owner, &uid, &gid) == 0 && uid == geteuid())
		return;
	log_fatal("queue %s: permission denied: only root or the mail_owner "
	    "(%s) may do this", what, var_mail_owner);
}

/* postern_queue_is_admin - whether the caller may read the queue */
static bool
postern_queue_is_admin(void)
{
	uid_t   uid;
	gid_t   gid;

	return geteuid() == 0 || (privs_lookup(var_mail_owner, &uid, &gid) == 0
	    && uid == geteuid());
}

/* postern_queue_chdir - the queue directory becomes the working one */
void
postern_queue_chdir(void)
{
	if (chdir(var_queue_directory) < 0)
		log_fatal("chdir %s: %m", var_queue_directory);
}

/* postern_queue_running - whether master runs (the queue directory is
 * the working directory) */
bool
postern_queue_running(void)
{
	pid_t   pid;
	int     r = pidfile_read(PIDFILE_MASTER, &pid);

	if (r < 0 && errno != ENOENT)
		log_fatal("cannot read %s/%s: %m", var_queue_directory,
		    PIDFILE_MASTER);
	return r == 1;
}

/* postern_queue_trigger - send one request to qmgr */
int
postern_queue_trigger(const char *req)
{
	struct buf *why = buf_new(0);
	struct ipc *ipc;
	int     ret = -1;

	ipc = ipc_connect("qmgr", POSTERN_QUEUE_IPC_MS, why);
	if (ipc == NULL) {
		log_warn("cannot reach qmgr (%s): the mail system is not "
		    "running? the queue is scanned when it starts",
		    buf_len(why) ? buf_str(why) : strerror(errno));
		goto fail;
	}
	if (ipc_expect_proto(ipc, PROTO_QMGR, why) < 0) {
		log_warn("qmgr: %s", buf_str(why));
		goto fail;
	}
	ipc_put_str(ipc, PROTO_REQ, req);
	if (ipc_end(ipc) < 0) {
		log_warn("send %s request to qmgr: %m", req);
		goto fail;
	}
	ret = 0;

fail:
	ipc_free(ipc);
	buf_free(why);
	return ret;
}

/* postern_queue_stdout - mailq_write_fn to stdout */
static int
postern_queue_stdout(const char *data, size_t len, void *ctx)
{
	(void)ctx;
	if (len > 0 && fwrite(data, 1, len, stdout) != len)
		return -1;
	return 0;
}

/* postern_queue_list - the mailq listing, or JSON with --json */
static int
postern_queue_list(const struct postern_opts *opts, int argc, char **argv)
{
	char    path[PATH_MAX];
	bool    json = false;

	if (argc == 3 && (strcmp(argv[2], "--json") == 0
	    || strcmp(argv[2], "-j") == 0))
		json = true;
	else if (argc != 2)
		log_fatal("usage: postern queue list [--json]");
	if (!postern_queue_is_admin()) {
		/* an ordinary user: showq, through the setgid helper */
		if (snprintf(path, sizeof(path), "%s/%s", var_daemon_directory,
		    POSTERN_POSTDROP) >= (int)sizeof(path))
			log_fatal("daemon_directory is too long");
		if (fflush(stdout) == EOF)
			log_fatal("write to standard output: %m");
		if (opts->config_dir != NULL)
			execl(path, POSTERN_POSTDROP, "-c", opts->config_dir,
			    "-s", json ? "-j" : (char *)NULL, (char *)NULL);
		else
			execl(path, POSTERN_POSTDROP, "-s",
			    json ? "-j" : (char *)NULL, (char *)NULL);
		log_fatal("cannot list the queue as an ordinary user: "
		    "execute %s: %m", path);
	}
	postern_queue_chdir();
	if (mailq_report(json, postern_queue_stdout, NULL) < 0
	    || fflush(stdout) == EOF || ferror(stdout)) {
		if (ferror(stdout))
			log_fatal("write to standard output: %m");
		log_fatal("cannot list the queue in %s", var_queue_directory);
	}
	return 0;
}

/* postern_queue_flush - retry deferred mail now */
static int
postern_queue_flush(int argc)
{
	if (argc != 2)
		log_fatal("usage: postern queue flush");
	postern_queue_admin("flush");
	postern_queue_chdir();
	return postern_queue_trigger(PROTO_REQ_FLUSH) < 0 ? 1 : 0;
}

/* postern_queue - "postern queue SUBCOMMAND [ARGS]" */
int
postern_queue(const struct postern_opts *opts, int argc, char **argv)
{
	const char *sub;

	if (argc < 2)
		postern_usage_fatal(postern_cmd_find(argv[0]));
	sub = argv[1];
	postern_load_config(opts);
	if (strcmp(sub, "list") == 0)
		return postern_queue_list(opts, argc, argv);
	if (strcmp(sub, "flush") == 0)
		return postern_queue_flush(argc);
	if (strcmp(sub, "delete") == 0 || strcmp(sub, "hold") == 0
	    || strcmp(sub, "release") == 0 || strcmp(sub, "requeue") == 0) {
		if (argc < 3)
			log_fatal("usage: postern queue %s ID...|ALL", sub);
		postern_queue_admin(sub);
		postern_queue_chdir();
		return postern_queue_move(sub, argc - 2, argv + 2);
	}
	if (strcmp(sub, "cat") == 0) {
		if (argc != 3)
			log_fatal("usage: postern queue cat ID");
		postern_queue_admin(sub);
		postern_queue_chdir();
		return postern_queue_cat(argv[2]);
	}
	log_error("unknown queue subcommand: \"%s\"", sub);
	postern_usage_fatal(postern_cmd_find(argv[0]));
}
