/* master_listen.c - the listening sockets of master.cf services
 *
 * Owns turning a service column into listening sockets. type unix: a
 * stream socket at private/NAME or public/NAME under the queue directory
 * (master's working directory), a stale one removed first, mode 0666
 * (the directory's mode decides who may connect), owned by mail_owner
 * when master runs as root (lchown: never follows a link a daemon may have
 * planted). type inet: "host:port", "[ipv6]:port", or a bare "port"; the
 * port is a number or a name from /etc/services (with a built-in fallback
 * for smtp, submission and smtps), and a bare port listens on every
 * inet_interfaces address: "all" is 0.0.0.0 plus :: when inet_protocols
 * allows IPv6, "loopback-only" is 127.0.0.1 (plus ::1), anything else a
 * host name or address. The IPv6 half of "all" and "loopback-only" is
 * optional when inet_protocols is "all": a host without IPv6 gets a
 * warning, not an error. IPv6 sockets are IPV6_V6ONLY, so that 0.0.0.0 and
 * :: can listen on the same port side by side. Every inet socket has
 * SO_REUSEADDR (a restart must not wait for TIME_WAIT), the backlog is
 * MASTER_LISTEN_BACKLOG, and at most SERVER_LISTEN_MAX addresses are used
 * per service. Non-blocking accept is the daemons' business.
 */
#include "master.h"
#include "buf.h"
#include "log.h"
#include "mem.h"
#include "params.h"
#include "str.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

/* one address to listen on */
struct master_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool	optional;		/* may fail with a warning */
};

struct master_addrs {
	struct master_addr a[SERVER_LISTEN_MAX];
	size_t	n;
};

/* ports of master.cf services by name, when /etc/services lacks them */
static const struct {
	const char *name;
	int	port;
} master_listen_ports[] = {
	{"smtp", 25}, {"submission", 587}, {"submissions", 465},
	{"smtps", 465}, {"lmtp", 24},
};

/* master_listen_unix - a unix service's socket; 0, or -1 with why */
static int
master_listen_unix(struct master_serv *s, struct buf *why)
{
	struct sockaddr_un sun;
	mode_t  old_mask;
	int     fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (str_copy(sun.sun_path, sizeof(sun.sun_path), s->sock_path) < 0) {
		buf_set(why, "socket path too long");
		return -1;
	}
	if (unlink(s->sock_path) < 0 && errno != ENOENT) {
		buf_printf(why, "remove stale %s: %s", s->sock_path,
		    strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		buf_printf(why, "socket: %s", strerror(errno));
		return -1;
	}
	/* mode 0666 from the start: no window with other permissions */
	old_mask = umask(0111);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	(void)umask(old_mask);
	if (rc < 0) {
		buf_printf(why, "bind %s: %s", s->sock_path, strerror(errno));
		goto fail;
	}
	if (master.root && lchown(s->sock_path, master.owner_uid,
	    master.owner_gid) < 0) {
		buf_printf(why, "set owner of %s: %s", s->sock_path,
		    strerror(errno));
		goto fail;
	}
	if (listen(fd, MASTER_LISTEN_BACKLOG) < 0) {
		buf_printf(why, "listen on %s: %s", s->sock_path,
		    strerror(errno));
		goto fail;
	}
	s->listen_fds[0] = fd;
	s->nlisten = 1;
	return 0;

fail:
	(void)close(fd);		/* the error is already in why */
	return -1;
}

/* master_listen_port - a port number or service name; -1 if unknown */
static int
master_listen_port(const char *port)
{
	unsigned long long n;
	struct servent *se;
	size_t  i;

	if (parse_uint(port, 1, 65535, &n) == 0)
		return (int)n;
	se = getservbyname(port, "tcp");
	if (se != NULL)
		return ntohs((uint16_t)se->s_port);
	for (i = 0; i < SYS_ARRAY_LEN(master_listen_ports); i++)
		if (strcmp(port, master_listen_ports[i].name) == 0)
			return master_listen_ports[i].port;
	return -1;
}

/* master_listen_add - remember an address, once; 0, or -1 (too many) */
static int
master_listen_add(struct master_addrs *addrs, const struct sockaddr *sa,
	    socklen_t len, bool optional, struct buf *why)
{
	size_t  i;

	if (len > sizeof(addrs->a[0].ss)) {
		buf_set(why, "address too long");
		return -1;
	}
	for (i = 0; i < addrs->n; i++)
		if (addrs->a[i].len == len && memcmp(&addrs->a[i].ss, sa,
		    len) == 0)
			return 0;
	if (addrs->n >= SERVER_LISTEN_MAX) {
		buf_printf(why, "more than %d addresses to listen on",
		    SERVER_LISTEN_MAX);
		return -1;
	}
	memset(&addrs->a[addrs->n].ss, 0, sizeof(addrs->a[addrs->n].ss));
	memcpy(&addrs->a[addrs->n].ss, sa, len);
	addrs->a[addrs->n].len = len;
	addrs->a[addrs->n].optional = optional;
	addrs->n++;
	return 0;
}

/* master_listen_any - the wildcard or loopback address of a family */
static int
master_listen_any(struct master_addrs *addrs, int family, bool loopback,
	    int port, bool optional, struct buf *why)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK :
		    INADDR_ANY);
		return master_listen_add(addrs, (struct sockaddr *)&sin,
		    sizeof(sin), optional, why);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)port);
	sin6.sin6_addr = loopback ? in6addr_loopback : in6addr_any;
	return master_listen_add(addrs, (struct sockaddr *)&sin6,
	    sizeof(sin6), optional, why);
}

