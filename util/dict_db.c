/* dict_db.c - hash: and btree: tables on Berkeley DB 5.3, Postfix-compatible
 *
 * Readers: dict_db_open opens PATH.db read-only (DB_RDONLY, no environment,
 * so no region files and no locks), marks its descriptor close-on-exec and
 * remembers its mtime; dict_db_get looks the folded key up with its
 * trailing NUL (as Postfix's postmap stores it), then without; a value
 * longer than DICT_MAX_VALUE or holding a NUL is a corrupt table, an error.
 * dict_db_changed fstat()s the open descriptor: a link count of 0 (the
 * file was replaced by rename) or another mtime (changed in place, e.g. by
 * Postfix's postmap -d) means the table changed.
 * Writers (build, delete, add) take flock(LOCK_EX) on the current PATH.db
 * (re-checking that the locked file is still the one at PATH.db), write a
 * complete new database to PATH.db.tmpXXXXXX, fsync it, give it the mode
 * and owner of the source (build) or of the old table, rename it over
 * PATH.db and fsync the directory. A reader thus sees the old table or
 * the new one, never a half-written one, and an error leaves the old
 * table untouched and the temporary file removed.
 * Berkeley DB's own error messages are captured (the last one) and put
 * into the caller's why; it never writes to stderr.
 */
#include "buf.h"
#include "dict_db.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#include <db.h>			/* after sys.h: needs _GNU_SOURCE types */
#include <sys/file.h>
#include <sysexits.h>

#define DICT_DB_LOCK_TRIES	100

struct dict_db {
	DB     *db;
	char   *dbpath;
	int	fd;
	struct timespec mtime;
};

/* the last message of Berkeley DB's error callback */
static char dict_db_errmsg[256];

/* dict_db_errcall - keep Berkeley DB's message for the error we report */
static void
dict_db_errcall(const DB_ENV *env, const char *prefix, const char *msg)
{
	(void)env;
	(void)prefix;
	if (str_copy(dict_db_errmsg, sizeof(dict_db_errmsg), msg) < 0)
		dict_db_errmsg[sizeof(dict_db_errmsg) - 1] = '\0';
}

/* dict_db_detail - Berkeley DB's last message, "" when it said nothing */
static const char *
dict_db_detail(void)
{
	return dict_db_errmsg;
}

/* dict_db_type - the access method's name */
static const char *
dict_db_type(bool btree)
{
	return btree ? "btree" : "hash";
}

/* dict_db_handle - a DB handle with our error callback; NULL with why */
static DB *
dict_db_handle(struct buf *why)
{
	DB     *db;
	int     ret;

	if ((ret = db_create(&db, NULL, 0)) != 0) {
		buf_reset(why);
		(void)buf_printf(why, "db_create: %s", db_strerror(ret));
		dict_fail(EX_TEMPFAIL);
		return NULL;
	}
	db->set_errcall(db, dict_db_errcall);
	dict_db_errmsg[0] = '\0';
	return db;
}

