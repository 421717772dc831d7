/* addr_test.c - unit tests of util/addr.c
 *
 * A table of MAIL FROM / RCPT TO arguments with the expected address and
 * parameters, or the expected reason: bracketed and bare forms, the null
 * path, source routes, quoted local parts, address literals, bad dots and
 * domains, control and 8-bit bytes with and without SMTPUTF8, malformed
 * UTF-8, junk around the path. Generated cases check each length limit at
 * and past the limit. Then addr_domain_valid, addr_split and
 * addr_strip_extension tables.
 */
#include "addr.h"
#include "buf.h"
#include "log.h"

#include "tap.h"

struct path_case {
	const char *name;
	const char *in;
	bool	null_ok;
	bool	utf8;
	const char *want;	/* address, or NULL for an error */
	const char *extra;	/* params when ok, reason substring if not */
};

static const struct path_case path_cases[] = {
	{"bracketed", "<user@example.com>", 0, 0, "user@example.com", ""},
	{"bare", "user@example.com", 0, 0, "user@example.com", ""},
	{"bracketed with params", "<user@example.com> SIZE=100 BODY=8BITMIME",
	    0, 0, "user@example.com", "SIZE=100 BODY=8BITMIME"},
	{"bare with params", "user@example.com SIZE=100", 0, 0,
	    "user@example.com", "SIZE=100"},
	{"tab before params", "<a@b.org>\tSIZE=1", 0, 0, "a@b.org", "SIZE=1"},
	{"null path", "<>", 1, 0, "", ""},
	{"null path with params", "<> SIZE=5", 1, 0, "", "SIZE=5"},
	{"null path refused", "<>", 0, 0, NULL, "null address not allowed"},
	{"local name only", "<postmaster>", 0, 0, "postmaster", ""},
	{"case kept", "<A@B.Example.ORG>", 0, 0, "A@B.Example.ORG", ""},
	{"source route", "<@a.example,@b.example:user@c.example>", 0, 0,
	    "user@c.example", ""},
	{"one-hop source route", "<@a.example:user@c.example>", 0, 0,
	    "user@c.example", ""},
	{"bad source route separator", "<@a.example;user@c>", 0, 0, NULL,
	    "bad source route"},
	{"source route without @", "<@a.example,b.example:u@c>", 0, 0, NULL,
	    "bad source route"},
	{"empty source route", "<@:user@c>", 0, 0, NULL,
	    "missing source route"},
	{"route without mailbox", "<@a.example:>", 0, 0, NULL,
	    "empty local part"},
	{"at-domain only", "<@x.org>", 0, 0, NULL, "bad source route"},
	{"quoted local part", "<\"john doe\"@example.com>", 0, 0,
	    "\"john doe\"@example.com", ""},
	{"quoted pair", "<\"a\\\"b\"@x.org>", 0, 0, "\"a\\\"b\"@x.org", ""},
	{"quoted at sign", "<\"a@b\"@x.org>", 0, 0, "\"a@b\"@x.org", ""},
	{"empty quoted", "<\"\"@x.org>", 0, 0, "\"\"@x.org", ""},
	{"bare quoted with space", "\"a b\"@x.org SIZE=1", 0, 0,
	    "\"a b\"@x.org", "SIZE=1"},
	{"unbalanced quotes", "<\"unterminated@x.org>", 0, 0, NULL,
	    "unbalanced quotes"},
	{"quoted pair at end", "<\"a\\", 0, 0, NULL, "unbalanced quotes"},
	{"text after quotes", "<\"a\"b@x.org>", 0, 0, NULL,
	    "unexpected character 'b' in local part"},
	{"missing >", "<user@example.com", 0, 0, NULL,
	    "malformed address: missing >"},
	{"missing > after local", "<user", 0, 0, NULL, "missing >"},
	{"stray >", "user@example.com>", 0, 0, NULL,
	    "unexpected character '>' in domain"},
	{"double brackets", "<<a@b.org>>", 0, 0, NULL,
	    "unexpected character '<' in local part"},
	{"junk after >", "<a@x.org>junk", 0, 0, NULL,
	    "unexpected character after >"},
	{"second >", "<a@b.org>>", 0, 0, NULL, "unexpected character after >"},
	{"double dot", "<a..b@x.org>", 0, 0, NULL, "bad dots in local part"},
	{"leading dot", "<.a@x.org>", 0, 0, NULL, "bad dots in local part"},
	{"trailing dot", "<a.@x.org>", 0, 0, NULL, "bad dots in local part"},
	{"atext specials", "<a_b+tag!#$%&'*/=?^`{|}~-@x.org>", 0, 0,
	    "a_b+tag!#$%&'*/=?^`{|}~-@x.org", ""},
	{"comment", "<a(c)@x.org>", 0, 0, NULL, "unexpected character '('"},
	{"space in local part", "<a b@x.org>", 0, 0, NULL,
	    "unexpected character ' ' in local part"},
	{"space before >", "<a@x.org >", 0, 0, NULL,
	    "unexpected character ' ' in domain"},
	{"IPv4 literal", "<a@[192.0.2.1]>", 0, 0, "a@[192.0.2.1]", ""},
	{"IPv6 literal", "<a@[IPv6:2001:db8::1]>", 0, 0,
	    "a@[IPv6:2001:db8::1]", ""},
	{"bad IPv4 literal", "<a@[300.1.1.1]>", 0, 0, NULL, "bad domain"},
	{"general literal", "<a@[foo:bar]>", 0, 0, NULL, "bad domain"},
	{"unclosed literal", "<a@[1.2.3.4>", 0, 0, NULL, "missing >"},
	{"leading hyphen", "<a@-x.org>", 0, 0, NULL, "bad domain"},
	{"trailing hyphen", "<a@x-.org>", 0, 0, NULL, "bad domain"},
	{"empty label", "<a@x..org>", 0, 0, NULL, "bad domain"},
	{"trailing dot in domain", "<a@x.org.>", 0, 0, NULL, "bad domain"},
	{"underscore in domain", "<a@b_c.org>", 0, 0, NULL,
	    "unexpected character '_' in domain"},
	{"missing domain", "<a@>", 0, 0, NULL, "missing domain"},
	{"bare missing domain", "a@", 0, 0, NULL, "missing domain"},
	{"bare missing local", "@x.org", 0, 0, NULL, "empty local part"},
	{"empty argument", "", 0, 0, NULL, "missing address"},
	{"blank argument", " <a@b>", 0, 0, NULL, "missing address"},
	{"control character", "<a\001b@x.org>", 0, 0, NULL,
	    "control character in local part"},
	{"control in quotes", "<\"a\001\"@x.org>", 0, 0, NULL,
	    "control character in local part"},
	{"control in quoted pair", "<\"a\\\001\"@x.org>", 0, 0, NULL,
	    "control character in local part"},
	{"DEL", "<a\177@x.org>", 0, 0, NULL, "control character"},
	{"CR in domain", "<a@x.org\r>", 0, 0, NULL,
	    "control character in domain"},
	{"8-bit without SMTPUTF8", "<j\303\266rg@x.org>", 0, 0, NULL,
	    "8-bit character in local part without SMTPUTF8"},
	{"8-bit with SMTPUTF8", "<j\303\266rg@x.org>", 0, 1,
	    "j\303\266rg@x.org", ""},
	{"UTF-8 domain without SMTPUTF8", "<a@b\303\274cher.de>", 0, 0, NULL,
	    "8-bit character in domain without SMTPUTF8"},
	{"UTF-8 domain with SMTPUTF8", "<a@b\303\274cher.de>", 0, 1,
	    "a@b\303\274cher.de", ""},
	{"UTF-8 in quotes", "<\"\303\266 x\"@x.org>", 0, 1,
	    "\"\303\266 x\"@x.org", ""},
	{"overlong UTF-8", "<\300\257a@x.org>", 0, 1, NULL,
	    "invalid UTF-8 in local part"},
	{"UTF-8 surrogate", "<\355\240\200@x.org>", 0, 1, NULL,
	    "invalid UTF-8"},
	{"truncated UTF-8", "<a\303>", 0, 1, NULL, "invalid UTF-8"},
	{"latin-1 byte", "<a\351@x.org>", 0, 1, NULL, "invalid UTF-8"},
};

