/* params.h - the main.cf parameters: table, variables, loading
 *
 * Every parameter is declared once, in params_table.c, and lands in a
 * variable named var_<exact main.cf name>. params_load() reads
 * $config_directory/main.cf, applies -o overrides (params_add_override), then
 * expands $name references and converts and range-checks every value.
 * An unknown parameter is a warning naming file and line; a bad value is an
 * error "file, line N: name: expected ..., got \"value\"" (-o overrides:
 * "-o name: expected ..."), and params_load() logs each one and exits
 * (log_fatal "file: N errors in configuration"); a missing main.cf is fatal.
 * params_check() does the same work but reports every problem through a
 * callback and returns the error count, for `postern check`.
 */
#ifndef POSTERN_PARAMS_H
#define POSTERN_PARAMS_H

#include "sys.h"
#include "cf.h"

struct buf;

enum params_type { PARAMS_STR, PARAMS_INT, PARAMS_TIME, PARAMS_BOOL };

struct params_row {
	const char *name;
	enum params_type type;
	const char *def;	/* default, before $expansion */
	long long min, max;	/* INT and TIME */
	void	*var;		/* char **, long long * or bool * */
	const char *desc;
};

extern const struct params_row params_table[];
extern const size_t params_count;

/* params_add_override - remember "name=value" from -o; 0 or -1 if no '=' */
int	params_add_override(const char *name_eq_value);

/* params_load - read config_dir/main.cf (NULL: default directory) and set
 * every var_*; fatal on errors. Safe to call again (reload). */
void	params_load(const char *config_dir);

/* params_check - like params_load but report each problem; returns the
 * number of errors. Variables are set as far as possible. */
int	params_check(const char *config_dir, cf_report_fn report, void *ctx);

/* params_find - the row of a parameter, or NULL */
const struct params_row *params_find(const char *name);

/* params_value - current value as a string (expanded), or NULL if unknown;
 * the returned string is valid until the next params_load */
const char *params_value(const char *name);

/* params_raw - value as written in main.cf or -o (unexpanded), NULL if not
 * set there (the default applies) */
const char *params_raw(const char *name);

/* params_daemon_directory - daemon_directory, or the directory of the
 * running program when it is empty (programs find the daemons beside
 * themselves); caller frees; NULL with why when it cannot be found */
char	*params_daemon_directory(struct buf *why);

/* params_list_has - whether the comma/space list value contains item,
 * compared case-insensitively */
bool	params_list_has(const char *list, const char *item);

extern char *var_config_directory, *var_queue_directory,
	*var_daemon_directory, *var_data_directory, *var_mail_owner,
	*var_setgid_group, *var_syslog_name, *var_syslog_facility,
	*var_maillog_file, *var_mail_name, *var_myhostname, *var_mydomain,
	*var_myorigin, *var_mydestination, *var_mynetworks,
	*var_inet_interfaces, *var_inet_protocols, *var_relayhost,
	*var_relay_domains, *var_home_mailbox, *var_mail_spool_directory,
	*var_virtual_mailbox_base, *var_local_recipient_maps, *var_alias_maps,
	*var_alias_database, *var_recipient_delimiter, *var_smtpd_banner,
	*var_forward_path, *var_allow_mail_to_commands,
	*var_allow_mail_to_files, *var_default_privs,
	*var_virtual_mailbox_domains, *var_virtual_mailbox_maps,
	*var_virtual_uid_maps, *var_virtual_gid_maps, *var_canonical_maps,
	*var_sender_canonical_maps, *var_recipient_canonical_maps,
	*var_virtual_alias_maps, *var_virtual_alias_domains,
	*var_propagate_unmatched_extensions, *var_smtpd_forbid_bare_newline;
extern long long var_message_size_limit, var_mailbox_size_limit,
	var_smtpd_recipient_limit, var_smtpd_timeout,
	var_smtpd_hard_error_limit, var_smtpd_soft_error_limit,
	var_smtpd_error_sleep_time, var_smtpd_junk_command_limit,
	var_line_length_limit, var_header_size_limit,
	var_default_process_limit, var_max_idle, var_max_use, var_ipc_timeout,
	var_service_throttle_time, var_queue_run_delay,
	var_minimal_backoff_time, var_maximal_backoff_time,
	var_maximal_queue_lifetime, var_bounce_queue_lifetime,
	var_local_destination_concurrency_limit,
	var_default_destination_concurrency_limit,
	var_qmgr_message_active_limit, var_qmgr_message_recipient_limit,
	var_command_time_limit, var_virtual_minimum_uid;
extern bool var_smtpd_helo_required, var_disable_vrfy_command,
	var_smtputf8_enable, var_owner_request_special;

#endif
