/* privs_test.c - privilege drops happen completely, or not at all
 *
 * User look-ups are tested everywhere. The drops themselves need root:
 * each runs in a forked child (a drop cannot be undone), which checks
 * its own credentials with getresuid/getresgid/getgroups, that root is out
 * of reach, and (privs_drop with a directory) that it is chrooted, and
 * reports through its exit status: 0 is success, any other value names
 * the check that failed. privs_assume (effective uid the user, real and
 * saved uid a keeper) is checked the same way, and shown to keep the
 * user's own processes from signalling the process, while a plain
 * privs_become target can be signalled. Without root those cases print
 * "# SKIP", and a drop is shown to fail cleanly instead.
 */
#include "privs.h"
#include "log.h"
#include "tap.h"

#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TEST_UID	65534
#define TEST_GID	65534
#define TEST_KEEPER	1	/* daemon */

static char test_dir[] = "/tmp/privs_test.XXXXXX";

/* test_quiet - swallow the fatal lines the children are expected to log */
static void
test_quiet(const char *line)
{
	(void)line;
}

/* test_child - run body in a child; its exit code, or -1 if it did not
 * exit normally */
static int
test_child(int (*body)(void))
{
	pid_t   pid;
	int     status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		log_set_capture(test_quiet);
		_exit(body());
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* test_check_ids - 0 when the process runs exactly as uid/gid */
static int
test_check_ids(uid_t uid, gid_t gid)
{
	uid_t   r, e, s;
	gid_t   rg, eg, sg, groups[8];
	int     n;

	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid)
		return 10;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid
	    || sg != gid)
		return 11;
	n = getgroups((int)SYS_ARRAY_LEN(groups), groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != gid))
		return 12;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 13;
	return 0;
}

/* child bodies */

static int
body_become(void)
{
	if (privs_become(TEST_UID, TEST_GID) < 0)
		return 2;
	return test_check_ids(TEST_UID, TEST_GID);
}

static int
body_assume(void)
{
	uid_t   r, e, s;
	gid_t   rg, eg, sg, groups[8];
	struct stat st;
	char    path[] = "/tmp/privs_test_file.XXXXXX";
	int     fd, n;

	if (privs_assume(TEST_UID, TEST_GID, TEST_KEEPER) < 0)
		return 2;
	if (getresuid(&r, &e, &s) < 0 || r != TEST_KEEPER || e != TEST_UID
	    || s != TEST_KEEPER)
		return 3;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != TEST_GID
	    || eg != TEST_GID || sg != TEST_GID)
		return 4;
	n = getgroups((int)SYS_ARRAY_LEN(groups), groups);
	if (n < 0 || n > 1 || (n == 1 && groups[0] != TEST_GID))
		return 5;
	if (setuid(0) == 0 || seteuid(0) == 0 || setresuid(0, 0, 0) == 0)
		return 6;
	/* what it creates belongs to the effective uid */
	if ((fd = mkstemp(path)) < 0)
		return 7;
	n = fstat(fd, &st) == 0 && st.st_uid == TEST_UID ? 0 : 8;
	(void)close(fd);
	(void)unlink(path);
	return n;
}

static int
body_assume_root(void)
{
	if (privs_assume(0, 0, TEST_KEEPER) == 0 || errno != EPERM)
		return 2;
	return privs_assume(TEST_UID, TEST_GID, 0) < 0 && errno == EPERM ?
	    0 : 3;
}

/* test_target - a process run as TEST_UID by privs_assume (assume) or
 * privs_become, waiting to be killed; its pid, or -1 */
static pid_t
test_target(bool assume)
{
	int     ready[2];
	pid_t   pid;
	char    c;

	if (pipe(ready) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		log_set_capture(test_quiet);
		if ((assume ? privs_assume(TEST_UID, TEST_GID, TEST_KEEPER) :
		    privs_become(TEST_UID, TEST_GID)) < 0)
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			(void)pause();
	}
	(void)close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1) {
		(void)waitpid(pid, NULL, 0);
		pid = -1;
	}
	(void)close(ready[0]);
	return pid;
}

