/* smtpd_maps.c - the lookup tables behind smtpd's recipient checks
 *
 * Owns smtpd's tables, all opened once by smtpd_maps_init before the
 * chroot (an error is fatal, as in Postfix): local_recipient_maps
 * (where "proxy:unix:passwd.byname" and "unix:passwd.byname" mean the
 * passwd file through util/users.h, and "proxy:" before another table is
 * dropped: postern has no proxymap), virtual_alias_maps,
 * canonical_maps, recipient_canonical_maps, virtual_mailbox_maps, and the
 * type:table entries of the domain lists relay_domains,
 * virtual_alias_domains and virtual_mailbox_domains. smtpd_maps_changed
 * tells when one of them changed on disk, so that the process exits after
 * its session and master starts one that opens the new tables.
 *
 * A domain list matches a domain when a name in it equals the domain or,
 * for ".name", ends in it; relay_domains also matches subdomains of a
 * name (Postfix's parent_domain_matches_subdomains). A table entry
 * matches when the domain is a key, or (relay_domains) one of its parent
 * domains, or (the others) ".parent". Lookups return 1, 0 or -1 (a table
 * failed: the caller answers 451 4.3.0).
 */
#include "smtpd.h"
#include "addr_find.h"
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"
#include "users.h"

/* a domain list: names and the tables among its entries */
struct smtpd_domlist {
	const char *param;
	char   *names;		/* the entries without ':' */
	struct dict_list *tables;	/* NULL: none */
	bool	parent_match;	/* "name" also matches its subdomains */
};

static struct {
	bool	passwd;			/* local_recipient_maps has passwd */
	bool	local_maps;		/* local_recipient_maps is not empty */
	struct dict_list *local;	/* its other tables */
	struct dict_list *virtual_alias;
	struct dict_list *canonical;
	struct dict_list *recipient_canonical;
	struct dict_list *virtual_mailbox;
	struct smtpd_domlist domains[SMTPD_DOMAINS_COUNT];
} smtpd_maps;

/* smtpd_maps_open - open a table list, fatal on error; "" gives NULL */
static struct dict_list *
smtpd_maps_open(const char *param, const char *list)
{
	struct dict_list *l;
	struct buf *why;

	if (*list == '\0')
		return NULL;
	why = buf_new(0);
	if ((l = dict_list_open(list, why)) == NULL)
		log_fatal("%s: %s", param, buf_str(why));
	buf_free(why);
	return l;
}

/* smtpd_maps_item - the next entry of a list into item (reset): entries
 * are separated by commas and white space outside braces, so that an
 * inline:{ a=b, c=d } table stays whole; false at the end */
static bool
smtpd_maps_item(const char **cursor, struct buf *item)
{
	const char *p = *cursor;
	int     depth = 0;

	buf_reset(item);
	while (*p != '\0' && strchr(STR_LIST_SEPS, *p) != NULL)
		p++;
	if (*p == '\0') {
		*cursor = p;
		return false;
	}
	for (; *p != '\0'; p++) {
		if (depth == 0 && strchr(STR_LIST_SEPS, *p) != NULL)
			break;
		if (*p == '{')
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		(void)buf_append_char(item, *p);	/* main.cf bounded */
	}
	*cursor = p;
	return true;
}

/* smtpd_maps_domlist - split a domain list into names and tables */
static void
smtpd_maps_domlist(struct smtpd_domlist *dl, const char *param,
    const char *value, bool parent_match)
{
	struct buf *names = buf_new(0), *tables = buf_new(0);
	struct buf *item = buf_new(0);
	const char *cursor = value;

	while (smtpd_maps_item(&cursor, item)) {
		if (strchr(buf_str(item), ':') != NULL)
			(void)buf_printf(tables, "%s%s",
			    buf_len(tables) ? ", " : "", buf_str(item));
		else
			(void)buf_printf(names, "%s%s",
			    buf_len(names) ? " " : "", buf_str(item));
	}
	dl->param = param;
	dl->names = xstrdup(buf_str(names));
	dl->tables = smtpd_maps_open(param, buf_str(tables));
	dl->parent_match = parent_match;
	buf_free(names);
	buf_free(tables);
	buf_free(item);
}

