/* sendmail.c - the sendmail command (also mailq, newaliases): main()
 *
 * Reads like its job list: options (the name it was called by picks the
 * mode), configuration, then one of: submit a message from stdin, run an
 * SMTP dialogue on stdin/stdout, list the queue, rebuild the aliases, or
 * flush the queue. Everything is in the sendmail_*.c files.
 */
#include "sendmail.h"
#include "log.h"
#include "params.h"

/* main - parse, configure, do what the mode says */
int
main(int argc, char **argv)
{
	struct sendmail_opts opts;
	struct sendmail_user user;
	struct sendmail_rcpts rcpts;
	int     status;

	log_init("sendmail");
	log_set_stderr(true);
	sendmail_opts_parse(argc, argv, &opts);
	params_load(opts.config_dir);
	log_set_syslog_name(var_syslog_name);
	log_set_verbose(opts.verbose);
	switch (opts.mode) {
	case SENDMAIL_MODE_MAILQ:
		sendmail_mailq(&opts);
	case SENDMAIL_MODE_NEWALIASES:
		return sendmail_newaliases(&opts);
	case SENDMAIL_MODE_FLUSH:
		return sendmail_flush(&opts);
	case SENDMAIL_MODE_SMTP:
		sendmail_user_init(&user, &opts);
		return sendmail_smtp(&opts, &user);
	case SENDMAIL_MODE_DELIVER:
		break;
	}
	sendmail_user_init(&user, &opts);
	sendmail_rcpts_init(&rcpts);
	status = sendmail_msg_submit(STDIN_FILENO, &opts, &user, &rcpts, true);
	sendmail_rcpts_free(&rcpts);
	return status;
}
