/* smtpd_check.c - HELO, sender, recipient and relay policy of smtpd
 *
 * smtpd_init_privileged runs before the privilege drop and chroot: it
 * parses mynetworks (a bad entry is fatal), opens what users_exists needs
 * (users_init keeps a descriptor of /etc), checks the value of
 * smtpd_forbid_bare_newline, and remembers whether postern runs without
 * root (then, with virtual_mailbox_base set, every local part is a
 * mailbox).
 *
 * Policy, in the order Postfix applies its defaults:
 *   MAIL  SIZE= above message_size_limit: 552 5.3.4
 *   RCPT  a domain that is empty, in mydestination, or "localhost" is
 *         local: the local part (address extension after a
 *         recipient_delimiter cut, quotes removed, lower case) must be a
 *         user when local_recipient_maps is not empty ("postmaster" always
 *         is); otherwise the domain must be in relay_domains (a name there
 *         also covers its subdomains, ".name" only the subdomains), or the
 *         client must be in mynetworks; else 554 5.7.1 Relay access denied.
 * Rejections are logged the Postfix way: "NOQUEUE: reject: RCPT from
 * unknown[addr]: <reply>; from=<s> to=<r> proto=ESMTP helo=<h>". Lookup
 * tables (type:name) in relay_domains are not supported: postern has no
 * map-based relay list yet, such entries are skipped with a warning.
 */
#include "smtpd.h"
#include "addr.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "netmatch.h"
#include "params.h"
#include "str.h"
#include "users.h"

/* per-process state set before the privilege drop */
static struct netmatch *smtpd_check_mynetworks;
static bool smtpd_check_bare_lf_reject;
static bool smtpd_check_no_root;
static bool smtpd_check_warned;		/* about relay_domains tables */

/* smtpd_init_privileged - everything the policy needs before chroot */
void
smtpd_init_privileged(void)
{
	struct buf *why = buf_new(0);
	const char *v = var_smtpd_forbid_bare_newline;

	smtpd_check_mynetworks = netmatch_parse(var_mynetworks, why);
	if (smtpd_check_mynetworks == NULL)
		log_fatal("mynetworks: %s", buf_str(why));
	buf_free(why);
	if (str_casecmp(v, "normalize") == 0 || str_casecmp(v, "no") == 0)
		smtpd_check_bare_lf_reject = false;
	else if (str_casecmp(v, "yes") == 0 || str_casecmp(v, "reject") == 0)
		smtpd_check_bare_lf_reject = true;
	else
		log_fatal("smtpd_forbid_bare_newline: expected normalize, yes "
		    "or no, not \"%s\"", v);
	if (*var_local_recipient_maps != '\0')
		users_init(NULL);
	smtpd_check_no_root = getuid() != 0;
}

/* smtpd_check_forbid_bare_lf - whether a bare LF gets input rejected */
bool
smtpd_check_forbid_bare_lf(void)
{
	return smtpd_check_bare_lf_reject;
}

/* smtpd_check_log_reject - the NOQUEUE (or queue ID) reject line; peer
 * text is made printable */
void
smtpd_check_log_reject(struct smtpd_session *s, const char *cmd,
    const char *reply, const char *rcpt)
{
	struct buf *r = buf_new(0), *from = buf_new(0), *to = buf_new(0);
	struct buf *tail = buf_new(0);

	(void)log_printable(r, reply, strlen(reply), SMTPD_LOG_REPLY_MAX);
	(void)log_printable(from, buf_str(s->mail.addr), buf_len(s->mail.addr),
	    ADDR_MAX_PATH);
	if (rcpt != NULL)
		(void)buf_printf(tail, " to=<%s>", log_printable(to, rcpt,
		    strlen(rcpt), ADDR_MAX_PATH));
	(void)buf_printf(tail, " proto=%s", smtpd_protocol(s));
	if (s->helo != NULL)
		(void)buf_printf(tail, " helo=<%s>", s->helo);
	log_info("%s: reject: %s from %s: %s; from=<%s>%s",
	    s->queue_id[0] ? s->queue_id : "NOQUEUE", cmd, s->namaddr,
	    buf_str(r), buf_str(from), buf_str(tail));
	buf_free(r);
	buf_free(from);
	buf_free(to);
	buf_free(tail);
}

