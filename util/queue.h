/* queue.h - queue IDs, queue directories, and the life of a queue file
 *
 * Every program runs with the queue directory as its working directory
 * (its root when chrooted), so paths here are relative: "incoming/ID".
 * This module is the only code that creates, commits, moves or removes
 * queue files.
 *
 * Message states:
 *
 *   state     directory  mode  commit point (who)
 *   writing   incoming   0600  created O_EXCL (cleanup); incoming/ may be
 *                              fsync'd now already (queue_sync_name)
 *   ready     incoming   0700  records + END written and flushed, fchmod
 *                              0700 (queue_ready, cleanup); qmgr may take
 *                              the file from now on
 *   durable   incoming   0700  file fsync'd, and incoming/ fsync'd if
 *   (or active)                queue_sync_name did not (queue_commit,
 *                              cleanup); only now does cleanup report
 *                              success
 *   active    active     0700  rename incoming -> active (qmgr)
 *   deferred  deferred   0700  rename active -> deferred, mtime set to the
 *                              next retry time (qmgr); reasons in defer/ID
 *   hold      hold       0700  rename by the administrator
 *   corrupt   corrupt    any   rename by whoever finds the file malformed
 *   gone      recycle    0600  after the last recipient is done (qmgr):
 *                              queue_remove moves the file into one of
 *                              QUEUE_RECYCLE_SLOTS slots of recycle/ and
 *                              empties it, or unlinks it when all are taken
 *
 * The recycle pool saves an inode allocation and release per message, the
 * costliest part of a queue file on file systems that scan recently freed
 * inodes. queue_create takes the slot that the shared ring of
 * queue_recycle.c names by renaming it (RENAME_NOREPLACE) to its new
 * name, and uses it only if it is empty, 0600, single-linked and ours,
 * which its producer makes it last: a file caught half-emptied, or left
 * there by a crash, is unlinked instead. Nothing else reads recycle/.
 *
 * Recovery at qmgr start: a file in incoming that is not in the ready mode
 * is an unfinished submission; it is removed once older than
 * QUEUE_STALE_SECONDS (its client never got a 250). Ready files in incoming
 * and every file in active are scheduled again (deliveries in flight at the
 * crash may repeat, none is lost). Deferred files wait for their mtime.
 * Renames between queue directories are not followed by directory fsyncs:
 * after a crash the file is found in one directory or the other and both
 * are recovered; only creation is a commit point and it is fsync'd.
 *
 * Why qmgr may take a file before it is durable: delivery then runs in
 * parallel with cleanup's fsync instead of after it, which takes one
 * fsync off the time from the client's final dot to the mailbox. The file
 * is complete when it becomes ready, so what qmgr reads is what the fsync
 * makes durable. A crash before the fsync finished may deliver a message
 * the client never saw acknowledged (the client retries: a duplicate),
 * never lose an acknowledged one. qmgr may have renamed the file into
 * active/ before the fsync: the fsync of the file then makes its current
 * name durable with it on Linux's file systems (ext4 commits the journal
 * that holds the rename, or without a journal syncs the inode's current
 * parent; XFS forces the log past the inode's last change; btrfs logs the
 * inode with its name), so active/ needs no fsync of its own; incoming/
 * is fsync'd as the commit rule of STYLE.md asks.
 *
 * Why fchmod comes before the file fsync (as in Postfix): one fsync then
 * makes the data and the ready mode durable together. With the mode
 * changed after the fsync, nothing would make the mode change itself
 * durable on every file system, and a crash after the 250 could leave a
 * complete file in 0600 that recovery deletes as stale. A crash between
 * fchmod and fsync (before any success was reported) can at worst leave a
 * ready file without its END record, which the reader sends to corrupt/.
 *
 * A queue ID is QUEUE_ID_LEN upper-case hex digits: seconds (8), then
 * microseconds (5), then 4 digits of (pid * 31 + counter) & 0xffff; IDs
 * sort by arrival time. A clash is resolved by O_EXCL and a retry.
 */
#ifndef POSTERN_QUEUE_H
#define POSTERN_QUEUE_H

#include "sys.h"
#include "rec.h"

struct buf;

#define QUEUE_ID_LEN	17
#define QUEUE_ID_SIZE	(QUEUE_ID_LEN + 1)
#define QUEUE_PATH_SIZE	64

