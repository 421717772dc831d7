/* local_alias.c - the real lookups of an expansion: aliases, .forward,
 * :include:
 *
 * Owns the alias tables of alias_maps, each opened once with
 * util/dict.h before the sandbox (a table that cannot be opened is
 * fatal: master restarts local with backoff, and mail waits rather than
 * bouncing as unknown). Each table remembers the privileges its
 * commands, files and :include: files get: the owner of the table's file
 * (PATH.db for hash: and btree:, PATH for texthash:), or default_privs
 * when that is root or when the table has no file (inline:). After a
 * request, local_alias_changed() tells local_service.c that a table was
 * rebuilt, and the process exits so that master starts one that opens
 * the new file. The .forward lookup expands forward_path per user and
 * reads the files through local_readfile (local_forward.c), as the user.
 * A process that finds a table rebuilt before a request (another local
 * process noticed first) reopens it for that request, then exits too.
 */
#include "local.h"
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"

#include <pwd.h>

#define LOCAL_ALIAS_TABLES	32	/* tables in alias_maps */
#define LOCAL_FORWARD_MAX	(64 * 1024)	/* bytes of a .forward */
#define LOCAL_INCLUDE_MAX	(1024 * 1024)	/* bytes of an include */

struct local_alias_table {
	struct dict *dict;
	struct local_owner owner;
};

static struct {
	struct local_alias_table tables[LOCAL_ALIAS_TABLES];
	size_t	n;
	struct local_owner default_privs;
} local_alias;

/* local_owner_fill - a local_owner from a passwd entry; -1 too long */
static int
local_owner_fill(struct local_owner *o, const struct passwd *pw)
{
	memset(o, 0, sizeof(*o));
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	if (str_copy(o->name, sizeof(o->name), pw->pw_name) < 0 ||
	    str_copy(o->home, sizeof(o->home), pw->pw_dir) < 0 ||
	    str_copy(o->shell, sizeof(o->shell), pw->pw_shell) < 0)
		return -1;
	return 0;
}

/* local_owner_uid - the passwd entry of uid */
int
local_owner_uid(struct local_owner *o, uid_t uid)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwuid(uid)) == NULL)
		return -1;
	return local_owner_fill(o, pw);
}

/* local_owner_name - the passwd entry of name */
int
local_owner_name(struct local_owner *o, const char *name)
{
	struct passwd *pw;

	if ((pw = local_getpwnam(name)) == NULL)
		return -1;
	return local_owner_fill(o, pw);
}

/* local_alias_file - the file behind a table name, for its owner */
static int
local_alias_stat(const char *name, struct stat *st)
{
	struct buf *path = buf_new(PATH_MAX);
	const char *colon = strchr(name, ':');
	int     ret = -1;

	if (colon != NULL && colon[1] == '/') {
		if ((str_has_prefix_case(name, "hash:") ||
		    str_has_prefix_case(name, "btree:")) &&
		    buf_printf(path, "%s.db", colon + 1) == 0)
			ret = stat(buf_str(path), st);
		if (ret < 0)
			ret = stat(colon + 1, st);
	}
	buf_free(path);
	return ret;
}

