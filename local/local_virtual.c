/* local_virtual.c - virtual mailboxes: the usual Dovecot set-up
 *
 * Recipients in virtual_mailbox_domains have no passwd entry: their
 * mailbox is virtual_mailbox_maps' value for the address (or for
 * "@domain"), a path relative to virtual_mailbox_base ("dom/user/" ends
 * in "/": a Maildir, else an mbox file), written with the uid and gid
 * that virtual_uid_maps / virtual_gid_maps give ("static:N" for every
 * address, or a table looked up like the mailbox map). Postfix does this
 * in its separate virtual(8) agent; postern does it in local, in the same
 * per-delivery child, switched to that uid and gid. The maps are opened
 * before the sandbox; a rebuilt map makes the process exit after the
 * request, like the alias tables. Checks: the path is relative without
 * "..", the uid at least virtual_minimum_uid, base absolute; an address
 * without a mailbox is an unknown user (5.1.1), a bad setting a
 * deferral (4.3.5).
 */
#include "local.h"
#include "addr.h"
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#define LOCAL_STATIC	"static:"

static struct {
	struct dict_list *mailbox, *uid, *gid;
} local_virtual;

/* local_virtual_open - a map unless it is static: or empty */
static struct dict_list *
local_virtual_open(const char *name, const char *value)
{
	struct dict_list *l;
	struct buf *why;

	if (value[0] == '\0' || str_has_prefix_case(value, LOCAL_STATIC))
		return NULL;
	why = buf_new(LOCAL_REASON_MAX);
	if ((l = dict_list_open(value, why)) == NULL)
		log_fatal("%s: %s", name, buf_str(why));
	buf_free(why);
	return l;
}

/* local_virtual_init - open the maps */
void
local_virtual_init(void)
{
	if (var_virtual_mailbox_domains[0] == '\0')
		return;
	local_virtual.mailbox = local_virtual_open("virtual_mailbox_maps",
	    var_virtual_mailbox_maps);
	local_virtual.uid = local_virtual_open("virtual_uid_maps",
	    var_virtual_uid_maps);
	local_virtual.gid = local_virtual_open("virtual_gid_maps",
	    var_virtual_gid_maps);
}

/* local_virtual_reopen - open the maps again; 0, or -1 (why) */
int
local_virtual_reopen(struct buf *why)
{
	struct dict_list **maps[] = {&local_virtual.mailbox,
	    &local_virtual.uid, &local_virtual.gid};
	const char *values[] = {var_virtual_mailbox_maps,
	    var_virtual_uid_maps, var_virtual_gid_maps};
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(maps); i++) {
		if (*maps[i] == NULL)
			continue;
		*maps[i] = dict_list_close(*maps[i]);
		if ((*maps[i] = dict_list_open(values[i], why)) == NULL)
			return -1;
	}
	return 0;
}

/* local_virtual_changed - a map was rebuilt */
bool
local_virtual_changed(void)
{
	return (local_virtual.mailbox != NULL &&
	    dict_list_changed(local_virtual.mailbox)) ||
	    (local_virtual.uid != NULL &&
	    dict_list_changed(local_virtual.uid)) ||
	    (local_virtual.gid != NULL &&
	    dict_list_changed(local_virtual.gid));
}

/* local_virtual_domain - whether domain is a virtual mailbox domain */
bool
local_virtual_domain(const char *domain)
{
	return domain[0] != '\0' &&
	    params_list_has(var_virtual_mailbox_domains, domain);
}

/* local_virtual_lookup - addr, then @domain; 1, 0, -1 */
static int
local_virtual_lookup(struct dict_list *l, const char *addr,
    const char *domain, struct buf *value, struct buf *why)
{
	struct buf *key;
	int     ret;

	if (l == NULL)
		return 0;
	if ((ret = dict_list_lookup(l, addr, value, why)) != 0)
		return ret;
	key = buf_new(LOCAL_ADDR_MAX);
	(void)buf_printf(key, "@%s", domain);
	ret = dict_list_lookup(l, buf_str(key), value, why);
	buf_free(key);
	return ret;
}

