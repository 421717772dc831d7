/* local_recipient.c - resolve a recipient address to a user and a mailbox
 *
 * Input: the recipient address of a deliver/1 request (from a queue file;
 * treated as untrusted). The domain must be empty, "localhost" or listed in
 * mydestination (5.1.2 otherwise). The local part loses its
 * recipient_delimiter extension and is lower-cased; it must be at most
 * LOCAL_USER_MAX printable ASCII bytes without "/" and not start with "."
 * (it may become a path component below virtual_mailbox_base), else it is
 * an unknown user (5.1.1). As root the user comes from getpwnam() and the
 * mailbox from home_mailbox: empty means an mbox named after the passwd
 * entry in mail_spool_directory, a value ending in "/" a Maildir below the
 * home directory, anything else an mbox file below it. The home directory
 * comes only from passwd. home_mailbox must be relative without ".."
 * (4.3.5 otherwise). Without root only our own passwd entry, or a Maildir
 * under virtual_mailbox_base, can receive mail. Nothing here touches a
 * mailbox: that happens in the delivery child.
 */
#include "local.h"
#include "addr.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#include <pwd.h>

/* local_rcpt_new - a recipient with its reusable buffers */
struct local_rcpt *
local_rcpt_new(void)
{
	struct local_rcpt *r;

	r = xcalloc(1, sizeof(*r));
	r->delivered_to = buf_new(LOCAL_ADDR_MAX);
	r->base = buf_new(PATH_MAX);
	r->rel = buf_new(PATH_MAX);
	r->local_part = buf_new(LOCAL_ADDR_MAX);
	r->domain = buf_new(LOCAL_ADDR_MAX);
	r->command = buf_new(LOCAL_ADDR_MAX);
	r->home = buf_new(LOCAL_PATH_MAX);
	r->shell = buf_new(LOCAL_PATH_MAX);
	r->env_rcpt = buf_new(LOCAL_ADDR_MAX);
	r->extension = buf_new(LOCAL_ADDR_MAX);
	return r;
}

/* local_rcpt_free - release a recipient; NULL ok */
struct local_rcpt *
local_rcpt_free(struct local_rcpt *r)
{
	if (r != NULL) {
		buf_free(r->delivered_to);
		buf_free(r->base);
		buf_free(r->rel);
		buf_free(r->local_part);
		buf_free(r->domain);
		buf_free(r->command);
		buf_free(r->home);
		buf_free(r->shell);
		buf_free(r->env_rcpt);
		buf_free(r->extension);
		free(r);
	}
	return NULL;
}

/* local_recipient_safe_name - a name that may be a path component */
static bool
local_recipient_safe_name(const char *name)
{
	size_t  len = strlen(name);
	const unsigned char *p;

	if (len == 0 || len > LOCAL_USER_MAX || name[0] == '.')
		return false;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return false;
	return true;
}

/* local_recipient_check_home_mailbox - relative, no "..", printable */
bool
local_recipient_check_home_mailbox(const char *value)
{
	const char *p, *comp;
	size_t  len;

	if (value[0] == '/')
		return false;
	for (p = value; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p == 0x7f)
			return false;
	for (comp = value; *comp != '\0'; comp += len) {
		while (*comp == '/')
			comp++;
		len = strcspn(comp, "/");
		if (len == 2 && comp[0] == '.' && comp[1] == '.')
			return false;
	}
	return true;
}

/* local_recipient_mailbox - the mailbox of a passwd entry, from
 * home_mailbox; 0 or -1 with res */
static int
local_recipient_mailbox(struct local_rcpt *out, const char *home,
    struct local_result *res)
{
	const char *hm = var_home_mailbox;
	size_t  len;

	buf_reset(out->base);
	buf_reset(out->rel);
	if (!local_recipient_check_home_mailbox(hm)) {
		log_warn("home_mailbox = %s: must be a relative path without "
		    "\"..\"; deferring deliveries", hm);
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
		    "bad home_mailbox setting");
		return -1;
	}
	if (hm[0] == '\0') {
		if (var_mail_spool_directory[0] == '\0') {
			local_result_set(res, PROTO_STATUS_DEFER, "4.3.5",
			    "mail_spool_directory is empty");
			return -1;
		}
		out->kind = LOCAL_MBOX;
		out->spool = true;
		if (buf_set(out->base, var_mail_spool_directory) < 0 ||
		    buf_set(out->rel, out->user) < 0)
			goto fail;
		return 0;
	}
	if (home[0] != '/') {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "home directory of user \"%s\" is not an absolute path",
		    out->user);
		return -1;
	}
	if (buf_set(out->base, home) < 0 || buf_set(out->rel, hm) < 0)
		goto fail;
	len = buf_len(out->rel);
	if (out->rel->data[len - 1] == '/') {
		while (len > 0 && out->rel->data[len - 1] == '/')
			len--;
		buf_truncate(out->rel, len);
		out->kind = LOCAL_MAILDIR;
	} else {
		out->kind = LOCAL_MBOX;
	}
	out->spool = false;
	return 0;

