/* users_test.c - unit tests of util/users.c
 *
 * A passwd file in a temporary directory with good and malformed lines
 * (no uid, bad uid, empty name, NIS entries, a line of exactly the length
 * limit and one past it, no final newline) is looked up by name; then the
 * file is rewritten in place, replaced by rename, removed, and made larger
 * than the size limit (sparse), and each change must be seen by the next
 * lookup.
 */
#include "buf.h"
#include "log.h"
#include "users.h"

#include "tap.h"

static char dir[] = "/tmp/users_test.XXXXXX";
static char last_log[2048];

/* capture - keep the last log line */
static void
capture(const char *line)
{
	(void)snprintf(last_log, sizeof(last_log), "%s", line);
}

/* write_passwd - replace dir/passwd (via rename when fresh) with text */
static void
write_passwd(const char *text, bool fresh)
{
	char    path[64], tmp[64];
	int     fd;

	(void)snprintf(path, sizeof(path), "%s/passwd", dir);
	(void)snprintf(tmp, sizeof(tmp), "%s/passwd.tmp", dir);
	fd = open(fresh ? tmp : path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)
	    || close(fd) < 0 || (fresh && rename(tmp, path) < 0))
		log_fatal("write %s: %m", path);
}

struct name_case {
	const char *name;
	int	want;
};

static const struct name_case first_cases[] = {
	{"root", 1},
	{"ROOT", 1},
	{"admin", 1},
	{"Admin", 1},
	{"daemon", 1},
	{"nouid", 0},
	{"baduid", 0},
	{"", 0},
	{"+nis", 0},
	{"nis", 0},
	{"#comment", 0},
	{"exact", 1},
	{"toolong", 0},
	{"after", 1},
	{"last", 1},
	{"nobody", 0},
	{"roo", 0},
};

/* passwd_text - the first passwd file, with limit-length lines */
static void
passwd_text(struct buf *b)
{
	size_t  pad;

	buf_reset(b);
	buf_append_str(b, "root:x:0:0:root:/root:/bin/bash\n"
	    "Admin:x:1000:1000::/home/admin:/bin/sh\n"
	    "daemon:x:1:1::/:/usr/sbin/nologin\n"
	    "nouid:x\n"
	    "baduid:x:12a:1::/:\n"
	    ":x:5:5::/:\n"
	    "+nis:x:6:6::/:\n"
	    "-nis::::::\n"
	    "#comment:x:7:7::/:\n");
	/* "exact:x:8:8:" + padding = 4096 bytes before the newline */
	buf_append_str(b, "exact:x:8:8:");
	for (pad = strlen("exact:x:8:8:"); pad < 4096; pad++)
		buf_append_char(b, 'g');
	buf_append_str(b, "\ntoolong:x:9:9:");
	for (pad = strlen("toolong:x:9:9:"); pad < 4097; pad++)
		buf_append_char(b, 'g');
	buf_append_str(b, "\nafter:x:10:10::/:\nlast:x:11:11::/:");
}

int
main(void)
{
	struct buf *text = buf_new(0);
	char    path[64];
	size_t  i;
	int     fd;

	log_init("users_test");
	log_set_capture(capture);
	plan((int)SYS_ARRAY_LEN(first_cases) + 12);
	if (mkdtemp(dir) == NULL)
		log_fatal("mkdtemp: %m");
	users_init(dir);
	is_int(users_exists("root"), -1, "no passwd file: cannot tell");
	passwd_text(text);
	write_passwd(buf_str(text), false);
	for (i = 0; i < SYS_ARRAY_LEN(first_cases); i++)
		is_int(users_exists(first_cases[i].name), first_cases[i].want,
		    first_cases[i].name[0] ? first_cases[i].name : "(empty)");

	write_passwd("root:x:0:0::/:\nnewuser:x:1001:1001::/:\n", false);
	is_int(users_exists("newuser"), 1,
	    "rewritten in place: new user seen");
	is_int(users_exists("admin"), 0, "rewritten in place: old user gone");
	write_passwd("root:x:0:0::/:\nthird:x:1002:1002::/:\n", true);
	is_int(users_exists("third"), 1, "replaced by rename: new user seen");
	is_int(users_exists("newuser"), 0,
	    "replaced by rename: old user gone");

	(void)snprintf(path, sizeof(path), "%s/passwd", dir);
	if (unlink(path) < 0)
		log_fatal("unlink: %m");
	is_int(users_exists("root"), -1, "removed: cannot tell");
	write_passwd("root:x:0:0::/:\n", true);
	is_int(users_exists("root"), 1, "back again");

	fd = open(path, O_WRONLY);
	if (fd < 0 || ftruncate(fd, 64LL * 1024 * 1024) < 0)
		log_fatal("ftruncate: %m");
	is_int(users_exists("root"), 1, "file of exactly 64 MiB read");
	if (ftruncate(fd, 64LL * 1024 * 1024 + 1) < 0 || close(fd) < 0)
		log_fatal("ftruncate: %m");
	is_int(users_exists("root"), -1, "file past 64 MiB refused");
	ok(strstr(last_log, "warning: cannot read ") != NULL
	    && strstr(last_log, "File too large") != NULL,
	    "the refusal is logged");

	users_init("/nonexistent/dir");
	is_int(users_exists("root"), -1, "missing directory: cannot tell");
	users_init(NULL);
	ok(users_exists("root") == 1, "default /etc/passwd has root");

	(void)unlink(path);
	(void)rmdir(dir);
	buf_free(text);
	return done();
}
