/* privs.h - dropping root, once, verified
 *
 * privs_drop resolves the user, (optionally) chroots, then setgroups,
 * setgid, setuid, and checks the result with getresuid/getresgid; any
 * failure is fatal. privs_become does the same for a delivery child
 * (local), with an explicit uid/gid and the user's supplementary groups
 * cleared; privs_assume likewise, keeping another real and saved uid.
 * Resolving users must happen before chroot (no /etc inside).
 */
#ifndef POSTERN_PRIVS_H
#define POSTERN_PRIVS_H

#include "sys.h"

bool	privs_is_root(void);
/* privs_lookup - uid/gid of a user name; 0 ok, -1 unknown */
int	privs_lookup(const char *user, uid_t *uid, gid_t *gid);
/* privs_drop - become user, after chroot(chroot_dir) + chdir("/") when
 * chroot_dir is not NULL; fatal on any failure, and for a user with
 * uid 0 */
void	privs_drop(const char *user, const char *chroot_dir);
/* privs_become - setgroups(gid)/setgid/setuid, verified; 0 or -1 with
 * errno (EPERM also when uid is 0: never "drop" to root). For a forked
 * child that does one job as a user (local delivery); the caller looks up
 * uid and gid itself. */
int	privs_become(uid_t uid, gid_t gid);
/* privs_assume - privs_become, except that the real and saved uid become
 * keeper (not 0): the effective uid uid decides every file access and
 * owns what is created, while uid's own processes (keeper != uid) can
 * neither signal nor trace this one (the kernel checks real and saved
 * uids), and it can switch between uid and keeper only, never to root.
 * For a child that shares its parent's memory (vfork): a signal from the
 * recipient could otherwise stop it, and the parent with it. */
int	privs_assume(uid_t uid, gid_t gid, uid_t keeper);

#endif
