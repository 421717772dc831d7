/* params_test.c - unit tests of util/params.c
 *
 * Each case writes a main.cf into a fresh mkdtemp directory, adds -o
 * overrides, runs params_check() in a forked child (overrides accumulate
 * per process), and compares variables, warnings and errors, with the
 * directory shown as "DIR": defaults and computed names, expansion chains,
 * continuation lines, overrides, bad values with their exact messages,
 * unknown parameters. Then params_load(): fatal on a missing main.cf and
 * on bad values (checked in children), and a reload in one process.
 */
#include "params.h"
#include "buf.h"
#include "log.h"
#include "str.h"
#include "tap.h"

#include <sys/wait.h>

struct check {
	const char *name;
	const char *want;	/* the variable, formatted; @HOST@ @DOMAIN@ */
};

struct pcase {
	const char *name;
	const char *maincf;	/* NULL: no main.cf at all */
	const char *ovr[4];
	struct check checks[6];
	const char *reports;	/* every report, one per line */
	int	errors;
};

#define TIME_WANT "expected a time between %s (a number with an optional " \
	"unit s, m, h, d or w)"

static const struct pcase cases[] = {
	{"defaults", "", {NULL}, {
	    {"message_size_limit", "10240000"},
	    {"smtpd_timeout", "300"},
	    {"maximal_queue_lifetime", "432000"},
	    {"smtputf8_enable", "yes"},
	    {"queue_directory", "/var/spool/postern"},
	    {"config_directory", "DIR"}}, "", 0},
	{"computed names", "", {NULL}, {
	    {"myhostname", "@HOST@"},
	    {"mydomain", "@DOMAIN@"},
	    {"myorigin", "@HOST@"},
	    {"mydestination", "@HOST@, localhost.@DOMAIN@, localhost"},
	    {"syslog_name", "postern"}}, "", 0},
	{"explicit host name", "myhostname = mx.example.com\n", {NULL}, {
	    {"mydomain", "example.com"},
	    {"mydestination",
		"mx.example.com, localhost.example.com, localhost"},
	    {"smtpd_banner", "mx.example.com ESMTP Postern"}}, "", 0},
	{"expansion chain",
	    "mydomain = example.org\n"
	    "myhostname = host.$mydomain\n"
	    "myorigin = ${mydomain}\n"
	    "relay_name = smtp.$mydomain\n"
	    "relayhost = [$relay_name]:587\n"
	    "mail_name = $(myorigin) mail\n"
	    "smtpd_banner = ${myhostname} ESMTP ${relayhost?relayed}\n",
	    {NULL}, {
	    {"myhostname", "host.example.org"},
	    {"myorigin", "example.org"},
	    {"relayhost", "[smtp.example.org]:587"},
	    {"smtpd_banner", "host.example.org ESMTP relayed"},
	    {"mail_name", "example.org mail"}}, "", 0},
	{"continuation lines",
	    "# comment\n"
	    "mydestination = example.com,\n"
	    "    example.net,\n"
	    "\n"
	    "  # comment inside\n"
	    "\texample.org\n"
	    "message_size_limit =\n"
	    "    2048000   \n", {NULL}, {
	    {"mydestination", "example.com, example.net, example.org"},
	    {"message_size_limit", "2048000"}}, "", 0},
	{"time units and booleans",
	    "smtpd_timeout = 5m\nmax_idle = 100\nmaximal_queue_lifetime = 1w\n"
	    "smtpd_helo_required = YES\ndisable_vrfy_command = no\n",
	    {NULL}, {
	    {"smtpd_timeout", "300"},
	    {"max_idle", "100"},
	    {"maximal_queue_lifetime", "604800"},
	    {"smtpd_helo_required", "yes"},
	    {"disable_vrfy_command", "no"}}, "", 0},
	{"overrides win, later first",
	    "smtpd_timeout = 60\nrelayhost = main\n",
	    {"smtpd_timeout=2m", "relayhost=first", "relayhost = second"}, {
	    {"smtpd_timeout", "120"},
	    {"relayhost", "second"}}, "", 0},
	{"bad number",
	    "message_size_limit = 10M\n", {NULL}, {
	    {"message_size_limit", "10240000"}},
	    "error: DIR/main.cf, line 1: message_size_limit: expected a "
	    "number between 0 and 9223372036854775807, got \"10M\"\n", 1},
	{"number out of range",
	    "myhostname = h.example\n"
	    "smtpd_recipient_limit = 0\n", {NULL}, {
	    {"smtpd_recipient_limit", "1000"}},
	    "error: DIR/main.cf, line 2: smtpd_recipient_limit: expected a "
	    "number between 1 and 1000000, got \"0\"\n", 1},
	{"bad times",
	    "smtpd_timeout = 5x\n"
	    "max_idle = 2d\n", {NULL}, {
	    {"smtpd_timeout", "300"}},
	    "error: DIR/main.cf, line 1: smtpd_timeout: expected a time "
	    "between 1s and 86400s (a number with an optional unit s, m, h, "
	    "d or w), got \"5x\"\n"
	    "error: DIR/main.cf, line 2: max_idle: expected a time "
	    "between 1s and 86400s (a number with an optional unit s, m, h, "
	    "d or w), got \"2d\"\n", 2},
	{"bad boolean",
	    "smtpd_helo_required = maybe\n", {NULL}, {
	    {"smtpd_helo_required", "no"}},
	    "error: DIR/main.cf, line 1: smtpd_helo_required: expected yes "
	    "or no, got \"maybe\"\n", 1},
	{"bad value after expansion",
	    "limit_base = 10\n"
	    "message_size_limit = ${limit_base}x\n", {NULL}, {{NULL, NULL}},
	    "error: DIR/main.cf, line 2: message_size_limit: expected a "
	    "number between 0 and 9223372036854775807, got \"10x\"\n", 1},
	{"unknown parameter",
	    "myhostname = mx.example.com\n"
	    "smtpd_tls_bogus = yes\n"
	    "helper = x\n"
	    "relayhost = $helper\n", {NULL}, {
	    {"relayhost", "x"}},
	    "warning: DIR/main.cf, line 2: unknown parameter "
	    "smtpd_tls_bogus (ignored)\n", 0},
	{"expansion loop",
	    "myorigin = $a_loop\n"
	    "a_loop = x$myorigin\n", {NULL}, {{NULL, NULL}},
	    "error: DIR/main.cf, line 1: myorigin: parameter expansion loop\n",
	    1},
	{"bad override",
	    "", {"max_idle=abc", "no_such=1", "junk_var=2",
	    "relayhost=$junk_var"}, {
	    {"max_idle", "100"},
	    {"relayhost", "2"}},
	    "error: -o max_idle: expected a time between 1s and 86400s (a "
	    "number with an optional unit s, m, h, d or w), got \"abc\"\n"
	    "warning: -o unknown parameter no_such (ignored)\n", 1},
	{"missing main.cf", NULL, {NULL}, {
	    {"message_size_limit", "10240000"},
	    {"config_directory", "DIR"}},
	    "error: open DIR/main.cf: No such file or directory\n", 1},
	{"syntax errors",
	    "  leading = white\n"
	    "no equals here\n"
	    "relayhost = ok\n"
	    "  continued\n", {NULL}, {
	    {"relayhost", "ok continued"}},
	    "warning: DIR/main.cf, line 1: logical line must not start with "
	    "white space: \"leading = white\" (ignored)\n"
	    "error: DIR/main.cf, line 2: missing '=' after parameter name\n",
	    1},
};

