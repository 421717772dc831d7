/* cf_test.c - unit tests of util/cf.c
 *
 * Two parts. Table-driven cf_expand() cases over a fixed lookup table:
 * every $ form, unknown names, conditionals, nesting, loops and syntax
 * errors. Then golden files: each t/data/cf/<case>.in is read as main.cf
 * (main-*), master.cf (master-*) or main.cf whose values are then expanded
 * (expand-*), and the printed result, warnings and errors included, must
 * equal <case>.ref. The data directory is $POSTERN_SRC/t/data/cf, else
 * t/data/cf relative to the current directory (tests run from the root).
 * With CF_TEST_REGEN=1 in the environment the .ref files are rewritten
 * instead (review the diff before committing). Last, every limit is tested
 * at its value and one past it: CF_MAX_LINE, CF_MAX_ENTRIES,
 * CF_MASTER_MAX_ARGS and CF_MAX_DEPTH.
 */
#include "cf.h"
#include "buf.h"
#include "mem.h"
#include "str.h"
#include "tap.h"

#include <dirent.h>

struct kv {
	const char *name;
	const char *value;
};

static const struct kv expand_vars[] = {
	{"myhostname", "mx.example.com"},
	{"mydomain", "example.com"},
	{"empty", ""},
	{"chain1", "$chain2/one"},
	{"chain2", "${chain3}-two"},
	{"chain3", "$(mydomain)"},
	{"loop_a", "x$loop_b"},
	{"loop_b", "$loop_a"},
	{"self", "$self"},
	{"to_empty", "$empty"},
	{"dollar", "a$$b"},
	{"bad", "${oops"},
};

/* kv_lookup - lookup over a kv table */
static const char *
kv_lookup(void *ctx, const char *name)
{
	const struct kv *t = ctx;
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(expand_vars); i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].value;
	return NULL;
}

struct exp_case {
	const char *in;
	int	want_ret;
	const char *want;	/* output, or the error text */
};

static const struct exp_case exp_cases[] = {
	{"plain text", 0, "plain text"},
	{"$myhostname", 0, "mx.example.com"},
	{"${myhostname}", 0, "mx.example.com"},
	{"$(myhostname)", 0, "mx.example.com"},
	{"$myhostname.x", 0, "mx.example.com.x"},
	{"localhost.$mydomain, $myhostname", 0,
	    "localhost.example.com, mx.example.com"},
	{"a$$b", 0, "a$b"},
	{"$$myhostname", 0, "$myhostname"},
	{"$dollar", 0, "a$b"},
	{"[$unknown]", 0, "[]"},
	{"${mydomain?set}", 0, "set"},
	{"${empty?set}", 0, ""},
	{"${unknown?set}", 0, ""},
	{"${empty:unset}", 0, "unset"},
	{"${mydomain:unset}", 0, ""},
	{"${to_empty:fallback $mydomain}", 0, "fallback example.com"},
	{"${mydomain?{x} ${myhostname}}", 0, "{x} mx.example.com"},
	{"$(mydomain?p(x)q)", 0, "p(x)q"},
	{"$chain1", 0, "example.com-two/one"},
	{"$loop_a", -1, "parameter expansion loop"},
	{"$self", -1, "parameter expansion loop"},
	{"${myhostname", -1, "missing '}' in \"${myhostname\""},
	{"$(myhostname", -1, "missing ')' in \"$(myhostname\""},
	{"$bad", -1, "missing '}' in \"${oops\""},
	{"${my-host}", -1, "bad parameter name in \"${my-host}\""},
	{"cost $5", 0, "cost "},
	{"cost $-5", -1, "empty parameter name after \"$\""},
	{"trailing $", -1, "empty parameter name after \"$\""},
	{"", 0, ""},
};

/* golden-file reporting: messages into a buffer, with the file's base
 * name so that the .ref does not depend on where the tree is */
static void
report(void *ctx, enum cf_severity sev, const char *file, int line,
    const char *text)
{
	struct buf *out = ctx, *msg = buf_new(0);
	const char *base = strrchr(file, '/');

	cf_report_text(msg, base ? base + 1 : file, line, text);
	(void)buf_printf(out, "%s: %s\n", sev == CF_WARN ? "warning" : "error",
	    buf_str(msg));
	buf_free(msg);
}

/* main_lookup - lookup over a parsed main.cf */
static const char *
main_lookup(void *ctx, const char *name)
{
	const struct cf_main *m = ctx;
	size_t  i;

	for (i = 0; i < m->npairs; i++)
		if (strcmp(m->pairs[i].name, name) == 0)
			return m->pairs[i].value;
	return NULL;
}

