/* postern_conf.c - "postern conf": print and edit main.cf, like postconf
 *
 * postern conf [-d | -n] [-h] [NAME...] prints parameters as "name =
 * value" sorted by name: every parameter of util/params_table.c with its
 * current, $name-expanded value; with -n only the entries of main.cf, as
 * written; with -d the defaults of the table; with names only those (an
 * unknown name is a warning, the others are still printed, and the exit
 * status is 1). -h prints values without "name = ". -M [SERVICE[/TYPE]...]
 * prints master.cf entries with their columns aligned, as postconf -M.
 *
 * postern conf -e name=value... and -X name... edit main.cf in place
 * (postern_conf_edit.c keeps comments, blank lines, order and other
 * entries). The edit is all or nothing: main.cf is locked (flock, and
 * re-opened if another editor replaced it meanwhile), the new text goes to
 * DIR/.main.cf.edit.XXXXXX/main.cf (a private directory beside main.cf, on
 * the same file system) with the old file's owner and mode, is fsync'd,
 * checked with params_check() on that directory, and only renamed over
 * main.cf (then the directory fsync'd) when it brings no error the old
 * file did not have; otherwise the errors are printed as params words
 * them, the temporary file is removed and main.cf stays untouched. A
 * symbolic link main.cf is followed: its target is edited. Limits:
 * POSTERN_CONF_MAX_FILE bytes of main.cf, CF_MAX_LINE per value.
 */
#include "buf.h"
#include "cf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "postern.h"
#include "str.h"

#include <getopt.h>
#include <sys/file.h>

#define POSTERN_CONF_MAX_FILE	(16 * 1024 * 1024)
#define POSTERN_CONF_LOCK_TRIES	10

/* what conf does */
enum postern_conf_mode {
	POSTERN_CONF_CURRENT,	/* expanded current values */
	POSTERN_CONF_SET,	/* -n: main.cf entries as written */
	POSTERN_CONF_DEFAULT,	/* -d: table defaults */
	POSTERN_CONF_EDIT,	/* -e */
	POSTERN_CONF_REMOVE,	/* -X */
	POSTERN_CONF_MASTER	/* -M */
};

/* postern_conf_path - DIR/FILE of the configuration directory; caller
 * frees */
static char *
postern_conf_path(const struct postern_opts *opts, const char *file)
{
	struct buf *b = buf_new(PATH_MAX);
	char   *path;

	if (buf_printf(b, "%s/%s", opts->config_dir ? opts->config_dir :
	    var_config_directory, file) < 0)
		log_fatal("configuration directory name too long");
	path = xstrdup(buf_str(b));
	buf_free(b);
	return path;
}

/* postern_conf_warn_report - main.cf and master.cf problems while
 * printing: warnings, the printing goes on */
static void
postern_conf_warn_report(void *ctx, enum cf_severity sev, const char *file,
    int line, const char *text)
{
	struct buf *msg = buf_new(CF_MAX_LINE);

	(void)ctx;
	(void)sev;
	log_warn("%s", cf_report_text(msg, file, line, text));
	buf_free(msg);
}

/* postern_conf_print - one "name = value" line, or the value alone */
static void
postern_conf_print(const char *name, const char *value, bool value_only)
{
	if (value_only)
		(void)printf("%s\n", value);
	else if (*value == '\0')
		(void)printf("%s =\n", name);
	else
		(void)printf("%s = %s\n", name, value);
}

/* postern_conf_cmp_row - qsort: table rows by name */
static int
postern_conf_cmp_row(const void *a, const void *b)
{
	const struct params_row *const *ra = a, *const *rb = b;

	return strcmp((*ra)->name, (*rb)->name);
}

/* postern_conf_cmp_pair - qsort: main.cf entries by name */
static int
postern_conf_cmp_pair(const void *a, const void *b)
{
	const struct cf_pair *pa = a, *pb = b;

	return strcmp(pa->name, pb->name);
}

