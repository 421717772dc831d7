/* users.h - does a local user exist, from inside a chroot
 *
 * smtpd must answer 550 5.1.1 for unknown local users while chrooted.
 * users_init (before chroot) keeps a descriptor of /etc; users_exists
 * then reads passwd relative to it, and re-reads it only when its inode,
 * size or mtime changed, so new users are seen without restart. Names are
 * compared case-insensitively, as Postfix folds local parts. Limits: a
 * passwd larger than 64 MiB is refused (-1); lines longer than 4096 bytes
 * and lines not shaped "name:password:uid:..." are skipped.
 */
#ifndef POSTERN_USERS_H
#define POSTERN_USERS_H

#include "sys.h"

void	users_init(const char *passwd_dir);	/* NULL: /etc */
/* users_exists - 1 yes, 0 no, -1 cannot tell (passwd unreadable) */
int	users_exists(const char *name);

#endif
