/* master_service.c - master.cf entries into services, and their lifetime
 *
 * Owns the meaning of master.cf's columns (util/cf.c only splits them):
 * type inet or unix (unix-dgram, fifo and pass are Postfix types postern
 * does not have: a warning, and the entry is ignored), private, unpriv and
 * chroot ("y", "n", or "-" for Postfix 3's defaults y, y, n), wakeup ("-"
 * or seconds, Postfix's trailing "?" accepted), maxproc ("-" for
 * default_process_limit, 0 for no limit, which is MASTER_MAX_PROC), and the
 * command, found in the daemon directory; a program that is not there (a
 * Postfix daemon postern lacks: tlsmgr, anvil, scache...) is a warning and
 * the entry is ignored, so that an existing Postfix master.cf starts. A bad
 * column value is an error naming file and line: fatal at start, and at a
 * reload the services stay as they were.
 *
 * master_service_merge is the service side of a reload: a service with
 * the same name and type (and, for unix, the same socket path) keeps its
 * struct, sockets, status pipe, counts and processes, and takes the new
 * columns; the others are retired, and the new ones get their sockets.
 */
#include "master.h"
#include "buf.h"
#include "cf.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"

/* the state of reading one master.cf */
struct master_read {
	bool	fatal;			/* errors end the process */
	int	errors;
	struct buf *text;
};

/* master_service_report - cf reader and column problems */
static void
master_service_report(void *ctx, enum cf_severity sev, const char *file,
	    int line, const char *text)
{
	struct master_read *rd = ctx;

	cf_report_text(rd->text, file, line, text);
	if (sev == CF_WARN) {
		log_warn("%s", buf_str(rd->text));
		return;
	}
	rd->errors++;
	if (rd->fatal)
		log_fatal("%s", buf_str(rd->text));
	log_error("%s", buf_str(rd->text));
}

/* master_service_problem - report a problem with one entry */
static void
master_service_problem(struct master_read *rd, enum cf_severity sev,
	    const char *file, const struct cf_service *cs, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));

static void
master_service_problem(struct master_read *rd, enum cf_severity sev,
	    const char *file, const struct cf_service *cs, const char *fmt,
	    ...)
{
	struct buf *b = buf_new(0);
	va_list ap;

	(void)buf_printf(b, "service %s: ", cs->service);
	va_start(ap, fmt);
	(void)buf_vprintf(b, fmt, ap);
	va_end(ap);
	master_service_report(rd, sev, file, cs->line, buf_str(b));
	buf_free(b);
}

