/* smtpd_check.c - HELO, sender, recipient and relay policy of smtpd
 *
 * smtpd_init_privileged runs before the privilege drop and chroot: it
 * parses mynetworks (a bad entry is fatal), opens the lookup tables of
 * smtpd_maps.c (and what users_exists needs), checks the value of
 * smtpd_forbid_bare_newline, and remembers whether postern runs without
 * root (then, with virtual_mailbox_base set, every local part is a
 * mailbox).
 *
 * Policy, in the order Postfix applies its defaults:
 *   MAIL  SIZE= above message_size_limit: 552 5.3.4
 *   RCPT  the address class of the domain: local (empty, "localhost", or
 *         in mydestination), virtual alias (virtual_alias_domains),
 *         virtual mailbox (virtual_mailbox_domains), relay
 *         (relay_domains: a name also covers its subdomains, ".name"
 *         only the subdomains), or else the client must be in mynetworks
 *         (554 5.7.1 Relay access denied). Then, as Postfix's
 *         smtpd_reject_unlisted_recipient: an address that cleanup will
 *         rewrite (found in recipient_canonical_maps, canonical_maps or
 *         virtual_alias_maps) is accepted; a local recipient must be in
 *         local_recipient_maps when that is not empty (the local part,
 *         extension cut after a recipient_delimiter, quotes removed,
 *         lower case, as a passwd user, or the address searched in its
 *         tables as util/addr_find.h says; "postmaster" always is); a
 *         recipient in a virtual alias domain must be in
 *         virtual_alias_maps, one in a virtual mailbox domain in
 *         virtual_mailbox_maps (when set): else 550 5.1.1 User unknown
 *         in the table's name. A failed lookup is 451 4.3.0.
 * Rejections are logged the Postfix way: "NOQUEUE: reject: RCPT from
 * unknown[addr]: <reply>; from=<s> to=<r> proto=ESMTP helo=<h>".
 */
#include "smtpd.h"
#include "addr.h"
#include "addr_find.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "netmatch.h"
#include "params.h"
#include "server.h"
#include "str.h"

/* per-process state set before the privilege drop */
static struct netmatch *smtpd_check_mynetworks;
static bool smtpd_check_bare_lf_reject;
static bool smtpd_check_no_root;

/* smtpd_check_stale - before accepting: a changed table ends the
 * process, so that a fresh one opens it */
static bool
smtpd_check_stale(void)
{
	if (!smtpd_maps_changed())
		return false;
	log_info("a lookup table changed: exiting before the next session");
	return true;
}

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
	smtpd_maps_init();
	server_pre_accept(smtpd_check_stale);
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

/* smtpd_check_unknown - a 550 5.1.1 reply naming the table */
static int
smtpd_check_unknown(const char *addr, const char *table, struct buf *reply)
{
	buf_reset(reply);
	(void)buf_printf(reply, "550 5.1.1 <%s>: Recipient address rejected: "
	    "User unknown in %s", addr, table);
	return -1;
}

/* smtpd_check_tempfail - a 451 4.3.0 reply for a failed lookup */
static int
smtpd_check_tempfail(const char *addr, const struct buf *why,
    struct buf *reply)
{
	struct buf *a;

	if (buf_len(why) > 0) {
		a = buf_new(0);
		log_warn("recipient <%s>: table lookup: %s", log_printable(a,
		    addr, strlen(addr), ADDR_MAX_PATH), buf_str(why));
		buf_free(a);
	}
	buf_reset(reply);
	(void)buf_printf(reply, "451 4.3.0 <%s>: Temporary lookup failure",
	    addr);
	return -1;
}

/* smtpd_check_local - the local recipient test; 0 or -1 with reply */
static int
smtpd_check_local(const char *addr, struct buf *local, struct buf *why,
    struct buf *reply)
{
	int     r;

