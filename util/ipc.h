/* ipc.h - attribute-list records on the local sockets between daemons
 *
 * Wire format. A message is a list of attributes closed by an end marker.
 * An attribute is: name length (1 byte, 1..IPC_MAX_NAME), the name bytes,
 * value length (4 bytes, big-endian, <= the receiver's per-attribute max),
 * the value bytes. The end marker is a name length of 0. Values are
 * binary-safe; integers travel as decimal text.
 *
 * Every connection starts with the server sending one list holding the
 * single attribute proto=<name>/<version>; the client checks it with
 * ipc_expect_proto(). After that, requests and replies alternate as each
 * service's header documents.
 *
 * A receiver declares what it expects in a table of struct ipc_spec (name,
 * type, required, max length). Missing required, unknown, duplicate or
 * over-long attributes, a bad integer, or more than IPC_MAX_ATTRS attributes
 * reject the whole message (-1 with why). An IPC_STR value may not contain
 * a NUL byte; an IPC_INT value is decimal with an optional leading '-'.
 * After a failed ipc_get the byte stream is out of step: the connection is
 * marked broken, later ipc_get calls fail, and the caller closes it.
 * All I/O waits in poll() until a deadline of the connection's timeout
 * (counted from the start of each ipc_get or flush; timeout_ms < 0 waits
 * for ever); a timeout is an error. ipc_open makes the socket non-blocking.
 * File descriptors travel only through ipc_send_fd / ipc_recv_fd, on a
 * socket whose ipc read buffer is empty (a buffered read would discard the
 * descriptor); they wait at most IPC_FD_TIMEOUT_MS.
 */
#ifndef POSTERN_IPC_H
#define POSTERN_IPC_H

#include "sys.h"

struct buf;

#define IPC_MAX_NAME	64
#define IPC_MAX_ATTRS	32
#define IPC_MAX_VALUE_DEFAULT	4096
#define IPC_FD_TIMEOUT_MS	(60 * 1000)

enum ipc_type { IPC_STR, IPC_INT, IPC_DATA };

struct ipc_spec {
	const char *name;
	enum ipc_type type;
	bool	required;
	size_t	max;		/* bytes; 0 = IPC_MAX_VALUE_DEFAULT */
};

/* ipc_val - one received value, in the same position as its spec */
struct ipc_val {
	bool	present;
	long long num;		/* IPC_INT */
	struct buf *data;	/* IPC_STR and IPC_DATA; NUL-terminated */
};

/* ipc_msg - the values of one list. The caller zero-initialises a msg
 * before its first ipc_get (memset or "= {0}"); later ipc_get calls reuse
 * its value buffers, and ipc_msg_free releases them (and zeroes msg). */
struct ipc_msg {
	size_t	n;
	struct ipc_val vals[IPC_MAX_ATTRS];
};

struct ipc;			/* a connection: fd + read and write buffers */

/* ipc_open - wrap a connected socket; the ipc owns fd from now on */
struct ipc *ipc_open(int fd, int timeout_ms);
struct ipc *ipc_free(struct ipc *ipc);	/* closes the fd; NULL ok */
int	ipc_fd(const struct ipc *ipc);
void	ipc_set_timeout(struct ipc *ipc, int timeout_ms);

/* ipc_connect - connect to the UNIX socket of service name under the
 * current directory (the queue directory): tries private/NAME, then
 * public/NAME. Returns an open ipc or NULL with errno/why set. */
struct ipc *ipc_connect(const char *service, int timeout_ms,
	    struct buf *why);

/* writing: put attributes, then ipc_end() flushes the list; put calls never
 * fail (they buffer); ipc_end returns 0 or -1 (peer gone, timeout) */
void	ipc_put_str(struct ipc *ipc, const char *name, const char *value);
void	ipc_put_int(struct ipc *ipc, const char *name, long long value);
void	ipc_put_data(struct ipc *ipc, const char *name, const void *data,
	    size_t len);
int	ipc_end(struct ipc *ipc);
/* ipc_end_buffered - end the list but keep it buffered (a large value
 * may already have been written): the next ipc_end or ipc_flush sends it
 * with what follows, so a batch of lists costs one write */
void	ipc_end_buffered(struct ipc *ipc);
int	ipc_flush(struct ipc *ipc);	/* flush without an end marker */

/* ipc_get - read one list into msg according to spec (n entries);
 * returns 0 ok, 1 at a clean EOF before any byte, -1 error with why */
int	ipc_get(struct ipc *ipc, const struct ipc_spec *spec, size_t n,
	    struct ipc_msg *msg, struct buf *why);

/* ipc_input_pending - bytes already buffered (for pipelined readers) */
size_t	ipc_input_pending(const struct ipc *ipc);

/* accessors; str of an absent value is "" and num is 0 */
const char *ipc_str(const struct ipc_msg *msg, size_t i);
size_t	ipc_len(const struct ipc_msg *msg, size_t i);
long long ipc_num(const struct ipc_msg *msg, size_t i);
void	ipc_msg_free(struct ipc_msg *msg);	/* frees the value buffers */

/* protocol banner */
int	ipc_send_proto(struct ipc *ipc, const char *proto);
int	ipc_expect_proto(struct ipc *ipc, const char *proto, struct buf *why);

/* descriptor passing over a UNIX socket (SCM_RIGHTS) */
int	ipc_send_fd(int sock, int fd);
int	ipc_recv_fd(int sock);

#endif
