/* postdrop_showq.h - "postdrop -s": the queue listing for ordinary users
 *
 * The interface of postdrop_showq.c for postdrop's main(); to be folded
 * into postdrop.h by postdrop's owner.
 */
#ifndef POSTERN_POSTDROP_SHOWQ_H
#define POSTERN_POSTDROP_SHOWQ_H

#include "sys.h"

/* postdrop_showq - after params_load: connect to showq under
 * queue_directory (public/showq, reachable through the setgid group),
 * ask for the listing (JSON when json) and copy it to stdout. Returns the
 * exit status: 0, EX_UNAVAILABLE when showq cannot be reached (the mail
 * system is down), EX_SOFTWARE for a broken answer, EX_TEMPFAIL when
 * showq could not read the queue, EX_IOERR when stdout fails. */
int	postdrop_showq(bool json);

#endif
