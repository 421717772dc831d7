/* local_expand_test.c - unit tests of alias and .forward expansion
 *
 * Table-driven: a fake alias table, fake .forward files and fake
 * :include: files (struct local_expand_ops) stand in for the real
 * lookups; each case expands one address and compares the destinations,
 * rendered as "type:text[<sender]" joined with " | ", with the expected
 * list. Covers users, lists, nested aliases, a: a, loops, the depth
 * limit, :include: (present and missing), commands and files by class,
 * owner- senders, extensions, remote addresses and deduplication. Then
 * forward_path expansion and item splitting, each from a table.
 */
#include "../../local/local.h"
#include "buf.h"
#include "log.h"
#include "params.h"
#include "proto.h"
#include "str.h"
#include "tap.h"

struct kv {
	const char *key, *value;
};

static const struct kv aliases[] = {
	{"postmaster", "root"},
	{"single", "alice"},
	{"list", "alice, bob"},
	{"owner-list", "carol"},
	{"nested", "list2"},
	{"list2", "single, bob, alice"},
	{"self", "self, bob"},
	{"loop1", "loop2"},
	{"loop2", "loop3"},
	{"loop3", "loop1"},
	{"inc", ":include:/inc/members"},
	{"missing", ":include:/inc/none"},
	{"cmd", "\"|/usr/bin/procmail -a, b\""},
	{"file", "/var/log/mail.copy"},
	{"remote", "someone@remote.example, alice@localhost"},
	{"tagged+x", "bob"},
	{"deep0", "deep1"}, {"deep1", "deep2"}, {"deep2", "deep3"},
	{"deep3", "deep4"}, {"deep4", "deep5"}, {"deep5", "deep6"},
	{"deep6", "deep7"}, {"deep7", "deep8"}, {"deep8", "deep9"},
	{"deep9", "deep10"}, {"deep10", "deep11"}, {"deep11", "deep12"},
	{"deep12", "deep13"}, {"deep13", "deep14"}, {"deep14", "deep15"},
	{"deep15", "deep16"}, {"deep16", "deep17"}, {"deep17", "deep18"},
	{"deep18", "deep19"}, {"deep19", "deep20"}, {"deep20", "deep21"},
};

static const struct kv forwards[] = {
	{"dave", "erin, \\dave, \"|vacation dave\""},
	{"frank", ":include:/inc/members, /tmp/frank.copy"},
};

static const struct kv includes[] = {
	{"/inc/members", "# the members\nbob\n\"|/bin/cmd\"\n"},
};

/* fake_find - a key in a table */
static const char *
fake_find(const struct kv *t, size_t n, const char *key)
{
	size_t  i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].key, key) == 0)
			return t[i].value;
	return NULL;
}

/* fake_alias - the alias table; owned by "aliasowner" */
static int
fake_alias(void *ctx, const char *key, struct buf *value,
    struct local_owner *owner, struct buf *why)
{
	const char *v = fake_find(aliases, SYS_ARRAY_LEN(aliases), key);

	(void)ctx;
	(void)why;
	if (v == NULL)
		return 0;
	(void)buf_set(value, v);
	memset(owner, 0, sizeof(*owner));
	(void)str_copy(owner->name, sizeof(owner->name), "aliasowner");
	return 1;
}

/* fake_forward - .forward files */
static int
fake_forward(void *ctx, const char *user, const char *ext, struct buf *value,
    struct local_owner *owner, struct buf *why)
{
	const char *v = fake_find(forwards, SYS_ARRAY_LEN(forwards), user);

	(void)ctx;
	(void)ext;
	(void)why;
	if (v == NULL)
		return 0;
	(void)buf_set(value, v);
	memset(owner, 0, sizeof(*owner));
	(void)str_copy(owner->name, sizeof(owner->name), user);
	return 1;
}

/* fake_include - :include: files */
static int
fake_include(void *ctx, const char *path, struct buf *value,
    struct local_owner *owner, struct buf *why)
{
	const char *v = fake_find(includes, SYS_ARRAY_LEN(includes), path);

	(void)ctx;
	(void)owner;
	if (v == NULL) {
		(void)buf_set(why, "No such file or directory");
		return -1;
	}
	(void)buf_set(value, v);
	return 1;
}

static const struct local_expand_ops fake_ops = {
	fake_alias, fake_forward, fake_include, NULL
};

struct expand_case {
	const char *name;
	const char *rcpt;
	const char *commands;	/* allow_mail_to_commands */
	const char *want;
};

