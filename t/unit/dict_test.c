/* dict_test.c - unit tests of util/dict: the text parser, every table
 * type, lists, building, deleting, change detection, Postfix compatibility
 *
 * The parser runs over a table of { name, syntax, input, want } cases,
 * where want is every entry as "key=value@line;" or "ERR:" and the error
 * text. Limits are checked at and one past DICT_MAX_KEY, DICT_MAX_VALUE
 * and DICT_MAX_LINE. Tables are built in a temporary directory; each type
 * is then queried through the same table of lookups. When Postfix's
 * postmap is installed, a table it built is read here and one built here
 * is queried with it (a configuration directory with an empty main.cf
 * keeps it away from the system's); otherwise those cases are skipped.
 */
#include "buf.h"
#include "dict.h"
#include "log.h"
#include "mem.h"
#include "tap.h"

#include <sys/wait.h>
#include <sysexits.h>

#ifndef POSTMAP
#define POSTMAP	"/usr/sbin/postmap"
#endif

static char dir[] = "/tmp/dict_test.XXXXXX";
static struct buf *captured;

/* capture - keep log lines for the tests that look at warnings */
static void
capture(const char *line)
{
	(void)buf_append_str(captured, line);
	(void)buf_append_char(captured, '\n');
}

/* collect - parser callback: "key=value@line;" */
static int
collect(void *ctx, const char *key, const char *value, size_t line,
    struct buf *why)
{
	(void)why;
	return buf_printf(ctx, "%s=%s@%zu;", key, value, line);
}

/* parse - the parser's entries, or "ERR:" and the error */
static const char *
parse(const char *in, size_t len, enum dict_syntax syntax, struct buf *out)
{
	struct buf *why = buf_new(0);

	buf_reset(out);
	if (dict_text_parse(in, len, "src", syntax, collect, out, why) < 0) {
		buf_reset(out);
		(void)buf_printf(out, "ERR:%s", buf_str(why));
	}
	buf_free(why);
	return buf_str(out);
}

static const struct parse_case {
	const char *name;
	enum dict_syntax syntax;
	const char *in;
	const char *want;
} parse_cases[] = {
	{ "postmap: one entry", DICT_SYNTAX_POSTMAP, "a b\n", "a=b@1;" },
	{ "postmap: comments and blank lines", DICT_SYNTAX_POSTMAP,
	    "# c\n\n  \n\t# indented comment\na b\n", "a=b@5;" },
	{ "postmap: key folded, value kept", DICT_SYNTAX_POSTMAP,
	    "KeY VaLue\n", "key=VaLue@1;" },
	{ "postmap: whitespace trimmed, CRLF", DICT_SYNTAX_POSTMAP,
	    "k \t  v  w  \r\n", "k=v  w@1;" },
	{ "postmap: continuation lines", DICT_SYNTAX_POSTMAP,
	    "k a\n  b\n\tc\nz y\n", "k=a b c@1;z=y@4;" },
	{ "postmap: comment inside an entry", DICT_SYNTAX_POSTMAP,
	    "k a\n# x\n  b\n", "k=a b@1;" },
	{ "postmap: no final newline", DICT_SYNTAX_POSTMAP, "a b", "a=b@1;" },
	{ "postmap: colon is part of the key", DICT_SYNTAX_POSTMAP,
	    "key: value\n", "key:=value@1;" },
	{ "postmap: empty input", DICT_SYNTAX_POSTMAP, "", "" },
	{ "postmap: key without value", DICT_SYNTAX_POSTMAP, "a b\nc d\ne\n",
	    "ERR:src:3: expected format: key whitespace value" },
	{ "postmap: continuation first", DICT_SYNTAX_POSTMAP, "  a b\n",
	    "ERR:src:1: continuation line without an entry above" },
	{ "aliases: one alias", DICT_SYNTAX_ALIASES, "root: me\n",
	    "root=me@1;" },
	{ "aliases: a list over lines", DICT_SYNTAX_ALIASES,
	    "Staff: a, b,\n  c\n\n# end\npostmaster:root\n",
	    "staff=a, b, c@1;postmaster=root@5;" },
	{ "aliases: quoted name", DICT_SYNTAX_ALIASES,
	    "\"Foo \\\"Bar\": x\n", "foo \"bar=x@1;" },
	{ "aliases: space before the colon", DICT_SYNTAX_ALIASES,
	    "foo : x\n", "foo=x@1;" },
	{ "aliases: command kept whole", DICT_SYNTAX_ALIASES,
	    "bin: \"|/usr/bin/x arg\", /var/log/f\n",
	    "bin=\"|/usr/bin/x arg\", /var/log/f@1;" },
	{ "aliases: missing colon", DICT_SYNTAX_ALIASES, "a: b\nfoo bar\n",
	    "ERR:src:2: expected format: name: value" },
	{ "aliases: whitespace in name", DICT_SYNTAX_ALIASES, "foo bar: x\n",
	    "ERR:src:1: whitespace in name (quote the name)" },
	{ "aliases: empty value", DICT_SYNTAX_ALIASES, "foo:\n",
	    "ERR:src:1: expected format: name: value (empty value)" },
	{ "aliases: empty name", DICT_SYNTAX_ALIASES, ": x\n",
	    "ERR:src:1: empty name" },
	{ "aliases: unterminated quote", DICT_SYNTAX_ALIASES, "\"foo: x\n",
	    "ERR:src:1: unterminated quoted name" },
};