/* repeat - n copies of c into b (reset first) */
static void
repeat(struct buf *b, int c, size_t n)
{
	buf_reset(b);
	while (n-- > 0)
		buf_append_char(b, c);
}

/* label_domain - a domain of exactly len bytes made of 63-byte labels
 * (no trailing dot) */
static void
label_domain(struct buf *b, size_t len)
{
	size_t  i;
	int     c;

	buf_reset(b);
	for (i = 0; i < len; i++) {
		c = i % 64 == 63 ? '.' : 'a' + (int)(i % 26);
		if (i + 1 == len && c == '.')
			c = 'z';
		buf_append_char(b, c);
	}
}

/* test_paths - the table */
static void
test_paths(struct buf *addr, struct buf *why)
{
	const struct path_case *c;
	const char *params;
	size_t  i;
	int     ret, good;

	for (i = 0; i < SYS_ARRAY_LEN(path_cases); i++) {
		c = &path_cases[i];
		buf_reset(why);
		ret = addr_parse_path(c->in, c->null_ok, c->utf8, addr,
		    &params, why);
		if (c->want != NULL)
			good = ret == 0 && strcmp(buf_str(addr), c->want) == 0
			    && strcmp(params, c->extra) == 0;
		else
			good = ret < 0 && strstr(buf_str(why), c->extra)
			    && buf_len(addr) == 0;
		if (!ok(good, "%s", c->name))
			diag("got %d addr \"%s\" params \"%s\" why \"%s\"",
			    ret, buf_str(addr), ret == 0 ? params : "",
			    buf_str(why));
	}
}