/* run_main - parse a main.cf case; expand the values if asked */
static void
run_main(const char *path, bool expand, struct buf *out)
{
	struct cf_main *m;
	struct buf *val = buf_new(0), *why = buf_new(0);
	size_t  i;

	m = cf_read_main(path, report, out);
	if (m == NULL) {
		(void)buf_append_str(out, "(no result)\n");
		goto fail;
	}
	(void)buf_append_str(out, "== entries\n");
	for (i = 0; i < m->npairs; i++) {
		const struct cf_pair *p = &m->pairs[i];

		if (!expand) {
			(void)buf_printf(out, "%d: %s = %s\n", p->line,
			    p->name, p->value);
		} else if (cf_expand(p->value, main_lookup, m, val,
		    why) == 0) {
			(void)buf_printf(out, "%d: %s = %s\n", p->line,
			    p->name, buf_str(val));
		} else {
			(void)buf_printf(out, "%d: %s: error: %s\n", p->line,
			    p->name, buf_str(why));
		}
	}
fail:
	cf_main_free(m);
	buf_free(val);
	buf_free(why);
}

/* run_master - parse a master.cf case */
static void
run_master(const char *path, struct buf *out)
{
	struct cf_master *m;
	size_t  i;
	int     a;

	m = cf_read_master(path, report, out);
	if (m == NULL) {
		(void)buf_append_str(out, "(no result)\n");
		return;
	}
	(void)buf_append_str(out, "== services\n");
	for (i = 0; i < m->nservices; i++) {
		const struct cf_service *s = &m->services[i];

		(void)buf_printf(out, "%d: %s|%s|%s|%s|%s|%s|%s|", s->line,
		    s->service, s->type, s->private_, s->unpriv, s->chroot,
		    s->wakeup, s->maxproc);
		for (a = 0; a < s->argc; a++)
			(void)buf_printf(out, " [%s]", s->argv[a]);
		(void)buf_printf(out, " (%d args)\n", s->argv[s->argc] == NULL
		    ? s->argc : -1);
	}
	cf_master_free(m);
}

/* read_whole - a file's contents, or NULL */
static struct buf *
read_whole(const char *path)
{
	struct buf *b;
	char    chunk[4096];
	ssize_t n;
	int     fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return NULL;
	b = buf_new(0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		(void)buf_append(b, chunk, (size_t)n);
	close(fd);
	return b;
}

/* chain_lookup - "cN" expands to "$c(N+1)" below limit, then to "end" */
static const char *
chain_lookup(void *ctx, const char *name)
{
	static char value[32];
	long    limit = *(const long *)ctx, n;

	if (name[0] != 'c')
		return NULL;
	n = strtol(name + 1, NULL, 10);
	if (n >= limit)
		return "end";
	(void)snprintf(value, sizeof(value), "$c%ld", n + 1);
	return value;
}

/* write_temp - a temporary file holding text; its path in path */
static bool
write_temp(char *path, size_t size, const struct buf *text)
{
	int     fd;
	bool    good;

	(void)snprintf(path, size, "/tmp/cf_test.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return false;
	good = write(fd, buf_str(text), buf_len(text))
	    == (ssize_t)buf_len(text);
	return close(fd) == 0 && good;
}

/* limit_main - parse a generated main.cf; entries and errors */
static void
limit_main(const struct buf *text, size_t *entries, struct buf *errs)
{
	char    path[64];
	struct cf_main *m;

	buf_reset(errs);
	*entries = 0;
	if (!write_temp(path, sizeof(path), text))
		return;
	m = cf_read_main(path, report, errs);
	*entries = m ? m->npairs : 0;
	cf_main_free(m);
	(void)unlink(path);
}

/* limits - every cf limit at its value and one past */
static int
limits(void)
{
	struct buf *text = buf_new(0), *errs = buf_new(0);
	struct buf *out = buf_new(0), *why = buf_new(0);
	struct cf_master *m;
	char    path[64];
	size_t  n, i;
	long    depth;
	int     argc = -1;

	for (n = CF_MAX_LINE; n <= CF_MAX_LINE + 1; n++) {
		buf_reset(text);
		(void)buf_append_str(text, "n = ");
		for (i = 4; i < n; i++)
			(void)buf_append_char(text, 'x');
		(void)buf_append_str(text, "\nafter = 1\n");
		limit_main(text, &i, errs);
		if (n == CF_MAX_LINE)
			ok(i == 2 && buf_len(errs) == 0,
			    "line of CF_MAX_LINE bytes");
		else
			ok(i == 1 && strstr(buf_str(errs), "line 1: line too "
			    "long") != NULL, "line of CF_MAX_LINE + 1 bytes");
	}
	for (n = CF_MAX_ENTRIES; n <= CF_MAX_ENTRIES + 1; n++) {
		buf_reset(text);
		for (i = 0; i < n; i++)
			(void)buf_printf(text, "p%zu = %zu\n", i, i);
		limit_main(text, &i, errs);
		if (n == CF_MAX_ENTRIES)
			ok(i == n && buf_len(errs) == 0,
			    "CF_MAX_ENTRIES entries");
		else
			ok(i == CF_MAX_ENTRIES && strstr(buf_str(errs),
			    "too many entries") != NULL,
			    "CF_MAX_ENTRIES + 1 entries");
	}
	for (n = CF_MASTER_MAX_ARGS; n <= CF_MASTER_MAX_ARGS + 1; n++) {
		buf_reset(text);
		(void)buf_append_str(text, "svc unix - - n - - cmd");
		for (i = 1; i < n; i++)
			(void)buf_printf(text, " a%zu", i);
		(void)buf_append_char(text, '\n');
		buf_reset(errs);
		m = write_temp(path, sizeof(path), text) ?
		    cf_read_master(path, report, errs) : NULL;
		(void)unlink(path);
		argc = m && m->nservices == 1 ? m->services[0].argc : -1;
		if (n == CF_MASTER_MAX_ARGS)
			ok(argc == (int)n && buf_len(errs) == 0,
			    "CF_MASTER_MAX_ARGS arguments");
		else
			ok(m && m->nservices == 0 && strstr(buf_str(errs),
			    "too many command arguments") != NULL,
			    "CF_MASTER_MAX_ARGS + 1 arguments");
		cf_master_free(m);
	}
	for (depth = CF_MAX_DEPTH; depth <= CF_MAX_DEPTH + 1; depth++) {
		/* $c1 resolves through the names c1 .. c<depth> */
		int     ret = cf_expand("$c1", chain_lookup, &depth, out, why);

		if (depth == CF_MAX_DEPTH)
			ok(ret == 0 && strcmp(buf_str(out), "end") == 0,
			    "CF_MAX_DEPTH nested names");
		else
			ok(ret < 0 && strcmp(buf_str(why),
			    "parameter expansion loop") == 0,
			    "CF_MAX_DEPTH + 1 nested names");
	}
	buf_free(text);
	buf_free(errs);
	buf_free(out);
	buf_free(why);
	return 8;
}

/* name_cmp - qsort order of case names */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* golden - run every case in dir; returns the number of cases run */
static int
golden(const char *dir)
{
	DIR    *d;
	struct dirent *e;
	char  **names = NULL;
	size_t  n = 0, i, len;
	struct buf *path, *out, *ref;
	bool    regen = getenv("CF_TEST_REGEN") != NULL;
	int     fd;

	if ((d = opendir(dir)) == NULL) {
		ok(0, "open data directory %s: %s", dir, strerror(errno));
		return 1;
	}
	path = buf_new(0);
	out = buf_new(0);
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".in") == 0) {
			names = xreallocarray(names, n + 1, sizeof(*names));
			names[n++] = xstrndup(e->d_name, len - 3);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		buf_reset(out);
		buf_reset(path);
		(void)buf_printf(path, "%s/%s.in", dir, names[i]);
		if (strncmp(names[i], "master-", 7) == 0)
			run_master(buf_str(path), out);
		else
			run_main(buf_str(path),
			    strncmp(names[i], "expand-", 7) == 0, out);
		buf_reset(path);
		(void)buf_printf(path, "%s/%s.ref", dir, names[i]);
		if (regen) {
			fd = open(buf_str(path), O_WRONLY | O_CREAT | O_TRUNC,
			    0644);
			ok(fd >= 0 && write(fd, buf_str(out), buf_len(out))
			    == (ssize_t)buf_len(out) && close(fd) == 0,
			    "golden %s (rewritten)", names[i]);
		} else {
			ref = read_whole(buf_str(path));
			if (!ok(ref != NULL && buf_len(ref) == buf_len(out)
			    && memcmp(buf_str(ref), buf_str(out),
			    buf_len(out)) == 0, "golden %s", names[i]))
				diag("got:\n%s", buf_str(out));
			buf_free(ref);
		}
		free(names[i]);
	}
	free(names);
	buf_free(path);
	buf_free(out);
	return (int)n;
}

