/* postern_check.c - "postern check": configuration, queue and tables
 *
 * Checks, without changing anything, what the mail system depends on, and
 * prints every problem found ("postern: error: ..." or "postern: warning:
 * ...", with "file, line N: " where a line is to blame), then a summary
 * line; the exit status is 0 when there was no error (warnings allowed),
 * 1 otherwise. In order:
 *   - main.cf: params_check() (unknown names warn, bad values are errors);
 *   - main.cf, master.cf and their directory: not group or world
 *     writable, owned by root when checked by root;
 *   - master.cf: what cf_read_master reports, then each entry's columns as
 *     master reads them (type, y/n/- flags, wakeup, maxproc, a unix
 *     service name that is a file name), duplicate services, and the
 *     program in daemon_directory (missing: a warning, as master then
 *     ignores the entry);
 *   - mail_owner and setgid_group exist (errors when checked by root, who
 *     starts the privilege-separated system), mail_owner is not root and
 *     does not have setgid_group as its group;
 *   - the queue: queue_directory and every directory of util/queue.h's
 *     queue_dirs with its mode and owner (mail_owner, setgid_group where
 *     marked, root for pid/; when checked by an ordinary user, that user,
 *     as "postern start" sets them up), and no world-writable file or
 *     directory anywhere below it (bounded walk: POSTERN_CHECK_MAX_DEPTH
 *     levels, POSTERN_CHECK_MAX_ENTRIES entries, symbolic links never
 *     followed);
 *   - the lookup tables named by every *_maps, *_database and *_domains
 *     parameter: hash:/btree: need FILE.db, not older than FILE, owned by
 *     root, not group or world writable; texthash: needs FILE. Tables of
 *     parameters set in main.cf are checked first, so that a problem is
 *     reported at the line that names the table. alias_database only
 *     names what newaliases builds: its FILE.db missing is a warning, and
 *     nothing when FILE does not exist either.
 * A missing queue directory or queue subdirectory is only a warning:
 * "postern start" creates them.
 */
#include "buf.h"
#include "cf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "postern.h"
#include "privs.h"
#include "queue.h"
#include "str.h"

#include <dirent.h>
#include <grp.h>
#include <pwd.h>

#define POSTERN_CHECK_MAX_DEPTH		4
#define POSTERN_CHECK_MAX_ENTRIES	200000
#define POSTERN_CHECK_MAX_TABLES	1000
/* the limits of master's columns, as master/master.h has them */
#define POSTERN_CHECK_MAX_PROC		10000
#define POSTERN_CHECK_MAX_WAKEUP	(7 * 86400)

/* the state of one check */
struct postern_check {
	int	errors;
	int	warnings;
	bool	root;		/* checked by root */
	char   *main_path;	/* DIR/main.cf */
	struct cf_main *main_cf; /* the lines of parameters; may be NULL */
	char  **tables;		/* table files checked already */
	size_t	ntables;
	size_t	entries;	/* walked in the queue */
};

/* postern_check_report - count and print one problem (cf_report_fn) */
static void
postern_check_report(void *ctx, enum cf_severity sev, const char *file,
    int line, const char *text)
{
	struct postern_check *c = ctx;
	struct buf *msg = buf_new(CF_MAX_LINE);

	(void)cf_report_text(msg, file, line, text);
	if (sev == CF_ERROR) {
		c->errors++;
		log_error("%s", buf_str(msg));
	} else {
		c->warnings++;
		log_warn("%s", buf_str(msg));
	}
	buf_free(msg);
}

