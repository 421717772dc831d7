/* queue_recycle.c - the pool of emptied queue files (see queue.h)
 *
 * The pool is QUEUE_RECYCLE_SLOTS files recycle/0000 .. recycle/4095 and a
 * ring of two counters in the shared file recycle/.ring, mapped by every
 * process that takes or returns queue files (cleanup takes, qmgr and the
 * administrator's commands return). A put claims index tail (tail++) and
 * renames the finished file into slot tail % SLOTS; a get claims index
 * head (head++, only while head < tail) and renames that slot out. So a
 * taker goes straight to a full slot and a giver to an empty one, where
 * guessing slots made both miss whenever the pool was nearly full or
 * nearly empty, and every miss cost an inode allocation or release, the
 * very thing the pool exists to save.
 *
 * The counters are hints, never trusted for correctness: every rename is
 * RENAME_NOREPLACE and a taken file is used only if it is empty, 0600,
 * single-linked and ours, which its giver makes it last (ftruncate, then
 * fchmod). So a race (a taker claiming a slot its giver has not filled
 * yet), a crash between claim and rename, or a ring file scribbled on
 * costs a fresh inode or an unlink, nothing more; queue_recycle_setup
 * rewrites the ring at every start. Without the ring (mapping failed, or
 * a queue made by another version) the pool is simply not used.
 */
#include "queue_recycle.h"
#include "queue.h"

#include <dirent.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include "log.h"

#define QUEUE_RECYCLE_RING	QUEUE_RECYCLE "/.ring"
#define QUEUE_RECYCLE_MAGIC	0x706f7374726e6731ULL	/* "postrng1" */

struct queue_ring {
	uint64_t magic;
	_Atomic uint64_t head;		/* claims by takers */
	_Atomic uint64_t tail;		/* claims by givers */
};

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2,
    "the ring is shared between processes: lock-free atomics only");

static struct queue_ring *queue_ring;
static bool queue_ring_tried;

/* queue_recycle_ring - the mapped ring, or NULL (no pool) */
static struct queue_ring *
queue_recycle_ring(void)
{
	struct stat st;
	void   *p;
	int     fd;

	if (queue_ring_tried)
		return queue_ring;
	queue_ring_tried = true;
	fd = open(QUEUE_RECYCLE_RING, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;		/* no pool: every file is new */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)
	    || st.st_size < (off_t)sizeof(struct queue_ring)
	    || (st.st_uid != geteuid() && geteuid() != 0)) {
		log_warn("%s: not a ring file of this user: recycling off",
		    QUEUE_RECYCLE_RING);
		(void)close(fd);	/* read nothing */
		return NULL;
	}
	p = mmap(NULL, sizeof(struct queue_ring), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	(void)close(fd);		/* the mapping stays */
	if (p == MAP_FAILED) {
		log_warn("map %s: %m: recycling off", QUEUE_RECYCLE_RING);
		return NULL;
	}
	if (((struct queue_ring *)p)->magic != QUEUE_RECYCLE_MAGIC) {
		(void)munmap(p, sizeof(struct queue_ring));
		return NULL;
	}
	queue_ring = p;
	return queue_ring;
}

/* queue_recycle_slot - the slot name of ring index i */
static void
queue_recycle_slot(char *out, size_t size, uint64_t i)
{
	(void)snprintf(out, size, "%s/%04u", QUEUE_RECYCLE,
	    (unsigned)(i % QUEUE_RECYCLE_SLOTS));
}

/* queue_recycle_get - see queue_recycle.h */
int
queue_recycle_get(const char *path)
{
	struct queue_ring *r = queue_recycle_ring();
	char    slot[QUEUE_PATH_SIZE];
	struct stat st;
	uint64_t h, t;
	int     fd;

	if (r == NULL)
		return -1;
	h = atomic_load(&r->head);
	do {
		t = atomic_load(&r->tail);
		if ((int64_t)(t - h) <= 0)
			return -1;	/* empty */
	} while (!atomic_compare_exchange_weak(&r->head, &h, h + 1));
	queue_recycle_slot(slot, sizeof(slot), h);
	if (renameat2(AT_FDCWD, slot, AT_FDCWD, path, RENAME_NOREPLACE) < 0)
		return -1;		/* not filled (yet): a fresh file */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	/* only a file its giver has finished emptying is taken */
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
	    && st.st_nlink == 1 && st.st_size == 0 && st.st_uid == geteuid()
	    && (st.st_mode & 07777) == QUEUE_MODE_WRITING)
		return fd;
	if (fd >= 0)
		(void)close(fd);	/* not usable: gone below */
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("remove unusable recycled file %s: %m", path);
	return -1;
}

