/* buf_test.c - unit tests of util/buf.c
 *
 * Table-driven: each case starts from a buffer with a given max, applies a
 * list of operations, and checks the resulting length, contents and the
 * result of the last operation. Also checks that a failed append leaves the
 * buffer unchanged and that data from inside the buffer can be appended.
 */
#include "buf.h"
#include "tap.h"

enum op_kind { OP_END, OP_APPEND, OP_PRINTF, OP_CHAR, OP_SET, OP_RESET,
	OP_TRUNC, OP_CONSUME };

struct op {
	enum op_kind kind;
	const char *s;
	size_t	n;
};

struct buf_case {
	const char *name;
	size_t	max;
	struct op ops[6];
	int	want_ret;	/* result of the last append-type op */
	const char *want;
	size_t	want_len;
};

static const struct buf_case cases[] = {
	{"empty", 0, {{OP_END, NULL, 0}}, 0, "", 0},
	{"append two", 0, {{OP_APPEND, "abc", 3}, {OP_APPEND, "def", 3}},
	    0, "abcdef", 6},
	{"append exactly max", 4, {{OP_APPEND, "abcd", 4}}, 0, "abcd", 4},
	{"append past max fails unchanged", 4, {{OP_APPEND, "abc", 3},
	    {OP_APPEND, "de", 2}}, -1, "abc", 3},
	{"char at max fails", 2, {{OP_CHAR, "a", 0}, {OP_CHAR, "b", 0},
	    {OP_CHAR, "c", 0}}, -1, "ab", 2},
	{"binary with NUL", 0, {{OP_APPEND, "a\0b", 3}}, 0, "a\0b", 3},
	{"printf grows", 0, {{OP_PRINTF, "%0300d", 7}}, 0, NULL, 300},
	{"printf past max fails unchanged", 10, {{OP_APPEND, "xy", 2},
	    {OP_PRINTF, "%020d", 1}}, -1, "xy", 2},
	{"printf appends", 0, {{OP_SET, "n=", 0}, {OP_PRINTF, "%d", 42}},
	    0, "n=42", 4},
	{"set replaces", 0, {{OP_APPEND, "old", 3}, {OP_SET, "new", 0}},
	    0, "new", 3},
	{"set past max fails", 2, {{OP_APPEND, "a", 1}, {OP_SET, "abc", 0}},
	    -1, "a", 1},
	{"reset", 0, {{OP_APPEND, "abc", 3}, {OP_RESET, NULL, 0}}, 0, "", 0},
	{"truncate", 0, {{OP_APPEND, "abcdef", 6}, {OP_TRUNC, NULL, 2}},
	    0, "ab", 2},
	{"consume", 0, {{OP_APPEND, "abcdef", 6}, {OP_CONSUME, NULL, 4}},
	    0, "ef", 2},
	{"consume all", 0, {{OP_APPEND, "abc", 3}, {OP_CONSUME, NULL, 3}},
	    0, "", 0},
	{"many appends grow", 0, {{OP_APPEND, "0123456789", 1000}}, 0, NULL,
	    10000},
};

/* run_ops - apply a case's operations; returns the last result */
static int
run_ops(struct buf *b, const struct op *ops, size_t nops)
{
	int     ret = 0;
	size_t  i, k;

	for (i = 0; i < nops && ops[i].kind != OP_END; i++) {
		switch (ops[i].kind) {
		case OP_APPEND:
			if (ops[i].n > 100) {
				for (k = 0; k < ops[i].n; k++)
					ret = buf_append_str(b, ops[i].s);
			} else {
				ret = buf_append(b, ops[i].s, ops[i].n);
			}
			break;
		case OP_PRINTF:
			ret = buf_printf(b, ops[i].s, (int)ops[i].n);
			break;
		case OP_CHAR:
			ret = buf_append_char(b, ops[i].s[0]);
			break;
		case OP_SET:
			ret = buf_set(b, ops[i].s);
			break;
		case OP_RESET:
			buf_reset(b);
			break;
		case OP_TRUNC:
			buf_truncate(b, ops[i].n);
			break;
		case OP_CONSUME:
			buf_consume(b, ops[i].n);
			break;
		case OP_END:
			break;
		}
	}
	return ret;
}

int
main(void)
{
	struct buf *b;
	size_t  i;
	int     ret, good;

	plan((int)SYS_ARRAY_LEN(cases) + 6);
	for (i = 0; i < SYS_ARRAY_LEN(cases); i++) {
		const struct buf_case *c = &cases[i];

		b = buf_new(c->max);
		ret = run_ops(b, c->ops, SYS_ARRAY_LEN(c->ops));
		good = ret == c->want_ret && buf_len(b) == c->want_len
		    && buf_str(b)[buf_len(b)] == '\0'
		    && (c->want == NULL
		    || memcmp(buf_str(b), c->want, c->want_len) == 0);
		if (!ok(good, "%s", c->name))
			diag("ret %d len %zu \"%s\"", ret, buf_len(b),
			    buf_str(b));
		buf_free(b);
	}

	/* appending the buffer's own data while it grows */
	b = buf_new(0);
	(void)buf_append_str(b, "0123456789abcdefghijklmnopqrstuvwxyz");
	for (i = 0; i < 5; i++)
		(void)buf_append(b, buf_str(b), buf_len(b));
	ok(buf_len(b) == 36 * 32 && memcmp(buf_str(b) + 36 * 31,
	    "0123456789abcdefghijklmnopqrstuvwxyz", 36) == 0,
	    "append from inside the buffer");
	buf_free(b);

	is_int(buf_free(NULL) == NULL, 1, "buf_free(NULL) returns NULL");

	b = buf_new(3);
	(void)buf_append_str(b, "ab");
	ok(buf_printf(b, "%s", "cd") < 0 && strcmp(buf_str(b), "ab") == 0,
	    "failed printf keeps the terminator");
	buf_free(b);

	b = buf_new(0);
	(void)buf_append_str(b, "old reason");
	buf_why(b, "open %s: %d", "x", 2);
	is_str(buf_str(b), "open x: 2", "buf_why replaces the reason");
	buf_why(NULL, "ignored %d", 1);
	ok(1, "buf_why(NULL) does nothing");
	buf_free(b);
	b = buf_new(8);
	buf_why(b, "%s", "a reason longer than eight");
	ok(buf_len(b) <= 8 && buf_str(b)[buf_len(b)] == '\0',
	    "buf_why at the maximum stays within it");
	buf_free(b);
	return done();
}
