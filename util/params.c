/* params.c - loading main.cf and -o overrides into the var_* variables
 *
 * params_load() and params_check() read $config_directory/main.cf with
 * cf_read_main(), lay the -o overrides (params_add_override, later wins) over
 * it, and give every row of params_table its value: the raw setting or the
 * default, $name-expanded (cf_expand) over the table, main.cf and the
 * overrides, then converted by type (PARAMS_INT: decimal in [min, max];
 * PARAMS_TIME: parse_time() seconds in [min, max]; PARAMS_BOOL: yes/no) and
 * stored in the row's variable. Empty myhostname and mydomain are computed
 * from gethostname() the way Postfix does. config_directory is always the
 * directory that was read.
 *
 * A name that is not in the table and that no value references as $name is
 * a warning; a bad value is an error naming file, line, parameter and what
 * was expected, and params_load() exits after reporting them all. All
 * strings (variables, params_value results) belong to the current load and
 * are replaced on the next one, so a reload leaks nothing.
 */
#include "params.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#define PARAMS_DEFAULT_DIR	"/etc/postern"
#define PARAMS_OVR_FILE		"-o"
#define PARAMS_MAX_OVERRIDES	1000

/* one -o name=value */
struct params_ovr {
	char   *name;
	char   *value;
};

static struct params_ovr *params_ovr;
static size_t params_novr;

/* one name outside the table, set in main.cf or -o */
struct params_extra {
	const char *name;	/* borrowed from main or the overrides */
	char   *value;		/* expanded */
};

/* everything one load produced */
struct params_state {
	char   *dir;
	char   *path;		/* dir/main.cf */
	struct cf_main *main;	/* NULL if unreadable */
	char  **values;		/* expanded value of each table row */
	struct params_extra *extras;
	size_t	nextras;
	char   *myhostname;	/* computed, or NULL */
	char   *mydomain;	/* computed, or NULL */
};

static struct params_state *params_cur;

/* the reporting context of one load */
struct params_run {
	struct params_state *st;
	cf_report_fn report;
	void   *ctx;
	int	errors;
};

/* params_add_override - remember "name=value" from -o */
int
params_add_override(const char *name_eq_value)
{
	const char *eq = strchr(name_eq_value, '=');
	char   *name;
	struct params_ovr *o;

	if (eq == NULL)
		return -1;
	name = xstrndup(name_eq_value, (size_t)(eq - name_eq_value));
	if (*str_trim(name) == '\0' || params_novr >= PARAMS_MAX_OVERRIDES) {
		free(name);
		return -1;
	}
	params_ovr = xreallocarray(params_ovr, params_novr + 1,
	    sizeof(*params_ovr));
	o = &params_ovr[params_novr++];
	o->name = xstrdup(str_trim(name));
	free(name);
	name = xstrdup(eq + 1);
	o->value = xstrdup(str_trim(name));
	free(name);
	return 0;
}

/* params_find - the row of a parameter, or NULL */
const struct params_row *
params_find(const char *name)
{
	size_t  i;

	for (i = 0; i < params_count; i++)
		if (strcmp(params_table[i].name, name) == 0)
			return &params_table[i];
	return NULL;
}

/* params_ovr_find - the last override of name, or NULL */
static const struct params_ovr *
params_ovr_find(const char *name)
{
	size_t  i;

	for (i = params_novr; i > 0; i--)
		if (strcmp(params_ovr[i - 1].name, name) == 0)
			return &params_ovr[i - 1];
	return NULL;
}

/* params_pair_find - the main.cf entry of name, or NULL */
static const struct cf_pair *
params_pair_find(const struct params_state *st, const char *name)
{
	size_t  i;

	if (st == NULL || st->main == NULL)
		return NULL;
	for (i = 0; i < st->main->npairs; i++)
		if (strcmp(st->main->pairs[i].name, name) == 0)
			return &st->main->pairs[i];
	return NULL;
}

/* params_state_raw - the setting of name in -o or main.cf, or NULL */
static const char *
params_state_raw(const struct params_state *st, const char *name)
{
	const struct params_ovr *o;
	const struct cf_pair *pair;

	if ((o = params_ovr_find(name)) != NULL)
		return o->value;
	if ((pair = params_pair_find(st, name)) != NULL)
		return pair->value;
	return NULL;
}

/* params_lookup - unexpanded value of name for cf_expand, NULL if unknown */
static const char *
params_lookup(void *ctx, const char *name)
{
	const struct params_state *st = ctx;
	const struct params_row *row;
	const char *raw;

	if (strcmp(name, "config_directory") == 0)
		return st->dir;
	raw = params_state_raw(st, name);
	if (raw == NULL && (row = params_find(name)) != NULL)
		raw = row->def;
	if (raw != NULL && *raw == '\0') {
		if (strcmp(name, "myhostname") == 0)
			return st->myhostname ? st->myhostname : "localhost";
		if (strcmp(name, "mydomain") == 0)
			return st->mydomain ? st->mydomain : "localdomain";
	}
	return raw;
}

