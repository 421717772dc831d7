/* maildrop.h - the maildrop file: what sendmail submits and pickup reads
 *
 * The sendmail command writes a record stream (rec.h records, type byte,
 * 4-byte big-endian length, payload) into a pipe to postdrop, which checks
 * it and stores it as maildrop/ID; pickup reads that file, checks it again
 * (the file was written by an ordinary user: untrusted input) and submits
 * it to cleanup. The stream, in this order and nothing else:
 *
 *   REC_VERSION   REC_VERSION_TEXT
 *   REC_SIZE      REC_SIZE_LEN bytes of digits and spaces (zeros allowed;
 *                 nobody relies on the values)
 *   REC_TIME      "seconds[.micros]" as the submitter saw it (informative)
 *   REC_SENDER    envelope sender, "" for <>; an address that
 *                 addr_parse_path accepts as a whole
 *   REC_ATTR      "uid=N" (required, once: the submitting user; pickup
 *                 checks it against the file's owner), "full_name=TEXT"
 *                 (optional, once, printable, at most MAILDROP_MAX_ATTR)
 *   REC_RCPT      one per recipient, 1..MAILDROP_MAX_RCPTS, each an address
 *   REC_MESSAGE   empty
 *   REC_DATA      message content, lines ending in LF, split anywhere;
 *                 each at most MAILDROP_MAX_RECORD bytes, all together at
 *                 most message_size_limit (0: no limit)
 *   REC_END       empty; nothing may follow
 *
 * REC_ORCPT, REC_NOTIFY and REC_DONE never appear. Limits: every record
 * at most MAILDROP_MAX_RECORD bytes (envelope records far less, see
 * maildrop.c). The checker is a state machine fed one record at a time,
 * so that postdrop (reading a pipe) and pickup (reading a file) apply the
 * very same rules.
 *
 * Modes: postdrop creates maildrop/ID with O_EXCL in MAILDROP_MODE_WRITING
 * and, after END, fsync and fchmod, MAILDROP_MODE_READY, which lets pickup
 * (mail_owner, not the file's owner) read it. A submission postdrop had to
 * give up is truncated and set to MAILDROP_MODE_ABANDONED (postdrop has
 * dropped the group that could unlink it): pickup removes such files at
 * once, and files left in the writing mode after QUEUE_STALE_SECONDS.
 */
#ifndef POSTERN_MAILDROP_H
#define POSTERN_MAILDROP_H

#include "sys.h"
#include "rec_type.h"

struct buf;

#define MAILDROP_MODE_WRITING	0600
#define MAILDROP_MODE_READY	0744
#define MAILDROP_MODE_ABANDONED	0000

#define MAILDROP_MAX_RECORD	(64 * 1024)	/* = PROTO_DATA_CHUNK */
#define MAILDROP_MAX_RCPTS	100000
#define MAILDROP_MAX_ATTR	256	/* value of full_name */

#define MAILDROP_ATTR_UID	"uid"
#define MAILDROP_ATTR_FULL_NAME	"full_name"

enum maildrop_state { MAILDROP_S_VERSION, MAILDROP_S_SIZE, MAILDROP_S_TIME,
	MAILDROP_S_SENDER, MAILDROP_S_ENVELOPE, MAILDROP_S_DATA,
	MAILDROP_S_DONE };

struct maildrop_check {
	enum maildrop_state state;
	long long size_limit;	/* content bytes, 0: none */
	long long size;		/* content bytes so far */
	size_t	nrcpts;
	bool	has_uid, has_full_name;
	long long uid;		/* from "uid=N" */
	struct buf *addr;	/* scratch */
};

/* maildrop_check_init - a checker for one stream; size_limit is
 * message_size_limit (0: none). maildrop_check_done frees it. */
void	maildrop_check_init(struct maildrop_check *c, long long size_limit);
void	maildrop_check_done(struct maildrop_check *c);

/* maildrop_check_record - check the next record (type, payload of len
 * bytes); 0 if it may come here, -1 with why. After REC_END the state is
 * MAILDROP_S_DONE, and any further record is an error. */
int	maildrop_check_record(struct maildrop_check *c, int type,
	    const char *data, size_t len, struct buf *why);

/* maildrop_check_complete - 0 when END was seen, else -1 with why */
int	maildrop_check_complete(const struct maildrop_check *c,
	    struct buf *why);

/* maildrop_is_ready - a regular file in MAILDROP_MODE_READY */
bool	maildrop_is_ready(const struct stat *st);

#endif
