/* addr_find.h - look an address up in tables the way Postfix does
 *
 * The search order of Postfix's mail_addr_find, shared by smtpd (is a
 * recipient listed?) and cleanup (canonical and virtual alias rewriting):
 *   user+ext@domain, user@domain,
 *   when the domain is local: user+ext, user,
 *   @domain
 * where "+" is any character of recipient_delimiter and the forms without
 * "+ext" are tried only when the address has an extension. An address
 * without '@' is looked up as a local part. Keys are folded to lower case
 * by the tables themselves (util/dict.h). The caller says whether the
 * domain is local (addr_find_domain_local is the usual test).
 */
#ifndef POSTERN_ADDR_FIND_H
#define POSTERN_ADDR_FIND_H

#include "sys.h"

struct buf;
struct dict_list;

/* addr_find - search maps (NULL: nothing found) for addr. 1 found:
 * value holds the table's value and ext (may be NULL) the extension
 * without its delimiter when the hit was on a key without it ("" when
 * the key had it, or for an @domain hit); 0 not found; -1 lookup error
 * with why. */
int	addr_find(struct dict_list *maps, const char *addr, bool local,
	    const char *delims, struct buf *value, struct buf *ext,
	    struct buf *why);

/* addr_find_domain_local - whether "user" keys apply to domain: empty,
 * "localhost", $myorigin or a name in $mydestination */
bool	addr_find_domain_local(const char *domain);

#endif
