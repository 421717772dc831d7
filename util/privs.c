/* privs.c - dropping root, once, verified
 *
 * Owns the one implementation of a privilege drop. privs_drop (daemons)
 * resolves the user with getpwnam while /etc is still reachable, then
 * chroots (optional), and finally switches groups, gid and uid; privs_become
 * (local's forked delivery children) does the switch alone, with a uid and
 * gid the caller looked up; privs_assume (local's vfork'd Maildir children)
 * is privs_become with another real and saved uid (see privs.h). Either
 * way the result is verified, not assumed: getresuid and getresgid must
 * show the targets in all three slots, the supplementary group list must
 * be exactly the target gid, and setuid(0) and seteuid(0) must now fail.
 * privs_drop treats every failure as fatal (a daemon never runs with
 * half-dropped privileges); privs_become and privs_assume return -1 so
 * that their caller, a delivery child, can report the delivery as failed.
 *
 * None of them ever switches to uid 0: a target of root is refused,
 * since "dropping" to root would silently keep every privilege. The
 * verification reads back the credentials instead of trusting the return
 * values, so a kernel or library that half-applies a change is caught.
 */
#include "privs.h"
#include "log.h"

#include <grp.h>
#include <pwd.h>

/* privs_is_root - whether the process runs with effective uid 0 */
bool
privs_is_root(void)
{
	return geteuid() == 0;
}

/* privs_lookup - uid and gid of a user name from the passwd database */
int
privs_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (user == NULL || *user == '\0')
		return -1;
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		if (errno == 0)
			errno = ENOENT;
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* privs_verify - whether the process now runs with effective uid uid,
 * real and saved uid keeper, gid gid in all three slots and no other
 * group, and cannot get root back; -1 with errno EPERM if not */
static int
privs_verify(uid_t uid, uid_t keeper, gid_t gid)
{
	uid_t   ruid, euid, suid;
	gid_t   rgid, egid, sgid;
	gid_t   groups[2];
	int     n;

	if (getresuid(&ruid, &euid, &suid) < 0
	    || getresgid(&rgid, &egid, &sgid) < 0)
		return -1;
	if (ruid != keeper || euid != uid || suid != keeper
	    || rgid != gid || egid != gid || sgid != gid)
		goto fail;
	/* two slots: a second group would show up as n == 2 */
	n = getgroups((int)SYS_ARRAY_LEN(groups), groups);
	if (n < 0 && errno != EINVAL)
		return -1;
	if (n < 0 || n > 1 || (n == 1 && groups[0] != gid))
		goto fail;
	/* the point of it all: root must be out of reach for good */
	if (setuid(0) == 0 || seteuid(0) == 0)
		goto fail;
	return 0;

fail:
	errno = EPERM;
	return -1;
}

/* privs_switch - groups {gid}, gid, then the three uids; verified */
static int
privs_switch(uid_t uid, uid_t keeper, gid_t gid)
{
	if (uid == 0 || keeper == 0) {
		errno = EPERM;
		return -1;
	}
	if (setgroups(1, &gid) < 0)
		return -1;
	if (setresgid(gid, gid, gid) < 0)
		return -1;
	if (setresuid(keeper, uid, keeper) < 0)
		return -1;
	return privs_verify(uid, keeper, gid);
}

/* privs_become - switch groups, gid and uid to the given ids, verified */
int
privs_become(uid_t uid, gid_t gid)
{
	return privs_switch(uid, uid, gid);
}

/* privs_assume - act as uid with keeper as real and saved uid, verified */
int
privs_assume(uid_t uid, gid_t gid, uid_t keeper)
{
	return privs_switch(uid, keeper, gid);
}

/* privs_drop - become user (chrooted into chroot_dir if not NULL) */
void
privs_drop(const char *user, const char *chroot_dir)
{
	uid_t   uid;
	gid_t   gid;

	/* resolve first: there is no passwd file inside the chroot */
	if (privs_lookup(user, &uid, &gid) < 0)
		log_fatal("user \"%s\" does not exist: cannot drop privileges",
		    user);
	if (uid == 0)
		log_fatal("user \"%s\" has uid 0: refusing to run as root",
		    user);
	if (chroot_dir != NULL && *chroot_dir != '\0') {
		if (chroot(chroot_dir) < 0)
			log_fatal("chroot %s: %m", chroot_dir);
		if (chdir("/") < 0)
			log_fatal("chdir / in chroot %s: %m", chroot_dir);
	}
	if (privs_become(uid, gid) < 0)
		log_fatal("cannot become user \"%s\" (uid %ld, gid %ld): %m",
		    user, (long)uid, (long)gid);
}