/* try - parse a generated path; 0 or -1 */
static int
try(const char *fmt, const char *a, const char *b, struct buf *addr,
    struct buf *why)
{
	struct buf *in = buf_new(0);
	const char *params;
	int     ret;

	buf_printf(in, fmt, a, b);
	ret = addr_parse_path(buf_str(in), false, false, addr, &params, why);
	buf_free(in);
	return ret;
}

/* test_limits - local part, domain, path and label at and past limits */
static void
test_limits(struct buf *addr, struct buf *why)
{
	struct buf *l = buf_new(0), *d = buf_new(0);

	repeat(l, 'x', 64);
	ok(try("<%s@%s>", buf_str(l), "x.org", addr, why) == 0,
	    "local part of 64 bytes");
	repeat(l, 'x', 65);
	ok(try("<%s@%s>", buf_str(l), "x.org", addr, why) < 0
	    && strstr(buf_str(why), "local part longer than 64"),
	    "local part of 65 bytes");
	repeat(l, 'x', 62);
	buf_printf(l, "\"\"");
	ok(try("<%s@%s>", buf_str(l), "x.org", addr, why) < 0,
	    "quotes count toward the local part");
	label_domain(d, 256);
	ok(try("<%s@%s>", "a", buf_str(d), addr, why) < 0
	    && strstr(buf_str(why), "domain longer than 255"),
	    "domain of 256 bytes");
	repeat(l, 'x', 10);
	label_domain(d, 243);
	ok(try("<%s@%s>", buf_str(l), buf_str(d), addr, why) == 0
	    && buf_len(addr) == 254, "path of 256 bytes");
	ok(try("%s@%s", buf_str(l), buf_str(d), addr, why) == 0,
	    "bare path of 256 bytes (brackets counted)");
	repeat(l, 'x', 11);
	ok(try("<%s@%s>", buf_str(l), buf_str(d), addr, why) < 0
	    && strstr(buf_str(why), "address longer than 256"),
	    "path of 257 bytes");
	ok(try("%s@%s", buf_str(l), buf_str(d), addr, why) < 0,
	    "bare path of 257 bytes");
	repeat(l, 'x', 10);
	label_domain(d, 240);
	ok(try("<@a.b:%s@%s>", buf_str(l), buf_str(d), addr, why) < 0,
	    "source route counts toward the path");
	repeat(l, 'y', 63);
	ok(addr_domain_valid(buf_str(l), false), "label of 63 bytes");
	repeat(l, 'y', 64);
	ok(!addr_domain_valid(buf_str(l), false), "label of 64 bytes");
	label_domain(d, 255);
	ok(addr_domain_valid(buf_str(d), false) && buf_len(d) == 255,
	    "domain of 255 bytes valid");
	label_domain(d, 256);
	ok(!addr_domain_valid(buf_str(d), false),
	    "domain of 256 bytes invalid");
	buf_free(l);
	buf_free(d);
}