/* smtpd_maps_local_list - local_recipient_maps: passwd and tables */
static void
smtpd_maps_local_list(const char *value)
{
	struct buf *tables = buf_new(0), *item = buf_new(0);
	const char *cursor = value, *t;

	smtpd_maps.local_maps = false;
	while (smtpd_maps_item(&cursor, item)) {
		smtpd_maps.local_maps = true;
		t = buf_str(item);
		if (str_has_prefix_case(t, "proxy:"))
			t += strlen("proxy:");
		if (str_casecmp(t, "unix:passwd.byname") == 0)
			smtpd_maps.passwd = true;
		else
			(void)buf_printf(tables, "%s%s",
			    buf_len(tables) ? ", " : "", t);
	}
	smtpd_maps.local = smtpd_maps_open("local_recipient_maps",
	    buf_str(tables));
	buf_free(tables);
	buf_free(item);
}

/* smtpd_maps_init - open every table before the chroot */
void
smtpd_maps_init(void)
{
	smtpd_maps_local_list(var_local_recipient_maps);
	if (smtpd_maps.passwd)
		users_init(NULL);
	smtpd_maps.virtual_alias = smtpd_maps_open("virtual_alias_maps",
	    var_virtual_alias_maps);
	smtpd_maps.canonical = smtpd_maps_open("canonical_maps",
	    var_canonical_maps);
	smtpd_maps.recipient_canonical = smtpd_maps_open(
	    "recipient_canonical_maps", var_recipient_canonical_maps);
	smtpd_maps.virtual_mailbox = smtpd_maps_open("virtual_mailbox_maps",
	    var_virtual_mailbox_maps);
	smtpd_maps_domlist(&smtpd_maps.domains[SMTPD_DOMAINS_RELAY],
	    "relay_domains", var_relay_domains, true);
	smtpd_maps_domlist(&smtpd_maps.domains[SMTPD_DOMAINS_VALIAS],
	    "virtual_alias_domains", var_virtual_alias_domains, false);
	smtpd_maps_domlist(&smtpd_maps.domains[SMTPD_DOMAINS_VMAILBOX],
	    "virtual_mailbox_domains", var_virtual_mailbox_domains, false);
}

/* smtpd_maps_list_changed - dict_list_changed that accepts NULL */
static bool
smtpd_maps_list_changed(const struct dict_list *l)
{
	return l != NULL && dict_list_changed(l);
}

/* smtpd_maps_changed - whether a table changed on disk */
bool
smtpd_maps_changed(void)
{
	size_t  i;

	for (i = 0; i < SMTPD_DOMAINS_COUNT; i++)
		if (smtpd_maps_list_changed(smtpd_maps.domains[i].tables))
			return true;
	return smtpd_maps_list_changed(smtpd_maps.local)
	    || smtpd_maps_list_changed(smtpd_maps.virtual_alias)
	    || smtpd_maps_list_changed(smtpd_maps.canonical)
	    || smtpd_maps_list_changed(smtpd_maps.recipient_canonical)
	    || smtpd_maps_list_changed(smtpd_maps.virtual_mailbox);
}