/* test_parse - the case table, then NUL and the limits */
static void
test_parse(void)
{
	struct buf *out = buf_new(0), *big = buf_new(0);
	const struct parse_case *c;
	char    want[128];
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(parse_cases); i++) {
		c = &parse_cases[i];
		is_str(parse(c->in, strlen(c->in), c->syntax, out), c->want,
		    c->name);
	}
	is_str(parse("a b\nc \0d\n", 9, DICT_SYNTAX_POSTMAP, out),
	    "ERR:src:2: NUL byte in line", "NUL byte refused with its line");

	/* a key at DICT_MAX_KEY, and one byte past it */
	for (i = 0; i < 2; i++) {
		buf_reset(big);
		while (buf_len(big) < DICT_MAX_KEY + i)
			(void)buf_append_char(big, 'k');
		(void)buf_append_str(big, " v\n");
		parse(buf_str(big), buf_len(big), DICT_SYNTAX_POSTMAP, out);
		if (i == 0)
			ok(strncmp(buf_str(out), "kkk", 3) == 0,
			    "key of DICT_MAX_KEY bytes accepted");
		else
			is_str(buf_str(out), "ERR:src:1: key longer than "
			    "1024 bytes", "key past DICT_MAX_KEY refused");
	}
	/* a value at DICT_MAX_VALUE, and past it */
	for (i = 0; i < 2; i++) {
		buf_reset(big);
		(void)buf_append_str(big, "k ");
		while (buf_len(big) < 2 + DICT_MAX_VALUE + i)
			(void)buf_append_char(big, 'v');
		parse(buf_str(big), buf_len(big), DICT_SYNTAX_POSTMAP, out);
		if (i == 0)
			ok(buf_len(out) == 2 + DICT_MAX_VALUE + 3,
			    "value of DICT_MAX_VALUE bytes accepted");
		else
			is_str(buf_str(out), "ERR:src:1: value longer than "
			    "65536 bytes", "value past DICT_MAX_VALUE "
			    "refused");
	}
	/* a line past DICT_MAX_LINE; an entry past it by continuation */
	buf_reset(big);
	(void)buf_append_str(big, "a b\n");
	while (buf_len(big) < 4 + DICT_MAX_LINE + 1)
		(void)buf_append_char(big, 'x');
	(void)snprintf(want, sizeof(want), "ERR:src:2: line longer than %d "
	    "bytes", DICT_MAX_LINE);
	is_str(parse(buf_str(big), buf_len(big), DICT_SYNTAX_POSTMAP, out),
	    want, "line past DICT_MAX_LINE refused");
	buf_reset(big);
	(void)buf_append_str(big, "k v\n");
	for (i = 0; i < 3; i++) {
		(void)buf_append_char(big, ' ');
		while (buf_len(big) % (DICT_MAX_LINE / 2) != 0)
			(void)buf_append_char(big, 'x');
		(void)buf_append_char(big, '\n');
	}
	(void)snprintf(want, sizeof(want), "ERR:src:1: entry longer than %d "
	    "bytes", DICT_MAX_LINE);
	is_str(parse(buf_str(big), buf_len(big), DICT_SYNTAX_POSTMAP, out),
	    want, "entry past DICT_MAX_LINE refused");
	buf_free(out);
	buf_free(big);
}

