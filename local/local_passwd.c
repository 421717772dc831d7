/* local_passwd.c - getpwnam, once per request
 *
 * Routing one recipient wants its passwd entry twice, for its .forward
 * (local_alias.c) and for its mailbox (local_recipient.c), and glibc's
 * files backend reads /etc/passwd up to the entry each time: on a host
 * with many users, a good part of a delivery's CPU. local_getpwnam keeps
 * the last answer, an entry (its fields copied) or "no such user", until
 * local_passwd_forget, which local_route and local_route_maildir call
 * first: so no request sees what an earlier one looked up, and a change
 * to passwd shows at the next request, as without the memo. Lookup
 * errors are not kept, nor entries with fields longer than local takes.
 */
#include "local.h"
#include "str.h"

#include <pwd.h>

static struct {
	bool	valid;			/* an answer for name is kept */
	bool	found;
	char	name[LOCAL_USER_MAX + 1];
	char	pw_name[LOCAL_USER_MAX + 1];
	char	dir[LOCAL_PATH_MAX];
	char	shell[LOCAL_PATH_MAX];
	struct passwd pw;
} local_passwd;

/* local_passwd_forget - see local.h */
void
local_passwd_forget(void)
{
	local_passwd.valid = false;
}

/* local_passwd_keep - remember pw (NULL: no such user) for name */
static void
local_passwd_keep(const char *name, const struct passwd *pw)
{
	if (str_copy(local_passwd.name, sizeof(local_passwd.name), name) < 0)
		return;
	if (pw != NULL && (str_copy(local_passwd.pw_name,
	    sizeof(local_passwd.pw_name), pw->pw_name) < 0 ||
	    str_copy(local_passwd.dir, sizeof(local_passwd.dir),
	    pw->pw_dir) < 0 || str_copy(local_passwd.shell,
	    sizeof(local_passwd.shell), pw->pw_shell) < 0))
		return;
	local_passwd.found = pw != NULL;
	if (pw != NULL) {
		memset(&local_passwd.pw, 0, sizeof(local_passwd.pw));
		local_passwd.pw.pw_name = local_passwd.pw_name;
		local_passwd.pw.pw_passwd = (char *)"x";
		local_passwd.pw.pw_uid = pw->pw_uid;
		local_passwd.pw.pw_gid = pw->pw_gid;
		local_passwd.pw.pw_gecos = (char *)"";
		local_passwd.pw.pw_dir = local_passwd.dir;
		local_passwd.pw.pw_shell = local_passwd.shell;
	}
	local_passwd.valid = true;
}

/* local_getpwnam - see local.h */
struct passwd *
local_getpwnam(const char *name)
{
	struct passwd *pw;

	if (local_passwd.valid && strcmp(local_passwd.name, name) == 0) {
		errno = 0;
		return local_passwd.found ? &local_passwd.pw : NULL;
	}
	errno = 0;
	pw = getpwnam(name);
	/* what local_recipient_lookup takes for "no such user" */
	if (pw != NULL || errno == 0 || errno == ENOENT || errno == ESRCH ||
	    errno == EBADF || errno == EPERM)
		local_passwd_keep(name, pw);
	return pw;
}
