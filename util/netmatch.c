/* netmatch.c - CIDR lists (mynetworks) and matching client addresses
 *
 * netmatch_parse turns a comma/space separated list of IPv4 and IPv6
 * addresses and networks into an array of (family, address, prefix)
 * entries: "127.0.0.0/8", "192.168.1.5" (a /32), "::1", "::1/128",
 * "[::1]/128", "[fe80::]/10". As in Postfix, a network with host bits set
 * is an error naming the network to use instead. Input comes from main.cf:
 * each entry is at most NETMATCH_MAX_ENTRY bytes and a list at most
 * NETMATCH_MAX_ENTRIES entries. Prefixes are strict decimal.
 *
 * netmatch_match compares a client address against every entry (a linear
 * scan: lists are short). An IPv4-mapped IPv6 client (::ffff:a.b.c.d, as
 * an IPv6 listener reports IPv4 clients) matches IPv4 entries, and IPv6
 * entries as the IPv6 address it is.
 */
#include "netmatch.h"
#include "buf.h"
#include "mem.h"
#include "str.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#define NETMATCH_MAX_ENTRY	100
#define NETMATCH_MAX_ENTRIES	10000

struct netmatch_entry {
	int	family;			/* AF_INET or AF_INET6 */
	unsigned char addr[16];		/* network byte order */
	unsigned bits;			/* prefix length */
};

struct netmatch {
	size_t	n, cap;
	struct netmatch_entry *e;
};

/* netmatch_addr - parse a numeric address; family, or 0 */
static int
netmatch_addr(const char *text, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return AF_INET6;
	return 0;
}

/* netmatch_prefix_eq - whether the first bits of a and b agree */
static bool
netmatch_prefix_eq(const unsigned char *a, const unsigned char *b,
    unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

/* netmatch_host_zero - whether the bits past the prefix are all zero */
static bool
netmatch_host_zero(const struct netmatch_entry *e)
{
	unsigned i, total = e->family == AF_INET ? 32 : 128;

	for (i = e->bits; i < total; i++) {
		if (e->addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	}
	return true;
}

/* netmatch_format - the network part of e as "addr/bits" into out */
static void
netmatch_format(const struct netmatch_entry *e, bool bracket, char *out,
    size_t size)
{
	unsigned char net[16];
	char    text[INET6_ADDRSTRLEN];
	unsigned i;

	memset(net, 0, sizeof(net));
	for (i = 0; i < e->bits; i++)
		net[i / 8] |= (unsigned char)(e->addr[i / 8]
		    & (0x80 >> (i % 8)));
	if (inet_ntop(e->family, net, text, sizeof(text)) == NULL)
		text[0] = '\0';
	(void)snprintf(out, size, "%s%s%s/%u", bracket ? "[" : "", text,
	    bracket ? "]" : "", e->bits);
}

/* netmatch_entry_parse - one list entry into e; 0 or -1 with why */
static int
netmatch_entry_parse(const char *tok, struct netmatch_entry *e,
    struct buf *why)
{
	char    copy[NETMATCH_MAX_ENTRY + 1], fixed[NETMATCH_MAX_ENTRY + 8];
	char   *host = copy, *slash, *rb;
	unsigned long long bits;
	bool    bracket = false;

	if (str_copy(copy, sizeof(copy), tok) < 0) {
		buf_why(why, "network address longer than %d bytes",
		    NETMATCH_MAX_ENTRY);
		return -1;
	}
	if (*host == '[') {
		bracket = true;
		rb = strchr(host, ']');
		if (rb == NULL || (rb[1] != '\0' && rb[1] != '/')) {
			buf_why(why, "bad network address \"%s\": "
			    "missing ']'", tok);
			return -1;
		}
		*rb = '\0';
		host++;
		slash = rb[1] == '/' ? rb + 1 : NULL;
	} else {
		slash = strchr(host, '/');
		if (slash != NULL)
			*slash = '\0';
	}
	e->family = netmatch_addr(host, e->addr);
	if (e->family == 0) {
		buf_why(why, "bad network address \"%s\": not a numeric "
		    "IPv4 or IPv6 address", tok);
		return -1;
	}
	e->bits = e->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		if (parse_uint(slash + 1, 0, e->bits, &bits) < 0) {
			buf_why(why, "bad network address \"%s\": bad "
			    "prefix length (0..%u)", tok, e->bits);
			return -1;
		}
		e->bits = (unsigned)bits;
	}
	if (!netmatch_host_zero(e)) {
		netmatch_format(e, bracket, fixed, sizeof(fixed));
		buf_why(why, "non-null host address bits in \"%s\", "
		    "perhaps you should use \"%s\" instead", tok, fixed);
		return -1;
	}
	return 0;
}

/* netmatch_parse - parse a list; NULL with why on a bad entry */
struct netmatch *
netmatch_parse(const char *list, struct buf *why)
{
	struct netmatch *m;
	char   *copy, *cursor, *tok;

	m = xcalloc(1, sizeof(*m));
	copy = xstrdup(list);
	cursor = copy;
	while ((tok = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (m->n == NETMATCH_MAX_ENTRIES) {
			buf_why(why, "more than %d network addresses",
			    NETMATCH_MAX_ENTRIES);
			goto fail;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 8;
			m->e = xreallocarray(m->e, m->cap, sizeof(*m->e));
		}
		if (netmatch_entry_parse(tok, &m->e[m->n], why) < 0)
			goto fail;
		m->n++;
	}
	free(copy);
	return m;

fail:
	free(copy);
	return netmatch_free(m);
}

/* netmatch_free - release a list; NULL ok */
struct netmatch *
netmatch_free(struct netmatch *m)
{
	if (m != NULL) {
		free(m->e);
		free(m);
	}
	return NULL;
}

/* netmatch_match_addr - match family/address bytes against the list */
static bool
netmatch_match_addr(const struct netmatch *m, int family,
    const unsigned char *addr)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff};
	size_t  i;
	bool    is_mapped;

	is_mapped = family == AF_INET6 && memcmp(addr, mapped, 12) == 0;
	for (i = 0; i < m->n; i++) {
		if (m->e[i].family == family
		    && netmatch_prefix_eq(m->e[i].addr, addr, m->e[i].bits))
			return true;
		if (is_mapped && m->e[i].family == AF_INET
		    && netmatch_prefix_eq(m->e[i].addr, addr + 12,
		    m->e[i].bits))
			return true;
	}
	return false;
}

/* netmatch_match - whether a socket address is in the list */
bool
netmatch_match(const struct netmatch *m, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (m == NULL || sa == NULL)
		return false;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		return netmatch_match_addr(m, AF_INET,
		    (const unsigned char *)&sin->sin_addr);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		return netmatch_match_addr(m, AF_INET6,
		    (const unsigned char *)&sin6->sin6_addr);
	default:
		return false;
	}
}

/* netmatch_match_text - match "1.2.3.4", "::1" or "[::1]" */
bool
netmatch_match_text(const struct netmatch *m, const char *addr)
{
	char    copy[INET6_ADDRSTRLEN + 2];
	unsigned char bytes[16];
	size_t  len;
	int     family;

	if (m == NULL || str_copy(copy, sizeof(copy), addr) < 0)
		return false;
	len = strlen(copy);
	if (len >= 2 && copy[0] == '[' && copy[len - 1] == ']') {
		copy[len - 1] = '\0';
		family = netmatch_addr(copy + 1, bytes);
	} else {
		family = netmatch_addr(copy, bytes);
	}
	return family != 0 && netmatch_match_addr(m, family, bytes);
}