/* path_of - dir/name in a static buffer (one at a time) */
static const char *
path_of(const char *fmt, const char *name)
{
	static char path[512];

	(void)snprintf(path, sizeof(path), fmt, dir, name);
	return path;
}

/* write_file - create dir/name with text */
static void
write_file(const char *name, const char *text, mode_t mode)
{
	const char *path = path_of("%s/%s", name);
	int     fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)
	    || fchmod(fd, mode) < 0 || close(fd) < 0) {
		perror(path);
		exit(2);
	}
}

/* lookup - the value of key in table type_name, "-" not found, "ERR" */
static const char *
lookup(struct dict *d, const char *key, struct buf *value)
{
	struct buf *why = buf_new(0);
	int     ret = dict_lookup(d, key, value, why);

	if (ret == 0)
		buf_set(value, "-");
	else if (ret < 0)
		buf_set(value, "ERR");
	buf_free(why);
	return buf_str(value);
}

static const struct lookup_case {
	const char *key;
	const char *want;
} lookup_cases[] = {
	{ "alpha", "one" },
	{ "ALPHA", "one" },
	{ "Beta", "two words" },
	{ "gamma", "3" },
	{ "nothere", "-" },
	{ "", "-" },
};

#define TYPE_SOURCE	"alpha one\nBETA two words\ngamma 3\n"

/* test_types - every type answers the same lookups */
static void
test_types(void)
{
	static const char *const types[] = { "hash", "btree", "texthash" };
	struct buf *why = buf_new(0), *value = buf_new(0);
	char    name[600];
	struct dict *d;
	size_t  i, j;

	write_file("types", TYPE_SOURCE, 0644);
	for (i = 0; i < SYS_ARRAY_LEN(types) + 1; i++) {
		if (i < SYS_ARRAY_LEN(types))
			(void)snprintf(name, sizeof(name), "%s:%s",
			    types[i], path_of("%s/%s", "types"));
		else
			(void)snprintf(name, sizeof(name), "inline:{ alpha="
			    "one, { BETA = two words }, gamma=3 }");
		if (!ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0,
		    "build %.8s", name))
			diag("%s", buf_str(why));
		d = dict_open(name, why);
		if (!ok(d != NULL, "open %.8s", name)) {
			diag("%s", buf_str(why));
			continue;
		}
		for (j = 0; j < SYS_ARRAY_LEN(lookup_cases); j++)
			is_str(lookup(d, lookup_cases[j].key, value),
			    lookup_cases[j].want, lookup_cases[j].key);
		ok(!dict_changed(d), "%.8s: not changed", name);
		ok(strcmp(dict_name(d), name) == 0, "dict_name");
		dict_close(d);
	}
	buf_free(why);
	buf_free(value);
}

/* test_key_limit - lookups at and past DICT_MAX_KEY */
static void
test_key_limit(void)
{
	struct buf *why = buf_new(0), *value = buf_new(0);
	char    key[DICT_MAX_KEY + 2], src[DICT_MAX_KEY + 16], name[600];
	struct dict *d;

	memset(key, 'k', sizeof(key) - 1);
	key[DICT_MAX_KEY] = '\0';
	(void)snprintf(src, sizeof(src), "%s long\n", key);
	write_file("long", src, 0644);
	(void)snprintf(name, sizeof(name), "hash:%s", path_of("%s/%s",
	    "long"));
	ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0,
	    "build a table with a key of DICT_MAX_KEY");
	d = dict_open(name, why);
	is_str(d ? lookup(d, key, value) : "?", "long",
	    "key of DICT_MAX_KEY found");
	key[DICT_MAX_KEY] = 'k';
	key[DICT_MAX_KEY + 1] = '\0';
	is_str(d ? lookup(d, key, value) : "?", "-",
	    "key past DICT_MAX_KEY not found");
	dict_close(d);
	buf_free(why);
	buf_free(value);
}

