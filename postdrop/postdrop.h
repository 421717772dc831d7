/* postdrop.h - the postdrop helper's private interface
 *
 * postdrop (setgid postdrop when installed) is the only way an ordinary
 * user's mail enters the queue: it reads a maildrop record stream
 * (util/maildrop.h) on stdin from sendmail, checks every record, and
 * stores it as maildrop/ID. Jobs:
 *   postdrop_file.c    create, write, finish or abandon maildrop/ID
 *   postdrop_copy.c    read the stream from stdin, check, copy
 *   postdrop_privs.c   which configuration to trust, dropping the group,
 *                      and the trigger to pickup
 * Errors go to stderr as "postdrop: error: ..." with a sysexits.h exit
 * status, which sendmail passes on.
 */
#ifndef POSTERN_POSTDROP_H
#define POSTERN_POSTDROP_H

#include "sys.h"
#include <sysexits.h>
#include "queue.h"
#include "rec.h"

struct postdrop_file {
	char	id[QUEUE_ID_SIZE];
	int	fd;
	struct rec_writer w;
};

/* postdrop_file.c */
/* postdrop_file_create - maildrop/ID, O_EXCL, MAILDROP_MODE_WRITING;
 * fatal (EX_CANTCREAT) on failure */
void	postdrop_file_create(struct postdrop_file *f);
/* postdrop_file_finish - flush, fchmod ready, fsync; 0 or -1 (errno) */
int	postdrop_file_finish(struct postdrop_file *f);
/* postdrop_file_abandon - truncate, MAILDROP_MODE_ABANDONED, close */
void	postdrop_file_abandon(struct postdrop_file *f);

/* postdrop_copy.c - copy stdin into f; returns EX_OK, or an EX_* code
 * after the complaint is logged (the caller abandons the file) */
int	postdrop_copy(int in, struct postdrop_file *f);

/* postdrop_privs.c */
/* postdrop_config_ok - whether config_dir may be used by this caller */
void	postdrop_check_config(const char *config_dir);
/* postdrop_drop_group - give up the setgid group for good (verified) */
void	postdrop_drop_group(void);
/* postdrop_trigger_open - connect to pickup (-1: not running) */
int	postdrop_trigger_open(void);
/* postdrop_trigger_send - tell pickup: a byte, then close */
void	postdrop_trigger_send(int fd);


#endif
