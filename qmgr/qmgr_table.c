/* qmgr_table.c - a string-keyed hash table for the queue manager
 *
 * Maps queue IDs to active messages and destination keys to destinations.
 * Separate chaining with FNV-1a hashes; the bucket array doubles when the
 * table holds more entries than buckets, so lookups stay O(1) on average.
 * Keys are copied; values are borrowed pointers the caller owns. Keys come
 * from queue files (addresses) but are bounded by the reader's limits.
 */
#include "qmgr.h"
#include "log.h"
#include "mem.h"

#define QMGR_TABLE_INITIAL	64

struct qmgr_table_entry {
	struct qmgr_table_entry *next;
	void	*value;
	char	key[];
};

struct qmgr_table {
	struct qmgr_table_entry **slots;
	size_t	size;			/* a power of two */
	size_t	count;
};

/* qmgr_table_hash - FNV-1a of key */
static size_t
qmgr_table_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	while (*key != '\0') {
		h ^= (unsigned char)*key++;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* qmgr_table_new - an empty table */
struct qmgr_table *
qmgr_table_new(void)
{
	struct qmgr_table *t;

	t = xmalloc(sizeof(*t));
	t->size = QMGR_TABLE_INITIAL;
	t->count = 0;
	t->slots = xcalloc(t->size, sizeof(*t->slots));
	return t;
}

/* qmgr_table_free - release the table (not the values); NULL ok */
struct qmgr_table *
qmgr_table_free(struct qmgr_table *t)
{
	struct qmgr_table_entry *e, *next;
	size_t  i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < t->size; i++) {
		for (e = t->slots[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(t->slots);
	free(t);
	return NULL;
}

/* qmgr_table_grow - double the bucket array */
static void
qmgr_table_grow(struct qmgr_table *t)
{
	struct qmgr_table_entry **slots, *e, *next;
	size_t  size = t->size * 2, i, h;

	slots = xcalloc(size, sizeof(*slots));
	for (i = 0; i < t->size; i++) {
		for (e = t->slots[i]; e != NULL; e = next) {
			next = e->next;
			h = qmgr_table_hash(e->key) & (size - 1);
			e->next = slots[h];
			slots[h] = e;
		}
	}
	free(t->slots);
	t->slots = slots;
	t->size = size;
}

/* qmgr_table_find - the value of key, or NULL */
void   *
qmgr_table_find(const struct qmgr_table *t, const char *key)
{
	const struct qmgr_table_entry *e;

	for (e = t->slots[qmgr_table_hash(key) & (t->size - 1)]; e != NULL;
	    e = e->next) {
		if (strcmp(e->key, key) == 0)
			return e->value;
	}
	return NULL;
}

/* qmgr_table_add - add key (not present) with value */
void
qmgr_table_add(struct qmgr_table *t, const char *key, void *value)
{
	struct qmgr_table_entry *e;
	size_t  len = strlen(key), h;

	if (t->count >= t->size && t->size <= SIZE_MAX / 4)
		qmgr_table_grow(t);
	e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->key, key, len + 1);
	e->value = value;
	h = qmgr_table_hash(key) & (t->size - 1);
	e->next = t->slots[h];
	t->slots[h] = e;
	t->count++;
}

/* qmgr_table_remove - remove key; its value, or NULL */
void   *
qmgr_table_remove(struct qmgr_table *t, const char *key)
{
	struct qmgr_table_entry **pp, *e;
	void   *value;

	for (pp = &t->slots[qmgr_table_hash(key) & (t->size - 1)];
	    (e = *pp) != NULL; pp = &e->next) {
		if (strcmp(e->key, key) == 0) {
			*pp = e->next;
			value = e->value;
			free(e);
			t->count--;
			return value;
		}
	}
	return NULL;
}

/* qmgr_table_count - entries in the table */
size_t
qmgr_table_count(const struct qmgr_table *t)
{
	return t->count;
}
