/* master_config.c - master's options, configuration, accounts, queue tree
 *
 * Owns what master derives from its command line and main.cf at start:
 * the absolute configuration directory handed to every child (children
 * run in the queue directory, so a relative -c would break), the log file,
 * the account that owns the queue (mail_owner when root; the caller
 * otherwise, which is logged once), the queue directory tree
 * (queue_setup), the directory of the daemon programs, and the clean
 * environment of the children. master_config_refresh redoes the parts a
 * reload may change and warns about the ones that need a restart
 * (queue_directory, inet_interfaces, inet_protocols).
 */
#include "master.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "privs.h"
#include "queue.h"

#include <getopt.h>
#include <grp.h>

/* the variables a child may inherit from master's environment */
static const char *const master_env_keep[] = {
	"TZ", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
};

/* master_usage - fatal usage message */
static _Noreturn void
master_usage(const char *prog)
{
	log_fatal("usage: %s [-c config_dir] [-d] [-t] [-v]", prog);
}

/* master_parse_args - master's few options */
void
master_parse_args(int argc, char **argv, struct master_opts *opts)
{
	int     c;

	memset(opts, 0, sizeof(*opts));
	opterr = 0;
	while ((c = getopt(argc, argv, "c:dtv")) != -1) {
		switch (c) {
		case 'c':
			opts->config_dir = optarg;
			break;
		case 'd':
			opts->detach = true;
			break;
		case 't':
			opts->test_only = true;
			break;
		case 'v':
			log_set_verbose(++opts->verbose);
			break;
		default:
			master_usage(argv[0]);
		}
	}
	if (optind != argc)
		master_usage(argv[0]);
}

/* master_config_daemon_dir - daemon_directory, or master's own directory
 * when it is empty */
static char *
master_config_daemon_dir(void)
{
	struct buf *why = buf_new(0);
	char	*dir = params_daemon_directory(why);

	if (dir == NULL)
		log_fatal("daemon_directory is empty and the location of "
		    "master is unknown: %s", buf_str(why));
	buf_free(why);
	return dir;
}

/* master_config_env - the environment of every child */
static char **
master_config_env(void)
{
	char  **env;
	const char *value;
	size_t  i, n = 0;
	struct buf *b = buf_new(0);

	env = xcalloc(SYS_ARRAY_LEN(master_env_keep) + 2, sizeof(*env));
	env[n++] = xstrdup("PATH=/usr/bin:/bin");
	for (i = 0; i < SYS_ARRAY_LEN(master_env_keep); i++) {
		value = getenv(master_env_keep[i]);
		if (value == NULL)
			continue;
		buf_reset(b);
		if (buf_printf(b, "%s=%s", master_env_keep[i], value) < 0)
			continue;	/* absurdly long: leave it out */
		env[n++] = xstrdup(buf_str(b));
	}
	env[n] = NULL;
	buf_free(b);
	return env;
}

/* master_config_accounts - who owns the queue and the sockets */
static gid_t
master_config_accounts(void)
{
	struct group *gr;

	master.root = privs_is_root();
	if (!master.root) {
		master.owner_uid = getuid();
		master.owner_gid = getgid();
		log_info("running without root: no chroot, no privilege "
		    "switch");
		return (gid_t)-1;
	}
	if (privs_lookup(var_mail_owner, &master.owner_uid,
	    &master.owner_gid) < 0)
		log_fatal("mail_owner \"%s\" does not exist: create it with "
		    "useradd -r %s -d /nonexistent -s /usr/sbin/nologin",
		    var_mail_owner, var_mail_owner);
	if (master.owner_uid == 0)
		log_fatal("mail_owner \"%s\" has uid 0: it must be an "
		    "unprivileged account of its own", var_mail_owner);
	errno = 0;
	gr = getgrnam(var_setgid_group);
	if (gr == NULL) {
		log_warn("setgid_group \"%s\" does not exist: maildrop/ and "
		    "public/ stay closed to local users; create it with "
		    "groupadd -r %s", var_setgid_group, var_setgid_group);
		return (gid_t)-1;
	}
	return gr->gr_gid;
}

/* master_config_init - everything main.cf decides at start */
void
master_config_init(const struct master_opts *opts)
{
	struct buf *why = buf_new(0);
	gid_t   postdrop;

	umask(022);
	if (opts->config_dir != NULL) {
		master.config_dir = realpath(opts->config_dir, NULL);
		if (master.config_dir == NULL)
			log_fatal("config directory %s: %m", opts->config_dir);
	} else {
		master.config_dir = xstrdup(var_config_directory);
	}
	if (*var_maillog_file != '\0' && log_open_file(var_maillog_file) < 0)
		log_fatal("open maillog_file %s: %m", var_maillog_file);
	postdrop = master_config_accounts();
	master.daemon_dir = master_config_daemon_dir();
	if (queue_setup(var_queue_directory, master.owner_uid,
	    master.owner_gid, postdrop, why) < 0)
		log_fatal("queue_directory %s: %s", var_queue_directory,
		    buf_str(why));
	if (chdir(var_queue_directory) < 0)
		log_fatal("chdir queue_directory %s: %m", var_queue_directory);
	master.queue_directory = xstrdup(var_queue_directory);
	master.inet_interfaces = xstrdup(var_inet_interfaces);
	master.inet_protocols = xstrdup(var_inet_protocols);
	master.env = master_config_env();
	buf_free(why);
}

/* master_config_refresh - after a reload of main.cf */
void
master_config_refresh(void)
{
	if (*var_maillog_file != '\0' && log_open_file(var_maillog_file) < 0)
		log_error("open maillog_file %s: %m: logging as before",
		    var_maillog_file);
	free(master.daemon_dir);
	master.daemon_dir = master_config_daemon_dir();
	if (strcmp(master.queue_directory, var_queue_directory) != 0)
		log_warn("queue_directory changed from %s to %s: stop and "
		    "start the mail system to use it", master.queue_directory,
		    var_queue_directory);
	if (strcmp(master.inet_interfaces, var_inet_interfaces) != 0
	    || strcmp(master.inet_protocols, var_inet_protocols) != 0)
		log_warn("inet_interfaces or inet_protocols changed: services "
		    "that stay keep their sockets; stop and start the mail "
		    "system to use the new addresses");
}
