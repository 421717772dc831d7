/* postern_conf_test.c - unit tests of the main.cf edits of postern conf
 *
 * Links every postern/ object but postern.o. Table-driven: each case is a
 * main.cf text, a list of edits (value NULL: -X) and the exact text
 * postern_conf_apply must produce, comments, blank lines, continuation
 * lines and a missing final newline included; then the checks of names
 * and values (postern_conf_edit_ok) and the output limit.
 */
#include "buf.h"
#include "cf.h"
#include "../../postern/postern.h"
#include "tap.h"

#define MAX_EDITS 3

struct apply_case {
	const char *name;
	const char *in;
	struct postern_conf_edit edits[MAX_EDITS];
	size_t	nedits;
	const char *want;
};

static const struct apply_case apply_cases[] = {
	{ "replace keeps comments and order",
	    "# head\n\na = 1\n# about b\nb = 2\nc = 3\n",
	    { { "b", "20" } }, 1,
	    "# head\n\na = 1\n# about b\nb = 20\nc = 3\n" },
	{ "append a new name at the end",
	    "a = 1\n# tail\n",
	    { { "z", "26" } }, 1,
	    "a = 1\n# tail\nz = 26\n" },
	{ "append after a last line without newline",
	    "a = 1",
	    { { "b", "2" } }, 1,
	    "a = 1\nb = 2\n" },
	{ "replace drops continuation lines",
	    "a = one,\n    two,\n\tthree\nb = 2\n",
	    { { "a", "x" } }, 1,
	    "a = x\nb = 2\n" },
	{ "comments inside a continued entry stay",
	    "a = one,\n# note\n    two\nb = 2\n",
	    { { "a", "x" } }, 1,
	    "a = x\n# note\nb = 2\n" },
	{ "other entries' continuations stay",
	    "a = one,\n    two\nb = 2\n  more\n",
	    { { "b", "3" } }, 1,
	    "a = one,\n    two\nb = 3\n" },
	{ "later duplicates are removed",
	    "a = 1\nb = 2\na = 3\n  cont\nc = 4\n",
	    { { "a", "9" } }, 1,
	    "a = 9\nb = 2\nc = 4\n" },
	{ "remove all entries of a name",
	    "a = 1\nb = 2\n  cont\n# keep\na = 3\n",
	    { { "a", NULL } }, 1,
	    "b = 2\n  cont\n# keep\n" },
	{ "remove with continuation",
	    "a = 1\nb = 2\n  cont\nc = 3\n",
	    { { "b", NULL } }, 1,
	    "a = 1\nc = 3\n" },
	{ "remove an absent name changes nothing",
	    "# c\na = 1\n",
	    { { "zz", NULL } }, 1,
	    "# c\na = 1\n" },
	{ "name without spaces around =",
	    "a=1\nab = 2\n",
	    { { "a", "5" } }, 1,
	    "a = 5\nab = 2\n" },
	{ "a prefix is not the name",
	    "ab = 2\n",
	    { { "a", "5" } }, 1,
	    "ab = 2\na = 5\n" },
	{ "empty value",
	    "a = 1\n",
	    { { "a", "" } }, 1,
	    "a =\n" },
	{ "several edits, last of a name wins",
	    "a = 1\nb = 2\n",
	    { { "a", "x" }, { "c", "3" }, { "a", "y" } }, 3,
	    "a = y\nb = 2\nc = 3\n" },
	{ "set and remove in one go: the later wins",
	    "a = 1\n",
	    { { "a", "2" }, { "a", NULL } }, 2,
	    "" },
	{ "empty file",
	    "",
	    { { "a", "1" } }, 1,
	    "a = 1\n" },
	{ "indented text at the top is kept",
	    "  stray\na = 1\n",
	    { { "a", "2" } }, 1,
	    "  stray\na = 2\n" },
	{ "CRLF lines of others are kept",
	    "a = 1\r\nb = 2\r\n",
	    { { "b", "3" } }, 1,
	    "a = 1\r\nb = 3\n" },
	{ "commented-out entry is not an entry",
	    "#a = 1\n",
	    { { "a", "2" } }, 1,
	    "#a = 1\na = 2\n" },
};

struct ok_case {
	const char *name;
	const char *param;
	const char *value;
	bool	want;
};

static const struct ok_case ok_cases[] = {
	{ "plain", "message_size_limit", "100", true },
	{ "removal", "message_size_limit", NULL, true },
	{ "empty value", "relayhost", "", true },
	{ "empty name", "", "1", false },
	{ "space in name", "a b", "1", false },
	{ "equals in name", "a=b", "1", false },
	{ "newline in value", "a", "1\nb = 2", false },
	{ "CR in value", "a", "1\r", false },
	{ "dollar in value", "a", "$myhostname", true },
};

/* test_apply - every apply case */
static void
test_apply(void)
{
	struct buf *out = buf_new(0);
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(apply_cases); i++) {
		const struct apply_case *c = &apply_cases[i];

		if (postern_conf_apply(c->in, strlen(c->in), c->edits,
		    c->nedits, out) < 0) {
			ok(0, "%s", c->name);
			continue;
		}
		is_str(buf_str(out), c->want, c->name);
	}
	buf_free(out);
}

/* test_ok - names and values */
static void
test_ok(void)
{
	struct buf *why = buf_new(0);
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		bool    got = postern_conf_edit_ok(c->param, c->value, why);

		ok(got == c->want, "edit_ok: %s", c->name);
		if (!got)
			ok(buf_len(why) > 0, "edit_ok: %s: says why", c->name);
	}
	buf_free(why);
}

/* test_limit - the output may not grow past its buffer's maximum */
static void
test_limit(void)
{
	struct postern_conf_edit e = { "name", "a-long-enough-value" };
	struct buf *out = buf_new(16);

	is_int(postern_conf_apply("a = 1\n", 6, &e, 1, out), -1,
	    "output past the maximum: -1");
	buf_free(out);
	out = buf_new(64);
	is_int(postern_conf_apply("a = 1\n", 6, &e, 1, out), 0,
	    "output within the maximum: 0");
	buf_free(out);
}

int
main(void)
{
	size_t  nfalse = 0, i;

	for (i = 0; i < SYS_ARRAY_LEN(ok_cases); i++)
		nfalse += !ok_cases[i].want;
	plan((int)(SYS_ARRAY_LEN(apply_cases) + SYS_ARRAY_LEN(ok_cases)
	    + nfalse + 2));
	test_apply();
	test_ok();
	test_limit();
	return done();
}