/* master_listen_host - the addresses of a host name or address */
static int
master_listen_host(struct master_addrs *addrs, const char *host, int port,
	    bool v4, bool v6, struct buf *why)
{
	struct addrinfo hints, *res, *ai;
	char    name[NI_MAXHOST], portstr[8];
	size_t  len = strlen(host);
	int     rc, found = 0;

	/* "[::1]" is ::1 */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(name)) {
			buf_printf(why, "bad address %s", host);
			return -1;
		}
		memcpy(name, host + 1, len - 2);
		name[len - 2] = '\0';
	} else if (str_copy(name, sizeof(name), host) < 0) {
		buf_set(why, "host name too long");
		return -1;
	}
	(void)snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v4 && v6 ? AF_UNSPEC : v4 ? AF_INET : AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(name, portstr, &hints, &res);
	if (rc != 0) {
		buf_printf(why, "host %s: %s", name, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (master_listen_add(addrs, ai->ai_addr, ai->ai_addrlen,
		    false, why) < 0) {
			freeaddrinfo(res);
			return -1;
		}
		found++;
	}
	freeaddrinfo(res);
	if (found == 0) {
		buf_printf(why, "host %s: no address of an enabled protocol",
		    name);
		return -1;
	}
	return 0;
}

/* master_listen_wild - "all" or "loopback-only": IPv4 and/or IPv6 */
static int
master_listen_wild(struct master_addrs *addrs, int port, bool v4, bool v6,
	    bool lo, struct buf *why)
{
	if (v4 && master_listen_any(addrs, AF_INET, lo, port, false, why) < 0)
		return -1;
	/* with both protocols enabled, a host without IPv6 still works */
	if (v6 && master_listen_any(addrs, AF_INET6, lo, port, v4, why) < 0)
		return -1;
	return 0;
}

/* master_listen_interfaces - the addresses of inet_interfaces */
static int
master_listen_interfaces(struct master_addrs *addrs, int port, bool v4,
	    bool v6, struct buf *why)
{
	char   *copy = xstrdup(var_inet_interfaces), *cursor = copy, *item;
	int     rc = 0;

	while (rc == 0 && (item = str_split(&cursor, STR_LIST_SEPS)) != NULL) {
		if (str_casecmp(item, "all") == 0)
			rc = master_listen_wild(addrs, port, v4, v6, false,
			    why);
		else if (str_casecmp(item, "loopback-only") == 0)
			rc = master_listen_wild(addrs, port, v4, v6, true,
			    why);
		else
			rc = master_listen_host(addrs, item, port, v4, v6,
			    why);
	}
	free(copy);
	if (rc == 0 && addrs->n == 0) {
		buf_set(why, "inet_interfaces names no address");
		rc = -1;
	}
	return rc;
}

/* master_listen_addrs - where an inet service listens */
static int
master_listen_addrs(const char *service, struct master_addrs *addrs,
	    struct buf *why)
{
	char   *copy = xstrdup(service), *host = NULL, *port, *p;
	bool    v4, v6;
	int     portnum, rc = -1;

