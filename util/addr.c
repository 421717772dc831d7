/* addr.c - mail addresses: SMTP paths, local part and domain
 *
 * addr_parse_path is a hand-written scanner over the RFC 5321 grammar of
 * the MAIL FROM / RCPT TO argument, which comes from an untrusted SMTP
 * client:
 *
 *   path      = "<" [ route ":" ] mailbox ">"  |  mailbox   (bare, lenient)
 *   route     = "@" domain *( "," "@" domain )             (discarded)
 *   mailbox   = local [ "@" ( domain | "[" literal "]" ) ]  (no "@": a
 *               local name such as postmaster, qualified later)
 *   local     = dot-string | quoted-string
 *
 * Each step consumes the input through one cursor and stops at the first
 * byte it cannot take, so the scan is linear and never reads past the
 * terminating NUL. Limits (RFC 5321 4.5.3.1): ADDR_MAX_LOCAL bytes of
 * local part, ADDR_MAX_DOMAIN of domain, ADDR_MAX_PATH for the whole path
 * counted with its angle brackets and source route. Control characters and
 * DEL are refused everywhere, 8-bit bytes unless smtputf8, and then only
 * as well-formed UTF-8 (no overlong forms or surrogates). The address is
 * returned as written (a quoted local part keeps its quotes). The reasons
 * in why are short ("malformed address: missing >"); the SMTP reply code
 * is the caller's choice.
 */
#include "addr.h"
#include "buf.h"
#include "str.h"

#include <arpa/inet.h>

#define ADDR_MAX_LITERAL	64	/* bytes inside [ ] */

struct addr_scan {
	const char *p;		/* cursor */
	bool	bracketed;	/* started with '<' */
	bool	smtputf8;
	struct buf *why;
};

/* addr_why - replace why with "malformed address: " and a reason */
static int __attribute__((format(printf, 2, 3)))
addr_why(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL) {
		buf_reset(why);
		(void)buf_append_str(why, "malformed address: ");
		va_start(ap, fmt);
		(void)buf_vprintf(why, fmt, ap);	/* short, fits */
		va_end(ap);
	}
	return -1;
}