/* local_virtual_id - a uid or gid from "static:N" or a map */
static int
local_virtual_id(const char *setting, struct dict_list *l, const char *addr,
    const char *domain, unsigned long long *out, struct buf *why)
{
	struct buf *value = buf_new(DICT_MAX_VALUE);
	const char *text = NULL;
	int     ret = -1;

	if (str_has_prefix_case(setting, LOCAL_STATIC)) {
		text = setting + strlen(LOCAL_STATIC);
	} else if ((ret = local_virtual_lookup(l, addr, domain, value,
	    why)) > 0) {
		text = buf_str(value);
	} else {
		if (ret == 0)
			(void)buf_set(why, "no uid or gid for the address");
		ret = -1;
	}
	if (text != NULL) {
		ret = parse_uint(text, 0, UINT32_MAX - 1, out);
		if (ret < 0)
			(void)buf_printf(why, "bad uid or gid \"%.40s\"", text);
	}
	buf_free(value);
	return ret;
}

/* local_virtual_resolve - the virtual mailbox of rcpt */
int
local_virtual_resolve(const char *rcpt, struct local_rcpt *out,
    struct local_result *res)
{
	struct buf *value = buf_new(DICT_MAX_VALUE);
	struct buf *why = buf_new(LOCAL_REASON_MAX);
	struct buf *addr = buf_new(LOCAL_ADDR_MAX);
	unsigned long long uid, gid;
	size_t  len;
	int     ret;

	out->user[0] = '\0';
	out->become = false;
	out->spool = false;
	out->file = false;
	(void)buf_set(out->delivered_to, rcpt);
	str_lower(out->delivered_to->data);
	addr_split(rcpt, out->local_part, out->domain);
	(void)buf_set(addr, buf_str(out->delivered_to));
	if (var_recipient_delimiter[0] != '\0') {
		addr_strip_extension(out->local_part, var_recipient_delimiter,
		    NULL);
		buf_reset(addr);
		(void)buf_printf(addr, "%s@%s", buf_str(out->local_part),
		    buf_str(out->domain));
		str_lower(addr->data);
	}
	ret = local_virtual_lookup(local_virtual.mailbox, buf_str(addr),
	    buf_str(out->domain), value, why);
	if (ret < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "virtual mailbox lookup failed: %s", buf_str(why));
		goto fail;
	}
	if (ret == 0) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.1",
		    "unknown user: \"%s\"", buf_str(addr));
		ret = -1;
		goto fail;
	}
	ret = -1;
	if (var_virtual_mailbox_base[0] != '/' || buf_len(value) == 0 ||
	    !local_recipient_check_home_mailbox(buf_str(value))) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "bad virtual mailbox path or virtual_mailbox_base for %s",
		    buf_str(addr));
		goto fail;
	}
	if (local_virtual_id(var_virtual_uid_maps, local_virtual.uid,
	    buf_str(addr), buf_str(out->domain), &uid, why) < 0 ||
	    local_virtual_id(var_virtual_gid_maps, local_virtual.gid,
	    buf_str(addr), buf_str(out->domain), &gid, why) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "virtual mailbox owner of %s: %s", buf_str(addr),
		    buf_str(why));
		goto fail;
	}
	if (uid < (unsigned long long)var_virtual_minimum_uid) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "virtual uid %llu of %s is below virtual_minimum_uid", uid,
		    buf_str(addr));
		goto fail;
	}
	if (buf_set(out->base, var_virtual_mailbox_base) < 0 ||
	    buf_set(out->rel, buf_str(value)) < 0 ||
	    str_copy(out->user, sizeof(out->user), "virtual") < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "virtual mailbox path is too long");
		goto fail;
	}
	len = buf_len(out->rel);
	out->kind = out->rel->data[len - 1] == '/' ? LOCAL_MAILDIR : LOCAL_MBOX;
	while (len > 1 && out->rel->data[len - 1] == '/')
		len--;
	buf_truncate(out->rel, len);
	(void)snprintf(out->user, sizeof(out->user), "uid %llu", uid);
	out->uid = (uid_t)uid;
	out->gid = (gid_t)gid;
	out->become = getuid() == 0;
	if (!out->become && out->uid != getuid()) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "postern runs without root and cannot write as uid %llu",
		    uid);
		goto fail;
	}
	ret = 0;

fail:
	buf_free(addr);
	buf_free(why);
	buf_free(value);
	return ret;
}