static struct buf *reports;
static const char *cur_dir;

/* replace_all - copy s into out with every from replaced by to */
static void
replace_all(struct buf *out, const char *s, const char *from, const char *to)
{
	const char *p;
	size_t  flen = strlen(from);

	buf_reset(out);
	while ((p = strstr(s, from)) != NULL) {
		(void)buf_append(out, s, (size_t)(p - s));
		(void)buf_append_str(out, to);
		s = p + flen;
	}
	(void)buf_append_str(out, s);
}

/* report - collect problems with the directory shown as DIR */
static void
report(void *ctx, enum cf_severity sev, const char *file, int line,
    const char *text)
{
	struct buf *msg = buf_new(0), *shown = buf_new(0);

	(void)ctx;
	cf_report_text(msg, file, line, text);
	replace_all(shown, buf_str(msg), cur_dir, "DIR");
	(void)buf_printf(reports, "%s: %s\n",
	    sev == CF_WARN ? "warning" : "error", buf_str(shown));
	buf_free(msg);
	buf_free(shown);
}

/* var_text - a variable formatted for comparison */
static void
var_text(struct buf *out, const struct params_row *row)
{
	buf_reset(out);
	switch (row->type) {
	case PARAMS_STR:
		(void)buf_append_str(out, *(char **)row->var);
		break;
	case PARAMS_INT:
	case PARAMS_TIME:
		(void)buf_printf(out, "%lld", *(long long *)row->var);
		break;
	case PARAMS_BOOL:
		(void)buf_append_str(out, *(bool *)row->var ? "yes" : "no");
		break;
	}
}

