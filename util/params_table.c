/* params_table.c - the one table of main.cf parameters
 *
 * One row per parameter postern implements: name, type, default, range, the
 * var_<name> variable it fills, and a one-line description. No default value
 * appears anywhere else in the code. Defaults may use $name expansion; an
 * empty default of myhostname/mydomain is computed by params_load() the way
 * Postfix does (gethostname). Sizes are bytes, times are seconds (the value
 * may carry a unit suffix s, m, h, d, w).
 */
#include "params.h"

#define STR(n, d, desc)	{ #n, PARAMS_STR, d, 0, 0, &var_##n, desc }
#define INT(n, d, lo, hi, desc) { #n, PARAMS_INT, d, lo, hi, &var_##n, desc }
#define TIME(n, d, lo, hi, desc) { #n, PARAMS_TIME, d, lo, hi, &var_##n, desc }
#define BOOL(n, d, desc) { #n, PARAMS_BOOL, d, 0, 1, &var_##n, desc }

/* the variables */
char	*var_config_directory;
char	*var_queue_directory;
char	*var_daemon_directory;
char	*var_data_directory;
char	*var_mail_owner;
char	*var_setgid_group;
char	*var_syslog_name;
char	*var_syslog_facility;
char	*var_maillog_file;
char	*var_mail_name;
char	*var_myhostname;
char	*var_mydomain;
char	*var_myorigin;
char	*var_mydestination;
char	*var_mynetworks;
char	*var_inet_interfaces;
char	*var_inet_protocols;
char	*var_relayhost;
char	*var_relay_domains;
char	*var_home_mailbox;
char	*var_mail_spool_directory;
char	*var_virtual_mailbox_base;
char	*var_local_recipient_maps;
char	*var_alias_maps;
char	*var_alias_database;
char	*var_recipient_delimiter;
char	*var_canonical_maps;
char	*var_sender_canonical_maps;
char	*var_recipient_canonical_maps;
char	*var_virtual_alias_maps;
char	*var_virtual_alias_domains;
char	*var_propagate_unmatched_extensions;
char	*var_forward_path;
char	*var_allow_mail_to_commands;
char	*var_allow_mail_to_files;
char	*var_default_privs;
char	*var_virtual_mailbox_domains;
char	*var_virtual_mailbox_maps;
char	*var_virtual_uid_maps;
char	*var_virtual_gid_maps;
long long var_command_time_limit;
long long var_virtual_minimum_uid;
bool	var_owner_request_special;
char	*var_smtpd_banner;
char	*var_smtpd_forbid_bare_newline;
long long var_message_size_limit;
long long var_mailbox_size_limit;
long long var_smtpd_recipient_limit;
long long var_smtpd_timeout;
long long var_smtpd_hard_error_limit;
long long var_smtpd_soft_error_limit;
long long var_smtpd_error_sleep_time;
long long var_smtpd_junk_command_limit;
long long var_line_length_limit;
long long var_header_size_limit;
bool	var_smtpd_helo_required;
bool	var_disable_vrfy_command;
bool	var_smtputf8_enable;
long long var_default_process_limit;
long long var_max_idle;
long long var_max_use;
long long var_ipc_timeout;
long long var_service_throttle_time;
long long var_queue_run_delay;
long long var_minimal_backoff_time;
long long var_maximal_backoff_time;
long long var_maximal_queue_lifetime;
long long var_bounce_queue_lifetime;
long long var_local_destination_concurrency_limit;
long long var_default_destination_concurrency_limit;
long long var_qmgr_message_active_limit;
long long var_qmgr_message_recipient_limit;