static const struct expand_case cases[] = {
	{"plain user", "alice@example.com", "alias, forward",
	    "mailbox:alice@example.com"},
	{"alias to a user", "single@example.com", "alias, forward",
	    "mailbox:alice@example.com"},
	{"list with owner-", "list@example.com", "alias, forward",
	    "mailbox:alice@example.com<owner-list@example.com | "
	    "mailbox:bob@example.com<owner-list@example.com"},
	{"nested, deduplicated", "nested", "alias, forward",
	    "mailbox:alice | mailbox:bob"},
	{"a: a, b", "self@example.com", "alias, forward",
	    "mailbox:self@example.com | mailbox:bob@example.com"},
	{"loop", "loop1@example.com", "alias, forward",
	    "error:5.4.6:mail forwarding loop for loop1@example.com"},
	{"depth limit", "deep0@example.com", "alias, forward",
	    "error:5.4.6:mail forwarding loop: alias nesting deeper than 20 "
	    "for deep20@example.com"},
	{"include", "inc@example.com", "alias, forward",
	    "mailbox:bob@example.com | error:5.7.1:mail to command is "
	    "restricted (from :include: file)"},
	{"include with commands allowed", "inc@example.com",
	    "alias, forward, include",
	    "mailbox:bob@example.com | command:/bin/cmd"},
	{"missing include", "missing@example.com", "alias, forward",
	    "error:4.3.0:cannot read :include: file /inc/none: No such file "
	    "or directory"},
	{"quoted command", "cmd@example.com", "alias, forward",
	    "command:/usr/bin/procmail -a, b"},
	{"commands not allowed", "cmd@example.com", "forward",
	    "error:5.7.1:mail to command is restricted (from alias)"},
	{"file", "file@example.com", "alias, forward",
	    "file:/var/log/mail.copy"},
	{"remote", "remote@example.com", "alias, forward",
	    "remote:someone@remote.example | mailbox:alice@localhost"},
	{"extension alias first", "tagged+x@example.com", "alias, forward",
	    "mailbox:bob@example.com"},
	{"extension falls back", "single+y@example.com", "alias, forward",
	    "mailbox:alice@example.com"},
	{".forward", "dave@example.com", "alias, forward",
	    "mailbox:erin@example.com | mailbox:dave@example.com | "
	    "command:vacation dave"},
	{".forward with include and file", "frank@example.com",
	    "alias, forward",
	    "mailbox:bob@example.com | error:5.7.1:mail to command is "
	    "restricted (from :include: file) | file:/tmp/frank.copy"},
};

/* render - the destinations as text */
static void
render(const struct local_expansion *x, struct buf *out)
{
	static const char *const names[] = {"mailbox", "command", "file",
	"remote", "error"};
	size_t  i;

	buf_reset(out);
	for (i = 0; i < x->n; i++) {
		const struct local_dest *d = &x->dests[i];

		(void)buf_printf(out, "%s%s:", i ? " | " : "", names[d->type]);
		if (d->type == LOCAL_DEST_ERROR)
			(void)buf_printf(out, "%s:", d->dsn);
		(void)buf_append_str(out, d->text);
		if (d->sender != NULL)
			(void)buf_printf(out, "<%s", d->sender);
	}
}

struct path_case {
	const char *pattern, *ext, *want;
};

static const struct path_case paths[] = {
	{"$home/.forward${recipient_delimiter}${extension}", "tag",
	    "/home/u/.forward+tag"},
	{"$home/.forward${recipient_delimiter}${extension}", "",
	    "/home/u/.forward"},
	{"$home/.forward", "tag", "/home/u/.forward"},
	{"/var/forward/$user${extension?+$extension}", "x",
	    "/var/forward/u+x"},
	{"/var/forward/${user}.$local@$domain", "",
	    "/var/forward/u.u@d.example"},
	{"${extension:none}", "", "none"},
	{"$home/$extension", "../x", NULL},
	{"$home/${unclosed", "", NULL},
};

struct split_case {
	const char *name, *in, *want;
};

static const struct split_case splits[] = {
	{"commas", "a, b,c", "a|b|c"},
	{"quotes", "\"|cmd a, b\", x", "|cmd a, b|x"},
	{"comment lines", "# comment\nuser\n\n", "user"},
	{"blanks", "  spaced  ,  ", "spaced"},
};

/* main - run the cases, print TAP */
int
main(void)
{
	struct local_expansion x;
	struct local_forward_vars v = {"/home/u", "u", "", "+", "u",
	    "d.example"};
	struct buf *out = buf_new(0);
	const char *cursor;
	size_t  i;
	int     ret;

	log_init("local_expand_test");
	plan((int)(SYS_ARRAY_LEN(cases) + SYS_ARRAY_LEN(paths) +
	    SYS_ARRAY_LEN(splits)));
	var_mydestination = "example.com";
	var_recipient_delimiter = "+";
	var_allow_mail_to_files = "alias, forward";
	var_owner_request_special = true;
	var_myhostname = "mx.example.com";
	memset(&x, 0, sizeof(x));
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++) {
		var_allow_mail_to_commands = (char *)cases[i].commands;
		local_expand(&x, cases[i].rcpt, &fake_ops);
		render(&x, out);
		is_str(buf_str(out), cases[i].want, cases[i].name);
	}
	local_expansion_reset(&x);
	for (i = 0; i < SYS_ARRAY_LEN(paths); i++) {
		v.extension = paths[i].ext;
		v.delimiter = paths[i].ext[0] ? "+" : "";
		ret = local_forward_path_expand(paths[i].pattern, &v, out);
		if (paths[i].want == NULL)
			ok(ret < 0, "forward_path %s refused",
			    paths[i].pattern);
		else
			is_str(ret == 0 ? buf_str(out) : "(error)",
			    paths[i].want, paths[i].pattern);
	}
	for (i = 0; i < SYS_ARRAY_LEN(splits); i++) {
		struct buf *item = buf_new(LOCAL_ADDR_MAX);

		buf_reset(out);
		cursor = splits[i].in;
		while (local_expand_split(&cursor, item))
			(void)buf_printf(out, "%s%s", buf_len(out) ? "|" : "",
			    buf_str(item));
		is_str(buf_str(out), splits[i].want, splits[i].name);
		buf_free(item);
	}
	buf_free(out);
	return done();
}