/* smtpd_check_mail - policy of MAIL FROM; 0 or -1 with the reply */
int
smtpd_check_mail(struct smtpd_session *s, struct buf *reply)
{
	if (var_message_size_limit > 0
	    && s->mail.size > var_message_size_limit) {
		(void)buf_set(reply,
		    "552 5.3.4 Message size exceeds fixed limit");
		smtpd_check_log_reject(s, "MAIL", buf_str(reply), NULL);
		return -1;
	}
	return 0;
}

/* smtpd_check_unquote - remove the quotes of a quoted local part */
static void
smtpd_check_unquote(struct buf *local)
{
	struct buf *out;
	const char *p = buf_str(local);
	size_t  len = buf_len(local), i;

	if (len < 2 || p[0] != '"' || p[len - 1] != '"')
		return;
	out = buf_new(0);
	for (i = 1; i < len - 1; i++) {
		if (p[i] == '\\' && i + 1 < len - 1)
			i++;
		(void)buf_append_char(out, p[i]);	/* no limit */
	}
	(void)buf_set(local, buf_str(out));
	buf_free(out);
}

/* smtpd_check_domain_in - whether domain is in a relay_domains-style
 * list: a name matches itself and its subdomains, ".name" only its
 * subdomains */
static bool
smtpd_check_domain_in(const char *list, const char *domain)
{
	char   *copy, *cursor, *item;
	size_t  dlen = strlen(domain), ilen;
	bool    found = false;

	copy = cursor = xstrdup(list);
	while (!found && (item = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (strchr(item, ':') != NULL) {
			if (!smtpd_check_warned)
				log_warn("relay_domains: lookup table \"%s\" "
				    "is not supported; ignored", item);
			smtpd_check_warned = true;
			continue;
		}
		ilen = strlen(item);
		if (item[0] != '.' && str_casecmp(item, domain) == 0)
			found = true;
		else if (item[0] == '.' && dlen > ilen
		    && str_casecmp(domain + dlen - ilen, item) == 0)
			found = true;
		else if (item[0] != '.' && dlen > ilen + 1
		    && domain[dlen - ilen - 1] == '.'
		    && str_casecmp(domain + dlen - ilen, item) == 0)
			found = true;
	}
	free(copy);
	return found;
}

/* smtpd_check_local - the local recipient test; 0 or -1 with reply */
static int
smtpd_check_local(const char *addr, struct buf *local, struct buf *reply)
{
	int     r;

	smtpd_check_unquote(local);
	if (*var_recipient_delimiter != '\0')
		addr_strip_extension(local, var_recipient_delimiter, NULL);
	str_lower(local->data);
	if (str_casecmp(buf_str(local), "postmaster") == 0)
		return 0;
	if (*var_local_recipient_maps == '\0')
		return 0;
	if (smtpd_check_no_root && *var_virtual_mailbox_base != '\0')
		return 0;
	r = buf_len(local) > 0 ? users_exists(buf_str(local)) : 0;
	if (r > 0)
		return 0;
	buf_reset(reply);
	if (r == 0)
		(void)buf_printf(reply, "550 5.1.1 <%s>: Recipient address "
		    "rejected: User unknown in local recipient table", addr);
	else
		(void)buf_printf(reply, "451 4.3.0 <%s>: Temporary lookup "
		    "failure", addr);
	return -1;
}

/* smtpd_check_rcpt - policy of RCPT TO; 0 or -1 with the reply */
int
smtpd_check_rcpt(struct smtpd_session *s, const char *addr,
    struct buf *reply)
{
	struct buf *local = buf_new(0), *domain = buf_new(0);
	const char *d;
	int     ret = 0;

	addr_split(addr, local, domain);
	d = buf_str(domain);
	if (*d == '\0' || str_casecmp(d, "localhost") == 0
	    || params_list_has(var_mydestination, d)) {
		ret = smtpd_check_local(addr, local, reply);
	} else if (!smtpd_check_domain_in(var_relay_domains, d)
	    && !(s->sa.ss_family != AF_UNSPEC
	    && netmatch_match(smtpd_check_mynetworks,
	    (const struct sockaddr *)&s->sa))) {
		buf_reset(reply);
		(void)buf_printf(reply, "554 5.7.1 <%s>: Relay access denied",
		    addr);
		ret = -1;
	}
	buf_free(local);
	buf_free(domain);
	return ret;
}
