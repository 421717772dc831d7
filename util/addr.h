/* addr.h - mail addresses: SMTP paths, local part and domain
 *
 * Input: the argument of MAIL FROM / RCPT TO from an SMTP client (untrusted).
 * addr_parse_path accepts "<addr>" (and, leniently, a bare addr without
 * brackets, as Postfix does), strips an RFC 5321 source route
 * ("<@a,@b:user@dom>"), accepts quoted local parts, and returns a pointer to
 * the ESMTP parameters after the path. Limits: ADDR_MAX_LOCAL octets of
 * local part, ADDR_MAX_DOMAIN of domain, ADDR_MAX_PATH in all (RFC 5321
 * 4.5.3.1; the path length counts the angle brackets and any source
 * route, also for a bare address). Control characters are refused; 8-bit
 * bytes are allowed only with smtputf8, as well-formed UTF-8. The input is
 * a C string: the caller refuses a command line holding a NUL byte before
 * calling. A local part without '@' (RCPT TO:<postmaster>) is accepted.
 * Errors fill why with a short reason ("malformed address: missing >");
 * the caller picks the reply code (5.1.7 sender, 5.1.3 recipient).
 */
#ifndef POSTERN_ADDR_H
#define POSTERN_ADDR_H

#include "sys.h"

struct buf;

#define ADDR_MAX_LOCAL	64
#define ADDR_MAX_DOMAIN	255
#define ADDR_MAX_PATH	256

/* addr_parse_path - parse in, which starts at the path; addr (reset)
 * gets the address as written, without brackets and source route ("" for
 * <>, allowed only with allow_null). *params points into in past the path
 * and the blanks after it. 0, or -1 with why. */
int	addr_parse_path(const char *in, bool allow_null, bool smtputf8,
	    struct buf *addr, const char **params, struct buf *why);

/* addr_split - local part and domain at the last '@' outside quotes
 * (domain "" when none); the domain is lower-cased (ASCII), the local part
 * kept as is. local and domain must hold ADDR_MAX_PATH bytes. */
void	addr_split(const char *addr, struct buf *local, struct buf *domain);

/* addr_domain_valid - an RFC 5321 domain or address literal [1.2.3.4] */
bool	addr_domain_valid(const char *domain, bool smtputf8);

/* addr_strip_extension - cut "+tag" from local at the first char of
 * delims (not when it is the first byte, nor in a quoted local part); tag
 * (reset, may be NULL) gets what was cut, without the delimiter */
void	addr_strip_extension(struct buf *local, const char *delims,
	    struct buf *tag);

#endif
