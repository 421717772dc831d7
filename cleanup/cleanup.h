/* cleanup.h - the cleanup daemon's private types and entry points
 *
 * cleanup turns one submission (PROTO_CLEANUP in util/proto.h, from smtpd
 * or pickup) into a committed queue file in incoming/ and then tells qmgr.
 * The jobs: cleanup_service.c speaks the protocol and validates every
 * request; cleanup_envelope.c creates the queue file and writes the
 * envelope records, and commits or aborts it; cleanup_message.c filters
 * the content (header fixes) and writes it as DATA records;
 * cleanup_rewrite.c owns the lookup tables and rewrites the envelope
 * (canonical and virtual alias maps) before it is written;
 * cleanup_notify.c tells qmgr about a committed file; cleanup_sandbox.c
 * holds the seccomp allow-list.
 *
 * One struct cleanup_state lives per connection; it is reset for every
 * message. Its status is sticky: the first failure (4 or 5 and a reason)
 * stops all further writing, the remaining requests are still consumed,
 * and the reply to req=done carries that status.
 */
#ifndef POSTERN_CLEANUP_H
#define POSTERN_CLEANUP_H

#include "sys.h"
#include "queue.h"

struct buf;

/* limits on what a client may send */
#define CLEANUP_ADDR_MAX	1024	/* sender, rcpt, orcpt */
#define CLEANUP_ATTR_MAX	1024	/* each optional env attribute */
#define CLEANUP_RCPT_LIMIT	100000	/* recipients of one message */
#define CLEANUP_DATA_RECORD	(64 * 1024) /* largest DATA payload */
#define CLEANUP_NOTIFY_TIMEOUT_MS 10000	/* one exchange with qmgr */
#define CLEANUP_LOG_TEXT_MAX	256	/* peer text quoted in a log */
#define CLEANUP_VIRTUAL_RESULTS	100	/* addresses of one expansion */
#define CLEANUP_VIRTUAL_DEPTH	20	/* nesting of one expansion */

/* the reasons a client may see (enhanced status code first) */
#define CLEANUP_REASON_ENV	"2.0.0 Ok"
#define CLEANUP_REASON_OK	"2.0.0 Ok: queued"
#define CLEANUP_REASON_WRITE	"4.3.0 queue file write error"
#define CLEANUP_REASON_RCPTS	"5.5.3 too many recipients"
#define CLEANUP_REASON_SIZE	"5.3.4 message file too big"
#define CLEANUP_REASON_HEADER	"5.3.4 message header too long"
#define CLEANUP_REASON_LOOKUP	"4.3.0 temporary lookup failure"
#define CLEANUP_REASON_VIRTUAL	"4.3.0 virtual alias expansion failed " \
	"(loop or limit)"

/* cleanup_out_fn - where filtered content goes; 0 or -1 (write error) */
typedef int (*cleanup_out_fn)(void *ctx, const char *data, size_t len);

enum cleanup_msg_state { CLEANUP_MSG_HEADERS, CLEANUP_MSG_BODY };

enum cleanup_msg_result {
	CLEANUP_MSG_OK,
	CLEANUP_MSG_HEADER_LIMIT,	/* a header over header_size_limit */
	CLEANUP_MSG_WRITE_ERROR		/* the out function failed */
};

/* struct cleanup_msg - the content filter of one message; see
 * cleanup_message.c. All members are private to that file. */
struct cleanup_msg {
	enum cleanup_msg_state state;
	enum cleanup_msg_result error;	/* sticky */
	struct buf *line;	/* the header-section line being read */
	struct buf *hdr;	/* the logical header being collected */
	struct buf *message_id;	/* Message-ID value, found or added */
	bool	have_message_id;
	bool	have_date;
	bool	headers_done;	/* the header section is written */
	bool	any_output;
	bool	ends_lf;	/* the last byte written was LF */
	char	id[QUEUE_ID_SIZE];
	const char *hostname;	/* borrowed; outlives the filter */
	time_t	now;
	cleanup_out_fn out;
	void	*ctx;
};

/* the phases of one exchange; a request is valid only in some */
enum cleanup_phase {
	CLEANUP_IDLE,		/* waiting for req=env */
	CLEANUP_ENVELOPE,	/* env seen, no recipient yet */
	CLEANUP_RCPTS,		/* at least one recipient */
	CLEANUP_CONTENT		/* at least one data request */
};

struct cleanup_state {
	enum cleanup_phase phase;
	struct queue_file qf;
	bool	open;		/* qf holds an uncommitted file */
	int	status;		/* PROTO_STATUS_OK or first failure */
	const char *reason;	/* a CLEANUP_REASON_*, with status */
	off_t	size_offset;	/* of REC_SIZE */
	off_t	message_offset;	/* of REC_MESSAGE; -1 before */
	long long rcpt_count;
	long long content_in;	/* content bytes received */
	long long content_len;	/* DATA payload bytes written */
	struct buf *data;	/* pending DATA payload */
	struct buf *sender;	/* printable, for log lines */
	struct cleanup_msg msg;
	bool	msg_started;	/* msg is set up, REC_MESSAGE written */
	bool	msg_logged;	/* the message-id line is logged */
	bool	qualify;	/* a local submission: add @$myorigin */
};

/* struct cleanup_attr - one optional envelope attribute */
struct cleanup_attr {
	const char *name;
	const char *value;
	size_t	len;
};

/* cleanup_service.c */
void	cleanup_service(int fd);

