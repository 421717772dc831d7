/* netmatch.h - CIDR lists (mynetworks) and matching client addresses
 *
 * Parses "127.0.0.0/8 [::1]/128 192.168.1.5" (comma or space separated,
 * IPv6 in brackets or bare, no prefix = one host); a bad entry (not a
 * numeric address, bad prefix, host bits set past the prefix) makes
 * netmatch_parse return NULL with why naming it. An IPv4-mapped IPv6 client
 * address (::ffff:1.2.3.4) matches IPv4 entries.
 */
#ifndef POSTERN_NETMATCH_H
#define POSTERN_NETMATCH_H

#include "sys.h"
#include <sys/socket.h>

struct buf;
struct netmatch;

struct netmatch *netmatch_parse(const char *list, struct buf *why);
struct netmatch *netmatch_free(struct netmatch *m);
bool	netmatch_match(const struct netmatch *m, const struct sockaddr *sa);
/* netmatch_match_text - match an address in text form */
bool	netmatch_match_text(const struct netmatch *m, const char *addr);

#endif
