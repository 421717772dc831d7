/* dict_db.h - hash: and btree: tables on Berkeley DB 5.3 (inside dict)
 *
 * Private to the dict module: dict.c dispatches hash: and btree: here.
 * PATH is the table name (the text source); the database is PATH.db.
 * Keys arrive folded and NUL-free; they are stored and looked up with
 * their terminating NUL as Postfix does (a lookup also tries without it,
 * for tables made by other tools). Writers never modify PATH.db in place:
 * they write PATH.db.tmpXXXXXX, fsync it and rename it over PATH.db,
 * holding flock(LOCK_EX) on the old PATH.db meanwhile. Failures set the
 * exit status through dict_fail().
 */
#ifndef POSTERN_DICT_DB_H
#define POSTERN_DICT_DB_H

#include "dict.h"

struct dict_db;

struct dict_db *dict_db_open(const char *path, bool btree, struct buf *why);
struct dict_db *dict_db_close(struct dict_db *db);
/* dict_db_get - 1 found, 0 not found, -1 error (value reset first) */
int	dict_db_get(struct dict_db *db, const char *key, size_t len,
	    struct buf *value, struct buf *why);
bool	dict_db_changed(const struct dict_db *db);

int	dict_db_build(const char *path, bool btree, enum dict_syntax syntax,
	    struct buf *why);
int	dict_db_delete(const char *path, bool btree, const char *key,
	    struct buf *why);
int	dict_db_add(const char *path, bool btree, int fd, const char *source,
	    enum dict_syntax syntax, struct buf *why);

/* dict_fail - record the sysexits status of a failure (dict.c); -1 */
int	dict_fail(int status);

#endif