/* struct cleanup_maps - the lookup tables of address rewriting (NULL:
 * not configured) */
struct dict_list;
struct cleanup_maps {
	struct dict_list *canonical;
	struct dict_list *sender_canonical;
	struct dict_list *recipient_canonical;
	struct dict_list *virtual_alias;
	bool	propagate_canonical;	/* propagate_unmatched_extensions */
	bool	propagate_virtual;
};

/* struct cleanup_addrs - a list of addresses the owner frees */
struct cleanup_addrs {
	char  **v;
	size_t	n;
	size_t	cap;
};

enum cleanup_rw {
	CLEANUP_RW_OK,
	CLEANUP_RW_LOOKUP,	/* a table lookup failed: try again later */
	CLEANUP_RW_LOOP,	/* a virtual alias loop */
	CLEANUP_RW_LIMIT	/* too many, too deep or too long results */
};

/* cleanup_rewrite.c - canonical and virtual alias rewriting of the
 * envelope. cleanup_maps_open opens the tables the var_* parameters name
 * (0, or -1 with why naming parameter and table); cleanup_init_privileged
 * does it for the process (fatal on error) before the chroot, and
 * cleanup_rewrite_maps returns those. The rewrite functions return
 * CLEANUP_RW_OK or an error with why; qualify means an address without
 * '@' gets "@$myorigin" first (local submissions). */
int	cleanup_maps_open(struct cleanup_maps *m, struct buf *why);
void	cleanup_maps_close(struct cleanup_maps *m);
bool	cleanup_maps_changed(const struct cleanup_maps *m);
void	cleanup_init_privileged(void);
struct cleanup_maps *cleanup_rewrite_maps(void);
enum cleanup_rw cleanup_rewrite_sender(const struct cleanup_maps *m,
	    const char *sender, bool qualify, struct buf *out,
	    struct buf *why);
enum cleanup_rw cleanup_rewrite_rcpt(const struct cleanup_maps *m,
	    const char *rcpt, bool qualify, struct cleanup_addrs *out,
	    struct buf *why);
void	cleanup_addrs_free(struct cleanup_addrs *a);

/* cleanup_envelope.c - the queue file and its envelope. Functions that
 * return -1 have recorded status and reason in st (cleanup_fail). */
void	cleanup_state_init(struct cleanup_state *st);
/* cleanup_state_reset, _free - forget the message (abort its file if
 * open); _free also releases the buffers at the end of a connection */
void	cleanup_state_reset(struct cleanup_state *st);
void	cleanup_state_free(struct cleanup_state *st);
/* cleanup_fail - record a failure unless one is recorded already */
void	cleanup_fail(struct cleanup_state *st, int status,
	    const char *reason);
/* cleanup_envelope_open - create incoming/ID and write VERSION, SIZE,
 * TIME, SENDER and one ATTR per attribute; -1 with why (status 4) */
int	cleanup_envelope_open(struct cleanup_state *st, const char *sender,
	    const struct cleanup_attr *attrs, size_t n, struct buf *why);
/* cleanup_envelope_rcpt - [ORCPT] [NOTIFY] RCPT; orcpt NULL and notify 0
 * mean absent. Past CLEANUP_RCPT_LIMIT the message fails with status 5. */
int	cleanup_envelope_rcpt(struct cleanup_state *st, const char *rcpt,
	    const char *orcpt, long long notify);
/* cleanup_envelope_commit - END, SIZE filled in place, queue_commit; 0
 * only when the file is durable (then st no longer holds it) */
int	cleanup_envelope_commit(struct cleanup_state *st, struct buf *why);
/* cleanup_envelope_abort - remove the uncommitted file, if any */
void	cleanup_envelope_abort(struct cleanup_state *st);

/* cleanup_message.c - the content filter. The filter functions work on
 * any out function (the unit test collects the output in memory). */
void	cleanup_msg_init(struct cleanup_msg *m, const char *id,
	    const char *hostname, time_t now, size_t header_limit,
	    cleanup_out_fn out, void *ctx);
enum cleanup_msg_result cleanup_msg_input(struct cleanup_msg *m,
	    const char *data, size_t len);
/* cleanup_msg_finish - end of content: pending header, added headers,
 * a final LF if the content lacks one */
enum cleanup_msg_result cleanup_msg_finish(struct cleanup_msg *m);
void	cleanup_msg_free(struct cleanup_msg *m);
/* cleanup_msg_is_header - whether line starts a header ("name:"; white
 * space before the colon is tolerated); *name_len (may be NULL) gets the
 * length of the name */
bool	cleanup_msg_is_header(const char *line, size_t len,
	    size_t *name_len);
/* cleanup_msg_date - RFC 5322 date-time of t in local time with a
 * numeric zone; 0, or -1 if it does not fit */
int	cleanup_msg_date(char *out, size_t size, time_t t);

/* the queue-file side: REC_MESSAGE, content, DATA records; -1 means the
 * failure is recorded in st */
int	cleanup_message_start(struct cleanup_state *st);
int	cleanup_message_data(struct cleanup_state *st, const char *data,
	    size_t len);
int	cleanup_message_end(struct cleanup_state *st);

/* cleanup_notify.c - tell qmgr about a committed file (req=new); a
 * failure is only a warning: qmgr also scans incoming/ */
void	cleanup_notify(const char *queue_id);

/* cleanup_sandbox.c */
extern const char *const cleanup_syscalls[];
extern const size_t cleanup_syscalls_count;

#endif