const struct params_row params_table[] = {
	/* where things are */
	STR(config_directory, "/etc/postern",
	    "directory with main.cf and master.cf (set by -c)"),
	STR(queue_directory, "/var/spool/postern",
	    "root of the mail queue"),
	STR(daemon_directory, "",
	    "directory of the daemon programs (empty: beside postern)"),
	STR(data_directory, "/var/lib/postern",
	    "directory for postern's writable data files"),
	STR(mail_owner, "postern",
	    "user the daemons run as and that owns the queue"),
	STR(setgid_group, "postdrop",
	    "group that may write to maildrop/ and use public/"),
	/* logging */
	STR(syslog_name, "postern", "program name prefix of log lines"),
	STR(syslog_facility, "mail", "syslog facility"),
	STR(maillog_file, "",
	    "file to log to instead of syslog (empty: syslog)"),
	STR(mail_name, "Postern", "mail system name in the SMTP banner"),
	/* identity and routing */
	STR(myhostname, "", "this host's fully-qualified name "
	    "(empty: from gethostname)"),
	STR(mydomain, "", "this host's domain (empty: myhostname less its "
	    "first label)"),
	STR(myorigin, "$myhostname",
	    "domain appended to unqualified sender addresses"),
	STR(mydestination, "$myhostname, localhost.$mydomain, localhost",
	    "domains delivered locally"),
	STR(mynetworks, "127.0.0.0/8 [::1]/128",
	    "clients allowed to relay (CIDR list)"),
	STR(inet_interfaces, "all", "addresses the inet services listen on"),
	STR(inet_protocols, "all", "ipv4, ipv6 or all"),
	STR(relayhost, "", "next hop for non-local mail (empty: by MX)"),
	STR(relay_domains, "",
	    "other domains this host accepts mail for and relays"),
	/* local delivery */
	STR(home_mailbox, "", "mailbox relative to home: \"Maildir/\" for "
	    "Maildir, empty for mbox in mail_spool_directory"),
	STR(mail_spool_directory, "/var/mail", "mbox spool directory"),
	STR(virtual_mailbox_base, "", "base of per-user Maildirs when "
	    "postern runs without root"),
	STR(local_recipient_maps, "proxy:unix:passwd.byname $alias_maps",
	    "local users that exist (empty: accept every local part)"),
	STR(alias_maps, "hash:/etc/aliases", "alias lookup tables"),
	STR(alias_database, "hash:/etc/aliases",
	    "alias tables built by newaliases"),
	STR(recipient_delimiter, "",
	    "characters that separate a user from an address extension"),
	INT(mailbox_size_limit, "51200000", 0, LLONG_MAX,
	    "largest mailbox or Maildir message, bytes (0: no limit)"),
	STR(forward_path,
	    "$home/.forward${recipient_delimiter}${extension}, $home/.forward",
	    ".forward files tried in order (expanded per delivery)"),
	STR(allow_mail_to_commands, "alias, forward",
	    "where |command destinations are allowed: alias, forward, include"),
	STR(allow_mail_to_files, "alias, forward",
	    "where /file destinations are allowed: alias, forward, include"),
	STR(default_privs, "nobody", "user for commands and files of "
	    "root-owned aliases"),
	TIME(command_time_limit, "1000s", 1, 86400,
	    "time limit of a |command delivery"),
	BOOL(owner_request_special, "yes", "owner-NAME alias becomes the "
	    "envelope sender of the expansion of NAME"),
	STR(virtual_mailbox_domains, "", "domains whose mailboxes are in "
	    "virtual_mailbox_maps (domain names only)"),
	STR(virtual_mailbox_maps, "", "address -> mailbox path below "
	    "virtual_mailbox_base (trailing /: Maildir)"),
	STR(virtual_uid_maps, "", "address -> uid of a virtual mailbox "
	    "(static:N for all)"),
	STR(virtual_gid_maps, "", "address -> gid of a virtual mailbox "
	    "(static:N for all)"),
	INT(virtual_minimum_uid, "100", 1, 4294967294LL,
	    "smallest uid virtual_uid_maps may give"),
	/* address rewriting (cleanup) and recipient validation (smtpd) */
	STR(canonical_maps, "", "address -> address tables for envelope "
	    "senders and recipients"),
	STR(sender_canonical_maps, "", "address -> address tables for "
	    "envelope senders (before canonical_maps)"),
	STR(recipient_canonical_maps, "", "address -> address tables for "
	    "envelope recipients (before canonical_maps)"),
	STR(virtual_alias_maps, "", "address -> addresses tables expanding "
	    "envelope recipients"),
	STR(virtual_alias_domains, "$virtual_alias_maps", "domains whose "
	    "every address must be in virtual_alias_maps"),
	STR(propagate_unmatched_extensions, "canonical, virtual",
	    "tables whose results get the unmatched address extension"),
	/* SMTP server */
	STR(smtpd_banner, "$myhostname ESMTP $mail_name",
	    "text after 220 in the greeting"),
	STR(smtpd_forbid_bare_newline, "normalize", "bare LF in SMTP input: "
	    "normalize (treat as CRLF, but never as end of data) or yes "
	    "(reject)"),
	INT(message_size_limit, "10240000", 0, LLONG_MAX,
	    "largest message accepted, bytes (0: no limit)"),
	INT(smtpd_recipient_limit, "1000", 1, 1000000,
	    "recipients per message"),
	TIME(smtpd_timeout, "300s", 1, 86400,
	    "time to wait for a client's next line"),
	INT(smtpd_hard_error_limit, "20", 1, 1000,
	    "errors after which the session is closed"),
	INT(smtpd_soft_error_limit, "10", 0, 1000,
	    "errors after which each reply is delayed"),
	TIME(smtpd_error_sleep_time, "1s", 0, 60,
	    "delay of replies past the soft error limit"),
	INT(smtpd_junk_command_limit, "100", 1, 1000000,
	    "NOOP, VRFY, RSET, HELO, EHLO, HELP commands before each counts "
	    "as an error"),
	INT(line_length_limit, "2048", 512, 1000000,
	    "longest SMTP command line, bytes"),
	INT(header_size_limit, "102400", 1024, 10000000,
	    "longest message header (with continuations), bytes"),
	BOOL(smtpd_helo_required, "no", "require HELO or EHLO before MAIL"),
	BOOL(disable_vrfy_command, "no",
	    "answer VRFY with 502 instead of 252"),
	BOOL(smtputf8_enable, "yes", "announce and accept SMTPUTF8"),
	/* processes */
	INT(default_process_limit, "100", 1, 10000,
	    "process limit of a service whose maxproc is \"-\""),
	TIME(max_idle, "100s", 1, 86400,
	    "idle time after which a daemon process exits"),
	INT(max_use, "100", 1, 1000000,
	    "connections a daemon process serves before it exits"),
	TIME(ipc_timeout, "3600s", 1, 86400,
	    "time limit of one exchange between daemons"),
	TIME(service_throttle_time, "60s", 1, 3600,
	    "longest wait before a failing service is restarted"),
	/* queue manager */
	TIME(queue_run_delay, "300s", 1, 86400,
	    "interval between scans of the deferred queue"),
	TIME(minimal_backoff_time, "300s", 1, 86400,
	    "shortest retry interval of deferred mail"),
	TIME(maximal_backoff_time, "4000s", 1, 864000,
	    "longest retry interval of deferred mail"),
	TIME(maximal_queue_lifetime, "5d", 0, 8640000,
	    "age after which undeliverable mail is bounced"),
	TIME(bounce_queue_lifetime, "5d", 0, 8640000,
	    "age after which an undeliverable bounce is dropped"),
	INT(local_destination_concurrency_limit, "2", 1, 1000,
	    "parallel deliveries to one local recipient"),
	INT(default_destination_concurrency_limit, "20", 1, 1000,
	    "parallel deliveries through one transport"),
	INT(qmgr_message_active_limit, "20000", 1, 1000000,
	    "messages in the active queue"),
	INT(qmgr_message_recipient_limit, "20000", 1, 1000000,
	    "recipients held in memory"),
};

const size_t params_count = SYS_ARRAY_LEN(params_table);
