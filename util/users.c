/* users.c - does a local user exist, from inside a chroot
 *
 * A per-process singleton. users_init opens the directory holding passwd
 * (before chroot); users_exists stats passwd relative to that descriptor
 * and reloads it only when its device, inode, size or mtime changed, so a
 * new user is seen without a restart. The names are kept lower-cased in an
 * open-addressing hash set (case-insensitive lookups, as Postfix folds
 * local parts). The file is read bounded: at most USERS_MAX_FILE bytes (a
 * larger file is refused), lines of at most USERS_MAX_LINE bytes (longer
 * ones are skipped), and a line counts only when it looks like
 * "name:password:uid:..." with a decimal uid; NIS "+"/"-" lines and
 * anything malformed are skipped. A reload that fails keeps nothing: the
 * answer is -1 (cannot tell) until passwd can be read again.
 */
#include "users.h"
#include "log.h"
#include "mem.h"
#include "str.h"

#define USERS_MAX_LINE	4096
#define USERS_MAX_FILE	(64LL * 1024 * 1024)
#define USERS_MAX_NAME	256
#define USERS_READ_SIZE	(64 * 1024)

struct users_set {
	char	**slots;		/* NULL: empty */
	size_t	cap;			/* power of two */
	size_t	count;
};

static int users_dirfd = -1;
static char users_dir[PATH_MAX] = "/etc";
static bool users_loaded;
static struct stat users_stamp;
static struct users_set users_names;
static bool users_warned;

