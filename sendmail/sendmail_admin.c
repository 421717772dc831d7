/* sendmail_admin.c - sendmail -bp (mailq), -bi (newaliases) and -q
 *
 * mailq runs "postern -c DIR queue list" (the postern command found
 * beside sendmail or in daemon_directory), which is what lists the queue
 * for ordinary users too; its exit status is mailq's. newaliases rebuilds
 * every hash: and btree: table of alias_database from its text source
 * with dict_build (the aliases syntax); other table types need no
 * building. -q asks qmgr to retry the deferred queue now (req=flush on
 * private/qmgr, util/proto.h), which only root or mail_owner may reach:
 * anyone else gets a clear EX_NOPERM.
 */
#include "sendmail.h"
#include "buf.h"
#include "dict.h"
#include "ipc.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#define SENDMAIL_FLUSH_TIMEOUT_MS	(10 * 1000)

/* sendmail_mailq - exec postern queue list */
void
sendmail_mailq(const struct sendmail_opts *o)
{
	struct buf *path = buf_new(0);
	char   *argv[6];
	int     argc = 0;

	if (sendmail_helper("postern", path) < 0)
		log_die(EX_UNAVAILABLE, "cannot list the queue: the "
		    "postern command is neither beside sendmail nor in "
		    "daemon_directory \"%s\"", var_daemon_directory);
	argv[argc++] = "postern";
	argv[argc++] = "-c";
	argv[argc++] = (char *)(o->config_dir != NULL ? o->config_dir :
	    var_config_directory);
	argv[argc++] = "queue";
	argv[argc++] = "list";
	argv[argc] = NULL;
	(void)fflush(stdout);
	execv(buf_str(path), argv);
	log_die(EX_UNAVAILABLE, "cannot list the queue: execute %s: %m",
	    buf_str(path));
}

/* sendmail_newaliases - dict_build each hash/btree alias database */
int
sendmail_newaliases(const struct sendmail_opts *o)
{
	char   *list = xstrdup(var_alias_database), *cursor = list, *name;
	struct buf *why = buf_new(0);
	int     status = EX_OK;

	(void)o;
	while ((name = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (strncmp(name, "hash:", 5) != 0
		    && strncmp(name, "btree:", 6) != 0)
			continue;
		if (dict_build(name, DICT_SYNTAX_ALIASES, why) < 0) {
			log_error("newaliases: %s: %s", name,
			    buf_str(why));
			status = EX_DATAERR;
		}
	}
	free(list);
	buf_free(why);
	return status;
}

/* sendmail_flush - req=flush to qmgr */
int
sendmail_flush(const struct sendmail_opts *o)
{
	struct buf *why = buf_new(0);
	struct ipc *ipc;

	(void)o;
	if (chdir(var_queue_directory) < 0)
		log_die(EX_UNAVAILABLE, "cannot flush the queue: chdir "
		    "%s: %m", var_queue_directory);
	ipc = ipc_connect("qmgr", SENDMAIL_FLUSH_TIMEOUT_MS, why);
	if (ipc == NULL) {
		if (errno == EACCES || errno == EPERM)
			log_die(EX_NOPERM, "cannot flush the queue: "
			    "permission denied (only root or the mail system "
			    "owner may flush the queue)");
		log_die(EX_UNAVAILABLE, "cannot flush the queue: is the "
		    "mail system running? %s", buf_str(why));
	}
	if (ipc_expect_proto(ipc, PROTO_QMGR, why) < 0)
		log_die(EX_PROTOCOL, "cannot flush the queue: %s",
		    buf_str(why));
	ipc_put_str(ipc, PROTO_REQ, PROTO_REQ_FLUSH);
	if (ipc_end(ipc) < 0)
		log_die(EX_IOERR, "cannot flush the queue: send request: "
		    "%m");
	ipc_free(ipc);
	buf_free(why);
	return EX_OK;
}
