/* local_recipient_test.c - unit tests of local's recipient resolution
 *
 * Table-driven: each case sets home_mailbox, recipient_delimiter and
 * virtual_mailbox_base, resolves an address as root (self 0) or as an
 * ordinary uid, and checks the status, DSN, reason, user, mailbox kind
 * and path. Uses the passwd entries every Debian system has: daemon (uid
 * 1, home /usr/sbin) and nobody (uid 65534). Also checks the home_mailbox
 * validation on its own.
 */
#include "../../local/local.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "tap.h"

struct rcpt_case {
	const char *name;
	const char *addr;
	uid_t	self;
	const char *home_mailbox;
	const char *delimiter;
	const char *virtual_base;
	int	status;		/* -1: resolves (return 0) */
	const char *dsn;	/* when it does not */
	const char *reason;
	const char *user;	/* when it does */
	enum local_kind kind;
	bool	become;
	const char *base;
	const char *rel;
	const char *delivered_to;
};

#define OK	-1

static const struct rcpt_case cases[] = {
	{"root: spool mbox", "daemon@example.com", 0, "", "+", "", OK, 0, 0,
	    "daemon", LOCAL_MBOX, true, "/var/mail", "daemon",
	    "daemon@example.com"},
	{"root: extension and case", "DaeMon+Lists@Example.COM", 0, "", "+",
	    "", OK, 0, 0, "daemon", LOCAL_MBOX, true, "/var/mail", "daemon",
	    "daemon+lists@example.com"},
	{"root: no delimiter keeps the extension", "daemon+x@localhost", 0,
	    "", "", "", PROTO_STATUS_BOUNCE, "5.1.1",
	    "unknown user: \"daemon+x\"", 0, 0, 0, 0, 0, 0},
	{"root: bare local part", "daemon", 0, "", "+", "", OK, 0, 0,
	    "daemon", LOCAL_MBOX, true, "/var/mail", "daemon", "daemon"},
	{"root: localhost", "daemon@LOCALHOST", 0, "", "+", "", OK, 0, 0,
	    "daemon", LOCAL_MBOX, true, "/var/mail", "daemon",
	    "daemon@localhost"},
	{"root: Maildir", "daemon@example.com", 0, "Maildir/", "+", "", OK,
	    0, 0, "daemon", LOCAL_MAILDIR, true, "/usr/sbin", "Maildir",
	    "daemon@example.com"},
	{"root: nested Maildir, slashes", "daemon@example.com", 0,
	    "Mail/box//", "+", "", OK, 0, 0, "daemon", LOCAL_MAILDIR, true,
	    "/usr/sbin", "Mail/box", "daemon@example.com"},
	{"root: mbox in home", "daemon@example.com", 0, "Mail/inbox", "+",
	    "", OK, 0, 0, "daemon", LOCAL_MBOX, true, "/usr/sbin",
	    "Mail/inbox", "daemon@example.com"},
	{"root: unknown user", "nosuchuser-zz@example.com", 0, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"nosuchuser-zz\"",
	    0, 0, 0, 0, 0, 0},
	{"root: remote domain", "daemon@elsewhere.example", 0, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.2", "not a local domain", 0, 0, 0, 0, 0,
	    0},
	{"root: path in local part", "../etc@localhost", 0, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"../etc\"", 0, 0, 0,
	    0, 0, 0},
	{"root: dot file", ".profile@localhost", 0, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \".profile\"", 0, 0,
	    0, 0, 0, 0},
	{"root: slash", "a/b@localhost", 0, "", "+", "", PROTO_STATUS_BOUNCE,
	    "5.1.1", "unknown user: \"a/b\"", 0, 0, 0, 0, 0, 0},
	{"root: empty local part", "@localhost", 0, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"\"", 0, 0, 0, 0, 0,
	    0},
	{"root: home_mailbox with ..", "daemon@localhost", 0, "../x/", "+",
	    "", PROTO_STATUS_DEFER, "4.3.5", "bad home_mailbox setting", 0, 0,
	    0, 0, 0, 0},
	{"root: absolute home_mailbox", "daemon@localhost", 0, "/tmp/x/",
	    "+", "", PROTO_STATUS_DEFER, "4.3.5", "bad home_mailbox setting",
	    0, 0, 0, 0, 0, 0},
	{"root: Maildir of nobody", "nobody@localhost", 0,
	    "Maildir/", "+", "", OK, 0, 0, "nobody", LOCAL_MAILDIR, true,
	    "/nonexistent", "Maildir", "nobody@localhost"},
	{"user: own entry", "daemon@localhost", 1, "Maildir/", "+", "", OK,
	    0, 0, "daemon", LOCAL_MAILDIR, false, "/usr/sbin", "Maildir",
	    "daemon@localhost"},
	{"user: other entry", "daemon@localhost", 4242, "Maildir/", "+", "",
	    PROTO_STATUS_BOUNCE, "5.7.1",
	    "postern runs without root and cannot deliver to user daemon", 0,
	    0, 0, 0, 0, 0},
	{"user: unknown entry", "nosuchuser-zz@localhost", 4242, "", "+", "",
	    PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"nosuchuser-zz\"",
	    0, 0, 0, 0, 0, 0},
	{"user: virtual base", "Daemon+x@localhost", 4242, "", "+",
	    "/srv/vmail", OK, 0, 0, "daemon", LOCAL_MAILDIR, false,
	    "/srv/vmail", "daemon", "daemon+x@localhost"},
	{"user: virtual base, unknown", "nosuchuser-zz@localhost", 4242, "",
	    "+", "/srv/vmail", OK, 0, 0, "nosuchuser-zz", LOCAL_MAILDIR,
	    false, "/srv/vmail", "nosuchuser-zz", "nosuchuser-zz@localhost"},
	{"user: virtual base, unsafe name", "..@localhost", 4242, "", "+",
	    "/srv/vmail", PROTO_STATUS_BOUNCE, "5.1.1", "unknown user: \"..\"",
	    0, 0, 0, 0, 0, 0},
};

