/* cf.c - reader for main.cf and master.cf (Postfix syntax)
 *
 * Turns a file into logical lines the way Postfix does: a physical line
 * that begins with white space continues the previous logical line (joined
 * with one space), a line whose first non-blank character is '#' is a
 * comment, blank and comment lines are skipped without ending a logical
 * line, trailing white space is dropped, and a logical line that starts
 * with white space (nothing to continue) is a warning and ignored. main.cf
 * logical lines become name/value pairs (a later entry for a name replaces
 * the earlier one); master.cf logical lines are split on white space into
 * columns, with Postfix 3's "{ text with spaces }" grouping for arguments.
 *
 * Limits: CF_MAX_LINE bytes per logical line (longer lines are an error and
 * skipped, read with bounded memory), CF_MAX_ENTRIES entries per file,
 * CF_MASTER_MAX_ARGS arguments per service, NUL bytes refused. cf_expand()
 * bounds recursion (CF_MAX_DEPTH), output size and work. Every problem is
 * reported through the caller's cf_report_fn; nothing here exits or logs.
 * Meaning (which parameters exist, what a column may hold) is the caller's.
 */
#include "cf.h"
#include "buf.h"
#include "mem.h"
#include "str.h"

#define CF_MAX_EXPAND	(16 * CF_MAX_LINE)	/* bytes of one expansion */
#define CF_MAX_STEPS	100000			/* lookups in one expansion */
#define CF_MASTER_COLUMNS 8

/* the state of reading one file */
struct cf_reader {
	FILE   *fp;
	const char *path;
	cf_report_fn report;
	void   *ctx;
	struct buf *phys;	/* the current physical line */
	int	phys_line;	/* its line number */
	bool	phys_long;	/* it exceeded CF_MAX_LINE */
	bool	phys_nul;	/* it held a NUL byte */
	bool	pending;	/* phys is read but not yet consumed */
	bool	eof;
	struct buf *logical;	/* the logical line being assembled */
	int	line;		/* line number where it started */
};

/* cf_reportf - format a problem and pass it to the report callback */
static void
cf_reportf(struct cf_reader *r, enum cf_severity sev, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
cf_reportf(struct cf_reader *r, enum cf_severity sev, int line,
    const char *fmt, ...)
{
	char    text[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);	/* truncation ok */
	va_end(ap);
	if (r->report != NULL)
		r->report(r->ctx, sev, r->path, line, text);
}

/* cf_report_text - "file, line N: text", or text alone for line 0 */
const char *
cf_report_text(struct buf *out, const char *file, int line, const char *text)
{
	buf_reset(out);
	if (line > 0)
		(void)buf_printf(out, "%s, line %d: %s", file, line, text);
	else
		(void)buf_append_str(out, text);	/* bounded by out */
	return buf_str(out);
}

/* cf_is_space - white space inside a configuration line */
static inline bool
cf_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
	    || c == '\v';
}

/* cf_reader_open - open path for reading; false (reported) on failure */
static bool
cf_reader_open(struct cf_reader *r, const char *path, cf_report_fn report,
    void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->report = report;
	r->ctx = ctx;
	r->fp = fopen(path, "re");
	if (r->fp == NULL) {
		cf_reportf(r, CF_ERROR, 0, "open %s: %s", path,
		    strerror(errno));
		return false;
	}
	r->phys = buf_new(CF_MAX_LINE);
	r->logical = buf_new(CF_MAX_LINE);
	return true;
}

/* cf_reader_close - release a reader */
static void
cf_reader_close(struct cf_reader *r)
{
	if (r->fp != NULL)
		(void)fclose(r->fp);	/* read-only: nothing to lose */
	r->fp = NULL;
	r->phys = buf_free(r->phys);
	r->logical = buf_free(r->logical);
}

