/* privs_test.c - privilege drops happen completely, or not at all
 *
 * User look-ups are tested everywhere. The drops themselves need root:
 * each runs in a forked child (a drop cannot be undone), which checks
 * its own credentials with getresuid/getresgid/getgroups, that root is out
 * of reach, and (privs_drop with a directory) that it is chrooted, and
 * reports through its exit status: 0 is success, any other value names
 * the check that failed. Without root those cases print "# SKIP", and a
 * drop is shown to fail cleanly instead.
 */
#include "privs.h"
#include "log.h"
#include "tap.h"

#include <grp.h>
#include <sys/wait.h>

#define TEST_UID	65534
#define TEST_GID	65534

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
	plan(10);
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
	return done();
}