/* smtpd_maps_name_match - whether domain matches the names of a list */
static bool
smtpd_maps_name_match(const char *names, const char *domain,
    bool parent_match)
{
	char   *copy, *cursor, *item;
	size_t  dlen = strlen(domain), ilen;
	bool    found = false;

	copy = cursor = xstrdup(names);
	while (!found && (item = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		ilen = strlen(item);
		if (item[0] != '.' && str_casecmp(item, domain) == 0)
			found = true;
		else if (item[0] == '.' && dlen > ilen
		    && str_casecmp(domain + dlen - ilen, item) == 0)
			found = true;
		else if (parent_match && item[0] != '.' && dlen > ilen + 1
		    && domain[dlen - ilen - 1] == '.'
		    && str_casecmp(domain + dlen - ilen, item) == 0)
			found = true;
	}
	free(copy);
	return found;
}

/* smtpd_maps_table_match - domain as a key of the tables, then its
 * parents ("example.com", "com") or, without parent_match, the
 * ".parent" patterns (".example.com", ".com") */
static int
smtpd_maps_table_match(struct dict_list *tables, const char *domain,
    bool parent_match, struct buf *why)
{
	struct buf *value = buf_new(0);
	const char *p, *key;
	int     r;

	r = dict_list_lookup(tables, domain, value, why);
	for (p = strchr(domain, '.'); r == 0 && p != NULL;
	    p = strchr(p + 1, '.')) {
		key = parent_match ? p + 1 : p;
		if (*key != '\0' && strcmp(key, ".") != 0)
			r = dict_list_lookup(tables, key, value, why);
	}
	buf_free(value);
	return r;
}

/* smtpd_maps_domain - whether domain is in one of the domain lists */
int
smtpd_maps_domain(enum smtpd_domains which, const char *domain,
    struct buf *why)
{
	const struct smtpd_domlist *dl = &smtpd_maps.domains[which];

	if (dl->names == NULL || *domain == '\0')
		return 0;
	if (smtpd_maps_name_match(dl->names, domain, dl->parent_match))
		return 1;
	if (dl->tables == NULL)
		return 0;
	return smtpd_maps_table_match(dl->tables, domain, dl->parent_match,
	    why);
}

/* smtpd_maps_find - addr_find without the value */
static int
smtpd_maps_find(struct dict_list *maps, const char *addr, bool local,
    struct buf *why)
{
	struct buf *value;
	int     r;

	if (maps == NULL)
		return 0;
	value = buf_new(0);
	r = addr_find(maps, addr, local, var_recipient_delimiter, value,
	    NULL, why);
	buf_free(value);
	return r;
}

/* smtpd_maps_rewritten - whether cleanup will rewrite addr: found in
 * recipient_canonical_maps, canonical_maps or virtual_alias_maps */
int
smtpd_maps_rewritten(const char *addr, bool local, struct buf *why)
{
	int     r;

	if ((r = smtpd_maps_find(smtpd_maps.recipient_canonical, addr, local,
	    why)) != 0)
		return r;
	if ((r = smtpd_maps_find(smtpd_maps.canonical, addr, local,
	    why)) != 0)
		return r;
	return smtpd_maps_find(smtpd_maps.virtual_alias, addr, local, why);
}

/* smtpd_maps_local_configured - whether local_recipient_maps is set */
bool
smtpd_maps_local_configured(void)
{
	return smtpd_maps.local_maps;
}

/* smtpd_maps_local - a local recipient: user is the local part without
 * extension and quotes, lower case; addr the whole address */
int
smtpd_maps_local(const char *user, const char *addr, struct buf *why)
{
	int     r = 0;

	if (smtpd_maps.passwd && *user != '\0') {
		r = users_exists(user);
		if (r < 0)
			buf_why(why, "passwd: cannot read the user database");
		if (r != 0)
			return r;
	}
	return smtpd_maps_find(smtpd_maps.local, addr, true, why);
}

/* smtpd_maps_virtual_mailbox - a recipient in a virtual mailbox domain;
 * 1 also when virtual_mailbox_maps is empty (nothing to check) */
int
smtpd_maps_virtual_mailbox(const char *addr, struct buf *why)
{
	if (smtpd_maps.virtual_mailbox == NULL)
		return 1;
	return smtpd_maps_find(smtpd_maps.virtual_mailbox, addr, false, why);
}