/* test_list - order, braces, the empty list, errors */
static void
test_list(void)
{
	struct buf *why = buf_new(0), *value = buf_new(0);
	struct dict_list *l;
	char    list[700];
	int     ret;

	write_file("second", "a 2\nb 3\n", 0644);
	(void)snprintf(list, sizeof(list), "inline:{a=1, {c = x y}},"
	    " texthash:%s", path_of("%s/%s", "second"));
	l = dict_list_open(list, why);
	if (!ok(l != NULL, "open a list"))
		diag("%s", buf_str(why));
	ret = l ? dict_list_lookup(l, "A", value, why) : -1;
	ok(ret == 1 && strcmp(buf_str(value), "1") == 0, "first table wins");
	ret = l ? dict_list_lookup(l, "b", value, why) : -1;
	ok(ret == 1 && strcmp(buf_str(value), "3") == 0,
	    "second table searched");
	ret = l ? dict_list_lookup(l, "c", value, why) : -1;
	ok(ret == 1 && strcmp(buf_str(value), "x y") == 0,
	    "braced element with spaces");
	ok(l && dict_list_lookup(l, "d", value, why) == 0, "not in any");
	ok(l && !dict_list_changed(l), "list not changed");
	dict_list_close(l);
	l = dict_list_open("", why);
	ok(l != NULL && dict_list_lookup(l, "a", value, why) == 0,
	    "empty list finds nothing");
	dict_list_close(l);
	ok(dict_list_open("inline:{a=1, hash:/x", why) == NULL
	    && strstr(buf_str(why), "unbalanced") != NULL,
	    "unbalanced braces refused");
	buf_free(why);
	buf_free(value);
}

static const struct error_case {
	const char *name;
	const char *table;		/* %s: the directory */
	const char *want;		/* in why */
	int	status;
} error_cases[] = {
	{ "unknown type", "nosuch:%s/types", "unsupported dictionary type: "
	    "nosuch", EX_USAGE },
	{ "no type", "%s/types", "expected type:name", EX_USAGE },
	{ "no name", "hash:", "missing name", EX_USAGE },
	{ "missing .db", "hash:%s/absent", "absent.db: No such file",
	    EX_NOINPUT },
	{ "missing texthash", "texthash:%s/absent", "No such file",
	    EX_NOINPUT },
	{ "corrupt .db", "hash:%s/corrupt", "not a Berkeley DB hash file, "
	    "or corrupt", EX_DATAERR },
	{ "btree opened as hash", "hash:%s/bt", "not a Berkeley DB hash "
	    "file", EX_DATAERR },
	{ "text file as .db", "btree:%s/text", "not a Berkeley DB btree "
	    "file", EX_DATAERR },
	{ "texthash syntax error", "texthash:%s/bad", "bad:2: expected "
	    "format", EX_DATAERR },
	{ "inline without braces", "inline:a=b", "expected inline:{",
	    EX_USAGE },
	{ "inline element without =", "inline:{a=b, c}", "expected "
	    "key=value", EX_DATAERR },
};

/* test_errors - every failure of dict_open has its text and status */
static void
test_errors(void)
{
	struct buf *why = buf_new(0);
	char    name[700], junk[4096];
	struct dict *d;
	size_t  i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	junk[sizeof(junk) - 1] = '\0';
	write_file("corrupt.db", junk, 0644);
	write_file("text.db", "this is not a database\n", 0644);
	write_file("bt", "k v\n", 0644);
	write_file("bad", "a b\nc\n", 0644);
	(void)snprintf(name, sizeof(name), "btree:%s/bt", dir);
	if (dict_build(name, DICT_SYNTAX_POSTMAP, why) < 0)
		diag("%s", buf_str(why));
	for (i = 0; i < SYS_ARRAY_LEN(error_cases); i++) {
		(void)snprintf(name, sizeof(name), error_cases[i].table, dir);
		buf_reset(why);
		d = dict_open(name, why);
		if (!ok(d == NULL && strstr(buf_str(why), error_cases[i].want)
		    && dict_exit_status() == error_cases[i].status,
		    "%s", error_cases[i].name))
			diag("why \"%s\", status %d", buf_str(why),
			    dict_exit_status());
		dict_close(d);
	}
	buf_free(why);
}

