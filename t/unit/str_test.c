/* str_test.c - unit tests of util/str.c
 *
 * Table-driven cases for the strict number parsers (parse_uint, parse_time,
 * parse_bool: signs, junk, overflow, range, units), str_copy truncation,
 * ASCII case folding, trimming and str_split list tokenising.
 */
#include "str.h"
#include "tap.h"

struct uint_case {
	const char *in;
	unsigned long long min, max;
	int	want_ret;
	unsigned long long want;
};

static const struct uint_case uint_cases[] = {
	{"0", 0, 10, 0, 0},
	{"10", 0, 10, 0, 10},
	{"007", 0, 10, 0, 7},
	{"11", 0, 10, -1, 0},
	{"4", 5, 10, -1, 0},
	{"", 0, 10, -1, 0},
	{"-1", 0, 10, -1, 0},
	{"+1", 0, 10, -1, 0},
	{" 1", 0, 10, -1, 0},
	{"1 ", 0, 10, -1, 0},
	{"1x", 0, 10, -1, 0},
	{"0x10", 0, 100, -1, 0},
	{"18446744073709551615", 0, ULLONG_MAX, 0, ULLONG_MAX},
	{"18446744073709551616", 0, ULLONG_MAX, -1, 0},
	{"99999999999999999999999", 0, ULLONG_MAX, -1, 0},
};

struct time_case {
	const char *in;
	int	want_ret;
	long long want;
};

static const struct time_case time_cases[] = {
	{"30", 0, 30},
	{"30s", 0, 30},
	{"5m", 0, 300},
	{"2h", 0, 7200},
	{"1d", 0, 86400},
	{"1w", 0, 604800},
	{"0", 0, 0},
	{"", -1, 0},
	{"s", -1, 0},
	{"5x", -1, 0},
	{"5mm", -1, 0},
	{"5M", -1, 0},
	{"-5", -1, 0},
	{"5 s", -1, 0},
	{"9223372036854775807", 0, LLONG_MAX},
	{"9223372036854775808", -1, 0},
	{"9223372036854775807w", -1, 0},
	{"15250284452471w", 0, 15250284452471LL * 604800},
	{"15250284452472w", -1, 0},
};

struct bool_case {
	const char *in;
	int	want_ret;
	bool	want;
};

static const struct bool_case bool_cases[] = {
	{"yes", 0, true}, {"YES", 0, true}, {"true", 0, true}, {"1", 0, true},
	{"no", 0, false}, {"No", 0, false}, {"false", 0, false},
	{"0", 0, false}, {"", -1, false}, {"yess", -1, false},
	{"y", -1, false}, {" yes", -1, false},
};

struct copy_case {
	const char *src;
	size_t	size;
	int	want_ret;
	const char *want;
};

static const struct copy_case copy_cases[] = {
	{"abc", 4, 0, "abc"},
	{"abcd", 4, -1, ""},
	{"", 1, 0, ""},
	{"a", 1, -1, ""},
};

struct split_case {
	const char *name;
	const char *in;
	const char *want;	/* tokens joined with '|' */
};

static const struct split_case split_cases[] = {
	{"commas", "a, b,c", "a|b|c"},
	{"mixed separators", "  a  ,, b\n\tc  ", "a|b|c"},
	{"empty", "", ""},
	{"only separators", " , ,", ""},
	{"single", "single", "single"},
	{"map names", "hash:/etc/aliases, texthash:/x",
	    "hash:/etc/aliases|texthash:/x"},
};

struct trim_case {
	const char *in;
	const char *want;
};

static const struct trim_case trim_cases[] = {
	{"  a b  ", "a b"}, {"", ""}, {" \t\r\n", ""}, {"x", "x"},
};

int
main(void)
{
	unsigned long long u;
	long long t;
	bool    b;
	char    dst[16], tmp[128], joined[128], *cursor, *tok;
	size_t  i;
	int     ret;

	plan((int)(SYS_ARRAY_LEN(uint_cases) + SYS_ARRAY_LEN(time_cases)
	    + SYS_ARRAY_LEN(bool_cases) + SYS_ARRAY_LEN(copy_cases)
	    + SYS_ARRAY_LEN(split_cases) + SYS_ARRAY_LEN(trim_cases) + 6));

	for (i = 0; i < SYS_ARRAY_LEN(uint_cases); i++) {
		const struct uint_case *c = &uint_cases[i];

		u = 0;
		ret = parse_uint(c->in, c->min, c->max, &u);
		if (!ok(ret == c->want_ret && (ret < 0 || u == c->want),
		    "parse_uint \"%s\" [%llu, %llu]", c->in, c->min, c->max))
			diag("ret %d value %llu", ret, u);
	}
	for (i = 0; i < SYS_ARRAY_LEN(time_cases); i++) {
		const struct time_case *c = &time_cases[i];

		t = 0;
		ret = parse_time(c->in, &t);
		if (!ok(ret == c->want_ret && (ret < 0 || t == c->want),
		    "parse_time \"%s\"", c->in))
			diag("ret %d value %lld", ret, t);
	}
	for (i = 0; i < SYS_ARRAY_LEN(bool_cases); i++) {
		const struct bool_case *c = &bool_cases[i];

		b = !c->want;
		ret = parse_bool(c->in, &b);
		ok(ret == c->want_ret && (ret < 0 || b == c->want),
		    "parse_bool \"%s\"", c->in);
	}
	for (i = 0; i < SYS_ARRAY_LEN(copy_cases); i++) {
		const struct copy_case *c = &copy_cases[i];

		memset(dst, 'x', sizeof(dst));
		ret = str_copy(dst, c->size, c->src);
		ok(ret == c->want_ret && strcmp(dst, c->want) == 0,
		    "str_copy \"%s\" into %zu bytes", c->src, c->size);
	}
	for (i = 0; i < SYS_ARRAY_LEN(split_cases); i++) {
		const struct split_case *c = &split_cases[i];

		(void)str_copy(tmp, sizeof(tmp), c->in);
		joined[0] = '\0';
		cursor = tmp;
		while ((tok = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
			if (joined[0])
				(void)strncat(joined, "|",
				    sizeof(joined) - strlen(joined) - 1);
			(void)strncat(joined, tok,
			    sizeof(joined) - strlen(joined) - 1);
		}
		ok(strcmp(joined, c->want) == 0, "str_split %s", c->name);
	}
	for (i = 0; i < SYS_ARRAY_LEN(trim_cases); i++) {
		(void)str_copy(tmp, sizeof(tmp), trim_cases[i].in);
		is_str(str_trim(tmp), trim_cases[i].want, "str_trim");
	}
	ok(str_casecmp("MyHost.Example", "myhost.example") == 0,
	    "str_casecmp equal ignoring case");
	ok(str_casecmp("a", "b") < 0 && str_casecmp("b", "A") > 0,
	    "str_casecmp orders");
	ok(str_ncasecmp("MAIL FROM:<x>", "mail from:", 10) == 0,
	    "str_ncasecmp prefix");
	ok(str_has_prefix_case("STARTTLS", "start")
	    && !str_has_prefix_case("STA", "start"), "str_has_prefix_case");
	(void)str_copy(tmp, sizeof(tmp), "MiXeD\xC3\x84");
	is_str(str_lower(tmp), "mixed\xC3\x84", "str_lower is ASCII only");
	cursor = NULL;
	ok(str_split(&cursor, STR_LIST_SEPS) == NULL, "str_split NULL cursor");
	return done();
}
