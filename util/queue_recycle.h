/* queue_recycle.h - the pool of emptied queue files, for queue.c only
 *
 * Paths are relative to the queue directory, as everywhere in queue.c.
 */
#ifndef POSTERN_QUEUE_RECYCLE_H
#define POSTERN_QUEUE_RECYCLE_H

#include "sys.h"

#define QUEUE_RECYCLE_NEW	"new."	/* queue_create_fresh's names */

/* queue_recycle_get - claim an emptied file from the pool as path: an open
 * descriptor, exactly like a new O_EXCL file, or -1 (none: create one) */
int	queue_recycle_get(const char *path);
/* queue_recycle_put - move path into the pool and empty it; -1 when the
 * pool is full or off (the caller unlinks) */
int	queue_recycle_put(const char *path);
/* queue_recycle_setup - at start: remove half-made files, fill the empty
 * slots (owned by uid/gid), write the ring anew, and when it made new
 * files, sync the file system (syncfs) so that their write-back is done
 * before mail flows; failures only cost the saving */
void	queue_recycle_setup(int dfd, uid_t uid, gid_t gid);

#endif