/* test_build - syntax errors keep the old table; modes; duplicates */
static void
test_build(void)
{
	struct buf *why = buf_new(0), *value = buf_new(0);
	char    name[600];
	struct dict *d;
	struct stat st;

	(void)snprintf(name, sizeof(name), "hash:%s/b", dir);
	write_file("b", "a 1\na 2\n", 0640);
	buf_reset(captured);
	ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0,
	    "build with a duplicate");
	ok(strstr(buf_str(captured), "b:2: duplicate entry: \"a\" ignored")
	    != NULL, "duplicate warned with file and line");
	ok(stat(path_of("%s/%s", "b.db"), &st) == 0
	    && (st.st_mode & 0777) == 0640, "table has the source's mode");
	write_file("b", "a 3\nbroken\n", 0644);
	ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) < 0
	    && strstr(buf_str(why), "/b:2: expected format") != NULL
	    && dict_exit_status() == EX_DATAERR,
	    "syntax error: file:line and EX_DATAERR");
	d = dict_open(name, why);
	is_str(d ? lookup(d, "a", value) : "?", "1",
	    "first entry won; failed build left the table alone");
	dict_close(d);
	ok(dict_build("hash:/nonexistent/dir/src", DICT_SYNTAX_POSTMAP, why)
	    < 0 && dict_exit_status() == EX_NOINPUT,
	    "missing source: EX_NOINPUT");
	write_file("al", "Root: admin\nlist: a,\n  b\n", 0644);
	(void)snprintf(name, sizeof(name), "hash:%s/al", dir);
	ok(dict_build(name, DICT_SYNTAX_ALIASES, why) == 0, "build aliases");
	d = dict_open(name, why);
	is_str(d ? lookup(d, "root", value) : "?", "admin", "alias found");
	is_str(d ? lookup(d, "LIST", value) : "?", "a, b", "alias list");
	dict_close(d);
	ok(dict_build("texthash:/nonexistent", DICT_SYNTAX_POSTMAP, why) == 0,
	    "texthash needs no build");
	buf_free(why);
	buf_free(value);
}

/* test_changes - rebuild, delete, add; old readers keep the old table */
static void
test_changes(void)
{
	struct buf *why = buf_new(0), *value = buf_new(0);
	char    name[600];
	struct dict *d, *d2;
	int     p[2];

	(void)snprintf(name, sizeof(name), "btree:%s/c", dir);
	write_file("c", "k old\nx y\n", 0644);
	ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0, "build c");
	d = dict_open(name, why);
	ok(d && !dict_changed(d), "fresh table not changed");
	write_file("c", "k new\nx y\n", 0644);
	ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0, "rebuild c");
	ok(d && dict_changed(d), "rebuild seen by dict_changed");
	is_str(d ? lookup(d, "k", value) : "?", "old",
	    "old reader still reads the old inode");
	d2 = dict_open(name, why);
	is_str(d2 ? lookup(d2, "k", value) : "?", "new", "new reader");
	ok(dict_delete(name, "K", why) == 1, "delete a key (folded)");
	ok(dict_delete(name, "k", why) == 0, "delete it again: not there");
	ok(d2 && dict_changed(d2), "delete seen by dict_changed");
	dict_close(d2);
	d2 = dict_open(name, why);
	is_str(d2 ? lookup(d2, "k", value) : "?", "-", "deleted key gone");
	is_str(d2 ? lookup(d2, "x", value) : "?", "y", "other key kept");
	dict_close(d2);
	ok(dict_delete("texthash:/x", "k", why) < 0
	    && dict_exit_status() == EX_USAGE, "delete from texthash refused");
	if (pipe(p) < 0 || write(p[1], "X z\nnew 1\n", 10) != 10)
		exit(2);
	(void)close(p[1]);
	ok(dict_add_text(name, p[0], "stdin", DICT_SYNTAX_POSTMAP, why) == 0,
	    "add entries");
	(void)close(p[0]);
	d2 = dict_open(name, why);
	is_str(d2 ? lookup(d2, "x", value) : "?", "z", "added key replaced");
	is_str(d2 ? lookup(d2, "new", value) : "?", "1", "added key new");
	dict_close(d2);
	dict_close(d);

	(void)snprintf(name, sizeof(name), "texthash:%s/c", dir);
	d = dict_open(name, why);
	ok(d && !dict_changed(d), "texthash not changed");
	write_file("c", "k newer\n", 0644);	/* unlink and create */
	ok(d && dict_changed(d), "texthash replaced: changed");
	dict_close(d);
	buf_free(why);
	buf_free(value);
}

