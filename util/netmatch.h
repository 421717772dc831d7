/* netmatch.h - CIDR lists (mynetworks) and matching client addresses
 *
 * Parses "127.0.0.0/8 [::1]/128 192.168.1.5" (comma or space separated,
 * IPv6 in brackets or bare); a bad entry is -1 with why naming it.
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
