/* local_expand.c - alias and .forward expansion of one local recipient
 *
 * Input: a recipient address in a local domain, and the values of alias
 * table entries, .forward and :include: files (local_alias.c and
 * local_forward.c read them; unit tests fake them through struct
 * local_expand_ops). Output: a deduplicated list of destinations (struct
 * local_dest): mailboxes (an address for local_recipient_resolve),
 * commands, files, remote addresses (resubmitted through cleanup), and
 * errors. Nothing is delivered here and no file is touched.
 *
 * Rules, as Postfix's local(8): an address is looked up in the aliases
 * with its extension, then without; failing that, the user's .forward
 * applies; failing that, the mailbox. An item naming the address being
 * expanded itself (a: a, b) or written "\user" is that user's mailbox,
 * without further expansion. An address already in the chain of
 * expansions above it is a loop (5.4.6), and so is a chain deeper than
 * LOCAL_EXPAND_DEPTH. "|command" and "/file" items are allowed only from
 * the classes in allow_mail_to_commands / allow_mail_to_files (5.7.1
 * otherwise), and run as the owner of where they came from (the alias
 * table's owner or default_privs, the .forward's user, the :include:
 * file's owner). ":include:/path" items are read as that owner; a
 * missing file is a temporary error. With owner_request_special an
 * "owner-NAME" alias becomes the sender of NAME's destinations. Limits:
 * LOCAL_EXPAND_DESTS destinations and LOCAL_EXPAND_SEEN items per
 * recipient, LOCAL_ADDR_MAX bytes per item; past them, an error entry.
 */
#include "local.h"
#include "addr.h"
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "proto.h"
#include "str.h"

#define LOCAL_INCLUDE		":include:"
#define LOCAL_OWNER_PREFIX	"owner-"

/* local_expand_frame - one level of expansion: where items come from */
struct local_expand_frame {
	enum local_class class;
	const struct local_owner *owner;
	const char *sender;		/* owner- alias, or NULL */
	const char *domain;		/* of the address being expanded */
};

static void local_expand_address(struct local_expansion *,
	    const struct local_expand_frame *, const char *);

/* local_is_local_domain - empty, localhost or in mydestination */
bool
local_is_local_domain(const char *domain)
{
	return domain[0] == '\0' || str_casecmp(domain, "localhost") == 0 ||
	    params_list_has(var_mydestination, domain);
}

/* local_expansion_reset - free the destinations */
void
local_expansion_reset(struct local_expansion *x)
{
	size_t  i;

	for (i = 0; i < x->n; i++) {
		free(x->dests[i].text);
		free(x->dests[i].sender);
	}
	free(x->dests);
	for (i = 0; i < x->depth; i++)
		free(x->chain[i]);
	memset(x, 0, sizeof(*x));
}

/* local_expand_add - append a destination unless it is there already */
static struct local_dest *
local_expand_add(struct local_expansion *x, enum local_dest_type type,
    const char *text, const struct local_expand_frame *f)
{
	struct local_dest *dest;
	const char *sender = f != NULL ? f->sender : NULL;
	size_t  i;

	for (i = 0; i < x->n; i++) {
		dest = &x->dests[i];
		if (dest->type == type && strcmp(dest->text, text) == 0 &&
		    (type == LOCAL_DEST_ERROR ||
		    ((dest->sender == NULL) == (sender == NULL) &&
		    (sender == NULL || strcmp(dest->sender, sender) == 0))))
			return NULL;
	}
	if (x->n >= LOCAL_EXPAND_DESTS) {
		if (type != LOCAL_DEST_ERROR)
			(void)local_expand_add(x, LOCAL_DEST_ERROR,
			    "alias expansion has too many destinations", NULL);
		if (x->n >= LOCAL_EXPAND_DESTS + 1)
			return NULL;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 8;
		x->dests = xrealloc(x->dests, x->cap * sizeof(*x->dests));
	}
	dest = &x->dests[x->n++];
	memset(dest, 0, sizeof(*dest));
	dest->type = type;
	dest->text = xstrdup(text);
	dest->sender = sender != NULL ? xstrdup(sender) : NULL;
	if (f != NULL && f->owner != NULL)
		dest->owner = *f->owner;
	dest->status = PROTO_STATUS_BOUNCE;
	(void)str_copy(dest->dsn, sizeof(dest->dsn), "5.0.0");
	return dest;
}

