/* netmatch_test.c - unit tests of util/netmatch.c
 *
 * A table of (list, client address, expected match) covering IPv4 and IPv6
 * networks at and past their boundaries, the bracketed forms, single hosts,
 * and IPv4-mapped IPv6 clients; a table of bad lists with the expected
 * reason; and matching through struct sockaddr.
 */
#include "buf.h"
#include "log.h"
#include "netmatch.h"

#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>

struct match_case {
	const char *list;
	const char *addr;
	bool	want;
};

static const struct match_case match_cases[] = {
	{"127.0.0.0/8", "127.0.0.1", true},
	{"127.0.0.0/8", "127.255.255.255", true},
	{"127.0.0.0/8", "128.0.0.0", false},
	{"127.0.0.0/8", "126.255.255.255", false},
	{"192.168.1.5", "192.168.1.5", true},
	{"192.168.1.5", "192.168.1.6", false},
	{"192.168.1.5/32", "192.168.1.5", true},
	{"10.0.0.0/9", "10.127.255.255", true},
	{"10.0.0.0/9", "10.128.0.0", false},
	{"0.0.0.0/0", "203.0.113.9", true},
	{"0.0.0.0/0", "::1", false},
	{"::1", "::1", true},
	{"::1/128", "::1", true},
	{"[::1]/128", "::1", true},
	{"[::1]", "::1", true},
	{"[::1]/128", "::2", false},
	{"[2001:db8::]/32", "2001:db8:ffff::1", true},
	{"[2001:db8::]/32", "2001:db9::1", false},
	{"fe80::/10", "febf::1", true},
	{"fe80::/10", "fec0::1", false},
	{"127.0.0.0/8", "::ffff:127.0.0.1", true},
	{"127.0.0.0/8", "::ffff:128.0.0.1", false},
	{"127.0.0.0/8", "::127.0.0.1", false},
	{"::ffff:0:0/96", "::ffff:10.1.2.3", true},
	{"127.0.0.0/8 [::1]/128", "[::1]", true},
	{"127.0.0.0/8, [::1]/128", "127.1.2.3", true},
	{"127.0.0.0/8,,  192.0.2.0/24", "192.0.2.200", true},
	{"", "127.0.0.1", false},
	{"127.0.0.0/8", "localhost", false},
	{"127.0.0.0/8", "127.0.0.1%lo", false},
	{"127.0.0.0/8", "", false},
};

struct bad_case {
	const char *list;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	{"localhost", "bad network address \"localhost\": not a numeric"},
	{"127.0.0.1/33", "bad prefix length (0..32)"},
	{"::1/129", "bad prefix length (0..128)"},
	{"127.0.0.0/", "bad prefix length"},
	{"127.0.0.0/-8", "bad prefix length"},
	{"127.0.0.0/+8", "bad prefix length"},
	{"127.0.0.0/8x", "bad prefix length"},
	{"[::1", "missing ']'"},
	{"[::1]x", "missing ']'"},
	{"127.0.0.1/8", "non-null host address bits in \"127.0.0.1/8\", "
	    "perhaps you should use \"127.0.0.0/8\" instead"},
	{"[2001:db8::1]/32", "perhaps you should use \"[2001:db8::]/32\""},
	{"127.1", "not a numeric"},
	{"127.0.0.0/8 !10.0.0.0/8", "\"!10.0.0.0/8\""},
	{"hash:/etc/postern/network_table", "not a numeric"},
	{"1234567890123456789012345678901234567890123456789012345678901234"
	    "5678901234567890123456789012345678901", "longer than 100 bytes"},
};

/* test_sockaddr - matching struct sockaddr_in and sockaddr_in6 */
static void
test_sockaddr(struct buf *why)
{
	struct netmatch *m = netmatch_parse("127.0.0.0/8 [2001:db8::]/32",
	    why);
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr sa;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.9", &sin.sin_addr);
	ok(netmatch_match(m, (struct sockaddr *)&sin), "sockaddr_in matches");
	inet_pton(AF_INET, "10.0.0.9", &sin.sin_addr);
	ok(!netmatch_match(m, (struct sockaddr *)&sin),
	    "sockaddr_in outside");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::25", &sin6.sin6_addr);
	ok(netmatch_match(m, (struct sockaddr *)&sin6),
	    "sockaddr_in6 matches");
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &sin6.sin6_addr);
	ok(netmatch_match(m, (struct sockaddr *)&sin6),
	    "mapped sockaddr_in6 matches an IPv4 network");
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	ok(!netmatch_match(m, &sa), "other families never match");
	ok(!netmatch_match(NULL, &sa) && netmatch_free(NULL) == NULL,
	    "NULL list");
	netmatch_free(m);
}

int
main(void)
{
	struct buf *why = buf_new(0);
	struct netmatch *m;
	size_t  i;

	log_init("netmatch_test");
	plan((int)(SYS_ARRAY_LEN(match_cases) + SYS_ARRAY_LEN(bad_cases))
	    + 6);
	for (i = 0; i < SYS_ARRAY_LEN(match_cases); i++) {
		m = netmatch_parse(match_cases[i].list, why);
		if (m == NULL)
			diag("parse: %s", buf_str(why));
		ok(m != NULL && netmatch_match_text(m, match_cases[i].addr)
		    == match_cases[i].want, "\"%s\" %s \"%s\"",
		    match_cases[i].list, match_cases[i].want ? "matches" :
		    "does not match", match_cases[i].addr);
		netmatch_free(m);
	}
	for (i = 0; i < SYS_ARRAY_LEN(bad_cases); i++) {
		buf_reset(why);
		m = netmatch_parse(bad_cases[i].list, why);
		if (!ok(m == NULL && strstr(buf_str(why), bad_cases[i].why),
		    "bad list \"%s\"", bad_cases[i].list))
			diag("why: %s", buf_str(why));
		netmatch_free(m);
	}
	test_sockaddr(why);
	buf_free(why);
	return done();
}