#define QUEUE_MAILDROP	"maildrop"
#define QUEUE_INCOMING	"incoming"
#define QUEUE_ACTIVE	"active"
#define QUEUE_DEFERRED	"deferred"
#define QUEUE_HOLD	"hold"
#define QUEUE_CORRUPT	"corrupt"
#define QUEUE_DEFER_LOG	"defer"
#define QUEUE_RECYCLE	"recycle"
#define QUEUE_RECYCLE_SLOTS	4096	/* files kept for reuse, at most */

#define QUEUE_MODE_WRITING	0600
#define QUEUE_MODE_READY	0700
#define QUEUE_STALE_SECONDS	3600

/* the directories under queue_directory, with their modes */
struct queue_dir_spec {
	const char *name;
	mode_t	mode;
	bool	group_postdrop;	/* group is setgid_group (maildrop, public) */
	bool	root_owned;	/* root:root when set up by root (pid) */
};
extern const struct queue_dir_spec queue_dirs[];
extern const size_t queue_dirs_count;

void	queue_id_new(char id[QUEUE_ID_SIZE]);
bool	queue_id_valid(const char *id);
/* queue_id_time - arrival seconds encoded in the id; -1 if invalid */
time_t	queue_id_time(const char *id);

/* queue_path - "queue/id" into out; -1 if it does not fit or id invalid */
int	queue_path(char *out, size_t size, const char *queue, const char *id);

struct queue_file {
	char	id[QUEUE_ID_SIZE];
	const char *queue;
	int	fd;
	bool	ready;		/* queue_ready done: others may have it */
	bool	name_synced;	/* queue_sync_name done: the entry is durable */
	struct rec_writer w;
};

/* queue_create - new file in queue (NULL: incoming) with a fresh id,
 * mode 0600, and a record writer on it; queue must outlive qf (a string
 * constant). 0 or -1 with why. */
int	queue_create(struct queue_file *qf, const char *queue,
	    struct buf *why);
/* queue_ready - flush and fchmod ready: from now on qmgr may take the
 * file (and rename it). 0, or -1 with why (the caller calls queue_abort) */
int	queue_ready(struct queue_file *qf, struct buf *why);
/* queue_sync_name - make the new file's directory entry durable now (an
 * fsync of its directory) rather than in queue_commit, which then waits
 * for the file's own fsync only: cleanup calls it once it has answered
 * the envelope, while the client is still sending the message. A failure
 * is not reported here: queue_commit tries again and reports it. */
void	queue_sync_name(struct queue_file *qf);
/* queue_commit - queue_ready if not done, fsync, fsync the directory
 * unless queue_sync_name did, close; 0 only when the file is durable
 * (qf->id stays valid). On -1 (why) the caller calls queue_abort unless
 * qf->ready was set before the call: then qmgr may own the file and it
 * must stay. */
int	queue_commit(struct queue_file *qf, struct buf *why);
/* queue_abort - close an uncommitted file, and unlink it unless
 * queue_ready made it qmgr's; never fails */
void	queue_abort(struct queue_file *qf);

/* queue_rename - move id from one queue to another (rename(2)) */
int	queue_rename(const char *id, const char *from, const char *to);
/* queue_remove - remove queue/id: a message file goes to the recycle
 * pool (or is unlinked when the pool is full), a defer log or a maildrop
 * file is unlinked;
 * 0, or -1 (ENOENT counts as success) */
int	queue_remove(const char *queue, const char *id);
/* queue_corrupt - move queue/id to corrupt/ and log why */
void	queue_corrupt(const char *queue, const char *id, const char *why);
/* queue_is_ready - whether st has the ready mode */
bool	queue_is_ready(const struct stat *st);
/* queue_fsync_dir - fsync a queue directory (cached descriptor) */
int	queue_fsync_dir(const char *queue);

/* queue_setup - create the queue directory (and its parents) and the
 * queue_dirs[] under it with their modes; existing ones get their mode and
 * owner fixed. Owner owner_uid, group owner_gid, or postdrop_gid where
 * marked ((uid_t)-1, (gid_t)-1: leave). Symbolic links are refused, never
 * followed. 0 or -1 with why. */
int	queue_setup(const char *queue_directory, uid_t owner_uid,
	    gid_t owner_gid, gid_t postdrop_gid, struct buf *why);

#endif
