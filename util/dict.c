/* dict.c - lookup tables: type dispatch, in-memory tables, table lists
 *
 * Owns struct dict and struct dict_list. dict_open splits "type:name" and
 * dispatches: hash: and btree: to dict_db.c, texthash: (the text source
 * parsed by dict_text.c into an in-memory hash table; the source stays
 * open so that dict_changed can fstat it) and inline:{...} (parsed here
 * into the same in-memory table). Every lookup folds the key to lower
 * case first; a key longer than DICT_MAX_KEY is simply not found.
 * dict_list_open splits a comma/space list without breaking the braces of
 * an inline: table. dict_build, dict_delete and dict_add_text check the
 * type and hand hash/btree to dict_db.c. The sysexits status of the last
 * failure is a per-process singleton read by dict_exit_status().
 * Limits: inline tables obey the key and value limits of the text source;
 * a list holds at most DICT_LIST_MAX tables.
 */
#include <sysexits.h>

#include "buf.h"
#include "dict.h"
#include "dict_db.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#define DICT_LIST_MAX	64

enum dict_type { DICT_HASH, DICT_BTREE, DICT_TEXTHASH, DICT_INLINE };

static const struct dict_type_row {
	const char *name;
	enum dict_type type;
} dict_types[] = {
	{ "hash", DICT_HASH },
	{ "btree", DICT_BTREE },
	{ "texthash", DICT_TEXTHASH },
	{ "inline", DICT_INLINE },
};

/* an in-memory table: chained hash of folded keys */
struct dict_ent {
	char   *key;
	char   *value;
	struct dict_ent *next;
};

struct dict {
	char   *name;			/* "type:name" */
	enum dict_type type;
	struct dict_db *db;		/* hash, btree */
	struct dict_ent **slots;	/* texthash, inline */
	size_t	nslots;
	size_t	count;
	int	fd;			/* texthash: the source, or -1 */
	struct timespec mtime;
	struct buf *key;		/* the folded lookup key */
};

struct dict_list {
	struct dict *dicts[DICT_LIST_MAX];
	size_t	count;
};

static int dict_status = EX_SOFTWARE;

/* dict_fail - record the sysexits status of a failure; returns -1 */
int
dict_fail(int status)
{
	dict_status = status;
	return -1;
}

/* dict_exit_status - the status of the last failure */
int
dict_exit_status(void)
{
	return dict_status;
}

/* dict_split - "type:name" into its type row and name; NULL with why */
static const struct dict_type_row *
dict_split(const char *type_name, const char **name, struct buf *why)
{
	const char *colon = strchr(type_name, ':');
	size_t  i, len;

	buf_reset(why);
	if (colon == NULL || colon == type_name) {
		(void)buf_printf(why, "table \"%.100s\": expected type:name",
		    type_name);
		dict_fail(EX_USAGE);
		return NULL;
	}
	len = (size_t)(colon - type_name);
	for (i = 0; i < SYS_ARRAY_LEN(dict_types); i++) {
		if (strlen(dict_types[i].name) == len
		    && strncmp(dict_types[i].name, type_name, len) == 0)
			break;
	}
	if (i == SYS_ARRAY_LEN(dict_types)) {
		(void)buf_printf(why, "unsupported dictionary type: %.*s",
		    (int)(len > 100 ? 100 : len), type_name);
		dict_fail(EX_USAGE);
		return NULL;
	}
	*name = colon + 1;
	if (**name == '\0') {
		(void)buf_printf(why, "table \"%.100s\": missing name after "
		    "the type", type_name);
		dict_fail(EX_USAGE);
		return NULL;
	}
	return &dict_types[i];
}

/* dict_hash - FNV-1a of a folded key */
static size_t
dict_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (size_t)h;
}

