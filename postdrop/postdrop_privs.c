/* postdrop_privs.c - what postdrop trusts, its setgid group, the trigger
 *
 * postdrop is setgid postdrop when installed: the group may create files
 * in maildrop/ (0730) and connect to the sockets in public/ (0710) of a
 * postern instance, and nothing else. postdrop_check_config decides
 * whether a caller's -c DIR / MAIL_CONFIG may choose the instance: root
 * may name any directory; anyone else only the default one, or one whose
 * main.cf is owned by root or by the caller (an instance the caller
 * runs). With that group, a configuration reaches no more than what each
 * instance's own sendmail already offers every local user.
 * postdrop_drop_group gives the group up for good (setresgid to the real
 * gid, verified with getresgid) once maildrop/ID is open and the trigger
 * socket connected: nothing after that needs it.
 * The trigger: a connection to pickup's socket (public/pickup, or
 * private/pickup of an instance run by an ordinary user), made while the
 * group still allows it; postdrop_trigger_send writes one byte and closes
 * it once the file is ready, and pickup scans maildrop/ when a trigger
 * connection ends. Failures are ignored: pickup also scans at start and
 * every minute, so mail submitted while postern is stopped waits in
 * maildrop/.
 */
#include "postdrop.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "buf.h"
#include "log.h"

#define POSTDROP_DEFAULT_CONFIG	"/etc/postern"

/* postdrop_check_config - may this caller use config_dir? */
void
postdrop_check_config(const char *config_dir)
{
	struct buf *path = buf_new(0);
	struct stat st;

	if (getuid() == 0 || config_dir == NULL
	    || strcmp(config_dir, POSTDROP_DEFAULT_CONFIG) == 0)
		goto fail;	/* nothing to check */
	(void)buf_printf(path, "%s/main.cf", config_dir);
	if (stat(buf_str(path), &st) < 0)
		log_die(EX_CONFIG, "configuration %s: %m", buf_str(path));
	if (st.st_uid != 0 && st.st_uid != getuid())
		log_die(EX_NOPERM, "configuration %s is owned by neither "
		    "root nor the caller: not used", buf_str(path));

fail:
	buf_free(path);
}

/* postdrop_drop_group - setresgid to the real gid, verified */
void
postdrop_drop_group(void)
{
	gid_t   gid = getgid(), r, e, s;

	if (setresgid(gid, gid, gid) < 0)
		log_die(EX_OSERR, "setresgid: %m");
	if (getresgid(&r, &e, &s) < 0 || r != gid || e != gid || s != gid)
		log_die(EX_OSERR, "group privileges were not dropped");
}

/* postdrop_trigger_connect - connect to path; -1 if not possible */
static int
postdrop_trigger_connect(const char *path)
{
	struct sockaddr_un sun;
	int     fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		(void)close(fd);	/* pickup is not there: no trigger */
		return -1;
	}
	return fd;
}

/* postdrop_trigger_open - connect to pickup, public or private */
int
postdrop_trigger_open(void)
{
	int     fd = postdrop_trigger_connect("public/pickup");

	if (fd < 0)
		fd = postdrop_trigger_connect("private/pickup");
	return fd;
}

/* postdrop_trigger_send - one byte, then close */
void
postdrop_trigger_send(int fd)
{
	ssize_t n;

	if (fd < 0)
		return;
	n = send(fd, "W", 1, MSG_NOSIGNAL);
	(void)n;	/* pickup scans anyway at its next wakeup */
	(void)close(fd);	/* the close is the trigger */
}