/* test_stop_as_user - whether a process of TEST_UID can stop pid */
static bool
test_stop_as_user(pid_t pid)
{
	pid_t   child;
	int     status;

	fflush(stdout);
	if ((child = fork()) == 0) {
		if (privs_become(TEST_UID, TEST_GID) < 0)
			_exit(2);
		_exit(kill(pid, SIGSTOP) == 0 ? 0 : errno == EPERM ? 1 : 3);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return true;		/* cannot tell: fail the test */
	return WEXITSTATUS(status) == 0;
}

/* test_signal_guard - 0 when TEST_UID can stop what privs_become made and
 * cannot stop what privs_assume made */
static int
test_signal_guard(void)
{
	pid_t   plain, kept;
	int     ret = 0;

	plain = test_target(false);
	kept = test_target(true);
	if (plain < 0 || kept < 0)
		ret = 1;
	else if (!test_stop_as_user(plain))
		ret = 2;
	else if (test_stop_as_user(kept))
		ret = 3;
	if (plain > 0) {
		(void)kill(plain, SIGKILL);
		(void)waitpid(plain, NULL, 0);
	}
	if (kept > 0) {
		(void)kill(kept, SIGKILL);
		(void)waitpid(kept, NULL, 0);
	}
	return ret;
}

static int
body_become_root(void)
{
	return privs_become(0, 0) < 0 && errno == EPERM ? 0 : 2;
}

static int
body_drop_chroot(void)
{
	char    cwd[64];
	uid_t   uid;
	gid_t   gid;

	if (privs_lookup("nobody", &uid, &gid) < 0)
		return 3;
	privs_drop("nobody", test_dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		return 4;
	/* the marker file is at the top of the new root */
	if (access("/marker", F_OK) < 0)
		return 5;
	return test_check_ids(uid, gid);
}

static int
body_drop_unknown(void)
{
	privs_drop("no-such-user-privs-test", NULL);
	return 0;			/* not reached: fatal */
}

static int
body_drop_root(void)
{
	privs_drop("root", NULL);
	return 0;			/* not reached: fatal */
}

/* test_skip - a root-only case without root */
static void
test_skip(const char *name)
{
	ok(1, "# SKIP not root: %s", name);
}

int
main(void)
{
	uid_t   uid;
	gid_t   gid;
	bool    root;
	char    marker[64];
	int     fd;

	log_init("privs_test");
	plan(13);
	root = geteuid() == 0;
	ok(privs_is_root() == root, "privs_is_root matches geteuid");
	ok(privs_lookup("root", &uid, &gid) == 0 && uid == 0,
	    "privs_lookup finds root with uid 0");
	ok(privs_lookup("no-such-user-privs-test", &uid, &gid) < 0,
	    "privs_lookup of an unknown user fails");
	ok(privs_lookup("", &uid, &gid) < 0, "privs_lookup of \"\" fails");
	if (!root) {
		ok(test_child(body_become) == 2,
		    "without root, privs_become fails cleanly");
		test_skip("privs_become(65534, 65534) verified");
		test_skip("privs_become(0, 0) is refused");
		test_skip("privs_drop chroots and drops, verified");
		test_skip("privs_drop of an unknown user is fatal");
		test_skip("privs_drop to root is fatal");
		test_skip("privs_assume(65534, 65534, 1) verified");
		test_skip("privs_assume refuses root either way");
		test_skip("privs_assume keeps the user from stopping it");
		return done();
	}
	ok(1, "running as root: drops are tested for real");
	is_int(test_child(body_become), 0,
	    "privs_become(65534, 65534) verified with getresuid");
	is_int(test_child(body_become_root), 0,
	    "privs_become(0, 0) is refused");
	/* readable by nobody: the new root must be searchable after the
	 * drop */
	if (mkdtemp(test_dir) == NULL || chmod(test_dir, 0755) < 0) {
		ok(0, "privs_drop chroots and drops, verified");
	} else {
		(void)snprintf(marker, sizeof(marker), "%s/marker", test_dir);
		fd = open(marker, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0)
			(void)close(fd);
		is_int(test_child(body_drop_chroot), 0,
		    "privs_drop chroots and drops, verified");
		(void)unlink(marker);
		(void)rmdir(test_dir);
	}
	is_int(test_child(body_drop_unknown), 1,
	    "privs_drop of an unknown user is fatal");
	is_int(test_child(body_drop_root), 1, "privs_drop to root is fatal");
	is_int(test_child(body_assume), 0,
	    "privs_assume(65534, 65534, 1) verified, files owned by 65534");
	is_int(test_child(body_assume_root), 0,
	    "privs_assume refuses root as the user and as the keeper");
	is_int(test_signal_guard(), 0, "the user can stop a privs_become "
	    "process, not a privs_assume one");
	return done();
}