/* cf_read_phys - read one physical line into r->phys; false at EOF */
static bool
cf_read_phys(struct cf_reader *r)
{
	int     c;
	bool    any = false;

	if (r->eof)
		return false;
	buf_reset(r->phys);
	r->phys_long = false;
	r->phys_nul = false;
	while ((c = getc(r->fp)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0')
			r->phys_nul = true;
		if (!r->phys_long && buf_append_char(r->phys, c) < 0)
			r->phys_long = true;
	}
	if (c == EOF) {
		r->eof = true;
		if (ferror(r->fp)) {
			cf_reportf(r, CF_ERROR, 0, "read %s: %s", r->path,
			    strerror(errno));
			return false;
		}
	}
	if (!any)
		return false;
	r->phys_line++;
	return true;
}

/* cf_next_logical - assemble the next logical line into r->logical and
 * r->line; false at the end of the file. Bad lines are reported and
 * skipped. */
static bool
cf_next_logical(struct cf_reader *r)
{
	const char *p;
	size_t  len;
	bool    started, bad_long, bad_nul, bad_space;

	for (;;) {
		started = bad_long = bad_nul = bad_space = false;
		buf_reset(r->logical);
		for (;;) {
			if (!r->pending) {
				if (!cf_read_phys(r))
					break;
				r->pending = true;
			}
			/* drop trailing white space */
			len = buf_len(r->phys);
			while (len > 0 && cf_is_space(
			    (unsigned char)buf_str(r->phys)[len - 1]))
				len--;
			buf_truncate(r->phys, len);
			p = buf_str(r->phys);
			while (cf_is_space((unsigned char)*p))
				p++;
			if (*p == '\0' || *p == '#') {
				r->pending = false;
				continue;
			}
			if (p != buf_str(r->phys) && started) {
				/* continuation of the current logical line */
				if (buf_append_char(r->logical, ' ') < 0
				    || buf_append(r->logical, p, (size_t)(
				    buf_str(r->phys) + len - p)) < 0)
					bad_long = true;
			} else if (started) {
				break;	/* starts the next logical line */
			} else {
				r->line = r->phys_line;
				bad_space = p != buf_str(r->phys);
				started = true;
				(void)buf_append(r->logical, p, (size_t)(
				    buf_str(r->phys) + len - p));
			}
			bad_long |= r->phys_long;
			bad_nul |= r->phys_nul;
			r->pending = false;
		}
		if (!started)
			return false;
		if (bad_space) {
			/* as Postfix: warn, and ignore the text */
			cf_reportf(r, CF_WARN, r->line, "logical line must "
			    "not start with white space: \"%.30s%s\" "
			    "(ignored)",
			    buf_str(r->logical),
			    buf_len(r->logical) > 30 ? "..." : "");
			continue;
		}
		if (bad_long) {
			cf_reportf(r, CF_ERROR, r->line, "line too long "
			    "(more than %d bytes)", CF_MAX_LINE);
			continue;
		}
		if (bad_nul) {
			cf_reportf(r, CF_ERROR, r->line, "line contains a NUL "
			    "byte");
			continue;
		}
		return true;
	}
}

/* cf_main_set - add or replace a main.cf entry */
static bool
cf_main_set(struct cf_main *m, struct cf_reader *r, const char *name,
    const char *value)
{
	struct cf_pair *pair;
	size_t  i;

	for (i = 0; i < m->npairs; i++) {
		if (strcmp(m->pairs[i].name, name) == 0) {
			free(m->pairs[i].value);
			m->pairs[i].value = xstrdup(value);
			m->pairs[i].line = r->line;
			return true;
		}
	}
	if (m->npairs >= CF_MAX_ENTRIES) {
		cf_reportf(r, CF_ERROR, 0, "%s: too many entries (more than "
		    "%d)", r->path, CF_MAX_ENTRIES);
		return false;
	}
	m->pairs = xreallocarray(m->pairs, m->npairs + 1, sizeof(*m->pairs));
	pair = &m->pairs[m->npairs++];
	pair->name = xstrdup(name);
	pair->value = xstrdup(value);
	pair->line = r->line;
	return true;
}

/* cf_read_main - parse main.cf into name/value pairs */
struct cf_main *
cf_read_main(const char *path, cf_report_fn report, void *ctx)
{
	struct cf_reader r;
	struct cf_main *m;
	char   *line, *eq, *name, *value, *p;

	if (!cf_reader_open(&r, path, report, ctx))
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	while (cf_next_logical(&r)) {
		line = r.logical->data;
		eq = strchr(line, '=');
		if (eq == NULL) {
			cf_reportf(&r, CF_ERROR, r.line,
			    "missing '=' after parameter name");
			continue;
		}
		*eq = '\0';
		name = str_trim(line);
		value = str_trim(eq + 1);
		for (p = name; *p && !cf_is_space((unsigned char)*p); p++)
			continue;
		if (*name == '\0' || *p != '\0') {
			cf_reportf(&r, CF_ERROR, r.line, "bad parameter name "
			    "\"%.100s\"", name);
			continue;
		}
		if (!cf_main_set(m, &r, name, value))
			break;
	}
	cf_reader_close(&r);
	return m;
}

/* cf_main_free - release a parsed main.cf; accepts NULL, returns NULL */
struct cf_main *
cf_main_free(struct cf_main *m)
{
	size_t  i;

	if (m == NULL)
		return NULL;
	for (i = 0; i < m->npairs; i++) {
		free(m->pairs[i].name);
		free(m->pairs[i].value);
	}
	free(m->pairs);
	free(m->path);
	free(m);
	return NULL;
}

/* cf_next_field - next white-space separated field of *cursor, or a
 * "{ ... }" group (nested braces allowed) as its trimmed inside; NULL at the
 * end, or with *err set on an unbalanced brace */
static char *
cf_next_field(char **cursor, const char **err)
{
	char   *p = *cursor, *start, *end;
	int     depth;

	while (cf_is_space((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*cursor = p;
		return NULL;
	}
	if (*p != '{') {
		start = p;
		while (*p && !cf_is_space((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
		*cursor = p;
		return start;
	}
	depth = 0;
	for (end = p; *end; end++) {
		if (*end == '{')
			depth++;
		else if (*end == '}' && --depth == 0)
			break;
	}
	if (*end != '}') {
		*err = "missing '}'";
		return NULL;
	}
	if (end[1] != '\0' && !cf_is_space((unsigned char)end[1])) {
		*err = "text after '}'";
		return NULL;
	}
	*end = '\0';
	*cursor = end[1] ? end + 2 : end + 1;
	return str_trim(p + 1);
}

/* cf_nameval_squeeze - "name = value" to "name=value" in place, for a
 * grouped -o argument */
static void
cf_nameval_squeeze(char *s)
{
	char   *eq, *name, *value;
	size_t  nlen, vlen;

	eq = strchr(s, '=');
	if (eq == NULL)
		return;
	*eq = '\0';
	name = str_trim(s);
	value = str_trim(eq + 1);
	nlen = strlen(name);
	vlen = strlen(value);
	memmove(s, name, nlen);
	s[nlen] = '=';
	memmove(s + nlen + 1, value, vlen + 1);
}

/* cf_service_free - release one parsed master.cf service */
static void
cf_service_free(struct cf_service *s)
{
	int     i;

	free(s->service);
	free(s->type);
	free(s->private_);
	free(s->unpriv);
	free(s->chroot);
	free(s->wakeup);
	free(s->maxproc);
	if (s->argv != NULL)
		for (i = 0; i < s->argc; i++)
			free(s->argv[i]);
	free(s->argv);
}

/* cf_parse_service - split one master.cf logical line; false if bad */
static bool
cf_parse_service(struct cf_reader *r, struct cf_service *s)
{
	char   *fields[CF_MASTER_COLUMNS - 1 + CF_MASTER_MAX_ARGS];
	char   *cursor = r->logical->data, *f;
	const char *err = NULL;
	size_t  n = 0, i;

	while ((f = cf_next_field(&cursor, &err)) != NULL) {
		if (n >= SYS_ARRAY_LEN(fields)) {
			cf_reportf(r, CF_ERROR, r->line, "too many command "
			    "arguments (more than %d)", CF_MASTER_MAX_ARGS);
			return false;
		}
		if (n >= CF_MASTER_COLUMNS && strcmp(fields[n - 1], "-o") == 0)
			cf_nameval_squeeze(f);
		fields[n++] = f;
	}
	if (err != NULL) {
		cf_reportf(r, CF_ERROR, r->line, "%s", err);
		return false;
	}
	if (n < CF_MASTER_COLUMNS) {
		cf_reportf(r, CF_ERROR, r->line, "expected at least %d "
		    "columns (service type private unpriv chroot wakeup "
		    "maxproc command), found %zu", CF_MASTER_COLUMNS, n);
		return false;
	}
	memset(s, 0, sizeof(*s));
	s->service = xstrdup(fields[0]);
	s->type = xstrdup(fields[1]);
	s->private_ = xstrdup(fields[2]);
	s->unpriv = xstrdup(fields[3]);
	s->chroot = xstrdup(fields[4]);
	s->wakeup = xstrdup(fields[5]);
	s->maxproc = xstrdup(fields[6]);
	s->argc = (int)(n - (CF_MASTER_COLUMNS - 1));
	s->argv = xcalloc((size_t)s->argc + 1, sizeof(*s->argv));
	for (i = CF_MASTER_COLUMNS - 1; i < n; i++)
		s->argv[i - (CF_MASTER_COLUMNS - 1)] = xstrdup(fields[i]);
	s->line = r->line;
	return true;
}

/* cf_read_master - parse master.cf into services */
struct cf_master *
cf_read_master(const char *path, cf_report_fn report, void *ctx)
{
	struct cf_reader r;
	struct cf_master *m;
	struct cf_service s;

	if (!cf_reader_open(&r, path, report, ctx))
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(path);
	while (cf_next_logical(&r)) {
		if (!cf_parse_service(&r, &s))
			continue;
		if (m->nservices >= CF_MAX_ENTRIES) {
			cf_reportf(&r, CF_ERROR, 0, "%s: too many entries "
			    "(more than %d)", path, CF_MAX_ENTRIES);
			cf_service_free(&s);
			break;
		}
		m->services = xreallocarray(m->services, m->nservices + 1,
		    sizeof(*m->services));
		m->services[m->nservices++] = s;
	}
	cf_reader_close(&r);
	return m;
}

/* cf_master_free - release a parsed master.cf; accepts NULL, returns NULL */
struct cf_master *
cf_master_free(struct cf_master *m)
{
	size_t  i;

	if (m == NULL)
		return NULL;
	for (i = 0; i < m->nservices; i++)
		cf_service_free(&m->services[i]);
	free(m->services);
	free(m->path);
	free(m);
	return NULL;
}

/* the state of one cf_expand call */
struct cf_exp {
	cf_lookup_fn lookup;
	void   *ctx;
	struct buf *out;
	struct buf *why;
	long	steps;
};

/* cf_exp_fail - set why; returns -1 */
static int
cf_exp_fail(struct cf_exp *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
cf_exp_fail(struct cf_exp *e, const char *fmt, ...)
{
	va_list ap;

	if (e->why != NULL && buf_len(e->why) == 0) {
		va_start(ap, fmt);
		(void)buf_vprintf(e->why, fmt, ap);	/* bounded by why */
		va_end(ap);
	}
	return -1;
}

/* cf_is_name_char - a character of a parameter name */
static inline bool
cf_is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '_';
}

/* cf_exp_append - append bytes to the output, bounded */
static int
cf_exp_append(struct cf_exp *e, const char *s, size_t len)
{
	if (buf_len(e->out) + len > CF_MAX_EXPAND
	    || buf_append(e->out, s, len) < 0)
		return cf_exp_fail(e, "expanded value too long");
	return 0;
}

static int cf_exp_text(struct cf_exp *, const char *, size_t, int);

/* cf_exp_name - append the expansion of parameter name (len bytes) */
static int
cf_exp_name(struct cf_exp *e, const char *name, size_t len, int depth)
{
	char    key[256];
	const char *value;

	if (len == 0)
		return cf_exp_fail(e, "empty parameter name after \"$\"");
	if (len >= sizeof(key))
		return cf_exp_fail(e, "parameter name too long");
	memcpy(key, name, len);
	key[len] = '\0';
	if (++e->steps > CF_MAX_STEPS)
		return cf_exp_fail(e, "parameter expansion too complex");
	if (depth >= CF_MAX_DEPTH)
		return cf_exp_fail(e, "parameter expansion loop");
	value = e->lookup != NULL ? e->lookup(e->ctx, key) : NULL;
	if (value == NULL)
		return 0;			/* unknown: "", as Postfix */
	return cf_exp_text(e, value, strlen(value), depth + 1);
}

/* cf_exp_text - append the expansion of len bytes of s */
static int
cf_exp_text(struct cf_exp *e, const char *s, size_t len, int depth)
{
	const char *end = s + len, *p, *name, *close, *text = NULL;
	size_t  nlen, mark;
	char    open, shut, op = 0;
	int     nest;
	bool    empty, take;

	while (s < end) {
		p = memchr(s, '$', (size_t)(end - s));
		if (p == NULL)
			p = end;
		if (cf_exp_append(e, s, (size_t)(p - s)) < 0)
			return -1;
		if (p == end)
			break;
		p++;
		if (p < end && *p == '$') {
			if (cf_exp_append(e, "$", 1) < 0)
				return -1;
			s = p + 1;
			continue;
		}
		if (p < end && (*p == '{' || *p == '(')) {
			open = *p;
			shut = open == '{' ? '}' : ')';
			name = ++p;
			while (p < end && cf_is_name_char((unsigned char)*p))
				p++;
			nlen = (size_t)(p - name);
			if (p < end && (*p == '?' || *p == ':')) {
				op = *p;
				text = ++p;
			} else {
				op = 0;
			}
			for (nest = 1, close = p; close < end; close++) {
				if (*close == open)
					nest++;
				else if (*close == shut && --nest == 0)
					break;
			}
			if (close >= end)
				return cf_exp_fail(e, "missing '%c' in "
				    "\"%.100s\"", shut, name - 2);
			if (op == 0 && close != p)
				return cf_exp_fail(e, "bad parameter name in "
				    "\"$%c%.*s%c\"", open,
				    (int)(close - name), name, shut);
			if (op == 0) {
				if (cf_exp_name(e, name, nlen, depth) < 0)
					return -1;
			} else {
				mark = buf_len(e->out);
				if (cf_exp_name(e, name, nlen, depth) < 0)
					return -1;
				empty = buf_len(e->out) == mark;
				buf_truncate(e->out, mark);
				take = op == '?' ? !empty : empty;
				if (take && cf_exp_text(e, text,
				    (size_t)(close - text), depth + 1) < 0)
					return -1;
			}
			s = close + 1;
			continue;
		}
		name = p;
		while (p < end && cf_is_name_char((unsigned char)*p))
			p++;
		if (cf_exp_name(e, name, (size_t)(p - name), depth) < 0)
			return -1;
		s = p;
	}
	return 0;
}

/* cf_expand - expand $name references of value into out */
int
cf_expand(const char *value, cf_lookup_fn lookup, void *ctx,
    struct buf *out, struct buf *why)
{
	struct cf_exp e;

	e.lookup = lookup;
	e.ctx = ctx;
	e.out = out;
	e.why = why;
	e.steps = 0;
	buf_reset(out);
	if (why != NULL)
		buf_reset(why);
	return cf_exp_text(&e, value, strlen(value), 0);
}