/* postern_check_problem - report a formatted problem */
static void
postern_check_problem(struct postern_check *c, enum cf_severity sev,
    const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
postern_check_problem(struct postern_check *c, enum cf_severity sev,
    const char *file, int line, const char *fmt, ...)
{
	struct buf *text = buf_new(CF_MAX_LINE);
	va_list ap;

	va_start(ap, fmt);
	(void)buf_vprintf(text, fmt, ap);	/* truncated when too long */
	va_end(ap);
	postern_check_report(c, sev, file, line, buf_str(text));
	buf_free(text);
}

/* postern_check_param_line - the main.cf line of a parameter, 0 when it
 * is not set there */
static int
postern_check_param_line(const struct postern_check *c, const char *name)
{
	size_t  i;

	for (i = 0; c->main_cf != NULL && i < c->main_cf->npairs; i++)
		if (strcmp(c->main_cf->pairs[i].name, name) == 0)
			return c->main_cf->pairs[i].line;
	return 0;
}

/* postern_check_param - report a problem with the value of a parameter:
 * "main.cf, line N: name: text", or "name (default): text" */
static void
postern_check_param(struct postern_check *c, enum cf_severity sev,
    const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
postern_check_param(struct postern_check *c, enum cf_severity sev,
    const char *name, const char *fmt, ...)
{
	struct buf *text = buf_new(CF_MAX_LINE);
	int     line = postern_check_param_line(c, name);
	va_list ap;

	(void)buf_printf(text, line > 0 ? "%s: " : "%s (default): ", name);
	va_start(ap, fmt);
	(void)buf_vprintf(text, fmt, ap);
	va_end(ap);
	postern_check_report(c, sev, c->main_path, line, buf_str(text));
	buf_free(text);
}

/* postern_check_config_file - a configuration file or directory: not
 * writable by others (error) or the group (warning), root's when root
 * checks; a missing file was reported by its reader */
static void
postern_check_config_file(struct postern_check *c, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return;
	if (st.st_mode & S_IWOTH)
		postern_check_problem(c, CF_ERROR, path, 0, "%s is world "
		    "writable (mode %04o): anybody could change what the "
		    "mail system runs", path, (unsigned)(st.st_mode & 07777));
	else if (st.st_mode & S_IWGRP)
		postern_check_problem(c, CF_WARN, path, 0, "%s is group "
		    "writable (mode %04o)", path,
		    (unsigned)(st.st_mode & 07777));
	if (c->root && st.st_uid != 0)
		postern_check_problem(c, CF_WARN, path, 0, "%s is owned by "
		    "uid %ld, expected root", path, (long)st.st_uid);
}

/* postern_check_daemon_dir - daemon_directory, or the directory of this
 * program when it is empty (as postern start and master find them);
 * caller frees; NULL when unknown (reported) */
static char *
postern_check_daemon_dir(struct postern_check *c)
{
	struct buf *why = buf_new(0);
	char	*dir = params_daemon_directory(why);

	if (dir == NULL)
		postern_check_param(c, CF_WARN, "daemon_directory", "cannot "
		    "find the directory of postern: programs not checked");
	buf_free(why);
	return dir;
}

/* postern_check_flag - a y/n/- column */
static bool
postern_check_flag(const char *value)
{
	return strcmp(value, "-") == 0 || strcmp(value, "y") == 0
	    || strcmp(value, "n") == 0;
}

/* postern_check_wakeup - the wakeup column: "-", or seconds with an
 * optional trailing "?" */
static bool
postern_check_wakeup(const char *value)
{
	char    num[32];
	size_t  len = strlen(value);
	unsigned long long n;

	if (strcmp(value, "-") == 0)
		return true;
	if (len > 0 && value[len - 1] == '?')
		len--;
	if (len == 0 || len >= sizeof(num))
		return false;
	memcpy(num, value, len);
	num[len] = '\0';
	return parse_uint(num, 0, POSTERN_CHECK_MAX_WAKEUP, &n) == 0;
}

/* postern_check_program - the command of a service can be executed */
static void
postern_check_program(struct postern_check *c, const char *file,
    const struct cf_service *s, const char *daemon_dir)
{
	struct buf *path = buf_new(PATH_MAX);

	if (*s->argv[0] == '/')
		(void)buf_append_str(path, s->argv[0]);
	else if (daemon_dir != NULL)
		(void)buf_printf(path, "%s/%s", daemon_dir, s->argv[0]);
	/* empty: the daemon directory is unknown, which was reported */
	if (buf_len(path) > 0 && access(buf_str(path), X_OK) < 0)
		postern_check_problem(c, CF_WARN, file, s->line, "service "
		    "%s: cannot execute %s: %s (master ignores this service)",
		    s->service, buf_str(path), strerror(errno));
	buf_free(path);
}

/* postern_check_same - whether two entries name the same service (as
 * master tells them apart: name and type, and for unix the directory) */
static bool
postern_check_same(const struct cf_service *a, const struct cf_service *b)
{
	if (strcmp(a->service, b->service) != 0
	    || strcmp(a->type, b->type) != 0)
		return false;
	if (strcmp(a->type, "unix") != 0)
		return true;
	return (strcmp(a->private_, "n") == 0)
	    == (strcmp(b->private_, "n") == 0);
}

/* postern_check_service - the columns of one master.cf entry; false when
 * master would refuse it */
static bool
postern_check_service(struct postern_check *c, const char *file,
    const struct cf_service *s)
{
	unsigned long long n;
	bool    is_unix = strcmp(s->type, "unix") == 0;

	if (!is_unix && strcmp(s->type, "inet") != 0) {
		if (strcmp(s->type, "unix-dgram") == 0
		    || strcmp(s->type, "fifo") == 0
		    || strcmp(s->type, "pass") == 0)
			postern_check_problem(c, CF_WARN, file, s->line,
			    "service %s: type %s is not supported (master "
			    "ignores this service)", s->service, s->type);
		else
			postern_check_problem(c, CF_ERROR, file, s->line,
			    "service %s: unknown type \"%s\": expected inet "
			    "or unix", s->service, s->type);
		return false;
	}
	if (s->argc < 1 || *s->argv[0] == '\0') {
		postern_check_problem(c, CF_ERROR, file, s->line, "service "
		    "%s: no command", s->service);
		return false;
	}
	if (is_unix && (*s->service == '.' || strchr(s->service, '/')
	    || strlen(s->service) > 64))
		postern_check_problem(c, CF_ERROR, file, s->line, "service "
		    "%s: bad name for a unix service: expected a file name "
		    "without \"/\"", s->service);
	if (!postern_check_flag(s->private_) || !postern_check_flag(s->unpriv)
	    || !postern_check_flag(s->chroot))
		postern_check_problem(c, CF_ERROR, file, s->line, "service "
		    "%s: bad private, unpriv or chroot column (\"%s\" \"%s\" "
		    "\"%s\"): expected y, n or -", s->service, s->private_,
		    s->unpriv, s->chroot);
	if (!postern_check_wakeup(s->wakeup))
		postern_check_problem(c, CF_ERROR, file, s->line, "service "
		    "%s: bad wakeup \"%s\": expected -, or seconds up to %d",
		    s->service, s->wakeup, POSTERN_CHECK_MAX_WAKEUP);
	if (strcmp(s->maxproc, "-") != 0 && parse_uint(s->maxproc, 0,
	    POSTERN_CHECK_MAX_PROC, &n) < 0)
		postern_check_problem(c, CF_ERROR, file, s->line, "service "
		    "%s: bad maxproc \"%s\": expected -, or a number from 0 "
		    "(no limit) to %d", s->service, s->maxproc,
		    POSTERN_CHECK_MAX_PROC);
	return true;
}

/* postern_check_master - master.cf */
static void
postern_check_master(struct postern_check *c)
{
	struct buf *path = buf_new(PATH_MAX);
	struct cf_master *m;
	char   *daemon_dir;
	size_t  i, j;

	(void)buf_printf(path, "%s/master.cf", var_config_directory);
	postern_check_config_file(c, buf_str(path));
	m = cf_read_master(buf_str(path), postern_check_report, c);
	if (m == NULL) {
		buf_free(path);
		return;			/* reported by the reader */
	}
	if (m->nservices == 0)
		postern_check_problem(c, CF_ERROR, buf_str(path), 0,
		    "%s: no services are configured", buf_str(path));
	daemon_dir = postern_check_daemon_dir(c);
	for (i = 0; i < m->nservices; i++) {
		if (!postern_check_service(c, buf_str(path),
		    &m->services[i]))
			continue;
		for (j = 0; j < i; j++)
			if (postern_check_same(&m->services[j],
			    &m->services[i]))
				break;
		if (j < i)
			postern_check_problem(c, CF_ERROR, buf_str(path),
			    m->services[i].line, "service %s: duplicate of "
			    "the %s service on line %d",
			    m->services[i].service, m->services[j].type,
			    m->services[j].line);
		postern_check_program(c, buf_str(path), &m->services[i],
		    daemon_dir);
	}
	free(daemon_dir);
	cf_master_free(m);
	buf_free(path);
}

/* postern_check_accounts - mail_owner and setgid_group */
static void
postern_check_accounts(struct postern_check *c)
{
	enum cf_severity sev = c->root ? CF_ERROR : CF_WARN;
	struct passwd *pw;
	struct group *gr;
	uid_t   uid = 0;
	gid_t   gid = 0;

	errno = 0;
	pw = getpwnam(var_mail_owner);
	if (pw == NULL) {
		postern_check_param(c, sev, "mail_owner", "user \"%s\" does "
		    "not exist; create it with: useradd -r -M -d /nonexistent "
		    "-s /usr/sbin/nologin %s", var_mail_owner, var_mail_owner);
	} else if (pw->pw_uid == 0) {
		postern_check_param(c, CF_ERROR, "mail_owner", "\"%s\" is the "
		    "super-user: it must be an unprivileged account of its "
		    "own", var_mail_owner);
	} else {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	errno = 0;
	gr = getgrnam(var_setgid_group);
	if (gr == NULL)
		postern_check_param(c, sev, "setgid_group", "group \"%s\" "
		    "does not exist; create it with: groupadd -r %s",
		    var_setgid_group, var_setgid_group);
	else if (uid != 0 && gr->gr_gid == gid)
		postern_check_param(c, CF_ERROR, "setgid_group", "group "
		    "\"%s\" is the group of mail_owner \"%s\": it must be a "
		    "group of its own", var_setgid_group, var_mail_owner);
}

/* postern_check_walk - no world-writable file or directory below the
 * directory fd (closed here); path names it in messages */
static void
postern_check_walk(struct postern_check *c, int fd, const char *path,
    int depth)
{
	struct buf *sub = buf_new(PATH_MAX);
	struct dirent *e;
	struct stat st;
	DIR    *dir;
	int     subfd;

	dir = fdopendir(fd);
	if (dir == NULL) {
		postern_check_problem(c, CF_WARN, path, 0, "cannot read "
		    "directory %s: %s", path, strerror(errno));
		(void)close(fd);	/* read-only */
		buf_free(sub);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0
		    || strcmp(e->d_name, "..") == 0)
			continue;
		if (++c->entries == POSTERN_CHECK_MAX_ENTRIES)
			postern_check_problem(c, CF_WARN, path, 0, "more than "
			    "%d entries in the queue: the rest is not "
			    "checked", POSTERN_CHECK_MAX_ENTRIES);
		if (c->entries >= POSTERN_CHECK_MAX_ENTRIES)
			break;
		if (fstatat(dirfd(dir), e->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) < 0)
			continue;	/* gone meanwhile: queue files move */
		buf_reset(sub);
		if (buf_printf(sub, "%s/%s", path, e->d_name) < 0)
			continue;	/* absurdly long: not ours */
		if ((S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		    && (st.st_mode & S_IWOTH))
			postern_check_problem(c, CF_ERROR, buf_str(sub), 0,
			    "%s is world writable (mode %04o)", buf_str(sub),
			    (unsigned)(st.st_mode & 07777));
		if (!S_ISDIR(st.st_mode) || depth >= POSTERN_CHECK_MAX_DEPTH)
			continue;
		subfd = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY
		    | O_NOFOLLOW | O_CLOEXEC);
		if (subfd < 0)
			postern_check_problem(c, CF_WARN, buf_str(sub), 0,
			    "cannot open directory %s: %s", buf_str(sub),
			    strerror(errno));
		else
			postern_check_walk(c, subfd, buf_str(sub), depth + 1);
	}
	(void)closedir(dir);	/* read-only */
	buf_free(sub);
}

/* postern_check_queue_dir - one directory of queue_dirs: type, mode and
 * owner (uid, gid: (uid_t)-1, (gid_t)-1 when not checked) */
static void
postern_check_queue_dir(struct postern_check *c, int dfd,
    const struct queue_dir_spec *d, uid_t uid, gid_t gid)
{
	struct buf *path = buf_new(PATH_MAX);
	struct stat st;

	(void)buf_printf(path, "%s/%s", var_queue_directory, d->name);
	if (fstatat(dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			postern_check_problem(c, CF_WARN, buf_str(path), 0,
			    "%s does not exist (postern start creates it)",
			    buf_str(path));
		else
			postern_check_problem(c, CF_ERROR, buf_str(path), 0,
			    "%s: %s", buf_str(path), strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		postern_check_problem(c, CF_ERROR, buf_str(path), 0, "%s is "
		    "not a directory%s", buf_str(path), S_ISLNK(st.st_mode) ?
		    " but a symbolic link" : "");
	} else {
		if ((st.st_mode & 07777) != d->mode)
			postern_check_problem(c, CF_ERROR, buf_str(path), 0,
			    "%s has mode %04o, expected %04o", buf_str(path),
			    (unsigned)(st.st_mode & 07777), (unsigned)d->mode);
		if ((uid != (uid_t)-1 && st.st_uid != uid)
		    || (gid != (gid_t)-1 && st.st_gid != gid))
			postern_check_problem(c, CF_ERROR, buf_str(path), 0,
			    "%s is owned by %ld:%ld, expected %ld:%ld",
			    buf_str(path), (long)st.st_uid, (long)st.st_gid,
			    uid == (uid_t)-1 ? (long)st.st_uid : (long)uid,
			    gid == (gid_t)-1 ? (long)st.st_gid : (long)gid);
	}
	buf_free(path);
}

/* postern_check_queue - queue_directory and its directories */
static void
postern_check_queue(struct postern_check *c)
{
	const struct queue_dir_spec *d;
	uid_t   owner = (uid_t)-1, uid;
	gid_t   group = (gid_t)-1, postdrop = (gid_t)-1, gid;
	struct group *gr;
	struct stat st;
	size_t  i;
	int     dfd;

	if (stat(var_queue_directory, &st) < 0) {
		if (errno == ENOENT)
			postern_check_param(c, CF_WARN, "queue_directory",
			    "%s does not exist (postern start creates it)",
			    var_queue_directory);
		else
			postern_check_param(c, CF_ERROR, "queue_directory",
			    "%s: %s", var_queue_directory, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		postern_check_param(c, CF_ERROR, "queue_directory", "%s is "
		    "not a directory", var_queue_directory);
		return;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		postern_check_problem(c, CF_ERROR, var_queue_directory, 0,
		    "%s has mode %04o, expected 0755 (not writable by group "
		    "or others)", var_queue_directory,
		    (unsigned)(st.st_mode & 07777));
	if (c->root) {
		if (privs_lookup(var_mail_owner, &owner, &group) < 0)
			owner = (uid_t)-1;	/* reported with accounts */
		if (owner == (uid_t)-1)
			group = (gid_t)-1;
		if ((gr = getgrnam(var_setgid_group)) != NULL)
			postdrop = gr->gr_gid;
	} else {
		owner = geteuid();	/* "postern start" without root */
	}
	dfd = open(var_queue_directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		postern_check_param(c, CF_ERROR, "queue_directory", "open %s: "
		    "%s", var_queue_directory, strerror(errno));
		return;
	}
	for (i = 0; i < queue_dirs_count; i++) {
		d = &queue_dirs[i];
		uid = owner;
		gid = d->group_postdrop ? postdrop : group;
		if (d->root_owned) {
			uid = c->root ? 0 : (uid_t)-1;
			gid = c->root ? 0 : (gid_t)-1;
		}
		postern_check_queue_dir(c, dfd, d, uid, gid);
	}
	postern_check_walk(c, dfd, var_queue_directory, 1);
}

/* postern_check_hint - how to rebuild the table of a parameter */
static const char *
postern_check_hint(const char *param, const char *type_name,
    struct buf *out)
{
	buf_reset(out);
	if (strcmp(param, "alias_maps") == 0
	    || strcmp(param, "alias_database") == 0)
		(void)buf_append_str(out, "run newaliases");
	else
		(void)buf_printf(out, "run postern map %s", type_name);
	return buf_str(out);
}

/* postern_check_db - a hash: or btree: table: FILE.db */
static void
postern_check_db(struct postern_check *c, const char *param,
    const char *type_name, const char *file)
{
	struct buf *db = buf_new(PATH_MAX), *hint = buf_new(PATH_MAX);
	struct stat dst, sst;

	if (buf_printf(db, "%s.db", file) < 0) {
		postern_check_param(c, CF_ERROR, param, "%s: file name too "
		    "long", type_name);
		goto done;
	}
	(void)postern_check_hint(param, type_name, hint);
	if (stat(buf_str(db), &dst) < 0) {
		/* alias_database only says what newaliases builds: no source,
		 * nothing to build; a source not built yet is a warning */
		if (strcmp(param, "alias_database") == 0 && errno == ENOENT
		    && stat(file, &sst) < 0)
			goto done;
		postern_check_param(c, strcmp(param, "alias_database") == 0 ?
		    CF_WARN : CF_ERROR, param, "%s: %s: %s: %s", type_name,
		    buf_str(db), strerror(errno), buf_str(hint));
		goto done;
	}
	if (!S_ISREG(dst.st_mode)) {
		postern_check_param(c, CF_ERROR, param, "%s: %s is not a "
		    "regular file", type_name, buf_str(db));
		goto done;
	}
	if (stat(file, &sst) == 0 && (sst.st_mtim.tv_sec > dst.st_mtim.tv_sec
	    || (sst.st_mtim.tv_sec == dst.st_mtim.tv_sec
	    && sst.st_mtim.tv_nsec > dst.st_mtim.tv_nsec)))
		postern_check_param(c, CF_WARN, param, "%s is older than "
		    "source file %s: %s", buf_str(db), file, buf_str(hint));
	if (dst.st_mode & (S_IWGRP | S_IWOTH))
		postern_check_param(c, CF_ERROR, param, "%s is writable by "
		    "group or others (mode %04o): anybody in them could "
		    "change where mail goes", buf_str(db),
		    (unsigned)(dst.st_mode & 07777));
	if (dst.st_uid != 0 && (c->root || dst.st_uid != geteuid()))
		postern_check_param(c, CF_WARN, param, "%s is owned by uid "
		    "%ld, expected root", buf_str(db), (long)dst.st_uid);

done:
	buf_free(db);
	buf_free(hint);
}

/* postern_check_text_table - a texthash: table: FILE itself */
static void
postern_check_text_table(struct postern_check *c, const char *param,
    const char *type_name, const char *file)
{
	struct stat st;

	if (stat(file, &st) < 0)
		postern_check_param(c, CF_ERROR, param, "%s: %s: %s",
		    type_name, file, strerror(errno));
	else if (st.st_mode & S_IWOTH)
		postern_check_param(c, CF_ERROR, param, "%s is world writable "
		    "(mode %04o)", file, (unsigned)(st.st_mode & 07777));
}

/* postern_check_seen - whether a table was checked already (remembers
 * it when not) */
static bool
postern_check_seen(struct postern_check *c, const char *type_name)
{
	size_t  i;

	for (i = 0; i < c->ntables; i++)
		if (strcmp(c->tables[i], type_name) == 0)
			return true;
	if (c->ntables >= POSTERN_CHECK_MAX_TABLES)
		return true;	/* enough: do not grow without end */
	c->tables = xreallocarray(c->tables, c->ntables + 1,
	    sizeof(*c->tables));
	c->tables[c->ntables++] = xstrdup(type_name);
	return false;
}

/* postern_check_table - one "type:name" of a parameter */
static void
postern_check_table(struct postern_check *c, const char *param,
    const char *type_name)
{
	const char *tn = type_name, *colon;

	/* proxy:hash:/x is the table hash:/x read through a proxy */
	while (strncmp(tn, "proxy:", 6) == 0)
		tn += 6;
	colon = strchr(tn, ':');
	if (colon == NULL || postern_check_seen(c, tn))
		return;
	if (strncmp(tn, "hash:", 5) == 0 || strncmp(tn, "btree:", 6) == 0)
		postern_check_db(c, param, tn, colon + 1);
	else if (strncmp(tn, "texthash:", 9) == 0)
		postern_check_text_table(c, param, tn, colon + 1);
}

/* postern_check_table_param - whether a parameter holds tables */
static bool
postern_check_table_param(const struct params_row *row)
{
	size_t  len = strlen(row->name);

	if (row->type != PARAMS_STR)
		return false;
	return (len > 5 && strcmp(row->name + len - 5, "_maps") == 0)
	    || (len > 9 && strcmp(row->name + len - 9, "_database") == 0)
	    || (len > 8 && strcmp(row->name + len - 8, "_domains") == 0);
}

/* postern_check_param_tables - the tables of one parameter: a list of
 * "type:name", where inline:{ ... } may hold separators */
static void
postern_check_param_tables(struct postern_check *c, const char *name)
{
	const char *value, *p, *start;
	char   *item;
	int     depth;

	if ((value = params_value(name)) == NULL)
		return;
	for (p = value; *p != '\0';) {
		if (strchr(STR_LIST_SEPS, *p) != NULL) {
			p++;
			continue;
		}
		for (start = p, depth = 0; *p != '\0'; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			else if (depth == 0
			    && strchr(STR_LIST_SEPS, *p) != NULL)
				break;
		}
		item = xstrndup(start, (size_t)(p - start));
		postern_check_table(c, name, item);
		free(item);
	}
}

/* postern_check_tables - the tables of every table-valued parameter,
 * so that a table shared by several is reported under the one that names
 * it: first those set in main.cf, then defaults, and each time those
 * without $name references first (local_recipient_maps holds
 * $alias_maps, and a problem of that table belongs to alias_maps) */
static void
postern_check_tables(struct postern_check *c)
{
	const struct params_row *row;
	const char *raw;
	size_t  i;
	int     pass, rank;

	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < params_count; i++) {
			row = &params_table[i];
			if (!postern_check_table_param(row))
				continue;
			raw = params_raw(row->name);
			rank = (raw == NULL ? 2 : 0)
			    + (strchr(raw ? raw : row->def, '$') ? 1 : 0);
			if (rank == pass)
				postern_check_param_tables(c, row->name);
		}
	}
}

/* postern_check - "postern check" */
int
postern_check(const struct postern_opts *opts, int argc, char **argv)
{
	struct postern_check c;
	struct buf *path = buf_new(PATH_MAX);
	size_t  i;

	if (argc != 1)
		postern_usage_fatal(postern_cmd_find(argv[0]));
	memset(&c, 0, sizeof(c));
	c.root = geteuid() == 0;
	(void)params_check(opts->config_dir, postern_check_report, &c);
	(void)buf_printf(path, "%s/main.cf", var_config_directory);
	c.main_path = xstrdup(buf_str(path));
	c.main_cf = cf_read_main(c.main_path, NULL, NULL);
	postern_check_config_file(&c, var_config_directory);
	postern_check_config_file(&c, c.main_path);
	postern_check_master(&c);
	postern_check_accounts(&c);
	postern_check_queue(&c);
	postern_check_tables(&c);
	log_info("check: %d error%s, %d warning%s", c.errors,
	    c.errors == 1 ? "" : "s", c.warnings,
	    c.warnings == 1 ? "" : "s");
	for (i = 0; i < c.ntables; i++)
		free(c.tables[i]);
	free(c.tables);
	cf_main_free(c.main_cf);
	free(c.main_path);
	buf_free(path);
	return c.errors > 0 ? 1 : 0;
}