int
main(void)
{
	struct buf *out = buf_new(0), *why = buf_new(0), *dir = buf_new(0);
	struct buf *small = buf_new(8);
	const char *src = getenv("POSTERN_SRC");
	size_t  i;
	int     ret, ncases;

	for (i = 0; i < SYS_ARRAY_LEN(exp_cases); i++) {
		const struct exp_case *c = &exp_cases[i];
		const char *got;

		ret = cf_expand(c->in, kv_lookup, (void *)expand_vars, out,
		    why);
		got = ret == 0 ? buf_str(out) : buf_str(why);
		if (!ok(ret == c->want_ret && strcmp(got, c->want) == 0,
		    "expand \"%s\"", c->in))
			diag("ret %d, got \"%s\", want \"%s\"", ret, got,
			    c->want);
	}
	ret = cf_expand("$myhostname", kv_lookup, (void *)expand_vars, small,
	    why);
	ok(ret < 0 && strcmp(buf_str(why), "expanded value too long") == 0,
	    "expand into a full buffer fails");
	ok(cf_read_main("/nonexistent/main.cf", report, out) == NULL
	    && strstr(buf_str(out), "error: open /nonexistent/main.cf: No "
	    "such file or directory") != NULL, "missing file is reported");

	if (src != NULL && *src != '\0')
		(void)buf_printf(dir, "%s/t/data/cf", src);
	else
		(void)buf_append_str(dir, "t/data/cf");
	ncases = golden(buf_str(dir));
	ncases += limits();
	plan((int)SYS_ARRAY_LEN(exp_cases) + 2 + ncases);
	buf_free(out);
	buf_free(why);
	buf_free(dir);
	buf_free(small);
	return done();
}
