/* postdrop_file.c - the life of one maildrop file, as postdrop writes it
 *
 * postdrop_file_create makes maildrop/ID under a fresh queue ID with
 * O_CREAT|O_EXCL|O_NOFOLLOW in MAILDROP_MODE_WRITING (a clash takes the
 * next ID). postdrop_file_finish is the commit point of util/maildrop.h:
 * flush every record, fchmod MAILDROP_MODE_READY (before the fsync, as
 * queue.h explains: one fsync makes data and mode durable together), then
 * fsync; the directory is fsync'd too when it can be opened, which it
 * cannot by a caller who has only the group's write and search
 * permission on maildrop/ (mode 0730): XXX then the new name is as
 * durable as the file system's journal makes it, as with Postfix's own
 * postdrop. postdrop_file_abandon empties a file that cannot be finished
 * and marks it MAILDROP_MODE_ABANDONED for pickup to remove, because by
 * then postdrop has given up the group that could unlink it.
 */
#include "postdrop.h"
#include "buf.h"
#include "log.h"
#include "maildrop.h"

#define POSTDROP_CREATE_TRIES	100

/* postdrop_file_create - a fresh maildrop/ID */
void
postdrop_file_create(struct postdrop_file *f)
{
	char    path[QUEUE_PATH_SIZE];
	int     tries;

	for (tries = 0; tries < POSTDROP_CREATE_TRIES; tries++) {
		queue_id_new(f->id);
		if (queue_path(path, sizeof(path), QUEUE_MAILDROP, f->id) < 0)
			log_die(EX_SOFTWARE, "bad queue id %s", f->id);
		f->fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW
		    | O_CLOEXEC, MAILDROP_MODE_WRITING);
		if (f->fd >= 0) {
			rec_writer_init(&f->w, f->fd);
			return;
		}
		if (errno != EEXIST && errno != EINTR)
			log_die(errno == EACCES ? EX_NOPERM :
			    EX_CANTCREAT, "create file %s: %m%s", path,
			    errno == EACCES ? " (postdrop must be setgid to "
			    "the group that owns maildrop/)" : "");
	}
	log_die(EX_CANTCREAT, "create file in maildrop/: no unused id "
	    "after %d tries", POSTDROP_CREATE_TRIES);
}

/* postdrop_file_finish - flush, ready mode, fsync, close */
int
postdrop_file_finish(struct postdrop_file *f)
{
	int     dfd;

	if (rec_flush(&f->w) < 0 || fchmod(f->fd, MAILDROP_MODE_READY) < 0
	    || fsync(f->fd) < 0)
		return -1;
	rec_writer_done(&f->w);
	if (close(f->fd) < 0) {
		f->fd = -1;
		return -1;
	}
	f->fd = -1;
	dfd = open(QUEUE_MAILDROP, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0) {
			(void)close(dfd);	/* reporting the fsync */
			return -1;
		}
		(void)close(dfd);	/* read-only: nothing to lose */
	}
	return 0;
}

/* postdrop_file_abandon - empty the file and mark it for removal */
void
postdrop_file_abandon(struct postdrop_file *f)
{
	if (f->fd < 0)
		return;
	if (ftruncate(f->fd, 0) < 0 || fchmod(f->fd,
	    MAILDROP_MODE_ABANDONED) < 0)
		(void)fprintf(stderr, "postdrop: warning: cannot mark "
		    "maildrop/%s abandoned: %s\n", f->id, strerror(errno));
	rec_writer_done(&f->w);
	(void)close(f->fd);	/* the file is given up */
	f->fd = -1;
}