fail:
	local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
	    "mailbox path of user \"%s\" is too long", out->user);
	return -1;
}

/* local_recipient_virtual - a Maildir under virtual_mailbox_base */
static int
local_recipient_virtual(struct local_rcpt *out, uid_t self,
    struct local_result *res)
{
	out->kind = LOCAL_MAILDIR;
	out->spool = false;
	out->become = false;
	out->uid = self;
	out->gid = getgid();
	if (buf_set(out->base, var_virtual_mailbox_base) < 0 ||
	    buf_set(out->rel, out->user) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "virtual mailbox path is too long");
		return -1;
	}
	return 0;
}

/* local_recipient_lookup - getpwnam with errors told apart from unknown
 * users; 1 found, 0 unknown, -1 lookup failure (res set) */
static int
local_recipient_lookup(const char *user, struct passwd **pw,
    struct local_result *res)
{
	*pw = local_getpwnam(user);
	if (*pw != NULL)
		return 1;
	if (errno == 0 || errno == ENOENT || errno == ESRCH ||
	    errno == EBADF || errno == EPERM)
		return 0;
	local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
	    "cannot look up user \"%s\": %s", user, strerror(errno));
	return -1;
}

/* local_recipient_user - from a checked name to a passwd entry and its
 * mailbox, or a virtual mailbox without root */
static int
local_recipient_user(struct local_rcpt *out, uid_t self,
    struct local_result *res)
{
	struct passwd *pw;
	int     found;

	if ((found = local_recipient_lookup(out->user, &pw, res)) < 0)
		return -1;
	if (self != 0 && (found == 0 || pw->pw_uid != self)) {
		if (var_virtual_mailbox_base[0] != '\0')
			return local_recipient_virtual(out, self, res);
		if (found != 0) {
			local_result_set(res, PROTO_STATUS_BOUNCE, "5.7.1",
			    "postern runs without root and cannot deliver to "
			    "user %s", out->user);
			return -1;
		}
	}
	if (found == 0) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.1",
		    "unknown user: \"%s\"", out->user);
		return -1;
	}
	/* from here on the passwd entry names the mailbox, not the address */
	if (!local_recipient_safe_name(pw->pw_name) ||
	    str_copy(out->user, sizeof(out->user), pw->pw_name) < 0) {
		local_result_set(res, PROTO_STATUS_DEFER, "4.3.0",
		    "unsafe passwd user name for \"%s\"", out->user);
		return -1;
	}
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	out->become = self == 0;
	return local_recipient_mailbox(out, pw->pw_dir, res);
}

/* local_recipient_resolve - map an address to a user and a mailbox */
int
local_recipient_resolve(const char *rcpt, uid_t self, struct local_rcpt *out,
    struct local_result *res)
{
	struct buf *local = out->local_part;

	out->user[0] = '\0';
	out->become = false;
	out->file = false;
	buf_reset(out->base);
	buf_reset(out->rel);
	addr_split(rcpt, local, out->domain);
	if (!local_is_local_domain(buf_str(out->domain))) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.2",
		    "not a local domain");
		return -1;
	}
	if (buf_set(out->delivered_to, rcpt) < 0) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.3",
		    "recipient address too long");
		return -1;
	}
	str_lower(out->delivered_to->data);
	if (var_recipient_delimiter[0] != '\0')
		addr_strip_extension(local, var_recipient_delimiter, NULL);
	str_lower(local->data);
	if (!local_recipient_safe_name(buf_str(local))) {
		local_result_set(res, PROTO_STATUS_BOUNCE, "5.1.1",
		    "unknown user: \"%.*s\"", LOCAL_USER_MAX, buf_str(local));
		return -1;
	}
	if (str_copy(out->user, sizeof(out->user), buf_str(local)) < 0)
		log_panic("local_recipient_resolve: checked name too long");
	return local_recipient_user(out, self, res);
}