/* dict_mem_find - the entry of a folded key, or NULL */
static struct dict_ent *
dict_mem_find(const struct dict *d, const char *key)
{
	struct dict_ent *e;

	if (d->nslots == 0)
		return NULL;
	for (e = d->slots[dict_hash(key) % d->nslots]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* dict_mem_grow - double the slots when the table is full */
static void
dict_mem_grow(struct dict *d)
{
	struct dict_ent **slots, *e, *next;
	size_t  n, i, h;

	if (d->count < d->nslots)
		return;
	n = d->nslots ? d->nslots * 2 : 64;
	slots = xcalloc(n, sizeof(*slots));
	for (i = 0; i < d->nslots; i++) {
		for (e = d->slots[i]; e; e = next) {
			next = e->next;
			h = dict_hash(e->key) % n;
			e->next = slots[h];
			slots[h] = e;
		}
	}
	free(d->slots);
	d->slots = slots;
	d->nslots = n;
}

/* dict_mem_add - add a folded key; false when it was there already */
static bool
dict_mem_add(struct dict *d, const char *key, const char *value)
{
	struct dict_ent *e;
	size_t  h;

	if (dict_mem_find(d, key) != NULL)
		return false;
	dict_mem_grow(d);
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(key);
	e->value = xstrdup(value);
	h = dict_hash(key) % d->nslots;
	e->next = d->slots[h];
	d->slots[h] = e;
	d->count++;
	return true;
}

/* dict_texthash_entry - text parser callback of texthash: */
static int
dict_texthash_entry(void *ctx, const char *key, const char *value,
    size_t line, struct buf *why)
{
	struct dict *d = ctx;
	struct buf *pr;

	(void)why;
	if (!dict_mem_add(d, key, value)) {
		pr = buf_new(0);
		log_warn("%s:%zu: duplicate entry: \"%s\" ignored",
		    d->name + strlen("texthash:"), line,
		    log_printable(pr, key, strlen(key), 100));
		buf_free(pr);
	}
	return 0;
}

/* dict_texthash_open - read the source into memory, keep it open */
static int
dict_texthash_open(struct dict *d, const char *path, struct buf *why)
{
	struct stat st;

	d->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (d->fd < 0 || fstat(d->fd, &st) < 0) {
		buf_reset(why);
		(void)buf_printf(why, "open %s: %s", path, strerror(errno));
		return dict_fail(errno == ENOENT ? EX_NOINPUT
		    : errno == EACCES ? EX_NOPERM : EX_TEMPFAIL);
	}
	if (!S_ISREG(st.st_mode)) {
		buf_reset(why);
		(void)buf_printf(why, "open %s: not a regular file", path);
		return dict_fail(EX_NOINPUT);
	}
	d->mtime = st.st_mtim;
	if (dict_text_parse_fd(d->fd, path, DICT_SYNTAX_POSTMAP,
	    dict_texthash_entry, d, why) < 0)
		return dict_fail(EX_DATAERR);
	return 0;
}

/* dict_inline_element - one "key=value" of an inline table */
static int
dict_inline_element(struct dict *d, char *elem, struct buf *why)
{
	char   *eq = strchr(elem, '='), *key, *value;

	if (eq == NULL) {
		buf_reset(why);
		(void)buf_printf(why, "%s: expected key=value, got \"%.100s\"",
		    d->name, elem);
		return dict_fail(EX_DATAERR);
	}
	*eq = '\0';
	key = str_lower(str_trim(elem));
	value = str_trim(eq + 1);
	buf_reset(why);
	if (*key == '\0')
		(void)buf_printf(why, "%s: empty key in an element", d->name);
	else if (strlen(key) > DICT_MAX_KEY)
		(void)buf_printf(why, "%s: key longer than %d bytes", d->name,
		    DICT_MAX_KEY);
	else if (strlen(value) > DICT_MAX_VALUE)
		(void)buf_printf(why, "%s: value longer than %d bytes",
		    d->name, DICT_MAX_VALUE);
	else if (!dict_mem_add(d, key, value))
		log_warn("%s: duplicate key \"%.100s\" ignored", d->name, key);
	return buf_len(why) ? dict_fail(EX_DATAERR) : 0;
}

/* dict_next_token - the next list element of *cursor, where a braced
 * group keeps its separators; NULL at the end, or error (*bad) on an
 * unbalanced brace. Brace groups of inline are returned with braces. */
static char *
dict_next_token(char **cursor, const char *seps, bool *bad)
{
	char   *s = *cursor, *start;
	int     depth = 0;

	while (*s && strchr(seps, *s))
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	for (; *s; s++) {
		if (*s == '{')
			depth++;
		else if (*s == '}' && --depth < 0)
			break;
		else if (depth == 0 && strchr(seps, *s))
			break;
	}
	if (depth != 0) {
		*bad = true;
		return NULL;
	}
	if (*s)
		*s++ = '\0';
	*cursor = s;
	return start;
}

/* dict_inline_open - parse "{ k=v, { k2 = v 2 } }" */
static int
dict_inline_open(struct dict *d, const char *name, struct buf *why)
{
	char   *copy = xstrdup(name), *body, *cursor, *elem;
	size_t  len;
	bool    bad = false;
	int     ret = 0;

	body = str_trim(copy);
	len = strlen(body);
	if (len < 2 || body[0] != '{' || body[len - 1] != '}') {
		buf_reset(why);
		(void)buf_printf(why, "%.100s: expected inline:{ key=value, "
		    "... }", d->name);
		free(copy);
		return dict_fail(EX_USAGE);
	}
	body[len - 1] = '\0';
	cursor = body + 1;
	while (ret == 0 && (elem = dict_next_token(&cursor, STR_LIST_SEPS,
	    &bad)) != NULL) {
		if (*elem == '{') {
			len = strlen(elem);
			if (elem[len - 1] != '}') {
				bad = true;
				break;
			}
			elem[len - 1] = '\0';
			elem++;
		}
		ret = dict_inline_element(d, elem, why);
	}
	free(copy);
	if (bad) {
		buf_reset(why);
		(void)buf_printf(why, "%.100s: unbalanced braces", d->name);
		return dict_fail(EX_USAGE);
	}
	return ret;
}

/* dict_open - open "type:name" */
struct dict *
dict_open(const char *type_name, struct buf *why)
{
	const struct dict_type_row *row;
	const char *name;
	struct dict *d;
	int     ret = 0;

	if ((row = dict_split(type_name, &name, why)) == NULL)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->name = xstrdup(type_name);
	d->type = row->type;
	d->fd = -1;
	d->key = buf_new(DICT_MAX_KEY + 1);
	switch (d->type) {
	case DICT_HASH:
	case DICT_BTREE:
		d->db = dict_db_open(name, d->type == DICT_BTREE, why);
		if (d->db == NULL)
			ret = -1;
		break;
	case DICT_TEXTHASH:
		ret = dict_texthash_open(d, name, why);
		break;
	case DICT_INLINE:
		ret = dict_inline_open(d, name, why);
		break;
	}
	if (ret < 0)
		return dict_close(d);
	return d;
}

/* dict_close - free the table; NULL ok, returns NULL */
struct dict *
dict_close(struct dict *d)
{
	struct dict_ent *e, *next;
	size_t  i;

	if (d == NULL)
		return NULL;
	d->db = dict_db_close(d->db);
	for (i = 0; i < d->nslots; i++) {
		for (e = d->slots[i]; e; e = next) {
			next = e->next;
			free(e->key);
			free(e->value);
			free(e);
		}
	}
	free(d->slots);
	if (d->fd >= 0)
		(void)close(d->fd);		/* read-only */
	buf_free(d->key);
	free(d->name);
	free(d);
	return NULL;
}

/* dict_lookup - the value of key, folded */
int
dict_lookup(struct dict *d, const char *key, struct buf *value,
    struct buf *why)
{
	struct dict_ent *e;
	size_t  len = strlen(key);

	if (len == 0 || len > DICT_MAX_KEY)
		return 0;
	buf_reset(d->key);
	if (buf_append(d->key, key, len) < 0)
		return 0;
	(void)str_lower(d->key->data);
	if (d->db != NULL)
		return dict_db_get(d->db, buf_str(d->key), len, value, why);
	if ((e = dict_mem_find(d, buf_str(d->key))) == NULL)
		return 0;
	buf_reset(value);
	if (buf_append_str(value, e->value) < 0) {
		buf_reset(why);
		(void)buf_printf(why, "%s: value longer than the caller's "
		    "limit", d->name);
		return dict_fail(EX_DATAERR);
	}
	return 1;
}

/* dict_changed - whether the file behind the table changed */
bool
dict_changed(const struct dict *d)
{
	struct stat st;

	if (d->db != NULL)
		return dict_db_changed(d->db);
	if (d->fd < 0)
		return false;			/* inline */
	if (fstat(d->fd, &st) < 0)
		return true;
	return st.st_nlink == 0 || st.st_mtim.tv_sec != d->mtime.tv_sec
	    || st.st_mtim.tv_nsec != d->mtime.tv_nsec;
}

/* dict_name - "type:name" */
const char *
dict_name(const struct dict *d)
{
	return d->name;
}

/* dict_list_open - open every table of a list, in order */
struct dict_list *
dict_list_open(const char *list, struct buf *why)
{
	struct dict_list *l = xcalloc(1, sizeof(*l));
	char   *copy = xstrdup(list), *cursor = copy, *tok;
	bool    bad = false;

	while ((tok = dict_next_token(&cursor, STR_LIST_SEPS, &bad)) != NULL) {
		if (l->count == DICT_LIST_MAX) {
			buf_reset(why);
			(void)buf_printf(why, "more than %d tables in a list",
			    DICT_LIST_MAX);
			dict_fail(EX_USAGE);
			goto fail;
		}
		if ((l->dicts[l->count] = dict_open(tok, why)) == NULL)
			goto fail;
		l->count++;
	}
	if (bad) {
		buf_reset(why);
		(void)buf_printf(why, "table list \"%.100s\": unbalanced "
		    "braces", list);
		dict_fail(EX_USAGE);
		goto fail;
	}
	free(copy);
	return l;
fail:
	free(copy);
	return dict_list_close(l);
}

/* dict_list_close - close every table; NULL ok, returns NULL */
struct dict_list *
dict_list_close(struct dict_list *l)
{
	size_t  i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < l->count; i++)
		dict_close(l->dicts[i]);
	free(l);
	return NULL;
}

/* dict_list_lookup - the first table that has key wins; an error stops */
int
dict_list_lookup(struct dict_list *l, const char *key, struct buf *value,
    struct buf *why)
{
	size_t  i;
	int     ret;

	for (i = 0; i < l->count; i++)
		if ((ret = dict_lookup(l->dicts[i], key, value, why)) != 0)
			return ret;
	return 0;
}

/* dict_list_changed - whether any table of the list changed */
bool
dict_list_changed(const struct dict_list *l)
{
	size_t  i;

	for (i = 0; i < l->count; i++)
		if (dict_changed(l->dicts[i]))
			return true;
	return false;
}

/* dict_db_name - the path of a hash/btree table; NULL (0 in *ret) for a
 * type that is not built, NULL (-1) on error */
static const char *
dict_db_name(const char *type_name, bool *btree, int *ret,
    struct buf *why)
{
	const struct dict_type_row *row;
	const char *name;

	*ret = -1;
	if ((row = dict_split(type_name, &name, why)) == NULL)
		return NULL;
	if (row->type != DICT_HASH && row->type != DICT_BTREE) {
		*ret = 0;
		return NULL;
	}
	*btree = row->type == DICT_BTREE;
	return name;
}

/* dict_build - build a hash/btree table from its source */
int
dict_build(const char *type_name, enum dict_syntax syntax,
    struct buf *why)
{
	const char *path;
	bool    btree = false;
	int     ret;

	if ((path = dict_db_name(type_name, &btree, &ret, why)) == NULL)
		return ret;
	return dict_db_build(path, btree, syntax, why);
}

/* dict_writable - the path of a table that can be changed, or NULL */
static const char *
dict_writable(const char *type_name, bool *btree, struct buf *why)
{
	const char *path;
	int     ret;

	if ((path = dict_db_name(type_name, btree, &ret, why)) == NULL
	    && ret == 0) {
		buf_reset(why);
		(void)buf_printf(why, "%.100s: a table of this type cannot "
		    "be changed (edit its source)", type_name);
		dict_fail(EX_USAGE);
	}
	return path;
}

/* dict_delete - remove a key from a hash/btree table */
int
dict_delete(const char *type_name, const char *key, struct buf *why)
{
	const char *path;
	struct buf *folded;
	bool    btree = false;
	int     ret;

	if ((path = dict_writable(type_name, &btree, why)) == NULL)
		return -1;
	if (*key == '\0' || strlen(key) > DICT_MAX_KEY)
		return 0;
	folded = buf_new(0);
	if (buf_append_str(folded, key) < 0)
		log_panic("dict_delete: key does not fit a buffer");
	(void)str_lower(folded->data);
	ret = dict_db_delete(path, btree, buf_str(folded), why);
	buf_free(folded);
	return ret;
}

/* dict_add_text - add the entries of a text source to a hash/btree table */
int
dict_add_text(const char *type_name, int fd, const char *source,
    enum dict_syntax syntax, struct buf *why)
{
	const char *path;
	bool    btree = false;

	if ((path = dict_writable(type_name, &btree, why)) == NULL)
		return -1;
	return dict_db_add(path, btree, fd, source, syntax, why);
}