/* params_compute_names - Postfix's computed myhostname and mydomain */
static void
params_compute_names(struct params_state *st)
{
	const char *raw, *dot;
	char    host[256];
	struct buf *out, *why;

	raw = params_state_raw(st, "myhostname");
	if (raw == NULL)
		raw = params_find("myhostname")->def;
	if (*raw == '\0') {
		if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
			(void)str_copy(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		out = buf_new(0);
		(void)buf_append_str(out, host);
		if (strchr(host, '.') == NULL) {
			raw = params_state_raw(st, "mydomain");
			if (raw != NULL && *raw != '\0' && !strchr(raw, '$'))
				(void)buf_printf(out, ".%s", raw);
			else
				(void)buf_append_str(out, ".localdomain");
		}
		st->myhostname = xstrdup(buf_str(out));
		buf_free(out);
	}
	raw = params_state_raw(st, "mydomain");
	if (raw == NULL)
		raw = params_find("mydomain")->def;
	if (*raw == '\0') {
		out = buf_new(CF_MAX_LINE);
		why = buf_new(1024);
		if (cf_expand("$myhostname", params_lookup, st, out, why) == 0
		    && (dot = strchr(buf_str(out), '.')) != NULL
		    && dot[1] != '\0')
			st->mydomain = xstrdup(dot + 1);
		else
			st->mydomain = xstrdup("localdomain");
		buf_free(out);
		buf_free(why);
	}
}

/* params_report - pass one problem on, counting errors */
static void
params_report(struct params_run *run, enum cf_severity sev,
    const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
params_report(struct params_run *run, enum cf_severity sev,
    const char *file, int line, const char *fmt, ...)
{
	char    text[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);	/* truncation ok */
	va_end(ap);
	if (sev == CF_ERROR)
		run->errors++;
	if (run->report != NULL)
		run->report(run->ctx, sev, file, line, text);
}

/* params_cf_report - cf_read_main's problems, counted */
static void
params_cf_report(void *ctx, enum cf_severity sev, const char *file, int line,
    const char *text)
{
	params_report(ctx, sev, file, line, "%s", text);
}

/* params_where - file, line and message prefix of a row's value */
static void
params_where(const struct params_state *st, const char *name,
    const char **file, int *line, char *prefix, size_t size)
{
	const struct cf_pair *pair;

	*line = 0;
	if (params_ovr_find(name) != NULL) {
		*file = PARAMS_OVR_FILE;
		(void)snprintf(prefix, size, "-o %s", name);
	} else if ((pair = params_pair_find(st, name)) != NULL) {
		*file = st->path;
		*line = pair->line;
		(void)snprintf(prefix, size, "%s", name);
	} else {
		*file = st->path;
		(void)snprintf(prefix, size, "%s (default)", name);
	}
}

/* params_convert - convert and store one row's expanded value; -1 bad */
static int
params_convert(const struct params_row *row, const char *value,
    char **errtext)
{
	unsigned long long u;
	long long t;
	bool    b;
	char    msg[256];

	switch (row->type) {
	case PARAMS_STR:
		return 0;		/* stored by the caller */
	case PARAMS_INT:
		if (parse_uint(value, row->min < 0 ? 0 :
		    (unsigned long long)row->min,
		    (unsigned long long)row->max, &u) == 0) {
			*(long long *)row->var = (long long)u;
			return 0;
		}
		(void)snprintf(msg, sizeof(msg), "expected a number between "
		    "%lld and %lld", row->min, row->max);
		break;
	case PARAMS_TIME:
		if (parse_time(value, &t) == 0 && t >= row->min
		    && t <= row->max) {
			*(long long *)row->var = t;
			return 0;
		}
		(void)snprintf(msg, sizeof(msg), "expected a time between "
		    "%llds and %llds (a number with an optional unit s, m, "
		    "h, d or w)", row->min, row->max);
		break;
	case PARAMS_BOOL:
		if (parse_bool(value, &b) == 0) {
			*(bool *)row->var = b;
			return 0;
		}
		(void)snprintf(msg, sizeof(msg), "expected yes or no");
		break;
	default:
		log_panic("params_convert: %s: bad type %d", row->name,
		    (int)row->type);
	}
	*errtext = xstrdup(msg);
	return -1;
}

/* params_set_row - expand, convert and store the value of one row */
static void
params_set_row(struct params_run *run, size_t i, struct buf *out,
    struct buf *why)
{
	struct params_state *st = run->st;
	const struct params_row *row = &params_table[i];
	const char *raw, *file;
	char    prefix[300];
	char   *errtext = NULL;
	struct buf *shown;
	int     line;

	raw = params_lookup(st, row->name);
	params_where(st, row->name, &file, &line, prefix, sizeof(prefix));
	if (cf_expand(raw, params_lookup, st, out, why) < 0) {
		params_report(run, CF_ERROR, file, line, "%s: %s", prefix,
		    buf_str(why));
		buf_reset(out);
	} else if (params_convert(row, buf_str(out), &errtext) < 0) {
		shown = buf_new(0);
		params_report(run, CF_ERROR, file, line, "%s: %s, got \"%s\"",
		    prefix, errtext, log_printable(shown, buf_str(out),
		    buf_len(out), 100));
		buf_free(shown);
		free(errtext);
		errtext = NULL;
		/* keep the variable usable: fall back to the default */
		if (cf_expand(row->def, params_lookup, st, out, why) < 0
		    || params_convert(row, buf_str(out), &errtext) < 0) {
			free(errtext);
			buf_reset(out);
		}
	}
	st->values[i] = xstrdup(buf_str(out));
	if (row->type == PARAMS_STR)
		*(char **)row->var = st->values[i];
}

/* params_collect_refs - append to refs every name value uses as $name,
 * each followed by a NUL */
static void
params_collect_refs(struct buf *refs, const char *value)
{
	const char *p = value, *name;

	while ((p = strchr(p, '$')) != NULL) {
		p++;
		if (*p == '$') {
			p++;
			continue;
		}
		if (*p == '{' || *p == '(')
			p++;
		name = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
		    || (*p >= '0' && *p <= '9') || *p == '_')
			p++;
		if (p > name) {
			(void)buf_append(refs, name, (size_t)(p - name));
			(void)buf_append_char(refs, '\0');
		}
	}
}

/* params_is_ref - whether name is among the collected references */
static bool
params_is_ref(const struct buf *refs, const char *name)
{
	const char *p = buf_str(refs), *end = p + buf_len(refs);

	for (; p < end; p += strlen(p) + 1)
		if (strcmp(p, name) == 0)
			return true;
	return false;
}

/* params_add_extra - record an expanded name outside the table */
static void
params_add_extra(struct params_state *st, const char *name, struct buf *out,
    struct buf *why)
{
	size_t  i;

	for (i = 0; i < st->nextras; i++)
		if (strcmp(st->extras[i].name, name) == 0)
			return;
	if (cf_expand(params_lookup(st, name), params_lookup, st, out,
	    why) < 0)
		buf_reset(out);
	st->extras = xreallocarray(st->extras, st->nextras + 1,
	    sizeof(*st->extras));
	st->extras[st->nextras].name = name;
	st->extras[st->nextras].value = xstrdup(buf_str(out));
	st->nextras++;
}

/* params_unknown - warn about names outside the table that nothing uses,
 * and remember their values for params_value */
static void
params_unknown(struct params_run *run, struct buf *out, struct buf *why)
{
	struct params_state *st = run->st;
	struct buf *refs = buf_new(0);
	size_t  i;

	for (i = 0; i < params_count; i++)
		params_collect_refs(refs, params_table[i].def);
	for (i = 0; st->main != NULL && i < st->main->npairs; i++)
		params_collect_refs(refs, st->main->pairs[i].value);
	for (i = 0; i < params_novr; i++)
		params_collect_refs(refs, params_ovr[i].value);
	for (i = 0; st->main != NULL && i < st->main->npairs; i++) {
		const struct cf_pair *pair = &st->main->pairs[i];

		if (params_find(pair->name) != NULL)
			continue;
		if (!params_is_ref(refs, pair->name))
			params_report(run, CF_WARN, st->path, pair->line,
			    "unknown parameter %s (ignored)", pair->name);
		params_add_extra(st, pair->name, out, why);
	}
	for (i = 0; i < params_novr; i++) {
		if (params_find(params_ovr[i].name) != NULL)
			continue;
		if (!params_is_ref(refs, params_ovr[i].name)
		    && params_ovr_find(params_ovr[i].name) == &params_ovr[i])
			params_report(run, CF_WARN, PARAMS_OVR_FILE, 0,
			    "-o unknown parameter %s (ignored)",
			    params_ovr[i].name);
		params_add_extra(st, params_ovr[i].name, out, why);
	}
	buf_free(refs);
}

/* params_state_free - release one load's strings */
static void
params_state_free(struct params_state *st)
{
	size_t  i;

	if (st == NULL)
		return;
	for (i = 0; st->values != NULL && i < params_count; i++)
		free(st->values[i]);
	free(st->values);
	for (i = 0; i < st->nextras; i++)
		free(st->extras[i].value);
	free(st->extras);
	cf_main_free(st->main);
	free(st->myhostname);
	free(st->mydomain);
	free(st->path);
	free(st->dir);
	free(st);
}

/* params_run - one complete load; returns the error count */
static int
params_run(const char *config_dir, struct params_run *run)
{
	struct params_state *st, *old;
	struct buf *out, *why, *path;
	size_t  i;

	if (config_dir == NULL || *config_dir == '\0')
		config_dir = PARAMS_DEFAULT_DIR;
	st = xcalloc(1, sizeof(*st));
	st->dir = xstrdup(config_dir);
	path = buf_new(0);
	(void)buf_printf(path, "%s/main.cf", config_dir);
	st->path = xstrdup(buf_str(path));
	buf_free(path);
	run->st = st;
	st->main = cf_read_main(st->path, params_cf_report, run);
	st->values = xcalloc(params_count, sizeof(*st->values));
	params_compute_names(st);

	out = buf_new(CF_MAX_LINE * 16);
	why = buf_new(1024);
	for (i = 0; i < params_count; i++)
		params_set_row(run, i, out, why);
	params_unknown(run, out, why);
	buf_free(out);
	buf_free(why);

	/* config_directory is the directory read, whatever main.cf says */
	for (i = 0; i < params_count; i++) {
		if (strcmp(params_table[i].name, "config_directory") == 0) {
			free(st->values[i]);
			st->values[i] = xstrdup(st->dir);
			*(char **)params_table[i].var = st->values[i];
		}
	}
	old = params_cur;
	params_cur = st;
	params_state_free(old);
	log_set_syslog_name(var_syslog_name);
	return run->errors;
}

/* params_log_report - params_load's reporter: log each problem */
static void
params_log_report(void *ctx, enum cf_severity sev, const char *file,
    int line, const char *text)
{
	struct buf *msg = buf_new(0);

	(void)ctx;
	cf_report_text(msg, file, line, text);
	if (sev == CF_WARN)
		log_warn("%s", buf_str(msg));
	else if (line == 0 && strncmp(text, "open ", 5) == 0)
		log_fatal("%s", buf_str(msg));	/* main.cf is required */
	else
		log_error("%s", buf_str(msg));
	buf_free(msg);
}

/* params_load - read main.cf and the overrides; fatal on errors */
void
params_load(const char *config_dir)
{
	struct params_run run = {NULL, params_log_report, NULL, 0};
	int     errors;

	errors = params_run(config_dir, &run);
	if (errors > 0)
		log_fatal("%s: %d error%s in configuration", params_cur->path,
		    errors, errors == 1 ? "" : "s");
}

/* params_check - read main.cf and the overrides, reporting each problem */
int
params_check(const char *config_dir, cf_report_fn report, void *ctx)
{
	struct params_run run = {NULL, report, ctx, 0};

	return params_run(config_dir, &run);
}

/* params_value - current expanded value of name, or NULL */
const char *
params_value(const char *name)
{
	const struct params_row *row;
	size_t  i;

	if (params_cur == NULL)
		return NULL;
	if ((row = params_find(name)) != NULL)
		return params_cur->values[row - params_table];
	for (i = 0; i < params_cur->nextras; i++)
		if (strcmp(params_cur->extras[i].name, name) == 0)
			return params_cur->extras[i].value;
	return NULL;
}

/* params_raw - the -o or main.cf setting of name, unexpanded, or NULL */
const char *
params_raw(const char *name)
{
	if (params_cur == NULL) {
		const struct params_ovr *o = params_ovr_find(name);

		return o ? o->value : NULL;
	}
	return params_state_raw(params_cur, name);
}

/* params_list_has - whether a comma/space list holds item (any case) */
bool
params_list_has(const char *list, const char *item)
{
	char   *copy, *cursor, *tok;
	bool    found = false;

	if (list == NULL || item == NULL)
		return false;
	copy = cursor = xstrdup(list);
	while ((tok = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (str_casecmp(tok, item) == 0) {
			found = true;
			break;
		}
	}
	free(copy);
	return found;
}

/* params_daemon_directory - daemon_directory, or this program's directory */
char *
params_daemon_directory(struct buf *why)
{
	char	self[PATH_MAX];
	char	*slash;
	ssize_t	n;

	if (*var_daemon_directory != '\0')
		return xstrdup(var_daemon_directory);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		buf_why(why, "readlink /proc/self/exe: %s", strerror(errno));
		return NULL;
	}
	if ((size_t)n >= sizeof(self) - 1) {
		buf_why(why, "the path of this program is too long");
		return NULL;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL) {
		buf_why(why, "%s is not an absolute path", self);
		return NULL;
	}
	if (slash == self)
		slash++;		/* a program in "/" */
	*slash = '\0';
	return xstrdup(self);
}
