/* local_passwd_test.c - unit tests of local's once-per-request passwd memo
 *
 * Against the real passwd database (root and daemon exist on every Debian
 * system): local_getpwnam gives the entry getpwnam gives, again from the
 * memo for the same name (the same copy, the same fields), never the entry
 * of another name when lookups alternate, NULL with errno 0 for an
 * unknown user each time, and a fresh lookup after local_passwd_forget.
 */
#include "../../local/local.h"
#include "tap.h"

#include <pwd.h>

#define UNKNOWN	"no-such-user-local-passwd-test"

/* same_entry - whether got has name's uid, gid, home and shell */
static bool
same_entry(const struct passwd *got, const char *name, uid_t uid,
    gid_t gid, const char *dir, const char *shell)
{
	return got != NULL && strcmp(got->pw_name, name) == 0 &&
	    got->pw_uid == uid && got->pw_gid == gid &&
	    strcmp(got->pw_dir, dir) == 0 && strcmp(got->pw_shell, shell) == 0;
}

int
main(void)
{
	struct passwd *pw, *first, *second;
	char    root_dir[256], root_shell[256], daemon_dir[256];
	char    daemon_shell[256];
	uid_t   daemon_uid;
	gid_t   daemon_gid;

	plan(9);
	if ((pw = getpwnam("root")) == NULL ||
	    snprintf(root_dir, sizeof(root_dir), "%s", pw->pw_dir) < 0 ||
	    snprintf(root_shell, sizeof(root_shell), "%s", pw->pw_shell) < 0)
		return 1;
	if ((pw = getpwnam("daemon")) == NULL ||
	    snprintf(daemon_dir, sizeof(daemon_dir), "%s", pw->pw_dir) < 0 ||
	    snprintf(daemon_shell, sizeof(daemon_shell), "%s",
	    pw->pw_shell) < 0)
		return 1;
	daemon_uid = pw->pw_uid;
	daemon_gid = pw->pw_gid;

	local_passwd_forget();
	first = local_getpwnam("root");
	ok(same_entry(first, "root", 0, 0, root_dir, root_shell),
	    "root: the entry getpwnam gives");
	second = local_getpwnam("root");
	ok(second != NULL && second == local_getpwnam("root") &&
	    same_entry(second, "root", 0, 0, root_dir, root_shell),
	    "root again: the remembered copy, same fields");
	(void)getpwnam("daemon");	/* glibc's static entry changes */
	ok(same_entry(local_getpwnam("root"), "root", 0, 0, root_dir,
	    root_shell), "the copy does not change with glibc's buffer");
	ok(same_entry(local_getpwnam("daemon"), "daemon", daemon_uid,
	    daemon_gid, daemon_dir, daemon_shell),
	    "another name: its own entry, not root's");
	ok(same_entry(local_getpwnam("root"), "root", 0, 0, root_dir,
	    root_shell), "back to root: root's entry");

	errno = EIO;
	pw = local_getpwnam(UNKNOWN);
	ok(pw == NULL && errno == 0, "unknown user: NULL, errno 0");
	errno = EIO;
	pw = local_getpwnam(UNKNOWN);
	ok(pw == NULL && errno == 0, "unknown user again: NULL, errno 0");
	ok(same_entry(local_getpwnam("root"), "root", 0, 0, root_dir,
	    root_shell), "after an unknown user, root is root");

	local_passwd_forget();
	ok(same_entry(local_getpwnam("daemon"), "daemon", daemon_uid,
	    daemon_gid, daemon_dir, daemon_shell),
	    "after local_passwd_forget: looked up afresh");
	return done();
}
