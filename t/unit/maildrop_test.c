/* maildrop_test.c - unit tests of the maildrop record checker
 *
 * Table-driven: each case is a list of records (type, payload) fed to
 * maildrop_check_record in order, and whether the stream must be accepted
 * complete or where it must be refused.
 */
#include "maildrop.h"
#include "buf.h"
#include "tap.h"

#define SIZE0 "              0               0               0        0"

struct rec_case {
	int	type;
	const char *data;
};

struct check_case {
	const char *name;
	struct rec_case recs[8];
	int	fail_at;	/* index of the refused record, -1 none */
	bool	complete;
};

#define HEAD {REC_VERSION, REC_VERSION_TEXT}, {REC_SIZE, SIZE0}, \
	{REC_TIME, "1700000000.000001"}

static const struct check_case cases[] = {
	{"valid", {HEAD, {REC_SENDER, "a@b.example"}, {REC_ATTR, "uid=5"},
	    {REC_RCPT, "c@d.example"}, {REC_MESSAGE, ""}, {REC_END, ""}},
	    -1, true},
	{"null sender", {HEAD, {REC_SENDER, ""}, {REC_ATTR, "uid=0"},
	    {REC_RCPT, "c"}, {REC_MESSAGE, ""}, {REC_END, ""}}, -1, true},
	{"no version", {{REC_SIZE, SIZE0}}, 0, false},
	{"bad size", {{REC_VERSION, REC_VERSION_TEXT}, {REC_SIZE, "1"}}, 1,
	    false},
	{"bad sender", {HEAD, {REC_SENDER, "a b@c"}}, 3, false},
	{"unknown attr", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "x=1"}}, 4,
	    false},
	{"bad uid", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "uid=-1"}}, 4,
	    false},
	{"bad rcpt", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "uid=1"},
	    {REC_RCPT, "<x"}}, 5, false},
	{"no rcpt", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "uid=1"},
	    {REC_MESSAGE, ""}}, 5, false},
	{"no uid", {HEAD, {REC_SENDER, "a@b"}, {REC_RCPT, "c@d"},
	    {REC_MESSAGE, ""}}, 5, false},
	{"orcpt refused", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "uid=1"},
	    {REC_ORCPT, "rfc822;c@d"}}, 5, false},
	{"truncated", {HEAD, {REC_SENDER, "a@b"}, {REC_ATTR, "uid=1"},
	    {REC_RCPT, "c@d"}, {REC_MESSAGE, ""}}, -1, false},
};

/* run - feed one case; the index of the refused record or -1 */
static int
run(const struct check_case *c, bool *complete, long long limit)
{
	struct maildrop_check chk;
	struct buf *why = buf_new(0);
	int     i, at = -1;

	maildrop_check_init(&chk, limit);
	for (i = 0; i < 8 && c->recs[i].type != 0; i++) {
		if (maildrop_check_record(&chk, c->recs[i].type,
		    c->recs[i].data, strlen(c->recs[i].data), why) < 0) {
			at = i;
			break;
		}
	}
	*complete = maildrop_check_complete(&chk, why) == 0;
	maildrop_check_done(&chk);
	buf_free(why);
	return at;
}

int
main(void)
{
	struct maildrop_check chk;
	struct buf *why = buf_new(0);
	bool    complete;
	size_t  i;
	int     at;

	plan((int)SYS_ARRAY_LEN(cases) * 2 + 3);
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++) {
		at = run(cases + i, &complete, 0);
		is_int(at, cases[i].fail_at, cases[i].name);
		ok(complete == cases[i].complete, "%s: complete %d",
		    cases[i].name, cases[i].complete);
	}
	/* the size limit: at the limit and one past it */
	maildrop_check_init(&chk, 10);
	run(cases, &complete, 10);
	chk.state = MAILDROP_S_DATA;
	ok(maildrop_check_record(&chk, REC_DATA, "0123456789", 10, why) == 0,
	    "content at the size limit");
	ok(maildrop_check_record(&chk, REC_DATA, "x", 1, why) < 0,
	    "content past the size limit");
	chk.state = MAILDROP_S_DONE;
	ok(maildrop_check_record(&chk, REC_DATA, "x", 1, why) < 0,
	    "nothing after END");
	maildrop_check_done(&chk);
	buf_free(why);
	return done();
}
