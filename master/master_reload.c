/* master_reload.c - SIGHUP: a new configuration without a gap in service
 *
 * Owns the order of a reload. main.cf is first checked by params_check in
 * a short-lived child, because params_load ends the process on an error
 * and a typo in main.cf must not take the mail system down: with errors,
 * they are logged and nothing changes. Then main.cf is loaded, master.cf
 * read (with errors, the services stay as they were, but the new main.cf
 * still applies to new processes), and a new generation begins: the old
 * generation's pipe closes, so its processes finish their current work
 * and exit by themselves while still counting toward their service's
 * process limit. Services that stay keep their listening sockets, so no
 * client is refused during a reload; removed services close theirs; new
 * services open theirs and start.
 */
#include "master.h"
#include "cf.h"
#include "buf.h"
#include "log.h"
#include "params.h"

#include <sys/wait.h>

/* master_reload_report - one problem found by the check child */
static void
master_reload_report(void *ctx, enum cf_severity sev, const char *file,
	    int line, const char *text)
{
	struct buf *out = ctx;

	cf_report_text(out, file, line, text);
	if (sev == CF_WARN)
		log_warn("%s", buf_str(out));
	else
		log_error("%s", buf_str(out));
}

/* master_reload_check - whether main.cf loads without errors (checked in
 * a child: params_check changes the variables it checks) */
static bool
master_reload_check(void)
{
	struct buf *out;
	pid_t   pid;
	int     status, errors;

	pid = fork();
	if (pid < 0) {
		log_warn("reload: fork for the main.cf check: %m: loading "
		    "without it");
		return true;
	}
	if (pid == 0) {
		out = buf_new(0);
		errors = params_check(master.config_dir, master_reload_report,
		    out);
		buf_free(out);
		_exit(errors > 0 ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			log_warn("reload: wait for the main.cf check: %m");
			return false;
		}
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* master_reload - SIGHUP */
void
master_reload(void)
{
	struct master_serv *list;
	bool    error;

	if (master.terminating)
		return;
	if (!master_reload_check()) {
		log_error("reload: %s/main.cf has errors: configuration "
		    "unchanged", master.config_dir);
		return;
	}
	params_load(master.config_dir);
	master_config_refresh();
	list = master_service_read(false, &error);
	master_spawn_new_generation();
	if (error)
		log_error("reload: %s/master.cf has errors: services "
		    "unchanged", master.config_dir);
	else
		master_service_merge(list);
	log_info("reload -- version %s, configuration %s", POSTERN_VERSION,
	    master.config_dir);
	master_avail_update_all();
}