/* run_postmap - Postfix's postmap with a private configuration; status */
static int
run_postmap(const char *arg1, const char *arg2, const char *arg3,
    char *out, size_t size)
{
	char    conf[300];
	int     p[2], status;
	ssize_t n;
	size_t  len = 0;
	pid_t   pid;

	(void)snprintf(conf, sizeof(conf), "%s/pf", dir);
	fflush(stdout);
	if (pipe(p) < 0 || (pid = fork()) < 0)
		exit(2);
	if (pid == 0) {
		(void)dup2(p[1], 1);
		(void)dup2(p[1], 2);
		execl(POSTMAP, "postmap", "-c", conf, arg1, arg2, arg3,
		    (char *)NULL);
		_exit(127);
	}
	(void)close(p[1]);
	while (len + 1 < size && (n = read(p[0], out + len,
	    size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	(void)close(p[0]);
	if (waitpid(pid, &status, 0) < 0)
		exit(2);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* test_postfix - tables built by Postfix read here, and the reverse */
static void
test_postfix(void)
{
	static const char *const types[] = { "hash", "btree" };
	struct buf *why = buf_new(0), *value = buf_new(0);
	char    name[600], out[256];
	struct dict *d;
	size_t  i;

	if (access(POSTMAP, X_OK) < 0) {
		for (i = 0; i < 8; i++)
			ok(1, "# SKIP no %s", POSTMAP);
		goto done;
	}
	if (mkdir(path_of("%s/%s", "pf"), 0755) < 0)
		exit(2);
	write_file("pf/main.cf", "", 0644);
	for (i = 0; i < SYS_ARRAY_LEN(types); i++) {
		write_file("pfsrc", "Postfix built\nsecond entry two\n", 0644);
		(void)snprintf(name, sizeof(name), "%s:%s/pfsrc", types[i],
		    dir);
		ok(run_postmap(name, NULL, NULL, out, sizeof(out)) == 0,
		    "%s: postmap builds", types[i]);
		d = dict_open(name, why);
		is_str(d ? lookup(d, "POSTFIX", value) : "?", "built",
		    "read a table built by postmap");
		dict_close(d);
		write_file("pfsrc", "ours Built Here\n", 0644);
		ok(dict_build(name, DICT_SYNTAX_POSTMAP, why) == 0,
		    "%s: our build", types[i]);
		ok(run_postmap("-q", "OURS", name, out, sizeof(out)) == 0
		    && strcmp(out, "Built Here\n") == 0,
		    "postmap -q reads our table");
	}
done:
	buf_free(why);
	buf_free(value);
}

int
main(void)
{
	char    cmd[64];

	log_init("dict_test");
	captured = buf_new(0);
	log_set_capture(capture);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	plan((int)(SYS_ARRAY_LEN(parse_cases) + 7	/* parse */
	    + 4 * (2 + SYS_ARRAY_LEN(lookup_cases) + 2)	/* types */
	    + 3 + 8					/* key limit, list */
	    + SYS_ARRAY_LEN(error_cases) + 10 + 17 + 8));
	test_parse();
	test_types();
	test_key_limit();
	test_list();
	test_errors();
	test_build();
	test_changes();
	test_postfix();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("cannot clean up %s", dir);
	buf_free(captured);
	return done();
}