/* local_expand_error - an error destination */
static void
local_expand_error(struct local_expansion *x, int status, const char *dsn,
    const char *fmt, ...)
{
	struct local_dest *dest;
	struct buf *text = buf_new(LOCAL_REASON_MAX);
	va_list ap;

	va_start(ap, fmt);
	(void)buf_vprintf(text, fmt, ap);
	va_end(ap);
	dest = local_expand_add(x, LOCAL_DEST_ERROR, buf_str(text), NULL);
	if (dest != NULL) {
		dest->status = status;
		(void)str_copy(dest->dsn, sizeof(dest->dsn), dsn);
	}
	buf_free(text);
}

/* local_expand_split - the next comma-separated item */
bool
local_expand_split(const char **cursor, struct buf *item)
{
	const char *p = *cursor;
	bool    quoted = false;
	size_t  len;

	buf_reset(item);
	for (;;) {
		while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' ||
		    *p == '\r')
			p++;
		if (*p != '#')
			break;
		p += strcspn(p, "\n");	/* a comment line of a file */
	}
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	for (; *p != '\0'; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*p == ',' || *p == '\n'))
			break;
		if (*p == '\\' && quoted && p[1] != '\0')
			p++;
		if (buf_append_char(item, (unsigned char)*p) < 0) {
			/* too long: keep a marker the caller rejects */
			buf_reset(item);
			(void)buf_append_str(item, "\\");
			p += strcspn(p, ",\n");
			break;
		}
	}
	*cursor = p;
	len = buf_len(item);
	while (len > 0 && (item->data[len - 1] == ' ' ||
	    item->data[len - 1] == '\t' || item->data[len - 1] == '\r'))
		len--;
	buf_truncate(item, len);
	return true;
}

/* local_expand_allowed - whether class is in the list value */
static bool
local_expand_allowed(const char *list, enum local_class class)
{
	static const char *const names[] = {
		[LOCAL_CLASS_ALIAS] = "alias",
		[LOCAL_CLASS_FORWARD] = "forward",
		[LOCAL_CLASS_INCLUDE] = "include",
	};

	return params_list_has(list, names[class]);
}

/* local_expand_class_name - for error texts */
static const char *
local_expand_class_name(enum local_class class)
{
	switch (class) {
	case LOCAL_CLASS_ALIAS:
		return "alias";
	case LOCAL_CLASS_FORWARD:
		return ".forward file";
	default:
		return ":include: file";
	}
}

/* local_expand_items - expand every item of value */
static void
local_expand_items(struct local_expansion *x,
    const struct local_expand_frame *f, const char *value)
{
	const char *cursor = value;
	struct buf *item = buf_new(LOCAL_ADDR_MAX);

	while (local_expand_split(&cursor, item)) {
		const char *it = buf_str(item);

		if (++x->seen > LOCAL_EXPAND_SEEN) {
			local_expand_error(x, PROTO_STATUS_BOUNCE, "5.4.6",
			    "alias expansion is too large");
			break;
		}
		if (it[0] == '|') {
			if (!local_expand_allowed(var_allow_mail_to_commands,
			    f->class))
				local_expand_error(x, PROTO_STATUS_BOUNCE,
				    "5.7.1", "mail to command is restricted "
				    "(from %s)", local_expand_class_name(
				    f->class));
			else if (it[1] == '\0')
				local_expand_error(x, PROTO_STATUS_BOUNCE,
				    "5.3.5", "empty command in %s",
				    local_expand_class_name(f->class));
			else
				(void)local_expand_add(x, LOCAL_DEST_COMMAND,
				    it + 1, f);
		} else if (it[0] == '/') {
			if (!local_expand_allowed(var_allow_mail_to_files,
			    f->class))
				local_expand_error(x, PROTO_STATUS_BOUNCE,
				    "5.7.1", "mail to file is restricted "
				    "(from %s)", local_expand_class_name(
				    f->class));
			else
				(void)local_expand_add(x, LOCAL_DEST_FILE, it,
				    f);
		} else if (str_has_prefix_case(it, LOCAL_INCLUDE)) {
			struct local_expand_frame sub = *f;
			struct local_owner owner = *f->owner;
			struct buf *value2 = buf_new(0);
			struct buf *why = buf_new(LOCAL_REASON_MAX);
			const char *path = it + strlen(LOCAL_INCLUDE);
			int     ret;

			while (*path == ' ' || *path == '\t')
				path++;
			if (path[0] != '/') {
				local_expand_error(x, PROTO_STATUS_BOUNCE,
				    "5.3.5", ":include: needs an absolute "
				    "path");
			} else if (x->depth >= LOCAL_EXPAND_DEPTH) {
				local_expand_error(x, PROTO_STATUS_BOUNCE,
				    "5.4.6", "mail forwarding loop: "
				    ":include: nesting too deep");
			} else if ((ret = x->ops->include(x->ops->ctx, path,
			    value2, &owner, why)) <= 0) {
				local_expand_error(x, PROTO_STATUS_DEFER,
				    "4.3.0", "cannot read :include: file "
				    "%s: %s", path, ret == 0 ?
				    "no such file" : buf_str(why));
			} else {
				sub.class = LOCAL_CLASS_INCLUDE;
				sub.owner = &owner;
				x->chain[x->depth++] = xstrdup(it);
				local_expand_items(x, &sub, buf_str(value2));
				free(x->chain[--x->depth]);
			}
			buf_free(why);
			buf_free(value2);
		} else if (it[0] == '\\' && it[1] != '\0') {
			struct buf *addr = buf_new(LOCAL_ADDR_MAX);

			if (strchr(it + 1, '@') == NULL)
				(void)buf_printf(addr, "%s@%s", it + 1,
				    f->domain[0] ? f->domain : "localhost");
			else
				(void)buf_set(addr, it + 1);
			(void)local_expand_add(x, LOCAL_DEST_MAILBOX,
			    buf_str(addr), f);
			buf_free(addr);
		} else if (it[0] == '\\' || it[0] == '\0') {
			local_expand_error(x, PROTO_STATUS_BOUNCE, "5.3.5",
			    "malformed or over-long item in %s",
			    local_expand_class_name(f->class));
		} else {
			local_expand_address(x, f, it);
		}
	}
	buf_free(item);
}