/* postern_conf_wanted - whether name is among the names asked for (all
 * when there are none) */
static bool
postern_conf_wanted(const char *name, int argc, char **argv)
{
	int     i;

	if (argc == 0)
		return true;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

/* postern_conf_show_all - every table row, sorted (current or default) */
static void
postern_conf_show_all(enum postern_conf_mode mode, bool value_only)
{
	const struct params_row **rows;
	const char *value;
	size_t  i;

	rows = xcalloc(params_count, sizeof(*rows));
	for (i = 0; i < params_count; i++)
		rows[i] = &params_table[i];
	qsort(rows, params_count, sizeof(*rows), postern_conf_cmp_row);
	for (i = 0; i < params_count; i++) {
		value = mode == POSTERN_CONF_DEFAULT ? rows[i]->def :
		    params_value(rows[i]->name);
		postern_conf_print(rows[i]->name, value ? value : "",
		    value_only);
	}
	free(rows);
}

/* postern_conf_show_names - the named parameters, in the order given;
 * the number of unknown names */
static int
postern_conf_show_names(enum postern_conf_mode mode, bool value_only,
    int argc, char **argv)
{
	const struct params_row *row;
	const char *value;
	int     i, unknown = 0;

	for (i = 0; i < argc; i++) {
		row = params_find(argv[i]);
		if (mode == POSTERN_CONF_DEFAULT)
			value = row ? row->def : NULL;
		else
			value = params_value(argv[i]); /* or main.cf's */
		if (value == NULL) {
			log_warn("%s: unknown parameter", argv[i]);
			unknown++;
			continue;
		}
		postern_conf_print(argv[i], value, value_only);
	}
	return unknown;
}

/* postern_conf_show_set - conf -n: main.cf's entries as written, sorted;
 * the number of names asked for that are not set there */
static int
postern_conf_show_set(const struct postern_opts *opts, bool value_only,
    int argc, char **argv)
{
	char   *path = postern_conf_path(opts, "main.cf");
	struct cf_main *m;
	size_t  i;
	int     j, missing = 0;

	m = cf_read_main(path, postern_conf_warn_report, NULL);
	if (m == NULL)
		log_fatal("cannot read %s", path);
	qsort(m->pairs, m->npairs, sizeof(*m->pairs), postern_conf_cmp_pair);
	for (i = 0; i < m->npairs; i++)
		if (postern_conf_wanted(m->pairs[i].name, argc, argv))
			postern_conf_print(m->pairs[i].name,
			    m->pairs[i].value, value_only);
	for (j = 0; j < argc; j++) {
		for (i = 0; i < m->npairs; i++)
			if (strcmp(m->pairs[i].name, argv[j]) == 0)
				break;
		if (i < m->npairs)
			continue;
		if (params_find(argv[j]) == NULL) {
			log_warn("%s: unknown parameter", argv[j]);
			missing++;
		}
	}
	cf_main_free(m);
	free(path);
	return missing;
}

/* postern_conf_master_arg - one argument of a master.cf command, grouped
 * in "{ }" when it holds white space (as Postfix 3 writes it) */
static void
postern_conf_master_arg(const char *arg)
{
	if (*arg != '\0' && strpbrk(arg, " \t") == NULL)
		(void)printf(" %s", arg);
	else
		(void)printf(" { %s }", arg);
}

/* postern_conf_master_match - whether a service matches SERVICE or
 * SERVICE/TYPE */
static bool
postern_conf_master_match(const struct cf_service *s, const char *want)
{
	const char *slash = strchr(want, '/');
	size_t  len = slash ? (size_t)(slash - want) : strlen(want);

	if (strlen(s->service) != len || memcmp(s->service, want, len) != 0)
		return false;
	return slash == NULL || strcmp(slash + 1, s->type) == 0;
}

/* postern_conf_master - conf -M: master.cf entries, aligned as postconf
 * -M prints them; the number of selectors that matched nothing */
static int
postern_conf_master(const struct postern_opts *opts, int argc, char **argv)
{
	char   *path = postern_conf_path(opts, "master.cf");
	const struct cf_service *s;
	struct cf_master *m;
	size_t  i;
	int     j, a, missing = 0;

	m = cf_read_master(path, postern_conf_warn_report, NULL);
	if (m == NULL)
		log_fatal("cannot read %s", path);
	for (i = 0; i < m->nservices; i++) {
		s = &m->services[i];
		for (j = 0; j < argc; j++)
			if (postern_conf_master_match(s, argv[j]))
				break;
		if (argc > 0 && j == argc)
			continue;
		(void)printf("%-10s %-5s %-7s %-7s %-7s %-7s %-7s %s",
		    s->service, s->type, s->private_, s->unpriv, s->chroot,
		    s->wakeup, s->maxproc, s->argc > 0 ? s->argv[0] : "");
		for (a = 1; a < s->argc; a++)
			postern_conf_master_arg(s->argv[a]);
		(void)printf("\n");
	}
	for (j = 0; j < argc; j++) {
		for (i = 0; i < m->nservices; i++)
			if (postern_conf_master_match(&m->services[i],
			    argv[j]))
				break;
		if (i == m->nservices) {
			log_warn("%s: no such service in %s", argv[j], path);
			missing++;
		}
	}
	cf_master_free(m);
	free(path);
	return missing;
}

/* the errors of one params_check run, for comparing old and new */
struct postern_conf_errors {
	const char *tmp_path;	/* the file checked in place of main.cf */
	const char *real_path;	/* its name in messages */
	char  **texts;
	size_t	n;
	bool	print;		/* also print each one */
};

/* postern_conf_collect - params_check reporter: remember each error */
static void
postern_conf_collect(void *ctx, enum cf_severity sev, const char *file,
    int line, const char *text)
{
	struct postern_conf_errors *errs = ctx;
	struct buf *msg;

	if (sev != CF_ERROR)
		return;
	errs->texts = xreallocarray(errs->texts, errs->n + 1,
	    sizeof(*errs->texts));
	errs->texts[errs->n++] = xstrdup(text);
	if (!errs->print)
		return;
	if (errs->tmp_path != NULL && strcmp(file, errs->tmp_path) == 0)
		file = errs->real_path;
	msg = buf_new(CF_MAX_LINE);
	log_error("%s", cf_report_text(msg, file, line, text));
	buf_free(msg);
}

/* postern_conf_errors_free - release the remembered texts */
static void
postern_conf_errors_free(struct postern_conf_errors *errs)
{
	size_t  i;

	for (i = 0; i < errs->n; i++)
		free(errs->texts[i]);
	free(errs->texts);
	errs->texts = NULL;
	errs->n = 0;
}

/* postern_conf_has_error - whether errs holds text */
static bool
postern_conf_has_error(const struct postern_conf_errors *errs,
    const char *text)
{
	size_t  i;

	for (i = 0; i < errs->n; i++)
		if (strcmp(errs->texts[i], text) == 0)
			return true;
	return false;
}

/* the main.cf being edited */
struct postern_conf_file {
	char   *path;		/* the file itself (symlinks resolved) */
	char   *dir;		/* its directory */
	int	fd;		/* locked; -1: there is no main.cf */
	struct stat st;		/* of fd */
	struct buf *text;	/* its bytes */
	char   *tmp_dir;	/* dir/.main.cf.edit.XXXXXX */
	char   *tmp_path;	/* tmp_dir/main.cf */
};

/* postern_conf_split_dir - the directory part of path; caller frees */
static char *
postern_conf_split_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* postern_conf_open - open and lock main.cf, read it into f->text */
static void
postern_conf_open(const struct postern_opts *opts,
    struct postern_conf_file *f)
{
	char   *given = postern_conf_path(opts, "main.cf");
	struct stat now;
	char    chunk[8192];
	ssize_t n;
	int     tries;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->path = realpath(given, NULL);
	if (f->path == NULL && errno != ENOENT)
		log_fatal("%s: %m", given);
	if (f->path == NULL)
		f->path = xstrdup(given);	/* a new main.cf */
	free(given);
	f->dir = postern_conf_split_dir(f->path);
	f->text = buf_new(POSTERN_CONF_MAX_FILE);
	for (tries = 0; tries < POSTERN_CONF_LOCK_TRIES; tries++) {
		f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
		if (f->fd < 0 && errno == ENOENT)
			return;
		if (f->fd < 0)
			log_fatal("open %s: %m", f->path);
		if (flock(f->fd, LOCK_EX) < 0)
			log_fatal("lock %s: %m", f->path);
		if (fstat(f->fd, &f->st) < 0)
			log_fatal("fstat %s: %m", f->path);
		/* another editor may have renamed a new file into place
		 * while we waited for the lock of the old one */
		if (stat(f->path, &now) == 0 && now.st_ino == f->st.st_ino
		    && now.st_dev == f->st.st_dev)
			break;
		(void)close(f->fd);	/* read-only; drops the lock */
		f->fd = -1;
	}
	if (f->fd < 0)
		log_fatal("%s keeps changing while being locked", f->path);
	if (!S_ISREG(f->st.st_mode))
		log_fatal("%s is not a regular file", f->path);
	while ((n = read(f->fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			log_fatal("read %s: %m", f->path);
		if (buf_append(f->text, chunk, (size_t)n) < 0)
			log_fatal("%s is too large (more than %d bytes)",
			    f->path, POSTERN_CONF_MAX_FILE);
	}
}

/* postern_conf_cleanup - remove the temporary file and directory */
static void
postern_conf_cleanup(struct postern_conf_file *f)
{
	if (f->tmp_path != NULL && unlink(f->tmp_path) < 0 && errno != ENOENT)
		log_warn("remove %s: %m", f->tmp_path);
	if (f->tmp_dir != NULL && rmdir(f->tmp_dir) < 0)
		log_warn("remove %s: %m", f->tmp_dir);
	free(f->tmp_path);
	free(f->tmp_dir);
	f->tmp_path = f->tmp_dir = NULL;
}

/* postern_conf_write_tmp - the new text into tmp_dir/main.cf with the old
 * owner and mode, fsync'd; 0, or -1 (logged) */
static int
postern_conf_write_tmp(struct postern_conf_file *f, const struct buf *text)
{
	struct buf *b = buf_new(PATH_MAX);
	const char *p = buf_str(text);
	size_t  left = buf_len(text);
	ssize_t n;
	mode_t  mode = 0644;
	int     fd;

	if (buf_printf(b, "%s/.main.cf.edit.XXXXXX", f->dir) < 0) {
		log_error("directory name too long: %s", f->dir);
		buf_free(b);
		return -1;
	}
	f->tmp_dir = xstrdup(buf_str(b));
	if (mkdtemp(f->tmp_dir) == NULL) {
		log_error("create a temporary directory in %s: %m", f->dir);
		free(f->tmp_dir);
		f->tmp_dir = NULL;
		buf_free(b);
		return -1;
	}
	buf_reset(b);
	(void)buf_printf(b, "%s/main.cf", f->tmp_dir);
	f->tmp_path = xstrdup(buf_str(b));
	buf_free(b);
	fd = open(f->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
	    | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("create %s: %m", f->tmp_path);
		free(f->tmp_path);
		f->tmp_path = NULL;
		return -1;
	}
	while (left > 0) {
		n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("write %s: %m", f->tmp_path);
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (f->fd >= 0) {
		mode = f->st.st_mode & 07777;
		if ((f->st.st_uid != geteuid() || f->st.st_gid != getegid())
		    && fchown(fd, f->st.st_uid, f->st.st_gid) < 0) {
			/* an ordinary user who owns main.cf may not be in its
			 * group: the file becomes theirs alone, as an editor
			 * would leave it; anybody else must not take it */
			if (errno != EPERM || f->st.st_uid != geteuid()) {
				log_error("keep the owner %ld:%ld of %s: %m",
				    (long)f->st.st_uid, (long)f->st.st_gid,
				    f->path);
				goto fail;
			}
			log_warn("cannot keep the group %ld of %s: it gets "
			    "group %ld", (long)f->st.st_gid, f->path,
			    (long)getegid());
		}
	}
	if (fchmod(fd, mode) < 0) {
		log_error("set the mode of %s: %m", f->tmp_path);
		goto fail;
	}
	if (fsync(fd) < 0) {
		log_error("fsync %s: %m", f->tmp_path);
		goto fail;
	}
	if (close(fd) < 0) {
		log_error("close %s: %m", f->tmp_path);
		return -1;
	}
	return 0;

fail:
	(void)close(fd);	/* removed by the caller; reported */
	return -1;
}

/* postern_conf_validate - whether the new file brings no new error: each
 * new one is printed with main.cf's own name */
static bool
postern_conf_validate(const struct postern_opts *opts,
    struct postern_conf_file *f)
{
	struct postern_conf_errors old = {0}, new = {0};
	size_t  i;
	bool    good = true;

	(void)params_check(opts->config_dir, postern_conf_collect, &old);
	new.tmp_path = f->tmp_path;
	new.real_path = f->path;
	(void)params_check(f->tmp_dir, postern_conf_collect, &new);
	for (i = 0; i < new.n; i++)
		if (!postern_conf_has_error(&old, new.texts[i]))
			good = false;
	if (!good) {
		/* print them all, main.cf's name in place of the copy's */
		postern_conf_errors_free(&new);
		new.print = true;
		(void)params_check(f->tmp_dir, postern_conf_collect, &new);
	}
	postern_conf_errors_free(&old);
	postern_conf_errors_free(&new);
	return good;
}

/* postern_conf_commit - rename the checked copy over main.cf and make
 * the rename durable */
static void
postern_conf_commit(struct postern_conf_file *f)
{
	int     dfd;

	if (rename(f->tmp_path, f->path) < 0) {
		log_error("rename %s to %s: %m", f->tmp_path, f->path);
		postern_conf_cleanup(f);
		log_fatal("%s: not changed", f->path);
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	postern_conf_cleanup(f);
	dfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		log_fatal("fsync directory %s: %m (%s was changed)", f->dir,
		    f->path);
	(void)close(dfd);	/* read-only */
}

/* postern_conf_edit - conf -e name=value... or conf -X name... */
static int
postern_conf_edit(const struct postern_opts *opts, bool removing, int argc,
    char **argv)
{
	struct postern_conf_edit *edits;
	struct postern_conf_file f;
	struct buf *why = buf_new(1024), *out;
	char  **copies;			/* what the edits point into */
	char   *eq;
	int     i;

	if (argc == 0)
		postern_usage_fatal(postern_cmd_find("conf"));
	edits = xcalloc((size_t)argc, sizeof(*edits));
	copies = xcalloc((size_t)argc * 2, sizeof(*copies));
	for (i = 0; i < argc; i++) {
		eq = removing ? NULL : strchr(argv[i], '=');
		if (!removing && eq == NULL)
			log_fatal("-e %s: expected name=value", argv[i]);
		copies[2 * i] = eq ? xstrndup(argv[i],
		    (size_t)(eq - argv[i])) : xstrdup(argv[i]);
		copies[2 * i + 1] = eq ? xstrdup(eq + 1) : NULL;
		edits[i].name = str_trim(copies[2 * i]);
		edits[i].value = eq ? str_trim(copies[2 * i + 1]) : NULL;
		if (!postern_conf_edit_ok(edits[i].name, edits[i].value,
		    why))
			log_fatal("%s", buf_str(why));
		if (!removing && params_find(edits[i].name) == NULL)
			log_warn("%s: unknown parameter (written all the "
			    "same)", edits[i].name);
	}
	postern_conf_open(opts, &f);
	out = buf_new(POSTERN_CONF_MAX_FILE + (size_t)argc * CF_MAX_LINE);
	if (postern_conf_apply(buf_str(f.text), buf_len(f.text), edits,
	    (size_t)argc, out) < 0)
		log_fatal("%s: the edited file would be too large", f.path);
	if (f.fd >= 0 && buf_len(out) == buf_len(f.text)
	    && memcmp(buf_str(out), buf_str(f.text), buf_len(out)) == 0) {
		log_debug("%s: nothing to change", f.path);
	} else {
		if (postern_conf_write_tmp(&f, out) < 0) {
			postern_conf_cleanup(&f);
			log_fatal("%s: not changed", f.path);
		}
		if (!postern_conf_validate(opts, &f)) {
			postern_conf_cleanup(&f);
			log_fatal("%s: not changed", f.path);
		}
		postern_conf_commit(&f);
	}
	if (f.fd >= 0)
		(void)close(f.fd);	/* read-only; releases the lock */
	for (i = 0; i < 2 * argc; i++)
		free(copies[i]);
	free(copies);
	buf_free(out);
	buf_free(f.text);
	free(f.path);
	free(f.dir);
	buf_free(why);
	free(edits);
	return 0;
}

/* postern_conf_flush - stdout must have reached its destination */
static void
postern_conf_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		log_fatal("write to standard output: %m");
}

/* postern_conf - "postern conf [-d|-n] [-h] [-e|-X|-M] [ARGS]" */
int
postern_conf(const struct postern_opts *opts, int argc, char **argv)
{
	enum postern_conf_mode mode = POSTERN_CONF_CURRENT;
	const struct postern_cmd *cmd = postern_cmd_find(argv[0]);
	bool    value_only = false;
	int     ch, r = 0;

	optind = 0;			/* glibc: start a fresh scan */
	opterr = 0;
	while ((ch = getopt(argc, argv, "+dehnMX")) != -1) {
		if (ch == 'h') {
			value_only = true;
			continue;
		}
		if (mode != POSTERN_CONF_CURRENT || ch == '?')
			postern_usage_fatal(cmd);
		mode = ch == 'd' ? POSTERN_CONF_DEFAULT : ch == 'n' ?
		    POSTERN_CONF_SET : ch == 'e' ? POSTERN_CONF_EDIT :
		    ch == 'X' ? POSTERN_CONF_REMOVE : POSTERN_CONF_MASTER;
	}
	argc -= optind;
	argv += optind;
	if (value_only && (mode == POSTERN_CONF_EDIT
	    || mode == POSTERN_CONF_REMOVE))
		postern_usage_fatal(cmd);
	/* the main.cf as it is; its problems are only warnings here, and
	 * an edit checks the edited file itself */
	(void)params_check(opts->config_dir, mode == POSTERN_CONF_EDIT
	    || mode == POSTERN_CONF_REMOVE ? NULL : postern_conf_warn_report,
	    NULL);
	switch (mode) {
	case POSTERN_CONF_EDIT:
	case POSTERN_CONF_REMOVE:
		return postern_conf_edit(opts, mode == POSTERN_CONF_REMOVE,
		    argc, argv);
	case POSTERN_CONF_MASTER:
		r = postern_conf_master(opts, argc, argv);
		break;
	case POSTERN_CONF_SET:
		r = postern_conf_show_set(opts, value_only, argc, argv);
		break;
	case POSTERN_CONF_CURRENT:
	case POSTERN_CONF_DEFAULT:
		if (argc == 0)
			postern_conf_show_all(mode, value_only);
		else
			r = postern_conf_show_names(mode, value_only, argc,
			    argv);
		break;
	}
	postern_conf_flush();
	return r > 0 ? 1 : 0;
}