/* queue_recycle_put - see queue_recycle.h */
int
queue_recycle_put(const char *path)
{
	struct queue_ring *r = queue_recycle_ring();
	char    slot[QUEUE_PATH_SIZE];
	uint64_t h, t;
	int     fd;

	if (r == NULL)
		return -1;
	t = atomic_load(&r->tail);
	do {
		h = atomic_load(&r->head);
		if ((int64_t)(t - h) >= QUEUE_RECYCLE_SLOTS)
			return -1;	/* full */
	} while (!atomic_compare_exchange_weak(&r->tail, &t, t + 1));
	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	queue_recycle_slot(slot, sizeof(slot), t);
	if (renameat2(AT_FDCWD, path, AT_FDCWD, slot, RENAME_NOREPLACE) < 0) {
		(void)close(fd);	/* slot still taken: unlinked instead */
		return -1;
	}
	/* in the pool: empty it, then make it takeable (the mode is the
	 * last change, see queue_recycle_get) */
	if (ftruncate(fd, 0) < 0 || fchmod(fd, QUEUE_MODE_WRITING) < 0)
		log_warn("empty recycled queue file %s: %m", slot);
	(void)close(fd);		/* nothing written through it */
	return 0;
}

/* queue_recycle_leftovers - remove the half-made files of a fresh create
 * that a crash left in recycle/ */
static void
queue_recycle_leftovers(int dfd)
{
	struct dirent *e;
	DIR	*dir;
	int	fd;

	fd = openat(dfd, QUEUE_RECYCLE, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			(void)close(fd);	/* nothing to clean then */
		return;
	}
	while ((e = readdir(dir)) != NULL)
		if (strncmp(e->d_name, QUEUE_RECYCLE_NEW,
		    strlen(QUEUE_RECYCLE_NEW)) == 0)
			(void)unlinkat(fd, e->d_name, 0);	/* garbage */
	(void)closedir(dir);	/* read-only */
}

/* queue_recycle_write_ring - recycle/.ring with head 0 and tail full,
 * written in place, so that a process that has it mapped sees the reset
 * (at a start nothing has it mapped; in tests the same process may) */
static void
queue_recycle_write_ring(int dfd, unsigned full, uid_t uid, gid_t gid)
{
	struct queue_ring r = {.magic = QUEUE_RECYCLE_MAGIC};
	int     fd;

	atomic_init(&r.head, 0);
	atomic_init(&r.tail, full);
	fd = openat(dfd, QUEUE_RECYCLE_RING, O_CREAT | O_RDWR | O_NOFOLLOW |
	    O_CLOEXEC, QUEUE_MODE_WRITING);
	if (fd < 0 || (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0)
	    || pwrite(fd, &r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		log_warn("write %s: %m: recycling off", QUEUE_RECYCLE_RING);
		(void)unlinkat(dfd, QUEUE_RECYCLE_RING, 0);
	}
	if (fd >= 0)
		(void)close(fd);	/* written with pwrite, no buffer */
}

/* queue_recycle_setup - see queue_recycle.h */
void
queue_recycle_setup(int dfd, uid_t uid, gid_t gid)
{
	char	slot[QUEUE_PATH_SIZE];
	struct stat st;
	unsigned n, created = 0;
	int	fd;

	queue_recycle_leftovers(dfd);
	for (n = 0; n < QUEUE_RECYCLE_SLOTS; n++) {
		queue_recycle_slot(slot, sizeof(slot), n);
		/* a slot left by the last run is kept as it is: the taker
		 * checks it */
		if (fstatat(dfd, slot, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		fd = openat(dfd, slot, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW
		    | O_CLOEXEC, QUEUE_MODE_WRITING);
		if (fd < 0)
			break;		/* no room: fewer in the pool */
		if (uid != (uid_t)-1 && fchown(fd, uid, gid) < 0) {
			(void)unlinkat(dfd, slot, 0);	/* not takeable */
			(void)close(fd);	/* empty */
			break;
		}
		(void)close(fd);	/* empty: nothing to lose */
		created++;
	}
	queue_recycle_write_ring(dfd, n, uid, gid);
	/* thousands of new inodes and a big new directory, written back
	 * now in one pass rather than under the first deliveries' fsyncs
	 * (measured: twice their latency for the first seconds) */
	if (created > 0 && syncfs(dfd) < 0)
		log_warn("sync the file system of the queue: %m");
}