struct hm_case {
	const char *value;
	bool	good;
};

static const struct hm_case hm_cases[] = {
	{"", true}, {"Maildir/", true}, {"Mail/inbox", true},
	{".maildir/", true}, {"a..b/", true}, {"../Maildir/", false},
	{"Mail/../../x", false}, {"Mail/..", false}, {"/var/mail/x", false},
	{"Mail\n/", false},
};

static int warnings;

/* capture - count warnings instead of logging them */
static void
capture(const char *line)
{
	if (strstr(line, "warning: ") != NULL)
		warnings++;
}

/* check_case - one resolution */
static void
check_case(struct local_rcpt *r, const struct rcpt_case *c)
{
	struct local_result res;
	int     ret;

	var_home_mailbox = (char *)c->home_mailbox;
	var_recipient_delimiter = (char *)c->delimiter;
	var_virtual_mailbox_base = (char *)c->virtual_base;
	memset(&res, 0, sizeof(res));
	ret = local_recipient_resolve(c->addr, c->self, r, &res);
	if (c->status != OK) {
		if (!ok(ret < 0 && res.status == c->status &&
		    strcmp(res.dsn, c->dsn) == 0 &&
		    strcmp(res.reason, c->reason) == 0, "%s", c->name))
			diag("ret %d status %d dsn %s reason \"%s\"", ret,
			    res.status, res.dsn, res.reason);
		return;
	}
	if (!ok(ret == 0 && strcmp(r->user, c->user) == 0 &&
	    r->kind == c->kind && r->become == c->become &&
	    strcmp(buf_str(r->base), c->base) == 0 &&
	    strcmp(buf_str(r->rel), c->rel) == 0 &&
	    strcmp(buf_str(r->delivered_to), c->delivered_to) == 0,
	    "%s", c->name))
		diag("ret %d (%s %s) user %s kind %d become %d base %s rel %s "
		    "delivered_to %s", ret, res.dsn, res.reason, r->user,
		    (int)r->kind, (int)r->become, buf_str(r->base),
		    buf_str(r->rel), buf_str(r->delivered_to));
}

/* main - run the cases, print TAP */
int
main(void)
{
	struct local_rcpt *r;
	size_t  i;

	log_init("local_recipient_test");
	log_set_capture(capture);
	plan((int)(SYS_ARRAY_LEN(cases) + SYS_ARRAY_LEN(hm_cases) + 3));
	var_mydestination = "example.com, mail.example.com";
	var_mail_spool_directory = "/var/mail";
	r = local_rcpt_new();
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++)
		check_case(r, &cases[i]);
	for (i = 0; i < SYS_ARRAY_LEN(hm_cases); i++)
		ok(local_recipient_check_home_mailbox(hm_cases[i].value) ==
		    hm_cases[i].good, "home_mailbox \"%s\" is %s",
		    hm_cases[i].value, hm_cases[i].good ? "good" : "refused");
	ok(warnings == 2, "a bad home_mailbox is logged (%d warnings)",
	    warnings);
	/* the uid and gid come from passwd */
	var_home_mailbox = "";
	var_virtual_mailbox_base = "";
	{
		struct local_result res;

		ok(local_recipient_resolve("nobody@localhost", 0, r, &res) ==
		    0 && r->uid == 65534 && r->spool, "uid of nobody");
		var_mail_spool_directory = "";
		ok(local_recipient_resolve("nobody@localhost", 0, r, &res) <
		    0 && strcmp(res.dsn, "4.3.5") == 0,
		    "empty mail_spool_directory is refused");
	}
	local_rcpt_free(r);
	return done();
}