/* users_hash - FNV-1a of a lower-cased name */
static size_t
users_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* users_set_free - release every name */
static void
users_set_free(struct users_set *set)
{
	size_t  i;

	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

/* users_set_slot - slot of name, or of the empty slot where it goes */
static size_t
users_set_slot(const struct users_set *set, const char *name)
{
	size_t  i = users_hash(name) & (set->cap - 1);

	while (set->slots[i] != NULL && strcmp(set->slots[i], name) != 0)
		i = (i + 1) & (set->cap - 1);
	return i;
}

/* users_set_add - add a lower-cased name (owned by the set afterwards) */
static void
users_set_add(struct users_set *set, char *name)
{
	struct users_set grown;
	size_t  i;

	if (2 * (set->count + 1) > set->cap) {
		grown.cap = set->cap ? 2 * set->cap : 64;
		grown.count = 0;
		grown.slots = xcalloc(grown.cap, sizeof(*grown.slots));
		for (i = 0; i < set->cap; i++) {
			if (set->slots[i] != NULL) {
				grown.slots[users_set_slot(&grown,
				    set->slots[i])] = set->slots[i];
				grown.count++;
			}
		}
		free(set->slots);
		*set = grown;
	}
	i = users_set_slot(set, name);
	if (set->slots[i] != NULL) {
		free(name);		/* a duplicate entry */
		return;
	}
	set->slots[i] = name;
	set->count++;
}

/* users_line - add the name of one passwd line of len bytes, if valid */
static void
users_line(struct users_set *set, char *line, size_t len)
{
	char   *name, *pw, *uid, *end;
	unsigned long long num;
	size_t  i;

	line[len] = '\0';
	if (memchr(line, '\0', len) != NULL || line[0] == '+'
	    || line[0] == '-' || line[0] == '#')
		return;
	name = line;
	pw = strchr(name, ':');
	if (pw == NULL || pw == name || pw - name > USERS_MAX_NAME)
		return;
	*pw++ = '\0';
	uid = strchr(pw, ':');
	if (uid == NULL)
		return;
	uid++;
	end = strchr(uid, ':');
	if (end == NULL)
		return;
	*end = '\0';
	if (parse_uint(uid, 0, UINT32_MAX, &num) < 0)
		return;
	for (i = 0; name[i]; i++) {
		if ((unsigned char)name[i] <= 0x20 || name[i] == 0x7f)
			return;
	}
	users_set_add(set, str_lower(xstrdup(name)));
}

/* users_parse - read fd into set; 0 or -1 with errno */
static int
users_parse(int fd, struct users_set *set)
{
	char   *chunk, *line;
	size_t  llen = 0, i;
	long long total = 0;
	ssize_t n;
	bool    skip = false;

	chunk = xmalloc(USERS_READ_SIZE);
	line = xmalloc(USERS_MAX_LINE + 1);
	for (;;) {
		n = read(fd, chunk, USERS_READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
		if (total > USERS_MAX_FILE) {
			errno = EFBIG;
			n = -1;
			break;
		}
		for (i = 0; i < (size_t)n; i++) {
			if (chunk[i] == '\n') {
				if (!skip)
					users_line(set, line, llen);
				llen = 0;
				skip = false;
			} else if (llen == USERS_MAX_LINE) {
				skip = true;	/* too long: drop it */
			} else if (!skip) {
				line[llen++] = chunk[i];
			}
		}
	}
	if (n == 0 && llen > 0 && !skip)
		users_line(set, line, llen);
	free(chunk);
	free(line);
	return n < 0 ? -1 : 0;
}

/* users_same - whether passwd is the file last loaded */
static bool
users_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino
	    && a->st_size == b->st_size
	    && a->st_mtim.tv_sec == b->st_mtim.tv_sec
	    && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* users_fail - forget the set; warn once per failure run */
static int
users_fail(const char *what)
{
	if (!users_warned)
		log_warn("cannot read %s/passwd: %s: %m", users_dir, what);
	users_warned = true;
	users_loaded = false;
	users_set_free(&users_names);
	return -1;
}

/* users_load - (re)read passwd; 0 or -1 */
static int
users_load(void)
{
	struct users_set set = {NULL, 0, 0};
	struct stat st;
	int     fd, err = 0;

	fd = openat(users_dirfd, "passwd", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return users_fail("open");
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (st.st_size > USERS_MAX_FILE)
		err = EFBIG;
	else if (users_parse(fd, &set) < 0)
		err = errno;
	if (err != 0) {
		users_set_free(&set);
		(void)close(fd);	/* reporting the first problem */
		errno = err;
		return users_fail("read (at most 64 MiB, a regular file)");
	}
	(void)close(fd);		/* read-only: nothing to lose */
	users_set_free(&users_names);
	users_names = set;
	users_stamp = st;
	users_loaded = true;
	users_warned = false;
	return 0;
}

/* users_init - keep a descriptor of the passwd directory (NULL: /etc) */
void
users_init(const char *passwd_dir)
{
	if (passwd_dir == NULL)
		passwd_dir = "/etc";
	if (users_dirfd >= 0)
		(void)close(users_dirfd);	/* replaced */
	users_loaded = false;
	users_warned = false;
	users_set_free(&users_names);
	if (str_copy(users_dir, sizeof(users_dir), passwd_dir) < 0) {
		log_warn("users: directory name too long");
		users_dirfd = -1;
		return;
	}
	users_dirfd = open(passwd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (users_dirfd < 0)
		log_warn("users: open %s: %m", passwd_dir);
}

/* users_exists - 1 yes, 0 no, -1 cannot tell */
int
users_exists(const char *name)
{
	char    lower[USERS_MAX_NAME + 1];
	struct stat st;

	if (users_dirfd < 0)
		return -1;
	if (fstatat(users_dirfd, "passwd", &st, 0) < 0)
		return users_fail("stat");
	if ((!users_loaded || !users_same(&st, &users_stamp))
	    && users_load() < 0)
		return -1;
	if (str_copy(lower, sizeof(lower), name) < 0 || lower[0] == '\0')
		return 0;
	str_lower(lower);
	if (users_names.cap == 0)
		return 0;
	return users_names.slots[users_set_slot(&users_names, lower)] != NULL
	    ? 1 : 0;
}
