/* postdrop.c - the setgid helper that puts a message into maildrop/: main()
 *
 * Run by sendmail with the message's record stream on stdin:
 *   postdrop [-c config_dir] [-v]
 * (MAIL_CONFIG=DIR also names the configuration). The other mode,
 *   postdrop [-c config_dir] -s [-j]
 * lists the queue for an ordinary user through the showq service
 * (postdrop_showq.c, run by "postern queue list" and so by mailq).
 * Exit status EX_OK once maildrop/ID is complete and fsync'd, else a
 * sysexits.h code with the reason on stderr. Order: configuration
 * (checked, postdrop_privs.c), the queue directory, then with the setgid
 * group the new file and the trigger connection, then the group is
 * dropped for good, and only then is any input read.
 */
#include "postdrop.h"
#include <signal.h>
#include "log.h"
#include "params.h"
#include "postdrop_showq.h"

#ifdef POSTERN_SANITIZE
const char *__asan_default_options(void);

/* __asan_default_options - no leak check: LeakSanitizer needs ptrace,
 * which a setgid process does not allow (it would die at exit) */
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

#define POSTDROP_USAGE "usage: postdrop [-c config_dir] [-v] [-s [-j]]"

/* main - configure, open, drop the group, copy, commit, trigger */
int
main(int argc, char **argv)
{
	struct postdrop_file f;
	const char *config_dir = getenv("MAIL_CONFIG");
	int     c, status, trigger;
	bool	showq = false, json = false;

	log_init("postdrop");
	log_set_stderr(true);
	if (config_dir != NULL && *config_dir == '\0')
		config_dir = NULL;
	while ((c = getopt(argc, argv, "c:jsv")) != -1) {
		if (c == 'c')
			config_dir = optarg;
		else if (c == 's')
			showq = true;
		else if (c == 'j')
			json = true;
		else if (c == 'v')
			log_set_verbose(1);
		else
			log_die(EX_USAGE, POSTDROP_USAGE);
	}
	if (optind != argc || (json && !showq))
		log_die(EX_USAGE, POSTDROP_USAGE);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		log_die(EX_OSERR, "ignore SIGPIPE: %m");
	postdrop_check_config(config_dir);
	params_load(config_dir);
	log_set_syslog_name(var_syslog_name);
	if (showq)
		return postdrop_showq(json);
	if (chdir(var_queue_directory) < 0)
		log_die(EX_UNAVAILABLE, "chdir %s: %m",
		    var_queue_directory);
	postdrop_file_create(&f);
	trigger = postdrop_trigger_open();
	postdrop_drop_group();
	status = postdrop_copy(STDIN_FILENO, &f);
	if (status == EX_OK && postdrop_file_finish(&f) < 0) {
		log_error("commit maildrop/%s: %m", f.id);
		status = EX_TEMPFAIL;
	}
	if (status != EX_OK) {
		postdrop_file_abandon(&f);
		if (trigger >= 0)
			(void)close(trigger);	/* nothing to pick up */
		return status;
	}
	log_debug("maildrop/%s: submitted", f.id);
	postdrop_trigger_send(trigger);
	return EX_OK;
}