struct domain_case {
	const char *domain;
	bool	utf8;
	bool	want;
};

static const struct domain_case domain_cases[] = {
	{"example.com", 0, 1},
	{"a", 0, 1},
	{"x-1.example", 0, 1},
	{"", 0, 0},
	{"ex ample.com", 0, 0},
	{"-x.com", 0, 0},
	{"x.com.", 0, 0},
	{".x.com", 0, 0},
	{"[192.0.2.1]", 0, 1},
	{"[IPv6:::1]", 0, 1},
	{"[ipv6:2001:db8::1]", 0, 1},
	{"[192.0.2]", 0, 0},
	{"[::1]", 0, 0},
	{"[192.0.2.1", 0, 0},
	{"b\303\274cher.de", 1, 1},
	{"b\303\274cher.de", 0, 0},
	{"b\374cher.de", 1, 0},
};

struct split_case {
	const char *addr;
	const char *local;
	const char *domain;
};

static const struct split_case split_cases[] = {
	{"User@Example.COM", "User", "example.com"},
	{"postmaster", "postmaster", ""},
	{"\"a@b\"@X.org", "\"a@b\"", "x.org"},
	{"\"a\\\"@b\"@X.org", "\"a\\\"@b\"", "x.org"},
	{"a@b@C", "a@b", "c"},
	{"", "", ""},
};

struct strip_case {
	const char *local;
	const char *delims;
	const char *want;
	const char *tag;
};

static const struct strip_case strip_cases[] = {
	{"user+tag", "+", "user", "tag"},
	{"user-foo+bar", "+-", "user", "foo+bar"},
	{"user+foo-bar", "-", "user+foo", "bar"},
	{"+tag", "+", "+tag", ""},
	{"user", "+", "user", ""},
	{"user+", "+", "user", ""},
	{"\"a+b\"", "+", "\"a+b\"", ""},
	{"user+tag", "", "user+tag", ""},
};

/* test_helpers - addr_domain_valid, addr_split, addr_strip_extension */
static void
test_helpers(void)
{
	struct buf *l = buf_new(0), *d = buf_new(0);
	size_t  i;

	for (i = 0; i < SYS_ARRAY_LEN(domain_cases); i++)
		ok(addr_domain_valid(domain_cases[i].domain,
		    domain_cases[i].utf8) == domain_cases[i].want,
		    "domain \"%s\"%s %s", domain_cases[i].domain,
		    domain_cases[i].utf8 ? " (smtputf8)" : "",
		    domain_cases[i].want ? "valid" : "invalid");
	for (i = 0; i < SYS_ARRAY_LEN(split_cases); i++) {
		addr_split(split_cases[i].addr, l, d);
		ok(strcmp(buf_str(l), split_cases[i].local) == 0
		    && strcmp(buf_str(d), split_cases[i].domain) == 0,
		    "split \"%s\"", split_cases[i].addr);
	}
	for (i = 0; i < SYS_ARRAY_LEN(strip_cases); i++) {
		buf_set(l, strip_cases[i].local);
		buf_set(d, "junk");
		addr_strip_extension(l, strip_cases[i].delims, d);
		ok(strcmp(buf_str(l), strip_cases[i].want) == 0
		    && strcmp(buf_str(d), strip_cases[i].tag) == 0,
		    "strip \"%s\" at \"%s\"", strip_cases[i].local,
		    strip_cases[i].delims);
	}
	buf_set(l, "user+tag");
	addr_strip_extension(l, "+", NULL);
	is_str(buf_str(l), "user", "strip without a tag buffer");
	buf_free(l);
	buf_free(d);
}

int
main(void)
{
	struct buf *addr = buf_new(0), *why = buf_new(0);

	log_init("addr_test");
	plan((int)(SYS_ARRAY_LEN(path_cases) + SYS_ARRAY_LEN(domain_cases)
	    + SYS_ARRAY_LEN(split_cases) + SYS_ARRAY_LEN(strip_cases)) + 13
	    + 1);
	test_paths(addr, why);
	test_limits(addr, why);
	test_helpers();
	buf_free(addr);
	buf_free(why);
	return done();
}