/* local_expand_key - the chain key of a local address: its local part,
 * lower-cased, with extension */
static void
local_expand_key(struct buf *key, const char *local)
{
	(void)buf_set(key, local);
	str_lower(key->data);
}

/* local_expand_in_chain - index+1 of key in the chain, 0 if not there */
static size_t
local_expand_in_chain(const struct local_expansion *x, const char *key)
{
	size_t  i;

	for (i = 0; i < x->depth; i++)
		if (strcmp(x->chain[i], key) == 0)
			return i + 1;
	return 0;
}

/* local_expand_lookup - the alias of key, or of key without its
 * extension; 1, 0, -1 as the ops */
static int
local_expand_lookup(struct local_expansion *x, const char *key,
    struct buf *value, struct local_owner *owner, struct buf *why)
{
	struct buf *bare;
	int     ret;

	ret = x->ops->alias(x->ops->ctx, key, value, owner, why);
	if (ret != 0 || var_recipient_delimiter[0] == '\0')
		return ret;
	bare = buf_new(LOCAL_ADDR_MAX);
	(void)buf_set(bare, key);
	addr_strip_extension(bare, var_recipient_delimiter, NULL);
	if (buf_len(bare) != strlen(key))
		ret = x->ops->alias(x->ops->ctx, buf_str(bare), value, owner,
		    why);
	buf_free(bare);
	return ret;
}

/* local_expand_owner_alias - "owner-KEY@domain" when that alias exists */
static char *
local_expand_owner_alias(struct local_expansion *x, const char *key,
    const char *domain)
{
	struct buf *okey, *value, *why;
	struct local_owner owner;
	char   *sender = NULL;

	if (!var_owner_request_special ||
	    str_has_prefix_case(key, LOCAL_OWNER_PREFIX))
		return NULL;
	okey = buf_new(LOCAL_ADDR_MAX);
	value = buf_new(DICT_MAX_VALUE);
	why = buf_new(LOCAL_REASON_MAX);
	if (buf_printf(okey, LOCAL_OWNER_PREFIX "%s", key) == 0 &&
	    x->ops->alias(x->ops->ctx, buf_str(okey), value, &owner,
	    why) == 1 && buf_printf(okey, "@%s", domain[0] ? domain :
	    var_myhostname) == 0)
		sender = xstrdup(buf_str(okey));
	buf_free(why);
	buf_free(value);
	buf_free(okey);
	return sender;
}