	v4 = params_list_has(var_inet_protocols, "all")
	    || params_list_has(var_inet_protocols, "ipv4");
	v6 = params_list_has(var_inet_protocols, "all")
	    || params_list_has(var_inet_protocols, "ipv6");
	if (!v4 && !v6) {
		buf_printf(why, "inet_protocols \"%s\": expected ipv4, ipv6 "
		    "or all", var_inet_protocols);
		goto fail;
	}
	port = copy;
	if (copy[0] == '[') {
		p = strchr(copy, ']');
		if (p == NULL || p[1] != ':') {
			buf_set(why, "expected [address]:port");
			goto fail;
		}
		p[1] = '\0';
		host = copy;		/* brackets stay: see _host */
		port = p + 2;
	} else if ((p = strrchr(copy, ':')) != NULL) {
		*p = '\0';
		host = copy;
		port = p + 1;
	}
	if (*port == '\0' || (portnum = master_listen_port(port)) < 0) {
		buf_printf(why, "bad port \"%s\": expected a number or a "
		    "service name from /etc/services", port);
		goto fail;
	}
	addrs->n = 0;
	if (host == NULL)
		rc = master_listen_interfaces(addrs, portnum, v4, v6, why);
	else if (*host == '\0' || strcmp(host, "*") == 0)
		rc = master_listen_wild(addrs, portnum, v4, v6, false, why);
	else
		rc = master_listen_host(addrs, host, portnum, v4, v6, why);

fail:
	free(copy);
	return rc;
}

/* master_listen_bind - one inet socket; the descriptor, -1 with why, or
 * -2 for an optional address that cannot be had (warned) */
static int
master_listen_bind(const struct master_serv *s, const struct master_addr *a,
	    struct buf *why)
{
	char    host[NI_MAXHOST], port[NI_MAXSERV];
	int     fd, on = 1;

	if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
	    sizeof(host), port, sizeof(port),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		(void)str_copy(host, sizeof(host), "?");
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (a->optional) {
			log_warn("service %s: no %s socket (%m): not "
			    "listening on %s", s->name,
			    a->ss.ss_family == AF_INET6 ? "IPv6" : "IPv4",
			    host);
			return -2;
		}
		buf_printf(why, "socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0
	    || (a->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) < 0)) {
		buf_printf(why, "socket options: %s", strerror(errno));
		goto fail;
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		if (a->optional && (errno == EADDRNOTAVAIL
		    || errno == EAFNOSUPPORT)) {
			log_warn("service %s: bind %s port %s: %m: not "
			    "listening there", s->name, host, port);
			(void)close(fd);	/* unused */
			return -2;
		}
		buf_printf(why, "bind %s port %s: %s", host, port,
		    strerror(errno));
		goto fail;
	}
	if (listen(fd, MASTER_LISTEN_BACKLOG) < 0) {
		buf_printf(why, "listen on %s port %s: %s", host, port,
		    strerror(errno));
		goto fail;
	}
	log_debug("service %s: listening on %s port %s", s->name, host, port);
	return fd;

fail:
	(void)close(fd);		/* the error is already in why */
	return -1;
}

/* master_listen_inet - an inet service's sockets; 0, or -1 with why */
static int
master_listen_inet(struct master_serv *s, struct buf *why)
{
	struct master_addrs *addrs = xcalloc(1, sizeof(*addrs));
	size_t  i;
	int     fd;

	if (master_listen_addrs(s->name, addrs, why) < 0)
		goto fail;
	for (i = 0; i < addrs->n; i++) {
		fd = master_listen_bind(s, &addrs->a[i], why);
		if (fd == -2)
			continue;
		if (fd < 0)
			goto fail;
		s->listen_fds[s->nlisten++] = fd;
	}
	if (s->nlisten == 0) {
		buf_set(why, "no address to listen on");
		goto fail;
	}
	free(addrs);
	return 0;

fail:
	master_listen_close(s);
	free(addrs);
	return -1;
}

/* master_listen_open - open s's listening sockets */
int
master_listen_open(struct master_serv *s, struct buf *why)
{
	buf_reset(why);
	s->nlisten = 0;
	if (s->sock_path != NULL)
		return master_listen_unix(s, why);
	return master_listen_inet(s, why);
}

/* master_listen_close - close s's listening sockets (not watched) */
void
master_listen_close(struct master_serv *s)
{
	size_t  i;

	for (i = 0; i < s->nlisten; i++)
		if (close(s->listen_fds[i]) < 0)
			log_warn("service %s: close listening socket: %m",
			    s->name);
	s->nlisten = 0;
}