/* write_file - create dir/name with text */
static int
write_file(const char *dir, const char *name, const char *text)
{
	char    path[512];
	FILE   *fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* remove_dir - remove a case directory */
static void
remove_dir(const char *dir)
{
	char    path[512];

	(void)snprintf(path, sizeof(path), "%s/main.cf", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* expected names, as params_load computes them */
static char host[300], domain[300];

/* run_case - in a child: load and compare; exit 0 when all is well */
static int
run_case(const struct pcase *c, const char *dir)
{
	struct buf *got = buf_new(0), *want = buf_new(0), *tmp = buf_new(0);
	const struct params_row *row;
	const char *value;
	size_t  i;
	int     errors, bad = 0;

	reports = buf_new(0);
	cur_dir = dir;
	for (i = 0; i < SYS_ARRAY_LEN(c->ovr) && c->ovr[i]; i++)
		if (params_add_override(c->ovr[i]) < 0)
			bad++;
	errors = params_check(dir, report, NULL);
	if (errors != c->errors) {
		diag("errors: got %d, want %d", errors, c->errors);
		bad++;
	}
	if (strcmp(buf_str(reports), c->reports) != 0) {
		diag("reports:\n%s# want:\n%s", buf_str(reports), c->reports);
		bad++;
	}
	for (i = 0; i < SYS_ARRAY_LEN(c->checks) && c->checks[i].name; i++) {
		row = params_find(c->checks[i].name);
		if (row == NULL) {
			diag("no parameter %s", c->checks[i].name);
			bad++;
			continue;
		}
		var_text(got, row);
		replace_all(tmp, c->checks[i].want, "@HOST@", host);
		replace_all(want, buf_str(tmp), "@DOMAIN@", domain);
		replace_all(tmp, buf_str(want), "DIR", dir);
		if (strcmp(buf_str(got), buf_str(tmp)) != 0) {
			diag("%s: got \"%s\", want \"%s\"", row->name,
			    buf_str(got), buf_str(tmp));
			bad++;
		}
		value = params_value(row->name);
		if (row->type == PARAMS_STR && (value == NULL
		    || strcmp(value, buf_str(got)) != 0)) {
			diag("params_value(%s) differs", row->name);
			bad++;
		}
	}
	buf_free(got);
	buf_free(want);
	buf_free(tmp);
	buf_free(reports);
	return bad ? 1 : 0;
}

/* in_child - run fn in a child; its exit status, stdout captured */
static int
in_child(int (*fn)(const void *, const char *), const void *arg,
    const char *dir)
{
	pid_t   pid;
	int     status;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		status = fn(arg, dir);
		fflush(stdout);
		_exit(status);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* case_child - adapter for in_child */
static int
case_child(const void *arg, const char *dir)
{
	return run_case(arg, dir);
}

static int capture_fd = -1;

/* capture - the log hook of the params_load children: to a pipe */
static void
capture(const char *line)
{
	if (write(capture_fd, line, strlen(line)) < 0
	    || write(capture_fd, "\n", 1) < 0)
		_exit(98);
}

/* load_child - params_load in a child, log lines into out */
static int
load_child(const char *dir, char *out, size_t size)
{
	int     fds[2], status;
	pid_t   pid;
	size_t  got = 0;
	ssize_t n;

	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		capture_fd = fds[1];
		log_set_capture(capture);
		params_load(dir);
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < size
	    && (n = read(fds[0], out + got, size - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* new_dir - a fresh case directory */
static char *
new_dir(char *tmpl, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	(void)snprintf(tmpl, size, "%s/params_test.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(tmpl);
}

int
main(void)
{
	char    dir[400], log[4096], want[1024];
	const char *dot;
	size_t  i;
	int     status;

	plan((int)SYS_ARRAY_LEN(cases) + 9);
	log_init("params_test");
	if (gethostname(host, sizeof(host) - 20) < 0 || host[0] == '\0')
		(void)str_copy(host, sizeof(host), "localhost");
	if (strchr(host, '.') == NULL)
		(void)strncat(host, ".localdomain", 13);
	dot = strchr(host, '.');
	(void)str_copy(domain, sizeof(domain), dot[1] ? dot + 1 :
	    "localdomain");

	for (i = 0; i < SYS_ARRAY_LEN(cases); i++) {
		if (new_dir(dir, sizeof(dir)) == NULL
		    || (cases[i].maincf != NULL
		    && write_file(dir, "main.cf", cases[i].maincf) < 0)) {
			ok(0, "%s: set up %s", cases[i].name, dir);
			continue;
		}
		ok(in_child(case_child, &cases[i], dir) == 0, "%s",
		    cases[i].name);
		remove_dir(dir);
	}

	/* params_load: fatal when main.cf is missing */
	(void)new_dir(dir, sizeof(dir));
	status = load_child(dir, log, sizeof(log));
	(void)snprintf(want, sizeof(want), "fatal: open %s/main.cf: No such "
	    "file or directory", dir);
	ok(status == 1 && strstr(log, want) != NULL,
	    "params_load: missing main.cf is fatal");

	/* params_load: each error logged, then fatal */
	(void)write_file(dir, "main.cf", "max_use = many\nmax_idle = 0\n"
	    "unknown_thing = 1\n");
	status = load_child(dir, log, sizeof(log));
	(void)snprintf(want, sizeof(want), "error: %s/main.cf, line 1: "
	    "max_use: expected a number between 1 and 1000000, got \"many\"",
	    dir);
	ok(status == 1 && strstr(log, want) != NULL,
	    "params_load: bad value logged");
	(void)snprintf(want, sizeof(want), "warning: %s/main.cf, line 3: "
	    "unknown parameter unknown_thing (ignored)", dir);
	ok(strstr(log, want) != NULL, "params_load: unknown parameter warned");
	(void)snprintf(want, sizeof(want), "fatal: %s/main.cf: 2 errors in "
	    "configuration", dir);
	if (!ok(strstr(log, want) != NULL, "params_load: fatal with count"))
		diag("log: %s", log);

	/* params_load: reload replaces every value */
	(void)write_file(dir, "main.cf", "myhostname = one.example\n"
	    "smtpd_timeout = 10\nsyslog_name = mta\n");
	params_load(dir);
	ok(strcmp(var_myhostname, "one.example") == 0
	    && var_smtpd_timeout == 10, "params_load: first load");
	ok(strcmp(var_syslog_name, "mta") == 0 && strcmp(params_raw(
	    "smtpd_timeout"), "10") == 0 && params_raw("max_use") == NULL,
	    "params_raw: as written, NULL for defaults");
	(void)write_file(dir, "main.cf", "myhostname = two.example\n");
	params_load(dir);
	ok(strcmp(var_myhostname, "two.example") == 0
	    && var_smtpd_timeout == 300 && strcmp(var_mydomain, "example") == 0
	    && strcmp(params_value("myorigin"), "two.example") == 0,
	    "params_load: reload replaces values");
	ok(params_value("no_such_parameter") == NULL
	    && params_find("no_such_parameter") == NULL,
	    "unknown name: no value, no row");
	ok(params_list_has(var_mydestination, "LOCALHOST")
	    && params_list_has("a, b,c", "c")
	    && !params_list_has("abc, bc", "b"), "params_list_has");
	remove_dir(dir);
	return done();
}
