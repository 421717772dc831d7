/* postern_queue.h - the jobs of "postern queue", shared by its files
 *
 * postern_queue.c dispatches the subcommands and owns list and flush and
 * the set-up they share (privilege check, the queue directory as working
 * directory, triggers to qmgr); postern_queue_move.c moves and removes
 * messages (delete, hold, release, requeue); postern_queue_cat.c prints
 * one queue file (cat). Every function returns the exit status.
 */
#ifndef POSTERN_POSTERN_QUEUE_H
#define POSTERN_POSTERN_QUEUE_H

#include "sys.h"

/* postern_queue_admin - fatal unless the caller is root or mail_owner */
void	postern_queue_admin(const char *what);
/* postern_queue_chdir - the queue directory becomes the working one */
void	postern_queue_chdir(void);
/* postern_queue_running - whether master (and so qmgr) runs */
bool	postern_queue_running(void);
/* postern_queue_trigger - send req (PROTO_REQ_FLUSH, PROTO_REQ_SCAN) to
 * qmgr; 0, or -1 with a warning when qmgr cannot be reached */
int	postern_queue_trigger(const char *req);

/* postern_queue_move.c: what = "delete", "hold", "release", "requeue";
 * argv holds queue IDs or the single word ALL */
int	postern_queue_move(const char *what, int argc, char **argv);

/* postern_queue_cat.c: print queue file id as postcat -q does */
int	postern_queue_cat(const char *id);

#endif