/* local_alias_open - open every table of alias_maps; 0, or -1 (why) */
static int
local_alias_open(struct buf *why)
{
	struct local_alias_table *t;
	char   *list, *cursor, *name;
	struct stat st;
	int     ret = 0;

	list = xstrdup(var_alias_maps);
	cursor = list;
	while ((name = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (local_alias.n >= LOCAL_ALIAS_TABLES)
			log_fatal("alias_maps: more than %d tables",
			    LOCAL_ALIAS_TABLES);
		t = &local_alias.tables[local_alias.n];
		buf_reset(why);
		if ((t->dict = dict_open(name, why)) == NULL) {
			ret = -1;
			break;
		}
		if (local_alias_stat(name, &st) == 0 && st.st_uid != 0 &&
		    local_owner_uid(&t->owner, st.st_uid) == 0)
			;		/* the table owner's privileges */
		else
			t->owner = local_alias.default_privs;
		local_alias.n++;
	}
	free(list);
	return ret;
}

/* local_alias_close - close every table */
static void
local_alias_close(void)
{
	struct local_alias_table *t;

	while (local_alias.n > 0) {
		t = &local_alias.tables[--local_alias.n];
		t->dict = dict_close(t->dict);
	}
}

/* local_alias_init - default_privs and the tables, before the sandbox */
void
local_alias_init(void)
{
	struct buf *why = buf_new(LOCAL_REASON_MAX);

	if (local_owner_name(&local_alias.default_privs,
	    var_default_privs) < 0)
		log_fatal("default_privs = %s: unknown user",
		    var_default_privs);
	if (local_alias.default_privs.uid == 0)
		log_fatal("default_privs = %s: must not be a user with uid 0",
		    var_default_privs);
	if (local_alias_open(why) < 0)
		log_fatal("alias_maps: %s", buf_str(why));
	buf_free(why);
}

/* local_alias_reopen - open the tables again (a table was rebuilt while
 * this process served; the process exits after the request) */
int
local_alias_reopen(struct buf *why)
{
	local_alias_close();
	return local_alias_open(why);
}

/* local_alias_changed - whether a table was rebuilt since we opened it */
bool
local_alias_changed(void)
{
	size_t  i;

	for (i = 0; i < local_alias.n; i++)
		if (dict_changed(local_alias.tables[i].dict))
			return true;
	return false;
}

/* local_alias_lookup - the first table with key */
static int
local_alias_lookup(void *ctx, const char *key, struct buf *value,
    struct local_owner *owner, struct buf *why)
{
	size_t  i;
	int     ret;

	(void)ctx;
	for (i = 0; i < local_alias.n; i++) {
		ret = dict_lookup(local_alias.tables[i].dict, key, value, why);
		if (ret < 0)
			return -1;
		if (ret > 0) {
			*owner = local_alias.tables[i].owner;
			return 1;
		}
	}
	return 0;
}

/* local_alias_forward - the first .forward of forward_path that counts */
static int
local_alias_forward(void *ctx, const char *user, const char *ext,
    struct buf *value, struct local_owner *owner, struct buf *why)
{
	const struct params_row *row;
	struct local_forward_vars v;
	struct buf *path, *tried;
	struct stat st;
	const char *pattern;
	char   *list, *cursor, *item;
	uid_t   file_uid;
	int     ret = 0;

	(void)ctx;
	if (local_owner_name(owner, user) < 0)
		return 0;	/* no such user: the mailbox code says */
	if (getuid() != 0 && owner->uid != getuid())
		return 0;		/* cannot read it as that user */
	/* forward_path is expanded here, per user, not by params_load */
	if ((pattern = params_raw("forward_path")) == NULL) {
		row = params_find("forward_path");
		pattern = row != NULL ? row->def : "";
	}
	v.home = owner->home;
	v.user = owner->name;
	v.extension = ext;
	v.delimiter = ext[0] ? var_recipient_delimiter : "";
	v.local = user;
	v.domain = var_myhostname;	/* the ops do not carry the domain */
	path = buf_new(PATH_MAX);
	tried = buf_new(PATH_MAX);
	list = xstrdup(pattern);
	cursor = list;
	while (ret == 0 && (item = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (local_forward_path_expand(item, &v, path) < 0 ||
		    buf_str(path)[0] != '/')
			continue;
		/* without an extension both default entries name one file */
		if (strcmp(buf_str(path), buf_str(tried)) == 0)
			continue;
		(void)buf_set(tried, buf_str(path));
		/* a .forward that is not there needs no reader process: most
		 * users have none (any other stat error: let the reader, as
		 * the user, find out) */
		if (stat(buf_str(path), &st) < 0
		    && (errno == ENOENT || errno == ENOTDIR))
			continue;
		ret = local_readfile(buf_str(path), owner, true,
		    LOCAL_FORWARD_MAX, value, &file_uid, why);
	}
	free(list);
	buf_free(tried);
	buf_free(path);
	return ret;
}

/* local_alias_include - read an :include: file as owner */
static int
local_alias_include(void *ctx, const char *path, struct buf *value,
    struct local_owner *owner, struct buf *why)
{
	uid_t   file_uid = 0;
	int     ret;

	(void)ctx;
	ret = local_readfile(path, owner, false, LOCAL_INCLUDE_MAX, value,
	    &file_uid, why);
	/* commands and files of the include run as its owner (not root) */
	if (ret > 0 && file_uid != 0 && file_uid != owner->uid &&
	    local_owner_uid(owner, file_uid) < 0) {
		(void)buf_set(why, "unknown owner of :include: file");
		return -1;
	}
	return ret;
}

const struct local_expand_ops local_alias_ops = {
	.alias = local_alias_lookup,
	.forward = local_alias_forward,
	.include = local_alias_include,
	.ctx = NULL,
};