/* local_expand_local - a local address: alias, .forward or mailbox */
static void
local_expand_local(struct local_expansion *x,
    const struct local_expand_frame *f, const char *addr, const char *local,
    const char *domain)
{
	struct local_expand_frame sub;
	struct local_owner owner;
	struct buf *key, *value, *why, *user, *ext;
	size_t  at;
	char   *sender = NULL;
	int     ret;

	key = buf_new(LOCAL_ADDR_MAX);
	value = buf_new(DICT_MAX_VALUE);
	why = buf_new(LOCAL_REASON_MAX);
	user = buf_new(LOCAL_ADDR_MAX);
	ext = buf_new(LOCAL_ADDR_MAX);
	local_expand_key(key, local);
	if ((at = local_expand_in_chain(x, buf_str(key))) != 0) {
		if (at == x->depth)	/* a: a, ... is a's mailbox */
			(void)local_expand_add(x, LOCAL_DEST_MAILBOX, addr, f);
		else
			local_expand_error(x, PROTO_STATUS_BOUNCE, "5.4.6",
			    "mail forwarding loop for %s", addr);
		goto fail;
	}
	if (x->depth >= LOCAL_EXPAND_DEPTH) {
		local_expand_error(x, PROTO_STATUS_BOUNCE, "5.4.6",
		    "mail forwarding loop: alias nesting deeper than %d for %s",
		    LOCAL_EXPAND_DEPTH, addr);
		goto fail;
	}
	memset(&owner, 0, sizeof(owner));
	sub.domain = domain;
	if ((ret = local_expand_lookup(x, buf_str(key), value, &owner,
	    why)) < 0) {
		local_expand_error(x, PROTO_STATUS_DEFER, "4.3.0",
		    "alias lookup of %s failed: %s", buf_str(key),
		    buf_str(why));
		goto fail;
	}
	if (ret > 0) {
		sender = local_expand_owner_alias(x, buf_str(key), domain);
		sub.class = LOCAL_CLASS_ALIAS;
	} else {
		(void)buf_set(user, buf_str(key));
		if (var_recipient_delimiter[0] != '\0')
			addr_strip_extension(user, var_recipient_delimiter,
			    ext);
		ret = x->ops->forward(x->ops->ctx, buf_str(user),
		    buf_str(ext), value, &owner, why);
		if (ret < 0) {
			local_expand_error(x, PROTO_STATUS_DEFER, "4.3.0",
			    "cannot read .forward of %s: %s", buf_str(user),
			    buf_str(why));
			goto fail;
		}
		if (ret == 0) {
			(void)local_expand_add(x, LOCAL_DEST_MAILBOX, addr, f);
			goto fail;
		}
		sub.class = LOCAL_CLASS_FORWARD;
	}
	x->expanded = true;
	sub.owner = &owner;
	sub.sender = sender != NULL ? sender : f != NULL ? f->sender : NULL;
	x->chain[x->depth++] = xstrdup(buf_str(key));
	local_expand_items(x, &sub, buf_str(value));
	free(x->chain[--x->depth]);

fail:
	free(sender);
	buf_free(ext);
	buf_free(user);
	buf_free(why);
	buf_free(value);
	buf_free(key);
}

/* local_expand_address - one address item (or the recipient itself) */
static void
local_expand_address(struct local_expansion *x,
    const struct local_expand_frame *f, const char *addr)
{
	struct buf *local, *domain, *full;

	local = buf_new(LOCAL_ADDR_MAX);
	domain = buf_new(LOCAL_ADDR_MAX);
	full = buf_new(LOCAL_ADDR_MAX);
	addr_split(addr, local, domain);
	if (buf_len(local) == 0) {
		local_expand_error(x, PROTO_STATUS_BOUNCE, "5.1.3",
		    "bad address syntax in alias: \"%s\"", addr);
	} else if (!local_is_local_domain(buf_str(domain))) {
		(void)local_expand_add(x, LOCAL_DEST_REMOTE, addr, f);
	} else {
		/* an unqualified name belongs to the domain being expanded */
		if (buf_len(domain) == 0 && f != NULL && f->domain[0] != '\0')
			(void)buf_printf(full, "%s@%s", buf_str(local),
			    f->domain);
		else
			(void)buf_set(full, addr);
		local_expand_local(x, f, buf_str(full), buf_str(local),
		    buf_str(domain)[0] ? buf_str(domain) :
		    f != NULL ? f->domain : "");
	}
	buf_free(full);
	buf_free(domain);
	buf_free(local);
}

/* local_expand - expand rcpt */
void
local_expand(struct local_expansion *x, const char *rcpt,
    const struct local_expand_ops *ops)
{
	local_expansion_reset(x);
	x->ops = ops;
	local_expand_address(x, NULL, rcpt);
}
