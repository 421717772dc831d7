/* addr.h - mail addresses: SMTP paths, local part and domain
 *
 * Input: the argument of MAIL FROM / RCPT TO from an SMTP client (untrusted).
 * addr_parse_path accepts "<addr>" (and, leniently, a bare addr without
 * brackets, as Postfix does), strips an RFC 5321 source route
 * ("<@a,@b:user@dom>"), accepts quoted local parts, and returns a pointer to
 * the ESMTP parameters after the path. Limits: ADDR_MAX_LOCAL octets of
 * local part, ADDR_MAX_DOMAIN of domain, ADDR_MAX_PATH in all (RFC 5321
 * 4.5.3.1). 8-bit bytes are allowed only with smtputf8. Errors fill why with
 * "5.1.7 ..." / "5.1.3 ..." style text (enhanced code first).
 */
#ifndef POSTERN_ADDR_H
#define POSTERN_ADDR_H

#include "sys.h"

struct buf;

#define ADDR_MAX_LOCAL	64
#define ADDR_MAX_DOMAIN	255
#define ADDR_MAX_PATH	256

/* addr_parse_path - parse in; addr (reset) gets the address without
 * brackets ("" for <>). *params points into in past the path. 0 or -1. */
int	addr_parse_path(const char *in, bool allow_null, bool smtputf8,
	    struct buf *addr, const char **params, struct buf *why);

/* addr_split - local part and domain at the last '@' (domain "" when
 * none); the domain is lower-cased */
void	addr_split(const char *addr, struct buf *local, struct buf *domain);

/* addr_domain_valid - an RFC 5321 domain or address literal [1.2.3.4] */
bool	addr_domain_valid(const char *domain, bool smtputf8);

/* addr_strip_extension - cut "+tag" from local using any char of delims;
 * tag (reset, may be NULL) gets what was cut, without the delimiter */
void	addr_strip_extension(struct buf *local, const char *delims,
	    struct buf *tag);

#endif