/* dict_db_open_ro - open dbpath read-only: the DB, or NULL with why */
static DB *
dict_db_open_ro(const char *dbpath, bool btree, struct buf *why)
{
	DB     *db;
	int     ret;

	if ((db = dict_db_handle(why)) == NULL)
		return NULL;
	ret = db->open(db, NULL, dbpath, NULL, btree ? DB_BTREE : DB_HASH,
	    DB_RDONLY, 0);
	if (ret == 0)
		return db;
	buf_reset(why);
	if (ret == ENOENT) {
		(void)buf_printf(why, "open database %s: %s", dbpath,
		    strerror(ret));
		dict_fail(EX_NOINPUT);
	} else if (ret == EINVAL || ret == DB_VERIFY_BAD
	    || ret == DB_RUNRECOVERY) {
		(void)buf_printf(why, "open database %s: not a Berkeley DB "
		    "%s file, or corrupt (%s)", dbpath, dict_db_type(btree),
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
		dict_fail(EX_DATAERR);
	} else {
		(void)buf_printf(why, "open database %s: %s", dbpath,
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
		dict_fail(ret == EACCES ? EX_NOPERM : EX_TEMPFAIL);
	}
	(void)db->close(db, 0);
	return NULL;
}

/* dict_db_open - open PATH.db for lookups */
struct dict_db *
dict_db_open(const char *path, bool btree, struct buf *why)
{
	struct dict_db *d = xcalloc(1, sizeof(*d));
	struct stat st;
	int     flags;

	d->fd = -1;
	d->dbpath = xmalloc(strlen(path) + 4);
	memcpy(d->dbpath, path, strlen(path));
	memcpy(d->dbpath + strlen(path), ".db", 4);
	if ((d->db = dict_db_open_ro(d->dbpath, btree, why)) == NULL)
		return dict_db_close(d);
	if (d->db->fd(d->db, &d->fd) != 0 || fstat(d->fd, &st) < 0
	    || (flags = fcntl(d->fd, F_GETFD)) < 0
	    || fcntl(d->fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
		buf_reset(why);
		(void)buf_printf(why, "open database %s: %s", d->dbpath,
		    strerror(errno));
		dict_fail(EX_TEMPFAIL);
		return dict_db_close(d);
	}
	d->mtime = st.st_mtim;
	return d;
}

/* dict_db_close - close the database; NULL ok, returns NULL */
struct dict_db *
dict_db_close(struct dict_db *d)
{
	if (d == NULL)
		return NULL;
	if (d->db != NULL && d->db->close(d->db, 0) != 0)
		log_warn("close database %s: %s", d->dbpath,
		    *dict_db_detail() ? dict_db_detail() : "error");
	free(d->dbpath);
	free(d);
	return NULL;
}

/* dict_db_get_raw - look key up as stored with (nul) or without NUL */
static int
dict_db_get_raw(DB *db, const char *key, size_t len, bool nul, DBT *val)
{
	DBT     k;

	memset(&k, 0, sizeof(k));
	memset(val, 0, sizeof(*val));
	k.data = (void *)key;
	k.size = (u_int32_t)(len + (nul ? 1 : 0));
	return db->get(db, NULL, &k, val, 0);
}

/* dict_db_get - look up a folded key */
int
dict_db_get(struct dict_db *d, const char *key, size_t len,
    struct buf *value, struct buf *why)
{
	DBT     v;
	size_t  vlen;
	int     ret;

	buf_reset(value);
	if (len == 0 || len > DICT_MAX_KEY)
		return 0;
	dict_db_errmsg[0] = '\0';
	ret = dict_db_get_raw(d->db, key, len, true, &v);
	if (ret == DB_NOTFOUND)
		ret = dict_db_get_raw(d->db, key, len, false, &v);
	if (ret == DB_NOTFOUND)
		return 0;
	buf_reset(why);
	if (ret != 0) {
		(void)buf_printf(why, "read database %s: %s", d->dbpath,
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
		return dict_fail(EX_TEMPFAIL);
	}
	vlen = v.size;
	if (vlen > 0 && ((const char *)v.data)[vlen - 1] == '\0')
		vlen--;
	if (vlen > DICT_MAX_VALUE || memchr(v.data, '\0', vlen) != NULL) {
		(void)buf_printf(why, "read database %s: corrupt entry "
		    "(value too long or with a NUL byte)", d->dbpath);
		return dict_fail(EX_DATAERR);
	}
	if (buf_append(value, v.data, vlen) < 0) {
		(void)buf_printf(why, "read database %s: value longer than "
		    "the caller's limit", d->dbpath);
		return dict_fail(EX_DATAERR);
	}
	return 1;
}

/* dict_db_changed - replaced (no link left) or modified since open */
bool
dict_db_changed(const struct dict_db *d)
{
	struct stat st;

	if (fstat(d->fd, &st) < 0)
		return true;
	return st.st_nlink == 0 || st.st_mtim.tv_sec != d->mtime.tv_sec
	    || st.st_mtim.tv_nsec != d->mtime.tv_nsec;
}

/* The writers. */

struct dict_db_writer {
	const char *path;		/* the table name (source path) */
	char   *dbpath;			/* PATH.db */
	char   *tmppath;		/* PATH.db.tmpXXXXXX */
	bool	btree;
	int	lock_fd;		/* the old PATH.db, locked; or -1 */
	int	tmp_fd;
	DB     *db;			/* the new database */
	struct buf *why;
	bool	replace;		/* put overwrites (add) or warns */
	bool	put_failed;		/* a failure of ours, not syntax */
	const char *source;		/* text source name in warnings */
};

/* dict_db_lock - flock(LOCK_EX) the current dbpath into w->lock_fd (-1
 * when there is no table yet); 0 or -1 with why */
static int
dict_db_lock(struct dict_db_writer *w)
{
	struct stat fst, pst;
	int     tries;

	for (tries = 0; tries < DICT_DB_LOCK_TRIES; tries++) {
		w->lock_fd = open(w->dbpath, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (w->lock_fd < 0 && errno == ENOENT)
			return 0;
		if (w->lock_fd < 0)
			break;
		if (flock(w->lock_fd, LOCK_EX) < 0
		    || fstat(w->lock_fd, &fst) < 0)
			break;
		if (stat(w->dbpath, &pst) == 0 && pst.st_ino == fst.st_ino
		    && pst.st_dev == fst.st_dev)
			return 0;
		/* replaced while we waited: lock the new one */
		(void)close(w->lock_fd);
		w->lock_fd = -1;
	}
	buf_reset(w->why);
	(void)buf_printf(w->why, "lock %s: %s", w->dbpath,
	    tries == DICT_DB_LOCK_TRIES ? "replaced too often"
	    : strerror(errno));
	if (w->lock_fd >= 0)
		(void)close(w->lock_fd);
	w->lock_fd = -1;
	return dict_fail(EX_TEMPFAIL);
}

/* dict_db_writer_fail - a system error in why; -1 */
static int
dict_db_writer_fail(struct dict_db_writer *w, const char *what,
    const char *detail)
{
	buf_reset(w->why);
	(void)buf_printf(w->why, "%s %s: %s", what, w->tmppath
	    ? w->tmppath : w->dbpath, detail);
	w->put_failed = true;
	return dict_fail(EX_TEMPFAIL);
}

/* dict_db_writer_start - lock, then create the temporary database */
static int
dict_db_writer_start(struct dict_db_writer *w, const char *path,
    bool btree, struct buf *why)
{
	size_t  len = strlen(path);
	int     ret;

	memset(w, 0, sizeof(*w));
	w->path = path;
	w->btree = btree;
	w->why = why;
	w->lock_fd = w->tmp_fd = -1;
	w->dbpath = xmalloc(len + 4);
	memcpy(w->dbpath, path, len);
	memcpy(w->dbpath + len, ".db", 4);
	if (dict_db_lock(w) < 0)
		return -1;
	w->tmppath = xmalloc(len + 16);
	memcpy(w->tmppath, w->dbpath, len + 3);
	memcpy(w->tmppath + len + 3, ".tmpXXXXXX", 11);
	if ((w->tmp_fd = mkostemp(w->tmppath, O_CLOEXEC)) < 0) {
		buf_reset(why);
		(void)buf_printf(why, "create %s: %s", w->tmppath,
		    strerror(errno));
		free(w->tmppath);
		w->tmppath = NULL;
		return dict_fail(errno == ENOENT ? EX_NOINPUT
		    : errno == EACCES ? EX_NOPERM : EX_TEMPFAIL);
	}
	if ((w->db = dict_db_handle(why)) == NULL)
		return -1;
	ret = w->db->open(w->db, NULL, w->tmppath, NULL,
	    btree ? DB_BTREE : DB_HASH, DB_CREATE | DB_TRUNCATE, 0600);
	if (ret != 0)
		return dict_db_writer_fail(w, "create database",
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
	return 0;
}

/* dict_db_fsync_dir - fsync the directory holding path */
static int
dict_db_fsync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char   *dir;
	int     fd, ret = -1;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		ret = fsync(fd);
		if (close(fd) < 0)
			ret = -1;
	}
	free(dir);
	return ret;
}

/* dict_db_writer_commit - sync, close, chmod/chown like st, rename */
static int
dict_db_writer_commit(struct dict_db_writer *w, const struct stat *st)
{
	DB     *db = w->db;
	int     ret;

	w->db = NULL;
	dict_db_errmsg[0] = '\0';
	if ((ret = db->sync(db, 0)) != 0) {
		(void)db->close(db, 0);
		return dict_db_writer_fail(w, "write database",
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
	}
	if ((ret = db->close(db, 0)) != 0)
		return dict_db_writer_fail(w, "close database",
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
	if (fsync(w->tmp_fd) < 0)
		return dict_db_writer_fail(w, "fsync", strerror(errno));
	if (fchmod(w->tmp_fd, st != NULL ? st->st_mode & 0666 : 0644) < 0)
		return dict_db_writer_fail(w, "chmod", strerror(errno));
	if (st != NULL && geteuid() == 0
	    && fchown(w->tmp_fd, st->st_uid, st->st_gid) < 0)
		return dict_db_writer_fail(w, "chown", strerror(errno));
	ret = close(w->tmp_fd);
	w->tmp_fd = -1;
	if (ret < 0)
		return dict_db_writer_fail(w, "close", strerror(errno));
	if (rename(w->tmppath, w->dbpath) < 0)
		return dict_db_writer_fail(w, "rename to database",
		    strerror(errno));
	free(w->tmppath);
	w->tmppath = NULL;
	if (dict_db_fsync_dir(w->dbpath) < 0)
		return dict_db_writer_fail(w, "fsync directory of",
		    strerror(errno));
	return 0;
}

/* dict_db_writer_end - release everything; remove the temporary file
 * unless committed; returns ret */
static int
dict_db_writer_end(struct dict_db_writer *w, int ret)
{
	if (w->db != NULL)
		(void)w->db->close(w->db, DB_NOSYNC);
	if (w->tmp_fd >= 0)
		(void)close(w->tmp_fd);	/* an error path: the file goes */
	if (w->tmppath != NULL && unlink(w->tmppath) < 0)
		log_warn("remove %s: %m", w->tmppath);
	if (w->lock_fd >= 0)
		(void)close(w->lock_fd);	/* releases the flock */
	free(w->tmppath);
	free(w->dbpath);
	return ret;
}

/* dict_db_put - store key and value, both with their NUL */
static int
dict_db_put(struct dict_db_writer *w, const void *key, size_t klen,
    const void *val, size_t vlen, bool replace)
{
	DBT     k, v;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	v.data = (void *)val;
	v.size = (u_int32_t)vlen;
	return w->db->put(w->db, NULL, &k, &v, replace ? 0 : DB_NOOVERWRITE);
}

/* dict_db_put_entry - text parser callback: one source entry */
static int
dict_db_put_entry(void *ctx, const char *key, const char *value,
    size_t line, struct buf *why)
{
	struct dict_db_writer *w = ctx;
	struct buf *pr;
	int     ret;

	(void)why;
	ret = dict_db_put(w, key, strlen(key) + 1, value, strlen(value) + 1,
	    w->replace);
	if (ret == DB_KEYEXIST) {
		pr = buf_new(0);
		log_warn("%s:%zu: duplicate entry: \"%s\" ignored", w->source,
		    line, log_printable(pr, key, strlen(key), 100));
		buf_free(pr);
		return 0;
	}
	if (ret != 0)
		return dict_db_writer_fail(w, "write database",
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
	return 0;
}

/* dict_db_parse - feed a text source into the new database */
static int
dict_db_parse(struct dict_db_writer *w, int fd, const char *source,
    enum dict_syntax syntax)
{
	w->source = source;
	if (dict_text_parse_fd(fd, source, syntax, dict_db_put_entry, w,
	    w->why) == 0)
		return 0;
	return dict_fail(w->put_failed ? EX_TEMPFAIL : EX_DATAERR);
}

/* dict_db_build - PATH.db from the text source PATH */
int
dict_db_build(const char *path, bool btree, enum dict_syntax syntax,
    struct buf *why)
{
	struct dict_db_writer w;
	struct stat st;
	int     fd, ret = -1;

	errno = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		buf_reset(why);
		(void)buf_printf(why, "open source %s: %s", path,
		    strerror(errno));
		return dict_fail(errno == ENOENT ? EX_NOINPUT
		    : errno == EACCES ? EX_NOPERM : EX_TEMPFAIL);
	}
	errno = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		buf_reset(why);
		(void)buf_printf(why, "open source %s: %s", path,
		    errno != 0 ? strerror(errno) : "not a regular file");
		(void)close(fd);
		return dict_fail(EX_NOINPUT);
	}
	if (dict_db_writer_start(&w, path, btree, why) == 0
	    && dict_db_parse(&w, fd, path, syntax) == 0)
		ret = dict_db_writer_commit(&w, &st);
	(void)close(fd);			/* read-only */
	return dict_db_writer_end(&w, ret);
}

/* dict_db_copy - copy the old table into the new one, without the
 * folded key skip (NULL: everything); *skipped counts what was left out */
static int
dict_db_copy(struct dict_db_writer *w, DB *old, const char *skip,
    int *skipped)
{
	size_t  slen = skip ? strlen(skip) : 0;
	DBC    *cur;
	DBT     k, v;
	int     ret;

	*skipped = 0;
	if ((ret = old->cursor(old, NULL, &cur, 0)) != 0)
		return dict_db_writer_fail(w, "read database",
		    db_strerror(ret));
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((ret = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
		if (skip != NULL && (k.size == slen || (k.size == slen + 1
		    && ((const char *)k.data)[slen] == '\0'))
		    && memcmp(k.data, skip, slen) == 0) {
			(*skipped)++;
			continue;
		}
		if ((ret = w->db->put(w->db, NULL, &k, &v, 0)) != 0)
			break;
	}
	(void)cur->close(cur);
	if (ret != DB_NOTFOUND)
		return dict_db_writer_fail(w, "copy database",
		    *dict_db_detail() ? dict_db_detail() : db_strerror(ret));
	return 0;
}

/* dict_db_delete - rewrite PATH.db without key */
int
dict_db_delete(const char *path, bool btree, const char *key,
    struct buf *why)
{
	struct dict_db_writer w;
	struct dict_db *old;
	struct buf *value = buf_new(0);
	struct stat st;
	int     found, skipped = 0, ret = -1;

	/* look first: a key that is not there changes nothing */
	if ((old = dict_db_open(path, btree, why)) == NULL) {
		buf_free(value);
		return -1;
	}
	found = dict_db_get(old, key, strlen(key), value, why);
	old = dict_db_close(old);
	buf_free(value);
	if (found <= 0)
		return found;
	if (dict_db_writer_start(&w, path, btree, why) < 0)
		return dict_db_writer_end(&w, -1);
	/* reopen under the lock: the table may have been rebuilt meanwhile */
	if ((old = dict_db_open(path, btree, why)) != NULL) {
		if (dict_db_copy(&w, old->db, key, &skipped) == 0
		    && fstat(old->fd, &st) == 0)
			ret = dict_db_writer_commit(&w, &st);
		old = dict_db_close(old);
	}
	if (ret == 0)
		ret = skipped > 0 ? 1 : 0;
	return dict_db_writer_end(&w, ret);
}

/* dict_db_add - PATH.db plus the entries of a text source */
int
dict_db_add(const char *path, bool btree, int fd, const char *source,
    enum dict_syntax syntax, struct buf *why)
{
	struct dict_db_writer w;
	struct dict_db *old = NULL;
	struct stat st, *stp = NULL;
	int     skipped, ret = -1;

	if (dict_db_writer_start(&w, path, btree, why) < 0)
		return dict_db_writer_end(&w, -1);
	if (w.lock_fd >= 0) {
		if ((old = dict_db_open(path, btree, why)) == NULL)
			return dict_db_writer_end(&w, -1);
		if (dict_db_copy(&w, old->db, NULL, &skipped) < 0
		    || fstat(old->fd, &st) < 0) {
			old = dict_db_close(old);
			return dict_db_writer_end(&w, -1);
		}
		stp = &st;
		old = dict_db_close(old);
	}
	w.replace = true;
	if (dict_db_parse(&w, fd, source, syntax) == 0)
		ret = dict_db_writer_commit(&w, stp);
	return dict_db_writer_end(&w, ret);
}