/* addr_is_atext - RFC 5322 atext, ASCII part */
static bool
addr_is_atext(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9')
	    || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* addr_is_ldh - letter, digit or hyphen */
static bool
addr_is_ldh(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '-';
}

/* addr_utf8_len - length of the well-formed UTF-8 sequence at s (which
 * starts with a byte >= 0x80), or 0 */
static size_t
addr_utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t  n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

/* addr_bad_char - the reason for an unexpected byte at the cursor */
static int
addr_bad_char(struct addr_scan *s, const char *where)
{
	unsigned char c = (unsigned char)*s->p;

	if (c == '\0')
		return addr_why(s->why, s->bracketed ? "missing >" :
		    "unexpected end in %s", where);
	if (c < 0x20 || c == 0x7f)
		return addr_why(s->why, "control character in %s", where);
	if (c >= 0x80 && !s->smtputf8)
		return addr_why(s->why, "8-bit character in %s without "
		    "SMTPUTF8", where);
	if (c >= 0x80)
		return addr_why(s->why, "invalid UTF-8 in %s", where);
	return addr_why(s->why, "unexpected character '%c' in %s", c, where);
}

/* addr_take_utf8 - consume one UTF-8 sequence; -1 with why if not OK */
static int
addr_take_utf8(struct addr_scan *s, const char *where)
{
	size_t  n;

	if (!s->smtputf8)
		return addr_bad_char(s, where);
	n = addr_utf8_len((const unsigned char *)s->p);
	if (n == 0)
		return addr_bad_char(s, where);
	s->p += n;
	return 0;
}

/* addr_literal_valid - "[1.2.3.4]" or "[IPv6:...]" of len bytes */
static bool
addr_literal_valid(const char *d, size_t len)
{
	char    inner[ADDR_MAX_LITERAL + 1];
	unsigned char bin[16];
	size_t  n;

	if (len < 3 || d[0] != '[' || d[len - 1] != ']')
		return false;
	n = len - 2;
	if (n > ADDR_MAX_LITERAL)
		return false;
	memcpy(inner, d + 1, n);
	inner[n] = '\0';
	if (strlen(inner) != n)
		return false;
	if (str_ncasecmp(inner, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, inner + 5, bin) == 1;
	return inet_pton(AF_INET, inner, bin) == 1;
}

/* addr_domain_span_valid - domain check on len bytes (not terminated) */
static bool
addr_domain_span_valid(const char *d, size_t len, bool smtputf8)
{
	const unsigned char *p = (const unsigned char *)d;
	size_t  i = 0, label = 0, n;

	if (len == 0 || len > ADDR_MAX_DOMAIN)
		return false;
	if (d[0] == '[')
		return addr_literal_valid(d, len);
	while (i < len) {
		if (p[i] == '.') {
			if (label == 0 || p[i - 1] == '-')
				return false;
			label = 0;
			i++;
			continue;
		}
		if (p[i] >= 0x80) {
			if (!smtputf8)
				return false;
			n = addr_utf8_len(p + i);
			if (n == 0 || i + n > len)
				return false;
			i += n;
			label += n;
		} else if (addr_is_ldh(p[i])) {
			if (label == 0 && p[i] == '-')
				return false;
			i++;
			label++;
		} else {
			return false;
		}
		if (label > 63)
			return false;
	}
	return label > 0 && p[len - 1] != '-';
}

/* addr_domain_valid - an RFC 5321 domain or address literal */
bool
addr_domain_valid(const char *domain, bool smtputf8)
{
	return addr_domain_span_valid(domain, strlen(domain), smtputf8);
}

/* addr_scan_domain - a domain or address literal at the cursor; sets
 * *len; 0 or -1 with why */
static int
addr_scan_domain(struct addr_scan *s, const char *where, size_t *len)
{
	const char *start = s->p;
	unsigned char c;

	if (*s->p == '[') {
		for (s->p++; *s->p != ']'; s->p++) {
			c = (unsigned char)*s->p;
			if (c <= 0x20 || c >= 0x7f || c == '[' || c == '\\')
				return addr_bad_char(s, where);
		}
		s->p++;
	} else {
		for (;;) {
			c = (unsigned char)*s->p;
			if (c == '.' || addr_is_ldh(c)) {
				s->p++;
			} else if (c >= 0x80) {
				if (addr_take_utf8(s, where) < 0)
					return -1;
			} else {
				break;
			}
		}
	}
	*len = (size_t)(s->p - start);
	if (*len == 0)
		return (*s->p == '\0' && !s->bracketed)
		    || (*s->p != '\0' && strchr("> \t:,", *s->p) != NULL)
		    ? addr_why(s->why, "missing %s", where)
		    : addr_bad_char(s, where);
	if (*len > ADDR_MAX_DOMAIN)
		return addr_why(s->why, "%s longer than %d bytes", where,
		    ADDR_MAX_DOMAIN);
	if (!addr_domain_span_valid(start, *len, s->smtputf8))
		return addr_why(s->why, "bad %s", where);
	return 0;
}

/* addr_scan_route - skip "@a,@b:" after '<'; 0 or -1 with why */
static int
addr_scan_route(struct addr_scan *s)
{
	size_t  len;

	if (!s->bracketed || *s->p != '@')
		return 0;
	for (;;) {
		s->p++;			/* the '@' */
		if (addr_scan_domain(s, "source route", &len) < 0)
			return -1;
		if (*s->p == ':') {
			s->p++;
			return 0;
		}
		if (*s->p != ',' || s->p[1] != '@')
			return addr_why(s->why, "bad source route");
		s->p++;
	}
}

/* addr_scan_quoted - a quoted-string local part; 0 or -1 with why */
static int
addr_scan_quoted(struct addr_scan *s)
{
	unsigned char c;

	for (s->p++; ; ) {
		c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c == '\0')
			return addr_why(s->why, "unbalanced quotes");
		if (c == '\\') {
			c = (unsigned char)s->p[1];
			if (c == '\0')
				return addr_why(s->why, "unbalanced quotes");
			if (c < 0x20 || c >= 0x7f) {
				s->p++;
				return addr_bad_char(s, "local part");
			}
			s->p += 2;
		} else if (c >= 0x80) {
			if (addr_take_utf8(s, "local part") < 0)
				return -1;
		} else if (c < 0x20 || c == 0x7f) {
			return addr_bad_char(s, "local part");
		} else {
			s->p++;
		}
	}
}

/* addr_scan_dot_string - atoms separated by single dots; 0 or -1 */
static int
addr_scan_dot_string(struct addr_scan *s)
{
	const char *start = s->p;
	unsigned char c;

	for (;;) {
		c = (unsigned char)*s->p;
		if (addr_is_atext(c)) {
			s->p++;
		} else if (c == '.') {
			if (s->p == start || s->p[-1] == '.')
				return addr_why(s->why, "bad dots in local "
				    "part");
			s->p++;
		} else if (c >= 0x80) {
			if (addr_take_utf8(s, "local part") < 0)
				return -1;
		} else {
			break;
		}
	}
	if (s->p > start && s->p[-1] == '.')
		return addr_why(s->why, "bad dots in local part");
	return 0;
}

/* addr_at_end - whether the cursor is at the end of the mailbox */
static bool
addr_at_end(const struct addr_scan *s)
{
	char    c = *s->p;

	return s->bracketed ? c == '>' : (c == '\0' || c == ' '
	    || c == '\t');
}

/* addr_parse_path - parse the path at in into addr; *params past it */
int
addr_parse_path(const char *in, bool allow_null, bool smtputf8,
    struct buf *addr, const char **params, struct buf *why)
{
	struct addr_scan s;
	const char *mailbox, *local_end;
	size_t  len, path_len;

	buf_reset(addr);
	*params = in;
	s.p = in;
	s.bracketed = *in == '<';
	s.smtputf8 = smtputf8;
	s.why = why;
	if (*in == '\0' || *in == ' ' || *in == '\t')
		return addr_why(why, "missing address");
	if (s.bracketed)
		s.p++;
	if (s.bracketed && *s.p == '>') {
		if (!allow_null)
			return addr_why(why, "null address not allowed");
	} else {
		if (addr_scan_route(&s) < 0)
			return -1;
		mailbox = s.p;
		if (*s.p == '"') {
			if (addr_scan_quoted(&s) < 0)
				return -1;
		} else if (addr_scan_dot_string(&s) < 0) {
			return -1;
		}
		local_end = s.p;
		if (local_end == mailbox)
			return addr_at_end(&s) || *s.p == '@' ?
			    addr_why(why, "empty local part") :
			    addr_bad_char(&s, "local part");
		if ((size_t)(local_end - mailbox) > ADDR_MAX_LOCAL)
			return addr_why(why, "local part longer than %d bytes",
			    ADDR_MAX_LOCAL);
		if (*s.p == '@') {
			s.p++;
			if (addr_scan_domain(&s, "domain", &len) < 0)
				return -1;
		}
		if (!addr_at_end(&s))
			return addr_bad_char(&s, s.p == local_end ?
			    "local part" : "domain");
		if ((size_t)(s.p - mailbox) > ADDR_MAX_PATH
		    || buf_append(addr, mailbox,
		    (size_t)(s.p - mailbox)) < 0) {
			buf_reset(addr);
			return addr_why(why, "address longer than %d bytes",
			    ADDR_MAX_PATH);
		}
	}
	path_len = (size_t)(s.p - in) + (s.bracketed ? 1 : 2);
	if (path_len > ADDR_MAX_PATH) {
		buf_reset(addr);
		return addr_why(why, "address longer than %d bytes",
		    ADDR_MAX_PATH);
	}
	if (s.bracketed)
		s.p++;			/* the '>' */
	if (*s.p != '\0' && *s.p != ' ' && *s.p != '\t') {
		buf_reset(addr);
		return addr_why(why, "unexpected character after >");
	}
	s.p += strspn(s.p, " \t");
	*params = s.p;
	return 0;
}

/* addr_split - local part and domain at the last '@' outside quotes */
void
addr_split(const char *addr, struct buf *local, struct buf *domain)
{
	const char *p, *at = NULL;
	bool    quoted = false;

	for (p = addr; *p; p++) {
		if (quoted && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '@' && !quoted)
			at = p;
	}
	buf_reset(local);
	buf_reset(domain);
	/* buffers too small for the address stay cut; callers size them
	 * for ADDR_MAX_PATH */
	if (at == NULL) {
		(void)buf_append_str(local, addr);
		return;
	}
	(void)buf_append(local, addr, (size_t)(at - addr));
	(void)buf_append_str(domain, at + 1);
	str_lower(domain->data);
}

/* addr_strip_extension - cut "+tag" from an unquoted local part */
void
addr_strip_extension(struct buf *local, const char *delims,
    struct buf *tag)
{
	size_t  pos;

	if (tag != NULL)
		buf_reset(tag);
	if (delims == NULL || *delims == '\0' || buf_len(local) == 0
	    || buf_str(local)[0] == '"')
		return;
	pos = strcspn(buf_str(local), delims);
	/* as Postfix: no extension when the delimiter is first or absent */
	if (pos == 0 || pos >= buf_len(local))
		return;
	if (tag != NULL)
		(void)buf_append_str(tag, buf_str(local) + pos + 1);
	buf_truncate(local, pos);
}