	smtpd_check_unquote(local);
	if (*var_recipient_delimiter != '\0')
		addr_strip_extension(local, var_recipient_delimiter, NULL);
	str_lower(local->data);
	if (str_casecmp(buf_str(local), "postmaster") == 0)
		return 0;
	if (!smtpd_maps_local_configured())
		return 0;
	if (smtpd_check_no_root && *var_virtual_mailbox_base != '\0')
		return 0;
	r = smtpd_maps_local(buf_str(local), addr, why);
	if (r > 0)
		return 0;
	if (r == 0)
		return smtpd_check_unknown(addr, "local recipient table",
		    reply);
	return smtpd_check_tempfail(addr, why, reply);
}

/* the address classes of smtpd_check_rcpt */
enum smtpd_check_class {
	SMTPD_CLASS_LOCAL, SMTPD_CLASS_VALIAS, SMTPD_CLASS_VMAILBOX,
	SMTPD_CLASS_RELAY
};

/* smtpd_check_class - the class of domain; -1 with the reply when it is
 * none (relay denied) or a lookup failed */
static int
smtpd_check_class(struct smtpd_session *s, const char *addr, const char *d,
    struct buf *why, struct buf *reply)
{
	int     r;

	if (*d == '\0' || str_casecmp(d, "localhost") == 0
	    || params_list_has(var_mydestination, d))
		return SMTPD_CLASS_LOCAL;
	if ((r = smtpd_maps_domain(SMTPD_DOMAINS_VALIAS, d, why)) != 0)
		return r < 0 ? smtpd_check_tempfail(addr, why, reply)
		    : SMTPD_CLASS_VALIAS;
	if ((r = smtpd_maps_domain(SMTPD_DOMAINS_VMAILBOX, d, why)) != 0)
		return r < 0 ? smtpd_check_tempfail(addr, why, reply)
		    : SMTPD_CLASS_VMAILBOX;
	if ((r = smtpd_maps_domain(SMTPD_DOMAINS_RELAY, d, why)) != 0)
		return r < 0 ? smtpd_check_tempfail(addr, why, reply)
		    : SMTPD_CLASS_RELAY;
	if (s->sa.ss_family != AF_UNSPEC
	    && netmatch_match(smtpd_check_mynetworks,
	    (const struct sockaddr *)&s->sa))
		return SMTPD_CLASS_RELAY;
	buf_reset(reply);
	(void)buf_printf(reply, "554 5.7.1 <%s>: Relay access denied", addr);
	return -1;
}

/* smtpd_check_rcpt - policy of RCPT TO; 0 or -1 with the reply */
int
smtpd_check_rcpt(struct smtpd_session *s, const char *addr,
    struct buf *reply)
{
	struct buf *local = buf_new(0), *domain = buf_new(0);
	struct buf *why = buf_new(0);
	int     class, r, ret = 0;

	addr_split(addr, local, domain);
	class = smtpd_check_class(s, addr, buf_str(domain), why, reply);
	if (class < 0) {
		ret = -1;
		goto fail;
	}
	/* cleanup rewrites it: listed (Postfix's check_rcpt_maps) */
	r = smtpd_maps_rewritten(addr, class == SMTPD_CLASS_LOCAL
	    || addr_find_domain_local(buf_str(domain)), why);
	if (r != 0) {
		ret = r < 0 ? smtpd_check_tempfail(addr, why, reply) : 0;
		goto fail;
	}
	switch (class) {
	case SMTPD_CLASS_LOCAL:
		ret = smtpd_check_local(addr, local, why, reply);
		break;
	case SMTPD_CLASS_VALIAS:
		ret = smtpd_check_unknown(addr, "virtual alias table", reply);
		break;
	case SMTPD_CLASS_VMAILBOX:
		r = smtpd_maps_virtual_mailbox(addr, why);
		if (r == 0)
			ret = smtpd_check_unknown(addr,
			    "virtual mailbox table", reply);
		else if (r < 0)
			ret = smtpd_check_tempfail(addr, why, reply);
		break;
	default:
		break;
	}

fail:
	buf_free(local);
	buf_free(domain);
	buf_free(why);
	return ret;
}