/* master_service_bool - a y/n/- column; 0, or -1 if bad */
static int
master_service_bool(const char *value, bool def, bool *out)
{
	if (strcmp(value, "-") == 0)
		*out = def;
	else if (strcmp(value, "y") == 0)
		*out = true;
	else if (strcmp(value, "n") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* master_service_wakeup - the wakeup column; 0, or -1 if bad */
static int
master_service_wakeup(const char *value, long *out)
{
	char    num[32];
	size_t  len = strlen(value);
	unsigned long long n;

	if (strcmp(value, "-") == 0) {
		*out = 0;
		return 0;
	}
	/* "60?" wakes only a service in use: here, the same as "60" */
	if (len > 0 && value[len - 1] == '?')
		len--;
	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, value, len);
	num[len] = '\0';
	if (parse_uint(num, 0, MASTER_MAX_WAKEUP, &n) < 0)
		return -1;
	*out = (long)n;
	return 0;
}

/* master_service_maxproc - the maxproc column; 0, or -1 if bad */
static int
master_service_maxproc(const char *value, int *out)
{
	unsigned long long n;

	if (strcmp(value, "-") == 0) {
		n = (unsigned long long)var_default_process_limit;
	} else if (parse_uint(value, 0, MASTER_MAX_PROC_LIMIT, &n) < 0) {
		return -1;
	}
	*out = n == 0 ? MASTER_MAX_PROC : (int)n;
	return 0;
}

/* master_service_name_ok - a unix service name is a plain file name */
static bool
master_service_name_ok(const char *name)
{
	return *name != '\0' && *name != '.' && strchr(name, '/') == NULL
	    && strlen(name) <= 64;
}

/* master_service_argv - the command line of the service's processes */
static void
master_service_argv(struct master_serv *s, const struct cf_service *cs)
{
	size_t  n = 0, max = (size_t)cs->argc + 10;
	int     i;

	s->argv = xcalloc(max, sizeof(*s->argv));
	s->argv[n++] = xstrdup(s->path);
	s->argv[n++] = xstrdup("-c");
	s->argv[n++] = xstrdup(master.config_dir);
	s->argv[n++] = xstrdup("-n");
	s->argv[n++] = xstrdup(s->name);
	s->argv[n++] = xstrdup("-t");
	s->argv[n++] = xstrdup(s->type);
	if (s->chroot)
		s->argv[n++] = xstrdup("-S");
	if (s->unpriv)
		s->argv[n++] = xstrdup("-u");
	for (i = 1; i < cs->argc; i++)
		s->argv[n++] = xstrdup(cs->argv[i]);
	s->argv[n] = NULL;
}

/* master_service_path - the program of a command; NULL if too long */
static char *
master_service_path(const char *command)
{
	struct buf *b = buf_new(PATH_MAX);
	char   *path = NULL;

	if (*command == '/') {
		if (buf_append_str(b, command) == 0)
			path = xstrdup(buf_str(b));
	} else if (buf_printf(b, "%s/%s", master.daemon_dir, command) == 0) {
		path = xstrdup(buf_str(b));
	}
	buf_free(b);
	return path;
}

/* master_service_new - one master.cf entry; NULL when ignored or bad
 * (reported) */
static struct master_serv *
master_service_new(struct master_read *rd, const char *file,
	    const struct cf_service *cs)
{
	struct master_serv *s;
	bool    is_inet, is_unix;
	char   *path;

	is_inet = strcmp(cs->type, "inet") == 0;
	is_unix = strcmp(cs->type, "unix") == 0;
	if (!is_inet && !is_unix) {
		if (strcmp(cs->type, "unix-dgram") == 0
		    || strcmp(cs->type, "fifo") == 0
		    || strcmp(cs->type, "pass") == 0)
			master_service_problem(rd, CF_WARN, file, cs,
			    "type %s is not supported: service ignored",
			    cs->type);
		else
			master_service_problem(rd, CF_ERROR, file, cs, "bad "
			    "type \"%s\": expected inet or unix", cs->type);
		return NULL;
	}
	if (cs->argc < 1 || *cs->argv[0] == '\0') {
		master_service_problem(rd, CF_ERROR, file, cs, "no command");
		return NULL;
	}
	if (is_unix && !master_service_name_ok(cs->service)) {
		master_service_problem(rd, CF_ERROR, file, cs, "bad name for "
		    "a unix service: expected a file name without \"/\"");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->status_rd = s->status_wr = -1;
	s->line = cs->line;
	if (master_service_bool(cs->private_, true, &s->private_) < 0
	    || master_service_bool(cs->unpriv, true, &s->unpriv) < 0
	    || master_service_bool(cs->chroot, false, &s->chroot) < 0) {
		master_service_problem(rd, CF_ERROR, file, cs, "bad private, "
		    "unpriv or chroot column (\"%s\" \"%s\" \"%s\"): expected "
		    "y, n or -", cs->private_, cs->unpriv, cs->chroot);
		goto fail;
	}
	if (master_service_wakeup(cs->wakeup, &s->wakeup) < 0) {
		master_service_problem(rd, CF_ERROR, file, cs, "bad wakeup "
		    "\"%s\": expected -, or seconds up to %d", cs->wakeup,
		    MASTER_MAX_WAKEUP);
		goto fail;
	}
	if (master_service_maxproc(cs->maxproc, &s->max_proc) < 0) {
		master_service_problem(rd, CF_ERROR, file, cs, "bad maxproc "
		    "\"%s\": expected -, or a number from 0 (no limit) to %d",
		    cs->maxproc, MASTER_MAX_PROC_LIMIT);
		goto fail;
	}
	path = master_service_path(cs->argv[0]);
	if (path == NULL) {
		master_service_problem(rd, CF_ERROR, file, cs, "command name "
		    "too long");
		goto fail;
	}
	s->path = path;
	if (access(path, X_OK) < 0) {
		if (errno == ENOENT)
			master_service_problem(rd, CF_WARN, file, cs,
			    "no such program %s: service ignored", path);
		else
			master_service_problem(rd, CF_WARN, file, cs, "cannot "
			    "execute %s: %s: service ignored", path,
			    strerror(errno));
		goto fail;
	}
	s->name = xstrdup(cs->service);
	s->type = xstrdup(cs->type);
	if (is_unix) {
		s->sock_path = xmalloc(strlen(cs->service) + 9);
		(void)snprintf(s->sock_path, strlen(cs->service) + 9, "%s/%s",
		    s->private_ ? "private" : "public", cs->service);
	}
	master_service_argv(s, cs);
	return s;

fail:
	master_service_free(s);
	return NULL;
}

/* master_service_same - whether a and b are the same service (a reload
 * keeps its sockets) */
static bool
master_service_same(const struct master_serv *a, const struct master_serv *b)
{
	if (strcmp(a->name, b->name) != 0 || strcmp(a->type, b->type) != 0)
		return false;
	if (a->sock_path == NULL || b->sock_path == NULL)
		return a->sock_path == b->sock_path;
	return strcmp(a->sock_path, b->sock_path) == 0;
}

/* master_service_read - the services of master.cf */
struct master_serv *
master_service_read(bool fatal, bool *error)
{
	struct master_read rd = {.fatal = fatal};
	struct master_serv *head = NULL, **tail = &head, *s, *t;
	struct cf_master *m;
	struct buf *path = buf_new(PATH_MAX);
	size_t  i;

	rd.text = buf_new(0);
	*error = false;
	if (buf_printf(path, "%s/master.cf", master.config_dir) < 0)
		log_fatal("config directory name too long: %s",
		    master.config_dir);
	m = cf_read_master(buf_str(path), master_service_report, &rd);
	for (i = 0; m != NULL && i < m->nservices; i++) {
		s = master_service_new(&rd, buf_str(path), &m->services[i]);
		if (s == NULL)
			continue;
		for (t = head; t != NULL; t = t->next)
			if (master_service_same(s, t))
				break;
		if (t != NULL) {
			master_service_problem(&rd, CF_ERROR, buf_str(path),
			    &m->services[i], "duplicate of the %s service on "
			    "line %d", t->type, t->line);
			master_service_free(s);
			continue;
		}
		*tail = s;
		tail = &s->next;
	}
	if (m == NULL) {
		rd.errors++;		/* reported by the reader */
		if (fatal)
			log_fatal("cannot read %s", buf_str(path));
	}
	cf_master_free(m);
	buf_free(path);
	buf_free(rd.text);
	if (rd.errors > 0) {
		*error = true;
		while (head != NULL) {
			s = head->next;
			master_service_free(head);
			head = s;
		}
	}
	return head;
}

/* master_service_free_argv - free a NULL-terminated vector */
static void
master_service_free_argv(char **argv)
{
	size_t  i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

/* master_service_free - free a service struct (no sockets or processes
 * left); accepts NULL, returns NULL */
struct master_serv *
master_service_free(struct master_serv *s)
{
	if (s == NULL)
		return NULL;
	free(s->name);
	free(s->type);
	free(s->path);
	free(s->sock_path);
	master_service_free_argv(s->argv);
	free(s);
	return NULL;
}

/* master_service_open - the sockets and status pipe of a new service;
 * 0, or -1 with why */
static int
master_service_open(struct master_serv *s, struct buf *why)
{
	if (master_listen_open(s, why) < 0)
		return -1;
	if (master_status_open(s) < 0) {
		buf_set(why, "cannot create a status pipe");
		master_listen_close(s);
		return -1;
	}
	return 0;
}

/* master_service_start - open everything of the services read at start */
void
master_service_start(struct master_serv *list)
{
	struct master_serv *s;
	struct buf *why = buf_new(0);

	for (s = list; s != NULL; s = s->next)
		if (master_service_open(s, why) < 0)
			log_fatal("%s/master.cf, line %d: service %s: %s",
			    master.config_dir, s->line, s->name, buf_str(why));
	master.services = list;
	if (list == NULL)
		log_warn("%s/master.cf defines no service that can run",
		    master.config_dir);
	buf_free(why);
}

/* master_service_take - old keeps its run time and takes new's columns;
 * new is freed */
static void
master_service_take(struct master_serv *old, struct master_serv *new)
{
	old->private_ = new->private_;
	old->unpriv = new->unpriv;
	old->chroot = new->chroot;
	old->wakeup = new->wakeup;
	old->max_proc = new->max_proc;
	old->line = new->line;
	free(old->path);
	old->path = new->path;
	new->path = NULL;
	master_service_free_argv(old->argv);
	old->argv = new->argv;
	new->argv = NULL;
	master_service_free(new);
}

/* master_service_retire - take s off the live services: no sockets, no
 * spawning; freed when its last process exits */
void
master_service_retire(struct master_serv *s)
{
	master_avail_stop(s);
	master_listen_close(s);
	if (s->sock_path != NULL && unlink(s->sock_path) < 0
	    && errno != ENOENT)
		log_warn("remove %s: %m", s->sock_path);
	s->retired = true;
	s->next = master.retired;
	master.retired = s;
	if (s->total_proc == 0)
		master_service_gone(s);
}

/* master_service_gone - free a retired service whose processes are gone */
void
master_service_gone(struct master_serv *s)
{
	struct master_serv **pp;

	for (pp = &master.retired; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	master_avail_stop(s);
	master_status_close(s);
	master_service_free(s);
}

/* master_service_merge - make list the live services (reload) */
void
master_service_merge(struct master_serv *list)
{
	struct master_serv *keep = NULL, **tail = &keep;
	struct master_serv *s, *next, **pp, *old;
	struct buf *why = buf_new(0);

	/* services that stay: the old struct goes into the new place */
	for (s = list; s != NULL; s = next) {
		next = s->next;
		s->next = NULL;
		old = NULL;
		for (pp = &master.services; *pp != NULL; pp = &(*pp)->next) {
			if (master_service_same(*pp, s)) {
				old = *pp;
				*pp = old->next;
				old->next = NULL;
				break;
			}
		}
		if (old != NULL) {
			master_service_take(old, s);
			s = old;
		}
		*tail = s;
		tail = &s->next;
	}
	/* services that went: close their sockets before new ones bind */
	while ((s = master.services) != NULL) {
		master.services = s->next;
		log_info("service %s/%s removed", s->name, s->type);
		master_service_retire(s);
	}
	/* new services: sockets and status pipes */
	for (pp = &keep; (s = *pp) != NULL;) {
		if (s->status_rd >= 0) {
			pp = &s->next;
			continue;
		}
		if (master_service_open(s, why) < 0) {
			log_error("%s/master.cf, line %d: service %s: %s: "
			    "service not started", master.config_dir, s->line,
			    s->name, buf_str(why));
			*pp = s->next;
			master_service_free(s);
			continue;
		}
		log_info("service %s/%s added", s->name, s->type);
		pp = &s->next;
	}
	master.services = keep;
	buf_free(why);
}
